// SPDX-License-Identifier: Apache-2.0
// materialize_machine SRC DEST: copy a recorded machine (tests/machines/<name>) to DEST, turning
// its text stand-ins for binary files into the real thing.
//
// Why: a recorded machine must hold ELF libraries and an /etc/ld.so.cache for the loader
// emulation to judge, but vendor binaries are never committed and hand-made binaries are not
// diffable. So the tree keeps a readable spec, and this tool (run at test time) builds the file:
//
//   #tfgpu-fake-elf            a minimal x86_64 shared object; optional lines:
//   soname=libcuda.so.1          DT_SONAME
//   runpath=$ORIGIN/../lib       DT_RUNPATH (rpath= for DT_RPATH)
//   needed=libc.so.6,libm.so.6   DT_NEEDED
//   class=32                     ELFCLASS32 (default 64)
//   machine=aarch64              EM_AARCH64 (default x86_64)
//   truncate=40                  cut the object after 40 bytes (a damaged file)
//
//   #tfgpu-fake-sparse         a sparse file of `size=N` bytes (a huge file that costs no disk)
//
//   #tfgpu-fake-ld-cache       an ld.so.cache (new format) with one entry per line:
//   libcuda.so.1 /usr/lib/wsl/lib/libcuda.so.1        soname, path (libc6,x86-64 entries)
//
// Everything else (files, symlinks as written, directories) is copied as it is.
#include <elf.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "elf_builder.h"
#include "ld_cache_builder.h"

namespace fs = std::filesystem;

namespace {

constexpr std::int32_t kLibc6X8664 =
    0x0303;  // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 (glibc ldconfig.h)

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string build_elf(std::istringstream& lines) {
  ElfSpec spec;
  std::size_t truncate_at = std::string::npos;
  std::string line;
  while (std::getline(lines, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) {
      continue;
    }
    const std::string key = line.substr(0, eq);
    const std::string value = line.substr(eq + 1);
    if (key == "soname") {
      spec.soname = value;
    } else if (key == "runpath") {
      spec.runpath = value;
    } else if (key == "rpath") {
      spec.rpath = value;
    } else if (key == "needed") {
      std::istringstream names(value);
      for (std::string name; std::getline(names, name, ',');) {
        spec.needed.push_back(name);
      }
    } else if (key == "class") {
      spec.is_64 = value != "32";
    } else if (key == "machine") {
      spec.machine = value == "aarch64" ? EM_AARCH64 : EM_X86_64;
    } else if (key == "truncate") {
      truncate_at = std::stoul(value);
    }
  }
  std::string object = ElfBuilder::build(spec);
  if (truncate_at < object.size()) {
    object.resize(truncate_at);
  }
  return object;
}

std::string build_ld_cache(std::istringstream& lines) {
  std::vector<LdCacheSpecEntry> entries;
  std::string soname;
  std::string path;
  while (lines >> soname >> path) {
    entries.push_back({kLibc6X8664, soname, path});
  }
  return LdCacheBuilder::build(entries);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: materialize_machine SRC DEST\n";
    return 2;
  }
  const fs::path source = argv[1];
  const fs::path dest = argv[2];
  std::error_code error;
  fs::remove_all(dest, error);
  fs::create_directories(dest);
  for (auto it = fs::recursive_directory_iterator(source); it != fs::recursive_directory_iterator();
       ++it) {
    const fs::path target = dest / it->path().lexically_relative(source);
    fs::create_directories(target.parent_path());
    if (it->is_symlink()) {
      fs::create_symlink(fs::read_symlink(it->path()), target);
    } else if (it->is_directory()) {
      fs::create_directories(target);
    } else {
      const std::string content = read_all(it->path());
      std::istringstream lines(content);
      std::string first;
      std::getline(lines, first);
      std::string out = content;
      if (first == "#tfgpu-fake-sparse") {
        std::string key_value;
        std::getline(lines, key_value);
        std::ofstream(target, std::ios::binary).close();
        fs::resize_file(target, std::stoull(key_value.substr(key_value.find('=') + 1)));
        continue;
      }
      if (first == "#tfgpu-fake-elf") {
        out = build_elf(lines);
      } else if (first == "#tfgpu-fake-ld-cache") {
        out = build_ld_cache(lines);
      }
      std::ofstream(target, std::ios::binary) << out;
    }
  }
  return 0;
}
