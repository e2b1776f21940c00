# SPDX-License-Identifier: MIT
"""Shared by the module's tests: the module (built by CMake; ctest puts its
folder on PYTHONPATH), the C++ reference programs and data ctest names in
the environment, and a helper that runs a program and fails with its
stderr."""
import os
import pathlib
import subprocess

import pytest

import somnus  # noqa: F401  (the module under test; an ImportError here is the failure to see)


def env_path(name):
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"{name} not set (ctest sets it)")
    return pathlib.Path(value)


def run(*args):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    assert r.returncode == 0, f"{' '.join(map(str, args))} failed ({r.returncode}):\n{r.stderr[-3000:]}"
    return r


@pytest.fixture
def mnist_dir():
    d = env_path("SOMNUS_MNIST_DIR")
    if not (d / "train-images-idx3-ubyte").exists() and not (d / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"no MNIST in {d}")
    return d
