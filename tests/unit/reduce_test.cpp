#include <cmath>
#include <limits>
#include <string>

#include "op_test_util.h"

namespace tinyc::test {

namespace {
// Expects a tinyc::Error whose message contains `msg` (so the intended check fired).
template <typename F>
void expectError(F f, const std::string& msg) {
  try {
    f();
    ADD_FAILURE() << "no error thrown, expected: " << msg;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(msg), std::string::npos) << e.what();
  }
}
Tensor x23() { return f32({2, 3}, {1, 2, 3, 4, 5, 6}); }
Tensor axes(const std::vector<double>& a) { return i64({static_cast<int64_t>(a.size())}, a); }
AttrMap keep(int k) { return {{"keepdims", Attr::Int(k)}}; }
}  // namespace

TEST(Reduce, SumAlongOneAxis) {
  expectNear(runOp("ReduceSum", {in(x23()), cst(axes({1}))})[0], {2, 1}, {6, 15});
  expectNear(runOp("ReduceSum", {in(x23()), cst(axes({1}))}, keep(0))[0], {2}, {6, 15});
  expectNear(runOp("ReduceSum", {in(x23()), cst(axes({0}))})[0], {1, 3}, {5, 7, 9});
  expectNear(runOp("ReduceSum", {in(x23()), cst(axes({-1}))}, keep(0))[0], {2}, {6, 15});
}

TEST(Reduce, SumAllAxes) {
  expectNear(runOp("ReduceSum", {in(x23())})[0], {1, 1}, {21});
  expectNear(runOp("ReduceSum", {in(x23())}, keep(0))[0], {}, {21});
  expectNear(runOp("ReduceSum", {in(x23()), cst(axes({}))})[0], {1, 1}, {21});
  expectNear(runOp("ReduceSum", {in(x23()), cst(axes({0, 1}))}, keep(0))[0], {}, {21});
}

TEST(Reduce, NoopWithEmptyAxes) {
  AttrMap noop{{"noop_with_empty_axes", Attr::Int(1)}};
  expectNear(runOp("ReduceSum", {in(x23()), cst(axes({}))}, noop)[0], {2, 3}, {1, 2, 3, 4, 5, 6});
  expectNear(runOp("ReduceMax", {in(x23())}, noop)[0], {2, 3}, {1, 2, 3, 4, 5, 6});
  // Non-empty axes still reduce.
  expectNear(runOp("ReduceMean", {in(x23()), cst(axes({1}))}, noop)[0], {2, 1}, {2, 5});
}

TEST(Reduce, MultipleAxes3D) {
  Tensor x = f32({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  expectNear(runOp("ReduceSum", {in(x), cst(axes({0, 2}))})[0], {1, 2, 1}, {10, 18});
  expectNear(runOp("ReduceMax", {in(x), cst(axes({2, 0}))}, keep(0))[0], {2}, {5, 7});
  expectNear(runOp("ReduceMean", {in(x), cst(axes({-3, -1}))}, keep(0))[0], {2}, {2.5, 4.5});
}

TEST(Reduce, Mean) {
  expectNear(runOp("ReduceMean", {in(x23()), cst(axes({1}))}, keep(0))[0], {2}, {2, 5});
  expectNear(runOp("ReduceMean", {in(x23())})[0], {1, 1}, {3.5});
  auto out = runOp("ReduceMean", {in(makeTensor(DType::F64, {4}, {1, 2, 3, 5}))}, keep(0));
  EXPECT_EQ(out[0].dtype(), DType::F64);
  expectNear(out[0], {}, {2.75});
}

TEST(Reduce, IntegerTypes) {
  auto out = runOp("ReduceMean", {in(makeTensor(DType::I32, {3}, {1, 2, 4}))}, keep(0));
  EXPECT_EQ(out[0].dtype(), DType::I32);
  expectNear(out[0], {}, {2});  // 7/3 truncates
  expectNear(runOp("ReduceMean", {in(makeTensor(DType::I32, {3}, {-1, -2, -4}))}, keep(0))[0], {}, {-2});
  out = runOp("ReduceSum", {in(i64({2, 2}, {1, -5, 10, 20})), cst(axes({0}))}, keep(0));
  EXPECT_EQ(out[0].dtype(), DType::I64);
  expectNear(out[0], {2}, {11, 15});
  expectNear(runOp("ReduceMax", {in(i64({2, 2}, {-7, -5, -10, -20})), cst(axes({1}))}, keep(0))[0], {2}, {-5, -10});
}

TEST(Reduce, HalfPrecision) {
  auto out = runOp("ReduceSum", {in(makeTensor(DType::F16, {2, 2}, {0.5, 1.5, 2, 4})), cst(axes({1}))}, keep(0));
  EXPECT_EQ(out[0].dtype(), DType::F16);
  expectNear(out[0], {2}, {2, 6});
  expectNear(runOp("ReduceMax", {in(makeTensor(DType::F16, {3}, {-1, 3, 2}))}, keep(0))[0], {}, {3});
}

TEST(Reduce, Max) {
  Tensor x = f32({2, 3}, {1, 9, 3, 4, 5, -6});
  expectNear(runOp("ReduceMax", {in(x), cst(axes({1}))})[0], {2, 1}, {9, 5});
  expectNear(runOp("ReduceMax", {in(x), cst(axes({0}))}, keep(0))[0], {3}, {4, 9, 3});
  float inf = std::numeric_limits<float>::infinity();
  auto out = runOp("ReduceMax", {in(f32({2}, {-inf, -inf}))}, keep(0));
  EXPECT_EQ(out[0].getF(0), -inf);
  out = runOp("ReduceMax", {in(f32({3}, {1, std::nan(""), 2}))}, keep(0));
  EXPECT_TRUE(std::isnan(out[0].getF(0)));
}

TEST(Reduce, EmptyReduction) {
  Tensor x = f32({0, 3}, {});
  expectNear(runOp("ReduceSum", {in(x), cst(axes({0}))})[0], {1, 3}, {0, 0, 0});
  expectNear(runOp("ReduceSum", {in(x), cst(axes({1}))}, keep(0))[0], {0}, {});
}

TEST(Reduce, RejectsBadAxes) {
  expectError([&] { runOp("ReduceSum", {in(x23()), cst(axes({2}))}); }, "axis 2 is out of range");
  expectError([&] { runOp("ReduceMean", {in(x23()), cst(axes({-3}))}); }, "axis -3 is out of range");
  expectError([&] { runOp("ReduceMax", {in(x23()), cst(axes({1, -1}))}); }, "more than once");
  expectError([&] { runOp("ReduceSum", {in(x23()), in(axes({1}))}); }, "known at compile time");
  expectError([&] { runOp("ReduceSum", {in(x23()), cst(f32({1}, {1}))}); }, "axes must be int64");
  expectError([&] { runOp("ReduceSum", {in(x23()), cst(i64({1, 1}, {1}))}); }, "1-D");
  expectError([&] { runOp("ReduceSum", {in(x23())}, keep(2)); }, "keepdims must be 0 or 1");
  expectError([&] { runOp("ReduceSum", {in(x23())}, {{"axes", Attr::Ints({1})}}); }, "unknown attribute");
  expectError([&] { runOp("ReduceSum", {in(f32({}, {1})), cst(axes({0}))}); }, "out of range for rank 0");
}

}  // namespace tinyc::test
