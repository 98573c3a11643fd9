// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/elf_reader.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>

#include <gtest/gtest.h>

#include "elf_builder.h"
#include "temp_tree.h"

namespace tfgpu::probe {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string tf_site_packages() {
  const char* venv = std::getenv("TFGPU_TF_VENV");
  const std::string root = venv != nullptr ? venv : "/root/.cache/tfgpu/tf-2.21.0";
  return root + "/lib/python3.11/site-packages";
}

TEST(ElfReader, ReadsRunpathObjectBuiltByTheLinker) {
  const std::string bytes = slurp(TFGPU_FAKE_ELF_RUNPATH);
  auto info = parse_elf(bytes);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->header.elf_class, ElfClass::k64);
  EXPECT_EQ(info->header.endian, ElfEndian::kLittle);
  EXPECT_EQ(info->header.type, ET_DYN);
  EXPECT_TRUE(info->has_dynamic);
  EXPECT_EQ(info->soname, "libcudnn.so.9");
  EXPECT_NE(std::find(info->needed.begin(), info->needed.end(), "libm.so.6"), info->needed.end());
  EXPECT_TRUE(info->has_runpath);
  EXPECT_FALSE(info->has_rpath);
  // Written as "$ORIGIN/../nvidia/cudnn/lib:/opt/dup:/opt/dup:$ORIGIN/../nvidia/cudnn/lib".
  EXPECT_EQ(info->runpath, (std::vector<std::string>{"$ORIGIN/../nvidia/cudnn/lib", "/opt/dup"}));
  EXPECT_TRUE(info->rpath.empty());
}

TEST(ElfReader, ReadsRpathObjectBuiltByTheLinker) {
  auto info = parse_elf(slurp(TFGPU_FAKE_ELF_RPATH));
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->soname, "libfake_rpath.so.1");
  EXPECT_TRUE(info->has_rpath);
  EXPECT_FALSE(info->has_runpath);
  EXPECT_EQ(info->rpath, (std::vector<std::string>{"/opt/rpath_dir", "${ORIGIN}/lib"}));
}

TEST(ElfReader, FileReaderAgreesWithMemoryReader) {
  const SysRoot root("/");
  auto from_file = read_elf_file(root, TFGPU_FAKE_ELF_RUNPATH);
  auto from_bytes = parse_elf(slurp(TFGPU_FAKE_ELF_RUNPATH));
  ASSERT_TRUE(from_file) << from_file.error().message;
  ASSERT_TRUE(from_bytes);
  EXPECT_EQ(from_file->soname, from_bytes->soname);
  EXPECT_EQ(from_file->needed, from_bytes->needed);
  EXPECT_EQ(from_file->runpath, from_bytes->runpath);
}

TEST(SysRootReadRange, ReadsRangesAndStopsAtTheEnd) {
  TempTree tree;
  tree.write("/f", "0123456789");
  const SysRoot root(tree.root());
  EXPECT_EQ(root.read_range("/f", 3, 4).value_or("?"), "3456");
  EXPECT_EQ(root.read_range("/f", 8, 10).value_or("?"), "89");
  EXPECT_EQ(root.read_range("/f", 20, 1).value_or("?"), "");
  EXPECT_EQ(root.read_range("/missing", 0, 1).error().code, Errc::kNotFound);
  EXPECT_EQ(root.read_range("/f", 0, std::size_t{1} << 40).error().code, Errc::kTooLarge);
}

TEST(ElfReader, FileReaderReportsMissingFile) {
  const SysRoot root("/");
  auto info = read_elf_file(root, "/nonexistent/libfoo.so");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code, Errc::kNotFound);
}

TEST(ElfReader, BuiltObjectsInBothClassesAndByteOrders) {
  for (const bool is_64 : {true, false}) {
    for (const bool big : {false, true}) {
      ElfSpec spec;
      spec.is_64 = is_64;
      spec.big_endian = big;
      spec.machine = is_64 ? EM_AARCH64 : EM_386;
      spec.soname = "libx.so.1";
      spec.needed = {"liba.so.1", "libb.so.2"};
      spec.runpath = "/a::/b:/a";
      auto info = parse_elf(ElfBuilder::build(spec));
      ASSERT_TRUE(info) << info.error().message;
      EXPECT_EQ(info->header.elf_class, is_64 ? ElfClass::k64 : ElfClass::k32);
      EXPECT_EQ(info->header.endian, big ? ElfEndian::kBig : ElfEndian::kLittle);
      EXPECT_EQ(info->header.machine, is_64 ? EM_AARCH64 : EM_386);
      EXPECT_EQ(info->soname, "libx.so.1");
      EXPECT_EQ(info->needed, (std::vector<std::string>{"liba.so.1", "libb.so.2"}));
      // The empty entry is kept once: the loader gives it a meaning.
      EXPECT_EQ(info->runpath, (std::vector<std::string>{"/a", "", "/b"}));
    }
  }
}

