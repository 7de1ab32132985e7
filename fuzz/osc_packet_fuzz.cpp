// libFuzzer target: any bytes as one OSC packet from a browser (parse_osc_packet: messages,
// nested bundles, liblo's deserialiser, the command table's validation). Nothing may crash, read
// out of bounds or leak, and every result must name where its reply goes.
#include <cstdlib>

#include "latentjam/control/osc_packet.hpp"
#include "latentjam/engine/conductor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  using namespace latentjam::control;
  const ReplyTo from{"ws", "1"};
  for (const auto& parsed :
       parse_osc_packet(latentjam::engine::command_table(), data, size, from)) {
    const ReplyTo& to = std::holds_alternative<Command>(parsed) ? std::get<Command>(parsed).reply
                                                                : std::get<Rejected>(parsed).reply;
    if (!(to == from)) std::abort();
  }
  if (parse_osc_packet(latentjam::engine::command_table(), data, size, from).size() >
      kMaxMessagesPerPacket + 1)
    std::abort();
  return 0;
}
