// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/elf_writer.h"

#include <elf.h>

#include <utility>

namespace tfgpu::probe {
namespace {

constexpr std::uint64_t kPageBytes = 0x1000;  // the smallest page size; p_align of PT_LOAD

std::size_t align_up(std::size_t value, std::size_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

// Writes fixed-width integers in the object's byte order.
class Writer {
 public:
  Writer(std::string& out, ElfEndian endian) : out_(out), endian_(endian) {}

  void put(std::size_t at, std::uint64_t value, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i) {
      const std::size_t index = endian_ == ElfEndian::kBig ? at + width - 1 - i : at + i;
      out_[index] = static_cast<char>((value >> (8 * i)) & 0xffU);
    }
  }

 private:
  std::string& out_;
  ElfEndian endian_;
};

}  // namespace

ElfClass native_elf_class() {
  return sizeof(void*) == 8 ? ElfClass::k64 : ElfClass::k32;
}

ElfEndian native_elf_endian() {
  return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? ElfEndian::kBig : ElfEndian::kLittle;
}

std::uint16_t native_elf_machine() {
#if defined(__x86_64__)
  return EM_X86_64;
#elif defined(__aarch64__)
  return EM_AARCH64;
#elif defined(__i386__)
  return EM_386;
#elif defined(__powerpc64__)
  return EM_PPC64;
#elif defined(__arm__)
  return EM_ARM;
#else
  return EM_NONE;
#endif
}

std::string build_shared_object(const SharedObjectSpec& spec) {
  const bool is_64 = spec.elf_class == ElfClass::k64;
  const std::size_t word = is_64 ? 8 : 4;
  const std::size_t ehdr_bytes = is_64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
  const std::size_t phent = is_64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
  const std::size_t syment = is_64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
  constexpr std::size_t kProgramHeaders = 3;

  std::string strings(1, '\0');
  auto add_string = [&strings](const std::string& text) {
    const std::size_t at = strings.size();
    strings += text;
    strings += '\0';
    return at;
  };
  std::vector<std::pair<std::uint64_t, std::uint64_t>> dynamic;
  for (const std::string& name : spec.needed) {
    dynamic.emplace_back(DT_NEEDED, add_string(name));
  }
  if (spec.soname) {
    dynamic.emplace_back(DT_SONAME, add_string(*spec.soname));
  }
  if (spec.rpath) {
    dynamic.emplace_back(DT_RPATH, add_string(*spec.rpath));
  }
  if (spec.runpath) {
    dynamic.emplace_back(DT_RUNPATH, add_string(*spec.runpath));
  }

  const std::size_t phoff = ehdr_bytes;
  const std::size_t strtab = phoff + kProgramHeaders * phent;
  const std::size_t symtab = align_up(strtab + strings.size(), word);
  const std::size_t hash = symtab + syment;  // one symbol: the null symbol (STN_UNDEF)
  // SysV hash table of 32-bit words: nbucket = 1, nchain = 1, bucket[0] = 0, chain[0] = 0.
  const std::size_t hash_bytes = 4 * 4;
  const std::size_t dynamic_at = align_up(hash + hash_bytes, word);
  dynamic.emplace_back(DT_HASH, hash);
  dynamic.emplace_back(DT_SYMTAB, symtab);
  dynamic.emplace_back(DT_SYMENT, syment);
  dynamic.emplace_back(DT_STRTAB, strtab);
  dynamic.emplace_back(DT_STRSZ, strings.size());
  dynamic.emplace_back(DT_NULL, 0);
  const std::size_t dynamic_bytes = dynamic.size() * 2 * word;
  const std::size_t total = dynamic_at + dynamic_bytes;

  std::string out(total, '\0');
  Writer w(out, spec.endian);
  out.replace(0, SELFMAG, ELFMAG, SELFMAG);
  out[EI_CLASS] = static_cast<char>(is_64 ? ELFCLASS64 : ELFCLASS32);
  out[EI_DATA] = static_cast<char>(spec.endian == ElfEndian::kBig ? ELFDATA2MSB : ELFDATA2LSB);
  out[EI_VERSION] = EV_CURRENT;
  out[EI_OSABI] = ELFOSABI_SYSV;
  w.put(offsetof(Elf64_Ehdr, e_type), ET_DYN, 2);  // same offsets in both classes up to e_entry
  w.put(offsetof(Elf64_Ehdr, e_machine), spec.machine, 2);
  w.put(offsetof(Elf64_Ehdr, e_version), EV_CURRENT, 4);
  if (is_64) {
    w.put(offsetof(Elf64_Ehdr, e_phoff), phoff, 8);
    w.put(offsetof(Elf64_Ehdr, e_ehsize), ehdr_bytes, 2);
    w.put(offsetof(Elf64_Ehdr, e_phentsize), phent, 2);
    w.put(offsetof(Elf64_Ehdr, e_phnum), kProgramHeaders, 2);
  } else {
    w.put(offsetof(Elf32_Ehdr, e_phoff), phoff, 4);
    w.put(offsetof(Elf32_Ehdr, e_ehsize), ehdr_bytes, 2);
    w.put(offsetof(Elf32_Ehdr, e_phentsize), phent, 2);
    w.put(offsetof(Elf32_Ehdr, e_phnum), kProgramHeaders, 2);
  }

  auto program_header = [&](std::size_t index, std::uint32_t type, std::uint32_t flags,
                            std::uint64_t offset, std::uint64_t size, std::uint64_t align) {
    const std::size_t at = phoff + index * phent;
    if (is_64) {
      w.put(at + offsetof(Elf64_Phdr, p_type), type, 4);
      w.put(at + offsetof(Elf64_Phdr, p_flags), flags, 4);
      w.put(at + offsetof(Elf64_Phdr, p_offset), offset, 8);
      w.put(at + offsetof(Elf64_Phdr, p_vaddr), offset, 8);
      w.put(at + offsetof(Elf64_Phdr, p_paddr), offset, 8);
      w.put(at + offsetof(Elf64_Phdr, p_filesz), size, 8);
      w.put(at + offsetof(Elf64_Phdr, p_memsz), size, 8);
      w.put(at + offsetof(Elf64_Phdr, p_align), align, 8);
    } else {
      w.put(at + offsetof(Elf32_Phdr, p_type), type, 4);
      w.put(at + offsetof(Elf32_Phdr, p_offset), offset, 4);
      w.put(at + offsetof(Elf32_Phdr, p_vaddr), offset, 4);
      w.put(at + offsetof(Elf32_Phdr, p_paddr), offset, 4);
      w.put(at + offsetof(Elf32_Phdr, p_filesz), size, 4);
      w.put(at + offsetof(Elf32_Phdr, p_memsz), size, 4);
      w.put(at + offsetof(Elf32_Phdr, p_flags), flags, 4);
      w.put(at + offsetof(Elf32_Phdr, p_align), align, 4);
    }
  };
  program_header(0, PT_LOAD, PF_R | PF_W, 0, total, kPageBytes);
  program_header(1, PT_DYNAMIC, PF_R | PF_W, dynamic_at, dynamic_bytes, word);
  program_header(2, PT_GNU_STACK, PF_R | PF_W, 0, 0, 16);

  out.replace(strtab, strings.size(), strings);
  w.put(hash, 1, 4);      // nbucket
  w.put(hash + 4, 1, 4);  // nchain (= number of symbols)
  for (std::size_t i = 0; i < dynamic.size(); ++i) {
    w.put(dynamic_at + 2 * i * word, dynamic[i].first, word);
    w.put(dynamic_at + (2 * i + 1) * word, dynamic[i].second, word);
  }
  return out;
}

}  // namespace tfgpu::probe
