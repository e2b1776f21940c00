// SPDX-License-Identifier: MIT
// One member of nmnist_ensemble: trained by backpropagation through time on
// its part of the training set (the batches in a seeded order per epoch),
// tested after every epoch with --epoch-tests and at the end; and the
// members of every process gathered at rank 0.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <somnus/core/random.hpp>
#include <somnus/sg/adam.hpp>
#include <somnus/sg/train.hpp>

#include "example.hpp"
#include "frames.hpp"
#include "mpi.hpp"
#include "options.hpp"

namespace somnus::example::ensemble {

namespace ex = somnus::example;
namespace sg = somnus::sg;
using nlohmann::json;

/// What one member did.
struct member_result {
    std::size_t index = 0;
    std::vector<float> params;
    std::vector<std::uint64_t> predictions;  ///< per test recording
    double accuracy = 0.0, train_seconds = 0.0, test_seconds = 0.0, final_loss = 0.0;
    std::vector<double> losses;  ///< per batch
    std::vector<std::uint64_t> epoch_hits;  ///< correct test recordings after each epoch but the last (--epoch-tests)
    std::vector<double> epoch_accuracy;  ///< test accuracy after each epoch (--epoch-tests)
    bool resumed = false;
};

/// What crosses between processes (the parameters stay with their process).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(member_result, index, accuracy, predictions, losses, final_loss, train_seconds, test_seconds, resumed,
                                   epoch_accuracy)

inline constexpr std::size_t classes = 10;

/// Test recordings predicted correctly.
inline std::size_t correct(std::span<const std::uint64_t> predictions, std::span<const sample_frames> test)
{
    std::size_t hit = 0;
    for (std::size_t k = 0; k < test.size(); ++k) hit += predictions[k] == test[k].label;
    return hit;
}

/// A member resumed from its checkpoint: its accuracy (and the last point of
/// its --epoch-tests curve) from its saved predictions.
inline void score_resumed(const options& o, member_result& r, std::span<const sample_frames> test)
{
    r.accuracy = double(correct(r.predictions, test)) / double(test.size());
    if (o.epoch_tests) r.epoch_accuracy.push_back(r.accuracy);
}

/// Member m, initialised from (seed, m), trained on `train` for --epochs and
/// tested on `test` (test_views: the same recordings as the engine takes them).
template <class Net>
member_result train_member(const options& o, const Net& net, std::size_t m, std::span<const sample_frames> train,
                           std::span<const sample_frames> test, std::span<const sg::frame_sample> test_views)
{
    const std::size_t train_n = train.size(), test_n = test.size();
    member_result r;
    r.index = m;
    r.params.resize(net.parameter_count());
    net.init(r.params, o.seed, m);
    sg::adam opt(r.params.size(), {o.lr, 0.9, 0.999, 1e-8});
    sg::trainer tr(net, o.threads);
    const auto test_member = [&](std::span<const float> params, const std::string& what) {
        std::vector<std::uint64_t> predictions(test_n, 0);
        ex::progress tbar(what, test_n);
        for (std::size_t b = 0; b < test_n; b += o.batch) {
            const std::size_t n = std::min(o.batch, test_n - b);
            std::vector<std::size_t> pred(n);
            tr.evaluate(params, std::span(test_views).subspan(b, n), pred);
            for (std::size_t k = 0; k < n; ++k) predictions[b + k] = pred[k];
            tbar.update(b + n, {}, b + n == test_n);
        }
        return predictions;
    };
    double epoch_test_seconds = 0.0;
    const auto t0 = ex::clock::now();
    const std::size_t batches = (train_n + o.batch - 1) / o.batch;
    ex::progress bar(fmt::format("member {} train", m), o.epochs * train_n);
    for (std::size_t e = 0; e < o.epochs; ++e) {
        const auto order = somnus::keyed_permutation(train_n, o.seed, (std::uint64_t(m) << 20) + e + 1);
        for (std::size_t b = 0; b < batches; ++b) {
            std::vector<sg::frame_sample> batch;
            for (std::size_t k = b * o.batch; k < std::min(train_n, (b + 1) * o.batch); ++k) batch.push_back(train[order[k]].view());
            const auto s = tr.train_step(r.params, opt, batch);
            r.losses.push_back(s.loss);
            const std::size_t done = e * train_n + std::min(train_n, (b + 1) * o.batch);
            bar.update(done, fmt::format("epoch {} batch {}/{} loss {:.3f} batch accuracy {:.1f}%", e + 1, b + 1, batches, s.loss,
                                         100 * s.accuracy()),
                       done == o.epochs * train_n);
        }
        if (o.epoch_tests && e + 1 < o.epochs) {
            const auto te = ex::clock::now();
            const auto pred = test_member(r.params, fmt::format("member {} epoch {} test", m, e + 1));
            const std::size_t hit = correct(pred, test);
            r.epoch_hits.push_back(hit);
            r.epoch_accuracy.push_back(double(hit) / double(test_n));
            fmt::print(stderr, "member {} after epoch {}: test accuracy {:.2f}%\n", m, e + 1, 100 * r.epoch_accuracy.back());
            epoch_test_seconds += ex::seconds_since(te);
        }
    }
    r.train_seconds = ex::seconds_since(t0) - epoch_test_seconds;
    r.final_loss = r.losses.empty() ? 0.0 : r.losses.back();
    const auto t1 = ex::clock::now();
    r.predictions = test_member(r.params, fmt::format("member {} test", m));
    r.test_seconds = ex::seconds_since(t1);
    r.accuracy = double(correct(r.predictions, test)) / double(test_n);
    if (o.epoch_tests) r.epoch_accuracy.push_back(r.accuracy);
    fmt::print(stderr, "member {}: test accuracy {:.2f}% (train {:.0f} s, {:.1f} samples/s; test {:.0f} s)\n", m, 100 * r.accuracy,
               r.train_seconds, double(train_n * o.epochs) / r.train_seconds, r.test_seconds);
    return r;
}

/// Every process's members, gathered at rank 0 in member order (other ranks
/// get none back).
inline std::vector<member_result> gather_members(const ex::mpi_session& mpi, std::vector<member_result> results)
{
    const auto all = mpi.gather(json(results).dump());
    results.clear();
    if (!mpi.root()) return results;
    for (const auto& text : all)
        for (auto& r : json::parse(text).get<std::vector<member_result>>()) results.push_back(std::move(r));
    std::sort(results.begin(), results.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
    if (mpi.size() > 1) fmt::print(stderr, "gathered {} members from {} processes\n", results.size(), mpi.size());
    return results;
}

} // namespace somnus::example::ensemble
