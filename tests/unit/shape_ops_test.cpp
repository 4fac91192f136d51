// Unit tests for the data-movement ops (lib/ops/shape*.cpp). Expected values are worked out by
// hand from the ONNX operator definitions.
#include <cmath>
#include <cstring>
#include <limits>

#include "op_test_util.h"

namespace tinyc::test {
namespace {

// Exact int64 tensor (makeTensor goes through double).
Tensor ints(Shape s, const std::vector<int64_t>& v) {
  Tensor t(DType::I64, std::move(s));
  EXPECT_EQ(static_cast<size_t>(t.numel()), v.size());
  for (size_t i = 0; i < v.size(); ++i) t.setI(static_cast<int64_t>(i), v[i]);
  return t;
}
Tensor vec(const std::vector<int64_t>& v) { return ints({static_cast<int64_t>(v.size())}, v); }
Tensor iota(DType t, Shape s) {
  Tensor x(t, std::move(s));
  for (int64_t i = 0; i < x.numel(); ++i) x.setF(i, static_cast<double>(i));
  return x;
}
std::vector<double> values(const Tensor& t) { return t.toDoubles(); }

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

}  // namespace

// ---- Reshape / Flatten / Squeeze / Unsqueeze ----------------------------------------------

TEST(ShapeOps, ReshapeZeroAndMinusOne) {
  auto out = runOp("Reshape", {in(iota(DType::F32, {2, 3, 4})), cst(vec({0, -1}))});
  expectNear(out[0], {2, 12}, values(iota(DType::F32, {24})));
  out = runOp("Reshape", {in(iota(DType::I8, {2, 3, 4})), cst(vec({4, 0, -1}))});
  EXPECT_EQ(out[0].shape(), (Shape{4, 3, 2}));
  EXPECT_EQ(out[0].dtype(), DType::I8);
}

TEST(ShapeOps, ReshapeAllowZero) {
  // allowzero=1: a 0 in the shape is a real 0-sized dimension.
  auto out = runOp("Reshape", {in(Tensor(DType::F32, {0, 3})), cst(vec({3, 0}))}, {{"allowzero", Attr::Int(1)}});
  EXPECT_EQ(out[0].shape(), (Shape{3, 0}));
  EXPECT_THROW(runOp("Reshape", {in(Tensor(DType::F32, {0, 3})), cst(vec({0, -1}))}, {{"allowzero", Attr::Int(1)}}),
               Error);
}

TEST(ShapeOps, ReshapeErrors) {
  EXPECT_THROW(runOp("Reshape", {in(iota(DType::F32, {6})), cst(vec({-1, -1}))}), Error);  // two -1
  EXPECT_THROW(runOp("Reshape", {in(iota(DType::F32, {6})), cst(vec({4, -1}))}), Error);   // 6 % 4
  EXPECT_THROW(runOp("Reshape", {in(iota(DType::F32, {6})), cst(vec({7}))}), Error);       // size
  EXPECT_THROW(runOp("Reshape", {in(iota(DType::F32, {6})), cst(vec({-2, -3}))}), Error);  // negative
  EXPECT_THROW(runOp("Reshape", {in(iota(DType::F32, {6})), cst(vec({2, 0, 3}))}), Error); // 0 beyond rank
  EXPECT_THROW(runOp("Reshape", {in(iota(DType::F32, {6})), in(vec({6}))}), Error);        // not constant
  EXPECT_THROW(runOp("Reshape", {in(iota(DType::F32, {6})), cst(vec({kMax, kMax}))}), Error);
}

TEST(ShapeOps, Flatten) {
  auto x = iota(DType::F32, {2, 3, 4});
  EXPECT_EQ(runOp("Flatten", {in(x)})[0].shape(), (Shape{2, 12}));
  EXPECT_EQ(runOp("Flatten", {in(x)}, {{"axis", Attr::Int(0)}})[0].shape(), (Shape{1, 24}));
  EXPECT_EQ(runOp("Flatten", {in(x)}, {{"axis", Attr::Int(3)}})[0].shape(), (Shape{24, 1}));
  EXPECT_EQ(runOp("Flatten", {in(x)}, {{"axis", Attr::Int(-1)}})[0].shape(), (Shape{6, 4}));
  EXPECT_THROW(runOp("Flatten", {in(x)}, {{"axis", Attr::Int(4)}}), Error);
  EXPECT_THROW(runOp("Flatten", {in(x)}, {{"axis", Attr::Int(-4)}}), Error);
}

TEST(ShapeOps, SqueezeUnsqueeze) {
  auto x = iota(DType::F32, {1, 3, 1, 2});
  EXPECT_EQ(runOp("Squeeze", {in(x)})[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(runOp("Squeeze", {in(x), cst(vec({-2}))})[0].shape(), (Shape{1, 3, 2}));
  expectNear(runOp("Squeeze", {in(x), cst(vec({0, 2}))})[0], {3, 2}, {0, 1, 2, 3, 4, 5});
  EXPECT_THROW(runOp("Squeeze", {in(x), cst(vec({1}))}), Error);     // size 3
  EXPECT_THROW(runOp("Squeeze", {in(x), cst(vec({0, 0}))}), Error);  // repeated
  EXPECT_THROW(runOp("Squeeze", {in(x), cst(vec({4}))}), Error);     // out of range

  auto y = iota(DType::I64, {2, 3});
  EXPECT_EQ(runOp("Unsqueeze", {in(y), cst(vec({0, 3}))})[0].shape(), (Shape{1, 2, 3, 1}));
  EXPECT_EQ(runOp("Unsqueeze", {in(y), cst(vec({-1}))})[0].shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(runOp("Unsqueeze", {in(y), cst(vec({3, 1}))})[0].shape(), (Shape{2, 1, 3, 1}));
  expectNear(runOp("Unsqueeze", {in(y), cst(vec({1}))})[0], {2, 1, 3}, {0, 1, 2, 3, 4, 5});
  EXPECT_THROW(runOp("Unsqueeze", {in(y), cst(vec({1, 1}))}), Error);
  EXPECT_THROW(runOp("Unsqueeze", {in(y), cst(vec({3}))}), Error);
  EXPECT_THROW(runOp("Unsqueeze", {in(y), in(vec({0}))}), Error);
}

// ---- Transpose ----------------------------------------------------------------------------

TEST(ShapeOps, TransposeDefaultReverses) {
  auto out = runOp("Transpose", {in(iota(DType::F32, {2, 3}))});
  expectNear(out[0], {3, 2}, {0, 3, 1, 4, 2, 5});
}

TEST(ShapeOps, TransposePerm3D) {
  // x[i][j][k] = 6i + 3j + k (shape 2x2x3); out[j][k][i] with perm (1, 2, 0).
  auto out = runOp("Transpose", {in(iota(DType::I16, {2, 2, 3}))}, {{"perm", Attr::Ints({1, 2, 0})}});
  expectNear(out[0], {2, 3, 2}, {0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11});
  EXPECT_EQ(out[0].dtype(), DType::I16);
  EXPECT_THROW(runOp("Transpose", {in(iota(DType::F32, {2, 3}))}, {{"perm", Attr::Ints({0, 0})}}), Error);
  EXPECT_THROW(runOp("Transpose", {in(iota(DType::F32, {2, 3}))}, {{"perm", Attr::Ints({0, 2})}}), Error);
  EXPECT_THROW(runOp("Transpose", {in(iota(DType::F32, {2, 3}))}, {{"perm", Attr::Ints({0})}}), Error);
}

// ---- Concat / Split -----------------------------------------------------------------------

TEST(ShapeOps, Concat) {
  auto a = f32({2, 1}, {1, 2});
  auto b = f32({2, 2}, {3, 4, 5, 6});
  expectNear(runOp("Concat", {in(a), in(b)}, {{"axis", Attr::Int(1)}})[0], {2, 3}, {1, 3, 4, 2, 5, 6});
  expectNear(runOp("Concat", {in(b), cst(b)}, {{"axis", Attr::Int(-2)}})[0], {4, 2}, {3, 4, 5, 6, 3, 4, 5, 6});
  // Zero-sized inputs are fine.
  expectNear(runOp("Concat", {in(Tensor(DType::F32, {0})), in(f32({2}, {7, 8}))}, {{"axis", Attr::Int(0)}})[0], {2},
             {7, 8});
  EXPECT_THROW(runOp("Concat", {in(a), in(b)}, {{"axis", Attr::Int(0)}}), Error);  // dim 1 differs
  EXPECT_THROW(runOp("Concat", {in(a), in(iota(DType::I64, {2, 1}))}, {{"axis", Attr::Int(1)}}), Error);
  EXPECT_THROW(runOp("Concat", {in(a), in(b)}, {{"axis", Attr::Int(2)}}), Error);
  EXPECT_THROW(runOp("Concat", {in(a), in(b)}), Error);  // axis is required
}

TEST(ShapeOps, SplitSizes) {
  auto x = iota(DType::F32, {2, 3});
  auto out = runOp("Split", {in(x), cst(vec({1, 2}))}, {{"axis", Attr::Int(1)}}, 2);
  expectNear(out[0], {2, 1}, {0, 3});
  expectNear(out[1], {2, 2}, {1, 2, 4, 5});
  EXPECT_THROW(runOp("Split", {in(x), cst(vec({1, 1}))}, {{"axis", Attr::Int(1)}}, 2), Error);  // sum 2 != 3
  EXPECT_THROW(runOp("Split", {in(x), cst(vec({4, -1}))}, {{"axis", Attr::Int(1)}}, 2), Error);
  EXPECT_THROW(runOp("Split", {in(x), cst(vec({3}))}, {{"axis", Attr::Int(1)}}, 2), Error);  // count
  EXPECT_THROW(runOp("Split", {in(x), in(vec({1, 2}))}, {{"axis", Attr::Int(1)}}, 2), Error);
}

TEST(ShapeOps, SplitNumOutputsAndEqual) {
  auto x = iota(DType::I32, {5});
  auto out = runOp("Split", {in(x)}, {{"num_outputs", Attr::Int(3)}}, 3);
  expectNear(out[0], {2}, {0, 1});
  expectNear(out[1], {2}, {2, 3});
  expectNear(out[2], {1}, {4});
  auto eq = runOp("Split", {in(iota(DType::F32, {2, 4}))}, {{"axis", Attr::Int(-1)}}, 2);
  expectNear(eq[0], {2, 2}, {0, 1, 4, 5});
  expectNear(eq[1], {2, 2}, {2, 3, 6, 7});
  EXPECT_THROW(runOp("Split", {in(x)}, {}, 2), Error);                                // 5 not even
  EXPECT_THROW(runOp("Split", {in(x)}, {{"num_outputs", Attr::Int(2)}}, 3), Error);   // mismatch
  EXPECT_THROW(runOp("Split", {in(iota(DType::F32, {5}))}, {{"num_outputs", Attr::Int(4)}}, 4), Error);  // 2,2,2,-1
}

// ---- Slice --------------------------------------------------------------------------------

TEST(ShapeOps, SliceBasic) {
  // x = 0..11 as 3x4
  auto x = iota(DType::F32, {3, 4});
  auto out = runOp("Slice", {in(x), cst(vec({1, 0})), cst(vec({3, 3})), none(), cst(vec({1, 2}))});
  expectNear(out[0], {2, 2}, {4, 6, 8, 10});
  // axes given, negative starts/ends: last column, rows 0..1
  out = runOp("Slice", {in(x), cst(vec({-1, 0})), cst(vec({kMax, -1})), cst(vec({1, 0}))});
  expectNear(out[0], {2, 1}, {3, 7});
}

TEST(ShapeOps, SliceNegativeStepsAndClamping) {
  auto x = iota(DType::I64, {5});
  // Reverse everything: start=-1, end=INT64_MIN, step=-1.
  expectNear(runOp("Slice", {in(x), cst(vec({-1})), cst(vec({kMin})), none(), cst(vec({-1}))})[0], {5},
             {4, 3, 2, 1, 0});
  // start beyond the end is clamped to dim-1 for negative steps: 10 -> 4, step -2 to 0 (exclusive).
  expectNear(runOp("Slice", {in(x), cst(vec({10})), cst(vec({0})), none(), cst(vec({-2}))})[0], {2}, {4, 2});
  // Out-of-range positive slice gives an empty result.
  EXPECT_EQ(runOp("Slice", {in(x), cst(vec({7})), cst(vec({9}))})[0].shape(), (Shape{0}));
  // Huge steps: only the first element.
  expectNear(runOp("Slice", {in(x), cst(vec({1})), cst(vec({5})), none(), cst(vec({kMax}))})[0], {1}, {1});
  expectNear(runOp("Slice", {in(x), cst(vec({3})), cst(vec({kMin})), none(), cst(vec({kMin}))})[0], {1}, {3});
}

TEST(ShapeOps, SliceErrors) {
  auto x = iota(DType::F32, {3, 4});
  EXPECT_THROW(runOp("Slice", {in(x), cst(vec({0})), cst(vec({1})), none(), cst(vec({0}))}), Error);   // step 0
  EXPECT_THROW(runOp("Slice", {in(x), in(vec({0})), cst(vec({1}))}), Error);                           // runtime starts
  EXPECT_THROW(runOp("Slice", {in(x), cst(vec({0, 0})), cst(vec({1}))}), Error);                       // lengths
  EXPECT_THROW(runOp("Slice", {in(x), cst(vec({0})), cst(vec({1})), cst(vec({2}))}), Error);           // axis range
  EXPECT_THROW(runOp("Slice", {in(x), cst(vec({0, 0})), cst(vec({1, 1})), cst(vec({0, -2}))}), Error); // repeated
}

// ---- Pad ----------------------------------------------------------------------------------

TEST(ShapeOps, PadConstant) {
  auto x = f32({2, 2}, {1, 2, 3, 4});
  auto out = runOp("Pad", {in(x), cst(vec({0, 1, 1, 0})), cst(f32({}, {9}))});
  expectNear(out[0], {3, 3}, {9, 1, 2, 9, 3, 4, 9, 9, 9});
  // Default constant is 0; only axis 1 via the axes input (negative axis).
  out = runOp("Pad", {in(x), cst(vec({2, 1})), none(), cst(vec({-1}))});
  expectNear(out[0], {2, 5}, {0, 0, 1, 2, 0, 0, 0, 3, 4, 0});
}

TEST(ShapeOps, PadModes) {
  auto x = iota(DType::I32, {4});  // 0 1 2 3
  auto pads = vec({3, 3});
  auto mode = [](const char* m) { return AttrMap{{"mode", Attr::Str(m)}}; };
  expectNear(runOp("Pad", {in(x), cst(pads)}, mode("reflect"))[0], {10}, {3, 2, 1, 0, 1, 2, 3, 2, 1, 0});
  expectNear(runOp("Pad", {in(x), cst(pads)}, mode("edge"))[0], {10}, {0, 0, 0, 0, 1, 2, 3, 3, 3, 3});
  expectNear(runOp("Pad", {in(x), cst(pads)}, mode("wrap"))[0], {10}, {1, 2, 3, 0, 1, 2, 3, 0, 1, 2});
  // Reflect further than the size repeats the reflection: [0 1 2] padded by 5 on the left.
  expectNear(runOp("Pad", {in(iota(DType::I32, {3})), cst(vec({5, 0}))}, mode("reflect"))[0], {8},
             {1, 0, 1, 2, 1, 0, 1, 2});
  EXPECT_THROW(runOp("Pad", {in(x), cst(pads)}, mode("mirror")), Error);
  EXPECT_THROW(runOp("Pad", {in(Tensor(DType::F32, {0})), cst(vec({1, 0}))}, mode("edge")), Error);
}

TEST(ShapeOps, PadNegativeCrops) {
  auto x = iota(DType::F32, {2, 3});  // 0 1 2 / 3 4 5
  expectNear(runOp("Pad", {in(x), cst(vec({0, -1, 0, 1}))})[0], {2, 3}, {1, 2, 0, 4, 5, 0});
  EXPECT_THROW(runOp("Pad", {in(x), cst(vec({0, -2, 0, -2}))}), Error);
  EXPECT_THROW(runOp("Pad", {in(x), cst(vec({0, 1}))}), Error);                        // wrong count
  EXPECT_THROW(runOp("Pad", {in(x), in(vec({0, 0, 0, 0}))}), Error);                   // runtime pads
  EXPECT_THROW(runOp("Pad", {in(x), cst(vec({0, 0, 0, 0})), cst(vec({0}))}), Error);  // value type
  EXPECT_THROW(runOp("Pad", {in(x), cst(vec({0, kMax, 0, 0}))}), Error);
}

// ---- Gather -------------------------------------------------------------------------------

TEST(ShapeOps, Gather) {
  auto x = iota(DType::F32, {3, 2});  // 0 1 / 2 3 / 4 5
  expectNear(runOp("Gather", {in(x), cst(vec({2, -3}))})[0], {2, 2}, {4, 5, 0, 1});
  expectNear(runOp("Gather", {in(x), in(ints({2, 2}, {1, 0, 0, 1}))}, {{"axis", Attr::Int(1)}})[0], {3, 2, 2},
             {1, 0, 0, 1, 3, 2, 2, 3, 5, 4, 4, 5});
  // Scalar index removes the axis.
  expectNear(runOp("Gather", {in(x), in(ints({}, {-1}))})[0], {2}, {4, 5});
  auto i32 = makeTensor(DType::I32, {1}, {1});
  expectNear(runOp("Gather", {in(x), in(i32)}, {{"axis", Attr::Int(-1)}})[0], {3, 1}, {1, 3, 5});
}

TEST(ShapeOps, GatherOutOfRange) {
  auto x = iota(DType::F32, {3, 2});
  EXPECT_THROW(runOp("Gather", {in(x), cst(vec({3}))}), Error);   // caught at compile time
  EXPECT_THROW(runOp("Gather", {in(x), in(vec({-4}))}), Error);   // caught at run time
  EXPECT_THROW(runOp("Gather", {in(x), in(vec({kMin}))}), Error);
  EXPECT_THROW(runOp("Gather", {in(x), in(f32({1}, {0}))}), Error);
  EXPECT_THROW(runOp("Gather", {in(x), in(vec({0}))}, {{"axis", Attr::Int(2)}}), Error);
}

// ---- Shape / Constant / ConstantOfShape / Identity / Dropout -----------------------------

TEST(ShapeOps, Shape) {
  auto x = Tensor(DType::F32, {2, 3, 4, 5});
  expectNear(runOp("Shape", {in(x)})[0], {4}, {2, 3, 4, 5});
  expectNear(runOp("Shape", {in(x)}, {{"start", Attr::Int(1)}, {"end", Attr::Int(-1)}})[0], {2}, {3, 4});
  expectNear(runOp("Shape", {in(x)}, {{"start", Attr::Int(-10)}, {"end", Attr::Int(10)}})[0], {4}, {2, 3, 4, 5});
  EXPECT_EQ(runOp("Shape", {in(x)}, {{"start", Attr::Int(3)}, {"end", Attr::Int(1)}})[0].shape(), (Shape{0}));
  // The output is known at compile time, so a following Reshape can use it.
  Graph g;
  runOp("Shape", {in(x)}, {{"start", Attr::Int(2)}}, 1, &g);
  const Tensor* known = g.nodes[0]->outputs[0]->constData();
  ASSERT_NE(known, nullptr);
  EXPECT_EQ(known->toInts(), (std::vector<int64_t>{4, 5}));
}

TEST(ShapeOps, Constant) {
  expectNear(runOp("Constant", {}, {{"value_ints", Attr::Ints({3, -1})}})[0], {2}, {3, -1});
  auto f = runOp("Constant", {}, {{"value_float", Attr::Float(2.5f)}})[0];
  EXPECT_EQ(f.dtype(), DType::F32);
  expectNear(f, {}, {2.5});
  auto i = runOp("Constant", {}, {{"value_int", Attr::Int(7)}})[0];
  EXPECT_EQ(i.dtype(), DType::I64);
  expectNear(i, {}, {7});
  expectNear(runOp("Constant", {}, {{"value_floats", Attr::Floats({1, 2})}})[0], {2}, {1, 2});
  auto t = std::make_shared<Tensor>(makeTensor(DType::U8, {2, 2}, {1, 2, 3, 255}));
  auto v = runOp("Constant", {}, {{"value", Attr::TensorV(t)}})[0];
  EXPECT_TRUE(v.sameContent(*t));
  EXPECT_THROW(runOp("Constant", {}, {}), Error);
  EXPECT_THROW(runOp("Constant", {}, {{"value_int", Attr::Int(7)}, {"value_float", Attr::Float(1)}}), Error);
  EXPECT_THROW(runOp("Constant", {}, {{"value_string", Attr::Str("x")}}), Error);
}

TEST(ShapeOps, ConstantOfShape) {
  auto z = runOp("ConstantOfShape", {cst(vec({2, 3}))})[0];
  EXPECT_EQ(z.dtype(), DType::F32);
  expectNear(z, {2, 3}, {0, 0, 0, 0, 0, 0});
  auto seven = std::make_shared<Tensor>(ints({1}, {7}));
  auto s = runOp("ConstantOfShape", {cst(vec({3}))}, {{"value", Attr::TensorV(seven)}})[0];
  EXPECT_EQ(s.dtype(), DType::I64);
  expectNear(s, {3}, {7, 7, 7});
  EXPECT_EQ(runOp("ConstantOfShape", {cst(vec({}))})[0].shape(), Shape{});  // scalar
  EXPECT_EQ(runOp("ConstantOfShape", {cst(vec({0}))})[0].shape(), Shape{0});
  EXPECT_THROW(runOp("ConstantOfShape", {cst(vec({2, -1}))}), Error);
  EXPECT_THROW(runOp("ConstantOfShape", {cst(vec({kMax, kMax}))}), Error);
  EXPECT_THROW(runOp("ConstantOfShape", {in(vec({2}))}), Error);
  auto two = std::make_shared<Tensor>(ints({2}, {1, 2}));
  EXPECT_THROW(runOp("ConstantOfShape", {cst(vec({3}))}, {{"value", Attr::TensorV(two)}}), Error);
}

TEST(ShapeOps, IdentityAndDropout) {
  auto b = makeTensor(DType::Bool, {3}, {1, 0, 1});
  auto id = runOp("Identity", {in(b)})[0];
  EXPECT_TRUE(id.sameContent(b));
  auto x = f32({2, 2}, {1, -2, 3, -4});
  auto d = runOp("Dropout", {in(x), cst(f32({}, {0.5})), cst(makeTensor(DType::Bool, {}, {0}))}, {}, 2);
  expectNear(d[0], {2, 2}, {1, -2, 3, -4});
  EXPECT_EQ(d[1].dtype(), DType::Bool);
  expectNear(d[1], {2, 2}, {1, 1, 1, 1});
  EXPECT_THROW(runOp("Dropout", {in(x), none(), cst(makeTensor(DType::Bool, {}, {1}))}), Error);  // ratio 0.5
  EXPECT_THROW(runOp("Dropout", {in(x), cst(f32({}, {0.1})), cst(makeTensor(DType::Bool, {}, {1}))}), Error);
  EXPECT_THROW(runOp("Dropout", {in(x), in(f32({}, {0})), cst(makeTensor(DType::Bool, {}, {1}))}), Error);
  // Training with ratio 0 keeps everything.
  auto t0 = runOp("Dropout", {in(x), cst(f32({}, {0})), cst(makeTensor(DType::Bool, {}, {1}))}, {}, 2);
  expectNear(t0[0], {2, 2}, {1, -2, 3, -4});
  expectNear(t0[1], {2, 2}, {1, 1, 1, 1});
  EXPECT_THROW(runOp("Dropout", {in(x), none(), in(makeTensor(DType::Bool, {}, {0}))}), Error);
}

// ---- Cast ---------------------------------------------------------------------------------

AttrMap to(int64_t t) { return {{"to", Attr::Int(t)}}; }

TEST(ShapeOps, CastFloatToInt) {
  auto x = f32({6}, {2.9, -2.9, 0.5, -0.5, 300, -300});
  expectNear(runOp("Cast", {in(x)}, to(6))[0], {6}, {2, -2, 0, 0, 300, -300});  // int32 truncates
  // Out of range saturates (ONNX leaves it undefined); NaN gives 0.
  expectNear(runOp("Cast", {in(x)}, to(2))[0], {6}, {2, 0, 0, 0, 255, 0});     // uint8
  expectNear(runOp("Cast", {in(x)}, to(3))[0], {6}, {2, -2, 0, 0, 127, -128});  // int8
  auto nan = f32({2}, {std::nan(""), 1e30});
  auto r = runOp("Cast", {in(nan)}, to(7))[0];
  EXPECT_EQ(r.data<int64_t>()[0], 0);
  EXPECT_EQ(r.data<int64_t>()[1], std::numeric_limits<int64_t>::max());
}

TEST(ShapeOps, CastIntAndBool) {
  auto big = ints({3}, {300, -1, kMax});
  auto r = runOp("Cast", {in(big)}, to(3))[0];  // int8 wraps
  EXPECT_EQ(r.dtype(), DType::I8);
  expectNear(r, {3}, {44, -1, -1});
  expectNear(runOp("Cast", {in(big)}, to(4))[0], {3}, {300, 65535, 65535});  // uint16
  auto b = runOp("Cast", {in(f32({4}, {0, -0.0, 0.1, -3}))}, to(9))[0];
  EXPECT_EQ(b.dtype(), DType::Bool);
  EXPECT_EQ(b.data<uint8_t>()[0], 0);
  EXPECT_EQ(b.data<uint8_t>()[1], 0);
  EXPECT_EQ(b.data<uint8_t>()[2], 1);
  EXPECT_EQ(b.data<uint8_t>()[3], 1);
  expectNear(runOp("Cast", {in(makeTensor(DType::Bool, {2}, {1, 0}))}, to(11))[0], {2}, {1, 0});
  expectNear(runOp("Cast", {in(makeTensor(DType::U8, {2}, {0, 7}))}, to(9))[0], {2}, {0, 1});
  // int64 -> double keeps 2^53 + 0 exactly; uint64 max -> float
  auto u = runOp("Cast", {in(ints({1}, {-1}))}, to(13))[0];
  EXPECT_EQ(u.data<uint64_t>()[0], std::numeric_limits<uint64_t>::max());
  auto uf = runOp("Cast", {in(u)}, to(1))[0];
  EXPECT_FLOAT_EQ(uf.data<float>()[0], 18446744073709551616.0f);
}

TEST(ShapeOps, CastHalf) {
  auto h = runOp("Cast", {in(f32({3}, {1.5, 65504, 1e6}))}, to(10))[0];
  EXPECT_EQ(h.dtype(), DType::F16);
  EXPECT_EQ(h.data<uint16_t>()[0], 0x3e00);
  EXPECT_EQ(h.data<uint16_t>()[1], 0x7bff);
  EXPECT_EQ(h.data<uint16_t>()[2], 0x7c00);  // +inf
  auto back = runOp("Cast", {in(h)}, to(11))[0];
  EXPECT_EQ(back.data<double>()[0], 1.5);
  EXPECT_EQ(back.data<double>()[1], 65504);
  EXPECT_TRUE(std::isinf(back.data<double>()[2]));
  // Double -> half rounds once: 1 + 2^-11 + 2^-40 is just above the midpoint of 1 and
  // 1 + 2^-10, so it rounds up (going through float would lose the 2^-40 and tie to even = 1).
  Tensor d(DType::F64, {1});
  d.data<double>()[0] = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  EXPECT_EQ(runOp("Cast", {in(d)}, to(10))[0].data<uint16_t>()[0], 0x3c01);
  expectNear(runOp("Cast", {in(h)}, to(6))[0], {3}, {1, 65504, 2147483647});
}

TEST(ShapeOps, CastUnsupported) {
  auto x = f32({1}, {1});
  EXPECT_THROW(runOp("Cast", {in(x)}, to(8)), Error);   // string
  EXPECT_THROW(runOp("Cast", {in(x)}, to(16)), Error);  // bfloat16
  EXPECT_THROW(runOp("Cast", {in(x)}, to(99)), Error);
  EXPECT_THROW(runOp("Cast", {in(x)}), Error);  // 'to' is required
}

// ---- Resize -------------------------------------------------------------------------------

AttrMap resizeAttrs(const char* mode, const char* ctm = "half_pixel") {
  return {{"mode", Attr::Str(mode)}, {"coordinate_transformation_mode", Attr::Str(ctm)}};
}

TEST(ShapeOps, ResizeNearestUpsample) {
  auto x = f32({1, 1, 2, 2}, {1, 2, 3, 4});
  auto out = runOp("Resize", {in(x), none(), cst(f32({4}, {1, 1, 2, 3}))}, resizeAttrs("nearest"));
  expectNear(out[0], {1, 1, 4, 6},
             {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});
}

TEST(ShapeOps, ResizeNearestModes) {
  auto x = f32({4}, {10, 20, 30, 40});
  // asymmetric, scale 0.5 -> x_ori = 0, 2 (exact), every mode agrees.
  expectNear(runOp("Resize", {in(x), none(), cst(f32({1}, {0.5}))}, resizeAttrs("nearest", "asymmetric"))[0], {2},
             {10, 30});
  // align_corners 4 -> 3: x_ori = 0, 1.5, 3
  auto ac = resizeAttrs("nearest", "align_corners");
  expectNear(runOp("Resize", {in(x), none(), none(), cst(vec({3}))}, ac)[0], {3}, {10, 20, 40});
  ac["nearest_mode"] = Attr::Str("round_prefer_ceil");
  expectNear(runOp("Resize", {in(x), none(), none(), cst(vec({3}))}, ac)[0], {3}, {10, 30, 40});
  // asymmetric 4 -> 6 (scale 1.5): x_ori = 0, .667, 1.333, 2, 2.667, 3.333
  auto as = resizeAttrs("nearest", "asymmetric");
  as["nearest_mode"] = Attr::Str("floor");
  expectNear(runOp("Resize", {in(x), none(), none(), cst(vec({6}))}, as)[0], {6}, {10, 10, 20, 30, 30, 40});
  as["nearest_mode"] = Attr::Str("ceil");
  expectNear(runOp("Resize", {in(x), none(), none(), cst(vec({6}))}, as)[0], {6}, {10, 20, 30, 30, 40, 40});
}

TEST(ShapeOps, ResizeNearestKeepsIntegersExact) {
  auto x = ints({2}, {kMax, kMin});
  auto out = runOp("Resize", {in(x), none(), cst(f32({1}, {2}))}, resizeAttrs("nearest"))[0];
  EXPECT_EQ(out.toInts(), (std::vector<int64_t>{kMax, kMax, kMin, kMin}));
}

TEST(ShapeOps, ResizeLinear) {
  auto x = f32({1, 1, 2, 2}, {1, 2, 3, 4});
  auto out = runOp("Resize", {in(x), none(), cst(f32({4}, {1, 1, 2, 2}))}, resizeAttrs("linear"));
  expectNear(out[0], {1, 1, 4, 4},
             {1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4});
  out = runOp("Resize", {in(x), none(), cst(f32({4}, {1, 1, 2, 2}))}, resizeAttrs("linear", "align_corners"));
  const double t = 1.0 / 3, u = 2.0 / 3;
  expectNear(out[0], {1, 1, 4, 4},
             {1, 1 + t, 1 + u, 2, 1 + 2 * t, 1 + 3 * t, 1 + 4 * t, 2 + 2 * t, 1 + 4 * t, 1 + 5 * t, 1 + 6 * t,
              2 + 4 * t, 3, 3 + t, 3 + u, 4});
}

TEST(ShapeOps, ResizeLinearDownsampleAlignCornersUsesFloatWidth) {
  // Output width is 4 * 0.6 = 2.4 (not 2): x_ori(1) = 1 * 3 / 1.4.
  auto x = f32({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  auto out = runOp("Resize", {in(x), none(), cst(f32({2}, {0.6, 0.6}))}, resizeAttrs("linear", "align_corners"));
  expectNear(out[0], {1, 2}, {1, 1 + 3 / 1.4});
}

TEST(ShapeOps, ResizeLinearIntegerTruncates) {
  auto x = makeTensor(DType::U8, {2}, {0, 10});
  // half_pixel x2: x_ori = -0.25, 0.25, 0.75, 1.25 -> 0, 2.5, 7.5, 10
  auto out = runOp("Resize", {in(x), none(), cst(f32({1}, {2}))}, resizeAttrs("linear"))[0];
  EXPECT_EQ(out.dtype(), DType::U8);
  expectNear(out, {4}, {0, 2, 7, 10});
}

TEST(ShapeOps, ResizeCubic) {
  // Keys cubic with A = -0.75 on an impulse, asymmetric x2: x_ori = x / 2.
  // Weights at ratio 0.5 are -0.09375, 0.59375, 0.59375, -0.09375.
  auto x = f32({5}, {0, 0, 1, 0, 0});
  auto out = runOp("Resize", {in(x), none(), cst(f32({1}, {2}))}, resizeAttrs("cubic", "asymmetric"));
  expectNear(out[0], {10}, {0, -0.09375, 0, 0.59375, 1, 0.59375, 0, -0.09375, 0, 0});
  // exclude_outside renormalizes near the edge: x_ori = 0.5 on [1, 0, 0, 0, 0] has taps -1..2;
  // tap -1 (weight -0.09375) is dropped: value = 0.59375 / (1 + 0.09375).
  auto attrs = resizeAttrs("cubic", "asymmetric");
  attrs["exclude_outside"] = Attr::Int(1);
  auto e = runOp("Resize", {in(f32({5}, {1, 0, 0, 0, 0})), none(), cst(f32({1}, {2}))}, attrs)[0];
  EXPECT_NEAR(e.getF(1), 0.59375 / 1.09375, 1e-6);
  EXPECT_NEAR(e.getF(0), 1, 1e-6);
}

TEST(ShapeOps, ResizeTfCropAndResize) {
  // roi [0.5, 1.0] of [1..5], 3 outputs: x_ori = 2 + x * 0.5 * 4 / 2 = 2, 3, 4.
  auto x = f32({5}, {1, 2, 3, 4, 5});
  auto attrs = resizeAttrs("linear", "tf_crop_and_resize");
  expectNear(runOp("Resize", {in(x), cst(f32({2}, {0.5, 1.0})), none(), cst(vec({3}))}, attrs)[0], {3}, {3, 4, 5});
  // roi [0.5, 1.5]: x_ori = 2, 4, 6 -> the last is outside and gets extrapolation_value.
  attrs["extrapolation_value"] = Attr::Float(-7);
  expectNear(runOp("Resize", {in(x), cst(f32({2}, {0.5, 1.5})), none(), cst(vec({3}))}, attrs)[0], {3}, {3, 5, -7});
  attrs["mode"] = Attr::Str("nearest");
  expectNear(runOp("Resize", {in(x), cst(f32({2}, {0.5, 1.5})), none(), cst(vec({3}))}, attrs)[0], {3}, {3, 5, -7});
  EXPECT_THROW(runOp("Resize", {in(x), none(), none(), cst(vec({3}))}, attrs), Error);  // roi missing
}

TEST(ShapeOps, ResizeKeepAspectRatioAndAxes) {
  auto x = f32({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  // sizes 3x3, not_larger: scale = min(1.5, 0.75) = 0.75 -> output 2x3 (round half up of 1.5, 3).
  AttrMap a = resizeAttrs("nearest");
  a["keep_aspect_ratio_policy"] = Attr::Str("not_larger");
  expectNear(runOp("Resize", {in(x), none(), none(), cst(vec({3, 3}))}, a)[0], {2, 3}, {1, 2, 4, 5, 6, 8});
  a["keep_aspect_ratio_policy"] = Attr::Str("not_smaller");  // scale 1.5 -> 3x6
  EXPECT_EQ(runOp("Resize", {in(x), none(), none(), cst(vec({3, 3}))}, a)[0].shape(), (Shape{3, 6}));
  // axes: only the last axis is resized.
  AttrMap b = resizeAttrs("nearest", "asymmetric");
  b["axes"] = Attr::Ints({-1});
  expectNear(runOp("Resize", {in(x), none(), cst(f32({1}, {0.5}))}, b)[0], {2, 2}, {1, 3, 5, 7});
}

TEST(ShapeOps, ResizeAntialiasUpsampleIsPlainLinear) {
  auto attrs = resizeAttrs("linear");
  attrs["antialias"] = Attr::Int(1);
  expectNear(runOp("Resize", {in(f32({2}, {0, 4})), none(), cst(f32({1}, {2}))}, attrs)[0], {4}, {0, 1, 3, 4});
  // Downsampling by 2 widens the triangle filter to 4 taps (distance < 2 input pixels).
  // x_ori = 0.5: taps -1..2 (edge-clamped values 0, 0, 8, 16), weights .125 .375 .375 .125.
  expectNear(runOp("Resize", {in(f32({4}, {0, 8, 16, 24})), none(), cst(f32({1}, {0.5}))}, attrs)[0], {2},
             {8 * 0.375 + 16 * 0.125, 8 * 0.125 + 16 * 0.375 + 24 * 0.375 + 24 * 0.125});
}

TEST(ShapeOps, ResizeErrors) {
  auto x = f32({2, 2}, {1, 2, 3, 4});
  auto s = f32({2}, {2, 2});
  EXPECT_THROW(runOp("Resize", {in(x), none(), in(s)}, resizeAttrs("nearest")), Error);  // runtime scales
  EXPECT_THROW(runOp("Resize", {in(x), none(), cst(s), cst(vec({4, 4}))}, resizeAttrs("nearest")), Error);
  EXPECT_THROW(runOp("Resize", {in(x)}, resizeAttrs("nearest")), Error);
  EXPECT_THROW(runOp("Resize", {in(x), none(), cst(s)}, resizeAttrs("bilinear")), Error);
  EXPECT_THROW(runOp("Resize", {in(x), none(), cst(s)}, resizeAttrs("linear", "weird")), Error);
  EXPECT_THROW(runOp("Resize", {in(x), none(), cst(f32({2}, {1, -2}))}, resizeAttrs("nearest")), Error);
  EXPECT_THROW(runOp("Resize", {in(x), none(), cst(f32({2}, {1, 1e30}))}, resizeAttrs("nearest")), Error);
  EXPECT_THROW(runOp("Resize", {in(x), none(), cst(f32({2}, {1, NAN}))}, resizeAttrs("nearest")), Error);
  EXPECT_THROW(runOp("Resize", {in(x), none(), cst(f32({1}, {2}))}, resizeAttrs("nearest")), Error);  // count
  EXPECT_THROW(runOp("Resize", {in(x), none(), none(), cst(vec({2, -1}))}, resizeAttrs("nearest")), Error);
  auto aa = resizeAttrs("nearest");
  aa["antialias"] = Attr::Int(1);
  EXPECT_THROW(runOp("Resize", {in(x), none(), cst(s)}, aa), Error);
}

// ---- hostile shapes and op chains -----------------------------------------------------------

TEST(ShapeOps, HugeDimsWithZeroElements) {
  const int64_t big = int64_t(1) << 40;
  Tensor x(DType::F32, {0, big});
  EXPECT_EQ(runOp("Transpose", {in(x)})[0].shape(), (Shape{big, 0}));
  EXPECT_EQ(runOp("Pad", {in(x), cst(vec({0, 1, 0, 1}))})[0].shape(), (Shape{0, big + 2}));
  EXPECT_EQ(runOp("Slice", {in(x), cst(vec({1})), cst(vec({kMax})), cst(vec({1}))})[0].shape(), (Shape{0, big - 1}));
  EXPECT_EQ(runOp("Gather", {in(x), in(vec({0, 1}))}, {{"axis", Attr::Int(1)}})[0].shape(), (Shape{0, 2}));
  EXPECT_THROW(runOp("Gather", {in(x), in(vec({0}))}), Error);  // index 0 of an empty axis
  EXPECT_EQ(runOp("Resize", {in(x), none(), cst(f32({2}, {2, 1}))}, {{"mode", Attr::Str("linear")}})[0].shape(),
            (Shape{0, big}));
}

// x -> Shape -> Gather(-1) -> Unsqueeze -> Concat([-1], .) -> Reshape(x): the shape chain is
// known at compile time, so the Reshape gets a static output shape.
TEST(ShapeOps, ShapeChainFeedsReshape) {
  Graph g;
  Value* x = g.addValue("x", DType::F32, {2, 3, 4});
  g.inputs.push_back(x);
  auto val = [&](const char* n) { return g.addValue(n); };
  Value *shape = val("shape"), *last = val("last"), *last1 = val("last1"), *target = val("target"), *y = val("y");
  Value* idx = g.addConstant("idx", std::make_shared<Tensor>(ints({}, {-1})));
  Value* ax = g.addConstant("ax", std::make_shared<Tensor>(vec({0})));
  Value* m1 = g.addConstant("m1", std::make_shared<Tensor>(vec({-1})));
  g.addNode("Shape", "s", {x}, {shape});
  g.addNode("Gather", "g", {shape, idx}, {last});
  g.addNode("Unsqueeze", "u", {last, ax}, {last1});
  g.addNode("Concat", "c", {m1, last1}, {target}, {{"axis", Attr::Int(0)}});
  g.addNode("Reshape", "r", {x, target}, {y});
  for (auto& n : g.nodes) bindOp(*n);
  inferShapes(g);
  g.outputs = {y};
  EXPECT_EQ(y->shape, (Shape{6, 4}));
  Interpreter interp(g);
  auto out = interp.run({iota(DType::F32, {2, 3, 4})});
  expectNear(out[0], {6, 4}, values(iota(DType::F32, {24})));
}

}  // namespace tinyc::test

namespace tinyc::test {

// ---- Compress -----------------------------------------------------------------------------

TEST(ShapeOps, CompressAlongAnAxisAndFlattened) {
  Tensor x = iota(DType::F32, {3, 2});  // {{0, 1}, {2, 3}, {4, 5}}
  auto cond = [](std::vector<double> v) { return makeTensor(DType::Bool, {static_cast<int64_t>(v.size())}, v); };
  auto rows = runOp("Compress", {in(x), cst(cond({0, 1, 1}))}, {{"axis", Attr::Int(0)}});
  EXPECT_EQ(rows[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values(rows[0]), (std::vector<double>{2, 3, 4, 5}));
  auto cols = runOp("Compress", {in(x), cst(cond({0, 1}))}, {{"axis", Attr::Int(-1)}});
  EXPECT_EQ(values(cols[0]), (std::vector<double>{1, 3, 5}));
  auto flat = runOp("Compress", {in(x), cst(cond({1, 0, 0, 1}))});  // shorter than 6: the rest dropped
  EXPECT_EQ(flat[0].shape(), (Shape{2}));
  EXPECT_EQ(values(flat[0]), (std::vector<double>{0, 3}));
  EXPECT_EQ(runOp("Compress", {in(x), cst(cond({0, 0, 0}))}, {{"axis", Attr::Int(0)}})[0].shape(), (Shape{0, 2}));
}

TEST(ShapeOps, CompressErrors) {
  Tensor x = iota(DType::F32, {3, 2});
  Tensor c4 = makeTensor(DType::Bool, {4}, {1, 0, 1, 1});
  EXPECT_THROW(runOp("Compress", {in(x), cst(c4)}, {{"axis", Attr::Int(0)}}), Error);  // longer than the axis
  EXPECT_THROW(runOp("Compress", {in(x), in(c4)}), Error);                              // not a constant
  EXPECT_THROW(runOp("Compress", {in(x), cst(iota(DType::F32, {2}))}), Error);          // not bool
}

TEST(CenterCropPad, CropAndPadCentered) {
  const Tensor x = f32({1, 5}, {0, 1, 2, 3, 4});
  const AttrMap axis1 = {{"axes", Attr::Ints({1})}};
  // crop 2: one each side; crop 1: the smaller half (0) before; pad 2: one each side; pad 3: 1 and 2
  expectNear(runOp("CenterCropPad", {in(x), cst(i64({1}, {3}))}, axis1)[0], {1, 3}, {1, 2, 3});
  expectNear(runOp("CenterCropPad", {in(x), cst(i64({1}, {4}))}, axis1)[0], {1, 4}, {0, 1, 2, 3});
  expectNear(runOp("CenterCropPad", {in(x), cst(i64({1}, {7}))}, axis1)[0], {1, 7}, {0, 0, 1, 2, 3, 4, 0});
  expectNear(runOp("CenterCropPad", {in(x), cst(i64({2}, {1, 8}))})[0], {1, 8}, {0, 0, 1, 2, 3, 4, 0, 0});
  EXPECT_THROW(runOp("CenterCropPad", {in(x), cst(i64({1}, {3}))}), Error);  // one size for two axes
}

TEST(BitCast, SameBitsAnotherType) {
  // 1.0f is 0x3F800000 = 1065353216; -1 int8 is 255 uint8; widths must match
  EXPECT_EQ(values(runOp("BitCast", {in(f32({1}, {1.0}))}, {{"to", Attr::Int(6)}})[0]), (std::vector<double>{1065353216}));
  EXPECT_EQ(values(runOp("BitCast", {in(makeTensor(DType::I8, {1}, {-1}))}, {{"to", Attr::Int(2)}})[0]),
            (std::vector<double>{255}));
  EXPECT_THROW(runOp("BitCast", {in(f32({1}, {1.0}))}, {{"to", Attr::Int(7)}}), Error);  // float -> int64
}

}  // namespace tinyc::test
