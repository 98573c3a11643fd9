// SPDX-License-Identifier: Apache-2.0
// Copy bandwidth on the in-process fake with a simulated clock (GB/s as the fake's rates say,
// device copies counted twice against the memory bandwidth, host copies left for the PCIe link,
// a missing pinned buffer failing only its rows), the PCIe link read from a recorded sysfs, its
// peak from the KB's [[pcie_generation]] rows and the host copies compared with it, and the byte
// sizes --bandwidth-bytes takes.
#include "tfgpu/bench/bandwidth_bench.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
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

// The memory's bandwidth is never a host copy's peak: they wait for the link, read after them.
TEST(Bandwidth, HostCopiesWaitForThePcieLink) {
  FakeCompute compute;
  std::vector<std::string> lines;
  const auto out = run_bandwidth(compute, BandwidthOptions{kMiB, 2, 200}, h100_peak(),
                                 [&](const std::string& line) { lines.push_back(line); });
  ASSERT_EQ(lines.size(), 5U);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const BandwidthMeasurement& m = out[i];
    if (m.id != "d2d") {
      EXPECT_EQ(m.bytes_counted_per_copy, kMiB);
      EXPECT_FALSE(m.peak_gbs) << m.id;
      EXPECT_FALSE(m.percent_of_peak) << m.id;
      EXPECT_EQ(m.peak_kind, "") << m.id;
      EXPECT_NE(m.note.find("PCIe link, read after the copies"), std::string::npos) << m.note;
      EXPECT_NE(lines[i].find("compared with the PCIe link after the copies"), std::string::npos)
          << lines[i];
      EXPECT_EQ(lines[i].find("memory bandwidth"), std::string::npos) << lines[i];
    } else {
      EXPECT_EQ(m.peak_kind, "memory_bandwidth");
      EXPECT_NE(lines[i].find("% of the 3350 GB/s memory bandwidth"), std::string::npos)
          << lines[i];
    }
  }
}

// --- the PCIe link's peak: what the KB's [[pcie_generation]] rows give ---

BenchPcieGeneration generation_row(int generation, double rate, const char* encoding,
                                   double efficiency) {
  return BenchPcieGeneration{generation, rate,        encoding,
                             efficiency, "confirmed", {"pci-sig-base-spec"}};
}

// Generations 1 to 5 as data/kb/gpus.toml has them; 6 left out, as an older KB would.
std::vector<BenchPcieGeneration> kb_rows() {
  return {generation_row(1, 2.5, "8b/10b", 0.8), generation_row(2, 5, "8b/10b", 0.8),
          generation_row(3, 8, "128b/130b", 128.0 / 130),
          generation_row(4, 16, "128b/130b", 128.0 / 130),
          generation_row(5, 32, "128b/130b", 128.0 / 130)};
}

PcieLink link_of(std::optional<int> generation, std::optional<int> width) {
  PcieLink link;
  link.generation = generation;
  link.width = width;
  link.link_speed = "32.0 GT/s PCIe";
  if (!generation || !width) {
    link.why_unknown = "current_link_width: no such file";
  }
  return link;
}

TEST(PciePeak, IsTheLinksPayloadRatePerDirection) {
  EXPECT_NEAR(pcie_payload_gbs(kb_rows()[4], 16), 63.015, 1e-3);
  EXPECT_NEAR(pcie_payload_gbs(kb_rows()[3], 16), 31.508, 1e-3);
  EXPECT_NEAR(pcie_payload_gbs(kb_rows()[2], 16), 15.754, 1e-3);
  EXPECT_NEAR(pcie_payload_gbs(kb_rows()[4], 8), 31.508, 1e-3);
  EXPECT_NEAR(pcie_payload_gbs(kb_rows()[0], 16), 4.0, 1e-9);
  EXPECT_NEAR(pcie_payload_gbs(generation_row(6, 64, "1b/1b FLIT", 242.0 / 256), 16), 121.0, 1e-9);
}

