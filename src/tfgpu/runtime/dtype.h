// SPDX-License-Identifier: Apache-2.0
#pragma once
// Element types of tfgpu's tensors and the 16-bit conversions between them.
//
// Why by hand: the conversions decide what a float16 or bfloat16 matmul is compared against, so
// they must round exactly as the hardware and TensorFlow do: round to nearest, ties to even
// (IEEE 754 roundTiesToEven), for both formats; overflow to ±inf; NaN kept NaN (quiet, sign
// kept) — a NaN must never round into an infinity, as truncating bfloat16 naively would.
// Subnormal halves are produced and read exactly. Eigen's half and bfloat16 types would do the
// same, but their rounding of NaN payloads and subnormals varies between Eigen versions, and the
// bit patterns here are what the tests pin down.
//
// IEEE half: 1 sign, 5 exponent (bias 15), 10 mantissa bits; max finite 65504 (0x7BFF), smallest
// subnormal 2^-24 (0x0001). bfloat16: the top 16 bits of a float32 (8 exponent bits, 7 mantissa
// bits), same range as float32.

#include <cstddef>
#include <cstdint>
#include <span>

namespace tfgpu::runtime {

enum class DType { kF32, kF16, kBF16 };

// TensorFlow's Python names: "float32", "float16", "bfloat16".
const char* dtype_name(DType dtype);

// 4 for kF32, 2 for kF16 and kBF16.
std::size_t dtype_size_bytes(DType dtype);

// float32 → IEEE half bits, round to nearest even; ≥ 65520 in magnitude becomes ±inf.
std::uint16_t float_to_half_bits(float value);

// IEEE half bits → float32, exactly (every half is a float32).
float half_bits_to_float(std::uint16_t bits);

// float32 → bfloat16 bits, round to nearest even; NaN stays a quiet NaN.
std::uint16_t float_to_bfloat16_bits(float value);

// bfloat16 bits → float32, exactly.
float bfloat16_bits_to_float(std::uint16_t bits);

// Store `values` as `dtype` into `out` (native byte order), which must hold exactly
// values.size() * dtype_size_bytes(dtype) bytes; returns false (writing nothing) when it does not.
bool encode_floats(std::span<const float> values, DType dtype, std::span<std::byte> out);

// Read `bytes` holding `dtype` values into `out`, which must have exactly
// bytes.size() / dtype_size_bytes(dtype) elements; returns false (writing nothing) otherwise.
bool decode_floats(std::span<const std::byte> bytes, DType dtype, std::span<float> out);

}  // namespace tfgpu::runtime
