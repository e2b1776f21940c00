# SPDX-License-Identifier: MIT
"""somnus.data: MNIST as the IDX files hold it; N-MNIST files as
make_nmnist (the C++ program) writes them, byte for byte; tonic's Denoise
and ToFrame by their definitions."""
import os
import pathlib

import numpy as np
import pytest

import somnus
from conftest import env_path, run

D = somnus.data


def idx(path):
    b = pathlib.Path(path).read_bytes()
    nd = b[3]
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(b, np.uint8, offset=4 + 4 * nd).reshape(dims)


def test_load_mnist_is_the_files_content(mnist_dir):
    images, labels = D.load_mnist(str(mnist_dir), "test", limit=500)
    assert images.dtype == np.uint8 and images.shape == (500, 28, 28)
    assert np.array_equal(images, idx(mnist_dir / "t10k-images-idx3-ubyte")[:500])
    assert np.array_equal(labels, idx(mnist_dir / "t10k-labels-idx1-ubyte")[:500])
    with pytest.raises(OSError, match="nowhere"):
        D.load_mnist("/nowhere")
    with pytest.raises(ValueError, match="split"):
        D.load_mnist(str(mnist_dir), "validation")


@pytest.fixture(scope="module")
def synthesised(tmp_path_factory):
    mnist = env_path("SOMNUS_MNIST_DIR")
    out = tmp_path_factory.mktemp("nm") / "set"
    run(env_path("SOMNUS_MAKE_NMNIST"), "--data", mnist, "--out", out, "--limit", 12, "--threads", 1)
    return mnist, out


def test_saccades_and_writer_match_make_nmnist(synthesised):
    mnist, out = synthesised
    images, labels = D.load_mnist(str(mnist), "train", limit=12)
    files = sorted(out.glob("Train/*/*.bin"), key=lambda f: int(f.stem))
    assert len(files) == 12
    for i, f in enumerate(files):  # file k + 1 is training image k
        assert int(f.parent.name) == labels[i]
        events = D.read_nmnist(str(f))
        assert events.dtype == D.EVENT_DTYPE
        assert np.array_equal(events, D.synthesize_saccades(images[i], sample=i, seed=0))
        D.write_nmnist(str(out / "again.bin"), events)
        assert (out / "again.bin").read_bytes() == f.read_bytes()


def tonic_denoise(ev, filter_time):
    # tonic's Denoise: each pixel of a (max x + 1) x (max y + 1) memory holds
    # t + filter_time of its latest event, starting at filter_time; an event
    # is kept when one of its 4 neighbours holds more than its time.
    w, h = int(ev["x"].max()) + 1, int(ev["y"].max()) + 1
    memory = np.full((w, h), filter_time, np.int64)
    keep = []
    for k, e in enumerate(ev):
        x, y, t = int(e["x"]), int(e["y"]), int(e["t"])
        memory[x, y] = t + filter_time
        if (x > 0 and memory[x - 1, y] > t) or (x < w - 1 and memory[x + 1, y] > t) or \
           (y > 0 and memory[x, y - 1] > t) or (y < h - 1 and memory[x, y + 1] > t):
            keep.append(k)
    return ev[keep]


def tonic_to_frame(ev, window, w=34, h=34):
    # tonic's ToFrame(time_window): SliceByTime makes max(duration // window, 1)
    # whole windows from the first event; the events past them are dropped.
    t0 = ev["t"][0]
    n = max(int((ev["t"][-1] - t0) // window), 1)
    k = (ev["t"] - t0) // window
    ev, k = ev[k < n], k[k < n]
    f = np.zeros((n, 2, h, w), np.float32)
    np.add.at(f, (k, ev["p"], ev["y"], ev["x"]), 1)
    return f


def test_denoise_and_to_frame_follow_tonic(synthesised):
    _, out = synthesised
    ev = D.read_nmnist(str(sorted(out.glob("Test/*/*.bin"))[0]))
    kept = D.denoise(ev, 10000)
    assert np.array_equal(kept, tonic_denoise(ev, 10000))
    assert np.array_equal(D.to_frame(kept, 1000), tonic_to_frame(kept, 1000))


def test_bad_events_raise(tmp_path):
    with pytest.raises(OSError, match="directory"):
        D.read_nmnist(str(tmp_path))
    (tmp_path / "short.bin").write_bytes(b"\x01\x02\x03")
    with pytest.raises(OSError, match="short.bin"):
        D.read_nmnist(str(tmp_path / "short.bin"))
    with pytest.raises(ValueError, match="field 'p'"):
        D.denoise(np.zeros(3, [("x", "<i8"), ("y", "<i8"), ("t", "<i8")]))
    bad = np.zeros(1, D.EVENT_DTYPE)
    bad["p"] = 2
    with pytest.raises(ValueError, match="event 0"):
        D.to_frame(bad)
    with pytest.raises(ValueError, match="dtype"):
        D.synthesize_saccades(np.zeros((28, 28), np.float32))
