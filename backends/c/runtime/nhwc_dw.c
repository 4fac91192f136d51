/* tinyc runtime: channels-last (NHWC) float depthwise convolution (nhwc.c: the geometry and the
   clamp it shares with the other channels-last kernels): a general per-pixel kernel, 3x3 row
   kernels with stride 1 and 2, their passes on the FPU cores (arm_fpu/dw3.c), and the in-place
   form over its own input. requires: common scratch nhwc dw3 */

/* Output pixel (oy, ox) of a depthwise convolution (M = C * mult outputs, weights
   [M, KH, KW, 1]) from the input rows xrows[ky] (NULL outside the input): four output channels
   at a time are summed in registers over the taps inside the input, in (ky, kx) order, and the
   bias added: every depthwise kernel gives identical results. The columns inside the input are
   one range [kx0, kx1), found once per pixel (no tap list: arrays filled under a condition make
   gcc's -Wmaybe-uninitialized fire on some shapes). */
TINYC_KERNEL void tinyc_dw_nhwc_pixel(const tinyc_nhwc *q, const float *const *xrows, int32_t ox, const float *w,
                                      const float *bias, float *restrict yp, float lo, float hi) {
  const int act = TINYC_CLAMPS(lo, hi);
  const int32_t mult = q->m / q->c, taps = q->kh * q->kw, ix0 = ox * q->sw - q->pl;
  int32_t kx0 = 0, kx1 = q->kw, ky, kx, m, j;
  while (kx0 < kx1 && ix0 + kx0 * q->dw < 0) ++kx0;
  while (kx1 > kx0 && ix0 + (kx1 - 1) * q->dw >= q->w) --kx1;
  for (m = 0; m < q->m; m += 4) {
    const int32_t mb = q->m - m < 4 ? q->m - m : 4;
    const float *w0 = w + (size_t)m * (size_t)taps;
    float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
    if (mult == 1 && mb == 4) {
      const float *w1 = w0 + taps, *w2 = w1 + taps, *w3 = w2 + taps;
      for (ky = 0; ky < q->kh; ++ky) {
        const float *xr;
        if (!xrows[ky]) continue;
        xr = xrows[ky] + (size_t)(ix0 + kx0 * q->dw) * (size_t)q->c + (size_t)m;
        for (kx = kx0; kx < kx1; ++kx, xr += (size_t)q->dw * (size_t)q->c) {
          const int32_t k = ky * q->kw + kx;
          a0 = TINYC_FMAF(xr[0], w0[k], a0);
          a1 = TINYC_FMAF(xr[1], w1[k], a1);
          a2 = TINYC_FMAF(xr[2], w2[k], a2);
          a3 = TINYC_FMAF(xr[3], w3[k], a3);
        }
      }
    } else {
      float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      for (ky = 0; ky < q->kh; ++ky) {
        if (!xrows[ky]) continue;
        for (kx = kx0; kx < kx1; ++kx) {
          const float *xr = xrows[ky] + (size_t)(ix0 + kx * q->dw) * (size_t)q->c;
          const float *wk = w0 + ky * q->kw + kx;
          for (j = 0; j < mb; ++j) acc[j] = TINYC_FMAF(xr[(m + j) / mult], wk[(size_t)j * (size_t)taps], acc[j]);
        }
      }
      a0 = acc[0];
      a1 = acc[1];
      a2 = acc[2];
      a3 = acc[3];
    }
    {
      const float r[4] = {a0, a1, a2, a3};
      for (j = 0; j < mb; ++j) {
        const float v = r[j] + (bias ? bias[m + j] : 0.0f);
        yp[m + j] = act ? tinyc_clamp_f32(v, lo, hi) : v;
      }
    }
  }
}

/* One output row of a 3x3 depthwise convolution with stride 1, dilation 1 and multiplier 1
   whose three input rows all exist, channel by channel: the channel's nine weights stay in
   registers and a 3x3 window of inputs slides one column per output (three loads per nine
   multiply-adds; the per-pixel kernel above loads every input and weight). A column outside
   the input contributes 0 * w: the same sums as the per-pixel kernel, in the same (ky, kx)
   order, where that one leaves the tap out (they differ only in the sign of a zero result, or
   for non-finite weights on padded taps). */
