// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/cuda_sonames.h"

#include <set>

#include <fmt/format.h>

namespace tfgpu::probe {
namespace {

struct LibraryMajors {
  std::string cudart, cublas, cufft, curand, cusolver, cusparse, cupti;
  bool has_cublas_lt = true;
};

LibraryMajors majors_for(const Version& cuda) {
  const int major = cuda.major();
  const int minor = cuda.minor();
  const std::string x_y = fmt::format("{}.{}", major, minor);
  if (major < 10 || (major == 10 && minor == 0)) {
    return {x_y, x_y, x_y, x_y, x_y, x_y, x_y, false};
  }
  if (major == 10) {
    return {x_y, "10", "10", "10", "10", "10", x_y, false};
  }
  if (major == 11) {
    // CUDA 11.0 still shipped cuSOLVER 10; 11.1+ ship cuSOLVER 11. CUPTI keeps "11.x".
    return {"11.0", "11", "10", "10", minor == 0 ? "10" : "11", "11", x_y, true};
  }
  if (major == 12) {
    return {"12", "12", "11", "10", "11", "12", "12", true};
  }
  if (major == 13) {
    return {"13", "13", "12", "10", "12", "12", "13", true};
  }
  const std::string m = std::to_string(major);
  return {m, m, m, "10", m, m, m, true};
}

}  // namespace

std::vector<SonameSpec> sonames_for_build(const Version& cuda, int cudnn_major) {
  const LibraryMajors m = majors_for(cuda);
  std::vector<SonameSpec> specs = {
      {"cudart", "libcudart.so." + m.cudart, true},
      {"cublas", "libcublas.so." + m.cublas, true},
  };
  if (m.has_cublas_lt) {
    specs.push_back({"cublasLt", "libcublasLt.so." + m.cublas, true});
  }
  specs.push_back({"cufft", "libcufft.so." + m.cufft, true});
  // TSL's dlopen_checker stopped requiring cuRAND when XLA's dso_loader dropped its handle
  // (TF 2.18+); it is still a wheel TensorFlow installs, so report it, not required.
  specs.push_back({"curand", "libcurand.so." + m.curand, false});
  specs.push_back({"cusolver", "libcusolver.so." + m.cusolver, true});
  specs.push_back({"cusparse", "libcusparse.so." + m.cusparse, true});
  if (cudnn_major > 0) {
    specs.push_back({"cudnn", "libcudnn.so." + std::to_string(cudnn_major), true});
  }
  specs.push_back({"cupti", "libcupti.so." + m.cupti, false});
  specs.push_back({"nccl", "libnccl.so.2", false});
  return specs;
}

std::vector<SonameSpec> all_known_sonames() {
  std::vector<SonameSpec> all;
  std::set<std::string> seen;
  const char* cudas[] = {"10.0", "10.1", "10.2", "11.0", "11.2", "11.8", "12.0", "13.0"};
  const int cudnns[] = {7, 8, 8, 8, 8, 8, 9, 9};
  for (std::size_t i = 0; i < std::size(cudas); ++i) {
    for (auto& spec : sonames_for_build(*Version::parse(cudas[i]), cudnns[i])) {
      if (seen.insert(spec.soname).second) {
        all.push_back(std::move(spec));
      }
    }
  }
  if (seen.insert("libcudnn.so.9").second) {
    all.push_back({"cudnn", "libcudnn.so.9", true});
  }
  return all;
}

}  // namespace tfgpu::probe
