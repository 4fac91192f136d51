// TopK (lib/ops/axis_ops.cpp): order, ties, NaN, axes and bad K; ReverseSequence; GridSample
// (lib/ops/grid_sample.cpp).
#include <cmath>
#include <limits>

#include "nn_ref_util.h"

namespace tinyc::test {
namespace {

std::vector<Tensor> topk(Tensor x, int64_t k, AttrMap attrs = {}) {
  return runOp("TopK", {in(std::move(x)), cst(i64({1}, {static_cast<double>(k)}))}, std::move(attrs), 2);
}

TEST(TopK, LargestSmallestAndTiesByIndex) {
  // rows: {3, 1, 3, 2} and {0, -1, 5, 5}: equal values keep their index order
  Tensor x = f32({2, 4}, {3, 1, 3, 2, 0, -1, 5, 5});
  auto big = topk(x, 3);
  expectNear(big[0], {2, 3}, {3, 3, 2, 5, 5, 0});
  EXPECT_EQ(values(big[1]), (std::vector<double>{0, 2, 3, 2, 3, 0}));
  auto small = topk(x, 2, {{"largest", Attr::Int(0)}});
  expectNear(small[0], {2, 2}, {1, 2, -1, 0});
  EXPECT_EQ(values(small[1]), (std::vector<double>{1, 3, 1, 0}));
}

TEST(TopK, AlongAnOuterAxisAndIntegers) {
  // axis 0 of [3, 2]: columns {4, 9, 4} and {7, 7, 8}
  Tensor x = makeTensor(DType::I32, {3, 2}, {4, 7, 9, 7, 4, 8});
  auto out = topk(x, 2, {{"axis", Attr::Int(0)}});
  EXPECT_EQ(out[0].dtype(), DType::I32);
  EXPECT_EQ(values(out[0]), (std::vector<double>{9, 8, 4, 7}));
  EXPECT_EQ(values(out[1]), (std::vector<double>{1, 2, 0, 0}));
}

TEST(TopK, NaNCountsAsLargest) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Tensor x = f32({4}, {1, nan, 2, 0});
  auto big = topk(x, 2);
  EXPECT_TRUE(std::isnan(big[0].getF(0)));
  EXPECT_EQ(values(big[1]), (std::vector<double>{1, 2}));
  auto small = topk(x, 4, {{"largest", Attr::Int(0)}});
  EXPECT_EQ(values(small[1]), (std::vector<double>{3, 0, 2, 1}));
}

TEST(TopK, BadKIsAnError) {
  Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_THROW(topk(x, 4), Error);   // more than the axis holds
  EXPECT_THROW(topk(x, -1), Error);
  EXPECT_THROW(runOp("TopK", {in(x), in(i64({1}, {2}))}, {}, 2), Error);  // K not a constant
  EXPECT_EQ(topk(x, 0)[0].numel(), 0);
}

TEST(ReverseSequence, TimeAndBatchAxesAndClampedLengths) {
  // [time 3, batch 2]: batch 0 reverses 3 steps, batch 1 reverses 2
  Tensor x = f32({3, 2}, {0, 1, 2, 3, 4, 5});
  auto t0 = runOp("ReverseSequence", {in(x), in(i64({2}, {3, 2}))}, {{"time_axis", Attr::Int(0)}, {"batch_axis", Attr::Int(1)}});
  EXPECT_EQ(values(t0[0]), (std::vector<double>{4, 3, 2, 1, 0, 5}));
  // [batch 2, time 3]: row 0 reverses 1 step (unchanged), row 1 all 3
  Tensor y = f32({2, 3}, {0, 1, 2, 3, 4, 5});
  auto t1 = runOp("ReverseSequence", {in(y), in(i64({2}, {1, 3}))}, {{"time_axis", Attr::Int(1)}, {"batch_axis", Attr::Int(0)}});
  EXPECT_EQ(values(t1[0]), (std::vector<double>{0, 1, 2, 5, 4, 3}));
  // a length that arrives at run time outside [0, 3] is clamped; a constant one is an error
  auto t2 = runOp("ReverseSequence", {in(y), in(i64({2}, {-4, 9}))}, {{"time_axis", Attr::Int(1)}, {"batch_axis", Attr::Int(0)}});
  EXPECT_EQ(values(t2[0]), (std::vector<double>{0, 1, 2, 5, 4, 3}));
  EXPECT_THROW(runOp("ReverseSequence", {in(y), cst(i64({2}, {1, 4}))}, {{"time_axis", Attr::Int(1)}, {"batch_axis", Attr::Int(0)}}),
               Error);
  EXPECT_THROW(runOp("ReverseSequence", {in(y), in(i64({3}, {1, 1, 1}))}, {{"time_axis", Attr::Int(1)}, {"batch_axis", Attr::Int(0)}}),
               Error);  // one length per batch entry
  EXPECT_THROW(runOp("ReverseSequence", {in(y), in(i64({2}, {1, 1}))}, {{"time_axis", Attr::Int(1)}, {"batch_axis", Attr::Int(1)}}),
               Error);
}

}  // namespace
}  // namespace tinyc::test

