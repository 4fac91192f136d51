// Matrix products: Gemm and MatMul (numpy semantics), evaluated with Eigen.
#include <Eigen/Dense>
#include <cctype>
#include <string>
#include <map>
#include <cmath>
#include <utility>

#include "ops/nn_common.h"
#include "ops/shape_plan.h"
#include "ops/qparams.h"

namespace tinyc {
namespace {

template <typename T>
using RowMat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

bool matmulType(DType t) {
  switch (t) {
    case DType::F32:
    case DType::F64:
    case DType::F16:
    case DType::I32:
    case DType::I64:
    case DType::U32:
    case DType::U64: return true;
    default: return false;
  }
}

void checkTypes(InferCtx& c) {
  if (!matmulType(c.dtype(0))) c.fail("unsupported input type {}", dtypeName(c.dtype(0)));
  for (int i = 1; i < c.numInputs(); ++i)
    if (c.has(i) && c.dtype(i) != c.dtype(0))
      c.fail("input {} has type {} but A has {}", i, dtypeName(c.dtype(i)), dtypeName(c.dtype(0)));
}

// Calls f(TypeTag<T>{}) for the matrix types computed natively (F16 goes through F32).
template <typename F>
void dispatchMatmul(EvalCtx& c, DType t, F&& f) {
  switch (t) {
    case DType::F32: return f(TypeTag<float>{});
    case DType::F64: return f(TypeTag<double>{});
    case DType::I32: return f(TypeTag<int32_t>{});
    case DType::I64: return f(TypeTag<int64_t>{});
    case DType::U32: return f(TypeTag<uint32_t>{});
    case DType::U64: return f(TypeTag<uint64_t>{});
    default: c.fail("unsupported type {}", dtypeName(t));
  }
}

// ---- Gemm ---------------------------------------------------------------------------------

struct GemmDims {
  int64_t m, k, n;
};

GemmDims gemmDims(const Node& node, const Shape& a, const Shape& b) {
  if (a.size() != 2 || b.size() != 2)
    modelError("{}: A and B must be 2-D, got {} and {}", node.where(), shapeStr(a), shapeStr(b));
  const bool ta = node.attrInt("transA") != 0, tb = node.attrInt("transB") != 0;
  GemmDims d{ta ? a[1] : a[0], ta ? a[0] : a[1], tb ? b[0] : b[1]};
  const int64_t kb = tb ? b[1] : b[0];
  if (d.k != kb)
    modelError("{}: inner dimensions differ: A{} (transA={}) and B{} (transB={})", node.where(), shapeStr(a),
               ta ? 1 : 0, shapeStr(b), tb ? 1 : 0);
  return d;
}

void inferGemm(InferCtx& c) {
  const bool quantized = c.dtype(0) == DType::I8 || c.dtype(0) == DType::I16;  // the quantized form (ops/qparams.h)
  if (!quantized) checkTypes(c);
  GemmDims d = gemmDims(c.node, c.shape(0), c.shape(1));
  if (quantized) {
    if (c.node.attrInt("transA") != 0 || c.node.attrFloat("alpha") != 1.0f || c.node.attrFloat("beta") != 1.0f)
      c.fail("an int8 Gemm needs transA = 0 and alpha = beta = 1");
    q::checkProductOperands(c, c.node.attrInt("transB") != 0 ? 0 : 1, d.n);
  }
  if (c.has(2)) {
    const Shape& cs = c.shape(2);
    const Shape out{d.m, d.n};
    bool ok = cs.size() <= 2;
    for (size_t i = 0; ok && i < cs.size(); ++i) {
      int64_t o = out[2 - cs.size() + i];
      ok = cs[i] == o || cs[i] == 1;
    }
    if (!ok) c.fail("C of shape {} cannot be broadcast to [{},{}]", shapeStr(cs), d.m, d.n);
  }
  c.setOutput(0, c.dtype(0), {d.m, d.n});
}

template <typename T>
void gemmImpl(EvalCtx& c) {
  const Tensor& A = *c.in[0];
  const Tensor& B = *c.in[1];
  GemmDims d = gemmDims(c.node, A.shape(), B.shape());
  const bool ta = c.node.attrInt("transA") != 0, tb = c.node.attrInt("transB") != 0;
  const T alpha = static_cast<T>(c.node.attrFloat("alpha"));
  const T beta = static_cast<T>(c.node.attrFloat("beta"));
  Eigen::Map<const RowMat<T>> am(A.data<T>(), A.shape()[0], A.shape()[1]);
  Eigen::Map<const RowMat<T>> bm(B.data<T>(), B.shape()[0], B.shape()[1]);
  Eigen::Map<RowMat<T>> ym(c.out[0]->data<T>(), d.m, d.n);
  if (ta && tb)
    ym.noalias() = am.transpose() * bm.transpose();
  else if (ta)
    ym.noalias() = am.transpose() * bm;
  else if (tb)
    ym.noalias() = am * bm.transpose();
  else
    ym.noalias() = am * bm;
  if (alpha != T(1)) ym *= alpha;
  if (c.has(2)) {
    const Tensor& C = *c.in[2];
    const T* pc = C.data<T>();
    const Shape& cs = C.shape();
    // Unidirectional broadcast of C (rank <= 2) to [M, N].
    const int64_t rows = cs.size() == 2 ? cs[0] : 1, cols = cs.empty() ? 1 : cs.back();
    const int64_t rs = rows == 1 ? 0 : cols, cst = cols == 1 ? 0 : 1;
    T* py = c.out[0]->data<T>();
    for (int64_t i = 0; i < d.m; ++i)
      for (int64_t j = 0; j < d.n; ++j) py[i * d.n + j] += beta * pc[i * rs + j * cst];
  }
}

// The quantized form: acc = C + sum_k (a - za) * b, requantized per output column; T = int8_t, or
// int16_t (int64 accumulators).
template <typename T>
void gemmQuant(EvalCtx& c) {
  const Node& node = c.node;
  const Tensor& A = *c.in[0];
  const Tensor& B = *c.in[1];
  GemmDims d = gemmDims(node, A.shape(), B.shape());
  const bool tb = node.attrInt("transB") != 0;
  const int32_t za = q::zeroAt(*node.inputs[0]->quant, 0), zy = q::zeroAt(*node.outputs[0]->quant, 0);
  const auto mult = q::productMultipliers(node, *node.inputs[0], *node.inputs[1], *node.outputs[0], d.n);
  const auto range = q::outputRange(node);
  const int32_t lo = range.first, hi = range.second;
  const T* pa = A.data<T>();
  const int8_t* pb = B.data<int8_t>();
  for (int64_t i = 0; i < d.m; ++i)
    for (int64_t j = 0; j < d.n; ++j) {
      int64_t acc = c.has(2) ? c.in[2]->getI(j) : 0;
      for (int64_t k = 0; k < d.k; ++k) acc += (pa[i * d.k + k] - za) * pb[tb ? j * d.k + k : k * d.n + j];
      const q::Multiplier& m = mult[static_cast<size_t>(j)];
      c.out[0]->data<T>()[i * d.n + j] = static_cast<T>(std::is_same_v<T, int16_t> ? q::requantize64(acc, m, zy, lo, hi, node)
                                                                                 : q::requantize(acc, m, zy, lo, hi, node));
    }
}

void evalGemm(EvalCtx& c) {
  if (c.in[0]->dtype() == DType::I8) return gemmQuant<int8_t>(c);
  if (c.in[0]->dtype() == DType::I16) return gemmQuant<int16_t>(c);
  if (nn::anyF16(c)) return nn::evalViaF32(c, evalGemm);
  dispatchMatmul(c, c.in[0]->dtype(), [&](auto tag) { gemmImpl<typename decltype(tag)::type>(c); });
}

int64_t macsGemm(const Node& n) {
  const Shape& a = n.inputs[0]->shape;
  const Shape& y = n.outputs[0]->shape;
  if (a.size() != 2 || y.size() != 2) return 0;
  return y[0] * y[1] * (n.attrInt("transA") ? a[0] : a[1]);
}

// ---- MatMul -------------------------------------------------------------------------------

struct MatMulDims {
  int64_t m, k, n;
  Shape batchA, batchB, batch, out;
};

MatMulDims matmulDims(const Node& node, const Shape& a, const Shape& b) {
  if (a.empty() || b.empty())
    modelError("{}: MatMul inputs must have rank >= 1, got {} and {}", node.where(), shapeStr(a), shapeStr(b));
  MatMulDims d;
  d.m = a.size() >= 2 ? a[a.size() - 2] : 1;
  d.k = a.back();
  const int64_t kb = b.size() >= 2 ? b[b.size() - 2] : b[0];
  d.n = b.size() >= 2 ? b.back() : 1;
  if (d.k != kb)
    modelError("{}: inner dimensions differ: {} x {}", node.where(), shapeStr(a), shapeStr(b));
  if (a.size() > 2) d.batchA.assign(a.begin(), a.end() - 2);
  if (b.size() > 2) d.batchB.assign(b.begin(), b.end() - 2);
  const size_t r = std::max(d.batchA.size(), d.batchB.size());
  d.batch.resize(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - d.batchA.size() ? 1 : d.batchA[i - (r - d.batchA.size())];
    int64_t db = i < r - d.batchB.size() ? 1 : d.batchB[i - (r - d.batchB.size())];
    if (da != db && da != 1 && db != 1)
      modelError("{}: batch dimensions of {} and {} cannot be broadcast", node.where(), shapeStr(a), shapeStr(b));
    d.batch[i] = da == 1 ? db : da;
  }
  d.out = d.batch;
  if (a.size() >= 2) d.out.push_back(d.m);
  if (b.size() >= 2) d.out.push_back(d.n);
  return d;
}

void inferMatMul(InferCtx& c) {
  checkTypes(c);
  c.setOutput(0, c.dtype(0), matmulDims(c.node, c.shape(0), c.shape(1)).out);
}

template <typename T>
void matmulImpl(EvalCtx& c) {
  const Tensor& A = *c.in[0];
  const Tensor& B = *c.in[1];
  MatMulDims d = matmulDims(c.node, A.shape(), B.shape());
  const T* pa = A.data<T>();
  const T* pb = B.data<T>();
  T* py = c.out[0]->data<T>();
  const int64_t nBatch = numElements(d.batch), nA = numElements(d.batchA), nB = numElements(d.batchB);
  Eigen::Map<const RowMat<T>> bm0(pb, d.k, d.n);
  if (nB == 1 && nA == nBatch) {
    // B is one matrix: a single GEMM over all rows of A.
    Eigen::Map<const RowMat<T>> am(pa, nBatch * d.m, d.k);
    Eigen::Map<RowMat<T>> ym(py, nBatch * d.m, d.n);
    ym.noalias() = am * bm0;
    return;
  }
  const auto sa = broadcastStrides(d.batchA, d.batch), sb = broadcastStrides(d.batchB, d.batch);
  for (int64_t i = 0; i < nBatch; ++i) {
    const int64_t oa = broadcastOffset(i, d.batch, sa), ob = broadcastOffset(i, d.batch, sb);
    Eigen::Map<const RowMat<T>> am(pa + oa * d.m * d.k, d.m, d.k);
    Eigen::Map<const RowMat<T>> bm(pb + ob * d.k * d.n, d.k, d.n);
    Eigen::Map<RowMat<T>> ym(py + i * d.m * d.n, d.m, d.n);
    ym.noalias() = am * bm;
  }
}

void evalMatMul(EvalCtx& c) {
  if (nn::anyF16(c)) return nn::evalViaF32(c, evalMatMul);
  dispatchMatmul(c, c.in[0]->dtype(), [&](auto tag) { matmulImpl<typename decltype(tag)::type>(c); });
}

int64_t macsMatMul(const Node& n) {
  const Shape& a = n.inputs[0]->shape;
  if (a.empty() || !n.outputs[0]) return 0;
  return numElements(n.outputs[0]->shape) * a.back();
}

// ---- Det ------------------------------------------------------------------------------------
// Determinant of each [M, M] matrix of [*, M, M]: Gaussian elimination with partial pivoting (the
// largest magnitude in the column; the first of equal ones) in double, as the C kernel does in
// its accumulation type (runtime/matmul.c).

void inferDet(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("input must be a float type, got {}", dtypeName(c.dtype(0)));
  const Shape& s = c.shape(0);
  if (s.size() < 2 || s[s.size() - 1] != s[s.size() - 2]) c.fail("input must be [*, M, M], got {}", shapeStr(s));
  c.setOutput(0, c.dtype(0), Shape(s.begin(), s.end() - 2));
}

void evalDet(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const int64_t m = x.shape().back(), batch = m ? x.numel() / (m * m) : c.out[0]->numel();
  std::vector<double> a(static_cast<size_t>(m * m));
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t i = 0; i < m * m; ++i) a[static_cast<size_t>(i)] = x.getF(b * m * m + i);
    double det = 1;
    for (int64_t k = 0; k < m && det != 0; ++k) {
      int64_t p = k;
      for (int64_t i = k + 1; i < m; ++i)
        if (std::fabs(a[static_cast<size_t>(i * m + k)]) > std::fabs(a[static_cast<size_t>(p * m + k)])) p = i;
      const double piv = a[static_cast<size_t>(p * m + k)];
      if (piv == 0) {
        det = 0;
        break;
      }
      if (p != k) {
        for (int64_t j = 0; j < m; ++j) std::swap(a[static_cast<size_t>(p * m + j)], a[static_cast<size_t>(k * m + j)]);
        det = -det;
      }
      det *= piv;
      for (int64_t i = k + 1; i < m; ++i) {
        const double f = a[static_cast<size_t>(i * m + k)] / piv;
        for (int64_t j = k + 1; j < m; ++j) a[static_cast<size_t>(i * m + j)] -= f * a[static_cast<size_t>(k * m + j)];
      }
    }
    c.out[0]->setF(b, det);
  }
}

