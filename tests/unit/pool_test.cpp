// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool against hand values and naive loops.
#include <algorithm>
#include <limits>

#include "nn_ref_util.h"

namespace tinyc::test {
namespace {

struct PoolP {
  std::vector<int64_t> kernel, strides, pads, dil;
  bool ceil = false;
  bool includePad = false;
};

AttrMap poolAttrs(const PoolP& p) {
  AttrMap a{{"kernel_shape", ints(p.kernel)}};
  if (!p.strides.empty()) a["strides"] = ints(p.strides);
  if (!p.pads.empty()) a["pads"] = ints(p.pads);
  if (!p.dil.empty()) a["dilations"] = ints(p.dil);
  if (p.ceil) a["ceil_mode"] = Attr::Int(1);
  return a;
}

// Naive pooling over explicit pads; `outSpatial` given by the caller (hand-computed).
std::vector<double> refPool(const Tensor& x, const PoolP& p, const Shape& os, bool isMax) {
  const Shape& xs = x.shape();
  const size_t nd = xs.size() - 2;
  auto at = [](const std::vector<int64_t>& v, size_t i, int64_t def) { return v.empty() ? def : v[i]; };
  std::vector<double> y(static_cast<size_t>(count(os)));
  forIndex(os, [&](const std::vector<int64_t>& o) {
    double best = -std::numeric_limits<double>::infinity(), sum = 0;
    int64_t n = 0, nPad = 0;
    forIndex(Shape(p.kernel.begin(), p.kernel.end()), [&](const std::vector<int64_t>& k) {
      std::vector<int64_t> xi{o[0], o[1]};
      bool inside = true, insidePadded = true;
      for (size_t i = 0; i < nd; ++i) {
        int64_t pos = o[i + 2] * at(p.strides, i, 1) - at(p.pads, i, 0) + k[i] * at(p.dil, i, 1);
        inside = inside && pos >= 0 && pos < xs[i + 2];
        insidePadded = insidePadded && pos >= -at(p.pads, i, 0) && pos < xs[i + 2] + at(p.pads, i + nd, 0);
        xi.push_back(pos);
      }
      if (insidePadded) ++nPad;
      if (!inside) return;
      double v = x.getF(flat(xs, xi));
      best = std::max(best, v);
      sum += v;
      ++n;
    });
    y[static_cast<size_t>(flat(os, o))] = isMax ? best : sum / static_cast<double>(p.includePad ? nPad : n);
  });
  return y;
}

TEST(MaxPool, HandComputed2D) {
  std::vector<double> x(16);
  for (int i = 0; i < 16; ++i) x[static_cast<size_t>(i)] = i;
  auto out = runOp("MaxPool", {in(f32({1, 1, 4, 4}, x))}, {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}});
  expectNear(out[0], {1, 1, 2, 2}, {5, 7, 13, 15});
  // 3x3 window, pads 1, stride 1 on a 2x2 [[1,-2],[-3,4]]: every window contains 4.
  out = runOp("MaxPool", {in(f32({1, 1, 2, 2}, {1, -2, -3, 4}))},
              {{"kernel_shape", ints({3, 3})}, {"pads", ints({1, 1, 1, 1})}});
  expectNear(out[0], {1, 1, 2, 2}, {4, 4, 4, 4});
  // ceil_mode: 5 wide, kernel 2, stride 2 -> 3 outputs, last one covers only column 4.
  out = runOp("MaxPool", {in(f32({1, 1, 1, 5}, {3, 1, 4, 1, 5}))},
              {{"kernel_shape", ints({1, 2})}, {"strides", ints({1, 2})}, {"ceil_mode", Attr::Int(1)}});
  expectNear(out[0], {1, 1, 1, 3}, {3, 4, 5});
}

TEST(MaxPool, MatchesReference) {
  struct Case {
    Shape xs;
    PoolP p;
    Shape os;
  };
  std::vector<Case> cases = {
      {{2, 3, 7, 6}, {{3, 3}, {2, 2}, {1, 1, 1, 1}, {}}, {2, 3, 4, 3}},
      {{1, 2, 7, 7}, {{2, 3}, {1, 2}, {0, 1, 1, 0}, {2, 1}}, {1, 2, 6, 3}},
      // ceil mode: H (6+1-3)/2 -> ceil 2 + 1 = 3; W (7-2)/2 -> ceil 3 + 1 = 4.
      {{1, 1, 6, 7}, {{3, 2}, {2, 2}, {1, 0, 0, 0}, {}, true}, {1, 1, 3, 4}},
      // ceil mode drops a window starting in the end padding: W (5+1+1-2)/2 = 2.5 -> 4, but the
      // 4th window starts at 6-1 = 5 >= 5, so 3.
      {{1, 1, 5, 5}, {{2, 2}, {2, 2}, {1, 1, 1, 1}, {}, true}, {1, 1, 3, 3}},
      {{1, 2, 9}, {{3}, {2}, {1, 1}, {2}}, {1, 2, 4}},                                         // 1D
      {{1, 2, 4, 5, 4}, {{2, 3, 2}, {2, 1, 2}, {0, 1, 0, 0, 1, 1}, {}}, {1, 2, 2, 5, 2}},  // 3D
  };
  uint32_t seed = 1;
  for (const auto& c : cases) {
    Tensor x = rnd(c.xs, seed++);
    auto got = runOp("MaxPool", {in(x)}, poolAttrs(c.p));
    expectNear(got[0], c.os, refPool(x, c.p, c.os, true));
  }
}

TEST(MaxPool, AutoPadAndTypes) {
  Tensor x = rnd({1, 2, 5, 5}, 9);
  // SAME_UPPER, kernel 2, stride 2: out 3, total pad 1 -> (0, 1). SAME_LOWER -> (1, 0).
  auto got = runOp("MaxPool", {in(x)},
                   {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}, {"auto_pad", Attr::Str("SAME_UPPER")}});
  expectNear(got[0], {1, 2, 3, 3}, refPool(x, {{2, 2}, {2, 2}, {0, 0, 1, 1}, {}}, {1, 2, 3, 3}, true));
  got = runOp("MaxPool", {in(x)},
              {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}, {"auto_pad", Attr::Str("SAME_LOWER")}});
  expectNear(got[0], {1, 2, 3, 3}, refPool(x, {{2, 2}, {2, 2}, {1, 1, 0, 0}, {}}, {1, 2, 3, 3}, true));
  got = runOp("MaxPool", {in(makeTensor(DType::U8, {1, 1, 2, 2}, {1, 200, 3, 4}))}, {{"kernel_shape", ints({2, 2})}});
  EXPECT_EQ(got[0].dtype(), DType::U8);
  expectNear(got[0], {1, 1, 1, 1}, {200});
  got = runOp("MaxPool", {in(makeTensor(DType::I8, {1, 1, 3}, {-5, -7, -2}))}, {{"kernel_shape", ints({2})}});
  expectNear(got[0], {1, 1, 2}, {-5, -2});
  got = runOp("MaxPool", {in(makeTensor(DType::F16, {1, 1, 3}, {0.5, -7, -2}))}, {{"kernel_shape", ints({2})}});
  EXPECT_EQ(got[0].dtype(), DType::F16);
  expectNear(got[0], {1, 1, 2}, {0.5, -2});
  got = runOp("MaxPool", {in(makeTensor(DType::F64, {1, 1, 3}, {0.5, -7, -2}))}, {{"kernel_shape", ints({2})}});
  expectNear(got[0], {1, 1, 2}, {0.5, -2});
}

