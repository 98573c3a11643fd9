// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reading the knowledge base: the copy compiled in at build time, or a folder of TOML files
// (`--kb DIR`). Loading fails (kMalformed, naming file and row) only when the data cannot be
// read at all; lint() reports everything else a maintainer should fix.

#include <string>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/kb/knowledge_base.h"

namespace tfgpu::kb {

// One TOML document: its file name ("tensorflow.toml") and text.
struct KbFile {
  std::string name;
  std::string text;
};

struct LintProblem {
  std::string where;  // "tensorflow.toml: release[3]"
  std::string problem;
};

// Parse the files into a KnowledgeBase. Problems that leave a row unusable (a version that does
// not parse, a missing key) are appended to `problems` and the row is skipped; a TOML syntax
// error is an Error.
Result<KnowledgeBase> parse_files(const std::vector<KbFile>& files, std::string origin,
                                  std::vector<LintProblem>* problems = nullptr);

// The KB compiled into the binary: tfgpu_kb_compile parsed and linted data/kb/ at build time and
// generated C++ that builds the rows directly, so no TOML is parsed at run time. Origin
// "embedded". Both are defined in the generated kb_compiled.cc, in the tfgpu_kb_data library:
// link it where the embedded KB is needed (tfgpu_kb itself stays free of it, so the generator
// can link tfgpu_kb). load_embedded() never fails; its Result matches load_directory().
KnowledgeBase compiled_kb();
Result<KnowledgeBase> load_embedded();

// sources.toml, tensorflow.toml, cuda.toml, gpus.toml, cudnn.toml, signatures.toml from `dir`;
// missing files and unreadable ones are errors naming the path.
Result<std::vector<KbFile>> read_directory(const std::string& dir);

// read_directory + parse_files; a row problem is an error too (the first, and how many more).
Result<KnowledgeBase> load_directory(const std::string& dir);

// Cross-row and cross-table problems: overlaps, duplicates, dangling references, unknown sources.
std::vector<LintProblem> lint(const KnowledgeBase& kb);

}  // namespace tfgpu::kb
