# SPDX-License-Identifier: MIT
"""somnus.DiehlCook and LabelReadout against examples/diehl_cook (the C++
program) with the same seed and images: the same weights bit for bit and
the same accuracy; checkpoints shared both ways; thread counts and sleep
deterministic; bad arguments refused."""
import json

import numpy as np
import pytest

import somnus
from conftest import env_path, run

SIZES = dict(neurons=12, train=120, label=60, test=60)


@pytest.fixture(scope="module")
def cpp(tmp_path_factory):
    mnist = env_path("SOMNUS_MNIST_DIR")
    d = tmp_path_factory.mktemp("dc")
    run(env_path("SOMNUS_DIEHL_COOK"), "--data", mnist, "--neurons", SIZES["neurons"], "--train", SIZES["train"], "--label",
        SIZES["label"], "--test", SIZES["test"], "--seed", 3, "--threads", 1, "--json", d / "r.json", "--save", d / "net.ckpt")
    return mnist, d, json.loads((d / "r.json").read_text())


@pytest.fixture(scope="module")
def sets(cpp):
    mnist = cpp[0]
    train, train_labels = somnus.data.load_mnist(str(mnist), "train", limit=SIZES["train"])
    test, test_labels = somnus.data.load_mnist(str(mnist), "test", limit=SIZES["test"])
    return train, train_labels, test, test_labels


def trained(sets):
    net = somnus.DiehlCook({"n_exc": SIZES["neurons"], "seed": 3})
    net.train(sets[0])
    return net


def test_same_weights_and_accuracy_as_the_program(cpp, sets):
    _, d, result = cpp
    train, train_labels, test, test_labels = sets
    net = trained(sets)
    assert np.array_equal(net.weights, np.load(d / "r.weights.npy"))
    assert np.array_equal(net.theta, np.load(d / "r.theta.npy"))
    readout = net.label(train[:SIZES["label"]], train_labels[:SIZES["label"]], threads=2)
    assert np.array_equal(readout.assignment, np.load(d / "r.assignment.npy"))
    counts = net.evaluate(test, threads=2)
    assert np.array_equal(counts, np.load(d / "r.test_counts.npy"))
    assert (readout.predict(counts) == test_labels).mean() == result["accuracy"]


def test_two_threads_equal_one(sets):
    net = trained(sets)
    assert np.array_equal(net.evaluate(sets[2], threads=1), net.evaluate(sets[2], threads=2))


def test_checkpoints_both_ways(cpp, sets, tmp_path):
    _, d, result = cpp
    test, test_labels = sets[2], sets[3]
    net = somnus.DiehlCook({"n_exc": SIZES["neurons"], "seed": 3})
    readout, notes = net.load(str(d / "net.ckpt"))  # the program's checkpoint, with its readout
    assert readout is not None
    assert (readout.predict(net.evaluate(test)) == test_labels).mean() == result["accuracy"]
    net.save(str(tmp_path / "py.ckpt"), readout)
    again = somnus.DiehlCook({"n_exc": SIZES["neurons"], "seed": 3})
    readout2, _ = again.load(str(tmp_path / "py.ckpt"))
    assert np.array_equal(again.weights, net.weights) and np.array_equal(readout2.assignment, readout.assignment)
    with pytest.raises(OSError):
        again.load(str(tmp_path / "missing.ckpt"))
    with pytest.raises(OSError, match="this network has 784 x 5"):  # a file for another network
        somnus.DiehlCook({"n_exc": 5}).load(str(tmp_path / "py.ckpt"))


def test_sleep_is_deterministic_and_changes_the_network(sets):
    a, b = trained(sets), trained(sets)
    before = a.theta.copy()
    ra = a.sleep("tadros_2019", {"duration_ms": 200.0, "stdp": True})
    rb = b.sleep("tadros_2019", {"duration_ms": 200.0, "stdp": True})
    assert ra == rb and ra["steps"] == 400
    assert np.array_equal(a.weights, b.weights) and np.array_equal(a.theta, b.theta)
    assert not np.array_equal(a.theta, before)
    with pytest.raises(ValueError, match="no parameter 'speed'"):
        a.sleep("tadros_2019", {"speed": 2})
    with pytest.raises(ValueError, match="recipe"):
        a.sleep("siesta")
    params = {"factor": 0.9, "duration_ms": 10.0}
    a.sleep("synaptic_downscaling", params)
    assert params == {"factor": 0.9, "duration_ms": 10.0}  # the caller's dict is not changed


def test_bad_arguments_raise(sets):
    with pytest.raises(ValueError, match="no parameter 'neurons'"):
        somnus.DiehlCook({"neurons": 10})
    with pytest.raises(ValueError, match="is not a"):
        somnus.DiehlCook({"n_exc": "many"})
    net = somnus.DiehlCook({"n_exc": 4})
    with pytest.raises(ValueError, match="pixels each"):
        net.train(np.zeros((2, 20, 20), np.uint8))
    with pytest.raises(ValueError, match="dtype"):
        net.train(np.zeros((2, 28, 28), np.float32))
    with pytest.raises(ValueError, match="threads"):
        net.evaluate(sets[2][:2], threads=0)


def test_progress_callback(sets):
    seen = []
    net = somnus.DiehlCook({"n_exc": 4})
    net.train(sets[0][:20], progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (20, 20)


def test_an_exception_in_the_callback_ends_the_call(sets):
    net = somnus.DiehlCook({"n_exc": 4})

    def stop(done, total):
        raise KeyboardInterrupt("stop here")

    with pytest.raises(KeyboardInterrupt, match="stop here"):
        net.evaluate(sets[2][:20], threads=2, progress=stop)