TEST(PciePeak, AKnownLinkGetsTheRowOfItsGeneration) {
  const PcieLink gen5 = with_pcie_peak(link_of(5, 16), kb_rows());
  ASSERT_TRUE(gen5.peak_gbs) << gen5.why_no_peak;
  EXPECT_NEAR(*gen5.peak_gbs, 63.015, 1e-3);
  ASSERT_TRUE(gen5.kb_row);
  EXPECT_EQ(gen5.kb_row->generation, 5);
  EXPECT_EQ(gen5.kb_row->encoding, "128b/130b");
  EXPECT_EQ(gen5.why_no_peak, "");
  EXPECT_EQ(pcie_link_name(gen5), "PCIe 5.0 x16");

  const PcieLink gen4_x8 = with_pcie_peak(link_of(4, 8), kb_rows());
  ASSERT_TRUE(gen4_x8.peak_gbs);
  EXPECT_NEAR(*gen4_x8.peak_gbs, 15.754, 1e-3);
  EXPECT_EQ(pcie_link_name(gen4_x8), "PCIe 4.0 x8");

  const PcieLink gen3 = with_pcie_peak(link_of(3, 16), kb_rows());
  ASSERT_TRUE(gen3.peak_gbs);
  EXPECT_NEAR(*gen3.peak_gbs, 15.754, 1e-3);
}

TEST(PciePeak, AnUnknownLinkHasNoneAndSaysWhy) {
  const PcieLink no_generation = with_pcie_peak(link_of(std::nullopt, 16), kb_rows());
  EXPECT_FALSE(no_generation.peak_gbs);
  EXPECT_FALSE(no_generation.kb_row);
  EXPECT_EQ(no_generation.why_no_peak,
            "the link's generation is unknown: current_link_width: no such file");
  EXPECT_EQ(pcie_link_name(no_generation), "PCIe ? x16");

  const PcieLink no_width = with_pcie_peak(link_of(5, std::nullopt), kb_rows());
  EXPECT_FALSE(no_width.peak_gbs);
  EXPECT_NE(no_width.why_no_peak.find("the link's width is unknown"), std::string::npos)
      << no_width.why_no_peak;

  const PcieLink neither = with_pcie_peak(link_of(std::nullopt, std::nullopt), kb_rows());
  EXPECT_NE(neither.why_no_peak.find("generation and width are unknown"), std::string::npos)
      << neither.why_no_peak;
}

TEST(PciePeak, AGenerationTheKbLacksHasNone) {
  const PcieLink gen6 = with_pcie_peak(link_of(6, 16), kb_rows());
  EXPECT_FALSE(gen6.peak_gbs);
  EXPECT_EQ(gen6.why_no_peak, "the knowledge base has no [[pcie_generation]] row for generation 6");
  const PcieLink empty_kb = with_pcie_peak(link_of(5, 16), {});
  EXPECT_FALSE(empty_kb.peak_gbs);
  EXPECT_NE(empty_kb.why_no_peak.find("generation 5"), std::string::npos);
}

// A `--kb DIR` is parsed, not linted: a row that gives no rate makes no peak.
TEST(PciePeak, ARowThatGivesNoRateHasNone) {
  for (const double efficiency : {0.0, 1.5, -0.5, std::nan("")}) {
    const PcieLink link =
        with_pcie_peak(link_of(5, 16), {generation_row(5, 32, "128b/130b", efficiency)});
    EXPECT_FALSE(link.peak_gbs) << efficiency;
    EXPECT_NE(link.why_no_peak.find("row for generation 5 gives no rate"), std::string::npos)
        << link.why_no_peak;
  }
  EXPECT_FALSE(with_pcie_peak(link_of(5, 16), {generation_row(5, 0, "128b/130b", 0.98)}).peak_gbs);
}

