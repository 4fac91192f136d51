// DFT (opsets 17 and 20; the importer moves DFT-17's axis attribute to input 2, where DFT-20 has
// it): the discrete Fourier transform along one axis of a real ([..., 1]) or complex ([..., 2])
// signal, zero-padded or truncated to dft_length, inverse (1/N), onesided (the first N/2 + 1
// frequencies; with inverse, the input is such a one-sided spectrum and the output the real
// signal of length N, numpy's irfft: dft_length defaults to 2 (n - 1)). A direct sum over twiddle factors cos/sin(2 pi m / N), m = k t mod N, in double;
// the C kernel (backends/c/runtime/signal.c) takes the same twiddles as a table and sums in the
// same order. The window functions and MelWeightMatrix make constants (their inputs must be
// compile-time constants: they fold away before code generation). STFT (opset 17): the DFT of windowed frames (as the ONNX reference: frames of the
// window's length, zero past the signal, transformed with length frame_length).
#include <cmath>
#include <cstring>
#include <tuple>

#include "ops/dft_plan.h"
#include "ops/util.h"

namespace tinyc {

DftPlan dftPlan(const Node& n, const Shape& x, const Tensor* dftLength, const Tensor* axisInput) {
  DftPlan p;
  const int64_t rank = static_cast<int64_t>(x.size());
  if (rank < 2 || (x.back() != 1 && x.back() != 2))
    modelError("{}: the input must end in a dimension of 1 (real) or 2 (complex), got {}", n.where(), shapeStr(x));
  int64_t axis = axisInput ? axisInput->getI(0) : -2;
  if (axis < -rank || axis >= rank) modelError("{}: axis {} is outside the input's rank {}", n.where(), axis, rank);
  if (axis < 0) axis += rank;
  if (axis == rank - 1) modelError("{}: axis {} is the real/imaginary dimension", n.where(), axis);
  p.axis = axis;
  p.n = x[static_cast<size_t>(axis)];
  p.inverse = n.attrInt("inverse") != 0;
  p.irfft = p.inverse && n.attrInt("onesided") != 0;
  p.len = dftLength ? dftLength->getI(0) : p.irfft ? 2 * (p.n - 1) : p.n;
  if (p.len < 1) modelError("{}: dft_length must be at least 1, got {}", n.where(), p.len);
  p.outLen = p.irfft || n.attrInt("onesided") == 0 ? p.len : p.len / 2 + 1;
  p.cin = x.back();
  p.outer = 1;
  for (int64_t d = 0; d < axis; ++d) p.outer *= x[static_cast<size_t>(d)];
  p.inner = 1;
  for (int64_t d = axis + 1; d < rank - 1; ++d) p.inner *= x[static_cast<size_t>(d)];
  p.outShape = x;
  p.outShape[static_cast<size_t>(axis)] = p.outLen;
  p.outShape.back() = p.irfft ? 1 : 2;
  return p;
}

StftPlan stftPlan(const Node& n, const Shape& x, const Tensor& step, const Shape* window, const Tensor* frameLength) {
  StftPlan p;
  if (x.size() != 3 || (x[2] != 1 && x[2] != 2))
    modelError("{}: the signal must be [batch, length, 1 or 2], got {}", n.where(), shapeStr(x));
  p.batch = x[0];
  p.len = x[1];
  p.cin = x[2];
  p.step = step.getI(0);
  if (p.step < 1) modelError("{}: frame_step must be at least 1, got {}", n.where(), p.step);
  if (window && window->size() != 1) modelError("{}: the window must be 1-D, got {}", n.where(), shapeStr(*window));
  if (window && frameLength && (*window)[0] != frameLength->getI(0))
    modelError("{}: the window has {} values but frame_length is {} (they must match)", n.where(), (*window)[0],
               frameLength->getI(0));
  p.frame = frameLength ? frameLength->getI(0) : window ? (*window)[0] : p.len;
  p.window = window ? (*window)[0] : p.frame;
  if (p.frame < 1 || p.frame > p.len)
    modelError("{}: frame_length {} is outside [1, {}] (the signal's length)", n.where(), p.frame, p.len);
  if (p.window < 1) modelError("{}: the window is empty", n.where());
  p.frames = 1 + (p.len - p.frame) / p.step;
  p.bins = n.attrInt("onesided") != 0 ? p.frame / 2 + 1 : p.frame;
  p.outShape = {p.batch, p.frames, p.bins, 2};
  return p;
}

std::vector<double> dftTwiddles(int64_t len) {
  std::vector<double> tw(static_cast<size_t>(2 * len));
  const double pi = std::acos(-1.0);
  for (int64_t m = 0; m < len; ++m) {
    const double a = 2 * pi * static_cast<double>(m) / static_cast<double>(len);
    tw[static_cast<size_t>(2 * m)] = std::cos(a);
    tw[static_cast<size_t>(2 * m + 1)] = std::sin(a);
  }
  return tw;
}

namespace {

const Tensor* scalarInput(InferCtx& c, int i, const char* what) {
  if (!c.has(i) || numElements(c.shape(i)) == 0) return nullptr;
  if (isFloat(c.dtype(i)) || numElements(c.shape(i)) != 1) c.fail("{} must be an integer scalar", what);
  return &c.requireConst(i, what);
}

void inferDft(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("the input must be a float tensor, got {}", dtypeName(c.dtype(0)));
  const DftPlan p = dftPlan(c.node, c.shape(0), scalarInput(c, 1, "dft_length"), scalarInput(c, 2, "axis"));
  c.setOutput(0, c.dtype(0), p.outShape);
}

// y_t = (Re X_0 + sum_{0 < k < len/2} 2 Re(X_k e^{i theta}) + [len even] Re(X_{len/2} e^{i pi t})) / len
// over the one-sided spectrum X (zero past its n values); Re(X e^{i theta}) = xr cos - xi sin.
void evalIrfft(EvalCtx& c, const Tensor& x, const DftPlan& p, const std::vector<double>& tw) {
  const int64_t taps = std::min(p.n, p.len / 2 + 1);
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t t = 0; t < p.len; ++t)
      for (int64_t i = 0; i < p.inner; ++i) {
        double y = 0;
        int64_t m = 0;  // k t mod len
        for (int64_t k = 0; k < taps; ++k) {
          const int64_t src = ((o * p.n + k) * p.inner + i) * p.cin;
          const double xr = x.getF(src), xi = p.cin == 2 ? x.getF(src + 1) : 0.0;
          const double v = xr * tw[static_cast<size_t>(2 * m)] - xi * tw[static_cast<size_t>(2 * m + 1)];
          y += k == 0 || 2 * k == p.len ? v : 2 * v;
          m += t;
          if (m >= p.len) m %= p.len;
        }
        c.out[0]->setF((o * p.len + t) * p.inner + i, y / static_cast<double>(p.len));
      }
}

void evalDft(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const Tensor* len = c.has(1) && c.in[1]->numel() ? c.in[1] : nullptr;
  const Tensor* axis = c.has(2) && c.in[2]->numel() ? c.in[2] : nullptr;
  const DftPlan p = dftPlan(c.node, x.shape(), len, axis);
  const std::vector<double> tw = dftTwiddles(p.len);
  const double sign = p.inverse ? -1.0 : 1.0;  // e^{-i theta} forward, e^{+i theta} inverse
  if (p.irfft) return evalIrfft(c, x, p, tw);
  const int64_t taps = std::min(p.n, p.len);
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t k = 0; k < p.outLen; ++k)
      for (int64_t i = 0; i < p.inner; ++i) {
        double re = 0, im = 0;
        int64_t m = 0;  // k t mod len
        for (int64_t t = 0; t < taps; ++t) {
          const int64_t src = ((o * p.n + t) * p.inner + i) * p.cin;
          const double xr = x.getF(src), xi = p.cin == 2 ? x.getF(src + 1) : 0.0;
          const double cs = tw[static_cast<size_t>(2 * m)], sn = tw[static_cast<size_t>(2 * m + 1)];
          re += xr * cs + sign * xi * sn;
          im += xi * cs - sign * xr * sn;
          m += k;
          if (m >= p.len) m %= p.len;
        }
        if (p.inverse) {
          re /= static_cast<double>(p.len);
          im /= static_cast<double>(p.len);
        }
        const int64_t dst = ((o * p.outLen + k) * p.inner + i) * 2;
        c.out[0]->setF(dst, re);
        c.out[0]->setF(dst + 1, im);
      }
}

