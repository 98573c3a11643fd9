// SPDX-License-Identifier: Apache-2.0
// Live probe: what the real loader and driver say on this machine, as TensorFlow would meet them.
// Nothing here lets a vendor library hang or crash tfgpu: code that loads one runs in a forked
// child with a deadline (child_process.h), so a wedged driver or a crashing libcuda becomes an
// outcome ("timeout", "signal SIGSEGV") with every live field unknown for that reason.
//
// 1. Driver child: dlopen("libcuda.so.1") by soname exactly as TSL's
//    DsoLoader::GetCudaDriverDsoHandle does, cuDriverGetVersion, cuInit(0), devices; then
//    dlopen("libnvidia-ml.so.1"), nvmlInit_v2, driver and CUDA versions, per-device free memory
//    (NVML needs no CUDA context, so it is the cheap way; joined to CUDA devices on UUID because
//    NVML's index order need not match CUDA ordinals). The child's findings travel back as a
//    Facts JSON document (facts_json.h), the same contract as `tfgpu probe --json`.
// 2. Loader check: the emulation's answer for every library (libcuda, the system libraries and
//    each Python environment's) is checked against the system's own dynamic loader, without
//    loading any vendor code into a process that runs. Per requester, a tiny ELF object (the
//    "stand-in requester", elf_writer.h) is written to a private temporary directory: DT_NEEDED =
//    the sonames to check, DT_RUNPATH (or DT_RPATH) = the real requester's entries with $ORIGIN
//    expanded to its real directory. This process's program interpreter (PT_INTERP of
//    /proc/self/exe) is exec'd on it with LD_TRACE_LOADED_OBJECTS=1 and the probed environment's
//    LD_LIBRARY_PATH only (run_command), so it searches exactly what the probed user's process
//    would, maps the objects, prints where each came from (ld_trace.h) and exits without running
//    an initialiser. One exec per requester costs a few milliseconds, where a dlopen of cuBLAS or
//    cuSOLVER costs ~60 ms of relocations and constructors, and a loader started afresh honours
//    an LD_LIBRARY_PATH that differs from this process's (ld.so reads it only at start).
//    Dependencies a checked library needs that ld.so cannot find are recorded in its error.
// The driver child and every trace run at the same time (run_live_children).
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "tfgpu/base/strings.h"
#include "tfgpu/model/facts_json.h"
#include "tfgpu/probe/child_process.h"
#include "tfgpu/probe/elf_reader.h"
#include "tfgpu/probe/elf_writer.h"
#include "tfgpu/probe/ld_trace.h"
#include "tfgpu/probe/library_resolver.h"
#include "tfgpu/probe/probes.h"
#include "tfgpu/vendor/cuda_driver.h"
#include "tfgpu/vendor/nvml.h"

