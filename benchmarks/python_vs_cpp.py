#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Diehl & Cook trained from Python (the somnus module) against the C++
example (examples/diehl_cook) in one run, with the same seed, images and
threads: both accuracies (they must be equal) and the time of each phase.
    PYTHONPATH=build/release/python benchmarks/python_vs_cpp.py [--neurons 400] [--train 60000]
        [--label 60000] [--test 10000] [--threads 2] [--repeats 1] [--json FILE]"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

import somnus

root = pathlib.Path(__file__).resolve().parent.parent
p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--data", default=str(root / "data" / "mnist"))
p.add_argument("--program", default=str(root / "build" / "release" / "examples" / "diehl_cook"))
p.add_argument("--neurons", type=int, default=400)
p.add_argument("--train", type=int, default=60000)
p.add_argument("--label", type=int, default=60000)
p.add_argument("--test", type=int, default=10000)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--repeats", type=int, default=1, help="alternating runs of each (medians reported)")
p.add_argument("--json")
a = p.parse_args()
for name in ("neurons", "train", "label", "test", "threads", "repeats"):
    if getattr(a, name) < 1:
        sys.exit(f"python_vs_cpp: --{name} must be at least 1")

train, train_labels = somnus.data.load_mnist(a.data, "train", limit=a.train)
test, test_labels = somnus.data.load_mnist(a.data, "test", limit=a.test)


def run_cpp(out):
    # --monitor = --train: the online-accuracy monitor (a labelling every
    # --monitor images) then costs one relabelling, as in the Python run none.
    cmd = [a.program, "--data", a.data, "--neurons", a.neurons, "--train", a.train, "--label", a.label, "--test", a.test,
           "--threads", a.threads, "--seed", a.seed, "--monitor", a.train, "--json", out]
    subprocess.run([str(c) for c in cmd], check=True, stderr=subprocess.DEVNULL)
    r = json.loads(pathlib.Path(out).read_text())
    return {"accuracy": r["accuracy"], "train_s": a.train / r["images_per_second"], "label_s": r["label_seconds"],
            "test_s": r["test_seconds"], "weights": np.load(pathlib.Path(out).with_suffix(".weights.npy"))}


def run_python():
    net = somnus.DiehlCook({"n_exc": a.neurons, "seed": a.seed})
    t0 = time.perf_counter()
    net.train(train)
    t1 = time.perf_counter()
    readout = net.label(train[:a.label], train_labels[:a.label], threads=a.threads)
    t2 = time.perf_counter()
    counts = net.evaluate(test, threads=a.threads)
    t3 = time.perf_counter()
    return {"accuracy": float((readout.predict(counts) == test_labels).mean()), "train_s": t1 - t0, "label_s": t2 - t1,
            "test_s": t3 - t2, "weights": net.weights}


runs = {"cpp": [], "python": []}
with tempfile.TemporaryDirectory() as tmp:
    for k in range(a.repeats):
        runs["cpp"].append(run_cpp(f"{tmp}/cpp{k}.json"))
        runs["python"].append(run_python())
        print(f"repeat {k + 1}: C++ train {runs['cpp'][-1]['train_s']:.1f} s, Python train {runs['python'][-1]['train_s']:.1f} s",
              file=sys.stderr)
same_weights = all(np.array_equal(c["weights"], p_["weights"]) for c, p_ in zip(runs["cpp"], runs["python"]))
summary = {"neurons": a.neurons, "train": a.train, "label": a.label, "test": a.test, "threads": a.threads, "seed": a.seed,
           "repeats": a.repeats, "same_weights": same_weights}
for who, rs in runs.items():
    summary[who] = {k: float(np.median([r[k] for r in rs])) for k in ("accuracy", "train_s", "label_s", "test_s")}
    summary[who]["train_images_per_s"] = a.train / summary[who]["train_s"]
summary["python_over_cpp_time"] = {k: summary["python"][k] / summary["cpp"][k] for k in ("train_s", "label_s", "test_s")}
print(json.dumps(summary, indent=2))
if a.json:
    pathlib.Path(a.json).write_text(json.dumps(summary, indent=2) + "\n")
sys.exit(0 if same_weights and summary["cpp"]["accuracy"] == summary["python"]["accuracy"] else 1)
