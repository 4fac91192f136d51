// C kernels for Shape, Constant, ConstantOfShape (normally folded at compile time) and Cast
// (runtime/cast.c). Registered from registerShapeKernels (kernels_shape.cpp).
#include "backends/c/c_emit.h"
#include "backends/c/kernels_shape_util.h"
#include "ops/shape_plan.h"
#include "ops/util.h"

namespace tinyc::c::shape_kernels {

namespace {

// ---- Shape / Constant / ConstantOfShape (normally folded at compile time) ----------------

void emitShape(EmitCtx& c) {
  const Shape& s = c.inValue(0)->shape;
  const Value* y = c.outValue(0);
  auto [start, end] = shape_plan::shapeRange(c.node, static_cast<int64_t>(s.size()));
  Tensor t(DType::I64, {end - start});
  for (int64_t i = start; i < end; ++i) t.data<int64_t>()[i - start] = s[static_cast<size_t>(i)];
  if (t.byteSize() != static_cast<size_t>(bytesOf(y))) internalError("{}: shape size mismatch", c.node.where());
  emitConstBytes(c, t);
}

std::string checkConstant(const Node& n) {
  Tensor t;
  try {
    t = shape_plan::constantValue(n);
  } catch (const Error& e) {
    return e.what();
  }
  if (!knownDType(t.dtype())) return fmt::format("constant of dtype {} is not supported", dtypeName(t.dtype()));
  return checkSizes(n);
}

void emitConstant(EmitCtx& c) {
  Tensor t = shape_plan::constantValue(c.node);
  if (t.byteSize() != static_cast<size_t>(bytesOf(c.outValue(0))))
    internalError("{}: constant size mismatch", c.node.where());
  emitConstBytes(c, t);
}

std::string checkConstantOfShape(const Node& n) {
  const Attr& a = n.attr("value");
  if (!a.t || a.t->numel() != 1) return "attribute 'value' must hold one element";
  return checkSizes(n);
}

void emitConstantOfShape(EmitCtx& c) {
  const Tensor& v = *c.node.attr("value").t;
  const Value* y = c.outValue(0);
  const int64_t n = numElements(y->shape);
  if (n == 0) return;
  bool zero = true;
  for (size_t i = 0; i < v.byteSize(); ++i)
    if (static_cast<const uint8_t*>(v.raw())[i] != 0) zero = false;
  if (zero) {
    c.line(fmt::format("memset({}, 0, {});", c.out(0), bytesOf(y)));
    return;
  }
  c.require("shape");
  c.line("{");
  c.line(fmt::format("  static const {} v = {};", EmitCtx::ctype(v.dtype()), elemLit(v, 0)));
  c.line(fmt::format("  tinyc_fill({}, &v, {}, {});", c.out(0), dtypeSize(v.dtype()), n));
  c.line("}");
}

// Range, Size and EyeLike: values known at compile time (normally folded; emitted when a graph output).
void emitKnown(EmitCtx& c) {
  const Value* y = c.outValue(0);
  if (!y->known) internalError("{}: value not known at compile time", c.node.where());
  emitConstBytes(c, *y->known);
}
std::string checkKnown(const Node& n) {
  if (!n.outputs[0] || !n.outputs[0]->known) return "the value must be known at compile time";
  return checkSizes(n);
}

// ---- Cast ---------------------------------------------------------------------------------

void emitCast(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Value* y = c.outValue(0);
  if (x->dtype == y->dtype) return emitMemcpy(c, c.out(0), c.in(0), bytesOf(y));
  const int64_t n = numElements(y->shape);
  if (n == 0) return;
  c.require("cast");
  c.line(fmt::format("tinyc_cast_{}_{}({}, {}, {});", EmitCtx::suffix(x->dtype), EmitCtx::suffix(y->dtype), c.in(0),
                     c.out(0), n));
}

// BitCast: the bytes copied (the C reads them through the output's type).
void emitBitCast(EmitCtx& c) { emitMemcpy(c, c.out(0), c.in(0), bytesOf(c.outValue(0))); }

}  // namespace

void registerCastKernels(KernelTable& t) {
  t.add({"Shape", checkSizes, emitWithEmpty<emitShape>});
  t.add({"Constant", checkConstant, emitWithEmpty<emitConstant>});
  t.add({"ConstantOfShape", checkConstantOfShape, emitWithEmpty<emitConstantOfShape>});
  t.add({"Cast", checkSizes, emitWithEmpty<emitCast>});
  t.add({"BitCast", checkSizes, emitWithEmpty<emitBitCast>});
  t.add({"CastLike", checkSizes, emitWithEmpty<emitCast>});
  t.add({"Range", checkKnown, emitWithEmpty<emitKnown>});
  t.add({"Size", checkKnown, emitWithEmpty<emitKnown>});
  t.add({"EyeLike", checkKnown, emitWithEmpty<emitKnown>});
}

}  // namespace tinyc::c::shape_kernels
