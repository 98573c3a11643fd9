// SPDX-License-Identifier: Apache-2.0
// MemoryPool: rounding, best fit, splitting, coalescing, growth by both policies (TensorFlow's
// 2, 4, 8 MiB …; tfgpu's default ×1.25 a region up to 1.25× the peak; clamped to the limit,
// ×0.9 back-off; the regions each needs to reach an 80 GiB limit), reserve mode (one region of the
// whole limit), the limit exactly reached, OOM as a value with TensorFlow's message, bad
// deallocations, sources that fail or misbehave, and check_invariants() firing on corrupted pools.
#include "tfgpu/runtime/memory_pool.h"

#include <algorithm>
#include <array>
#include <limits>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fake_region_source.h"

namespace tfgpu::runtime {

// Reaches into a pool to break it, so that check_invariants() is seen to fire.
struct MemoryPoolTestPeer {
  static void miscount_bytes_in_use(MemoryPool& pool) { pool.bytes_in_use_ += 256; }

  static void empty_the_bins(MemoryPool& pool) {
    for (auto& bin : pool.bins_) {
      bin.clear();
    }
  }

  static void grow_first_chunk(MemoryPool& pool) {
    pool.chunks_[pool.regions_.front().first].size_bytes += 256;
  }

  // Mark the live allocation at `address` free without merging it with its free neighbour.
  static void free_without_merging(MemoryPool& pool, std::uintptr_t address) {
    const auto handle = pool.in_use_.at(address);
    pool.in_use_.erase(address);
    auto& chunk = pool.chunks_[handle];
    chunk.in_use = false;
    chunk.requested_bytes = 0;
    pool.bytes_in_use_ -= chunk.size_bytes;
    pool.insert_free(handle);
  }
};

namespace {

constexpr std::size_t kKiB = 1024;

PoolOptions tensorflow_growth(std::size_t limit_bytes) {
  return PoolOptions{"GPU_0_bfc", limit_bytes, Growth::kGrow, GrowthPolicy::kTensorflow};
}

PoolOptions proportional_growth(std::size_t limit_bytes, double headroom = kDefaultGrowthHeadroom) {
  return PoolOptions{"GPU_0_bfc", limit_bytes, Growth::kGrow, GrowthPolicy::kProportional,
                     headroom};
}

PoolOptions reserve(std::size_t limit_bytes) {
  return PoolOptions{"GPU_0_bfc", limit_bytes, Growth::kReserveLimit};
}

Allocation must_allocate(MemoryPool& pool, std::size_t bytes) {
  Result<Allocation> allocation = pool.allocate(bytes);
  if (!allocation) {
    ADD_FAILURE() << "allocate(" << bytes << "): " << allocation.error().message;
    return Allocation{};
  }
  return *allocation;
}

void must_free(MemoryPool& pool, const Allocation& allocation) {
  Result<void> freed = pool.deallocate(allocation.address);
  if (!freed) {
    ADD_FAILURE() << "deallocate: " << freed.error().message;
  }
}

#define EXPECT_CONSISTENT(pool)                              \
  do {                                                       \
    auto consistent_ = (pool).check_invariants();            \
    EXPECT_TRUE(consistent_) << consistent_.error().message; \
  } while (false)

// ---- rounding and basic bookkeeping ------------------------------------------------------

TEST(MemoryPool, RoundsUpTo256BytesAndAligns) {
  HostRegionSource source;
  MemoryPool pool(source, tensorflow_growth(64 * kMiB));
  const Allocation one = must_allocate(pool, 1);
  const Allocation over = must_allocate(pool, 257);
  const Allocation exact = must_allocate(pool, 256);
  EXPECT_EQ(one.requested_bytes, 1u);
  EXPECT_EQ(one.size_bytes, 256u);
  EXPECT_EQ(over.size_bytes, 512u);
  EXPECT_EQ(exact.size_bytes, 256u);
  for (const Allocation& allocation : {one, over, exact}) {
    EXPECT_EQ(allocation.address % kRegionAlignmentBytes, 0u);
  }
  const PoolStats stats = pool.stats();
  EXPECT_EQ(stats.bytes_in_use, 1024u);
  EXPECT_EQ(stats.allocations, 3u);
  EXPECT_EQ(stats.regions, 1u);
  EXPECT_EQ(stats.bytes_reserved, 2 * kMiB);
  EXPECT_EQ(stats.largest_free_block_bytes, 2 * kMiB - 1024);
  EXPECT_CONSISTENT(pool);
}

TEST(MemoryPool, NothingIsTakenFromTheSourceBeforeTheFirstAllocation) {
  HostRegionSource source;
  MemoryPool pool(source, reserve(16 * kMiB));
  EXPECT_EQ(source.allocate_calls(), 0u);
  EXPECT_EQ(pool.stats().bytes_reserved, 0u);
  EXPECT_CONSISTENT(pool);
}

TEST(MemoryPool, ZeroBytesIsAnInvalidArgument) {
  FakeRegionSource source;
  MemoryPool pool(source, tensorflow_growth(64 * kMiB));
  auto zero = pool.allocate(0);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(zero.error().message, "GPU_0_bfc: cannot allocate 0 bytes");
  EXPECT_TRUE(source.asked.empty());
}

TEST(MemoryPool, PeakTracksTheHighestUse) {
  FakeRegionSource source;
  MemoryPool pool(source, reserve(64 * kMiB));
  const Allocation first = must_allocate(pool, kMiB);
  must_allocate(pool, kMiB);
  must_free(pool, first);
  must_allocate(pool, 256);
  const PoolStats stats = pool.stats();
  EXPECT_EQ(stats.peak_bytes_in_use, 2 * kMiB);
  EXPECT_EQ(stats.bytes_in_use, kMiB + 256);
  EXPECT_EQ(stats.allocations, 2u);
}

// ---- the limit -----------------------------------------------------------------------------

TEST(MemoryPool, HugeRequestsFailWithoutAskingTheSource) {
  FakeRegionSource source;
  MemoryPool pool(source, tensorflow_growth(8 * kGiB));
  for (std::size_t bytes : {std::numeric_limits<std::size_t>::max(), 8 * kGiB + 1}) {
    auto huge = pool.allocate(bytes);
    ASSERT_FALSE(huge) << bytes;
    EXPECT_EQ(huge.error().code, Errc::kResourceExhausted);
    EXPECT_NE(huge.error().message.find("the request is larger than the limit"), std::string::npos)
        << huge.error().message;
  }
  EXPECT_TRUE(source.asked.empty());
  // The whole limit in one request fits: growth doubles the region size until it does.
  const Allocation all = must_allocate(pool, 8 * kGiB);
  EXPECT_EQ(all.size_bytes, 8 * kGiB);
  EXPECT_EQ(source.asked, (std::vector<std::size_t>{8 * kGiB}));
  EXPECT_CONSISTENT(pool);
}

TEST(MemoryPool, LimitExactlyReachedInGrowthMode) {
  FakeRegionSource source;
  MemoryPool pool(source, tensorflow_growth(3 * kMiB));
  const Allocation first = must_allocate(pool, 2 * kMiB);
  must_allocate(pool, kMiB);  // the next region would be 4 MiB; the limit leaves 1 MiB
  EXPECT_EQ(source.asked, (std::vector<std::size_t>{2 * kMiB, kMiB}));
  EXPECT_EQ(pool.stats().bytes_reserved, 3 * kMiB);
  EXPECT_EQ(pool.stats().bytes_in_use, 3 * kMiB);

  auto one_more = pool.allocate(256);
  ASSERT_FALSE(one_more);
  EXPECT_EQ(one_more.error().code, Errc::kResourceExhausted);
  EXPECT_NE(one_more.error().message.find("the limit leaves 0 B to reserve"), std::string::npos)
      << one_more.error().message;

  must_free(pool, first);
  EXPECT_EQ(must_allocate(pool, 2 * kMiB).address, first.address);
  EXPECT_EQ(source.asked.size(), 2u);
  EXPECT_CONSISTENT(pool);
}

TEST(MemoryPool, LimitExactlyReachedInReserveMode) {
  HostRegionSource source;
  MemoryPool pool(source, reserve(4 * kMiB));
  must_allocate(pool, 4 * kMiB);
  const PoolStats stats = pool.stats();
  EXPECT_EQ(stats.bytes_in_use, stats.limit_bytes);
  EXPECT_EQ(stats.largest_free_block_bytes, 0u);
  auto one_more = pool.allocate(1);
  ASSERT_FALSE(one_more);
  EXPECT_EQ(one_more.error().code, Errc::kResourceExhausted);
  EXPECT_CONSISTENT(pool);
}

TEST(MemoryPool, LimitIsRoundedDownTo256Bytes) {
  FakeRegionSource source;
  MemoryPool pool(source, reserve(1000));
  EXPECT_EQ(pool.stats().limit_bytes, 768u);
  EXPECT_FALSE(pool.allocate(769));
  must_allocate(pool, 768);
  EXPECT_FALSE(pool.allocate(1));
  EXPECT_EQ(source.asked, (std::vector<std::size_t>{768}));
}

TEST(MemoryPool, ZeroLimitRefusesEverything) {
  FakeRegionSource source;
  MemoryPool pool(source, tensorflow_growth(0));
  auto refused = pool.allocate(1);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kResourceExhausted);
  EXPECT_TRUE(source.asked.empty());
}

// ---- out of memory -------------------------------------------------------------------------

TEST(MemoryPool, OomMessageReadsLikeTensorFlows) {
  FakeRegionSource source;
  MemoryPool pool(source, PoolOptions{"GPU_7_bfc", 4 * kGiB, Growth::kReserveLimit});
  must_allocate(pool, 3 * kGiB);
  auto oom = pool.allocate(3 * kGiB / 2);
  ASSERT_FALSE(oom);
  EXPECT_EQ(oom.error().code, Errc::kResourceExhausted);
  EXPECT_EQ(oom.error().message,
            "OOM when allocating 1.50 GiB on GPU_7_bfc: in use 3.00 GiB, reserved 4.00 GiB, "
            "limit 4.00 GiB, largest free block 1.00 GiB (1610612736 bytes asked; 1 region; the "
            "limit leaves 0 B to reserve and no free block fits)");
}

TEST(MemoryPool, OomLeavesThePoolAsItWas) {
  FakeRegionSource source;
  MemoryPool pool(source, tensorflow_growth(8 * kMiB));
  must_allocate(pool, 3 * kMiB);
  must_allocate(pool, kMiB);
  const PoolStats before = pool.stats();
  EXPECT_FALSE(pool.allocate(6 * kMiB));
  EXPECT_EQ(pool.stats(), before);
  EXPECT_CONSISTENT(pool);
  must_allocate(pool, kMiB);  // what still fits is still handed out
}

TEST(MemoryPool, OomNamesTheSourcesRefusal) {
  FakeRegionSource source;
  source.capacity_bytes = 6 * kMiB;
  MemoryPool pool(source, tensorflow_growth(kGiB));
  must_allocate(pool, 2 * kMiB);
  must_allocate(pool, 4 * kMiB);
  auto oom = pool.allocate(kMiB);
  ASSERT_FALSE(oom);
  EXPECT_EQ(oom.error().code, Errc::kResourceExhausted);
  EXPECT_NE(oom.error().message.find("OOM when allocating 1.00 MiB on GPU_0_bfc: in use 6.00 MiB"),
            std::string::npos)
      << oom.error().message;
  EXPECT_NE(oom.error().message.find("fake refused 1.08 MiB: fake: CUDA_ERROR_OUT_OF_MEMORY"),
            std::string::npos)
      << oom.error().message;
  EXPECT_CONSISTENT(pool);
}

// ---- growth, GrowthPolicy::kTensorflow -------------------------------------------------------

TEST(MemoryPool, GrowthRegionsDouble) {
  FakeRegionSource source;
  MemoryPool pool(source, tensorflow_growth(kGiB));
  for (std::size_t mib : {2u, 4u, 8u, 16u, 32u}) {
    must_allocate(pool, mib * kMiB);
  }
  EXPECT_EQ(source.asked,
            (std::vector<std::size_t>{2 * kMiB, 4 * kMiB, 8 * kMiB, 16 * kMiB, 32 * kMiB}));
  EXPECT_EQ(pool.stats().regions, 5u);
  EXPECT_EQ(pool.stats().bytes_reserved, 62 * kMiB);
  EXPECT_CONSISTENT(pool);
}

TEST(MemoryPool, GrowthSkipsAheadForABigRequestAndKeepsThatSizeOnce) {
  FakeRegionSource source;
  MemoryPool pool(source, tensorflow_growth(kGiB));
  must_allocate(pool, 2 * kMiB);   // 2 MiB; next 4 MiB
  must_allocate(pool, 10 * kMiB);  // 4 -> 8 -> 16 MiB to fit it; grew, so next stays 16 MiB
  must_allocate(pool, 16 * kMiB);  // 16 MiB again (the 10 MiB took its region whole); next 32
  must_allocate(pool, 32 * kMiB);
  EXPECT_EQ(source.asked, (std::vector<std::size_t>{2 * kMiB, 16 * kMiB, 16 * kMiB, 32 * kMiB}));
}

TEST(MemoryPool, SmallRequestsFillARegionBeforeTheNextIsTaken) {
  FakeRegionSource source;
  MemoryPool pool(source, tensorflow_growth(kGiB));
  for (int i = 0; i < 8; ++i) {
    must_allocate(pool, 256 * kKiB);
  }
  EXPECT_EQ(source.asked, (std::vector<std::size_t>{2 * kMiB}));
  must_allocate(pool, 256);
  EXPECT_EQ(source.asked, (std::vector<std::size_t>{2 * kMiB, 4 * kMiB}));
}

TEST(MemoryPool, GrowthIsClampedToWhatTheLimitLeaves) {
  FakeRegionSource source;
  MemoryPool pool(source, tensorflow_growth(5 * kMiB));
  must_allocate(pool, 2 * kMiB);
  const Allocation second = must_allocate(pool, 2 * kMiB);
  EXPECT_EQ(source.asked, (std::vector<std::size_t>{2 * kMiB, 3 * kMiB}));
  // 1 MiB left over is less than the 2 MiB asked: not worth a split, the chunk goes whole.
  EXPECT_EQ(second.size_bytes, 3 * kMiB);
  EXPECT_EQ(pool.stats().bytes_reserved, pool.stats().limit_bytes);
}

TEST(MemoryPool, FirstGrowthRegionIsTheLimitWhenBelow2MiB) {
  FakeRegionSource source;
  MemoryPool pool(source, tensorflow_growth(kMiB));
  must_allocate(pool, 256);
  EXPECT_EQ(source.asked, (std::vector<std::size_t>{kMiB}));
}

// The ×0.9 back-off, computed independently: each try is the last less a tenth, rounded down to
// 256 bytes.
std::vector<std::size_t> backoff_from(std::size_t first, std::size_t down_to) {
  std::vector<std::size_t> sizes{first};
  while (sizes.back() > down_to) {
    sizes.push_back((sizes.back() - sizes.back() / 10) / 256 * 256);
  }
  return sizes;
}

TEST(MemoryPool, GrowthBacksOffByTenthsUntilTheSourceAgrees) {
  HostRegionSource source(HostRegionSourceOptions{7 * kMiB, true});
  MemoryPool pool(source, tensorflow_growth(kGiB));
  must_allocate(pool, 2 * kMiB);
  must_allocate(pool, 4 * kMiB);
  const Allocation small = must_allocate(pool, 512 * kKiB);  // wants 8 MiB; 1 MiB is left

  const std::vector<std::size_t> expected = backoff_from(8 * kMiB, kMiB);
  ASSERT_EQ(source.requests().size(), 2 + expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const RegionRequest& request = source.requests()[2 + i];
    EXPECT_EQ(request.bytes, expected[i]) << "try " << i;
    EXPECT_EQ(request.granted, i + 1 == expected.size()) << "try " << i;
  }
  EXPECT_EQ(source.requests()[3].bytes, 7549696u);  // 8 MiB × 0.9, rounded down to 256
  EXPECT_LE(expected.back(), kMiB);
  EXPECT_GE(expected.back(), 512 * kKiB);
  // The region it got (0.97 MiB) leaves less than 512 KiB over: not split, handed out whole.
  EXPECT_EQ(small.size_bytes, expected.back());
  EXPECT_CONSISTENT(pool);

  // Nothing more: the next miss backs off below the request and reports the refusal.
  auto oom = pool.allocate(kMiB);
  ASSERT_FALSE(oom);
  EXPECT_EQ(oom.error().code, Errc::kResourceExhausted);
  EXPECT_NE(oom.error().message.find("host memory refused"), std::string::npos)
      << oom.error().message;
  EXPECT_NE(oom.error().message.find("capacity already out"), std::string::npos);
  EXPECT_CONSISTENT(pool);
}

TEST(MemoryPool, BackOffGivesUpOnceBelowTheRequest) {
  FakeRegionSource source;
  source.capacity_bytes = 3 * kMiB;
  MemoryPool pool(source, reserve(8 * kMiB));
  auto too_big = pool.allocate(2900 * kKiB);
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, Errc::kResourceExhausted);
  // Every try was at least the request; the one after the last would have been below it.
  ASSERT_FALSE(source.asked.empty());
  EXPECT_EQ(source.asked.front(), 8 * kMiB);
  for (std::size_t bytes : source.asked) {
    EXPECT_GE(bytes, 2900 * kKiB);
  }
  EXPECT_LT((source.asked.back() - source.asked.back() / 10) / 256 * 256, 2900 * kKiB);
  EXPECT_TRUE(source.granted.empty());

