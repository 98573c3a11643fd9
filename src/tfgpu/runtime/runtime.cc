// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/runtime/runtime.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include <fmt/format.h>

#include "tfgpu/runtime/placement.h"

namespace tfgpu::runtime {

namespace {

LogicalDevice cpu0() {
  return LogicalDevice{full_device_name(DeviceType::kCpu, 0), DeviceType::kCpu, 0, 0, std::nullopt};
}

}  // namespace

Runtime::Runtime(RuntimeOptions options) : Runtime(load_cuda_backend(), std::move(options)) {}

Runtime::Runtime(Result<std::shared_ptr<GpuBackend>> backend, RuntimeOptions options)
    : options_(std::move(options)), soft_placement_(options_.soft_device_placement) {
  physical_.push_back(
      PhysicalDevice{physical_device_name(DeviceType::kCpu, 0), DeviceType::kCpu, 0, std::nullopt});
  if (!backend) {
    why_no_gpu_ = backend.error().message;
    return;
  }
  if (!*backend) {
    why_no_gpu_ = "no GPU backend";
    return;
  }
  auto gpus = (*backend)->devices();
  if (!gpus) {
    why_no_gpu_ = gpus.error().message;
    return;
  }
  if (gpus->empty()) {
    why_no_gpu_ = fmt::format("{} reports no GPU", (*backend)->describe());
    return;
  }
  backend_ = std::move(*backend);
  for (std::size_t ordinal = 0; ordinal < gpus->size(); ++ordinal) {
    const int index = static_cast<int>(ordinal);
    GpuProperties& properties = (*gpus)[ordinal];
    gpu_configs_.emplace_back(properties.total_bytes);
    physical_.push_back(PhysicalDevice{physical_device_name(DeviceType::kGpu, index),
                                       DeviceType::kGpu, index, std::move(properties)});
  }
}

Runtime::~Runtime() = default;

std::vector<PhysicalDevice> Runtime::list_physical_devices() const {
  return physical_;
}

std::vector<PhysicalDevice> Runtime::list_physical_devices(DeviceType type) const {
  std::vector<PhysicalDevice> devices;
  for (const PhysicalDevice& device : physical_) {
    if (device.type == type) {
      devices.push_back(device);
    }
  }
  return devices;
}

std::optional<std::string> Runtime::backend_description() const {
  if (!backend_) {
    return std::nullopt;
  }
  return backend_->describe();
}

Result<const DeviceMemoryConfig*> Runtime::gpu_config(const PhysicalDevice& device) const {
  // Matched by name and index, as TensorFlow matches the PhysicalDevice tuple it handed out.
  for (const PhysicalDevice& known : physical_) {
    if (known.name != device.name || known.type != device.type || known.index != device.index) {
      continue;
    }
    if (known.type != DeviceType::kGpu) {
      return make_error(Errc::kInvalidArgument,
                        "Cannot set memory growth on non-GPU and non-Pluggable devices");
    }
    return &gpu_configs_[static_cast<std::size_t>(known.index)];
  }
  return make_error(Errc::kInvalidArgument,
                    fmt::format("Unrecognized device: PhysicalDevice(name='{}', device_type='{}')",
                                device.name, device_type_name(device.type)));
}

Result<DeviceMemoryConfig*> Runtime::gpu_config(const PhysicalDevice& device) {
  auto config = std::as_const(*this).gpu_config(device);
  if (!config) {
    return tl::unexpected<Error>(config.error());
  }
  return const_cast<DeviceMemoryConfig*>(*config);
}

Result<void> Runtime::set_memory_growth(const PhysicalDevice& device, bool enable) {
  std::lock_guard lock(mutex_);
  auto config = gpu_config(device);
  if (!config) {
    return tl::unexpected<Error>(config.error());
  }
  return (*config)->set_memory_growth(enable);
}

Result<bool> Runtime::get_memory_growth(const PhysicalDevice& device) const {
  std::lock_guard lock(mutex_);
  auto config = gpu_config(device);
  if (!config) {
    return tl::unexpected<Error>(config.error());
  }
  return (*config)->memory_growth();
}

Result<void> Runtime::set_logical_device_configuration(
    const PhysicalDevice& device, const std::vector<LogicalDeviceConfiguration>& logical) {
  std::lock_guard lock(mutex_);
  if (device.type == DeviceType::kCpu) {
    return make_error(
        Errc::kInvalidArgument,
        fmt::format("{}: tfgpu configures logical devices on GPUs only", device.name));
  }
  auto config = gpu_config(device);
  if (!config) {
    return tl::unexpected<Error>(config.error());
  }
  std::vector<std::uint64_t> limits_mib;
  limits_mib.reserve(logical.size());
  for (const LogicalDeviceConfiguration& entry : logical) {
    limits_mib.push_back(entry.memory_limit_mib);
  }
  auto set = (*config)->set_logical_devices(std::move(limits_mib));
  if (!set) {
    return tl::unexpected<Error>(set.error().code == Errc::kFailedPrecondition
                                     ? set.error()
                                     : set.error().with_context(device.name));
  }
  return {};
}

bool Runtime::initialized() const {
  std::lock_guard lock(mutex_);
  return initialized_;
}

Result<void> Runtime::initialize() {
  std::lock_guard lock(mutex_);
  return initialize_locked();
}

Result<void> Runtime::initialize_locked() {
  if (initialized_) {
    return {};
  }
  // TensorFlow freezes the configuration when the context starts, whether or not that works.
  for (DeviceMemoryConfig& config : gpu_configs_) {
    config.freeze();
  }
  std::optional<std::string> force_allow_growth;
  if (options_.environment == EnvironmentSource::kProcess) {
    // Read at initialisation, as TF reads it when it creates each GPU allocator.
    if (const char* value = std::getenv("TF_FORCE_GPU_ALLOW_GROWTH")) {
      force_allow_growth = value;
    }
  } else {
    force_allow_growth = options_.force_allow_growth;
  }

  std::vector<LogicalDevice> logical{cpu0()};
  std::vector<std::shared_ptr<DeviceMemory>> memories;
  std::vector<std::string> warnings;
  int next_gpu = 0;
  for (std::size_t ordinal = 0; ordinal < gpu_configs_.size(); ++ordinal) {
    const PhysicalDevice& physical = physical_[ordinal + 1];
    auto memory = backend_->memory_info(physical.index);
    if (!memory) {
      return tl::unexpected<Error>(memory.error().with_context(
          fmt::format("initialising {}: reading its free memory", physical.name)));
    }
    const GpuMemoryInfo info{memory->free_bytes, memory->total_bytes, physical.gpu->cc_major};
    auto plan =
        plan_device_pools(gpu_configs_[ordinal], info,
                          force_allow_growth ? force_allow_growth->c_str() : nullptr, next_gpu);
    if (!plan) {
      return tl::unexpected<Error>(
          plan.error().with_context(fmt::format("initialising {}", physical.name)));
    }
    for (std::string& warning : plan->warnings) {
      // The environment warning is about the process, not the GPU: say it once.
      if (std::find(warnings.begin(), warnings.end(), warning) == warnings.end()) {
        warnings.push_back(std::move(warning));
      }
    }
    for (PoolOptions& pool : plan->pools) {
      LogicalDevice device{full_device_name(DeviceType::kGpu, next_gpu), DeviceType::kGpu, next_gpu,
                           physical.index, pool.limit_bytes};
      auto created = DeviceMemory::create(backend_, device, std::move(pool));
      if (!created) {
        return tl::unexpected<Error>(created.error());
      }
      // TF's device start-up allocates a scratch buffer from the new allocator: in the default
      // mode that takes one region of the whole limit, with growth the first 2 MiB region.
      auto reserved = (*created)->reserve();
      if (!reserved) {
        return tl::unexpected<Error>(reserved.error().with_context(
            fmt::format("initialising {} on {}", device.name, physical.name)));
      }
      logical.push_back(std::move(device));
      memories.push_back(std::move(*created));
      ++next_gpu;
    }
  }
  logical_ = std::move(logical);
  gpu_memory_ = std::move(memories);
  warnings_ = std::move(warnings);
  initialized_ = true;
  return {};
}

Result<std::vector<LogicalDevice>> Runtime::list_logical_devices() {
  std::lock_guard lock(mutex_);
  TFGPU_TRY(initialize_locked());
  return logical_;
}

Result<std::vector<LogicalDevice>> Runtime::list_logical_devices(DeviceType type) {
  auto all = list_logical_devices();
  if (!all) {
    return tl::unexpected<Error>(all.error());
  }
  std::vector<LogicalDevice> devices;
  for (LogicalDevice& device : *all) {
    if (device.type == type) {
      devices.push_back(std::move(device));
    }
  }
  return devices;
}

std::vector<std::string> Runtime::warnings() const {
  std::lock_guard lock(mutex_);
  return warnings_;
}

void Runtime::set_soft_device_placement(bool enabled) {
  std::lock_guard lock(mutex_);
  soft_placement_ = enabled;
}

bool Runtime::soft_device_placement() const {
  std::lock_guard lock(mutex_);
  return soft_placement_;
}

Result<std::shared_ptr<DeviceMemory>> Runtime::gpu_memory(int index) {
  std::lock_guard lock(mutex_);
  TFGPU_TRY(initialize_locked());
  if (index < 0 || static_cast<std::size_t>(index) >= gpu_memory_.size()) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("{} does not exist", short_device_name(DeviceType::kGpu, index)));
  }
  return gpu_memory_[static_cast<std::size_t>(index)];
}

