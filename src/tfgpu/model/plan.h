// SPDX-License-Identifier: Apache-2.0
#pragma once
// What `tfgpu plan` concludes for a machine (this one or a described one): the TensorFlow to
// install (or why none can use the GPU there), the driver it needs, and the ordered steps, each
// with the knowledge-base rows it rests on. Plain data: plan/ produces it, report/ renders it,
// plan_json.h serialises it (schema "tfgpu.plan/1"), and `tfgpu install` carries out the steps a
// user may run.

#include <optional>
#include <string>
#include <vector>

#include "tfgpu/model/finding.h"

namespace tfgpu::model {

inline constexpr const char* kPlanSchema = "tfgpu.plan/1";

// The machine the plan is for, as it was described or probed; every value says where it came
// from ("--gpu", "cuDeviceGetName", "knowledge base gpu", …). Empty values are unknown.
struct PlannedMachine {
  std::string description;         // "described" (flags) or "this machine" (probed)
  std::string gpu;                 // "GeForce RTX 3060"
  std::string compute_capability;  // "8.6"
  std::string gpu_source;
  std::string driver;  // "535.104.05" (the Windows driver's version on WSL2 and Windows)
  std::string driver_source;
  std::string python;  // "3.12"
  std::string python_source;
  std::string os;  // "ubuntu-22.04", "wsl2", "windows", "macos", …
  std::string os_source;
  std::string tensorflow_pin;  // "2.15"; empty: the newest that fits
  std::string cuda_from;       // "wheels" or "system"
};

// The TensorFlow the plan installs.
struct PlannedTensorflow {
  std::optional<std::string> version;  // as pip spells it ("2.15.0.post1"); null: none can
  std::string line;                    // "2.15"
  std::string package;                 // "tensorflow[and-cuda]" or "tensorflow"
  std::string python;                  // the Python the plan uses ("3.12")
  std::string cuda;                    // what the line was built with ("12.2")
  std::string cudnn;                   // "8.9"
  std::string why;                     // why this one (or why none), in words
  std::vector<KbCitation> citations;
};

// The driver the chosen TensorFlow needs on this GPU, and whether the machine's satisfies it.
struct DriverNeed {
  std::string minimum;   // "525.60.13" (a Windows driver version on WSL2 and Windows)
  std::string platform;  // "linux" or "windows": which column of the KB rows applies
  std::string why;
  std::vector<KbCitation> citations;
  // The newest branch that still drives this GPU ("470"), when the GPU has one.
  std::string last_branch;
  std::optional<bool> satisfied;  // null when the machine's driver is unknown
};

// Something true of the plan that is not a step: PTX JIT on first use, an unconfirmed row …
struct PlanNote {
  std::string id;  // stable snake_case: "ptx_jit_first_use"
  std::string text;
  std::vector<KbCitation> citations;
};

// Another TensorFlow that fits the machine with different trade-offs (no driver upgrade, the
// Python already installed, WSL2 instead of native Windows).
struct PlanAlternative {
  std::string tensorflow;  // "2.14.0"
  std::string why;
  std::vector<KbCitation> citations;
};

struct PlanStep {
  std::string id;     // stable snake_case: "driver", "python", "venv", "pip", "link_libraries" …
  std::string title;  // "Install the NVIDIA driver (>= 525.60.13)"
  std::string why;
  std::vector<KbCitation> citations;
  std::vector<std::string> commands;  // exact, shell-quoted, in order; empty: a manual step
  bool needs_root = false;
  bool reboot = false;
  // Shown to the user, never run by `tfgpu install` (root steps, and steps outside this shell:
  // the Windows driver of a WSL2 machine).
  bool shown_only = false;
};

struct Plan {
  std::string schema = kPlanSchema;
  std::string tool_version;
  std::string kb_origin;
  PlannedMachine machine;
  PlannedTensorflow tensorflow;
  // True when the chosen TensorFlow can use this GPU once the steps are done; false when no
  // TensorFlow can (no NVIDIA GPU, macOS, a GPU too old for every wheel): exit 1.
  bool gpu_usable = false;
  std::optional<DriverNeed> driver;
  std::vector<PlanNote> notes;
  std::vector<PlanAlternative> alternatives;
  std::vector<PlanStep> steps;
  // True when a step or the choice rests on a KB row that is not confirmed.
  bool rests_on_unconfirmed = false;
};

}  // namespace tfgpu::model
