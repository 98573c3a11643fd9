// SPDX-License-Identifier: Apache-2.0
// The GEMM sweep on in-process fakes with a simulated clock: TFLOP/s and % of peak come out as
// the fake's rates say, a refused precision or an operand that does not fit stays on its own row
// while the rest runs, and without a peak nothing is compared.
#include "tfgpu/bench/gemm_bench.h"

#include <gtest/gtest.h>

#include "fake_compute.h"
#include "tfgpu/bench/run_bench.h"
#include "tfgpu/kb/load.h"

namespace tfgpu::bench {
namespace {

using testing::FakeCompute;
using testing::FakeCublas;
using vendor::GemmDtype;

const kb::KnowledgeBase& embedded() {
  static const kb::KnowledgeBase kb = *kb::load_embedded();
  return kb;
}

GemmSweepOptions small(int iterations = 10) {
  GemmSweepOptions options;
  options.sizes = {256, 512};
  options.iterations = iterations;
  return options;
}

TEST(GemmSweep, TflopsAndPercentOfPeakFollowTheMeasuredTime) {
  FakeCompute compute;
  FakeCublas cublas(compute);
  const auto peak = bench_peak(embedded(), "NVIDIA H100 80GB HBM3");
  ASSERT_TRUE(peak);
  std::vector<std::string> lines;
  const auto out = run_gemm_sweep(compute, cublas, small(), peak,
                                  [&](const std::string& line) { lines.push_back(line); });
  ASSERT_EQ(out.size(), 8U);  // 2 sizes x 4 dtypes, sizes outermost
  EXPECT_EQ(out[0].n, 256);
  EXPECT_EQ(out[0].dtype, "fp32");
  EXPECT_EQ(out[3].dtype, "bf16");
  EXPECT_EQ(out[4].n, 512);
  const double rates[] = {50, 400, 800, 790};
  const double peaks[] = {66.9, 494.7, 989.4, 989.4};
  for (std::size_t i = 0; i < out.size(); ++i) {
    const GemmMeasurement& m = out[i];
    ASSERT_TRUE(m.ran()) << m.error;
    EXPECT_EQ(m.iterations, 10);
    EXPECT_NEAR(m.tflops, rates[i % 4], rates[i % 4] * 1e-4) << m.n << " " << m.dtype;
    ASSERT_TRUE(m.peak_tflops);
    EXPECT_DOUBLE_EQ(*m.peak_tflops, peaks[i % 4]);
    ASSERT_TRUE(m.percent_of_peak);
    EXPECT_NEAR(*m.percent_of_peak, 100.0 * rates[i % 4] / peaks[i % 4], 1e-2);
    const double flop = 2.0 * m.n * m.n * m.n * m.iterations;
    EXPECT_NEAR(m.elapsed_ms, flop / (rates[i % 4] * 1e12) * 1e3, 1e-4 * m.elapsed_ms);
  }
  EXPECT_EQ(lines.size(), 8U);  // one progress line per measurement
  EXPECT_NE(lines[0].find("gemm   256 fp32: 50.0 TFLOP/s"), std::string::npos) << lines[0];
  // Warm-up, then the timed launches: 1 + 10 per measurement.
  EXPECT_EQ(cublas.gemm_calls, 8U * 11U);
  EXPECT_EQ(compute.live_blocks(), 0U);  // operands freed
}

TEST(GemmSweep, AutomaticIterationsLastAboutTheTarget) {
  FakeCompute compute;
  FakeCublas cublas(compute);
  GemmSweepOptions options = small(0);
  options.sizes = {1024};
  options.dtypes = {GemmDtype::kFp32};
  options.target_ms = 100;
  const auto out = run_gemm_sweep(compute, cublas, options, std::nullopt);
  ASSERT_EQ(out.size(), 1U);
  ASSERT_TRUE(out[0].ran()) << out[0].error;
  // One 1024³ fp32 GEMM at 50 TFLOP/s takes 0.0429 ms: 100 ms is 2329 of them.
  EXPECT_EQ(out[0].iterations, 2329);
  EXPECT_NEAR(out[0].elapsed_ms, 100.0, 0.1);
}

TEST(GemmSweep, WithoutAPeakNothingIsCompared) {
  FakeCompute compute;
  FakeCublas cublas(compute);
  const auto out = run_gemm_sweep(compute, cublas, small(), std::nullopt);
  ASSERT_FALSE(out.empty());
  for (const GemmMeasurement& m : out) {
    EXPECT_TRUE(m.ran());
    EXPECT_GT(m.tflops, 0);
    EXPECT_FALSE(m.peak_tflops);
    EXPECT_FALSE(m.percent_of_peak);
  }
}

TEST(GemmSweep, ARefusedPrecisionIsReportedOnItsRowAndTheSweepGoesOn) {
  FakeCompute compute;
  FakeCublas cublas(compute);
  cublas.refused = {GemmDtype::kFp16, GemmDtype::kBf16};
  const auto out = run_gemm_sweep(compute, cublas, small(), std::nullopt);
  ASSERT_EQ(out.size(), 8U);
  for (const GemmMeasurement& m : out) {
    if (m.dtype == "fp16" || m.dtype == "bf16") {
      EXPECT_FALSE(m.ran());
      EXPECT_NE(m.error.find("CUBLAS_STATUS_NOT_SUPPORTED"), std::string::npos) << m.error;
      EXPECT_EQ(m.tflops, 0);
      EXPECT_EQ(m.iterations, 0);
      EXPECT_FALSE(m.percent_of_peak);
    } else {
      EXPECT_TRUE(m.ran()) << m.dtype << ": " << m.error;
    }
  }
}

TEST(GemmSweep, OperandsThatDoNotFitFailTheirSizeOnly) {
  FakeCompute compute;
  compute.capacity_bytes = 3 * 512 * 512 * 4 - 1;  // 256 fits, 512 does not
  FakeCublas cublas(compute);
  const auto out = run_gemm_sweep(compute, cublas, small(), std::nullopt);
  ASSERT_EQ(out.size(), 8U);
  for (const GemmMeasurement& m : out) {
    if (m.n == 256) {
      EXPECT_TRUE(m.ran()) << m.error;
    } else {
      EXPECT_FALSE(m.ran());
      EXPECT_NE(m.error.find("CUDA_ERROR_OUT_OF_MEMORY"), std::string::npos) << m.error;
      EXPECT_NE(m.error.find("512x512"), std::string::npos) << m.error;
    }
  }
  EXPECT_EQ(compute.live_blocks(), 0U);  // the part that was allocated went back
}

TEST(GemmSweep, ASizeOutOfRangeIsRefusedWithoutAllocating) {
  FakeCompute compute;
  FakeCublas cublas(compute);
  GemmSweepOptions options = small();
  options.sizes = {0};
  const auto out = run_gemm_sweep(compute, cublas, options, std::nullopt);
  ASSERT_EQ(out.size(), 4U);
  EXPECT_FALSE(out[0].ran());
  EXPECT_NE(out[0].error.find("size 0"), std::string::npos) << out[0].error;
  EXPECT_EQ(compute.allocate_calls, 0U);
}

TEST(GemmDtypes, ParseTheFourNamesAndRefuseOthers) {
  EXPECT_EQ(*parse_gemm_dtype("fp32"), GemmDtype::kFp32);
  EXPECT_EQ(*parse_gemm_dtype("tf32"), GemmDtype::kTf32);
  EXPECT_EQ(*parse_gemm_dtype("fp16"), GemmDtype::kFp16);
  EXPECT_EQ(*parse_gemm_dtype("bf16"), GemmDtype::kBf16);
  auto bad = parse_gemm_dtype("fp8");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("'fp8'"), std::string::npos);
}

TEST(GemmDtypes, PeakPerDtypeAndNoneForAMissingFigure) {
  BenchPeak peak;
  peak.fp32_tflops = 1;
  peak.tf32_tflops = 2;
  peak.fp16_tflops = 3;
  EXPECT_EQ(gemm_peak_tflops(peak, GemmDtype::kFp32), 1.0);
  EXPECT_EQ(gemm_peak_tflops(peak, GemmDtype::kTf32), 2.0);
  EXPECT_EQ(gemm_peak_tflops(peak, GemmDtype::kFp16), 3.0);
  EXPECT_FALSE(gemm_peak_tflops(peak, GemmDtype::kBf16));  // 0: not given
}

TEST(GemmTflops, CountsTwoFlopsPerMultiplyAdd) {
  EXPECT_DOUBLE_EQ(gemm_tflops(1000, 1, 2.0), 1.0);  // 2e9 flop in 2 ms
  EXPECT_DOUBLE_EQ(gemm_tflops(1000, 5, 10.0), 1.0);
  EXPECT_EQ(gemm_tflops(1000, 1, 0.0), 0.0);
}

}  // namespace
}  // namespace tfgpu::bench
