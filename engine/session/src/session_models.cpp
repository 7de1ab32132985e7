#include "latentjam/engine/session_models.hpp"

#include <fstream>

#include "latentjam/base/durable_file.hpp"

namespace latentjam::engine {

namespace {
constexpr const char* kFile = "/models.tsv";
}

std::map<std::string, std::string> read_session_models(const std::string& session_dir,
                                                       std::vector<std::string>& warnings) {
  std::map<std::string, std::string> out;
  std::ifstream in(session_dir + kFile);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const auto tab = line.find('\t');
    if (tab == std::string::npos || tab == 0 || tab + 1 == line.size()) {
      warnings.push_back(session_dir + kFile + " line " + std::to_string(number) +
                         " is not \"voice<TAB>model\"; skipped");
      continue;
    }
    out[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return out;
}

Status write_session_models(const std::string& session_dir,
                            const std::map<std::string, std::string>& models) {
  std::string text;
  for (const auto& [voice, model] : models) text += voice + '\t' + model + '\n';
  return base::write_file_durably(session_dir + kFile, text);
}

}  // namespace latentjam::engine
