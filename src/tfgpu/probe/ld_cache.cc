// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/ld_cache.h"

#include <elf.h>

#include <cstdio>

namespace tfgpu::probe {
namespace {

// glibc sysdeps/generic/dl-cache.h and ldconfig.h.
constexpr std::string_view kOldMagic = "ld.so-1.7.0";
constexpr std::string_view kNewMagic = "glibc-ld.so.cache1.1";
constexpr std::size_t kOldHeaderBytes = 16;  // magic[11] + pad, uint32 nlibs
constexpr std::size_t kOldEntryBytes = 12;
constexpr std::size_t kNewHeaderBytes = 48;  // magic+version[20], nlibs, len_strings, flags …
constexpr std::size_t kNewEntryBytes = 24;
constexpr std::size_t kNewFlagsAt = 28;
constexpr unsigned kEndianMask = 3;  // cache_file_new_flags_endian_*: 0 unset, 1 invalid, 2, 3
constexpr unsigned kEndianBig = 3;
constexpr unsigned kEndianInvalid = 1;
constexpr std::int32_t kFlagTypeMask = 0x00ff;
constexpr std::int32_t kFlagElfLibc6 = 0x0003;
constexpr std::int32_t kFlagRequiredMask = 0xff00;
constexpr std::uint64_t kHwcapExtension = 1ULL << 62U;  // DL_CACHE_HWCAP_EXTENSION

tl::unexpected<Error> malformed(std::string message) {
  return make_error(Errc::kMalformed, std::move(message));
}

std::uint64_t decode(std::string_view bytes, std::size_t offset, std::size_t width, bool big) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const std::size_t index = big ? offset + i : offset + width - 1 - i;
    value = (value << 8U) | static_cast<unsigned char>(bytes[index]);
  }
  return value;
}

// The NUL-terminated string at `offset` of `table`.
Result<std::string> table_string(std::string_view table, std::uint64_t offset, std::size_t entry,
                                 const char* field) {
  if (offset >= table.size()) {
    return malformed("entry " + std::to_string(entry) + ": " + field + " offset " +
                     std::to_string(offset) + " is outside the file");
  }
  const std::string_view rest = table.substr(static_cast<std::size_t>(offset));
  const std::size_t nul = rest.find('\0');
  if (nul == std::string_view::npos) {
    return malformed("entry " + std::to_string(entry) + ": " + field +
                     " string runs to the end of the file without a NUL");
  }
  return std::string(rest.substr(0, nul));
}

struct TableLayout {
  std::size_t entries_at;  // offset of the first entry in `cache`
  std::uint64_t count;
  std::size_t entry_bytes;
  bool new_format;
};

