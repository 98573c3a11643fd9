// SPDX-License-Identifier: Apache-2.0
#pragma once
// `tfgpu verify` through the user's own TensorFlow: tensorflow_check.py (embedded at build time)
// runs in a child Python with a timeout, soft device placement off and memory growth set before
// anything touches a GPU; its result comes back as one JSON line, and everything else the child
// printed (TensorFlow's log) is kept for `explain`.

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/explain/report.h"
#include "tfgpu/kb/knowledge_base.h"
#include "tfgpu/model/verification.h"

namespace tfgpu::verify {

// The script's text (src/tfgpu/verify/tensorflow_check.py).
extern const char* const kTensorflowCheckScript;

inline constexpr std::string_view kResultMarker = "TFGPU-RESULT ";
inline constexpr std::chrono::seconds kDefaultTensorflowTimeout{120};

struct TfGpu {
  std::string name;         // "/physical_device:GPU:0"
  std::string device_name;  // "NVIDIA H100 80GB HBM3"
  std::string compute_capability;
};

struct TfMemoryGrowth {
  std::string name;
  bool ok = false;
  std::string error;
};

struct TfMatmul {
  int size = 0;
  std::string device;  // the result's .device: "/job:localhost/replica:0/task:0/device:GPU:0"
  double max_relative_error = 0;
  double seconds = 0;
  bool tensorfloat32 = false;
  std::string error;  // "InvalidArgumentError: Could not satisfy device specification …"
};

struct TensorflowRun {
  std::string python;   // the interpreter run
  std::string outcome;  // the child's end: "exited", "exited 1", "timeout", "signal SIGSEGV"
  std::chrono::milliseconds elapsed{0};
  bool has_result = false;     // the result line was printed and parsed
  std::string result_problem;  // why not, when not

  std::string python_version;
  std::string tensorflow_version;
  std::string import_error;  // "ImportError: libcudart.so.11.0: cannot open shared object file"
  std::string error;         // an unforeseen exception in the script
  std::map<std::string, std::string> build_info;
  std::vector<TfGpu> physical_gpus;
  std::vector<TfMemoryGrowth> memory_growth;
  std::vector<std::string> logical_gpus;
  std::vector<TfMatmul> matmuls;
  std::vector<std::string> log;  // every other line the child printed, in order
};

// Split the child's output into the result line (parsed) and the log lines.
TensorflowRun parse_tensorflow_output(std::string_view output);

struct TensorflowRunOptions {
  std::string python;            // interpreter path
  std::vector<std::string> env;  // the child's whole environment, "NAME=value"
  std::chrono::milliseconds timeout = kDefaultTensorflowTimeout;
  int matmul_size = 4096;  // the larger matmul (a 1000x1000 one runs first)
};

// Run the script. Fails only when the child cannot be started; a timeout, a crash or a script
// that printed no result is a TensorflowRun saying so.
Result<TensorflowRun> run_tensorflow_check(const TensorflowRunOptions& options);

struct TensorflowVerifyOptions {
  TensorflowRunOptions run;
  // What the machine is, for explain's environment rules (explain::env_from_facts); the run's own
  // TensorFlow and Python versions are put over it.
  explain::ReportEnv stated_env;
  std::string why_not;                   // doctor's verdict for this environment, when not ready
  std::vector<std::string> predictions;  // said before starting ("PTX JIT: …")
};

// The run as verify's steps: import, build, list_devices, memory_growth, one matmul_gpu per
// matmul (pinned to GPU:0, soft placement off: where it ran and its error against float64, with
// TF32 taken into account where TensorFlow uses it), and explain's causes from TensorFlow's log.
model::TensorflowVerification to_verification(const TensorflowRun& run, const kb::KnowledgeBase& kb,
                                              const TensorflowVerifyOptions& options);

// run_tensorflow_check + to_verification. Fails only when the child cannot be started.
Result<model::TensorflowVerification> verify_tensorflow(const TensorflowVerifyOptions& options,
                                                        const kb::KnowledgeBase& kb);

}  // namespace tfgpu::verify
