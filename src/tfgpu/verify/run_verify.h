// SPDX-License-Identifier: Apache-2.0
#pragma once
// One `tfgpu verify` run: the native checks in a forked child (they load libcuda and cuBLAS; a
// hung or crashing driver must become a finding, not a hung tfgpu), then TensorFlow in each
// environment asked for, one child Python at a time (each takes the GPUs' memory while it runs).

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "tfgpu/kb/knowledge_base.h"
#include "tfgpu/model/verification.h"
#include "tfgpu/verify/native_verify.h"
#include "tfgpu/verify/tensorflow_verify.h"

namespace tfgpu::verify {

inline constexpr std::chrono::seconds kDefaultNativeTimeout{120};

struct VerifyRequest {
  bool native = true;
  NativeVerifyOptions native_options;
  std::chrono::milliseconds native_timeout = kDefaultNativeTimeout;
  std::vector<TensorflowVerifyOptions> tensorflow;
};

// Progress for people ("verify: TensorFlow in /venv/bin/python (timeout 120 s)…"), on stderr.
using Progress = std::function<void(const std::string&)>;

model::VerifyReport run_verify(const VerifyRequest& request, const kb::KnowledgeBase& kb,
                               const Progress& progress = {});

// Whether a part could not be checked at all (its child timed out, crashed or printed nothing):
// verify's exit code 3 when nothing else failed.
bool could_not_check(const model::NativeVerification& native);
bool could_not_check(const model::TensorflowVerification& tensorflow);

}  // namespace tfgpu::verify
