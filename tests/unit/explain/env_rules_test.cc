// SPDX-License-Identifier: Apache-2.0
// The environment rules that separate neighbouring causes (env_rules.h), each firing and staying
// quiet, through explain() as users reach them; and the package-listing reader.
#include "tfgpu/explain/env_rules.h"

#include <string>
#include <string_view>
#include <utility>

#include <gtest/gtest.h>

#include "tfgpu/explain/diagnose.h"
#include "tfgpu/explain/here.h"
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

// What TensorFlow 2.21 logs on a machine with no NVIDIA GPU and no driver (seen by `tfgpu verify`).
constexpr std::string_view kCuInit303 =
    "E0000 00:00:1795718967.558419 6124 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA "
    "error: Failed call to cuInit: UNKNOWN ERROR (303)\n";

EnvFacts no_gpu_here() {
  EnvFacts facts = env("tensorflow 2.21.0", "Debian GNU/Linux 12");
  facts.gpu = std::string(kNoNvidiaGpuStated);
  facts.install_method = "pip in a venv at /root/.cache/tfgpu/tf-2.21.0";
  return facts;
}

const RankedCause* find_cause(const Explanation& explanation, std::string_view id) {
  for (const auto& cause : explanation.causes) {
    if (cause.id == id) {
      return &cause;
    }
  }
  return nullptr;
}

TEST(EnvRules, NoNvidiaGpuStatedOutranksTheDriver) {
  const auto explanation = explain_text(std::string(kCuInit303), no_gpu_here());
  ASSERT_EQ(top(explanation), "no_nvidia_gpu");
  const auto& first = explanation.causes.front();
  EXPECT_NEAR(first.confidence, 0.9, 1e-9);
  // It cites the log line the driver cause would have claimed, then the stated environment.
  ASSERT_EQ(first.evidence.size(), 2U);
  EXPECT_EQ(first.evidence[0].line, 1U);
  EXPECT_EQ(first.evidence[1].line, 0U);
  EXPECT_NE(first.evidence[1].text.find("not WSL2"), std::string::npos);
  // The driver cause stays, demoted: with no GPU there is no driver to fix.
  const auto* driver = find_cause(explanation, "driver_not_loaded_kernel_module");
  ASSERT_NE(driver, nullptr);
  EXPECT_NEAR(driver->confidence, 0.4 * 0.1, 1e-9);
}

TEST(EnvRules, NoNvidiaGpuStatedOutranksStackedDriverLines) {
  // Three driver lines score 0.9 together, above the rule's own weight: still ranked below it.
  const std::string log =
      std::string(kCuInit303) +
      "E cuda_diagnostics.cc:1] kernel driver does not appear to be running on this host\n"
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n";
  const auto explanation = explain_text(log, no_gpu_here());
  ASSERT_EQ(top(explanation), "no_nvidia_gpu");
  EXPECT_EQ(explanation.causes.front().evidence.size(), 4U);  // three lines, the environment
  ASSERT_GE(explanation.causes.size(), 2U);
  EXPECT_EQ(explanation.causes[1].id, "driver_not_loaded_kernel_module");
}

TEST(EnvRules, NoNvidiaGpuInAReportersWords) {
  const std::string no_device =
      "E cuda_driver.cc:300] failed call to cuInit: CUDA_ERROR_NO_DEVICE\n";
  auto facts = env("2.15", "Ubuntu 22.04");
  for (const char* gpu : {"None", "no GPU", "No NVIDIA GPU", "CPU only", "- none (laptop)"}) {
    facts.gpu = gpu;
    EXPECT_EQ(top(explain_text(no_device, facts)), "no_nvidia_gpu") << gpu;
  }
  facts.gpu = "";
  EXPECT_EQ(top(explain_text(no_device, with_note(facts, "GPU model and memory", "none"))),
            "no_nvidia_gpu");
  EXPECT_EQ(top(explain_text(no_device, with_note(facts, "gpu_count", "0"))), "no_nvidia_gpu");
  for (const char* note : {"running on a CPU-only laptop", "my laptop doesn't have an NVIDIA GPU",
                           "the server has no GPU."}) {
    EXPECT_EQ(top(explain_text(no_device, with_note(facts, "notes", note))), "no_nvidia_gpu")
        << note;
  }
  // The other failures TensorFlow logs when it reaches no GPU.
  facts.gpu = "none";
  EXPECT_EQ(top(explain_text("W cuda_executor.cc:1] Could not find cuda drivers on your machine, "
                             "GPU will not be used.\n",
                             facts)),
            "no_nvidia_gpu");
  // (Not gpu_device.cc's "Skipping registering GPU devices": TensorFlow prints it only after
  // counting a visible GPU; TF 2.21 on a machine with none logs only the failed cuInit.)
  EXPECT_EQ(top(explain_text("Num GPUs Available:  0\n", facts)), "no_nvidia_gpu");
}

