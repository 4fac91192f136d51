// sparse-weights (issue 12): marks each Conv / Gemm / MatMul whose constant weights take few enough
// bytes in the row-bitmap format (ops/sparse.h), so that the C backend stores them that way and
// runs its zero-skipping kernel (backends/c/kernels_sparse.cpp). Weights pruned in training need
// no flag; --prune magnitude:R makes them. A skipped zero is not free: the kernels spend about 8-9
// instructions per non-zero on a Cortex-M4 where the dense ones spend about 2 per weight
// (docs/benchmarks.md), so by default (--sparse auto) a layer goes sparse only when that at least
// halves its bytes (about half its weights zero, float, or five in eight, int8); --sparse smallest
// whenever it saves a byte (flash before time), --sparse off never. Runs after quantization and
// layout: the sizes are those of the weights the kernels will read.
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
      const std::string& mode = ctx.options().sparse;
      if (mode != "off") {
        if (auto m = sparse::weightMatrix(n)) {
          const int64_t nz = sparse::nonZeros(*n.input(1)->constant, *m);
          const int64_t dense = sparse::denseBytes(*m), packed = sparse::bitmapBytes(*m, nz);
          if (mode == "smallest" ? packed < dense : 2 * packed <= dense) {
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
