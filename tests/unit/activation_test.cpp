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
const double kLn2 = std::log(2.0), kLn3 = std::log(3.0), kLn4 = std::log(4.0);
Tensor i8(Shape s, const std::vector<double>& v) { return makeTensor(DType::I8, std::move(s), v); }
Tensor i32(Shape s, const std::vector<double>& v) { return makeTensor(DType::I32, std::move(s), v); }
}  // namespace

TEST(Activation, Relu) {
  expectNear(runOp("Relu", {in(f32({3}, {-1, 0, 2.5}))})[0], {3}, {0, 0, 2.5});
  auto out = runOp("Relu", {in(i32({2}, {-3, 4}))});
  EXPECT_EQ(out[0].dtype(), DType::I32);
  expectNear(out[0], {2}, {0, 4});
  auto nan = runOp("Relu", {in(f32({1}, {std::nan("")}))});
  EXPECT_TRUE(std::isnan(nan[0].getF(0)));
  expectError([&] { runOp("Relu", {in(makeTensor(DType::Bool, {1}, {1}))}); }, "float or signed integer");
}

TEST(Activation, LeakyRelu) {
  expectNear(runOp("LeakyRelu", {in(f32({2}, {-2, 3}))})[0], {2}, {-0.02, 3});
  expectNear(runOp("LeakyRelu", {in(f32({2}, {-4, 1}))}, {{"alpha", Attr::Float(0.5f)}})[0], {2}, {-2, 1});
  expectError([&] { runOp("LeakyRelu", {in(i32({1}, {1}))}); }, "must be a float type");
  expectError([&] { runOp("LeakyRelu", {in(f32({1}, {1}))}, {{"beta", Attr::Float(0.5f)}}); }, "unknown attribute");
}

TEST(Activation, PReluBroadcastsSlope) {
  auto out = runOp("PRelu", {in(f32({2, 3}, {-1, -2, 3, -4, 5, -6})), in(f32({3}, {0.1, 0.2, 0.3}))});
  expectNear(out[0], {2, 3}, {-0.1, -0.4, 3, -0.4, 5, -1.8});
  out = runOp("PRelu", {in(f32({2, 2}, {-2, 1, -3, 4})), cst(f32({2, 1}, {0.5, 2}))});
  expectNear(out[0], {2, 2}, {-1, 1, -6, 4});
  out = runOp("PRelu", {in(i32({3}, {-2, 0, 5})), in(i32({1}, {3}))});
  expectNear(out[0], {3}, {-6, 0, 5});
}

TEST(Activation, PReluRejectsBadSlope) {
  // Not broadcastable at all.
  expectError([&] { runOp("PRelu", {in(f32({2, 3}, {1, 2, 3, 4, 5, 6})), in(f32({2}, {1, 2}))}); }, "unidirectionally");
  // Broadcastable only multidirectionally (would grow X).
  expectError([&] { runOp("PRelu", {in(f32({3}, {1, 2, 3})), in(f32({2, 3}, {1, 2, 3, 4, 5, 6}))}); }, "unidirectionally");
  // Type mismatch.
  expectError([&] { runOp("PRelu", {in(f32({1}, {1})), in(makeTensor(DType::F64, {1}, {1}))}); }, "slope type");
  // Missing slope.
  expectError([&] { runOp("PRelu", {in(f32({1}, {1}))}); }, "inputs");
}

TEST(Activation, ClipBounds) {
  Tensor x = f32({3}, {-5, 0, 5});
  expectNear(runOp("Clip", {in(x), cst(f32({}, {-1})), cst(f32({}, {2}))})[0], {3}, {-1, 0, 2});
  expectNear(runOp("Clip", {in(x), in(f32({}, {-1})), in(f32({1}, {2}))})[0], {3}, {-1, 0, 2});
  expectNear(runOp("Clip", {in(x), cst(f32({}, {-1}))})[0], {3}, {-1, 0, 5});
  expectNear(runOp("Clip", {in(x), none(), cst(f32({}, {2}))})[0], {3}, {-5, 0, 2});
  expectNear(runOp("Clip", {in(x)})[0], {3}, {-5, 0, 5});
  // min > max: everything becomes max.
  expectNear(runOp("Clip", {in(x), cst(f32({}, {3})), cst(f32({}, {1}))})[0], {3}, {1, 1, 1});
  // Infinities are not clamped to finite limits when no bound is given.
  float inf = std::numeric_limits<float>::infinity();
  auto big = runOp("Clip", {in(f32({2}, {-inf, inf}))});
  EXPECT_EQ(big[0].getF(0), -inf);
  EXPECT_EQ(big[0].getF(1), inf);
}

