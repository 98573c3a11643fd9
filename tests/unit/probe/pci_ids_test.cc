// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/pci_ids.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace tfgpu::probe {
namespace {

// A slice in pci.ids syntax: a vendor before NVIDIA, NVIDIA with a subsystem, a vendor after it
// that reuses an NVIDIA device ID, and the class section.
constexpr const char* kSample =
    "# comment\n"
    "10dd  Evans & Sutherland\n"
    "\t2204  Not an NVIDIA device\n"
    "10de  NVIDIA Corporation\n"
    "\t2204  GA102 [GeForce RTX 3090]\n"
    "\t\t147d 10de  NVIDIA Geforce RTX 3090 Founders Edition\n"
    "# a comment inside the block\n"
    "\n"
    "\t2206  GA102 [GeForce RTX 3080]\n"
    "\t\t10de 1467  GA102 [GeForce RTX 3080]\n"
    "\t\t10de 146d  GA102 [GeForce RTX 3080 20GB]\n"
    "\t2331  GH100 [H100 PCIe]\n"
    "10df  Emulex Corporation\n"
    "\t2330  Not an NVIDIA device either\n"
    "C 03  Display controller\n"
    "\t02  3D controller\n";

TEST(PciIdsTest, DeviceAndSubsystemNames) {
  const auto db = PciIdDatabase::parse(kSample);
  EXPECT_EQ(db.device_count(), 3U);
  EXPECT_EQ(db.lookup(0x10de, 0x2331, 0x10de, 0x1626).value_or(""), "GH100 [H100 PCIe]");
  EXPECT_EQ(db.lookup(0x10de, 0x2206, 0x10de, 0x146d).value_or(""),
            "GA102 [GeForce RTX 3080 20GB]");
  // A subsystem listed under another device does not leak.
  EXPECT_EQ(db.lookup(0x10de, 0x2204, 0x10de, 0x146d).value_or(""), "GA102 [GeForce RTX 3090]");
  EXPECT_EQ(db.lookup(0x10de, 0x2204, 0x147d, 0x10de).value_or(""),
            "NVIDIA Geforce RTX 3090 Founders Edition");
}

TEST(PciIdsTest, UnknownDevicesAndOtherVendorsAreNotNamed) {
  const auto db = PciIdDatabase::parse(kSample);
  EXPECT_FALSE(db.lookup(0x10de, 0x2330, 0, 0));  // only listed under 10df
  EXPECT_FALSE(db.lookup(0x10df, 0x2330, 0, 0));
  EXPECT_FALSE(db.lookup(0x10de, 0xffff, 0, 0));
}

TEST(PciIdsTest, NoNvidiaBlockGivesEmptyDatabase) {
  EXPECT_EQ(PciIdDatabase::parse("").device_count(), 0U);
  EXPECT_EQ(PciIdDatabase::parse("110de  Not at line start\n\t2331  x\n").device_count(), 0U);
  EXPECT_EQ(PciIdDatabase::parse("10de").device_count(), 0U);
}

TEST(PciIdsTest, MalformedLinesAreSkipped) {
  const auto db = PciIdDatabase::parse(
      "10de  NVIDIA\r\n"
      "\t23  short\n"
      "\tzzzz  not hex\n"
      "\t\t10de 1467  subsystem before any device\n"
      "\t2331x glued\n"
      "\t2331\n"
      "\t20b2  GA100 [A100 SXM4 80GB]\r\n"
      "\t\t10de 14  short subsystem\n"
      "\t\t10de\t1467  tab instead of space\n"
      "\t1eb8  ");
  EXPECT_EQ(db.device_count(), 2U);
  EXPECT_EQ(db.lookup(0x10de, 0x20b2, 0x10de, 0x1467).value_or(""), "GA100 [A100 SXM4 80GB]");
  EXPECT_FALSE(db.lookup(0x10de, 0x1eb8, 0, 0));  // listed without a name
  EXPECT_FALSE(db.lookup(0x10de, 0x2331, 0, 0));
}

TEST(PciIdsTest, ParsePciId) {
  EXPECT_EQ(parse_pci_id("10de").value_or(0), 0x10de);
  EXPECT_EQ(parse_pci_id("20B2").value_or(0), 0x20b2);
  EXPECT_FALSE(parse_pci_id("10d"));
  EXPECT_FALSE(parse_pci_id("10dex"));
  EXPECT_FALSE(parse_pci_id("10dg"));
}

// The real database from Debian's pci.ids package, when this machine has it.
TEST(PciIdsTest, RealDatabaseIsFastAndNamesDataCenterGpus) {
  const char* path = "/usr/share/misc/pci.ids";
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << "no " << path;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const auto start = std::chrono::steady_clock::now();
  const auto db = PciIdDatabase::parse(text);
  const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count();
  EXPECT_GT(db.device_count(), 1000U);
  EXPECT_LT(elapsed_ms, 200) << "parsing the NVIDIA block took " << elapsed_ms << " ms";
  EXPECT_EQ(db.lookup(0x10de, 0x2331, 0x10de, 0x1626).value_or(""), "GH100 [H100 PCIe]");
  EXPECT_EQ(db.lookup(0x10de, 0x20b2, 0x10de, 0x1463).value_or(""), "GA100 [A100 SXM4 80GB]");
}

}  // namespace
}  // namespace tfgpu::probe
