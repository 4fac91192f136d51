#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "interp/interpreter.h"
#include "onnx/importer.h"
#include "onnx/tensor_proto.h"
#include "support/error.h"

namespace tinyc {
namespace {

// Small builder for ONNX models in tests.
struct ModelBuilder {
  onnx::ModelProto m;
  onnx::GraphProto* g;
  explicit ModelBuilder(int opset) {
    m.set_ir_version(8);
    auto* o = m.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    g = m.mutable_graph();
    g->set_name("test");
  }
  void input(const std::string& name, std::vector<int64_t> dims, std::vector<std::string> symbolic = {},
             int type = onnx::TensorProto::FLOAT) {
    auto* v = g->add_input();
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(type);
    auto* sh = tt->mutable_shape();
    for (size_t i = 0; i < dims.size(); ++i) {
      auto* d = sh->add_dim();
      if (i < symbolic.size() && !symbolic[i].empty())
        d->set_dim_param(symbolic[i]);
      else
        d->set_dim_value(dims[i]);
    }
  }
  void output(const std::string& name) {
    auto* v = g->add_output();
    v->set_name(name);
  }
  onnx::NodeProto* node(const std::string& op, std::vector<std::string> ins, std::vector<std::string> outs,
                        const std::string& name = "") {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? op : name);
    for (auto& i : ins) n->add_input(i);
    for (auto& o : outs) n->add_output(o);
    return n;
  }
  onnx::TensorProto* init(const std::string& name, std::vector<int64_t> dims, std::vector<float> vals) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) t->add_dims(d);
    for (float v : vals) t->add_float_data(v);
    return t;
  }
  void initI64(const std::string& name, std::vector<int64_t> vals) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(vals.size()));
    for (auto v : vals) t->add_int64_data(v);
  }
  std::unique_ptr<Graph> import(ImportOptions opts = {}, const std::string& dir = "") const {
    return importModelBytes(m.SerializeAsString(), dir, opts);
  }
};

