// SPDX-License-Identifier: Apache-2.0
#pragma once
// Builds /etc/ld.so.cache bytes as ldconfig writes them (glibc elf/cache.c save_cache): the new
// format, optionally behind the old libc5 table, in either byte order.

#include <cstdint>
#include <string>
#include <vector>

struct LdCacheSpecEntry {
  std::int32_t flags;
  std::string soname;
  std::string path;
  std::uint64_t hwcap = 0;
};

class LdCacheBuilder {
 public:
  static void put(std::string& out, std::size_t at, std::uint64_t value, std::size_t width,
                  bool big) {
    for (std::size_t i = 0; i < width; ++i) {
      out[big ? at + width - 1 - i : at + i] = static_cast<char>((value >> (8 * i)) & 0xffU);
    }
  }

  // A new-format cache as ldconfig writes it (glibc elf/cache.c save_cache), optionally behind the
  // old-format table.
  static std::string build(const std::vector<LdCacheSpecEntry>& entries, bool with_old = false,
                           bool big = false) {
    std::string fresh(48 + 24 * entries.size(), '\0');
    fresh.replace(0, 20, "glibc-ld.so.cache1.1");
    put(fresh, 20, entries.size(), 4, big);
    fresh[28] = big ? 3 : 2;
    std::string strings;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const std::size_t at = 48 + 24 * i;
      put(fresh, at, static_cast<std::uint32_t>(entries[i].flags), 4, big);
      put(fresh, at + 4, fresh.size() + strings.size(), 4, big);
      strings += entries[i].soname + '\0';
      put(fresh, at + 8, fresh.size() + strings.size(), 4, big);
      strings += entries[i].path + '\0';
      put(fresh, at + 16, entries[i].hwcap, 8, big);
    }
    put(fresh, 24, strings.size(), 4, big);
    fresh += strings;
    if (!with_old) {
      return fresh;
    }
    // Old table: the same entries with offsets into the new table's strings (relative to it).
    std::string old(16 + 12 * entries.size(), '\0');
    old.replace(0, 11, "ld.so-1.7.0");
    put(old, 12, entries.size(), 4, false);
    const std::size_t padding = (8 - old.size() % 8) % 8;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      old.replace(16 + 12 * i, 12, fresh.substr(48 + 24 * i, 12));
    }
    return old + std::string(padding, '\0') + fresh;
  }
};
