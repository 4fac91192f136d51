// Naive helpers for the nn/pool/norm op tests: deterministic data and multi-index loops.
#pragma once
#include <cstdint>
#include <vector>

#include "op_test_util.h"

namespace tinyc::test {

// Deterministic pseudo-random values in [-1, 1) on a 1/64 grid.
inline std::vector<double> seq(int64_t n, uint32_t seed) {
  std::vector<double> v(static_cast<size_t>(n));
  uint32_t s = seed * 2654435761u + 12345u;
  for (auto& x : v) {
    s = s * 1664525u + 1013904223u;
    x = static_cast<double>(static_cast<int>((s >> 16) % 128) - 64) / 64.0;
  }
  return v;
}

inline int64_t count(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

inline Tensor rnd(Shape s, uint32_t seed, DType t = DType::F32) {
  int64_t n = count(s);
  return makeTensor(t, std::move(s), seq(n, seed));
}

// Calls f(idx) for every multi-index of `s` in row-major order.
template <typename F>
void forIndex(const Shape& s, F&& f) {
  std::vector<int64_t> idx(s.size(), 0);
  const int64_t total = count(s);
  for (int64_t t = 0; t < total; ++t) {
    f(idx);
    for (int i = static_cast<int>(s.size()) - 1; i >= 0; --i) {
      size_t u = static_cast<size_t>(i);
      if (++idx[u] < s[u]) break;
      idx[u] = 0;
    }
  }
}

// Row-major flat offset of idx in shape s.
inline int64_t flat(const Shape& s, const std::vector<int64_t>& idx) {
  int64_t o = 0;
  for (size_t i = 0; i < s.size(); ++i) o = o * s[i] + idx[i];
  return o;
}

inline std::vector<double> values(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[static_cast<size_t>(i)] = t.getF(i);
  return v;
}

inline Attr ints(std::vector<int64_t> v) { return Attr::Ints(std::move(v)); }

}  // namespace tinyc::test
