// SPDX-License-Identifier: Apache-2.0
// Described machines and the plans the shipped knowledge base gives them (data/kb, compiled in).
// Each expected value is written down from the KB rows named in the row's comment, not from what
// the planner printed: GPU → compute capability from gpus.toml [[gpu]]; the line from
// tensorflow.toml [[wheel_build]] (lowest capability, SASS/PTX) and [[release]] (Python range,
// CUDA, cuDNN, gpu_platforms); the driver minimum from cuda.toml [[minor_version_compat]] (one
// driver per CUDA major), [[driver_minimum]] (the toolkit's driver, needed for PTX JIT and as the
// first driver of a GPU's first toolkit, [[arch_support]]) and gpus.toml [[driver_branch_end]];
// the pip command from [[and_cuda]] and [[and_cuda_route]]; the cuDNN constraint from cudnn.toml.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tfgpu/kb/load.h"
#include "tfgpu/plan/planner.h"

namespace tfgpu::plan {
namespace {

enum class DriverStep {
  kNone,
  kRootReboot,   // Linux: the distribution's driver, root, then a reboot
  kWindowsSide,  // WSL2 / Windows: the Windows driver, shown only, no Linux commands
};

struct Scenario {
  const char* name;
  // The machine.
  const char* gpu;  // --gpu ("" none)
  const char* cc;   // --cc ("" none)
  const char* driver;
  const char* python;
  const char* os;
  const char* tf = "";  // --tf pin
  CudaFrom cuda_from = CudaFrom::kWheels;
  // The plan.
  const char* version = "";  // "" → no TensorFlow can use the GPU
  bool gpu_usable = true;
  const char* driver_minimum = "";  // "" → no driver need stated
  DriverStep driver_step = DriverStep::kNone;
  const char* pip = "";                 // the exact pip command ("" → none)
  const char* venv_python = "";         // the Python the venv is made with ("" → not checked)
  std::vector<const char*> notes = {};  // note ids that must be there
  std::vector<const char*> alternatives = {};  // versions, in order
};

constexpr const char* kPip = "~/tf-venv/bin/python -m pip install ";

std::string pip(const char* requirements) {
  return std::string(kPip) + requirements;
}

// clang-format off
const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all = {
      // --- Kepler ------------------------------------------------------------------------------
      // GTX 780 = 3.5. wheel_build 2.4-2.14 has sm_35; 2.15's lowest is sm_50: 2.14 is the newest.
      // 2.14 = CUDA 11.8 → minor_version_compat 11: 450.80.02. R470 is Kepler's last branch.
      {"kepler_gtx780_driver470_py310", "GTX 780", "", "470", "3.10", "ubuntu-22.04", "",
       CudaFrom::kWheels, "2.14.0", true, "450.80.02", DriverStep::kNone,
       "\"tensorflow[and-cuda]==2.14.0\"", "3.10"},
      // R535 does not drive Kepler (driver_branch_end: 470): the driver step installs R470.
      {"kepler_gtx780_driver535_is_past_its_branch", "GTX 780", "", "535.104.05", "3.10",
       "debian-12", "", CudaFrom::kWheels, "2.14.0", true, "450.80.02", DriverStep::kRootReboot,
       "\"tensorflow[and-cuda]==2.14.0\"", "3.10"},
      // and_cuda_route 2.14: the extra (tensorrt==8.5.3.1) installs on 3.9-3.10 only; 2.14 itself
      // supports 3.11, so CUDA 11.8 and cuDNN 8.7 go system-wide and pip takes plain tensorflow.
      {"kepler_gtx780_py311_extra_refused", "GTX 780", "", "470.82.01", "3.11", "ubuntu-22.04",
       "", CudaFrom::kWheels, "2.14.0", true, "450.80.02", DriverStep::kNone,
       "\"tensorflow==2.14.0\"", "3.11", {"and_cuda_refused_on_python"}},
      // K80 = 3.7: sm_35 SASS runs on 3.7. "--driver 450" names a branch holding 450.80.02.
      {"kepler_k80_driver450_branch_py39", "Tesla K80", "", "450", "3.9", "ubuntu-22.04", "",
       CudaFrom::kWheels, "2.14.0", true, "450.80.02", DriverStep::kNone,
       "\"tensorflow[and-cuda]==2.14.0\"", "3.9", {"driver_branch_given"}},
      // Python 3.13 is outside 2.14's range: install 3.10 (the newest the 2.14 extra installs on).
      {"kepler_k80_py313_needs_python310", "K80", "", "470.82.01", "3.13", "debian-12", "",
       CudaFrom::kWheels, "2.14.0", true, "450.80.02", DriverStep::kNone,
       "\"tensorflow[and-cuda]==2.14.0\"", "3.10"},
      // Python 3.8: 2.14 needs 3.9+, 2.13 supports 3.8-3.11 (no extra: system CUDA 11.8).
      {"kepler_k80_py38_takes_2_13", "Tesla K80", "", "470.82.01", "3.8", "ubuntu-22.04", "",
       CudaFrom::kWheels, "2.13.0", true, "450.80.02", DriverStep::kNone,
       "\"tensorflow==2.13.0\"", "3.8", {"no_and_cuda_extra"}, {"2.14.0"}},
      // GTX 680 = 3.0: below 3.5, the lowest any wheel_build row has.
      {"kepler_gtx680_below_every_wheel", "GTX 680", "", "470", "3.10", "ubuntu-22.04", "",
       CudaFrom::kWheels, "", false},
      // A pinned line that cannot use the GPU: 2.15's lowest is 5.0; 2.14 is offered.
      {"kepler_gtx780_pinned_2_15_cannot", "GTX 780", "", "470", "3.10", "ubuntu-22.04", "2.15",
       CudaFrom::kWheels, "", false, "", DriverStep::kNone, "", "", {}, {"2.14.0"}},

      // --- Maxwell -----------------------------------------------------------------------------
      // GTX 970 = 5.2: 2.16 has sm_50, 2.17's lowest is 6.0. 2.16 = CUDA 12.3 → 525.60.13.
      // and_cuda_route 2.16: first release 2.16.1, libraries and ptxas to link.
      {"maxwell_gtx970_driver580_py312", "GTX 970", "", "580.65.06", "3.12", "ubuntu-24.04", "",
       CudaFrom::kWheels, "2.16.1", true, "525.60.13", DriverStep::kNone,
       "\"tensorflow[and-cuda]==2.16.1\"", "3.12"},
      // Driver 470 < 525.60.13: upgrade, or keep it with 2.14 (CUDA 11.8: 450.80.02).
      {"maxwell_gtx970_driver470_upgrade_or_2_14", "GTX 970", "", "470.223.02", "3.10",
       "ubuntu-22.04", "", CudaFrom::kWheels, "2.16.1", true, "525.60.13",
       DriverStep::kRootReboot, "\"tensorflow[and-cuda]==2.16.1\"", "3.10", {}, {"2.14.0"}},
      // Python 3.8: 2.13 (3.8-3.11; sm_50) with the system toolkit; 2.16.1 needs 3.9+.
      {"maxwell_gtx970_py38", "GTX 970", "", "525.60.13", "3.8", "ubuntu-22.04", "",
       CudaFrom::kWheels, "2.13.0", true, "450.80.02", DriverStep::kNone,
       "\"tensorflow==2.13.0\"", "3.8", {}, {"2.16.1"}},

      // --- Pascal and Volta in the CUDA 13 era -------------------------------------------------
      // GTX 1080 = 6.1: 2.21 has sm_60. The 2.21 extra allows nvidia-cudnn-cu12 <10.0, and cuDNN
      // 9.17 lists 7.5-12.0 only (cudnn.toml); 9.10 is the newest row listing 6.1: keep < 9.11.
      {"pascal_gtx1080_driver580_keeps_cudnn_9_10", "GTX 1080", "", "580.82.07", "3.12",
       "ubuntu-24.04", "", CudaFrom::kWheels, "2.21.0", true, "525.60.13", DriverStep::kNone,
       "\"tensorflow[and-cuda]==2.21.0\" \"nvidia-cudnn-cu12>=9.3.0.75,<9.11\"", "3.12",
       {"cudnn_kept_for_gpu"}},
      // R590 dropped Pascal (driver_branch_end 5.0-7.0: R580).
      {"pascal_gtx1080_driver590_past_its_branch", "GTX 1080", "", "590.48.01", "3.12",
       "ubuntu-24.04", "", CudaFrom::kWheels, "2.21.0", true, "525.60.13",
       DriverStep::kRootReboot,
       "\"tensorflow[and-cuda]==2.21.0\" \"nvidia-cudnn-cu12>=9.3.0.75,<9.11\"", "3.12"},
      // --cuda-from system: CUDA 12.5 and cuDNN 9.3 system-wide, plain tensorflow.
      {"pascal_gtx1080_system_cuda", "GTX 1080", "", "580", "3.12", "ubuntu-24.04", "",
       CudaFrom::kSystem, "2.21.0", true, "525.60.13", DriverStep::kNone,
       "\"tensorflow==2.21.0\"", "3.12"},
      // V100 = 7.0 (sm_70).
      {"volta_v100_driver580_rhel9", "V100", "", "580.65.06", "3.11", "rhel-9", "",
       CudaFrom::kWheels, "2.21.0", true, "525.60.13", DriverStep::kNone,
       "\"tensorflow[and-cuda]==2.21.0\" \"nvidia-cudnn-cu12>=9.3.0.75,<9.11\"", "3.11"},
      // Python 3.9: 2.21 needs 3.10+, 2.20 supports 3.9. Driver 470: upgrade, or 2.14.
      {"volta_v100_driver470_py39", "V100", "", "470.82.01", "3.9", "rhel-9", "",
       CudaFrom::kWheels, "2.20.0", true, "525.60.13", DriverStep::kRootReboot,
       "\"tensorflow[and-cuda]==2.20.0\" \"nvidia-cudnn-cu12>=9.3.0.75,<9.11\"", "3.9", {},
       {"2.21.0", "2.14.0"}},

      // --- Ampere (RTX 30) ---------------------------------------------------------------------
      // RTX 3060 = 8.6: sm_80 SASS in 2.21. No release runs 8.6 on driver 470: 2.14 would JIT
      // compute_80 from CUDA 11.8 (520.61.05), and 8.6 first appears in CUDA 11.1 (455.23).
      {"ampere_rtx3060_driver470_py312", "RTX 3060", "", "470.82.01", "3.12", "ubuntu-22.04", "",
       CudaFrom::kWheels, "2.21.0", true, "525.60.13", DriverStep::kRootReboot,
       "\"tensorflow[and-cuda]==2.21.0\"", "3.12"},
      {"ampere_rtx3060_driver450_py310", "GeForce RTX 3060", "", "450.80.02", "3.10",
       "ubuntu-22.04", "", CudaFrom::kWheels, "2.21.0", true, "525.60.13",
       DriverStep::kRootReboot, "\"tensorflow[and-cuda]==2.21.0\"", "3.10"},
      // Pinned 2.15: and_cuda_route pins 2.15.0.post1; 8.6 runs compute_80 PTX written by CUDA
      // 12.2 → 12.2 GA's 535.54.03; Python 3.12 is outside 3.9-3.11.
      {"ampere_rtx3060_pinned_2_15_post1", "RTX 3060", "", "535.104.05", "3.12", "ubuntu-22.04",
       "2.15", CudaFrom::kWheels, "2.15.0.post1", true, "535.54.03", DriverStep::kNone,
       "\"tensorflow[and-cuda]==2.15.0.post1\"", "3.11", {"ptx_jit_first_use"}},
      {"ampere_rtx3060_pinned_2_16", "RTX 3060", "", "550.54.14", "3.12", "ubuntu-22.04", "2.16",
       CudaFrom::kWheels, "2.16.1", true, "525.60.13", DriverStep::kNone,
       "\"tensorflow[and-cuda]==2.16.1\"", "3.12"},
      // Pinned 2.12 (CUDA 11.8, PTX → 520.61.05), Python 3.13 outside 3.8-3.11: install 3.11.
      {"ampere_rtx3060_pinned_2_12_py313", "RTX 3060", "", "535", "3.13", "ubuntu-22.04", "2.12",
       CudaFrom::kWheels, "2.12.0", true, "520.61.05", DriverStep::kNone,
       "\"tensorflow==2.12.0\"", "3.11", {"ptx_jit_first_use", "no_and_cuda_extra"}},
      {"ampere_rtx3090_driver550_fedora", "RTX 3090", "", "550.54.14", "3.11", "fedora", "",
       CudaFrom::kWheels, "2.21.0", true, "525.60.13", DriverStep::kNone,
       "\"tensorflow[and-cuda]==2.21.0\"", "3.11"},
      // Exactly the minimum is enough.
      {"ampere_rtx3090_driver_at_the_minimum_py313", "RTX 3090", "", "525.60.13", "3.13",
       "ubuntu-24.04", "", CudaFrom::kWheels, "2.21.0", true, "525.60.13", DriverStep::kNone,
       "\"tensorflow[and-cuda]==2.21.0\"", "3.13"},

      // --- Ada (RTX 40) ------------------------------------------------------------------------
      // RTX 4090 = 8.9: sm_89 SASS from 2.17.
      {"ada_rtx4090_driver525_branch", "RTX 4090", "", "525", "3.12", "ubuntu-22.04", "",
       CudaFrom::kWheels, "2.21.0", true, "525.60.13", DriverStep::kNone,
       "\"tensorflow[and-cuda]==2.21.0\"", "3.12", {"driver_branch_given"}},
      // 8.9 first appears in CUDA 11.8 (520.61.05): no release runs on driver 470.
      {"ada_rtx4090_driver470_no_alternative", "RTX 4090", "", "470.82.01", "3.10",
       "ubuntu-22.04", "", CudaFrom::kWheels, "2.21.0", true, "525.60.13",
       DriverStep::kRootReboot, "\"tensorflow[and-cuda]==2.21.0\"", "3.10"},

      // --- Blackwell (RTX 50, B200) ------------------------------------------------------------
      // RTX 5090 = 12.0: compute_90 PTX only (JIT). 12.0 first appears in CUDA 12.8 → 570.26.
      {"blackwell_rtx5090_driver550", "RTX 5090", "", "550.54.14", "3.12", "ubuntu-24.04", "",
       CudaFrom::kWheels, "2.21.0", true, "570.26", DriverStep::kRootReboot,
       "\"tensorflow[and-cuda]==2.21.0\"", "3.12", {"ptx_jit_first_use"}},
      // Pinned 2.18: its extra pins cuDNN ==9.3.0.75, whose row lists 5.0-9.0.
      {"blackwell_rtx5090_pinned_2_18", "RTX 5090", "", "575.57.08", "3.12", "ubuntu-24.04",
       "2.18", CudaFrom::kWheels, "2.18.0", true, "570.26", DriverStep::kNone,
       "\"tensorflow[and-cuda]==2.18.0\"", "3.12", {"ptx_jit_first_use", "cudnn_gpu_not_listed"}},
      // B200 = 10.0: also first in CUDA 12.8.
      {"blackwell_b200_driver580", "B200", "", "580.65.06", "3.12", "ubuntu-24.04", "",
       CudaFrom::kWheels, "2.21.0", true, "570.26", DriverStep::kNone,
       "\"tensorflow[and-cuda]==2.21.0\"", "3.12", {"ptx_jit_first_use"}},
      {"blackwell_b200_driver550", "B200", "", "550.54.14", "3.11", "rhel-9", "",
       CudaFrom::kWheels, "2.21.0", true, "570.26", DriverStep::kRootReboot,
       "\"tensorflow[and-cuda]==2.21.0\"", "3.11"},

      // --- Hopper ------------------------------------------------------------------------------
      // H100 = 9.0: compute_90 PTX written by CUDA 12.5 → 12.5 GA's 555.42.02 (minor version
      // compatibility does not cover PTX). Driver 535 keeps 2.15 (PTX of CUDA 12.2: 535.54.03).
      {"hopper_h100_driver535_needs_555_for_ptx", "H100", "", "535.104.05", "3.10",
       "ubuntu-22.04", "", CudaFrom::kWheels, "2.21.0", true, "555.42.02",
       DriverStep::kRootReboot, "\"tensorflow[and-cuda]==2.21.0\"", "3.10",
       {"ptx_jit_first_use"}, {"2.15.0.post1"}},
      {"hopper_h100_driver580", "H100", "", "580.95.05", "3.12", "ubuntu-24.04", "",
       CudaFrom::kWheels, "2.21.0", true, "555.42.02", DriverStep::kNone,
       "\"tensorflow[and-cuda]==2.21.0\"", "3.12", {"ptx_jit_first_use"}},
      // Driver 550 keeps 2.17 (compute_90 PTX of CUDA 12.3: 545.23.06).
      {"hopper_h100_driver550_keeps_2_17", "H100", "", "550.54.14", "3.11", "rhel-9", "",
       CudaFrom::kWheels, "2.21.0", true, "555.42.02", DriverStep::kRootReboot,
       "\"tensorflow[and-cuda]==2.21.0\"", "3.11", {}, {"2.17.0"}},

      // --- WSL2, native Windows, macOS ---------------------------------------------------------
      // WSL2: the Linux wheel with the Windows driver; minor_version_compat 12's Windows 527.41.
      {"wsl2_rtx3060_windows_driver_too_old", "RTX 3060", "", "512.15", "3.12", "wsl2", "",
       CudaFrom::kWheels, "2.21.0", true, "527.41", DriverStep::kWindowsSide,
       "\"tensorflow[and-cuda]==2.21.0\"", "3.12"},
      // Python 3.8 in WSL2: 2.13 with system CUDA 11.8 (Windows 452.39).
      {"wsl2_gtx1080_py38", "GTX 1080", "", "472.12", "3.8", "wsl2", "", CudaFrom::kWheels,
       "2.13.0", true, "452.39", DriverStep::kNone, "\"tensorflow==2.13.0\"", "3.8", {},
       {"2.21.0"}},
      // Native Windows ends with 2.10 (CUDA 11.2, cuDNN 8.1, Python 3.7-3.10): conda brings
      // Python 3.10. 8.6 runs 2.10's compute_80 PTX of CUDA 11.2 → 11.2 GA's Windows 460.82.
      {"windows_rtx3090_py312_takes_2_10", "RTX 3090", "", "560.94", "3.12", "windows", "",
       CudaFrom::kWheels, "2.10.0", true, "460.82", DriverStep::kNone, "", "", {},
       {"2.21.0"}},
      {"windows_gtx1080_py38", "GTX 1080", "", "531.14", "3.8", "windows", "",
       CudaFrom::kWheels, "2.10.0", true, "452.39", DriverStep::kNone, "", "", {}, {"2.13.0"}},
      {"windows_pinned_2_15_has_no_gpu_build", "RTX 3060", "", "560.94", "3.11", "windows",
       "2.15", CudaFrom::kWheels, "", false, "", DriverStep::kNone, "", "", {},
       {"2.10.0", "2.21.0"}},
      {"macos_has_no_cuda", "RTX 3060", "", "", "3.12", "macos", "", CudaFrom::kWheels, "",
       false, "", DriverStep::kNone, "tensorflow tensorflow-metal"},

      // --- Other ---------------------------------------------------------------------------------
      {"fermi_cc21_build_from_source", "", "2.1", "390.157", "3.10", "ubuntu-22.04", "",
       CudaFrom::kWheels, "", false},
      // No GPU given: planned as if it fits, with a note.
      {"unknown_gpu_driver550", "", "", "550.54.14", "3.12", "ubuntu-22.04", "",
       CudaFrom::kWheels, "2.21.0", true, "525.60.13", DriverStep::kNone,
       "\"tensorflow[and-cuda]==2.21.0\"", "3.12", {"gpu_not_given"}},
  };
  return all;
}

// clang-format on

class PlanScenario : public ::testing::TestWithParam<Scenario> {};

const kb::KnowledgeBase& shipped_kb() {
  static const kb::KnowledgeBase kb = kb::compiled_kb();
  return kb;
}

MachineDescription describe(const Scenario& scenario, const kb::KnowledgeBase& kb) {
  MachineDescription machine;
  if (*scenario.gpu != '\0') {
    auto gpu = find_gpu(scenario.gpu, kb);
    EXPECT_TRUE(gpu) << scenario.gpu << ": " << (gpu ? "" : gpu.error().message);
    if (gpu) {
      machine.gpu_name = (*gpu)->name;
      machine.compute_capability = (*gpu)->compute_capability;
    }
  }
  if (*scenario.cc != '\0') {
    machine.compute_capability = parse_compute_capability(scenario.cc).value();
  }
  if (*scenario.driver != '\0') {
    machine.driver = Version::parse(scenario.driver);
  }
  if (*scenario.python != '\0') {
    machine.python = Version::parse(scenario.python);
  }
  machine.os = parse_os_id(scenario.os).value();
  if (*scenario.tf != '\0') {
    machine.tensorflow_pin = Version::parse(scenario.tf);
  }
  machine.cuda_from = scenario.cuda_from;
  return machine;
}

const model::PlanStep* step(const model::Plan& plan, std::string_view id) {
  for (const auto& candidate : plan.steps) {
    if (candidate.id == id) {
      return &candidate;
    }
  }
  return nullptr;
}

TEST_P(PlanScenario, MatchesTheKnowledgeBase) {
  const Scenario& scenario = GetParam();
  const auto& kb = shipped_kb();
  const model::Plan plan = make_plan(describe(scenario, kb), kb);

  if (*scenario.version == '\0') {
    EXPECT_FALSE(plan.tensorflow.version) << *plan.tensorflow.version;
  } else {
    ASSERT_TRUE(plan.tensorflow.version) << plan.tensorflow.why;
    EXPECT_EQ(*plan.tensorflow.version, scenario.version) << plan.tensorflow.why;
  }
  EXPECT_EQ(plan.gpu_usable, scenario.gpu_usable);
  EXPECT_FALSE(plan.tensorflow.why.empty());

  if (*scenario.driver_minimum == '\0') {
    EXPECT_FALSE(plan.driver) << plan.driver->minimum;
  } else {
    ASSERT_TRUE(plan.driver);
    EXPECT_EQ(plan.driver->minimum, scenario.driver_minimum) << plan.driver->why;
    EXPECT_FALSE(plan.driver->citations.empty());
  }

  const auto* driver = step(plan, "driver");
  switch (scenario.driver_step) {
    case DriverStep::kNone:
      EXPECT_EQ(driver, nullptr) << driver->title;
      break;
    case DriverStep::kRootReboot:
      ASSERT_NE(driver, nullptr);
      EXPECT_TRUE(driver->needs_root);
      EXPECT_TRUE(driver->reboot);
      EXPECT_TRUE(driver->shown_only);
      EXPECT_NE(driver->title.find(scenario.driver_minimum), std::string::npos) << driver->title;
      break;
    case DriverStep::kWindowsSide:
      ASSERT_NE(driver, nullptr);
      EXPECT_TRUE(driver->shown_only);
      EXPECT_FALSE(driver->reboot);
      EXPECT_TRUE(driver->commands.empty());
      EXPECT_NE(driver->title.find("Windows"), std::string::npos) << driver->title;
      break;
  }

  const auto* pip_step = step(plan, "pip");
  if (*scenario.pip == '\0') {
    if (plan.tensorflow.version) {
      // Native Windows: conda's Python, not a venv's.
      ASSERT_NE(pip_step, nullptr);
      EXPECT_EQ(pip_step->commands.front(),
                "python -m pip install \"tensorflow==" + std::string(scenario.version) + "\"");
    } else {
      EXPECT_EQ(pip_step, nullptr);
    }
  } else {
    ASSERT_NE(pip_step, nullptr);
    ASSERT_EQ(pip_step->commands.size(), 1U);
    EXPECT_EQ(pip_step->commands.front(), pip(scenario.pip));
    EXPECT_FALSE(pip_step->needs_root);
  }
  if (*scenario.venv_python != '\0') {
    const auto* venv = step(plan, "venv");
    ASSERT_NE(venv, nullptr);
    EXPECT_EQ(venv->commands.front(),
              "python" + std::string(scenario.venv_python) + " -m venv ~/tf-venv");
  }
  for (const char* id : scenario.notes) {
    EXPECT_TRUE(std::any_of(plan.notes.begin(), plan.notes.end(),
                            [&](const model::PlanNote& note) { return note.id == id; }))
        << "no note " << id;
  }
  std::vector<std::string> alternatives;
  for (const auto& alternative : plan.alternatives) {
    alternatives.push_back(alternative.tensorflow);
  }
  EXPECT_EQ(alternatives,
            std::vector<std::string>(scenario.alternatives.begin(), scenario.alternatives.end()));

  // Every step says why; root steps are shown, never run; the last step verifies.
  for (const auto& each : plan.steps) {
    EXPECT_FALSE(each.why.empty()) << each.id;
    EXPECT_FALSE(each.title.empty()) << each.id;
    if (each.needs_root) {
      EXPECT_TRUE(each.shown_only) << each.id;
    }
  }
  if (plan.tensorflow.version && plan.machine.os != "windows") {
    ASSERT_FALSE(plan.steps.empty());
    EXPECT_EQ(plan.steps.back().id, "verify");
  }
}

INSTANTIATE_TEST_SUITE_P(DescribedMachines, PlanScenario, ::testing::ValuesIn(scenarios()),
                         [](const ::testing::TestParamInfo<Scenario>& param) {
                           return std::string(param.param.name);
                         });

// `--python PATH` (install, plan on this machine): that interpreter makes the venv when it is the
// Python the plan uses, and not when the plan needs another one.
TEST(PlanInterpreter, MakesTheVenvOnlyWhenItIsThePlansPython) {
  const auto& kb = shipped_kb();
  MachineDescription machine;
  machine.compute_capability = parse_compute_capability("9.0").value();
  machine.driver = Version::parse("580.65.06");
  machine.os = "ubuntu-24.04";
  machine.python = Version::parse("3.12");
  machine.python_interpreter = "/opt/my python/bin/python3.12";
  auto plan = make_plan(machine, kb);
  const auto* venv = step(plan, "venv");
  ASSERT_NE(venv, nullptr);
  EXPECT_EQ(venv->commands.front(), "'/opt/my python/bin/python3.12' -m venv ~/tf-venv");

  machine.python = Version::parse("3.7");  // 2.11 is the newest for it: still its interpreter
  machine.python_interpreter = "/usr/bin/python3.7";
  plan = make_plan(machine, kb);
  ASSERT_NE(step(plan, "venv"), nullptr);
  EXPECT_EQ(step(plan, "venv")->commands.front(), "/usr/bin/python3.7 -m venv ~/tf-venv");

  machine.python = Version::parse("3.14");  // no TensorFlow in the KB supports it yet
  machine.python_interpreter = "/usr/bin/python3.14";
  plan = make_plan(machine, kb);
  venv = step(plan, "venv");
  ASSERT_NE(venv, nullptr);
  EXPECT_EQ(venv->commands.front().find("/usr/bin/python3.14"), std::string::npos)
      << venv->commands.front();
  EXPECT_NE(step(plan, "python"), nullptr);
}

TEST(PlanScenarios, AtLeastThirtyMachines) {
  EXPECT_GE(scenarios().size(), 30U);
}

}  // namespace
}  // namespace tfgpu::plan
