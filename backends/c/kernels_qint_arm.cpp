// Instruction-set variants of the int8 Conv and Gemm kernels (kernels_qint.cpp holds the portable
// ones and the shared pieces, kernels_qint.h): chosen by the target descriptor's flags (dsp: the
// Arm DSP extension, Cortex-M4/M7/M33/M55; mve: Helium, Cortex-M55) at a higher priority than the
// portable kernel of the same node; the runtime files are backends/c/runtime/arm_dsp/ and
// arm_mve/. Each variant's output is bit-identical to the portable kernel's (c.qint_kernels runs
// them on the emulated cores).
#include <algorithm>
#include <array>

#include "backends/backend.h"
#include "backends/c/c_emit.h"
#include "backends/c/kernels_qint.h"
#include "ops/layout.h"

namespace tinyc::c {

namespace {

using namespace qk;

// Cores with the DSP extension: the channels-last depthwise with two taps per SMLAD
// (runtime/arm_dsp/qint_dsp.c), the weights reordered into tap pairs; the same scratch.
bool matchDwDsp(const Node& n, const TargetDesc& t) { return t.dsp && matchDwNhwc(n, t); }
// The weights in tap pairs, int32 words (the layout tinyc_qdw_pixel_dsp documents).
uint32_t bytesWord(int64_t b0, int64_t b1, int64_t b2, int64_t b3) {
  auto u = [](int64_t v) { return static_cast<uint32_t>(static_cast<uint8_t>(static_cast<int8_t>(v))); };
  return u(b0) | u(b1) << 8 | u(b2) << 16 | u(b3) << 24;
}
Tensor packTapPairs(const Tensor& w, int64_t channels, int64_t n) {
  const int64_t c4 = channels / 4 * 4, ct = channels % 4;
  auto at = [&](int64_t ch, int64_t t) { return w.getI(ch * n + t); };
  Tensor wq(DType::I32, {c4 / 4 * n + ct * n});
  int64_t i = 0;
  for (int64_t c = 0; c < c4; c += 4) {
    for (int64_t t = 0; t + 1 < n; t += 2)
      for (int64_t h = 0; h < 4; h += 2)
        wq.setI(i++, static_cast<int32_t>(bytesWord(at(c + h, t), at(c + h + 1, t), at(c + h, t + 1), at(c + h + 1, t + 1))));
    if (n % 2) wq.setI(i++, static_cast<int32_t>(bytesWord(at(c, n - 1), at(c + 1, n - 1), at(c + 2, n - 1), at(c + 3, n - 1))));
  }
  for (int64_t t = 0; t < n; ++t)
    for (int64_t j = 0; j < ct; ++j) wq.setI(i++, at(c4 + j, t));
  return wq;
}
void emitDwDsp(EmitCtx& c) {
  const Node& n = c.node;
  ConvArgs a = convArgs(c, 4);
  const int64_t m = a.g.p[3];
  std::vector<int64_t> bias = foldedBias(n, m, a.g.k, a.zx);
  bias.resize(static_cast<size_t>((m + 3) / 4 * 4), 0);
  c.require("qint_dsp");
  c.line(fmt::format("tinyc_qdwconv_dsp_i8({}, {}, {}, {}, {}, {}, (int8_t *){}, {});", c.in(0),
                     c.weights(n.input(1)->name + " (tap pairs)", packTapPairs(*n.input(1)->constant, m, a.g.k)),
                     c.intArray(bias), c.out(0), a.p, a.tail(), c.scratch(), requantHw(c, a.mults, a.pc != 0)));
}

// Cores with the DSP extension: the one-group convolution with SMLAD (runtime/arm_dsp/qint_dsp.c:
// pixels in fours, fields widened to halfword pairs, one channel at a time). Weights as int32
// words: byte i of word m * Q + q is w[m][4 q + i] (Q = ceil(K / 4) rounded up to even; zeros past
// K). Scratch: four receptive fields (none for a 1x1 convolution read in place), then (at a
// multiple of 8) the widened fields, 32 bytes per quad.
bool matchConvDsp(const Node& n, const TargetDesc& t) {
  return t.dsp && matchBlocksNhwc(n, t) && !int4Weights(n) && convGeom(n).p[14] == 1;
}
int64_t scratchConvDsp(const Node& n) { return convGeom(n).scratch(tinyc_qconv_dsp_i8_scratch); }
Tensor packQuadWords(const Tensor& w, int64_t m, int64_t q) {
  const int64_t k = w.numel() / m;
  Tensor wp(DType::I32, {m * q});
  for (int64_t ch = 0; ch < m; ++ch)
    for (int64_t i = 0; i < q; ++i) {
      std::array<int64_t, 4> v{};
      for (int64_t t = 0; t < 4; ++t) v[t] = 4 * i + t < k ? w.getI(ch * k + 4 * i + t) : 0;
      wp.setI(ch * q + i, static_cast<int32_t>(bytesWord(v[0], v[1], v[2], v[3])));
    }
  return wp;
}
void emitConvDsp(EmitCtx& c) {
  const Node& n = c.node;
  const ConvGeom g = convGeom(n);
  const int64_t m = g.p[3], k = g.k;
  const int32_t zx = q::zeroAt(*n.input(0)->quant, 0), zy = q::zeroAt(*n.outputs[0]->quant, 0);
  const std::vector<int64_t> bias = foldedBias(n, m, k, zx);
  const std::vector<q::Multiplier> mults = q::productMultipliers(n, *n.input(0), *n.input(1), *n.outputs[0], m);
  // per channel: bias, multiplier, then e = rshift - 32 (1 <= e <= 21: the zero point goes into
  // the rounding term), else -rshift (tinyc_qrow4_dsp_i8)
  std::vector<int64_t> rq;
  for (int64_t ch = 0; ch < m; ++ch) {
    const q::Multiplier& r = mults[static_cast<size_t>(std::min<int64_t>(ch, static_cast<int64_t>(mults.size()) - 1))];
    const int64_t e = r.rshift - 32;
    rq.insert(rq.end(), {bias[static_cast<size_t>(ch)], r.mult, e >= 1 && e <= 21 ? e : -int64_t{r.rshift}});
  }
  const auto range = q::outputRange(n);
  c.require("qint_dsp");
  const std::string s = c.scratch();
  c.line(fmt::format("tinyc_qconv_dsp_i8({}, {}, {}, {}, {}, {}, {}, {}, {}, (int8_t *){}, (uint64_t *)((int8_t *){} + {}));",
                     c.in(0), c.weights(n.input(1)->name + " (quad words)", packQuadWords(*n.input(1)->constant, m, g.scratch(tinyc_qconv_dsp_i8_quads))),
                     c.intArray(rq), c.out(0), c.intArray(g.p), zx, zy, range.first, range.second, s, s,
                     g.scratch(tinyc_qconv_dsp_i8_field_bytes)));
}

// Cores with the DSP extension: the Gemm (fully connected) with SMLAD over a row widened once,
// blocks of four columns (runtime/arm_dsp/qint_dsp.c). Weights as int32 words: byte i of word
// (b * Q + q) * 4 + j is w[4 b + j][4 q + i] (Q = ceil(K / 4); zeros past K and past the last
// column); the bias padded to a multiple of four; no scratch.
bool matchGemmDsp(const Node& n, const TargetDesc& t) { return t.dsp && int8Input(n) && !int4Weights(n); }
Tensor packQuadWords4(const Tensor& w, int64_t n, int64_t k) {
  const int64_t q = (k + 3) / 4, blocks = (n + 3) / 4;
  Tensor wp(DType::I32, {blocks * q * 4});
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t i = 0; i < q; ++i)
      for (int64_t j = 0; j < 4; ++j) {
        const int64_t ch = 4 * b + j;
        std::array<int64_t, 4> v{};
        for (int64_t t = 0; t < 4; ++t) v[t] = ch < n && 4 * i + t < k ? w.getI(ch * k + 4 * i + t) : 0;
        wp.setI((b * q + i) * 4 + j, static_cast<int32_t>(bytesWord(v[0], v[1], v[2], v[3])));
      }
  return wp;
}
void emitGemmDsp(EmitCtx& c) {
  const Node& n = c.node;
  GemmArgs a = gemmArgs(c, 4);
  c.require("qint_dsp");
  c.line(fmt::format("tinyc_qgemm_dsp_i8({}, {}, {}, {}, {}, {}, {}, {});", c.in(0),
                     c.weights(n.input(1)->name + " (quad words)", packQuadWords4(*n.input(1)->constant, a.cols, a.k)),
                     a.bias, c.out(0), a.rows, a.k, a.cols, a.tail));
}

// Cores with Helium (MVE: Cortex-M55; runtime/arm_mve/qint_mve.c): the channels-last depthwise
// with four channels per vector (the same tap-major weights and scratch), and the one-group
// convolution as VMLADAV dot products over chunk-major weights (runtime/arm_mve/qint_mve.c:
// blocks of four channels, K padded to 16; scratch: two receptive fields).
bool matchDwMve(const Node& n, const TargetDesc& t) { return t.mve && matchDwNhwc(n, t); }
void emitDwMve(EmitCtx& c) {
  // weights in [-127, 127]: two taps' int16 products add without overflow (the pair kernel)
  const Tensor& w = *c.node.input(1)->constant;
  bool pair = true;
  for (int64_t i = 0; i < w.numel() && pair; ++i) pair = w.getI(i) != -128;
  emitDwNhwcKernel(c, "qint_mve", pair ? "tinyc_qdwconv_mve2_i8" : "tinyc_qdwconv_mve_i8");
}
bool matchConvMve(const Node& n, const TargetDesc& t) {
  return t.mve && matchBlocksNhwc(n, t) && !int4Weights(n) && convGeom(n).p[14] == 1;
}
int64_t scratchConvMve(const Node& n) { return convGeom(n).scratch(tinyc_qconv_i8_scratch); }
// Weights [m, k] for tinyc_qrow2_mve_i8: blocks of four rows, k padded with zeros to a multiple
// of 16, chunk-major (wp[((b * k16 / 16 + i / 16) * 4 + j) * 16 + i % 16] = w[4 b + j][i]).
Tensor packChunkMajor(const Tensor& w, int64_t m, int64_t k) {
  const int64_t k16 = (k + 15) / 16 * 16;
  Tensor wp(DType::I8, {(m + 3) / 4 * 4 * k16});  // zeros past k and past the last row
  for (int64_t ch = 0; ch < m; ++ch)
    for (int64_t i = 0; i < k; ++i) wp.setI(((ch / 4 * (k16 / 16) + i / 16) * 4 + ch % 4) * 16 + i % 16, w.getI(ch * k + i));
  return wp;
}
void emitConvMve(EmitCtx& c) {
  const Node& n = c.node;
  ConvArgs a = convArgs(c, 4);
  const int64_t m = a.g.p[3], k = a.g.k;
  std::vector<int64_t> bias = foldedBias(n, m, k, a.zx);
  bias.resize(static_cast<size_t>((m + 3) / 4 * 4), 0);
  c.require("qint_mve");
  c.line(fmt::format("tinyc_qconv_mve_i8({}, {}, {}, {}, {}, {}, (int8_t *){}, {});", c.in(0),
                     c.weights(n.input(1)->name + " (chunk-major)", packChunkMajor(*n.input(1)->constant, m, k)),
                     c.intArray(bias), c.out(0), a.p, a.tail(), c.scratch(), requantHw(c, a.mults, a.pc != 0)));
}

// Helium (runtime/arm_mve/qint_mve.c): rows in pairs through tinyc_qrow2_mve_i8, chunk-major
// weights; the per-column arrays padded to a multiple of four.
bool matchGemmMve(const Node& n, const TargetDesc& t) { return t.mve && int8Input(n) && !int4Weights(n); }
void emitGemmMve(EmitCtx& c) {
  const Node& n = c.node;
  const int64_t rows = n.input(0)->shape[0], k = n.input(0)->shape[1], cols = n.input(1)->shape[0];
  std::vector<q::Multiplier> mults = q::productMultipliers(n, *n.input(0), *n.input(1), *n.outputs[0], cols);
  const bool same = std::all_of(mults.begin(), mults.end(), [&](const q::Multiplier& x) {
    return x.mult == mults[0].mult && x.rshift == mults[0].rshift;
  });
  if (!same) mults.resize(static_cast<size_t>((cols + 3) / 4 * 4), mults.back());
  std::string rsh;
  int pc = 1;
  const std::string mult = multipliers(c, mults, &rsh, &pc);
  std::vector<int64_t> bias = foldedBias(n, cols, k, q::zeroAt(*n.input(0)->quant, 0));
  bias.resize(static_cast<size_t>((cols + 3) / 4 * 4), 0);
  const auto range = q::outputRange(n);
  c.require("qint_mve");
  c.line(fmt::format("tinyc_qgemm_mve_i8({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0),
                     c.weights(n.input(1)->name + " (chunk-major)", packChunkMajor(*n.input(1)->constant, cols, k)),
                     c.intArray(bias), c.out(0), rows, k, cols, mult, rsh, pc, q::zeroAt(*n.outputs[0]->quant, 0),
                     range.first, range.second, requantHw(c, mults, pc != 0)));
}

// The channels-last int8 pools (AveragePool, GlobalAveragePool, MaxPool): four channels per word
// with SSUB8/SEL and SXTAB16 (arm_dsp/qint_dsp.c), or per vector with VMAX and VLDRB.S32 + VADD
// (arm_mve/qint_mve.c); the portable kernel's arguments.
bool matchPoolDsp(const Node& n, const TargetDesc& t) { return t.dsp && int8Input(n) && isChannelsLast(n); }
bool matchPoolMve(const Node& n, const TargetDesc& t) { return t.mve && int8Input(n) && isChannelsLast(n); }
template <bool Global, bool Max>
void emitPoolDsp(EmitCtx& c) { emitPoolKernel(c, Global, Max, "qint_dsp", "tinyc_qpool_dsp_i8"); }
template <bool Global, bool Max>
void emitPoolMve(EmitCtx& c) { emitPoolKernel(c, Global, Max, "qint_mve", "tinyc_qpool_mve_i8"); }

// The int8 Add of two tensors of one shape: two SMLAL per element into one 64-bit accumulator
// read from its high word (arm_dsp/qint_dsp.c), or four lanes per vector with Helium
// (arm_mve/qint_mve.c).
bool matchAddDsp(const Node& n, const TargetDesc& t) { return t.dsp && sameShapeAdd8(n); }
void emitAddDsp(EmitCtx& c) { emitAddKernel(c, "qint_dsp", "tinyc_qadd_dsp_i8"); }
bool matchAddMve(const Node& n, const TargetDesc& t) { return t.mve && sameShapeAdd8(n); }
void emitAddMve(EmitCtx& c) { emitAddKernel(c, "qint_mve", "tinyc_qadd_mve_i8"); }

}  // namespace

