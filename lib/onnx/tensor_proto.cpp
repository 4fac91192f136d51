#include "onnx/tensor_proto.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "support/error.h"
#include "support/npy.h"

namespace tinyc {

namespace {
struct Code {
  int code;
  DType t;
};
constexpr Code kCodes[] = {{1, DType::F32},  {2, DType::U8},   {3, DType::I8},   {4, DType::U16},
                           {5, DType::I16},  {6, DType::I32},  {7, DType::I64},  {9, DType::Bool},
                           {10, DType::F16}, {11, DType::F64}, {12, DType::U32}, {13, DType::U64}};
}  // namespace

const char* onnxTypeName(int code) {
  // TensorProto.DataType, onnx 1.17 (codes 17-23: the 8-bit floats, 4-bit integers and floats)
  static const char* names[] = {"UNDEFINED",  "FLOAT",      "UINT8",        "INT8",       "UINT16",   "INT16",
                                "INT32",      "INT64",      "STRING",       "BOOL",       "FLOAT16",  "DOUBLE",
                                "UINT32",     "UINT64",     "COMPLEX64",    "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN",
                                "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4",  "INT4",     "FLOAT4E2M1"};
  return code >= 0 && code < static_cast<int>(sizeof names / sizeof names[0]) ? names[code] : "unknown";
}

DType dtypeFromOnnx(int code, const std::string& what) {
  for (const auto& c : kCodes)
    if (c.code == code) return c.t;
  modelError("{}: element type {} ({}) is not supported", what, onnxTypeName(code), code);
}

int dtypeToOnnx(DType t) {
  for (const auto& c : kCodes)
    if (c.t == t) return c.code;
  return 0;
}

namespace {

std::string externalBytes(const onnx::TensorProto& p, const std::string& baseDir, const std::string& what,
                          std::vector<std::string>* filesRead) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : p.external_data()) {
    auto num = [&](const std::string& v) -> int64_t {
      try {
        size_t pos = 0;
        long long x = std::stoll(v, &pos);
        if (pos != v.size() || x < 0) throw std::invalid_argument("x");
        return x;
      } catch (const std::exception&) {
        modelError("{}: bad external data {} '{}'", what, kv.key(), printable(v));
      }
    };
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset")
      offset = num(kv.value());
    else if (kv.key() == "length")
      length = num(kv.value());
  }
  if (location.empty()) modelError("{}: external data without a location", what);
  if (baseDir.empty()) modelError("{}: external data is not allowed here", what);
  std::filesystem::path rel(location);
  if (rel.is_absolute() || location.find('\\') != std::string::npos)
    modelError("{}: external data location '{}' must be relative to the model's folder", what, printable(location));
  for (const auto& part : rel)
    if (part == "..") modelError("{}: external data location '{}' must not contain '..'", what, printable(location));
  std::filesystem::path full = std::filesystem::path(baseDir) / rel;
  if (filesRead) filesRead->push_back(full.string());
  std::ifstream f(full, std::ios::binary | std::ios::ate);
  if (!f) modelError("{}: cannot open external data file '{}'", what, printable(location));
  int64_t size = static_cast<int64_t>(f.tellg());
  if (size < 0) modelError("{}: cannot read external data file '{}'", what, printable(location));
  if (offset > size) modelError("{}: external data offset {} is past the end of '{}'", what, offset, printable(location));
  if (length < 0) length = size - offset;
  if (length > size - offset) modelError("{}: external data length {} runs past the end of '{}'", what, length, printable(location));
  std::string data(static_cast<size_t>(length), '\0');
  f.seekg(offset);
  if (length > 0 && !f.read(data.data(), length)) modelError("{}: cannot read external data", what);
  return data;
}

template <typename Src>
void fillTyped(Tensor& t, const Src& src, const std::string& what) {
  if (static_cast<int64_t>(src.size()) != t.numel())
    modelError("{}: has {} values but shape {} needs {}", what, src.size(), shapeStr(t.shape()), t.numel());
  for (int i = 0; i < src.size(); ++i) {
    if (t.dtype() == DType::F16)
      t.data<uint16_t>()[i] = static_cast<uint16_t>(src.Get(i));
    else if constexpr (std::is_floating_point_v<std::decay_t<decltype(src.Get(0))>>)
      t.setF(i, src.Get(i));
    else
      t.setI(i, static_cast<int64_t>(src.Get(i)));
  }
}

// INT4 / UINT4 (opset 21): two values per byte, element i in the low (i even) or high (i odd)
// four bits of byte i / 2, in raw_data or one byte per int32_data entry (signed or not: onnx's
// helper writes int8 bytes); unpacked to int8 / uint8.
Tensor unpack4Bit(const onnx::TensorProto& p, const Shape& shape, const std::string& what) {
  const bool isSigned = p.data_type() == kOnnxInt4;
  const int64_t count = numElements(shape), bytes = (count + 1) / 2;
  if (p.data_location() == onnx::TensorProto::EXTERNAL) modelError("{}: 4-bit external data is not supported", what);
  const int64_t have = p.has_raw_data() ? static_cast<int64_t>(p.raw_data().size()) : p.int32_data_size();
  if (have != bytes) modelError("{}: has {} packed bytes, shape {} needs {}", what, have, shapeStr(shape), bytes);
  Tensor t(isSigned ? DType::I8 : DType::U8, shape);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t b = p.has_raw_data() ? static_cast<uint8_t>(p.raw_data()[static_cast<size_t>(i / 2)])
                                       : p.int32_data(static_cast<int>(i / 2));
    if (b < -128 || b > 255) modelError("{}: packed 4-bit byte {} is {}", what, i / 2, b);  // (writers differ on the sign)
    const int64_t nib = (i % 2 ? b >> 4 : b) & 15;
    t.setI(i, isSigned ? (nib ^ 8) - 8 : nib);
  }
  return t;
}

}  // namespace

