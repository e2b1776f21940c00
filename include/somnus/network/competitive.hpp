// SPDX-License-Identifier: MIT
// Input -> excitatory <-> inhibitory competitive network of Diehl & Cook 2015
// (Front. Comput. Neurosci. 9:99): Poisson inputs drive excitatory neurons
// through plastic all-to-all synapses; each excitatory neuron excites one
// inhibitory partner, which inhibits every other excitatory neuron.
// A step reads as the biology does: integrate and fire -> input spikes ->
// propagate -> learn -> homeostasis. Every policy is a template parameter.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <string>
#include <string_view>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/error.hpp"
#include "../core/params.hpp"
#include "../encoding/poisson.hpp"
#include "../encoding/replay.hpp"
#include "../homeostasis/adaptive_threshold.hpp"
#include "../homeostasis/none.hpp"
#include "../homeostasis/normalize_incoming.hpp"
#include "../io/checkpoint.hpp"
#include "../neuron/conductance_lif.hpp"
#include "../plasticity/diehl_cook_triplet.hpp"
#include "../core/combine.hpp"
#include "../synapse/dense.hpp"

namespace somnus {

/// Run-time configuration; defaults are Diehl & Cook 2015 (DESIGN.md section 6).
struct competitive_config {
    std::size_t n_input = 784;
    std::size_t n_exc = 100;
    float dt_ms = 0.5f;
    float present_ms = 350.0f;
    float rest_ms = 150.0f;
    /// Input rate (Hz) = pixel (0..255) * rate_hz_per_unit * intensity:
    /// pixel / 4 Hz at the starting intensity 2 (63.75 Hz for 255).
    float rate_hz_per_unit = 0.125f;
    float start_intensity = 2.0f;
    float intensity_step = 1.0f;
    /// Fewer excitatory spikes than this: raise the intensity, show again.
    std::uint32_t min_spikes = 5;
    /// Give up raising the intensity after this many repeats (a blank image
    /// would otherwise be shown forever); the last response is kept.
    std::uint32_t max_repeats = 40;
    float w_input_init_max = 0.3f;  ///< initial input weights uniform in [0, this]
    /// Input -> excitatory delays drawn uniformly from whole steps in
    /// [0, input_delay_max_ms]; 0 = no delays (the paper's description).
    /// Diehl & Cook's code uses 10 ms.
    float input_delay_max_ms = 0.0f;
    float w_exc_inh = 10.4f;        ///< exc -> inh, one-to-one
    float w_inh_exc = 17.0f;        ///< inh -> exc, all but the partner
    weight_bounds bounds{0.0f, 1.0f};
    std::uint64_t seed = 0;
    /// Step the rest after each example only until the network has settled
    /// (no spikes in flight, conductances negligible, no neuron able to fire
    /// at rest), then jump the remainder in closed form. Agrees with stepping
    /// it (false, the reference) to rounding; tests/network checks that.
    bool closed_form_rest = true;

    /// Every field by name (core/params.hpp), for checkpoints and results.
    template <class F>
    void each_field(F&& f) const
    {
        f("n_input", n_input);
        f("n_exc", n_exc);
        f("dt_ms", dt_ms);
        f("present_ms", present_ms);
        f("rest_ms", rest_ms);
        f("rate_hz_per_unit", rate_hz_per_unit);
        f("start_intensity", start_intensity);
        f("intensity_step", intensity_step);
        f("min_spikes", min_spikes);
        f("max_repeats", max_repeats);
        f("w_input_init_max", w_input_init_max);
        f("input_delay_max_ms", input_delay_max_ms);
        f("w_exc_inh", w_exc_inh);
        f("w_inh_exc", w_inh_exc);
        f("w_min", bounds.w_min);
        f("w_max", bounds.w_max);
        f("seed", seed);
        f("closed_form_rest", closed_form_rest);
    }

    /// Fields that only steer the protocol (how images are shown, the seed
    /// of future input spikes, the fixed exc <-> inh weights): a checkpoint
    /// loaded under other values is continued with them, and the
    /// difference is reported. Every other field shapes the saved state.
    static bool is_protocol_field(std::string_view name)
    {
        for (const char* f : {"present_ms", "rest_ms", "rate_hz_per_unit", "start_intensity", "intensity_step", "min_spikes",
                              "max_repeats", "w_input_init_max", "w_exc_inh", "w_inh_exc", "seed", "closed_form_rest"})
            if (name == f) return true;
        return false;
    }

