// C kernel for RotaryEmbedding (runtime/rotary.c); the geometry comes from
// lib/ops/rotary_geometry.h, shared with the reference interpreter (lib/ops/rotary.cpp).
#include "backends/c/c_emit.h"
#include "ops/rotary_geometry.h"
#include "ops/util.h"

namespace tinyc::c {

namespace {

std::string checkRotary(const Node& n) {
  if (n.input(0)->dtype != DType::F32) return "only float32 is supported";
  if (numElements(n.input(0)->shape) > INT32_MAX || numElements(n.input(1)->shape) > INT32_MAX)
    return "tensors of more than 2^31-1 elements are not supported";
  return "";
}

void emitRotary(EmitCtx& c) {
  const bool pos = c.inValue(3) != nullptr;
  const RotaryGeometry g = rotaryGeometry(c.node, c.inValue(0)->shape, c.inValue(1)->shape, pos);
  if (numElements(c.outValue(0)->shape) == 0) return c.line(fmt::format("(void){};", c.out(0)));
  c.require("rotary");
  c.line(fmt::format("if (tinyc_rotary_f32({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}) != 0) return 1;", c.in(0),
                     c.in(1), c.in(2), pos ? c.in(3) : "NULL", c.out(0), g.batch, g.heads, g.seq, g.head, g.rot,
                     g.positions, g.headsFirst ? 1 : 0, g.interleaved ? 1 : 0));
}

}  // namespace

void registerRotaryKernels(KernelTable& t) { t.add({"RotaryEmbedding", checkRotary, emitRotary}); }

}  // namespace tinyc::c
