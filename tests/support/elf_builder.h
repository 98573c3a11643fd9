// SPDX-License-Identifier: Apache-2.0
#pragma once
// Minimal ELF shared objects for tests, in either class and byte order and editable afterwards to
// make hostile variants: a thin wrapper over the probe module's build_shared_object()
// (tfgpu/probe/elf_writer.h, which documents the layout), with the tests' own defaults.

#include <elf.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tfgpu/probe/elf_writer.h"

struct ElfSpec {
  bool is_64 = true;
  bool big_endian = false;
  std::uint16_t machine = EM_X86_64;
  std::optional<std::string> soname;
  std::vector<std::string> needed;
  std::optional<std::string> rpath;
  std::optional<std::string> runpath;
};

class ElfBuilder {
 public:
  // Byte offset of the program header table; the second program header is PT_DYNAMIC, the string
  // table follows the program headers and the dynamic section (…, DT_STRTAB, DT_STRSZ, DT_NULL)
  // ends the file.
  static constexpr std::size_t kPhoff64 = 64;
  static constexpr std::size_t kPhoff32 = 52;

  static std::string build(const ElfSpec& spec) {
    tfgpu::probe::SharedObjectSpec object;
    object.elf_class = spec.is_64 ? tfgpu::probe::ElfClass::k64 : tfgpu::probe::ElfClass::k32;
    object.endian =
        spec.big_endian ? tfgpu::probe::ElfEndian::kBig : tfgpu::probe::ElfEndian::kLittle;
    object.machine = spec.machine;
    object.soname = spec.soname;
    object.needed = spec.needed;
    object.rpath = spec.rpath;
    object.runpath = spec.runpath;
    return tfgpu::probe::build_shared_object(object);
  }
};
