/* tinyc runtime: what the zero-skipping kernels share (sparse_f32.c, sparse_i8.c). requires: common scratch */
/* Weights in the row-bitmap format (lib/ops/sparse.h, written by backends/c/kernels_sparse.cpp):
   row r (an output channel) has ceil(K / 8) bytes of bits, bit j of byte b set when column 8b + j
   (a position of the gathered receptive field, or of a Gemm row) holds a non-zero weight; the
   non-zero values follow one another row after row, in column order. A row's dot product visits
   only the set bits: the index of the lowest set bit (count trailing zeros: RBIT + CLZ on Armv7-M),
   then the bit cleared. */
#if defined(__GNUC__) || defined(__clang__)
#define TINYC_CTZ(m) __builtin_ctz(m)
#else
TINYC_KERNEL int tinyc_ctz_c(uint32_t m) {
  int n = 0;
  while (!(m & 1u)) {
    m >>= 1;
    ++n;
  }
  return n;
}
#define TINYC_CTZ(m) tinyc_ctz_c(m)
#endif