TEST(MaxPool, Indices) {
  // x[n=0,c=1] = 16..31; 2x2 window stride 2 with pads 1 on 4x4 planes.
  std::vector<double> x(32);
  for (int i = 0; i < 32; ++i) x[static_cast<size_t>(i)] = i;
  Tensor t = f32({1, 2, 4, 4}, x);
  auto out = runOp("MaxPool", {in(t)}, {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}}, 2);
  expectNear(out[0], {1, 2, 2, 2}, {5, 7, 13, 15, 21, 23, 29, 31});
  EXPECT_EQ(out[1].dtype(), DType::I64);
  expectNear(out[1], {1, 2, 2, 2}, {5, 7, 13, 15, 21, 23, 29, 31});
  // Column-major spatial index: (h, w) -> h + w * H.
  out = runOp("MaxPool", {in(t)},
              {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}, {"storage_order", Attr::Int(1)}}, 2);
  expectNear(out[1], {1, 2, 2, 2}, {1 + 4, 1 + 12, 3 + 4, 3 + 12, 16 + 5, 16 + 13, 16 + 7, 16 + 15});
}

TEST(MaxPool, BadShapesAreErrors) {
  Tensor x = rnd({1, 1, 4, 4}, 1);
  EXPECT_THROW(runOp("MaxPool", {in(x)}), Error);                                      // no kernel_shape
  EXPECT_THROW(runOp("MaxPool", {in(x)}, {{"kernel_shape", ints({5, 5})}}), Error);    // kernel > input
  EXPECT_THROW(runOp("MaxPool", {in(x)}, {{"kernel_shape", ints({2})}}), Error);       // rank mismatch
  EXPECT_THROW(runOp("MaxPool", {in(x)}, {{"kernel_shape", ints({2, 2})}, {"pads", ints({1, 1, 1})}}), Error);
  EXPECT_THROW(runOp("MaxPool", {in(x)}, {{"kernel_shape", ints({2, 2})}, {"strides", ints({1, 0})}}), Error);
  EXPECT_THROW(runOp("MaxPool", {in(x)}, {{"kernel_shape", ints({2, 2})}, {"storage_order", Attr::Int(2)}}), Error);
  EXPECT_THROW(runOp("MaxPool", {in(rnd({4, 4}, 1))}, {{"kernel_shape", ints({2, 2})}}), Error);
  EXPECT_THROW(runOp("MaxPool", {in(makeTensor(DType::I32, {1, 1, 2}, {1, 2}))}, {{"kernel_shape", ints({2})}}),
               Error);
}

