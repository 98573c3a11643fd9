// SPDX-License-Identifier: Apache-2.0
// The KB compiled at build time (tfgpu_kb_compile → kb_compiled.cc, tfgpu_kb_data) must be exactly
// the KB that parsing the same TOML gives, and the generator must stop the build on bad data.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "kb_fixture.h"
#include "temp_tree.h"
#include "tfgpu/kb/load.h"

namespace tfgpu::kb {

// Generated at build time by tfgpu_kb_compile from tests/fixtures/kb_escapes
// (tests/CMakeLists.txt).
KnowledgeBase escapes_kb();

namespace {

using testing::describe;
using testing::valid_files;
using testing::with_appended;

// --- every field as text: Version's == is numeric ("12.5" == "12.5.0") and a KB row should come
// back spelled as written, so rows are compared as renderings; a failure then shows the row ---

std::string show(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

std::string show(const Version& version) {
  return "v" + show(version.text());
}

std::string show(const std::optional<Version>& version) {
  return version ? show(*version) : "none";
}

std::string show(const VersionRange& range) {
  return "[" + show(range.first) + ", " + show(range.last) + "]";
}

template <class T, class Show>
std::string show_list(const std::vector<T>& values, Show show_one) {
  std::string text = "{";
  for (const T& value : values) {
    text += show_one(value) + ";";
  }
  return text + "}";
}

std::string show(const std::vector<std::string>& values) {
  return show_list(values, [](const std::string& value) { return show(value); });
}

std::string show(const std::vector<Version>& values) {
  return show_list(values, [](const Version& value) { return show(value); });
}

std::string show(const std::map<std::string, std::string>& values) {
  std::string text = "{";
  for (const auto& [key, value] : values) {
    text += show(key) + "=" + show(value) + ";";
  }
  return text + "}";
}

std::string show(const Provenance& p) {
  return "provenance(" + show(p.table) + ", " + show(p.key) + ", " + confidence_name(p.confidence) +
         ", " + show(p.sources) + ", " + show(p.urls) + ", " + show(p.note) + ")";
}

std::string show(const Source& row) {
  return show(row.id) + " " + show(row.title) + " " + show(row.url);
}

std::string show(const TensorflowRelease& row) {
  return show(row.line) + " " + show(row.first_version) + " " + show(row.python) + " " +
         show(row.cuda) + " " + show(row.cudnn) + " " + show(row.gpu_platforms) + " " +
         show(row.provenance);
}

std::string show(const WheelBuild& row) {
  return show(row.lines) + " " + show(row.compute_capabilities) + " " + show(row.provenance);
}

std::string show(const AndCudaExtra& row) {
  return show(row.line) + " " + show(row.requirements) + " " + show(row.loader_runpath_wheels) +
         " " + show(row.provenance);
}

std::string show(const AndCudaRoute& row) {
  return show(row.lines) + " " + show(row.pin) + " " + (row.link_libraries ? "libs" : "-") + " " +
         (row.link_ptxas ? "ptxas" : "-") + " " + (row.python ? show(*row.python) : "none") + " " +
         show(row.provenance);
}

std::string show(const DriverBranchEnd& row) {
  return show(row.compute_capability) + " " + show(row.architecture) + " " + show(row.last_branch) +
         " " + show(row.provenance);
}

std::string show(const DistributionSupport& row) {
  return show(row.name) + " " + show(row.versions) + " " + (row.cuda ? "cuda" : "cpu") + " " +
         show(row.provenance);
}

std::string show(const ContainerImage& row) {
  return show(row.image) + " " + show(row.tensorflow) + " " + show(row.cuda) + " " +
         show(row.cudnn) + " " + show(row.provenance);
}

std::string show(const GpuPeak& row) {
  return show(row.device_name) + " " + show(row.model) + " " + std::to_string(row.fp32_tflops) +
         " " + std::to_string(row.tf32_tflops) + " " + std::to_string(row.fp16_tflops) + " " +
         std::to_string(row.bf16_tflops) + " " + std::to_string(row.memory_bandwidth_gbs) + " " +
         show(row.provenance);
}

std::string show(double value);

std::string show(const PcieGeneration& row) {
  return std::to_string(row.generation) + " " + show(row.transfer_rate_gts) + " " +
         show(row.encoding) + " " + show(row.payload_efficiency) + " " + show(row.provenance);
}

std::string show(const SonameSet& row) {
  return show(row.lines) + " " + std::to_string(row.cuda_major) + " " + show(row.libraries) + " " +
         show(row.provenance);
}

std::string show(const Statement& row) {
  return show(row.id) + " " + show(row.text) + " " + show(row.provenance);
}

std::string show(const DriverMinimum& row) {
  return show(row.cuda) + " " + show(row.release) + " " + show(row.linux_driver) + " " +
         show(row.windows_driver) + " " + show(row.provenance);
}

std::string show(const MinorVersionCompat& row) {
  return std::to_string(row.cuda_major) + " " + show(row.linux_driver) + " " +
         show(row.windows_driver) + " " + show(row.below) + " " + show(row.provenance);
}

std::string show(const ArchSupport& row) {
  return show(row.cuda) + " " + show(row.compute_capabilities) + " " + show(row.provenance);
}

std::string show(const GpuModel& row) {
  return show(row.name) + " " + show(row.segment) + " " + show(row.compute_capability) + " " +
         show(row.alternatives) + " " + show(row.architecture) + " " + show(row.provenance);
}

std::string show(const PciDevice& row) {
  return show(row.vendor) + " " + show(row.device) + " " + show(row.name) + " " +
         show(row.provenance);
}

std::string show(const CudnnRelease& row) {
  return show(row.versions) + " " + show(row.soname) + " " + show(row.compute_capability) + " " +
         show_list(row.builds,
                   [](const CudnnBuild& build) {
                     return show(build.cuda) + " " + show(build.linux_driver) + " " +
                            show(build.windows_driver);
                   }) +
         " " + show(row.provenance);
}

// The shortest text that reads back as the same double: any change of the weight shows.
std::string show(double value) {
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

std::string show(const Cause& row) {
  return show(row.id) + " " + cause_kind_name(row.kind) + " " + show(row.summary) + " " +
         show(row.fix) + " " + show(row.provenance);
}

std::string show(const Signature& row) {
  return show(row.id) + " " + show(row.cause) + " " + show(row.pattern) + " " + show(row.weight) +
         " " + show(row.captures) + " " + show(row.provenance);
}

template <class Row>
void expect_same_rows(std::string_view table, const std::vector<Row>& compiled,
                      const std::vector<Row>& parsed) {
  ASSERT_EQ(compiled.size(), parsed.size()) << table;
  for (std::size_t i = 0; i < compiled.size(); ++i) {
    EXPECT_EQ(show(compiled[i]), show(parsed[i])) << table << "[" << i << "]";
  }
}

// Every table, every row, every field; the origin differs by design ("embedded" vs the folder).
void expect_same_kb(const KnowledgeBase& compiled, const KnowledgeBase& parsed) {
  EXPECT_EQ(compiled.origin, "embedded");
  expect_same_rows("source", compiled.sources, parsed.sources);
  expect_same_rows("release", compiled.releases, parsed.releases);
  expect_same_rows("wheel_build", compiled.wheel_builds, parsed.wheel_builds);
  expect_same_rows("and_cuda", compiled.and_cuda, parsed.and_cuda);
  expect_same_rows("and_cuda_route", compiled.and_cuda_routes, parsed.and_cuda_routes);
  expect_same_rows("sonames", compiled.sonames, parsed.sonames);
  expect_same_rows("statement", compiled.statements, parsed.statements);
  expect_same_rows("distribution", compiled.distributions, parsed.distributions);
  expect_same_rows("container_image", compiled.container_images, parsed.container_images);
  EXPECT_EQ(show(compiled.nightly_rule), show(parsed.nightly_rule));
  expect_same_rows("driver_minimum", compiled.driver_minimums, parsed.driver_minimums);
  expect_same_rows("minor_version_compat", compiled.minor_version_compat,
                   parsed.minor_version_compat);
  expect_same_rows("arch_support", compiled.arch_support, parsed.arch_support);
  expect_same_rows("gpu", compiled.gpus, parsed.gpus);
  expect_same_rows("pci_device", compiled.pci_devices, parsed.pci_devices);
  expect_same_rows("peak", compiled.peaks, parsed.peaks);
  expect_same_rows("pcie_generation", compiled.pcie_generations, parsed.pcie_generations);
  expect_same_rows("driver_branch_end", compiled.driver_branch_ends, parsed.driver_branch_ends);
  expect_same_rows("cudnn", compiled.cudnn, parsed.cudnn);
  expect_same_rows("cause", compiled.causes, parsed.causes);
  expect_same_rows("signature", compiled.signatures, parsed.signatures);
}

KnowledgeBase parse_folder(const std::string& dir) {
  auto files = read_directory(dir);
  EXPECT_TRUE(files) << files.error().message;
  if (!files) {
    return {};
  }
  std::vector<LintProblem> problems;
  auto kb = parse_files(*files, dir, &problems);
  EXPECT_TRUE(kb) << kb.error().message;
  EXPECT_TRUE(problems.empty()) << describe(problems);
  return kb ? *kb : KnowledgeBase{};
}

TEST(CompiledKb, EqualsTheDataFolderParsedNow) {
  const KnowledgeBase parsed = parse_folder(TFGPU_SOURCE_DIR "/data/kb");
  ASSERT_FALSE(parsed.gpus.empty());
  ASSERT_FALSE(parsed.signatures.empty());
  expect_same_kb(compiled_kb(), parsed);
  auto loaded = load_embedded();
  ASSERT_TRUE(loaded) << loaded.error().message;
  expect_same_kb(*loaded, parsed);
}

TEST(CompiledKb, KeepsEveryByteAStringLiteralMustEscape) {
  const KnowledgeBase compiled = escapes_kb();
  expect_same_kb(compiled, parse_folder(TFGPU_SOURCE_DIR "/tests/fixtures/kb_escapes"));
  // The fixture still holds what it is for (so this test cannot pass by losing it).
  ASSERT_EQ(compiled.sources.size(), 2U);
  EXPECT_NE(compiled.sources[1].title.find("\"Toolkit\""), std::string::npos);
  EXPECT_NE(compiled.sources[1].title.find("C:\\Program Files\\"), std::string::npos);
  EXPECT_NE(compiled.sources[1].title.find("?\?/ ?\?( ?\?! ?\?? end?"), std::string::npos);
  ASSERT_EQ(compiled.statements.size(), 1U);
  const std::string& text = compiled.statements[0].text;
  EXPECT_NE(text.find("macOS.\n\tA tab, a CR \r, a bell \a, DEL \x7f"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string("NUL \0 then 7, NUL\0"
                                  "7 and SOH\001"
                                  "42 (a byte then digits)",
                                  51)),
            std::string::npos)
      << text;
  EXPECT_NE(compiled.nightly_rule.find("(\\d+ \"raw\" ?\?-)"), std::string::npos);
  ASSERT_EQ(compiled.gpus.size(), 2U);
  EXPECT_NE(compiled.gpus[1].provenance.note.find("caf\xC3\xA9, GeForce\xE2\x84\xA2"),
            std::string::npos);
  EXPECT_NE(compiled.gpus[1].provenance.note.find("\xC3\xA9"
                                                  "1 (a byte then a digit)"),
            std::string::npos);
  ASSERT_FALSE(compiled.cudnn.empty());
  EXPECT_NE(compiled.cudnn[0].provenance.note.find("\\n stays two bytes, \"quotes\" too,\n"),
            std::string::npos);
  ASSERT_EQ(compiled.causes.size(), 1U);
  EXPECT_NE(compiled.causes[0].summary.find("can \"load\" it."), std::string::npos);
  EXPECT_NE(compiled.causes[0].fix.find("C:\\Program Files\\NVIDIA\\CUDNN\\bin"),
            std::string::npos);
  ASSERT_EQ(compiled.signatures.size(), 1U);
  const Signature& signature = compiled.signatures[0];
  EXPECT_EQ(
      signature.pattern,
      R"re((?i)Could not load dynamic library ["']?(libcudnn(?:\.so\.\d+|64_\d+\.dll))["']?; )re"
      R"re(dlerror: ([^\n]*?)(?:\(\?\?\(\))?$)re");
  EXPECT_EQ(signature.weight, 0.75);
  EXPECT_EQ(signature.captures, (std::vector<std::string>{"library", "dlerror"}));
  EXPECT_EQ(signature.provenance.note,
            R"(A literal string: \d and \. stay as written, "quotes" too.)");
}

// The comparison above can fail: a version spelled differently but numerically equal, or one
// resolved URL, is a difference.
TEST(CompiledKb, ComparisonSeesOneChangedField) {
  const KnowledgeBase parsed = parse_folder(TFGPU_SOURCE_DIR "/data/kb");
  ASSERT_FALSE(parsed.releases.empty());
  TensorflowRelease changed = parsed.releases[0];
  EXPECT_EQ(show(changed), show(parsed.releases[0]));
  changed.cuda = Version::parse(parsed.releases[0].cuda.text() + ".0").value();
  ASSERT_TRUE(changed.cuda == parsed.releases[0].cuda);
  EXPECT_NE(show(changed), show(parsed.releases[0]));
  changed = parsed.releases[0];
  changed.provenance.urls.back() += "/";
  EXPECT_NE(show(changed), show(parsed.releases[0]));
  ASSERT_FALSE(parsed.signatures.empty());
  Signature signature = parsed.signatures[0];
  signature.weight = std::nextafter(signature.weight, 0.0);
  EXPECT_NE(show(signature), show(parsed.signatures[0]));
}

// --- the generator: the build's check of data/kb ---

struct CompilerRun {
  int exit_code = -1;
  std::string err;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs tfgpu_kb_compile with `args` (paths without quotes), stderr captured.
CompilerRun run_compiler(const TempTree& tree, const std::string& args) {
  const std::string err = tree.host("/stderr.txt");
  const std::string command =
      std::string("'") + TFGPU_KB_COMPILE + "' " + args + " 2>'" + err + "' >/dev/null";
  const int status = std::system(command.c_str());
  CompilerRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = read_text(err);
  return run;
}

void write_kb(const TempTree& tree, const std::vector<KbFile>& files) {
  for (const KbFile& file : files) {
    tree.write("/kb/" + file.name, file.text);
  }
}

bool exists(const std::string& path) {
  struct stat info {};

  return ::stat(path.c_str(), &info) == 0;
}

TEST(KbCompile, ARowProblemFailsNamingFileAndRow) {
  TempTree tree;
  write_kb(tree, with_appended("tensorflow.toml", R"toml(
[[release]]
line = "2.22"
first_version = "2.22.0"
python = ["3.10", "3.13"]
cuda = "12.5 "
cudnn = "9.3"
gpu_platforms = ["linux"]
confidence = "confirmed"
sources = ["tf-build-configs"]
)toml"));
  const std::string out = tree.host("/out.cc");
  const CompilerRun run = run_compiler(tree, "'" + tree.host("/kb") + "' '" + out + "'");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(tree.host("/kb") + "/tensorflow.toml: release[2]: 'cuda' = \"12.5 \" is "
                                            "not a version"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("1 problem in the knowledge base"), std::string::npos) << run.err;
  EXPECT_FALSE(exists(out));
}

TEST(KbCompile, ALintProblemFailsNamingFileAndRow) {
  TempTree tree;
  write_kb(tree, with_appended("gpus.toml", R"toml(
[[gpu]]
name = "NVIDIA GeForce RTX 3060"
segment = "geforce"
compute_capability = "8.6"
architecture = "Ampere"
confidence = "confirmed"
sources = ["https://developer.nvidia.com/cuda-gpus"]
)toml"));
  const std::string out = tree.host("/out.cc");
  const CompilerRun run = run_compiler(tree, "'" + tree.host("/kb") + "' '" + out + "'");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("/kb/gpus.toml: gpu[2]: duplicate name"), std::string::npos) << run.err;
  EXPECT_FALSE(exists(out));
}

TEST(KbCompile, ASyntaxErrorAMissingFolderOrBadArgumentsFail) {
  TempTree tree;
  write_kb(tree, with_appended("cuda.toml", "\n[[driver_minimum]\n"));
  const std::string out = tree.host("/out.cc");
  CompilerRun run = run_compiler(tree, "'" + tree.host("/kb") + "' '" + out + "'");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("/kb/cuda.toml:"), std::string::npos) << run.err;

  run = run_compiler(tree, "'" + tree.host("/nowhere") + "' '" + out + "'");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(tree.host("/nowhere")), std::string::npos) << run.err;

