# SPDX-License-Identifier: MIT
"""somnus.GuptaMember against examples/nmnist_ensemble's member 0 on
recordings make_nmnist synthesises: the same losses bit for bit and the same
test accuracy; saved and loaded, the same predictions; 2 threads = 1."""
import json

import numpy as np
import pytest

import somnus
from conftest import env_path, run

D = somnus.data


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    mnist = env_path("SOMNUS_MNIST_DIR")
    d = tmp_path_factory.mktemp("ens")
    run(env_path("SOMNUS_MAKE_NMNIST"), "--data", mnist, "--out", d / "nm", "--limit", 20, "--threads", 1)
    run(env_path("SOMNUS_NMNIST_ENSEMBLE"), "--data", d / "nm", "--members", 1, "--batch", 6, "--test", 8, "--threads", 1,
        "--json", d / "r.json")
    return d, json.loads((d / "r.json").read_text())


def listing(folder):
    # nmnist_folder's order: by file number, then name, then class.
    return sorted(folder.glob("*/*.bin"), key=lambda f: (int(f.stem), f.stem, int(f.parent.name)))


def frames(files):
    return [D.to_frame(D.denoise(D.read_nmnist(str(f)), 10000), 1000) for f in files]


def test_same_losses_and_accuracy_as_the_program(ensemble, tmp_path):
    d, result = ensemble
    train, test = listing(d / "nm" / "Train"), listing(d / "nm" / "Test")[:8]
    part = [train[i] for i in result["train_permutation"][:result["train_per_member"]]]
    member = somnus.GuptaMember(seed=0, member=0, threads=1)
    r = member.train(frames(part), np.array([int(f.parent.name) for f in part], np.uint8), batch=6)
    assert np.array_equal(r["losses"], result["member_results"][0]["losses"])
    test_labels = np.array([int(f.parent.name) for f in test])
    seen = []
    predicted = member.predict(frames(test), batch=6, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (8, 8)
    assert (predicted == test_labels).mean() == result["member_results"][0]["accuracy"]
    member.save(str(tmp_path / "m.sgm"))
    loaded = somnus.GuptaMember(seed=5, member=2, threads=2)
    loaded.load(str(tmp_path / "m.sgm"))
    assert np.array_equal(loaded.parameters, member.parameters)
    assert np.array_equal(loaded.predict(frames(test), batch=6), predicted)  # and 2 threads give what 1 gave


def test_bad_inputs_raise():
    m = somnus.GuptaMember()
    with pytest.raises(ValueError, match=r"expected \[T, 2, 34, 34\]"):
        m.predict([np.zeros((3, 2, 28, 28), np.float32)])
    with pytest.raises(ValueError, match="labels"):
        m.train([np.zeros((3, 2, 34, 34), np.float32)], np.array([1, 2], np.uint8))
    with pytest.raises(ValueError, match="not a class"):
        m.train([np.zeros((3, 2, 34, 34), np.float32)], np.array([12], np.uint8))
    with pytest.raises(OSError):
        m.load("/nowhere/m.sgm")
