// SPDX-License-Identifier: Apache-2.0
#pragma once
// Text copied from real TensorFlow wheels, shared by the tests that parse or plant it.

// tensorflow/python/platform/build_info.py of the TF 2.21.0 cp311 wheel on the development
// machine, verbatim after the license header (docs/tensorflow-wheel.md).
inline constexpr const char* kTf221BuildInfo =
    "# Copyright 2020 The TensorFlow Authors. All Rights Reserved.\n"
    "# ==============================================================================\n"
    "\"\"\"Auto-generated module providing information about the build.\"\"\"\n"
    "import collections\n"
    "\n"
    "build_info = collections.OrderedDict([('cpu_compiler', 'clang'), "
    "('cuda_compute_capabilities', ['sm_60', 'sm_70', 'sm_80', 'sm_89', 'compute_90']), "
    "('cuda_version', '12.5.1'), ('cudnn_version', '9'), ('is_cuda_build', True), "
    "('is_rocm_build', False), ('is_tensorrt_build', False)])\n";
