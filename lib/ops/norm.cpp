// Normalization: BatchNormalization (inference mode), LayerNormalization, InstanceNormalization and LRN.
#include <algorithm>
#include <cmath>

#include "ops/nn_common.h"
#include "ops/shape_plan.h"

namespace tinyc {
namespace {

// ---- BatchNormalization -------------------------------------------------------------------

void inferBatchNorm(InferCtx& c) {
  if (c.node.attrInt("training_mode") != 0)
    c.fail("training_mode=1 is not supported (only inference-mode BatchNormalization)");
  for (int i = 1; i < c.numOutputs(); ++i)
    if (c.node.outputs[static_cast<size_t>(i)])
      c.fail("outputs running_mean and running_var exist only in training mode, which is not supported");
  if (!isFloat(c.dtype(0))) c.fail("input X must be a float type, got {}", dtypeName(c.dtype(0)));
  if (c.rank(0) < 2) c.fail("input X must have rank >= 2 (N, C, ...), got shape {}", shapeStr(c.shape(0)));
  const int64_t ch = c.shape(0)[1];
  static const char* names[] = {"X", "scale", "B", "input_mean", "input_var"};
  for (int i = 1; i < 5; ++i) {
    if (!isFloat(c.dtype(i))) c.fail("input {} must be a float type, got {}", names[i], dtypeName(c.dtype(i)));
    if (c.rank(i) != 1 || c.shape(i)[0] != ch)
      c.fail("input {} must have shape [{}] (channels of X), got {}", names[i], ch, shapeStr(c.shape(i)));
  }
  if (c.dtype(2) != c.dtype(1)) c.fail("scale and B types differ");
  if (c.dtype(4) != c.dtype(3)) c.fail("input_mean and input_var types differ");
  c.setOutput(0, c.dtype(0), c.shape(0));
}

template <typename T>
void batchNormImpl(EvalCtx& c) {
  const Tensor& X = *c.in[0];
  const double eps = c.node.attrFloat("epsilon");
  const int64_t n = X.shape()[0], ch = X.shape()[1];
  const int64_t inner = n * ch != 0 ? X.numel() / (n * ch) : 0;
  std::vector<T> a(static_cast<size_t>(ch)), b(static_cast<size_t>(ch));
  for (int64_t i = 0; i < ch; ++i) {
    // y = (x - mean) / sqrt(var + eps) * scale + B = x * a + b
    const double s = c.in[1]->getF(i) / std::sqrt(c.in[4]->getF(i) + eps);
    a[static_cast<size_t>(i)] = static_cast<T>(s);
    b[static_cast<size_t>(i)] = static_cast<T>(c.in[2]->getF(i) - c.in[3]->getF(i) * s);
  }
  const T* px = X.data<T>();
  T* py = c.out[0]->data<T>();
  for (int64_t p = 0; p < n * ch; ++p) {
    const T ai = a[static_cast<size_t>(p % ch)], bi = b[static_cast<size_t>(p % ch)];
    const T* xp = px + p * inner;
    T* yp = py + p * inner;
    for (int64_t i = 0; i < inner; ++i) yp[i] = xp[i] * ai + bi;
  }
}

void evalBatchNorm(EvalCtx& c) {
  switch (c.in[0]->dtype()) {
    case DType::F32: return batchNormImpl<float>(c);
    case DType::F64: return batchNormImpl<double>(c);
    case DType::F16: return nn::evalViaF32(c, evalBatchNorm);
    default: c.fail("unsupported type {}", dtypeName(c.in[0]->dtype()));
  }
}


// ---- LayerNormalization -------------------------------------------------------------------

DType stashType(const Node& n) {
  switch (n.attrInt("stash_type")) {
    case 1: return DType::F32;
    case 10: return DType::F16;
    case 11: return DType::F64;
    default: modelError("{}: stash_type {} is not supported (use 1 = float)", n.where(), n.attrInt("stash_type"));
  }
}

// True when `s` broadcasts unidirectionally (numpy, right-aligned) to `to`.
bool broadcastsTo(const Shape& s, const Shape& to) {
  if (s.size() > to.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const int64_t d = s[i], t = to[to.size() - s.size() + i];
    if (d != t && d != 1) return false;
  }
  return true;
}

void inferLayerNorm(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("input X must be a float type, got {}", dtypeName(c.dtype(0)));
  const int r = c.rank(0);
  if (r < 1) c.fail("input X must have rank >= 1");
  const int axis = normAxis(c.node, c.node.attrInt("axis"), r);
  const DType st = stashType(c.node);
  for (int i = 1; i < 3; ++i) {
    if (!c.has(i)) continue;
    const char* name = i == 1 ? "Scale" : "B";
    if (c.dtype(i) != c.dtype(0)) c.fail("{} has type {} but X has {}", name, dtypeName(c.dtype(i)), dtypeName(c.dtype(0)));
    if (!broadcastsTo(c.shape(i), c.shape(0)))
      c.fail("{} of shape {} cannot be broadcast to X {}", name, shapeStr(c.shape(i)), shapeStr(c.shape(0)));
  }
  c.setOutput(0, c.dtype(0), c.shape(0));
  Shape stat = c.shape(0);
  for (int i = axis; i < r; ++i) stat[static_cast<size_t>(i)] = 1;
  c.setOutput(1, st, stat);
  c.setOutput(2, st, stat);
}

// Per-element offsets of a broadcast parameter over X, as a table over the normalized block when
// the parameter does not vary over the leading (row) dims.
struct ParamIndex {
  const Tensor* t = nullptr;
  bool perBlock = true;
  std::vector<int64_t> strides, table;
  ParamIndex(const Tensor* p, const Shape& x, int axis, int64_t cols) : t(p) {
    if (!t) return;
    strides = broadcastStrides(t->shape(), x);
    for (int i = 0; i < axis; ++i) perBlock = perBlock && strides[static_cast<size_t>(i)] == 0;
    if (!perBlock) return;
    Shape inner(x.begin() + axis, x.end());
    std::vector<int64_t> innerStrides(strides.begin() + axis, strides.end());
    table.resize(static_cast<size_t>(cols));
    for (int64_t j = 0; j < cols; ++j) table[static_cast<size_t>(j)] = broadcastOffset(j, inner, innerStrides);
  }
  int64_t at(int64_t row, int64_t col, int64_t cols, const Shape& x) const {
    return perBlock ? table[static_cast<size_t>(col)] : broadcastOffset(row * cols + col, x, strides);
  }
};

// rms (RMSNormalization): no mean is subtracted, var is the mean of x^2, no B.
template <typename T>
void layerNormImpl(EvalCtx& c, bool rms = false) {
  const Tensor& X = *c.in[0];
  const Shape& xs = X.shape();
  const int axis = normAxis(c.node, c.node.attrInt("axis"), X.rank());
  const double eps = c.node.attrFloat("epsilon");
  int64_t rows = 1, cols = 1;
  for (int i = 0; i < X.rank(); ++i) (i < axis ? rows : cols) *= xs[static_cast<size_t>(i)];
  ParamIndex scale(c.in[1], xs, axis, cols);
  ParamIndex bias(c.has(2) ? c.in[2] : nullptr, xs, axis, cols);
  const T* px = X.data<T>();
  const T* ps = c.in[1]->data<T>();
  const T* pb = bias.t ? bias.t->data<T>() : nullptr;
  T* py = c.out[0]->data<T>();
  Tensor* outMean = c.out.size() > 1 ? c.out[1] : nullptr;
  Tensor* outInv = c.out.size() > 2 ? c.out[2] : nullptr;
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = px + r * cols;
    T* yr = py + r * cols;
    double sum = 0;
    if (!rms)
      for (int64_t j = 0; j < cols; ++j) sum += xr[j];
    const double mean = cols ? sum / static_cast<double>(cols) : 0;
    double sq = 0;
    for (int64_t j = 0; j < cols; ++j) sq += (xr[j] - mean) * (xr[j] - mean);
    const double var = cols ? sq / static_cast<double>(cols) : 0;
    const double inv = 1.0 / std::sqrt(var + eps);
    for (int64_t j = 0; j < cols; ++j) {
      double y = (xr[j] - mean) * inv * static_cast<double>(ps[scale.at(r, j, cols, xs)]);
      if (pb) y += static_cast<double>(pb[bias.at(r, j, cols, xs)]);
      yr[j] = static_cast<T>(y);
    }
    if (outMean) outMean->setF(r, mean);
    if (outInv) outInv->setF(r, inv);
  }
}

void evalLayerNorm(EvalCtx& c) {
  switch (c.in[0]->dtype()) {
    case DType::F32: return layerNormImpl<float>(c);
    case DType::F64: return layerNormImpl<double>(c);
    case DType::F16: return nn::evalViaF32(c, evalLayerNorm);
    default: c.fail("unsupported type {}", dtypeName(c.in[0]->dtype()));
  }
}

// ---- GroupNormalization (opsets 18 and 21) -------------------------------------------------
// Per image and group of C / num_groups channels, over those channels and the spatial dims:
// (x - mean) / sqrt(var + epsilon), then scale and bias per channel ([C], opset 21) or per group
// ([num_groups], opset 18's form; told apart by their length). In double, as LayerNormalization,
// whose C kernel it shares (rows N * groups, parameters by broadcast strides).

struct GroupNormDims {
  int64_t n = 1, c = 1, groups = 1, spatial = 1;
  bool perGroup = false;  // scale / bias hold one value per group
};

GroupNormDims groupNormDims(const Node& node, const Shape& x, const Shape& scale) {
  GroupNormDims d;
  if (x.size() < 2) modelError("{}: X must have rank >= 2 (N, C, ...), got {}", node.where(), shapeStr(x));
  d.n = x[0];
  d.c = x[1];
  d.groups = node.attrInt("num_groups");
  if (d.groups < 1 || d.c % d.groups != 0)
    modelError("{}: num_groups {} does not divide the {} channels", node.where(), d.groups, d.c);
  for (size_t i = 2; i < x.size(); ++i) d.spatial *= x[i];
  if (scale == Shape{d.c})
    d.perGroup = false;
  else if (scale == Shape{d.groups})
    d.perGroup = true;
  else
    modelError("{}: scale and bias must have shape [{}] (channels) or [{}] (groups), got {}", node.where(), d.c,
               d.groups, shapeStr(scale));
  return d;
}

void inferGroupNorm(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("input X must be a float type, got {}", dtypeName(c.dtype(0)));
  stashType(c.node);
  groupNormDims(c.node, c.shape(0), c.shape(1));
  for (int i = 1; i < 3; ++i)
    if (c.dtype(i) != c.dtype(0) || c.shape(i) != c.shape(1))
      c.fail("scale and bias must have X's type and one shape, got {} {} and {} {}", dtypeName(c.dtype(1)),
             shapeStr(c.shape(1)), dtypeName(c.dtype(2)), shapeStr(c.shape(2)));
  c.setOutput(0, c.dtype(0), c.shape(0));
}

void evalGroupNorm(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const GroupNormDims d = groupNormDims(c.node, x.shape(), c.in[1]->shape());
  const double eps = c.node.attrFloat("epsilon");
  const int64_t per = d.c / d.groups, cols = per * d.spatial;
  for (int64_t row = 0; row < d.n * d.groups; ++row) {
    const int64_t base = row * cols, g = row % d.groups;
    double sum = 0, sq = 0;
    for (int64_t j = 0; j < cols; ++j) sum += x.getF(base + j);
    const double mean = cols ? sum / static_cast<double>(cols) : 0;
    for (int64_t j = 0; j < cols; ++j) sq += (x.getF(base + j) - mean) * (x.getF(base + j) - mean);
    const double inv = 1.0 / std::sqrt((cols ? sq / static_cast<double>(cols) : 0) + eps);
    for (int64_t j = 0; j < cols; ++j) {
      const int64_t p = d.perGroup ? g : g * per + j / d.spatial;
      c.out[0]->setF(base + j, (x.getF(base + j) - mean) * inv * c.in[1]->getF(p) + c.in[2]->getF(p));
    }
  }
}

// ---- RMSNormalization (opset 23) ------------------------------------------------------------
// x / sqrt(mean(x^2 over [axis, rank)) + epsilon) * scale: LayerNormalization without the mean
// and the bias (the same code, in double; the C kernel too).

void inferRmsNorm(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("input X must be a float type, got {}", dtypeName(c.dtype(0)));
  if (c.rank(0) < 1) c.fail("input X must have rank >= 1");
  normAxis(c.node, c.node.attrInt("axis"), c.rank(0));
  stashType(c.node);
  if (c.dtype(1) != c.dtype(0)) c.fail("scale has type {} but X has {}", dtypeName(c.dtype(1)), dtypeName(c.dtype(0)));
  if (!broadcastsTo(c.shape(1), c.shape(0)))
    c.fail("scale of shape {} cannot be broadcast to X {}", shapeStr(c.shape(1)), shapeStr(c.shape(0)));
  c.setOutput(0, c.dtype(0), c.shape(0));
}

void evalRmsNorm(EvalCtx& c) {
  switch (c.in[0]->dtype()) {
    case DType::F32: return layerNormImpl<float>(c, true);
    case DType::F64: return layerNormImpl<double>(c, true);
    case DType::F16: return nn::evalViaF32(c, evalRmsNorm);
    default: c.fail("unsupported type {}", dtypeName(c.in[0]->dtype()));
  }
}

// ---- InstanceNormalization ----------------------------------------------------------------
// Per image and channel, over the spatial dims: (x - mean) / sqrt(var + epsilon) * scale[c] + B[c],
// in double as LayerNormalization (whose C kernel it shares).

void inferInstanceNorm(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("input must be a float type, got {}", dtypeName(c.dtype(0)));
  if (c.rank(0) < 3) c.fail("input must have rank >= 3 (N, C, D1, ...), got {}", shapeStr(c.shape(0)));
  const int64_t ch = c.shape(0)[1];
  for (int i = 1; i < 3; ++i) {
    const char* name = i == 1 ? "scale" : "B";
    if (c.dtype(i) != c.dtype(0)) c.fail("{} has type {} but the input has {}", name, dtypeName(c.dtype(i)), dtypeName(c.dtype(0)));
    if (c.shape(i) != Shape{ch}) c.fail("{} must have shape [{}] (the channels), got {}", name, ch, shapeStr(c.shape(i)));
  }
  c.setOutput(0, c.dtype(0), c.shape(0));
}

template <typename T>
void instanceNormImpl(EvalCtx& c) {
  const Tensor& X = *c.in[0];
  const Shape& xs = X.shape();
  const int64_t ch = xs[1], rows = xs[0] * ch, cols = X.numel() / std::max<int64_t>(rows, 1);
  const double eps = c.node.attrFloat("epsilon");
  const T* px = X.data<T>();
  const T* ps = c.in[1]->data<T>();
  const T* pb = c.in[2]->data<T>();
  T* py = c.out[0]->data<T>();
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = px + r * cols;
    T* yr = py + r * cols;
    double sum = 0, sq = 0;
    for (int64_t j = 0; j < cols; ++j) sum += xr[j];
    const double mean = cols ? sum / static_cast<double>(cols) : 0;
    for (int64_t j = 0; j < cols; ++j) sq += (xr[j] - mean) * (xr[j] - mean);
    const double inv = 1.0 / std::sqrt((cols ? sq / static_cast<double>(cols) : 0) + eps);
    for (int64_t j = 0; j < cols; ++j)
      yr[j] = static_cast<T>((xr[j] - mean) * inv * static_cast<double>(ps[r % ch]) + static_cast<double>(pb[r % ch]));
  }
}

