// Convolutions: Conv (im2col + Eigen GEMM) and ConvTranspose (GEMM + col2im), 1D/2D/3D.
// Gemm and MatMul live in nn_gemm.cpp.
#include <Eigen/Dense>
#include <algorithm>
#include <type_traits>
#include <cstring>

#include "ops/nn_common.h"
#include "ops/qparams.h"

namespace tinyc {
namespace {

using nn::Window;

template <typename T>
using RowMat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

void checkFloatSame(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("input X must be a float type, got {}", dtypeName(c.dtype(0)));
  for (int i = 1; i < c.numInputs(); ++i)
    if (c.has(i) && c.dtype(i) != c.dtype(0))
      c.fail("input {} has type {} but X has {}", i, dtypeName(c.dtype(i)), dtypeName(c.dtype(0)));
}

int64_t groupAttr(const Node& n) {
  int64_t g = n.attrInt("group");
  if (g < 1) modelError("{}: group must be >= 1, got {}", n.where(), g);
  return g;
}

// Kernel spatial dims from W (W = [M or C, C/group or M/group, k...]), checked against kernel_shape.
std::vector<int64_t> kernelFromW(const Node& n, const Shape& x, const Shape& w) {
  if (w.size() != x.size())
    modelError("{}: W has rank {} but X has rank {}", n.where(), w.size(), x.size());
  std::vector<int64_t> k(w.begin() + 2, w.end());
  if (n.hasAttr("kernel_shape") && n.attrInts("kernel_shape") != k)
    modelError("{}: kernel_shape {} does not match the weight's spatial dims {}", n.where(),
               shapeStr(n.attrInts("kernel_shape")), shapeStr(k));
  return k;
}

void checkBias(InferCtx& c, int64_t m) {
  if (!c.has(2)) return;
  if (c.rank(2) != 1 || c.shape(2)[0] != m)
    c.fail("bias B must have shape [{}] (output channels), got {}", m, shapeStr(c.shape(2)));
}

// ---- Conv ---------------------------------------------------------------------------------

struct ConvGeom {
  int64_t n, c, m, g;
  Window w;
};

ConvGeom convGeom(const Node& node, const Shape& x, const Shape& wShape) {
  ConvGeom cg;
  nn::spatialDims(node, x, "input X");
  auto k = kernelFromW(node, x, wShape);
  cg.n = x[0];
  cg.c = x[1];
  cg.m = wShape[0];
  cg.g = groupAttr(node);
  if (cg.c % cg.g != 0)
    modelError("{}: input channels {} are not divisible by group {}", node.where(), cg.c, cg.g);
  if (wShape[1] * cg.g != cg.c)
    modelError("{}: W has {} input channels per group but X has {} channels in {} groups", node.where(), wShape[1],
               cg.c, cg.g);
  if (cg.m < 1 || cg.m % cg.g != 0)
    modelError("{}: output channels {} are not divisible by group {}", node.where(), cg.m, cg.g);
  cg.w = nn::forwardWindow(node, x, k, false);
  return cg;
}

void inferConv(InferCtx& c) {
  const bool quantized = c.dtype(0) == DType::I8 || c.dtype(0) == DType::I16;  // the quantized form (ops/qparams.h)
  if (!quantized) checkFloatSame(c);
  ConvGeom g = convGeom(c.node, c.shape(0), c.shape(1));
  checkBias(c, g.m);
  if (quantized) q::checkProductOperands(c, 0, g.m);
  Shape out{g.n, g.m};
  for (int64_t d : g.w.outSpatial()) out.push_back(d);
  c.setOutput(0, c.dtype(0), out);
}

// Unrolls the receptive fields of `ch` channels of one image into col[(c,kd,kh,kw), (od,oh,ow)].
template <typename T>
void im2col(const T* x, int64_t ch, const Window& w, T* col) {
  const int64_t os = w.outSize(), is = w.inSize();
  const int64_t oW = w.out[2];
  for (int64_t c = 0; c < ch; ++c)
    for (int64_t kd = 0; kd < w.k[0]; ++kd)
      for (int64_t kh = 0; kh < w.k[1]; ++kh)
        for (int64_t kw = 0; kw < w.k[2]; ++kw) {
          T* dst = col + (((c * w.k[0] + kd) * w.k[1] + kh) * w.k[2] + kw) * os;
          // Output columns whose input column lies inside [0, in[2]).
          const int64_t off = kw * w.d[2] - w.pb[2];
          const int64_t lo = std::clamp<int64_t>(nn::ceilDiv(-off, w.s[2]), 0, oW);
          const int64_t hi = std::clamp<int64_t>(nn::floorDiv(w.in[2] - 1 - off, w.s[2]) + 1, lo, oW);
          for (int64_t od = 0; od < w.out[0]; ++od) {
            const int64_t id = od * w.s[0] - w.pb[0] + kd * w.d[0];
            for (int64_t oh = 0; oh < w.out[1]; ++oh, dst += oW) {
              const int64_t ih = oh * w.s[1] - w.pb[1] + kh * w.d[1];
              if (id < 0 || id >= w.in[0] || ih < 0 || ih >= w.in[1]) {
                std::fill(dst, dst + oW, T(0));
                continue;
              }
              const T* src = x + c * is + (id * w.in[1] + ih) * w.in[2];
              std::fill(dst, dst + lo, T(0));
              if (w.s[2] == 1) {
                if (hi > lo) std::memcpy(dst + lo, src + lo + off, static_cast<size_t>(hi - lo) * sizeof(T));
              } else {
                for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = src[ow * w.s[2] + off];
              }
              std::fill(dst + hi, dst + oW, T(0));
            }
          }
        }
}

template <typename T>
void convImpl(EvalCtx& c) {
  const Tensor& X = *c.in[0];
  const Tensor& W = *c.in[1];
  ConvGeom g = convGeom(c.node, X.shape(), W.shape());
  const Window& w = g.w;
  const int64_t cg = g.c / g.g, mg = g.m / g.g;
  const int64_t kdim = cg * w.kSize(), os = w.outSize(), is = w.inSize();
  const bool direct = w.kSize() == 1 && w.s[0] == 1 && w.s[1] == 1 && w.s[2] == 1 && w.noPadding();
  std::vector<T> col(direct ? 0 : static_cast<size_t>(kdim * os));
  const T* px = X.data<T>();
  const T* pw = W.data<T>();
  const T* pb = c.has(2) ? c.in[2]->data<T>() : nullptr;
  T* py = c.out[0]->data<T>();
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t grp = 0; grp < g.g; ++grp) {
      const T* xg = px + (n * g.c + grp * cg) * is;
      const T* colp = xg;
      if (!direct) {
        im2col(xg, cg, w, col.data());
        colp = col.data();
      }
      Eigen::Map<const RowMat<T>> wm(pw + grp * mg * kdim, mg, kdim);
      Eigen::Map<const RowMat<T>> cm(colp, kdim, os);
      Eigen::Map<RowMat<T>> ym(py + (n * g.m + grp * mg) * os, mg, os);
      ym.noalias() = wm * cm;
      if (pb) ym.colwise() += Eigen::Map<const Vec<T>>(pb + grp * mg, mg);
    }
}

// The quantized form: acc = bias + sum (x - zx) * w (im2col of the centred input pads with the
// real zero), then requantized per output channel; T = int8_t, or int16_t (int64 accumulators).
template <typename T>
void convQuant(EvalCtx& c) {
  const Node& node = c.node;
  const Tensor& X = *c.in[0];
  const Tensor& W = *c.in[1];
  ConvGeom g = convGeom(node, X.shape(), W.shape());
  const Window& w = g.w;
  const int64_t cg = g.c / g.g, mg = g.m / g.g, kdim = cg * w.kSize(), os = w.outSize(), is = w.inSize();
  const int32_t zx = q::zeroAt(*node.inputs[0]->quant, 0);
  std::vector<int64_t> xc(static_cast<size_t>(X.numel())), col(static_cast<size_t>(kdim * os));
  for (int64_t i = 0; i < X.numel(); ++i) xc[static_cast<size_t>(i)] = X.data<T>()[i] - zx;
  const auto mult = q::productMultipliers(node, *node.inputs[0], *node.inputs[1], *node.outputs[0], g.m);
  const auto range = q::outputRange(node);
  const int32_t lo = range.first, hi = range.second;
  const int32_t zy = q::zeroAt(*node.outputs[0]->quant, 0);
  T* py = c.out[0]->data<T>();
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t grp = 0; grp < g.g; ++grp) {
      im2col(xc.data() + (n * g.c + grp * cg) * is, cg, w, col.data());
      for (int64_t m = grp * mg; m < (grp + 1) * mg; ++m)
        for (int64_t o = 0; o < os; ++o) {
          int64_t acc = c.has(2) ? c.in[2]->getI(m) : 0;
          for (int64_t k = 0; k < kdim; ++k) acc += W.data<int8_t>()[m * kdim + k] * col[static_cast<size_t>(k * os + o)];
          const q::Multiplier& mm = mult[static_cast<size_t>(m)];
          py[(n * g.m + m) * os + o] = static_cast<T>(std::is_same_v<T, int16_t> ? q::requantize64(acc, mm, zy, lo, hi, node)
                                                                               : q::requantize(acc, mm, zy, lo, hi, node));
        }
    }
}

