// SPDX-License-Identifier: Apache-2.0
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "kb_fixture.h"
#include "tfgpu/kb/load.h"

namespace tfgpu::kb {
namespace {

using testing::describe;
using testing::has_problem;
using testing::valid_files;
using testing::with_appended;

// Lint of the valid KB with `toml` appended to `file`. The appended rows must parse cleanly, so
// each problem below comes from lint(), not from the row reader.
std::vector<LintProblem> lint_with(std::string_view file, std::string_view toml) {
  std::vector<LintProblem> parse_problems;
  auto kb = parse_files(with_appended(file, toml), "test", &parse_problems);
  EXPECT_TRUE(kb) << kb.error().message;
  EXPECT_TRUE(parse_problems.empty()) << describe(parse_problems);
  return kb ? lint(*kb) : std::vector<LintProblem>{};
}

constexpr std::string_view kProvenance = R"toml(
confidence = "confirmed"
sources = ["tf-build-configs"]
)toml";

std::string row(std::string_view table, std::string_view keys) {
  return "\n[[" + std::string(table) + "]]\n" + std::string(keys) + std::string(kProvenance);
}

TEST(KbLint, ValidKbIsClean) {
  std::vector<LintProblem> parse_problems;
  auto kb = parse_files(valid_files(), "test", &parse_problems);
  ASSERT_TRUE(kb) << kb.error().message;
  const auto problems = lint(*kb);
  EXPECT_TRUE(problems.empty()) << describe(problems);
}

TEST(KbLint, EmptyKbIsClean) {
  EXPECT_TRUE(lint(KnowledgeBase{}).empty());
}

TEST(KbLint, DuplicateReleaseLine) {
  // "2.21.0" is the same line as "2.21".
  const auto problems = lint_with("tensorflow.toml", row("release", R"(line = "2.21.0"
first_version = "2.21.0"
python = ["3.10", "3.13"]
cuda = "12.5"
cudnn = "9.3"
gpu_platforms = ["linux"])"));
  EXPECT_TRUE(has_problem(problems, "tensorflow.toml: release[2]",
                          "duplicate line 2.21.0 (first at release[1])"))
      << describe(problems);
  EXPECT_EQ(problems.size(), 1U) << describe(problems);
}

TEST(KbLint, DuplicateGpuNameAsALookupSeesIt) {
  const auto problems = lint_with("gpus.toml", R"toml(
[[gpu]]
name = "NVIDIA GeForce RTX 3060"
segment = "geforce"
compute_capability = "8.6"
architecture = "Ampere"
confidence = "confirmed"
sources = ["https://developer.nvidia.com/cuda-gpus"]

[[gpu]]
name = "GeForce RTX 3060 Ti"
segment = "geforce"
compute_capability = "8.6"
architecture = "Ampere"
confidence = "confirmed"
sources = ["https://developer.nvidia.com/cuda-gpus"]
)toml");
  EXPECT_TRUE(has_problem(problems, "gpus.toml: gpu[2]",
                          "duplicate name \"NVIDIA GeForce RTX 3060\" (first at gpu[0])"))
      << describe(problems);
  EXPECT_EQ(problems.size(), 1U) << describe(problems);
}

TEST(KbLint, DuplicateStatementIdAndIdSpelling) {
  const auto problems =
      lint_with("tensorflow.toml", row("statement", "id = \"macos_no_cuda\"\ntext = \"again\"") +
                                       row("statement", "id = \"Not-Snake\"\ntext = \"x\""));
  EXPECT_TRUE(has_problem(problems, "tensorflow.toml: statement[1]",
                          "duplicate id \"macos_no_cuda\" (first at statement[0])"))
      << describe(problems);
  EXPECT_TRUE(
      has_problem(problems, "tensorflow.toml: statement[2]", "id \"Not-Snake\" is not snake_case"))
      << describe(problems);
  EXPECT_EQ(problems.size(), 2U) << describe(problems);
}

TEST(KbLint, SourceRows) {
  const auto problems = lint_with("sources.toml", R"toml(
[[source]]
id = "tf-build-configs"
title = "The same id again"
url = "https://www.tensorflow.org/"

[[source]]
id = "Plain_HTTP"
title = "Not https"
url = "http://example.com/"
)toml");
  EXPECT_TRUE(has_problem(problems, "sources.toml: source[2]",
                          "duplicate id \"tf-build-configs\" (first at source[0])"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "sources.toml: source[3]", "is not kebab-case"));
  EXPECT_TRUE(has_problem(problems, "sources.toml: source[3]",
                          "url \"http://example.com/\" is not an https:// URL"));
  EXPECT_EQ(problems.size(), 3U) << describe(problems);
}

TEST(KbLint, UnknownSourceIdOrPlainHttp) {
  const auto problems = lint_with("cuda.toml", R"toml(
[[minor_version_compat]]
cuda_major = 13
linux = "580.65.06"
confidence = "confirmed"
sources = ["cuda-release-note", "http://docs.nvidia.com/", "https://docs.nvidia.com/"]
)toml");
  EXPECT_TRUE(has_problem(problems, "cuda.toml: minor_version_compat[1]",
                          "source \"cuda-release-note\" is neither an id in sources.toml nor an "
                          "https:// URL"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "cuda.toml: minor_version_compat[1]",
                          "source \"http://docs.nvidia.com/\" is neither"))
      << describe(problems);
  EXPECT_EQ(problems.size(), 2U) << describe(problems);
}

TEST(KbLint, UnknownSourceInEveryTable) {
  // One row per table citing a missing id: each table's rows are checked.
  std::vector<KbFile> files = valid_files();
  for (KbFile& file : files) {
    std::size_t at = 0;
    while ((at = file.text.find("sources = [", at)) != std::string::npos) {
      const std::size_t end = file.text.find('\n', at);
      constexpr std::string_view kMissing = "sources = [\"missing-id\"]";
      file.text.replace(at, end - at, kMissing);
      at += kMissing.size();
    }
  }
  auto kb = parse_files(files, "test");
  ASSERT_TRUE(kb) << kb.error().message;
  const auto problems = lint(*kb);
  for (const std::string_view where :
       {"tensorflow.toml: release[0]", "tensorflow.toml: wheel_build[1]",
        "tensorflow.toml: and_cuda[0]", "tensorflow.toml: sonames[0]",
        "tensorflow.toml: statement[0]", "cuda.toml: driver_minimum[1]",
        "cuda.toml: minor_version_compat[0]", "cuda.toml: arch_support[1]", "gpus.toml: gpu[1]",
        "gpus.toml: pci_device[0]", "gpus.toml: pcie_generation[1]", "cudnn.toml: cudnn[1]",
        "signatures.toml: cause[1]", "signatures.toml: signature[0]"}) {
    EXPECT_TRUE(has_problem(problems, where, "source \"missing-id\" is neither"))
        << where << "\n"
        << describe(problems);
  }
}

TEST(KbLint, OverlappingWheelBuildsAndSonames) {
  const auto problems = lint_with(
      "tensorflow.toml",
      row("wheel_build", "lines = [\"2.21\", \"2.21\"]\ncompute_capabilities = [\"sm_80\"]") +
          row("sonames",
              "lines = [\"2.21\", \"2.21\"]\ncuda_major = 12\nlibraries = { cudart = \"x\" }"));
  EXPECT_TRUE(has_problem(problems, "tensorflow.toml: wheel_build[2]",
                          "[\"2.21\", \"2.21\"] overlaps [\"2.21\", \"2.21\"] of wheel_build[1]"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "tensorflow.toml: sonames[1]",
                          "[\"2.21\", \"2.21\"] overlaps [\"2.20\", \"2.21\"] of sonames[0]"))
      << describe(problems);
  EXPECT_EQ(problems.size(), 2U) << describe(problems);
}

TEST(KbLint, OverlappingArchSupportOnTheComponentsWritten) {
  // ["12.9", "12.9"] lies inside ["12.0", "12.9"] (which covers 12.9.x).
  const auto problems = lint_with("cuda.toml", row("arch_support", R"(cuda = ["12.9", "12.9"]
compute_capabilities = ["5.0"])") + row("arch_support", R"(cuda = ["13.2", "13.4"]
compute_capabilities = ["7.5"])"));
  EXPECT_TRUE(has_problem(problems, "cuda.toml: arch_support[2]", "overlaps"))
      << describe(problems);
  EXPECT_EQ(problems.size(), 1U) << describe(problems);
}

TEST(KbLint, OverlappingCudnn) {
  const auto problems = lint_with("cudnn.toml", R"toml(
[[cudnn]]
versions = ["8.9", "9.0"]
soname = "libcudnn.so.8"
compute_capability = ["5.0", "9.0"]
confidence = "confirmed"
sources = ["tf-build-configs"]

[[cudnn.build]]
cuda = ["12.0", "12.2"]
linux_driver = "525.60.13"
)toml");
  EXPECT_TRUE(has_problem(problems, "cudnn.toml: cudnn[2]",
                          "[\"8.9\", \"9.0\"] overlaps [\"9.0\", \"9.2\"] of cudnn[0]"))
      << describe(problems);
  EXPECT_EQ(problems.size(), 1U) << describe(problems);
}

TEST(KbLint, PciDeviceNameWithNoGpuRow) {
  const auto problems = lint_with("gpus.toml", R"toml(
[[pci_device]]
vendor = "10de"
device = "2c02"
name = "GeForce RTX 5080"
confidence = "confirmed"
sources = ["tf-build-configs"]

[[pci_device]]
vendor = "10de"
device = "2b85"
name = "NVIDIA GeForce RTX 3060"
confidence = "confirmed"
sources = ["tf-build-configs"]
)toml");
  EXPECT_TRUE(has_problem(problems, "gpus.toml: pci_device[1]",
                          "name \"GeForce RTX 5080\" has no [[gpu]] row"))
      << describe(problems);
  // The second names a known GPU (as a lookup folds it) but repeats a PCI id.
  EXPECT_TRUE(has_problem(problems, "gpus.toml: pci_device[2]",
                          "duplicate id 10de:2b85 (first at pci_device[0])"))
      << describe(problems);
  EXPECT_EQ(problems.size(), 2U) << describe(problems);
}

TEST(KbLint, AndCudaAndWheelBuildLinesWithoutARelease) {
  const auto problems = lint_with(
      "tensorflow.toml",
      row("and_cuda",
          "line = \"2.22\"\nrequirements = [\"nvidia-cudnn-cu12\"]\nloader_runpath_wheels = "
          "[\"cudnn\"]") +
          row("and_cuda",
              "line = \"2.21\"\nrequirements = [\"nvidia-cudnn-cu12\"]\nloader_runpath_wheels = "
              "[\"cudnn\"]") +
          row("wheel_build", "lines = [\"2.22\", \"2.23\"]\ncompute_capabilities = [\"sm_80\"]") +
          row("sonames",
              "lines = [\"2.19\", \"2.19\"]\ncuda_major = 12\nlibraries = { cudart = \"x\" }"));
  EXPECT_TRUE(
      has_problem(problems, "tensorflow.toml: and_cuda[1]", "no [[release]] row for line 2.22"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "tensorflow.toml: and_cuda[2]",
                          "duplicate line 2.21 (first at and_cuda[0])"))
      << describe(problems);
  EXPECT_TRUE(
      has_problem(problems, "tensorflow.toml: wheel_build[2]", "no [[release]] row for line 2.22"))
      << describe(problems);
  EXPECT_TRUE(
      has_problem(problems, "tensorflow.toml: wheel_build[2]", "no [[release]] row for line 2.23"))
      << describe(problems);
  EXPECT_TRUE(
      has_problem(problems, "tensorflow.toml: sonames[1]", "no [[release]] row for line 2.19"))
      << describe(problems);
  EXPECT_EQ(problems.size(), 5U) << describe(problems);
}

TEST(KbLint, DriverMinimumAndMinorVersionCompatDuplicates) {
  const auto problems = lint_with(
      "cuda.toml",
      row("driver_minimum", "cuda = \"13.0\"\nrelease = \"CUDA 13.0\"\nlinux = \"580.65.06\"") +
          row("driver_minimum",
              "cuda = \"13.0.1\"\nrelease = \"CUDA 13.0 Update 1\"\nlinux = \"580.82.07\"") +
          row("minor_version_compat", "cuda_major = 12\nlinux = \"525.60.13\""));
  EXPECT_TRUE(has_problem(problems, "cuda.toml: driver_minimum[2]",
                          "duplicate cuda 13.0 (first at driver_minimum[1])"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "cuda.toml: minor_version_compat[1]",
                          "duplicate cuda_major 12 (first at minor_version_compat[0])"))
      << describe(problems);
  EXPECT_EQ(problems.size(), 2U) << describe(problems);
}

// --- signatures.toml ---

// A [[signature]] row for the fixture's causes; `keys` gives id, cause, pattern, weight, captures.
std::string signature(std::string_view keys) {
  return row("signature", keys);
}

TEST(KbLint, DuplicateCauseAndSignatureIdsAndIdSpelling) {
  const auto problems = lint_with(
      "signatures.toml",
      row("cause", "id = \"missing_cudnn\"\nkind = \"failure\"\nsummary = \"s\"\nfix = \"f\"") +
          row("cause", "id = \"Missing-Cudnn\"\nkind = \"failure\"\nsummary = \"s\"\nfix = \"f\"") +
          signature("id = \"numa_node_negative\"\ncause = \"benign_warning_numa\"\n"
                    "pattern = \"NUMA\"\nweight = 1") +
          signature("id = \"numa node\"\ncause = \"benign_warning_numa\"\n"
                    "pattern = \"NUMA\"\nweight = 1"));
  EXPECT_TRUE(has_problem(problems, "signatures.toml: cause[2]",
                          "duplicate id \"missing_cudnn\" (first at cause[0])"))
      << describe(problems);
  EXPECT_TRUE(
      has_problem(problems, "signatures.toml: cause[3]", "id \"Missing-Cudnn\" is not snake_case"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "signatures.toml: signature[2]",
                          "duplicate id \"numa_node_negative\" (first at signature[1])"))
      << describe(problems);
  EXPECT_TRUE(
      has_problem(problems, "signatures.toml: signature[3]", "id \"numa node\" is not snake_case"))
      << describe(problems);
  EXPECT_EQ(problems.size(), 4U) << describe(problems);
}

TEST(KbLint, SignatureNamingAnUnknownCause) {
  const auto problems = lint_with(
      "signatures.toml", signature("id = \"cudnn_gone\"\ncause = \"missing_cudnnn\"\n"
                                   "pattern = \"DNN library is not found\"\nweight = 0.6"));
  EXPECT_TRUE(has_problem(problems, "signatures.toml: signature[2]",
                          "cause \"missing_cudnnn\" has no [[cause]] row"))
      << describe(problems);
  EXPECT_EQ(problems.size(), 1U) << describe(problems);
}

TEST(KbLint, SignatureWeightOutsideZeroToOne) {
  std::string rows;
  for (const char* weight : {"0", "-0.5", "1.5", "nan", "inf", "1e-9", "1.0", "1"}) {
    rows += signature(std::string("id = \"w") + std::to_string(rows.size()) +
                      "\"\ncause = \"missing_cudnn\"\npattern = \"DNN library is not found\"\n"
                      "weight = " +
                      weight);
  }
  const auto problems = lint_with("signatures.toml", rows);
  for (const char* where : {"signatures.toml: signature[2]", "signatures.toml: signature[3]",
                            "signatures.toml: signature[4]", "signatures.toml: signature[5]",
                            "signatures.toml: signature[6]"}) {
    EXPECT_TRUE(has_problem(problems, where, "is outside (0, 1]")) << where << "\n"
                                                                   << describe(problems);
  }
  // 1e-9, 1.0 and 1 are inside.
  EXPECT_EQ(problems.size(), 5U) << describe(problems);
}

TEST(KbLint, NoiseSignaturesWeighOne) {
  const auto problems = lint_with(
      "signatures.toml",
      signature("id = \"numa_again\"\ncause = \"benign_warning_numa\"\npattern = \"NUMA\"\n"
                "weight = 0.5"));
  EXPECT_TRUE(has_problem(problems, "signatures.toml: signature[2]",
                          "weight 0.5 for the noise cause \"benign_warning_numa\""))
      << describe(problems);
  EXPECT_EQ(problems.size(), 1U) << describe(problems);
}

TEST(KbLint, CapturesMustNameEveryCaptureGroup) {
  const auto problems = lint_with(
      "signatures.toml",
      // [2]: two groups, one name; [3]: no group, two names; [4]: (?:…) groups only, no names
      // (quiet); [5]: names that are not snake_case or repeat.
      signature("id = \"too_few\"\ncause = \"missing_cudnn\"\n"
                "pattern = \"(libcudnn\\\\S*): (.*)\"\nweight = 0.5\ncaptures = [\"library\"]") +
          signature("id = \"too_many\"\ncause = \"missing_cudnn\"\n"
                    "pattern = \"DNN library is not found\"\nweight = 0.5\n"
                    "captures = [\"library\", \"version\"]") +
          signature("id = \"grouping_only\"\ncause = \"missing_cudnn\"\n"
                    "pattern = '(?:libcudnn|cudnn64_)\\d+(?:\\.so)?'\nweight = 0.5") +
          signature("id = \"bad_names\"\ncause = \"missing_cudnn\"\n"
                    "pattern = '(a)(b)(c)'\nweight = 0.5\n"
                    "captures = [\"Library\", \"version\", \"version\"]"));
  EXPECT_TRUE(has_problem(problems, "signatures.toml: signature[2]",
                          "captures names 1 group but the pattern has 2 capture groups"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "signatures.toml: signature[3]",
                          "captures names 2 groups but the pattern has 0 capture groups"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "signatures.toml: signature[5]",
                          "capture name \"Library\" is not snake_case"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "signatures.toml: signature[5]",
                          "capture name \"version\" given twice"))
      << describe(problems);
  EXPECT_EQ(problems.size(), 4U) << describe(problems);
}

TEST(KbLint, PatternRe2CannotCompile) {
  const auto problems = lint_with(
      "signatures.toml",
      // [2]: unbalanced; [3]: a back-reference, which RE2 (linear time) does not have; [4]: a
      // look-ahead, likewise.
      signature("id = \"unbalanced\"\ncause = \"missing_cudnn\"\n"
                "pattern = \"Could not load (libcudnn\"\nweight = 0.5\ncaptures = [\"library\"]") +
          signature("id = \"backreference\"\ncause = \"missing_cudnn\"\n"
                    "pattern = '(lib\\w+) and \\1'\nweight = 0.5\ncaptures = [\"library\"]") +
          signature("id = \"lookahead\"\ncause = \"missing_cudnn\"\n"
                    "pattern = 'libcudnn(?=\\.so)'\nweight = 0.5"));
  EXPECT_TRUE(has_problem(problems, "signatures.toml: signature[2]",
                          "pattern does not compile with RE2: missing )"))
      << describe(problems);
  EXPECT_TRUE(
      has_problem(problems, "signatures.toml: signature[3]", "pattern does not compile with RE2"))
      << describe(problems);
  EXPECT_TRUE(
      has_problem(problems, "signatures.toml: signature[4]", "pattern does not compile with RE2"))
      << describe(problems);
  EXPECT_EQ(problems.size(), 3U) << describe(problems);
}

TEST(KbLint, DistributionAndContainerImageRows) {
  // Overlaps count within one distribution or image only; a bad name and a non-boolean are
  // parse problems.
  const auto problems = lint_with(
      "tensorflow.toml",
      row("distribution",
          "name = \"tensorflow\"\nversions = [\"1.15.2\", \"1.15.5\"]\ncuda = false") +
          row("distribution",
              "name = \"tensorflow\"\nversions = [\"1.15.3\", \"1.15.3\"]\ncuda = false") +
          row("distribution",
              "name = \"tensorflow-gpu\"\nversions = [\"1.15.3\", \"1.15.3\"]\ncuda = true") +
          row("container_image",
              "image = \"tensorflow/tensorflow\"\ntensorflow = [\"2.21\", \"2.21\"]\ncuda = "
              "\"12.3\"\ncudnn = \"8.9\"") +
          row("container_image",
              "image = \"tensorflow/tensorflow\"\ntensorflow = [\"2.21\", \"2.22\"]\ncuda = "
              "\"12.3\"\ncudnn = \"8.9\""));
  EXPECT_TRUE(
      has_problem(problems, "tensorflow.toml: distribution[1]",
                  "tensorflow [\"1.15.3\", \"1.15.3\"] overlaps [\"1.15.2\", \"1.15.5\"] of "
                  "distribution[0]"))
      << describe(problems);
  EXPECT_FALSE(has_problem(problems, "tensorflow.toml: distribution[2]", "overlaps"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "tensorflow.toml: container_image[1]", "overlaps"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "tensorflow.toml: container_image[1]",
                          "no [[release]] row for line 2.22"))
      << describe(problems);

  std::vector<LintProblem> parse_problems;
  auto kb = parse_files(
      with_appended(
          "tensorflow.toml",
          row("distribution",
              "name = \"Tensorflow_GPU\"\nversions = [\"2.0\", \"2.0\"]\ncuda = \"yes\"")),
      "test", &parse_problems);
  EXPECT_TRUE(has_problem(parse_problems, "tensorflow.toml: distribution[0]",
                          "'cuda' must be true or false, not a string"))
      << describe(parse_problems);
  EXPECT_TRUE(has_problem(parse_problems, "tensorflow.toml: distribution[0]",
                          "must be the normalised distribution name"))
      << describe(parse_problems);
}

TEST(KbLint, AndCudaRouteRows) {
  // Overlapping routes and a line with no release are lint's; a pin outside the lines, or one
  // that is not a version, is the row reader's.
  const auto problems = lint_with(
      "tensorflow.toml",
      row("and_cuda_route",
          "lines = [\"2.20\", \"2.21\"]\nlink_libraries = true\nlink_ptxas = false") +
          row("and_cuda_route",
              "lines = [\"2.21\", \"2.22\"]\npin = \"2.21.0.post1\"\nlink_libraries = false\n"
              "link_ptxas = true"));
  EXPECT_FALSE(has_problem(problems, "tensorflow.toml: and_cuda_route[0]", ""))
      << describe(problems);
  EXPECT_TRUE(
      has_problem(problems, "tensorflow.toml: and_cuda_route[1]",
                  "[\"2.21\", \"2.22\"] overlaps [\"2.20\", \"2.21\"] of and_cuda_route[0]"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "tensorflow.toml: and_cuda_route[1]",
                          "no [[release]] row for line 2.22"))
      << describe(problems);

  std::vector<LintProblem> parse_problems;
  (void)parse_files(
      with_appended("tensorflow.toml",
                    row("and_cuda_route",
                        "lines = [\"2.21\", \"2.21\"]\npin = \"2.20.0\"\nlink_libraries = true\n"
                        "link_ptxas = false") +
                        row("and_cuda_route",
                            "lines = [\"2.20\", \"2.20\"]\npin = \"two\"\nlink_libraries = true\n"
                            "link_ptxas = \"no\"")),
      "test", &parse_problems);
  EXPECT_TRUE(has_problem(parse_problems, "tensorflow.toml: and_cuda_route[0]",
                          "'pin' = \"2.20.0\" is outside 'lines'"))
      << describe(parse_problems);
  EXPECT_TRUE(has_problem(parse_problems, "tensorflow.toml: and_cuda_route[1]",
                          "'pin' = \"two\" is not a version"))
      << describe(parse_problems);
  EXPECT_TRUE(has_problem(parse_problems, "tensorflow.toml: and_cuda_route[1]",
                          "'link_ptxas' must be true or false"))
      << describe(parse_problems);
}

TEST(KbLint, DriverBranchEndRows) {
  const auto problems =
      lint_with("gpus.toml", row("driver_branch_end",
                                 "compute_capability = [\"3.0\", \"3.7\"]\narchitecture = "
                                 "\"Kepler\"\nlast_branch = \"470\"") +
                                 row("driver_branch_end",
                                     "compute_capability = [\"3.5\", \"5.0\"]\narchitecture = "
                                     "\"Overlap\"\nlast_branch = \"580\""));
  EXPECT_FALSE(has_problem(problems, "gpus.toml: driver_branch_end[0]", "")) << describe(problems);
  EXPECT_TRUE(has_problem(problems, "gpus.toml: driver_branch_end[1]",
                          "[\"3.5\", \"5.0\"] overlaps [\"3.0\", \"3.7\"] of driver_branch_end[0]"))
      << describe(problems);

  std::vector<LintProblem> parse_problems;
  (void)parse_files(with_appended("gpus.toml", row("driver_branch_end",
                                                   "compute_capability = [\"3.0\", \"3.7\"]\n"
                                                   "architecture = \"Kepler\"\n"
                                                   "last_branch = \"470.82\"")),
                    "test", &parse_problems);
  EXPECT_TRUE(has_problem(parse_problems, "gpus.toml: driver_branch_end[0]",
                          "'last_branch' = \"470.82\" is not a branch number"))
      << describe(parse_problems);
}

TEST(KbLint, PeakRowsNeedAGpuAndAReachableName) {
  const std::string values =
      "fp32_tflops = 66.9\ntf32_tflops = 494.7\nfp16_tflops = 989.4\nbf16_tflops = 989.4\n"
      "memory_bandwidth_gbs = 3350";
  const auto problems =
      lint_with("gpus.toml",
                row("peak", "device_name = \"H100\"\nmodel = \"No Such GPU\"\n" + values) +
                    row("peak", "device_name = \"H100 PCIe\"\nmodel = \"No Such GPU\"\n" + values));
  EXPECT_TRUE(
      has_problem(problems, "gpus.toml: peak[0]", "model \"No Such GPU\" has no [[gpu]] row"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "gpus.toml: peak[1]",
                          "device_name \"H100 PCIe\" is shadowed by peak[0] \"H100\""))
      << describe(problems);

  std::vector<LintProblem> parse_problems;
  (void)parse_files(with_appended("gpus.toml", row("peak",
                                                   "device_name = \"X\"\nmodel = \"Y\"\n"
                                                   "fp32_tflops = -1\ntf32_tflops = 1\n"
                                                   "fp16_tflops = 1\nbf16_tflops = 1\n"
                                                   "memory_bandwidth_gbs = 1")),
                    "test", &parse_problems);
  EXPECT_TRUE(has_problem(parse_problems, "gpus.toml: peak[0]",
                          "peak value -1 is not a positive number below 10^6"))
      << describe(parse_problems);
}

// One row per generation, and a payload efficiency that is a share of the line rate: 0 carries
// nothing, above 1 more than the line; NaN is neither.
TEST(KbLint, PcieGenerationsAreUniqueWithAnEfficiencyInZeroToOne) {
  const auto pcie = [](std::string_view generation, std::string_view efficiency) {
    return row("pcie_generation", "generation = " + std::string(generation) +
                                      "\ntransfer_rate_gts = 32\nencoding = \"128b/130b\"\n"
                                      "payload_efficiency = " +
                                      std::string(efficiency));
  };
  const auto problems =
      lint_with("gpus.toml", pcie("4", "0.9846") + pcie("5", "1") + pcie("7", "1.5") +
                                 pcie("8", "0") + pcie("9", "nan") + pcie("10", "-0.5"));
  EXPECT_TRUE(has_problem(problems, "gpus.toml: pcie_generation[2]",
                          "duplicate generation 4 (first at pcie_generation[0])"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "gpus.toml: pcie_generation[4]",
                          "payload_efficiency 1.5 is outside (0, 1]"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "gpus.toml: pcie_generation[5]",
                          "payload_efficiency 0 is outside (0, 1]"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "gpus.toml: pcie_generation[6]",
                          "payload_efficiency nan is outside (0, 1]"))
      << describe(problems);
  EXPECT_TRUE(has_problem(problems, "gpus.toml: pcie_generation[7]",
                          "payload_efficiency -0.5 is outside (0, 1]"))
      << describe(problems);
  // Efficiency 1 (a line with no code) is allowed; the fixture's rows are clean.
  EXPECT_FALSE(has_problem(problems, "gpus.toml: pcie_generation[3]", "")) << describe(problems);
  EXPECT_EQ(problems.size(), 5U) << describe(problems);
}

}  // namespace
}  // namespace tfgpu::kb
