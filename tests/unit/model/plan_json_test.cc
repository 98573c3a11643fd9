// SPDX-License-Identifier: Apache-2.0
// The "tfgpu.plan/1" document: the keys users script against, null for unknown values.
#include "tfgpu/model/plan_json.h"

#include <gtest/gtest.h>

namespace tfgpu::model {
namespace {

Plan sample_plan() {
  Plan plan;
  plan.tool_version = "0.1.0";
  plan.kb_origin = "embedded";
  plan.machine.description = "described";
  plan.machine.gpu = "GeForce RTX 3060";
  plan.machine.compute_capability = "8.6";
  plan.machine.cuda_from = "wheels";
  plan.tensorflow.version = "2.21.0";
  plan.tensorflow.line = "2.21";
  plan.tensorflow.package = "tensorflow[and-cuda]";
  plan.tensorflow.why = "newest";
  plan.tensorflow.citations.push_back({"release", "2.21", "confirmed", {"https://pypi.org/"}, ""});
  plan.gpu_usable = true;
  DriverNeed driver;
  driver.minimum = "525.60.13";
  driver.platform = "linux";
  driver.why = "CUDA 12";
  driver.satisfied = false;
  plan.driver = driver;
  PlanStep step;
  step.id = "driver";
  step.title = "Upgrade the NVIDIA driver";
  step.why = "too old";
  step.commands = {"sudo ubuntu-drivers install"};
  step.needs_root = true;
  step.reboot = true;
  step.shown_only = true;
  step.citations.push_back({"minor_version_compat", "12", "confirmed", {}, "note"});
  plan.steps = {step};
  plan.notes.push_back({"ptx_jit_first_use", "JIT", {}});
  plan.alternatives.push_back({"2.14.0", "keeps the driver", {}});
  return plan;
}

TEST(PlanJson, SchemaTensorflowAndStepsWithTheirFlags) {
  const auto json = plan_to_json(sample_plan());
  EXPECT_EQ(json["schema"], "tfgpu.plan/1");
  EXPECT_EQ(json["tool_version"], "0.1.0");
  EXPECT_EQ(json["tensorflow"]["version"], "2.21.0");
  EXPECT_EQ(json["tensorflow"]["why"], "newest");
  EXPECT_EQ(json["tensorflow"]["citations"][0]["row"], "2.21");
  EXPECT_EQ(json["gpu_usable"], true);
  EXPECT_EQ(json["driver"]["minimum"], "525.60.13");
  EXPECT_EQ(json["driver"]["satisfied"], false);
  const auto& step = json["steps"][0];
  EXPECT_EQ(step["title"], "Upgrade the NVIDIA driver");
  EXPECT_EQ(step["commands"][0], "sudo ubuntu-drivers install");
  EXPECT_EQ(step["needs_root"], true);
  EXPECT_EQ(step["reboot"], true);
  EXPECT_EQ(step["shown_only"], true);
  EXPECT_EQ(step["citations"][0]["table"], "minor_version_compat");
  EXPECT_EQ(step["citations"][0]["note"], "note");
  EXPECT_EQ(json["notes"][0]["id"], "ptx_jit_first_use");
  EXPECT_EQ(json["alternatives"][0]["tensorflow"], "2.14.0");
}

TEST(PlanJson, UnknownValuesAreNull) {
  Plan plan = sample_plan();
  plan.tensorflow.version.reset();
  plan.tensorflow.package.clear();
  plan.driver->satisfied.reset();
  plan.machine.driver.clear();
  const auto json = plan_to_json(plan);
  EXPECT_TRUE(json["tensorflow"]["version"].is_null());
  EXPECT_TRUE(json["tensorflow"]["package"].is_null());
  EXPECT_TRUE(json["driver"]["satisfied"].is_null());
  EXPECT_TRUE(json["machine"]["driver"].is_null());
  EXPECT_TRUE(json["machine"]["python"].is_null());
  EXPECT_TRUE(json["steps"][0]["citations"][0]["urls"].is_array());
  plan.driver.reset();
  EXPECT_TRUE(plan_to_json(plan)["driver"].is_null());
}

}  // namespace
}  // namespace tfgpu::model
