/* tinyc runtime: the scratch each kernel needs and the parameter layouts it reads. requires: common */
/* One definition for both sides, like qmath.h: C99 and C++17 at once. The C++ emitter (backends/c)
   reserves a node's arena scratch by calling these functions on the very parameter array it
   passes to the kernel, and the kernels are written against the same constants; on entry a kernel
   states its need with TINYC_SCRATCH_NEED (common.c), which traps in a -DTINYC_CHECK_SCRATCH build
   when the generated code gave it less. Sizes are in bytes, as int64_t. */
#ifndef TINYC_SCRATCH_H
#define TINYC_SCRATCH_H
#ifdef __cplusplus
#include <cstdint>
#ifndef TINYC_KERNEL
#define TINYC_KERNEL static inline
#endif
#endif

#define TINYC_SCRATCH_MIN(a, b) ((a) < (b) ? (a) : (b))
#define TINYC_SCRATCH_MAX(a, b) ((a) > (b) ? (a) : (b))

/* ---- the window of a convolution or pool: in[3] out[3] k[3] s[3] d[3] pb[3] (1-D and 2-D as 3-D
   with unit leading dimensions), read by tinyc_win_read (gemm.c). */
#define TINYC_WIN_IN 0
#define TINYC_WIN_OUT 3
#define TINYC_WIN_K 6
#define TINYC_WIN_S 9
#define TINYC_WIN_D 12
#define TINYC_WIN_PB 15
#define TINYC_WIN_LEN 18
/* The float convolutions' parameters (tinyc_conv_f32, tinyc_conv_dw_f32, tinyc_convtranspose_f32):
   N, C, M, group, then the window. */
#define TINYC_CONV_WIN 4
#define TINYC_CONV_PARAMS (TINYC_CONV_WIN + TINYC_WIN_LEN)

TINYC_KERNEL int64_t tinyc_win_prod(const int32_t *p, int32_t field) {
  return (int64_t)p[field] * (int64_t)p[field + 1] * (int64_t)p[field + 2];
}

/* ---- the blocked float GEMM (gemm.c): C[m, n] = A[m, k] B[k, n] packs B in blocks of kc x nc
   (nc a multiple of 32, which NR = 2 * VL divides) and, when A is not read in place (transposed
   or scaled), A in blocks of mc x kc (rows padded by 16 >= any MR). The blocks follow the scratch
   the kernel is given (tinyc_sgemm_blocks, the same function on both sides): from
   tinyc_sgemm_scratch, the least (about an eighth of C's bytes, 1 KB to 32 KB: issue 13, host-cache
   panels of 512 x 256 floats made a 2-conv MNIST net's arena 7 times its tensors), up to
   tinyc_sgemm_scratch_max (kc 256, nc 512, mc 120: host speed), which the arena planner grants
   where the room under the arena's peak allows (backends/c/arena.cpp, growScratch). Within a
   budget kc shrinks before nc goes below 64 columns (or n): short im2col rows cost more than
   short sums (mnist8 on the host: 88 us with 32 columns, 75 with 64). */
#define TINYC_GEMM_MC 120
#define TINYC_GEMM_KC 256
#define TINYC_GEMM_NC 512
#define TINYC_GEMM_NCOL 32 /* nc's granule: >= any NR (the panels are padded to it) */
TINYC_KERNEL int64_t tinyc_sgemm_cols(int64_t n, int64_t nc) { /* packed columns of a block */
  return (TINYC_SCRATCH_MIN(n, nc) + TINYC_GEMM_NCOL - 1) / TINYC_GEMM_NCOL * TINYC_GEMM_NCOL;
}
/* The bytes blocks (mc, kc, nc) take: the packed B block, one row of it, the packed A block. */
TINYC_KERNEL int64_t tinyc_sgemm_block_bytes(int64_t m, int64_t n, int32_t pack_a, int64_t mc, int64_t kc, int64_t nc) {
  const int64_t cols = tinyc_sgemm_cols(n, nc);
  return (cols * (kc + 1) + (pack_a ? (TINYC_SCRATCH_MIN(m, mc) + 16) * kc : 0)) * 4 + 64;
}
/* The largest blocks whose bytes fit `bytes` (at least 32 columns x 1 row x 16 rows of A). */
TINYC_KERNEL void tinyc_sgemm_blocks(int64_t m, int64_t n, int64_t k, int32_t pack_a, int64_t bytes, int32_t *mc,
                                     int32_t *kc, int32_t *nc) {
  const int64_t want = TINYC_SCRATCH_MIN(2 * TINYC_GEMM_NCOL, tinyc_sgemm_cols(n, TINYC_GEMM_NC));
  int64_t rows = pack_a ? TINYC_SCRATCH_MIN(m, TINYC_GEMM_MC) + 16 : 0, kk = TINYC_SCRATCH_MIN(k, TINYC_GEMM_KC), cols;
  /* floats; never below the smallest blocks (a kernel given less was not called: a product of
     one row or an empty one), so that no size comes out negative */
  const int64_t f = TINYC_SCRATCH_MAX((bytes - 64) / 4, 2 * want + 32);
  if (pack_a && want * (kk + 1) + rows * kk > f) rows = TINYC_SCRATCH_MIN(rows, 32); /* mc 16 before kc shrinks */
  if (want * (kk + 1) + rows * kk > f) kk = TINYC_SCRATCH_MAX(1, (f - want) / (want + rows));
  kk = TINYC_SCRATCH_MIN(kk, k);
  cols = (f - rows * kk) / (kk + 1) / TINYC_GEMM_NCOL * TINYC_GEMM_NCOL;
  *kc = (int32_t)kk;
  *nc = (int32_t)TINYC_SCRATCH_MAX(TINYC_GEMM_NCOL, TINYC_SCRATCH_MIN(cols, TINYC_GEMM_NC));
  *mc = (int32_t)(pack_a ? TINYC_SCRATCH_MAX(16, rows - 16) : TINYC_GEMM_MC);
}
/* tinyc_sgemm(M, N, K, ..., pack_a) at host speed: the full blocks. */
TINYC_KERNEL int64_t tinyc_sgemm_scratch_max(int64_t m, int64_t n, int64_t k, int32_t pack_a) {
  if (m <= 0 || n <= 0 || k <= 0) return 0;
  return tinyc_sgemm_block_bytes(m, n, pack_a, TINYC_GEMM_MC, TINYC_SCRATCH_MIN(k, TINYC_GEMM_KC), TINYC_GEMM_NC);
}
/* ... and the least it is given: the full blocks, or an eighth of C's bytes (1 KB to 32 KB) when
   that is less. */
