// The zero-skipping variants of Conv, Gemm and MatMul (runtime/sparse_f32.c, sparse_i8.c) for the
// nodes the sparse-weights pass marked (their weights are smaller as ops/sparse.h's row bitmap
// than dense): the bitmap and the non-zero values are the layer's weights in the generated code,
// the dense array is not emitted. Above every dense variant (the mark is the choice: --sparse off
// keeps them dense). Float: within float rounding of the dense kernels (the same products, fewer
// zeros added); int8: the same integer sums and requantization, bit-identical.
#include "backends/backend.h"
#include "backends/c/c_emit.h"
#include "backends/c/kernels_qint.h"
#include "ops/sparse.h"

namespace tinyc::c {

namespace {

bool matchSparse(const Node& n, const TargetDesc&) { return sparse::marked(n) && sparse::weightMatrix(n).has_value(); }
std::string checkSparse(const Node& n) {
  for (const Value* v : n.inputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensors above 2^31 elements are not supported";
  return "";
}

// The bitmap and the values of the node's weights: their C names.
std::pair<std::string, std::string> sparseWeights(EmitCtx& c, const sparse::Matrix& m) {
  const Value* w = c.node.input(1);
  sparse::Bitmap b = sparse::encode(*w->constant, m);
  Tensor bits(DType::U8, {static_cast<int64_t>(b.bits.size())});
  std::copy(b.bits.begin(), b.bits.end(), bits.data<uint8_t>());
  return {c.weights(w->name + " (non-zero bitmap)", std::move(bits)),
          c.weights(w->name + " (non-zeros)", std::move(b.values))};
}

bool int8(const sparse::Matrix& m) { return m.dtype == DType::I8; }

int64_t scratchConv(const Node& n) {
  const auto m = sparse::weightMatrix(n);
  if (!m) return 0;  // (not chosen for this node: matchSparse)
  const qk::ConvGeom g = qk::convGeom(n);
  const std::vector<int32_t> p(g.p.begin(), g.p.end());
  return tinyc_sparse_conv_scratch(p.data(), int8(*m) ? 1 : 4);
}

void emitConv(EmitCtx& c) {
  const Node& n = c.node;
  const sparse::Matrix m = *sparse::weightMatrix(n);
  const auto [bits, vals] = sparseWeights(c, m);
  if (int8(m)) {
    c.require("sparse_i8");
    const qk::ConvArgs a = qk::convArgs(c);
    c.line(fmt::format("tinyc_sparse_qconv_i8({}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0), bits, vals,
                       c.intArray(qk::foldedBias(n, a.g.p[TINYC_QC_M], a.g.k, a.zx)), c.out(0), a.p, a.tail(),
                       a.g.nhwc ? 1 : 0, "(int8_t *)" + c.scratch()));
    return;
  }
  c.require("sparse_f32");
  const qk::ConvGeom g = qk::convGeom(n);
  c.line(fmt::format("tinyc_sparse_conv_f32({}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0), bits, vals, c.in(2),
                     c.out(0), c.intArray(g.p), n.input(0)->shape[0], g.nhwc ? 1 : 0, "(float *)" + c.scratch()));
}

void emitGemm(EmitCtx& c) {
  const Node& n = c.node;
  const sparse::Matrix m = *sparse::weightMatrix(n);
  const auto [bits, vals] = sparseWeights(c, m);
  const int64_t rows = m.cols ? numElements(n.input(0)->shape) / m.cols : 0;
  if (int8(m)) {
    c.require("sparse_i8");
    const qk::GemmArgs a = qk::gemmArgs(c);
    c.line(fmt::format("tinyc_sparse_qgemm_i8({}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0), bits, vals, a.bias,
                       c.out(0), a.rows, a.k, a.cols, a.tail));
    return;
  }
  c.require("sparse_f32");
  const Value* b = n.input(2);  // (a Gemm's bias; MatMul has none)
  c.line(fmt::format("tinyc_sparse_gemm_f32({}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0), bits, vals,
                     b ? c.in(2) : "NULL", b ? b->constant->numel() : 0, c.out(0), rows, m.cols, m.rows));
}

}  // namespace

void registerSparseKernels(KernelTable& t) {
  struct Variant {
    const char* op;
    void (*emit)(EmitCtx&);
    int64_t (*scratch)(const Node&);
  };
  const Variant variants[] = {{"Conv", emitConv, scratchConv},  // (Gemm and MatMul read their rows in place)
                              {"Gemm", emitGemm, nullptr},
                              {"MatMul", emitGemm, nullptr}};
  for (const Variant& v : variants) {
    CKernel k{v.op, checkSparse, v.emit, v.scratch};
    k.match = matchSparse;
    k.priority = 100;  // over every dense variant: the sparse-weights pass chose it
    t.add(k);
  }
}

}  // namespace tinyc::c
