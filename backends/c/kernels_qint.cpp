// C kernels of the quantized form (ops/qparams.h; runtime/qint.c): int8 Conv, Gemm, AveragePool,
// GlobalAveragePool, MaxPool, Softmax and tinyc.Lut, channels-first and channels-last. They are
// variants (CKernel::match) of the ops' float kernels, chosen for int8 nodes. Requantization
// parameters come from ops/qparams.h, as in the reference kernels, so both agree bit for bit.
#include <algorithm>
#include <climits>
#include <optional>
#include <set>

#include "backends/backend.h"
#include "backends/c/c_emit.h"
#include "backends/c/emit_util.h"
#include "backends/c/kernels_qint.h"
#include "ops/layout.h"
#include "ops/nn_common.h"
#include "ops/qparams.h"

namespace tinyc::c {

// The helpers kernels_qint_arm.cpp shares are declared in kernels_qint.h (namespace qk).
namespace qk {

bool int8Input(const Node& n) { return n.input(0) && n.input(0)->dtype == DType::I8; }
// int16 activations (--quantize int16x8; runtime/qint16.c).
bool int16Input(const Node& n) { return n.input(0) && n.input(0)->dtype == DType::I16; }
bool quantInput(const Node& n) { return int8Input(n) || int16Input(n); }
// The runtime file and kernel suffix of a quantized data op (pools, Add, Mul): int8 or int16.
const char* quantRuntime(const Node& n) { return int16Input(n) ? "qint16" : "qint"; }
const char* quantSuffix(const Node& n) { return int16Input(n) ? "i16" : "i8"; }

// The node seen channels-first (a twin for a channels-last node), for geometry.
class Cf {
 public:
  explicit Cf(const Node& n) : nhwc(isChannelsLast(n)) {
    if (nhwc) twin_.emplace(n);
    node_ = nhwc ? &twin_->node() : &n;
  }
  const Node& node() const { return *node_; }
  const bool nhwc;

