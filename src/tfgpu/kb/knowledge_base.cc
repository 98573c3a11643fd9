// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/kb/knowledge_base.h"

#include <algorithm>

#include "tfgpu/base/strings.h"

namespace tfgpu::kb {
namespace {

// Compare `version` with a bound on the bound's own components only, so the range ["2.18",
// "2.21"] holds 2.21.3 and the range ["12.0", "12.6"] holds 12.6.77.
int compare_on_prefix(const Version& version, const Version& bound) {
  const std::size_t n = bound.parts().size();
  for (std::size_t i = 0; i < n; ++i) {
    if (version.part(i) != bound.part(i)) {
      return version.part(i) < bound.part(i) ? -1 : 1;
    }
  }
  return 0;
}

Version major_minor(const Version& version) {
  return Version::parse(std::to_string(version.major()) + "." + std::to_string(version.minor()))
      .value_or(Version{});
}

// "NVIDIA GeForce RTX 3060" and "GeForce RTX 3060" name the same card; so does pci.ids'
// "GA106 [GeForce RTX 3060 Lite Hash Rate]" for the bracketed part.
std::string normalised_gpu_name(std::string_view name) {
  std::string text = to_lower(trim(name));
  const std::size_t open = text.find('[');
  const std::size_t close = text.rfind(']');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    text = std::string(trim(std::string_view(text).substr(open + 1, close - open - 1)));
  }
  for (const std::string_view prefix : {"nvidia ", "tesla "}) {
    if (text.starts_with(prefix)) {
      text.erase(0, prefix.size());
    }
  }
  return text;
}

}  // namespace

const char* confidence_name(Confidence confidence) {
  switch (confidence) {
    case Confidence::kConfirmed:
      return "confirmed";
    case Confidence::kDerived:
      return "derived";
    case Confidence::kUnconfirmed:
      return "unconfirmed";
  }
  return "unconfirmed";
}

const char* cause_kind_name(CauseKind kind) {
  switch (kind) {
    case CauseKind::kFailure:
      return "failure";
    case CauseKind::kNoise:
      return "noise";
  }
  return "failure";
}

bool VersionRange::contains(const Version& version) const {
  return compare_on_prefix(version, first) >= 0 && compare_on_prefix(version, last) <= 0;
}

const TensorflowRelease* KnowledgeBase::release_for(const Version& tensorflow) const {
  const Version line = major_minor(tensorflow);
  for (const auto& release : releases) {
    if (release.line.same_prefix(line, 2)) {
      return &release;
    }
  }
  return nullptr;
}

const TensorflowRelease* KnowledgeBase::newest_release() const {
  const TensorflowRelease* newest = nullptr;
  for (const auto& release : releases) {
    if (newest == nullptr || release.line > newest->line) {
      newest = &release;
    }
  }
  return newest;
}

const WheelBuild* KnowledgeBase::wheel_build_for(const Version& tensorflow) const {
  for (const auto& build : wheel_builds) {
    if (build.lines.contains(tensorflow)) {
      return &build;
    }
  }
  return nullptr;
}

const AndCudaExtra* KnowledgeBase::and_cuda_for(const Version& tensorflow) const {
  for (const auto& extra : and_cuda) {
    if (extra.line.same_prefix(major_minor(tensorflow), 2)) {
      return &extra;
    }
  }
  return nullptr;
}

const AndCudaRoute* KnowledgeBase::and_cuda_route_for(const Version& tensorflow) const {
  for (const auto& route : and_cuda_routes) {
    if (route.lines.contains(tensorflow)) {
      return &route;
    }
  }
  return nullptr;
}

const SonameSet* KnowledgeBase::sonames_for(const Version& tensorflow) const {
  for (const auto& set : sonames) {
    if (set.lines.contains(tensorflow)) {
      return &set;
    }
  }
  return nullptr;
}

const Statement* KnowledgeBase::statement(std::string_view id) const {
  for (const auto& row : statements) {
    if (row.id == id) {
      return &row;
    }
  }
  return nullptr;
}

const GpuPeak* KnowledgeBase::peak_for(std::string_view reported_name) const {
  const std::string name = to_lower(reported_name);
  for (const auto& row : peaks) {
    if (name.find(to_lower(row.device_name)) != std::string::npos) {
      return &row;
    }
  }
  return nullptr;
}

