// Quantization ops. Expected values are worked out by hand or by the naive loops below.
#include <algorithm>
#include <cmath>

#include "op_test_util.h"

namespace tinyc::test {
namespace {

Tensor u8(Shape s, const std::vector<double>& v) { return makeTensor(DType::U8, std::move(s), v); }
Tensor s8(Shape s, const std::vector<double>& v) { return makeTensor(DType::I8, std::move(s), v); }
Tensor s32(Shape s, const std::vector<double>& v) { return makeTensor(DType::I32, std::move(s), v); }
Tensor scalarF(double v) { return f32({}, {v}); }

void expectExact(const Tensor& got, DType t, const Shape& shape, const std::vector<int64_t>& want) {
  ASSERT_EQ(got.dtype(), t);
  ASSERT_EQ(got.shape(), shape);
  ASSERT_EQ(static_cast<size_t>(got.numel()), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got.getI(static_cast<int64_t>(i)), want[i]) << "at " << i;
}

// ---- QuantizeLinear -------------------------------------------------------------------------

TEST(QuantizeLinear, PerTensorUint8Saturates) {
  auto out = runOp("QuantizeLinear", {in(f32({6}, {0, 2, 3, 1000, -254, -1000})), in(scalarF(2)), in(u8({}, {128}))});
  // 0/2+128, 1+128, round(1.5)=2 -> 130, 500+128 -> 255, -127+128, -500+128 -> 0
  expectExact(out[0], DType::U8, {6}, {128, 129, 130, 255, 1, 0});
}

TEST(QuantizeLinear, RoundsHalfToEven) {
  auto out = runOp("QuantizeLinear", {in(f32({6}, {1, 3, 5, -1, -3, -5})), in(scalarF(2)), in(s8({}, {0}))});
  // 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> 0, -1.5 -> -2, -2.5 -> -2
  expectExact(out[0], DType::I8, {6}, {0, 2, 2, 0, -2, -2});
}

TEST(QuantizeLinear, NoZeroPointGivesUint8) {
  auto out = runOp("QuantizeLinear", {in(f32({4}, {-1, 0.4, 0.6, 300})), in(scalarF(1))});
  expectExact(out[0], DType::U8, {4}, {0, 0, 1, 255});
}

TEST(QuantizeLinear, OutputDtypeAttribute) {
  auto out = runOp("QuantizeLinear", {in(f32({2}, {-200, 5})), in(scalarF(1))}, {{"output_dtype", Attr::Int(3)}});
  expectExact(out[0], DType::I8, {2}, {-128, 5});
  // disagreeing with the zero point type is an error
  EXPECT_THROW(
      runOp("QuantizeLinear", {in(f32({1}, {1})), in(scalarF(1)), in(u8({}, {0}))}, {{"output_dtype", Attr::Int(3)}}),
      Error);
}

TEST(QuantizeLinear, Int16AndUint16Saturate) {
  auto a = runOp("QuantizeLinear",
                 {in(f32({3}, {40000, -40000, 1.5})), in(scalarF(1)), in(makeTensor(DType::I16, {}, {0}))});
  expectExact(a[0], DType::I16, {3}, {32767, -32768, 2});
  auto b =
      runOp("QuantizeLinear", {in(f32({3}, {70000, -5, 7})), in(scalarF(0.5)), in(makeTensor(DType::U16, {}, {100}))});
  expectExact(b[0], DType::U16, {3}, {65535, 90, 114});
}

TEST(QuantizeLinear, PerAxis) {
  // x [1,2,2], axis 1: channel 0 scale 1 zp 0, channel 1 scale 2 zp 10
  auto out = runOp("QuantizeLinear", {in(f32({1, 2, 2}, {1, 2, 3, 4})), in(f32({2}, {1, 2})), in(s8({2}, {0, 10}))});
  expectExact(out[0], DType::I8, {1, 2, 2}, {1, 2, 12, 12});
  // negative axis: axis -1 over the last dim
  auto last = runOp("QuantizeLinear", {in(f32({2, 2}, {4, 4, 8, 8})), in(f32({2}, {1, 4})), in(u8({2}, {0, 1}))},
                    {{"axis", Attr::Int(-1)}});
  expectExact(last[0], DType::U8, {2, 2}, {4, 2, 8, 3});
}

TEST(QuantizeLinear, Blocked) {
  // x [2,4], axis 1, block 2: scale [2,2]
  auto out =
      runOp("QuantizeLinear",
            {in(f32({2, 4}, {2, 4, 8, 16, 4, 8, 16, 32})), in(f32({2, 2}, {1, 2, 4, 8})), in(s8({2, 2}, {0, 0, 1, 2}))},
            {{"axis", Attr::Int(1)}, {"block_size", Attr::Int(2)}});
  expectExact(out[0], DType::I8, {2, 4}, {2, 4, 4, 8, 2, 3, 4, 6});
  EXPECT_THROW(
      runOp("QuantizeLinear", {in(f32({2, 4}, std::vector<double>(8, 1))), in(f32({2, 3}, std::vector<double>(6, 1)))},
            {{"block_size", Attr::Int(2)}}),
      Error);
}

TEST(QuantizeLinear, Errors) {
  // scale of the wrong length for the axis
  EXPECT_THROW(runOp("QuantizeLinear", {in(f32({2, 3}, {1, 2, 3, 4, 5, 6})), in(f32({2}, {1, 1}))}), Error);
  // zero point shape differs from the scale
  EXPECT_THROW(runOp("QuantizeLinear", {in(f32({2, 3}, {1, 2, 3, 4, 5, 6})), in(f32({3}, {1, 1, 1})), in(u8({}, {0}))}),
               Error);
  // quantizing to a float type / from int8
  EXPECT_THROW(runOp("QuantizeLinear", {in(f32({1}, {1})), in(scalarF(1)), in(f32({}, {0}))}), Error);
  EXPECT_THROW(runOp("QuantizeLinear", {in(s8({1}, {1})), in(scalarF(1))}), Error);
  // integer scale
  EXPECT_THROW(runOp("QuantizeLinear", {in(f32({1}, {1})), in(s32({}, {1}))}), Error);
  EXPECT_THROW(runOp("QuantizeLinear", {in(f32({1}, {1})), in(scalarF(1))}, {{"bogus", Attr::Int(1)}}), Error);
}

// ---- DequantizeLinear -----------------------------------------------------------------------

TEST(DequantizeLinear, PerTensor) {
  auto out = runOp("DequantizeLinear", {in(u8({4}, {0, 3, 128, 255})), in(scalarF(2)), in(u8({}, {128}))});
  ASSERT_EQ(out[0].dtype(), DType::F32);
  expectNear(out[0], {4}, {-256, -250, 0, 254});
}

TEST(DequantizeLinear, PerAxisAndInt32) {
  auto out = runOp("DequantizeLinear", {in(s8({2, 2}, {-1, 2, 3, 4})), in(f32({2}, {0.5, 2})), in(s8({2}, {1, -1}))},
                   {{"axis", Attr::Int(0)}});
  expectNear(out[0], {2, 2}, {-1, 0.5, 8, 10});
  auto i32 = runOp("DequantizeLinear", {in(s32({2}, {1000000, -3})), in(scalarF(0.5))});
  expectNear(i32[0], {2}, {500000, -1.5});
  auto i16 = runOp("DequantizeLinear", {in(makeTensor(DType::I16, {2}, {-32768, 100})), in(scalarF(0.25)),
                                        in(makeTensor(DType::I16, {}, {100}))});
  expectNear(i16[0], {2}, {-8217, 0});
}

TEST(DequantizeLinear, Blocked) {
  // x [4,2], axis 0, block 3 -> scale [2,2]; rows 0..2 use scale row 0, row 3 uses row 1
  auto out = runOp("DequantizeLinear", {in(s8({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8})), in(f32({2, 2}, {1, 2, 10, 20}))},
                   {{"axis", Attr::Int(0)}, {"block_size", Attr::Int(3)}});
  expectNear(out[0], {4, 2}, {1, 4, 3, 8, 5, 12, 70, 160});
}

TEST(DequantizeLinear, Errors) {
  EXPECT_THROW(runOp("DequantizeLinear", {in(f32({1}, {1})), in(scalarF(1))}), Error);                  // float x
  EXPECT_THROW(runOp("DequantizeLinear", {in(u8({1}, {1})), in(scalarF(1)), in(s8({}, {0}))}), Error);  // zp type
  EXPECT_THROW(runOp("DequantizeLinear", {in(u8({2, 2}, {1, 2, 3, 4})), in(f32({3}, {1, 1, 1}))}), Error);
  EXPECT_THROW(runOp("DequantizeLinear", {in(u8({2}, {1, 2})), in(scalarF(1))}, {{"block_size", Attr::Int(-1)}}),
               Error);
  EXPECT_THROW(
      runOp("DequantizeLinear", {in(u8({2, 2}, {1, 2, 3, 4})), in(f32({2}, {1, 1}))}, {{"axis", Attr::Int(2)}}), Error);
}

// ---- DynamicQuantizeLinear ------------------------------------------------------------------

TEST(DynamicQuantizeLinear, OnnxExampleAndEdgeCases) {
  // ONNX example: range [-3, 2] -> scale 5/255, zero point 153
  auto out = runOp("DynamicQuantizeLinear", {in(f32({6}, {0, 2, -3, -2.5, 1.34, 0.5}))}, {}, 3);
  expectExact(out[0], DType::U8, {6}, {153, 255, 0, 26, 221, 179});
  expectNear(out[1], {}, {5.0 / 255.0}, 1e-7);
  expectExact(out[2], DType::U8, {}, {153});
  // all positive: the range is extended to 0, so the zero point is 0
  auto pos = runOp("DynamicQuantizeLinear", {in(f32({3}, {1, 2, 3}))}, {}, 3);
  expectExact(pos[0], DType::U8, {3}, {85, 170, 255});
  expectExact(pos[2], DType::U8, {}, {0});
  // all zero: scale 0, everything 0
  auto zero = runOp("DynamicQuantizeLinear", {in(f32({2}, {0, 0}))}, {}, 3);
  expectExact(zero[0], DType::U8, {2}, {0, 0});
  EXPECT_THROW(runOp("DynamicQuantizeLinear", {in(u8({1}, {1}))}, {}, 3), Error);
  EXPECT_THROW(runOp("DynamicQuantizeLinear", {in(f32({1}, {1}))}, {}, 1), Error);  // needs all three outputs
}

// ---- MatMulInteger --------------------------------------------------------------------------

TEST(MatMulInteger, OnnxExample) {
  auto out = runOp("MatMulInteger", {in(u8({4, 3}, {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0})),
                                     in(u8({3, 2}, {1, 4, 2, 5, 3, 6})), in(u8({}, {12})), in(u8({}, {0}))});
  expectExact(out[0], DType::I32, {4, 2}, {-38, -83, -44, -98, -50, -113, -56, -128});
}

TEST(MatMulInteger, PerRowAndPerColumnZeroPointsMixedTypes) {
  const std::vector<double> a = {200, 3, 17, 0, 255, 128};  // u8 [2,3]
  const std::vector<double> b = {-128, 5, 127, -7, 0, 33};  // i8 [3,2]
  const std::vector<double> az = {100, 3}, bz = {-1, 2};
  std::vector<int64_t> want;
  for (int m = 0; m < 2; ++m)
    for (int n = 0; n < 2; ++n) {
      int64_t acc = 0;
      for (int k = 0; k < 3; ++k)
        acc += static_cast<int64_t>(a[static_cast<size_t>(m * 3 + k)] - az[static_cast<size_t>(m)]) *
               static_cast<int64_t>(b[static_cast<size_t>(k * 2 + n)] - bz[static_cast<size_t>(n)]);
      want.push_back(acc);
    }
  auto out = runOp("MatMulInteger", {in(u8({2, 3}, a)), in(s8({3, 2}, b)), in(u8({2}, az)), in(s8({2}, bz))});
  expectExact(out[0], DType::I32, {2, 2}, want);
}

TEST(MatMulInteger, BatchedBroadcastAnd1D) {
  // A [2,2,3] x B [3,2]; no zero points
  std::vector<double> a = {1, 2, 3, 4, 5, 6, -1, -2, -3, 7, 8, 9}, b = {1, 0, 0, 1, 1, 1};
  auto out = runOp("MatMulInteger", {in(s8({2, 2, 3}, a)), in(s8({3, 2}, b))});
  expectExact(out[0], DType::I32, {2, 2, 2}, {4, 5, 10, 11, -4, -5, 16, 17});
  // 1-D A: [3] x [3,2] -> [2]
  auto v = runOp("MatMulInteger", {in(s8({3}, {1, 2, 3})), in(s8({3, 2}, b))});
  expectExact(v[0], DType::I32, {2}, {4, 5});
}

TEST(MatMulInteger, Errors) {
  EXPECT_THROW(runOp("MatMulInteger", {in(u8({2, 3}, std::vector<double>(6, 1))), in(u8({2, 2}, {1, 1, 1, 1}))}),
               Error);
  EXPECT_THROW(runOp("MatMulInteger", {in(f32({1, 1}, {1})), in(u8({1, 1}, {1}))}), Error);
  EXPECT_THROW(
      runOp("MatMulInteger", {in(u8({2, 2}, {1, 1, 1, 1})), in(u8({2, 2}, {1, 1, 1, 1})), in(u8({3}, {0, 0, 0}))}),
      Error);
  EXPECT_THROW(runOp("MatMulInteger", {in(u8({2, 2}, {1, 1, 1, 1})), in(u8({2, 2}, {1, 1, 1, 1})), in(s8({}, {0}))}),
               Error);
}

// ---- QLinearMatMul --------------------------------------------------------------------------

TEST(QLinearMatMul, OnnxExample2D) {
  auto out = runOp("QLinearMatMul",
                   {in(u8({2, 4}, {208, 236, 0, 238, 3, 214, 255, 29})), in(scalarF(0.0066)), in(u8({}, {113})),
                    in(u8({4, 3}, {152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247})), in(scalarF(0.00705)),
                    in(u8({}, {114})), in(scalarF(0.0107)), in(u8({}, {118}))});
  expectExact(out[0], DType::U8, {2, 3}, {168, 115, 255, 1, 66, 151});
}

TEST(QLinearMatMul, PerColumnScaleRoundsHalfToEven) {
  // A = [[1, 2], [3, 0]] (zp 0), B = [[1, 1], [0, 1]] (zp 0), acc = [[1, 3], [3, 3]];
  // a_scale 0.5, b_scale per column [1, 2], y_scale per row [1, 2], y_zero_point -3.
  auto out = runOp("QLinearMatMul",
                   {in(s8({2, 2}, {1, 2, 3, 0})), in(scalarF(0.5)), in(s8({}, {0})), in(s8({2, 2}, {1, 1, 0, 1})),
                    in(f32({2}, {1, 2})), in(s8({2}, {0, 0})), in(f32({2}, {1, 2})), in(s8({2}, {-3, -3}))});
  // row 0: col0 1*0.5*1/1 = 0.5 -> 0, col1 3*0.5*2/1 = 3 -> 3; row 1: col0 3*0.5*1/2 = 0.75 -> 1, col1 3*0.5*2/2 = 1.5
  // -> 2
  expectExact(out[0], DType::I8, {2, 2}, {-3, 0, -2, -1});
}

TEST(QLinearMatMul, Batched3DWithNaiveReference) {
  const std::vector<double> a = {1, 250, 17, 0, 99, 128, 77, 3, 4, 5, 6, 7, 200, 100, 50, 25};  // [2,2,4]
  const std::vector<double> b = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120};            // [4,3]
  const float sa = 0.02f, sb = 0.1f, sy = 0.75f;
  const int az = 120, bz = 64, yz = 7;
  std::vector<int64_t> want;
  for (int bt = 0; bt < 2; ++bt)
    for (int m = 0; m < 2; ++m)
      for (int n = 0; n < 3; ++n) {
        int32_t acc = 0;
        for (int k = 0; k < 4; ++k)
          acc += (static_cast<int32_t>(a[static_cast<size_t>(bt * 8 + m * 4 + k)]) - az) *
                 (static_cast<int32_t>(b[static_cast<size_t>(k * 3 + n)]) - bz);
        float v = static_cast<float>(acc) * (sa * sb / sy);
        want.push_back(std::clamp<int64_t>(static_cast<int64_t>(std::nearbyint(v)) + yz, 0, 255));
      }
  auto out = runOp("QLinearMatMul", {in(u8({2, 2, 4}, a)), in(scalarF(sa)), in(u8({}, {az})), in(u8({4, 3}, b)),
                                     in(scalarF(sb)), in(u8({}, {bz})), in(scalarF(sy)), in(u8({}, {yz}))});
  expectExact(out[0], DType::U8, {2, 2, 3}, want);
}

TEST(QLinearMatMul, Errors) {
  auto run = [](Tensor bScale, Tensor yZp) {
    return runOp("QLinearMatMul",
                 {in(u8({2, 2}, {1, 2, 3, 4})), in(scalarF(1)), in(u8({}, {0})), in(u8({2, 2}, {1, 2, 3, 4})),
                  in(std::move(bScale)), in(u8({}, {0})), in(scalarF(1)), in(std::move(yZp))});
  };
  EXPECT_THROW(run(f32({3}, {1, 1, 1}), u8({}, {0})), Error);  // b_scale length
  EXPECT_THROW(run(scalarF(1), f32({}, {0})), Error);          // float y zero point
  EXPECT_THROW(run(s32({}, {1}), u8({}, {0})), Error);         // integer scale
}

// ---- convolutions ---------------------------------------------------------------------------

// Naive 2-D conv over already zero-point-corrected ints: x [N,C,H,W], w [M,C/group,KH,KW].
struct Conv2d {
  int64_t N, C, H, W, M, KH, KW, group = 1;
  int64_t sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, pb = 0, pr = 0;
  int64_t OH() const { return (H + pt + pb - ((KH - 1) * dh + 1)) / sh + 1; }
  int64_t OW() const { return (W + pl + pr - ((KW - 1) * dw + 1)) / sw + 1; }
  std::vector<int64_t> run(const std::vector<int64_t>& x, const std::vector<int64_t>& w) const {
    std::vector<int64_t> y;
    const int64_t cg = C / group, mg = M / group;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t m = 0; m < M; ++m)
        for (int64_t oh = 0; oh < OH(); ++oh)
          for (int64_t ow = 0; ow < OW(); ++ow) {
            int64_t acc = 0;
            for (int64_t c = 0; c < cg; ++c)
              for (int64_t kh = 0; kh < KH; ++kh)
                for (int64_t kw = 0; kw < KW; ++kw) {
                  int64_t ih = oh * sh - pt + kh * dh, iw = ow * sw - pl + kw * dw;
                  if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                  int64_t ic = (m / mg) * cg + c;
                  acc += x[static_cast<size_t>(((n * C + ic) * H + ih) * W + iw)] *
                         w[static_cast<size_t>(((m * cg + c) * KH + kh) * KW + kw)];
                }
            y.push_back(acc);
          }
    return y;
  }
};

