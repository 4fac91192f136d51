// Conversion between onnx::TensorProto and tinyc::Tensor, and tensor files (.pb / .npy).
#pragma once
#include <string>
#include <vector>

#include "ir/tensor.h"

namespace onnx {
class TensorProto;
}

namespace tinyc {

// ONNX TensorProto.DataType code <-> DType. dtypeFromOnnx fails with a model error naming `what`.
// The name of an ONNX TensorProto element type code ("FLOAT8E4M3FN", "INT4", ...; "unknown" past onnx 1.17's).
const char* onnxTypeName(int code);
DType dtypeFromOnnx(int code, const std::string& what);
// INT4 (22) and UINT4 (21): tensorFromProto unpacks them to int8 / uint8 (other uses are errors).
inline constexpr int kOnnxUint4 = 21, kOnnxInt4 = 22;
bool is4BitType(int code);
int dtypeToOnnx(DType t);

// Reads a TensorProto (raw_data or typed fields; external data only from files inside baseDir,
// never absolute paths or '..'). An empty baseDir rejects external data.
Tensor tensorFromProto(const onnx::TensorProto& p, const std::string& baseDir,
                       std::vector<std::string>* filesRead = nullptr);
void tensorToProto(const Tensor& t, const std::string& name, onnx::TensorProto* p);

// Reads a tensor file: ONNX TensorProto (.pb) or NumPy (.npy, detected by its magic).
// If nameOut is given it receives the TensorProto's name (empty for .npy).
Tensor readTensorFile(const std::string& path, std::string* nameOut = nullptr);
void writeTensorPb(const std::string& path, const Tensor& t, const std::string& name);

}  // namespace tinyc
