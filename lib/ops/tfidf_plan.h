// TfIdfVectorizer's n-gram table (lib/ops/tfidf.cpp), shared by the reference interpreter and the
// C emitter (backends/c/kernels_text.cpp): the pool's n-grams whose length lies in [min_gram_length,
// max_gram_length], each with its output column (a repeated n-gram: the last one's, as the ONNX
// reference's trie keeps it).
#pragma once

#include <vector>

#include "ir/graph.h"

namespace tinyc {

struct TfIdfPlan {
  struct Gram {
    std::vector<int64_t> items;
    int64_t column = 0;
  };
  int64_t rows = 1, cols = 1, outSize = 1;
  int64_t minGram = 1, maxSkip = 0;
  int mode = 0;                // 0 TF, 1 IDF, 2 TFIDF
  std::vector<Gram> grams;
  std::vector<double> weights;  // per output column, or empty
  Shape outShape;
};

TfIdfPlan tfidfPlan(const Node& n, const Shape& x);

}  // namespace tinyc
