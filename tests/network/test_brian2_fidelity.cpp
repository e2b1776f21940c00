// SPDX-License-Identifier: MIT
// Fidelity against Brian2: a recorded input raster replayed through the
// Diehl & Cook network (forward Euler, plasticity and adaptive threshold on,
// no normalisation) gives the spikes, weights and theta that the Brian2 peer
// (benchmarks/peers/brian2_diehl_cook.py) gives for the same raster and
// initial weights. The reference is committed data, made by
// tests/data/brian2_fidelity/make_reference.py (its docstring says what it
// simulates and how to regenerate it); Brian2 is not needed here.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <somnus/encoding/replay.hpp>
#include <somnus/homeostasis/adaptive_threshold.hpp>
#include <somnus/network/competitive.hpp>

using namespace somnus;

namespace {

const std::filesystem::path reference_dir = std::filesystem::path(SOMNUS_TEST_DATA_DIR) / "brian2_fidelity";

/// The non-comment lines of a reference file, each split into words.
std::vector<std::vector<std::string>> read_rows(const char* name)
{
    const auto path = reference_dir / name;
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "cannot open the Brian2 reference file ", path.string());
    std::vector<std::vector<std::string>> rows;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        std::vector<std::string> row;
        for (std::string w; words >> w;) row.push_back(w);
        if (!row.empty()) rows.push_back(std::move(row));
    }
    return rows;
}

std::map<std::string, std::string> read_config()
{
    std::map<std::string, std::string> c;
    for (const auto& row : read_rows("config.txt")) {
        REQUIRE_MESSAGE(row.size() == 2, "config.txt: a line of ", row.size(), " words, expected 'key value'");
        c[row[0]] = row[1];
    }
    return c;
}

bool earlier(const raster_event& a, const raster_event& b) { return a.step != b.step ? a.step < b.step : a.input < b.input; }

/// (step, index) pairs, sorted by step, then index.
std::vector<raster_event> read_events(const char* name)
{
    const auto rows = read_rows(name);
    const bool pairs = std::all_of(rows.begin(), rows.end(), [](const auto& row) { return row.size() == 2; });
    REQUIRE_MESSAGE(pairs, std::string(name), ": every line must be 'step index'");
    std::vector<raster_event> events;
    for (const auto& row : rows)
        events.push_back({static_cast<std::uint32_t>(std::stoul(row[0])), static_cast<std::uint32_t>(std::stoul(row[1]))});
    std::sort(events.begin(), events.end(), earlier);
    return events;
}

/// A [rows][cols] matrix of doubles (a column vector when cols is 1).
std::vector<double> read_values(const char* name, std::size_t rows, std::size_t cols)
{
    const auto lines = read_rows(name);
    REQUIRE_MESSAGE(lines.size() == rows, std::string(name), " has ", lines.size(), " rows, expected ", rows);
    const bool shaped = std::all_of(lines.begin(), lines.end(), [&](const auto& row) { return row.size() == cols; });
    REQUIRE_MESSAGE(shaped, std::string(name), ": every row must hold ", cols, " values");
    std::vector<double> v;
    v.reserve(rows * cols);
    for (const auto& row : lines)
        for (const auto& w : row) v.push_back(std::stod(w));
    return v;
}

/// Where two sorted rasters part: the first event that differs, for the failure message.
std::string first_difference(const std::vector<raster_event>& got, const std::vector<raster_event>& want)
{
    const auto [g, w] = std::mismatch(got.begin(), got.end(), want.begin(), want.end());
    std::ostringstream s;
    s << "somnus " << got.size() << " spikes, Brian2 " << want.size() << "; first difference: somnus ";
    if (g == got.end()) s << "(none)";
    else s << "(step " << g->step << ", neuron " << g->input << ")";
    s << ", Brian2 ";
    if (w == want.end()) s << "(none)";
    else s << "(step " << w->step << ", neuron " << w->input << ")";
    return s.str();
}

} // namespace

