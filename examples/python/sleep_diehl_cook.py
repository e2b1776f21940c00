# SPDX-License-Identifier: MIT
"""Train a Diehl & Cook network from Python, sleep it, and plot its test
accuracy and its neurons' response entropy before and after sleep.
    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/sleep_diehl_cook.py data/mnist out.png"""
import sys
import time

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import somnus

mnist, figure = (sys.argv + ["data/mnist", "sleep_diehl_cook.png"])[1:3]
n_train, n_test = 2000, 1000
train, train_labels = somnus.data.load_mnist(mnist, "train", limit=n_train)
test, test_labels = somnus.data.load_mnist(mnist, "test", limit=n_test)

net = somnus.DiehlCook({"n_exc": 100, "seed": 0})
t0 = time.time()
net.train(train, progress=lambda done, total: print(f"\rtrain {done}/{total}", end="", file=sys.stderr))
print(f"\ntrained in {time.time() - t0:.0f} s", file=sys.stderr)


def measure(net):
    readout = net.label(train, train_labels, threads=2)
    counts = net.evaluate(test, threads=2)
    accuracy = (readout.predict(counts) == test_labels).mean()
    fired = np.ascontiguousarray((counts > 0).T.astype(np.uint8))  # [neuron, test image]: did it fire?
    return accuracy, somnus.information.train_entropies(fired)   # bits per neuron


before = measure(net)
report = net.sleep("tadros_2019", {"duration_ms": 2000.0})
after = measure(net)
print(f"accuracy {100 * before[0]:.2f}% -> {100 * after[0]:.2f}% "
      f"({report['excitatory_spikes']} excitatory spikes in sleep)", file=sys.stderr)

fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
a.bar(["before sleep", "after sleep"], [100 * before[0], 100 * after[0]], color=["tab:blue", "tab:red"])
a.set(ylabel="test accuracy (%)", title=f"{n_train} training images, 100 neurons")
b.hist([before[1], after[1]], bins=20, label=["before sleep", "after sleep"], color=["tab:blue", "tab:red"])
b.set(xlabel="response entropy per neuron (bits)", ylabel="neurons", title="Does each neuron fire for a test image?")
b.legend()
fig.savefig(figure, dpi=120, bbox_inches="tight")
print(figure)
