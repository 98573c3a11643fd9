// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reading a log line by line in bounded memory.
//
// Logs users hand to `tfgpu explain` can be a gigabyte of training output, come through a pipe,
// and hold anything: CRLF from Windows, lone CRs from progress bars (tqdm, Keras) that redraw a
// line, NUL bytes, invalid UTF-8, and single lines of megabytes (a tensor printed whole). So:
// - A line ends at "\n", "\r\n" or a lone "\r"; the terminator is never part of the line.
// - Bytes are passed through untouched (NUL and invalid UTF-8 included); nothing is decoded.
// - A line longer than `max_line_bytes` is cut there and flagged `truncated`; the rest of that
//   physical line is skipped, never turned into further lines (they would be fragments that
//   could match a signature out of context, and they would shift every later line number).
// - Memory is one read buffer (kReadBufferBytes) plus at most `max_line_bytes` carried over
//   (+1, to see that it is over) between reads for a line that crosses a read boundary,
//   whatever the input's size.
// Line ends are found with memchr, which is what makes plain reading run at memory speed.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "tfgpu/base/result.h"

namespace tfgpu::explain {

inline constexpr std::size_t kDefaultMaxLineBytes = std::size_t{1} << 20;  // 1 MiB
inline constexpr std::size_t kReadBufferBytes = std::size_t{256} << 10;    // 256 KiB

// Cut or whole: whether a line lost bytes past the cap.
enum class LineCut { kWhole, kTruncated };

// One line as the callback sees it. `text` is valid only during the call.
struct LineView {
  std::uint64_t number = 0;  // 1 for the first line of the input
  std::string_view text;     // without its terminator; at most max_line_bytes long
  LineCut cut = LineCut::kWhole;

  bool truncated() const { return cut == LineCut::kTruncated; }
};

using LineCallback = std::function<void(const LineView&)>;

struct LineReaderOptions {
  std::size_t max_line_bytes = kDefaultMaxLineBytes;
};

// Splits bytes fed in pieces of any size into lines, with the rules above. Feeding the same
// bytes in one piece or byte by byte gives the same lines.
class LineSplitter {
 public:
  explicit LineSplitter(LineCallback on_line, LineReaderOptions options = {});

  // Report every line that `bytes` completes; keep an unfinished last line for later.
  void feed(std::string_view bytes);
  // End of input: report the unfinished last line, if any. Further feed() starts a new input
  // whose line numbers continue.
  void finish();

  std::uint64_t lines() const { return next_line_number_ - 1; }

  std::uint64_t truncated_lines() const { return truncated_lines_; }

  std::uint64_t bytes() const { return bytes_; }

 private:
  void emit(std::string_view text);
  // Past the terminator at `data[at]` ('\r' or '\n'); remembers a CR that ends `data`, whose LF
  // (if it is a CRLF) arrives with the next piece.
  std::size_t skip_terminator(std::string_view data, std::size_t at);

  LineCallback on_line_;
  std::size_t max_line_bytes_;
  std::string carry_;  // an unfinished line (never longer than max_line_bytes_)
  bool skipping_rest_of_line_ = false;
  bool after_cr_ = false;  // the last piece ended with CR: a leading LF of the next one is its CRLF
  std::uint64_t next_line_number_ = 1;
  std::uint64_t truncated_lines_ = 0;
  std::uint64_t bytes_ = 0;
};

// Read `fd` to its end and feed it to `splitter`, then finish() it. `name` (a path, or "standard
// input") goes into errors. Fails with kIo (read error; the lines before it were delivered) or
// kInvalidArgument (fd is a directory).
Result<void> read_lines(int fd, std::string_view name, LineSplitter& splitter);

// Read the file at `path` ("-": standard input) line by line. Fails, naming the path, when it
// cannot be opened (kNotFound, kPermissionDenied, kIo), is a directory (kInvalidArgument) or a
// read fails (kIo). Returns the number of lines.
Result<std::uint64_t> read_lines(const std::string& path, const LineCallback& on_line,
                                 LineReaderOptions options = {});

// The same splitting over text already in memory (issue reports, tests).
void for_each_line(std::string_view text, const LineCallback& on_line,
                   LineReaderOptions options = {});

}  // namespace tfgpu::explain