  // A smaller request is satisfied from the largest region the source agrees to.
  must_allocate(pool, kMiB);
  EXPECT_EQ(source.granted, (std::vector<std::size_t>{backoff_from(8 * kMiB, 3 * kMiB).back()}));
}

// ---- growth, GrowthPolicy::kProportional (tfgpu's default) ----------------------------------

TEST(MemoryPool, GrowthDefaultsToTheProportionalPolicy) {
  const PoolOptions defaults;
  EXPECT_EQ(defaults.growth_policy, GrowthPolicy::kProportional);
  EXPECT_EQ(defaults.growth_headroom, 0.25);
  EXPECT_STREQ(growth_policy_name(GrowthPolicy::kProportional), "proportional");
  EXPECT_STREQ(growth_policy_name(GrowthPolicy::kTensorflow), "tensorflow");
}

// Allocates every free block whole.
void fill(MemoryPool& pool) {
  for (std::size_t free_bytes = pool.stats().largest_free_block_bytes; free_bytes > 0;
       free_bytes = pool.stats().largest_free_block_bytes) {
    must_allocate(pool, free_bytes);
  }
}

// Fills the pool, then asks for 256 bytes, so that it must take a region while full; returns
// that region's size (0 if it took none).
std::size_t region_taken_when_full(MemoryPool& pool, const FakeRegionSource& source) {
  fill(pool);
  const std::size_t regions = source.granted.size();
  must_allocate(pool, 256);
  return source.granted.size() == regions + 1 ? source.granted.back() : 0;
}

