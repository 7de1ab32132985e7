#include "latentjam/control/osc_packet.hpp"

#include <lo/lo.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "lo_convert.hpp"

namespace latentjam::control {

namespace {

std::uint32_t read_be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

struct PacketReader {
  const CommandTable& table;
  const ReplyTo& from;
  std::vector<Parsed> out;
  std::size_t messages = 0;

  void reject(std::string address, std::string reason) {
    out.push_back(Rejected{std::move(address), from, std::move(reason)});
  }

  // false: stop reading the packet (a limit was hit; the reason is already in `out`).
  bool message(const unsigned char* data, std::size_t size, std::int64_t due_ns) {
    if (++messages > kMaxMessagesPerPacket) {
      reject("/", "a packet holds at most " + std::to_string(kMaxMessagesPerPacket) +
                      " messages; the rest were not run");
      return false;
    }
    // The address must end inside the message, or nothing (not even /fail's address) can be read.
    const auto* end =
        size == 0 ? nullptr : static_cast<const unsigned char*>(std::memchr(data, '\0', size));
    if (!end || data[0] != '/') {
      reject("/", "not an OSC message (an OSC address starts with / and ends with a NUL byte)");
      return true;
    }
    const std::string address(reinterpret_cast<const char*>(data),
                              static_cast<std::size_t>(end - data));
    // liblo validates the rest (type tags, padding, string ends) and copies the bytes.
    std::vector<unsigned char> copy(data, data + size);
    int result = 0;
    lo_message msg = lo_message_deserialise(copy.data(), copy.size(), &result);
    if (!msg) {
      reject(address, "malformed OSC message (liblo error " + std::to_string(result) + ")");
      return true;
    }
    out.push_back(detail::parse_lo_message(table, address.c_str(), lo_message_get_types(msg),
                                           lo_message_get_argv(msg), lo_message_get_argc(msg), from,
                                           due_ns));
    lo_message_free(msg);
    return true;
  }

  bool bundle(const unsigned char* data, std::size_t size, int depth, std::int64_t outer_due) {
    if (depth > kMaxBundleDepth) {
      reject("/", "bundles nest at most " + std::to_string(kMaxBundleDepth) + " deep");
      return false;
    }
    if (size < 16) {
      reject("/", "truncated OSC bundle (" + std::to_string(size) + " bytes)");
      return false;
    }
    lo_timetag time{read_be32(data + 8), read_be32(data + 12)};
    // A nested bundle runs no earlier than the one around it.
    const std::int64_t due = std::max(detail::due_from_timetag(time), outer_due);
    std::size_t at = 16;
    while (at < size) {
      if (size - at < 4) {
        reject("/", "truncated OSC bundle element");
        return false;
      }
      const std::size_t length = read_be32(data + at);
      at += 4;
      if (length > size - at || length % 4 != 0) {
        reject("/", "OSC bundle element of " + std::to_string(length) + " bytes does not fit");
        return false;
      }
      if (!element(data + at, length, depth + 1, due)) return false;
      at += length;
    }
    return true;
  }

  bool element(const unsigned char* data, std::size_t size, int depth, std::int64_t due) {
    if (size >= 8 && std::memcmp(data, "#bundle", 8) == 0) return bundle(data, size, depth, due);
    return message(data, size, due);
  }
};

}  // namespace

std::vector<Parsed> parse_osc_packet(const CommandTable& table, const void* data, std::size_t size,
                                     const ReplyTo& from) {
  PacketReader reader{table, from, {}};
  reader.element(static_cast<const unsigned char*>(data), size, 0, 0);
  return std::move(reader.out);
}

std::vector<unsigned char> encode_osc_message(const Reply& reply) {
  lo_message msg = detail::to_lo_message(reply);
  std::vector<unsigned char> bytes(lo_message_length(msg, reply.address.c_str()));
  std::size_t size = bytes.size();
  lo_message_serialise(msg, reply.address.c_str(), bytes.data(), &size);
  lo_message_free(msg);
  bytes.resize(size);
  return bytes;
}

}  // namespace latentjam::control
