// LSTM and GRU. Expected values come from scalar formulas worked out in the test or from the
// naive per-equation references below (layout 0, one direction at a time).
#include <cmath>

#include "op_test_util.h"

namespace tinyc::test {
namespace {

float sigm(float x) { return 1.0f / (1.0f + std::exp(-x)); }

std::vector<double> pattern(size_t n, double scale, int seed) {
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = scale * (static_cast<double>((i * 7919 + static_cast<size_t>(seed) * 104729) % 201) / 100.0 - 1.0);
  return v;
}
std::vector<float> toF(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }
std::vector<double> toD(const Tensor& t) { return t.toDoubles(); }

// Runs an op whose outputs may be omitted (present[i] == false => nullptr output).
std::vector<Tensor> runWithOutputs(const std::string& op, std::vector<OpInput> inputs, AttrMap attrs,
                                   const std::vector<bool>& present) {
  Graph g;
  std::vector<Value*> ins;
  std::vector<Tensor> feed;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].omitted) {
      ins.push_back(nullptr);
      continue;
    }
    Value* v = g.addValue("in" + std::to_string(i), inputs[i].t.dtype(), inputs[i].t.shape());
    g.inputs.push_back(v);
    feed.push_back(inputs[i].t);
    ins.push_back(v);
  }
  std::vector<Value*> outs;
  for (size_t i = 0; i < present.size(); ++i) {
    outs.push_back(present[i] ? g.addValue("out" + std::to_string(i)) : nullptr);
    if (present[i]) g.outputs.push_back(outs.back());
  }
  Node* n = g.addNode(op, "node", ins, outs, std::move(attrs));
  bindOp(*n);
  inferShapes(g);
  Interpreter interp(g);
  return interp.run(feed);
}

// ---- naive references (layout 0 slices of one direction) ----------------------------------

struct Seq {
  int64_t T, B, I, H;
  std::vector<float> x;  // [T, B, I]
  std::vector<int64_t> lens;
  float at(int64_t t, int64_t b, int64_t i) const { return x[static_cast<size_t>((t * B + b) * I + i)]; }
};
struct RefOut {
  std::vector<float> y, h, c;  // y [T, B, H] (zero past each length), h / c [B, H]
};

// Gate pre-activation row (x . W[row] + h . R[row]) for one batch item.
float dot(const Seq& s, int64_t t, int64_t b, const std::vector<float>& W, const std::vector<float>& R,
          const std::vector<float>& h, int64_t row, bool useR = true) {
  float acc = 0;
  for (int64_t i = 0; i < s.I; ++i) acc += s.at(t, b, i) * W[static_cast<size_t>(row * s.I + i)];
  if (useR)
    for (int64_t k = 0; k < s.H; ++k) acc += h[static_cast<size_t>(k)] * R[static_cast<size_t>(row * s.H + k)];
  return acc;
}

// LSTM of one direction; W [4H, I], R [4H, H], Bw/Br [4H], P [3H]; gates i, o, f, c.
RefOut refLstm(const Seq& s, const std::vector<float>& W, const std::vector<float>& R, const std::vector<float>& Bw,
               const std::vector<float>& Br, const std::vector<float>& P, const std::vector<float>& h0,
               const std::vector<float>& c0, bool reverse) {
  const int64_t H = s.H;
  RefOut o{std::vector<float>(static_cast<size_t>(s.T * s.B * H)), {}, {}};
  for (int64_t b = 0; b < s.B; ++b) {
    std::vector<float> h(h0.begin() + b * H, h0.begin() + (b + 1) * H), c(c0.begin() + b * H, c0.begin() + (b + 1) * H);
    const int64_t len = s.lens.empty() ? s.T : s.lens[static_cast<size_t>(b)];
    for (int64_t step = 0; step < len; ++step) {
      const int64_t t = reverse ? len - 1 - step : step;
      std::vector<float> hn(static_cast<size_t>(H)), cn(static_cast<size_t>(H));
      for (int64_t j = 0; j < H; ++j) {
        auto pre = [&](int g) {
          size_t row = static_cast<size_t>(g * H + j);
          return dot(s, t, b, W, R, h, g * H + j) + Bw[row] + Br[row];
        };
        size_t ju = static_cast<size_t>(j);
        float ig = sigm(pre(0) + P[ju] * c[ju]);
        float fg = sigm(pre(2) + P[static_cast<size_t>(2 * H + j)] * c[ju]);
        float cc = std::tanh(pre(3));
        cn[ju] = fg * c[ju] + ig * cc;
        float og = sigm(pre(1) + P[static_cast<size_t>(H + j)] * cn[ju]);
        hn[ju] = og * std::tanh(cn[ju]);
      }
      h = hn;
      c = cn;
      std::copy(h.begin(), h.end(), o.y.begin() + (t * s.B + b) * H);
    }
    o.h.insert(o.h.end(), h.begin(), h.end());
    o.c.insert(o.c.end(), c.begin(), c.end());
  }
  return o;
}

