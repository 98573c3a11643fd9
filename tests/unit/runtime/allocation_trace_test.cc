// SPDX-License-Identifier: Apache-2.0
// The training-step trace (also replayed by bench/pool_bench.cc): deterministic, well formed,
// its own peak, what reserve mode and growth by each policy reserve for it (issue 5's 1.25× on
// every shape for the default), and the errors of replay and trace_peak_bytes.
#include "tfgpu/runtime/allocation_trace.h"

#include <limits>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fake_region_source.h"

namespace tfgpu::runtime {
namespace {

double reserved_over_peak(const PoolStats& stats) {
  return static_cast<double>(stats.bytes_reserved) / static_cast<double>(stats.peak_bytes_in_use);
}

TEST(AllocationTrace, IsDeterministicPerSeed) {
  const auto first = training_trace(TrainingTraceOptions{8, 3, 32, 7});
  const auto again = training_trace(TrainingTraceOptions{8, 3, 32, 7});
  const auto other = training_trace(TrainingTraceOptions{8, 3, 32, 8});
  ASSERT_EQ(first.size(), again.size());
  bool same = true;
  bool differs = first.size() != other.size();
  for (std::size_t i = 0; i < first.size(); ++i) {
    same = same && first[i].op == again[i].op && first[i].id == again[i].id &&
           first[i].bytes == again[i].bytes;
    differs = differs || i >= other.size() || first[i].bytes != other[i].bytes;
  }
  EXPECT_TRUE(same);
  EXPECT_TRUE(differs);
}

TEST(AllocationTrace, EveryStepFreesWhatItAllocatesAndWeightsStay) {
  const TrainingTraceOptions options{16, 6, 32, 1};
  const auto events = training_trace(options);
  std::set<std::size_t> live;
  std::size_t allocations = 0;
  std::size_t frees = 0;
  for (const TraceEvent& event : events) {
    if (event.op == TraceOp::kAllocate) {
      EXPECT_GT(event.bytes, 0u);
      EXPECT_TRUE(live.insert(event.id).second) << "id " << event.id << " allocated twice";
      ++allocations;
    } else {
      EXPECT_EQ(live.erase(event.id), 1u) << "id " << event.id << " freed but not live";
      ++frees;
    }
  }
  // Weights, biases and two Adam slots of each per layer remain; everything else was freed.
  EXPECT_EQ(live.size(), 16u * 6u);
  EXPECT_EQ(frees, allocations - live.size());
  // Per step: the input, a workspace and an activation per layer forward, the loss and its
  // gradient, then per layer backward a workspace, two gradients, a bias gradient, the update.
  EXPECT_EQ(allocations, 16u * 6u + 6u * (1u + 2u * 16u + 2u + 5u * 16u));
}

TEST(AllocationTrace, ReserveModeTakesTheLimitOnceAndServesTheWholeTrace) {
  FakeRegionSource source;
  MemoryPool pool(source, PoolOptions{"GPU_0_bfc", 8 * kGiB, Growth::kReserveLimit});
  auto stats = replay(pool, training_trace());
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->regions, 1u);
  EXPECT_EQ(stats->bytes_reserved, 8 * kGiB);
  EXPECT_EQ(source.asked, (std::vector<std::size_t>{8 * kGiB}));
  auto consistent = pool.check_invariants();
  EXPECT_TRUE(consistent) << consistent.error().message;
}

// The shapes of the trace the growth tests sweep: 8 seeds × 4 depths.
std::vector<TrainingTraceOptions> trace_shapes() {
  std::vector<TrainingTraceOptions> shapes;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    for (int layers : {4, 8, 16, 24}) {
      shapes.push_back(TrainingTraceOptions{layers, 6, 32, seed});
    }
  }
  return shapes;
}

PoolOptions growth(GrowthPolicy policy) {
  return PoolOptions{"GPU_0_bfc", 80 * kGiB, Growth::kGrow, policy};
}

std::string describe(const TrainingTraceOptions& shape, const PoolStats& stats) {
  return "seed " + std::to_string(shape.seed) + ", " + std::to_string(shape.layers) +
         " layers: peak " + format_bytes(stats.peak_bytes_in_use) + ", reserved " +
         format_bytes(stats.bytes_reserved) + ", " + std::to_string(stats.regions) + " regions";
}

