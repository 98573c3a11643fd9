// SPDX-License-Identifier: Apache-2.0
// tfgpu_kb_compile DIR OUTPUT: the knowledge base compiled at build time (docs/kb.md).
//
// Why: parsing the TOML with toml++ on every `tfgpu doctor` run cost ~5 ms, more than the rest
// of doctor's own work. So the build parses data/kb once, lints it (any problem fails the build,
// naming the file and row) and writes C++ holding the same rows: strings as literals, versions
// as their (already checked) text, parsed again by Version::parse at run time. Building the whole
// KB so takes a few hundred microseconds, and no TOML is parsed; `--kb DIR` still parses it.
//
// The rows are constant data (constexpr arrays of string_views, in .rodata) turned into
// KnowledgeBase values by one short loop per table, rather than one statement per row: that
// first design made ~900 KB of code and took g++ -O3 ~45 s on a 2-core machine; constant data
// costs the compiler next to nothing (~4 s, most of it the headers). The output is rewritten only
// when its text changes, so touching a TOML file without changing the data recompiles nothing.

#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "tfgpu/kb/load.h"

namespace tfgpu::kb {
namespace {

// A C++ string literal holding exactly `text`. Printable ASCII stays readable; every other byte
// becomes a three-digit octal escape (three digits, so a following digit cannot extend it), and
// '?' is escaped so no "??x" can read as a trigraph.
std::string c_literal(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\' || c == '?') {
      out += '\\';
      out += c;
    } else if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      out += fmt::format("\\{:03o}", byte);
    }
  }
  out += '"';
  return out;
}

// A std::string_view literal ("…"sv): its length counts an embedded NUL (TOML allows "\u0000").
// (g++ 12 also rejects a plain "…" converted to string_view inside the constexpr rows' nested
// initializer_lists: "modification of '<temporary>' is not a constant expression".)
std::string text(std::string_view value) {
  return c_literal(value) + "sv";
}

std::string version(const Version& value) {
  return text(value.text());
}

// The empty text stands for "absent": a KB version is never empty (it must start with a digit).
std::string optional_version(const std::optional<Version>& value) {
  return value ? version(*value) : text("");
}

std::string range(const VersionRange& value) {
  return fmt::format("{{{}, {}}}", version(value.first), version(value.last));
}

template <class T, class Show>
std::string list(const std::vector<T>& values, Show show) {
  std::string out = "{";
  for (const T& value : values) {
    out += (out.size() > 1 ? ", " : "") + show(value);
  }
  return out + "}";
}

std::string texts(const std::vector<std::string>& values) {
  return list(values, [](const std::string& value) { return text(value); });
}

std::string versions(const std::vector<Version>& values) {
  return list(values, [](const Version& value) { return version(value); });
}

std::string confidence(Confidence value) {
  switch (value) {
    case Confidence::kConfirmed:
      return "Confidence::kConfirmed";
    case Confidence::kDerived:
      return "Confidence::kDerived";
    case Confidence::kUnconfirmed:
      break;
  }
  return "Confidence::kUnconfirmed";
}

std::string provenance(const Provenance& value) {
  return fmt::format("{{{}, {}, {}, {}, {}, {}}}", text(value.table), text(value.key),
                     confidence(value.confidence), texts(value.sources), texts(value.urls),
                     text(value.note));
}

// One row's initializer, in the field order of its *Row struct in kPreamble.
std::string row(const Source& value) {
  return fmt::format("{{{}, {}, {}}}", text(value.id), text(value.title), text(value.url));
}

std::string row(const TensorflowRelease& value) {
  return fmt::format("{{{}, {}, {}, {}, {}, {}, {}}}", version(value.line),
                     version(value.first_version), range(value.python), version(value.cuda),
                     version(value.cudnn), texts(value.gpu_platforms),
                     provenance(value.provenance));
}

std::string row(const WheelBuild& value) {
  return fmt::format("{{{}, {}, {}}}", range(value.lines), texts(value.compute_capabilities),
                     provenance(value.provenance));
}

