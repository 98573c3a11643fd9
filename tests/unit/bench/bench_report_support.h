// SPDX-License-Identifier: Apache-2.0
#pragma once
// A report with every section filled, for the JSON and text tests: h2d_pinned against a
// PCIe 5.0 x16 link's 63.0 GB/s, d2d against the H100's memory bandwidth.

#include "tfgpu/bench/bench_result.h"

namespace tfgpu::bench::testing {

inline BenchReport full_report() {
  BenchReport report;
  report.tool_version = "0.1.0";
  report.gpu = BenchGpu{0,
                        "NVIDIA H100 80GB HBM3",
                        "9.0",
                        std::uint64_t{80} << 30,
                        "0000:3B:00.0",
                        "/usr/lib/x86_64-linux-gnu/libcuda.so.1"};
  report.peak = BenchPeak{"H100 80GB HBM3",
                          "NVIDIA H100",
                          "confirmed",
                          {"nvidia-tensor-core-datasheet"},
                          66.9,
                          494.7,
                          989.4,
                          989.4,
                          3350};
  report.gemm.push_back(GemmMeasurement{4096, "fp32", 20, 50.5, 54.4, 66.9, 81.3, ""});
  report.gemm.push_back(GemmMeasurement{4096, "fp16", 0, 0, 0, 989.4, std::nullopt,
                                        "cublasGemmEx: CUBLAS_STATUS_NOT_SUPPORTED (15)"});
  const double link_gbs = 32 * 16 * (128.0 / 130) / 8;
  report.bandwidth.push_back(BandwidthMeasurement{"h2d_pinned", "host_to_device", "pinned",
                                                  256 << 20, 256 << 20, 10, 50.6, 53.0, link_gbs,
                                                  84.1, "pcie_link", "against the link", ""});
  report.bandwidth.push_back(BandwidthMeasurement{"d2d", "device_to_device", "", 256 << 20,
                                                  512 << 20, 10, 1.8, 2982.6, 3350.0, 89.0,
                                                  "memory_bandwidth", "counts 2x", ""});
  report.pcie = PcieLink{
      5,
      16,
      "32.0 GT/s PCIe",
      "/sys/bus/pci/devices/0000:3b:00.0/"
      "current_link_speed",
      "",
      link_gbs,
      BenchPcieGeneration{
          5, 32, "128b/130b", 128.0 / 130, "confirmed", {"pci-sig-base-spec", "wikipedia-pcie"}},
      ""};
  report.pool.push_back(PoolMeasurement{256, 100000, 95.5, 500, 9550.0, 100.0, 50, ""});
  report.pool.push_back(PoolMeasurement{64 << 20, 100000, 120.0, 500, 3000.0, 25.0, 50, ""});
  report.growth.host = GrowthMeasurement{"host memory", "proportional", 0.25,    84011642880, 5000,
                                         1000000,       1100000,        1300000, 12,          1.18,
                                         1.3,           1.25,           ""};
  report.growth.gpu = GrowthMeasurement{"cuMemAlloc on GPU 0",
                                        "proportional",
                                        0.25,
                                        84011642880,
                                        5000,
                                        1000000,
                                        1100000,
                                        1400000,
                                        12,
                                        1.27,
                                        1.4,
                                        1.25,
                                        ""};
  report.problems.push_back(BenchProblem{"pool", "something", false});
  return report;
}

}  // namespace tfgpu::bench::testing
