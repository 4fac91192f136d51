// Concat in place (backends/c/arena.cpp): branches write straight into the Concat output. The
// expected arenas are worked out by hand from the tensor sizes and the Conv scratch formula.
#include <gtest/gtest.h>

#include <string>

#include "backends/backend.h"
#include "backends/c/runtime/scratch.h"
#include "ir/verifier.h"
#include "ops/op.h"

namespace tinyc {
namespace {

struct Model {
  Graph g;
  int consts = 0;
  Value* input(const std::string& n, Shape s) {
    Value* v = g.addValue(n, DType::F32, std::move(s));
    g.inputs.push_back(v);
    return v;
  }
  Value* weights(Shape s) {
    auto t = std::make_shared<Tensor>(DType::F32, std::move(s));
    for (int64_t i = 0; i < t->numel(); ++i) t->setF(i, 0.01 * static_cast<double>(i % 7));
    return g.addConstant("w" + std::to_string(consts++), t);
  }
  Value* node(const std::string& op, const std::string& name, std::vector<Value*> ins, AttrMap attrs = {}) {
    Value* o = g.addValue(name);
    bindOp(*g.addNode(op, name, std::move(ins), {o}, std::move(attrs)));
    return o;
  }
  // 1x1 convolution with `out` channels, then Relu (in place over the Conv output).
  Value* convRelu(const std::string& name, Value* x, int64_t in, int64_t out) {
    Value* c = node("Conv", name, {x, weights({out, in, 1, 1})});
    return node("Relu", name + "_relu", {c});
  }
  Value* concat(const std::string& name, std::vector<Value*> ins, int64_t axis = 1) {
    return node("Concat", name, std::move(ins), {{"axis", Attr::Int(axis)}});
  }
  EmitResult emit(Value* y) {
    // the Concat output itself stays in the arena: a Softmax (not elementwise, no in-place form)
    // reads it, so it is not computed inside the output buffer (arena.h valuesInOutputs)
    g.outputs = {node("Softmax", "out", {y}, {{"axis", Attr::Int(1)}})};
    inferShapes(g);
    verifyGraph(g);
    EmitOptions o;
    o.name = "m";
    o.target = &findTarget("generic");
    return findBackend("c").emit(g, o);
  }
};

// The code generated for node `name`: the lines from its "/* name (Op) */" comment to the
// next node's.
std::string codeOf(const EmitResult& r, const std::string& name) {
  const std::string& c = r.files[1].content;
  size_t from = c.find("  /* " + name + " (");
  if (from == std::string::npos) return "<missing>";
  std::string out;
  for (size_t p = from; p < c.size();) {
    size_t e = c.find('\n', p);
    std::string line = c.substr(p, e == std::string::npos ? std::string::npos : e - p + 1);
    bool nodeComment = line.rfind("  /* ", 0) == 0 && line.find(") */") != std::string::npos;
    if (p != from && nodeComment) break;
    out += line;
    if (e == std::string::npos) break;
    p = e + 1;
  }
  return out;
}

int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) n++;
  return n;
}

// Conv scratch of a 1x1 conv with 16 outputs over a 4x4 image with `in` channels: the host's
// direct convolution (runtime/scratch.h, tinyc_conv_direct_f32_scratch): 16 output pixels are
// fewer than a tile may read past them, so the input is copied, all 4 rows of 4 floats per
// channel, plus 32 floats of slack: 64 * in + 128 bytes, the least and the most alike.
int64_t scratch1x1(int64_t in) {
  const int32_t p[TINYC_CONV_PARAMS] = {1, static_cast<int32_t>(in), 16, 1, 1, 4, 4, 1, 4, 4, 1, 1, 1,
                                        1, 1, 1, 1, 1, 1, 0, 0, 0};
  EXPECT_EQ(tinyc_conv_direct_f32_scratch_max(p), tinyc_conv_direct_f32_scratch(p));
  return tinyc_conv_direct_f32_scratch(p);
}

