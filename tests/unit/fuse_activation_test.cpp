#include <gtest/gtest.h>

#include <random>

#include "interp/compare.h"
#include "interp/interpreter.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "ops/op.h"
#include "passes/pass.h"
#include "support/error.h"

namespace tinyc {
namespace {

struct Builder {
  Graph g;
  Value* input(Shape s) {
    Value* v = g.addValue("x", DType::F32, std::move(s));
    g.inputs.push_back(v);
    return v;
  }
  Value* cst(const std::string& n, Shape s, float scale) {
    auto t = std::make_shared<Tensor>(DType::F32, std::move(s));
    for (int64_t i = 0; i < t->numel(); ++i) t->setF(i, scale * static_cast<float>((i * 37) % 11 - 5));
    return g.addConstant(n, t);
  }
  Value* node(const std::string& op, const std::string& name, std::vector<Value*> ins, AttrMap a = {}) {
    Value* o = g.addValue(name + "_out");
    bindOp(*g.addNode(op, name, std::move(ins), {o}, std::move(a)));
    return o;
  }
};

std::vector<Tensor> runWith(Graph& g, const Tensor& x) { return Interpreter(g).run({x}); }

Tensor randomInput(Shape s) {
  Tensor t(DType::F32, std::move(s));
  std::mt19937 rng(3);
  std::normal_distribution<float> nd;
  for (int64_t i = 0; i < t.numel(); ++i) t.setF(i, nd(rng));
  return t;
}

bool fuse(Graph& g) {
  PassManager pm;
  pm.add("fuse-activation");
  bool changed = pm.run(g)[0].changed;
  verifyGraph(g);
  verifyOps(g);
  return changed;
}

TEST(FuseActivation, ConvReluAndGemmClipAreFusedWithoutChangingResults) {
  Builder b;
  Value* x = b.input({1, 2, 5, 5});
  Value* c = b.node("Conv", "conv", {x, b.cst("w", {3, 2, 3, 3}, 0.1f), b.cst("b", {3}, 0.2f)});
  Value* r = b.node("Relu", "relu", {c});
  Value* f = b.node("Flatten", "flat", {r});
  Value* gm = b.node("Gemm", "fc", {f, b.cst("fw", {27, 4}, 0.05f)}, {});
  Value* lo = b.cst("lo", {}, 0);
  Value* hi = b.cst("hi", {}, 0);
  const_cast<Tensor*>(lo->constant.get())->setF(0, 0.0);
  const_cast<Tensor*>(hi->constant.get())->setF(0, 0.1);
  Value* y = b.node("Clip", "relu6", {gm, lo, hi});
  y->name = "y";
  b.g.outputs = {y};
  inferShapes(b.g);
  Tensor in = randomInput({1, 2, 5, 5});
  auto before = runWith(b.g, in);
  EXPECT_TRUE(fuse(b.g));
  std::string ir = printGraph(b.g);
  EXPECT_EQ(ir.find("Relu \"relu\""), std::string::npos) << ir;
  EXPECT_EQ(ir.find("= Clip"), std::string::npos) << ir;
  EXPECT_NE(ir.find("tinyc.activation=\"Relu\""), std::string::npos) << ir;
  EXPECT_NE(ir.find("tinyc.activation=\"Clip\", tinyc.activation_params=[0,0.1]"), std::string::npos) << ir;
  EXPECT_NE(ir.find("\"y\" : f32[1,4] = Gemm \"fc\""), std::string::npos) << ir;  // output keeps its name
  auto after = runWith(b.g, in);
  EXPECT_TRUE(compareTensors(after[0], before[0], {0, 0, false}).ok);  // bit-identical
}

TEST(FuseActivation, NotFusedWhenTheInputHasTwoUsersOrBoundsAreNotConstant) {
  Builder b;
  Value* x = b.input({1, 4});
  Value* w = b.cst("w", {4, 4}, 0.1f);
  Value* g1 = b.node("Gemm", "fc", {x, w});
  Value* r = b.node("Relu", "relu", {g1});
  Value* s = b.node("Add", "skip", {g1, r});  // g1 has two users
  Value* lo = b.g.addValue("lo", DType::F32, {});
  b.g.inputs.push_back(lo);
  Value* c = b.node("Clip", "clip", {s, lo});  // min is not a constant
  b.g.outputs = {c};
  inferShapes(b.g);
  EXPECT_FALSE(fuse(b.g));
}

TEST(FuseActivation, ModelsCannotUseTheReservedAttributes) {
  Graph g;
  Value* x = g.addValue("x", DType::F32, {2});
  Value* y = g.addValue("y");
  Node* n = g.addNode("Add", "a", {x, x}, {y}, {{"tinyc.activation", Attr::Str("Bogus")}});
  EXPECT_THROW(bindOp(*n), Error);
  n->attrs = {{"tinyc.activation", Attr::Str("Relu")}};
  Node* m = g.addNode("Sub", "s", {x, x}, {g.addValue("z")}, {{"tinyc.activation", Attr::Str("Relu")}});
  EXPECT_NO_THROW(bindOp(*n));
  EXPECT_THROW(bindOp(*m), Error);  // Sub cannot carry one
}

}  // namespace
}  // namespace tinyc
