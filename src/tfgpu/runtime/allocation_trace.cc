// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/runtime/allocation_trace.h"

#include <algorithm>
#include <array>
#include <limits>
#include <random>

#include <fmt/format.h>

namespace tfgpu::runtime {

namespace {

constexpr std::size_t kFloatBytes = 4;

class TraceBuilder {
 public:
  std::size_t allocate(std::size_t bytes) {
    const std::size_t id = next_id_++;
    events_.push_back(TraceEvent{TraceOp::kAllocate, id, bytes});
    return id;
  }

  void free(std::size_t id) { events_.push_back(TraceEvent{TraceOp::kFree, id, 0}); }

  std::vector<TraceEvent> take() { return std::move(events_); }

 private:
  std::vector<TraceEvent> events_;
  std::size_t next_id_ = 0;
};

}  // namespace

std::vector<TraceEvent> training_trace(const TrainingTraceOptions& options) {
  // std::mt19937_64 is specified exactly by the standard, so a seed gives the same trace on
  // every platform; the distributions are not, hence the plain modulo below.
  std::mt19937_64 random(options.seed);
  const auto pick = [&](std::size_t count) {
    return static_cast<std::size_t>(random() % count);
  };
  static constexpr std::array<std::size_t, 4> kWidths = {512, 1024, 2048, 4096};
  static constexpr std::array<std::size_t, 4> kSequenceLengths = {96, 112, 128, 80};

  const auto layers = static_cast<std::size_t>(options.layers > 0 ? options.layers : 0);
  std::vector<std::size_t> widths(layers + 1);
  for (std::size_t& width : widths) {
    width = kWidths[pick(kWidths.size())];
  }

  TraceBuilder trace;
  // Persistent: weights, biases, and Adam's two slots for each.
  for (std::size_t layer = 0; layer < layers; ++layer) {
    const std::size_t weight_bytes = widths[layer] * widths[layer + 1] * kFloatBytes;
    const std::size_t bias_bytes = widths[layer + 1] * kFloatBytes;
    for (int copy = 0; copy < 3; ++copy) {
      trace.allocate(weight_bytes);
      trace.allocate(bias_bytes);
    }
  }

  for (int step = 0; step < options.steps; ++step) {
    const std::size_t tokens =
        options.batch * kSequenceLengths[static_cast<std::size_t>(step) % kSequenceLengths.size()];
    const auto activation_bytes = [&](std::size_t index) {
      return tokens * widths[index] * kFloatBytes;
    };
    const auto workspace_bytes = [&] {
      return (std::size_t{1} << (20 + pick(5)));
    };  // 1-16 MiB

    const std::size_t input = trace.allocate(activation_bytes(0));
    std::vector<std::size_t> activations{input};
    for (std::size_t layer = 0; layer < layers; ++layer) {
      const std::size_t workspace = trace.allocate(workspace_bytes());
      activations.push_back(trace.allocate(activation_bytes(layer + 1)));
      trace.free(workspace);
    }
    // The loss and its gradient: small tensors.
    const std::size_t loss = trace.allocate(options.batch * kFloatBytes);
    std::size_t gradient = trace.allocate(activation_bytes(layers));
    trace.free(loss);

    for (std::size_t layer = layers; layer-- > 0;) {
      const std::size_t workspace = trace.allocate(workspace_bytes());
      const std::size_t input_gradient = trace.allocate(activation_bytes(layer));
      const std::size_t weight_gradient =
          trace.allocate(widths[layer] * widths[layer + 1] * kFloatBytes);
      const std::size_t bias_gradient = trace.allocate(widths[layer + 1] * kFloatBytes);
      trace.free(workspace);
      trace.free(gradient);
      trace.free(activations[layer + 1]);
      // Adam's update: one temporary the size of the weights.
      const std::size_t update = trace.allocate(widths[layer] * widths[layer + 1] * kFloatBytes);
      trace.free(update);
      trace.free(weight_gradient);
      trace.free(bias_gradient);
      gradient = input_gradient;
    }
    trace.free(gradient);
    trace.free(input);
  }
  return trace.take();
}

Result<std::size_t> trace_peak_bytes(const std::vector<TraceEvent>& events) {
  constexpr std::size_t kNotLive = 0;  // every live block holds at least 256 bytes
  std::vector<std::size_t> sizes;
  std::size_t live = 0;
  std::size_t peak = 0;
  for (std::size_t index = 0; index < events.size(); ++index) {
    const TraceEvent& event = events[index];
    if (event.id >= sizes.size()) {
      sizes.resize(event.id + 1, kNotLive);
    }
    std::size_t& size = sizes[event.id];
    if (event.op == TraceOp::kAllocate) {
      if (size != kNotLive) {
        return make_error(Errc::kInvalidArgument,
                          fmt::format("trace event {}: block {} allocated twice", index, event.id));
      }
      if (event.bytes == 0 || event.bytes > std::numeric_limits<std::size_t>::max() - 255) {
        return make_error(
            Errc::kInvalidArgument,
            fmt::format("trace event {}: block {} asks for {} bytes, not 1 to {}", index, event.id,
                        event.bytes, std::numeric_limits<std::size_t>::max() - 255));
      }
      size = (event.bytes + 255) / 256 * 256;
      if (size > std::numeric_limits<std::size_t>::max() - live) {
        return make_error(
            Errc::kInvalidArgument,
            fmt::format("trace event {}: more bytes live than a size_t holds", index));
      }
      live += size;
      peak = std::max(peak, live);
    } else {
      if (size == kNotLive) {
        return make_error(
            Errc::kInvalidArgument,
            fmt::format("trace event {}: block {} freed but not live", index, event.id));
      }
      live -= size;
      size = kNotLive;
    }
  }
  return peak;
}

Result<PoolStats> replay(MemoryPool& pool, const std::vector<TraceEvent>& events) {
  constexpr std::uintptr_t kNotLive = 0;
  std::vector<std::uintptr_t> addresses;
  for (std::size_t index = 0; index < events.size(); ++index) {
    const TraceEvent& event = events[index];
    if (event.id >= addresses.size()) {
      addresses.resize(event.id + 1, kNotLive);
    }
    std::uintptr_t& address = addresses[event.id];
    if (event.op == TraceOp::kAllocate) {
      if (address != kNotLive) {
        return make_error(Errc::kInvalidArgument,
                          fmt::format("trace event {}: block {} allocated twice", index, event.id));
      }
      Result<Allocation> allocation = pool.allocate(event.bytes);
      if (!allocation) {
        return tl::unexpected(
            allocation.error().with_context(fmt::format("trace event {}", index)));
      }
      address = allocation->address;
    } else {
      if (address == kNotLive) {
        return make_error(
            Errc::kInvalidArgument,
            fmt::format("trace event {}: block {} freed but not live", index, event.id));
      }
      if (auto freed = pool.deallocate(address); !freed) {
        return tl::unexpected(freed.error().with_context(fmt::format("trace event {}", index)));
      }
      address = kNotLive;
    }
  }
  return pool.stats();
}

}  // namespace tfgpu::runtime
