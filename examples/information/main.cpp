// SPDX-License-Identifier: MIT
// Capozzi, Gonçalves, Cardoso & Rebelo, "Analysis of neurons' information in
// deep spiking neural networks using information theory": train the
// input -> excitatory <-> inhibitory network of integrate-and-fire neurons with
// the power-law STDP rule of Diehl & Cook 2015 on MNIST and Fashion-MNIST,
// test it, then for one test image per class record the input and output
// spike trains and compare, per class, the output neurons that spiked with
// those whose mutual information with the input is non-zero (their Table 1),
// with plug-in and Miller-Madow estimates and a shuffle significance test.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <optional>
#include <set>

#include <somnus/data/mnist.hpp>
#include <somnus/entropy/miller_madow.hpp>
#include <somnus/entropy/mutual_information.hpp>
#include <somnus/entropy/plug_in.hpp>
#include <somnus/entropy/shuffle_test.hpp>
#include <somnus/entropy/spike_trains.hpp>
#include <somnus/homeostasis/normalize_incoming.hpp>
#include <somnus/network/competitive.hpp>
#include <somnus/network/evaluate.hpp>
#include <somnus/neuron/integrate_and_fire.hpp>
#include <somnus/plasticity/power_law.hpp>
#include <somnus/readout/assignment.hpp>

#include "example.hpp"

namespace ex = somnus::example;
using somnus::image_set;

