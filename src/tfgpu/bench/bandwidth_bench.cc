// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/bench/bandwidth_bench.h"

#include <cctype>
#include <cstring>
#include <functional>
#include <limits>
#include <new>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"
#include "tfgpu/bench/device_buffer.h"

namespace tfgpu::bench {
namespace {

struct CopyKind {
  const char* id;
  const char* direction;
  const char* host_memory;
};

constexpr CopyKind kH2dPinned{"h2d_pinned", "host_to_device", "pinned"};
constexpr CopyKind kD2hPinned{"d2h_pinned", "device_to_host", "pinned"};
constexpr CopyKind kH2dPageable{"h2d_pageable", "host_to_device", "pageable"};
constexpr CopyKind kD2hPageable{"d2h_pageable", "device_to_host", "pageable"};
constexpr CopyKind kD2d{"d2d", "device_to_device", ""};

constexpr const char* kPcieLinkPeak = "pcie_link";
constexpr const char* kMemoryBandwidthPeak = "memory_bandwidth";

bool crosses_pcie(const BandwidthMeasurement& m) {
  return m.direction == "host_to_device" || m.direction == "device_to_host";
}

}  // namespace

std::string bandwidth_line(const BandwidthMeasurement& m, const PcieLink* link) {
  if (!m.ran()) {
    return fmt::format("bench: copy {}: not measured: {}", m.id, m.error);
  }
  std::string against;
  if (m.percent_of_peak && m.peak_gbs && m.peak_kind == kPcieLinkPeak) {
    against = fmt::format("{:.1f} % of the {} link's {:.1f} GB/s", *m.percent_of_peak,
                          link != nullptr ? pcie_link_name(*link) : "PCIe", *m.peak_gbs);
  } else if (m.percent_of_peak && m.peak_gbs) {
    against = fmt::format("{:.1f} % of the {:.0f} GB/s memory bandwidth", *m.percent_of_peak,
                          *m.peak_gbs);
  } else if (!crosses_pcie(m)) {
    against = "no peak known";
  } else if (link == nullptr) {
    against = "compared with the PCIe link after the copies";
  } else {
    against = "no PCIe peak: " + link->why_no_peak;
  }
  return fmt::format("bench: copy {}: {:.1f} GB/s, {} ({} copies of {} bytes in {:.2f} ms)", m.id,
                     m.gbs, against, m.iterations, m.buffer_bytes, m.elapsed_ms);
}

double gigabytes_per_second(std::uint64_t bytes, int iterations, double elapsed_ms) {
  if (!(elapsed_ms > 0)) {
    return 0;
  }
  return static_cast<double>(bytes) * iterations / (elapsed_ms * 1e-3) / 1e9;
}

std::vector<BandwidthMeasurement> run_bandwidth(vendor::CudaCompute& compute,
                                                const BandwidthOptions& options,
                                                const std::optional<BenchPeak>& peak,
                                                const Progress& progress) {
  const auto bytes = static_cast<std::size_t>(options.buffer_bytes);
  std::vector<BandwidthMeasurement> out;

  const auto measure = [&](const CopyKind& kind, const Result<void>& ready,
                           const std::function<Result<void>()>& copy) {
    BandwidthMeasurement m;
    m.id = kind.id;
    m.direction = kind.direction;
    m.host_memory = kind.host_memory;
    m.buffer_bytes = bytes;
    const bool on_device = m.direction == "device_to_device";
    m.bytes_counted_per_copy = on_device ? 2 * options.buffer_bytes : options.buffer_bytes;
    if (on_device) {
      m.note = "counts 2x the buffer per copy: a device copy reads and writes device memory";
      if (peak && peak->memory_bandwidth_gbs > 0) {
        m.peak_gbs = peak->memory_bandwidth_gbs;
        m.peak_kind = kMemoryBandwidthPeak;
      }
    } else {
      // compare_with_pcie_link replaces this once the link has been read.
      m.note = "to be compared with the PCIe link, read after the copies";
    }
    Result<void> done = ready;
    if (done) {
      done = [&]() -> Result<void> {
        TFGPU_TRY(copy());  // warm-up
        TFGPU_TRY(compute.synchronize());
        auto iterations =
            choose_iterations(compute, options.iterations, options.target_ms, copy, 1);
        if (!iterations) {
          return tl::unexpected(iterations.error());
        }
        auto elapsed = time_with_events(compute, *iterations, copy);
        if (!elapsed) {
          return tl::unexpected(elapsed.error());
        }
        m.iterations = *iterations;
        m.elapsed_ms = *elapsed;
        return {};
      }();
    }
    if (done) {
      m.gbs = gigabytes_per_second(m.bytes_counted_per_copy, m.iterations, m.elapsed_ms);
      if (m.peak_gbs) {
        m.percent_of_peak = 100.0 * m.gbs / *m.peak_gbs;
      }
    } else {
      m.iterations = 0;
      m.elapsed_ms = 0;
      m.error = done.error().message;
      (void)compute.synchronize();
    }
    if (progress) {
      progress(bandwidth_line(m));
    }
    out.push_back(std::move(m));
  };
  const auto failed = [](const std::string& what, const Error& error) -> Result<void> {
    return make_error(error.code, what + ": " + error.message, error.vendor_status);
  };

  auto source = DeviceBuffer::allocate(compute, bytes);
  auto target = DeviceBuffer::allocate(compute, bytes);
  auto pinned = PinnedBuffer::allocate(compute, bytes);
  std::vector<std::byte> pageable;
  Result<void> pageable_ready;
  try {
    // Value-initialised: every page is written once now, so the copies do not fault them in.
    pageable.resize(bytes);
  } catch (const std::bad_alloc&) {
    pageable_ready = make_error(Errc::kResourceExhausted,
                                fmt::format("{} bytes of pageable host memory", bytes));
  }
  if (pinned) {
    std::memset(pinned->span().data(), 0x5a, bytes);
  }
  const Result<void> source_ready =
      source ? Result<void>()
             : failed(fmt::format("device buffer of {} bytes", bytes), source.error());
  const Result<void> pinned_ready =
      !source_ready ? source_ready
      : pinned      ? Result<void>()
                    : failed(fmt::format("pinned host buffer of {} bytes", bytes), pinned.error());
  const Result<void> pageable_both = !source_ready ? source_ready : pageable_ready;

  const auto device = [&] {
    return source ? source->get() : vendor::DevicePtr{0};
  };
  measure(kH2dPinned, pinned_ready,
          [&] { return compute.copy_to_device(device(), pinned->span()); });
  measure(kD2hPinned, pinned_ready, [&] { return compute.copy_to_host(pinned->span(), device()); });
  measure(kH2dPageable, pageable_both,
          [&] { return compute.copy_to_device(device(), std::span<const std::byte>(pageable)); });
  measure(kD2hPageable, pageable_both,
          [&] { return compute.copy_to_host(std::span<std::byte>(pageable), device()); });
  const Result<void> d2d_ready =
      !source_ready ? source_ready
      : target      ? Result<void>()
               : failed(fmt::format("second device buffer of {} bytes", bytes), target.error());
  measure(kD2d, d2d_ready,
          [&] { return compute.copy_device_to_device(target->get(), device(), bytes); });
  return out;
}

std::optional<int> pcie_generation(std::string_view link_speed) {
  // Transfer rate per lane → generation (PCI-SIG): 2.5, 5, 8, 16, 32, 64 GT/s.
  static constexpr std::pair<std::string_view, int> kRates[] = {
      {"2.5 GT/s", 1}, {"5.0 GT/s", 2},  {"5 GT/s", 2},    {"8.0 GT/s", 3},
      {"8 GT/s", 3},   {"16.0 GT/s", 4}, {"32.0 GT/s", 5}, {"64.0 GT/s", 6}};
  const std::string_view speed = trim(link_speed);
  for (const auto& [rate, generation] : kRates) {
    if (speed == rate || (speed.starts_with(rate) && speed.substr(rate.size()).starts_with(" "))) {
      return generation;
    }
  }
  return std::nullopt;
}

PcieLink read_pcie_link(const probe::SysRoot& root, std::string_view pci_bus_id) {
  PcieLink link;
  if (pci_bus_id.empty()) {
    link.why_unknown = "the driver gave no PCI bus id";
    return link;
  }
  std::string id(pci_bus_id);
  for (char& c : id) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  const std::string dir = "/sys/bus/pci/devices/" + id;
  link.source = dir + "/current_link_speed";
  std::vector<std::string> unknown;
  auto speed = root.read_file(dir + "/current_link_speed", 256);
  if (speed) {
    link.link_speed = std::string(trim(*speed));
    link.generation = pcie_generation(link.link_speed);
    if (!link.generation) {
      unknown.push_back(fmt::format("link speed '{}' is not a PCIe rate", link.link_speed));
    }
  } else {
    unknown.push_back(speed.error().message);
  }
  auto width = root.read_file(dir + "/current_link_width", 256);
  if (width) {
    const std::string_view text = trim(*width);
    int lanes = 0;
    bool digits = !text.empty() && text.size() <= 3;
    for (char c : text) {
      digits = digits && c >= '0' && c <= '9';
      lanes = lanes * 10 + (c - '0');
    }
    if (digits && lanes > 0) {
      link.width = lanes;
    } else {
      unknown.push_back(fmt::format("link width '{}' is not a lane count", text));
    }
  } else {
    unknown.push_back(width.error().message);
  }
  for (const std::string& why : unknown) {
    link.why_unknown += (link.why_unknown.empty() ? "" : "; ") + why;
  }
  return link;
}

std::string pcie_link_name(const PcieLink& link) {
  return fmt::format("PCIe {} x{}",
                     link.generation ? fmt::format("{}.0", *link.generation) : std::string("?"),
                     link.width ? fmt::format("{}", *link.width) : std::string("?"));
}

double pcie_payload_gbs(const BenchPcieGeneration& row, int width) {
  return row.transfer_rate_gts * width * row.payload_efficiency / 8;
}

std::string pcie_peak_explanation(const PcieLink& link) {
  if (!link.peak_gbs || !link.kb_row || !link.width) {
    return "no PCIe peak";
  }
  const BenchPcieGeneration& row = *link.kb_row;
  // The example is anchors.md's: bandwidthTest on an A100-PCIE-40GB
  // (github.com/jdh4/della-gpu-A100).
  return fmt::format(
      "the {} link's raw payload rate per direction, {:.1f} GB/s ({} GT/s x {} lanes x {:.4g} "
      "({}) / 8; the KB's [[pcie_generation]] row {}, {}): packet headers keep real copies below "
      "it (bandwidthTest reaches about 26 GB/s host to device on a gen-4 x16 A100 PCIe, whose "
      "link carries 31.5)",
      pcie_link_name(link), *link.peak_gbs, row.transfer_rate_gts, *link.width,
      row.payload_efficiency, row.encoding, row.generation, row.confidence);
}

PcieLink with_pcie_peak(PcieLink link, const std::vector<BenchPcieGeneration>& generations) {
  link.peak_gbs.reset();
  link.kb_row.reset();
  link.why_no_peak.clear();
  if (!link.generation || !link.width) {
    link.why_no_peak = "the link's " +
                       std::string(!link.generation && !link.width ? "generation and width are"
                                   : !link.generation              ? "generation is"
                                                                   : "width is") +
                       " unknown" + (link.why_unknown.empty() ? "" : ": " + link.why_unknown);
    return link;
  }
  const BenchPcieGeneration* row = nullptr;
  for (const BenchPcieGeneration& candidate : generations) {
    if (candidate.generation == *link.generation) {
      row = &candidate;
      break;
    }
  }
  if (row == nullptr) {
    link.why_no_peak = fmt::format(
        "the knowledge base has no [[pcie_generation]] row for generation {}", *link.generation);
    return link;
  }
  // Lint refuses such rows in data/kb, but `--kb DIR` is only parsed: a peak that is not a
  // positive rate would make every percentage a lie, so there is none.
  const double gbs = pcie_payload_gbs(*row, *link.width);
  if (!(row->transfer_rate_gts > 0 && row->payload_efficiency > 0 && row->payload_efficiency <= 1 &&
        gbs > 0 && gbs < 1e6)) {
    link.why_no_peak = fmt::format(
        "the knowledge base's [[pcie_generation]] row for generation {} gives no rate "
        "(transfer_rate_gts {}, payload_efficiency {})",
        row->generation, row->transfer_rate_gts, row->payload_efficiency);
    return link;
  }
  link.peak_gbs = gbs;
  link.kb_row = *row;
  return link;
}

void compare_with_pcie_link(std::vector<BandwidthMeasurement>& rows, const PcieLink& link) {
  for (BandwidthMeasurement& m : rows) {
    if (!crosses_pcie(m)) {
      continue;
    }
    m.peak_gbs.reset();
    m.percent_of_peak.reset();
    m.peak_kind.clear();
    if (!link.peak_gbs || !link.kb_row) {
      m.note = "no PCIe peak: " +
               (link.why_no_peak.empty() ? std::string("the link is unknown") : link.why_no_peak);
      continue;
    }
    m.peak_gbs = link.peak_gbs;
    m.peak_kind = kPcieLinkPeak;
    m.note = "against " + pcie_peak_explanation(link);
    if (!m.ran()) {
      continue;
    }
    m.percent_of_peak = 100.0 * m.gbs / *link.peak_gbs;
    if (m.gbs > *link.peak_gbs) {
      m.note +=
          "; above it: the link was read at a lower speed than the copies ran at, or the copies "
          "did not cross this link";
    }
  }
}

Result<std::uint64_t> parse_byte_size(std::string_view text) {
  const auto invalid = [&](const char* why) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("byte size '{}': {} (digits with an optional K, M, G, KiB, MiB "
                                  "or GiB)",
                                  text, why));
  };
  std::size_t digits = 0;
  std::uint64_t value = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    const auto digit = static_cast<std::uint64_t>(text[digits] - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
      return invalid("too large");
    }
    value = value * 10 + digit;
    ++digits;
  }
  if (digits == 0) {
    return invalid("not a number");
  }
  std::string unit(text.substr(digits));
  for (char& c : unit) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  int shift = -1;
  if (unit.empty() || unit == "b") {
    shift = 0;
  } else if (unit == "k" || unit == "kib") {
    shift = 10;
  } else if (unit == "m" || unit == "mib") {
    shift = 20;
  } else if (unit == "g" || unit == "gib") {
    shift = 30;
  }
  if (shift < 0) {
    return invalid("unknown unit");
  }
  if (value > (std::numeric_limits<std::uint64_t>::max() >> shift)) {
    return invalid("too large");
  }
  if (value == 0) {
    return invalid("zero bytes");
  }
  return value << shift;
}

}  // namespace tfgpu::bench