TEST(ElfReader, HeaderOnly) {
  ElfSpec spec;
  spec.is_64 = false;
  auto header = parse_elf_header(ElfBuilder::build(spec).substr(0, 52));
  ASSERT_TRUE(header);
  EXPECT_EQ(header->elf_class, ElfClass::k32);
  EXPECT_EQ(header->machine, EM_X86_64);
  EXPECT_FALSE(parse_elf_header(ElfBuilder::build(spec).substr(0, 40)));
  EXPECT_FALSE(parse_elf_header("#!/bin/sh\n"));
}

TEST(ElfReader, ObjectWithoutDynamicSegmentHasNoDynamicInfo) {
  std::string bytes = ElfBuilder::build({});
  bytes[ElfBuilder::kPhoff64 + 56] = 0x6;  // second header's p_type: PT_PHDR instead of dynamic
  auto info = parse_elf(bytes);
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->has_dynamic);
}

TEST(ElfReader, ReadsTheProgramInterpreterOfThisExecutable) {
  SysRoot root("/");
  auto self = read_elf_file(root, "/proc/self/exe");
  ASSERT_TRUE(self) << self.error().message;
  ASSERT_TRUE(self->interpreter.has_value()) << "this test binary is dynamically linked";
  EXPECT_TRUE(self->interpreter->starts_with("/")) << *self->interpreter;
  EXPECT_NE(self->interpreter->find("ld"), std::string::npos) << *self->interpreter;
  // A shared library has none.
  auto library = parse_elf(slurp(TFGPU_FAKE_ELF_RUNPATH));
  ASSERT_TRUE(library);
  EXPECT_FALSE(library->interpreter.has_value());
}

TEST(ElfReader, MalformedProgramInterpreterIsIgnoredNotFatal) {
  ElfSpec spec;
  spec.soname = "libx.so.1";
  const std::string good = ElfBuilder::build(spec);
  // Turn the third program header (PT_GNU_STACK) into a PT_INTERP over the string table, whose
  // first byte is NUL: the string "" + NUL + "libx.so.1" + NUL has a NUL before its end.
  const std::size_t third = ElfBuilder::kPhoff64 + 2 * 56;
  const std::size_t strtab_at = ElfBuilder::kPhoff64 + 3 * 56;
  auto with_interp = [&](std::uint64_t offset, std::uint64_t size) {
    std::string bytes = good;
    auto put = [&bytes](std::size_t at, std::uint64_t value) {
      for (std::size_t i = 0; i < 8; ++i) {
        bytes[at + i] = static_cast<char>((value >> (8 * i)) & 0xffU);
      }
    };
    bytes.replace(third, 4, std::string("\x03\0\0\0", 4));  // p_type PT_INTERP
    put(third + 8, offset);                                 // p_offset
    put(third + 32, size);                                  // p_filesz
    return bytes;
  };
  // "libx.so.1\0" is a well-formed interpreter string.
  auto fine = parse_elf(with_interp(strtab_at + 1, 10));
  ASSERT_TRUE(fine) << fine.error().message;
  EXPECT_EQ(fine->interpreter.value_or(""), "libx.so.1");
  for (const auto& [offset, size] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
           {strtab_at, 11},                // NUL inside
           {strtab_at + 1, 9},             // no NUL at the end
           {strtab_at + 1, 0},             // empty
           {strtab_at + 1, 1U << 20},      // past the end of the file
           {~std::uint64_t{0} - 4, 8}}) {  // offset overflow
    auto info = parse_elf(with_interp(offset, size));
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_FALSE(info->interpreter.has_value()) << offset << " " << size;
    EXPECT_EQ(info->soname, "libx.so.1");
  }
}

