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
#include <limits>
#include <numeric>

#include <somnus/entropy/miller_madow.hpp>
#include <somnus/entropy/mutual_information.hpp>
#include <somnus/entropy/plug_in.hpp>
#include <somnus/entropy/shuffle_test.hpp>
#include <somnus/entropy/spike_trains.hpp>
#include <somnus/homeostasis/normalize_incoming.hpp>
#include <somnus/network/competitive.hpp>
#include <somnus/neuron/integrate_and_fire.hpp>
#include <somnus/plasticity/power_law.hpp>

#include "arrays.hpp"
#include "example.hpp"
#include "pipeline.hpp"

namespace ex = somnus::example;
using somnus::image_set;

namespace {

/// The Capozzi network: integrate-and-fire excitatory and inhibitory
/// neurons, power-law STDP, Diehl & Cook's homeostasis (adaptive threshold
/// on the excitatory neurons' theta, incoming weights normalised before each
/// image).
using capozzi_network = somnus::competitive_network<somnus::integrate_and_fire, somnus::integrate_and_fire, somnus::power_law,
                                                    somnus::diehl_cook_homeostasis>;

/// The pipeline's flags (--neurons ... --json), then this program's own.
struct options : ex::pipeline_options {
    options() { dataset = "both"; }
    std::string fashion_data;
    std::string markdown;
    std::size_t surrogates = 1000;
    double alpha = 0.01;
    float v_thresh = 20.0f;
    float tau_m_ms = std::numeric_limits<float>::infinity();  // excitatory leak; infinite: none (the default)
    float w_inh = 17.0f;                                       // inhibitory -> excitatory weight
    float eta = 0.01f, x_tar = 0.4f, mu = 0.2f, w_max = 1.0f, tau_pre_ms = 20.0f;
};

/// One output neuron of Table 1's per-neuron listing.
struct neuron_row {
    std::size_t neuron = 0;
    std::uint64_t spikes = 0;
    double entropy_bits = 0.0, mi_bits = 0.0, mi_miller_madow_bits = 0.0, p_value = 1.0, surrogate_mean_bits = 0.0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(neuron_row, neuron, spikes, entropy_bits, mi_bits, mi_miller_madow_bits, p_value, surrogate_mean_bits)

/// One row of Table 1: a class's test image and what its output neurons did.
struct class_result {
    int cls = 0;
    std::size_t test_index = 0;
    int predicted = -1;
    float intensity = 0.0f;
    std::size_t input_spikes = 0, output_spikes = 0;
    std::vector<std::uint32_t> output_spike_steps;
    std::vector<std::size_t> spiking, nonzero_mi, nonzero_mi_miller_madow, significant_mi;
    bool spiking_equals_nonzero_mi = false, spiking_equals_significant_mi = false, spiking_equals_nonzero_mi_miller_madow = false;
    std::vector<neuron_row> neurons;
    std::vector<double> output_entropy_bits;
    double mean_input_entropy_bits = 0.0;
};

void to_json(nlohmann::json& c, const class_result& r)
{
    c = {{"class", r.cls}, {"test_index", r.test_index}, {"predicted", r.predicted}, {"intensity", r.intensity},
         {"input_spikes", r.input_spikes}, {"output_spikes", r.output_spikes}, {"output_spike_steps", r.output_spike_steps},
         {"spiking", r.spiking}, {"nonzero_mi", r.nonzero_mi}, {"nonzero_mi_miller_madow", r.nonzero_mi_miller_madow},
         {"significant_mi", r.significant_mi}, {"spiking_equals_nonzero_mi", r.spiking_equals_nonzero_mi},
         {"spiking_equals_significant_mi", r.spiking_equals_significant_mi},
         {"spiking_equals_nonzero_mi_miller_madow", r.spiking_equals_nonzero_mi_miller_madow}, {"neurons", r.neurons},
         {"output_entropy_bits", r.output_entropy_bits}, {"mean_input_entropy_bits", r.mean_input_entropy_bits}};
    // When the output spikes fall: how many come within the two steps an
    // inhibitory partner needs to answer the first one (the weak
    // winner-take-all in docs/results.md).
    const auto& steps = r.output_spike_steps;
    if (!steps.empty()) {
        c["output_first_step"] = steps.front();
        c["output_spikes_within_2_steps_of_first"] =
            std::count_if(steps.begin(), steps.end(), [&](std::uint32_t t) { return t <= steps.front() + 2; });
    }
}

/// Everything the analysis reports for one dataset.
struct dataset_result {
    std::string name;
    double accuracy = 0.0;
    std::size_t test_images = 0;
    std::vector<class_result> classes;
    // Table 1 as arrays, [class][neuron] (written beside the JSON): summed
    // MI with the input (plug-in and Miller-Madow, bits), the shuffle test's
    // p, output spikes and entropy; a class with no test image: MI 0, p NaN.
    std::vector<double> mi, mi_mm, p_value, entropy;
    std::vector<std::uint64_t> spikes;
    xt::xtensor<std::uint64_t, 2> confusion;
    nlohmann::json json;          // the dataset's entry in the JSON
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

dataset_result run_dataset(const options& o, const ex::image_sets& data)
{
    const std::string& name = data.name;
    const auto& test = data.test;
    dataset_result r;
    r.name = name;
    somnus::competitive_config cfg;
    cfg.n_input = ex::image_rows * ex::image_cols;
    cfg.input_rows = ex::image_rows;
    cfg.input_cols = ex::image_cols;
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

    ex::print_sets(data, o.neurons);

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
    const auto trained = ex::train_network(net, data.train, data.train_n, o.epochs, {.before_image = to_rest}, name);
    // The threshold each neuron ends with, v_thresh + theta: the scale the
    // inhibitory weight is to be compared with.
    const auto& theta = net.exc_state().theta;
    const double theta_mean = std::accumulate(theta.begin(), theta.end(), 0.0) / double(theta.size());
    const double theta_min = *std::min_element(theta.begin(), theta.end());
    const double theta_max = *std::max_element(theta.begin(), theta.end());

    // Labelling and test: frozen network, each image from rest.
    const auto tested = ex::label_and_test(net, data.train, data.label_n, test, o.threads, name);
    r.accuracy = tested.confusion.accuracy();
    r.test_images = tested.confusion.total();
    r.confusion = ex::confusion_array(tested.confusion);

    // Table 1: the first test image of each class, its input and output
    // spike trains over the presentation, binned at dt.
    const auto t_analysis = ex::clock::now();
    const std::size_t bins = net.present_steps();
    r.mi.assign(10 * o.neurons, 0.0);
    r.mi_mm.assign(10 * o.neurons, 0.0);
    r.p_value.assign(10 * o.neurons, std::numeric_limits<double>::quiet_NaN());
    r.entropy.assign(10 * o.neurons, 0.0);
    r.spikes.assign(10 * o.neurons, 0);
    std::size_t classes_equal = 0, classes_equal_significant = 0, classes_equal_mm = 0;
    somnus::spike_raster raster;
    for (std::uint8_t cls = 0; cls < 10; ++cls) {
        const auto it = std::find(test.labels.begin(), test.labels.end(), cls);
        if (it == test.labels.end()) continue;
        const auto index = static_cast<std::size_t>(it - test.labels.begin());
        net.record_into(&raster);
        const auto shown = net.evaluate(test.image(index), somnus::image_key(image_set::test, index));
        net.record_into(nullptr);
        const auto in = somnus::spike_trains::from_events(raster.input, cfg.n_input, bins);
        const auto out = somnus::spike_trains::from_events(raster.excitatory, o.neurons, bins);

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
            const std::size_t cell = cls * o.neurons + j;
            r.mi[cell] = mi[j];
            r.mi_mm[cell] = mi_mm[j];
            r.p_value[cell] = sig[j].p_value;
            r.entropy[cell] = h_out[j];
            r.spikes[cell] = out.ones(j);
        }
        const bool equal = spiked == nonzero, equal_sig = spiked == significant, equal_mm = spiked == nonzero_mm;
        classes_equal += equal;
        classes_equal_significant += equal_sig;
        classes_equal_mm += equal_mm;

        class_result c;
        c.cls = cls;
        c.test_index = index;
        c.predicted = tested.readout.classify(tested.test_response(index));
        c.intensity = shown.intensity;
        c.input_spikes = raster.input.size();
        c.output_spikes = raster.excitatory.size();
        for (const auto& e : raster.excitatory) c.output_spike_steps.push_back(e.step);
        std::sort(c.output_spike_steps.begin(), c.output_spike_steps.end());
        c.spiking = where(spiked);
        c.nonzero_mi = where(nonzero);
        c.nonzero_mi_miller_madow = where(nonzero_mm);
        c.significant_mi = where(significant);
        c.spiking_equals_nonzero_mi = equal;
        c.spiking_equals_significant_mi = equal_sig;
        c.spiking_equals_nonzero_mi_miller_madow = equal_mm;
        for (std::size_t j = 0; j < o.neurons; ++j) {
            if (!spiked[j] && !nonzero[j] && !significant[j]) continue;  // silent neurons: H = I = 0, p = 1
            c.neurons.push_back({j, out.ones(j), h_out[j], mi[j], mi_mm[j], sig[j].p_value, sig[j].surrogate_mean});
        }
        c.output_entropy_bits = h_out;
        c.mean_input_entropy_bits = std::accumulate(h_in.begin(), h_in.end(), 0.0) / double(std::max<std::size_t>(h_in.size(), 1));
        r.classes.push_back(std::move(c));
        fmt::print(stderr, "{} class {}: spiking {} nonzero-MI {} significant {}\n", name, cls, set_text(where(spiked)),
                   set_text(where(nonzero)), set_text(where(significant)));
    }