Result<std::vector<LdCacheEntry>> read_entries(std::string_view cache, std::string_view strings,
                                               const TableLayout& layout, bool big) {
  const std::uint64_t available = (cache.size() - layout.entries_at) / layout.entry_bytes;
  if (layout.count > available) {
    return malformed("header announces " + std::to_string(layout.count) + " entries but only " +
                     std::to_string(available) + " fit in the file");
  }
  std::vector<LdCacheEntry> entries;
  entries.reserve(static_cast<std::size_t>(layout.count));
  for (std::size_t i = 0; i < layout.count; ++i) {
    const std::size_t at = layout.entries_at + i * layout.entry_bytes;
    LdCacheEntry entry;
    entry.flags = static_cast<std::int32_t>(static_cast<std::uint32_t>(decode(cache, at, 4, big)));
    auto key = table_string(strings, decode(cache, at + 4, 4, big), i, "soname");
    if (!key) {
      return tl::unexpected(key.error());
    }
    auto value = table_string(strings, decode(cache, at + 8, 4, big), i, "path");
    if (!value) {
      return tl::unexpected(value.error());
    }
    entry.soname = std::move(*key);
    entry.path = std::move(*value);
    if (layout.new_format) {
      entry.os_version = static_cast<std::uint32_t>(decode(cache, at + 12, 4, big));
      entry.hwcap = decode(cache, at + 16, 8, big);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<std::vector<LdCacheEntry>> parse_new(std::string_view bytes, std::size_t start) {
  const std::string_view cache = bytes.substr(start);
  if (cache.size() < kNewHeaderBytes) {
    return malformed("truncated new-format header at offset " + std::to_string(start));
  }
  if (cache.substr(0, kNewMagic.size()) != kNewMagic) {
    return malformed("no \"glibc-ld.so.cache1.1\" magic at offset " + std::to_string(start));
  }
  const unsigned endian = static_cast<unsigned char>(cache[kNewFlagsAt]) & kEndianMask;
  if (endian == kEndianInvalid) {
    return malformed("header flags mark the byte order invalid");
  }
  const bool big = endian == kEndianBig;
  const TableLayout layout{kNewHeaderBytes, decode(cache, 20, 4, big), kNewEntryBytes, true};
  return read_entries(cache, cache, layout, big);
}

}  // namespace

Result<std::vector<LdCacheEntry>> parse_ld_cache(std::string_view bytes) {
  if (bytes.substr(0, kNewMagic.size()) == kNewMagic) {
    return parse_new(bytes, 0);
  }
  if (bytes.substr(0, kOldMagic.size()) != kOldMagic) {
    return malformed("neither \"glibc-ld.so.cache1.1\" nor \"ld.so-1.7.0\" magic");
  }
  if (bytes.size() < kOldHeaderBytes) {
    return malformed("truncated old-format header");
  }
  const std::uint64_t old_count = decode(bytes, 12, 4, false);
  const std::uint64_t old_end = kOldHeaderBytes + old_count * kOldEntryBytes;  // < 2^36
  if (old_end > bytes.size()) {
    return malformed("old-format header announces " + std::to_string(old_count) +
                     " entries, more than the file holds");
  }
  // glibc dl-cache.c ALIGN_CACHE: the new table starts at the next multiple of
  // __alignof__(struct cache_file_new) (8) after the old entries.
  const std::uint64_t new_start = (old_end + 7U) & ~std::uint64_t{7};
  if (new_start + kNewMagic.size() <= bytes.size() &&
      bytes.substr(static_cast<std::size_t>(new_start), kNewMagic.size()) == kNewMagic) {
    return parse_new(bytes, static_cast<std::size_t>(new_start));
  }
  // Old format only (libc5-era ldconfig or -c old): strings follow the entries.
  const auto entries_end = static_cast<std::size_t>(old_end);
  const TableLayout layout{kOldHeaderBytes, old_count, kOldEntryBytes, false};
  return read_entries(bytes, bytes.substr(entries_end), layout, false);
}

std::optional<std::int32_t> ld_cache_flags_for(ElfClass elf_class, std::uint16_t machine) {
  // _DL_CACHE_DEFAULT_ID per architecture (x86_64 and aarch64 dl-cache.h; i386 has no arch bits).
  if (machine == EM_X86_64 && elf_class == ElfClass::k64) {
    return kFlagElfLibc6 | 0x0300;  // FLAG_X8664_LIB64
  }
  if (machine == EM_X86_64 && elf_class == ElfClass::k32) {
    return kFlagElfLibc6 | 0x0800;  // FLAG_X8664_LIBX32
  }
  if (machine == EM_AARCH64) {
    return kFlagElfLibc6 | 0x0a00;  // FLAG_AARCH64_LIB64
  }
  if (machine == EM_386) {
    return kFlagElfLibc6;
  }
  if (machine == EM_PPC64) {
    return kFlagElfLibc6 | 0x0500;  // FLAG_POWERPC_LIB64
  }
  return std::nullopt;
}

bool ld_cache_flags_match(std::int32_t flags, ElfClass elf_class, std::uint16_t machine) {
  const auto expected = ld_cache_flags_for(elf_class, machine);
  if (!expected) {
    return (flags & kFlagTypeMask) == kFlagElfLibc6;
  }
  return (flags & (kFlagTypeMask | kFlagRequiredMask)) == *expected;
}

std::string ld_cache_flags_name(std::int32_t flags) {
  std::string name;
  switch (flags & kFlagTypeMask) {
    case 0x0000:
      name = "libc4";
      break;
    case 0x0001:
      name = "ELF";
      break;
    case 0x0002:
      name = "libc5";
      break;
    case kFlagElfLibc6:
      name = "libc6";
      break;
    default:
      name = "unknown";
      break;
  }
  switch (flags & kFlagRequiredMask) {
    case 0:
      break;
    case 0x0300:
      name += ",x86-64";
      break;
    case 0x0800:
      name += ",x32";
      break;
    case 0x0a00:
      name += ",AArch64";
      break;
    case 0x0500:
      name += ",64bit";
      break;
    default: {
      char buffer[16];
      std::snprintf(buffer, sizeof(buffer), ",flags=0x%x",
                    static_cast<unsigned>(flags & kFlagRequiredMask));
      name += buffer;
      break;
    }
  }
  return name;
}

bool ld_cache_is_hwcaps_entry(const LdCacheEntry& entry) {
  return (entry.hwcap & kHwcapExtension) != 0;
}

}  // namespace tfgpu::probe