TEST(Activation, ClipIntegers) {
  auto out = runOp("Clip", {in(i8({3}, {-128, 10, 127})), cst(i8({}, {-5}))});
  EXPECT_EQ(out[0].dtype(), DType::I8);
  expectNear(out[0], {3}, {-5, 10, 127});
  out = runOp("Clip", {in(i8({3}, {-128, 10, 127})), none(), cst(i8({}, {0}))});
  expectNear(out[0], {3}, {-128, 0, 0});
  out = runOp("Clip", {in(i32({3}, {-7, 3, 9})), cst(i32({}, {-2})), cst(i32({}, {4}))});
  expectNear(out[0], {3}, {-2, 3, 4});
}

TEST(Activation, HalfPrecision) {
  auto h = runOp("Clip", {in(makeTensor(DType::F16, {3}, {-3, 0.5, 3})), cst(makeTensor(DType::F16, {}, {-1})),
                          cst(makeTensor(DType::F16, {}, {1}))});
  EXPECT_EQ(h[0].dtype(), DType::F16);
  expectNear(h[0], {3}, {-1, 0.5, 1});
  h = runOp("PRelu", {in(makeTensor(DType::F16, {2}, {-2, 2})), in(makeTensor(DType::F16, {1}, {0.25}))});
  expectNear(h[0], {2}, {-0.5, 2});
  h = runOp("Softmax", {in(makeTensor(DType::F16, {2}, {0, kLn3}))});
  expectNear(h[0], {2}, {0.25, 0.75}, 1e-3);
}

TEST(Activation, ClipRejectsBadBounds) {
  Tensor x = f32({2}, {1, 2});
  expectError([&] { runOp("Clip", {in(x), cst(f32({2}, {0, 1}))}); }, "min must be a scalar");
  expectError([&] { runOp("Clip", {in(x), none(), cst(makeTensor(DType::F64, {}, {0}))}); }, "max type");
  expectError([&] { runOp("Clip", {in(x), none(), none(), none()}); }, "inputs");
}

TEST(Activation, Sigmoid) {
  auto out = runOp("Sigmoid", {in(f32({5}, {0, kLn3, -kLn3, 100, -100}))});
  expectNear(out[0], {5}, {0.5, 0.75, 0.25, 1, 0});
  auto d = runOp("Sigmoid", {in(makeTensor(DType::F64, {1}, {kLn3}))});
  EXPECT_EQ(d[0].dtype(), DType::F64);
  EXPECT_NEAR(d[0].getF(0), 0.75, 1e-12);
  auto h = runOp("Sigmoid", {in(makeTensor(DType::F16, {2}, {0, kLn3}))});
  EXPECT_EQ(h[0].dtype(), DType::F16);
  expectNear(h[0], {2}, {0.5, 0.75}, 1e-3);
  expectError([&] { runOp("Sigmoid", {in(i32({1}, {1}))}); }, "must be a float type");
}

TEST(Activation, HardSigmoid) {
  expectNear(runOp("HardSigmoid", {in(f32({3}, {-3, 1, 4}))})[0], {3}, {0, 0.7, 1});
  AttrMap a{{"alpha", Attr::Float(0.5f)}, {"beta", Attr::Float(0.6f)}};
  expectNear(runOp("HardSigmoid", {in(f32({1}, {0.2}))}, a)[0], {1}, {0.7});
}

TEST(Activation, HardSwish) {
  expectNear(runOp("HardSwish", {in(f32({5}, {-4, -1, 0, 1, 4}))})[0], {5}, {0, -1.0 / 3, 0, 2.0 / 3, 4});
}

