// SPDX-License-Identifier: Apache-2.0
// `tfgpu probe`: the raw facts every verdict is made from.
#include <iostream>
#include <memory>

#include "tfgpu/cli/commands.h"
#include "tfgpu/cli/common.h"
#include "tfgpu/model/facts_json.h"
#include "tfgpu/report/facts_text.h"

namespace tfgpu::cli {

Command add_probe_command(CLI::App& app) {
  struct Args {
    ProbeArgs probe;
    OutputOptions output;
  };

  auto args = std::make_shared<Args>();
  auto* command = app.add_subcommand("probe", "print the raw facts every verdict is made from");
  add_probe_flags(*command, args->probe, args->output);
  return Command{command, [args](const probe::Environment& env) {
                   auto probed_env = probed_environment(args->probe, env);
                   if (!probed_env) {
                     return input_error(probed_env.error());
                   }
                   const auto facts = probe::probe_machine(probe_options(args->probe, *probed_env));
                   if (args->output.json) {
                     std::cout << model::facts_to_json(facts).dump(2) << "\n";
                   } else {
                     std::cout << report::render_facts_text(
                         facts, text_style(args->output, env, *probed_env));
                   }
                   return static_cast<int>(kExitReady);
                 }};
}

}  // namespace tfgpu::cli
