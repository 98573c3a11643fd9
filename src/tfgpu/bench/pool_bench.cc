// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/bench/pool_bench.h"

#include <algorithm>
#include <chrono>
#include <functional>

#include <fmt/format.h>

#include "tfgpu/runtime/allocation_trace.h"
#include "tfgpu/runtime/cuda_region_source.h"

namespace tfgpu::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Pairs {
  std::uint64_t count = 0;
  double ns_per_pair = 0;
};

// Run `pair` in batches until the options' time has passed (and at least min_pairs, at most
// max_pairs); the clock is read once per batch so its own cost stays out of fast pairs.
Result<Pairs> time_pairs(const PoolBenchOptions& options, std::uint64_t batch,
                         const std::function<Result<void>()>& pair) {
  const auto target = std::chrono::duration<double, std::milli>(options.target_ms);
  const auto start = Clock::now();
  Pairs pairs;
  for (;;) {
    for (std::uint64_t i = 0; i < batch; ++i) {
      TFGPU_TRY(pair());
    }
    pairs.count += batch;
    const auto elapsed = Clock::now() - start;
    if ((elapsed >= target && pairs.count >= options.min_pairs) ||
        pairs.count >= options.max_pairs) {
      pairs.ns_per_pair = std::chrono::duration<double, std::nano>(elapsed).count() /
                          static_cast<double>(pairs.count);
      return pairs;
    }
  }
}

std::string measured_line(const PoolMeasurement& m) {
  if (!m.ran()) {
    return fmt::format("bench: pool {}: not measured: {}", runtime::format_bytes(m.bytes), m.error);
  }
  return fmt::format(
      "bench: pool {}: pool {:.0f} ns, cuMemAlloc+cuMemFree {:.0f} ns per pair: {:.1f}x ({} the "
      "{:.0f}x target)",
      runtime::format_bytes(m.bytes), m.pool_ns_per_pair, m.driver_ns_per_pair, m.speedup,
      m.meets_target() ? "meets" : "misses", m.target_speedup);
}

}  // namespace

std::vector<PoolMeasurement> run_pool_vs_driver(vendor::CudaCompute& compute, int ordinal,
                                                const PoolBenchOptions& options,
                                                const Progress& progress) {
  std::vector<PoolMeasurement> out;
  const std::size_t largest =
      options.sizes.empty() ? 0 : *std::max_element(options.sizes.begin(), options.sizes.end());
  runtime::CudaRegionSource source(compute, ordinal);
  // Room for every size at once, so no size waits on another's region.
  const std::size_t limit = std::max<std::size_t>(runtime::kGiB, 4 * largest);
  runtime::MemoryPool pool(source,
                           runtime::PoolOptions{"GPU_0_bfc", limit, runtime::Growth::kGrow});
  const Result<void> active = compute.activate(ordinal);
  for (const std::size_t bytes : options.sizes) {
    PoolMeasurement m;
    m.bytes = bytes;
    m.target_speedup = kPoolTargetSpeedup;
    const auto pool_pair = [&]() -> Result<void> {
      auto block = pool.allocate(bytes);
      if (!block) {
        return tl::unexpected(block.error());
      }
      return pool.deallocate(block->address);
    };
    const auto driver_pair = [&]() -> Result<void> {
      auto pointer = compute.allocate(bytes);
      if (!pointer) {
        return tl::unexpected(pointer.error());
      }
      return compute.free(*pointer);
    };
    auto measured = [&]() -> Result<void> {
      TFGPU_TRY(active);
      // Warm-up: the pool takes the region for this size; the driver maps its first pages.
      TFGPU_TRY(pool_pair());
      TFGPU_TRY(driver_pair());
      auto pooled = time_pairs(options, 64, pool_pair);
      if (!pooled) {
        return tl::unexpected(pooled.error().with_context("through the pool"));
      }
      auto direct = time_pairs(options, 1, driver_pair);
      if (!direct) {
        return tl::unexpected(direct.error().with_context("cuMemAlloc_v2 + cuMemFree_v2"));
      }
      m.pool_pairs = pooled->count;
      m.pool_ns_per_pair = pooled->ns_per_pair;
      m.driver_pairs = direct->count;
      m.driver_ns_per_pair = direct->ns_per_pair;
      m.speedup = m.pool_ns_per_pair > 0 ? m.driver_ns_per_pair / m.pool_ns_per_pair : 0;
      return {};
    }();
    if (!measured) {
      m = PoolMeasurement{
          .bytes = bytes, .target_speedup = kPoolTargetSpeedup, .error = measured.error().message};
    }
    if (progress) {
      progress(measured_line(m));
    }
    out.push_back(std::move(m));
  }
  return out;
}

Result<runtime::PoolOptions> growth_pool_options(const runtime::GpuMemoryInfo& memory) {
  runtime::DeviceMemoryConfig config(memory.total_bytes);
  TFGPU_TRY(config.set_memory_growth(true));
  auto plan = runtime::plan_device_pools(config, memory, nullptr);
  if (!plan) {
    return tl::unexpected(plan.error());
  }
  if (plan->pools.empty()) {
    return make_error(Errc::kInternal, "plan_device_pools planned no pool");
  }
  return plan->pools.front();
}

runtime::GpuMemoryInfo described_h100_memory() {
  constexpr std::uint64_t kH100Bytes = std::uint64_t{80} << 30;
  return runtime::GpuMemoryInfo{kH100Bytes, kH100Bytes, 9};
}

GrowthMeasurement run_growth_replay(runtime::RegionSource& source,
                                    const runtime::PoolOptions& options) {
  GrowthMeasurement m;
  m.backend = source.name();
  m.policy = runtime::growth_policy_name(options.growth_policy);
  m.growth_headroom = options.growth_headroom;
  m.limit_bytes = options.limit_bytes;
  m.target_ratio = kGrowthTargetRatio;
  if (options.growth != runtime::Growth::kGrow) {
    m.error = "the pool options are not growth mode";
    return m;
  }
  const std::vector<runtime::TraceEvent> events = runtime::training_trace();
  m.trace_events = events.size();
  auto needed = runtime::trace_peak_bytes(events);
  if (!needed) {
    m.error = needed.error().message;
    return m;
  }
  m.trace_peak_bytes = *needed;
  runtime::MemoryPool pool(source, options);
  auto stats = runtime::replay(pool, events);
  if (!stats) {
    m.error = stats.error().message;
    return m;
  }
  m.peak_in_use_bytes = stats->peak_bytes_in_use;
  m.reserved_bytes = stats->bytes_reserved;
  m.regions = stats->regions;
  if (stats->peak_bytes_in_use > 0) {
    m.reserved_over_peak =
        static_cast<double>(stats->bytes_reserved) / static_cast<double>(stats->peak_bytes_in_use);
  }
  if (*needed > 0) {
    m.reserved_over_trace_peak =
        static_cast<double>(stats->bytes_reserved) / static_cast<double>(*needed);
  }
  return m;
}

}  // namespace tfgpu::bench
