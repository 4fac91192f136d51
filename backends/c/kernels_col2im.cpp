// C kernel for Col2Im (runtime/col2im.c; reference: lib/ops/col2im.cpp, geometry shared through
// lib/ops/col2im_plan.h).
#include "backends/c/c_emit.h"
#include "ops/col2im_plan.h"
#include "ops/util.h"

namespace tinyc::c {

namespace {

std::vector<int64_t> constInts(const Value* v) {
  std::vector<int64_t> out;
  const Tensor* t = v ? v->constData() : nullptr;
  if (t)
    for (int64_t i = 0; i < t->numel(); ++i) out.push_back(t->getI(i));
  return out;
}

std::string checkCol2Im(const Node& n) {
  if (n.input(0)->dtype != DType::F32 || n.outputs[0]->dtype != DType::F32) return "float32 only";
  if (!n.input(1)->constData() || !n.input(2)->constData()) return "image_shape and block_shape must be known at compile time";
  if (n.input(1)->shape.size() != 1 || n.input(1)->shape[0] > 8) return "at most 8 spatial axes";
  if (numElements(n.input(0)->shape) > INT32_MAX || numElements(n.outputs[0]->shape) > INT32_MAX)
    return "tensors of more than 2^31-1 elements are not supported";
  return "";
}

void emitCol2Im(EmitCtx& c) {
  const auto p = col2im::plan(c.node, c.inValue(0)->shape, constInts(c.inValue(1)), constInts(c.inValue(2)));
  std::vector<int64_t> params = {static_cast<int64_t>(p.image.size()), p.n * p.c, p.blocks, p.positions, p.pixels};
  for (size_t j = 0; j < p.image.size(); ++j)
    params.insert(params.end(), {p.image[j], p.block[j], p.stride[j], p.dilation[j], p.padBegin[j], p.grid[j]});
  c.require("col2im");
  c.line(fmt::format("tinyc_col2im_f32({}, {}, {});", c.in(0), c.out(0), c.intArray(params)));
}

}  // namespace

void registerCol2ImKernels(KernelTable& t) { t.add({"Col2Im", checkCol2Im, emitCol2Im}); }

}  // namespace tinyc::c