void inferStft(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("the signal must be a float tensor, got {}", dtypeName(c.dtype(0)));
  const Tensor* step = scalarInput(c, 1, "frame_step");
  if (!step) c.fail("frame_step is required");
  const bool window = c.has(2) && numElements(c.shape(2)) > 0;
  if (window && c.dtype(2) != c.dtype(0)) c.fail("the window must have the signal's type");
  const StftPlan p = stftPlan(c.node, c.shape(0), *step, window ? &c.shape(2) : nullptr,
                              scalarInput(c, 3, "frame_length"));
  c.setOutput(0, c.dtype(0), p.outShape);
}

void evalStft(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const Tensor* w = c.has(2) && c.in[2]->numel() ? c.in[2] : nullptr;
  const Tensor* fl = c.has(3) && c.in[3]->numel() ? c.in[3] : nullptr;
  const StftPlan p = stftPlan(c.node, x.shape(), *c.in[1], w ? &w->shape() : nullptr, fl);
  const std::vector<double> tw = dftTwiddles(p.frame);
  const int64_t taps = std::min(p.window, p.frame);
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t f = 0; f < p.frames; ++f)
      for (int64_t k = 0; k < p.bins; ++k) {
        double re = 0, im = 0;
        int64_t m = 0;  // k t mod frame
        for (int64_t t = 0; t < taps; ++t) {
          const int64_t at = f * p.step + t;
          if (at < p.len) {
            const int64_t src = (b * p.len + at) * p.cin;
            const double wt = w ? w->getF(t) : 1.0;
            const double xr = x.getF(src) * wt, xi = p.cin == 2 ? x.getF(src + 1) * wt : 0.0;
            const double cs = tw[static_cast<size_t>(2 * m)], sn = tw[static_cast<size_t>(2 * m + 1)];
            re += xr * cs + xi * sn;
            im += xi * cs - xr * sn;
          }
          m += k;
          if (m >= p.frame) m %= p.frame;
        }
        const int64_t dst = ((b * p.frames + f) * p.bins + k) * 2;
        c.out[0]->setF(dst, re);
        c.out[0]->setF(dst + 1, im);
      }
}

