// SPDX-License-Identifier: MIT
// A network composed at compile time from layers (concept sg::layer), run
// over T time steps per sample and trained by backpropagation through time:
//
//   using member = sg::sequential<sg::conv2d, sg::max_pool2d, sg::leaky<>, ...>;
//   member net({2, 34, 34}, sg::conv2d(2, 12, 5), sg::max_pool2d(2), sg::leaky<>{}, ...);
//   std::vector<float> w(net.parameter_count());
//   net.init(w, seed);
//
// The parameters live outside the model, in one flat vector (layer after
// layer), so that one model serves many parameter sets (ensemble members)
// and an optimiser sees one array. Per-sample state and tapes live in a
// workspace, one per thread. A sample is run as
//   net.begin(ws); for t: net.forward(w, ws, input(t)); ... net.backward(w, ws, g_output, g_w, t) for t = T-1 ... 0
// where the output layer's spikes of each step are read with ws.output().
// A sample whose input is the same at every step (a static image) runs the
// first layer once and the rest per step (forward_layers from 1), and is
// backpropagated layer by layer over all steps at once (backward_steps,
// after prepare), down to layer 1: the gradient at layer 1's input, summed
// over steps, then gives the first layer's in one outer product
// (trainer's static path, train.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "layer.hpp"

namespace somnus::sg {

template <layer... Layers>
class sequential {
public:
    static constexpr std::size_t depth = sizeof...(Layers);
    static_assert(depth > 0, "sequential: at least one layer");

    sequential(shape3 input, Layers... layers) : layers_(std::move(layers)...)
    {
        shapes_[0] = input;
        detail::require(input.size() > 0, "sequential: empty input shape");
        std::size_t offset = 0;
        configure_all(std::index_sequence_for<Layers...>{}, offset);
        parameters_ = offset;
    }

    shape3 input_shape() const { return shapes_[0]; }
    shape3 output_shape() const { return shapes_[depth]; }
    /// Shape after layer k (0: the input).
    shape3 shape(std::size_t k) const { return shapes_[k]; }
    std::size_t parameter_count() const { return parameters_; }
    /// Where layer k's parameters start in the flat vector.
    std::size_t parameter_offset(std::size_t k) const { return offsets_[k]; }
    template <std::size_t K>
    const auto& layer_at() const { return std::get<K>(layers_); }

    /// Every layer's parameters drawn as PyTorch initialises them, layer after
    /// layer from one stream keyed by seed (and `key`: a member's index).
    void init(std::span<float> params, std::uint64_t seed, std::uint64_t key = 0) const
    {
        detail::require(params.size() == parameters_, "sequential::init: {} parameters given, the model has {}", params.size(),
                        parameters_);
        random_stream rng(seed, stream_purpose::init_weights, key);
        init_all(std::index_sequence_for<Layers...>{}, params, rng);
    }

    struct workspace {
        std::tuple<typename Layers::work...> work;
        std::array<activation, depth + 1> acts;        ///< acts[0]: the input; acts[k]: layer k's output
        std::array<std::vector<float>, depth + 1> grads;  ///< backward scratch per activation
        std::array<std::vector<float>, depth + 1> step_grads;  ///< backward_steps: [t][value] per activation
        const activation& output() const { return acts[depth]; }
        activation& input() { return acts[0]; }
        std::size_t steps = 0;  ///< steps run in the current sample
    };

    /// A workspace for samples of up to `steps` steps (it grows if needed).
    workspace make_workspace(std::size_t steps) const
    {
        workspace ws = make_ws(std::index_sequence_for<Layers...>{}, steps);
        for (std::size_t k = 0; k <= depth; ++k) {
            ws.acts[k].resize(shapes_[k].size());
            ws.grads[k].assign(shapes_[k].size(), 0.0f);
        }
        return ws;
    }

