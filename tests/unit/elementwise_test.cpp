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

namespace tinyc::test {

TEST(Elementwise, LogErfMinAndMul) {
  expectNear(runOp("Log", {in(f32({2}, {1, 7.38905609893065}))})[0], {2}, {0, 2});
  // erf(0.5) = 0.5204998778, erf(-1) = -0.8427007929 (tables)
  expectNear(runOp("Erf", {in(f32({2}, {0.5, -1}))})[0], {2}, {0.5204998778, -0.8427007929}, 1e-6);
  expectNear(runOp("Min", {in(f32({2, 2}, {1, 5, 3, 0})), in(f32({2}, {2, 2}))})[0], {2, 2}, {1, 2, 2, 0});
  expectNear(runOp("Mul", {in(makeTensor(DType::U8, {2}, {200, 3})), in(makeTensor(DType::U8, {1}, {2}))})[0], {2},
             {144, 6});  // uint8 wraps: 400 mod 256
}

TEST(Elementwise, F16ComputesThroughFloat) {
  auto out = runOp("Add", {in(makeTensor(DType::F16, {2}, {1.5, 2})), in(makeTensor(DType::F16, {2}, {0.25, -4}))});
  EXPECT_EQ(out[0].dtype(), DType::F16);
  expectNear(out[0], {2}, {1.75, -2});
}

}  // namespace tinyc::test

namespace tinyc::test {

TEST(Elementwise, SumOfThreeWithBroadcast) {
  auto out = runOp("Sum", {in(f32({2, 2}, {1, 2, 3, 4})), in(f32({2}, {10, 20})), in(f32({1}, {100}))});
  expectNear(out[0], {2, 2}, {111, 122, 113, 124});
}

}  // namespace tinyc::test