std::string row(const AndCudaExtra& value) {
  return fmt::format("{{{}, {}, {}, {}}}", version(value.line), texts(value.requirements),
                     texts(value.loader_runpath_wheels), provenance(value.provenance));
}

// An absent range is two empty texts (a KB version is never empty).
std::string optional_range(const std::optional<VersionRange>& value) {
  return value ? range(*value) : fmt::format("{{{}, {}}}", text(""), text(""));
}

std::string row(const AndCudaRoute& value) {
  return fmt::format("{{{}, {}, {}, {}, {}, {}}}", range(value.lines), text(value.pin),
                     value.link_libraries ? "true" : "false", value.link_ptxas ? "true" : "false",
                     optional_range(value.python), provenance(value.provenance));
}

std::string row(const SonameSet& value) {
  std::string libraries = "{";
  for (const auto& [family, soname] : value.libraries) {
    libraries +=
        fmt::format("{}{{{}, {}}}", libraries.size() > 1 ? ", " : "", text(family), text(soname));
  }
  libraries += "}";
  return fmt::format("{{{}, {}, {}, {}}}", range(value.lines), value.cuda_major, libraries,
                     provenance(value.provenance));
}

std::string row(const Statement& value) {
  return fmt::format("{{{}, {}, {}}}", text(value.id), text(value.text),
                     provenance(value.provenance));
}

std::string row(const DistributionSupport& value) {
  return fmt::format("{{{}, {}, {}, {}}}", text(value.name), range(value.versions),
                     value.cuda ? "true" : "false", provenance(value.provenance));
}

std::string row(const ContainerImage& value) {
  return fmt::format("{{{}, {}, {}, {}, {}}}", text(value.image), range(value.tensorflow),
                     version(value.cuda), version(value.cudnn), provenance(value.provenance));
}

std::string row(const DriverMinimum& value) {
  return fmt::format("{{{}, {}, {}, {}, {}}}", version(value.cuda), text(value.release),
                     version(value.linux_driver), optional_version(value.windows_driver),
                     provenance(value.provenance));
}

std::string row(const MinorVersionCompat& value) {
  return fmt::format("{{{}, {}, {}, {}, {}}}", value.cuda_major, version(value.linux_driver),
                     optional_version(value.windows_driver), optional_version(value.below),
                     provenance(value.provenance));
}

std::string row(const ArchSupport& value) {
  return fmt::format("{{{}, {}, {}}}", range(value.cuda), versions(value.compute_capabilities),
                     provenance(value.provenance));
}

std::string row(const GpuModel& value) {
  return fmt::format("{{{}, {}, {}, {}, {}, {}}}", text(value.name), text(value.segment),
                     version(value.compute_capability), versions(value.alternatives),
                     text(value.architecture), provenance(value.provenance));
}

std::string row(const DriverBranchEnd& value) {
  return fmt::format("{{{}, {}, {}, {}}}", range(value.compute_capability),
                     text(value.architecture), version(value.last_branch),
                     provenance(value.provenance));
}

std::string row(const PciDevice& value) {
  return fmt::format("{{{}, {}, {}, {}}}", text(value.vendor), text(value.device), text(value.name),
                     provenance(value.provenance));
}

std::string row(const GpuPeak& value) {
  return fmt::format("{{{}, {}, {}, {}, {}, {}, {}, {}}}", text(value.device_name),
                     text(value.model), value.fp32_tflops, value.tf32_tflops, value.fp16_tflops,
                     value.bf16_tflops, value.memory_bandwidth_gbs, provenance(value.provenance));
}

std::string row(const CudnnRelease& value) {
  const std::string builds = list(value.builds, [](const CudnnBuild& build) {
    return fmt::format("{{{}, {}, {}}}", range(build.cuda), version(build.linux_driver),
                       optional_version(build.windows_driver));
  });
  return fmt::format("{{{}, {}, {}, {}, {}}}", range(value.versions), text(value.soname),
                     range(value.compute_capability), builds, provenance(value.provenance));
}

