// SPDX-License-Identifier: Apache-2.0
// Event timing and the choice of repetitions: the events bracket exactly the timed work, auto
// repetitions aim at the target within their bounds, and an event pair that measured no time
// is an error rather than an infinite rate.
#include "tfgpu/bench/timing.h"

#include <gtest/gtest.h>

#include "fake_compute.h"

namespace tfgpu::bench {
namespace {

using testing::FakeCompute;

TEST(AutoIterations, AimsAtTheTarget) {
  EXPECT_EQ(auto_iterations(2.0, 200.0, 3, 10000), 100);
  EXPECT_EQ(auto_iterations(3.0, 200.0, 3, 10000), 67);  // rounds up
}

TEST(AutoIterations, StaysWithinItsBounds) {
  EXPECT_EQ(auto_iterations(500.0, 200.0, 3, 10000), 3);
  EXPECT_EQ(auto_iterations(0.0001, 200.0, 3, 10000), 10000);
  EXPECT_EQ(auto_iterations(0.0, 200.0, 3, 10000), 10000);
  EXPECT_EQ(auto_iterations(-1.0, 200.0, 3, 10000), 10000);
}

TEST(TimeWithEvents, MeasuresOnlyTheWorkBetweenTheEvents) {
  FakeCompute compute;
  compute.clock_ms = 1000;  // earlier work is not counted
  int calls = 0;
  auto elapsed = time_with_events(compute, 4, [&]() -> Result<void> {
    ++calls;
    compute.clock_ms += 2.5;
    return {};
  });
  ASSERT_TRUE(elapsed) << elapsed.error().message;
  EXPECT_EQ(calls, 4);
  EXPECT_NEAR(*elapsed, 10.0, 1e-3);
  EXPECT_EQ(compute.live_events(), 0U);  // both events destroyed
}

TEST(TimeWithEvents, NoTimeMeasuredIsAnError) {
  FakeCompute compute;
  auto elapsed = time_with_events(compute, 3, [] { return Result<void>(); });
  ASSERT_FALSE(elapsed);
  EXPECT_EQ(elapsed.error().code, Errc::kInternal);
  EXPECT_NE(elapsed.error().message.find("0 ms for 3 iterations"), std::string::npos)
      << elapsed.error().message;
}

TEST(TimeWithEvents, TheWorksErrorStopsIt) {
  FakeCompute compute;
  int calls = 0;
  auto elapsed = time_with_events(compute, 5, [&]() -> Result<void> {
    if (++calls == 2) {
      return make_error(Errc::kVendorError, "launch failed");
    }
    compute.clock_ms += 1;
    return {};
  });
  ASSERT_FALSE(elapsed);
  EXPECT_EQ(elapsed.error().message, "launch failed");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(compute.live_events(), 0U);
}

TEST(ChooseIterations, ARequestedCountIsUsedAsIs) {
  FakeCompute compute;
  int calls = 0;
  auto iterations = choose_iterations(compute, 7, 200, [&]() -> Result<void> {
    ++calls;
    return {};
  });
  ASSERT_TRUE(iterations);
  EXPECT_EQ(*iterations, 7);
  EXPECT_EQ(calls, 0);  // no calibration
}

TEST(ChooseIterations, ZeroCalibratesAgainstTheTarget) {
  FakeCompute compute;
  int calls = 0;
  auto iterations = choose_iterations(compute, 0, 200, [&]() -> Result<void> {
    ++calls;
    compute.clock_ms += 4;
    return {};
  });
  ASSERT_TRUE(iterations);
  EXPECT_EQ(*iterations, 50);
  EXPECT_EQ(calls, 3);  // the calibration
}

}  // namespace
}  // namespace tfgpu::bench