    void validate() const
    {
        detail::require(std::isfinite(dt_ms) && std::isfinite(present_ms) && std::isfinite(rest_ms) &&
                            std::isfinite(rate_hz_per_unit) && std::isfinite(start_intensity) && std::isfinite(intensity_step) &&
                            std::isfinite(w_input_init_max) && std::isfinite(input_delay_max_ms) && std::isfinite(w_exc_inh) &&
                            std::isfinite(w_inh_exc) && std::isfinite(bounds.w_min) && std::isfinite(bounds.w_max),
                        "competitive_config: every time, rate and weight must be finite");
        detail::require(bounds.w_min <= bounds.w_max, "competitive_config: weight bounds [{}, {}] are reversed", bounds.w_min,
                        bounds.w_max);
        detail::require(n_input > 0 && n_exc > 0, "competitive_config: n_input ({}) and n_exc ({}) must be positive", n_input, n_exc);
        detail::require(dt_ms > 0.0f, "competitive_config: dt_ms must be positive, got {}", dt_ms);
        detail::require(present_ms > 0.0f && rest_ms >= 0.0f, "competitive_config: present_ms must be > 0 and rest_ms >= 0");
        detail::require(rate_hz_per_unit >= 0.0f && start_intensity > 0.0f && intensity_step >= 0.0f,
                        "competitive_config: rates and intensities must be non-negative");
        detail::require(input_delay_max_ms >= 0.0f && input_delay_max_ms / dt_ms <= 255.0f,
                        "competitive_config: input_delay_max_ms must be in [0, 255 dt], got {}", input_delay_max_ms);
        detail::require(w_input_init_max >= bounds.w_min && w_input_init_max <= bounds.w_max,
                        "competitive_config: w_input_init_max {} outside the weight bounds [{}, {}]", w_input_init_max,
                        bounds.w_min, bounds.w_max);
    }
};

/// What happens during a presentation.
enum class phase : std::uint64_t {
    train = 1,     ///< plasticity and homeostasis on; state carries over between images
    evaluate = 2,  ///< frozen; every image starts from the rest state, so images are independent
};

/// One presentation's outcome.
struct presentation {
    std::uint32_t spikes = 0;   ///< excitatory spikes during the final input period
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

using diehl_cook_homeostasis = combine<adaptive_threshold, normalize_incoming>;

template <neuron_model Exc = conductance_lif, neuron_model Inh = conductance_lif, plasticity_rule Rule = diehl_cook_triplet,
          homeostasis_rule Homeostasis = diehl_cook_homeostasis, rate_encoder Encoder = poisson_encoder>
class competitive_network {
public:
    using exc_model = Exc;
    using inh_model = Inh;
    using synapses_type = dense_synapses<Rule>;
    using encoder_type = Encoder;
    /// What a sleep mechanism's hooks receive (core/concepts.hpp).
    using sleep_context_type = sleep_context<typename Exc::params, typename Inh::params>;

    /// The encoder turns an image's pixel rates into input spikes; by
    /// default it is built as Encoder(n_input, dt_ms).
    competitive_network(competitive_config cfg, Exc exc, Inh inh, Rule rule = {}, Homeostasis homeostasis = {})
        requires std::constructible_from<Encoder, std::size_t, float>
        : competitive_network(cfg, std::move(exc), std::move(inh), std::move(rule), std::move(homeostasis),
                              Encoder(cfg.n_input, cfg.dt_ms)) {}

