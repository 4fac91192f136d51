// Constant, ConstantOfShape and Cast (registered from registerShapeOps in shape.cpp).
#include <cmath>
#include <cstring>
#include <limits>

#include "ops/shape_plan.h"
#include "ops/util.h"

namespace tinyc {

std::vector<int64_t> shapeConstInts(const InferCtx& c, int i, const char* what);  // shape.cpp

namespace {

using shape_plan::constantValue;
using shape_plan::makeOp;

// ---- Constant -----------------------------------------------------------------------------

void inferConstant(InferCtx& c) {
  Tensor t = constantValue(c.node);
  c.setOutput(0, t.dtype(), t.shape());
}

void evalConstant(EvalCtx& c) {
  Tensor t = constantValue(c.node);
  if (t.byteSize() != c.out[0]->byteSize()) c.fail("internal: constant size mismatch");
  if (t.byteSize()) std::memcpy(c.out[0]->raw(), t.raw(), t.byteSize());
}

// ---- ConstantOfShape ----------------------------------------------------------------------

const Tensor& fillValue(const Node& n) {
  const Attr& a = n.attr("value");
  if (!a.t) modelError("{}: attribute 'value' has no tensor", n.where());
  if (a.t->numel() != 1)
    modelError("{}: attribute 'value' must have exactly one element, got shape {}", n.where(), shapeStr(a.t->shape()));
  return *a.t;
}

void inferConstantOfShape(InferCtx& c) {
  const Tensor& v = fillValue(c.node);
  auto dims = shapeConstInts(c, 0, "the output shape");
  for (int64_t d : dims)
    if (d < 0) c.fail("negative dimension {} in the output shape {}", d, shapeStr(dims));
  c.setOutput(0, v.dtype(), dims);
}

void evalConstantOfShape(EvalCtx& c) {
  const Tensor& v = fillValue(c.node);
  Tensor& out = *c.out[0];
  if (out.dtype() != v.dtype()) c.fail("internal: output type mismatch");
  const size_t es = dtypeSize(out.dtype());
  auto* dst = static_cast<uint8_t*>(out.raw());
  for (int64_t i = 0; i < out.numel(); ++i) std::memcpy(dst + static_cast<size_t>(i) * es, v.raw(), es);
}

// ---- Cast ---------------------------------------------------------------------------------

}  // namespace

// ONNX TensorProto.DataType codes supported by tinyc.
bool dtypeFromOnnx(int64_t code, DType* out) {
  switch (code) {
    case 1: *out = DType::F32; return true;
    case 2: *out = DType::U8; return true;
    case 3: *out = DType::I8; return true;
    case 4: *out = DType::U16; return true;
    case 5: *out = DType::I16; return true;
    case 6: *out = DType::I32; return true;
    case 7: *out = DType::I64; return true;
    case 9: *out = DType::Bool; return true;
    case 10: *out = DType::F16; return true;
    case 11: *out = DType::F64; return true;
    case 12: *out = DType::U32; return true;
    case 13: *out = DType::U64; return true;
    default: return false;
  }
}

const char* onnxTypeName(int64_t code) {
  switch (code) {
    case 8: return "string";
    case 14: return "complex64";
    case 15: return "complex128";
    case 16: return "bfloat16";
    case 17: case 18: case 19: case 20: return "float8";
    case 21: return "uint4";
    case 22: return "int4";
    case 23: return "float4e2m1";
    default: return "unknown";
  }
}

namespace {

DType castTarget(const Node& n) {
  int64_t to = n.attrInt("to");
  DType t;
  if (!dtypeFromOnnx(to, &t)) modelError("{}: Cast to {} (type {}) is not supported", n.where(), onnxTypeName(to), to);
  return t;
}

void inferCast(InferCtx& c) { c.setOutput(0, castTarget(c.node), c.shape(0)); }

// BitCast (opset 26): the same bits as another type of the same width.
void inferBitCast(InferCtx& c) {
  const DType t = castTarget(c.node);
  if (dtypeSize(t) != dtypeSize(c.dtype(0)))
    c.fail("BitCast from {} to {}: the widths differ", dtypeName(c.dtype(0)), dtypeName(t));
  c.setOutput(0, t, c.shape(0));
}
void evalBitCast(EvalCtx& c) { std::memcpy(c.out[0]->raw(), c.in[0]->raw(), c.in[0]->byteSize()); }
// CastLike: Cast to the element type of input 1 (evalCast reads the output's type).
void inferCastLike(InferCtx& c) { c.setOutput(0, c.dtype(1), c.shape(0)); }

// Double -> half with a single rounding: narrow to float rounding to odd, then to half.
uint16_t doubleToHalf(double d) {
  float f = static_cast<float>(d);
  if (std::isfinite(f) && static_cast<double>(f) != d) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    if (std::fabs(static_cast<double>(f)) > std::fabs(d)) bits--;  // truncate toward zero
    bits |= 1u;                                                     // sticky bit
    std::memcpy(&f, &bits, 4);
  }
  return floatToHalf(f);
}

// Float -> integer: truncate toward zero; NaN gives 0 and out-of-range values saturate (ONNX
// leaves them undefined).
template <typename D>
D floatToInt(double x) {
  if (std::isnan(x)) return 0;
  const double hi = std::ldexp(1.0, std::numeric_limits<D>::digits);  // 2^bits (exact)
  if (x >= hi) return std::numeric_limits<D>::max();
  if (x <= static_cast<double>(std::numeric_limits<D>::lowest())) return std::numeric_limits<D>::lowest();
  return static_cast<D>(x);
}

template <typename D>
D fromDouble(double x, DType dt) {
  if (dt == DType::F16) return static_cast<D>(doubleToHalf(x));
  if (dt == DType::Bool) return static_cast<D>(x != 0 || std::isnan(x));
  if constexpr (std::is_floating_point_v<D>)
    return static_cast<D>(x);
  else
    return floatToInt<D>(x);
}

template <typename D, typename S>
D fromInt(S v, DType dt) {
  if (dt == DType::F16) return static_cast<D>(doubleToHalf(static_cast<double>(v)));
  if (dt == DType::Bool) return static_cast<D>(v != 0);
  return static_cast<D>(v);  // integers wrap (two's complement); floats round to nearest
}

void evalCast(EvalCtx& c) {
  const Tensor& a = *c.in[0];
  Tensor& out = *c.out[0];
  const DType sd = a.dtype(), dd = out.dtype();
  const int64_t n = a.numel();
  if (sd == dd) {
    if (a.byteSize()) std::memcpy(out.raw(), a.raw(), a.byteSize());
    return;
  }
  dispatchAll(sd, [&](auto st) {
    using S = typename decltype(st)::type;
    const S* p = a.data<S>();
    dispatchAll(dd, [&](auto dt) {
      using D = typename decltype(dt)::type;
      D* q = out.data<D>();
      if constexpr (std::is_floating_point_v<S>) {
        for (int64_t i = 0; i < n; ++i) q[i] = fromDouble<D>(p[i], dd);
      } else if (sd == DType::F16) {
        for (int64_t i = 0; i < n; ++i) q[i] = fromDouble<D>(halfToFloat(static_cast<uint16_t>(p[i])), dd);
      } else if (sd == DType::Bool) {
        for (int64_t i = 0; i < n; ++i) q[i] = fromInt<D>(static_cast<uint8_t>(p[i] != 0), dd);
      } else {
        for (int64_t i = 0; i < n; ++i) q[i] = fromInt<D>(p[i], dd);
      }
    });
  });
}

}  // namespace