void evalInstanceNorm(EvalCtx& c) {
  switch (c.in[0]->dtype()) {
    case DType::F32: return instanceNormImpl<float>(c);
    case DType::F64: return instanceNormImpl<double>(c);
    case DType::F16: return nn::evalViaF32(c, evalInstanceNorm);
    default: c.fail("unsupported type {}", dtypeName(c.in[0]->dtype()));
  }
}

// The `axis` attribute of node n, in [0, rank) (rank 0: 0).
int64_t normAxis(const Node& n, int rank) {
  int64_t a = n.attrInt("axis");
  if (rank == 0) return 0;
  if (a < -rank || a >= rank) modelError("{}: axis {} is outside the input's rank {}", n.where(), a, rank);
  return a < 0 ? a + rank : a;
}

// ---- LpNormalization ----------------------------------------------------------------------
// x / ||x||_p along one axis (p 1 or 2), the norm in double; a zero norm gives zeros (as ONNX
// Runtime; the ONNX reference divides by it).

void inferLpNorm(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("input must be a float type, got {}", dtypeName(c.dtype(0)));
  const int64_t p = c.node.attrInt("p");
  if (p != 1 && p != 2) c.fail("p must be 1 or 2, got {}", p);
  normAxis(c.node, c.rank(0));
  c.setOutput(0, c.dtype(0), c.shape(0));
}