namespace {

/// The Capozzi network: integrate-and-fire excitatory and inhibitory
/// neurons, power-law STDP, Diehl & Cook's homeostasis (adaptive threshold
/// on the excitatory neurons' theta, incoming weights normalised before each
/// image).
using capozzi_network = somnus::competitive_network<somnus::integrate_and_fire, somnus::integrate_and_fire, somnus::power_law,
                                                    somnus::diehl_cook_homeostasis>;

struct options {
    std::size_t neurons = 100;
    // Image counts: a count given must be in the file; none given means all
    // the file holds (train, test) or the training images used, at least
    // 1000 (label).
    std::optional<std::size_t> train;
    std::size_t epochs = 1;
    std::optional<std::size_t> test;
    std::optional<std::size_t> label;
    std::string dataset = "both";
    std::string data, fashion_data;
    std::uint64_t seed = 0;
    unsigned threads = 2;
    std::string json, markdown, png;
    std::size_t surrogates = 1000;
    double alpha = 0.01;
    float v_thresh = 20.0f;
    float tau_m_ms = std::numeric_limits<float>::infinity();  // excitatory leak; infinite: none (the default)
    float w_inh = 17.0f;                                       // inhibitory -> excitatory weight
    float eta = 0.01f, x_tar = 0.4f, mu = 0.2f, w_max = 1.0f, tau_pre_ms = 20.0f;
};

/// Everything the analysis reports for one dataset.
struct dataset_result {
    std::string name;
    double accuracy = 0.0;
    std::size_t test_images = 0, train_images = 0, label_images = 0;
    double train_seconds = 0.0, test_seconds = 0.0, analysis_seconds = 0.0;
    double theta_mean = 0.0, theta_min = 0.0, theta_max = 0.0;  // excitatory theta after training (weight units)
    nlohmann::json classes = nlohmann::json::array();
    std::vector<double> mi_heat;  // [class][neuron], summed plug-in MI (bits)
    std::size_t classes_equal = 0, classes_equal_significant = 0, classes_equal_mm = 0;
};

std::vector<std::size_t> where(const std::vector<bool>& f)
{
    std::vector<std::size_t> out;
    for (std::size_t k = 0; k < f.size(); ++k)
        if (f[k]) out.push_back(k);
    return out;
}

std::string set_text(const std::vector<std::size_t>& s, std::size_t max_shown = 24)
{
    if (s.empty()) return "∅";
    std::string t = "{";
    for (std::size_t k = 0; k < s.size() && k < max_shown; ++k) t += (k ? ", " : "") + std::to_string(s[k]);
    if (s.size() > max_shown) t += fmt::format(", … ({} in all)", s.size());
    return t + "}";
}

/// MNIST and Fashion-MNIST images, the network's input.
constexpr std::size_t image_rows = 28, image_cols = 28;

/// One dataset's images, checked against the network and the counts asked
/// for, before any training.
struct loaded_dataset {
    std::string name, dir;
    somnus::image_dataset train, test;
    std::size_t train_n = 0, label_n = 0;
};

loaded_dataset load_dataset(const options& o, const std::string& name, const std::string& dir)
{
    loaded_dataset d{name, dir, {}, {}, 0, 0};
    constexpr std::size_t all = std::numeric_limits<std::size_t>::max();
    // Images of another size are refused before their pixels are read.
    const somnus::image_geometry geometry{image_rows, image_cols};
    const std::size_t train_limit = o.train.value_or(all);
    const std::size_t label_limit = o.label ? *o.label : std::max<std::size_t>(train_limit, 1000);
    d.train = somnus::load_mnist(dir, somnus::mnist_split::train, std::max(train_limit, label_limit), geometry);
    d.train_n = ex::images_to_use(d.train, o.train, "--train");
    d.label_n = o.label ? ex::images_to_use(d.train, o.label, "--label")
                        : std::min(std::max<std::size_t>(d.train_n, 1000), ex::images_to_use(d.train, std::nullopt, "--label"));
    d.test = somnus::load_mnist(dir, somnus::mnist_split::test, o.test.value_or(all), geometry);
    ex::images_to_use(d.test, o.test, "--test");
    return d;
}

dataset_result run_dataset(const options& o, const loaded_dataset& data)
{
    const std::string& name = data.name;
    const auto& train = data.train;
    const auto& test = data.test;
    const std::size_t train_n = data.train_n, label_n = data.label_n;
    dataset_result r;
    r.name = name;
    somnus::competitive_config cfg;
    cfg.n_input = image_rows * image_cols;
    cfg.n_exc = o.neurons;
    cfg.seed = o.seed;
    cfg.w_inh_exc = o.w_inh;
    // Integrate-and-fire neurons: v += w per input spike, no leak (tau
    // infinite), no refractory period, fire above v_thresh + theta (theta
    // starts at 0 and is moved by the adaptive threshold), reset to 0.
    // Inhibitory partners fire on one excitatory spike (10.4 > 1), as Diehl &
    // Cook's do.
    somnus::integrate_and_fire::params exc_p;
    exc_p.v_thresh_mV = o.v_thresh;
    exc_p.tau_m_ms = o.tau_m_ms;
    somnus::integrate_and_fire::params inh_p;
    inh_p.v_thresh_mV = 1.0f;
    const somnus::integrate_and_fire exc(exc_p, cfg.dt_ms);
    const somnus::integrate_and_fire inh(inh_p, cfg.dt_ms);
    somnus::power_law rule{{o.tau_pre_ms, o.eta, o.x_tar, o.w_max, o.mu}};
    capozzi_network net(cfg, exc, inh, rule);

    fmt::print(stderr, "{}: {} training and {} test images from {}; {} excitatory neurons; SIMD {}\n", name, train.size(),
               test.size(), data.dir, o.neurons, somnus::simd::arch_name());

    // Training. Perfect integrators do not relax during the rest between
    // images, so each image starts from rest (as Diehl et al. 2015 reset
    // their integrate-and-fire networks between inputs).
    const auto exc_rest = net.exc_state(), inh_rest = net.inh_state();
    const auto to_rest = [&] {
        auto& s = net.exc_state();
        auto theta = std::move(s.theta);  // learnt: kept
        s = exc_rest;
        s.theta = std::move(theta);
        net.inh_state() = inh_rest;
    };
    ex::progress train_progress(name + " train", train_n * o.epochs);
    for (std::size_t e = 0; e < o.epochs; ++e)
        for (std::size_t k = 0; k < train_n; ++k) {
            to_rest();
            net.train(train.image(k));
            const std::size_t done = e * train_n + k + 1;
            train_progress.update(done, {}, done == train_n * o.epochs);
        }
    r.train_seconds = train_progress.elapsed();
    // The threshold each neuron ends with, v_thresh + theta: the scale the
    // inhibitory weight is to be compared with.
    const auto& theta = net.exc_state().theta;
    r.theta_mean = std::accumulate(theta.begin(), theta.end(), 0.0) / double(theta.size());
    r.theta_min = *std::min_element(theta.begin(), theta.end());
    r.theta_max = *std::max_element(theta.begin(), theta.end());
    r.train_images = train_n;
    r.label_images = label_n;

    // Labelling and test: frozen network, each image from rest.
    ex::progress label_progress(name + " label", label_n);
    const auto label_counts = somnus::evaluate_counts(net, train.pixels, 0, label_n, image_set::train, o.threads,
                                                      [&](std::size_t d) { label_progress.update(d, {}, d == label_n); });
    const auto assignment = somnus::assign_labels(label_counts, std::span(train.labels).first(label_n), o.neurons);
    const auto t_test = ex::clock::now();
    ex::progress test_progress(name + " test", test.size());
    const auto test_counts = somnus::evaluate_counts(net, test.pixels, 0, test.size(), image_set::test, o.threads,
                                                     [&](std::size_t d) { test_progress.update(d, {}, d == test.size()); });
    somnus::confusion_matrix cm(10);
    for (std::size_t k = 0; k < test.size(); ++k)
        cm.add(test.labels[k], somnus::classify(std::span(test_counts).subspan(k * o.neurons, o.neurons), assignment));
    r.accuracy = cm.accuracy();
    r.test_images = cm.total();
    r.test_seconds = ex::seconds_since(t_test);
    fmt::print(stderr, "{}: test accuracy {:.2f}% ({} of {})\n", name, 100.0 * cm.accuracy(), cm.correct(), cm.total());

    // Table 1: the first test image of each class, its input and output
    // spike trains over the presentation, binned at dt.
    const auto t_analysis = ex::clock::now();
    const std::size_t bins = static_cast<std::size_t>(std::lround(cfg.present_ms / cfg.dt_ms));
    r.mi_heat.assign(10 * o.neurons, 0.0);
    somnus::spike_raster raster;
    for (std::uint8_t cls = 0; cls < 10; ++cls) {
        const auto it = std::find(test.labels.begin(), test.labels.end(), cls);
        if (it == test.labels.end()) continue;
        const auto index = static_cast<std::size_t>(it - test.labels.begin());
        net.record_into(&raster);
        const auto shown = net.evaluate(test.image(index), somnus::image_key(image_set::test, index));
        net.record_into(nullptr);
        const auto in = somnus::spike_trains::from_events(raster.input, cfg.n_input, bins);
        const auto out = somnus::spike_trains::from_events(raster.exc, o.neurons, bins);

        const auto mi = somnus::mutual_information_matrix(in, out, somnus::plug_in{}, o.threads).sum_over_x();
        const auto mi_mm = somnus::mutual_information_matrix(in, out, somnus::miller_madow{}, o.threads).sum_over_x();
        const auto sig = somnus::summed_mi_shuffle_test(in, out, somnus::plug_in{},
                                                        {o.surrogates, o.seed, somnus::image_key(image_set::test, index)}, o.threads);
        const auto h_out = somnus::train_entropies(out, somnus::plug_in{});
        const auto h_in = somnus::train_entropies(in, somnus::plug_in{});

        std::vector<bool> spiked(o.neurons), nonzero(o.neurons), nonzero_mm(o.neurons), significant(o.neurons);
        for (std::size_t j = 0; j < o.neurons; ++j) {
            spiked[j] = out.ones(j) > 0;
            nonzero[j] = mi[j] > 0.0;
            nonzero_mm[j] = mi_mm[j] > 0.0;
            significant[j] = sig[j].p_value < o.alpha;
            r.mi_heat[cls * o.neurons + j] = mi[j];
        }
        const bool equal = spiked == nonzero, equal_sig = spiked == significant, equal_mm = spiked == nonzero_mm;
        r.classes_equal += equal;
        r.classes_equal_significant += equal_sig;
        r.classes_equal_mm += equal_mm;

        nlohmann::json c;
        c["class"] = cls;
        c["test_index"] = index;
        c["predicted"] = somnus::classify(std::span(test_counts).subspan(index * o.neurons, o.neurons), assignment);
        c["intensity"] = shown.intensity;
        c["input_spikes"] = raster.input.size();
        c["output_spikes"] = raster.exc.size();
        // When the output spikes fall: how many come within the two steps an
        // inhibitory partner needs to answer the first one (the weak
        // winner-take-all in docs/results.md).
        std::vector<std::uint32_t> steps;
        for (const auto& e : raster.exc) steps.push_back(e.step);
        std::sort(steps.begin(), steps.end());
        c["output_spike_steps"] = steps;
        if (!steps.empty()) {
            c["output_first_step"] = steps.front();
            c["output_spikes_within_2_steps_of_first"] =
                std::count_if(steps.begin(), steps.end(), [&](std::uint32_t t) { return t <= steps.front() + 2; });
        }
        c["spiking"] = where(spiked);
        c["nonzero_mi"] = where(nonzero);
        c["nonzero_mi_miller_madow"] = where(nonzero_mm);
        c["significant_mi"] = where(significant);
        c["spiking_equals_nonzero_mi"] = equal;
        c["spiking_equals_significant_mi"] = equal_sig;
        c["spiking_equals_nonzero_mi_miller_madow"] = equal_mm;
        nlohmann::json neurons = nlohmann::json::array();
        for (std::size_t j = 0; j < o.neurons; ++j) {
            if (!spiked[j] && !nonzero[j] && !significant[j]) continue;  // silent neurons: H = I = 0, p = 1
            neurons.push_back({{"neuron", j},
                               {"spikes", out.ones(j)},
                               {"entropy_bits", h_out[j]},
                               {"mi_bits", mi[j]},
                               {"mi_miller_madow_bits", mi_mm[j]},
                               {"p_value", sig[j].p_value},
                               {"surrogate_mean_bits", sig[j].surrogate_mean}});
        }
        c["neurons"] = neurons;
        c["output_entropy_bits"] = h_out;
        c["mean_input_entropy_bits"] = std::accumulate(h_in.begin(), h_in.end(), 0.0) / double(std::max<std::size_t>(h_in.size(), 1));
        r.classes.push_back(c);
        fmt::print(stderr, "{} class {}: spiking {} nonzero-MI {} significant {}\n", name, cls, set_text(where(spiked)),
                   set_text(where(nonzero)), set_text(where(significant)));
    }
    r.analysis_seconds = ex::seconds_since(t_analysis);
    return r;
}

std::string markdown_table(const std::vector<dataset_result>& results, const options& o)
{
    std::string md = "# Capozzi et al. Table 1, reproduced\n\n";
    md += fmt::format("{} excitatory neurons, seed {}, {} shuffle surrogates, significance p < {}; MI in bits, plug-in; "
                      "one test image per class (the first of its class).\n\n",
                      o.neurons, o.seed, o.surrogates, o.alpha);
    for (const auto& r : results) {
        md += fmt::format("## {} — test accuracy {:.2f}% ({} test images)\n\n", r.name, 100.0 * r.accuracy, r.test_images);
        md += "| class | output neurons that spiked | non-zero MI (plug-in) | non-zero MI (Miller–Madow) | significant MI | spiked = non-zero | spiked = significant |\n";
        md += "|---|---|---|---|---|---|---|\n";
        for (const auto& c : r.classes) {
            md += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", c["class"].get<int>(),
                              set_text(c["spiking"].get<std::vector<std::size_t>>()),
                              set_text(c["nonzero_mi"].get<std::vector<std::size_t>>()),
                              set_text(c["nonzero_mi_miller_madow"].get<std::vector<std::size_t>>()),
                              set_text(c["significant_mi"].get<std::vector<std::size_t>>()),
                              c["spiking_equals_nonzero_mi"].get<bool>() ? "yes" : "**no**",
                              c["spiking_equals_significant_mi"].get<bool>() ? "yes" : "**no**");
        }
        md += "\nPer-neuron entropy H (bits per bin) and summed MI with the 784 inputs, for the neurons that spiked:\n\n";
        md += "| class | neuron | spikes | H (bits) | MI plug-in (bits) | MI Miller–Madow (bits) | p |\n|---|---|---|---|---|---|---|\n";
        for (const auto& c : r.classes)
            for (const auto& n : c["neurons"])
                md += fmt::format("| {} | {} | {} | {:.4f} | {:.4f} | {:.4f} | {:.4f} |\n", c["class"].get<int>(), n["neuron"].get<std::size_t>(),
                                  n["spikes"].get<std::uint64_t>(), n["entropy_bits"].get<double>(), n["mi_bits"].get<double>(),
                                  n["mi_miller_madow_bits"].get<double>(), n["p_value"].get<double>());
        md += "\n";
    }
    return md;
}