// ---- Einsum --------------------------------------------------------------------------------

void inferEinsum(InferCtx& c) {
  std::vector<Shape> shapes;
  for (int i = 0; i < static_cast<int>(c.node.inputs.size()); ++i) {
    if (c.dtype(i) != c.dtype(0)) c.fail("input {} has type {} but input 0 has {}", i, dtypeName(c.dtype(i)), dtypeName(c.dtype(0)));
    shapes.push_back(c.shape(i));
  }
  if (c.dtype(0) != DType::F32 && c.dtype(0) != DType::F64 && c.dtype(0) != DType::I32 && c.dtype(0) != DType::I64)
    c.fail("type {} is not supported (float, double, int32, int64)", dtypeName(c.dtype(0)));
  c.setOutput(0, c.dtype(0), nn::einsumPlan(c.node, shapes).outShape);
}

// Every combination of the labels' values, in row-major order of the label ids: the product of
// the inputs' elements added to the output's (double for floats; integers wrap).
void evalEinsum(EvalCtx& c) {
  std::vector<Shape> shapes;
  for (const Tensor* t : c.in) shapes.push_back(t->shape());
  const nn::EinsumPlan p = nn::einsumPlan(c.node, shapes);
  Tensor& y = *c.out[0];
  const size_t nl = p.dims.size();
  int64_t total = 1;
  for (int64_t d : p.dims) total *= d;
  const bool isF = isFloat(y.dtype());
  std::vector<double> accF(static_cast<size_t>(y.numel()), 0.0);
  std::vector<uint64_t> accI(static_cast<size_t>(y.numel()), 0);
  std::vector<int64_t> at(nl, 0), off(c.in.size(), 0);
  int64_t o = 0;
  for (int64_t step = 0; step < total; ++step) {
    if (isF) {
      double v = 1;
      for (size_t i = 0; i < c.in.size(); ++i) v *= c.in[i]->getF(off[i]);
      accF[static_cast<size_t>(o)] += v;
    } else {
      uint64_t v = 1;
      for (size_t i = 0; i < c.in.size(); ++i) v *= static_cast<uint64_t>(c.in[i]->getI(off[i]));
      accI[static_cast<size_t>(o)] += v;
    }
    for (size_t l = nl; l-- > 0;) {  // the odometer: the last label fastest
      at[l]++;
      for (size_t i = 0; i < c.in.size(); ++i) off[i] += p.in[i][l];
      o += p.out[l];
      if (at[l] < p.dims[l]) break;
      for (size_t i = 0; i < c.in.size(); ++i) off[i] -= p.in[i][l] * p.dims[l];
      o -= p.out[l] * p.dims[l];
      at[l] = 0;
    }
  }
  for (int64_t k = 0; k < y.numel(); ++k) {
    if (isF) y.setF(k, accF[static_cast<size_t>(k)]);
    else y.setI(k, static_cast<int64_t>(accI[static_cast<size_t>(k)]));
  }
}

}  // namespace

