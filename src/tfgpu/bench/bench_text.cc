// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/bench/bench_text.h"

#include <fmt/format.h>

#include "tfgpu/bench/bandwidth_bench.h"
#include "tfgpu/runtime/memory_pool.h"

namespace tfgpu::bench {
namespace {

std::string percent(const std::optional<double>& value) {
  return value ? fmt::format("{:.1f} %", *value) : std::string("-");
}

std::string number(const std::optional<double>& value, int decimals) {
  return value ? fmt::format("{:.{}f}", *value, decimals) : std::string("-");
}

void gemm_table(const BenchReport& report, std::string& out) {
  out += "\nGEMM  C = A.B, n x n, cuBLAS; CUDA events around the timed launches after a warm-up\n";
  out += fmt::format("  {:>5}  {:<5}  {:>9}  {:>9}  {:>9}  {:>10}  {:>10}\n", "n", "dtype",
                     "TFLOP/s", "% of peak", "peak", "iterations", "ms");
  for (const GemmMeasurement& m : report.gemm) {
    if (!m.ran()) {
      out += fmt::format("  {:>5}  {:<5}  not measured: {}\n", m.n, m.dtype, m.error);
      continue;
    }
    out += fmt::format("  {:>5}  {:<5}  {:>9.1f}  {:>9}  {:>9}  {:>10}  {:>10.2f}\n", m.n, m.dtype,
                       m.tflops, percent(m.percent_of_peak), number(m.peak_tflops, 1), m.iterations,
                       m.elapsed_ms);
  }
}

// What h2d/d2h were compared with: the link's payload rate per direction, or why there is none.
void host_copies_peak(const BenchReport& report, std::string& out) {
  if (!report.pcie) {
    out += "  h2d/d2h have no peak: the PCIe link was not read.\n";
    return;
  }
  const PcieLink& link = *report.pcie;
  if (!link.generation || !link.width) {
    out += "  h2d/d2h have no peak: the PCIe link is not known (why: below).\n";
    return;
  }
  if (!link.peak_gbs || !link.kb_row) {
    out += "  h2d/d2h have no peak: " +
           (link.why_no_peak.empty() ? std::string("the PCIe link is unknown") : link.why_no_peak) +
           ".\n";
    return;
  }
  out += "  h2d/d2h against " + pcie_peak_explanation(link) + ".\n";
}

void bandwidth_table(const BenchReport& report, std::string& out) {
  out += "\nBandwidth  GB/s = 10^9 bytes/s; CUDA events around the timed copies\n";
  out += fmt::format("  {:<14}  {:>12}  {:>8}  {:>9}  {:>9}  {:>10}\n", "copy", "buffer", "GB/s",
                     "% of peak", "peak", "iterations");
  for (const BandwidthMeasurement& m : report.bandwidth) {
    if (!m.ran()) {
      out += fmt::format("  {:<14}  not measured: {}\n", m.id, m.error);
      continue;
    }
    // A link's tens of GB/s keep their decimal (63.0); the memory's thousands need none.
    out += fmt::format("  {:<14}  {:>12}  {:>8.1f}  {:>9}  {:>9}  {:>10}\n", m.id,
                       runtime::format_bytes(m.buffer_bytes), m.gbs, percent(m.percent_of_peak),
                       number(m.peak_gbs, m.peak_kind == "pcie_link" ? 1 : 0), m.iterations);
  }
  if (!report.bandwidth.empty()) {
    out +=
        "  d2d counts 2x the buffer per copy (a device copy reads and writes device memory),\n"
        "  against the KB's memory bandwidth.\n";
    host_copies_peak(report, out);
  }
  if (report.pcie) {
    const PcieLink& link = *report.pcie;
    if (link.generation || link.width) {
      out += fmt::format("  PCIe link: {} x{} ({}, {})\n",
                         link.generation ? fmt::format("gen {}", *link.generation) : "gen ?",
                         link.width ? fmt::format("{}", *link.width) : "?",
                         link.link_speed.empty() ? "speed unknown" : link.link_speed, link.source);
    }
    if (!link.why_unknown.empty()) {
      out += "  PCIe link: none known: " + link.why_unknown + "\n";
    }
  }
}

void pool_table(const BenchReport& report, std::string& out) {
  out +=
      "\nPool vs driver  allocate+free pairs at steady state, host clock (both are host calls)\n";
  out += fmt::format("  {:>10}  {:>12}  {:>25}  {:>8}  {}\n", "size", "pool ns",
                     "cuMemAlloc+cuMemFree ns", "speedup", "target");
  for (const PoolMeasurement& m : report.pool) {
    if (!m.ran()) {
      out += fmt::format("  {:>10}  not measured: {}\n", runtime::format_bytes(m.bytes), m.error);
      continue;
    }
    out += fmt::format("  {:>10}  {:>12.0f}  {:>25.0f}  {:>7.1f}x  >= {:.0f}x {}\n",
                       runtime::format_bytes(m.bytes), m.pool_ns_per_pair, m.driver_ns_per_pair,
                       m.speedup, m.target_speedup, m.meets_target() ? "met" : "MISSED");
  }
}

void growth_row(const GrowthMeasurement& m, std::string& out) {
  if (!m.ran()) {
    out += fmt::format("  {:<22}  not measured: {}\n", m.backend, m.error);
    return;
  }
  out += fmt::format("  {:<22}  {:<12}  {:>12}  {:>12}  {:>7}  {:>13.3f}  <= {:.2f} {}\n",
                     m.backend, m.policy, runtime::format_bytes(m.peak_in_use_bytes),
                     runtime::format_bytes(m.reserved_bytes), m.regions, m.reserved_over_peak,
                     m.target_ratio, m.within_target() ? "met" : "MISSED");
}

void growth_table(const BenchReport& report, std::string& out) {
  out += "\nGrowth mode  a training-step trace replayed on a growth-mode pool\n";
  out += fmt::format("  {:<22}  {:<12}  {:>12}  {:>12}  {:>7}  {:>13}  {}\n", "backend", "policy",
                     "peak in use", "reserved", "regions", "reserved/peak", "target");
  growth_row(report.growth.host, out);
  if (report.growth.gpu) {
    growth_row(*report.growth.gpu, out);
  }
}

}  // namespace

std::string render_bench_text(const BenchReport& report) {
  std::string out;
  if (report.gpu) {
    const BenchGpu& gpu = *report.gpu;
    out += fmt::format("tfgpu bench on GPU:{} {} (compute capability {}, {}, {})\n", gpu.ordinal,
                       gpu.name, gpu.compute_capability, runtime::format_bytes(gpu.memory_bytes),
                       gpu.pci_bus_id.empty() ? "no bus id" : gpu.pci_bus_id);
    if (report.peak) {
      out += fmt::format("peaks: the KB's [[peak]] row '{}' ({}, {})\n", report.peak->device_name,
                         report.peak->model, report.peak->confidence);
    } else {
      out += (report.why_no_peak.empty() ? std::string("no peak known") : report.why_no_peak) +
             "; figures are not compared\n";
    }
  } else {
    out += "tfgpu bench: no GPU: " + report.why_no_gpu + "\n";
    out += "only the growth replay on the host backend ran\n";
  }
  if (!report.gemm.empty()) {
    gemm_table(report, out);
  }
  if (!report.bandwidth.empty()) {
    bandwidth_table(report, out);
  }
  if (!report.pool.empty()) {
    pool_table(report, out);
  }
  growth_table(report, out);
  if (!report.problems.empty()) {
    out += "\nProblems\n";
    for (const BenchProblem& problem : report.problems) {
      out += fmt::format("  {}: {}\n", problem.section, problem.error);
    }
  }
  return out;
}

}  // namespace tfgpu::bench