TEST(PciePeak, HostCopiesAreComparedWithTheLinkAndDeviceCopiesAreNot) {
  FakeCompute compute;
  compute.pinned_fails = true;
  auto rows = run_bandwidth(compute, BandwidthOptions{16 * kMiB, 5, 200}, h100_peak());
  const PcieLink link = with_pcie_peak(link_of(4, 16), kb_rows());
  compare_with_pcie_link(rows, link);

  const BandwidthMeasurement* pageable = row(rows, "h2d_pageable");
  ASSERT_TRUE(pageable->ran());
  ASSERT_TRUE(pageable->peak_gbs);
  EXPECT_NEAR(*pageable->peak_gbs, 31.508, 1e-3);
  ASSERT_TRUE(pageable->percent_of_peak);
  EXPECT_NEAR(*pageable->percent_of_peak, 100.0 * pageable->gbs / *link.peak_gbs, 1e-9);
  EXPECT_EQ(pageable->peak_kind, "pcie_link");
  EXPECT_NE(pageable->note.find("PCIe 4.0 x16 link's raw payload rate per direction, 31.5 GB/s"),
            std::string::npos)
      << pageable->note;
  EXPECT_NE(pageable->note.find("[[pcie_generation]] row 4, confirmed"), std::string::npos)
      << pageable->note;
  EXPECT_NE(pageable->note.find("packet headers keep real copies below it"), std::string::npos);
  EXPECT_EQ(pageable->note.find("above it"), std::string::npos) << pageable->note;
  EXPECT_TRUE(row(rows, "d2h_pageable")->percent_of_peak);

  // A copy that failed still says what it would have been compared with.
  const BandwidthMeasurement* pinned = row(rows, "h2d_pinned");
  ASSERT_FALSE(pinned->ran());
  EXPECT_TRUE(pinned->peak_gbs);
  EXPECT_FALSE(pinned->percent_of_peak);

  const BandwidthMeasurement* d2d = row(rows, "d2d");
  EXPECT_EQ(*d2d->peak_gbs, 3350.0);
  EXPECT_EQ(d2d->peak_kind, "memory_bandwidth");

  const std::string line = bandwidth_line(*pageable, &link);
  EXPECT_NE(line.find(fmt::format("GB/s, {:.1f} % of the PCIe 4.0 x16 link's 31.5 GB/s (",
                                  *pageable->percent_of_peak)),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find("memory bandwidth"), std::string::npos) << line;
}

TEST(PciePeak, WithoutAPeakHostCopiesStayUncomparedWithTheReason) {
  FakeCompute compute;
  auto rows = run_bandwidth(compute, BandwidthOptions{kMiB, 2, 200}, h100_peak());
  const PcieLink link = with_pcie_peak(link_of(6, 16), kb_rows());
  compare_with_pcie_link(rows, link);
  for (const BandwidthMeasurement& m : rows) {
    if (m.id == "d2d") {
      EXPECT_TRUE(m.percent_of_peak);
      continue;
    }
    EXPECT_FALSE(m.peak_gbs) << m.id;
    EXPECT_FALSE(m.percent_of_peak) << m.id;
    EXPECT_EQ(m.peak_kind, "") << m.id;
    EXPECT_EQ(m.note,
              "no PCIe peak: the knowledge base has no [[pcie_generation]] row for generation 6");
    EXPECT_NE(bandwidth_line(m, &link).find("no PCIe peak: the knowledge base has no"),
              std::string::npos);
  }
}

// Faster than the link can carry: the link was read trained down, or the copy used another path.
TEST(PciePeak, ACopyAboveTheLinksRateSaysWhyThatCanBe) {
  FakeCompute compute;  // 25 GB/s host to device
  auto rows = run_bandwidth(compute, BandwidthOptions{16 * kMiB, 5, 200}, std::nullopt);
  compare_with_pcie_link(rows, with_pcie_peak(link_of(1, 16), kb_rows()));  // 4 GB/s
  const BandwidthMeasurement* h2d = row(rows, "h2d_pinned");
  ASSERT_TRUE(h2d->percent_of_peak);
  EXPECT_GT(*h2d->percent_of_peak, 100);
  EXPECT_NE(h2d->note.find("above it: the link was read at a lower speed"), std::string::npos)
      << h2d->note;
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
