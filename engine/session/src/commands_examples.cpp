// Text, examples and mappings: labelling, prompting, editing the examples, sessions, evaluation
// and prompt slots. Every dataset edit is on disk (fsync) before its /done is sent; the voice is
// then retrained on the training worker and the new mapping published when it arrives.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "latentjam/engine/conductor.hpp"
#include "latentjam/engine/log.hpp"
#include "latentjam/engine/torch_plugin.hpp"
#include "latentjam/mappings/evaluation.hpp"
#include "latentjam/mappings/prompt.hpp"
#include "latentjam/mappings/reading.hpp"
#include "latentjam/mappings/word_vectors.hpp"
#include "latentjam/mappings/words.hpp"

namespace latentjam::engine {

using control::Command;
using control::Reply;

namespace {

constexpr std::size_t kPcaSamples = 2000;

// Where tools/fetch_vectors.sh and packagers put the converted vectors, first match wins.
std::vector<std::string> word_vector_candidates() {
  std::vector<std::string> paths;
  if (const char* data = std::getenv("LATENTJAM_DATA"); data && *data)
    paths.push_back(std::string(data) + "/word-vectors.bin");
  const std::string exe = executable_dir();
  if (!exe.empty()) {
    paths.push_back(exe + "/../data/word-vectors.bin");  // build/latentjam in a checkout
    paths.push_back(exe + "/data/word-vectors.bin");
    paths.push_back(exe + "/../share/latentjam/word-vectors.bin");  // installed
  }
  paths.push_back(default_session_dir() + "/word-vectors.bin");
  return paths;
}

bool is_zero(const std::vector<float>& v) {
  for (float x : v)
    if (x != 0.0f) return false;
  return true;
}

}  // namespace

Status Conductor::open_text_encoder() {
  const Config& c = parts_.config;
  if (c.text_encoder == "hashing") {
    encoder_ = mappings::make_hashing_encoder(100);
  } else if (c.text_encoder == "sbert") {
    if (c.sbert_model_path.empty() || c.sbert_vocab_path.empty())
      return fail(
          "the sbert encoder needs [text] sbert_model and sbert_vocab (tools/export_sbert.py)");
    auto torch = torch_plugin();
    if (!torch.ok()) return fail(torch.error());
    auto sbert = torch.value()->open_sbert(c.sbert_model_path, c.sbert_vocab_path);
    if (!sbert.ok()) return fail("sbert: " + sbert.error());
    encoder_ = std::move(sbert.value());
  } else {
    std::string path = c.word_vectors_path;
    const char* env = std::getenv("LATENTJAM_WORD_VECTORS");
    if (path.empty() && env && *env) {
      // Named by the environment: that file or none (never silently another copy).
      if (std::filesystem::exists(env)) path = env;
    } else if (path.empty()) {
      for (const auto& candidate : word_vector_candidates())
        if (std::filesystem::exists(candidate)) {
          path = candidate;
          break;
        }
    }
    if (path.empty()) {
      // Still playable: prompts then match only words used as labels. Say so loudly: in the log,
      // to every client that subscribes, in /jam/status and in every prompt's /done.
      const std::string why = env && *env
                                  ? "no word vectors at LATENTJAM_WORD_VECTORS=" + std::string(env)
                                  : std::string("no word vectors found");
      encoder_warning_ = why +
                         " (run tools/fetch_vectors.sh, or set --word-vectors): prompts use "
                         "the hashing encoder, which knows no synonyms; only label words work";
      log::warn(encoder_warning_);
      encoder_ = mappings::make_hashing_encoder(100);
    } else {
      auto vectors = mappings::open_word_vectors(path);
      if (!vectors.ok()) return fail("word vectors " + path + ": " + vectors.error());
      encoder_ = std::move(vectors.value());
    }
  }
  log::info("text encoder: ", encoder_->name(), " (", encoder_->dim(), " dimensions)");
  return Ok{};
}

const std::vector<float>& Conductor::embed(const std::string& text) {
  auto it = embeddings_.find(text);
  if (it == embeddings_.end()) it = embeddings_.emplace(text, encoder_->embed(text)).first;
  return it->second;
}

Result<mappings::PcaBasis> Conductor::fit_sliders(const models::Decoder& decoder) {
  std::vector<std::vector<float>> samples;
  const std::size_t n = decoder.info().prefers_batches ? 256 : kPcaSamples;
  samples.reserve(n);
  for (std::size_t i = 0; i < n; ++i) samples.push_back(decoder.sample_prior(1000003 + i));
  return mappings::PcaBasis::fit(samples);
}

void Conductor::set_sliders(VoiceState& voice, Result<mappings::PcaBasis> basis) {
  if (basis.ok())
    voice.pca = std::move(basis.value());
  else
    log::warn("sliders for ", voice.name, ": ", basis.error());
}

std::vector<mappings::Example> Conductor::usable_examples(const VoiceState& voice) {
  std::vector<mappings::Example> examples = store_->examples(voice.name);
  const std::size_t latent_size = voice.decoder->info().latent_size;
  std::vector<mappings::Example> usable;
  for (auto& e : examples) {
    // Examples made with another decoder (another latent size) cannot train this one.
    if (e.latent.size() != latent_size) continue;
    // Embeddings always come from the encoder in use, so changing encoders (even between two of
    // the same size) keeps the examples meaningful.
    e.embedding = embed(e.text);
    usable.push_back(std::move(e));
  }
  return usable;
}

mappings::MappingOptions Conductor::mapping_options() const {
  const Config& c = parts_.config;
  mappings::MappingOptions options;
  options.kind =
      c.mapping_kind == "mlp" ? mappings::MappingKind::Mlp : mappings::MappingKind::Kernel;
  options.temperature = static_cast<float>(c.mapping_temperature);
  options.mlp.hidden = static_cast<std::size_t>(c.mlp_hidden);
  return options;
}

void Conductor::retrain(VoiceState& voice) {
  ++voice.generation;
  TrainingRequest request;
  request.voice = voice.index;
  request.generation = voice.generation;
  for (auto& e : usable_examples(voice))
    request.examples.push_back({std::move(e.embedding), std::move(e.latent)});
  if (request.examples.empty()) {
    voice.mapping.reset();
    voice.trained_generation = voice.generation;
    voice.training_error.clear();
    push({"/jam/trained", {voice.name, std::int32_t{0}, 0.0f}});
    return;
  }
  // Commands that need this voice's mapping now wait (staged) until this training is published.
  // The mapping is a pure function of the examples, so nothing of the old one is carried over.
  request.options = mapping_options();
  trainer_->train(std::move(request));
}

void Conductor::retrain_all() {
  for (auto& v : voices_) retrain(v);
}

void Conductor::on_trained(TrainingResult&& result) {
  VoiceState& voice = voices_.at(static_cast<std::size_t>(result.voice));
  if (result.generation != voice.generation) return;  // a newer edit is already training
  voice.trained_generation = result.generation;
  if (!result.mapping.ok()) {
    // Commands waiting for this mapping fail with the reason rather than use a stale one.
    voice.mapping.reset();
    voice.training_error = result.mapping.error();
    log::warn("training ", voice.name, " failed: ", result.mapping.error());
    push({"/jam/warning", {"training " + voice.name + " failed: " + result.mapping.error()}});
    return;
  }
  voice.training_error.clear();
  voice.mapping = result.mapping.value();
  log::debug("trained ", voice.name, " on ", result.examples, " examples in ", result.milliseconds,
             " ms (", mappings::mapping_kind_name(voice.mapping->kind()), ")");
  push({"/jam/trained",
        {voice.name, static_cast<std::int32_t>(result.examples),
         static_cast<float>(result.milliseconds)}});
}

Result<const mappings::Mapping*> Conductor::mapping_for(const VoiceState& voice) const {
  // Callers stage themselves with wait_for_mapping() until mapping_ready(); here the mapping
  // includes every acknowledged edit.
  if (!voice.training_error.empty())
    return fail("training " + voice.name + " failed: " + voice.training_error);
  if (!voice.mapping || voice.mapping->latent_dim() != voice.decoder->info().latent_size)
    return fail("voice " + voice.name + " has no examples yet: label a sound first (/jam/label)");
  return voice.mapping.get();
}

void Conductor::push_examples(const VoiceState& voice) {
  if (voice.index == focus_) refresh_widgets();  // the count and the rows
  if (subscribers_.empty()) return;
  Reply r{"/jam/examples.reply", {voice.name}};
  for (const auto& e : store_->examples(voice.name)) {
    r.args.emplace_back(static_cast<std::int32_t>(e.id));
    r.args.emplace_back(e.text);
  }
  // Past one reply's size only the count and row widgets follow (a client pages /jam/examples).
  if (control::encoded_size(r) <= control::kMaxReplyBytes) push(r);
}

Result<std::uint64_t> Conductor::run_prompt(VoiceState& voice, const std::string& text) {
  auto parsed = mappings::parse_prompt(text);
  if (!parsed.ok()) return fail(parsed.error());
  auto mapping = mapping_for(voice);
  if (!mapping.ok()) return fail(mapping.error());
  const std::vector<float>* current = voice.sound_id ? &voice.latent : nullptr;
  auto latent = mappings::resolve_prompt(parsed.value(), *encoder_, *mapping.value(),
                                         mapping.value()->centre(), current);
  if (!latent.ok()) return fail(latent.error());
  std::uint64_t id = render(voice, std::move(latent.value()));
  reset_sliders(voice);
  voice.prompt_text = text;
  if (voice.index == focus_) refresh_widgets();
  return id;
}

Conductor::Outcome Conductor::on_label(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  VoiceState& v = **voice;
  if (v.sound_id == 0)
    return fail("voice " + v.name + " has no sound to label yet: /jam/random first");
  const std::string text = cmd.text("text");
  std::vector<float> embedding = embed(text);
  if (is_zero(embedding)) return fail("the label has no words in it");
  auto id = store_->add(v.name, text, std::move(embedding), v.latent);
  if (!id.ok()) return fail("the example was not saved: " + id.error());
  v.label_text = text;
  retrain(v);
  push_examples(v);
  return done(cmd, {static_cast<std::int32_t>(id.value())});
}

std::vector<control::ReplyArg> Conductor::answer_with_reading(std::uint64_t sound_id,
                                                              const std::string& text) {
  std::vector<control::ReplyArg> args{static_cast<std::int32_t>(sound_id)};
  if (!encoder_warning_.empty()) args.emplace_back(encoder_warning_);
  const mappings::PromptReading reading = mappings::read_prompt(text, *encoder_);
  for (auto& note : mappings::reading_notes(reading)) args.emplace_back(std::move(note));
  // Other surfaces (a tablet showing warnings) hear it too, in one line; not for the hashing
  // encoder, where every word is unknown by design (its fallback is announced on subscribe).
  if (const std::string summary = mappings::reading_summary(reading);
      !summary.empty() && reading.encoder != mappings::PromptReading::Encoder::Hashing)
    push({"/jam/warning", {"prompt \"" + text.substr(0, 64) + "\": " + summary}});
  return args;
}

Conductor::Outcome Conductor::on_prompt(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  if (!mapping_ready(**voice)) return wait_for_mapping(**voice);
  auto id = run_prompt(**voice, cmd.text("text"));
  if (!id.ok()) return fail(id.error());
  return done(cmd, answer_with_reading(id.value(), cmd.text("text")));
}

Conductor::Outcome Conductor::on_examples(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  const std::string& name = (*voice)->name;
  const auto all = store_->examples(name);
  const auto first = static_cast<std::size_t>(cmd.integer("first", 1));
  if (first > std::max<std::size_t>(all.size(), 1))
    return fail("voice " + name + " has " + std::to_string(all.size()) + " examples; first is " +
                std::to_string(first));
  const std::size_t end =
      std::min(all.size(), first - 1 + static_cast<std::size_t>(cmd.integer("count", 2147483647)));
  Reply r{"/jam/examples.reply", {name}};
  for (std::size_t i = first - 1; i < end; ++i) {
    r.args.emplace_back(static_cast<std::int32_t>(all[i].id));
    r.args.emplace_back(all[i].text);
  }
  if (const std::size_t size = control::encoded_size(r); size > control::kMaxReplyBytes)
    return fail("the " + std::to_string(end - (first - 1)) + " examples asked for take " +
                std::to_string(size) + " bytes, more than one reply holds (" +
                std::to_string(control::kMaxReplyBytes) +
                "); ask for them in parts: " + "/jam/examples s:VOICE i:FIRST i:COUNT");
  return r;
}

Conductor::Outcome Conductor::on_example_delete(const Command& cmd) {
  const std::int64_t id = cmd.integer("id");
  auto found = store_->find(id);
  if (!found) return fail("no example with id " + std::to_string(id));
  if (Status s = store_->remove(id); !s.ok()) return fail("not deleted: " + s.error());
  if (int i = voice_index(found->voice); i >= 0) {
    retrain(voices_[static_cast<std::size_t>(i)]);
    push_examples(voices_[static_cast<std::size_t>(i)]);
  }
  return done(cmd, {static_cast<std::int32_t>(id)});
}

Conductor::Outcome Conductor::on_example_relabel(const Command& cmd) {
  const std::int64_t id = cmd.integer("id");
  auto found = store_->find(id);
  if (!found) return fail("no example with id " + std::to_string(id));
  std::vector<float> embedding = embed(cmd.text("text"));
  if (is_zero(embedding)) return fail("the label has no words in it");
  if (Status s = store_->relabel(id, cmd.text("text"), std::move(embedding)); !s.ok())
    return fail("not relabelled: " + s.error());
  if (int i = voice_index(found->voice); i >= 0) {
    retrain(voices_[static_cast<std::size_t>(i)]);
    push_examples(voices_[static_cast<std::size_t>(i)]);
  }
  return done(cmd, {static_cast<std::int32_t>(id)});
}

Conductor::Outcome Conductor::on_example_select(const Command& cmd) {
  const std::int64_t id = cmd.integer("id");
  auto found = store_->find(id);
  if (!found) return fail("no example with id " + std::to_string(id));
  int i = voice_index(found->voice);
  if (i < 0)
    return fail("example " + std::to_string(id) + " belongs to voice " + found->voice +
                ", which this configuration does not have");
  VoiceState& v = voices_[static_cast<std::size_t>(i)];
  if (found->example.latent.size() != v.decoder->info().latent_size)
    return fail("example " + std::to_string(id) + " was made with another model of " + v.name);
  set_focus(i);
  std::uint64_t sound = render(v, found->example.latent);
  reset_sliders(v);
  v.label_text = found->example.text;  // the selected sound is the labelled one
  refresh_widgets();                   // the sender moved no focus widget: its own follows too
  return done(cmd, {static_cast<std::int32_t>(sound)});
}

Conductor::Outcome Conductor::on_undo(const Command& cmd) {
  auto undone = store_->undo();
  if (!undone.ok()) return fail(undone.error());
  const auto& u = undone.value();
  const char* what = u.kind == mappings::UndoneEdit::Kind::Add      ? "label"
                     : u.kind == mappings::UndoneEdit::Kind::Remove ? "delete"
                                                                    : "relabel";
  if (int i = voice_index(u.voice); i >= 0) {
    retrain(voices_[static_cast<std::size_t>(i)]);
    push_examples(voices_[static_cast<std::size_t>(i)]);
  }
  return done(cmd, {std::string("undid ") + what + " of example " + std::to_string(u.id) + " (" +
                    u.voice + ")"});
}

Conductor::Outcome Conductor::on_words(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  // Words not used yet by this voice's labels that the encoder knows well, most contrasting first.
  std::vector<std::string> used;
  std::vector<std::vector<float>> embeddings;
  for (const auto& e : store_->examples((*voice)->name)) {
    used.push_back(e.text);
    embeddings.push_back(embed(e.text));
  }
  Reply r{"/jam/words.reply", {(*voice)->name}};
  for (auto& w : mappings::suggest_labels((*voice)->name, used, embeddings, *encoder_))
    r.args.emplace_back(std::move(w));
  return r;
}

Conductor::Outcome Conductor::on_save(const Command& cmd) {
  if (Status s = store_->save_as(cmd.text("name")); !s.ok()) return fail(s.error());
  return done(cmd, {cmd.text("name")});
}

Conductor::Outcome Conductor::on_load(const Command& cmd) {
  if (Status s = store_->load(cmd.text("name")); !s.ok()) return fail(s.error());
  retrain_all();  // prompts after this /done wait for the loaded examples' mappings
  for (const auto& v : voices_) push_examples(v);
  return done(cmd, {cmd.text("name")});
}

Conductor::Outcome Conductor::on_evaluate(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  VoiceState& v = **voice;
  auto examples = usable_examples(v);
  if (examples.size() < 2)
    return fail("voice " + v.name + " needs at least 2 examples to evaluate");
  EvaluationRequest request;
  request.voice = v.index;
  request.examples = std::move(examples);
  request.options = mapping_options();
  // The answer comes from the training worker; it is sent from the conductor thread.
  request.done = [this, to = cmd.reply, name = v.name](
                     Result<std::vector<mappings::ExampleError>> errors,
                     std::vector<mappings::Conflict> conflicts) {
    auto shared = std::make_shared<std::pair<decltype(errors), decltype(conflicts)>>(
        std::move(errors), std::move(conflicts));
    call_soon([this, to, name, shared] {
      if (!shared->first.ok()) {
        reply(to, {"/fail", {std::string("/jam/evaluate"), shared->first.error()}});
        return;
      }
      Reply r{"/jam/evaluate.reply", {name}};
      for (const auto& e : shared->first.value()) {
        r.args.emplace_back(static_cast<std::int32_t>(e.id));
        r.args.emplace_back(e.error);
      }
      reply(to, r);
      for (const auto& c : shared->second) reply(to, {"/jam/warning", {c.message}});
    });
  };
  if (!trainer_->evaluate(std::move(request)))
    return fail("too many evaluations waiting (" +
                std::to_string(TrainingWorker::kMaxWaitingEvaluations) +
                "); try again when one is done");
  return done(cmd, {v.name});
}

void Conductor::load_slots() {
  std::ifstream in(parts_.config.session_dir + "/slots.tsv");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string number, voice, prompt;
    if (std::getline(fields, number, '\t') && std::getline(fields, voice, '\t') &&
        std::getline(fields, prompt)) {
      int n = std::atoi(number.c_str());
      if (n >= 1 && n <= 128) slots_[n] = {prompt, voice};
    }
  }
}

