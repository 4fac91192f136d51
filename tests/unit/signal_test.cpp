// DFT and STFT (lib/ops/signal.cpp) on hand-computed transforms: x = (1, 2, 3, 4) has the
// spectrum (10, -2 + 2i, -2, -2 - 2i).
#include "nn_ref_util.h"

namespace tinyc::test {
namespace {

Tensor dft(Tensor x, AttrMap attrs, std::vector<OpInput> extra = {}) {
  std::vector<OpInput> ins{in(std::move(x))};
  for (auto& e : extra) ins.push_back(std::move(e));
  return runOp("DFT", std::move(ins), std::move(attrs))[0];
}

TEST(Dft, ForwardOnesidedInverseAndLength) {
  const Tensor x = f32({1, 4, 1}, {1, 2, 3, 4});
  const AttrMap axis1 = {};  // DFT-20's default axis -2 (the signal axis here)
  expectNear(dft(x, axis1), {1, 4, 2}, {10, 0, -2, 2, -2, 0, -2, -2});
  expectNear(dft(x, {{"onesided", Attr::Int(1)}}), {1, 3, 2}, {10, 0, -2, 2, -2, 0});
  // inverse of the complex spectrum: the signal back, imaginary parts 0
  const Tensor spec = f32({1, 4, 2}, {10, 0, -2, 2, -2, 0, -2, -2});
  expectNear(dft(spec, {{"inverse", Attr::Int(1)}}), {1, 4, 2}, {1, 0, 2, 0, 3, 0, 4, 0});
  // inverse of the one-sided spectrum (numpy's irfft, dft_length 2 (3 - 1) = 4): the real signal
  const Tensor half = f32({1, 3, 2}, {10, 0, -2, 2, -2, 0});
  expectNear(dft(half, {{"inverse", Attr::Int(1)}, {"onesided", Attr::Int(1)}}), {1, 4, 1}, {1, 2, 3, 4});
  // dft_length 2 truncates to (1, 2): (3, -1); 6 pads with zeros: X_3 = 1 - 2 + 3 - 4 + 0 - 0 = -2
  expectNear(dft(x, axis1, {cst(i64({}, {2}))}), {1, 2, 2}, {3, 0, -1, 0});
  Tensor six = dft(x, axis1, {cst(i64({}, {6}))});
  EXPECT_NEAR(six.getF(6), -2, 1e-12);
  EXPECT_NEAR(six.getF(7), 0, 1e-12);
}

TEST(Dft, AxisInputAndBadShapes) {
  // a [2, 2, 1] tensor transformed along axis 0 (given as -3)
  const Tensor x = f32({2, 2, 1}, {1, 2, 3, 4});  // pairs (1, 3) and (2, 4) along axis 0
  expectNear(dft(x, {}, {none(), cst(i64({}, {-3}))}), {2, 2, 2}, {4, 0, 6, 0, -2, 0, -2, 0});
  EXPECT_THROW(dft(f32({2, 3}, {1, 2, 3, 4, 5, 6}), {}), Error);                   // last dim not 1 or 2
  EXPECT_THROW(dft(x, {}, {none(), cst(i64({}, {2}))}), Error);                     // the real/imaginary axis
  EXPECT_THROW(dft(x, {}, {cst(i64({}, {0}))}), Error);                             // dft_length 0
}

TEST(Stft, FramesWindowAndOnesided) {
  const Tensor x = f32({1, 4, 1}, {1, 2, 3, 4});
  // step 2, frame_length 2: frames (1, 2) and (3, 4), transforms (3, -1) and (7, -1)
  auto plain = runOp("STFT", {in(x), cst(i64({}, {2})), none(), cst(i64({}, {2}))});
  expectNear(plain[0], {1, 2, 2, 2}, {3, 0, -1, 0, 7, 0, -1, 0});
  // window (1, 0.5): (1, 1) -> (2, 0), (3, 2) -> (5, 1); read at run time (not a constant)
  auto win = runOp("STFT", {in(x), cst(i64({}, {2})), in(f32({2}, {1, 0.5}))});
  expectNear(win[0], {1, 2, 2, 2}, {2, 0, 0, 0, 5, 0, 1, 0});
  // step 1, two-sided (onesided 0): 3 frames of 2, 2 bins each
  auto all = runOp("STFT", {in(x), cst(i64({}, {1})), none(), cst(i64({}, {2}))}, {{"onesided", Attr::Int(0)}});
  expectNear(all[0], {1, 3, 2, 2}, {3, 0, -1, 0, 5, 0, -1, 0, 7, 0, -1, 0});
  EXPECT_THROW(runOp("STFT", {in(x), cst(i64({}, {0}))}), Error);                          // frame_step 0
  EXPECT_THROW(runOp("STFT", {in(x), cst(i64({}, {1})), none(), cst(i64({}, {5}))}), Error);  // frame > signal
  EXPECT_THROW(runOp("STFT", {in(x), cst(i64({}, {1})), in(f32({3}, {1, 1, 1})), cst(i64({}, {2}))}), Error);  // 3 != 2
}

TEST(Windows, HandComputedPeriodicAndSymmetric) {
  // periodic, size 4 (N = 4): Hann sin^2(pi n / 4); Hamming 25/46 - 21/46 cos(pi n / 2); Blackman
  // 0.42 - 0.5 cos(pi n / 2) + 0.08 cos(pi n)
  expectNear(runOp("HannWindow", {cst(i64({}, {4}))})[0], {4}, {0, 0.5, 1, 0.5}, 1e-7);
  expectNear(runOp("HammingWindow", {cst(i64({}, {4}))})[0], {4}, {4.0 / 46, 25.0 / 46, 1, 25.0 / 46}, 1e-7);
  expectNear(runOp("BlackmanWindow", {cst(i64({}, {4}))})[0], {4}, {0, 0.34, 1, 0.34}, 1e-7);
  // symmetric (periodic 0), size 3 (N = 2): Hann (0, 1, 0); double output
  Tensor h = runOp("HannWindow", {cst(i64({}, {3}))}, {{"periodic", Attr::Int(0)}, {"output_datatype", Attr::Int(11)}})[0];
  EXPECT_EQ(h.dtype(), DType::F64);
  expectNear(h, {3}, {0, 1, 0}, 1e-12);
  EXPECT_THROW(runOp("HannWindow", {in(i64({}, {4}))}), Error);  // size not a constant
}

TEST(MelWeightMatrix, TrianglesOverTheSpectrogramBins) {
  // 4 mel bins over dft 64 at 8 kHz, 0..4000 Hz: 33 spectrogram bins; each filter rises to 1 at
  // its centre and falls back; columns are triangles between increasing edges
  Tensor m = runOp("MelWeightMatrix", {cst(i64({}, {4})), cst(i64({}, {64})), cst(i64({}, {8000})),
                                       cst(f32({}, {0})), cst(f32({}, {4000}))})[0];
  ASSERT_EQ(m.shape(), (Shape{33, 4}));
  for (int64_t i = 0; i < 4; ++i) {
    double peak = 0;
    int64_t at = -1;
    for (int64_t j = 0; j < 33; ++j)
      if (m.getF(j * 4 + i) > peak) peak = m.getF(j * 4 + i), at = j;
    EXPECT_DOUBLE_EQ(peak, 1.0);
    for (int64_t j = 1; j < 33; ++j) {  // non-decreasing up to the peak, non-increasing after it
      if (j <= at) {
        EXPECT_GE(m.getF(j * 4 + i), m.getF((j - 1) * 4 + i));
      } else {
        EXPECT_LE(m.getF(j * 4 + i), m.getF((j - 1) * 4 + i));
      }
    }
  }
  EXPECT_THROW(runOp("MelWeightMatrix", {cst(i64({}, {4})), cst(i64({}, {64})), cst(i64({}, {8000})),
                                         cst(f32({}, {0})), cst(f32({}, {5000}))}),
               Error);  // above the Nyquist frequency
}

}  // namespace
}  // namespace tinyc::test