std::string cause_kind(CauseKind value) {
  return value == CauseKind::kNoise ? "CauseKind::kNoise" : "CauseKind::kFailure";
}

// The shortest text that reads back as the same double ({} in fmt round-trips), with a decimal
// point or exponent so it is a floating literal. Lint has rejected NaN and infinities.
std::string number(double value) {
  std::string out = fmt::format("{}", value);
  if (out.find_first_of(".e") == std::string::npos) {
    out += ".0";
  }
  return out;
}

std::string row(const PcieGeneration& value) {
  return fmt::format("{{{}, {}, {}, {}, {}}}", value.generation, number(value.transfer_rate_gts),
                     text(value.encoding), number(value.payload_efficiency),
                     provenance(value.provenance));
}

std::string row(const Cause& value) {
  return fmt::format("{{{}, {}, {}, {}, {}}}", text(value.id), cause_kind(value.kind),
                     text(value.summary), text(value.fix), provenance(value.provenance));
}

std::string row(const Signature& value) {
  return fmt::format("{{{}, {}, {}, {}, {}, {}}}", text(value.id), text(value.cause),
                     text(value.pattern), number(value.weight), texts(value.captures),
                     provenance(value.provenance));
}

// What every generated file starts with: the row types (plain constant data, so the rows are
// constant-initialized into .rodata and the compiler has no code to optimize per row) and one
// function per table turning rows into KnowledgeBase values. A field added to a KnowledgeBase
// struct and not here fails the build (-Wmissing-field-initializers) and compiled_kb_test.
constexpr std::string_view kPreamble =
    R"(// Generated by tfgpu_kb_compile (src/tfgpu/kb/compile/kb_compile.cc) from a knowledge base
// folder (data/kb/ for the binary's copy) that it parsed and linted; do not edit.
#include <array>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tfgpu/kb/load.h"