TINYC_KERNEL int64_t tinyc_sgemm_scratch(int64_t m, int64_t n, int64_t k, int32_t pack_a) {
  const int64_t budget = TINYC_SCRATCH_MAX(1024, TINYC_SCRATCH_MIN(32768, m * n / 2)) + 64;
  int32_t mc, kc, nc;
  if (m <= 0 || n <= 0 || k <= 0) return 0;
  tinyc_sgemm_blocks(m, n, k, pack_a, budget, &mc, &kc, &nc);
  return TINYC_SCRATCH_MIN(tinyc_sgemm_scratch_max(m, n, k, pack_a), tinyc_sgemm_block_bytes(m, n, pack_a, mc, kc, nc));
}

/* tinyc_conv_f32: one GEMM per image and group, Y_g[M/G, out] = W_g * im2col(X_g). */
TINYC_KERNEL int64_t tinyc_conv_f32_scratch(const int32_t *p) {
  return tinyc_sgemm_scratch(p[2] / p[3], tinyc_win_prod(p + TINYC_CONV_WIN, TINYC_WIN_OUT),
                             (int64_t)(p[1] / p[3]) * tinyc_win_prod(p + TINYC_CONV_WIN, TINYC_WIN_K), 0);
}
TINYC_KERNEL int64_t tinyc_conv_f32_scratch_max(const int32_t *p) {
  return tinyc_sgemm_scratch_max(p[2] / p[3], tinyc_win_prod(p + TINYC_CONV_WIN, TINYC_WIN_OUT),
                                 (int64_t)(p[1] / p[3]) * tinyc_win_prod(p + TINYC_CONV_WIN, TINYC_WIN_K), 0);
}

/* tinyc_conv_direct_f32 (conv_direct.c, host targets): a convolution of one kernel depth without im2col.
   The zero-padded input rows of a band of output rows are copied into sh * sw phase planes per
   input channel (rows + (KH - 1) * dh / sh rows of Wq = OW + (KW - 1) * dw / sw floats), then
   TINYC_CONV_DIRECT_SLACK floats (the last tile's columns past the band); output pixel (oh, ow) is
   column oh * Wq + ow of an implicit GEMM whose row for each tap is contiguous in them, so the
   micro-kernel reads it where it lies. A stride-1 input that needs no padding is read in place (no
   scratch). The band is as many output rows as the scratch holds: at least
   TINYC_CONV_DIRECT_COLS columns' worth, at most all (scratch_max). */
#define TINYC_CONV_DIRECT_SLACK 32 /* >= any tile width NR (gemm.c) */
#define TINYC_CONV_DIRECT_COLS 64
#define TINYC_CONV_DIRECT_TAPS 64           /* at most this many kernel taps (KH * KW) */
#define TINYC_CONV_DIRECT_MAX_BYTES 65536 /* a larger least band: the im2col GEMM instead */
#define TINYC_CONV_DIRECT_TBLOCK 32 /* tinyc_conv_direct_t_f32: output channels per block of its weights */
TINYC_KERNEL int64_t tinyc_conv_direct_wq(const int32_t *p) {
  const int32_t *w = p + TINYC_CONV_WIN;
  return (int64_t)w[TINYC_WIN_OUT + 2] + (int64_t)(w[TINYC_WIN_K + 2] - 1) * w[TINYC_WIN_D + 2] / w[TINYC_WIN_S + 2];
}
/* 1 when the windows need no padding and stride 1 (none at the bottom or right either: the
   windows' rows and columns inside the input): tinyc_conv_direct_t_f32, whose tiles read single
   pixels, then reads the input in place (no scratch). */
TINYC_KERNEL int32_t tinyc_conv_direct_t_in_place(const int32_t *p) {
  const int32_t *w = p + TINYC_CONV_WIN;
  return w[TINYC_WIN_S + 1] == 1 && w[TINYC_WIN_S + 2] == 1 && w[TINYC_WIN_PB + 1] == 0 && w[TINYC_WIN_PB + 2] == 0 &&
         tinyc_conv_direct_wq(p) == w[TINYC_WIN_IN + 2] &&
         (int64_t)w[TINYC_WIN_OUT + 1] + (int64_t)(w[TINYC_WIN_K + 1] - 1) * w[TINYC_WIN_D + 1] <= w[TINYC_WIN_IN + 1];
}
/* 1 when tinyc_conv_direct_f32 reads the input in place: as above, and at least SLACK output
   columns (the last tile is moved back inside them instead of reading past the input). */
