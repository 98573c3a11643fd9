// SPDX-License-Identifier: Apache-2.0
#pragma once
// `tfgpu bench --json` (schema "tfgpu.bench/1") and the form in which each measuring child
// hands its part back through the pipe: one document, units in the key names, null for
// unknown. Top level: schema, tool_version, gpu, why_no_gpu, peak, why_no_peak, gemm[],
// bandwidth[], pcie, pool[], growth{host, gpu}, problems[]. Every measurement carries the peak it
// was compared against (peak_tflops, peak_gbs, target_*), or null; a copy's peak_kind says what
// its peak is ("memory_bandwidth": top-level peak; "pcie_link": pcie.peak_gbs, from pcie.kb_row).

#include <nlohmann/json.hpp>

#include "tfgpu/base/result.h"
#include "tfgpu/bench/bench_result.h"

namespace tfgpu::bench {

inline constexpr const char* kBenchSchema = "tfgpu.bench/1";

nlohmann::json bench_to_json(const BenchReport& report);

// The report back from bench_to_json's document. Fails with kMalformed, naming what is wrong,
// for another schema or a missing or mistyped field.
Result<BenchReport> bench_from_json(const nlohmann::json& document);

}  // namespace tfgpu::bench
