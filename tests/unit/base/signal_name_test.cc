// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/base/signal_name.h"

#include <csignal>

#include <gtest/gtest.h>

namespace tfgpu {
namespace {

TEST(SignalName, NamesSignalsAndNumbersWithoutOne) {
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(SIGABRT), "SIGABRT");
  EXPECT_EQ(signal_name(SIGINT), "SIGINT");
  EXPECT_EQ(signal_name(1000), "signal 1000");
}

}  // namespace
}  // namespace tfgpu
