// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/sysroot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "tfgpu/base/strings.h"

namespace tfgpu::probe {
namespace {

constexpr int kMaxSymlinkHops = 40;  // Linux's MAXSYMLINKS

tl::unexpected<Error> errno_error(int error_number, std::string_view path) {
  Errc code = Errc::kIo;
  if (error_number == ENOENT || error_number == ENOTDIR) {
    code = Errc::kNotFound;
  } else if (error_number == EACCES || error_number == EPERM) {
    code = Errc::kPermissionDenied;
  } else if (error_number == ELOOP) {
    code = Errc::kMalformed;
  }
  return make_error(code, std::string(path) + ": " + std::strerror(error_number), error_number);
}

FileType file_type(mode_t mode) {
  if (S_ISREG(mode)) {
    return FileType::kRegular;
  }
  if (S_ISDIR(mode)) {
    return FileType::kDirectory;
  }
  if (S_ISLNK(mode)) {
    return FileType::kSymlink;
  }
  if (S_ISCHR(mode)) {
    return FileType::kCharDevice;
  }
  return FileType::kOther;
}

// Reads up to `max_bytes` from `fd`. `partial_ok` decides whether a longer file is an error.
Result<std::string> read_fd(int fd, std::string_view path, std::size_t max_bytes, bool partial_ok) {
  std::string data;
  char buffer[65536];
  while (true) {
    const std::size_t want = std::min(sizeof(buffer), max_bytes + 1 - data.size());
    const ssize_t n = ::read(fd, buffer, want);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno_error(errno, path);
    }
    if (n == 0) {
      return data;
    }
    data.append(buffer, static_cast<std::size_t>(n));
    if (data.size() > max_bytes) {
      if (partial_ok) {
        data.resize(max_bytes);
        return data;
      }
      return make_error(Errc::kTooLarge, std::string(path) + ": larger than " +
                                             std::to_string(max_bytes) + " bytes");
    }
  }
}

}  // namespace

