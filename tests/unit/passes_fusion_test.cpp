// Fusion passes: fold-batchnorm, batchnorm-to-affine, matmul-add-to-gemm, fold-mul-add, fold-pad,
// merge-views. Small hand-built graphs checked on the textual IR, negative cases that must be left
// alone, and interpreter outputs before vs after each rewrite on seeded random inputs.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "pass_test_util.h"
#include "support/error.h"

namespace tinyc {
namespace {

AttrMap convAttrs(std::vector<int64_t> pads, int64_t group = 1) {
  AttrMap a{{"group", Attr::Int(group)}};
  if (!pads.empty()) a["pads"] = Attr::Ints(std::move(pads));
  return a;
}

// ---- fold-batchnorm -------------------------------------------------------------------------

TEST(FoldBatchNorm, ConvBiasAndScaleAreFoldedIntoNewConstants) {
  G b;
  Value* x = b.input("x", {1, 3, 6, 6});
  Value* w = b.rnd("w", {4, 3, 3, 3});
  Value* c1 = b.node("Conv", "conv1", {x, w, b.rnd("bias", {4})}, convAttrs({1, 1, 1, 1}));
  Value* y = b.node("Relu", "relu", {b.bn("bn", c1, 4)});
  Value* c2 = b.node("Conv", "conv2", {x, w}, convAttrs({1, 1, 1, 1}));  // shares w: must keep it
  b.finish({y, c2});
  EXPECT_TRUE(b.runSame("fold-batchnorm"));
  std::string ir = b.ir();
  EXPECT_EQ(b.count("BatchNormalization"), 0) << ir;
  EXPECT_TRUE(has(ir, "const %")) << ir;
  EXPECT_TRUE(has(ir, "\"w_bn\" : f32[4,3,3,3]")) << ir;
  EXPECT_TRUE(has(ir, "\"w\" : f32[4,3,3,3]")) << ir;  // the shared weight is untouched
  EXPECT_TRUE(has(ir, "\"bias_bn\" : f32[4]")) << ir;
  EXPECT_TRUE(has(ir, "= Relu \"relu\"(%")) << ir;
  EXPECT_FALSE(b.run("fold-batchnorm"));
}

TEST(FoldBatchNorm, ConvWithoutBiasGetsOne) {
  G b;
  Value* x = b.input("x", {2, 4, 5});
  Value* c = b.node("Conv", "conv", {x, b.rnd("w", {6, 2, 3})}, convAttrs({}, 2));
  Value* y = b.bn("bn", c, 6);
  y->name = "y";
  b.finish({y});
  EXPECT_TRUE(b.runSame("fold-batchnorm"));
  std::string ir = b.ir();
  EXPECT_EQ(b.count("BatchNormalization"), 0) << ir;
  // The output keeps its name: the Conv now produces "y".
  EXPECT_TRUE(has(ir, "\"y\" : f32[2,6,3] = Conv \"conv\"(%")) << ir;
  EXPECT_TRUE(has(ir, "\"conv_bias\" : f32[6]")) << ir;
}

TEST(FoldBatchNorm, ConvTransposeWithGroups) {
  G b;
  Value* x = b.input("x", {1, 4, 3, 3});
  // W = [C=4, M/group=3, 2, 2] with group 2: 6 output channels.
  Value* c = b.node("ConvTranspose", "convt", {x, b.rnd("w", {4, 3, 2, 2}), b.rnd("bias", {6})},
                    {{"group", Attr::Int(2)}, {"strides", Attr::Ints({2, 2})}});
  Value* y = b.bn("bn", c, 6);
  b.finish({y});
  EXPECT_TRUE(b.runSame("fold-batchnorm"));
  EXPECT_EQ(b.count("BatchNormalization"), 0) << b.ir();
  EXPECT_EQ(b.count("ConvTranspose"), 1) << b.ir();
}

TEST(FoldBatchNorm, GemmWithTransBAndBroadcastC) {
  for (int transB = 0; transB < 2; ++transB) {
    G b;
    Value* x = b.input("x", {3, 5});
    Shape ws = transB ? Shape{4, 5} : Shape{5, 4};
    Value* gm = b.node("Gemm", "gemm", {x, b.rnd("w", ws), b.rnd("c", {3, 1})},
                       {{"transB", Attr::Int(transB)}, {"beta", Attr::Float(0.5f)}, {"alpha", Attr::Float(2.0f)}});
    Value* y = b.bn("bn", gm, 4);
    b.finish({y});
    EXPECT_TRUE(b.runSame("fold-batchnorm")) << transB;
    std::string ir = b.ir();
    EXPECT_EQ(b.count("BatchNormalization"), 0) << ir;
    EXPECT_TRUE(has(ir, "\"c_bn\" : f32[3,4]")) << ir;
    EXPECT_TRUE(has(ir, "beta=1")) << ir;
  }
}

TEST(FoldBatchNorm, GemmWithoutC) {
  G b;
  Value* x = b.input("x", {1, 5});
  Value* gm = b.node("Gemm", "gemm", {x, b.rnd("w", {5, 4})});
  b.finish({b.bn("bn", gm, 4)});
  EXPECT_TRUE(b.runSame("fold-batchnorm"));
  EXPECT_EQ(b.count("BatchNormalization"), 0) << b.ir();
}

TEST(FoldBatchNorm, ProducerWithAnotherUserIsNotFolded) {
  G b;
  Value* x = b.input("x", {1, 2, 4, 4});
  Value* c = b.node("Conv", "conv", {x, b.rnd("w", {3, 2, 1, 1})});
  Value* y = b.bn("bn", c, 3);
  Value* r = b.node("Relu", "relu", {c});
  b.finish({y, r});
  EXPECT_FALSE(b.run("fold-batchnorm"));
  EXPECT_EQ(b.count("BatchNormalization"), 1);
}

TEST(FoldBatchNorm, ProducerThatIsAGraphOutputIsNotFolded) {
  G b;
  Value* x = b.input("x", {1, 2, 4, 4});
  Value* c = b.node("Conv", "conv", {x, b.rnd("w", {3, 2, 1, 1})});
  b.finish({b.bn("bn", c, 3), c});
  EXPECT_FALSE(b.run("fold-batchnorm"));
}

TEST(FoldBatchNorm, NonConstantWeightsOrParamsAreNotFolded) {
  {
    G b;
    Value* x = b.input("x", {1, 2, 4, 4});
    Value* w = b.input("w", {3, 2, 1, 1});
    b.finish({b.bn("bn", b.node("Conv", "conv", {x, w}), 3)});
    EXPECT_FALSE(b.run("fold-batchnorm"));
  }
  {
    G b;
    Value* x = b.input("x", {1, 2, 4, 4});
    Value* mean = b.input("mean", {3});
    Value* c = b.node("Conv", "conv", {x, b.rnd("w", {3, 2, 1, 1})});
    Value* y = b.node("BatchNormalization", "bn", {c, b.rnd("s", {3}), b.rnd("b", {3}), mean, b.rnd("v", {3}, 1, 2)});
    b.finish({y});
    EXPECT_FALSE(b.run("fold-batchnorm"));
    EXPECT_FALSE(b.run("batchnorm-to-affine"));
  }
  for (int negative = 0; negative < 2; ++negative) {
    // int8 weights behind DequantizeLinear (known at compile time, not constant) stay int8: the
    // BatchNormalization goes into their scales (per channel), a negative factor negates the
    // channel's integers; not with a -128 there (no int8 negation).
    G b;
    Value* x = b.input("x", {1, 2, 4, 4});
    Tensor w8(DType::I8, {3, 2, 1, 1});
    for (int64_t i = 0; i < w8.numel(); ++i) w8.setI(i, i - 3);
    if (negative) w8.setI(2, -128);  // channel 1
    Tensor sc(DType::F32, {});
    sc.setF(0, 0.5);
    Value* w = b.node("DequantizeLinear", "dq", {b.cst("w8", w8), b.cst("sc", sc)});
    Tensor gamma(DType::F32, {3});
    for (int64_t i = 0; i < 3; ++i) gamma.setF(i, i == 1 ? -0.7 : 1.3);
    Value* y = b.node("BatchNormalization", "bn",
                      {b.node("Conv", "conv", {x, w}), b.cst("gamma", gamma), b.rnd("beta", {3}), b.rnd("mean", {3}),
                       b.rnd("var", {3}, 0.5, 2)});
    b.finish({y});
    ASSERT_NE(w->known, nullptr);
    EXPECT_EQ(b.runSame("fold-batchnorm,dce"), !negative) << b.ir();
    EXPECT_EQ(b.count("DequantizeLinear"), 1);
    EXPECT_EQ(b.count("BatchNormalization"), negative);
    const Node* conv = b.g.nodes.back().get();
    ASSERT_EQ(conv->opType, negative ? "BatchNormalization" : "Conv");
    if (!negative) {
      const Value* q = conv->inputs[1]->producer->inputs[0];
      EXPECT_EQ(q->dtype, DType::I8);
      EXPECT_EQ(q->constant->getI(2), 1);  // -(2 - 3): channel 1 negated
      EXPECT_EQ(q->constant->getI(0), -3);
    }
  }
  {
    G b;  // BatchNormalization after an op that has no weights
    Value* x = b.input("x", {1, 2, 4, 4});
    b.finish({b.bn("bn", b.node("Relu", "relu", {x}), 2)});
    EXPECT_FALSE(b.run("fold-batchnorm"));
  }
}

TEST(FusionPasses, ProducersWithAFusedActivationAreLeftAlone) {
  // Conv/Gemm/Add carrying a fused activation (attribute tinyc.activation) no longer output the
  // plain product: nothing may be folded into them, and an Add carrying one is not a plain bias.
  G b;
  Value* x = b.input("x", {1, 2, 4, 4});
  Value* c = b.node("Conv", "conv", {x, b.rnd("w", {3, 2, 1, 1})});
  b.g.nodes.back()->attrs["tinyc.activation"] = Attr::Str("Relu");
  Value* y1 = b.bn("bn", c, 3);
  Value* c2 = b.node("Conv", "conv2", {x, b.rnd("w2", {3, 2, 1, 1})});
  b.g.nodes.back()->attrs["tinyc.activation"] = Attr::Str("Relu");
  Value* y2 = b.node("Mul", "mul", {c2, b.rnd("s", {3, 1, 1})});
  Value* f = b.input("f", {2, 4});
  Value* mm = b.node("MatMul", "mm", {f, b.rnd("fw", {4, 3})});
  Value* y3 = b.node("Add", "add", {mm, b.rnd("fb", {3})});
  b.g.nodes.back()->attrs["tinyc.activation"] = Attr::Str("Relu");
  b.finish({y1, y2, y3});
  EXPECT_FALSE(b.runSame("fold-batchnorm,fold-mul-add,matmul-add-to-gemm"));
}

// ---- batchnorm-to-affine ------------------------------------------------------------------

TEST(BatchNormToAffine, BecomesMulAndAddWithBroadcastConstants) {
  G b;
  Value* x = b.input("x", {2, 3, 4, 5});
  Value* y = b.bn("bn", x, 3);
  y->name = "y";
  b.finish({y});
  EXPECT_TRUE(b.runSame("batchnorm-to-affine"));
  std::string ir = b.ir();
  EXPECT_EQ(b.count("BatchNormalization"), 0) << ir;
  EXPECT_TRUE(has(ir, "\"y_scale\" : f32[3,1,1]")) << ir;
  EXPECT_TRUE(has(ir, "\"y_shift\" : f32[3,1,1]")) << ir;
  EXPECT_TRUE(has(ir, "= Mul \"bn_scale\"(%")) << ir;
  EXPECT_TRUE(has(ir, "\"y\" : f32[2,3,4,5] = Add \"bn_shift\"(%")) << ir;
}

TEST(BatchNormToAffine, Rank2UsesPerChannelVectors) {
  G b;
  Value* x = b.input("x", {4, 6});
  b.finish({b.node("Relu", "relu", {b.bn("bn", x, 6)})});
  EXPECT_TRUE(b.runSame("batchnorm-to-affine"));
  EXPECT_TRUE(has(b.ir(), "_scale\" : f32[6] =")) << b.ir();
}

// ---- matmul-add-to-gemm -------------------------------------------------------------------

TEST(MatMulAddToGemm, BiasShapes) {
  for (Shape cs : {Shape{3}, Shape{1, 3}, Shape{2, 3}}) {
    G b;
    Value* x = b.input("x", {2, 4});
    Value* mm = b.node("MatMul", "mm", {x, b.rnd("w", {4, 3})});
    Value* c = b.rnd("c", cs);
    Value* y = cs.size() == 2 ? b.node("Add", "add", {c, mm}) : b.node("Add", "add", {mm, c});
    y->name = "y";
    b.finish({y});
    EXPECT_TRUE(b.runSame("matmul-add-to-gemm")) << shapeStr(cs);
    std::string ir = b.ir();
    EXPECT_EQ(b.count("MatMul"), 0) << ir;
    EXPECT_EQ(b.count("Add"), 0) << ir;
    EXPECT_TRUE(has(ir, "\"y\" : f32[2,3] = Gemm \"mm\"(%0, %")) << ir;
  }
}

TEST(MatMulAddToGemm, NegativeCases) {
  {
    G b;  // MatMul read twice
    Value* x = b.input("x", {2, 4});
    Value* mm = b.node("MatMul", "mm", {x, b.rnd("w", {4, 3})});
    b.finish({b.node("Add", "add", {mm, b.rnd("c", {3})}), b.node("Relu", "relu", {mm})});
    EXPECT_FALSE(b.run("matmul-add-to-gemm"));
  }
  {
    G b;  // rank-3 A
    Value* x = b.input("x", {2, 2, 4});
    Value* mm = b.node("MatMul", "mm", {x, b.rnd("w", {4, 3})});
    b.finish({b.node("Add", "add", {mm, b.rnd("c", {3})})});
    EXPECT_FALSE(b.run("matmul-add-to-gemm"));
  }
  {
    G b;  // B not constant
    Value* x = b.input("x", {2, 4});
    Value* mm = b.node("MatMul", "mm", {x, b.input("w", {4, 3})});
    b.finish({b.node("Add", "add", {mm, b.rnd("c", {3})})});
    EXPECT_FALSE(b.run("matmul-add-to-gemm"));
  }
  {
    G b;  // the bias is not constant
    Value* x = b.input("x", {2, 4});
    Value* mm = b.node("MatMul", "mm", {x, b.rnd("w", {4, 3})});
    b.finish({b.node("Add", "add", {mm, b.input("c", {3})})});
    EXPECT_FALSE(b.run("matmul-add-to-gemm"));
  }
  {
    G b;  // the Add broadcasts the product to a larger shape
    Value* x = b.input("x", {2, 4});
    Value* mm = b.node("MatMul", "mm", {x, b.rnd("w", {4, 3})});
    b.finish({b.node("Add", "add", {mm, b.rnd("c", {5, 2, 3})})});
    EXPECT_FALSE(b.run("matmul-add-to-gemm"));
  }
}

// ---- fold-mul-add -------------------------------------------------------------------------

TEST(FoldMulAdd, PerChannelMulThenAddAfterConv) {
  G b;
  Value* x = b.input("x", {1, 2, 5, 5});
  Value* c = b.node("Conv", "conv", {x, b.rnd("w", {3, 2, 3, 3}), b.rnd("bias", {3})}, convAttrs({1, 1, 1, 1}));
  Value* m = b.node("Mul", "mul", {b.rnd("s", {1, 3, 1, 1}), c});
  Value* y = b.node("Add", "add", {m, b.rnd("t", {3, 1, 1})});
  y->name = "y";
  b.finish({y});
  EXPECT_TRUE(b.runSame("fold-mul-add"));
  std::string ir = b.ir();
  EXPECT_EQ(b.count("Mul"), 0) << ir;
  EXPECT_EQ(b.count("Add"), 0) << ir;
  EXPECT_TRUE(has(ir, "\"y\" : f32[1,3,5,5] = Conv \"conv\"")) << ir;
}

TEST(FoldMulAdd, ScalarMulAndAddAfterGemm) {
  G b;
  Value* x = b.input("x", {2, 4});
  Value* gm = b.node("Gemm", "gemm", {x, b.rnd("w", {3, 4}), b.rnd("c", {3})}, {{"transB", Attr::Int(1)}});
  Value* m = b.node("Mul", "mul", {gm, b.rnd("s", {})});
  b.finish({b.node("Relu", "relu", {b.node("Add", "add", {m, b.rnd("t", {1, 3})})})});
  EXPECT_TRUE(b.runSame("fold-mul-add"));
  EXPECT_EQ(b.count("Mul") + b.count("Add"), 0) << b.ir();
}

TEST(FoldMulAdd, NegativeCases) {
  {
    G b;  // varies along a spatial axis
    Value* x = b.input("x", {1, 2, 4, 4});
    Value* c = b.node("Conv", "conv", {x, b.rnd("w", {3, 2, 1, 1})});
    b.finish({b.node("Mul", "mul", {c, b.rnd("s", {1, 1, 1, 4})})});
    EXPECT_FALSE(b.run("fold-mul-add"));
  }
  {
    G b;  // Conv output read twice
    Value* x = b.input("x", {1, 2, 4, 4});
    Value* c = b.node("Conv", "conv", {x, b.rnd("w", {3, 2, 1, 1})});
    b.finish({b.node("Add", "add", {c, b.rnd("t", {3, 1, 1})}), b.node("Relu", "relu", {c})});
    EXPECT_FALSE(b.run("fold-mul-add"));
  }
  {
    G b;  // multiplier not constant
    Value* x = b.input("x", {1, 2, 4, 4});
    Value* c = b.node("Conv", "conv", {x, b.rnd("w", {3, 2, 1, 1})});
    b.finish({b.node("Mul", "mul", {c, b.input("s", {3, 1, 1})})});
    EXPECT_FALSE(b.run("fold-mul-add"));
  }
  {
    G b;  // the constant broadcasts the output to a larger shape
    Value* x = b.input("x", {1, 2, 4, 4});
    Value* c = b.node("Conv", "conv", {x, b.rnd("w", {3, 2, 1, 1})});
    b.finish({b.node("Add", "add", {c, b.rnd("t", {2, 1, 1, 1})})});
    EXPECT_FALSE(b.run("fold-mul-add"));
  }
}

// ---- fold-pad -----------------------------------------------------------------------------

TEST(FoldPad, ZeroPadIntoConvPads) {
  G b;
  Value* x = b.input("x", {1, 2, 5, 6});
  Value* p = b.node("Pad", "pad", {x, b.ints("pads", {0, 0, 1, 2, 0, 0, 2, 1})});
  Value* y = b.node("Conv", "conv", {p, b.rnd("w", {3, 2, 3, 3})}, convAttrs({1, 1, 1, 1}));
  b.finish({y});
  EXPECT_TRUE(b.runSame("fold-pad"));
  std::string ir = b.ir();
  EXPECT_EQ(b.count("Pad"), 0) << ir;
  EXPECT_TRUE(has(ir, "pads=[2,3,3,2]")) << ir;
  EXPECT_TRUE(has(ir, "= Conv \"conv\"(%0, ")) << ir;
}

TEST(FoldPad, ExplicitZeroValueAndAxesIntoConv) {
  G b;
  Value* x = b.input("x", {1, 2, 7});
  Tensor zero(DType::F32, {});
  Value* p = b.node("Pad", "pad", {x, b.ints("pads", {2, 1}), b.cst("zero", zero), b.ints("axes", {-1})});
  b.finish({b.node("Conv", "conv", {p, b.rnd("w", {3, 2, 3})})});
  EXPECT_TRUE(b.runSame("fold-pad"));
  EXPECT_TRUE(has(b.ir(), "pads=[2,1]")) << b.ir();
}

TEST(FoldPad, AveragePoolWithCountIncludePad) {
  G b;
  Value* x = b.input("x", {1, 2, 6, 6});
  Value* p = b.node("Pad", "pad", {x, b.ints("pads", {0, 0, 1, 1, 0, 0, 1, 1})});
  b.finish({b.node("AveragePool", "pool", {p},
                   {{"kernel_shape", Attr::Ints({3, 3})}, {"count_include_pad", Attr::Int(1)},
                    {"pads", Attr::Ints({1, 0, 0, 1})}})});
  EXPECT_TRUE(b.runSame("fold-pad"));
  EXPECT_EQ(b.count("Pad"), 0) << b.ir();
  EXPECT_TRUE(has(b.ir(), "pads=[2,1,1,2]")) << b.ir();
}

TEST(FoldPad, MinusInfinityPadIntoMaxPool) {
  G b;
  Value* x = b.input("x", {1, 2, 6, 6});
  Tensor ninf(DType::F32, {});
  ninf.setF(0, -std::numeric_limits<double>::infinity());
  Value* p = b.node("Pad", "pad", {x, b.ints("pads", {0, 0, 1, 1, 0, 0, 1, 1}), b.cst("ninf", ninf)});
  b.finish({b.node("MaxPool", "pool", {p}, {{"kernel_shape", Attr::Ints({3, 3})}, {"strides", Attr::Ints({2, 2})}})});
  EXPECT_TRUE(b.runSame("fold-pad"));
  EXPECT_EQ(b.count("Pad"), 0) << b.ir();
  EXPECT_TRUE(has(b.ir(), "pads=[1,1,1,1]")) << b.ir();
}

TEST(FoldPad, NegativeCases) {
  auto pads = [](G& b) { return b.ints("pads", {0, 0, 1, 1, 0, 0, 1, 1}); };
  auto conv = [](G& b, Value* in) { return b.node("Conv", "conv", {in, b.rnd("w", {3, 2, 3, 3})}); };
  {
    G b;  // non-zero pad value
    Value* x = b.input("x", {1, 2, 5, 5});
    Tensor one(DType::F32, {});
    one.setF(0, 1);
    b.finish({conv(b, b.node("Pad", "pad", {x, pads(b), b.cst("one", one)}))});
    EXPECT_FALSE(b.run("fold-pad"));
    EXPECT_EQ(b.count("Pad"), 1);
  }
  {
    G b;  // reflect mode
    Value* x = b.input("x", {1, 2, 5, 5});
    b.finish({conv(b, b.node("Pad", "pad", {x, pads(b)}, {{"mode", Attr::Str("reflect")}}))});
    EXPECT_FALSE(b.run("fold-pad"));
  }
  {
    G b;  // pads on the channels
    Value* x = b.input("x", {1, 1, 5, 5});
    b.finish({conv(b, b.node("Pad", "pad", {x, b.ints("pads", {0, 1, 1, 1, 0, 0, 1, 1})}))});
    EXPECT_FALSE(b.run("fold-pad"));
  }
  {
    G b;  // negative pads (cropping)
    Value* x = b.input("x", {1, 2, 6, 6});
    b.finish({conv(b, b.node("Pad", "pad", {x, b.ints("pads", {0, 0, -1, 1, 0, 0, 1, 1})}))});
    EXPECT_FALSE(b.run("fold-pad"));
  }
  {
    G b;  // two users
    Value* x = b.input("x", {1, 2, 5, 5});
    Value* p = b.node("Pad", "pad", {x, pads(b)});
    b.finish({conv(b, p), b.node("Relu", "relu", {p})});
    EXPECT_FALSE(b.run("fold-pad"));
  }
  {
    G b;  // auto_pad on the Conv
    Value* x = b.input("x", {1, 2, 5, 5});
    Value* p = b.node("Pad", "pad", {x, pads(b)});
    b.finish({b.node("Conv", "conv", {p, b.rnd("w", {3, 2, 3, 3})}, {{"auto_pad", Attr::Str("SAME_UPPER")}})});
    EXPECT_FALSE(b.run("fold-pad"));
  }
  {
    G b;  // AveragePool that does not count the pads
    Value* x = b.input("x", {1, 2, 5, 5});
    b.finish({b.node("AveragePool", "pool", {b.node("Pad", "pad", {x, pads(b)})},
                     {{"kernel_shape", Attr::Ints({3, 3})}})});
    EXPECT_FALSE(b.run("fold-pad"));
  }
  {
    G b;  // zero padding before MaxPool is visible in the maximum
    Value* x = b.input("x", {1, 2, 5, 5});
    b.finish({b.node("MaxPool", "pool", {b.node("Pad", "pad", {x, pads(b)})}, {{"kernel_shape", Attr::Ints({3, 3})}})});
    EXPECT_FALSE(b.run("fold-pad"));
  }
}

// ---- merge-views --------------------------------------------------------------------------

TEST(MergeViews, ChainBecomesOneReshape) {
  G b;
  Value* x = b.input("x", {2, 3, 4});
  Value* r = b.node("Reshape", "r", {x, b.ints("s", {6, -1})});
  Value* f = b.node("Flatten", "f", {r}, {{"axis", Attr::Int(0)}});
  Value* u = b.node("Unsqueeze", "u", {f, b.ints("ax", {0})});
  Value* y = b.node("Squeeze", "sq", {u, b.ints("ax2", {1})});
  y->name = "y";
  b.finish({y});
  EXPECT_TRUE(b.runSame("merge-views"));
  std::string ir = b.ir();
  EXPECT_EQ(b.count("Reshape"), 1) << ir;
  EXPECT_EQ(b.g.nodes.size(), 1u) << ir;
  EXPECT_TRUE(has(ir, "\"y\" : f32[1,24] = Reshape \"sq\"(%0, %")) << ir;
  EXPECT_TRUE(has(ir, "i64[2] = {1, 24}")) << ir;
  EXPECT_FALSE(b.run("merge-views"));
}

TEST(MergeViews, ReshapeToTheSameShapeIsRemoved) {
  G b;
  Value* x = b.input("x", {2, 3});
  Value* r = b.node("Relu", "relu", {x});
  Value* y = b.node("Reshape", "same", {r, b.ints("s", {2, 3})});
  y->name = "y";
  b.finish({y});
  EXPECT_TRUE(b.runSame("merge-views"));
  EXPECT_EQ(b.count("Reshape"), 0) << b.ir();
  EXPECT_TRUE(has(b.ir(), "\"y\" : f32[2,3] = Relu")) << b.ir();
}

TEST(MergeViews, ViewsBackToTheInputShapeVanish) {
  G b;
  Value* x = b.input("x", {2, 3});
  Value* u = b.node("Unsqueeze", "u", {b.node("Exp", "exp", {x}), b.ints("ax", {1})});
  b.finish({b.node("Relu", "relu", {b.node("Squeeze", "s", {u, b.ints("ax2", {1})})})});
  EXPECT_TRUE(b.runSame("merge-views"));
  EXPECT_EQ(b.g.nodes.size(), 2u) << b.ir();
}

TEST(MergeViews, GraphInputToGraphOutputKeepsOneNode) {
  G b;
  Value* x = b.input("x", {2, 3});
  Value* y = b.node("Reshape", "same", {x, b.ints("s", {3, 2})});
  b.finish({b.node("Reshape", "back", {y, b.ints("s2", {2, 3})})});
  EXPECT_TRUE(b.runSame("merge-views"));
  EXPECT_EQ(b.g.nodes.size(), 1u) << b.ir();  // x -> output needs a node
}

TEST(MergeViews, TransposesCompose) {
  G b;
  Value* x = b.input("x", {2, 3, 4});
  Value* t1 = b.node("Transpose", "t1", {x}, {{"perm", Attr::Ints({1, 2, 0})}});
  Value* y = b.node("Transpose", "t2", {t1}, {{"perm", Attr::Ints({0, 2, 1})}});
  b.finish({y});
  EXPECT_TRUE(b.runSame("merge-views"));
  std::string ir = b.ir();
  EXPECT_EQ(b.count("Transpose"), 1) << ir;
  EXPECT_TRUE(has(ir, "f32[3,2,4] = Transpose \"t2\"(%0) {perm=[1,0,2]}")) << ir;
}

TEST(MergeViews, InverseTransposesVanish) {
  G b;
  Value* x = b.input("x", {2, 3, 4});
  Value* e = b.node("Exp", "exp", {x});
  Value* t1 = b.node("Transpose", "t1", {e}, {{"perm", Attr::Ints({2, 0, 1})}});
  Value* y = b.node("Transpose", "t2", {t1}, {{"perm", Attr::Ints({1, 2, 0})}});
  y->name = "y";
  b.finish({y});
  EXPECT_TRUE(b.runSame("merge-views"));
  EXPECT_EQ(b.count("Transpose"), 0) << b.ir();
  EXPECT_TRUE(has(b.ir(), "\"y\" : f32[2,3,4] = Exp")) << b.ir();
}

TEST(MergeViews, NegativeCases) {
  {
    G b;  // the inner view has two users
    Value* x = b.input("x", {2, 3, 4});
    Value* r = b.node("Reshape", "r", {x, b.ints("s", {6, 4})});
    b.finish({b.node("Flatten", "f", {r}, {{"axis", Attr::Int(0)}}), b.node("Relu", "relu", {r})});
    EXPECT_FALSE(b.run("merge-views"));
    EXPECT_EQ(b.count("Reshape") + b.count("Flatten"), 2);
  }
  {
    G b;  // Transpose whose input is read twice
    Value* x = b.input("x", {2, 3});
    Value* t1 = b.node("Transpose", "t1", {x});
    b.finish({b.node("Transpose", "t2", {t1}), b.node("Relu", "relu", {t1})});
    EXPECT_FALSE(b.run("merge-views"));
  }
  {
    G b;  // a view between other ops
    Value* x = b.input("x", {2, 3});
    b.finish({b.node("Relu", "relu", {b.node("Reshape", "r", {x, b.ints("s", {3, 2})})})});
    EXPECT_FALSE(b.run("merge-views"));
  }
}

// ---- pipeline ---------------------------------------------------------------------------------

TEST(FusionPipeline, O2FoldsAConvBlock) {
  G b;
  Value* x = b.input("x", {1, 3, 8, 8});
  Value* p = b.node("Pad", "pad", {x, b.ints("pads", {0, 0, 1, 1, 0, 0, 1, 1})});
  Value* c = b.node("Conv", "conv", {p, b.rnd("w", {4, 3, 3, 3})});
  Value* r = b.node("Relu", "relu", {b.bn("bn", c, 4)});
  Value* f = b.node("Flatten", "flat", {r});
  Value* mm = b.node("MatMul", "fc", {f, b.rnd("fw", {256, 5})});
  Value* a = b.node("Add", "fc_b", {mm, b.rnd("fb", {5})});
  b.finish({b.bn("bn2", a, 5)});
  EXPECT_TRUE(b.runSame(pipelineForLevel(2)));
  std::string ir = b.ir();
  EXPECT_EQ(b.g.nodes.size(), 3u) << ir;  // Conv (Relu fused), Flatten, Gemm
  EXPECT_EQ(b.count("Gemm"), 1) << ir;
  for (const char* pass : {"fold-batchnorm", "batchnorm-to-affine", "matmul-add-to-gemm", "fold-mul-add",
                           "fold-pad", "merge-views"}) {
    EXPECT_TRUE(findPass(pass)) << pass;
    EXPECT_NE(pipelineForLevel(2).find(pass), std::string::npos) << pass;
  }
}

TEST(FusionPipeline, O2FoldsBiasAddBatchNormAndScaleIntoOneConv) {
  // Conv -> Add(bias) -> BatchNormalization -> Mul(scale) -> Add(shift): one Conv at -O2.
  G b;
  Value* x = b.input("x", {1, 2, 6, 6});
  Value* c = b.node("Conv", "conv", {x, b.rnd("w", {3, 2, 3, 3})}, convAttrs({1, 1, 1, 1}));
  Value* a = b.node("Add", "bias", {c, b.rnd("bias", {3, 1, 1})});
  Value* n = b.bn("bn", a, 3);
  Value* m = b.node("Mul", "scale", {n, b.rnd("s", {3, 1, 1})});
  Value* y = b.node("Add", "shift", {m, b.rnd("t", {})});
  y->name = "y";
  b.finish({y});
  EXPECT_TRUE(b.runSame(pipelineForLevel(2)));
  EXPECT_EQ(b.g.nodes.size(), 1u) << b.ir();
  EXPECT_TRUE(has(b.ir(), "\"y\" : f32[1,3,6,6] = Conv \"conv\"")) << b.ir();
}

}  // namespace
}  // namespace tinyc