TEST(Activation, Tanh) {
  expectNear(runOp("Tanh", {in(f32({3}, {0, kLn2, -kLn2}))})[0], {3}, {0, 0.6, -0.6});
}

TEST(Activation, Elu) {
  expectNear(runOp("Elu", {in(f32({3}, {-kLn2, 0, 3}))})[0], {3}, {-0.5, 0, 3});
  expectNear(runOp("Elu", {in(f32({1}, {-kLn2}))}, {{"alpha", Attr::Float(2)}})[0], {1}, {-1});
}

TEST(Activation, SoftmaxDefaultAxis) {
  auto out = runOp("Softmax", {in(f32({2, 2}, {0, kLn3, 5, 5}))});
  expectNear(out[0], {2, 2}, {0.25, 0.75, 0.5, 0.5});
  // Large inputs must not overflow (the max is subtracted first).
  out = runOp("Softmax", {in(f32({2}, {1000, 1000 + kLn3}))});
  expectNear(out[0], {2}, {0.25, 0.75}, 1e-4);
}

TEST(Activation, SoftmaxOtherAxes) {
  auto out = runOp("Softmax", {in(f32({2, 2}, {0, 0, kLn3, 0}))}, {{"axis", Attr::Int(0)}});
  expectNear(out[0], {2, 2}, {0.25, 0.5, 0.75, 0.5});
  out = runOp("Softmax", {in(f32({1, 2, 2}, {0, 0, kLn3, -kLn3}))}, {{"axis", Attr::Int(1)}});
  expectNear(out[0], {1, 2, 2}, {0.25, 0.75, 0.75, 0.25});
  out = runOp("Softmax", {in(f32({1, 2, 2}, {0, 0, kLn3, -kLn3}))}, {{"axis", Attr::Int(-2)}});
  expectNear(out[0], {1, 2, 2}, {0.25, 0.75, 0.75, 0.25});
}

TEST(Activation, LogSoftmax) {
  auto out = runOp("LogSoftmax", {in(f32({2}, {0, kLn3}))});
  expectNear(out[0], {2}, {-kLn4, kLn3 - kLn4});
  out = runOp("LogSoftmax", {in(f32({2}, {1000, 1000 + kLn3}))});
  expectNear(out[0], {2}, {-kLn4, kLn3 - kLn4}, 1e-3);
  out = runOp("LogSoftmax", {in(makeTensor(DType::F64, {2, 1}, {0, kLn3}))}, {{"axis", Attr::Int(0)}});
  expectNear(out[0], {2, 1}, {-kLn4, kLn3 - kLn4}, 1e-12);
}

TEST(Activation, SoftmaxRejectsBadInput) {
  Tensor x = f32({2, 2}, {1, 2, 3, 4});
  expectError([&] { runOp("Softmax", {in(x)}, {{"axis", Attr::Int(2)}}); }, "axis 2 is out of range");
  expectError([&] { runOp("LogSoftmax", {in(x)}, {{"axis", Attr::Int(-3)}}); }, "axis -3 is out of range");
  expectError([&] { runOp("Softmax", {in(f32({}, {1}))}); }, "rank >= 1");
  expectError([&] { runOp("Softmax", {in(i32({2}, {1, 2}))}); }, "must be a float type");
  expectError([&] { runOp("Softmax", {in(x)}, {{"axis", Attr::Float(1)}}); }, "attribute 'axis' must be");
}

TEST(SwiGLU, SwishOfATimesB) {
  // a (0, 2), b (3, 1): 0 and 2 sigmoid(2) = 1.7615942; alpha 0.5: 2 sigmoid(1) = 1.4621172
  const Tensor a = f32({2}, {0, 2}), b = f32({2}, {3, 1});
  expectNear(runOp("SwiGLU", {in(a), in(b)})[0], {2}, {0, 1.7615942}, 1e-6);
  expectNear(runOp("SwiGLU", {in(a), in(b)}, {{"alpha", Attr::Float(0.5f)}})[0], {2}, {0, 1.4621172}, 1e-6);
  EXPECT_THROW(runOp("SwiGLU", {in(a), in(f32({1}, {1}))}), Error);  // no broadcasting
}

}  // namespace tinyc::test