#define TINYC_DW3_OUT(A, B, N)                                                             \
  do {                                                                                     \
    float acc_ = TINYC_FMAF(A##0, w00, 0.0f);                                              \
    acc_ = TINYC_FMAF(B##0, w01, acc_);                                                    \
    acc_ = TINYC_FMAF(N##0, w02, acc_);                                                    \
    acc_ = TINYC_FMAF(A##1, w10, acc_);                                                    \
    acc_ = TINYC_FMAF(B##1, w11, acc_);                                                    \
    acc_ = TINYC_FMAF(N##1, w12, acc_);                                                    \
    acc_ = TINYC_FMAF(A##2, w20, acc_);                                                    \
    acc_ = TINYC_FMAF(B##2, w21, acc_);                                                    \
    acc_ = TINYC_FMAF(N##2, w22, acc_);                                                    \
    acc_ += bc;                                                                            \
    *yp = act ? tinyc_clamp_f32(acc_, lo, hi) : acc_;                                      \
    yp += C;                                                                               \
  } while (0)
/* Column ix of the three rows (zero outside the input). */
#define TINYC_DW3_COL(ixv, v0, v1, v2)                                                     \
  do {                                                                                     \
    const int32_t i_ = (ixv);                                                              \
    const int inside_ = i_ >= 0 && i_ < W;                                                 \
    v0 = inside_ ? r0[(size_t)i_ * (size_t)C] : 0.0f;                                      \
    v1 = inside_ ? r1[(size_t)i_ * (size_t)C] : 0.0f;                                      \
    v2 = inside_ ? r2[(size_t)i_ * (size_t)C] : 0.0f;                                      \
  } while (0)
/* The next column from the pointers p0..p2 (inside the input), then the output. */
#define TINYC_DW3_STEP(A, B, N)                                                            \
  do {                                                                                     \
    N##0 = *p0;                                                                            \
    N##1 = *p1;                                                                            \
    N##2 = *p2;                                                                            \
    p0 += C;                                                                               \
    p1 += C;                                                                               \
    p2 += C;                                                                               \
    TINYC_DW3_OUT(A, B, N);                                                                \
  } while (0)
/* Channel c's three input rows, nine weights and bias, the window's registers and the output. */
#define TINYC_DW3_CHANNEL                                                                            \
  const float *r0 = xrows[0] + c, *r1 = xrows[1] + c, *r2 = xrows[2] + c, *wc = w + (size_t)c * 9u; \
  const float w00 = wc[0], w01 = wc[1], w02 = wc[2], w10 = wc[3], w11 = wc[4], w12 = wc[5];         \
  const float w20 = wc[6], w21 = wc[7], w22 = wc[8], bc = bias ? bias[c] : 0.0f;                    \
  float a0, a1, a2, b0, b1, b2, n0, n1, n2;                                                         \
  float *restrict yp = yr + c
TINYC_KERNEL void tinyc_dw3x3s1_nhwc_row(const tinyc_nhwc *q, const float *const *xrows, const float *w,
                                         const float *bias, float *restrict yr, float lo, float hi) {
  const int act = TINYC_CLAMPS(lo, hi);
  const int32_t C = q->c, W = q->w, OW = q->ow, pl = q->pl;
  int32_t in0 = 0, in1, c, ox;
  /* outputs [in0, in1) load their new column (ox - pl + 2) from inside the input */
  while (in0 < OW && in0 - pl + 2 < 0) ++in0;
  in1 = in0;
  while (in1 < OW && in1 - pl + 2 < W) ++in1;
  for (c = 0; c < C; ++c) {
    TINYC_DW3_CHANNEL;
    TINYC_DW3_COL(-pl, a0, a1, a2);
    TINYC_DW3_COL(1 - pl, b0, b1, b2);
    for (ox = 0; ox < OW; ++ox) {
      if (ox == in0 && in0 < in1) { /* the columns inside: unconditional loads, three outputs per pass */
        const float *p0 = r0 + (size_t)(ox - pl + 2) * (size_t)C, *p1 = r1 + (size_t)(ox - pl + 2) * (size_t)C;
        const float *p2 = r2 + (size_t)(ox - pl + 2) * (size_t)C;
        for (; ox + 3 <= in1; ox += 3) { /* the window's columns rotate by name */
          TINYC_DW3_STEP(a, b, n);
          TINYC_DW3_STEP(b, n, a);
          TINYC_DW3_STEP(n, a, b);
        }
        for (; ox < in1; ++ox) {
          TINYC_DW3_STEP(a, b, n);
          a0 = b0, a1 = b1, a2 = b2;
          b0 = n0, b1 = n1, b2 = n2;
        }
        if (ox == OW) break;
      }
      TINYC_DW3_COL(ox - pl + 2, n0, n1, n2);
      TINYC_DW3_OUT(a, b, n);
      a0 = b0, a1 = b1, a2 = b2;
      b0 = n0, b1 = n1, b2 = n2;
    }
  }
}
/* The same with stride 2: the window moves two columns per output (six loads per nine
   multiply-adds, its last column becomes the next window's first). */
#define TINYC_DW3_STEP2(A, B, N)                                                           \
  do {                                                                                     \
    B##0 = p0[0];                                                                          \
    B##1 = p1[0];                                                                          \
    B##2 = p2[0];                                                                          \
    N##0 = p0[C];                                                                          \
    N##1 = p1[C];                                                                          \
    N##2 = p2[C];                                                                          \
    p0 += 2 * C;                                                                           \
    p1 += 2 * C;                                                                           \
    p2 += 2 * C;                                                                           \
    TINYC_DW3_OUT(A, B, N);                                                                \
  } while (0)
TINYC_KERNEL void tinyc_dw3x3s2_nhwc_row(const tinyc_nhwc *q, const float *const *xrows, const float *w,
                                         const float *bias, float *restrict yr, float lo, float hi) {
  const int act = TINYC_CLAMPS(lo, hi);
  const int32_t C = q->c, W = q->w, OW = q->ow, pl = q->pl;
  int32_t in0 = 0, in1, c, ox;
  /* outputs [in0, in1) load their two new columns (2 ox - pl + 1, + 2) from inside the input */
  while (in0 < OW && 2 * in0 - pl + 1 < 0) ++in0;
  in1 = in0;
  while (in1 < OW && 2 * in1 - pl + 2 < W) ++in1;
  for (c = 0; c < C; ++c) {
    TINYC_DW3_CHANNEL;
    TINYC_DW3_COL(-pl, a0, a1, a2);
    for (ox = 0; ox < OW; ++ox) {
      if (ox == in0 && in0 < in1) {
        const float *p0 = r0 + (size_t)(2 * ox - pl + 1) * (size_t)C, *p1 = r1 + (size_t)(2 * ox - pl + 1) * (size_t)C;
        const float *p2 = r2 + (size_t)(2 * ox - pl + 1) * (size_t)C;
        for (; ox + 2 <= in1; ox += 2) { /* the window's columns rotate by name */
          TINYC_DW3_STEP2(a, b, n);
          TINYC_DW3_STEP2(n, b, a);
        }
        if (ox < in1) {
          TINYC_DW3_STEP2(a, b, n);
          a0 = n0, a1 = n1, a2 = n2;
          ++ox;
        }
        if (ox == OW) break;
      }
      TINYC_DW3_COL(2 * ox - pl + 1, b0, b1, b2);
      TINYC_DW3_COL(2 * ox - pl + 2, n0, n1, n2);
      TINYC_DW3_OUT(a, b, n);
      a0 = n0, a1 = n1, a2 = n2;
    }
  }
}
#undef TINYC_DW3_STEP2
#undef TINYC_DW3_CHANNEL
#undef TINYC_DW3_STEP
#undef TINYC_DW3_COL
#undef TINYC_DW3_OUT

#if TINYC_ARM_VLDM
/* Output column ox of a 3x3 depthwise row (stride 1 or 2) whose three input rows exist, every
   channel, exactly as tinyc_dw3x3s1/s2_nhwc_row compute it (columns outside the input as zeros). */
TINYC_KERNEL void tinyc_dw3_edge(const tinyc_nhwc *q, const float *const *xrows, int32_t ox, const float *w,
                                 const float *bias, float *restrict yp, float lo, float hi) {
  const int act = TINYC_CLAMPS(lo, hi);
  const int32_t C = q->c, ix0 = ox * q->sw - q->pl;
  int32_t c, ky, kx;
  for (c = 0; c < C; ++c) {
    const float *wc = w + (size_t)c * 9u;
    float acc = 0.0f;
    for (ky = 0; ky < 3; ++ky)
      for (kx = 0; kx < 3; ++kx) {
        const int32_t ix = ix0 + kx;
        const float v = ix >= 0 && ix < q->w ? xrows[ky][(size_t)ix * (size_t)C + (size_t)c] : 0.0f;
        acc = TINYC_FMAF(v, wc[ky * 3 + kx], acc);
      }
    acc += bias ? bias[c] : 0.0f;
    yp[c] = act ? tinyc_clamp_f32(acc, lo, hi) : acc;
  }
}

/* A 3x3 depthwise row (stride 1 or 2, dilation 1 along the row, multiplier 1, channels a
   multiple of 4, at least two of its three input rows inside) with runtime/arm_fpu/dw3.c: the
   outputs whose window lies inside the input (with every input row there: also those with one
   column of padding on either side, summed as zeros as the row kernels do) in passes of four
   channels and one kernel row, the fused Relu/Clip over them after; any other output as the C
   kernels compute it (with a missing row the pixel kernel, which skips what lies outside), so
   the row is bit-identical to the C kernels'. 0 when it does not apply. */
TINYC_KERNEL TINYC_NOINLINE int tinyc_dw3_row_vldm(const tinyc_nhwc *q, const float *const *xrows, const float *w,
                                                   const float *bias, float *restrict yr, float lo, float hi) {
  const int32_t C = q->c, s = q->sw, OW = q->ow, pl = q->pl, W = q->w;
  int32_t first = -1, last = -1, o0 = 0, o1, lz, tz, c, ky, ox, full;
  if (q->kh != 3 || q->kw != 3 || q->dw != 1 || q->m != C || (C & 3) != 0 || (s != 1 && s != 2)) return 0;
  for (ky = 0; ky < 3; ++ky)
    if (xrows[ky]) {
      if (first < 0) first = ky;
      last = ky;
    }
  if (first < 0 || first == last) return 0;
  full = first == 0 && last == 2 && xrows[1];
  /* outputs [o0, o1) in the loop (o0's first column may be the one left of the input), o1 the
     tail when its last column is the one right of the input */
  while (o0 < OW && o0 * s - pl < (full ? -1 : 0)) ++o0;
  lz = o0 < OW && o0 * s - pl < 0;
  o1 = o0;
  while (o1 < OW && o1 * s - pl + 2 < W) ++o1;
  tz = full && o1 < OW && o1 * s - pl + 2 == W && o1 * s - pl >= 0;
  if (o1 == o0) return 0;
  for (c = 0; c < C; c += 4)
    for (ky = first; ky <= last; ++ky)
      if (xrows[ky]) {
        const float *xr = xrows[ky] + (size_t)c;
        tinyc_dw3_pass_vldm(s, ky == first ? 0 : ky == last ? 2 : 1,
                            lz ? NULL : xr + (size_t)(o0 * s - pl) * (size_t)C,
                            xr + (size_t)(o0 * s - pl + 1) * (size_t)C, C * 4, w + (size_t)c * 9u + (size_t)ky * 3u,
                            bias ? bias + c : NULL, yr + (size_t)o0 * (size_t)C + (size_t)c, o1 - o0, tz);
      }
  if (TINYC_CLAMPS(lo, hi)) {
    const float lh[2] = {lo, hi};
    tinyc_clamp4_vldm(yr + (size_t)o0 * (size_t)C, (o1 + tz - o0) * (C / 4), lh);
  }
  for (ox = 0; ox < OW; ++ox) {
    if (ox == o0) ox = o1 + tz;
    if (ox >= OW) break;
    if (full)
      tinyc_dw3_edge(q, xrows, ox, w, bias, yr + (size_t)ox * (size_t)C, lo, hi);
    else
      tinyc_dw_nhwc_pixel(q, xrows, ox, w, bias, yr + (size_t)ox * (size_t)C, lo, hi);
  }
  return 1;
}
#endif

/* One output row of any depthwise convolution (rows: the input rows it reads, NULL outside);
   passes: the emitter chose runtime/arm_fpu/dw3.c's passes for this layer (3x3, wide rows, a
   core with VLDM: kernels_nhwc.cpp dw3Passes; a constant, so that layers without leave no call). */
TINYC_KERNEL void tinyc_dw_nhwc_row(const tinyc_nhwc *q, const float *const *xrows, const float *w, const float *bias,
                                    float *restrict yr, float lo, float hi, int32_t passes) {
  int32_t ox;
#if TINYC_ARM_VLDM
  if (passes && tinyc_dw3_row_vldm(q, xrows, w, bias, yr, lo, hi)) return;
#else
  (void)passes;
#endif
  if (q->kh == 3 && q->kw == 3 && q->dw == 1 && q->m == q->c && xrows[0] && xrows[1] && xrows[2]) {
    if (q->sw == 1) {
      tinyc_dw3x3s1_nhwc_row(q, xrows, w, bias, yr, lo, hi);
      return;
    }
    if (q->sw == 2) {
      tinyc_dw3x3s2_nhwc_row(q, xrows, w, bias, yr, lo, hi);
      return;
    }
  }
  for (ox = 0; ox < q->ow; ++ox) tinyc_dw_nhwc_pixel(q, xrows, ox, w, bias, yr + (size_t)ox * (size_t)q->m, lo, hi);
}

/* The input rows output row oy reads, NULL outside the input (ROW: the address of row iy). */
#define TINYC_DW_ROWS(q, oy, rows, ROW)                         \
  do {                                                           \
    int32_t ky_;                                                 \
    for (ky_ = 0; ky_ < (q).kh; ++ky_) {                         \
      const int32_t iy = (oy) * (q).sh - (q).pt + ky_ * (q).dh;   \
      (rows)[ky_] = (iy < 0 || iy >= (q).h) ? NULL : (ROW);       \
    }                                                            \
  } while (0)

/* Depthwise (group == C, M = C * mult, weights [M, KH, KW, 1]). */
TINYC_KERNEL void tinyc_conv_dw_nhwc_f32(const float *x, const float *w, const float *bias, float *y,
                                         const int32_t *p, float lo, float hi, int32_t passes) {
  tinyc_nhwc q;
  int32_t n, oy;
  const float *rows[64];
  tinyc_nhwc_read(&q, p);
  for (n = 0; n < q.n; ++n) {
    const float *xn = x + (size_t)n * (size_t)q.h * (size_t)q.w * (size_t)q.c;
    for (oy = 0; oy < q.oh; ++oy) {
      float *yr = y + ((size_t)n * (size_t)q.oh + (size_t)oy) * (size_t)q.ow * (size_t)q.m;
      TINYC_DW_ROWS(q, oy, rows, xn + (size_t)iy * (size_t)q.w * (size_t)q.c);
      tinyc_dw_nhwc_row(&q, rows, w, bias, yr, lo, hi, passes);
    }
  }
}

/* Depthwise (multiplier 1, batch 1) computed over its own input (the planner gave output and
   input one buffer): output row oy is built in a row buffer, then stored at its place; before
   that, the input rows it overwrites that later output rows still read are saved in a ring of
   R rows (R = p[16], from tinyc's compile-time simulation of this schedule).
   scratch: R * W * C + OW * C floats. */
TINYC_KERNEL void tinyc_conv_dw_nhwc_inplace_f32(float *buf, const float *w, const float *bias, const int32_t *p,
                                                 float *scratch, float lo, float hi, int32_t passes) {
  tinyc_nhwc q;
  int32_t oy, r, cl = 0;
  TINYC_SCRATCH_NEED(tinyc_conv_dw_nhwc_inplace_f32_scratch(p));
  tinyc_nhwc_read(&q, p);
  {
    const int32_t R = p[16] > 0 ? p[16] : 1, C = q.c;
    const size_t rowIn = (size_t)q.w * (size_t)C, rowOut = (size_t)q.ow * (size_t)C;
    float *ring = scratch, *row = scratch + (size_t)R * rowIn;
    for (oy = 0; oy < q.oh; ++oy) {
      int32_t newCl, nextLo;
      const float *rows[64];
      TINYC_DW_ROWS(q, oy, rows, iy < cl ? ring + (size_t)(iy % R) * rowIn : buf + (size_t)iy * rowIn);
      tinyc_dw_nhwc_row(&q, rows, w, bias, row, lo, hi, passes);
      /* Input rows [cl, newCl) are (partly) overwritten by this output row: keep those that the
         next output rows read (from nextLo on). */
      newCl = (int32_t)(((size_t)(oy + 1) * rowOut + rowIn - 1) / rowIn);
      nextLo = oy + 1 < q.oh ? (oy + 1) * q.sh - q.pt : q.h;
      for (r = cl; r < newCl && r < q.h; ++r)
        if (r >= nextLo) memcpy(ring + (size_t)(r % R) * rowIn, buf + (size_t)r * rowIn, rowIn * sizeof(float));
      if (newCl > cl) cl = newCl;
      memmove(buf + (size_t)oy * rowOut, row, rowOut * sizeof(float));
    }
  }
}
