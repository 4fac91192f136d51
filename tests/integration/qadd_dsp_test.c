/* The int8 Add of cores with the DSP extension (backends/c/runtime/arm_dsp/qint_dsp.c,
   tinyc_qadd_dsp_i8) against the portable per-element arithmetic (lib/ops/qmath.h, tinyc_qadd,
   which the interpreter runs): every pair of int8 inputs, for every shift 1..62 (both of the
   kernel's paths and the fallback below 11), multipliers near 2^31 and small ones, zero points at
   the ends of the range, the full output range and narrowed ones (fused Relu/Clip). Both must
   give the same bytes. Built for the host (plain C) and, by tests/integration/qadd_dsp.sh, for
   the emulated Cortex-M4 (SMLAL and SSAT). Prints the number of cases; exit 1 on a difference. */
#include "common.c"
#include "qmath.h"
#include "scratch.h"
#include "qint.c"
#include "qint_dsp.c"
#include <stdio.h>

static int8_t a[65536], b[65536], y[65536];

static uint32_t rng = 12345u;
static uint32_t next(void) {
  rng = rng * 1664525u + 1013904223u;
  return rng >> 1;
}

/* On the emulated core (about 50 instructions per pair for both) two output ranges and the
   random multipliers only. */
#if defined(__arm__)
#define RANGES 2
#define M0 1
#define M1 2
#else
#define RANGES 4
#define M0 0
#define M1 3
#endif

int main(int argc, char **argv) {
  static const int32_t zs[][3] = {{0, 0, 0}, {-128, 127, -128}, {127, -128, 127}, {-23, 5, -11}};
  static const int32_t ranges[][2] = {{-128, 127}, {0, 127}, {-5, 90}, {-128, -128}};
  int32_t sh, zi, ri, m, i;
  long cases = 0;
  int fails = 0;
  (void)argc, (void)argv;
  for (i = 0; i < 65536; ++i) a[i] = (int8_t)(i & 255), b[i] = (int8_t)(i >> 8);
  for (sh = 1; sh <= 62; ++sh)
    for (zi = 0; zi < 4; ++zi)
      for (ri = 0; ri < RANGES; ++ri)
        for (m = M0; m < M1; ++m) {
          /* multipliers: both near 2^31, one small, random */
          const int32_t ma = m == 0 ? 2147483647 : m == 1 ? (int32_t)(next() | 0x40000000u) : (int32_t)(next() >> 8);
          const int32_t mb = m == 0 ? 2147483000 : m == 1 ? (int32_t)(next() >> (next() % 31)) : (int32_t)next();
          const int32_t za = zs[zi][0], zb = zs[zi][1], zy = zs[zi][2], lo = ranges[ri][0], hi = ranges[ri][1];
          tinyc_qadd_dsp_i8(a, b, y, 65536, za, zb, ma, mb, sh, zy, lo, hi);
          for (i = 0; i < 65536; ++i) {
            const int32_t want = tinyc_qadd(a[i] - za, b[i] - zb, ma, mb, sh, zy, lo, hi);
            if (y[i] != want && fails++ < 10)
              printf("differs: sh %d ma %ld mb %ld za %d zb %d zy %d [%d, %d] a %d b %d: %d, want %d\n", (int)sh,
                     (long)ma, (long)mb, (int)za, (int)zb, (int)zy, (int)lo, (int)hi, a[i], b[i], y[i], (int)want);
          }
          ++cases;
        }
  printf("%s: %ld parameter sets x 65536 input pairs\n", fails ? "FAIL" : "ok", cases);
  return fails ? 1 : 0;
}
