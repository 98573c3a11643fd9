// SPDX-License-Identifier: Apache-2.0
#include <utility>

#include "tfgpu/checks/check_groups.h"

namespace tfgpu::checks {

const std::vector<CheckInfo>& registry() {
  static const std::vector<CheckInfo> checks = [] {
    std::vector<CheckInfo> all;
    for (auto group : {driver_checks, tensorflow_checks, library_checks, compatibility_checks}) {
      auto checks_in_group = group();
      all.insert(all.end(), checks_in_group.begin(), checks_in_group.end());
    }
    return all;
  }();
  return checks;
}

}  // namespace tfgpu::checks
