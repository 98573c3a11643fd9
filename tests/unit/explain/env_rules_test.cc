// SPDX-License-Identifier: Apache-2.0
// The environment rules that separate neighbouring causes (env_rules.h), each firing and staying
// quiet, through explain() as users reach them; and the package-listing reader.
#include "tfgpu/explain/env_rules.h"

#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "tfgpu/explain/diagnose.h"
#include "tfgpu/kb/load.h"

namespace tfgpu::explain {
namespace {

const kb::KnowledgeBase& embedded() {
  static const kb::KnowledgeBase kb = *kb::load_embedded();
  return kb;
}

Explanation explain_text(const std::string& text, const EnvFacts& env = {}) {
  auto explanation = explain(parse_report(text), embedded(), env);
  EXPECT_TRUE(explanation);
  return explanation ? *explanation : Explanation{};
}

std::string top(const Explanation& explanation) {
  return explanation.causes.empty() ? "" : explanation.causes.front().id;
}

EnvFacts env(std::string tf, std::string os = "Ubuntu 22.04") {
  EnvFacts facts;
  facts.tf_version = std::move(tf);
  facts.os = std::move(os);
  return facts;
}

EnvFacts with_note(EnvFacts facts, std::string key, std::string value) {
  facts.other.push_back(EnvDetail{std::move(key), std::move(value)});
  return facts;
}

constexpr std::string_view kCudnnClash =
    "E cuda_dnn.cc:378] Loaded runtime CuDNN library: 5103 (compatibility version 5100) but "
    "source was compiled with 4007 (compatibility version 4000).\n";

TEST(EnvRules, EnvironmentNotActivated) {
  auto facts = env("0.10");
  facts.cudnn = "5.1 (system)";
  EXPECT_EQ(top(explain_text(std::string(kCudnnClash), facts)), "cudnn_version_mismatch");
  facts.install_method = "pip in virtualenv (not activated)";
  EXPECT_EQ(top(explain_text(std::string(kCudnnClash), facts)), "wrong_python_interpreter");
  facts.install_method = "ran it with the system python instead of the venv";
  EXPECT_EQ(top(explain_text(std::string(kCudnnClash), facts)), "wrong_python_interpreter");
  // In a notebook the other interpreter is the kernel's, which this rule leaves alone.
  facts.install_method = "a different python in the jupyter notebook kernel";
  EXPECT_NE(top(explain_text(std::string(kCudnnClash), facts)), "wrong_python_interpreter");
  facts.install_method = "pip in an activated virtualenv";
  EXPECT_EQ(top(explain_text(std::string(kCudnnClash), facts)), "cudnn_version_mismatch");
}

TEST(EnvRules, SeveralDistributionsInAPackageListing) {
  const std::string listing =
      "$ pip list\n"
      "tensorboard          2.4.1\n"
      "tensorflow           2.4.1\n"
      "tensorflow-estimator 2.4.0\n"
      "tensorflow-gpu       2.4.1\n";
  EXPECT_EQ(top(explain_text(listing)), "multiple_tf_packages");
  EXPECT_EQ(top(explain_text("tensorflow==2.4.1\ntensorflow_gpu==2.4.1\n")),
            "multiple_tf_packages");
  // One distribution (and its companion packages) is no evidence.
  EXPECT_TRUE(
      explain_text("tensorflow-gpu       2.4.1\ntensorflow-estimator 2.4.0\n").causes.empty());
}

TEST(EnvRules, SeveralDistributionsStated) {
  auto facts =
      with_note(env("1.9"), "packages",
                "tensorflow-gpu plus a leftover CPU-only tensorflow 1.9.0 in the same env");
  EXPECT_EQ(top(explain_text("", facts)), "multiple_tf_packages");
  // The plain name without a version is the project, not a package.
  facts.other.back().value = "tensorflow-gpu, the usual tensorflow dependencies";
  EXPECT_TRUE(explain_text("", facts).causes.empty());
  // Only package-listing fields count: a version field naming the package is one distribution.
  facts = env("tensorflow-gpu 2.4 (tensorflow 2.4 before)");
  facts.install_method = "pip install tensorflow-gpu==2.4";
  EXPECT_NE(top(explain_text("", facts)), "multiple_tf_packages");
}

TEST(EnvRules, EarlierProcessHoldsTheGpu) {
  const std::string log =
      "E cuda_dnn.cc:371] could not create cudnn handle: CUDNN_STATUS_INTERNAL_ERROR\n";
  const auto facts = env("1.x");
  ASSERT_EQ(top(explain_text(log, facts)), "oom_without_memory_growth");
  EXPECT_EQ(top(explain_text(log, with_note(facts, "notes", "after an earlier run segfaulted"))),
            "gpu_memory_held_by_other_process");
  EXPECT_EQ(top(explain_text(log, with_note(facts, "notes", "another notebook is still running"))),
            "gpu_memory_held_by_other_process");
  EXPECT_EQ(top(explain_text(log, with_note(facts, "notes", "the model crashed with OOM"))),
            "oom_without_memory_growth");
  // No memory failure in the log: the stated other process alone names nothing.
  EXPECT_TRUE(explain_text("", with_note(facts, "notes", "after an earlier run segfaulted"))
                  .causes.empty());
}

TEST(EnvRules, WslDeviceFailure) {
  const std::string log =
      "RuntimeError: CUDA runtime implicit initialization on GPU:0 failed. Status: all "
      "CUDA-capable devices are busy or unavailable\n";
  const auto native = env("2.1", "Ubuntu 18.04");
  EXPECT_NE(top(explain_text(log, native)), "wsl_setup");
  EXPECT_EQ(top(explain_text(log, env("2.1", "Windows 10 build 20226 + WSL2 (Ubuntu)"))),
            "wsl_setup");
  EXPECT_EQ(top(explain_text(log, with_note(native, "wsl", "True"))), "wsl_setup");
  EXPECT_NE(top(explain_text(log, with_note(native, "wsl", "false"))), "wsl_setup");
  EXPECT_TRUE(explain_text("", with_note(native, "wsl", "True")).causes.empty());
}

TEST(EnvRules, ApplicationSettingsSelectTheCpu) {
  const std::string log =
      "E cuda_driver.cc:397] failed call to cuInit: CUDA_ERROR_NO_DEVICE\n"
      "I cuda_diagnostics.cc:152] no NVIDIA GPU device is present: /dev/nvidia0 does not exist\n";
  const auto facts = env("1.9", "Linux GPU server");
  EXPECT_NE(top(explain_text(log, facts)), "app_config_forces_cpu");
  EXPECT_EQ(
      top(explain_text(log, with_note(facts, "notes", "the model config selected CPU processing"))),
      "app_config_forces_cpu");
  EXPECT_EQ(top(explain_text(log, with_note(facts, "command", "train.py --device=cpu"))),
            "app_config_forces_cpu");
  EXPECT_NE(top(explain_text(log, with_note(facts, "notes", "the config file sets batch size 32"))),
            "app_config_forces_cpu");
}

TEST(EnvRules, CpuOnlyDistributionFromTheKb) {
  auto facts = env("1.15.2 ('tensorflow' PyPI package)");
  EXPECT_EQ(top(explain_text("", facts)), "tensorflow_cpu_only_package");
  facts = env("1.15.2");
  facts.install_method = "pip3 install tensorflow==1.15.2";
  EXPECT_EQ(top(explain_text("", facts)), "tensorflow_cpu_only_package");
  facts.install_method = "pip install tensorflow-gpu==1.15.2";
  EXPECT_TRUE(explain_text("", facts).causes.empty());
  facts.install_method = "pip install tensorflow==1.15.0";  // 1.15.0 carried the GPU
  EXPECT_TRUE(explain_text("", facts).causes.empty());
  facts = env("2.0.0");
  facts.install_method = "pip install tensorflow";
  EXPECT_EQ(top(explain_text("", facts)), "tensorflow_cpu_only_package");
  facts = env("2.16.1");
  facts.install_method = "pip install tensorflow";
  EXPECT_TRUE(explain_text("", facts).causes.empty());
}

TEST(EnvRules, OfficialImageWithTheWrongCudnn) {
  const std::string log =
      "W gpu_device.cc:2344] Cannot dlopen some GPU libraries. Please make sure the missing "
      "libraries mentioned above are installed properly if you would like to use GPU.\n"
      "Skipping registering GPU devices...\n";
  auto facts = env("2.18");
  facts.install_method = "apptainer pull docker://tensorflow/tensorflow:latest-gpu";
  const auto explanation = explain_text(log, facts);
  EXPECT_EQ(top(explanation), "missing_cudnn");
  ASSERT_FALSE(explanation.causes.empty());
  EXPECT_NE(explanation.causes.front().evidence.back().text.find("ships cuDNN 8.9"),
            std::string::npos);
  facts.install_method = "docker run --gpus all tensorflow/tensorflow:2.19.0-gpu";
  facts.tf_version = "";
  EXPECT_EQ(top(explain_text(log, facts)), "missing_cudnn");
  facts.install_method = "docker run --gpus all tensorflow/tensorflow:2.17.0-gpu";  // it works
  EXPECT_NE(top(explain_text(log, facts)), "missing_cudnn");
  facts = env("2.18.0, 2.19.0rc0");
  facts.install_method = "the official TensorFlow Docker containers";
  EXPECT_EQ(top(explain_text(log, facts)), "missing_cudnn");
  facts = env("2.18");
  facts.install_method = "GPU image 'tensorflow:2.18-gpu-jupyter'";
  EXPECT_EQ(top(explain_text(log, facts)), "missing_cudnn");
  facts.install_method = "pip install tensorflow==2.18.0 (tensorflow: 2.18)";  // not an image
  EXPECT_NE(top(explain_text(log, facts)), "missing_cudnn");
}

TEST(EnvRules, SystemCudaBeforeTheBundledLibraries) {
  const std::string log = "I cpu_utils.cc:94] CPU Frequency: 2496000000 Hz\n";
  auto facts = env("1.15.5");
  facts.install_method = "pip nvidia-tensorflow (brings its own CUDA 11.x libs) in a conda env";
  facts.cuda = "11.2 (system, on LD_LIBRARY_PATH)";
  EXPECT_EQ(top(explain_text(log, facts)), "system_libs_shadow_env_libs");
  facts.cuda = "11.2 (system)";
  EXPECT_NE(top(explain_text(log, facts)), "system_libs_shadow_env_libs");
  facts.cuda = "11.2 (system, on LD_LIBRARY_PATH)";
  facts.install_method = "pip";
  EXPECT_NE(top(explain_text(log, facts)), "system_libs_shadow_env_libs");
}

TEST(EnvRules, TensorflowNotUsedForTheGpu) {
  const std::string noise =
      "W py_utils.cc:38] TF-TRT Warning: Could not find TensorRT\n"
      "E cuda_dnn.cc:9261] Unable to register cuDNN factory: Attempting to register factory for "
      "plugin cuDNN when one has already been registered\n";
  const auto facts = env("2.15");
  EXPECT_NE(top(explain_text(noise, facts)), "benign_warning_no_gpu_intended");
  const auto pytorch_app =
      with_note(facts, "notes", "GPU training is done by PyTorch, not TensorFlow");
  const auto explanation = explain_text(noise, pytorch_app);
  EXPECT_EQ(top(explanation), "benign_warning_no_gpu_intended");
  EXPECT_TRUE(explanation.noise_only);
  // A failure in the log is still the answer.
  const std::string failure =
      "W gpu_device.cc:2344] Cannot dlopen some GPU libraries. Please make sure the missing "
      "libraries mentioned above are installed properly.\n";
  EXPECT_NE(top(explain_text(failure + noise, pytorch_app)), "benign_warning_no_gpu_intended");
}

TEST(EnvRules, TitleQuotesTheErrorTheExcerptCutOff) {
  const std::string report =
      "# Could not load dynamic library 'libcudnn.so.8'\n\n"
      "### TensorFlow version\n\ntf-nightly-gpu 2.5.0.dev20201125\n\n"
      "### Relevant log output\n\n```shell\n"
      "I dso_loader.cc:49] Successfully opened dynamic library libcudart.so.11.0\n"
      "I xla_cpu_device.cc:41] Not creating XLA devices, tf_xla_enable_xla_devices not set\n"
      "```\n";
  const auto explanation = explain_text(report);
  EXPECT_EQ(top(explanation), "missing_cudnn");
  ASSERT_FALSE(explanation.causes.empty());
  EXPECT_EQ(explanation.causes.front().evidence.front().line, 1U);
}

TEST(ListedDistribution, ReadsPipAndCondaListings) {
  EXPECT_EQ(listed_distribution("tensorflow-gpu       2.4.1"), "tensorflow-gpu");
  EXPECT_EQ(listed_distribution("tensorflow_cpu==2.16.1"), "tensorflow-cpu");
  EXPECT_EQ(listed_distribution("tensorflow   2.4.1   h30adc30_0   conda-forge"), "tensorflow");
  EXPECT_EQ(listed_distribution("  tf-nightly 2.17.0.dev20240301"), "tf-nightly");
  EXPECT_EQ(listed_distribution("tensorflow-estimator 2.4.0"), "");
  EXPECT_EQ(listed_distribution("tensorflow version 2.4.1 was installed"), "");
  EXPECT_EQ(listed_distribution("tensorboard 2.4.1"), "");
  EXPECT_EQ(listed_distribution(""), "");
}

}  // namespace
}  // namespace tfgpu::explain
