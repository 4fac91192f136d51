// Conv, ConvTranspose, Gemm, MatMul against hand-computed values and naive reference loops.
#include "nn_ref_util.h"

namespace tinyc::test {
namespace {

struct ConvP {
  std::vector<int64_t> strides, pads, dil;  // empty = defaults
  int64_t group = 1;
};

AttrMap convAttrs(const ConvP& p) {
  AttrMap a;
  if (!p.strides.empty()) a["strides"] = ints(p.strides);
  if (!p.pads.empty()) a["pads"] = ints(p.pads);
  if (!p.dil.empty()) a["dilations"] = ints(p.dil);
  a["group"] = Attr::Int(p.group);
  return a;
}

// Direct definition of convolution: out[n,m,o] = b[m] + sum_{c,k} x[n, g*Cg+c, o*s-pb+k*d] * w[m,c,k].
std::vector<double> refConv(const Tensor& x, const Tensor& w, const Tensor* b, const ConvP& p, Shape* outShape) {
  const Shape& xs = x.shape();
  const Shape& ws = w.shape();
  const size_t nd = xs.size() - 2;
  auto at = [](const std::vector<int64_t>& v, size_t i, int64_t def) { return v.empty() ? def : v[i]; };
  Shape os{xs[0], ws[0]};
  for (size_t i = 0; i < nd; ++i) {
    int64_t dk = (ws[i + 2] - 1) * at(p.dil, i, 1) + 1;
    os.push_back((xs[i + 2] + at(p.pads, i, 0) + at(p.pads, i + nd, 0) - dk) / at(p.strides, i, 1) + 1);
  }
  *outShape = os;
  const int64_t cg = ws[1], mg = ws[0] / p.group;
  std::vector<double> out(static_cast<size_t>(count(os)));
  Shape kshape(ws.begin() + 2, ws.end());
  forIndex(os, [&](const std::vector<int64_t>& o) {
    const int64_t m = o[1], g = m / mg;
    double sum = b ? b->getF(m) : 0.0;
    for (int64_t c = 0; c < cg; ++c)
      forIndex(kshape, [&](const std::vector<int64_t>& k) {
        std::vector<int64_t> xi{o[0], g * cg + c};
        for (size_t i = 0; i < nd; ++i) {
          int64_t pos = o[i + 2] * at(p.strides, i, 1) - at(p.pads, i, 0) + k[i] * at(p.dil, i, 1);
          if (pos < 0 || pos >= xs[i + 2]) return;
          xi.push_back(pos);
        }
        std::vector<int64_t> wi{m, c};
        wi.insert(wi.end(), k.begin(), k.end());
        sum += x.getF(flat(xs, xi)) * w.getF(flat(ws, wi));
      });
    out[static_cast<size_t>(flat(os, o))] = sum;
  });
  return out;
}

void checkConv(Shape xs, Shape ws, bool bias, const ConvP& p, uint32_t seed) {
  Tensor x = rnd(xs, seed), w = rnd(ws, seed + 1), b = rnd({ws[0]}, seed + 2);
  Shape os;
  auto want = refConv(x, w, bias ? &b : nullptr, p, &os);
  std::vector<OpInput> ins{in(x), in(w)};
  if (bias) ins.push_back(in(b));
  auto got = runOp("Conv", ins, convAttrs(p));
  expectNear(got[0], os, want, 1e-4);
}

TEST(Conv, HandComputed3x3Ones) {
  std::vector<double> x(25);
  for (int i = 0; i < 25; ++i) x[static_cast<size_t>(i)] = i;
  std::vector<double> ones(9, 1.0);
  // Each output is the sum of the (zero padded) 3x3 neighbourhood, e.g. corner 0+1+5+6 = 12.
  auto out = runOp("Conv", {in(f32({1, 1, 5, 5}, x)), in(f32({1, 1, 3, 3}, ones))},
                   {{"pads", ints({1, 1, 1, 1})}, {"kernel_shape", ints({3, 3})}});
  expectNear(out[0], {1, 1, 5, 5}, {12, 21, 27, 33, 24, 33, 54, 63, 72, 51, 63, 99, 108, 117, 81,
                                    93, 144, 153, 162, 111, 72, 111, 117, 123, 84});
  out = runOp("Conv", {in(f32({1, 1, 5, 5}, x)), in(f32({1, 1, 3, 3}, ones))}, {{"strides", ints({2, 2})}});
  expectNear(out[0], {1, 1, 2, 2}, {54, 72, 144, 162});
}

TEST(Conv, Matches2DReference) {
  checkConv({1, 3, 7, 6}, {4, 3, 3, 3}, true, {}, 1);
  checkConv({2, 3, 7, 6}, {4, 3, 3, 2}, true, {{2, 1}, {1, 0, 2, 1}, {}, 1}, 2);
  checkConv({1, 4, 9, 9}, {6, 2, 3, 3}, false, {{1, 2}, {1, 1, 1, 1}, {2, 1}, 2}, 3);
  checkConv({1, 4, 8, 8}, {4, 1, 3, 3}, true, {{2, 2}, {1, 1, 1, 1}, {}, 4}, 4);  // depthwise
  checkConv({1, 4, 8, 8}, {8, 1, 3, 3}, true, {{}, {1, 1, 1, 1}, {}, 4}, 5);      // depthwise x2
  checkConv({2, 5, 4, 3}, {7, 5, 1, 1}, true, {}, 6);                             // 1x1 direct
  checkConv({1, 5, 6, 6}, {3, 5, 1, 1}, false, {{2, 2}, {}, {}, 1}, 7);            // 1x1 strided
  checkConv({1, 2, 5, 5}, {3, 2, 5, 5}, true, {}, 8);                             // kernel = input
  checkConv({1, 2, 3, 3}, {2, 2, 2, 2}, false, {{3, 3}, {2, 2, 2, 2}, {2, 2}, 1}, 9);
}

TEST(Conv, Matches1DAnd3DReference) {
  checkConv({2, 3, 11}, {4, 3, 3}, true, {{2}, {1, 2}, {2}, 1}, 10);
  checkConv({1, 2, 4, 5, 6}, {4, 2, 2, 3, 3}, true, {{1, 2, 1}, {1, 0, 1, 0, 1, 1}, {1, 1, 2}, 1}, 11);
  checkConv({1, 4, 3, 4, 4}, {4, 2, 3, 1, 2}, false, {{}, {}, {}, 2}, 12);
}

TEST(Conv, Float64) {
  Tensor x = rnd({1, 2, 5, 5}, 20, DType::F64), w = rnd({3, 2, 3, 3}, 21, DType::F64);
  Shape os;
  auto want = refConv(x, w, nullptr, {{}, {1, 1, 1, 1}, {}, 1}, &os);
  auto got = runOp("Conv", {in(x), in(w)}, {{"pads", ints({1, 1, 1, 1})}});
  EXPECT_EQ(got[0].dtype(), DType::F64);
  expectNear(got[0], os, want, 1e-12);
}

TEST(Conv, Float16ComputesThroughFloat) {
  Tensor x = rnd({1, 2, 4, 4}, 22, DType::F16), w = rnd({2, 2, 3, 3}, 23, DType::F16), b = rnd({2}, 24, DType::F16);
  Shape os;
  auto want = refConv(x, w, &b, {{}, {1, 1, 1, 1}, {}, 1}, &os);
  auto got = runOp("Conv", {in(x), in(w), in(b)}, {{"pads", ints({1, 1, 1, 1})}});
  EXPECT_EQ(got[0].dtype(), DType::F16);
  expectNear(got[0], os, want, 1e-2);
  auto mm = runOp("MatMul", {in(makeTensor(DType::F16, {1, 2}, {1, 2})), in(makeTensor(DType::F16, {2, 1}, {3, 4}))});
  EXPECT_EQ(mm[0].dtype(), DType::F16);
  expectNear(mm[0], {1, 1}, {11});
}

TEST(Conv, AutoPadSame) {
  Tensor x = rnd({1, 2, 5, 6}, 30), w = rnd({3, 2, 3, 4}, 31);
  Shape os;
  // SAME_UPPER, stride 2: out = ceil(5/2)=3, ceil(6/2)=3; total pad H = 2*2+3-5 = 2 -> (1,1);
  // W = 2*2+4-6 = 2 -> (1,1).
  auto want = refConv(x, w, nullptr, {{2, 2}, {1, 1, 1, 1}, {}, 1}, &os);
  auto got = runOp("Conv", {in(x), in(w)}, {{"strides", ints({2, 2})}, {"auto_pad", Attr::Str("SAME_UPPER")}});
  expectNear(got[0], os, want, 1e-4);
  // Stride 1, kernel W = 4: total pad 3 -> SAME_UPPER (1,2), SAME_LOWER (2,1); H total 2 -> (1,1).
  want = refConv(x, w, nullptr, {{}, {1, 1, 1, 2}, {}, 1}, &os);
  got = runOp("Conv", {in(x), in(w)}, {{"auto_pad", Attr::Str("SAME_UPPER")}});
  expectNear(got[0], os, want, 1e-4);
  want = refConv(x, w, nullptr, {{}, {1, 2, 1, 1}, {}, 1}, &os);
  got = runOp("Conv", {in(x), in(w)}, {{"auto_pad", Attr::Str("SAME_LOWER")}});
  expectNear(got[0], os, want, 1e-4);
  want = refConv(x, w, nullptr, {}, &os);
  got = runOp("Conv", {in(x), in(w)}, {{"auto_pad", Attr::Str("VALID")}, {"pads", ints({1, 1, 1, 1})}});
  expectNear(got[0], os, want, 1e-4);
}

TEST(Conv, BadShapesAreErrors) {
  Tensor x = rnd({1, 4, 5, 5}, 1);
  EXPECT_THROW(runOp("Conv", {in(x), in(rnd({2, 3, 3, 3}, 2))}), Error);  // channel mismatch
  EXPECT_THROW(runOp("Conv", {in(x), in(rnd({3, 2, 3, 3}, 2))}, {{"group", Attr::Int(2)}}),
               Error);  // 3 output channels not divisible by group 2
  EXPECT_THROW(runOp("Conv", {in(x), in(rnd({4, 1, 3, 3}, 2))}, {{"group", Attr::Int(3)}}), Error);
  EXPECT_THROW(runOp("Conv", {in(x), in(rnd({2, 4, 3, 3}, 2))}, {{"kernel_shape", ints({2, 2})}}), Error);
  EXPECT_THROW(runOp("Conv", {in(x), in(rnd({2, 4, 3, 3}, 2)), in(rnd({3}, 3))}), Error);  // bias
  EXPECT_THROW(runOp("Conv", {in(x), in(rnd({2, 4, 7, 3}, 2))}), Error);  // kernel > input
  EXPECT_THROW(runOp("Conv", {in(x), in(rnd({2, 4, 3, 3}, 2))}, {{"pads", ints({1, 1})}}), Error);
  EXPECT_THROW(runOp("Conv", {in(x), in(rnd({2, 4, 3, 3}, 2))}, {{"strides", ints({0, 1})}}), Error);
  EXPECT_THROW(runOp("Conv", {in(x), in(rnd({2, 4, 3, 3}, 2))}, {{"auto_pad", Attr::Str("SAME")}}), Error);
  EXPECT_THROW(runOp("Conv", {in(x), in(rnd({2, 4, 3}, 2))}), Error);  // W rank
  EXPECT_THROW(runOp("Conv", {in(rnd({4, 5}, 1)), in(rnd({2, 4}, 2))}), Error);
  EXPECT_THROW(runOp("Conv", {in(rnd({1, 1, 2, 2, 2, 2}, 1)), in(rnd({1, 1, 1, 1, 1, 1}, 2))}), Error);  // 4D
  EXPECT_THROW(runOp("Conv", {in(makeTensor(DType::I32, {1, 1, 2, 2}, {1, 2, 3, 4})),
                              in(makeTensor(DType::I32, {1, 1, 1, 1}, {1}))}),
               Error);
}

TEST(Conv, Macs) {
  Graph g;
  runOp("Conv", {in(rnd({2, 4, 8, 8}, 1)), in(rnd({6, 2, 3, 3}, 2))}, {{"group", Attr::Int(2)}}, 1, &g);
  // batch 1: 6 output channels * 6*6 positions * (2 input channels * 9)
  EXPECT_EQ(nodeMacs(*g.nodes[0]), 6 * 36 * 18);
}

// ---- ConvTranspose ------------------------------------------------------------------------

// Scatter definition: y[n, g*Mg+m, i*s - pb + k*d] += x[n, c, i] * w[c, m, k], cropped to `os`.
std::vector<double> refConvT(const Tensor& x, const Tensor& w, const Tensor* b, const ConvP& p, const Shape& os) {
  const Shape& xs = x.shape();
  const Shape& ws = w.shape();
  const size_t nd = xs.size() - 2;
  auto at = [](const std::vector<int64_t>& v, size_t i, int64_t def) { return v.empty() ? def : v[i]; };
  const int64_t cg = xs[1] / p.group, mg = ws[1];
  std::vector<double> y(static_cast<size_t>(count(os)));
  forIndex(os, [&](const std::vector<int64_t>& o) { y[static_cast<size_t>(flat(os, o))] = b ? b->getF(o[1]) : 0; });
  Shape kshape(ws.begin() + 2, ws.end());
  forIndex(xs, [&](const std::vector<int64_t>& xi) {
    const int64_t c = xi[1], g = c / cg;
    for (int64_t m = 0; m < mg; ++m)
      forIndex(kshape, [&](const std::vector<int64_t>& k) {
        std::vector<int64_t> yi{xi[0], g * mg + m};
        for (size_t i = 0; i < nd; ++i) {
          int64_t pos = xi[i + 2] * at(p.strides, i, 1) - at(p.pads, i, 0) + k[i] * at(p.dil, i, 1);
          if (pos < 0 || pos >= os[i + 2]) return;
          yi.push_back(pos);
        }
        std::vector<int64_t> wi{c, m};
        wi.insert(wi.end(), k.begin(), k.end());
        y[static_cast<size_t>(flat(os, yi))] += x.getF(flat(xs, xi)) * w.getF(flat(ws, wi));
      });
  });
  return y;
}

TEST(ConvTranspose, HandComputed1D) {
  // x = [1, 2], w = [1, 10, 100], stride 2: y = [1, 10, 100+2, 20, 200].
  auto out = runOp("ConvTranspose", {in(f32({1, 1, 2}, {1, 2})), in(f32({1, 1, 3}, {1, 10, 100}))},
                   {{"strides", ints({2})}});
  expectNear(out[0], {1, 1, 5}, {1, 10, 102, 20, 200});
  // pads crop one element from each end; output_padding appends one more position.
  out = runOp("ConvTranspose", {in(f32({1, 1, 2}, {1, 2})), in(f32({1, 1, 3}, {1, 10, 100})), in(f32({1}, {5}))},
              {{"strides", ints({2})}, {"pads", ints({1, 1})}, {"output_padding", ints({1})}});
  expectNear(out[0], {1, 1, 4}, {15, 107, 25, 205});
}

TEST(ConvTranspose, Matches2DReference) {
  struct Case {
    Shape xs, ws;
    ConvP p;
    std::vector<int64_t> outPad;
  };
  std::vector<Case> cases = {
      {{1, 2, 3, 3}, {2, 3, 3, 3}, {}, {}},
      {{2, 2, 3, 4}, {2, 2, 3, 2}, {{3, 2}, {1, 0, 1, 2}, {}, 1}, {}},
      {{1, 4, 3, 3}, {4, 2, 2, 3}, {{2, 2}, {0, 1, 1, 0}, {2, 1}, 2}, {1, 0}},
      {{1, 3, 4, 4}, {3, 1, 3, 3}, {{2, 2}, {1, 1, 1, 1}, {}, 3}, {1, 1}},  // depthwise
  };
  uint32_t seed = 40;
  for (const auto& cs : cases) {
    Tensor x = rnd(cs.xs, seed++), w = rnd(cs.ws, seed++), b = rnd({cs.ws[1] * cs.p.group}, seed++);
    AttrMap a = convAttrs(cs.p);
    Shape os{cs.xs[0], cs.ws[1] * cs.p.group};
    for (size_t i = 0; i < 2; ++i) {
      int64_t s = cs.p.strides.empty() ? 1 : cs.p.strides[i], d = cs.p.dil.empty() ? 1 : cs.p.dil[i];
      int64_t pads = cs.p.pads.empty() ? 0 : cs.p.pads[i] + cs.p.pads[i + 2];
      int64_t op = cs.outPad.empty() ? 0 : cs.outPad[i];
      os.push_back(s * (cs.xs[i + 2] - 1) + op + (cs.ws[i + 2] - 1) * d + 1 - pads);
    }
    if (!cs.outPad.empty()) a["output_padding"] = ints(cs.outPad);
    auto got = runOp("ConvTranspose", {in(x), in(w), in(b)}, a);
    expectNear(got[0], os, refConvT(x, w, &b, cs.p, os), 1e-4);
  }
}

TEST(ConvTranspose, OutputShapeAndAutoPad) {
  Tensor x = rnd({1, 1, 3, 3}, 50), w = rnd({1, 2, 3, 3}, 51);
  // Full output is 3*(3-1)+3 = 9 by 2*(3-1)+3 = 7; output_shape [10, 8] gives total padding -1:
  // the extra row/column is appended at the end (begin pad 0).
  auto got = runOp("ConvTranspose", {in(x), in(w)}, {{"strides", ints({3, 2})}, {"output_shape", ints({10, 8})}});
  Shape os{1, 2, 10, 8};
  expectNear(got[0], os, refConvT(x, w, nullptr, {{3, 2}, {0, 0, 0, 0}, {}, 1}, os), 1e-4);
  // output_shape [7, 5]: total padding 2 -> (1, 1) on each side.
  got = runOp("ConvTranspose", {in(x), in(w)}, {{"strides", ints({3, 2})}, {"output_shape", ints({7, 5})}});
  os = {1, 2, 7, 5};
  expectNear(got[0], os, refConvT(x, w, nullptr, {{3, 2}, {1, 1, 1, 1}, {}, 1}, os), 1e-4);
  // SAME_UPPER stride 2: out = 6, total padding 2*2+3-6 = 1 -> begin 0, end 1.
  got = runOp("ConvTranspose", {in(x), in(w)}, {{"strides", ints({2, 2})}, {"auto_pad", Attr::Str("SAME_UPPER")}});
  os = {1, 2, 6, 6};
  expectNear(got[0], os, refConvT(x, w, nullptr, {{2, 2}, {0, 0, 1, 1}, {}, 1}, os), 1e-4);
  got = runOp("ConvTranspose", {in(x), in(w)}, {{"strides", ints({2, 2})}, {"auto_pad", Attr::Str("SAME_LOWER")}});
  expectNear(got[0], os, refConvT(x, w, nullptr, {{2, 2}, {1, 1, 0, 0}, {}, 1}, os), 1e-4);
}

TEST(ConvTranspose, Matches1DAnd3DReference) {
  Tensor x = rnd({1, 2, 2, 3, 2}, 60), w = rnd({2, 3, 2, 2, 3}, 61);
  ConvP p{{2, 1, 2}, {0, 1, 1, 1, 0, 0}, {1, 2, 1}, 1};
  Shape os{1, 3, 2 * 1 + 2 - 1, 1 * 2 + 3 - 1, 2 * 1 + 3 - 1};
  auto got = runOp("ConvTranspose", {in(x), in(w)}, convAttrs(p));
  expectNear(got[0], os, refConvT(x, w, nullptr, p, os), 1e-4);
  Tensor x1 = rnd({2, 2, 5}, 62), w1 = rnd({2, 2, 3}, 63);
  ConvP p1{{3}, {1, 0}, {2}, 2};
  os = {2, 4, 3 * 4 + 5 - 1};
  got = runOp("ConvTranspose", {in(x1), in(w1)}, convAttrs(p1));
  expectNear(got[0], os, refConvT(x1, w1, nullptr, p1, os), 1e-4);
}

TEST(ConvTranspose, BadShapesAreErrors) {
  Tensor x = rnd({1, 4, 3, 3}, 1);
  EXPECT_THROW(runOp("ConvTranspose", {in(x), in(rnd({3, 2, 3, 3}, 2))}), Error);  // W dim 0 != C
  EXPECT_THROW(runOp("ConvTranspose", {in(x), in(rnd({4, 2, 3, 3}, 2))}, {{"group", Attr::Int(3)}}), Error);
  EXPECT_THROW(runOp("ConvTranspose", {in(x), in(rnd({4, 2, 3, 3}, 2)), in(rnd({3}, 3))}), Error);
  EXPECT_THROW(runOp("ConvTranspose", {in(x), in(rnd({4, 2, 3, 3}, 2))}, {{"output_padding", ints({2, 0})}}),
               Error);  // output_padding >= stride
  EXPECT_THROW(runOp("ConvTranspose", {in(x), in(rnd({4, 2, 3, 3}, 2))}, {{"pads", ints({3, 3, 3, 3})}}),
               Error);  // nothing left
  EXPECT_THROW(runOp("ConvTranspose", {in(x), in(rnd({4, 2, 3, 3}, 2))}, {{"output_shape", ints({5})}}), Error);
}

// ---- Gemm ---------------------------------------------------------------------------------

TEST(Gemm, HandComputed) {
  // [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]]
  auto out = runOp("Gemm", {in(f32({2, 2}, {1, 2, 3, 4})), in(f32({2, 2}, {5, 6, 7, 8}))});
  expectNear(out[0], {2, 2}, {19, 22, 43, 50});
  out = runOp("Gemm", {in(f32({2, 2}, {1, 2, 3, 4})), in(f32({2, 2}, {5, 6, 7, 8})), in(f32({2}, {1, -1}))},
              {{"alpha", Attr::Float(2)}, {"beta", Attr::Float(3)}, {"transA", Attr::Int(1)}});
  // A^T = [[1,3],[2,4]]; A^T B = [[26,30],[38,44]]; *2 + 3*[1,-1]
  expectNear(out[0], {2, 2}, {55, 57, 79, 85});
}

TEST(Gemm, MatchesReference) {
  const int64_t m = 5, k = 7, n = 3;
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb)
      for (const Shape& cs : std::vector<Shape>{{}, {1}, {n}, {m, 1}, {1, n}, {m, n}}) {
        Tensor a = rnd(ta ? Shape{k, m} : Shape{m, k}, 70), b = rnd(tb ? Shape{n, k} : Shape{k, n}, 71);
        Tensor c = rnd(cs, 72);
        std::vector<double> want(static_cast<size_t>(m * n));
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) {
            double s = 0;
            for (int64_t q = 0; q < k; ++q)
              s += a.getF(ta ? q * m + i : i * k + q) * b.getF(tb ? j * k + q : q * n + j);
            int64_t ci = cs.size() == 2 ? (cs[0] == 1 ? 0 : i) * cs[1] + (cs[1] == 1 ? 0 : j)
                                        : (cs.empty() || cs[0] == 1 ? 0 : j);
            want[static_cast<size_t>(i * n + j)] = 0.5 * s - 2.0 * c.getF(ci);
          }
        auto got = runOp("Gemm", {in(a), in(b), in(c)},
                         {{"alpha", Attr::Float(0.5f)}, {"beta", Attr::Float(-2.0f)}, {"transA", Attr::Int(ta)},
                          {"transB", Attr::Int(tb)}});
        expectNear(got[0], {m, n}, want, 1e-4);
      }
}

