// validate's float criterion: atol scales with the graph's longest reduction (issue 14).
#include <gtest/gtest.h>

#include <cmath>

#include "interp/compare.h"
#include "ir/verifier.h"
#include "ops/op.h"

namespace tinyc {
namespace {

Tensor f32(Shape s, std::vector<float> v) {
  Tensor t(DType::F32, std::move(s));
  for (size_t i = 0; i < v.size(); ++i) t.setF(static_cast<int64_t>(i), v[i]);
  return t;
}

// Gemm [1,1024] x [10,1024]^T (a Linear head) after a 3x3 Conv over 8 channels (K = 72).
Graph linearHead() {
  Graph g;
  Value* x = g.addValue("x", DType::F32, {1, 8, 6, 6});
  g.inputs.push_back(x);
  Value* w = g.addConstant("w", std::make_shared<Tensor>(DType::F32, Shape{4, 8, 3, 3}));
  Value* c = g.addValue("c");
  bindOp(*g.addNode("Conv", "conv", {x, w}, {c}, {}));
  Value* r = g.addValue("r");
  Value* big = g.addValue("big", DType::F32, {1, 1024});
  g.inputs.push_back(big);
  Value* fc = g.addConstant("fc", std::make_shared<Tensor>(DType::F32, Shape{10, 1024}));
  AttrMap a;
  a["transB"] = Attr::Int(1);
  bindOp(*g.addNode("Gemm", "gemm", {big, fc}, {r}, a));
  g.outputs = {c, r};
  inferShapes(g);
  verifyGraph(g);
  return g;
}

TEST(Compare, LongestReductionIsTheLargestMacsPerOutputElement) {
  Graph g = linearHead();
  EXPECT_EQ(longestReduction(g), 1024);
  Graph none;
  EXPECT_EQ(longestReduction(none), 1);
}

TEST(Compare, AtolScalesWithTheSquareRootOfTheReduction) {
  EXPECT_EQ(reductionScale(1), 1.0);
  EXPECT_EQ(reductionScale(256), 1.0);
  EXPECT_DOUBLE_EQ(reductionScale(1024), 2.0);
  EXPECT_DOUBLE_EQ(reductionScale(9 * 1024), 6.0);
  // The case: logits up to 3, an element near 0 off by 3.39e-5. With the base atol
  // (1e-5 * max|ref| = 3e-5) it fails; with K = 1024 (6e-5) it passes. An error 10x larger
  // still fails.
  Tensor ref = f32({1, 3}, {3.0f, -1.0f, 0.0f});
  Tensor got = f32({1, 3}, {3.0f, -1.0f, 3.39e-5f});
  Tensor bad = f32({1, 3}, {3.0f, -1.0f, 3.39e-4f});
  EXPECT_FALSE(compareTensors(got, ref, {1e-4, 1e-5, true}).ok);
  EXPECT_TRUE(compareTensors(got, ref, {1e-4, 1e-5 * reductionScale(1024), true}).ok);
  Comparison c = compareTensors(bad, ref, {1e-4, 1e-5 * reductionScale(1024), true});
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.worstIndex, 2);
  EXPECT_NE(c.why.find("worst at 2"), std::string::npos) << c.why;
}

}  // namespace
}  // namespace tinyc
