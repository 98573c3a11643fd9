// SPDX-License-Identifier: Apache-2.0
#pragma once
// What `tfgpu install` records and reports. The record (InstallRecord, schema
// "tfgpu.install-record/1") lives in the virtual environment it installs into, as
// DIR/.tfgpu-install.json, written before each step starts and after it ends: a venv whose record
// is not `complete` was left by an interrupted or failed install, and a re-run resumes after the
// steps the record marks done. The report (InstallReport, schema "tfgpu.install/1") is what one
// run did, for the text and JSON output. Plain data: install/ produces both.

#include <optional>
#include <string>
#include <vector>

namespace tfgpu::model {

inline constexpr const char* kInstallRecordSchema = "tfgpu.install-record/1";
inline constexpr const char* kInstallReportSchema = "tfgpu.install/1";
// The record's file name inside the venv.
inline constexpr const char* kInstallRecordFile = ".tfgpu-install.json";

enum class StepState {
  kPending,  // not started
  kRunning,  // started and not finished: the install was killed while it ran
  kDone,
  kFailed,  // ended with an error, a timeout or an interruption (detail says which)
};

// "pending", "running", "done", "failed"; and back (nullopt for anything else).
const char* step_state_name(StepState state);
std::optional<StepState> step_state_from(std::string_view name);

struct RecordedStep {
  std::string id;                     // the plan step's id: "venv", "pip", "link_libraries" …
  std::vector<std::string> commands;  // exactly what runs, in order
  StepState state = StepState::kPending;
  std::string detail;       // "exit 1", "timeout after 1800 s", "interrupted (SIGINT)"
  std::string finished_at;  // UTC, ISO 8601; empty until it ends

  bool operator==(const RecordedStep&) const = default;
};

struct InstallRecord {
  std::string schema = kInstallRecordSchema;
  std::string tool_version;
  std::string venv;        // absolute
  std::string tensorflow;  // the version the plan installs: "2.21.0"
  std::string started_at;
  std::string updated_at;
  // True once every step is done. False while an install runs, and after one that failed or was
  // interrupted: the venv is then incomplete.
  bool complete = false;
  std::vector<RecordedStep> steps;

  bool operator==(const InstallRecord&) const = default;
};

// What happened to one plan step in this run.
enum class StepOutcomeKind {
  kRan,          // ran to the end with exit 0
  kAlreadyDone,  // done by an earlier run (the record says so) or already true (an existing venv)
  kWouldRun,     // --dry-run
  kFailed,       // a command exited non-zero, could not start, or was killed by a signal
  kTimedOut,
  kInterrupted,  // SIGINT/SIGTERM/SIGHUP while it ran
  kNotReached,   // an earlier step failed
  kShownOnly,    // needs root (or another machine): printed for the user, never run
};

const char* step_outcome_name(StepOutcomeKind kind);

struct StepRun {
  std::string id;
  std::string title;
  std::vector<std::string> commands;
  StepOutcomeKind outcome = StepOutcomeKind::kNotReached;
  std::string detail;  // why it was skipped or how it failed
  double seconds = 0;  // wall time of its commands in this run
  bool needs_root = false;
  bool reboot = false;
};

struct InstallReport {
  std::string schema = kInstallReportSchema;
  std::string tool_version;
  std::string venv;
  std::string python;      // the interpreter of the venv once made: DIR/bin/python
  std::string tensorflow;  // "2.21.0"
  bool dry_run = false;
  // A record from an earlier, unfinished run was found and the steps it marks done were skipped.
  bool resumed = false;
  std::vector<StepRun> steps;  // every plan step, in the plan's order (verify excluded)
  // Every user-space step is done: the record says complete.
  bool complete = false;
  std::string problem;  // why not complete, in words; empty when complete or a dry run
};

}  // namespace tfgpu::model
