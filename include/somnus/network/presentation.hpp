// SPDX-License-Identifier: MIT
// The presentation protocol, written once for every network built from
// parts (network_topology in core/concepts.hpp; the parts listed once by
// parts(), network/parts.hpp): an image is shown as Poisson input for
// present_ms, then the network rests for rest_ms; fewer than min_spikes
// spikes of the readout population and the image is shown again at a higher
// intensity; the rest is stepped until the network has settled and jumped in
// closed form after that; evaluation starts every image from the rest state
// with random streams keyed by the image, so images are independent; spikes
// can be recorded; neuron models with membrane noise get it from a stream
// keyed by the presentation. Sleep phases (sleep_phase.hpp) and checkpoints
// (checkpoints.hpp) are their own files, reached through sleep(), save() and
// load() here.
//
// A topology derives from presentation_protocol<Topology, Encoder> (CRTP)
// and provides its parts and its step (network/competitive.hpp,
// recurrent.hpp and massey.hpp are three; docs/guide.md shows a fourth).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../core/params.hpp"
#include "../core/random.hpp"
#include "../core/steps.hpp"
#include "../encoding/replay.hpp"
#include "parts.hpp"

namespace somnus {

/// What happens during a presentation.
enum class phase : std::uint64_t {
    train = 1,     ///< plasticity and homeostasis on; state carries over between images
    evaluate = 2,  ///< frozen; every image starts from the rest state, so images are independent
};

/// One presentation's outcome.
struct presentation {
    std::uint32_t spikes = 0;   ///< readout spikes during the final input period
    std::uint32_t repeats = 0;  ///< extra showings needed to reach min_spikes
    float intensity = 0.0f;     ///< intensity of the final showing
};

/// Spikes of one presentation, (step, neuron) for the input and for the
/// excitatory and inhibitory populations, steps counted from the start of
/// the final showing.
struct spike_raster {
    std::vector<raster_event> input, excitatory, inhibitory;
    void clear()
    {
        input.clear();
        excitatory.clear();
        inhibitory.clear();
    }
};

struct sleep_report;
struct load_report;

template <class Topology, rate_encoder Encoder>
class presentation_protocol {
public:
    using encoder_type = Encoder;

    /// Training images presented so far (the key of the next one's random stream).
    std::uint64_t images_seen() const { return images_seen_; }
    void set_images_seen(std::uint64_t n) { images_seen_ = n; }
    /// Sleep phases run so far (part of the key of the next one's random stream).
    std::uint64_t sleeps_done() const { return sleeps_done_; }
    /// Readout spike counts of the last presentation's final showing.
    std::span<const std::uint32_t> counts() const { return mut().parts().readout.counts; }
    /// Running mean of the training images (input units), the sleep input.
    std::span<const float> mean_image() const { return mean_image_; }
    std::size_t n_input() const { return mean_image_.size(); }
    /// Neurons of the readout population.
    std::size_t n_readout() const { return mut().parts().readout.size(); }
    /// Steps of one showing of an image (present_ms) and of the rest after
    /// it (rest_ms), as the checked conversion of core/steps.hpp gave them.
    std::uint32_t present_steps() const { return present_steps_; }
    std::uint32_t rest_steps() const { return rest_steps_; }

    /// Everything that shapes the network, as its checkpoints record it:
    /// the topology's configuration() if it has one, else config.* (its
    /// config's fields), each population's model under the population's
    /// name, and homeostasis.*.
    param_record recorded_configuration() const
    {
        if constexpr (requires(const Topology& t) { { t.configuration() } -> std::same_as<param_record>; }) {
            return self().configuration();
        } else {
            param_record rec;
            self().config().each_field([&](const char* name, const auto& value) { rec.add(fmt::format("config.{}", name), value); });
            mut().parts().for_each_population([&](auto& pop) { record_policy(rec, pop.name(), pop.model); });
            record_policy(rec, "homeostasis", mut().homeostasis());
            return rec;
        }
    }

    /// The sizes a checkpoint must match: the topology's shape() if it has
    /// one, else (inputs, readout neurons).
    std::vector<std::uint64_t> recorded_shape() const
    {
        if constexpr (requires(const Topology& t) { { t.shape() } -> std::same_as<std::vector<std::uint64_t>>; })
            return self().shape();
        else
            return {n_input(), n_readout()};
    }

    /// Records the spikes of subsequent presentations into r (nullptr stops).
    void record_into(spike_raster* r) { raster_ = r; }

    /// Trains on one image (pixels 0..255): plasticity and homeostasis on.
    presentation train(std::span<const std::uint8_t> image)
    {
        const auto p = present(image, phase::train, images_seen_);
        update_mean_image(image);
        ++images_seen_;
        return p;
    }

