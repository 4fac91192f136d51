// C kernels for Conv: the channels-first float kernels (runtime/conv.c: the im2col GEMM and the
// depthwise kernel; runtime/conv_direct.c: the host's convolution without im2col), their forms
// reading int8 weights behind a DequantizeLinear, and the registration of the channels-last
// forms (kernels_nhwc.cpp). Each form is a variant chosen by the target (match / priority).
#include <algorithm>
#include <climits>

#include "backends/backend.h"
#include "backends/c/c_emit.h"
#include "backends/c/kernels_nhwc.h"
#include "backends/c/kernels_nn.h"
#include "backends/c/runtime/scratch.h"
#include "ops/layout.h"
#include "ops/nn_common.h"
#include "ops/util.h"

namespace tinyc::c {

using nn::Window;

std::string checkConv(const Node& n) {
  if (isChannelsLast(n)) return checkNhwc(n);
  if (auto why = requireFloat32(n); !why.empty()) return why;
  if (auto why = fitsInt32(n); !why.empty()) return why;
  const Value* x = n.input(0);
  const Value* w = n.input(1);
  if (x->shape.size() < 3 || x->shape.size() > 5 || w->shape.size() != x->shape.size())
    return "only 1D, 2D and 3D convolutions are supported";
  return "";
}

namespace {

// ---- Conv ---------------------------------------------------------------------------------

struct ConvGeom {
  int64_t n = 0, c = 0, m = 0, g = 1;
  Window w;
  bool depthwise = false;
};

ConvGeom convGeom(const Node& node) {
  const Shape& x = node.input(0)->shape;
  const Shape& wShape = node.input(1)->shape;
  ConvGeom cg;
  nn::spatialDims(node, x, "input X");
  std::vector<int64_t> k(wShape.begin() + 2, wShape.end());
  cg.n = x[0];
  cg.c = x[1];
  cg.m = wShape[0];
  cg.g = node.attrInt("group");
  cg.w = nn::forwardWindow(node, x, k, false);
  cg.depthwise = cg.g == cg.c && cg.g > 1 && wShape[1] == 1 && cg.m % cg.c == 0 && cg.w.nd <= 2;
  return cg;
}


// N, C, M, group, window (TINYC_CONV_PARAMS).
std::vector<int64_t> convParams(const ConvGeom& g) {
  std::vector<int64_t> p{g.n, g.c, g.m, g.g};
  appendWindow(p, g.w);
  return p;
}

int64_t scratchConv(const Node& n) {
  if (isChannelsLast(n)) return scratchConvNhwc(n);
  ConvGeom g = convGeom(n);
  const auto p = int32s(convParams(g));
  return g.depthwise ? tinyc_conv_dw_f32_scratch(p.data()) : tinyc_conv_f32_scratch(p.data());
}

// What more scratch buys (the GEMM's host-size blocks); the planner grants it where there is room.
int64_t scratchConvMax(const Node& n) {
  if (isChannelsLast(n)) return scratchConvNhwc(n);
  ConvGeom g = convGeom(n);
  const auto p = int32s(convParams(g));
  return g.depthwise ? tinyc_conv_dw_f32_scratch(p.data()) : tinyc_conv_f32_scratch_max(p.data());
}

void emitConv(EmitCtx& c) {
  if (isChannelsLast(c.node)) return emitConvNhwc(c);
  c.require("conv");
  ConvGeom g = convGeom(c.node);
  const std::vector<int64_t> p = convParams(g);
  if (g.depthwise)
    c.line(fmt::format("tinyc_conv_dw_f32({}, {}, {}, {}, {}, {});", c.in(0), c.in(1), c.in(2), c.out(0),
                       c.intArray(p), scratchOrNull(c, scratchConv(c.node))));
  else
    c.line(fmt::format("tinyc_conv_f32({}, {}, {}, {}, {}, {});", c.in(0), c.in(1), c.in(2), c.out(0), c.intArray(p),
                       scratchAndBytes(c, scratchConv(c.node))));
}

// The channels-first Conv with int8 weights behind a DequantizeLinear that the kernel absorbs
// (tinyc_conv_f32_w8; the channels-last form is kernels_nhwc.cpp's).
bool matchConvW8(const Node& n, const TargetDesc&) {
  return !isChannelsLast(n) && checkConv(n).empty() && !convGeom(n).depthwise && int8WeightDequant(n) != nullptr;
}

int64_t scratchConvW8(const Node& n) {
  if (isChannelsLast(n)) return scratchConvNhwcW8(n);
  return tinyc_conv_f32_w8_scratch(int32s(convParams(convGeom(n))).data());
}

int64_t scratchConvW8Max(const Node& n) {
  if (isChannelsLast(n)) return scratchConvNhwcW8Max(n);
  return tinyc_conv_f32_w8_scratch_max(int32s(convParams(convGeom(n))).data());
}

// The call of a channels-first kernel reading the int8 weights, scales and zero points of the
// DequantizeLinear it absorbs: fn(x, wq, ws, wz, per_channel, bias, y, params, scratch, bytes).
void emitW8Call(EmitCtx& c, const char* runtime, const char* fn, int64_t scratchBytes) {
  c.require(runtime);
  const Node* d = int8WeightDequant(c.node);
  if (!d) modelError("{}: no int8 weights to read", c.node.where());
  const bool perChannel = numElements(d->input(1)->shape) != 1;
  c.line(fmt::format("{}({}, {}, {}, {}, {}, {}, {}, {}, {});", fn, c.in(0), c.value(d->input(0)), c.value(d->input(1)),
                     c.value(d->input(2)), perChannel ? 1 : 0, c.in(2), c.out(0),
                     c.intArray(convParams(convGeom(c.node))), scratchAndBytes(c, scratchBytes)));
}

void emitConvW8(EmitCtx& c) {
  if (isChannelsLast(c.node)) return emitConvNhwcW8(c);
  emitW8Call(c, "conv", "tinyc_conv_f32_w8", scratchConvW8(c.node));
}

// The host's convolution without im2col (tinyc_conv_direct_f32, runtime/conv_direct.c; its geometry and
// scratch in runtime/scratch.h): channels-first, float input, one kernel depth, not depthwise, at
// most TINYC_CONV_DIRECT_TAPS taps, and a least band of padded rows of at most
// TINYC_CONV_DIRECT_MAX_BYTES; float weights, or int8 weights behind a DequantizeLinear that it
// absorbs (tinyc_conv_direct_f32_w8). On the microcontrollers the channels-last kernels
// (kernels_nhwc.cpp) run instead.
bool convDirectGeometry(const Node& n, const TargetDesc& t) {
  if (t.mcu || isChannelsLast(n) || !checkConv(n).empty()) return false;
  const Value* x = n.input(0);
  if (!x || x->dtype != DType::F32 || n.outputs[0]->dtype != DType::F32) return false;
  const ConvGeom g = convGeom(n);
  if (g.depthwise) return false;
  const auto p = int32s(convParams(g));
  const int32_t* w = p.data() + TINYC_CONV_WIN;
  if (w[TINYC_WIN_IN] != 1 || w[TINYC_WIN_OUT] != 1 || w[TINYC_WIN_K] != 1 || w[TINYC_WIN_PB] != 0) return false;
  if (int64_t{w[TINYC_WIN_K + 1]} * w[TINYC_WIN_K + 2] > TINYC_CONV_DIRECT_TAPS) return false;
  return tinyc_conv_direct_f32_scratch(p.data()) <= TINYC_CONV_DIRECT_MAX_BYTES;
}
bool matchConvDirect(const Node& n, const TargetDesc& t) {
  return convDirectGeometry(n, t) && requireFloat32(n).empty() && !int8WeightDequant(n);
}
bool matchConvDirectW8(const Node& n, const TargetDesc& t) {
  return convDirectGeometry(n, t) && int8WeightDequant(n) != nullptr;
}
// Outputs narrower than half a 512-bit tile (OW < 16) of one group with a multiple of 32 output
// channels and constant weights: the same convolution vectorized over output channels
// (tinyc_conv_direct_t_f32, weights transposed to [M / 32][K][32] here): the last layers of small CNNs, whose
// few pixels would leave most of a tile of pixels empty (a MobileNetV1's 3x3 and 6x6 layers).
bool matchConvDirectT(const Node& n, const TargetDesc& t) {
  if (!matchConvDirect(n, t) || !n.input(1)->constant) return false;
  const ConvGeom g = convGeom(n);
  return g.g == 1 && g.m % TINYC_CONV_DIRECT_TBLOCK == 0 && g.w.out[2] < 16;
}
std::vector<int32_t> directParams(const Node& n) { return int32s(convParams(convGeom(n))); }
int64_t scratchConvDirect(const Node& n) { return tinyc_conv_direct_f32_scratch(directParams(n).data()); }
int64_t scratchConvDirectMax(const Node& n) { return tinyc_conv_direct_f32_scratch_max(directParams(n).data()); }
int64_t scratchConvDirectW8(const Node& n) { return tinyc_conv_direct_f32_w8_scratch(directParams(n).data()); }
int64_t scratchConvDirectW8Max(const Node& n) {
  return tinyc_conv_direct_f32_w8_scratch_max(directParams(n).data());
}
void emitConvDirect(EmitCtx& c) {
  c.require("conv_direct");
  const std::vector<int64_t> p = convParams(convGeom(c.node));
  c.line(fmt::format("tinyc_conv_direct_f32({}, {}, {}, {}, {}, {});", c.in(0), c.in(1), c.in(2), c.out(0),
                     c.intArray(p), scratchAndBytes(c, scratchConvDirect(c.node))));
}
int64_t scratchConvDirectT(const Node& n) { return tinyc_conv_direct_t_f32_scratch(directParams(n).data()); }
int64_t scratchConvDirectTMax(const Node& n) { return tinyc_conv_direct_t_f32_scratch_max(directParams(n).data()); }
void emitConvDirectT(EmitCtx& c) {
  c.require("conv_direct");
  const Tensor& w = *c.node.input(1)->constant;  // [M][K] -> [M / B][K][B] (B = TINYC_CONV_DIRECT_TBLOCK)
  constexpr int64_t B = TINYC_CONV_DIRECT_TBLOCK;
  const int64_t m = w.shape()[0], k = w.numel() / std::max<int64_t>(m, 1);
  Tensor wt(DType::F32, {m / B, k, B});
  const float* src = w.data<float>();
  float* dst = wt.data<float>();
  for (int64_t o = 0; o < m; ++o)
    for (int64_t i = 0; i < k; ++i) dst[(o / B) * k * B + i * B + o % B] = src[o * k + i];
  c.line(fmt::format("tinyc_conv_direct_t_f32({}, {}, {}, {}, {}, {});", c.in(0),
                     c.weights(c.node.input(1)->name + " (transposed)", std::move(wt)), c.in(2), c.out(0),
                     c.intArray(convParams(convGeom(c.node))), scratchAndBytes(c, scratchConvDirectT(c.node))));
}
void emitConvDirectW8(EmitCtx& c) {
  emitW8Call(c, "conv_direct", "tinyc_conv_direct_f32_w8", scratchConvDirectW8(c.node));
}

// The host's depthwise convolution over blocks of TINYC_DWB_C channels stored channel innermost
// (tinyc_conv_dwb_f32, runtime/dw_blocked.c; geometry and scratch in runtime/scratch.h): every tap of
// a pixel is one vector over the block's channels, so a small plane costs no per-plane copy and tail
// (MobileNetV1's 6x6 and 3x3 layers) and a strided one no phase planes. Channels-first float, 1-D or 2-D,
// at most TINYC_DW_MAXTAPS taps.
bool matchConvDwBlocked(const Node& n, const TargetDesc& t) {
  if (t.mcu || isChannelsLast(n) || !checkConv(n).empty() || !requireFloat32(n).empty() || int8WeightDequant(n))
    return false;
  const ConvGeom g = convGeom(n);
  if (!g.depthwise || g.w.k[1] * g.w.k[2] > TINYC_DW_MAXTAPS) return false;
  // Stride 1 over 64 or more pixels: the per-plane kernel's vectors over a plane's pixels are full
  // and its copies amortized (MobileNetV1, gcc -O3 -march=native: per-plane 9.4 us vs 14.3 at 12x12
  // with 64 channels; blocked 7.2 us vs 9.7 at 6x6 with 128, 11.4 vs 18.6 at stride 2 to 12x12).
  if (g.w.s[1] == 1 && g.w.s[2] == 1 && g.w.out[1] * g.w.out[2] >= 64) return false;
  return tinyc_conv_dwb_f32_scratch(directParams(n).data()) <= TINYC_CONV_DIRECT_MAX_BYTES;
}
int64_t scratchConvDwBlocked(const Node& n) { return tinyc_conv_dwb_f32_scratch(directParams(n).data()); }
int64_t scratchConvDwBlockedMax(const Node& n) { return tinyc_conv_dwb_f32_scratch_max(directParams(n).data()); }
void emitConvDwBlocked(EmitCtx& c) {
  c.require("dw_blocked");
  c.line(fmt::format("tinyc_conv_dwb_f32({}, {}, {}, {}, {}, {});", c.in(0), c.in(1), c.in(2), c.out(0),
                     c.intArray(convParams(convGeom(c.node))), scratchAndBytes(c, scratchConvDwBlocked(c.node))));
}

}  // namespace

void registerConvKernels(KernelTable& t) {
  CKernel conv{"Conv", checkConv, emitConv, scratchConv};
  conv.inPlaceScratch = inPlaceScratchConvNhwc;  // channels-last depthwise over its own input
  conv.scratchBytesMax = scratchConvMax;
  t.add(conv);
  CKernel convW8{"Conv", checkConv, emitConvW8, scratchConvW8};
  convW8.match = [](const Node& n, const TargetDesc& t) { return matchConvNhwcW8(n, t) || matchConvW8(n, t); };
  convW8.priority = 1;
  convW8.absorbsInput = [](const Node&, size_t i) { return i == 1; };
  convW8.scratchBytesMax = scratchConvW8Max;  // all channels' weights at once where there is room
  t.add(convW8);
  CKernel convDirect{"Conv", checkConv, emitConvDirect, scratchConvDirect};  // host: no im2col
  convDirect.match = matchConvDirect;
  convDirect.priority = 1;
  convDirect.scratchBytesMax = scratchConvDirectMax;  // the whole image in one band where there is room
  t.add(convDirect);
  CKernel convDirectT{"Conv", checkConv, emitConvDirectT, scratchConvDirectT};  // host, small outputs: over channels
  convDirectT.match = matchConvDirectT;
  convDirectT.priority = 2;  // over convDirect
  convDirectT.scratchBytesMax = scratchConvDirectTMax;
  t.add(convDirectT);
  CKernel convDirectW8{"Conv", checkConv, emitConvDirectW8, scratchConvDirectW8};  // host, int8 weights: no im2col
  convDirectW8.match = matchConvDirectW8;
  convDirectW8.priority = 2;  // over convW8
  convDirectW8.absorbsInput = [](const Node&, size_t i) { return i == 1; };
  convDirectW8.scratchBytesMax = scratchConvDirectW8Max;
  t.add(convDirectW8);
  CKernel convDwBlocked{"Conv", checkConv, emitConvDwBlocked, scratchConvDwBlocked};  // host depthwise: channel blocks
  convDwBlocked.match = matchConvDwBlocked;
  convDwBlocked.priority = 1;
  convDwBlocked.scratchBytesMax = scratchConvDwBlockedMax;  // the whole plane in one band where there is room
  t.add(convDwBlocked);
  CKernel convRows{"Conv", checkConv, emitConvNhwcRows};  // channels-last windows: runs, no patch gather
  convRows.match = matchConvNhwcRows;
  convRows.priority = 1;
  t.add(convRows);
}

}  // namespace tinyc::c
