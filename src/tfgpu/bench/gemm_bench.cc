// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/bench/gemm_bench.h"

#include <cmath>
#include <cstring>
#include <span>

#include <fmt/format.h>

#include "tfgpu/bench/device_buffer.h"
#include "tfgpu/runtime/dtype.h"

namespace tfgpu::bench {
namespace {

using vendor::GemmDtype;

// splitmix64: fast, and the same values on every platform for a seed (the operands of a run
// can be reproduced), which std::uniform_real_distribution does not promise.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}

  // Uniform in [-1, 1).
  float next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return static_cast<float>(z >> 40) * 0x1.0p-23F - 1.0F;  // 24 random bits
  }

 private:
  std::uint64_t state_;
};

std::vector<float> random_values(std::size_t count, std::uint64_t seed) {
  Random random(seed);
  std::vector<float> values(count);
  for (float& value : values) {
    value = random.next();
  }
  return values;
}

// `values` as `dtype` stores them in device memory.
std::vector<std::byte> encode(const std::vector<float>& values, GemmDtype dtype) {
  const std::size_t element = vendor::gemm_element_bytes(dtype);
  std::vector<std::byte> bytes(values.size() * element);
  if (element == sizeof(float)) {
    std::memcpy(bytes.data(), values.data(), bytes.size());
  } else {
    const runtime::DType storage =
        dtype == GemmDtype::kFp16 ? runtime::DType::kF16 : runtime::DType::kBF16;
    runtime::encode_floats(values, storage, bytes);
  }
  return bytes;
}

struct Operands {
  DeviceBuffer a;
  DeviceBuffer b;
  DeviceBuffer c;
};

Result<Operands> allocate_operands(vendor::CudaCompute& compute, std::size_t bytes) {
  auto a = DeviceBuffer::allocate(compute, bytes);
  if (!a) {
    return tl::unexpected(a.error());
  }
  auto b = DeviceBuffer::allocate(compute, bytes);
  if (!b) {
    return tl::unexpected(b.error());
  }
  auto c = DeviceBuffer::allocate(compute, bytes);
  if (!c) {
    return tl::unexpected(c.error());
  }
  return Operands{std::move(*a), std::move(*b), std::move(*c)};
}

std::string measured_line(const GemmMeasurement& m) {
  if (!m.ran()) {
    return fmt::format("bench: gemm {:>5} {}: not measured: {}", m.n, m.dtype, m.error);
  }
  const std::string against = m.percent_of_peak ? fmt::format("{:.1f} % of the {:.1f} TFLOP/s peak",
                                                              *m.percent_of_peak, *m.peak_tflops)
                                                : std::string("no peak known");
  return fmt::format("bench: gemm {:>5} {}: {:.1f} TFLOP/s, {} ({} iterations in {:.2f} ms)", m.n,
                     m.dtype, m.tflops, against, m.iterations, m.elapsed_ms);
}

// One size and dtype on allocated operands.
Result<void> measure(vendor::CudaCompute& compute, vendor::Cublas& cublas,
                     const GemmSweepOptions& options, const Operands& operands,
                     const std::vector<float>& a_values, const std::vector<float>& b_values,
                     GemmMeasurement& out, GemmDtype dtype) {
  const std::int64_t n = out.n;
  TFGPU_TRY(compute.copy_to_device(operands.a.get(), encode(a_values, dtype)));
  TFGPU_TRY(compute.copy_to_device(operands.b.get(), encode(b_values, dtype)));
  const auto launch = [&]() -> Result<void> {
    return cublas.gemm(dtype, n, n, n, operands.a.get(), operands.b.get(), operands.c.get());
  };
  // Warm-up: loads the kernels and runs cuBLAS's heuristics; a refused precision fails here.
  TFGPU_TRY(launch());
  TFGPU_TRY(compute.synchronize());
  auto iterations = choose_iterations(compute, options.iterations, options.target_ms, launch);
  if (!iterations) {
    return tl::unexpected(iterations.error());
  }
  auto elapsed = time_with_events(compute, *iterations, launch);
  if (!elapsed) {
    return tl::unexpected(elapsed.error());
  }
  out.iterations = *iterations;
  out.elapsed_ms = *elapsed;
  out.tflops = gemm_tflops(out.n, out.iterations, out.elapsed_ms);
  return {};
}

}  // namespace

