// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parser for os-release(5): KEY=value lines, values optionally quoted with " or ' and with
// backslash escapes inside double quotes. Comments and malformed lines are skipped.

#include <map>
#include <string>
#include <string_view>

namespace tfgpu::probe {

std::map<std::string, std::string> parse_os_release(std::string_view text);

}  // namespace tfgpu::probe