namespace tfgpu::probe {
namespace {

using model::Observed;

constexpr const char* kLibcudaSoname = "libcuda.so.1";
constexpr const char* kNvmlSoname = "libnvidia-ml.so.1";

// What the driver child's dlopen and a stand-in's DT_NEEDED ask for: the soname, or the test
// override for it.
std::string requested_name(const ProbeContext& context, const std::string& soname) {
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

// NVML's versions into `found`'s live facts; its devices are returned for free memory.
std::vector<vendor::NvmlDeviceInfo> probe_nvml(const ProbeContext& context, model::Facts& found) {
  model::LiveDriverFacts& live = found.user_driver.live;
  std::vector<vendor::NvmlDeviceInfo> devices;
  const std::string target = requested_name(context, kNvmlSoname);
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
  auto count = (*nvml)->device_count();
  if (!count) {
    add_problem(found, "live", count.error().with_context("nvmlDeviceGetCount_v2"));
    return devices;
  }
  for (unsigned int index = 0; index < *count; ++index) {
    if (auto device = (*nvml)->device(index)) {
      devices.push_back(std::move(*device));
    } else {
      add_problem(found, "live", device.error().with_context(fmt::format("NVML device {}", index)));
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
  const std::string target = requested_name(context, kLibcudaSoname);
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
  std::vector<vendor::NvmlDeviceInfo> nvml_devices = probe_nvml(context, found);
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

// Record the driver child's outcome, or the error that kept it from one, in `facts`.
void record_driver_outcome(const ProbeContext& context, model::Facts& facts,
                           const Result<ChildOutcome>& outcome) {
  model::LiveDriverFacts& live = facts.user_driver.live;
  const auto timeout = context.options.live_timeout;
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

// ---- loader check: the real ld.so's trace of a stand-in requester ----

constexpr const char* kLoaderCheckMethod =
    "ld.so trace (LD_TRACE_LOADED_OBJECTS=1) of a stand-in requester";

// One library to check, and the name the stand-in's DT_NEEDED asks for.
struct Check {
  model::LibraryResolution* resolution = nullptr;
  std::string needed;  // the soname, or its test override (a path: loaded without a search)
};

// One stand-in object: whose search path it copies (none = the system view) and what it needs.
struct StandIn {
  std::vector<std::string> requesters;
  std::vector<Check> checks;
};

// A private directory for the stand-ins, removed with everything in it.
class TempDir {
 public:
  static Result<std::unique_ptr<TempDir>> create() {
    const char* base = ::getenv("TMPDIR");
    std::string pattern = (base != nullptr && *base != '\0' ? std::string(base) : "/tmp");
    pattern += "/tfgpu-loader-check.XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      return make_error(Errc::kIo, fmt::format("mkdtemp {}: {}", pattern, ::strerror(errno)));
    }
    return std::unique_ptr<TempDir>(new TempDir(std::move(pattern)));
  }

  ~TempDir() {
    for (const std::string& file : files_) {
      ::unlink(file.c_str());
    }
    ::rmdir(path_.c_str());
  }

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  // Write `bytes` to a new file `name` in the directory; its path.
  Result<std::string> write(const std::string& name, std::string_view bytes) {
    std::string file = join_path(path_, name);
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      return make_error(Errc::kIo, fmt::format("creating {}: {}", file, ::strerror(errno)));
    }
    files_.push_back(file);
    while (!bytes.empty()) {
      const ssize_t written = ::write(fd, bytes.data(), bytes.size());
      if (written < 0 && errno == EINTR) {
        continue;
      }
      if (written <= 0) {
        Error error{Errc::kIo, fmt::format("writing {}: {}", file, ::strerror(errno)), errno};
        ::close(fd);
        return tl::unexpected(error);
      }
      bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    ::close(fd);
    return file;
  }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}

  std::string path_;
  std::vector<std::string> files_;
};

// `entry` with $ORIGIN and ${ORIGIN} replaced by `origin`. ld.so(8), "Dynamic string tokens":
// the bare form ends at the first character that cannot continue a name (glibc is_dst).
std::string expand_origin(std::string_view entry, const std::string& origin) {
  constexpr std::string_view kBraced = "${ORIGIN}";
  constexpr std::string_view kBare = "$ORIGIN";
  std::string out;
  std::size_t i = 0;
  while (i < entry.size()) {
    const std::string_view rest = entry.substr(i);
    if (rest.starts_with(kBraced)) {
      out += origin;
      i += kBraced.size();
      continue;
    }
    if (rest.starts_with(kBare)) {
      const bool ends = rest.size() == kBare.size() ||
                        !(std::isalnum(static_cast<unsigned char>(rest[kBare.size()])) != 0 ||
                          rest[kBare.size()] == '_');
      if (ends) {
        out += origin;
        i += kBare.size();
        continue;
      }
    }
    out += entry[i];
    ++i;
  }
  return out;
}

// The ELF objects read during one run of the loader checks, by machine path: requesters recur
// across stand-ins, and each trace's loaded objects are read back for their DT_NEEDED lists.
using ElfCache = std::map<std::string, Result<ElfInfo>, std::less<>>;

const Result<ElfInfo>& cached_elf(const SysRoot& root, const std::string& path, ElfCache& cache) {
  auto it = cache.find(path);
  if (it == cache.end()) {
    it = cache.emplace(path, read_elf_file(root, path)).first;
  }
  return it->second;
}

// The stand-in for `stand_in`: DT_NEEDED = what it checks; DT_RUNPATH (or DT_RPATH) = its
// requesters' entries with $ORIGIN expanded to each requester's real directory, so ld.so searches
// the directories the emulation did. $LIB and $PLATFORM stay: ld.so expands them the same way for
// the stand-in. When the requesters mix the two tags only the DT_RUNPATH entries can be carried:
// ld.so ignores an object's DT_RPATH when it has a DT_RUNPATH (ld.so(8)).
Result<SharedObjectSpec> stand_in_spec(const SysRoot& root, const StandIn& stand_in,
                                       ElfCache& elf_cache) {
  SharedObjectSpec spec;
  std::vector<std::string> rpath;
  std::vector<std::string> runpath;
  bool has_rpath = false;
  bool has_runpath = false;
  for (const std::string& requester : stand_in.requesters) {
    const Result<ElfInfo>& info = cached_elf(root, requester, elf_cache);
    if (!info) {
      return tl::unexpected(info.error().with_context("reading the requester's search path"));
    }
    const std::string origin = origin_of(root, requester);
    if (info->has_runpath) {
      has_runpath = true;
      for (const std::string& entry : info->runpath) {
        runpath.push_back(expand_origin(entry, origin));
      }
    } else if (info->has_rpath) {
      has_rpath = true;
      for (const std::string& entry : info->rpath) {
        rpath.push_back(expand_origin(entry, origin));
      }
    }
  }
  if (has_runpath) {
    spec.runpath = fmt::format("{}", fmt::join(runpath, ":"));
  } else if (has_rpath) {
    spec.rpath = fmt::format("{}", fmt::join(rpath, ":"));
  }
  for (const Check& check : stand_in.checks) {
    if (std::find(spec.needed.begin(), spec.needed.end(), check.needed) == spec.needed.end()) {
      spec.needed.push_back(check.needed);
    }
  }
  return spec;
}

// The machine path `path` resolves to, or `path` itself when it cannot be resolved.
std::string resolved(const ProbeContext& context, const std::string& path) {
  auto real = context.root.real_path(path);
  return real ? *real : path;
}

// Whether ld.so's answer (`loaded`: the file, or nullopt when nothing loads) is the prediction.
Observed<bool> agreement(const ProbeContext& context, const model::LibraryResolution& predicted,
                         const std::optional<std::string>& loaded, const std::string& source) {
  if (predicted.path.presence == model::Presence::kUnknown) {
    return Observed<bool>::unknown(source, "no prediction: " + predicted.path.why_unknown);
  }
  if (!predicted.path.is_present()) {
    return Observed<bool>::present(!loaded, source + ", predicted not found");
  }
  const std::string want = resolved(context, predicted.real_path.value_or(*predicted.path.value));
  if (!loaded) {
    return Observed<bool>::present(false,
                                   fmt::format("{}: not loaded, predicted {}", source, want));
  }
  const std::string got = resolved(context, *loaded);
  return Observed<bool>::present(
      want == got, fmt::format("{}: real path {} vs predicted {}", source, got, want));
}

// The dependencies of the object at `path`, direct and transitive, that ld.so reported "not
// found" in `trace`, as "libnvJitLink.so.12 (needed by /…/libcusolver.so.11)". The trace does not
// say who needed what, so the DT_NEEDED lists are read back and joined to it by name (one
// process loads one object per name, so the trace's answer for a name is every requester's).
std::vector<std::string> missing_dependencies(const SysRoot& root, const LdTrace& trace,
                                              const std::string& path, ElfCache& elf_cache) {
  constexpr std::size_t kMaxObjects = 512;
  std::vector<std::string> missing;
  std::vector<std::string> queue = {path};
  std::set<std::string> seen = {path};
  for (std::size_t next = 0; next < queue.size() && next < kMaxObjects; ++next) {
    const std::string object = queue[next];
    const Result<ElfInfo>& info = cached_elf(root, object, elf_cache);
    if (!info) {
      continue;
    }
    for (const std::string& name : info->needed) {
      const LdTraceEntry* entry = trace.find(name);
      if (entry == nullptr) {
        continue;  // satisfied by an object listed under another name (libc.so.6, ld.so)
      }
      if (!entry->path) {
        std::string text = fmt::format("{} (needed by {})", name, object);
        if (std::find(missing.begin(), missing.end(), text) == missing.end()) {
          missing.push_back(std::move(text));
        }
      } else if (seen.insert(*entry->path).second) {
        queue.push_back(*entry->path);
      }
    }
  }
  return missing;
}

// The first of ld.so's messages that names `needed` as a file it failed on ("…/libx.so.1:
// invalid ELF header"), or nullptr.
const std::string* message_about(const LdTrace& trace, const std::string& needed) {
  for (const std::string& message : trace.messages) {
    if (message.find("/" + needed + ":") != std::string::npos ||
        message.find(" " + needed + ":") != std::string::npos) {
      return &message;
    }
  }
  return nullptr;
}

model::LoaderCheck unknown_check(const std::string& source, const std::string& why) {
  model::LoaderCheck check;
  check.method = kLoaderCheckMethod;
  check.loaded_path = Observed<std::string>::unknown(source, why);
  check.agrees = Observed<bool>::unknown(source, why);
  return check;
}

// Fill every check of `stand_in` from ld.so's output (`exit_code` 0: a complete trace).
// `elf_cache` holds the objects read so far, shared by the stand-ins.
void fill_checks(const ProbeContext& context, StandIn& stand_in, const std::string& output,
                 int exit_code, const std::string& source, ElfCache& elf_cache) {
  const LdTrace trace = parse_ld_trace(output);
  for (Check& check : stand_in.checks) {
    model::LibraryResolution& library = *check.resolution;
    if (exit_code != 0) {
      // A fatal error (a candidate that is not a loadable ELF file: "invalid ELF header", "file
      // too short") stops ld.so before it prints anything; a dlopen of that name fails the same
      // way, but nothing is known of the other names.
      if (const std::string* message = message_about(trace, check.needed)) {
        model::LoaderCheck result;
        result.method = kLoaderCheckMethod;
        result.loaded_path = Observed<std::string>::absent(source);
        result.error = *message;
        result.agrees = agreement(context, library, std::nullopt, source);
        library.loader_check = std::move(result);
      } else {
        library.loader_check = unknown_check(
            source, fmt::format("ld.so exited {} before tracing: {}", exit_code,
                                trace.messages.empty() ? "(no message)" : trace.messages.front()));
      }
      continue;
    }
    const LdTraceEntry* entry = trace.find(check.needed);
    if (entry == nullptr) {
      library.loader_check = unknown_check(source, "ld.so's trace does not list " + check.needed);
      continue;
    }
    model::LoaderCheck result;
    result.method = kLoaderCheckMethod;
    std::vector<std::string> errors;
    if (entry->path) {
      result.loaded_path = Observed<std::string>::present(*entry->path, source);
      std::vector<std::string> missing =
          missing_dependencies(context.root, trace, *entry->path, elf_cache);
      if (!missing.empty()) {
        errors.push_back(
            fmt::format("ld.so did not find its dependencies {}", fmt::join(missing, ", ")));
      }
    } else {
      result.loaded_path = Observed<std::string>::absent(source);
      errors.emplace_back("not found by ld.so");
    }
    for (const std::string& message : trace.messages) {
      if (message.find(check.needed) != std::string::npos ||
          (entry->path && message.find(*entry->path) != std::string::npos)) {
        errors.push_back(message);  // "version `X' not found (required by …)" and the like
      }
    }
    result.error = fmt::format("{}", fmt::join(errors, "; "));
    result.agrees = agreement(context, library, entry->path, source);
    library.loader_check = std::move(result);
  }
}

// The stand-ins: the system view (libcuda and the system libraries, no search path of an object)
// and, per Python environment, one per requester the emulation reported. A library found through
// no object's path (LD_LIBRARY_PATH, the cache, default directories, or not found) gets a stand-in
// with every loader object's path, since the emulation searched them all first.
std::vector<StandIn> plan_stand_ins(const ProbeContext& context, model::Facts& facts) {
  auto needed_name = [&context](const std::string& soname) {
    return requested_name(context, soname);
  };
  std::vector<StandIn> stand_ins;
  StandIn system;
  model::LibraryResolution& libcuda = facts.user_driver.libcuda;
  if (libcuda.soname.empty()) {
    libcuda.soname = kLibcudaSoname;
  }
  system.checks.push_back({&libcuda, needed_name(libcuda.soname)});
  for (model::LibraryResolution& library : facts.system_libraries) {
    system.checks.push_back({&library, needed_name(library.soname)});
  }
  stand_ins.push_back(std::move(system));
  for (model::PythonEnv& env : facts.python_envs) {
    std::vector<std::string> loader_objects;
    if (!env.tensorflow.empty()) {
      const model::TensorflowInstall& install = env.tensorflow.front();
      if (install.loader_object.is_present()) {
        loader_objects.push_back(*install.loader_object.value);
      }
      if (!install.cc_object.empty()) {
        loader_objects.push_back(install.cc_object);
      }
    }
    std::map<std::string, StandIn> by_requester;
    for (model::LibraryResolution& library : env.libraries) {
      StandIn& stand_in = by_requester[library.requester];
      stand_in.requesters =
          library.requester.empty() ? loader_objects : std::vector<std::string>{library.requester};
      stand_in.checks.push_back({&library, needed_name(library.soname)});
    }
    for (auto& [requester, stand_in] : by_requester) {
      stand_ins.push_back(std::move(stand_in));
    }
  }
  return stand_ins;
}

// The program interpreter of this process's executable: the loader that would load TensorFlow's
// objects into a process like this one.
Result<std::string> own_interpreter(const SysRoot& root) {
  auto self = read_elf_file(root, "/proc/self/exe");
  if (!self) {
    return tl::unexpected(self.error());
  }
  if (!self->interpreter) {
    return make_error(Errc::kNotFound, "/proc/self/exe has no PT_INTERP (statically linked)");
  }
  if (::access(self->interpreter->c_str(), X_OK) != 0) {
    return make_error(Errc::kNotFound, fmt::format("program interpreter {}: {}", *self->interpreter,
                                                   ::strerror(errno)));
  }
  return *self->interpreter;
}

void fail_stand_in(StandIn& stand_in, const std::string& source, const std::string& why) {
  for (Check& check : stand_in.checks) {
    check.resolution->loader_check = unknown_check(source, why);
  }
}

// What every trace shares: the stand-ins, the loader, its environment and the stand-ins' directory.
struct LoaderRun {
  std::vector<StandIn> stand_ins;
  std::string interpreter;
  std::unique_ptr<TempDir> dir;  // removed with its files when the run ends
  std::vector<std::string> env;
  CommandOptions options;
  ElfCache elf_cache;  // shared by the stand-ins
};

// Plan the stand-ins and find the loader; nullopt (every check unknown) when there is no loader
// or no place for the stand-ins.
std::optional<LoaderRun> prepare_loader_checks(const ProbeContext& context, model::Facts& facts) {
  LoaderRun run;
  run.stand_ins = plan_stand_ins(context, facts);
  auto fail_all = [&run](const std::string& source, const std::string& why) {
    for (StandIn& stand_in : run.stand_ins) {
      fail_stand_in(stand_in, source, why);
    }
  };
  auto interpreter = own_interpreter(context.root);
  if (!interpreter) {
    fail_all("ld.so trace", "no dynamic loader to ask: " + interpreter.error().message);
    return std::nullopt;
  }
  run.interpreter = std::move(*interpreter);
  auto dir = TempDir::create();
  if (!dir) {
    fail_all("ld.so trace", "no place for the stand-in: " + dir.error().message);
    return std::nullopt;
  }
  run.dir = std::move(*dir);
  // ld.so reads LD_LIBRARY_PATH once, at start: a fresh loader in the probed environment searches
  // exactly what the probed user's process would. Nothing else is passed (no LD_PRELOAD or
  // LD_AUDIT, which would add objects). LD_TRACE_LOADED_OBJECTS rather than --list: glibc 2.36's
  // --list stops at the first library it cannot find, the trace variable (ldd's) lists it as
  // "not found" and goes on. Either way ld.so maps the objects and exits without relocating them
  // or running their initialisers ("instead of running normally", ld.so(8); glibc elf/rtld.c
  // dl_main returns after printing in trace mode).
  run.env = {"LD_TRACE_LOADED_OBJECTS=1"};
  if (auto it = context.environment.find("LD_LIBRARY_PATH"); it != context.environment.end()) {
    run.env.push_back("LD_LIBRARY_PATH=" + it->second);
  }
  // Relative and empty LD_LIBRARY_PATH entries name the current directory, which the emulation
  // does not search (the probed user's is unknown): give ld.so one that holds only stand-ins.
  run.options.working_directory = run.dir->path();
  run.options.max_output_bytes = std::size_t{1} << 20;
  return run;
}

// One started trace: the stand-in it answers for and ld.so running on it.
struct Trace {
  StandIn* stand_in = nullptr;
  std::string source;
  RunningChild child;
};

// Write stand-in `index` and start ld.so on it; nullopt when it has nothing to check or could not
// be started (its checks then say why).
std::optional<Trace> start_trace(const ProbeContext& context, LoaderRun& run, std::size_t index) {
  StandIn& stand_in = run.stand_ins[index];
  if (stand_in.checks.empty()) {
    return std::nullopt;
  }
  std::string source = fmt::format("ld.so trace, stand-in for {}",
                                   stand_in.requesters.empty()
                                       ? std::string("no requester")
                                       : fmt::format("{}", fmt::join(stand_in.requesters, " + ")));
  auto spec = stand_in_spec(context.root, stand_in, run.elf_cache);
  if (!spec) {
    fail_stand_in(stand_in, source, spec.error().message);
    return std::nullopt;
  }
  auto file = run.dir->write(fmt::format("stand-in-{}.so", index), build_shared_object(*spec));
  if (!file) {
    fail_stand_in(stand_in, source, file.error().message);
    return std::nullopt;
  }
  auto child = start_command({run.interpreter, *file}, run.env, run.options);
  if (!child) {
    fail_stand_in(stand_in, source, child.error().message);
    return std::nullopt;
  }
  return Trace{&stand_in, std::move(source), std::move(*child)};
}

// Fill the checks of a finished trace from ld.so's outcome.
void record_trace(const ProbeContext& context, LoaderRun& run, Trace& trace,
                  const Result<ChildOutcome>& outcome) {
  StandIn& stand_in = *trace.stand_in;
  const std::string& source = trace.source;
  if (!outcome) {
    fail_stand_in(stand_in, source, outcome.error().message);
  } else if (outcome->end == ChildEnd::kTimeout) {
    fail_stand_in(
        stand_in, source,
        fmt::format("ld.so timed out after {} ms (killed)", context.options.live_timeout.count()));
  } else if (outcome->end == ChildEnd::kSignaled) {
    fail_stand_in(stand_in, source, "ld.so ended with " + outcome->describe());
  } else if (outcome->exit_code == kChildExecFailed && outcome->output.starts_with("exec ")) {
    fail_stand_in(stand_in, source, printable(outcome->output));
  } else {
    fill_checks(context, stand_in, outcome->output, outcome->exit_code, source, run.elf_cache);
  }
}

// ld.so processes running at once, at most: each maps every library it traces, and a machine with
// many Python environments would otherwise start dozens together.
constexpr std::size_t kMaxTracesAtOnce = 16;

// The driver child and the loader traces, all running at once: each is a few milliseconds of
// fork/exec, mapping and dlopen, and one after another they added up to ~20 ms of a 40 ms probe.
// Every child is started before any is collected, from this one thread (fork, child_process.h),
// and all are collected together, each with its own deadline (finish_children). Each child's
// findings are recorded as soon as it ends, while the others still run; only the driver's add
// problems, so the order in which they end changes nothing in the facts.
void run_live_children(const ProbeContext& context, model::Facts& facts) {
  auto driver = start_in_child([&context] { return driver_child_work(context); });
  if (!driver) {
    record_driver_outcome(context, facts, tl::unexpected(driver.error()));
  }
  bool driver_running = driver.has_value();
  std::optional<LoaderRun> loader = prepare_loader_checks(context, facts);
  const std::size_t stand_in_count = loader ? loader->stand_ins.size() : 0;
  std::size_t next = 0;  // the next stand-in to start
  while (driver_running || next < stand_in_count) {
    std::vector<Trace> traces;
    for (; next < stand_in_count && traces.size() < kMaxTracesAtOnce; ++next) {
      if (auto trace = start_trace(context, *loader, next)) {
        traces.push_back(std::move(*trace));
      }
    }
    std::vector<RunningChild*> children;
    const std::size_t first_trace = driver_running ? 1 : 0;
    if (driver_running) {
      children.push_back(&*driver);
      driver_running = false;
    }
    for (Trace& trace : traces) {
      children.push_back(&trace.child);
    }
    finish_children(children, context.options.live_timeout,
                    [&](std::size_t index, const Result<ChildOutcome>& outcome) {
                      if (index < first_trace) {
                        record_driver_outcome(context, facts, outcome);
                      } else {
                        record_trace(context, *loader, traces[index - first_trace], outcome);
                      }
                    });
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
  run_live_children(context, facts);
}

}  // namespace tfgpu::probe
