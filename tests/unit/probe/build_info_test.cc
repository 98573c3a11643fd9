// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/build_info.h"

#include <string>

#include <gtest/gtest.h>

#include "tensorflow_fixtures.h"

namespace tfgpu::probe {
namespace {

using Strings = std::vector<std::string>;

// The older generator's shape (module-level names, Windows DLL suffixes in the dict).
constexpr const char* kOldStyle =
    "from __future__ import absolute_import\n"
    "import platform as _platform\n"
    "is_rocm_build = False\n"
    "is_cuda_build = True\n"
    "cuda_version_number = '11.2'\n"
    "cudnn_version_number = '8'\n"
    "build_info = {'cuda_version': '64_112', 'cudnn_version': '64_8',\n"
    "              'cuda_compute_capabilities': \"3.5,compute_70\",\n"
    "              'msvcp_dll_names': 'msvcp140.dll,msvcp140_1.dll'}\n"
    "if _platform.system() == 'Windows':\n"
    "  build_info['x'] = 1\n";

TEST(BuildInfoTest, ParsesTf221OrderedDict) {
  auto info = parse_build_info(kTf221BuildInfo, "/sp/tensorflow/python/platform/build_info.py");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_TRUE(info->is_cuda_build.value_or(false));
  EXPECT_FALSE(info->is_rocm_build.value_or(true));
  ASSERT_TRUE(info->cuda_version.is_present());
  EXPECT_EQ(info->cuda_version.value->text(), "12.5.1");
  EXPECT_EQ(info->cudnn_version.value_or(Version()).major(), 9);
  EXPECT_EQ(info->cuda_compute_capabilities.value_or({}),
            (Strings{"sm_60", "sm_70", "sm_80", "sm_89", "compute_90"}));
  EXPECT_EQ(info->source, "/sp/tensorflow/python/platform/build_info.py");
  EXPECT_NE(info->cuda_version.source.find("build_info['cuda_version']"), std::string::npos);
}

TEST(BuildInfoTest, ParsesOldModuleLevelStyle) {
  auto info = parse_build_info(kOldStyle, "build_info.py");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_TRUE(info->is_cuda_build.value_or(false));
  // The dict's "64_112" is a DLL suffix; the module-level number wins.
  EXPECT_EQ(info->cuda_version.value_or(Version()).text(), "11.2");
  EXPECT_NE(info->cuda_version.source.find("cuda_version_number"), std::string::npos);
  EXPECT_EQ(info->cudnn_version.value_or(Version()).major(), 8);
  EXPECT_EQ(info->cuda_compute_capabilities.value_or({}), (Strings{"sm_35", "compute_70"}));
}

TEST(BuildInfoTest, DecodesDllSuffixWhenNoPlainVersion) {
  auto info =
      parse_build_info("build_info = {'cuda_version': '64_101', 'cudnn_version': '64_7'}", "b.py");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->cuda_version.value_or(Version()).text(), "10.1");
  EXPECT_EQ(info->cudnn_version.value_or(Version()).text(), "7");
  EXPECT_EQ(info->is_cuda_build.presence, model::Presence::kAbsent);
}

TEST(BuildInfoTest, CpuWheelHasNoCudaKeys) {
  auto info = parse_build_info(
      "build_info = collections.OrderedDict([('cpu_compiler', 'clang'), ('is_cuda_build', False), "
      "('is_rocm_build', False), ('is_tensorrt_build', False)])\n",
      "b.py");
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->is_cuda_build.value_or(true));
  EXPECT_EQ(info->cuda_version.presence, model::Presence::kAbsent);
  EXPECT_EQ(info->cudnn_version.presence, model::Presence::kAbsent);
  EXPECT_EQ(info->cuda_compute_capabilities.presence, model::Presence::kAbsent);
}

TEST(BuildInfoTest, UnparsableValuesAreUnknownWithTheValue) {
  auto info = parse_build_info(
      "build_info = dict(cuda_version='twelve', is_cuda_build=[1], cuda_compute_capabilities=3)",
      "b.py");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->cuda_version.presence, model::Presence::kUnknown);
  EXPECT_NE(info->cuda_version.why_unknown.find("'twelve'"), std::string::npos);
  EXPECT_EQ(info->is_cuda_build.presence, model::Presence::kUnknown);
  EXPECT_EQ(info->cuda_compute_capabilities.presence, model::Presence::kUnknown);
}

TEST(BuildInfoTest, GarbageIsMalformedNotACrash) {
  for (const char* text :
       {"", "print('hello')", "build_info = ", "build_info = [", "build_info == {'a': 1}",
        "build_info = {'a' 1}", "\"\"\"unterminated", "build_info = 'x'\n", "\xff\xfe\x00"}) {
    auto info = parse_build_info(text, "/x/build_info.py");
    ASSERT_FALSE(info) << text;
    EXPECT_EQ(info.error().code, Errc::kMalformed);
    EXPECT_NE(info.error().message.find("/x/build_info.py"), std::string::npos);
  }
}

TEST(BuildInfoTest, BoundsNestingDepth) {
  std::string deep = "build_info = " + std::string(20000, '[') + std::string(20000, ']');
  EXPECT_FALSE(parse_build_info(deep, "b.py"));
  auto assignments = parse_python_assignments(deep + "\nis_cuda_build = True\n");
  EXPECT_FALSE(assignments.contains("build_info"));
  EXPECT_TRUE(assignments.contains("is_cuda_build"));  // parsing resumes after the bad statement
  std::string shallow =
      "x = " + std::string(kMaxLiteralDepth, '[') + std::string(kMaxLiteralDepth, ']');
  EXPECT_TRUE(parse_python_assignments(shallow).contains("x"));
}

TEST(BuildInfoTest, TokenizerHandlesPythonLiteralForms) {
  auto a = parse_python_assignments(
      "a = r'c:\\dir' \"x\"  # comment\n"
      "b = (1,)\n"
      "c = (\n  'multi',\n  'line',\n)\n"
      "d = -1.5e-3\n"
      "e = None; f = {1, 2}\n"
      "g = '{}'.format(a)\n"
      "h = '''tri\nple'''\n"
      "i = 'a' + 'b'\n"
      "j = OrderedDict(k=1)\n");
  ASSERT_EQ(a.count("a"), 1u);
  EXPECT_EQ(a["a"].text, "c:\\dirx");
  EXPECT_EQ(a["b"].kind, PyValue::Kind::kTuple);
  EXPECT_EQ(a["c"].items.size(), 2u);
  EXPECT_EQ(a["d"].text, "-1.5e-3");
  EXPECT_EQ(a["e"].kind, PyValue::Kind::kNone);
  EXPECT_EQ(a["f"].kind, PyValue::Kind::kList);
  EXPECT_EQ(a["g"].kind, PyValue::Kind::kOpaque);
  EXPECT_EQ(a["h"].text, "tri\nple");
  EXPECT_EQ(a["i"].kind, PyValue::Kind::kOpaque);
  ASSERT_NE(a["j"].find("k"), nullptr);
  EXPECT_EQ(a["j"].find("k")->text, "1");
}

}  // namespace
}  // namespace tfgpu::probe
