/* The in-place transpose (backends/c/runtime/shape.c, tinyc_transpose_inplace) against an
   out-of-place one written here: seeded random batches of rows x cols matrices of blocks of 1 to
   12 bytes (the dtypes' sizes and the inner blocks of a Transpose that keeps trailing dims),
   square and not, with 1, 2 and 3 rows or columns and large primes (long permutation cycles).
   The scratch is exactly tinyc_transpose_inplace_scratch (scratch.h) bytes followed by canary
   bytes that must stay untouched, and the kernel is built with TINYC_CHECK_SCRATCH so that a
   declared size below its need traps. Prints the number of cases; exit 1 on a difference. */
#define TINYC_CHECK_SCRATCH 1
#include "common.c"
#include "scratch.h"
#include "shape.c"
#include <stdio.h>
#include <stdlib.h>

static uint32_t rng = 2026u;
static uint32_t next(void) {
  rng = rng * 1664525u + 1013904223u;
  return rng >> 8;
}

static int check(int32_t outer, int32_t rows, int32_t cols, int32_t block) {
  const int32_t p[TINYC_TIP_PARAMS] = {outer, rows, cols, block};
  const size_t n = (size_t)rows * (size_t)cols, bytes = (size_t)outer * n * (size_t)block;
  const size_t need = (size_t)tinyc_transpose_inplace_scratch(p);
  unsigned char *x = (unsigned char *)malloc(bytes + 1), *want = (unsigned char *)malloc(bytes + 1);
  unsigned char *scratch = (unsigned char *)malloc(need + 16);
  size_t b, r, c, i;
  int ok = 1;
  for (i = 0; i < bytes; ++i) x[i] = (unsigned char)next();
  for (b = 0; b < (size_t)outer; ++b)
    for (r = 0; r < (size_t)rows; ++r)
      for (c = 0; c < (size_t)cols; ++c)
        memcpy(want + ((b * (size_t)cols + c) * (size_t)rows + r) * (size_t)block,
               x + ((b * (size_t)rows + r) * (size_t)cols + c) * (size_t)block, (size_t)block);
  memset(scratch, 0xa5, need + 16);
  TINYC_SCRATCH_GIVEN(need);
  tinyc_transpose_inplace(x, p, scratch);
  if (memcmp(x, want, bytes) != 0) {
    printf("FAIL outer %d rows %d cols %d block %d: wrong result\n", (int)outer, (int)rows, (int)cols, (int)block);
    ok = 0;
  }
  for (i = need; i < need + 16; ++i)
    if (scratch[i] != 0xa5) {
      printf("FAIL outer %d rows %d cols %d block %d: wrote past its scratch\n", (int)outer, (int)rows, (int)cols,
             (int)block);
      ok = 0;
      break;
    }
  free(x);
  free(want);
  free(scratch);
  return ok;
}

int main(void) {
  static const int32_t fixed[][4] = {{1, 2, 2, 4},   {1, 1, 7, 4},     {1, 7, 1, 4},    {1, 2, 3, 1},
                                     {3, 3, 2, 2},   {1, 256, 16, 4},  {2, 16, 256, 1}, {1, 97, 89, 4},
                                     {1, 1021, 3, 8}, {1, 3, 1021, 12}, {4, 64, 64, 4},  {1, 1, 1, 4}};
  int cases = 0, failed = 0, k;
  for (k = 0; k < (int)(sizeof fixed / sizeof fixed[0]); ++k, ++cases)
    failed += !check(fixed[k][0], fixed[k][1], fixed[k][2], fixed[k][3]);
  for (k = 0; k < 400; ++k, ++cases) {
    static const int32_t blocks[] = {1, 2, 4, 8, 3, 12};
    const int32_t outer = 1 + (int32_t)(next() % 3), rows = 1 + (int32_t)(next() % 70),
                  cols = 1 + (int32_t)(next() % 70), block = blocks[next() % 6];
    failed += !check(outer, rows, cols, block);
  }
  printf("transpose_inplace: %d cases, %d failed\n", cases, failed);
  return failed != 0;
}
