#include <gtest/gtest.h>

#include "ir/graph.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "ops/op.h"
#include "support/error.h"

namespace tinyc {
namespace {

// x -> Relu -> Add(w) -> y, built out of order to exercise topoSort.
std::unique_ptr<Graph> smallGraph() {
  auto g = std::make_unique<Graph>();
  g->name = "g";
  Value* x = g->addValue("x", DType::F32, {1, 4});
  g->inputs.push_back(x);
  auto w = std::make_shared<Tensor>(DType::F32, Shape{4});
  for (int i = 0; i < 4; ++i) w->setF(i, i + 1);
  Value* wv = g->addConstant("w", w);
  Value* r = g->addValue("r");
  Value* y = g->addValue("y");
  g->addNode("Add", "add", {r, wv}, {y});
  g->addNode("Relu", "relu", {x}, {r});
  g->outputs.push_back(y);
  for (auto& n : g->nodes) bindOp(*n);
  return g;
}

TEST(Tensor, DTypeSizesAndNames) {
  EXPECT_EQ(dtypeSize(DType::F32), 4u);
  EXPECT_EQ(dtypeSize(DType::I8), 1u);
  EXPECT_EQ(dtypeSize(DType::I64), 8u);
  EXPECT_STREQ(dtypeName(DType::U8), "u8");
  DType t;
  ASSERT_TRUE(dtypeFromName("i16", &t));
  EXPECT_EQ(t, DType::I16);
  EXPECT_FALSE(dtypeFromName("bf16", &t));
}

TEST(Tensor, HalfConversionRoundTrips) {
  for (float f : {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 5.9604645e-08f})
    EXPECT_EQ(halfToFloat(floatToHalf(f)), f) << f;
  EXPECT_EQ(floatToHalf(1e6f), 0x7c00);  // overflow to +inf
}

TEST(Tensor, SizeChecksRejectNegativeAndOverflow) {
  EXPECT_THROW(numElements({2, -1}), Error);
  EXPECT_THROW(numElements({int64_t(1) << 40, int64_t(1) << 40}), Error);
  EXPECT_THROW(Tensor(DType::F32, {int64_t(1) << 31, 4}), Error);  // 32 GiB: refused, not allocated
  EXPECT_EQ(numElements({}), 1);
  EXPECT_EQ(numElements({3, 0}), 0);
}

TEST(Tensor, TypedAccessAndReshape) {
  Tensor t(DType::I8, {2, 2});
  t.setI(0, -128);
  t.setI(3, 127);
  EXPECT_EQ(t.getI(0), -128);
  EXPECT_EQ(t.getF(3), 127.0);
  t.reshape({4});
  EXPECT_EQ(t.shape(), Shape{4});
  EXPECT_THROW(t.reshape({3}), Error);
}

TEST(Graph, TopoSortOrdersProducersFirst) {
  auto g = smallGraph();
  EXPECT_EQ(g->nodes[0]->name, "add");
  g->topoSort();
  EXPECT_EQ(g->nodes[0]->name, "relu");
  EXPECT_EQ(g->nodes[1]->name, "add");
  inferShapes(*g);
  EXPECT_NO_THROW(verifyGraph(*g));
  EXPECT_EQ(g->values[3]->shape, (Shape{1, 4}));
}

TEST(Graph, CycleIsAnErrorNamingANode) {
  Graph g;
  Value* a = g.addValue("a", DType::F32, {1});
  Value* b = g.addValue("b", DType::F32, {1});
  g.addNode("Relu", "r1", {a}, {b});
  g.addNode("Relu", "r2", {b}, {a});
  try {
    g.topoSort();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cycle"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("(Relu)"), std::string::npos);
  }
}

TEST(Graph, VerifierCatchesUseBeforeDefinition) {
  auto g = smallGraph();  // not sorted: add reads r before relu defines it
  for (auto& v : g->values)
    if (!v->constant && v.get() != g->inputs[0]) {
      v->dtype = DType::F32;
      v->shape = {1, 4};
    }
  EXPECT_THROW(verifyGraph(*g), Error);
  g->topoSort();
  EXPECT_NO_THROW(verifyGraph(*g));
}

TEST(Graph, VerifyOpsCatchesWrongStoredShape) {
  auto g = smallGraph();
  g->topoSort();
  inferShapes(*g);
  g->values[3]->shape = {4};
  EXPECT_THROW(verifyOps(*g), Error);
}

TEST(Graph, UsersAndCompact) {
  auto g = smallGraph();
  g->topoSort();
  Value* dead = g->addValue("dead");
  g->addNode("Relu", "unused", {g->inputs[0]}, {dead});
  bindOp(*g->nodes.back());
  inferShapes(*g);
  EXPECT_EQ(g->users(g->inputs[0]).size(), 2u);
  g->compact();
  EXPECT_EQ(g->nodes.size(), 2u);
  EXPECT_EQ(g->values.size(), 4u);
  EXPECT_NO_THROW(verifyGraph(*g));
}

TEST(Printer, IsDeterministicAndComplete) {
  auto g = smallGraph();
  g->topoSort();
  inferShapes(*g);
  std::string a = printGraph(*g), b = printGraph(*smallGraph());
  EXPECT_NE(a.find("input %0 \"x\" : f32[1,4]"), std::string::npos) << a;
  EXPECT_NE(a.find("const %1 \"w\" : f32[4] = {1, 2, 3, 4}"), std::string::npos) << a;
  EXPECT_NE(a.find("%2 \"r\" : f32[1,4] = Relu \"relu\"(%0)"), std::string::npos) << a;
  EXPECT_NE(a.find("return %3"), std::string::npos) << a;
  EXPECT_EQ(a, printGraph(*g));
}

TEST(Printer, EscapesHostileNamesAndShowsQuantAndPlan) {
  Graph g;
  Value* v = g.addValue("*/ evil\n\x1b", DType::I8, {2});
  v->quant = QuantParams{{0.5f}, {-3}, -1};
  v->arenaOffset = 64;
  g.inputs.push_back(v);
  g.outputs.push_back(v);
  std::string s = printGraph(g);
  EXPECT_EQ(s.find('\n' + std::string("\x1b")), std::string::npos);
  EXPECT_NE(s.find("\\x0a\\x1b"), std::string::npos) << s;
  EXPECT_NE(s.find("i8[2] q(scale=0.5, zp=-3) @arena+64"), std::string::npos) << s;
}

TEST(Registry, BindFillsDefaultsAndRejectsUnknownAttributes) {
  Graph g;
  Value* x = g.addValue("x", DType::F32, {1});
  Value* y = g.addValue("y");
  Node* n = g.addNode("LeakyRelu", "lr", {x}, {y});
  bindOp(*n);
  EXPECT_FLOAT_EQ(n->attrFloat("alpha"), 0.01f);
  n->attrs["bogus"] = Attr::Int(1);
  EXPECT_THROW(bindOp(*n), Error);
  Node* m = g.addNode("NoSuchOp", "m", {x}, {g.addValue("z")});
  EXPECT_THROW(bindOp(*m), Error);
}

TEST(Registry, EveryOpHasInferEvalAndDoc) {
  auto ops = OpRegistry::instance().all();
  EXPECT_GE(ops.size(), 60u);
  for (const OpDef* op : ops) {
    EXPECT_NE(op->infer, nullptr) << op->name;
    EXPECT_NE(op->eval, nullptr) << op->name;
    EXPECT_FALSE(op->doc.empty()) << op->name;
  }
  for (const char* name : {"Add", "Conv", "ConvTranspose", "Gemm", "LSTM", "GRU", "QLinearConv", "Resize",
                           "LayerNormalization", "ConvInteger", "MatMulInteger", "Erf", "HardSwish"})
    EXPECT_NE(OpRegistry::instance().find(name), nullptr) << name;
}

}  // namespace
}  // namespace tinyc
