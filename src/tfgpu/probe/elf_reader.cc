// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/elf_reader.h"

#include <elf.h>

#include <algorithm>
#include <limits>
#include <unordered_set>

#include "tfgpu/base/strings.h"

namespace tfgpu::probe {
namespace {

// Limits that no real object comes near; they bound the work hostile input can cause.
constexpr std::uint64_t kMaxProgramHeaders = 4096;
constexpr std::uint64_t kMaxDynamicBytes = 1U << 20;  // 65536 Elf64_Dyn entries
constexpr std::size_t kMaxStringBytes = 1U << 20;     // one DT_RUNPATH string
constexpr std::size_t kStringChunkBytes = 4096;
constexpr std::uint64_t kMaxInterpreterBytes = 4096;  // PATH_MAX

tl::unexpected<Error> malformed(std::string message) {
  return make_error(Errc::kMalformed, std::move(message));
}

// Decodes fixed-width integers in the file's byte order from a buffer already bounds-checked.
class Decoder {
 public:
  Decoder(std::string_view bytes, ElfEndian endian) : bytes_(bytes), endian_(endian) {}

  std::uint64_t uint(std::size_t offset, std::size_t width) const {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      const std::size_t index = endian_ == ElfEndian::kLittle ? offset + width - 1 - i : offset + i;
      value = (value << 8U) | static_cast<unsigned char>(bytes_[index]);
    }
    return value;
  }

  std::uint16_t u16(std::size_t offset) const {
    return static_cast<std::uint16_t>(uint(offset, 2));
  }

 private:
  std::string_view bytes_;
  ElfEndian endian_;
};

class MemorySource : public ElfSource {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}

  std::uint64_t size() const override { return bytes_.size(); }

  Result<std::string> read(std::uint64_t offset, std::size_t length) const override {
    if (offset > bytes_.size() || length > bytes_.size() - offset) {
      return malformed("read of " + std::to_string(length) + " bytes at offset " +
                       std::to_string(offset) + " runs past the end (" +
                       std::to_string(bytes_.size()) + " bytes)");
    }
    return std::string(bytes_.substr(static_cast<std::size_t>(offset), length));
  }

 private:
  std::string_view bytes_;
};

class FileSource : public ElfSource {
 public:
  FileSource(OpenFile file, std::uint64_t size) : file_(std::move(file)), size_(size) {}

  std::uint64_t size() const override { return size_; }

  Result<std::string> read(std::uint64_t offset, std::size_t length) const override {
    if (offset > size_ || length > size_ - offset) {
      return malformed("read of " + std::to_string(length) + " bytes at offset " +
                       std::to_string(offset) + " runs past the end (" + std::to_string(size_) +
                       " bytes)");
    }
    auto data = file_.read_range(offset, length);
    if (!data) {
      return tl::unexpected(data.error());
    }
    if (data->size() != length) {
      return malformed("file shrank while reading (wanted " + std::to_string(length) +
                       " bytes at offset " + std::to_string(offset) + ")");
    }
    return data;
  }

 private:
  OpenFile file_;
  std::uint64_t size_;
};

// Field offsets and sizes of the 32- and 64-bit structures (<elf.h> layouts).
struct Layout {
  std::size_t ehdr_size, phoff_at, phentsize_at, phnum_at, addr_width;
  std::size_t phdr_size, p_offset_at, p_vaddr_at, p_filesz_at;
  std::size_t dyn_size;
};

constexpr Layout kLayout32{sizeof(Elf32_Ehdr),
                           offsetof(Elf32_Ehdr, e_phoff),
                           offsetof(Elf32_Ehdr, e_phentsize),
                           offsetof(Elf32_Ehdr, e_phnum),
                           4,
                           sizeof(Elf32_Phdr),
                           offsetof(Elf32_Phdr, p_offset),
                           offsetof(Elf32_Phdr, p_vaddr),
                           offsetof(Elf32_Phdr, p_filesz),
                           sizeof(Elf32_Dyn)};
constexpr Layout kLayout64{sizeof(Elf64_Ehdr),
                           offsetof(Elf64_Ehdr, e_phoff),
                           offsetof(Elf64_Ehdr, e_phentsize),
                           offsetof(Elf64_Ehdr, e_phnum),
                           8,
                           sizeof(Elf64_Phdr),
                           offsetof(Elf64_Phdr, p_offset),
                           offsetof(Elf64_Phdr, p_vaddr),
                           offsetof(Elf64_Phdr, p_filesz),
                           sizeof(Elf64_Dyn)};

