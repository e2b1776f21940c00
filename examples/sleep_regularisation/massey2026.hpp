// SPDX-License-Identifier: MIT
// Massey, Hubin, Nichele & Saebo 2026 (arXiv:2601.08447) as the authors ran
// it: their network (network/massey.hpp), their sleep (recipes::massey_2026,
// sleep_in_batches), their data, training and readout, read from their code
// at commit 40b7d33 (DESIGN.md section 9a; tested against their code in
// docs/results.md). One unit is one run: a data set, a sleep ratio r, a seed.
//
// Data: 15 x 15 images (data/resize.hpp, PIL's resize), each coded as
// Bernoulli spikes with per-step probabilities summing to 22.5 for 1 000
// steps of 1 ms; pools of 6 000 train, 100 validation, 1 000 test (and,
// ours, 1 000 to fit our readout) from a seeded permutation of the union of
// the train and test files.
// Training, theirs: 20 batches, each showing the same first 300 training
// images (their data pointer is reset every batch; "distinct" shows 300 new
// ones each time, the 6 000 the paper's text implies), state carrying over,
// their start-of-batch quirks (start_pass_as_their_code); sleep every 35
// images within a batch. After each batch, a validation pass (a copy of the
// network, noise on, learning off) scored by their readout fit on the
// batch; early stopping with patience 6 on strict improvement, restoring the
// best weights for the test.
// Test: 5 passes of 200 images from a fresh state, noise off, learning off.
// Readout, theirs: per contiguous same-label segment (split where sleep
// happened) each neuron's mean rate, standardise, PCA to 95 %, multinomial
// logistic regression (readout/pca_logistic.hpp), fit on 80 % of the last
// training batch's segments, tested on the segments of the last 200 test
// images. Ours: the same features per image, fit on the frozen network's
// responses to the 1 000 fit-pool images, tested on all 1 000 test images.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "somnus/data/resize.hpp"
#include "somnus/network/massey.hpp"
#include "somnus/readout/pca_logistic.hpp"
#include "somnus/sleep/recipes.hpp"
#include "somnus/sleep/schedules.hpp"
#include "somnus/somnus.hpp"

