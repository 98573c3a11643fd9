// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/report/doctor_text.h"

#include <gtest/gtest.h>

namespace tfgpu::report {
namespace {

model::DoctorReport sample_report() {
  model::DoctorReport report;
  report.kb_origin = "embedded";
  report.layers.push_back({"gpu", "GPU", model::LayerState::kOk, "0: NVIDIA H100 (sm_90)"});
  report.layers.push_back(
      {"python", "Python /home/ana/venv", model::LayerState::kError, "Python 3.11.7"});
  model::Finding finding;
  finding.id = "driver_library_mismatch";
  finding.severity = model::Severity::kError;
  finding.scope = "machine";
  finding.summary = "Kernel module 535.104.05 and libcuda 550.54.14 differ.";
  finding.evidence.push_back(
      {"kernel module version", "535.104.05", "/proc/driver/nvidia/version"});
  finding.kb.push_back(
      {"statement", "driver_backward_compatible", "confirmed", {"https://docs.nvidia.com/"}, ""});
  finding.fixes.push_back({"Reboot so the loaded module matches the installed libraries.",
                           {"sudo reboot"},
                           true,
                           true});
  model::Finding second = finding;
  second.id = "other";
  second.severity = model::Severity::kWarning;
  second.scope = "/home/ana/venv";
  second.summary = "Something in /home/ana/venv.";
  second.fixes.push_back({"Install into the venv.",
                          {"/home/ana/venv/bin/python -m pip install 'x==1'"},
                          false,
                          false});
  report.findings = {finding, second};
  model::EnvVerdict verdict;
  verdict.prefix = "/home/ana/venv";
  verdict.will_use_gpu = false;
  verdict.sentence = "TensorFlow 2.21.0 in /home/ana/venv will NOT use the GPU: …";
  report.verdicts.push_back(verdict);
  return report;
}

TEST(DoctorText, ShowsLayersVerdictFindingsAndNumberedFixesOnce) {
  TextStyle style;
  style.home = "/home/ana";
  const std::string text = render_doctor_text(sample_report(), style, {false, "0.1.0"});
  EXPECT_NE(text.find("\u2713 GPU"), std::string::npos) << text;
  EXPECT_NE(text.find("\u2717 Python ~/venv"), std::string::npos) << text;
  EXPECT_NE(text.find("TensorFlow 2.21.0 in ~/venv will NOT use the GPU"), std::string::npos);
  // The same fix from two findings is listed once and both refer to number 1.
  EXPECT_NE(text.find(" 1. Reboot so the loaded module matches the installed libraries. [needs "
                      "root; then reboot]"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("\n 3. "), std::string::npos) << text;
  EXPECT_NE(text.find("(fix 1, 2)"), std::string::npos) << text;
  EXPECT_NE(text.find("~/venv/bin/python -m pip install 'x==1'"), std::string::npos) << text;
  // Evidence only with -v.
  EXPECT_EQ(text.find("/proc/driver/nvidia/version"), std::string::npos);
  const std::string verbose = render_doctor_text(sample_report(), style, {true, "0.1.0"});
  EXPECT_NE(verbose.find("kernel module version: 535.104.05  (/proc/driver/nvidia/version)"),
            std::string::npos)
      << verbose;
  EXPECT_NE(verbose.find("kb: statement \"driver_backward_compatible\" (confirmed)"),
            std::string::npos);
}

TEST(DoctorText, AsciiAndNoColourWhenAsked) {
  TextStyle style;
  style.unicode = false;
  style.color = false;
  const std::string text = render_doctor_text(sample_report(), style, {false, "0.1.0"});
  EXPECT_NE(text.find("ok GPU"), std::string::npos) << text;
  EXPECT_EQ(text.find("\x1b["), std::string::npos);
  EXPECT_EQ(text.find("\u2713"), std::string::npos);
}

TEST(DoctorMarkdown, IsATableAndFencedCommandsWithHomeAsTilde) {
  TextStyle style;
  style.home = "/home/ana";
  const std::string md = render_doctor_markdown(sample_report(), style, {false, "0.1.0"});
  EXPECT_NE(md.find("| \u2713 | GPU | 0: NVIDIA H100 (sm_90) |"), std::string::npos) << md;
  EXPECT_NE(md.find("```sh\n   sudo reboot\n   ```"), std::string::npos) << md;
  EXPECT_EQ(md.find("/home/ana"), std::string::npos) << md;
  // Markdown always carries the evidence: it goes into bug reports.
  EXPECT_NE(md.find("kernel module version: `535.104.05`"), std::string::npos) << md;
}

TEST(CommandText, WritesHomeAsTildeOnlyWhereTheShellExpandsIt) {
  const std::string home = "/home/ana";
  EXPECT_EQ(command_text("/home/ana/venv/bin/python -m pip", home), "~/venv/bin/python -m pip");
  EXPECT_EQ(command_text("'/home/ana/my venv/bin/python' -m pip", home),
            "~/'my venv/bin/python' -m pip");
  EXPECT_EQ(command_text("export LD_LIBRARY_PATH=/home/ana/a:/home/ana/b", home),
            "export LD_LIBRARY_PATH=~/a:~/b");
  // Not a whole component, or inside a word: left alone.
  EXPECT_EQ(command_text("ls /home/anabel", home), "ls /home/anabel");
  EXPECT_EQ(command_text("echo x/home/ana", home), "echo x/home/ana");
  EXPECT_EQ(command_text("sudo reboot", ""), "sudo reboot");
}

}  // namespace
}  // namespace tfgpu::report