TEST(MemoryPool, ProportionalRegionsGrowByAQuarterOfAFullPool) {
  FakeRegionSource source;
  MemoryPool pool(source, proportional_growth(80 * kGiB));
  must_allocate(pool, 256);
  std::vector<std::size_t> regions{source.granted.back()};
  for (int i = 0; i < 7; ++i) {
    regions.push_back(region_taken_when_full(pool, source));
  }
  // Full at R bytes reserved, a 256-byte request makes the peak R + 256, and reserved may grow
  // to 1.25× that, rounded down to 256 bytes: a region of R/4 + 256 (+ 256 where R/4 rounds
  // up past a 256-byte step), never less than 2 MiB. So 2 MiB until R reaches 8 MiB.
  EXPECT_EQ(regions, (std::vector<std::size_t>{2 * kMiB, 2 * kMiB, 2 * kMiB, 2 * kMiB,
                                               2 * kMiB + 256, 5 * kMiB / 2 + 256,
                                               25 * kMiB / 8 + 256, 125 * kMiB / 32 + 512}));
  // From there on, each region adds a quarter to what is reserved.
  for (int i = 0; i < 30; ++i) {
    const double before = static_cast<double>(pool.stats().bytes_reserved);
    ASSERT_GT(region_taken_when_full(pool, source), 0u);
    EXPECT_NEAR(static_cast<double>(pool.stats().bytes_reserved) / before, 1.25, 1e-4) << i;
  }
  EXPECT_CONSISTENT(pool);
}

