// SPDX-License-Identifier: Apache-2.0
// float16 and bfloat16 conversions: exact bit patterns, round-to-nearest-even at every kind of
// tie, overflow, subnormals, infinities and NaNs, and exhaustive round trips.
#include "tfgpu/runtime/dtype.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace tfgpu::runtime {
namespace {

float from_bits(std::uint32_t bits) {
  return std::bit_cast<float>(bits);
}

TEST(DType, NamesAndSizes) {
  EXPECT_STREQ(dtype_name(DType::kF32), "float32");
  EXPECT_STREQ(dtype_name(DType::kF16), "float16");
  EXPECT_STREQ(dtype_name(DType::kBF16), "bfloat16");
  EXPECT_EQ(dtype_size_bytes(DType::kF32), 4U);
  EXPECT_EQ(dtype_size_bytes(DType::kF16), 2U);
  EXPECT_EQ(dtype_size_bytes(DType::kBF16), 2U);
}

// ---- IEEE half ------------------------------------------------------------------------------

TEST(HalfFromFloat, ExactValues) {
  EXPECT_EQ(float_to_half_bits(0.0F), 0x0000);
  EXPECT_EQ(float_to_half_bits(-0.0F), 0x8000);
  EXPECT_EQ(float_to_half_bits(1.0F), 0x3C00);
  EXPECT_EQ(float_to_half_bits(0.5F), 0x3800);
  EXPECT_EQ(float_to_half_bits(-2.0F), 0xC000);
  EXPECT_EQ(float_to_half_bits(65504.0F), 0x7BFF);         // the largest half
  EXPECT_EQ(float_to_half_bits(0x1p-14F), 0x0400);         // the smallest normal
  EXPECT_EQ(float_to_half_bits(0x1p-24F), 0x0001);         // the smallest subnormal
  EXPECT_EQ(float_to_half_bits(1023 * 0x1p-24F), 0x03FF);  // the largest subnormal
}

TEST(HalfFromFloat, InexactValuesRoundToNearest) {
  EXPECT_EQ(float_to_half_bits(0.1F), 0x2E66);         // 614.4 → 614
  EXPECT_EQ(float_to_half_bits(1.0F / 3.0F), 0x3555);  // 341.33 → 341
  EXPECT_EQ(float_to_half_bits(-0.1F), 0xAE66);
  EXPECT_EQ(float_to_half_bits(1.0F + 0x1p-11F + 0x1p-20F), 0x3C01);  // just above a tie: up
  EXPECT_EQ(float_to_half_bits(1.0F + 0x1p-11F - 0x1p-20F), 0x3C00);  // just below: down
}

TEST(HalfFromFloat, TiesGoToTheEvenNeighbour) {
  EXPECT_EQ(float_to_half_bits(1.0F + 0x1p-11F), 0x3C00);      // between 0x3C00 and 0x3C01
  EXPECT_EQ(float_to_half_bits(1.0F + 3 * 0x1p-11F), 0x3C02);  // between 0x3C01 and 0x3C02
  EXPECT_EQ(float_to_half_bits(0x1p-25F), 0x0000);             // between 0 and 0x0001
  EXPECT_EQ(float_to_half_bits(3 * 0x1p-25F), 0x0002);         // between 0x0001 and 0x0002
  EXPECT_EQ(float_to_half_bits(5 * 0x1p-25F), 0x0002);         // between 0x0002 and 0x0003
  // Halfway between the largest subnormal and the smallest normal: to the normal (even).
  EXPECT_EQ(float_to_half_bits(0x1p-14F - 0x1p-25F), 0x0400);
  // Halfway between 0x3FFF and 2.0: the carry out of the mantissa moves to the next exponent.
  EXPECT_EQ(float_to_half_bits(2.0F - 0x1p-11F), 0x4000);
}

TEST(HalfFromFloat, TinyValuesBecomeSignedZeroOrTheSmallestSubnormal) {
  EXPECT_EQ(float_to_half_bits(1.5F * 0x1p-25F), 0x0001);  // above the tie
  EXPECT_EQ(float_to_half_bits(0x1p-26F), 0x0000);
  EXPECT_EQ(float_to_half_bits(-0x1p-26F), 0x8000);
  EXPECT_EQ(float_to_half_bits(std::numeric_limits<float>::denorm_min()), 0x0000);
}

TEST(HalfFromFloat, OverflowBecomesInfinityFrom65520) {
  EXPECT_EQ(float_to_half_bits(std::nextafter(65520.0F, 0.0F)), 0x7BFF);
  EXPECT_EQ(float_to_half_bits(65520.0F), 0x7C00);  // the tie goes to 65536: infinite
  EXPECT_EQ(float_to_half_bits(-65520.0F), 0xFC00);
  EXPECT_EQ(float_to_half_bits(1e6F), 0x7C00);
  EXPECT_EQ(float_to_half_bits(std::numeric_limits<float>::max()), 0x7C00);
  EXPECT_EQ(float_to_half_bits(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(float_to_half_bits(-std::numeric_limits<float>::infinity()), 0xFC00);
}

TEST(HalfFromFloat, NanStaysAQuietNanWithItsSign) {
  EXPECT_EQ(float_to_half_bits(std::numeric_limits<float>::quiet_NaN()), 0x7E00);
  EXPECT_EQ(float_to_half_bits(from_bits(0xFFC0'0000U)), 0xFE00);
  // A signalling NaN whose payload lies below half's mantissa must not turn into infinity.
  EXPECT_EQ(float_to_half_bits(from_bits(0x7F80'0001U)), 0x7E00);
  // The top payload bits survive.
  EXPECT_EQ(float_to_half_bits(from_bits(0x7FBF'E000U)), 0x7FFF);
}

TEST(HalfToFloat, ExactValues) {
  EXPECT_EQ(half_bits_to_float(0x3C00), 1.0F);
  EXPECT_EQ(half_bits_to_float(0x7BFF), 65504.0F);
  EXPECT_EQ(half_bits_to_float(0x0001), 0x1p-24F);
  EXPECT_EQ(half_bits_to_float(0x03FF), 1023 * 0x1p-24F);
  EXPECT_EQ(half_bits_to_float(0x0400), 0x1p-14F);
  EXPECT_EQ(half_bits_to_float(0x3555), 0.333251953125F);
  EXPECT_EQ(half_bits_to_float(0xC000), -2.0F);
  const float negative_zero = half_bits_to_float(0x8000);
  EXPECT_EQ(negative_zero, 0.0F);
  EXPECT_TRUE(std::signbit(negative_zero));
  EXPECT_EQ(half_bits_to_float(0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(half_bits_to_float(0xFC00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(half_bits_to_float(0x7E00)));
  EXPECT_TRUE(std::isnan(half_bits_to_float(0x7C01)));  // signalling half NaN
  EXPECT_TRUE(std::signbit(half_bits_to_float(0xFE00)));
}

TEST(Half, EveryHalfRoundTripsThroughFloat) {
  for (std::uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto half = static_cast<std::uint16_t>(bits);
    const float value = half_bits_to_float(half);
    if (std::isnan(value)) {
      const std::uint16_t back = float_to_half_bits(value);
      EXPECT_EQ(back & 0x7C00, 0x7C00) << std::hex << bits;
      EXPECT_NE(back & 0x03FF, 0) << std::hex << bits;  // still a NaN
      EXPECT_EQ(back & 0x8000, half & 0x8000) << std::hex << bits;
      continue;
    }
    ASSERT_EQ(float_to_half_bits(value), half) << std::hex << bits;
  }
}

// ---- bfloat16 -------------------------------------------------------------------------------

TEST(Bfloat16FromFloat, ExactAndRoundedValues) {
  EXPECT_EQ(float_to_bfloat16_bits(1.0F), 0x3F80);
  EXPECT_EQ(float_to_bfloat16_bits(-2.0F), 0xC000);
  EXPECT_EQ(float_to_bfloat16_bits(0.0F), 0x0000);
  EXPECT_EQ(float_to_bfloat16_bits(-0.0F), 0x8000);
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0x4049'0FDBU)), 0x4049);  // pi: rounds down
  EXPECT_EQ(float_to_bfloat16_bits(0.1F), 0x3DCD);                     // 0x3DCCCCCD: rounds up
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0x3F80'8001U)), 0x3F81);  // above the tie
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0x3F80'7FFFU)), 0x3F80);  // below the tie
}

TEST(Bfloat16FromFloat, TiesGoToTheEvenNeighbour) {
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0x3F80'8000U)), 0x3F80);  // 1 + 2^-8
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0x3F81'8000U)), 0x3F82);  // 1 + 3·2^-8
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0x0000'8000U)), 0x0000);  // subnormal tie
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0x0001'8000U)), 0x0002);
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0x3FFF'8000U)), 0x4000);  // carry into the exponent
}

TEST(Bfloat16FromFloat, OverflowAndInfinity) {
  EXPECT_EQ(float_to_bfloat16_bits(std::numeric_limits<float>::max()), 0x7F80);  // rounds up
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0x7F7F'7FFFU)), 0x7F7F);
  EXPECT_EQ(float_to_bfloat16_bits(-std::numeric_limits<float>::max()), 0xFF80);
  EXPECT_EQ(float_to_bfloat16_bits(std::numeric_limits<float>::infinity()), 0x7F80);
  EXPECT_EQ(float_to_bfloat16_bits(-std::numeric_limits<float>::infinity()), 0xFF80);
}

TEST(Bfloat16FromFloat, NanStaysAQuietNan) {
  EXPECT_EQ(float_to_bfloat16_bits(std::numeric_limits<float>::quiet_NaN()), 0x7FC0);
  // Naive rounding would carry these payloads into the exponent: +inf, or a wrapped sign.
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0x7F80'0001U)), 0x7FC0);
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0xFF80'0001U)), 0xFFC0);
  EXPECT_EQ(float_to_bfloat16_bits(from_bits(0x7FFF'FFFFU)), 0x7FFF);
}

TEST(Bfloat16, EveryBfloat16RoundTripsThroughFloat) {
  for (std::uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto bf16 = static_cast<std::uint16_t>(bits);
    const float value = bfloat16_bits_to_float(bf16);
    EXPECT_EQ(std::bit_cast<std::uint32_t>(value), bits << 16);
    if (std::isnan(value)) {
      EXPECT_TRUE(std::isnan(bfloat16_bits_to_float(float_to_bfloat16_bits(value))));
      continue;
    }
    ASSERT_EQ(float_to_bfloat16_bits(value), bf16) << std::hex << bits;
  }
}

// ---- buffers --------------------------------------------------------------------------------

TEST(EncodeFloats, WritesEachTypeAndRefusesAWrongSize) {
  const std::vector<float> values = {1.0F, -2.0F, 0.1F};
  std::vector<std::byte> half(6);
  ASSERT_TRUE(encode_floats(values, DType::kF16, half));
  std::vector<float> back(3);
  ASSERT_TRUE(decode_floats(half, DType::kF16, back));
  EXPECT_EQ(back[0], 1.0F);
  EXPECT_EQ(back[1], -2.0F);
  EXPECT_EQ(back[2], half_bits_to_float(0x2E66));

  std::vector<std::byte> bf16(6);
  ASSERT_TRUE(encode_floats(values, DType::kBF16, bf16));
  ASSERT_TRUE(decode_floats(bf16, DType::kBF16, back));
  EXPECT_EQ(back[2], bfloat16_bits_to_float(0x3DCD));

  std::vector<std::byte> f32(12);
  ASSERT_TRUE(encode_floats(values, DType::kF32, f32));
  ASSERT_TRUE(decode_floats(f32, DType::kF32, back));
  EXPECT_EQ(back, values);

  std::vector<std::byte> wrong(5, std::byte{0x5A});
  EXPECT_FALSE(encode_floats(values, DType::kF16, wrong));
  EXPECT_EQ(wrong, std::vector<std::byte>(5, std::byte{0x5A}));  // nothing written
  std::vector<float> too_few(2, 7.0F);
  EXPECT_FALSE(decode_floats(half, DType::kF16, too_few));
  EXPECT_EQ(too_few, std::vector<float>(2, 7.0F));
}

}  // namespace
}  // namespace tfgpu::runtime
