// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/bench/bench_json.h"

#include <fmt/format.h>

#include "tfgpu/model/json_support.h"

namespace tfgpu::bench {

bool any_child_died(const BenchReport& report) {
  for (const BenchProblem& problem : report.problems) {
    if (problem.child_died) {
      return true;
    }
  }
  return false;
}

namespace {

using nlohmann::json;

json text_or_null(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

std::string text_from(const json& j, const char* key) {
  const json& value = j.at(key);
  return value.is_null() ? std::string() : value.get<std::string>();
}

json gpu_json(const BenchGpu& gpu) {
  return {{"ordinal", gpu.ordinal},
          {"name", gpu.name},
          {"compute_capability", gpu.compute_capability},
          {"memory_bytes", gpu.memory_bytes},
          {"pci_bus_id", gpu.pci_bus_id},
          {"driver", gpu.driver}};
}

BenchGpu gpu_from(const json& j) {
  return BenchGpu{j.at("ordinal").get<int>(),
                  j.at("name").get<std::string>(),
                  j.at("compute_capability").get<std::string>(),
                  j.at("memory_bytes").get<std::uint64_t>(),
                  j.at("pci_bus_id").get<std::string>(),
                  j.at("driver").get<std::string>()};
}

json peak_json(const BenchPeak& peak) {
  return {{"device_name", peak.device_name},
          {"model", peak.model},
          {"confidence", peak.confidence},
          {"sources", peak.sources},
          {"fp32_tflops", peak.fp32_tflops},
          {"tf32_tflops", peak.tf32_tflops},
          {"fp16_tflops", peak.fp16_tflops},
          {"bf16_tflops", peak.bf16_tflops},
          {"memory_bandwidth_gbs", peak.memory_bandwidth_gbs}};
}

BenchPeak peak_from(const json& j) {
  return BenchPeak{
      j.at("device_name").get<std::string>(),    j.at("model").get<std::string>(),
      j.at("confidence").get<std::string>(),     j.at("sources").get<std::vector<std::string>>(),
      j.at("fp32_tflops").get<double>(),         j.at("tf32_tflops").get<double>(),
      j.at("fp16_tflops").get<double>(),         j.at("bf16_tflops").get<double>(),
      j.at("memory_bandwidth_gbs").get<double>()};
}

json gemm_json(const GemmMeasurement& m) {
  return {{"n", m.n},
          {"dtype", m.dtype},
          {"iterations", m.iterations},
          {"elapsed_ms", m.elapsed_ms},
          {"tflops", m.tflops},
          {"peak_tflops", m.peak_tflops},
          {"percent_of_peak", m.percent_of_peak},
          {"error", text_or_null(m.error)}};
}

GemmMeasurement gemm_from(const json& j) {
  return GemmMeasurement{j.at("n").get<int>(),
                         j.at("dtype").get<std::string>(),
                         j.at("iterations").get<int>(),
                         j.at("elapsed_ms").get<double>(),
                         j.at("tflops").get<double>(),
                         j.at("peak_tflops").get<std::optional<double>>(),
                         j.at("percent_of_peak").get<std::optional<double>>(),
                         text_from(j, "error")};
}

json bandwidth_json(const BandwidthMeasurement& m) {
  return {{"id", m.id},
          {"direction", m.direction},
          {"host_memory", text_or_null(m.host_memory)},
          {"buffer_bytes", m.buffer_bytes},
          {"bytes_counted_per_copy", m.bytes_counted_per_copy},
          {"iterations", m.iterations},
          {"elapsed_ms", m.elapsed_ms},
          {"gbs", m.gbs},
          {"peak_gbs", m.peak_gbs},
          {"percent_of_peak", m.percent_of_peak},
          {"peak_kind", text_or_null(m.peak_kind)},
          {"note", m.note},
          {"error", text_or_null(m.error)}};
}

BandwidthMeasurement bandwidth_from(const json& j) {
  return BandwidthMeasurement{j.at("id").get<std::string>(),
                              j.at("direction").get<std::string>(),
                              text_from(j, "host_memory"),
                              j.at("buffer_bytes").get<std::uint64_t>(),
                              j.at("bytes_counted_per_copy").get<std::uint64_t>(),
                              j.at("iterations").get<int>(),
                              j.at("elapsed_ms").get<double>(),
                              j.at("gbs").get<double>(),
                              j.at("peak_gbs").get<std::optional<double>>(),
                              j.at("percent_of_peak").get<std::optional<double>>(),
                              text_from(j, "peak_kind"),
                              j.at("note").get<std::string>(),
                              text_from(j, "error")};
}

json pcie_generation_json(const BenchPcieGeneration& row) {
  return {{"generation", row.generation}, {"transfer_rate_gts", row.transfer_rate_gts},
          {"encoding", row.encoding},     {"payload_efficiency", row.payload_efficiency},
          {"confidence", row.confidence}, {"sources", row.sources}};
}

BenchPcieGeneration pcie_generation_from(const json& j) {
  return BenchPcieGeneration{
      j.at("generation").get<int>(),         j.at("transfer_rate_gts").get<double>(),
      j.at("encoding").get<std::string>(),   j.at("payload_efficiency").get<double>(),
      j.at("confidence").get<std::string>(), j.at("sources").get<std::vector<std::string>>()};
}

// peak_gbs: what the link carries per direction (transfer_rate_gts · width · payload_efficiency
// / 8 of kb_row, the KB's [[pcie_generation]] row), the peak of the h2d/d2h rows.
json pcie_json(const PcieLink& link) {
  return {{"generation", link.generation},
          {"width", link.width},
          {"link_speed", text_or_null(link.link_speed)},
          {"source", text_or_null(link.source)},
          {"why_unknown", text_or_null(link.why_unknown)},
          {"peak_gbs", link.peak_gbs},
          {"kb_row", link.kb_row ? pcie_generation_json(*link.kb_row) : json(nullptr)},
          {"why_no_peak", text_or_null(link.why_no_peak)}};
}

PcieLink pcie_from(const json& j) {
  const json& row = j.at("kb_row");
  return PcieLink{
      j.at("generation").get<std::optional<int>>(),
      j.at("width").get<std::optional<int>>(),
      text_from(j, "link_speed"),
      text_from(j, "source"),
      text_from(j, "why_unknown"),
      j.at("peak_gbs").get<std::optional<double>>(),
      row.is_null() ? std::nullopt : std::optional<BenchPcieGeneration>(pcie_generation_from(row)),
      text_from(j, "why_no_peak")};
}

json pool_json(const PoolMeasurement& m) {
  return {{"bytes", m.bytes},
          {"pool_pairs", m.pool_pairs},
          {"pool_ns_per_pair", m.pool_ns_per_pair},
          {"driver_pairs", m.driver_pairs},
          {"driver_ns_per_pair", m.driver_ns_per_pair},
          {"speedup", m.speedup},
          {"target_speedup", m.target_speedup},
          {"meets_target", m.meets_target()},
          {"error", text_or_null(m.error)}};
}

PoolMeasurement pool_from(const json& j) {
  return PoolMeasurement{
      j.at("bytes").get<std::uint64_t>(),       j.at("pool_pairs").get<std::uint64_t>(),
      j.at("pool_ns_per_pair").get<double>(),   j.at("driver_pairs").get<std::uint64_t>(),
      j.at("driver_ns_per_pair").get<double>(), j.at("speedup").get<double>(),
      j.at("target_speedup").get<double>(),     text_from(j, "error")};
}

json growth_json(const GrowthMeasurement& m) {
  return {{"backend", m.backend},
          {"policy", m.policy},
          {"growth_headroom", m.growth_headroom},
          {"limit_bytes", m.limit_bytes},
          {"trace_events", m.trace_events},
          {"trace_peak_bytes", m.trace_peak_bytes},
          {"peak_in_use_bytes", m.peak_in_use_bytes},
          {"reserved_bytes", m.reserved_bytes},
          {"regions", m.regions},
          {"reserved_over_peak", m.reserved_over_peak},
          {"reserved_over_trace_peak", m.reserved_over_trace_peak},
          {"target_ratio", m.target_ratio},
          {"within_target", m.within_target()},
          {"error", text_or_null(m.error)}};
}

GrowthMeasurement growth_from(const json& j) {
  return GrowthMeasurement{j.at("backend").get<std::string>(),
                           j.at("policy").get<std::string>(),
                           j.at("growth_headroom").get<double>(),
                           j.at("limit_bytes").get<std::uint64_t>(),
                           j.at("trace_events").get<std::uint64_t>(),
                           j.at("trace_peak_bytes").get<std::uint64_t>(),
                           j.at("peak_in_use_bytes").get<std::uint64_t>(),
                           j.at("reserved_bytes").get<std::uint64_t>(),
                           j.at("regions").get<std::uint64_t>(),
                           j.at("reserved_over_peak").get<double>(),
                           j.at("reserved_over_trace_peak").get<double>(),
                           j.at("target_ratio").get<double>(),
                           text_from(j, "error")};
}

template <class T, class F>
json array_of(const std::vector<T>& items, F to_json) {
  json out = json::array();
  for (const T& item : items) {
    out.push_back(to_json(item));
  }
  return out;
}

template <class T, class F>
std::vector<T> vector_from(const json& array, F from) {
  std::vector<T> out;
  for (const json& item : array) {
    out.push_back(from(item));
  }
  return out;
}

}  // namespace

json bench_to_json(const BenchReport& report) {
  json problems = json::array();
  for (const BenchProblem& problem : report.problems) {
    problems.push_back({{"section", problem.section},
                        {"error", problem.error},
                        {"child_died", problem.child_died}});
  }
  return {{"schema", kBenchSchema},
          {"tool_version", report.tool_version},
          {"gpu", report.gpu ? gpu_json(*report.gpu) : json(nullptr)},
          {"why_no_gpu", text_or_null(report.why_no_gpu)},
          {"peak", report.peak ? peak_json(*report.peak) : json(nullptr)},
          {"why_no_peak", text_or_null(report.why_no_peak)},
          {"gemm", array_of(report.gemm, gemm_json)},
          {"bandwidth", array_of(report.bandwidth, bandwidth_json)},
          {"pcie", report.pcie ? pcie_json(*report.pcie) : json(nullptr)},
          {"pool", array_of(report.pool, pool_json)},
          {"growth",
           {{"host", growth_json(report.growth.host)},
            {"gpu", report.growth.gpu ? growth_json(*report.growth.gpu) : json(nullptr)}}},
          {"problems", problems}};
}

Result<BenchReport> bench_from_json(const json& document) {
  if (!document.is_object()) {
    return make_error(Errc::kMalformed, "bench report: not a JSON object");
  }
  const std::string schema = document.value("schema", std::string());
  if (schema != kBenchSchema) {
    return make_error(Errc::kMalformed, fmt::format("bench report: schema '{}', expected '{}'",
                                                    schema, kBenchSchema));
  }
  try {
    BenchReport report;
    report.tool_version = document.at("tool_version").get<std::string>();
    if (!document.at("gpu").is_null()) {
      report.gpu = gpu_from(document.at("gpu"));
    }
    report.why_no_gpu = text_from(document, "why_no_gpu");
    if (!document.at("peak").is_null()) {
      report.peak = peak_from(document.at("peak"));
    }
    report.why_no_peak = text_from(document, "why_no_peak");
    report.gemm = vector_from<GemmMeasurement>(document.at("gemm"), gemm_from);
    report.bandwidth = vector_from<BandwidthMeasurement>(document.at("bandwidth"), bandwidth_from);
    if (!document.at("pcie").is_null()) {
      report.pcie = pcie_from(document.at("pcie"));
    }
    report.pool = vector_from<PoolMeasurement>(document.at("pool"), pool_from);
    const json& growth = document.at("growth");
    report.growth.host = growth_from(growth.at("host"));
    if (!growth.at("gpu").is_null()) {
      report.growth.gpu = growth_from(growth.at("gpu"));
    }
    for (const json& problem : document.at("problems")) {
      report.problems.push_back(BenchProblem{problem.at("section").get<std::string>(),
                                             problem.at("error").get<std::string>(),
                                             problem.at("child_died").get<bool>()});
    }
    return report;
  } catch (const json::exception& e) {
    return make_error(Errc::kMalformed, fmt::format("bench report: {}", e.what()));
  }
}

}  // namespace tfgpu::bench
