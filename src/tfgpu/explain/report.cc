// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/explain/report.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>

#include "tfgpu/base/strings.h"
#include "tfgpu/explain/line_reader.h"

namespace tfgpu::explain {
namespace {

enum class EnvField {
  kNone,  // a stated fact with no field of its own: goes to ReportEnv::other
  kTfVersion,
  kOs,
  kPython,
  kCuda,
  kCudnn,
  kCudaAndCudnn,  // the templates' "CUDA/cuDNN version": one value for both
  kDriver,
  kGpu,
  kInstallMethod,
};

enum class SectionKind {
  kDescription,  // free text: scanned as description lines
  kEnvValue,     // one value: the section's text
  kEnvBullets,   // "- key: value" bullets
  kLog,          // the log: its fenced blocks, or its text when it has none
};

// Where a label may stand. One-word labels ("python", "gpu") are too common to be taken as a
// heading ("## GPU" may title anything), but are plain in a "- python: 3.9" bullet; "Source" is
// the issue form's heading for "binary or source" and means nothing as a bullet key.
enum class LabelUse { kHeading, kBullet, kBoth };

struct Label {
  std::string_view normalised;
  SectionKind kind;
  EnvField field;
  LabelUse use;
};

// The headings and bullet keys of TensorFlow's bug templates (.github/ISSUE_TEMPLATE: the issue
// form tensorflow_issue_template.yaml and the older markdown 00-bug-issue.md), and the spellings
// reporters use for the same facts, written as normalise_label() leaves them.
constexpr std::array kLabels = {
    Label{"tensorflow version", SectionKind::kEnvValue, EnvField::kTfVersion, LabelUse::kBoth},
    Label{"tf version", SectionKind::kEnvValue, EnvField::kTfVersion, LabelUse::kBoth},
    Label{"tensorflow", SectionKind::kEnvValue, EnvField::kTfVersion, LabelUse::kBullet},
    Label{"os platform and distribution", SectionKind::kEnvValue, EnvField::kOs, LabelUse::kBoth},
    Label{"os platform", SectionKind::kEnvValue, EnvField::kOs, LabelUse::kBoth},
    Label{"operating system", SectionKind::kEnvValue, EnvField::kOs, LabelUse::kBoth},
    Label{"os", SectionKind::kEnvValue, EnvField::kOs, LabelUse::kBullet},
    Label{"platform", SectionKind::kEnvValue, EnvField::kOs, LabelUse::kBullet},
    Label{"python version", SectionKind::kEnvValue, EnvField::kPython, LabelUse::kBoth},
    Label{"python", SectionKind::kEnvValue, EnvField::kPython, LabelUse::kBullet},
    Label{"cuda/cudnn version", SectionKind::kEnvValue, EnvField::kCudaAndCudnn, LabelUse::kBoth},
    Label{"cuda/cudnn", SectionKind::kEnvValue, EnvField::kCudaAndCudnn, LabelUse::kBullet},
    Label{"cuda version", SectionKind::kEnvValue, EnvField::kCuda, LabelUse::kBoth},
    Label{"cuda toolkit version", SectionKind::kEnvValue, EnvField::kCuda, LabelUse::kBoth},
    Label{"cuda", SectionKind::kEnvValue, EnvField::kCuda, LabelUse::kBullet},
    Label{"cudnn version", SectionKind::kEnvValue, EnvField::kCudnn, LabelUse::kBoth},
    Label{"cudnn", SectionKind::kEnvValue, EnvField::kCudnn, LabelUse::kBullet},
    Label{"gpu model and memory", SectionKind::kEnvValue, EnvField::kGpu, LabelUse::kBoth},
    Label{"gpu model", SectionKind::kEnvValue, EnvField::kGpu, LabelUse::kBoth},
    Label{"gpu", SectionKind::kEnvValue, EnvField::kGpu, LabelUse::kBullet},
    Label{"nvidia driver version", SectionKind::kEnvValue, EnvField::kDriver, LabelUse::kBoth},
    Label{"nvidia driver", SectionKind::kEnvValue, EnvField::kDriver, LabelUse::kBoth},
    Label{"gpu driver version", SectionKind::kEnvValue, EnvField::kDriver, LabelUse::kBoth},
    Label{"driver version", SectionKind::kEnvValue, EnvField::kDriver, LabelUse::kBoth},
    Label{"driver", SectionKind::kEnvValue, EnvField::kDriver, LabelUse::kBullet},
    Label{"install method", SectionKind::kEnvValue, EnvField::kInstallMethod, LabelUse::kBoth},
    Label{"installation method", SectionKind::kEnvValue, EnvField::kInstallMethod, LabelUse::kBoth},
    Label{"tensorflow installed from", SectionKind::kEnvValue, EnvField::kInstallMethod,
          LabelUse::kBoth},
    Label{"source", SectionKind::kEnvValue, EnvField::kInstallMethod, LabelUse::kHeading},
    // Stated facts without a field of their own.
    Label{"bazel version", SectionKind::kEnvValue, EnvField::kNone, LabelUse::kHeading},
    Label{"gcc/compiler version", SectionKind::kEnvValue, EnvField::kNone, LabelUse::kHeading},
    Label{"custom code", SectionKind::kEnvValue, EnvField::kNone, LabelUse::kHeading},
    Label{"have i written custom code", SectionKind::kEnvValue, EnvField::kNone,
          LabelUse::kHeading},
    Label{"issue type", SectionKind::kEnvValue, EnvField::kNone, LabelUse::kHeading},
    Label{"have you reproduced the bug with tensorflow nightly", SectionKind::kEnvValue,
          EnvField::kNone, LabelUse::kHeading},
    Label{"mobile device", SectionKind::kEnvValue, EnvField::kNone, LabelUse::kHeading},
    // Bullet lists of facts.
    Label{"other environment details", SectionKind::kEnvBullets, EnvField::kNone,
          LabelUse::kHeading},
    Label{"system information", SectionKind::kEnvBullets, EnvField::kNone, LabelUse::kHeading},
    Label{"system info", SectionKind::kEnvBullets, EnvField::kNone, LabelUse::kHeading},
    Label{"environment", SectionKind::kEnvBullets, EnvField::kNone, LabelUse::kHeading},
    Label{"environment details", SectionKind::kEnvBullets, EnvField::kNone, LabelUse::kHeading},
    // The log.
    Label{"relevant log output", SectionKind::kLog, EnvField::kNone, LabelUse::kHeading},
    Label{"log output", SectionKind::kLog, EnvField::kNone, LabelUse::kHeading},
    Label{"log", SectionKind::kLog, EnvField::kNone, LabelUse::kHeading},
    Label{"logs", SectionKind::kLog, EnvField::kNone, LabelUse::kHeading},
    Label{"error log", SectionKind::kLog, EnvField::kNone, LabelUse::kHeading},
    Label{"error logs", SectionKind::kLog, EnvField::kNone, LabelUse::kHeading},
    Label{"full log", SectionKind::kLog, EnvField::kNone, LabelUse::kHeading},
    Label{"traceback", SectionKind::kLog, EnvField::kNone, LabelUse::kHeading},
    Label{"error message", SectionKind::kLog, EnvField::kNone, LabelUse::kHeading},
    Label{"error messages", SectionKind::kLog, EnvField::kNone, LabelUse::kHeading},
    Label{"other info/logs", SectionKind::kLog, EnvField::kNone, LabelUse::kHeading},
    // Free text.
    Label{"current behavior", SectionKind::kDescription, EnvField::kNone, LabelUse::kHeading},
    Label{"expected behavior", SectionKind::kDescription, EnvField::kNone, LabelUse::kHeading},
    Label{"describe the problem", SectionKind::kDescription, EnvField::kNone, LabelUse::kHeading},
    Label{"describe the bug", SectionKind::kDescription, EnvField::kNone, LabelUse::kHeading},
    Label{"describe the current behavior", SectionKind::kDescription, EnvField::kNone,
          LabelUse::kHeading},
    Label{"describe the expected behavior", SectionKind::kDescription, EnvField::kNone,
          LabelUse::kHeading},
    Label{"standalone code to reproduce the issue", SectionKind::kDescription, EnvField::kNone,
          LabelUse::kHeading},
    Label{"code to reproduce the issue", SectionKind::kDescription, EnvField::kNone,
          LabelUse::kHeading},
    Label{"steps to reproduce", SectionKind::kDescription, EnvField::kNone, LabelUse::kHeading},
    Label{"description", SectionKind::kDescription, EnvField::kNone, LabelUse::kHeading},
    Label{"problem description", SectionKind::kDescription, EnvField::kNone, LabelUse::kHeading},
    Label{"what happened", SectionKind::kDescription, EnvField::kNone, LabelUse::kHeading},
    Label{"additional context", SectionKind::kDescription, EnvField::kNone, LabelUse::kHeading},
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// The key in one spelling: lower case, "(e.g., …)" hints dropped, "&" read as "and", "_" as a
// space, single spaces, none around "/", no trailing ":", "?" or ".", "behaviour" as
// "behavior".
std::string normalise_label(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  int depth = 0;
  for (char c : text) {
    if (c == '(') {
      ++depth;
      continue;
    }
    if (c == ')') {
      depth = std::max(0, depth - 1);
      continue;
    }
    if (depth > 0) {
      continue;
    }
    if (c == '&') {
      out += " and ";
    } else if (c == '_' || c == '*' || is_space(c)) {
      out += ' ';
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  std::string collapsed;
  collapsed.reserve(out.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const char c = out[i];
    if (c == ' ') {
      const bool next_is_slash = i + 1 < out.size() && out[i + 1] == '/';
      if (collapsed.empty() || collapsed.back() == ' ' || collapsed.back() == '/' ||
          next_is_slash) {
        continue;
      }
    }
    collapsed += c;
  }
  while (!collapsed.empty() && (collapsed.back() == ' ' || collapsed.back() == ':' ||
                                collapsed.back() == '?' || collapsed.back() == '.')) {
    collapsed.pop_back();
  }
  for (std::size_t at = collapsed.find("behaviour"); at != std::string::npos;
       at = collapsed.find("behaviour", at)) {
    collapsed.replace(at, 9, "behavior");
  }
  return collapsed;
}

const Label* find_label(std::string_view written, LabelUse use) {
  const std::string key = normalise_label(written);
  for (const Label& label : kLabels) {
    if (label.normalised == key && (label.use == LabelUse::kBoth || label.use == use)) {
      return &label;
    }
  }
  return nullptr;
}

struct Heading {
  const Label* label = nullptr;
  std::string_view written;  // the heading's text ("TensorFlow version")
  std::string_view rest;  // text after a bold heading on its line ("**OS:** Ubuntu" → "Ubuntu")
};

// `line` as a known template heading: "##"–"######" headings, a line that starts with a bold
// label ("**System information**", "**TensorFlow version**: 2.4"), or the bare "System
// information" line of the old template. Anything else, known words or not, is no heading.
std::optional<Heading> match_heading(std::string_view line) {
  const std::string_view text = trim(line);
  Heading heading;
  if (text.starts_with('#')) {
    const std::size_t level = text.find_first_not_of('#');
    if (level == std::string_view::npos || level < 2 || level > 6 || !is_space(text[level])) {
      return std::nullopt;
    }
    std::string_view written = trim(text.substr(level));
    // A closing sequence ("### Python version ###") is not part of the text.
    const std::size_t last = written.find_last_not_of('#');
    if (last != std::string_view::npos && last + 1 < written.size() && is_space(written[last])) {
      written = trim(written.substr(0, last + 1));
    }
    heading.written = written;
  } else if (text.starts_with("**")) {
    const std::size_t close = text.find("**", 2);
    if (close == std::string_view::npos || close == 2) {
      return std::nullopt;
    }
    heading.written = trim(text.substr(2, close - 2));
    std::string_view rest = trim(text.substr(close + 2));
    if (rest.starts_with(':')) {
      rest = trim(rest.substr(1));
    }
    heading.rest = rest;
  } else if (normalise_label(text) == "system information") {
    heading.written = text;
  } else {
    return std::nullopt;
  }
  while (!heading.written.empty() && heading.written.back() == ':') {
    heading.written = trim(heading.written.substr(0, heading.written.size() - 1));
  }
  heading.label = find_label(heading.written, LabelUse::kHeading);
  if (heading.label == nullptr) {
    return std::nullopt;
  }
  return heading;
}

struct Bullet {
  std::string_view key;
  std::string_view value;
};

// "- key: value" (also "*" and "+" bullets, "**key**: value"): split at the first ":" outside
// parentheses, since the old template's hints ("(e.g., Linux Ubuntu 16.04)") come before it.
std::optional<Bullet> match_bullet(std::string_view line) {
  std::string_view text = trim(line);
  if (text.size() < 2 || (text[0] != '-' && text[0] != '*' && text[0] != '+') ||
      !is_space(text[1])) {
    return std::nullopt;
  }
  text = trim(text.substr(2));
  int depth = 0;
  std::size_t colon = std::string_view::npos;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') {
      ++depth;
    } else if (text[i] == ')') {
      depth = std::max(0, depth - 1);
    } else if (text[i] == ':' && depth == 0) {
      colon = i;
      break;
    }
  }
  if (colon == std::string_view::npos) {
    colon = text.find(':');
  }
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  auto strip_bold = [](std::string_view part) {
    while (!part.empty() && part.front() == '*') {
      part.remove_prefix(1);
    }
    while (!part.empty() && part.back() == '*') {
      part.remove_suffix(1);
    }
    return trim(part);
  };
  Bullet bullet{strip_bold(text.substr(0, colon)), strip_bold(text.substr(colon + 1))};
  if (bullet.key.empty()) {
    return std::nullopt;
  }
  return bullet;
}

const Label* field_label(std::string_view key) {
  const Label* label = find_label(key, LabelUse::kBullet);
  return label != nullptr && label->field != EnvField::kNone ? label : nullptr;
}

struct Fence {
  char marker = '`';
  std::size_t length = 0;
};

// "```", "```shell", "~~~~" (indented too: fences inside list items are common).
std::optional<Fence> match_fence_open(std::string_view line) {
  const std::string_view text = trim(line);
  if (text.empty() || (text[0] != '`' && text[0] != '~')) {
    return std::nullopt;
  }
  const std::size_t length = std::min(text.find_first_not_of(text[0]), text.size());
  if (length < 3) {
    return std::nullopt;
  }
  // CommonMark: a backtick fence's info string holds no backtick ("```x```" is inline code).
  if (text[0] == '`' && text.find('`', length) != std::string_view::npos) {
    return std::nullopt;
  }
  return Fence{text[0], length};
}

bool closes_fence(std::string_view line, const Fence& fence) {
  const std::string_view text = trim(line);
  return text.size() >= fence.length && text.find_first_not_of(fence.marker) == std::string::npos;
}

bool is_placeholder(std::string_view value) {
  // What GitHub's issue forms write for an optional field left empty.
  const std::string lower = to_lower(value);
  return lower == "_no response_" || lower == "no response";
}

// "11.2 / 8.1", "CUDA 11.8, cuDNN 8.6", "11.2/8 in conda env": the text before and after the
// split, as written. The word "cudnn" is the surest split, then "/", then "," or ";".
std::pair<std::string_view, std::string_view> split_cuda_cudnn(std::string_view value) {
  const std::string lower = to_lower(value);
  if (const std::size_t at = lower.find("cudnn"); at != std::string::npos && at > 0) {
    std::string_view cuda = trim(value.substr(0, at));
    while (!cuda.empty() && (cuda.back() == ',' || cuda.back() == ';' || cuda.back() == '/')) {
      cuda = trim(cuda.substr(0, cuda.size() - 1));
    }
    return {cuda, trim(value.substr(at))};
  }
  for (const char separator : {'/', ',', ';'}) {
    if (const std::size_t at = value.find(separator); at != std::string_view::npos) {
      const std::string_view cuda = trim(value.substr(0, at));
      const std::string_view cudnn = trim(value.substr(at + 1));
      if (!cuda.empty() && !cudnn.empty()) {
        return {cuda, cudnn};
      }
      break;
    }
  }
  return {value, ""};
}

class IssueReportParser {
 public:
  void line(const LineView& line) {
    if (fence_) {
      if (closes_fence(line.text, *fence_)) {
        fence_.reset();
      } else {
        // Fenced text is machine output or code, never a heading or a value.
        add_line(line, section_ == SectionKind::kLog ? LineOrigin::kLog : LineOrigin::kDescription);
      }
      return;
    }
    if (auto fence = match_fence_open(line.text)) {
      fence_ = fence;
      section_has_fence_ = true;
      return;
    }
    const std::string_view text = trim(line.text);
    if (text.empty()) {
      return;
    }
    if (!seen_text_) {
      seen_text_ = true;
      if (text == "#" || text.starts_with("# ")) {
        report_.title = std::string(trim(text.substr(1)));
        report_.title_line = line.number;
        return;
      }
    }
    if (auto heading = match_heading(line.text)) {
      close_section();
      section_ = heading->label->kind;
      field_ = heading->label->field;
      heading_ = heading->written;
      if (!heading->rest.empty()) {
        content(LineView{line.number, heading->rest, line.cut});
      }
      return;
    }
    content(line);
  }

  Report finish() {
    close_section();
    report_.kind = ReportKind::kIssueReport;
    std::stable_sort(report_.log_lines.begin(), report_.log_lines.end(),
                     [](const LogLine& a, const LogLine& b) { return a.number < b.number; });
    return std::move(report_);
  }

 private:
  void add_line(const LineView& line, LineOrigin origin) {
    report_.log_lines.push_back(
        LogLine{line.number, std::string(line.text), origin, line.truncated()});
  }

  void content(const LineView& line) {
    switch (section_) {
      case SectionKind::kDescription:
        // Facts stated in passing ("- TensorFlow version: 2.4") count when nothing else said
        // them; the line is still scanned.
        if (auto bullet = match_bullet(line.text)) {
          if (const Label* label = field_label(bullet->key); label != nullptr) {
            set_if_unset(label->field, bullet->value);
          }
        }
        add_line(line, LineOrigin::kDescription);
        return;
      case SectionKind::kEnvValue:
        value_lines_.emplace_back(trim(line.text));
        return;
      case SectionKind::kEnvBullets:
        if (auto bullet = match_bullet(line.text)) {
          const Label* label = field_label(bullet->key);
          assign(label != nullptr ? label->field : EnvField::kNone, bullet->key, bullet->value);
        } else {
          add_line(line, LineOrigin::kDescription);
        }
        return;
      case SectionKind::kLog:
        unfenced_log_.push_back(
            LogLine{line.number, std::string(line.text), LineOrigin::kLog, line.truncated()});
        return;
    }
  }

  void close_section() {
    if (section_ == SectionKind::kEnvValue) {
      assign(field_, heading_, join(value_lines_, "\n"));
    } else if (section_ == SectionKind::kLog) {
      // Text beside a fenced log ("Here is the output:") is the reporter's, not the log's.
      for (LogLine& log_line : unfenced_log_) {
        if (section_has_fence_) {
          log_line.origin = LineOrigin::kDescription;
        }
        report_.log_lines.push_back(std::move(log_line));
      }
    }
    value_lines_.clear();
    unfenced_log_.clear();
    section_has_fence_ = false;
    section_ = SectionKind::kDescription;
    field_ = EnvField::kNone;
    heading_ = {};
  }

  std::string* slot(EnvField field) {
    ReportEnv& env = report_.env;
    switch (field) {
      case EnvField::kTfVersion:
        return &env.tf_version;
      case EnvField::kOs:
        return &env.os;
      case EnvField::kPython:
        return &env.python;
      case EnvField::kCuda:
        return &env.cuda;
      case EnvField::kCudnn:
        return &env.cudnn;
      case EnvField::kDriver:
        return &env.driver;
      case EnvField::kGpu:
        return &env.gpu;
      case EnvField::kInstallMethod:
        return &env.install_method;
      case EnvField::kNone:
      case EnvField::kCudaAndCudnn:
        return nullptr;
    }
    return nullptr;
  }

  // Set `field` from a value found in passing; returns whether it was set.
  bool set_if_unset(EnvField field, std::string_view value) {
    value = trim(value);
    if (value.empty() || is_placeholder(value)) {
      return true;  // nothing stated, nothing to keep
    }
    if (field == EnvField::kCudaAndCudnn) {
      if (!report_.env.cuda.empty() || !report_.env.cudnn.empty()) {
        return false;
      }
      const auto [cuda, cudnn] = split_cuda_cudnn(value);
      report_.env.cuda = std::string(cuda);
      // "N/A" or "none" for both says there is none of either; "11.2" alone says nothing of cuDNN.
      const bool has_digit = cuda.find_first_of("0123456789") != std::string_view::npos;
      report_.env.cudnn = std::string(cudnn.empty() && !has_digit ? cuda : cudnn);
      return true;
    }
    std::string* target = slot(field);
    if (target == nullptr || !target->empty()) {
      return false;
    }
    *target = std::string(value);
    return true;
  }

  // A stated fact: into its field, or into `other` under `key` (no field, or the field was
  // already stated).
  void assign(EnvField field, std::string_view key, std::string_view value) {
    value = trim(value);
    if (value.empty() || is_placeholder(value)) {
      return;
    }
    if (!set_if_unset(field, value)) {
      report_.env.other.push_back(EnvDetail{std::string(key), std::string(value)});
    }
  }

  Report report_;
  SectionKind section_ = SectionKind::kDescription;
  EnvField field_ = EnvField::kNone;
  // A copy: the line it came from is gone by the time the section closes (a line the splitter
  // assembled lives in its own buffer only during the callback).
  std::string heading_;
  std::vector<std::string> value_lines_;
  std::vector<LogLine> unfenced_log_;
  bool section_has_fence_ = false;
  std::optional<Fence> fence_;
  bool seen_text_ = false;
};

}  // namespace

bool looks_like_issue_report(std::string_view head) {
  head = head.substr(0, std::min(head.size(), kIssueReportProbeBytes));
  bool found = false;
  int fact_bullets = 0;
  std::optional<Fence> fence;
  for_each_line(head, [&](const LineView& line) {
    if (found) {
      return;
    }
    if (fence) {
      if (closes_fence(line.text, *fence)) {
        fence.reset();
      }
      return;
    }
    if ((fence = match_fence_open(line.text))) {
      return;
    }
    if (match_heading(line.text)) {
      found = true;
    } else if (auto bullet = match_bullet(line.text); bullet && field_label(bullet->key)) {
      found = ++fact_bullets >= 2;
    }
  });
  return found;
}

Report parse_report(std::string_view text) {
  if (text.size() <= kMaxIssueReportBytes && looks_like_issue_report(text)) {
    IssueReportParser parser;
    for_each_line(text, [&](const LineView& line) { parser.line(line); });
    return parser.finish();
  }
  Report report;
  report.kind = ReportKind::kRawLog;
  for_each_line(text, [&](const LineView& line) {
    report.log_lines.push_back(
        LogLine{line.number, std::string(line.text), LineOrigin::kLog, line.truncated()});
  });
  return report;
}

}  // namespace tfgpu::explain
