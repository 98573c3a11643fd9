// SPDX-License-Identifier: Apache-2.0
#pragma once
// The memory pool in `tfgpu bench`, two questions from issue 5:
//
// - What an allocate+free pair costs through the pool (runtime::MemoryPool over the CUDA region
//   source, in steady state: the region serving the size already exists) against going to the
//   driver each time (cuMemAlloc_v2 + cuMemFree_v2). Both are host calls that return when done,
//   so they are timed with the host's steady clock, not CUDA events (which time GPU work). The
//   issue's target: the pool at least 50x faster.
// - How much a growth-mode pool reserves against its peak in use when it replays
//   runtime/allocation_trace.h's training trace, with the pool options runtime::plan_device_pools
//   gives a GPU with memory growth set (the runtime's default policy). Target: at most 1.25x. On
//   the GPU the regions come from cuMemAlloc; on the host backend (HostRegionSource) the same
//   replay runs on any machine.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/bench/bench_result.h"
#include "tfgpu/bench/timing.h"
#include "tfgpu/runtime/memory_config.h"
#include "tfgpu/runtime/memory_pool.h"
#include "tfgpu/runtime/region_source.h"
#include "tfgpu/vendor/cuda_compute.h"

namespace tfgpu::bench {

inline constexpr double kPoolTargetSpeedup = 50.0;
inline constexpr double kGrowthTargetRatio = 1.0 + runtime::kDefaultGrowthHeadroom;  // 1.25

struct PoolBenchOptions {
  std::vector<std::size_t> sizes = {256, 4 << 10, 64 << 10, 1 << 20, 16 << 20, 64 << 20};
  // Pairs per measurement: until this much host time has passed, at least min_pairs and at
  // most max_pairs.
  double target_ms = 50;
  std::uint64_t min_pairs = 16;
  std::uint64_t max_pairs = 1000000;
};

// Pool and driver pairs for each size, on GPU `ordinal` of `compute` (activated here; the pool's
// CudaRegionSource activates it too). A size either side cannot allocate fails its row.
std::vector<PoolMeasurement> run_pool_vs_driver(vendor::CudaCompute& compute, int ordinal,
                                                const PoolBenchOptions& options,
                                                const Progress& progress = {});

// The pool options a GPU with `memory` and memory growth set gets from plan_device_pools (no
// TF_FORCE_GPU_ALLOW_GROWTH): growth mode, the runtime's default policy, the default limit.
// Fails as plan_device_pools does.
Result<runtime::PoolOptions> growth_pool_options(const runtime::GpuMemoryInfo& memory);

// The GPU the host replay describes: the H100 (80 GiB, all free, compute capability 9).
runtime::GpuMemoryInfo described_h100_memory();

// Replay the default training trace on a fresh pool with `options` over `source` and say what it
// reserved against its peak. The pool gives its regions back before returning. Never fails: an
// error (the source ran out, a malformed trace) is the measurement's `error`.
GrowthMeasurement run_growth_replay(runtime::RegionSource& source,
                                    const runtime::PoolOptions& options);

}  // namespace tfgpu::bench