    ex::add_results_json(r.json, data, trained, tested);
    r.json["theta_after_training"] = {{"mean", theta_mean}, {"min", theta_min}, {"max", theta_max}};
    r.json["analysis_seconds"] = ex::seconds_since(t_analysis);
    r.json["classes"] = r.classes;
    r.json["classes_spiking_equals_nonzero_mi"] = classes_equal;
    r.json["classes_spiking_equals_significant_mi"] = classes_equal_significant;
    r.json["classes_spiking_equals_nonzero_mi_miller_madow"] = classes_equal_mm;
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
            md += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", c.cls, set_text(c.spiking), set_text(c.nonzero_mi),
                              set_text(c.nonzero_mi_miller_madow), set_text(c.significant_mi),
                              c.spiking_equals_nonzero_mi ? "yes" : "**no**", c.spiking_equals_significant_mi ? "yes" : "**no**");
        }
        md += "\nPer-neuron entropy H (bits per bin) and summed MI with the 784 inputs, for the neurons that spiked:\n\n";
        md += "| class | neuron | spikes | H (bits) | MI plug-in (bits) | MI Miller–Madow (bits) | p |\n|---|---|---|---|---|---|---|\n";
        for (const auto& c : r.classes)
            for (const auto& n : c.neurons)
                md += fmt::format("| {} | {} | {} | {:.4f} | {:.4f} | {:.4f} | {:.4f} |\n", c.cls, n.neuron, n.spikes, n.entropy_bits,
                                  n.mi_bits, n.mi_miller_madow_bits, n.p_value);
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
    std::vector<std::pair<std::string, std::string>> sets;
    const std::string mnist_dir = ex::data_folder("mnist", o.data);
    const std::string fashion_dir = !o.fashion_data.empty() ? o.fashion_data
                                    : o.dataset == "fashion"  ? ex::data_folder("fashion", o.data)
                                                              : ex::default_data_folder("fashion");
    if (o.dataset == "mnist" || o.dataset == "both") sets.emplace_back("mnist", mnist_dir);
    if (o.dataset == "fashion" || o.dataset == "both") sets.emplace_back("fashion", fashion_dir);