TEST(MemoryPool, ProportionalRegionCoversTheRequestAndAQuarterOnTop) {
  FakeRegionSource source;
  MemoryPool pool(source, proportional_growth(kGiB));
  const Allocation big = must_allocate(pool, 100 * kMiB);
  // 1.25 × 100 MiB. The 25 MiB left is less than the request, so the chunk goes whole (the
  // split rule): in use is the whole region, as TensorFlow would count it.
  EXPECT_EQ(big.size_bytes, 125 * kMiB);
  // Full at 125 MiB; a 10 MiB request makes the peak 135 MiB, so 1.25 × 135 = 168.75 MiB.
  must_allocate(pool, 10 * kMiB);
  EXPECT_EQ(source.asked, (std::vector<std::size_t>{125 * kMiB, 175 * kMiB / 4}));
  const PoolStats stats = pool.stats();
  EXPECT_LE(static_cast<double>(stats.bytes_reserved),
            1.25 * static_cast<double>(stats.peak_bytes_in_use));
  EXPECT_CONSISTENT(pool);
}

// The reason the policy sizes against the peak rather than taking a quarter of what is
// reserved: when a request misses while the pool has free memory in blocks too small for it,
// that free memory already is headroom, so the new region only tops reserved up to 1.25× the
// peak, and once it is there, adds just what the request needs.
TEST(MemoryPool, ProportionalGrowthCountsFreeMemoryAsHeadroom) {
  FakeRegionSource source;
  MemoryPool pool(source, proportional_growth(kGiB));
  std::vector<Allocation> blocks;
  for (int i = 0; i < 40; ++i) {
    blocks.push_back(must_allocate(pool, kMiB));
  }
  for (std::size_t i = 0; i < blocks.size(); i += 2) {
    must_free(pool, blocks[i]);  // 1 MiB holes between live blocks
  }
  const PoolStats before = pool.stats();
  ASSERT_GE(before.bytes_reserved, before.bytes_in_use + 20 * kMiB);
  const std::size_t request = before.largest_free_block_bytes + kMiB;  // fits no free block
  ASSERT_LT(before.bytes_in_use + request, before.peak_bytes_in_use);  // the peak stays
  must_allocate(pool, request);
  const std::size_t target = before.peak_bytes_in_use + before.peak_bytes_in_use / 4 / 256 * 256;
  EXPECT_EQ(source.granted.back(), target - before.bytes_reserved);
  EXPECT_GT(source.granted.back(), request);
  // A quarter of what was reserved would have been about twice that.
  EXPECT_LT(source.granted.back(), before.bytes_reserved / 4);
  EXPECT_EQ(pool.stats().bytes_reserved, target);

  const PoolStats topped_up = pool.stats();
  const std::size_t second = topped_up.largest_free_block_bytes + kMiB;
  ASSERT_LT(topped_up.bytes_in_use + second, topped_up.peak_bytes_in_use);
  must_allocate(pool, second);
  EXPECT_EQ(source.granted.back(), second);
  EXPECT_CONSISTENT(pool);
}

