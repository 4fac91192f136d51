#include "support/npy.h"

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "support/error.h"

namespace tinyc {

std::string readFileBytes(const std::string& path, size_t maxBytes) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) modelError("cannot open '{}'", printable(path, 200));
  std::streamoff size = f.tellg();
  if (size < 0) modelError("cannot read '{}' (is it a directory?)", printable(path, 200));
  if (static_cast<uint64_t>(size) > maxBytes) modelError("'{}' is too large ({} bytes)", printable(path, 200), size);
  std::string data(static_cast<size_t>(size), '\0');
  f.seekg(0);
  if (size > 0 && !f.read(data.data(), size)) modelError("cannot read '{}'", printable(path, 200));
  return data;
}

namespace {
struct Descr {
  const char* code;
  DType t;
};
constexpr Descr kDescr[] = {{"f4", DType::F32}, {"f8", DType::F64}, {"f2", DType::F16}, {"i1", DType::I8},
                            {"u1", DType::U8},  {"i2", DType::I16}, {"u2", DType::U16}, {"i4", DType::I32},
                            {"u4", DType::U32}, {"i8", DType::I64}, {"u8", DType::U64}, {"b1", DType::Bool}};
}  // namespace

Tensor parseNpy(const std::string& b, const std::string& what) {
  auto bad = [&](const char* why) -> void { modelError("'{}' is not a valid .npy file: {}", printable(what, 200), why); };
  if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY", 6) != 0) bad("bad magic");
  unsigned major = static_cast<unsigned char>(b[6]);
  size_t hlen, hoff;
  if (major == 1) {
    hlen = static_cast<unsigned char>(b[8]) | (static_cast<size_t>(static_cast<unsigned char>(b[9])) << 8);
    hoff = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) bad("truncated header");
    hlen = 0;
    for (int i = 0; i < 4; ++i) hlen |= static_cast<size_t>(static_cast<unsigned char>(b[8 + i])) << (8 * i);
    hoff = 12;
  } else {
    bad("unknown version");
    return {};
  }
  if (hlen > b.size() - hoff) bad("truncated header");
  std::string header = b.substr(hoff, hlen);
  std::smatch m;
  if (!std::regex_search(header, m, std::regex("'descr'\\s*:\\s*'([<>|=])([a-z][0-9]+)'"))) bad("no descr");
  std::string endian = m[1], code = m[2];
  if (endian == ">") bad("big-endian data is not supported");
  DType t = DType::Undefined;
  for (const auto& d : kDescr)
    if (code == d.code) t = d.t;
  if (t == DType::Undefined) modelError("'{}': unsupported .npy dtype '{}'", printable(what, 200), printable(code));
  if (std::regex_search(header, m, std::regex("'fortran_order'\\s*:\\s*True"))) bad("Fortran order is not supported");
  if (!std::regex_search(header, m, std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)"))) bad("no shape");
  Shape shape;
  std::string dims = m[1];
  std::regex num("[0-9]+");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), num); it != std::sregex_iterator(); ++it) {
    std::string s = it->str();
    if (s.size() > 15) bad("dimension too large");
    shape.push_back(std::stoll(s));
  }
  Tensor tensor(t, shape);
  size_t off = hoff + hlen;
  if (b.size() - off != tensor.byteSize())
    modelError("'{}': .npy data has {} bytes, shape {} needs {}", printable(what, 200), b.size() - off,
               shapeStr(shape), tensor.byteSize());
  if (tensor.byteSize()) std::memcpy(tensor.raw(), b.data() + off, tensor.byteSize());
  return tensor;
}

Tensor readNpy(const std::string& path) { return parseNpy(readFileBytes(path), path); }

void writeNpy(const std::string& path, const Tensor& t) {
  std::string code;
  for (const auto& d : kDescr)
    if (d.t == t.dtype()) code = d.code;
  if (code.empty())
    modelError("'{}': a .npy file cannot hold this element type (write a TensorProto .pb instead)",
               printable(path, 200));
  std::string shape;
  for (int64_t d : t.shape()) shape += std::to_string(d) + ",";
  if (t.shape().size() > 1) shape.pop_back();
  std::string header = fmt::format("{{'descr': '{}{}', 'fortran_order': False, 'shape': ({}), }}",
                                   t.dtype() == DType::Bool || dtypeSize(t.dtype()) == 1 ? "|" : "<", code, shape);
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream f(path, std::ios::binary);
  if (!f) modelError("cannot write '{}'", printable(path, 200));
  f.write("\x93NUMPY\x01\x00", 8);
  char len[2] = {static_cast<char>(header.size() & 0xff), static_cast<char>(header.size() >> 8)};
  f.write(len, 2);
  f << header;
  f.write(static_cast<const char*>(t.raw()), static_cast<std::streamsize>(t.byteSize()));
  if (!f) modelError("cannot write '{}'", printable(path, 200));
}

}  // namespace tinyc
