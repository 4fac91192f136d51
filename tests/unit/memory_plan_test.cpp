#include <gtest/gtest.h>

#include <iostream>
#include <random>

#include "passes/memory/plan.h"
#include "support/error.h"

namespace tinyc {
namespace {

LiveBuffer buf(int64_t bytes, int first, int last, int64_t align = 1) { return {bytes, align, first, last, ""}; }

TEST(MemoryPlan, ChainReusesMemory) {
  // a -> b -> c: a and c never live together.
  std::vector<LiveBuffer> b = {buf(100, 0, 1), buf(50, 1, 2), buf(100, 2, 3)};
  for (const auto& name : plannerNames()) {
    MemoryPlan p = planMemory(b, name);
    verifyPlan(b, p);
    EXPECT_EQ(p.arenaBytes, 150) << name;
  }
  EXPECT_EQ(liveLowerBound(b), 150);
  EXPECT_EQ(peakStep(b), 1);
}

TEST(MemoryPlan, GreedyBySizeExactOffsets) {
  std::vector<LiveBuffer> b = {buf(10, 0, 1), buf(30, 1, 2), buf(20, 2, 3)};
  MemoryPlan p = planMemory(b, "greedy-by-size");
  EXPECT_EQ(p.offsets, (std::vector<int64_t>{30, 0, 30}));
  EXPECT_EQ(p.arenaBytes, 50);
}

TEST(MemoryPlan, AlignmentIsRespected) {
  std::vector<LiveBuffer> b = {buf(10, 0, 1, 16), buf(10, 0, 1, 16), buf(3, 0, 1, 16)};
  MemoryPlan p = planMemory(b, "auto");
  verifyPlan(b, p);
  for (int64_t o : p.offsets) EXPECT_EQ(o % 16, 0);
  EXPECT_EQ(p.arenaBytes, 35);
}

TEST(MemoryPlan, SearchBeatsGreedyBySizeWhereItIsAboveTheBound) {
  // Largest-first puts the 50 at 0, then 40 at 50 and the two 30s cannot share: 110 > 100.
  std::vector<LiveBuffer> b = {buf(50, 4, 6), buf(40, 2, 3), buf(30, 2, 4), buf(30, 3, 3)};
  MemoryPlan g = planMemory(b, "greedy-by-size"), s = planMemory(b, "search"), a = planMemory(b, "auto");
  verifyPlan(b, g);
  verifyPlan(b, s);
  EXPECT_EQ(liveLowerBound(b), 100);
  EXPECT_EQ(g.arenaBytes, 110);
  EXPECT_EQ(s.arenaBytes, 100);
  EXPECT_EQ(a.arenaBytes, std::min(s.arenaBytes, g.arenaBytes));
  EXPECT_GE(s.arenaBytes, liveLowerBound(b));
}

TEST(MemoryPlan, VerifierCatchesOverlapMisalignmentAndOverflow) {
  std::vector<LiveBuffer> b = {buf(10, 0, 2, 8), buf(10, 1, 3, 8)};
  MemoryPlan p{{0, 8}, 18, "x"};
  EXPECT_THROW(verifyPlan(b, p), Error);  // live together, overlapping
  p = {{0, 12}, 22, "x"};
  EXPECT_THROW(verifyPlan(b, p), Error);  // misaligned
  p = {{0, 16}, 20, "x"};
  EXPECT_THROW(verifyPlan(b, p), Error);  // outside the arena
  p = {{0, 16}, 26, "x"};
  EXPECT_NO_THROW(verifyPlan(b, p));
}

TEST(MemoryPlan, ThousandsOfRandomIntervalSets) {
  std::mt19937 rng(2026);
  int64_t sumAuto = 0, sumGreedy = 0, sumBound = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    int n = 1 + static_cast<int>(rng() % 24);
    int steps = 1 + static_cast<int>(rng() % 30);
    std::vector<LiveBuffer> b;
    for (int i = 0; i < n; ++i) {
      int f = static_cast<int>(rng() % static_cast<unsigned>(steps));
      int l = f + static_cast<int>(rng() % 6);
      int64_t align = int64_t(1) << (rng() % 5);
      b.push_back(buf(static_cast<int64_t>(rng() % 5000), f, l, align));
    }
    int64_t lb = liveLowerBound(b);
    int64_t best = INT64_MAX;
    for (const auto& name : plannerNames()) {
      if (name == "auto") continue;
      MemoryPlan p = planMemory(b, name);
      ASSERT_NO_THROW(verifyPlan(b, p)) << name << " trial " << trial;
      EXPECT_GE(p.arenaBytes, lb) << name;
      best = std::min(best, p.arenaBytes);
      if (name == "greedy-by-size") sumGreedy += p.arenaBytes;
    }
    MemoryPlan a = planMemory(b, "auto");
    ASSERT_NO_THROW(verifyPlan(b, a));
    EXPECT_EQ(a.arenaBytes, best);
    EXPECT_EQ(planMemory(b, "auto").offsets, a.offsets);  // deterministic
    sumAuto += a.arenaBytes;
    sumBound += lb;
  }
  EXPECT_LE(sumAuto, sumGreedy);
  RecordProperty("auto_over_bound", std::to_string(static_cast<double>(sumAuto) / static_cast<double>(sumBound)));
}

// Graph-sized sets (hundreds of buffers, long and short lifetimes, a few huge ones): every
// planner's plan verifies, search never loses to greedy-by-size, auto is deterministic.
TEST(MemoryPlan, LargeRandomIntervalSets) {
  std::mt19937 rng(4242);
  for (int trial = 0; trial < 25; ++trial) {
    int n = 50 + static_cast<int>(rng() % 400);
    int steps = n / 2 + 1;
    std::vector<LiveBuffer> b;
    for (int i = 0; i < n; ++i) {
      int f = static_cast<int>(rng() % static_cast<unsigned>(steps));
      int l = f + static_cast<int>(rng() % (rng() % 10 == 0 ? 60 : 8));
      int64_t bytes = static_cast<int64_t>(rng() % (rng() % 20 == 0 ? 1000000 : 20000));
      b.push_back(buf(bytes, f, l, int64_t(1) << (rng() % 5)));
    }
    const int64_t lb = liveLowerBound(b);
    MemoryPlan a = planMemory(b, "auto");
    ASSERT_NO_THROW(verifyPlan(b, a)) << trial;
    EXPECT_GE(a.arenaBytes, lb);
    for (const char* name : {"greedy-by-size", "greedy-by-conflicts", "first-fit"}) {
      MemoryPlan p = planMemory(b, name);
      ASSERT_NO_THROW(verifyPlan(b, p)) << name << " trial " << trial;
      EXPECT_LE(a.arenaBytes, p.arenaBytes) << name << " trial " << trial;
    }
    if (trial % 5 == 0) {
      EXPECT_EQ(planMemory(b, "auto").offsets, a.offsets) << trial;  // deterministic
    }
  }
}

}  // namespace
}  // namespace tinyc

