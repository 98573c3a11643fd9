// SPDX-License-Identifier: Apache-2.0
// HostRegionSource: aligned host regions, the capacity that makes it run out like a GPU, the
// counters and request history the pool tests read, and bad releases as errors.
#include "tfgpu/runtime/region_source.h"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace tfgpu::runtime {
namespace {

TEST(HostRegionSource, HandsOutAlignedRegionsAndCountsCalls) {
  HostRegionSource source(HostRegionSourceOptions{std::nullopt, true});
  auto first = source.allocate(256);
  auto second = source.allocate(4096);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(*first % kRegionAlignmentBytes, 0u);
  EXPECT_EQ(*second % kRegionAlignmentBytes, 0u);
  EXPECT_NE(*first, *second);
  EXPECT_EQ(source.allocate_calls(), 2u);
  EXPECT_EQ(source.bytes_outstanding(), 256u + 4096u);
  ASSERT_EQ(source.requests().size(), 2u);
  EXPECT_EQ(source.requests()[1].bytes, 4096u);
  EXPECT_TRUE(source.requests()[1].granted);

  ASSERT_TRUE(source.release(*first, 256));
  EXPECT_EQ(source.release_calls(), 1u);
  EXPECT_EQ(source.bytes_outstanding(), 4096u);
  EXPECT_EQ(source.name(), "host memory");
}

TEST(HostRegionSource, RequestsAreNotRecordedUnlessAsked) {
  HostRegionSource source;
  ASSERT_TRUE(source.allocate(256));
  EXPECT_TRUE(source.requests().empty());
  EXPECT_EQ(source.allocate_calls(), 1u);
}

TEST(HostRegionSource, RunsOutAtItsCapacityLikeAGpu) {
  HostRegionSource source(HostRegionSourceOptions{4096, true});
  auto taken = source.allocate(3072);
  ASSERT_TRUE(taken);
  auto refused = source.allocate(2048);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kResourceExhausted);
  EXPECT_NE(refused.error().message.find("2048 bytes asked, 3072 of the 4096"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(source.allocate_calls(), 1u);  // refusals are not counted as handed out
  ASSERT_EQ(source.requests().size(), 2u);
  EXPECT_FALSE(source.requests()[1].granted);

  // Exactly what is left still fits, and a release makes room again.
  EXPECT_TRUE(source.allocate(1024));
  ASSERT_TRUE(source.release(*taken, 3072));
  EXPECT_TRUE(source.allocate(2048));
}

TEST(HostRegionSource, RefusesSizesThatAreNotPositiveMultiplesOf256) {
  HostRegionSource source;
  for (std::size_t bytes : {std::size_t{0}, std::size_t{100}, std::size_t{257}}) {
    auto refused = source.allocate(bytes);
    ASSERT_FALSE(refused) << bytes;
    EXPECT_EQ(refused.error().code, Errc::kInvalidArgument);
  }
  EXPECT_EQ(source.bytes_outstanding(), 0u);
}

TEST(HostRegionSource, ReleasingWhatItDidNotHandOutIsAnError) {
  HostRegionSource source;
  auto region = source.allocate(512);
  ASSERT_TRUE(region);

  auto unknown = source.release(*region + 256, 256);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::kInvalidArgument);
  EXPECT_NE(unknown.error().message.find("not a region this source handed out"), std::string::npos);

  auto wrong_size = source.release(*region, 256);
  ASSERT_FALSE(wrong_size);
  EXPECT_NE(wrong_size.error().message.find("handed out as 512 bytes"), std::string::npos);
  EXPECT_EQ(source.release_calls(), 0u);
  EXPECT_EQ(source.bytes_outstanding(), 512u);

  ASSERT_TRUE(source.release(*region, 512));
  EXPECT_FALSE(source.release(*region, 512));  // twice
}

#if defined(__SANITIZE_ADDRESS__)
#define TFGPU_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TFGPU_UNDER_ASAN 1
#endif
#endif

TEST(HostRegionSource, HostRefusalIsResourceExhausted) {
#ifdef TFGPU_UNDER_ASAN
  GTEST_SKIP() << "AddressSanitizer aborts on impossible allocation sizes instead of failing";
#else
  HostRegionSource source;
  const std::size_t impossible = std::numeric_limits<std::size_t>::max() / 2 / 256 * 256;
  auto refused = source.allocate(impossible);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kResourceExhausted);
  EXPECT_NE(refused.error().message.find("the host refused"), std::string::npos);
#endif
}

TEST(ErrorCodes, RuntimeCodesHaveStableNames) {
  EXPECT_STREQ(errc_name(Errc::kResourceExhausted), "resource_exhausted");
  EXPECT_STREQ(errc_name(Errc::kFailedPrecondition), "failed_precondition");
  EXPECT_STREQ(errc_name(Errc::kInvalidArgument), "invalid_argument");
}

}  // namespace
}  // namespace tfgpu::runtime
