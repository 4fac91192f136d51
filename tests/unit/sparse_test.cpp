// Sparse weights (issue 12): the row-bitmap format round-trips, each op's weights are read in the
// orientation its kernel gathers, the sparse-weights pass marks exactly the layers that get
// smaller, and --prune magnitude:R zeroes the smallest weights (globally, or per layer).
#include <algorithm>
#include <cmath>

#include "ops/sparse.h"
#include "pass_test_util.h"
#include "passes/prune.h"

namespace tinyc {
namespace {

// A constant with every `keep`-th element non-zero (values 1, 2, 3, ... on those).
Tensor every(DType t, Shape s, int64_t keep) {
  Tensor w(t, std::move(s));
  for (int64_t i = 0; i < w.numel(); ++i) w.setF(i, i % keep == 0 ? static_cast<double>(i / keep % 100 + 1) : 0.0);
  return w;
}

TEST(SparseFormat, RoundTripsFloatAndInt8) {
  std::mt19937 rng(5);
  for (DType t : {DType::F32, DType::I8})
    for (int64_t cols : {1, 7, 8, 9, 27, 64, 100}) {
      const int64_t rows = 5;
      Tensor w(t, {rows, cols});
      std::uniform_int_distribution<int> d(-3, 3);
      for (int64_t i = 0; i < w.numel(); ++i) w.setF(i, i % 3 ? 0.0 : d(rng));
      sparse::Matrix m;
      m.rows = rows, m.cols = cols, m.dtype = t;
      for (int64_t i = 0; i < rows * cols; ++i) m.index.push_back(i);
      const sparse::Bitmap b = sparse::encode(w, m);
      EXPECT_EQ(static_cast<int64_t>(b.bits.size()), rows * sparse::rowBytes(cols));
      EXPECT_EQ(std::max<int64_t>(1, sparse::nonZeros(w, m)), b.values.numel());
      const Tensor back = sparse::decode(b, t);
      for (int64_t i = 0; i < w.numel(); ++i) ASSERT_EQ(back.getF(i), w.getF(i)) << cols << " " << i;
      EXPECT_EQ(sparse::bitmapBytes(m, sparse::nonZeros(w, m)),
                static_cast<int64_t>(b.bits.size() + static_cast<size_t>(b.values.numel()) * dtypeSize(t)));
    }
}

TEST(SparseFormat, RowsAreOutputChannels) {
  G t;
  Value* a = t.input("a", {2, 6});
  Value* wk = t.cst("wk", every(DType::F32, {6, 4}, 3));  // MatMul / Gemm: [K, N]
  Value* wn = t.cst("wn", every(DType::F32, {4, 6}, 3));  // Gemm transB: [N, K]
  Value* mm = t.node("MatMul", "mm", {a, wk});
  Value* gt = t.node("Gemm", "gt", {a, wn}, {{"transB", Attr::Int(1)}});
  t.finish({mm, gt});
  auto m1 = sparse::weightMatrix(*t.g.nodes[0]);
  auto m2 = sparse::weightMatrix(*t.g.nodes[1]);
  ASSERT_TRUE(m1 && m2);
  EXPECT_EQ(m1->rows, 4);
  EXPECT_EQ(m1->cols, 6);
  EXPECT_EQ(m1->index[1 * 6 + 2], 2 * 4 + 1);  // row n = 1, column k = 2: B[2][1]
  EXPECT_EQ(m2->index[1 * 6 + 2], 1 * 6 + 2);  // B[1][2]
}

TEST(SparseWeights, MarksOnlyLayersThatGetSmaller) {
  G t;
  Value* x = t.input("x", {1, 8, 6, 6});
  // 1 in 4 non-zero: 8 x 72 floats = 2304 bytes dense, 8 * 9 + 144 * 4 = 648 as a bitmap
  Value* a = t.node("Conv", "sparse", {x, t.cst("w1", every(DType::F32, {8, 8, 3, 3}, 4))},
                    {{"pads", Attr::Ints({1, 1, 1, 1})}});
  Value* b = t.node("Conv", "dense", {a, t.rnd("w2", {8, 8, 1, 1})});
  // int8-like density 7 of 8 in float: 4 * 8 bytes of bits + 7/8 of the values < dense
  Value* c = t.node("Conv", "mostly", {b, t.cst("w3", every(DType::F32, {8, 8, 1, 1}, 1))});
  t.finish({c});
  {
    Tensor w3 = *t.g.nodes[2]->input(1)->constant;
    for (int64_t i = 0; i < w3.numel(); i += 8) w3.setF(i, 0.0);
    t.g.nodes[2]->inputs[1] = t.cst("w3z", std::move(w3));
  }
  EXPECT_TRUE(t.runSame("sparse-weights"));  // --sparse auto: at most half the dense bytes
  EXPECT_TRUE(sparse::marked(*t.g.nodes[0]));
  EXPECT_FALSE(sparse::marked(*t.g.nodes[1]));
  EXPECT_FALSE(sparse::marked(*t.g.nodes[2]));
  t.options.sparse = "smallest";
  EXPECT_TRUE(t.runSame("sparse-weights"));
  EXPECT_TRUE(sparse::marked(*t.g.nodes[0]));
  EXPECT_FALSE(sparse::marked(*t.g.nodes[1]));
  EXPECT_TRUE(sparse::marked(*t.g.nodes[2]));  // 8 * 1 + 56 * 4 = 232 < 256
  t.options.sparse = "off";  // every mark removed
  EXPECT_TRUE(t.run("sparse-weights"));
  for (const auto& n : t.g.nodes) EXPECT_FALSE(sparse::marked(*n)) << n->name;
  EXPECT_FALSE(has(t.ir(), "tinyc.sparse"));
}

std::shared_ptr<PruneRequest> magnitude(double r) {
  auto q = std::make_shared<PruneRequest>();
  q->kind = "magnitude";
  q->ratio = r;
  return q;
}

int64_t zeros(const Value* w) {
  int64_t z = 0;
  for (int64_t i = 0; i < w->constant->numel(); ++i) z += w->constant->getF(i) == 0.0;
  return z;
}

TEST(PruneMagnitude, OneGlobalThresholdOverAllLayers) {
  G t;
  Value* x = t.input("x", {1, 4, 5, 5});
  // Layer a's weights are 10x smaller than b's: a global threshold takes most of a first.
  Value* a = t.node("Conv", "a", {x, t.rnd("wa", {6, 4, 3, 3}, -0.1, 0.1)});
  Value* f = t.node("Flatten", "f", {a});
  Value* y = t.node("MatMul", "b", {f, t.rnd("wb", {54, 10}, -1, 1)});
  t.finish({y});
  std::vector<double> mags;
  for (const auto& n : t.g.nodes)
    if (n->opType != "Flatten")
      for (int64_t i = 0; i < n->input(1)->constant->numel(); ++i) mags.push_back(std::fabs(n->input(1)->constant->getF(i)));
  std::sort(mags.begin(), mags.end());
  t.options.prune = magnitude(0.5);
  EXPECT_TRUE(t.run("prune"));
  const Value* wa = t.g.nodes[0]->input(1);
  const Value* wb = t.g.nodes[2]->input(1);
  const int64_t total = 216 + 540, drop = total / 2;
  EXPECT_EQ(zeros(wa) + zeros(wb), drop);
  EXPECT_GT(zeros(wa), 200);  // (216 weights, all below 0.1: nearly all of them go)
  // every weight left is at least as large as every weight removed
  const double threshold = mags[static_cast<size_t>(drop)];
  for (const Value* w : {wa, wb})
    for (int64_t i = 0; i < w->constant->numel(); ++i) {
      if (w->constant->getF(i) != 0.0) {
        EXPECT_GE(std::fabs(w->constant->getF(i)), threshold);
      }
    }
  const auto& layers = *t.options.prune->layers;
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[0].weights, 216);
  EXPECT_EQ(layers[0].nonZeros + layers[1].nonZeros, total - drop);
}

TEST(PruneMagnitude, LayerOwnRatioIsPerLayer) {
  G t;
  Value* x = t.input("x", {1, 4, 5, 5});
  Value* a = t.node("Conv", "a", {x, t.rnd("wa", {6, 4, 3, 3}, -0.1, 0.1)});
  Value* b = t.node("Conv", "b", {a, t.rnd("wb", {8, 6, 1, 1})});
  t.finish({b});
  auto q = magnitude(0.25);
  q->layerRatios["a"] = 0.75;
  t.options.prune = q;
  EXPECT_TRUE(t.run("prune"));
  EXPECT_EQ(zeros(t.g.nodes[0]->input(1)), 162);  // 3/4 of 216
  EXPECT_EQ(zeros(t.g.nodes[1]->input(1)), 12);   // 1/4 of 48 (b alone: the only free layer)
}

// A model quantized before tinyc: int8 weights behind a DequantizeLinear (per-channel scales, one
// channel's scale 100 times the others'): their magnitude is |q - zero point| * scale, and a pruned
// weight becomes the zero point (uint8 with 128 too).
TEST(PruneMagnitude, IntegerWeightsBehindDequantizeLinear) {
  for (bool u8 : {false, true}) {
    G t;
    Value* x = t.input("x", {1, 2, 4, 4});
    Tensor q(u8 ? DType::U8 : DType::I8, {4, 2, 1, 1});
    for (int64_t i = 0; i < 8; ++i) q.setF(i, (u8 ? 128 : 0) + (i % 2 ? 10 + i : -20 - i));
    Tensor sc(DType::F32, {4});
    for (int64_t i = 0; i < 4; ++i) sc.setF(i, i == 3 ? 1.0 : 0.01);
    Tensor zp(u8 ? DType::U8 : DType::I8, {4});
    for (int64_t i = 0; i < 4; ++i) zp.setF(i, u8 ? 128 : 0);
    Value* w = t.node("DequantizeLinear", "dq", {t.cst("q", q), t.cst("s", sc), t.cst("z", zp)}, {{"axis", Attr::Int(0)}});
    Value* y = t.node("Conv", "c", {x, w});
    t.finish({y});
    t.options.prune = magnitude(0.5);
    EXPECT_TRUE(t.run("prune"));
    const Tensor& after = *t.g.nodes[0]->input(0)->constant;
    int64_t zeros = 0;
    for (int64_t i = 0; i < 8; ++i) zeros += after.getF(i) == (u8 ? 128 : 0);
    EXPECT_EQ(zeros, 4);
    EXPECT_NE(after.getF(6), u8 ? 128 : 0);  // channel 3 (scale 1): its weights are the largest
    EXPECT_NE(after.getF(7), u8 ? 128 : 0);
    const auto& layers = *t.options.prune->layers;
    ASSERT_EQ(layers.size(), 1u);
    EXPECT_EQ(layers[0].nonZeros, 4);
  }
}

}  // namespace
}  // namespace tinyc
