// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/vendor/cuda_driver.h"

#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "scoped_env.h"
#include "tfgpu/vendor/nvml.h"

namespace tfgpu::vendor {
namespace {

constexpr const char* kRealStub = "/usr/local/cuda/lib64/stubs/libcuda.so";

std::unique_ptr<CudaDriver> load(const char* path) {
  std::vector<std::string> candidates = {path};
  auto driver = load_cuda_driver(candidates);
  EXPECT_TRUE(driver) << driver.error().message;
  return driver ? std::move(*driver) : nullptr;
}

TEST(CudaDriverTest, FakeH100ReportsEverything) {
  auto driver = load(TFGPU_FAKE_LIBCUDA);
  ASSERT_NE(driver, nullptr);
  auto version = driver->driver_version();
  ASSERT_TRUE(version);
  EXPECT_EQ(version->text(), "12.4");
  ASSERT_TRUE(driver->init()) << driver->init().error().message;
  ASSERT_EQ(driver->device_count().value_or(-1), 1);
  auto device = driver->device(0);
  ASSERT_TRUE(device) << device.error().message;
  EXPECT_EQ(device->name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(device->cc_major, 9);
  EXPECT_EQ(device->cc_minor, 0);
  EXPECT_EQ(device->total_bytes, std::uint64_t{80} << 30);
  // Only cuDeviceGetUuid (v1) is exported by the fake: the fallback must be used.
  EXPECT_EQ(device->uuid, "GPU-12345678-9abc-def0-0123-456789abcdef");
  EXPECT_EQ(device->pci_bus_id, "0000:3B:00.0");
  auto memory = driver->memory_info(0);
  ASSERT_TRUE(memory) << memory.error().message;
  EXPECT_EQ(memory->free_bytes, std::uint64_t{79} << 30);
}

TEST(CudaDriverTest, BadOrdinalCarriesTheCuresult) {
  auto driver = load(TFGPU_FAKE_LIBCUDA);
  ASSERT_NE(driver, nullptr);
  ASSERT_TRUE(driver->init());
  auto device = driver->device(3);
  ASSERT_FALSE(device);
  EXPECT_EQ(device.error().code, Errc::kVendorError);
  EXPECT_EQ(device.error().vendor_status, 101);
  EXPECT_NE(device.error().message.find("CUDA_ERROR_INVALID_DEVICE"), std::string::npos)
      << device.error().message;
}

TEST(CudaDriverTest, NoDeviceScenarioFailsInitWithItsName) {
  ScopedEnv scenario("FAKE_CUDA_SCENARIO", "no_device");
  auto driver = load(TFGPU_FAKE_LIBCUDA);
  ASSERT_NE(driver, nullptr);
  auto init = driver->init();
  ASSERT_FALSE(init);
  EXPECT_EQ(init.error().code, Errc::kVendorError);
  EXPECT_EQ(init.error().vendor_status, 100);
  EXPECT_EQ(init.error().message, "cuInit(0): CUDA_ERROR_NO_DEVICE (100)");
}

TEST(CudaDriverTest, MissingRequiredSymbolIsNamed) {
  std::vector<std::string> candidates = {TFGPU_FAKE_LIBCUDA_INIT_ONLY};
  auto driver = load_cuda_driver(candidates);
  ASSERT_FALSE(driver);
  EXPECT_EQ(driver.error().code, Errc::kUnsupported);
  EXPECT_NE(driver.error().message.find("required symbol cuDriverGetVersion not exported"),
            std::string::npos)
      << driver.error().message;
}

TEST(CudaDriverTest, StatusNamesPreferTheLibraryThenTheTable) {
  auto driver = load(TFGPU_FAKE_LIBCUDA);
  ASSERT_NE(driver, nullptr);
  EXPECT_EQ(driver->status_name(100), "CUDA_ERROR_NO_DEVICE");               // from cuGetErrorName
  EXPECT_EQ(driver->status_name(803), "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH");  // from the table
  EXPECT_EQ(driver->status_name(12345), "CUresult 12345");
}

TEST(CudaDriverTest, NameTablesKeepDriverAndRuntimeApart) {
  EXPECT_EQ(cuda_result_name(34), "CUDA_ERROR_STUB_LIBRARY");
  EXPECT_EQ(cuda_result_name(999), "CUDA_ERROR_UNKNOWN");
  // 35 is cudaErrorInsufficientDriver in the runtime API and no CUresult at all (cuda.h 13.0).
  EXPECT_EQ(cuda_result_name(35), "CUresult 35");
  EXPECT_EQ(cudart_error_name(35), "cudaErrorInsufficientDriver");
  EXPECT_EQ(nvml_return_name(9), "NVML_ERROR_DRIVER_NOT_LOADED");
  EXPECT_EQ(nvml_return_name(12), "NVML_ERROR_LIBRARY_NOT_FOUND");
  EXPECT_EQ(nvml_return_name(18), "NVML_ERROR_LIB_RM_VERSION_MISMATCH");
  EXPECT_EQ(nvml_return_name(999), "NVML_ERROR_UNKNOWN");
  EXPECT_EQ(nvml_return_name(-1), "nvmlReturn_t -1");
}

TEST(CudaDriverTest, FormatsUuidsAsNvidiaSmi) {
  std::array<unsigned char, 16> bytes = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                         0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0xff};
  EXPECT_EQ(format_gpu_uuid(bytes), "GPU-00010203-0405-0607-0809-0a0b0c0d0eff");
}

// The real CUDA 13 toolkit stub: it loads, resolves every required symbol, and answers every
// call (cuDriverGetVersion and cuGetErrorName included) with CUDA_ERROR_STUB_LIBRARY.
TEST(CudaDriverTest, RealToolkitStubAnswersStubLibrary) {
  if (::access(kRealStub, R_OK) != 0) {
    GTEST_SKIP() << "no CUDA toolkit stub at " << kRealStub;
  }
  auto driver = load(kRealStub);
  ASSERT_NE(driver, nullptr);
  auto init = driver->init();
  ASSERT_FALSE(init);
  EXPECT_EQ(init.error().vendor_status, 34);
  EXPECT_EQ(driver->status_name(34), "CUDA_ERROR_STUB_LIBRARY");
  auto version = driver->driver_version();
  ASSERT_FALSE(version);
  EXPECT_EQ(version.error().vendor_status, 34);
}

TEST(NvmlTest, FakeReportsDriverAndDevices) {
  std::vector<std::string> candidates = {TFGPU_FAKE_LIBNVIDIA_ML};
  auto nvml = load_nvml(candidates);
  ASSERT_TRUE(nvml) << nvml.error().message;
  ASSERT_TRUE((*nvml)->init());
  EXPECT_EQ((*nvml)->driver_version().value_or(Version()).text(), "550.54.14");
  EXPECT_EQ((*nvml)->cuda_driver_version().value_or(Version()).text(), "12.4");
  ASSERT_EQ((*nvml)->device_count().value_or(0), 1u);
  auto device = (*nvml)->device(0);
  ASSERT_TRUE(device) << device.error().message;
  EXPECT_EQ(device->name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(device->uuid, "GPU-12345678-9abc-def0-0123-456789abcdef");
  EXPECT_EQ(device->pci_bus_id, "00000000:3B:00.0");
  EXPECT_EQ(device->free_bytes, std::uint64_t{75} << 30);
  EXPECT_FALSE((*nvml)->device(1));
}

TEST(NvmlTest, DriverNotLoadedIsAVendorError) {
  ScopedEnv scenario("FAKE_NVML_SCENARIO", "driver_not_loaded");
  std::vector<std::string> candidates = {TFGPU_FAKE_LIBNVIDIA_ML};
  auto nvml = load_nvml(candidates);
  ASSERT_TRUE(nvml) << nvml.error().message;
  auto init = (*nvml)->init();
  ASSERT_FALSE(init);
  EXPECT_EQ(init.error().vendor_status, 9);
  EXPECT_EQ(init.error().message, "nvmlInit_v2: NVML_ERROR_DRIVER_NOT_LOADED (9)");
}

TEST(NvmlTest, ALibcudaIsNotAnNvml) {
  std::vector<std::string> candidates = {TFGPU_FAKE_LIBCUDA};
  auto nvml = load_nvml(candidates);
  ASSERT_FALSE(nvml);
  EXPECT_NE(nvml.error().message.find("required symbol nvmlInit_v2"), std::string::npos);
}

}  // namespace
}  // namespace tfgpu::vendor
