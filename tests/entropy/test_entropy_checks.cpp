// SPDX-License-Identifier: MIT
// The entropy API's checks at its boundary: indices outside a set of trains,
// counts no two trains can have, histogram ranges whose width overflows and
// sizes no machine holds are config_errors naming them, never a heap
// overflow, a wrapped count or a bad_alloc.
#include <doctest/doctest.h>

#include <cfloat>
#include <cstdint>
#include <limits>
#include <vector>

#include <somnus/entropy/function_space.hpp>
#include <somnus/entropy/histogram.hpp>
#include <somnus/entropy/miller_madow.hpp>
#include <somnus/entropy/mutual_information.hpp>
#include <somnus/entropy/plug_in.hpp>
#include <somnus/entropy/shuffle_test.hpp>
#include <somnus/entropy/spike_trains.hpp>

using namespace somnus;

TEST_SUITE("entropy") {

TEST_CASE("regression (issue 23): spike_trains::set / test and mutual_information(x, i, y, j) refuse out-of-range indices")
{
    spike_trains x(3, 70), y(2, 70);
    x.set(2, 69);
    CHECK(x.test(2, 69));
    CHECK_THROWS_WITH_AS(x.set(3, 0), doctest::Contains("(train 3, bin 0) outside 3 trains x 70 bins"), config_error);
    CHECK_THROWS_WITH_AS(x.set(0, 70), doctest::Contains("(train 0, bin 70)"), config_error);
    CHECK_THROWS_AS(x.set(1000000, 0, false), config_error);
    CHECK_THROWS_WITH_AS((void)x.test(0, 128), doctest::Contains("spike_trains::test"), config_error);
    CHECK_THROWS_AS((void)x.test(5, 0), config_error);
    CHECK_THROWS_AS((void)x.words(3), config_error);
    CHECK_THROWS_AS((void)x.ones(3), config_error);
    CHECK(x.ones(2) == 1);  // nothing was written by the refused calls
    CHECK(x.ones(0) == 0);
    CHECK_THROWS_WITH_AS(mutual_information(x, 3, y, 0, plug_in{}), doctest::Contains("train 3 of 3"), config_error);
    CHECK_THROWS_WITH_AS(mutual_information(x, 0, y, 2, plug_in{}), doctest::Contains("train 2 of 2"), config_error);
    CHECK_THROWS_AS(joint_table(x, 0, y, 100000), config_error);
    CHECK_THROWS_AS(mi_shuffle_test(x, 0, y, 2, plug_in{}), config_error);
    CHECK_THROWS_AS((void)train_entropy(x, 3, plug_in{}), config_error);
    CHECK(mutual_information(x, 2, y, 1, plug_in{}) == 0.0);
}

TEST_CASE("regression (issue 23): joint_counts::from refuses counts no two trains can have instead of wrapping")
{
    const auto c = joint_counts::from(2, 5, 3, 10);
    CHECK(c.n00 == 4);
    CHECK(c.n01 == 1);
    CHECK(c.n10 == 3);
    CHECK(c.n11 == 2);
    CHECK(c.total() == 10);
    CHECK_NOTHROW(joint_counts::from(0, 10, 0, 10));
    CHECK_NOTHROW(joint_counts::from(5, 5, 5, 5));
    CHECK_NOTHROW(joint_counts::from(0, 0, 0, 0));
    CHECK_THROWS_WITH_AS(joint_counts::from(4, 3, 5, 10), doctest::Contains("4 both-spike bins"), config_error);  // n11 > ones_x
    CHECK_THROWS_AS(joint_counts::from(4, 5, 3, 10), config_error);                                                // n11 > ones_y
    CHECK_THROWS_WITH_AS(joint_counts::from(0, 11, 0, 10), doctest::Contains("11 and 0 spikes in 10 bins"), config_error);
    CHECK_THROWS_AS(joint_counts::from(0, 0, 11, 10), config_error);
    CHECK_THROWS_WITH_AS(joint_counts::from(1, 6, 6, 10), doctest::Contains("need more than 10 bins"), config_error);  // n00 < 0
    CHECK_NOTHROW(joint_counts::from(2, 6, 6, 10));
    const std::uint64_t big = std::numeric_limits<std::uint64_t>::max();
    CHECK_THROWS_AS(joint_counts::from(0, big, big, big), config_error);
}

TEST_CASE("regression (issue 23): fixed_bins refuses a range whose width overflows")
{
    std::vector<double> v{-1.0, 0.0, 1.0, 1e300};
    CHECK_THROWS_WITH_AS(histogram(std::span<const double>(v), fixed_bins{-DBL_MAX, DBL_MAX, 4}), doctest::Contains("overflows"),
                         config_error);
    CHECK_THROWS_AS((fixed_bins{-DBL_MAX, DBL_MAX, 4}.validate()), config_error);
    CHECK_NOTHROW(fixed_bins{0.0, DBL_MAX, 4}.validate());
    // A width so small that the bins per unit overflow.
    CHECK_THROWS_AS((fixed_bins{0.0, 1e-320, 1000}.validate()), config_error);
    // Wide but representable: values still spread over the bins.
    const auto counts = histogram(std::span<const double>(v), fixed_bins{-1e300, 1e300, 4});
    CHECK(counts == std::vector<std::uint64_t>{0, 0, 3, 1});
}

TEST_CASE("regression (issue 23): sizes that would exhaust memory are a config_error, not bad_alloc")
{
    const std::size_t huge = std::size_t{1} << 40;
    CHECK_THROWS_WITH_AS(spike_trains(huge, huge), doctest::Contains("spike_trains"), config_error);  // the product overflows
    CHECK_THROWS_AS(spike_trains(huge, 64), config_error);                                          // 8 TiB
    CHECK_THROWS_AS(spike_trains(1, std::numeric_limits<std::size_t>::max()), config_error);       // (bins + 63) / 64 used to wrap to 0
    CHECK_THROWS_AS(spike_trains::from_bytes({}, huge, huge), config_error);
    CHECK_THROWS_AS((fixed_bins{0.0, 1.0, std::size_t{1} << 60}.validate()), config_error);
    const std::vector<std::uint64_t> empty;
    CHECK_THROWS_AS(mutual_information(std::span<const std::uint64_t>(empty), huge, 0, plug_in{}), config_error);
    CHECK_THROWS_AS(mutual_information(std::span<const std::uint64_t>(empty), std::size_t{1} << 32, std::size_t{1} << 32, plug_in{}),
                    config_error);
    std::vector<std::uint64_t> out;
    CHECK_THROWS_AS(cooccurrence_unpacked({}, huge, {}, huge, 0, out), config_error);
    // Group labels past the networks used to resize to label + 1 (0 for
    // SIZE_MAX, then write past the end) or ask for terabytes.
    const std::vector<std::size_t> wrapped{0, std::numeric_limits<std::size_t>::max()}, far{0, std::size_t{1} << 40}, fine{0, 1};
    CHECK_THROWS_WITH_AS(group_sizes(wrapped), doctest::Contains("network 1 has group label"), config_error);
    CHECK_THROWS_AS(function_space_entropy(far), config_error);
    CHECK(group_sizes(fine) == std::vector<std::uint64_t>{1, 1});
    // Ordinary sizes are untouched.
    const spike_trains t(784, 700);
    CHECK(t.words_per_train() == 11);
}

} // TEST_SUITE