 private:
  std::optional<ChannelsFirstTwin> twin_;
  const Node* node_ = nullptr;
};

std::string checkSmall(const Node& n) {
  for (const Value* v : n.inputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensors above 2^31 elements are not supported";
  for (const Value* v : n.outputs)
    if (v && v->dtype != n.input(0)->dtype) return "integer kernels write outputs of their input's type only";
  return "";
}

// Arrays of the multipliers (one entry when they are all equal: *pc = 0, else *pc = 1).
std::string multipliers(EmitCtx& c, std::vector<q::Multiplier> m, std::string* rsh, int* pc) {
  const bool same = std::all_of(m.begin(), m.end(), [&](const q::Multiplier& x) {
    return x.mult == m[0].mult && x.rshift == m[0].rshift;
  });
  if (pc) {
    *pc = same ? 0 : 1;
    if (same) m.resize(1);
  }
  std::vector<int64_t> mult, shift;
  for (const auto& x : m) {
    mult.push_back(x.mult);
    shift.push_back(x.rshift);
  }
  *rsh = c.intArray(shift);
  return c.intArray(mult);
}

// ---- Conv ------------------------------------------------------------------------------------


ConvGeom convGeom(const Node& n) {
  Cf cf(n);
  const Shape& x = cf.node().input(0)->shape;
  const Shape& w = cf.node().input(1)->shape;
  std::vector<int64_t> kernel(w.begin() + 2, w.end());
  nn::Window win = nn::forwardWindow(cf.node(), x, kernel, false);
  ConvGeom g;
  g.nhwc = cf.nhwc;
  const int64_t groups = n.attrInt("group");
  g.p.assign(TINYC_QC_PARAMS, 0);
  g.p[TINYC_QC_C] = x[1], g.p[TINYC_QC_H] = win.in[1], g.p[TINYC_QC_W] = win.in[2], g.p[TINYC_QC_M] = w[0];
  g.p[TINYC_QC_OH] = win.out[1], g.p[TINYC_QC_OW] = win.out[2], g.p[TINYC_QC_KH] = win.k[1], g.p[TINYC_QC_KW] = win.k[2];
  g.p[TINYC_QC_SH] = win.s[1], g.p[TINYC_QC_SW] = win.s[2], g.p[TINYC_QC_DH] = win.d[1], g.p[TINYC_QC_DW] = win.d[2];
  g.p[TINYC_QC_PT] = win.pb[1], g.p[TINYC_QC_PL] = win.pb[2], g.p[TINYC_QC_G] = groups;
  g.k = numElements(w) / w[0];
  // (channels-last taps as a pointer list of at most TINYC_QDW_MAXTAPS; larger: the grouped path)
  g.depthwise = groups == x[1] && w[0] == x[1] && w[1] == 1 && (!g.nhwc || win.kSize() <= TINYC_QDW_MAXTAPS);
  return g;
}

// Weights [M, K] (per group of M/G channels) in blocks of `bs` channels, k-major inside a block
// (runtime/qint.c: wp[(b * K + k) * bs + j] = w[bs * b + j][k], zero past the group's last channel).
Tensor packWeights(const Tensor& w, int64_t channels, int64_t k, int64_t groups, int64_t bs = 4) {
  const int64_t mg = channels / groups, blocks = (mg + bs - 1) / bs;
  Tensor out(DType::I8, {groups * blocks * bs * k});
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t m = 0; m < mg; ++m)
      for (int64_t i = 0; i < k; ++i)
        out.setI(((g * blocks + m / bs) * k + i) * bs + m % bs, w.getI((g * mg + m) * k + i));
  return out;
}

// int4 weights (QuantParams::bits = 4, values in [-8, 7]): packed two per byte (packInt4;
// runtime/qint.c: tinyc_qmk2x4_i4).
bool int4Weights(const Node& n) {
  const Value* w = n.input(1);
  return w && w->constant && w->quant && w->quant->bits == 4;
}
std::string checkConv(const Node& n) {
  if (auto why = checkSmall(n); !why.empty()) return why;
  Cf cf(n);
  const Shape& x = cf.node().input(0)->shape;
  if (x.size() != 3 && x.size() != 4) return "int8 convolutions are 1-D or 2-D";
  if (x[0] != 1) return "int8 convolutions take batch 1";
  if (!n.input(1)->constant || (n.input(2) && !n.input(2)->constant)) return "int8 weights and bias must be constants";
  return "";
}

// Bias with the input zero point folded in: bias[m] - zx * sum_k w[m, k] (kernels read raw x).
std::vector<int64_t> foldedBias(const Node& n, int64_t channels, int64_t k, int32_t zx) {
  const Tensor& w = *n.input(1)->constant;
  std::vector<int64_t> b(static_cast<size_t>(channels), 0);
  for (int64_t m = 0; m < channels; ++m) {
    int64_t sum = 0;
    for (int64_t i = 0; i < k; ++i) sum += w.getI(m * k + i);
    b[static_cast<size_t>(m)] = (n.input(2) ? n.input(2)->constant->getI(m) : 0) - zx * sum;
  }
  return b;
}


// padTo: per-channel multipliers padded (with the last one) to a multiple of this many channels.
ConvArgs convArgs(EmitCtx& c, int64_t padTo) {
  const Node& n = c.node;
  ConvArgs a;
  a.g = convGeom(n);
  a.zx = q::zeroAt(*n.input(0)->quant, 0);
  a.zy = q::zeroAt(*n.outputs[0]->quant, 0);
  a.mults = q::productMultipliers(n, *n.input(0), *n.input(1), *n.outputs[0], a.g.p[3]);
  if (!std::all_of(a.mults.begin(), a.mults.end(), [&](const q::Multiplier& x) {
        return x.mult == a.mults[0].mult && x.rshift == a.mults[0].rshift;
      }))
    a.mults.resize(static_cast<size_t>((a.g.p[3] + padTo - 1) / padTo * padTo), a.mults.back());
  a.mult = multipliers(c, a.mults, &a.rsh, &a.pc);
  const auto range = q::outputRange(n);
  a.lo = range.first, a.hi = range.second;
  a.p = c.intArray(a.g.p);
  return a;
}

// The Conv variants: depthwise or not, channels-first (the generic target: hosts) or channels-last
// (the MCU targets), and for cores with a long multiply-accumulate the pixel-pair kernel.
bool convDepthwise(const Node& n) { return convGeom(n).depthwise; }
bool matchDwNchw(const Node& n, const TargetDesc&) { return int8Input(n) && !isChannelsLast(n) && convDepthwise(n); }
bool matchDwNhwc(const Node& n, const TargetDesc&) { return int8Input(n) && isChannelsLast(n) && convDepthwise(n); }
bool matchDotNchw(const Node& n, const TargetDesc&) { return int8Input(n) && !isChannelsLast(n) && !convDepthwise(n); }
bool matchBlocksNhwc(const Node& n, const TargetDesc&) { return int8Input(n) && isChannelsLast(n) && !convDepthwise(n); }
bool matchPairsNhwc(const Node& n, const TargetDesc& t) { return t.mac64 && matchBlocksNhwc(n, t); }
// int4 weights, any layout (not depthwise: the quantizer gives int4 to one-group convolutions only).
bool matchInt4(const Node& n, const TargetDesc&) { return int8Input(n) && int4Weights(n) && !convDepthwise(n); }

// Channels-first depthwise (hosts: runtime/qint_host.c): the model's bias (the kernel subtracts
// zx); scratch: the sums, the zero-bordered int16 plane and the requantized sums
// (tinyc_qdwconv_host_i8_scratch).
int64_t scratchDwNchw(const Node& n) { return convGeom(n).scratch(tinyc_qdwconv_host_i8_scratch); }
void emitDwNchw(EmitCtx& c) {
  const Node& n = c.node;
  ConvArgs a = convArgs(c);
  const int64_t m = a.g.p[3];
  std::vector<int64_t> bias(static_cast<size_t>(m), 0);
  if (n.input(2))
    for (int64_t i = 0; i < m; ++i) bias[static_cast<size_t>(i)] = n.input(2)->constant->getI(i);
  c.require("qint_host");
  c.line(fmt::format("tinyc_qdwconv_host_i8({}, {}, {}, {}, {}, {}, {});", c.in(0), c.in(1), c.intArray(bias), c.out(0),
                     a.p, a.tail(), c.scratch()));
}

// The usual requantization (every rshift > 32) with its per-multiplier constants precomputed
// (tinyc_requant_hw: rshift - 32 and 2^(rshift - 33) per multiplier; one entry when not per
// channel), or NULL.
std::string requantHw(EmitCtx& c, const std::vector<q::Multiplier>& mults, bool perChannel) {
  std::vector<int64_t> hw;
  for (size_t i = 0; i < (perChannel ? mults.size() : 1) && hw.size() / 2 == i; ++i)
    if (mults[i].rshift > 32) hw.insert(hw.end(), {mults[i].rshift - 32, int64_t{1} << (mults[i].rshift - 33)});
  return hw.size() == 2 * (perChannel ? mults.size() : 1) ? c.intArray(hw) : "NULL";
}

// Channels-last depthwise: weights tap-major ([KH * KW][C]), a row of zx.
int64_t scratchDwNhwc(const Node& n) { return convGeom(n).scratch(tinyc_qdwconv_nhwc_i8_scratch); }
// The per-channel arrays (bias, multipliers, their hw constants) are padded to a multiple of four
// channels: the kernels read them four channels at a time, and gcc's -Warray-bounds cannot always
// see that a block past the last channel never runs (a 3-channel layer at -O2: -Werror failed,
// found by the difftest long run).
void emitDwNhwcKernel(EmitCtx& c, const char* runtime, const char* kernel) {
  const Node& n = c.node;
  ConvArgs a = convArgs(c, 4);
  const int64_t m = a.g.p[3];
  const Tensor& w = *n.input(1)->constant;
  Tensor wt(DType::I8, {a.g.k, m});
  for (int64_t ch = 0; ch < m; ++ch)
    for (int64_t t = 0; t < a.g.k; ++t) wt.setI(t * m + ch, w.getI(ch * a.g.k + t));
  std::vector<int64_t> bias = foldedBias(n, m, a.g.k, a.zx);
  bias.resize(static_cast<size_t>((m + 3) / 4 * 4), 0);
  c.require(runtime);
  c.line(fmt::format("{}({}, {}, {}, {}, {}, {}, (int8_t *){}, {});", kernel, c.in(0),
                     c.weights(n.input(1)->name + " (tap-major)", std::move(wt)), c.intArray(bias), c.out(0), a.p,
                     a.tail(), c.scratch(), requantHw(c, a.mults, a.pc != 0)));
}
void emitDwNhwc(EmitCtx& c) { emitDwNhwcKernel(c, "qint", "tinyc_qdwconv_nhwc_i8"); }

// Channels-first, not depthwise (hosts: the generic target): a matrix product over panels of 16
// pixels as unsigned bytes (runtime/qint_host.c, x86 SIMD where the C compiler targets it);
// weight rows padded to a multiple of 4, the bias with zx + 128 folded in; one panel of scratch.
int64_t hostK4(const Node& n) { return (convGeom(n).k + 3) / 4 * 4; }
int64_t scratchHostPanel(const Node& n) { return convGeom(n).scratch(tinyc_qconv_host_i8_scratch); }
void emitDotNchw(EmitCtx& c) {
  const Node& n = c.node;
  ConvArgs a = convArgs(c);
  const int64_t m = a.g.p[3], k = a.g.k, k4 = hostK4(n);
  std::string w;  // (c.in(1) emits the model's array: only when it is used as it is)
  if (k4 == k) {
    w = c.in(1);
  } else {
    const Tensor& src = *n.input(1)->constant;
    Tensor padded(DType::I8, {m * k4});
    for (int64_t r = 0; r < m; ++r)
      for (int64_t i = 0; i < k; ++i) padded.setI(r * k4 + i, src.getI(r * k + i));
    w = c.weights(n.input(1)->name + " (rows padded to 4)", std::move(padded));
  }
  c.require("qint_host");
  c.line(fmt::format("tinyc_qconv_host_i8({}, {}, {}, {}, {}, {}, (uint8_t *){});", c.in(0), w,
                     c.intArray(foldedBias(n, m, k, a.zx + 128)), c.out(0), a.p, a.tail(), c.scratch()));
}

// Channels-last, not depthwise: packed weights (two receptive fields of scratch) (blocks of four channels), pairs of pixels.
int64_t scratchTwoFields(const Node& n) { return convGeom(n).scratch(tinyc_qconv_i8_scratch); }
void emitBlocks(EmitCtx& c, bool int4) {
  const Node& n = c.node;
  ConvArgs a = convArgs(c);
  Tensor wp = packWeights(*n.input(1)->constant, a.g.p[3], a.g.k, a.g.p[14]);
  c.require("qint");
  c.line(fmt::format("{}({}, {}, {}, {}, {}, {}, {}, (int8_t *){});", int4 ? "tinyc_qconv_i4" : "tinyc_qconv_i8", c.in(0),
                     int4 ? c.weights(n.input(1)->name + " (packed, int4)", packInt4(wp))
                          : c.weights(n.input(1)->name + " (packed)", std::move(wp)),
                     c.intArray(foldedBias(n, a.g.p[3], a.g.k, a.zx)), c.out(0), a.p, a.tail(), a.g.nhwc ? 1 : 0,
                     c.scratch()));
}
void emitBlocksNhwc(EmitCtx& c) { emitBlocks(c, false); }
void emitInt4(EmitCtx& c) { emitBlocks(c, true); }

// Cores with a long multiply-accumulate: pixel pairs packed into int32 (runtime/qint_pairs.c),
// weights in blocks of two channels; four pixels at a time: 2K int32 of scratch.
int64_t scratchPairs(const Node& n) { return convGeom(n).scratch(tinyc_qconv_pairs_i8_scratch); }
void emitPairsNhwc(EmitCtx& c) {
  const Node& n = c.node;
  ConvArgs a = convArgs(c);
  c.require("qint_pairs");
  c.line(fmt::format("tinyc_qconv_pairs_i8({}, {}, {}, {}, {}, {}, (int32_t *){});", c.in(0),
                     c.weights(n.input(1)->name + " (packed)", packWeights(*n.input(1)->constant, a.g.p[3], a.g.k, a.g.p[14], 2)),
                     c.intArray(foldedBias(n, a.g.p[3], a.g.k, a.zx)), c.out(0), a.p, a.tail(), c.scratch()));
}

// ---- Gemm ------------------------------------------------------------------------------------

std::string checkGemm(const Node& n) {
  if (auto why = checkSmall(n); !why.empty()) return why;
  if (n.attrInt("transB") != 1) return "int8 Gemm weights must be stored [N, K] (transB = 1)";
  if (!n.input(1)->constant || (n.input(2) && !n.input(2)->constant)) return "int8 weights and bias must be constants";
  return "";
}

GemmArgs gemmArgs(EmitCtx& c, int64_t padTo) {
  const Node& n = c.node;
  GemmArgs a;
  a.rows = n.input(0)->shape[0], a.k = n.input(0)->shape[1], a.cols = n.input(1)->shape[0];
  std::string rsh;
  int pc = 1;
  const std::string mult =
      multipliers(c, q::productMultipliers(n, *n.input(0), *n.input(1), *n.outputs[0], a.cols), &rsh, &pc);
  const auto range = q::outputRange(n);
  std::vector<int64_t> bias = foldedBias(n, a.cols, a.k, q::zeroAt(*n.input(0)->quant, 0));
  bias.resize(static_cast<size_t>((a.cols + padTo - 1) / padTo * padTo), 0);
  a.bias = c.intArray(bias);
  a.tail = fmt::format("{}, {}, {}, {}, {}, {}", mult, rsh, pc, q::zeroAt(*n.outputs[0]->quant, 0), range.first,
                       range.second);
  return a;
}

// Hosts (targets with channels-first layout): contiguous dot products that vectorize.
bool matchGemmDot(const Node& n, const TargetDesc& t) { return int8Input(n) && t.layout == "NCHW"; }
void emitGemmDot(EmitCtx& c) {
  GemmArgs a = gemmArgs(c);
  c.require("qint");
  c.line(fmt::format("tinyc_qgemm_dot_i8({}, {}, {}, {}, {}, {}, {}, {});", c.in(0), c.in(1), a.bias, c.out(0), a.rows,
                     a.k, a.cols, a.tail));
}

// The MCU targets: packed weights (blocks of four channels), rows in pairs.
int64_t scratchGemm(const Node& n) { return tinyc_qgemm_i8_scratch(n.input(0)->shape[0], n.input(0)->shape[1]); }
void emitGemmBlocks(EmitCtx& c, bool int4) {
  const Node& n = c.node;
  GemmArgs a = gemmArgs(c);
  Tensor wp = packWeights(*n.input(1)->constant, a.cols, a.k, 1);
  c.require("qint");
  c.line(fmt::format("{}({}, {}, {}, {}, {}, {}, {}, {}, {});", int4 ? "tinyc_qgemm_i4" : "tinyc_qgemm_i8", c.in(0),
                     int4 ? c.weights(n.input(1)->name + " (packed, int4)", packInt4(wp))
                          : c.weights(n.input(1)->name + " (packed)", std::move(wp)),
                     a.bias, c.out(0), a.rows, a.k, a.cols, a.tail, a.rows > 1 ? "(int8_t *)" + c.scratch() : "NULL"));
}
void emitGemm(EmitCtx& c) { emitGemmBlocks(c, false); }
// int4 weights: the packed kernel with two weights per byte, on every target.
bool matchGemmInt4(const Node& n, const TargetDesc&) { return int8Input(n) && int4Weights(n); }
void emitGemmInt4(EmitCtx& c) { emitGemmBlocks(c, true); }

// ---- int16 activations (--quantize int16x8) ---------------------------------------------------

// Conv (any group, either layout) and Gemm on int16 data: the weights as the node holds them, the
// bias as int64 (zeros when the node has none), no scratch.
std::string bias64(EmitCtx& c, int64_t channels) {
  const Node& n = c.node;
  Tensor b(DType::I64, {channels});
  if (n.input(2))
    for (int64_t i = 0; i < channels; ++i) b.setI(i, n.input(2)->constant->getI(i));
  return c.weights(n.name + " bias (int64)", std::move(b));
}
void emitConv16(EmitCtx& c) {
  ConvArgs a = convArgs(c);
  c.require("qint16");
  c.line(fmt::format("tinyc_qconv_i16({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0), c.in(1),
                     bias64(c, a.g.p[3]), c.out(0), a.p, a.mult, a.rsh, a.pc, a.lo, a.hi,
                     a.g.nhwc ? 1 : 0));
}
void emitGemm16(EmitCtx& c) {
  const Node& n = c.node;
  const int64_t rows = n.input(0)->shape[0], k = n.input(0)->shape[1], cols = n.input(1)->shape[0];
  std::string rsh;
  int pc = 1;
  const std::string mult =
      multipliers(c, q::productMultipliers(n, *n.input(0), *n.input(1), *n.outputs[0], cols), &rsh, &pc);
  const auto range = q::outputRange(n);
  c.require("qint16");
  c.line(fmt::format("tinyc_qgemm_i16({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0), c.in(1),
                     bias64(c, cols), c.out(0), rows, k, cols, mult, rsh, pc, range.first, range.second));
}
bool matchInt16(const Node& n, const TargetDesc&) { return int16Input(n); }

// ---- pools -----------------------------------------------------------------------------------

struct PoolGeom {
  std::vector<int64_t> p;  // runtime/qint.c: C, H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, inc, fixed
  bool nhwc = false;
  std::set<int64_t> counts;  // tap counts of the windows (average pools)
};

PoolGeom poolGeom(const Node& n, bool global) {
  Cf cf(n);
  const Shape& x = cf.node().input(0)->shape;
  PoolGeom g;
  g.nhwc = cf.nhwc;
  const int64_t h = x.size() == 4 ? x[2] : 1, w = x.back();
  if (global) {
    g.p = {x[1], h, w, 1, 1, h, w, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1};
    g.counts = {h * w};
    return g;
  }
  const Node& cn = cf.node();
  nn::Window win = nn::forwardWindow(cn, x, cn.attrInts("kernel_shape"), cn.attrInt("ceil_mode") == 1);
  const bool inc = cn.hasAttr("count_include_pad") && cn.attrInt("count_include_pad") == 1;
  g.p = {x[1], win.in[1], win.in[2], win.out[1], win.out[2], win.k[1], win.k[2], win.s[1], win.s[2],
         win.d[1], win.d[2], win.pb[1], win.pb[2], win.pe[1], win.pe[2], inc ? 1 : 0, 0};
  // The count of every window, as runtime/qint.c computes it.
  for (int64_t oh = 0; oh < win.out[1]; ++oh)
    for (int64_t ow = 0; ow < win.out[2]; ++ow) {
      int64_t nh = 0, nw = 0, ph = 0, pw = 0;
      for (int64_t k = 0; k < win.k[1]; ++k) {
        const int64_t i = oh * win.s[1] - win.pb[1] + k * win.d[1];
        nh += i >= 0 && i < win.in[1];
        ph += i >= -win.pb[1] && i < win.in[1] + win.pe[1];
      }
      for (int64_t k = 0; k < win.k[2]; ++k) {
        const int64_t i = ow * win.s[2] - win.pb[2] + k * win.d[2];
        nw += i >= 0 && i < win.in[2];
        pw += i >= -win.pb[2] && i < win.in[2] + win.pe[2];
      }
      g.counts.insert(inc ? ph * pw : nh * nw);
    }
  if (g.counts.size() == 1 && *g.counts.begin() > 0) g.p[16] = 1;
  return g;
}

template <bool Global>
std::string checkPool(const Node& n) {
  if (auto why = checkSmall(n); !why.empty()) return why;
  Cf cf(n);
  const Shape& x = cf.node().input(0)->shape;
  if (x.size() != 3 && x.size() != 4) return "int8 pools are 1-D or 2-D";
  if (x[0] != 1) return "int8 pools take batch 1";
  if (n.outputs.size() > 1 && n.outputs[1]) return "MaxPool Indices are not supported on int8";
  return "";
}

std::string checkLocalPool(const Node& n) { return checkPool<false>(n); }
std::string checkGlobalPool(const Node& n) { return checkPool<true>(n); }

void emitPoolKernel(EmitCtx& c, bool Global, bool Max, const char* runtime, const char* kernel) {
  const Node& n = c.node;
  PoolGeom g = poolGeom(n, Global);
  std::string mult = "NULL", rsh = "NULL";
  int32_t zx = 0, zy = 0;
  if (!Max) {
    zx = q::zeroAt(*n.input(0)->quant, 0);
    zy = q::zeroAt(*n.outputs[0]->quant, 0);
    std::vector<q::Multiplier> m;
    if (g.p[16])
      m = {q::averageMultiplier(n, *n.input(0), *n.outputs[0], *g.counts.begin())};
    else
      m = q::averageMultipliers(n, *n.input(0), *n.outputs[0], g.p[5] * g.p[6]);
    mult = multipliers(c, m, &rsh);
  }
  c.require(runtime);
  c.line(fmt::format("{}({}, {}, {}, {}, {}, {}, {}, {}, {});", kernel, c.in(0), c.out(0), c.intArray(g.p), mult, rsh, zx,
                     zy, g.nhwc ? 1 : 0, Max ? 1 : 0));
}

template <bool Global, bool Max>
void emitPool(EmitCtx& c) {
  emitPoolKernel(c, Global, Max, quantRuntime(c.node), int16Input(c.node) ? "tinyc_qpool_i16" : "tinyc_qpool_i8");
}

// ---- Add, Mul --------------------------------------------------------------------------------

bool quantizedBinary(const Node& n) { return q::isQuantizedBinary(n); }

// An int8 Add of two tensors of one shape (kernel: tinyc_qadd_mve_i8's arguments).
bool sameShapeAdd8(const Node& n) {
  return quantizedBinary(n) && int8Input(n) && n.input(0)->shape == n.outputs[0]->shape &&
         n.input(1)->shape == n.outputs[0]->shape;
}
void emitAddKernel(EmitCtx& c, const char* runtime, const char* kernel) {
  const Node& n = c.node;
  const Value *a = n.input(0), *b = n.input(1), *y = n.outputs[0];
  const auto range = q::outputRange(n);
  const q::AddMultipliers m = q::addMultipliers(n, *a, *b, *y);
  c.require(runtime);
  c.line(fmt::format("{}({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});", kernel, c.in(0), c.in(1), c.out(0),
                     numElements(y->shape), q::zeroAt(*a->quant, 0), q::zeroAt(*b->quant, 0), m.ma, m.mb, m.n,
                     q::zeroAt(*y->quant, 0), range.first, range.second));
}

template <bool Mul>
void emitBinary(EmitCtx& c) {
  const Node& n = c.node;
  const Value *a = n.input(0), *b = n.input(1), *y = n.outputs[0];
  const auto range = q::outputRange(n);
  const int32_t lo = range.first, hi = range.second;
  int64_t ma = 0, mb = 0;
  int32_t sh = 1;
  if (Mul) {
    const q::Multiplier m =
        q::quantizeMultiplier(q::scaleAt(*a->quant, 0) * q::scaleAt(*b->quant, 0) / q::scaleAt(*y->quant, 0), n);
    ma = m.mult;
    sh = m.rshift;
  } else {
    const q::AddMultipliers m = q::addMultipliers(n, *a, *b, *y);
    ma = m.ma, mb = m.mb, sh = m.n;
  }
  std::string bc = "0, NULL, NULL, NULL";
  if (a->shape != y->shape || b->shape != y->shape)
    bc = fmt::format("{}, {}, {}, {}", y->shape.size(), c.intArray(y->shape), c.intArray(bcastStrides(a->shape, y->shape)),
                     c.intArray(bcastStrides(b->shape, y->shape)));
  c.require(quantRuntime(n));
  c.line(fmt::format("tinyc_qbinary_{}({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});", quantSuffix(n), c.in(0), c.in(1),
                     c.out(0), numElements(y->shape), bc, Mul ? 1 : 0, q::zeroAt(*a->quant, 0), q::zeroAt(*b->quant, 0),
                     ma, mb, sh, q::zeroAt(*y->quant, 0), lo, hi));
}

// ---- Softmax, tables -------------------------------------------------------------------------

std::string checkSoftmax(const Node& n) { return checkSmall(n); }

void emitSoftmax(EmitCtx& c) {
  const Node& n = c.node;
  const Shape& x = n.input(0)->shape;
  const int r = static_cast<int>(x.size());
  const int axis = normAxis(n, n.attrInt("axis"), r);
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= x[static_cast<size_t>(d)];
  for (int d = axis + 1; d < r; ++d) inner *= x[static_cast<size_t>(d)];
  const auto table = q::softmaxTable(q::scaleAt(*n.input(0)->quant, 0));
  const q::Multiplier m = q::softmaxMultiplier(n, *n.outputs[0]);
  c.require("qint");
  c.line(fmt::format("tinyc_qsoftmax_i8({}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0), c.out(0), outer,
                     x[static_cast<size_t>(axis)], inner, c.intArray(std::vector<int64_t>(table.begin(), table.end())),
                     m.mult, m.rshift, q::zeroAt(*n.outputs[0]->quant, 0)));
}

std::string checkLut(const Node& n) {
  for (const Value* v : n.inputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensors above 2^31 elements are not supported";
  return n.input(1)->constant ? "" : "the table must be a constant";
}

// The table of y's type, read through x's type: (u)int8 in, (u)int8 out (the bytes as they are).
void emitLut(EmitCtx& c) {
  const bool u8 = c.inValue(0)->dtype == DType::U8;
  const std::string t = u8 ? "uint8_t" : "int8_t";
  c.require("qint");
  c.line(fmt::format("tinyc_lut_{}(({} *){}, ({} *){}, {}, (const {} *){});", u8 ? "u8" : "i8", u8 ? "const uint8_t" : "const int8_t",
                     c.in(0), t, c.out(0), numElements(c.inValue(0)->shape), t, c.in(1)));
}

// tinyc.Requantize (ops/op.h): int8 <-> int16 (runtime/qint16.c).
std::string checkRequantize(const Node& n) {
  if (numElements(n.input(0)->shape) > INT32_MAX) return "tensors above 2^31 elements are not supported";
  return q::isQAct(n.input(0)) && q::isQAct(n.outputs[0]) ? "" : "needs quantized int8/int16 tensors";
}
void emitRequantize(EmitCtx& c) {
  const Node& n = c.node;
  const Value *x = n.input(0), *y = n.outputs[0];
  const q::Multiplier m = q::quantizeMultiplier(q::scaleAt(*x->quant, 0) / q::scaleAt(*y->quant, 0), n);
  const auto r = q::typeRange(y->dtype);
  c.require("qint16");
  c.line(fmt::format("tinyc_requantize_{}_{}({}, {}, {}, {}, {}, {}, {}, {}, {});", dtypeName(x->dtype),
                     dtypeName(y->dtype), c.in(0), c.out(0), numElements(x->shape), q::zeroAt(*x->quant, 0), m.mult,
                     m.rshift, q::zeroAt(*y->quant, 0), r.first, r.second));
}

bool matchInt8(const Node& n, const TargetDesc&) { return int8Input(n); }

CKernel variant(const char* op, std::string (*check)(const Node&), void (*emit)(EmitCtx&),
                int64_t (*scratch)(const Node&), bool (*match)(const Node&, const TargetDesc&), int priority) {
  CKernel k{op, check, emit, scratch};
  k.match = match;
  k.priority = priority;
  return k;
}

}  // namespace qk

using namespace qk;

void registerQuantizedKernels(KernelTable& t) {
  t.add(variant("Conv", checkConv, emitDwNchw, scratchDwNchw, matchDwNchw));
  t.add(variant("Conv", checkConv, emitDwNhwc, scratchDwNhwc, matchDwNhwc));
  t.add(variant("Conv", checkConv, emitDotNchw, scratchHostPanel, matchDotNchw));
  t.add(variant("Conv", checkConv, emitBlocksNhwc, scratchTwoFields, matchBlocksNhwc));
  t.add(variant("Conv", checkConv, emitPairsNhwc, scratchPairs, matchPairsNhwc, 2));
  t.add(variant("Conv", checkConv, emitInt4, scratchTwoFields, matchInt4, 3));
  t.add(variant("Gemm", checkGemm, emitGemm, scratchGemm));
  t.add(variant("Conv", checkConv, emitConv16, nullptr, matchInt16));
  t.add(variant("Gemm", checkGemm, emitGemm16, nullptr, matchInt16));
  t.add(variant("Gemm", checkGemm, emitGemmDot, nullptr, matchGemmDot, 2));
  t.add(variant("Gemm", checkGemm, emitGemmInt4, scratchGemm, matchGemmInt4, 3));
  auto quantData = [](const Node& n, const TargetDesc&) { return quantInput(n); };
  t.add(variant("AveragePool", checkPool<false>, emitPool<false, false>, nullptr, quantData));
  t.add(variant("GlobalAveragePool", checkPool<true>, emitPool<true, false>, nullptr, quantData));
  CKernel maxPool = variant("MaxPool", checkPool<false>, emitPool<false, true>);  // (channels-first: kernels_pool.cpp)
  maxPool.match = [](const Node& n, const TargetDesc&) { return quantInput(n) && isChannelsLast(n); };
  t.add(maxPool);
  t.add(variant("Softmax", checkSoftmax, emitSoftmax));
  CKernel add = variant("Add", checkSmall, emitBinary<false>), mul = variant("Mul", checkSmall, emitBinary<true>);
  for (CKernel* k : {&add, &mul}) {
    k->match = [](const Node& n, const TargetDesc&) { return quantizedBinary(n); };
    k->elementwise = true;
    t.add(*k);
  }
  CKernel rq{kRequantizeOp, checkRequantize, emitRequantize};
  rq.elementwise = true;
  t.add(rq);
  CKernel lut{kLookupTableOp, checkLut, emitLut};
  lut.elementwise = true;
  t.add(lut);
  registerArmQuantizedKernels(t);
}

}  // namespace tinyc::c
