// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <string>

#include <somnus/readout/assignment.hpp>

using namespace somnus;

TEST_SUITE("readout") {

TEST_CASE("assign_labels: highest mean response per class, silent neurons unassigned")
{
    // 4 images (labels 0, 1, 1, 2) x 3 neurons.
    const std::vector<std::uint32_t> counts{
        5, 0, 0,   // label 0
        1, 2, 0,   // label 1
        1, 4, 0,   // label 1
        9, 1, 0};  // label 2
    const std::vector<std::uint8_t> labels{0, 1, 1, 2};
    const auto a = assign_labels(counts, labels, 3, 3);
    // neuron 0: means 5, 1, 9 -> class 2; neuron 1: 0, 3, 1 -> class 1; neuron 2 silent.
    CHECK(a == std::vector<int>{2, 1, unassigned});
}

TEST_CASE("assign_labels: a neuron that responds the same to every class is not assigned")
{
    // Neuron 0 fires once per image whatever the input (a threshold below
    // rest); neuron 1 prefers class 1; neuron 2 ties classes 0 and 1 but not 2.
    const std::vector<std::uint32_t> counts{
        1, 0, 2,   // label 0
        1, 3, 2,   // label 1
        1, 1, 0};  // label 2
    const std::vector<std::uint8_t> labels{0, 1, 2};
    const auto a = assign_labels(counts, labels, 3, 3);
    CHECK(a == std::vector<int>{unassigned, 1, 0});
    // Such neurons no longer drag every image into class 0.
    const std::vector<std::uint32_t> image{1, 3, 0};
    CHECK(classify(image, a, 3) == 1);
}

TEST_CASE("assign_labels: mean, not sum - a rare class can win")
{
    // class 0 shown 3 times with 2 spikes each (mean 2), class 1 once with 3 (mean 3).
    const std::vector<std::uint32_t> counts{2, 2, 2, 3};
    const std::vector<std::uint8_t> labels{0, 0, 0, 1};
    CHECK(assign_labels(counts, labels, 1, 2) == std::vector<int>{1});
}

TEST_CASE("classify: mean count of each class's neurons")
{
    const std::vector<int> a{0, 0, 1, 2, unassigned};
    // class 0 mean (4+0)/2 = 2, class 1 mean 3, class 2 mean 1: predicts 1
    CHECK(classify(std::vector<std::uint32_t>{4, 0, 3, 1, 50}, a, 3) == 1);
    // tie between class 0 (2) and class 1 (2): the lower class
    CHECK(classify(std::vector<std::uint32_t>{2, 2, 2, 0, 0}, a, 3) == 0);
    // no assigned neuron at all
    CHECK(classify(std::vector<std::uint32_t>{1, 1}, std::vector<int>{unassigned, unassigned}, 3) == unassigned);
}

TEST_CASE("class_responses: mean count per class and each neuron's share of it")
{
    // 4 images (labels 0, 1, 1, 2) x 3 neurons, as above.
    const std::vector<std::uint32_t> counts{5, 0, 0, 1, 2, 0, 1, 4, 0, 9, 1, 0};
    const std::vector<std::uint8_t> labels{0, 1, 1, 2};
    const class_responses r(counts, labels, 3, 3);
    CHECK(r.images_of(1) == 2);
    CHECK(r.mean(0, 0) == 5.0);
    CHECK(r.mean(0, 1) == 1.0);
    CHECK(r.mean(1, 1) == 3.0);
    CHECK(r.mean(0, 2) == 9.0);
    // neuron 0: 5, 1, 9 -> 9/15 of its response goes to class 2
    CHECK(r.proportion(0, 2) == doctest::Approx(0.6));
    CHECK(r.proportion(1, 1) == doctest::Approx(0.75));
    CHECK(r.proportion(2, 0) == 0.0);  // silent: no share, no NaN
    CHECK(r.assignment() == assign_labels(counts, labels, 3, 3));
}

TEST_CASE("label_readout: mean, sum and proportion votes on hand-made counts")
{
    // Labelling set, 2 classes x 3 neurons, one image per class:
    //   neuron 0 fires 4 for class 0 and 0 for class 1 -> class 0, share 1
    //   neuron 1 fires 1 for class 0 and 0 for class 1 -> class 0, share 1
    //   neuron 2 fires 1 for class 0 and 3 for class 1 -> class 1, share 3/4
    const std::vector<std::uint32_t> label_counts{4, 1, 1, 0, 0, 3};
    const std::vector<std::uint8_t> labels{0, 1};
    const label_readout r(label_counts, labels, 3, 2);
    CHECK(r.assignment() == std::vector<int>{0, 0, 1});

    // Test image: counts 3, 0, 2.
    //   mean:       class 0 (3+0)/2 = 1.5, class 1 2       -> 1
    //   sum:        class 0 3,             class 1 2       -> 0
    //   proportion: class 0 (3*1+0*1)/2 = 1.5, class 1 2*0.75 = 1.5 -> tie, the lower class 0
    const std::vector<std::uint32_t> image{3, 0, 2};
    CHECK(r.classify(image, vote::mean) == 1);
    CHECK(r.classify(image) == classify(image, r.assignment(), 2));
    CHECK(r.classify(image, vote::sum) == 0);
    CHECK(r.classify(image, vote::proportion) == 0);
    // Silence: every class scores 0, the lower class wins under every vote.
    const std::vector<std::uint32_t> silent{0, 0, 0};
    for (vote v : {vote::mean, vote::sum, vote::proportion}) CHECK(r.classify(silent, v) == 0);
    CHECK(std::string(vote_name(vote::proportion)) == "proportion");
    CHECK_THROWS_AS(r.classify(std::vector<std::uint32_t>{1, 2}, vote::sum), config_error);
}

TEST_CASE("label_readout: no assigned neuron gives no class under any vote")
{
    const std::vector<std::uint32_t> label_counts{0, 0, 0, 0};
    const std::vector<std::uint8_t> labels{0, 1};
    const label_readout r(label_counts, labels, 2, 2);
    for (vote v : {vote::mean, vote::sum, vote::proportion}) CHECK(r.classify(std::vector<std::uint32_t>{5, 5}, v) == unassigned);
}

TEST_CASE("confusion matrix and accuracy")
{
    confusion_matrix m(3);
    m.add(0, 0);
    m.add(1, 2);
    m.add(2, 2);
    m.add(2, unassigned);
    CHECK(m.total() == 4);
    CHECK(m.correct() == 2);
    CHECK(m.accuracy() == doctest::Approx(0.5));
    CHECK(m.at(1, 2) == 1);
    confusion_matrix n(3);
    n.add(1, 1);
    m.merge(n);
    CHECK(m.accuracy() == doctest::Approx(0.6));
    CHECK_THROWS_AS(m.add(3, 0), config_error);
}

}
