// Channels-last ("NHWC") forms of the spatial ops. The layout pass (passes/layout.cpp) marks a
// node with tinyc.layout = "NHWC" when the target's kernels want channels-last data; the node
// then reads its first OpDef::layoutInputs inputs and writes output 0 channels-last:
//   data   [N, C, D1..Dk]      -> [N, D1..Dk, C]
//   weight [M, C/g, K1..Kk]    -> [M, K1..Kk, C/g]   (the same permutation: OIHW -> OHWI)
// Shape inference, reference evaluation and MACs of such a node are those of the channels-first
// op, with the permutations applied around it (one definition of each op's semantics).
#pragma once
#include <cstdint>
#include <vector>

#include "ops/op.h"

namespace tinyc {

inline const char* kLayoutAttr = "tinyc.layout";
inline const char* kLayoutNhwc = "NHWC";

// (0, 2, 3, ..., r-1, 1): channels-first -> channels-last.
std::vector<int64_t> channelsLastPerm(size_t rank);
// (0, r-1, 1, 2, ..., r-2): channels-last -> channels-first.
std::vector<int64_t> channelsFirstPerm(size_t rank);
std::vector<int64_t> inversePerm(const std::vector<int64_t>& perm);
// out[k] = s[perm[k]].
Shape permuteShape(const Shape& s, const std::vector<int64_t>& perm);
// The transposed tensor (out dim k = in dim perm[k]); any dtype.
Tensor permuteTensor(const Tensor& t, const std::vector<int64_t>& perm);

// True when the node carries tinyc.layout = "NHWC".
bool isChannelsLast(const Node& n);
// A channels-last node may read input 0 channels-first (tinyc.nchw_input = 1; the layout pass sets
// it on a Conv that reads a graph input, so that no channels-last copy of the input is made): its
// weights and output stay channels-last.
inline const char* kNchwInputAttr = "tinyc.nchw_input";
bool readsChannelsFirst(const Node& n);

// A channels-first copy of a channels-last node: same op and attributes (minus the layout),
// reading and writing values whose shapes are permuted back (constant contents dropped). For
// code that computes a node's geometry from channels-first shapes (inference, C emitters).
class ChannelsFirstTwin {
 public:
  explicit ChannelsFirstTwin(const Node& n);
  ChannelsFirstTwin(const ChannelsFirstTwin&) = delete;
  ChannelsFirstTwin& operator=(const ChannelsFirstTwin&) = delete;
  const Node& node() const { return node_; }
  Node& node() { return node_; }

 private:
  Node node_;
  std::vector<Value> ins_, outs_;
};

// Entry points used by inference, evaluation and MACs for every node (dispatch on the layout).
void inferNode(InferCtx& c);
void evalLayoutAware(const Node& n, EvalCtx& c);  // the op's eval only (no fused activation)
int64_t macsLayoutAware(const Node& n);

}  // namespace tinyc