// TensorFlow's regions double (2, 4, 8 MiB …), so what it reserves ends up between the peak and
// about twice the peak, depending on where the peak falls between two powers of two. This checks
// that bound on every shape; it fails if growth over-reserves (a region size that grows faster,
// regions not reused after frees, chunks never coalesced). It measures 1.03× to 2.00×: doubling
// does not meet issue 5's 1.25×, hence tfgpu's own default below.
TEST(AllocationTrace, TensorflowGrowthReservesAtMostTwiceThePeak) {
  for (const TrainingTraceOptions& shape : trace_shapes()) {
    FakeRegionSource source;
    MemoryPool pool(source, growth(GrowthPolicy::kTensorflow));
    auto stats = replay(pool, training_trace(shape));
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_GE(reserved_over_peak(*stats), 1.0);
    EXPECT_LE(reserved_over_peak(*stats), 2.0) << describe(shape, *stats);
    auto consistent = pool.check_invariants();
    ASSERT_TRUE(consistent) << consistent.error().message;
  }
}

// Issue 5's target, on every shape: growth mode with tfgpu's default policy reserves at most
// 1.25× the peak in use (measured 1.01× to 1.25×). The policy sizes each region up to that
// bound, so what this catches is growth the bound does not cover: a region the request needs on
// its own because the free memory is too fragmented for it, frees not reused, or a rule that
// overshoots (a quarter of reserved on top of it, the first version of the rule, measured 1.265×
// on seed 2 with 4 layers).
TEST(AllocationTrace, DefaultGrowthReservesAtMostAQuarterMoreThanThePeak) {
  for (const TrainingTraceOptions& shape : trace_shapes()) {
    FakeRegionSource source;
    MemoryPool pool(source, PoolOptions{"GPU_0_bfc", 80 * kGiB, Growth::kGrow});
    auto stats = replay(pool, training_trace(shape));
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_GE(reserved_over_peak(*stats), 1.0);
    EXPECT_LE(reserved_over_peak(*stats), 1.25) << describe(shape, *stats);
    auto consistent = pool.check_invariants();
    ASSERT_TRUE(consistent) << consistent.error().message;
  }
}

// The pool's peak counts whole chunks, so reserved/peak alone could look good by wasting more
// inside chunks. Against what the trace itself has live at its peak, the default policy still
// reserves less than TensorFlow's in total over the shapes (measured 12 % less), and at most
// 1.65× that peak on any shape (measured 1.15× to 1.62×; TensorFlow's: 1.09× to 2.17×).
TEST(AllocationTrace, DefaultGrowthReservesLessThanTensorflowsAgainstTheTracesOwnPeak) {
  std::size_t proportional_total = 0;
  std::size_t tensorflow_total = 0;
  for (const TrainingTraceOptions& shape : trace_shapes()) {
    const std::vector<TraceEvent> events = training_trace(shape);
    auto needed = trace_peak_bytes(events);
    ASSERT_TRUE(needed) << needed.error().message;
    FakeRegionSource proportional_source;
    MemoryPool proportional(proportional_source, growth(GrowthPolicy::kProportional));
    auto proportional_stats = replay(proportional, events);
    FakeRegionSource tensorflow_source;
    MemoryPool tensorflow(tensorflow_source, growth(GrowthPolicy::kTensorflow));
    auto tensorflow_stats = replay(tensorflow, events);
    ASSERT_TRUE(proportional_stats && tensorflow_stats);
    for (const PoolStats* stats : {&*proportional_stats, &*tensorflow_stats}) {
      EXPECT_GE(stats->peak_bytes_in_use, *needed) << describe(shape, *stats);
    }
    EXPECT_LE(static_cast<double>(proportional_stats->bytes_reserved),
              1.65 * static_cast<double>(*needed))
        << describe(shape, *proportional_stats);
    proportional_total += proportional_stats->bytes_reserved;
    tensorflow_total += tensorflow_stats->bytes_reserved;
  }
  EXPECT_LT(static_cast<double>(proportional_total), 0.9 * static_cast<double>(tensorflow_total))
      << format_bytes(proportional_total) << " against " << format_bytes(tensorflow_total);
}

