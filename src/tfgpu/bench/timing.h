// SPDX-License-Identifier: Apache-2.0
#pragma once
// How `tfgpu bench` times work on a GPU, and how many repetitions it takes.
//
// GPU work is timed with CUDA events (cuEventRecord before and after the repetitions, then
// cuEventElapsedTime), never with a host clock: GEMMs and device copies are asynchronous, so a
// host clock measures launch overhead and whatever synchronisation the caller adds, while the
// events measure the GPU's own timeline between the two records (~0.5 µs resolution). The
// repetitions run back to back after a warm-up, so the first launch's costs (module loading,
// cuBLAS's heuristics, page faults) stay out of the figure.

#include <functional>
#include <string>

#include "tfgpu/base/result.h"
#include "tfgpu/vendor/cuda_compute.h"

namespace tfgpu::bench {

// One line per measurement for people, on stderr (the CLI's callback).
using Progress = std::function<void(const std::string&)>;

// Run `work` `iterations` times on the current context's default stream between two events and
// return the milliseconds between them (waiting for the second). Fails with the first error of
// `work` or of the event calls, or with kInternal when the events measured no time at all
// (a figure divided by it would be infinite).
Result<double> time_with_events(vendor::CudaCompute& compute, int iterations,
                                const std::function<Result<void>()>& work);

// Repetitions that make a measurement last about `target_ms`, given that one took
// `one_iteration_ms`: clamped to [min_iterations, max_iterations] (max when one took no time).
int auto_iterations(double one_iteration_ms, double target_ms, int min_iterations,
                    int max_iterations);

// The repetitions a measurement uses: `requested` when positive, else auto_iterations() after
// timing `calibration` repetitions of `work`. Fails as time_with_events().
Result<int> choose_iterations(vendor::CudaCompute& compute, int requested, double target_ms,
                              const std::function<Result<void>()>& work, int calibration = 3);

}  // namespace tfgpu::bench
