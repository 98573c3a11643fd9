// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/model/facts_json.h"

#include "tfgpu/model/json_support.h"

namespace tfgpu::model {

NLOHMANN_JSON_SERIALIZE_ENUM(SearchStep, {{SearchStep::kRpath, "rpath"},
                                          {SearchStep::kLdLibraryPath, "ld_library_path"},
                                          {SearchStep::kRunpath, "runpath"},
                                          {SearchStep::kLdCache, "ld_so_cache"},
                                          {SearchStep::kDefaultDir, "default_dir"}})

NLOHMANN_JSON_SERIALIZE_ENUM(Provider, {{Provider::kUnknown, "unknown"},
                                        {Provider::kCudaToolkit, "cuda_toolkit"},
                                        {Provider::kPipWheel, "pip_wheel"},
                                        {Provider::kConda, "conda"},
                                        {Provider::kDistribution, "distribution"},
                                        {Provider::kWsl, "wsl"},
                                        {Provider::kDriver, "driver"},
                                        {Provider::kStub, "stub"}})

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HostFacts, os_id, os_version_id, os_pretty_name,
                                                kernel_release, arch, glibc_version, wsl2,
                                                wsl_lib_dir, wsl_driver_libraries, container)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PciGpu, bus_id, vendor_id, device_id,
                                                subsystem_vendor_id, subsystem_device_id,
                                                class_code, model_name, bound_driver)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DevNode, path, exists, accessible)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(KernelDriverFacts, module_version, module_flavor,
                                                version_line, nvidia_module_loaded, nouveau_loaded,
                                                secure_boot, dev_nodes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LibraryCandidate, path, step, search_dir, exists,
                                                rejected_because)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LoaderCheck, loaded_path, error, agrees, method)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LibraryResolution, soname, family, required,
                                                requester, candidates, path, real_path, version,
                                                provider, wheel, loader_check)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CudaDevice, ordinal, name, compute_capability,
                                                total_bytes, free_bytes, uuid, pci_bus_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LiveDriverFacts, outcome, cu_init_status,
                                                cu_init_status_name, cuda_driver_version,
                                                device_count, devices, nvml_driver_version,
                                                nvml_cuda_driver_version, nvml_status_name,
                                                cuda_visible_devices)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(UserDriverFacts, libcuda, libnvidia_ml,
                                                libcuda_is_stub, stub_libcuda_paths, live)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CudaToolkit, root, found_via, version, nvcc, ptxas,
                                                libdevice)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CudnnLibrary, path, real_path, version, provider,
                                                missing_sublibraries)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CudnnHeader, path, version)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CudnnFacts, libraries, headers, misplaced,
                                                header_library_mismatches)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PythonPackage, name, version, dist_info)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TensorflowBuildInfo, source, is_cuda_build,
                                                is_rocm_build, cuda_version, cudnn_version,
                                                cuda_compute_capabilities)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TensorflowInstall, package, version, location,
                                                build_info, loader_object, runpath, rpath,
                                                cc_object, cc_runpath)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TfgpuInstallMark, source, complete, tensorflow,
                                                started_at, unfinished_step, detail, problem)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PythonEnv, interpreter, prefix, kind, found_via,
                                                python_version, site_packages, packages, tensorflow,
                                                libraries, tfgpu_install)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ProbeProblem, probe, error)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Facts, schema, tool_version, root, live, host,
                                                pci_gpus, kernel_driver, user_driver,
                                                system_libraries, cuda_toolkits, cudnn, python_envs,
                                                environment, problems)

std::string search_step_name(SearchStep step) {
  return nlohmann::json(step).get<std::string>();
}

std::string provider_name(Provider provider) {
  return nlohmann::json(provider).get<std::string>();
}

nlohmann::json facts_to_json(const Facts& facts) {
  return facts;
}

Result<Facts> facts_from_json(const nlohmann::json& document) {
  try {
    if (!document.is_object()) {
      return make_error(Errc::kMalformed, "facts document is not a JSON object");
    }
    const std::string schema = document.value("schema", std::string());
    if (schema != kFactsSchema) {
      return make_error(Errc::kMalformed,
                        "schema is '" + schema + "', expected '" + std::string(kFactsSchema) + "'");
    }
    return document.get<Facts>();
  } catch (const nlohmann::json::exception& e) {
    return make_error(Errc::kMalformed, e.what());
  }
}

}  // namespace tfgpu::model
