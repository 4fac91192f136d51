// Test helpers for the pass tests: a small IR graph builder, running pipelines with the
// verifier, and checking interpreter outputs before vs after.
#pragma once
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "interp/compare.h"
#include "interp/interpreter.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "ops/op.h"
#include "passes/pass.h"

namespace tinyc {
namespace {

// Small graph builder on the IR (values are f32 unless given).
struct G {
  Graph g;
  PassOptions options;  // given to the passes (target layout, I/O layout)
  std::mt19937 rng{1234};
  Value* input(const std::string& n, Shape s) {
    Value* v = g.addValue(n, DType::F32, std::move(s));
    g.inputs.push_back(v);
    return v;
  }
  Value* cst(const std::string& n, Tensor t) { return g.addConstant(n, std::make_shared<Tensor>(std::move(t))); }
  // Random constant, uniform in [lo, hi).
  Value* rnd(const std::string& n, Shape s, double lo = -1, double hi = 1) {
    std::uniform_real_distribution<double> u(lo, hi);
    Tensor t(DType::F32, std::move(s));
    for (int64_t i = 0; i < t.numel(); ++i) t.setF(i, u(rng));
    return cst(n, std::move(t));
  }
  Value* ints(const std::string& n, std::vector<int64_t> v) {
    Tensor t(DType::I64, {static_cast<int64_t>(v.size())});
    for (size_t i = 0; i < v.size(); ++i) t.setI(static_cast<int64_t>(i), v[i]);
    return cst(n, std::move(t));
  }
  Value* node(const std::string& op, const std::string& name, std::vector<Value*> ins, AttrMap attrs = {},
              int outs = 1) {
    std::vector<Value*> o;
    for (int i = 0; i < outs; ++i) o.push_back(g.addValue(name + (i ? "_" + std::to_string(i) : "") + "_out"));
    Node* n = g.addNode(op, name, std::move(ins), o, std::move(attrs));
    bindOp(*n);
    return o[0];
  }
  // BatchNormalization over `ch` channels with random constant parameters (var > 0).
  Value* bn(const std::string& name, Value* x, int64_t ch) {
    return node("BatchNormalization", name,
                {x, rnd(name + "_s", {ch}, 0.5, 2), rnd(name + "_b", {ch}), rnd(name + "_m", {ch}),
                 rnd(name + "_v", {ch}, 0.2, 2)});
  }
  void finish(std::vector<Value*> outs) {
    g.outputs = std::move(outs);
    inferShapes(g);
    verifyGraph(g);
  }
  std::vector<Tensor> inputs(unsigned seed = 7) {
    std::mt19937 r(seed);
    std::normal_distribution<float> nd;
    std::vector<Tensor> ins;
    for (const Value* v : g.inputs) {
      Tensor t(v->dtype, v->shape);
      for (int64_t i = 0; i < t.numel(); ++i) t.setF(i, nd(r));
      ins.push_back(t);
    }
    return ins;
  }
  bool run(const std::string& pipeline) {
    PassManagerOptions o;
    o.pass = options;
    PassManager pm(o);
    pm.addPipeline(pipeline);
    auto r = pm.run(g);
    verifyGraph(g);
    verifyOps(g);
    bool changed = false;
    for (auto& x : r) changed |= x.changed;
    return changed;
  }
  // Runs the pipeline and checks that the interpreter's outputs are unchanged; returns `changed`.
  bool runSame(const std::string& pipeline) {
    auto ins = inputs();
    auto before = Interpreter(g).run(ins);
    bool changed = run(pipeline);
    auto after = Interpreter(g).run(ins);
    EXPECT_EQ(before.size(), after.size());
    for (size_t i = 0; i < before.size() && i < after.size(); ++i) {
      Comparison c = compareTensors(after[i], before[i], {1e-5, 1e-5, true});
      EXPECT_TRUE(c.ok) << pipeline << " output " << i << ": " << c.why << "\n" << ir();
    }
    return changed;
  }
  std::string ir() const { return printGraph(g); }
  int count(const std::string& op) const {
    int n = 0;
    for (const auto& node : g.nodes) n += node->opType == op;
    return n;
  }
};

bool has(const std::string& ir, const std::string& s) { return ir.find(s) != std::string::npos; }

}  // namespace
}  // namespace tinyc
