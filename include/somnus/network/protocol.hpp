// SPDX-License-Identifier: MIT
// The presentation protocol, written once for every network built from
// parts (network_topology in core/concepts.hpp): an image is shown as
// Poisson input for present_ms, then the network rests for rest_ms; fewer
// than min_spikes spikes of the readout ("exc") population and the image is
// shown again at a higher intensity; the rest is stepped until the network
// has settled and jumped in closed form after that; evaluation starts every
// image from the rest state with a random stream keyed by the image, so
// images are independent; spikes can be recorded; a sleep phase runs any
// sleep mechanism on the same step; checkpoints save and load everything.
//
// A topology derives from presentation_protocol<Topology, Encoder> (CRTP)
// and provides its parts and its step (network/competitive.hpp and
// network/recurrent.hpp are two; docs/guide.md shows a third).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../core/params.hpp"
#include "../core/random.hpp"
#include "../encoding/replay.hpp"
#include "../io/checkpoint.hpp"

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

/// What load() found: differences in protocol fields between the file and
/// this network (the network keeps its own), and whether the file recorded
/// its configuration at all (files written before it did are checked by
/// shape only).
struct load_report {
    bool configuration_recorded = false;
    std::vector<std::string> notes;
};

/// What a sleep phase did (the "up state" shows as a higher rate).
struct sleep_report {
    std::uint64_t steps = 0;
    std::uint64_t input_spikes = 0, exc_spikes = 0, inh_spikes = 0;
};

