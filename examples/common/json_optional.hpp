// SPDX-License-Identifier: MIT
// std::optional in the programs' typed results (NLOHMANN_DEFINE_TYPE_*):
// an empty optional is written as null and null read back as empty.
// nlohmann 3.11.2 (Debian 12) has no std::optional conversion of its own.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

NLOHMANN_JSON_NAMESPACE_BEGIN
template <class T>
struct adl_serializer<std::optional<T>> {
    static void to_json(json& j, const std::optional<T>& v) { j = v ? json(*v) : json(nullptr); }
    static void from_json(const json& j, std::optional<T>& v) { v = j.is_null() ? std::nullopt : std::optional<T>(j.get<T>()); }
};
NLOHMANN_JSON_NAMESPACE_END