struct Segment {
  std::uint64_t offset = 0;
  std::uint64_t vaddr = 0;
  std::uint64_t filesz = 0;
};

// File offset of virtual address `vaddr` through the PT_LOAD segments, or nullopt.
std::optional<std::uint64_t> vaddr_to_offset(const std::vector<Segment>& loads,
                                             std::uint64_t vaddr) {
  for (const Segment& load : loads) {
    if (vaddr >= load.vaddr && vaddr - load.vaddr < load.filesz) {
      return load.offset + (vaddr - load.vaddr);
    }
  }
  return std::nullopt;
}

// The NUL-terminated string at `index` of the string table [table, table + table_size).
Result<std::string> read_string(const ElfSource& source, std::uint64_t table,
                                std::uint64_t table_size, std::uint64_t index, const char* what) {
  if (index >= table_size) {
    return malformed(std::string(what) + " string offset " + std::to_string(index) +
                     " is outside DT_STRSZ " + std::to_string(table_size));
  }
  std::string out;
  std::uint64_t at = table + index;
  std::uint64_t left = table_size - index;
  while (left > 0) {
    const std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(
        {left, kStringChunkBytes, kMaxStringBytes - std::min(out.size(), kMaxStringBytes)}));
    if (chunk == 0) {
      return malformed(std::string(what) + " string is longer than " +
                       std::to_string(kMaxStringBytes) + " bytes");
    }
    auto bytes = source.read(at, chunk);
    if (!bytes) {
      return tl::unexpected(bytes.error().with_context(std::string("reading ") + what));
    }
    const std::size_t nul = bytes->find('\0');
    if (nul != std::string::npos) {
      out.append(*bytes, 0, nul);
      return out;
    }
    out += *bytes;
    at += chunk;
    left -= chunk;
  }
  return malformed(std::string(what) + " string is not NUL-terminated within DT_STRSZ");
}

std::vector<std::string> split_search_path(std::string_view text) {
  std::vector<std::string> out;
  std::unordered_set<std::string_view> seen;
  for (std::string_view entry : split(text, ':')) {
    if (seen.insert(entry).second) {
      out.emplace_back(entry);
    }
  }
  return out;
}

}  // namespace

std::string elf_machine_name(std::uint16_t machine) {
  switch (machine) {
    case EM_X86_64:
      return "x86_64";
    case EM_AARCH64:
      return "aarch64";
    case EM_386:
      return "i386";
    case EM_PPC64:
      return "ppc64";
    case EM_ARM:
      return "arm";
    default:
      return "elf-machine-" + std::to_string(machine);
  }
}

Result<ElfHeader> parse_elf_header(std::string_view head) {
  if (head.size() < EI_NIDENT || head.substr(0, SELFMAG) != std::string_view(ELFMAG, SELFMAG)) {
    return malformed("not an ELF file (no \\177ELF magic)");
  }
  ElfHeader header;
  switch (static_cast<unsigned char>(head[EI_CLASS])) {
    case ELFCLASS32:
      header.elf_class = ElfClass::k32;
      break;
    case ELFCLASS64:
      header.elf_class = ElfClass::k64;
      break;
    default:
      return malformed("invalid ELF class " +
                       std::to_string(static_cast<unsigned char>(head[EI_CLASS])));
  }
  switch (static_cast<unsigned char>(head[EI_DATA])) {
    case ELFDATA2LSB:
      header.endian = ElfEndian::kLittle;
      break;
    case ELFDATA2MSB:
      header.endian = ElfEndian::kBig;
      break;
    default:
      return malformed("invalid ELF byte order " +
                       std::to_string(static_cast<unsigned char>(head[EI_DATA])));
  }
  const Layout& layout = header.elf_class == ElfClass::k64 ? kLayout64 : kLayout32;
  if (head.size() < layout.ehdr_size) {
    return malformed("truncated ELF header (" + std::to_string(head.size()) + " of " +
                     std::to_string(layout.ehdr_size) + " bytes)");
  }
  const Decoder decode(head, header.endian);
  header.type = decode.u16(offsetof(Elf64_Ehdr, e_type));  // same offset in both classes
  header.machine = decode.u16(offsetof(Elf64_Ehdr, e_machine));
  return header;
}

