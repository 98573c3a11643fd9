// SPDX-License-Identifier: Apache-2.0
// The signature matcher and explain's ranking: hits, captures, noise never outranking a failure,
// and each environment rule firing and staying quiet.
#include "tfgpu/explain/diagnose.h"

#include <string>

#include <gtest/gtest.h>

#include "tfgpu/explain/matcher.h"
#include "tfgpu/kb/load.h"

namespace tfgpu::explain {
namespace {

const kb::KnowledgeBase& embedded() {
  static const kb::KnowledgeBase kb = *kb::load_embedded();
  return kb;
}

Explanation explain_log(const std::string& log, const EnvFacts& env = {}) {
  auto explanation = explain(parse_report(log), embedded(), env);
  EXPECT_TRUE(explanation);
  return explanation ? *explanation : Explanation{};
}

std::string top(const Explanation& explanation) {
  return explanation.causes.empty() ? "" : explanation.causes.front().id;
}

TEST(SignatureMatcher, FindsHitsAndCaptures) {
  const auto matcher = SignatureMatcher::compile(embedded());
  ASSERT_TRUE(matcher);
  EXPECT_EQ(matcher->size(), embedded().signatures.size());
  const auto hits = matcher->match_line(
      "2019-01-18 21:14:06.030010: E tensorflow/stream_executor/cuda/cuda_dnn.cc:378] Loaded "
      "runtime CuDNN library: 7103 (compatibility version 7100) but source was compiled with "
      "7005 (compatibility version 7000).");
  ASSERT_FALSE(hits.empty());
  const auto& signature = embedded().signatures[hits.front().signature];
  EXPECT_EQ(signature.cause, "cudnn_version_mismatch");
  ASSERT_FALSE(hits.front().captures.empty());
  EXPECT_EQ(hits.front().captures.front(), "7103");
  EXPECT_TRUE(matcher->match_line("Epoch 1/10 - loss: 0.3").empty());
  EXPECT_TRUE(matcher->match_line("").empty());
}

TEST(SignatureMatcher, MatchesOnlyTheFirst64KiBOfALine) {
  const auto matcher = SignatureMatcher::compile(embedded());
  ASSERT_TRUE(matcher);
  const std::string message = "CUDA driver version is insufficient for CUDA runtime version";
  EXPECT_FALSE(matcher->match_line(std::string(1000, 'x') + message).empty());
  EXPECT_TRUE(matcher->match_line(std::string(kMaxMatchedLineBytes, 'x') + message).empty());
}

TEST(SignatureMatcher, BadPatternIsAnErrorNamingTheSignature) {
  kb::KnowledgeBase kb;
  kb.signatures.push_back(kb::Signature{"broken_one", "x", "(unclosed", 0.5, {}, {}});
  const auto matcher = SignatureMatcher::compile(kb);
  ASSERT_FALSE(matcher);
  EXPECT_NE(matcher.error().message.find("broken_one"), std::string::npos);
}

TEST(Explain, FailureOutranksNoiseAndCitesLines) {
  const auto explanation = explain_log(
      "I tensorflow/core/platform/cpu_feature_guard.cc:182] This TensorFlow binary is optimized "
      "to use available CPU instructions in performance-critical operations.\n"
      "E cuda_driver.cc:282] failed call to cuInit: CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE\n"
      "W cuda_executor.cc] CUDA driver version is insufficient for CUDA runtime version\n");
  ASSERT_FALSE(explanation.causes.empty());
  EXPECT_FALSE(explanation.noise_only);
  EXPECT_EQ(explanation.lines_scanned, 3u);
  const auto& first = explanation.causes.front();
  EXPECT_EQ(first.id, "driver_too_old");
  EXPECT_GT(first.confidence, 0.9);
  EXPECT_LE(first.confidence, 1.0);
  ASSERT_EQ(first.evidence.size(), 2u);
  EXPECT_EQ(first.evidence[0].line, 2u);
  EXPECT_EQ(first.evidence[1].line, 3u);
  EXPECT_EQ(explanation.causes.back().kind, kb::CauseKind::kNoise);
}

TEST(Explain, NoiseOnlyLog) {
  const auto explanation = explain_log(
      "I numa.cc] successful NUMA node read from SysFS had negative value (-1), but there must be "
      "at least one NUMA node, so returning NUMA node zero.\n"
      "Epoch 1/3\n");
  EXPECT_TRUE(explanation.noise_only);
  EXPECT_EQ(top(explanation), "benign_warning_numa");
}

TEST(Explain, NothingRecognised) {
  const auto explanation = explain_log("hello\nworld\n");
  EXPECT_TRUE(explanation.causes.empty());
  EXPECT_FALSE(explanation.noise_only);
  EXPECT_EQ(explanation.lines_scanned, 2u);
}

TEST(Explain, EvidenceIsCappedInInputOrder) {
  std::string log;
  for (int i = 0; i < 8; ++i) {
    log += "CUDA driver version is insufficient for CUDA runtime version\n";
  }
  const auto explanation = explain_log(log);
  ASSERT_FALSE(explanation.causes.empty());
  const auto& evidence = explanation.causes.front().evidence;
  ASSERT_EQ(evidence.size(), kMaxEvidenceLines);
  EXPECT_EQ(evidence.front().line, 1u);
  EXPECT_EQ(evidence.back().line, 5u);
  // One signature repeated is one piece of evidence: its weight is not compounded.
  EXPECT_NEAR(explanation.causes.front().confidence, 0.9, 1e-9);
}

TEST(Signatures, CpuOnlyDistribution) {
  EXPECT_EQ(top(explain_log("{'cpu_compiler': '/usr/bin/gcc', 'is_cuda_build': False, "
                            "'is_rocm_build': False}\n")),
            "tensorflow_cpu_only_package");
  EXPECT_EQ(top(explain_log("Successfully installed keras-3.3.3 tensorflow-cpu-2.16.1\n")),
            "tensorflow_cpu_only_package");
  EXPECT_EQ(top(explain_log("tensorflow-cpu           2.16.1\n")), "tensorflow_cpu_only_package");
  EXPECT_EQ(top(explain_log("Name: tensorflow-cpu\n")), "tensorflow_cpu_only_package");
  // The CUDA build, the CUDA package and other packages stay quiet.
  EXPECT_TRUE(explain_log("{'is_cuda_build': True, 'cuda_version': '12.3'}\n").causes.empty());
  EXPECT_TRUE(explain_log("Successfully installed tensorflow-2.16.1 keras-3.3.3\n").causes.empty());
  EXPECT_TRUE(explain_log("tensorflow-cpu-aws-helper  1.0\n").causes.empty());
}

EnvFacts env(std::string tf, std::string os = "Ubuntu 22.04") {
  EnvFacts facts;
  facts.tf_version = std::move(tf);
  facts.os = std::move(os);
  return facts;
}

TEST(EnvironmentRules, WindowsNativeAfter2_10) {
  EXPECT_EQ(top(explain_log("", env("2.12.0", "Windows 11"))),
            "windows_native_gpu_unsupported_after_2_10");
  EXPECT_TRUE(explain_log("", env("2.10.1", "Windows 10")).causes.empty());
  EXPECT_TRUE(explain_log("", env("2.15.0", "Windows 11 (WSL2)")).causes.empty());
}

TEST(EnvironmentRules, CudaRuntimeMismatch) {
  auto facts = env("TF 2.1.0");
  facts.cuda = "10.2.89";  // before CUDA 11 the soname carries major.minor
  EXPECT_EQ(top(explain_log("", facts)), "cuda_runtime_version_mismatch");
  facts.cuda = "10.1";
  EXPECT_TRUE(explain_log("", facts).causes.empty());
  facts = env("2.15.0");
  facts.cuda = "12.4 in conda env";  // from CUDA 11 on, the major
  EXPECT_TRUE(explain_log("", facts).causes.empty());
  facts.cuda = "11.8";
  EXPECT_EQ(top(explain_log("", facts)), "cuda_runtime_version_mismatch");
}

TEST(EnvironmentRules, PythonOutsideTheRelease) {
  auto facts = env("2.15.0");
  facts.python = "3.12";
  EXPECT_EQ(top(explain_log("", facts)), "python_version_unsupported");
  facts.python = "3.11.4";
  EXPECT_TRUE(explain_log("", facts).causes.empty());
}

TEST(EnvironmentRules, ComputeCapability) {
  auto facts = env("2.16.1");
  facts.gpu = "NVIDIA GeForce GTX 750 Ti 2GB";  // 5.0: in 2.16's build
  EXPECT_TRUE(explain_log("", facts).causes.empty());
  facts.tf_version = "2.18.0";  // 2.17+ wheels start at sm_60
  EXPECT_EQ(top(explain_log("", facts)), "compute_capability_unsupported");
  facts.gpu = "NVIDIA GeForce RTX 5090";  // 12.0: past compute_90
  EXPECT_EQ(top(explain_log("", facts)), "gpu_arch_too_new_for_build");
  facts.gpu = "NVIDIA A100-SXM4-80GB";
  EXPECT_TRUE(explain_log("", facts).causes.empty());
}

TEST(EnvironmentRules, AndCudaExtraMissing) {
  const std::string log =
      "W gpu_device.cc:2256] Cannot dlopen some GPU libraries. Please make sure the missing "
      "libraries mentioned above are installed properly.\n";
  auto facts = env("2.15.1");  // its RUNPATH reaches every wheel TensorFlow dlopens
  facts.install_method = "pip";
  const auto explanation = explain_log(log, facts);
  ASSERT_FALSE(explanation.causes.empty());
  EXPECT_EQ(top(explanation), "and_cuda_extra_missing");
  EXPECT_GT(explanation.causes.front().confidence, 0.8);
  facts.cuda = "12.3 (system)";
  EXPECT_LT(explain_log(log, facts).causes.front().confidence, 0.8);
}

TEST(EnvironmentRules, CudnnLoadFailureWithOtherMajorStated) {
  const std::string log =
      "W dso_loader.cc:59] Could not load dynamic library 'libcudnn.so.7'; dlerror: "
      "libcudnn.so.7: cannot open shared object file: No such file or directory\n";
  auto facts = env("2.3.0");
  EXPECT_EQ(top(explain_log(log, facts)), "missing_cudnn");
  facts.cudnn = "7.6.5";  // the major TensorFlow asks for: nothing clashes
  EXPECT_EQ(top(explain_log(log, facts)), "missing_cudnn");
  facts.cudnn = "8.0.2 (only libcudnn.so.8 present)";
  EXPECT_EQ(top(explain_log(log, facts)), "cudnn_version_mismatch");
  // A release the KB does not list: the soname in the log says which major is wanted.
  const std::string old_log =
      "ImportError: libcudnn.so.6: cannot open shared object file: No such file or directory\n";
  facts = env("0.9.0");
  facts.cudnn = "6.0";
  EXPECT_EQ(top(explain_log(old_log, facts)), "missing_cudnn");
  facts.cudnn = "5.1";
  EXPECT_EQ(top(explain_log(old_log, facts)), "cudnn_version_mismatch");
}

TEST(EnvironmentRules, CondaInstalledTensorflowWithVersionClash) {
  const std::string log =
      "E cuda_dnn.cc:378] Loaded runtime CuDNN library: 7103 (compatibility version 7100) but "
      "source was compiled with 7005 (compatibility version 7000).\n";
  auto facts = env("1.4.1");
  facts.install_method = "conda";
  EXPECT_EQ(top(explain_log(log, facts)), "conda_env_mismatch");
  facts.install_method = "pip in a conda env";  // pip's wheel brings no CUDA of its own
  EXPECT_EQ(top(explain_log(log, facts)), "cudnn_version_mismatch");
  facts.install_method = "conda";
  EXPECT_TRUE(explain_log("", facts).causes.empty());  // no clash in the log
}

TEST(EnvironmentRules, CondaCudaWithPipTensorflow) {
  auto facts = env("2.7.0");
  facts.install_method = "conda env with cudatoolkit=11.2 + pip tensorflow";
  EXPECT_EQ(top(explain_log("", facts)), "ld_library_path_missing_env_cuda_libs");
  facts.install_method = "pip";
  facts.cuda = "11.2 (conda)";
  EXPECT_EQ(top(explain_log("", facts)), "ld_library_path_missing_env_cuda_libs");
  facts.cuda = "11.2 (system)";
  EXPECT_TRUE(explain_log("", facts).causes.empty());
}

TEST(EnvironmentRules, SecureBootStated) {
  const std::string log =
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure "
      "that the latest NVIDIA driver is installed and running.\n";
  auto facts = env("2.15.0", "Fedora 34");
  EXPECT_EQ(top(explain_log(log, facts)), "driver_not_loaded_kernel_module");
  facts.other.push_back(EnvDetail{"notes", "Secure Boot was enabled in firmware"});
  EXPECT_EQ(top(explain_log(log, facts)), "secure_boot_blocks_nvidia_module");
  facts.other.back().value = "Secure Boot is disabled";
  EXPECT_EQ(top(explain_log(log, facts)), "driver_not_loaded_kernel_module");
  facts.other.back().value = "Secure Boot enabled";
  EXPECT_TRUE(explain_log("", facts).causes.empty());  // no driver failure in the log
}

TEST(EnvironmentRules, RunningTensorflowOverrulesAStatedPython) {
  auto facts = env("2.15.0");
  facts.python = "3.12";
  const std::string noise =
      "W graph_launch.cc:671] Fallback to op-by-op mode because memset node breaks graph update\n";
  EXPECT_EQ(top(explain_log("", facts)), "python_version_unsupported");
  EXPECT_TRUE(explain_log(noise, facts).noise_only);
}

TEST(EnvironmentRules, RunpathMissesWheels) {
  const std::string log =
      "W gpu_device.cc:2256] Cannot dlopen some GPU libraries. Please make sure the missing "
      "libraries mentioned above are installed properly.\n";
  const auto has = [](const Explanation& explanation, const std::string& id) {
    for (const auto& cause : explanation.causes) {
      if (cause.id == id) {
        return true;
      }
    }
    return false;
  };
  auto facts = env("2.16.1");  // RUNPATH reaches cuda_runtime only
  facts.install_method = "pip";
  auto explanation = explain_log(log, facts);
  EXPECT_EQ(top(explanation), "ld_library_path_missing_env_cuda_libs");
  EXPECT_TRUE(has(explanation, "and_cuda_extra_missing"));
  facts.tf_version = "2.21.0";  // no cusolver folder on the RUNPATH
  EXPECT_EQ(top(explain_log(log, facts)), "ld_library_path_missing_env_cuda_libs");
  facts.tf_version = "2.17.0";  // every wheel reached
  EXPECT_FALSE(has(explain_log(log, facts), "ld_library_path_missing_env_cuda_libs"));
  facts.tf_version = "2.16.1";
  facts.cuda = "12.3 (system)";
  EXPECT_FALSE(has(explain_log(log, facts), "ld_library_path_missing_env_cuda_libs"));
  facts.cuda.clear();
  EXPECT_FALSE(has(explain_log("", facts), "ld_library_path_missing_env_cuda_libs"));
}

TEST(EnvironmentRules, WheelsOnThePathLackTheSoname) {
  const std::string on_path =
      "I dso_loader.cc:70] Could not load dynamic library 'libcudart.so.12'; dlerror: "
      "libcudart.so.12: cannot open shared object file: No such file or directory; "
      "LD_LIBRARY_PATH: /opt/conda/lib/python3.11/site-packages/nvidia/cuda_runtime/lib/\n"
      "W gpu_device.cc:2256] Cannot dlopen some GPU libraries.\n";
  auto facts = env("2.16.1");
  facts.install_method = "pip";
  EXPECT_EQ(top(explain_log(on_path, facts)), "cuda_runtime_version_mismatch");
  const std::string no_path =
      "I dso_loader.cc:70] Could not load dynamic library 'libcudart.so.12'; dlerror: "
      "libcudart.so.12: cannot open shared object file: No such file or directory; "
      "LD_LIBRARY_PATH: /usr/local/lib\n"
      "W gpu_device.cc:2256] Cannot dlopen some GPU libraries.\n";
  EXPECT_NE(top(explain_log(no_path, facts)), "cuda_runtime_version_mismatch");
}

TEST(EnvFacts, KnownKeysOnly) {
  EnvFacts facts;
  EXPECT_TRUE(set_env_fact(facts, "tf_version", "2.16.1"));
  EXPECT_EQ(facts.tf_version, "2.16.1");
  const auto unknown = set_env_fact(facts, "tensorflow", "2.16.1");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("tensorflow"), std::string::npos);
  ReportEnv stated;
  stated.tf_version = "2.10";
  stated.os = "Windows 10";
  const auto merged = merged_env(stated, facts);
  EXPECT_EQ(merged.tf_version, "2.16.1");
  EXPECT_EQ(merged.os, "Windows 10");
}

}  // namespace
}  // namespace tfgpu::explain
