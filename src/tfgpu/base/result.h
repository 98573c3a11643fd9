// SPDX-License-Identifier: Apache-2.0
#pragma once
// Values, not exceptions, across modules: every fallible call returns Result<T>.
// Error carries a code, a message with context added on the way up, and the raw
// vendor status (CUresult, nvmlReturn_t, errno) when there is one.

#include <optional>
#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace tfgpu {

enum class Errc {
  kNotFound,
  kPermissionDenied,
  kMalformed,    // input was read but does not parse (truncated ELF, broken METADATA)
  kTooLarge,     // input exceeds the reader's size limit
  kUnsupported,  // symbol or feature not present
  kVendorError,  // a vendor library returned an error status
  kTimeout,      // a child process ran past its limit
  kCrashed,      // a child process died on a signal
  kIo,           // any other read/write failure
  kInvalidArgument,
  kResourceExhausted,   // out of memory: a pool's limit or the device (TF's ResourceExhausted)
  kFailedPrecondition,  // an operation at the wrong time, e.g. configuring after initialisation
  kInternal,
};

// Stable lowercase name of `code` ("not_found"), used in JSON and messages.
const char* errc_name(Errc code);

struct Error {
  Errc code = Errc::kInternal;
  std::string message;
  std::optional<int> vendor_status;

  // Return a copy whose message is "`context`: <message>".
  Error with_context(const std::string& context) const {
    Error copy = *this;
    copy.message = context + ": " + message;
    return copy;
  }
};

template <class T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> make_error(Errc code, std::string message,
                                        std::optional<int> vendor_status = std::nullopt) {
  return tl::unexpected<Error>(Error{code, std::move(message), vendor_status});
}

}  // namespace tfgpu

// Propagate an error from a Result-returning expression; yields nothing.
#define TFGPU_TRY(expr)                                                 \
  do {                                                                  \
    auto tfgpu_try_result_ = (expr);                                    \
    if (!tfgpu_try_result_) {                                           \
      return tl::unexpected<::tfgpu::Error>(tfgpu_try_result_.error()); \
    }                                                                   \
  } while (false)
