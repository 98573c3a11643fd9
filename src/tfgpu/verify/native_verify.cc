// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/verify/native_verify.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "tfgpu/runtime/matmul.h"
#include "tfgpu/runtime/memory_pool.h"
#include "tfgpu/verify/error_bounds.h"

namespace tfgpu::verify {
namespace {

using model::StepStatus;
using model::VerifyStep;

// Reference rows: every product is checked on this many evenly spaced rows in float64, which keeps
// the reference at O(rows·n²) while any wrong kernel, tile or stride still shows.
constexpr int kReferenceRows = 16;

struct Operands {
  runtime::Tensor a;
  runtime::Tensor b;
  std::vector<float> a_host;
  std::vector<float> b_host;
};

Result<Operands> operands(int n, std::uint64_t seed) {
  const std::vector<std::int64_t> shape = {n, n};
  auto a = runtime::random_uniform(shape, runtime::DType::kF32, seed, -1.0F, 1.0F);
  auto b = runtime::random_uniform(shape, runtime::DType::kF32, seed + 1, -1.0F, 1.0F);
  if (!a || !b) {
    return tl::unexpected(!a ? a.error() : b.error());
  }
  auto a_host = a->to_floats();
  auto b_host = b->to_floats();
  if (!a_host || !b_host) {
    return tl::unexpected(!a_host ? a_host.error() : b_host.error());
  }
  return Operands{std::move(*a), std::move(*b), std::move(*a_host), std::move(*b_host)};
}

// max |C − C_ref| / max |C_ref| over the reference rows, C_ref in float64.
double relative_error(const Operands& in, const std::vector<float>& c, int n) {
  const auto size = static_cast<std::size_t>(n);
  double max_error = 0;
  double max_reference = 0;
  const int step = std::max(1, n / kReferenceRows);
  std::vector<double> row(size);
  for (int r = 0; r < n; r += step) {
    const auto ri = static_cast<std::size_t>(r);
    std::fill(row.begin(), row.end(), 0.0);
    for (std::size_t k = 0; k < size; ++k) {
      const double a = in.a_host[ri * size + k];
      const float* b = &in.b_host[k * size];
      for (std::size_t j = 0; j < size; ++j) {
        row[j] += a * static_cast<double>(b[j]);
      }
    }
    for (std::size_t j = 0; j < size; ++j) {
      max_error = std::max(max_error, std::abs(static_cast<double>(c[ri * size + j]) - row[j]));
      max_reference = std::max(max_reference, std::abs(row[j]));
    }
  }
  return max_reference > 0 ? max_error / max_reference : max_error;
}

double tflops(int n, double seconds) {
  return seconds > 0 ? 2.0 * std::pow(static_cast<double>(n), 3) / seconds / 1e12 : 0.0;
}

// One matmul pinned to `device` (a short name, "/GPU:0"): a warm-up, then a timed run whose
// result is checked for where it ran and against the reference.
model::MatmulCheck pinned_matmul(runtime::Runtime& runtime, int n, const std::string& dtype,
                                 const std::string& device, const kb::GpuPeak* peak) {
  model::MatmulCheck check;
  check.size = n;
  check.dtype = dtype;
  check.error_bound = error_bound(dtype);
  const bool on_gpu = device.find("GPU") != std::string::npos;
  check.requested_device =
      runtime::full_device_name(on_gpu ? runtime::DeviceType::kGpu : runtime::DeviceType::kCpu, 0);
  if (peak != nullptr && on_gpu) {
    check.peak_tflops = dtype == "tf32" ? peak->tf32_tflops : peak->fp32_tflops;
  }
  auto in = operands(n, 2 * static_cast<std::uint64_t>(n));
  if (!in) {
    check.error = in.error().message;
    return check;
  }
  runtime::MatmulOptions options;
  options.device = device;
  options.precision =
      dtype == "tf32" ? runtime::MatmulPrecision::kTf32 : runtime::MatmulPrecision::kFp32;
  // Operands on the device first, so the timed run is the product alone (as TensorFlow's).
  auto a = on_gpu ? runtime.to_device(in->a, device) : Result<runtime::Tensor>(in->a);
  auto b = on_gpu ? runtime.to_device(in->b, device) : Result<runtime::Tensor>(in->b);
  if (!a || !b) {
    check.error = (!a ? a.error() : b.error()).message;
    return check;
  }
  auto warm_up = runtime::matmul(runtime, *a, *b, options);
  if (!warm_up) {
    check.error = warm_up.error().message;
    return check;
  }
  const auto start = std::chrono::steady_clock::now();
  auto c = runtime::matmul(runtime, *a, *b, options);  // returns once C is written
  check.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!c) {
    check.error = c.error().message;
    return check;
  }
  check.device = c->device();
  check.tflops = tflops(n, check.seconds);
  auto values = c->to_floats();
  if (!values) {
    check.error = values.error().message;
    return check;
  }
  check.max_relative_error = relative_error(*in, *values, n);
  return check;
}

VerifyStep matmul_step(const model::MatmulCheck& check, const std::string& where) {
  const std::string id = fmt::format("matmul_{}_{}_{}", where, check.size, check.dtype);
  const std::string what = fmt::format("{0}x{0} {1} matmul pinned to {2}", check.size, check.dtype,
                                       where == "gpu" ? "GPU:0" : "CPU:0");
  if (!check.error.empty()) {
    return VerifyStep{id, StepStatus::kFail, what + ": refused or failed", check.error};
  }
  if (check.device != check.requested_device) {
    return VerifyStep{id, StepStatus::kFail, what + " ran on " + check.device,
                      "placement was not honoured"};
  }
  if (!check.within_bound()) {
    return VerifyStep{id, StepStatus::kFail, what + " computed a wrong result",
                      fmt::format("max relative error {:.3g} exceeds the {} bound {:.0e}",
                                  check.max_relative_error, check.dtype, check.error_bound)};
  }
  return VerifyStep{id, StepStatus::kPass,
                    fmt::format("{}: ran there, error {:.2g} (bound {:.0e}), {:.2f} TFLOP/s", what,
                                check.max_relative_error, check.error_bound, check.tflops),
                    ""};
}

}  // namespace

