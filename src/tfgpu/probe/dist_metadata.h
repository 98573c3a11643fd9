// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parser for a wheel's installed metadata: `<name>-<version>.dist-info/METADATA` (and the same
// format in `.egg-info/PKG-INFO`). The format is the Core Metadata spec
// (packaging.python.org/specifications/core-metadata): RFC 822 style "Key: value" headers,
// continuation lines start with whitespace, and the first blank line ends the headers (what
// follows is the long description, which we never read). Only the fields tfgpu needs are kept.
//
// Requires-Dist is PEP 508: `name [extras] specifier ; marker`. Setuptools has rendered the
// specifier both as `nvidia-cudnn-cu12 (==9.3.0.75) ; extra == "and-cuda"` (older) and as
// `nvidia-cudnn-cu12<10.0,>=9.3.0.75; extra == "and-cuda"` (TF 2.21's METADATA on this machine).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/base/result.h"

namespace tfgpu::probe {

struct Requirement {
  std::string name;       // normalised (PEP 503): "nvidia-cudnn-cu12"
  std::string specifier;  // without parentheses or spaces: "<10.0,>=9.3.0.75"; empty = any
  std::string marker;     // the environment marker as written: `extra == "and-cuda"`
  std::string extra;      // the extra the marker requires ("and-cuda"), normalised; or empty
};

struct DistMetadata {
  std::string name;             // as written in "Name:"
  std::string normalized_name;  // PEP 503
  std::string version;          // as written in "Version:"
  std::vector<std::string> provides_extra;
  std::vector<Requirement> requires_dist;
};

// PEP 503 normalisation: lower case, every run of '-', '_' and '.' becomes one '-'.
// "Nvidia_CUDNN.cu12" -> "nvidia-cudnn-cu12".
std::string normalize_project_name(std::string_view name);

// Parse the METADATA text `text` read from `source` (a path, used in error messages). Fails with
// kMalformed naming `source` when there is no Name or no Version header, or when a header line
// has no colon (a file that is not Core Metadata at all).
Result<DistMetadata> parse_dist_metadata(std::string_view text, std::string_view source);

// Parse one Requires-Dist value. Returns nullopt when it does not start with a project name.
std::optional<Requirement> parse_requirement(std::string_view text);

struct DistInfoName {
  std::string name;  // normalised
  std::string version;
};

// Split a metadata directory name: "nvidia_cudnn_cu12-9.3.0.75.dist-info" ->
// {"nvidia-cudnn-cu12", "9.3.0.75"}; also "<name>-<version>[-pyX.Y].egg-info". The fallback when
// METADATA is unreadable. Returns nullopt for other names.
std::optional<DistInfoName> parse_dist_info_name(std::string_view directory_name);

}  // namespace tfgpu::probe
