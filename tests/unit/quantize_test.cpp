// Post-training quantization: the calibration methods on hand-computed examples, the int8
// parameters of degenerate ranges, and the quantize pass on small graphs (no float island after
// lower-quant, deterministic, no division by zero on all-zero and single-value tensors).
#include <cmath>
#include <random>

#include "backends/c/emit_util.h"
#include "pass_test_util.h"
#include "passes/lower_quant.h"
#include "passes/quantize.h"
#include "support/error.h"

namespace tinyc {
namespace {

TensorStats statsOf(const std::vector<std::pair<double, int64_t>>& valueCounts, bool histogram = true) {
  int64_t n = 0;
  for (const auto& [v, c] : valueCounts) n += c;
  Tensor t(DType::F32, {n});
  int64_t i = 0;
  for (const auto& [v, c] : valueCounts)
    for (int64_t k = 0; k < c; ++k) t.setF(i++, v);
  TensorStats s;
  addMinMax(s, t);
  if (histogram) addHistogram(s, t);
  return s;
}

TEST(Calibrate, MinMaxWidenedToZero) {
  auto s = statsOf({{-1, 1}, {0.5, 1}, {3, 1}}, false);
  EXPECT_EQ(rangeMinMax(s), std::make_pair(-1.0, 3.0));
  s = statsOf({{2, 3}, {5, 1}}, false);  // all positive: 0 is added
  EXPECT_EQ(rangeMinMax(s), std::make_pair(0.0, 5.0));
  s = statsOf({{-4, 2}}, false);
  EXPECT_EQ(rangeMinMax(s), std::make_pair(-4.0, 0.0));
}

TEST(Calibrate, NonFiniteValuesIgnored) {
  auto s = statsOf({{1, 2}, {INFINITY, 1}, {NAN, 1}, {-2, 1}});
  EXPECT_EQ(s.count, 3);
  EXPECT_EQ(rangeMinMax(s), std::make_pair(-2.0, 1.0));
}

TEST(Calibrate, PercentileHandExample) {
  // 9999 x 1.0 and one 1000.0: |x| <= 1000, bins of 1000/2048 = 0.48828125; 1.0 is in signed bin
  // floor(1001 / 0.48828125) = 2050, which holds the 99.99% quantile (9999 of 10000): hi = its upper
  // edge -1000 + 2051 * 0.48828125 = 1.46484375; lo is 0 (all values positive).
  auto s = statsOf({{1.0, 9999}, {1000.0, 1}});
  auto r = rangePercentile(s, 99.99);
  EXPECT_EQ(r.first, 0.0);
  EXPECT_DOUBLE_EQ(r.second, 1.46484375);
  // At 100% nothing is clipped: the upper edge of the last bin, the maximum.
  EXPECT_DOUBLE_EQ(rangePercentile(s, 100.0).second, 1000.0);
  // Two-sided: 0.01% clipped at the bottom too.
  auto t = statsOf({{-1000.0, 1}, {-1.0, 4999}, {1.0, 4999}, {1000.0, 1}});
  auto r2 = rangePercentile(t, 99.99);
  EXPECT_DOUBLE_EQ(r2.first, -1000 + 2045 * 0.48828125);  // the lower edge of -1.0's bin
  EXPECT_DOUBLE_EQ(r2.second, 1.46484375);
}

TEST(Calibrate, EntropyHandExample) {
  // 999 x 1.0 and one 100.0 (one-sided: 256 levels). |x| bins of 100/2048: 1.0 in bin 20, 100 in
  // bin 2047. With all 2048 bins, Q merges 8 bins per level and spreads each level over P's
  // nonzero bins only: Q = P exactly, KL = 0. Any threshold below 100 moves the outlier into P's
  // last bin, where Q (made without the outliers) has nothing: KL > 0. So the range is [0, 100].
  auto s = statsOf({{1.0, 999}, {100.0, 1}});
  auto r = rangeEntropy(s);
  EXPECT_EQ(r.first, 0.0);
  EXPECT_DOUBLE_EQ(r.second, 100.0);
}

TEST(Calibrate, EntropyClipsALongSparseTail) {
  // A dense bulk in [0, 1) and a sparse tail up to 100: the threshold drops below the maximum.
  std::vector<std::pair<double, int64_t>> vc;
  for (int i = 0; i < 1000; ++i) vc.push_back({i / 1000.0, 100});
  vc.push_back({100.0, 1});
  auto r = rangeEntropy(statsOf(vc));
  EXPECT_EQ(r.first, 0.0);
  EXPECT_LT(r.second, 100.0);
  EXPECT_GE(r.second, 1.0);
}

TEST(Calibrate, EntropyKeepsTheRangeOfFewElements) {
  // 256 normal values (an 8-wide bottleneck over 32 calibration samples, as in ad01_fp32): 16
  // elements per bin allows 16 bins, fewer than the 128 levels per side, so one candidate: the whole
  // range. In 2048 bins the divergence of so few elements is noise; it cut ad01_fp32's bottleneck
  // to a few levels (4.9 dB against 42.6 with mse).
  std::mt19937 rng(1);
  std::vector<std::pair<double, int64_t>> vc;
  for (int i = 0; i < 128; ++i) {  // Box-Muller on the generator's raw (portable) output
    const double u1 = (rng() + 1.0) / 4294967297.0, u2 = rng() / 4294967296.0;
    const double r = std::sqrt(-2 * std::log(u1));
    vc.push_back({r * std::cos(2 * M_PI * u2), 1});
    vc.push_back({r * std::sin(2 * M_PI * u2), 1});
  }
  const TensorStats s = statsOf(vc);
  EXPECT_EQ(rangeEntropy(s), rangeMinMax(s));
}

TEST(Calibrate, EntropyIgnoresExactZeros) {
  // Half the elements exactly 0 (a ReLU's output), the rest spread evenly over (0, 1]: nothing is
  // an outlier, so the whole range. Counted in P's first bin, the zeros decided the divergence
  // (Q spreads a level's mass over its bins): a threshold of one bin per level won, 1/8 of the range.
  std::vector<std::pair<double, int64_t>> vc = {{0.0, 10000}};
  for (int i = 1; i <= 1000; ++i) vc.push_back({i / 1000.0, 10});
  auto r = rangeEntropy(statsOf(vc));
  EXPECT_EQ(r.first, 0.0);
  EXPECT_DOUBLE_EQ(r.second, 1.0);
}

TEST(Calibrate, EntropyIgnoresASpikeInTheFirstBin) {
  // mnist8's first convolution: the flat background of a digit gives every pixel its channel's
  // small bias, a spike next to 0 (here 30,000 elements at 0.01, inside the first of 2048 bins of
  // 100 / 2048), over an even spread on (0, 100]. Nothing is an outlier: the whole range. With the
  // spike in P and Q, the divergence cut the range to 37.45.
  std::vector<std::pair<double, int64_t>> vc = {{0.01, 30000}};
  for (int i = 1; i <= 1000; ++i) vc.push_back({i / 10.0, 10});
  auto r = rangeEntropy(statsOf(vc));
  EXPECT_EQ(r.first, 0.0);
  EXPECT_DOUBLE_EQ(r.second, 100.0);
}

TEST(Calibrate, Int16GridKeepsTheRange) {
  // int16 (32768 levels per side, more than the histogram's bins): entropy keeps the range; the
  // long sparse tail of EntropyClipsALongSparseTail is not clipped.
  std::vector<std::pair<double, int64_t>> vc;
  for (int i = 0; i < 1000; ++i) vc.push_back({i / 1000.0, 100});
  vc.push_back({100.0, 1});
  EXPECT_DOUBLE_EQ(rangeEntropy(statsOf(vc), Grid::Int16).second, 100.0);
  // mse on the symmetric int16 grid: with N = 10^6 values at 1.0 and one at 100 the best f is
  // 1 / (1 + N / (32767^2 * 12)) = 0.99992: on the grid k / 100 the full range (int8: 44, below).
  auto s = statsOf({{1.0, 1000000}, {100.0, 1}});
  EXPECT_DOUBLE_EQ(rangeMse(s, Grid::Int16).second, 100.0);
  EXPECT_EQ(rangeMse(s, Grid::Int16).first, 0.0);  // one-sided: the range stays inside [min, max] widened to 0
  // N = 10^10 (as counts): f = 1 / (1 + 10^10 / (32767^2 * 12)) = 0.5630...; on the grid 0.56.
  auto t = statsOf({{1.0, 1}, {100.0, 1}});
  t.hist[static_cast<size_t>(TensorStats::kHalfBins + 20)] = 10000000000LL;  // 1.0's bin (1 / (100 / 2048) = 20.48)
  t.count = 10000000001LL;
  EXPECT_NEAR(rangeMse(t, Grid::Int16).second, 56.0, 1e-9);
}

TEST(Calibrate, MseHandExample) {
  // N = 10^6 values at 1.0 and one at 100: for [0, 100 f] the expected error is
  // N (100 f / 255)^2 / 12 + (100 - 100 f)^2 (the outlier clipped), smallest at
  // f = 1 / (1 + N / (255^2 * 12)) = 0.43829...; on the grid f = k / 100: 0.44, hi = 44.
  auto s = statsOf({{1.0, 1000000}, {100.0, 1}});
  auto r = rangeMse(s);
  EXPECT_EQ(r.first, 0.0);
  EXPECT_NEAR(r.second, 44.0, 1e-9);
  // With 1000 values at 1.0 clipping costs more than it saves: the full range.
  auto t = statsOf({{1.0, 1000}, {100.0, 1}});
  EXPECT_DOUBLE_EQ(rangeMse(t).second, 100.0);
}

TEST(Calibrate, DegenerateStatistics) {
  for (CalibMethod m : {CalibMethod::MinMax, CalibMethod::Percentile, CalibMethod::Entropy, CalibMethod::Mse}) {
    auto zero = statsOf({{0.0, 10}});
    EXPECT_EQ(chooseRange(zero, m), std::make_pair(0.0, 0.0)) << calibMethodName(m);
    auto one = statsOf({{3.0, 10}});
    EXPECT_EQ(chooseRange(one, m).first, 0.0) << calibMethodName(m);
    EXPECT_GT(chooseRange(one, m).second, 0.0) << calibMethodName(m);
    TensorStats empty;
    EXPECT_EQ(chooseRange(empty, m), std::make_pair(0.0, 0.0)) << calibMethodName(m);
  }
}

TEST(QuantParamsOfRange, ZeroIsExact) {
  QuantParams p = activationParams(-1, 3);  // scale 4/255, zero point round(-128 + 63.75) = -64
  EXPECT_FLOAT_EQ(p.scale[0], 4.0f / 255);
  EXPECT_EQ(p.zeroPoint[0], -64);
  p = activationParams(0, 6);  // one-sided: the whole int8 range above 0
  EXPECT_FLOAT_EQ(p.scale[0], 6.0f / 255);
  EXPECT_EQ(p.zeroPoint[0], -128);
  p = activationParams(-2, 0);
  EXPECT_EQ(p.zeroPoint[0], 127);
  p = activationParams(0.5, 2);  // widened to include 0
  EXPECT_FLOAT_EQ(p.scale[0], 2.0f / 255);
  // Degenerate: all zero, or narrower than a float's smallest normal: scale 1, never 0.
  for (double hi : {0.0, 1e-45}) {
    p = activationParams(0, hi);
    EXPECT_EQ(p.scale[0], 1.0f);
    EXPECT_EQ(p.zeroPoint[0], 0);
  }
  EXPECT_EQ(weightScale(0), 1.0f);
  EXPECT_FLOAT_EQ(weightScale(1.27), 0.01f);
}

// x [1, 2, 6, 6] -> Conv 3x3 (fused Relu) -> MaxPool -> Conv 1x1 -> Add(skip) -> GlobalAveragePool
// -> Flatten -> Gemm -> Softmax.
struct SmallNet : G {
  explicit SmallNet(bool zeroConv = false) {
    Value* x = input("x", {1, 2, 6, 6});
    Tensor w1(DType::F32, {4, 2, 3, 3});
    std::uniform_real_distribution<double> u(-1, 1);
    for (int64_t i = 0; i < w1.numel(); ++i) w1.setF(i, zeroConv ? 0.0 : u(rng));
    Value* c1 = node("Conv", "c1", {x, cst("w1", w1), rnd("b1", {4}, zeroConv ? 0 : -0.5, zeroConv ? 0 : 0.5)},
                     {{"pads", Attr::Ints({1, 1, 1, 1})}, {"tinyc.activation", Attr::Str("Relu")}});
    Value* p = node("MaxPool", "p", {c1}, {{"kernel_shape", Attr::Ints({2, 2})}, {"strides", Attr::Ints({2, 2})}});
    Value* c2 = node("Conv", "c2", {p, rnd("w2", {4, 4, 1, 1}), rnd("b2", {4})});
    Value* a = node("Add", "a", {c2, p});
    Value* gp = node("GlobalAveragePool", "gap", {a});
    Value* f = node("Flatten", "f", {gp});
    Value* gm = node("Gemm", "fc", {f, rnd("w3", {3, 4}), rnd("b3", {3})}, {{"transB", Attr::Int(1)}});
    Value* sm = node("Softmax", "sm", {gm});
    finish({sm});
  }
  // The request the quantize pass will read (the caller may change it before running the pass).
  std::shared_ptr<QuantizeRequest> request(const std::vector<std::vector<Tensor>>& samples, CalibMethod m) {
    auto r = std::make_shared<QuantizeRequest>();
    r->samples = samples;
    r->method = m;
    options.quantize = r;
    return r;
  }
  void quantize(const std::vector<std::vector<Tensor>>& samples, CalibMethod m) {
    request(samples, m);
    run("quantize,lower-quant");
  }
};

std::vector<std::vector<Tensor>> samplesFor(G& net, int n) {
  std::vector<std::vector<Tensor>> s;
  for (int k = 0; k < n; ++k) s.push_back(net.inputs(100 + static_cast<unsigned>(k)));
  return s;
}

TEST(QuantizePass, IntegerGraphWithoutFloatIslands) {
  for (CalibMethod m : {CalibMethod::MinMax, CalibMethod::Percentile, CalibMethod::Entropy, CalibMethod::Mse}) {
    SmallNet net;
    auto samples = samplesFor(net, 8);
    auto want = Interpreter(net.g).run(samples[0]);
    net.quantize(samples, m);
    EXPECT_TRUE(floatIslands(net.g).empty()) << calibMethodName(m) << "\n" << net.ir();
    // Only the float edges quantize and dequantize.
    EXPECT_EQ(net.count("QuantizeLinear"), 1) << net.ir();
    EXPECT_EQ(net.count("DequantizeLinear"), 1) << net.ir();
    EXPECT_TRUE(has(net.ir(), "Softmax \"sm\"(")) << net.ir();
    // Weights in int8 (1 byte per parameter), biases int32.
    int64_t i8 = 0, f32 = 0;
    for (const auto& v : net.g.values)
      if (v->constant && v->constant->numel() > 8) (v->dtype == DType::I8 ? i8 : f32) += v->constant->numel();
    EXPECT_EQ(i8, 4 * 2 * 9 + 4 * 4 + 3 * 4) << net.ir();
    EXPECT_EQ(f32, 0) << net.ir();
    // Graph input and output stay float; the quantized probabilities are close to the float ones.
    EXPECT_EQ(net.g.inputs[0]->dtype, DType::F32);
    EXPECT_EQ(net.g.outputs[0]->dtype, DType::F32);
    auto got = Interpreter(net.g).run(samples[0]);
    Comparison c = compareTensors(got[0], want[0], {0, 0.03, false});
    EXPECT_TRUE(c.ok) << calibMethodName(m) << ": " << c.why;
  }
}

TEST(QuantizePass, SoftmaxOutputTakesTheWholeUnitRange) {
  // Whatever the method, the probabilities get [0, 1]: scale 1/255, zero point -128 (0 and 1 on
  // the grid), not the calibrated range (which clipped saturated probabilities of unseen inputs).
  for (CalibMethod m : {CalibMethod::MinMax, CalibMethod::Percentile, CalibMethod::Entropy, CalibMethod::Mse}) {
    SmallNet net;
    net.quantize(samplesFor(net, 8), m);
    const Node* sm = nullptr;
    for (const auto& n : net.g.nodes)
      if (n->name == "sm") sm = n.get();
    ASSERT_TRUE(sm && sm->outputs[0]->quant) << net.ir();
    EXPECT_EQ(sm->outputs[0]->dtype, DType::I8);
    EXPECT_FLOAT_EQ(sm->outputs[0]->quant->scale.at(0), 1.0f / 255) << calibMethodName(m);
    EXPECT_EQ(sm->outputs[0]->quant->zeroPoint.at(0), -128) << calibMethodName(m);
  }
}

TEST(QuantizePass, Deterministic) {
  std::string first;
  for (int k = 0; k < 2; ++k) {
    SmallNet net;
    net.quantize(samplesFor(net, 5), CalibMethod::Mse);
    if (k == 0)
      first = net.ir();
    else
      EXPECT_EQ(net.ir(), first);
  }
}

void expectSaneScales(const Graph& g) {
  for (const auto& v : g.values) {
    if (!v->quant) continue;
    for (float s : v->quant->scale) EXPECT_TRUE(std::isfinite(s) && s > 0) << v->name << " scale " << s;
  }
}

TEST(QuantizePass, AllZeroTensorNoDivisionByZero) {
  // c1's weights and bias are all zero: its output (and the max pool's) is 0 for every sample.
  for (CalibMethod m : {CalibMethod::MinMax, CalibMethod::Percentile, CalibMethod::Entropy, CalibMethod::Mse}) {
    SmallNet net(/*zeroConv=*/true);
    auto samples = samplesFor(net, 3);
    auto want = Interpreter(net.g).run(samples[0]);
    net.quantize(samples, m);
    expectSaneScales(net.g);
    EXPECT_TRUE(floatIslands(net.g).empty()) << net.ir();
    auto got = Interpreter(net.g).run(samples[0]);
    Comparison c = compareTensors(got[0], want[0], {0, 0.03, false});
    EXPECT_TRUE(c.ok) << calibMethodName(m) << ": " << c.why;
  }
}

TEST(QuantizePass, SingleValueTensors) {
  // Every sample is the same constant image: every tensor holds one value per element position,
  // the input a single value.
  for (CalibMethod m : {CalibMethod::MinMax, CalibMethod::Percentile, CalibMethod::Entropy, CalibMethod::Mse}) {
    SmallNet net;
    Tensor x(DType::F32, {1, 2, 6, 6});
    for (int64_t i = 0; i < x.numel(); ++i) x.setF(i, 0.75);
    auto want = Interpreter(net.g).run({x});
    net.quantize({{x}, {x}}, m);
    expectSaneScales(net.g);
    EXPECT_TRUE(floatIslands(net.g).empty()) << net.ir();
    auto got = Interpreter(net.g).run({x});
    Comparison c = compareTensors(got[0], want[0], {0, 0.03, false});
    EXPECT_TRUE(c.ok) << calibMethodName(m) << ": " << c.why;
  }
}

TEST(QuantizePass, ActivationWithoutIntegerFormIsUnfusedIntoATable) {
  // Gemm with a fused Sigmoid (and one with LeakyRelu): the Gemm runs in int8, the activation
  // becomes a 256-entry table, the output is close to the float one.
  for (const char* act : {"Sigmoid", "LeakyRelu", "Tanh", "HardSwish"}) {
    G net;
    Value* x = net.input("x", {1, 6});
    AttrMap a = {{"transB", Attr::Int(1)}, {"tinyc.activation", Attr::Str(act)}};
    if (std::string(act) == "LeakyRelu") a["tinyc.activation_params"] = Attr::Floats({0.1f});
    Value* h = net.node("Gemm", "fc1", {x, net.rnd("w1", {5, 6}), net.rnd("b1", {5})}, a);
    Value* y = net.node("Gemm", "fc2", {h, net.rnd("w2", {3, 5}), net.rnd("b2", {3})}, {{"transB", Attr::Int(1)}});
    net.finish({y});
    auto samples = samplesFor(net, 16);
    auto want = Interpreter(net.g).run(samples[0]);
    auto r = std::make_shared<QuantizeRequest>();
    r->samples = samples;
    net.options.quantize = r;
    net.run("quantize,lower-quant");
    EXPECT_TRUE(floatIslands(net.g).empty()) << act << "\n" << net.ir();
    EXPECT_EQ(net.count(kLookupTableOp), 1) << act << "\n" << net.ir();
    EXPECT_EQ(net.count("Gemm"), 2) << net.ir();
    auto got = Interpreter(net.g).run(samples[0]);
    Comparison c = compareTensors(got[0], want[0], {0, 0.05, true});
    EXPECT_TRUE(c.ok) << act << ": " << c.why;
  }
}

// --weight-bits 4: the layers that keep their own SQNR get int4 weights (values in [-7, 7],
// QuantParams::bits = 4, half a byte per weight in the report), the others int8; the output stays
// close to the float one; deterministic.
TEST(QuantizePass, Int4WeightsWhereTheLayerAllows) {
  std::string first;
  for (int k = 0; k < 2; ++k) {
    SmallNet net;
    auto samples = samplesFor(net, 8);
    auto want = Interpreter(net.g).run(samples[0]);
    auto r = net.request(samples, CalibMethod::Mse);
    r->weightBits = 4;
    net.run("quantize");
    std::map<std::string, int64_t> params = {{"c1", 4 * 2 * 9}, {"c2", 4 * 4}, {"fc", 3 * 4}};
    std::map<std::string, int64_t> channels = {{"c1", 4}, {"c2", 4}, {"fc", 3}};
    int int4 = 0;
    for (const QuantizedLayer& l : *r->layers) {
      if (!params.count(l.node)) continue;
      ASSERT_TRUE(l.int4SqnrDb.has_value()) << l.node;
      EXPECT_EQ(l.precision, *l.int4SqnrDb >= kInt4MinSqnrDb ? "int4" : "int8") << l.node;
      const int64_t w = l.precision == "int4" ? (params[l.node] + 1) / 2 : params[l.node];
      EXPECT_EQ(l.weightBytes, w + 4 * channels[l.node]) << l.node;  // + the int32 bias
      int4 += l.precision == "int4";
    }
    EXPECT_GE(int4, 1);
    for (const auto& v : net.g.values) {
      if (!v->constant || !v->quant || v->dtype != DType::I8 || v->quant->bits != 4) continue;
      for (int64_t i = 0; i < v->constant->numel(); ++i) {
        EXPECT_GE(v->constant->getI(i), -7) << v->name;
        EXPECT_LE(v->constant->getI(i), 7) << v->name;
      }
    }
    net.run("lower-quant");
    EXPECT_TRUE(floatIslands(net.g).empty()) << net.ir();
    auto got = Interpreter(net.g).run(samples[0]);
    Comparison c = compareTensors(got[0], want[0], {0, 0.1, false});
    EXPECT_TRUE(c.ok) << c.why;
    if (k == 0)
      first = net.ir();
    else
      EXPECT_EQ(net.ir(), first);
  }
}

// Bias correction: weights that all round the same way (0.006 on a step of 1/127 = 0.00787) shift
// a 1x1 Conv's output on positive inputs by about 7 x 0.00187; the pass moves the mean of that
// shift into the bias, --no-bias-correction (biasCorrection = false) leaves it.
TEST(QuantizePass, BiasCorrectionRemovesTheWeightsMeanError) {
  auto meanError = [](bool correct) {
    G net;
    Value* x = net.input("x", {1, 8, 4, 4});
    Tensor w(DType::F32, {1, 8, 1, 1});
    w.setF(0, 1.0);
    for (int64_t i = 1; i < 8; ++i) w.setF(i, 0.006);
    Tensor b(DType::F32, {1});
    b.setF(0, 0.25);
    net.finish({net.node("Conv", "c", {x, net.cst("w", w), net.cst("b", b)})});
    std::vector<std::vector<Tensor>> samples;
    std::uniform_real_distribution<double> u(0.5, 1.5);
    for (int k = 0; k < 16; ++k) {
      Tensor t(DType::F32, {1, 8, 4, 4});
      for (int64_t i = 0; i < t.numel(); ++i) t.setF(i, u(net.rng));
      samples.push_back({t});
    }
    std::vector<Tensor> want;
    for (const auto& s : samples) want.push_back(Interpreter(net.g).run(s)[0]);
    auto r = std::make_shared<QuantizeRequest>();
    r->samples = samples;
    r->method = CalibMethod::MinMax;
    r->biasCorrection = correct;
    net.options.quantize = r;
    net.run("quantize,lower-quant");
    double sum = 0, n = 0;
    for (size_t k = 0; k < samples.size(); ++k) {
      const Tensor got = Interpreter(net.g).run(samples[k])[0];
      for (int64_t i = 0; i < got.numel(); ++i) sum += got.getF(i) - want[k].getF(i), n += 1;
    }
    return sum / n;
  };
  const double without = meanError(false), with = meanError(true);
  EXPECT_NEAR(without, 7 * (1.0 / 127 - 0.006), 0.004);  // inputs average 1.0
  EXPECT_LT(std::fabs(with), 0.002) << "without: " << without;
}

// --quantize int16x8: int16 activations (zero point 0) everywhere the integer path has an int16
// form (the Softmax stays float), int8 weights; closer to the float output than int8; the reference
// kernels agree with the graph's own QDQ form within a step of the output.
TEST(QuantizePass, Int16ActivationsInt8Weights) {
  SmallNet net;
  auto samples = samplesFor(net, 8);
  auto want = Interpreter(net.g).run(samples[0]);
  auto r = net.request(samples, CalibMethod::MinMax);
  r->scheme = "int16x8";
  net.run("quantize,lower-quant");
  auto islands = floatIslands(net.g);
  ASSERT_EQ(islands.size(), 1u) << net.ir();
  EXPECT_EQ(islands[0]->opType, "Softmax");
  int i16 = 0;
  for (const auto& v : net.g.values) {
    if (v->constant || !v->quant) continue;
    EXPECT_EQ(v->dtype, DType::I16) << v->name;
    EXPECT_EQ(v->quant->zeroPoint[0], 0) << v->name;
    ++i16;
  }
  EXPECT_GE(i16, 6) << net.ir();
  for (const char* op : {"Conv", "Add", "GlobalAveragePool", "Gemm"})
    for (const auto& n : net.g.nodes)
      if (n->opType == op) {
        EXPECT_EQ(n->inputs[0]->dtype, DType::I16) << n->name;
      }
  for (const QuantizedLayer& l : *r->layers) EXPECT_EQ(l.precision, l.op == "Softmax" ? "float" : "int16") << l.node;
  auto got = Interpreter(net.g).run(samples[0]);
  Comparison c = compareTensors(got[0], want[0], {0, 0.002, false});
  EXPECT_TRUE(c.ok) << c.why;
}

// Mixed precision (--min-sqnr's int16 step): the layers in int16Layers run on int16 activations,
// the others on int8; where the types meet, a tinyc.Requantize; no float island; deterministic.
TEST(QuantizePass, MixedInt8AndInt16Layers) {
  std::string first;
  for (int k = 0; k < 2; ++k) {
    SmallNet net;
    auto samples = samplesFor(net, 8);
    auto want = Interpreter(net.g).run(samples[0]);
    auto r = net.request(samples, CalibMethod::MinMax);
    r->int16Layers = {"c2", "fc"};
    net.run("quantize,lower-quant");
    EXPECT_TRUE(floatIslands(net.g).empty()) << net.ir();
    std::map<std::string, DType> in;
    for (const auto& n : net.g.nodes)
      if (n->input(0)) in[n->name] = n->inputs[0]->dtype;
    EXPECT_EQ(in["c1"], DType::I8) << net.ir();
    EXPECT_EQ(in["a"], DType::I8) << net.ir();
    EXPECT_EQ(in["c2"], DType::I16) << net.ir();
    EXPECT_EQ(in["fc"], DType::I16) << net.ir();
    EXPECT_EQ(in["sm"], DType::I8) << net.ir();  // (Softmax: int8 only)
    // p -> c2, c2 -> the Add, the pool -> fc, fc -> the Softmax
    EXPECT_EQ(net.count(kRequantizeOp), 4) << net.ir();
    for (const QuantizedLayer& l : *r->layers)
      EXPECT_EQ(l.precision, l.node == "c2" || l.node == "fc" ? "int16" : "int8") << l.node;
    auto got = Interpreter(net.g).run(samples[0]);
    Comparison c = compareTensors(got[0], want[0], {0, 0.03, false});
    EXPECT_TRUE(c.ok) << c.why;
    if (k == 0)
      first = net.ir();
    else
      EXPECT_EQ(net.ir(), first);
  }
}

// int4 packing round-trips: every pair of values in [-8, 7], read back as runtime/qint.c's
// TINYC_I4LO / TINYC_I4HI do ((nibble ^ 8) - 8); an odd count leaves the last high half 0.
TEST(Int4Packing, RoundTrips) {
  int64_t n = 0;  // every pair (a, b) in order, then one odd element
  Tensor v(DType::I8, {2 * 256 + 1});
  for (int64_t a = -8; a < 8; ++a)
    for (int64_t b = -8; b < 8; ++b) v.setI(n++, a), v.setI(n++, b);
  v.setI(n, -5);
  const Tensor p = c::packInt4(v);
  ASSERT_EQ(p.numel(), 257);
  auto lo = [](uint32_t byte) { return static_cast<int64_t>(((byte & 15) ^ 8)) - 8; };
  auto hi = [](uint32_t byte) { return static_cast<int64_t>(((byte >> 4) ^ 8)) - 8; };
  for (int64_t i = 0; i < v.numel(); ++i) {
    const uint32_t byte = static_cast<uint8_t>(p.getI(i / 2));
    EXPECT_EQ(i % 2 ? hi(byte) : lo(byte), v.getI(i)) << i;
  }
  EXPECT_EQ(static_cast<uint8_t>(p.getI(256)) >> 4, 0);
}

TEST(QuantizePass, NothingWithoutARequest) {
  SmallNet net;
  const std::string before = net.ir();
  EXPECT_FALSE(net.run("quantize"));
  EXPECT_EQ(net.ir(), before);
}

TEST(QuantizePass, AlreadyQuantizedModelIsAUsageError) {
  SmallNet net;
  auto samples = samplesFor(net, 2);
  net.quantize(samples, CalibMethod::MinMax);
  try {
    net.run("quantize");
    FAIL() << "expected a usage error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Usage);
  }
}

}  // namespace
}  // namespace tinyc
