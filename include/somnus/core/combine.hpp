// SPDX-License-Identifier: MIT
// combine<A, B, ...>: several policies of one kind run as one, in the order
// given. It serves every kind whose hooks return nothing: homeostasis rules
// (before_presentation, on_spikes, after_presentation) and sleep mechanisms
// (begin, step, end). Each hook exists only when every part has it, so
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

namespace detail {
// One hook each, so combine can ask "does every part have it?" with a fold.
template <class P>
concept has_before_presentation = requires(P& p, layer_ref l) { p.before_presentation(l); };
template <class P>
concept has_on_spikes = requires(P& p, layer_ref l, std::span<const std::uint32_t> s) { p.on_spikes(l, s); };
template <class P>
concept has_after_presentation = requires(P& p, layer_ref l, double ms) { p.after_presentation(l, ms); };
template <class P, class C>
concept has_begin = requires(P& p, C& c) { p.begin(c); };
template <class P, class C>
concept has_step = requires(P& p, C& c) { p.step(c); };
template <class P, class C>
concept has_end = requires(P& p, C& c) { p.end(c); };
} // namespace detail

template <class... Parts>
struct combine {
    struct params {};
    std::tuple<Parts...> rules;

    combine() = default;
    explicit combine(Parts... r) : rules(std::move(r)...) {}

    // Homeostasis rule hooks.
    void before_presentation(layer_ref l)
        requires(detail::has_before_presentation<Parts> && ...)
    {
        std::apply([&](auto&... r) { (r.before_presentation(l), ...); }, rules);
    }
    void on_spikes(layer_ref l, std::span<const std::uint32_t> s)
        requires(detail::has_on_spikes<Parts> && ...)
    {
        std::apply([&](auto&... r) { (r.on_spikes(l, s), ...); }, rules);
    }
    void after_presentation(layer_ref l, double ms)
        requires(detail::has_after_presentation<Parts> && ...)
    {
        std::apply([&](auto&... r) { (r.after_presentation(l, ms), ...); }, rules);
    }

    // Sleep mechanism hooks: begin in order, every step in order, end in
    // reverse order (the last part to start is the first to finish, so
    // restorations nest).
    template <class Context>
        requires(detail::has_begin<Parts, Context> && ...)
    void begin(Context& c)
    {
        std::apply([&](auto&... r) { (r.begin(c), ...); }, rules);
    }
    template <class Context>
        requires(detail::has_step<Parts, Context> && ...)
    void step(Context& c)
    {
        std::apply([&](auto&... r) { (r.step(c), ...); }, rules);
    }
    template <class Context>
        requires(detail::has_end<Parts, Context> && ...)
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
            std::get<I - 1>(rules).end(c);
            end_reversed<I - 1>(c);
        }
    }
};

} // namespace somnus
