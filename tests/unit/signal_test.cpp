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

}  // namespace
}  // namespace tinyc::test
