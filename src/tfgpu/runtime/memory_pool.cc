// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/runtime/memory_pool.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <iterator>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace tfgpu::runtime {

namespace {

constexpr std::size_t round_up(std::size_t bytes) {
  return (bytes + kRegionAlignmentBytes - 1) / kRegionAlignmentBytes * kRegionAlignmentBytes;
}

constexpr std::size_t round_down(std::size_t bytes) {
  return bytes / kRegionAlignmentBytes * kRegionAlignmentBytes;
}

// Bin i holds free chunks of [256·2^i, 256·2^(i+1)) bytes; the last bin everything bigger.
std::size_t bin_index(std::size_t size_bytes) {
  const std::size_t units = std::max<std::size_t>(size_bytes / kRegionAlignmentBytes, 1);
  return std::min<std::size_t>(std::bit_width(units) - 1, kBinCount - 1);
}

}  // namespace

std::string format_bytes(std::size_t bytes) {
  if (bytes < 1024) {
    return fmt::format("{} B", bytes);
  }
  static constexpr std::array<const char*, 6> kUnits = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes) / 1024.0;
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < kUnits.size()) {
    value /= 1024.0;
    ++unit;
  }
  return fmt::format("{:.2f} {}", value, kUnits[unit]);
}

const char* growth_policy_name(GrowthPolicy policy) {
  switch (policy) {
    case GrowthPolicy::kProportional:
      return "proportional";
    case GrowthPolicy::kTensorflow:
      return "tensorflow";
  }
  return "unknown";
}

MemoryPool::MemoryPool(RegionSource& source, PoolOptions options)
    : source_(source),
      options_(std::move(options)),
      limit_bytes_(round_down(options_.limit_bytes)),
      next_region_bytes_(options_.growth == Growth::kGrow
                             ? std::min(limit_bytes_, kInitialGrowthRegionBytes)
                             : limit_bytes_) {}

MemoryPool::~MemoryPool() {
  // Nothing can be reported from a destructor; a source that cannot take a region back (a lost
  // CUDA context) loses it either way.
  for (const Region& region : regions_) {
    static_cast<void>(source_.release(region.address, region.size_bytes));
  }
}

Result<Allocation> MemoryPool::allocate(std::size_t bytes) {
  if (bytes == 0) {
    // TensorFlow never allocates for an empty tensor; a 0-byte request is a caller's bug.
    return make_error(Errc::kInvalidArgument,
                      fmt::format("{}: cannot allocate 0 bytes", options_.name));
  }
  std::lock_guard lock(mutex_);
  if (bytes > limit_bytes_) {
    return tl::unexpected(out_of_memory(bytes, "the request is larger than the limit"));
  }
  const std::size_t rounded = round_up(bytes);
  ChunkHandle handle = find_best_fit(rounded);
  if (handle == kNoChunk) {
    if (auto extended = extend(bytes, rounded); !extended) {
      return tl::unexpected(extended.error());
    }
    handle = find_best_fit(rounded);
    if (handle == kNoChunk) {
      return make_error(Errc::kInternal,
                        fmt::format("{}: no free chunk of {} bytes right after adding a region",
                                    options_.name, rounded));
    }
  }
  remove_free(handle);
  const std::size_t rest = chunks_[handle].size_bytes - rounded;
  if (rest >= rounded || rest >= kMaxInternalFragmentationBytes) {
    split(handle, rounded);
  }
  Chunk& chunk = chunks_[handle];
  chunk.in_use = true;
  chunk.requested_bytes = bytes;
  in_use_.emplace(chunk.address, handle);
  bytes_in_use_ += chunk.size_bytes;
  peak_bytes_in_use_ = std::max(peak_bytes_in_use_, bytes_in_use_);
  return Allocation{chunk.address, bytes, chunk.size_bytes};
}

