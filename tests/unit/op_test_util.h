// Helpers for op unit tests: run one op through bindOp + shape inference + the interpreter.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interp/interpreter.h"
#include "ops/op.h"

namespace tinyc::test {

inline Tensor makeTensor(DType t, Shape s, const std::vector<double>& vals) {
  Tensor x(t, std::move(s));
  EXPECT_EQ(static_cast<size_t>(x.numel()), vals.size());
  for (size_t i = 0; i < vals.size() && static_cast<int64_t>(i) < x.numel(); ++i)
    x.setF(static_cast<int64_t>(i), vals[i]);
  return x;
}
inline Tensor f32(Shape s, const std::vector<double>& vals) { return makeTensor(DType::F32, std::move(s), vals); }
inline Tensor i64(Shape s, const std::vector<double>& vals) { return makeTensor(DType::I64, std::move(s), vals); }

struct OpInput {
  Tensor t;
  bool constant = false;  // constant inputs are visible to shape inference (e.g. Reshape's shape)
  bool omitted = false;
};
inline OpInput in(Tensor t) { return {std::move(t), false, false}; }
inline OpInput cst(Tensor t) { return {std::move(t), true, false}; }
inline OpInput none() { return {Tensor(), false, true}; }

// Builds a one-node graph, infers shapes and evaluates it. Throws tinyc::Error on bad input.
inline std::vector<Tensor> runOp(const std::string& op, std::vector<OpInput> inputs, AttrMap attrs = {},
                                 int numOutputs = 1, Graph* keep = nullptr) {
  Graph local;
  Graph& g = keep ? *keep : local;
  std::vector<Value*> ins;
  std::vector<Tensor> feed;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].omitted) {
      ins.push_back(nullptr);
      continue;
    }
    std::string name = "in" + std::to_string(i);
    if (inputs[i].constant) {
      ins.push_back(g.addConstant(name, std::make_shared<Tensor>(inputs[i].t)));
    } else {
      Value* v = g.addValue(name, inputs[i].t.dtype(), inputs[i].t.shape());
      g.inputs.push_back(v);
      feed.push_back(inputs[i].t);
      ins.push_back(v);
    }
  }
  std::vector<Value*> outs;
  for (int i = 0; i < numOutputs; ++i) outs.push_back(g.addValue("out" + std::to_string(i)));
  Node* n = g.addNode(op, "node", ins, outs, std::move(attrs));
  bindOp(*n);
  inferShapes(g);
  g.outputs = outs;
  Interpreter interp(g);
  return interp.run(feed);
}

inline void expectNear(const Tensor& got, const Shape& shape, const std::vector<double>& want, double tol = 1e-5) {
  ASSERT_EQ(got.shape(), shape);
  ASSERT_EQ(static_cast<size_t>(got.numel()), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got.getF(static_cast<int64_t>(i)), want[i], tol) << "at " << i;
}

}  // namespace tinyc::test