namespace tinyc::test {

// Det lives with MatMul (lib/ops/nn_gemm.cpp); tested here with the other small ops.
TEST(Det, HandComputedPivotingAndSingular) {
  // {{0, 2}, {3, 4}}: -6 (a row swap); {{2, 4}, {1, 2}}: 0; the 3x3 {{1,2,3},{4,5,6},{7,8,10}}: -3
  Tensor x = f32({2, 2, 2}, {0, 2, 3, 4, 2, 4, 1, 2});
  auto out = runOp("Det", {in(x)});
  expectNear(out[0], {2}, {-6, 0});
  auto three = runOp("Det", {in(f32({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 10}))});
  expectNear(three[0], {}, {-3});
  EXPECT_THROW(runOp("Det", {in(f32({2, 3}, {1, 2, 3, 4, 5, 6}))}), Error);  // not square
  EXPECT_THROW(runOp("Det", {in(makeTensor(DType::I32, {2, 2}, {1, 2, 3, 4}))}), Error);
}

}  // namespace tinyc::test

namespace tinyc::test {

// MaxUnpool lives with the pools (lib/ops/pool.cpp).
TEST(MaxUnpool, PlacesValuesAndKeepsCoordinatesInALargerOutput) {
  // x [1, 1, 2, 2] unpooled with a 2x2 window, stride 2: 4x4; indices over that 4x4 tensor
  Tensor x = f32({1, 1, 2, 2}, {5, 6, 7, 8});
  Tensor idx = i64({1, 1, 2, 2}, {5, 7, 13, 15});
  AttrMap a = {{"kernel_shape", ints({2, 2})}, {"strides", ints({2, 2})}};
  auto plain = runOp("MaxUnpool", {in(x), in(idx)}, a);
  std::vector<double> want(16, 0.0);
  want[5] = 5, want[7] = 6, want[13] = 7, want[15] = 8;
  expectNear(plain[0], {1, 1, 4, 4}, want);
  auto big = runOp("MaxUnpool", {in(x), in(idx), cst(i64({4}, {1, 1, 5, 5}))}, a);  // same coordinates in 5x5
  std::vector<double> want5(25, 0.0);
  want5[6] = 5, want5[8] = 6, want5[16] = 7, want5[18] = 8;
  expectNear(big[0], {1, 1, 5, 5}, want5);
  EXPECT_THROW(runOp("MaxUnpool", {in(x), in(i64({1, 1, 2, 2}, {5, 7, 13, 16}))}, a), Error);  // index past 4x4
  EXPECT_THROW(runOp("MaxUnpool", {in(x), in(idx), cst(i64({4}, {1, 2, 5, 5}))}, a), Error);   // C changed
}

}  // namespace tinyc::test

