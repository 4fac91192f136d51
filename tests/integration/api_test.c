/* The generated API from the caller's side (tests/integration/generated_api.sh), on mnist8 as
   `--name mnist`: data.h holds test_data_set_0's input and ONNX Runtime's output.
   MNIST_arena_t declares a correctly aligned arena (checked at compile time, also by the
   cross compilers, and at run time on the host). */
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
  in[0] = input;
  out[0] = scores;
  rc = mnist_run(in, out, &arena);
  if (rc != 0) {
    printf("FAIL: mnist_run returned %d\n", rc);
    return 1;
  }
  for (i = 0; i < MNIST_OUTPUT_0_ELEMENTS; ++i)
    if (fabsf(scores[i] - expected[i]) > 1e-3f * (1.0f + fabsf(expected[i]))) {
      printf("FAIL: score %d is %g, ONNX Runtime %g\n", i, (double)scores[i], (double)expected[i]);
      return 1;
    }
  printf("ok: mnist_arena_t aligned to %d (static, in a struct after a char); mnist_run 0, scores match\n",
         MNIST_ARENA_ALIGN);
  return 0;
}
#endif