TEST(AveragePool, HandComputed) {
  // 3x3 [[1,2,3],[4,5,6],[7,8,9]], kernel 2, pads 1 on top-left only, stride 2.
  Tensor x = f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  AttrMap a{{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}, {"pads", ints({1, 1, 0, 0})}};
  auto out = runOp("AveragePool", {in(x)}, a);
  // windows: {1}, {2,3}, {4,7}, {5,6,8,9}
  expectNear(out[0], {1, 1, 2, 2}, {1, 2.5, 5.5, 7});
  a["count_include_pad"] = Attr::Int(1);
  out = runOp("AveragePool", {in(x)}, a);
  expectNear(out[0], {1, 1, 2, 2}, {0.25, 1.25, 2.75, 7});
}

TEST(AveragePool, MatchesReference) {
  struct Case {
    Shape xs;
    PoolP p;
    Shape os;
  };
  std::vector<Case> cases = {
      {{2, 3, 7, 6}, {{3, 3}, {2, 2}, {1, 1, 1, 1}, {}}, {2, 3, 4, 3}},
      {{1, 2, 7, 7}, {{2, 3}, {1, 2}, {0, 1, 1, 0}, {2, 1}}, {1, 2, 6, 3}},
      {{1, 1, 6, 7}, {{3, 2}, {2, 2}, {1, 0, 0, 0}, {}, true}, {1, 1, 3, 4}},
      {{1, 1, 5, 5}, {{2, 2}, {2, 2}, {1, 1, 1, 1}, {}, true}, {1, 1, 3, 3}},
      {{1, 2, 9}, {{3}, {2}, {1, 1}, {2}}, {1, 2, 4}},
      {{1, 2, 4, 5, 4}, {{2, 3, 2}, {2, 1, 2}, {0, 1, 0, 0, 1, 1}, {}}, {1, 2, 2, 5, 2}},
  };
  uint32_t seed = 20;
  for (auto c : cases)
    for (bool include : {false, true}) {
      c.p.includePad = include;
      Tensor x = rnd(c.xs, seed++);
      AttrMap a = poolAttrs(c.p);
      a["count_include_pad"] = Attr::Int(include ? 1 : 0);
      auto got = runOp("AveragePool", {in(x)}, a);
      expectNear(got[0], c.os, refPool(x, c.p, c.os, false));
    }
  // SAME_UPPER with count_include_pad: kernel 3 stride 1 on 4 -> pads (1,1), divisor always 9.
  Tensor x = rnd({1, 1, 4, 4}, 40);
  auto got = runOp("AveragePool", {in(x)},
                   {{"kernel_shape", ints({3, 3})}, {"auto_pad", Attr::Str("SAME_UPPER")},
                    {"count_include_pad", Attr::Int(1)}});
  PoolP p{{3, 3}, {}, {1, 1, 1, 1}, {}, false, true};
  expectNear(got[0], {1, 1, 4, 4}, refPool(x, p, {1, 1, 4, 4}, false));
}

