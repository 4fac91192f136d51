#include "backends/c/emit_util.h"

namespace tinyc::c {

std::vector<int64_t> bcastStrides(const Shape& in, const Shape& out) {
  std::vector<int64_t> st(out.size(), 0);
  int64_t s = 1;
  for (int i = static_cast<int>(in.size()) - 1; i >= 0; --i) {
    size_t o = out.size() - in.size() + static_cast<size_t>(i);
    st[o] = in[static_cast<size_t>(i)] == 1 ? 0 : s;
    s *= in[static_cast<size_t>(i)];
  }
  return st;
}

bool channelBroadcast(const Shape& b, const Shape& out, int64_t* chans, int64_t* inner) {
  if (b.size() > out.size()) return false;
  Shape full(out.size() - b.size(), 1);
  full.insert(full.end(), b.begin(), b.end());
  int first = -1, last = -1;
  for (size_t i = 0; i < full.size(); ++i) {
    if (full[i] == out[i] && out[i] != 1) {
      if (first < 0) first = static_cast<int>(i);
      else if (last != static_cast<int>(i) - 1) return false;
      last = static_cast<int>(i);
    } else if (full[i] != 1) {
      return false;
    }
  }
  if (first < 0) return false;
  *chans = 1;
  for (int i = first; i <= last; ++i) *chans *= out[static_cast<size_t>(i)];
  *inner = 1;
  for (size_t i = static_cast<size_t>(last) + 1; i < out.size(); ++i) *inner *= out[i];
  return true;
}

Tensor packInt4(const Tensor& w) {
  Tensor out(DType::I8, {(w.numel() + 1) / 2});
  for (int64_t i = 0; i < w.numel(); i += 2) {
    const int64_t lo = w.getI(i) & 15, hi = i + 1 < w.numel() ? w.getI(i + 1) & 15 : 0;
    out.setI(i / 2, static_cast<int8_t>(static_cast<uint8_t>(lo | hi << 4)));
  }
  return out;
}

}  // namespace tinyc::c
