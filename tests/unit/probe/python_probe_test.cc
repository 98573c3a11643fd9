// SPDX-License-Identifier: Apache-2.0
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "elf_builder.h"
#include "temp_tree.h"
#include "tensorflow_fixtures.h"
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {
namespace {

using Strings = std::vector<std::string>;

// RUNPATHs in the shape of TF 2.21's objects: cuSOLVER only in libtensorflow_cc.so.2's.
constexpr const char* kFrameworkRunpath =
    "$ORIGIN/../nvidia/cublas/lib:$ORIGIN/../nvidia/cudnn/lib:$ORIGIN/../nvidia/cuda_runtime/lib:"
    "$ORIGIN/_solib_local/_U_S_Stensorflow:$ORIGIN/../nvidia/cudnn/lib";
constexpr const char* kCcRunpath = "$ORIGIN/../nvidia/cusolver/lib:$ORIGIN/../nvidia/cublas/lib";

std::string metadata(const std::string& name, const std::string& version) {
  return "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n\nbody\n";
}

std::string elf_library(const std::string& soname, const std::string& runpath = "") {
  ElfSpec spec;
  spec.soname = soname;
  if (!runpath.empty()) {
    spec.runpath = runpath;
  }
  return ElfBuilder::build(spec);
}

// A site-packages with TensorFlow `version` of distribution `dist` ("tensorflow").
void install_tensorflow(const TempTree& tree, const std::string& site,
                        const std::string& dist = "tensorflow",
                        const std::string& version = "2.21.0") {
  std::string dir_name = dist;
  std::replace(dir_name.begin(), dir_name.end(), '-', '_');
  tree.write(site + "/" + dir_name + "-" + version + ".dist-info/METADATA",
             metadata(dist, version));
  tree.write(site + "/tensorflow/python/platform/build_info.py", kTf221BuildInfo);
  tree.write(site + "/tensorflow/libtensorflow_framework.so.2",
             elf_library("libtensorflow_framework.so.2", kFrameworkRunpath));
  tree.write(site + "/tensorflow/libtensorflow_cc.so.2",
             elf_library("libtensorflow_cc.so.2", kCcRunpath));
}

void make_venv(const TempTree& tree, const std::string& prefix, const std::string& version) {
  tree.write("/usr/bin/python3.11", "");
  tree.write(prefix + "/pyvenv.cfg",
             "home = /usr/bin\ninclude-system-site-packages = false\nversion = " + version + "\n");
  tree.symlink("/usr/bin/python3.11", prefix + "/bin/python3");
  tree.symlink("python3", prefix + "/bin/python");
  tree.mkdir(prefix + "/lib/python3.11/site-packages");
  tree.symlink("lib", prefix + "/lib64");
}

struct Probed {
  model::Facts facts;

  const model::PythonEnv* env(const std::string& prefix) const {
    for (const auto& env : facts.python_envs) {
      if (env.prefix == prefix) {
        return &env;
      }
    }
    return nullptr;
  }

  bool has_problem(const std::string& fragment) const {
    return std::any_of(facts.problems.begin(), facts.problems.end(), [&](const auto& problem) {
      return problem.probe == "python" && problem.error.find(fragment) != std::string::npos;
    });
  }
};

Probed probe(const std::string& root, Environment env, Strings extra_pythons = {}) {
  ProbeOptions options;
  options.root = root;
  options.environment = std::move(env);
  options.extra_pythons = std::move(extra_pythons);
  options.run_live_checks = false;
  SysRoot sysroot(options.root);
  ProbeContext context{sysroot, options.environment, options};
  Probed probed;
  probe_python(context, probed.facts);
  return probed;
}

Strings package_names(const model::PythonEnv& env) {
  Strings names;
  for (const auto& package : env.packages) {
    names.push_back(package.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

const model::LibraryResolution* library(const model::PythonEnv& env, const std::string& family) {
  for (const auto& resolution : env.libraries) {
    if (resolution.family == family) {
      return &resolution;
    }
  }
  return nullptr;
}

bool contains(const Strings& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

const std::string kVenv = "/home/u/venv";
const std::string kVenvSite = kVenv + "/lib/python3.11/site-packages";

TEST(PythonProbeTest, VenvWithTensorflowAndCudaWheels) {
  TempTree tree;
  make_venv(tree, kVenv, "3.11.7");
  install_tensorflow(tree, kVenvSite);
  tree.write(kVenvSite + "/nvidia_cudnn_cu12-9.3.0.75.dist-info/METADATA",
             metadata("nvidia-cudnn-cu12", "9.3.0.75"));
  tree.write(kVenvSite + "/nvidia_cudnn_cu12-9.3.0.75.dist-info/RECORD",
             "nvidia/cudnn/lib/libcudnn.so.9,sha256=abc,1\n");
  tree.write(kVenvSite + "/nvidia/cudnn/lib/libcudnn.so.9", elf_library("libcudnn.so.9"));
  tree.write(kVenvSite + "/nvidia/cusolver/lib/libcusolver.so.11",
             elf_library("libcusolver.so.11"));
  tree.write(kVenvSite + "/numpy-2.0.0.dist-info/METADATA", metadata("numpy", "2.0.0"));
  tree.symlink("python3.11", "/usr/bin/python3");
  auto probed = probe(tree.root(), {{"VIRTUAL_ENV", kVenv}, {"PATH", kVenv + "/bin:/usr/bin"}});

  ASSERT_EQ(probed.facts.python_envs.size(), 2u);  // the venv and /usr (via /usr/bin/python3.11)
  const model::PythonEnv* env = probed.env(kVenv);
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env->kind, "venv");
  EXPECT_EQ(env->found_via, (Strings{"VIRTUAL_ENV", "python3 on PATH", "python on PATH"}));
  EXPECT_EQ(env->interpreter, kVenv + "/bin/python3");
  EXPECT_EQ(env->python_version.value_or(Version()).text(), "3.11.7");
  EXPECT_EQ(env->site_packages, Strings{kVenvSite});  // lib64 -> lib counted once
  EXPECT_EQ(package_names(*env), (Strings{"nvidia-cudnn-cu12", "tensorflow"}));  // no numpy

  ASSERT_EQ(env->tensorflow.size(), 1u);
  const model::TensorflowInstall& tf = env->tensorflow[0];
  EXPECT_EQ(tf.package, "tensorflow");
  EXPECT_EQ(tf.version.value_or(Version()).text(), "2.21.0");
  EXPECT_EQ(tf.location, kVenvSite + "/tensorflow");
  EXPECT_EQ(tf.build_info.cuda_version.value_or(Version()).text(), "12.5.1");
  EXPECT_EQ(tf.build_info.cudnn_version.value_or(Version()).major(), 9);
  EXPECT_EQ(tf.loader_object.value_or(""), kVenvSite + "/tensorflow/libtensorflow_framework.so.2");
  EXPECT_TRUE(contains(tf.runpath, "$ORIGIN/../nvidia/cudnn/lib"));
  EXPECT_EQ(std::count(tf.runpath.begin(), tf.runpath.end(), "$ORIGIN/../nvidia/cudnn/lib"), 1);
  EXPECT_EQ(tf.cc_object, kVenvSite + "/tensorflow/libtensorflow_cc.so.2");
  EXPECT_TRUE(contains(tf.cc_runpath, "$ORIGIN/../nvidia/cusolver/lib"));

  const model::LibraryResolution* cudnn = library(*env, "cudnn");
  ASSERT_NE(cudnn, nullptr);
  EXPECT_EQ(cudnn->soname, "libcudnn.so.9");
  EXPECT_EQ(cudnn->path.value_or(""), kVenvSite + "/nvidia/cudnn/lib/libcudnn.so.9");
  EXPECT_EQ(cudnn->wheel, "nvidia-cudnn-cu12");
  // cuSOLVER's entry is only in libtensorflow_cc.so.2's RUNPATH, which TensorFlow's dlopen (from
  // the framework's DsoLoader) does not search: not found, as TensorFlow's own loader finds.
  const model::LibraryResolution* cusolver = library(*env, "cusolver");
  ASSERT_NE(cusolver, nullptr);
  EXPECT_FALSE(cusolver->path.is_present());
  for (const auto& candidate : cusolver->candidates) {
    EXPECT_EQ(candidate.path.find("/nvidia/cusolver/lib"), std::string::npos) << candidate.path;
  }
  const model::LibraryResolution* cufft = library(*env, "cufft");
  ASSERT_NE(cufft, nullptr);
  EXPECT_FALSE(cufft->path.is_present());

  const model::PythonEnv* system = probed.env("/usr");
  ASSERT_NE(system, nullptr);
  EXPECT_EQ(system->kind, "system");
  EXPECT_EQ(system->found_via, Strings{"system interpreter"});
  EXPECT_TRUE(system->tensorflow.empty());
  EXPECT_TRUE(probed.facts.problems.empty()) << probed.facts.problems[0].error;
}

// The record `tfgpu install` keeps in a venv: an unfinished one names the step that did not
// finish; a broken one is a problem of its own, never skipped; none at all is no mark.
TEST(PythonProbeTest, ReadsTheRecordOfATfgpuInstall) {
  TempTree tree;
  make_venv(tree, kVenv, "3.11.7");
  const Environment env{{"VIRTUAL_ENV", kVenv}, {"HOME", "/home/u"}, {"PATH", "/usr/bin"}};
  EXPECT_FALSE(probe(tree.root(), env).env(kVenv)->tfgpu_install.has_value());

  tree.write(kVenv + "/.tfgpu-install.json", R"json({"schema": "tfgpu.install-record/1",
    "tool_version": "0.1.0", "venv": "/home/u/venv", "tensorflow": "2.21.0",
    "started_at": "2026-11-26T18:00:00Z", "updated_at": "2026-11-26T18:01:00Z", "complete": false,
    "steps": [
      {"id": "venv", "commands": ["python3.11 -m venv /home/u/venv"], "state": "done",
       "detail": "", "finished_at": "2026-11-26T18:00:05Z"},
      {"id": "pip", "commands": ["/home/u/venv/bin/python -m pip install x"], "state": "failed",
       "detail": "interrupted (SIGINT)", "finished_at": "2026-11-26T18:01:00Z"}]})json");
  auto probed = probe(tree.root(), env);
  ASSERT_TRUE(probed.env(kVenv)->tfgpu_install.has_value());
  const auto& mark = *probed.env(kVenv)->tfgpu_install;
  EXPECT_FALSE(mark.complete);
  EXPECT_EQ(mark.tensorflow, "2.21.0");
  EXPECT_EQ(mark.unfinished_step, "pip");
  EXPECT_EQ(mark.detail, "interrupted (SIGINT)");
  EXPECT_EQ(mark.source, kVenv + "/.tfgpu-install.json");
  EXPECT_TRUE(mark.problem.empty());

  tree.write(kVenv + "/.tfgpu-install.json", "{\"schema\": \"tfgpu.inst");
  probed = probe(tree.root(), env);
  ASSERT_TRUE(probed.env(kVenv)->tfgpu_install.has_value());
  EXPECT_EQ(probed.env(kVenv)->tfgpu_install->problem, "not JSON");
}

TEST(PythonProbeTest, NoEnvironmentsOnABareRoot) {
  TempTree tree;
  auto probed = probe(tree.root(), {{"HOME", "/home/u"}, {"PATH", "/usr/bin"}});
  EXPECT_TRUE(probed.facts.python_envs.empty());
  EXPECT_TRUE(probed.facts.problems.empty());
}

TEST(PythonProbeTest, AnOutOfRangePythonFolderIsNoVersionNotACrash) {
  TempTree tree;
  tree.write(kVenv + "/pyvenv.cfg", "home = /usr/bin\n");
  tree.mkdir(kVenv + "/lib/python99999999999.1/site-packages");
  auto probed = probe(tree.root(), {{"HOME", "/home/u"}, {"VIRTUAL_ENV", kVenv}});
  ASSERT_EQ(probed.facts.python_envs.size(), 1U);
  EXPECT_EQ(probed.facts.python_envs[0].python_version.presence, model::Presence::kUnknown);
}

TEST(PythonProbeTest, CondaBaseAndEnvs) {
  TempTree tree;
  const std::string base = "/home/u/miniconda3";
  const std::string tf_env = base + "/envs/tf";
  tree.write(base + "/conda-meta/python-3.12.1-h1_0.json", "{}");
  tree.write(base + "/conda-meta/python-dateutil-2.8.2-pyhd_0.json", "{}");
  tree.write(base + "/bin/python3", "");
  tree.mkdir(base + "/lib/python3.12/site-packages");
  tree.write(tf_env + "/conda-meta/python-3.10.4-h2_0.json", "{}");
  tree.write(tf_env + "/bin/python3", "");
  install_tensorflow(tree, tf_env + "/lib/python3.10/site-packages", "tensorflow-cpu", "2.15.0");
  tree.write("/home/u/.conda/environments.txt", base + "\n" + tf_env + "\n/nonexistent\n");
  auto probed = probe(tree.root(), {{"HOME", "/home/u"}, {"CONDA_PREFIX", tf_env}});

  ASSERT_EQ(probed.facts.python_envs.size(), 2u);
  const model::PythonEnv* env = probed.env(tf_env);
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env->kind, "conda");
  EXPECT_EQ(env->found_via,
            (Strings{"CONDA_PREFIX", "conda envs " + base + "/envs", "~/.conda/environments.txt"}));
  EXPECT_EQ(env->python_version.value_or(Version()).text(), "3.10.4");
  ASSERT_EQ(env->tensorflow.size(), 1u);
  EXPECT_EQ(env->tensorflow[0].package, "tensorflow-cpu");
  const model::PythonEnv* base_env = probed.env(base);
  ASSERT_NE(base_env, nullptr);
  EXPECT_EQ(base_env->kind, "conda");
  EXPECT_EQ(base_env->python_version.value_or(Version()).text(), "3.12.1");
  EXPECT_TRUE(base_env->tensorflow.empty());
}

TEST(PythonProbeTest, PyenvShimFollowsTheSelectedVersion) {
  TempTree tree;
  const std::string version_dir = "/home/u/.pyenv/versions/3.11.7";
  tree.write(version_dir + "/bin/python3.11", "");
  tree.symlink("python3.11", version_dir + "/bin/python3");
  install_tensorflow(tree, version_dir + "/lib/python3.11/site-packages");
  tree.write("/home/u/.pyenv/versions/3.10.0/bin/python3", "");
  tree.write("/home/u/.pyenv/shims/python3",
             "#!/usr/bin/env bash\nset -e\nexec \"/home/u/.pyenv/libexec/pyenv\" exec "
             "\"$program\" \"$@\"\n");
  tree.write("/home/u/.pyenv/version", "3.11.7\n");
  auto probed = probe(tree.root(), {{"HOME", "/home/u"}, {"PATH", "/home/u/.pyenv/shims"}});

  ASSERT_EQ(probed.facts.python_envs.size(), 2u);
  const model::PythonEnv* env = probed.env(version_dir);
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env->kind, "pyenv");
  EXPECT_EQ(env->found_via, (Strings{"python3 on PATH (pyenv shim)", "pyenv versions"}));
  EXPECT_EQ(env->python_version.value_or(Version()).text(), "3.11.7");
  EXPECT_EQ(env->tensorflow.size(), 1u);
  const model::PythonEnv* other = probed.env("/home/u/.pyenv/versions/3.10.0");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->found_via, Strings{"pyenv versions"});  // not selected by the shim

  // PYENV_VERSION overrides the version file.
  auto overridden =
      probe(tree.root(),
            {{"HOME", "/home/u"}, {"PATH", "/home/u/.pyenv/shims"}, {"PYENV_VERSION", "3.10.0"}});
  ASSERT_NE(overridden.env("/home/u/.pyenv/versions/3.10.0"), nullptr);
  EXPECT_TRUE(contains(overridden.env("/home/u/.pyenv/versions/3.10.0")->found_via,
                       "python3 on PATH (pyenv shim)"));
}

TEST(PythonProbeTest, DebianSystemPythonAndUserSite) {
  TempTree tree;
  tree.write("/usr/bin/python3.11", "");
  tree.symlink("python3.11", "/usr/bin/python3");
  tree.mkdir("/usr/lib/python3.11");
  tree.mkdir("/usr/lib/python3/dist-packages");
  install_tensorflow(tree, "/usr/local/lib/python3.11/dist-packages", "tensorflow", "2.16.1");
  tree.write("/home/u/.local/lib/python3.11/site-packages/keras-3.3.3.dist-info/METADATA",
             metadata("keras", "3.3.3"));
  auto probed = probe(tree.root(), {{"HOME", "/home/u"}, {"PATH", "/usr/local/bin:/usr/bin"}});

  ASSERT_EQ(probed.facts.python_envs.size(), 1u);
  const model::PythonEnv& env = probed.facts.python_envs[0];
  EXPECT_EQ(env.prefix, "/usr");
  EXPECT_EQ(env.kind, "system");
  EXPECT_EQ(env.found_via, (Strings{"python3 on PATH", "system interpreter"}));
  EXPECT_EQ(env.python_version.value_or(Version()).text(), "3.11");
  EXPECT_EQ(env.site_packages,
            (Strings{"/usr/lib/python3/dist-packages", "/usr/local/lib/python3.11/dist-packages",
                     "/home/u/.local/lib/python3.11/site-packages"}));
  EXPECT_EQ(package_names(env), (Strings{"keras", "tensorflow"}));
  ASSERT_EQ(env.tensorflow.size(), 1u);
  EXPECT_EQ(env.tensorflow[0].location, "/usr/local/lib/python3.11/dist-packages/tensorflow");
}

TEST(PythonProbeTest, TensorflowAndTensorflowCpuBothInstalled) {
  TempTree tree;
  make_venv(tree, kVenv, "3.11.7");
  install_tensorflow(tree, kVenvSite, "tensorflow", "2.15.0");
  install_tensorflow(tree, kVenvSite, "tensorflow-cpu", "2.15.1");
  auto probed = probe(tree.root(), {{"VIRTUAL_ENV", kVenv}});
  const model::PythonEnv* env = probed.env(kVenv);
  ASSERT_NE(env, nullptr);
  ASSERT_EQ(env->tensorflow.size(), 2u);
  EXPECT_EQ(env->tensorflow[0].package, "tensorflow");
  EXPECT_EQ(env->tensorflow[1].package, "tensorflow-cpu");
  EXPECT_EQ(env->tensorflow[1].version.value_or(Version()).text(), "2.15.1");
  EXPECT_EQ(env->tensorflow[0].location, env->tensorflow[1].location);  // one shared directory
}

TEST(PythonProbeTest, BrokenMetadataIsAProblemAndTheProbeContinues) {
  TempTree tree;
  make_venv(tree, kVenv, "3.11.7");
  install_tensorflow(tree, kVenvSite);
  tree.write(kVenvSite + "/nvidia_cudnn_cu12-9.1.0.70.dist-info/METADATA", "\x7f garbage\n");
  tree.write(kVenvSite + "/tensorflow/python/platform/build_info.py", "print('no build info')\n");
  auto probed = probe(tree.root(), {{"VIRTUAL_ENV", kVenv}});
  const model::PythonEnv* env = probed.env(kVenv);
  ASSERT_NE(env, nullptr);
  EXPECT_TRUE(probed.has_problem("nvidia_cudnn_cu12-9.1.0.70.dist-info/METADATA"));
  EXPECT_EQ(package_names(*env), (Strings{"nvidia-cudnn-cu12", "tensorflow"}));
  EXPECT_EQ(env->packages[0].version, "9.1.0.70");  // from the directory name
  ASSERT_EQ(env->tensorflow.size(), 1u);
  EXPECT_EQ(env->tensorflow[0].build_info.cuda_version.presence, model::Presence::kUnknown);
  EXPECT_TRUE(probed.has_problem("build_info.py"));
  EXPECT_TRUE(env->libraries.empty());  // no CUDA version, nothing to resolve
}

TEST(PythonProbeTest, SymlinkLoopsAreProblemsNotHangs) {
  TempTree tree;
  make_venv(tree, kVenv, "3.11.7");
  install_tensorflow(tree, kVenvSite);
  tree.symlink("nvidia_loop_cu12-1.0.dist-info", kVenvSite + "/nvidia_loop_cu12-1.0.dist-info");
  tree.symlink("/loop/b", "/loop/a");
  tree.symlink("/loop/a", "/loop/b");
  auto probed = probe(tree.root(), {{"VIRTUAL_ENV", kVenv}}, {"/loop/a"});
  const model::PythonEnv* env = probed.env(kVenv);
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env->tensorflow.size(), 1u);
  EXPECT_TRUE(contains(package_names(*env), "nvidia-loop-cu12"));
  EXPECT_TRUE(probed.has_problem("nvidia_loop_cu12-1.0.dist-info"));
  EXPECT_TRUE(probed.has_problem("--python /loop/a"));
}