    competitive_network(competitive_config cfg, Exc exc, Inh inh, Rule rule, Homeostasis homeostasis, Encoder encoder)
        : cfg_((cfg.validate(), cfg)), exc_(std::move(exc)), inh_(std::move(inh)), homeostasis_(std::move(homeostasis)),
          input_(cfg.n_input, cfg.n_exc, std::move(rule), cfg.dt_ms, cfg.bounds),
          encoder_(std::move(encoder)), exc_state_(exc_.make_state(cfg.n_exc)), inh_state_(inh_.make_state(cfg.n_exc)),
          exc_rest_(exc_state_), inh_rest_(inh_state_), counts_(cfg.n_exc, 0), rates_(cfg.n_input, 0.0f),
          mean_image_(cfg.n_input, 0.0f)
    {
        // The rest state evaluation starts from: the initial state left alone
        // for a second (the initial v may sit far below rest, as Diehl &
        // Cook's -105 mV does).
        exc_.relax(exc_rest_, rest_relax_ms);
        inh_.relax(inh_rest_, rest_relax_ms);
        detail::require(std::abs(exc_.dt_ms() - cfg.dt_ms) < 1e-6f && std::abs(inh_.dt_ms() - cfg.dt_ms) < 1e-6f,
                        "competitive_network: neuron models built for dt {} / {} ms, network runs at {} ms", exc_.dt_ms(),
                        inh_.dt_ms(), cfg.dt_ms);
        random_stream rng(cfg.seed, stream_purpose::init_weights);
        for (auto& w : input_.weights()) w = rng.uniform(0.0f, cfg.w_input_init_max);
        if (cfg.input_delay_max_ms > 0.0f) {
            const auto max_steps = static_cast<std::uint64_t>(std::lround(cfg.input_delay_max_ms / cfg.dt_ms));
            random_stream delays_rng(cfg.seed, stream_purpose::delays);
            std::vector<std::uint8_t> d(cfg.n_input * cfg.n_exc);
            for (auto& x : d) x = static_cast<std::uint8_t>(delays_rng.below(max_steps + 1));
            input_.set_delays(d);
        }
        detail::require(encoder_.size() == cfg.n_input, "competitive_network: the encoder has {} inputs, the network {}",
                        encoder_.size(), cfg.n_input);
        present_steps_ = static_cast<std::uint32_t>(std::lround(cfg.present_ms / cfg.dt_ms));
        rest_steps_ = static_cast<std::uint32_t>(std::lround(cfg.rest_ms / cfg.dt_ms));
        exc_spikes_.reserve(cfg.n_exc);
        inh_spikes_.reserve(cfg.n_exc);
        in_spikes_.reserve(cfg.n_input);
    }

    const competitive_config& config() const { return cfg_; }
    std::size_t n_exc() const { return cfg_.n_exc; }
    std::size_t n_input() const { return cfg_.n_input; }
    /// Input -> excitatory weights, [input][exc].
    matrix_f& weights() { return input_.weights(); }
    const matrix_f& weights() const { return input_.weights(); }
    synapses_type& input_synapses() { return input_; }
    typename Exc::state& exc_state() { return exc_state_; }
    typename Inh::state& inh_state() { return inh_state_; }
    const typename Exc::state& exc_state() const { return exc_state_; }
    Homeostasis& homeostasis() { return homeostasis_; }
    const Exc& exc() const { return exc_; }
    const Inh& inh() const { return inh_; }
    /// Training images presented so far (the key of the next one's random stream).
    std::uint64_t images_seen() const { return images_seen_; }
    void set_images_seen(std::uint64_t n) { images_seen_ = n; }
    /// Excitatory spike counts of the last presentation's final showing.
    std::span<const std::uint32_t> counts() const { return counts_; }
    /// Running mean of the training images (input units), the sleep input.
    std::span<const float> mean_image() const { return mean_image_; }

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