std::vector<double> pattern(size_t n, int mod, int offset) {
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = static_cast<double>(static_cast<int>((i * 37 + 11) % static_cast<size_t>(mod)) + offset);
  return v;
}

TEST(ConvInteger, OnnxExamples) {
  auto x = u8({1, 1, 3, 3}, {2, 3, 4, 5, 6, 7, 8, 9, 10});
  auto w = u8({1, 1, 2, 2}, {1, 1, 1, 1});
  auto out = runOp("ConvInteger", {in(x), in(w), in(u8({}, {1}))});
  expectExact(out[0], DType::I32, {1, 1, 2, 2}, {12, 16, 24, 28});
  auto padded = runOp("ConvInteger", {in(x), in(w), in(u8({}, {1}))}, {{"pads", Attr::Ints({1, 1, 1, 1})}});
  expectExact(padded[0], DType::I32, {1, 1, 4, 4}, {1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9});
}

TEST(ConvInteger, AutoPadGroupsDilationAgainstNaive) {
  Conv2d g{1, 4, 5, 6, 4, 2, 3};
  g.group = 2;
  auto xv = pattern(static_cast<size_t>(g.N * g.C * g.H * g.W), 256, 0);
  auto wv = pattern(static_cast<size_t>(g.M * 2 * g.KH * g.KW), 256, -128);
  const std::vector<double> wz = {3, -4, 0, 127};
  std::vector<int64_t> xi, wi;
  for (double v : xv) xi.push_back(static_cast<int64_t>(v) - 9);
  for (size_t i = 0; i < wv.size(); ++i) wi.push_back(static_cast<int64_t>(wv[i] - wz[i / 12]));
  // SAME_UPPER, stride 2: out = ceil(5/2)=3, ceil(6/2)=3; total pad h = 2*2+2-5 = 1 -> (0,1); w = 2*2+3-6 = 1 -> (0,1)
  Conv2d same = g;
  same.sh = same.sw = 2;
  same.pb = same.pr = 1;
  auto out =
      runOp("ConvInteger", {in(u8({1, 4, 5, 6}, xv)), in(s8({4, 2, 2, 3}, wv)), in(u8({}, {9})), in(s8({4}, wz))},
            {{"group", Attr::Int(2)}, {"strides", Attr::Ints({2, 2})}, {"auto_pad", Attr::Str("SAME_UPPER")}});
  expectExact(out[0], DType::I32, {1, 4, same.OH(), same.OW()}, same.run(xi, wi));
  // SAME_LOWER puts the odd pad first
  Conv2d lower = same;
  lower.pb = lower.pr = 0;
  lower.pt = lower.pl = 1;
  auto outL =
      runOp("ConvInteger", {in(u8({1, 4, 5, 6}, xv)), in(s8({4, 2, 2, 3}, wv)), in(u8({}, {9})), in(s8({4}, wz))},
            {{"group", Attr::Int(2)}, {"strides", Attr::Ints({2, 2})}, {"auto_pad", Attr::Str("SAME_LOWER")}});
  expectExact(outL[0], DType::I32, {1, 4, 3, 3}, lower.run(xi, wi));
  // dilation 2 with explicit asymmetric pads
  Conv2d dil = g;
  dil.dh = dil.dw = 2;
  dil.pt = 1;
  dil.pr = 2;
  auto outD =
      runOp("ConvInteger", {in(u8({1, 4, 5, 6}, xv)), in(s8({4, 2, 2, 3}, wv)), in(u8({}, {9})), in(s8({4}, wz))},
            {{"group", Attr::Int(2)}, {"dilations", Attr::Ints({2, 2})}, {"pads", Attr::Ints({1, 0, 0, 2})}});
  expectExact(outD[0], DType::I32, {1, 4, dil.OH(), dil.OW()}, dil.run(xi, wi));
}

