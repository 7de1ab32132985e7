#include "latentjam/control/command_table.hpp"

#include <gtest/gtest.h>
#include <lo/lo.h>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "latentjam/control/osc_server.hpp"
#include "latentjam/control/parse.hpp"
#include "latentjam/engine/conductor.hpp"

using namespace latentjam::control;

namespace {

// The daemon's table: these tests read its rows as a client reads docs/osc.md.
const CommandTable& table() {
  return latentjam::engine::command_table();
}

OscArg i(std::int64_t v) {
  return {'i', v};
}
OscArg f(double v) {
  return {'f', v};
}
OscArg s(std::string v) {
  return {'s', std::move(v)};
}

Parsed parse(std::string_view address, std::vector<OscArg> args) {
  return parse_message(table(), address, args, ReplyTo{"127.0.0.1", "5555"});
}

std::string reason(const Parsed& p) {
  auto* r = std::get_if<Rejected>(&p);
  return r ? r->reason : std::string();
}

const Command& command(const Parsed& p) {
  return std::get<Command>(p);
}

}  // namespace

TEST(CommandTable, AddressesAreUniqueAndDocumented) {
  std::set<std::string_view> seen;
  for (const auto& spec : table().specs()) {
    EXPECT_TRUE(seen.insert(spec.address).second) << spec.address;
    EXPECT_FALSE(spec.help.empty()) << spec.address;
    EXPECT_FALSE(spec.reply.empty()) << spec.address;
    EXPECT_EQ(table().find(spec.address == "/jam/slider/*" ? "/jam/slider/1" : spec.address),
              &spec);
  }
  EXPECT_GE(seen.size(), 26u);
}

TEST(CommandTable, DocsMatchTheTable) {
  std::ifstream in(std::string(LATENTJAM_SOURCE_DIR) + "/docs/osc.md");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), markdown_reference(table()))
      << "docs/osc.md is stale: regenerate it with build/latentjam --osc-help > docs/osc.md";
}

TEST(Parse, UnknownAddressIsRejected) {
  auto p = parse("/jam/nonsense", {});
  EXPECT_NE(reason(p).find("unknown address"), std::string::npos);
  EXPECT_EQ(std::get<Rejected>(p).address, "/jam/nonsense");
  EXPECT_EQ(std::get<Rejected>(p).reply.port, "5555");
}

TEST(Parse, WrongTypeNamesArgumentAndUsage) {
  auto p = parse("/jam/tempo", {s("fast")});
  EXPECT_NE(reason(p).find("bpm"), std::string::npos);
  EXPECT_NE(reason(p).find("must be a number"), std::string::npos);
  EXPECT_NE(reason(p).find("\"fast\""), std::string::npos);
  EXPECT_NE(reason(p).find("usage: /jam/tempo f:bpm"), std::string::npos);
}

TEST(Parse, MissingAndExtraArguments) {
  EXPECT_NE(reason(parse("/jam/tempo", {})).find("missing argument bpm"), std::string::npos);
  EXPECT_NE(reason(parse("/jam/tempo", {f(120), f(1)})).find("too many arguments"),
            std::string::npos);
  EXPECT_NE(reason(parse("/jam/status", {i(1)})).find("too many arguments"), std::string::npos);
}

TEST(Parse, IntsAndFloatsAreInterchangeable) {
  auto tempo = parse("/jam/tempo", {i(100)});
  ASSERT_TRUE(std::holds_alternative<Command>(tempo));
  EXPECT_FLOAT_EQ(command(tempo).number(0), 100.0f);
  auto recall = parse("/jam/slot/recall", {f(42.0)});  // TouchOSC sends floats
  ASSERT_TRUE(std::holds_alternative<Command>(recall)) << reason(recall);
  EXPECT_EQ(command(recall).integer(0), 42);
  EXPECT_NE(reason(parse("/jam/slot/recall", {f(4.5)})).find("must be an integer"),
            std::string::npos);
  // (/jam/random is a button: a float there is a press, never a seed; see Buttons below.)
}