TEST(MemoryPool, ProportionalGrowthIsClampedToWhatTheLimitLeaves) {
  {
    FakeRegionSource source;
    MemoryPool pool(source, proportional_growth(3 * kMiB));
    EXPECT_EQ(region_taken_when_full(pool, source), 2 * kMiB);  // the 2 MiB first region
    EXPECT_EQ(region_taken_when_full(pool, source), kMiB);      // 2 MiB wanted, 1 MiB left
    EXPECT_EQ(pool.stats().bytes_reserved, pool.stats().limit_bytes);
    fill(pool);
    auto one_more = pool.allocate(256);
    ASSERT_FALSE(one_more);
    EXPECT_NE(one_more.error().message.find("the limit leaves 0 B to reserve"), std::string::npos)
        << one_more.error().message;
    EXPECT_CONSISTENT(pool);
  }
  {
    FakeRegionSource source;
    MemoryPool pool(source, proportional_growth(kMiB));
    must_allocate(pool, 256);
    EXPECT_EQ(source.asked, (std::vector<std::size_t>{kMiB}));  // the limit, under 2 MiB
  }
  {
    FakeRegionSource source;
    MemoryPool pool(source, proportional_growth(100 * kMiB));
    must_allocate(pool, 90 * kMiB);  // wants 112.5 MiB
    EXPECT_EQ(source.asked, (std::vector<std::size_t>{100 * kMiB}));
  }
}

TEST(MemoryPool, ProportionalGrowthBacksOffByTenthsUntilTheSourceAgrees) {
  HostRegionSource source(HostRegionSourceOptions{7 * kMiB, true});
  MemoryPool pool(source, proportional_growth(kGiB));
  must_allocate(pool, 256);             // 2 MiB
  must_allocate(pool, 2 * kMiB - 256);  // full
  // The peak becomes 6 MiB: 1.25 × 6 MiB = 7.5 MiB, so a 5.5 MiB region; 5 MiB are left.
  const Allocation block = must_allocate(pool, 4 * kMiB);
  const std::vector<std::size_t> expected = backoff_from(11 * kMiB / 2, 5 * kMiB);
  ASSERT_EQ(source.requests().size(), 1 + expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const RegionRequest& request = source.requests()[1 + i];
    EXPECT_EQ(request.bytes, expected[i]) << "try " << i;
    EXPECT_EQ(request.granted, i + 1 == expected.size()) << "try " << i;
  }
  EXPECT_EQ(block.size_bytes, expected.back());  // 0.95 MiB left over is not worth a split
  EXPECT_CONSISTENT(pool);

  auto oom = pool.allocate(kMiB);  // backs off below the request: the refusal is reported
  ASSERT_FALSE(oom);
  EXPECT_EQ(oom.error().code, Errc::kResourceExhausted);
  EXPECT_NE(oom.error().message.find("host memory refused"), std::string::npos)
      << oom.error().message;
  EXPECT_CONSISTENT(pool);
}

TEST(MemoryPool, ProportionalHeadroomIsAnOption) {
  FakeRegionSource source;
  MemoryPool pool(source, proportional_growth(kGiB, 0.5));
  must_allocate(pool, 100 * kMiB);
  EXPECT_EQ(source.asked, (std::vector<std::size_t>{150 * kMiB}));
}

TEST(MemoryPool, ProportionalHeadroomOutsideZeroToOneIsRefused) {
  for (double headroom : {0.0, -0.25, 1.5, std::numeric_limits<double>::quiet_NaN(),
                          std::numeric_limits<double>::infinity()}) {
    FakeRegionSource source;
    MemoryPool pool(source, proportional_growth(kGiB, headroom));
    auto refused = pool.allocate(kMiB);
    ASSERT_FALSE(refused) << headroom;
    EXPECT_EQ(refused.error().code, Errc::kInvalidArgument);
    EXPECT_NE(refused.error().message.find("GPU_0_bfc: growth_headroom is"), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("it must be more than 0 and at most 1"),
              std::string::npos);
    EXPECT_TRUE(source.asked.empty());
    EXPECT_EQ(pool.stats(), (PoolStats{0, 0, 0, 0, 0, 0, 0, kGiB}));
  }
  FakeRegionSource source;
  MemoryPool whole(source, proportional_growth(kGiB, 1.0));
  must_allocate(whole, 100 * kMiB);
  EXPECT_EQ(source.asked, (std::vector<std::size_t>{200 * kMiB}));

  // The other policies never read it.
  PoolOptions tensorflow = tensorflow_growth(kGiB);
  tensorflow.growth_headroom = -1.0;
  FakeRegionSource tensorflow_source;
  MemoryPool tensorflow_pool(tensorflow_source, tensorflow);
  must_allocate(tensorflow_pool, kMiB);
  PoolOptions reserve_limit = reserve(kGiB);
  reserve_limit.growth_headroom = -1.0;
  FakeRegionSource reserve_source;
  MemoryPool reserve_pool(reserve_source, reserve_limit);
  must_allocate(reserve_pool, kMiB);
}