void evalConv(EvalCtx& c) {
  switch (c.in[0]->dtype()) {
    case DType::I8: return convQuant<int8_t>(c);
    case DType::I16: return convQuant<int16_t>(c);
    case DType::F32: return convImpl<float>(c);
    case DType::F64: return convImpl<double>(c);
    case DType::F16: return nn::evalViaF32(c, evalConv);
    default: c.fail("unsupported type {}", dtypeName(c.in[0]->dtype()));
  }
}

int64_t macsConv(const Node& n) {
  const Shape& w = n.inputs[1]->shape;
  int64_t perOut = 1;
  for (size_t i = 1; i < w.size(); ++i) perOut *= w[i];  // C/group * kernel
  return nn::perBatch(n.outputs[0]) * perOut;
}

// ---- ConvTranspose ------------------------------------------------------------------------

struct ConvTGeom {
  int64_t n, c, m, g;
  Window w;  // in = X spatial, out = Y spatial; pb/pe = padding cropped from the full output
};

ConvTGeom convTGeom(const Node& node, const Shape& x, const Shape& wShape) {
  ConvTGeom cg;
  auto k = kernelFromW(node, x, wShape);
  cg.n = x[0];
  cg.c = x[1];
  cg.g = groupAttr(node);
  if (wShape[0] != cg.c)
    modelError("{}: W has {} input channels (dim 0) but X has {}", node.where(), wShape[0], cg.c);
  if (cg.c % cg.g != 0)
    modelError("{}: input channels {} are not divisible by group {}", node.where(), cg.c, cg.g);
  cg.m = wShape[1] * cg.g;
  if (cg.m < 1) modelError("{}: W has no output channels", node.where());
  cg.w = nn::transposedWindow(node, x, k);
  return cg;
}