namespace tinyc::test {

// Einsum lives with MatMul (lib/ops/nn_gemm.cpp).
TEST(Einsum, ProductsTracesBroadcastAndImplicitOutput) {
  AttrMap mm = {{"equation", Attr::Str("ij,jk->ik")}};
  auto p = runOp("Einsum", {in(f32({2, 2}, {1, 2, 3, 4})), in(f32({2, 1}, {5, 6}))}, mm);
  expectNear(p[0], {2, 1}, {17, 39});
  auto implicit = runOp("Einsum", {in(f32({2, 2}, {1, 2, 3, 4})), in(f32({2, 1}, {5, 6}))}, {{"equation", Attr::Str("ij, jk")}});
  expectNear(implicit[0], {2, 1}, {17, 39});
  auto trace = runOp("Einsum", {in(f32({2, 2}, {1, 2, 3, 4}))}, {{"equation", Attr::Str("ii")}});  // implicit: a scalar
  expectNear(trace[0], {}, {5});
  // "...ii->...i" over [2, 2, 2]: each batch's diagonal
  auto diag = runOp("Einsum", {in(f32({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8}))}, {{"equation", Attr::Str("...ii->...i")}});
  expectNear(diag[0], {2, 2}, {1, 4, 5, 8});
  // "...j,j->..." with a broadcast leading dim of 1
  auto b = runOp("Einsum", {in(f32({1, 2, 3}, {1, 2, 3, 4, 5, 6})), in(f32({3}, {1, 0, -1}))}, {{"equation", Attr::Str("...j,j->...")}});
  expectNear(b[0], {1, 2}, {-2, -2});
  auto ints = runOp("Einsum", {in(makeTensor(DType::I32, {3}, {1, 2, 3})), in(makeTensor(DType::I32, {3}, {4, 5, 6}))},
                    {{"equation", Attr::Str("i,i")}});
  EXPECT_EQ(ints[0].getI(0), 32);
}

TEST(Einsum, BadEquationsAreErrors) {
  Tensor a = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_THROW(runOp("Einsum", {in(a)}, {{"equation", Attr::Str("ijk->i")}}), Error);          // rank
  EXPECT_THROW(runOp("Einsum", {in(a), in(a)}, {{"equation", Attr::Str("ij,jk->ik")}}), Error);  // 3 vs 2
  EXPECT_THROW(runOp("Einsum", {in(a)}, {{"equation", Attr::Str("ij->iz")}}), Error);          // unknown label
  EXPECT_THROW(runOp("Einsum", {in(a)}, {{"equation", Attr::Str("ij->ii")}}), Error);          // repeated output
  EXPECT_THROW(runOp("Einsum", {in(a)}, {{"equation", Attr::Str("i$->i")}}), Error);
}

}  // namespace tinyc::test

namespace tinyc::test {

TEST(GridSample, HandComputedModesAndPadding) {
  // X = [[1, 2], [3, 4]]; grid points (x, y) normalized.
  Tensor x = f32({1, 1, 2, 2}, {1, 2, 3, 4});
  auto gs = [&](const char* mode, const char* pad, int align, std::vector<double> pts) {
    const int64_t n = static_cast<int64_t>(pts.size()) / 2;
    return runOp("GridSample", {in(x), in(f32({1, 1, n, 2}, pts))},
                 {{"mode", Attr::Str(mode)}, {"padding_mode", Attr::Str(pad)}, {"align_corners", Attr::Int(align)}})[0];
  };
  // (0, 0) is the centre: pixel coordinates (0.5, 0.5), the mean of the four; (-1, -1) is the
  // corner -0.5 (align_corners 0): zeros gives 1/4 of X[0][0], border clamps to 0 (X[0][0]),
  // reflection reflects tap -1 at -0.5 to 0 (X[0][0]).
  expectNear(gs("linear", "zeros", 0, {0, 0, -1, -1}), {1, 1, 1, 2}, {2.5, 0.25});
  expectNear(gs("bilinear", "border", 0, {0, 0, -1, -1}), {1, 1, 1, 2}, {2.5, 1});
  expectNear(gs("linear", "reflection", 0, {-1, -1}), {1, 1, 1, 1}, {1});
  // align_corners 1: (0.1, 0.6) is (0.55, 0.8), nearest (1, 1): X[1][1]; (0, -1) is (0.5, 0): a
  // tie, rounded to even (0, 0): X[0][0]; (3, 0) is (2, 0.5) -> (2, 0): zeros outside, border X[0][1].
  expectNear(gs("nearest", "zeros", 1, {0.1, 0.6, 0, -1, 3, 0}), {1, 1, 1, 3}, {4, 1, 0});
  expectNear(gs("nearest", "border", 1, {3, 0}), {1, 1, 1, 1}, {2});
  // cubic at a pixel centre (align_corners 1, (-1, -1) = pixel (0, 0)): the weights (0, 1, 0, 0)
  // give the pixel itself; border padding for the taps outside.
  expectNear(gs("cubic", "border", 1, {-1, -1, 1, 1}), {1, 1, 1, 2}, {1, 4});
}

TEST(GridSample, BadShapesAndModes) {
  Tensor x = f32({1, 1, 2, 2}, {1, 2, 3, 4});
  EXPECT_THROW(runOp("GridSample", {in(x), in(f32({1, 1, 1, 3}, {0, 0, 0}))}), Error);  // last dim != 2
  EXPECT_THROW(runOp("GridSample", {in(x), in(f32({1, 1, 2}, {0, 0}))}), Error);        // rank differs
  EXPECT_THROW(runOp("GridSample", {in(x), in(f32({1, 1, 1, 2}, {0, 0}))}, {{"mode", Attr::Str("area")}}), Error);
}

}  // namespace tinyc::test

