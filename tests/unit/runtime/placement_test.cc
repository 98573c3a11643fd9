// SPDX-License-Identifier: Apache-2.0
// Device names, device scopes and the placement rules: explicit device, then scope, then GPU:0
// else CPU:0; TensorFlow's error for a device that does not exist; soft placement reported.
#include "tfgpu/runtime/placement.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace tfgpu::runtime {
namespace {

constexpr const char* kCpu0 = "/job:localhost/replica:0/task:0/device:CPU:0";
constexpr const char* kGpu0 = "/job:localhost/replica:0/task:0/device:GPU:0";
constexpr const char* kGpu1 = "/job:localhost/replica:0/task:0/device:GPU:1";

LogicalDevice cpu() {
  return LogicalDevice{kCpu0, DeviceType::kCpu, 0, 0, std::nullopt};
}

LogicalDevice gpu(int index, int physical = 0) {
  return LogicalDevice{full_device_name(DeviceType::kGpu, index), DeviceType::kGpu, index, physical,
                       1 << 30};
}

DeviceSpec gpu_spec(std::optional<int> index) {
  return DeviceSpec{DeviceType::kGpu, index};
}

// ---- names ----------------------------------------------------------------------------------

TEST(DeviceNames, TensorFlowsFormats) {
  EXPECT_EQ(physical_device_name(DeviceType::kGpu, 1), "/physical_device:GPU:1");
  EXPECT_EQ(full_device_name(DeviceType::kCpu, 0), kCpu0);
  EXPECT_EQ(short_device_name(DeviceType::kGpu, 3), "GPU:3");
  EXPECT_STREQ(device_type_name(DeviceType::kGpu), "GPU");
}

TEST(ParseDeviceName, EveryFormTfDeviceAccepts) {
  for (const char* name : {"/GPU:0", "GPU:0", "/device:GPU:0", "/gpu:0", "/device:gpu:0",
                           "/job:localhost/replica:0/task:0/device:GPU:0",
                           "/job:localhost/device:GPU:0", "/task:0/GPU:0"}) {
    auto spec = parse_device_name(name);
    ASSERT_TRUE(spec) << name << ": " << spec.error().message;
    EXPECT_EQ(*spec, gpu_spec(0)) << name;
  }
  EXPECT_EQ(*parse_device_name("/CPU:0"), (DeviceSpec{DeviceType::kCpu, 0}));
  EXPECT_EQ(*parse_device_name("/GPU:12"), gpu_spec(12));
  EXPECT_EQ(*parse_device_name("/GPU"), gpu_spec(std::nullopt));
  EXPECT_EQ(*parse_device_name("/device:GPU:*"), gpu_spec(std::nullopt));
  EXPECT_EQ(*parse_device_name("/job:localhost"), (DeviceSpec{std::nullopt, std::nullopt}));
}

TEST(ParseDeviceName, BadNamesAreErrorsQuotingTheName) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"", "device name '': an empty name names no device"},
      {"/", "device name '/': '/' names no device"},
      {"/GPU:x", "device name '/GPU:x': 'x' is not a device index (a number from 0)"},
      {"/GPU:-1", "device name '/GPU:-1': '-1' is not a device index (a number from 0)"},
      {"/GPU:", "device name '/GPU:': '' is not a device index (a number from 0)"},
      {"/GPU:99999999999",
       "device name '/GPU:99999999999': '99999999999' is not a device index "
       "(a number from 0)"},
      {"/TPU:0", "device name '/TPU:0': unknown device type 'TPU' (tfgpu runs ops on CPU and GPU)"},
      {"/device:XLA_GPU:0",
       "device name '/device:XLA_GPU:0': unknown device type 'XLA_GPU' (tfgpu runs ops on CPU and "
       "GPU)"},
      {"/physical_device:GPU:0",
       "device name '/physical_device:GPU:0': a physical device name is not a place to run ops; "
       "use its logical device ('/GPU:0', see list_logical_devices)"},
      {"/job:worker/GPU:0",
       "device name '/job:worker/GPU:0': 'job:worker' is not this process (tfgpu runs one local "
       "process: /job:localhost/replica:0/task:0)"},
      {"/replica:1/GPU:0",
       "device name '/replica:1/GPU:0': 'replica:1' is not this process (tfgpu runs one local "
       "process: /job:localhost/replica:0/task:0)"},
      {"/GPU:0/CPU:0", "device name '/GPU:0/CPU:0': 'device' is given twice"},
      {"/job:localhost/job:localhost",
       "device name '/job:localhost/job:localhost': 'job' is given "
       "twice"},
      {"/GPU:0//", "device name '/GPU:0//': an empty part between '/'"},
      {" /GPU:0", "device name ' /GPU:0': unknown device type ' ' (tfgpu runs ops on CPU and GPU)"},
  };
  for (const auto& [name, message] : cases) {
    auto spec = parse_device_name(name);
    ASSERT_FALSE(spec) << name;
    EXPECT_EQ(spec.error().code, Errc::kInvalidArgument) << name;
    EXPECT_EQ(spec.error().message, message) << name;
  }
}