TEST(Gemm, NoBiasFloat64AndInt) {
  auto out = runOp("Gemm", {in(makeTensor(DType::F64, {1, 3}, {1, 2, 3})), in(makeTensor(DType::F64, {3, 1}, {4, 5, 6}))});
  EXPECT_EQ(out[0].dtype(), DType::F64);
  expectNear(out[0], {1, 1}, {32});
  out = runOp("Gemm", {in(makeTensor(DType::I32, {1, 2}, {2, 3})), in(makeTensor(DType::I32, {2, 1}, {4, 5})),
                       in(makeTensor(DType::I32, {1}, {1}))});
  expectNear(out[0], {1, 1}, {24});
}

TEST(Gemm, BadShapesAreErrors) {
  EXPECT_THROW(runOp("Gemm", {in(rnd({2, 3}, 1)), in(rnd({4, 2}, 2))}), Error);
  EXPECT_THROW(runOp("Gemm", {in(rnd({2, 3}, 1)), in(rnd({3, 2}, 2)), in(rnd({3}, 3))}), Error);
  EXPECT_THROW(runOp("Gemm", {in(rnd({2, 3}, 1)), in(rnd({3, 2}, 2)), in(rnd({1, 2, 2}, 3))}), Error);
  EXPECT_THROW(runOp("Gemm", {in(rnd({3}, 1)), in(rnd({3, 2}, 2))}), Error);
  EXPECT_THROW(runOp("Gemm", {in(rnd({2, 3}, 1)), in(rnd({3, 2}, 2))}, {{"transA", Attr::Int(1)}}), Error);
}

