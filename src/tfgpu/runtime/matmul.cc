// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/runtime/matmul.h"

#include <new>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "tfgpu/runtime/cpu_gemm.h"
#include "tfgpu/runtime/device_memory.h"
#include "tfgpu/runtime/placement.h"

namespace tfgpu::runtime {

namespace {

// TensorFlow's DataTypeString, as its kernel errors print types.
const char* tf_type_string(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return "float";
    case DType::kF16:
      return "half";
    case DType::kBF16:
      return "bfloat16";
  }
  return "?";
}

Result<void> check_operands(const Tensor& a, const Tensor& b) {
  const Tensor* inputs[] = {&a, &b};
  for (int i = 0; i < 2; ++i) {
    if (inputs[i]->shape().size() != 2) {
      return make_error(Errc::kInvalidArgument,
                        fmt::format("In[{}] is not a matrix. Instead it has shape {} [Op:MatMul]",
                                    i, format_shape(inputs[i]->shape())));
    }
  }
  if (a.dtype() != b.dtype()) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("cannot compute MatMul as input #1(zero-based) was expected to "
                                  "be a {} tensor but is a {} tensor [Op:MatMul]",
                                  tf_type_string(a.dtype()), tf_type_string(b.dtype())));
  }
  if (a.shape()[1] != b.shape()[0]) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("Matrix size-incompatible: In[0]: {}, In[1]: {} [Op:MatMul]",
                                  format_shape(a.shape()), format_shape(b.shape())));
  }
  return {};
}

vendor::GemmDtype gemm_dtype(DType dtype, MatmulPrecision precision) {
  switch (dtype) {
    case DType::kF16:
      return vendor::GemmDtype::kFp16;
    case DType::kBF16:
      return vendor::GemmDtype::kBf16;
    case DType::kF32:
      break;
  }
  return precision == MatmulPrecision::kTf32 ? vendor::GemmDtype::kTf32 : vendor::GemmDtype::kFp32;
}

Result<Tensor> matmul_on_cpu(const Tensor& a, const Tensor& b) {
  auto left = a.to_floats();
  if (!left) {
    return tl::unexpected<Error>(left.error().with_context("MatMul: reading In[0]"));
  }
  auto right = b.to_floats();
  if (!right) {
    return tl::unexpected<Error>(right.error().with_context("MatMul: reading In[1]"));
  }
  const std::int64_t m = a.shape()[0];
  const std::int64_t k = a.shape()[1];
  const std::int64_t n = b.shape()[1];
  std::vector<float> out;
  try {
    out.resize(static_cast<std::size_t>(m) * static_cast<std::size_t>(n));
  } catch (const std::bad_alloc&) {
    return make_error(
        Errc::kResourceExhausted,
        fmt::format("MatMul on the CPU: the host cannot hold a [{},{}] result", m, n));
  }
  cpu_gemm_f32(m, n, k, left->data(), right->data(), out.data());
  return Tensor::from_floats({m, n}, out, a.dtype());
}

// `tensor` on logical GPU `memory`: itself when already there, else a copy.
Result<Tensor> on_this_gpu(Runtime& runtime, const Tensor& tensor,
                           const std::shared_ptr<DeviceMemory>& memory) {
  if (tensor.gpu_buffer() && tensor.gpu_buffer()->shared_memory() == memory) {
    return tensor;
  }
  return runtime.to_device(tensor, memory->device().name);
}

Result<Tensor> matmul_on_gpu(Runtime& runtime, const LogicalDevice& device, const Tensor& a,
                             const Tensor& b, MatmulPrecision precision) {
  auto memory = runtime.gpu_memory(device.index);
  if (!memory) {
    return tl::unexpected<Error>(memory.error());
  }
  auto left = on_this_gpu(runtime, a, *memory);
  if (!left) {
    return tl::unexpected<Error>(left.error().with_context("MatMul: In[0]"));
  }
  auto right = on_this_gpu(runtime, b, *memory);
  if (!right) {
    return tl::unexpected<Error>(right.error().with_context("MatMul: In[1]"));
  }
  const std::int64_t m = a.shape()[0];
  const std::int64_t k = a.shape()[1];
  const std::int64_t n = b.shape()[1];
  const std::size_t element_bytes = dtype_size_bytes(a.dtype());
  auto out = DeviceBuffer::allocate(
      *memory, static_cast<std::size_t>(m) * static_cast<std::size_t>(n) * element_bytes);
  if (!out) {
    return tl::unexpected<Error>(out.error().with_context(
        fmt::format("MatMul on {}: the [{},{}] result", device.name, m, n)));
  }
  if (m > 0 && n > 0) {
    if (k == 0) {
      // An empty sum: zeros, which cuBLAS would not accept a k of 0 to produce.
      auto written = (*out)->write(std::vector<std::byte>((*out)->size_bytes()));
      if (!written) {
        return tl::unexpected<Error>(written.error().with_context("MatMul"));
      }
    } else {
      // Row-major C = A·B as column-major Cᵀ = Bᵀ·Aᵀ (see the header).
      auto done = (*memory)->backend().gemm(device.physical_index, gemm_dtype(a.dtype(), precision),
                                            n, m, k, right->gpu_buffer()->address(),
                                            left->gpu_buffer()->address(), (*out)->address());
      if (!done) {
        return tl::unexpected<Error>(
            done.error().with_context(fmt::format("MatMul on {}", device.name)));
      }
    }
  }
  return Tensor::from_gpu_buffer({m, n}, a.dtype(), std::move(*out));
}

}  // namespace

Result<Tensor> matmul(Runtime& runtime, const Tensor& a, const Tensor& b,
                      const MatmulOptions& options) {
  TFGPU_TRY(check_operands(a, b));
  auto requested = requested_device(options.device);
  if (!requested) {
    return tl::unexpected<Error>(requested.error().with_context("MatMul"));
  }
  auto devices = runtime.list_logical_devices();
  if (!devices) {
    return tl::unexpected<Error>(devices.error());
  }
  auto placement = place_op("MatMul", *requested, *devices, runtime.soft_device_placement(),
                            runtime.why_no_gpu().value_or(""));
  if (!placement) {
    return tl::unexpected<Error>(placement.error());
  }
  auto result = placement->device.type == DeviceType::kGpu
                    ? matmul_on_gpu(runtime, placement->device, a, b, options.precision)
                    : matmul_on_cpu(a, b);
  if (result && placement->note) {
    return result->with_placement_note(std::move(*placement->note));
  }
  return result;
}

Result<Tensor> matmul(const Tensor& a, const Tensor& b, const MatmulOptions& options) {
  return matmul(default_runtime(), a, b, options);
}

}  // namespace tfgpu::runtime
