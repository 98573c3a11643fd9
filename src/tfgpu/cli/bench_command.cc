// SPDX-License-Identifier: Apache-2.0
// `tfgpu bench`: measure GPU:0 against its peaks — the GEMM sweep (fp32, tf32, fp16, bf16), copy
// bandwidth (pinned and pageable host memory, device to device), the memory pool against
// cuMemAlloc+cuMemFree, and growth mode's reserved/peak on a training trace (also on the host
// backend, so it runs without a GPU). Progress on stderr, one line per measurement; the results
// on stdout, as a table or --json.
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tfgpu/bench/bench_json.h"
#include "tfgpu/bench/bench_text.h"
#include "tfgpu/bench/run_bench.h"
#include "tfgpu/cli/commands.h"
#include "tfgpu/cli/common.h"

namespace tfgpu::cli {
namespace {

struct BenchArgs {
  std::vector<int> sizes = {1024, 2048, 4096, 8192};
  std::vector<std::string> dtypes = {"fp32", "tf32", "fp16", "bf16"};
  int iterations = 0;
  std::string bandwidth_bytes = "256MiB";
  bool no_gemm = false;
  bool no_bandwidth = false;
  bool no_pool = false;
  bool json = false;
  double timeout_s = 300.0;
  std::string kb_dir;
};

constexpr std::uint64_t kMinBandwidthBytes = std::uint64_t{1} << 12;
constexpr std::uint64_t kMaxBandwidthBytes = std::uint64_t{16} << 30;

int run_bench(const BenchArgs& args) {
  auto kb = load_knowledge_base(args.kb_dir);
  if (!kb) {
    return input_error(kb.error());
  }
  bench::BenchRequest request;
  request.gemm = !args.no_gemm;
  request.bandwidth = !args.no_bandwidth;
  request.pool = !args.no_pool;
  request.gemm_options.sizes = args.sizes;
  request.gemm_options.dtypes.clear();
  for (const std::string& name : args.dtypes) {
    auto dtype = bench::parse_gemm_dtype(name);
    if (!dtype) {
      return input_error(dtype.error().with_context("--dtypes"));
    }
    request.gemm_options.dtypes.push_back(*dtype);
  }
  request.gemm_options.iterations = args.iterations;
  request.bandwidth_options.iterations = args.iterations;
  auto bytes = bench::parse_byte_size(args.bandwidth_bytes);
  if (!bytes) {
    return input_error(bytes.error().with_context("--bandwidth-bytes"));
  }
  if (*bytes < kMinBandwidthBytes || *bytes > kMaxBandwidthBytes) {
    return input_error(
        Error{Errc::kInvalidArgument,
              "--bandwidth-bytes: " + args.bandwidth_bytes + " is outside 4 KiB to 16 GiB",
              std::nullopt});
  }
  request.bandwidth_options.buffer_bytes = *bytes;
  request.child_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(args.timeout_s * 1000.0));

  auto report = bench::run_bench(request, *kb, [](const std::string& line) {
    std::cerr << line << "\n" << std::flush;
  });
  report.tool_version = kToolVersion;

  if (args.json) {
    std::cout << bench::bench_to_json(report).dump(2, ' ', false,
                                                   nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    std::cout << bench::render_bench_text(report);
  }
  if (bench::any_child_died(report)) {
    return kExitCouldNotCheck;
  }
  return report.gpu ? kExitReady : kExitNotReady;
}

}  // namespace

Command add_bench_command(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  auto* command = app.add_subcommand(
      "bench",
      "measure GPU:0 against its peaks: GEMM (fp32, tf32, fp16, bf16), host<->device and device "
      "copy bandwidth, the memory pool against cuMemAlloc+cuMemFree, growth mode's reserve");
  command
      ->add_option("--sizes", args->sizes,
                   "GEMM sizes n, comma-separated (default 1024,2048,4096,8192)")
      ->delimiter(',')
      ->check(CLI::Range(16, 32768));
  command
      ->add_option("--dtypes", args->dtypes,
                   "GEMM precisions, comma-separated (default fp32,tf32,fp16,bf16)")
      ->delimiter(',')
      ->check(CLI::IsMember({"fp32", "tf32", "fp16", "bf16"}));
  command
      ->add_option("--iterations", args->iterations,
                   "timed repetitions per GEMM and per copy; 0 (default) sizes each "
                   "measurement to about 200 ms")
      ->check(CLI::Range(0, 100000));
  command->add_option("--bandwidth-bytes", args->bandwidth_bytes,
                      "copy buffer size: bytes, or with K/M/G (KiB/MiB/GiB) (default 256MiB)");
  command->add_flag("--no-gemm", args->no_gemm, "skip the GEMM sweep");
  command->add_flag("--no-bandwidth", args->no_bandwidth, "skip the copy bandwidth");
  command->add_flag("--no-pool", args->no_pool,
                    "skip the pool vs driver pairs and the growth replay on the GPU");
  command->add_flag("--json", args->json, "one JSON document (schema tfgpu.bench/1) on stdout");
  command
      ->add_option("--timeout", args->timeout_s,
                   "seconds allowed for each measuring child (default 300)")
      ->check(CLI::Range(1.0, 7200.0));
  command->add_option("--kb", args->kb_dir,
                      "read the knowledge base from DIR instead of the embedded copy");
  command->footer(
      "GEMMs and copies are timed with CUDA events; pool and driver allocations (host calls) with "
      "the host clock. Everything that loads libcuda or cuBLAS runs in a child process with a "
      "timeout. The growth replay on the host backend runs without a GPU too.\n"
      "Exit codes:\n"
      "  0  measured on GPU:0\n"
      "  1  no GPU (the host-backend growth replay still ran; the output says why)\n"
      "  2  usage or input error\n"
      "  3  a measuring child timed out or died\n");
  return Command{command, [args](const probe::Environment&) {
                   return run_bench(*args);
                 }};
}

}  // namespace tfgpu::cli
