// SPDX-License-Identifier: Apache-2.0
// The machine checks of driver_checks.cc: each fires on the healthy machine of check_fixtures.h
// with one thing changed, and on the recorded machine meant to show it (tests/machines/*/expected/
// probe.json); each stays quiet at the boundary that matters.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "check_test_helpers.h"
#include "tfgpu/checks/check_groups.h"

namespace tfgpu::checks {
namespace {

using model::Finding;
using model::Presence;
using model::Severity;
using testing::cites;
using testing::evidence_shows;
using testing::fired;
using testing::has_command;
using testing::healthy_facts;
using testing::mentions;
using testing::quiet;
using testing::recorded;
using testing::run_check;
using testing::run_one;
using testing::seen;
using testing::small_kb;
using testing::the;
using testing::ver;

// The finding's first fix; an empty one (and a test failure) when it has none.
model::Fix first_fix(const Finding& finding) {
  if (finding.fixes.empty()) {
    ADD_FAILURE() << finding.id << " has no fix";
    return {};
  }
  return finding.fixes.front();
}

std::vector<Finding> run_group(const std::vector<CheckInfo>& group, const model::Facts& facts) {
  std::vector<Finding> findings;
  for (const auto& check : group) {
    auto found = run_check(check.id, facts, small_kb());
    findings.insert(findings.end(), found.begin(), found.end());
  }
  return findings;
}

// Neither errors nor warnings from the machine checks of this group.
void expect_no_problem(const model::Facts& facts, const std::string& machine) {
  for (const auto& finding : run_group(driver_checks(), facts)) {
    EXPECT_EQ(finding.severity, Severity::kInfo)
        << machine << ": " << finding.id << ": " << finding.summary;
  }
}

// The healthy machine without a working kernel driver: no version file, module not listed.
model::Facts without_kernel_module() {
  auto facts = healthy_facts();
  auto& kernel = facts.kernel_driver;
  kernel.module_version = model::Observed<Version>::absent("/proc/driver/nvidia/version");
  kernel.module_flavor = model::Observed<std::string>::absent("/proc/driver/nvidia/version");
  kernel.nvidia_module_loaded = seen(false, "/proc/modules");
  auto& live = facts.user_driver.live;
  live.cu_init_status = seen(100);
  live.cu_init_status_name = "CUDA_ERROR_NO_DEVICE";
  live.device_count = model::Observed<int>::unknown("cuDeviceGetCount", "cuInit failed");
  live.devices.clear();
  return facts;
}

// ... and with no driver user space either.
model::Facts without_driver() {
  auto facts = without_kernel_module();
  auto& user = facts.user_driver;
  const std::string searched = "searched 4 places";
  user.libcuda.path = model::Observed<std::string>::absent(searched);
  user.libcuda.real_path = model::Observed<std::string>::absent(searched);
  user.libcuda.version = model::Observed<Version>::absent(searched);
  user.libcuda.provider = model::Provider::kUnknown;
  user.libcuda.candidates.clear();
  user.libcuda_is_stub = model::Observed<bool>::absent(searched);
  user.live = {};
  user.live.outcome = seen(std::string("exited"));
  return facts;
}

// ---- no_nvidia_gpu --------------------------------------------------------------------------

TEST(NoNvidiaGpu, FiresWithNoNvidiaPciDeviceAndNoLiveDevice) {
  auto facts = without_driver();
  facts.pci_gpus.front().vendor_id = "1a03";  // the board's ASPEED BMC only
  facts.pci_gpus.front().model_name = seen(std::string("ASPEED Graphics Family"));
  const auto finding = run_one("no_nvidia_gpu", facts);
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_TRUE(mentions(finding.summary, "run on the CPU")) << finding.summary;
  EXPECT_TRUE(evidence_shows(finding, "ASPEED"));
  ASSERT_EQ(finding.fixes.size(), 2u);  // the second: the driver TF 2.21 will need
  EXPECT_TRUE(first_fix(finding).commands.empty());
  EXPECT_TRUE(mentions(first_fix(finding).why, "NVIDIA GPU"));
}

TEST(NoNvidiaGpu, QuietOnWsl2WhereTheGpuIsNotOnPci) {
  const auto facts = recorded("wsl2");
  ASSERT_TRUE(facts.pci_gpus.empty() ||
              std::none_of(facts.pci_gpus.begin(), facts.pci_gpus.end(),
                           [](const model::PciGpu& g) { return g.vendor_id == "10de"; }));
  EXPECT_TRUE(quiet("no_nvidia_gpu", facts));
}

TEST(NoNvidiaGpu, QuietWhenWsl2IsUnknownOrThePciListingFailed) {
  auto facts = without_driver();
  facts.pci_gpus.clear();
  facts.host.wsl2 = model::Observed<bool>::unknown("/proc/version", "too many links");
  EXPECT_TRUE(quiet("no_nvidia_gpu", facts));
  facts.host.wsl2 = seen(false);
  facts.problems.push_back({"pci", "listing PCI devices: permission denied"});
  EXPECT_TRUE(quiet("no_nvidia_gpu", facts));
  facts.problems.clear();
  EXPECT_FALSE(quiet("no_nvidia_gpu", facts));
}

// ---- nvidia_driver_not_installed ------------------------------------------------------------

TEST(NvidiaDriverNotInstalled, FiresWithAGpuAndNoDriverAndNamesUbuntusInstaller) {
  const auto finding = run_one("nvidia_driver_not_installed", without_driver());
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_TRUE(mentions(finding.summary, "H100")) << finding.summary;
  EXPECT_TRUE(has_command(finding, "sudo ubuntu-drivers install"));
  ASSERT_FALSE(finding.fixes.empty());
  EXPECT_TRUE(first_fix(finding).needs_root);
  EXPECT_TRUE(first_fix(finding).reboot);
}

TEST(NvidiaDriverNotInstalled, UsesEachDistributionsCommandsAndAManualStepElsewhere) {
  auto facts = without_driver();
  facts.host.os_id = seen(std::string("debian"));
  EXPECT_TRUE(has_command(run_one("nvidia_driver_not_installed", facts),
                          "sudo apt install nvidia-driver firmware-misc-nonfree"));
  facts.host.os_id = seen(std::string("rocky"));
  facts.host.os_version_id = seen(std::string("9.3"));
  EXPECT_TRUE(has_command(run_one("nvidia_driver_not_installed", facts),
                          "sudo dnf config-manager --add-repo "
                          "https://developer.download.nvidia.com/compute/cuda/repos/rhel9/x86_64/"
                          "cuda-rhel9.repo"));
  facts.host.os_id = model::Observed<std::string>::absent("/etc/os-release");
  const auto manual = run_one("nvidia_driver_not_installed", facts);
  ASSERT_EQ(manual.fixes.size(), 1u);
  EXPECT_TRUE(manual.fixes.front().commands.empty());
  EXPECT_TRUE(mentions(manual.fixes.front().why, "https://www.nvidia.com/en-us/drivers/"));
}

TEST(NvidiaDriverNotInstalled, FiresWhenOnlyTheToolkitStubResolves) {
  auto facts = without_driver();
  auto& libcuda = facts.user_driver.libcuda;
  libcuda.path = seen(std::string("/usr/local/cuda/lib64/stubs/libcuda.so.1"));
  libcuda.provider = model::Provider::kStub;
  facts.user_driver.libcuda_is_stub = seen(true);
  const auto findings = run_check("nvidia_driver_not_installed", facts, small_kb());
  EXPECT_TRUE(fired(findings, "nvidia_driver_not_installed"));
  EXPECT_TRUE(fired(run_check("stub_libcuda_on_path", facts, small_kb()), "stub_libcuda_on_path"));
}

TEST(NvidiaDriverNotInstalled, QuietWhenLibcudaIsInstalledOrTheVersionFileIsUnreadable) {
  EXPECT_TRUE(quiet("nvidia_driver_not_installed", without_kernel_module()));
  auto facts = without_driver();
  facts.kernel_driver.module_version =
      model::Observed<Version>::unknown("/proc/driver/nvidia/version", "malformed");
  EXPECT_TRUE(quiet("nvidia_driver_not_installed", facts));
}

// ---- nouveau_bound --------------------------------------------------------------------------

TEST(NouveauBound, FiresOnTheRecordedNouveauMachineWithTheBlacklistFix) {
  const auto facts = recorded("nouveau-no-nvidia");
  const auto findings = run_group(driver_checks(), facts);
  const auto finding = the(findings, "nouveau_bound");
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_TRUE(mentions(finding.summary, "RTX 3080")) << finding.summary;
  EXPECT_TRUE(has_command(finding,
                          "printf 'blacklist nouveau\\noptions nouveau modeset=0\\n' | sudo tee "
                          "/etc/modprobe.d/blacklist-nouveau.conf"));
  EXPECT_TRUE(has_command(finding, "sudo update-initramfs -u"));
  EXPECT_TRUE(has_command(finding, "sudo ubuntu-drivers install"));
  EXPECT_TRUE(cites(finding, "nouveau_blocks_nvidia"));
  // No driver is installed, so Secure Boot is not what keeps a module out.
  EXPECT_TRUE(fired(findings, "nvidia_driver_not_installed"));
  EXPECT_FALSE(fired(findings, "secure_boot_blocks_module"));
  EXPECT_FALSE(fired(findings, "nvidia_module_not_loaded"));
  EXPECT_FALSE(fired(findings, "no_nvidia_gpu"));
  EXPECT_FALSE(fired(findings, "dev_nodes_missing"));
}

TEST(NouveauBound, RebuildsTheInitramfsWithDracutOnFedora) {
  auto facts = without_kernel_module();
  facts.host.os_id = seen(std::string("fedora"));
  facts.pci_gpus.front().bound_driver = seen(std::string("nouveau"));
  const auto finding = run_one("nouveau_bound", facts);
  EXPECT_TRUE(has_command(finding, "sudo dracut --force"));
  // The driver's libcuda is there: reboot after the blacklist, nothing to install.
  ASSERT_EQ(finding.fixes.size(), 1u);
  EXPECT_TRUE(first_fix(finding).reboot);
}

TEST(NouveauBound, QuietWhenNouveauIsLoadedButNvidiaDrivesTheGpu) {
  auto facts = healthy_facts();
  facts.kernel_driver.nouveau_loaded = seen(true);
  EXPECT_TRUE(quiet("nouveau_bound", facts));
}

// ---- nvidia_module_not_loaded ---------------------------------------------------------------

TEST(NvidiaModuleNotLoaded, FiresWhenLibcudaIsInstalledButTheModuleIsNot) {
  const auto finding = run_one("nvidia_module_not_loaded", without_kernel_module());
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_TRUE(mentions(finding.summary, "550.54.14")) << finding.summary;
  EXPECT_TRUE(has_command(finding, "sudo modprobe nvidia"));
  EXPECT_TRUE(has_command(finding, "sudo dmesg | grep -i nvidia"));
}

TEST(NvidiaModuleNotLoaded, QuietWhenLoadedOrWhenSecureBootExplainsIt) {
  EXPECT_TRUE(quiet("nvidia_module_not_loaded", healthy_facts()));
  auto facts = without_kernel_module();
  facts.kernel_driver.secure_boot = seen(true);
  EXPECT_TRUE(quiet("nvidia_module_not_loaded", facts));
}

// ---- secure_boot_blocks_module --------------------------------------------------------------

TEST(SecureBootBlocksModule, FiresAndEnrollsUbuntusDkmsKey) {
  auto facts = without_kernel_module();
  facts.kernel_driver.secure_boot = seen(true, "/sys/firmware/efi/efivars/SecureBoot-8be4df61");
  const auto finding = run_one("secure_boot_blocks_module", facts);
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_TRUE(has_command(finding, "sudo mokutil --import /var/lib/shim-signed/mok/MOK.der"));
  EXPECT_TRUE(first_fix(finding).reboot);
  EXPECT_TRUE(cites(finding, "secure_boot_unsigned_module"));
  EXPECT_TRUE(evidence_shows(finding, "yes"));
}

TEST(SecureBootBlocksModule, QuietWhenTheModuleLoadedUnderSecureBoot) {
  auto facts = healthy_facts();
  facts.kernel_driver.secure_boot = seen(true);
  EXPECT_TRUE(quiet("secure_boot_blocks_module", facts));
}

// ---- driver_library_mismatch ----------------------------------------------------------------

TEST(DriverLibraryMismatch, FiresOnTheRecordedMachineUpgradedWithoutAReboot) {
  const auto finding = run_one("driver_library_mismatch", recorded("driver-mismatch"));
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_TRUE(mentions(finding.summary, "535.104.05")) << finding.summary;
  EXPECT_TRUE(mentions(finding.summary, "550.54.14")) << finding.summary;
  EXPECT_TRUE(mentions(finding.summary, "without a reboot")) << finding.summary;
  bool module_source = false;
  bool library_source = false;
  for (const auto& evidence : finding.evidence) {
    module_source |=
        evidence.value == "535.104.05" && evidence.source == "/proc/driver/nvidia/version";
    library_source |= evidence.value == "550.54.14" &&
                      evidence.source == "/usr/lib/x86_64-linux-gnu/libcuda.so.550.54.14";
  }
  EXPECT_TRUE(module_source);
  EXPECT_TRUE(library_source);
  EXPECT_TRUE(has_command(finding, "sudo reboot"));
  EXPECT_TRUE(has_command(finding, "sudo modprobe -r nvidia_uvm nvidia_drm nvidia_modeset nvidia"));
}

TEST(DriverLibraryMismatch, QuietWhenVersionsAgreeOrLibcudaIsAStubOrForwardCompat) {
  EXPECT_TRUE(quiet("driver_library_mismatch", healthy_facts()));
  auto facts = healthy_facts();
  facts.kernel_driver.module_version = seen(ver("535.104.05"), "/proc/driver/nvidia/version");
  EXPECT_FALSE(quiet("driver_library_mismatch", facts));
  auto stub = facts;
  stub.user_driver.libcuda_is_stub = seen(true);
  EXPECT_TRUE(quiet("driver_library_mismatch", stub));
  auto compat = facts;
  compat.user_driver.libcuda.real_path =
      seen(std::string("/usr/local/cuda-12.4/compat/libcuda.so.550.54.14"));
  EXPECT_TRUE(quiet("driver_library_mismatch", compat));
}

// ---- stub_libcuda_on_path and ld_library_path_stubs -----------------------------------------

TEST(StubLibcudaOnPath, FiresOnTheRecordedMachineAndPrintsTheCleanedPath) {
  const auto facts = recorded("ld-library-path-stubs");
  const auto findings = run_group(driver_checks(), facts);
  const auto finding = the(findings, "stub_libcuda_on_path");
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_TRUE(mentions(finding.summary, "/usr/local/cuda-12.4/lib64/stubs/libcuda.so.1"))
      << finding.summary;
  EXPECT_TRUE(mentions(finding.summary, "CUDA_ERROR_STUB_LIBRARY")) << finding.summary;
  EXPECT_TRUE(has_command(finding, "export LD_LIBRARY_PATH=/usr/local/cuda-12.4/lib64"));
  EXPECT_FALSE(fired(findings, "ld_library_path_stubs"));
  EXPECT_FALSE(fired(findings, "driver_library_mismatch"));
}

TEST(StubLibcudaOnPath, QuietWhenAStubIsOnlySeenOffThePath) {
  const auto facts = recorded("cudnn-misplaced");
  ASSERT_FALSE(facts.user_driver.stub_libcuda_paths.empty());
  EXPECT_TRUE(quiet("stub_libcuda_on_path", facts));
  EXPECT_TRUE(quiet("ld_library_path_stubs", facts));
}

TEST(StubLibcudaOnPath, SaysHowToCleanTheLoaderCacheWhenTheCacheFoundIt) {
  auto facts = healthy_facts();
  auto& libcuda = facts.user_driver.libcuda;
  libcuda.path = seen(std::string("/usr/local/cuda/lib64/stubs/libcuda.so.1"));
  libcuda.real_path = libcuda.path;
  libcuda.provider = model::Provider::kStub;
  libcuda.candidates.front().path = *libcuda.path.value;
  libcuda.candidates.front().search_dir = "/etc/ld.so.cache";
  const auto finding = run_one("stub_libcuda_on_path", facts);
  EXPECT_TRUE(has_command(finding, "sudo ldconfig"));
}

TEST(LdLibraryPathStubs, WarnsWhenARealLibcudaWinsAndDropsOnlyTheStubs) {
  auto facts = healthy_facts();
  facts.environment["LD_LIBRARY_PATH"] =
      "/usr/local/cuda/lib64/stubs:/usr/local/cuda/lib64:/opt/my lib";
  const auto finding = run_one("ld_library_path_stubs", facts);
  EXPECT_EQ(finding.severity, Severity::kWarning);
  EXPECT_TRUE(mentions(finding.summary, "/usr/local/cuda/lib64/stubs")) << finding.summary;
  EXPECT_TRUE(has_command(finding, "export LD_LIBRARY_PATH='/usr/local/cuda/lib64:/opt/my lib'"));
  EXPECT_TRUE(quiet("stub_libcuda_on_path", facts));
}

TEST(LdLibraryPathStubs, UnsetsWhenOnlyStubsAreLeftAndIsQuietWithoutThem) {
  auto facts = healthy_facts();
  facts.environment["LD_LIBRARY_PATH"] = "/usr/local/cuda-12.4/targets/x86_64-linux/lib/stubs/";
  EXPECT_TRUE(has_command(run_one("ld_library_path_stubs", facts), "unset LD_LIBRARY_PATH"));
  facts.environment["LD_LIBRARY_PATH"] = "/usr/local/cuda/lib64:/opt/stubsdir";
  EXPECT_TRUE(quiet("ld_library_path_stubs", facts));
}

// ---- dev_nodes_missing and dev_nodes_inaccessible -------------------------------------------

TEST(DevNodesMissing, FiresInTheRecordedContainerStartedWithoutGpus) {
  const auto finding = run_one("dev_nodes_missing", recorded("container-no-dev-nodes"));
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_TRUE(mentions(finding.summary, "/dev/nvidia0")) << finding.summary;
  EXPECT_TRUE(mentions(finding.summary, "docker container")) << finding.summary;
  EXPECT_TRUE(has_command(finding, "docker run --rm --gpus all ubuntu nvidia-smi"));
  bool toolkit_url = false;
  for (const auto& fix : finding.fixes) {
    toolkit_url |= mentions(fix.why,
                            "https://docs.nvidia.com/datacenter/cloud-native/"
                            "container-toolkit/latest/install-guide.html");
  }
  EXPECT_TRUE(toolkit_url);
}

TEST(DevNodesMissing, QuietInAContainerOnAHostWithoutGpuOrDriver) {
  // This development container: docker, no NVIDIA device on the bus, no module on the host.
  auto facts = recorded("container-no-dev-nodes");
  facts.kernel_driver.module_version =
      model::Observed<Version>::absent("/proc/driver/nvidia/version");
  facts.pci_gpus.clear();
  EXPECT_TRUE(quiet("dev_nodes_missing", facts));
  EXPECT_FALSE(quiet("no_nvidia_gpu", facts));
}

TEST(DevNodesMissing, CreatesTheNodesOutsideAContainer) {
  auto facts = healthy_facts();
  for (auto& node : facts.kernel_driver.dev_nodes) {
    node.exists = false;
    node.accessible = model::Observed<bool>::absent(node.path);
  }
  // A driver that answered has its nodes (libcuda creates them on first use).
  EXPECT_TRUE(quiet("dev_nodes_missing", facts));
  facts.user_driver.live.devices.clear();
  const auto finding = run_one("dev_nodes_missing", facts);
  EXPECT_TRUE(has_command(finding, "sudo nvidia-modprobe -u -c=0"));
  EXPECT_TRUE(first_fix(finding).needs_root);
}

TEST(DevNodesMissing, QuietOnWsl2AndWhenOnlyNvidiaUvmIsMissing) {
  EXPECT_TRUE(quiet("dev_nodes_missing", recorded("wsl2")));
  auto facts = healthy_facts();
  facts.user_driver.live.devices.clear();
  for (auto& node : facts.kernel_driver.dev_nodes) {
    node.exists = node.path != "/dev/nvidia-uvm";
  }
  EXPECT_TRUE(quiet("dev_nodes_missing", facts));
}

TEST(DevNodesInaccessible, FiresWhenThisUserCannotOpenANode) {
  auto facts = healthy_facts();
  facts.kernel_driver.dev_nodes.front().accessible = seen(false, "access(R_OK|W_OK)");
  const auto finding = run_one("dev_nodes_inaccessible", facts);
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_TRUE(mentions(finding.summary, "/dev/nvidia0")) << finding.summary;
  EXPECT_TRUE(has_command(finding, "ls -l /dev/nvidia*"));
  EXPECT_TRUE(has_command(finding, "sudo usermod -aG video \"$USER\""));
  EXPECT_TRUE(mentions(first_fix(finding).why, "video"));
}

TEST(DevNodesInaccessible, QuietWhenAccessIsUnknown) {
  EXPECT_TRUE(quiet("dev_nodes_inaccessible", recorded("driver-mismatch")));
}

// ---- WSL2 -----------------------------------------------------------------------------------

TEST(WslLinuxDriverInstalled, FiresWhenLibcudaComesFromALinuxDriverPackage) {
  auto facts = recorded("wsl2");
  auto& libcuda = facts.user_driver.libcuda;
  libcuda.path = seen(std::string("/usr/lib/x86_64-linux-gnu/libcuda.so.1"));
  libcuda.real_path = seen(std::string("/usr/lib/x86_64-linux-gnu/libcuda.so.550.54.14"));
  libcuda.provider = model::Provider::kDriver;
  const auto finding = run_one("wsl_linux_driver_installed", facts);
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_TRUE(mentions(finding.summary, "/usr/lib/x86_64-linux-gnu/libcuda.so.1"))
      << finding.summary;
  EXPECT_TRUE(
      has_command(finding, "sudo apt-get remove --purge 'nvidia-driver-*' 'libnvidia-compute-*'"));
  EXPECT_TRUE(cites(finding, "wsl_driver_from_windows"));
}

TEST(WslLinuxDriverInstalled, FiresOnALinuxKernelModuleInWsl2AndIsQuietOnTheRecordedWsl2) {
  EXPECT_TRUE(quiet("wsl_linux_driver_installed", recorded("wsl2")));
  auto facts = recorded("wsl2");
  facts.kernel_driver.nvidia_module_loaded = seen(true);
  EXPECT_FALSE(quiet("wsl_linux_driver_installed", facts));
}

TEST(WslLibMissing, FiresWithoutTheWindowsDriversLibraries) {
  auto facts = recorded("wsl2");
  facts.host.wsl_lib_dir = model::Observed<std::string>::absent("/usr/lib/wsl/lib");
  facts.host.wsl_driver_libraries.clear();
  const auto finding = run_one("wsl_lib_missing", facts);
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_TRUE(mentions(finding.summary, "/usr/lib/wsl/lib")) << finding.summary;
  EXPECT_TRUE(has_command(finding, "wsl --update"));
  EXPECT_TRUE(has_command(finding, "wsl --shutdown"));

  auto no_libcuda = recorded("wsl2");
  no_libcuda.host.wsl_driver_libraries = {"libdxcore.so", "libd3d12.so"};
  EXPECT_TRUE(mentions(run_one("wsl_lib_missing", no_libcuda).summary, "no libcuda.so.1"));
}

TEST(WslLibMissing, QuietOnTheRecordedWsl2AndOffWsl2) {
  EXPECT_TRUE(quiet("wsl_lib_missing", recorded("wsl2")));
  EXPECT_TRUE(quiet("wsl_lib_missing", healthy_facts()));
}

// ---- CUDA_VISIBLE_DEVICES -------------------------------------------------------------------

model::Facts with_visible_devices(std::string value) {
  auto facts = healthy_facts();
  facts.environment["CUDA_VISIBLE_DEVICES"] = std::move(value);
  return facts;
}

TEST(CudaVisibleDevicesHidesAll, FiresOnEmptyNegativeNamedAndOutOfRangeFirstEntries) {
  for (const char* value : {"", "-1", "NoDevFiles", "1", "1,0", " -1 , 0"}) {
    const auto finding = run_one("cuda_visible_devices_hides_all", with_visible_devices(value));
    EXPECT_EQ(finding.severity, Severity::kError) << value;
    EXPECT_TRUE(mentions(finding.summary, std::string("\"") + value + "\"")) << finding.summary;
    EXPECT_TRUE(has_command(finding, "unset CUDA_VISIBLE_DEVICES")) << value;
    EXPECT_TRUE(mentions(first_fix(finding).why, "export CUDA_VISIBLE_DEVICES=0"));
  }
}

TEST(CudaVisibleDevicesHidesAll, QuietWhenTheFirstEntryExistsOrCannotBeJudged) {
  EXPECT_TRUE(quiet("cuda_visible_devices_hides_all", healthy_facts()));
  EXPECT_TRUE(quiet("cuda_visible_devices_hides_all", with_visible_devices("0")));
  // A second GPU on PCI makes index 1 valid.
  auto two = with_visible_devices("1");
  two.pci_gpus.push_back(two.pci_gpus.front());
  two.pci_gpus.back().bus_id = "0000:3c:00.0";
  EXPECT_TRUE(quiet("cuda_visible_devices_hides_all", two));
  // A UUID cannot be judged without the live devices' UUIDs.
  EXPECT_TRUE(quiet("cuda_visible_devices_hides_all", with_visible_devices("GPU-5f0c")));
}

TEST(CudaVisibleDevicesHidesAll, JudgesUuidsAgainstTheLiveDevices) {
  auto facts = with_visible_devices("GPU-deadbeef");
  facts.user_driver.live.devices.front().uuid = "GPU-5f0c1a2b-0000-1111-2222-333344445555";
  EXPECT_FALSE(quiet("cuda_visible_devices_hides_all", facts));
  facts.environment["CUDA_VISIBLE_DEVICES"] = "GPU-5f0c1a2b";  // a unique prefix is enough
  EXPECT_TRUE(quiet("cuda_visible_devices_hides_all", facts));
  // With no UUIDs known, the driver child (which ran with the variable) counting none decides.
  auto counted = with_visible_devices("GPU-deadbeef");
  counted.user_driver.live.cuda_visible_devices = seen(std::string("GPU-deadbeef"));
  counted.user_driver.live.device_count = seen(0);
  counted.user_driver.live.devices.clear();
  EXPECT_FALSE(quiet("cuda_visible_devices_hides_all", counted));
}

TEST(CudaVisibleDevicesInvalid, WarnsWhenALaterEntryDoesNotExist) {
  const auto finding = run_one("cuda_visible_devices_invalid", with_visible_devices("0,5"));
  EXPECT_EQ(finding.severity, Severity::kWarning);
  EXPECT_TRUE(mentions(finding.summary, "\"5\"")) << finding.summary;
  EXPECT_TRUE(has_command(finding, "export CUDA_VISIBLE_DEVICES=0"));
  EXPECT_TRUE(quiet("cuda_visible_devices_hides_all", with_visible_devices("0,5")));
}

TEST(CudaVisibleDevicesInvalid, WarnsOnAnUnknownUuidAndIsQuietOnValidLists) {
  auto facts = with_visible_devices("GPU-aaaa,GPU-bbbb");
  facts.user_driver.live.devices.front().uuid = "GPU-aaaa1111";
  EXPECT_TRUE(mentions(run_one("cuda_visible_devices_invalid", facts).summary, "GPU-bbbb"));
  EXPECT_TRUE(quiet("cuda_visible_devices_invalid", with_visible_devices("0")));
  EXPECT_TRUE(quiet("cuda_visible_devices_invalid", with_visible_devices("-1")));
  EXPECT_TRUE(quiet("cuda_visible_devices_invalid", healthy_facts()));
}

// ---- TF_FORCE_GPU_ALLOW_GROWTH --------------------------------------------------------------

TEST(TfForceGpuAllowGrowthInvalid, WarnsOnAnythingButExactlyTrueOrFalse) {
  for (const char* value : {"1", "True", "yes", ""}) {
    auto facts = healthy_facts();
    facts.environment["TF_FORCE_GPU_ALLOW_GROWTH"] = value;
    const auto finding = run_one("tf_force_gpu_allow_growth_invalid", facts);
    EXPECT_EQ(finding.severity, Severity::kWarning) << value;
    EXPECT_TRUE(evidence_shows(finding, std::string("\"") + value + "\"")) << value;
    EXPECT_TRUE(has_command(finding, "export TF_FORCE_GPU_ALLOW_GROWTH=true"));
    EXPECT_TRUE(cites(finding, "tf_force_gpu_allow_growth_values"));
  }
}

TEST(TfForceGpuAllowGrowthInvalid, QuietOnTrueFalseAndUnset) {
  for (const char* value : {"true", "false"}) {
    auto facts = healthy_facts();
    facts.environment["TF_FORCE_GPU_ALLOW_GROWTH"] = value;
    EXPECT_TRUE(quiet("tf_force_gpu_allow_growth_invalid", facts)) << value;
  }
  EXPECT_TRUE(quiet("tf_force_gpu_allow_growth_invalid", healthy_facts()));
}

// ---- driver_probe_failed --------------------------------------------------------------------

TEST(DriverProbeFailed, FiresWithTheCuResultName) {
  auto facts = healthy_facts();
  auto& live = facts.user_driver.live;
  live.cu_init_status = seen(803);
  live.cu_init_status_name = "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH";
  live.device_count = model::Observed<int>::unknown("cuDeviceGetCount", "cuInit failed");
  live.devices.clear();
  const auto finding = run_one("driver_probe_failed", facts);
  EXPECT_EQ(finding.severity, Severity::kError);
  EXPECT_TRUE(mentions(finding.summary, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH")) << finding.summary;
  EXPECT_TRUE(has_command(finding, "sudo reboot"));
}

TEST(DriverProbeFailed, FiresOnAHungChildAndWarnsWhenDevicesStillAnswered) {
  auto facts = healthy_facts();
  facts.user_driver.live.outcome = seen(std::string("timeout"));
  facts.user_driver.live.cu_init_status =
      model::Observed<int>::unknown("cuInit", "the child timed out");
  facts.user_driver.live.devices.clear();
  const auto hung = run_one("driver_probe_failed", facts);
  EXPECT_EQ(hung.severity, Severity::kError);
  EXPECT_TRUE(mentions(hung.summary, "timed out")) << hung.summary;

  auto crashed = healthy_facts();
  crashed.user_driver.live.outcome = seen(std::string("signal SIGSEGV"));
  const auto warned = run_one("driver_probe_failed", crashed);
  EXPECT_EQ(warned.severity, Severity::kWarning);
  EXPECT_TRUE(mentions(warned.summary, "SIGSEGV")) << warned.summary;
}

TEST(DriverProbeFailed, QuietWhenSkippedWithoutLibcudaOrOnSuccess) {
  EXPECT_TRUE(quiet("driver_probe_failed", healthy_facts()));
  EXPECT_TRUE(quiet("driver_probe_failed", recorded("driver-mismatch")));  // skipped
  auto facts = without_driver();
  facts.user_driver.live.cu_init_status = seen(100);
  EXPECT_TRUE(quiet("driver_probe_failed", facts));  // no libcuda loaded
}

// ---- whole machines -------------------------------------------------------------------------

TEST(DriverChecksOnRecordedMachines, HealthyMachinesRaiseNothing) {
  for (const char* machine :
       {"ubuntu2204-driver535-healthy", "wsl2", "conda-tf213-cuda118", "cudnn-misplaced"}) {
    expect_no_problem(recorded(machine), machine);
  }
}

TEST(DriverChecksOnRecordedMachines, HostileInputsCrashNothing) {
  const auto findings = run_group(driver_checks(), recorded("hostile-inputs"));
  EXPECT_TRUE(fired(findings, "tf_force_gpu_allow_growth_invalid"));
  for (const auto& finding : findings) {
    EXPECT_FALSE(finding.summary.empty()) << finding.id;
  }
}

// Every check of both groups on facts where nothing was observed: no crash, no error or warning,
// and no evidence that shows a value it does not have.
TEST(ChecksOnUnknownFacts, NeitherCrashNorClaimValuesTheyLack) {
  std::vector<CheckInfo> checks = driver_checks();
  for (const auto& check : tensorflow_checks()) {
    checks.push_back(check);
  }
  model::Facts nothing;
  model::Facts empty_env;
  empty_env.python_envs.emplace_back();
  empty_env.python_envs.front().tensorflow.emplace_back();
  for (const auto* facts : {&nothing, &empty_env}) {
    for (const auto& check : checks) {
      for (const auto& finding : run_check(check.id, *facts, small_kb())) {
        EXPECT_EQ(finding.severity, Severity::kInfo) << check.id << ": " << finding.summary;
        EXPECT_FALSE(finding.summary.empty()) << check.id;
        for (const auto& evidence : finding.evidence) {
          EXPECT_FALSE(evidence.value.empty()) << check.id << ": " << evidence.what;
        }
      }
    }
  }
}

}  // namespace
}  // namespace tfgpu::checks

namespace tfgpu::checks {
namespace {

TEST(LibcudaNotFound, FiresWhenTheModuleIsLoadedButLibcudaIsNotOnThePath) {
  auto facts = testing::healthy_facts();
  facts.user_driver.libcuda.path = model::Observed<std::string>::absent("ld.so search");
  facts.user_driver.live = {};
  const auto findings = testing::run_check("libcuda_not_found", facts, testing::small_kb());
  ASSERT_EQ(findings.size(), 1U);
  EXPECT_EQ(findings.front().severity, model::Severity::kError);
  EXPECT_NE(findings.front().summary.find("550.54.14"), std::string::npos);
  ASSERT_FALSE(findings.front().fixes.empty());
  EXPECT_EQ(findings.front().fixes.front().commands,
            std::vector<std::string>{"sudo apt install libnvidia-compute-550"});
}

TEST(LibcudaNotFound, QuietWithoutAnyDriverOrWithAStubOrInWsl) {
  auto facts = testing::healthy_facts();
  EXPECT_TRUE(testing::run_check("libcuda_not_found", facts, testing::small_kb()).empty());
  facts.user_driver.libcuda.path = model::Observed<std::string>::absent("ld.so search");
  auto no_module = facts;
  no_module.kernel_driver.module_version =
      model::Observed<Version>::absent("/proc/driver/nvidia/version");
  no_module.kernel_driver.nvidia_module_loaded = testing::seen(false);
  EXPECT_TRUE(testing::run_check("libcuda_not_found", no_module, testing::small_kb()).empty());
  auto wsl = facts;
  wsl.host.wsl2 = testing::seen(true);
  EXPECT_TRUE(testing::run_check("libcuda_not_found", wsl, testing::small_kb()).empty());
}

}  // namespace
}  // namespace tfgpu::checks

namespace tfgpu::checks {
namespace {

TEST(NoNvidiaGpu, TellsAUserWhoAddsAGpuWhichDriverTheirTensorflowNeeds) {
  auto facts = testing::healthy_facts();
  facts.pci_gpus.clear();
  facts.user_driver.live = {};
  facts.kernel_driver.module_version =
      model::Observed<Version>::absent("/proc/driver/nvidia/version");
  const auto findings = testing::run_check("no_nvidia_gpu", facts, testing::small_kb());
  ASSERT_EQ(findings.size(), 1U);
  ASSERT_EQ(findings.front().fixes.size(), 2U);
  const auto& fix = findings.front().fixes.back();
  EXPECT_NE(fix.why.find("at least 525.60.13 for TensorFlow 2.21.0 in /home/ana/venv"),
            std::string::npos)
      << fix.why;
  EXPECT_EQ(fix.commands, std::vector<std::string>{"sudo ubuntu-drivers install"});
  // Without TensorFlow there is no build to name a driver for.
  facts.python_envs.clear();
  EXPECT_EQ(testing::run_check("no_nvidia_gpu", facts, testing::small_kb()).front().fixes.size(),
            1U);
}

}  // namespace
}  // namespace tfgpu::checks
