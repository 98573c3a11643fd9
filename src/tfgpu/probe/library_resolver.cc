// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/library_resolver.h"

#include <elf.h>

#include <algorithm>
#include <cctype>

#include "tfgpu/base/strings.h"
#include "tfgpu/probe/dist_metadata.h"

namespace tfgpu::probe {
namespace {

using model::LibraryCandidate;
using model::LibraryResolution;
using model::Observed;
using model::Provider;
using model::SearchStep;

constexpr const char* kLdCachePath = "/etc/ld.so.cache";
constexpr std::size_t kMaxLdCacheBytes = 16U << 20;
constexpr std::size_t kMaxRecordBytes = 4U << 20;

// One directory to search, as written and as expanded.
struct SearchDir {
  SearchStep step;
  std::string written;
  std::string expanded;      // empty when the entry cannot be searched
  std::string not_searched;  // why, when `expanded` is empty
  std::string requester;     // the object whose DT_RPATH/DT_RUNPATH this came from
};

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Replace the dynamic string token `name` ("ORIGIN") written as $NAME or ${NAME} (ld.so(8)
// "Dynamic string tokens"; glibc is_dst() requires $NAME not to continue as an identifier).
std::string expand_token(std::string_view text, std::string_view name, std::string_view value,
                         bool* used) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '$') {
      const std::string_view rest = text.substr(i + 1);
      const std::string braced = "{" + std::string(name) + "}";
      if (rest.starts_with(braced)) {
        out += value;
        i += 1 + braced.size();
        *used = true;
        continue;
      }
      if (rest.starts_with(name) &&
          (rest.size() == name.size() || !is_identifier_char(rest[name.size()]))) {
        out += value;
        i += 1 + name.size();
        *used = true;
        continue;
      }
    }
    out += text[i];
    ++i;
  }
  return out;
}

bool has_component(std::string_view path, std::string_view component) {
  for (std::string_view part : split(path, '/')) {
    if (part == component) {
      return true;
    }
  }
  return false;
}

// Debian-style multiarch triple of the target, or empty.
std::string multiarch_triple(const ElfTarget& target) {
  switch (target.machine) {
    case EM_X86_64:
      return target.elf_class == ElfClass::k64 ? "x86_64-linux-gnu" : "x86_64-linux-gnux32";
    case EM_AARCH64:
      return "aarch64-linux-gnu";
    case EM_386:
      return "i386-linux-gnu";
    case EM_PPC64:
      return "powerpc64le-linux-gnu";
    default:
      return "";
  }
}

// The version in a real file name after ".so.": "libcudnn.so.9.3.0" -> "9.3.0".
std::string file_name_version(std::string_view file_name) {
  const std::size_t at = file_name.find(".so.");
  return at == std::string_view::npos ? std::string() : std::string(file_name.substr(at + 4));
}

// "/x/site-packages" for a path inside site-packages/nvidia/ (or dist-packages), else empty.
std::string wheel_site_packages(std::string_view path) {
  for (std::string_view marker : {"/site-packages/nvidia/", "/dist-packages/nvidia/"}) {
    const std::size_t at = path.find(marker);
    if (at != std::string_view::npos) {
      return std::string(path.substr(0, at + marker.size() - std::string_view("/nvidia/").size()));
    }
  }
  return "";
}

}  // namespace

bool is_stub_libcuda_path(std::string_view path, std::string_view real_path) {
  return has_component(path, "stubs") || has_component(real_path, "stubs") ||
         base_name(real_path) == "libcuda.so";
}

std::vector<std::string> split_library_path(std::string_view value) {
  std::string text(value);
  std::replace(text.begin(), text.end(), ';', ':');
  std::vector<std::string> entries;
  for (std::string_view entry : split(text, ':')) {
    entries.emplace_back(entry);
  }
  return entries;
}

std::string origin_of(const SysRoot& root, std::string_view path) {
  const std::string directory = parent_path(normalize_path(path));
  auto real = root.real_path(directory);
  return real ? *real : directory;
}

LibraryResolver::LibraryResolver(const SysRoot& root, const Environment& env, ElfTarget target)
    : root_(root), env_(env), target_(target) {}