TEST(ElfReader, RejectsHostileInput) {
  ElfSpec spec;
  spec.soname = "libx.so.1";
  spec.runpath = "/a";
  const std::string good = ElfBuilder::build(spec);
  ASSERT_TRUE(parse_elf(good));

  auto expect_malformed = [](const std::string& bytes, const std::string& words) {
    auto info = parse_elf(bytes);
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().code, Errc::kMalformed);
    EXPECT_NE(info.error().message.find(words), std::string::npos) << info.error().message;
  };
  expect_malformed("", "not an ELF file");
  expect_malformed(
      "\x7f"
      "ELF",
      "not an ELF file");

  std::string bad_class = good;
  bad_class[EI_CLASS] = 7;
  expect_malformed(bad_class, "invalid ELF class");

  std::string far_phoff = good;
  far_phoff[32 + 5] = 0x7f;  // e_phoff high byte
  expect_malformed(far_phoff, "program header table");

  std::string tiny_phent = good;
  tiny_phent[54] = 8;
  expect_malformed(tiny_phent, "entry size");

  std::string far_dynamic = good;
  far_dynamic[ElfBuilder::kPhoff64 + 56 + 8 + 6] = 0x10;  // PT_DYNAMIC p_offset
  expect_malformed(far_dynamic, "runs past the end");

  // DT_STRSZ 1: every string offset lies outside the table.
  std::string small_strsz = good;
  const std::size_t strsz_tag = small_strsz.size() - 2 * 16;
  ASSERT_EQ(static_cast<unsigned char>(small_strsz[strsz_tag]), DT_STRSZ);
  small_strsz[strsz_tag + 8] = 1;
  expect_malformed(small_strsz, "outside DT_STRSZ");

  // Remove the DT_NULL terminator.
  std::string unterminated = good;
  unterminated[unterminated.size() - 16] = 0x42;
  expect_malformed(unterminated, "DT_NULL");

  // DT_STRTAB pointing outside every PT_LOAD.
  std::string far_strtab = good;
  const std::size_t strtab_tag = far_strtab.size() - 3 * 16;
  ASSERT_EQ(static_cast<unsigned char>(far_strtab[strtab_tag]), DT_STRTAB);
  far_strtab[strtab_tag + 8 + 6] = 0x10;
  expect_malformed(far_strtab, "no PT_LOAD");

  // A string without its NUL at the end of the table.
  std::string no_nul = good;
  const std::size_t strtab_at = ElfBuilder::kPhoff64 + 2 * 56;
  const std::size_t last_nul = no_nul.find(std::string("/a\0", 3), strtab_at) + 2;
  no_nul[last_nul] = 'x';
  expect_malformed(no_nul, "NUL");
}

TEST(ElfReader, EveryTruncationFailsCleanlyOrSucceeds) {
  const std::string bytes = slurp(TFGPU_FAKE_ELF_RUNPATH);
  ASSERT_GT(bytes.size(), 1000U);
  std::size_t failures = 0;
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    auto info = parse_elf(std::string_view(bytes).substr(0, length));
    if (!info) {
      EXPECT_EQ(info.error().code, Errc::kMalformed);
      ++failures;
    }
  }
  // Everything up to the dynamic section is needed.
  EXPECT_GT(failures, bytes.size() / 2);
}

TEST(ElfReader, RealTensorflowFrameworkRunpath) {
  const std::string path = tf_site_packages() + "/tensorflow/libtensorflow_framework.so.2";
  const SysRoot root("/");
  if (!root.exists(path)) {
    GTEST_SKIP() << "no TensorFlow venv at " << path << " (set TFGPU_TF_VENV)";
  }
  auto info = read_elf_file(root, path);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->soname, "libtensorflow_framework.so.2");
  EXPECT_TRUE(info->has_runpath);
  const std::set<std::string> unique(info->runpath.begin(), info->runpath.end());
  EXPECT_EQ(unique.size(), info->runpath.size());
  EXPECT_TRUE(unique.count("$ORIGIN/../nvidia/cudnn/lib"));
  EXPECT_LT(info->runpath.size(), 40U);  // hundreds as written
}

TEST(ElfReader, RealTensorflowCcIsReadInRanges) {
  const std::string path = tf_site_packages() + "/tensorflow/libtensorflow_cc.so.2";
  const SysRoot root("/");
  if (!root.exists(path)) {
    GTEST_SKIP() << "no TensorFlow venv at " << path << " (set TFGPU_TF_VENV)";
  }
  auto info = read_elf_file(root, path);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->soname, "libtensorflow_cc.so.2");
  const std::set<std::string> unique(info->runpath.begin(), info->runpath.end());
  EXPECT_TRUE(unique.count("$ORIGIN/../nvidia/cusolver/lib"));
}

}  // namespace
}  // namespace tfgpu::probe