model::NativeVerification verify_native(runtime::Runtime& runtime, const kb::KnowledgeBase& kb,
                                        const NativeVerifyOptions& options) {
  model::NativeVerification out;
  out.backend = runtime.backend_description().value_or("");
  const auto gpus = runtime.list_physical_devices(runtime::DeviceType::kGpu);
  for (const auto& gpu : gpus) {
    const auto& properties = *gpu.gpu;
    out.gpus.push_back(model::GpuSeen{
        gpu.name, properties.model, fmt::format("{}.{}", properties.cc_major, properties.cc_minor),
        properties.total_bytes, properties.pci_bus_id});
  }
  if (gpus.empty()) {
    out.steps.push_back(VerifyStep{"list_devices", StepStatus::kFail, "no GPU: CPU:0 only",
                                   runtime.why_no_gpu().value_or("the driver lists no GPU")});
  } else {
    std::string names;
    for (const auto& gpu : out.gpus) {
      names += (names.empty() ? "" : ", ") + gpu.name + " (" + gpu.model + ", " +
               gpu.compute_capability + ", " + runtime::format_bytes(gpu.memory_bytes) + ")";
    }
    out.steps.push_back(VerifyStep{
        "list_devices", StepStatus::kPass,
        fmt::format("{} GPU{}: {}", gpus.size(), gpus.size() == 1 ? "" : "s", names), ""});
  }

  // Memory growth, before anything initialises the GPUs (as the how-to says).
  if (gpus.empty() || !options.memory_growth) {
    out.steps.push_back(VerifyStep{"memory_growth", StepStatus::kSkip, "memory growth: not set",
                                   gpus.empty() ? "no GPU" : "--no-memory-growth"});
  } else {
    std::string failures;
    for (const auto& gpu : gpus) {
      if (auto set = runtime.set_memory_growth(gpu, true); !set) {
        failures += (failures.empty() ? "" : "; ") + gpu.name + ": " + set.error().message;
      }
    }
    out.steps.push_back(failures.empty()
                            ? VerifyStep{"memory_growth", StepStatus::kPass,
                                         "memory growth set on every GPU before first use", ""}
                            : VerifyStep{"memory_growth", StepStatus::kFail,
                                         "memory growth could not be set", failures});
  }

  // The CPU result first: it must verify on any machine.
  const auto cpu = pinned_matmul(runtime, options.small_size, "fp32", "/CPU:0", nullptr);
  out.steps.push_back(matmul_step(cpu, "cpu"));
  out.matmuls.push_back(cpu);

  const kb::GpuPeak* peak = gpus.empty() ? nullptr : kb.peak_for(gpus.front().gpu->model);
  std::vector<std::pair<int, std::string>> runs = {{options.small_size, "fp32"}};
  if (!gpus.empty()) {
    runs.push_back({options.large_size, "fp32"});
    if (gpus.front().gpu->cc_major >= 8) {
      runs.push_back({options.large_size, "tf32"});  // TF32 tensor cores exist from Ampere
    }
  }
  for (const auto& [size, dtype] : runs) {
    const auto gpu = pinned_matmul(runtime, size, dtype, "/GPU:0", peak);
    out.steps.push_back(matmul_step(gpu, "gpu"));
    out.matmuls.push_back(gpu);
    if (!gpu.ran()) {
      break;  // the first refusal says it all
    }
  }
  if (!gpus.empty() && options.memory_growth) {
    if (auto stats = runtime.get_memory_info("/GPU:0")) {
      out.steps.push_back(
          VerifyStep{"memory_pool", StepStatus::kPass,
                     fmt::format("GPU:0 pool: peak in use {}, reserved {} in {} region{}",
                                 runtime::format_bytes(stats->peak_bytes_in_use),
                                 runtime::format_bytes(stats->bytes_reserved), stats->regions,
                                 stats->regions == 1 ? "" : "s"),
                     ""});
    }
  }
  return out;
}

}  // namespace tfgpu::verify