    /// A new sample: every state to zero, the tapes emptied, the input cleared.
    void begin(workspace& ws) const
    {
        std::apply([&](auto&... w) { begin_all(std::index_sequence_for<Layers...>{}, w...); }, ws.work);
        ws.acts[0].clear();
        ws.steps = 0;
    }

    /// One step on ws.input(); record = false keeps no tape (inference).
    void forward(std::span<const float> params, workspace& ws, bool record = true) const
    {
        forward_all(std::index_sequence_for<Layers...>{}, params.data(), ws, record);
        ++ws.steps;
    }

    /// One step of layers from .. depth-1 on ws.acts[from] (set by the
    /// caller, or left from the previous step: a layer never changes its
    /// input). forward() is forward_layers(..., 0, ...).
    void forward_layers(std::span<const float> params, workspace& ws, std::size_t from, bool record = true) const
    {
        forward_from(std::index_sequence_for<Layers...>{}, params.data(), ws, from, record);
        ++ws.steps;
    }

    /// Lets layers derive what backward_steps needs from the parameters (a
    /// narrow linear layer's transposed weights); call after the parameters
    /// last changed.
    void prepare(std::span<const float> params, workspace& ws) const
    {
        prepare_all(std::index_sequence_for<Layers...>{}, params.data(), ws);
    }

    /// The backward pass over all ws.steps recorded steps, layer by layer
    /// from the last down to layer `until` (the same bits as backward() for
    /// t = steps - 1 ... 0, which interleaves the layers; call prepare()
    /// first). g_outputs holds d loss / d output for every step, [t][value];
    /// g_params receives the gradients of layers until .. depth-1 and starts
    /// at parameter_offset(until). Afterwards ws.step_grads[until] holds
    /// d loss / d ws.acts[until] for every step (until >= 1).
    void backward_steps(std::span<const float> params, workspace& ws, std::span<const float> g_outputs, std::span<float> g_params,
                        std::size_t until = 0) const
    {
        const std::size_t T = ws.steps;
        detail::require(until < depth, "sequential::backward_steps: layer {} of {}", until, depth);
        detail::require(g_outputs.size() == T * shapes_[depth].size(), "sequential::backward_steps: {} output gradients for {} steps of {}",
                        g_outputs.size(), T, shapes_[depth].size());
        detail::require(g_params.size() == parameters_ - offsets_[until], "sequential::backward_steps: {} parameter gradients for {}",
                        g_params.size(), parameters_ - offsets_[until]);
        // Every layer writes its whole input gradient: no zeroing needed.
        for (std::size_t k = std::max<std::size_t>(until, 1); k < depth; ++k) ws.step_grads[k].resize(T * shapes_[k].size());
        backward_steps_from<depth>(params.data(), ws, g_outputs.data(), g_params.data(), until, T);
    }