// ---- MatMul -------------------------------------------------------------------------------

// Naive numpy matmul for shapes with explicit batch dims (both operands of rank >= 2).
std::vector<double> refMatMul(const Tensor& a, const Tensor& b, const Shape& os) {
  const Shape& as = a.shape();
  const Shape& bs = b.shape();
  const int64_t k = as.back();
  std::vector<double> y(static_cast<size_t>(count(os)));
  forIndex(os, [&](const std::vector<int64_t>& o) {
    double s = 0;
    for (int64_t q = 0; q < k; ++q) {
      std::vector<int64_t> ai(as.size()), bi(bs.size());
      for (size_t i = 0; i + 2 < as.size(); ++i) {
        size_t oi = i + (os.size() - as.size());
        ai[i] = as[i] == 1 ? 0 : o[oi];
      }
      for (size_t i = 0; i + 2 < bs.size(); ++i) {
        size_t oi = i + (os.size() - bs.size());
        bi[i] = bs[i] == 1 ? 0 : o[oi];
      }
      ai[as.size() - 2] = o[os.size() - 2];
      ai[as.size() - 1] = q;
      bi[bs.size() - 2] = q;
      bi[bs.size() - 1] = o[os.size() - 1];
      s += a.getF(flat(as, ai)) * b.getF(flat(bs, bi));
    }
    y[static_cast<size_t>(flat(os, o))] = s;
  });
  return y;
}