namespace tinyc::test {

TEST(CumProd, RunningProductsExclusiveReverseAndWrap) {
  const Tensor x = f32({4}, {1, 2, 3, 4});
  const OpInput axis = cst(i64({}, {0}));
  expectNear(runOp("CumProd", {in(x), axis})[0], {4}, {1, 2, 6, 24});
  expectNear(runOp("CumProd", {in(x), axis}, {{"exclusive", Attr::Int(1)}})[0], {4}, {1, 1, 2, 6});
  expectNear(runOp("CumProd", {in(x), axis}, {{"reverse", Attr::Int(1)}})[0], {4}, {24, 24, 12, 4});
  // integers wrap: int8 16 * 16 = 256 -> 0; uint16 300 * 300 = 90000 -> 24464
  EXPECT_EQ(values(runOp("CumProd", {in(makeTensor(DType::I8, {2}, {16, 16})), axis})[0]), (std::vector<double>{16, 0}));
  EXPECT_EQ(values(runOp("CumProd", {in(makeTensor(DType::U16, {2}, {300, 300})), axis})[0]),
            (std::vector<double>{300, 24464}));
}

TEST(AffineGrid, IdentityAndShift) {
  // identity theta over H 2, W 2: the base coordinates (+-0.5 without align_corners, +-1 with)
  const Tensor id = f32({1, 2, 3}, {1, 0, 0, 0, 1, 0});
  const OpInput size = cst(i64({4}, {1, 1, 2, 2}));
  expectNear(runOp("AffineGrid", {in(id), size})[0], {1, 2, 2, 2}, {-0.5, -0.5, 0.5, -0.5, -0.5, 0.5, 0.5, 0.5});
  expectNear(runOp("AffineGrid", {in(id), size}, {{"align_corners", Attr::Int(1)}})[0], {1, 2, 2, 2},
             {-1, -1, 1, -1, -1, 1, 1, 1});
  // x' = 2 x + 0.25 (from theta's first row), y' = y
  const Tensor sh = f32({1, 2, 3}, {2, 0, 0.25, 0, 1, 0});
  expectNear(runOp("AffineGrid", {in(sh), size})[0], {1, 2, 2, 2}, {-0.75, -0.5, 1.25, -0.5, -0.75, 0.5, 1.25, 0.5});
  EXPECT_THROW(runOp("AffineGrid", {in(id), cst(i64({4}, {2, 1, 2, 2}))}), Error);  // batch 2, one theta
}

}  // namespace tinyc::test