void LibraryResolver::note(Error error) {
  for (const Error& seen : problems_) {
    if (seen.message == error.message) {
      return;
    }
  }
  problems_.push_back(std::move(error));
}

const LibraryResolver::Requester& LibraryResolver::requester(const std::string& path) {
  auto it = requesters_.find(path);
  if (it != requesters_.end()) {
    return *it->second;
  }
  auto entry = std::make_unique<Requester>(Requester{path, read_elf_file(root_, path), ""});
  if (!entry->info) {
    note(entry->info.error().with_context("reading DT_RUNPATH of requester"));
  }
  entry->origin = origin_of(root_, path);
  return *requesters_.emplace(path, std::move(entry)).first->second;
}

const std::vector<LdCacheEntry>* LibraryResolver::cache() {
  if (!cache_loaded_) {
    cache_loaded_ = true;
    auto bytes = root_.read_file(kLdCachePath, kMaxLdCacheBytes);
    if (!bytes) {
      if (bytes.error().code != Errc::kNotFound) {
        cache_error_ = bytes.error().message;
        note(bytes.error());
      }
    } else if (auto entries = parse_ld_cache(*bytes)) {
      cache_ = std::move(*entries);
    } else {
      cache_error_ = entries.error().message;
      note(entries.error().with_context(std::string("reading ") + kLdCachePath));
    }
  }
  return cache_ ? &*cache_ : nullptr;
}

const std::vector<LibraryResolver::Wheel>& LibraryResolver::wheels(
    const std::string& site_packages) {
  auto it = wheels_.find(site_packages);
  if (it != wheels_.end()) {
    return it->second;
  }
  std::vector<Wheel> found;
  auto names = root_.list_directory(site_packages);
  if (names) {
    for (const std::string& name : *names) {
      if (!to_lower(name).starts_with("nvidia") || !name.ends_with(".dist-info")) {
        continue;
      }
      auto parsed = parse_dist_info_name(name);
      if (!parsed) {
        continue;
      }
      Wheel wheel;
      wheel.dist_info = join_path(site_packages, name);
      wheel.name = parsed->name;
      wheel.version = parsed->version;
      // METADATA is authoritative where the directory name was normalised away (PEP 427).
      if (auto text = root_.read_file(join_path(wheel.dist_info, "METADATA"), 1U << 20)) {
        if (auto metadata = parse_dist_metadata(*text, join_path(wheel.dist_info, "METADATA"))) {
          wheel.name = metadata->normalized_name;
          wheel.version = metadata->version;
        }
      }
      auto record = root_.read_file(join_path(wheel.dist_info, "RECORD"), kMaxRecordBytes);
      if (!record) {
        // RECORD is mandatory in a wheel install (PEP 376/627), but other installers and
        // hand-made trees omit it: then the file has no known owner, which is not a failure.
        if (record.error().code != Errc::kNotFound) {
          note(record.error().with_context("reading wheel RECORD"));
        }
      } else {
        for (std::string_view line : split_lines(*record)) {
          std::string_view file = line.substr(0, line.find(','));
          if (file.size() >= 2 && file.front() == '"' && file.back() == '"') {
            file = file.substr(1, file.size() - 2);
          }
          if (!file.empty()) {
            wheel.files.emplace_back(file);
          }
        }
      }
      found.push_back(std::move(wheel));
    }
  }
  return wheels_.emplace(site_packages, std::move(found)).first->second;
}