TEST(Parse, OptionalArgumentsAreMatchedByType) {
  auto only_seed = parse("/jam/random", {i(7)});
  ASSERT_TRUE(std::holds_alternative<Command>(only_seed));
  EXPECT_FALSE(command(only_seed).has(0));
  EXPECT_EQ(command(only_seed).integer(1), 7);
  auto trigger = parse("/jam/trigger", {s("snare"), f(0.5)});
  ASSERT_TRUE(std::holds_alternative<Command>(trigger));
  EXPECT_EQ(command(trigger).text(0), "snare");
  EXPECT_FLOAT_EQ(command(trigger).number(1), 0.5f);
  auto bare = parse("/jam/trigger", {});
  ASSERT_TRUE(std::holds_alternative<Command>(bare));
  EXPECT_FLOAT_EQ(command(bare).number(1, 1.0f), 1.0f);
}

// Issue 10: a surface button sends f 1 on press and f 0 on release.
TEST(Parse, ButtonsPressWithAFloatAndTheirReleaseIsIgnored) {
  // /jam/random: a float is the button, never a seed; only an integer is a seed.
  auto press = parse("/jam/random", {f(1.0)});
  ASSERT_TRUE(std::holds_alternative<Command>(press)) << reason(press);
  EXPECT_FALSE(command(press).released);
  EXPECT_FALSE(command(press).has(1));  // no seed
  auto release = parse("/jam/random", {f(0.0)});
  ASSERT_TRUE(std::holds_alternative<Command>(release));
  EXPECT_TRUE(command(release).released);
  auto voice_press = parse("/jam/random", {s("snare"), f(1.0)});
  ASSERT_TRUE(std::holds_alternative<Command>(voice_press)) << reason(voice_press);
  EXPECT_EQ(command(voice_press).text(0), "snare");
  EXPECT_FALSE(command(voice_press).has(1));
  auto seeded = parse("/jam/random", {s("snare"), i(0)});
  ASSERT_TRUE(std::holds_alternative<Command>(seeded));
  EXPECT_FALSE(command(seeded).released);  // an integer 0 is a seed, not a release
  EXPECT_EQ(command(seeded).integer(1, -1), 0);
  // /jam/subscribe from a button subscribes the sender's own port.
  auto subscribe = parse("/jam/subscribe", {f(1.0)});
  ASSERT_TRUE(std::holds_alternative<Command>(subscribe)) << reason(subscribe);
  EXPECT_FALSE(command(subscribe).has(0));
  EXPECT_TRUE(command(parse("/jam/subscribe", {f(0.0)})).released);
  EXPECT_EQ(command(parse("/jam/subscribe", {i(9001)})).integer(0), 9001);
  // Commands without parameters accept the press too.
  for (const char* address : {"/jam/undo", "/jam/play", "/jam/stop", "/jam/status"}) {
    auto p = parse(address, {f(1.0)});
    ASSERT_TRUE(std::holds_alternative<Command>(p)) << address << ": " << reason(p);
    EXPECT_FALSE(command(p).released);
    EXPECT_TRUE(command(parse(address, {f(0.0)})).released) << address;
  }
  // /jam/trigger: velocity 0 is the release; any other velocity plays.
  EXPECT_TRUE(command(parse("/jam/trigger", {s("hat"), f(0.0)})).released);
  EXPECT_FALSE(command(parse("/jam/trigger", {s("hat"), f(0.2)})).released);
  EXPECT_FALSE(command(parse("/jam/trigger", {})).released);
  // Commands that are not buttons still refuse a stray float.
  EXPECT_NE(reason(parse("/jam/evaluate", {f(1.0)})), "");
}