namespace tinyc::test {

// RoiAlign (lib/ops/roi_align.cpp) on X = 0..15 over a 4x4 plane (value = 4 y + x: bilinear
// sampling of a linear function gives the position's own value).
TEST(RoiAlign, HandComputedSamples) {
  Tensor x = f32({1, 1, 4, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  auto roi = [&](std::vector<double> box, std::vector<double> batch, AttrMap a) {
    const int64_t r = static_cast<int64_t>(batch.size());
    return runOp("RoiAlign", {in(x), in(f32({r, 4}, box)), in(i64({r}, batch))}, std::move(a))[0];
  };
  const AttrMap outHalf = {{"coordinate_transformation_mode", Attr::Str("output_half_pixel")},
                           {"sampling_ratio", Attr::Int(1)}};
  // output_half_pixel, one sample at the box centre (1.5, 1.5): 4 * 1.5 + 1.5.
  expectNear(roi({0, 0, 3, 3}, {0}, outHalf), {1, 1, 1, 1}, {7.5});
  // half_pixel shifts the box by -0.5: the centre (1, 1) is X[1][1] = 5; 2x2 bins, 1 sample each
  // at (0.25 + 1.5 k): 4 y + x at those points.
  AttrMap half = {{"sampling_ratio", Attr::Int(1)}, {"output_height", Attr::Int(2)}, {"output_width", Attr::Int(2)}};
  expectNear(roi({0.5, 0.5, 3.5, 3.5}, {0}, half), {1, 1, 2, 2}, {3.75, 5.25, 9.75, 11.25});
  // max mode takes the largest weighted tap of the sample, not the interpolated value: at (1.5,
  // 1.5) the taps 5, 6, 9, 10 weigh 1/4 each: 2.5.
  AttrMap mx = outHalf;
  mx["mode"] = Attr::Str("max");
  expectNear(roi({0, 0, 3, 3}, {0}, mx), {1, 1, 1, 1}, {2.5});
  // An automatic grid takes ceil(bin size) samples: 2 x 2 over the box 1.5 .. 3.5, at 2 and 3;
  // samples past the last row/column clamp to it (at 3 and 4: all X[3][3]); a sample past the
  // plane (beyond 4) counts zero.
  AttrMap autoGrid = {{"coordinate_transformation_mode", Attr::Str("output_half_pixel")}};
  expectNear(roi({1.5, 1.5, 3.5, 3.5}, {0}, autoGrid), {1, 1, 1, 1}, {(10 + 11 + 14 + 15) / 4.0});
  expectNear(roi({2.5, 2.5, 4.5, 4.5}, {0}, autoGrid), {1, 1, 1, 1}, {15});
  expectNear(roi({5.5, 5.5, 7.5, 7.5}, {0}, autoGrid), {1, 1, 1, 1}, {0});
  // A batch index outside [0, N): zeros (tinyc's choice; the reference reads out of bounds).
  expectNear(roi({0, 0, 3, 3}, {1}, outHalf), {1, 1, 1, 1}, {0});
}

TEST(RoiAlign, BadShapesAndModes) {
  Tensor x = f32({1, 1, 4, 4}, std::vector<double>(16, 1));
  EXPECT_THROW(runOp("RoiAlign", {in(x), in(f32({1, 3}, {0, 0, 1})), in(i64({1}, {0}))}), Error);
  EXPECT_THROW(runOp("RoiAlign", {in(x), in(f32({1, 4}, {0, 0, 1, 1})), in(i64({2}, {0, 0}))}), Error);
  EXPECT_THROW(runOp("RoiAlign", {in(x), in(f32({1, 4}, {0, 0, 1, 1})), in(i64({1}, {0}))}, {{"mode", Attr::Str("sum")}}),
               Error);
}

}  // namespace tinyc::test

namespace tinyc::test {

// DeformConv (lib/ops/deform_conv.cpp): a 1x1 kernel of weight 2 over X = 3 y + x on a 3x3 plane.
TEST(DeformConv, HandComputedOffsetsMaskAndBias) {
  Tensor x = f32({1, 1, 3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8});
  Tensor w = f32({1, 1, 1, 1}, {2});
  auto off = [](double dy, double dx) {
    std::vector<double> v(18);
    for (int i = 0; i < 9; ++i) v[static_cast<size_t>(i)] = dy, v[static_cast<size_t>(9 + i)] = dx;
    return f32({1, 2, 3, 3}, v);
  };
  // No offset: a plain 1x1 convolution.
  expectNear(runOp("DeformConv", {in(x), in(w), in(off(0, 0))})[0], {1, 1, 3, 3}, {0, 2, 4, 6, 8, 10, 12, 14, 16});
  // (0.5, 0.5): the mean of four pixels inside; at the last row/column the taps outside are zeros
  // (pixel (2, 2): only X[2][2] = 8 at weight 1/4).
  auto y = runOp("DeformConv", {in(x), in(w), in(off(0.5, 0.5))})[0];
  EXPECT_NEAR(y.getF(0), 2 * (0 + 1 + 3 + 4) / 4.0, 1e-6);
  EXPECT_NEAR(y.getF(8), 2 * 8 / 4.0, 1e-6);
  // Bias and mask: 0.5 * 2 * X + 1.
  auto z = runOp("DeformConv", {in(x), in(w), in(off(0, 0)), in(f32({1}, {1})), in(f32({1, 1, 3, 3}, std::vector<double>(9, 0.5)))})[0];
  expectNear(z, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  // An offset of the wrong shape, a 1-D X.
  EXPECT_THROW(runOp("DeformConv", {in(x), in(w), in(f32({1, 1, 3, 3}, std::vector<double>(9, 0)))}), Error);
  EXPECT_THROW(runOp("DeformConv", {in(f32({1, 1, 3}, {0, 1, 2})), in(f32({1, 1, 1}, {1})), in(f32({1, 2, 3}, std::vector<double>(6, 0)))}),
               Error);
}

}  // namespace tinyc::test
