// The prune pass (--prune channels:R): which channels go, how their readers are rewired, and what
// keeps a layer whole. Channels whose weights and bias are zero carry nothing: pruning exactly
// those must leave the interpreter's outputs as they were.
#include "pass_test_util.h"
#include "passes/prune.h"

namespace tinyc {
namespace {

std::shared_ptr<PruneRequest> ratio(double r, const std::string& norm = "l1") {
  auto q = std::make_shared<PruneRequest>();
  q->ratio = r;
  q->norm = norm;
  return q;
}

// Zeroes the weights (along `axis`) and bias of channel ch.
void setElement(Value* v, int64_t i, double x) {
  Tensor t = *v->constant;
  t.setF(i, x);
  v->constant = std::make_shared<Tensor>(std::move(t));
}
void zeroChannel(Value* w, Value* b, int64_t ch, size_t axis = 0) {
  Tensor t = *w->constant;
  const Shape& s = t.shape();
  int64_t inner = 1;
  for (size_t d = axis + 1; d < s.size(); ++d) inner *= s[d];
  for (int64_t i = 0; i < t.numel(); ++i)
    if ((i / inner) % s[axis] == ch) t.setF(i, 0.0);
  w->constant = std::make_shared<Tensor>(std::move(t));
  if (b) setElement(b, ch, 0.0);
}

const Shape& weightShape(const Graph& g, const std::string& node) {
  for (const auto& n : g.nodes)
    if (n->name == node) return n->input(1)->shape;
  throw std::runtime_error("no node " + node);
}

TEST(Prune, DeadChannelsGoThroughDepthwiseAndFlatten) {
  G t;
  Value* x = t.input("x", {1, 3, 10, 10});
  Value* wa = t.rnd("wa", {8, 3, 3, 3}), *ba = t.rnd("ba", {8});
  Value* wd = t.rnd("wd", {8, 1, 3, 3}), *bd = t.rnd("bd", {8});
  Value* wb = t.rnd("wb", {6, 8, 1, 1}), *bb = t.rnd("bb", {6});
  for (int64_t ch : {2, 5}) {
    zeroChannel(wa, ba, ch);
    zeroChannel(wd, bd, ch);
  }
  zeroChannel(wb, bb, 4);
  Value* a = t.node("Conv", "a", {x, wa, ba}, {{"pads", Attr::Ints({1, 1, 1, 1})}});
  Value* r = t.node("Relu", "r", {a});
  Value* p = t.node("MaxPool", "p", {r}, {{"kernel_shape", Attr::Ints({2, 2})}, {"strides", Attr::Ints({2, 2})}});
  Value* d = t.node("Conv", "d", {p, wd, bd}, {{"group", Attr::Int(8)}, {"pads", Attr::Ints({1, 1, 1, 1})}});
  Value* b = t.node("Conv", "b", {d, wb, bb});
  Value* f = t.node("Flatten", "f", {b});
  Value* y = t.node("Gemm", "fc", {f, t.rnd("wf", {4, 150}), t.rnd("bf", {4})}, {{"transB", Attr::Int(1)}});
  t.finish({y});
  t.options.prune = ratio(0.25);
  EXPECT_TRUE(t.runSame("prune"));
  EXPECT_EQ(weightShape(t.g, "a"), (Shape{6, 3, 3, 3}));
  EXPECT_EQ(weightShape(t.g, "d"), (Shape{6, 1, 3, 3}));
  EXPECT_EQ(weightShape(t.g, "b"), (Shape{5, 6, 1, 1}));
  EXPECT_EQ(weightShape(t.g, "fc"), (Shape{4, 125}));  // 5 channels x 25 positions; its own outputs kept
  for (const auto& n : t.g.nodes) {
    if (n->name == "d") {
      EXPECT_EQ(n->attrInt("group"), 6);
    }
  }
}

TEST(Prune, GemmChainBothWeightLayouts) {
  G t;
  Value* x = t.input("x", {2, 4});
  Value* w1 = t.rnd("w1", {4, 6}), *b1 = t.rnd("b1", {6});  // transB = 0: channels are columns
  zeroChannel(w1, b1, 1, 1);
  zeroChannel(w1, nullptr, 4, 1);
  setElement(b1, 4, 0.0);
  Value* h = t.node("Gemm", "g1", {x, w1, b1});
  Value* c = t.node("Clip", "c", {h, t.cst("lo", Tensor(DType::F32, {})), t.cst("hi", [] {
                                   Tensor s(DType::F32, {});
                                   s.setF(0, 6.0);
                                   return s;
                                 }())});
  Value* y = t.node("Gemm", "g2", {c, t.rnd("w2", {3, 6}), t.rnd("b2", {3})}, {{"transB", Attr::Int(1)}});
  t.finish({y});
  t.options.prune = ratio(0.34);  // floor(0.34 * 6) = 2 of g1's channels
  EXPECT_TRUE(t.runSame("prune"));
  EXPECT_EQ(weightShape(t.g, "g1"), (Shape{4, 4}));
  EXPECT_EQ(weightShape(t.g, "g2"), (Shape{3, 4}));
}

TEST(Prune, ResidualAddAndOutputsKeepTheLayerConcatDoesNot) {
  G t;
  Value* x = t.input("x", {1, 4, 6, 6});
  Value* a = t.node("Conv", "a", {x, t.rnd("wa", {4, 4, 1, 1})});
  Value* s = t.node("Add", "s", {t.node("Relu", "r", {a}), x});  // channels joined with x's
  Value* b = t.node("Conv", "b", {s, t.rnd("wb", {4, 4, 1, 1})});
  Value* c = t.node("Concat", "c", {b, x}, {{"axis", Attr::Int(1)}});
  Value* e = t.node("Conv", "e", {c, t.rnd("we", {2, 8, 1, 1})});  // a graph output
  t.finish({e});
  t.options.prune = ratio(0.5);
  EXPECT_TRUE(t.run("prune"));
  EXPECT_EQ(weightShape(t.g, "a"), (Shape{4, 4, 1, 1}));  // joined by the Add: whole
  EXPECT_EQ(weightShape(t.g, "b"), (Shape{2, 4, 1, 1}));  // through the Concat: its block of e's inputs
  EXPECT_EQ(weightShape(t.g, "e"), (Shape{2, 6, 1, 1}));  // a graph output: its own channels whole
}

TEST(Prune, DeadChannelsGoThroughConcat) {
  G t;
  Value* x = t.input("x", {1, 3, 8, 8});
  Value* wa = t.rnd("wa", {8, 3, 3, 3}), *ba = t.rnd("ba", {8});
  for (int64_t ch : {2, 5}) zeroChannel(wa, ba, ch);
  Value* a = t.node("Relu", "ra", {t.node("Conv", "a", {x, wa, ba}, {{"pads", Attr::Ints({1, 1, 1, 1})}})});
  Value* b = t.node("Conv", "b", {x, t.rnd("wb", {4, 3, 1, 1})});
  Value* c = t.node("Concat", "c", {b, a, x}, {{"axis", Attr::Int(-3)}});  // a's channels at 4..11 of 15
  Value* d = t.node("Conv", "d", {c, t.rnd("wd", {15, 1, 3, 3})}, {{"group", Attr::Int(15)}, {"pads", Attr::Ints({1, 1, 1, 1})}});
  Value* e = t.node("Conv", "e", {d, t.rnd("we", {6, 15, 1, 1})});
  Value* f = t.node("Flatten", "f", {t.node("Concat", "c2", {e, a}, {{"axis", Attr::Int(1)}})});
  Value* y = t.node("Gemm", "fc", {f, t.rnd("wf", {3, 14 * 64})}, {{"transB", Attr::Int(1)}});
  t.finish({y});
  auto q = ratio(0);
  q->layerRatios["a"] = 0.25;  // exactly its two dead channels
  t.options.prune = q;
  EXPECT_TRUE(t.runSame("prune"));
  EXPECT_EQ(weightShape(t.g, "a"), (Shape{6, 3, 3, 3}));
  EXPECT_EQ(weightShape(t.g, "b"), (Shape{4, 3, 1, 1}));
  EXPECT_EQ(weightShape(t.g, "d"), (Shape{13, 1, 3, 3}));
  EXPECT_EQ(weightShape(t.g, "e"), (Shape{6, 13, 1, 1}));
  EXPECT_EQ(weightShape(t.g, "fc"), (Shape{3, 12 * 64}));  // (6 + 6 channels) x 64 positions
  for (const auto& n : t.g.nodes) {
    if (n->name == "d") {
      EXPECT_EQ(n->attrInt("group"), 13);
    }
  }
}

// A residual block: a's channels reach an Add with b's (which reads them through a depthwise
// Conv): a and b lose the same channels, the depthwise Conv and c (reading the sum) follow.
TEST(Prune, ResidualAddPrunesItsLayersTogether) {
  G t;
  Value* x = t.input("x", {1, 3, 8, 8});
  Value* wa = t.rnd("wa", {8, 3, 3, 3}), *ba = t.rnd("ba", {8});
  Value* wd = t.rnd("wd", {8, 1, 3, 3}), *bd = t.rnd("bd", {8});
  Value* wb = t.rnd("wb", {8, 8, 1, 1}), *bb = t.rnd("bb", {8});
  for (int64_t ch : {2, 5}) {
    zeroChannel(wa, ba, ch);
    zeroChannel(wd, bd, ch);
    zeroChannel(wb, bb, ch);
  }
  Value* a = t.node("Relu", "ra", {t.node("Conv", "a", {x, wa, ba}, {{"pads", Attr::Ints({1, 1, 1, 1})}})});
  Value* d = t.node("Conv", "d", {a, wd, bd}, {{"group", Attr::Int(8)}, {"pads", Attr::Ints({1, 1, 1, 1})}});
  Value* b = t.node("Conv", "b", {d, wb, bb});
  Value* s = t.node("Add", "s", {a, b});
  Value* s2 = t.node("Add", "s2", {s, t.node("Relu", "rs", {s})});  // another Add on the same channels
  Value* c = t.node("Conv", "c", {s2, t.rnd("wc", {5, 8, 1, 1})});
  t.finish({c});
  t.options.prune = ratio(0.25);
  EXPECT_TRUE(t.runSame("prune"));
  EXPECT_EQ(weightShape(t.g, "a"), (Shape{6, 3, 3, 3}));
  EXPECT_EQ(weightShape(t.g, "d"), (Shape{6, 1, 3, 3}));
  EXPECT_EQ(weightShape(t.g, "b"), (Shape{6, 6, 1, 1}));  // its output and its input channels
  EXPECT_EQ(weightShape(t.g, "c"), (Shape{5, 6, 1, 1}));  // a graph output: its own channels whole
  const auto& layers = *t.options.prune->layers;
  ASSERT_EQ(layers.size(), 2u);  // one group of two layers (c's output is the graph's)
  for (const auto& l : layers) EXPECT_EQ(l.kept, 6) << l.node;
}

TEST(Prune, TwoPathsIntoOneConcatKeepTheLayer) {
  G t;
  Value* x = t.input("x", {1, 3, 6, 6});
  Value* a = t.node("Conv", "a", {x, t.rnd("wa", {4, 3, 1, 1})});
  Value* c = t.node("Concat", "c", {t.node("Relu", "r", {a}), t.node("Sigmoid", "s", {a})}, {{"axis", Attr::Int(1)}});
  Value* e = t.node("Conv", "e", {c, t.rnd("we", {2, 8, 1, 1})});
  t.finish({e});
  t.options.prune = ratio(0.5);
  EXPECT_FALSE(t.run("prune"));
  EXPECT_FALSE(has(t.ir(), "pruned"));
  EXPECT_EQ(weightShape(t.g, "a"), (Shape{4, 3, 1, 1}));
}

TEST(Prune, NormChoosesTheChannels) {
  // Channel 0: weights (3, 0, 0, 0): L1 3, L2 9; channel 1: (1, 1, 1, 1): L1 4, L2 4.
  for (const char* norm : {"l1", "l2"}) {
    G t;
    Value* x = t.input("x", {1, 4, 3, 3});
    Tensor w(DType::F32, {2, 4, 1, 1});
    w.setF(0, 3.0);
    for (int64_t i = 4; i < 8; ++i) w.setF(i, 1.0);
    Value* a = t.node("Conv", "a", {x, t.cst("w", w)});
    Value* y = t.node("Conv", "b", {a, t.rnd("wb", {3, 2, 1, 1})});
    t.finish({y});
    t.options.prune = ratio(0.5, norm);
    EXPECT_TRUE(t.run("prune"));
    for (const auto& n : t.g.nodes)
      if (n->name == "a") {
        const Tensor& k = *n->input(1)->constant;
        ASSERT_EQ(k.numel(), 4);
        EXPECT_EQ(k.getF(0), std::string(norm) == "l1" ? 1.0 : 3.0) << norm;  // the kept channel
      }
  }
}

TEST(Prune, PerLayerRatiosAndTheLayersReported) {
  G t;
  Value* x = t.input("x", {1, 2, 5, 5});
  Value* a = t.node("Conv", "a", {x, t.rnd("wa", {8, 2, 3, 3})});
  Value* b = t.node("Conv", "b", {t.node("Relu", "r", {a}), t.rnd("wb", {8, 8, 1, 1})});
  Value* y = t.node("Conv", "c", {b, t.rnd("wc", {3, 8, 1, 1})});
  t.finish({y});
  auto q = ratio(0);
  q->layerRatios["a"] = 0.5;
  t.options.prune = q;
  EXPECT_TRUE(t.run("prune"));
  EXPECT_EQ(weightShape(t.g, "a"), (Shape{4, 2, 3, 3}));
  EXPECT_EQ(weightShape(t.g, "b"), (Shape{8, 4, 1, 1}));
  ASSERT_EQ(q->layers->size(), 2u);  // c's channels are a graph output
  EXPECT_EQ((*q->layers)[0].node, "a");
  EXPECT_EQ((*q->layers)[0].kept, 4);
  EXPECT_EQ((*q->layers)[1].node, "b");
  EXPECT_EQ((*q->layers)[1].kept, 8);
}

TEST(Prune, KeptChannels) {
  EXPECT_EQ(prunedKeep(16, 0.375, 1), 10);
  EXPECT_EQ(prunedKeep(16, 0.375, 4), 12);  // the guard's steps: multiples of 4
  EXPECT_EQ(prunedKeep(8, 0.25, 4), 8);
  EXPECT_EQ(prunedKeep(8, 0.5, 4), 4);
  EXPECT_EQ(prunedKeep(3, 0.5, 4), 2);      // fewer channels than the multiple: as given
  EXPECT_EQ(prunedKeep(5, 0.99, 1), 1);     // at least one
  EXPECT_EQ(prunedKeep(6, 0.5, 1), 3);
}

}  // namespace
}  // namespace tinyc
