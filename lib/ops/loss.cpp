// Loss functions, for models exported with their loss (inference still computes them):
// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (LogSoftmax over axis 1, then NLL).
// Computed in double, as the C kernels on the generic target (runtime/loss.c).
#include <cmath>

#include "ops/util.h"

namespace tinyc {
namespace {

enum class Reduction { None, Sum, Mean };

Reduction reductionOf(const Node& n) {
  const std::string& r = n.attrStr("reduction");
  if (r == "none") return Reduction::None;
  if (r == "sum") return Reduction::Sum;
  if (r == "mean") return Reduction::Mean;
  modelError("{}: reduction must be none, sum or mean, got '{}'", n.where(), printable(r));
}

// Checks input (scores / log-probabilities) [N, C, d...], target [N, d...] and weight [C];
// sets the loss output's shape.
void inferLossCommon(InferCtx& c, int targetInput) {
  const Shape& x = c.shape(0);
  if (!isFloat(c.dtype(0))) c.fail("input must be a float type, got {}", dtypeName(c.dtype(0)));
  if (x.size() < 2) c.fail("input must have rank 2 or more ([N, C, ...]), got {}", shapeStr(x));
  const DType tt = c.dtype(targetInput);
  if (tt != DType::I32 && tt != DType::I64) c.fail("target must be int32 or int64, got {}", dtypeName(tt));
  Shape want = x;
  want.erase(want.begin() + 1);
  if (c.shape(targetInput) != want) c.fail("target shape {} does not match input {}", shapeStr(c.shape(targetInput)), shapeStr(x));
  if (c.has(targetInput + 1) && (c.shape(targetInput + 1) != Shape{x[1]} || c.dtype(targetInput + 1) != c.dtype(0)))
    c.fail("weight must be [C] of the input's type");
  c.setOutput(0, c.dtype(0), reductionOf(c.node) == Reduction::None ? want : Shape{});
}

// loss[n, d] = -logp[n, t, d] * w[t] (0 where t = ignore_index); sum, or mean over the weights
// of the targets not ignored. logp: [N, C, D] as doubles.
void nll(const Node& n, const std::vector<double>& logp, const Tensor& target, const Tensor* weight, int64_t N,
         int64_t C, int64_t D, Tensor& out) {
  const Reduction red = reductionOf(n);
  const bool hasIgnore = n.hasAttr("ignore_index");
  const int64_t ignore = hasIgnore ? n.attrInt("ignore_index") : 0;
  double sum = 0, wsum = 0;
  for (int64_t i = 0; i < N; ++i)
    for (int64_t d = 0; d < D; ++d) {
      const int64_t t = target.getI(i * D + d);
      double loss = 0;
      if (!(hasIgnore && t == ignore)) {
        if (t < 0 || t >= C) modelError("{}: target {} is out of range for {} classes", n.where(), t, C);
        const double w = weight ? weight->getF(t) : 1.0;
        loss = -logp[static_cast<size_t>((i * C + t) * D + d)] * w;
        wsum += w;
      }
      if (red == Reduction::None) out.setF(i * D + d, loss);
      sum += loss;
    }
  if (red == Reduction::Sum) out.setF(0, sum);
  if (red == Reduction::Mean) out.setF(0, sum / wsum);  // (NaN when every target is ignored, as numpy)
}

void dims(const Shape& x, int64_t* N, int64_t* C, int64_t* D) {
  *N = x[0], *C = x[1], *D = 1;
  for (size_t i = 2; i < x.size(); ++i) *D *= x[i];
}

void inferNll(InferCtx& c) { inferLossCommon(c, 1); }
void evalNll(EvalCtx& c) {
  int64_t N, C, D;
  dims(c.in[0]->shape(), &N, &C, &D);
  std::vector<double> logp(static_cast<size_t>(c.in[0]->numel()));
  for (int64_t i = 0; i < c.in[0]->numel(); ++i) logp[static_cast<size_t>(i)] = c.in[0]->getF(i);
  nll(c.node, logp, *c.in[1], c.has(2) ? c.in[2] : nullptr, N, C, D, *c.out[0]);
}

void inferSce(InferCtx& c) {
  inferLossCommon(c, 1);
  if (c.numOutputs() > 1) c.setOutput(1, c.dtype(0), c.shape(0));
}
// log_prob = x - max - log(sum exp(x - max)) over C, in double.
void evalSce(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  int64_t N, C, D;
  dims(x.shape(), &N, &C, &D);
  std::vector<double> logp(static_cast<size_t>(x.numel()));
  for (int64_t i = 0; i < N; ++i)
    for (int64_t d = 0; d < D; ++d) {
      double m = -INFINITY, s = 0;
      for (int64_t k = 0; k < C; ++k) m = std::max(m, x.getF((i * C + k) * D + d));
      for (int64_t k = 0; k < C; ++k) s += std::exp(x.getF((i * C + k) * D + d) - m);
      const double ls = std::log(s);
      for (int64_t k = 0; k < C; ++k) {
        const int64_t at = (i * C + k) * D + d;
        logp[static_cast<size_t>(at)] = x.getF(at) - m - ls;
      }
    }
  if (c.out.size() > 1 && c.out[1])
    for (int64_t i = 0; i < x.numel(); ++i) c.out[1]->setF(i, logp[static_cast<size_t>(i)]);
  nll(c.node, logp, *c.in[1], c.has(2) ? c.in[2] : nullptr, N, C, D, *c.out[0]);
}

OpDef lossOp(const char* name, InferFn infer, EvalFn eval, const char* doc) {
  OpDef d;
  d.name = name;
  d.minInputs = 2;
  d.maxInputs = 3;
  d.infer = infer;
  d.eval = eval;
  d.doc = doc;
  d.attrs = {{"reduction", Attr::Kind::String, Attr::Str("mean"), false},
             {"ignore_index", Attr::Kind::Int, std::nullopt, false}};
  return d;
}

}  // namespace

void registerLossOps(OpRegistry& r) {
  r.add(lossOp("NegativeLogLikelihoodLoss", inferNll, evalNll,
               "-input[n, target, ...] * weight[target] with reduction none / sum / mean (ignore_index)"));
  OpDef sce = lossOp("SoftmaxCrossEntropyLoss", inferSce, evalSce,
                     "NegativeLogLikelihoodLoss of LogSoftmax over axis 1; optional output 1: the log-probabilities");
  sce.maxOutputs = 2;
  r.add(sce);
}

}  // namespace tinyc