TEST(ConvInteger, Conv1DAndErrors) {
  // 1-D: x [1,1,4] = 1..4, w [1,1,2] = [1,-1] -> [-1,-1,-1]
  auto out = runOp("ConvInteger", {in(s8({1, 1, 4}, {1, 2, 3, 4})), in(s8({1, 1, 2}, {1, -1}))});
  expectExact(out[0], DType::I32, {1, 1, 3}, {-1, -1, -1});
  EXPECT_THROW(runOp("ConvInteger", {in(s8({1, 2, 4}, std::vector<double>(8, 1))), in(s8({1, 1, 2}, {1, 1}))}), Error);
  EXPECT_THROW(runOp("ConvInteger", {in(s8({1, 1, 4}, {1, 2, 3, 4})), in(s8({1, 1, 5}, {1, 1, 1, 1, 1}))}), Error);
  EXPECT_THROW(runOp("ConvInteger", {in(s8({1, 1, 4}, {1, 2, 3, 4})), in(s8({1, 1, 2}, {1, 1}))},
                     {{"auto_pad", Attr::Str("SAME")}}),
               Error);
  EXPECT_THROW(runOp("ConvInteger", {in(s8({1, 1, 4}, {1, 2, 3, 4})), in(s8({1, 1, 2}, {1, 1}))},
                     {{"kernel_shape", Attr::Ints({3})}}),
               Error);
}