TINYC_KERNEL int32_t tinyc_conv_direct_in_place(const int32_t *p) {
  const int32_t *w = p + TINYC_CONV_WIN;
  return tinyc_conv_direct_t_in_place(p) &&
         (int64_t)w[TINYC_WIN_OUT + 1] * w[TINYC_WIN_IN + 2] - (int64_t)(w[TINYC_WIN_K + 2] - 1) * w[TINYC_WIN_D + 2] >=
             TINYC_CONV_DIRECT_SLACK;
}
/* The floats of one output row's share of the band, and of the rows every band adds (halo). */
TINYC_KERNEL int64_t tinyc_conv_direct_row_floats(const int32_t *p) {
  const int32_t *w = p + TINYC_CONV_WIN;
  return (int64_t)(p[1] / p[3]) * w[TINYC_WIN_S + 1] * w[TINYC_WIN_S + 2] * tinyc_conv_direct_wq(p);
}
TINYC_KERNEL int64_t tinyc_conv_direct_halo(const int32_t *p) {
  const int32_t *w = p + TINYC_CONV_WIN;
  return (int64_t)(w[TINYC_WIN_K + 1] - 1) * w[TINYC_WIN_D + 1] / w[TINYC_WIN_S + 1];
}
TINYC_KERNEL int64_t tinyc_conv_direct_band_bytes(const int32_t *p, int64_t rows) {
  return 4 * ((rows + tinyc_conv_direct_halo(p)) * tinyc_conv_direct_row_floats(p) + TINYC_CONV_DIRECT_SLACK);
}
TINYC_KERNEL int64_t tinyc_conv_direct_min_rows(const int32_t *p) {
  const int64_t oh = p[TINYC_CONV_WIN + TINYC_WIN_OUT + 1], wq = tinyc_conv_direct_wq(p);
  return TINYC_SCRATCH_MAX(1, TINYC_SCRATCH_MIN(oh, (TINYC_CONV_DIRECT_COLS + wq - 1) / wq));
}
TINYC_KERNEL int64_t tinyc_conv_direct_f32_scratch(const int32_t *p) {
  return tinyc_conv_direct_in_place(p) ? 0 : tinyc_conv_direct_band_bytes(p, tinyc_conv_direct_min_rows(p));
}
TINYC_KERNEL int64_t tinyc_conv_direct_f32_scratch_max(const int32_t *p) {
  const int64_t oh = p[TINYC_CONV_WIN + TINYC_WIN_OUT + 1];
  return tinyc_conv_direct_in_place(p) ? 0 : tinyc_conv_direct_band_bytes(p, TINYC_SCRATCH_MAX(1, oh));
}
/* Output rows per band in `bytes` of scratch. */
TINYC_KERNEL int32_t tinyc_conv_direct_band_rows(const int32_t *p, int64_t bytes) {
  const int64_t per_row = 4 * tinyc_conv_direct_row_floats(p);
  int64_t r = per_row > 0 ? (bytes - 4 * TINYC_CONV_DIRECT_SLACK) / per_row - tinyc_conv_direct_halo(p) : 0;
  r = TINYC_SCRATCH_MIN(r, (int64_t)p[TINYC_CONV_WIN + TINYC_WIN_OUT + 1]);
  return (int32_t)TINYC_SCRATCH_MAX(r, tinyc_conv_direct_min_rows(p));
}
/* ... of tinyc_conv_direct_f32 (0: in place). */
TINYC_KERNEL int32_t tinyc_conv_direct_rows(const int32_t *p, int64_t bytes) {
  return tinyc_conv_direct_in_place(p) ? 0 : tinyc_conv_direct_band_rows(p, bytes);
}
/* tinyc_conv_direct_t_f32: the same band, or none (in place). */
TINYC_KERNEL int64_t tinyc_conv_direct_t_f32_scratch(const int32_t *p) {
  return tinyc_conv_direct_t_in_place(p) ? 0 : tinyc_conv_direct_band_bytes(p, tinyc_conv_direct_min_rows(p));
}
TINYC_KERNEL int64_t tinyc_conv_direct_t_f32_scratch_max(const int32_t *p) {
  const int64_t oh = p[TINYC_CONV_WIN + TINYC_WIN_OUT + 1];
  return tinyc_conv_direct_t_in_place(p) ? 0 : tinyc_conv_direct_band_bytes(p, TINYC_SCRATCH_MAX(1, oh));
}
TINYC_KERNEL int32_t tinyc_conv_direct_t_rows(const int32_t *p, int64_t bytes) {
  return tinyc_conv_direct_t_in_place(p) ? 0 : tinyc_conv_direct_band_rows(p, bytes);
}

/* tinyc_conv_dwb_f32 (dw_blocked.c, host targets): the depthwise convolution over blocks of
   TINYC_DWB_C channels, channel innermost: the block's weights [taps][C], one output row [OW][C],
   then the zero-padded input rows of a band of output rows, [rows][Wp][C] with Wp the padded
   columns the windows reach, and 64 bytes to align the start. At least one output row per band,
   at most all (scratch_max). */
#define TINYC_DWB_C 16
#define TINYC_DWB_BAND_BYTES 32768
#define TINYC_DW_MAXTAPS 49 /* conv.c's and dw_blocked.c's tap offsets: at most this many (KH * KW) */
TINYC_KERNEL int64_t tinyc_conv_dwb_wp(const int32_t *p) {
  const int32_t *w = p + TINYC_CONV_WIN;
  return (int64_t)(w[TINYC_WIN_OUT + 2] - 1) * w[TINYC_WIN_S + 2] + (int64_t)(w[TINYC_WIN_K + 2] - 1) * w[TINYC_WIN_D + 2] + 1;
}
TINYC_KERNEL int64_t tinyc_conv_dwb_bytes(const int32_t *p, int64_t rows) {
  const int32_t *w = p + TINYC_CONV_WIN;
  const int64_t in_rows = (rows - 1) * w[TINYC_WIN_S + 1] + (int64_t)(w[TINYC_WIN_K + 1] - 1) * w[TINYC_WIN_D + 1] + 1;
  return 4 * TINYC_DWB_C * ((int64_t)w[TINYC_WIN_K + 1] * w[TINYC_WIN_K + 2] + w[TINYC_WIN_OUT + 2] +
                            in_rows * tinyc_conv_dwb_wp(p)) + 64;
}
TINYC_KERNEL int64_t tinyc_conv_dwb_f32_scratch(const int32_t *p) { return tinyc_conv_dwb_bytes(p, 1); }
/* Output rows per band in `bytes` of scratch (at most the band that stays within
   TINYC_DWB_BAND_BYTES, in the first-level cache). */
