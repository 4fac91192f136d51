// lower-quant on the patterns of PyTorch's ONNX exporters (TorchScript and dynamo), written by hand
// on the IR: each becomes integer code (no float island) and stays within 1 LSB of the float QDQ
// graph it came from (ONNX Runtime's arithmetic).
#include <gtest/gtest.h>

#include <cmath>

#include "pass_test_util.h"
#include "passes/lower_quant.h"

namespace tinyc {
namespace {

Tensor scalar(DType t, double v) {
  Tensor x(t, {});
  x.setF(0, v);
  return x;
}

Tensor vec(DType t, std::vector<double> v) {
  Tensor x(t, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) x.setF(static_cast<int64_t>(i), v[i]);
  return x;
}

// Builds QDQ graphs as the exporters write them.
struct Q : G {
  int k = 0;
  std::string id(const std::string& s) { return s + std::to_string(++k); }
  // QuantizeLinear to uint8 (or int8) with a scalar scale and zero point.
  Value* quant(Value* x, double s, int zp, DType t = DType::U8) {
    return node("QuantizeLinear", id("q"), {x, cst(id("s"), scalar(DType::F32, s)), cst(id("z"), scalar(t, zp))});
  }
  Value* dequant(Value* x, double s, int zp, DType t = DType::U8) {
    return node("DequantizeLinear", id("dq"), {x, cst(id("s"), scalar(DType::F32, s)), cst(id("z"), scalar(t, zp))});
  }
  // Q -> DQ with the same parameters (a fake-quantized activation).
  Value* qdq(Value* x, double s, int zp, DType t = DType::U8) { return dequant(quant(x, s, zp, t), s, zp, t); }
  // DequantizeLinear of random int8 weights [n, rest...] with one scale per tensor given as a
  // one-element vector (the TorchScript exporter's form) and a float bias of n values.
  Value* weights(Shape shape, double s) {
    std::uniform_int_distribution<int> u(-127, 127);
    Tensor w(DType::I8, shape);
    for (int64_t i = 0; i < w.numel(); ++i) w.setI(i, u(rng));
    return node("DequantizeLinear", id("wdq"),
                {cst(id("w"), std::move(w)), cst(id("ws"), vec(DType::F32, {s})), cst(id("wz"), vec(DType::I8, {0}))});
  }
  // Random float inputs in [-2, 2) and the interpreter's outputs before and after the -O2
  // pipeline: every output within `lsb` (one output scale).
  void lowerWithin(double lsb) {
    auto ins = inputs();
    auto before = Interpreter(g).run(ins);
    run(pipelineForLevel(2));
    auto after = Interpreter(g).run(ins);
    ASSERT_EQ(before.size(), after.size());
    for (size_t i = 0; i < before.size(); ++i)
      for (int64_t j = 0; j < before[i].numel(); ++j)
        EXPECT_LE(std::fabs(before[i].getF(j) - after[i].getF(j)), lsb * 1.0001) << "output " << i << " [" << j << "]\n"
                                                                                << ir();
  }
  std::vector<std::string> islands() const {
    std::vector<std::string> r;
    for (const Node* n : floatIslands(g)) r.push_back(n->opType + " " + n->name);
    return r;
  }
};

// One LSB of the graphs' outputs below.
constexpr double kOutScale = 0.05;

// TorchScript exporter: QuantizeLinear -> Cast(to = uint8) -> DequantizeLinear around every
// quantized op; the Cast (uint8 to uint8) is an identity.
TEST(LowerQuantTorch, SameTypeCastBetweenQuantizeAndDequantize) {
  Q b;
  Value* x = b.input("x", {1, 3, 6, 6});
  Value* c = b.node("Cast", "cast", {b.quant(x, 0.03, 128)}, {{"to", Attr::Int(2)}});  // uint8
  Value* y = b.node("Conv", "conv", {b.dequant(c, 0.03, 128), b.weights({4, 3, 3, 3}, 0.01), b.rnd("bias", {4})},
                    {{"pads", Attr::Ints({1, 1, 1, 1})}});
  Value* yq = b.node("Cast", "cast_out", {b.quant(b.node("Relu", "relu", {y}), kOutScale, 0)}, {{"to", Attr::Int(2)}});
  b.finish({b.dequant(yq, kOutScale, 0)});
  b.lowerWithin(kOutScale);
  EXPECT_EQ(b.count("Cast"), 0) << b.ir();
  EXPECT_TRUE(b.islands().empty()) << b.ir();
  EXPECT_TRUE(has(b.ir(), "i8[1,4,6,6] q(scale=0.05, zp=-128) = Conv \"conv\"")) << b.ir();
}

// A quantized graph where nothing could be lowered still reports its float ops as islands (the
// report used to say "no island" when no int8 tensor was left at all).
TEST(LowerQuantTorch, NothingLoweredIsAllIslands) {
  Q b;
  Value* x = b.input("x", {1, 8});
  Value* q = b.quant(x, 0.03, 128);
  Value* y = b.node("Exp", "exp", {b.dequant(q, 0.03, 128)});  // no integer form without a QuantizeLinear after it
  b.finish({y});
  b.run(pipelineForLevel(2));
  ASSERT_EQ(b.islands().size(), 1u) << b.ir();
  EXPECT_EQ(b.islands()[0], "Exp exp");
}

// TorchScript exporter's HardSwish: DQ(x) -> HardSigmoid -> Mul(x, .) -> Q; and SiLU, with the
// dequantized tensor as Mul's second input: elementwise functions of one int8 tensor, one table each.
TEST(LowerQuantTorch, ElementwiseFunctionsOfOneTensorBecomeTables) {
  Q b;
  Value* x = b.input("x", {1, 4, 5, 5});
  Value* d = b.qdq(x, 0.04, 128);
  Value* hs = b.node("HardSigmoid", "hsig", {d}, {{"alpha", Attr::Float(1.0f / 6)}, {"beta", Attr::Float(0.5f)}});
  Value* e = b.qdq(b.node("Mul", "hswish", {d, hs}), kOutScale, 20);
  Value* silu = b.node("Mul", "silu", {b.node("Sigmoid", "sig", {e}), e});
  b.finish({b.qdq(silu, kOutScale, 30)});
  b.lowerWithin(kOutScale);
  EXPECT_TRUE(b.islands().empty()) << b.ir();
  EXPECT_EQ(b.count("tinyc.Lut"), 2) << b.ir();
  EXPECT_EQ(b.count("Mul") + b.count("HardSigmoid") + b.count("Sigmoid"), 0) << b.ir();
}

// The dynamo exporter's AdaptiveAvgPool2d(1): ReduceMean over axes [-1, -2], keepdims = 1 (axes
// as an input from opset 18 on); other axes stay float.
TEST(LowerQuantTorch, SpatialReduceMeanIsAGlobalAveragePool) {
  Q b;
  Value* x = b.input("x", {1, 6, 5, 4});
  Value* d = b.qdq(x, 0.04, 10, DType::I8);
  Value* m = b.node("ReduceMean", "mean", {d, b.ints("axes", {-1, -2})}, {{"keepdims", Attr::Int(1)}});
  Value* other = b.node("ReduceMean", "mean_c", {d, b.ints("axes_c", {1, 2, 3})}, {{"keepdims", Attr::Int(1)}});
  b.finish({b.qdq(m, 0.02, -5, DType::I8), b.qdq(other, 0.02, -5, DType::I8)});
  b.lowerWithin(0.02);
  EXPECT_TRUE(has(b.ir(), "i8[1,6,1,1] q(scale=0.02, zp=-5) = GlobalAveragePool \"mean\"")) << b.ir();
  ASSERT_EQ(b.islands().size(), 1u) << b.ir();
  EXPECT_EQ(b.islands()[0], "ReduceMean mean_c");
}

// PT2E (XNNPACKQuantizer) exported by dynamo: no QuantizeLinear between AveragePool and the
// view after it, nor between a Conv's Relu and a MaxPool: the QuantizeLinear moves before the
// op that only moves elements, the pool and the Conv become units, the view and MaxPool run on int8.
TEST(LowerQuantTorch, QuantizeLinearAfterAViewMovesBeforeIt) {
  Q b;
  Value* x = b.input("x", {1, 3, 8, 6});
  Value* d = b.qdq(x, 0.03, 6, DType::I8);
  Value* c = b.node("Conv", "conv", {d, b.weights({4, 3, 3, 3}, 0.01), b.rnd("bias", {4})}, {{"pads", Attr::Ints({1, 1, 1, 1})}});
  Value* mp = b.node("MaxPool", "maxpool", {b.node("Relu", "relu", {c})},
                     {{"kernel_shape", Attr::Ints({2, 2})}, {"strides", Attr::Ints({2, 2})}});
  Value* p = b.node("AveragePool", "avgpool", {b.qdq(mp, 0.02, -128, DType::I8)},
                    {{"kernel_shape", Attr::Ints({2, 2})}, {"strides", Attr::Ints({2, 2})}});
  Value* r = b.node("Reshape", "view", {p, b.ints("shape", {1, 8})});
  b.finish({b.qdq(r, kOutScale, -100, DType::I8)});
  b.lowerWithin(kOutScale);
  EXPECT_TRUE(b.islands().empty()) << b.ir();
  EXPECT_TRUE(has(b.ir(), "i8[1,4,2,1] q(scale=0.05, zp=-100) = AveragePool \"avgpool\"")) << b.ir();
  EXPECT_TRUE(has(b.ir(), "i8[1,4,4,3] q(scale=0.02, zp=-128) = MaxPool \"maxpool\"")) << b.ir();
}

// A QAT Conv+BatchNorm as the TorchScript exporter writes the fake-quantized model: Conv with
// fake-quantized weights and a zero bias, Div by the BN scale factor, Add of the bias, then the
// BatchNormalization itself, Relu, QuantizeLinear. The factors fold into the int8 weights' scales
// (a negative one negates that channel's integers): one int8 Conv.
TEST(LowerQuantTorch, QatConvBatchNormFoldsIntoTheWeightScales) {
  Q b;
  const int64_t c = 4;
  Value* x = b.input("x", {1, 3, 6, 6});
  Tensor gamma = vec(DType::F32, {0.8, -1.2, 1.5, 0.6}), var = vec(DType::F32, {0.7, 1.3, 0.9, 2.0});
  Tensor sf(DType::F32, {1, c, 1, 1});
  for (int64_t i = 0; i < c; ++i) sf.setF(i, gamma.getF(i) / std::sqrt(var.getF(i) + 1e-5));
  Value* conv = b.node("Conv", "conv", {b.qdq(x, 0.03, 128), b.weights({c, 3, 3, 3}, 0.01), b.cst("zero_bias", Tensor(DType::F32, {c}))},
                       {{"pads", Attr::Ints({1, 1, 1, 1})}});
  Value* div = b.node("Div", "div", {conv, b.cst("sf", sf)});
  Value* add = b.node("Add", "add", {div, b.rnd("bias", {1, c, 1, 1})});
  Value* bn = b.node("BatchNormalization", "bn",
                     {add, b.cst("gamma", gamma), b.rnd("beta", {c}), b.rnd("mean", {c}), b.cst("var", var)},
                     {{"epsilon", Attr::Float(1e-5f)}});
  b.finish({b.qdq(b.node("Relu", "relu", {bn}), kOutScale, 0)});
  b.lowerWithin(kOutScale);
  EXPECT_TRUE(b.islands().empty()) << b.ir();
  EXPECT_TRUE(has(b.ir(), "= Conv \"conv\"")) << b.ir();
  EXPECT_EQ(b.count("Div") + b.count("Add") + b.count("Mul") + b.count("BatchNormalization"), 0) << b.ir();
}

// x86 QAT (reduce_range): every fake quantization is QuantizeLinear -> Clip(max = 127) on the
// uint8 integers -> DequantizeLinear. The Conv's clip joins its fused Relu (one clamp of the int8
// output), the input's and the pool's become tables after their QuantizeLinear.
TEST(LowerQuantTorch, ReducedRangeClipsOnTheIntegers) {
  Q b;
  auto clip127 = [&](Value* q) { return b.node("Clip", b.id("clip"), {q, nullptr, b.cst(b.id("max"), scalar(DType::U8, 127))}); };
  Value* x = b.input("x", {1, 3, 6, 6});
  Value* d = b.dequant(clip127(b.quant(x, 0.05, 67)), 0.05, 67);
  Value* c = b.node("Conv", "conv", {d, b.weights({4, 3, 3, 3}, 0.01), b.rnd("bias", {4})}, {{"pads", Attr::Ints({1, 1, 1, 1})}});
  Value* r = b.dequant(clip127(b.quant(b.node("Relu", "relu", {c}), 0.004, 0)), 0.004, 0);
  Value* p = b.node("GlobalAveragePool", "gap", {r});
  b.finish({b.dequant(clip127(b.quant(p, 0.004, 0)), 0.004, 0)});
  b.lowerWithin(0.004);
  EXPECT_TRUE(b.islands().empty()) << b.ir();
  EXPECT_TRUE(has(b.ir(), "tinyc.activation=\"Clip\", tinyc.activation_params=[0,0.508]")) << b.ir();
  EXPECT_EQ(b.count("tinyc.Lut"), 2) << b.ir();
}

}  // namespace
}  // namespace tinyc
