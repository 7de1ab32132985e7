// OSC packets as bytes, for transports that are not liblo's UDP server (the browser surface's
// WebSocket): the same parsing and validation as a datagram, and replies encoded as OSC messages.
// One contract, two transports. Every function here is thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <vector>

#include "latentjam/control/command.hpp"
#include "latentjam/control/osc_server.hpp"

namespace latentjam::control {

// Bundles nest at most this deep and a packet holds at most this many messages; beyond either the
// rest of the packet is refused with one Rejected.
inline constexpr int kMaxBundleDepth = 8;
inline constexpr std::size_t kMaxMessagesPerPacket = 1024;

// Every message of one OSC 1.0 packet (a message, or a bundle of messages and bundles), parsed
// and validated in order; messages inside a future-timetagged bundle carry its due time. Bytes
// that are not OSC give a Rejected (address "/" when none can be read) naming what is wrong.
std::vector<Parsed> parse_osc_packet(const CommandTable& table, const void* data, std::size_t size,
                                     const ReplyTo& from);

// The reply as one OSC 1.0 message.
std::vector<unsigned char> encode_osc_message(const Reply& reply);

}  // namespace latentjam::control
