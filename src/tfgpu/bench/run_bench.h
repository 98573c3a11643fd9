// SPDX-License-Identifier: Apache-2.0
#pragma once
// One `tfgpu bench` run.
//
// Everything that loads libcuda or cuBLAS runs in a forked child with a deadline
// (probe::run_in_child, as verify's native checks), so a hung or crashing driver becomes a
// reported problem instead of a hung or crashed tfgpu: first a child that finds GPU:0, then one
// child per section (GEMM, bandwidth, pool), each handing its results back as JSON
// (bench_json.h). A section whose child dies is recorded in `problems` and the others still run.
// The growth replay on the host backend runs in this process first: it loads no vendor code, so
// it is there on every machine, with or without a GPU.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tfgpu/bench/bandwidth_bench.h"
#include "tfgpu/bench/bench_result.h"
#include "tfgpu/bench/gemm_bench.h"
#include "tfgpu/bench/pool_bench.h"
#include "tfgpu/bench/timing.h"
#include "tfgpu/kb/knowledge_base.h"

namespace tfgpu::bench {

inline constexpr std::chrono::seconds kDefaultChildTimeout{300};

struct BenchRequest {
  bool gemm = true;
  bool bandwidth = true;
  bool pool = true;
  GemmSweepOptions gemm_options;
  BandwidthOptions bandwidth_options;
  PoolBenchOptions pool_options;
  // Tried in order for the driver and for cuBLAS (tests point them at fake libraries).
  std::vector<std::string> cuda_candidates = {"libcuda.so.1"};
  std::vector<std::string> cublas_candidates = vendor::default_cublas_candidates();
  // Each child's deadline.
  std::chrono::milliseconds child_timeout = kDefaultChildTimeout;
  // Where the PCIe link is read (/sys/bus/pci/devices/…): "/" for this machine.
  std::string sysroot = "/";
};

// The KB's [[peak]] row for `device_name` (kb::KnowledgeBase::peak_for), copied; unset when
// there is none — then nothing is compared, and no peak is ever invented.
std::optional<BenchPeak> bench_peak(const kb::KnowledgeBase& kb, std::string_view device_name);

// The KB's [[pcie_generation]] rows, copied (the peak of host↔device copies is computed from
// them in the bandwidth child, once the link is read): plain data, as bench_peak's.
std::vector<BenchPcieGeneration> bench_pcie_generations(const kb::KnowledgeBase& kb);

// Run what `request` asks for on GPU:0 (see the header comment). Never fails: no GPU is
// `why_no_gpu`, a child that dies is a problem, a measurement that fails says so on its row.
// `progress` is called with one line per measurement, in the children too (they inherit it), so
// it must write where this process's user sees it, such as stderr, and not into memory.
BenchReport run_bench(const BenchRequest& request, const kb::KnowledgeBase& kb,
                      const Progress& progress = {});

}  // namespace tfgpu::bench