// GRU of one direction; W [3H, I], R [3H, H], Bw/Br [3H]; gates z, r, h.
RefOut refGru(const Seq& s, const std::vector<float>& W, const std::vector<float>& R, const std::vector<float>& Bw,
              const std::vector<float>& Br, const std::vector<float>& h0, bool reverse, bool lbr) {
  const int64_t H = s.H;
  RefOut o{std::vector<float>(static_cast<size_t>(s.T * s.B * H)), {}, {}};
  for (int64_t b = 0; b < s.B; ++b) {
    std::vector<float> h(h0.begin() + b * H, h0.begin() + (b + 1) * H);
    const int64_t len = s.lens.empty() ? s.T : s.lens[static_cast<size_t>(b)];
    for (int64_t step = 0; step < len; ++step) {
      const int64_t t = reverse ? len - 1 - step : step;
      std::vector<float> z(static_cast<size_t>(H)), r(static_cast<size_t>(H)), hn(static_cast<size_t>(H));
      for (int64_t j = 0; j < H; ++j) {
        size_t ju = static_cast<size_t>(j);
        z[ju] = sigm(dot(s, t, b, W, R, h, j) + Bw[ju] + Br[ju]);
        r[ju] = sigm(dot(s, t, b, W, R, h, H + j) + Bw[static_cast<size_t>(H + j)] + Br[static_cast<size_t>(H + j)]);
      }
      for (int64_t j = 0; j < H; ++j) {
        size_t ju = static_cast<size_t>(j), row = static_cast<size_t>(2 * H + j);
        float xw = dot(s, t, b, W, R, h, 2 * H + j, false) + Bw[row];
        float rec = 0;
        if (lbr) {
          for (int64_t k = 0; k < H; ++k)
            rec += h[static_cast<size_t>(k)] * R[row * static_cast<size_t>(H) + static_cast<size_t>(k)];
          rec = r[ju] * (rec + Br[row]);
        } else {
          for (int64_t k = 0; k < H; ++k)
            rec += r[static_cast<size_t>(k)] * h[static_cast<size_t>(k)] *
                   R[row * static_cast<size_t>(H) + static_cast<size_t>(k)];
          rec += Br[row];
        }
        float hh = std::tanh(xw + rec);
        hn[ju] = (1 - z[ju]) * hh + z[ju] * h[ju];
      }
      h = hn;
      std::copy(h.begin(), h.end(), o.y.begin() + (t * s.B + b) * H);
    }
    o.h.insert(o.h.end(), h.begin(), h.end());
  }
  return o;
}

// Slice [d] of a [dirs, n] parameter tensor.
std::vector<float> slice(const std::vector<double>& v, int64_t d, int64_t n, int64_t off = 0, int64_t len = -1) {
  if (len < 0) len = n - off;
  return std::vector<float>(v.begin() + d * n + off, v.begin() + d * n + off + len);
}

// Direction d of Y [T, dirs, B, H] as [T, B, H].
std::vector<double> yDir(const Tensor& y, int64_t d) {
  const Shape& s = y.shape();
  std::vector<double> r;
  for (int64_t t = 0; t < s[0]; ++t)
    for (int64_t i = 0; i < s[2] * s[3]; ++i) r.push_back(y.getF((t * s[1] + d) * s[2] * s[3] + i));
  return r;
}
std::vector<double> part(const Tensor& h, int64_t d) {
  std::vector<double> r;
  int64_t n = h.numel() / h.shape()[0];
  for (int64_t i = 0; i < n; ++i) r.push_back(h.getF(d * n + i));
  return r;
}
void expectClose(const std::vector<double>& got, const std::vector<float>& want, double tol = 1e-5) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "at " << i;
}

// ---- LSTM -----------------------------------------------------------------------------------

