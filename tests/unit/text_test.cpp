// TfIdfVectorizer (lib/ops/tfidf.cpp) on hand-counted n-grams. Pool: unigrams 1, 2 (columns 0,
// 1) and bigrams (1, 2), (2, 3) (columns 2, 3).
#include "nn_ref_util.h"

namespace tinyc::test {
namespace {

AttrMap tfidf(const char* mode, int64_t minGram, int64_t maxSkip, std::vector<float> weights = {}) {
  AttrMap a = {{"mode", Attr::Str(mode)},
               {"min_gram_length", Attr::Int(minGram)},
               {"max_gram_length", Attr::Int(2)},
               {"max_skip_count", Attr::Int(maxSkip)},
               {"ngram_counts", ints({0, 2})},
               {"ngram_indexes", ints({0, 1, 2, 3})},
               {"pool_int64s", ints({1, 2, 1, 2, 2, 3})}};
  if (!weights.empty()) a["weights"] = Attr::Floats(std::move(weights));
  return a;
}

TEST(TfIdfVectorizer, CountsSkipsAndModes) {
  // (1, 5, 2, 3): unigrams 1 and 2 once; (2, 3) adjacent; (1, 2) two apart (skip distance 2)
  const Tensor x = makeTensor(DType::I32, {4}, {1, 5, 2, 3});
  expectNear(runOp("TfIdfVectorizer", {in(x)}, tfidf("TF", 1, 0))[0], {4}, {1, 1, 0, 1});
  expectNear(runOp("TfIdfVectorizer", {in(x)}, tfidf("TF", 1, 1))[0], {4}, {1, 1, 1, 1});
  expectNear(runOp("TfIdfVectorizer", {in(x)}, tfidf("TF", 2, 1))[0], {4}, {0, 0, 1, 1});  // bigrams only
  expectNear(runOp("TfIdfVectorizer", {in(x)}, tfidf("IDF", 1, 0, {0.5, 1, 2, 4}))[0], {4}, {0.5, 1, 0, 4});
  // rows (1, 2, 1, 2) and (2, 2, 2, 2), int64: unigrams counted once per occurrence, not per skip
  const Tensor b = makeTensor(DType::I64, {2, 4}, {1, 2, 1, 2, 2, 2, 2, 2});
  expectNear(runOp("TfIdfVectorizer", {in(b)}, tfidf("TFIDF", 1, 3, {0.5, 1, 2, 4}))[0], {2, 4},
             {1, 2, 2 * 3, 0, 0, 4, 0, 0});
}

TEST(TfIdfVectorizer, BadAttributesAndInputs) {
  EXPECT_THROW(runOp("TfIdfVectorizer", {in(f32({2}, {1, 2}))}, tfidf("TF", 1, 0)), Error);  // float input
  EXPECT_THROW(runOp("TfIdfVectorizer", {in(i64({2}, {1, 2}))}, tfidf("BM25", 1, 0)), Error);
  AttrMap a = tfidf("TF", 1, 0);
  a["ngram_indexes"] = ints({0, 1});  // four n-grams, two indexes
  EXPECT_THROW(runOp("TfIdfVectorizer", {in(i64({2}, {1, 2}))}, a), Error);
}

}  // namespace
}  // namespace tinyc::test
