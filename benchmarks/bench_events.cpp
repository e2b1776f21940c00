// SPDX-License-Identifier: MIT
// Event data: saccade synthesis (items_per_second = recordings per second,
// one thread), N-MNIST reading from a file and decoding in memory, writing,
// the denoise filter and frame accumulation (items_per_second = events per
// second). Uses the first MNIST training images when it finds them
// ($SOMNUS_MNIST_DIR, else data/mnist), else synthetic digits.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include <somnus/data/events.hpp>
#include <somnus/data/mnist.hpp>
#include <somnus/data/nmnist.hpp>
#include <somnus/data/saccade.hpp>

using namespace somnus;

namespace {

/// 100 digit images, 28x28.
const image_dataset& images()
{
    static const image_dataset d = [] {
        const char* env = std::getenv("SOMNUS_MNIST_DIR");
        try {
            return load_mnist(env ? env : "data/mnist", mnist_split::train, 100);
        } catch (const data_error&) {
            image_dataset s;
            s.rows = s.cols = 28;
            for (int k = 0; k < 100; ++k) {
                for (int r = 0; r < 28; ++r)
                    for (int c = 0; c < 28; ++c) {
                        const double d = std::hypot(r - 13.5, (c - 13.5) * (1.0 + 0.01 * k));
                        s.pixels.push_back(d > 5.0 && d < 8.0 + 0.02 * k ? 255 : 0);
                    }
                s.labels.push_back(static_cast<std::uint8_t>(k % 10));
            }
            return s;
        }
    }();
    return d;
}

/// A typical recording (the first image).
const std::vector<event>& recording()
{
    static const std::vector<event> r = saccade_synthesizer(saccade_params{}, 0).synthesize(images().image(0), 28, 28, 0);
    return r;
}

void synthesize(benchmark::State& st)
{
    const saccade_synthesizer syn(saccade_params{}, 0);
    const auto& d = images();
    std::vector<event> out;
    std::size_t i = 0, events = 0;
    for (auto _ : st) {
        syn.synthesize(d.image(i % d.size()), d.rows, d.cols, i, out);
        events += out.size();
        benchmark::DoNotOptimize(out.data());
        ++i;
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()));
    st.counters["events_per_recording"] = double(events) / double(std::max<std::size_t>(i, 1));
}
BENCHMARK(synthesize)->Unit(benchmark::kMicrosecond);

void read_file(benchmark::State& st)
{
    const auto path = std::filesystem::temp_directory_path() / "somnus-bench-events.bin";
    write_nmnist(path, recording());
    for (auto _ : st) {
        const auto ev = read_nmnist(path);
        benchmark::DoNotOptimize(ev.data());
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * recording().size()));
    std::filesystem::remove(path);
}
BENCHMARK(read_file)->Unit(benchmark::kMicrosecond);

void decode_memory(benchmark::State& st)
{
    const auto bytes = encode_nmnist(recording());
    for (auto _ : st) {
        const auto ev = decode_nmnist(bytes);
        benchmark::DoNotOptimize(ev.data());
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * recording().size()));
}
BENCHMARK(decode_memory)->Unit(benchmark::kMicrosecond);

void write_file(benchmark::State& st)
{
    const auto path = std::filesystem::temp_directory_path() / "somnus-bench-events-w.bin";
    for (auto _ : st) write_nmnist(path, recording());
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * recording().size()));
    std::filesystem::remove(path);
}
BENCHMARK(write_file)->Unit(benchmark::kMicrosecond);

void denoise_filter(benchmark::State& st)
{
    for (auto _ : st) {
        const auto kept = denoise(recording(), {34, 34});
        benchmark::DoNotOptimize(kept.data());
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * recording().size()));
}
BENCHMARK(denoise_filter)->Unit(benchmark::kMicrosecond);

void frames_1ms(benchmark::State& st)
{
    for (auto _ : st) {
        const auto f = accumulate_frames(recording(), {34, 34}, {1000, 316, 0});
        benchmark::DoNotOptimize(f.data());
    }
    st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations() * recording().size()));
}
BENCHMARK(frames_1ms)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
