// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/report/plan_text.h"

#include <gtest/gtest.h>

namespace tfgpu::report {
namespace {

model::Plan sample_plan() {
  model::Plan plan;
  plan.kb_origin = "embedded";
  plan.machine.description = "described";
  plan.machine.gpu = "GeForce RTX 3060";
  plan.machine.compute_capability = "8.6";
  plan.machine.driver = "470.82";
  plan.machine.driver_source = "--driver";
  plan.machine.cuda_from = "wheels";
  plan.tensorflow.version = "2.21.0";
  plan.tensorflow.package = "tensorflow[and-cuda]";
  plan.tensorflow.python = "3.12";
  plan.tensorflow.cuda = "12.5";
  plan.tensorflow.cudnn = "9.3";
  plan.tensorflow.why = "TensorFlow 2.21.0 is the newest release.";
  plan.tensorflow.citations.push_back(
      {"release", "2.21", "confirmed", {"https://pypi.org/project/tensorflow/2.21.0/"}, ""});
  plan.gpu_usable = true;
  model::DriverNeed driver;
  driver.minimum = "525.60.13";
  driver.platform = "linux";
  driver.why = "CUDA 12 needs it.";
  driver.satisfied = false;
  plan.driver = driver;
  model::PlanStep upgrade;
  upgrade.id = "driver";
  upgrade.title = "Upgrade the NVIDIA driver to >= 525.60.13 (now 470.82)";
  upgrade.why = "Too old.";
  upgrade.commands = {"sudo ubuntu-drivers install"};
  upgrade.needs_root = true;
  upgrade.reboot = true;
  upgrade.shown_only = true;
  upgrade.citations.push_back({"minor_version_compat", "12", "unconfirmed", {}, ""});
  model::PlanStep venv;
  venv.id = "venv";
  venv.title = "Create a virtual environment with Python 3.12";
  venv.why = "Keeps it apart.";
  venv.commands = {"python3.12 -m venv /home/ana/tf-venv"};
  plan.steps = {upgrade, venv};
  plan.rests_on_unconfirmed = true;
  return plan;
}

TEST(PlanText, HeadlineDriverAndNumberedStepsWithRootMarks) {
  TextStyle style;
  style.unicode = false;
  style.home = "/home/ana";
  const std::string text = render_plan_text(sample_plan(), style, {false, "0.1.0"});
  EXPECT_NE(text.find("tfgpu plan 0.1.0  (described)"), std::string::npos) << text;
  EXPECT_NE(text.find("ok TensorFlow 2.21.0 — pip install tensorflow[and-cuda]==2.21.0"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Driver: needs >= 525.60.13; 470.82 does not"), std::string::npos) << text;
  EXPECT_NE(text.find(" 1. Upgrade the NVIDIA driver to >= 525.60.13 (now 470.82) [needs root; "
                      "then reboot; shown, not run by tfgpu install]"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("      sudo ubuntu-drivers install\n"), std::string::npos) << text;
  // The home directory as "~" in commands, still a path the shell expands.
  EXPECT_NE(text.find("      python3.12 -m venv ~/tf-venv\n"), std::string::npos) << text;
  EXPECT_NE(text.find("rests on knowledge-base rows marked unconfirmed"), std::string::npos);
  EXPECT_EQ(text.find("kb: release"), std::string::npos) << "rows only with -v";
  const std::string verbose = render_plan_text(sample_plan(), style, {true, "0.1.0"});
  EXPECT_NE(verbose.find("kb: release \"2.21\" (confirmed) https://pypi.org/project/tensorflow/"),
            std::string::npos)
      << verbose;
}

TEST(PlanText, NoTensorflowSaysSoWithAnErrorMark) {
  model::Plan plan = sample_plan();
  plan.tensorflow.version.reset();
  plan.gpu_usable = false;
  plan.driver.reset();
  plan.steps.clear();
  plan.tensorflow.why = "Below every wheel.";
  TextStyle style;
  style.unicode = false;
  const std::string text = render_plan_text(plan, style, {false, "0.1.0"});
  EXPECT_NE(text.find("xx No TensorFlow can use this GPU here"), std::string::npos) << text;
  EXPECT_NE(text.find("Below every wheel."), std::string::npos);
  EXPECT_EQ(text.find("Steps:"), std::string::npos);
}

TEST(PlanMarkdown, StepsWithShellBlocksAndRows) {
  TextStyle style;
  style.color = false;
  const std::string md = render_plan_markdown(sample_plan(), style, {false, "0.1.0"});
  EXPECT_NE(md.find("### tfgpu plan 0.1.0 (described)"), std::string::npos) << md;
  EXPECT_NE(md.find("1. **Upgrade the NVIDIA driver"), std::string::npos) << md;
  EXPECT_NE(md.find("   ```sh\n   sudo ubuntu-drivers install\n   ```"), std::string::npos) << md;
  EXPECT_NE(md.find("- kb: minor_version_compat \"12\" (unconfirmed)"), std::string::npos) << md;
}

}  // namespace
}  // namespace tfgpu::report
