// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/plan/steps.h"

#include <algorithm>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/checks/check.h"
#include "tfgpu/checks/common.h"

namespace tfgpu::plan {
namespace {

void cite_once(std::vector<model::KbCitation>& citations, model::KbCitation citation) {
  for (const auto& known : citations) {
    if (known.table == citation.table && known.row == citation.row) {
      return;
    }
  }
  citations.push_back(std::move(citation));
}

void cite_statement(std::vector<model::KbCitation>& citations, const kb::KnowledgeBase& kb,
                    std::string_view id) {
  if (const auto* statement = kb.statement(id)) {
    cite_once(citations, checks::cite(statement->provenance));
  }
}

// A pip requirement as one shell word. Requirements hold only [A-Za-z0-9._-[]=<>,]: double
// quotes keep the shell from globbing "[and-cuda]" and from reading "<" and ">" as redirections,
// and read the same in cmd.exe and PowerShell.
std::string requirement_word(std::string_view requirement) {
  return "\"" + std::string(requirement) + "\"";
}

std::string major_minor(const Version& version) {
  return fmt::format("{}.{}", version.major(), version.minor());
}

// "/usr/local/cuda-11.8": where NVIDIA's cuda-toolkit-11-8 package installs.
std::string toolkit_dir(const Version& cuda) {
  return "/usr/local/cuda-" + major_minor(cuda);
}

// NVIDIA's CUDA repository folder for a distribution ("ubuntu2204", "debian12", "rhel9",
// "wsl-ubuntu"); empty when NVIDIA's URL scheme cannot be derived (the step is manual then).
std::string cuda_repo(std::string_view os) {
  if (os == "wsl2") {
    return "wsl-ubuntu";
  }
  const std::string distribution = distribution_of(os);
  std::string version = distribution_version_of(os);
  if (version.empty()) {
    return {};
  }
  if (distribution == "ubuntu") {
    version.erase(std::remove(version.begin(), version.end(), '.'), version.end());
    return "ubuntu" + version;
  }
  if (distribution == "debian") {
    return "debian" + version.substr(0, version.find('.'));
  }
  if (distribution == "rhel" || distribution == "rocky" || distribution == "almalinux" ||
      distribution == "centos") {
    return "rhel" + version.substr(0, version.find('.'));
  }
  return {};
}

}  // namespace

std::string path_word(std::string_view path) {
  if (path == "~") {
    return "~";
  }
  if (path.starts_with("~/") && path.size() > 2) {
    // The shell expands "~/" only unquoted; the rest is quoted as needed.
    return "~/" + shell_quote(path.substr(2));
  }
  return shell_quote(path);
}

std::string path_word(std::string_view path, std::string_view tail) {
  std::string joined(path);
  while (joined.size() > 1 && joined.back() == '/') {
    joined.pop_back();
  }
  return path_word(joined + "/" + std::string(tail));
}

std::string venv_python(std::string_view venv) {
  return path_word(venv, "bin/python");
}

std::string venv_site_packages(std::string_view venv, const Version& python) {
  return path_word(venv, "lib/python" + major_minor(python) + "/site-packages");
}

model::PlanStep driver_step(const DriverStepInput& input, const kb::KnowledgeBase& kb) {
  model::PlanStep step;
  step.id = "driver";
  step.needs_root = true;
  step.shown_only = true;
  const std::string minimum = input.minimum.text();
  std::vector<std::string> why;
  if (input.needs != nullptr) {
    if (const auto* binding = input.needs->binding()) {
      why.push_back("TensorFlow needs a driver >= " + minimum + ": " + binding->why + ".");
    }
    for (const auto& requirement : input.needs->requirements) {
      for (const auto& citation : requirement.citations) {
        cite_once(step.citations, citation);
      }
    }
    if (input.needs->branch_end != nullptr) {
      cite_once(step.citations, checks::cite(input.needs->branch_end->provenance));
    }
  }
  const kb::DriverBranchEnd* branch_end =
      input.needs != nullptr ? input.needs->branch_end : nullptr;
  if (input.platform == Platform::kWsl2) {
    step.title = "Update the Windows NVIDIA driver to >= " + minimum + " (on the Windows side)";
    why.push_back(
        "In WSL2 the GPU driver comes from Windows (mapped into /usr/lib/wsl/lib); install or "
        "update it in Windows from " +
        std::string(checks::kNvidiaDriversUrl) +
        ", and install no Linux NVIDIA driver inside WSL2.");
    cite_statement(step.citations, kb, "wsl_driver_from_windows");
    cite_statement(step.citations, kb, "wsl2_windows_build_minimum");
  } else if (input.platform == Platform::kWindows) {
    step.title = "Install the NVIDIA driver >= " + minimum;
    why.push_back("Download it from " + std::string(checks::kNvidiaDriversUrl) + ".");
    step.reboot = true;
  } else {
    step.reboot = true;
    const auto install = checks::driver_install_for(distribution_of(input.os),
                                                    distribution_version_of(input.os), input.arch);
    step.commands = install.commands;
    if (input.install_branch && branch_end != nullptr) {
      step.title = fmt::format("Install an R{} NVIDIA driver (>= {})",
                               branch_end->last_branch.text(), minimum);
      why.push_back(fmt::format(
          "Driver {} is newer than R{}, the last branch that supports {} GPUs: it does not "
          "drive this GPU at all. Install the newest R{} driver (your distribution's legacy "
          "package, or NVIDIA's from {}).",
          input.current ? input.current->text() : "?", branch_end->last_branch.text(),
          branch_end->architecture, branch_end->last_branch.text(), checks::kNvidiaDriversUrl));
      // A generic command would install a current branch; the legacy one is a manual choice
      // everywhere but Ubuntu, whose ubuntu-drivers picks the branch the GPU supports.
      if (install.via != checks::DriverInstall::Via::kUbuntuDrivers) {
        step.commands.clear();
      }
    } else if (input.current) {
      step.title = fmt::format("Upgrade the NVIDIA driver to >= {} (now {})", minimum,
                               input.current->text());
    } else {
      step.title = "Make sure the NVIDIA driver is >= " + minimum;
      why.push_back(
          "The driver's version was not given: `nvidia-smi` shows it. If it is older or "
          "missing, install one as below.");
    }
    if (branch_end != nullptr && !input.install_branch) {
      why.push_back(
          fmt::format("Stay on R{} or older: it is the last branch that supports {} GPUs.",
                      branch_end->last_branch.text(), branch_end->architecture));
    }
    switch (install.via) {
      case checks::DriverInstall::Via::kUbuntuDrivers:
        why.push_back("ubuntu-drivers installs the branch Ubuntu recommends for this GPU.");
        break;
      case checks::DriverInstall::Via::kDebianNonFree:
        why.push_back("Debian packages the driver in non-free (enable it in APT's sources).");
        break;
      case checks::DriverInstall::Via::kRpmFusion:
        why.push_back("Fedora's driver comes from RPM Fusion (enable its nonfree repository).");
        break;
      case checks::DriverInstall::Via::kNvidiaRhelRepo:
        why.push_back("NVIDIA's CUDA repository for RHEL " + install.rhel_major +
                      " carries the driver.");
        break;
      case checks::DriverInstall::Via::kManual:
        why.push_back("Get it from your distribution or " + std::string(checks::kNvidiaDriversUrl) +
                      ".");
        break;
    }
    why.push_back("Reboot afterwards so the new kernel module is loaded.");
  }
  step.why = join(why, " ");
  return step;
}

model::PlanStep python_step(const Version& python, const Version& given,
                            const kb::TensorflowRelease& release, const kb::AndCudaRoute* route) {
  model::PlanStep step;
  step.id = "python";
  step.title = "Install Python " + major_minor(python);
  const kb::VersionRange& range =
      route != nullptr && route->python ? *route->python : release.python;
  step.why = fmt::format(
      "TensorFlow {} {} Python {} to {}; Python {} is outside that range. Install Python {} "
      "(your distribution's python{} package, pyenv, or python.org) and create the virtual "
      "environment with it.",
      release.line.text(),
      route != nullptr && route->python ? "with its [and-cuda] extra installs on" : "supports",
      range.first.text(), range.last.text(), major_minor(given), major_minor(python),
      major_minor(python));
  step.citations.push_back(checks::cite(release.provenance));
  if (route != nullptr && route->python) {
    step.citations.push_back(checks::cite(route->provenance));
  }
  step.shown_only = true;
  return step;
}

model::PlanStep venv_step(std::string_view venv, const Version& python,
                          const kb::TensorflowRelease& release, const kb::VersionRange& range,
                          std::string_view interpreter) {
  model::PlanStep step;
  step.id = "venv";
  step.title = "Create a virtual environment with Python " + major_minor(python);
  const std::string maker =
      interpreter.empty() ? "python" + major_minor(python) : path_word(interpreter);
  step.commands = {fmt::format("{} -m venv {}", maker, path_word(venv))};
  step.why = fmt::format(
      "TensorFlow {} installs on Python {} to {} here; a virtual environment keeps its packages "
      "(and the CUDA wheels) apart from the system's.",
      release.line.text(), range.first.text(), range.last.text());
  step.citations.push_back(checks::cite(release.provenance));
  return step;
}

model::PlanStep cuda_toolkit_step(const kb::TensorflowRelease& release, std::string_view os,
                                  std::string_view arch, const kb::KnowledgeBase& kb) {
  model::PlanStep step;
  step.id = "cuda_toolkit";
  const std::string cuda = major_minor(release.cuda);
  const std::string package = "cuda-toolkit-" + std::to_string(release.cuda.major()) + "-" +
                              std::to_string(release.cuda.minor());
  step.title = "Install the CUDA " + cuda + " toolkit";
  step.needs_root = true;
  step.shown_only = true;
  std::vector<std::string> why{fmt::format(
      "TensorFlow {} was built with CUDA {} and dlopens that major's libraries by soname",
      release.line.text(), cuda)};
  step.citations.push_back(checks::cite(release.provenance));
  if (const auto* sonames = kb.sonames_for(release.first_version)) {
    auto cudart = sonames->libraries.find("cudart");
    if (cudart != sonames->libraries.end()) {
      why.back() += " (" + cudart->second + ", …)";
    }
    step.citations.push_back(checks::cite(sonames->provenance));
  }
  why.back() += fmt::format("; the toolkit installs them in {}.", toolkit_dir(release.cuda));
  const std::string repo = cuda_repo(os);
  const std::string repo_arch = arch == "aarch64" ? "sbsa" : "x86_64";
  const std::string base =
      "https://developer.download.nvidia.com/compute/cuda/repos/" + repo + "/" + repo_arch + "/";
  if (repo.starts_with("rhel")) {
    step.commands = {"sudo dnf config-manager --add-repo " + base + "cuda-" + repo + ".repo",
                     "sudo dnf install " + package};
  } else if (!repo.empty()) {
    step.commands = {"wget " + base + "cuda-keyring_1.1-1_all.deb",
                     "sudo dpkg -i cuda-keyring_1.1-1_all.deb", "sudo apt-get update",
                     "sudo apt-get install " + package};
  }
  if (step.commands.empty()) {
    why.push_back("Install it from https://developer.nvidia.com/cuda-toolkit-archive (the " +
                  package +
                  " package of NVIDIA's repository for your distribution, or the "
                  "runfile with --toolkit only).");
  } else {
    why.push_back("NVIDIA's repository (" + repo + ") carries it as " + package +
                  "; if it lacks a toolkit this old, use the runfile from "
                  "https://developer.nvidia.com/cuda-toolkit-archive with --toolkit only.");
  }
  if (os == "wsl2") {
    why.push_back("The wsl-ubuntu repository has no driver package, which WSL2 must not get.");
  }
  step.why = join(why, " ");
  return step;
}

model::PlanStep cudnn_step(const kb::TensorflowRelease& release, const kb::KnowledgeBase& kb) {
  model::PlanStep step;
  step.id = "cudnn";
  const std::string cudnn = major_minor(release.cudnn);
  const std::string dir = toolkit_dir(release.cuda);
  step.title =
      "Install cuDNN " + cudnn + " into the CUDA " + major_minor(release.cuda) + " toolkit";
  step.needs_root = true;
  step.shown_only = true;
  step.citations.push_back(checks::cite(release.provenance));
  if (const auto* row = kb.cudnn_for(release.cudnn)) {
    step.citations.push_back(checks::cite(row->provenance));
  }
  cite_statement(step.citations, kb, "cudnn_major_minor_rule");
  const std::string conf =
      fmt::format("/etc/ld.so.conf.d/cuda-{}-{}.conf", release.cuda.major(), release.cuda.minor());
  step.commands = {
      "sudo cp cudnn-*-archive/include/cudnn*.h " + dir + "/include/",
      "sudo cp -P cudnn-*-archive/lib/libcudnn* " + dir + "/lib64/",
      "sudo chmod a+r " + dir + "/include/cudnn*.h " + dir + "/lib64/libcudnn*",
      "echo " + dir + "/lib64 | sudo tee " + conf,
      "sudo ldconfig",
  };
  step.why = fmt::format(
      "TensorFlow {} was built with cuDNN {}: the cuDNN it loads must have major {} and a minor "
      ">= {}. Download the cuDNN {} tar archive for CUDA {} (Linux x86_64) from "
      "https://developer.nvidia.com/cudnn-archive and unpack it (tar -xf) in the folder where "
      "these commands run (it unpacks to cudnn-linux-x86_64-…_cuda{}-archive; older archives "
      "unpack to cuda/ — use that folder then). Headers go into include/, the libraries into "
      "lib64/ with their symlinks preserved (cp -P keeps libcudnn.so.{} a link, not a copy), "
      "readable by all; ldconfig then adds lib64 to the loader's cache, where TensorFlow's "
      "dlopen finds it.",
      release.line.text(), cudnn, release.cudnn.major(), release.cudnn.minor(), cudnn,
      release.cuda.major(), release.cuda.major(), release.cudnn.major());
  return step;
}

model::PlanStep pip_step(std::string_view venv, const std::vector<std::string>& requirements,
                         std::string why, std::vector<model::KbCitation> citations) {
  model::PlanStep step;
  step.id = "pip";
  step.title =
      "Install " + (requirements.empty() ? std::string("TensorFlow") : requirements.front());
  std::string command = venv_python(venv) + " -m pip install";
  for (const auto& requirement : requirements) {
    command += " " + requirement_word(requirement);
  }
  step.commands = {std::move(command)};
  step.why = std::move(why);
  step.citations = std::move(citations);
  return step;
}

model::PlanStep link_libraries_step(std::string_view venv, const Version& python,
                                    const kb::AndCudaRoute& route, const kb::AndCudaExtra* extra,
                                    const kb::KnowledgeBase& kb) {
  model::PlanStep step;
  step.id = "link_libraries";
  step.title = "Make the nvidia-* wheels' libraries reachable from TensorFlow";
  const std::string site = venv_site_packages(venv, python);
  const std::string lines = route.lines.first == route.lines.last
                                ? route.lines.first.text()
                                : route.lines.first.text() + "-" + route.lines.last.text();
  std::string why = fmt::format(
      "TensorFlow {} dlopens its CUDA libraries from libtensorflow_framework.so.2, and glibc "
      "searches only that object's RUNPATH",
      lines);
  // The wheels the extra installs that the RUNPATH does not name, and one it does name: links to
  // the former's libraries inside the latter's lib/ are found without LD_LIBRARY_PATH, whether
  // or not the venv is active.
  std::vector<std::string> missing;
  std::string reached;
  if (extra != nullptr) {
    for (const auto& requirement : extra->requirements) {
      // "nvidia-cusolver-cu12<12.0,>=11.6.3.83" → "cusolver": the wheel's nvidia/<dir>.
      if (!requirement.starts_with("nvidia-")) {
        continue;
      }
      std::string name = requirement.substr(7, requirement.find_first_of(" <>=!(;") - 7);
      const std::size_t flavour = name.rfind("-cu");
      if (flavour != std::string::npos) {
        name.erase(flavour);
      }
      std::replace(name.begin(), name.end(), '-', '_');
      const auto& runpath = extra->loader_runpath_wheels;
      if (std::find(runpath.begin(), runpath.end(), name) == runpath.end()) {
        missing.push_back(name);
      } else if (reached.empty() || name == "cuda_runtime") {
        reached = name;
      }
    }
    why += fmt::format(", which names {} but not {}", join(extra->loader_runpath_wheels, ", "),
                       missing.empty() ? std::string("—") : join(missing, ", "));
    step.citations.push_back(checks::cite(extra->provenance));
  }
  if (!reached.empty() && !missing.empty()) {
    std::string sources;
    for (const auto& name : missing) {
      sources += " ../../" + name + "/lib/*.so*";
    }
    // Some wheels have no lib/ (cuda_nvcc): their pattern stays unexpanded and is skipped.
    step.commands = {"(cd " + site + "/nvidia/" + reached + "/lib && for lib in" + sources +
                     "; do if [ -e \"$lib\" ]; then ln -sf \"$lib\" .; fi; done)"};
    why += fmt::format(
        ". Links to their libraries placed in nvidia/{}/lib, a folder the RUNPATH names, are found "
        "by the loader (TensorFlow's documented workaround links them next to TensorFlow for the "
        "same reason); exporting every nvidia/*/lib in LD_LIBRARY_PATH works too (`tfgpu env` "
        "prints it).",
        reached);
  } else {
    // TensorFlow's documented workaround (tensorflow/docs PR #2299).
    step.commands = {"(cd " + site + "/tensorflow && ln -svf ../nvidia/*/lib/*.so* .)"};
    why +=
        ". TensorFlow's documented workaround links them next to TensorFlow; exporting every "
        "nvidia/*/lib in LD_LIBRARY_PATH works too (`tfgpu env` prints it).";
  }
  why += " Without it TensorFlow logs \"Cannot dlopen some GPU libraries\" and runs on the CPU.";
  step.why = std::move(why);
  step.citations.push_back(checks::cite(route.provenance));
  cite_statement(step.citations, kb, "wheels_unreachable_2_16");
  cite_statement(step.citations, kb, "dlopen_failure_cpu_fallback");
  return step;
}

model::PlanStep link_ptxas_step(std::string_view venv, const Version& python,
                                const kb::AndCudaRoute& route, const kb::KnowledgeBase& kb) {
  model::PlanStep step;
  step.id = "link_ptxas";
  step.title = "Put the nvidia-cuda-nvcc wheel's ptxas on the venv's PATH";
  step.commands = {"ln -sf " + venv_site_packages(venv, python) + "/nvidia/cuda_nvcc/bin/ptxas " +
                   path_word(venv, "bin/ptxas")};
  step.why =
      "XLA compiles kernels with ptxas, and this TensorFlow does not find the wheel's copy by "
      "itself; a ptxas on PATH wins. It is on PATH once the venv is activated (source " +
      path_word(venv, "bin/activate") + ").";
  step.citations.push_back(checks::cite(route.provenance));
  cite_statement(step.citations, kb, "xla_needs_ptxas_libdevice");
  return step;
}

model::PlanStep xla_toolkit_step(std::string_view venv, const kb::TensorflowRelease& release,
                                 const kb::KnowledgeBase& kb) {
  model::PlanStep step;
  step.id = "xla_cuda_dir";
  const std::string dir = toolkit_dir(release.cuda);
  step.title = "Point XLA at the CUDA " + major_minor(release.cuda) + " toolkit";
  step.commands = {"echo 'export XLA_FLAGS=--xla_gpu_cuda_data_dir=" + dir + "' >> " +
                   path_word(venv, "bin/activate")};
  step.why =
      "XLA-compiled code needs ptxas and nvvm/libdevice; XLA_FLAGS=--xla_gpu_cuda_data_dir "
      "makes XLA look in " +
      dir +
      " first, whatever /usr/local/cuda points to. Set in the venv's activate script, it "
      "applies whenever the venv is active.";
  cite_statement(step.citations, kb, "xla_needs_ptxas_libdevice");
  return step;
}

model::PlanStep verify_step(std::string_view venv) {
  model::PlanStep step;
  step.id = "verify";
  step.title = "Verify that TensorFlow uses the GPU";
  step.commands = {"tfgpu verify --python " + venv_python(venv)};
  step.why =
      "Lists the GPUs TensorFlow sees, sets memory growth before initialisation and runs a "
      "matmul pinned to GPU:0 with soft placement off, so a silent CPU fallback shows.";
  return step;
}

}  // namespace tfgpu::plan