namespace somnus::example::massey2026 {

/// Their per-run results (DESIGN.md section 9a; results/results_20251112_082712.json
/// for MNIST, results_20251109_092417.json and results_20251109_065907.json
/// (r = 0.2) for Fashion-MNIST, at their commit 40b7d33 / 5cda6d4): % test
/// accuracy of runs 1-5 (seeds 42-46) for r = 0, 0.1, ..., 1.0.
inline const std::vector<std::vector<double>>& published_runs(const std::string& dataset)
{
    static const std::vector<std::vector<double>> mnist{
        {64.97, 60.87, 62.57, 67.78, 58.79}, {71.19, 58.15, 65.24, 67.22, 68.13}, {72.32, 74.46, 72.73, 74.44, 76.92},
        {72.88, 61.96, 70.59, 72.22, 79.12}, {73.45, 61.96, 69.52, 72.78, 79.12}, {72.88, 63.04, 71.12, 72.22, 79.67},
        {71.75, 60.87, 70.59, 72.22, 79.67}, {73.45, 60.87, 70.05, 71.67, 79.67}, {72.88, 61.41, 68.45, 72.22, 78.57},
        {72.88, 60.33, 71.12, 71.67, 79.12}, {72.32, 63.04, 72.19, 73.33, 79.67}};
    static const std::vector<std::vector<double>> fashion{
        {57.69, 58.99, 39.57, 49.18, 63.39}, {60.99, 53.37, 64.71, 65.03, 66.12}, {44.51, 39.89, 52.41, 44.81, 45.36},
        {27.47, 26.97, 51.87, 37.70, 28.96}, {28.02, 26.97, 51.34, 36.07, 28.96}, {26.92, 26.97, 51.87, 36.07, 28.96},
        {26.92, 26.97, 49.20, 36.07, 28.96}, {27.47, 26.97, 49.20, 36.07, 28.96}, {27.47, 26.97, 49.73, 37.70, 28.96},
        {26.37, 26.97, 50.80, 37.16, 28.96}, {27.47, 26.97, 52.41, 37.16, 28.96}};
    static const std::vector<std::vector<double>> none;
    return dataset == "mnist" ? mnist : dataset == "fashion" ? fashion : none;
}

struct options {
    std::vector<std::string> datasets{"mnist", "fashion"};
    std::vector<double> ratios{0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
    std::size_t seeds = 5;
    std::uint64_t seed = 42;  ///< run s uses seed + s (theirs: 42 + run index)
    std::size_t batches = 20;
    std::size_t batch_images = 300;
    std::size_t train_pool = 6000, val_images = 100, test_images = 1000, fit_images = 1000, test_batch = 200;
    std::size_t steps_per_image = 1000;
    bool distinct_images = false;  ///< ours: 300 new images per batch instead of the same 300
    bool early_stopping = true;
    std::size_t patience = 6;
    bool their_quirks = true;  ///< 0 mV at the start of later batches, thresholds reset per pass
    /// Ours: classes 0-4 for the first half of the batches, then 5-9 (new
    /// images each batch, no early stopping), our readout measured after
    /// each half.
    bool forgetting = false;
    timing_convention convention = timing_convention::pre_after_post;
    double readout_fit_share = 0.8;  ///< their 80 % of the last batch's segments
};

/// The sleep pause one ratio gives (ms); ratios with the same pause run the
/// same protocol.
inline double pause_ms(double ratio)
{
    sleep_in_batches s;
    s.ratio = ratio;
    return s.pause_ms();
}

/// The 15 x 15 images of one data set: the train file then the test file.
struct data {
    std::string name;
    image_dataset images;  ///< 15 x 15, the train file then the test file
    std::size_t train_count = 0;
    image_dataset train15, test15;  ///< the two files apart (the SG control draws from each)
};

inline data load(const std::string& name, const std::filesystem::path& dir, unsigned threads)
{
    data d;
    d.name = name;
    auto train = load_mnist(dir, mnist_split::train, std::numeric_limits<std::size_t>::max(), image_geometry{28, 28});
    auto test = load_mnist(dir, mnist_split::test, std::numeric_limits<std::size_t>::max(), image_geometry{28, 28});
    d.train15 = resize_dataset(train, 15, 15, threads);
    d.test15 = resize_dataset(test, 15, 15, threads);
    d.train_count = d.train15.size();
    d.images = d.train15;
    d.images.pixels.insert(d.images.pixels.end(), d.test15.pixels.begin(), d.test15.pixels.end());
    d.images.labels.insert(d.images.labels.end(), d.test15.labels.begin(), d.test15.labels.end());
    return d;
}

struct projection_stats {
    std::string name;
    double total = 0.0;           ///< sum of |w|
    double mean = 0.0;            ///< mean |w|
    double max = 0.0;             ///< max |w|
    double at_lower = 0.0;        ///< share within 1e-6 of the bound nearest 0
    double at_upper = 0.0;        ///< share within 1e-3 of the far bound
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(projection_stats, name, total, mean, max, at_lower, at_upper)

struct batch_record {
    std::size_t batch = 0;
    double val_accuracy = 0.0;
    double train_exc_rate_hz = 0.0;   ///< mean excitatory rate over the batch's images
    std::uint64_t sleep_steps = 0;     ///< offline steps run in the batch
    std::size_t sleep_phases = 0, early_stops = 0;
    std::vector<projection_stats> projections;  ///< at the end of the batch (after its sleep)
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(batch_record, batch, val_accuracy, train_exc_rate_hz, sleep_steps, sleep_phases, early_stops,
                                   projections)

/// Ours, with options::forgetting: our readout's accuracy on the test
/// images of each half of the classes (%).
struct forgetting_result {
    double first_after_first = 0.0;   ///< classes 0-4 after training on them
    double first_after_second = 0.0;  ///< classes 0-4 after training on 5-9
    double second_after_second = 0.0; ///< classes 5-9 after training on them
    double drop = 0.0;                ///< first_after_first - first_after_second
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(forgetting_result, first_after_first, first_after_second, second_after_second, drop)

struct run_result {
    std::string dataset;
    double ratio = 0.0;
    std::size_t seed_index = 0;
    std::uint64_t seed = 0;
    std::string convention, images;
    double accuracy = 0.0;        ///< theirs: last 200 test images, segments, fit on the last batch (%)
    std::size_t test_segments = 0, fit_segments = 0;
    double accuracy_ours = 0.0;   ///< ours: all 1 000 test images, fit on the 1 000 fit-pool images (%)
    std::size_t batches_run = 0, best_batch = 0;
    bool stopped_early = false;
    std::vector<batch_record> history;
    std::vector<projection_stats> final_projections;  ///< the weights tested
    std::size_t distinct_receptive_fields = 0;
    std::size_t distinct_tunings = 0;  ///< ours: distinct class-response profiles of the excitatory neurons (test)
    double phi = 0.0;                  ///< their phi on the frozen network's responses to the fit pool
    double test_exc_rate_hz = 0.0;
    std::optional<forgetting_result> forgetting;
    /// Simulated steps: learning (training images), offline (sleep) and
    /// frozen (validation, test and fit passes); and their rate.
    std::uint64_t steps_learning = 0, steps_sleep = 0, steps_frozen = 0;
    double steps_per_second = 0.0;
    double seconds = 0.0;
};

inline void to_json(nlohmann::json& j, const run_result& r)
{
    j = {{"dataset", r.dataset},
         {"ratio", r.ratio},
         {"seed_index", r.seed_index},
         {"seed", r.seed},
         {"convention", r.convention},
         {"images", r.images},
         {"accuracy", r.accuracy},
         {"test_segments", r.test_segments},
         {"fit_segments", r.fit_segments},
         {"accuracy_ours", r.accuracy_ours},
         {"batches_run", r.batches_run},
         {"best_batch", r.best_batch},
         {"stopped_early", r.stopped_early},
         {"history", r.history},
         {"final_projections", r.final_projections},
         {"distinct_receptive_fields", r.distinct_receptive_fields},
         {"distinct_tunings", r.distinct_tunings},
         {"phi", r.phi},
         {"test_exc_rate_hz", r.test_exc_rate_hz},
         {"steps_learning", r.steps_learning},
         {"steps_sleep", r.steps_sleep},
         {"steps_frozen", r.steps_frozen},
         {"steps_per_second", r.steps_per_second},
         {"seconds", r.seconds}};
    if (r.forgetting) j["forgetting"] = *r.forgetting;
}

inline void from_json(const nlohmann::json& j, run_result& r)
{
    j.at("dataset").get_to(r.dataset);
    j.at("ratio").get_to(r.ratio);
    j.at("seed_index").get_to(r.seed_index);
    j.at("seed").get_to(r.seed);
    j.at("convention").get_to(r.convention);
    j.at("images").get_to(r.images);
    j.at("accuracy").get_to(r.accuracy);
    j.at("test_segments").get_to(r.test_segments);
    j.at("fit_segments").get_to(r.fit_segments);
    j.at("accuracy_ours").get_to(r.accuracy_ours);
    j.at("batches_run").get_to(r.batches_run);
    j.at("best_batch").get_to(r.best_batch);
    j.at("stopped_early").get_to(r.stopped_early);
    j.at("history").get_to(r.history);
    j.at("final_projections").get_to(r.final_projections);
    j.at("distinct_receptive_fields").get_to(r.distinct_receptive_fields);
    j.at("test_exc_rate_hz").get_to(r.test_exc_rate_hz);
    if (j.contains("phi")) {
        j.at("distinct_tunings").get_to(r.distinct_tunings);
        j.at("phi").get_to(r.phi);
    }
    if (j.contains("steps_learning")) {
        j.at("steps_learning").get_to(r.steps_learning);
        j.at("steps_sleep").get_to(r.steps_sleep);
        j.at("steps_frozen").get_to(r.steps_frozen);
        j.at("steps_per_second").get_to(r.steps_per_second);
    }
    if (j.contains("forgetting")) r.forgetting = j.at("forgetting").get<forgetting_result>();
    j.at("seconds").get_to(r.seconds);
}

namespace detail {

using network = massey_network<>;

/// Spike counts of one pass: [image][neuron] over the 250 neurons (E then I).
struct responses {
    std::vector<std::uint32_t> counts;
    std::vector<int> labels;
    std::vector<std::uint8_t> split_after;  ///< a sleep phase followed the image
    std::size_t n = 250;
    void add(const network& net, int label)
    {
        for (const auto c : net.exc_population().counts) counts.push_back(c);
        for (const auto c : net.inh_population().counts) counts.push_back(c);
        labels.push_back(label);
        split_after.push_back(0);
    }
    std::size_t size() const { return labels.size(); }
};

/// Their features: one row per contiguous run of images with the same label
/// (not crossing a sleep phase), each neuron's mean spikes per step.
inline void segments(const responses& r, std::size_t first, std::size_t last, std::size_t steps, xt::xtensor<double, 2>& x,
                     std::vector<int>& y)
{
    std::vector<std::vector<double>> rows;
    y.clear();
    for (std::size_t a = first; a < last;) {
        std::size_t b = a + 1;
        while (b < last && r.labels[b] == r.labels[a] && r.split_after[b - 1] == 0) ++b;
        std::vector<double> row(r.n, 0.0);
        for (std::size_t k = a; k < b; ++k)
            for (std::size_t j = 0; j < r.n; ++j) row[j] += r.counts[k * r.n + j];
        for (auto& v : row) v /= double((b - a) * steps);
        rows.push_back(std::move(row));
        y.push_back(r.labels[a]);
        a = b;
    }
    x = xt::zeros<double>({rows.size(), r.n});
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < r.n; ++j) x(i, j) = rows[i][j];
}

/// Ours: one row per image.
inline void per_image(const responses& r, std::size_t steps, xt::xtensor<double, 2>& x, std::vector<int>& y)
{
    x = xt::zeros<double>({r.size(), r.n});
    for (std::size_t i = 0; i < r.size(); ++i)
        for (std::size_t j = 0; j < r.n; ++j) x(i, j) = double(r.counts[i * r.n + j]) / double(steps);
    y = r.labels;
}

inline xt::xtensor<double, 2> rows_of(const xt::xtensor<double, 2>& x, std::span<const std::size_t> which)
{
    xt::xtensor<double, 2> out = xt::zeros<double>({which.size(), x.shape()[1]});
    for (std::size_t i = 0; i < which.size(); ++i)
        for (std::size_t j = 0; j < x.shape()[1]; ++j) out(i, j) = x(which[i], j);
    return out;
}

/// The readout's predictions: fit on the share `fit` of the training rows
/// (a seeded permutation), predict the test rows. A fit set with one class
/// predicts it everywhere. Features that carry nothing (a silent network:
/// every feature constant) cannot be fit: then no predictions (nullopt).
inline std::optional<std::vector<int>> readout_predict(const xt::xtensor<double, 2>& xtr, const std::vector<int>& ytr,
                                                       const xt::xtensor<double, 2>& xte, double fit, std::uint64_t key,
                                                       std::size_t* fitted = nullptr)
{
    random_stream rng(key, stream_purpose::shuffle, 0x7265'6164ULL);
    const auto perm = random_permutation(ytr.size(), rng);
    const std::size_t n_fit = std::max<std::size_t>(1, static_cast<std::size_t>(fit * double(ytr.size())));
    std::vector<std::size_t> idx(perm.begin(), perm.begin() + std::ptrdiff_t(std::min(n_fit, perm.size())));
    if (fitted) *fitted = idx.size();
    std::vector<int> y;
    for (const auto i : idx) y.push_back(ytr[i]);
    std::vector<int> classes = y;
    std::sort(classes.begin(), classes.end());
    classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
    if (xte.shape()[0] == 0) return {};
    if (classes.size() < 2) return std::vector<int>(xte.shape()[0], classes.empty() ? -1 : classes[0]);
    const auto fit_rows = rows_of(xtr, idx);
    bool informative = false;
    for (std::size_t j = 0; j < fit_rows.shape()[1] && !informative; ++j)
        for (std::size_t i = 1; i < fit_rows.shape()[0]; ++i)
            if (fit_rows(i, j) != fit_rows(0, j)) {
                informative = true;
                break;
            }
    if (!informative) return std::nullopt;
    pca_logistic clf;
    clf.fit(fit_rows, y);
    return clf.predict(xte);
}

/// The most frequent label (the smallest on a tie): what a classifier that
/// has learnt nothing predicts.
inline int majority(const std::vector<int>& y)
{
    std::vector<int> sorted = y;
    std::sort(sorted.begin(), sorted.end());
    int best = sorted.empty() ? -1 : sorted[0];
    std::size_t best_n = 0;
    for (std::size_t a = 0; a < sorted.size();) {
        std::size_t b = a;
        while (b < sorted.size() && sorted[b] == sorted[a]) ++b;
        if (b - a > best_n) {
            best_n = b - a;
            best = sorted[a];
        }
        a = b;
    }
    return best;
}

/// Share of `pred` equal to `truth` where keep(truth) holds (%).
template <class Keep>
double accuracy_where(const std::vector<int>& pred, const std::vector<int>& truth, Keep&& keep)
{
    std::size_t n = 0, correct = 0;
    for (std::size_t i = 0; i < truth.size(); ++i)
        if (keep(truth[i])) {
            ++n;
            correct += pred[i] == truth[i];
        }
    return n == 0 ? 0.0 : 100.0 * double(correct) / double(n);
}

/// Their readout's accuracy (%). When it cannot be fit their code catches
/// the error and scores 0 (big_comb.py, _pca_eval), and so does this.
inline double readout_accuracy(const xt::xtensor<double, 2>& xtr, const std::vector<int>& ytr, const xt::xtensor<double, 2>& xte,
                               const std::vector<int>& yte, double fit, std::uint64_t key, std::size_t* fitted = nullptr)
{
    const auto pred = readout_predict(xtr, ytr, xte, fit, key, fitted);
    return pred ? accuracy_where(*pred, yte, [](int) { return true; }) : 0.0;
}

inline std::vector<projection_stats> weight_stats(const network& net)
{
    std::vector<projection_stats> out;
    for (const auto* p : {&net.input_to_exc(), &net.exc_to_exc(), &net.exc_to_inh(), &net.inh_to_exc()}) {
        projection_stats s;
        s.name = p->name();
        const auto b = p->bounds();
        const bool inh = p->presynaptic() == synapse_sign::inhibitory;
        const double near0 = inh ? b.w_max : b.w_min, far = inh ? b.w_min : b.w_max;
        std::size_t lower = 0, upper = 0;
        for (const float w : p->weights()) {
            const double a = std::abs(double(w));
            s.total += a;
            s.max = std::max(s.max, a);
            if (std::abs(double(w) - near0) <= 1e-6) ++lower;
            if (std::abs(double(w) - far) <= 1e-3) ++upper;
        }
        const double n = double(std::max<std::size_t>(1, p->size()));
        s.mean = s.total / n;
        s.at_lower = double(lower) / n;
        s.at_upper = double(upper) / n;
        out.push_back(s);
    }
    return out;
}

/// Excitatory neurons whose input weight vectors have cosine similarity
/// below 0.95 with every earlier kept one (greedy, in neuron order).
inline std::size_t distinct_fields(const network& net)
{
    const auto d = net.input_to_exc().dense();
    const std::size_t n_in = net.input_to_exc().n_pre(), n = net.input_to_exc().n_post();
    std::vector<std::vector<double>> kept;
    for (std::size_t j = 0; j < n; ++j) {
        std::vector<double> v(n_in);
        double norm = 0.0;
        for (std::size_t i = 0; i < n_in; ++i) {
            v[i] = d[i * n + j];
            norm += v[i] * v[i];
        }
        norm = std::sqrt(norm);
        if (norm == 0.0) continue;
        for (auto& x : v) x /= norm;
        bool same = false;
        for (const auto& k : kept) {
            double c = 0.0;
            for (std::size_t i = 0; i < n_in; ++i) c += k[i] * v[i];
            if (c >= 0.95) {
                same = true;
                break;
            }
        }
        if (!same) kept.push_back(std::move(v));
    }
    return kept.size();
}

/// Ours: excitatory neurons whose class-mean response profile (mean spikes
/// per image of each class) has cosine similarity below 0.95 with every
/// earlier kept one (greedy, in neuron order); silent neurons do not count.
/// With sparse random input masks every weight vector is distinct, so
/// diversity is measured on what the neurons respond to.
inline std::size_t distinct_tunings(const responses& r, std::size_t n_exc, std::size_t classes = 10)
{
    std::vector<std::vector<double>> kept;
    std::vector<double> per_class(classes, 0.0);
    for (std::size_t k = 0; k < r.size(); ++k)
        if (r.labels[k] >= 0 && std::size_t(r.labels[k]) < classes) per_class[std::size_t(r.labels[k])] += 1.0;
    for (std::size_t j = 0; j < n_exc; ++j) {
        std::vector<double> v(classes, 0.0);
        for (std::size_t k = 0; k < r.size(); ++k)
            if (r.labels[k] >= 0 && std::size_t(r.labels[k]) < classes) v[std::size_t(r.labels[k])] += r.counts[k * r.n + j];
        double norm = 0.0;
        for (std::size_t c = 0; c < classes; ++c) {
            v[c] = per_class[c] > 0.0 ? v[c] / per_class[c] : 0.0;
            norm += v[c] * v[c];
        }
        if (norm == 0.0) continue;
        norm = std::sqrt(norm);
        for (auto& x : v) x /= norm;
        bool same = false;
        for (const auto& q : kept) {
            double c = 0.0;
            for (std::size_t i = 0; i < classes; ++i) c += q[i] * v[i];
            if (c >= 0.95) {
                same = true;
                break;
            }
        }
        if (!same) kept.push_back(std::move(v));
    }
    return kept.size();
}

/// Their phi (src/analysis.py, calculate_phi, the training form their runs
/// report), on features x with labels y: features without variance
/// dropped, standardised, PCA keeping 95 % of the variance (not whitened);
/// phi = (BCSS / (k - 1)) / (WCSS / (n - k)) over the k classes present, a
/// between/within-class scatter ratio (Calinski-Harabasz). 0 when it cannot
/// be computed, as theirs.
inline double phi(const xt::xtensor<double, 2>& x, const std::vector<int>& y)
{
    const std::size_t n = x.shape()[0], d = x.shape()[1];
    if (n < 3) return 0.0;
    std::vector<std::size_t> keep;
    for (std::size_t j = 0; j < d; ++j) {
        double m = 0.0, v = 0.0;
        for (std::size_t i = 0; i < n; ++i) m += x(i, j);
        m /= double(n);
        for (std::size_t i = 0; i < n; ++i) v += (x(i, j) - m) * (x(i, j) - m);
        if (v / double(n) >= 1e-10) keep.push_back(j);
    }
    if (keep.size() < 2) return 0.0;
    xt::xtensor<double, 2> z = xt::zeros<double>({n, keep.size()});
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < keep.size(); ++k) z(i, k) = x(i, keep[k]);
    standard_scaler scaler;
    scaler.fit(z);
    principal_components pca;
    const auto zs = scaler.transform(z);
    pca.fit(zs, 0.95, false);
    const auto p = pca.transform(zs);
    const std::size_t m = p.shape()[1];
    std::vector<int> classes = y;
    std::sort(classes.begin(), classes.end());
    classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
    const std::size_t k = classes.size();
    if (k < 2 || n <= k) return 0.0;
    std::vector<double> overall(m, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < m; ++c) overall[c] += p(i, c) / double(n);
    double wcss = 0.0, bcss = 0.0;
    for (const int cls : classes) {
        std::vector<double> centroid(m, 0.0);
        std::size_t count = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (y[i] == cls) {
                ++count;
                for (std::size_t c = 0; c < m; ++c) centroid[c] += p(i, c);
            }
        for (auto& v : centroid) v /= double(count);
        for (std::size_t i = 0; i < n; ++i)
            if (y[i] == cls)
                for (std::size_t c = 0; c < m; ++c) wcss += (p(i, c) - centroid[c]) * (p(i, c) - centroid[c]);
        for (std::size_t c = 0; c < m; ++c) bcss += double(count) * (centroid[c] - overall[c]) * (centroid[c] - overall[c]);
    }
    if (wcss <= 1e-5) return 0.0;
    return (bcss / double(k - 1)) / (wcss / double(n - k));
}

} // namespace detail

/// The pools of one seed: positions in the union (train file then test file).
struct pools {
    std::vector<std::size_t> train, val, test, fit;
};

inline pools make_pools(const options& o, const data& d, std::uint64_t seed)
{
    const std::size_t need = o.train_pool + o.val_images + o.test_images + o.fit_images;
    somnus::detail::require(d.images.size() >= need, "massey2026: {} has {} images, the pools need {}", d.name, d.images.size(), need);
    random_stream rng(seed, stream_purpose::shuffle, 0x706f'6f6cULL);
    const auto perm = random_permutation(d.images.size(), rng);
    pools p;
    auto at = perm.begin();
    const auto take = [&](std::vector<std::size_t>& v, std::size_t n) {
        v.assign(at, at + std::ptrdiff_t(n));
        at += std::ptrdiff_t(n);
    };
    take(p.train, o.train_pool);
    take(p.val, o.val_images);
    take(p.test, o.test_images);
    take(p.fit, o.fit_images);
    return p;
}

/// One run. `progress(batch)` is called after every batch.
template <class Progress>
run_result run(const options& o, const data& d, double ratio, std::size_t seed_index, Progress&& progress)
{
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    run_result r;
    r.dataset = d.name;
    r.ratio = ratio;
    r.seed_index = seed_index;
    r.seed = o.seed + seed_index;
    r.convention = std::string(to_string(o.convention));
    r.images = o.distinct_images ? "distinct" : "same";
    const std::uint64_t seed = r.seed;
    const auto pool = make_pools(o, d, seed);

    massey_config cfg;
    cfg.seed = seed;
    auto net = make_massey(cfg, o.convention);
    const double base_e = net.excitatory_total(), base_i = net.inhibitory_total();
    sleep_in_batches schedule;
    schedule.ratio = ratio;
    schedule.batch_images = o.batch_images;
    schedule.period_ms = 35.0 * double(o.steps_per_image);
    schedule.image_ms = double(o.steps_per_image);
    schedule.validate();
    auto phase = recipes::massey_2026(base_e, base_i);
    const auto steps = static_cast<std::uint32_t>(o.steps_per_image);
    std::vector<float> rates(cfg.n_input);
    poisson_encoder enc(cfg.n_input, cfg.dt_ms);
    // Every showing draws fresh input spikes and noise from streams keyed by
    // what is shown where: (pass kind, batch, position).
    const auto show = [&](detail::network& n, std::size_t image, std::uint64_t kind, std::uint64_t batch, std::uint64_t pos, bool learn) {
        massey_input_rates(cfg, d.images.image(image), rates);
        random_stream rng(seed, stream_purpose::input_spikes, kind, batch, pos);
        enc.begin(rates, steps, rng);
        const std::uint64_t key = (kind << 48) ^ (batch << 24) ^ pos;
        return learn ? n.train(enc, steps, key) : n.respond(enc, steps, key);
    };

    // The frozen passes (validation, test, fit): counted for steps per second.
    const auto pass = [&](detail::network& n, const std::vector<std::size_t>& images, std::uint64_t kind, std::uint64_t batch,
                          bool fresh_every_batch) {
        detail::responses out;
        for (std::size_t k = 0; k < images.size(); ++k) {
            if (fresh_every_batch && k % o.test_batch == 0) {
                n.reset_to_rest();
                n.reset_spike_times();
                n.clear_last_spikes();
            }
            show(n, images[k], kind, batch, k, false);
            out.add(n, d.images.labels[images[k]]);
        }
        r.steps_frozen += std::uint64_t(images.size()) * steps;
        return out;
    };
    // Ours: the frozen network's responses to the fit pool fit the readout,
    // which predicts the test pool (per image, noise off).
    const auto our_readout = [&](const detail::network& trained, std::uint64_t when, detail::responses* test_out, double* phi_out) {
        auto n = trained.clone();
        n.set_noise(false);
        const auto test = pass(n, pool.test, 3, when, true);
        const auto fit = pass(n, pool.fit, 4, when, true);
        xt::xtensor<double, 2> xf, xt_;
        std::vector<int> yf, yt;
        detail::per_image(fit, steps, xf, yf);
        detail::per_image(test, steps, xt_, yt);
        if (test_out) *test_out = test;
        if (phi_out) *phi_out = detail::phi(xf, yf);
        // A network that carries nothing is read out as the majority class of the fit pool.
        auto pred = detail::readout_predict(xf, yf, xt_, 1.0, seed);
        return std::pair{pred ? std::move(*pred) : std::vector<int>(yt.size(), detail::majority(yf)), yt};
    };
    // Training images: the same first batch_images every batch (theirs), new
    // ones each batch (distinct), or, for forgetting, new ones of classes
    // 0-4 in the first half of the batches and of 5-9 in the second.
    std::vector<std::size_t> low, high;
    if (o.forgetting)
        for (const auto i : pool.train) (d.images.labels[i] < 5 ? low : high).push_back(i);
    const std::size_t half = o.batches / 2;
    const auto training_image = [&](std::size_t b, std::size_t k) {
        if (o.forgetting) {
            const auto& from = b < half ? low : high;
            const std::size_t slot = ((b < half ? b : b - half) * o.batch_images + k) % from.size();
            return from[slot];
        }
        const std::size_t slot = o.distinct_images ? (b * o.batch_images + k) % pool.train.size() : k;
        return pool.train[slot];
    };
    if (o.forgetting) {
        somnus::detail::require(half > 0 && !low.empty() && !high.empty(),
                                "massey2026: forgetting needs at least 2 batches and training images of both halves of the classes");
        r.forgetting = forgetting_result{};
    }
    const bool early_stopping = o.early_stopping && !o.forgetting;

    std::optional<detail::network> best;
    double best_val = -1.0;
    std::size_t since_best = 0;
    detail::responses last_train;
    for (std::size_t b = 0; b < o.batches; ++b) {
        batch_record rec;
        rec.batch = b;
        if (o.their_quirks) net.start_pass_as_their_code(b == 0 ? -70.0f : 0.0f);
        detail::responses train;
        double exc_spikes = 0.0;
        for (std::size_t k = 0; k < o.batch_images; ++k) {
            const std::size_t image = training_image(b, k);
            const auto p = show(net, image, 1, b, k, true);
            r.steps_learning += steps;
            exc_spikes += p.spikes;
            train.add(net, d.images.labels[image]);
            if (const double ms = schedule.sleep_after(k + 1); ms > 0.0) {
                net.clear_last_input();
                const auto rep = net.sleep(phase, ms);
                rec.sleep_steps += rep.steps;
                r.steps_sleep += rep.steps;
                ++rec.sleep_phases;
                if (rep.steps < static_cast<std::uint64_t>(std::llround(ms / cfg.dt_ms))) ++rec.early_stops;
                train.split_after.back() = 1;
            }
        }
        rec.train_exc_rate_hz = exc_spikes / double(o.batch_images * cfg.n_exc) / (double(steps) * cfg.dt_ms) * 1000.0;

        // Validation: a copy, noise on, learning off, from their pass start.
        auto v = net.clone();
        if (o.their_quirks) v.start_pass_as_their_code(-70.0f);
        const auto val = pass(v, pool.val, 2, b, false);
        xt::xtensor<double, 2> xtr, xva;
        std::vector<int> ytr, yva;
        detail::segments(train, 0, train.size(), steps, xtr, ytr);
        detail::segments(val, 0, val.size(), steps, xva, yva);
        rec.val_accuracy = detail::readout_accuracy(xtr, ytr, xva, yva, o.readout_fit_share, seed + 1000 * b);
        rec.projections = detail::weight_stats(net);
        r.history.push_back(rec);
        r.batches_run = b + 1;
        last_train = std::move(train);
        progress(b);
        if (o.forgetting && b + 1 == half) {
            const auto [pred, truth] = our_readout(net, 100 + b, nullptr, nullptr);
            r.forgetting->first_after_first = detail::accuracy_where(pred, truth, [](int l) { return l < 5; });
        }
        if (early_stopping) {
            if (rec.val_accuracy > best_val) {
                best_val = rec.val_accuracy;
                best = net.clone();
                r.best_batch = b;
                since_best = 0;
            } else if (++since_best >= o.patience) {
                r.stopped_early = true;
                net = std::move(*best);
                break;
            }
        }
    }

    // The test: 5 passes of 200 images from a fresh state, noise off,
    // learning off; their readout on the last 200, ours on all.
    detail::responses test;
    const auto [pred, truth] = our_readout(net, 0, &test, &r.phi);
    r.distinct_tunings = detail::distinct_tunings(test, cfg.n_exc);
    r.accuracy_ours = detail::accuracy_where(pred, truth, [](int) { return true; });
    if (r.forgetting) {
        r.forgetting->first_after_second = detail::accuracy_where(pred, truth, [](int l) { return l < 5; });
        r.forgetting->second_after_second = detail::accuracy_where(pred, truth, [](int l) { return l >= 5; });
        r.forgetting->drop = r.forgetting->first_after_first - r.forgetting->first_after_second;
    }
    double test_spikes = 0.0;
    for (std::size_t k = 0; k < test.size(); ++k)
        for (std::size_t j = 0; j < cfg.n_exc; ++j) test_spikes += test.counts[k * test.n + j];
    r.test_exc_rate_hz = test_spikes / double(test.size() * cfg.n_exc) / (double(steps) * cfg.dt_ms) * 1000.0;
    {
        xt::xtensor<double, 2> xtr, xte;
        std::vector<int> ytr, yte;
        detail::segments(last_train, 0, last_train.size(), steps, xtr, ytr);
        const std::size_t from = test.size() >= o.test_batch ? test.size() - o.test_batch : 0;
        detail::segments(test, from, test.size(), steps, xte, yte);
        r.test_segments = yte.size();
        r.accuracy = detail::readout_accuracy(xtr, ytr, xte, yte, o.readout_fit_share, seed, &r.fit_segments);
    }
    r.final_projections = detail::weight_stats(net);
    r.distinct_receptive_fields = detail::distinct_fields(net);
    r.seconds = std::chrono::duration<double>(clock::now() - t0).count();
    r.steps_per_second = double(r.steps_learning + r.steps_sleep + r.steps_frozen) / std::max(1e-9, r.seconds);
    return r;
}

} // namespace somnus::example::massey2026
