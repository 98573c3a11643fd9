// SPDX-License-Identifier: Apache-2.0
// The text tables: every figure beside its peak or target (host copies beside the PCIe link's),
// refused rows with their reason, "no peak known" instead of an invented one, and no GPU said
// plainly.
#include "tfgpu/bench/bench_text.h"

#include <gtest/gtest.h>

#include "bench_report_support.h"

namespace tfgpu::bench {
namespace {

using testing::full_report;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(BenchText, ShowsEverySectionWithItsPeaksAndTargets) {
  const std::string text = render_bench_text(full_report());
  EXPECT_TRUE(has(text, "GPU:0 NVIDIA H100 80GB HBM3 (compute capability 9.0")) << text;
  EXPECT_TRUE(has(text, "[[peak]] row 'H100 80GB HBM3' (NVIDIA H100, confirmed)")) << text;
  EXPECT_TRUE(has(text, "   54.4     81.3 %       66.9")) << text;
  EXPECT_TRUE(has(text, "fp16   not measured: cublasGemmEx: CUBLAS_STATUS_NOT_SUPPORTED")) << text;
  EXPECT_TRUE(has(text, "d2d               256.00 MiB    2982.6     89.0 %       3350")) << text;
  EXPECT_TRUE(has(text, "PCIe link: gen 5 x16 (32.0 GT/s PCIe")) << text;
  EXPECT_TRUE(has(text, "h2d_pinned        256.00 MiB      53.0     84.1 %       63.0")) << text;
  EXPECT_TRUE(has(text, "100.0x  >= 50x met")) << text;
  EXPECT_TRUE(has(text, "25.0x  >= 50x MISSED")) << text;
  EXPECT_TRUE(has(text, "1.180  <= 1.25 met")) << text;
  EXPECT_TRUE(has(text, "1.270  <= 1.25 MISSED")) << text;
  EXPECT_TRUE(has(text, "Problems\n  pool: something")) << text;
}

TEST(BenchText, SaysNoPeakKnownInsteadOfInventingOne) {
  BenchReport report = full_report();
  report.peak.reset();
  report.why_no_peak = "no peak known: the knowledge base has no [[peak]] row for 'NVIDIA X'";
  report.gemm[0].peak_tflops.reset();
  report.gemm[0].percent_of_peak.reset();
  const std::string text = render_bench_text(report);
  EXPECT_TRUE(has(text, "no peak known: the knowledge base has no [[peak]] row for 'NVIDIA X'"))
      << text;
  EXPECT_TRUE(has(text, "   54.4          -          -")) << text;
}

TEST(BenchText, WithoutAGpuSaysWhyAndShowsTheHostReplay) {
  BenchReport report;
  report.why_no_gpu = "libcuda.so.1: cannot open shared object file";
  report.growth.host = full_report().growth.host;
  const std::string text = render_bench_text(report);
  EXPECT_TRUE(has(text, "tfgpu bench: no GPU: libcuda.so.1: cannot open shared object file"))
      << text;
  EXPECT_TRUE(has(text, "host memory")) << text;
  EXPECT_FALSE(has(text, "GEMM")) << text;
  EXPECT_FALSE(has(text, "cuMemAlloc on GPU 0")) << text;
}

TEST(BenchText, HostCopiesAreAgainstThePcieLinkNotTheMemory) {
  const std::string text = render_bench_text(full_report());
  EXPECT_TRUE(has(text,
                  "  against the KB's memory bandwidth.\n"
                  "  h2d/d2h against the PCIe 5.0 x16 link's raw payload rate per direction, "
                  "63.0 GB/s (32 GT/s x 16 lanes x 0.9846 (128b/130b) / 8; the KB's "
                  "[[pcie_generation]] row 5, confirmed): packet headers keep real copies below "
                  "it"))
      << text;
  EXPECT_FALSE(has(text, "no KB peak")) << text;
}

TEST(BenchText, AnUnknownPcieLinkSaysWhy) {
  BenchReport report = full_report();
  report.pcie = PcieLink{std::nullopt,
                         std::nullopt,
                         "",
                         "",
                         "no such file",
                         std::nullopt,
                         std::nullopt,
                         "the link's generation and width are unknown: no such file"};
  report.bandwidth[0].peak_gbs.reset();
  report.bandwidth[0].percent_of_peak.reset();
  report.bandwidth[0].peak_kind.clear();
  const std::string text = render_bench_text(report);
  EXPECT_TRUE(has(text, "PCIe link: none known: no such file")) << text;
  EXPECT_TRUE(has(text,
                  "h2d/d2h have no peak: the PCIe link is not known (why: below).\n"
                  "  PCIe link: none known: no such file\n"))
      << text;
  EXPECT_TRUE(has(text, "h2d_pinned        256.00 MiB      53.0          -          -")) << text;
  EXPECT_FALSE(has(text, "raw payload rate")) << text;

  report.pcie.reset();
  EXPECT_TRUE(has(render_bench_text(report), "h2d/d2h have no peak: the PCIe link was not read."));
}

// A known link whose generation the KB lacks: the reason is the KB's, and the link still shows.
TEST(BenchText, AGenerationTheKbLacksSaysSo) {
  BenchReport report = full_report();
  report.pcie->generation = 6;
  report.pcie->peak_gbs.reset();
  report.pcie->kb_row.reset();
  report.pcie->why_no_peak = "the knowledge base has no [[pcie_generation]] row for generation 6";
  const std::string text = render_bench_text(report);
  EXPECT_TRUE(has(text,
                  "h2d/d2h have no peak: the knowledge base has no [[pcie_generation]] row for "
                  "generation 6.\n"))
      << text;
  EXPECT_TRUE(has(text, "PCIe link: gen 6 x16")) << text;
}

}  // namespace
}  // namespace tfgpu::bench
