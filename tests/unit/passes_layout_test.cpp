// The layout pass: channels-last spatial ops for NHWC targets with transposes only at the graph
// boundary, --io-layout, and the cases that must keep their transposes. Every rewrite is also
// checked numerically (interpreter before vs after on seeded random inputs).
#include <gtest/gtest.h>

#include "ops/layout.h"
#include "pass_test_util.h"

namespace tinyc {
namespace {

const char* kPipeline = "layout,merge-views,dce";

AttrMap pads1() { return {{"pads", Attr::Ints({1, 1, 1, 1})}}; }

int channelsLastNodes(const Graph& g) {
  int n = 0;
  for (const auto& node : g.nodes) n += isChannelsLast(*node);
  return n;
}

// x[1,3,8,8] -> Conv 3x2 (pads) -> Relu -> MaxPool 2x2/2 -> Conv 1x1 -> y[1,6,4,4]
void convChain(G& b) {
  Value* x = b.input("x", {1, 3, 8, 8});
  AttrMap ca{{"pads", Attr::Ints({1, 0, 1, 1})}};
  Value* c1 = b.node("Conv", "conv1", {x, b.rnd("w1", {4, 3, 3, 2}), b.rnd("b1", {4})}, ca);
  Value* r = b.node("Relu", "relu", {c1});
  Value* p = b.node("MaxPool", "pool", {r}, {{"kernel_shape", Attr::Ints({2, 2})}, {"strides", Attr::Ints({2, 2})}});
  Value* y = b.node("Conv", "conv2", {p, b.rnd("w2", {6, 4, 1, 1})});
  y->name = "y";
  b.finish({y});
}

TEST(Layout, ConvChainRunsChannelsLastWithTransposesOnlyAtTheBoundary) {
  G b;
  b.options.layout = kLayoutNhwc;
  convChain(b);
  const Tensor w1 = *b.g.values[1]->constant;  // "w1" [4,3,3,2] (OIHW)
  ASSERT_EQ(b.g.values[1]->name, "w1");
  EXPECT_TRUE(b.runSame(kPipeline));
  const std::string ir = b.ir();
  EXPECT_EQ(channelsLastNodes(b.g), 3) << ir;  // conv1, pool, conv2
  EXPECT_EQ(b.count("Transpose"), 1) << ir;    // y back to NCHW; conv1 reads x channels-first
  EXPECT_TRUE(has(ir, "tinyc.nchw_input")) << ir;
  EXPECT_TRUE(has(ir, "\"w1_nhwc\" : f32[4,3,2,3]")) << ir;  // OHWI
  EXPECT_TRUE(has(ir, "= Relu \"relu\"")) << ir;
  // The graph's I/O is unchanged.
  EXPECT_EQ(b.g.inputs[0]->shape, (Shape{1, 3, 8, 8}));
  EXPECT_EQ(b.g.outputs[0]->shape, (Shape{1, 6, 4, 4}));
  EXPECT_EQ(b.g.outputs[0]->name, "y");
  // Weights permuted at compile time: w1_nhwc[o][h][w][i] == w1[o][i][h][w].
  const Tensor* wn = nullptr;
  for (const auto& v : b.g.values)
    if (v->name == "w1_nhwc") wn = v->constant.get();
  ASSERT_NE(wn, nullptr);
  for (int64_t o = 0; o < 4; ++o)
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t h = 0; h < 3; ++h)
        for (int64_t w = 0; w < 2; ++w)
          ASSERT_EQ(wn->getF(((o * 3 + h) * 2 + w) * 3 + i), w1.getF(((o * 3 + i) * 3 + h) * 2 + w));
}

TEST(Layout, NothingChangesForChannelsFirstTargets) {
  G b;
  convChain(b);
  const std::string before = b.ir();
  EXPECT_FALSE(b.run("layout"));
  EXPECT_EQ(b.ir(), before);
}

TEST(Layout, TransposesMoveThroughResidualAddAndPerChannelConstants) {
  G b;
  b.options.layout = kLayoutNhwc;
  Value* x = b.input("x", {1, 4, 6, 6});
  Value* c1 = b.node("Conv", "conv1", {x, b.rnd("w1", {4, 4, 3, 3})}, pads1());
  Value* c2 = b.node("Conv", "conv2", {c1, b.rnd("w2", {4, 4, 3, 3})}, pads1());
  Value* sum = b.node("Add", "residual", {c1, c2});
  Value* scaled = b.node("Mul", "scale", {sum, b.rnd("s", {4, 1, 1})});
  Value* clipped = b.node("Clip", "clip", {scaled, b.rnd("lo", {}), b.rnd("hi", {}, 1, 2)});
  Value* y = b.node("Conv", "conv3", {clipped, b.rnd("w3", {2, 4, 1, 1})});
  b.finish({y});
  EXPECT_TRUE(b.runSame(kPipeline));
  const std::string ir = b.ir();
  EXPECT_EQ(b.count("Transpose"), 1) << ir;  // y out (conv1 reads x channels-first)
  EXPECT_TRUE(has(ir, "\"s_nhwc\" : f32[1,1,1,4]")) << ir;  // per-channel constant permuted
  EXPECT_TRUE(has(ir, "\"lo\" : f32[] ")) << ir;            // scalars stay as they are
}

TEST(Layout, SqueezeExcitationScalesAreReshapedNotTransposed) {
  G b;
  b.options.layout = kLayoutNhwc;
  Value* x = b.input("x", {1, 3, 6, 6});
  Value* c = b.node("Conv", "conv", {x, b.rnd("w", {8, 3, 3, 3})}, pads1());
  Value* gap = b.node("GlobalAveragePool", "gap", {c});
  Value* fc = b.node("Conv", "fc", {gap, b.rnd("wf", {8, 8, 1, 1}), b.rnd("bf", {8})});
  Value* se = b.node("Sigmoid", "sigmoid", {fc});                  // [1,8,1,1], computed
  Value* flat = b.node("Reshape", "flat", {se, b.ints("s3", {8, 1, 1})});  // [8,1,1]
  Value* scaled = b.node("Mul", "excite", {c, flat});
  Value* y = b.node("Conv", "conv2", {scaled, b.rnd("w2", {4, 8, 1, 1})});
  b.finish({y});
  EXPECT_TRUE(b.runSame(kPipeline));
  const std::string ir = b.ir();
  EXPECT_EQ(b.count("Transpose"), 1) << ir;  // y out: none around the Mul, none for x (read channels-first)
  EXPECT_TRUE(has(ir, "Mul \"excite\"")) << ir;
}

TEST(Layout, ConcatAlongChannelsBecomesConcatAlongTheLastAxis) {
  G b;
  b.options.layout = kLayoutNhwc;
  Value* x = b.input("x", {1, 2, 5, 5});
  Value* c1 = b.node("Conv", "conv1", {x, b.rnd("w1", {3, 2, 1, 1})});
  Value* c2 = b.node("Conv", "conv2", {x, b.rnd("w2", {2, 2, 3, 3})}, pads1());
  Value* cat = b.node("Concat", "cat", {c1, c2}, {{"axis", Attr::Int(1)}});
  Value* y = b.node("AveragePool", "pool", {cat}, {{"kernel_shape", Attr::Ints({3, 3})}, {"pads", Attr::Ints({1, 1, 1, 1})},
                                                   {"count_include_pad", Attr::Int(1)}});
  b.finish({y});
  EXPECT_TRUE(b.runSame(kPipeline));
  const std::string ir = b.ir();
  EXPECT_EQ(b.count("Transpose"), 1) << ir;  // y out; both Convs read x channels-first
  EXPECT_TRUE(has(ir, "Concat \"cat\"")) << ir;
  EXPECT_TRUE(has(ir, "{axis=3}")) << ir;
}

TEST(Layout, LayoutSensitiveOpsKeepTheirTransposes) {
  G b;
  b.options.layout = kLayoutNhwc;
  Value* x = b.input("x", {1, 3, 4, 4});
  Value* c1 = b.node("Conv", "conv1", {x, b.rnd("w1", {5, 3, 3, 3})}, pads1());
  Value* sm = b.node("Softmax", "softmax", {c1}, {{"axis", Attr::Int(1)}});  // along channels: not layout-free
  Value* y = b.node("Conv", "conv2", {sm, b.rnd("w2", {2, 5, 3, 3})}, pads1());
  Value* pi = b.node("MaxPool", "pool_idx", {y}, {{"kernel_shape", Attr::Ints({2, 2})}}, 2);  // Indices: NCHW only
  b.finish({pi, b.g.nodes.back()->outputs[1]});
  EXPECT_TRUE(b.runSame(kPipeline));
  const std::string ir = b.ir();
  EXPECT_EQ(channelsLastNodes(b.g), 2) << ir;  // the two convs, not the pool with Indices
  EXPECT_EQ(b.count("Transpose"), 3) << ir;    // around Softmax (2), before the pool
}

TEST(Layout, FlattenIntoGemmFoldsThePermutationIntoTheWeights) {
  G b;
  b.options.layout = kLayoutNhwc;
  Value* x = b.input("x", {1, 2, 6, 6});
  Value* c = b.node("Conv", "conv", {x, b.rnd("w", {3, 2, 3, 3})}, pads1());
  Value* f = b.node("Flatten", "flatten", {c}, {{"axis", Attr::Int(1)}});
  Value* y = b.node("Gemm", "fc", {f, b.rnd("fcw", {10, 108}), b.rnd("fcb", {10})}, {{"transB", Attr::Int(1)}});
  Value* y2 = b.node("MatMul", "fc2", {f, b.rnd("fcw2", {108, 4})});
  b.finish({y, y2});
  EXPECT_TRUE(b.runSame(kPipeline));
  const std::string ir = b.ir();
  EXPECT_EQ(b.count("Transpose"), 0) << ir;  // (x read channels-first by the Conv)
  EXPECT_TRUE(has(ir, "\"fcw_hwc\" : f32[10,108]")) << ir;
  EXPECT_TRUE(has(ir, "\"fcw2_hwc\" : f32[108,4]")) << ir;
}

TEST(Layout, Int8WeightsBehindDequantizeLinearArePermutedAtCompileTime) {
  G b;
  b.options.layout = kLayoutNhwc;
  Value* x = b.input("x", {1, 3, 5, 5});
  Tensor q(DType::I8, {4, 3, 3, 3});
  for (int64_t i = 0; i < q.numel(); ++i) q.setI(i, (i * 37) % 255 - 127);
  Value* wq = b.cst("wq", q);
  Value* w = b.node("DequantizeLinear", "dq", {wq, b.rnd("scale", {4}, 0.01, 0.1)}, {{"axis", Attr::Int(0)}});
  Value* y = b.node("Conv", "conv", {x, w}, pads1());
  b.finish({y});
  EXPECT_TRUE(b.runSame(kPipeline));
  const std::string ir = b.ir();
  EXPECT_EQ(b.count("Transpose"), 1) << ir;  // y only (x read channels-first); the weights are not transposed at run time
  EXPECT_TRUE(has(ir, "\"wq_nhwc\" : i8[4,3,3,3]")) << ir;  // still int8, permuted (OHWI)
  EXPECT_TRUE(has(ir, "\"scale\" : f32[4]")) << ir;          // per-axis scale unchanged
  EXPECT_TRUE(has(ir, "DequantizeLinear \"dq_nhwc\"(%")) << ir;
  EXPECT_TRUE(has(ir, "{axis=0")) << ir;  // output channels stay axis 0 in OHWI
}

TEST(Layout, IoLayoutNhwcTakesAndGivesChannelsLastTensors) {
  G ref, b;
  convChain(ref);
  b.options.layout = kLayoutNhwc;
  b.options.ioLayout = kLayoutNhwc;
  convChain(b);
  EXPECT_TRUE(b.run(kPipeline));
  const std::string ir = b.ir();
  EXPECT_EQ(b.count("Transpose"), 0) << ir;
  EXPECT_EQ(b.g.inputs[0]->name, "x");
  EXPECT_EQ(b.g.inputs[0]->shape, (Shape{1, 8, 8, 3}));
  EXPECT_EQ(b.g.outputs[0]->name, "y");
  EXPECT_EQ(b.g.outputs[0]->shape, (Shape{1, 4, 4, 6}));
  ASSERT_EQ(b.g.inputLayouts.size(), 1u);
  EXPECT_EQ(b.g.inputLayouts[0], kLayoutNhwc);
  EXPECT_EQ(b.g.outputLayouts[0], kLayoutNhwc);
  auto ins = ref.inputs();
  auto want = Interpreter(ref.g).run(ins);
  auto got = Interpreter(b.g).run({permuteTensor(ins[0], channelsLastPerm(4))});
  Comparison c = compareTensors(permuteTensor(got[0], channelsFirstPerm(4)), want[0], {1e-5, 1e-5, true});
  EXPECT_TRUE(c.ok) << c.why;
}

TEST(Layout, IoLayoutAloneOnAChannelsFirstTargetConvertsAtTheBoundary) {
  G b;
  b.options.ioLayout = kLayoutNhwc;
  convChain(b);
  EXPECT_TRUE(b.run(kPipeline));
  EXPECT_EQ(channelsLastNodes(b.g), 0);
  EXPECT_EQ(b.count("Transpose"), 2) << b.ir();
  EXPECT_EQ(b.g.inputs[0]->shape, (Shape{1, 8, 8, 3}));
}

TEST(Layout, ChannelsLastNodesInferEvaluateAndCountLikeTheirChannelsFirstForm) {
  // The twin mechanism: MACs of a channels-last Conv equal those of the original.
  G a, b;
  b.options.layout = kLayoutNhwc;
  convChain(a);
  convChain(b);
  b.run("layout");
  int64_t ma = 0, mb = 0;
  for (const auto& n : a.g.nodes) ma += nodeMacs(*n);
  for (const auto& n : b.g.nodes) mb += nodeMacs(*n);
  EXPECT_EQ(ma, mb);
  EXPECT_EQ(ma, 4 * 3 * 3 * 2 * 8 * 8 + 6 * 4 * 4 * 4);  // conv1 (8x8 out) + conv2 (4x4 out)
}


TEST(Layout, FirstConvReadsTheGraphInputChannelsFirst) {
  // No channels-last copy of x: conv1 reads it where it is (tinyc.nchw_input); a grouped Conv or
  // another op reading x keeps the Transpose.
  G b;
  b.options.layout = kLayoutNhwc;
  Value* x = b.input("x", {1, 4, 7, 6});
  Value* c1 = b.node("Conv", "conv1", {x, b.rnd("w1", {5, 4, 3, 3}), b.rnd("b1", {5})},
                     {{"pads", Attr::Ints({1, 0, 1, 2})}, {"strides", Attr::Ints({2, 1})}});
  Value* y = b.node("Conv", "conv2", {c1, b.rnd("w2", {3, 5, 1, 1})});
  b.finish({y});
  EXPECT_TRUE(b.runSame(kPipeline));
  std::string ir = b.ir();
  EXPECT_EQ(b.count("Transpose"), 1) << ir;
  int nchw = 0;
  for (const auto& n : b.g.nodes) nchw += readsChannelsFirst(*n);
  EXPECT_EQ(nchw, 1) << ir;

  G d;
  d.options.layout = kLayoutNhwc;
  Value* x2 = d.input("x", {1, 4, 6, 6});
  Value* g1 = d.node("Conv", "grouped", {x2, d.rnd("w1", {4, 2, 3, 3})}, {{"group", Attr::Int(2)}, {"pads", Attr::Ints({1, 1, 1, 1})}});
  Value* g2 = d.node("Conv", "plain", {x2, d.rnd("w2", {4, 4, 1, 1})});
  Value* sum = d.node("Add", "sum", {g1, g2});
  d.finish({sum});
  EXPECT_TRUE(d.runSame(kPipeline));
  ir = d.ir();
  EXPECT_FALSE(has(ir, "tinyc.nchw_input")) << ir;  // x's copy is needed by the grouped Conv anyway
}

TEST(Layout, ResizeRunsChannelsLastWithItsPerAxisInputsReordered) {
  // A decoder's upsampling between channels-last layers: Resize is separable per axis, so its
  // roi, scales and sizes are reordered instead of transposing the data around it; with the
  // axes attribute (opset 18) it keeps its transposes.
  for (const std::string mode : {"nearest", "linear"}) {
    G b;
    b.options.layout = kLayoutNhwc;
    Value* x = b.input("x", {1, 3, 5, 4});
    Value* c1 = b.node("Conv", "conv1", {x, b.rnd("w1", {6, 3, 3, 3})}, pads1());
    Tensor scales(DType::F32, {4});
    const float sv[4] = {1, 1, 2, 1.5f};
    for (int64_t i = 0; i < 4; ++i) scales.setF(i, sv[i]);
    Tensor roi(DType::F32, {0});
    Value* up = b.node("Resize", "up", {c1, b.cst("roi", roi), b.cst("scales", scales)}, {{"mode", Attr::Str(mode)}});
    Value* y = b.node("Conv", "conv2", {up, b.rnd("w2", {2, 6, 3, 3})}, pads1());
    b.finish({y});
    EXPECT_TRUE(b.runSame(kPipeline)) << mode;
    const std::string ir = b.ir();
    EXPECT_EQ(b.count("Transpose"), 1) << ir;  // y out only
    EXPECT_TRUE(has(ir, "\"scales_nhwc\" : f32[4] = {1, 2, 1.5, 1}")) << ir;  // N H W C
    EXPECT_EQ(b.g.outputs[0]->shape, (Shape{1, 2, 10, 6}));
  }
  G d;
  d.options.layout = kLayoutNhwc;
  Value* x = d.input("x", {1, 3, 5, 4});
  Value* c1 = d.node("Conv", "conv1", {x, d.rnd("w1", {6, 3, 3, 3})}, pads1());
  Tensor scales(DType::F32, {2});
  scales.setF(0, 2);
  scales.setF(1, 2);
  Value* up = d.node("Resize", "up", {c1, nullptr, d.cst("scales", scales)}, {{"axes", Attr::Ints({2, 3})}});
  Value* y = d.node("Conv", "conv2", {up, d.rnd("w2", {2, 6, 3, 3})}, pads1());
  d.finish({y});
  EXPECT_TRUE(d.runSame(kPipeline));
  EXPECT_EQ(d.count("Transpose"), 3) << d.ir();  // around the Resize, and y out
}

}  // namespace
}  // namespace tinyc