Result<void> MemoryPool::deallocate(std::uintptr_t address) {
  std::lock_guard lock(mutex_);
  const auto found = in_use_.find(address);
  if (found == in_use_.end()) {
    return make_error(Errc::kInvalidArgument,
                      fmt::format("{}: deallocating {:#x}, which is not a live allocation of this "
                                  "pool: {}",
                                  options_.name, address, why_not_allocated(address)));
  }
  ChunkHandle handle = found->second;
  in_use_.erase(found);
  Chunk& chunk = chunks_[handle];
  chunk.in_use = false;
  chunk.requested_bytes = 0;
  bytes_in_use_ -= chunk.size_bytes;

  if (const ChunkHandle next = chunk.next; next != kNoChunk && !chunks_[next].in_use) {
    remove_free(next);
    merge_with_next(handle);
  }
  if (const ChunkHandle prev = chunks_[handle].prev; prev != kNoChunk && !chunks_[prev].in_use) {
    remove_free(prev);
    merge_with_next(prev);
    handle = prev;
  }
  insert_free(handle);
  return {};
}

PoolStats MemoryPool::stats() const {
  std::lock_guard lock(mutex_);
  return stats_locked();
}

PoolStats MemoryPool::stats_locked() const {
  PoolStats stats;
  stats.bytes_in_use = bytes_in_use_;
  stats.peak_bytes_in_use = peak_bytes_in_use_;
  stats.bytes_reserved = bytes_reserved_;
  stats.regions = regions_.size();
  stats.largest_free_block_bytes = largest_free_block();
  for (const auto& bin : bins_) {
    stats.free_blocks += bin.size();
  }
  stats.allocations = in_use_.size();
  stats.limit_bytes = limit_bytes_;
  return stats;
}

MemoryPool::ChunkHandle MemoryPool::new_chunk() {
  if (!spare_handles_.empty()) {
    const ChunkHandle handle = spare_handles_.back();
    spare_handles_.pop_back();
    chunks_[handle] = Chunk{};
    return handle;
  }
  chunks_.emplace_back();
  return chunks_.size() - 1;
}

void MemoryPool::retire_chunk(ChunkHandle handle) {
  chunks_[handle] = Chunk{};
  spare_handles_.push_back(handle);
}

void MemoryPool::insert_free(ChunkHandle handle) {
  Chunk& chunk = chunks_[handle];
  chunk.free_slot = bins_[bin_index(chunk.size_bytes)]
                        .insert(FreeKey{chunk.size_bytes, chunk.address, handle})
                        .first;
}

void MemoryPool::remove_free(ChunkHandle handle) {
  const Chunk& chunk = chunks_[handle];
  bins_[bin_index(chunk.size_bytes)].erase(chunk.free_slot);
}

MemoryPool::ChunkHandle MemoryPool::find_best_fit(std::size_t rounded_bytes) const {
  // Sizes in a bin are ordered, so the first entry not smaller than the request is the best fit
  // in that bin, and every bin above holds only bigger chunks.
  for (std::size_t bin = bin_index(rounded_bytes); bin < kBinCount; ++bin) {
    const auto fit = bins_[bin].lower_bound(FreeKey{rounded_bytes, 0, 0});
    if (fit != bins_[bin].end()) {
      return fit->handle;
    }
  }
  return kNoChunk;
}

void MemoryPool::split(ChunkHandle handle, std::size_t first_bytes) {
  const ChunkHandle rest = new_chunk();  // may move chunks_: take references after it
  Chunk& chunk = chunks_[handle];
  Chunk& tail = chunks_[rest];
  tail.address = chunk.address + first_bytes;
  tail.size_bytes = chunk.size_bytes - first_bytes;
  tail.region = chunk.region;
  tail.prev = handle;
  tail.next = chunk.next;
  if (chunk.next != kNoChunk) {
    chunks_[chunk.next].prev = rest;
  }
  chunk.next = rest;
  chunk.size_bytes = first_bytes;
  insert_free(rest);
}

MemoryPool::ChunkHandle MemoryPool::merge_with_next(ChunkHandle handle) {
  Chunk& chunk = chunks_[handle];
  const ChunkHandle next = chunk.next;
  chunk.size_bytes += chunks_[next].size_bytes;
  chunk.next = chunks_[next].next;
  if (chunk.next != kNoChunk) {
    chunks_[chunk.next].prev = handle;
  }
  retire_chunk(next);
  return handle;
}

