// Pooling: MaxPool (with optional Indices), AveragePool, LpPool, GlobalAveragePool, GlobalMaxPool.
#include <cstring>
#include <algorithm>
#include <type_traits>
#include <cmath>
#include <limits>

#include "ops/nn_common.h"
#include "ops/qparams.h"

namespace tinyc {
namespace {

using nn::Window;

std::vector<int64_t> kernelAttr(const Node& n) {
  if (!n.hasAttr("kernel_shape")) modelError("{}: required attribute 'kernel_shape' is missing", n.where());
  return n.attrInts("kernel_shape");
}

Window poolWindow(const Node& n, const Shape& x) {
  const int64_t ceil = n.attrInt("ceil_mode");
  if (ceil != 0 && ceil != 1) modelError("{}: ceil_mode must be 0 or 1, got {}", n.where(), ceil);
  return nn::forwardWindow(n, x, kernelAttr(n), ceil == 1);
}

Shape poolOutShape(const Shape& x, const Window& w) {
  Shape out{x[0], x[1]};
  for (int64_t d : w.outSpatial()) out.push_back(d);
  return out;
}

// Taps of one window along each dim: input coordinate of tap k is start + k*d; taps [lo, hi) lie
// inside the input.
struct Taps {
  int64_t start[nn::kMaxSpatial], lo[nn::kMaxSpatial], hi[nn::kMaxSpatial];
};

// Visits every output position of one channel plane: f(outIndex, taps).
template <typename F>
void forEachWindow(const Window& w, F&& f) {
  Taps t;
  int64_t o = 0;
  auto setDim = [&](int i, int64_t pos) {
    t.start[i] = pos * w.s[i] - w.pb[i];
    t.lo[i] = std::max<int64_t>(0, nn::ceilDiv(-t.start[i], w.d[i]));
    t.hi[i] = std::max(t.lo[i], std::min<int64_t>(w.k[i], nn::floorDiv(w.in[i] - 1 - t.start[i], w.d[i]) + 1));
  };
  for (int64_t od = 0; od < w.out[0]; ++od) {
    setDim(0, od);
    for (int64_t oh = 0; oh < w.out[1]; ++oh) {
      setDim(1, oh);
      for (int64_t ow = 0; ow < w.out[2]; ++ow) {
        setDim(2, ow);
        f(o++, t);
      }
    }
  }
}

// ---- MaxPool ------------------------------------------------------------------------------

bool maxPoolType(DType t) {
  return t == DType::F32 || t == DType::F64 || t == DType::F16 || t == DType::I8 || t == DType::U8 || t == DType::I16;
}

void inferMaxPool(InferCtx& c) {
  if (!maxPoolType(c.dtype(0))) c.fail("unsupported input type {}", dtypeName(c.dtype(0)));
  const int64_t so = c.node.attrInt("storage_order");
  if (so != 0 && so != 1) c.fail("storage_order must be 0 or 1, got {}", so);
  Window w = poolWindow(c.node, c.shape(0));
  Shape out = poolOutShape(c.shape(0), w);
  c.setOutput(0, c.dtype(0), out);
  c.setOutput(1, DType::I64, out);
}

template <typename T, bool WithIndices>
void maxPoolImpl(EvalCtx& c) {
  const Tensor& X = *c.in[0];
  Window w = poolWindow(c.node, X.shape());
  const bool colMajor = c.node.attrInt("storage_order") == 1;
  const int64_t planes = X.shape()[0] * X.shape()[1], is = w.inSize(), os = w.outSize();
  const T* px = X.data<T>();
  T* py = c.out[0]->data<T>();
  int64_t* pi = WithIndices ? c.out[1]->data<int64_t>() : nullptr;
  for (int64_t p = 0; p < planes; ++p) {
    const T* xp = px + p * is;
    forEachWindow(w, [&](int64_t o, const Taps& t) {
      T best = std::numeric_limits<T>::lowest();
      int64_t arg = -1;  // flat spatial index of the maximum
      for (int64_t kd = t.lo[0]; kd < t.hi[0]; ++kd) {
        const int64_t id = t.start[0] + kd * w.d[0];
        for (int64_t kh = t.lo[1]; kh < t.hi[1]; ++kh) {
          const int64_t ih = t.start[1] + kh * w.d[1];
          const int64_t rowOff = (id * w.in[1] + ih) * w.in[2];
          const T* row = xp + rowOff;
          for (int64_t kw = t.lo[2]; kw < t.hi[2]; ++kw) {
            const int64_t iw = t.start[2] + kw * w.d[2];
            const T v = row[iw];
            if constexpr (WithIndices) {
              if (arg < 0 || v > best) {
                best = v;
                arg = rowOff + iw;
              }
            } else {
              best = v > best ? v : best;
            }
          }
        }
      }
      py[p * os + o] = best;
      if constexpr (WithIndices) {
        int64_t sp = arg;
        if (colMajor && arg >= 0) {
          const int64_t bw = arg % w.in[2], bh = (arg / w.in[2]) % w.in[1], bd = arg / (w.in[2] * w.in[1]);
          sp = bd + bh * w.in[0] + bw * w.in[0] * w.in[1];
        }
        pi[p * os + o] = arg < 0 ? -1 : p * is + sp;
      }
    });
  }
}

template <typename T>
void maxPoolDispatch(EvalCtx& c) {
  if (c.out.size() > 1 && c.out[1])
    maxPoolImpl<T, true>(c);
  else
    maxPoolImpl<T, false>(c);
}

void evalMaxPool(EvalCtx& c) {
  switch (c.in[0]->dtype()) {
    case DType::F32: return maxPoolDispatch<float>(c);
    case DType::F64: return maxPoolDispatch<double>(c);
    case DType::I8: return maxPoolDispatch<int8_t>(c);
    case DType::U8: return maxPoolDispatch<uint8_t>(c);
    case DType::I16: return maxPoolDispatch<int16_t>(c);
    case DType::F16: return nn::evalViaF32(c, evalMaxPool);
    default: c.fail("unsupported type {}", dtypeName(c.in[0]->dtype()));
  }
}

// ---- AveragePool --------------------------------------------------------------------------

void inferAveragePool(InferCtx& c) {
  if (c.dtype(0) == DType::I8 || c.dtype(0) == DType::I16)
    q::checkPerTensorIo(c);  // the quantized form (ops/qparams.h)
  else if (!isFloat(c.dtype(0)))
    c.fail("input X must be a float type, got {}", dtypeName(c.dtype(0)));
  const int64_t cip = c.node.attrInt("count_include_pad");
  if (cip != 0 && cip != 1) c.fail("count_include_pad must be 0 or 1, got {}", cip);
  Window w = poolWindow(c.node, c.shape(0));
  c.setOutput(0, c.dtype(0), poolOutShape(c.shape(0), w));
}

// Number of taps start + k*dil (k < kernel) inside [lo, hi).
int64_t tapsInside(int64_t start, int64_t kernel, int64_t dil, int64_t lo, int64_t hi) {
  const int64_t first = std::max<int64_t>(0, nn::ceilDiv(lo - start, dil));
  const int64_t last = std::min<int64_t>(kernel - 1, nn::floorDiv(hi - 1 - start, dil));
  return last >= first ? last - first + 1 : 0;
}

// Taps of a window counted by the divisor (count_include_pad: inside the padded input).
int64_t windowCount(const Window& w, const Taps& t, bool includePad) {
  int64_t count = 1;
  for (int i = 0; i < nn::kMaxSpatial; ++i)
    count *= includePad ? tapsInside(t.start[i], w.k[i], w.d[i], -w.pb[i], w.in[i] + w.pe[i]) : t.hi[i] - t.lo[i];
  return count;
}

// Requantizes the sum of a quantized pool: int32 for int8 data, int64 for int16 (ops/qparams.h).
template <typename T>
int32_t requantizeSum(int64_t sum, const q::Multiplier& m, int32_t zy, const Node& node) {
  const auto [lo, hi] = q::typeRange(std::is_same_v<T, int16_t> ? DType::I16 : DType::I8);
  return std::is_same_v<T, int16_t> ? q::requantize64(sum, m, zy, lo, hi, node) : q::requantize(sum, m, zy, lo, hi, node);
}

// The quantized form: sum of (x - zx) over the window, requantized by s_x / (s_y * count).
template <typename T>
void averagePoolQuant(EvalCtx& c) {
  const Node& node = c.node;
  const Tensor& X = *c.in[0];
  Window w = poolWindow(node, X.shape());
  const bool includePad = node.attrInt("count_include_pad") == 1;
  const int64_t planes = X.shape()[0] * X.shape()[1], is = w.inSize(), os = w.outSize();
  const auto mult = q::averageMultipliers(node, *node.inputs[0], *node.outputs[0], w.kSize());
  const int32_t zx = q::zeroAt(*node.inputs[0]->quant, 0), zy = q::zeroAt(*node.outputs[0]->quant, 0);
  const T* px = X.data<T>();
  T* py = c.out[0]->data<T>();
  for (int64_t p = 0; p < planes; ++p) {
    const T* xp = px + p * is;
    forEachWindow(w, [&](int64_t o, const Taps& t) {
      int64_t sum = 0;
      for (int64_t kd = t.lo[0]; kd < t.hi[0]; ++kd) {
        const int64_t id = t.start[0] + kd * w.d[0];
        for (int64_t kh = t.lo[1]; kh < t.hi[1]; ++kh) {
          const int64_t ih = t.start[1] + kh * w.d[1];
          const T* row = xp + (id * w.in[1] + ih) * w.in[2];
          for (int64_t kw = t.lo[2]; kw < t.hi[2]; ++kw) sum += row[t.start[2] + kw * w.d[2]] - zx;
        }
      }
      const int64_t count = windowCount(w, t, includePad);
      py[p * os + o] = static_cast<T>(count > 0 ? requantizeSum<T>(sum, mult[static_cast<size_t>(count)], zy, node) : zy);
    });
  }
}

template <typename T>
void averagePoolImpl(EvalCtx& c) {
  const Tensor& X = *c.in[0];
  Window w = poolWindow(c.node, X.shape());
  const bool includePad = c.node.attrInt("count_include_pad") == 1;
  const int64_t planes = X.shape()[0] * X.shape()[1], is = w.inSize(), os = w.outSize();
  const T* px = X.data<T>();
  T* py = c.out[0]->data<T>();
  for (int64_t p = 0; p < planes; ++p) {
    const T* xp = px + p * is;
    forEachWindow(w, [&](int64_t o, const Taps& t) {
      T sum = 0;
      for (int64_t kd = t.lo[0]; kd < t.hi[0]; ++kd) {
        const int64_t id = t.start[0] + kd * w.d[0];
        for (int64_t kh = t.lo[1]; kh < t.hi[1]; ++kh) {
          const int64_t ih = t.start[1] + kh * w.d[1];
          const T* row = xp + (id * w.in[1] + ih) * w.in[2];
          for (int64_t kw = t.lo[2]; kw < t.hi[2]; ++kw) sum += row[t.start[2] + kw * w.d[2]];
        }
      }
      // Divisor: taps inside the input, or inside the padded input with count_include_pad.
      const int64_t count = windowCount(w, t, includePad);
      py[p * os + o] = count > 0 ? sum / static_cast<T>(count) : T(0);
    });
  }
}

// ---- LpPool ---------------------------------------------------------------------------------
// (sum over the window's taps inside the input of |x|^p)^(1/p), in double (padding adds zeros).

void inferLpPool(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("input X must be a float type, got {}", dtypeName(c.dtype(0)));
  if (c.node.attrInt("p") < 1) c.fail("p must be at least 1, got {}", c.node.attrInt("p"));
  Window w = poolWindow(c.node, c.shape(0));
  c.setOutput(0, c.dtype(0), poolOutShape(c.shape(0), w));
}

void evalLpPool(EvalCtx& c) {
  const Tensor& X = *c.in[0];
  Window w = poolWindow(c.node, X.shape());
  const int64_t p = c.node.attrInt("p");
  const int64_t planes = X.shape()[0] * X.shape()[1], is = w.inSize(), os = w.outSize();
  for (int64_t pl = 0; pl < planes; ++pl)
    forEachWindow(w, [&](int64_t o, const Taps& t) {
      double sum = 0;
      for (int64_t kd = t.lo[0]; kd < t.hi[0]; ++kd)
        for (int64_t kh = t.lo[1]; kh < t.hi[1]; ++kh)
          for (int64_t kw = t.lo[2]; kw < t.hi[2]; ++kw) {
            const int64_t at = ((t.start[0] + kd * w.d[0]) * w.in[1] + t.start[1] + kh * w.d[1]) * w.in[2] + t.start[2] +
                               kw * w.d[2];
            const double v = std::fabs(X.getF(pl * is + at));
            sum += p == 1 ? v : p == 2 ? v * v : std::pow(v, static_cast<double>(p));
          }
      c.out[0]->setF(pl * os + o, p == 1 ? sum : p == 2 ? std::sqrt(sum) : std::pow(sum, 1.0 / static_cast<double>(p)));
    });
}

void evalAveragePool(EvalCtx& c) {
  switch (c.in[0]->dtype()) {
    case DType::I8: return averagePoolQuant<int8_t>(c);
    case DType::I16: return averagePoolQuant<int16_t>(c);
    case DType::F32: return averagePoolImpl<float>(c);
    case DType::F64: return averagePoolImpl<double>(c);
    case DType::F16: return nn::evalViaF32(c, evalAveragePool);
    default: c.fail("unsupported type {}", dtypeName(c.in[0]->dtype()));
  }
}


// ---- Global pools -------------------------------------------------------------------------

template <bool IsMax>
void inferGlobalPool(InferCtx& c) {
  if (!IsMax && (c.dtype(0) == DType::I8 || c.dtype(0) == DType::I16))
    q::checkPerTensorIo(c);  // GlobalAveragePool's quantized form (ops/qparams.h)
  else if (!isFloat(c.dtype(0)))
    c.fail("input X must be a float type, got {}", dtypeName(c.dtype(0)));
  if (c.rank(0) < 2) c.fail("input X must have rank >= 2 (N, C, ...), got shape {}", shapeStr(c.shape(0)));
  Shape out = c.shape(0);
  std::fill(out.begin() + 2, out.end(), 1);
  c.setOutput(0, c.dtype(0), out);
}

template <typename T, bool IsMax>
void globalPoolImpl(EvalCtx& c) {
  const Tensor& X = *c.in[0];
  const int64_t planes = X.shape()[0] * X.shape()[1];
  const int64_t inner = planes ? X.numel() / planes : 0;
  const T* px = X.data<T>();
  T* py = c.out[0]->data<T>();
  for (int64_t p = 0; p < planes; ++p) {
    const T* xp = px + p * inner;
    if constexpr (IsMax) {
      T best = inner ? xp[0] : std::numeric_limits<T>::lowest();
      for (int64_t i = 1; i < inner; ++i) best = xp[i] > best || std::isnan(xp[i]) ? xp[i] : best;
      py[p] = best;
    } else {
      double sum = 0;
      for (int64_t i = 0; i < inner; ++i) sum += xp[i];
      py[p] = inner ? static_cast<T>(sum / static_cast<double>(inner)) : T(0);
    }
  }
}

// GlobalAveragePool's quantized form: sum of (x - zx), requantized by s_x / (s_y * count).
template <typename T>
void globalAverageQuant(EvalCtx& c) {
  const Node& node = c.node;
  const Tensor& X = *c.in[0];
  const int64_t planes = X.shape()[0] * X.shape()[1];
  const int64_t inner = planes ? X.numel() / planes : 0;
  if (inner == 0) c.fail("empty spatial dims");
  const q::Multiplier m = q::averageMultiplier(node, *node.inputs[0], *node.outputs[0], inner);
  const int32_t zx = q::zeroAt(*node.inputs[0]->quant, 0), zy = q::zeroAt(*node.outputs[0]->quant, 0);
  for (int64_t p = 0; p < planes; ++p) {
    int64_t sum = 0;
    for (int64_t i = 0; i < inner; ++i) sum += X.data<T>()[p * inner + i] - zx;
    c.out[0]->data<T>()[p] = static_cast<T>(requantizeSum<T>(sum, m, zy, node));
  }
}

template <bool IsMax>
void evalGlobalPool(EvalCtx& c) {
  if constexpr (!IsMax)
    if (c.in[0]->dtype() == DType::I8) return globalAverageQuant<int8_t>(c);
  if constexpr (!IsMax)
    if (c.in[0]->dtype() == DType::I16) return globalAverageQuant<int16_t>(c);
  switch (c.in[0]->dtype()) {
    case DType::F32: return globalPoolImpl<float, IsMax>(c);
    case DType::F64: return globalPoolImpl<double, IsMax>(c);
    case DType::F16: return nn::evalViaF32(c, evalGlobalPool<IsMax>);
    default: c.fail("unsupported type {}", dtypeName(c.in[0]->dtype()));
  }
}


std::vector<AttrSpec> poolAttrs() {
  return {
      {"auto_pad", Attr::Kind::String, Attr::Str("NOTSET")},
      {"ceil_mode", Attr::Kind::Int, Attr::Int(0)},
      {"dilations", Attr::Kind::Ints, std::nullopt},
      {"kernel_shape", Attr::Kind::Ints, std::nullopt, true},
      {"pads", Attr::Kind::Ints, std::nullopt},
      {"strides", Attr::Kind::Ints, std::nullopt},
  };
}

// ---- MaxUnpool: zeros with X's values placed at I's flat indices (MaxPool's Indices over the
// whole tensor) in the unpooled shape, spatial size (in - 1) * stride + kernel - pads; with the
// constant output_shape input, each element keeps its coordinates in that larger (or smaller)
// tensor (the ONNX reference: the rest is padding at the end; coordinates outside are dropped).

void inferMaxUnpool(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("X must be a float type, got {}", dtypeName(c.dtype(0)));
  if (c.rank(0) < 3) c.fail("X must be [N, C, D1, ...], got {}", shapeStr(c.shape(0)));
  if (c.dtype(1) != DType::I64 || c.shape(1) != c.shape(0)) c.fail("I must be int64 of X's shape");
  const Shape s = nn::maxUnpoolShape(c.node, c.shape(0), c.has(2) ? &c.requireConst(2, "output_shape") : nullptr);
  for (int64_t d : s)
    if (d < 0) c.fail("negative output size {}", shapeStr(s));
  c.setOutput(0, c.dtype(0), s);
}

void evalMaxUnpool(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const Tensor& idx = *c.in[1];
  Tensor& y = *c.out[0];
  const Shape d = nn::maxUnpoolShape(c.node, x.shape(), nullptr), &o = y.shape();
  const size_t es = dtypeSize(x.dtype());
  auto* dst = static_cast<uint8_t*>(y.raw());
  std::memset(dst, 0, y.byteSize());
  const int64_t total = numElements(d);
  for (int64_t j = 0; j < x.numel(); ++j) {
    int64_t at = idx.getI(j);
    if (at < 0 || at >= total) c.fail("index {} is outside the unpooled tensor's {} elements", at, total);
    int64_t out = 0, stride = 1;
    bool inside = true;
    for (size_t k = d.size(); k-- > 0;) {
      const int64_t coord = at % d[k];
      at /= d[k];
      inside = inside && coord < o[k];
      out += coord * stride;
      stride *= o[k];
    }
    if (inside)
      std::memcpy(dst + static_cast<size_t>(out) * es, static_cast<const uint8_t*>(x.raw()) + static_cast<size_t>(j) * es, es);
  }
}

}  // namespace

namespace nn {
Shape maxUnpoolShape(const Node& n, const Shape& x, const Tensor* outputShape) {
  const size_t sp = x.size() - 2;
  if (outputShape) {
    if (outputShape->rank() != 1 || static_cast<size_t>(outputShape->numel()) != x.size())
      modelError("{}: output_shape must list {} dims", n.where(), x.size());
    Shape s(x.size());
    for (size_t i = 0; i < x.size(); ++i) s[i] = outputShape->getI(static_cast<int64_t>(i));
    if (s[0] != x[0] || s[1] != x[1]) modelError("{}: output_shape must keep N and C", n.where());
    return s;
  }
  const auto k = n.attrInts("kernel_shape");
  const auto st = n.hasAttr("strides") ? n.attrInts("strides") : std::vector<int64_t>(sp, 1);
  const auto pads = n.hasAttr("pads") ? n.attrInts("pads") : std::vector<int64_t>(2 * sp, 0);
  if (k.size() != sp || st.size() != sp || pads.size() != 2 * sp)
    modelError("{}: kernel_shape, strides and pads must have {} spatial entries", n.where(), sp);
  Shape s = x;
  for (size_t i = 0; i < sp; ++i) s[i + 2] = (x[i + 2] - 1) * st[i] + k[i] - pads[i] - pads[i + sp];
  return s;
}

}  // namespace nn

void registerPoolOps(OpRegistry& r) {
  OpDef unpool;
  unpool.name = "MaxUnpool";
  unpool.minInputs = 2;
  unpool.maxInputs = 3;
  unpool.attrs = {{"kernel_shape", Attr::Kind::Ints, std::nullopt, true},
                  {"pads", Attr::Kind::Ints, std::nullopt},
                  {"strides", Attr::Kind::Ints, std::nullopt}};
  unpool.infer = inferMaxUnpool;
  unpool.eval = evalMaxUnpool;
  unpool.doc = "zeros with X placed at MaxPool's flat indices I (output size from the window or output_shape)";
  r.add(unpool);

  OpDef maxPool;
  maxPool.name = "MaxPool";
  maxPool.maxOutputs = 2;
  maxPool.attrs = poolAttrs();
  maxPool.attrs.push_back({"storage_order", Attr::Kind::Int, Attr::Int(0)});
  maxPool.infer = inferMaxPool;
  maxPool.eval = evalMaxPool;
  maxPool.doc = "1D/2D/3D max pooling (ceil_mode, dilations, pads/auto_pad, optional Indices)";
  maxPool.layoutInputs = 1;
  maxPool.quantCarried = true;
  maxPool.channelwise = true;
  r.add(maxPool);

  OpDef avgPool;
  avgPool.name = "AveragePool";
  avgPool.attrs = poolAttrs();
  avgPool.attrs.push_back({"count_include_pad", Attr::Kind::Int, Attr::Int(0)});
  avgPool.infer = inferAveragePool;
  avgPool.eval = evalAveragePool;
  avgPool.doc = "1D/2D/3D average pooling (ceil_mode, dilations, pads/auto_pad, count_include_pad)";
  avgPool.layoutInputs = 1;
  avgPool.channelwise = true;
  r.add(avgPool);

  OpDef lpPool;
  lpPool.name = "LpPool";
  lpPool.attrs = poolAttrs();
  lpPool.attrs.push_back({"p", Attr::Kind::Int, Attr::Int(2)});
  lpPool.infer = inferLpPool;
  lpPool.eval = evalLpPool;
  lpPool.doc = "1D/2D/3D Lp pooling: (sum of |x|^p over the window)^(1/p) (ceil_mode, dilations, pads/auto_pad)";
  lpPool.channelwise = true;
  r.add(lpPool);

  OpDef gap;
  gap.name = "GlobalAveragePool";
  gap.infer = inferGlobalPool<false>;
  gap.eval = evalGlobalPool<false>;
  gap.doc = "mean over all spatial dims";
  gap.layoutInputs = 1;
  gap.channelwise = true;
  r.add(gap);

  OpDef gmp;
  gmp.name = "GlobalMaxPool";
  gmp.infer = inferGlobalPool<true>;
  gmp.eval = evalGlobalPool<true>;
  gmp.doc = "max over all spatial dims";
  gmp.layoutInputs = 1;
  gmp.channelwise = true;
  r.add(gmp);
}

}  // namespace tinyc
