// SPDX-License-Identifier: Apache-2.0
// ScopedCudaEvent: RAII over CudaCompute's event calls, written against the interface so it
// works with the dlopen'd driver and with in-process fakes alike.
#include "tfgpu/vendor/cuda_compute.h"

#include <utility>

namespace tfgpu::vendor {

Result<ScopedCudaEvent> ScopedCudaEvent::create(CudaCompute& compute) {
  auto event = compute.create_event();
  if (!event) {
    return tl::unexpected<Error>(event.error());
  }
  return ScopedCudaEvent(&compute, *event);
}

ScopedCudaEvent::ScopedCudaEvent(ScopedCudaEvent&& other) noexcept
    : compute_(std::exchange(other.compute_, nullptr)), event_(other.event_) {}

ScopedCudaEvent& ScopedCudaEvent::operator=(ScopedCudaEvent&& other) noexcept {
  if (this != &other) {
    reset();
    compute_ = std::exchange(other.compute_, nullptr);
    event_ = other.event_;
  }
  return *this;
}

ScopedCudaEvent::~ScopedCudaEvent() {
  reset();
}

void ScopedCudaEvent::reset() {
  if (compute_ != nullptr) {
    // Nothing useful can be done with a failed destroy in a destructor; the driver reclaims
    // events with their context.
    (void)compute_->destroy_event(event_);
    compute_ = nullptr;
  }
}

Result<void> ScopedCudaEvent::record() {
  if (compute_ == nullptr) {
    return make_error(Errc::kInvalidArgument, "record: event was moved from");
  }
  return compute_->record_event(event_);
}

Result<float> ScopedCudaEvent::elapsed_ms_until(const ScopedCudaEvent& end) const {
  if (compute_ == nullptr || end.compute_ == nullptr) {
    return make_error(Errc::kInvalidArgument, "elapsed_ms_until: event was moved from");
  }
  if (compute_ != end.compute_) {
    return make_error(Errc::kInvalidArgument,
                      "elapsed_ms_until: the two events belong to different CudaCompute objects");
  }
  return compute_->elapsed_ms(event_, end.event_);
}

}  // namespace tfgpu::vendor