void registerGemmOps(OpRegistry& r) {
  OpDef gemm;
  gemm.name = "Gemm";
  gemm.minInputs = 2;
  gemm.maxInputs = 3;
  gemm.attrs = {
      {"alpha", Attr::Kind::Float, Attr::Float(1.0f)},
      {"beta", Attr::Kind::Float, Attr::Float(1.0f)},
      {"transA", Attr::Kind::Int, Attr::Int(0)},
      {"transB", Attr::Kind::Int, Attr::Int(0)},
  };
  gemm.infer = inferGemm;
  gemm.eval = evalGemm;
  gemm.macs = macsGemm;
  gemm.fusableActivation = true;
  gemm.doc = "alpha * A' * B' + beta * C, C broadcast unidirectionally";
  r.add(gemm);

  OpDef mm;
  mm.name = "MatMul";
  mm.minInputs = mm.maxInputs = 2;
  mm.infer = inferMatMul;
  mm.eval = evalMatMul;
  mm.macs = macsMatMul;
  mm.doc = "matrix product with numpy semantics (1-D operands, broadcast batch dims)";
  r.add(mm);

  r.add(shape_plan::makeOp("Einsum", 1, 8, inferEinsum, evalEinsum,
                           "Einstein summation (letters, \"...\" broadcasting, diagonals, implicit output)",
                           {{"equation", Attr::Kind::String, std::nullopt, true}}));
  r.add(shape_plan::makeOp("Det", 1, 1, inferDet, evalDet,
                           "determinant of each [M, M] matrix (Gaussian elimination with partial pivoting)"));
}

