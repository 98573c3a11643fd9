// SPDX-License-Identifier: Apache-2.0
// A whole `tfgpu bench` run through the real loader and forked children, on the fake libcuda
// and libcublas built at test time (tests/fixtures/libs): fp32 and tf32 GEMMs run, the fake's
// NOT_SUPPORTED for 16-bit types is reported per dtype, copies, pool pairs and both growth
// replays are there, with the KB's H100 peaks, and the host copies against the PCIe link a
// recorded sysfs describes. Without a driver, with a hung or a crashing one, the run says so (and
// the host replay is still there).
#include "tfgpu/bench/run_bench.h"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "scoped_env.h"
#include "tfgpu/kb/load.h"

namespace tfgpu::bench {
namespace {

const kb::KnowledgeBase& embedded() {
  static const kb::KnowledgeBase kb = *kb::load_embedded();
  return kb;
}

BenchRequest on_fakes() {
  BenchRequest request;
  request.cuda_candidates = {TFGPU_FAKE_LIBCUDA};
  request.cublas_candidates = {TFGPU_FAKE_LIBCUBLAS};
  request.gemm_options.sizes = {48, 64};
  request.gemm_options.iterations = 2;
  request.bandwidth_options.buffer_bytes = std::uint64_t{1} << 20;
  request.bandwidth_options.iterations = 3;
  request.pool_options.sizes = {256, std::size_t{1} << 20};
  request.pool_options.target_ms = 2;
  request.pool_options.max_pairs = 5000;
  request.child_timeout = std::chrono::seconds(60);
  request.sysroot = "/nonexistent-sysroot";
  return request;
}

TEST(RunBench, OnTheFakeDriverEverySectionReportsWithTheH100Peaks) {
  // Progress is called in the children too, so it must write where the parent can see it (the
  // CLI writes to stderr): here a file in append mode, flushed after every line.
  const std::string path = ::testing::TempDir() + "/bench_progress.txt";
  std::FILE* file = std::fopen(path.c_str(), "w");
  ASSERT_NE(file, nullptr);
  const BenchReport report = run_bench(on_fakes(), embedded(), [&](const std::string& line) {
    std::fprintf(file, "%s\n", line.c_str());
    std::fflush(file);
  });
  std::fclose(file);
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  ASSERT_TRUE(report.gpu) << report.why_no_gpu;
  EXPECT_EQ(report.gpu->name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(report.gpu->compute_capability, "9.0");
  EXPECT_EQ(report.gpu->pci_bus_id, "0000:3B:00.0");
  EXPECT_NE(report.gpu->driver.find("fake_libcuda"), std::string::npos) << report.gpu->driver;
  ASSERT_TRUE(report.peak);
  EXPECT_EQ(report.peak->device_name, "H100 80GB HBM3");
  EXPECT_TRUE(report.problems.empty()) << report.problems.front().error;

  ASSERT_EQ(report.gemm.size(), 8U);
  for (const GemmMeasurement& m : report.gemm) {
    if (m.dtype == "fp32" || m.dtype == "tf32") {
      ASSERT_TRUE(m.ran()) << m.n << " " << m.dtype << ": " << m.error;
      EXPECT_EQ(m.iterations, 2);
      EXPECT_GT(m.elapsed_ms, 0);
      EXPECT_GT(m.tflops, 0);
      ASSERT_TRUE(m.percent_of_peak);
      EXPECT_GT(*m.percent_of_peak, 0);
    } else {
      EXPECT_FALSE(m.ran());
      EXPECT_NE(m.error.find("CUBLAS_STATUS_NOT_SUPPORTED"), std::string::npos) << m.error;
      EXPECT_TRUE(m.peak_tflops);  // the peak it would have been compared with
    }
  }

  ASSERT_EQ(report.bandwidth.size(), 5U);
  for (const BandwidthMeasurement& m : report.bandwidth) {
    ASSERT_TRUE(m.ran()) << m.id << ": " << m.error;
    EXPECT_EQ(m.iterations, 3);
    EXPECT_GT(m.gbs, 0);
  }
  EXPECT_EQ(report.bandwidth.back().peak_gbs, 3350.0);
  ASSERT_TRUE(report.pcie);
  EXPECT_FALSE(report.pcie->generation);  // no sysfs under the test's root
  EXPECT_FALSE(report.pcie->why_unknown.empty());
  EXPECT_FALSE(report.pcie->peak_gbs);
  EXPECT_NE(report.pcie->why_no_peak.find("the link's generation and width are unknown"),
            std::string::npos)
      << report.pcie->why_no_peak;
  for (const BandwidthMeasurement& m : report.bandwidth) {
    if (m.id != "d2d") {
      EXPECT_FALSE(m.peak_gbs) << m.id;
      EXPECT_TRUE(m.note.starts_with("no PCIe peak: the link's generation")) << m.note;
    }
  }

  ASSERT_EQ(report.pool.size(), 2U);
  for (const PoolMeasurement& m : report.pool) {
    ASSERT_TRUE(m.ran()) << m.bytes << ": " << m.error;
    EXPECT_GT(m.speedup, 0);
  }
  ASSERT_TRUE(report.growth.gpu);
  EXPECT_TRUE(report.growth.gpu->ran()) << report.growth.gpu->error;
  EXPECT_EQ(report.growth.gpu->backend, "cuMemAlloc on GPU 0");
  EXPECT_TRUE(report.growth.host.ran()) << report.growth.host.error;
  EXPECT_EQ(report.growth.host.backend, "host memory");

  // Progress: one line per measurement, from the children too.
  std::size_t gemm_lines = 0;
  for (const std::string& line : lines) {
    gemm_lines += line.starts_with("bench: gemm") ? 1U : 0U;
  }
  EXPECT_EQ(gemm_lines, 8U);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(lines.front().starts_with("bench: growth on host memory")) << lines.front();
}

// The fake GPU sits at 0000:3B:00.0; a recorded sysfs gives it a PCIe 5.0 x16 link.
TEST(RunBench, HostCopiesAreComparedWithTheRecordedPcieLink) {
  const std::filesystem::path root =
      std::filesystem::path(::testing::TempDir()) / "run_bench_pcie_sysroot";
  std::filesystem::remove_all(root);
  const std::filesystem::path device = root / "sys/bus/pci/devices/0000:3b:00.0";
  std::filesystem::create_directories(device);
  std::ofstream(device / "current_link_speed") << "32.0 GT/s PCIe\n";
  std::ofstream(device / "current_link_width") << "16\n";
  BenchRequest request = on_fakes();
  request.gemm = false;
  request.pool = false;
  request.sysroot = root.string();
  const std::string path = ::testing::TempDir() + "/bench_pcie_progress.txt";
  std::FILE* file = std::fopen(path.c_str(), "w");
  ASSERT_NE(file, nullptr);
  const BenchReport report = run_bench(request, embedded(), [&](const std::string& line) {
    std::fprintf(file, "%s\n", line.c_str());
    std::fflush(file);
  });
  std::fclose(file);
  std::filesystem::remove_all(root);
  std::ifstream in(path);
  std::string progress((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  ASSERT_TRUE(report.pcie);
  EXPECT_EQ(report.pcie->generation, 5);
  ASSERT_TRUE(report.pcie->peak_gbs) << report.pcie->why_no_peak;
  EXPECT_NEAR(*report.pcie->peak_gbs, 63.015, 1e-3);
  ASSERT_TRUE(report.pcie->kb_row);
  EXPECT_EQ(report.pcie->kb_row->encoding, "128b/130b");
  EXPECT_EQ(report.pcie->kb_row->confidence, "confirmed");
  ASSERT_EQ(report.bandwidth.size(), 5U);
  for (const BandwidthMeasurement& m : report.bandwidth) {
    ASSERT_TRUE(m.ran()) << m.id << ": " << m.error;
    ASSERT_TRUE(m.percent_of_peak) << m.id;
    if (m.id == "d2d") {
      EXPECT_EQ(m.peak_kind, "memory_bandwidth");
      EXPECT_EQ(m.peak_gbs, 3350.0);
      continue;
    }
    EXPECT_EQ(m.peak_kind, "pcie_link");
    EXPECT_EQ(m.peak_gbs, report.pcie->peak_gbs);
    EXPECT_NEAR(*m.percent_of_peak, 100.0 * m.gbs / *m.peak_gbs, 1e-9);
    EXPECT_NE(progress.find("bench: copy " + m.id + ": "), std::string::npos) << progress;
  }
  EXPECT_NE(progress.find("bench: PCIe 5.0 x16 link (32.0 GT/s PCIe): 63.0 GB/s per direction, "
                          "the KB's [[pcie_generation]] row 5"),
            std::string::npos)
      << progress;
  EXPECT_NE(progress.find("% of the PCIe 5.0 x16 link's 63.0 GB/s ("), std::string::npos)
      << progress;
}

TEST(RunBench, SectionsCanBeLeftOut) {
  BenchRequest request = on_fakes();
  request.gemm = false;
  request.pool = false;
  const BenchReport report = run_bench(request, embedded());
  ASSERT_TRUE(report.gpu) << report.why_no_gpu;
  EXPECT_TRUE(report.gemm.empty());
  EXPECT_TRUE(report.pool.empty());
  EXPECT_FALSE(report.growth.gpu);
  EXPECT_EQ(report.bandwidth.size(), 5U);
}

TEST(RunBench, WithoutADriverSaysWhyAndStillReplaysOnTheHost) {
  BenchRequest request = on_fakes();
  request.cuda_candidates = {"/nonexistent/libcuda.so.1"};
  const BenchReport report = run_bench(request, embedded());
  EXPECT_FALSE(report.gpu);
  EXPECT_NE(report.why_no_gpu.find("/nonexistent/libcuda.so.1"), std::string::npos)
      << report.why_no_gpu;
  EXPECT_TRUE(report.problems.empty());
  EXPECT_FALSE(any_child_died(report));
  EXPECT_TRUE(report.gemm.empty());
  EXPECT_TRUE(report.growth.host.ran()) << report.growth.host.error;
  EXPECT_FALSE(report.growth.gpu);
}

TEST(RunBench, NoVisibleDeviceIsNoGpuWithCuInitsAnswer) {
  ScopedEnv hidden("CUDA_VISIBLE_DEVICES", "-1");
  const BenchReport report = run_bench(on_fakes(), embedded());
  EXPECT_FALSE(report.gpu);
  EXPECT_NE(report.why_no_gpu.find("CUDA_ERROR_NO_DEVICE"), std::string::npos) << report.why_no_gpu;
  EXPECT_FALSE(any_child_died(report));
}

TEST(RunBench, AHungDriverIsATimedOutChild) {
  ScopedEnv hang("FAKE_CUDA_SCENARIO", "hang");
  BenchRequest request = on_fakes();
  request.child_timeout = std::chrono::milliseconds(500);
  const BenchReport report = run_bench(request, embedded());
  EXPECT_FALSE(report.gpu);
  ASSERT_TRUE(any_child_died(report));
  EXPECT_EQ(report.problems.front().section, "device");
  EXPECT_NE(report.problems.front().error.find("timeout"), std::string::npos)
      << report.problems.front().error;
  EXPECT_TRUE(report.growth.host.ran());
}

TEST(RunBench, ACrashingDriverIsADeadChild) {
  ScopedEnv crash("FAKE_CUDA_SCENARIO", "crash");
  const BenchReport report = run_bench(on_fakes(), embedded());
  EXPECT_FALSE(report.gpu);
  ASSERT_TRUE(any_child_died(report));
  EXPECT_NE(report.problems.front().error.find("SIGSEGV"), std::string::npos)
      << report.problems.front().error;
}

TEST(RunBench, AMissingCublasFailsTheGemmSectionOnly) {
  BenchRequest request = on_fakes();
  request.cublas_candidates = {"/nonexistent/libcublas.so.12"};
  const BenchReport report = run_bench(request, embedded());
  ASSERT_TRUE(report.gpu);
  EXPECT_TRUE(report.gemm.empty());
  ASSERT_EQ(report.problems.size(), 1U);
  EXPECT_EQ(report.problems[0].section, "gemm");
  EXPECT_FALSE(report.problems[0].child_died);
  EXPECT_NE(report.problems[0].error.find("cuBLAS could not be loaded"), std::string::npos);
  EXPECT_EQ(report.bandwidth.size(), 5U);
}

TEST(BenchPeak, CopiesTheKbRowAndIsUnsetForAnUnknownGpu) {
  const auto h200 = bench_peak(embedded(), "NVIDIA H200");
  ASSERT_TRUE(h200);
  EXPECT_EQ(h200->memory_bandwidth_gbs, 4800.0);
  EXPECT_FALSE(h200->sources.empty());
  EXPECT_FALSE(bench_peak(embedded(), "NVIDIA GeForce GT 710"));
}

TEST(BenchPcieGenerations, CopiesTheKbRows) {
  const std::vector<BenchPcieGeneration> rows = bench_pcie_generations(embedded());
  ASSERT_EQ(rows.size(), 6U);
  for (int generation = 1; generation <= 6; ++generation) {
    const BenchPcieGeneration& row = rows[static_cast<std::size_t>(generation - 1)];
    EXPECT_EQ(row.generation, generation);
    EXPECT_FALSE(row.sources.empty());
  }
  EXPECT_NEAR(pcie_payload_gbs(rows[4], 16), 63.015, 1e-3);
  EXPECT_EQ(rows[4].confidence, "confirmed");
  EXPECT_EQ(rows[5].confidence, "derived");
  EXPECT_TRUE(bench_pcie_generations(kb::KnowledgeBase{}).empty());
}

}  // namespace
}  // namespace tfgpu::bench