    /// An offline phase of duration_ms driven by a sleep mechanism (or a
    /// combine<...> of them; core/concepts.hpp says what each hook may do).
    /// Works on any network, trained or not; counts() and the recorded
    /// raster read afterwards are those of the last presentation, as if the
    /// phase had not happened; gains and neuron models are restored, while
    /// weights, thresholds and neuron state keep what sleep did. The random
    /// stream is keyed by (seed, images seen, sleeps so far), which
    /// checkpoints keep, so a resumed run sleeps exactly as an
    /// uninterrupted one.
    template <class Mechanism>
        requires sleep_mechanism_for<Mechanism, sleep_context_type>
    sleep_report sleep(Mechanism& mechanism, double duration_ms)
    {
        detail::require(std::isfinite(duration_ms) && duration_ms >= 0.0,
                        "competitive_network::sleep: duration_ms must be finite and >= 0, got {}", duration_ms);
        const auto steps = static_cast<std::uint64_t>(std::llround(duration_ms / cfg_.dt_ms));
        random_stream rng(cfg_.seed, stream_purpose::sleep_noise, images_seen_, sleeps_done_);
        ++sleeps_done_;

        // What the caller reads, and what the phase may only borrow.
        const std::vector<std::uint32_t> saved_counts = counts_;
        spike_raster* const saved_raster = raster_;
        raster_ = nullptr;
        const Exc waking_exc = exc_;
        const Inh waking_inh = inh_;
        const std::array<float, 3> waking_gains{input_gain_, exc_inh_gain_, inh_exc_gain_};

        std::vector<float> drive(cfg_.n_input, 0.0f), mean_rates(cfg_.n_input);
        for (std::size_t i = 0; i < cfg_.n_input; ++i)
            mean_rates[i] = mean_image_[i] * cfg_.rate_hz_per_unit * cfg_.start_intensity;
        std::array<projection_view, 3> projections{
            projection_view{"input_to_exc", synapse_sign::excitatory, &input_gain_, &input_.weights_untracked(),
                            input_.changed_columns(), cfg_.bounds.w_min, cfg_.bounds.w_max},
            projection_view{"exc_to_inh", synapse_sign::excitatory, &exc_inh_gain_},
            projection_view{"inh_to_exc", synapse_sign::inhibitory, &inh_exc_gain_}};
        sleep_context_type ctx;
        ctx.dt_ms = cfg_.dt_ms;
        ctx.steps = steps;
        ctx.rng = &rng;
        ctx.input_rates_hz = drive;
        ctx.input_spikes = &sleep_spikes_;
        ctx.mean_image_rates_hz = mean_rates;
        if (cfg_.n_input == 784) ctx.input_rows = ctx.input_cols = 28;
        ctx.projections = projections;
        ctx.exc = {"exc", cfg_.n_exc, exc_.input(exc_state_, channel::excitatory), exc_.input(exc_state_, channel::inhibitory),
                   theta_of(exc_state_)};
        ctx.inh = {"inh", cfg_.n_exc, inh_.input(inh_state_, channel::excitatory), inh_.input(inh_state_, channel::inhibitory),
                   nullptr};
        ctx.exc_params = exc_.parameters();
        ctx.inh_params = inh_.parameters();

        sleep_report report;
        report.steps = steps;
        mechanism.begin(ctx);
        const double step_p = double(cfg_.dt_ms) * 1.0e-3;
        replay_step source(cfg_.n_input, in_drawn_);
        for (std::uint64_t t = 0; t < steps; ++t) {
            ctx.step = t;
            std::fill(drive.begin(), drive.end(), 0.0f);
            sleep_spikes_.clear();
            mechanism.step(ctx);
            if (ctx.models_changed) {
                exc_ = Exc(ctx.exc_params, cfg_.dt_ms);
                inh_ = Inh(ctx.inh_params, cfg_.dt_ms);
                ctx.models_changed = false;
            }
            // Bernoulli input spikes from the rates, merged with the spikes
            // mechanisms emitted directly, in increasing order, once each.
            in_drawn_.clear();
            for (std::size_t i = 0; i < cfg_.n_input; ++i) {
                const float r = drive[i];
                detail::require(r >= 0.0f && r < std::numeric_limits<float>::infinity(),
                                "competitive_network::sleep: input rate {} Hz for input {}", r, i);
                if (r > 0.0f && rng.uniform() < double(r) * step_p) in_drawn_.push_back(static_cast<std::uint32_t>(i));
            }
            if (!sleep_spikes_.empty()) {
                for (const auto i : sleep_spikes_)
                    detail::require(i < cfg_.n_input, "competitive_network::sleep: input spike for input {} of {}", i,
                                    cfg_.n_input);
                in_drawn_.insert(in_drawn_.end(), sleep_spikes_.begin(), sleep_spikes_.end());
                std::sort(in_drawn_.begin(), in_drawn_.end());
                in_drawn_.erase(std::unique(in_drawn_.begin(), in_drawn_.end()), in_drawn_.end());
            }
            report.input_spikes += in_drawn_.size();
            run(source, 1, true, ctx.plasticity, ctx.homeostasis);
            report.exc_spikes += exc_spikes_.size();
            report.inh_spikes += inh_spikes_.size();
            ctx.exc_spikes = exc_spikes_;
        }
        mechanism.end(ctx);
        if (ctx.homeostasis) homeostasis_.after_presentation(layer(), double(steps) * cfg_.dt_ms);

        exc_ = waking_exc;
        inh_ = waking_inh;
        input_gain_ = waking_gains[0];
        exc_inh_gain_ = waking_gains[1];
        inh_exc_gain_ = waking_gains[2];
        counts_ = saved_counts;
        raster_ = saved_raster;
        return report;
    }