TEST(MatMul, OneDimensionalOperands) {
  auto out = runOp("MatMul", {in(f32({3}, {1, 2, 3})), in(f32({3}, {4, 5, 6}))});
  expectNear(out[0], {}, {32});
  out = runOp("MatMul", {in(f32({2}, {1, 2})), in(f32({2, 3}, {1, 2, 3, 4, 5, 6}))});
  expectNear(out[0], {3}, {9, 12, 15});
  out = runOp("MatMul", {in(f32({2, 3}, {1, 2, 3, 4, 5, 6})), in(f32({3}, {1, 0, -1}))});
  expectNear(out[0], {2}, {-2, -2});
  // [2,2,3] x [3] -> [2,2]
  out = runOp("MatMul", {in(f32({2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})), in(f32({3}, {1, 1, 1}))});
  expectNear(out[0], {2, 2}, {6, 15, 24, 33});
  // [3] x [2,3,2] -> [2,2]
  out = runOp("MatMul", {in(f32({3}, {1, 0, 1})), in(f32({2, 3, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}))});
  expectNear(out[0], {2, 2}, {6, 8, 18, 20});
}

TEST(MatMul, BatchedBroadcastMatchesReference) {
  struct Case {
    Shape a, b, out;
  };
  std::vector<Case> cases = {
      {{4, 5}, {5, 3}, {4, 3}},
      {{2, 4, 5}, {5, 3}, {2, 4, 3}},
      {{4, 5}, {2, 5, 3}, {2, 4, 3}},
      {{2, 1, 4, 5}, {3, 5, 2}, {2, 3, 4, 2}},
      {{1, 3, 4, 5}, {2, 1, 5, 2}, {2, 3, 4, 2}},
      {{2, 3, 1, 5}, {1, 1, 5, 6}, {2, 3, 1, 6}},
  };
  uint32_t seed = 80;
  for (const auto& c : cases) {
    Tensor a = rnd(c.a, seed++), b = rnd(c.b, seed++);
    auto got = runOp("MatMul", {in(a), in(b)});
    expectNear(got[0], c.out, refMatMul(a, b, c.out), 1e-4);
  }
  Tensor a = rnd({2, 3, 4}, 90, DType::F64), b = rnd({2, 4, 2}, 91, DType::F64);
  auto got = runOp("MatMul", {in(a), in(b)});
  EXPECT_EQ(got[0].dtype(), DType::F64);
  expectNear(got[0], {2, 3, 2}, refMatMul(a, b, {2, 3, 2}), 1e-12);
}

