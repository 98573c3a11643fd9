// SPDX-License-Identifier: Apache-2.0
#pragma once
// A bounds-checked reader for the few ELF facts the loader emulation needs: class, byte order,
// machine, PT_INTERP, and the dynamic section's DT_SONAME, DT_NEEDED, DT_RPATH and DT_RUNPATH.
//
// Why by hand (with <elf.h> constants only) rather than elfutils' libelf: libelf maps or reads
// whole files, and libtensorflow_cc.so.2 is 1 GB; here every read is a (offset, length) range
// asked of an ElfSource, so a file is read through SysRoot::read_range in a handful of small
// preads, and the same code runs over bytes in memory for tests and the fuzzer. Every offset,
// size and count read from the file is checked against the file size before use, with overflow
// checks; truncated or hostile input yields kMalformed naming what is wrong, never a crash.
//
// Path: ELF header -> program headers -> PT_DYNAMIC -> DT_STRTAB, whose address is a virtual
// address mapped to a file offset through the PT_LOAD segments (System V ABI, "Dynamic
// Section"; this is what ld.so itself does, and it works on stripped files without sections).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/probe/sysroot.h"

namespace tfgpu::probe {

enum class ElfClass { k32, k64 };
enum class ElfEndian { kLittle, kBig };

// The identity the loader checks before it maps an object (glibc elf_machine_matches_host and
// the EI_CLASS check in open_verify).
struct ElfHeader {
  ElfClass elf_class = ElfClass::k64;
  ElfEndian endian = ElfEndian::kLittle;
  std::uint16_t type = 0;     // ET_DYN, ET_EXEC …
  std::uint16_t machine = 0;  // EM_X86_64 (62), EM_AARCH64 (183) …
};

struct ElfInfo {
  ElfHeader header;
  bool has_dynamic = false;  // PT_DYNAMIC present (false for static executables)
  // PT_INTERP: the program interpreter a dynamically linked executable names
  // ("/lib64/ld-linux-x86-64.so.2"); nullopt for shared libraries and static executables.
  std::optional<std::string> interpreter;
  std::optional<std::string> soname;
  std::vector<std::string> needed;  // DT_NEEDED in file order
  // DT_RPATH / DT_RUNPATH split on ':' as written ($ORIGIN unexpanded), duplicates removed keeping
  // the first occurrence (TF 2.21's libtensorflow_framework.so.2 repeats entries hundreds of
  // times). Empty entries are kept once: the loader gives them a meaning (the current directory).
  std::vector<std::string> rpath;
  std::vector<std::string> runpath;
  bool has_rpath = false;    // the tag is present (even with an empty string)
  bool has_runpath = false;  // a present DT_RUNPATH, even empty, makes ld.so ignore DT_RPATH
};

// Random access to an object's bytes. read() returns exactly `length` bytes or an error.
class ElfSource {
 public:
  virtual ~ElfSource() = default;
  virtual std::uint64_t size() const = 0;
  virtual Result<std::string> read(std::uint64_t offset, std::size_t length) const = 0;
};

// Parse the ELF identification and header from the first bytes of a file (64 are enough).
// kMalformed when the magic, class, byte order or header are invalid or truncated.
Result<ElfHeader> parse_elf_header(std::string_view head);

// Read header and dynamic section from `source`. kMalformed on any inconsistency; errors of the
// source (I/O) pass through.
Result<ElfInfo> read_elf(const ElfSource& source);

// read_elf over bytes in memory.
Result<ElfInfo> parse_elf(std::string_view bytes);

// read_elf over the file at machine path `path`, reading only the ranges needed. Fails with the
// SysRoot errors (kNotFound …) or kMalformed; messages name the path.
Result<ElfInfo> read_elf_file(const SysRoot& root, std::string_view path);

// Stable short name of an ELF machine: "x86_64", "aarch64", "i386", "elf-machine-<n>".
std::string elf_machine_name(std::uint16_t machine);

}  // namespace tfgpu::probe
