// SPDX-License-Identifier: Apache-2.0
#pragma once
// Copy bandwidth of `tfgpu bench`: host→device and device→host from pinned memory
// (cuMemHostAlloc: the DMA engines read it directly) and pageable memory (a std::vector: the
// driver stages it through its own pinned buffers, which is what an unprepared program gets),
// and device→device (cuMemcpyDtoD_v2). In GB/s (10^9 bytes per second).
//
// Device→device is compared with the memory's bandwidth (the KB's [[peak]] row). A device copy
// reads every byte and writes it again, so it counts twice the buffer against that peak (the
// convention of NVIDIA's bandwidthTest and of STREAM's "copy"). Host↔device copies cross the
// PCIe link, so they are compared with what the link the kernel negotiated carries per direction
// (read_pcie_link, then with_pcie_peak from the KB's [[pcie_generation]] rows, then
// compare_with_pcie_link): its line rate less the encoding. TLP headers and flow control keep a
// real copy below that (NVIDIA's bandwidthTest reaches ~26 GB/s on a gen-4 x16 A100, whose link
// carries 31.5), and the link is read after the copies, because an idle GPU may train it down.

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

// "PCIe 5.0 x16": the link as PCI-SIG's revisions name it; "?" for what is unknown.
std::string pcie_link_name(const PcieLink& link);

// What a host<->device copy is compared with, for a link with a peak (peak_gbs and kb_row set):
// "the PCIe 5.0 x16 link's raw payload rate per direction, 63.0 GB/s (32 GT/s x 16 lanes x
// 0.9846 (128b/130b) / 8; the KB's [[pcie_generation]] row 5, confirmed): packet headers keep
// real copies below it (…)". The copies' note and bench's text both say it.
std::string pcie_peak_explanation(const PcieLink& link);

// GB/s per direction (10^9 bytes) that `width` lanes of `row`'s generation carry:
// transfer_rate_gts · width · payload_efficiency / 8 (gen 5 x16: 63.0, gen 4 x16: 31.5).
double pcie_payload_gbs(const BenchPcieGeneration& row, int width);

// `link` with peak_gbs and kb_row set from the row of its generation in `generations`; when its
// generation or width is unknown, the KB has no row for the generation, or the row gives no rate
// (a `--kb DIR` that was not linted), peak_gbs stays unset and why_no_peak says which.
PcieLink with_pcie_peak(PcieLink link, const std::vector<BenchPcieGeneration>& generations);

// Compares each host↔device row that ran with link.peak_gbs: peak_gbs, percent_of_peak,
// peak_kind "pcie_link" and a note naming the link and its KB row. Without a peak the rows stay
// uncompared and their note gives link.why_no_peak. Device copies are left as they are.
void compare_with_pcie_link(std::vector<BandwidthMeasurement>& rows, const PcieLink& link);

// A copy's progress line: its rate and what it was compared with ("84.1 % of the PCIe 5.0 x16
// link's 63.0 GB/s" needs `link`; "89.0 % of the 3350 GB/s memory bandwidth").
std::string bandwidth_line(const BandwidthMeasurement& m, const PcieLink* link = nullptr);

// A byte count for --bandwidth-bytes: digits with an optional unit K, M, G (or KiB, MiB, GiB,
// powers of 1024) or B, case-insensitive ("268435456", "256M", "256MiB", "1GiB"). Fails with
// kInvalidArgument naming the text when it is not such a number, is 0, or overflows.
Result<std::uint64_t> parse_byte_size(std::string_view text);

}  // namespace tfgpu::bench
