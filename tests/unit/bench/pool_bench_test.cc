// SPDX-License-Identifier: Apache-2.0
// Pool against driver on the in-process fake (the pool's pairs never reach the driver in steady
// state; a size the driver cannot give fails its row), and growth mode's replay of the training
// trace on the host backend: within the 1.25x with the runtime's default options, and
// flagged when a policy misses it.
#include "tfgpu/bench/pool_bench.h"

#include <gtest/gtest.h>

#include "fake_compute.h"

namespace tfgpu::bench {
namespace {

using testing::FakeCompute;

PoolBenchOptions quick(std::vector<std::size_t> sizes) {
  PoolBenchOptions options;
  options.sizes = std::move(sizes);
  options.target_ms = 1;
  options.min_pairs = 16;
  options.max_pairs = 2000;
  return options;
}

TEST(PoolVsDriver, EachSizeHasBothFiguresAndTheirRatio) {
  FakeCompute compute;
  std::vector<std::string> lines;
  const auto out = run_pool_vs_driver(compute, 0, quick({256, 1 << 20, 64 << 20}),
                                      [&](const std::string& line) { lines.push_back(line); });
  ASSERT_EQ(out.size(), 3U);
  for (const PoolMeasurement& m : out) {
    ASSERT_TRUE(m.ran()) << m.bytes << ": " << m.error;
    EXPECT_GE(m.pool_pairs, 16U);
    EXPECT_LE(m.pool_pairs, 2000U + 63U);  // whole batches of 64
    EXPECT_GE(m.driver_pairs, 16U);
    EXPECT_GT(m.pool_ns_per_pair, 0);
    EXPECT_GT(m.driver_ns_per_pair, 0);
    EXPECT_DOUBLE_EQ(m.speedup, m.driver_ns_per_pair / m.pool_ns_per_pair);
    EXPECT_EQ(m.target_speedup, kPoolTargetSpeedup);
  }
  EXPECT_EQ(out[2].bytes, 64U << 20);
  EXPECT_EQ(lines.size(), 3U);
  // The driver saw one call per driver pair, plus the pool's few regions: the pool's own pairs
  // never reached it.
  std::size_t driver_pairs = 0;
  std::size_t pool_pairs = 0;
  for (const PoolMeasurement& m : out) {
    driver_pairs += m.driver_pairs + 1;  // + the warm-up
    pool_pairs += m.pool_pairs;
  }
  EXPECT_GE(compute.allocate_calls, driver_pairs);
  EXPECT_LT(compute.allocate_calls, driver_pairs + 10);
  EXPECT_GT(pool_pairs, 0U);
  EXPECT_EQ(compute.live_blocks(), 0U);  // the pool gave its regions back
}

TEST(PoolVsDriver, ASizeTheGpuCannotGiveFailsItsRowOnly) {
  FakeCompute compute;
  compute.capacity_bytes = std::uint64_t{1} << 30;
  const auto out = run_pool_vs_driver(compute, 0, quick({4096, std::size_t{2} << 30}));
  ASSERT_EQ(out.size(), 2U);
  EXPECT_TRUE(out[0].ran()) << out[0].error;
  EXPECT_FALSE(out[1].ran());
  EXPECT_FALSE(out[1].meets_target());
  EXPECT_NE(out[1].error.find("OOM"), std::string::npos) << out[1].error;
  EXPECT_EQ(out[1].pool_pairs, 0U);
}

TEST(PoolVsDriver, ABadOrdinalFailsEveryRow) {
  FakeCompute compute;
  const auto out = run_pool_vs_driver(compute, 3, quick({256}));
  ASSERT_EQ(out.size(), 1U);
  EXPECT_FALSE(out[0].ran());
  EXPECT_NE(out[0].error.find("CUDA_ERROR_INVALID_DEVICE"), std::string::npos) << out[0].error;
}

TEST(PoolMeasurementTarget, MetAtFiftyTimesAndMissedBelow) {
  PoolMeasurement m;
  m.target_speedup = 50;
  m.speedup = 50;
  EXPECT_TRUE(m.meets_target());
  m.speedup = 49.9;
  EXPECT_FALSE(m.meets_target());
  m.speedup = 80;
  m.error = "failed";
  EXPECT_FALSE(m.meets_target());
}

TEST(GrowthOptions, AreTheRuntimesDefaultForAGpuWithMemoryGrowth) {
  auto options = growth_pool_options(described_h100_memory());
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->growth, runtime::Growth::kGrow);
  // 80 GiB less the 1800 MiB TensorFlow leaves on compute capability 9.
  EXPECT_EQ(options->limit_bytes, (std::size_t{80} << 30) - (std::size_t{1800} << 20));
  EXPECT_EQ(options->name, "GPU_0_bfc");
}

TEST(GrowthOptions, FailForInconsistentMemory) {
  auto options = growth_pool_options(runtime::GpuMemoryInfo{2, 1, 9});
  ASSERT_FALSE(options);
  EXPECT_EQ(options.error().code, Errc::kInvalidArgument);
}

TEST(GrowthReplay, OnTheHostBackendTheDefaultPolicyReservesAtMostATargetOverThePeak) {
  runtime::HostRegionSource source;
  auto options = growth_pool_options(described_h100_memory());
  ASSERT_TRUE(options);
  const GrowthMeasurement m = run_growth_replay(source, *options);
  ASSERT_TRUE(m.ran()) << m.error;
  EXPECT_EQ(m.backend, "host memory");
  EXPECT_EQ(m.policy, runtime::growth_policy_name(options->growth_policy));
  EXPECT_GT(m.trace_events, 1000U);
  EXPECT_GT(m.trace_peak_bytes, 0U);
  EXPECT_GE(m.peak_in_use_bytes, m.trace_peak_bytes);
  EXPECT_GE(m.reserved_bytes, m.peak_in_use_bytes);
  EXPECT_GT(m.regions, 0U);
  EXPECT_DOUBLE_EQ(m.reserved_over_peak, static_cast<double>(m.reserved_bytes) /
                                             static_cast<double>(m.peak_in_use_bytes));
  EXPECT_EQ(m.target_ratio, 1.25);
  EXPECT_LE(m.reserved_over_peak, 1.25);
  EXPECT_TRUE(m.within_target());
  EXPECT_EQ(source.bytes_outstanding(), 0U);  // the pool gave its regions back
}

TEST(GrowthReplay, TensorflowsDoublingMissesTheTargetOnTheSameTrace) {
  runtime::HostRegionSource source;
  auto options = growth_pool_options(described_h100_memory());
  ASSERT_TRUE(options);
  options->growth_policy = runtime::GrowthPolicy::kTensorflow;
  const GrowthMeasurement m = run_growth_replay(source, *options);
  ASSERT_TRUE(m.ran()) << m.error;
  EXPECT_EQ(m.policy, "tensorflow");
  EXPECT_GT(m.reserved_over_peak, 1.25);  // 1.35x on the default trace (memory_pool.h)
  EXPECT_FALSE(m.within_target());
}

TEST(GrowthReplay, ASourceThatRunsOutIsTheMeasurementsError) {
  runtime::HostRegionSource source(runtime::HostRegionSourceOptions{std::size_t{64} << 20});
  auto options = growth_pool_options(described_h100_memory());
  ASSERT_TRUE(options);
  const GrowthMeasurement m = run_growth_replay(source, *options);
  EXPECT_FALSE(m.ran());
  EXPECT_FALSE(m.within_target());
  EXPECT_NE(m.error.find("OOM"), std::string::npos) << m.error;
}

TEST(GrowthReplay, ReserveModeIsNotAGrowthMeasurement) {
  runtime::HostRegionSource source;
  runtime::PoolOptions options;
  options.limit_bytes = std::size_t{1} << 30;
  const GrowthMeasurement m = run_growth_replay(source, options);
  EXPECT_FALSE(m.ran());
  EXPECT_NE(m.error.find("not growth mode"), std::string::npos);
}

}  // namespace
}  // namespace tfgpu::bench
