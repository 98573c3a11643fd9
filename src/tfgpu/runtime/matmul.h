// SPDX-License-Identifier: Apache-2.0
#pragma once
// matmul: TensorFlow's tf.matmul for two matrices, placed by TensorFlow's rules (placement.h),
// on a GPU with cuBLAS or on the CPU with Eigen.
//
// On a GPU, tensors are row-major (as TensorFlow's) but cuBLAS is column-major. A row-major
// m×k matrix read column-major is its k×m transpose, so the product is computed as
// Cᵀ = Bᵀ·Aᵀ: a column-major gemm of B (n×k) and A (k×m) into n×m, which read row-major is C.
// No transposes are materialised. Inputs not already on the op's GPU are copied there first
// (as TensorFlow's eager runtime copies op inputs), and the result stays there.
//
// Precision: float32 tensors multiply in plain fp32 by default (MatmulPrecision::kFp32) —
// TensorFlow's default on Ampere and newer is TF32 (tf.config.experimental.
// enable_tensor_float_32_execution), about 1e-3 relative error, too coarse for `tfgpu verify`'s
// fp32 bound of 1e-5; kTf32 asks for it explicitly. float16 and bfloat16 tensors multiply with
// fp32 accumulation on both devices (cuBLAS CUBLAS_COMPUTE_32F; Eigen in float32) and round
// the result to their type, to nearest even.

#include <optional>
#include <string>

#include "tfgpu/base/result.h"
#include "tfgpu/runtime/runtime.h"
#include "tfgpu/runtime/tensor.h"

namespace tfgpu::runtime {

enum class MatmulPrecision {
  kFp32,  // float32 compute
  kTf32,  // TF32 tensor cores for float32 tensors on a GPU (ignored on the CPU and for 16-bit)
};

struct MatmulOptions {
  // Where to run it ("/GPU:0", any form parse_device_name takes); wins over a DeviceScope.
  std::optional<std::string> device;
  MatmulPrecision precision = MatmulPrecision::kFp32;
};

// a·b for a of shape [m, k] and b of shape [k, n]: a [m, n] tensor of the same dtype on the
// device the op ran on (its device() is that device's full name; its placement_note() set when
// soft placement moved it). Initialises `runtime`. Fails with kInvalidArgument in TensorFlow's
// words for a tensor that is not a matrix ("In[0] is not a matrix. Instead it has shape
// [2,3,4]"), mismatched inner sizes ("Matrix size-incompatible: In[0]: [2,3], In[1]: [2,3]")
// or dtypes, for a device that does not exist (placement.h), and with the GPU's error: out of
// memory (kResourceExhausted), a failed copy, cuBLAS missing or failing.
Result<Tensor> matmul(Runtime& runtime, const Tensor& a, const Tensor& b,
                      const MatmulOptions& options = {});

// The same on default_runtime().
Result<Tensor> matmul(const Tensor& a, const Tensor& b, const MatmulOptions& options = {});

}  // namespace tfgpu::runtime