TINYC_KERNEL int32_t tinyc_conv_dwb_rows(const int32_t *p, int64_t bytes) {
  const int32_t *w = p + TINYC_CONV_WIN;
  const int64_t per_row = 4 * TINYC_DWB_C * w[TINYC_WIN_S + 1] * tinyc_conv_dwb_wp(p);
  int64_t r = per_row > 0 ? (TINYC_SCRATCH_MIN(bytes, TINYC_DWB_BAND_BYTES) - tinyc_conv_dwb_bytes(p, 1)) / per_row + 1 : 1;
  r = TINYC_SCRATCH_MIN(r, (int64_t)w[TINYC_WIN_OUT + 1]);
  return (int32_t)TINYC_SCRATCH_MAX(r, 1);
}
TINYC_KERNEL int64_t tinyc_conv_dwb_f32_scratch_max(const int32_t *p) {
  return tinyc_conv_dwb_bytes(p, tinyc_conv_dwb_rows(p, TINYC_DWB_BAND_BYTES));
}

/* tinyc_conv_f32_w8: a chunk of output channels' weights in float, then the GEMM's scratch (as
   tinyc_conv_nhwc_f32_w8): at least TINYC_CONV_WCHUNK channels of a group, at most all of them;
   the GEMM gets what the chunk leaves (at least tinyc_conv_f32_scratch). */
#define TINYC_CONV_WCHUNK 8
/* The K of a group's GEMM: C/G times the kernel taps. */
TINYC_KERNEL int64_t tinyc_conv_f32_kdim(const int32_t *p) {
  return (int64_t)(p[1] / p[3]) * tinyc_win_prod(p + TINYC_CONV_WIN, TINYC_WIN_K);
}
TINYC_KERNEL int64_t tinyc_conv_f32_w8_scratch(const int32_t *p) {
  return tinyc_conv_f32_scratch(p) + 4 * tinyc_conv_f32_kdim(p) * TINYC_SCRATCH_MIN(p[2] / p[3], TINYC_CONV_WCHUNK);
}
TINYC_KERNEL int64_t tinyc_conv_f32_w8_scratch_max(const int32_t *p) {
  return tinyc_conv_f32_scratch_max(p) + 4 * tinyc_conv_f32_kdim(p) * (p[2] / p[3]);
}
/* The channels whose float weights fit in `bytes` next to `other` bytes of the convolution's own
   scratch: all of a group's, else a multiple of 4, at least TINYC_CONV_WCHUNK (or all). */
TINYC_KERNEL int32_t tinyc_conv_w8_chunk_beside(const int32_t *p, int64_t bytes, int64_t other) {
  const int64_t k = tinyc_conv_f32_kdim(p), m = p[2] / p[3];
  int64_t c = k > 0 ? (bytes - other) / (4 * k) : m;
  if (c >= m) return (int32_t)m;
  c = c / 4 * 4;
  return (int32_t)TINYC_SCRATCH_MAX(c, TINYC_SCRATCH_MIN(m, TINYC_CONV_WCHUNK));
}
TINYC_KERNEL int32_t tinyc_conv_f32_w8_chunk(const int32_t *p, int64_t bytes) {
  return tinyc_conv_w8_chunk_beside(p, bytes, tinyc_conv_f32_scratch(p));
}

/* tinyc_conv_direct_f32_w8: a chunk of output channels' weights in float (at least
   TINYC_CONV_WCHUNK of a group, at most all), then the direct convolution's band (what the chunk
   leaves, at least its least band). */
TINYC_KERNEL int64_t tinyc_conv_direct_f32_w8_scratch(const int32_t *p) {
  return tinyc_conv_direct_f32_scratch(p) + 4 * tinyc_conv_f32_kdim(p) * TINYC_SCRATCH_MIN(p[2] / p[3], TINYC_CONV_WCHUNK);
}
TINYC_KERNEL int64_t tinyc_conv_direct_f32_w8_scratch_max(const int32_t *p) {
  return tinyc_conv_direct_f32_scratch_max(p) + 4 * tinyc_conv_f32_kdim(p) * (p[2] / p[3]);
}
TINYC_KERNEL int32_t tinyc_conv_direct_f32_w8_chunk(const int32_t *p, int64_t bytes) {
  return tinyc_conv_w8_chunk_beside(p, bytes, tinyc_conv_direct_f32_scratch(p));
}

/* tinyc_conv_dw_f32 (conv.c): the polyphase planes with 16 + Wq floats of slack and the output
   rows (OH * Wq rounded up to 16); or, on the stride-1 "same" path, a guard and per kernel column
   a copy of the plane between zero rows and a guard. Dimensions 1 and 2 of the window are H, W. */
TINYC_KERNEL int64_t tinyc_conv_dw_f32_scratch(const int32_t *p) {
  const int32_t *w = p + TINYC_CONV_WIN;
  const int64_t oh = w[TINYC_WIN_OUT + 1], ow = w[TINYC_WIN_OUT + 2], kh = w[TINYC_WIN_K + 1], kw = w[TINYC_WIN_K + 2];
  const int64_t sh = w[TINYC_WIN_S + 1], sw = w[TINYC_WIN_S + 2], dh = w[TINYC_WIN_D + 1], dw = w[TINYC_WIN_D + 2];
  const int64_t hp = (oh - 1) * sh + (kh - 1) * dh + 1, wp = (ow - 1) * sw + (kw - 1) * dw + 1;
  const int64_t hq = (hp + sh - 1) / sh, wq = (wp + sw - 1) / sw, block = 16, guard = kw * dw + 16;
  const int64_t planes = sh * sw * hq * wq + block + wq + (oh * wq + block - 1) / block * block;
  const int64_t same = guard + kw * ((w[TINYC_WIN_IN + 1] + (kh - 1) * dh) * w[TINYC_WIN_IN + 2] + guard);
  return TINYC_SCRATCH_MAX(planes, same) * 4 + 64;
}

