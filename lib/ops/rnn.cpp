// Recurrent ops: RNN, LSTM and GRU (float32; forward/reverse/bidirectional; layout 0 and 1;
// sequence_lens; clip; configurable activations).
#include <cctype>
#include <cmath>

#include "ops/util.h"

namespace tinyc {
namespace {

// ---- activation functions -----------------------------------------------------------------

enum class Act {
  Sigmoid,
  Tanh,
  Relu,
  Affine,
  LeakyRelu,
  ThresholdedRelu,
  ScaledTanh,
  HardSigmoid,
  Elu,
  Softsign,
  Softplus
};

struct ActInfo {
  const char* name;  // lower case
  Act act;
  int numAlpha, numBeta;  // how many entries of activation_alpha / activation_beta it takes
  float alpha, beta;      // defaults when those lists run out
};

constexpr ActInfo kActs[] = {
    {"sigmoid", Act::Sigmoid, 0, 0, 0, 0},
    {"tanh", Act::Tanh, 0, 0, 0, 0},
    {"relu", Act::Relu, 0, 0, 0, 0},
    {"affine", Act::Affine, 1, 1, 1.0f, 0.0f},
    {"leakyrelu", Act::LeakyRelu, 1, 0, 0.01f, 0},
    {"thresholdedrelu", Act::ThresholdedRelu, 1, 0, 1.0f, 0},
    {"scaledtanh", Act::ScaledTanh, 1, 1, 1.0f, 1.0f},
    {"hardsigmoid", Act::HardSigmoid, 1, 1, 0.2f, 0.5f},
    {"elu", Act::Elu, 1, 0, 1.0f, 0},
    {"softsign", Act::Softsign, 0, 0, 0, 0},
    {"softplus", Act::Softplus, 0, 0, 0, 0},
};

struct ActFn {
  Act act = Act::Sigmoid;
  float alpha = 0, beta = 0;
  float operator()(float x) const {
    switch (act) {
      case Act::Sigmoid:
        return 1.0f / (1.0f + std::exp(-x));
      case Act::Tanh:
        return std::tanh(x);
      case Act::Relu:
        return x > 0 ? x : 0.0f;
      case Act::Affine:
        return alpha * x + beta;
      case Act::LeakyRelu:
        return x < 0 ? alpha * x : x;
      case Act::ThresholdedRelu:
        return x > alpha ? x : 0.0f;
      case Act::ScaledTanh:
        return alpha * std::tanh(beta * x);
      case Act::HardSigmoid:
        return std::max(0.0f, std::min(1.0f, alpha * x + beta));
      case Act::Elu:
        return x < 0 ? alpha * (std::exp(x) - 1.0f) : x;
      case Act::Softsign:
        return x / (1.0f + std::fabs(x));
      case Act::Softplus:
        return std::log1p(std::exp(x));
    }
    return x;
  }
};

// Parses `activations` (+ alpha/beta) into perDir functions for each direction. A list of only
// perDir names is used for both directions of a bidirectional op.
std::vector<ActFn> parseActivations(const Node& n, int perDir, int dirs) {
  const auto& names = n.attr("activations").strings;
  if (names.size() != static_cast<size_t>(perDir) && names.size() != static_cast<size_t>(perDir * dirs))
    modelError("{}: activations must list {} functions ({} per direction), got {}", n.where(), perDir * dirs, perDir,
               names.size());
  std::vector<float> alphas = n.hasAttr("activation_alpha") ? n.attrFloats("activation_alpha") : std::vector<float>{};
  std::vector<float> betas = n.hasAttr("activation_beta") ? n.attrFloats("activation_beta") : std::vector<float>{};
  size_t ai = 0, bi = 0;
  std::vector<ActFn> fns;
  for (const std::string& name : names) {
    std::string lower;
    for (char ch : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const ActInfo* info = nullptr;
    for (const ActInfo& a : kActs)
      if (lower == a.name) info = &a;
    if (!info) modelError("{}: activation function '{}' is not supported", n.where(), printable(name));
    ActFn f{info->act, info->alpha, info->beta};
    if (info->numAlpha && ai < alphas.size()) f.alpha = alphas[ai++];
    if (info->numBeta && bi < betas.size()) f.beta = betas[bi++];
    fns.push_back(f);
  }
  if (ai < alphas.size() || bi < betas.size())
    modelError("{}: activation_alpha/activation_beta have more values than the activations use", n.where());
  while (fns.size() < static_cast<size_t>(perDir * dirs)) {
    ActFn same = fns[fns.size() - static_cast<size_t>(perDir)];  // reuse the forward list
    fns.push_back(same);
  }
  return fns;
}

// ---- shapes -------------------------------------------------------------------------------

struct RnnDims {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, dirs = 1;
  int gates = 0;
  bool batchFirst = false;
  int64_t xOff(int64_t t, int64_t b) const { return (batchFirst ? b * seq + t : t * batch + b) * input; }
  int64_t yOff(int64_t t, int64_t d, int64_t b) const {
    return (batchFirst ? (b * seq + t) * dirs + d : (t * dirs + d) * batch + b) * hidden;
  }
  int64_t hOff(int64_t d, int64_t b) const { return (batchFirst ? b * dirs + d : d * batch + b) * hidden; }
  Shape yShape() const { return batchFirst ? Shape{batch, seq, dirs, hidden} : Shape{seq, dirs, batch, hidden}; }
  Shape hShape() const { return batchFirst ? Shape{batch, dirs, hidden} : Shape{dirs, batch, hidden}; }
};

int numDirections(const Node& n) {
  const std::string& d = n.attrStr("direction");
  if (d == "forward" || d == "reverse") return 1;
  if (d == "bidirectional") return 2;
  modelError("{}: direction must be forward, reverse or bidirectional, got '{}'", n.where(), printable(d));
}

// Dimensions from X and R (verified by inferRnn).
RnnDims rnnDims(const Node& n, const Shape& x, const Shape& r, int gates) {
  RnnDims d;
  d.gates = gates;
  d.batchFirst = n.attrInt("layout") != 0;
  d.seq = x[d.batchFirst ? 1 : 0];
  d.batch = x[d.batchFirst ? 0 : 1];
  d.input = x[2];
  d.hidden = r[2];
  d.dirs = numDirections(n);
  return d;
}

void checkSequenceLens(const Node& n, const Tensor& lens, int64_t seq) {
  for (int64_t i = 0; i < lens.numel(); ++i)
    if (lens.getI(i) < 1 || lens.getI(i) > seq)
      modelError("{}: sequence_lens[{}] = {} is outside [1, {}]", n.where(), i, lens.getI(i), seq);
}

// Verifies inputs X, W, R, B?, sequence_lens?, initial_h?, (initial_c?, P?) and sets outputs.
void inferRnn(InferCtx& c, int gates, int actsPerDir) {
  const bool lstm = gates == 4;
  const Node& n = c.node;
  int64_t layout = n.attrInt("layout");
  if (layout != 0 && layout != 1) c.fail("layout must be 0 or 1, got {}", layout);
  for (int i = 0; i < c.numInputs(); ++i)
    if (c.has(i) && i != 4 && c.dtype(i) != DType::F32)
      c.fail("input {} must be float32 (only float32 is supported), got {}", i, dtypeName(c.dtype(i)));
  if (c.rank(0) != 3) c.fail("X must have rank 3, got {}", shapeStr(c.shape(0)));
  if (c.rank(2) != 3) c.fail("R must have rank 3, got {}", shapeStr(c.shape(2)));
  RnnDims d = rnnDims(n, c.shape(0), c.shape(2), gates);
  const int64_t H = d.hidden, G = gates;
  if (n.hasAttr("hidden_size") && n.attrInt("hidden_size") != H)
    c.fail("hidden_size {} does not match R {}", n.attrInt("hidden_size"), shapeStr(c.shape(2)));
  if (H < 1) c.fail("hidden size must be >= 1");
  auto expect = [&](int i, const char* what, const Shape& s) {
    if (c.has(i) && c.shape(i) != s) c.fail("{} must have shape {}, got {}", what, shapeStr(s), shapeStr(c.shape(i)));
  };
  expect(1, "W", {d.dirs, G * H, d.input});
  expect(2, "R", {d.dirs, G * H, H});
  expect(3, "B", {d.dirs, 2 * G * H});
  if (c.has(4)) {
    if (c.dtype(4) != DType::I32) c.fail("sequence_lens must be int32, got {}", dtypeName(c.dtype(4)));
    expect(4, "sequence_lens", {d.batch});
    if (const Tensor* lens = c.constInput(4)) checkSequenceLens(n, *lens, d.seq);
  }
  expect(5, "initial_h", d.hShape());
  if (lstm) {
    expect(6, "initial_c", d.hShape());
    expect(7, "P", {d.dirs, 3 * H});
    if (n.attrInt("input_forget") != 0 && n.attrInt("input_forget") != 1)
      c.fail("input_forget must be 0 or 1, got {}", n.attrInt("input_forget"));
  }
  if (n.hasAttr("clip") && !(n.attrFloat("clip") > 0)) c.fail("clip must be positive, got {}", n.attrFloat("clip"));
  parseActivations(n, actsPerDir, static_cast<int>(d.dirs));
  c.setOutput(0, DType::F32, d.yShape());
  c.setOutput(1, DType::F32, d.hShape());
  if (lstm) c.setOutput(2, DType::F32, d.hShape());
}

void inferSimpleRnn(InferCtx& c) { inferRnn(c, 1, 1); }
void inferLstm(InferCtx& c) { inferRnn(c, 4, 3); }
void inferGru(InferCtx& c) { inferRnn(c, 3, 2); }

// ---- evaluation ---------------------------------------------------------------------------

struct RnnEval {
  const EvalCtx& c;
  RnnDims d;
  std::vector<ActFn> acts;
  float clip = 0;  // 0 = none
  const float *X, *W, *R;

  RnnEval(const EvalCtx& ctx, int gates, int actsPerDir) : c(ctx) {
    d = rnnDims(c.node, c.in[0]->shape(), c.in[2]->shape(), gates);
    acts = parseActivations(c.node, actsPerDir, static_cast<int>(d.dirs));
    if (c.node.hasAttr("clip")) clip = c.node.attrFloat("clip");
    X = c.in[0]->data<float>();
    W = c.in[1]->data<float>();
    R = c.in[2]->data<float>();
  }
  float clipped(float v) const { return clip > 0 ? std::max(-clip, std::min(clip, v)) : v; }
  const float* opt(int i, int64_t off) const {
    return c.has(i) ? c.in[static_cast<size_t>(i)]->data<float>() + off : nullptr;
  }

  // pre[g*H + j] = Wb + Rb + x . W[g*H + j] (+ h . R[g*H + j] unless skipR covers that gate).
  void gateInputs(int64_t dir, const float* x, const float* h, std::vector<float>& pre, int rGates) const {
    const int64_t H = d.hidden, I = d.input, GH = d.gates * H;
    const float* B = opt(3, dir * 2 * GH);
    const float* w = W + dir * GH * I;
    const float* r = R + dir * GH * H;
    for (int64_t row = 0; row < GH; ++row) {
      float acc = B ? B[row] + (row < rGates * H ? B[GH + row] : 0.0f) : 0.0f;
      for (int64_t i = 0; i < I; ++i) acc += x[i] * w[row * I + i];
      if (row < rGates * H)
        for (int64_t k = 0; k < H; ++k) acc += h[k] * r[row * H + k];
      pre[static_cast<size_t>(row)] = acc;
    }
  }

  // Runs `step(dir, x, h, cell, acts)` over the (valid part of the) sequence of every batch item,
  // writing Y and the final state to outputs 0 / 1 (/ 2 = final cell when hasCell).
  template <typename Step>
  void run(bool hasCell, Step step) {
    const int64_t H = d.hidden;
    for (Tensor* o : c.out)
      if (o) std::fill(o->data<float>(), o->data<float>() + o->numel(), 0.0f);
    const Tensor* lens = c.has(4) ? c.in[4] : nullptr;
    if (lens) checkSequenceLens(c.node, *lens, d.seq);
    const bool reverseOnly = c.node.attrStr("direction") == "reverse";
    const size_t perDir = acts.size() / static_cast<size_t>(d.dirs);
    std::vector<float> h(static_cast<size_t>(H)), cell(static_cast<size_t>(H));
    for (int64_t dir = 0; dir < d.dirs; ++dir) {
      const bool rev = reverseOnly || dir == 1;
      const ActFn* fns = acts.data() + static_cast<size_t>(dir) * perDir;
      for (int64_t b = 0; b < d.batch; ++b) {
        const float* h0 = opt(5, 0);
        const float* c0 = hasCell ? opt(6, 0) : nullptr;
        for (int64_t j = 0; j < H; ++j) {
          h[static_cast<size_t>(j)] = h0 ? h0[d.hOff(dir, b) + j] : 0.0f;
          cell[static_cast<size_t>(j)] = c0 ? c0[d.hOff(dir, b) + j] : 0.0f;
        }
        const int64_t len = lens ? lens->getI(b) : d.seq;
        for (int64_t s = 0; s < len; ++s) {
          const int64_t t = rev ? len - 1 - s : s;
          step(dir, X + d.xOff(t, b), h, cell, fns);
          if (Tensor* y = c.out.empty() ? nullptr : c.out[0])
            std::copy(h.begin(), h.end(), y->data<float>() + d.yOff(t, dir, b));
        }
        if (c.out.size() > 1 && c.out[1]) std::copy(h.begin(), h.end(), c.out[1]->data<float>() + d.hOff(dir, b));
        if (hasCell && c.out.size() > 2 && c.out[2])
          std::copy(cell.begin(), cell.end(), c.out[2]->data<float>() + d.hOff(dir, b));
      }
    }
  }
};

// Simple RNN: H = f(x . W + h . R + Wb + Rb).
void evalSimpleRnn(EvalCtx& c) {
  RnnEval e(c, 1, 1);
  std::vector<float> pre(static_cast<size_t>(e.d.hidden));
  e.run(false, [&](int64_t dir, const float* x, std::vector<float>& h, std::vector<float>&, const ActFn* f) {
    e.gateInputs(dir, x, h.data(), pre, 1);
    for (size_t j = 0; j < h.size(); ++j) h[j] = f[0](e.clipped(pre[j]));
  });
}

// LSTM gate order in W/R/B: input, output, forget, cell; peepholes P: input, output, forget.
void evalLstm(EvalCtx& c) {
  RnnEval e(c, 4, 3);
  const int64_t H = e.d.hidden;
  const bool coupled = c.node.attrInt("input_forget") != 0;
  std::vector<float> pre(static_cast<size_t>(4 * H));
  e.run(true, [&](int64_t dir, const float* x, std::vector<float>& h, std::vector<float>& cell, const ActFn* f) {
    e.gateInputs(dir, x, h.data(), pre, 4);
    const float* P = e.opt(7, dir * 3 * H);
    for (int64_t j = 0; j < H; ++j) {
      const size_t ju = static_cast<size_t>(j);
      const float cPrev = cell[ju];
      float ig = f[0](e.clipped(pre[ju] + (P ? P[j] * cPrev : 0.0f)));
      float fg = coupled ? 1.0f - ig
                         : f[0](e.clipped(pre[static_cast<size_t>(2 * H + j)] + (P ? P[2 * H + j] * cPrev : 0.0f)));
      float cc = f[1](e.clipped(pre[static_cast<size_t>(3 * H + j)]));
      float cNew = fg * cPrev + ig * cc;
      float og = f[0](e.clipped(pre[static_cast<size_t>(H + j)] + (P ? P[H + j] * cNew : 0.0f)));
      cell[ju] = cNew;
      h[ju] = og * f[2](cNew);
    }
  });
}

// GRU gate order in W/R/B: update (z), reset (r), hidden (h).
void evalGru(EvalCtx& c) {
  RnnEval e(c, 3, 2);
  const int64_t H = e.d.hidden;
  const bool lbr = c.node.attrInt("linear_before_reset") != 0;
  std::vector<float> pre(static_cast<size_t>(3 * H)), hNew(static_cast<size_t>(H));
  e.run(false, [&](int64_t dir, const float* x, std::vector<float>& h, std::vector<float>&, const ActFn* f) {
    e.gateInputs(dir, x, h.data(), pre, 2);              // z and r complete; h gate has x . Wh + Wbh only
    const float* R = e.R + dir * 3 * H * H + 2 * H * H;  // Rh
    const float* B = e.opt(3, dir * 6 * H);
    std::vector<float> r(static_cast<size_t>(H));
    for (int64_t j = 0; j < H; ++j) r[static_cast<size_t>(j)] = f[0](e.clipped(pre[static_cast<size_t>(H + j)]));
    for (int64_t j = 0; j < H; ++j) {
      const float rb = B ? B[5 * H + j] : 0.0f;
      float acc = 0;
      if (lbr) {
        for (int64_t k = 0; k < H; ++k) acc += h[static_cast<size_t>(k)] * R[j * H + k];
        acc = r[static_cast<size_t>(j)] * (acc + rb);
      } else {
        for (int64_t k = 0; k < H; ++k) acc += r[static_cast<size_t>(k)] * h[static_cast<size_t>(k)] * R[j * H + k];
        acc += rb;
      }
      float hh = f[1](e.clipped(pre[static_cast<size_t>(2 * H + j)] + acc));
      float z = f[0](e.clipped(pre[static_cast<size_t>(j)]));
      hNew[static_cast<size_t>(j)] = (1.0f - z) * hh + z * h[static_cast<size_t>(j)];
    }
    h = hNew;
  });
}

template <int Gates>
int64_t macsRnn(const Node& n) {
  const Value* x = n.input(0);
  const Value* r = n.input(2);
  const Value* w = n.input(1);
  if (!x || !r || !w || x->shape.size() != 3 || r->shape.size() != 3 || w->shape.size() != 3) return 0;
  const int64_t H = r->shape[2], I = x->shape[2], dirs = w->shape[0];
  return x->shape[0] * x->shape[1] * dirs * Gates * H * (I + H);
}

std::vector<AttrSpec> rnnAttrs(std::vector<std::string> defaultActs) {
  using K = Attr::Kind;
  return {{"activation_alpha", K::Floats, std::nullopt},
          {"activation_beta", K::Floats, std::nullopt},
          {"activations", K::Strings, Attr::Strings(std::move(defaultActs))},
          {"clip", K::Float, std::nullopt},
          {"direction", K::String, Attr::Str("forward")},
          {"hidden_size", K::Int, std::nullopt},
          {"layout", K::Int, Attr::Int(0)}};
}

}  // namespace

void registerRnnOps(OpRegistry& r) {
  OpDef rnn;
  rnn.name = "RNN";
  rnn.minInputs = 3;
  rnn.maxInputs = 6;
  rnn.minOutputs = 0;
  rnn.maxOutputs = 2;
  rnn.attrs = rnnAttrs({"Tanh"});
  rnn.infer = inferSimpleRnn;
  rnn.eval = evalSimpleRnn;
  rnn.macs = macsRnn<1>;
  rnn.doc = "simple RNN over a sequence (float32; clip, sequence_lens, both layouts)";
  r.add(rnn);
  OpDef lstm;
  lstm.name = "LSTM";
  lstm.minInputs = 3;
  lstm.maxInputs = 8;
  lstm.minOutputs = 0;
  lstm.maxOutputs = 3;
  lstm.attrs = rnnAttrs({"Sigmoid", "Tanh", "Tanh"});
  lstm.attrs.push_back({"input_forget", Attr::Kind::Int, Attr::Int(0)});
  lstm.infer = inferLstm;
  lstm.eval = evalLstm;
  lstm.macs = macsRnn<4>;
  lstm.doc = "LSTM over a sequence (float32; peepholes, clip, sequence_lens, both layouts)";
  r.add(lstm);
  OpDef gru;
  gru.name = "GRU";
  gru.minInputs = 3;
  gru.maxInputs = 6;
  gru.minOutputs = 0;
  gru.maxOutputs = 2;
  gru.attrs = rnnAttrs({"Sigmoid", "Tanh"});
  gru.attrs.push_back({"linear_before_reset", Attr::Kind::Int, Attr::Int(0)});
  gru.infer = inferGru;
  gru.eval = evalGru;
  gru.macs = macsRnn<3>;
  gru.doc = "GRU over a sequence (float32; linear_before_reset, clip, sequence_lens, both layouts)";
  r.add(gru);
}

}  // namespace tinyc
