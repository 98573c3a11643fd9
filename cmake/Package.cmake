# The runtime library as an installed CMake package (issue 5):
#   cmake --install build/dev --prefix /opt/tfgpu
#   find_package(tfgpu CONFIG REQUIRED)   # with CMAKE_PREFIX_PATH=/opt/tfgpu
#   target_link_libraries(app PRIVATE tfgpu::runtime)
# Only the runtime and the two modules it links are installed (tfgpu::runtime, tfgpu::vendor,
# tfgpu::base), with their headers under include/tfgpu/; the CLI's other modules stay internal.
include(CMakePackageConfigHelpers)

set(TFGPU_INSTALL_CMAKEDIR lib/cmake/tfgpu)

foreach(module base vendor runtime)
  set_target_properties(tfgpu_${module} PROPERTIES EXPORT_NAME ${module})
  add_library(tfgpu::${module} ALIAS tfgpu_${module})
  # The same folders the headers include each other by ("tfgpu/runtime/device.h"); tfgpu_module's
  # $<INSTALL_INTERFACE:include> points consumers here. vendor/ brings abi/ with it.
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/tfgpu/${module}/
          DESTINATION include/tfgpu/${module}
          FILES_MATCHING PATTERN "*.h")
endforeach()
# The headers use C++20 (<span>, <compare>, concepts): consumers compile them as C++20 at least.
target_compile_features(tfgpu_base PUBLIC cxx_std_20)

install(TARGETS tfgpu_base tfgpu_vendor tfgpu_runtime
        EXPORT tfgpuTargets
        ARCHIVE DESTINATION lib)
install(EXPORT tfgpuTargets
        NAMESPACE tfgpu::
        DESTINATION ${TFGPU_INSTALL_CMAKEDIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/tfgpuConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/tfgpuConfig.cmake
                              INSTALL_DESTINATION ${TFGPU_INSTALL_CMAKEDIR})
# 0.x: a new minor version may change the API, so only the same minor version satisfies a request.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tfgpuConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tfgpuConfig.cmake ${PROJECT_BINARY_DIR}/tfgpuConfigVersion.cmake
        DESTINATION ${TFGPU_INSTALL_CMAKEDIR})
