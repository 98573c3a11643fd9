// SPDX-License-Identifier: Apache-2.0
#pragma once
// What `tfgpu verify` found, as plain data: the native checks (tfgpu's own runtime on this
// machine) and the same checks through each Python environment's TensorFlow. Each check is a
// step with a status and the evidence for it; a matmul says where it ran, what it computed
// against a reference, and how fast against the GPU's peak.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tfgpu::model {

inline constexpr const char* kVerifySchema = "tfgpu.verify/1";

enum class StepStatus {
  kPass,
  kFail,
  kSkip,  // could not run here (no GPU): not a failure of what it checks
};

// "pass", "fail", "skip".
const char* step_status_name(StepStatus status);

struct VerifyStep {
  std::string id;  // "list_devices", "memory_growth", "matmul_gpu", "matmul_cpu", "import" …
  StepStatus status = StepStatus::kSkip;
  std::string summary;  // one line: "2 GPUs: NVIDIA H100 80GB HBM3 (9.0), …"
  std::string detail;   // why, when it failed or was skipped
};

struct GpuSeen {
  std::string name;   // "/physical_device:GPU:0"
  std::string model;  // "NVIDIA H100 80GB HBM3"
  std::string compute_capability;
  std::uint64_t memory_bytes = 0;  // 0 when not known
  std::string pci_bus_id;
};

struct MatmulCheck {
  int size = 0;                       // n of an n×n·n×n product
  std::string dtype;                  // "fp32", "tf32", "fp16", "bf16"
  std::string requested_device;       // "/job:localhost/replica:0/task:0/device:GPU:0"
  std::string device;                 // where it ran (the result's device); "" when it did not run
  double max_relative_error = 0;      // max |C - C_ref| / max |C_ref|
  double error_bound = 0;             // what this dtype must meet
  double seconds = 0;                 // one timed run after a warm-up
  double tflops = 0;                  // 2n³ / seconds / 1e12
  std::optional<double> peak_tflops;  // the KB's peak for this GPU and dtype
  std::string error;                  // why it did not run

  bool ran() const { return !device.empty() && error.empty(); }

  bool within_bound() const { return ran() && max_relative_error <= error_bound; }
};

struct NativeVerification {
  std::string backend;  // "CUDA driver /usr/lib/x86_64-linux-gnu/libcuda.so.1", or why none
  std::vector<GpuSeen> gpus;
  std::vector<VerifyStep> steps;
  std::vector<MatmulCheck> matmuls;
};

// A cause explain named in TensorFlow's captured log.
struct ExplainedCause {
  std::string id;
  double confidence = 0;
  std::string summary;
  std::string fix;
  std::vector<std::string> evidence;  // "L12: <line>" or "environment: …"
};

struct TensorflowVerification {
  std::string python;      // interpreter
  std::string tensorflow;  // "tensorflow 2.21.0"; "" when it did not import
  std::string outcome;     // the child's end: "exited", "timeout", "signal SIGSEGV"
  double seconds = 0;
  std::string build_cuda;   // get_build_info()'s cuda_version
  std::string build_cudnn;  // and cudnn_version
  std::vector<GpuSeen> gpus;
  std::vector<VerifyStep> steps;
  std::vector<MatmulCheck> matmuls;
  std::vector<std::string> predictions;   // said before starting: "PTX JIT: the first run …"
  std::vector<ExplainedCause> explained;  // from TensorFlow's log
  std::vector<std::string> log_tail;      // its last lines, for the reader
  std::string why_not;                    // doctor's verdict when TensorFlow saw no GPU
};

struct VerifyReport {
  std::string schema = kVerifySchema;
  std::string tool_version;
  NativeVerification native;
  std::vector<TensorflowVerification> tensorflow;
};

// Verified: no step failed, and a matmul ran on the GPU it was pinned to (not elsewhere) and met
// its dtype's error bound.
bool verified(const NativeVerification& native);
bool verified(const TensorflowVerification& tensorflow);

}  // namespace tfgpu::model