Result<GemmDtype> parse_gemm_dtype(std::string_view name) {
  for (GemmDtype dtype : {GemmDtype::kFp32, GemmDtype::kTf32, GemmDtype::kFp16, GemmDtype::kBf16}) {
    if (name == vendor::gemm_dtype_name(dtype)) {
      return dtype;
    }
  }
  return make_error(Errc::kInvalidArgument,
                    fmt::format("unknown GEMM dtype '{}': use fp32, tf32, fp16 or bf16", name));
}

std::optional<double> gemm_peak_tflops(const BenchPeak& peak, GemmDtype dtype) {
  double value = 0;
  switch (dtype) {
    case GemmDtype::kFp32:
      value = peak.fp32_tflops;
      break;
    case GemmDtype::kTf32:
      value = peak.tf32_tflops;
      break;
    case GemmDtype::kFp16:
      value = peak.fp16_tflops;
      break;
    case GemmDtype::kBf16:
      value = peak.bf16_tflops;
      break;
  }
  return value > 0 ? std::optional<double>(value) : std::nullopt;
}

double gemm_tflops(int n, int iterations, double elapsed_ms) {
  if (!(elapsed_ms > 0)) {
    return 0;
  }
  const double flop = 2.0 * std::pow(static_cast<double>(n), 3) * iterations;
  return flop / (elapsed_ms * 1e-3) / 1e12;
}

std::vector<GemmMeasurement> run_gemm_sweep(vendor::CudaCompute& compute, vendor::Cublas& cublas,
                                            const GemmSweepOptions& options,
                                            const std::optional<BenchPeak>& peak,
                                            const Progress& progress) {
  std::vector<GemmMeasurement> out;
  for (const int n : options.sizes) {
    const auto row = [&](GemmDtype dtype) {
      GemmMeasurement m;
      m.n = n;
      m.dtype = vendor::gemm_dtype_name(dtype);
      if (peak) {
        m.peak_tflops = gemm_peak_tflops(*peak, dtype);
      }
      return m;
    };
    const auto finish = [&](GemmMeasurement m) {
      if (m.ran() && m.peak_tflops) {
        m.percent_of_peak = 100.0 * m.tflops / *m.peak_tflops;
      }
      if (progress) {
        progress(measured_line(m));
      }
      out.push_back(std::move(m));
    };
    if (n < 1 || n > 46340) {  // n² elements must be countable in an int for cuBLAS's leading dims
      for (GemmDtype dtype : options.dtypes) {
        GemmMeasurement m = row(dtype);
        m.error = fmt::format("size {} is not in [1, 46340]", n);
        finish(std::move(m));
      }
      continue;
    }
    const auto count = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
    auto operands = allocate_operands(compute, count * sizeof(float));
    if (!operands) {
      for (GemmDtype dtype : options.dtypes) {
        GemmMeasurement m = row(dtype);
        m.error = fmt::format("three {}x{} operands ({} bytes each) could not be allocated: {}", n,
                              n, count * sizeof(float), operands.error().message);
        finish(std::move(m));
      }
      continue;
    }
    const std::uint64_t seed = options.seed * 1000003U + static_cast<std::uint64_t>(n);
    const std::vector<float> a_values = random_values(count, seed);
    const std::vector<float> b_values = random_values(count, seed + 1);
    for (GemmDtype dtype : options.dtypes) {
      GemmMeasurement m = row(dtype);
      if (auto measured =
              measure(compute, cublas, options, *operands, a_values, b_values, m, dtype);
          !measured) {
        m.iterations = 0;
        m.elapsed_ms = 0;
        m.tflops = 0;
        m.error = measured.error().message;
        // A failed launch can leave an error pending on the stream; collect it so the next
        // measurement starts clean (a sticky error will fail it again, on its own row).
        (void)compute.synchronize();
      }
      finish(std::move(m));
    }
  }
  return out;
}

}  // namespace tfgpu::bench
