// C kernels for elementwise arithmetic (runtime/elementwise.c).
#include "backends/c/c_emit.h"
#include "backends/c/emit_util.h"

namespace tinyc::c {

namespace {

bool isInt(DType t) { return isInteger(t) && t != DType::Bool; }

std::string checkBinary(const Node& n) {
  DType t = n.input(0)->dtype;
  if (t == DType::Bool) return "bool arithmetic is not supported";
  return "";
}

// Emits y = a OP b choosing the fastest matching kernel form.
void emitBinaryOp(EmitCtx& c, const std::string& op, const std::string& a, const Value* av, const std::string& b,
                  const Value* bv, const Value* yv) {
  const std::string k = "tinyc_" + op + "_" + EmitCtx::suffix(yv->dtype);
  const int64_t n = numElements(yv->shape);
  const bool f16 = yv->dtype == DType::F16;
  if (!f16 && av->shape == yv->shape && bv->shape == yv->shape) {
    c.line(fmt::format("{}({}, {}, {}, {});", k, a, b, c.out(0), n));
    return;
  }
  if (!f16 && av->shape == yv->shape && numElements(bv->shape) == 1) {
    c.line(fmt::format("{}_scalar({}, {}, {}, {});", k, a, b, c.out(0), n));
    return;
  }
  int64_t chans = 0, inner = 0;
  if (!f16 && av->shape == yv->shape && channelBroadcast(bv->shape, yv->shape, &chans, &inner)) {
    c.line(fmt::format("{}_chan({}, {}, {}, {}, {}, {});", k, a, b, c.out(0), n, chans, inner));
    return;
  }
  c.line(fmt::format("{}_bcast({}, {}, {}, {}, {}, {}, {}, {});", k, a, b, c.out(0), n, yv->shape.size(),
                     c.intArray(yv->shape), c.intArray(bcastStrides(av->shape, yv->shape)),
                     c.intArray(bcastStrides(bv->shape, yv->shape))));
}

template <const char* Op>
void emitBinary(EmitCtx& c) {
  c.require("elementwise");
  emitBinaryOp(c, Op, c.in(0), c.inValue(0), c.in(1), c.inValue(1), c.outValue(0));
}

constexpr char kAdd[] = "add", kSub[] = "sub", kMul[] = "mul", kDiv[] = "div", kMin[] = "min", kMax[] = "max";

// TINYC_DTYPE_* code of a dtype (the order of NAME.h's macros).
int dtypeCode(DType t) {
  static const DType order[] = {DType::F32, DType::F64, DType::F16, DType::I8,  DType::U8,  DType::I16,
                                DType::U16, DType::I32, DType::U32, DType::I64, DType::U64, DType::Bool};
  for (int i = 0; i < 12; ++i)
    if (order[i] == t) return i + 1;
  return 0;
}

std::string checkPow(const Node& n) {
  for (const Value* v : {n.input(0), n.input(1)})
    if (v->dtype == DType::F16 || v->dtype == DType::Bool) return fmt::format("Pow of {} is not supported", dtypeName(v->dtype));
  return "";
}

void emitPow(EmitCtx& c) {
  c.require("elementwise");
  const Value* a = c.inValue(0);
  const Value* b = c.inValue(1);
  const Value* y = c.outValue(0);
  if (a->dtype == b->dtype && isFloat(a->dtype)) return emitBinaryOp(c, "pow", c.in(0), a, c.in(1), b, y);
  c.line(fmt::format("tinyc_pow_any({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0), dtypeCode(a->dtype), c.in(1),
                     dtypeCode(b->dtype), c.out(0), dtypeCode(y->dtype), numElements(y->shape), y->shape.size(),
                     c.intArray(y->shape), c.intArray(bcastStrides(a->shape, y->shape)),
                     c.intArray(bcastStrides(b->shape, y->shape))));
}

template <const char* Op>
void emitMinMax(EmitCtx& c) {
  c.require("elementwise");
  const Value* y = c.outValue(0);
  std::vector<size_t> present;
  for (size_t i = 0; i < c.node.inputs.size(); ++i)
    if (c.inValue(i)) present.push_back(i);
  const Value* first = c.inValue(present[0]);
  const int64_t n = numElements(y->shape);
  if (present.size() >= 2 && first->shape == y->shape) {
    emitBinaryOp(c, Op, c.in(present[0]), first, c.in(present[1]), c.inValue(present[1]), y);
    present.erase(present.begin());
  } else {
    c.line(fmt::format("tinyc_bcast_copy({}, {}, {}, {}, {}, {}, {});", c.in(present[0]), c.out(0),
                       dtypeSize(y->dtype), n, y->shape.size(), c.intArray(y->shape),
                       c.intArray(bcastStrides(first->shape, y->shape))));
  }
  for (size_t k = 1; k < present.size(); ++k)
    emitBinaryOp(c, Op, c.out(0), y, c.in(present[k]), c.inValue(present[k]), y);
}

std::string checkMinMax(const Node& n) { return n.input(0)->dtype == DType::Bool ? "bool is not supported" : ""; }

template <const char* Op>
void emitUnary(EmitCtx& c) {
  c.require("elementwise");
  c.line(fmt::format("tinyc_{}_{}({}, {}, {});", Op, EmitCtx::suffix(c.outValue(0)->dtype), c.in(0), c.out(0),
                     numElements(c.outValue(0)->shape)));
}

std::string checkFloatUnary(const Node& n) { return requireDTypes(n, {DType::F32, DType::F64, DType::F16}); }
std::string checkSignedUnary(const Node& n) {
  DType t = n.input(0)->dtype;
  if (t == DType::F16 || t == DType::Bool) return fmt::format("dtype {} is not supported", dtypeName(t));
  return "";
}
std::string checkNeg(const Node& n) {
  DType t = n.input(0)->dtype;
  if (t == DType::F16 || t == DType::Bool || (isInt(t) && !(t == DType::I8 || t == DType::I16 || t == DType::I32 || t == DType::I64)))
    return fmt::format("dtype {} is not supported", dtypeName(t));
  return "";
}

constexpr char kSqrt[] = "sqrt", kExp[] = "exp", kLog[] = "log", kErf[] = "erf", kRecip[] = "reciprocal",
               kAbs[] = "abs", kNeg[] = "neg", kFloor[] = "floor", kCeil[] = "ceil", kRound[] = "round",
               kSign[] = "sign", kSin[] = "sin", kCos[] = "cos", kTan[] = "tan", kAsin[] = "asin", kAcos[] = "acos",
               kAtan[] = "atan", kSinh[] = "sinh", kCosh[] = "cosh", kAsinh[] = "asinh", kAcosh[] = "acosh",
               kAtanh[] = "atanh";

}  // namespace

void registerElementwiseKernels(KernelTable& t) {
  t.add({"Add", checkBinary, emitBinary<kAdd>, nullptr, false, true});
  t.add({"Sub", checkBinary, emitBinary<kSub>, nullptr, false, true});
  t.add({"Mul", checkBinary, emitBinary<kMul>, nullptr, false, true});
  t.add({"Div", checkBinary, emitBinary<kDiv>, nullptr, false, true});
  t.add({"Pow", checkPow, emitPow});
  t.add({"Min", checkMinMax, emitMinMax<kMin>});
  t.add({"Max", checkMinMax, emitMinMax<kMax>});
  t.add({"Sum", checkMinMax, emitMinMax<kAdd>});
  t.add({"Sqrt", checkFloatUnary, emitUnary<kSqrt>, nullptr, false, true});
  t.add({"Exp", checkFloatUnary, emitUnary<kExp>, nullptr, false, true});
  t.add({"Log", checkFloatUnary, emitUnary<kLog>, nullptr, false, true});
  t.add({"Erf", checkFloatUnary, emitUnary<kErf>, nullptr, false, true});
  t.add({"Reciprocal", checkFloatUnary, emitUnary<kRecip>, nullptr, false, true});
  t.add({"Floor", checkFloatUnary, emitUnary<kFloor>, nullptr, false, true});
  t.add({"Ceil", checkFloatUnary, emitUnary<kCeil>, nullptr, false, true});
  t.add({"Round", checkFloatUnary, emitUnary<kRound>, nullptr, false, true});
  t.add({"Sign", checkFloatUnary, emitUnary<kSign>, nullptr, false, true});
  t.add({"Sin", checkFloatUnary, emitUnary<kSin>, nullptr, false, true});
  t.add({"Cos", checkFloatUnary, emitUnary<kCos>, nullptr, false, true});
  t.add({"Tan", checkFloatUnary, emitUnary<kTan>, nullptr, false, true});
  t.add({"Asin", checkFloatUnary, emitUnary<kAsin>, nullptr, false, true});
  t.add({"Acos", checkFloatUnary, emitUnary<kAcos>, nullptr, false, true});
  t.add({"Atan", checkFloatUnary, emitUnary<kAtan>, nullptr, false, true});
  t.add({"Sinh", checkFloatUnary, emitUnary<kSinh>, nullptr, false, true});
  t.add({"Cosh", checkFloatUnary, emitUnary<kCosh>, nullptr, false, true});
  t.add({"Asinh", checkFloatUnary, emitUnary<kAsinh>, nullptr, false, true});
  t.add({"Acosh", checkFloatUnary, emitUnary<kAcosh>, nullptr, false, true});
  t.add({"Atanh", checkFloatUnary, emitUnary<kAtanh>, nullptr, false, true});
  t.add({"Abs", checkSignedUnary, emitUnary<kAbs>, nullptr, false, true});
  t.add({"Neg", checkNeg, emitUnary<kNeg>, nullptr, false, true});
}

}  // namespace tinyc::c
