// SPDX-License-Identifier: Apache-2.0
#pragma once
// Which sonames TensorFlow dlopens for a given CUDA/cuDNN build.
//
// Why a table in probe/: the probe must know what to look for before any knowledge base is
// loaded. The rule is TensorFlow's own (third_party/gpus/cuda_configure.bzl _get_cuda_config):
// for CUDA >= 11 cudart's soname is "11.0" for 11.x and the major otherwise, and every other
// library's soname is the major of that library's own version, which differs from the toolkit's
// (cuFFT 11 in CUDA 12, cuSOLVER 11 in CUDA 12, cuFFT 12 in CUDA 13); CUDA 10.1/10.2 use "10" for
// the libraries and "10.x" for cudart; CUDA <= 10.0 uses "x.y" everywhere. Library majors per
// toolkit: CUDA 13.1 release notes component table, and the nvidia-*-cu11/cu12 wheel versions
// TensorFlow's and-cuda extra pins (shared/reference/kb_facts.md §3).

#include <string>
#include <vector>

#include "tfgpu/base/version.h"

namespace tfgpu::probe {

struct SonameSpec {
  std::string family;     // "cudart", "cublas", "cublasLt", "cufft", "curand", "cusolver",
                          // "cusparse", "cudnn", "nccl", "cupti", "nvinfer"
  std::string soname;     // "libcudart.so.12"
  bool required = false;  // TensorFlow skips GPU registration when it cannot dlopen this one
};

// The sonames a TensorFlow built for `cuda` and `cudnn_major` dlopens. `cuda` needs major and
// minor ("12.5.1" -> 12.5). An unknown CUDA major yields the libraries with the major as soname.
std::vector<SonameSpec> sonames_for_build(const Version& cuda, int cudnn_major);

// Every soname of every CUDA major from 10.0 to 13 (deduplicated), for the system-wide view.
std::vector<SonameSpec> all_known_sonames();

}  // namespace tfgpu::probe