/* tinyc_convtranspose_f32: the column buffer [M/G * k, in] (rounded up to 64 bytes), then the
   GEMM's (A = W_g^T, packed). */
TINYC_KERNEL int64_t tinyc_convtranspose_f32_col_bytes(const int32_t *p) {
  const int64_t rows = (int64_t)(p[2] / p[3]) * tinyc_win_prod(p + TINYC_CONV_WIN, TINYC_WIN_K);
  return (rows * tinyc_win_prod(p + TINYC_CONV_WIN, TINYC_WIN_IN) * 4 + 63) / 64 * 64;
}
TINYC_KERNEL int64_t tinyc_convtranspose_f32_scratch(const int32_t *p) {
  const int64_t rows = (int64_t)(p[2] / p[3]) * tinyc_win_prod(p + TINYC_CONV_WIN, TINYC_WIN_K);
  return tinyc_convtranspose_f32_col_bytes(p) +
         tinyc_sgemm_scratch(rows, tinyc_win_prod(p + TINYC_CONV_WIN, TINYC_WIN_IN), p[1] / p[3], 1);
}
TINYC_KERNEL int64_t tinyc_convtranspose_f32_scratch_max(const int32_t *p) {
  const int64_t rows = (int64_t)(p[2] / p[3]) * tinyc_win_prod(p + TINYC_CONV_WIN, TINYC_WIN_K);
  return tinyc_convtranspose_f32_col_bytes(p) +
         tinyc_sgemm_scratch_max(rows, tinyc_win_prod(p + TINYC_CONV_WIN, TINYC_WIN_IN), p[1] / p[3], 1);
}

/* tinyc_gemm_f32 (matmul.c), p: M, N, K, transA, transB, C's row and column strides. One row is a
   GEMV (no scratch). A is packed when transposed or scaled (a macro: no float code in the integer
   models that include this file). */
#define TINYC_GEMM_PACKS_A(ta, alpha) ((ta) != 0 || (alpha) != 1.0f)
#define TINYC_GEMM_P_M 0
#define TINYC_GEMM_P_N 1
#define TINYC_GEMM_P_K 2
#define TINYC_GEMM_P_TA 3
#define TINYC_GEMM_P_TB 4
#define TINYC_GEMM_P_CRS 5
#define TINYC_GEMM_P_CCS 6
#define TINYC_GEMM_PARAMS 7
TINYC_KERNEL int64_t tinyc_gemm_f32_scratch(const int32_t *p, int32_t packs_a) {
  return p[TINYC_GEMM_P_M] == 1 ? 0 : tinyc_sgemm_scratch(p[TINYC_GEMM_P_M], p[TINYC_GEMM_P_N], p[TINYC_GEMM_P_K], packs_a);
}
TINYC_KERNEL int64_t tinyc_gemm_f32_scratch_max(const int32_t *p, int32_t packs_a) {
  return p[TINYC_GEMM_P_M] == 1 ? 0 : tinyc_sgemm_scratch_max(p[TINYC_GEMM_P_M], p[TINYC_GEMM_P_N], p[TINYC_GEMM_P_K], packs_a);
}

/* tinyc_matmul_f32 (matmul.c): one GEMM per batch of [m, k] x [k, n]; one row is a GEMV. */
TINYC_KERNEL int64_t tinyc_matmul_f32_scratch(int64_t m, int64_t k, int64_t n) {
  return m == 1 ? 0 : tinyc_sgemm_scratch(m, n, k, 0);
}
TINYC_KERNEL int64_t tinyc_matmul_f32_scratch_max(int64_t m, int64_t k, int64_t n) {
  return m == 1 ? 0 : tinyc_sgemm_scratch_max(m, n, k, 0);
}

/* ---- channels-last float kernels (nhwc.c), p: N, H, W, C, OH, OW, M, group, KH, KW, SH, SW, DH,
   DW, PT, PL (tinyc_nhwc_read), then kernel-specific entries. */
#define TINYC_NHWC_N 0
#define TINYC_NHWC_H 1
#define TINYC_NHWC_W 2
#define TINYC_NHWC_C 3
#define TINYC_NHWC_OH 4
#define TINYC_NHWC_OW 5
#define TINYC_NHWC_M 6
#define TINYC_NHWC_G 7
#define TINYC_NHWC_KH 8
#define TINYC_NHWC_KW 9
#define TINYC_NHWC_SH 10
#define TINYC_NHWC_SW 11
#define TINYC_NHWC_DH 12
#define TINYC_NHWC_DW 13
#define TINYC_NHWC_PT 14
#define TINYC_NHWC_PL 15
#define TINYC_NHWC_PARAMS 16
#define TINYC_NHWC_RING 16 /* tinyc_conv_dw_nhwc_inplace_f32: ring rows */
#define TINYC_NHWC_NCHW_IN 16 /* tinyc_conv_nhwc_f32: 1 when input 0 is channels-first (a graph input) */
#define TINYC_NHWC_CONV_PARAMS 17 /* tinyc_conv_nhwc_f32's array */
#define TINYC_NHWC_PIX 4   /* pixels per patch block of tinyc_conv_nhwc_f32 */
#define TINYC_NHWC_ROWS_FEW_C 4 /* tinyc_conv_nhwc_rows_f32 also for 1x1 windows up to this many input channels */
#define TINYC_NHWC_ROWS_MAX 32  /* its runs per pixel (KH, or C * KH channels-first: its row arrays) */
#define TINYC_NHWC_ROWS_PAD 8   /* floats after its tap-major weights (a last block read 8 wide) */

