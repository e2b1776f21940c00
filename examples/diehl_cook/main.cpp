// SPDX-License-Identifier: MIT
// Diehl & Cook 2015, "Unsupervised learning of digit recognition using STDP"
// (Front. Comput. Neurosci. 9:99), end to end: train the network on MNIST or
// Fashion-MNIST with STDP, label its neurons on training images, and test.
#include <algorithm>
#include <numeric>

#include <somnus/network/competitive.hpp>
#include <somnus/readout/assignment.hpp>

#include "arrays.hpp"
#include "example.hpp"
#include "pipeline.hpp"

namespace ex = somnus::example;

namespace {

/// The pipeline's flags (--neurons ... --json), then this program's own.
struct options : ex::pipeline_options {
    std::string save, load;
    bool original_refractory = false;
    std::string integration = "exponential";
    float delay_ms = 0.0f;
    std::size_t monitor = 1000;
    std::uint32_t showings = 40;
};

/// Online accuracy as the original code monitors it: every `every` images the
/// neurons are re-labelled from the responses to the last 10 000 training
/// images, and each new image is classified with the labels of the moment.
class training_monitor {
public:
    training_monitor(std::size_t n_neurons, std::size_t every) : n_(n_neurons), every_(every) {}

    void add(std::span<const std::uint32_t> counts, std::uint8_t label)
    {
        if (!assignment_.empty()) {
            const bool hit = somnus::classify(counts, assignment_) == label;
            block_hits_ += hit;
            ++block_seen_;
        }
        // The last `window` responses in a ring (order does not matter to the
        // labelling), grown as images arrive rather than allocated up front.
        const std::size_t slot = seen_ % window;
        if (labels_.size() < window) {
            history_.insert(history_.end(), counts.begin(), counts.end());
            labels_.push_back(label);
        } else {
            std::copy(counts.begin(), counts.end(), history_.begin() + static_cast<std::ptrdiff_t>(slot * n_));
            labels_[slot] = label;
        }
        if (++seen_ % every_ == 0) {
            if (block_seen_ > 0) curve_.push_back({double(seen_), double(block_hits_) / double(block_seen_)});
            last_ = block_seen_ > 0 ? double(block_hits_) / double(block_seen_) : -1.0;
            block_hits_ = block_seen_ = 0;
            const std::size_t filled = std::min(seen_, window);
            assignment_ = somnus::assign_labels(std::span(history_).first(filled * n_), std::span(labels_).first(filled), n_);
        }
    }
    /// Accuracy over the last completed block, or < 0 before there is one.
    double last() const { return last_; }
    const std::vector<std::pair<double, double>>& curve() const { return curve_; }

private:
    static constexpr std::size_t window = 10000;
    std::size_t n_, every_;
    std::vector<std::uint32_t> history_;
    std::vector<std::uint8_t> labels_;
    std::vector<int> assignment_;
    std::size_t seen_ = 0, block_hits_ = 0, block_seen_ = 0;
    double last_ = -1.0;
    std::vector<std::pair<double, double>> curve_;
};

/// A readout other than the paper's, for comparison only.
struct other_readout {
    std::string name, what;
    somnus::confusion_matrix cm{10};
    std::vector<std::uint64_t> predicted_per_class() const
    {
        std::vector<std::uint64_t> out(cm.n_classes(), 0);
        for (std::size_t t = 0; t < cm.n_classes(); ++t)
            for (std::size_t p = 0; p < cm.n_classes(); ++p) out[p] += cm.at(t, p);
        return out;
    }
};

/// The test responses read out with the other votes over the same
/// assignment, and with labels fitted on the test responses themselves, as
/// the authors' evaluation script does.
std::vector<other_readout> other_readouts(const somnus::label_readout& readout, std::span<const std::uint32_t> test_counts,
                                          std::span<const std::uint8_t> test_labels, std::size_t n)
{
    std::vector<other_readout> out;
    out.push_back({"sum_vote", "labels from the training images; a class scores the total (not the mean) count of its neurons"});
    out.push_back({"proportion_vote",
                   "labels from the training images; BindsNET's proportion weighting: each neuron's count times its share of "
                   "labelling response for its class, averaged over the class's neurons"});
    out.push_back({"mean_vote_labels_from_test",
                   "the paper's vote with labels fitted on the test responses themselves, as the authors' evaluation script "
                   "does (it loads the same resultPopVecs10000 file for labelling and testing); uses the test labels, so it "
                   "is not a held-out accuracy"});
    const std::size_t images = test_labels.size();
    const somnus::label_readout on_test(test_counts.first(images * n), test_labels, n);
    for (std::size_t k = 0; k < images; ++k) {
        const auto c = test_counts.subspan(k * n, n);
        out[0].cm.add(test_labels[k], readout.classify(c, somnus::vote::sum));
        out[1].cm.add(test_labels[k], readout.classify(c, somnus::vote::proportion));
        out[2].cm.add(test_labels[k], on_test.classify(c));
    }
    return out;
}

int run(const options& o)
{
    const auto t_start = ex::clock::now();
    // Every output path is checked before any work.
    ex::require_output_file(o.json, "--json");
    ex::require_output_file(o.save, "--save");

    somnus::competitive_config cfg;
    cfg.n_input = ex::image_rows * ex::image_cols;
    cfg.input_rows = ex::image_rows;
    cfg.input_cols = ex::image_cols;
    cfg.n_exc = o.neurons;
    cfg.seed = o.seed;
    cfg.input_delay_max_ms = o.delay_ms;
    cfg.max_repeats = o.showings;
    auto exc = somnus::conductance_lif::diehl_cook_excitatory();
    auto inh = somnus::conductance_lif::diehl_cook_inhibitory();
    if (o.original_refractory) exc.lockout_ms = 50.0f;
    const auto scheme = o.integration == "euler" ? somnus::conductance_lif::integration::euler
                                                 : somnus::conductance_lif::integration::exponential;
    exc.scheme = inh.scheme = scheme;
    somnus::diehl_cook_network net(cfg, somnus::conductance_lif(exc, cfg.dt_ms), somnus::conductance_lif(inh, cfg.dt_ms));
    somnus::load_report loaded;
    if (!o.load.empty()) {
        loaded = net.load(o.load);
        fmt::print(stderr, "loaded {} ({} images seen)\n", o.load, net.images_seen());
        for (const auto& note : loaded.notes) fmt::print(stderr, "  {}\n", note);
    }

    // Both sets are checked against the network and the counts asked for
    // before any training.
    const auto sets = ex::load_sets(o.dataset, ex::data_folder(o.dataset, o.data), o);
    ex::print_sets(sets, o.neurons);

    // Training: plasticity on, one image after another.
    training_monitor monitor(o.neurons, o.monitor);
    ex::training_hooks hooks;
    hooks.after_image = [&](std::size_t k) { monitor.add(net.counts(), sets.train.labels[k]); };
    hooks.progress_note = [&] {
        return monitor.last() >= 0 ? fmt::format("accuracy(last {}) {:.1f}%", o.monitor, 100 * monitor.last()) : std::string();
    };
    const auto trained = ex::train_network(net, sets.train, sets.train_n, o.epochs, hooks);

    // Labelling (frozen network, training images again), then the test; a
    // checkpoint saved with its readout and loaded without training (--epochs
    // 0, no --label) predicts with that readout, without relabelling.
    const bool saved_readout = !loaded.assignment.empty() && o.epochs == 0 && !o.label;
    if (saved_readout) fmt::print(stderr, "testing with the label readout saved in {} (no relabelling)\n", o.load);
    const auto tested = saved_readout ? ex::test_with_readout(net, somnus::label_readout(loaded.assignment, loaded.classes), sets.test, o.threads)
                                      : ex::label_and_test(net, sets.train, sets.label_n, sets.test, o.threads);
    // A checkpoint (with its readout), pictures: a failure is reported and the
    // run goes on to write the JSON, then exits 1.
    ex::late_outputs late("diehl_cook");
    if (!o.save.empty() && late.attempt("--save " + o.save, [&] { net.save(o.save, tested.readout.assignment(), 10); }))
        fmt::print(stderr, "saved {} with its label readout\n", o.save);
    const auto& cm = tested.confusion;
    const auto& assignment = tested.readout.assignment();
    const auto& test_counts = tested.test_counts;
    const double wall = ex::seconds_since(t_start);
    // (Not for a saved readout: the sum and proportion votes need the labelling responses.)
    const auto others = saved_readout ? std::vector<other_readout>{} : other_readouts(tested.readout, test_counts, sets.test.labels, o.neurons);
    for (const auto& r : others)
        fmt::print(stderr, "  other readout, not the paper's: {} {:.2f}%\n", r.name, 100.0 * r.cm.accuracy());

    const auto& theta = net.exc_state().theta;
    if (!o.json.empty()) {
        auto j = ex::common_json("diehl_cook_2015", o, wall);
        ex::add_results_json(j, sets, trained, tested);
        j["dataset"] = o.dataset;
        j["correct"] = cm.correct();
        j["confusion_matrix"] = ex::confusion_json(cm);
        j["presentations"] = trained.presentations;
        j["images_per_second"] = trained.images_per_second();
        j["label_seconds"] = tested.label_seconds;
        j["readout_source"] = saved_readout ? "saved with --load's checkpoint (no relabelling)" : "labelled on the training images";
        j["loaded_checkpoint"] = o.load;
        // How the checkpoint's recorded configuration differs from this
        // run's in protocol settings (state-shaping differences are refused).
        j["loaded_checkpoint_notes"] = loaded.notes;
        j["theta_mean_mV"] = theta.size() ? std::accumulate(theta.begin(), theta.end(), 0.0) / double(theta.size()) : 0.0;
        j["training_accuracy_curve"] = monitor.curve();
        // The readout at a glance: how many neurons vote for each class, their
        // mean theta, and the mean test spike count per image of each class's
        // neurons (a class whose neurons fire more wins more images).
        std::vector<std::size_t> per_class(10, 0);
        std::vector<double> theta_of_class(10, 0.0), test_count_of_class(10, 0.0);
        std::size_t unassigned = 0;
        for (std::size_t n = 0; n < assignment.size(); ++n) {
            const int a = assignment[n];
            if (a < 0 || a >= 10) {
                ++unassigned;
                continue;
            }
            ++per_class[std::size_t(a)];
            theta_of_class[std::size_t(a)] += theta[n];
            for (std::size_t k = 0; k < sets.test.size(); ++k) test_count_of_class[std::size_t(a)] += test_counts[k * o.neurons + n];
        }
        for (std::size_t c = 0; c < 10; ++c)
            if (per_class[c] > 0) {
                theta_of_class[c] /= double(per_class[c]);
                test_count_of_class[c] /= double(per_class[c]) * double(std::max<std::size_t>(sets.test.size(), 1));
            }
        j["neurons_per_class"] = per_class;
        j["unassigned_neurons"] = unassigned;
        j["theta_mean_mV_per_class"] = theta_of_class;
        j["test_spikes_per_neuron_per_image_per_class"] = test_count_of_class;
        // The same test responses read out in other ways (the headline
        // "accuracy" above is the paper's readout).
        j["other_readouts"] = nlohmann::json::array();
        for (const auto& r : others)
            j["other_readouts"].push_back({{"name", r.name},
                                           {"accuracy", r.cm.accuracy()},
                                           {"correct", r.cm.correct()},
                                           {"predicted_per_class", r.predicted_per_class()},
                                           {"what", r.what}});
        // Everything in which this run differs from the paper's protocol.
        j["differences_from_paper"] = {
            {"refractoriness", o.original_refractory ? "original code: no spike for 50 ms after a spike (v held 5 ms)"
                                                     : "paper: 5 ms refractory period"},
            {"input_delays", o.delay_ms > 0 ? fmt::format("0-{} ms per synapse, as the original code (10 ms)", o.delay_ms)
                                            : std::string("none (the original code draws 0-10 ms per synapse)")},
            {"integration", o.integration == "euler" ? "forward Euler for v, ge, gi (the authors' Brian 1 simulation)"
                                                     : "exponential Euler: exact conductance decay, v exact for the step-averaged conductances"},
            {"evaluation_state", "each labelling/test image starts from the rest state (the original carries state over)"},
            {"labelling_images", sets.label_n},
            {"showings", o.showings == 1 ? std::string("one per image: a quiet image is not shown again (as Brian2 standalone)")
                                         : fmt::format("a quiet image (< 5 spikes) is shown again at a higher intensity, at most {} showings", o.showings)},
        };
        // The arrays behind the figures (examples/diehl_cook/figures.py).
        ex::array_outputs arrays("diehl_cook", o.json);
        late.attempt("arrays beside " + o.json, [&] {
            arrays.add("weights", net.weights(), "input x excitatory neuron weights after training (784 x N)");
            arrays.add("theta", theta, "adaptive threshold theta of each excitatory neuron (mV)");
            arrays.add("assignment", std::vector<std::int32_t>(assignment.begin(), assignment.end()),
                       "class each neuron votes for (-1: never fired while labelling)");
            arrays.add("test_counts", test_counts, "excitatory spike counts per test image (images x N)", {sets.test.size(), o.neurons});
            arrays.add("confusion", ex::confusion_array(cm), "test confusion matrix (true x predicted)");
            std::vector<double> curve;
            for (auto [x, y] : monitor.curve()) curve.insert(curve.end(), {x, y});
            arrays.add("training_accuracy", curve, "online training accuracy: (images seen, accuracy) per block", {monitor.curve().size(), 2});
        });
        arrays.describe_in(j);
        late.write_json(o.json, j);
    }
    return late.status();
}

} // namespace

