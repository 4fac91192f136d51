// C kernels for the recurrent ops RNN, LSTM and GRU (runtime/rnn.c), following lib/ops/rnn.cpp.
#include <algorithm>
#include <cctype>
#include <iterator>

#include <map>

#include "backends/c/c_emit.h"
#include "backends/c/runtime/scratch.h"

namespace tinyc::c {

namespace {

// Activation names (lower case) in runtime code order, with how many alpha / beta values they
// take and their defaults (as kActs in lib/ops/rnn.cpp).
struct ActInfo {
  const char* name;
  int numAlpha, numBeta;
  float alpha, beta;
};
constexpr ActInfo kActs[] = {
    {"sigmoid", 0, 0, 0, 0},
    {"tanh", 0, 0, 0, 0},
    {"relu", 0, 0, 0, 0},
    {"affine", 1, 1, 1.0f, 0.0f},
    {"leakyrelu", 1, 0, 0.01f, 0},
    {"thresholdedrelu", 1, 0, 1.0f, 0},
    {"scaledtanh", 1, 1, 1.0f, 1.0f},
    {"hardsigmoid", 1, 1, 0.2f, 0.5f},
    {"elu", 1, 0, 1.0f, 0},
    {"softsign", 0, 0, 0, 0},
    {"softplus", 0, 0, 0, 0},
};

struct Acts {
  std::vector<int64_t> code;
  std::vector<float> alpha, beta;
};

// Gates per step and activation functions per direction of each recurrent op.
struct RecurrentShape {
  int gates, acts;
};
const RecurrentShape& recurrentShape(const Node& n) {
  static const std::map<std::string, RecurrentShape> m = {{"LSTM", {4, 3}}, {"GRU", {3, 2}}, {"RNN", {1, 1}}};
  return m.at(n.opType);
}
int gatesOf(const Node& n) { return recurrentShape(n).gates; }
int actsPerDir(const Node& n) { return recurrentShape(n).acts; }

int numDirections(const Node& n) {
  const std::string d = n.hasAttr("direction") ? n.attrStr("direction") : "forward";
  if (d == "forward" || d == "reverse") return 1;
  if (d == "bidirectional") return 2;
  return 0;
}

// As parseActivations in lib/ops/rnn.cpp; "" or the reason.
std::string parseActs(const Node& n, int perDir, int dirs, Acts* out) {
  static const std::vector<std::string> kDefaults[] = {{"Tanh"}, {"Sigmoid", "Tanh"}, {"Sigmoid", "Tanh", "Tanh"}};
  const std::vector<std::string>& names =
      n.hasAttr("activations") ? n.attr("activations").strings : kDefaults[perDir - 1];
  if (names.size() != static_cast<size_t>(perDir) && names.size() != static_cast<size_t>(perDir * dirs))
    return fmt::format("activations must list {} functions", perDir * dirs);
  std::vector<float> alphas = n.hasAttr("activation_alpha") ? n.attrFloats("activation_alpha") : std::vector<float>{};
  std::vector<float> betas = n.hasAttr("activation_beta") ? n.attrFloats("activation_beta") : std::vector<float>{};
  size_t ai = 0, bi = 0;
  for (const std::string& name : names) {
    std::string lower;
    for (char ch : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    int code = -1;
    for (int i = 0; i < static_cast<int>(std::size(kActs)); ++i)
      if (lower == kActs[i].name) code = i;
    if (code < 0) return fmt::format("activation function '{}' is not supported", printable(name));
    const ActInfo& info = kActs[code];
    float a = info.alpha, b = info.beta;
    if (info.numAlpha && ai < alphas.size()) a = alphas[ai++];
    if (info.numBeta && bi < betas.size()) b = betas[bi++];
    out->code.push_back(code);
    out->alpha.push_back(a);
    out->beta.push_back(b);
  }
  if (ai < alphas.size() || bi < betas.size()) return "activation_alpha/activation_beta have unused values";
  while (out->code.size() < static_cast<size_t>(perDir * dirs)) {  // reuse the forward list
    size_t k = out->code.size() - static_cast<size_t>(perDir);
    out->code.push_back(out->code[k]);
    out->alpha.push_back(out->alpha[k]);
    out->beta.push_back(out->beta[k]);
  }
  return "";
}

std::string checkRecurrent(const Node& n) {
  const int G = gatesOf(n);
  const bool lstm = G == 4;
  const int64_t layout = n.hasAttr("layout") ? n.attrInt("layout") : 0;
  if (layout != 0 && layout != 1) return "layout must be 0 or 1";
  const int dirs = numDirections(n);
  if (dirs == 0) return "direction must be forward, reverse or bidirectional";
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const Value* v = n.inputs[i];
    if (!v) continue;
    if (i == 4 ? v->dtype != DType::I32 : v->dtype != DType::F32)
      return fmt::format("input {} of {} is not supported", i, dtypeName(v->dtype));
  }
  for (const Value* v : n.outputs)
    if (v && v->dtype != DType::F32) return "outputs must be float32";
  const Value* x = n.input(0);
  const Value* w = n.input(1);
  const Value* r = n.input(2);
  if (!x || !w || !r || x->shape.size() != 3 || r->shape.size() != 3 || w->shape.size() != 3)
    return "X, W and R must have rank 3";
  const int64_t H = r->shape[2], I = x->shape[2];
  const int64_t seq = x->shape[layout ? 1 : 0], batch = x->shape[layout ? 0 : 1];
  if (w->shape != Shape{dirs, G * H, I} || r->shape != Shape{dirs, G * H, H}) return "W or R has an unexpected shape";
  if (const Value* b = n.input(3); b && b->shape != Shape{dirs, 2 * G * H}) return "B has an unexpected shape";
  if (const Value* l = n.input(4); l && l->shape != Shape{batch}) return "sequence_lens has an unexpected shape";
  const Shape hs = layout ? Shape{batch, dirs, H} : Shape{dirs, batch, H};
  if (const Value* h0 = n.input(5); h0 && h0->shape != hs) return "initial_h has an unexpected shape";
  if (lstm) {
    if (const Value* c0 = n.input(6); c0 && c0->shape != hs) return "initial_c has an unexpected shape";
    if (const Value* p = n.input(7); p && p->shape != Shape{dirs, 3 * H}) return "P has an unexpected shape";
  } else if (n.inputs.size() > 6) {
    return "too many inputs";
  }
  if (seq * batch * dirs * H > INT32_MAX || dirs * G * H * std::max(I, H) > INT32_MAX)
    return "too large for int32 indices";
  Acts acts;
  return parseActs(n, actsPerDir(n), dirs, &acts);
}

int64_t scratchRecurrent(const Node& n) {
  const int64_t H = n.input(2)->shape[2];
  return tinyc_recurrent_f32_scratch(gatesOf(n), H);
}

void emitRecurrent(EmitCtx& c) {
  c.require("rnn");
  const Node& n = c.node;
  const int G = gatesOf(n);
  const bool lstm = G == 4;
  const int64_t layout = n.hasAttr("layout") ? n.attrInt("layout") : 0;
  const int dirs = numDirections(n);
  const Shape& xs = c.inValue(0)->shape;
  const int64_t H = c.inValue(2)->shape[2];
  Acts acts;
  parseActs(n, actsPerDir(n), dirs, &acts);
  const char* kind = lstm ? "TINYC_RNN_KIND_LSTM" : G == 3 ? "TINYC_RNN_KIND_GRU" : "TINYC_RNN_KIND_RNN";
  int64_t flag = 0;
  if (lstm && n.hasAttr("input_forget")) flag = n.attrInt("input_forget") != 0;
  if (G == 3 && n.hasAttr("linear_before_reset")) flag = n.attrInt("linear_before_reset") != 0;
  const float clip = n.hasAttr("clip") ? n.attrFloat("clip") : 0.0f;
  const bool reverse = dirs == 1 && n.hasAttr("direction") && n.attrStr("direction") == "reverse";
  const std::string params = fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}}}", kind,
                                         xs[layout ? 1 : 0], xs[layout ? 0 : 1], xs[2], H, dirs, layout ? 1 : 0,
                                         reverse ? 1 : 0, flag, EmitCtx::floatLit(clip > 0 ? clip : 0.0f),
                                         c.intArray(acts.code), c.floatArray(acts.alpha), c.floatArray(acts.beta));
  c.line(fmt::format(
      "{{ const tinyc_rnn_params p = {}; tinyc_recurrent_f32(&p, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}); }}",
      params, c.in(0), c.in(1), c.in(2), c.in(3), c.in(4), c.in(5), lstm ? c.in(6) : "NULL", lstm ? c.in(7) : "NULL",
      c.out(0), c.out(1), lstm ? c.out(2) : "NULL", c.scratch()));
}

}  // namespace

void registerRnnKernels(KernelTable& t) {
  t.add({"RNN", checkRecurrent, emitRecurrent, scratchRecurrent});
  t.add({"LSTM", checkRecurrent, emitRecurrent, scratchRecurrent});
  t.add({"GRU", checkRecurrent, emitRecurrent, scratchRecurrent});
}

}  // namespace tinyc::c