std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> parts;
  for (std::string_view part : split(path, '/')) {
    if (part.empty() || part == ".") {
      continue;
    }
    if (part == "..") {
      if (!parts.empty()) {
        parts.pop_back();
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (std::string_view part : parts) {
    out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

std::string parent_path(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) {
    return ".";
  }
  if (slash == 0) {
    return "/";
  }
  return std::string(path.substr(0, slash));
}

std::string base_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string join_path(std::string_view dir, std::string_view name) {
  std::string out(dir);
  while (!out.empty() && out.back() == '/') {
    out.pop_back();
  }
  if (!name.starts_with('/')) {
    out += '/';
  }
  out += name;
  return out;
}

SysRoot::SysRoot(std::string root, MetadataCache cache)
    : root_(std::move(root)), cache_enabled_(cache == MetadataCache::kOn) {
  while (root_.size() > 1 && root_.back() == '/') {
    root_.pop_back();
  }
  if (root_.empty()) {
    root_ = "/";
  }
  live_ = root_ == "/";
}

std::string SysRoot::host_path(std::string_view path) const {
  if (live_) {
    return std::string(path);
  }
  return join_path(root_, path);
}

Result<std::string> SysRoot::contained_path(std::string_view path, FollowLast follow) const {
  if (live_) {
    return std::string(path);  // this machine: the kernel's own resolution is the truth
  }
  // A recorded tree's absolute symlinks point into the tree: resolve inside the root first, so
  // that no open() ever follows a link out to the host running tfgpu.
  if (follow == FollowLast::kYes) {
    return real_path(path);
  }
  const std::string normalized = normalize_path(path);
  if (normalized == "/") {
    return normalized;
  }
  auto parent = real_path(parent_path(normalized));
  if (!parent) {
    return parent;
  }
  return join_path(*parent, normalized.substr(normalized.rfind('/') + 1));
}

Result<std::string> SysRoot::read_file(std::string_view path, std::size_t max_bytes) const {
  auto inside = contained_path(path, FollowLast::kYes);
  if (!inside) {
    return tl::unexpected(inside.error());
  }
  const std::string host = host_path(*inside);
  // O_NONBLOCK: a FIFO planted in a recorded tree must not hang the probe.
  const int fd = ::open(host.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return errno_error(errno, path);
  }

  struct stat st {};

  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return make_error(Errc::kIo, std::string(path) + ": is a directory");
  }
  auto data = read_fd(fd, path, max_bytes, false);
  ::close(fd);
  return data;
}

Result<std::string> SysRoot::read_head(std::string_view path, std::size_t max_bytes) const {
  auto inside = contained_path(path, FollowLast::kYes);
  if (!inside) {
    return tl::unexpected(inside.error());
  }
  const std::string host = host_path(*inside);
  const int fd = ::open(host.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return errno_error(errno, path);
  }
  auto data = read_fd(fd, path, max_bytes, true);
  ::close(fd);
  return data;
}

OpenFile::~OpenFile() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

Result<std::string> OpenFile::read_range(std::uint64_t offset, std::size_t length) const {
  constexpr std::size_t kMaxRangeBytes = 64U << 20;
  if (length > kMaxRangeBytes) {
    return make_error(Errc::kTooLarge, path_ + ": range of " + std::to_string(length) +
                                           " bytes is larger than " +
                                           std::to_string(kMaxRangeBytes));
  }
  if (offset > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max())) {
    return make_error(Errc::kInvalidArgument,
                      path_ + ": offset " + std::to_string(offset) + " out of range");
  }
  std::string data(length, '\0');
  std::size_t got = 0;
  while (got < length) {
    const ssize_t n =
        ::pread(fd_, data.data() + got, length - got, static_cast<off_t>(offset + got));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno_error(errno, path_);
    }
    if (n == 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  data.resize(got);
  return data;
}

Result<OpenFile> SysRoot::open_file(std::string_view path) const {
  auto inside = contained_path(path, FollowLast::kYes);
  if (!inside) {
    return tl::unexpected(inside.error());
  }
  const int fd = ::open(host_path(*inside).c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return errno_error(errno, path);
  }
  return OpenFile(fd, std::string(path));
}

Result<std::string> SysRoot::read_range(std::string_view path, std::uint64_t offset,
                                        std::size_t length) const {
  auto file = open_file(path);
  if (!file) {
    return tl::unexpected(file.error());
  }
  return file->read_range(offset, length);
}

Result<FileStatus> SysRoot::status(std::string_view path) const {
  // Resolve inside the root first: an absolute symlink in a recorded tree points into the tree.
  auto resolved = real_path(path);
  if (!resolved) {
    return tl::unexpected(resolved.error());
  }

  const LinkStatus st = lstat_entry(*resolved);
  if (st.error_number != 0) {
    return errno_error(st.error_number, path);
  }
  return FileStatus{file_type(st.mode), st.size_bytes};
}

Result<FileStatus> SysRoot::link_status(std::string_view path) const {
  auto inside = contained_path(path, FollowLast::kNo);
  if (!inside) {
    return tl::unexpected(inside.error());
  }
  const LinkStatus st = lstat_entry(*inside);
  if (st.error_number != 0) {
    return errno_error(st.error_number, path);
  }
  return FileStatus{file_type(st.mode), st.size_bytes};
}

SysRoot::LinkStatus SysRoot::lstat_entry(const std::string& path) const {
  if (cache_enabled_) {
    if (auto it = lstat_cache_.find(path); it != lstat_cache_.end()) {
      return it->second;
    }
  }

  struct stat st {};

  LinkStatus entry;
  if (::lstat(host_path(path).c_str(), &st) != 0) {
    entry.error_number = errno;
  } else {
    entry.mode = st.st_mode;
    entry.size_bytes = static_cast<std::uint64_t>(st.st_size);
  }
  if (cache_enabled_) {
    lstat_cache_.emplace(path, entry);
  }
  return entry;
}

bool SysRoot::is_directory(std::string_view path) const {
  auto st = status(path);
  return st && st->type == FileType::kDirectory;
}

Result<std::vector<std::string>> SysRoot::list_directory(std::string_view path) const {
  auto inside = contained_path(path, FollowLast::kYes);
  if (!inside) {
    return tl::unexpected(inside.error());
  }
  DIR* dir = ::opendir(host_path(*inside).c_str());
  if (dir == nullptr) {
    return errno_error(errno, path);
  }
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") {
      names.emplace_back(name);
    }
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> SysRoot::read_link(std::string_view path) const {
  auto inside = contained_path(path, FollowLast::kNo);
  if (!inside) {
    return tl::unexpected(inside.error());
  }
  return read_link_at(*inside);
}

Result<std::string> SysRoot::read_link_at(const std::string& resolved_parent_path) const {
  std::string buffer(4096, '\0');
  const ssize_t n =
      ::readlink(host_path(resolved_parent_path).c_str(), buffer.data(), buffer.size());
  if (n < 0) {
    return errno_error(errno, resolved_parent_path);
  }
  if (static_cast<std::size_t>(n) == buffer.size()) {
    return make_error(Errc::kMalformed,
                      resolved_parent_path + ": symbolic link target longer than 4095 bytes");
  }
  buffer.resize(static_cast<std::size_t>(n));
  return buffer;
}

Result<std::string> SysRoot::real_path(std::string_view path) const {
  // Walk component by component, splicing in link targets, as the kernel does, but with the
  // root as "/" so a recorded machine's absolute links stay inside it.
  // Not normalised first: in "/a/link/../b" the kernel follows `link` before "..".
  std::vector<std::string> pending;
  for (std::string_view part : split(path, '/')) {
    if (!part.empty()) {
      pending.emplace_back(part);
    }
  }
  std::reverse(pending.begin(), pending.end());
  std::string resolved;
  int hops = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.back());
    pending.pop_back();
    if (part == ".") {
      continue;
    }
    if (part == "..") {
      resolved = parent_path(resolved.empty() ? "/" : resolved);
      if (resolved == "/") {
        resolved.clear();
      }
      continue;
    }
    const std::string candidate = resolved + "/" + part;

    const LinkStatus st = lstat_entry(candidate);
    if (st.error_number != 0) {
      return errno_error(st.error_number, candidate);
    }
    if (!S_ISLNK(st.mode)) {
      resolved = candidate;
      continue;
    }
    if (++hops > kMaxSymlinkHops) {
      return make_error(Errc::kMalformed,
                        std::string(path) + ": too many levels of symbolic links");
    }
    auto cached = cache_enabled_ ? readlink_cache_.find(candidate) : readlink_cache_.end();
    const Result<std::string> target =
        cached != readlink_cache_.end() ? cached->second : read_link_at(candidate);
    if (cache_enabled_ && cached == readlink_cache_.end()) {
      readlink_cache_.emplace(candidate, target);
    }
    if (!target) {
      return tl::unexpected(target.error());
    }
    if (target->starts_with('/')) {
      resolved.clear();
    }
    std::vector<std::string> target_parts;
    for (std::string_view t : split(*target, '/')) {
      if (!t.empty()) {
        target_parts.emplace_back(t);
      }
    }
    for (auto it = target_parts.rbegin(); it != target_parts.rend(); ++it) {
      pending.push_back(*it);
    }
  }
  return resolved.empty() ? "/" : resolved;
}

std::optional<bool> SysRoot::can_read_write(std::string_view path) const {
  if (!live_) {
    return std::nullopt;
  }
  return ::access(std::string(path).c_str(), R_OK | W_OK) == 0;
}

}  // namespace tfgpu::probe
