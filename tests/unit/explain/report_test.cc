// SPDX-License-Identifier: Apache-2.0
// parse_report: every record of the case corpus (tests/data/cases/dev.jsonl) turned into the
// report text users paste, exactly as the corpus's to_report.py does, must give back the stated
// environment and the log lines with their line numbers; then the shapes and bytes the corpus
// lacks (the old template, raw logs, CRLF, NUL, invalid UTF-8, huge lines, fences).
#include "tfgpu/explain/report.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "case_report.h"
#include "tfgpu/explain/line_reader.h"

namespace tfgpu::explain {
namespace {

using test_support::build_report;
using test_support::BuiltReport;
using test_support::case_indexes;
using test_support::cases;
using test_support::py_str;
using test_support::py_strip;
using test_support::stated;
using Json = test_support::Json;

TEST(CaseCorpus, HoldsTheCopiedRecords) {
  // 53 records at the time of copying; a failed read or a truncated copy must not pass as an
  // empty parameterised suite.
  EXPECT_EQ(cases().size(), 53u);
}

class CorpusRoundTrip : public ::testing::TestWithParam<std::size_t> {};

TEST_P(CorpusRoundTrip, RecoversEnvironmentAndLogLines) {
  const Json& record = cases()[GetParam()];
  const BuiltReport built = build_report(record);
  SCOPED_TRACE(built.text.substr(0, 2000));
  ASSERT_TRUE(looks_like_issue_report(built.text.substr(0, kIssueReportProbeBytes)));
  const Report report = parse_report(built.text);

  EXPECT_EQ(report.kind, ReportKind::kIssueReport);
  EXPECT_EQ(report.title, py_strip(record.value("title", "")));

  Json env = record.contains("env") && record["env"].is_object() ? record["env"] : Json::object();
  auto expected_field = [&](const char* key) {
    std::string value;
    if (env.contains(key) && stated(env[key])) {
      value = py_strip(py_str(env[key]));
    }
    env.erase(key);
    return value;
  };
  EXPECT_EQ(report.env.tf_version, expected_field("tf_version"));
  EXPECT_EQ(report.env.os, expected_field("os"));
  EXPECT_EQ(report.env.python, expected_field("python"));
  EXPECT_EQ(report.env.install_method, expected_field("install_method"));
  EXPECT_EQ(report.env.cuda, expected_field("cuda"));
  EXPECT_EQ(report.env.cudnn, expected_field("cudnn"));
  EXPECT_EQ(report.env.driver, expected_field("driver"));
  EXPECT_EQ(report.env.gpu, expected_field("gpu"));
  std::vector<EnvDetail> expected_other;
  for (auto it = env.begin(); it != env.end(); ++it) {
    if (stated(*it)) {
      expected_other.push_back(EnvDetail{it.key(), py_strip(py_str(*it))});
    }
  }
  ASSERT_EQ(report.env.other.size(), expected_other.size());
  for (std::size_t i = 0; i < expected_other.size(); ++i) {
    EXPECT_EQ(report.env.other[i].key, expected_other[i].key);
    EXPECT_EQ(report.env.other[i].value, expected_other[i].value);
  }

  // The log as the fence holds it: log.rstrip("\n").split("\n"), numbered from the fence.
  std::string log = record.value("log", "");
  ASSERT_EQ(log.find('\r'), std::string::npos) << "a CR would make the expected split differ";
  while (!log.empty() && log.back() == '\n') {
    log.pop_back();
  }
  std::vector<LogLine> expected_lines;
  std::uint64_t number = built.first_log_line;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = log.find('\n', start);
    expected_lines.push_back(LogLine{number++, log.substr(start, end - start)});
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  ASSERT_EQ(report.log_lines.size(), expected_lines.size());
  for (std::size_t i = 0; i < expected_lines.size(); ++i) {
    EXPECT_EQ(report.log_lines[i].number, expected_lines[i].number);
    EXPECT_EQ(report.log_lines[i].text, expected_lines[i].text);
    EXPECT_FALSE(report.log_lines[i].from_description()) << "line " << expected_lines[i].number;
    EXPECT_FALSE(report.log_lines[i].truncated);
  }
}

INSTANTIATE_TEST_SUITE_P(Dev, CorpusRoundTrip, ::testing::ValuesIn(case_indexes()),
                         [](const ::testing::TestParamInfo<std::size_t>& param_info) {
                           std::string name = cases()[param_info.param].value("id", "case");
                           std::replace_if(
                               name.begin(), name.end(),
                               [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
                               '_');
                           return name;
                         });

// --- hand-written shapes --------------------------------------------------------------------

std::vector<std::string> texts(const std::vector<LogLine>& lines, LineOrigin origin) {
  std::vector<std::string> out;
  for (const LogLine& line : lines) {
    if (line.origin == origin) {
      out.push_back(line.text);
    }
  }
  return out;
}

TEST(ParseReport, OldSystemInformationTemplate) {
  const std::string text =
      "**System information**\n"
      "- Have I written custom code (as opposed to using a stock example script provided in "
      "TensorFlow): no\n"
      "- OS Platform and Distribution (e.g., Linux Ubuntu 16.04): Ubuntu 18.04\n"
      "- TensorFlow installed from (source or binary): binary\n"
      "- TensorFlow version (use command below): 2.0\n"
      "- Python version: 3.6.9\n"
      "- Bazel version (if compiling from source):\n"
      "- CUDA/cuDNN version: 10.0 / 7.6\n"
      "- GPU model and memory: GTX 1080 Ti, 11 GB\n"
      "\n"
      "**Describe the current behavior**\n"
      "GPU is not used.\n"
      "\n"
      "**Other info / logs**\n"
      "```\n"
      "2019-10-01 12:00:00.000000: W tensorflow/stream_executor/platform/default/"
      "dso_loader.cc:55] Could not load dynamic library 'libcudart.so.10.0'\n"
      "```\n";
  const Report report = parse_report(text);
  EXPECT_EQ(report.kind, ReportKind::kIssueReport);
  EXPECT_EQ(report.env.os, "Ubuntu 18.04");
  EXPECT_EQ(report.env.install_method, "binary");
  EXPECT_EQ(report.env.tf_version, "2.0");
  EXPECT_EQ(report.env.python, "3.6.9");
  EXPECT_EQ(report.env.cuda, "10.0");
  EXPECT_EQ(report.env.cudnn, "7.6");
  EXPECT_EQ(report.env.gpu, "GTX 1080 Ti, 11 GB");
  ASSERT_EQ(report.env.other.size(), 1u);  // the empty Bazel bullet states nothing
  EXPECT_EQ(report.env.other[0].value, "no");
  ASSERT_EQ(report.log_lines.size(), 2u);
  EXPECT_EQ(report.log_lines[0], (LogLine{12, "GPU is not used.", LineOrigin::kDescription}));
  EXPECT_EQ(report.log_lines[1].number, 16u);
  EXPECT_EQ(report.log_lines[1].origin, LineOrigin::kLog);
  EXPECT_NE(report.log_lines[1].text.find("libcudart.so.10.0"), std::string::npos);
}

TEST(ParseReport, TolerantHeadings) {
  const std::string text =
      "## Tensorflow Version:\n"
      "2.15.0\n"
      "#### OS Platform & Distribution (e.g., Linux Ubuntu 16.04)\n"
      "Ubuntu 22.04\n"
      "**GPU model and memory**: RTX 3090, 24GB\n"
      "### CUDA / cuDNN version ###\n"
      "CUDA 12.2, cuDNN 8.9\n"
      "### Python version\n"
      "_No response_\n"
      "### Bazel version\n"
      "6.1\n"
      "### Relevant Log Output\n"
      "E external/local_xla/xla/stream_executor/cuda/cuda_driver.cc:282] failed call to cuInit\n";
  const Report report = parse_report(text);
  EXPECT_EQ(report.kind, ReportKind::kIssueReport);
  EXPECT_EQ(report.env.tf_version, "2.15.0");
  EXPECT_EQ(report.env.os, "Ubuntu 22.04");
  EXPECT_EQ(report.env.gpu, "RTX 3090, 24GB");
  EXPECT_EQ(report.env.cuda, "CUDA 12.2");
  EXPECT_EQ(report.env.cudnn, "cuDNN 8.9");
  EXPECT_EQ(report.env.python, "");
  EXPECT_EQ(report.env.other, (std::vector<EnvDetail>{{"Bazel version", "6.1"}}));
  // No fence under the log heading: the section's text is the log.
  ASSERT_EQ(report.log_lines.size(), 1u);
  EXPECT_EQ(report.log_lines[0].number, 13u);
  EXPECT_EQ(report.log_lines[0].origin, LineOrigin::kLog);
}

TEST(ParseReport, SecondValueForAFieldGoesToOther) {
  const Report report = parse_report(
      "### CUDA version\n11.8\n### Other environment details\n- cuda: 12.1 in conda\n"
      "- cpu: i7\n");
  EXPECT_EQ(report.env.cuda, "11.8");
  EXPECT_EQ(report.env.other, (std::vector<EnvDetail>{{"cuda", "12.1 in conda"}, {"cpu", "i7"}}));
}

TEST(ParseReport, CombinedCudaCudnnValues) {
  EXPECT_EQ(parse_report("### CUDA/cuDNN version\n11.2/8 in conda env\n").env.cudnn,
            "8 in conda env");
  const Report none = parse_report("### CUDA/cuDNN version\nN/A\n");
  EXPECT_EQ(none.env.cuda, "N");  // "/" splits: read as written, the checks parse versions
  const Report single = parse_report("### CUDA/cuDNN version\n11.2\n");
  EXPECT_EQ(single.env.cuda, "11.2");
  EXPECT_EQ(single.env.cudnn, "");
  const Report word = parse_report("### CUDA/cuDNN version\nnone\n");
  EXPECT_EQ(word.env.cuda, "none");
  EXPECT_EQ(word.env.cudnn, "none");
}

TEST(ParseReport, DescriptionLinesAreKeptAndMarked) {
  const std::string text =
      "# GPU not found\n"
      "\n"
      "I see this when I start Python:\n"
      "2023-01-01 W tensorflow/core/common_runtime/gpu/gpu_device.cc:1960] Cannot dlopen some GPU "
      "libraries.\n"
      "### TensorFlow version\n"
      "2.12\n"
      "### Relevant log output\n"
      "Here is the full log:\n"
      "```\n"
      "Skipping registering GPU devices...\n"
      "```\n"
      "Thanks!\n";
  const Report report = parse_report(text);
  EXPECT_EQ(report.title, "GPU not found");
  EXPECT_EQ(texts(report.log_lines, LineOrigin::kLog),
            (std::vector<std::string>{"Skipping registering GPU devices..."}));
  std::vector<std::uint64_t> numbers;
  for (const LogLine& line : report.log_lines) {
    numbers.push_back(line.number);
  }
  EXPECT_EQ(numbers, (std::vector<std::uint64_t>{3, 4, 8, 10, 12}));
  EXPECT_TRUE(report.log_lines[1].from_description());
  EXPECT_TRUE(report.log_lines[2].from_description());  // beside a fenced log
  EXPECT_TRUE(report.log_lines[4].from_description());
}

TEST(ParseReport, HeadingInsideAFenceStaysALogLine) {
  const std::string text =
      "### Relevant log output\n"
      "```shell\n"
      "### TensorFlow version\n"
      "**System information**\n"
      "# packages in environment at /opt/conda:\n"
      "```\n"
      "### Python version\n"
      "3.11\n";
  const Report report = parse_report(text);
  EXPECT_EQ(texts(report.log_lines, LineOrigin::kLog),
            (std::vector<std::string>{"### TensorFlow version", "**System information**",
                                      "# packages in environment at /opt/conda:"}));
  EXPECT_EQ(report.env.tf_version, "");
  EXPECT_EQ(report.env.python, "3.11");
}

TEST(ParseReport, UnclosedFenceRunsToTheEnd) {
  const Report report =
      parse_report("### Relevant log output\n~~~~\nline one\n### GPU model and memory\nT4\n");
  EXPECT_EQ(texts(report.log_lines, LineOrigin::kLog),
            (std::vector<std::string>{"line one", "### GPU model and memory", "T4"}));
  EXPECT_EQ(report.env.gpu, "");
}

TEST(ParseReport, RawLogKeepsEveryLine) {
  const std::string text =
      "2024-03-01 I tensorflow/core/util/port.cc:113] oneDNN custom operations are on.\n"
      "\n"
      "# packages in environment at /home/u/miniconda3:\n"
      "## GPU\n"
      "- python: 3.10\n"
      "Traceback (most recent call last):\n";
  const Report report = parse_report(text);
  EXPECT_EQ(report.kind, ReportKind::kRawLog);
  EXPECT_EQ(report.title, "");
  EXPECT_EQ(report.env, ReportEnv{});
  ASSERT_EQ(report.log_lines.size(), 6u);
  for (std::size_t i = 0; i < report.log_lines.size(); ++i) {
    EXPECT_EQ(report.log_lines[i].number, i + 1);
    EXPECT_EQ(report.log_lines[i].origin, LineOrigin::kLog);
  }
  EXPECT_EQ(report.log_lines[1].text, "");
}

TEST(ParseReport, EmptyInput) {
  const Report report = parse_report("");
  EXPECT_EQ(report.kind, ReportKind::kRawLog);
  EXPECT_TRUE(report.log_lines.empty());
  EXPECT_FALSE(looks_like_issue_report(""));
}

TEST(ParseReport, CrlfReport) {
  const Report report = parse_report(
      "# Title\r\n\r\n### TensorFlow version\r\n\r\n2.16.1\r\n\r\n### Relevant log output\r\n\r\n"
      "```shell\r\nfirst\r\nsecond\r\n```\r\n");
  EXPECT_EQ(report.title, "Title");
  EXPECT_EQ(report.env.tf_version, "2.16.1");
  ASSERT_EQ(report.log_lines.size(), 2u);
  EXPECT_EQ(report.log_lines[0], (LogLine{10, "first"}));
  EXPECT_EQ(report.log_lines[1], (LogLine{11, "second"}));
}

TEST(ParseReport, NulAndInvalidUtf8AreKeptAsBytes) {
  const std::string log_line("bad \0 byte \xff\xc3 here", 18);
  const Report report = parse_report("### Relevant log output\n```\n" + log_line +
                                     "\n```\n### OS platform and distribution\n\xfe\xff\n");
  ASSERT_EQ(report.log_lines.size(), 1u);
  EXPECT_EQ(report.log_lines[0].text, log_line);
  EXPECT_EQ(report.env.os, "\xfe\xff");
  const Report raw = parse_report(std::string("\0\0\n\xff\n", 5));
  EXPECT_EQ(raw.kind, ReportKind::kRawLog);
  ASSERT_EQ(raw.log_lines.size(), 2u);
  EXPECT_EQ(raw.log_lines[0].text, std::string("\0\0", 2));
}

TEST(ParseReport, TenMegabyteLineIsCut) {
  const std::string text =
      "### Relevant log output\n```\nstart\n" + std::string(10u << 20, 'x') + "\nend\n```\n";
  const Report report = parse_report(text);
  EXPECT_EQ(report.kind, ReportKind::kIssueReport);
  ASSERT_EQ(report.log_lines.size(), 3u);
  EXPECT_TRUE(report.log_lines[1].truncated);
  EXPECT_EQ(report.log_lines[1].text.size(), kDefaultMaxLineBytes);
  EXPECT_EQ(report.log_lines[2], (LogLine{5, "end"}));
}

TEST(ParseReport, ReportOverTheSizeCapIsARawLog) {
  std::string text = "### TensorFlow version\n2.15\n";
  while (text.size() <= kMaxIssueReportBytes) {
    text += std::string(1023, 'l') + "\n";
  }
  const Report report = parse_report(text);
  EXPECT_EQ(report.kind, ReportKind::kRawLog);
  EXPECT_EQ(report.log_lines[0].text, "### TensorFlow version");
}

TEST(LooksLikeIssueReport, KnownHeadingsOrFactBullets) {
  EXPECT_TRUE(looks_like_issue_report("text\n### GPU model and memory\nA100\n"));
  EXPECT_TRUE(looks_like_issue_report("**System information**\n"));
  EXPECT_TRUE(looks_like_issue_report("- TensorFlow version: 2.4\n- Python version: 3.8\n"));
}

TEST(LooksLikeIssueReport, OrdinaryLogsAreNot) {
  EXPECT_FALSE(looks_like_issue_report(
      "2024-01-01 W tensorflow/core/common_runtime/gpu/gpu_device.cc:2256] Cannot dlopen some GPU "
      "libraries.\nSkipping registering GPU devices...\n"));
  EXPECT_FALSE(looks_like_issue_report("### Some heading of our own\n## GPU\n# Python version\n"));
  EXPECT_FALSE(looks_like_issue_report("```\n### TensorFlow version\n```\n"));
  EXPECT_FALSE(looks_like_issue_report("- TensorFlow version: 2.4\nonly one fact bullet\n"));
  EXPECT_FALSE(looks_like_issue_report("##TensorFlow version\n"));  // not a markdown heading
}

TEST(LooksLikeIssueReport, LooksOnlyAtTheProbeWindow) {
  const std::string text =
      std::string(kIssueReportProbeBytes, 'a') + "\n### TensorFlow version\n2.15\n";
  EXPECT_FALSE(looks_like_issue_report(text));
  EXPECT_EQ(parse_report(text).kind, ReportKind::kRawLog);
}

}  // namespace
}  // namespace tfgpu::explain

namespace tfgpu::explain {
namespace {

// Found by explain_report_fuzz: a heading line the splitter assembled (lone CRs, vertical tabs)
// was kept as a view past its callback. Under ASan this read freed memory.
TEST(ParseReport, HeadingTextOutlivesTheLineItCameFrom) {
  const std::string input(
      "%\x0b+\x0b\n\n\n**source\x0b.**system infor\x0b\n\n\n**source\x0b.**system informmation: ");
  const Report report = parse_report(input);
  EXPECT_LE(report.log_lines.size(), 8U);
}

}  // namespace
}  // namespace tfgpu::explain
