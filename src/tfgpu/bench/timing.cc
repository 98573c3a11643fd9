// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/bench/timing.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace tfgpu::bench {

Result<double> time_with_events(vendor::CudaCompute& compute, int iterations,
                                const std::function<Result<void>()>& work) {
  auto start = vendor::ScopedCudaEvent::create(compute);
  if (!start) {
    return tl::unexpected(start.error());
  }
  auto end = vendor::ScopedCudaEvent::create(compute);
  if (!end) {
    return tl::unexpected(end.error());
  }
  TFGPU_TRY(start->record());
  for (int i = 0; i < iterations; ++i) {
    TFGPU_TRY(work());
  }
  TFGPU_TRY(end->record());
  auto elapsed = start->elapsed_ms_until(*end);
  if (!elapsed) {
    return tl::unexpected(elapsed.error());
  }
  if (!(*elapsed > 0.0F)) {
    return make_error(
        Errc::kInternal,
        fmt::format("the CUDA events measured {} ms for {} iterations", *elapsed, iterations));
  }
  return static_cast<double>(*elapsed);
}

int auto_iterations(double one_iteration_ms, double target_ms, int min_iterations,
                    int max_iterations) {
  if (!(one_iteration_ms > 0.0)) {
    return max_iterations;
  }
  const double wanted = std::ceil(target_ms / one_iteration_ms);
  if (wanted >= static_cast<double>(max_iterations)) {
    return max_iterations;
  }
  return std::max(min_iterations, static_cast<int>(wanted));
}

Result<int> choose_iterations(vendor::CudaCompute& compute, int requested, double target_ms,
                              const std::function<Result<void>()>& work, int calibration) {
  if (requested > 0) {
    return requested;
  }
  constexpr int kMinIterations = 3;
  constexpr int kMaxIterations = 10000;
  auto elapsed = time_with_events(compute, calibration, work);
  if (!elapsed) {
    return tl::unexpected(elapsed.error());
  }
  return auto_iterations(*elapsed / calibration, target_ms, kMinIterations, kMaxIterations);
}

}  // namespace tfgpu::bench
