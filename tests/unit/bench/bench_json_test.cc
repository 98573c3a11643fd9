// SPDX-License-Identifier: Apache-2.0
// The "tfgpu.bench/1" document: what it holds (units in the names, null for unknown, the peak
// beside every figure), that it reads back to the same report (the pipe from the measuring
// children relies on it), and that a wrong document is refused with a reason.
#include "tfgpu/bench/bench_json.h"

#include <gtest/gtest.h>

#include "bench_report_support.h"

namespace tfgpu::bench {
namespace {

using nlohmann::json;
using testing::full_report;

TEST(BenchJson, RoundTripsAFullReport) {
  const BenchReport report = full_report();
  const json document = bench_to_json(report);
  auto back = bench_from_json(json::parse(document.dump()));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, report);
}

TEST(BenchJson, RoundTripsAReportWithoutAGpu) {
  BenchReport report;
  report.why_no_gpu = "libcuda.so.1: cannot open shared object file";
  report.growth.host.backend = "host memory";
  auto back = bench_from_json(bench_to_json(report));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, report);
}

// A link with no peak: nulls where the peak and its KB row would be, and the reason.
TEST(BenchJson, RoundTripsALinkWithoutAPeak) {
  BenchReport report = full_report();
  report.pcie->peak_gbs.reset();
  report.pcie->kb_row.reset();
  report.pcie->why_no_peak = "the knowledge base has no [[pcie_generation]] row for generation 6";
  report.bandwidth[0].peak_gbs.reset();
  report.bandwidth[0].percent_of_peak.reset();
  report.bandwidth[0].peak_kind.clear();
  const json document = bench_to_json(report);
  EXPECT_TRUE(document["pcie"]["peak_gbs"].is_null());
  EXPECT_TRUE(document["pcie"]["kb_row"].is_null());
  EXPECT_EQ(document["pcie"]["why_no_peak"], report.pcie->why_no_peak);
  EXPECT_TRUE(document["bandwidth"][0]["peak_kind"].is_null());
  auto back = bench_from_json(json::parse(document.dump()));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, report);
}

TEST(BenchJson, HoldsTheSchemaUnitsAndPeaks) {
  const json d = bench_to_json(full_report());
  EXPECT_EQ(d["schema"], "tfgpu.bench/1");
  EXPECT_EQ(d["gpu"]["name"], "NVIDIA H100 80GB HBM3");
  EXPECT_TRUE(d["why_no_gpu"].is_null());
  EXPECT_EQ(d["peak"]["fp32_tflops"], 66.9);
  EXPECT_EQ(d["gemm"][0]["peak_tflops"], 66.9);
  EXPECT_EQ(d["gemm"][0]["percent_of_peak"], 81.3);
  EXPECT_TRUE(d["gemm"][0]["error"].is_null());
  EXPECT_TRUE(d["gemm"][1]["percent_of_peak"].is_null());
  EXPECT_EQ(d["gemm"][1]["error"], "cublasGemmEx: CUBLAS_STATUS_NOT_SUPPORTED (15)");
  EXPECT_NEAR(d["bandwidth"][0]["peak_gbs"].get<double>(), 63.015, 1e-3);
  EXPECT_EQ(d["bandwidth"][0]["percent_of_peak"], 84.1);
  EXPECT_EQ(d["bandwidth"][0]["peak_kind"], "pcie_link");
  EXPECT_EQ(d["bandwidth"][1]["peak_gbs"], 3350.0);
  EXPECT_EQ(d["bandwidth"][1]["peak_kind"], "memory_bandwidth");
  EXPECT_EQ(d["bandwidth"][1]["bytes_counted_per_copy"], 512 << 20);
  EXPECT_TRUE(d["bandwidth"][1]["host_memory"].is_null());
  EXPECT_EQ(d["pcie"]["generation"], 5);
  EXPECT_NEAR(d["pcie"]["peak_gbs"].get<double>(), 63.015, 1e-3);
  EXPECT_EQ(d["pcie"]["kb_row"]["generation"], 5);
  EXPECT_EQ(d["pcie"]["kb_row"]["transfer_rate_gts"], 32.0);
  EXPECT_EQ(d["pcie"]["kb_row"]["encoding"], "128b/130b");
  EXPECT_EQ(d["pcie"]["kb_row"]["payload_efficiency"], 128.0 / 130);
  EXPECT_EQ(d["pcie"]["kb_row"]["confidence"], "confirmed");
  EXPECT_TRUE(d["pcie"]["why_no_peak"].is_null());
  EXPECT_EQ(d["pool"][0]["meets_target"], true);
  EXPECT_EQ(d["pool"][1]["meets_target"], false);
  EXPECT_EQ(d["pool"][0]["target_speedup"], 50.0);
  EXPECT_EQ(d["growth"]["host"]["within_target"], true);
  EXPECT_EQ(d["growth"]["gpu"]["within_target"], false);
  EXPECT_EQ(d["growth"]["host"]["target_ratio"], 1.25);
  EXPECT_EQ(d["problems"][0]["section"], "pool");
}

TEST(BenchJson, RefusesAnotherSchema) {
  json d = bench_to_json(full_report());
  d["schema"] = "tfgpu.verify/1";
  auto back = bench_from_json(d);
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().code, Errc::kMalformed);
  EXPECT_NE(back.error().message.find("tfgpu.verify/1"), std::string::npos);
  EXPECT_FALSE(bench_from_json(json::array()));
  EXPECT_FALSE(bench_from_json(json(nullptr)));
}

TEST(BenchJson, RefusesAMissingOrMistypedField) {
  json missing = bench_to_json(full_report());
  missing["gemm"][0].erase("tflops");
  auto back = bench_from_json(missing);
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().code, Errc::kMalformed);
  EXPECT_NE(back.error().message.find("tflops"), std::string::npos) << back.error().message;

  json mistyped = bench_to_json(full_report());
  mistyped["pool"][0]["bytes"] = "many";
  EXPECT_FALSE(bench_from_json(mistyped));

  json no_row_field = bench_to_json(full_report());
  no_row_field["pcie"]["kb_row"].erase("payload_efficiency");
  back = bench_from_json(no_row_field);
  ASSERT_FALSE(back);
  EXPECT_NE(back.error().message.find("payload_efficiency"), std::string::npos)
      << back.error().message;
}

TEST(BenchProblems, OnlyADeadChildCountsAsDied) {
  BenchReport report = full_report();
  EXPECT_FALSE(any_child_died(report));  // a driver error is a problem, not a dead child
  report.problems.push_back(BenchProblem{"gemm", "timeout", true});
  EXPECT_TRUE(any_child_died(report));
}

}  // namespace
}  // namespace tfgpu::bench