// Issue 11: integer bounds read as integers, in the reference and in /fail texts.
TEST(Parse, IntegerBoundsReadAsIntegers) {
  const std::string why = reason(parse("/jam/example/delete", {f(0.0)}));
  EXPECT_NE(why.find("id 0 is out of range 1..2147483647"), std::string::npos) << why;
  const std::string reference = markdown_reference(table());
  EXPECT_NE(reference.find("id 1..2147483647"), std::string::npos);
  EXPECT_EQ(reference.find("e+09"), std::string::npos) << "no float notation for integer bounds";
}

TEST(Parse, BoundsAreEnforced) {
  EXPECT_NE(reason(parse("/jam/tempo", {f(1000)})).find("out of range 20..400"), std::string::npos);
  EXPECT_NE(reason(parse("/jam/trigger", {f(1.5)})).find("velocity"), std::string::npos);
  EXPECT_NE(reason(parse("/jam/slider/3", {f(-0.1)})).find("out of range"), std::string::npos);
  EXPECT_NE(
      reason(parse("/jam/tempo", {f(std::numeric_limits<double>::quiet_NaN())})).find("finite"),
      std::string::npos);
}

TEST(Parse, SliderNumberMustBeOneToEight) {
  EXPECT_EQ(command(parse("/jam/slider/8", {f(0.2)})).address_index(), 8);
  EXPECT_NE(reason(parse("/jam/slider/9", {f(0.2)})).find("1..8"), std::string::npos);
  EXPECT_NE(reason(parse("/jam/slider/x", {f(0.2)})).find("1..8"), std::string::npos);
}

TEST(Parse, TextIsBounded) {
  std::string long_text(kMaxTextBytes + 1, 'a');
  EXPECT_NE(reason(parse("/jam/prompt", {s(long_text)})).find("longer than"), std::string::npos);
  EXPECT_TRUE(
      std::holds_alternative<Command>(parse("/jam/prompt", {s(std::string(kMaxTextBytes, 'a'))})));
}

TEST(Parse, FloatListTakesTheRest) {
  auto p = parse("/jam/latent/set", {s("kick"), f(0.5), i(-1), f(2)});
  ASSERT_TRUE(std::holds_alternative<Command>(p)) << reason(p);
  EXPECT_EQ(command(p).numbers(1), (std::vector<float>{0.5f, -1.0f, 2.0f}));
  EXPECT_NE(reason(parse("/jam/latent/set", {s("kick"), f(0.5), s("x")})).find("must be a number"),
            std::string::npos);
  EXPECT_NE(reason(parse("/jam/latent/set", {s("kick")})).find("missing"), std::string::npos);
}

TEST(Parse, UnsupportedTypeIsNamed) {
  auto p = parse("/jam/tempo", {OscArg{'b', std::int64_t{0}}});
  EXPECT_NE(reason(p).find("OSC type 'b'"), std::string::npos);
}

TEST(Parse, EveryRejectionKeepsTheSender) {
  for (auto p : {parse("/jam/tempo", {s("fast")}), parse("/jam/nonsense", {}),
                 parse("/jam/slider/9", {f(0.1)}), parse("/jam/tempo", {f(1), f(2)})}) {
    ASSERT_TRUE(std::holds_alternative<Rejected>(p));
    EXPECT_EQ(std::get<Rejected>(p).reply, (ReplyTo{"127.0.0.1", "5555"}));
  }
}

