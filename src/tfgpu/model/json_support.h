// SPDX-License-Identifier: Apache-2.0
#pragma once
// nlohmann serializers for the vocabulary types every model document uses: std::optional,
// Version and Observed<T>.

#include <optional>

#include <nlohmann/json.hpp>

#include "tfgpu/base/version.h"
#include "tfgpu/model/observed.h"

namespace nlohmann {

template <class T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& value) {
    if (value) {
      j = *value;
    } else {
      j = nullptr;
    }
  }

  static void from_json(const json& j, std::optional<T>& value) {
    if (j.is_null()) {
      value.reset();
    } else {
      value = j.get<T>();
    }
  }
};

template <>
struct adl_serializer<tfgpu::Version> {
  static void to_json(json& j, const tfgpu::Version& version) {
    j = version.text() + version.suffix();
  }

  static void from_json(const json& j, tfgpu::Version& version) {
    auto parsed = tfgpu::Version::parse(j.get<std::string>());
    if (!parsed) {
      throw json::type_error::create(302, "not a version: " + j.get<std::string>(), &j);
    }
    version = *parsed;
  }
};

}  // namespace nlohmann

namespace tfgpu::model {

NLOHMANN_JSON_SERIALIZE_ENUM(Presence, {{Presence::kPresent, "present"},
                                        {Presence::kAbsent, "absent"},
                                        {Presence::kUnknown, "unknown"}})

template <class T>
void to_json(nlohmann::json& j, const Observed<T>& observed) {
  j = nlohmann::json{
      {"presence", observed.presence},
      {"value", observed.value},
      {"source", observed.source},
      {"why_unknown", observed.why_unknown.empty() ? nlohmann::json(nullptr)
                                                   : nlohmann::json(observed.why_unknown)}};
}

template <class T>
void from_json(const nlohmann::json& j, Observed<T>& observed) {
  j.at("presence").get_to(observed.presence);
  observed.value = j.value("value", nlohmann::json(nullptr)).template get<std::optional<T>>();
  observed.source = j.value("source", std::string());
  const auto& why = j.value("why_unknown", nlohmann::json(nullptr));
  observed.why_unknown = why.is_null() ? std::string() : why.get<std::string>();
}

}  // namespace tfgpu::model
