// SPDX-License-Identifier: Apache-2.0
// What users paste into `tfgpu explain`: the report parser, the issue-report probe, and the line
// reader reading the same bytes from a file descriptor (a memfd, so the real read() path runs),
// with a small line cap so the cut-and-skip path is reached by short inputs too.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tfgpu/explain/line_reader.h"
#include "tfgpu/explain/report.h"

namespace {

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tfgpu::explain;                                           // NOLINT
  const std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT

  const Report report = parse_report(input);
  std::uint64_t previous = 0;
  for (const LogLine& line : report.log_lines) {
    check(line.number > previous);  // ascending, each line at most once
    check(line.text.size() <= kDefaultMaxLineBytes);
    previous = line.number;
  }
  (void)looks_like_issue_report(input);

  // The in-memory split and the descriptor read must agree, line for line.
  constexpr std::size_t kCap = 64;
  std::uint64_t in_memory_lines = 0;
  std::size_t in_memory_bytes = 0;
  for_each_line(
      input,
      [&](const LineView& line) {
        check(line.text.size() <= kCap);
        ++in_memory_lines;
        in_memory_bytes += line.text.size();
      },
      LineReaderOptions{kCap});

  const int fd = ::memfd_create("explain_report_fuzz", MFD_CLOEXEC);
  if (fd < 0) {
    return 0;
  }
  if (size > 0 && ::write(fd, data, size) != static_cast<ssize_t>(size)) {
    ::close(fd);
    return 0;
  }
  ::lseek(fd, 0, SEEK_SET);
  std::size_t read_bytes = 0;
  LineSplitter splitter([&](const LineView& line) { read_bytes += line.text.size(); },
                        LineReaderOptions{kCap});
  const auto result = read_lines(fd, "fuzz input", splitter);
  ::close(fd);
  check(result.has_value());
  check(splitter.lines() == in_memory_lines);
  check(read_bytes == in_memory_bytes);
  check(splitter.bytes() == size);
  return 0;
}