TEST(Lstm, ScalarTwoSteps) {
  // I = H = 1, one batch; W = [wi, wo, wf, wc], R likewise, B = [Wb(4), Rb(4)].
  const float wi = 0.5f, wo = -0.3f, wf = 0.8f, wc = 0.2f, ri = 0.1f, ro = 0.4f, rf = -0.2f, rc = 0.7f;
  const float bi = 0.05f, bo = -0.1f, bf = 0.3f, bc = 0.0f;
  const float x[2] = {1.0f, -2.0f};
  float h = 0, c = 0, ys[2];
  for (int t = 0; t < 2; ++t) {
    float i = sigm(wi * x[t] + ri * h + bi), o = sigm(wo * x[t] + ro * h + bo), f = sigm(wf * x[t] + rf * h + bf);
    float g = std::tanh(wc * x[t] + rc * h + bc);
    c = f * c + i * g;
    h = o * std::tanh(c);
    ys[t] = h;
  }
  auto out = runOp("LSTM",
                   {in(f32({2, 1, 1}, {x[0], x[1]})), in(f32({1, 4, 1}, {wi, wo, wf, wc})),
                    in(f32({1, 4, 1}, {ri, ro, rf, rc})), in(f32({1, 8}, {bi, bo, bf, bc, 0, 0, 0, 0}))},
                   {{"hidden_size", Attr::Int(1)}}, 3);
  expectNear(out[0], {2, 1, 1, 1}, {ys[0], ys[1]});
  expectNear(out[1], {1, 1, 1}, {h});
  expectNear(out[2], {1, 1, 1}, {c});
}

TEST(Lstm, BidirectionalPeepholesInitialStateSeqLensAgainstReference) {
  const int64_t T = 4, B = 3, I = 2, H = 3, D = 2;
  Seq s{T, B, I, H, toF(pattern(static_cast<size_t>(T * B * I), 1.5, 1)), {4, 2, 3}};
  auto W = pattern(static_cast<size_t>(D * 4 * H * I), 0.6, 2), R = pattern(static_cast<size_t>(D * 4 * H * H), 0.6, 3);
  auto Bv = pattern(static_cast<size_t>(D * 8 * H), 0.3, 4), P = pattern(static_cast<size_t>(D * 3 * H), 0.5, 5);
  auto h0 = pattern(static_cast<size_t>(D * B * H), 0.4, 6), c0 = pattern(static_cast<size_t>(D * B * H), 0.8, 7);
  auto out = runOp("LSTM",
                   {in(f32({T, B, I}, std::vector<double>(s.x.begin(), s.x.end()))), in(f32({D, 4 * H, I}, W)),
                    in(f32({D, 4 * H, H}, R)), in(f32({D, 8 * H}, Bv)), in(makeTensor(DType::I32, {B}, {4, 2, 3})),
                    in(f32({D, B, H}, h0)), in(f32({D, B, H}, c0)), in(f32({D, 3 * H}, P))},
                   {{"direction", Attr::Str("bidirectional")}, {"hidden_size", Attr::Int(H)}}, 3);
  ASSERT_EQ(out[0].shape(), (Shape{T, D, B, H}));
  for (int64_t d = 0; d < D; ++d) {
    RefOut r =
        refLstm(s, slice(W, d, 4 * H * I), slice(R, d, 4 * H * H), slice(Bv, d, 8 * H, 0, 4 * H),
                slice(Bv, d, 8 * H, 4 * H), slice(P, d, 3 * H), slice(h0, d, B * H), slice(c0, d, B * H), d == 1);
    expectClose(yDir(out[0], d), r.y);
    expectClose(part(out[1], d), r.h);
    expectClose(part(out[2], d), r.c);
  }
}

