#include "op_test_util.h"

namespace tinyc::test {

TEST(Elementwise, AddBroadcastsRowVector) {
  auto out = runOp("Add", {in(f32({2, 3}, {1, 2, 3, 4, 5, 6})), in(f32({3}, {10, 20, 30}))});
  expectNear(out[0], {2, 3}, {11, 22, 33, 14, 25, 36});
}

TEST(Elementwise, SubBroadcastsColumn) {
  auto out = runOp("Sub", {in(f32({2, 1}, {1, 2})), in(f32({1, 3}, {1, 2, 3}))});
  expectNear(out[0], {2, 3}, {0, -1, -2, 1, 0, -1});
}

TEST(Elementwise, IntegerDivTruncates) {
  auto out = runOp("Div", {in(makeTensor(DType::I32, {3}, {7, -7, 9})), in(makeTensor(DType::I32, {3}, {2, 2, 0}))});
  expectNear(out[0], {3}, {3, -3, 0});
}

TEST(Elementwise, MismatchedShapesAreAnError) {
  EXPECT_THROW(runOp("Mul", {in(f32({2}, {1, 2})), in(f32({3}, {1, 2, 3}))}), Error);
}

TEST(Elementwise, MaxVariadicAndNaN) {
  auto out = runOp("Max", {in(f32({3}, {1, 5, 3})), in(f32({3}, {4, 2, 6})), in(f32({1}, {2}))});
  expectNear(out[0], {3}, {4, 5, 6});
}

TEST(Elementwise, PowMixedTypes) {
  auto out = runOp("Pow", {in(f32({3}, {2, 3, 4})), in(makeTensor(DType::I64, {1}, {2}))});
  expectNear(out[0], {3}, {4, 9, 16});
}

TEST(Elementwise, UnaryMath) {
  expectNear(runOp("Sqrt", {in(f32({2}, {4, 9}))})[0], {2}, {2, 3});
  expectNear(runOp("Neg", {in(makeTensor(DType::I8, {2}, {4, -9}))})[0], {2}, {-4, 9});
  expectNear(runOp("Abs", {in(f32({2}, {-4, 9}))})[0], {2}, {4, 9});
  expectNear(runOp("Reciprocal", {in(f32({2}, {4, 0.5}))})[0], {2}, {0.25, 2});
  EXPECT_THROW(runOp("Exp", {in(makeTensor(DType::I32, {1}, {1}))}), Error);
}

}  // namespace tinyc::test