Result<void> MemoryPool::extend(std::size_t requested_bytes, std::size_t rounded_bytes) {
  const std::size_t available = limit_bytes_ - bytes_reserved_;
  if (rounded_bytes > available) {
    return tl::unexpected(out_of_memory(
        requested_bytes, fmt::format("the limit leaves {} to reserve and no free block fits",
                                     format_bytes(available))));
  }
  const bool proportional =
      options_.growth == Growth::kGrow && options_.growth_policy == GrowthPolicy::kProportional;
  bool grew_for_this_request = false;
  std::size_t region_bytes = 0;
  if (proportional) {
    // NaN fails both comparisons, so it is refused too.
    if (!(options_.growth_headroom > 0.0 && options_.growth_headroom <= 1.0)) {
      return make_error(
          Errc::kInvalidArgument,
          fmt::format("{}: growth_headroom is {}; it must be more than 0 and at "
                      "most 1 (the default is {})",
                      options_.name, options_.growth_headroom, kDefaultGrowthHeadroom));
    }
    region_bytes = std::min(proportional_region_bytes(rounded_bytes), available);
  } else {
    // Doubling past the limit is pointless (every region is clamped to it) and would overflow
    // in a long-lived pool; rounded_bytes <= limit_bytes_ keeps the loop finite.
    while (next_region_bytes_ < rounded_bytes) {
      next_region_bytes_ = std::min(next_region_bytes_ * 2, limit_bytes_);
      grew_for_this_request = true;
    }
    region_bytes = std::min(next_region_bytes_, available);
  }
  Result<std::uintptr_t> address = source_.allocate(region_bytes);
  while (!address) {
    if (address.error().code != Errc::kResourceExhausted) {
      return tl::unexpected(address.error().with_context(
          fmt::format("{}: taking a region of {} from {}", options_.name,
                      format_bytes(region_bytes), source_.name())));
    }
    // Back off ×0.9 (TF's kBackpedalFactor), rounded down so that it always shrinks.
    const std::size_t smaller = round_down(region_bytes - region_bytes / 10);
    if (smaller < rounded_bytes) {
      return tl::unexpected(out_of_memory(
          requested_bytes, fmt::format("{} refused {}: {}", source_.name(),
                                       format_bytes(region_bytes), address.error().message)));
    }
    region_bytes = smaller;
    address = source_.allocate(region_bytes);
  }
  if (*address % kRegionAlignmentBytes != 0) {
    static_cast<void>(source_.release(*address, region_bytes));
    return make_error(Errc::kInternal,
                      fmt::format("{}: {} returned {:#x}, which is not {}-byte aligned",
                                  options_.name, source_.name(), *address, kRegionAlignmentBytes));
  }
  if (overlaps_a_region(*address, region_bytes)) {
    // Not released: giving it back could free memory that a live region still uses.
    return make_error(Errc::kInternal,
                      fmt::format("{}: {} returned a region at {:#x} ({} bytes) that overlaps "
                                  "one it handed out before",
                                  options_.name, source_.name(), *address, region_bytes));
  }
  if (!proportional && !grew_for_this_request) {
    next_region_bytes_ = std::min(next_region_bytes_ * 2, limit_bytes_);
  }

  const ChunkHandle handle = new_chunk();
  Chunk& chunk = chunks_[handle];
  chunk.address = *address;
  chunk.size_bytes = region_bytes;
  chunk.region = regions_.size();
  regions_.push_back(Region{*address, region_bytes, handle});
  region_by_address_.emplace(*address, chunk.region);
  bytes_reserved_ += region_bytes;
  insert_free(handle);
  return {};
}

std::size_t MemoryPool::proportional_region_bytes(std::size_t rounded_bytes) const {
  // The request lands in the new region (no free chunk fitted it), so once it is served the
  // peak in use is at least this.
  const std::size_t peak_after = std::max(peak_bytes_in_use_, bytes_in_use_ + rounded_bytes);
  // A double holds every byte count below 2^53 (8 PiB) exactly; rounding down keeps the target
  // at or under (1 + headroom) × the peak.
  const auto headroom = static_cast<std::size_t>(
      std::floor(static_cast<double>(peak_after) * options_.growth_headroom));
  const std::size_t target = peak_after + round_down(headroom);
  const std::size_t up_to_target = target > bytes_reserved_ ? target - bytes_reserved_ : 0;
  return std::max({rounded_bytes, up_to_target, kInitialGrowthRegionBytes});
}

