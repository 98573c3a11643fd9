// SPDX-License-Identifier: Apache-2.0
#pragma once
// DynamicLibrary: the only caller of dlopen/dlsym/dlerror in tfgpu. Vendor libraries are loaded
// through it so that every failure becomes an Error with dlerror()'s text, and a missing symbol
// is an Error naming it instead of a null call.
//
// Handles are deliberately never dlclose()d: TensorFlow's TSL CachedDsoLoader leaks its handles
// on purpose, and unloading libcuda/libnvidia-ml while driver threads or atexit handlers still
// reference them can crash the process. The destructor therefore releases nothing; a
// DynamicLibrary is a move-only owner of "the right to call into this library".
//
// dlerror() is per-thread but not reentrant: load libraries from one thread.

#include <span>
#include <string>

#include "tfgpu/base/result.h"

namespace tfgpu::vendor {

class DynamicLibrary {
 public:
  // Try each candidate in order with dlopen(candidate, RTLD_NOW | RTLD_LOCAL), the flags TSL's
  // LoadDynamicLibrary (tsl/platform/default/load_library.cc) uses, and keep the first that
  // loads. A bare soname is searched as ld.so searches for this executable (LD_LIBRARY_PATH as it
  // was at process start, ld.so.cache, default dirs); a path with a slash is opened as is.
  // Fails with kNotFound whose message lists every candidate with its dlerror(), joined by "; ".
  static Result<DynamicLibrary> open(std::span<const std::string> candidates);

  DynamicLibrary(DynamicLibrary&& other) noexcept;
  DynamicLibrary& operator=(DynamicLibrary&& other) noexcept;
  DynamicLibrary(const DynamicLibrary&) = delete;
  DynamicLibrary& operator=(const DynamicLibrary&) = delete;
  ~DynamicLibrary() = default;  // never dlclose: see the top of this file

  // The address of `name` as a `Fn*` (Fn is a function type such as `int(unsigned)`). Fails with
  // kUnsupported "<name> not exported by <path>" when dlsym finds nothing.
  template <class Fn>
  Result<Fn*> symbol(const char* name) const {
    auto address = raw_symbol(name);
    if (!address) {
      return tl::unexpected<Error>(address.error());
    }
    // The one reinterpret_cast in tfgpu: dlsym returns an object pointer for a function.
    return reinterpret_cast<Fn*>(*address);
  }

  // The file the loader actually mapped (dlinfo RTLD_DI_LINKMAP l_name), e.g.
  // "/usr/lib/x86_64-linux-gnu/libcuda.so.1"; the candidate as given when dlinfo fails.
  std::string loaded_path() const;

  // The candidate that loaded, as given to open().
  const std::string& requested() const { return requested_; }

 private:
  DynamicLibrary(void* handle, std::string requested)
      : handle_(handle), requested_(std::move(requested)) {}

  Result<void*> raw_symbol(const char* name) const;

  void* handle_ = nullptr;
  std::string requested_;
};

}  // namespace tfgpu::vendor