#include "ir/verifier.h"
#include "ops/op.h"
#include "passes/pass.h"

namespace tinyc {
namespace {

// Two branches from x: a big one (x -> A1(big) -> A2(small)) and a small one; running both
// branches' first halves before their second halves keeps the big tensor live longer.
TEST(ScheduleMemory, ReordersBranchesToLowerThePeak) {
  Graph g;
  Value* x = g.addValue("x", DType::F32, {1, 1000});
  g.inputs.push_back(x);
  auto cst = [&](const std::string& n, Shape s) {
    auto t = std::make_shared<Tensor>(DType::F32, std::move(s));
    return g.addConstant(n, t);
  };
  auto node = [&](const std::string& op, const std::string& name, std::vector<Value*> ins) {
    Value* o = g.addValue(name);
    bindOp(*g.addNode(op, name, std::move(ins), {o}));
    return o;
  };
  Value* a1 = node("MatMul", "a1", {x, cst("wa1", {1000, 4000})});  // 16 KB
  Value* b1 = node("MatMul", "b1", {x, cst("wb1", {1000, 4000})});  // 16 KB
  Value* a2 = node("MatMul", "a2", {a1, cst("wa2", {4000, 10})});
  Value* b2 = node("MatMul", "b2", {b1, cst("wb2", {4000, 10})});
  Value* y = node("Add", "y", {a2, b2});
  g.outputs = {y};
  inferShapes(g);
  PassManager pm;
  pm.add("schedule-memory");
  auto r = pm.run(g);
  verifyGraph(g);
  ASSERT_TRUE(r[0].changed);
  EXPECT_EQ(r[0].stats["peak bytes saved"], 16000 - 40);
  EXPECT_EQ(g.nodes[0]->name, "a1");
  EXPECT_EQ(g.nodes[1]->name, "a2");  // a's branch finishes before b's big tensor exists
  EXPECT_FALSE(pm.run(g)[0].changed);
}

}  // namespace
}  // namespace tinyc