TEST(QLinearConv, HandComputed) {
  // x - 1 = [[0,1,2],[3,4,5],[6,7,8]], w = [[1,0],[0,-1]] -> every output is -4; scale 0.5*1/1 -> -2; +zp 5 -> 3
  auto out = runOp("QLinearConv", {in(u8({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})), in(scalarF(0.5)), in(u8({}, {1})),
                                   in(s8({1, 1, 2, 2}, {1, 0, 0, -1})), in(scalarF(1)), in(s8({}, {0})), in(scalarF(1)),
                                   in(s8({}, {5}))});
  expectExact(out[0], DType::I8, {1, 1, 2, 2}, {3, 3, 3, 3});
  // with bias 9: (-4 + 9) * 0.5 = 2.5 -> 2 (half to even) + 5 = 7
  auto biased = runOp("QLinearConv", {in(u8({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})), in(scalarF(0.5)),
                                      in(u8({}, {1})), in(s8({1, 1, 2, 2}, {1, 0, 0, -1})), in(scalarF(1)),
                                      in(s8({}, {0})), in(scalarF(1)), in(s8({}, {5})), in(s32({1}, {9}))});
  expectExact(biased[0], DType::I8, {1, 1, 2, 2}, {7, 7, 7, 7});
}

TEST(QLinearConv, PerChannelAgainstNaive) {
  Conv2d g{2, 3, 4, 4, 2, 3, 3};
  g.pt = g.pl = g.pb = g.pr = 1;
  auto xv = pattern(static_cast<size_t>(g.N * g.C * g.H * g.W), 256, 0);
  auto wv = pattern(static_cast<size_t>(g.M * g.C * g.KH * g.KW), 255, -127);
  const int xz = 131;
  const std::vector<double> wz = {2, -5}, bias = {1000, -70000};
  const float xs = 0.05f, ys = 0.05f;
  const std::vector<float> ws = {0.01f, 0.003f};
  std::vector<int64_t> xi, wi;
  for (double v : xv) xi.push_back(static_cast<int64_t>(v) - xz);
  for (size_t i = 0; i < wv.size(); ++i) wi.push_back(static_cast<int64_t>(wv[i] - wz[i / 27]));
  auto acc = g.run(xi, wi);
  std::vector<int64_t> want;
  const int64_t per = g.OH() * g.OW();
  for (size_t i = 0; i < acc.size(); ++i) {
    size_t m = static_cast<size_t>(i / static_cast<size_t>(per)) % 2;
    int32_t a = static_cast<int32_t>(acc[i] + static_cast<int64_t>(bias[m]));
    float v = static_cast<float>(a) * (xs * ws[m] / ys);
    want.push_back(std::clamp<int64_t>(static_cast<int64_t>(std::nearbyint(v)) - 3, -128, 127));
  }
  auto out =
      runOp("QLinearConv",
            {in(u8({2, 3, 4, 4}, xv)), in(scalarF(xs)), in(u8({}, {xz})), in(s8({2, 3, 3, 3}, wv)),
             in(f32({2}, {ws[0], ws[1]})), in(s8({2}, wz)), in(scalarF(ys)), in(s8({}, {-3})), in(s32({2}, bias))},
            {{"pads", Attr::Ints({1, 1, 1, 1})}, {"kernel_shape", Attr::Ints({3, 3})}});
  expectExact(out[0], DType::I8, {2, 2, 4, 4}, want);
  // the test has saturated values at both ends and unsaturated ones
  EXPECT_NE(std::count(want.begin(), want.end(), 127), 0);
  EXPECT_NE(std::count(want.begin(), want.end(), -128), 0);
  EXPECT_NE(std::count_if(want.begin(), want.end(), [](int64_t v) { return v > -128 && v < 127; }), 0);
}

