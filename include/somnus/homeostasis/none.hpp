// SPDX-License-Identifier: MIT
// The do-nothing homeostasis rule, and combine<...>, which runs several rules
// in the order given.
#pragma once

#include <tuple>

#include "../core/concepts.hpp"
#include "../core/params.hpp"

namespace somnus {

struct no_homeostasis {
    struct params {};
    void before_presentation(layer_ref) {}
    void on_spikes(layer_ref, std::span<const std::uint32_t>) {}
    void after_presentation(layer_ref, double) {}
};

template <homeostasis_rule... Rules>
struct combine {
    struct params {};
    std::tuple<Rules...> rules;

    combine() = default;
    explicit combine(Rules... r) : rules(std::move(r)...) {}

    void before_presentation(layer_ref l)
    {
        std::apply([&](auto&... r) { (r.before_presentation(l), ...); }, rules);
    }
    void on_spikes(layer_ref l, std::span<const std::uint32_t> s)
    {
        std::apply([&](auto&... r) { (r.on_spikes(l, s), ...); }, rules);
    }
    void after_presentation(layer_ref l, double ms)
    {
        std::apply([&](auto&... r) { (r.after_presentation(l, ms), ...); }, rules);
    }
    template <std::size_t I>
    auto& get() { return std::get<I>(rules); }

    /// Records each rule under prefix.0, prefix.1, ... (core/params.hpp).
    void describe(param_record& r, std::string_view prefix) const
    {
        r.add(fmt::format("{}.model", prefix), "combine");
        std::size_t i = 0;
        std::apply([&](const auto&... x) { (record_policy(r, fmt::format("{}.{}", prefix, i++), x), ...); }, rules);
    }
};

static_assert(homeostasis_rule<no_homeostasis>);
static_assert(homeostasis_rule<combine<no_homeostasis, no_homeostasis>>);

} // namespace somnus