TEST(AllocationTrace, PeakBytesIsTheMostLiveAtOnceRoundedTo256) {
  auto peak = trace_peak_bytes(
      {TraceEvent{TraceOp::kAllocate, 0, 1000}, TraceEvent{TraceOp::kAllocate, 1, 256},
       TraceEvent{TraceOp::kFree, 0, 0}, TraceEvent{TraceOp::kAllocate, 2, 700},
       TraceEvent{TraceOp::kAllocate, 0, 1}});
  ASSERT_TRUE(peak) << peak.error().message;
  EXPECT_EQ(*peak, 1024u + 256u);  // 1000 and 256; later 256 + 768 + 256 is less
  auto empty = trace_peak_bytes({});
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, 0u);
}

TEST(AllocationTrace, PeakBytesRefusesAMalformedTrace) {
  auto unknown_free = trace_peak_bytes({TraceEvent{TraceOp::kFree, 3, 0}});
  ASSERT_FALSE(unknown_free);
  EXPECT_EQ(unknown_free.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(unknown_free.error().message, "trace event 0: block 3 freed but not live");
  auto twice = trace_peak_bytes(
      {TraceEvent{TraceOp::kAllocate, 0, 256}, TraceEvent{TraceOp::kAllocate, 0, 256}});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().message, "trace event 1: block 0 allocated twice");
  auto empty_block = trace_peak_bytes({TraceEvent{TraceOp::kAllocate, 4, 0}});
  ASSERT_FALSE(empty_block);
  EXPECT_NE(empty_block.error().message.find("trace event 0: block 4 asks for 0 bytes"),
            std::string::npos)
      << empty_block.error().message;
  const std::size_t huge = std::numeric_limits<std::size_t>::max() / 2;
  auto overflow = trace_peak_bytes(
      {TraceEvent{TraceOp::kAllocate, 0, huge}, TraceEvent{TraceOp::kAllocate, 1, huge}});
  ASSERT_FALSE(overflow);
  EXPECT_EQ(overflow.error().message, "trace event 1: more bytes live than a size_t holds");
}

TEST(AllocationTrace, GrowthReservesFarLessThanReserveModeOnTheDefaultTrace) {
  FakeRegionSource source;
  MemoryPool pool(source, PoolOptions{"GPU_0_bfc", 80 * kGiB, Growth::kGrow});
  auto stats = replay(pool, training_trace());
  ASSERT_TRUE(stats) << stats.error().message;
  // Weights and Adam slots stay in use after the steps: the pool is never empty again.
  EXPECT_GT(stats->bytes_in_use, 0u);
  EXPECT_LT(stats->bytes_reserved, 2 * kGiB);
  EXPECT_GT(stats->regions, 5u);  // grew region by region, not in one go
}

TEST(AllocationTrace, ReplayRunningOutNamesTheEvent) {
  FakeRegionSource source;
  MemoryPool pool(source, PoolOptions{"GPU_0_bfc", 256 * kMiB, Growth::kGrow});
  auto stats = replay(pool, training_trace());
  ASSERT_FALSE(stats);
  EXPECT_EQ(stats.error().code, Errc::kResourceExhausted);
  EXPECT_EQ(stats.error().message.rfind("trace event ", 0), 0u) << stats.error().message;
  EXPECT_NE(stats.error().message.find("OOM when allocating"), std::string::npos);
}

TEST(AllocationTrace, ReplayRefusesAMalformedTrace) {
  FakeRegionSource source;
  MemoryPool pool(source, PoolOptions{"GPU_0_bfc", 64 * kMiB, Growth::kGrow});
  auto unknown_free = replay(pool, {TraceEvent{TraceOp::kFree, 3, 0}});
  ASSERT_FALSE(unknown_free);
  EXPECT_EQ(unknown_free.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(unknown_free.error().message, "trace event 0: block 3 freed but not live");

  auto twice = replay(
      pool, {TraceEvent{TraceOp::kAllocate, 0, 256}, TraceEvent{TraceOp::kAllocate, 0, 256}});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().message, "trace event 1: block 0 allocated twice");
}

}  // namespace
}  // namespace tfgpu::runtime
