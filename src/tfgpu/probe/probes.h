// SPDX-License-Identifier: Apache-2.0
#pragma once
// The individual probes, one per file. Each fills its part of `facts` and records its own
// failures in facts.problems; none throws (probe_machine still guards against std exceptions).

#include "tfgpu/model/facts.h"
#include "tfgpu/probe/probe.h"

namespace tfgpu::probe {

// OS, kernel, arch, glibc, WSL2, containers.
void probe_host(const ProbeContext& context, model::Facts& facts);

// NVIDIA GPUs on the PCI bus, model names from pci.ids, bound kernel driver.
void probe_pci(const ProbeContext& context, model::Facts& facts);

// /proc/driver/nvidia/version, /proc/modules, /dev/nvidia*, secure boot.
void probe_kernel_driver(const ProbeContext& context, model::Facts& facts);

// libcuda/libnvidia-ml and every CUDA soname on the system search path (no requester).
void probe_libraries(const ProbeContext& context, model::Facts& facts);

// CUDA toolkits: /usr/local/cuda*, /opt/cuda, CUDA_HOME/CUDA_PATH, nvcc on PATH.
void probe_toolkits(const ProbeContext& context, model::Facts& facts);

// Python environments, their TensorFlow and the libraries TensorFlow's loader object resolves.
void probe_python(const ProbeContext& context, model::Facts& facts);

// every libcudnn and cudnn header, mismatches and misplaced files (after python: scans wheels too).
void probe_cudnn(const ProbeContext& context, model::Facts& facts);

// live machine only: cuInit/NVML in a child process with a timeout, and the loader check (ld.so's
// trace of a stand-in requester) of every library resolution.
void probe_live(const ProbeContext& context, model::Facts& facts);

// Record `error` as a problem of `probe_name`.
void add_problem(model::Facts& facts, std::string probe_name, const Error& error);

}  // namespace tfgpu::probe