int main(int argc, char** argv)
{
    options o;
    CLI::App app("Diehl & Cook 2015: unsupervised digit recognition with STDP", "diehl_cook");
    ex::add_experiment_options(app, o);
    ex::add_run_options(app, o);
    app.add_option("--save", o.save, "save the trained network with its label readout (checkpoint) to this file");
    app.add_option("--load", o.load, "start from this checkpoint; with --epochs 0 and no --label, test with the readout saved in it");
    app.add_flag("--original-refractory", o.original_refractory,
                 "excitatory neurons cannot fire for 50 ms after a spike, as in the authors' code");
    app.add_option("--integration", o.integration, "exponential (default; stable) or euler (the authors' Brian 1 integration; unstable for large networks without delays)")
        ->check(CLI::IsMember({"exponential", "euler"}))
        ->capture_default_str();
    app.add_option("--delay-ms", o.delay_ms, "input synapse delays drawn from [0, this] ms (the original code: 10; default 0)")
        ->check(ex::number_in(0, 100))
        ->capture_default_str();
    app.add_option("--showings", o.showings,
                   "at most this many showings of an image that draws fewer than 5 spikes, each at a higher intensity (1: never show again)")
        ->check(ex::integer_in(1, 1000))
        ->capture_default_str();
    app.add_option("--monitor", o.monitor, "images per block of the online training accuracy")->check(ex::integer_at_least<std::size_t>(1))->capture_default_str();
    if (const auto code = ex::parse(app, argc, argv)) return *code;
    return ex::guarded("diehl_cook", [&] { return run(o); });
}
