// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/install/target_dir.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/model/install_json.h"

namespace tfgpu::install {
namespace {

namespace fs = std::filesystem;

// A record larger than this is not one tfgpu wrote.
constexpr std::uintmax_t kMaxRecordBytes = 1 << 20;

Result<std::string> read_small_file(const fs::path& path, std::uintmax_t limit) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) {
    return make_error(Errc::kIo, fmt::format("{}: {}", path.string(), ec.message()));
  }
  if (size > limit) {
    return make_error(Errc::kMalformed,
                      fmt::format("{}: {} bytes, more than a record holds", path.string(), size));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(Errc::kIo, fmt::format("{}: {}", path.string(), std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string record_path(const std::string& venv) {
  return (fs::path(venv) / model::kInstallRecordFile).string();
}

std::string pyvenv_python_version(std::string_view pyvenv_cfg) {
  std::string version_info;
  for (auto line : split(pyvenv_cfg, '\n')) {
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) {
      continue;
    }
    const auto key = trim(line.substr(0, equals));
    const auto value = std::string(trim(line.substr(equals + 1)));
    if (key == "version") {
      return value;
    }
    if (key == "version_info") {
      // "3.8.10.final.0": the first three parts.
      const auto parts = split(value, '.');
      version_info =
          parts.size() >= 3 ? fmt::format("{}.{}.{}", parts[0], parts[1], parts[2]) : value;
    }
  }
  return version_info;
}

Result<TargetDir> inspect_target(const std::string& path) {
  TargetDir target;
  target.path = path;
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return make_error(Errc::kIo, fmt::format("--venv {}: {}", path, ec.message()));
  }
  if (!fs::exists(status)) {
    target.kind = TargetKind::kMissing;
    return target;
  }
  if (!fs::is_directory(status)) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("--venv {}: exists and is not a directory", path));
  }
  fs::directory_iterator entries(path, ec);
  if (ec) {
    return make_error(Errc::kIo, fmt::format("--venv {}: cannot read it: {}", path, ec.message()));
  }
  target.kind = entries == fs::directory_iterator() ? TargetKind::kEmpty : TargetKind::kOther;

  const fs::path cfg = fs::path(path) / "pyvenv.cfg";
  if (fs::exists(cfg, ec)) {
    auto text = read_small_file(cfg, kMaxRecordBytes);
    if (!text) {
      return tl::unexpected(text.error());
    }
    target.kind = TargetKind::kVenv;
    target.venv_python_version = pyvenv_python_version(*text);
  }

  const fs::path record_file = record_path(path);
  if (fs::exists(fs::symlink_status(record_file, ec))) {
    auto text = read_small_file(record_file, kMaxRecordBytes);
    if (!text) {
      return tl::unexpected(text.error());
    }
    const auto document = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) {
      return make_error(Errc::kMalformed,
                        fmt::format("{}: not JSON (the record of an earlier tfgpu install; remove "
                                    "it, or the whole venv, to start over)",
                                    record_file.string()));
    }
    auto record = model::install_record_from_json(document);
    if (!record) {
      return make_error(Errc::kMalformed,
                        fmt::format("{}: not an install record: {} (remove it, or the whole venv, "
                                    "to start over)",
                                    record_file.string(), record.error().message));
    }
    target.record = std::move(*record);
  }
  return target;
}

Result<void> save_record(const std::string& venv, const model::InstallRecord& record) {
  const std::string final_path = record_path(venv);
  const std::string temporary = final_path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) {
      return make_error(Errc::kIo,
                        fmt::format("cannot write {}: {}", temporary, std::strerror(errno)));
    }
    out << model::install_record_to_json(record).dump(2) << "\n";
    out.flush();
    if (!out) {
      return make_error(Errc::kIo, fmt::format("cannot write {}", temporary));
    }
  }
  if (std::rename(temporary.c_str(), final_path.c_str()) != 0) {
    return make_error(Errc::kIo, fmt::format("cannot rename {} to {}: {}", temporary, final_path,
                                             std::strerror(errno)));
  }
  return {};
}

}  // namespace tfgpu::install