void inferConvTranspose(InferCtx& c) {
  checkFloatSame(c);
  ConvTGeom g = convTGeom(c.node, c.shape(0), c.shape(1));
  checkBias(c, g.m);
  Shape out{g.n, g.m};
  for (int64_t d : g.w.outSpatial()) out.push_back(d);
  c.setOutput(0, c.dtype(0), out);
}

// Scatter-adds col[(m,kd,kh,kw), (id,ih,iw)] into y[m, (od,oh,ow)] (the adjoint of im2col).
template <typename T>
void col2im(const T* col, int64_t ch, const Window& w, T* y) {
  const int64_t is = w.inSize(), os = w.outSize();
  const int64_t iW = w.in[2];
  for (int64_t c = 0; c < ch; ++c)
    for (int64_t kd = 0; kd < w.k[0]; ++kd)
      for (int64_t kh = 0; kh < w.k[1]; ++kh)
        for (int64_t kw = 0; kw < w.k[2]; ++kw) {
          const T* src = col + (((c * w.k[0] + kd) * w.k[1] + kh) * w.k[2] + kw) * is;
          const int64_t off = kw * w.d[2] - w.pb[2];
          // Input columns whose output column lies inside [0, out[2]).
          const int64_t lo = std::clamp<int64_t>(nn::ceilDiv(-off, w.s[2]), 0, iW);
          const int64_t hi = std::clamp<int64_t>(nn::floorDiv(w.out[2] - 1 - off, w.s[2]) + 1, lo, iW);
          for (int64_t id = 0; id < w.in[0]; ++id) {
            const int64_t od = id * w.s[0] - w.pb[0] + kd * w.d[0];
            for (int64_t ih = 0; ih < w.in[1]; ++ih, src += iW) {
              const int64_t oh = ih * w.s[1] - w.pb[1] + kh * w.d[1];
              if (od < 0 || od >= w.out[0] || oh < 0 || oh >= w.out[1]) continue;
              T* dst = y + c * os + (od * w.out[1] + oh) * w.out[2];
              for (int64_t iw = lo; iw < hi; ++iw) dst[iw * w.s[2] + off] += src[iw];
            }
          }
        }
}

