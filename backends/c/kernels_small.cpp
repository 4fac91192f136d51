// The kernel variants of `--kernels small` (TargetDesc::smallCode): the least code per op, for
// parts whose flash is tighter than their time. Each is a variant of its op's kernel (match on
// smallCode, a priority above every speed variant), so the rest of the backend does not change.
#include "backends/backend.h"
#include "backends/c/c_emit.h"
#include "backends/c/kernels_nhwc.h"
#include "backends/c/runtime/scratch.h"
#include "ops/layout.h"

namespace tinyc::c {

namespace {

constexpr int kSmallPriority = 10;  // over every speed variant of the op

// Conv: tinyc_conv_small_f32 (runtime/conv_small.c) for every float channels-last Conv, its int8
// weights behind a DequantizeLinear read as they are.
bool matchConvSmall(const Node& n, const TargetDesc& t) {
  return t.smallCode && isChannelsLast(n) && checkNhwc(n).empty();
}
std::vector<int32_t> params32(const Node& n) {
  const std::vector<int64_t> p = convNhwcParams(n);
  return {p.begin(), p.end()};
}
int64_t scratchConvSmall(const Node& n) {
  return tinyc_conv_small_f32_scratch(params32(n).data(), int8WeightDequant(n) != nullptr);
}
void emitConvSmall(EmitCtx& c) {
  c.require("conv_small");
  float lo = 0, hi = 0;
  c.takeClamp(&lo, &hi);
  const std::string p = c.intArray(convNhwcParams(c.node)), clamp = EmitCtx::floatLit(lo) + ", " + EmitCtx::floatLit(hi);
  if (const Node* d = int8WeightDequant(c.node)) {
    const bool perChannel = numElements(d->input(1)->shape) != 1;
    const std::string scratch = c.scratch();
    c.line(fmt::format("tinyc_conv_small_f32({}, NULL, {}, {}, {}, {}, {}, {}, {}, (float *){}, {});", c.in(0),
                       c.value(d->input(0)), c.value(d->input(1)), c.value(d->input(2)), perChannel ? 1 : 0,
                       c.in(2), c.out(0), p, scratch, clamp));
    return;
  }
  c.line(fmt::format("tinyc_conv_small_f32({}, {}, NULL, NULL, NULL, 0, {}, {}, {}, NULL, {});", c.in(0), c.in(1),
                     c.in(2), c.out(0), p, clamp));
}

// MaxPool / AveragePool: the channels-last pool (runtime/nhwc.c, already the compact loop),
// inlined where few nodes call it.
bool matchPoolSmall(const Node& n, const TargetDesc& t) {
  return t.smallCode && isChannelsLast(n) && checkNhwc(n).empty() && (n.outputs.size() < 2 || !n.outputs[1]);
}

}  // namespace

void registerSmallKernels(KernelTable& t) {
  CKernel conv{"Conv", [](const Node& n) { return checkNhwc(n); }, emitConvSmall, scratchConvSmall};
  conv.match = matchConvSmall;
  conv.priority = kSmallPriority;
  conv.absorbsInput = [](const Node& n, size_t i) { return i == 1 && int8WeightDequant(n) != nullptr; };
  conv.inlineMacro = "TINYC_CONV_SMALL_INLINE";
  t.add(conv);
  for (const bool isMax : {true, false}) {
    CKernel pool{isMax ? "MaxPool" : "AveragePool", [](const Node& n) { return checkNhwc(n); },
                 isMax ? [](EmitCtx& c) { emitPoolNhwc(c, true); } : [](EmitCtx& c) { emitPoolNhwc(c, false); }};
    pool.match = matchPoolSmall;
    pool.priority = kSmallPriority;
    pool.inlineMacro = "TINYC_POOL_NHWC_INLINE";
    t.add(pool);
  }
}

}  // namespace tinyc::c