void registerArmQuantizedKernels(KernelTable& t) {
  CKernel addDsp = variant("Add", checkSmall, emitAddDsp, nullptr, matchAddDsp, 2);
  addDsp.elementwise = true;
  t.add(addDsp);
  CKernel addMve = variant("Add", checkSmall, emitAddMve, nullptr, matchAddMve, 3);
  addMve.elementwise = true;
  t.add(addMve);
  t.add(variant("AveragePool", checkLocalPool, emitPoolDsp<false, false>, nullptr, matchPoolDsp, 2));
  t.add(variant("GlobalAveragePool", checkGlobalPool, emitPoolDsp<true, false>, nullptr, matchPoolDsp, 2));
  t.add(variant("MaxPool", checkLocalPool, emitPoolDsp<false, true>, nullptr, matchPoolDsp, 2));
  t.add(variant("AveragePool", checkLocalPool, emitPoolMve<false, false>, nullptr, matchPoolMve, 3));
  t.add(variant("GlobalAveragePool", checkGlobalPool, emitPoolMve<true, false>, nullptr, matchPoolMve, 3));
  t.add(variant("MaxPool", checkLocalPool, emitPoolMve<false, true>, nullptr, matchPoolMve, 3));
  t.add(variant("Conv", checkConv, emitDwDsp, scratchDwNhwc, matchDwDsp, 2));
  t.add(variant("Conv", checkConv, emitConvDsp, scratchConvDsp, matchConvDsp, 3));
  t.add(variant("Conv", checkConv, emitDwMve, scratchDwNhwc, matchDwMve, 3));
  t.add(variant("Conv", checkConv, emitConvMve, scratchConvMve, matchConvMve, 4));
  t.add(variant("Gemm", checkGemm, emitGemmDsp, nullptr, matchGemmDsp, 2));
  t.add(variant("Gemm", checkGemm, emitGemmMve, nullptr, matchGemmMve, 3));
}

}  // namespace tinyc::c
