/* tinyc runtime: common definitions for every kernel. requires: */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

/* Kernels are static and may be unused in a given model: tell the compiler that is fine. */
#if defined(__GNUC__) || defined(__clang__)
#define TINYC_KERNEL static __attribute__((unused))
#define TINYC_NOINLINE __attribute__((noinline))
#else
#define TINYC_KERNEL static
#define TINYC_NOINLINE
#endif

/* Scratch checks (sizes: scratch.h). With -DTINYC_CHECK_SCRATCH the generated code states how
   many bytes of scratch it gives the next kernel (TINYC_SCRATCH_GIVEN, before the call) and a
   kernel that needs more (TINYC_SCRATCH_NEED on entry, from its function in scratch.h) traps: an
   emitter and a kernel that disagree stop at once instead of overwriting a neighbour in the arena.
   Without it both are empty. */
#ifdef TINYC_CHECK_SCRATCH
TINYC_KERNEL int64_t *tinyc_scratch_given(void) {
  static int64_t given;
  return &given;
}
#if defined(__GNUC__) || defined(__clang__)
#define TINYC_SCRATCH_TRAP() __builtin_trap()
#else
#define TINYC_SCRATCH_TRAP() for (;;)
#endif
#define TINYC_SCRATCH_GIVEN(bytes) (*tinyc_scratch_given() = (int64_t)(bytes))
#define TINYC_SCRATCH_NEED(bytes)                                        \
  do {                                                                   \
    if ((int64_t)(bytes) > *tinyc_scratch_given()) TINYC_SCRATCH_TRAP(); \
  } while (0)
#else
#define TINYC_SCRATCH_GIVEN(bytes) ((void)0)
#define TINYC_SCRATCH_NEED(bytes) ((void)0)
#endif

/* Accumulation type of the float32 / float16 kernels that sum or normalize (LayerNormalization,
   ReduceSum/Mean, global average pools, Resize, BatchNorm's scale): double on the generic target
   (the interpreter's arithmetic, bit for bit), float on the MCU targets (TINYC_FLOAT_ACC, defined
   by the generated source: a single-precision FPU has no double arithmetic). */
#ifdef TINYC_FLOAT_ACC
typedef float tinyc_acc;
#define tinyc_acc_sqrt sqrtf
#define tinyc_acc_exp expf
#define tinyc_acc_log logf
#define tinyc_acc_fabs fabsf
#define tinyc_acc_floor floorf
#define tinyc_acc_pow powf
#else
typedef double tinyc_acc;
#define tinyc_acc_sqrt sqrt
#define tinyc_acc_exp exp
#define tinyc_acc_log log
#define tinyc_acc_fabs fabs
#define tinyc_acc_floor floor
#define tinyc_acc_pow pow
#endif

/* a * b + c of the float kernels' sums: one fused multiply-add (rounded once) where the FPU has
   one (x86 FMA, Arm VFPv4 and later: Cortex-M4, M7, M33, M55), since compilers contract a * b + c
   only outside ISO C mode (-std=c99 kept vmul + vadd: 40% more instructions on the M4); the plain
   expression elsewhere (an fmaf without hardware is a slow library call) and without optimization
   (gcc -O0 calls newlib's fmaf, which computes in double). */
#if (defined(__FMA__) || defined(__ARM_FEATURE_FMA)) && (defined(__OPTIMIZE__) || !defined(__GNUC__))
#define TINYC_FMAF(a, b, c) fmaf((a), (b), (c))
#else
#define TINYC_FMAF(a, b, c) ((a) * (b) + (c))
#endif

/* Arm cores with a single-precision FPU with VFMA (Cortex-M4, M7, M33, M55), optimizing gcc or
   clang: the float kernels' innermost loops load runs of consecutive floats with one VLDM (gcc
   and clang issue one VLDR per float) in a few lines of inline assembly. Each sum is the same
   chain of fused multiply-adds, in the same order, as the C loop's TINYC_FMAF (bit-identical
   results); -DTINYC_NO_ASM keeps the C loops. */
#if defined(__ARM_FEATURE_FMA) && defined(__ARM_FP) && (__ARM_FP & 4) && defined(__thumb2__) && \
    defined(__OPTIMIZE__) && defined(__GNUC__) && !defined(TINYC_NO_ASM)
#define TINYC_ARM_VLDM 1
#else
#define TINYC_ARM_VLDM 0
#endif

/* Index of element `o` of a tensor broadcast from strides `st` into shape `shp` (rank r). */
TINYC_KERNEL int32_t tinyc_bcast_offset(int32_t o, int32_t r, const int32_t *shp, const int32_t *st) {
  int32_t off = 0;
  int32_t d;
  for (d = r - 1; d >= 0; --d) {
    off += (o % shp[d]) * st[d];
    o /= shp[d];
  }
  return off;
}

/* IEEE half <-> float (round to nearest even), for f16 tensors. */
TINYC_KERNEL float tinyc_h2f(uint16_t h) {
  uint32_t sign = ((uint32_t)h & 0x8000u) << 16, e = ((uint32_t)h >> 10) & 0x1fu, m = (uint32_t)h & 0x3ffu, bits;
  float f;
  if (e == 0) {
    if (m == 0) {
      bits = sign;
    } else {
      e = 113;
      while ((m & 0x400u) == 0) { m <<= 1; e--; }
      bits = sign | (e << 23) | ((m & 0x3ffu) << 13);
    }
  } else if (e == 31) {
    bits = sign | 0x7f800000u | (m << 13);
  } else {
    bits = sign | ((e + 112u) << 23) | (m << 13);
  }
  memcpy(&f, &bits, 4);
  return f;
}

TINYC_KERNEL uint16_t tinyc_f2h(float f) {
  uint32_t x, sign, ax, e, m, h, rem;
  memcpy(&x, &f, 4);
  sign = (x >> 16) & 0x8000u;
  ax = x & 0x7fffffffu;
  if (ax >= 0x7f800000u) return (uint16_t)(sign | 0x7c00u | (ax > 0x7f800000u ? 0x200u : 0u));
  if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);
  if (ax < 0x38800000u) {
    uint32_t shift, hm, half;
    if (ax < 0x33000000u) return (uint16_t)sign;
    e = ax >> 23;
    m = (ax & 0x7fffffu) | 0x800000u;
    shift = 126u - e;
    hm = m >> shift;
    rem = m & ((1u << shift) - 1u);
    half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (hm & 1u))) hm++;
    return (uint16_t)(sign | hm);
  }
  e = (ax >> 23) - 112u;
  m = ax & 0x7fffffu;
  h = (e << 10) | (m >> 13);
  rem = m & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;
  return (uint16_t)(sign | h);
}
