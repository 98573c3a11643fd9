// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/runtime/placement.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"

namespace tfgpu::runtime {

namespace {

thread_local const DeviceScope* innermost_scope = nullptr;

Error bad_name(std::string_view name, std::string_view why) {
  return Error{Errc::kInvalidArgument, fmt::format("device name '{}': {}", printable(name), why),
               std::nullopt};
}

std::optional<DeviceType> device_type_from(std::string_view text) {
  const std::string lower = to_lower(text);
  if (lower == "cpu") {
    return DeviceType::kCpu;
  }
  if (lower == "gpu") {
    return DeviceType::kGpu;
  }
  return std::nullopt;
}

// A small non-negative decimal number ("0", "12"), as device indexes and replica/task ids are.
std::optional<int> small_number(std::string_view text) {
  if (text.empty() || text.size() > 6 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// "GPU:0", "gpu", "GPU:*" (the part after "device:" or a legacy "/gpu:0").
Result<DeviceSpec> parse_type_and_index(std::string_view name, std::string_view part) {
  const std::size_t colon = part.find(':');
  const std::string_view type_text = part.substr(0, colon);
  const std::optional<DeviceType> type = device_type_from(type_text);
  if (!type) {
    return tl::unexpected(
        bad_name(name, fmt::format("unknown device type '{}' (tfgpu runs ops on CPU and GPU)",
                                   printable(type_text))));
  }
  DeviceSpec spec{type, std::nullopt};
  if (colon == std::string_view::npos) {
    return spec;
  }
  const std::string_view index_text = part.substr(colon + 1);
  if (index_text == "*") {
    return spec;
  }
  spec.index = small_number(index_text);
  if (!spec.index) {
    return tl::unexpected(bad_name(
        name, fmt::format("'{}' is not a device index (a number from 0)", printable(index_text))));
  }
  return spec;
}

// "job:localhost", "replica:0", "task:0": the only values this process has.
Result<void> check_this_process(std::string_view name, std::string_view key,
                                std::string_view value) {
  const bool ok = key == "job" ? value == "localhost" : small_number(value) == 0;
  if (!ok) {
    return tl::unexpected(
        bad_name(name, fmt::format("'{}:{}' is not this process (tfgpu runs one local process: "
                                   "/job:localhost/replica:0/task:0)",
                                   key, printable(value))));
  }
  return {};
}

// TensorFlow's error for a device that does not exist (eager placement, DeviceNameUtils'
// full name of the request), with why it does not exist after it.
Error unsatisfiable(std::string_view op_name, const DeviceSpec& spec,
                    std::span<const LogicalDevice> available, const std::string& why) {
  // TF lists devices and types by priority: GPUs before the CPU.
  std::vector<std::string> names;
  std::vector<std::string> types;
  for (DeviceType type : {DeviceType::kGpu, DeviceType::kCpu}) {
    for (const LogicalDevice& device : available) {
      if (device.type == type) {
        names.push_back(device.name);
        if (std::find(types.begin(), types.end(), device_type_name(type)) == types.end()) {
          types.push_back(device_type_name(type));
        }
      }
    }
  }
  return Error{
      Errc::kInvalidArgument,
      fmt::format("Could not satisfy device specification '{}'. "
                  "enable_soft_placement=0. Supported device types [{}]. All available "
                  "devices [{}]. [Op:{}] ({})",
                  spec_full_name(spec), join(types, ", "), join(names, ", "), op_name, why),
      std::nullopt};
}

std::string why_missing(const DeviceSpec& spec, std::span<const LogicalDevice> available,
                        std::string_view why_no_gpu) {
  const std::string wanted = spec.index ? short_device_name(*spec.type, *spec.index)
                                        : fmt::format("{}:*", device_type_name(*spec.type));
  if (*spec.type == DeviceType::kCpu) {
    return fmt::format("{} does not exist: tfgpu has one CPU device, CPU:0", wanted);
  }
  const auto gpus = std::count_if(available.begin(), available.end(), [](const LogicalDevice& d) {
    return d.type == DeviceType::kGpu;
  });
  if (gpus == 0) {
    return why_no_gpu.empty()
               ? fmt::format("{} does not exist: there is no GPU", wanted)
               : fmt::format("{} does not exist: there is no GPU: {}", wanted, why_no_gpu);
  }
  return gpus == 1 ? fmt::format("{} does not exist: only GPU:0 exists", wanted)
                   : fmt::format("{} does not exist: only GPU:0 to GPU:{} exist", wanted, gpus - 1);
}

const LogicalDevice* find_device(std::span<const LogicalDevice> available, DeviceType type,
                                 std::optional<int> index) {
  for (const LogicalDevice& device : available) {
    if (device.type == type && (!index || device.index == *index)) {
      return &device;
    }
  }
  return nullptr;
}

}  // namespace

Result<DeviceSpec> parse_device_name(std::string_view name) {
  if (name.empty()) {
    return tl::unexpected(bad_name(name, "an empty name names no device"));
  }
  std::string_view rest = name;
  if (rest.front() == '/') {
    rest.remove_prefix(1);
  }
  if (rest.empty()) {
    return tl::unexpected(bad_name(name, "'/' names no device"));
  }
  DeviceSpec spec;
  bool seen_job = false;
  bool seen_replica = false;
  bool seen_task = false;
  bool seen_device = false;
  for (std::string_view part : split(rest, '/')) {
    if (part.empty()) {
      return tl::unexpected(bad_name(name, "an empty part between '/'"));
    }
    const std::size_t colon = part.find(':');
    const std::string_view key = part.substr(0, colon);
    const std::string_view value =
        colon == std::string_view::npos ? std::string_view{} : part.substr(colon + 1);
    bool* seen = nullptr;
    if (key == "job") {
      seen = &seen_job;
    } else if (key == "replica") {
      seen = &seen_replica;
    } else if (key == "task") {
      seen = &seen_task;
    } else {
      seen = &seen_device;
    }
    if (*seen) {
      return tl::unexpected(bad_name(
          name, fmt::format("'{}' is given twice", seen == &seen_device ? "device" : key)));
    }
    *seen = true;
    if (seen != &seen_device) {
      TFGPU_TRY(check_this_process(name, key, value));
      continue;
    }
    if (key == "physical_device") {
      return tl::unexpected(
          bad_name(name,
                   "a physical device name is not a place to run ops; use its logical device "
                   "('/GPU:0', see list_logical_devices)"));
    }
    auto parsed = parse_type_and_index(name, key == "device" ? value : part);
    if (!parsed) {
      return tl::unexpected(parsed.error());
    }
    spec = *parsed;
  }
  return spec;
}

std::string spec_full_name(const DeviceSpec& spec) {
  if (!spec.type) {
    return "/job:localhost/replica:0/task:0";
  }
  if (!spec.index) {
    return fmt::format("/job:localhost/replica:0/task:0/device:{}:*", device_type_name(*spec.type));
  }
  return full_device_name(*spec.type, *spec.index);
}

DeviceScope::DeviceScope(std::string_view device) : device_(device), enclosing_(innermost_scope) {
  if (!device_.empty()) {
    auto parsed = parse_device_name(device_);
    if (!parsed) {
      error_ = parsed.error();
    }
  }
  innermost_scope = this;
}

DeviceScope::~DeviceScope() {
  innermost_scope = enclosing_;
}

const DeviceScope* DeviceScope::current() {
  for (const DeviceScope* scope = innermost_scope; scope != nullptr; scope = scope->enclosing_) {
    if (!scope->device_.empty()) {
      return scope;
    }
  }
  return nullptr;
}

Result<std::optional<std::string>> requested_device(
    const std::optional<std::string>& explicit_device) {
  if (explicit_device) {
    return explicit_device;
  }
  const DeviceScope* scope = DeviceScope::current();
  if (scope == nullptr) {
    return std::optional<std::string>{};
  }
  if (!scope->ok()) {
    return tl::unexpected(scope->error()->with_context("device scope"));
  }
  return std::optional<std::string>{scope->device()};
}

Result<Placement> place_op(std::string_view op_name, const std::optional<std::string>& requested,
                           std::span<const LogicalDevice> available, bool soft_placement,
                           std::string_view why_no_gpu) {
  const auto default_device = [&]() -> Result<Placement> {
    const LogicalDevice* device = find_device(available, DeviceType::kGpu, 0);
    if (device == nullptr) {
      device = find_device(available, DeviceType::kCpu, 0);
    }
    if (device == nullptr) {
      return make_error(Errc::kInternal, fmt::format("{}: no CPU:0 to run on", op_name));
    }
    return Placement{*device, std::nullopt};
  };
  if (!requested) {
    return default_device();
  }
  auto spec = parse_device_name(*requested);
  if (!spec) {
    return tl::unexpected(spec.error().with_context(std::string(op_name)));
  }
  if (!spec->type) {
    return default_device();
  }
  if (const LogicalDevice* device = find_device(available, *spec->type, spec->index)) {
    return Placement{*device, std::nullopt};
  }
  const std::string why = why_missing(*spec, available, why_no_gpu);
  if (!soft_placement) {
    return tl::unexpected(unsatisfiable(op_name, *spec, available, why));
  }
  // TensorFlow's soft placement: any device of the same type, else the CPU.
  const LogicalDevice* fallback = find_device(available, *spec->type, std::nullopt);
  if (fallback == nullptr) {
    fallback = find_device(available, DeviceType::kCpu, 0);
  }
  if (fallback == nullptr) {
    return make_error(Errc::kInternal, fmt::format("{}: no CPU:0 to fall back to", op_name));
  }
  return Placement{*fallback,
                   fmt::format("soft device placement: {} asked for '{}', but {}; it ran on {}",
                               op_name, spec_full_name(*spec), why, fallback->name)};
}

}  // namespace tfgpu::runtime
