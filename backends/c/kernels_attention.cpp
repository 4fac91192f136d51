// C kernel for Attention (runtime/attention.c); the plan comes from lib/ops/attention_plan.h,
// shared with the reference interpreter (lib/ops/attention.cpp); the parameter layout and the
// scratch (one row of scores) from runtime/scratch.h.
#include "backends/c/c_emit.h"
#include "backends/c/runtime/scratch.h"
#include "ops/attention_plan.h"
#include "ops/linear_attention.h"
#include "ops/util.h"

namespace tinyc::c {

namespace {

AttentionPlan plan(const Node& n) {
  std::vector<Shape> shapes;
  for (const Value* v : n.inputs) shapes.push_back(v ? v->shape : Shape{});
  return attentionPlan(n, shapes, n.input(3) && n.input(3)->dtype == DType::Bool);
}

std::vector<int64_t> params(const Node& n) {
  const AttentionPlan p = plan(n);
  std::vector<int64_t> a(TINYC_ATT_PARAMS, 0);
  a[TINYC_ATT_B] = p.batch;
  a[TINYC_ATT_HQ] = p.qHeads;
  a[TINYC_ATT_HKV] = p.kvHeads;
  a[TINYC_ATT_S] = p.qSeq;
  a[TINYC_ATT_L] = p.kvSeq;
  a[TINYC_ATT_P] = p.past;
  a[TINYC_ATT_T] = p.total;
  a[TINYC_ATT_D] = p.head;
  a[TINYC_ATT_DV] = p.headV;
  a[TINYC_ATT_IN3D] = p.in3d ? 1 : 0;
  a[TINYC_ATT_CAUSAL] = p.causal ? 1 : 0;
  a[TINYC_ATT_LEFT] = p.left;
  a[TINYC_ATT_RIGHT] = p.right;
  a[TINYC_ATT_MODE] = p.mode;
  a[TINYC_ATT_MASK_LEN] = p.maskLen;
  for (int d = 0; d < 3; ++d) a[TINYC_ATT_MASK_STRIDE + d] = p.maskStride[d];
  return a;
}

std::string checkAttention(const Node& n) {
  if (n.input(0)->dtype != DType::F32) return fmt::format("only float32 is supported, Q has {}", dtypeName(n.input(0)->dtype));
  for (const Value* v : n.inputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  for (const Value* v : n.outputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  return "";
}

int64_t scratchAttention(const Node& n) {
  const std::vector<int64_t> p = params(n);
  const std::vector<int32_t> q(p.begin(), p.end());
  return tinyc_attention_f32_scratch(q.data());
}

void emitAttention(EmitCtx& c) {
  const AttentionPlan p = plan(c.node);
  c.require("attention");
  const bool maskBool = c.inValue(3) && c.inValue(3)->dtype == DType::Bool;
  auto in = [&](size_t i) { return c.inValue(i) ? c.in(i) : std::string("NULL"); };
  auto out = [&](size_t i) { return c.outValue(i) ? c.out(i) : std::string("NULL"); };
  const std::string scratch = c.scratch();
  c.line(fmt::format("tinyc_attention_f32({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, (float *){});",
                     c.in(0), c.in(1), c.in(2), maskBool ? "(const uint8_t *)" + c.in(3) : "NULL",
                     maskBool ? "NULL" : in(3), in(4), in(5), in(6), c.out(0), out(1), out(2), out(3),
                     c.intArray(params(c.node)), EmitCtx::floatLit(p.scale), EmitCtx::floatLit(p.softcap), scratch));
}

std::vector<int64_t> linearParams(const Node& n) {
  const LinearAttentionPlan p = linearAttentionPlan(n);
  std::vector<int64_t> a(TINYC_LATT_PARAMS, 0);
  a[TINYC_LATT_B] = p.batch;
  a[TINYC_LATT_T] = p.seq;
  a[TINYC_LATT_HQ] = p.qHeads;
  a[TINYC_LATT_HKV] = p.kvHeads;
  a[TINYC_LATT_DK] = p.dk;
  a[TINYC_LATT_DV] = p.dv;
  a[TINYC_LATT_GATING] = p.gating;
  a[TINYC_LATT_DELTA] = p.delta;
  a[TINYC_LATT_DECAY_PER_KEY] = p.decayPerKey;
  a[TINYC_LATT_BETA_PER_HEAD] = p.betaPerHead;
  a[TINYC_LATT_HAS_PRESENT] = n.outputs.size() > 1 && n.outputs[1] ? 1 : 0;
  return a;
}

std::string checkLinearAttention(const Node& n) {
  for (const Value* v : n.inputs)
    if (v && v->dtype != DType::F32) return fmt::format("only float32 is supported, an input has {}", dtypeName(v->dtype));
  return checkAttention(n);
}

int64_t scratchLinearAttention(const Node& n) {
  const std::vector<int64_t> p = linearParams(n);
  const std::vector<int32_t> q(p.begin(), p.end());
  return tinyc_linear_attention_f32_scratch(q.data());
}

void emitLinearAttention(EmitCtx& c) {
  c.require("attention");
  auto in = [&](size_t i) { return c.inValue(i) ? c.in(i) : std::string("NULL"); };
  const bool present = c.outValue(1) != nullptr;
  const std::vector<int64_t> p = linearParams(c.node);
  const double scale = linearAttentionPlan(c.node).scale;
  const std::string scratch = present ? std::string("NULL") : "(float *)" + c.scratch();
  c.line(fmt::format("tinyc_linear_attention_f32({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0), c.in(1),
                     c.in(2), in(3), in(4), in(5), c.out(0), present ? c.out(1) : std::string("NULL"), c.intArray(p),
                     EmitCtx::floatLit(static_cast<float>(scale)), scratch));
}

}  // namespace

void registerAttentionKernels(KernelTable& t) {
  t.add({"Attention", checkAttention, emitAttention, scratchAttention});
  t.add({"LinearAttention", checkLinearAttention, emitLinearAttention, scratchLinearAttention});
}

}  // namespace tinyc::c