/// Spikes of one presentation, (step, neuron) per population, steps counted
/// from the start of the final showing.
struct spike_raster {
    std::vector<raster_event> input, exc, inh;
    void clear()
    {
        input.clear();
        exc.clear();
        inh.clear();
    }
};

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
    std::span<const std::uint32_t> counts() const { return mut().exc_population().counts; }
    /// Running mean of the training images (input units), the sleep input.
    std::span<const float> mean_image() const { return mean_image_; }
    std::size_t n_input() const { return mean_image_.size(); }
    std::size_t n_exc() const { return mut().exc_population().size(); }

    /// Everything that shapes the network, as its checkpoints record it:
    /// the topology's configuration() if it has one, else config.* (its
    /// config's fields), exc.*, inh.* (neuron models) and homeostasis.*.
    param_record recorded_configuration() const
    {
        if constexpr (requires(const Topology& t) { { t.configuration() } -> std::same_as<param_record>; }) {
            return self().configuration();
        } else {
            param_record rec;
            self().config().each_field([&](const char* name, const auto& value) { rec.add(fmt::format("config.{}", name), value); });
            record_policy(rec, "exc", mut().exc_population().model);
            record_policy(rec, "inh", mut().inh_population().model);
            record_policy(rec, "homeostasis", mut().homeostasis());
            return rec;
        }
    }

    /// The sizes a checkpoint must match: the topology's shape() if it has
    /// one, else (inputs, excitatory neurons).
    std::vector<std::uint64_t> recorded_shape() const
    {
        if constexpr (requires(const Topology& t) { { t.shape() } -> std::same_as<std::vector<std::uint64_t>>; })
            return self().shape();
        else
            return {n_input(), n_exc()};
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
    /// in a replay_encoder, a sleep drive, ...) shown once, then the rest:
    /// plasticity and homeostasis on, as for an image, but no re-showing,
    /// and it does not count as an image (images_seen() and the mean image
    /// are unchanged). The source's emit(step, out) is asked for steps
    /// 0..steps-1 in order.
    /// `key` names the presentation's membrane-noise stream (for neuron
    /// models that have noise).
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

    /// Back to the rest state, keeping learnt weights and thresholds.
    void reset_to_rest()
    {
        self().for_each_population([](auto& pop) { pop.reset_to_rest(); });
        self().for_each_projection([](const char*, auto& proj) {
            if constexpr (requires { proj.clear_in_flight(); }) proj.clear_in_flight();
        });
    }

    /// Responds to one image without learning, from the rest state. `key`
    /// names the image's random stream (e.g. its index in the test set), so
    /// the response does not depend on what was evaluated before or on
    /// which thread evaluates it.
    presentation evaluate(std::span<const std::uint8_t> image, std::uint64_t key)
    {
        return present(image, phase::evaluate, key);
    }

    /// An offline phase of duration_ms driven by a sleep mechanism (or a
    /// combine<...> of them; core/concepts.hpp says what each hook may do).
    /// Works on any network, trained or not; counts() and the recorded
    /// raster read afterwards are those of the last presentation, as if the
    /// phase had not happened; gains and neuron models are restored, while
    /// weights, thresholds and neuron state keep what sleep did. The random
    /// stream is keyed by (seed, images seen, sleeps so far), which
    /// checkpoints keep, so a resumed run sleeps exactly as an
    /// uninterrupted one.
    template <class Mechanism, class T = Topology>
        requires sleep_mechanism_for<Mechanism, typename T::sleep_context_type>
    sleep_report sleep(Mechanism& mechanism, double duration_ms)
    {
        auto& net = self();
        const auto& cfg = net.config();
        auto& exc = net.exc_population();
        auto& inh = net.inh_population();
        using exc_model = std::remove_cvref_t<decltype(exc.model)>;
        using inh_model = std::remove_cvref_t<decltype(inh.model)>;
        detail::require(std::isfinite(duration_ms) && duration_ms >= 0.0, "{}::sleep: duration_ms must be finite and >= 0, got {}",
                        T::network_name, duration_ms);
        const auto steps = static_cast<std::uint64_t>(std::llround(duration_ms / cfg.dt_ms));
        random_stream rng(cfg.seed, stream_purpose::sleep_noise, images_seen_, sleeps_done_);
        random_stream membrane_rng(cfg.seed, stream_purpose::membrane_noise, 3, images_seen_, sleeps_done_);
        ++sleeps_done_;

        // What the caller reads, and what the phase may only borrow.
        const std::vector<std::uint32_t> saved_counts = exc.counts;
        spike_raster* const saved_raster = raster_;
        raster_ = nullptr;
        const exc_model waking_exc = exc.model;
        const inh_model waking_inh = inh.model;
        auto projections = net.projection_views();
        std::array<float, std::tuple_size_v<decltype(projections)>> waking_gains{};
        for (std::size_t k = 0; k < projections.size(); ++k) waking_gains[k] = *projections[k].gain;

        const std::size_t n_in = n_input();
        std::vector<float> drive(n_in, 0.0f), mean_rates(n_in);
        for (std::size_t i = 0; i < n_in; ++i) mean_rates[i] = mean_image_[i] * cfg.rate_hz_per_unit * cfg.start_intensity;
        typename T::sleep_context_type ctx;
        ctx.dt_ms = cfg.dt_ms;
        ctx.steps = steps;
        ctx.rng = &rng;
        ctx.input_rates_hz = drive;
        ctx.input_spikes = &sleep_spikes_;
        ctx.mean_image_rates_hz = mean_rates;
        if constexpr (requires { cfg.input_rows; }) {
            ctx.input_rows = cfg.input_rows;
            ctx.input_cols = cfg.input_cols;
        } else if (n_in == 784) {
            ctx.input_rows = ctx.input_cols = 28;
        }
        ctx.projections = projections;
        ctx.exc = exc.view();
        ctx.inh = inh.view();
        ctx.exc_params = exc.model.parameters();
        ctx.inh_params = inh.model.parameters();

        sleep_report report;
        mechanism.begin(ctx);
        const double step_p = double(cfg.dt_ms) * 1.0e-3;
        replay_step source{n_in, in_drawn_};
        const noise_scope sleeping(noise_rng_, nullptr);
        for (std::uint64_t t = 0; t < steps; ++t) {
            ctx.step = t;
            std::fill(drive.begin(), drive.end(), 0.0f);
            sleep_spikes_.clear();
            mechanism.step(ctx);
            if (ctx.finished) break;
            ++report.steps;
            noise_rng_ = ctx.noise ? &membrane_rng : nullptr;
            if (ctx.models_changed) {
                exc.model = exc_model(ctx.exc_params, cfg.dt_ms);
                inh.model = inh_model(ctx.inh_params, cfg.dt_ms);
                ctx.models_changed = false;
            }
            // Bernoulli input spikes from the rates, merged with the spikes
            // mechanisms emitted directly, in increasing order, once each.
            in_drawn_.clear();
            for (std::size_t i = 0; i < n_in; ++i) {
                const float r = drive[i];
                detail::require(r >= 0.0f && r < std::numeric_limits<float>::infinity(), "{}::sleep: input rate {} Hz for input {}",
                                T::network_name, r, i);
                if (r > 0.0f && rng.uniform() < double(r) * step_p) in_drawn_.push_back(static_cast<std::uint32_t>(i));
            }
            if (!sleep_spikes_.empty()) {
                for (const auto i : sleep_spikes_)
                    detail::require(i < n_in, "{}::sleep: input spike for input {} of {}", T::network_name, i, n_in);
                in_drawn_.insert(in_drawn_.end(), sleep_spikes_.begin(), sleep_spikes_.end());
                std::sort(in_drawn_.begin(), in_drawn_.end());
                in_drawn_.erase(std::unique(in_drawn_.begin(), in_drawn_.end()), in_drawn_.end());
            }
            report.input_spikes += in_drawn_.size();
            run(source, 1, true, ctx.plasticity, ctx.homeostasis);
            report.exc_spikes += exc.spikes.size();
            report.inh_spikes += inh.spikes.size();
            ctx.exc_spikes = exc.spikes;
        }
        mechanism.end(ctx);
        if (ctx.homeostasis) net.homeostasis().after_presentation(net.layer(), double(report.steps) * cfg.dt_ms);

        exc.model = waking_exc;
        inh.model = waking_inh;
        for (std::size_t k = 0; k < projections.size(); ++k) *projections[k].gain = waking_gains[k];
        exc.counts = saved_counts;
        raster_ = saved_raster;
        return report;
    }

    /// Saves everything needed to continue exactly where training stands:
    /// every projection's weights, traces, delays and spikes in flight, every
    /// population's state and shared traces, the image and sleep counters and
    /// the running mean image. Atomic; see io/checkpoint.hpp for the format.
    void save(const std::filesystem::path& path) const
    {
        checkpoint_writer w;
        w.add_text("network", T_name());
        w.add_text("config", recorded_configuration().text());
        w.add_u64("shape", recorded_shape());
        const std::uint64_t seen[] = {images_seen_};
        w.add_u64("images_seen", seen);
        const std::uint64_t sleeps[] = {sleeps_done_};
        w.add_u64("sleeps_done", sleeps);
        mut().for_each_projection([&](const char* name, auto& proj) {
            if constexpr (requires { proj.save_to(w, std::string{}, false); }) proj.save_to(w, std::string(name) + ".", false);
        });
        w.add("mean_image", std::span<const float>(mean_image_));
        mut().for_each_population([&](auto& pop) { pop.save_to(w); });
        w.save(path);
    }

    /// Loads a checkpoint written by save(). The file's recorded
    /// configuration must match this network's in every field that shapes
    /// the saved state (sizes, dt, delays, weight bounds, every neuron,
    /// plasticity and homeostasis parameter, the policy types); a mismatch
    /// is refused with a data_error that names each field and both values.
    /// Protocol fields (the config's is_protocol_field) may differ: this
    /// network keeps its own and the report lists the differences. Values
    /// are validated too (finite state, weights within bounds, delays within
    /// the configured maximum). Anything refused leaves this network
    /// unchanged.
    load_report load(const std::filesystem::path& path)
    {
        using config_type = std::remove_cvref_t<decltype(self().config())>;
        const checkpoint_reader r(path);
        if (r.read_text("network") != T_name()) r.fail(fmt::format("not a {} checkpoint", T_name()));
        const auto file_shape = r.read_u64("shape");
        const auto expected = recorded_shape();
        if (file_shape != expected) {
            if constexpr (requires { Topology::describe_shape(file_shape); })
                r.fail(fmt::format("checkpoint is for {}, this network has {}", Topology::describe_shape(file_shape),
                                   fmt::join(expected, " x ")));
            else
                r.fail(fmt::format("checkpoint is for shape ({}), this network has ({})", fmt::join(file_shape, " x "),
                                   fmt::join(expected, " x ")));
        }
        load_report report;
        if (r.has("config")) {
            report.configuration_recorded = true;
            const auto saved = param_record::parse(r.read_text("config"), r.path());
            std::vector<std::string> refused;
            for (auto& d : recorded_configuration().differences(saved, "this network has", "the file has")) {
                const auto name = std::string_view(d).substr(0, d.find(':'));
                const bool protocol = name.starts_with("config.") && config_type::is_protocol_field(name.substr(7));
                (protocol ? report.notes : refused).push_back(std::move(d));
            }
            if (!refused.empty())
                r.fail(fmt::format("saved under another configuration ({} difference{}): {}", refused.size(),
                                   refused.size() == 1 ? "" : "s", fmt::join(refused, "; ")));
        } else {
            report.notes.push_back("the file records no configuration (written by an older somnus): checked by shape only");
        }
        Topology next = self();
        auto& base = static_cast<presentation_protocol&>(next);
        const auto seen = r.read_u64("images_seen");
        if (seen.size() != 1) r.fail("section 'images_seen' must hold one value");
        base.images_seen_ = seen[0];
        if (r.has("sleeps_done")) {
            const auto sleeps = r.read_u64("sleeps_done");
            if (sleeps.size() != 1) r.fail("section 'sleeps_done' must hold one value");
            base.sleeps_done_ = sleeps[0];
        } else {
            base.sleeps_done_ = 0;
        }
        std::string first_plastic;  // where files written before traces were shared kept them
        next.for_each_projection([&](const char* name, auto& proj) {
            if constexpr (requires { proj.load_from(r, std::string{}, false); }) {
                proj.load_from(r, std::string(name) + ".", false);
                if (first_plastic.empty()) first_plastic = std::string(name) + ".post_traces";
            }
        });
        r.read("mean_image", std::span<float>(base.mean_image_));
        for (std::size_t i = 0; i < base.mean_image_.size(); ++i)
            if (!(base.mean_image_[i] >= 0.0f && base.mean_image_[i] <= 255.0f))
                r.fail(fmt::format("'mean_image' holds {} at input {}, outside the pixel range 0..255", base.mean_image_[i], i));
        next.for_each_population([&](auto& pop) { pop.load_from(r, first_plastic); });
        if constexpr (requires { next.check_loaded(r); }) next.check_loaded(r);
        self() = std::move(next);
        return report;
    }

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
    /// cfg: the topology's configuration, validated here first (its fields
    /// n_input, dt_ms, present_ms, rest_ms are read before the topology's
    /// members exist).
    template <class Config>
    presentation_protocol(const Config& cfg, Encoder encoder)
        : encoder_((cfg.validate(), std::move(encoder))), rates_(cfg.n_input, 0.0f), mean_image_(cfg.n_input, 0.0f)
    {
        detail::require(encoder_.size() == cfg.n_input, "{}: the encoder has {} inputs, the network {}", Topology::network_name,
                        encoder_.size(), cfg.n_input);
        present_steps_ = static_cast<std::uint32_t>(std::lround(cfg.present_ms / cfg.dt_ms));
        rest_steps_ = static_cast<std::uint32_t>(std::lround(cfg.rest_ms / cfg.dt_ms));
        in_spikes_.reserve(cfg.n_input);
    }

    presentation_protocol(const presentation_protocol&) = default;
    presentation_protocol(presentation_protocol&&) noexcept = default;
    presentation_protocol& operator=(const presentation_protocol&) = default;
    presentation_protocol& operator=(presentation_protocol&&) noexcept = default;
    ~presentation_protocol() = default;

private:
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
        if (learn) net.homeostasis().before_presentation(net.layer());
        if (raster_ != nullptr) raster_->clear();
        clear_counts();
        run(source, steps, true, learn);
        rest(learn);
        if (learn) net.homeostasis().after_presentation(net.layer(), double(steps + rest_steps_) * net.config().dt_ms);
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
            if (learn) net.homeostasis().before_presentation(net.layer());
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
            if (learn) net.homeostasis().after_presentation(net.layer(), double(present_steps_ + rest_steps_) * cfg.dt_ms);
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
        self().for_each_population([](auto& pop) { std::fill(pop.counts.begin(), pop.counts.end(), 0u); });
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
        auto& exc = net.exc_population();
        for (std::uint32_t t = 0; t < steps; ++t) {
            in_spikes_.clear();
            if (with_input) source.emit(t, in_spikes_);
            if (noise_rng_ != nullptr) draw_noise(*noise_rng_);
            net.step(std::span<const std::uint32_t>(in_spikes_), plastic);
            if (homeostatic && !exc.spikes.empty()) net.homeostasis().on_spikes(net.layer(), exc.spikes);
            if (with_input) net.for_each_population([](auto& pop) { pop.count(); });
            if (raster_ != nullptr && with_input) record(t);
        }
    }

    /// The rest after an example: stepped until the network has settled,
    /// then (closed_form_rest) relaxed in closed form. With delays, the last
    /// steps are stepped again so the synapses' trace history is genuine.
    void rest(bool learn)
    {
        auto& net = self();
        std::uint32_t t = 0;
        if (net.config().closed_form_rest) {
            for (; t < rest_steps_ && !settled(); ++t) run(encoder_, 1, false, learn);
            const auto left = rest_steps_ - t;
            std::size_t history = 0;
            net.for_each_projection([&](const char*, auto& proj) {
                if constexpr (requires { proj.history_steps(); }) history = std::max(history, proj.history_steps());
            });
            const auto tail = static_cast<std::uint32_t>(std::min<std::size_t>(left, history));
            const std::uint32_t jump = left - tail;
            if (jump > 0) {
                const double ms = double(jump) * net.config().dt_ms;
                net.for_each_population([&](auto& pop) {
                    pop.relax(ms);
                    if (learn) pop.traces.decay(ms);
                });
                net.for_each_projection([&](const char*, auto& proj) {
                    if constexpr (requires { proj.decay_pre_traces(ms); })
                        if (learn) proj.decay_pre_traces(ms);
                    if constexpr (requires { proj.skip_steps(std::size_t{}); }) proj.skip_steps(jump);
                });
                t += jump;
            }
        }
        run(encoder_, rest_steps_ - t, false, learn);
    }

    bool settled()
    {
        bool quiet = true;
        self().for_each_projection([&](const char*, auto& proj) {
            if constexpr (requires { proj.spikes_in_flight(); }) quiet = quiet && !proj.spikes_in_flight();
        });
        self().for_each_population([&](auto& pop) { quiet = quiet && pop.settled(); });
        return quiet;
    }

    void record(std::uint32_t t)
    {
        for (const auto i : in_spikes_) raster_->input.push_back({t, i});
        for (const auto j : self().exc_population().spikes) raster_->exc.push_back({t, j});
        for (const auto j : self().inh_population().spikes) raster_->inh.push_back({t, j});
    }

    /// This step's membrane noise, for every population whose model has
    /// noise and whose noise is on, in population order.
    void draw_noise(random_stream& rng)
    {
        self().for_each_population([&](auto& pop) {
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

    /// Emits one step's input spikes (the sleep drive's) at step 0.
    struct replay_step {
        std::size_t n;
        const spike_list& spikes;
        std::size_t size() const { return n; }
        void emit(std::uint32_t, spike_list& out) const { out.insert(out.end(), spikes.begin(), spikes.end()); }
    };

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
