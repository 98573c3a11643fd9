// SPDX-License-Identifier: Apache-2.0
// Cross-row checks of a parsed knowledge base (`tfgpu kb lint`): what a single row cannot show.
// Duplicates use maps and sets (gpus.toml has hundreds of rows); the overlap checks compare
// pairs, which is fine for the range tables (a few dozen rows at most).

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <re2/re2.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/kb/load.h"

namespace tfgpu::kb {
namespace {

// The same folding KnowledgeBase::gpu_by_name applies, so two rows that a lookup cannot tell
// apart ("NVIDIA A100" and "A100") count as duplicates.
std::string folded_gpu_name(std::string_view name) {
  std::string text = to_lower(trim(name));
  for (const std::string_view prefix : {"nvidia ", "tesla "}) {
    if (text.starts_with(prefix)) {
      text.erase(0, prefix.size());
    }
  }
  return text;
}

bool is_id(std::string_view text, char separator) {
  if (text.empty() || text.front() == separator || text.back() == separator) {
    return false;
  }
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == separator)) {
      return false;
    }
  }
  return true;
}

bool overlaps(const VersionRange& a, const VersionRange& b) {
  return a.contains(b.first) || b.contains(a.first);
}

std::string range_text(const VersionRange& range) {
  return fmt::format("[\"{}\", \"{}\"]", range.first.text(), range.last.text());
}

class Linter {
 public:
  explicit Linter(const KnowledgeBase& kb) : kb_(kb) {
    for (const Source& source : kb.sources) {
      source_ids_.insert(source.id);
    }
    for (const TensorflowRelease& release : kb.releases) {
      release_lines_.insert(release.line);
    }
    for (const GpuModel& gpu : kb.gpus) {
      gpu_names_.insert(folded_gpu_name(gpu.name));
    }
  }

  std::vector<LintProblem> run() {
    sources();
    tensorflow();
    cuda();
    gpus();
    driver_branch_ends();
    cudnn();
    signatures();
    return std::move(problems_);
  }

 private:
  void add(std::string_view file, std::string_view table, std::size_t index, std::string problem) {
    problems_.push_back(
        LintProblem{fmt::format("{}: {}[{}]", file, table, index), std::move(problem)});
  }

  // Every source a row cites must be an id of sources.toml or an https:// URL.
  void cited(std::string_view file, std::size_t index, const Provenance& provenance) {
    for (const std::string& source : provenance.sources) {
      if (!source.starts_with("https://") && source_ids_.count(source) == 0) {
        add(file, provenance.table, index,
            fmt::format("source \"{}\" is neither an id in sources.toml nor an https:// URL",
                        printable(source, 80)));
      }
    }
  }

  // The first row with each key; a later row with the same key is reported against it.
  template <class Key>
  void unique(std::map<Key, std::size_t>& seen, const Key& key, std::string_view key_text,
              std::string_view file, std::string_view table, std::size_t index) {
    auto [first, inserted] = seen.emplace(key, index);
    if (!inserted) {
      add(file, table, index,
          fmt::format("duplicate {} (first at {}[{}])", key_text, table, first->second));
    }
  }

