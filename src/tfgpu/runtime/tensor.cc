// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/runtime/tensor.h"

#include <cmath>
#include <limits>
#include <new>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/runtime/device.h"
#include "tfgpu/runtime/device_memory.h"

namespace tfgpu::runtime {

namespace {

// A host buffer of `bytes`, or kResourceExhausted: a shape the host cannot hold is bad input,
// not a reason to throw past the runtime.
Result<std::vector<std::byte>> host_buffer(std::size_t bytes, const std::string& what) {
  try {
    return std::vector<std::byte>(bytes);
  } catch (const std::bad_alloc&) {
  } catch (const std::length_error&) {
  }
  return make_error(Errc::kResourceExhausted,
                    fmt::format("{}: the host cannot allocate {} bytes", what, bytes));
}

// SplitMix64 (Steele, Lea, Flood 2014; the seeding generator of xoshiro): a bijective mix of a
// 64-bit counter, good enough for test data and independent of the standard library.
std::uint64_t splitmix64(std::uint64_t state) {
  std::uint64_t z = state + 0x9E37'79B9'7F4A'7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58'476D'1CE4'E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D0'49BB'1331'11EBULL;
  return z ^ (z >> 31);
}

}  // namespace

std::string format_shape(const std::vector<std::int64_t>& shape) {
  std::vector<std::string> dims;
  dims.reserve(shape.size());
  for (std::int64_t dim : shape) {
    dims.push_back(std::to_string(dim));
  }
  return "[" + join(dims, ",") + "]";
}

Result<std::int64_t> element_count(const std::vector<std::int64_t>& shape) {
  // Bytes in the widest element type must fit in int64 (and so in size_t).
  constexpr std::int64_t kMaxElements = std::numeric_limits<std::int64_t>::max() / 4;
  std::int64_t count = 1;
  for (std::int64_t dim : shape) {
    if (dim < 0) {
      return make_error(Errc::kInvalidArgument, fmt::format("shape {}: dimension {} is negative",
                                                            format_shape(shape), dim));
    }
    if (dim != 0 && count > kMaxElements / dim) {
      return make_error(Errc::kInvalidArgument,
                        fmt::format("shape {}: too many elements", format_shape(shape)));
    }
    count *= dim;
  }
  return count;
}

Tensor::Tensor()
    : shape_{0},
      device_(full_device_name(DeviceType::kCpu, 0)),
      host_(std::make_shared<const std::vector<std::byte>>()) {}

std::size_t Tensor::size_bytes() const {
  return static_cast<std::size_t>(num_elements_) * dtype_size_bytes(dtype_);
}

Result<Tensor> Tensor::from_bytes(std::vector<std::int64_t> shape, DType dtype,
                                  std::vector<std::byte> bytes) {
  auto count = element_count(shape);
  if (!count) {
    return tl::unexpected<Error>(count.error());
  }
  const std::size_t expected = static_cast<std::size_t>(*count) * dtype_size_bytes(dtype);
  if (bytes.size() != expected) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("{}{}: {} bytes given, {} expected", dtype_name(dtype),
                                  format_shape(shape), bytes.size(), expected));
  }
  Tensor tensor;
  tensor.shape_ = std::move(shape);
  tensor.dtype_ = dtype;
  tensor.num_elements_ = *count;
  tensor.host_ = std::make_shared<const std::vector<std::byte>>(std::move(bytes));
  return tensor;
}

Result<Tensor> Tensor::from_floats(std::vector<std::int64_t> shape, std::span<const float> values,
                                   DType dtype) {
  auto count = element_count(shape);
  if (!count) {
    return tl::unexpected<Error>(count.error());
  }
  if (static_cast<std::size_t>(*count) != values.size()) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("shape {} has {} elements, but {} values were given",
                                  format_shape(shape), *count, values.size()));
  }
  auto bytes = host_buffer(values.size() * dtype_size_bytes(dtype), format_shape(shape));
  if (!bytes) {
    return tl::unexpected<Error>(bytes.error());
  }
  encode_floats(values, dtype, *bytes);
  return from_bytes(std::move(shape), dtype, std::move(*bytes));
}

