// C kernels for comparison, logic and selection (runtime/logic.c): Equal, Less, Greater,
// LessOrEqual, GreaterOrEqual, And, Or, Xor, Not, Where, IsNaN, IsInf, Mod, BitShift, Bitwise*; Mean
// (runtime/elementwise.c). Semantics follow lib/ops/logic.cpp.
#include "backends/c/c_emit.h"
#include "backends/c/emit_util.h"

namespace tinyc::c {

namespace {

std::string checkSmall(const Node& n) {
  for (const Value* v : n.outputs)
    if (v && numElements(v->shape) > INT32_MAX) return "more than 2^31 elements";
  for (const Value* v : n.outputs)
    if (v && v->shape.size() > 16) return "rank above 16";
  return "";
}

// "r, shape, strides..." of the broadcast operands: NULL strides for an operand of the output's
// shape (read at the output index).
std::string bcastArgs(EmitCtx& c, std::initializer_list<size_t> inputs) {
  const Value* y = c.outValue(0);
  std::string s = fmt::format("{}, {}", y->shape.size(), y->shape.empty() ? "NULL" : c.intArray(y->shape));
  for (size_t i : inputs) {
    const Value* v = c.inValue(i);
    s += ", " + (v->shape == y->shape ? std::string("NULL") : c.intArray(bcastStrides(v->shape, y->shape)));
  }
  return s;
}

template <int Op>
void emitCompare(EmitCtx& c) {
  c.require("logic");
  const Value* y = c.outValue(0);
  c.line(fmt::format("tinyc_cmp_{}({}, {}, {}, {}, {}, {});", EmitCtx::suffix(c.inValue(0)->dtype == DType::Bool ? DType::U8 : c.inValue(0)->dtype),
                     c.in(0), c.in(1), c.out(0), Op, numElements(y->shape), bcastArgs(c, {0, 1})));
}

template <int Op>
void emitLogic(EmitCtx& c) {
  c.require("logic");
  c.line(fmt::format("tinyc_logic({}, {}, {}, {}, {}, {});", c.in(0), c.in(1), c.out(0), Op,
                     numElements(c.outValue(0)->shape), bcastArgs(c, {0, 1})));
}

template <int Op>
void emitBitwise(EmitCtx& c) {
  c.require("logic");
  const Value* y = c.outValue(0);
  c.line(fmt::format("tinyc_bitwise((const uint8_t *){}, (const uint8_t *){}, (uint8_t *){}, {}, {}, {}, {});", c.in(0),
                     c.in(1), c.out(0), Op, dtypeSize(y->dtype), numElements(y->shape), bcastArgs(c, {0, 1})));
}

void emitBitwiseNot(EmitCtx& c) {
  c.require("logic");
  const Value* y = c.outValue(0);
  c.line(fmt::format("tinyc_bitwise_not((const uint8_t *){}, (uint8_t *){}, {});", c.in(0), c.out(0),
                     numElements(y->shape) * static_cast<int64_t>(dtypeSize(y->dtype))));
}

void emitNot(EmitCtx& c) {
  c.require("logic");
  c.line(fmt::format("tinyc_not({}, {}, {});", c.in(0), c.out(0), numElements(c.outValue(0)->shape)));
}

void emitWhere(EmitCtx& c) {
  c.require("logic");
  const Value* y = c.outValue(0);
  c.line(fmt::format("tinyc_where({}, {}, {}, {}, {}, {}, {});", c.in(0), c.in(1), c.in(2), c.out(0),
                     dtypeSize(y->dtype), numElements(y->shape), bcastArgs(c, {0, 1, 2})));
}

std::string checkFloatTest(const Node& n) {
  if (auto why = checkSmall(n); !why.empty()) return why;
  return requireDTypes(n, {DType::F32, DType::F64, DType::F16});
}
void emitIsNaN(EmitCtx& c) {
  c.require("logic");
  c.line(fmt::format("tinyc_isnan_{}({}, {}, {});", EmitCtx::suffix(c.inValue(0)->dtype), c.in(0), c.out(0),
                     numElements(c.outValue(0)->shape)));
}
void emitIsInf(EmitCtx& c) {
  c.require("logic");
  c.line(fmt::format("tinyc_isinf_{}({}, {}, {}, {}, {});", EmitCtx::suffix(c.inValue(0)->dtype), c.in(0), c.out(0),
                     numElements(c.outValue(0)->shape), c.node.attrInt("detect_negative") != 0 ? 1 : 0,
                     c.node.attrInt("detect_positive") != 0 ? 1 : 0));
}

void emitMod(EmitCtx& c) {
  c.require("logic");
  const Value* y = c.outValue(0);
  c.line(fmt::format("tinyc_mod_{}({}, {}, {}, {}, {}, {});", EmitCtx::suffix(y->dtype), c.in(0), c.in(1), c.out(0),
                     c.node.attrInt("fmod") != 0 ? 1 : 0, numElements(y->shape), bcastArgs(c, {0, 1})));
}

void emitBitShift(EmitCtx& c) {
  c.require("logic");
  const Value* y = c.outValue(0);
  c.line(fmt::format("tinyc_shift_{}({}, {}, {}, {}, {}, {});", EmitCtx::suffix(y->dtype), c.in(0), c.in(1), c.out(0),
                     c.node.attrStr("direction") == "LEFT" ? 0 : 1, numElements(y->shape), bcastArgs(c, {0, 1})));
}

// Mean: the first input broadcast into the output, the others added in order (as the
// interpreter), then divided by the count.
std::string checkMean(const Node& n) {
  if (auto why = checkSmall(n); !why.empty()) return why;
  return requireDTypes(n, {DType::F32, DType::F64});
}
void emitMean(EmitCtx& c) {
  c.require("elementwise");
  const Value* y = c.outValue(0);
  const std::string suf = EmitCtx::suffix(y->dtype), ct = EmitCtx::ctype(y->dtype);
  const int64_t n = numElements(y->shape);
  const Value* first = c.inValue(0);
  c.line(fmt::format("tinyc_bcast_copy({}, {}, {}, {}, {}, {}, {});", c.in(0), c.out(0), dtypeSize(y->dtype), n,
                     y->shape.size(), y->shape.empty() ? "NULL" : c.intArray(y->shape),
                     y->shape.empty() ? "NULL" : c.intArray(bcastStrides(first->shape, y->shape))));
  for (size_t i = 1; i < c.node.inputs.size(); ++i) {
    const Value* v = c.inValue(i);
    if (v->shape == y->shape)
      c.line(fmt::format("tinyc_add_{}({}, {}, {}, {});", suf, c.out(0), c.in(i), c.out(0), n));
    else
      c.line(fmt::format("tinyc_add_{}_bcast({}, {}, {}, {}, {}, {}, {}, {});", suf, c.out(0), c.in(i), c.out(0), n,
                         y->shape.size(), y->shape.empty() ? "NULL" : c.intArray(y->shape),
                         y->shape.empty() ? "NULL" : c.intArray(bcastStrides(y->shape, y->shape)),
                         y->shape.empty() ? "NULL" : c.intArray(bcastStrides(v->shape, y->shape))));
  }
  c.line("{");
  c.line(fmt::format("  static const {} count = {};", ct, y->dtype == DType::F32 ? EmitCtx::floatLit(static_cast<float>(c.node.inputs.size()))
                                                                            : EmitCtx::doubleLit(static_cast<double>(c.node.inputs.size()))));
  c.line(fmt::format("  tinyc_div_{}_scalar({}, &count, {}, {});", suf, c.out(0), c.out(0), n));
  c.line("}");
}

std::string checkBinaryAny(const Node& n) { return checkSmall(n); }

}  // namespace

void registerLogicKernels(KernelTable& t) {
  t.add({"Equal", checkBinaryAny, emitCompare<0>, nullptr, false, true});
  t.add({"Less", checkBinaryAny, emitCompare<1>, nullptr, false, true});
  t.add({"Greater", checkBinaryAny, emitCompare<2>, nullptr, false, true});
  t.add({"LessOrEqual", checkBinaryAny, emitCompare<3>, nullptr, false, true});
  t.add({"GreaterOrEqual", checkBinaryAny, emitCompare<4>, nullptr, false, true});
  t.add({"And", checkBinaryAny, emitLogic<0>, nullptr, false, true});
  t.add({"Or", checkBinaryAny, emitLogic<1>, nullptr, false, true});
  t.add({"Xor", checkBinaryAny, emitLogic<2>, nullptr, false, true});
  t.add({"Not", checkBinaryAny, emitNot, nullptr, false, true});
  t.add({"Where", checkBinaryAny, emitWhere, nullptr, false, true});
  t.add({"IsNaN", checkFloatTest, emitIsNaN, nullptr, false, true});
  t.add({"IsInf", checkFloatTest, emitIsInf, nullptr, false, true});
  t.add({"Mod", checkBinaryAny, emitMod, nullptr, false, true});
  t.add({"BitShift", checkBinaryAny, emitBitShift, nullptr, false, true});
  t.add({"BitwiseAnd", checkBinaryAny, emitBitwise<0>, nullptr, false, true});
  t.add({"BitwiseOr", checkBinaryAny, emitBitwise<1>, nullptr, false, true});
  t.add({"BitwiseXor", checkBinaryAny, emitBitwise<2>, nullptr, false, true});
  t.add({"BitwiseNot", checkBinaryAny, emitBitwiseNot, nullptr, false, true});
  t.add({"Mean", checkMean, emitMean});
}

}  // namespace tinyc::c
