// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/explain/line_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include <fmt/format.h>

namespace tfgpu::explain {
namespace {

// Position of the first `byte` in data[from, to), or `to` when there is none.
std::size_t find_byte(std::string_view data, std::size_t from, std::size_t to, char byte) {
  if (from >= to) {
    return to;
  }
  const void* found = std::memchr(data.data() + from, byte, to - from);
  return found == nullptr ? to
                          : static_cast<std::size_t>(static_cast<const char*>(found) - data.data());
}

Error errno_error(std::string_view name, std::string_view what, int error_number) {
  Errc code = Errc::kIo;
  if (error_number == ENOENT || error_number == ENOTDIR) {
    code = Errc::kNotFound;
  } else if (error_number == EACCES || error_number == EPERM) {
    code = Errc::kPermissionDenied;
  } else if (error_number == EISDIR) {
    code = Errc::kInvalidArgument;
  }
  return Error{code, fmt::format("{}: {}: {}", name, what, std::strerror(error_number)),
               std::nullopt};
}

// Closes the descriptor it owns (not standard input).
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}

  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  ~FileDescriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }

 private:
  int fd_;
};

}  // namespace

LineSplitter::LineSplitter(LineCallback on_line, LineReaderOptions options)
    : on_line_(std::move(on_line)),
      // Bounded so that "one byte past the cap" cannot overflow.
      max_line_bytes_(std::min(options.max_line_bytes, std::size_t{1} << 40)) {}

void LineSplitter::emit(std::string_view text) {
  LineView line{next_line_number_++, text, LineCut::kWhole};
  if (text.size() > max_line_bytes_) {
    line.text = text.substr(0, max_line_bytes_);
    line.cut = LineCut::kTruncated;
    ++truncated_lines_;
  }
  on_line_(line);
}

std::size_t LineSplitter::skip_terminator(std::string_view data, std::size_t at) {
  if (data[at] == '\n') {
    return at + 1;
  }
  if (at + 1 == data.size()) {
    after_cr_ = true;
    return at + 1;
  }
  return data[at + 1] == '\n' ? at + 2 : at + 1;
}

void LineSplitter::feed(std::string_view data) {
  if (data.empty()) {
    return;
  }
  bytes_ += data.size();
  std::size_t pos = 0;
  if (after_cr_) {
    after_cr_ = false;
    if (data[0] == '\n') {
      pos = 1;
    }
  }
  const std::size_t size = data.size();
  // Where the next CR is, found once and reused until passed: most logs have none, so finding a
  // line end costs one memchr for LF rather than one for each byte.
  std::size_t next_cr = find_byte(data, pos, size, '\r');
  auto next_terminator = [&](std::size_t from) {
    if (next_cr < from) {
      next_cr = find_byte(data, from, size, '\r');
    }
    return find_byte(data, from, next_cr, '\n');  // next_cr itself when no LF comes first
  };

  // The end of a line begun in an earlier piece.
  if (!carry_.empty() || skipping_rest_of_line_) {
    const std::size_t end = next_terminator(pos);
    if (skipping_rest_of_line_) {
      // Nothing to keep: this line was reported when it passed the cap.
      if (end == size) {
        return;
      }
      skipping_rest_of_line_ = false;
    } else if (carry_.size() + (end - pos) > max_line_bytes_) {
      // One byte past the cap is enough for emit() to cut and flag it.
      carry_.append(data.substr(pos, max_line_bytes_ + 1 - carry_.size()));
      emit(carry_);
      carry_.clear();
      if (end == size) {
        skipping_rest_of_line_ = true;
        return;
      }
    } else {
      carry_.append(data.substr(pos, end - pos));
      if (end == size) {
        return;
      }
      emit(carry_);
      carry_.clear();
    }
    pos = skip_terminator(data, end);
  }

  while (pos < size) {
    const std::size_t end = next_terminator(pos);
    if (end == size) {
      // An unfinished line: keep it for the next piece, or report it now if it already passed
      // the cap.
      if (size - pos > max_line_bytes_) {
        emit(data.substr(pos));
        skipping_rest_of_line_ = true;
      } else {
        carry_.assign(data.substr(pos));
      }
      return;
    }
    emit(data.substr(pos, end - pos));
    pos = skip_terminator(data, end);
  }
}

void LineSplitter::finish() {
  if (!carry_.empty()) {
    emit(carry_);
    carry_.clear();
  }
  skipping_rest_of_line_ = false;
  after_cr_ = false;
}

Result<void> read_lines(int fd, std::string_view name, LineSplitter& splitter) {
  struct stat info {};

  if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    return make_error(Errc::kInvalidArgument, fmt::format("{}: is a directory, not a log", name));
  }
  auto buffer = std::make_unique_for_overwrite<char[]>(kReadBufferBytes);
  while (true) {
    const ssize_t got = ::read(fd, buffer.get(), kReadBufferBytes);
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int error_number = errno;
      splitter.finish();
      return tl::unexpected(errno_error(name, "reading", error_number));
    }
    if (got == 0) {
      break;
    }
    splitter.feed(std::string_view(buffer.get(), static_cast<std::size_t>(got)));
  }
  splitter.finish();
  return {};
}

Result<std::uint64_t> read_lines(const std::string& path, const LineCallback& on_line,
                                 LineReaderOptions options) {
  LineSplitter splitter(on_line, options);
  if (path == "-") {
    TFGPU_TRY(read_lines(STDIN_FILENO, "standard input", splitter));
    return splitter.lines();
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return tl::unexpected(errno_error(path, "opening", errno));
  }
  FileDescriptor owner(fd);
  TFGPU_TRY(read_lines(fd, path, splitter));
  return splitter.lines();
}

void for_each_line(std::string_view text, const LineCallback& on_line, LineReaderOptions options) {
  LineSplitter splitter(on_line, options);
  splitter.feed(text);
  splitter.finish();
}

}  // namespace tfgpu::explain