Result<Tensor> Tensor::from_gpu_buffer(std::vector<std::int64_t> shape, DType dtype,
                                       std::shared_ptr<DeviceBuffer> buffer) {
  if (!buffer) {
    return make_error(Errc::kInvalidArgument, "a GPU tensor needs a buffer");
  }
  auto count = element_count(shape);
  if (!count) {
    return tl::unexpected<Error>(count.error());
  }
  const std::size_t expected = static_cast<std::size_t>(*count) * dtype_size_bytes(dtype);
  if (buffer->size_bytes() != expected) {
    return make_error(
        Errc::kInvalidArgument,
        fmt::format("{}{}: a GPU buffer of {} bytes given, {} expected", dtype_name(dtype),
                    format_shape(shape), buffer->size_bytes(), expected));
  }
  Tensor tensor;
  tensor.shape_ = std::move(shape);
  tensor.dtype_ = dtype;
  tensor.num_elements_ = *count;
  tensor.device_ = buffer->memory().device().name;
  tensor.host_.reset();
  tensor.gpu_ = std::move(buffer);
  return tensor;
}

std::span<const std::byte> Tensor::host_bytes() const {
  if (!host_) {
    return {};
  }
  return *host_;
}

Result<Tensor> Tensor::to_host() const {
  if (!gpu_) {
    return *this;
  }
  auto bytes = host_buffer(size_bytes(), describe());
  if (!bytes) {
    return tl::unexpected<Error>(bytes.error());
  }
  auto copied = gpu_->read(*bytes);
  if (!copied) {
    return tl::unexpected<Error>(
        copied.error().with_context(fmt::format("copying {} to the host", describe())));
  }
  return from_bytes(shape_, dtype_, std::move(*bytes));
}

Result<std::vector<float>> Tensor::to_floats() const {
  auto host = to_host();
  if (!host) {
    return tl::unexpected<Error>(host.error());
  }
  std::vector<float> values;
  try {
    values.resize(static_cast<std::size_t>(num_elements_));
  } catch (const std::bad_alloc&) {
    return make_error(Errc::kResourceExhausted,
                      fmt::format("{}: the host cannot hold it as float32", describe()));
  }
  decode_floats(host->host_bytes(), dtype_, values);
  return values;
}

Tensor Tensor::with_placement_note(std::string note) const {
  Tensor copy = *this;
  copy.placement_note_ = std::move(note);
  return copy;
}

std::string Tensor::describe() const {
  return fmt::format("{}{} on {}", dtype_name(dtype_), format_shape(shape_), device_);
}

Result<Tensor> random_uniform(std::vector<std::int64_t> shape, DType dtype, std::uint64_t seed,
                              float minval, float maxval) {
  if (!std::isfinite(minval) || !std::isfinite(maxval) || minval > maxval) {
    return make_error(
        Errc::kInvalidArgument,
        fmt::format("random_uniform: the range [{}, {}) is not a finite interval", minval, maxval));
  }
  auto count = element_count(shape);
  if (!count) {
    return tl::unexpected<Error>(count.error());
  }
  std::vector<float> values;
  try {
    values.resize(static_cast<std::size_t>(*count));
  } catch (const std::bad_alloc&) {
    return make_error(Errc::kResourceExhausted,
                      fmt::format("random_uniform {}: the host cannot allocate {} floats",
                                  format_shape(shape), *count));
  }
  // The stream of a seed starts at splitmix64(seed), so seeds 0, 1, 2 … are unrelated streams.
  const std::uint64_t stream = splitmix64(seed);
  const double width = static_cast<double>(maxval) - static_cast<double>(minval);
  for (std::size_t i = 0; i < values.size(); ++i) {
    // 24 bits: every value k·2^-24 in [0, 1) is exact in float32.
    const double unit = static_cast<double>(splitmix64(stream + i) >> 40) * 0x1p-24;
    float value = static_cast<float>(static_cast<double>(minval) + unit * width);
    // Rounding to float32 can land on maxval itself; keep the interval half-open.
    if (value >= maxval && maxval > minval) {
      value = std::nextafter(maxval, minval);
    }
    values[i] = value;
  }
  return Tensor::from_floats(std::move(shape), values, dtype);
}

}  // namespace tfgpu::runtime
