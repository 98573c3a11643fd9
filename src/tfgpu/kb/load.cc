// SPDX-License-Identifier: Apache-2.0
// The TOML schema of docs/kb.md turned into KnowledgeBase rows.
//
// Why one Row reader: every row of every table is read the same way (a key is missing, has the
// wrong type, or holds a version that does not parse), and a maintainer fixing the data wants
// every problem of a row at once, with the file, table and index. So each row is read in full,
// its problems collected, and the row kept only when it had none; the data is never half-read.
// toml++ reports syntax errors by throwing toml::parse_error; it is caught here, at the one call
// to toml::parse, so nothing thrown crosses the module boundary.

#include "tfgpu/kb/load.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "tfgpu/base/strings.h"

namespace tfgpu::kb {
namespace {

constexpr std::array<std::string_view, 6> kFileNames = {
    "sources.toml", "tensorflow.toml", "cuda.toml", "gpus.toml", "cudnn.toml", "signatures.toml"};

// Far above any real file (the whole KB is ~100 KB); a bound so `--kb DIR` pointed at something
// else cannot make us read gigabytes.
constexpr std::size_t kMaxFileBytes = std::size_t{8} << 20U;

enum class Need { kRequired, kOptional };

const char* type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date or time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// A version as the KB writes it: digits and dots only, so "12.5 " or "2.21rc" is a typo, not a
// version with a suffix.
std::optional<Version> strict_version(std::string_view text) {
  auto version = Version::parse(text);
  if (!version || version->text() != text) {
    return std::nullopt;
  }
  return version;
}

bool is_lower_hex4(std::string_view text) {
  if (text.size() != 4) {
    return false;
  }
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

// "sm_80", "sm_90a" (SASS) or "compute_90" (PTX), as TensorFlow's TF_CUDA_COMPUTE_CAPABILITIES
// spells them.
bool is_cuda_arch(std::string_view text) {
  std::string_view digits;
  if (text.starts_with("sm_")) {
    digits = text.substr(3);
  } else if (text.starts_with("compute_")) {
    digits = text.substr(8);
  } else {
    return false;
  }
  if (!digits.empty() && digits.back() >= 'a' && digits.back() <= 'z') {
    digits.remove_suffix(1);
  }
  if (digits.size() < 2) {
    return false;
  }
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

std::string quoted(std::string_view text) {
  return "\"" + printable(text, 80) + "\"";
}

// Id → URL of sources.toml, for Provenance::urls.
using SourceUrls = std::map<std::string, std::string, std::less<>>;

// One row (a TOML table) being read. Every accessor marks its key as known, so finish() can
// name the keys the schema lacks; read every key before calling finish().
class Row {
 public:
  Row(const toml::table& table, std::string where, std::vector<LintProblem>& problems)
      : table_(table), where_(std::move(where)), problems_(problems) {}

  const std::string& where() const { return where_; }

  void problem(std::string text) {
    ok_ = false;
    problems_.push_back(LintProblem{where_, std::move(text)});
  }

  std::optional<std::string> string(std::string_view key, Need need = Need::kRequired) {
    const toml::node* node = get(key, need);
    if (node == nullptr) {
      return std::nullopt;
    }
    const auto* value = node->as_string();
    if (value == nullptr) {
      problem(fmt::format("'{}' must be a string, not {}", key, type_name(*node)));
      return std::nullopt;
    }
    if (value->get().empty()) {
      problem(fmt::format("'{}' is empty", key));
      return std::nullopt;
    }
    return value->get();
  }

  std::optional<Version> version(std::string_view key, Need need = Need::kRequired) {
    auto text = string(key, need);
    if (!text) {
      return std::nullopt;
    }
    auto parsed = strict_version(*text);
    if (!parsed) {
      problem(fmt::format("'{}' = {} is not a version", key, quoted(*text)));
    }
    return parsed;
  }

  std::optional<bool> boolean(std::string_view key) {
    const toml::node* node = get(key, Need::kRequired);
    if (node == nullptr) {
      return std::nullopt;
    }
    const auto* value = node->as_boolean();
    if (value == nullptr) {
      problem(fmt::format("'{}' must be true or false, not {}", key, type_name(*node)));
      return std::nullopt;
    }
    return value->get();
  }

  std::optional<int> integer(std::string_view key) {
    const toml::node* node = get(key, Need::kRequired);
    if (node == nullptr) {
      return std::nullopt;
    }
    const auto* value = node->as_integer();
    if (value == nullptr) {
      problem(fmt::format("'{}' must be an integer, not {}", key, type_name(*node)));
      return std::nullopt;
    }
    if (value->get() < 0 || value->get() > 1000) {
      problem(fmt::format("'{}' = {} is out of range", key, value->get()));
      return std::nullopt;
    }
    return static_cast<int>(value->get());
  }

  // An integer or a float (TOML writes 1 and 1.0 differently; both are the number one). Its range
  // is lint's to check, so a maintainer sees it with the other cross-row problems.
  std::optional<double> number(std::string_view key) {
    const toml::node* node = get(key, Need::kRequired);
    if (node == nullptr) {
      return std::nullopt;
    }
    if (const auto* value = node->as_floating_point()) {
      return value->get();
    }
    if (const auto* value = node->as_integer()) {
      return static_cast<double>(value->get());
    }
    problem(fmt::format("'{}' must be a number, not {}", key, type_name(*node)));
    return std::nullopt;
  }

  // An array of non-empty strings; required ones need at least one element.
  std::optional<std::vector<std::string>> strings(std::string_view key,
                                                  Need need = Need::kRequired) {
    const toml::node* node = get(key, need);
    if (node == nullptr) {
      return std::nullopt;
    }
    const auto* array = node->as_array();
    if (array == nullptr) {
      problem(fmt::format("'{}' must be an array of strings, not {}", key, type_name(*node)));
      return std::nullopt;
    }
    std::vector<std::string> values;
    values.reserve(array->size());
    for (const toml::node& element : *array) {
      const auto* value = element.as_string();
      if (value == nullptr || value->get().empty()) {
        problem(fmt::format("'{}[{}]' must be a non-empty string, not {}", key, values.size(),
                            value == nullptr ? type_name(element) : "an empty one"));
        return std::nullopt;
      }
      values.push_back(value->get());
    }
    if (values.empty() && need == Need::kRequired) {
      problem(fmt::format("'{}' is empty", key));
      return std::nullopt;
    }
    return values;
  }

  std::optional<std::vector<Version>> versions(std::string_view key, Need need = Need::kRequired) {
    auto texts = strings(key, need);
    if (!texts) {
      return std::nullopt;
    }
    std::vector<Version> values;
    values.reserve(texts->size());
    for (const std::string& text : *texts) {
      auto parsed = strict_version(text);
      if (!parsed) {
        problem(fmt::format("'{}[{}]' = {} is not a version", key, values.size(), quoted(text)));
        return std::nullopt;
      }
      values.push_back(std::move(*parsed));
    }
    return values;
  }

  // [first, last], inclusive, first not after last on the components last writes.
  std::optional<VersionRange> range(std::string_view key, Need need = Need::kRequired) {
    const toml::node* node = get(key, need);
    if (node == nullptr) {
      return std::nullopt;
    }
    const auto* array = node->as_array();
    if (array == nullptr || array->size() != 2 || !(*array)[0].is_string() ||
        !(*array)[1].is_string()) {
      problem(fmt::format("'{}' must be [first, last], two version strings", key));
      return std::nullopt;
    }
    const std::string& first_text = (*array)[0].as_string()->get();
    const std::string& last_text = (*array)[1].as_string()->get();
    auto first = strict_version(first_text);
    auto last = strict_version(last_text);
    if (!first || !last) {
      problem(fmt::format("'{}' = [{}, {}]: {} is not a version", key, quoted(first_text),
                          quoted(last_text), quoted(first ? last_text : first_text)));
      return std::nullopt;
    }
    VersionRange range{std::move(*first), std::move(*last)};
    if (!range.contains(range.first)) {
      problem(fmt::format("'{}' = [{}, {}]: first is after last", key, quoted(first_text),
                          quoted(last_text)));
      return std::nullopt;
    }
    return range;
  }

  const toml::table* table(std::string_view key) {
    const toml::node* node = get(key, Need::kRequired);
    if (node == nullptr) {
      return nullptr;
    }
    const auto* value = node->as_table();
    if (value == nullptr) {
      problem(fmt::format("'{}' must be a table, not {}", key, type_name(*node)));
    }
    return value;
  }

  // An array of tables ([[cudnn.build]]); at least one.
  const toml::array* tables(std::string_view key) {
    const toml::node* node = get(key, Need::kRequired);
    if (node == nullptr) {
      return nullptr;
    }
    const auto* array = node->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      problem(fmt::format("'{}' must be an array of tables ([[…{}]]), not {}", key, key,
                          type_name(*node)));
      return nullptr;
    }
    return array;
  }

  // confidence, sources, note: the keys every row carries (docs/kb.md, "Every row").
  Provenance provenance(std::string table_name, std::string key, const SourceUrls& urls) {
    Provenance provenance;
    provenance.table = std::move(table_name);
    provenance.key = std::move(key);
    if (auto confidence = string("confidence")) {
      if (*confidence == "confirmed") {
        provenance.confidence = Confidence::kConfirmed;
      } else if (*confidence == "derived") {
        provenance.confidence = Confidence::kDerived;
      } else if (*confidence == "unconfirmed") {
        provenance.confidence = Confidence::kUnconfirmed;
      } else {
        problem(
            fmt::format("'confidence' = {} is not \"confirmed\", \"derived\" or "
                        "\"unconfirmed\"",
                        quoted(*confidence)));
      }
    }
    if (auto sources = strings("sources")) {
      provenance.sources = std::move(*sources);
      for (const std::string& source : provenance.sources) {
        // As KnowledgeBase::source_url resolves them; lint() flags the http:// ones.
        if (source.starts_with("https://") || source.starts_with("http://")) {
          provenance.urls.push_back(source);
        } else if (auto found = urls.find(source); found != urls.end()) {
          provenance.urls.push_back(found->second);
        }
        // An unknown id is lint's to report (lint() sees every row's sources at once).
      }
    }
    if (auto note = string("note", Need::kOptional)) {
      provenance.note = std::move(*note);
    }
    return provenance;
  }

  // Reports the keys no accessor asked for; true when the row had no problem at all.
  bool finish() {
    for (const auto& [key, node] : table_) {
      bool known = false;
      for (std::string_view asked : known_) {
        known = known || asked == key.str();
      }
      if (!known) {
        problem(fmt::format("unknown key '{}'", printable(key.str(), 80)));
      }
    }
    return ok_;
  }

 private:
  const toml::node* get(std::string_view key, Need need) {
    known_.push_back(key);
    const toml::node* node = table_.get(key);
    if (node == nullptr && need == Need::kRequired) {
      problem(fmt::format("missing key '{}'", key));
    }
    return node;
  }

  const toml::table& table_;
  std::string where_;
  std::vector<LintProblem>& problems_;
  std::vector<std::string_view> known_;
  bool ok_ = true;
};

std::string range_key(const VersionRange& range) {
  return range.first.text() + "-" + range.last.text();
}

// Reads one file's tables into the KB.
class FileReader {
 public:
  FileReader(std::string_view file, const toml::table& document, KnowledgeBase& kb,
             const SourceUrls& urls, std::vector<LintProblem>& problems)
      : file_(file), document_(document), kb_(kb), urls_(urls), problems_(problems) {}

  void read() {
    for (const auto& [key, node] : document_) {
      const std::string name(key.str());
      if (!read_table(name, node)) {
        problems_.push_back(LintProblem{std::string(file_),
                                        fmt::format("unknown table '{}'", printable(name, 80))});
      }
    }
  }

 private:
  // False when `name` is not a table of this file.
  bool read_table(const std::string& name, const toml::node& node) {
    if (file_ == "sources.toml" && name == "source") {
      each_row(name, node, [this](Row& row) { read_source(row); });
    } else if (file_ == "tensorflow.toml" && name == "release") {
      each_row(name, node, [this](Row& row) { read_release(row); });
    } else if (file_ == "tensorflow.toml" && name == "wheel_build") {
      each_row(name, node, [this](Row& row) { read_wheel_build(row); });
    } else if (file_ == "tensorflow.toml" && name == "and_cuda") {
      each_row(name, node, [this](Row& row) { read_and_cuda(row); });
    } else if (file_ == "tensorflow.toml" && name == "and_cuda_route") {
      each_row(name, node, [this](Row& row) { read_and_cuda_route(row); });
    } else if (file_ == "tensorflow.toml" && name == "sonames") {
      each_row(name, node, [this](Row& row) { read_sonames(row); });
    } else if (file_ == "tensorflow.toml" && name == "statement") {
      each_row(name, node, [this](Row& row) { read_statement(row); });
    } else if (file_ == "tensorflow.toml" && name == "distribution") {
      each_row(name, node, [this](Row& row) { read_distribution(row); });
    } else if (file_ == "tensorflow.toml" && name == "container_image") {
      each_row(name, node, [this](Row& row) { read_container_image(row); });
    } else if (file_ == "tensorflow.toml" && name == "nightly") {
      read_nightly(node);
    } else if (file_ == "cuda.toml" && name == "driver_minimum") {
      each_row(name, node, [this](Row& row) { read_driver_minimum(row); });
    } else if (file_ == "cuda.toml" && name == "minor_version_compat") {
      each_row(name, node, [this](Row& row) { read_minor_version_compat(row); });
    } else if (file_ == "cuda.toml" && name == "arch_support") {
      each_row(name, node, [this](Row& row) { read_arch_support(row); });
    } else if (file_ == "gpus.toml" && name == "gpu") {
      each_row(name, node, [this](Row& row) { read_gpu(row); });
    } else if (file_ == "gpus.toml" && name == "peak") {
      each_row(name, node, [this](Row& row) { read_peak(row); });
    } else if (file_ == "gpus.toml" && name == "pcie_generation") {
      each_row(name, node, [this](Row& row) { read_pcie_generation(row); });
    } else if (file_ == "gpus.toml" && name == "driver_branch_end") {
      each_row(name, node, [this](Row& row) { read_driver_branch_end(row); });
    } else if (file_ == "gpus.toml" && name == "pci_device") {
      each_row(name, node, [this](Row& row) { read_pci_device(row); });
    } else if (file_ == "cudnn.toml" && name == "cudnn") {
      each_row(name, node, [this](Row& row) { read_cudnn(row); });
    } else if (file_ == "signatures.toml" && name == "cause") {
      each_row(name, node, [this](Row& row) { read_cause(row); });
    } else if (file_ == "signatures.toml" && name == "signature") {
      each_row(name, node, [this](Row& row) { read_signature(row); });
    } else {
      return false;
    }
    return true;
  }

  template <class ReadRow>
  void each_row(const std::string& name, const toml::node& node, ReadRow read_row) {
    const auto* array = node.as_array();
    if (array == nullptr) {
      problems_.push_back(LintProblem{
          fmt::format("{}: {}", file_, name),
          fmt::format("must be an array of tables ([[{}]]), not {}", name, type_name(node))});
      return;
    }
    std::size_t index = 0;
    for (const toml::node& element : *array) {
      std::string where = fmt::format("{}: {}[{}]", file_, name, index++);
      const auto* table = element.as_table();
      if (table == nullptr) {
        problems_.push_back(LintProblem{
            std::move(where), fmt::format("must be a table, not {}", type_name(element))});
        continue;
      }
      Row row(*table, std::move(where), problems_);
      read_row(row);
    }
  }

  void read_source(Row& row) {
    auto id = row.string("id");
    auto title = row.string("title");
    auto url = row.string("url");
    if (row.finish()) {
      kb_.sources.push_back(Source{*id, *title, *url});
    }
  }

  void read_release(Row& row) {
    auto line = row.version("line");
    auto first_version = row.version("first_version");
    auto python = row.range("python");
    auto cuda = row.version("cuda");
    auto cudnn = row.version("cudnn");
    auto platforms = row.strings("gpu_platforms");
    if (platforms) {
      for (const std::string& platform : *platforms) {
        if (platform != "linux" && platform != "wsl2" && platform != "windows") {
          row.problem(fmt::format("'gpu_platforms': {} is not \"linux\", \"wsl2\" or \"windows\"",
                                  quoted(platform)));
        }
      }
    }
    Provenance provenance = row.provenance("release", line ? line->text() : "", urls_);
    if (row.finish()) {
      kb_.releases.push_back(TensorflowRelease{*line, *first_version, *python, *cuda, *cudnn,
                                               std::move(*platforms), std::move(provenance)});
    }
  }

  void read_wheel_build(Row& row) {
    auto lines = row.range("lines");
    auto capabilities = row.strings("compute_capabilities");
    if (capabilities) {
      for (const std::string& capability : *capabilities) {
        if (!is_cuda_arch(capability)) {
          row.problem(fmt::format("'compute_capabilities': {} is not sm_XY or compute_XY",
                                  quoted(capability)));
        }
      }
    }
    Provenance provenance = row.provenance("wheel_build", lines ? range_key(*lines) : "", urls_);
    if (row.finish()) {
      kb_.wheel_builds.push_back(
          WheelBuild{*lines, std::move(*capabilities), std::move(provenance)});
    }
  }

  void read_distribution(Row& row) {
    auto name = row.string("name");
    auto versions = row.range("versions");
    auto cuda = row.boolean("cuda");
    if (name && (*name != to_lower(*name) || name->find('_') != std::string::npos)) {
      row.problem(
          fmt::format("'name' = {} must be the normalised distribution name (lower case, "
                      "'-' not '_')",
                      quoted(*name)));
    }
    Provenance provenance = row.provenance(
        "distribution", name && versions ? *name + " " + range_key(*versions) : "", urls_);
    if (row.finish()) {
      kb_.distributions.push_back(
          DistributionSupport{std::move(*name), *versions, *cuda, std::move(provenance)});
    }
  }

  void read_container_image(Row& row) {
    auto image = row.string("image");
    auto tensorflow = row.range("tensorflow");
    auto cuda = row.version("cuda");
    auto cudnn = row.version("cudnn");
    Provenance provenance = row.provenance(
        "container_image", image && tensorflow ? *image + " " + range_key(*tensorflow) : "", urls_);
    if (row.finish()) {
      kb_.container_images.push_back(
          ContainerImage{std::move(*image), *tensorflow, *cuda, *cudnn, std::move(provenance)});
    }
  }

  void read_and_cuda(Row& row) {
    auto line = row.version("line");
    auto requirements = row.strings("requirements");
    auto loader_runpath_wheels = row.strings("loader_runpath_wheels");
    Provenance provenance = row.provenance("and_cuda", line ? line->text() : "", urls_);
    if (row.finish()) {
      kb_.and_cuda.push_back(AndCudaExtra{*line, std::move(*requirements),
                                          std::move(*loader_runpath_wheels),
                                          std::move(provenance)});
    }
  }

  void read_and_cuda_route(Row& row) {
    auto lines = row.range("lines");
    // A pin is a version as pip spells it: "2.15.0.post1" has a suffix strict_version refuses.
    auto pin = row.string("pin", Need::kOptional);
    if (pin) {
      auto parsed = Version::parse(*pin);
      if (!parsed || parsed->text() + parsed->suffix() != *pin) {
        row.problem(fmt::format("'pin' = {} is not a version", quoted(*pin)));
      } else if (lines && !lines->contains(*parsed)) {
        row.problem(fmt::format("'pin' = {} is outside 'lines' [{}, {}]", quoted(*pin),
                                quoted(lines->first.text()), quoted(lines->last.text())));
      }
    }
    auto link_libraries = row.boolean("link_libraries");
    auto link_ptxas = row.boolean("link_ptxas");
    auto python = row.range("python", Need::kOptional);
    Provenance provenance = row.provenance("and_cuda_route", lines ? range_key(*lines) : "", urls_);
    if (row.finish()) {
      kb_.and_cuda_routes.push_back(AndCudaRoute{*lines, pin.value_or(""), *link_libraries,
                                                 *link_ptxas, std::move(python),
                                                 std::move(provenance)});
    }
  }

  void read_sonames(Row& row) {
    auto lines = row.range("lines");
    auto cuda_major = row.integer("cuda_major");
    std::map<std::string, std::string> libraries;
    if (const toml::table* table = row.table("libraries")) {
      for (const auto& [family, soname] : *table) {
        const auto* value = soname.as_string();
        if (value == nullptr || value->get().empty()) {
          row.problem(fmt::format("'libraries.{}' must be a non-empty string (a soname)",
                                  printable(family.str(), 80)));
          continue;
        }
        libraries.emplace(family.str(), value->get());
      }
      if (table->empty()) {
        row.problem("'libraries' is empty");
      }
    }
    Provenance provenance = row.provenance("sonames", lines ? range_key(*lines) : "", urls_);
    if (row.finish()) {
      kb_.sonames.push_back(
          SonameSet{*lines, *cuda_major, std::move(libraries), std::move(provenance)});
    }
  }

  void read_statement(Row& row) {
    auto id = row.string("id");
    auto text = row.string("text");
    Provenance provenance = row.provenance("statement", id.value_or(""), urls_);
    if (row.finish()) {
      kb_.statements.push_back(Statement{*id, *text, std::move(provenance)});
    }
  }

  // [nightly] is a single table; its provenance keys are optional since KnowledgeBase keeps only
  // the rule.
  void read_nightly(const toml::node& node) {
    std::string where = fmt::format("{}: nightly", file_);
    const auto* table = node.as_table();
    if (table == nullptr) {
      problems_.push_back(LintProblem{
          std::move(where), fmt::format("must be a table ([nightly]), not {}", type_name(node))});
      return;
    }
    Row row(*table, std::move(where), problems_);
    auto rule = row.string("rule");
    row.string("confidence", Need::kOptional);
    row.strings("sources", Need::kOptional);
    row.string("note", Need::kOptional);
    if (row.finish()) {
      kb_.nightly_rule = *rule;
    }
  }

  void read_driver_minimum(Row& row) {
    auto cuda = row.version("cuda");
    auto release = row.string("release");
    auto linux_driver = row.version("linux");
    auto windows_driver = row.version("windows", Need::kOptional);
    Provenance provenance = row.provenance("driver_minimum", release.value_or(""), urls_);
    if (row.finish()) {
      kb_.driver_minimums.push_back(DriverMinimum{
          *cuda, *release, *linux_driver, std::move(windows_driver), std::move(provenance)});
    }
  }

  void read_minor_version_compat(Row& row) {
    auto cuda_major = row.integer("cuda_major");
    auto linux_driver = row.version("linux");
    auto windows_driver = row.version("windows", Need::kOptional);
    auto below = row.version("below", Need::kOptional);
    Provenance provenance = row.provenance("minor_version_compat",
                                           cuda_major ? std::to_string(*cuda_major) : "", urls_);
    if (row.finish()) {
      kb_.minor_version_compat.push_back(
          MinorVersionCompat{*cuda_major, *linux_driver, std::move(windows_driver),
                             std::move(below), std::move(provenance)});
    }
  }

  void read_arch_support(Row& row) {
    auto cuda = row.range("cuda");
    auto capabilities = row.versions("compute_capabilities");
    Provenance provenance = row.provenance("arch_support", cuda ? range_key(*cuda) : "", urls_);
    if (row.finish()) {
      kb_.arch_support.push_back(
          ArchSupport{*cuda, std::move(*capabilities), std::move(provenance)});
    }
  }

  void read_gpu(Row& row) {
    auto name = row.string("name");
    auto segment = row.string("segment");
    auto capability = row.version("compute_capability");
    auto alternatives = row.versions("alternatives", Need::kOptional);
    auto architecture = row.string("architecture");
    Provenance provenance = row.provenance("gpu", name.value_or(""), urls_);
    if (row.finish()) {
      kb_.gpus.push_back(GpuModel{*name, *segment, *capability,
                                  alternatives.value_or(std::vector<Version>{}), *architecture,
                                  std::move(provenance)});
    }
  }

  void read_peak(Row& row) {
    auto device_name = row.string("device_name");
    auto model = row.string("model");
    std::array<std::optional<double>, 5> values = {
        row.number("fp32_tflops"), row.number("tf32_tflops"), row.number("fp16_tflops"),
        row.number("bf16_tflops"), row.number("memory_bandwidth_gbs")};
    for (const auto& value : values) {
      if (value && !(*value > 0 && *value < 1e6)) {
        row.problem(fmt::format("peak value {} is not a positive number below 10^6", *value));
      }
    }
    Provenance provenance = row.provenance("peak", device_name.value_or(""), urls_);
    if (row.finish()) {
      kb_.peaks.push_back(GpuPeak{std::move(*device_name), std::move(*model), *values[0],
                                  *values[1], *values[2], *values[3], *values[4],
                                  std::move(provenance)});
    }
  }

  // The efficiency's range, (0, 1], is lint's (with the duplicate generations); a rate that is not
  // a positive number cannot be a row at all.
  void read_pcie_generation(Row& row) {
    auto generation = row.integer("generation");
    auto rate = row.number("transfer_rate_gts");
    auto encoding = row.string("encoding");
    auto efficiency = row.number("payload_efficiency");
    if (generation && *generation < 1) {
      row.problem(fmt::format("'generation' = {} is not a PCIe generation (1, 2, …)", *generation));
    }
    if (rate && !(*rate > 0 && *rate < 1e4)) {
      row.problem(
          fmt::format("'transfer_rate_gts' = {} is not a positive number below 10^4", *rate));
    }
    Provenance provenance =
        row.provenance("pcie_generation", generation ? std::to_string(*generation) : "", urls_);
    if (row.finish()) {
      kb_.pcie_generations.push_back(PcieGeneration{*generation, *rate, std::move(*encoding),
                                                    *efficiency, std::move(provenance)});
    }
  }

  void read_driver_branch_end(Row& row) {
    auto capability = row.range("compute_capability");
    auto architecture = row.string("architecture");
    auto last_branch = row.version("last_branch");
    if (last_branch && last_branch->parts().size() != 1) {
      row.problem(fmt::format("'last_branch' = {} is not a branch number (\"470\")",
                              quoted(last_branch->text())));
    }
    Provenance provenance = row.provenance("driver_branch_end", architecture.value_or(""), urls_);
    if (row.finish()) {
      kb_.driver_branch_ends.push_back(DriverBranchEnd{*capability, std::move(*architecture),
                                                       *last_branch, std::move(provenance)});
    }
  }

  void read_pci_device(Row& row) {
    auto vendor = row.string("vendor");
    auto device = row.string("device");
    auto name = row.string("name");
    if (vendor && !is_lower_hex4(*vendor)) {
      row.problem(fmt::format("'vendor' = {} is not four lower-case hex digits", quoted(*vendor)));
    }
    if (device && !is_lower_hex4(*device)) {
      row.problem(fmt::format("'device' = {} is not four lower-case hex digits", quoted(*device)));
    }
    Provenance provenance = row.provenance(
        "pci_device", fmt::format("{}:{}", vendor.value_or(""), device.value_or("")), urls_);
    if (row.finish()) {
      kb_.pci_devices.push_back(PciDevice{*vendor, *device, *name, std::move(provenance)});
    }
  }

  void read_cudnn(Row& row) {
    auto versions = row.range("versions");
    auto soname = row.string("soname");
    auto capability = row.range("compute_capability");
    std::vector<CudnnBuild> builds;
    bool builds_ok = true;
    if (const toml::array* build_rows = row.tables("build")) {
      std::size_t index = 0;
      for (const toml::node& element : *build_rows) {
        // is_array_of_tables() held, so every element is a table.
        Row build(*element.as_table(), fmt::format("{}.build[{}]", row.where(), index++),
                  problems_);
        auto cuda = build.range("cuda");
        auto linux_driver = build.version("linux_driver");
        auto windows_driver = build.version("windows_driver", Need::kOptional);
        if (build.finish()) {
          builds.push_back(CudnnBuild{*cuda, *linux_driver, std::move(windows_driver)});
        } else {
          builds_ok = false;
        }
      }
      if (build_rows->empty()) {
        row.problem("'build' is empty");
      }
    }
    Provenance provenance = row.provenance("cudnn", versions ? range_key(*versions) : "", urls_);
    if (row.finish() && builds_ok) {
      kb_.cudnn.push_back(
          CudnnRelease{*versions, *soname, *capability, std::move(builds), std::move(provenance)});
    }
  }

  void read_cause(Row& row) {
    auto id = row.string("id");
    auto kind_text = row.string("kind");
    auto summary = row.string("summary");
    auto fix = row.string("fix");
    CauseKind kind = CauseKind::kFailure;
    if (kind_text) {
      if (*kind_text == "noise") {
        kind = CauseKind::kNoise;
      } else if (*kind_text != "failure") {
        row.problem(fmt::format("'kind' = {} is not \"failure\" or \"noise\"", quoted(*kind_text)));
      }
    }
    Provenance provenance = row.provenance("cause", id.value_or(""), urls_);
    if (row.finish()) {
      kb_.causes.push_back(Cause{*id, kind, *summary, *fix, std::move(provenance)});
    }
  }

  // The pattern stays text here: whether RE2 compiles it, and whether `captures` names each of
  // its groups, is lint's to say (with the weight's range), so the reader needs no RE2.
  void read_signature(Row& row) {
    auto id = row.string("id");
    auto cause = row.string("cause");
    auto pattern = row.string("pattern");
    auto weight = row.number("weight");
    auto captures = row.strings("captures", Need::kOptional);
    Provenance provenance = row.provenance("signature", id.value_or(""), urls_);
    if (row.finish()) {
      kb_.signatures.push_back(Signature{*id, *cause, *pattern, *weight,
                                         captures.value_or(std::vector<std::string>{}),
                                         std::move(provenance)});
    }
  }

  std::string_view file_;
  const toml::table& document_;
  KnowledgeBase& kb_;
  const SourceUrls& urls_;
  std::vector<LintProblem>& problems_;
};

struct ParsedFile {
  std::string_view name;  // one of kFileNames
  toml::table document;
};

std::string join_path(std::string_view dir, std::string_view name) {
  std::string path(dir);
  if (!path.empty() && path.back() != '/') {
    path += '/';
  }
  path += name;
  return path;
}

Result<toml::table> parse_toml(const KbFile& file, const std::string& origin) {
  const std::string path = join_path(origin, file.name);
  try {
    return toml::parse(file.text, path);
  } catch (const toml::parse_error& error) {
    return make_error(Errc::kMalformed, fmt::format("{}:{}:{}: {}", path, error.source().begin.line,
                                                    error.source().begin.column,
                                                    printable(error.description(), 300)));
  } catch (const std::exception& error) {
    // toml++ documents only parse_error; anything else (bad_alloc on hostile input) is still an
    // error about this file, not a crash.
    return make_error(Errc::kMalformed, fmt::format("{}: {}", path, printable(error.what(), 300)));
  }
}

Error errno_error(const std::string& path, int error_number) {
  Errc code = Errc::kIo;
  if (error_number == ENOENT || error_number == ENOTDIR) {
    code = Errc::kNotFound;
  } else if (error_number == EACCES || error_number == EPERM) {
    code = Errc::kPermissionDenied;
  }
  return Error{code, path + ": " + std::strerror(error_number), error_number};
}

// Closes the descriptor however read_file returns.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}

  ~FileDescriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }

  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }

