// SPDX-License-Identifier: Apache-2.0
// The knowledge base reader on hostile TOML: the input is tensorflow.toml, or, split at each
// "\n%%\n", tensorflow.toml, sources.toml, cuda.toml, gpus.toml, cudnn.toml and signatures.toml in
// that order, so cross-file paths (source ids resolved through sources.toml) and lint (RE2
// compiling each signature's pattern) run too.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/kb/load.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::array<const char*, 6> kNames = {
      "tensorflow.toml", "sources.toml", "cuda.toml", "gpus.toml", "cudnn.toml", "signatures.toml"};
  constexpr std::string_view kMarker = "\n%%\n";
  std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT
  std::vector<tfgpu::kb::KbFile> files;
  for (const char* name : kNames) {
    const std::size_t end = input.find(kMarker);
    files.push_back({name, std::string(input.substr(0, end))});
    if (end == std::string_view::npos) {
      break;
    }
    input.remove_prefix(end + kMarker.size());
  }
  std::vector<tfgpu::kb::LintProblem> problems;
  auto kb = tfgpu::kb::parse_files(files, "fuzz", &problems);
  if (kb) {
    problems = tfgpu::kb::lint(*kb);
  }
  return 0;
}
