// SPDX-License-Identifier: Apache-2.0
// `tfgpu explain [FILE|-]`: name the cause of a failure from a log or a pasted issue report.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tfgpu/cli/commands.h"
#include "tfgpu/cli/common.h"
#include "tfgpu/explain/diagnose.h"
#include "tfgpu/explain/here.h"
#include "tfgpu/explain/line_reader.h"
#include "tfgpu/explain/matcher.h"
#include "tfgpu/explain/report.h"
#include "tfgpu/probe/probe.h"

namespace tfgpu::cli {
namespace {

struct ExplainArgs {
  std::string input = "-";
  std::vector<std::string> env;
  bool here = false;
  ProbeArgs probe;
  std::string kb_dir;
  OutputOptions output;
};

struct Explained {
  explain::ReportKind kind = explain::ReportKind::kRawLog;
  explain::Explanation explanation;
};

// Read up to `limit` bytes (fewer at end of input). Fails naming the input.
Result<std::string> read_up_to(int fd, std::size_t limit, const std::string& name) {
  std::string data;
  std::vector<char> buffer(explain::kReadBufferBytes);
  while (data.size() < limit) {
    const std::size_t want = std::min(buffer.size(), limit - data.size());
    const ssize_t got = ::read(fd, buffer.data(), want);
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return make_error(Errc::kIo, name + ": read failed: " + std::strerror(errno));
    }
    if (got == 0) {
      break;
    }
    data.append(buffer.data(), static_cast<std::size_t>(got));
  }
  return data;
}

// An issue report is small and needs its whole text (sections, fences) to be parsed; anything
// else is a log of any size, matched line by line as it is read so only evidence lines are kept.
Result<Explained> explain_input(int fd, const std::string& name, const kb::KnowledgeBase& kb,
                                const explain::EnvFacts& extra) {
  auto matcher = explain::SignatureMatcher::compile(kb);
  if (!matcher) {
    return tl::unexpected(matcher.error());
  }
  auto head = read_up_to(fd, explain::kIssueReportProbeBytes, name);
  if (!head) {
    return tl::unexpected(head.error());
  }
  Explained result;
  if (explain::looks_like_issue_report(*head)) {
    // One byte past the cap tells a report that is too large from one exactly at it.
    auto rest = read_up_to(fd, explain::kMaxIssueReportBytes + 1 - head->size(), name);
    if (!rest) {
      return tl::unexpected(rest.error());
    }
    std::string text = std::move(*head) + *rest;
    if (text.size() <= explain::kMaxIssueReportBytes) {
      const auto report = explain::parse_report(text);
      result.kind = report.kind;
      result.explanation = explain::explain(report, kb, *matcher, extra);
      return result;
    }
    head = std::move(text);  // too large for a report: read on as a raw log
  }
  explain::Diagnoser diagnoser(kb, *matcher);
  explain::LineSplitter splitter(
      [&](const explain::LineView& line) { diagnoser.add_line(line.number, line.text); });
  splitter.feed(*head);
  head->clear();
  head->shrink_to_fit();
  auto read = explain::read_lines(fd, name, splitter);
  if (!read) {
    return tl::unexpected(read.error());
  }
  result.explanation = diagnoser.finish(explain::merged_env(explain::ReportEnv{}, extra));
  return result;
}

// Open `path` for reading ("-": standard input). Fails naming the path.
Result<int> open_input(const std::string& path) {
  if (path == "-") {
    return STDIN_FILENO;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    const Errc code = error == ENOENT   ? Errc::kNotFound
                      : error == EACCES ? Errc::kPermissionDenied
                                        : Errc::kIo;
    return make_error(code, path + ": cannot open: " + std::strerror(error));
  }

  struct stat info {};

  if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    ::close(fd);
    return make_error(Errc::kInvalidArgument, path + ": is a directory, not a log file");
  }
  return fd;
}

int percent(double confidence) {
  return static_cast<int>(std::lround(confidence * 100.0));
}

std::string noise_list(const explain::Explanation& explanation) {
  std::string ids;
  for (const auto& cause : explanation.causes) {
    ids += (ids.empty() ? "" : ", ") + cause.id;
  }
  return ids;
}

void print_text(const explain::Explanation& explanation, const report::TextStyle& style) {
  if (explanation.causes.empty()) {
    std::cout << style.mark(report::Mark::kInfo) << " No known failure signature in "
              << explanation.lines_scanned << " lines\n";
    return;
  }
  if (explanation.noise_only) {
    std::cout << style.mark(report::Mark::kOk) << " No failure found: only known noise ("
              << noise_list(explanation) << ")\n";
    return;
  }
  int rank = 0;
  for (const auto& cause : explanation.causes) {
    if (cause.kind == kb::CauseKind::kNoise) {
      continue;  // noise beside a failure is not worth the reader's time in text
    }
    ++rank;
    std::cout << (rank == 1 ? style.mark(report::Mark::kError) : style.mark(report::Mark::kWarning))
              << " " << rank << ". " << cause.id << " (" << percent(cause.confidence) << " %)\n   "
              << cause.summary << "\n";
    for (const auto& evidence : cause.evidence) {
      if (evidence.line == 0) {
        std::cout << "     " << evidence.text << "\n";
      } else {
        std::cout << "     L" << evidence.line << ": " << evidence.text << "\n";
      }
    }
    std::cout << "   fix: " << cause.fix << "\n";
  }
}