Result<PoolStats> Runtime::get_memory_info(std::string_view device) {
  auto spec = parse_device_name(device);
  if (!spec) {
    return tl::unexpected<Error>(spec.error());
  }
  if (spec->type != DeviceType::kGpu) {
    return make_error(
        Errc::kInvalidArgument,
        fmt::format("memory info: '{}' is not a GPU (only GPUs have a memory pool)", device));
  }
  auto memory = gpu_memory(spec->index.value_or(0));
  if (!memory) {
    return tl::unexpected<Error>(
        memory.error().with_context(fmt::format("memory info of '{}'", device)));
  }
  return (*memory)->pool().stats();
}

Result<Tensor> Runtime::to_device(const Tensor& tensor, std::string_view device) {
  auto logical = list_logical_devices();
  if (!logical) {
    return tl::unexpected<Error>(logical.error());
  }
  // Placed like an op asked for `device` explicitly, with soft placement off: a copy that
  // silently stayed on the CPU would defeat its purpose.
  auto placement = place_op("Copy", std::string(device), *logical, false, why_no_gpu_.value_or(""));
  if (!placement) {
    return tl::unexpected<Error>(placement.error());
  }
  const LogicalDevice& target = placement->device;
  if (tensor.device() == target.name) {
    return tensor;
  }
  auto host = tensor.to_host();
  if (!host || target.type == DeviceType::kCpu) {
    return host;
  }
  auto memory = gpu_memory(target.index);
  if (!memory) {
    return tl::unexpected<Error>(memory.error());
  }
  auto buffer = DeviceBuffer::allocate(*memory, host->size_bytes());
  if (!buffer) {
    return tl::unexpected<Error>(buffer.error().with_context(
        fmt::format("copying {} to {}", tensor.describe(), target.name)));
  }
  auto written = (*buffer)->write(host->host_bytes());
  if (!written) {
    return tl::unexpected<Error>(written.error().with_context(
        fmt::format("copying {} to {}", tensor.describe(), target.name)));
  }
  return Tensor::from_gpu_buffer(host->shape(), host->dtype(), std::move(*buffer));
}

Runtime& default_runtime() {
  static Runtime runtime;
  return runtime;
}

}  // namespace tfgpu::runtime