TEST(ParseDeviceName, UnprintableBytesAreEscapedInTheMessage) {
  auto spec = parse_device_name(std::string_view("/GPU:\x01", 6));
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().message.find('\x01'), std::string::npos) << spec.error().message;
}

TEST(SpecFullName, AsTensorFlowPrintsRequests) {
  EXPECT_EQ(spec_full_name(gpu_spec(1)), kGpu1);
  EXPECT_EQ(spec_full_name(gpu_spec(std::nullopt)), "/job:localhost/replica:0/task:0/device:GPU:*");
}

// ---- scopes ---------------------------------------------------------------------------------

TEST(DeviceScope, NestsAndRestores) {
  EXPECT_EQ(DeviceScope::current(), nullptr);
  {
    DeviceScope outer("/GPU:0");
    ASSERT_NE(DeviceScope::current(), nullptr);
    EXPECT_EQ(DeviceScope::current()->device(), "/GPU:0");
    {
      DeviceScope inner("/CPU:0");
      EXPECT_EQ(DeviceScope::current()->device(), "/CPU:0");
      {
        DeviceScope empty("");  // defers to the enclosing scope
        EXPECT_EQ(DeviceScope::current()->device(), "/CPU:0");
      }
    }
    EXPECT_EQ(DeviceScope::current()->device(), "/GPU:0");
  }
  EXPECT_EQ(DeviceScope::current(), nullptr);
}

TEST(DeviceScope, IsPerThread) {
  DeviceScope here("/GPU:1");
  const DeviceScope* seen_there = &here;
  std::thread other([&seen_there] { seen_there = DeviceScope::current(); });
  other.join();
  EXPECT_EQ(seen_there, nullptr);
  EXPECT_EQ(DeviceScope::current(), &here);
}

TEST(RequestedDevice, ExplicitBeatsScopeBeatsNothing) {
  auto none = requested_device(std::nullopt);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  DeviceScope scope("/GPU:1");
  auto from_scope = requested_device(std::nullopt);
  ASSERT_TRUE(from_scope);
  EXPECT_EQ(*from_scope, "/GPU:1");
  auto explicit_device = requested_device(std::string("/CPU:0"));
  ASSERT_TRUE(explicit_device);
  EXPECT_EQ(*explicit_device, "/CPU:0");
}

TEST(RequestedDevice, AMalformedScopeFailsEveryOpUnderIt) {
  DeviceScope scope("/GPU:first");
  EXPECT_FALSE(scope.ok());
  ASSERT_TRUE(scope.error());
  auto requested = requested_device(std::nullopt);
  ASSERT_FALSE(requested);
  EXPECT_EQ(requested.error().message,
            "device scope: device name '/GPU:first': 'first' is not a device index (a number "
            "from 0)");
  // An explicit device is not affected by the broken scope.
  EXPECT_TRUE(requested_device(std::string("/CPU:0")));
}

// ---- place_op -------------------------------------------------------------------------------

TEST(PlaceOp, DefaultIsGpu0WhenThereIsOneElseCpu0) {
  const std::vector<LogicalDevice> with_gpus = {cpu(), gpu(0), gpu(1)};
  auto on_gpu = place_op("MatMul", std::nullopt, with_gpus, false, "");
  ASSERT_TRUE(on_gpu);
  EXPECT_EQ(on_gpu->device.name, kGpu0);
  EXPECT_FALSE(on_gpu->note);

  const std::vector<LogicalDevice> cpu_only = {cpu()};
  auto on_cpu = place_op("MatMul", std::nullopt, cpu_only, false, "no driver");
  ASSERT_TRUE(on_cpu);
  EXPECT_EQ(on_cpu->device.name, kCpu0);
  EXPECT_FALSE(on_cpu->note);  // the default is not a fallback: nothing was asked for
}

