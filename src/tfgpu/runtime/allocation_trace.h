// SPDX-License-Identifier: Apache-2.0
#pragma once
// A synthetic allocation trace shaped like TensorFlow training steps, and its replay on a pool.
//
// Why: how much a pool reserves beyond what is in use (the target: growth mode reserves
// at most 1.25× the peak in use) depends on the order and sizes of allocations, so it is judged
// on a pattern like real training, not on one size in a loop. The same trace feeds the unit test
// that asserts the ratio, bench/pool_bench.cc, and later `tfgpu bench` on a real GPU.
//
// The pattern, per model layer: persistent weights, biases and two Adam slots each, allocated
// once; then per step an input batch, and forward through the layers an activation kept for
// the backward pass plus a temporary workspace (cuDNN/cuBLAS scratch) freed once the layer is
// done; backward in reverse, the input gradient and the weight gradient, a workspace, the
// optimizer's temporary update, each activation freed as soon as its layer's backward is done.
// Layer widths come from a seeded generator, and the sequence length changes from step to step
// (dynamic shapes), so the free blocks left by one step do not exactly fit the next.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tfgpu/base/result.h"
#include "tfgpu/runtime/memory_pool.h"

namespace tfgpu::runtime {

enum class TraceOp { kAllocate, kFree };

struct TraceEvent {
  TraceOp op = TraceOp::kAllocate;
  std::size_t id = 0;     // names the block: a kFree frees the block its kAllocate made
  std::size_t bytes = 0;  // kAllocate only
};

struct TrainingTraceOptions {
  int layers = 16;
  int steps = 6;
  std::size_t batch = 32;
  std::uint64_t seed = 1;
};

// The events of `options.steps` training steps, ids numbered from 0 in allocation order. Every
// block allocated in a step is freed in it; the persistent ones are never freed.
std::vector<TraceEvent> training_trace(const TrainingTraceOptions& options = {});

// The most bytes the trace has live at once, each request rounded up to 256 bytes: what any
// pool's peak in use is at least. A pool's own peak counts whole chunks (a chunk less than
// twice a request goes to it whole), so against this, reserved/peak shows what a pool costs
// beyond the trace's needs, not beyond its own bookkeeping. Fails with kInvalidArgument for a
// malformed trace, as replay() does.
Result<std::size_t> trace_peak_bytes(const std::vector<TraceEvent>& events);

// Play `events` on `pool`. Fails with the pool's error (an OOM names the request), or with
// kInvalidArgument for a malformed trace (a free of an id not live, an id allocated twice).
Result<PoolStats> replay(MemoryPool& pool, const std::vector<TraceEvent>& events);

}  // namespace tfgpu::runtime
