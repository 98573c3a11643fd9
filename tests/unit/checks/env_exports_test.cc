// SPDX-License-Identifier: Apache-2.0
// `tfgpu env`'s exports on hand-built facts (check_fixtures.h's healthy machine, one change each)
// and their shell forms, including paths with spaces and quotes evaluated by a real bash.
#include "tfgpu/checks/env_exports.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "check_test_helpers.h"
#include "temp_tree.h"
#include "tfgpu/checks/nvidia_wheels.h"

namespace tfgpu::checks {
namespace {

using testing::healthy_facts;
using testing::run_check;
using testing::seen;
using testing::small_kb;
using testing::venv;
using testing::ver;

const std::string kSite = "/home/ana/venv/lib/python3.11/site-packages";
const std::string kNvccBin = kSite + "/nvidia/cuda_nvcc/bin";

model::LibraryResolution not_found(const std::string& soname, const std::string& family) {
  model::LibraryResolution library;
  library.soname = soname;
  library.family = family;
  library.required = true;
  library.requester = kSite + "/tensorflow/libtensorflow_framework.so.2";
  library.path = model::Observed<std::string>::absent("searched the RUNPATH, cache, defaults");
  return library;
}

// TF 2.21.0 as pip installs it: libcusolver.so.11 is only on libtensorflow_cc.so.2's RUNPATH, so
// the framework's search misses nvidia/cusolver/lib.
model::Facts cusolver_unreachable() {
  auto facts = healthy_facts();
  auto& env = venv(facts);
  env.packages.push_back(
      {"nvidia-cusolver-cu12", "11.7.5.82", kSite + "/nvidia_cusolver_cu12-11.7.5.82.dist-info"});
  env.libraries.push_back(not_found("libcusolver.so.11", "cusolver"));
  return facts;
}

void put_on_path(model::Facts& facts, const std::string& dir) {
  facts.environment["PATH"] = dir + ":/home/ana/venv/bin:/usr/bin:/bin";
}

const EnvExport* find_export(const EnvExports& exports, const std::string& variable) {
  for (const auto& item : exports.exports) {
    if (item.variable == variable) {
      return &item;
    }
  }
  return nullptr;
}

TEST(EnvExports, NothingToAddWhenEveryLibraryResolvesAndPtxasIsOnPath) {
  auto facts = healthy_facts();
  put_on_path(facts, kNvccBin + "/");
  const auto exports = env_exports(facts, venv(facts), 12, {});
  EXPECT_TRUE(exports.exports.empty());
  EXPECT_NE(exports.nothing_to_add.find("TensorFlow 2.21.0"), std::string::npos)
      << exports.nothing_to_add;
  EXPECT_EQ(render_exports(exports, Shell::kBash).rfind("# nothing to add: ", 0), 0U);
}

TEST(EnvExports, AddsExactlyTheUnreachableWheelFolder) {
  auto facts = cusolver_unreachable();
  put_on_path(facts, kNvccBin);
  const auto exports = env_exports(facts, venv(facts), 12, {});
  ASSERT_EQ(exports.exports.size(), 1U);
  const auto& item = exports.exports.front();
  EXPECT_EQ(item.variable, "LD_LIBRARY_PATH");
  EXPECT_EQ(item.entries, std::vector<std::string>{kSite + "/nvidia/cusolver/lib"});
  EXPECT_NE(item.why.find("libcusolver.so.11"), std::string::npos) << item.why;
  EXPECT_NE(item.why.find("libtensorflow_framework.so.2"), std::string::npos) << item.why;
}

TEST(EnvExports, FoldersAreTheOnesDoctorsFixNames) {
  auto facts = cusolver_unreachable();
  venv(facts).packages.push_back(
      {"nvidia-cublas-cu12", "12.5.3.2", kSite + "/nvidia_cublas_cu12-12.5.3.2.dist-info"});
  venv(facts).libraries.push_back(not_found("libcublas.so.12", "cublas"));
  venv(facts).libraries.push_back(not_found("libcublasLt.so.12", "cublasLt"));
  const auto exports = env_exports(facts, venv(facts), 12, {});
  const auto* item = find_export(exports, "LD_LIBRARY_PATH");
  ASSERT_NE(item, nullptr);
  // cublas and cublasLt share one folder: named once.
  const std::vector<std::string> expected{kSite + "/nvidia/cusolver/lib",
                                          kSite + "/nvidia/cublas/lib"};
  EXPECT_EQ(item->entries, expected);
  const auto findings = run_check("nvidia_wheels_unreachable", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  ASSERT_FALSE(findings.front().fixes.empty());
  EXPECT_EQ(findings.front().fixes.front().commands.front(),
            "export LD_LIBRARY_PATH=" + expected[0] + ":" + expected[1] +
                "${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}");
}

TEST(EnvExports, AWheelOfAnotherSonameMajorOrAnUnknownResolutionAddsNothing) {
  auto facts = healthy_facts();
  put_on_path(facts, kNvccBin);
  auto& env = venv(facts);
  env.packages.push_back(
      {"nvidia-cufft-cu12", "10.9.0.58", kSite + "/nvidia_cufft_cu12-10.9.0.58.dist-info"});
  env.libraries.push_back(not_found("libcufft.so.11", "cufft"));
  env.packages.push_back(
      {"nvidia-cusolver-cu12", "11.7.5.82", kSite + "/nvidia_cusolver_cu12-11.7.5.82.dist-info"});
  auto unknown = not_found("libcusolver.so.11", "cusolver");
  unknown.path = model::Observed<std::string>::unknown("requester", "unreadable ELF");
  env.libraries.push_back(unknown);
  EXPECT_TRUE(env_exports(facts, env, 12, {}).exports.empty());
}

TEST(EnvExports, NotACudaBuildAddsNothingAndSaysWhy) {
  auto facts = cusolver_unreachable();
  const auto exports = env_exports(facts, venv(facts), std::nullopt, {});
  EXPECT_TRUE(exports.exports.empty());
  EXPECT_NE(exports.nothing_to_add.find("not a CUDA build"), std::string::npos)
      << exports.nothing_to_add;
}

TEST(EnvExports, PtxasFolderWhenTheNvccWheelIsInstalledAndNoPtxasIsOnPath) {
  auto facts = healthy_facts();  // PATH=/home/ana/venv/bin:/usr/bin:/bin
  const auto exports = env_exports(facts, venv(facts), 12, {});
  ASSERT_EQ(exports.exports.size(), 1U);
  EXPECT_EQ(exports.exports.front().variable, "PATH");
  EXPECT_EQ(exports.exports.front().entries, std::vector<std::string>{kNvccBin});
  EXPECT_NE(exports.exports.front().why.find("nvidia-cuda-nvcc-cu12 12.9.86"), std::string::npos);
}

TEST(EnvExports, NoPtxasFolderWithoutTheNvccWheel) {
  auto facts = healthy_facts();
  auto& packages = venv(facts).packages;
  std::erase_if(packages, [](const auto& p) { return p.name == "nvidia-cuda-nvcc-cu12"; });
  EXPECT_TRUE(env_exports(facts, venv(facts), 12, {}).exports.empty());
}

model::CudaToolkit toolkit(const std::string& root, const std::string& version) {
  model::CudaToolkit out;
  out.root = root;
  out.found_via = {root};
  out.version = seen(ver(version));
  out.ptxas = seen(root + "/bin/ptxas");
  return out;
}

TEST(EnvExports, ASameMajorToolkitPtxasOnPathIsEnoughButAnotherMajorsIsNot) {
  auto facts = healthy_facts();
  facts.cuda_toolkits = {toolkit("/usr/local/cuda-12.4", "12.4.1")};
  put_on_path(facts, "/usr/local/cuda-12.4/bin");
  EXPECT_EQ(find_export(env_exports(facts, venv(facts), 12, {}), "PATH"), nullptr);

  facts.cuda_toolkits = {toolkit("/usr/local/cuda-13.0", "13.0.0")};
  put_on_path(facts, "/usr/local/cuda-13.0/bin");
  EXPECT_NE(find_export(env_exports(facts, venv(facts), 12, {}), "PATH"), nullptr);
}

TEST(EnvExports, MemoryGrowthOnlyWhenAsked) {
  auto facts = healthy_facts();
  put_on_path(facts, kNvccBin);
  EXPECT_EQ(find_export(env_exports(facts, venv(facts), 12, {}), "TF_FORCE_GPU_ALLOW_GROWTH"),
            nullptr);
  const auto exports = env_exports(facts, venv(facts), 12, {.memory_growth = true});
  const auto* item = find_export(exports, "TF_FORCE_GPU_ALLOW_GROWTH");
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(item->value, "true");
  EXPECT_TRUE(item->entries.empty());
}

// --- rendering ---------------------------------------------------------------------------------

EnvExports awkward_paths() {
  EnvExports exports;
  exports.exports = {
      EnvExport{"LD_LIBRARY_PATH", {"/home/o'neil/my venv/lib", "/opt/a\\b"}, "", "libraries"},
      EnvExport{"TF_FORCE_GPU_ALLOW_GROWTH", {}, "true", "growth"},
  };
  return exports;
}

TEST(RenderExports, BashPrependsWithSingleQuotesAndAWhyLineEach) {
  EXPECT_EQ(render_exports(awkward_paths(), Shell::kBash),
            "# libraries\n"
            "export LD_LIBRARY_PATH='/home/o'\\''neil/my venv/lib:/opt/a\\b'"
            "\"${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}\"\n"
            "# growth\n"
            "export TF_FORCE_GPU_ALLOW_GROWTH='true'\n");
  EXPECT_EQ(render_exports(awkward_paths(), Shell::kZsh),
            render_exports(awkward_paths(), Shell::kBash));
}

TEST(RenderExports, FishSetsListsWithFishQuoting) {
  EXPECT_EQ(render_exports(awkward_paths(), Shell::kFish),
            "# libraries\n"
            "set -gx LD_LIBRARY_PATH '/home/o\\'neil/my venv/lib' '/opt/a\\\\b' $LD_LIBRARY_PATH\n"
            "# growth\n"
            "set -gx TF_FORCE_GPU_ALLOW_GROWTH 'true'\n");
}

TEST(RenderExports, AWhyWithANewlineStaysOneCommentLine) {
  EnvExports exports;
  exports.exports = {EnvExport{"PATH", {"/x"}, "", "first\nexport EVIL=1"}};
  const std::string text = render_exports(exports, Shell::kBash);
  EXPECT_EQ(text.rfind("# first export EVIL=1\n", 0), 0U) << text;
}

std::string bash_value_after_eval(const std::string& script, const std::string& before) {
  ::TempTree tree;
  tree.write("/exports.sh", script);
  const std::string file = tree.host("/exports.sh");
  const std::string command = "LD_LIBRARY_PATH='" + before + "' bash -c 'eval \"$(cat " + file +
                              ")\"; printf %s \"$LD_LIBRARY_PATH\"'";
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
      out += buffer;
    }
    pclose(pipe);
  }
  return out;
}

TEST(RenderExports, BashEvaluatesToTheExactPathsBeforeTheCurrentValue) {
  const std::string script = render_exports(awkward_paths(), Shell::kBash);
  EXPECT_EQ(bash_value_after_eval(script, "/usr/lib/old"),
            "/home/o'neil/my venv/lib:/opt/a\\b:/usr/lib/old");
  // Unset or empty: no trailing ':' (an empty entry would search the current directory).
  EXPECT_EQ(bash_value_after_eval(script, ""), "/home/o'neil/my venv/lib:/opt/a\\b");
}

TEST(ShellNamed, KnowsTheThreeShells) {
  EXPECT_EQ(shell_named("bash"), Shell::kBash);
  EXPECT_EQ(shell_named("zsh"), Shell::kZsh);
  EXPECT_EQ(shell_named("fish"), Shell::kFish);
  EXPECT_FALSE(shell_named("csh"));
}

}  // namespace
}  // namespace tfgpu::checks