TEST(AveragePool, BadShapesAreErrors) {
  Tensor x = rnd({1, 1, 4, 4}, 1);
  EXPECT_THROW(runOp("AveragePool", {in(x)}, {{"kernel_shape", ints({2, 5})}}), Error);
  EXPECT_THROW(runOp("AveragePool", {in(x)}, {{"kernel_shape", ints({2, 2})}, {"auto_pad", Attr::Str("X")}}), Error);
  EXPECT_THROW(runOp("AveragePool", {in(x)}, {{"kernel_shape", ints({2, 2})}, {"pads", ints({-1, 0, 0, 0})}}), Error);
  EXPECT_THROW(runOp("AveragePool", {in(makeTensor(DType::U8, {1, 1, 2}, {1, 2}))}, {{"kernel_shape", ints({2})}}),
               Error);
}

TEST(GlobalPool, AverageAndMax) {
  Tensor x = f32({1, 2, 2, 2}, {1, 2, 3, 4, -1, -5, 7, 0});
  auto out = runOp("GlobalAveragePool", {in(x)});
  expectNear(out[0], {1, 2, 1, 1}, {2.5, 0.25});
  out = runOp("GlobalMaxPool", {in(x)});
  expectNear(out[0], {1, 2, 1, 1}, {4, 7});
  out = runOp("GlobalAveragePool", {in(makeTensor(DType::F64, {2, 1, 3}, {1, 2, 3, 4, 5, 9}))});
  expectNear(out[0], {2, 1, 1}, {2, 6});
  out = runOp("GlobalMaxPool", {in(f32({1, 1, 2, 1, 2}, {1, 9, 3, 4}))});
  expectNear(out[0], {1, 1, 1, 1, 1}, {9});
  EXPECT_THROW(runOp("GlobalAveragePool", {in(f32({3}, {1, 2, 3}))}), Error);
  EXPECT_THROW(runOp("GlobalMaxPool", {in(makeTensor(DType::I32, {1, 1, 2}, {1, 2}))}), Error);
}

TEST(Pool, CountsNoMacs) {
  // MACs count multiply-accumulates of Conv/Gemm/MatMul-like ops only (docs/inspect-json.md).
  Graph g;
  runOp("AveragePool", {in(rnd({2, 3, 4, 4}, 1))}, {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}}, 1, &g);
  EXPECT_EQ(nodeMacs(*g.nodes[0]), 0);
}

TEST(LpPool, HandComputed) {
  // (3, -4, 0, 1), kernel 2, stride 2: L2 (5, 1), L1 (7, 1); a pad adds nothing: L2 with pads 1
  // and kernel 2 reads (pad, 3) (-4, 0) (1, pad) = (3, 4, 1)
  Tensor x = f32({1, 1, 4}, {3, -4, 0, 1});
  AttrMap a = {{"kernel_shape", ints({2})}, {"strides", ints({2})}};
  expectNear(runOp("LpPool", {in(x)}, a)[0], {1, 1, 2}, {5, 1});
  a["p"] = Attr::Int(1);
  expectNear(runOp("LpPool", {in(x)}, a)[0], {1, 1, 2}, {7, 1});
  AttrMap padded = {{"kernel_shape", ints({2})}, {"strides", ints({2})}, {"pads", ints({1, 1})}};
  expectNear(runOp("LpPool", {in(x)}, padded)[0], {1, 1, 3}, {3, 4, 1});
}

}  // namespace
}  // namespace tinyc::test
