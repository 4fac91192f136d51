// Col2Im (opset 18): the inverse of im2col (PyTorch's fold). Input [N, C * prod(block_shape), L]
// holds, for channel c, block offset k (row-major over block_shape) and block position o
// (row-major over the grid of L positions), a value added to image[n, c, o * strides - pads_begin
// + k * dilations] where that lies inside the image. image_shape and block_shape are compile-time
// inputs (col2im_plan.h). Each output sums its contributions in the order of k (one o per k), as
// the C kernel (backends/c/runtime/col2im.c) does.
#include "ops/col2im_plan.h"
#include "ops/op.h"
#include "ops/util.h"

namespace tinyc {

namespace {

std::vector<int64_t> intsOf(const Tensor& t) {
  std::vector<int64_t> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[static_cast<size_t>(i)] = t.getI(i);
  return v;
}

void inferCol2Im(InferCtx& c) {
  if (!isFloat(c.dtype(0)) && !isInteger(c.dtype(0))) c.fail("input must be a number type, got {}", dtypeName(c.dtype(0)));
  for (int i = 1; i <= 2; ++i)
    if (c.dtype(i) != DType::I64 || c.rank(i) != 1) c.fail("image_shape and block_shape must be 1-D int64");
  const auto p = col2im::plan(c.node, c.shape(0), intsOf(c.requireConst(1, "image_shape")),
                              intsOf(c.requireConst(2, "block_shape")));
  Shape out = {p.n, p.c};
  out.insert(out.end(), p.image.begin(), p.image.end());
  c.setOutput(0, c.dtype(0), out);
}

void evalCol2Im(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const auto p = col2im::plan(c.node, x.shape(), intsOf(*c.in[1]), intsOf(*c.in[2]));
  const size_t d = p.image.size();
  std::vector<int64_t> pos(d, 0);
  for (int64_t nc = 0; nc < p.n * p.c; ++nc)
    for (int64_t i = 0; i < p.pixels; ++i) {
      for (int64_t r = i, j = static_cast<int64_t>(d) - 1; j >= 0; --j) {  // the pixel's coordinates
        pos[static_cast<size_t>(j)] = r % p.image[static_cast<size_t>(j)];
        r /= p.image[static_cast<size_t>(j)];
      }
      double s = 0;
      for (int64_t k = 0; k < p.blocks; ++k) {
        int64_t l = 0, kr = k, stride = 1;
        bool hit = true;
        for (int64_t j = static_cast<int64_t>(d) - 1; j >= 0 && hit; --j) {  // k's offset along axis j
          const size_t a = static_cast<size_t>(j);
          const int64_t kj = kr % p.block[a], t = pos[a] + p.padBegin[a] - kj * p.dilation[a];
          kr /= p.block[a];
          hit = t >= 0 && t % p.stride[a] == 0 && t / p.stride[a] < p.grid[a];
          l += (hit ? t / p.stride[a] : 0) * stride;
          stride *= p.grid[a];
        }
        if (hit) s += x.getF((nc * p.blocks + k) * p.positions + l);
      }
      c.out[0]->setF(nc * p.pixels + i, s);
    }
}

int64_t macsCol2Im(const Node& n) { return numElements(n.input(0)->shape) / std::max<int64_t>(1, n.input(0)->shape[0]); }

}  // namespace

void registerCol2ImOps(OpRegistry& r) {
  using K = Attr::Kind;
  OpDef op;
  op.name = "Col2Im";
  op.minInputs = op.maxInputs = 3;
  op.infer = inferCol2Im;
  op.eval = evalCol2Im;
  op.macs = macsCol2Im;
  op.doc = "sums image blocks back into an image (PyTorch's fold) of compile-time image_shape and block_shape";
  op.attrs = {{"dilations", K::Ints, std::nullopt}, {"pads", K::Ints, std::nullopt}, {"strides", K::Ints, std::nullopt}};
  r.add(op);
}

}  // namespace tinyc