void evalLpNorm(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const int64_t axis = normAxis(c.node, static_cast<int>(x.rank()));
  const Shape& s = x.shape();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= s[static_cast<size_t>(d)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < s.size(); ++d) inner *= s[d];
  const int64_t n = s.empty() ? 1 : s[static_cast<size_t>(axis)];
  const bool l1 = c.node.attrInt("p") == 1;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double acc = 0;
      for (int64_t k = 0; k < n; ++k) {
        const double v = x.getF((o * n + k) * inner + i);
        acc += l1 ? std::fabs(v) : v * v;
      }
      const double norm = l1 ? acc : std::sqrt(acc);
      for (int64_t k = 0; k < n; ++k) {
        const int64_t at = (o * n + k) * inner + i;
        c.out[0]->setF(at, norm == 0 ? 0.0 : x.getF(at) / norm);
      }
    }
}

// ---- LRN (local response normalization across channels) -----------------------------------

void inferLrn(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("input X must be a float type, got {}", dtypeName(c.dtype(0)));
  if (c.rank(0) < 3) c.fail("input X must have rank >= 3 (N, C, D1, ...), got shape {}", shapeStr(c.shape(0)));
  if (c.node.attrInt("size") < 1) c.fail("attribute size must be >= 1, got {}", c.node.attrInt("size"));
  c.setOutput(0, c.dtype(0), c.shape(0));
}