int run(const options& given)
{
    const options& o = given;
    const auto t_start = ex::clock::now();
    // Every output path is checked before any work.
    ex::require_output_file(o.json, "--json");
    ex::require_output_file(o.markdown, "--markdown");
    ex::require_output_folder(o.png, "--png");
    std::vector<std::pair<std::string, std::string>> sets;
    const std::string mnist_dir = !o.data.empty() ? o.data : "data/mnist";
    const std::string fashion_dir = !o.fashion_data.empty() ? o.fashion_data
                                    : (o.dataset == "fashion" && !o.data.empty()) ? o.data
                                                                                  : "/usr/share/datasets/fashion-mnist";
    if (o.dataset == "mnist" || o.dataset == "both") sets.emplace_back("mnist", mnist_dir);
    if (o.dataset == "fashion" || o.dataset == "both") sets.emplace_back("fashion", fashion_dir);

    // Every dataset is loaded and checked before the first is trained on.
    std::vector<loaded_dataset> data;
    for (const auto& [name, dir] : sets) data.push_back(load_dataset(o, name, dir));
    std::vector<dataset_result> results;
    for (const auto& d : data) results.push_back(run_dataset(o, d));
    const double wall = ex::seconds_since(t_start);

    // The table and the pictures: a failure is reported and the run goes on
    // to write the JSON, then exits 1.
    ex::late_outputs late("information");
    if (!o.markdown.empty())
        late.attempt("--markdown " + o.markdown, [&] { somnus::write_file_atomically(o.markdown, markdown_table(results, o)); });
    if (!o.png.empty()) late.attempt("--png " + o.png, [&] {
        std::filesystem::create_directories(o.png);
        for (const auto& r : results) {
            const auto path = std::filesystem::path(o.png) / ("mi_heat_map_" + r.name + ".png");
            ex::write_png(path, somnus::plot::heat_map(r.mi_heat, 10, o.neurons,
                                                       fmt::format("{}: MI with the input per output neuron (bits), accuracy {:.1f}%",
                                                                   r.name, 100 * r.accuracy),
                                                       "class", "output neuron", o.neurons <= 100 ? 9 : 3));
        }
        fmt::print(stderr, "pictures in {}\n", o.png);
    });
    if (!o.json.empty()) {
        nlohmann::json j;
        j["experiment"] = "capozzi_information";
        j["seed"] = o.seed;
        j["wall_seconds"] = wall;
        j["threads"] = o.threads;
        j["simd_arch"] = somnus::simd::arch_name();
        j["neurons"] = o.neurons;
        j["epochs"] = o.epochs;
        j["surrogates"] = o.surrogates;
        j["alpha"] = o.alpha;
        j["published_accuracy"] = {{"mnist", 0.72}, {"fashion", 0.46}};
        for (const auto& r : results) {
            nlohmann::json d;
            d["accuracy"] = r.accuracy;
            d["test_images"] = r.test_images;
            d["train_images"] = r.train_images;
            d["label_images"] = r.label_images;
            d["train_seconds"] = r.train_seconds;
            d["theta_after_training"] = {{"mean", r.theta_mean}, {"min", r.theta_min}, {"max", r.theta_max}};
            d["test_seconds"] = r.test_seconds;
            d["analysis_seconds"] = r.analysis_seconds;
            d["classes"] = r.classes;
            d["classes_spiking_equals_nonzero_mi"] = r.classes_equal;
            d["classes_spiking_equals_significant_mi"] = r.classes_equal_significant;
            d["classes_spiking_equals_nonzero_mi_miller_madow"] = r.classes_equal_mm;
            j["datasets"][r.name] = d;
            j["accuracy"][r.name] = r.accuracy;
        }
        // Every choice the paper leaves open, and where it comes from.
        j["parameters"] = {
            {"dt_ms", 0.5},
            {"present_ms", 350.0},
            {"rest_ms", 150.0},
            {"input_rate", "pixel/4 Hz (max 63.75 Hz), intensity +1 and shown again below 5 output spikes (Diehl & Cook 2015)"},
            {"exc_neuron", std::isinf(o.tau_m_ms)
                               ? fmt::format("integrate-and-fire, no leak, v_rest = v_reset = 0, fires above v_thresh + theta, v_thresh = {} weight units, no refractory period (choice; paper: IF)", o.v_thresh)
                               : fmt::format("leaky integrate-and-fire, tau_m = {} ms, v_rest = v_reset = 0, fires above v_thresh + theta, v_thresh = {} weight units, no refractory period (--tau-m; not the default)", o.tau_m_ms, o.v_thresh)},
            {"inh_neuron", "integrate-and-fire, no leak, v_thresh = 1 (fires on its partner's spike)"},
            {"w_exc_inh", 10.4},
            {"w_inh_exc", o.w_inh},
            {"input_weights_init", "uniform [0, 0.3] (Diehl & Cook 2015)"},
            {"weight_normalisation", "incoming weights scaled to sum 78 before each image (Diehl & Cook 2015)"},
            {"adaptive_threshold", "Diehl & Cook: theta += 0.05 per spike, tau 1e7 ms, starts at 0, frozen at test (the paper does not say; Diehl & Cook compared the power-law rule with it)"},
            {"stdp", fmt::format("power law: on post spike dw = eta (x_pre - x_tar)(w_max - w)^mu, eta {}, x_tar {}, w_max {}, mu {}, tau_pre {} ms "
                                 "(values of Diehl & Cook's code)", o.eta, o.x_tar, o.w_max, o.mu, o.tau_pre_ms)},
            {"state_between_training_images", "reset to rest (perfect integrators do not relax)"},
            {"readout", "Diehl & Cook: neuron labelled by its highest mean response on the training images; class of the highest mean count"},
            {"analysis_image", "first test image of each class"},
            {"bins", "dt (0.5 ms), 700 bins per presentation (final showing)"},
            {"nonzero_mi", "summed plug-in MI over the 784 inputs > 0"},
            {"significance", fmt::format("shuffle test of the summed MI, {} surrogates, p < {}", o.surrogates, o.alpha)},
        };
        if (!late.errors().empty()) j["output_errors"] = late.errors();
        ex::write_json(o.json, j);
    }
    return late.status();
}

} // namespace