TEST(Lstm, ReverseAndLayout1MatchLayout0) {
  const int64_t T = 3, B = 2, I = 3, H = 2;
  auto x = pattern(static_cast<size_t>(T * B * I), 1.0, 11), W = pattern(static_cast<size_t>(4 * H * I), 0.7, 12);
  auto R = pattern(static_cast<size_t>(4 * H * H), 0.7, 13), h0 = pattern(static_cast<size_t>(B * H), 0.5, 14);
  AttrMap a{{"direction", Attr::Str("reverse")}};
  auto ref = runOp("LSTM",
                   {in(f32({T, B, I}, x)), in(f32({1, 4 * H, I}, W)), in(f32({1, 4 * H, H}, R)), none(), none(),
                    in(f32({1, B, H}, h0))},
                   a, 3);
  // the same through the reference
  Seq s{T, B, I, H, toF(x), {}};
  RefOut r = refLstm(s, toF(W), toF(R), std::vector<float>(4 * H, 0), std::vector<float>(4 * H, 0),
                     std::vector<float>(3 * H, 0), toF(h0), std::vector<float>(B * H, 0), true);
  expectClose(yDir(ref[0], 0), r.y);
  // layout 1: X [B, T, I], initial_h [B, 1, H], Y [B, T, 1, H]
  std::vector<double> xt;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t i = 0; i < I; ++i) xt.push_back(x[static_cast<size_t>((t * B + b) * I + i)]);
  a["layout"] = Attr::Int(1);
  auto l1 = runOp("LSTM",
                  {in(f32({B, T, I}, xt)), in(f32({1, 4 * H, I}, W)), in(f32({1, 4 * H, H}, R)), none(), none(),
                   in(f32({B, 1, H}, h0))},
                  a, 3);
  ASSERT_EQ(l1[0].shape(), (Shape{B, T, 1, H}));
  ASSERT_EQ(l1[1].shape(), (Shape{B, 1, H}));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t j = 0; j < H; ++j)
        EXPECT_NEAR(l1[0].getF((b * T + t) * H + j), r.y[static_cast<size_t>((t * B + b) * H + j)], 1e-5);
  expectClose(toD(l1[1]), r.h);
  expectClose(toD(l1[2]), r.c);
}

TEST(Lstm, InputForgetClipAndActivations) {
  // H = I = 1, one step from zero state: i = f(clip(wi*x)), forget unused (c0 = 0), g = relu(clip(wc*x)),
  // o = f(clip(wo*x)), h = o * h(c) with h = Affine(alpha 2, beta 1).
  const float x = 3.0f, wi = 1.0f, wo = 0.5f, wf = 9.0f, wc = 2.0f, clip = 2.0f;
  auto clipf = [&](float v) { return std::max(-clip, std::min(clip, v)); };
  float i = sigm(clipf(wi * x)), g = std::max(0.0f, clipf(wc * x)), c = i * g;
  float o = sigm(clipf(wo * x)), h = o * (2.0f * c + 1.0f);
  auto out =
      runOp("LSTM", {in(f32({1, 1, 1}, {x})), in(f32({1, 4, 1}, {wi, wo, wf, wc})), in(f32({1, 4, 1}, {0, 0, 0, 0}))},
            {{"clip", Attr::Float(clip)},
             {"input_forget", Attr::Int(1)},
             {"activations", Attr::Strings({"Sigmoid", "Relu", "Affine"})},
             {"activation_alpha", Attr::Floats({2.0f})},
             {"activation_beta", Attr::Floats({1.0f})}},
            3);
  expectNear(out[1], {1, 1, 1}, {h});
  expectNear(out[2], {1, 1, 1}, {c});
  // input_forget: with a nonzero initial cell, forget = 1 - input
  const float c0 = 0.5f;
  float c2 = (1 - i) * c0 + i * g;
  auto coupled = runOp("LSTM",
                       {in(f32({1, 1, 1}, {x})), in(f32({1, 4, 1}, {wi, wo, wf, wc})), in(f32({1, 4, 1}, {0, 0, 0, 0})),
                        none(), none(), none(), in(f32({1, 1, 1}, {c0}))},
                       {{"clip", Attr::Float(clip)},
                        {"input_forget", Attr::Int(1)},
                        {"activations", Attr::Strings({"Sigmoid", "Relu", "Tanh"})}},
                       3);
  expectNear(coupled[2], {1, 1, 1}, {c2});
}

TEST(Lstm, OmittedOutputs) {
  auto x = f32({2, 1, 2}, {1, 2, 3, 4});
  auto W = f32({1, 4, 2}, pattern(8, 0.5, 1));
  auto R = f32({1, 4, 1}, pattern(4, 0.5, 2));
  auto all = runOp("LSTM", {in(x), in(W), in(R)}, {}, 3);
  auto onlyH = runWithOutputs("LSTM", {in(x), in(W), in(R)}, {}, {false, true});
  ASSERT_EQ(onlyH.size(), 1u);
  EXPECT_TRUE(onlyH[0].sameContent(all[1]));
  auto onlyC = runWithOutputs("LSTM", {in(x), in(W), in(R)}, {}, {false, false, true});
  EXPECT_TRUE(onlyC[0].sameContent(all[2]));
}