// ---- window functions and MelWeightMatrix (opset 17): constants of a constant size --------------

DType outputType(const Node& n) {
  DType t;
  const int64_t code = n.attrInt("output_datatype");
  if (!dtypeFromOnnx(code, &t) || !(isFloat(t) || isInteger(t)))
    modelError("{}: output_datatype {} ({}) is not a numeric type tinyc supports", n.where(), code, onnxTypeName(code));
  return t;
}

const Tensor& constInput(const Node& n, size_t i, const char* what) {
  const Tensor* t = n.input(i) ? n.input(i)->constData() : nullptr;
  if (!t) modelError("{}: {} (input {}) must be known at compile time", n.where(), what, i);
  if (t->numel() != 1) modelError("{}: {} must be a scalar", n.where(), what);
  return *t;
}

int64_t sizeInput(const Node& n, size_t i, const char* what) {
  const Tensor& t = constInput(n, i, what);
  if (isFloat(t.dtype())) modelError("{}: {} must be an integer", n.where(), what);
  return t.getI(0);
}

void storeWindow(Tensor& y, int64_t i, double v) {
  if (isFloat(y.dtype()))
    y.setF(i, v);
  else
    y.setI(i, static_cast<int64_t>(v));  // numpy's astype: toward zero
}

// w_n over n = 0..size-1 with N = size (periodic) or size - 1 (the ONNX reference's formulas).
template <int Kind>  // 0 Hann, 1 Hamming, 2 Blackman
Tensor windowValues(const Node& node) {
  const int64_t size = sizeInput(node, 0, "size");
  if (size < 0) modelError("{}: size must not be negative, got {}", node.where(), size);
  const DType t = outputType(node);
  Tensor y(t, {size});
  const double pi = std::acos(-1.0);
  const double N = static_cast<double>(node.attrInt("periodic") != 0 ? size : size - 1);
  for (int64_t n = 0; n < size; ++n) {
    const double x = static_cast<double>(n);
    double v;
    if (Kind == 0) {
      const double s = std::sin(x * pi / N);
      v = s * s;
    } else if (Kind == 1) {
      v = 25.0 / 46.0 - std::cos(x * pi * 2 / N) * (1 - 25.0 / 46.0);
    } else {
      v = std::cos(x * (pi * 2) / N) * -0.5 + std::cos(x * (pi * 4) / N) * 0.08 + 0.42;
    }
    storeWindow(y, n, v);
  }
  return y;
}