void registerShapeCastOps(OpRegistry& r) {
  using K = Attr::Kind;
  r.add(makeOp("Constant", 0, 0, inferConstant, evalConstant,
           "a constant from the value / value_float(s) / value_int(s) attribute",
           {{"value", K::Tensor, std::nullopt},
            {"value_float", K::Float, std::nullopt},
            {"value_floats", K::Floats, std::nullopt},
            {"value_int", K::Int, std::nullopt},
            {"value_ints", K::Ints, std::nullopt},
            {"value_string", K::String, std::nullopt},
            {"value_strings", K::Strings, std::nullopt},
            {"sparse_value", K::Tensor, std::nullopt}}));
  auto zero = std::make_shared<Tensor>(DType::F32, Shape{1});
  OpDef cos = makeOp("ConstantOfShape", 1, 1, inferConstantOfShape, evalConstantOfShape,
                     "a tensor of a compile-time shape filled with one value", {{"value", K::Tensor, Attr::TensorV(zero)}});
  cos.layoutShapeInput = 0;  // one value everywhere: another layout is another shape
  r.add(cos);
  r.add(makeOp("BitCast", 1, 1, inferBitCast, evalBitCast, "the same bits read as another type of the same width (opset 26)",
               {{"to", K::Int, std::nullopt, true}}));
  r.add(makeOp("Cast", 1, 1, inferCast, evalCast,
           "convert element type (float->int truncates toward zero, saturating; int->int wraps)",
           {{"to", K::Int, std::nullopt, true}, {"saturate", K::Int, Attr::Int(1)}, {"round_mode", K::String, Attr::Str("up")}}));
  r.add(makeOp("CastLike", 2, 2, inferCastLike, evalCast, "Cast to the element type of the second input",
               {{"saturate", K::Int, Attr::Int(1)}, {"round_mode", K::String, Attr::Str("up")}}));
}

}  // namespace tinyc
