// Little helpers for the binary journal and snapshot records (private to mappings/src):
// a CRC-32 (IEEE, as in zlib and PNG), an append-only byte writer and a bounds-checked reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace latentjam::mappings::bytes {

std::uint32_t crc32(const void* data, std::size_t size);

class Writer {
 public:
  void u8(std::uint8_t v) { raw(&v, 1); }
  void u32(std::uint32_t v) { raw(&v, 4); }  // this project only targets little-endian machines
  void u64(std::uint64_t v) { raw(&v, 8); }
  void i64(std::int64_t v) { raw(&v, 8); }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  void floats(const std::vector<float>& v) {
    u32(static_cast<std::uint32_t>(v.size()));
    raw(v.data(), v.size() * sizeof(float));
  }
  void raw(const void* p, std::size_t n) {
    const auto* b = static_cast<const char*>(p);
    buffer_.insert(buffer_.end(), b, b + n);
  }
  const std::string& data() const { return buffer_; }
  std::string& data() { return buffer_; }

 private:
  std::string buffer_;
};

// Every read checks the remaining size; after the first failure ok() stays false and reads return
// zero values, so a parser can read a whole record and check once.
class Reader {
 public:
  Reader(const char* data, std::size_t size) : p_(data), end_(data + size) {}
  std::uint8_t u8() { return pod<std::uint8_t>(); }
  std::uint32_t u32() { return pod<std::uint32_t>(); }
  std::uint64_t u64() { return pod<std::uint64_t>(); }
  std::int64_t i64() { return pod<std::int64_t>(); }
  std::string str(std::size_t max) {
    const std::uint32_t n = u32();
    if (!ok_ || n > max || n > remaining()) return fail<std::string>();
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  std::vector<float> floats(std::size_t max) {
    const std::uint32_t n = u32();
    if (!ok_ || n > max || std::size_t{n} * sizeof(float) > remaining()) {
      return fail<std::vector<float>>();
    }
    std::vector<float> v(n);
    std::memcpy(v.data(), p_, n * sizeof(float));
    p_ += n * sizeof(float);
    return v;
  }
  bool ok() const { return ok_; }
  bool at_end() const { return p_ == end_; }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }

 private:
  template <class T>
  T pod() {
    if (!ok_ || remaining() < sizeof(T)) return fail<T>();
    T v;
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return v;
  }
  template <class T>
  T fail() {
    ok_ = false;
    return T{};
  }

  const char* p_;
  const char* end_;
  bool ok_ = true;
};

}  // namespace latentjam::mappings::bytes