bool MemoryPool::overlaps_a_region(std::uintptr_t address, std::size_t size_bytes) const {
  if (address > std::numeric_limits<std::uintptr_t>::max() - size_bytes) {
    return true;  // wraps around the address space: nothing real looks like this
  }
  const auto after = region_by_address_.lower_bound(address);
  if (after != region_by_address_.end() && after->first < address + size_bytes) {
    return true;
  }
  if (after != region_by_address_.begin()) {
    const Region& before = regions_[std::prev(after)->second];
    return before.address + before.size_bytes > address;
  }
  return false;
}

std::size_t MemoryPool::largest_free_block() const {
  for (std::size_t bin = kBinCount; bin-- > 0;) {
    if (!bins_[bin].empty()) {
      return bins_[bin].rbegin()->size_bytes;
    }
  }
  return 0;
}

Error MemoryPool::out_of_memory(std::size_t bytes, const std::string& detail) const {
  const PoolStats stats = stats_locked();
  return Error{Errc::kResourceExhausted,
               fmt::format("OOM when allocating {} on {}: in use {}, reserved {}, limit {}, "
                           "largest free block {} ({} bytes asked; {} region{}; {})",
                           format_bytes(bytes), options_.name, format_bytes(stats.bytes_in_use),
                           format_bytes(stats.bytes_reserved), format_bytes(stats.limit_bytes),
                           format_bytes(stats.largest_free_block_bytes), bytes, stats.regions,
                           stats.regions == 1 ? "" : "s", detail),
               std::nullopt};
}

std::string MemoryPool::why_not_allocated(std::uintptr_t address) const {
  auto after = region_by_address_.upper_bound(address);
  if (after == region_by_address_.begin()) {
    return "it is outside every region";
  }
  const Region& region = regions_[std::prev(after)->second];
  if (address - region.address >= region.size_bytes) {
    return "it is outside every region";
  }
  for (ChunkHandle handle = region.first; handle != kNoChunk; handle = chunks_[handle].next) {
    const Chunk& chunk = chunks_[handle];
    if (address == chunk.address) {
      return "that block is free (already deallocated?)";
    }
    if (address < chunk.address + chunk.size_bytes) {
      return fmt::format("it is inside the {} block at {:#x}, not at its start",
                         chunk.in_use ? "allocated" : "free", chunk.address);
    }
  }
  return "it is outside every chunk of its region";
}

