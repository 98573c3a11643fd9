// SPDX-License-Identifier: Apache-2.0
// `explain --here`: probed facts in a reporter's words, and the environment rules reading them.
#include "tfgpu/explain/here.h"

#include <gtest/gtest.h>

#include "tfgpu/explain/diagnose.h"
#include "tfgpu/kb/load.h"

namespace tfgpu::explain {
namespace {

using model::Observed;

model::Facts machine_with_tensorflow() {
  model::Facts facts;
  facts.host.os_pretty_name = Observed<std::string>::present("Debian GNU/Linux 12", "os-release");
  facts.kernel_driver.module_version =
      Observed<Version>::present(*Version::parse("470.223.02"), "/proc/driver/nvidia/version");
  model::PciGpu gpu;
  gpu.vendor_id = "10de";
  gpu.model_name = Observed<std::string>::present("TU104GL [Tesla T4]", "pci.ids");
  facts.pci_gpus.push_back(gpu);
  model::CudaToolkit toolkit;
  toolkit.root = "/usr/local/cuda-13.0";
  toolkit.version = Observed<Version>::present(*Version::parse("13.0.88"), "version.json");
  facts.cuda_toolkits.push_back(toolkit);

  model::PythonEnv env;
  env.kind = "venv";
  env.prefix = "/home/u/venv";
  env.python_version = Observed<Version>::present(*Version::parse("3.11.2"), "python");
  env.packages.push_back(model::PythonPackage{"nvidia-cudnn-cu12", "9.3.0.75", ""});
  model::TensorflowInstall tensorflow;
  tensorflow.package = "tensorflow";
  tensorflow.version = Observed<Version>::present(*Version::parse("2.21.0"), "METADATA");
  env.tensorflow.push_back(tensorflow);
  model::LibraryResolution cudnn;
  cudnn.family = "cudnn";
  cudnn.path = Observed<std::string>::present("/home/u/venv/nvidia/cudnn/lib/libcudnn.so.9", "x");
  cudnn.version = Observed<Version>::present(*Version::parse("9.3.0.75"), "dist-info");
  cudnn.provider = model::Provider::kPipWheel;
  env.libraries.push_back(cudnn);
  facts.python_envs.push_back(env);
  facts.environment["LD_LIBRARY_PATH"] = "/usr/local/cuda-13.0/lib64";
  facts.environment["CUDA_VISIBLE_DEVICES"] = std::nullopt;
  return facts;
}

TEST(Here, FactsInAReportersWords) {
  const ReportEnv stated = env_from_facts(machine_with_tensorflow());
  EXPECT_EQ(stated.tf_version, "tensorflow 2.21.0");
  EXPECT_EQ(stated.python, "3.11.2");
  EXPECT_EQ(stated.os, "Debian GNU/Linux 12");
  EXPECT_EQ(stated.driver, "470.223.02");
  EXPECT_EQ(stated.gpu, "TU104GL [Tesla T4]");
  EXPECT_EQ(stated.cudnn, "9.3.0.75 (nvidia wheel, /home/u/venv/nvidia/cudnn/lib/libcudnn.so.9)");
  // cudart does not resolve in the environment: the system toolkit is what a user would name.
  EXPECT_EQ(stated.cuda, "13.0.88 (system, /usr/local/cuda-13.0)");
  EXPECT_NE(stated.install_method.find("and-cuda"), std::string::npos);
  ASSERT_EQ(stated.other.size(), 1U);  // an unset variable is not stated
  EXPECT_EQ(stated.other[0].key, "LD_LIBRARY_PATH");
}

TEST(Here, NoTensorflowLeavesItsFieldsEmpty) {
  auto facts = machine_with_tensorflow();
  facts.python_envs.front().tensorflow.clear();
  const ReportEnv stated = env_from_facts(facts);
  EXPECT_EQ(stated.tf_version, "");
  EXPECT_EQ(stated.python, "");
  EXPECT_EQ(stated.cuda, "13.0.88 (system, /usr/local/cuda-13.0)");
  EXPECT_EQ(env_from_facts(model::Facts{}), ReportEnv{});
}

// A machine with no NVIDIA GPU, as `tfgpu verify` saw it: nothing on the PCI bus, no driver, not
// WSL2, TensorFlow 2.21 in a venv.
model::Facts machine_without_gpu() {
  auto facts = machine_with_tensorflow();
  facts.pci_gpus.clear();
  facts.kernel_driver.module_version = Observed<Version>::absent("/proc/driver/nvidia/version");
  facts.cuda_toolkits.clear();
  facts.environment.clear();
  facts.host.wsl2 = Observed<bool>::present(false, "/proc/version");
  return facts;
}

TEST(Here, NoNvidiaGpuStatedOnlyWhenKnown) {
  EXPECT_EQ(env_from_facts(machine_without_gpu()).gpu, kNoNvidiaGpuStated);
  // Unknown WSL2, WSL2, a PCI listing that failed, or an NVIDIA device without a model name: not
  // known to have none.
  auto facts = machine_without_gpu();
  facts.host.wsl2 = Observed<bool>::unknown("/proc/version", "unreadable");
  EXPECT_EQ(env_from_facts(facts).gpu, "");
  facts = machine_without_gpu();
  facts.host.wsl2 = Observed<bool>::present(true, "/proc/version");
  EXPECT_EQ(env_from_facts(facts).gpu, "");
  facts = machine_without_gpu();
  facts.problems.push_back(model::ProbeProblem{"pci", "reading /sys/bus/pci/devices: denied"});
  EXPECT_EQ(env_from_facts(facts).gpu, "");
  facts = machine_without_gpu();
  model::PciGpu unnamed;
  unnamed.vendor_id = "10DE";
  facts.pci_gpus.push_back(unnamed);
  EXPECT_EQ(env_from_facts(facts).gpu, "");
  // A machine with a GPU states it.
  auto with_gpu = machine_with_tensorflow();
  with_gpu.host.wsl2 = Observed<bool>::present(false, "/proc/version");
  EXPECT_EQ(env_from_facts(with_gpu).gpu, "TU104GL [Tesla T4]");
}

TEST(Here, NoNvidiaGpuRuleReadsTheProbedFacts) {
  // The log TensorFlow 2.21 writes there, explained as `verify` and `explain --here` do.
  const auto kb = kb::load_embedded();
  ASSERT_TRUE(kb);
  const auto report = parse_report(
      "E0000 00:00:1795718967.558419 6124 cuda_platform.cc:52] failed call to cuInit: INTERNAL: "
      "CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)\n");
  const auto explanation = explain(report, *kb, env_from_facts(machine_without_gpu()));
  ASSERT_TRUE(explanation);
  ASSERT_FALSE(explanation->causes.empty());
  EXPECT_EQ(explanation->causes.front().id, "no_nvidia_gpu");
  // Where the bus has a GPU, the same line is the driver's.
  auto with_gpu = machine_with_tensorflow();
  with_gpu.environment.clear();
  with_gpu.cuda_toolkits.clear();
  with_gpu.host.wsl2 = Observed<bool>::present(false, "/proc/version");
  const auto driver = explain(report, *kb, env_from_facts(with_gpu));
  ASSERT_TRUE(driver);
  ASSERT_FALSE(driver->causes.empty());
  EXPECT_EQ(driver->causes.front().id, "driver_not_loaded_kernel_module");
}

TEST(Here, RulesReadTheProbedFacts) {
  // The probed CUDA 13 system toolkit against a TensorFlow built for CUDA 12: the runtime
  // mismatch rule reads it as it reads a reporter's "CUDA version" field.
  const auto kb = kb::load_embedded();
  ASSERT_TRUE(kb);
  auto facts = machine_with_tensorflow();
  facts.environment.erase("LD_LIBRARY_PATH");
  const auto explanation = explain(parse_report(""), *kb, env_from_facts(facts));
  ASSERT_TRUE(explanation);
  ASSERT_FALSE(explanation->causes.empty());
  EXPECT_EQ(explanation->causes.front().id, "cuda_runtime_version_mismatch");
  // With the system CUDA on LD_LIBRARY_PATH beside the [and-cuda] wheels, the shadowing rule
  // reads the probed variable too.
  const auto with_path = explain(parse_report(""), *kb, env_from_facts(machine_with_tensorflow()));
  ASSERT_TRUE(with_path);
  bool shadowing = false;
  for (const auto& cause : with_path->causes) {
    shadowing = shadowing || cause.id == "system_libs_shadow_env_libs";
  }
  EXPECT_TRUE(shadowing);
}

}  // namespace
}  // namespace tfgpu::explain
