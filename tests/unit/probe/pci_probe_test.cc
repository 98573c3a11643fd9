// SPDX-License-Identifier: Apache-2.0
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "temp_tree.h"
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {
namespace {

constexpr const char* kPciIds =
    "10de  NVIDIA Corporation\n"
    "\t2206  GA102 [GeForce RTX 3080]\n"
    "\t\t10de 1467  GA102 [GeForce RTX 3080 Founders]\n"
    "\t2331  GH100 [H100 PCIe]\n"
    "10df  Emulex Corporation\n";

// A PCI function as sysfs shows it: /sys/devices/pci0000:00/<bdf> with its ID files, linked from
// /sys/bus/pci/devices/<bdf>, optionally bound to `driver`.
void add_function(const TempTree& tree, const std::string& bdf, const std::string& vendor,
                  const std::string& device, const std::string& class_code,
                  const std::string& driver = "", const std::string& subsystem = "10de 1467") {
  const std::string dir = "/sys/devices/pci0000:00/" + bdf;
  tree.write(dir + "/vendor", "0x" + vendor + "\n");
  tree.write(dir + "/device", "0x" + device + "\n");
  tree.write(dir + "/class", "0x" + class_code + "\n");
  tree.write(dir + "/subsystem_vendor", "0x" + subsystem.substr(0, 4) + "\n");
  tree.write(dir + "/subsystem_device", "0x" + subsystem.substr(5, 4) + "\n");
  if (!driver.empty()) {
    tree.symlink("../../../bus/pci/drivers/" + driver, dir + "/driver");
  }
  tree.symlink("../../../devices/pci0000:00/" + bdf, "/sys/bus/pci/devices/" + bdf);
}

model::Facts run_pci(const TempTree& tree) {
  SysRoot root(tree.root());
  Environment environment;
  ProbeOptions options;
  ProbeContext context{root, environment, options};
  model::Facts facts;
  probe_pci(context, facts);
  return facts;
}

TEST(PciProbeTest, FindsNvidiaDisplayFunctionsWithNamesAndDrivers) {
  TempTree tree;
  tree.write("/usr/share/misc/pci.ids", kPciIds);
  add_function(tree, "0000:01:00.0", "10de", "2206", "030000", "nouveau");
  add_function(tree, "0000:01:00.1", "10de", "1aef", "040300", "snd_hda_intel");  // HD audio
  add_function(tree, "0000:02:00.0", "10de", "1ad8", "0c0330", "xhci_hcd");       // USB-C
  add_function(tree, "0000:03:00.0", "1a03", "2000", "030000", "ast");            // BMC VGA
  add_function(tree, "0000:3b:00.0", "10de", "2331", "030200", "", "10de 1626");  // unbound
  const auto facts = run_pci(tree);
  EXPECT_TRUE(facts.problems.empty()) << facts.problems.front().error;
  ASSERT_EQ(facts.pci_gpus.size(), 2U);

  const auto& geforce = facts.pci_gpus[0];
  EXPECT_EQ(geforce.bus_id, "0000:01:00.0");
  EXPECT_EQ(geforce.vendor_id, "10de");
  EXPECT_EQ(geforce.device_id, "2206");
  EXPECT_EQ(geforce.subsystem_vendor_id, "10de");
  EXPECT_EQ(geforce.subsystem_device_id, "1467");
  EXPECT_EQ(geforce.class_code, "030000");
  EXPECT_EQ(geforce.model_name.value_or(""), "GA102 [GeForce RTX 3080 Founders]");
  EXPECT_EQ(geforce.model_name.source, "/usr/share/misc/pci.ids");
  EXPECT_EQ(geforce.bound_driver.value_or(""), "nouveau");
  EXPECT_EQ(geforce.bound_driver.source, "/sys/bus/pci/devices/0000:01:00.0/driver");

  const auto& h100 = facts.pci_gpus[1];
  EXPECT_EQ(h100.class_code, "030200");
  EXPECT_EQ(h100.model_name.value_or(""), "GH100 [H100 PCIe]");
  EXPECT_EQ(h100.bound_driver.presence, model::Presence::kAbsent);
}

TEST(PciProbeTest, HwdataLocationAndUnlistedDevices) {
  TempTree tree;
  tree.write("/usr/share/hwdata/pci.ids", kPciIds);
  add_function(tree, "0000:65:00.0", "10de", "2b85", "030000", "nvidia");  // newer than the file
  const auto facts = run_pci(tree);
  ASSERT_EQ(facts.pci_gpus.size(), 1U);
  EXPECT_EQ(facts.pci_gpus[0].model_name.presence, model::Presence::kAbsent);
  EXPECT_EQ(facts.pci_gpus[0].model_name.source, "/usr/share/hwdata/pci.ids");
  EXPECT_EQ(facts.pci_gpus[0].bound_driver.value_or(""), "nvidia");
}

TEST(PciProbeTest, RecordedTreeWithoutPciIdsBorrowsThisHosts) {
  TempTree tree;
  add_function(tree, "0000:3b:00.0", "10de", "2331", "030200", "nvidia");
  const auto facts = run_pci(tree);
  ASSERT_EQ(facts.pci_gpus.size(), 1U);
  const auto& name = facts.pci_gpus[0].model_name;
  if (access("/usr/share/misc/pci.ids", R_OK) == 0) {
    EXPECT_EQ(name.value_or(""), "GH100 [H100 PCIe]");
    EXPECT_EQ(name.source, "/usr/share/misc/pci.ids (this host)");
  } else if (access("/usr/share/hwdata/pci.ids", R_OK) != 0) {
    EXPECT_EQ(name.presence, model::Presence::kUnknown);
  }
}

TEST(PciProbeTest, NoNvidiaDevicesIsQuiet) {
  TempTree none;
  add_function(none, "0000:00:02.0", "8086", "3e92", "030000", "i915");
  auto facts = run_pci(none);
  EXPECT_TRUE(facts.pci_gpus.empty());
  EXPECT_TRUE(facts.problems.empty());
}

TEST(PciProbeTest, NoSysfsSaysTheBusCouldNotBeSeen) {
  TempTree empty;  // no /sys at all: "no GPU" would be a claim the probe cannot make
  auto facts = run_pci(empty);
  EXPECT_TRUE(facts.pci_gpus.empty());
  ASSERT_EQ(facts.problems.size(), 1U);
  EXPECT_NE(facts.problems[0].error.find("PCI devices are not visible"), std::string::npos);
}

TEST(PciProbeTest, MalformedIdFilesAreProblemsNotCrashes) {
  TempTree tree;
  add_function(tree, "0000:01:00.0", "10de", "2206", "030000", "nvidia");
  tree.write("/sys/devices/pci0000:00/0000:01:00.0/class", "garbage\n");
  add_function(tree, "0000:02:00.0", "zz\x01z", "2206", "030000");
  tree.symlink("loop", "/sys/bus/pci/devices/loop");
  const auto facts = run_pci(tree);
  EXPECT_TRUE(facts.pci_gpus.empty());
  ASSERT_EQ(facts.problems.size(), 3U);
  EXPECT_EQ(facts.problems[0].probe, "pci");
  EXPECT_NE(facts.problems[0].error.find("class"), std::string::npos) << facts.problems[0].error;
}

TEST(PciProbeTest, UnreadableSysfsIsAProblem) {
  if (geteuid() == 0) {
    GTEST_SKIP() << "root reads unreadable directories";
  }
  TempTree tree;
  add_function(tree, "0000:01:00.0", "10de", "2206", "030000");
  chmod(tree.host("/sys/bus/pci/devices").c_str(), 0);
  const auto facts = run_pci(tree);
  ASSERT_EQ(facts.problems.size(), 1U);
  EXPECT_NE(facts.problems[0].error.find("/sys/bus/pci/devices"), std::string::npos);
}

TEST(PciProbeTest, SysfsSymlinkLoopIsAProblemEvenForRoot) {
  TempTree tree;
  tree.symlink("devices", "/sys/bus/pci/devices");
  const auto facts = run_pci(tree);
  ASSERT_EQ(facts.problems.size(), 1U);
  EXPECT_NE(facts.problems[0].error.find("listing PCI devices"), std::string::npos)
      << facts.problems[0].error;
}

}  // namespace
}  // namespace tfgpu::probe