int main(int argc, char** argv)
{
    options o;
    CLI::App app("Capozzi et al.: information in an STDP-trained spiking network (entropy, mutual information, Table 1)", "information");
    app.add_option("--neurons", o.neurons, "excitatory (and inhibitory) neurons")->check(ex::integer_in(1, 10000))->capture_default_str();
    app.add_option("--train", o.train,
                   "training images per pass, the first of each file (default: all it holds, 60000 for MNIST; more than it holds is an error)")
        ->check(ex::integer_at_least<std::size_t>(0));
    app.add_option("--epochs", o.epochs, "passes over the training images")->check(ex::integer_in(0, 100000))->capture_default_str();
    app.add_option("--test", o.test, "test images, the first of each file (default: all it holds, 10000 for MNIST; more is an error; 0: no test)")
        ->check(ex::integer_at_least<std::size_t>(0));
    app.add_option("--label", o.label,
                   "training images used to label the neurons (default: those trained on, at least 1000 or all the file holds; "
                   "more than the file holds is an error)")
        ->check(ex::integer_at_least<std::size_t>(1));
    app.add_option("--dataset", o.dataset, "mnist, fashion or both")->check(CLI::IsMember({"mnist", "fashion", "both"}))->capture_default_str();
    app.add_option("--data", o.data, "folder with the MNIST IDX files (default data/mnist; with --dataset fashion, the Fashion-MNIST folder)");
    app.add_option("--fashion-data", o.fashion_data, "folder with the Fashion-MNIST files (default /usr/share/datasets/fashion-mnist)");
    app.add_option("--seed", o.seed, "random seed")->check(ex::integer_at_least<std::uint64_t>(0))->capture_default_str();
    app.add_option("--threads", o.threads, "threads for labelling, testing and the analysis (results do not depend on it)")
        ->check(ex::integer_in(1, 1024))
        ->capture_default_str();
    app.add_option("--json", o.json, "write the results as one JSON object to this file");
    app.add_option("--markdown", o.markdown, "write the Table-1 comparison as a markdown file");
    app.add_option("--png", o.png, "write MI heat maps (class x output neuron) into this folder");
    app.add_option("--surrogates", o.surrogates, "shuffle surrogates per output neuron and class")->check(ex::integer_in(1, 1000000))->capture_default_str();
    app.add_option("--alpha", o.alpha, "significance level of the shuffle test")->check(ex::number_in(0, 1))->capture_default_str();
    app.add_option("--v-thresh", o.v_thresh, "excitatory threshold (weight units above rest)")->check(ex::positive_number())->capture_default_str();
    app.add_option("--tau-m", o.tau_m_ms, "excitatory membrane time constant in ms (default, or inf: no leak, a perfect integrator)")
        ->check(ex::positive_or_infinite());
    app.add_option("--w-inh", o.w_inh, "inhibitory -> excitatory weight (all but the partner)")->check(ex::non_negative_number())->capture_default_str();
    app.add_option("--eta", o.eta, "power-law STDP learning rate")->check(ex::non_negative_number())->capture_default_str();
    app.add_option("--x-tar", o.x_tar, "power-law STDP target presynaptic trace")->check(ex::non_negative_number())->capture_default_str();
    app.add_option("--mu", o.mu, "power-law STDP weight-dependence exponent")->check(ex::non_negative_number())->capture_default_str();
    if (const auto code = ex::parse(app, argc, argv)) return *code;
    return ex::guarded("information", [&] { return run(o); });
}
