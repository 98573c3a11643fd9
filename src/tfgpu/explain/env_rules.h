// SPDX-License-Identifier: Apache-2.0
#pragma once
// The environment rules of `tfgpu explain`: what the stated machine (the report's environment
// section, `--env`, `--here`) says about the cause, read together with what the log showed.
//
// Half of what users send cannot be decided from the log alone: "Skipping registering GPU
// devices" is a missing [and-cuda] extra on one machine and a CUDA major mismatch on another.
// Each rule is a fact a maintainer would state ("TensorFlow ≥ 2.11 has no GPU on native
// Windows", "the `tensorflow` 1.15.2 wheel is CPU-only"), compared with the KB where the KB has
// the fact, and yields a boost: a cause, a weight in (0, 1) combined like a signature's, and the
// sentence that says why (shown as evidence).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/base/version.h"
#include "tfgpu/explain/report.h"
#include "tfgpu/kb/knowledge_base.h"

namespace tfgpu::explain {

// One boost for a cause, with the sentence that says why.
struct EnvBoost {
  std::string cause;
  double weight = 0;
  std::string why;
  // Causes the stated fact makes moot (a machine with no GPU has no driver to fix): their log
  // lines are what this cause looks like in a log, so `cause` cites them, and their own
  // confidence is multiplied by 1 − weight, which ranks them below it.
  std::vector<std::string> supersedes = {};
};

// What the rules read: the stated environment, the KB, and a summary of the log.
struct EnvView {
  const ReportEnv& env;
  const kb::KnowledgeBase& kb;
  std::optional<Version> tensorflow;  // first version in the stated TensorFlow version
  const kb::TensorflowRelease* release = nullptr;
  // Causes with at least one signature hit in the report's lines, and whether any is noise.
  std::vector<std::string> log_causes;
  bool log_has_noise = false;
  std::vector<std::string> cudnn_load_failures;  // the lines cited for missing_cudnn
  // A failed load whose printed LD_LIBRARY_PATH already names site-packages/nvidia/<wheel>/lib.
  bool failed_with_nvidia_wheels_on_path = false;
  bool library_load_failed = false;  // a "Could not load dynamic library"-style line was seen
  // TensorFlow distributions a package listing in the log names ("tensorflow-gpu 2.4.1" in
  // `pip list` or `conda list` output), lower case, "-" for "_", each once.
  std::vector<std::string> listed_distributions;
  bool log_lists_no_gpu = false;  // a line says TensorFlow found 0 GPUs (lists_no_gpu())
  // A line shows TensorFlow's GPU device factory past its device count (found_gpus_then_skipped()).
  bool log_found_gpus = false;

  bool log_shows(std::string_view cause) const;
  bool log_shows_failure() const;
};

// Every rule's boost for this view, in a fixed order.
std::vector<EnvBoost> environment_boosts(const EnvView& view);

// The first number-looking token of free text: "TF 2.1.0" → 2.1.0, "11.2/8 in conda env" → 11.2.
std::optional<Version> first_version(std::string_view text);

// Whether `line` is a failed library load that printed an LD_LIBRARY_PATH naming
// site-packages/nvidia/… folders.
bool wheels_on_printed_path(std::string_view line);

// Whether `line` says TensorFlow found no GPU: the install guide's check printing "Num GPUs
// Available:  0", or tfgpu verify's "TensorFlow lists 0 GPUs".
bool lists_no_gpu(std::string_view line);

// Whether `line` is gpu_device.cc's "Cannot dlopen some GPU libraries … Skipping registering GPU
// devices": TensorFlow prints it only after its GPU platform initialised and counted at least one
// visible GPU (CreateDevices returns early, silently, when VisibleDeviceCount() <= 0), so the
// machine has a GPU TensorFlow found.
bool found_gpus_then_skipped(std::string_view line);

// The TensorFlow distribution a package-listing line names ("tensorflow-gpu   2.4.1",
// "tensorflow_cpu==2.16.1", "tf-nightly 2.17.0.dev2024"), normalised; "" for any other line.
std::string listed_distribution(std::string_view line);

}  // namespace tfgpu::explain