TEST(Lstm, Errors) {
  auto x = f32({2, 1, 2}, {1, 2, 3, 4});
  auto W = f32({1, 4, 2}, pattern(8, 0.5, 1));
  auto R = f32({1, 4, 1}, pattern(4, 0.5, 2));
  EXPECT_NO_THROW(runOp("LSTM", {in(x), in(W), in(R)}, {}, 3));
  EXPECT_THROW(runOp("LSTM", {in(x), in(f32({1, 4, 3}, pattern(12, 1, 1))), in(R)}, {}, 3), Error);  // W input size
  EXPECT_THROW(runOp("LSTM", {in(x), in(W), in(R)}, {{"hidden_size", Attr::Int(2)}}, 3), Error);
  EXPECT_THROW(runOp("LSTM", {in(x), in(W), in(R)}, {{"direction", Attr::Str("sideways")}}, 3), Error);
  EXPECT_THROW(runOp("LSTM", {in(x), in(W), in(R)}, {{"direction", Attr::Str("bidirectional")}}, 3), Error);
  EXPECT_THROW(runOp("LSTM", {in(x), in(W), in(R)}, {{"activations", Attr::Strings({"Sigmoid", "Gelu", "Tanh"})}}, 3),
               Error);
  EXPECT_THROW(runOp("LSTM", {in(x), in(W), in(R)}, {{"activations", Attr::Strings({"Sigmoid", "Tanh"})}}, 3), Error);
  EXPECT_THROW(runOp("LSTM", {in(x), in(W), in(R)}, {{"layout", Attr::Int(2)}}, 3), Error);
  EXPECT_THROW(runOp("LSTM", {in(x), in(W), in(R), in(f32({1, 4}, {0, 0, 0, 0}))}, {}, 3), Error);  // B size
  EXPECT_THROW(runOp("LSTM", {in(makeTensor(DType::F64, {2, 1, 2}, {1, 2, 3, 4})), in(W), in(R)}, {}, 3), Error);
  // sequence_lens out of range (checked at evaluation for runtime inputs, at inference for constants)
  EXPECT_THROW(runOp("LSTM", {in(x), in(W), in(R), none(), in(makeTensor(DType::I32, {1}, {3}))}, {}, 3), Error);
  EXPECT_THROW(runOp("LSTM", {in(x), in(W), in(R), none(), cst(makeTensor(DType::I32, {1}, {0}))}, {}, 3), Error);
  EXPECT_THROW(runOp("LSTM", {in(x), in(W), in(R), none(), in(makeTensor(DType::I64, {1}, {2}))}, {}, 3), Error);
  EXPECT_THROW(runOp("LSTM", {in(x), in(W), in(R), none(), none(), in(f32({1, 2, 1}, {0, 0}))}, {}, 3), Error);
  EXPECT_THROW(runOp("LSTM", {in(x), in(W), in(R)}, {}, 4), Error);  // too many outputs
}

// ---- GRU ------------------------------------------------------------------------------------

TEST(Gru, ScalarLinearBeforeReset) {
  // I = H = 1, one step from h0: z, r gates then the candidate with and without linear_before_reset.
  const float x = 0.7f, h0 = -0.4f, wz = 0.3f, wr = -0.6f, wh = 1.1f, rz = 0.5f, rr = 0.2f, rh = -0.9f;
  const float wbz = 0.1f, wbr = 0.0f, wbh = 0.2f, rbz = -0.1f, rbr = 0.3f, rbh = 0.4f;
  float z = sigm(wz * x + rz * h0 + wbz + rbz), r = sigm(wr * x + rr * h0 + wbr + rbr);
  float hh0 = std::tanh(wh * x + (r * h0) * rh + rbh + wbh);
  float hh1 = std::tanh(wh * x + wbh + r * (h0 * rh + rbh));
  std::vector<OpInput> ins = {in(f32({1, 1, 1}, {x})),
                              in(f32({1, 3, 1}, {wz, wr, wh})),
                              in(f32({1, 3, 1}, {rz, rr, rh})),
                              in(f32({1, 6}, {wbz, wbr, wbh, rbz, rbr, rbh})),
                              none(),
                              in(f32({1, 1, 1}, {h0}))};
  auto a = runOp("GRU", ins, {}, 2);
  expectNear(a[0], {1, 1, 1, 1}, {(1 - z) * hh0 + z * h0});
  auto b = runOp("GRU", ins, {{"linear_before_reset", Attr::Int(1)}}, 2);
  expectNear(b[1], {1, 1, 1}, {(1 - z) * hh1 + z * h0});
}

