// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/install/target_dir.h"

#include <gtest/gtest.h>

#include "temp_tree.h"

namespace tfgpu::install {
namespace {

TEST(PyvenvVersion, ReadsVersionOrVersionInfo) {
  EXPECT_EQ(pyvenv_python_version("home = /usr/bin\ninclude-system-site-packages = false\n"
                                  "version = 3.11.7\nexecutable = /usr/bin/python3.11\n"),
            "3.11.7");
  EXPECT_EQ(pyvenv_python_version("home = /usr/bin\nversion_info = 3.8.10.final.0\n"), "3.8.10");
  EXPECT_EQ(pyvenv_python_version("home = /usr/bin\n"), "");
  EXPECT_EQ(pyvenv_python_version(""), "");
}

TEST(InspectTarget, TellsMissingEmptyVenvAndOtherApart) {
  TempTree tree;
  auto missing = inspect_target(tree.root() + "/nothing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->kind, TargetKind::kMissing);

  tree.mkdir("/empty");
  EXPECT_EQ(inspect_target(tree.root() + "/empty")->kind, TargetKind::kEmpty);

  tree.write("/venv/pyvenv.cfg", "version = 3.12.3\n");
  auto venv = inspect_target(tree.root() + "/venv");
  ASSERT_TRUE(venv);
  EXPECT_EQ(venv->kind, TargetKind::kVenv);
  EXPECT_EQ(venv->venv_python_version, "3.12.3");
  EXPECT_FALSE(venv->record);

  tree.write("/other/file", "x");
  EXPECT_EQ(inspect_target(tree.root() + "/other")->kind, TargetKind::kOther);
}

TEST(InspectTarget, ANonDirectoryOrALoopIsAnErrorNamingIt) {
  TempTree tree;
  tree.write("/file", "x");
  auto file = inspect_target(tree.root() + "/file");
  ASSERT_FALSE(file);
  EXPECT_NE(file.error().message.find("exists and is not a directory"), std::string::npos);

  tree.symlink("loop", "/loop");
  auto loop = inspect_target(tree.root() + "/loop");
  ASSERT_FALSE(loop);
  EXPECT_NE(loop.error().message.find(tree.root() + "/loop"), std::string::npos)
      << loop.error().message;
}

TEST(InspectTarget, ReadsTheRecordItWrote) {
  TempTree tree;
  tree.mkdir("/venv");
  model::InstallRecord record;
  record.tool_version = "0.1.0";
  record.venv = tree.root() + "/venv";
  record.tensorflow = "2.21.0";
  record.started_at = "2026-11-26T18:00:00Z";
  record.updated_at = "2026-11-26T18:01:00Z";
  record.steps = {{"venv", {"python3.11 -m venv x"}, model::StepState::kDone, "", "t"},
                  {"pip", {"x/bin/python -m pip install y"}, model::StepState::kRunning, "", ""}};
  ASSERT_TRUE(save_record(tree.root() + "/venv", record));
  EXPECT_FALSE(std::filesystem::exists(record_path(tree.root() + "/venv") + ".tmp"));
  auto target = inspect_target(tree.root() + "/venv");
  ASSERT_TRUE(target);
  ASSERT_TRUE(target->record);
  EXPECT_EQ(*target->record, record);
  EXPECT_EQ(target->kind, TargetKind::kOther);  // the record alone: not a venv yet
}

TEST(InspectTarget, ABrokenRecordIsAnErrorNamingTheFileNeverReplaced) {
  TempTree tree;
  const std::string record_file = tree.root() + "/venv/" + model::kInstallRecordFile;
  for (const std::string& text :
       {std::string("{\"schema\": \"tfgpu.install-rec"), std::string("[1, 2]"),
        std::string("{\"schema\": \"tfgpu.install-record/9\"}"),
        std::string(R"({"schema": "tfgpu.install-record/1", "tool_version": "x", "venv": "v",
            "tensorflow": "2.21.0", "started_at": "", "updated_at": "", "complete": false,
            "steps": [{"id": "pip", "commands": [], "state": "half", "detail": "",
            "finished_at": ""}]})")}) {
    tree.write("/venv/" + std::string(model::kInstallRecordFile), text);
    auto target = inspect_target(tree.root() + "/venv");
    ASSERT_FALSE(target) << text;
    EXPECT_EQ(target.error().code, Errc::kMalformed) << text;
    EXPECT_NE(target.error().message.find(record_file), std::string::npos)
        << target.error().message;
  }
}

}  // namespace
}  // namespace tfgpu::install
