// SPDX-License-Identifier: Apache-2.0
#pragma once
// SysRoot: the only way probes touch the filesystem. Every path a probe uses is the path as the
// probed machine sees it ("/proc/driver/nvidia/version"); SysRoot maps it under its root ("/" for
// this machine, a folder for a recorded machine, like util-linux `lscpu --sysroot`). Symlinks are
// resolved inside the root: an absolute link target is re-rooted, and loops or chains longer than
// the kernel's limit (40) end in an error instead of a hang.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tfgpu/base/result.h"

namespace tfgpu::probe {

using Environment = std::map<std::string, std::string>;

enum class FileType { kRegular, kDirectory, kSymlink, kCharDevice, kOther };

struct FileStatus {
  FileType type = FileType::kOther;
  std::uint64_t size_bytes = 0;
};

// A file of the probed machine held open for reads by offset: an ELF object is read in many small
// ranges, and opening it for each would cost a path walk and an open() every time.
class OpenFile {
 public:
  OpenFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  OpenFile(OpenFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(other.path_) {}

  OpenFile& operator=(OpenFile&&) = delete;
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  ~OpenFile();

  // Up to `length` bytes at `offset` (fewer only at the end of the file). Fails with kTooLarge
  // over 64 MiB, kInvalidArgument for an offset off_t cannot hold, or the read's errno; the
  // message names the machine path.
  Result<std::string> read_range(std::uint64_t offset, std::size_t length) const;

 private:
  int fd_;
  std::string path_;
};

// Whether a SysRoot remembers what lstat/readlink said. A probe run reads a machine that does
// not change under it and resolves the same directories thousands of times (every library
// candidate walks its path component by component), so probe_machine turns it on; tests that
// change a tree between reads keep it off.
enum class MetadataCache { kOff, kOn };

class SysRoot {
 public:
  // `root` is a host directory; "/" means this machine.
  explicit SysRoot(std::string root, MetadataCache cache = MetadataCache::kOff);

  const std::string& root() const { return root_; }

  // True when the root is this machine's "/", so live checks (access(), dlopen) make sense.
  bool is_live() const { return live_; }

  // The host path for the machine path `path` (root + path).
  std::string host_path(std::string_view path) const;

  // Read the whole file at machine path `path`. Fails with kNotFound, kPermissionDenied,
  // kTooLarge (over `max_bytes`) or kIo; the message names the path.
  Result<std::string> read_file(std::string_view path, std::size_t max_bytes = 1 << 20) const;

  // Like read_file, but reads at most `max_bytes` and returns what it got (for huge files whose
  // head is enough, such as ELF headers or /proc/modules).
  Result<std::string> read_head(std::string_view path, std::size_t max_bytes) const;

  // Read up to `length` bytes at byte `offset` of the file at machine path `path` (pread), for
  // reading a few ranges of a huge file such as the 1 GB libtensorflow_cc.so.2. Returns fewer
  // bytes only at end of file. Fails like read_file; kTooLarge when `length` exceeds 64 MiB.
  // Open the machine path `path` for OpenFile::read_range. Fails like read_file.
  Result<OpenFile> open_file(std::string_view path) const;

  Result<std::string> read_range(std::string_view path, std::uint64_t offset,
                                 std::size_t length) const;

  // Status of `path` following symlinks (stat) or not (lstat). kNotFound when absent.
  Result<FileStatus> status(std::string_view path) const;
  Result<FileStatus> link_status(std::string_view path) const;

  bool exists(std::string_view path) const { return status(path).has_value(); }

  bool is_directory(std::string_view path) const;

  // Entry names in directory `path`, sorted, without "." and "..". Fails on unreadable dirs.
  Result<std::vector<std::string>> list_directory(std::string_view path) const;

  // The target of symlink `path` as written.
  Result<std::string> read_link(std::string_view path) const;

  // `path` with every symlink resolved inside the root (a machine path). Fails with kMalformed on
  // a loop or a chain longer than 40 links, kNotFound when a component is missing.
  Result<std::string> real_path(std::string_view path) const;

  // Live machines only: whether this process may open `path` for reading and writing.
  std::optional<bool> can_read_write(std::string_view path) const;

 private:
  enum class FollowLast { kYes, kNo };

  // The machine path to open for `path`: on a recorded root, resolved inside the root (the last
  // component too, or only its parent for lstat/readlink); on this machine, `path` itself.
  Result<std::string> contained_path(std::string_view path, FollowLast follow) const;

  // readlink of a path whose parent has no symlinks left in it.
  Result<std::string> read_link_at(const std::string& resolved_parent_path) const;

  struct LinkStatus {
    int error_number = 0;  // errno of a failed lstat, else 0
    unsigned mode = 0;     // st_mode
    std::uint64_t size_bytes = 0;
  };

  // lstat of machine path `path`, remembered when caching is on.
  LinkStatus lstat_entry(const std::string& path) const;

  std::string root_;
  bool live_ = false;
  bool cache_enabled_ = false;
  mutable std::unordered_map<std::string, LinkStatus> lstat_cache_;
  mutable std::unordered_map<std::string, Result<std::string>> readlink_cache_;
};

// Lexically normalise a machine path: collapse "//", "." and "..". "/a/b/../c" -> "/a/c".
std::string normalize_path(std::string_view path);

// Directory part of a machine path ("/a/b/c.so" -> "/a/b").
std::string parent_path(std::string_view path);

// Last component of a path ("/a/b/c.so" -> "c.so").
std::string base_name(std::string_view path);

// `dir` + "/" + `name` without doubled slashes.
std::string join_path(std::string_view dir, std::string_view name);

}  // namespace tfgpu::probe