void attrInts(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v) a->add_ints(x);
}
void attrInt(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

Tensor iota(Shape s, float scale = 1) {
  Tensor t(DType::F32, std::move(s));
  for (int64_t i = 0; i < t.numel(); ++i) t.setF(i, static_cast<float>(i) * scale);
  return t;
}

std::string errorOf(const ModelBuilder& b, ImportOptions opts = {}) {
  try {
    b.import(opts);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Importer, SqueezeAxesAttributeBecomesInput) {
  ModelBuilder b(11);
  b.input("x", {1, 3, 1});
  attrInts(b.node("Squeeze", {"x"}, {"y"}), "axes", {0, 2});
  b.output("y");
  auto g = b.import();
  ASSERT_EQ(g->nodes.size(), 1u);
  ASSERT_EQ(g->nodes[0]->inputs.size(), 2u);
  ASSERT_TRUE(g->nodes[0]->inputs[1]->isConstant());
  EXPECT_EQ(g->nodes[0]->inputs[1]->constant->toInts(), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(g->outputs[0]->shape, (Shape{3}));
}

TEST(Importer, LegacySoftmaxFlattensAtAxis) {
  ModelBuilder b(11);
  b.input("x", {2, 2, 2});
  attrInt(b.node("Softmax", {"x"}, {"y"}), "axis", 1);
  b.output("y");
  auto g = b.import();
  EXPECT_EQ(g->outputs[0]->shape, (Shape{2, 2, 2}));
  Interpreter interp(*g);
  auto out = interp.run({iota({2, 2, 2})});
  // Softmax over the last 4 elements of each batch row (opset < 13 semantics), not over axis 1.
  double denom = 0;
  for (int i = 0; i < 4; ++i) denom += std::exp(i);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(out[0].getF(i), std::exp(i) / denom, 1e-6);
  EXPECT_NEAR(out[0].getF(4), 1 / denom, 1e-6);
}

TEST(Importer, ClipOpset6AttributesBecomeInputs) {
  ModelBuilder b(6);
  b.input("x", {4});
  auto* n = b.node("Clip", {"x"}, {"y"});
  auto* a = n->add_attribute();
  a->set_name("min");
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(1.0f);
  auto* c = n->add_attribute();
  c->set_name("max");
  c->set_type(onnx::AttributeProto::FLOAT);
  c->set_f(2.0f);
  b.output("y");
  std::vector<std::string> notes;
  ImportOptions opts;
  opts.notes = &notes;
  auto g = b.import(opts);
  ASSERT_EQ(notes.size(), 1u);  // opset older than 7
  Interpreter interp(*g);
  auto out = interp.run({iota({4})});
  EXPECT_EQ(out[0].toDoubles(), (std::vector<double>{1, 1, 2, 2}));
}

TEST(Importer, PyTorchShapeArithmeticFeedsReshape) {
  // x -> Shape -> Gather(0) -> Unsqueeze -> Concat(.., [-1]) -> Reshape(x, .)
  ModelBuilder b(13);
  b.input("x", {1, 3, 4, 4});
  b.node("Shape", {"x"}, {"s"});
  b.initI64("zero", {0});
  b.g->mutable_initializer(0)->clear_dims();  // scalar index
  b.node("Gather", {"s", "zero"}, {"n"});
  b.initI64("ax", {0});
  b.node("Unsqueeze", {"n", "ax"}, {"n1"});
  b.initI64("minus1", {-1});
  auto* cat = b.node("Concat", {"n1", "minus1"}, {"shape"});
  attrInt(cat, "axis", 0);
  b.node("Reshape", {"x", "shape"}, {"y"});
  b.output("y");
  auto g = b.import();
  EXPECT_EQ(g->outputs[0]->shape, (Shape{1, 48}));
  // The shape chain is known at compile time (ready for the folding passes).
  Value* shape = nullptr;
  for (auto& v : g->values)
    if (v->name == "shape") shape = v.get();
  ASSERT_NE(shape, nullptr);
  ASSERT_NE(shape->known, nullptr);
  EXPECT_EQ(shape->known->toInts(), (std::vector<int64_t>{1, -1}));
  Interpreter interp(*g);
  auto out = interp.run({iota({1, 3, 4, 4})});
  EXPECT_EQ(out[0].getF(47), 47.0);
}

TEST(Importer, RnnInitialStateFromShapeAndConstantOfShape) {
  // PyTorch: h0 = zeros(num_directions, batch, hidden) with batch taken from x's shape.
  ModelBuilder b(14);
  b.input("x", {5, 2, 3});  // [seq, batch, input]
  b.node("Shape", {"x"}, {"s"});
  b.initI64("one", {1});
  b.g->mutable_initializer(0)->clear_dims();
  b.node("Gather", {"s", "one"}, {"batch"});
  b.initI64("ax", {0});
  b.node("Unsqueeze", {"batch", "ax"}, {"batch1"});
  b.initI64("dirs", {1});
  b.initI64("hidden", {4});
  attrInt(b.node("Concat", {"dirs", "batch1", "hidden"}, {"h0shape"}), "axis", 0);
  b.node("ConstantOfShape", {"h0shape"}, {"h0"});
  b.init("W", {1, 12, 3}, std::vector<float>(36, 0.1f));
  b.init("R", {1, 12, 4}, std::vector<float>(48, 0.1f));
  attrInt(b.node("GRU", {"x", "W", "R", "", "", "h0"}, {"y", "yh"}), "hidden_size", 4);
  b.output("yh");
  auto g = b.import();
  EXPECT_EQ(g->outputs[0]->shape, (Shape{1, 2, 4}));
  Tensor x(DType::F32, {5, 2, 3});
  auto out = Interpreter(*g).run({x});
  EXPECT_EQ(out[0].shape(), (Shape{1, 2, 4}));
}

TEST(Importer, LocalFunctionIsInlinedWithAttributeReference) {
  ModelBuilder b(15);
  auto* fo = b.m.add_opset_import();
  fo->set_domain("local");
  fo->set_version(1);
  auto* f = b.m.add_functions();
  f->set_name("MyAct");
  f->set_domain("local");
  f->add_input("a");
  f->add_output("b");
  f->add_attribute("slope");
  auto* body = f->add_node();
  body->set_op_type("LeakyRelu");
  body->add_input("a");
  body->add_output("b");
  auto* ref = body->add_attribute();
  ref->set_name("alpha");
  ref->set_type(onnx::AttributeProto::FLOAT);
  ref->set_ref_attr_name("slope");
  b.input("x", {2});
  auto* call = b.node("MyAct", {"x"}, {"y"}, "act");
  call->set_domain("local");
  auto* s = call->add_attribute();
  s->set_name("slope");
  s->set_type(onnx::AttributeProto::FLOAT);
  s->set_f(0.5f);
  b.output("y");
  auto g = b.import();
  ASSERT_EQ(g->nodes.size(), 1u);
  EXPECT_EQ(g->nodes[0]->opType, "LeakyRelu");
  EXPECT_FLOAT_EQ(g->nodes[0]->attrFloat("alpha"), 0.5f);
  Tensor x(DType::F32, {2});
  x.setF(0, -4);
  x.setF(1, 3);
  Interpreter interp(*g);
  EXPECT_EQ(interp.run({x})[0].toDoubles(), (std::vector<double>{-2, 3}));
}

TEST(Importer, InitializerListedAsInputIsConstant) {
  ModelBuilder b(13);
  b.input("x", {2});
  b.input("w", {2});
  b.init("w", {2}, {10, 20});
  b.node("Add", {"x", "w"}, {"y"});
  b.output("y");
  auto g = b.import();
  ASSERT_EQ(g->inputs.size(), 1u);
  EXPECT_EQ(g->inputs[0]->name, "x");
}

TEST(Importer, RawAndTypedInitializersAgree) {
  ModelBuilder b(13);
  b.init("w", {2}, {1.5f, -2});
  auto* raw = b.g->add_initializer();
  raw->set_name("v");
  raw->set_data_type(onnx::TensorProto::FLOAT);
  raw->add_dims(2);
  float vals[2] = {1.5f, -2};
  raw->set_raw_data(std::string(reinterpret_cast<char*>(vals), 8));
  b.node("Sub", {"w", "v"}, {"y"});
  b.output("y");
  auto g = b.import();
  Interpreter interp(*g);
  EXPECT_EQ(interp.run({})[0].toDoubles(), (std::vector<double>{0, 0}));
}

// ONNX INT4 / UINT4 tensors (opset 21): two values per byte, the lower index in the low nibble, in
// raw_data or one byte per int32_data entry (signed or unsigned bytes); an odd count leaves the
// last high nibble unused; a wrong byte count is a model error.
TEST(TensorProto, FourBitTypesUnpack) {
  const std::vector<int> vals = {-8, 7, -1, 3, 2, 0, -5};  // INT4
  onnx::TensorProto p;
  p.set_name("w");
  p.set_data_type(kOnnxInt4);
  p.add_dims(7);
  std::string raw;
  for (size_t i = 0; i < vals.size(); i += 2)
    raw.push_back(static_cast<char>((vals[i] & 15) | (i + 1 < vals.size() ? (vals[i + 1] & 15) << 4 : 0)));
  p.set_raw_data(raw);
  Tensor t = tensorFromProto(p, "");
  ASSERT_EQ(t.dtype(), DType::I8);
  for (size_t i = 0; i < vals.size(); ++i) EXPECT_EQ(t.getI(static_cast<int64_t>(i)), vals[i]) << i;
  p.clear_raw_data();
  for (char c : raw) p.add_int32_data(static_cast<int8_t>(c));  // signed bytes, as onnx's helper writes them
  Tensor u = tensorFromProto(p, "");
  for (size_t i = 0; i < vals.size(); ++i) EXPECT_EQ(u.getI(static_cast<int64_t>(i)), vals[i]) << i;
  p.set_data_type(kOnnxUint4);  // the same bytes as UINT4: 0..15
  Tensor v = tensorFromProto(p, "");
  ASSERT_EQ(v.dtype(), DType::U8);
  for (size_t i = 0; i < vals.size(); ++i) EXPECT_EQ(v.getI(static_cast<int64_t>(i)), vals[i] & 15) << i;
  p.add_int32_data(0);  // one byte too many
  EXPECT_THROW(tensorFromProto(p, ""), Error);
}

TEST(Importer, SymbolicBatchDefaultsToOneAndInputShapeOverrides) {
  ModelBuilder b(13);
  b.input("x", {0, 4}, {"N"});
  b.node("Relu", {"x"}, {"y"});
  b.output("y");
  std::vector<std::string> notes;
  ImportOptions opts;
  opts.notes = &notes;
  EXPECT_EQ(b.import(opts)->inputs[0]->shape, (Shape{1, 4}));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("'N'"), std::string::npos);
  ImportOptions o2;
  parseInputShapeOption("x=8,4", o2);
  EXPECT_EQ(b.import(o2)->inputs[0]->shape, (Shape{8, 4}));
  ImportOptions o3;
  parseInputShapeOption("x=8,5", o3);  // the model fixes dim 1 to 4
  EXPECT_THROW(b.import(o3), Error);
  ImportOptions o4;
  parseInputShapeOption("nope=1", o4);
  EXPECT_THROW(b.import(o4), Error);
  ImportOptions o5;
  EXPECT_THROW(parseInputShapeOption("x=1,-3", o5), Error);
}

TEST(Importer, SymbolicInnerDimNeedsInputShape) {
  ModelBuilder b(13);
  b.input("x", {1, 0}, {"", "C"});
  b.node("Relu", {"x"}, {"y"});
  b.output("y");
  std::string e = errorOf(b);
  EXPECT_NE(e.find("'x' dim 1 ('C')"), std::string::npos) << e;
  EXPECT_NE(e.find("--input-shape"), std::string::npos) << e;
}

TEST(Importer, UnsupportedOpsAreListedTogether) {
  ModelBuilder b(13);
  b.input("x", {1});
  b.node("Foo", {"x"}, {"a"}, "f1");
  b.node("Bar", {"a"}, {"b"}, "b1");
  b.node("Foo", {"b"}, {"y"}, "f2");
  b.output("y");
  std::string e = errorOf(b);
  EXPECT_NE(e.find("Bar (1 node"), std::string::npos) << e;
  EXPECT_NE(e.find("Foo (2 nodes"), std::string::npos) << e;
}

TEST(Importer, UnsupportedOpsSayWhyWhenItIsOnPurpose) {
  ModelBuilder b(13);
  b.input("x", {4});
  b.node("NonZero", {"x"}, {"i"}, "nz");
  b.node("SequenceMap", {"i"}, {"y"}, "sm");
  b.output("y");
  std::string e = errorOf(b);
  EXPECT_NE(e.find("'nz': its output shape depends on the input values"), std::string::npos) << e;
  EXPECT_NE(e.find("'sm': control flow (subgraphs) is supported only for If, Loop and Scan"), std::string::npos) << e;
}

// ---- control flow unrolled at compile time (onnx/control_flow.cpp) ----

// A subgraph attribute of n: inputs (name, elem type), nodes added by the caller, outputs.
onnx::GraphProto* subgraph(onnx::NodeProto* n, const std::string& attr, std::vector<std::pair<std::string, int>> ins,
                           std::vector<std::string> outs) {
  auto* a = n->add_attribute();
  a->set_name(attr);
  a->set_type(onnx::AttributeProto::GRAPH);
  onnx::GraphProto* g = a->mutable_g();
  g->set_name(attr);
  for (auto& [name, type] : ins) {
    auto* v = g->add_input();
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(type);
  }
  for (auto& o : outs) g->add_output()->set_name(o);
  return g;
}
onnx::NodeProto* subnode(onnx::GraphProto* g, const std::string& op, std::vector<std::string> ins,
                         std::vector<std::string> outs) {
  auto* n = g->add_node();
  n->set_op_type(op);
  for (auto& i : ins) n->add_input(i);
  for (auto& o : outs) n->add_output(o);
  return n;
}

// A Loop body over one float carried value: inputs i (int64), cin (bool), yin (float).
onnx::GraphProto* loopBody(onnx::NodeProto* n, std::vector<std::string> outs) {
  return subgraph(n, "body", {{"i", onnx::TensorProto::INT64}, {"cin", onnx::TensorProto::BOOL}, {"yin", onnx::TensorProto::FLOAT}},
                  std::move(outs));
}

TEST(Importer, IfWithAConditionFromShapesTakesOneBranch) {
  // cond = (Shape(x)[1] == 3): the then branch (x * w, w its own initializer) is compiled, the
  // else branch (x + 100) is not.
  ModelBuilder b(13);
  b.input("x", {1, 3});
  b.node("Shape", {"x"}, {"s"});
  b.initI64("one", {1});
  b.g->mutable_initializer(0)->clear_dims();
  b.node("Gather", {"s", "one"}, {"d"});
  b.initI64("three", {3});
  b.g->mutable_initializer(1)->clear_dims();
  b.node("Equal", {"d", "three"}, {"c"});
  auto* n = b.node("If", {"c"}, {"y"}, "branch");
  auto* t = subgraph(n, "then_branch", {}, {"t_out"});
  auto* w = t->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(3);
  for (float v : {2.f, 3.f, 4.f}) w->add_float_data(v);
  subnode(t, "Mul", {"x", "w"}, {"t_out"});
  auto* e = subgraph(n, "else_branch", {}, {"e_out"});
  auto* h = e->add_initializer();
  h->set_name("hundred");
  h->set_data_type(onnx::TensorProto::FLOAT);
  h->add_float_data(100.f);
  subnode(e, "Add", {"x", "hundred"}, {"e_out"});
  b.output("y");
  auto g = b.import();
  for (auto& node : g->nodes) EXPECT_NE(node->opType, "Add") << "the else branch was imported";
  Interpreter interp(*g);
  auto out = interp.run({iota({1, 3}, 1)});  // x = 0, 1, 2
  EXPECT_EQ(out[0].getF(0), 0.f);
  EXPECT_EQ(out[0].getF(1), 3.f);
  EXPECT_EQ(out[0].getF(2), 8.f);
}

TEST(Importer, IfOnDataIsAClearError) {
  ModelBuilder b(13);
  b.input("x", {1});
  b.init("zero", {1}, {0.f});
  b.node("Greater", {"x", "zero"}, {"c"});
  auto* n = b.node("If", {"c"}, {"y"}, "on_data");
  subnode(subgraph(n, "then_branch", {}, {"a"}), "Identity", {"x"}, {"a"});
  subnode(subgraph(n, "else_branch", {}, {"b"}), "Neg", {"x"}, {"b"});
  b.output("y");
  std::string e = errorOf(b);
  EXPECT_NE(e.find("node 'on_data' (If): its condition 'c' must be known at compile time"), std::string::npos) << e;
}

TEST(Importer, LoopWithAKnownTripCountIsUnrolled) {
  // y_{i+1} = y_i * 2 + i, three iterations from y_0 = x; scan output: every y_{i+1}.
  ModelBuilder b(13);
  b.input("x", {2});
  b.initI64("m", {3});
  b.g->mutable_initializer(0)->clear_dims();
  auto* body = loopBody(b.node("Loop", {"m", "", "x"}, {"y", "all"}, "loop"), {"cout", "yout", "scan"});
  subnode(body, "Identity", {"cin"}, {"cout"});
  auto* two = body->add_initializer();
  two->set_name("two");
  two->set_data_type(onnx::TensorProto::FLOAT);
  two->add_float_data(2.f);
  subnode(body, "Mul", {"yin", "two"}, {"dbl"});
  auto* cast = subnode(body, "Cast", {"i"}, {"fi"});
  attrInt(cast, "to", onnx::TensorProto::FLOAT);
  subnode(body, "Add", {"dbl", "fi"}, {"yout"});
  subnode(body, "Identity", {"yout"}, {"scan"});
  b.output("y");
  b.output("all");
  auto g = b.import();
  EXPECT_EQ(g->outputs[1]->shape, (Shape{3, 2}));
  Interpreter interp(*g);
  Tensor x(DType::F32, {2});
  x.setF(0, 1.f), x.setF(1, -1.f);
  auto out = interp.run({x});
  // x = 1: 2, 5, 12; x = -1: -2, -3, -4
  EXPECT_EQ(out[0].getF(0), 12.f);
  EXPECT_EQ(out[0].getF(1), -4.f);
  const float all[] = {2, -2, 5, -3, 12, -4};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(out[1].getF(i), all[i]) << i;
}

TEST(Importer, LoopEndedByItsBodyIsAClearError) {
  ModelBuilder b(13);
  b.input("x", {1});
  b.initI64("m", {5});
  b.g->mutable_initializer(0)->clear_dims();
  auto* body = loopBody(b.node("Loop", {"m", "", "x"}, {"y"}, "while"), {"cout", "yout"});
  subnode(body, "Neg", {"yin"}, {"yout"});
  subnode(body, "Greater", {"yout", "yin"}, {"cout"});
  b.output("y");
  std::string e = errorOf(b);
  EXPECT_NE(e.find("node 'while' (Loop): the loop's condition is computed in its body"), std::string::npos) << e;
}

TEST(Importer, ScanBackwardAlongAxisOneIsUnrolled) {
  // running sums over axis 1 of x [2, 3], read backwards; the scan output stacked along axis 0
  ModelBuilder b(11);
  b.input("s0", {2});
  b.input("x", {2, 3});
  auto* n = b.node("Scan", {"s0", "x"}, {"s", "ys"}, "scan");
  attrInt(n, "num_scan_inputs", 1);
  attrInts(n, "scan_input_axes", {1});
  attrInts(n, "scan_input_directions", {1});
  auto* body = subgraph(n, "body", {{"acc", onnx::TensorProto::FLOAT}, {"col", onnx::TensorProto::FLOAT}},
                        {"acc2", "out"});
  subnode(body, "Add", {"acc", "col"}, {"acc2"});
  subnode(body, "Identity", {"acc2"}, {"out"});
  b.output("s");
  b.output("ys");
  auto g = b.import();
  EXPECT_EQ(g->outputs[1]->shape, (Shape{3, 2}));
  Interpreter interp(*g);
  Tensor s0(DType::F32, {2});
  auto out = interp.run({s0, iota({2, 3})});  // x = [[0 1 2] [3 4 5]]
  EXPECT_EQ(out[0].getF(0), 3.f);
  EXPECT_EQ(out[0].getF(1), 12.f);
  const float ys[] = {2, 5, 3, 9, 3, 12};  // columns 2, 1, 0 added in turn
  for (int i = 0; i < 6; ++i) EXPECT_EQ(out[1].getF(i), ys[i]) << i;
}

TEST(Importer, StructuralErrorsNameTheProblem) {
  {
    ModelBuilder b(13);
    b.input("x", {1});
    b.node("Relu", {"x"}, {"y"});
    b.node("Relu", {"x"}, {"y"}, "again");
    b.output("y");
    EXPECT_NE(errorOf(b).find("defined twice"), std::string::npos);
  }
  {
    ModelBuilder b(13);
    b.input("x", {1});
    b.node("Relu", {"x"}, {"y"});
    b.output("z");
    EXPECT_NE(errorOf(b).find("'z'"), std::string::npos);
  }
  {  // newer element types by name (FLOAT8E4M3FN = 17, INT4 = 22)
    ModelBuilder b(21);
    b.input("x", {2}, {}, 22);
    b.node("Relu", {"x"}, {"y"});
    b.output("y");
    EXPECT_NE(errorOf(b).find("element type INT4 (22) is not supported"), std::string::npos) << errorOf(b);
    ModelBuilder c(21);
    c.input("x", {2}, {}, 17);
    c.node("Relu", {"x"}, {"y"});
    c.output("y");
    EXPECT_NE(errorOf(c).find("FLOAT8E4M3FN"), std::string::npos) << errorOf(c);
  }
  {
    ModelBuilder b(29);  // newer than the newest opset tinyc knows (28)
    b.input("x", {1});
    b.node("Relu", {"x"}, {"y"});
    b.output("y");
    EXPECT_NE(errorOf(b).find("opset 29 is not supported (tinyc supports ONNX opsets 7 to 28)"), std::string::npos)
        << errorOf(b);
  }
  {
    ModelBuilder b(13);
    b.input("x", {2});
    b.init("w", {3}, {1, 2});  // 2 values for 3 elements
    b.node("Add", {"x", "w"}, {"y"});
    b.output("y");
    EXPECT_NE(errorOf(b).find("'w'"), std::string::npos);
  }
  EXPECT_THROW(importModelBytes("", "", {}), Error);
  EXPECT_THROW(importModelBytes(std::string("\x08\x07\x12\x03", 4), "", {}), Error);
}

class ExternalData : public ::testing::Test {
 protected:
  std::filesystem::path dir;
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("tinyc_ext_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "sub");
    float vals[2] = {3, 4};
    std::ofstream(dir / "sub" / "w.bin", std::ios::binary).write(reinterpret_cast<char*>(vals), 8);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  ModelBuilder model(const std::string& location) {
    ModelBuilder b(13);
    b.input("x", {2});
    auto* t = b.g->add_initializer();
    t->set_name("w");
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(2);
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* kv = t->add_external_data();
    kv->set_key("location");
    kv->set_value(location);
    b.node("Add", {"x", "w"}, {"y"});
    b.output("y");
    return b;
  }
};

TEST_F(ExternalData, InsideTheModelFolderIsRead) {
  auto g = model("sub/w.bin").import({}, dir.string());
  Interpreter interp(*g);
  Tensor x(DType::F32, {2});
  EXPECT_EQ(interp.run({x})[0].toDoubles(), (std::vector<double>{3, 4}));
}

TEST_F(ExternalData, EscapesAreRejected) {
  EXPECT_THROW(model("../w.bin").import({}, (dir / "sub").string()), Error);
  EXPECT_THROW(model((dir / "sub" / "w.bin").string()).import({}, dir.string()), Error);
  EXPECT_THROW(model("sub/missing.bin").import({}, dir.string()), Error);
}

TEST(TensorFiles, PbAndNpyRoundTrip) {
  auto dir = std::filesystem::temp_directory_path();
  Tensor t = iota({2, 3}, 0.25f);
  std::string pb = (dir / "tinyc_t.pb").string();
  writeTensorPb(pb, t, "name");
  std::string name;
  Tensor back = readTensorFile(pb, &name);
  EXPECT_TRUE(back.sameContent(t));
  EXPECT_EQ(name, "name");
  std::remove(pb.c_str());
}

}  // namespace
}  // namespace tinyc
