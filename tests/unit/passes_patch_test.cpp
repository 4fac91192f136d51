// The patch pass (passes/patch.cpp): the first stage computed in strips gives the same outputs
// (within float rounding; bit for bit on these small fixed graphs), channels-first and channels-last, at stride 2, padding, dilation, depthwise,
// residual Adds and pools on the strips' borders.
#include <cstring>

#include "ops/layout.h"
#include "pass_test_util.h"

namespace tinyc {
namespace {

// x -> conv 3x3 s2 (asymmetric pads) -> depthwise 3x3 dilation 2 -> Relu -> conv 1x1 -> Add(conv1)
//   -> MaxPool 3x3 p1 -> AveragePool 2x2 s2 (count_include_pad, end pads) -> GlobalAveragePool.
void build(G& b) {
  Value* x = b.input("x", {1, 3, 23, 17});
  Value* c1 = b.node("Conv", "conv1", {x, b.rnd("w1", {8, 3, 3, 3}), b.rnd("b1", {8})},
                     {{"pads", Attr::Ints({1, 1, 0, 0})}, {"strides", Attr::Ints({2, 2})}});
  Value* dw = b.node("Conv", "dw", {c1, b.rnd("w2", {8, 1, 3, 3}), b.rnd("b2", {8})},
                     {{"pads", Attr::Ints({2, 2, 2, 2})}, {"dilations", Attr::Ints({2, 2})}, {"group", Attr::Int(8)}});
  Value* r = b.node("Relu", "relu", {dw});
  Value* pw = b.node("Conv", "pw", {r, b.rnd("w3", {8, 8, 1, 1})});
  Value* add = b.node("Add", "residual", {pw, c1});
  Value* mp = b.node("MaxPool", "maxpool", {add}, {{"kernel_shape", Attr::Ints({3, 3})}, {"pads", Attr::Ints({1, 1, 1, 1})}});
  Value* ap = b.node("AveragePool", "avgpool", {mp},
                     {{"kernel_shape", Attr::Ints({2, 2})}, {"strides", Attr::Ints({2, 2})},
                      {"pads", Attr::Ints({0, 0, 1, 1})}, {"count_include_pad", Attr::Int(1)}});
  Value* gp = b.node("GlobalAveragePool", "gap", {ap});
  b.finish({gp});
}

bool identical(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() && std::memcmp(a.raw(), b.raw(), a.byteSize()) == 0;
}

TEST(Patch, StripsGiveTheSameOutputsBitForBit) {
  for (const char* layout : {"NCHW", kLayoutNhwc}) {
    for (int n : {2, 3, 5}) {
      G b;
      b.options.layout = layout;
      build(b);
      const auto ins = b.inputs();
      b.run("layout,merge-views,dce");
      const auto before = Interpreter(b.g).run(ins);
      b.options.patch = n;
      EXPECT_TRUE(b.run("patch")) << layout << " " << n;
      const std::string ir = b.ir();
      // The convolutions run once per strip (the cut is the pass's choice: after the residual
      // Add or a pool); one Concat joins the strips.
      EXPECT_EQ(b.count("Concat"), 1) << ir;
      EXPECT_EQ(b.count("Conv"), 3 * n) << ir;
      const auto after = Interpreter(b.g).run(ins);
      ASSERT_EQ(before.size(), after.size());
      for (size_t i = 0; i < before.size(); ++i) EXPECT_TRUE(identical(before[i], after[i])) << layout << " " << n << " output " << i << "\n" << ir;
    }
  }
}

TEST(Patch, AOneChannelInputMadeChannelsLastByAReshapeJoinsTheStage) {
  // On channels-last targets the layout change of a 1-channel input (a grayscale image, a
  // spectrogram) is a Reshape that moves a unit dim; the stage goes through it (its strips
  // reshape their own rows) instead of stopping before the first convolution.
  G b;
  b.options.layout = kLayoutNhwc;
  Value* x = b.input("x", {1, 1, 19, 12});
  Value* c1 = b.node("Conv", "conv1", {x, b.rnd("w1", {8, 1, 3, 3}), b.rnd("b1", {8})}, {{"pads", Attr::Ints({1, 1, 1, 1})}});
  Value* c2 = b.node("Conv", "conv2", {c1, b.rnd("w2", {4, 8, 3, 3})}, {{"strides", Attr::Ints({2, 2})}});
  Value* gp = b.node("GlobalAveragePool", "gap", {c2});
  b.finish({gp});
  const auto ins = b.inputs();
  b.run("layout,merge-views,dce");
  ASSERT_EQ(b.count("Reshape"), 2) << b.ir();  // x in, and the pooled [1,1,1,4] out
  const auto before = Interpreter(b.g).run(ins);
  b.options.patch = 3;
  EXPECT_TRUE(b.run("patch")) << b.ir();
  const std::string ir = b.ir();
  EXPECT_EQ(b.count("Reshape"), 4) << ir;  // one per strip, and the pooled one
  EXPECT_EQ(b.count("Conv"), 6) << ir;
  const auto after = Interpreter(b.g).run(ins);
  // (within float rounding: the interpreter's GEMM may sum a strip's narrower product in
  // another order)
  const Comparison cmp = compareTensors(after[0], before[0], {1e-6, 1e-6, true});
  EXPECT_TRUE(cmp.ok) << cmp.why << "\n" << ir;
}

TEST(Patch, AutoAlsoRunsALaterStageInStrips) {
  // A first stage would stop at the squeeze-excitation block (its global pool is not local); the
  // peak lies in the inverted bottleneck after it, whose expansion auto runs in strips as a later
  // stage that reads the projection before it as a source held whole.
  for (const char* layout : {"NCHW", kLayoutNhwc}) {
    G b;
    b.options.layout = layout;
    Value* x = b.input("x", {1, 3, 32, 32});
    Value* stem = b.node("Conv", "stem", {x, b.rnd("w0", {8, 3, 3, 3}), b.rnd("b0", {8})},
                         {{"pads", Attr::Ints({1, 1, 1, 1})}, {"strides", Attr::Ints({2, 2})}});
    Value* gap = b.node("GlobalAveragePool", "se_pool", {stem});
    Value* fc = b.node("Conv", "se_fc", {gap, b.rnd("wf", {8, 8, 1, 1}), b.rnd("bf", {8})});
    Value* sig = b.node("Sigmoid", "se_gate", {fc});
    Value* se = b.node("Mul", "se_scale", {stem, sig});
    Value* proj = b.node("Conv", "project1", {se, b.rnd("w1", {8, 8, 1, 1})});
    Value* exp = b.node("Conv", "expand", {proj, b.rnd("w2", {64, 8, 1, 1}), b.rnd("b2", {64})});
    Value* r = b.node("Relu", "relu", {exp});
    Value* dw = b.node("Conv", "dw", {r, b.rnd("w3", {64, 1, 3, 3})},
                       {{"pads", Attr::Ints({1, 1, 1, 1})}, {"strides", Attr::Ints({2, 2})}, {"group", Attr::Int(64)}});
    Value* y = b.node("Conv", "project2", {dw, b.rnd("w4", {8, 64, 1, 1})});
    b.finish({b.node("GlobalAveragePool", "head", {y})});
    const auto ins = b.inputs();
    b.run("layout,merge-views,dce");
    const auto before = Interpreter(b.g).run(ins);
    b.options.patch = -1;
    EXPECT_TRUE(b.run("patch")) << layout << "\n" << b.ir();
    const std::string ir = b.ir();
    EXPECT_EQ(b.count("Concat"), 1) << layout << "\n" << ir;  // one stage in strips: the later one
    EXPECT_TRUE(has(ir, "\"expand_patch1\"")) << ir;
    EXPECT_FALSE(has(ir, "\"stem_patch0\"")) << ir;  // (the stem's output is small: no first stage)
    const auto after = Interpreter(b.g).run(ins);
    const Comparison cmp = compareTensors(after[0], before[0], {1e-6, 1e-6, true});
    EXPECT_TRUE(cmp.ok) << layout << " " << cmp.why << "\n" << ir;
  }
}

TEST(Patch, PoolsOnTheStripBorders) {
  for (const char* layout : {"NCHW", kLayoutNhwc}) {
    for (int n : {2, 3, 4}) {
      G b;
      b.options.layout = layout;
      Value* x = b.input("x", {1, 4, 21, 20});
      Value* mp = b.node("MaxPool", "maxpool", {x}, {{"kernel_shape", Attr::Ints({3, 3})}, {"pads", Attr::Ints({1, 1, 1, 1})}});
      Value* ap = b.node("AveragePool", "avgpool", {mp},
                         {{"kernel_shape", Attr::Ints({3, 3})}, {"strides", Attr::Ints({2, 2})},
                          {"pads", Attr::Ints({1, 1, 0, 0})}, {"count_include_pad", Attr::Int(1)}});
      Value* c = b.node("Conv", "conv", {ap, b.rnd("w", {2, 4, 3, 3})}, {{"strides", Attr::Ints({2, 2})}});
      b.finish({b.node("GlobalAveragePool", "gap", {c})});
      const auto ins = b.inputs();
      b.run("layout,merge-views,dce");
      const auto before = Interpreter(b.g).run(ins);
      b.options.patch = n;
      EXPECT_TRUE(b.run("patch"));
      EXPECT_EQ(b.count("MaxPool"), n) << b.ir();
      EXPECT_EQ(b.count("AveragePool"), n) << b.ir();
      const auto after = Interpreter(b.g).run(ins);
      EXPECT_TRUE(identical(before[0], after[0])) << layout << " " << n << "\n" << b.ir();
    }
  }
}

TEST(Patch, AutoLeavesAGraphWhosePeakIsLate) {
  // The peak is the last 1x1 expansion at full resolution: the stage before it cannot lower it.
  G b;
  Value* x = b.input("x", {1, 2, 16, 16});
  Value* c1 = b.node("Conv", "conv1", {x, b.rnd("w1", {2, 2, 3, 3})}, {{"pads", Attr::Ints({1, 1, 1, 1})}});
  Value* c2 = b.node("Conv", "expand", {c1, b.rnd("w2", {32, 2, 1, 1})});
  Value* gp = b.node("GlobalAveragePool", "gap", {c2});
  b.finish({gp});
  b.options.patch = -1;
  EXPECT_FALSE(b.run("patch")) << b.ir();
  // Forced, it still computes the same outputs.
  const auto ins = b.inputs();
  const auto before = Interpreter(b.g).run(ins);
  b.options.patch = 4;
  EXPECT_TRUE(b.run("patch"));
  const auto after = Interpreter(b.g).run(ins);
  EXPECT_TRUE(identical(before[0], after[0])) << b.ir();
}

TEST(Patch, AutoCutsWhereTheEarlyPeakIs) {
  // A large early tensor (an 8x expansion at full resolution) that a stride-2 layer then shrinks.
  G b;
  Value* x = b.input("x", {1, 3, 32, 32});
  Value* c1 = b.node("Conv", "expand", {x, b.rnd("w1", {24, 3, 3, 3})}, {{"pads", Attr::Ints({1, 1, 1, 1})}});
  Value* c2 = b.node("Conv", "down", {c1, b.rnd("w2", {4, 24, 3, 3})},
                     {{"pads", Attr::Ints({1, 1, 1, 1})}, {"strides", Attr::Ints({2, 2})}});
  Value* gp = b.node("GlobalAveragePool", "gap", {c2});
  b.finish({gp});
  const auto ins = b.inputs();
  const auto before = Interpreter(b.g).run(ins);
  b.options.patch = -1;
  EXPECT_TRUE(b.run("patch")) << b.ir();
  EXPECT_EQ(b.count("Concat"), 1);
  EXPECT_TRUE(has(b.ir(), "expand_patch1")) << b.ir();
  const auto after = Interpreter(b.g).run(ins);
  EXPECT_TRUE(identical(before[0], after[0])) << b.ir();
}

TEST(Patch, NothingToCutBeforeANonLocalOp) {
  G b;
  Value* x = b.input("x", {1, 2, 8, 8});
  Value* gp = b.node("GlobalAveragePool", "gap", {x});
  Value* c = b.node("Conv", "conv", {gp, b.rnd("w", {2, 2, 1, 1})});
  b.finish({c});
  b.options.patch = 2;
  EXPECT_FALSE(b.run("patch"));
}

}  // namespace
}  // namespace tinyc

