#include "backends/c/kernels_nhwc.h"
#include "backends/backend.h"

#include <algorithm>
#include <climits>

#include "backends/c/runtime/scratch.h"
#include "ops/layout.h"
#include "ops/nn_common.h"

namespace tinyc::c {

namespace {

// N, H, W, C, OH, OW of a 2-D channels-last node, then the window's KH, KW, SH, SW, DH, DW, PT, PL.
struct NhwcGeom {
  int64_t n = 0, h = 0, w = 0, c = 0, oh = 0, ow = 0;
  nn::Window win;
};

NhwcGeom geom(const Node& node, const std::vector<int64_t>& kernel, bool ceilMode) {
  ChannelsFirstTwin t(node);
  const Shape& x = t.node().input(0)->shape;  // N, C, H, W
  NhwcGeom g;
  g.win = nn::forwardWindow(t.node(), x, kernel, ceilMode);
  g.n = x[0];
  g.c = x[1];
  g.h = x[2];
  g.w = x[3];
  g.oh = g.win.out[1];
  g.ow = g.win.out[2];
  return g;
}

std::vector<int64_t> convKernel(const Node& n) {
  const Shape& w = n.input(1)->shape;  // M, KH, KW, C/g
  return {w[1], w[2]};
}

bool depthwise(const Node& n) {
  const Shape& w = n.input(1)->shape;
  const int64_t c = n.input(0)->shape[readsChannelsFirst(n) ? 1 : 3], g = n.attrInt("group");
  return g == c && g > 1 && w[3] == 1 && w[0] % c == 0 && w[1] <= 64;  // (runtime/nhwc.c: rows[64])
}

// TINYC_NHWC_PARAMS (runtime/scratch.h).
std::vector<int64_t> convParams(const Node& n) {
  NhwcGeom g = geom(n, convKernel(n), false);
  const nn::Window& w = g.win;
  return {g.n, g.h, g.w, g.c, g.oh, g.ow, n.input(1)->shape[0], n.attrInt("group"),
          w.k[1], w.k[2], w.s[1], w.s[2], w.d[1], w.d[2], w.pb[1], w.pb[2]};
}

// Ring rows the in-place depthwise kernel needs (tinyc_conv_dw_nhwc_inplace_f32): a simulation
// of its row schedule. Output row oy overwrites input rows [.., ceil((oy+1)*OW/W)); the rows of
// those that later output rows read (from (oy+1)*SH - PT on) are saved; the most saved at once.
int64_t ringRows(const std::vector<int64_t>& p) {
  const int64_t h = p[1], w = p[2], c = p[3], oh = p[4], ow = p[5], sh = p[10], pt = p[14];
  int64_t rows = 1;
  for (int64_t oy = 0; oy < oh; ++oy) {
    const int64_t overwritten = std::min(h, ((oy + 1) * ow * c + w * c - 1) / (w * c));
    const int64_t nextLo = std::max<int64_t>(0, oy + 1 < oh ? (oy + 1) * sh - pt : h);
    rows = std::max(rows, overwritten - nextLo);
  }
  return rows;
}

// tinyc_conv_nhwc_f32's (TINYC_NHWC_CONV_PARAMS): convParams, then whether input 0 is
// channels-first (TINYC_NHWC_NCHW_IN: a graph input the layout pass let the node read in place).
std::vector<int64_t> generalParams(const Node& n) {
  auto p = convParams(n);
  p.push_back(readsChannelsFirst(n) ? 1 : 0);
  return p;
}

// The in-place depthwise's: convParams, then the ring rows (TINYC_NHWC_RING).
std::vector<int64_t> inPlaceParams(const Node& n) {
  auto p = convParams(n);
  p.push_back(ringRows(p));
  return p;
}

int64_t sizeOf(int64_t (*fn)(const int32_t*), const std::vector<int64_t>& p) {
  const std::vector<int32_t> q(p.begin(), p.end());
  return fn(q.data());
}

}  // namespace

std::vector<int64_t> convNhwcParams(const Node& n) { return generalParams(n); }

int64_t inPlaceScratchConvNhwc(const Node& n) {
  if (!isChannelsLast(n) || !checkNhwc(n).empty() || !depthwise(n)) return -1;
  const auto p = convParams(n);
  if (p[0] != 1 || p[6] != p[3] || p[4] * p[5] > p[1] * p[2]) return -1;  // batch 1, multiplier 1, not growing
  const int64_t bytes = sizeOf(tinyc_conv_dw_nhwc_inplace_f32_scratch, inPlaceParams(n));
  return bytes < numElements(n.outputs[0]->shape) * 4 ? bytes : -1;  // only when it saves memory
}

std::string checkNhwc(const Node& n) {
  if (auto why = requireFloat32(n); !why.empty()) return why;
  if (n.input(0)->shape.size() != 4) return "channels-last kernels are 2-D only";
  for (const Value* v : n.inputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensors above 2^31 elements are not supported";
  return "";
}

int64_t scratchConvNhwc(const Node& n) {
  return depthwise(n) ? 0 : sizeOf(tinyc_conv_nhwc_f32_scratch, generalParams(n));
}

namespace {

// Whether depthwise Conv n runs runtime/arm_fpu/dw3.c's passes (tinyc_dw3_row_vldm): a core with
// an FPU (the VLDM assembly, TINYC_ARM_VLDM, is there for the M4, M7, M33 and M55), 3x3 with
// dilation 1 along the rows, stride 1 or 2, multiplier 1, channels a multiple of 4, and rows of
// at least 6 outputs (narrower rows spend more on the passes' set-up than they save: kws_fp32's
// 5-wide rows ran 5% more instructions with them).
bool dw3Passes(const EmitCtx& c) {
  if (!c.target().mcu || !c.target().fpu) return false;
  const auto p = convParams(c.node);  // N, H, W, C, OH, OW, M, group, KH, KW, SH, SW, DH, DW, PT, PL
  return p[8] == 3 && p[9] == 3 && p[13] == 1 && (p[11] == 1 || p[11] == 2) && p[6] == p[3] && p[3] % 4 == 0 &&
         p[5] >= 6;
}

}  // namespace

void emitConvNhwc(EmitCtx& c) {
  c.require("nhwc");
  float lo = 0, hi = 0;
  c.takeClamp(&lo, &hi);  // a fused Relu or Clip: in the kernel's stores
  const std::string clamp = ", " + EmitCtx::floatLit(lo) + ", " + EmitCtx::floatLit(hi);
  if (depthwise(c.node)) c.require("nhwc_dw");
  if (depthwise(c.node) && c.inPlace(0, 0)) {  // the planner gave input and output one buffer
    c.line(fmt::format("tinyc_conv_dw_nhwc_inplace_f32({}, {}, {}, {}, (float *){}{}, {});", c.out(0), c.in(1),
                       c.in(2), c.intArray(inPlaceParams(c.node)), c.scratch(), clamp, dw3Passes(c) ? 1 : 0));
    return;
  }
  if (depthwise(c.node)) {
    c.line(fmt::format("tinyc_conv_dw_nhwc_f32({}, {}, {}, {}, {}{}, {});", c.in(0), c.in(1), c.in(2), c.out(0),
                       c.intArray(convParams(c.node)), clamp, dw3Passes(c) ? 1 : 0));
    return;
  }
  const std::string p = c.intArray(generalParams(c.node));
  const bool scratch = scratchConvNhwc(c.node) > 0;
  c.line(fmt::format("tinyc_conv_nhwc_f32({}, {}, {}, {}, {}, {}{});", c.in(0), c.in(1), c.in(2), c.out(0), p,
                     scratch ? "(float *)" + c.scratch() : std::string("NULL"), clamp));
}

namespace {

// The DequantizeLinear of constant int8 weights with per-output-channel (axis 0) or per-tensor
// scale and zero point that feeds input 1 of channels-last Conv n, or nullptr.
const Node* weightDequant(const Node& n) {
  if (!isChannelsLast(n) || !checkNhwc(n).empty() || depthwise(n)) return nullptr;
  return int8WeightDequant(n);
}

}  // namespace

const Node* int8WeightDequant(const Node& n) {
  const Value* w = n.input(1);
  const Node* d = w ? w->producer : nullptr;
  if (!d || d->opType != "DequantizeLinear" || d->inputs.size() < 2) return nullptr;
  const Value* q = d->input(0);
  const Value* s = d->input(1);
  const Value* z = d->input(2);
  if (!q || !q->constant || q->dtype != DType::I8 || q->shape != w->shape) return nullptr;
  if (!s || !s->constant || s->dtype != DType::F32) return nullptr;
  if (z && (!z->constant || z->dtype != DType::I8 || numElements(z->shape) != numElements(s->shape))) return nullptr;
  const int64_t ns = numElements(s->shape);
  if (ns == 1) return d;
  int64_t axis = d->attrs.count("axis") ? d->attrInt("axis") : 1;
  if (axis < 0) axis += static_cast<int64_t>(q->shape.size());
  if (axis != 0 || s->shape.size() != 1 || ns != q->shape[0]) return nullptr;
  if (d->attrs.count("block_size") && d->attrInt("block_size") != 0) return nullptr;
  return d;
}

bool matchConvNhwcW8(const Node& n, const TargetDesc&) { return weightDequant(n) != nullptr; }

int64_t scratchConvNhwcW8(const Node& n) { return sizeOf(tinyc_conv_nhwc_f32_w8_scratch, generalParams(n)); }
int64_t scratchConvNhwcW8Max(const Node& n) { return sizeOf(tinyc_conv_nhwc_f32_w8_scratch_max, generalParams(n)); }

void emitConvNhwcW8(EmitCtx& c) {
  c.require("nhwc");
  const Node* d = weightDequant(c.node);
  if (!d) modelError("{}: no int8 weights to read", c.node.where());
  float lo = 0, hi = 0;
  c.takeClamp(&lo, &hi);
  const bool perChannel = numElements(d->input(1)->shape) != 1;
  const std::string scratch = c.scratch();
  c.line(fmt::format("tinyc_conv_nhwc_f32_w8({}, {}, {}, {}, {}, {}, {}, {}, (float *){}, {}, {}, {});", c.in(0),
                     c.value(d->input(0)), c.value(d->input(1)), c.value(d->input(2)), perChannel ? 1 : 0, c.in(2),
                     c.out(0), c.intArray(generalParams(c.node)), scratch, c.scratchGiven(), EmitCtx::floatLit(lo),
                     EmitCtx::floatLit(hi)));
}

bool matchConvNhwcRows(const Node& n, const TargetDesc&) {
  if (!isChannelsLast(n) || !checkNhwc(n).empty() || depthwise(n) || n.attrInt("group") != 1) return false;
  const Value* w = n.input(1);
  if (!w || !w->constant || w->dtype != DType::F32) return false;
  const auto p = generalParams(n);
  const bool chw = p[TINYC_NHWC_NCHW_IN] != 0;
  const bool small = p[TINYC_NHWC_C] <= TINYC_NHWC_ROWS_FEW_C;
  const bool window = p[TINYC_NHWC_KH] * p[TINYC_NHWC_KW] > 1 && !chw && p[TINYC_NHWC_DW] == 1;
  return (small || window) && (chw ? p[TINYC_NHWC_C] : 1) * p[TINYC_NHWC_KH] <= TINYC_NHWC_ROWS_MAX &&
         (p[TINYC_NHWC_DW] == 1 || p[TINYC_NHWC_C] == 1 || chw);  // runs of equally spaced values
}

void emitConvNhwcRows(EmitCtx& c) {
  const Node& n = c.node;
  c.require("nhwc_rows");
  float lo = 0, hi = 0;
  c.takeClamp(&lo, &hi);
  const Tensor& w = *n.input(1)->constant;  // OHWI: M x K
  const int64_t m = w.shape()[0], k = w.numel() / std::max<int64_t>(m, 1);
  Tensor wt(DType::F32, {k * m + TINYC_NHWC_ROWS_PAD});  // zero padding: runtime/nhwc_rows.c
  const float* src = w.data<float>();
  float* dst = wt.data<float>();
  for (int64_t o = 0; o < m; ++o)
    for (int64_t t = 0; t < k; ++t) dst[t * m + o] = src[o * k + t];
  c.line(fmt::format("tinyc_conv_nhwc_rows_f32({}, {}, {}, {}, {}, {}, {});", c.in(0),
                     c.weights(n.input(1)->name + " (tap-major)", std::move(wt)), c.in(2), c.out(0),
                     c.intArray(generalParams(n)), EmitCtx::floatLit(lo), EmitCtx::floatLit(hi)));
}

void emitPoolNhwc(EmitCtx& c, bool isMax) {
  c.require("nhwc");
  NhwcGeom g = geom(c.node, c.node.attrInts("kernel_shape"), c.node.attrInt("ceil_mode") == 1);
  const nn::Window& w = g.win;
  std::vector<int64_t> p{g.n, g.h, g.w, g.c, g.oh, g.ow, w.k[1], w.k[2], w.s[1], w.s[2],
                         w.d[1], w.d[2], w.pb[1], w.pb[2], w.pe[1], w.pe[2]};
  const bool includePad = !isMax && c.node.attrInt("count_include_pad") == 1;
  c.line(fmt::format("tinyc_pool_nhwc_f32({}, {}, {}, {}, {});", c.in(0), c.out(0), c.intArray(p), isMax ? 1 : 0,
                     includePad ? 1 : 0));
}

void emitGlobalPoolNhwc(EmitCtx& c, bool isMax) {
  c.require("nhwc");
  const Shape& x = c.inValue(0)->shape;  // N, H, W, C
  c.line(fmt::format("tinyc_global_pool_nhwc_f32({}, {}, {}, {}, {}, {});", c.in(0), c.out(0), x[0], x[1] * x[2],
                     x[3], isMax ? 1 : 0));
}

}  // namespace tinyc::c