 private:
  int fd_;
};

Result<std::string> read_file(const std::string& path) {
  // O_NONBLOCK: a FIFO named tensorflow.toml must not hang the open; regular files ignore it.
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    return tl::unexpected(errno_error(path, errno));
  }

  struct stat info {};

  if (::fstat(fd.get(), &info) != 0) {
    return tl::unexpected(errno_error(path, errno));
  }
  if (S_ISDIR(info.st_mode)) {
    return make_error(Errc::kInvalidArgument, path + ": is a directory, not a TOML file");
  }
  if (!S_ISREG(info.st_mode)) {
    return make_error(Errc::kInvalidArgument, path + ": not a regular file");
  }
  if (static_cast<unsigned long long>(info.st_size) > kMaxFileBytes) {
    return make_error(Errc::kTooLarge, fmt::format("{}: {} bytes, larger than the {} MiB limit",
                                                   path, info.st_size, kMaxFileBytes >> 20U));
  }
  std::string text;
  std::array<char, 65536> buffer{};
  while (true) {
    const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return tl::unexpected(errno_error(path, errno));
    }
    if (got == 0) {
      break;
    }
    text.append(buffer.data(), static_cast<std::size_t>(got));
    // The file may grow after fstat; the limit holds for what is read.
    if (text.size() > kMaxFileBytes) {
      return make_error(Errc::kTooLarge, fmt::format("{}: larger than the {} MiB limit", path,
                                                     kMaxFileBytes >> 20U));
    }
  }
  return text;
}

}  // namespace