namespace tfgpu::kb {
namespace {

using namespace std::string_view_literals;

using Text = std::string_view;
using Texts = std::initializer_list<std::string_view>;

struct Range {
  Text first;
  Text last;
};

struct ProvenanceRow {
  Text table;
  Text key;
  Confidence confidence;
  Texts sources;
  Texts urls;
  Text note;
};

struct SourceRow {
  Text id;
  Text title;
  Text url;
};

struct ReleaseRow {
  Text line;
  Text first_version;
  Range python;
  Text cuda;
  Text cudnn;
  Texts gpu_platforms;
  ProvenanceRow provenance;
};

struct WheelBuildRow {
  Range lines;
  Texts compute_capabilities;
  ProvenanceRow provenance;
};

struct AndCudaRow {
  Text line;
  Texts requirements;
  Texts loader_runpath_wheels;
  ProvenanceRow provenance;
};

struct AndCudaRouteRow {
  Range lines;
  Text pin;  // empty: none
  bool link_libraries;
  bool link_ptxas;
  Range python;  // empty texts: none
  ProvenanceRow provenance;
};

struct LibraryRow {
  Text family;
  Text soname;
};

struct SonamesRow {
  Range lines;
  int cuda_major;
  std::initializer_list<LibraryRow> libraries;
  ProvenanceRow provenance;
};

struct StatementRow {
  Text id;
  Text text;
  ProvenanceRow provenance;
};

struct DistributionRow {
  Text name;
  Range versions;
  bool cuda;
  ProvenanceRow provenance;
};

struct ContainerImageRow {
  Text image;
  Range tensorflow;
  Text cuda;
  Text cudnn;
  ProvenanceRow provenance;
};

struct DriverMinimumRow {
  Text cuda;
  Text release;
  Text linux_driver;
  Text windows_driver;  // empty: none
  ProvenanceRow provenance;
};

struct MinorVersionCompatRow {
  int cuda_major;
  Text linux_driver;
  Text windows_driver;  // empty: none
  Text below;           // empty: none
  ProvenanceRow provenance;
};

struct ArchSupportRow {
  Range cuda;
  Texts compute_capabilities;
  ProvenanceRow provenance;
};

struct GpuRow {
  Text name;
  Text segment;
  Text compute_capability;
  Texts alternatives;
  Text architecture;
  ProvenanceRow provenance;
};

struct DriverBranchEndRow {
  Range compute_capability;
  Text architecture;
  Text last_branch;
  ProvenanceRow provenance;
};

struct PciDeviceRow {
  Text vendor;
  Text device;
  Text name;
  ProvenanceRow provenance;
};

struct PeakRow {
  Text device_name;
  Text model;
  double fp32_tflops;
  double tf32_tflops;
  double fp16_tflops;
  double bf16_tflops;
  double memory_bandwidth_gbs;
  ProvenanceRow provenance;
};

struct PcieGenerationRow {
  int generation;
  double transfer_rate_gts;
  Text encoding;
  double payload_efficiency;
  ProvenanceRow provenance;
};

struct CudnnBuildRow {
  Range cuda;
  Text linux_driver;
  Text windows_driver;  // empty: none
};

struct CudnnRow {
  Range versions;
  Text soname;
  Range compute_capability;
  std::initializer_list<CudnnBuildRow> builds;
  ProvenanceRow provenance;
};

struct CauseRow {
  Text id;
  CauseKind kind;
  Text summary;
  Text fix;
  ProvenanceRow provenance;
};

struct SignatureRow {
  Text id;
  Text cause;
  Text pattern;
  double weight;
  Texts captures;
  ProvenanceRow provenance;
};

std::string text(Text value) {
  return std::string(value);
}

std::vector<std::string> texts(Texts values) {
  return std::vector<std::string>(values.begin(), values.end());
}

// Every version here parsed, and spelled itself exactly so, when this file was generated.
Version version(Text value) {
  return Version::parse(value).value();
}

std::optional<Version> optional_version(Text value) {
  return value.empty() ? std::nullopt : std::optional<Version>(version(value));
}

std::vector<Version> versions(Texts values) {
  std::vector<Version> out;
  out.reserve(values.size());
  for (Text value : values) {
    out.push_back(version(value));
  }
  return out;
}

VersionRange range(const Range& value) {
  return VersionRange{version(value.first), version(value.last)};
}

std::optional<VersionRange> optional_range(const Range& value) {
  return value.first.empty() ? std::nullopt : std::optional<VersionRange>(range(value));
}

Provenance provenance(const ProvenanceRow& row) {
  return Provenance{text(row.table), text(row.key), row.confidence,
                    texts(row.sources), texts(row.urls), text(row.note)};
}

)";

constexpr std::string_view kTableFunctions = R"(
void add_sources(KnowledgeBase& kb) {
  kb.sources.reserve(kSources.size());
  for (const SourceRow& row : kSources) {
    kb.sources.push_back(Source{text(row.id), text(row.title), text(row.url)});
  }
}

void add_releases(KnowledgeBase& kb) {
  kb.releases.reserve(kReleases.size());
  for (const ReleaseRow& row : kReleases) {
    kb.releases.push_back(TensorflowRelease{version(row.line), version(row.first_version),
                                            range(row.python), version(row.cuda),
                                            version(row.cudnn), texts(row.gpu_platforms),
                                            provenance(row.provenance)});
  }
}

void add_wheel_builds(KnowledgeBase& kb) {
  kb.wheel_builds.reserve(kWheelBuilds.size());
  for (const WheelBuildRow& row : kWheelBuilds) {
    kb.wheel_builds.push_back(WheelBuild{range(row.lines), texts(row.compute_capabilities),
                                         provenance(row.provenance)});
  }
}

void add_and_cuda(KnowledgeBase& kb) {
  kb.and_cuda.reserve(kAndCuda.size());
  for (const AndCudaRow& row : kAndCuda) {
    kb.and_cuda.push_back(
        AndCudaExtra{version(row.line), texts(row.requirements), texts(row.loader_runpath_wheels),
                     provenance(row.provenance)});
  }
}

void add_and_cuda_routes(KnowledgeBase& kb) {
  kb.and_cuda_routes.reserve(kAndCudaRoutes.size());
  for (const AndCudaRouteRow& row : kAndCudaRoutes) {
    kb.and_cuda_routes.push_back(AndCudaRoute{range(row.lines), text(row.pin), row.link_libraries,
                                              row.link_ptxas, optional_range(row.python),
                                              provenance(row.provenance)});
  }
}

void add_sonames(KnowledgeBase& kb) {
  kb.sonames.reserve(kSonames.size());
  for (const SonamesRow& row : kSonames) {
    std::map<std::string, std::string> libraries;
    for (const LibraryRow& library : row.libraries) {
      libraries.emplace(text(library.family), text(library.soname));
    }
    kb.sonames.push_back(SonameSet{range(row.lines), row.cuda_major, std::move(libraries),
                                   provenance(row.provenance)});
  }
}

void add_statements(KnowledgeBase& kb) {
  kb.statements.reserve(kStatements.size());
  for (const StatementRow& row : kStatements) {
    kb.statements.push_back(Statement{text(row.id), text(row.text), provenance(row.provenance)});
  }
}

void add_distributions(KnowledgeBase& kb) {
  kb.distributions.reserve(kDistributions.size());
  for (const DistributionRow& row : kDistributions) {
    kb.distributions.push_back(DistributionSupport{text(row.name), range(row.versions), row.cuda,
                                                   provenance(row.provenance)});
  }
}

void add_container_images(KnowledgeBase& kb) {
  kb.container_images.reserve(kContainerImages.size());
  for (const ContainerImageRow& row : kContainerImages) {
    kb.container_images.push_back(ContainerImage{text(row.image), range(row.tensorflow),
                                                 version(row.cuda), version(row.cudnn),
                                                 provenance(row.provenance)});
  }
}

void add_driver_minimums(KnowledgeBase& kb) {
  kb.driver_minimums.reserve(kDriverMinimums.size());
  for (const DriverMinimumRow& row : kDriverMinimums) {
    kb.driver_minimums.push_back(DriverMinimum{version(row.cuda), text(row.release),
                                               version(row.linux_driver),
                                               optional_version(row.windows_driver),
                                               provenance(row.provenance)});
  }
}

void add_minor_version_compat(KnowledgeBase& kb) {
  kb.minor_version_compat.reserve(kMinorVersionCompat.size());
  for (const MinorVersionCompatRow& row : kMinorVersionCompat) {
    kb.minor_version_compat.push_back(MinorVersionCompat{
        row.cuda_major, version(row.linux_driver), optional_version(row.windows_driver),
        optional_version(row.below), provenance(row.provenance)});
  }
}

void add_arch_support(KnowledgeBase& kb) {
  kb.arch_support.reserve(kArchSupport.size());
  for (const ArchSupportRow& row : kArchSupport) {
    kb.arch_support.push_back(ArchSupport{range(row.cuda), versions(row.compute_capabilities),
                                          provenance(row.provenance)});
  }
}

void add_gpus(KnowledgeBase& kb) {
  kb.gpus.reserve(kGpus.size());
  for (const GpuRow& row : kGpus) {
    kb.gpus.push_back(GpuModel{text(row.name), text(row.segment),
                               version(row.compute_capability), versions(row.alternatives),
                               text(row.architecture), provenance(row.provenance)});
  }
}

void add_driver_branch_ends(KnowledgeBase& kb) {
  kb.driver_branch_ends.reserve(kDriverBranchEnds.size());
  for (const DriverBranchEndRow& row : kDriverBranchEnds) {
    kb.driver_branch_ends.push_back(DriverBranchEnd{range(row.compute_capability),
                                                    text(row.architecture),
                                                    version(row.last_branch),
                                                    provenance(row.provenance)});
  }
}

void add_pci_devices(KnowledgeBase& kb) {
  kb.pci_devices.reserve(kPciDevices.size());
  for (const PciDeviceRow& row : kPciDevices) {
    kb.pci_devices.push_back(PciDevice{text(row.vendor), text(row.device), text(row.name),
                                       provenance(row.provenance)});
  }
}

void add_peaks(KnowledgeBase& kb) {
  kb.peaks.reserve(kPeaks.size());
  for (const PeakRow& row : kPeaks) {
    kb.peaks.push_back(GpuPeak{text(row.device_name), text(row.model), row.fp32_tflops,
                               row.tf32_tflops, row.fp16_tflops, row.bf16_tflops,
                               row.memory_bandwidth_gbs, provenance(row.provenance)});
  }
}

void add_pcie_generations(KnowledgeBase& kb) {
  kb.pcie_generations.reserve(kPcieGenerations.size());
  for (const PcieGenerationRow& row : kPcieGenerations) {
    kb.pcie_generations.push_back(PcieGeneration{row.generation, row.transfer_rate_gts,
                                                 text(row.encoding), row.payload_efficiency,
                                                 provenance(row.provenance)});
  }
}

void add_cudnn(KnowledgeBase& kb) {
  kb.cudnn.reserve(kCudnn.size());
  for (const CudnnRow& row : kCudnn) {
    std::vector<CudnnBuild> builds;
    builds.reserve(row.builds.size());
    for (const CudnnBuildRow& build : row.builds) {
      builds.push_back(CudnnBuild{range(build.cuda), version(build.linux_driver),
                                  optional_version(build.windows_driver)});
    }
    kb.cudnn.push_back(CudnnRelease{range(row.versions), text(row.soname),
                                    range(row.compute_capability), std::move(builds),
                                    provenance(row.provenance)});
  }
}

void add_causes(KnowledgeBase& kb) {
  kb.causes.reserve(kCauses.size());
  for (const CauseRow& row : kCauses) {
    kb.causes.push_back(
        Cause{text(row.id), row.kind, text(row.summary), text(row.fix), provenance(row.provenance)});
  }
}

void add_signatures(KnowledgeBase& kb) {
  kb.signatures.reserve(kSignatures.size());
  for (const SignatureRow& row : kSignatures) {
    kb.signatures.push_back(Signature{text(row.id), text(row.cause), text(row.pattern), row.weight,
                                      texts(row.captures), provenance(row.provenance)});
  }
}

}  // namespace
)";