TEST_SUITE("network") {

TEST_CASE("Brian2 fidelity: a replayed raster gives the Brian2 peer's spikes, weights and theta")
{
    const auto config = read_config();
    const auto n_input = static_cast<std::size_t>(std::stoul(config.at("n_input")));
    const auto n_exc = static_cast<std::size_t>(std::stoul(config.at("n_exc")));
    const auto steps = static_cast<std::uint32_t>(std::stoul(config.at("steps")));
    const float dt_ms = std::stof(config.at("dt_ms"));
    REQUIRE(config.at("integration") == "euler");

    // Normalisation off: the adaptive threshold is the only homeostasis.
    using network = competitive_network<conductance_lif, conductance_lif, diehl_cook_triplet, adaptive_threshold>;
    competitive_config cfg;
    cfg.n_input = n_input;
    cfg.input_rows = cfg.input_cols = 0;
    cfg.n_exc = n_exc;
    cfg.dt_ms = dt_ms;
    cfg.present_ms = float(steps) * dt_ms;
    cfg.rest_ms = 0.0f;  // the reference's last steps carry no input: its rest is inside the replayed window
    auto exc = conductance_lif::diehl_cook_excitatory();
    auto inh = conductance_lif::diehl_cook_inhibitory();
    exc.scheme = inh.scheme = conductance_lif::integration::euler;  // Brian2 method='euler'
    // The initial state the reference starts from (make_network of the peer).
    REQUIRE(exc.v_init_mV == -105.0f);
    REQUIRE(inh.v_init_mV == -100.0f);
    REQUIRE(exc.theta_init_mV == 20.0f);
    network net(cfg, conductance_lif(exc, dt_ms), conductance_lif(inh, dt_ms));

    const auto w0 = read_values("initial_weights.txt", n_input, n_exc);
    auto& w = net.weights();
    for (std::size_t i = 0; i < n_input; ++i)
        for (std::size_t j = 0; j < n_exc; ++j) w(i, j) = static_cast<float>(w0[i * n_exc + j]);  // float32 values: exact

    const auto input = read_events("input_raster.txt");
    replay_encoder source(n_input);
    source.begin(input);
    spike_raster raster;
    net.record_into(&raster);
    net.train(source, steps);
    net.record_into(nullptr);

    // Spikes: equal, step for step. Brian2 runs in float64, somnus in
    // float32, so v differs by rounding (the final v below agrees to 4e-5
    // mV), and somnus holds theta constant within a presentation where the
    // peer decays it with Euler at every step (at most 21 mV * 450 ms / 1e7
    // ms = 1e-3 mV apart by the end). Either could only flip a threshold
    // crossing closer than about 1e-3 mV; the reference's closest calls
    // (config.txt: v - threshold over every non-refractory neuron and step)
    // are 0.017 mV for an excitatory and 4.3 mV for an inhibitory neuron, so
    // the rasters must be identical. A regenerated reference with a closer
    // call needs another seed, not a looser test.
    auto exc_spikes = raster.excitatory, inh_spikes = raster.inhibitory, input_spikes = raster.input;
    std::sort(exc_spikes.begin(), exc_spikes.end(), earlier);
    std::sort(inh_spikes.begin(), inh_spikes.end(), earlier);
    std::sort(input_spikes.begin(), input_spikes.end(), earlier);
    CHECK(input_spikes == input);  // the raster was replayed as recorded
    const auto ref_exc = read_events("exc_spikes.txt");
    const auto ref_inh = read_events("inh_spikes.txt");
    REQUIRE(ref_exc.size() >= 20);  // the reference exercises the network
    REQUIRE(ref_inh.size() >= 20);
    CHECK_MESSAGE(exc_spikes == ref_exc, "excitatory: ", first_difference(exc_spikes, ref_exc));
    CHECK_MESSAGE(inh_spikes == ref_inh, "inhibitory: ", first_difference(inh_spikes, ref_inh));

    // Weights: float32 against float64, traces decayed per step by a
    // rounded factor (Brian2: exact event-driven decay) and floored at 1e-6.
    // Measured: 2.4e-7, some 8 float32 ulps at w = 0.3. Tolerance 2e-6:
    // eight times that, and below one on_pre depression 1e-4 * post1 onto a
    // neuron that fired within the last 60 ms (post1 > 0.05), so a missed
    // or doubled update of any size that matters fails the test.
    const auto w1 = read_values("final_weights.txt", n_input, n_exc);
    double max_dw = 0.0, max_change = 0.0;
    for (std::size_t i = 0; i < n_input; ++i)
        for (std::size_t j = 0; j < n_exc; ++j) {
            const double ref = w1[i * n_exc + j];
            max_dw = std::max(max_dw, std::abs(double(w(i, j)) - ref));
            max_change = std::max(max_change, std::abs(ref - w0[i * n_exc + j]));
        }
    MESSAGE("Brian2 fidelity: ", exc_spikes.size(), " excitatory and ", inh_spikes.size(), " inhibitory spikes (Brian2 ",
            ref_exc.size(), " and ", ref_inh.size(), "); max |dw| = ", max_dw, " (weights moved by up to ", max_change, ")");
    CHECK(max_change > 0.01);  // plasticity acted
    CHECK(max_dw < 2e-6);

    // theta (figures for the committed reference): measured 3.3e-5 mV, all
    // of it explained: 2.0e-5 mV because
    // somnus decays theta once, exactly, at the end of the presentation
    // (homeostasis/adaptive_threshold.hpp), so each spike's 0.05 mV decays
    // over the whole 450 ms, not from its own time on (0.05 mV * 16 spikes *
    // ~250 ms / 1e7 ms), and 1.3e-5 mV from rounding 20 + 16 * 0.05 in
    // float32 (ulp 1.9e-6 mV). Tolerance 1e-4 mV: three times that, and
    // 1/500 of one spike's increment.
    const auto theta = read_values("final_theta.txt", n_exc, 1);
    double max_dtheta = 0.0;
    for (std::size_t j = 0; j < n_exc; ++j) max_dtheta = std::max(max_dtheta, std::abs(double(net.exc_state().theta[j]) - theta[j]));
    // v at the end, mid-relaxation after the quiet tail: float32 rounding
    // of 900 Euler steps, measured 3.8e-5 mV (10 ulps at 60 mV); 2e-4 mV.
    const auto v = read_values("final_v.txt", 2 * n_exc, 1);
    double max_dv = 0.0;
    for (std::size_t j = 0; j < n_exc; ++j) {
        max_dv = std::max(max_dv, std::abs(double(net.exc_state().v[j]) - v[j]));
        max_dv = std::max(max_dv, std::abs(double(net.inh_state().v[j]) - v[n_exc + j]));
    }
    MESSAGE("Brian2 fidelity: max |dtheta| = ", max_dtheta, " mV, max |dv| = ", max_dv, " mV");
    CHECK(max_dtheta < 1e-4);
    CHECK(max_dv < 2e-4);
}

}
