// OSC packets from bytes (the browser's WebSocket transport): messages and nested bundles are
// parsed like UDP datagrams, bounded in depth and count, and bytes that are not OSC are refused
// with a reason instead of being read past their end.
#include "latentjam/control/osc_packet.hpp"

#include <gtest/gtest.h>
#include <lo/lo.h>

#include <chrono>
#include <cstring>

#include "latentjam/engine/conductor.hpp"

namespace latentjam::control {
namespace {

const ReplyTo kFrom{"ws", "7"};

std::vector<unsigned char> message(const char* address, lo_message m) {
  std::vector<unsigned char> bytes(lo_message_length(m, address));
  std::size_t size = bytes.size();
  lo_message_serialise(m, address, bytes.data(), &size);
  lo_message_free(m);
  return bytes;
}

std::vector<unsigned char> tempo(float bpm) {
  lo_message m = lo_message_new();
  lo_message_add_float(m, bpm);
  return message("/jam/tempo", m);
}

void put_be32(std::vector<unsigned char>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<unsigned char>(v >> shift));
}

// A bundle by hand, so nesting and broken sizes can be written.
std::vector<unsigned char> bundle(lo_timetag time,
                                  const std::vector<std::vector<unsigned char>>& elements) {
  std::vector<unsigned char> out{'#', 'b', 'u', 'n', 'd', 'l', 'e', '\0'};
  put_be32(out, time.sec);
  put_be32(out, time.frac);
  for (const auto& e : elements) {
    put_be32(out, static_cast<std::uint32_t>(e.size()));
    out.insert(out.end(), e.begin(), e.end());
  }
  return out;
}

std::vector<Parsed> parse(const std::vector<unsigned char>& bytes) {
  return parse_osc_packet(engine::command_table(), bytes.data(), bytes.size(), kFrom);
}

std::string reason(const Parsed& p) {
  const auto* r = std::get_if<Rejected>(&p);
  return r ? r->reason : std::string("(a command)");
}

TEST(OscPacket, AMessageBecomesACommandRepliedToItsSender) {
  auto parsed = parse(tempo(128.0f));
  ASSERT_EQ(parsed.size(), 1u);
  const auto* cmd = std::get_if<Command>(&parsed[0]);
  ASSERT_NE(cmd, nullptr) << reason(parsed[0]);
  EXPECT_TRUE(cmd->is("/jam/tempo"));
  EXPECT_FLOAT_EQ(cmd->number(0), 128.0f);
  EXPECT_EQ(cmd->reply, kFrom);
  EXPECT_EQ(cmd->due_ns, 0);
  EXPECT_GT(cmd->received_ns, 0);
}

TEST(OscPacket, NestedBundlesKeepTheOrderAndAFutureTimetagSetsTheDueTime) {
  lo_timetag now;
  lo_timetag_now(&now);
  lo_timetag later = now;
  later.sec += 2;
  auto packet =
      bundle(LO_TT_IMMEDIATE, {tempo(100.0f), bundle(later, {tempo(101.0f), tempo(102.0f)})});
  auto parsed = parse(packet);
  ASSERT_EQ(parsed.size(), 3u);
  const auto before = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  for (int i = 0; i < 3; ++i) {
    const auto* cmd = std::get_if<Command>(&parsed[static_cast<std::size_t>(i)]);
    ASSERT_NE(cmd, nullptr);
    EXPECT_FLOAT_EQ(cmd->number(0), 100.0f + static_cast<float>(i));
    if (i == 0) {
      EXPECT_EQ(cmd->due_ns, 0);
    } else {  // about two seconds from now
      EXPECT_GT(cmd->due_ns, before + 1'000'000'000);
      EXPECT_LT(cmd->due_ns, before + 3'000'000'000);
    }
  }
}

TEST(OscPacket, BytesThatAreNotOscAreRefusedWithAReason) {
  const std::vector<unsigned char> text{'h', 'e', 'l', 'l', 'o'};
  auto parsed = parse(text);
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_NE(reason(parsed[0]).find("not an OSC message"), std::string::npos);
  EXPECT_EQ(std::get<Rejected>(parsed[0]).address, "/");

  auto cut = tempo(90.0f);
  cut.resize(cut.size() - 4);  // the float is missing
  parsed = parse(cut);
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(std::get<Rejected>(parsed[0]).address, "/jam/tempo");
  EXPECT_NE(reason(parsed[0]).find("malformed"), std::string::npos);

  // An address without its NUL inside the packet.
  const std::vector<unsigned char> unterminated{'/', 'j', 'a', 'm'};
  EXPECT_NE(reason(parse(unterminated).at(0)).find("not an OSC message"), std::string::npos);
  EXPECT_TRUE(parse({}).size() == 1u && std::holds_alternative<Rejected>(parse({})[0]));
}

TEST(OscPacket, ABundleElementThatDoesNotFitStopsTheBundleAfterWhatCameBefore) {
  auto packet = bundle(LO_TT_IMMEDIATE, {tempo(100.0f)});
  put_be32(packet, 4096);  // says 4096 bytes follow; none do
  auto parsed = parse(packet);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<Command>(parsed[0]));
  EXPECT_NE(reason(parsed[1]).find("does not fit"), std::string::npos);
  const std::vector<unsigned char> header_only{'#', 'b', 'u', 'n', 'd', 'l', 'e', '\0', 0, 0};
  EXPECT_NE(reason(parse(header_only).at(0)).find("truncated"), std::string::npos);
}

TEST(OscPacket, DepthAndCountAreBounded) {
  auto nested = tempo(100.0f);
  for (int depth = 0; depth <= kMaxBundleDepth + 1; ++depth)
    nested = bundle(LO_TT_IMMEDIATE, {nested});
  auto parsed = parse(nested);
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_NE(reason(parsed[0]).find("nest"), std::string::npos);

  std::vector<std::vector<unsigned char>> many(kMaxMessagesPerPacket + 5, tempo(100.0f));
  parsed = parse(bundle(LO_TT_IMMEDIATE, many));
  ASSERT_EQ(parsed.size(), kMaxMessagesPerPacket + 1);
  EXPECT_TRUE(std::holds_alternative<Command>(parsed[kMaxMessagesPerPacket - 1]));
  EXPECT_NE(reason(parsed.back()).find("at most"), std::string::npos);
}

TEST(OscPacket, RepliesEncodeAsOscMessagesLibloReads) {
  const Reply reply{"/done", {std::string("/jam/random"), std::int32_t{42}, 0.25f}};
  auto bytes = encode_osc_message(reply);
  EXPECT_EQ(bytes.size() % 4, 0u);
  EXPECT_EQ(bytes.size(), encoded_size(reply));
  int result = 0;
  lo_message m = lo_message_deserialise(bytes.data(), bytes.size(), &result);
  ASSERT_NE(m, nullptr) << result;
  EXPECT_STREQ(reinterpret_cast<const char*>(bytes.data()), "/done");
  EXPECT_STREQ(lo_message_get_types(m), "sif");
  lo_arg** argv = lo_message_get_argv(m);
  EXPECT_STREQ(&argv[0]->s, "/jam/random");
  std::int32_t i;
  std::memcpy(&i, argv[1], 4);
  EXPECT_EQ(i, 42);
  lo_message_free(m);
}

}  // namespace
}  // namespace latentjam::control
