// SPDX-License-Identifier: Apache-2.0
#pragma once
// LibraryResolver: where would glibc's dlopen("libcudnn.so.9") find the library, without calling
// dlopen. TensorFlow dlopens every CUDA library by soname from inside its own shared objects
// (TSL dso_loader.cc), so the answer depends on the calling object's DT_RPATH/DT_RUNPATH, on
// LD_LIBRARY_PATH, /etc/ld.so.cache and the default directories, in the order ld.so(8) gives:
//
//   1. DT_RPATH of the requesting object, only when it has no DT_RUNPATH;
//   2. LD_LIBRARY_PATH (split on ':' and ';'; empty entries mean the current directory);
//   3. DT_RUNPATH of the requesting object (not of its dependencies: glibc applies a DT_RUNPATH
//      only to the object's own direct lookups);
//   4. /etc/ld.so.cache, first entry with the soname whose flags fit the ELF class and machine;
//   5. the default directories (/lib, /usr/lib, and their multiarch or lib64 forms).
//
// $ORIGIN/${ORIGIN} expand to the directory the requester was opened from (see origin_of),
// $LIB to the distribution's library dir, $PLATFORM to the machine name. A candidate is rejected,
// and the search goes on, when it is missing, not a regular file, not ELF, or of the wrong ELF
// class or machine (glibc open_verify).
//
// Not emulated, and said so where it matters: glibc-hwcaps subdirectories, secure-execution
// mode, DF_1_NODEFLIB, the executable's own DT_RPATH, libraries already loaded in the process.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/model/facts.h"
#include "tfgpu/probe/elf_reader.h"
#include "tfgpu/probe/ld_cache.h"
#include "tfgpu/probe/sysroot.h"

namespace tfgpu::probe {

// The entries of an LD_LIBRARY_PATH value, as written: glibc accepts ':' and ';' as separators
// (elf/dl-load.c _dl_init_paths). Empty entries are kept (they mean the current directory).
std::vector<std::string> split_library_path(std::string_view value);

// The $ORIGIN of the object at machine path `path`: glibc's _dl_new_object takes the directory of
// the name the object was opened by, without resolving a symlink to the file itself; the kernel
// then resolves that directory physically when it walks "$ORIGIN/..". So: the real path of the
// directory part, and the directory part itself when that cannot be resolved.
std::string origin_of(const SysRoot& root, std::string_view path);

struct ResolveRequest {
  std::string soname;  // "libcudnn.so.9"
  std::string family;  // "cudnn"
  bool required = false;
  // Machine paths of the objects whose DT_RPATH/DT_RUNPATH apply, tried in order (TF's
  // libtensorflow_framework.so.2 then libtensorflow_cc.so.2); empty = a dlopen from an object
  // with neither (the system view).
  std::vector<std::string> requesters;
};

// The ELF identity libraries must have to be loadable (the process's own).
struct ElfTarget {
  ElfClass elf_class = ElfClass::k64;
  std::uint16_t machine = 62;  // EM_X86_64
};

class LibraryResolver {
 public:
  // `target` applies when a request has no readable requester; otherwise the first requester's
  // class and machine do. Nothing is read until the first resolve().
  LibraryResolver(const SysRoot& root, const Environment& env, ElfTarget target = {});

  // Emulate the search for `request`. Never fails: a library not found has path absent with the
  // places searched as source; trouble that makes the answer uncertain (an unreadable requester)
  // leaves path unknown with the reason.
  model::LibraryResolution resolve(const ResolveRequest& request);

  // Trouble met on the way (unreadable or malformed ld.so.cache, requesters, dist-info), each
  // recorded once, for the probe to report.
  const std::vector<Error>& problems() const { return problems_; }

 private:
  struct Requester {
    std::string path;
    Result<ElfInfo> info;
    std::string origin;  // directory of the real path
  };

  struct Wheel {
    std::string name;  // normalised: "nvidia-cudnn-cu12"
    std::string version;
    std::string dist_info;
    std::vector<std::string> files;  // RECORD paths relative to site-packages
  };

  const Requester& requester(const std::string& path);
  const std::vector<LdCacheEntry>* cache();
  const std::vector<Wheel>& wheels(const std::string& site_packages);
  void note(Error error);

  const SysRoot& root_;
  const Environment& env_;
  ElfTarget target_;
  std::map<std::string, std::unique_ptr<Requester>> requesters_;
  bool cache_loaded_ = false;
  std::optional<std::vector<LdCacheEntry>> cache_;
  std::string cache_error_;
  std::map<std::string, std::vector<Wheel>> wheels_;
  std::vector<Error> problems_;
};

// True when the file the loader would open is the CUDA toolkit's link-time stub libcuda rather
// than the driver's: `path` or `real_path` has a "stubs" directory component, or the real file is
// named exactly "libcuda.so" (the driver installs libcuda.so.<driver version>; only the toolkit
// stub is a regular file named libcuda.so).
bool is_stub_libcuda_path(std::string_view path, std::string_view real_path);

}  // namespace tfgpu::probe
