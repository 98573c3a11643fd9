// SPDX-License-Identifier: Apache-2.0
#pragma once
// Copy bandwidth of `tfgpu bench`: host→device and device→host from pinned memory
// (cuMemHostAlloc: the DMA engines read it directly) and pageable memory (a std::vector: the
// driver stages it through its own pinned buffers, which is what an unprepared program gets),
// and device→device (cuMemcpyDtoD_v2). In GB/s (10^9 bytes per second).
//
// Only device→device has a peak in the KB: the memory's bandwidth. A device copy reads every
// byte and writes it again, so it counts twice the buffer against that peak (the convention of
// NVIDIA's bandwidthTest and of STREAM's "copy"). Host↔device copies cross PCIe (or NVLink-C2C),
// for which the KB has no peak; the link the kernel negotiated is reported beside them instead
// (read_pcie_link).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/bench/bench_result.h"
#include "tfgpu/bench/timing.h"
#include "tfgpu/probe/sysroot.h"
#include "tfgpu/vendor/cuda_compute.h"

namespace tfgpu::bench {

inline constexpr std::uint64_t kDefaultBandwidthBytes = std::uint64_t{256} << 20;

struct BandwidthOptions {
  std::uint64_t buffer_bytes = kDefaultBandwidthBytes;
  int iterations = 0;  // copies per measurement; 0 chooses them (about target_ms)
  double target_ms = 200;
};

// bytes·iterations over `elapsed_ms`, in 10^9 bytes per second; 0 when elapsed_ms is not positive.
double gigabytes_per_second(std::uint64_t bytes, int iterations, double elapsed_ms);

// The five copies (h2d_pinned, d2h_pinned, h2d_pageable, d2h_pageable, d2d), in that order, on
// the GPU active on the calling thread. Each is a warm-up copy, a calibration when iterations
// are chosen automatically, then the timed copies between two CUDA events. Buffers that cannot
// be allocated fail the rows that need them, with the reason; the others still run.
std::vector<BandwidthMeasurement> run_bandwidth(vendor::CudaCompute& compute,
                                                const BandwidthOptions& options,
                                                const std::optional<BenchPeak>& peak,
                                                const Progress& progress = {});

// The PCIe generation of a link speed as sysfs writes it ("2.5 GT/s", "5.0 GT/s PCIe", "8.0 GT/s
// PCIe", "16.0 GT/s PCIe", "32.0 GT/s PCIe", "64.0 GT/s PCIe"): 1 to 6; unset for anything else
// ("Unknown", an empty file).
std::optional<int> pcie_generation(std::string_view link_speed);

// The link of the PCI device `pci_bus_id` ("0000:3B:00.0", cuDeviceGetPCIBusId's spelling) from
// /sys/bus/pci/devices/<id in lower case>/current_link_speed and current_link_width, read through
// `root`. Never fails: what cannot be read or parsed leaves generation or width unset and says
// why in why_unknown. Read it while the link is busy: an idle GPU may train its link down to a
// slower speed to save power.
PcieLink read_pcie_link(const probe::SysRoot& root, std::string_view pci_bus_id);

// A byte count for --bandwidth-bytes: digits with an optional unit K, M, G (or KiB, MiB, GiB,
// powers of 1024) or B, case-insensitive ("268435456", "256M", "256MiB", "1GiB"). Fails with
// kInvalidArgument naming the text when it is not such a number, is 0, or overflows.
Result<std::uint64_t> parse_byte_size(std::string_view text);

}  // namespace tfgpu::bench
