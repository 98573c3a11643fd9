// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/base/result.h"

namespace tfgpu {

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::kNotFound:
      return "not_found";
    case Errc::kPermissionDenied:
      return "permission_denied";
    case Errc::kMalformed:
      return "malformed";
    case Errc::kTooLarge:
      return "too_large";
    case Errc::kUnsupported:
      return "unsupported";
    case Errc::kVendorError:
      return "vendor_error";
    case Errc::kTimeout:
      return "timeout";
    case Errc::kCrashed:
      return "crashed";
    case Errc::kIo:
      return "io";
    case Errc::kInvalidArgument:
      return "invalid_argument";
    case Errc::kResourceExhausted:
      return "resource_exhausted";
    case Errc::kFailedPrecondition:
      return "failed_precondition";
    case Errc::kInternal:
      return "internal";
  }
  return "internal";
}

}  // namespace tfgpu
