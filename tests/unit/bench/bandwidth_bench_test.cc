// SPDX-License-Identifier: Apache-2.0
// Copy bandwidth on the in-process fake with a simulated clock (GB/s as the fake's rates say,
// device copies counted twice against the memory bandwidth, host copies with no peak, a missing
// pinned buffer failing only its rows), the PCIe link read from a recorded sysfs, and the byte
// sizes --bandwidth-bytes takes.
#include "tfgpu/bench/bandwidth_bench.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "fake_compute.h"

namespace tfgpu::bench {
namespace {

using testing::FakeCompute;

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

BenchPeak h100_peak() {
  BenchPeak peak;
  peak.device_name = "H100 80GB HBM3";
  peak.memory_bandwidth_gbs = 3350;
  return peak;
}

const BandwidthMeasurement* row(const std::vector<BandwidthMeasurement>& rows,
                                const std::string& id) {
  for (const auto& m : rows) {
    if (m.id == id) {
      return &m;
    }
  }
  return nullptr;
}

TEST(Bandwidth, MeasuresEveryDirectionAtTheRateTheClockSays) {
  FakeCompute compute;
  std::vector<std::string> lines;
  const auto out = run_bandwidth(compute, BandwidthOptions{16 * kMiB, 5, 200}, h100_peak(),
                                 [&](const std::string& line) { lines.push_back(line); });
  ASSERT_EQ(out.size(), 5U);
  const char* order[] = {"h2d_pinned", "d2h_pinned", "h2d_pageable", "d2h_pageable", "d2d"};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(out[i].id, order[i]);
    ASSERT_TRUE(out[i].ran()) << out[i].id << ": " << out[i].error;
    EXPECT_EQ(out[i].iterations, 5);
    EXPECT_EQ(out[i].buffer_bytes, 16 * kMiB);
  }
  EXPECT_NEAR(row(out, "h2d_pinned")->gbs, 25.0, 1e-3);
  EXPECT_NEAR(row(out, "d2h_pageable")->gbs, 20.0, 1e-3);
  EXPECT_EQ(row(out, "h2d_pageable")->host_memory, "pageable");
  EXPECT_EQ(lines.size(), 5U);
  EXPECT_EQ(compute.live_blocks(), 0U);
  EXPECT_EQ(compute.live_pinned(), 0U);
}

TEST(Bandwidth, DeviceCopiesCountTwiceAgainstTheMemoryBandwidth) {
  FakeCompute compute;
  const auto out = run_bandwidth(compute, BandwidthOptions{16 * kMiB, 5, 200}, h100_peak());
  const BandwidthMeasurement* d2d = row(out, "d2d");
  ASSERT_NE(d2d, nullptr);
  ASSERT_TRUE(d2d->ran()) << d2d->error;
  EXPECT_EQ(d2d->bytes_counted_per_copy, 32 * kMiB);
  EXPECT_NEAR(d2d->gbs, 3000.0, 0.1);  // the fake moves the buffer at 1500 GB/s
  ASSERT_TRUE(d2d->peak_gbs);
  EXPECT_EQ(*d2d->peak_gbs, 3350.0);
  ASSERT_TRUE(d2d->percent_of_peak);
  EXPECT_NEAR(*d2d->percent_of_peak, 100.0 * 3000 / 3350, 0.01);
  EXPECT_NE(d2d->note.find("2x"), std::string::npos);
}

TEST(Bandwidth, HostCopiesHaveNoPeak) {
  FakeCompute compute;
  const auto out = run_bandwidth(compute, BandwidthOptions{kMiB, 2, 200}, h100_peak());
  for (const auto& m : out) {
    if (m.id != "d2d") {
      EXPECT_EQ(m.bytes_counted_per_copy, kMiB);
      EXPECT_FALSE(m.peak_gbs) << m.id;
      EXPECT_FALSE(m.percent_of_peak) << m.id;
    }
  }
}

TEST(Bandwidth, WithoutAPeakTheDeviceCopyIsNotCompared) {
  FakeCompute compute;
  const auto out = run_bandwidth(compute, BandwidthOptions{kMiB, 2, 200}, std::nullopt);
  const BandwidthMeasurement* d2d = row(out, "d2d");
  ASSERT_TRUE(d2d->ran());
  EXPECT_FALSE(d2d->peak_gbs);
  EXPECT_FALSE(d2d->percent_of_peak);
}

TEST(Bandwidth, NoPinnedMemoryFailsOnlyThePinnedRows) {
  FakeCompute compute;
  compute.pinned_fails = true;
  const auto out = run_bandwidth(compute, BandwidthOptions{kMiB, 2, 200}, std::nullopt);
  ASSERT_EQ(out.size(), 5U);
  for (const auto& m : out) {
    if (m.host_memory == "pinned") {
      EXPECT_FALSE(m.ran());
      EXPECT_NE(m.error.find("pinned host buffer"), std::string::npos) << m.error;
      EXPECT_NE(m.error.find("cuMemHostAlloc"), std::string::npos) << m.error;
      EXPECT_EQ(m.gbs, 0);
    } else {
      EXPECT_TRUE(m.ran()) << m.id << ": " << m.error;
    }
  }
}

TEST(Bandwidth, NoDeviceMemoryFailsEveryRow) {
  FakeCompute compute;
  compute.capacity_bytes = kMiB - 1;
  const auto out = run_bandwidth(compute, BandwidthOptions{kMiB, 2, 200}, std::nullopt);
  ASSERT_EQ(out.size(), 5U);
  for (const auto& m : out) {
    EXPECT_FALSE(m.ran()) << m.id;
    EXPECT_NE(m.error.find("CUDA_ERROR_OUT_OF_MEMORY"), std::string::npos) << m.error;
  }
}

TEST(Bandwidth, AutomaticCopiesLastAboutTheTarget) {
  FakeCompute compute;
  const auto out =
      run_bandwidth(compute, BandwidthOptions{100 * 1000 * 1000, 0, 200}, std::nullopt);
  const BandwidthMeasurement* h2d = row(out, "h2d_pinned");
  ASSERT_TRUE(h2d->ran());
  // 4 ms a copy at 25 GB/s: 50 copies (51 if the float events round the calibration down).
  EXPECT_GE(h2d->iterations, 50);
  EXPECT_LE(h2d->iterations, 51);
  EXPECT_NEAR(h2d->elapsed_ms, 4.0 * h2d->iterations, 0.01);
}

TEST(GigabytesPerSecond, IsTenToTheNinthBytes) {
  EXPECT_DOUBLE_EQ(gigabytes_per_second(1000000000, 1, 1000.0), 1.0);
  EXPECT_DOUBLE_EQ(gigabytes_per_second(500000000, 4, 100.0), 20.0);
  EXPECT_EQ(gigabytes_per_second(1, 1, 0.0), 0.0);
}

TEST(PcieGeneration, FromTheLinkSpeedSysfsWrites) {
  EXPECT_EQ(pcie_generation("2.5 GT/s"), 1);
  EXPECT_EQ(pcie_generation("5.0 GT/s PCIe"), 2);
  EXPECT_EQ(pcie_generation("8.0 GT/s PCIe"), 3);
  EXPECT_EQ(pcie_generation("16.0 GT/s PCIe\n"), 4);
  EXPECT_EQ(pcie_generation("32.0 GT/s PCIe"), 5);
  EXPECT_EQ(pcie_generation("64.0 GT/s PCIe"), 6);
  EXPECT_FALSE(pcie_generation("Unknown"));
  EXPECT_FALSE(pcie_generation(""));
  EXPECT_FALSE(pcie_generation("16.0 GT/sX"));
  EXPECT_FALSE(pcie_generation("116.0 GT/s PCIe"));
}

class PcieLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) /
            ("bench_pcie_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(root_);
    dir_ = root_ / "sys/bus/pci/devices/0000:3b:00.0";
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override { std::filesystem::remove_all(root_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }

  std::filesystem::path root_;
  std::filesystem::path dir_;
};

TEST_F(PcieLinkTest, ReadsGenerationAndWidthOfTheBusIdInLowerCase) {
  write("current_link_speed", "32.0 GT/s PCIe\n");
  write("current_link_width", "16\n");
  const PcieLink link = read_pcie_link(probe::SysRoot(root_.string()), "0000:3B:00.0");
  EXPECT_EQ(link.generation, 5);
  EXPECT_EQ(link.width, 16);
  EXPECT_EQ(link.link_speed, "32.0 GT/s PCIe");
  EXPECT_EQ(link.source, "/sys/bus/pci/devices/0000:3b:00.0/current_link_speed");
  EXPECT_EQ(link.why_unknown, "");
}

TEST_F(PcieLinkTest, UnreadableOrOddFilesLeaveItUnknownWithTheReason) {
  write("current_link_speed", "Unknown\n");
  const PcieLink link = read_pcie_link(probe::SysRoot(root_.string()), "0000:3B:00.0");
  EXPECT_FALSE(link.generation);
  EXPECT_FALSE(link.width);
  EXPECT_NE(link.why_unknown.find("'Unknown' is not a PCIe rate"), std::string::npos)
      << link.why_unknown;
  EXPECT_NE(link.why_unknown.find("current_link_width"), std::string::npos) << link.why_unknown;
}

TEST_F(PcieLinkTest, AWidthThatIsNotALaneCountIsUnknown) {
  write("current_link_speed", "16.0 GT/s PCIe\n");
  write("current_link_width", "x16\n");
  const PcieLink link = read_pcie_link(probe::SysRoot(root_.string()), "0000:3B:00.0");
  EXPECT_EQ(link.generation, 4);
  EXPECT_FALSE(link.width);
  EXPECT_NE(link.why_unknown.find("'x16'"), std::string::npos) << link.why_unknown;
}

TEST(PcieLink, NoBusIdIsUnknown) {
  const PcieLink link = read_pcie_link(probe::SysRoot("/nonexistent"), "");
  EXPECT_FALSE(link.generation);
  EXPECT_EQ(link.why_unknown, "the driver gave no PCI bus id");
}

TEST(ParseByteSize, TakesPlainBytesAndBinaryUnits) {
  EXPECT_EQ(*parse_byte_size("268435456"), 268435456U);
  EXPECT_EQ(*parse_byte_size("256M"), 256 * kMiB);
  EXPECT_EQ(*parse_byte_size("256MiB"), 256 * kMiB);
  EXPECT_EQ(*parse_byte_size("256mib"), 256 * kMiB);
  EXPECT_EQ(*parse_byte_size("64K"), 64U << 10);
  EXPECT_EQ(*parse_byte_size("1GiB"), 1024 * kMiB);
  EXPECT_EQ(*parse_byte_size("4096B"), 4096U);
}

TEST(ParseByteSize, RefusesWhatIsNotASizeNamingIt) {
  for (const char* text : {"", "MiB", "-5", "1.5G", "12 MiB", "3TB", "0", "0MiB",
                           "99999999999999999999", "17179869184G"}) {
    auto parsed = parse_byte_size(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().code, Errc::kInvalidArgument);
    EXPECT_NE(parsed.error().message.find(std::string("'") + text + "'"), std::string::npos)
        << parsed.error().message;
  }
}

}  // namespace
}  // namespace tfgpu::bench
