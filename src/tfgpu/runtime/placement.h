// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where an op runs: device names, device scopes, and TensorFlow's placement rules.
//
// The rules, in order (TensorFlow eager's, for an op that has CPU and GPU kernels):
//   1. a device given explicitly to the op (MatmulOptions::device);
//   2. else the innermost DeviceScope on this thread (`with tf.device('/GPU:0'):`);
//   3. else GPU:0 when there is a GPU, else CPU:0.
// A requested device that does not exist is an InvalidArgument error in TensorFlow's words
// ("Could not satisfy device specification '…'. enable_soft_placement=0. …"), to which tfgpu
// adds why it does not exist (no driver, no GPU, fewer GPUs). With soft placement on, the op
// runs on another device of the same type, else on CPU:0, and the result carries a note saying
// so: unlike TensorFlow, which only logs it when log_device_placement is on, tfgpu never falls
// back silently.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tfgpu/base/result.h"
#include "tfgpu/runtime/device.h"

namespace tfgpu::runtime {

struct DeviceSpec {
  std::optional<DeviceType> type;  // unset: no device named ("/job:localhost"): the default rule
  std::optional<int> index;        // unset: any device of the type ("/GPU", "/device:GPU:*")

  bool operator==(const DeviceSpec&) const = default;
};

// Parse a device name as tf.device accepts it: "/GPU:0", "GPU:0", "/device:GPU:0", "/gpu:0"
// (type case-insensitive), "/GPU" or "/GPU:*" (any GPU), and full names
// "/job:localhost/replica:0/task:0/device:GPU:0" (each of job, replica and task optional, but only
// this process's values: tfgpu runs no distributed jobs). Fails with kInvalidArgument quoting
// `name` and saying what is wrong: an empty name, an unknown device type ("TPU"), an index that
// is not a small non-negative number, a physical device name ("/physical_device:GPU:0" names a
// physical device, not where an op runs), another job, or a part given twice.
Result<DeviceSpec> parse_device_name(std::string_view name);

// The device spec as TensorFlow prints it in errors: "/job:localhost/replica:0/task:0/device:GPU:0"
// ("…/device:GPU:*" for any GPU).
std::string spec_full_name(const DeviceSpec& spec);

// RAII device scope, per thread, like `with tf.device('/GPU:0'):`. Scopes nest; the innermost
// wins, and an empty name defers to the enclosing scope (as an empty tf.device spec merges with
// the enclosing one). A malformed name does not throw: the scope is still entered, ok() is false,
// and every op placed under it fails with the parse error, so a typo can never silently run
// somewhere else. Not copyable or movable: it must be destroyed on the thread and in the order
// it was made (a local variable).
class DeviceScope {
 public:
  explicit DeviceScope(std::string_view device);
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

  bool ok() const { return !error_; }

  const std::optional<Error>& error() const { return error_; }

  // The name as given.
  const std::string& device() const { return device_; }

  // The innermost scope on this thread with a non-empty name; null when there is none.
  static const DeviceScope* current();

 private:
  std::string device_;
  std::optional<Error> error_;
  const DeviceScope* enclosing_;
};

// The device an op asks for: `explicit_device` when given, else the current scope's, else none.
// Fails with the scope's parse error when the scope it would use is malformed.
Result<std::optional<std::string>> requested_device(
    const std::optional<std::string>& explicit_device);

struct Placement {
  LogicalDevice device;             // where the op runs
  std::optional<std::string> note;  // set when soft placement moved it (see Tensor)
};

// Place op `op_name` ("MatMul") asked for `requested` (none: the default rule) among
// `available` (the runtime's logical devices: CPU:0 first or last, GPUs in order). `why_no_gpu`
// says why there are no GPUs at all ("libcuda.so.1: cannot open shared object file…"), for the
// error. Fails with kInvalidArgument: the name's parse error, or TensorFlow's "Could not
// satisfy device specification" error when the device does not exist and `soft_placement` is off.
Result<Placement> place_op(std::string_view op_name, const std::optional<std::string>& requested,
                           std::span<const LogicalDevice> available, bool soft_placement,
                           std::string_view why_no_gpu);

}  // namespace tfgpu::runtime
