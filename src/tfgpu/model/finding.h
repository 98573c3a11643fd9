// SPDX-License-Identifier: Apache-2.0
#pragma once
// What doctor concludes from the facts: findings (one per problem a check saw), a status per
// layer and one verdict per Python environment with TensorFlow. Plain data, rendered by report/
// and serialised by finding_json.h; checks/ produces it.

#include <string>
#include <vector>

#include "tfgpu/model/facts.h"

namespace tfgpu::model {

inline constexpr const char* kDoctorSchema = "tfgpu.doctor/1";

enum class Severity {
  kInfo,     // worth knowing; changes nothing
  kWarning,  // TensorFlow will use the GPU, but something is wrong or will bite later
  kError,    // TensorFlow will not use the GPU (in the finding's scope)
};

// "info", "warning", "error".
const char* severity_name(Severity severity);

// One value a check compared, and where it was read.
struct Evidence {
  std::string what;    // "kernel module version"
  std::string value;   // "535.104.05"
  std::string source;  // "/proc/driver/nvidia/version"
};

// A knowledge-base row a finding rests on.
struct KbCitation {
  std::string table;       // "driver_minimum"
  std::string row;         // "CUDA 12.5 Update 1"
  std::string confidence;  // "confirmed", "derived", "unconfirmed"
  std::vector<std::string> urls;
  std::string note;
};

struct Fix {
  std::string why;                    // one line
  std::vector<std::string> commands;  // exact, copy-pasteable, in order; may be empty (manual step)
  bool needs_root = false;
  bool reboot = false;
};

struct Finding {
  std::string id;  // stable snake_case check id: "driver_too_old_for_build"
  Severity severity = Severity::kInfo;
  std::string scope;    // "machine", or the Python environment's prefix it concerns
  std::string summary;  // one sentence
  std::vector<Evidence> evidence;
  std::vector<KbCitation> kb;
  std::vector<Fix> fixes;
  // True when the finding rests on a KB row that is not confirmed; the text says so.
  bool rests_on_unconfirmed = false;
};

enum class LayerState { kOk, kWarning, kError, kUnknown, kNotApplicable };

// "ok", "warning", "error", "unknown", "not_applicable".
const char* layer_state_name(LayerState state);

struct LayerStatus {
  std::string layer;  // "gpu", "driver", "cuda_libraries", "cudnn", "python"
  std::string label;  // "GPU", "Driver", "Python ~/venv"
  LayerState state = LayerState::kUnknown;
  std::string detail;  // "NVIDIA H100 80GB HBM3 (sm_90)"
};

struct GpuChoice {
  int index = 0;  // CUDA ordinal TensorFlow would call GPU:<index>
  std::string name;
  std::string compute_capability;  // "9.0"
  std::string source;              // "cuDeviceGetName", "pci.ids", "knowledge base"
};

struct EnvVerdict {
  std::string prefix;  // "/home/ana/venv"
  std::string interpreter;
  std::string tensorflow_package;  // "tensorflow"
  std::string tensorflow_version;  // "2.21.0"
  bool will_use_gpu = false;
  bool certain = true;  // false when a needed fact is unknown (e.g. no live check on a GPU machine)
  std::vector<GpuChoice> gpus;          // what it would use
  std::string sentence;                 // the verdict in words
  std::vector<std::string> blocked_by;  // ids of the error findings in its scope
  std::vector<std::string> warned_by;   // ids of the warning findings in its scope
  bool rests_on_unconfirmed = false;
};

struct DoctorReport {
  std::string schema = kDoctorSchema;
  std::string tool_version;
  std::string kb_origin;  // "embedded" or the --kb folder
  std::vector<LayerStatus> layers;
  std::vector<Finding> findings;  // ordered: machine first, then per environment; errors first
  std::vector<EnvVerdict> verdicts;
  // No Python environment with TensorFlow was found: the report says so and points to `tfgpu plan`.
  bool no_tensorflow = false;
  // A probe failed in a way that leaves no verdict possible (exit 3).
  bool could_not_check = false;
  std::string could_not_check_reason;
};

}  // namespace tfgpu::model
