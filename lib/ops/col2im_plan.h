// Col2Im's geometry, read once by the reference kernel (lib/ops/col2im.cpp) and the C emitter
// (backends/c/kernels_col2im.cpp): per spatial axis the image size, block size, stride,
// dilation, leading pad and the number of block positions (the grid whose product is L).
#pragma once
#include <cstdint>
#include <vector>

#include "ir/graph.h"
#include "support/error.h"

namespace tinyc::col2im {

struct Plan {
  int64_t n = 0, c = 0, blocks = 1, positions = 1, pixels = 1;  // positions = L, pixels = prod(image)
  std::vector<int64_t> image, block, stride, dilation, padBegin, grid;
};

// in: input 0's shape [N, C * prod(block), L]; image, block: the values of inputs 1 and 2.
inline Plan plan(const Node& node, const Shape& in, const std::vector<int64_t>& image,
                 const std::vector<int64_t>& block) {
  Plan p;
  const size_t d = image.size();
  if (d == 0 || block.size() != d) modelError("{}: image_shape and block_shape must have one length of at least 1", node.where());
  auto ints = [&](const char* name, int64_t def, size_t count) {
    if (!node.hasAttr(name)) return std::vector<int64_t>(count, def);
    const auto& v = node.attrInts(name);
    if (v.size() != count) modelError("{}: {} must have {} values, got {}", node.where(), name, count, v.size());
    return v;
  };
  p.stride = ints("strides", 1, d);
  p.dilation = ints("dilations", 1, d);
  const std::vector<int64_t> pads = ints("pads", 0, 2 * d);
  if (in.size() != 3) modelError("{}: input must be [N, C * prod(block_shape), L], got {}", node.where(), shapeStr(in));
  p.image = image;
  p.block = block;
  for (size_t j = 0; j < d; ++j) {
    if (image[j] < 1 || block[j] < 1 || p.stride[j] < 1 || p.dilation[j] < 1 || pads[j] < 0 || pads[j + d] < 0)
      modelError("{}: image_shape, block_shape, strides and dilations must be positive and pads not negative", node.where());
    const int64_t span = p.dilation[j] * (block[j] - 1) + 1, padded = image[j] + pads[j] + pads[j + d];
    if (padded < span) modelError("{}: block {} does not fit the padded image {} along axis {}", node.where(), span, padded, j);
    p.padBegin.push_back(pads[j]);
    p.grid.push_back((padded - span) / p.stride[j] + 1);
    p.blocks *= block[j];
    p.positions *= p.grid.back();
    p.pixels *= image[j];
  }
  p.n = in[0];
  if (in[1] % p.blocks != 0)
    modelError("{}: input's dimension 1 ({}) is not a multiple of prod(block_shape) = {}", node.where(), in[1], p.blocks);
  p.c = in[1] / p.blocks;
  if (in[2] != p.positions)
    modelError("{}: input's last dimension is {}, the block positions are {}", node.where(), in[2], p.positions);
  return p;
}

}  // namespace tinyc::col2im
