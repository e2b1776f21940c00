# SPDX-License-Identifier: MIT
"""somnus.information against the library called from C++ on the same
inputs (tests/python/information_reference.cpp): bit-identical results; and
the estimators on distributions with known entropy."""
import numpy as np
import pytest

import somnus
from conftest import env_path, run

inf = somnus.information


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    d = tmp_path_factory.mktemp("information")
    rng = np.random.default_rng(11)
    x = (rng.random((6, 300)) < 0.2).astype(np.uint8)
    y = (rng.random((4, 300)) < 0.3).astype(np.uint8)
    y[0] = x[0]  # one strongly informative pair
    inputs = dict(x=x, y=y, counts=rng.integers(0, 50, 12).astype(np.uint64),
                  table=rng.integers(0, 30, (3, 4)).astype(np.uint64),
                  labels=rng.integers(0, 10, 400).astype(np.uint8), predicted=rng.integers(0, 10, 400).astype(np.uint8),
                  perm=rng.permutation(10).astype(np.int64), mappings=rng.integers(0, 3, (8, 10)).astype(np.int32))
    for k, v in inputs.items():
        np.save(d / f"in_{k}.npy", v)
    run(env_path("SOMNUS_INFORMATION_REFERENCE"), d)
    out = {p.stem[4:]: np.load(p) for p in d.glob("out_*.npy")}
    return inputs, out


def test_bit_identical_to_the_cpp_library(case):
    i, o = case
    assert np.array_equal(o["entropy"], [inf.entropy(i["counts"]), inf.entropy(i["counts"], "miller_madow", "nats")])
    assert np.array_equal(o["mi_table"], [inf.mutual_information(i["table"]),
                                          inf.mutual_information(i["table"], "miller_madow", "nats")])
    assert np.array_equal(o["mi_matrix"], inf.mutual_information_matrix(i["x"], i["y"]))
    assert np.array_equal(o["train_entropies"], inf.train_entropies(i["x"], "miller_madow", "nats"))
    assert o["population_entropy"][0] == inf.population_entropy(i["x"])
    one = inf.mi_shuffle_test(i["x"], 1, i["y"], 2, surrogates=200, seed=7, key=3)
    assert np.array_equal(o["shuffle_one"], [one["observed"], one["p_value"], one["surrogate_mean"], one["surrogate_sd"]])
    s = inf.summed_mi_shuffle_test(i["x"], i["y"], surrogates=100, seed=5, key=1)
    assert np.array_equal(o["shuffle_summed"], np.stack([s["observed"], s["p_value"], s["surrogate_mean"], s["surrogate_sd"]], 1))
    assert np.array_equal(o["label_mapping"], inf.label_mapping(i["labels"], i["predicted"], i["perm"]))
    groups = inf.group_by_agreement(i["mappings"], 4)
    assert np.array_equal(o["groups"], groups)
    assert np.array_equal(o["groups_first_match"], inf.group_first_match(i["mappings"], 4))
    assert np.array_equal(o["function_space"], [inf.function_space_entropy(groups), inf.function_space_entropy(groups, "shannon")])


def test_two_threads_equal_one(case):
    i, _ = case
    assert np.array_equal(inf.mutual_information_matrix(i["x"], i["y"], threads=1), inf.mutual_information_matrix(i["x"], i["y"], threads=2))
    a = inf.summed_mi_shuffle_test(i["x"], i["y"], surrogates=50, threads=1)
    b = inf.summed_mi_shuffle_test(i["x"], i["y"], surrogates=50, threads=2)
    for k in a:
        assert np.array_equal(a[k], b[k])


def test_progress_reaches_the_total(case):
    i, _ = case
    seen = []
    inf.summed_mi_shuffle_test(i["x"], i["y"], surrogates=20, threads=2, progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1] == (4, 4)


def test_known_values():
    # Uniform over 8 symbols: 3 bits; a fair coin with itself: 1 bit of MI; independent: 0.
    assert inf.entropy(np.full(8, 5, np.uint64)) == pytest.approx(3.0)
    assert inf.mutual_information(np.array([[50, 0], [0, 50]], np.uint64)) == pytest.approx(1.0)
    assert inf.mutual_information(np.array([[25, 25], [25, 25]], np.uint64)) == pytest.approx(0.0, abs=1e-12)
    # Miller-Madow adds (m - 1) / 2N nats.
    assert inf.entropy(np.array([10, 10], np.uint64), "miller_madow", "nats") == pytest.approx(np.log(2) + 1 / 40)
    # S0 of groups {2, 1, 1}: -(1/4 ln 1/2 + 2 * 1/16 ln 1/4).
    s0 = -(0.25 * np.log(0.5) + 2 / 16 * np.log(0.25))
    assert inf.function_space_entropy(np.array([0, 0, 1, 2], np.uint64)) == pytest.approx(s0)


def test_brian2_pairs_to_trains():
    t = inf.spikes_to_trains(np.array([0, 2, 2], np.int64), np.array([0.0, 1.5, 9.99]), n=3, duration=10.0, dt=1.0)
    assert t.shape == (3, 10) and t.dtype == np.uint8
    assert t[0, 0] == 1 and t[2, 1] == 1 and t[2, 9] == 1 and t.sum() == 3
    with pytest.raises(ValueError, match="outside"):
        inf.spikes_to_trains(np.array([3], np.int64), np.array([0.0]), n=3, duration=10.0, dt=1.0)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="dtype"):
        inf.entropy(np.array([1, 2, 3]))  # int64, not uint64
    with pytest.raises(ValueError, match="C-contiguous"):
        inf.mutual_information_matrix(np.zeros((4, 10), np.uint8)[:, ::2], np.zeros((4, 5), np.uint8))
    with pytest.raises(ValueError, match="dimensions"):
        inf.mutual_information(np.zeros(4, np.uint64))
    with pytest.raises(ValueError, match="estimator"):
        inf.entropy(np.ones(3, np.uint64), "nonsense")
    with pytest.raises(ValueError, match="bins"):  # trains of different lengths: the library's message
        inf.mutual_information_matrix(np.zeros((2, 10), np.uint8), np.zeros((2, 11), np.uint8))