TEST(ConcatInPlace, AConcatThatIsAGraphOutputTakesItsInputsInTheCallersBuffer) {
  // The branches write straight into the caller's output (at their slices), each Relu over its
  // Conv's result there: the arena holds only one Conv's scratch at a time.
  Model m;
  Value* x = m.input("x", {1, 2, 4, 4});
  Value* a = m.convRelu("a", x, 2, 16);
  Value* b = m.convRelu("b", x, 2, 16);
  Value* y = m.concat("cat", {a, b});
  m.g.outputs = {y};
  inferShapes(m.g);
  verifyGraph(m.g);
  EmitOptions o;
  o.name = "m";
  o.target = &findTarget("generic");
  EmitResult r = findBackend("c").emit(m.g, o);
  EXPECT_EQ(r.arenaBytes, scratch1x1(2));
  EXPECT_EQ(r.memory.valuesInOutputs.size(), 4u);  // a, a_relu's input, b, b_relu's input
  const std::string cat = codeOf(r, "cat");
  EXPECT_EQ(count(cat, "memcpy"), 0) << cat;
  EXPECT_NE(codeOf(r, "b").find("((float *)((unsigned char *)y0 + 1024))"), std::string::npos) << codeOf(r, "b");
}

TEST(ConcatInPlace, ConvReluBranchesWriteIntoTheOutput) {
  Model m;
  Value* x = m.input("x", {1, 2, 4, 4});
  Value* a = m.convRelu("a", x, 2, 16);  // 16 x 4 x 4 floats = 1024 bytes
  Value* b = m.convRelu("b", x, 2, 16);  // 1024 bytes
  Value* y = m.concat("cat", {a, b});    // 32 x 4 x 4 floats = 2048 bytes
  EmitResult r = m.emit(y);
  ASSERT_EQ(scratch1x1(2), 256);  // 2 x 16 + 32 floats
  // Copying: at the Concat a, b and y are live: 1024 + 1024 + 2048 = 4096 bytes.
  EXPECT_EQ(r.memory.arenaWithoutConcatInPlace, 4096);
  // In place: y (2048) lives from a's Conv on; next to it only one Conv scratch (256) at a time.
  EXPECT_EQ(r.arenaBytes, 2048 + 256);
  EXPECT_EQ(r.memory.lowerBound, 2048 + 256);
  EXPECT_EQ(r.memory.concatInPlace, 2);
  std::string cat = codeOf(r, "cat");
  EXPECT_EQ(count(cat, "memcpy"), 0) << cat;
  EXPECT_NE(cat.find("every input was written in place"), std::string::npos) << cat;
}

TEST(ConcatInPlace, NestedConcatsChain) {
  // DenseNet-like: y2 = concat(y1, conv(y1)); y1 lands at offset 0 of y2.
  Model m;
  Value* x = m.input("x", {1, 2, 4, 4});
  Value* a = m.convRelu("a", x, 2, 16);
  Value* b = m.convRelu("b", x, 2, 16);
  Value* y1 = m.concat("cat1", {a, b});      // 2048 bytes
  Value* c = m.convRelu("c", y1, 32, 16);    // 1024 bytes, scratch 32 x 16 + 32 floats = 2176
  Value* y2 = m.concat("cat2", {y1, c});     // 3072 bytes
  EmitResult r = m.emit(y2);
  ASSERT_EQ(scratch1x1(32), 2176);
  // In place the peak is at c's Conv: y2 (3072) + its scratch. Copying, at cat2: y1 (2048) + c
  // (1024) + y2 (3072).
  EXPECT_EQ(r.arenaBytes, 3072 + 2176);
  EXPECT_EQ(r.memory.arenaWithoutConcatInPlace, 2048 + 1024 + 3072);
  EXPECT_EQ(r.memory.concatInPlace, 4);  // a, b into y1; y1, c into y2
  EXPECT_EQ(count(codeOf(r, "cat1"), "memcpy"), 0) << codeOf(r, "cat1");
  EXPECT_EQ(count(codeOf(r, "cat2"), "memcpy"), 0) << codeOf(r, "cat2");
}