bool is4BitType(int code) { return code == kOnnxInt4 || code == kOnnxUint4; }

Tensor tensorFromProto(const onnx::TensorProto& p, const std::string& baseDir, std::vector<std::string>* filesRead) {
  std::string what = fmt::format("tensor '{}'", printable(p.name()));
  if (p.has_segment()) modelError("{}: segmented tensors are not supported", what);
  if (is4BitType(p.data_type())) {
    Shape shape;
    for (int64_t d : p.dims()) {
      if (d < 0) modelError("{}: negative dimension {}", what, d);
      shape.push_back(d);
    }
    checkedMul(numElements(shape), 1, "tensor size");
    return unpack4Bit(p, shape, what);
  }
  DType dt = dtypeFromOnnx(p.data_type(), what);
  Shape shape;
  for (int64_t d : p.dims()) {
    if (d < 0) modelError("{}: negative dimension {}", what, d);
    shape.push_back(d);
  }
  // Check the declared size against the data present before allocating anything.
  const int64_t count = numElements(shape);
  const int64_t bytes = checkedMul(count, static_cast<int64_t>(dtypeSize(dt)), "tensor byte size");
  if (p.data_location() != onnx::TensorProto::EXTERNAL) {
    int64_t have = -1;
    if (p.has_raw_data()) {
      have = static_cast<int64_t>(p.raw_data().size());
      if (have != bytes)
        modelError("{}: raw_data has {} bytes, shape {} needs {}", what, have, shapeStr(shape), bytes);
    } else {
      switch (dt) {
        case DType::F32: have = p.float_data_size(); break;
        case DType::F64: have = p.double_data_size(); break;
        case DType::I64: have = p.int64_data_size(); break;
        case DType::U32:
        case DType::U64: have = p.uint64_data_size(); break;
        default: have = p.int32_data_size(); break;
      }
      if (have != count) modelError("{}: has {} values but shape {} needs {}", what, have, shapeStr(shape), count);
    }
  } else if (bytes > (int64_t(1) << 32)) {
    modelError("{}: declared size {} bytes is too large", what, bytes);
  }
  Tensor t(dt, shape);
  if (p.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string bytes = externalBytes(p, baseDir, what, filesRead);
    if (bytes.size() != t.byteSize())
      modelError("{}: external data has {} bytes, shape {} needs {}", what, bytes.size(), shapeStr(shape), t.byteSize());
    if (!bytes.empty()) std::memcpy(t.raw(), bytes.data(), bytes.size());
    return t;
  }
  if (p.has_raw_data()) {
    const std::string& raw = p.raw_data();
    if (raw.size() != t.byteSize())
      modelError("{}: raw_data has {} bytes, shape {} needs {}", what, raw.size(), shapeStr(shape), t.byteSize());
    if (!raw.empty()) std::memcpy(t.raw(), raw.data(), raw.size());
    return t;
  }
  switch (dt) {
    case DType::F32: fillTyped(t, p.float_data(), what); break;
    case DType::F64: fillTyped(t, p.double_data(), what); break;
    case DType::I64: fillTyped(t, p.int64_data(), what); break;
    case DType::U32:
    case DType::U64: fillTyped(t, p.uint64_data(), what); break;
    default: fillTyped(t, p.int32_data(), what); break;  // int8..int32, uint8, uint16, bool, f16 bits
  }
  return t;
}

void tensorToProto(const Tensor& t, const std::string& name, onnx::TensorProto* p) {
  p->Clear();
  p->set_name(name);
  p->set_data_type(dtypeToOnnx(t.dtype()));
  for (int64_t d : t.shape()) p->add_dims(d);
  p->set_raw_data(std::string(static_cast<const char*>(t.raw()), t.byteSize()));
}

Tensor readTensorFile(const std::string& path, std::string* nameOut) {
  std::string bytes = readFileBytes(path);
  if (bytes.size() >= 6 && std::memcmp(bytes.data(), "\x93NUMPY", 6) == 0) {
    if (nameOut) nameOut->clear();
    return parseNpy(bytes, path);
  }
  onnx::TensorProto p;
  if (bytes.size() > static_cast<size_t>(INT32_MAX) || !p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    modelError("'{}' is neither a TensorProto (.pb) nor a .npy file", printable(path, 200));
  if (p.data_type() == 0 && p.dims_size() == 0 && bytes.size() > 0 && !p.has_raw_data())
    modelError("'{}' is not a TensorProto: no data type", printable(path, 200));
  if (nameOut) *nameOut = p.name();
  return tensorFromProto(p, "");
}

void writeTensorPb(const std::string& path, const Tensor& t, const std::string& name) {
  onnx::TensorProto p;
  tensorToProto(t, name, &p);
  std::ofstream f(path, std::ios::binary);
  if (!f || !p.SerializeToOstream(&f)) modelError("cannot write '{}'", printable(path, 200));
}

}  // namespace tinyc
