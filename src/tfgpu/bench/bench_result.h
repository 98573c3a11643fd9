// SPDX-License-Identifier: Apache-2.0
#pragma once
// What `tfgpu bench` measured: plain structs, one per kind of measurement, each carrying the
// peak it was compared against (or none), so a reader never has to guess which figure a
// percentage rests on. Serialised by bench_json.h (the pipe from the measuring child and
// `--json`, schema "tfgpu.bench/1"); rendered by bench_text.h.
//
// Units are in the names: elapsed_ms, tflops (10^12 flop/s), gbs (10^9 bytes/s), ns_per_pair.
// A measurement that could not run keeps its identity (n and dtype, copy id, size) and says why
// in `error`; its numbers stay 0.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tfgpu::bench {

// The GPU measured (GPU:0 as the driver lists it).
struct BenchGpu {
  int ordinal = 0;
  std::string name;                // cuDeviceGetName: "NVIDIA H100 80GB HBM3"
  std::string compute_capability;  // "9.0"
  std::uint64_t memory_bytes = 0;
  std::string pci_bus_id;  // "0000:3B:00.0"
  std::string driver;      // the libcuda the child loaded

  bool operator==(const BenchGpu&) const = default;
};

// The KB's [[peak]] row used for every percentage (kb::GpuPeak, copied: results outlive the KB).
struct BenchPeak {
  std::string device_name;  // the row's key, a part of the reported name
  std::string model;
  std::string confidence;  // "confirmed", "derived", "unconfirmed"
  std::vector<std::string> sources;
  double fp32_tflops = 0;
  double tf32_tflops = 0;
  double fp16_tflops = 0;
  double bf16_tflops = 0;
  double memory_bandwidth_gbs = 0;

  bool operator==(const BenchPeak&) const = default;
};

// A KB [[pcie_generation]] row (kb::PcieGeneration, copied like BenchPeak): what one lane of a
// PCIe generation carries, so a link's peak can be computed where the KB is not at hand.
struct BenchPcieGeneration {
  int generation = 0;
  double transfer_rate_gts = 0;  // per lane
  std::string encoding;          // "128b/130b"
  double payload_efficiency = 0;
  std::string confidence;
  std::vector<std::string> sources;

  bool operator==(const BenchPcieGeneration&) const = default;
};

// One GEMM shape and precision: C = A·B, n×n, `iterations` launches timed with CUDA events
// after a warm-up.
struct GemmMeasurement {
  int n = 0;
  std::string dtype;  // "fp32", "tf32", "fp16", "bf16"
  int iterations = 0;
  double elapsed_ms = 0;  // all iterations, between the two events
  double tflops = 0;      // 2·n³·iterations / elapsed
  std::optional<double> peak_tflops;
  std::optional<double> percent_of_peak;
  std::string error;  // empty when it ran

  bool ran() const { return error.empty(); }

  bool operator==(const GemmMeasurement&) const = default;
};

// One copy direction: `iterations` copies of `buffer_bytes` timed with CUDA events.
struct BandwidthMeasurement {
  std::string id;           // "h2d_pinned", "h2d_pageable", "d2h_pinned", "d2h_pageable", "d2d"
  std::string direction;    // "host_to_device", "device_to_host", "device_to_device"
  std::string host_memory;  // "pinned", "pageable", "" for device to device
  std::uint64_t buffer_bytes = 0;
  // Bytes each copy counts for: the buffer, or twice it for device to device (it reads and
  // writes device memory, and the peak is the memory's bandwidth).
  std::uint64_t bytes_counted_per_copy = 0;
  int iterations = 0;
  double elapsed_ms = 0;
  double gbs = 0;  // bytes_counted_per_copy·iterations / elapsed, 10^9 bytes per second
  std::optional<double> peak_gbs;
  std::optional<double> percent_of_peak;
  // What peak_gbs is: "memory_bandwidth" (d2d: the KB's [[peak]] row), "pcie_link" (h2d, d2h:
  // the PCIe link's payload rate per direction, BenchReport::pcie); empty without a peak.
  std::string peak_kind;
  std::string note;
  std::string error;