    /// Sleep phases run so far (part of the key of the next one's random stream).
    std::uint64_t sleeps_done() const { return sleeps_done_; }

    /// Trains on `steps` steps of input from any source (a recorded raster
    /// in a replay_encoder, a sleep drive, ...) shown once, then the rest:
    /// plasticity and homeostasis on, as for an image, but no re-showing,
    /// and it does not count as an image (images_seen() and the mean image
    /// are unchanged). The source's emit(step, out) is asked for steps
    /// 0..steps-1 in order.
    template <input_encoder Source>
    presentation train(Source& source, std::uint32_t steps)
    {
        return present_source(source, steps, true);
    }

    /// Responds to `steps` steps of input from any source without learning,
    /// from the rest state.
    template <input_encoder Source>
    presentation evaluate(Source& source, std::uint32_t steps)
    {
        return present_source(source, steps, false);
    }

    /// Responds to one image without learning, from the rest state. `key`
    /// names the image's random stream (e.g. its index in the test set), so
    /// the response does not depend on what was evaluated before or on
    /// which thread evaluates it.
    presentation evaluate(std::span<const std::uint8_t> image, std::uint64_t key)
    {
        return present(image, phase::evaluate, key);
    }

    /// Saves everything needed to continue exactly where training stands:
    /// weights, traces, delays and spikes in flight, every neuron state
    /// variable, the image counter and the running mean image. Atomic; see io/checkpoint.hpp for the format.
    void save(const std::filesystem::path& path) const
    {
        checkpoint_writer w;
        w.add_text("network", "competitive_network");
        w.add_text("config", configuration().text());
        const std::uint64_t shape[] = {cfg_.n_input, cfg_.n_exc};
        w.add_u64("shape", shape);
        const std::uint64_t seen[] = {images_seen_};
        w.add_u64("images_seen", seen);
        const std::uint64_t sleeps[] = {sleeps_done_};
        w.add_u64("sleeps_done", sleeps);
        input_.save_to(w, "input.");
        w.add("mean_image", std::span<const float>(mean_image_));
        auto exc = exc_state_;  // fields() hands out mutable views, so name a copy
        auto inh = inh_state_;
        for (const auto& f : exc.fields()) w.add(std::string("exc.") + f.name, *f.values);
        for (const auto& f : inh.fields()) w.add(std::string("inh.") + f.name, *f.values);
        w.save(path);
    }

    /// Loads a checkpoint written by save(). The file's recorded
    /// configuration must match this network's in every field that shapes
    /// the saved state (sizes, dt, delays, weight bounds, every neuron,
    /// plasticity and homeostasis parameter, the policy types); a mismatch
    /// is refused with a data_error that names each field and both values.
    /// Protocol fields (competitive_config::is_protocol_field) may differ:
    /// this network keeps its own and the report lists the differences.
    /// Values are validated too (finite state, weights within bounds, delays
    /// within the configured maximum). Anything refused leaves this network
    /// unchanged.
    load_report load(const std::filesystem::path& path)
    {
        const checkpoint_reader r(path);
        if (r.read_text("network") != "competitive_network") r.fail("not a competitive_network checkpoint");
        const auto shape = r.read_u64("shape");
        if (shape.size() != 2 || shape[0] != cfg_.n_input || shape[1] != cfg_.n_exc)
            r.fail(fmt::format("checkpoint is for {} inputs x {} excitatory neurons, this network has {} x {}",
                               shape.size() > 0 ? shape[0] : 0, shape.size() > 1 ? shape[1] : 0, cfg_.n_input, cfg_.n_exc));
        load_report report;
        if (r.has("config")) {
            report.configuration_recorded = true;
            const auto saved = param_record::parse(r.read_text("config"), r.path());
            std::vector<std::string> refused;
            for (auto& d : configuration().differences(saved, "this network has", "the file has")) {
                const auto name = std::string_view(d).substr(0, d.find(':'));
                const bool protocol = name.starts_with("config.") && competitive_config::is_protocol_field(name.substr(7));
                (protocol ? report.notes : refused).push_back(std::move(d));
            }
            if (!refused.empty())
                r.fail(fmt::format("saved under another configuration ({} difference{}): {}", refused.size(),
                                   refused.size() == 1 ? "" : "s", fmt::join(refused, "; ")));
        } else {
            report.notes.push_back("the file records no configuration (written by an older somnus): checked by shape only");
        }
        competitive_network next = *this;
        const auto seen = r.read_u64("images_seen");
        if (seen.size() != 1) r.fail("section 'images_seen' must hold one value");
        next.images_seen_ = seen[0];
        if (r.has("sleeps_done")) {
            const auto sleeps = r.read_u64("sleeps_done");
            if (sleeps.size() != 1) r.fail("section 'sleeps_done' must hold one value");
            next.sleeps_done_ = sleeps[0];
        } else {
            next.sleeps_done_ = 0;
        }
        next.input_.load_from(r, "input.");
        r.read("mean_image", std::span<float>(next.mean_image_));
        for (const auto& f : next.exc_state_.fields()) r.read(std::string("exc.") + f.name, *f.values);
        for (const auto& f : next.inh_state_.fields()) r.read(std::string("inh.") + f.name, *f.values);
        next.check_loaded(r);
        *this = std::move(next);
        return report;
    }

