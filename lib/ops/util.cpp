#include "ops/util.h"

#include <algorithm>

namespace tinyc {

Shape broadcastShapes(const InferCtx& ctx, const Shape& a, const Shape& b) {
  size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da == db || db == 1)
      out[i] = da;
    else if (da == 1)
      out[i] = db;
    else
      ctx.fail("shapes {} and {} cannot be broadcast", shapeStr(a), shapeStr(b));
  }
  return out;
}

Shape broadcastInputs(const InferCtx& ctx) {
  Shape s;
  bool first = true;
  for (int i = 0; i < ctx.numInputs(); ++i) {
    if (!ctx.has(i)) continue;
    s = first ? ctx.shape(i) : broadcastShapes(ctx, s, ctx.shape(i));
    first = false;
  }
  return s;
}

std::vector<int64_t> stridesOf(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (int i = static_cast<int>(s.size()) - 2; i >= 0; --i)
    st[static_cast<size_t>(i)] = st[static_cast<size_t>(i + 1)] * s[static_cast<size_t>(i + 1)];
  return st;
}

std::vector<int64_t> broadcastStrides(const Shape& in, const Shape& out) {
  std::vector<int64_t> st(out.size(), 0);
  auto inSt = stridesOf(in);
  size_t off = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) st[i + off] = in[i] == 1 ? 0 : inSt[i];
  return st;
}

int64_t broadcastOffset(int64_t o, const Shape& out, const std::vector<int64_t>& inStrides) {
  int64_t off = 0;
  for (int d = static_cast<int>(out.size()) - 1; d >= 0; --d) {
    size_t du = static_cast<size_t>(d);
    int64_t i = o % out[du];
    o /= out[du];
    off += i * inStrides[du];
  }
  return off;
}

int normAxis(const Node& n, int64_t axis, int rank) {
  if (axis < -rank || axis >= std::max(rank, 1))
    modelError("{}: axis {} is out of range for rank {}", n.where(), axis, rank);
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

}  // namespace tinyc
