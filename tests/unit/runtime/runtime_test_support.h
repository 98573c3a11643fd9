// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared by the runtime's device, placement and matmul tests: an environment variable for one
// scope, runtimes over the in-process fake backend, and a naive matrix product to check against.

#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scoped_env.h"
#include "tfgpu/runtime/fake_gpu_backend.h"
#include "tfgpu/runtime/runtime.h"

namespace tfgpu::runtime::testing {

inline constexpr std::uint64_t kTestMiB = std::uint64_t{1} << 20;
inline constexpr std::uint64_t kTestGiB = std::uint64_t{1} << 30;

// Options that do not read the process environment: TF_FORCE_GPU_ALLOW_GROWTH as given.
inline RuntimeOptions options_with_env(std::optional<std::string> force_allow_growth = {}) {
  RuntimeOptions options;
  options.environment = EnvironmentSource::kOptions;
  options.force_allow_growth = std::move(force_allow_growth);
  return options;
}

// `count` fake H100s of `total_bytes` each, distinct bus ids.
inline std::shared_ptr<FakeGpuBackend> fake_gpus(int count, std::uint64_t total_bytes = kTestGiB) {
  std::vector<FakeGpu> gpus;
  for (int i = 0; i < count; ++i) {
    char bus_id[32];
    std::snprintf(bus_id, sizeof bus_id, "0000:%02X:00.0", 0x3B + i);
    gpus.push_back(fake_h100(total_bytes, bus_id));
  }
  return std::make_shared<FakeGpuBackend>(std::move(gpus));
}

// A runtime whose GPUs are `backend`'s.
inline std::unique_ptr<Runtime> runtime_over(std::shared_ptr<FakeGpuBackend> backend,
                                             RuntimeOptions options = options_with_env()) {
  return std::make_unique<Runtime>(Result<std::shared_ptr<GpuBackend>>(std::move(backend)),
                                   std::move(options));
}

// A runtime with no GPU, for the reason `why`.
inline std::unique_ptr<Runtime> runtime_without_gpu(
    std::string why = "libcuda.so.1: cannot open shared object file: No such file or directory") {
  return std::make_unique<Runtime>(
      Result<std::shared_ptr<GpuBackend>>(make_error(Errc::kNotFound, std::move(why))),
      options_with_env());
}

// Row-major m×n product of m×k `a` and k×n `b`, summed in double: the reference.
inline std::vector<float> naive_matmul(std::int64_t m, std::int64_t n, std::int64_t k,
                                       const std::vector<float>& a, const std::vector<float>& b) {
  std::vector<float> c(static_cast<std::size_t>(m * n));
  for (std::int64_t row = 0; row < m; ++row) {
    for (std::int64_t column = 0; column < n; ++column) {
      double sum = 0.0;
      for (std::int64_t i = 0; i < k; ++i) {
        sum += static_cast<double>(a[static_cast<std::size_t>(row * k + i)]) *
               static_cast<double>(b[static_cast<std::size_t>(i * n + column)]);
      }
      c[static_cast<std::size_t>(row * n + column)] = static_cast<float>(sum);
    }
  }
  return c;
}

// max |got − want| / max |want|: the relative error of a whole product.
inline double relative_error(const std::vector<float>& got, const std::vector<float>& want) {
  double worst = 0.0;
  double scale = 0.0;
  for (std::size_t i = 0; i < want.size() && i < got.size(); ++i) {
    const double diff = static_cast<double>(got[i]) - static_cast<double>(want[i]);
    worst = std::max(worst, diff < 0 ? -diff : diff);
    const double magnitude = static_cast<double>(want[i]);
    scale = std::max(scale, magnitude < 0 ? -magnitude : magnitude);
  }
  return scale == 0.0 ? worst : worst / scale;
}

}  // namespace tfgpu::runtime::testing
