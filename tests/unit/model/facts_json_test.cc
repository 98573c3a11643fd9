// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/model/facts_json.h"

#include <gtest/gtest.h>

namespace tfgpu::model {
namespace {

TEST(FactsJsonTest, DocumentCarriesSchemaAndVersion) {
  Facts facts;
  facts.tool_version = "0.1.0";
  auto j = facts_to_json(facts);
  EXPECT_EQ(j["schema"], kFactsSchema);
  EXPECT_EQ(j["tool_version"], "0.1.0");
}

TEST(FactsJsonTest, ObservedValuesKeepPresenceSourceAndReason) {
  Facts facts;
  facts.kernel_driver.module_version =
      Observed<Version>::present(*Version::parse("535.104.05"), "/proc/driver/nvidia/version");
  facts.host.glibc_version = Observed<Version>::unknown("/lib/libc.so.6", "permission denied");
  facts.host.container = Observed<std::string>::absent("/.dockerenv");
  auto j = facts_to_json(facts);
  EXPECT_EQ(j["kernel_driver"]["module_version"]["value"], "535.104.05");
  EXPECT_EQ(j["kernel_driver"]["module_version"]["presence"], "present");
  EXPECT_EQ(j["host"]["glibc_version"]["presence"], "unknown");
  EXPECT_EQ(j["host"]["glibc_version"]["why_unknown"], "permission denied");
  EXPECT_TRUE(j["host"]["glibc_version"]["value"].is_null());
  EXPECT_EQ(j["host"]["container"]["presence"], "absent");
}

TEST(FactsJsonTest, RoundTripsThroughJson) {
  Facts facts;
  LibraryResolution lib;
  lib.soname = "libcudnn.so.9";
  lib.provider = Provider::kPipWheel;
  lib.candidates.push_back(
      {"/x/libcudnn.so.9", SearchStep::kRunpath, "$ORIGIN/../nvidia/cudnn/lib", true, ""});
  lib.version = Observed<Version>::present(*Version::parse("9.3.0.75"),
                                           "nvidia_cudnn_cu12-9.3.0.75.dist-info");
  facts.system_libraries.push_back(lib);
  facts.environment["CUDA_VISIBLE_DEVICES"] = std::nullopt;
  facts.environment["LD_LIBRARY_PATH"] = "/usr/local/cuda/lib64";
  auto j = facts_to_json(facts);
  EXPECT_EQ(j["system_libraries"][0]["candidates"][0]["step"], "runpath");
  EXPECT_EQ(j["system_libraries"][0]["provider"], "pip_wheel");
  auto back = facts_from_json(j);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(facts_to_json(*back), j);
  EXPECT_EQ(back->system_libraries[0].version.value->text(), "9.3.0.75");
}

TEST(FactsJsonTest, RejectsOtherSchemasAndWrongTypes) {
  auto wrong_schema = facts_from_json(nlohmann::json{{"schema", "other/1"}});
  ASSERT_FALSE(wrong_schema);
  EXPECT_EQ(wrong_schema.error().code, Errc::kMalformed);
  auto j = facts_to_json(Facts{});
  j["pci_gpus"] = "not a list";
  EXPECT_FALSE(facts_from_json(j));
  EXPECT_FALSE(facts_from_json(nlohmann::json::array()));
}

}  // namespace
}  // namespace tfgpu::model