    /// Trains on `steps` steps of input from any source (a recorded raster
    /// in a replay_encoder, per-image rates in a poisson_encoder, ...) shown
    /// once, then the rest: plasticity and homeostasis on, as for an image,
    /// but no re-showing, and it does not count as an image (images_seen()
    /// and the mean image are unchanged). The source's emit(step, out) is
    /// asked for steps 0..steps-1 in order. `key` names the presentation's
    /// membrane-noise stream (for neuron models that have noise).
    template <input_encoder Source>
    presentation train(Source& source, std::uint32_t steps, std::uint64_t key = 0)
    {
        return present_source(source, steps, true, true, key);
    }

    /// Responds to `steps` steps of input from any source without learning,
    /// from the rest state.
    template <input_encoder Source>
    presentation evaluate(Source& source, std::uint32_t steps, std::uint64_t key = 0)
    {
        return present_source(source, steps, false, true, key);
    }

    /// Responds to `steps` steps of input without learning, continuing from
    /// the network's current state (a stream of stimuli shown back to back,
    /// as Massey et al.'s evaluation runs).
    template <input_encoder Source>
    presentation respond(Source& source, std::uint32_t steps, std::uint64_t key)
    {
        return present_source(source, steps, false, false, key);
    }

    /// Responds to one image without learning, from the rest state. `key`
    /// names the image's random streams (e.g. its index in the test set), so
    /// the response does not depend on what was evaluated before or on
    /// which thread evaluates it.
    presentation evaluate(std::span<const std::uint8_t> image, std::uint64_t key)
    {
        return present(image, phase::evaluate, key);
    }

    /// Back to the rest state, keeping learnt weights and thresholds.
    void reset_to_rest()
    {
        const auto p = self().parts();
        p.for_each_population([](auto& pop) { pop.reset_to_rest(); });
        p.for_each_projection([](const auto& part) { part.proj.clear_in_flight(); });
    }

    /// An offline phase of duration_ms driven by a sleep mechanism (or a
    /// combine<...> of them): run_sleep_phase in sleep_phase.hpp.
    template <class Mechanism, class T = Topology>
        requires sleep_mechanism_for<Mechanism, typename T::sleep_context_type>
    sleep_report sleep(Mechanism& mechanism, double duration_ms);

    /// Saves everything needed to continue exactly where training stands
    /// (save_network in checkpoints.hpp): atomic, versioned, checksummed;
    /// with an assignment (readout/assignment.hpp) the label readout too.
    void save(const std::filesystem::path& path, std::span<const int> assignment = {}, std::size_t classes = 10) const;

    /// Loads a checkpoint written by save() (load_network in checkpoints.hpp);
    /// anything refused leaves this network unchanged. The report carries
    /// the label readout if one was saved.
    load_report load(const std::filesystem::path& path);

    /// A copy that evaluates independently (for worker threads): same
    /// weights and thresholds, its own state and scratch.
    Topology clone() const
    {
        Topology c = self();
        static_cast<presentation_protocol&>(c).raster_ = nullptr;
        static_cast<presentation_protocol&>(c).noise_rng_ = nullptr;
        return c;
    }

protected:
    /// cfg: the topology's configuration, validated here first (its
    /// presentation fields are read before the topology's members exist).
    template <class Config>
    presentation_protocol(const Config& cfg, Encoder encoder)
        : encoder_((cfg.validate(), std::move(encoder))), rates_(cfg.n_input, 0.0f), mean_image_(cfg.n_input, 0.0f)
    {
        detail::require(encoder_.size() == cfg.n_input, "{}: the encoder has {} inputs, the network {}", Topology::network_name,
                        encoder_.size(), cfg.n_input);
        // An image of no step, or a rest asked for and rounded away, would be
        // silent garbage: both are refused (core/steps.hpp).
        const std::string who = T_name();
        present_steps_ = detail::steps_of<std::uint32_t>(who + ": present_ms", cfg.present_ms, cfg.dt_ms, detail::zero_steps::refused);
        rest_steps_ = detail::steps_of<std::uint32_t>(who + ": rest_ms", cfg.rest_ms, cfg.dt_ms, detail::zero_steps::only_for_zero_ms);
        in_spikes_.reserve(cfg.n_input);
    }

