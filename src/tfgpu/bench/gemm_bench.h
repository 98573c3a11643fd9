// SPDX-License-Identifier: Apache-2.0
#pragma once
// The GEMM sweep of `tfgpu bench`: C = A·B for n×n matrices in each precision cuBLAS runs
// (vendor::GemmDtype), in TFLOP/s and as a percentage of the GPU's peak for that precision.
//
// Operands hold uniform random values in [-1, 1] (a GPU draws less power, and so clocks higher,
// on zeros: PyTorch's baseline uses random data too), uploaded once per size and precision. Each
// measurement is a warm-up launch, a short calibration when the repetitions are chosen
// automatically, then `iterations` launches back to back between two CUDA events (timing.h).
// A precision cuBLAS refuses (CUBLAS_STATUS_NOT_SUPPORTED, an architecture mismatch) or a size
// that does not fit in memory is reported on its own row; the sweep goes on.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/bench/bench_result.h"
#include "tfgpu/bench/timing.h"
#include "tfgpu/vendor/cublas.h"
#include "tfgpu/vendor/cuda_compute.h"

namespace tfgpu::bench {

struct GemmSweepOptions {
  std::vector<int> sizes = {1024, 2048, 4096, 8192};
  std::vector<vendor::GemmDtype> dtypes = {vendor::GemmDtype::kFp32, vendor::GemmDtype::kTf32,
                                           vendor::GemmDtype::kFp16, vendor::GemmDtype::kBf16};
  int iterations = 0;  // timed launches per measurement; 0 chooses them (about target_ms)
  double target_ms = 200;
  std::uint64_t seed = 1;
};

// "fp32", "tf32", "fp16", "bf16" → the dtype. Fails with kInvalidArgument naming the text and
// the names allowed.
Result<vendor::GemmDtype> parse_gemm_dtype(std::string_view name);

// The peak for `dtype` in `peak`; unset when the row gives none (0).
std::optional<double> gemm_peak_tflops(const BenchPeak& peak, vendor::GemmDtype dtype);

// 2·n³·iterations flop over `elapsed_ms`, in 10^12 flop/s; 0 when elapsed_ms is not positive.
double gemm_tflops(int n, int iterations, double elapsed_ms);

// One measurement per size and dtype, sizes outermost, in the options' order. The GPU must be
// active on the calling thread (CudaCompute::activate); `cublas` makes its handle there. Device
// memory is freed before returning. Every failure stays on its row.
std::vector<GemmMeasurement> run_gemm_sweep(vendor::CudaCompute& compute, vendor::Cublas& cublas,
                                            const GemmSweepOptions& options,
                                            const std::optional<BenchPeak>& peak,
                                            const Progress& progress = {});

}  // namespace tfgpu::bench