// Y[n,c,...] = X[n,c,...] / (bias + alpha / size * square_sum)^beta, square_sum over channels
// [c - floor((size-1)/2), c + ceil((size-1)/2)] clipped to [0, C-1], summed in T from the lowest
// channel up (as the C kernel, runtime/norm.c).
template <typename T>
void lrnImpl(EvalCtx& c) {
  const Tensor& X = *c.in[0];
  const int64_t size = c.node.attrInt("size");
  const int64_t before = (size - 1) / 2, after = size - 1 - before;
  const T scale = static_cast<T>(static_cast<double>(c.node.attrFloat("alpha")) / static_cast<double>(size));
  const T bias = static_cast<T>(c.node.attrFloat("bias"));
  const T beta = static_cast<T>(c.node.attrFloat("beta"));
  const int64_t n = X.shape()[0], ch = X.shape()[1];
  const int64_t inner = n * ch != 0 ? X.numel() / (n * ch) : 0;
  const T* px = X.data<T>();
  T* py = c.out[0]->data<T>();
  for (int64_t b = 0; b < n; ++b) {
    const T* xb = px + b * ch * inner;
    T* yb = py + b * ch * inner;
    for (int64_t k = 0; k < ch; ++k) {
      const int64_t lo = std::max<int64_t>(0, k - before), hi = std::min<int64_t>(ch - 1, k + after);
      for (int64_t i = 0; i < inner; ++i) {
        T sq = 0;
        for (int64_t j = lo; j <= hi; ++j) {
          const T v = xb[j * inner + i];
          sq += v * v;
        }
        yb[k * inner + i] = xb[k * inner + i] / std::pow(bias + scale * sq, beta);
      }
    }
  }
}

