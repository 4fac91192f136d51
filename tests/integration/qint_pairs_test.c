/* The packed-pair int8 convolution (backends/c/runtime/qint_pairs.c, for cores with SMLAL) against
   the portable channels-last kernel (runtime/qint.c) at the edges of its packing: dot products of
   K = 1..600 terms where every product is +2^14 or -2^14 (inputs and weights all -128, or -128
   against 127), so that the low field reaches its limit 255 * 2^14 and runs of 255 are split, with
   1..7 pixels (partial groups of four) and 1..5 output channels (partial blocks of two). Both
   kernels must write the same bytes; a scale of 2^-20 keeps the outputs off saturation. Built
   with the runtime sources in the generated file's order (common, qmath, scratch, qint, qint_pairs). */
#include "common.c"
#include "qmath.h"
#include "scratch.h"
#include "qint.c"
#include "qint_pairs.c"
#include <stdio.h>
#include <stdlib.h>

static int8_t x[13 * 600], w[5 * 600], wp4[8 * 600], wp2[6 * 600], y4[7 * 5], y2[7 * 5], col8[2 * 600 * 4];
static int32_t col32[2 * 600];

static void pack(int bs, int M, int K, int8_t *out) {
  int blocks = (M + bs - 1) / bs, b, k, j;
  for (b = 0; b < blocks; ++b)
    for (k = 0; k < K; ++k)
      for (j = 0; j < bs; ++j) out[(b * K + k) * bs + j] = b * bs + j < M ? w[(b * bs + j) * K + k] : 0;
}

int main(void) {
  static const int Ks[] = {1, 2, 3, 4, 5, 63, 64, 254, 255, 256, 257, 509, 510, 511, 600};
  int32_t bias[5] = {0, 1000, -1000, 7, -7}, mult[5], rsh[5];
  int fails = 0, cases = 0, ki, P, M, pat, geo, i;
  for (i = 0; i < 5; ++i) mult[i] = 1 << 30, rsh[i] = 50 + (i & 1) * 1; /* 2^-20, 2^-21 */
  for (ki = 0; ki < (int)(sizeof Ks / sizeof Ks[0]); ++ki)
    for (P = 1; P <= 7; ++P)
      for (M = 1; M <= 5; ++M)
        for (pat = 0; pat < 3; ++pat) {
          const int K = Ks[ki];
          for (geo = 0; geo < 2; ++geo) {
            /* 1x1 convolution over a 1 x P image of K channels (the direct path), or with stride 2
               over 1 x (2P - 1) (the gathered path). p = {C, H, W, M, OH, OW, KH, KW, SH, SW, DH,
               DW, PT, PL, G} */
            const int Wd = geo ? 2 * P - 1 : P;
            int32_t p[15];
            p[0] = K, p[1] = 1, p[2] = Wd, p[3] = M, p[4] = 1, p[5] = P, p[6] = 1, p[7] = 1;
            p[8] = 1, p[9] = geo ? 2 : 1, p[10] = p[11] = 1, p[12] = p[13] = 0, p[14] = 1;
            for (i = 0; i < Wd * K; ++i) x[i] = pat == 2 ? (int8_t)((i * 37 % 255) - 127) : -128;
            for (i = 0; i < M * K; ++i) w[i] = pat == 0 ? -128 : pat == 1 ? 127 : (int8_t)((i * 91 % 255) - 127);
            pack(4, M, K, wp4);
            pack(2, M, K, wp2);
            tinyc_qconv_i8(x, wp4, bias, y4, p, mult, rsh, 1, 0, 3, -128, 127, 1, col8);
            tinyc_qconv_pairs_i8(x, wp2, bias, y2, p, mult, rsh, 1, 0, 3, -128, 127, col32);
            ++cases;
            for (i = 0; i < P * M; ++i)
              if (y4[i] != y2[i]) {
                if (fails < 10)
                  printf("K=%d P=%d M=%d pattern %d geometry %d: element %d is %d, the portable kernel %d\n", K, P,
                         M, pat, geo, i, y2[i], y4[i]);
                ++fails;
                break;
              }
          }
        }
  printf("%s: %d cases, %d differ\n", fails ? "FAIL" : "ok", cases, fails);
  return fails != 0;
}
