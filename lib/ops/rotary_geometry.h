// The geometry of a RotaryEmbedding node (lib/ops/rotary.cpp), shared by the reference
// interpreter and the C emitter (backends/c/kernels_rotary.cpp).
#pragma once

#include "ir/graph.h"

namespace tinyc {

struct RotaryGeometry {
  int64_t batch = 1, heads = 1, seq = 1, head = 1;
  int64_t rot = 2;         // rotated values per head vector (even)
  int64_t positions = 0;   // rows of the caches when indexed by position_ids
  bool headsFirst = false;  // input [batch, heads, seq, head]; else [batch, seq, heads * head]
  bool interleaved = false;
};

RotaryGeometry rotaryGeometry(const Node& n, const Shape& x, const Shape& cache, bool positionIds);

}  // namespace tinyc
