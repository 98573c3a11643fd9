#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The runtime library as an installed package: `cmake --install` of this build tree into a scratch
# prefix, examples/ configured and built on their own against it (find_package(tfgpu), linking
# tfgpu::runtime, with no path into tfgpu's sources), and two of them run from that build.
#   check_library_package.sh CMAKE BUILD_DIR SOURCE_DIR SCRATCH_DIR GENERATOR CXX BUILD_TYPE
#                            LAUNCHER EXE_LINKER_FLAGS
# SCRATCH_DIR is emptied first and kept at the same path between runs, so ccache hits again.
set -euo pipefail
cmake=$1 build_dir=$2 source_dir=$3 scratch=$4 generator=$5 cxx=$6 build_type=$7
launcher=$8 exe_linker_flags=$9
prefix=$scratch/prefix
examples_build=$scratch/examples

fail() { echo "FAIL: $*"; exit 1; }

rm -rf "$scratch"
mkdir -p "$scratch"

echo "== cmake --install $build_dir --prefix $prefix"
"$cmake" --install "$build_dir" --prefix "$prefix" >"$scratch/install.log" ||
  { cat "$scratch/install.log"; fail "cmake --install failed"; }

# The three libraries, their headers and the package files: no other module of the CLI.
listing() { find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | xargs; }
libs=$(find "$prefix/lib" -maxdepth 1 -type f -printf '%f\n' | sort | xargs)
[[ $libs == "libtfgpu_base.a libtfgpu_runtime.a libtfgpu_vendor.a" ]] ||
  fail "installed lib/ files are '$libs', expected libtfgpu_{base,runtime,vendor}.a only"
include_dirs=$(listing "$prefix/include/tfgpu")
[[ $include_dirs == "base runtime vendor" ]] ||
  fail "installed header folders are '$include_dirs', expected base runtime vendor"
for file in include/tfgpu/runtime/runtime.h include/tfgpu/vendor/abi/cuda_abi.h \
            include/tfgpu/base/result.h lib/cmake/tfgpu/tfgpuConfig.cmake \
            lib/cmake/tfgpu/tfgpuConfigVersion.cmake lib/cmake/tfgpu/tfgpuTargets.cmake; do
  [[ -f $prefix/$file ]] || fail "$file is not installed"
done
echo "ok: installed $libs, include/tfgpu/{${include_dirs// /,}} and lib/cmake/tfgpu"

echo "== examples/ on their own against $prefix"
configure=("$cmake" -S "$source_dir/examples" -B "$examples_build" -G "$generator"
           -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx"
           -DCMAKE_BUILD_TYPE="$build_type" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
           -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
[[ -n $launcher ]] && configure+=(-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher")
[[ -n $exe_linker_flags ]] && configure+=(-DCMAKE_EXE_LINKER_FLAGS="$exe_linker_flags")
"${configure[@]}" >"$scratch/configure.log" 2>&1 ||
  { cat "$scratch/configure.log"; fail "configuring examples/ against the installed tfgpu failed"; }
found=$(sed -n 's/^tfgpu_DIR:PATH=//p' "$examples_build/CMakeCache.txt")
[[ $found == "$prefix/lib/cmake/tfgpu" ]] || fail "find_package(tfgpu) found '$found', not $prefix"
"$cmake" --build "$examples_build" -j2 >"$scratch/build.log" 2>&1 ||
  { cat "$scratch/build.log"; fail "building examples/ against the installed tfgpu failed"; }
# Headers from the prefix, not from the source tree the libraries were built in.
if grep -q -- "-I$source_dir/src" "$examples_build/compile_commands.json"; then
  fail "the standalone build includes $source_dir/src: the package leaks a build-tree path"
fi
grep -q -- "$prefix/include" "$examples_build/compile_commands.json" ||
  fail "the standalone build does not include $prefix/include"
echo "ok: built list_devices, memory_growth and matmul_on_gpu with tfgpu::runtime from $prefix"

# run NAME EXPECTED_EXIT REGEX [ENV...]: the program's exit status and its output.
run() {
  local name=$1 expect_exit=$2 regex=$3 status=0 output
  shift 3
  output=$(env "$@" "$examples_build/$name" 2>&1) || status=$?
  echo "-- $name (exit $status):"
  echo "$output"
  [[ $status == "$expect_exit" ]] || fail "$name exited $status, expected $expect_exit"
  echo "$output" | tr '\n' ' ' | grep -Eq -- "$regex" || fail "$name: the output does not match '$regex'"
}
run list_devices 0 "/physical_device:CPU:0"
# Every GPU hidden (libcuda applies it itself), so this means the same on a machine with one.
run matmul_on_gpu 1 "GPU:0 does not exist: there is no GPU: ." CUDA_VISIBLE_DEVICES=-1
echo "ok: the standalone list_devices and matmul_on_gpu behave as the in-tree ones"