Result<KnowledgeBase> parse_files(const std::vector<KbFile>& files, std::string origin,
                                  std::vector<LintProblem>* problems) {
  std::vector<LintProblem> ignored;
  std::vector<LintProblem>& found = problems != nullptr ? *problems : ignored;

  // Every document first, so a syntax error anywhere fails before any row work; then in a fixed
  // order (sources.toml first: the other files' rows resolve their source ids through it).
  std::vector<ParsedFile> parsed;
  for (const KbFile& file : files) {
    const std::string_view* known = nullptr;
    for (const std::string_view& name : kFileNames) {
      known = name == file.name ? &name : known;
    }
    if (known == nullptr) {
      found.push_back(LintProblem{printable(file.name, 80),
                                  "not a knowledge base file (sources.toml, tensorflow.toml, "
                                  "cuda.toml, gpus.toml, cudnn.toml, signatures.toml)"});
      continue;
    }
    bool duplicate = false;
    for (const ParsedFile& earlier : parsed) {
      duplicate = duplicate || earlier.name == *known;
    }
    if (duplicate) {
      found.push_back(LintProblem{file.name, "given twice; the second copy is ignored"});
      continue;
    }
    auto document = parse_toml(file, origin);
    if (!document) {
      return tl::unexpected(document.error());
    }
    parsed.push_back(ParsedFile{*known, std::move(*document)});
  }

  KnowledgeBase kb;
  kb.origin = std::move(origin);
  SourceUrls urls;
  for (std::string_view name : kFileNames) {
    for (const ParsedFile& file : parsed) {
      if (file.name == name) {
        FileReader(file.name, file.document, kb, urls, found).read();
      }
    }
    if (name == "sources.toml") {
      for (const Source& source : kb.sources) {
        urls.emplace(source.id, source.url);  // the first of duplicates wins; lint names them
      }
    }
  }
  return kb;
}