/* tinyc_conv_nhwc_f32: TINYC_NHWC_PIX patches of KH * KW * C/group floats; none for a 1x1
   stride-1 unpadded ungrouped convolution of channels-last input (its patch is the input pixel). */
TINYC_KERNEL int64_t tinyc_conv_nhwc_f32_scratch(const int32_t *p) {
  const int direct = p[TINYC_NHWC_NCHW_IN] == 0 && p[TINYC_NHWC_KH] == 1 && p[TINYC_NHWC_KW] == 1 && p[TINYC_NHWC_SH] == 1 &&
                     p[TINYC_NHWC_SW] == 1 && p[TINYC_NHWC_PT] == 0 && p[TINYC_NHWC_PL] == 0 &&
                     p[TINYC_NHWC_G] == 1 && p[TINYC_NHWC_OH] == p[TINYC_NHWC_H] && p[TINYC_NHWC_OW] == p[TINYC_NHWC_W];
  return direct ? 0
                : (int64_t)4 * TINYC_NHWC_PIX * p[TINYC_NHWC_KH] * p[TINYC_NHWC_KW] * (p[TINYC_NHWC_C] / p[TINYC_NHWC_G]);
}

/* tinyc_conv_small_f32 (conv_small.c, --kernels small): one output channel's weights as floats
   when they are int8 (w8), else nothing. */
TINYC_KERNEL int64_t tinyc_conv_small_f32_scratch(const int32_t *p, int w8) {
  return w8 ? (int64_t)4 * p[TINYC_NHWC_KH] * p[TINYC_NHWC_KW] * (p[TINYC_NHWC_C] / p[TINYC_NHWC_G]) : 0;
}

/* tinyc_conv_nhwc_f32_w8: the patches, then a chunk of output channels' weights in float: at
   least TINYC_NHWC_WCHUNK channels (tinyc_conv_nhwc_f32_w8_scratch), at most all of them (_max);
   the kernel's chunk is what the bytes it is given hold, a multiple of 4 channels below M. */
#define TINYC_NHWC_WCHUNK 8
TINYC_KERNEL int64_t tinyc_conv_nhwc_f32_w8_k(const int32_t *p) {
  return (int64_t)p[TINYC_NHWC_KH] * p[TINYC_NHWC_KW] * (p[TINYC_NHWC_C] / p[TINYC_NHWC_G]);
}
TINYC_KERNEL int64_t tinyc_conv_nhwc_f32_w8_scratch(const int32_t *p) {
  return tinyc_conv_nhwc_f32_scratch(p) +
         4 * tinyc_conv_nhwc_f32_w8_k(p) * TINYC_SCRATCH_MIN(p[TINYC_NHWC_M], TINYC_NHWC_WCHUNK);
}
TINYC_KERNEL int64_t tinyc_conv_nhwc_f32_w8_scratch_max(const int32_t *p) {
  return tinyc_conv_nhwc_f32_scratch(p) + 4 * tinyc_conv_nhwc_f32_w8_k(p) * p[TINYC_NHWC_M];
}
TINYC_KERNEL int32_t tinyc_conv_nhwc_f32_w8_chunk(const int32_t *p, int64_t bytes) {
  const int64_t k = tinyc_conv_nhwc_f32_w8_k(p), m = p[TINYC_NHWC_M];
  int64_t c = k > 0 ? (bytes - tinyc_conv_nhwc_f32_scratch(p)) / (4 * k) : m;
  if (c >= m) return (int32_t)m;
  c = c / 4 * 4;
  return (int32_t)TINYC_SCRATCH_MAX(c, TINYC_SCRATCH_MIN(m, TINYC_NHWC_WCHUNK));
}

/* tinyc_conv_dw_nhwc_inplace_f32: the ring of R input rows and one output row. */
TINYC_KERNEL int64_t tinyc_conv_dw_nhwc_inplace_f32_scratch(const int32_t *p) {
  const int64_t r = p[TINYC_NHWC_RING] > 0 ? p[TINYC_NHWC_RING] : 1;
  return (r * p[TINYC_NHWC_W] * p[TINYC_NHWC_C] + (int64_t)p[TINYC_NHWC_OW] * p[TINYC_NHWC_C]) * 4;
}

/* ---- int8 convolutions (qint*.c, arm_dsp/, arm_mve/), p: C, H, W, M, OH, OW, KH, KW, SH, SW, DH,
   DW, PT, PL, group (2-D; 1-D as H = 1). */
#define TINYC_QC_C 0
#define TINYC_QC_H 1
#define TINYC_QC_W 2
#define TINYC_QC_M 3
#define TINYC_QC_OH 4
#define TINYC_QC_OW 5
#define TINYC_QC_KH 6
#define TINYC_QC_KW 7
#define TINYC_QC_SH 8
#define TINYC_QC_SW 9
#define TINYC_QC_DH 10
#define TINYC_QC_DW 11
#define TINYC_QC_PT 12
#define TINYC_QC_PL 13
#define TINYC_QC_G 14
#define TINYC_QC_PARAMS 15

/* ---- the zero-skipping convolutions (sparse_f32.c, sparse_i8.c; weights as lib/ops/sparse.h's row
   bitmap): the geometry above; the scratch holds the receptive fields of TINYC_SPARSE_PIXELS output
   pixels in one group, interleaved: TINYC_SPARSE_PIXELS * K elements of `bytes` each, K = C/G * KH * KW
   (each weight loaded once serves that many pixels). */
