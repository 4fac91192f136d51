/* Runs the hello_sine model (y ~ sin(x)) through the generated API on a few points. */
#include <math.h>
#include <stdio.h>

#include "sine.h"

static sine_arena_t arena; /* SINE_ARENA_SIZE bytes aligned to SINE_ARENA_ALIGN */

int main(void) {
  int i, bad = 0;
  for (i = 0; i <= 6; ++i) {
    float x = (float)i, y = 0.0f;
    const void *in[1];
    void *out[1];
    in[0] = &x;
    out[0] = &y;
    if (sine_run(in, out, &arena) != 0) return 1;
    printf("sin(%.1f) = %+.3f  model %+.3f\n", (double)x, sin((double)x), (double)y);
    if (fabs((double)y - sin((double)x)) > 0.25) bad = 1;
  }
  return bad;
}
