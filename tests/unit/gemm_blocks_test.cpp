// The float GEMM's block sizes (backends/c/runtime/scratch.h): the emitter reserves scratch with
// tinyc_sgemm_scratch (the least) .. tinyc_sgemm_scratch_max (host speed), the arena planner may
// grant anything in between, and the kernel (gemm.c) derives its blocks from the bytes it is
// given with tinyc_sgemm_blocks. These checks hold that contract over a grid of shapes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

#include "backends/c/runtime/scratch.h"

namespace {

struct Shape {
  int64_t m, n, k;
};

const Shape kShapes[] = {{1, 1, 1},     {8, 784, 25},  {16, 196, 200}, {64, 125, 64}, {3, 7, 1000},
                         {120, 512, 256}, {500, 4096, 2000}, {16, 16, 2},  {17, 33, 257}, {1, 10000, 3}};

TEST(GemmBlocks, EveryGrantFitsItsBlocks) {
  for (const Shape& s : kShapes)
    for (int32_t packA = 0; packA <= 1; ++packA) {
      const int64_t lo = tinyc_sgemm_scratch(s.m, s.n, s.k, packA), hi = tinyc_sgemm_scratch_max(s.m, s.n, s.k, packA);
      ASSERT_GT(lo, 0);
      ASSERT_LE(lo, hi) << s.m << "x" << s.n << "x" << s.k;
      for (int64_t bytes = lo; bytes <= hi; bytes += std::max<int64_t>(16, (hi - lo) / 37)) {
        int32_t mc = 0, kc = 0, nc = 0;
        tinyc_sgemm_blocks(s.m, s.n, s.k, packA, bytes, &mc, &kc, &nc);
        SCOPED_TRACE(::testing::Message() << s.m << "x" << s.n << "x" << s.k << " packA " << packA << " bytes " << bytes);
        EXPECT_GE(kc, 1);
        EXPECT_LE(kc, std::min<int64_t>(s.k, TINYC_GEMM_KC));
        EXPECT_EQ(nc % TINYC_GEMM_NCOL, 0);
        EXPECT_GE(nc, TINYC_GEMM_NCOL);
        EXPECT_LE(nc, TINYC_GEMM_NC);
        EXPECT_GE(mc, 16);
        EXPECT_LE(tinyc_sgemm_block_bytes(s.m, s.n, packA, mc, kc, nc), bytes);
      }
    }
}

TEST(GemmBlocks, TheMostGivesTheFullBlocks) {
  for (const Shape& s : kShapes) {
    int32_t mc = 0, kc = 0, nc = 0;
    tinyc_sgemm_blocks(s.m, s.n, s.k, 1, tinyc_sgemm_scratch_max(s.m, s.n, s.k, 1), &mc, &kc, &nc);
    EXPECT_EQ(kc, std::min<int64_t>(s.k, TINYC_GEMM_KC));
    EXPECT_GE(nc, std::min<int64_t>(tinyc_sgemm_cols(s.n, TINYC_GEMM_NC), TINYC_GEMM_NC));
    EXPECT_GE(mc, std::min<int64_t>(s.m, TINYC_GEMM_MC));
  }
}

TEST(GemmBlocks, TheLeastIsAnEighthOfTheOutputOrLess) {
  // mnist8's second convolution: C is 16 x 196 floats (12,544 bytes); the full blocks would take
  // 224 columns x 201 rows = 180 KB, the least an eighth of C plus 64 bytes at most.
  EXPECT_GT(tinyc_sgemm_scratch_max(16, 196, 200, 0), 180000);
  EXPECT_LE(tinyc_sgemm_scratch(16, 196, 200, 0), 16 * 196 * 4 / 8 + 64);
  // a ResNet-8 block's 3x3 convolution, 16 x 1024 outputs (64 KB): at most 8 KB + 64
  EXPECT_LE(tinyc_sgemm_scratch(16, 1024, 144, 0), 8192 + 64);
  // Small products need less than the 1 KB floor: the full blocks.
  EXPECT_EQ(tinyc_sgemm_scratch(2, 3, 4, 0), tinyc_sgemm_scratch_max(2, 3, 4, 0));
  EXPECT_EQ(tinyc_sgemm_scratch_max(2, 3, 4, 0), (32 * 5) * 4 + 64);
}

}  // namespace
