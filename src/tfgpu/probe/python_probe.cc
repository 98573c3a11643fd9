// SPDX-License-Identifier: Apache-2.0
// Python probe: every Python environment the user might run TensorFlow from, found WITHOUT
// running Python (a broken or hostile interpreter must not run in a diagnosis), and in each the
// TensorFlow distribution, its build facts and where its loader object would find each CUDA
// library.
//
// Where environments come from: --python, VIRTUAL_ENV, CONDA_PREFIX, python3/python on PATH
// (pyenv shims are shell scripts: they name no interpreter, so the selected pyenv version is read
// from PYENV_VERSION or $PYENV_ROOT/version), pyenv versions, conda bases and their envs/
// (plus ~/.conda/environments.txt, which conda maintains), and virtualenvwrapper's WORKON_HOME.
// Environments are merged by the real path of their prefix.
//
// Why the loader object: TensorFlow dlopens CUDA libraries by soname from TSL's dso_loader.cc,
// which is linked into libtensorflow_framework.so.2, and glibc uses the calling object's
// DT_RUNPATH (shared/reference/tensorflow-internals.md §2.1) — only that object's. In TF 2.21 the
// cuSOLVER entry is in libtensorflow_cc.so.2's RUNPATH only, and TensorFlow's own loader indeed
// fails to find libcusolver.so.11 there (measured: tests/integration/check_tf_dso_loader.py), so
// libtensorflow_cc.so.2 is recorded but is not a requester (docs/tensorflow-wheel.md).
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/model/install.h"
#include "tfgpu/model/install_json.h"
#include "tfgpu/probe/build_info.h"
#include "tfgpu/probe/cuda_sonames.h"
#include "tfgpu/probe/dist_metadata.h"
#include "tfgpu/probe/elf_reader.h"
#include "tfgpu/probe/library_resolver.h"
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {
namespace {

using model::Observed;

constexpr const char* kProbeName = "python";

// TensorFlow distributions: each installs the same top-level `tensorflow` package (setup.py's
// project_name; shared/reference/tensorflow-internals.md §3.2).
constexpr std::string_view kTensorflowDistributions[] = {
    "tensorflow",        "tensorflow-cpu",  "tensorflow-gpu",   "tensorflow-intel",
    "tf-nightly",        "tf-nightly-gpu",  "tf-nightly-cpu",   "tf-nightly-intel",
    "tensorflow-macos",  "tensorflow-rocm", "intel-tensorflow", "tensorflow-cpu-aws",
    "tensorflow-aarch64"};

// Other distributions that matter to TensorFlow on GPUs (conflicting CUDA wheels, Keras).
constexpr std::string_view kRelevantDistributions[] = {
    "keras", "keras-nightly", "tf-keras", "tensorflow-metal", "jax", "jaxlib", "torch"};

constexpr std::string_view kRelevantPrefixes[] = {"nvidia-", "tensorrt", "tensorflow-io",
                                                  "jax-cuda"};

constexpr std::size_t kMaxMetadataBytes = 4u << 20;
constexpr std::size_t kMaxConfigBytes = 64u << 10;

bool is_tensorflow_distribution(std::string_view name) {
  return std::find(std::begin(kTensorflowDistributions), std::end(kTensorflowDistributions),
                   name) != std::end(kTensorflowDistributions);
}

bool is_relevant_distribution(std::string_view name) {
  if (is_tensorflow_distribution(name) ||
      std::find(std::begin(kRelevantDistributions), std::end(kRelevantDistributions), name) !=
          std::end(kRelevantDistributions)) {
    return true;
  }
  return std::any_of(std::begin(kRelevantPrefixes), std::end(kRelevantPrefixes),
                     [&](std::string_view prefix) { return name.starts_with(prefix); });
}

// "python3.11" -> "3.11"; "python3" -> "3"; anything else -> "".
std::string python_dir_version(std::string_view name) {
  if (!name.starts_with("python") || name.size() == 6) {
    return {};
  }
  std::string_view rest = name.substr(6);
  for (char c : rest) {
    if (!((c >= '0' && c <= '9') || c == '.')) {
      return {};
    }
  }
  return rest.front() == '.' ? std::string() : std::string(rest);
}

// The leading "3.11.7" of "3.11.7", "3.11.7.final.0" or "3.11.7-h955ad1f_0".
std::optional<Version> leading_version(std::string_view text) {
  std::size_t end = 0;
  while (end < text.size() && ((text[end] >= '0' && text[end] <= '9') || text[end] == '.')) {
    ++end;
  }
  std::string_view digits = text.substr(0, end);
  while (!digits.empty() && digits.back() == '.') {
    digits.remove_suffix(1);
  }
  for (std::size_t dots = 0, i = 0; i < digits.size(); ++i) {  // keep major.minor.micro
    if (digits[i] == '.' && ++dots == 3) {
      digits = digits.substr(0, i);
      break;
    }
  }
  return digits.empty() ? std::nullopt : Version::parse(digits);
}

// pyvenv.cfg: "key = value" lines (CPython Lib/venv/__init__.py, virtualenv's creator).
std::map<std::string, std::string> parse_pyvenv_cfg(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : split_lines(text)) {
    const std::size_t equals = line.find('=');
    if (equals != std::string_view::npos) {
      out[to_lower(trim(line.substr(0, equals)))] = std::string(trim(line.substr(equals + 1)));
    }
  }
  return out;
}

class PythonProbe {
 public:
  PythonProbe(const ProbeContext& context, model::Facts& facts)
      : context_(context), root_(context.root), facts_(facts), home_(context.env("HOME")) {
    pyenv_root_ = context.env("PYENV_ROOT");
    if (pyenv_root_.empty() && !home_.empty()) {
      pyenv_root_ = join_path(home_, ".pyenv");
    }
    workon_home_ = context.env("WORKON_HOME");
    if (workon_home_.empty() && !home_.empty()) {
      workon_home_ = join_path(home_, ".virtualenvs");
    }
  }

  void run() {
    discover();
    LibraryResolver resolver(root_, context_.environment);
    for (auto& env : envs_) {
      fill(env, resolver);
    }
    for (const Error& error : resolver.problems()) {
      add_problem(facts_, kProbeName, error);
    }
    for (auto& env : envs_) {
      facts_.python_envs.push_back(std::move(env));
    }
  }

 private:
  void problem(const Error& error) { add_problem(facts_, kProbeName, error); }

  // ---- discovery ---------------------------------------------------------------------------

  void discover() {
    for (const std::string& path : context_.options.extra_pythons) {
      auto status = root_.status(path);
      if (!status) {
        problem(status.error().with_context("--python " + path));
      } else if (status->type == FileType::kDirectory) {
        add_env_dir(path, "--python");
      } else {
        add_interpreter(path, "--python");
      }
    }
    if (const std::string venv = context_.env("VIRTUAL_ENV"); !venv.empty()) {
      add_env_dir(venv, "VIRTUAL_ENV");
    }
    if (const std::string conda = context_.env("CONDA_PREFIX"); !conda.empty()) {
      add_env_dir(conda, "CONDA_PREFIX");
    }
    discover_path();
    discover_pyenv();
    discover_conda();
    discover_children(workon_home_, "virtualenvwrapper WORKON_HOME");
    for (const char* system : {"/usr/bin/python3", "/usr/local/bin/python3"}) {
      if (root_.exists(system)) {
        add_interpreter(system, "system interpreter");
      }
    }
  }

  // The first python3 and the first python on PATH: what `python3`/`python` run.
  void discover_path() {
    const std::string path_variable = context_.env("PATH");
    for (const char* name : {"python3", "python"}) {
      for (std::string_view dir : split(path_variable, ':')) {
        if (!dir.starts_with('/')) {
          continue;
        }
        const std::string path = join_path(dir, name);
        auto status = root_.status(path);
        if (status && status->type == FileType::kRegular) {
          add_interpreter(path, std::string(name) + " on PATH");
          break;
        }
      }
    }
  }

  void discover_pyenv() {
    if (pyenv_root_.empty()) {
      return;
    }
    const std::string versions = join_path(pyenv_root_, "versions");
    discover_children(versions, "pyenv versions");
    // pyenv-virtualenv keeps its venvs in versions/<version>/envs/<name>.
    if (auto names = root_.list_directory(versions)) {
      for (const std::string& name : *names) {
        const std::string envs = join_path(join_path(versions, name), "envs");
        if (root_.is_directory(envs)) {
          discover_children(envs, "pyenv-virtualenv");
        }
      }
    }
  }

  void discover_conda() {
    std::vector<std::string> bases;
    if (!home_.empty()) {
      for (const char* name :
           {"miniconda3", "anaconda3", "miniforge3", "mambaforge", "micromamba", ".conda"}) {
        bases.push_back(join_path(home_, name));
      }
    }
    for (const char* base :
         {"/opt/conda", "/opt/miniconda3", "/opt/anaconda3", "/opt/miniforge3"}) {
      bases.emplace_back(base);
    }
    for (const std::string& base : bases) {
      if (root_.is_directory(join_path(base, "conda-meta"))) {
        add_env_dir(base, "conda base " + base);
      }
      discover_children(join_path(base, "envs"), "conda envs " + join_path(base, "envs"));
    }
    // conda records every environment it creates, wherever it lives.
    if (!home_.empty()) {
      const std::string list = join_path(home_, ".conda/environments.txt");
      if (auto text = root_.read_file(list, kMaxConfigBytes)) {
        for (std::string_view line : split_lines(*text)) {
          line = trim(line);
          if (line.starts_with('/') && root_.is_directory(line)) {
            add_env_dir(std::string(line), "~/.conda/environments.txt");
          }
        }
      }
    }
  }

  // Every directory under `parent` that looks like an environment (has bin/python*).
  void discover_children(const std::string& parent, const std::string& reason) {
    if (parent.empty() || !root_.is_directory(parent)) {
      return;
    }
    auto names = root_.list_directory(parent);
    if (!names) {
      problem(names.error().with_context("listing Python environments"));
      return;
    }
    for (const std::string& name : *names) {
      const std::string dir = join_path(parent, name);
      if (root_.is_directory(dir) && !interpreter_in(dir).empty()) {
        add_env_dir(dir, reason);
      }
    }
  }

  std::string interpreter_in(const std::string& prefix) const {
    for (const char* name : {"bin/python3", "bin/python"}) {
      const std::string path = join_path(prefix, name);
      if (root_.exists(path)) {
        return path;
      }
    }
    return {};
  }

  // `path` is a pyenv shim (a shell script that runs `pyenv exec`): the pyenv versions it selects.
  std::optional<std::vector<std::string>> pyenv_shim_versions(const std::string& path) {
    if (parent_path(path).find("/shims") == std::string::npos) {
      return std::nullopt;
    }
    auto head = root_.read_head(path, 4096);
    if (!head || !head->starts_with("#!") || head->find("pyenv") == std::string::npos) {
      return std::nullopt;
    }
    // pyenv version-name: PYENV_VERSION, else .python-version (per directory: not known here),
    // else $PYENV_ROOT/version; several versions may be listed, separated by ':' or newlines.
    std::string selection = context_.env("PYENV_VERSION");
    std::string shim_root = parent_path(parent_path(path));
    if (selection.empty()) {
      if (auto text = root_.read_file(join_path(shim_root, "version"), kMaxConfigBytes)) {
        selection = *text;
      }
    }
    std::vector<std::string> versions;
    std::replace(selection.begin(), selection.end(), '\n', ':');
    for (std::string_view name : split(selection, ':')) {
      name = trim(name);
      if (!name.empty() && !name.starts_with('#') && name != "system") {
        versions.push_back(join_path(join_path(shim_root, "versions"), name));
      }
    }
    return versions;
  }

  void add_interpreter(const std::string& path, const std::string& reason) {
    if (auto versions = pyenv_shim_versions(path)) {
      for (const std::string& version : *versions) {
        if (root_.is_directory(version)) {
          add_prefix(version, interpreter_in(version), reason + " (pyenv shim)");
        }
      }
      return;
    }
    // A venv's bin/python3 is a symlink to the base interpreter: look for pyvenv.cfg before
    // resolving links, or the venv would be lost.
    const std::string bin = parent_path(normalize_path(path));
    if (base_name(bin) == "bin" && root_.exists(join_path(parent_path(bin), "pyvenv.cfg"))) {
      add_prefix(parent_path(bin), path, reason);
      return;
    }
    auto real = root_.real_path(path);
    if (!real) {
      problem(real.error().with_context("resolving " + reason + " " + path));
      return;
    }
    // /usr/bin/python3 -> /usr/bin/python3.11: prefix /usr. An interpreter outside a bin/
    // directory (unusual) has its own directory as prefix.
    const std::string real_bin = parent_path(*real);
    add_prefix(base_name(real_bin) == "bin" ? parent_path(real_bin) : real_bin, path, reason);
  }

  void add_env_dir(const std::string& dir, const std::string& reason) {
    if (!root_.is_directory(dir)) {
      problem(Error{Errc::kNotFound, dir + ": not a directory (" + reason + ")", std::nullopt});
      return;
    }
    add_prefix(dir, interpreter_in(dir), reason);
  }

  void add_prefix(const std::string& prefix, const std::string& interpreter,
                  const std::string& reason) {
    auto real = root_.real_path(prefix);
    const std::string key = real ? *real : normalize_path(prefix);
    auto it = by_prefix_.find(key);
    if (it == by_prefix_.end()) {
      model::PythonEnv env;
      env.prefix = normalize_path(prefix);
      env.interpreter = interpreter;
      env.kind = kind_of(env.prefix, key);
      it = by_prefix_.emplace(key, envs_.size()).first;
      envs_.push_back(std::move(env));
    }
    model::PythonEnv& env = envs_[it->second];
    if (env.interpreter.empty()) {
      env.interpreter = interpreter;
    }
    if (std::find(env.found_via.begin(), env.found_via.end(), reason) == env.found_via.end()) {
      env.found_via.push_back(reason);
    }
  }

  std::string kind_of(const std::string& prefix, const std::string& real_prefix) const {
    auto under = [&](const std::string& dir) {
      return !dir.empty() && (parent_path(prefix) == normalize_path(dir) ||
                              parent_path(real_prefix) == normalize_path(dir));
    };
    if (root_.exists(join_path(prefix, "pyvenv.cfg"))) {
      return under(workon_home_) ? "virtualenvwrapper" : "venv";
    }
    if (root_.is_directory(join_path(prefix, "conda-meta"))) {
      return "conda";
    }
    if (!pyenv_root_.empty() && under(join_path(pyenv_root_, "versions"))) {
      return "pyenv";
    }
    return "system";
  }

  // ---- per environment ---------------------------------------------------------------------

  void fill(model::PythonEnv& env, LibraryResolver& resolver) {
    std::map<std::string, std::string> cfg;
    const std::string cfg_path = join_path(env.prefix, "pyvenv.cfg");
    if (auto text = root_.read_file(cfg_path, kMaxConfigBytes)) {
      cfg = parse_pyvenv_cfg(*text);
    } else if (text.error().code != Errc::kNotFound) {
      problem(text.error());
    }
    env.python_version = python_version(env, cfg, cfg_path);
    env.site_packages = site_packages(env, cfg);
    for (const std::string& site : env.site_packages) {
      scan_packages(env, site);
    }
    for (std::size_t i = 0; i < env.packages.size(); ++i) {
      if (is_tensorflow_distribution(env.packages[i].name)) {
        env.tensorflow.push_back(tensorflow_install(env.packages[i]));
      }
    }
    if (!env.tensorflow.empty()) {
      env.libraries = resolve_libraries(env.tensorflow.front(), resolver);
    }
    env.tfgpu_install = install_mark(env);
  }

  // The record `tfgpu install` keeps in the venv it installs into: an unfinished one means the
  // environment is incomplete (doctor says so). A record that cannot be read is reported as such,
  // not skipped: it is the only mark of an unfinished install.
  std::optional<model::TfgpuInstallMark> install_mark(const model::PythonEnv& env) {
    const std::string path = join_path(env.prefix, model::kInstallRecordFile);
    auto text = root_.read_file(path, kMaxConfigBytes);
    if (!text && text.error().code == Errc::kNotFound) {
      return std::nullopt;
    }
    model::TfgpuInstallMark mark;
    mark.source = path;
    if (!text) {
      mark.problem = text.error().message;
      return mark;
    }
    const auto document = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    auto record = document.is_discarded()
                      ? Result<model::InstallRecord>(make_error(Errc::kMalformed, "not JSON"))
                      : model::install_record_from_json(document);
    if (!record) {
      mark.problem = record.error().message;
      return mark;
    }
    mark.complete = record->complete;
    mark.tensorflow = record->tensorflow;
    mark.started_at = record->started_at;
    for (const auto& step : record->steps) {
      if (step.state != model::StepState::kDone) {
        mark.unfinished_step = step.id;
        mark.detail =
            step.state == model::StepState::kRunning ? "still running, or killed" : step.detail;
        break;
      }
    }
    return mark;
  }

  Observed<Version> python_version(const model::PythonEnv& env,
                                   const std::map<std::string, std::string>& cfg,
                                   const std::string& cfg_path) {
    // venv writes "version", virtualenv "version_info" (3.11.7.final.0); uv "version_info" too.
    for (const char* key : {"version", "version_info"}) {
      if (auto it = cfg.find(key); it != cfg.end()) {
        if (auto version = leading_version(it->second)) {
          return Observed<Version>::present(*version, cfg_path + ": " + key);
        }
      }
    }
    // conda-meta/python-3.11.7-h955ad1f_0.json: the installed python package's record.
    const std::string conda_meta = join_path(env.prefix, "conda-meta");
    if (auto names = root_.list_directory(conda_meta)) {
      for (const std::string& name : *names) {
        if (name.starts_with("python-") && name.ends_with(".json")) {
          if (auto version = leading_version(std::string_view(name).substr(7))) {
            return Observed<Version>::present(*version, join_path(conda_meta, name));
          }
        }
      }
    }
    if (env.kind == "pyenv") {  // ~/.pyenv/versions/3.11.7
      if (auto version = leading_version(base_name(env.prefix));
          version && version->parts().size() >= 2) {
        return Observed<Version>::present(*version, env.prefix);
      }
    }
    for (const std::string& lib : {join_path(env.prefix, "lib"), join_path(env.prefix, "lib64")}) {
      if (auto names = root_.list_directory(lib)) {
        for (const std::string& name : *names) {
          // "python99999999999.1" does not parse (out of range): not a Python we know.
          const auto version = Version::parse(python_dir_version(name));
          if (version && version->parts().size() >= 2 &&
              root_.is_directory(join_path(join_path(lib, name), "site-packages"))) {
            return Observed<Version>::present(*version, join_path(lib, name));
          }
        }
      }
    }
    // /usr/bin/python3 -> python3.11: the interpreter's own file name.
    if (!env.interpreter.empty()) {
      if (auto real = root_.real_path(env.interpreter)) {
        const auto version = Version::parse(python_dir_version(base_name(*real)));
        if (version && version->parts().size() >= 2) {
          return Observed<Version>::present(*version, *real);
        }
      }
    }
    return Observed<Version>::unknown(env.prefix,
                                      "no pyvenv.cfg version, conda-meta python record, "
                                      "lib/pythonX.Y/site-packages or pythonX.Y interpreter");
  }

  std::vector<std::string> site_packages(const model::PythonEnv& env,
                                         const std::map<std::string, std::string>& cfg) {
    std::vector<std::string> candidates;
    auto add_prefix_dirs = [&](const std::string& prefix) {
      for (const char* lib : {"lib", "lib64"}) {
        const std::string lib_dir = join_path(prefix, lib);
        auto names = root_.list_directory(lib_dir);
        if (!names) {
          if (names.error().code != Errc::kNotFound) {
            problem(names.error().with_context("listing site-packages"));
          }
          continue;
        }
        for (const std::string& name : *names) {
          if (python_dir_version(name).empty()) {
            continue;
          }
          for (const char* leaf : {"site-packages", "dist-packages"}) {
            candidates.push_back(join_path(join_path(lib_dir, name), leaf));
          }
        }
      }
    };
    add_prefix_dirs(env.prefix);
    const std::string x_y = env.python_version.is_present()
                                ? fmt::format("{}.{}", env.python_version.value->major(),
                                              env.python_version.value->minor())
                                : std::string();
    // Debian's pip installs into /usr/local/lib/python3.X/dist-packages for /usr/bin/python3
    // (Debian Python policy §2.5), and its own packages live in /usr/lib/python3/dist-packages.
    if (env.prefix == "/usr") {
      add_prefix_dirs("/usr/local");
    }
    if (auto it = cfg.find("include-system-site-packages");
        it != cfg.end() && to_lower(it->second) == "true") {
      if (auto home = cfg.find("home"); home != cfg.end() && home->second.starts_with('/')) {
        add_prefix_dirs(parent_path(home->second));  // home is the base interpreter's bin/
      }
    }
    // The user site (~/.local/lib/pythonX.Y/site-packages, PEP 370) is on sys.path for every
    // non-venv interpreter of that version: `pip install --user tensorflow` lands there.
    if (env.kind != "venv" && env.kind != "virtualenvwrapper" && !home_.empty() && !x_y.empty()) {
      candidates.push_back(join_path(home_, ".local/lib/python" + x_y + "/site-packages"));
    }
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const std::string& dir : candidates) {
      if (!root_.is_directory(dir)) {
        continue;
      }
      auto real = root_.real_path(dir);
      if (seen.insert(real ? *real : dir).second) {
        out.push_back(dir);
      }
    }
    return out;
  }

  void scan_packages(model::PythonEnv& env, const std::string& site) {
    auto names = root_.list_directory(site);
    if (!names) {
      problem(names.error().with_context("listing installed packages"));
      return;
    }
    for (const std::string& name : *names) {
      auto parsed = parse_dist_info_name(name);
      if (!parsed || !is_relevant_distribution(parsed->name)) {
        continue;
      }
      model::PythonPackage package{parsed->name, parsed->version, join_path(site, name)};
      // METADATA for wheels; PKG-INFO in an egg-info directory, or the egg-info file itself.
      std::string metadata_path = join_path(package.dist_info, "METADATA");
      if (name.ends_with(".egg-info")) {
        metadata_path = root_.is_directory(package.dist_info)
                            ? join_path(package.dist_info, "PKG-INFO")
                            : package.dist_info;
      }
      auto text = root_.read_file(metadata_path, kMaxMetadataBytes);
      auto metadata = text ? parse_dist_metadata(*text, metadata_path)
                           : Result<DistMetadata>(tl::unexpected(text.error()));
      if (metadata) {
        package.name = metadata->normalized_name;
        package.version = metadata->version;
      } else {
        // Keep the package with the directory name's version: the install is still there.
        problem(metadata.error().with_context("reading " + parsed->name + " " + parsed->version +
                                              " metadata (version taken from the directory name)"));
      }
      env.packages.push_back(std::move(package));
    }
  }

  model::TensorflowInstall tensorflow_install(const model::PythonPackage& package) {
    model::TensorflowInstall install;
    install.package = package.name;
    if (auto version = Version::parse(package.version)) {
      install.version = Observed<Version>::present(*version, package.dist_info);
    } else {
      install.version =
          Observed<Version>::unknown(package.dist_info, "not a version: " + package.version);
    }
    // Every TensorFlow distribution installs the top-level package `tensorflow`.
    install.location = join_path(parent_path(package.dist_info), "tensorflow");
    const bool has_location = root_.is_directory(install.location);

    const std::string build_info_path =
        join_path(install.location, "python/platform/build_info.py");
    install.build_info.source = build_info_path;
    if (auto text = root_.read_file(build_info_path)) {
      if (auto info = parse_build_info(*text, build_info_path)) {
        install.build_info = std::move(*info);
      } else {
        problem(info.error());
        set_build_info_unknown(install.build_info, build_info_path, info.error().message);
      }
    } else if (text.error().code == Errc::kNotFound) {
      const std::string why = has_location ? "no build_info.py" : install.location + " missing";
      set_build_info_unknown(install.build_info, build_info_path, why);
    } else {
      problem(text.error());
      set_build_info_unknown(install.build_info, build_info_path, text.error().message);
    }

    const std::string framework = join_path(install.location, "libtensorflow_framework.so.2");
    if (root_.exists(framework)) {
      install.loader_object = Observed<std::string>::present(framework, framework);
      if (auto elf = read_elf_file(root_, framework)) {
        install.runpath = elf->runpath;
        install.rpath = elf->rpath;
      } else {
        problem(elf.error().with_context("reading DT_RUNPATH of the TensorFlow loader object"));
      }
    } else {
      install.loader_object = Observed<std::string>::absent(framework);
    }
    const std::string cc = join_path(install.location, "libtensorflow_cc.so.2");
    if (root_.exists(cc)) {
      install.cc_object = cc;
      if (auto elf = read_elf_file(root_, cc)) {
        install.cc_runpath = elf->runpath;
      } else {
        problem(elf.error().with_context("reading DT_RUNPATH of libtensorflow_cc.so.2"));
      }
    }
    return install;
  }

  static void set_build_info_unknown(model::TensorflowBuildInfo& info, const std::string& source,
                                     const std::string& why) {
    info.is_cuda_build = Observed<bool>::unknown(source, why);
    info.is_rocm_build = Observed<bool>::unknown(source, why);
    info.cuda_version = Observed<Version>::unknown(source, why);
    info.cudnn_version = Observed<Version>::unknown(source, why);
    info.cuda_compute_capabilities = Observed<std::vector<std::string>>::unknown(source, why);
  }

  // The CUDA libraries the first TensorFlow install would dlopen, resolved from its objects.
  // Nothing for a CPU build or when the build's CUDA version is not known.
  std::vector<model::LibraryResolution> resolve_libraries(const model::TensorflowInstall& install,
                                                          LibraryResolver& resolver) {
    const auto& info = install.build_info;
    if (!info.cuda_version.is_present() || !install.loader_object.is_present()) {
      return {};
    }
    const std::vector<std::string> requesters = {*install.loader_object.value};
    const int cudnn_major = info.cudnn_version.is_present() ? info.cudnn_version.value->major() : 0;
    std::vector<model::LibraryResolution> out;
    for (const SonameSpec& spec : sonames_for_build(*info.cuda_version.value, cudnn_major)) {
      out.push_back(resolver.resolve({spec.soname, spec.family, spec.required, requesters}));
    }
    return out;
  }

  const ProbeContext& context_;
  const SysRoot& root_;
  model::Facts& facts_;
  std::string home_;
  std::string pyenv_root_;
  std::string workon_home_;
  std::vector<model::PythonEnv> envs_;
  std::map<std::string, std::size_t> by_prefix_;  // real prefix -> index in envs_
};

}  // namespace

void probe_python(const ProbeContext& context, model::Facts& facts) {
  PythonProbe(context, facts).run();
}

}  // namespace tfgpu::probe
