// The model each voice played last, kept in the session folder (models.tsv: "voice<TAB>model"
// lines), so a rig restarts with the models it was playing and the examples keep the latent space
// they were labelled in. Written by the conductor after every model change, read at start.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "latentjam/base/result.hpp"

namespace latentjam::engine {

// voice -> "builtin:NAME" or a model file. A missing file is an empty map; a line that is not
// "voice<TAB>model" is skipped with a warning in `warnings`.
std::map<std::string, std::string> read_session_models(const std::string& session_dir,
                                                       std::vector<std::string>& warnings);

// Replaces the file whole (temporary file, fsync, rename), so a crash leaves the old or new list.
Status write_session_models(const std::string& session_dir,
                            const std::map<std::string, std::string>& models);

}  // namespace latentjam::engine
