// SPDX-License-Identifier: Apache-2.0
// PCI probe: NVIDIA GPUs as the kernel's PCI core sees them, whether or not any NVIDIA driver is
// installed. Every device is a directory under /sys/devices, linked from /sys/bus/pci/devices/
// <domain:bus:dev.fn>, with the config-space IDs in hex files (vendor "0x10de", class "0x030200")
// and a `driver` symlink to the bound driver (Linux Documentation/ABI/testing/sysfs-bus-pci).
// This is what `lspci -nnk` reads; it answers "is there a GPU at all, and who owns it" before
// any NVIDIA software is asked.
#include <cstdint>
#include <optional>
#include <string>

#include "tfgpu/base/strings.h"
#include "tfgpu/probe/pci_ids.h"
#include "tfgpu/probe/probes.h"

namespace tfgpu::probe {
namespace {

using model::Observed;

constexpr const char* kPciDevices = "/sys/bus/pci/devices";

// PCI base class 0x03 = display controller (0x0300 VGA, 0x0302 3D controller, 0x0380 other).
// NVIDIA boards also expose HD-audio (0x0403) and USB-C (0x0c03, 0x0c80) functions: not GPUs.
constexpr std::uint32_t kDisplayBaseClass = 0x03;

// A sysfs ID file ("0x10de\n") as `digits` lowercase hex digits without "0x"; nullopt when it
// is not that.
std::optional<std::string> sysfs_hex(std::string_view text, std::size_t digits) {
  std::string_view value = trim(text);
  if (value.starts_with("0x") || value.starts_with("0X")) {
    value.remove_prefix(2);
  }
  if (value.size() != digits) {
    return std::nullopt;
  }
  std::string out = to_lower(value);
  for (char c : out) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return std::nullopt;
    }
  }
  return out;
}

std::uint32_t hex_value(const std::string& hex) {
  std::uint32_t value = 0;
  for (char c : hex) {
    value = value * 16 + static_cast<std::uint32_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  return value;
}

// Reads `<dir>/<name>` as a hex ID; an Error names the file.
Result<std::string> read_id(const SysRoot& root, const std::string& dir, const char* name,
                            std::size_t digits) {
  const std::string path = join_path(dir, name);
  auto text = root.read_file(path, 64);
  if (!text) {
    return tl::unexpected(text.error());
  }
  auto hex = sysfs_hex(*text, digits);
  if (!hex) {
    return make_error(Errc::kMalformed, path + ": not a " + std::to_string(digits) +
                                            "-digit hex ID: '" + printable(trim(*text), 40) + "'");
  }
  return *hex;
}

// The pci.ids database, loaded on first use: machines without an NVIDIA GPU never read the 1.3 MB
// file. The recorded machine's own copy wins; a recorded tree without one borrows this host's.
class PciNames {
 public:
  explicit PciNames(const SysRoot& root) : root_(root) {}

  Observed<std::string> name(const model::PciGpu& gpu) {
    load();
    if (!db_) {
      return Observed<std::string>::unknown("pci.ids", why_);
    }
    auto name = db_->lookup(kNvidiaPciVendor, parse_pci_id(gpu.device_id).value_or(0),
                            parse_pci_id(gpu.subsystem_vendor_id).value_or(0),
                            parse_pci_id(gpu.subsystem_device_id).value_or(0));
    if (!name) {
      return Observed<std::string>::absent(source_);
    }
    return Observed<std::string>::present(*name, source_);
  }

 private:
  void load() {
    if (loaded_) {
      return;
    }
    loaded_ = true;
    // Debian/Ubuntu (pci.ids package), then Fedora/RHEL/Arch (hwdata).
    constexpr const char* kPaths[] = {"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"};
    // 16 MiB: today's file is ~1.4 MB; the cap only stops a runaway read.
    constexpr std::size_t kMaxBytes = 16U << 20;
    std::vector<const SysRoot*> roots = {&root_};
    const SysRoot host("/");
    if (!root_.is_live()) {
      roots.push_back(&host);
    }
    why_ = "no pci.ids in /usr/share/misc or /usr/share/hwdata";
    for (const SysRoot* root : roots) {
      for (const char* path : kPaths) {
        auto text = root->read_file(path, kMaxBytes);
        if (!text) {
          if (text.error().code != Errc::kNotFound) {
            why_ = text.error().message;
          }
          continue;
        }
        db_ = PciIdDatabase::parse(*text);
        source_ = root == &root_ ? std::string(path) : std::string(path) + " (this host)";
        return;
      }
    }
  }

  const SysRoot& root_;
  bool loaded_ = false;
  std::optional<PciIdDatabase> db_;
  std::string source_;
  std::string why_;
};

// `device_dir` is the resolved /sys/devices/... directory; `bus_link` the /sys/bus/pci/devices
// entry, named in the source because that is the path users know.
Observed<std::string> bound_driver(const SysRoot& root, const std::string& device_dir,
                                   const std::string& bus_link) {
  const std::string link = join_path(bus_link, "driver");
  auto target = root.read_link(join_path(device_dir, "driver"));
  if (!target) {
    if (target.error().code == Errc::kNotFound) {
      return Observed<std::string>::absent(link);
    }
    return Observed<std::string>::unknown(link, target.error().message);
  }
  std::string_view name = *target;
  while (name.ends_with('/')) {
    name.remove_suffix(1);
  }
  const std::size_t slash = name.rfind('/');
  if (slash != std::string_view::npos) {
    name.remove_prefix(slash + 1);
  }
  if (name.empty()) {
    return Observed<std::string>::unknown(link, "empty link target");
  }
  return Observed<std::string>::present(printable(name, 64), link);
}

}  // namespace