// A [dft_length / 2 + 1, num_mel_bins] matrix of triangular filters, mel = 2595 log10(1 + f / 700),
// as the ONNX reference computes it (bin edges floor((dft_length + 1) f / sample_rate)).
Tensor melValues(const Node& n) {
  const int64_t mels = sizeInput(n, 0, "num_mel_bins"), dft = sizeInput(n, 1, "dft_length");
  const int64_t rate = sizeInput(n, 2, "sample_rate");
  const double lo = constInput(n, 3, "lower_edge_hertz").getF(0), hi = constInput(n, 4, "upper_edge_hertz").getF(0);
  if (mels < 1 || dft < 1 || rate < 1) modelError("{}: num_mel_bins, dft_length and sample_rate must be positive", n.where());
  if (!(lo >= 0 && hi > lo && hi <= static_cast<double>(rate) / 2 + 1e-9))
    modelError("{}: need 0 <= lower_edge_hertz < upper_edge_hertz <= sample_rate / 2, got {} and {}", n.where(), lo, hi);
  const int64_t bins = dft / 2 + 1;
  const double loMel = 2595 * std::log10(1 + lo / 700), hiMel = 2595 * std::log10(1 + hi / 700);
  const double step = (hiMel - loMel) / static_cast<double>(mels + 2);
  std::vector<int64_t> edge(static_cast<size_t>(mels + 2));
  for (int64_t i = 0; i < mels + 2; ++i) {
    const double f = 700 * (std::pow(10.0, (static_cast<double>(i) * step + loMel) / 2595) - 1);
    edge[static_cast<size_t>(i)] = static_cast<int64_t>(std::floor(static_cast<double>(dft + 1) * f / static_cast<double>(rate)));
  }
  std::vector<double> m(static_cast<size_t>(bins * mels), 0.0);
  auto at = [&](int64_t j, int64_t i) -> double& {
    if (j < 0 || j >= bins) modelError("{}: a filter edge ({}) falls outside the {} spectrogram bins", n.where(), j, bins);
    return m[static_cast<size_t>(j * mels + i)];
  };
  for (int64_t i = 0; i < mels; ++i) {
    const int64_t l = edge[static_cast<size_t>(i)], ctr = edge[static_cast<size_t>(i) + 1], r = edge[static_cast<size_t>(i) + 2];
    if (ctr == l)
      at(ctr, i) = 1;
    else
      for (int64_t j = l; j <= ctr; ++j) at(j, i) = static_cast<double>(j - l) / static_cast<double>(ctr - l);
    for (int64_t j = ctr; j < r; ++j) at(j, i) = static_cast<double>(r - j) / static_cast<double>(r - ctr);
  }
  Tensor y(outputType(n), {bins, mels});
  for (size_t k = 0; k < m.size(); ++k) storeWindow(y, static_cast<int64_t>(k), m[k]);
  return y;
}

// Constant producers: shape inference computes the values (every input is a constant), and the
// interpreter copies them (the node then folds into a constant).
template <Tensor (*Values)(const Node&)>
void inferValues(InferCtx& c) {
  Tensor y = Values(c.node);
  c.setOutput(0, y.dtype(), y.shape());
}
template <Tensor (*Values)(const Node&)>
void evalValues(EvalCtx& c) {
  Tensor y = Values(c.node);
  std::memcpy(c.out[0]->raw(), y.raw(), y.byteSize());
}

}  // namespace

void registerSignalOps(OpRegistry& r) {
  using K = Attr::Kind;
  OpDef d;
  d.name = "DFT";
  d.minInputs = 1;
  d.maxInputs = 3;
  d.infer = inferDft;
  d.eval = evalDft;
  d.doc = "discrete Fourier transform along one axis (real or complex input, dft_length, inverse, onesided)";
  d.attrs = {{"inverse", K::Int, Attr::Int(0)}, {"onesided", K::Int, Attr::Int(0)}};
  r.add(d);
  OpDef st;
  st.name = "STFT";
  st.minInputs = 2;
  st.maxInputs = 4;
  st.infer = inferStft;
  st.eval = evalStft;
  st.doc = "short-time Fourier transform: DFTs of windowed frames (constant frame_step and frame_length)";
  st.attrs = {{"onesided", K::Int, Attr::Int(1)}};
  r.add(st);
  const std::tuple<const char*, InferFn, EvalFn> windows[] = {
      {"HannWindow", inferValues<windowValues<0>>, evalValues<windowValues<0>>},
      {"HammingWindow", inferValues<windowValues<1>>, evalValues<windowValues<1>>},
      {"BlackmanWindow", inferValues<windowValues<2>>, evalValues<windowValues<2>>}};
  for (const auto& [name, infer, eval] : windows) {
    OpDef w;
    w.name = name;
    w.infer = infer;
    w.eval = eval;
    w.foldAlways = true;
    w.doc = "a window of a compile-time size (folded into a constant)";
    w.attrs = {{"output_datatype", K::Int, Attr::Int(1)}, {"periodic", K::Int, Attr::Int(1)}};
    r.add(w);
  }
  OpDef mel;
  mel.name = "MelWeightMatrix";
  mel.minInputs = mel.maxInputs = 5;
  mel.infer = inferValues<melValues>;
  mel.eval = evalValues<melValues>;
  mel.foldAlways = true;
  mel.doc = "triangular mel filters of compile-time parameters (folded into a constant)";
  mel.attrs = {{"output_datatype", K::Int, Attr::Int(1)}};
  r.add(mel);
}

}  // namespace tinyc