// What kProportional costs: more regions on the way to a big limit. Each step here grows the
// pool in the smallest way possible (full, then 256 bytes more), as memory_pool.h counts them.
TEST(MemoryPool, RegionsToFillAn80GiBLimit) {
  const auto regions_to_fill = [](const PoolOptions& options) {
    FakeRegionSource source;
    MemoryPool pool(source, options);
    must_allocate(pool, 256);
    while (pool.stats().bytes_reserved < pool.stats().limit_bytes) {
      if (region_taken_when_full(pool, source) == 0) {
        ADD_FAILURE() << "no region taken at " << pool.stats().bytes_reserved;
        break;
      }
    }
    EXPECT_EQ(source.granted.front(), 2 * kMiB);
    return pool.stats().regions;
  };
  // 4 regions of 2 MiB, then ×1.25 a region from 8 MiB to 80 GiB (1.25^41.4 = 10240), the
  // last clamped to the limit.
  EXPECT_EQ(regions_to_fill(proportional_growth(80 * kGiB)), 46u);
  // 2, 4, … 32768 MiB (15 regions, 64 GiB - 2 MiB), then the 16 GiB + 2 MiB the limit leaves.
  EXPECT_EQ(regions_to_fill(tensorflow_growth(80 * kGiB)), 16u);
}

// ---- reserve mode (TensorFlow's default) ----------------------------------------------------

TEST(MemoryPool, ReserveModeTakesTheWholeLimitInOneRegion) {
  HostRegionSource source(HostRegionSourceOptions{std::nullopt, true});
  MemoryPool pool(source, reserve(64 * kMiB));
  must_allocate(pool, kKiB);
  ASSERT_EQ(source.requests().size(), 1u);
  EXPECT_EQ(source.requests()[0].bytes, 64 * kMiB);
  for (int i = 0; i < 63; ++i) {
    must_allocate(pool, kMiB);
  }
  const PoolStats stats = pool.stats();
  EXPECT_EQ(stats.regions, 1u);
  EXPECT_EQ(stats.bytes_reserved, 64 * kMiB);
  EXPECT_EQ(source.allocate_calls(), 1u);
  EXPECT_CONSISTENT(pool);
}

TEST(MemoryPool, ReserveModeBacksOffWhenTheGpuHasLessThanTheLimit) {
  FakeRegionSource source;
  source.capacity_bytes = 50 * kMiB;
  MemoryPool pool(source, reserve(64 * kMiB));
  must_allocate(pool, kMiB);
  EXPECT_EQ(source.asked, backoff_from(64 * kMiB, 50 * kMiB));
  EXPECT_EQ(pool.stats().regions, 1u);
  EXPECT_LE(pool.stats().bytes_reserved, 50 * kMiB);
}

// ---- best fit and splitting ----------------------------------------------------------------

TEST(MemoryPool, BestFitTakesTheSmallestHoleThatFitsLowestAddressFirst) {
  FakeRegionSource source;
  MemoryPool pool(source, reserve(kMiB));
  // Holes of 4, 2, 2 and 3 KiB, kept apart by live 256-byte separators, and a big free tail.
  const Allocation hole4 = must_allocate(pool, 4 * kKiB);
  must_allocate(pool, 256);
  const Allocation hole2a = must_allocate(pool, 2 * kKiB);
  must_allocate(pool, 256);
  const Allocation hole2b = must_allocate(pool, 2 * kKiB);
  must_allocate(pool, 256);
  const Allocation hole3 = must_allocate(pool, 3 * kKiB);
  must_allocate(pool, 256);
  for (const Allocation& hole : {hole4, hole2a, hole2b, hole3}) {
    must_free(pool, hole);
  }
  EXPECT_EQ(pool.stats().free_blocks, 5u);

  EXPECT_EQ(must_allocate(pool, 2 * kKiB).address, hole2a.address);  // tie: the lower address
  EXPECT_EQ(must_allocate(pool, 2 * kKiB).address, hole2b.address);
  const Allocation in_hole3 = must_allocate(pool, kKiB);  // 3 KiB beats 4 KiB and the tail
  EXPECT_EQ(in_hole3.address, hole3.address);
  EXPECT_EQ(in_hole3.size_bytes, kKiB);  // 2 KiB left is worth a split
  EXPECT_EQ(must_allocate(pool, 2 * kKiB).address, hole3.address + kKiB);
  EXPECT_EQ(must_allocate(pool, 4 * kKiB).address, hole4.address);
  EXPECT_EQ(pool.stats().free_blocks, 1u);  // only the tail
  EXPECT_CONSISTENT(pool);
}

TEST(MemoryPool, ChunkIsHandedOutWholeWhenTheRestIsSmallerThanTheRequest) {
  FakeRegionSource source;
  MemoryPool pool(source, reserve(kMiB));
  const Allocation hole = must_allocate(pool, 3 * kKiB);
  must_allocate(pool, 256);
  must_free(pool, hole);

  const Allocation whole = must_allocate(pool, 2 * kKiB);
  EXPECT_EQ(whole.address, hole.address);
  EXPECT_EQ(whole.size_bytes, 3 * kKiB);  // 1 KiB left over stays with it
  EXPECT_EQ(pool.stats().bytes_in_use, 3 * kKiB + 256);
  must_free(pool, whole);

  const Allocation split = must_allocate(pool, kKiB);
  EXPECT_EQ(split.size_bytes, kKiB);
  EXPECT_CONSISTENT(pool);
}