Result<std::vector<KbFile>> read_directory(const std::string& dir) {
  struct stat info {};

  if (::stat(dir.c_str(), &info) != 0) {
    return tl::unexpected(errno_error(dir, errno));
  }
  if (!S_ISDIR(info.st_mode)) {
    return make_error(Errc::kInvalidArgument, dir + ": not a directory");
  }
  std::vector<KbFile> files;
  for (std::string_view name : kFileNames) {
    auto text = read_file(join_path(dir, name));
    if (!text) {
      return tl::unexpected(text.error());
    }
    files.push_back(KbFile{std::string(name), std::move(*text)});
  }
  return files;
}

Result<KnowledgeBase> load_directory(const std::string& dir) {
  auto files = read_directory(dir);
  if (!files) {
    return tl::unexpected(files.error());
  }
  // A verdict must not rest on a folder whose rows were skipped: any row problem is an error here
  // (`tfgpu kb lint --kb DIR` lists them all).
  std::vector<LintProblem> problems;
  auto kb = parse_files(*files, dir, &problems);
  if (kb && !problems.empty()) {
    return make_error(
        Errc::kMalformed,
        dir + "/" + problems.front().where + ": " + problems.front().problem +
            (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) +
                                       " more; tfgpu kb lint --kb " + dir + " lists them)"
                                 : ""));
  }
  return kb;
}

}  // namespace tfgpu::kb
