// SPDX-License-Identifier: Apache-2.0
#pragma once
// Builds minimal ELF shared objects in memory: header, one PT_LOAD covering the file (vaddr ==
// offset), PT_DYNAMIC, a string table. Enough for the ELF reader and the loader emulation, in
// either class and byte order, and editable afterwards to make hostile variants.

#include <elf.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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
  // Byte offset of the program header table and of the dynamic section in the built file.
  static constexpr std::size_t kPhoff64 = 64;
  static constexpr std::size_t kPhoff32 = 52;

  static std::string build(const ElfSpec& spec) {
    const std::size_t word = spec.is_64 ? 8 : 4;
    const std::size_t ehdr = spec.is_64 ? 64 : 52;
    const std::size_t phent = spec.is_64 ? 56 : 32;
    const std::size_t phoff = ehdr;
    const std::size_t strtab = phoff + 2 * phent;
    std::string strings(1, '\0');
    auto add_string = [&](const std::string& text) {
      const std::size_t at = strings.size();
      strings += text;
      strings += '\0';
      return at;
    };
    std::vector<std::pair<std::uint64_t, std::uint64_t>> dyn;
    for (const auto& name : spec.needed) {
      dyn.emplace_back(DT_NEEDED, add_string(name));
    }
    if (spec.soname) {
      dyn.emplace_back(DT_SONAME, add_string(*spec.soname));
    }
    if (spec.rpath) {
      dyn.emplace_back(DT_RPATH, add_string(*spec.rpath));
    }
    if (spec.runpath) {
      dyn.emplace_back(DT_RUNPATH, add_string(*spec.runpath));
    }
    dyn.emplace_back(DT_STRTAB, strtab);
    dyn.emplace_back(DT_STRSZ, strings.size());
    dyn.emplace_back(DT_NULL, 0);
    std::size_t dynamic = strtab + strings.size();
    dynamic = (dynamic + 7) / 8 * 8;
    const std::size_t dyn_bytes = dyn.size() * 2 * word;
    const std::size_t total = dynamic + dyn_bytes;

    std::string out(total, '\0');
    auto put = [&](std::size_t at, std::uint64_t value, std::size_t width) {
      for (std::size_t i = 0; i < width; ++i) {
        const std::size_t index = spec.big_endian ? at + width - 1 - i : at + i;
        out[index] = static_cast<char>((value >> (8 * i)) & 0xffU);
      }
    };
    out.replace(0, 4,
                "\x7f"
                "ELF");
    out[EI_CLASS] = static_cast<char>(spec.is_64 ? ELFCLASS64 : ELFCLASS32);
    out[EI_DATA] = static_cast<char>(spec.big_endian ? ELFDATA2MSB : ELFDATA2LSB);
    out[EI_VERSION] = EV_CURRENT;
    put(16, ET_DYN, 2);
    put(18, spec.machine, 2);
    put(20, EV_CURRENT, 4);
    if (spec.is_64) {
      put(32, phoff, 8);  // e_phoff
      put(52, ehdr, 2);   // e_ehsize
      put(54, phent, 2);  // e_phentsize
      put(56, 2, 2);      // e_phnum
    } else {
      put(28, phoff, 4);
      put(40, ehdr, 2);
      put(42, phent, 2);
      put(44, 2, 2);
    }
    auto phdr = [&](std::size_t index, std::uint32_t type, std::uint64_t offset,
                    std::uint64_t size) {
      const std::size_t at = phoff + index * phent;
      put(at, type, 4);
      if (spec.is_64) {
        put(at + 8, offset, 8);   // p_offset
        put(at + 16, offset, 8);  // p_vaddr
        put(at + 24, offset, 8);  // p_paddr
        put(at + 32, size, 8);    // p_filesz
        put(at + 40, size, 8);    // p_memsz
      } else {
        put(at + 4, offset, 4);
        put(at + 8, offset, 4);
        put(at + 12, offset, 4);
        put(at + 16, size, 4);
        put(at + 20, size, 4);
      }
    };
    phdr(0, PT_LOAD, 0, total);
    phdr(1, PT_DYNAMIC, dynamic, dyn_bytes);
    out.replace(strtab, strings.size(), strings);
    for (std::size_t i = 0; i < dyn.size(); ++i) {
      put(dynamic + 2 * i * word, dyn[i].first, word);
      put(dynamic + (2 * i + 1) * word, dyn[i].second, word);
    }
    return out;
  }
};