    /// Step t of the backward pass (call for t = steps - 1 down to 0):
    /// g_output = d loss / d output spikes at step t; adds d loss / d params
    /// to g_params.
    void backward(std::span<const float> params, workspace& ws, std::span<const float> g_output, std::span<float> g_params,
                  std::size_t t) const
    {
        std::copy(g_output.begin(), g_output.end(), ws.grads[depth].begin());
        backward_all<depth>(params.data(), ws, g_params.data(), t);
    }

private:
    template <std::size_t... K>
    void configure_all(std::index_sequence<K...>, std::size_t& offset)
    {
        ((shapes_[K + 1] = std::get<K>(layers_).configure(shapes_[K]), offsets_[K] = offset,
          offset += std::get<K>(layers_).parameter_count()),
         ...);
        offsets_[depth] = offset;
    }
    template <std::size_t... K>
    void init_all(std::index_sequence<K...>, std::span<float> params, random_stream& rng) const
    {
        (init_one<K>(params, rng), ...);
    }
    template <std::size_t K>
    void init_one(std::span<float> params, random_stream& rng) const
    {
        const auto& l = std::get<K>(layers_);
        if constexpr (layer_with_weight_count<std::remove_cvref_t<decltype(l)>>) {
            // Weights and biases are two tensors in PyTorch, drawn one after the other.
            l.init(params.subspan(offsets_[K], l.weight_count()), rng);
            l.init(params.subspan(offsets_[K] + l.weight_count(), l.parameter_count() - l.weight_count()), rng);
        } else {
            l.init(params.subspan(offsets_[K], l.parameter_count()), rng);
        }
    }
    template <std::size_t... K>
    workspace make_ws(std::index_sequence<K...>, std::size_t steps) const
    {
        workspace ws{std::tuple<typename Layers::work...>(std::get<K>(layers_).make_work(steps)...), {}, {}, {}, 0};
        return ws;
    }
    template <std::size_t... K, class... W>
    void begin_all(std::index_sequence<K...>, W&... w) const
    {
        (std::get<K>(layers_).begin(w), ...);
    }
    template <std::size_t... K>
    void forward_all(std::index_sequence<K...>, const float* params, workspace& ws, bool record) const
    {
        (std::get<K>(layers_).forward(params + offsets_[K], ws.acts[K], ws.acts[K + 1], std::get<K>(ws.work), record), ...);
    }
    template <std::size_t... K>
    void forward_from(std::index_sequence<K...>, const float* params, workspace& ws, std::size_t from, bool record) const
    {
        ((K >= from ? std::get<K>(layers_).forward(params + offsets_[K], ws.acts[K], ws.acts[K + 1], std::get<K>(ws.work), record)
                    : void()),
         ...);
    }
    template <std::size_t... K>
    void prepare_all(std::index_sequence<K...>, const float* params, workspace& ws) const
    {
        (
            [&] {
                const auto& l = std::get<K>(layers_);
                if constexpr (layer_with_prepare<std::remove_cvref_t<decltype(l)>>) l.prepare(params + offsets_[K], std::get<K>(ws.work));
            }(),
            ...);
    }
    template <std::size_t K>
    void backward_steps_from(const float* params, workspace& ws, const float* g_outputs, float* g_params, std::size_t until,
                             std::size_t T) const
    {
        if constexpr (K > 0) {
            if (K - 1 < until) return;
            const auto& l = std::get<K - 1>(layers_);
            auto& w = std::get<K - 1>(ws.work);
            const float* g_out = K == depth ? g_outputs : ws.step_grads[K].data();
            float* g_in = K > 1 ? ws.step_grads[K - 1].data() : nullptr;
            float* g_p = g_params + (offsets_[K - 1] - offsets_[until]);
            if constexpr (layer_with_backward_steps<std::remove_cvref_t<decltype(l)>>) {
                l.backward_steps(params + offsets_[K - 1], g_out, g_in, g_p, w, T);
            } else {
                const std::size_t n_out = shapes_[K].size(), n_in = shapes_[K - 1].size();
                for (std::size_t t = T; t-- > 0;)
                    l.backward(params + offsets_[K - 1], g_out + t * n_out, g_in ? g_in + t * n_in : nullptr, g_p, w, t);
            }
            backward_steps_from<K - 1>(params, ws, g_outputs, g_params, until, T);
        }
    }
    template <std::size_t K>
    void backward_all(const float* params, workspace& ws, float* g_params, std::size_t t) const
    {
        if constexpr (K > 0) {
            // The first layer's input needs no gradient.
            float* g_in = K > 1 ? ws.grads[K - 1].data() : nullptr;
            std::get<K - 1>(layers_).backward(params + offsets_[K - 1], ws.grads[K].data(), g_in, g_params + offsets_[K - 1],
                                              std::get<K - 1>(ws.work), t);
            backward_all<K - 1>(params, ws, g_params, t);
        }
    }

    std::tuple<Layers...> layers_;
    std::array<shape3, depth + 1> shapes_{};
    std::array<std::size_t, depth + 1> offsets_{};
    std::size_t parameters_ = 0;
};

} // namespace somnus::sg
