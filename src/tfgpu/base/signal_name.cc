// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/base/signal_name.h"

#include <string.h>

#include <fmt/format.h>

namespace tfgpu {

std::string signal_name(int signal_number) {
  // sigabbrev_np (glibc 2.32) gives "SEGV" without the prefix.
  const char* abbreviation = ::sigabbrev_np(signal_number);
  return abbreviation != nullptr ? fmt::format("SIG{}", abbreviation)
                                 : fmt::format("signal {}", signal_number);
}

}  // namespace tfgpu
