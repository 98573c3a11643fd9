// SPDX-License-Identifier: Apache-2.0
#pragma once
// The dynamic loader's trace: what `LD_TRACE_LOADED_OBJECTS=1 ld.so FILE` (ldd(1)'s mechanism,
// ld.so(8)) prints on stdout, one line per object in load order (glibc 2.36 elf/rtld.c, dl_main):
//
//   \tlinux-vdso.so.1 (0x00007ffc4a5f2000)                      name == file: vDSO, ld.so, paths
//   \tlibcudnn.so.9 => /venv/.../libcudnn.so.9 (0x00007f...)    "%s => %s (0x%0*Zx)"
//   \tlibnvJitLink.so.12 => not found                           a faked entry (trace mode only)
//   \t/lib64/ld-linux-x86-64.so.2 (0x00007f...)
//   \tstatically linked                                         no dependencies at all
//
// and on stderr anything else ld.so has to say ("FILE: error while loading shared libraries: …",
// "FILE: /lib/libc.so.6: version `GLIBC_2.38' not found (required by …)"). The parser takes the
// captured bytes as they come: any line that is not an object line is kept as a message, so
// hostile or truncated output yields messages, never a crash or an error.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tfgpu::probe {

struct LdTraceEntry {
  std::string name;                      // as requested (DT_NEEDED: a soname, or a path with a '/')
  std::optional<std::string> path;       // the file ld.so loaded; nullopt = "not found"
  std::optional<std::uint64_t> address;  // load address, when printed
};

struct LdTrace {
  std::vector<LdTraceEntry> entries;  // object lines in the order printed (load order)
  bool statically_linked = false;     // the "statically linked" line
  std::vector<std::string> messages;  // every other non-empty line, made printable, bounded

  // The first entry requested under `name`, or nullptr. ld.so loads one object per name, so a
  // later request of the same name is satisfied by the first.
  const LdTraceEntry* find(std::string_view name) const;
};

// Parse captured loader output (stdout and stderr, in any interleaving). Never fails.
LdTrace parse_ld_trace(std::string_view output);

}  // namespace tfgpu::probe