TEST(MemoryPool, A128MiBRestIsAlwaysSplitOff) {
  FakeRegionSource source;
  MemoryPool pool(source, reserve(kGiB));
  EXPECT_EQ(must_allocate(pool, 600 * kMiB).size_bytes, 600 * kMiB);  // 424 MiB rest

  FakeRegionSource other_source;
  MemoryPool other(other_source, reserve(kGiB));
  EXPECT_EQ(must_allocate(other, 900 * kMiB).size_bytes, kGiB);  // 124 MiB rest: not split
}

// ---- coalescing ----------------------------------------------------------------------------

TEST(MemoryPool, FreeingInEveryOrderLeavesOneFreeBlockPerRegion) {
  std::array<std::size_t, 5> order = {0, 1, 2, 3, 4};
  const std::array<std::size_t, 5> sizes = {256, kKiB, 3 * kKiB, 512, 8 * kKiB};
  int orders = 0;
  do {
    HostRegionSource source;
    MemoryPool pool(source, reserve(kMiB));
    std::array<Allocation, 5> blocks;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      blocks[i] = must_allocate(pool, sizes[i]);
    }
    for (std::size_t index : order) {
      must_free(pool, blocks[index]);
      EXPECT_CONSISTENT(pool);
    }
    const PoolStats stats = pool.stats();
    EXPECT_EQ(stats.free_blocks, 1u);
    EXPECT_EQ(stats.largest_free_block_bytes, kMiB);
    EXPECT_EQ(stats.bytes_in_use, 0u);
    ++orders;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(orders, 120);
}

TEST(MemoryPool, FreeingInEveryOrderAcrossRegions) {
  std::array<std::size_t, 5> order = {0, 1, 2, 3, 4};
  // Regions of 2, 4 and 8 MiB: two blocks in the first, one whole second, two in the third.
  const std::array<std::size_t, 5> sizes = {kMiB, kMiB, 3 * kMiB, 512 * kKiB, 2 * kMiB};
  do {
    FakeRegionSource source;
    MemoryPool pool(source, tensorflow_growth(kGiB));
    std::array<Allocation, 5> blocks;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      blocks[i] = must_allocate(pool, sizes[i]);
    }
    ASSERT_EQ(pool.stats().regions, 3u);
    for (std::size_t index : order) {
      must_free(pool, blocks[index]);
      EXPECT_CONSISTENT(pool);
    }
    EXPECT_EQ(pool.stats().free_blocks, 3u);
    EXPECT_EQ(pool.stats().largest_free_block_bytes, 8 * kMiB);
  } while (std::next_permutation(order.begin(), order.end()));
}

TEST(MemoryPool, NeverMergesAcrossRegionsEvenWhenTheyAreAdjacent) {
  FakeRegionSource source;  // lays regions out back to back
  MemoryPool pool(source, tensorflow_growth(kGiB));
  const Allocation first = must_allocate(pool, 2 * kMiB);
  const Allocation second = must_allocate(pool, 4 * kMiB);
  ASSERT_EQ(second.address, first.address + 2 * kMiB);
  must_free(pool, second);
  must_free(pool, first);
  EXPECT_EQ(pool.stats().free_blocks, 2u);
  EXPECT_EQ(pool.stats().largest_free_block_bytes, 4 * kMiB);
  must_allocate(pool, 6 * kMiB);  // fits neither region: a new one
  EXPECT_EQ(pool.stats().regions, 3u);
  EXPECT_CONSISTENT(pool);
}

// ---- bad deallocations ---------------------------------------------------------------------

TEST(MemoryPool, DeallocatingWhatIsNotALiveAllocationIsAnError) {
  HostRegionSource source;
  MemoryPool pool(source, tensorflow_growth(64 * kMiB));
  {
    auto before_any = pool.deallocate(0x1000);
    ASSERT_FALSE(before_any);
    EXPECT_EQ(before_any.error().code, Errc::kInvalidArgument);
    EXPECT_NE(before_any.error().message.find("outside every region"), std::string::npos);
  }
  const Allocation first = must_allocate(pool, kKiB);
  must_allocate(pool, kKiB);
  const PoolStats before = pool.stats();

  auto interior = pool.deallocate(first.address + 256);
  ASSERT_FALSE(interior);
  EXPECT_NE(interior.error().message.find("inside the allocated block at"), std::string::npos)
      << interior.error().message;
  EXPECT_NE(interior.error().message.find("GPU_0_bfc: deallocating 0x"), std::string::npos);
  EXPECT_EQ(pool.stats(), before);

  must_free(pool, first);
  auto twice = pool.deallocate(first.address);
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Errc::kInvalidArgument);
  EXPECT_NE(twice.error().message.find("that block is free (already deallocated?)"),
            std::string::npos)
      << twice.error().message;
  auto inside_free = pool.deallocate(first.address + 512);
  ASSERT_FALSE(inside_free);
  EXPECT_NE(inside_free.error().message.find("inside the free block"), std::string::npos);

  auto far_away = pool.deallocate(first.address + 64 * kMiB);
  ASSERT_FALSE(far_away);
  EXPECT_NE(far_away.error().message.find("outside every region"), std::string::npos);
  EXPECT_CONSISTENT(pool);
}

// ---- regions and the source ----------------------------------------------------------------

TEST(MemoryPool, RegionsGoBackOnlyWhenThePoolIsDestroyed) {
  HostRegionSource source;
  {
    MemoryPool pool(source, tensorflow_growth(64 * kMiB));
    std::vector<Allocation> blocks;
    for (std::size_t mib : {1u, 3u, 7u}) {
      blocks.push_back(must_allocate(pool, mib * kMiB));
    }
    ASSERT_EQ(pool.stats().regions, 3u);
    for (const Allocation& block : blocks) {
      must_free(pool, block);
    }
    EXPECT_EQ(source.release_calls(), 0u);
    EXPECT_EQ(pool.stats().bytes_reserved, 14 * kMiB);
    must_allocate(pool, kMiB);  // still live at destruction: its region goes back all the same
  }
  EXPECT_EQ(source.release_calls(), 3u);
  EXPECT_EQ(source.bytes_outstanding(), 0u);
}

