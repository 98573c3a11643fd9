// SPDX-License-Identifier: Apache-2.0
#pragma once
// What users paste into `tfgpu explain`: a raw log, or a whole issue report in TensorFlow's
// bug-template shape (GitHub issue forms: "### TensorFlow version", "### Relevant log output"
// with the log in a ``` fence; or the older markdown template: "**System information**" and
// "- TensorFlow version (use command below): 2.0" bullets). parse_report() returns the title,
// the environment the reporter stated (as written: "11.2/8 in conda env" is not a Version yet)
// and the log lines with their line numbers in the input, so evidence can cite them.
//
// Headings are recognised from a fixed list of the templates' own headings (tolerant of case,
// trailing ":" or "?", "and" vs "&", and the "(e.g., …)" hints), written as "##"–"######"
// headings or whole-line bold; any other line, in particular any log line, is never a heading,
// and nothing inside a ``` or ~~~ fence is.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tfgpu::explain {

// An issue report is decided from its first 64 KiB (a stream need not be read whole first)...
inline constexpr std::size_t kIssueReportProbeBytes = std::size_t{64} << 10;
// ...and is small: anything larger is read as a raw log, line by line.
inline constexpr std::size_t kMaxIssueReportBytes = std::size_t{16} << 20;

enum class ReportKind { kRawLog, kIssueReport };

// Where a log line was found: the log itself (a raw log, or the report's log section), or the
// rest of an issue report (its description, code, any fenced block outside the log section):
// users paste output anywhere, so those lines are scanned too, but count as weaker evidence.
enum class LineOrigin { kLog, kDescription };

struct LogLine {
  std::uint64_t number = 0;  // line number in the input, from 1
  std::string text;          // without line terminator; cut at the line cap when `truncated`
  LineOrigin origin = LineOrigin::kLog;
  bool truncated = false;

  bool from_description() const { return origin == LineOrigin::kDescription; }

  bool operator==(const LogLine&) const = default;
};

// A stated fact that has no field of its own ("- wsl: True", "### Bazel version").
struct EnvDetail {
  std::string key;    // as written ("Bazel version", "wsl")
  std::string value;  // as written, trimmed
  bool operator==(const EnvDetail&) const = default;
};

// The environment as the reporter stated it: text as written, trimmed; "" where not stated
// (empty sections and GitHub's "_No response_" included). A second value for a field already
// set goes to `other` under its heading.
struct ReportEnv {
  std::string tf_version;
  std::string os;
  std::string python;
  std::string cuda;
  std::string cudnn;
  std::string driver;
  std::string gpu;
  std::string install_method;
  std::vector<EnvDetail> other;

  bool operator==(const ReportEnv&) const = default;
};

struct Report {
  ReportKind kind = ReportKind::kRawLog;
  std::string title;             // an issue report's leading "# …" line; "" otherwise
  std::uint64_t title_line = 0;  // its line number in the input
  ReportEnv env;
  std::vector<LogLine> log_lines;  // ascending line numbers
};

// Whether `head` (the input's first kIssueReportProbeBytes, or all of it when shorter) is an
// issue report: a known template heading outside fenced blocks, or at least two "- <known
// label>: value" bullets (the old template pasted without its heading).
bool looks_like_issue_report(std::string_view head);

// Parse `text` as an issue report when looks_like_issue_report() says so of its first
// kIssueReportProbeBytes and it is at most kMaxIssueReportBytes long; otherwise as a raw log,
// every line a log line. Never fails: any bytes give a Report.
//
// In an issue report, the log lines are the contents of the fenced blocks under a log heading
// ("Relevant log output", "Other info / logs", …), or that section's text when it has no fenced
// block. Every other line that is not a heading, an environment value or blank is kept as a
// kDescription line. Lines are cut at kDefaultMaxLineBytes (line_reader.h).
Report parse_report(std::string_view text);

}  // namespace tfgpu::explain