namespace nn {

EinsumPlan einsumPlan(const Node& n, const std::vector<Shape>& inputs) {
  std::string eq;
  for (char ch : n.attrStr("equation"))
    if (ch != ' ') eq += ch;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms(1);
  for (char ch : lhs) {
    if (ch == ',') terms.emplace_back();
    else terms.back() += ch;
  }
  if (terms.size() != inputs.size())
    modelError("{}: equation '{}' has {} input terms for {} inputs", n.where(), printable(eq), terms.size(), inputs.size());
  // Split a term into letters, with the position of "..." (-1: none).
  auto parse = [&](const std::string& t, std::string* letters) {
    int ell = -1;
    for (size_t k = 0; k < t.size();) {
      if (t.compare(k, 3, "...") == 0) {
        if (ell >= 0) modelError("{}: more than one '...' in a term of '{}'", n.where(), printable(eq));
        ell = static_cast<int>(letters->size());
        k += 3;
      } else if (std::isalpha(static_cast<unsigned char>(t[k]))) {
        *letters += t[k++];
      } else {
        modelError("{}: unexpected character in equation '{}'", n.where(), printable(eq));
      }
    }
    return ell;
  };
  std::vector<std::string> letters(inputs.size());
  std::vector<int> ell(inputs.size());
  size_t eDims = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    ell[i] = parse(terms[i], &letters[i]);
    const size_t r = inputs[i].size();
    if (r < letters[i].size() || (ell[i] < 0 && r != letters[i].size()))
      modelError("{}: term '{}' does not match input {} of rank {}", n.where(), printable(terms[i]), i, r);
    if (ell[i] >= 0) eDims = std::max(eDims, r - letters[i].size());
  }
  // labels: 0..eDims-1 the broadcast dims, then one per distinct letter
  std::map<char, size_t> id;
  std::map<char, int> uses;
  for (const auto& ls : letters)
    for (char ch : ls) {
      uses[ch]++;
      if (!id.count(ch)) id.emplace(ch, 0);
    }
  size_t next = eDims;
  for (auto& [ch, v] : id) v = next++;
  EinsumPlan p;
  p.dims.assign(next, 1);
  std::vector<bool> known(next, false);
  auto setDim = [&](size_t l, int64_t d, bool broadcast) {
    if (!known[l] || p.dims[l] == 1) {
      if (known[l] && p.dims[l] == 1 && d != 1 && !broadcast)
        modelError("{}: a label of '{}' has sizes 1 and {}", n.where(), printable(eq), d);
      if (!known[l] || d != 1) p.dims[l] = d;
      known[l] = true;
    } else if (d != p.dims[l] && !(broadcast && d == 1)) {
      modelError("{}: a label of '{}' has sizes {} and {}", n.where(), printable(eq), p.dims[l], d);
    }
  };
  std::vector<std::vector<size_t>> dimLabel(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Shape& s = inputs[i];
    const size_t e = ell[i] >= 0 ? s.size() - letters[i].size() : 0;
    for (size_t d = 0, k = 0; d < s.size(); ++d) {
      size_t l;
      const bool inEll = ell[i] >= 0 && d >= static_cast<size_t>(ell[i]) && d < static_cast<size_t>(ell[i]) + e;
      if (inEll) l = eDims - e + (d - static_cast<size_t>(ell[i]));
      else l = id.at(letters[i][k++]);
      dimLabel[i].push_back(l);
      setDim(l, s[d], inEll);
    }
  }
  p.in.assign(inputs.size(), std::vector<int64_t>(next, 0));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Shape& s = inputs[i];
    int64_t stride = 1;
    for (size_t d = s.size(); d-- > 0;) {
      if (s[d] != 1 || p.dims[dimLabel[i][d]] == 1) p.in[i][dimLabel[i][d]] += stride;
      stride *= s[d];
    }
  }
  std::vector<size_t> outLabels;
  if (arrow != std::string::npos) {
    std::string ol;
    const int oe = parse(eq.substr(arrow + 2), &ol);
    for (size_t k = 0; k <= ol.size(); ++k) {
      if (oe == static_cast<int>(k))
        for (size_t l = 0; l < eDims; ++l) outLabels.push_back(l);
      if (k == ol.size()) break;
      if (!id.count(ol[k])) modelError("{}: output label '{}' of '{}' is not an input's", n.where(), ol[k], printable(eq));
      outLabels.push_back(id.at(ol[k]));
    }
    if (oe < 0 && eDims > 0) modelError("{}: '{}' drops the '...' dims from its output", n.where(), printable(eq));
  } else {
    for (size_t l = 0; l < eDims; ++l) outLabels.push_back(l);
    for (const auto& [ch, l] : id)
      if (uses[ch] == 1) outLabels.push_back(l);
  }
  p.out.assign(next, 0);
  int64_t stride = 1;
  for (size_t k = outLabels.size(); k-- > 0;) {
    if (p.out[outLabels[k]] != 0) modelError("{}: an output label of '{}' repeats", n.where(), printable(eq));
    p.out[outLabels[k]] = stride;
    stride *= p.dims[outLabels[k]];
  }
  for (size_t l : outLabels) p.outShape.push_back(p.dims[l]);
  return p;
}

}  // namespace nn
}  // namespace tinyc