TEST(Gru, BidirectionalSeqLensAgainstReference) {
  const int64_t T = 5, B = 2, I = 3, H = 4, D = 2;
  for (int lbr = 0; lbr < 2; ++lbr) {
    Seq s{T, B, I, H, toF(pattern(static_cast<size_t>(T * B * I), 1.2, 21)), {3, 5}};
    auto W = pattern(static_cast<size_t>(D * 3 * H * I), 0.6, 22),
         R = pattern(static_cast<size_t>(D * 3 * H * H), 0.6, 23);
    auto Bv = pattern(static_cast<size_t>(D * 6 * H), 0.3, 24), h0 = pattern(static_cast<size_t>(D * B * H), 0.5, 25);
    auto out = runOp("GRU",
                     {in(f32({T, B, I}, std::vector<double>(s.x.begin(), s.x.end()))), in(f32({D, 3 * H, I}, W)),
                      in(f32({D, 3 * H, H}, R)), in(f32({D, 6 * H}, Bv)), in(makeTensor(DType::I32, {B}, {3, 5})),
                      in(f32({D, B, H}, h0))},
                     {{"direction", Attr::Str("bidirectional")}, {"linear_before_reset", Attr::Int(lbr)}}, 2);
    for (int64_t d = 0; d < D; ++d) {
      RefOut r = refGru(s, slice(W, d, 3 * H * I), slice(R, d, 3 * H * H), slice(Bv, d, 6 * H, 0, 3 * H),
                        slice(Bv, d, 6 * H, 3 * H), slice(h0, d, B * H), d == 1, lbr != 0);
      expectClose(yDir(out[0], d), r.y);
      expectClose(part(out[1], d), r.h);
    }
  }
}

TEST(Gru, ClipAndCustomActivationsPerDirection) {
  // bidirectional with distinct activations per direction, I = H = 1, one step from zero state:
  // forward: z = HardSigmoid(0.2, 0.5), h~ = Relu; reverse: z = Sigmoid, h~ = Tanh.
  const float x = 4.0f, wz = 1.0f, wr = 1.0f, wh = 1.0f, clip = 3.0f;
  auto cl = [&](float v) { return std::max(-clip, std::min(clip, v)); };
  float zf = std::max(0.0f, std::min(1.0f, 0.2f * cl(wz * x) + 0.5f)), hf = (1 - zf) * std::max(0.0f, cl(wh * x));
  float zr = sigm(cl(wz * x)), hr = (1 - zr) * std::tanh(cl(wh * x));
  auto out = runOp("GRU",
                   {in(f32({1, 1, 1}, {x})), in(f32({2, 3, 1}, {wz, wr, wh, wz, wr, wh})),
                    in(f32({2, 3, 1}, std::vector<double>(6, 0)))},
                   {{"direction", Attr::Str("bidirectional")},
                    {"clip", Attr::Float(clip)},
                    {"activations", Attr::Strings({"HardSigmoid", "Relu", "Sigmoid", "Tanh"})}},
                   2);
  expectNear(out[1], {2, 1, 1}, {hf, hr});
}