#define TINYC_SPARSE_PIXELS 4
TINYC_KERNEL int64_t tinyc_sparse_conv_scratch(const int32_t *p, int32_t bytes) {
  return (int64_t)TINYC_SPARSE_PIXELS * (p[TINYC_QC_C] / p[TINYC_QC_G]) * p[TINYC_QC_KH] * p[TINYC_QC_KW] * bytes;
}
#define TINYC_QDW_MAXTAPS 64 /* channels-last depthwise: taps as a pointer list (larger: the grouped path) */
#define TINYC_QH_NR 16       /* tinyc_qconv_host_i8: output pixels per panel */
#define TINYC_QDWH_SLACK 16  /* tinyc_qdwconv_host_i8: int16 values after the plane */

/* K, one receptive field: C/group * KH * KW. */
TINYC_KERNEL int64_t tinyc_qconv_field(const int32_t *p) {
  return (int64_t)(p[TINYC_QC_C] / p[TINYC_QC_G]) * p[TINYC_QC_KH] * p[TINYC_QC_KW];
}
/* tinyc_qconv_i8 / _i4 (pixel pairs) and tinyc_qconv_mve_i8: two receptive fields. */
TINYC_KERNEL int64_t tinyc_qconv_i8_scratch(const int32_t *p) { return 2 * tinyc_qconv_field(p); }
/* tinyc_qconv_pairs_i8: two pixels' fields packed in int32 pairs (2 K int32). */
TINYC_KERNEL int64_t tinyc_qconv_pairs_i8_scratch(const int32_t *p) { return 8 * tinyc_qconv_field(p); }
/* tinyc_qconv_host_i8: one panel of TINYC_QH_NR fields padded to a multiple of 4 bytes. */
TINYC_KERNEL int64_t tinyc_qconv_host_i8_scratch(const int32_t *p) {
  return TINYC_QH_NR * ((tinyc_qconv_field(p) + 3) / 4 * 4);
}
/* tinyc_qconv_dsp_i8: four receptive fields (rounded up to 8 bytes; none for a 1x1 stride-1
   unpadded convolution, which reads its input rows in place), then the widened fields, 32 bytes
   per quad of inputs (Q = K / 4 rounded up to even). */
TINYC_KERNEL int tinyc_qconv_dsp_i8_direct(const int32_t *p) {
  return p[TINYC_QC_KH] == 1 && p[TINYC_QC_KW] == 1 && p[TINYC_QC_SH] == 1 && p[TINYC_QC_SW] == 1 &&
         p[TINYC_QC_PT] == 0 && p[TINYC_QC_PL] == 0 && p[TINYC_QC_OW] == p[TINYC_QC_W] && p[TINYC_QC_OH] == p[TINYC_QC_H];
}
TINYC_KERNEL int64_t tinyc_qconv_dsp_i8_field_bytes(const int32_t *p) {
  return tinyc_qconv_dsp_i8_direct(p) ? 0 : (4 * tinyc_qconv_field(p) + 7) / 8 * 8;
}
TINYC_KERNEL int64_t tinyc_qconv_dsp_i8_quads(const int32_t *p) { return (tinyc_qconv_field(p) + 7) / 8 * 2; }
TINYC_KERNEL int64_t tinyc_qconv_dsp_i8_scratch(const int32_t *p) {
  return tinyc_qconv_dsp_i8_field_bytes(p) + 32 * tinyc_qconv_dsp_i8_quads(p);
}
/* The channels-last depthwise kernels (TINYC_QDW_NHWC_KERNEL): a row of C zero points. */
TINYC_KERNEL int64_t tinyc_qdwconv_nhwc_i8_scratch(const int32_t *p) { return p[TINYC_QC_C]; }
/* tinyc_qdwconv_host_i8: Hp x Wp are the rows and columns the windows reach, L the sums (stride
   1: the rows' columns in between are computed too); scratch 4 L + 2 (Hp Wp + TINYC_QDWH_SLACK) +
   L + 16 bytes (the sums, the int16 plane, the requantized sums and their last block). */
#define TINYC_QDWH_DIMS(p, Hp, Wp, L)                                                                          \
  const int32_t Hp = (p[TINYC_QC_OH] - 1) * p[TINYC_QC_SH] + (p[TINYC_QC_KH] - 1) * p[TINYC_QC_DH] + 1;      \
  const int32_t Wp = (p[TINYC_QC_OW] - 1) * p[TINYC_QC_SW] + (p[TINYC_QC_KW] - 1) * p[TINYC_QC_DW] + 1;      \
  const int32_t L = p[TINYC_QC_SH] == 1 && p[TINYC_QC_SW] == 1 ? (p[TINYC_QC_OH] - 1) * Wp + p[TINYC_QC_OW] \
                                                               : p[TINYC_QC_OH] * p[TINYC_QC_OW]
TINYC_KERNEL int64_t tinyc_qdwconv_host_i8_scratch(const int32_t *p) {
  TINYC_QDWH_DIMS(p, Hp, Wp, L);
  return 4 * (int64_t)L + 2 * ((int64_t)Hp * Wp + TINYC_QDWH_SLACK) + L + 16;
}
/* tinyc_qgemm_i8 / _i4: rows in pairs interleaved, 2 K bytes (none for one row). */
TINYC_KERNEL int64_t tinyc_qgemm_i8_scratch(int64_t m, int64_t k) { return m > 1 ? 2 * k : 0; }

/* ---- the other kernels with scratch. */
/* tinyc_softmax_<T> (activation.c), [outer, n, inner]: a max and a sum per column when inner > 1. */
TINYC_KERNEL int64_t tinyc_softmax_scratch(int64_t outer, int64_t n, int64_t inner, int64_t elem_bytes) {
  return inner > 1 && outer * n * inner > 0 ? 2 * inner * elem_bytes : 0;
}
/* tinyc_reduce_sum_<T> (reduce.c), [outer, r, inner]: inner accumulators (8 bytes: double or
   uint64_t; float on the MCU targets) when inner > 1; the general form one per output. */