TEST(PythonProbeTest, UnreadableSitePackagesIsAProblem) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root: permission bits do not stop root";
  }
  TempTree tree;
  make_venv(tree, kVenv, "3.11.7");
  install_tensorflow(tree, kVenvSite);
  ::chmod(tree.host(kVenvSite).c_str(), 0);
  auto probed = probe(tree.root(), {{"VIRTUAL_ENV", kVenv}});
  ASSERT_NE(probed.env(kVenv), nullptr);
  EXPECT_TRUE(probed.env(kVenv)->tensorflow.empty());
  EXPECT_TRUE(probed.has_problem("site-packages"));
}

TEST(PythonProbeTest, ExtraPythonsAcceptInterpretersAndDirectories) {
  TempTree tree;
  make_venv(tree, "/opt/a", "3.11.2");
  make_venv(tree, "/opt/b", "3.11.3");
  tree.write("/home/u/.virtualenvs/w/pyvenv.cfg", "version_info = 3.11.4.final.0\n");
  tree.write("/home/u/.virtualenvs/w/bin/python3", "");
  auto probed =
      probe(tree.root(), {{"HOME", "/home/u"}}, {"/opt/a/bin/python", "/opt/b", "/missing"});
  ASSERT_NE(probed.env("/opt/a"), nullptr);
  EXPECT_EQ(probed.env("/opt/a")->found_via, Strings{"--python"});
  EXPECT_EQ(probed.env("/opt/a")->interpreter, "/opt/a/bin/python");
  ASSERT_NE(probed.env("/opt/b"), nullptr);
  EXPECT_EQ(probed.env("/opt/b")->python_version.value_or(Version()).text(), "3.11.3");
  const model::PythonEnv* wrapper = probed.env("/home/u/.virtualenvs/w");
  ASSERT_NE(wrapper, nullptr);
  EXPECT_EQ(wrapper->kind, "virtualenvwrapper");
  EXPECT_EQ(wrapper->python_version.value_or(Version()).text(), "3.11.4");
  EXPECT_TRUE(probed.has_problem("--python /missing"));
}