LibraryResolution LibraryResolver::resolve(const ResolveRequest& request) {
  LibraryResolution resolution;
  resolution.soname = request.soname;
  resolution.family = request.family;
  resolution.required = request.required;

  // The class and machine the process has: the requester's when readable.
  ElfTarget target = target_;
  std::vector<const Requester*> requesters;
  std::string requester_trouble;
  for (const std::string& path : request.requesters) {
    const Requester& r = requester(path);
    requesters.push_back(&r);
    if (r.info) {
      if (requesters.size() == 1) {
        target = {r.info->header.elf_class, r.info->header.machine};
      }
    } else if (requester_trouble.empty()) {
      requester_trouble = r.info.error().message;
    }
  }
  const std::string triple = multiarch_triple(target);
  const bool multiarch = !triple.empty() && root_.is_directory(join_path("/usr/lib", triple));
  // $LIB: what the distribution's glibc was configured with (ld.so(8)): Debian's multiarch dir,
  // lib64 on other 64-bit distributions, lib on 32-bit ones.
  const std::string lib_token = multiarch                           ? "lib/" + triple
                                : target.elf_class == ElfClass::k64 ? "lib64"
                                                                    : "lib";
  const std::string platform = elf_machine_name(target.machine);

  auto expand = [&](std::string_view written, const Requester* from, SearchDir dir) {
    dir.written = std::string(written);
    bool used = false;
    std::string text = expand_token(written, "LIB", lib_token, &used);
    text = expand_token(text, "PLATFORM", platform, &used);
    bool origin_used = false;
    text = expand_token(text, "ORIGIN", from != nullptr ? from->origin : "", &origin_used);
    if (written.empty()) {
      dir.not_searched = "empty entry means the current directory of the process; not searched";
    } else if (origin_used && from == nullptr) {
      dir.not_searched = "$ORIGIN in LD_LIBRARY_PATH names the executable's directory; not known";
    } else if (!text.starts_with('/')) {
      dir.not_searched =
          "relative entry is resolved against the process's current directory; not searched";
    } else {
      dir.expanded = normalize_path(text);
    }
    return dir;
  };

  std::vector<SearchDir> dirs;
  for (const Requester* r : requesters) {
    if (r->info && r->info->has_rpath && !r->info->has_runpath) {
      for (const std::string& entry : r->info->rpath) {
        dirs.push_back(expand(entry, r, {SearchStep::kRpath, {}, {}, {}, r->path}));
      }
    }
  }
  auto ld_library_path = env_.find("LD_LIBRARY_PATH");
  if (ld_library_path != env_.end() && !ld_library_path->second.empty()) {
    for (const std::string& entry : split_library_path(ld_library_path->second)) {
      dirs.push_back(expand(entry, nullptr, {SearchStep::kLdLibraryPath, {}, {}, {}, {}}));
    }
  }
  for (const Requester* r : requesters) {
    if (r->info && r->info->has_runpath) {
      for (const std::string& entry : r->info->runpath) {
        dirs.push_back(expand(entry, r, {SearchStep::kRunpath, {}, {}, {}, r->path}));
      }
    }
  }

  // Set when the loader meets a file it cannot even read as ELF: glibc's open_verify
  // (elf/dl-load.c) then signals the error ("file too short", "invalid ELF header") and the whole
  // load fails, instead of going on to the next directory as it does for a wrong ELF class.
  std::string fatal_candidate;

  // Try one file; record it; true when the loader would take it (or stops at it).
  auto try_file = [&](const std::string& path, SearchStep step, const std::string& written,
                      const std::string& from) {
    LibraryCandidate candidate{path, step, written, false, {}};
    auto status = root_.status(path);
    if (!status) {
      candidate.rejected_because =
          status.error().code == Errc::kNotFound ? "not found" : status.error().message;
    } else if (status->type != FileType::kRegular) {
      // open_verify opens it and fails to read an ELF header from it ("cannot read file data"):
      // like a damaged file, that ends the load.
      candidate.exists = true;
      candidate.rejected_because =
          "not loadable: not a regular file (ld.so fails the load here instead of searching on)";
      fatal_candidate = path;
    } else {
      candidate.exists = true;
      auto real = root_.real_path(path);
      auto head = root_.read_head(real ? *real : path, 64);
      const Result<ElfHeader> header =
          head ? parse_elf_header(*head) : Result<ElfHeader>(tl::unexpected(head.error()));
      if (!header) {
        candidate.rejected_because = "not loadable: " + header.error().message +
                                     " (ld.so fails the load here instead of searching on)";
        fatal_candidate = path;
      } else if (header->elf_class != target.elf_class) {
        candidate.rejected_because =
            std::string("wrong ELF class: ") + (header->elf_class == ElfClass::k32 ? "32" : "64") +
            "-bit, the process is " + (target.elf_class == ElfClass::k32 ? "32" : "64") + "-bit";
      } else if (header->machine != target.machine) {
        candidate.rejected_because = "wrong ELF machine: " + elf_machine_name(header->machine) +
                                     ", the process is " + elf_machine_name(target.machine);
      }
    }
    resolution.candidates.push_back(candidate);
    if (!fatal_candidate.empty()) {
      return true;
    }
    if (candidate.rejected_because.empty()) {
      resolution.path = Observed<std::string>::present(
          path, model::search_step_name(step) + (written.empty() ? "" : " ") + written);
      resolution.requester = from;
      return true;
    }
    return false;
  };

  bool found = false;
  if (request.soname.find('/') != std::string::npos) {
    // dlopen(3): a name with a slash is opened as a path, without any search.
    found = try_file(request.soname, SearchStep::kDefaultDir, "", "");
  } else {
    for (const SearchDir& dir : dirs) {
      if (dir.expanded.empty()) {
        resolution.candidates.push_back({"", dir.step, dir.written, false, dir.not_searched});
        continue;
      }
      if (try_file(normalize_path(join_path(dir.expanded, request.soname)), dir.step, dir.written,
                   dir.requester)) {
        found = true;
        break;
      }
    }
    if (!found) {
      if (const auto* entries = cache()) {
        // glibc search_cache takes the first entry with the soname and acceptable flags; if that
        // file cannot be opened it goes on to the default directories, not to later entries.
        for (const LdCacheEntry& entry : *entries) {
          if (entry.soname != request.soname) {
            continue;
          }
          if (!ld_cache_flags_match(entry.flags, target.elf_class, target.machine)) {
            resolution.candidates.push_back(
                {entry.path, SearchStep::kLdCache, kLdCachePath, false,
                 "ld.so.cache entry is for " + ld_cache_flags_name(entry.flags)});
            continue;
          }
          if (ld_cache_is_hwcaps_entry(entry)) {
            resolution.candidates.push_back(
                {entry.path, SearchStep::kLdCache, kLdCachePath, false,
                 "glibc-hwcaps entry, used only on CPUs that support it; not emulated"});
            continue;
          }
          found = try_file(entry.path, SearchStep::kLdCache, kLdCachePath, "");
          break;
        }
      } else if (!cache_error_.empty()) {
        resolution.candidates.push_back(
            {kLdCachePath, SearchStep::kLdCache, kLdCachePath, true, cache_error_});
      }
    }
    if (!found) {
      std::vector<std::string> defaults;
      // ld.so(8): the trusted directories are /lib then /usr/lib, or /lib64 then /usr/lib64 for
      // 64-bit objects on distributions built that way (Fedora, RHEL); Debian and Ubuntu add
      // their multiarch directories before them.
      if (multiarch) {
        defaults = {"/lib/" + triple, "/usr/lib/" + triple, "/lib", "/usr/lib"};
      } else if (target.elf_class == ElfClass::k64) {
        defaults = {"/lib64", "/usr/lib64"};
      } else {
        defaults = {"/lib", "/usr/lib"};
      }
      for (const std::string& dir : defaults) {
        if (try_file(join_path(dir, request.soname), SearchStep::kDefaultDir, dir, "")) {
          found = true;
          break;
        }
      }
    }
  }

  if (!fatal_candidate.empty()) {
    const std::string why = resolution.candidates.back().rejected_because;
    resolution.path =
        Observed<std::string>::absent("ld.so stops at " + fatal_candidate + ": " + why);
    resolution.real_path = Observed<std::string>::absent(fatal_candidate);
    resolution.version = Observed<Version>::absent(fatal_candidate);
    return resolution;
  }
  if (!found) {
    const auto searched =
        std::count_if(resolution.candidates.begin(), resolution.candidates.end(),
                      [](const LibraryCandidate& candidate) { return !candidate.path.empty(); });
    const std::string looked =
        "searched " + std::to_string(searched) + " places (" + std::to_string(dirs.size()) +
        " RPATH/LD_LIBRARY_PATH/RUNPATH entries, " + kLdCachePath + ", default directories)";
    if (!requester_trouble.empty()) {
      resolution.path = Observed<std::string>::unknown(
          looked, "could not read a requester's search path: " + requester_trouble);
    } else {
      resolution.path = Observed<std::string>::absent(looked);
    }
    resolution.real_path = Observed<std::string>::absent(looked);
    resolution.version = Observed<Version>::absent(looked);
    return resolution;
  }

  const std::string& path = *resolution.path.value;
  auto real = root_.real_path(path);
  if (real) {
    resolution.real_path = Observed<std::string>::present(*real, path);
  } else {
    resolution.real_path = Observed<std::string>::unknown(path, real.error().message);
  }
  const std::string effective = real ? *real : path;
  const std::string dir = parent_path(effective);

  // Provider: by where the real file lives.
  const bool driver_library = request.soname.starts_with("libcuda.so") ||
                              request.soname.starts_with("libnvidia-ml.so") ||
                              request.family == "cuda" || request.family == "nvml";
  if (has_component(path, "stubs") || has_component(effective, "stubs")) {
    resolution.provider = Provider::kStub;
  } else if (!wheel_site_packages(effective).empty() || !wheel_site_packages(path).empty()) {
    resolution.provider = Provider::kPipWheel;
  } else if (effective.starts_with("/usr/lib/wsl/") || path.starts_with("/usr/lib/wsl/")) {
    resolution.provider = Provider::kWsl;
  } else if (base_name(dir) == "lib" &&
             root_.is_directory(join_path(parent_path(dir), "conda-meta"))) {
    resolution.provider = Provider::kConda;
  } else if (effective.starts_with("/usr/local/cuda") || effective.starts_with("/opt/cuda")) {
    resolution.provider = Provider::kCudaToolkit;
  } else if (driver_library) {
    resolution.provider = Provider::kDriver;
  } else if (effective.starts_with("/usr/lib") || effective.starts_with("/lib")) {
    resolution.provider = Provider::kDistribution;
  }

  // Version: the owning wheel's, else the real file name's.
  for (const std::string& candidate_path : {effective, path}) {
    const std::string site_packages = wheel_site_packages(candidate_path);
    if (site_packages.empty() || !resolution.wheel.empty()) {
      continue;
    }
    const std::string relative = candidate_path.substr(site_packages.size() + 1);
    for (const Wheel& wheel : wheels(site_packages)) {
      if (std::find(wheel.files.begin(), wheel.files.end(), relative) == wheel.files.end()) {
        continue;
      }
      resolution.wheel = wheel.name;
      if (auto version = Version::parse(wheel.version)) {
        resolution.version = Observed<Version>::present(*version, wheel.dist_info);
      } else {
        resolution.version = Observed<Version>::unknown(
            wheel.dist_info, "unparsable wheel version '" + printable(wheel.version) + "'");
      }
      break;
    }
  }
  if (resolution.wheel.empty()) {
    // A CUDA toolkit assembled from NVIDIA's wheels (as this project's CI machine has) keeps
    // their dist-info in <root>/dist-info, with RECORD paths from the wheel layout
    // ("nvidia/cu13/lib/libcudart.so.13"): match on the file name.
    std::string toolkit_root = dir;
    for (int level = 0; level < 3 && toolkit_root != "/" && resolution.wheel.empty(); ++level) {
      toolkit_root = parent_path(toolkit_root);
      const std::string dist_dir = join_path(toolkit_root, "dist-info");
      if (!root_.is_directory(dist_dir)) {
        continue;
      }
      const std::string suffix = "/" + base_name(effective);
      for (const Wheel& wheel : wheels(dist_dir)) {
        const bool owns = std::any_of(wheel.files.begin(), wheel.files.end(),
                                      [&](const std::string& f) { return f.ends_with(suffix); });
        if (!owns) {
          continue;
        }
        resolution.wheel = wheel.name;
        if (auto version = Version::parse(wheel.version)) {
          resolution.version = Observed<Version>::present(*version, wheel.dist_info);
        }
        break;
      }
    }
  }
  if (!resolution.version.is_present() && resolution.wheel.empty()) {
    const std::string suffix = file_name_version(base_name(effective));
    auto version = Version::parse(suffix);
    if (version && version->parts().size() >= 2) {
      resolution.version = Observed<Version>::present(*version, effective);
    } else if (version) {
      resolution.version = Observed<Version>::unknown(
          effective, "the file name carries only the soname major " + suffix);
    } else {
      resolution.version = Observed<Version>::unknown(effective, "no version in the file name");
    }
  }
  return resolution;
}

}  // namespace tfgpu::probe
