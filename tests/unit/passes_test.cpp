#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <sstream>

#include "interp/compare.h"
#include "interp/interpreter.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "onnx/importer.h"
#include "ops/op.h"
#include "passes/pass.h"
#include "support/error.h"

namespace tinyc {
namespace {

// Small graph builder on the IR (values are f32 unless given).
struct G {
  Graph g;
  Value* input(const std::string& n, Shape s) {
    Value* v = g.addValue(n, DType::F32, std::move(s));
    g.inputs.push_back(v);
    return v;
  }
  Value* cst(const std::string& n, Tensor t) { return g.addConstant(n, std::make_shared<Tensor>(std::move(t))); }
  Value* node(const std::string& op, const std::string& name, std::vector<Value*> ins, AttrMap attrs = {},
              int outs = 1) {
    std::vector<Value*> o;
    for (int i = 0; i < outs; ++i) o.push_back(g.addValue(name + (i ? "_" + std::to_string(i) : "") + "_out"));
    Node* n = g.addNode(op, name, std::move(ins), o, std::move(attrs));
    bindOp(*n);
    return o[0];
  }
  void finish(std::vector<Value*> outs) {
    g.outputs = std::move(outs);
    inferShapes(g);
    verifyGraph(g);
  }
  bool run(const std::string& pipeline) {
    PassManager pm;
    pm.addPipeline(pipeline);
    auto r = pm.run(g);
    verifyGraph(g);
    verifyOps(g);
    bool changed = false;
    for (auto& x : r) changed |= x.changed;
    return changed;
  }
  std::string ir() const { return printGraph(g); }
};

Tensor filled(DType t, Shape s, double v) {
  Tensor x(t, std::move(s));
  for (int64_t i = 0; i < x.numel(); ++i) x.setF(i, v);
  return x;
}

TEST(Passes, DceRemovesUnusedNodesOnly) {
  G b;
  Value* x = b.input("x", {4});
  Value* y = b.node("Relu", "keep", {x});
  b.node("Exp", "dead", {x});
  b.finish({y});
  EXPECT_TRUE(b.run("dce"));
  EXPECT_EQ(b.ir().find("\"dead\""), std::string::npos);
  EXPECT_NE(b.ir().find("Relu \"keep\""), std::string::npos);
  EXPECT_FALSE(b.run("dce"));
}

TEST(Passes, RemoveIdentityKeepsTheOutputName) {
  G b;
  Value* x = b.input("x", {4});
  Value* r = b.node("Relu", "relu", {x});
  Value* i1 = b.node("Identity", "id1", {r});
  Value* y = b.node("Dropout", "drop", {i1});
  y->name = "y";
  b.finish({y});
  EXPECT_TRUE(b.run("remove-identity"));
  std::string ir = b.ir();
  EXPECT_EQ(ir.find("Identity"), std::string::npos) << ir;
  EXPECT_EQ(ir.find("Dropout"), std::string::npos) << ir;
  EXPECT_NE(ir.find("\"y\" : f32[4] = Relu \"relu\""), std::string::npos) << ir;
}

TEST(Passes, DropoutWhoseMaskIsUsedStays) {
  G b;
  Value* x = b.input("x", {4});
  b.node("Dropout", "drop", {x}, {}, 2);
  Value* mask = b.g.nodes.back()->outputs[1];
  Value* m = b.node("Cast", "cast", {mask}, {{"to", Attr::Int(1)}});
  b.finish({b.g.nodes[0]->outputs[0], m});
  EXPECT_FALSE(b.run("remove-identity"));
  EXPECT_NE(b.ir().find("Dropout"), std::string::npos);
}

TEST(Passes, FoldShapesTurnsShapeArithmeticIntoConstants) {
  G b;
  Value* x = b.input("x", {2, 3, 4});
  Value* s = b.node("Shape", "shape", {x});
  Value* r = b.node("Reshape", "reshape", {x, s});
  b.finish({r});
  EXPECT_TRUE(b.run("fold-shapes,dce"));
  std::string ir = b.ir();
  EXPECT_EQ(ir.find("Shape \"shape\""), std::string::npos) << ir;
  EXPECT_NE(ir.find("const %"), std::string::npos) << ir;
  EXPECT_NE(ir.find("i64[3] = {2, 3, 4}"), std::string::npos) << ir;
}

TEST(Passes, DequantizedWeightsAreNotFolded) {
  // int8 weights behind DequantizeLinear stay int8 (folding them would grow the weights 4x).
  G b;
  Value* x = b.input("x", {1, 512});
  Value* w = b.cst("w", filled(DType::I8, {512, 8}, 3));
  Value* sc = b.cst("s", filled(DType::F32, {}, 0.5));
  Value* zp = b.cst("zp", filled(DType::I8, {}, 0));
  Value* dq = b.node("DequantizeLinear", "dq", {w, sc, zp});
  Value* y = b.node("MatMul", "mm", {x, dq});
  b.finish({y});
  b.run("fold-shapes,fold-constants,dce");
  EXPECT_NE(b.ir().find("DequantizeLinear \"dq\""), std::string::npos) << b.ir();
}

TEST(Passes, FoldConstantsEvaluatesSmallSubgraphs) {
  G b;
  Value* x = b.input("x", {3});
  Value* c1 = b.cst("c1", filled(DType::F32, {3}, 2));
  Value* c2 = b.cst("c2", filled(DType::F32, {3}, 5));
  Value* s = b.node("Mul", "mul_consts", {c1, c2});
  Value* y = b.node("Add", "add", {x, s});
  b.finish({y});
  EXPECT_TRUE(b.run("fold-constants,dce"));
  std::string ir = b.ir();
  EXPECT_EQ(ir.find("Mul"), std::string::npos) << ir;
  EXPECT_NE(ir.find("f32[3] = {10, 10, 10}"), std::string::npos) << ir;
}

TEST(Passes, FoldConstantsRespectsTheSizeCap) {
  G b;
  Value* x = b.input("x", {256, 256});
  Value* shape = b.cst("shape", Tensor(DType::I64, {2}));
  const_cast<Tensor*>(shape->constant.get())->setI(0, 256);
  const_cast<Tensor*>(shape->constant.get())->setI(1, 256);
  Value* big = b.node("ConstantOfShape", "fill", {shape});
  Value* y = b.node("Add", "add", {x, big});
  b.finish({y});
  b.run("fold-shapes,fold-constants");
  EXPECT_NE(b.ir().find("ConstantOfShape"), std::string::npos);  // 256 KiB would be created from 16 bytes
}

TEST(Passes, ManagerOptionsAndErrors) {
  EXPECT_THROW(PassManager().add("no-such-pass"), Error);
  EXPECT_EQ(pipelineForLevel(0), "");
  EXPECT_NE(pipelineForLevel(2).find("fold-constants"), std::string::npos);
  G b;
  Value* x = b.input("x", {4});
  Value* y = b.node("Identity", "id", {b.node("Relu", "r", {x})});
  b.finish({y});
  std::ostringstream out;
  PassManagerOptions o;
  o.printAfter = {"all"};
  o.disabled = {"dce"};
  o.out = &out;
  PassManager pm(o);
  pm.addPipeline("remove-identity,dce");
  auto rec = pm.run(b.g);
  ASSERT_EQ(rec.size(), 1u);  // dce disabled
  EXPECT_TRUE(rec[0].changed);
  EXPECT_EQ(rec[0].nodesBefore, 2);
  EXPECT_EQ(rec[0].nodesAfter, 1);
  EXPECT_NE(out.str().find("// ---- after remove-identity"), std::string::npos);
}

// Every pass alone keeps every bundled model's outputs (seeded random inputs). The passes are
// given a channels-last target so that the layout pass rewrites too.
TEST(Passes, EveryPassKeepsEveryModelsOutputs) {
  std::filesystem::path models = std::filesystem::path(TINYC_SOURCE_DIR) / "models";
  int checked = 0;
  for (const auto& e : std::filesystem::directory_iterator(models)) {
    auto path = e.path() / "model.onnx";
    if (!std::filesystem::exists(path)) continue;
    for (const auto& p : allPasses()) {
      auto g = importModel(path.string());
      std::mt19937 rng(7);
      std::normal_distribution<float> nd;
      std::vector<Tensor> ins;
      for (const Value* v : g->inputs) {
        Tensor t(v->dtype, v->shape);
        for (int64_t i = 0; i < t.numel(); ++i) t.setF(i, isFloat(v->dtype) ? nd(rng) : static_cast<int>(rng() % 200) - 100);
        ins.push_back(t);
      }
      auto before = Interpreter(*g).run(ins);
      PassManagerOptions o;
      o.pass.layout = "NHWC";
      PassManager pm(o);
      pm.add(p.name);
      pm.run(*g);
      verifyGraph(*g);
      verifyOps(*g);
      auto after = Interpreter(*g).run(ins);
      ASSERT_EQ(before.size(), after.size());
      for (size_t i = 0; i < before.size(); ++i) {
        Comparison c = compareTensors(after[i], before[i], {1e-6, 1e-6, true});
        EXPECT_TRUE(c.ok) << e.path().filename() << " pass " << p.name << ": " << c.why;
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 8 * static_cast<int>(allPasses().size()));
}

}  // namespace
}  // namespace tinyc
