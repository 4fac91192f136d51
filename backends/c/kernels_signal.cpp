// C kernels for DFT and STFT (runtime/signal.c). The geometry and the twiddle factors come from
// lib/ops/dft_plan.h, shared with the reference interpreter (lib/ops/signal.cpp).
#include "backends/c/c_emit.h"
#include "ops/dft_plan.h"
#include "ops/util.h"

namespace tinyc::c {

namespace {

const Tensor* constScalar(const Node& n, size_t i) {
  const Value* v = n.input(i);
  return v && numElements(v->shape) > 0 ? v->constData() : nullptr;
}

std::string checkDft(const Node& n) {
  if (n.input(0)->dtype != DType::F32) return "only float32 signals are supported";
  for (size_t i = 1; i <= 2; ++i)
    if (n.input(i) && numElements(n.input(i)->shape) > 0 && !n.input(i)->constData())
      return fmt::format("input {} must be a compile-time constant", i);
  if (numElements(n.input(0)->shape) > INT32_MAX || numElements(n.outputs[0]->shape) > INT32_MAX)
    return "tensors of more than 2^31-1 elements are not supported";
  const DftPlan p = dftPlan(n, n.input(0)->shape, constScalar(n, 1), constScalar(n, 2));
  if (p.len > 46340) return "dft_length above 46340 is not supported";
  return "";
}

std::string twiddleItems(EmitCtx& c, int64_t len) {
  const std::vector<double> tw = dftTwiddles(len);
  std::string items;
  for (size_t i = 0; i < tw.size(); ++i) items += (i ? (i % 6 == 0 ? ",\n      " : ", ") : "") + c.accLit(tw[i]);
  return items;
}

std::string checkStft(const Node& n) {
  if (n.input(0)->dtype != DType::F32) return "only float32 signals are supported";
  if (!n.input(1)->constData()) return "frame_step must be a compile-time constant";
  if (n.input(3) && numElements(n.input(3)->shape) > 0 && !n.input(3)->constData())
    return "frame_length must be a compile-time constant";
  if (numElements(n.input(0)->shape) > INT32_MAX || numElements(n.outputs[0]->shape) > INT32_MAX)
    return "tensors of more than 2^31-1 elements are not supported";
  const bool window = n.input(2) && numElements(n.input(2)->shape) > 0;
  const StftPlan p = stftPlan(n, n.input(0)->shape, *n.input(1)->constData(), window ? &n.input(2)->shape : nullptr,
                              constScalar(n, 3));
  if (p.frame > 46340) return "frame_length above 46340 is not supported";
  return "";
}

void emitStft(EmitCtx& c) {
  const Node& n = c.node;
  const bool window = n.input(2) && numElements(n.input(2)->shape) > 0;
  const StftPlan p = stftPlan(n, c.inValue(0)->shape, *n.input(1)->constData(), window ? &n.input(2)->shape : nullptr,
                              constScalar(n, 3));
  c.require("signal");
  c.line("{");
  c.line(fmt::format("  static const tinyc_acc tw[{}] = {{{}}};", 2 * p.frame, twiddleItems(c, p.frame)));
  c.line(fmt::format("  tinyc_stft_f32({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, tw);", c.in(0), window ? c.in(2) : "NULL",
                     c.out(0), p.batch, p.len, p.cin, p.step, p.window, p.frame, p.frames, p.bins));
  c.line("}");
}

void emitDft(EmitCtx& c) {
  const Node& n = c.node;
  const DftPlan p = dftPlan(n, c.inValue(0)->shape, constScalar(n, 1), constScalar(n, 2));
  c.require("signal");
  c.line("{");
  c.line(fmt::format("  static const tinyc_acc tw[{}] = {{{}}};", 2 * p.len, twiddleItems(c, p.len)));
  if (p.irfft)
    c.line(fmt::format("  tinyc_irfft_f32({}, {}, {}, {}, {}, {}, {}, tw);", c.in(0), c.out(0), p.outer, p.n, p.inner,
                       p.cin, p.len));
  else
    c.line(fmt::format("  tinyc_dft_f32({}, {}, {}, {}, {}, {}, {}, {}, {}, tw);", c.in(0), c.out(0), p.outer, p.n,
                       p.inner, p.cin, p.len, p.outLen, p.inverse ? 1 : 0));
  c.line("}");
}

}  // namespace

void registerSignalKernels(KernelTable& t) {
  t.add({"DFT", checkDft, emitDft});
  t.add({"STFT", checkStft, emitStft});
}

}  // namespace tinyc::c
