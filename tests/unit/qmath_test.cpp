// The fixed-point arithmetic of the integer path (lib/ops/qmath.h, lib/ops/qparams.cpp) against
// high-precision references: 128-bit integers for the requantization, long double for the
// multipliers and the softmax.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

#include "ir/graph.h"
#include "ops/qmath.h"
#include "ops/qparams.h"

namespace tinyc::test {
namespace {

// floor((acc * mult + 2^(n-1)) / 2^n) exactly, then the documented clamps.
int32_t exactRequant(int32_t acc, int32_t mult, int32_t n, int32_t zp, int32_t lo, int32_t hi) {
  const __int128 p = static_cast<__int128>(acc) * mult + (static_cast<__int128>(1) << (n - 1));
  __int128 r = p >= 0 ? p >> n : -((-p + ((static_cast<__int128>(1) << n) - 1)) >> n);  // floor division
  if (r > INT32_MAX / 2) r = INT32_MAX / 2;
  if (r < INT32_MIN / 2) r = INT32_MIN / 2;
  r += zp;
  return static_cast<int32_t>(r < lo ? lo : r > hi ? hi : r);
}

TEST(QMath, RequantMatchesExactRoundingEverywhere) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int32_t> accD(INT32_MIN, INT32_MAX), multD(1 << 30, INT32_MAX), shiftD(1, 62);
  std::uniform_int_distribution<int32_t> zpD(-128, 127);
  const int32_t edges[] = {INT32_MIN, INT32_MIN + 1, -65536, -1, 0, 1, 65535, INT32_MAX - 1, INT32_MAX};
  int64_t checked = 0;
  for (int i = 0; i < 200000; ++i) {
    const int32_t mult = multD(rng), n = shiftD(rng), zp = zpD(rng);
    const int32_t acc = i < 9 * 62 ? edges[i % 9] : accD(rng);
    const int32_t nn = i < 9 * 62 ? 1 + i / 9 : n;
    ASSERT_EQ(tinyc_requant(acc, mult, nn, zp, -128, 127), exactRequant(acc, mult, nn, zp, -128, 127))
        << "acc " << acc << " mult " << mult << " rshift " << nn;
    ASSERT_EQ(tinyc_requant(acc, mult, nn, 0, -32768, 32767), exactRequant(acc, mult, nn, 0, -32768, 32767));
    ++checked;
  }
  // Every accumulator of the 16-bit range for multipliers typical of int8 layers (2^-5 .. 2^-12),
  // where ties (exact halves) occur: they round up.
  for (int32_t n : {36, 40, 43}) {
    const int32_t mult = 1518500250;  // ~ 2^30.5
    for (int32_t acc = -65536; acc <= 65536; ++acc)
      ASSERT_EQ(tinyc_requant(acc, mult, n, -7, -128, 127), exactRequant(acc, mult, n, -7, -128, 127)) << acc;
  }
  EXPECT_EQ(tinyc_requant(3, 1 << 30, 32, 0, -128, 127), 1);   // 0.75 -> 1
  EXPECT_EQ(tinyc_requant(2, 1 << 30, 32, 0, -128, 127), 1);   // 0.5 -> 1 (half up)
  EXPECT_EQ(tinyc_requant(-2, 1 << 30, 32, 0, -128, 127), 0);  // -0.5 -> 0 (half up)
  EXPECT_EQ(tinyc_requant(-6, 1 << 30, 32, 0, -128, 127), -1); // -1.5 -> -1
  EXPECT_GT(checked, 0);
}

// tinyc_requant64 (int16 activations): int64 accumulators below 2^47 in magnitude, every rshift it
// takes (17..62), against the exact 128-bit rounding, clamped to the int16 range.
int32_t exactRequant64(int64_t acc, int32_t mult, int32_t n, int32_t lo, int32_t hi) {
  const __int128 p = static_cast<__int128>(acc) * mult + (static_cast<__int128>(1) << (n - 1));
  __int128 r = p >= 0 ? p >> n : -((-p + ((static_cast<__int128>(1) << n) - 1)) >> n);
  if (r > INT32_MAX / 2) r = INT32_MAX / 2;
  if (r < INT32_MIN / 2) r = INT32_MIN / 2;
  return static_cast<int32_t>(r < lo ? lo : r > hi ? hi : r);
}

TEST(QMath, Requant64MatchesExactRounding) {
  std::mt19937_64 rng(7);
  const int64_t lim = (INT64_C(1) << 47) - 1;
  std::uniform_int_distribution<int64_t> accD(-lim, lim), smallD(-(1 << 20), 1 << 20);
  std::uniform_int_distribution<int32_t> multD(1 << 30, INT32_MAX), shiftD(17, 62);
  const int64_t edges[] = {-lim, -lim + 1, -65537, -65536, -65535, -1, 0, 1, 65535, 65536, lim - 1, lim};
  for (int i = 0; i < 300000; ++i) {
    const int32_t mult = multD(rng), n = i < 12 * 46 ? 17 + i / 12 : shiftD(rng);
    const int64_t acc = i < 12 * 46 ? edges[i % 12] : (i % 2 ? accD(rng) : smallD(rng));
    ASSERT_EQ(tinyc_requant64(acc, mult, n, 0, -32768, 32767), exactRequant64(acc, mult, n, -32768, 32767))
        << "acc " << acc << " mult " << mult << " rshift " << n;
    ASSERT_EQ(tinyc_requant64(acc, mult, n, 0, INT32_MIN, INT32_MAX), exactRequant64(acc, mult, n, INT32_MIN, INT32_MAX))
        << "acc " << acc << " mult " << mult << " rshift " << n << " (unclamped)";
  }
  // ties round up, as tinyc_requant
  EXPECT_EQ(tinyc_requant64(INT64_C(1) << 20, 1 << 30, 51, 0, -32768, 32767), 1);   // 0.5 -> 1
  EXPECT_EQ(tinyc_requant64(-(INT64_C(1) << 20), 1 << 30, 51, 0, -32768, 32767), 0);  // -0.5 -> 0
  // the same value as tinyc_requant wherever both apply
  for (int32_t acc : {-1000000, -77, 0, 5, 123456789})
    EXPECT_EQ(tinyc_requant64(acc, 1518500250, 40, 0, -32768, 32767), tinyc_requant(acc, 1518500250, 40, 0, -32768, 32767));
}

TEST(QMath, MultiplierWithinItsPrecision) {
  Node n;
  n.name = "test";
  n.opType = "Conv";
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> e(-40, 29.9);
  for (int i = 0; i < 100000; ++i) {
    const double m = std::pow(2.0, e(rng));
    const q::Multiplier qm = q::quantizeMultiplier(m, n);
    ASSERT_GE(qm.rshift, 1);
    ASSERT_LE(qm.rshift, 62);
    const long double got = std::ldexp(static_cast<long double>(qm.mult), -qm.rshift);
    if (qm.rshift < 62) {
      ASSERT_GE(qm.mult, 1 << 30);
      ASSERT_LE(std::fabs(got - m), m * std::ldexp(1.0L, -31)) << m;  // half a unit of a Q31 mantissa
    } else {
      // tiny multipliers: the Q31 rounding, then half a unit of 2^-62
      ASSERT_LE(std::fabs(got - m), m * std::ldexp(1.0L, -31) + std::ldexp(1.0L, -63)) << m;
    }
  }
  EXPECT_THROW(q::quantizeMultiplier(0.0, n), Error);
  EXPECT_THROW(q::quantizeMultiplier(-1.0, n), Error);
  EXPECT_THROW(q::quantizeMultiplier(std::ldexp(1.0, 30), n), Error);
  EXPECT_THROW(q::quantizeMultiplier(NAN, n), Error);
}

// Requantizing with the Q31 multiplier is within 1 LSB of the real-valued result.
TEST(QMath, RequantWithinOneLsbOfReal) {
  Node n;
  n.name = "test";
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> e(-20, 0);
  std::uniform_int_distribution<int32_t> accD(-(1 << 24), 1 << 24);
  for (int i = 0; i < 100000; ++i) {
    const double m = std::pow(2.0, e(rng));
    const q::Multiplier qm = q::quantizeMultiplier(m, n);
    const int32_t acc = accD(rng);
    const long double real = std::clamp<long double>(static_cast<long double>(acc) * m, -128, 127);
    ASSERT_LE(std::fabs(tinyc_requant(acc, qm.mult, qm.rshift, 0, -128, 127) - real), 1.0L) << acc << " " << m;
  }
}

// Quantized Add against the real sum (s_a * da + s_b * db) / s_y rounded half up: within half an
// output LSB plus the fixed-point error for scales of similar size, and the same for int16 inputs
// whose scales are 2^20 apart (long run seed 16: the small side kept 9 fraction bits and was 6 LSB
// off); a side so coarse that it saturates whatever the other holds does not cost precision.
TEST(QMath, AddExactForFarApartScales) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> e(-24, 24);
  for (bool wide : {false, true}) {
    const DType t = wide ? DType::I16 : DType::I8;
    const int32_t lo = wide ? -32768 : -128, hi = wide ? 32767 : 127;
    std::uniform_int_distribution<int32_t> dD(wide ? -32768 : -255, wide ? 32767 : 255);
    for (int i = 0; i < 4000; ++i) {
      Value a, b, y;
      a.dtype = b.dtype = y.dtype = t;
      const double sa = std::pow(2.0, e(rng)), sb = std::pow(2.0, e(rng) / 4), sy = 1.0;
      a.quant = QuantParams{{static_cast<float>(sa)}, {0}};
      b.quant = QuantParams{{static_cast<float>(sb)}, {0}};
      y.quant = QuantParams{{static_cast<float>(sy)}, {0}};
      Node n;
      n.name = "add";
      n.opType = "Add";
      const q::AddMultipliers m = q::addMultipliers(n, a, b, y);
      for (int k = 0; k < 50; ++k) {
        const int32_t da = k < 10 ? k - 5 : dD(rng), db = dD(rng);
        const long double real = static_cast<long double>(a.quant->scale[0]) * da + static_cast<long double>(b.quant->scale[0]) * db;
        const long double want = std::clamp<long double>(std::floor(real + 0.5L), lo, hi);
        const int32_t got = wide ? tinyc_qadd64(da, db, m.ma, m.mb, m.n, 0, lo, hi)
                                 : tinyc_qadd(da, db, static_cast<int32_t>(m.ma), static_cast<int32_t>(m.mb), m.n, 0, lo, hi);
        // off by one only where the real sum is within the multipliers' error of a tie
        const long double tie = std::fabs(real - std::floor(real) - 0.5L);
        if (tie > 1e-3L) ASSERT_EQ(got, want) << (wide ? "int16" : "int8") << " s_a " << sa << " s_b " << sb << " da " << da << " db " << db;
        else ASSERT_LE(std::fabs(got - want), 1.0L);
      }
    }
  }
}

