// SPDX-License-Identifier: MIT
// Durations to step counts (core/steps.hpp) in the networks: a dt or a
// duration whose step count overflows, or a positive duration rounded to no
// step, is refused by the config's validate() and by the network, never an
// image of zero (or of garbage) steps.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <somnus/core/steps.hpp>
#include <somnus/network/competitive.hpp>
#include <somnus/network/massey.hpp>
#include <somnus/neuron/conductance_lif.hpp>
#include <somnus/neuron/leaky.hpp>
#include <somnus/sleep/none.hpp>

using namespace somnus;

TEST_SUITE("network") {

TEST_CASE("regression (issue 23): one checked ms -> steps conversion refuses NaN, negative, overflowing and silently-zero durations")
{
    using detail::steps_of;
    using detail::zero_steps;
    CHECK(steps_of("t", 350.0, 0.5) == 700);
    CHECK(steps_of("t", 0.0, 0.5) == 0);
    CHECK(steps_of("t", 0.2, 0.5) == 0);  // a phase may round to no step: its report says so
    CHECK(steps_of("t", 0.3, 0.5) == 1);
    CHECK(steps_of<std::uint32_t>("t", 0.0, 0.5, zero_steps::only_for_zero_ms) == 0);
    CHECK_THROWS_WITH_AS(steps_of("present_ms", 0.2, 0.5, zero_steps::refused), doctest::Contains("present_ms: 0.2 ms is less than half a step"),
                         config_error);
    CHECK_THROWS_AS(steps_of("rest_ms", 0.2, 0.5, zero_steps::only_for_zero_ms), config_error);
    CHECK_THROWS_WITH_AS(steps_of("present_ms", 0.0, 0.5, zero_steps::refused), doctest::Contains("present_ms must be > 0"), config_error);
    CHECK_THROWS_WITH_AS(steps_of("d", std::nan(""), 0.5), doctest::Contains("d must be finite"), config_error);
    CHECK_THROWS_WITH_AS(steps_of("d", -1.0, 0.5), doctest::Contains("d must be >= 0"), config_error);
    CHECK_THROWS_AS(steps_of("d", 1.0, 0.0), config_error);
    CHECK_THROWS_AS(steps_of("d", 1.0, -0.5), config_error);
    CHECK_THROWS_AS(steps_of("d", 1.0, std::nan("")), config_error);
    CHECK_THROWS_WITH_AS(steps_of("d", 1e300, 1.0), doctest::Contains("2^40"), config_error);
    CHECK_THROWS_AS(steps_of("d", 1.0, 1e-300), config_error);  // 1e300 steps
    CHECK_THROWS_AS(steps_of("d", 350.0, 4.9e-324), config_error);  // +inf steps
    CHECK(steps_of("d", 0x1.0p40, 1.0) == (std::uint64_t{1} << 40));
    CHECK_THROWS_WITH_AS(steps_of<std::uint32_t>("d", 0x1.0p33, 1.0), doctest::Contains("its step counter holds"), config_error);
    CHECK_THROWS_AS(steps_of<long>("relax: ms", 1e300, 0.5f), config_error);
}

TEST_CASE("regression (issue 23): a network refuses a dt or duration that would give an image of zero or of garbage steps")
{
    const auto refused = [](competitive_config c, const char* what) {
        CHECK_THROWS_WITH_AS(c.validate(), doctest::Contains(what), config_error);
        CHECK_THROWS_WITH_AS(make_diehl_cook(c), doctest::Contains(what), config_error);
    };
    competitive_config c;
    c.n_exc = 4;
    // dt 1e-30: 350 ms is 3.5e32 steps, which used to wrap to an image of no step.
    c.dt_ms = 1e-30f;
    refused(c, "present_ms");
    c = {};
    c.n_exc = 4;
    c.present_ms = 1e30f;
    refused(c, "present_ms");
    c.present_ms = 3.0e9f;  // within 2^40 steps, past the 2^32 the protocol counts
    refused(c, "present_ms");
    c.present_ms = 0.2f;  // less than half a step of 0.5 ms
    refused(c, "present_ms");
    c.present_ms = 350.0f;
    c.rest_ms = 0.2f;
    refused(c, "rest_ms");
    c.rest_ms = 1e30f;
    refused(c, "rest_ms");
    c.rest_ms = 0.0f;
    CHECK_NOTHROW(c.validate());
    auto net = make_diehl_cook(c);
    CHECK(net.present_steps() == 700);
    CHECK(net.rest_steps() == 0);
    CHECK(net.train(std::vector<std::uint8_t>(784, 50)).repeats < 10);

    massey_config m;
    m.dt_ms = 1e-30f;
    CHECK_THROWS_WITH_AS(m.validate(), doctest::Contains("massey_config: present_ms"), config_error);
    m = {};
    m.rest_ms = std::nanf("");
    CHECK_THROWS_WITH_AS(m.validate(), doctest::Contains("massey_config: rest_ms"), config_error);
}

TEST_CASE("regression (issue 23): relax refuses a duration too long to count in steps")
{
    const conductance_lif lif(conductance_lif::diehl_cook_excitatory(), 0.5f);
    auto s = lif.make_state(3);
    CHECK_THROWS_AS(lif.relax(s, 1e300), config_error);
    CHECK_THROWS_AS(lif.relax(s, std::nan("")), config_error);
    CHECK_NOTHROW(lif.relax(s, 100.0));
}

} // TEST_SUITE
