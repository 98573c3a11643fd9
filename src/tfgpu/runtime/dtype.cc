// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/runtime/dtype.h"

#include <bit>
#include <cstring>

namespace tfgpu::runtime {

namespace {

constexpr std::uint32_t kF32SignMask = 0x8000'0000U;
constexpr std::uint32_t kF32AbsMask = 0x7FFF'FFFFU;
constexpr std::uint32_t kF32Infinity = 0x7F80'0000U;
// The smallest float32 magnitude that rounds to a half infinity: 65520, halfway between the
// largest half (65504) and 65536; the tie goes to the even neighbour, 65536, which is infinite.
constexpr std::uint32_t kF32HalfOverflow = 0x477F'F000U;
// 2^-14, the smallest normal half.
constexpr std::uint32_t kF32HalfMinNormal = 0x3880'0000U;
// 2^-25: half of the smallest subnormal half; it and everything below round to zero (the tie
// goes to the even neighbour, 0).
constexpr std::uint32_t kF32HalfRoundsToZero = 0x3300'0000U;
// Float32 exponent bias 127 less half's 15, in float32 exponent position.
constexpr std::uint32_t kRebias = (127U - 15U) << 23;

constexpr std::uint16_t kHalfInfinity = 0x7C00;
constexpr std::uint16_t kHalfQuietBit = 0x0200;
constexpr std::uint16_t kBf16QuietBit = 0x0040;

// `value >> shift` rounded to nearest, ties to even (0 < shift < 32).
std::uint32_t shift_right_rounding_to_even(std::uint32_t value, std::uint32_t shift) {
  const std::uint32_t kept = value >> shift;
  const std::uint32_t rest = value & ((1U << shift) - 1U);
  const std::uint32_t halfway = 1U << (shift - 1U);
  if (rest > halfway || (rest == halfway && (kept & 1U) != 0)) {
    return kept + 1U;
  }
  return kept;
}

}  // namespace

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return "float32";
    case DType::kF16:
      return "float16";
    case DType::kBF16:
      return "bfloat16";
  }
  return "?";
}

std::size_t dtype_size_bytes(DType dtype) {
  return dtype == DType::kF32 ? 4 : 2;
}

std::uint16_t float_to_half_bits(float value) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  const auto sign = static_cast<std::uint16_t>((bits & kF32SignMask) >> 16);
  const std::uint32_t magnitude = bits & kF32AbsMask;
  if (magnitude > kF32Infinity) {
    // NaN: keep the top payload bits and make it quiet, so it cannot become an infinity.
    return static_cast<std::uint16_t>(sign | kHalfInfinity | kHalfQuietBit |
                                      ((magnitude >> 13) & 0x3FFU));
  }
  if (magnitude >= kF32HalfOverflow) {
    return static_cast<std::uint16_t>(sign | kHalfInfinity);  // inf, or finite but too large
  }
  if (magnitude >= kF32HalfMinNormal) {
    // Normal: rebias the exponent and round the mantissa from 23 to 10 bits. A carry out of the
    // mantissa correctly moves to the next exponent (0x3BFF.. → 0x3C00).
    return static_cast<std::uint16_t>(sign | shift_right_rounding_to_even(magnitude - kRebias, 13));
  }
  if (magnitude <= kF32HalfRoundsToZero) {
    return sign;
  }
  // Subnormal half: the value in units of 2^-24. The float32 is normal here (≥ 2^-25), so its
  // significand is the mantissa with the implicit bit, scaled by 2^(exponent - 150); in units of
  // 2^-24 that is a right shift by 126 - exponent (14 to 24). Rounding up from the largest
  // subnormal gives 0x0400, the smallest normal, as it should.
  const std::uint32_t exponent = magnitude >> 23;
  const std::uint32_t significand = (magnitude & 0x7F'FFFFU) | 0x80'0000U;
  return static_cast<std::uint16_t>(sign |
                                    shift_right_rounding_to_even(significand, 126U - exponent));
}

float half_bits_to_float(std::uint16_t bits) {
  const std::uint32_t sign = (static_cast<std::uint32_t>(bits) & 0x8000U) << 16;
  const std::uint32_t exponent = (static_cast<std::uint32_t>(bits) >> 10) & 0x1FU;
  const std::uint32_t mantissa = static_cast<std::uint32_t>(bits) & 0x3FFU;
  if (exponent == 0x1FU) {
    return std::bit_cast<float>(sign | kF32Infinity | (mantissa << 13));  // inf or NaN
  }
  if (exponent == 0) {
    // Zero or subnormal: mantissa · 2^-24, exact in float32 (at most 10 significant bits).
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24F;
    return std::bit_cast<float>(sign | std::bit_cast<std::uint32_t>(magnitude));
  }
  return std::bit_cast<float>(sign | ((exponent << 23) + kRebias) | (mantissa << 13));
}

std::uint16_t float_to_bfloat16_bits(float value) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  if ((bits & kF32AbsMask) > kF32Infinity) {
    // Rounding would carry a small payload into the exponent and make an infinity.
    return static_cast<std::uint16_t>((bits >> 16) | kBf16QuietBit);
  }
  // Round to nearest even on the low 16 bits; overflow past the largest finite value carries
  // into the exponent and gives the infinity with the right sign.
  const std::uint32_t rounding = 0x7FFFU + ((bits >> 16) & 1U);
  return static_cast<std::uint16_t>((bits + rounding) >> 16);
}

float bfloat16_bits_to_float(std::uint16_t bits) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

bool encode_floats(std::span<const float> values, DType dtype, std::span<std::byte> out) {
  if (out.size() != values.size() * dtype_size_bytes(dtype)) {
    return false;
  }
  if (dtype == DType::kF32) {
    if (!values.empty()) {
      std::memcpy(out.data(), values.data(), out.size());
    }
    return true;
  }
  const bool half = dtype == DType::kF16;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::uint16_t bits =
        half ? float_to_half_bits(values[i]) : float_to_bfloat16_bits(values[i]);
    std::memcpy(out.data() + 2 * i, &bits, sizeof bits);
  }
  return true;
}

bool decode_floats(std::span<const std::byte> bytes, DType dtype, std::span<float> out) {
  if (bytes.size() != out.size() * dtype_size_bytes(dtype)) {
    return false;
  }
  if (dtype == DType::kF32) {
    if (!out.empty()) {
      std::memcpy(out.data(), bytes.data(), bytes.size());
    }
    return true;
  }
  const bool half = dtype == DType::kF16;
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::uint16_t bits = 0;
    std::memcpy(&bits, bytes.data() + 2 * i, sizeof bits);
    out[i] = half ? half_bits_to_float(bits) : bfloat16_bits_to_float(bits);
  }
  return true;
}

}  // namespace tfgpu::runtime