Status Conductor::save_slots() const {
  // Written whole to a temporary file and renamed: a crash leaves the old or the new slots.
  const std::string path = parts_.config.session_dir + "/slots.tsv";
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& [n, slot] : slots_)
      out << n << '\t' << slot.voice << '\t' << slot.prompt << '\n';
    if (!out.flush()) return fail("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail("cannot write " + path + ": " + ec.message());
  return Ok{};
}

Conductor::Outcome Conductor::on_slot_store(const Command& cmd) {
  const std::string prompt = cmd.text("prompt");
  if (prompt.find('\n') != std::string::npos || prompt.find('\t') != std::string::npos)
    return fail("a slot prompt is one line without tabs");
  auto parsed = mappings::parse_prompt(prompt);
  if (!parsed.ok()) return fail(parsed.error());
  // A slot remembers the voice focused when it was stored: a pad recalls "that loop, boomy".
  slots_[cmd.integer("slot")] = {prompt, voices_[static_cast<std::size_t>(focus_)].name};
  if (Status s = save_slots(); !s.ok()) return fail(s.error());
  return done(cmd, {cmd.integer("slot")});
}

Conductor::Outcome Conductor::on_slot_recall(const Command& cmd) {
  auto it = slots_.find(cmd.integer("slot"));
  if (it == slots_.end())
    return fail("slot " + std::to_string(cmd.integer("slot")) + " is empty (/jam/slot/store)");
  int i = voice_index(it->second.voice);
  VoiceState& v = voices_[static_cast<std::size_t>(i < 0 ? focus_ : i)];
  if (!mapping_ready(v)) return wait_for_mapping(v);
  auto id = run_prompt(v, it->second.prompt);
  if (!id.ok()) return fail(id.error());
  return done(cmd, answer_with_reading(id.value(), it->second.prompt));
}

Conductor::Outcome Conductor::on_midi_learn(const Command& cmd) {
  if (!parts_.midi) return fail("MIDI input is off (start with --midi PORT or set [midi] port)");
  if (Status s = parts_.midi->learn(cmd.text("target")); !s.ok()) return fail(s.error());
  return done(cmd, {cmd.text("target")});
}

}  // namespace latentjam::engine
