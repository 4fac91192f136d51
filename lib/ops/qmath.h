/* tinyc runtime: fixed-point arithmetic of the integer kernels. requires: common */
/* This one file is compiled into the reference interpreter (C++, lib/ops) and copied into every
   generated C file that runs an integer kernel, so both requantize with the same code and agree bit
   for bit. It is C99 and C++17 at once; no float, no division in the per-element functions.
   docs/quantization.md defines the arithmetic. */
#ifndef TINYC_QMATH_H
#define TINYC_QMATH_H
#ifdef __cplusplus
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
TINYC_KERNEL int32_t tinyc_requant(int32_t acc, int32_t mult, int32_t rshift, int32_t zp, int32_t lo, int32_t hi) {
  int64_t r = ((int64_t)acc * (int64_t)mult + ((int64_t)1 << (rshift - 1))) >> rshift;
  r += zp;
  if (r < lo) r = lo;
  if (r > hi) r = hi;
  return (int32_t)r;
}

/* Softmax of one row of int8 values (element i at x[i * stride]) into y. lut[d] = exp(-s_x * d)
   in Q30 (d = max - x in 0..255), computed at compile time. Per row: the sum of the row's table
   entries (64-bit), its reciprocal by one 64-bit integer division, then p_i = e_i / sum in Q30,
   requantized by (mult, rshift) = 2^-30 / s_y. */
TINYC_KERNEL void tinyc_softmax_row_i8(const int8_t *x, int8_t *y, int32_t len, int32_t stride, const int32_t *lut,
                                       int32_t mult, int32_t rshift, int32_t zp) {
  int32_t i, mx = -128;
  uint64_t sum = 0, inv;
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