TEST(MemoryPool, SourceErrorsOtherThanOutOfMemoryArePassedUp) {
  FakeRegionSource source;
  source.fail_with = Error{Errc::kVendorError, "cuMemAlloc_v2: CUDA_ERROR_ILLEGAL_ADDRESS", 700};
  MemoryPool pool(source, tensorflow_growth(kGiB));
  auto failed = pool.allocate(kKiB);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::kVendorError);
  EXPECT_EQ(failed.error().vendor_status, 700);
  EXPECT_EQ(failed.error().message,
            "GPU_0_bfc: taking a region of 2.00 MiB from fake: cuMemAlloc_v2: "
            "CUDA_ERROR_ILLEGAL_ADDRESS");
  EXPECT_EQ(source.asked.size(), 1u);  // no back-off: less memory would not help
  EXPECT_EQ(pool.stats().regions, 0u);
}

TEST(MemoryPool, MisalignedRegionFromTheSourceIsRefused) {
  FakeRegionSource source;
  source.misbehave = FakeRegionSource::Misbehave::kMisalign;
  MemoryPool pool(source, tensorflow_growth(kGiB));
  auto failed = pool.allocate(kKiB);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::kInternal);
  EXPECT_NE(failed.error().message.find("not 256-byte aligned"), std::string::npos);
  EXPECT_EQ(source.released, 1u);
  EXPECT_CONSISTENT(pool);
}

TEST(MemoryPool, OverlappingRegionFromTheSourceIsRefused) {
  FakeRegionSource source;
  MemoryPool pool(source, tensorflow_growth(kGiB));
  must_allocate(pool, 2 * kMiB);
  source.misbehave = FakeRegionSource::Misbehave::kRepeatAddress;
  auto failed = pool.allocate(4 * kMiB);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::kInternal);
  EXPECT_NE(failed.error().message.find("overlaps one it handed out before"), std::string::npos);
  EXPECT_EQ(pool.stats().regions, 1u);
  EXPECT_CONSISTENT(pool);
}

// ---- check_invariants() must fire, not only stay quiet --------------------------------------

TEST(MemoryPool, CheckInvariantsFiresOnAMiscountedStat) {
  FakeRegionSource source;
  MemoryPool pool(source, reserve(kMiB));
  must_allocate(pool, kKiB);
  EXPECT_CONSISTENT(pool);
  MemoryPoolTestPeer::miscount_bytes_in_use(pool);
  auto broken = pool.check_invariants();
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, Errc::kInternal);
  EXPECT_NE(broken.error().message.find("stats disagree"), std::string::npos);
}

TEST(MemoryPool, CheckInvariantsFiresOnAFreeChunkMissingFromItsBin) {
  FakeRegionSource source;
  MemoryPool pool(source, reserve(kMiB));
  must_allocate(pool, kKiB);
  MemoryPoolTestPeer::empty_the_bins(pool);
  auto broken = pool.check_invariants();
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("is not in bin"), std::string::npos);
}

TEST(MemoryPool, CheckInvariantsFiresOnChunksThatDoNotTileTheRegion) {
  FakeRegionSource source;
  MemoryPool pool(source, reserve(kMiB));
  must_allocate(pool, kKiB);
  MemoryPoolTestPeer::grow_first_chunk(pool);
  auto broken = pool.check_invariants();
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("expected one at"), std::string::npos)
      << broken.error().message;
}

TEST(MemoryPool, CheckInvariantsFiresOnFreeNeighboursLeftUnmerged) {
  FakeRegionSource source;
  MemoryPool pool(source, reserve(kMiB));
  must_allocate(pool, kKiB);
  const Allocation second = must_allocate(pool, kKiB);  // its right neighbour is the free tail
  MemoryPoolTestPeer::free_without_merging(pool, second.address);
  auto broken = pool.check_invariants();
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message.find("were not merged"), std::string::npos)
      << broken.error().message;
}

// ---- threads -------------------------------------------------------------------------------

TEST(MemoryPool, ConcurrentCallersKeepThePoolConsistent) {
  HostRegionSource source;
  MemoryPool pool(source, tensorflow_growth(256 * kMiB));
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&pool, t] {
      std::vector<Allocation> live;
      for (std::size_t i = 0; i < 2000; ++i) {
        if (i % 3 == 2 && !live.empty()) {
          static_cast<void>(pool.deallocate(live.back().address));
          live.pop_back();
        } else if (auto allocation = pool.allocate(256 * (1 + (i * 7 + t) % 64))) {
          live.push_back(*allocation);
        }
      }
      for (const Allocation& allocation : live) {
        static_cast<void>(pool.deallocate(allocation.address));
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(pool.stats().bytes_in_use, 0u);
  EXPECT_EQ(pool.stats().allocations, 0u);
  EXPECT_EQ(pool.stats().free_blocks, pool.stats().regions);
  EXPECT_CONSISTENT(pool);
}

// ---- format_bytes --------------------------------------------------------------------------

TEST(FormatBytes, UsesBinaryUnitsWithTwoDecimals) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1024), "1.00 KiB");
  EXPECT_EQ(format_bytes(1536), "1.50 KiB");
  EXPECT_EQ(format_bytes(2 * kMiB), "2.00 MiB");
  EXPECT_EQ(format_bytes(3 * kGiB / 2), "1.50 GiB");
  EXPECT_EQ(format_bytes(80 * kGiB), "80.00 GiB");
  EXPECT_EQ(format_bytes(std::numeric_limits<std::size_t>::max()), "16.00 EiB");
}

}  // namespace
}  // namespace tfgpu::runtime
