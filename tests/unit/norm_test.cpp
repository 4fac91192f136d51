// BatchNormalization (inference), LayerNormalization and LRN.
#include <algorithm>
#include <cmath>

#include "nn_ref_util.h"

namespace tinyc::test {
namespace {

std::vector<OpInput> bnInputs(Tensor x, int64_t c) {
  return {in(std::move(x)), in(rnd({c}, 2)), in(rnd({c}, 3)), in(rnd({c}, 4)),
          in(makeTensor(DType::F32, {c}, std::vector<double>(static_cast<size_t>(c), 0.5)))};
}

TEST(BatchNormalization, HandComputed) {
  // channel 0: (x - 1) / sqrt(4 + 0) * 2 + 3 ; channel 1: (x - 0) / sqrt(0.25) * 1 - 1
  Tensor x = f32({1, 2, 1, 2}, {1, 5, 2, -1});
  auto out = runOp("BatchNormalization",
                   {in(x), in(f32({2}, {2, 1})), in(f32({2}, {3, -1})), in(f32({2}, {1, 0})), in(f32({2}, {4, 0.25}))},
                   {{"epsilon", Attr::Float(0)}});
  expectNear(out[0], {1, 2, 1, 2}, {3, 7, 3, -3});
}

TEST(BatchNormalization, MatchesFormulaAnyRank) {
  for (const Shape& s : std::vector<Shape>{{3, 4}, {2, 4, 5}, {1, 4, 2, 3, 2}}) {
    Tensor x = rnd(s, 1);
    auto ins = bnInputs(x, 4);
    auto out = runOp("BatchNormalization", ins, {{"epsilon", Attr::Float(1e-3f)}});
    const int64_t inner = count(s) / (s[0] * 4);
    std::vector<double> want(static_cast<size_t>(count(s)));
    for (int64_t i = 0; i < count(s); ++i) {
      int64_t c = (i / inner) % 4;
      want[static_cast<size_t>(i)] = (x.getF(i) - ins[3].t.getF(c)) / std::sqrt(ins[4].t.getF(c) + 1e-3) *
                                         ins[1].t.getF(c) +
                                     ins[2].t.getF(c);
    }
    expectNear(out[0], s, want);
  }
  Tensor x = rnd({1, 2, 3}, 5, DType::F64);
  auto out = runOp("BatchNormalization", {in(x), in(f32({2}, {1, 1})), in(f32({2}, {0, 0})), in(f32({2}, {0, 0})),
                                          in(f32({2}, {1, 1}))},
                   {{"epsilon", Attr::Float(0)}});
  EXPECT_EQ(out[0].dtype(), DType::F64);
  expectNear(out[0], {1, 2, 3}, values(x), 1e-12);
}

TEST(BatchNormalization, BadInputsAreErrors) {
  EXPECT_THROW(runOp("BatchNormalization", bnInputs(rnd({1, 3, 2}, 1), 4)), Error);  // channel mismatch
  EXPECT_THROW(runOp("BatchNormalization", bnInputs(rnd({4}, 1), 4)), Error);        // rank 1
  auto ins = bnInputs(rnd({1, 4, 2}, 1), 4);
  EXPECT_THROW(runOp("BatchNormalization", ins, {{"training_mode", Attr::Int(1)}}), Error);
  EXPECT_THROW(runOp("BatchNormalization", ins, {}, 3), Error);  // running stats need training mode
  ins[2] = in(rnd({2, 2}, 3));
  EXPECT_THROW(runOp("BatchNormalization", ins), Error);
}

// Offset in a tensor of shape `s` (right-aligned numpy broadcast) for flat index o of shape xs.
int64_t bcastIndex(const Shape& s, const Shape& xs, int64_t o) {
  std::vector<int64_t> idx(xs.size());
  for (size_t i = xs.size(); i-- > 0;) {
    idx[i] = o % xs[i];
    o /= xs[i];
  }
  std::vector<int64_t> si(s.size());
  for (size_t i = 0; i < s.size(); ++i) si[i] = s[i] == 1 ? 0 : idx[i + xs.size() - s.size()];
  return flat(s, si);
}

// Naive layer norm over dims [axis, rank), Scale/B broadcast over the whole of X.
void refLayerNorm(const Tensor& x, const Tensor& s, const Tensor* b, int axis, double eps, std::vector<double>* y,
                  std::vector<double>* mean, std::vector<double>* inv) {
  const Shape& xs = x.shape();
  int64_t rows = 1, cols = 1;
  for (int i = 0; i < static_cast<int>(xs.size()); ++i) (i < axis ? rows : cols) *= xs[static_cast<size_t>(i)];
  y->assign(static_cast<size_t>(rows * cols), 0);
  mean->clear();
  inv->clear();
  for (int64_t r = 0; r < rows; ++r) {
    double m = 0, v = 0;
    for (int64_t j = 0; j < cols; ++j) m += x.getF(r * cols + j) / static_cast<double>(cols);
    for (int64_t j = 0; j < cols; ++j) v += std::pow(x.getF(r * cols + j) - m, 2) / static_cast<double>(cols);
    double iv = 1 / std::sqrt(v + eps);
    mean->push_back(m);
    inv->push_back(iv);
    for (int64_t j = 0; j < cols; ++j) {
      int64_t o = r * cols + j;
      double val = (x.getF(o) - m) * iv * s.getF(bcastIndex(s.shape(), xs, o));
      if (b) val += b->getF(bcastIndex(b->shape(), xs, o));
      (*y)[static_cast<size_t>(o)] = val;
    }
  }
}

TEST(LayerNormalization, HandComputed) {
  // rows [1,3] and [2,6]: means 2 and 4, variances 1 and 4.
  auto out = runOp("LayerNormalization", {in(f32({2, 2}, {1, 3, 2, 6})), in(f32({2}, {1, 2})), in(f32({2}, {0, 10}))},
                   {{"epsilon", Attr::Float(0)}}, 3);
  expectNear(out[0], {2, 2}, {-1, 12, -1, 12});
  expectNear(out[1], {2, 1}, {2, 4});
  expectNear(out[2], {2, 1}, {1, 0.5});
  EXPECT_EQ(out[1].dtype(), DType::F32);
  // F16 input: Y stays F16, Mean/InvStdDev follow stash_type (float).
  out = runOp("LayerNormalization",
              {in(makeTensor(DType::F16, {2, 2}, {1, 3, 2, 6})), in(makeTensor(DType::F16, {2}, {1, 2}))},
              {{"epsilon", Attr::Float(0)}}, 3);
  EXPECT_EQ(out[0].dtype(), DType::F16);
  EXPECT_EQ(out[2].dtype(), DType::F32);
  expectNear(out[0], {2, 2}, {-1, 2, -1, 2});
  expectNear(out[2], {2, 1}, {1, 0.5});
}

TEST(LayerNormalization, AxesMatchReference) {
  const Shape xs{2, 3, 4, 2};
  for (int64_t axis = -4; axis < 4; ++axis) {
    const int a = static_cast<int>(axis < 0 ? axis + 4 : axis);
    Shape ns(xs.begin() + a, xs.end());
    Tensor x = rnd(xs, 7), s = rnd(ns, 8), b = rnd(ns, 9);
    std::vector<double> y, mean, inv;
    refLayerNorm(x, s, &b, a, 1e-2, &y, &mean, &inv);
    auto out = runOp("LayerNormalization", {in(x), in(s), in(b)},
                     {{"axis", Attr::Int(axis)}, {"epsilon", Attr::Float(1e-2f)}}, 3);
    Shape ms = xs;
    for (size_t i = static_cast<size_t>(a); i < ms.size(); ++i) ms[i] = 1;
    expectNear(out[0], xs, y, 1e-4);
    expectNear(out[1], ms, mean, 1e-5);
    expectNear(out[2], ms, inv, 1e-4);
  }
}

TEST(LayerNormalization, BroadcastScaleNoBiasAndF64) {
  Tensor x = rnd({2, 3, 4}, 11), s = rnd({4}, 12);
  std::vector<double> y, mean, inv;
  refLayerNorm(x, s, nullptr, 1, 1e-5, &y, &mean, &inv);  // Scale [4] broadcast over [3, 4]
  auto out = runOp("LayerNormalization", {in(x), in(s)}, {{"axis", Attr::Int(1)}});
  expectNear(out[0], {2, 3, 4}, y, 1e-4);
  Tensor s2 = rnd({2, 1, 4}, 13);  // varies over the leading (row) dim too
  refLayerNorm(x, s2, nullptr, 2, 1e-5, &y, &mean, &inv);
  out = runOp("LayerNormalization", {in(x), in(s2)}, {});
  expectNear(out[0], {2, 3, 4}, y, 1e-4);
  Tensor xd = rnd({3, 5}, 14, DType::F64), sd = rnd({5}, 15, DType::F64);
  refLayerNorm(xd, sd, nullptr, 1, 1e-5, &y, &mean, &inv);
  out = runOp("LayerNormalization", {in(xd), in(sd), none()}, {{"stash_type", Attr::Int(11)}}, 2);
  EXPECT_EQ(out[0].dtype(), DType::F64);
  EXPECT_EQ(out[1].dtype(), DType::F64);
  expectNear(out[0], {3, 5}, y, 1e-10);
  expectNear(out[1], {3, 1}, mean, 1e-12);
}

TEST(LayerNormalization, BadInputsAreErrors) {
  Tensor x = rnd({2, 3}, 1);
  EXPECT_THROW(runOp("LayerNormalization", {in(x), in(rnd({2}, 2))}), Error);                        // scale
  EXPECT_THROW(runOp("LayerNormalization", {in(x), in(rnd({3}, 2)), in(rnd({4}, 3))}), Error);       // bias
  EXPECT_THROW(runOp("LayerNormalization", {in(x), in(rnd({3}, 2))}, {{"axis", Attr::Int(2)}}), Error);
  EXPECT_THROW(runOp("LayerNormalization", {in(x), in(rnd({3}, 2))}, {{"axis", Attr::Int(-3)}}), Error);
  EXPECT_THROW(runOp("LayerNormalization", {in(x), in(rnd({3}, 2, DType::F64))}), Error);          // type
  EXPECT_THROW(runOp("LayerNormalization", {in(x), in(rnd({3}, 2))}, {{"stash_type", Attr::Int(7)}}), Error);
}

// ---- InstanceNormalization ------------------------------------------------------------------

TEST(InstanceNormalization, HandComputed) {
  // channel 0: {1, 3}, mean 2, variance 1 -> {-1, 1} * 2 + 1; channel 1: {0, 4}, mean 2, variance 4
  // -> {-1, 1} * 0.5 - 1; image 1 is image 0 plus 10 (the same result: per image)
  Tensor x = f32({2, 2, 2}, {1, 3, 0, 4, 11, 13, 10, 14});
  auto out = runOp("InstanceNormalization", {in(x), in(f32({2}, {2, 0.5})), in(f32({2}, {1, -1}))},
                   {{"epsilon", Attr::Float(0)}});
  expectNear(out[0], {2, 2, 2}, {-1, 3, -1.5, -0.5, -1, 3, -1.5, -0.5});
}

TEST(InstanceNormalization, BadInputsAreErrors) {
  Tensor x = rnd({1, 3, 4}, 1);
  EXPECT_THROW(runOp("InstanceNormalization", {in(x), in(rnd({2}, 2)), in(rnd({3}, 3))}), Error);     // scale
  EXPECT_THROW(runOp("InstanceNormalization", {in(x), in(rnd({3}, 2)), in(rnd({3, 1}, 3))}), Error);  // B
  EXPECT_THROW(runOp("InstanceNormalization", {in(rnd({3, 4}, 1)), in(rnd({4}, 2)), in(rnd({4}, 3))}), Error);
  EXPECT_THROW(runOp("InstanceNormalization", {in(x), in(rnd({3}, 2, DType::F64)), in(rnd({3}, 3))}), Error);
}

// ---- LRN ----------------------------------------------------------------------------------

AttrMap lrnAttrs(int64_t size, double alpha, double beta, double bias) {
  return {{"size", Attr::Int(size)},
          {"alpha", Attr::Float(static_cast<float>(alpha))},
          {"beta", Attr::Float(static_cast<float>(beta))},
          {"bias", Attr::Float(static_cast<float>(bias))}};
}

TEST(LRN, HandComputedOddEvenAndUnitSize) {
  // x = 1, 2, 3 over three channels (squares 1, 4, 9); alpha = size so alpha / size = 1, bias 1,
  // beta 1: y = x / (1 + sum of squares in the window).
  const Tensor x = f32({1, 3, 1, 1}, {1, 2, 3});
  // size 3: windows [0,1], [0,2], [1,2] -> sums 5, 14, 13 (both edges clipped).
  expectNear(runOp("LRN", {in(x)}, lrnAttrs(3, 3, 1, 1))[0], {1, 3, 1, 1}, {1.0 / 6, 2.0 / 15, 3.0 / 14});
  // size 2: floor(1/2) = 0 channels before, ceil(1/2) = 1 after: [0,1], [1,2], [2,2] -> 5, 13, 9.
  expectNear(runOp("LRN", {in(x)}, lrnAttrs(2, 2, 1, 1))[0], {1, 3, 1, 1}, {1.0 / 6, 2.0 / 14, 3.0 / 10});
  // size 4: one before, two after: [0,2], [0,2] (clipped at the top), [1,2] -> 14, 14, 13.
  expectNear(runOp("LRN", {in(x)}, lrnAttrs(4, 4, 1, 1))[0], {1, 3, 1, 1}, {1.0 / 15, 2.0 / 15, 3.0 / 14});
  // size 1: only the channel itself; alpha 1, beta 0.5: y = x / sqrt(1 + x^2).
  expectNear(runOp("LRN", {in(x)}, lrnAttrs(1, 1, 0.5, 1))[0], {1, 3, 1, 1},
             {1 / std::sqrt(2.0), 2 / std::sqrt(5.0), 3 / std::sqrt(10.0)});
  // size 7 > C: every window is all three channels (sum 14); alpha 7, bias 2, beta 2: x / 16^2.
  expectNear(runOp("LRN", {in(x)}, lrnAttrs(7, 7, 2, 2))[0], {1, 3, 1, 1}, {1.0 / 256, 2.0 / 256, 3.0 / 256});
}

// Direct loop over the spec's window, in double.
std::vector<double> refLrn(const Tensor& x, int64_t size, double alpha, double beta, double bias) {
  const Shape& s = x.shape();
  std::vector<double> y(static_cast<size_t>(x.numel()));
  forIndex(s, [&](const std::vector<int64_t>& idx) {
    const int64_t c = idx[1];
    const int64_t lo = std::max<int64_t>(0, c - static_cast<int64_t>(std::floor((size - 1) / 2.0)));
    const int64_t hi = std::min<int64_t>(s[1] - 1, c + static_cast<int64_t>(std::ceil((size - 1) / 2.0)));
    double sq = 0;
    std::vector<int64_t> j = idx;
    for (j[1] = lo; j[1] <= hi; ++j[1]) sq += std::pow(x.getF(flat(s, j)), 2);
    y[static_cast<size_t>(flat(s, idx))] = x.getF(flat(s, idx)) / std::pow(bias + alpha / size * sq, beta);
  });
  return y;
}

TEST(LRN, MatchesSpecLoopAnyRankAndSize) {
  for (const Shape& s : std::vector<Shape>{{2, 5, 3}, {1, 6, 2, 3}, {2, 4, 2, 1, 2}})
    for (int64_t size : {1, 2, 3, 4, 5, 6, 9}) {
      Tensor x = rnd(s, static_cast<uint32_t>(size));
      for (size_t i = 0; i < static_cast<size_t>(x.numel()); ++i) x.setF(static_cast<int64_t>(i), 3 * x.getF(i));
      auto out = runOp("LRN", {in(x)}, lrnAttrs(size, 0.5, 0.75, 2));
      expectNear(out[0], s, refLrn(x, size, 0.5, 0.75, 2), 1e-5);
    }
  // Defaults: alpha 1e-4, beta 0.75, bias 1 (only size given).
  Tensor x = rnd({1, 8, 2, 2}, 3);
  for (size_t i = 0; i < static_cast<size_t>(x.numel()); ++i) x.setF(static_cast<int64_t>(i), 40 * x.getF(i));
  auto out = runOp("LRN", {in(x)}, {{"size", Attr::Int(5)}});
  expectNear(out[0], x.shape(), refLrn(x, 5, 1e-4, 0.75, 1), 1e-4);
  // F64 stays F64 (computed in double; attributes exact in float); F16 goes through float.
  Tensor xd = rnd({1, 4, 3}, 5, DType::F64);
  out = runOp("LRN", {in(xd)}, lrnAttrs(3, 2, 0.625, 1.5));
  EXPECT_EQ(out[0].dtype(), DType::F64);
  expectNear(out[0], {1, 4, 3}, refLrn(xd, 3, 2, 0.625, 1.5), 1e-12);
  Tensor xh = rnd({1, 4, 3}, 6, DType::F16);
  out = runOp("LRN", {in(xh)}, lrnAttrs(3, 2, 0.625, 1.5));
  EXPECT_EQ(out[0].dtype(), DType::F16);
  expectNear(out[0], {1, 4, 3}, refLrn(xh, 3, 2, 0.625, 1.5), 2e-3);
}

TEST(LRN, BadInputsAreErrors) {
  auto failsWith = [](const Tensor& x, const AttrMap& a, const std::string& msg) {
    try {
      runOp("LRN", {in(x)}, a);
      ADD_FAILURE() << "no error for " << msg;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("node 'node' (LRN)"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(msg), std::string::npos) << e.what();
    }
  };
  failsWith(rnd({2, 3}, 1), {{"size", Attr::Int(3)}}, "rank >= 3");
  failsWith(i64({1, 2, 2}, {1, 2, 3, 4}), {{"size", Attr::Int(3)}}, "float type");
  failsWith(rnd({1, 2, 2}, 1), {{"size", Attr::Int(0)}}, "size must be >= 1");
  failsWith(rnd({1, 2, 2}, 1), {}, "required attribute 'size'");
}

TEST(LpNormalization, HandComputedAndZeroNorm) {
  // rows (0, 0, 0) and (1, -2, 2): L1 norm 5, L2 norm 3; a zero norm gives zeros (as ONNX Runtime)
  Tensor x = f32({2, 3}, {0, 0, 0, 1, -2, 2});
  expectNear(runOp("LpNormalization", {in(x)}, {{"p", Attr::Int(1)}})[0], {2, 3}, {0, 0, 0, 0.2, -0.4, 0.4});
  expectNear(runOp("LpNormalization", {in(x)})[0], {2, 3}, {0, 0, 0, 1.0 / 3, -2.0 / 3, 2.0 / 3});
  // axis 0: columns (0, 1), (0, -2), (0, 2)
  expectNear(runOp("LpNormalization", {in(x)}, {{"axis", Attr::Int(0)}})[0], {2, 3}, {0, 0, 0, 1, -1, 1});
  EXPECT_THROW(runOp("LpNormalization", {in(x)}, {{"p", Attr::Int(3)}}), Error);
}

TEST(RMSNormalization, HandComputed) {
  // row (3, 4): mean of squares 12.5, epsilon 0: y = x / sqrt(12.5) * scale (1, 2); no mean taken
  Tensor x = f32({2, 2}, {3, 4, 0, 0});
  const double r = std::sqrt(12.5);
  auto y = runOp("RMSNormalization", {in(x), in(f32({2}, {1, 2}))}, {{"epsilon", Attr::Float(0)}});
  EXPECT_NEAR(y[0].getF(0), 3 / r, 1e-6);
  EXPECT_NEAR(y[0].getF(1), 8 / r, 1e-6);
  // axis 0 over both rows: mean of squares (9 + 16) / 4; a zero row stays 0 with epsilon 1e-5
  auto all = runOp("RMSNormalization", {in(x), in(f32({2}, {1, 1}))}, {{"axis", Attr::Int(0)}, {"epsilon", Attr::Float(0)}});
  EXPECT_NEAR(all[0].getF(1), 4 / std::sqrt(6.25), 1e-6);
  EXPECT_EQ(runOp("RMSNormalization", {in(x), in(f32({2}, {1, 1}))})[0].getF(3), 0.0);
}

TEST(GroupNormalization, HandComputedPerChannelAndPerGroup) {
  // N 1, C 2, spatial 2: channel 0 (1, 3), channel 1 (5, 7); epsilon 0
  Tensor x = f32({1, 2, 2}, {1, 3, 5, 7});
  const AttrMap eps0 = {{"epsilon", Attr::Float(0)}};
  AttrMap two = eps0, one = eps0;
  two["num_groups"] = Attr::Int(2);
  one["num_groups"] = Attr::Int(1);
  // two groups (one channel each): (-1, 1) per channel; scale (1, 2), bias (0, 1) per channel
  expectNear(runOp("GroupNormalization", {in(x), in(f32({2}, {1, 2})), in(f32({2}, {0, 1}))}, two)[0], {1, 2, 2},
             {-1, 1, -1, 3});
  // one group: mean 4, variance 5 over all four; scale and bias per group ([1]: opset 18's form)
  const double r = std::sqrt(5.0);
  expectNear(runOp("GroupNormalization", {in(x), in(f32({1}, {2})), in(f32({1}, {1}))}, one)[0], {1, 2, 2},
             {1 - 6 / r, 1 - 2 / r, 1 + 2 / r, 1 + 6 / r}, 1e-6);
  AttrMap three = eps0;
  three["num_groups"] = Attr::Int(3);  // does not divide 2 channels
  EXPECT_THROW(runOp("GroupNormalization", {in(x), in(f32({2}, {1, 1})), in(f32({2}, {0, 0}))}, three), Error);
}

}  // namespace
}  // namespace tinyc::test
