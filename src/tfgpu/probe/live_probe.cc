// SPDX-License-Identifier: Apache-2.0
// Live probe: what the real loader and driver say on this machine, as TensorFlow would meet them.
// Everything that loads a vendor library runs in a forked child with a deadline
// (child_process.h), so a wedged driver or a crashing libcuda becomes an outcome ("timeout",
// "signal SIGSEGV") with every live field unknown for that reason, never a hung tool.
//
// 1. Driver child: dlopen("libcuda.so.1") by soname exactly as TSL's
//    DsoLoader::GetCudaDriverDsoHandle does, cuDriverGetVersion, cuInit(0), devices; then
//    dlopen("libnvidia-ml.so.1"), nvmlInit_v2, driver and CUDA versions, per-device free memory
//    (NVML needs no CUDA context, so it is the cheap way; joined to CUDA devices on UUID because
//    NVML's index order need not match CUDA ordinals). The child's findings travel back as a
//    Facts JSON document (facts_json.h), the same contract as `tfgpu probe --json`.
// 2. dlopen cross-check: one child per library, so a library loaded (or dragged in as a
//    dependency) by one check cannot satisfy a later dlopen by soname, and one crashing
//    constructor spoils only its own check.
#include <stdlib.h>

#include <algorithm>
#include <span>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tfgpu/model/facts_json.h"
#include "tfgpu/probe/child_process.h"
#include "tfgpu/probe/probes.h"
#include "tfgpu/vendor/cuda_driver.h"
#include "tfgpu/vendor/dynamic_library.h"
#include "tfgpu/vendor/nvml.h"

