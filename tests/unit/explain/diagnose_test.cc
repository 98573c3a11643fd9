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
  auto facts = env("2.16.1");
  facts.install_method = "pip";
  const auto explanation = explain_log(log, facts);
  ASSERT_FALSE(explanation.causes.empty());
  EXPECT_EQ(top(explanation), "and_cuda_extra_missing");
  EXPECT_GT(explanation.causes.front().confidence, 0.8);
  facts.cuda = "12.3 (system)";
  EXPECT_LT(explain_log(log, facts).causes.front().confidence, 0.8);
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
