// SPDX-License-Identifier: MIT
// combine<A, B, ...>: several policies of one kind run as one, in the order
// given. It serves every kind whose hooks return nothing: homeostasis rules
// (before_presentation, on_spikes, after_presentation) and sleep mechanisms
// (begin, step, end). A hook exists when some part has it and calls the
// parts that have it, so a part writes only the hooks it uses;
// combine<adaptive_threshold, normalize_incoming> is a homeostasis rule and
// combine<mean_image_drive, scale_gains> a sleep mechanism, never the other.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <tuple>

#include <fmt/format.h>

#include "concepts.hpp"
#include "params.hpp"

namespace somnus {

template <class... Parts>
struct combine {
    struct params {};
    std::tuple<Parts...> rules;

    combine() = default;
    explicit combine(Parts... r) : rules(std::move(r)...) {}

    // Homeostasis rule hooks.
    void before_presentation(layer_ref l)
        requires(detail::has_before_presentation<Parts> || ...)
    {
        std::apply([&](auto&... r) { (detail::before_presentation(r, l), ...); }, rules);
    }
    void on_spikes(layer_ref l, std::span<const std::uint32_t> s)
        requires(detail::has_on_spikes<Parts> || ...)
    {
        std::apply([&](auto&... r) { (detail::on_spikes(r, l, s), ...); }, rules);
    }
    void after_presentation(layer_ref l, double ms)
        requires(detail::has_after_presentation<Parts> || ...)
    {
        std::apply([&](auto&... r) { (detail::after_presentation(r, l, ms), ...); }, rules);
    }

    // Sleep mechanism hooks: begin in order, every step in order, end in
    // reverse order (the last part to start is the first to finish, so
    // restorations nest).
    template <class Context>
        requires(detail::has_begin<Parts, Context> || ...)
    void begin(Context& c)
    {
        std::apply([&](auto&... r) { (detail::sleep_begin(r, c), ...); }, rules);
    }
    template <class Context>
        requires(detail::has_step<Parts, Context> || ...)
    void step(Context& c)
    {
        std::apply([&](auto&... r) { (detail::sleep_step(r, c), ...); }, rules);
    }
    template <class Context>
        requires(detail::has_end<Parts, Context> || ...)
    void end(Context& c)
    {
        end_reversed<sizeof...(Parts)>(c);
    }

    template <std::size_t I>
    auto& get() { return std::get<I>(rules); }
    template <std::size_t I>
    const auto& get() const { return std::get<I>(rules); }

    /// Records each part under prefix.0, prefix.1, ... (core/params.hpp).
    void describe(param_record& r, std::string_view prefix) const
    {
        r.add(fmt::format("{}.model", prefix), "combine");
        std::size_t i = 0;
        std::apply([&](const auto&... x) { (record_policy(r, fmt::format("{}.{}", prefix, i++), x), ...); }, rules);
    }

private:
    template <std::size_t I, class Context>
    void end_reversed(Context& c)
    {
        if constexpr (I > 0) {
            detail::sleep_end(std::get<I - 1>(rules), c);
            end_reversed<I - 1>(c);
        }
    }
};

namespace detail {
template <class... Parts, class C>
struct step_leaves_weights<combine<Parts...>, C> : std::bool_constant<(step_leaves_weights<Parts, C>::value && ...)> {};
template <class... Parts>
struct on_spikes_leaves_weights<combine<Parts...>> : std::bool_constant<(on_spikes_leaves_weights<Parts>::value && ...)> {};
} // namespace detail

} // namespace somnus
