// BitwiseAnd/Or/Xor/Not (lib/ops/logic.cpp) on hand-computed bit patterns. (The comparison and
// logic ops are covered by the ONNX node tests through the interpreter and the C.)
#include "nn_ref_util.h"

namespace tinyc::test {
namespace {

TEST(Bitwise, SignedUnsignedAndBroadcast) {
  const Tensor a = makeTensor(DType::I8, {2}, {5, -1}), b = makeTensor(DType::I8, {2}, {3, 2});
  EXPECT_EQ(values(runOp("BitwiseAnd", {in(a), in(b)})[0]), (std::vector<double>{1, 2}));
  EXPECT_EQ(values(runOp("BitwiseOr", {in(a), in(b)})[0]), (std::vector<double>{7, -1}));
  EXPECT_EQ(values(runOp("BitwiseXor", {in(a), in(b)})[0]), (std::vector<double>{6, -3}));
  EXPECT_EQ(values(runOp("BitwiseNot", {in(a)})[0]), (std::vector<double>{-6, 0}));
  // uint16 0xF0F0 and 0x0FF0 against a broadcast scalar 0x00FF
  const Tensor u = makeTensor(DType::U16, {2}, {0xF0F0, 0x0FF0}), m = makeTensor(DType::U16, {}, {0x00FF});
  EXPECT_EQ(values(runOp("BitwiseAnd", {in(u), in(m)})[0]), (std::vector<double>{0x00F0, 0x00F0}));
  EXPECT_THROW(runOp("BitwiseAnd", {in(f32({1}, {1})), in(f32({1}, {1}))}), Error);  // floats
}

}  // namespace
}  // namespace tinyc::test
