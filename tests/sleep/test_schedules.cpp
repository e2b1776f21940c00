// SPDX-License-Identifier: MIT
// Sleep schedules: when they sleep and for how long, and that a run resumed
// from a checkpoint sleeps exactly as an uninterrupted one.
#include <doctest/doctest.h>

#include <somnus/network/competitive.hpp>
#include <somnus/sleep/drives.hpp>
#include <somnus/sleep/none.hpp>
#include <somnus/sleep/schedules.hpp>
#include <somnus/sleep/weights.hpp>

#include "../io/scratch.hpp"
#include "../network/synthetic.hpp"

using namespace somnus;

TEST_SUITE("sleep") {

TEST_CASE("sleep_once_after and sleep_every")
{
    const sleep_once_after once{1000, 500.0};
    CHECK(once.sleep_after(999) == 0.0);
    CHECK(once.sleep_after(1000) == 500.0);
    CHECK(once.sleep_after(1001) == 0.0);
    const sleep_every every{10, 50.0};
    CHECK(every.sleep_after(0) == 0.0);
    CHECK(every.sleep_after(10) == 50.0);
    CHECK(every.sleep_after(15) == 0.0);
    CHECK(every.sleep_after(20) == 50.0);
    CHECK(no_sleep{}.sleep_after(10) == 0.0);
}

TEST_CASE("sleep_fraction: K equal bouts spread over training, sleep the fraction f of all time")
{
    for (const std::uint64_t total : {std::uint64_t{7}, std::uint64_t{100}, std::uint64_t{60000}})
        for (const std::uint64_t bouts : {std::uint64_t{1}, std::uint64_t{3}, std::uint64_t{7}})
            for (const double f : {0.05, 0.1, 0.2, 0.5}) {
                CAPTURE(total);
                CAPTURE(bouts);
                CAPTURE(f);
                const sleep_fraction s{f, bouts, total, 500.0};
                s.validate();
                std::uint64_t n = 0, last = 0;
                double slept = 0.0;
                for (std::uint64_t seen = 0; seen <= total + 5; ++seen)
                    if (const double ms = s.sleep_after(seen); ms > 0.0) {
                        ++n;
                        slept += ms;
                        last = seen;
                    }
                CHECK(n == bouts);
                CHECK(last == total);  // the last bout closes training
                const double awake = double(total) * 500.0;
                CHECK(slept / (slept + awake) == doctest::Approx(f).epsilon(1e-9));
            }
    CHECK(sleep_fraction{0.0, 3, 100}.sleep_after(100) == 0.0);
    CHECK_THROWS_AS((sleep_fraction{1.0, 3, 100}.validate()), config_error);
    CHECK_THROWS_AS((sleep_fraction{0.1, 0, 100}.validate()), config_error);
    CHECK_THROWS_AS((sleep_fraction{0.1, 101, 100}.validate()), config_error);
}

TEST_CASE("regression (issue 23): sleep schedules refuse a NaN, negative or endless duration or fraction instead of never sleeping")
{
    const double nan = std::nan(""), inf = INFINITY;
    // sleep_fraction: f >= 1, negative or NaN used to give a bout that was
    // negative, infinite or NaN, so that `ms > 0` never held.
    for (const double f : {1.0, 1.5, -0.1, nan, inf}) {
        CAPTURE(f);
        const sleep_fraction s{f, 2, 100, 500.0};
        CHECK_THROWS_WITH_AS((void)s.sleep_after(50), doctest::Contains("sleep_fraction: fraction"), config_error);
        CHECK_THROWS_WITH_AS((void)s.sleep_after(1), doctest::Contains("sleep_fraction: fraction"), config_error);
    }
    CHECK_THROWS_AS((void)(sleep_fraction{0.1, 2, 100, nan}.sleep_after(50)), config_error);
    CHECK_THROWS_AS((void)(sleep_fraction{0.1, 0, 100}.sleep_after(100)), config_error);
    CHECK_THROWS_WITH_AS((void)(sleep_fraction{0.5, 1, 100, 1e307}.sleep_after(100)), doctest::Contains("not a finite duration"),
                         config_error);
    CHECK(sleep_fraction{0.2, 2, 100, 500.0}.sleep_after(50) == doctest::Approx(6250.0));
    // sleep_every and sleep_once_after: a NaN or negative duration.
    for (const double ms : {nan, -1.0, -inf, inf}) {
        CAPTURE(ms);
        CHECK_THROWS_WITH_AS((void)(sleep_every{10, ms}.sleep_after(10)), doctest::Contains("sleep_every: duration_ms"), config_error);
        CHECK_THROWS_WITH_AS((void)(sleep_every{10, ms}.sleep_after(3)), doctest::Contains("sleep_every: duration_ms"), config_error);
        CHECK_THROWS_WITH_AS((void)(sleep_once_after{10, ms}.sleep_after(10)), doctest::Contains("sleep_once_after: duration_ms"),
                             config_error);
    }
    CHECK_THROWS_WITH_AS((void)(sleep_every{0, 50.0}.sleep_after(10)), doctest::Contains("every_images"), config_error);
    CHECK_THROWS_WITH_AS((void)(sleep_once_after{0, 50.0}.sleep_after(1)), doctest::Contains("after_images"), config_error);
    CHECK(sleep_every{10, 0.0}.sleep_after(10) == 0.0);  // a zero duration is a choice, not an error
    // sleep_in_batches: a NaN ratio used to sleep one step; an endless max_ms.
    sleep_in_batches b;
    b.ratio = nan;
    CHECK_THROWS_WITH_AS((void)b.sleep_after(35), doctest::Contains("sleep_in_batches: ratio"), config_error);
    CHECK_THROWS_AS((void)b.pause_ms(), config_error);
    b.ratio = 0.1;
    b.max_ms = 1e300;
    CHECK_THROWS_WITH_AS((void)b.sleep_after(35), doctest::Contains("2^40"), config_error);
    // Through train_with_sleep: the schedule's error comes out of it.
    competitive_config cfg;
    cfg.n_exc = 4;
    auto net = make_diehl_cook(cfg);
    no_mechanism m;
    const std::vector<std::uint8_t> image(784, 30);
    CHECK_THROWS_AS(train_with_sleep(net, image, sleep_every{1, nan}, m), config_error);
}

TEST_CASE("resuming from a checkpoint across sleep bouts equals the uninterrupted run")
{
    const auto data = test::make_bars(40, 3, 6);
    competitive_config cfg;
    cfg.n_exc = 8;
    cfg.seed = 12;
    cfg.input_delay_max_ms = 4.0f;
    const sleep_every schedule{7, 60.0};
    const auto mechanism = [] {
        return combine<mean_image_drive, stochastic_decay>{mean_image_drive{{1.0f, 11}}, stochastic_decay{{0.1f, 400.0, 0.01f, 5.0}}};
    };
    auto one_run = make_diehl_cook(cfg);
    auto m1 = mechanism();
    for (std::size_t k = 0; k < data.size(); ++k) train_with_sleep(one_run, data.image(k), schedule, m1);
    CHECK(one_run.sleeps_done() == 5);

    somnus_test::scratch_dir dir("sleep-resume");
    for (const std::size_t stop : {std::size_t{7}, std::size_t{10}}) {  // right after a bout, and between bouts
        CAPTURE(stop);
        auto first = make_diehl_cook(cfg);
        auto m2 = mechanism();
        for (std::size_t k = 0; k < stop; ++k) train_with_sleep(first, data.image(k), schedule, m2);
        first.save(dir / "mid.ckpt");
        auto second = make_diehl_cook(cfg);
        second.load(dir / "mid.ckpt");
        CHECK(second.sleeps_done() == first.sleeps_done());
        auto m3 = mechanism();
        for (std::size_t k = stop; k < data.size(); ++k) train_with_sleep(second, data.image(k), schedule, m3);
        CHECK(second.weights() == one_run.weights());
        CHECK(second.exc_state().theta == one_run.exc_state().theta);
        CHECK(second.exc_state().v == one_run.exc_state().v);
    }
}

}