TEST(Gru, Layout1AndErrors) {
  const int64_t T = 2, B = 2, I = 1, H = 1;
  auto x = pattern(4, 1.0, 31), W = pattern(3, 0.8, 32), R = pattern(3, 0.8, 33);
  auto l0 = runOp("GRU", {in(f32({T, B, I}, x)), in(f32({1, 3, 1}, W)), in(f32({1, 3, 1}, R))}, {}, 2);
  // X [B, T, I] is the transpose of [T, B, I]
  auto l1 = runOp("GRU", {in(f32({B, T, I}, {x[0], x[2], x[1], x[3]})), in(f32({1, 3, 1}, W)), in(f32({1, 3, 1}, R))},
                  {{"layout", Attr::Int(1)}}, 2);
  ASSERT_EQ(l1[0].shape(), (Shape{B, T, 1, H}));
  // Y l0 [T,1,B,1] vs l1 [B,T,1,1]
  EXPECT_NEAR(l1[0].getF(0), l0[0].getF(0), 1e-6);
  EXPECT_NEAR(l1[0].getF(1), l0[0].getF(2), 1e-6);
  EXPECT_NEAR(l1[0].getF(2), l0[0].getF(1), 1e-6);
  EXPECT_NEAR(l1[0].getF(3), l0[0].getF(3), 1e-6);
  expectNear(l1[1], {B, 1, H}, toD(l0[1]), 1e-6);
  EXPECT_THROW(
      runOp("GRU", {in(f32({T, B, I}, x)), in(f32({1, 4, 1}, {0, 0, 0, 0})), in(f32({1, 4, 1}, {0, 0, 0, 0}))}, {}, 2),
      Error);  // 4 gates is LSTM-shaped
  EXPECT_THROW(runOp("GRU", {in(f32({T, B, I}, x)), in(f32({1, 3, 1}, W)), in(f32({1, 3, 1}, R))},
                     {{"activations", Attr::Strings({"Sigmoid", "Tanh", "Tanh"})}}, 2),
               Error);
  EXPECT_THROW(
      runOp("GRU", {in(f32({T, B, I}, x)), in(f32({1, 3, 1}, W)), in(f32({1, 3, 1}, R))},
            {{"activations", Attr::Strings({"Sigmoid", "Tanh"})}, {"activation_alpha", Attr::Floats({1.0f})}}, 2),
      Error);  // alpha given but unused
  EXPECT_THROW(runOp("GRU", {in(f32({T, B, I}, x)), in(f32({1, 3, 1}, W)), in(f32({1, 3, 1}, R))},
                     {{"input_forget", Attr::Int(1)}}, 2),
               Error);  // LSTM-only attribute
  EXPECT_THROW(runOp("GRU", {in(f32({T, B, I}, x)), in(f32({1, 3, 1}, W)), in(f32({1, 3, 1}, R))},
                     {{"clip", Attr::Float(-1)}}, 2),
               Error);
}

TEST(Rnn, SimpleRnnScalarBothDirections) {
  // I = H = 1, two steps: h_t = tanh(w x_t + r h_{t-1} + wb + rb); reverse walks x backwards.
  const float w = 0.8f, r = -0.5f, wb = 0.1f, rb = 0.2f, h0 = 0.3f;
  const float x[2] = {1.0f, -1.5f};
  auto step = [&](float xv, float h) { return std::tanh(w * xv + r * h + wb + rb); };
  float f1 = step(x[0], h0), f2 = step(x[1], f1);
  float b1 = step(x[1], h0), b0 = step(x[0], b1);
  auto out = runOp("RNN",
                   {in(f32({2, 1, 1}, {x[0], x[1]})), in(f32({2, 1, 1}, {w, w})), in(f32({2, 1, 1}, {r, r})),
                    in(f32({2, 2}, {wb, rb, wb, rb})), none(), in(f32({2, 1, 1}, {h0, h0}))},
                   {{"direction", Attr::Str("bidirectional")}}, 2);
  // Y [T, D, B, H]: t0 = {f1, b0}, t1 = {f2, b1}; Y_h = {f2, b0}
  expectNear(out[0], {2, 2, 1, 1}, {f1, b0, f2, b1});
  expectNear(out[1], {2, 1, 1}, {f2, b0});
  auto relu = runOp("RNN", {in(f32({1, 1, 1}, {-2})), in(f32({1, 1, 1}, {1})), in(f32({1, 1, 1}, {1}))},
                    {{"activations", Attr::Strings({"Relu"})}}, 2);
  expectNear(relu[1], {1, 1, 1}, {0});
  EXPECT_THROW(
      runOp("RNN", {in(f32({1, 1, 1}, {1})), in(f32({1, 3, 1}, {1, 1, 1})), in(f32({1, 3, 1}, {1, 1, 1}))}, {}, 2),
      Error);  // W must be [D, H, I] (R says H = 1)
}

TEST(Rnn, Macs) {
  Graph g;
  runOp("GRU",
        {in(f32({5, 2, 3}, pattern(30, 1, 1))), in(f32({1, 12, 3}, pattern(36, 1, 2))),
         in(f32({1, 12, 4}, pattern(48, 1, 3)))},
        {}, 2, &g);
  EXPECT_EQ(nodeMacs(*g.nodes[0]), 5 * 2 * 3 * 4 * (3 + 4));
}

}  // namespace
}  // namespace tinyc::test
