// RotaryEmbedding (lib/ops/rotary.cpp) on hand-computed rotations: head vector (1, 2, 3, 4),
// angle pairs with (cos, sin) = (0, 1) and (1, 0).
#include "nn_ref_util.h"

namespace tinyc::test {
namespace {

TEST(RotaryEmbedding, HalvesInterleavedAndPositions) {
  const Tensor x = f32({1, 1, 1, 4}, {1, 2, 3, 4});  // [batch, heads, seq, head]
  const Tensor cs = f32({1, 1, 2}, {0, 1}), sn = f32({1, 1, 2}, {1, 0});
  // halves: pairs (1, 3) and (2, 4): (0*1 - 1*3, 1*1 + 0*3) = (-3, 1); (2, 4) unchanged
  expectNear(runOp("RotaryEmbedding", {in(x), in(cs), in(sn)})[0], {1, 1, 1, 4}, {-3, 2, 1, 4});
  // interleaved: pairs (1, 2) and (3, 4)
  expectNear(runOp("RotaryEmbedding", {in(x), in(cs), in(sn)}, {{"interleaved", Attr::Int(1)}})[0], {1, 1, 1, 4},
             {-2, 1, 3, 4});
  // position_ids pick row 2 of [3, 2] caches; rotary_embedding_dim 2 rotates (1, 2) only
  const Tensor cs3 = f32({3, 1}, {1, 1, 0}), sn3 = f32({3, 1}, {0, 0, 1});
  expectNear(runOp("RotaryEmbedding", {in(x), in(cs3), in(sn3), in(i64({1, 1}, {2}))},
                   {{"rotary_embedding_dim", Attr::Int(2)}})[0],
             {1, 1, 1, 4}, {-2, 1, 3, 4});
  EXPECT_THROW(runOp("RotaryEmbedding", {in(x), in(cs3), in(sn3), in(i64({1, 1}, {3}))},
                     {{"rotary_embedding_dim", Attr::Int(2)}}),
               Error);  // position 3 of 3
  // 3-D input [batch, seq, heads * head] with num_heads 2: two heads of (1, 2) and (3, 4)
  const Tensor x3 = f32({1, 1, 4}, {1, 2, 3, 4});
  expectNear(runOp("RotaryEmbedding", {in(x3), in(f32({1, 1, 1}, {0})), in(f32({1, 1, 1}, {1}))},
                   {{"num_heads", Attr::Int(2)}})[0],
             {1, 1, 4}, {-2, 1, -4, 3});
}

}  // namespace
}  // namespace tinyc::test
