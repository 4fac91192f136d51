// TfIdfVectorizer (opset 9): counts, per row of an integer input ([C] or [B, C]), the pool's n-grams
// it contains, items max_skip_count + 1 apart at most (skip distance s = 1 .. max_skip_count + 1;
// an n-gram of one item counts at s = 1 only), into the n-gram's output column; mode TF (counts),
// IDF (the column's weight, or 1, where the count is nonzero) or TFIDF (weight x count). The ONNX
// reference walks a trie of the pool from every start; counting every pool n-gram that matches at
// every (start, s) is the same count (each walked prefix is one n-gram). String pools and inputs
// are not supported (tinyc has no string tensors). weights are read by output column, as ONNX
// Runtime and the ONNX reference do (the spec calls them one per n-gram; ORT requires as many as
// ngram_indexes). The C kernel (runtime/text.c) runs the same
// loops over the same table (ops/tfidf_plan.h).
#include <algorithm>
#include <map>

#include "ops/tfidf_plan.h"
#include "ops/util.h"

namespace tinyc {

TfIdfPlan tfidfPlan(const Node& n, const Shape& x) {
  TfIdfPlan p;
  if (x.size() == 1) {
    p.cols = x[0];
    p.outShape = {0};
  } else if (x.size() == 2) {
    p.rows = x[0];
    p.cols = x[1];
    p.outShape = {p.rows, 0};
  } else {
    modelError("{}: the input must be [C] or [B, C], got {}", n.where(), shapeStr(x));
  }
  if (n.hasAttr("pool_strings") && !n.attr("pool_strings").strings.empty())
    modelError("{}: pool_strings: string tensors are not supported (only pool_int64s)", n.where());
  const std::string& mode = n.attrStr("mode");
  p.mode = mode == "TF" ? 0 : mode == "IDF" ? 1 : mode == "TFIDF" ? 2 : -1;
  if (p.mode < 0) modelError("{}: mode '{}' is not one of TF, IDF, TFIDF", n.where(), printable(mode));
  p.minGram = n.attrInt("min_gram_length");
  const int64_t maxGram = n.attrInt("max_gram_length");
  p.maxSkip = n.attrInt("max_skip_count");
  if (p.minGram < 1 || maxGram < p.minGram || p.maxSkip < 0)
    modelError("{}: need 1 <= min_gram_length <= max_gram_length and max_skip_count >= 0, got {}, {}, {}", n.where(),
               p.minGram, maxGram, p.maxSkip);
  const std::vector<int64_t>& counts = n.attrInts("ngram_counts");
  const std::vector<int64_t>& indexes = n.attrInts("ngram_indexes");
  const std::vector<int64_t>& pool = n.hasAttr("pool_int64s") ? n.attrInts("pool_int64s") : std::vector<int64_t>{};
  if (indexes.empty()) modelError("{}: ngram_indexes is empty", n.where());
  for (int64_t v : indexes)
    if (v < 0) modelError("{}: ngram_indexes holds {}", n.where(), v);
  p.outSize = *std::max_element(indexes.begin(), indexes.end()) + 1;
  p.outShape.back() = p.outSize;
  // n-grams of length k + 1 are pool[counts[k] .. counts[k + 1]); ids count every n-gram, loaded or not
  std::map<std::vector<int64_t>, int64_t> column;  // n-gram -> output column (the last id wins)
  std::vector<std::vector<int64_t>> order;
  int64_t id = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    const int64_t size = static_cast<int64_t>(k) + 1;
    const int64_t begin = counts[k], end = k + 1 < counts.size() ? counts[k + 1] : static_cast<int64_t>(pool.size());
    if (begin < 0 || end < begin || end > static_cast<int64_t>(pool.size()))
      modelError("{}: ngram_counts {} does not fit the pool of {}", n.where(), shapeStr(counts), pool.size());
    for (int64_t at = begin; at + size <= end; at += size, ++id) {
      if (size < p.minGram || size > maxGram) continue;
      if (id >= static_cast<int64_t>(indexes.size()))
        modelError("{}: ngram_indexes has {} entries, the pool more n-grams", n.where(), indexes.size());
      std::vector<int64_t> g(pool.begin() + at, pool.begin() + at + size);
      if (!column.count(g)) order.push_back(g);
      column[g] = indexes[static_cast<size_t>(id)];
    }
  }
  for (const auto& g : order) p.grams.push_back({g, column[g]});
  if (n.hasAttr("weights")) {
    const std::vector<float>& w = n.attrFloats("weights");
    if (!w.empty() && static_cast<int64_t>(w.size()) < p.outSize)
      modelError("{}: weights has {} entries for {} output columns", n.where(), w.size(), p.outSize);
    p.weights.assign(w.begin(), w.end());
  }
  return p;
}

namespace {

void inferTfIdf(InferCtx& c) {
  if (c.dtype(0) != DType::I32 && c.dtype(0) != DType::I64)
    c.fail("the input must be int32 or int64 (string inputs are not supported), got {}", dtypeName(c.dtype(0)));
  c.setOutput(0, DType::F32, tfidfPlan(c.node, c.shape(0)).outShape);
}

void evalTfIdf(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  Tensor& y = *c.out[0];
  const TfIdfPlan p = tfidfPlan(c.node, x.shape());
  for (int64_t r = 0; r < p.rows; ++r) {
    std::vector<double> count(static_cast<size_t>(p.outSize), 0.0);
    for (int64_t s = 1; s <= p.maxSkip + 1; ++s)
      for (const auto& g : p.grams) {
        const int64_t len = static_cast<int64_t>(g.items.size());
        if (s > 1 && len == 1) continue;  // one item: the same at every skip, counted once
        for (int64_t start = 0; start + (len - 1) * s < p.cols; ++start) {
          int64_t k = 0;
          while (k < len && x.getI(r * p.cols + start + k * s) == g.items[static_cast<size_t>(k)]) ++k;
          if (k == len) count[static_cast<size_t>(g.column)] += 1;
        }
      }
    for (int64_t j = 0; j < p.outSize; ++j) {
      const double f = count[static_cast<size_t>(j)];
      const double w = p.weights.empty() ? 1.0 : p.weights[static_cast<size_t>(j)];
      y.setF(r * p.outSize + j, p.mode == 0 ? f : p.mode == 1 ? (f > 0 ? w : 0.0) : w * f);
    }
  }
}

}  // namespace

void registerTextOps(OpRegistry& r) {
  using K = Attr::Kind;
  OpDef d;
  d.name = "TfIdfVectorizer";
  d.infer = inferTfIdf;
  d.eval = evalTfIdf;
  d.doc = "counts the pool's n-grams (with skips) per row of integer tokens: TF, IDF or TFIDF (int64 pools)";
  d.attrs = {{"max_gram_length", K::Int, std::nullopt, true},
             {"max_skip_count", K::Int, std::nullopt, true},
             {"min_gram_length", K::Int, std::nullopt, true},
             {"mode", K::String, std::nullopt, true},
             {"ngram_counts", K::Ints, std::nullopt, true},
             {"ngram_indexes", K::Ints, std::nullopt, true},
             {"pool_int64s", K::Ints, std::nullopt},
             {"pool_strings", K::Strings, std::nullopt},
             {"weights", K::Floats, std::nullopt}};
  r.add(d);
}

}  // namespace tinyc
