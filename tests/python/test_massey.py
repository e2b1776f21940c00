# SPDX-License-Identifier: MIT
"""somnus.Massey against the same piece of Massey et al.'s protocol composed
in C++ (tests/python/massey_reference.cpp): their pass start, keyed
showings with learning, two sleep phases, a frozen copy responding; the same
spike counts, sleep lengths, weights and totals bit for bit."""
import numpy as np
import pytest

import somnus
from conftest import env_path, run


def test_same_as_the_cpp_protocol(mnist_dir, tmp_path):
    run(env_path("SOMNUS_MASSEY_REFERENCE"), mnist_dir, tmp_path)
    images, _ = somnus.data.load_mnist(str(mnist_dir), "train", limit=8)
    small = somnus.resize_images(images, 15, 15)
    net = somnus.Massey({"seed": 3})
    net.start_pass_as_their_code(-70.0)
    counts, sleep_steps = [], []
    for k in range(6):
        counts.append(net.show(small[k:k + 1], kind=1, batch=0, learn=True, steps=200, first_position=k))
        if k in (2, 5):
            sleep_steps.append(net.sleep(60.0)["steps"])
    frozen = net.copy()
    frozen.start_pass_as_their_code(-70.0)
    counts.append(frozen.show(small[6:8], kind=2, batch=0, learn=False, steps=200))
    assert np.array_equal(np.concatenate(counts), np.load(tmp_path / "counts.npy"))
    assert sleep_steps == list(np.load(tmp_path / "sleep_steps.npy"))
    w = net.weights("exc_exc")
    assert np.array_equal(w[w != 0], np.load(tmp_path / "exc_exc_weights.npy"))  # rows by presynaptic neuron, as stored
    assert [net.excitatory_total, net.inhibitory_total] == list(np.load(tmp_path / "totals.npy"))


def test_resize_and_arguments():
    img = np.zeros((1, 28, 28), np.uint8)
    img[0, 10:18, 10:18] = 255
    assert somnus.resize_images(img, 15, 15).shape == (1, 15, 15)
    net = somnus.Massey()
    assert net.weights("input_exc").shape == (225, 200)
    assert set(np.unique(net.weights("inh_exc"))) <= {0.0, np.float32(-0.5)}
    with pytest.raises(ValueError, match="projection"):
        net.weights("everything")
    with pytest.raises(ValueError, match="no parameter"):
        somnus.Massey({"neurons": 3})
    with pytest.raises(ValueError, match="convention"):
        somnus.Massey({}, "backwards")
    with pytest.raises(ValueError, match="pixels each"):
        net.show(np.zeros((1, 28, 28), np.uint8), kind=1, batch=0, learn=True)
