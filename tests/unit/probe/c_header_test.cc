// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/c_header.h"

#include <gtest/gtest.h>

namespace tfgpu::probe {
namespace {

TEST(CHeaderTest, ReadsTheDefineAndSkipsLongerNames) {
  const char* text =
      "#define CUDA_VERSION_MINOR 4\n#define CUDA_VERSION\n#define CUDA_VERSION  12040 // x\n";
  EXPECT_EQ(header_define(text, "CUDA_VERSION"), 12040);
  EXPECT_EQ(header_define(text, "CUDA_VERSION_MINOR"), 4);
  EXPECT_FALSE(header_define(text, "CUDNN_MAJOR"));
}

TEST(CHeaderTest, RefusesNumbersNoVersionDefineHas) {
  EXPECT_FALSE(header_define("#define CUDA_VERSION 99999999999999999999\n", "CUDA_VERSION"));
  EXPECT_FALSE(header_define("#define CUDA_VERSION", "CUDA_VERSION"));
}

}  // namespace
}  // namespace tfgpu::probe