    presentation_protocol(const presentation_protocol&) = default;
    presentation_protocol(presentation_protocol&&) noexcept = default;
    presentation_protocol& operator=(const presentation_protocol&) = default;
    presentation_protocol& operator=(presentation_protocol&&) noexcept = default;
    ~presentation_protocol() = default;

private:
    template <class N, class M>
    friend sleep_report run_sleep_phase(N& net, M& mechanism, double duration_ms);
    template <class N>
    friend void save_network(const N& net, const std::filesystem::path& path, std::span<const int> assignment, std::size_t classes);
    template <class N>
    friend load_report load_network(N& net, const std::filesystem::path& path);

    Topology& self() { return static_cast<Topology&>(*this); }
    /// The parts are walked through non-const accessors, which topologies
    /// need not duplicate; what reads them here does not change them.
    Topology& mut() const { return const_cast<Topology&>(static_cast<const Topology&>(*this)); }
    const Topology& self() const { return static_cast<const Topology&>(*this); }
    static const char* T_name() { return Topology::network_name; }

    template <class Source>
    presentation present_source(Source& source, std::uint32_t steps, bool learn, bool from_rest, std::uint64_t key)
    {
        auto& net = self();
        detail::require(source.size() == n_input(), "{}: the input source has {} inputs, the network {}", T_name(), source.size(),
                        n_input());
        random_stream noise(net.config().seed, stream_purpose::membrane_noise, learn ? 4 : 5, key);
        const noise_scope scope(noise_rng_, &noise);
        if (!learn && from_rest) reset_to_rest();
        if (learn) detail::before_presentation(net.homeostasis(), net.layer());
        if (raster_ != nullptr) raster_->clear();
        clear_counts();
        run(source, steps, true, learn);
        rest(learn);
        if (learn) detail::after_presentation(net.homeostasis(), net.layer(), double(steps + rest_steps_) * net.config().dt_ms);
        presentation result;
        for (auto c : counts()) result.spikes += c;
        return result;
    }

    presentation present(std::span<const std::uint8_t> image, phase ph, std::uint64_t key)
    {
        auto& net = self();
        const auto& cfg = net.config();
        detail::require(image.size() == n_input(), "{}: image has {} pixels, network has {} inputs", T_name(), image.size(), n_input());
        const bool learn = ph == phase::train;
        if (!learn) reset_to_rest();
        presentation result;
        float intensity = cfg.start_intensity;
        for (std::uint32_t repeat = 0;; ++repeat) {
            if (learn) detail::before_presentation(net.homeostasis(), net.layer());
            const float scale = cfg.rate_hz_per_unit * intensity;
            for (std::size_t i = 0; i < n_input(); ++i) rates_[i] = float(image[i]) * scale;
            random_stream rng(cfg.seed, stream_purpose::input_spikes, static_cast<std::uint64_t>(ph), key, repeat);
            random_stream noise(cfg.seed, stream_purpose::membrane_noise, static_cast<std::uint64_t>(ph), key, repeat);
            const noise_scope scope(noise_rng_, &noise);
            encoder_.begin(rates_, present_steps_, rng);
            if (raster_ != nullptr) raster_->clear();
            clear_counts();
            run(encoder_, present_steps_, true, learn);
            rest(learn);
            if (learn) detail::after_presentation(net.homeostasis(), net.layer(), double(present_steps_ + rest_steps_) * cfg.dt_ms);
            result.spikes = 0;
            for (auto c : counts()) result.spikes += c;
            result.repeats = repeat;
            result.intensity = intensity;
            if (result.spikes >= cfg.min_spikes || repeat + 1 >= cfg.max_repeats) break;
            intensity += cfg.intensity_step;
        }
        return result;
    }

    void clear_counts()
    {
        self().parts().for_each_population([](auto& pop) { std::fill(pop.counts.begin(), pop.counts.end(), 0u); });
    }

    template <class Source>
    void run(Source& source, std::uint32_t steps, bool with_input, bool learn)
    {
        run(source, steps, with_input, learn, learn);
    }

    /// `steps` steps of the topology; with_input draws input spikes from
    /// the source, and spikes count toward counts() only then. `plastic`
    /// switches STDP (and trace decay), `homeostatic` the homeostasis rule's
    /// spike hook (sleep can freeze thresholds while STDP runs).
    template <class Source>
    void run(Source& source, std::uint32_t steps, bool with_input, bool plastic, bool homeostatic)
    {
        auto& net = self();
        const auto p = net.parts();
        auto& readout = p.readout;
        for (std::uint32_t t = 0; t < steps; ++t) {
            in_spikes_.clear();
            if (with_input) source.emit(t, in_spikes_);
            if (noise_rng_ != nullptr) draw_noise(*noise_rng_);
            net.step(std::span<const std::uint32_t>(in_spikes_), plastic);
            if (homeostatic && !readout.spikes.empty()) detail::on_spikes(net.homeostasis(), net.layer(), readout.spikes);
            if (with_input) p.for_each_population([](auto& pop) { pop.count(); });
            if (raster_ != nullptr && with_input) record(t);
        }
    }