template <typename T>
void convTImpl(EvalCtx& c) {
  const Tensor& X = *c.in[0];
  const Tensor& W = *c.in[1];
  ConvTGeom g = convTGeom(c.node, X.shape(), W.shape());
  const Window& w = g.w;
  const int64_t cg = g.c / g.g, mg = g.m / g.g;
  const int64_t rows = mg * w.kSize(), is = w.inSize(), os = w.outSize();
  RowMat<T> col(rows, is);
  const T* px = X.data<T>();
  const T* pw = W.data<T>();
  const T* pb = c.has(2) ? c.in[2]->data<T>() : nullptr;
  T* py = c.out[0]->data<T>();
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t grp = 0; grp < g.g; ++grp) {
      Eigen::Map<const RowMat<T>> xm(px + (n * g.c + grp * cg) * is, cg, is);
      Eigen::Map<const RowMat<T>> wm(pw + grp * cg * rows, cg, rows);
      col.noalias() = wm.transpose() * xm;
      T* yg = py + (n * g.m + grp * mg) * os;
      for (int64_t m = 0; m < mg; ++m) std::fill(yg + m * os, yg + (m + 1) * os, pb ? pb[grp * mg + m] : T(0));
      col2im(col.data(), mg, w, yg);
    }
}

void evalConvTranspose(EvalCtx& c) {
  switch (c.in[0]->dtype()) {
    case DType::F32: return convTImpl<float>(c);
    case DType::F64: return convTImpl<double>(c);
    case DType::F16: return nn::evalViaF32(c, evalConvTranspose);
    default: c.fail("unsupported type {}", dtypeName(c.in[0]->dtype()));
  }
}

int64_t macsConvTranspose(const Node& n) {
  const Shape& w = n.inputs[1]->shape;
  int64_t perIn = 1;
  for (size_t i = 1; i < w.size(); ++i) perIn *= w[i];  // M/group * kernel
  return nn::perBatch(n.inputs[0]) * perIn;
}

std::vector<AttrSpec> convAttrs(bool transpose) {
  std::vector<AttrSpec> a = {
      {"auto_pad", Attr::Kind::String, Attr::Str("NOTSET")},
      {"dilations", Attr::Kind::Ints, std::nullopt},
      {"group", Attr::Kind::Int, Attr::Int(1)},
      {"kernel_shape", Attr::Kind::Ints, std::nullopt},
      {"pads", Attr::Kind::Ints, std::nullopt},
      {"strides", Attr::Kind::Ints, std::nullopt},
  };
  if (transpose) {
    a.push_back({"output_padding", Attr::Kind::Ints, std::nullopt});
    a.push_back({"output_shape", Attr::Kind::Ints, std::nullopt});
  }
  return a;
}

}  // namespace

void registerNnOps(OpRegistry& r) {
  OpDef conv;
  conv.name = "Conv";
  conv.minInputs = 2;
  conv.maxInputs = 3;
  conv.attrs = convAttrs(false);
  conv.infer = inferConv;
  conv.eval = evalConv;
  conv.macs = macsConv;
  conv.fusableActivation = true;
  conv.layoutInputs = 2;  // X and W channels-last (ops/layout.h)
  conv.layoutNchwInput = true;
  conv.doc = "1D/2D/3D convolution with groups, dilations, strides, pads/auto_pad, optional bias";
  r.add(conv);

  OpDef convT;
  convT.name = "ConvTranspose";
  convT.minInputs = 2;
  convT.maxInputs = 3;
  convT.attrs = convAttrs(true);
  convT.infer = inferConvTranspose;
  convT.eval = evalConvTranspose;
  convT.macs = macsConvTranspose;
  convT.fusableActivation = true;
  convT.doc = "1D/2D/3D transposed convolution with groups, dilations, output_padding/output_shape";
  r.add(convT);

  registerGemmOps(r);
}

}  // namespace tinyc