TEST(MatMul, BadShapesAreErrors) {
  EXPECT_THROW(runOp("MatMul", {in(rnd({2, 3}, 1)), in(rnd({2, 3}, 2))}), Error);
  EXPECT_THROW(runOp("MatMul", {in(rnd({2, 2, 3}, 1)), in(rnd({3, 3, 2}, 2))}), Error);  // batch 2 vs 3
  EXPECT_THROW(runOp("MatMul", {in(rnd({3}, 1)), in(rnd({4}, 2))}), Error);
  EXPECT_THROW(runOp("MatMul", {in(f32({}, {1})), in(rnd({1}, 2))}), Error);
  EXPECT_THROW(runOp("MatMul", {in(rnd({2, 3}, 1)), in(rnd({3, 2}, 2, DType::F64))}), Error);
}

TEST(MatMul, Macs) {
  Graph g;
  runOp("MatMul", {in(rnd({2, 4, 5}, 1)), in(rnd({5, 3}, 2))}, {}, 1, &g);
  EXPECT_EQ(nodeMacs(*g.nodes[0]), 2 * 4 * 3 * 5);
  Graph g2;
  runOp("Gemm", {in(rnd({4, 5}, 1)), in(rnd({3, 5}, 2))}, {{"transB", Attr::Int(1)}}, 1, &g2);
  EXPECT_EQ(nodeMacs(*g2.nodes[0]), 4 * 3 * 5);
}

}  // namespace
}  // namespace tinyc::test