class Writer {
 public:
  // `array` (kGpus) of `type` (GpuRow) holding `rows`, one a line.
  template <class Row>
  void table(std::string_view array, std::string_view type, const std::vector<Row>& rows) {
    out_ += fmt::format("constexpr std::array<{}, {}> {} = {{{{\n", type, rows.size(), array);
    for (const Row& value : rows) {
      out_ += fmt::format("    {},\n", row(value));
    }
    out_ += "}};\n\n";
  }

  // `function`: the name of the function returning the KB; compiled_kb() also gets
  // load_embedded() beside it.
  std::string file(const KnowledgeBase& kb, std::string_view function) const {
    const std::string_view load_embedded = function != "compiled_kb" ? "" : R"(
Result<KnowledgeBase> load_embedded() {
  return compiled_kb();
}
)";
    return fmt::format(R"({}{}constexpr Text kNightlyRule = {};
{}
KnowledgeBase {}() {{
  KnowledgeBase kb;
  kb.origin = "embedded";
  add_sources(kb);
  add_releases(kb);
  add_wheel_builds(kb);
  add_and_cuda(kb);
  add_and_cuda_routes(kb);
  add_sonames(kb);
  add_statements(kb);
  add_distributions(kb);
  add_container_images(kb);
  kb.nightly_rule = text(kNightlyRule);
  add_driver_minimums(kb);
  add_minor_version_compat(kb);
  add_arch_support(kb);
  add_gpus(kb);
  add_pci_devices(kb);
  add_peaks(kb);
  add_pcie_generations(kb);
  add_driver_branch_ends(kb);
  add_cudnn(kb);
  add_causes(kb);
  add_signatures(kb);
  return kb;
}}
{}
}}  // namespace tfgpu::kb
)",
                       kPreamble, out_, text(kb.nightly_rule), kTableFunctions, function,
                       load_embedded);
  }

 private:
  std::string out_;
};