TEST(EnvRules, NoNvidiaGpuQuietUnlessStatedOffWslAndFailing) {
  const std::string log(kCuInit303);
  auto facts = no_gpu_here();
  // A GPU stated, or nothing stated about the GPU: the driver reading stands.
  facts.gpu = "Tesla T4";
  EXPECT_EQ(top(explain_text(log, facts)), "driver_not_loaded_kernel_module");
  facts.gpu = "";
  const auto unstated = explain_text(log, facts);
  EXPECT_EQ(top(unstated), "driver_not_loaded_kernel_module");
  EXPECT_EQ(find_cause(unstated, "no_nvidia_gpu"), nullptr);
  EXPECT_NEAR(unstated.causes.front().confidence, 0.4, 1e-9);
  // The symptom, not the machine: "none detected" is what a GPU machine with a broken set-up says.
  for (const char* gpu :
       {"none detected", "no GPU found by TensorFlow", "N/A", "RTX 3080 (none)"}) {
    facts.gpu = gpu;
    EXPECT_EQ(find_cause(explain_text(log, facts), "no_nvidia_gpu"), nullptr) << gpu;
  }
  EXPECT_EQ(find_cause(explain_text(log, with_note(env("2.15"), "notes", "no GPU found")),
                       "no_nvidia_gpu"),
            nullptr);
  EXPECT_EQ(find_cause(explain_text(log, with_note(env("2.15"), "gpu", "0")), "no_nvidia_gpu"),
            nullptr);  // device 0, not a count
  // WSL2: the GPU is never on the PCI bus there.
  facts = no_gpu_here();
  facts.os = "Ubuntu 22.04 (WSL2)";
  EXPECT_EQ(find_cause(explain_text(log, facts), "no_nvidia_gpu"), nullptr);
  EXPECT_EQ(find_cause(explain_text(log, with_note(no_gpu_here(), "wsl", "True")), "no_nvidia_gpu"),
            nullptr);
  // Nothing GPU-related failed: the statement alone explains nothing.
  EXPECT_TRUE(explain_text("", no_gpu_here()).causes.empty());
  EXPECT_EQ(
      find_cause(explain_text("I port.cc:153] oneDNN custom operations are on.\n", no_gpu_here()),
                 "no_nvidia_gpu"),
      nullptr);
  // A log that shows a GPU TensorFlow reached contradicts the statement.
  EXPECT_EQ(find_cause(explain_text(log + "E bfc_allocator.cc:1] Allocator (GPU_0_bfc) ran out of "
                                          "memory trying to allocate 2.0GiB\n",
                                    no_gpu_here()),
                       "no_nvidia_gpu"),
            nullptr);
  // So does gpu_device.cc's "Skipping registering GPU devices": it comes only after TensorFlow
  // counted a visible GPU.
  EXPECT_EQ(find_cause(explain_text(log + "W gpu_device.cc:2344] Cannot dlopen some GPU libraries. "
                                          "Please make sure the missing libraries mentioned above "
                                          "are installed properly.\nSkipping registering GPU "
                                          "devices...\n",
                                    no_gpu_here()),
                       "no_nvidia_gpu"),
            nullptr);
}

TEST(FoundGpusThenSkipped, ReadsGpuDevicesSkipLines) {
  EXPECT_TRUE(found_gpus_then_skipped("Skipping registering GPU devices..."));
  EXPECT_TRUE(found_gpus_then_skipped(
      "W gpu_device.cc:2256] Cannot dlopen some GPU libraries. Please make sure"));
  EXPECT_FALSE(found_gpus_then_skipped("failed call to cuInit: UNKNOWN ERROR (303)"));
}

TEST(ListsNoGpu, ReadsTheInstallGuidesCheck) {
  EXPECT_TRUE(lists_no_gpu("Num GPUs Available:  0"));
  EXPECT_TRUE(lists_no_gpu("number of GPUs: 0"));
  EXPECT_TRUE(lists_no_gpu("  ✗ TensorFlow lists 0 GPUs"));
  EXPECT_FALSE(lists_no_gpu("Num GPUs Available:  1"));
  EXPECT_FALSE(lists_no_gpu("Num GPUs Available: 10"));
  EXPECT_FALSE(lists_no_gpu("TensorFlow lists 2 GPUs"));
  EXPECT_FALSE(lists_no_gpu(""));
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
