// SPDX-License-Identifier: Apache-2.0
#pragma once
// /etc/ld.so.cache: the soname -> path table ldconfig(8) writes and ld.so consults after
// LD_LIBRARY_PATH and DT_RUNPATH (ld.so(8)).
//
// Format (glibc sysdeps/generic/dl-cache.h, elf/cache.c): either the new format alone, header
// "glibc-ld.so.cache" "1.1" then nlibs 24-byte entries {int32 flags; uint32 key, value;
// uint32 osversion; uint64 hwcap} and a string table; or the old libc5 format "ld.so-1.7.0"
// {nlibs; 12-byte entries {int32 flags; uint32 key, value}} followed, at the next 8-byte
// boundary, by a complete new-format cache. In both, string offsets (key = soname, value = path)
// count from the start of the new-format header (glibc dl-cache.c: string_table = cache_new).
// The new header's flags byte gives the byte order (glibc 2.33+); 0 means "the writer's", taken
// as little-endian here. glibc prefers the new table when both are present, and so does this.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/probe/elf_reader.h"

namespace tfgpu::probe {

struct LdCacheEntry {
  std::int32_t flags = 0;  // FLAG_ELF_LIBC6 (3) | FLAG_X8664_LIB64 (0x300) …
  std::string soname;      // "libcudart.so.13"
  std::string path;        // "/usr/local/cuda-13.0/lib/libcudart.so.13"
  std::uint32_t os_version = 0;
  std::uint64_t hwcap = 0;  // bit 62 set: a glibc-hwcaps subdirectory entry (glibc 2.33+)
};

// Parse the bytes of an ld.so.cache. Entries keep the file's order (ldconfig sorts them, and
// ld.so takes the first match). kMalformed, naming the bad field, on truncation, a bad magic, a
// count larger than the file or a string offset outside it or without a NUL.
Result<std::vector<LdCacheEntry>> parse_ld_cache(std::string_view bytes);

// The flags value ld.so accepts for objects of this class and machine (glibc
// sysdeps/unix/sysv/linux/*/dl-cache.h _DL_CACHE_DEFAULT_ID), or nullopt when unknown here.
std::optional<std::int32_t> ld_cache_flags_for(ElfClass elf_class, std::uint16_t machine);

// True when an entry with `flags` may be used by objects of this class and machine. For a
// machine without a known flags value, any libc6 entry is accepted.
bool ld_cache_flags_match(std::int32_t flags, ElfClass elf_class, std::uint16_t machine);

// "libc6,x86-64" as ldconfig -p prints it ("libc6,flags=0x…" for arch bits unknown here).
std::string ld_cache_flags_name(std::int32_t flags);

// True for an entry of a glibc-hwcaps subdirectory, chosen by ld.so only on CPUs that support it.
bool ld_cache_is_hwcaps_entry(const LdCacheEntry& entry);

}  // namespace tfgpu::probe
