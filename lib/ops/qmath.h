/* tinyc runtime: fixed-point arithmetic of the integer kernels. requires: common */
/* This one file is compiled into the reference interpreter (C++, lib/ops) and copied into every
   generated C file that runs an integer kernel, so both requantize with the same code and agree bit
   for bit. It is C99 and C++17 at once; no float, no division in the per-element functions.
   docs/quantization.md defines the arithmetic. */
#ifndef TINYC_QMATH_H
#define TINYC_QMATH_H
#ifdef __cplusplus
#include <climits>
#include <cstdint>
#ifndef TINYC_KERNEL
#define TINYC_KERNEL static inline
#endif
#endif

/* A real multiplier m > 0 is held as (mult, rshift): m ~= mult * 2^-rshift, with mult in
   [2^30, 2^31) (Q31 mantissa) and 1 <= rshift <= 62 (tiny multipliers may have a smaller mult).
   Requantization of an int32 accumulator: one rounding, half up (toward +infinity):
     r = (acc * mult + 2^(rshift-1)) >> rshift     (64-bit product, arithmetic shift)
   then + zero point, clamped to [lo, hi] (the output type's range narrowed by a fused Relu/Clip).
   |acc * mult| < 2^62, so the sum cannot overflow. */
#if defined(__GNUC__) || defined(__clang__)
#define TINYC_QM_NOINLINE __attribute__((noinline))
#else
#define TINYC_QM_NOINLINE
#endif

/* The rare case rshift <= 32 (multipliers of 1/4 and more): the 64-bit sum, its magnitude bounded
   so that adding the zero point cannot overflow. Out of line, so that compilers do not compute
   it next to the usual case in every kernel loop. */
TINYC_KERNEL TINYC_QM_NOINLINE int32_t tinyc_requant_wide(int32_t acc, int32_t mult, int32_t rshift) {
  const int64_t w = ((int64_t)acc * (int64_t)mult + ((int64_t)1 << (rshift - 1))) >> rshift;
  return w > INT32_MAX / 2 ? INT32_MAX / 2 : w < INT32_MIN / 2 ? INT32_MIN / 2 : (int32_t)w;
}

/* The clamp of a requantized value to [lo, hi]. On Arm cores with SSAT (Armv7-M and later) the
   full int8 range is one saturating instruction: compilers keep constant bounds in registers and
   compare twice otherwise. */
#if defined(__ARM_FEATURE_SAT) && __ARM_FEATURE_SAT && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(__cplusplus)
#include <arm_acle.h>
#define TINYC_QM_SSAT8(r, lo, hi) \
  if ((lo) == -128 && (hi) == 127) return __ssat((r), 8)
#else
#define TINYC_QM_SSAT8(r, lo, hi) (void)0
#endif

/* tinyc_requant of several accumulators with one multiplier whose rshift > 32: the caller computes
   sh = rshift - 32 and rnd = 2^(rshift - 33) once (the same arithmetic as below). */
TINYC_KERNEL int32_t tinyc_requant_hw(int32_t acc, int32_t mult, int32_t sh, int32_t rnd, int32_t zp, int32_t lo,
                                      int32_t hi) {
  int32_t r = (((int32_t)(((int64_t)acc * (int64_t)mult) >> 32) + rnd) >> sh) + zp;
  TINYC_QM_SSAT8(r, lo, hi);
  r = r > hi ? hi : r;
  return r < lo ? lo : r;
}

TINYC_KERNEL int32_t tinyc_requant(int32_t acc, int32_t mult, int32_t rshift, int32_t zp, int32_t lo, int32_t hi) {
  int32_t r;
  if (rshift > 32) {
    /* The usual case (multipliers below 2^-1), the same value from the product's high word, which
       a 32-bit core gets from one long multiply: the rounding term 2^(n-1) = 2^(n-33) * 2^32 is a
       whole multiple of 2^32, so floor((p + 2^(n-1)) / 2^n) = (floor(p / 2^32) + 2^(n-33)) >> (n-32). */
    /* |high| < 2^30 and the term <= 2^29: no overflow in 32 bits. */
    const int32_t high = (int32_t)(((int64_t)acc * (int64_t)mult) >> 32);
    r = (high + ((int32_t)1 << (rshift - 33))) >> (rshift - 32);
  } else {
    r = tinyc_requant_wide(acc, mult, rshift);
  }
  r += zp;
  TINYC_QM_SSAT8(r, lo, hi);
  r = r > hi ? hi : r; /* (lo <= hi: the same as clamping the other way round) */
  return r < lo ? lo : r;
}