    /// Everything that shapes this network, as recorded in its checkpoints:
    /// config.* (competitive_config), exc.*, inh.* (neuron models), rule.*,
    /// homeostasis.* (policy types and their parameters).
    param_record configuration() const
    {
        param_record rec;
        record_policy(rec, "config", *this);
        record_policy(rec, "exc", exc_);
        record_policy(rec, "inh", inh_);
        record_policy(rec, "rule", input_.rule());
        record_policy(rec, "homeostasis", homeostasis_);
        return rec;
    }

    /// For record_policy: the network's own configuration fields.
    void describe(param_record& rec, std::string_view prefix) const
    {
        cfg_.each_field([&](const char* name, const auto& value) { rec.add(fmt::format("{}.{}", prefix, name), value); });
    }

    /// A copy that evaluates independently (for worker threads): same
    /// weights and thresholds, its own state and scratch.
    competitive_network clone() const
    {
        competitive_network c = *this;
        c.raster_ = nullptr;
        return c;
    }

private:
    /// Values a checkpoint with a valid checksum may still get wrong.
    void check_loaded(const checkpoint_reader& r)
    {
        const auto finite = [&](std::string_view what, std::span<const float> v) {
            for (std::size_t k = 0; k < v.size(); ++k)
                if (!std::isfinite(v[k])) r.fail(fmt::format("'{}' holds {} at index {}", what, v[k], k));
        };
        for (const auto& f : exc_state_.fields()) finite(std::string("exc.") + f.name, *f.values);
        for (const auto& f : inh_state_.fields()) finite(std::string("inh.") + f.name, *f.values);
        for (std::size_t i = 0; i < mean_image_.size(); ++i)
            if (!(mean_image_[i] >= 0.0f && mean_image_[i] <= 255.0f))
                r.fail(fmt::format("'mean_image' holds {} at input {}, outside the pixel range 0..255", mean_image_[i], i));
        const auto max_delay = static_cast<std::uint64_t>(std::lround(cfg_.input_delay_max_ms / cfg_.dt_ms));
        for (const auto d : input_.delays())
            if (d > max_delay)
                r.fail(fmt::format("'input.delays' holds a delay of {} steps, more than the {} ms ({} steps) configured", int(d),
                                   cfg_.input_delay_max_ms, max_delay));
    }

    layer_ref layer() { return layer_ref{input_.weights_untracked(), theta_of(exc_state_), counts_, input_.changed_columns()}; }

    static vector_f* theta_of(typename Exc::state& s)
    {
        if constexpr (has_threshold_offset<Exc>) return &s.theta;
        else return nullptr;
    }

    template <class Source>
    presentation present_source(Source& source, std::uint32_t steps, bool learn)
    {
        detail::require(source.size() == cfg_.n_input, "competitive_network: the input source has {} inputs, the network {}",
                        source.size(), cfg_.n_input);
        if (!learn) reset_to_rest();
        if (learn) homeostasis_.before_presentation(layer());
        if (raster_ != nullptr) raster_->clear();
        std::fill(counts_.begin(), counts_.end(), 0u);
        run(source, steps, true, learn);
        rest(learn);
        if (learn) homeostasis_.after_presentation(layer(), double(steps + rest_steps_) * cfg_.dt_ms);
        presentation result;
        for (auto c : counts_) result.spikes += c;
        return result;
    }