Result<ElfInfo> read_elf(const ElfSource& source) {
  const std::uint64_t file_size = source.size();
  auto head = source.read(0, static_cast<std::size_t>(std::min<std::uint64_t>(file_size, 64)));
  if (!head) {
    return tl::unexpected(head.error());
  }
  auto header = parse_elf_header(*head);
  if (!header) {
    return tl::unexpected(header.error());
  }
  ElfInfo info;
  info.header = *header;
  const Layout& layout = header->elf_class == ElfClass::k64 ? kLayout64 : kLayout32;
  const Decoder ehdr(*head, header->endian);
  const std::uint64_t phoff = ehdr.uint(layout.phoff_at, layout.addr_width);
  const std::uint64_t phentsize = ehdr.u16(layout.phentsize_at);
  const std::uint64_t phnum = ehdr.u16(layout.phnum_at);
  if (phnum == 0) {
    return info;  // no program headers: a relocatable object, nothing the loader maps
  }
  if (phnum == PN_XNUM || phnum > kMaxProgramHeaders) {
    return malformed("unsupported program header count " + std::to_string(phnum));
  }
  if (phentsize < layout.phdr_size) {
    return malformed("program header entry size " + std::to_string(phentsize) +
                     " is smaller than " + std::to_string(layout.phdr_size));
  }
  const std::uint64_t table_bytes = phentsize * phnum;  // <= 65535 * 4096: no overflow
  if (phoff > file_size || table_bytes > file_size - phoff) {
    return malformed("program header table (offset " + std::to_string(phoff) + ", " +
                     std::to_string(table_bytes) + " bytes) runs past the end of the file (" +
                     std::to_string(file_size) + " bytes)");
  }
  auto table = source.read(phoff, static_cast<std::size_t>(table_bytes));
  if (!table) {
    return tl::unexpected(table.error().with_context("reading program headers"));
  }
  const Decoder phdrs(*table, header->endian);
  std::vector<Segment> loads;
  std::optional<Segment> dynamic;
  std::optional<Segment> interp;
  for (std::uint64_t i = 0; i < phnum; ++i) {
    const auto base = static_cast<std::size_t>(i * phentsize);
    const auto type = static_cast<std::uint32_t>(phdrs.uint(base, 4));  // p_type is first
    if (type != PT_LOAD && type != PT_DYNAMIC && type != PT_INTERP) {
      continue;
    }
    const Segment segment{phdrs.uint(base + layout.p_offset_at, layout.addr_width),
                          phdrs.uint(base + layout.p_vaddr_at, layout.addr_width),
                          phdrs.uint(base + layout.p_filesz_at, layout.addr_width)};
    const bool in_file =
        segment.offset <= file_size && segment.filesz <= file_size - segment.offset;
    if (type == PT_INTERP) {
      if (in_file && !interp) {
        interp = segment;  // one outside the file is ignored, as a malformed string is below
      }
      continue;
    }
    if (!in_file) {
      return malformed("segment " + std::to_string(i) + " (offset " +
                       std::to_string(segment.offset) + ", " + std::to_string(segment.filesz) +
                       " bytes) runs past the end of the file (" + std::to_string(file_size) +
                       " bytes)");
    }
    if (type == PT_LOAD) {
      loads.push_back(segment);
    } else if (!dynamic) {
      dynamic = segment;
    }
  }
  if (interp && interp->filesz > 0 && interp->filesz <= kMaxInterpreterBytes) {
    // The path and its NUL (System V ABI, "Program Interpreter"). One that is empty, longer than
    // PATH_MAX or not NUL-terminated is refused by the kernel (fs/binfmt_elf.c load_elf_binary)
    // and left nullopt here rather than failing the read: ld.so ignores a library's PT_INTERP, so
    // the loader emulation must still see such an object's dynamic section.
    auto text = source.read(interp->offset, static_cast<std::size_t>(interp->filesz));
    if (!text) {
      return tl::unexpected(text.error().with_context("reading PT_INTERP"));
    }
    if (text->back() == '\0' && text->find('\0') == text->size() - 1) {
      info.interpreter = text->substr(0, text->size() - 1);
    }
  }
  if (!dynamic) {
    return info;  // a static executable
  }
  info.has_dynamic = true;
  const std::uint64_t dynamic_bytes = std::min<std::uint64_t>(dynamic->filesz, kMaxDynamicBytes) /
                                      layout.dyn_size * layout.dyn_size;
  auto dyn = source.read(dynamic->offset, static_cast<std::size_t>(dynamic_bytes));
  if (!dyn) {
    return tl::unexpected(dyn.error().with_context("reading the dynamic section"));
  }
  const Decoder dyns(*dyn, header->endian);
  std::optional<std::uint64_t> strtab;
  std::optional<std::uint64_t> strsz;
  std::optional<std::uint64_t> soname;
  std::vector<std::uint64_t> needed;
  std::optional<std::uint64_t> rpath;
  std::optional<std::uint64_t> runpath;
  bool terminated = false;
  for (std::size_t at = 0; at + layout.dyn_size <= dyn->size(); at += layout.dyn_size) {
    const std::uint64_t tag = dyns.uint(at, layout.addr_width);
    const std::uint64_t value = dyns.uint(at + layout.addr_width, layout.addr_width);
    if (tag == DT_NULL) {
      terminated = true;
      break;
    }
    switch (tag) {
      case DT_STRTAB:
        strtab = value;
        break;
      case DT_STRSZ:
        strsz = value;
        break;
      case DT_SONAME:
        soname = value;
        break;
      case DT_NEEDED:
        needed.push_back(value);
        break;
      case DT_RPATH:
        rpath = value;
        break;
      case DT_RUNPATH:
        runpath = value;
        break;
      default:
        break;
    }
  }
  if (!terminated) {
    return malformed("dynamic section has no DT_NULL terminator");
  }
  if (!soname && needed.empty() && !rpath && !runpath) {
    return info;
  }
  if (!strtab || !strsz) {
    return malformed("dynamic section names strings but has no DT_STRTAB/DT_STRSZ");
  }
  const auto strtab_offset = vaddr_to_offset(loads, *strtab);
  if (!strtab_offset) {
    return malformed("DT_STRTAB address " + std::to_string(*strtab) + " is in no PT_LOAD segment");
  }
  // The table must lie in the file; clamp DT_STRSZ to the end of the file so a lying size is
  // caught by the string read rather than trusted.
  const std::uint64_t table_size = std::min(*strsz, file_size - *strtab_offset);
  auto string_at = [&](std::uint64_t index, const char* what) {
    return read_string(source, *strtab_offset, table_size, index, what);
  };
  if (soname) {
    auto text = string_at(*soname, "DT_SONAME");
    if (!text) {
      return tl::unexpected(text.error());
    }
    info.soname = std::move(*text);
  }
  for (std::uint64_t index : needed) {
    auto text = string_at(index, "DT_NEEDED");
    if (!text) {
      return tl::unexpected(text.error());
    }
    info.needed.push_back(std::move(*text));
  }
  if (rpath) {
    auto text = string_at(*rpath, "DT_RPATH");
    if (!text) {
      return tl::unexpected(text.error());
    }
    info.has_rpath = true;
    info.rpath = split_search_path(*text);
  }
  if (runpath) {
    auto text = string_at(*runpath, "DT_RUNPATH");
    if (!text) {
      return tl::unexpected(text.error());
    }
    info.has_runpath = true;
    info.runpath = split_search_path(*text);
  }
  return info;
}

Result<ElfInfo> parse_elf(std::string_view bytes) {
  return read_elf(MemorySource(bytes));
}

Result<ElfInfo> read_elf_file(const SysRoot& root, std::string_view path) {
  auto status = root.status(path);
  if (!status) {
    return tl::unexpected(status.error());
  }
  if (status->type != FileType::kRegular) {
    return make_error(Errc::kMalformed, std::string(path) + ": not a regular file");
  }
  // Read through the resolved path so a recorded machine's absolute symlinks stay in its root.
  auto real = root.real_path(path);
  if (!real) {
    return tl::unexpected(real.error());
  }
  auto file = root.open_file(*real);
  if (!file) {
    return tl::unexpected(file.error());
  }
  auto info = read_elf(FileSource(std::move(*file), status->size_bytes));
  if (!info) {
    return tl::unexpected(info.error().with_context(std::string(path)));
  }
  return info;
}

}  // namespace tfgpu::probe