namespace tfgpu::probe {
namespace {

using model::Observed;

constexpr const char* kLibcudaSoname = "libcuda.so.1";
constexpr const char* kNvmlSoname = "libnvidia-ml.so.1";

// What dlopen is asked for: the soname, or the test override for it.
std::string dlopen_name(const ProbeContext& context, const std::string& soname) {
  auto it = context.options.library_overrides.find(soname);
  return it == context.options.library_overrides.end() ? soname : it->second;
}

// Every field the live checks fill, made unknown for `why` (skipped, timed out, crashed).
void mark_live_unknown(model::LiveDriverFacts& live, const std::string& source,
                       const std::string& why) {
  live.cu_init_status = Observed<int>::unknown(source, why);
  live.cuda_driver_version = Observed<Version>::unknown(source, why);
  live.device_count = Observed<int>::unknown(source, why);
  live.devices.clear();
  live.nvml_driver_version = Observed<Version>::unknown(source, why);
  live.nvml_cuda_driver_version = Observed<Version>::unknown(source, why);
}

// CUDA_VISIBLE_DEVICES and CUDA_DEVICE_ORDER are read by libcuda at cuInit, so setting them in
// the child before loading makes it see the devices the probed user's TensorFlow would see.
// (LD_LIBRARY_PATH, by contrast, is read once by ld.so at process start: setenv cannot change it.)
void apply_cuda_environment(const ProbeContext& context) {
  for (const char* name : {"CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER"}) {
    auto it = context.environment.find(name);
    if (it == context.environment.end()) {
      ::unsetenv(name);
    } else {
      ::setenv(name, it->second.c_str(), 1);
    }
  }
}

std::vector<vendor::NvmlDeviceInfo> probe_nvml(const ProbeContext& context,
                                               model::LiveDriverFacts& live) {
  std::vector<vendor::NvmlDeviceInfo> devices;
  const std::string target = dlopen_name(context, kNvmlSoname);
  const std::string source = fmt::format("dlopen(\"{}\")", target);
  auto nvml = vendor::load_nvml(std::span(&target, 1));
  if (!nvml) {
    const std::string why = source + ": " + nvml.error().message;
    live.nvml_driver_version = Observed<Version>::unknown(source, why);
    live.nvml_cuda_driver_version = Observed<Version>::unknown(source, why);
    return devices;
  }
  const std::string where = (*nvml)->loaded_path();
  auto init = (*nvml)->init();
  if (!init) {
    live.nvml_status_name = init.error().vendor_status
                                ? (*nvml)->status_name(*init.error().vendor_status)
                                : init.error().message;
    live.nvml_driver_version = Observed<Version>::unknown(where, init.error().message);
    live.nvml_cuda_driver_version = Observed<Version>::unknown(where, init.error().message);
    return devices;
  }
  live.nvml_status_name = (*nvml)->status_name(0);
  if (auto version = (*nvml)->driver_version()) {
    live.nvml_driver_version =
        Observed<Version>::present(*version, "nvmlSystemGetDriverVersion (" + where + ")");
  } else {
    live.nvml_driver_version = Observed<Version>::unknown(where, version.error().message);
  }
  if (auto version = (*nvml)->cuda_driver_version()) {
    live.nvml_cuda_driver_version =
        Observed<Version>::present(*version, "nvmlSystemGetCudaDriverVersion_v2 (" + where + ")");
  } else {
    live.nvml_cuda_driver_version = Observed<Version>::unknown(where, version.error().message);
  }
  if (auto count = (*nvml)->device_count()) {
    for (unsigned int index = 0; index < *count; ++index) {
      if (auto device = (*nvml)->device(index)) {
        devices.push_back(std::move(*device));
      }
    }
  }
  return devices;
}

Observed<std::uint64_t> free_bytes_from_nvml(const std::vector<vendor::NvmlDeviceInfo>& nvml,
                                             const std::string& uuid) {
  const char* source = "nvmlDeviceGetMemoryInfo";
  if (uuid.empty()) {
    return Observed<std::uint64_t>::unknown(source, "libcuda gave no UUID to join on");
  }
  auto it = std::find_if(nvml.begin(), nvml.end(),
                         [&uuid](const vendor::NvmlDeviceInfo& d) { return d.uuid == uuid; });
  if (it == nvml.end()) {
    return Observed<std::uint64_t>::unknown(source, "no NVML device with UUID " + uuid);
  }
  if (!it->free_bytes) {
    return Observed<std::uint64_t>::unknown(source, "NVML did not report memory for " + uuid);
  }
  return Observed<std::uint64_t>::present(
      *it->free_bytes,
      fmt::format("nvmlDeviceGetMemoryInfo (NVML device {}, joined on UUID)", it->index));
}

// cuDriverGetVersion, cuInit(0) and the devices, into `found` (problems for broken devices).
void probe_cuda(const ProbeContext& context, model::Facts& found) {
  model::LiveDriverFacts& live = found.user_driver.live;
  const std::string target = dlopen_name(context, kLibcudaSoname);
  const std::string source = fmt::format("dlopen(\"{}\")", target);
  auto driver = vendor::load_cuda_driver(std::span(&target, 1));
  if (!driver) {
    const std::string why = source + ": " + driver.error().message;
    live.cuda_driver_version = Observed<Version>::unknown(source, why);
    live.cu_init_status = Observed<int>::unknown(source, why);
    live.device_count = Observed<int>::unknown(source, why);
    return;
  }
  vendor::CudaDriver& cuda = **driver;
  const std::string where = cuda.loaded_path();
  if (auto version = cuda.driver_version()) {
    live.cuda_driver_version =
        Observed<Version>::present(*version, "cuDriverGetVersion (" + where + ")");
  } else {
    live.cuda_driver_version = Observed<Version>::unknown(where, version.error().message);
  }
  auto init = cuda.init();
  const std::string init_source = "cuInit(0) (" + where + ")";
  if (init) {
    live.cu_init_status = Observed<int>::present(0, init_source);
    live.cu_init_status_name = cuda.status_name(0);
  } else if (init.error().vendor_status) {
    live.cu_init_status = Observed<int>::present(*init.error().vendor_status, init_source);
    live.cu_init_status_name = cuda.status_name(*init.error().vendor_status);
  } else {
    live.cu_init_status = Observed<int>::unknown(init_source, init.error().message);
  }
  if (!init) {
    live.device_count = Observed<int>::unknown("cuDeviceGetCount", init.error().message);
    return;
  }
  auto count = cuda.device_count();
  if (!count) {
    live.device_count = Observed<int>::unknown("cuDeviceGetCount", count.error().message);
    return;
  }
  live.device_count = Observed<int>::present(*count, "cuDeviceGetCount (" + where + ")");
  for (int ordinal = 0; ordinal < *count; ++ordinal) {
    auto info = cuda.device(ordinal);
    if (!info) {
      add_problem(found, "live", info.error().with_context(fmt::format("CUDA device {}", ordinal)));
      continue;
    }
    model::CudaDevice device;
    device.ordinal = ordinal;
    device.name = info->name;
    device.compute_capability =
        Version::parse(fmt::format("{}.{}", info->cc_major, info->cc_minor)).value_or(Version());
    device.total_bytes = info->total_bytes;
    device.uuid = info->uuid;
    device.pci_bus_id = info->pci_bus_id;
    live.devices.push_back(std::move(device));
  }
}

// The driver child's work: libcuda first (as TensorFlow), then NVML. Returns a Facts document
// holding only user_driver.live and problems.
std::string driver_child_work(const ProbeContext& context) {
  apply_cuda_environment(context);
  model::Facts found;
  model::LiveDriverFacts& live = found.user_driver.live;
  mark_live_unknown(live, "live", "not reached");
  probe_cuda(context, found);
  std::vector<vendor::NvmlDeviceInfo> nvml_devices = probe_nvml(context, live);
  for (model::CudaDevice& device : live.devices) {
    device.free_bytes = free_bytes_from_nvml(nvml_devices, device.uuid);
  }
  return model::facts_to_json(found).dump();
}

// Parse the driver child's document into `facts`; false (and `why`) when it is malformed.
bool merge_driver_findings(const std::string& output, model::Facts& facts, std::string& why) {
  nlohmann::json document = nlohmann::json::parse(output, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    why = fmt::format("live child wrote malformed output ({} bytes, not JSON)", output.size());
    return false;
  }
  auto found = model::facts_from_json(document);
  if (!found) {
    why = "live child wrote malformed output: " + found.error().message;
    return false;
  }
  model::LiveDriverFacts& live = facts.user_driver.live;
  Observed<std::string> visible = live.cuda_visible_devices;
  Observed<std::string> outcome = live.outcome;
  live = found->user_driver.live;
  live.cuda_visible_devices = std::move(visible);
  live.outcome = std::move(outcome);
  for (const model::ProbeProblem& problem : found->problems) {
    facts.problems.push_back(problem);
  }
  return true;
}

void run_driver_checks(const ProbeContext& context, model::Facts& facts) {
  model::LiveDriverFacts& live = facts.user_driver.live;
  const auto timeout = context.options.live_timeout;
  auto outcome = run_in_child([&context] { return driver_child_work(context); }, timeout);
  if (!outcome) {
    live.outcome = Observed<std::string>::unknown("live child", outcome.error().message);
    mark_live_unknown(live, "live child", outcome.error().message);
    add_problem(facts, "live", outcome.error());
    return;
  }
  live.outcome = Observed<std::string>::present(
      outcome->describe(), fmt::format("live child, {} ms", outcome->elapsed.count()));
  if (outcome->end != ChildEnd::kExited || outcome->exit_code != 0) {
    std::string why =
        outcome->end == ChildEnd::kTimeout
            ? fmt::format("live child timed out after {} ms (killed)", timeout.count())
            : fmt::format("live child ended with {}", outcome->describe());
    mark_live_unknown(live, "live child", why);
    return;
  }
  std::string why;
  if (!merge_driver_findings(outcome->output, facts, why)) {
    live.outcome = Observed<std::string>::unknown("live child", why);
    mark_live_unknown(live, "live child", why);
    add_problem(facts, "live", Error{Errc::kMalformed, why, std::nullopt});
  }
}

// ---- dlopen cross-check ----

struct CrossCheck {
  model::LibraryResolution* resolution = nullptr;
  std::string target;  // what dlopen is asked for
  bool by_soname = true;
};

// The machine path `path` resolves to, or `path` itself when it cannot be resolved.
std::string resolved(const ProbeContext& context, const std::string& path) {
  auto real = context.root.real_path(path);
  return real ? *real : path;
}

model::DlopenCrossCheck cross_check(const ProbeContext& context, const CrossCheck& check,
                                    std::chrono::milliseconds timeout) {
  model::DlopenCrossCheck result;
  const std::string source = fmt::format("dlopen(\"{}\") in a child process", check.target);
  auto outcome = run_in_child(
      [&check] {
        std::vector<std::string> candidates = {check.target};
        auto library = vendor::DynamicLibrary::open(candidates);
        nlohmann::json out;
        if (library) {
          out["loaded_path"] = library->loaded_path();
        } else {
          out["error"] = library.error().message;
        }
        return out.dump();
      },
      timeout);
  std::string why;
  nlohmann::json document;
  if (!outcome) {
    why = outcome.error().message;
  } else if (outcome->end != ChildEnd::kExited || outcome->exit_code != 0) {
    why = "dlopen child ended with " + outcome->describe();
  } else {
    document = nlohmann::json::parse(outcome->output, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
      why = "dlopen child wrote malformed output";
    }
  }
  if (!why.empty()) {
    result.loaded_path = Observed<std::string>::unknown(source, why);
    result.agrees = Observed<bool>::unknown(source, why);
    return result;
  }

  const model::LibraryResolution& predicted = *check.resolution;
  const bool loaded = document.contains("loaded_path") && document["loaded_path"].is_string();
  if (loaded) {
    result.loaded_path =
        Observed<std::string>::present(document["loaded_path"].get<std::string>(), source);
  } else {
    result.loaded_path = Observed<std::string>::absent(source);
    result.error = document.value("error", std::string("dlopen failed"));
  }

  // A soname is searched with this process's LD_LIBRARY_PATH as ld.so read it at start-up; when
  // the probed environment says otherwise, the two searches are not comparable.
  const char* own = ::getenv("LD_LIBRARY_PATH");
  if (check.by_soname && std::string(own != nullptr ? own : "") != context.env("LD_LIBRARY_PATH")) {
    result.agrees = Observed<bool>::unknown(
        source, "this process's LD_LIBRARY_PATH differs from the probed environment's");
    return result;
  }
  if (predicted.path.presence == model::Presence::kUnknown) {
    result.agrees = Observed<bool>::unknown(source, "no prediction: " + predicted.path.why_unknown);
  } else if (!predicted.path.is_present()) {
    // We predicted "not found": agreement is dlopen failing too.
    result.agrees = Observed<bool>::present(!loaded, source + ", predicted not found");
  } else if (!loaded) {
    result.agrees = Observed<bool>::present(false, source + " failed where a file was predicted");
  } else {
    const std::string want = resolved(context, predicted.real_path.value_or(*predicted.path.value));
    const std::string got = resolved(context, *result.loaded_path.value);
    result.agrees = Observed<bool>::present(
        want == got, fmt::format("{}: real path {} vs predicted {}", source, got, want));
  }
  return result;
}

void run_cross_checks(const ProbeContext& context, model::Facts& facts) {
  std::vector<CrossCheck> checks;
  model::LibraryResolution& libcuda = facts.user_driver.libcuda;
  if (libcuda.soname.empty()) {
    libcuda.soname = kLibcudaSoname;
  }
  checks.push_back({&libcuda, dlopen_name(context, libcuda.soname), true});
  for (model::LibraryResolution& library : facts.system_libraries) {
    if (library.path.is_present()) {
      checks.push_back({&library, dlopen_name(context, library.soname), true});
    }
  }
  for (model::PythonEnv& env : facts.python_envs) {
    for (model::LibraryResolution& library : env.libraries) {
      // By absolute path: TensorFlow finds these through its own objects' DT_RUNPATH
      // ($ORIGIN/../nvidia/*/lib), which tfgpu's binary does not have, so a dlopen by soname here
      // would search the wrong directories. Loading the predicted file still proves it loads
      // (right ELF class, its own dependencies resolvable, no missing symbol versions).
      if (library.required && library.path.is_present()) {
        checks.push_back({&library, *library.path.value, false});
      }
    }
  }
  // Each check gets the live timeout; all together at most twice that.
  const auto budget_end = std::chrono::steady_clock::now() + 2 * context.options.live_timeout;
  for (const CrossCheck& check : checks) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        budget_end - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds(0)) {
      const std::string why = "dlopen cross-check time budget spent";
      model::DlopenCrossCheck skipped;
      skipped.loaded_path = Observed<std::string>::unknown("dlopen", why);
      skipped.agrees = Observed<bool>::unknown("dlopen", why);
      check.resolution->dlopen = skipped;
      continue;
    }
    check.resolution->dlopen =
        cross_check(context, check, std::min(left, context.options.live_timeout));
  }
}

}  // namespace

void probe_live(const ProbeContext& context, model::Facts& facts) {
  model::LiveDriverFacts& live = facts.user_driver.live;
  auto visible = context.environment.find("CUDA_VISIBLE_DEVICES");
  live.cuda_visible_devices =
      visible == context.environment.end()
          ? Observed<std::string>::absent("env CUDA_VISIBLE_DEVICES")
          : Observed<std::string>::present(visible->second, "env CUDA_VISIBLE_DEVICES");

  if (!context.root.is_live() || !context.options.run_live_checks) {
    const char* reason = !context.root.is_live() ? "recorded machine" : "--no-live";
    live.outcome = Observed<std::string>::present("skipped", reason);
    mark_live_unknown(live, "live", fmt::format("live checks skipped: {}", reason));
    return;
  }
  run_driver_checks(context, facts);
  run_cross_checks(context, facts);
}

}  // namespace tfgpu::probe
