#include "support/npz.h"

#include <zlib.h>

#include <cstring>

#include "support/error.h"
#include "support/npy.h"

namespace tinyc {

namespace {

uint64_t le(const std::string& b, size_t off, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(b[off + static_cast<size_t>(i)])) << (8 * i);
  return v;
}

std::string inflateRaw(const std::string& in, uint64_t outSize, const std::string& what) {
  std::string out(static_cast<size_t>(outSize), '\0');
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) modelError("'{}': cannot start zlib", printable(what, 200));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  const uint64_t got = z.total_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END || got != outSize) modelError("'{}': corrupt deflated member", printable(what, 200));
  return out;
}

}  // namespace

std::vector<std::pair<std::string, Tensor>> readNpz(const std::string& path) {
  const std::string b = readFileBytes(path);
  auto bad = [&](const char* why) { modelError("'{}' is not a valid .npz file: {}", printable(path, 200), why); };
  // End of central directory: the last "PK\5\6" (after it at most a 64 KB comment).
  if (b.size() < 22) bad("too short");
  size_t eocd = std::string::npos;
  for (size_t i = b.size() - 22 + 1; i-- > 0 && b.size() - i <= 22 + 65535;)
    if (std::memcmp(b.data() + i, "PK\x05\x06", 4) == 0) {
      eocd = i;
      break;
    }
  if (eocd == std::string::npos) bad("no zip directory");
  uint64_t entries = le(b, eocd + 10, 2), cdOff = le(b, eocd + 16, 4);
  if ((entries == 0xffff || cdOff == 0xffffffff) && eocd >= 20 && std::memcmp(b.data() + eocd - 20, "PK\x06\x07", 4) == 0) {
    const uint64_t z64 = le(b, eocd - 20 + 8, 8);  // zip64 end of central directory
    if (z64 + 56 > b.size() || std::memcmp(b.data() + z64, "PK\x06\x06", 4) != 0) bad("bad zip64 directory");
    entries = le(b, z64 + 32, 8);
    cdOff = le(b, z64 + 48, 8);
  }
  std::vector<std::pair<std::string, Tensor>> out;
  size_t p = static_cast<size_t>(cdOff);
  for (uint64_t e = 0; e < entries; ++e) {
    if (p + 46 > b.size() || std::memcmp(b.data() + p, "PK\x01\x02", 4) != 0) bad("bad directory entry");
    const uint64_t method = le(b, p + 10, 2), nameLen = le(b, p + 28, 2), extraLen = le(b, p + 30, 2),
                   commentLen = le(b, p + 32, 2);
    uint64_t csize = le(b, p + 20, 4), usize = le(b, p + 24, 4), local = le(b, p + 42, 4);
    if (p + 46 + nameLen + extraLen > b.size()) bad("bad directory entry");
    std::string name = b.substr(p + 46, static_cast<size_t>(nameLen));
    // zip64 extra field: the 64-bit values of the fields that hold 0xffffffff, in this order.
    const size_t extraEnd = p + 46 + nameLen + extraLen;
    for (size_t x = p + 46 + nameLen; x + 4 <= extraEnd;) {
      const uint64_t id = le(b, x, 2), len = le(b, x + 2, 2);
      if (x + 4 + len > extraEnd) bad("bad extra field");
      size_t f = x + 4;
      if (id == 1) {
        for (uint64_t* v : {&usize, &csize, &local})
          if (*v == 0xffffffff && f + 8 <= x + 4 + len) *v = le(b, f, 8), f += 8;
      }
      x += 4 + static_cast<size_t>(len);
    }
    p += 46 + nameLen + extraLen + commentLen;
    if (local + 30 > b.size() || std::memcmp(b.data() + local, "PK\x03\x04", 4) != 0) bad("bad member header");
    const uint64_t data = local + 30 + le(b, static_cast<size_t>(local) + 26, 2) + le(b, static_cast<size_t>(local) + 28, 2);
    if (data > b.size() || csize > b.size() - data) bad("truncated member");
    std::string raw = b.substr(static_cast<size_t>(data), static_cast<size_t>(csize));
    const std::string what = path + ":" + name;
    if (method == 8)
      raw = inflateRaw(raw, usize, what);
    else if (method != 0)
      modelError("'{}': compression method {} is not supported (stored or deflated)", printable(what, 200), method);
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0) name.resize(name.size() - 4);
    out.emplace_back(name, parseNpy(raw, what));
  }
  return out;
}

}  // namespace tinyc
