// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/plan/driver_need.h"

#include <fmt/format.h>

#include "tfgpu/checks/check.h"

namespace tfgpu::plan {
namespace {

std::optional<Version> column_of(const kb::DriverMinimum& row, DriverColumn column) {
  return column == DriverColumn::kLinux ? std::optional<Version>(row.linux_driver)
                                        : row.windows_driver;
}

std::optional<Version> column_of(const kb::MinorVersionCompat& row, DriverColumn column) {
  return column == DriverColumn::kLinux ? std::optional<Version>(row.linux_driver)
                                        : row.windows_driver;
}

const char* column_name(DriverColumn column) {
  return column == DriverColumn::kLinux ? "Linux" : "Windows";
}

// The first CUDA release whose nvcc can build for `capability`: the arch_support row with the
// lowest first CUDA version that lists it.
const kb::ArchSupport* first_arch_support(const kb::KnowledgeBase& kb, const Version& capability) {
  const kb::ArchSupport* first = nullptr;
  for (const auto& row : kb.arch_support) {
    for (const auto& listed : row.compute_capabilities) {
      if (listed == capability && (first == nullptr || row.cuda.first < first->cuda.first)) {
        first = &row;
      }
    }
  }
  return first;
}

model::KbCitation derived(model::KbCitation citation, std::string note) {
  citation.note = citation.note.empty() ? std::move(note) : std::move(note) + " " + citation.note;
  return citation;
}

}  // namespace

const DriverRequirement* DriverNeeds::binding() const {
  const DriverRequirement* best = nullptr;
  for (const auto& requirement : requirements) {
    if (best == nullptr || requirement.minimum >= best->minimum) {
      best = &requirement;
    }
  }
  return best;
}

bool DriverNeeds::beyond_branch_end() const {
  return branch_end != nullptr && minimum && minimum->major() > branch_end->last_branch.major();
}

const kb::DriverMinimum* toolkit_driver(const kb::KnowledgeBase& kb, const Version& cuda) {
  if (const auto* row = kb.driver_minimum_for(cuda)) {
    return row;
  }
  // "10.1" names 10.1.105 and "9.0" 9.0.76: releases before 11 have no x.y.0 row.
  const kb::DriverMinimum* first = nullptr;
  for (const auto& row : kb.driver_minimums) {
    if (row.cuda.same_prefix(cuda, 2) && (first == nullptr || row.cuda < first->cuda)) {
      first = &row;
    }
  }
  return first;
}

DriverNeeds driver_needs(const kb::TensorflowRelease& release, const GpuFit& fit,
                         const std::optional<Version>& compute_capability, DriverColumn column,
                         const kb::KnowledgeBase& kb) {
  DriverNeeds needs;
  const std::string line = release.line.text();
  const std::string cuda = release.cuda.text();

  // (1) The CUDA the wheel was built with.
  const kb::MinorVersionCompat* compat =
      release.cuda.major() >= 11 ? kb.minor_version_compat_for(release.cuda.major()) : nullptr;
  if (compat != nullptr) {
    if (auto minimum = column_of(*compat, column)) {
      needs.requirements.push_back(DriverRequirement{
          *minimum,
          "cuda_major",
          fmt::format("TensorFlow {} was built with CUDA {}; from CUDA 11 one {} driver >= {} "
                      "runs every CUDA {}.x toolkit (minor version compatibility)",
                      line, cuda, column_name(column), minimum->text(), release.cuda.major()),
          {checks::cite(release.provenance), checks::cite(compat->provenance)}});
    }
  } else if (const auto* toolkit = toolkit_driver(kb, release.cuda)) {
    if (auto minimum = column_of(*toolkit, column)) {
      needs.requirements.push_back(DriverRequirement{
          *minimum,
          "cuda_toolkit",
          fmt::format("TensorFlow {} was built with CUDA {}, which needs the {} driver of its "
                      "toolkit ({}: >= {}; minor version compatibility starts with CUDA 11)",
                      line, cuda, column_name(column), toolkit->release, minimum->text()),
          {checks::cite(release.provenance), checks::cite(toolkit->provenance)}});
    }
  }

  // (2) PTX JIT: the driver compiles PTX only from toolkits no newer than itself.
  if (fit.fit == CodeFit::kPtxJit) {
    if (const auto* toolkit = toolkit_driver(kb, release.cuda)) {
      if (auto minimum = column_of(*toolkit, column)) {
        std::vector<model::KbCitation> citations{checks::cite(toolkit->provenance)};
        if (const auto* statement = kb.statement("minor_version_compat_ptx")) {
          citations.push_back(checks::cite(statement->provenance));
        }
        needs.requirements.push_back(DriverRequirement{
            *minimum, "ptx_jit",
            fmt::format("this GPU runs TensorFlow {}'s {} PTX, which the driver JIT-compiles; "
                        "that needs a driver at least as new as the CUDA {} toolkit that wrote it "
                        "({}: >= {}), and minor version compatibility does not cover PTX",
                        line, fit.code, cuda, toolkit->release, minimum->text()),
            std::move(citations)});
      }
    }
  }

  // (3) The GPU itself: no driver older than the first CUDA release that can target it knows it.
  if (compute_capability) {
    if (const auto* arch = first_arch_support(kb, *compute_capability)) {
      if (const auto* toolkit = toolkit_driver(kb, arch->cuda.first)) {
        if (auto minimum = column_of(*toolkit, column)) {
          needs.requirements.push_back(DriverRequirement{
              *minimum,
              "gpu_architecture",
              fmt::format("compute capability {} first appears in CUDA {} (nvcc's targets); "
                          "drivers older than that release's ({}: >= {}) predate this GPU",
                          compute_capability->text(), arch->cuda.first.text(), toolkit->release,
                          minimum->text()),
              {derived(checks::cite(arch->provenance),
                       "Derived by tfgpu plan: a GPU needs at least the driver of the first "
                       "toolkit that targets it."),
               checks::cite(toolkit->provenance)}});
        }
      }
    }
    needs.branch_end = kb.driver_branch_end_for(*compute_capability);
  }

  for (const auto& requirement : needs.requirements) {
    if (!needs.minimum || requirement.minimum > *needs.minimum) {
      needs.minimum = requirement.minimum;
    }
  }
  return needs;
}

bool driver_beyond_branch(const Version& driver, const DriverNeeds& needs) {
  return needs.branch_end != nullptr && driver.major() > needs.branch_end->last_branch.major();
}

bool driver_at_least(const Version& driver, const Version& minimum) {
  // "--driver 525" names a branch, whose releases include the one a minimum names.
  if (driver.parts().size() == 1) {
    return driver.major() >= minimum.major();
  }
  return driver >= minimum;
}

bool driver_satisfies(const Version& driver, const DriverNeeds& needs) {
  return (!needs.minimum || driver_at_least(driver, *needs.minimum)) &&
         !driver_beyond_branch(driver, needs);
}

}  // namespace tfgpu::plan
