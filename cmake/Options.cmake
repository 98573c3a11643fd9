# tfgpu_options: the one INTERFACE target every tfgpu target links PRIVATE. It carries the
# warnings, sanitizers and debug assertions (ccache's standard_settings).
add_library(tfgpu_options INTERFACE)
target_compile_options(tfgpu_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual -Wcast-align
  -Wdouble-promotion -Wextra-semi -Wold-style-cast -Wconversion -Wsign-conversion -Wformat=2)
if(TFGPU_WARNINGS_AS_ERRORS)
  target_compile_options(tfgpu_options INTERFACE -Werror)
endif()
target_compile_definitions(tfgpu_options INTERFACE $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)
if(TFGPU_SANITIZE)
  string(REPLACE ";" "," _tfgpu_sanitizers "${TFGPU_SANITIZE}")
  target_compile_options(tfgpu_options INTERFACE -fsanitize=${_tfgpu_sanitizers} -fno-omit-frame-pointer)
  target_link_options(tfgpu_options INTERFACE -fsanitize=${_tfgpu_sanitizers})
endif()
