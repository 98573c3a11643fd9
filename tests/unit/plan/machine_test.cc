// SPDX-License-Identifier: Apache-2.0
// The machine a plan is for: --os, --cc and --gpu as users type them (bad values are errors that
// name the value), and this machine derived from probed facts.
#include "tfgpu/plan/machine.h"

#include <gtest/gtest.h>

#include "check_fixtures.h"
#include "tfgpu/kb/load.h"

namespace tfgpu::plan {
namespace {

using testing::seen;
using testing::ver;

const kb::KnowledgeBase& shipped_kb() {
  static const kb::KnowledgeBase kb = kb::compiled_kb();
  return kb;
}

TEST(ParseOsId, AcceptsTheDocumentedIdsAndOtherReleasesOfThoseDistributions) {
  for (const char* os : {"ubuntu-22.04", "ubuntu-24.04", "debian-12", "rhel-9", "fedora", "wsl2",
                         "windows", "macos", "ubuntu-20.04", "rocky-9", "fedora-41", "linux"}) {
    auto parsed = parse_os_id(os);
    ASSERT_TRUE(parsed) << os << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, os);
  }
  EXPECT_EQ(parse_os_id(" Ubuntu-22.04 ").value(), "ubuntu-22.04");
}

TEST(ParseOsId, RefusesOthersNamingTheValue) {
  for (const char* os :
       {"ubuntu", "debian-twelve", "arch", "win11", "", "rhel-9.", "ubuntu-22.04; rm"}) {
    auto parsed = parse_os_id(os);
    ASSERT_FALSE(parsed) << os;
    EXPECT_EQ(parsed.error().code, Errc::kInvalidArgument);
    EXPECT_NE(parsed.error().message.find("--os '"), std::string::npos);
    EXPECT_NE(parsed.error().message.find("ubuntu-22.04"), std::string::npos);
  }
}

TEST(PlatformOf, SortsIdsIntoPlatforms) {
  EXPECT_EQ(platform_of("wsl2"), Platform::kWsl2);
  EXPECT_EQ(platform_of("windows"), Platform::kWindows);
  EXPECT_EQ(platform_of("macos"), Platform::kMacos);
  EXPECT_EQ(platform_of("debian-12"), Platform::kLinux);
  EXPECT_EQ(platform_of(""), Platform::kLinux);
  EXPECT_EQ(distribution_of("rhel-9"), "rhel");
  EXPECT_EQ(distribution_version_of("ubuntu-24.04"), "24.04");
  EXPECT_EQ(distribution_of("wsl2"), "ubuntu");
  EXPECT_EQ(distribution_version_of("fedora"), "");
}

TEST(ParseComputeCapability, MajorDotMinorOnly) {
  EXPECT_EQ(parse_compute_capability("8.6").value(), ver("8.6"));
  EXPECT_EQ(parse_compute_capability("12.0").value().text(), "12.0");
  for (const char* bad : {"86", "8.6.1", "sm_86", "", "8.6a", "0.5"}) {
    auto parsed = parse_compute_capability(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message.find("--cc '"), std::string::npos);
  }
}

TEST(FindGpu, ExactBrandlessAndParenthesisedNames) {
  const auto& kb = shipped_kb();
  EXPECT_EQ(find_gpu("NVIDIA GeForce RTX 3060", kb).value()->name, "GeForce RTX 3060");
  EXPECT_EQ(find_gpu("rtx 3060", kb).value()->name, "GeForce RTX 3060");
  EXPECT_EQ(find_gpu("K80", kb).value()->compute_capability, ver("3.7"));
  EXPECT_EQ(find_gpu("B200", kb).value()->compute_capability, ver("10.0"));
  EXPECT_EQ(find_gpu("GTX 970", kb).value()->compute_capability, ver("5.2"));
}

TEST(FindGpu, UnknownNamesAreErrorsThatSayWhatToDo) {
  auto missing = find_gpu("RTX 9999", shipped_kb());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  EXPECT_NE(missing.error().message.find("'RTX 9999'"), std::string::npos);
  EXPECT_NE(missing.error().message.find("--cc"), std::string::npos);
}

TEST(FindGpu, NamesOfDifferentCapabilitiesAreAmbiguous) {
  kb::KnowledgeBase kb;
  kb::GpuModel a;
  a.name = "GeForce X 100";
  a.compute_capability = ver("7.5");
  kb::GpuModel b;
  b.name = "Quadro X 100";
  b.compute_capability = ver("8.6");
  kb.gpus = {a, b};
  auto found = find_gpu("X 100", kb);
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, Errc::kInvalidArgument);
  EXPECT_NE(found.error().message.find("GeForce X 100 (7.5)"), std::string::npos);
  b.compute_capability = ver("7.5");
  kb.gpus = {a, b};
  EXPECT_TRUE(find_gpu("X 100", kb));
}

