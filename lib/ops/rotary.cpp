// RotaryEmbedding (opset 23): rotates the first rotary_embedding_dim values of each head vector
// of input ([batch, heads, seq, head] or [batch, seq, heads * head] with num_heads) in pairs
// (x1, x2) (halves, or neighbours when interleaved) by the angle whose cos / sin the caches hold
// for the token's position (cos_cache[position_ids[b, s]], or cos_cache[b, s] without position
// ids): (cos x1 - sin x2, sin x1 + cos x2); the rest is copied. The C kernel
// (backends/c/runtime/rotary.c) runs the same loops over the same geometry (RotaryGeometry).
#include "ops/rotary_geometry.h"
#include "ops/util.h"

namespace tinyc {

RotaryGeometry rotaryGeometry(const Node& n, const Shape& x, const Shape& cache, bool positionIds) {
  RotaryGeometry g;
  if (x.size() == 4) {
    g.batch = x[0];
    g.heads = x[1];
    g.seq = x[2];
    g.head = x[3];
    g.headsFirst = true;
  } else if (x.size() == 3) {
    g.batch = x[0];
    g.seq = x[1];
    g.heads = n.attrInt("num_heads");
    if (g.heads < 1 || x[2] % g.heads != 0)
      modelError("{}: a 3-D input needs num_heads dividing its last dim {}, got {}", n.where(), x[2], g.heads);
    g.head = x[2] / g.heads;
  } else {
    modelError("{}: input must be [batch, heads, seq, head] or [batch, seq, hidden], got {}", n.where(), shapeStr(x));
  }
  g.rot = n.attrInt("rotary_embedding_dim");
  if (g.rot == 0) g.rot = g.head;
  if (g.rot < 2 || g.rot > g.head || g.rot % 2 != 0)
    modelError("{}: rotary_embedding_dim {} must be even and at most the head size {}", n.where(), g.rot, g.head);
  g.interleaved = n.attrInt("interleaved") != 0;
  const int64_t half = g.rot / 2;
  if (positionIds) {
    if (cache.size() != 2 || cache[1] != half)
      modelError("{}: with position_ids the caches must be [max_position, {}], got {}", n.where(), half, shapeStr(cache));
    g.positions = cache[0];
  } else if (cache != Shape{g.batch, g.seq, half}) {
    modelError("{}: without position_ids the caches must be [{}, {}, {}], got {}", n.where(), g.batch, g.seq, half,
               shapeStr(cache));
  }
  return g;
}

namespace {

void inferRotary(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("input must be a float type, got {}", dtypeName(c.dtype(0)));
  for (int i = 1; i < 3; ++i)
    if (c.dtype(i) != c.dtype(0) || c.shape(i) != c.shape(1))
      c.fail("cos_cache and sin_cache must have the input's type and one shape");
  const bool pos = c.has(3);
  if (pos && (c.dtype(3) != DType::I64 || c.rank(3) != 2))
    c.fail("position_ids must be int64 [batch, seq], got {} {}", dtypeName(c.dtype(3)), shapeStr(c.shape(3)));
  const RotaryGeometry g = rotaryGeometry(c.node, c.shape(0), c.shape(1), pos);
  if (pos && c.shape(3) != Shape{g.batch, g.seq})
    c.fail("position_ids must be [{}, {}], got {}", g.batch, g.seq, shapeStr(c.shape(3)));
  c.setOutput(0, c.dtype(0), c.shape(0));
}

void evalRotary(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const Tensor &cs = *c.in[1], &sn = *c.in[2];
  const Tensor* pos = c.has(3) ? c.in[3] : nullptr;
  const RotaryGeometry g = rotaryGeometry(c.node, x.shape(), cs.shape(), pos != nullptr);
  Tensor& y = *c.out[0];
  const int64_t half = g.rot / 2;
  for (int64_t b = 0; b < g.batch; ++b)
    for (int64_t s = 0; s < g.seq; ++s) {
      int64_t row = b * g.seq + s;  // the caches' row
      if (pos) {
        row = pos->getI(b * g.seq + s);
        if (row < 0 || row >= g.positions)
          c.fail("position_ids[{}, {}] = {} is outside the caches' {} positions", b, s, row, g.positions);
      }
      for (int64_t h = 0; h < g.heads; ++h) {
        const int64_t base = g.headsFirst ? ((b * g.heads + h) * g.seq + s) * g.head : ((b * g.seq + s) * g.heads + h) * g.head;
        for (int64_t i = 0; i < half; ++i) {
          const int64_t i1 = g.interleaved ? 2 * i : i, i2 = g.interleaved ? 2 * i + 1 : i + half;
          const double x1 = x.getF(base + i1), x2 = x.getF(base + i2);
          const double co = cs.getF(row * half + i), si = sn.getF(row * half + i);
          y.setF(base + i1, co * x1 - si * x2);
          y.setF(base + i2, si * x1 + co * x2);
        }
        for (int64_t j = g.rot; j < g.head; ++j) y.setF(base + j, x.getF(base + j));
      }
    }
}

}  // namespace

void registerRotaryOps(OpRegistry& r) {
  using K = Attr::Kind;
  OpDef d;
  d.name = "RotaryEmbedding";
  d.minInputs = 3;
  d.maxInputs = 4;
  d.infer = inferRotary;
  d.eval = evalRotary;
  d.doc = "rotary position embedding of each head vector (halves or interleaved pairs; caches by position_ids)";
  d.attrs = {{"interleaved", K::Int, Attr::Int(0)},
             {"num_heads", K::Int, Attr::Int(0)},
             {"rotary_embedding_dim", K::Int, Attr::Int(0)}};
  r.add(d);
}

}  // namespace tinyc
