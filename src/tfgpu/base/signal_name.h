// SPDX-License-Identifier: Apache-2.0
#pragma once
// How a signal is named in what tfgpu reports ("killed by SIGSEGV", "interrupted (SIGINT)"): the
// probe's child processes and install's steps say it the same way.

#include <string>

namespace tfgpu {

// "SIGSEGV" for SIGSEGV, "signal 64" for numbers without a name.
std::string signal_name(int signal_number);

}  // namespace tfgpu