  bool ran() const { return error.empty(); }

  bool operator==(const BandwidthMeasurement&) const = default;
};

// The PCIe link of the GPU, as the kernel reports it (sysfs current_link_speed/width), and what
// it carries per direction: the peak of host↔device copies.
struct PcieLink {
  std::optional<int> generation;  // 1 … 6, from the link's transfer rate
  std::optional<int> width;       // lanes: 16
  std::string link_speed;         // as read: "16.0 GT/s PCIe"
  std::string source;             // the file it came from
  std::string why_unknown;        // when generation or width is unknown
  // transfer_rate_gts · width · payload_efficiency / 8 of the KB row of its generation
  // (kb_row), GB/s per direction; unset, with why_no_peak, when the link or the row is unknown.
  std::optional<double> peak_gbs;
  std::optional<BenchPcieGeneration> kb_row;
  std::string why_no_peak;

  bool operator==(const PcieLink&) const = default;
};

// Allocate+free pairs of one size: through the pool (steady state: its region exists) and
// straight to the driver (cuMemAlloc_v2 + cuMemFree_v2), timed on the host clock because both
// are host calls that return when done.
struct PoolMeasurement {
  std::uint64_t bytes = 0;
  std::uint64_t pool_pairs = 0;
  double pool_ns_per_pair = 0;
  std::uint64_t driver_pairs = 0;
  double driver_ns_per_pair = 0;
  double speedup = 0;  // driver_ns_per_pair / pool_ns_per_pair
  double target_speedup = 0;
  std::string error;

  bool ran() const { return error.empty(); }

  bool meets_target() const { return ran() && speedup >= target_speedup; }

  bool operator==(const PoolMeasurement&) const = default;
};

// A growth-mode pool replaying runtime/allocation_trace.h's training trace.
struct GrowthMeasurement {
  std::string backend;  // the region source: "host memory", "cuMemAlloc on GPU 0"
  std::string policy;   // runtime::growth_policy_name: "proportional", "tensorflow"
  double growth_headroom = 0;
  std::uint64_t limit_bytes = 0;
  std::uint64_t trace_events = 0;
  std::uint64_t trace_peak_bytes = 0;   // what the trace has live at most (256-byte rounded)
  std::uint64_t peak_in_use_bytes = 0;  // the pool's own peak (whole chunks)
  std::uint64_t reserved_bytes = 0;
  std::uint64_t regions = 0;
  double reserved_over_peak = 0;        // reserved / the pool's peak in use: the measure
  double reserved_over_trace_peak = 0;  // reserved / the trace's peak
  double target_ratio = 0;
  std::string error;

  bool ran() const { return error.empty(); }

  bool within_target() const { return ran() && reserved_over_peak <= target_ratio; }

  bool operator==(const GrowthMeasurement&) const = default;
};

struct GrowthSection {
  GrowthMeasurement host;
  std::optional<GrowthMeasurement> gpu;

  bool operator==(const GrowthSection&) const = default;
};

// A part that could not be measured at all: its child timed out or died (exit code 3), or the
// driver could not be loaded for it.
struct BenchProblem {
  std::string section;  // "device", "gemm", "bandwidth", "pool"
  std::string error;
  bool child_died = false;  // timed out, killed by a signal, or returned nothing

  bool operator==(const BenchProblem&) const = default;
};

struct BenchReport {
  std::string tool_version;
  std::optional<BenchGpu> gpu;
  std::string why_no_gpu;  // when gpu is unset
  std::optional<BenchPeak> peak;
  std::string why_no_peak;  // when a GPU has no [[peak]] row: "no peak known for …"
  std::vector<GemmMeasurement> gemm;
  std::vector<BandwidthMeasurement> bandwidth;
  std::optional<PcieLink> pcie;
  std::vector<PoolMeasurement> pool;
  GrowthSection growth;
  std::vector<BenchProblem> problems;

  bool operator==(const BenchReport&) const = default;
};

// Whether a child died or timed out (`tfgpu bench` exit code 3).
bool any_child_died(const BenchReport& report);

}  // namespace tfgpu::bench
