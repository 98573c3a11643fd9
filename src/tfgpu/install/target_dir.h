// SPDX-License-Identifier: Apache-2.0
#pragma once
// The directory `tfgpu install --venv DIR` installs into, as found before acting: missing, empty,
// a virtual environment (pyvenv.cfg, with its Python version), or something else; and the record
// an earlier `tfgpu install` left there (DIR/.tfgpu-install.json), read and written here. The
// record is replaced atomically (a temporary file renamed over it), so a kill at any moment leaves
// the previous record or the new one, never half of one.

#include <optional>
#include <string>

#include "tfgpu/base/result.h"
#include "tfgpu/model/install.h"

namespace tfgpu::install {

enum class TargetKind { kMissing, kEmpty, kVenv, kOther };

struct TargetDir {
  std::string path;  // absolute
  TargetKind kind = TargetKind::kMissing;
  // From pyvenv.cfg's `version` (or `version_info`) line: "3.11.7"; empty when it has none.
  std::string venv_python_version;
  std::optional<model::InstallRecord> record;
};

// Reads DIR. Fails naming DIR and the problem when it is not a directory or cannot be read, and
// naming the record file when the record is unreadable or not a record (kMalformed): a broken
// record is never silently replaced, since it is the only mark of an unfinished install.
Result<TargetDir> inspect_target(const std::string& path);

std::string record_path(const std::string& venv);

// Writes the record (creating nothing but the file); fails naming the file.
Result<void> save_record(const std::string& venv, const model::InstallRecord& record);

// The `version = 3.11.7` (or `version_info = 3.11.7.final.0`) of a pyvenv.cfg's text; empty when
// neither is there.
std::string pyvenv_python_version(std::string_view pyvenv_cfg);

}  // namespace tfgpu::install
