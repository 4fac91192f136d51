// merge-views on mixed chains of views and Transposes: at most one Transpose is left
// (Reshape -> Transpose -> Reshape), checked on the IR and against the interpreter's outputs
// of the original graph.
#include <algorithm>
#include <numeric>

#include "pass_test_util.h"

namespace tinyc {
namespace {

TEST(MergeViewsChains, ChannelShuffleBetweenLayoutTransposesKeepsOneTranspose) {
  // What the layout pass leaves around a ShuffleNet channel shuffle on an NHWC target: back to
  // NCHW, split C into (groups, C/groups), swap them, merge, and to NHWC again.
  G b;
  Value* x = b.input("x", {1, 4, 5, 6});  // NHWC, C = 6 = 2 groups x 3
  Value* t0 = b.node("Transpose", "to_nchw", {x}, {{"perm", Attr::Ints({0, 3, 1, 2})}});
  Value* r1 = b.node("Reshape", "split", {t0, b.ints("s1", {1, 2, 3, 4, 5})});
  Value* t1 = b.node("Transpose", "shuffle", {r1}, {{"perm", Attr::Ints({0, 2, 1, 3, 4})}});
  Value* r2 = b.node("Reshape", "merge", {t1, b.ints("s2", {1, 6, 4, 5})});
  Value* y = b.node("Transpose", "to_nhwc", {r2}, {{"perm", Attr::Ints({0, 2, 3, 1})}});
  b.finish({y});
  EXPECT_TRUE(b.runSame("merge-views"));
  std::string ir = b.ir();
  EXPECT_EQ(b.count("Transpose"), 1) << ir;
  // The shuffle itself, on the channels-last data: [H*W, groups, C/groups] -> [H*W, C/groups, groups].
  EXPECT_TRUE(has(ir, "f32[20,3,2] = Transpose")) << ir;
  EXPECT_TRUE(has(ir, "{perm=[0,2,1]}")) << ir;
}

TEST(MergeViewsChains, TransposesAroundAReshapeThatUndoesThemVanish) {
  G b;
  Value* x = b.input("x", {2, 3, 4});
  Value* e = b.node("Exp", "exp", {x});
  Value* t0 = b.node("Transpose", "t0", {e}, {{"perm", Attr::Ints({1, 0, 2})}});     // [3,2,4]
  Value* r = b.node("Reshape", "r", {t0, b.ints("s", {3, 2, 2, 2})});                 // split the 4
  Value* t1 = b.node("Transpose", "t1", {r}, {{"perm", Attr::Ints({1, 0, 2, 3})}});  // [2,3,2,2]
  Value* y = b.node("Reshape", "r2", {t1, b.ints("s2", {6, 4})});
  b.finish({y});
  EXPECT_TRUE(b.runSame("merge-views"));
  EXPECT_EQ(b.count("Transpose"), 0) << b.ir();
  EXPECT_EQ(b.count("Reshape"), 1) << b.ir();
}

TEST(MergeViewsChains, NegativeCases) {
  {
    G b;  // [2,3] -> [3,2] -> view [2,3] regroups elements the Transpose moved apart
    Value* x = b.input("x", {2, 3});
    Value* t0 = b.node("Transpose", "t0", {x});
    Value* r = b.node("Reshape", "r", {t0, b.ints("s", {2, 3})});
    b.finish({b.node("Transpose", "t1", {r})});
    EXPECT_FALSE(b.runSame("merge-views"));
    EXPECT_EQ(b.count("Transpose"), 2) << b.ir();
  }
  {
    G b;  // a value inside the chain is read by another node too
    Value* x = b.input("x", {1, 4, 5, 6});
    Value* t0 = b.node("Transpose", "t0", {x}, {{"perm", Attr::Ints({0, 3, 1, 2})}});
    Value* r = b.node("Reshape", "r", {t0, b.ints("s", {1, 6, 20})});
    Value* y = b.node("Transpose", "t1", {r}, {{"perm", Attr::Ints({0, 2, 1})}});
    b.finish({y, b.node("Relu", "relu", {r})});
    b.runSame("merge-views");
    EXPECT_EQ(b.count("Transpose"), 2) << b.ir();
  }
}

// Random chains of Reshape and Transpose on small shapes: the outputs never change and the
// number of Transposes never grows; chains that factor end with at most one.
TEST(MergeViewsChains, RandomChainsKeepTheirOutputs) {
  std::mt19937 rng(99);
  int merged = 0;
  for (int trial = 0; trial < 300; ++trial) {
    // Input dims from {1,2,3,4,6}, rank 2-4.
    const int64_t choices[] = {1, 2, 3, 4, 6};
    Shape shape;
    for (int r = 2 + static_cast<int>(rng() % 3); r > 0; --r) shape.push_back(choices[rng() % 5]);
    G b;
    Value* v = b.input("x", shape);
    int transposes = 0;
    for (int step = 0, steps = 2 + static_cast<int>(rng() % 5); step < steps; ++step) {
      std::string name = "n" + std::to_string(step);
      if (rng() % 2) {
        std::vector<int64_t> perm(shape.size());
        std::iota(perm.begin(), perm.end(), 0);
        std::shuffle(perm.begin(), perm.end(), rng);
        Shape next;
        for (int64_t p : perm) next.push_back(shape[static_cast<size_t>(p)]);
        v = b.node("Transpose", name, {v}, {{"perm", Attr::Ints(perm)}});
        shape = next;
        ++transposes;
      } else {
        // Regroup the element count into random factors (split and merge dims).
        int64_t n = 1;
        for (int64_t d : shape) n *= d;
        Shape next;
        for (int64_t f : {2, 3, 2, 3, 2}) {
          if (n % f == 0 && rng() % 2) {
            next.push_back(f);
            n /= f;
          }
        }
        next.push_back(n);
        std::shuffle(next.begin(), next.end(), rng);
        v = b.node("Reshape", name, {v, b.ints(name + "_s", std::vector<int64_t>(next.begin(), next.end()))});
        shape = next;
      }
    }
    b.finish({v});
    std::string before = b.ir();
    b.runSame("merge-views");
    EXPECT_LE(b.count("Transpose"), std::max(transposes, 0)) << before << "\n" << b.ir();
    if (transposes >= 2 && b.count("Transpose") <= 1) ++merged;
  }
  EXPECT_GT(merged, 50);  // the chain rule is exercised, not only the pairwise one
}

}  // namespace
}  // namespace tinyc
