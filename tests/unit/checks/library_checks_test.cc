// SPDX-License-Identifier: Apache-2.0
// The library checks: each fires on one change to the healthy machine of check_fixtures.h (or on
// the recorded machine that shows it) and stays quiet where the boundary matters.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "check_test_helpers.h"
#include "tfgpu/checks/check_groups.h"
#include "tfgpu/checks/common.h"

namespace tfgpu::checks {
namespace {

using testing::all_commands;
using testing::cites;
using testing::evidence_shows;
using testing::fired;
using testing::has_command;
using testing::healthy_facts;
using testing::kPython;
using testing::recorded;
using testing::run_check;
using testing::seen;
using testing::small_kb;
using testing::tf;
using testing::venv;
using testing::ver;

const std::string kSite = "/home/ana/venv/lib/python3.11/site-packages";

// A library the emulated loader found nowhere: TensorFlow's RUNPATH entry, the cache, a default
// directory, as the probe records them.
model::LibraryResolution not_found(const std::string& soname, const std::string& family,
                                   const std::string& wheel_dir) {
  model::LibraryResolution library;
  library.soname = soname;
  library.family = family;
  library.required = true;
  library.requester = kSite + "/tensorflow/libtensorflow_framework.so.2";
  library.candidates = {
      {kSite + "/nvidia/" + wheel_dir + "/lib/" + soname, model::SearchStep::kRunpath,
       "$ORIGIN/../nvidia/" + wheel_dir + "/lib", false, "not found"},
      {"/usr/lib/x86_64-linux-gnu/" + soname, model::SearchStep::kDefaultDir,
       "/usr/lib/x86_64-linux-gnu", false, "not found"},
  };
  const std::string looked =
      "searched 2 places (1 RPATH/LD_LIBRARY_PATH/RUNPATH entries, /etc/ld.so.cache, default "
      "directories)";
  library.path = model::Observed<std::string>::absent(looked);
  library.real_path = model::Observed<std::string>::absent(looked);
  library.version = model::Observed<Version>::absent(looked);
  return library;
}

model::LibraryResolution& library(model::Facts& facts, const std::string& soname) {
  for (auto& library : venv(facts).libraries) {
    if (library.soname == soname) {
      return library;
    }
  }
  ADD_FAILURE() << "no library " << soname;
  return venv(facts).libraries.front();
}

void remove_package(model::Facts& facts, const std::string& name) {
  auto& packages = venv(facts).packages;
  std::erase_if(packages, [&](const model::PythonPackage& p) { return p.name == name; });
}

model::CudaToolkit toolkit(const std::string& root, const std::string& version,
                           std::vector<std::string> found_via) {
  model::CudaToolkit toolkit;
  toolkit.root = root;
  toolkit.found_via = std::move(found_via);
  toolkit.version = seen(ver(version), root + "/version.json");
  toolkit.nvcc = seen(root + "/bin/nvcc");
  toolkit.ptxas = seen(root + "/bin/ptxas", root + "/bin/ptxas");
  toolkit.libdevice = seen(root + "/nvvm/libdevice/libdevice.10.bc");
  return toolkit;
}

model::LibraryResolution system_library(const std::string& soname, const std::string& family,
                                        const std::string& path, const std::string& real_path,
                                        const std::string& version) {
  model::LibraryResolution library;
  library.soname = soname;
  library.family = family;
  library.required = true;
  library.path = seen(path, "ld_so_cache /etc/ld.so.cache");
  library.real_path = seen(real_path);
  library.version = seen(ver(version));
  library.provider = model::Provider::kCudaToolkit;
  library.candidates = {{path, model::SearchStep::kLdCache, "/etc/ld.so.cache", true, ""}};
  return library;
}

// The KB rows the fixes need beyond small_kb(): and-cuda extras and the lines around 2.16.
kb::KnowledgeBase kb_with_and_cuda() {
  auto kb = small_kb();
  for (const char* line : {"2.16", "2.18", "2.21"}) {
    kb::AndCudaExtra extra;
    extra.line = ver(line);
    extra.requirements = {"nvidia-cudnn-cu12"};
    // As the real wheels: 2.16.1's framework RUNPATH reaches only cuda_runtime, 2.21.0's all but
    // cusolver (data/kb/tensorflow.toml).
    extra.loader_runpath_wheels = {"cuda_runtime", "cublas",   "cufft",
                                   "cusolver",     "cusparse", "cudnn"};
    if (std::string_view(line) == "2.16") {
      extra.loader_runpath_wheels = {"cuda_runtime"};
    } else if (std::string_view(line) == "2.21") {
      extra.loader_runpath_wheels = {"cuda_runtime", "cublas", "cufft", "cusparse", "cudnn"};
    }
    extra.provenance = testing::provenance("and_cuda", line);
    kb.and_cuda.push_back(extra);
  }
  kb::TensorflowRelease r216 = kb.releases.back();
  r216.line = ver("2.16");
  r216.first_version = ver("2.16.1");
  r216.python = {ver("3.9"), ver("3.12")};
  r216.cuda = ver("12.3");
  r216.cudnn = ver("8.9");
  r216.provenance = testing::provenance("release", "2.16");
  kb::TensorflowRelease r218 = kb.releases.back();
  r218.line = ver("2.18");
  r218.first_version = ver("2.18.0");
  r218.python = {ver("3.9"), ver("3.12")};
  r218.provenance = testing::provenance("release", "2.18");
  kb.releases.push_back(r216);
  kb.releases.push_back(r218);
  return kb;
}

// --- library_missing -------------------------------------------------------------------------

TEST(LibraryMissing, FiresForARequiredSonameNowhereWithTheAndCudaExtraAsFix) {
  auto facts = healthy_facts();
  venv(facts).libraries.push_back(not_found("libcublas.so.12", "cublas", "cublas"));
  const auto findings = run_check("library_missing", facts, kb_with_and_cuda());
  ASSERT_EQ(findings.size(), 1U);
  const auto& finding = findings.front();
  EXPECT_EQ(finding.id, "library_missing");
  EXPECT_EQ(finding.severity, model::Severity::kError);
  EXPECT_EQ(finding.scope, "/home/ana/venv");
  EXPECT_NE(finding.summary.find("libcublas.so.12"), std::string::npos) << finding.summary;
  EXPECT_NE(finding.summary.find(kSite + "/nvidia/cublas/lib"), std::string::npos)
      << finding.summary;
  EXPECT_TRUE(has_command(finding, kPython + " -m pip install 'tensorflow[and-cuda]==2.21.0'"))
      << all_commands(finding);
}

TEST(LibraryMissing, NamesAndPinsTensorflowAsPipSpellsIt) {
  auto facts = healthy_facts();
  tf(facts).version = seen(ver("2.15.0.post1"));
  venv(facts).libraries.push_back(not_found("libcublas.so.12", "cublas", "cublas"));
  auto kb = kb_with_and_cuda();
  kb.and_cuda.push_back(
      {ver("2.15"), {"nvidia-cudnn-cu12"}, {}, testing::provenance("and_cuda", "2.15")});
  const auto findings = run_check("library_missing", facts, kb);
  ASSERT_EQ(findings.size(), 1U);
  const auto& finding = findings.front();
  EXPECT_NE(finding.summary.find("TensorFlow 2.15.0.post1 needs"), std::string::npos)
      << finding.summary;
  // 2.15.0 and 2.15.0.post1 are different wheels to pip: the fix keeps the installed one.
  EXPECT_TRUE(
      has_command(finding, kPython + " -m pip install 'tensorflow[and-cuda]==2.15.0.post1'"))
      << all_commands(finding);
}

TEST(LibraryMissing, WithoutAnAndCudaRowTheFixIsTheReleasesCudaAndCudnn) {
  auto facts = healthy_facts();
  venv(facts).libraries.push_back(not_found("libcublas.so.12", "cublas", "cublas"));
  const auto findings = run_check("library_missing", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  ASSERT_EQ(findings.front().fixes.size(), 1U);
  const auto& fix = findings.front().fixes.front();
  EXPECT_NE(fix.why.find("CUDA 12.5 and cuDNN 9.3"), std::string::npos) << fix.why;
  EXPECT_EQ(fix.commands, std::vector<std::string>{"sudo ldconfig"});
  EXPECT_TRUE(fix.needs_root);
}

TEST(LibraryMissing, ACopyTheLoaderRejectsIsNamedWithItsReason) {
  auto facts = healthy_facts();
  auto library = not_found("libcublas.so.12", "cublas", "cublas");
  library.candidates.front().exists = true;
  library.candidates.front().rejected_because = "wrong ELF class: 32-bit, the process is 64-bit";
  venv(facts).libraries.push_back(library);
  const auto findings = run_check("library_missing", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_NE(findings.front().summary.find("wrong ELF class: 32-bit"), std::string::npos)
      << findings.front().summary;
}

TEST(LibraryMissing, QuietForAnOptionalLibraryAndForAnUnknownSearch) {
  auto facts = healthy_facts();
  auto optional = not_found("libcupti.so.12", "cupti", "cuda_cupti");
  optional.required = false;
  auto unknown = not_found("libcublas.so.12", "cublas", "cublas");
  unknown.path = model::Observed<std::string>::unknown("searched", "unreadable requester");
  venv(facts).libraries.push_back(optional);
  venv(facts).libraries.push_back(unknown);
  EXPECT_TRUE(run_check("library_missing", facts, small_kb()).empty());
}

// --- nvidia_wheels_unreachable -----------------------------------------------------------------

// TensorFlow 2.16.1 with its and-cuda wheels installed, whose objects' RUNPATH misses them.
model::Facts tf216_wheels_unreachable() {
  auto facts = healthy_facts();
  auto& install = tf(facts);
  install.version = seen(ver("2.16.1"));
  install.build_info.cuda_version = seen(ver("12.3"));
  install.build_info.cudnn_version = seen(ver("8"));
  install.runpath = {"$ORIGIN/", "$ORIGIN/../_solib_local/"};
  auto& env = venv(facts);
  remove_package(facts, "nvidia-cudnn-cu12");
  env.packages.push_back(
      {"nvidia-cudnn-cu12", "8.9.7.29", kSite + "/nvidia_cudnn_cu12-8.9.7.29.dist-info"});
  env.libraries = {not_found("libcudart.so.12", "cudart", "cuda_runtime"),
                   not_found("libcudnn.so.8", "cudnn", "cudnn")};
  return facts;
}

TEST(NvidiaWheelsUnreachable, OneFindingNamesEverySonameWithTheExactDirectories) {
  const auto facts = tf216_wheels_unreachable();
  const auto kb = kb_with_and_cuda();
  const auto findings = run_check("nvidia_wheels_unreachable", facts, kb);
  ASSERT_EQ(findings.size(), 1U);
  const auto& finding = findings.front();
  EXPECT_EQ(finding.severity, model::Severity::kError);
  EXPECT_NE(finding.summary.find("libcudart.so.12, libcudnn.so.8"), std::string::npos)
      << finding.summary;
  EXPECT_TRUE(has_command(finding, "export LD_LIBRARY_PATH=" + kSite +
                                       "/nvidia/cuda_runtime/lib:" + kSite +
                                       "/nvidia/cudnn/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"))
      << all_commands(finding);
  EXPECT_TRUE(has_command(finding, kPython + " -m pip install 'tensorflow[and-cuda]==2.18.*'"))
      << all_commands(finding);
  EXPECT_TRUE(cites(finding, "wheels_unreachable_2_16"));
  // The same sonames are not also reported as missing.
  EXPECT_TRUE(run_check("library_missing", facts, kb).empty());
}

TEST(NvidiaWheelsUnreachable, AWheelOfAnotherSonameMajorDoesNotCount) {
  auto facts = healthy_facts();
  remove_package(facts, "nvidia-cudnn-cu12");
  venv(facts).packages.push_back(
      {"nvidia-cudnn-cu12", "8.9.7.29", kSite + "/nvidia_cudnn_cu12-8.9.7.29.dist-info"});
  library(facts, "libcudnn.so.9") = not_found("libcudnn.so.9", "cudnn", "cudnn");
  EXPECT_TRUE(run_check("nvidia_wheels_unreachable", facts, small_kb()).empty());
  EXPECT_TRUE(fired(run_check("library_missing", facts, small_kb()), "library_missing"));
}

// --- cuda_other_major_only ---------------------------------------------------------------------

model::Facts cuda13_only() {
  auto facts = healthy_facts();
  remove_package(facts, "nvidia-cuda-runtime-cu12");
  library(facts, "libcudart.so.12") = not_found("libcudart.so.12", "cudart", "cuda_runtime");
  facts.cuda_toolkits = {toolkit("/usr/local/cuda-13.0", "13.0", {"/usr/local/cuda"})};
  facts.system_libraries = {
      system_library("libcudart.so.13", "cudart", "/usr/local/cuda-13.0/lib64/libcudart.so.13",
                     "/usr/local/cuda-13.0/lib64/libcudart.so.13.0.96", "13.0.96")};
  return facts;
}

TEST(CudaOtherMajorOnly, SaysTheOtherMajorCannotServeTheBuild) {
  const auto facts = cuda13_only();
  const auto kb = kb_with_and_cuda();
  const auto findings = run_check("cuda_other_major_only", facts, kb);
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings.front().severity, model::Severity::kError);
  EXPECT_EQ(findings.front().summary,
            "TensorFlow 2.21.0 needs libcudart.so.12 (CUDA 12); this machine has only "
            "libcudart.so.13 (CUDA 13.0, /usr/local/cuda-13.0) — a CUDA 13 library cannot serve "
            "a CUDA 12 build.");
  EXPECT_TRUE(
      has_command(findings.front(), kPython + " -m pip install 'tensorflow[and-cuda]==2.21.0'"));
  EXPECT_TRUE(run_check("library_missing", facts, kb).empty());
}

TEST(CudaOtherMajorOnly, AToolkitOfTheBuildsMajorMakesItPlainlyMissing) {
  auto facts = cuda13_only();
  facts.cuda_toolkits.push_back(toolkit("/usr/local/cuda-12.4", "12.4.0", {}));
  EXPECT_TRUE(run_check("cuda_other_major_only", facts, small_kb()).empty());
  EXPECT_TRUE(fired(run_check("library_missing", facts, small_kb()), "library_missing"));
}

// --- system_cuda_other_major -------------------------------------------------------------------

// This development machine: TensorFlow 2.21 in a venv through its wheels, CUDA 13 system-wide.
model::Facts dev_machine_shape() {
  auto facts = healthy_facts();
  facts.cuda_toolkits = {
      toolkit("/usr/local/cuda-13.0", "13.0", {"env CUDA_HOME", "/usr/local/cuda"})};
  facts.system_libraries = {
      system_library("libcudart.so.13", "cudart", "/usr/local/lib/libcudart.so.13",
                     "/usr/local/cuda-13.0/lib/libcudart.so.13.0.96", "13.0.96")};
  return facts;
}

TEST(SystemCudaOtherMajor, FiresAsInfoWhenTheWheelsServeAndTheSystemHasCuda13) {
  const auto findings = run_check("system_cuda_other_major", dev_machine_shape(), small_kb());
  ASSERT_EQ(findings.size(), 1U);
  const auto& finding = findings.front();
  EXPECT_EQ(finding.severity, model::Severity::kInfo);
  EXPECT_EQ(finding.summary,
            "The system's CUDA 13.0 (/usr/local/cuda-13.0) could not serve this CUDA 12 build of "
            "TensorFlow 2.21.0; TensorFlow uses the CUDA 12 libraries from the nvidia-* wheels "
            "in " +
                kSite + " instead.");
}

TEST(SystemCudaOtherMajor, QuietOnTheHealthyMachineAndCountsALibraryTheWheelsDoNotServe) {
  EXPECT_TRUE(run_check("system_cuda_other_major", healthy_facts(), small_kb()).empty());
  auto facts = dev_machine_shape();
  library(facts, "libcudnn.so.9") = not_found("libcudnn.so.9", "cudnn", "cudnn");
  const auto findings = run_check("system_cuda_other_major", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_NE(findings.front().summary.find("instead (1 of 2 found there)."), std::string::npos)
      << findings.front().summary;
}

// --- library_shadowed --------------------------------------------------------------------------

model::Facts cudnn_from_ld_library_path(const std::string& version) {
  auto facts = healthy_facts();
  facts.environment["LD_LIBRARY_PATH"] = "/usr/local/cuda-12.4/lib64:/opt/tools/lib";
  auto& cudnn = library(facts, "libcudnn.so.9");
  const std::string path = "/usr/local/cuda-12.4/lib64/libcudnn.so.9";
  cudnn.path = seen(path, "ld_library_path /usr/local/cuda-12.4/lib64");
  cudnn.real_path = seen("/usr/local/cuda-12.4/targets/x86_64-linux/lib/libcudnn.so." + version);
  cudnn.version = seen(ver(version), cudnn.real_path.value.value());
  cudnn.provider = model::Provider::kCudaToolkit;
  cudnn.wheel.clear();
  cudnn.candidates = {
      {path, model::SearchStep::kLdLibraryPath, "/usr/local/cuda-12.4/lib64", true, ""}};
  return facts;
}

TEST(LibraryShadowed, AnOlderCopyOnLdLibraryPathAheadOfTheWheelFiresWithTheNewValue) {
  const auto findings =
      run_check("library_shadowed", cudnn_from_ld_library_path("9.1.0"), small_kb());
  ASSERT_EQ(findings.size(), 1U);
  const auto& finding = findings.front();
  EXPECT_EQ(finding.severity, model::Severity::kWarning);
  EXPECT_NE(finding.summary.find("9.1.0"), std::string::npos) << finding.summary;
  EXPECT_NE(finding.summary.find("nvidia-cudnn-cu12 9.28.0.42"), std::string::npos);
  EXPECT_NE(finding.summary.find("older"), std::string::npos);
  EXPECT_TRUE(has_command(finding, "export LD_LIBRARY_PATH=/opt/tools/lib"))
      << all_commands(finding);
}

TEST(LibraryShadowed, QuietWhenTheVersionsAgree) {
  EXPECT_TRUE(
      run_check("library_shadowed", cudnn_from_ld_library_path("9.28.0.42"), small_kb()).empty());
}

TEST(LibraryShadowed, TheRealLoaderDisagreeingFiresWithBothPaths) {
  auto facts = healthy_facts();
  auto& cudart = library(facts, "libcudart.so.12");
  model::LoaderCheck check;
  check.loaded_path = seen(std::string("/opt/old/libcudart.so.12"));
  check.agrees = seen(false);
  check.method = "ld.so trace (LD_TRACE_LOADED_OBJECTS=1) of a stand-in requester";
  cudart.loader_check = check;
  const auto findings = run_check("library_shadowed", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_NE(findings.front().summary.find("/opt/old/libcudart.so.12"), std::string::npos);
  EXPECT_NE(findings.front().summary.find(kSite + "/nvidia/cuda_runtime/lib/libcudart.so.12"),
            std::string::npos)
      << findings.front().summary;
}

// --- cudnn_version_mismatch --------------------------------------------------------------------

TEST(CudnnVersionMismatch, AnOlderMinorThanTheBuildsFiresWithThePipFix) {
  auto facts = healthy_facts();
  tf(facts).build_info.cudnn_version = seen(ver("9.3"));
  library(facts, "libcudnn.so.9").version = seen(ver("9.1.0.70"));
  const auto findings = run_check("cudnn_version_mismatch", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings.front().severity, model::Severity::kError);
  EXPECT_NE(findings.front().summary.find("9.1.0.70"), std::string::npos);
  EXPECT_TRUE(
      has_command(findings.front(), kPython + " -m pip install 'nvidia-cudnn-cu12>=9.3,<10'"))
      << all_commands(findings.front());
}

TEST(CudnnVersionMismatch, AnotherMajorFiresAndASystemCopyGetsTheReplaceFix) {
  auto facts = cudnn_from_ld_library_path("9.1.0");
  remove_package(facts, "nvidia-cudnn-cu12");
  tf(facts).build_info.cudnn_version = seen(ver("8"));
  const auto findings = run_check("cudnn_version_mismatch", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_NE(findings.front().summary.find("another major"), std::string::npos);
  ASSERT_EQ(findings.front().fixes.size(), 1U);
  EXPECT_EQ(findings.front().fixes.front().commands, std::vector<std::string>{"sudo ldconfig"});
}

TEST(CudnnVersionMismatch, QuietWhenTheBuildNamesOnlyTheMajor) {
  auto facts = healthy_facts();  // build_info says "9", as TF 2.21's does
  library(facts, "libcudnn.so.9").version = seen(ver("9.1.0"));
  EXPECT_TRUE(run_check("cudnn_version_mismatch", facts, small_kb()).empty());
  tf(facts).build_info.cudnn_version = seen(ver("9.1"));
  EXPECT_TRUE(run_check("cudnn_version_mismatch", facts, small_kb()).empty());
}

// --- ld_library_path_other_cuda_major ----------------------------------------------------------

TEST(LdLibraryPathOtherCudaMajor, ACuda118EntryFiresWithTheNewValue) {
  auto facts = healthy_facts();
  facts.environment["LD_LIBRARY_PATH"] = "/usr/local/cuda-11.8/lib64:/home/ana/lib";
  const auto findings = run_check("ld_library_path_other_cuda_major", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings.front().severity, model::Severity::kWarning);
  EXPECT_NE(findings.front().summary.find("/usr/local/cuda-11.8/lib64"), std::string::npos);
  EXPECT_TRUE(has_command(findings.front(), "export LD_LIBRARY_PATH=/home/ana/lib"));
}

TEST(LdLibraryPathOtherCudaMajor, AToolkitReachedThroughTheCudaSymlinkCounts) {
  auto facts = healthy_facts();
  facts.cuda_toolkits = {toolkit("/usr/local/cuda-11.8", "11.8.0", {"/usr/local/cuda"})};
  facts.environment["LD_LIBRARY_PATH"] = "/usr/local/cuda/lib64";
  const auto findings = run_check("ld_library_path_other_cuda_major", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_NE(findings.front().summary.find("CUDA 11.8.0 toolkit"), std::string::npos);
  EXPECT_TRUE(has_command(findings.front(), "unset LD_LIBRARY_PATH"));
}

TEST(LdLibraryPathOtherCudaMajor, QuietForTheBuildsMajorAndForUnversionedPaths) {
  auto facts = healthy_facts();
  facts.environment["LD_LIBRARY_PATH"] =
      "/usr/local/cuda-12.4/lib64:/opt/cuda-tools/lib:relative/lib";
  EXPECT_TRUE(run_check("ld_library_path_other_cuda_major", facts, small_kb()).empty());
}

// --- xla_ptxas_missing / xla_libdevice_missing -------------------------------------------------

TEST(XlaTools, WithoutTheNvccWheelOrAToolkitBothFireWithThePipFix) {
  auto facts = healthy_facts();
  remove_package(facts, "nvidia-cuda-nvcc-cu12");
  for (const char* id : {"xla_ptxas_missing", "xla_libdevice_missing"}) {
    const auto findings = run_check(id, facts, small_kb());
    ASSERT_EQ(findings.size(), 1U) << id;
    EXPECT_EQ(findings.front().id, id);
    EXPECT_EQ(findings.front().severity, model::Severity::kWarning);
    EXPECT_NE(findings.front().summary.find("CUDA 12"), std::string::npos);
    EXPECT_TRUE(has_command(findings.front(), kPython + " -m pip install 'nvidia-cuda-nvcc-cu12'"));
  }
}

TEST(XlaTools, AToolkitOfAnotherMajorDoesNotCount) {
  auto facts = dev_machine_shape();
  remove_package(facts, "nvidia-cuda-nvcc-cu12");
  EXPECT_TRUE(fired(run_check("xla_ptxas_missing", facts, small_kb()), "xla_ptxas_missing"));
}

TEST(XlaTools, ASameMajorToolkitXlaDoesNotSearchGetsTheXlaFlagsFix) {
  auto facts = healthy_facts();
  remove_package(facts, "nvidia-cuda-nvcc-cu12");
  facts.cuda_toolkits = {toolkit("/usr/local/cuda-12.4", "12.4.0", {"/usr/local/cuda-12.4"})};
  const auto findings = run_check("xla_libdevice_missing", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_TRUE(has_command(findings.front(),
                          "export XLA_FLAGS=--xla_gpu_cuda_data_dir=/usr/local/cuda-12.4"))
      << all_commands(findings.front());
}

TEST(XlaTools, QuietWithASearchedToolkitOrAnOldTensorflow) {
  auto facts = healthy_facts();
  remove_package(facts, "nvidia-cuda-nvcc-cu12");
  facts.cuda_toolkits = {toolkit("/usr/local/cuda-12.4", "12.4.0", {"/usr/local/cuda"})};
  EXPECT_TRUE(run_check("xla_ptxas_missing", facts, small_kb()).empty());
  EXPECT_TRUE(run_check("xla_libdevice_missing", facts, small_kb()).empty());
  facts.cuda_toolkits.clear();
  tf(facts).version = seen(ver("2.11.0"));
  EXPECT_TRUE(run_check("xla_ptxas_missing", facts, small_kb()).empty());
}

// --- cuDNN installed by hand (tests/machines/cudnn-misplaced) ----------------------------------

TEST(CudnnHeaderLibraryMismatch, FiresOnTheCudnnMisplacedMachineWithBothVersions) {
  const auto facts = recorded("cudnn-misplaced");
  const auto findings = run_check("cudnn_header_library_mismatch", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  const auto& finding = findings.front();
  EXPECT_EQ(finding.severity, model::Severity::kWarning);
  EXPECT_EQ(finding.scope, kMachineScope);
  EXPECT_TRUE(evidence_shows(finding, "8.9.7"));
  EXPECT_TRUE(evidence_shows(finding, "8.6.0"));
  ASSERT_FALSE(finding.fixes.empty());
  EXPECT_NE(finding.fixes.front().why.find("cuDNN 8.6.0"), std::string::npos);
}

TEST(CudnnFilesMisplaced, FiresOnTheCudnnMisplacedMachineWithTheExactPlacement) {
  const auto facts = recorded("cudnn-misplaced");
  const auto findings = run_check("cudnn_files_misplaced", facts, small_kb());
  ASSERT_EQ(findings.size(), 1U);
  const auto& finding = findings.front();
  EXPECT_EQ(finding.severity, model::Severity::kWarning);
  ASSERT_FALSE(finding.fixes.empty());
  EXPECT_TRUE(finding.fixes.front().needs_root);
  const std::string target = "/usr/local/cuda-11.8/targets/x86_64-linux";
  for (const std::string& command :
       {"sudo cp -P " + target + "/lib/cudnn_version.h /usr/local/cuda-11.8/include/",
        "sudo rm " + target + "/lib/cudnn_version.h",
        "sudo cp -P " + target + "/include/libcudnn.so.8.6.0 /usr/local/cuda-11.8/lib64/",
        "sudo ln -sf libcudnn.so.8.6.0 " + target + "/lib/libcudnn.so.8",
        std::string("sudo ldconfig")}) {
    EXPECT_TRUE(has_command(finding, command)) << command << "\n" << all_commands(finding);
  }
  const auto& commands = finding.fixes.front().commands;
  EXPECT_EQ(commands.back(), "sudo ldconfig");
  EXPECT_NE(commands[commands.size() - 2].find("sudo chmod a+r"), std::string::npos);
}

TEST(CudnnMachineChecks, QuietOnTheHealthyMachine) {
  EXPECT_TRUE(run_check("cudnn_files_misplaced", healthy_facts(), small_kb()).empty());
  EXPECT_TRUE(run_check("cudnn_header_library_mismatch", healthy_facts(), small_kb()).empty());
}

// --- recorded machines and empty facts ---------------------------------------------------------

TEST(LibraryChecks, TheCondaMachineLoadsEverythingAndOnlyLacksPtxas) {
  const auto facts = recorded("conda-tf213-cuda118");
  std::set<std::string> ids;
  for (const auto& check : library_checks()) {
    for (const auto& finding : run_check(check.id, facts, small_kb())) {
      EXPECT_NE(finding.severity, model::Severity::kError) << finding.id << ": " << finding.summary;
      ids.insert(finding.id);
    }
  }
  // TF 2.13 finds conda's CUDA 11.8 through LD_LIBRARY_PATH; conda's cudatoolkit has no ptxas.
  EXPECT_EQ(ids, (std::set<std::string>{"xla_ptxas_missing", "xla_libdevice_missing"}));
}

TEST(LibraryAndCompatibilityChecks, ClaimNothingOnEmptyFacts) {
  model::Facts facts;
  facts.python_envs.emplace_back();
  facts.python_envs.front().tensorflow.emplace_back();
  const auto kb = small_kb();
  const auto gpus = gpu_views(facts, kb);
  const auto& env = facts.python_envs.front();
  const auto target = build_target(env.tensorflow.front(), kb);
  std::vector<CheckInfo> checks = library_checks();
  for (const auto& check : compatibility_checks()) {
    checks.push_back(check);
  }
  for (const auto& check : checks) {
    const auto findings =
        check.machine != nullptr
            ? check.machine(MachineView{facts, kb, gpus})
            : check.env(EnvView{facts, kb, gpus, env, env.tensorflow.front(), target});
    for (const auto& finding : findings) {
      ADD_FAILURE() << check.id << " claims on empty facts: " << finding.summary;
    }
  }
}

}  // namespace
}  // namespace tfgpu::checks