/* int16 activations (--quantize int16x8): an int64 accumulator, |acc| < 2^47, requantized with the
   same rounding as tinyc_requant, r = floor((acc * mult + 2^(rshift-1)) / 2^rshift), exactly and
   without a 128-bit product: with acc = ah * 2^16 + al (0 <= al < 2^16),
     r = floor((ah * mult + floor((al * mult + 2^(rshift-1)) / 2^16)) / 2^(rshift-16)),
   every term below 2^62. Needs rshift >= 17 (multipliers below 2^14: qparams checks it). */
TINYC_KERNEL int32_t tinyc_requant64(int64_t acc, int32_t mult, int32_t rshift, int32_t zp, int32_t lo, int32_t hi) {
  const int64_t ah = acc >> 16, al = acc - ah * 65536;
  const int64_t t = ah * mult + ((al * mult + ((int64_t)1 << (rshift - 1))) >> 16);
  const int64_t w = t >> (rshift - 16);
  const int32_t r = (w > INT32_MAX / 2 ? INT32_MAX / 2 : w < INT32_MIN / 2 ? INT32_MIN / 2 : (int32_t)w) + zp;
  return r < lo ? lo : r > hi ? hi : r;
}

/* Quantized Add of centred values da = a - za, db = b - zb: ma * 2^-n = s_a / s_y and
   mb * 2^-n = s_b / s_y share one shift, so the sum is rounded once, half up, then + zp, clamped.
   int8: |da|, |db| <= 255 and ma, mb < 2^31, so the sum stays below 2^40. */
TINYC_KERNEL int32_t tinyc_qadd(int32_t da, int32_t db, int32_t ma, int32_t mb, int32_t n, int32_t zp, int32_t lo,
                                int32_t hi) {
  const int64_t w = ((int64_t)da * ma + (int64_t)db * mb + ((int64_t)1 << (n - 1))) >> n;
  const int32_t r = (w > 16777215 ? 16777215 : w < -16777216 ? -16777216 : (int32_t)w) + zp;
  return r < lo ? lo : r > hi ? hi : r;
}

/* The same for int16 (zero point 0, |da|, |db| <= 2^15) with 47-bit multipliers: an int16 term
   needs about 16 fraction bits more than an int8 one to be exact when the two input scales differ
   by orders of magnitude. Each product is below 2^62, the sum below 2^63. */
TINYC_KERNEL int32_t tinyc_qadd64(int32_t da, int32_t db, int64_t ma, int64_t mb, int32_t n, int32_t zp, int32_t lo,
                                  int32_t hi) {
  const int64_t w = (da * ma + db * mb + ((int64_t)1 << (n - 1))) >> n;
  const int32_t r = (w > 16777215 ? 16777215 : w < -16777216 ? -16777216 : (int32_t)w) + zp;
  return r < lo ? lo : r > hi ? hi : r;
}

/* Softmax of one row of int8 values (element i at x[i * stride]) into y. lut[d] = exp(-s_x * d)
   in Q30 (d = max - x in 0..255), computed at compile time. Per row: the sum of the row's table
   entries (64-bit), its reciprocal by one 64-bit integer division, then p_i = e_i / sum in Q30,
   requantized by (mult, rshift) = 2^-30 / s_y. */
TINYC_KERNEL void tinyc_softmax_row_i8(const int8_t *x, int8_t *y, int32_t len, int32_t stride, const int32_t *lut,
                                       int32_t mult, int32_t rshift, int32_t zp) {
  int32_t i, mx = -128;
  uint64_t sum = 0, inv;
  if (len <= 0) return;
  for (i = 0; i < len; ++i)
    if (x[i * stride] > mx) mx = x[i * stride];
  for (i = 0; i < len; ++i) sum += (uint64_t)lut[mx - x[i * stride]];
  inv = ((uint64_t)1 << 62) / sum; /* sum >= 2^30 (the maximum's entry), so inv <= 2^32 */
  for (i = 0; i < len; ++i) {
    const uint64_t p = ((uint64_t)lut[mx - x[i * stride]] * inv) >> 32; /* <= 2^30 */
    y[i * stride] = (int8_t)tinyc_requant((int32_t)p, mult, rshift, zp, -128, 127);
  }
}

#endif /* TINYC_QMATH_H */
