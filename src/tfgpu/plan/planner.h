// SPDX-License-Identifier: Apache-2.0
#pragma once
// `tfgpu plan`: for a machine (described or probed), the newest TensorFlow that can use its GPU
// with its Python on its OS, or why none can, and the ordered steps to get there. Every rule comes
// from the knowledge base (docs/plan.md lists which table decides what); nothing here touches the
// machine.

#include "tfgpu/kb/knowledge_base.h"
#include "tfgpu/model/plan.h"
#include "tfgpu/plan/machine.h"

namespace tfgpu::plan {

// The plan for `machine`. Never fails: a machine no TensorFlow can serve gets a plan whose
// tensorflow.version is null and whose why (and steps) say what instead. A --tf pin the KB has no
// row for is the caller's to refuse first (KnowledgeBase::release_for).
model::Plan make_plan(const MachineDescription& machine, const kb::KnowledgeBase& kb);

}  // namespace tfgpu::plan