const PcieGeneration* KnowledgeBase::pcie_generation(int generation) const {
  for (const auto& row : pcie_generations) {
    if (row.generation == generation) {
      return &row;
    }
  }
  return nullptr;
}

const DistributionSupport* KnowledgeBase::distribution(std::string_view name,
                                                       const Version& version) const {
  std::string wanted = to_lower(trim(name));
  std::replace(wanted.begin(), wanted.end(), '_', '-');
  for (const auto& row : distributions) {
    if (row.name == wanted && row.versions.contains(version)) {
      return &row;
    }
  }
  return nullptr;
}

const ContainerImage* KnowledgeBase::container_image(std::string_view image,
                                                     const Version& tensorflow) const {
  for (const auto& row : container_images) {
    if (row.image == image && row.tensorflow.contains(tensorflow)) {
      return &row;
    }
  }
  return nullptr;
}

const DriverMinimum* KnowledgeBase::driver_minimum_for(const Version& cuda) const {
  const DriverMinimum* best = nullptr;
  for (const auto& row : driver_minimums) {
    if (!row.cuda.same_prefix(cuda, 2) || compare_on_prefix(row.cuda, cuda) > 0) {
      continue;
    }
    if (row.cuda.parts().size() >= 3 && cuda.parts().size() < 3 && row.cuda.part(2) != 0) {
      // "12.5" names the GA release, not an update.
      continue;
    }
    if (best == nullptr || row.cuda > best->cuda) {
      best = &row;
    }
  }
  return best;
}

const MinorVersionCompat* KnowledgeBase::minor_version_compat_for(int cuda_major) const {
  for (const auto& row : minor_version_compat) {
    if (row.cuda_major == cuda_major) {
      return &row;
    }
  }
  return nullptr;
}

const ArchSupport* KnowledgeBase::arch_support_for(const Version& cuda) const {
  for (const auto& row : arch_support) {
    if (row.cuda.contains(cuda)) {
      return &row;
    }
  }
  return nullptr;
}

const GpuModel* KnowledgeBase::gpu_by_name(std::string_view name) const {
  const std::string wanted = normalised_gpu_name(name);
  if (wanted.empty()) {
    return nullptr;
  }
  for (const auto& gpu : gpus) {
    if (normalised_gpu_name(gpu.name) == wanted) {
      return &gpu;
    }
  }
  // Driver and pci.ids names add the memory size or form factor ("H100 80GB HBM3", "H100 SXM5
  // 80GB"): take the longest KB name that the wanted name starts with at a word boundary.
  const GpuModel* best = nullptr;
  std::size_t best_length = 0;
  for (const auto& gpu : gpus) {
    const std::string candidate = normalised_gpu_name(gpu.name);
    if (candidate.size() > best_length && wanted.size() > candidate.size() &&
        wanted.starts_with(candidate) && wanted[candidate.size()] == ' ') {
      best = &gpu;
      best_length = candidate.size();
    }
  }
  return best;
}

const PciDevice* KnowledgeBase::pci_device(std::string_view vendor, std::string_view device) const {
  const std::string vendor_id = to_lower(vendor);
  const std::string device_id = to_lower(device);
  for (const auto& row : pci_devices) {
    if (row.vendor == vendor_id && row.device == device_id) {
      return &row;
    }
  }
  return nullptr;
}

const DriverBranchEnd* KnowledgeBase::driver_branch_end_for(
    const Version& compute_capability) const {
  for (const auto& row : driver_branch_ends) {
    if (row.compute_capability.contains(compute_capability)) {
      return &row;
    }
  }
  return nullptr;
}

const CudnnRelease* KnowledgeBase::cudnn_for(const Version& version) const {
  for (const auto& row : cudnn) {
    if (row.versions.contains(version)) {
      return &row;
    }
  }
  return nullptr;
}

const Cause* KnowledgeBase::cause(std::string_view id) const {
  for (const auto& row : causes) {
    if (row.id == id) {
      return &row;
    }
  }
  return nullptr;
}

std::string KnowledgeBase::source_url(std::string_view id_or_url) const {
  if (id_or_url.starts_with("https://") || id_or_url.starts_with("http://")) {
    return std::string(id_or_url);
  }
  for (const auto& source : sources) {
    if (source.id == id_or_url) {
      return source.url;
    }
  }
  return {};
}

}  // namespace tfgpu::kb
