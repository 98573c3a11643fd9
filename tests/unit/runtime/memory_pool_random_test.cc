// SPDX-License-Identifier: Apache-2.0
// Thousands of random allocations and frees (fixed seeds), in reserve mode and with both growth
// policies, with check_invariants() after every operation and an independent model of what is live:
// blocks never overlap, stay inside the limit, and an OOM changes nothing.
#include <algorithm>
#include <cstdint>
#include <map>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fake_region_source.h"
#include "tfgpu/runtime/memory_pool.h"

namespace tfgpu::runtime {
namespace {

struct RandomCase {
  std::uint64_t seed;
  Growth growth;
  std::size_t limit_bytes;
  GrowthPolicy policy = GrowthPolicy::kProportional;  // with Growth::kGrow
};

// What gtest prints for a failing case, instead of the bytes of the struct.
void PrintTo(const RandomCase& param, std::ostream* out) {
  *out << "seed " << param.seed << ", limit " << param.limit_bytes << " bytes, "
       << (param.growth == Growth::kGrow ? growth_policy_name(param.policy) : "reserve");
}

class MemoryPoolRandom : public testing::TestWithParam<RandomCase> {};

// Log-uniform sizes from 1 byte to 4 MiB: small tensors are common, big ones rare.
std::size_t random_size(std::mt19937_64& random) {
  const auto log2 = static_cast<int>(random() % 23);
  const std::size_t base = std::size_t{1} << log2;
  return base + random() % base;
}

TEST_P(MemoryPoolRandom, InvariantsHoldAfterEveryOperation) {
  const RandomCase param = GetParam();
  std::mt19937_64 random(param.seed);
  FakeRegionSource source;
  source.capacity_bytes = param.limit_bytes * 3 / 4 + 1000 * 256;  // sometimes less than the limit
  MemoryPool pool(source, PoolOptions{"GPU_0_bfc", param.limit_bytes, param.growth, param.policy});
  std::map<std::uintptr_t, Allocation> live;  // by address, to check neighbours for overlap
  std::size_t ooms = 0;
  std::size_t growths = 0;  // regions the proportional policy took

  for (int op = 0; op < 4000; ++op) {
    const bool allocate = live.empty() || random() % 100 < 55;
    if (allocate) {
      const std::size_t bytes = random_size(random);
      const PoolStats before = pool.stats();
      Result<Allocation> allocation = pool.allocate(bytes);
      if (!allocation) {
        ASSERT_EQ(allocation.error().code, Errc::kResourceExhausted)
            << "op " << op << ": " << allocation.error().message;
        // A failed call leaves everything as it was.
        ASSERT_EQ(pool.stats(), before) << "op " << op;
        ++ooms;
      } else {
        ASSERT_EQ(allocation->address % 256, 0u);
        ASSERT_GE(allocation->size_bytes, bytes);
        ASSERT_EQ(allocation->requested_bytes, bytes);
        const auto after = live.lower_bound(allocation->address);
        if (after != live.end()) {
          ASSERT_GE(after->first, allocation->address + allocation->size_bytes) << "op " << op;
        }
        if (after != live.begin()) {
          const Allocation& below = std::prev(after)->second;
          ASSERT_LE(below.address + below.size_bytes, allocation->address) << "op " << op;
        }
        live.emplace(allocation->address, *allocation);
        const PoolStats grown = pool.stats();
        if (param.growth == Growth::kGrow && param.policy == GrowthPolicy::kProportional &&
            grown.regions > before.regions) {
          // A region never takes reserved past 1.25× the peak, unless the request or the 2 MiB
          // floor needs it (clamping and back-off only make it smaller).
          const std::size_t region = grown.bytes_reserved - before.bytes_reserved;
          const std::size_t target =
              grown.peak_bytes_in_use + grown.peak_bytes_in_use / 4 / 256 * 256;
          const std::size_t rounded = (bytes + 255) / 256 * 256;
          ASSERT_TRUE(grown.bytes_reserved <= target || region <= std::max(rounded, 2 * kMiB))
              << "op " << op << ": a region of " << region << " for " << bytes
              << " bytes took reserved to " << grown.bytes_reserved << " with a peak of "
              << grown.peak_bytes_in_use;
          ++growths;
        }
      }
    } else {
      auto victim = live.begin();
      std::advance(victim, static_cast<std::ptrdiff_t>(random() % live.size()));
      ASSERT_TRUE(pool.deallocate(victim->first)) << "op " << op;
      live.erase(victim);
    }
    auto consistent = pool.check_invariants();
    ASSERT_TRUE(consistent) << "op " << op << ": " << consistent.error().message;

    std::size_t in_use = 0;
    for (const auto& [address, allocation] : live) {
      in_use += allocation.size_bytes;
    }
    const PoolStats stats = pool.stats();
    ASSERT_EQ(stats.bytes_in_use, in_use);
    ASSERT_EQ(stats.allocations, live.size());
    ASSERT_LE(stats.bytes_reserved, stats.limit_bytes);
  }
  // The limits are small enough that every case runs out sometimes, and big enough that most
  // requests are served.
  EXPECT_GT(ooms, 0u);
  EXPECT_LT(ooms, 1500u);
  if (param.growth == Growth::kGrow && param.policy == GrowthPolicy::kProportional) {
    EXPECT_GT(growths, 5u);  // the check above ran
  }

  for (const auto& [address, allocation] : live) {
    ASSERT_TRUE(pool.deallocate(address));
  }
  const PoolStats stats = pool.stats();
  EXPECT_EQ(stats.bytes_in_use, 0u);
  EXPECT_EQ(stats.free_blocks, stats.regions);
  auto consistent = pool.check_invariants();
  EXPECT_TRUE(consistent) << consistent.error().message;
}

std::string case_name(const testing::TestParamInfo<RandomCase>& param_info) {
  const RandomCase& param = param_info.param;
  std::string name = "Reserve";
  if (param.growth == Growth::kGrow) {
    name = param.policy == GrowthPolicy::kTensorflow ? "GrowTensorflow" : "GrowProportional";
  }
  return name + "Seed" + std::to_string(param.seed);
}

INSTANTIATE_TEST_SUITE_P(
    Seeds, MemoryPoolRandom,
    testing::Values(RandomCase{1, Growth::kGrow, 64 * kMiB, GrowthPolicy::kTensorflow},
                    RandomCase{2, Growth::kGrow, 96 * kMiB, GrowthPolicy::kTensorflow},
                    RandomCase{5, Growth::kGrow, 40 * kMiB, GrowthPolicy::kTensorflow},
                    RandomCase{6, Growth::kGrow, 64 * kMiB, GrowthPolicy::kProportional},
                    RandomCase{7, Growth::kGrow, 96 * kMiB, GrowthPolicy::kProportional},
                    RandomCase{8, Growth::kGrow, 40 * kMiB, GrowthPolicy::kProportional},
                    RandomCase{3, Growth::kReserveLimit, 64 * kMiB},
                    RandomCase{4, Growth::kReserveLimit, 48 * kMiB}),
    case_name);

}  // namespace
}  // namespace tfgpu::runtime