TEST(QLinearConv, Errors) {
  auto run = [](Tensor wScale, Tensor bias, AttrMap attrs = {}) {
    return runOp("QLinearConv",
                 {in(u8({1, 2, 3, 3}, std::vector<double>(18, 1))), in(scalarF(1)), in(u8({}, {0})),
                  in(u8({2, 2, 2, 2}, std::vector<double>(16, 1))), in(std::move(wScale)), in(u8({}, {0})),
                  in(scalarF(1)), in(u8({}, {0})), in(std::move(bias))},
                 std::move(attrs));
  };
  EXPECT_NO_THROW(run(f32({2}, {1, 1}), s32({2}, {0, 0})));
  EXPECT_THROW(run(f32({3}, {1, 1, 1}), s32({2}, {0, 0})), Error);                    // w_scale length
  EXPECT_THROW(run(scalarF(1), f32({2}, {0, 0})), Error);                             // float bias
  EXPECT_THROW(run(scalarF(1), s32({3}, {0, 0, 0})), Error);                          // bias length
  EXPECT_THROW(run(scalarF(1), s32({2}, {0, 0}), {{"group", Attr::Int(2)}}), Error);  // C/group != w channels
  EXPECT_THROW(run(scalarF(1), s32({2}, {0, 0}), {{"strides", Attr::Ints({1})}}), Error);
}

TEST(QuantOps, MacsAreReported) {
  Graph g;
  runOp("QLinearConv",
        {in(u8({1, 2, 3, 3}, std::vector<double>(18, 1))), in(scalarF(1)), in(u8({}, {0})),
         in(u8({4, 2, 2, 2}, std::vector<double>(32, 1))), in(scalarF(1)), in(u8({}, {0})), in(scalarF(1)),
         in(u8({}, {0}))},
        {}, 1, &g);
  EXPECT_EQ(nodeMacs(*g.nodes[0]), 4 * 2 * 2 * 2 * 2 * 2);  // outputs (1*4*2*2) x (C 2 * 2x2 taps)
  Graph m;
  runOp("MatMulInteger", {in(u8({3, 5}, std::vector<double>(15, 1))), in(u8({5, 2}, std::vector<double>(10, 1)))}, {},
        1, &m);
  EXPECT_EQ(nodeMacs(*m.nodes[0]), 3 * 5 * 2);
}

}  // namespace
}  // namespace tinyc::test