// Named options (/jam/train's steps, minutes, from, seed): any order, each once, after the
// parameters; their values follow the parameters in Command::params, in the table's order.
TEST(Parse, NamedOptionsAfterTheParameters) {
  auto p = parse("/jam/train", {s("kick"), s("/sounds"), s("from"), s("current"), s("steps"),
                                f(300), s("minutes"), i(5)});
  ASSERT_TRUE(std::holds_alternative<Command>(p)) << reason(p);
  const Command& c = command(p);
  ASSERT_EQ(c.params.size(), 6u);
  EXPECT_EQ(c.text(0), "kick");
  EXPECT_EQ(c.text(1), "/sounds");
  EXPECT_EQ(c.integer(2), 300) << "steps: an integral float is an integer";
  EXPECT_FLOAT_EQ(c.number(3), 5.0f) << "minutes: an int is a number";
  EXPECT_EQ(c.text(4), "current");
  EXPECT_FALSE(c.has(5)) << "seed not given";
  // The same by the names of the row, as handlers read them.
  EXPECT_EQ(c.text("voice"), "kick");
  EXPECT_EQ(c.text("folder"), "/sounds");
  EXPECT_EQ(c.integer("steps"), 300);
  EXPECT_FLOAT_EQ(c.number("minutes"), 5.0f);
  EXPECT_EQ(c.text("from"), "current");
  EXPECT_FALSE(c.has("seed"));
  EXPECT_EQ(c.integer("seed", 7), 7);
  // A name the row does not have is a programming error, thrown rather than read as "absent".
  EXPECT_THROW(c.text("velocity"), std::logic_error);

  auto bare = parse("/jam/train", {s("kick"), s("/sounds")});
  ASSERT_TRUE(std::holds_alternative<Command>(bare)) << reason(bare);
  EXPECT_EQ(command(bare).params.size(), 6u);
  EXPECT_FALSE(command(bare).has(2));

  EXPECT_EQ(signature(*table().find("/jam/train")),
            "s:voice s:folder [steps i] [minutes f] [from s] [seed i]");
}

TEST(Parse, BadOptionsAreRejectedWithTheReason) {
  auto train = [](std::vector<OscArg> options) {
    std::vector<OscArg> args = {s("kick"), s("/sounds")};
    args.insert(args.end(), options.begin(), options.end());
    return reason(parse("/jam/train", args));
  };
  EXPECT_NE(train({s("epochs"), i(3)})
                .find("unknown option \"epochs\" (options: steps, minutes, "
                      "from, seed)"),
            std::string::npos);
  EXPECT_NE(train({s("steps"), i(3), s("steps"), i(4)}).find("option steps is given twice"),
            std::string::npos);
  EXPECT_NE(train({s("steps")}).find("option steps needs a value"), std::string::npos);
  EXPECT_NE(
      train({s("steps"), s("many")}).find("option steps must be an integer, got string \"many\""),
      std::string::npos);
  EXPECT_NE(train({s("steps"), f(2.5)}).find("steps must be an integer"), std::string::npos);
  EXPECT_NE(train({s("steps"), i(0)}).find("steps 0 is out of range 1..100000"), std::string::npos);
  EXPECT_NE(train({s("minutes"), f(-1)}).find("out of range"), std::string::npos);
  EXPECT_NE(train({s("from"), i(3)}).find("option from must be a string"), std::string::npos);
  EXPECT_NE(train({i(300)}).find("argument 3 must be an option name"), std::string::npos);
  // A command without options still says "too many arguments".
  EXPECT_NE(
      reason(parse("/jam/train/cancel", {s("kick"), s("steps"), i(3)})).find("too many arguments"),
      std::string::npos);
}

// The size the daemon checks replies against is the size liblo sends.
TEST(Replies, EncodedSizeIsTheSizeLibloSends) {
  const std::vector<Reply> replies = {
      {"/done", {}},
      {"/jam/examples.reply", {std::string("kick")}},
      {"/jam/examples.reply", {std::string("snare"), std::int32_t{3}, std::string("abc")}},
      {"/x", {1.5f, std::string(""), std::string("four"), std::int32_t{-1}}},
      {"/jam/examples.reply", {std::string(255, 'a'), std::string(256, 'b'), 0.25f}},
  };
  for (const Reply& r : replies) {
    lo_message m = lo_message_new();
    for (const auto& a : r.args) {
      if (auto* i = std::get_if<std::int32_t>(&a))
        lo_message_add_int32(m, *i);
      else if (auto* f = std::get_if<float>(&a))
        lo_message_add_float(m, *f);
      else
        lo_message_add_string(m, std::get<std::string>(a).c_str());
    }
    EXPECT_EQ(encoded_size(r), lo_message_length(m, r.address.c_str())) << r.address;
    lo_message_free(m);
  }
}