std::string generate(const KnowledgeBase& kb, std::string_view function) {
  Writer writer;
  writer.table("kSources", "SourceRow", kb.sources);
  writer.table("kReleases", "ReleaseRow", kb.releases);
  writer.table("kWheelBuilds", "WheelBuildRow", kb.wheel_builds);
  writer.table("kAndCuda", "AndCudaRow", kb.and_cuda);
  writer.table("kAndCudaRoutes", "AndCudaRouteRow", kb.and_cuda_routes);
  writer.table("kSonames", "SonamesRow", kb.sonames);
  writer.table("kStatements", "StatementRow", kb.statements);
  writer.table("kDistributions", "DistributionRow", kb.distributions);
  writer.table("kContainerImages", "ContainerImageRow", kb.container_images);
  writer.table("kDriverMinimums", "DriverMinimumRow", kb.driver_minimums);
  writer.table("kMinorVersionCompat", "MinorVersionCompatRow", kb.minor_version_compat);
  writer.table("kArchSupport", "ArchSupportRow", kb.arch_support);
  writer.table("kGpus", "GpuRow", kb.gpus);
  writer.table("kPciDevices", "PciDeviceRow", kb.pci_devices);
  writer.table("kPeaks", "PeakRow", kb.peaks);
  writer.table("kPcieGenerations", "PcieGenerationRow", kb.pcie_generations);
  writer.table("kDriverBranchEnds", "DriverBranchEndRow", kb.driver_branch_ends);
  writer.table("kCudnn", "CudnnRow", kb.cudnn);
  writer.table("kCauses", "CauseRow", kb.causes);
  writer.table("kSignatures", "SignatureRow", kb.signatures);
  return writer.file(kb, function);
}

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes beside `path` and renames, so an interrupted build never leaves half a file; leaves an
// unchanged file alone so its timestamp (and what depends on it) stays.
bool write_if_changed(const std::string& path, const std::string& text) {
  if (read_text(path) == text) {
    return true;
  }
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::remove(temporary.c_str());
      return false;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

bool is_identifier(std::string_view name) {
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) {
    return false;
  }
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

int compile(const std::string& dir, const std::string& output, const std::string& function) {
  auto files = read_directory(dir);
  if (!files) {
    fmt::print(stderr, "tfgpu_kb_compile: {}\n", files.error().message);
    return 1;
  }
  std::vector<LintProblem> problems;
  auto kb = parse_files(*files, dir, &problems);
  if (!kb) {
    fmt::print(stderr, "tfgpu_kb_compile: {}\n", kb.error().message);
    return 1;
  }
  const std::vector<LintProblem> lint_problems = lint(*kb);
  problems.insert(problems.end(), lint_problems.begin(), lint_problems.end());
  if (!problems.empty()) {
    for (const LintProblem& problem : problems) {
      fmt::print(stderr, "{}/{}: {}\n", dir, problem.where, problem.problem);
    }
    fmt::print(stderr,
               "tfgpu_kb_compile: {} problem{} in the knowledge base; the build stops until they "
               "are fixed (`tfgpu kb lint --kb {}` shows the same)\n",
               problems.size(), problems.size() == 1 ? "" : "s", dir);
    return 1;
  }
  if (!write_if_changed(output, generate(*kb, function))) {
    fmt::print(stderr, "tfgpu_kb_compile: cannot write {}\n", output);
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace tfgpu::kb

// FUNCTION (default compiled_kb) lets a test compile a second KB into the same binary.
int main(int argc, char** argv) {
  const std::string function = argc == 4 ? argv[3] : "compiled_kb";
  if ((argc != 3 && argc != 4) || !tfgpu::kb::is_identifier(function)) {
    std::fputs("usage: tfgpu_kb_compile KB_DIR OUTPUT.cc [FUNCTION (a C++ identifier)]\n", stderr);
    return 2;
  }
  return tfgpu::kb::compile(argv[1], argv[2], function);
}