TEST(DescribeFacts, TakesTheLiveGpuTheDriverThePythonWithTensorflowAndTheOs) {
  auto facts = testing::healthy_facts();
  model::PythonEnv newer;
  newer.interpreter = "/usr/bin/python3.13";
  newer.python_version = seen(ver("3.13.1"));
  facts.python_envs.push_back(newer);  // newer, but without TensorFlow
  const auto machine = describe_facts(facts, shipped_kb());
  EXPECT_EQ(machine.description, "this machine");
  EXPECT_EQ(machine.gpu_name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(machine.compute_capability, ver("9.0"));
  EXPECT_EQ(machine.compute_capability_source, "cuDeviceGetAttribute");
  EXPECT_FALSE(machine.gpu_absent);
  EXPECT_EQ(machine.driver, ver("550.54.14"));
  EXPECT_EQ(machine.python.value().text(), "3.11");
  EXPECT_EQ(machine.python_source, "/home/ana/venv/bin/python3");
  EXPECT_EQ(machine.os, "ubuntu-22.04");
  EXPECT_EQ(machine.arch, "x86_64");
}

TEST(DescribeFacts, NewestPythonWhenNoneHasTensorflow) {
  auto facts = testing::healthy_facts();
  facts.python_envs.front().tensorflow.clear();
  model::PythonEnv newer;
  newer.interpreter = "/usr/bin/python3.13";
  newer.python_version = seen(ver("3.13.1"));
  facts.python_envs.push_back(newer);
  EXPECT_EQ(describe_facts(facts, shipped_kb()).python.value().text(), "3.13");
}

TEST(DescribeFacts, NoNvidiaGpuIsAbsentButWsl2AndFailedPciAreUnknown) {
  auto facts = testing::healthy_facts();
  facts.user_driver.live.devices.clear();
  facts.pci_gpus.clear();
  EXPECT_TRUE(describe_facts(facts, shipped_kb()).gpu_absent);

  facts.problems.push_back({"pci", "reading /sys/bus/pci/devices: permission denied"});
  EXPECT_FALSE(describe_facts(facts, shipped_kb()).gpu_absent);

  facts.problems.clear();
  facts.host.wsl2 = seen(true);
  const auto wsl = describe_facts(facts, shipped_kb());
  EXPECT_FALSE(wsl.gpu_absent);
  EXPECT_EQ(wsl.os, "wsl2");
}

TEST(DescribeFacts, PciNameAndKbGiveTheCapabilityWithoutTheLiveDriver) {
  auto facts = testing::healthy_facts();
  facts.user_driver.live.devices.clear();
  const auto machine = describe_facts(facts, shipped_kb());
  EXPECT_EQ(machine.gpu_name, "H100 SXM5 80GB");
  EXPECT_EQ(machine.compute_capability, ver("9.0"));
}

TEST(DescribeFacts, RhelLikeSystemsByMajorAndUnknownDistributionsAsLinux) {
  auto facts = testing::healthy_facts();
  facts.host.os_id = seen(std::string("rocky"));
  facts.host.os_version_id = seen(std::string("9.3"));
  EXPECT_EQ(describe_facts(facts, shipped_kb()).os, "rocky-9");
  facts.host.os_id = seen(std::string("arch"));
  facts.host.os_version_id = model::Observed<std::string>::absent("/etc/os-release");
  EXPECT_EQ(describe_facts(facts, shipped_kb()).os, "linux");
}

}  // namespace
}  // namespace tfgpu::plan
