// SPDX-License-Identifier: MIT
// End-to-end training throughput of the Diehl & Cook network: images per
// second for each network size, on the same first images of MNIST and the
// same seed, fresh network per repetition (so every repetition does exactly
// the same work). With --reference the step-by-step reference paths (dense
// presynaptic learning, stepped rest) are timed too, in the same run.
#include <algorithm>
#include <string>
#include <vector>

#include <somnus/data/mnist.hpp>
#include <somnus/network/competitive.hpp>

#include "example.hpp"
#include "state_crc.hpp"

namespace ex = somnus::example;

namespace {

struct options {
    std::vector<std::size_t> neurons{100, 400, 1600, 6400};
    std::size_t images = 0;  // 0: a size-dependent default
    std::size_t repetitions = 3;
    std::string data = "data/mnist";
    std::uint64_t seed = 0;
    std::string integration = "exponential";
    bool reference = false;
    std::string json;
};

/// Enough images for about a second of work at the expected speed, at least 20.
std::size_t default_images(std::size_t n) { return std::max<std::size_t>(20, 200000 / n); }

struct timing {
    double seconds = 0.0;
    std::size_t presentations = 0;
    std::uint64_t exc_spikes = 0;
    std::uint32_t state_crc = 0;  ///< CRC-32 of the trained weights and thresholds: equal runs, equal bits
};


timing train_once(const options& o, std::size_t n, std::size_t images, const somnus::image_dataset& train, bool fast)
{
    somnus::competitive_config cfg;
    cfg.n_exc = n;
    cfg.seed = o.seed;
    cfg.closed_form_rest = fast;
    auto exc = somnus::conductance_lif::diehl_cook_excitatory();
    auto inh = somnus::conductance_lif::diehl_cook_inhibitory();
    exc.scheme = inh.scheme = o.integration == "euler" ? somnus::conductance_lif::integration::euler
                                                       : somnus::conductance_lif::integration::exponential;
    somnus::diehl_cook_network net(cfg, somnus::conductance_lif(exc, cfg.dt_ms), somnus::conductance_lif(inh, cfg.dt_ms));
    net.input_synapses().set_event_driven(fast);
    timing t;
    const auto t0 = ex::clock::now();
    for (std::size_t k = 0; k < images; ++k) {
        const auto p = net.train(train.image(k));
        t.presentations += 1 + p.repeats;
        t.exc_spikes += p.spikes;
    }
    t.seconds = ex::seconds_since(t0);
    t.state_crc = somnus::bench::state_crc(net);
    return t;
}

} // namespace

int main(int argc, char** argv)
{
    options o;
    CLI::App app{"Diehl & Cook training throughput: images per second per network size (one thread)", "dc_throughput"};
    app.add_option("--neurons", o.neurons, "network sizes (excitatory neurons)")->capture_default_str()->delimiter(',');
    app.add_option("--images", o.images, "training images per repetition (default: 200000 / neurons, at least 20)");
    app.add_option("--repetitions", o.repetitions, "repetitions per size; the median is reported")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--data", o.data, "folder with the MNIST IDX files")->capture_default_str();
    app.add_option("--seed", o.seed, "random seed")->capture_default_str();
    app.add_option("--integration", o.integration, "exponential or euler")->check(CLI::IsMember({"exponential", "euler"}))->capture_default_str();
    app.add_flag("--reference", o.reference, "also time the reference paths (dense presynaptic learning, stepped rest)");
    app.add_option("--json", o.json, "write the results to this file");
    if (auto status = ex::parse(app, argc, argv)) return *status;

    return ex::guarded("dc_throughput", [&] {
        std::size_t most = 0;
        for (auto n : o.neurons) {
            if (n == 0) throw somnus::config_error("--neurons: sizes must be positive");
            most = std::max(most, o.images > 0 ? o.images : default_images(n));
        }
        const auto train = somnus::load_mnist(o.data, somnus::mnist_split::train, std::min<std::size_t>(most, 60000));
        fmt::print(stderr, "dc_throughput: SIMD {}, {} repetitions, {} integration, 1 thread\n", somnus::simd::arch_name(),
                   o.repetitions, o.integration);
        nlohmann::json rows = nlohmann::json::array();
        fmt::print("{:>7} {:>7} {:>10} {:>12} {:>12} {:>9} {:>10}\n", "neurons", "images", "path", "images/s", "present/img", "spikes/img",
                   "state crc");
        for (const auto n : o.neurons) {
            const std::size_t images = std::min(train.size(), o.images > 0 ? o.images : default_images(n));
            for (const bool fast : {true, false}) {
                if (!fast && !o.reference) continue;
                std::vector<double> rates;
                timing last;
                for (std::size_t r = 0; r < o.repetitions; ++r) {
                    last = train_once(o, n, images, train, fast);
                    rates.push_back(double(images) / last.seconds);
                    fmt::print(stderr, "  N={} {} repetition {}: {:.1f} images/s\n", n, fast ? "fast" : "reference", r + 1, rates.back());
                }
                std::sort(rates.begin(), rates.end());
                const double median = rates[rates.size() / 2];
                const char* path = fast ? "fast" : "reference";
                fmt::print("{:>7} {:>7} {:>10} {:>12.1f} {:>12.2f} {:>9.1f}   {:08x}\n", n, images, path, median,
                           double(last.presentations) / double(images), double(last.exc_spikes) / double(images), last.state_crc);
                rows.push_back({{"neurons", n},
                                {"images", images},
                                {"path", path},
                                {"images_per_second_median", median},
                                {"images_per_second", rates},
                                {"presentations", last.presentations},
                                {"exc_spikes", last.exc_spikes},
                                {"state_crc32", fmt::format("{:08x}", last.state_crc)}});
            }
        }
        if (!o.json.empty()) {
            nlohmann::json j{{"benchmark", "dc_throughput"},
                             {"simd_arch", somnus::simd::arch_name()},
                             {"integration", o.integration},
                             {"seed", o.seed},
                             {"repetitions", o.repetitions},
                             {"threads", 1},
                             {"results", rows}};
            ex::write_json(o.json, j);
        }
        return 0;
    });
}