  template <class Row, class RangeOf>
  void no_overlaps(const std::vector<Row>& rows, std::string_view file, std::string_view table,
                   RangeOf range_of) {
    for (std::size_t i = 0; i < rows.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (overlaps(range_of(rows[i]), range_of(rows[j]))) {
          add(file, table, i,
              fmt::format("{} overlaps {} of {}[{}]", range_text(range_of(rows[i])),
                          range_text(range_of(rows[j])), table, j));
        }
      }
    }
  }

  // The same among rows that share a key (a distribution's name, an image).
  template <class Row, class KeyOf, class RangeOf>
  void no_overlaps_per_key(const std::vector<Row>& rows, std::string_view file,
                           std::string_view table, KeyOf key_of, RangeOf range_of) {
    for (std::size_t i = 0; i < rows.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (key_of(rows[i]) == key_of(rows[j]) && overlaps(range_of(rows[i]), range_of(rows[j]))) {
          add(file, table, i,
              fmt::format("{} {} overlaps {} of {}[{}]", printable(key_of(rows[i]), 80),
                          range_text(range_of(rows[i])), range_text(range_of(rows[j])), table, j));
        }
      }
    }
  }

  void has_release(std::string_view file, std::string_view table, std::size_t index,
                   const Version& line) {
    if (release_lines_.count(line) == 0) {
      add(file, table, index, fmt::format("no [[release]] row for line {}", line.text()));
    }
  }

  // The lines a range names (its ends) must be releases; each is reported once.
  void has_releases(std::string_view file, std::string_view table, std::size_t index,
                    const VersionRange& lines) {
    has_release(file, table, index, lines.first);
    if (!(lines.last == lines.first)) {
      has_release(file, table, index, lines.last);
    }
  }

  void sources() {
    constexpr std::string_view kFile = "sources.toml";
    std::map<std::string, std::size_t> ids;
    for (std::size_t i = 0; i < kb_.sources.size(); ++i) {
      const Source& source = kb_.sources[i];
      unique(ids, source.id, fmt::format("id \"{}\"", printable(source.id, 80)), kFile, "source",
             i);
      if (!is_id(source.id, '-')) {
        add(kFile, "source", i,
            fmt::format("id \"{}\" is not kebab-case", printable(source.id, 80)));
      }
      if (!source.url.starts_with("https://")) {
        add(kFile, "source", i,
            fmt::format("url \"{}\" is not an https:// URL", printable(source.url, 120)));
      }
    }
  }

  void tensorflow() {
    constexpr std::string_view kFile = "tensorflow.toml";
    std::map<Version, std::size_t> lines;
    for (std::size_t i = 0; i < kb_.releases.size(); ++i) {
      const TensorflowRelease& release = kb_.releases[i];
      unique(lines, release.line, "line " + release.line.text(), kFile, "release", i);
      cited(kFile, i, release.provenance);
    }
    for (std::size_t i = 0; i < kb_.wheel_builds.size(); ++i) {
      const WheelBuild& build = kb_.wheel_builds[i];
      has_releases(kFile, "wheel_build", i, build.lines);
      cited(kFile, i, build.provenance);
    }
    no_overlaps(kb_.wheel_builds, kFile, "wheel_build",
                [](const WheelBuild& row) -> const VersionRange& { return row.lines; });
    std::map<Version, std::size_t> extras;
    for (std::size_t i = 0; i < kb_.and_cuda.size(); ++i) {
      const AndCudaExtra& extra = kb_.and_cuda[i];
      unique(extras, extra.line, "line " + extra.line.text(), kFile, "and_cuda", i);
      has_release(kFile, "and_cuda", i, extra.line);
      cited(kFile, i, extra.provenance);
    }
    for (std::size_t i = 0; i < kb_.and_cuda_routes.size(); ++i) {
      const AndCudaRoute& route = kb_.and_cuda_routes[i];
      has_releases(kFile, "and_cuda_route", i, route.lines);
      cited(kFile, i, route.provenance);
    }
    no_overlaps(kb_.and_cuda_routes, kFile, "and_cuda_route",
                [](const AndCudaRoute& row) -> const VersionRange& { return row.lines; });
    for (std::size_t i = 0; i < kb_.sonames.size(); ++i) {
      const SonameSet& set = kb_.sonames[i];
      has_releases(kFile, "sonames", i, set.lines);
      cited(kFile, i, set.provenance);
    }
    no_overlaps(kb_.sonames, kFile, "sonames",
                [](const SonameSet& row) -> const VersionRange& { return row.lines; });
    std::map<std::string, std::size_t> ids;
    for (std::size_t i = 0; i < kb_.statements.size(); ++i) {
      const Statement& statement = kb_.statements[i];
      unique(ids, statement.id, fmt::format("id \"{}\"", printable(statement.id, 80)), kFile,
             "statement", i);
      if (!is_id(statement.id, '_')) {
        add(kFile, "statement", i,
            fmt::format("id \"{}\" is not snake_case", printable(statement.id, 80)));
      }
      cited(kFile, i, statement.provenance);
    }
    // One answer per distribution and version, and per image and version.
    for (std::size_t i = 0; i < kb_.distributions.size(); ++i) {
      cited(kFile, i, kb_.distributions[i].provenance);
    }
    no_overlaps_per_key(
        kb_.distributions, kFile, "distribution",
        [](const DistributionSupport& row) -> const std::string& { return row.name; },
        [](const DistributionSupport& row) -> const VersionRange& { return row.versions; });
    for (std::size_t i = 0; i < kb_.container_images.size(); ++i) {
      has_releases(kFile, "container_image", i, kb_.container_images[i].tensorflow);
      cited(kFile, i, kb_.container_images[i].provenance);
    }
    no_overlaps_per_key(
        kb_.container_images, kFile, "container_image",
        [](const ContainerImage& row) -> const std::string& { return row.image; },
        [](const ContainerImage& row) -> const VersionRange& { return row.tensorflow; });
  }

  void cuda() {
    constexpr std::string_view kFile = "cuda.toml";
    std::map<Version, std::size_t> releases;
    for (std::size_t i = 0; i < kb_.driver_minimums.size(); ++i) {
      const DriverMinimum& row = kb_.driver_minimums[i];
      unique(releases, row.cuda, "cuda " + row.cuda.text(), kFile, "driver_minimum", i);
      cited(kFile, i, row.provenance);
    }
    std::map<int, std::size_t> majors;
    for (std::size_t i = 0; i < kb_.minor_version_compat.size(); ++i) {
      const MinorVersionCompat& row = kb_.minor_version_compat[i];
      unique(majors, row.cuda_major, fmt::format("cuda_major {}", row.cuda_major), kFile,
             "minor_version_compat", i);
      cited(kFile, i, row.provenance);
    }
    for (std::size_t i = 0; i < kb_.arch_support.size(); ++i) {
      cited(kFile, i, kb_.arch_support[i].provenance);
    }
    no_overlaps(kb_.arch_support, kFile, "arch_support",
                [](const ArchSupport& row) -> const VersionRange& { return row.cuda; });
  }

  void gpus() {
    constexpr std::string_view kFile = "gpus.toml";
    std::map<std::string, std::size_t> names;
    for (std::size_t i = 0; i < kb_.gpus.size(); ++i) {
      const GpuModel& gpu = kb_.gpus[i];
      unique(names, folded_gpu_name(gpu.name), fmt::format("name \"{}\"", printable(gpu.name, 80)),
             kFile, "gpu", i);
      cited(kFile, i, gpu.provenance);
    }
    std::map<std::string, std::size_t> ids;
    for (std::size_t i = 0; i < kb_.pci_devices.size(); ++i) {
      const PciDevice& device = kb_.pci_devices[i];
      const std::string id = device.vendor + ":" + device.device;
      unique(ids, id, "id " + id, kFile, "pci_device", i);
      if (gpu_names_.count(folded_gpu_name(device.name)) == 0) {
        add(kFile, "pci_device", i,
            fmt::format("name \"{}\" has no [[gpu]] row", printable(device.name, 80)));
      }
      cited(kFile, i, device.provenance);
    }
    std::map<std::string, std::size_t> peak_names;
    for (std::size_t i = 0; i < kb_.peaks.size(); ++i) {
      const GpuPeak& peak = kb_.peaks[i];
      unique(peak_names, to_lower(peak.device_name),
             fmt::format("device_name \"{}\"", printable(peak.device_name, 80)), kFile, "peak", i);
      if (gpu_names_.count(folded_gpu_name(peak.model)) == 0) {
        add(kFile, "peak", i,
            fmt::format("model \"{}\" has no [[gpu]] row", printable(peak.model, 80)));
      }
      // First match wins: a row whose name contains an earlier row's name is never reached.
      for (std::size_t j = 0; j < i; ++j) {
        if (to_lower(peak.device_name).find(to_lower(kb_.peaks[j].device_name)) !=
            std::string::npos) {
          add(kFile, "peak", i,
              fmt::format("device_name \"{}\" is shadowed by peak[{}] \"{}\"",
                          printable(peak.device_name, 80), j,
                          printable(kb_.peaks[j].device_name, 80)));
        }
      }
      cited(kFile, i, peak.provenance);
    }
    std::map<int, std::size_t> generations;
    for (std::size_t i = 0; i < kb_.pcie_generations.size(); ++i) {
      const PcieGeneration& row = kb_.pcie_generations[i];
      unique(generations, row.generation, fmt::format("generation {}", row.generation), kFile,
             "pcie_generation", i);
      // Written so NaN fails too: a share of the line rate, never more than all of it.
      if (!(row.payload_efficiency > 0 && row.payload_efficiency <= 1)) {
        add(kFile, "pcie_generation", i,
            fmt::format("payload_efficiency {} is outside (0, 1]", row.payload_efficiency));
      }
      cited(kFile, i, row.provenance);
    }
  }

  // Rows of driver_branch_end (few) must not overlap: one last branch per GPU.
  void driver_branch_ends() {
    constexpr std::string_view kFile = "gpus.toml";
    for (std::size_t i = 0; i < kb_.driver_branch_ends.size(); ++i) {
      cited(kFile, i, kb_.driver_branch_ends[i].provenance);
    }
    no_overlaps(
        kb_.driver_branch_ends, kFile, "driver_branch_end",
        [](const DriverBranchEnd& row) -> const VersionRange& { return row.compute_capability; });
  }

  void cudnn() {
    constexpr std::string_view kFile = "cudnn.toml";
    for (std::size_t i = 0; i < kb_.cudnn.size(); ++i) {
      cited(kFile, i, kb_.cudnn[i].provenance);
    }
    no_overlaps(kb_.cudnn, kFile, "cudnn",
                [](const CudnnRelease& row) -> const VersionRange& { return row.versions; });
  }

  void signatures() {
    constexpr std::string_view kFile = "signatures.toml";
    std::map<std::string, std::size_t> cause_ids;
    for (std::size_t i = 0; i < kb_.causes.size(); ++i) {
      const Cause& cause = kb_.causes[i];
      unique(cause_ids, cause.id, fmt::format("id \"{}\"", printable(cause.id, 80)), kFile, "cause",
             i);
      if (!is_id(cause.id, '_')) {
        add(kFile, "cause", i, fmt::format("id \"{}\" is not snake_case", printable(cause.id, 80)));
      }
      cited(kFile, i, cause.provenance);
    }
    std::map<std::string, std::size_t> ids;
    for (std::size_t i = 0; i < kb_.signatures.size(); ++i) {
      const Signature& signature = kb_.signatures[i];
      unique(ids, signature.id, fmt::format("id \"{}\"", printable(signature.id, 80)), kFile,
             "signature", i);
      if (!is_id(signature.id, '_')) {
        add(kFile, "signature", i,
            fmt::format("id \"{}\" is not snake_case", printable(signature.id, 80)));
      }
      const Cause* cause = kb_.cause(signature.cause);
      if (cause == nullptr) {
        add(kFile, "signature", i,
            fmt::format("cause \"{}\" has no [[cause]] row", printable(signature.cause, 80)));
      }
      // Written so NaN fails too.
      if (!(signature.weight > 0 && signature.weight <= 1)) {
        add(kFile, "signature", i, fmt::format("weight {} is outside (0, 1]", signature.weight));
      } else if (cause != nullptr && cause->kind == CauseKind::kNoise && signature.weight != 1) {
        // A benign line is certainly benign; a lower weight would let it rank below a guess.
        add(kFile, "signature", i,
            fmt::format("weight {} for the noise cause \"{}\": noise lines weigh 1",
                        signature.weight, cause->id));
      }
      pattern(kFile, i, signature);
      cited(kFile, i, signature.provenance);
    }
  }

  // The pattern must compile with RE2 and name every capture group, no more and no fewer (an
  // unnamed group would hand the matcher a value it cannot label; use (?:…) to group only).
  void pattern(std::string_view file, std::size_t index, const Signature& signature) {
    RE2::Options options;
    options.set_log_errors(false);  // the problem is reported here, not on stderr
    const RE2 regex(signature.pattern, options);
    if (!regex.ok()) {
      add(file, "signature", index,
          fmt::format("pattern does not compile with RE2: {}", printable(regex.error(), 200)));
      return;
    }
    const auto groups = static_cast<std::size_t>(regex.NumberOfCapturingGroups());
    if (signature.captures.size() != groups) {
      add(file, "signature", index,
          fmt::format("captures names {} group{} but the pattern has {} capture group{}",
                      signature.captures.size(), signature.captures.size() == 1 ? "" : "s", groups,
                      groups == 1 ? "" : "s"));
    }
    std::set<std::string_view> names;
    for (const std::string& name : signature.captures) {
      if (!is_id(name, '_')) {
        add(file, "signature", index,
            fmt::format("capture name \"{}\" is not snake_case", printable(name, 80)));
      } else if (!names.insert(name).second) {
        add(file, "signature", index, fmt::format("capture name \"{}\" given twice", name));
      }
    }
  }

  const KnowledgeBase& kb_;
  std::set<std::string, std::less<>> source_ids_;
  std::set<Version> release_lines_;
  std::set<std::string> gpu_names_;
  std::vector<LintProblem> problems_;
};

}  // namespace

std::vector<LintProblem> lint(const KnowledgeBase& kb) {
  return Linter(kb).run();
}

}  // namespace tfgpu::kb
