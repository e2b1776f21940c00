// SPDX-License-Identifier: MIT
// Random sparse frame samples for the surrogate-gradient tests.
#pragma once

#include <cstdint>
#include <vector>

#include <somnus/core/random.hpp>
#include <somnus/sg/train.hpp>

namespace somnus_test_sg {

using somnus::random_stream;
using somnus::stream_purpose;
using somnus::sg::frame_sample;

/// Samples of random sparse frames (channels-last indices), label from rng.
struct sample_store {
    std::vector<std::vector<std::uint32_t>> offsets, index;
    std::vector<std::vector<float>> value;
    std::vector<std::size_t> labels;

    std::vector<frame_sample> views() const
    {
        std::vector<frame_sample> v;
        for (std::size_t k = 0; k < labels.size(); ++k) v.push_back({offsets[k], index[k], value[k], labels[k]});
        return v;
    }
};

/// n samples of `frames` frames over `inputs` values; each frame lights
/// about density * inputs of them. With `learnable`, class c lights only
/// inputs i with i % classes == c (a task the network can learn).
inline sample_store make_samples(std::size_t n, std::size_t frames, std::size_t inputs, double density, std::size_t classes, bool learnable,
                          std::uint64_t seed)
{
    sample_store s;
    random_stream rng(seed, stream_purpose::user);
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t label = rng.below(classes);
        std::vector<std::uint32_t> off{0}, idx;
        std::vector<float> val;
        const std::size_t len = frames - rng.below(3);  // unequal lengths: the batch pads
        for (std::size_t t = 0; t < len; ++t) {
            for (std::size_t i = 0; i < inputs; ++i)
                if (rng.uniform() < density && (!learnable || i % classes == label)) {
                    idx.push_back(static_cast<std::uint32_t>(i));
                    val.push_back(float(1 + rng.below(2)));
                }
            off.push_back(static_cast<std::uint32_t>(idx.size()));
        }
        s.offsets.push_back(off);
        s.index.push_back(idx);
        s.value.push_back(val);
        s.labels.push_back(label);
    }
    return s;
}

} // namespace somnus_test_sg