  run = run_compiler(tree, "'" + tree.host("/kb") + "'");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("usage: tfgpu_kb_compile"), std::string::npos) << run.err;
  run = run_compiler(tree, "'" + tree.host("/kb") + "' '" + out + "' 'not an identifier'");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("usage: tfgpu_kb_compile"), std::string::npos) << run.err;
  EXPECT_FALSE(exists(out));
}

TEST(KbCompile, ValidDataWritesTheSourceOnceAndLeavesItAloneAfter) {
  TempTree tree;
  write_kb(tree, valid_files());
  const std::string out = tree.host("/out.cc");
  CompilerRun run = run_compiler(tree, "'" + tree.host("/kb") + "' '" + out + "'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  const std::string text = read_text(out);
  EXPECT_NE(text.find("KnowledgeBase compiled_kb() {"), std::string::npos);
  EXPECT_NE(text.find("Result<KnowledgeBase> load_embedded() {"), std::string::npos);
  EXPECT_NE(text.find("\"GeForce GTX 860M\"s"), std::string::npos);
  EXPECT_FALSE(exists(out + ".tmp"));

  // Same data: the file keeps its old timestamp, so nothing that depends on it rebuilds.
  const struct timespec old_times[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, out.c_str(), old_times, 0), 0);
  run = run_compiler(tree, "'" + tree.host("/kb") + "' '" + out + "'");
  ASSERT_EQ(run.exit_code, 0) << run.err;

  struct stat info {};

  ASSERT_EQ(::stat(out.c_str(), &info), 0);
  EXPECT_EQ(info.st_mtim.tv_sec, 1000000000);

  // Another function name (how the tests compile a second KB): no load_embedded() beside it.
  run = run_compiler(tree, "'" + tree.host("/kb") + "' '" + out + "' other_kb");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(read_text(out).find("KnowledgeBase other_kb() {"), std::string::npos);
  EXPECT_EQ(read_text(out).find("load_embedded"), std::string::npos);
}

}  // namespace
}  // namespace tfgpu::kb