    // Every dataset is loaded and checked before the first is trained on.
    std::vector<ex::image_sets> data;
    for (const auto& [name, dir] : sets) data.push_back(ex::load_sets(name, dir, o));
    std::vector<dataset_result> results;
    for (const auto& d : data) results.push_back(run_dataset(o, d));
    const double wall = ex::seconds_since(t_start);

    // The table and the arrays: a failure is reported and the run goes on to
    // write the JSON, then exits 1.
    ex::late_outputs late("information");
    if (!o.markdown.empty())
        late.attempt("--markdown " + o.markdown, [&] { somnus::write_file_atomically(o.markdown, markdown_table(results, o)); });
    if (!o.json.empty()) {
        auto j = ex::common_json("capozzi_information", o, wall);
        j["surrogates"] = o.surrogates;
        j["alpha"] = o.alpha;
        j["published_accuracy"] = {{"mnist", 0.72}, {"fashion", 0.46}};
        for (const auto& r : results) {
            j["datasets"][r.name] = r.json;
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
        // The arrays behind the figures (examples/information/figures.py).
        ex::array_outputs arrays("information", o.json);
        late.attempt("arrays beside " + o.json, [&] {
            const std::vector<std::size_t> cn{10, o.neurons};
            for (const auto& r : results) {
                const std::string of = fmt::format(" ({}, the first test image of each class x output neuron)", r.name);
                arrays.add("mi_" + r.name, r.mi, "summed plug-in MI with the 784 inputs, bits" + of, cn);
                arrays.add("mi_miller_madow_" + r.name, r.mi_mm, "summed Miller-Madow MI with the 784 inputs, bits" + of, cn);
                arrays.add("p_value_" + r.name, r.p_value, "shuffle-test p of the summed MI (NaN: no test image of the class)" + of, cn);
                arrays.add("output_spikes_" + r.name, r.spikes, "output spikes" + of, cn);
                arrays.add("output_entropy_" + r.name, r.entropy, "output spike-train entropy, bits per bin" + of, cn);
                arrays.add("confusion_" + r.name, r.confusion, "test confusion matrix, " + r.name + " (true x predicted)");
            }
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
    CLI::App app("Capozzi et al.: information in an STDP-trained spiking network (entropy, mutual information, Table 1)", "information");
    ex::pipeline_help help;
    help.max_neurons = 10000;
    help.datasets = {"mnist", "fashion", "both"};
    help.files = "each file";
    help.data = "folder with the MNIST IDX files (default data/mnist; with --dataset fashion, the Fashion-MNIST folder)";
    help.threads = "threads for labelling, testing and the analysis (results do not depend on it)";
    ex::add_experiment_options(app, o, help);
    app.add_option("--fashion-data", o.fashion_data, "folder with the Fashion-MNIST files (default /usr/share/datasets/fashion-mnist)");
    ex::add_run_options(app, o, help);
    app.add_option("--markdown", o.markdown, "write the Table-1 comparison as a markdown file");
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