// The real tensorflow[and-cuda]==2.21.0 venv of the development machine (TFGPU_TF_VENV).
TEST(PythonProbeTest, RealTensorflow221Venv) {
  const char* override_path = ::getenv("TFGPU_TF_VENV");
  const std::string venv =
      override_path != nullptr ? override_path : "/root/.cache/tfgpu/tf-2.21.0";
  struct stat info;
  if (::stat((venv + "/pyvenv.cfg").c_str(), &info) != 0) {
    GTEST_SKIP() << "no TensorFlow venv at " << venv << " (set TFGPU_TF_VENV)";
  }
  auto probed = probe("/", {}, {venv});
  const model::PythonEnv* env = probed.env(venv);
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env->kind, "venv");
  ASSERT_EQ(env->tensorflow.size(), 1u);
  const model::TensorflowInstall& tf = env->tensorflow[0];
  EXPECT_EQ(tf.version.value_or(Version()).text(), "2.21.0");
  EXPECT_TRUE(tf.build_info.is_cuda_build.value_or(false));
  EXPECT_EQ(tf.build_info.cuda_version.value_or(Version()).text(), "12.5.1");
  EXPECT_EQ(tf.build_info.cudnn_version.value_or(Version()).text(), "9");
  EXPECT_EQ(tf.build_info.cuda_compute_capabilities.value_or({}),
            (Strings{"sm_60", "sm_70", "sm_80", "sm_89", "compute_90"}));
  EXPECT_TRUE(contains(package_names(*env), "nvidia-cudnn-cu12"));
  EXPECT_TRUE(contains(tf.runpath, "$ORIGIN/../nvidia/cudnn/lib"));
  EXPECT_TRUE(contains(tf.cc_runpath, "$ORIGIN/../nvidia/cusolver/lib"));
  const model::LibraryResolution* cudnn = library(*env, "cudnn");
  ASSERT_NE(cudnn, nullptr);
  EXPECT_NE(cudnn->path.value_or("").find("/site-packages/nvidia/cudnn/lib/libcudnn.so.9"),
            std::string::npos);
  // The real 2.21.0 framework's RUNPATH has no cuSOLVER entry; TensorFlow's own DsoLoader fails
  // to load libcusolver.so.11 in this venv too (tests/integration/check_tf_dso_loader.py).
  const model::LibraryResolution* cusolver = library(*env, "cusolver");
  ASSERT_NE(cusolver, nullptr);
  EXPECT_EQ(cusolver->path.value_or("").find("/nvidia/cusolver/lib/libcusolver.so.11"),
            std::string::npos);
  EXPECT_TRUE(probed.facts.problems.empty()) << probed.facts.problems[0].error;
}

}  // namespace
}  // namespace tfgpu::probe