// The integer softmax against a long double softmax of the same int8 row: within 1 LSB.
TEST(QMath, SoftmaxRowWithinOneLsb) {
  Node n;
  n.name = "test";
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> v(-128, 127), len(1, 64);
  std::uniform_real_distribution<double> e(-7, 1.5);
  for (int it = 0; it < 3000; ++it) {
    const int L = len(rng);
    const double sx = std::pow(2.0, e(rng));
    const double sy = it % 3 == 0 ? 1.0 / 256 : std::pow(2.0, e(rng) - 6);
    const int32_t zy = sy == 1.0 / 256 ? -128 : v(rng);
    std::vector<int8_t> x(static_cast<size_t>(L)), y(static_cast<size_t>(L));
    for (auto& a : x) a = static_cast<int8_t>(it % 7 == 0 ? 127 : v(rng));  // also rows of equal values
    Value yv;
    yv.quant = QuantParams{{static_cast<float>(sy)}, {zy}, -1};
    const auto lut = q::softmaxTable(sx);
    const q::Multiplier m = q::softmaxMultiplier(n, yv);
    tinyc_softmax_row_i8(x.data(), y.data(), L, 1, lut.data(), m.mult, m.rshift, zy);
    long double mx = -1e9L, sum = 0;
    for (int8_t a : x) mx = std::max<long double>(mx, a);
    for (int8_t a : x) sum += std::exp(static_cast<long double>(sx) * (a - mx));
    for (int i = 0; i < L; ++i) {
      const long double p = std::exp(static_cast<long double>(sx) * (x[static_cast<size_t>(i)] - mx)) / sum;
      const long double want = std::clamp<long double>(std::nearbyint(p / static_cast<long double>(static_cast<float>(sy))) + zy, -128, 127);
      ASSERT_LE(std::fabs(y[static_cast<size_t>(i)] - want), 1.0L) << "row " << it << " element " << i;
    }
  }
}

}  // namespace
}  // namespace tinyc::test