namespace tinyc {
namespace {

// Output size of a window op along one axis, or 0 when the window does not fit.
int64_t windowOut(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe) {
  const int64_t span = in + pb + pe - ((k - 1) * d + 1);
  return span < 0 ? 0 : span / s + 1;
}

TEST(Patch, RandomStagesGiveTheSameOutputs) {
  // Seeded random chains of Conv (any kernel, stride, dilation, asymmetric pads, grouped or
  // depthwise), pools, Relu and residual Adds, channels-first and channels-last, in 2-6 strips.
  std::mt19937 rng(20261206);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int patched = 0;
  for (int trial = 0; trial < 150; ++trial) {
    G b;
    b.rng.seed(static_cast<unsigned>(trial));
    b.options.layout = pick(0, 1) ? kLayoutNhwc : "NCHW";
    int64_t c = pick(1, 6), h = pick(6, 40), w = pick(3, 12);
    Value* x = b.node("Relu", "in_relu", {b.input("x", {1, c, h, w})});
    std::vector<Value*> sameShape{x};
    for (int layer = 0, layers = pick(2, 6); layer < layers; ++layer) {
      const std::string nm = "l" + std::to_string(layer);
      const int kind = pick(0, 5);
      if (kind == 4 && sameShape.size() > 1) {  // residual Add with an earlier tensor of this shape
        x = b.node("Add", nm, {x, sameShape[static_cast<size_t>(pick(0, static_cast<int>(sameShape.size()) - 2))]});
        continue;
      }
      if (kind == 5) {
        x = b.node("Relu", nm, {x});
        sameShape.push_back(x);
        continue;
      }
      const int64_t k = pick(1, 5), s = pick(1, 2), d = k > 1 ? pick(1, 2) : 1;
      const int64_t pt = pick(0, static_cast<int>(k - 1)), pbm = pick(0, static_cast<int>(k - 1));
      const int64_t pl = pick(0, static_cast<int>(k - 1)), pr = pick(0, static_cast<int>(k - 1));
      const int64_t oh = windowOut(h, k, s, d, pt, pbm), ow = windowOut(w, k, s, d, pl, pr);
      if (oh < 2 || ow < 1) continue;
      AttrMap a{{"pads", Attr::Ints({pt, pl, pbm, pr})}, {"strides", Attr::Ints({s, s})}};
      int64_t m = c;
      if (kind <= 2) {  // Conv: plain, grouped or depthwise
        const int64_t g = kind == 1 && c % 2 == 0 ? 2 : kind == 2 ? c : 1;
        m = kind == 2 ? c * pick(1, 2) : pick(1, 8) * g;
        a["dilations"] = Attr::Ints({d, d});
        a["group"] = Attr::Int(g);
        x = b.node("Conv", nm, {x, b.rnd(nm + "_w", {m, c / g, k, k}), b.rnd(nm + "_b", {m})}, a);
      } else {  // pools: pads smaller than the kernel
        a["kernel_shape"] = Attr::Ints({k, k});
        if (pick(0, 1)) {
          a["count_include_pad"] = Attr::Int(pick(0, 1));
          x = b.node("AveragePool", nm, {x}, a);
        } else {
          x = b.node("MaxPool", nm, {x}, a);
        }
      }
      if (oh != h || ow != w || m != c) sameShape.clear();
      c = m, h = oh, w = ow;
      sameShape.push_back(x);
    }
    b.finish({b.node("GlobalAveragePool", "gap", {x})});
    const auto ins = b.inputs(static_cast<unsigned>(trial));
    b.run("layout,merge-views,dce");
    const auto before = Interpreter(b.g).run(ins);
    b.options.patch = pick(2, 6);
    patched += b.run("patch");
    const auto after = Interpreter(b.g).run(ins);
    ASSERT_EQ(before.size(), after.size());
    // Within float rounding: the interpreter's GEMM blocks its sums by the strip's size.
    const Comparison cmp = compareTensors(after[0], before[0], {1e-6, 1e-6, true});
    EXPECT_TRUE(cmp.ok) << cmp.why << " trial " << trial << " (" << b.options.layout << ", "
                                                << b.options.patch << " strips)\n" << b.ir();
  }
  EXPECT_GT(patched, 100);  // the stage reaches the first non-local op in most chains
}

}  // namespace
}  // namespace tinyc
