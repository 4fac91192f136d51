/* The generated API from the caller's side (tests/integration/generated_api.sh), on mnist8 as
   `--name mnist`: data.h holds test_data_set_0's input and ONNX Runtime's output.
   mnist_arena_t declares a correctly aligned arena (checked at compile time, also by the
   cross compilers, and at run time on the host); mnist_run returns MNIST_ERR_NULL_ARG and
   MNIST_ERR_ARENA_MISALIGNED for bad arguments without writing the output, else MNIST_OK. */
#include <stddef.h>
#include <stdint.h>

#include "mnist.h"

/* The type's alignment: the offset of an arena after a char, and its size. */
struct probe {
  char c;
  mnist_arena_t arena;
};
typedef char arena_align_check[offsetof(struct probe, arena) % MNIST_ARENA_ALIGN == 0 ? 1 : -1];
typedef char arena_size_check[sizeof(mnist_arena_t) >= MNIST_ARENA_SIZE ? 1 : -1];

#ifndef API_TEST_COMPILE_ONLY
#include <math.h>
#include <stdio.h>

#include "data.h"

static char before = 1; /* so that the arena does not start a section by chance */
static mnist_arena_t arena;
static struct probe probe;

static int misaligned(const void *p) { return (uintptr_t)p % MNIST_ARENA_ALIGN != 0; }

/* Room for an arena moved off its alignment (mnist_run must refuse it before using it). */
static union {
  mnist_arena_t a;
  unsigned char b[sizeof(mnist_arena_t) + MNIST_ARENA_ALIGN];
} spare;

static int expect(const char *what, int rc, int want, const float *scores) {
  int i;
  if (rc != want) {
    printf("FAIL: %s: mnist_run returned %d, expected %d\n", what, rc, want);
    return 1;
  }
  for (i = 0; i < MNIST_OUTPUT_0_ELEMENTS; ++i)
    if (scores[i] != 12345.0f) {
      printf("FAIL: %s: mnist_run wrote the output\n", what);
      return 1;
    }
  return 0;
}

int main(void) {
  float scores[MNIST_OUTPUT_0_ELEMENTS];
  const void *in[1];
  void *out[1];
  int i, rc;
  if (misaligned(&arena) || misaligned(arena.bytes) || misaligned(&probe.arena)) {
    printf("FAIL: mnist_arena_t not aligned to %d: %p %p (%d)\n", MNIST_ARENA_ALIGN, (void *)&arena,
           (void *)&probe.arena, before);
    return 1;
  }
  for (i = 0; i < MNIST_OUTPUT_0_ELEMENTS; ++i) scores[i] = 12345.0f;
  {
    const void *in_null[1];
    void *out_null[1];
    in[0] = input;
    out[0] = scores;
    in_null[0] = NULL;
    out_null[0] = NULL;
    if (expect("NULL input", mnist_run(in_null, out, &arena), MNIST_ERR_NULL_ARG, scores) ||
        expect("NULL inputs", mnist_run(NULL, out, &arena), MNIST_ERR_NULL_ARG, scores) ||
        expect("NULL output", mnist_run(in, out_null, &arena), MNIST_ERR_NULL_ARG, scores) ||
        expect("NULL outputs", mnist_run(in, NULL, &arena), MNIST_ERR_NULL_ARG, scores) ||
        expect("NULL arena", mnist_run(in, out, NULL), MNIST_ERR_NULL_ARG, scores) ||
        expect("arena + 1", mnist_run(in, out, spare.b + 1), MNIST_ERR_ARENA_MISALIGNED, scores) ||
        expect("arena + 4 (a float array's alignment)", mnist_run(in, out, spare.b + 4), MNIST_ERR_ARENA_MISALIGNED,
               scores) ||
        expect("arena + ALIGN / 2", mnist_run(in, out, spare.b + MNIST_ARENA_ALIGN / 2), MNIST_ERR_ARENA_MISALIGNED,
               scores))
      return 1;
  }
  rc = mnist_run(in, out, &arena);
  if (rc != MNIST_OK) {
    printf("FAIL: mnist_run returned %d\n", rc);
    return 1;
  }
  for (i = 0; i < MNIST_OUTPUT_0_ELEMENTS; ++i)
    if (fabsf(scores[i] - expected[i]) > 1e-3f * (1.0f + fabsf(expected[i]))) {
      printf("FAIL: score %d is %g, ONNX Runtime %g\n", i, (double)scores[i], (double)expected[i]);
      return 1;
    }
  printf("ok: mnist_arena_t aligned to %d (static, in a struct after a char); NULL arguments and misaligned arenas "
         "refused; mnist_run MNIST_OK, scores match\n",
         MNIST_ARENA_ALIGN);
  return 0;
}
#endif
