// C kernel for TfIdfVectorizer (runtime/text.c). The n-gram table comes from
// lib/ops/tfidf_plan.h, shared with the reference interpreter (lib/ops/tfidf.cpp).
#include "backends/c/c_emit.h"
#include "ops/tfidf_plan.h"
#include "ops/util.h"

namespace tinyc::c {

namespace {

std::string checkTfIdf(const Node& n) {
  if (numElements(n.input(0)->shape) > INT32_MAX || numElements(n.outputs[0]->shape) > INT32_MAX)
    return "tensors of more than 2^31-1 elements are not supported";
  return "";
}

void emitTfIdf(EmitCtx& c) {
  const TfIdfPlan p = tfidfPlan(c.node, c.inValue(0)->shape);
  if (numElements(c.outValue(0)->shape) == 0) return c.line(fmt::format("(void){};", c.out(0)));
  std::vector<int64_t> lens, cols, items;
  for (const auto& g : p.grams) {
    lens.push_back(static_cast<int64_t>(g.items.size()));
    cols.push_back(g.column);
    items.insert(items.end(), g.items.begin(), g.items.end());
  }
  std::string itemsRef = "NULL", lensRef = "NULL", colsRef = "NULL", weights = "NULL";
  if (!p.grams.empty()) {
    Tensor t(DType::I64, {static_cast<int64_t>(items.size())});
    for (size_t i = 0; i < items.size(); ++i) t.setI(static_cast<int64_t>(i), items[i]);
    itemsRef = c.weights("tfidf_pool", std::move(t));
    lensRef = c.intArray(lens);
    colsRef = c.intArray(cols);
  }
  if (!p.weights.empty()) weights = c.floatArray(std::vector<float>(p.weights.begin(), p.weights.begin() + p.outSize));
  c.require("text");
  c.line(fmt::format("tinyc_tfidf({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0),
                     c.inValue(0)->dtype == DType::I64 ? 1 : 0, c.out(0), p.rows, p.cols, p.outSize, p.maxSkip,
                     p.grams.size(), lensRef, colsRef, itemsRef, p.mode, weights));
}

}  // namespace

void registerTextKernels(KernelTable& t) { t.add({"TfIdfVectorizer", checkTfIdf, emitTfIdf}); }

}  // namespace tinyc::c
