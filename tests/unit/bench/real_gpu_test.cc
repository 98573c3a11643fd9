// SPDX-License-Identifier: Apache-2.0
// `tfgpu bench` on the real GPU (the lent H100/H200; label gpu via the bench_on_real_gpu test):
// every section runs with the real libcuda and libcublas, and no figure beats its peak (a host
// copy's is the PCIe link's). Without a GPU these skip with the reason; with TFGPU_EXPECT_GPU=1 a
// missing GPU fails them. The children load the driver, so this process never does (no clash
// with the fake's SONAME).
#include <stdlib.h>

#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "tfgpu/bench/run_bench.h"
#include "tfgpu/kb/load.h"

namespace tfgpu::bench {
namespace {

bool expect_gpu() {
  const char* value = ::getenv("TFGPU_EXPECT_GPU");
  return value != nullptr && std::strcmp(value, "1") == 0;
}

TEST(RealGpuBench, EverySectionRunsAndNoFigureBeatsItsPeak) {
  BenchRequest request;
  request.gemm_options.sizes = {2048};
  request.gemm_options.target_ms = 50;
  request.bandwidth_options.buffer_bytes = std::uint64_t{64} << 20;
  request.bandwidth_options.target_ms = 50;
  request.pool_options.target_ms = 20;
  request.child_timeout = std::chrono::seconds(120);
  const BenchReport report = run_bench(request, *kb::load_embedded());
  if (!report.gpu) {
    if (expect_gpu()) {
      FAIL() << "TFGPU_EXPECT_GPU=1 but bench sees no GPU: " << report.why_no_gpu;
    }
    GTEST_SKIP() << "no GPU: " << report.why_no_gpu;
  }
  EXPECT_TRUE(report.problems.empty())
      << report.problems.front().section << ": " << report.problems.front().error;
  const bool tensor_cores = std::stoi(report.gpu->compute_capability) >= 8;  // "9.0", "10.0"
  ASSERT_EQ(report.gemm.size(), 4U);
  for (const GemmMeasurement& m : report.gemm) {
    if (m.dtype == "fp32" || tensor_cores) {
      ASSERT_TRUE(m.ran()) << m.dtype << ": " << m.error;
      EXPECT_GT(m.tflops, 0) << m.dtype;
      if (m.percent_of_peak) {
        EXPECT_LT(*m.percent_of_peak, 110.0) << m.dtype << ": faster than the KB's peak?";
      }
    }
  }
  ASSERT_EQ(report.bandwidth.size(), 5U);
  for (const BandwidthMeasurement& m : report.bandwidth) {
    ASSERT_TRUE(m.ran()) << m.id << ": " << m.error;
    EXPECT_GT(m.gbs, 1.0) << m.id;
    if (m.percent_of_peak) {
      EXPECT_LT(*m.percent_of_peak, 100.0) << m.id;
    }
  }
  // The link is read right after the copies; every generation it can be (1 to 6) has a KB row,
  // so a known link gives the host copies a peak, and they stay below it.
  ASSERT_TRUE(report.pcie);
  if (report.pcie->generation && report.pcie->width) {
    ASSERT_TRUE(report.pcie->peak_gbs) << report.pcie->why_no_peak;
    for (const BandwidthMeasurement& m : report.bandwidth) {
      if (m.id != "d2d") {
        EXPECT_EQ(m.peak_kind, "pcie_link") << m.id;
        EXPECT_TRUE(m.percent_of_peak) << m.id;
      }
    }
  }
  ASSERT_FALSE(report.pool.empty());
  for (const PoolMeasurement& m : report.pool) {
    ASSERT_TRUE(m.ran()) << m.bytes << ": " << m.error;
    EXPECT_GT(m.speedup, 1.0) << m.bytes << ": the pool is slower than cuMemAlloc+cuMemFree";
  }
  ASSERT_TRUE(report.growth.gpu);
  EXPECT_TRUE(report.growth.gpu->ran()) << report.growth.gpu->error;
  EXPECT_TRUE(report.growth.gpu->within_target()) << report.growth.gpu->reserved_over_peak;
}

}  // namespace
}  // namespace tfgpu::bench
