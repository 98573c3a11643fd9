// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/vendor/dynamic_library.h"

#include <dlfcn.h>
#include <link.h>

#include <utility>

namespace tfgpu::vendor {
namespace {

// dlerror() text, or `fallback` when the loader set none.
std::string last_dlerror(const char* fallback) {
  const char* message = ::dlerror();
  return message != nullptr ? std::string(message) : std::string(fallback);
}

}  // namespace

Result<DynamicLibrary> DynamicLibrary::open(std::span<const std::string> candidates) {
  if (candidates.empty()) {
    return make_error(Errc::kInvalidArgument, "no library candidates to load");
  }
  std::string failures;
  for (const std::string& candidate : candidates) {
    ::dlerror();  // clear a stale message
    void* handle = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) {
      return DynamicLibrary(handle, candidate);
    }
    if (!failures.empty()) {
      failures += "; ";
    }
    failures += last_dlerror((candidate + ": dlopen failed").c_str());
  }
  return make_error(Errc::kNotFound, failures);
}

DynamicLibrary::DynamicLibrary(DynamicLibrary&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), requested_(std::move(other.requested_)) {}

DynamicLibrary& DynamicLibrary::operator=(DynamicLibrary&& other) noexcept {
  handle_ = std::exchange(other.handle_, nullptr);
  requested_ = std::move(other.requested_);
  return *this;
}

Result<void*> DynamicLibrary::raw_symbol(const char* name) const {
  if (handle_ == nullptr) {
    return make_error(Errc::kInvalidArgument, std::string(name) + ": library was moved from");
  }
  ::dlerror();
  void* address = ::dlsym(handle_, name);
  if (address == nullptr) {
    // A symbol may legitimately be NULL (IFUNC, weak); none of the CUDA/NVML entry points are,
    // so a null address is "not exported" either way.
    ::dlerror();
    return make_error(Errc::kUnsupported, std::string(name) + " not exported by " + loaded_path());
  }
  return address;
}

std::string DynamicLibrary::loaded_path() const {
  link_map* map = nullptr;
  if (handle_ != nullptr && ::dlinfo(handle_, RTLD_DI_LINKMAP, &map) == 0 && map != nullptr &&
      map->l_name != nullptr && map->l_name[0] != '\0') {
    return map->l_name;
  }
  return requested_;
}

}  // namespace tfgpu::vendor