void probe_pci(const ProbeContext& context, model::Facts& facts) {
  const SysRoot& root = context.root;
  auto entries = root.list_directory(kPciDevices);
  if (!entries) {
    // No /sys/bus/pci at all (some containers, a masked /sys, recorded trees without sysfs): the
    // empty GPU list then means "could not look", not "no GPU", and must say so.
    if (entries.error().code == Errc::kNotFound) {
      add_problem(facts, "pci",
                  Error{Errc::kNotFound,
                        std::string(kPciDevices) +
                            " does not exist: PCI devices are not visible here, so the GPU list "
                            "is empty for want of a place to look",
                        std::nullopt});
    } else {
      add_problem(facts, "pci", entries.error().with_context("listing PCI devices"));
    }
    return;
  }
  PciNames names(root);
  for (const std::string& bus_id : *entries) {
    const std::string link = join_path(kPciDevices, bus_id);
    // Resolve inside the root: the entries are symlinks into /sys/devices, and a recorded tree's
    // absolute links must not escape it.
    auto dir = root.real_path(link);
    if (!dir) {
      add_problem(facts, "pci", dir.error().with_context("resolving " + link));
      continue;
    }
    auto vendor = read_id(root, *dir, "vendor", 4);
    if (!vendor) {
      add_problem(facts, "pci", vendor.error());
      continue;
    }
    if (*vendor != "10de") {
      continue;
    }
    auto class_code = read_id(root, *dir, "class", 6);
    if (!class_code) {
      add_problem(facts, "pci", class_code.error());
      continue;
    }
    if (hex_value(*class_code) >> 16U != kDisplayBaseClass) {
      continue;
    }
    model::PciGpu gpu;
    gpu.bus_id = printable(bus_id, 64);
    gpu.vendor_id = *vendor;
    gpu.class_code = *class_code;
    auto device = read_id(root, *dir, "device", 4);
    if (!device) {
      add_problem(facts, "pci", device.error());
    } else {
      gpu.device_id = *device;
    }
    // Subsystem IDs may be missing on odd platforms; the model stores them empty then.
    gpu.subsystem_vendor_id = read_id(root, *dir, "subsystem_vendor", 4).value_or("");
    gpu.subsystem_device_id = read_id(root, *dir, "subsystem_device", 4).value_or("");
    gpu.model_name = gpu.device_id.empty()
                         ? Observed<std::string>::unknown(join_path(*dir, "device"), "no device ID")
                         : names.name(gpu);
    gpu.bound_driver = bound_driver(root, *dir, link);
    facts.pci_gpus.push_back(std::move(gpu));
  }
}

}  // namespace tfgpu::probe
