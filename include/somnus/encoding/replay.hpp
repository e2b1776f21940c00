// SPDX-License-Identifier: MIT
// Replays a recorded input raster: a list of (step, input) events, e.g. the
// input spikes of an earlier run or an event-camera recording binned to steps.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"

namespace somnus {

struct raster_event {
    std::uint32_t step;
    std::uint32_t input;
    friend bool operator==(const raster_event&, const raster_event&) = default;
};

class replay_encoder {
public:
    explicit replay_encoder(std::size_t n_inputs) : n_(n_inputs) {}

    std::size_t size() const { return n_; }

    /// Loads a raster; events may come in any order. Duplicate events in one
    /// step are kept (a neuron cannot spike twice in a step, so callers that
    /// bin continuous times should merge them first).
    void begin(std::span<const raster_event> raster)
    {
        events_.assign(raster.begin(), raster.end());
        for (const auto& e : events_)
            detail::require(e.input < n_, "replay_encoder: event at step {} names input {}, but there are {} inputs",
                            e.step, e.input, n_);
        std::stable_sort(events_.begin(), events_.end(), [](const raster_event& a, const raster_event& b) {
            return a.step != b.step ? a.step < b.step : a.input < b.input;
        });
        next_ = 0;
        last_step_ = 0;
    }

    /// Appends the inputs recorded at `step`. Steps must be asked in
    /// increasing order, as a network does; asking an earlier step restarts.
    void emit(std::uint32_t step, spike_list& out)
    {
        if (step < last_step_) next_ = 0;
        last_step_ = step;
        auto it = std::lower_bound(events_.begin() + static_cast<std::ptrdiff_t>(next_), events_.end(), step,
                                   [](const raster_event& e, std::uint32_t s) { return e.step < s; });
        for (; it != events_.end() && it->step == step; ++it) out.push_back(it->input);
        next_ = static_cast<std::size_t>(it - events_.begin());
    }

private:
    std::size_t n_;
    std::vector<raster_event> events_;
    std::size_t next_ = 0;
    std::uint32_t last_step_ = 0;
};

static_assert(input_encoder<replay_encoder>);

} // namespace somnus