    presentation present(std::span<const std::uint8_t> image, phase ph, std::uint64_t key)
    {
        detail::require(image.size() == cfg_.n_input, "competitive_network: image has {} pixels, network has {} inputs",
                        image.size(), cfg_.n_input);
        const bool learn = ph == phase::train;
        if (!learn) reset_to_rest();
        presentation result;
        float intensity = cfg_.start_intensity;
        for (std::uint32_t repeat = 0;; ++repeat) {
            if (learn) homeostasis_.before_presentation(layer());
            const float scale = cfg_.rate_hz_per_unit * intensity;
            for (std::size_t i = 0; i < cfg_.n_input; ++i) rates_[i] = float(image[i]) * scale;
            random_stream rng(cfg_.seed, stream_purpose::input_spikes, static_cast<std::uint64_t>(ph), key, repeat);
            encoder_.begin(rates_, present_steps_, rng);
            if (raster_ != nullptr) raster_->clear();
            std::fill(counts_.begin(), counts_.end(), 0u);
            run(encoder_, present_steps_, true, learn);
            rest(learn);
            if (learn) homeostasis_.after_presentation(layer(), double(present_steps_ + rest_steps_) * cfg_.dt_ms);
            result.spikes = 0;
            for (auto c : counts_) result.spikes += c;
            result.repeats = repeat;
            result.intensity = intensity;
            if (result.spikes >= cfg_.min_spikes || repeat + 1 >= cfg_.max_repeats) break;
            intensity += cfg_.intensity_step;
        }
        return result;
    }

    /// Runs `steps` network steps; with_input draws input spikes from the
    /// encoder, spikes count toward counts_ only then.
    template <class Source>
    void run(Source& source, std::uint32_t steps, bool with_input, bool learn)
    {
        run(source, steps, with_input, learn, learn);
    }

    /// The step itself; `plastic` switches STDP (and trace decay),
    /// `homeostatic` the homeostasis rule's spike hook (sleep can freeze
    /// thresholds while STDP runs).
    template <class Source>
    void run(Source& source, std::uint32_t steps, bool with_input, bool plastic, bool homeostatic)
    {
        float* ge_exc = exc_.input(exc_state_, channel::excitatory);
        float* gi_exc = exc_.input(exc_state_, channel::inhibitory);
        float* ge_inh = inh_.input(inh_state_, channel::excitatory);
        const std::size_t n = cfg_.n_exc;
        for (std::uint32_t t = 0; t < steps; ++t) {
            if (plastic) input_.decay_traces();
            // Integrate and fire, using input delivered in earlier steps.
            exc_spikes_.clear();
            inh_spikes_.clear();
            exc_.step(exc_state_, exc_spikes_);
            inh_.step(inh_state_, inh_spikes_);
            in_spikes_.clear();
            if (with_input) source.emit(t, in_spikes_);
            // Deliver spikes for the next step (input spikes after their
            // delays, with on_pre where they arrive).
            input_.presynaptic_step(in_spikes_, ge_exc, input_gain_, plastic);
            for (const auto j : exc_spikes_) ge_inh[j] += cfg_.w_exc_inh * exc_inh_gain_;
            if (!inh_spikes_.empty()) {
                // All-but-self: everyone gets the total, the partner gets its own share back.
                const float w = cfg_.w_inh_exc * inh_exc_gain_;
                const float total = w * float(inh_spikes_.size());
                for (std::size_t k = 0; k < n; ++k) gi_exc[k] += total;
                for (const auto j : inh_spikes_) gi_exc[j] -= w;
            }
            if (plastic) input_.postsynaptic_step(exc_spikes_);
            if (homeostatic && !exc_spikes_.empty()) homeostasis_.on_spikes(layer(), exc_spikes_);
            if (with_input)
                for (const auto j : exc_spikes_) ++counts_[j];
            if (raster_ != nullptr && with_input) record(t);
        }
    }

