// The int8 kernel emitters' shared pieces (backends/c/kernels_qint.cpp), for the instruction-set
// variants in kernels_qint_arm.cpp (DSP extension, Helium). Private to backends/c.
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "backends/c/c_emit.h"
#include "ops/qparams.h"
#include "backends/c/runtime/scratch.h"

namespace tinyc::c::qk {

bool int8Input(const Node& n);
bool matchInt8(const Node& n, const TargetDesc&);
// int4 weights (QuantParams::bits = 4): the packed int4 kernels, never an instruction-set variant.
bool int4Weights(const Node& n);

// Convolution geometry as the runtime takes it.
struct ConvGeom {
  std::vector<int64_t> p;  // TINYC_QC_* (runtime/scratch.h): C, H, W, M, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, G
  bool nhwc = false, depthwise = false;
  int64_t k = 0;  // weights per output channel
  // A kernel's scratch bytes: its function in runtime/scratch.h on these very parameters.
  int64_t scratch(int64_t (*fn)(const int32_t*)) const {
    const std::vector<int32_t> q(p.begin(), p.end());
    return fn(q.data());
  }
};
ConvGeom convGeom(const Node& n);

// What every int8 Conv kernel takes: geometry, multipliers, zero points and output range.
struct ConvArgs {
  ConvGeom g;
  std::string p, mult, rsh;
  int pc = 1;
  int32_t zx = 0, zy = 0, lo = 0, hi = 0;
  std::vector<q::Multiplier> mults;  // per output channel (padded, see convArgs)
  // "mult, rsh, pc, zx, zy, lo, hi" as the kernels take them
  std::string tail() const { return fmt::format("{}, {}, {}, {}, {}, {}, {}", mult, rsh, pc, zx, zy, lo, hi); }
};
// padTo: per-channel multipliers padded (with the last one) to a multiple of this many channels.
ConvArgs convArgs(EmitCtx& c, int64_t padTo = 1);
// Arrays of the multipliers (one entry when they are all equal: *pc = 0, else *pc = 1).
std::string multipliers(EmitCtx& c, std::vector<q::Multiplier> m, std::string* rsh, int* pc = nullptr);
// Bias with the input zero point folded in: bias[m] - zx * sum_k w[m, k] (kernels read raw x).
std::vector<int64_t> foldedBias(const Node& n, int64_t channels, int64_t k, int32_t zx);
// The constants of tinyc_requant_hw per multiplier (every rshift > 32), or "NULL".
std::string requantHw(EmitCtx& c, const std::vector<q::Multiplier>& mults, bool perChannel);

// What the int8 Gemm kernels take: sizes, multipliers, the folded bias (zeros past the last
// column up to a multiple of padTo), zero point and range.
struct GemmArgs {
  int64_t rows = 0, k = 0, cols = 0;
  std::string bias, tail;  // tail: "mult, rsh, pc, zy, lo, hi"
};
GemmArgs gemmArgs(EmitCtx& c, int64_t padTo = 1);

std::string checkConv(const Node& n);
std::string checkGemm(const Node& n);
// Channels-last depthwise (tap-major weights, a row of zx as scratch) and one-group convolution.
bool matchDwNhwc(const Node& n, const TargetDesc& t);
bool matchBlocksNhwc(const Node& n, const TargetDesc& t);
int64_t scratchDwNhwc(const Node& n);
// The channels-last depthwise call of `kernel` (runtime file `runtime`): the portable kernel and
// its instruction-set variants take the same arguments.
void emitDwNhwcKernel(EmitCtx& c, const char* runtime, const char* kernel);

// The int8/int16 pools (kernel: tinyc_qpool_i8's arguments; runtime: its file), their checks.
void emitPoolKernel(EmitCtx& c, bool global, bool max, const char* runtime, const char* kernel);
std::string checkLocalPool(const Node& n);   // AveragePool, MaxPool
std::string checkGlobalPool(const Node& n);  // GlobalAveragePool

// "" when the tensors of an int8/int16 data op fit the kernels' 32-bit indices.
std::string checkSmall(const Node& n);
// The int8 Add of two tensors of one shape (tinyc_qadd_mve_i8's arguments), its predicate.
bool sameShapeAdd8(const Node& n);
void emitAddKernel(EmitCtx& c, const char* runtime, const char* kernel);

// A kernel-table entry for an int8 op.
CKernel variant(const char* op, std::string (*check)(const Node&), void (*emit)(EmitCtx&),
                int64_t (*scratch)(const Node&) = nullptr,
                bool (*match)(const Node&, const TargetDesc&) = matchInt8, int priority = 1);

}  // namespace tinyc::c::qk
