// Small graph-rewriting helpers shared by the fusion passes (fold_batchnorm.cpp, fold_mul_add.cpp,
// gemm_fusion.cpp, fold_pad.cpp, views.cpp). Removed nodes are only detached (outputs and inputs
// cleared); refreshGraph drops them and re-infers shapes at the end of a pass.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tinyc::rw {

// A value name not used in g: base, base_1, base_2, ...
std::string uniqueValueName(const Graph& g, const std::string& base);
// New constant value holding t, named after base (made unique).
Value* addConst(Graph& g, const std::string& base, Tensor t);
// Number of node input slots (of live nodes) that read v.
int useCount(const Graph& g, const Value* v);
// The node that reads v through exactly one input slot when nothing else reads v and v is not a
// graph output; nullptr otherwise.
Node* soleUser(const Graph& g, const Value* v);
// Appends a node (op bound) and moves it right before `anchor` in the schedule.
Node* insertNodeBefore(Graph& g, const Node* anchor, const std::string& opType, const std::string& name,
                       std::vector<Value*> ins, std::vector<Value*> outs, AttrMap attrs = {});
// Detaches n: it reads and produces nothing (refreshGraph/compact drops it).
void detach(Node* n);
// Whether bypass(g, n, by) is allowed: n's output 0 may be replaced by `by` (a graph output keeps its
// name, so `by` must then be produced by a node and not itself be a graph output).
bool canBypass(const Graph& g, const Node* n, const Value* by);
// Readers of n's output 0 read `by` instead (a graph output swaps names with `by`); n is detached.
void bypass(Graph& g, Node* n, Value* by);
// A live Transpose node (one output, an input) and its normalized permutation (an empty
// attribute reverses the axes).
bool isTranspose(const Node* n);
std::vector<int64_t> permOf(const Node& n);
// True when the node carries an activation fused into it (attribute tinyc.activation): its output
// is then no longer the plain op result that the rewrites reason about.
bool hasFusedActivation(const Node& n);
// The node's value of integer attribute `name`, or `def` when absent.
int64_t intAttrOr(const Node& n, const std::string& name, int64_t def);
// True when the node's auto_pad is absent or NOTSET.
bool autoPadNotSet(const Node& n);

// Per-channel values of a constant c broadcast onto `out` (c's rank <= out's rank, every dim of
// c is 1 except possibly the one aligned with `axis`, which may equal out[axis]): out[axis]
// values, or nullopt when c varies along another axis or would grow the output.
std::optional<std::vector<double>> channelVector(const Tensor& c, const Shape& out, size_t axis);

// Conv, ConvTranspose or Gemm with constant (not just compile-time known) float weights (and bias/C
// when present) and no quantized values, whose output channels (dim 1) can be rescaled by
// rewriting the weights. Conv and Gemm weights may also be DequantizeLinear of constant integers
// (a QAT export), rescaled through their scales: then `scale` (the factors to be folded, when
// there are) must be possible that way (a negative factor negates a channel's integers).
bool canFoldAffine(const Node& p, const std::vector<double>* scale = nullptr);
// Rewrites p (canFoldAffine) so that its output becomes y * scale[ch] + shift[ch] along dim 1.
// An empty scale means 1, an empty shift means 0. New constants are created (shared constants are
// never mutated); `tag` suffixes their names.
void foldAffine(Graph& g, Node& p, const std::vector<double>& scale, const std::vector<double>& shift,
                const std::string& tag);

}  // namespace tinyc::rw