TEST(PlaceOp, RequestedDevicesThatExist) {
  const std::vector<LogicalDevice> devices = {cpu(), gpu(0), gpu(1)};
  EXPECT_EQ(place_op("MatMul", "/GPU:1", devices, false, "")->device.name, kGpu1);
  EXPECT_EQ(place_op("MatMul", "/CPU:0", devices, false, "")->device.name, kCpu0);
  EXPECT_EQ(place_op("MatMul", "/GPU", devices, false, "")->device.name, kGpu0);
  EXPECT_EQ(place_op("MatMul", "/job:localhost", devices, false, "")->device.name, kGpu0);
}

TEST(PlaceOp, AMissingGpuIsTensorFlowsErrorWithTheReason) {
  const std::vector<LogicalDevice> cpu_only = {cpu()};
  auto placed = place_op("MatMul", "/GPU:0", cpu_only, false,
                         "libcuda.so.1: cannot open shared object file: No such file or directory");
  ASSERT_FALSE(placed);
  EXPECT_EQ(placed.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(
      placed.error().message,
      "Could not satisfy device specification '/job:localhost/replica:0/task:0/device:GPU:0'. "
      "enable_soft_placement=0. Supported device types [CPU]. All available devices "
      "[/job:localhost/replica:0/task:0/device:CPU:0]. [Op:MatMul] (GPU:0 does not exist: "
      "there is no GPU: libcuda.so.1: cannot open shared object file: No such file or "
      "directory)");
}

TEST(PlaceOp, AGpuBeyondTheLastOneListsTheDevicesGpusFirst) {
  const std::vector<LogicalDevice> devices = {cpu(), gpu(0), gpu(1)};
  auto placed = place_op("MatMul", "/GPU:2", devices, false, "");
  ASSERT_FALSE(placed);
  EXPECT_EQ(
      placed.error().message,
      "Could not satisfy device specification '/job:localhost/replica:0/task:0/device:GPU:2'. "
      "enable_soft_placement=0. Supported device types [GPU, CPU]. All available devices "
      "[/job:localhost/replica:0/task:0/device:GPU:0, "
      "/job:localhost/replica:0/task:0/device:GPU:1, "
      "/job:localhost/replica:0/task:0/device:CPU:0]. [Op:MatMul] (GPU:2 does not exist: "
      "only GPU:0 to GPU:1 exist)");
  const std::vector<LogicalDevice> one_gpu = {cpu(), gpu(0)};
  auto second = place_op("MatMul", "/GPU:1", one_gpu, false, "");
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("(GPU:1 does not exist: only GPU:0 exists)"),
            std::string::npos);
  auto cpu1 = place_op("MatMul", "/CPU:1", one_gpu, false, "");
  ASSERT_FALSE(cpu1);
  EXPECT_NE(cpu1.error().message.find("(CPU:1 does not exist: tfgpu has one CPU device, CPU:0)"),
            std::string::npos);
}

TEST(PlaceOp, SoftPlacementFallsBackToTheCpuAndSaysSo) {
  const std::vector<LogicalDevice> cpu_only = {cpu()};
  auto placed = place_op("MatMul", "/GPU:0", cpu_only, true, "cuInit: CUDA_ERROR_NO_DEVICE (100)");
  ASSERT_TRUE(placed) << placed.error().message;
  EXPECT_EQ(placed->device.name, kCpu0);
  ASSERT_TRUE(placed->note);
  EXPECT_EQ(*placed->note,
            "soft device placement: MatMul asked for "
            "'/job:localhost/replica:0/task:0/device:GPU:0', but GPU:0 does not exist: there is no "
            "GPU: cuInit: CUDA_ERROR_NO_DEVICE (100); it ran on "
            "/job:localhost/replica:0/task:0/device:CPU:0");
}

TEST(PlaceOp, SoftPlacementPrefersAnotherGpuToTheCpu) {
  const std::vector<LogicalDevice> devices = {cpu(), gpu(0)};
  auto placed = place_op("MatMul", "/GPU:3", devices, true, "");
  ASSERT_TRUE(placed);
  EXPECT_EQ(placed->device.name, kGpu0);
  ASSERT_TRUE(placed->note);
  EXPECT_NE(placed->note->find("GPU:3 does not exist"), std::string::npos);
}

TEST(PlaceOp, SoftPlacementDoesNotExcuseAMalformedName) {
  const std::vector<LogicalDevice> devices = {cpu()};
  auto placed = place_op("MatMul", "/GPU:one", devices, true, "");
  ASSERT_FALSE(placed);
  EXPECT_EQ(placed.error().message,
            "MatMul: device name '/GPU:one': 'one' is not a device index (a number from 0)");
}

}  // namespace
}  // namespace tfgpu::runtime
