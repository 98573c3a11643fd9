// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/bench/run_bench.h"

#include <functional>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tfgpu/bench/bench_json.h"
#include "tfgpu/probe/child_process.h"
#include "tfgpu/probe/sysroot.h"
#include "tfgpu/runtime/cuda_region_source.h"
#include "tfgpu/vendor/cublas.h"
#include "tfgpu/vendor/cuda_compute.h"

namespace tfgpu::bench {
namespace {

constexpr int kOrdinal = 0;

void say(const Progress& progress, const std::string& line) {
  if (progress) {
    progress(line);
  }
}

// Run `work` in a forked child and return the partial report it hands back, or record why
// there is none in `report.problems` (a child that timed out, died, or printed no report).
std::optional<BenchReport> in_child(const char* section, const std::function<BenchReport()>& work,
                                    const BenchRequest& request, BenchReport& report) {
  auto outcome =
      probe::run_in_child([&] { return bench_to_json(work()).dump(); }, request.child_timeout);
  const auto died = [&](const std::string& why) {
    report.problems.push_back(BenchProblem{section, why, true});
    return std::nullopt;
  };
  if (!outcome) {
    return died(
        fmt::format("the {} child could not be started: {}", section, outcome.error().message));
  }
  if (outcome->end != probe::ChildEnd::kExited || outcome->exit_code != 0) {
    return died(fmt::format("the {} child (it loads libcuda{}) ended with {} after {} ms", section,
                            std::string_view(section) == "gemm" ? " and cuBLAS" : "",
                            outcome->describe(), outcome->elapsed.count()));
  }
  const auto document = nlohmann::json::parse(outcome->output, nullptr, false);
  auto partial = bench_from_json(document);
  if (!partial) {
    return died(
        fmt::format("the {} child returned no report: {}", section, partial.error().message));
  }
  return std::move(*partial);
}

// In a child: the driver loaded and initialised, GPU:0's primary context current.
Result<std::unique_ptr<vendor::CudaCompute>> open_gpu(const BenchRequest& request) {
  auto compute = vendor::load_cuda_compute(request.cuda_candidates);
  if (!compute) {
    return tl::unexpected(compute.error());
  }
  const std::string path = (*compute)->loaded_path();
  if (auto init = (*compute)->init(); !init) {
    return tl::unexpected(init.error().with_context(path + ": cuInit"));
  }
  if (auto active = (*compute)->activate(kOrdinal); !active) {
    return tl::unexpected(active.error().with_context(fmt::format("{}: GPU {}", path, kOrdinal)));
  }
  return std::move(*compute);
}

// In a child: GPU:0 as the driver lists it, or why there is none.
BenchReport find_gpu(const BenchRequest& request) {
  BenchReport found;
  auto compute = vendor::load_cuda_compute(request.cuda_candidates);
  if (!compute) {
    found.why_no_gpu = compute.error().message;
    return found;
  }
  const std::string path = (*compute)->loaded_path();
  if (auto init = (*compute)->init(); !init) {
    found.why_no_gpu = fmt::format("{}: cuInit: {}", path, init.error().message);
    return found;
  }
  auto count = (*compute)->device_count();
  if (!count) {
    found.why_no_gpu = fmt::format("{}: cuDeviceGetCount: {}", path, count.error().message);
    return found;
  }
  if (*count < 1) {
    found.why_no_gpu = fmt::format("{}: the CUDA driver reports no GPU", path);
    return found;
  }
  auto info = (*compute)->device(kOrdinal);
  if (!info) {
    found.why_no_gpu = fmt::format("{}: GPU {}: {}", path, kOrdinal, info.error().message);
    return found;
  }
  const vendor::CudaDeviceInfo& identity = info->identity;
  found.gpu = BenchGpu{kOrdinal,
                       identity.name,
                       fmt::format("{}.{}", identity.cc_major, identity.cc_minor),
                       identity.total_bytes,
                       identity.pci_bus_id,
                       path};
  return found;
}

BenchReport gemm_section(const BenchRequest& request, const std::optional<BenchPeak>& peak,
                         const Progress& progress) {
  BenchReport part;
  auto compute = open_gpu(request);
  if (!compute) {
    part.problems.push_back(BenchProblem{"gemm", compute.error().message, false});
    return part;
  }
  // Declared after `compute`, so destroyed first: its handle needs the context.
  auto cublas = vendor::load_cublas(request.cublas_candidates);
  if (!cublas) {
    part.problems.push_back(
        BenchProblem{"gemm", "cuBLAS could not be loaded: " + cublas.error().message, false});
    return part;
  }
  part.gemm = run_gemm_sweep(**compute, **cublas, request.gemm_options, peak, progress);
  return part;
}

BenchReport bandwidth_section(const BenchRequest& request, const BenchGpu& gpu,
                              const std::optional<BenchPeak>& peak,
                              const std::vector<BenchPcieGeneration>& pcie_generations,
                              const Progress& progress) {
  BenchReport part;
  auto compute = open_gpu(request);
  if (!compute) {
    part.problems.push_back(BenchProblem{"bandwidth", compute.error().message, false});
    return part;
  }
  part.bandwidth = run_bandwidth(**compute, request.bandwidth_options, peak, progress);
  // Right after the copies, while the link is trained to its working speed.
  const PcieLink link = with_pcie_peak(
      read_pcie_link(probe::SysRoot(request.sysroot), gpu.pci_bus_id), pcie_generations);
  compare_with_pcie_link(part.bandwidth, link);
  // The copies' own lines could not name the link yet: once more, now against it.
  const bool named = link.generation || link.width;
  say(progress,
      fmt::format("bench: {} ({}): {}", named ? pcie_link_name(link) + " link" : "PCIe link",
                  link.link_speed.empty() ? "speed unknown" : link.link_speed,
                  link.peak_gbs ? fmt::format("{:.1f} GB/s per direction, the KB's "
                                              "[[pcie_generation]] row {}",
                                              *link.peak_gbs, link.kb_row->generation)
                                : "no peak: " + link.why_no_peak));
  if (link.peak_gbs) {
    for (const BandwidthMeasurement& m : part.bandwidth) {
      if (m.peak_kind == "pcie_link" && m.ran()) {
        say(progress, bandwidth_line(m, &link));
      }
    }
  }
  part.pcie = link;
  return part;
}

BenchReport pool_section(const BenchRequest& request, const Progress& progress) {
  BenchReport part;
  auto compute = open_gpu(request);
  if (!compute) {
    part.problems.push_back(BenchProblem{"pool", compute.error().message, false});
    return part;
  }
  part.pool = run_pool_vs_driver(**compute, kOrdinal, request.pool_options, progress);

  GrowthMeasurement growth;
  growth.backend = fmt::format("cuMemAlloc on GPU {}", kOrdinal);
  growth.target_ratio = kGrowthTargetRatio;
  auto memory = (*compute)->memory_info();
  auto info = (*compute)->device(kOrdinal);
  if (!memory || !info) {
    growth.error = (!memory ? memory.error() : info.error()).message;
  } else {
    auto options = growth_pool_options(
        runtime::GpuMemoryInfo{memory->free_bytes, memory->total_bytes, info->identity.cc_major});
    if (!options) {
      growth.error = options.error().message;
    } else {
      runtime::CudaRegionSource source(**compute, kOrdinal);
      growth = run_growth_replay(source, *options);
    }
  }
  say(progress,
      fmt::format("bench: growth on {}: {}", growth.backend,
                  growth.ran() ? fmt::format("reserved/peak {:.3f}", growth.reserved_over_peak)
                               : "not measured: " + growth.error));
  part.growth.gpu = growth;
  return part;
}

GrowthMeasurement host_growth(const Progress& progress) {
  runtime::HostRegionSource source;
  GrowthMeasurement growth;
  auto options = growth_pool_options(described_h100_memory());
  if (!options) {
    growth.backend = source.name();
    growth.target_ratio = kGrowthTargetRatio;
    growth.error = options.error().message;
  } else {
    growth = run_growth_replay(source, *options);
  }
  say(progress,
      fmt::format("bench: growth on {}: {}", growth.backend,
                  growth.ran() ? fmt::format("reserved/peak {:.3f}", growth.reserved_over_peak)
                               : "not measured: " + growth.error));
  return growth;
}

}  // namespace

std::optional<BenchPeak> bench_peak(const kb::KnowledgeBase& kb, std::string_view device_name) {
  const kb::GpuPeak* row = kb.peak_for(device_name);
  if (row == nullptr) {
    return std::nullopt;
  }
  return BenchPeak{
      row->device_name,        row->model,       kb::confidence_name(row->provenance.confidence),
      row->provenance.sources, row->fp32_tflops, row->tf32_tflops,
      row->fp16_tflops,        row->bf16_tflops, row->memory_bandwidth_gbs};
}

std::vector<BenchPcieGeneration> bench_pcie_generations(const kb::KnowledgeBase& kb) {
  std::vector<BenchPcieGeneration> out;
  out.reserve(kb.pcie_generations.size());
  for (const kb::PcieGeneration& row : kb.pcie_generations) {
    out.push_back(BenchPcieGeneration{
        row.generation, row.transfer_rate_gts, row.encoding, row.payload_efficiency,
        kb::confidence_name(row.provenance.confidence), row.provenance.sources});
  }
  return out;
}

BenchReport run_bench(const BenchRequest& request, const kb::KnowledgeBase& kb,
                      const Progress& progress) {
  BenchReport report;
  report.growth.host = host_growth(progress);

  say(progress, "bench: looking for GPU:0 (a child loads libcuda)…");
  auto found = in_child(
      "device", [&] { return find_gpu(request); }, request, report);
  if (!found) {
    report.why_no_gpu = report.problems.back().error;
    return report;
  }
  if (!found->gpu) {
    report.why_no_gpu =
        found->why_no_gpu.empty() ? "the CUDA driver reports no GPU" : found->why_no_gpu;
    say(progress, "bench: no GPU: " + report.why_no_gpu);
    return report;
  }
  report.gpu = found->gpu;
  const BenchGpu& gpu = *report.gpu;
  report.peak = bench_peak(kb, gpu.name);
  if (!report.peak) {
    report.why_no_peak =
        fmt::format("no peak known: the knowledge base has no [[peak]] row for '{}'", gpu.name);
  }
  say(progress, fmt::format("bench: GPU:0 {} ({}), {}", gpu.name, gpu.compute_capability,
                            report.peak ? "peaks from the KB row '" + report.peak->device_name + "'"
                                        : report.why_no_peak));

  const auto merge_problems = [&](const BenchReport& part) {
    report.problems.insert(report.problems.end(), part.problems.begin(), part.problems.end());
  };
  if (request.gemm) {
    if (auto part = in_child(
            "gemm", [&] { return gemm_section(request, report.peak, progress); }, request,
            report)) {
      report.gemm = part->gemm;
      merge_problems(*part);
    }
  }
  if (request.bandwidth) {
    if (auto part = in_child(
            "bandwidth",
            [&] {
              return bandwidth_section(request, gpu, report.peak, bench_pcie_generations(kb),
                                       progress);
            },
            request, report)) {
      report.bandwidth = part->bandwidth;
      report.pcie = part->pcie;
      merge_problems(*part);
    }
  }
  if (request.pool) {
    if (auto part = in_child(
            "pool", [&] { return pool_section(request, progress); }, request, report)) {
      report.pool = part->pool;
      report.growth.gpu = part->growth.gpu;
      merge_problems(*part);
    }
  }
  return report;
}

}  // namespace tfgpu::bench