TEST(ConcatInPlace, GraphInputIsCopied) {
  Model m;
  Value* x = m.input("x", {1, 2, 4, 4});  // 128 bytes
  Value* a = m.convRelu("a", x, 2, 16);   // 1024 bytes
  Value* y = m.concat("cat", {x, a});     // 1152 bytes
  EmitResult r = m.emit(y);
  // In place: y + a's scratch = 1152 + 256 at the Conv. Copying: a + scratch = 1280 at the
  // Conv, a + y = 2176 at the Concat. a is written in place, x copied.
  EXPECT_EQ(r.arenaBytes, 1152 + scratch1x1(2));
  EXPECT_EQ(r.memory.concatInPlace, 1);
  std::string cat = codeOf(r, "cat");
  EXPECT_EQ(count(cat, "memcpy"), 1) << cat;
  EXPECT_NE(cat.find(", x0, 128);"), std::string::npos) << cat;
}

TEST(ConcatInPlace, NotAppliedWhenItRaisesThePeak) {
  // A 16-channel graph input makes a's Conv scratch 16 x 16 + 32 floats = 1152 bytes. In place,
  // y (2048) would be live next to it: 3200; copying, the peak is a + y = 3072 at the Concat.
  Model m;
  Value* x = m.input("x", {1, 16, 4, 4});
  Value* a = m.convRelu("a", x, 16, 16);
  Value* y = m.concat("cat", {x, a});
  EmitResult r = m.emit(y);
  ASSERT_EQ(scratch1x1(16), 1152);
  EXPECT_EQ(r.arenaBytes, 3072);
  EXPECT_EQ(r.memory.scratchBytes.at("a"), 1152);
  EXPECT_EQ(r.memory.concatInPlace, 0);
  EXPECT_EQ(count(codeOf(r, "cat"), "memcpy"), 2) << codeOf(r, "cat");
}

TEST(ConcatInPlace, DuplicatedInputIsCopied) {
  Model m;
  Value* x = m.input("x", {1, 2, 4, 4});
  Value* a = m.convRelu("a", x, 2, 16);
  Value* y = m.concat("cat", {a, a});
  EmitResult r = m.emit(y);
  EXPECT_EQ(r.memory.concatInPlace, 0);
  EXPECT_EQ(count(codeOf(r, "cat"), "memcpy"), 2) << codeOf(r, "cat");
}

TEST(ConcatInPlace, AxisWithRowsBeforeItIsCopied) {
  // Along axis 2 of [1,16,4,4] there are 16 rows before the axis: inputs are not contiguous.
  Model m;
  Value* x = m.input("x", {1, 2, 4, 4});
  Value* a = m.convRelu("a", x, 2, 16);
  Value* b = m.convRelu("b", x, 2, 16);
  Value* y = m.concat("cat", {a, b}, 2);
  EmitResult r = m.emit(y);
  EXPECT_EQ(r.memory.concatInPlace, 0);
  EXPECT_EQ(r.arenaBytes, 4096);
  EXPECT_EQ(count(codeOf(r, "cat"), "tinyc_copy_rows"), 2) << codeOf(r, "cat");
}

TEST(ConcatInPlace, ValueInsideAnotherConcatIsCopied) {
  // a is placed inside y1; y2 also reads a, which is then a slice of a larger buffer: copied.
  Model m;
  Value* x = m.input("x", {1, 2, 4, 4});
  Value* a = m.convRelu("a", x, 2, 16);
  Value* b = m.convRelu("b", x, 2, 16);
  Value* c = m.convRelu("c", x, 2, 16);
  Value* y1 = m.concat("cat1", {a, b});
  Value* y2 = m.concat("cat2", {a, c});
  EmitResult r = m.emit(m.node("Add", "sum", {y1, y2}));
  EXPECT_EQ(r.memory.concatInPlace, 3);  // a, b into y1; c into y2
  EXPECT_EQ(count(codeOf(r, "cat1"), "memcpy"), 0) << codeOf(r, "cat1");
  EXPECT_EQ(count(codeOf(r, "cat2"), "memcpy"), 1) << codeOf(r, "cat2");
}

}  // namespace
}  // namespace tinyc