Result<void> MemoryPool::check_invariants() const {
  std::lock_guard lock(mutex_);
  const auto broken = [&](std::string what) -> Result<void> {
    return make_error(Errc::kInternal, fmt::format("{}: {}", options_.name, what));
  };
  std::size_t reserved = 0;
  std::size_t in_use_bytes = 0;
  std::size_t in_use_chunks = 0;
  std::size_t free_chunks = 0;
  std::size_t largest_free = 0;
  for (std::size_t index = 0; index < regions_.size(); ++index) {
    const Region& region = regions_[index];
    reserved += region.size_bytes;
    if (region.first >= chunks_.size()) {
      return broken(fmt::format("region {} has no first chunk", index));
    }
    std::uintptr_t expected_address = region.address;
    ChunkHandle prev = kNoChunk;
    std::size_t walked = 0;
    for (ChunkHandle handle = region.first; handle != kNoChunk; handle = chunks_[handle].next) {
      if (handle >= chunks_.size() || ++walked > chunks_.size()) {
        return broken(fmt::format("region {}: chunk list is broken or loops", index));
      }
      const Chunk& chunk = chunks_[handle];
      if (chunk.address != expected_address) {
        return broken(fmt::format("region {}: chunk at {:#x}, expected one at {:#x}", index,
                                  chunk.address, expected_address));
      }
      if (chunk.size_bytes == 0 || chunk.size_bytes % kRegionAlignmentBytes != 0) {
        return broken(fmt::format("chunk at {:#x} has size {}", chunk.address, chunk.size_bytes));
      }
      if (chunk.prev != prev || chunk.region != index) {
        return broken(fmt::format("chunk at {:#x}: wrong back link or region", chunk.address));
      }
      if (chunk.in_use) {
        ++in_use_chunks;
        in_use_bytes += chunk.size_bytes;
        if (chunk.requested_bytes == 0 || chunk.requested_bytes > chunk.size_bytes) {
          return broken(fmt::format("chunk at {:#x}: {} bytes requested in a {}-byte chunk",
                                    chunk.address, chunk.requested_bytes, chunk.size_bytes));
        }
        const auto live = in_use_.find(chunk.address);
        if (live == in_use_.end() || live->second != handle) {
          return broken(
              fmt::format("chunk at {:#x} is in use but not in the live table", chunk.address));
        }
      } else {
        ++free_chunks;
        largest_free = std::max(largest_free, chunk.size_bytes);
        if (prev != kNoChunk && !chunks_[prev].in_use) {
          return broken(fmt::format("free chunks at {:#x} and {:#x} were not merged",
                                    chunks_[prev].address, chunk.address));
        }
        const Bin& bin = bins_[bin_index(chunk.size_bytes)];
        const auto entry = bin.find(FreeKey{chunk.size_bytes, chunk.address, handle});
        if (entry == bin.end() || entry != chunk.free_slot) {
          return broken(fmt::format("free chunk at {:#x} ({} bytes) is not in bin {}",
                                    chunk.address, chunk.size_bytes, bin_index(chunk.size_bytes)));
        }
      }
      expected_address = chunk.address + chunk.size_bytes;
      prev = handle;
    }
    if (expected_address != region.address + region.size_bytes) {
      return broken(fmt::format("region {}: chunks end at {:#x}, the region at {:#x}", index,
                                expected_address, region.address + region.size_bytes));
    }
  }
  std::uintptr_t previous_end = 0;
  for (const auto& [address, index] : region_by_address_) {
    if (index >= regions_.size() || regions_[index].address != address) {
      return broken(fmt::format("the region table is stale at {:#x}", address));
    }
    if (address < previous_end) {
      return broken(fmt::format("region at {:#x} overlaps the one before it", address));
    }
    previous_end = address + regions_[index].size_bytes;
  }
  if (region_by_address_.size() != regions_.size()) {
    return broken(fmt::format("{} regions but {} in the region table", regions_.size(),
                              region_by_address_.size()));
  }
  std::size_t binned = 0;
  for (std::size_t bin = 0; bin < kBinCount; ++bin) {
    for (const FreeKey& key : bins_[bin]) {
      if (bin_index(key.size_bytes) != bin || key.handle >= chunks_.size() ||
          chunks_[key.handle].in_use || chunks_[key.handle].size_bytes != key.size_bytes ||
          chunks_[key.handle].address != key.address) {
        return broken(fmt::format("bin {} holds a stale entry for {:#x}", bin, key.address));
      }
    }
    binned += bins_[bin].size();
  }
  if (binned != free_chunks) {
    return broken(fmt::format("{} free chunks but {} bin entries", free_chunks, binned));
  }
  if (in_use_.size() != in_use_chunks) {
    return broken(
        fmt::format("{} chunks in use but {} live allocations", in_use_chunks, in_use_.size()));
  }
  if (reserved != bytes_reserved_ || in_use_bytes != bytes_in_use_ ||
      largest_free != largest_free_block() || peak_bytes_in_use_ < bytes_in_use_ ||
      bytes_reserved_ > limit_bytes_) {
    return broken(
        fmt::format("stats disagree with the chunks: reserved {} vs {}, in use {} vs {}, "
                    "largest free {} vs {}, peak {}, limit {}",
                    bytes_reserved_, reserved, bytes_in_use_, in_use_bytes, largest_free_block(),
                    largest_free, peak_bytes_in_use_, limit_bytes_));
  }
  return {};
}

}  // namespace tfgpu::runtime
