#include "ops/layout.h"

#include <cstring>

#include "ops/util.h"

namespace tinyc {

std::vector<int64_t> channelsLastPerm(size_t rank) {
  std::vector<int64_t> p{0};
  for (size_t i = 2; i < rank; ++i) p.push_back(static_cast<int64_t>(i));
  if (rank > 1) p.push_back(1);
  return p;
}

std::vector<int64_t> channelsFirstPerm(size_t rank) { return inversePerm(channelsLastPerm(rank)); }

std::vector<int64_t> inversePerm(const std::vector<int64_t>& perm) {
  std::vector<int64_t> inv(perm.size());
  for (size_t k = 0; k < perm.size(); ++k) inv[static_cast<size_t>(perm[k])] = static_cast<int64_t>(k);
  return inv;
}

Shape permuteShape(const Shape& s, const std::vector<int64_t>& perm) {
  Shape out;
  for (int64_t p : perm) out.push_back(s.at(static_cast<size_t>(p)));
  return out;
}

Tensor permuteTensor(const Tensor& t, const std::vector<int64_t>& perm) {
  Tensor out(t.dtype(), permuteShape(t.shape(), perm));
  const int64_t n = t.numel();
  if (n == 0) return out;
  const size_t r = perm.size(), es = dtypeSize(t.dtype());
  const auto inStrides = stridesOf(t.shape());
  std::vector<int64_t> step(r);  // input stride of each output dim
  for (size_t k = 0; k < r; ++k) step[k] = inStrides[static_cast<size_t>(perm[k])];
  std::vector<int64_t> idx(r, 0);
  const auto* src = static_cast<const uint8_t*>(t.raw());
  auto* dst = static_cast<uint8_t*>(out.raw());
  int64_t off = 0;
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(dst + static_cast<size_t>(i) * es, src + static_cast<size_t>(off) * es, es);
    for (size_t k = r; k-- > 0;) {  // odometer over the output index
      off += step[k];
      if (++idx[k] < out.shape()[k]) break;
      off -= step[k] * idx[k];
      idx[k] = 0;
    }
  }
  return out;
}

bool isChannelsLast(const Node& n) {
  auto it = n.attrs.find(kLayoutAttr);
  return it != n.attrs.end() && it->second.kind == Attr::Kind::String && it->second.s == kLayoutNhwc;
}

bool readsChannelsFirst(const Node& n) {
  auto it = n.attrs.find(kNchwInputAttr);
  return isChannelsLast(n) && it != n.attrs.end() && it->second.kind == Attr::Kind::Int && it->second.i == 1;
}

namespace {

void checkLayoutNode(const Node& n) {
  if (!n.op || n.op->layoutInputs <= 0) modelError("{}: the op has no channels-last form", n.where());
  for (size_t i = 1; i < n.outputs.size(); ++i)
    if (n.outputs[i]) modelError("{}: channels-last form supports output 0 only", n.where());
  for (int i = 0; i < n.op->layoutInputs; ++i) {
    const Value* v = n.input(static_cast<size_t>(i));
    if (v && v->shape.size() < 3) modelError("{}: channels-last input {} must have rank >= 3", n.where(), i);
  }
}

}  // namespace

ChannelsFirstTwin::ChannelsFirstTwin(const Node& n) : node_(n) {
  checkLayoutNode(n);
  node_.attrs.erase(kLayoutAttr);
  node_.attrs.erase(kNchwInputAttr);
  const bool chw0 = readsChannelsFirst(n);
  ins_.resize(n.inputs.size());
  outs_.resize(n.outputs.size());
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (!n.inputs[i]) continue;
    ins_[i] = *n.inputs[i];
    if (static_cast<int>(i) < n.op->layoutInputs && !(i == 0 && chw0)) {
      ins_[i].shape = permuteShape(ins_[i].shape, channelsFirstPerm(ins_[i].shape.size()));
      ins_[i].constant = nullptr;  // contents are in the other layout; the ops' inference reads shapes only
      ins_[i].known = nullptr;
    }
    node_.inputs[i] = &ins_[i];
  }
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    if (!n.outputs[i]) continue;
    outs_[i] = *n.outputs[i];
    if (i == 0 && !outs_[i].shape.empty())
      outs_[i].shape = permuteShape(outs_[i].shape, channelsFirstPerm(outs_[i].shape.size()));
    node_.outputs[i] = &outs_[i];
  }
}

void inferNode(InferCtx& c) {
  if (!isChannelsLast(c.node)) return c.node.op->infer(c);
  ChannelsFirstTwin t(c.node);
  InferCtx tc(t.node());
  c.node.op->infer(tc);
  for (size_t i = 0; i < c.node.outputs.size(); ++i) {
    if (!c.node.outputs[i]) continue;
    Shape s = t.node().outputs[i]->shape;
    if (i == 0) s = permuteShape(s, channelsLastPerm(s.size()));
    c.setOutput(static_cast<int>(i), t.node().outputs[i]->dtype, s);
  }
}

void evalLayoutAware(const Node& n, EvalCtx& c) {
  if (!isChannelsLast(n)) return n.op->eval(c);
  ChannelsFirstTwin t(n);
  std::vector<Tensor> ins;
  ins.reserve(c.in.size());
  EvalCtx tc{t.node(), c.in, c.out};
  for (size_t i = 0; i < c.in.size() && static_cast<int>(i) < n.op->layoutInputs; ++i) {
    if (!c.in[i] || (i == 0 && readsChannelsFirst(n))) continue;
    ins.push_back(permuteTensor(*c.in[i], channelsFirstPerm(static_cast<size_t>(c.in[i]->rank()))));
    tc.in[i] = &ins.back();
  }
  Tensor y0(c.out[0]->dtype(), t.node().outputs[0]->shape);
  tc.out[0] = &y0;
  n.op->eval(tc);
  *c.out[0] = permuteTensor(y0, channelsLastPerm(static_cast<size_t>(y0.rank())));
}

int64_t macsLayoutAware(const Node& n) {
  if (!n.op || !n.op->macs) return 0;
  if (!isChannelsLast(n)) return n.op->macs(n);
  ChannelsFirstTwin t(n);
  return n.op->macs(t.node());
}

}  // namespace tinyc