TINYC_KERNEL int64_t tinyc_reduce_sum_scratch(int64_t outer, int64_t inner) {
  return inner > 1 && outer * inner > 0 ? inner * 8 : 0;
}
TINYC_KERNEL int64_t tinyc_reduce_sum_gen_scratch(int64_t outn) { return outn * 8; }
/* tinyc_reduce_op_<T>: two accumulators per output (the second half: maxima). */
TINYC_KERNEL int64_t tinyc_reduce_op_scratch(int64_t outn) { return 16 * (outn > 1 ? outn : 1); }
/* tinyc_recurrent_f32 (rnn.c): h, c, the gates' pre-activations, r * h and the next h: (G + 4) H
   floats. */
TINYC_KERNEL int64_t tinyc_recurrent_f32_scratch(int64_t gates, int64_t hidden) { return 4 * (gates + 4) * hidden; }
/* tinyc_lrn_inplace_<T> (norm.c): one pixel's C results (and 64 bytes of slack). */
TINYC_KERNEL int64_t tinyc_lrn_inplace_scratch(int64_t channels, int64_t elem_bytes) {
  return channels * elem_bytes + 64;
}
/* ConvInteger / QLinearConv (qlinear.c), g: N, C, M, group, sp, then in, k, out, strides,
   dilations, pads_begin (sp each): the taps' coordinates (kn * sp), their offsets (kn), an output
   coordinate (sp), int32 each; QLinearConv also M float multipliers. */
TINYC_KERNEL int64_t tinyc_qlinear_conv_scratch(const int32_t *g, int32_t with_mult) {
  const int32_t sp = g[4];
  int64_t kn = 1;
  int32_t d;
  for (d = 0; d < sp; ++d) kn *= g[5 + sp + d];
  return 4 * (kn * (sp + 1) + sp) + (with_mult ? 4 * (int64_t)g[2] : 0);
}
/* tinyc_det_<T> (matmul.c): a working copy of one [m, m] matrix in the accumulation type (8
   bytes: double on hosts, float on the MCU targets). */
TINYC_KERNEL int64_t tinyc_det_scratch(int64_t m) { return m * m * 8; }
/* tinyc_einsum_<T> (matmul.c): one 8-byte accumulator per output element (tinyc_acc or uint64_t). */
TINYC_KERNEL int64_t tinyc_einsum_scratch(int64_t outputs) { return outputs * 8; }

/* tinyc_attention_f32 (attention.c): its parameters (ops/attention_plan.h's AttentionPlan) and
   one row of scores, T floats. */
#define TINYC_ATT_B 0
#define TINYC_ATT_HQ 1
#define TINYC_ATT_HKV 2
#define TINYC_ATT_S 3
#define TINYC_ATT_L 4
#define TINYC_ATT_P 5
#define TINYC_ATT_T 6
#define TINYC_ATT_D 7
#define TINYC_ATT_DV 8
#define TINYC_ATT_IN3D 9
#define TINYC_ATT_CAUSAL 10
#define TINYC_ATT_LEFT 11
#define TINYC_ATT_RIGHT 12
#define TINYC_ATT_MODE 13
#define TINYC_ATT_MASK_LEN 14 /* 0: no mask */
#define TINYC_ATT_MASK_STRIDE 15 /* 3 strides over B, Hq, S (0 where broadcast) */
#define TINYC_ATT_PARAMS 18
TINYC_KERNEL int64_t tinyc_attention_f32_scratch(const int32_t *p) { return (int64_t)4 * p[TINYC_ATT_T]; }

/* tinyc_linear_attention_f32 (attention.c): its parameters (ops/linear_attention.h's plan) and,
   when present_state is not an output, the state [B, H_kv, d_k, d_v] in floats. */
#define TINYC_LATT_B 0
#define TINYC_LATT_T 1
#define TINYC_LATT_HQ 2
#define TINYC_LATT_HKV 3
#define TINYC_LATT_DK 4
#define TINYC_LATT_DV 5
#define TINYC_LATT_GATING 6
#define TINYC_LATT_DELTA 7
#define TINYC_LATT_DECAY_PER_KEY 8
#define TINYC_LATT_BETA_PER_HEAD 9
#define TINYC_LATT_HAS_PRESENT 10
#define TINYC_LATT_PARAMS 11
TINYC_KERNEL int64_t tinyc_linear_attention_f32_scratch(const int32_t *p) {
  return p[TINYC_LATT_HAS_PRESENT] ? 0
                                   : (int64_t)4 * p[TINYC_LATT_B] * p[TINYC_LATT_HKV] * p[TINYC_LATT_DK] * p[TINYC_LATT_DV];
}

/* ---- the in-place transpose (shape.c tinyc_transpose_inplace): `outer` matrices of rows x cols
   blocks of `block` bytes, row-major, each turned into its cols x rows transpose where it is (a
   Transpose computed over its input, e.g. the channels-last result of a graph's last layer turned
   channels-first inside the caller's output buffer). Scratch: one block, then one bit per block
   of a matrix (the cycles already moved). */
#define TINYC_TIP_OUTER 0
#define TINYC_TIP_ROWS 1
#define TINYC_TIP_COLS 2
#define TINYC_TIP_BLOCK 3
#define TINYC_TIP_PARAMS 4
TINYC_KERNEL int64_t tinyc_transpose_inplace_scratch(const int32_t *p) {
  return (int64_t)p[TINYC_TIP_BLOCK] + ((int64_t)p[TINYC_TIP_ROWS] * p[TINYC_TIP_COLS] + 7) / 8;
}

#endif