nlohmann::json to_json(const Explained& explained, const std::string& input) {
  nlohmann::json causes = nlohmann::json::array();
  for (const auto& cause : explained.explanation.causes) {
    nlohmann::json evidence = nlohmann::json::array();
    for (const auto& line : cause.evidence) {
      evidence.push_back({{"line", line.line}, {"text", line.text}});
    }
    causes.push_back({{"id", cause.id},
                      {"confidence", std::round(cause.confidence * 1000.0) / 1000.0},
                      {"summary", cause.summary},
                      {"kind", kb::cause_kind_name(cause.kind)},
                      {"evidence", std::move(evidence)},
                      {"fix", cause.fix}});
  }
  return {
      {"schema", "tfgpu.explain/1"},
      {"tool_version", kToolVersion},
      {"input", input == "-" ? "standard input" : input},
      {"kind", explained.kind == explain::ReportKind::kIssueReport ? "issue_report" : "raw_log"},
      {"lines_scanned", explained.explanation.lines_scanned},
      {"noise_only", explained.explanation.noise_only},
      {"causes", std::move(causes)}};
}

// This machine's facts as the stated environment (`--here`): the log was captured here.
Result<explain::EnvFacts> here_facts(const ProbeArgs& probe_args, const probe::Environment& env) {
  auto probed_env = probed_environment(probe_args, env);
  if (!probed_env) {
    return tl::unexpected(probed_env.error());
  }
  const auto facts = probe::probe_machine(probe_options(probe_args, *probed_env));
  return explain::env_from_facts(facts);
}

int run_explain(const ExplainArgs& args, const probe::Environment& env) {
  explain::EnvFacts extra;
  if (args.here) {
    auto here = here_facts(args.probe, env);
    if (!here) {
      return input_error(here.error().with_context("--here"));
    }
    extra = std::move(*here);
  }
  for (const auto& fact : args.env) {
    const auto equals = fact.find('=');
    if (equals == std::string::npos) {
      return input_error(
          Error{Errc::kInvalidArgument, "--env " + fact + ": not KEY=VALUE", std::nullopt});
    }
    auto set = explain::set_env_fact(extra, fact.substr(0, equals), fact.substr(equals + 1));
    if (!set) {
      return input_error(set.error().with_context("--env " + fact));
    }
  }
  auto kb = load_knowledge_base(args.kb_dir);
  if (!kb) {
    return input_error(kb.error());
  }
  auto fd = open_input(args.input);
  if (!fd) {
    return input_error(fd.error());
  }
  const std::string name = args.input == "-" ? "standard input" : args.input;
  auto explained = explain_input(*fd, name, *kb, extra);
  if (*fd != STDIN_FILENO) {
    ::close(*fd);
  }
  if (!explained) {
    return input_error(explained.error());
  }
  if (args.output.json) {
    // Logs hold any bytes; JSON needs UTF-8, so invalid sequences are printed as U+FFFD.
    std::cout << to_json(*explained, args.input)
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    print_text(explained->explanation, text_style(args.output, env, env));
  }
  return explained->explanation.causes.empty() ? kExitNotReady : kExitReady;
}

}  // namespace

Command add_explain_command(CLI::App& app) {
  auto args = std::make_shared<ExplainArgs>();
  auto* command = app.add_subcommand(
      "explain", "name the cause of a TensorFlow GPU failure from a log or a pasted issue report");
  command->add_option("input", args->input,
                      "the log or report to read (default -: standard input)");
  command
      ->add_option("--env", args->env,
                   "add or override a stated fact: tf_version, os, python, cuda, cudnn, driver, "
                   "gpu or install_method (KEY=VALUE, repeatable)")
      ->allow_extra_args(false);  // one KEY=VALUE per --env: a following path is the input
  command->add_flag("--here", args->here,
                    "the log comes from this machine: probe it and use its facts as the stated "
                    "environment (over the report's; --env still overrides)");
  add_machine_flags(*command, args->probe);  // with --here: which machine, as for doctor
  command->add_flag("--json", args->output.json, "print JSON (schema tfgpu.explain/1)");
  command->add_option("--kb", args->kb_dir,
                      "read the knowledge base from DIR instead of the embedded copy");
  command->add_option("--color", args->output.color, "colour: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  command->add_flag("--ascii", args->output.ascii, "ASCII marks instead of Unicode");
  command->footer(
      "Exit codes:\n"
      "  0  a cause was found, or only known noise\n"
      "  1  no known failure signature\n"
      "  2  usage or input error\n");
  return Command{command, [args](const probe::Environment& env) {
                   return run_explain(*args, env);
                 }};
}

}  // namespace tfgpu::cli