    /// The rest after an example: stepped until the network has settled,
    /// then (closed_form_rest) relaxed in closed form. With delays, the last
    /// steps are stepped again so the synapses' trace history is genuine.
    void rest(bool learn)
    {
        auto& net = self();
        const auto p = net.parts();
        std::uint32_t t = 0;
        if (net.config().closed_form_rest) {
            for (; t < rest_steps_ && !settled(); ++t) run(encoder_, 1, false, learn);
            const auto left = rest_steps_ - t;
            std::size_t history = 0;
            p.for_each_projection([&](const auto& part) { history = std::max(history, part.proj.history_steps()); });
            const auto tail = static_cast<std::uint32_t>(std::min<std::size_t>(left, history));
            const std::uint32_t jump = left - tail;
            if (jump > 0) {
                const double ms = double(jump) * net.config().dt_ms;
                p.for_each_population([&](auto& pop) {
                    pop.relax(ms);
                    if (learn) pop.traces.decay(ms);
                });
                p.for_each_projection([&](const auto& part) {
                    if (learn) part.proj.decay_pre_traces(ms);
                    part.proj.skip_steps(jump);
                });
                t += jump;
            }
        }
        run(encoder_, rest_steps_ - t, false, learn);
    }

    bool settled()
    {
        const auto p = self().parts();
        bool quiet = true;
        p.for_each_projection([&](const auto& part) { quiet = quiet && !part.proj.spikes_in_flight(); });
        p.for_each_population([&](auto& pop) { quiet = quiet && pop.settled(); });
        return quiet;
    }

    void record(std::uint32_t t)
    {
        const auto p = self().parts();
        for (const auto i : in_spikes_) raster_->input.push_back({t, i});
        for (const auto j : p.excitatory.spikes) raster_->excitatory.push_back({t, j});
        for (const auto j : p.inhibitory.spikes) raster_->inhibitory.push_back({t, j});
    }

    /// This step's membrane noise, for every population whose model has
    /// noise and whose noise is on, in population order.
    void draw_noise(random_stream& rng)
    {
        self().parts().for_each_population([&](auto& pop) {
            if constexpr (requires { pop.model.draw_noise(pop.state, rng); })
                if (pop.noise) pop.model.draw_noise(pop.state, rng);
        });
    }

    /// Points noise_rng_ at a presentation's stream for its duration.
    struct noise_scope {
        random_stream*& slot;
        random_stream* saved;
        noise_scope(random_stream*& s, random_stream* now) : slot(s), saved(s) { slot = now; }
        ~noise_scope() { slot = saved; }
        noise_scope(const noise_scope&) = delete;
        noise_scope& operator=(const noise_scope&) = delete;
    };

    void update_mean_image(std::span<const std::uint8_t> image)
    {
        const float a = 1.0f / float(images_seen_ + 1);
        for (std::size_t i = 0; i < n_input(); ++i) mean_image_[i] += a * (float(image[i]) - mean_image_[i]);
    }

    Encoder encoder_;
    std::vector<float> rates_;
    std::vector<float> mean_image_;
    spike_list in_spikes_;
    std::uint32_t present_steps_ = 0, rest_steps_ = 0;
    std::uint64_t images_seen_ = 0;
    std::uint64_t sleeps_done_ = 0;
    spike_list sleep_spikes_, in_drawn_;
    spike_raster* raster_ = nullptr;
    random_stream* noise_rng_ = nullptr;  ///< the running presentation's membrane-noise stream
};

} // namespace somnus

#include "checkpoints.hpp"
#include "sleep_phase.hpp"

namespace somnus {

template <class Topology, rate_encoder Encoder>
template <class Mechanism, class T>
    requires sleep_mechanism_for<Mechanism, typename T::sleep_context_type>
sleep_report presentation_protocol<Topology, Encoder>::sleep(Mechanism& mechanism, double duration_ms)
{
    return run_sleep_phase(self(), mechanism, duration_ms);
}

template <class Topology, rate_encoder Encoder>
void presentation_protocol<Topology, Encoder>::save(const std::filesystem::path& path, std::span<const int> assignment,
                                                   std::size_t classes) const
{
    save_network(self(), path, assignment, classes);
}

template <class Topology, rate_encoder Encoder>
load_report presentation_protocol<Topology, Encoder>::load(const std::filesystem::path& path)
{
    return load_network(self(), path);
}

} // namespace somnus
