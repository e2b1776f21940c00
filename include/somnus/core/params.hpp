// SPDX-License-Identifier: MIT
// Parameter records. A model's params aggregate lists its fields once, by
// name, in each_field(f); from that a param_record is built: "name = value"
// lines with every value printed exactly (the shortest text that reads back
// to the same float), so two records are equal if and only if the
// parameters are. Checkpoints store the record of the configuration that
// shaped their state and compare it, field by field, on load.
#pragma once

#include <concepts>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "error.hpp"

namespace somnus {

/// A params aggregate that names its fields: p.each_field(f) calls
/// f("name", value) once per field, in declaration order, with value a
/// float, double, integer, bool or const char* (enumerations pass their
/// name). Optional: a model whose params do not describe themselves is
/// recorded by type name only.
template <class P>
concept described_params = requires(const P& p) { p.each_field([](const char*, const auto&) {}); };

namespace detail {

/// The readable name of T ("somnus::conductance_lif"), from the compiler.
template <class T>
std::string type_name()
{
    std::string_view f = __PRETTY_FUNCTION__;
    const auto at = f.find("T = ");
    if (at == std::string_view::npos) return std::string(f);
    f.remove_prefix(at + 4);
    const auto end = f.find_first_of(";]");
    return std::string(f.substr(0, end));
}

template <class T>
std::string exact_text(const T& v)
{
    if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
    else if constexpr (std::is_convertible_v<T, const char*>) return std::string(v);
    else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) return std::string(v);
    else return fmt::format("{}", v);  // floats: shortest round-trip form
}

} // namespace detail

class param_record {
public:
    template <class T>
    void add(std::string_view name, const T& value)
    {
        const std::string key(name);
        detail::require(key.find_first_of("=\n") == std::string::npos, "param_record: bad name '{}'", key);
        for (const auto& e : entries_) detail::require(e.first != key, "param_record: '{}' recorded twice", key);
        auto text = detail::exact_text(value);
        detail::require(text.find('\n') == std::string::npos, "param_record: value of '{}' spans lines", key);
        entries_.emplace_back(key, std::move(text));
    }

    /// Records model M under prefix: "prefix.model" is its type, then every
    /// field of its params (prefix.field) if they describe themselves.
    template <class M, class P>
    void add_model(std::string_view prefix, const P& params)
    {
        add(fmt::format("{}.model", prefix), detail::type_name<M>());
        if constexpr (described_params<P>)
            params.each_field([&](const char* name, const auto& value) { add(fmt::format("{}.{}", prefix, name), value); });
    }

    const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

    /// The value recorded for name, or nullptr.
    const std::string* find(std::string_view name) const
    {
        for (const auto& e : entries_)
            if (e.first == name) return &e.second;
        return nullptr;
    }

    std::string text() const
    {
        std::string out;
        for (const auto& [k, v] : entries_) out += fmt::format("{} = {}\n", k, v);
        return out;
    }

    /// Reads text(); malformed lines are a data_error naming `source`.
    static param_record parse(const std::string& text, const std::string& source)
    {
        param_record r;
        std::size_t at = 0, line = 0;
        while (at < text.size()) {
            ++line;
            const auto nl = text.find('\n', at);
            const std::string_view l(text.data() + at, (nl == std::string::npos ? text.size() : nl) - at);
            at = nl == std::string::npos ? text.size() : nl + 1;
            const auto eq = l.find(" = ");
            if (eq == std::string_view::npos || eq == 0)
                throw data_error(fmt::format("{}: configuration line {} is not 'name = value'", source, line));
            const std::string key(l.substr(0, eq));
            if (r.find(key) != nullptr) throw data_error(fmt::format("{}: configuration names '{}' twice", source, key));
            r.entries_.emplace_back(key, std::string(l.substr(eq + 3)));
        }
        return r;
    }

    /// Every name whose value differs between this record and `other`, or
    /// that only one of them has, as "name: <this> vs <other>" ("(none)"
    /// where missing), in this record's order, then other's extras.
    std::vector<std::string> differences(const param_record& other, std::string_view this_label,
                                         std::string_view other_label) const
    {
        std::vector<std::string> out;
        for (const auto& [k, v] : entries_) {
            const auto* o = other.find(k);
            if (o == nullptr) out.push_back(fmt::format("{}: {} {}, {} has none", k, this_label, v, other_label));
            else if (*o != v) out.push_back(fmt::format("{}: {} {}, {} {}", k, this_label, v, other_label, *o));
        }
        for (const auto& [k, v] : other.entries_)
            if (find(k) == nullptr) out.push_back(fmt::format("{}: {} has none, {} {}", k, this_label, other_label, v));
        return out;
    }

private:
    std::vector<std::pair<std::string, std::string>> entries_;
};

/// Records a policy object (neuron model, plasticity rule, homeostasis
/// rule, ...) under prefix: x.describe(record, prefix) if it has one (e.g.
/// combine<...>), else its type and the fields of x.parameters() (neuron
/// models) or of its params member x.p (rules), else its type alone.
template <class T>
void record_policy(param_record& r, std::string_view prefix, const T& x)
{
    if constexpr (requires { x.describe(r, prefix); }) x.describe(r, prefix);
    else if constexpr (requires { x.parameters(); }) r.add_model<T>(prefix, x.parameters());
    else if constexpr (requires { x.p; }) r.add_model<T>(prefix, x.p);
    else r.add(fmt::format("{}.model", prefix), detail::type_name<T>());
}

} // namespace somnus
