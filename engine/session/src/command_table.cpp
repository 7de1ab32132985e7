// The command table: every OSC command of latentjam in one row each, with what the conductor does
// with it. A row is the address, its arguments (names, types, bounds), the help and reply texts
// that `--osc-help` and docs/osc.md are generated from, a surface button's rule, and the handler
// (a Conductor member in commands_*.cpp). Adding a command is adding its row here and writing its
// handler; the parser, the OSC, WebSocket and MIDI front ends, /jam/help and the docs follow.
// Bounds are inclusive.
#include <stdexcept>

#include "latentjam/engine/conductor.hpp"

namespace latentjam::engine {
namespace {

using control::ButtonRule;
using control::ParamSpec;
using control::ParamType;

ParamSpec voice_opt() {
  return {"voice", ParamType::Text, true};
}
ParamSpec text(std::string_view name) {
  return {name, ParamType::Text};
}
ParamSpec id_param() {
  return {"id", ParamType::Int, false, 1.0f, 2147483647.0f};
}
ParamSpec unit(std::string_view name) {
  return {name, ParamType::Float, false, 0.0f, 1.0f};
}

std::vector<control::CommandSpec> specs_of(const std::vector<Conductor::CommandRow>& rows) {
  std::vector<control::CommandSpec> specs;
  for (const auto& row : rows) {
    if (!row.handler) throw std::logic_error("no handler for " + std::string(row.spec.address));
    specs.push_back(row.spec);
  }
  return specs;
}

}  // namespace

const std::vector<Conductor::CommandRow>& Conductor::command_rows() {
  static const std::vector<CommandRow> rows = {
      {.spec =
           {"/jam/status",
            {},
            "Engine state as key/value pairs.",
            "/jam/status.reply s:examples i:N s:focus s:VOICE s:tempo f:BPM s:beat f:BEATS_PLAYED "
            "s:xruns i:N s:load f:MEAN "
            "s:load_peak f:PEAK s:device s:cpu|cuda s:sample_rate i:HZ s:buffer i:FRAMES s:audio "
            "s:NAME "
            "s:decodes i:N s:superseded i:N s:render_p50_ms f:MS s:render_p99_ms f:MS s:link i:0|1 "
            "s:link_peers i:N s:dropped i:N s:encoder s:NAME s:mapping s:kernel|mlp "
            "s:dropped_remote i:N s:hits i:N s:hits_fast i:N s:hit_p50_ms f:MS s:hit_p99_ms f:MS "
            "s:hit_max_ms f:MS "
            "(s:sound.VOICE i:SOUND_ID s:model.VOICE s:builtin:NAME|PATH s:hit.VOICE "
            "i:SOUND_ID)... "
            "(s:train.VOICE s:STEP/STEPS)... for each training running",
            ButtonRule::TrailingPress},
       .handler = &Conductor::on_status,
       .skips_the_line = true},
      {.spec = {"/jam/focus",
                {text("voice")},
                "Focus a voice; commands without a voice act on it.",
                "/done /jam/focus s:VOICE"},
       .handler = &Conductor::on_focus,
       .changes_sound = true},
      {.spec = {"/jam/random",
                {voice_opt(), {"seed", ParamType::Int, true, 0.0f, 2147483647.0f}},
                "New sound from the decoder's prior (seeded when a seed is given as an integer; a "
                "float is "
                "a button: 1 pressed, 0 released and ignored).",
                "/done /jam/random i:SOUND_ID",
                ButtonRule::TrailingPress},
       .handler = &Conductor::on_random,
       .changes_sound = true},
      {.spec = {"/jam/prompt",
                {text("text"), voice_opt()},
                "Jump to the latent the voice's mapping predicts for the text (prompt grammar in "
                "docs/mappings.md). Waits for a retrain in progress (see below).",
                "/done /jam/prompt i:SOUND_ID s:NOTE..."},
       .handler = &Conductor::on_prompt,
       .changes_sound = true},
      {.spec = {"/jam/label",
                {text("text"), voice_opt()},
                "Label the current sound: adds an example (durable before the reply) and retrains.",
                "/done /jam/label i:EXAMPLE_ID"},
       .handler = &Conductor::on_label},
      {.spec =
           {"/jam/examples",
            {voice_opt(),
             {"first", ParamType::Int, true, 1.0f, 2147483647.0f},
             {"count", ParamType::Int, true, 1.0f, 2147483647.0f}},
            "List the voice's examples, oldest first: all of them, or `count` from the `first`-th "
            "(1 = the oldest; the voice must then be named). A list longer than one reply holds "
            "(32768 bytes, about 120 labels of 256 bytes) answers /fail with its length: ask for "
            "it in "
            "parts.",
            "/jam/examples.reply s:VOICE (i:ID s:TEXT)..."},
       .handler = &Conductor::on_examples},
      {.spec = {"/jam/example/delete",
                {id_param()},
                "Delete an example and retrain.",
                "/done /jam/example/delete i:ID"},
       .handler = &Conductor::on_example_delete},
      {.spec = {"/jam/example/relabel",
                {id_param(), text("text")},
                "Change an example's text and retrain.",
                "/done /jam/example/relabel i:ID"},
       .handler = &Conductor::on_example_relabel},
      {.spec = {"/jam/example/select",
                {id_param()},
                "Make that example's sound current (and focus its voice).",
                "/done /jam/example/select i:SOUND_ID"},
       .handler = &Conductor::on_example_select,
       .changes_sound = true},
      {.spec = {"/jam/undo",
                {},
                "Undo the last dataset edit.",
                "/done /jam/undo s:WHAT",
                ButtonRule::TrailingPress},
       .handler = &Conductor::on_undo},
      {.spec = {"/jam/vary",
                {text("text"), {"amount", ParamType::Float, false, -3.0f, 3.0f}, voice_opt()},
                "Move the current sound toward the text; 0..1, beyond 1 extrapolates, negative "
                "moves away. "
                "Waits for a retrain in progress.",
                "/done /jam/vary i:SOUND_ID s:NOTE..."},
       .handler = &Conductor::on_vary,
       .changes_sound = true},
      {.spec = {"/jam/slider/*",
                {unit("position")},
                "PCA slider 1..8 of the focused voice; 0.5 is the current sound.",
                "/done /jam/slider/N i:SOUND_ID",
                ButtonRule::None,
                {},
                8},
       .handler = &Conductor::on_slider,
       .changes_sound = true},
      {.spec = {"/jam/xy",
                {unit("x"), unit("y")},
                "Position in the plane of the first two components; 0.5 0.5 is the current sound.",
                "/done /jam/xy i:SOUND_ID"},
       .handler = &Conductor::on_xy,
       .changes_sound = true},
      {.spec =
           {"/jam/latent", {voice_opt()}, "The current latent.", "/jam/latent.reply s:VOICE f..."},
       .handler = &Conductor::on_latent},
      {.spec = {"/jam/latent/set",
                {text("voice"), {"latent", ParamType::FloatList, false, -100.0f, 100.0f}},
                "Set the latent directly (as many floats as the decoder's latent size).",
                "/done /jam/latent/set i:SOUND_ID"},
       .handler = &Conductor::on_latent_set,
       .changes_sound = true},
      {.spec = {"/jam/trigger",
                {voice_opt(), {"velocity", ParamType::Float, true, 0.0f, 1.0f}},
                "Play the voice's one-shot (velocity defaults to 1). For the loop voice, velocity "
                "sets the "
                "loop's level. Velocity 0 is a button's release and is ignored (mute a loop with "
                "/jam/gain or /jam/stop).",
                "/done /jam/trigger s:VOICE",
                ButtonRule::ZeroReleases},
       .handler = &Conductor::on_trigger,
       .skips_the_line = true},
      {.spec = {"/jam/tempo",
                {{"bpm", ParamType::Float, false, 20.0f, 400.0f}},
                "Session tempo in beats per minute.",
                "/done /jam/tempo f:BPM"},
       .handler = &Conductor::on_tempo},
      {.spec = {"/jam/quantize",
                {{"beats", ParamType::Float, false, 0.0f, 64.0f}},
                "Boundary for loop changes in beats (0 = immediately).",
                "/done /jam/quantize f:BEATS"},
       .handler = &Conductor::on_quantize},
      {.spec =
           {"/jam/words",
            {voice_opt()},
            "Label suggestions for the voice: words no label of it uses yet that the encoder knows "
            "well, the most contrasting first.",
            "/jam/words.reply s:VOICE s..."},
       .handler = &Conductor::on_words},
      {.spec =
           {"/jam/model/load",
            {text("voice"), text("path")},
            "Load a decoder for a voice (\"builtin:kick\" or a TorchScript file). On failure the "
            "previous model keeps playing.",
            "/done /jam/model/load s:VOICE s:DEVICE"},
       .handler = &Conductor::on_model_load,
       .changes_sound = true},
      {.spec =
           {"/jam/train",
            {text("voice"), text("folder")},
            "Train a model for the voice on a folder of sounds (WAV, FLAC, AIFF) with "
            "latentjam-train, "
            "in its own process at idle priority, into a new folder models/VOICE-N of the session "
            "folder; the voice plays its model until the new one is loaded. Options, as name/value "
            "pairs after the folder: steps N, minutes M (at most), from current|PATH (fine-tune "
            "the "
            "voice's TorchScript model or that file), seed S. One training per voice. Progress and "
            "the end are pushed (see Training below).",
            "/done /jam/train s:VOICE s:OUTDIR",
            ButtonRule::None,
            {{"steps", ParamType::Int, true, 1.0f, 100000.0f},
             {"minutes", ParamType::Float, true, 0.1f, 600.0f},
             {"from", ParamType::Text, true},
             {"seed", ParamType::Int, true, 0.0f, 999999.0f}}},
       .handler = &Conductor::on_train},
      {.spec = {"/jam/train/cancel",
                {text("voice")},
                "Stop the voice's training (SIGTERM, SIGKILL 5 s later); its end is pushed as "
                "/jam/train/fail s:VOICE s:cancelled.",
                "/done /jam/train/cancel s:VOICE"},
       .handler = &Conductor::on_train_cancel},
      {.spec = {"/jam/save",
                {text("name")},
                "Save the session under a name in the session folder ([A-Za-z0-9_-.], no leading "
                "dot, at "
                "most 64 characters).",
                "/done /jam/save s:NAME"},
       .handler = &Conductor::on_save},
      {.spec =
           {"/jam/load", {text("name")}, "Load a saved session by name.", "/done /jam/load s:NAME"},
       .handler = &Conductor::on_load,
       .changes_sound = true},
      {.spec =
           {"/jam/bounce",
            {text("name"), voice_opt()},
            "Write the voice's current sound to NAME.wav in the export folder (same name rules as "
            "save).",
            "/done /jam/bounce s:PATH"},
       .handler = &Conductor::on_bounce},
      {.spec = {"/jam/slot/store",
                {{"slot", ParamType::Int, false, 1.0f, 128.0f}, text("prompt")},
                "Store a prompt in a slot, recalled by a pad or a program change.",
                "/done /jam/slot/store i:SLOT"},
       .handler = &Conductor::on_slot_store},
      {.spec =
           {"/jam/slot/recall",
            {{"slot", ParamType::Int, false, 1.0f, 128.0f}},
            "Run the prompt stored in a slot (what a pad or a program change does). Waits for a "
            "retrain in progress.",
            "/done /jam/slot/recall i:SOUND_ID s:NOTE..."},
       .handler = &Conductor::on_slot_recall,
       .changes_sound = true},
      {.spec = {"/jam/play",
                {},
                "Restart the transport from beat 0 and unmute the loops (MIDI Start and Continue).",
                "/done /jam/play",
                ButtonRule::TrailingPress},
       .handler = &Conductor::on_play},
      {.spec = {"/jam/morph",
                {{"bars", ParamType::Float, false, 0.0f, 16.0f}},
                "Loop changes morph from the old loop to the new one over this many bars (of 4 "
                "beats); 0 "
                "goes back to the short crossfade on the boundary.",
                "/done /jam/morph f:BARS"},
       .handler = &Conductor::on_morph},
      {.spec =
           {"/jam/gain",
            {text("voice"), {"gain", ParamType::Float, false, 0.0f, 2.0f}},
            "The voice's level on the master (1 = unity). A safety limiter keeps the master below "
            "-1 dBFS.",
            "/done /jam/gain s:VOICE f:GAIN"},
       .handler = &Conductor::on_gain},
      {.spec = {"/jam/link",
                {{"enabled", ParamType::Int, false, 0.0f, 1.0f}},
                "Share tempo and bar phase with other apps over Ableton Link (1 on, 0 off).",
                "/done /jam/link i:ENABLED"},
       .handler = &Conductor::on_link},
      {.spec = {"/jam/stop",
                {},
                "Mute the loops and cut ringing hits (MIDI Stop).",
                "/done /jam/stop",
                ButtonRule::TrailingPress},
       .handler = &Conductor::on_stop},
      {.spec = {"/jam/midi/learn",
                {text("target")},
                "Bind the next MIDI control moved to a target: slider/N, slot/N, trigger/VOICE.",
                "/done /jam/midi/learn s:TARGET"},
       .handler = &Conductor::on_midi_learn},
      {.spec =
           {"/jam/subscribe",
            {{"port", ParamType::Int, true, 1.0f, 65535.0f},
             {"echo", ParamType::Int, true, 0.0f, 1.0f}},
            "Copy every reply and state change to the sender's host at this port (default: the "
            "sender's port; the port only as an integer, a float is a button). Widget pushes and "
            "the "
            "state dump that comes before the /done: see Feedback to surfaces below; echo 1 also "
            "sends the subscriber its own moves.",
            "/done /jam/subscribe i:PORT",
            ButtonRule::TrailingPress},
       .handler = &Conductor::on_subscribe},
      {.spec = {"/jam/unsubscribe",
                {{"port", ParamType::Int, true, 1.0f, 65535.0f}},
                "Stop copying replies and state changes to the sender's host at this port "
                "(default: the "
                "sender's port).",
                "/done /jam/unsubscribe i:PORT",
                ButtonRule::TrailingPress},
       .handler = &Conductor::on_unsubscribe},
      {.spec =
           {"/jam/evaluate",
            {voice_opt()},
            "How well the mapping fits: leave-one-out error per example and conflicting labels (at "
            "most "
            "4 "
            "wait; more answer /fail).",
            "/jam/evaluate.reply s:VOICE (i:ID f:ERROR)... then /jam/warning s:TEXT per conflict"},
       .handler = &Conductor::on_evaluate},
      {.spec = {"/jam/waveform",
                {voice_opt(), {"points", ParamType::Int, true, 8.0f, 1024.0f}},
                "The outline of the voice's current sound, for a screen: the peak level of each of "
                "`points` "
                "equal slices (default 128), 0..1.",
                "/jam/waveform.reply s:VOICE i:SOUND_ID f..."},
       .handler = &Conductor::on_waveform},
      {.spec = {"/jam/example/waveform",
                {id_param(), {"points", ParamType::Int, true, 8.0f, 1024.0f}},
                "The outline of an example's sound (as /jam/waveform), for thumbnails in a list.",
                "/jam/example/waveform.reply i:ID f..."},
       .handler = &Conductor::on_example_waveform},
      {.spec =
           {"/jam/map",
            {voice_opt()},
            "Where the voice's examples lie in the XY pad's plane (the same 0..1 coordinates as "
            "/jam/xy, 0.5 0.5 the current sound; clamped to the pad's edges), to draw them on the "
            "pad.",
            "/jam/map.reply s:VOICE (i:ID s:TEXT f:X f:Y)..."},
       .handler = &Conductor::on_map},
      {.spec = {"/jam/help",
                {},
                "Every address with its arguments.",
                "/jam/help.reply (s:ADDRESS s:ARGUMENTS)...",
                ButtonRule::TrailingPress},
       .handler = &Conductor::on_help,
       .skips_the_line = true},
  };
  return rows;
}

const control::CommandTable& command_table() {
  static const control::CommandTable table(specs_of(Conductor::command_rows()));
  return table;
}

}  // namespace latentjam::engine
