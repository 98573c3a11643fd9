// SPDX-License-Identifier: Apache-2.0
#pragma once
// build_shared_object(): a minimal ELF shared object, built in memory, that the real dynamic
// loader accepts. The live probe writes one per requester (the "stand-in requester": DT_NEEDED =
// the sonames to check, DT_RUNPATH/DT_RPATH = the real requester's search path) and has ld.so
// trace it (live_probe.cc); tests build inputs for the ELF reader and the loader emulation.
//
// Layout (one file, vaddr == file offset, no code):
//   ELF header | program headers: PT_LOAD (whole file, R+W), PT_DYNAMIC, PT_GNU_STACK (R+W)
//   | .dynstr | .dynsym (the null symbol) | DT_HASH table (1 bucket) | .dynamic (last)
// The dynamic section ends with DT_STRTAB, DT_STRSZ, DT_NULL, in that order.
// Why each part, per glibc 2.36 elf/dl-load.c (_dl_map_object_from_fd) and elf/get-dynamic-info.h:
// - PT_LOAD is writable because the loader rewrites the dynamic section's d_ptr values in place
//   (ADJUST_DYN_INFO adds the load address) and would fault on a read-only mapping; its p_align is
//   the page size and p_offset == p_vaddr, which passes the "not page-aligned" and
//   "address/offset not properly aligned" checks.
// - PT_GNU_STACK without PF_X: without it the object is taken to need an executable stack and
//   the loader would try to make the process stack executable.
// - DT_SYMTAB and DT_HASH: never looked up while tracing, but present so the object is a complete
//   one that any loader (dlopen included) can set up its symbol hash for.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tfgpu/probe/elf_reader.h"

namespace tfgpu::probe {

// The ELF identity of this process (compile-time: the class, byte order and machine it was built
// for), which the loader requires of every object it maps (glibc elf_machine_matches_host).
ElfClass native_elf_class();
ElfEndian native_elf_endian();
std::uint16_t native_elf_machine();

struct SharedObjectSpec {
  ElfClass elf_class = native_elf_class();
  ElfEndian endian = native_elf_endian();
  std::uint16_t machine = native_elf_machine();
  std::optional<std::string> soname;
  std::vector<std::string> needed;     // DT_NEEDED, in this order
  std::optional<std::string> rpath;    // DT_RPATH, written as given (':'-separated)
  std::optional<std::string> runpath;  // DT_RUNPATH
};

// The bytes of an ET_DYN object as laid out above. Never fails: every string is stored as given
// (a NUL inside one ends it early, as it would in any string table).
std::string build_shared_object(const SharedObjectSpec& spec);

}  // namespace tfgpu::probe