void evalLrn(EvalCtx& c) {
  switch (c.in[0]->dtype()) {
    case DType::F32: return lrnImpl<float>(c);
    case DType::F64: return lrnImpl<double>(c);
    case DType::F16: return nn::evalViaF32(c, evalLrn);
    default: c.fail("unsupported type {}", dtypeName(c.in[0]->dtype()));
  }
}

// Per element: the squares of its window and one scaling.
int64_t macsLrn(const Node& n) {
  const int64_t window = std::min(n.attrInt("size"), n.inputs[0]->shape[1]);
  return nn::perBatch(n.outputs[0]) * (window + 1);
}

}  // namespace

void registerNormOps(OpRegistry& r) {
  OpDef gn;
  gn.name = "GroupNormalization";
  gn.minInputs = gn.maxInputs = 3;
  gn.infer = inferGroupNorm;
  gn.eval = evalGroupNorm;
  gn.doc = "normalizes groups of channels per image, then scale and bias per channel (or per group: opset 18)";
  gn.attrs = {{"epsilon", Attr::Kind::Float, Attr::Float(1e-5f)}, {"num_groups", Attr::Kind::Int, std::nullopt, true},
              {"stash_type", Attr::Kind::Int, Attr::Int(1)}};
  r.add(gn);
  OpDef rms;
  rms.name = "RMSNormalization";
  rms.minInputs = rms.maxInputs = 2;
  rms.infer = inferRmsNorm;
  rms.eval = evalRmsNorm;
  rms.doc = "x / sqrt(mean(x^2 over axis..) + epsilon) * scale (opset 23)";
  rms.attrs = {{"axis", Attr::Kind::Int, Attr::Int(-1)}, {"epsilon", Attr::Kind::Float, Attr::Float(1e-5f)},
               {"stash_type", Attr::Kind::Int, Attr::Int(1)}};
  r.add(rms);
  OpDef lp;
  lp.name = "LpNormalization";
  lp.infer = inferLpNorm;
  lp.eval = evalLpNorm;
  lp.doc = "x divided by its L1 or L2 norm along one axis (a zero norm gives zeros)";
  lp.attrs = {{"axis", Attr::Kind::Int, Attr::Int(-1)}, {"p", Attr::Kind::Int, Attr::Int(2)}};
  r.add(lp);
  OpDef bn;
  bn.name = "BatchNormalization";
  bn.minInputs = bn.maxInputs = 5;
  bn.maxOutputs = 3;
  bn.attrs = {
      {"epsilon", Attr::Kind::Float, Attr::Float(1e-5f)},
      {"momentum", Attr::Kind::Float, Attr::Float(0.9f)},
      {"training_mode", Attr::Kind::Int, Attr::Int(0)},
  };
  bn.infer = inferBatchNorm;
  bn.eval = evalBatchNorm;
  bn.doc = "inference-mode batch normalization over channel dim 1";
  r.add(bn);

  OpDef ln;
  ln.name = "LayerNormalization";
  ln.minInputs = 2;
  ln.maxInputs = 3;
  ln.maxOutputs = 3;
  ln.attrs = {
      {"axis", Attr::Kind::Int, Attr::Int(-1)},
      {"epsilon", Attr::Kind::Float, Attr::Float(1e-5f)},
      {"stash_type", Attr::Kind::Int, Attr::Int(1)},
  };
  ln.infer = inferLayerNorm;
  ln.eval = evalLayerNorm;
  ln.doc = "normalizes over dims [axis, rank) then applies Scale and optional B";
  r.add(ln);

  r.add(shape_plan::makeOp("InstanceNormalization", 3, 3, inferInstanceNorm, evalInstanceNorm,
                           "normalizes each image's channel over its spatial dims, then scale[c] and B[c]",
                           {{"epsilon", Attr::Kind::Float, Attr::Float(1e-5f)}}));
  // (the importer writes it as its ops: lib/onnx/upgrade.cpp)
  r.add(shape_plan::importedOp(
      "MeanVarianceNormalization", 1, 1,
      "(X - mean) / (std + 1e-9) over axes (default 0, 2, 3): imported as ReduceMean, Sub, Mul, Sqrt, Add, Div",
      {{"axes", Attr::Kind::Ints, std::nullopt}}));

  OpDef lrn;
  lrn.name = "LRN";
  lrn.attrs = {
      {"alpha", Attr::Kind::Float, Attr::Float(1e-4f)},
      {"beta", Attr::Kind::Float, Attr::Float(0.75f)},
      {"bias", Attr::Kind::Float, Attr::Float(1.0f)},
      {"size", Attr::Kind::Int, std::nullopt, true},
  };
  lrn.infer = inferLrn;
  lrn.eval = evalLrn;
  lrn.macs = macsLrn;
  lrn.layoutInputs = 1;  // channels-last form: X and Y [N, D1.., C] (ops/layout.h; C: runtime/norm.c)
  lrn.doc = "local response normalization: x / (bias + alpha / size * sum of x^2 over size channels)^beta";
  r.add(lrn);
}

}  // namespace tinyc
