// C kernels for ConvTranspose, Gemm, MatMul, Einsum and Det (runtime/gemm.c, conv.c, matmul.c)
// and the one-row dense layers (runtime/dense.c). Float32 goes through a blocked, packed SGEMM
// whose B operand is either a matrix or the implicit im2col view of an image; the Conv kernels
// are kernels_conv.cpp's.
#include <algorithm>
#include <climits>

#include "backends/backend.h"
#include "backends/c/c_emit.h"
#include "backends/c/emit_util.h"
#include "backends/c/kernels_nn.h"
#include "backends/c/runtime/scratch.h"
#include "ops/layout.h"
#include "ops/nn_common.h"
#include "ops/util.h"

namespace tinyc::c {

std::vector<int32_t> int32s(const std::vector<int64_t>& v) { return std::vector<int32_t>(v.begin(), v.end()); }

std::string fitsInt32(const Node& n) {
  for (const Value* v : n.inputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensors above 2^31 elements are not supported";
  for (const Value* v : n.outputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensors above 2^31 elements are not supported";
  return "";
}

std::string scratchOrNull(EmitCtx& c, int64_t bytes) { return bytes > 0 ? c.scratch() : std::string("NULL"); }
std::string scratchAndBytes(EmitCtx& c, int64_t bytes) {
  if (bytes <= 0) return "NULL, 0";
  const std::string ptr = c.scratch();
  return fmt::format("{}, {}", ptr, c.scratchGiven());
}

void appendWindow(std::vector<int64_t>& p, const nn::Window& w) {
  static_assert(nn::kMaxSpatial == 3 && TINYC_WIN_LEN == 6 * 3, "runtime/scratch.h's window layout");
  for (const int64_t* a : {w.in, w.out, w.k, w.s, w.d, w.pb}) p.insert(p.end(), a, a + nn::kMaxSpatial);
}

namespace {

using nn::Window;

// ---- ConvTranspose ------------------------------------------------------------------------

struct ConvTGeom {
  int64_t n = 0, c = 0, m = 0, g = 1;
  Window w;
};

// The interpreter's geometry (nn::transposedWindow): in = X spatial, out = Y spatial, pb = cropped padding.
ConvTGeom convTGeom(const Node& node) {
  const Shape& x = node.input(0)->shape;
  const Shape& wShape = node.input(1)->shape;
  ConvTGeom cg;
  std::vector<int64_t> k(wShape.begin() + 2, wShape.end());
  cg.n = x[0];
  cg.c = x[1];
  cg.g = node.attrInt("group");
  cg.m = wShape[1] * cg.g;
  cg.w = nn::transposedWindow(node, x, k);
  return cg;
}

std::string checkConvTranspose(const Node& n) {
  if (auto why = checkConv(n); !why.empty()) return why;
  ConvTGeom g = convTGeom(n);
  const int64_t rows = g.m / g.g * g.w.kSize();
  if (rows * g.w.inSize() > INT32_MAX) return "the column buffer would exceed 2^31 elements";
  return "";
}

std::vector<int64_t> convTParams(const ConvTGeom& g) {
  std::vector<int64_t> p{g.n, g.c, g.m, g.g};
  appendWindow(p, g.w);
  return p;
}

int64_t scratchConvTranspose(const Node& n) {
  return tinyc_convtranspose_f32_scratch(int32s(convTParams(convTGeom(n))).data());
}
int64_t scratchConvTransposeMax(const Node& n) {
  return tinyc_convtranspose_f32_scratch_max(int32s(convTParams(convTGeom(n))).data());
}

void emitConvTranspose(EmitCtx& c) {
  c.require("conv");
  const std::vector<int64_t> p = convTParams(convTGeom(c.node));
  c.line(fmt::format("tinyc_convtranspose_f32({}, {}, {}, {}, {}, {});", c.in(0), c.in(1), c.in(2), c.out(0),
                     c.intArray(p), scratchAndBytes(c, scratchConvTranspose(c.node))));
}

// ---- Gemm ---------------------------------------------------------------------------------

bool plainMatType(DType t) {
  return t == DType::F64 || t == DType::I32 || t == DType::I64 || t == DType::U32 || t == DType::U64;
}

std::string checkMatTypes(const Node& n) {
  const DType t = n.input(0)->dtype;
  if (t != DType::F32 && !plainMatType(t)) return fmt::format("dtype {} is not supported by the C kernel", dtypeName(t));
  for (const Value* v : n.inputs)
    if (v && v->dtype != t) return "mixed input types are not supported";
  return fitsInt32(n);
}

struct GemmDims {
  int64_t m, n, k;
  bool ta, tb;
};

GemmDims gemmDims(const Node& node) {
  const Shape& a = node.input(0)->shape;
  GemmDims d;
  d.ta = node.attrInt("transA") != 0;
  d.tb = node.attrInt("transB") != 0;
  d.m = d.ta ? a[1] : a[0];
  d.k = d.ta ? a[0] : a[1];
  d.n = node.outputs[0]->shape[1];
  return d;
}

std::string checkGemm(const Node& n) {
  if (auto why = checkMatTypes(n); !why.empty()) return why;
  if (n.input(0)->shape.size() != 2 || n.input(1)->shape.size() != 2) return "A and B must be 2-D";
  return "";
}

// M, N, K, transA, transB, C's row and column strides (TINYC_GEMM_PARAMS).
std::vector<int64_t> gemmParams(const Node& node, const Value* cv) {
  GemmDims d = gemmDims(node);
  int64_t crs = 0, ccs = 0;
  if (cv) {
    const Shape& cs = cv->shape;
    const int64_t rows = cs.size() == 2 ? cs[0] : 1, cols = cs.empty() ? 1 : cs.back();
    crs = rows == 1 ? 0 : cols;
    ccs = cols == 1 ? 0 : 1;
  }
  return {d.m, d.n, d.k, d.ta, d.tb, crs, ccs};
}

int64_t scratchGemm(const Node& n) {
  if (n.input(0)->dtype != DType::F32) return 0;
  const auto p = int32s(gemmParams(n, n.input(2)));
  return tinyc_gemm_f32_scratch(p.data(), TINYC_GEMM_PACKS_A(p[TINYC_GEMM_P_TA], n.attrFloat("alpha")));
}
int64_t scratchGemmMax(const Node& n) {
  if (n.input(0)->dtype != DType::F32) return 0;
  const auto p = int32s(gemmParams(n, n.input(2)));
  return tinyc_gemm_f32_scratch_max(p.data(), TINYC_GEMM_PACKS_A(p[TINYC_GEMM_P_TA], n.attrFloat("alpha")));
}

std::string scalarLit(DType t, double v) {
  switch (t) {
    case DType::F32: return EmitCtx::floatLit(static_cast<float>(v));
    case DType::F64: return EmitCtx::doubleLit(v);
    case DType::I32: return EmitCtx::intLit(static_cast<int32_t>(v));
    case DType::I64: return EmitCtx::intLit(static_cast<int64_t>(v));
    case DType::U32: return fmt::format("{}u", static_cast<uint32_t>(v));
    case DType::U64: return fmt::format("UINT64_C({})", static_cast<uint64_t>(v));
    default: return "0";
  }
}

void emitGemm(EmitCtx& c) {
  c.require("matmul");
  const DType t = c.inValue(0)->dtype;
  const std::string p = c.intArray(gemmParams(c.node, c.inValue(2)));
  // The interpreter converts alpha and beta (float attributes) to the element type.
  const double alpha = c.node.attrFloat("alpha"), beta = c.node.attrFloat("beta");
  if (t == DType::F32) {
    c.line(fmt::format("tinyc_gemm_f32({}, {}, {}, {}, {}, {}, {}, {});", c.in(0), c.in(1), c.in(2), c.out(0), p,
                       scalarLit(t, alpha), scalarLit(t, beta), scratchAndBytes(c, scratchGemm(c.node))));
  } else {
    c.line(fmt::format("tinyc_gemm_{}({}, {}, {}, {}, {}, {}, {});", EmitCtx::suffix(t), c.in(0), c.in(1), c.in(2),
                       c.out(0), p, scalarLit(t, alpha), scalarLit(t, beta)));
  }
}

// ---- MatMul -------------------------------------------------------------------------------

struct MatMulPlan {
  int64_t batch = 1, m = 1, k = 1, n = 1;
  std::vector<int64_t> offA, offB;  // empty: contiguous
};

MatMulPlan matmulPlan(const Node& node) {
  const Shape& a = node.input(0)->shape;
  const Shape& b = node.input(1)->shape;
  MatMulPlan p;
  p.m = a.size() >= 2 ? a[a.size() - 2] : 1;
  p.k = a.back();
  p.n = b.size() >= 2 ? b.back() : 1;
  Shape batchA, batchB;
  if (a.size() > 2) batchA.assign(a.begin(), a.end() - 2);
  if (b.size() > 2) batchB.assign(b.begin(), b.end() - 2);
  const size_t r = std::max(batchA.size(), batchB.size());
  Shape batch(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - batchA.size() ? 1 : batchA[i - (r - batchA.size())];
    int64_t db = i < r - batchB.size() ? 1 : batchB[i - (r - batchB.size())];
    batch[i] = da == 1 ? db : da;
  }
  const int64_t nBatch = numElements(batch), nA = numElements(batchA), nB = numElements(batchB);
  if (nB == 1 && nA == nBatch) {  // one B: a single product over every row of A
    p.m *= nBatch;
    return p;
  }
  p.batch = nBatch;
  if (nA == nBatch && nB == nBatch) return p;
  const auto sa = bcastStrides(batchA, batch), sb = bcastStrides(batchB, batch);
  for (int64_t i = 0; i < nBatch; ++i) {
    int64_t rem = i, oa = 0, ob = 0;
    for (int d = static_cast<int>(r) - 1; d >= 0; --d) {
      const size_t du = static_cast<size_t>(d);
      const int64_t idx = rem % batch[du];
      rem /= batch[du];
      oa += idx * sa[du];
      ob += idx * sb[du];
    }
    p.offA.push_back(oa * p.m * p.k);
    p.offB.push_back(ob * p.k * p.n);
  }
  return p;
}

std::string checkMatMul(const Node& n) {
  if (auto why = checkMatTypes(n); !why.empty()) return why;
  if (n.input(0)->shape.empty() || n.input(1)->shape.empty()) return "scalar operands are not supported";
  return "";
}

int64_t scratchMatMul(const Node& n) {
  if (n.input(0)->dtype != DType::F32) return 0;
  MatMulPlan p = matmulPlan(n);
  return tinyc_matmul_f32_scratch(p.m, p.k, p.n);
}
int64_t scratchMatMulMax(const Node& n) {
  if (n.input(0)->dtype != DType::F32) return 0;
  MatMulPlan p = matmulPlan(n);
  return tinyc_matmul_f32_scratch_max(p.m, p.k, p.n);
}

void emitMatMul(EmitCtx& c) {
  c.require("matmul");
  const DType t = c.inValue(0)->dtype;
  MatMulPlan p = matmulPlan(c.node);
  if (numElements(c.outValue(0)->shape) == 0) return;
  const std::string offA = p.offA.empty() ? "NULL" : c.intArray(p.offA);
  const std::string offB = p.offB.empty() ? "NULL" : c.intArray(p.offB);
  if (t == DType::F32)
    c.line(fmt::format("tinyc_matmul_f32({}, {}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0), c.in(1), c.out(0), p.batch,
                       p.m, p.k, p.n, offA, offB, scratchAndBytes(c, scratchMatMul(c.node))));
  else
    c.line(fmt::format("tinyc_matmul_{}({}, {}, {}, {}, {}, {}, {}, {}, {});", EmitCtx::suffix(t), c.in(0), c.in(1),
                       c.out(0), p.batch, p.m, p.k, p.n, offA, offB));
}

// ---- Einsum: runtime/matmul.c (nn::einsumPlan's label loop; scratch: the accumulators) ------------

constexpr size_t kEinsumMax = 16;  // TINYC_EINSUM_MAX

nn::EinsumPlan einsumOf(const Node& n) {
  std::vector<Shape> shapes;
  for (const Value* v : n.inputs) shapes.push_back(v->shape);
  return nn::einsumPlan(n, shapes);
}
std::string checkEinsum(const Node& n) {
  if (auto why = requireDTypes(n, {DType::F32, DType::F64, DType::I32, DType::I64}); !why.empty()) return why;
  for (const Value* v : n.inputs)
    if (!v) return "every input is required";
  if (n.inputs.size() > kEinsumMax || einsumOf(n).dims.size() > kEinsumMax)
    return fmt::format("more than {} labels or inputs", kEinsumMax);
  return fitsInt32(n);
}
int64_t scratchEinsum(const Node& n) { return tinyc_einsum_scratch(numElements(n.outputs[0]->shape)); }
void emitEinsum(EmitCtx& c) {
  const nn::EinsumPlan p = einsumOf(c.node);
  const int64_t ny = numElements(c.outValue(0)->shape);
  if (ny == 0) return c.line(fmt::format("(void){};", c.out(0)));
  const DType t = c.inValue(0)->dtype;
  std::vector<int64_t> st;
  std::string xs;
  for (size_t i = 0; i < c.node.inputs.size(); ++i) {
    st.insert(st.end(), p.in[i].begin(), p.in[i].end());
    xs += (i ? ", " : "") + c.in(i);
  }
  const std::string acc = t == DType::F32 ? "tinyc_acc" : t == DType::F64 ? "double" : "uint64_t";
  c.require("matmul");
  c.line(fmt::format("tinyc_einsum_{}((const {} *const[]){{{}}}, {}, {}, {}, {}, {}, {}, {}, ({} *){});", EmitCtx::suffix(t),
                     EmitCtx::ctype(t), xs, c.node.inputs.size(), c.out(0), ny, p.dims.size(), c.intArray(p.dims),
                     c.intArray(st), c.intArray(p.out), acc, c.scratch()));
}

// ---- Det: runtime/matmul.c (scratch: one matrix in the accumulation type) ----------------------

std::string checkDet(const Node& n) {
  if (auto why = requireDTypes(n, {DType::F32, DType::F64}); !why.empty()) return why;
  return fitsInt32(n);
}
int64_t scratchDet(const Node& n) {
  const Shape& s = n.input(0)->shape;
  return numElements(s) ? tinyc_det_scratch(s.back()) : 0;
}
void emitDet(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const int64_t m = x->shape.back(), batch = numElements(c.outValue(0)->shape);
  if (numElements(x->shape) == 0) {  // (a 0 x 0 matrix: determinant 1)
    c.line(fmt::format("{{ int32_t i; for (i = 0; i < {}; ++i) {}[i] = 1; }}", batch, c.out(0)));
    return;
  }
  c.require("matmul");
  c.line(fmt::format("tinyc_det_{}({}, {}, {}, {}, (tinyc_acc *){});", EmitCtx::suffix(x->dtype), c.in(0), c.out(0),
                     batch, m, c.scratch()));
}

// ---- One-row dense layers on microcontrollers (runtime/dense.c) ------------------------------

// A float Gemm or MatMul with one row of A (a dense layer at batch 1) on a microcontroller target.
bool denseRow(const Node& n, const TargetDesc& t) {
  if (!t.mcu || !requireFloat32(n).empty() || !checkMatTypes(n).empty()) return false;
  if (n.op == opDef("Gemm")) return n.input(0)->shape.size() == 2 && n.input(1)->shape.size() == 2 && gemmDims(n).m == 1;
  if (n.input(0)->shape.empty() || n.input(1)->shape.size() != 2) return false;  // one matrix B
  const MatMulPlan p = matmulPlan(n);
  return p.batch == 1 && p.m == 1 && p.offA.empty() && p.offB.empty();
}

void emitDenseGemm(EmitCtx& c) {
  c.require("dense");
  const GemmDims d = gemmDims(c.node);
  int64_t ccs = 0;
  if (const Value* cv = c.inValue(2)) ccs = cv->shape.empty() || cv->shape.back() == 1 ? 0 : 1;
  c.line(fmt::format("tinyc_dense_f32({}, {}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0), c.in(1), c.in(2), c.out(0), d.n,
                     d.k, d.tb ? 1 : 0, ccs, EmitCtx::floatLit(c.node.attrFloat("alpha")),
                     EmitCtx::floatLit(c.node.attrFloat("beta"))));
}

void emitDenseMatMul(EmitCtx& c) {
  c.require("dense");
  const MatMulPlan p = matmulPlan(c.node);
  if (numElements(c.outValue(0)->shape) == 0) return;
  c.line(fmt::format("tinyc_dense_f32({}, {}, NULL, {}, {}, {}, 0, 0, 1.0f, 0.0f);", c.in(0), c.in(1), c.out(0), p.n,
                     p.k));
}

// A one-row dense layer so small (N * K <= kTinyDense; any size with --kernels small) that calling
// tinyc_dense_f32 with its run-time configuration costs more code than the layer (hello_sine's 16 x 16, velardo_lesson9's 10 and 5
// MACs): a loop with the layer's constants in the model's own function, which the C compiler
// specializes, and its fused activation applied in the store. Constant weights are stored
// row-major per output (transposed at compile time when the model has them [K][N]), so each
// output reads one run (a 16 x 16 layer: 5 instructions per multiply-add on the M4). The same
// operations in the same order as tinyc_dense_f32 (each output a chain of fused multiply-adds
// over k, then alpha * s + beta * c, or + 0.0f), so the same bits.
constexpr int64_t kTinyDense = 256;

bool tinyDenseRow(const Node& n, const TargetDesc& t) {
  if (!denseRow(n, t)) return false;
  if (t.smallCode) return true;  // --kernels small: every one-row dense layer
  if (n.op == opDef("Gemm")) {
    const GemmDims d = gemmDims(n);
    return d.n * d.k <= kTinyDense;
  }
  const MatMulPlan p = matmulPlan(n);
  return p.n * p.k <= kTinyDense;
}

void emitTinyDense(EmitCtx& c, int64_t N, int64_t K, bool tb, const std::string& bias, int64_t ccs, float alpha,
                   float beta) {
  c.require("common");
  std::string w = c.node.input(1)->constant ? "" : c.in(1), rs = tb ? "1" : std::to_string(N),
              cs = tb ? std::to_string(K) : "1";
  if (w.empty()) {  // constant weights: one run of K per output
    const Tensor& b = *c.node.input(1)->constant;
    if (tb || N == 1) {
      w = c.in(1);
    } else {
      Tensor bt(DType::F32, {N, K});
      const float* src = b.data<float>();
      float* dst = bt.data<float>();
      for (int64_t k = 0; k < K; ++k)
        for (int64_t n = 0; n < N; ++n) dst[n * K + k] = src[k * N + n];
      w = c.weights(c.node.input(1)->name + " (transposed)", std::move(bt));
    }
    rs = "1";
    cs = std::to_string(K);
  }
  std::string s = alpha == 1.0f ? "s" : EmitCtx::floatLit(alpha) + " * s";
  std::string add = "0.0f";
  if (!bias.empty()) {
    const std::string cv = fmt::format("{}[n * {}]", bias, ccs);
    add = beta == 1.0f ? cv : EmitCtx::floatLit(beta) + " * " + cv;
  }
  std::string value = s + " + " + add;
  if (const std::string act = c.takeActivation("s"); !act.empty())
    value = fmt::format("{}; s = {}", value, act);  // s = alpha * s + c; s = activation(s)
  const std::string steps = fmt::format("for (k = 0; k < {}; ++k) s = TINYC_FMAF({}[k], {}[k * {} + n * {}], s);", K,
                                        c.in(0), w, rs, cs);
  c.line(fmt::format("{{ int32_t n, k; for (n = 0; n < {}; ++n) {{ float s = 0.0f; {} s = {}; {}[n] = s; }} }}", N,
                     steps, value, c.out(0)));
}

void emitTinyDenseGemm(EmitCtx& c) {
  const GemmDims d = gemmDims(c.node);
  int64_t ccs = 0;
  std::string bias;
  if (const Value* cv = c.inValue(2)) {
    ccs = cv->shape.empty() || cv->shape.back() == 1 ? 0 : 1;
    bias = c.in(2);
  }
  emitTinyDense(c, d.n, d.k, d.tb, bias, ccs, c.node.attrFloat("alpha"), c.node.attrFloat("beta"));
}

void emitTinyDenseMatMul(EmitCtx& c) {
  const MatMulPlan p = matmulPlan(c.node);
  if (numElements(c.outValue(0)->shape) == 0) return;
  emitTinyDense(c, p.n, p.k, false, "", 0, 1.0f, 0.0f);
}

}  // namespace

void registerNnKernels(KernelTable& t) {
  CKernel convT{"ConvTranspose", checkConvTranspose, emitConvTranspose, scratchConvTranspose};
  convT.scratchBytesMax = scratchConvTransposeMax;
  t.add(convT);
  CKernel gemm{"Gemm", checkGemm, emitGemm, scratchGemm};
  gemm.scratchBytesMax = scratchGemmMax;
  t.add(gemm);
  CKernel matmul{"MatMul", checkMatMul, emitMatMul, scratchMatMul};
  matmul.scratchBytesMax = scratchMatMulMax;
  t.add(matmul);
  t.add({"Det", checkDet, emitDet, scratchDet});
  t.add({"Einsum", checkEinsum, emitEinsum, scratchEinsum});
  CKernel denseGemm{"Gemm", checkGemm, emitDenseGemm};
  denseGemm.match = denseRow;
  denseGemm.priority = 1;
  t.add(denseGemm);
  CKernel denseMatMul{"MatMul", checkMatMul, emitDenseMatMul};
  denseMatMul.match = denseRow;
  denseMatMul.priority = 1;
  t.add(denseMatMul);
  CKernel tinyGemm{"Gemm", checkGemm, emitTinyDenseGemm};  // the smallest dense layers: inline loops
  tinyGemm.match = tinyDenseRow;
  tinyGemm.priority = 2;
  t.add(tinyGemm);
  CKernel tinyMatMul{"MatMul", checkMatMul, emitTinyDenseMatMul};
  tinyMatMul.match = tinyDenseRow;
  tinyMatMul.priority = 2;
  t.add(tinyMatMul);
}

}  // namespace tinyc::c