    /// The rest after an example: stepped until the network has settled,
    /// then (closed_form_rest) relaxed in closed form. With delays, the last
    /// steps are stepped again so the synapses' trace history is genuine.
    void rest(bool learn)
    {
        std::uint32_t t = 0;
        if (cfg_.closed_form_rest) {
            for (; t < rest_steps_ && !settled(); ++t) run(encoder_, 1, false, learn);
            const auto left = rest_steps_ - t;
            const auto tail = static_cast<std::uint32_t>(std::min<std::size_t>(left, input_.history_steps()));
            const std::uint32_t jump = left - tail;
            if (jump > 0) {
                const double ms = double(jump) * cfg_.dt_ms;
                exc_.relax(exc_state_, ms);
                inh_.relax(inh_state_, ms);
                if (learn) input_.decay_traces(ms);
                input_.skip_steps(jump);
                t += jump;
            }
        }
        run(encoder_, rest_steps_ - t, false, learn);
    }

    bool settled() const
    {
        return !input_.spikes_in_flight() && model_settled(exc_, exc_state_) && model_settled(inh_, inh_state_);
    }

    template <class M>
    static bool model_settled(const M& m, const typename M::state& s)
    {
        if constexpr (requires { { m.settled(s) } -> std::convertible_to<bool>; }) return m.settled(s);
        else return false;  // no closed form known: step the whole rest
    }

    void record(std::uint32_t t)
    {
        for (const auto i : in_spikes_) raster_->input.push_back({t, i});
        for (const auto j : exc_spikes_) raster_->exc.push_back({t, j});
        for (const auto j : inh_spikes_) raster_->inh.push_back({t, j});
    }

    /// Back to the rest state, keeping learnt weights and thresholds.
    void reset_to_rest()
    {
        if constexpr (has_threshold_offset<Exc>) {
            vector_f theta = exc_state_.theta;
            exc_state_ = exc_rest_;
            exc_state_.theta = theta;
        } else {
            exc_state_ = exc_rest_;
        }
        inh_state_ = inh_rest_;
        input_.clear_in_flight();
    }

    void update_mean_image(std::span<const std::uint8_t> image)
    {
        const float a = 1.0f / float(images_seen_ + 1);
        for (std::size_t i = 0; i < cfg_.n_input; ++i) mean_image_[i] += a * (float(image[i]) - mean_image_[i]);
    }

    /// Emits one step's input spikes (the sleep drive's) at step 0.
    struct replay_step {
        std::size_t n;
        const spike_list& spikes;
        std::size_t size() const { return n; }
        void emit(std::uint32_t, spike_list& out) const { out.insert(out.end(), spikes.begin(), spikes.end()); }
    };

    static constexpr double rest_relax_ms = 1000.0;

    competitive_config cfg_;
    Exc exc_;
    Inh inh_;
    Homeostasis homeostasis_;
    synapses_type input_;
    Encoder encoder_;
    typename Exc::state exc_state_;
    typename Inh::state inh_state_;
    typename Exc::state exc_rest_;
    typename Inh::state inh_rest_;
    std::vector<std::uint32_t> counts_;
    std::vector<float> rates_;
    std::vector<float> mean_image_;
    spike_list exc_spikes_, inh_spikes_, in_spikes_;
    std::uint32_t present_steps_ = 0, rest_steps_ = 0;
    std::uint64_t images_seen_ = 0;
    /// Transmission gains of input -> exc, exc -> inh, inh -> exc (1 awake;
    /// sleep mechanisms scale them for a phase).
    float input_gain_ = 1.0f, exc_inh_gain_ = 1.0f, inh_exc_gain_ = 1.0f;
    std::uint64_t sleeps_done_ = 0;
    spike_list sleep_spikes_, in_drawn_;
    spike_raster* raster_ = nullptr;
};

/// The network of Diehl & Cook 2015 with the paper's parameters.
using diehl_cook_network = competitive_network<>;

/// Builds it with Diehl & Cook's excitatory and inhibitory neurons. With
/// original_refractoriness, excitatory neurons cannot fire again for 50 ms,
/// as in the authors' code (DESIGN.md section 6).
inline diehl_cook_network make_diehl_cook(competitive_config cfg, bool original_refractoriness = false)
{
    auto exc = conductance_lif::diehl_cook_excitatory();
    if (original_refractoriness) exc.lockout_ms = 50.0f;
    return diehl_cook_network(cfg, conductance_lif(exc, cfg.dt_ms), conductance_lif(conductance_lif::diehl_cook_inhibitory(), cfg.dt_ms));
}

} // namespace somnus
