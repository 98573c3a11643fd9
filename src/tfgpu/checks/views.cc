// SPDX-License-Identifier: Apache-2.0
// What the checks reason about, derived once from the facts: the GPUs and each build's needs.
#include <string>

#include "tfgpu/checks/check.h"

namespace tfgpu::checks {

model::KbCitation cite(const kb::Provenance& provenance) {
  return model::KbCitation{provenance.table, provenance.key,
                           kb::confidence_name(provenance.confidence), provenance.urls,
                           provenance.note};
}

std::vector<GpuView> gpu_views(const model::Facts& facts, const kb::KnowledgeBase& kb) {
  std::vector<GpuView> views;
  const auto& live = facts.user_driver.live;
  if (!live.devices.empty()) {
    // The driver answered: its names and compute capabilities are the truth, in CUDA order.
    for (const auto& device : live.devices) {
      GpuView view;
      view.index = device.ordinal;
      view.name = device.name;
      view.name_source = "cuDeviceGetName";
      view.compute_capability = device.compute_capability;
      view.cc_source = "cuDeviceGetAttribute";
      view.kb_row = kb.gpu_by_name(device.name);
      view.pci_bus_id = device.pci_bus_id;
      views.push_back(std::move(view));
    }
    return views;
  }
  int index = 0;
  for (const auto& gpu : facts.pci_gpus) {
    if (gpu.vendor_id != "10de") {
      continue;
    }
    GpuView view;
    view.index = index++;
    view.pci_bus_id = gpu.bus_id;
    if (gpu.model_name.is_present()) {
      // pci.ids writes "GH100 [H100 PCIe]": the chip, then the product people know.
      const std::string& raw = *gpu.model_name.value;
      const std::size_t open = raw.find('[');
      const std::size_t close = raw.rfind(']');
      view.name = open != std::string::npos && close != std::string::npos && close > open + 1
                      ? raw.substr(open + 1, close - open - 1)
                      : raw;
      view.name_source = "pci.ids \"" + raw + "\"";
    } else if (const auto* row = kb.pci_device(gpu.vendor_id, gpu.device_id)) {
      view.name = row->name;
      view.name_source = "knowledge base pci_device " + row->device;
    } else {
      view.name = "NVIDIA device " + gpu.vendor_id + ":" + gpu.device_id;
      view.name_source = "PCI id";
    }
    view.kb_row = kb.gpu_by_name(view.name);
    if (view.kb_row != nullptr) {
      view.compute_capability = view.kb_row->compute_capability;
      view.cc_source = "knowledge base gpu \"" + view.kb_row->name + "\"";
    }
    views.push_back(std::move(view));
  }
  return views;
}

BuildTarget build_target(const model::TensorflowInstall& tensorflow, const kb::KnowledgeBase& kb) {
  BuildTarget target;
  const auto& info = tensorflow.build_info;
  if (tensorflow.version.is_present()) {
    target.release = kb.release_for(*tensorflow.version.value);
    target.wheel_build = kb.wheel_build_for(*tensorflow.version.value);
  }
  const std::string kb_name =
      target.release != nullptr ? "knowledge base release " + target.release->line.text() : "";
  if (info.is_cuda_build.is_present()) {
    target.is_cuda_build = *info.is_cuda_build.value;
  }
  // The wheel's own build_info.py is the primary source for that install; the KB row for its line
  // stands in when the file is missing (TensorFlow before 2.3) or says nothing.
  if (info.cuda_version.is_present()) {
    target.cuda = *info.cuda_version.value;
    target.cuda_source = info.source;
  } else if (target.release != nullptr) {
    target.cuda = target.release->cuda;
    target.cuda_source = kb_name;
  }
  if (info.cudnn_version.is_present()) {
    target.cudnn = *info.cudnn_version.value;
    target.cudnn_source = info.source;
  } else if (target.release != nullptr) {
    target.cudnn = target.release->cudnn;
    target.cudnn_source = kb_name;
  }
  if (info.cuda_compute_capabilities.is_present()) {
    target.compute_capabilities = *info.cuda_compute_capabilities.value;
    target.compute_capabilities_source = info.source;
  } else if (target.wheel_build != nullptr) {
    target.compute_capabilities = target.wheel_build->compute_capabilities;
    target.compute_capabilities_source =
        "knowledge base wheel_build " + target.wheel_build->provenance.key;
  }
  return target;
}

}  // namespace tfgpu::checks
