// sparse-weights (issue 12): marks each Conv / Gemm / MatMul whose constant weights take fewer
// bytes in the row-bitmap format (ops/sparse.h) than dense, so that the C backend stores them that
// way and runs its zero-skipping kernel (backends/c/kernels_sparse.cpp). Weights pruned in training
// need no flag; --prune magnitude:R makes them; --sparse off keeps every layer dense. Runs after
// quantization and layout: the sizes are those of the weights the kernels will read.
#include "ops/sparse.h"
#include "passes/pass.h"

namespace tinyc {

namespace {

class SparseWeights : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    bool changed = false;
    for (auto& np : g.nodes) {
      Node& n = *np;
      const bool was = sparse::marked(n);
      bool want = false;
      if (ctx.options().sparse) {
        if (auto m = sparse::weightMatrix(n)) {
          const int64_t nz = sparse::nonZeros(*n.input(1)->constant, *m);
          const int64_t dense = sparse::denseBytes(*m), packed = sparse::bitmapBytes(*m, nz);
          if (packed < dense) {
            want = true;
            ctx.count("layers stored sparse");
            ctx.count("weight bytes saved", dense - packed);
          }
        }
      }
      if (want == was) continue;
      if (want)
        n.attrs[sparse::kAttr] = Attr::Int(1);
      else
        n.attrs.erase(sparse::kAttr);
      changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> createSparseWeights() { return std::make_unique<SparseWeights>(); }

}  // namespace tinyc
