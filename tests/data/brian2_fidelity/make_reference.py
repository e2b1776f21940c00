#!/usr/bin/python3
"""Reference data for tests/network/test_brian2_fidelity.cpp, made with Brian2.

A recorded input raster is replayed through the Diehl & Cook 2015 network of
the Brian2 peer (benchmarks/peers/brian2_diehl_cook.py, whose make_network()
this script imports, so the model equations, parameters, initial state and
synapse code are the peer's, not a copy): forward Euler (method='euler'),
plasticity on, adaptive threshold on, NO weight normalisation, no delays.
The test replays the same raster from the same initial weights through
somnus's competitive_network<conductance_lif, conductance_lif,
diehl_cook_triplet, adaptive_threshold> with net.train(replay_encoder, steps)
and compares spikes, weights and theta.

What is simulated (defaults; see config.txt for the values used):

* 196 inputs (a 14 x 14 grid), 10 excitatory and 10 inhibitory neurons,
  dt = 0.5 ms, 900 steps (450 ms), one run() from the initial state. With
  seed 13: 5057 input spikes, 37 excitatory spikes from 7 neurons (1 to 16
  each), 37 inhibitory spikes, weights moved by up to 0.068.
* Input raster: Bernoulli spikes per step (p = rate dt, at most one spike per
  input per step, as somnus's poisson_encoder and Brian's PoissonGroup),
  numpy default_rng(seed). Four synthetic patterns on the grid, 100 ms each
  (a horizontal, a vertical and two diagonal bands at 250 Hz -- 196 inputs
  need high rates to drive the network as 784 MNIST pixels do -- plus 3 Hz
  background on every input), then 50 ms with no input at all, so the last
  steps show the network relaxing (and the spikes caused by the last inputs
  are inside the compared window).
* Initial input -> excitatory weights U[0, 0.3] from default_rng(seed + 1),
  rounded to float32 (so somnus, which is float32, starts from exactly the
  same numbers; Brian2 keeps them as float64 values equal to those floats).
* Initial state as in both codes: v = -105 mV (exc), -100 mV (inh), theta =
  20 mV, conductances 0, not refractory, traces 0.
* Scheduling (Brian2's default schedule; somnus's step does the same):
  state update (Euler, with the conductances delivered in earlier steps) ->
  thresholds (exc, inh, and the SpikeGeneratorGroup emits the raster's
  spikes of this step) -> synapses (input->exc on_pre before on_post, i.e.
  ge += w, pre = 1, w -= 1e-4 post1, then w += 1e-2 pre post2(before);
  exc->inh and inh->exc transmission) -> resets (v = reset, theta += 0.05 mV).
  A spike at step s therefore moves its targets' v from step s + 1 on.
* Precision: Brian2's default float64 (the peer's precision); somnus is
  float32, the test compares with tolerances.
* Code generation: Brian2 runtime mode, numpy target by default (no compiler
  needed; --target cython also works and gives the same spikes).

Theta decay: the peer integrates d theta/dt = -theta / 1e7 ms with Euler at
every step; somnus (homeostasis/adaptive_threshold.hpp) holds theta constant
during a presentation and applies exp(-T / 1e7 ms) once at its end. Over
450 ms the two thresholds drift apart by at most 21 mV * 4.5e-5 = 1e-3 mV,
which could only matter for a crossing closer than that; the closest calls
of the raster (|v - threshold| over every non-refractory neuron and step,
after the state update) are written to config.txt (closest_*_mV): 0.017 mV
(excitatory) and 4.3 mV (inhibitory) for the committed data. The final
theta differs by 2e-5 mV for this reason (each spike's 0.05 mV decays over
the whole presentation in somnus, from its own time on in Brian2), and by
1.3e-5 mV more from float32 rounding in somnus.

Files written next to this script (small text, '#' lines are comments):

  config.txt             key value: sizes, steps, seeds, Brian2 version,
                         target, and the closest threshold calls
  input_raster.txt       step input            (the replayed raster)
  initial_weights.txt    n_input rows of n_exc weights (float32 values)
  exc_spikes.txt         step neuron           (excitatory spikes)
  inh_spikes.txt         step neuron           (inhibitory spikes)
  final_weights.txt      n_input rows of n_exc weights after the run
  final_theta.txt        theta per excitatory neuron, mV
  final_v.txt            exc then inh membrane potential after the run, mV

Regenerate (a few seconds; Debian's interpreter, python3-brian 2.5.1):

  /usr/bin/python3 tests/data/brian2_fidelity/make_reference.py

then run the test (build/.../tests/somnus_tests --test-suite=network).
A different --seed, --n-exc, --target or pattern needs no change to the
test, which reads config.txt.
"""
import argparse
import os
import sys
import warnings

warnings.filterwarnings('ignore', category=FutureWarning)  # pythran vs numpy noise on import

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # leave no __pycache__ in benchmarks/peers
sys.path.insert(0, os.path.normpath(os.path.join(HERE, '..', '..', '..', 'benchmarks', 'peers')))
import brian2_diehl_cook as peer  # noqa: E402  (the model: make_network, DT_MS)

GRID = 14                  # inputs on a GRID x GRID image
PATTERN_MS = 100.0         # each of the four patterns
QUIET_MS = 50.0            # no input at the end
PATTERN_HZ = 250.0
BACKGROUND_HZ = 3.0
W_INIT_MAX = 0.3


def patterns():
    """Four rate maps (Hz) on the grid: a horizontal, a vertical and two diagonal bands."""
    r, c = np.mgrid[0:GRID, 0:GRID]
    bands = [(r >= 4) & (r < 8), (c >= 8) & (c < 12), np.abs(r - c) <= 1, np.abs(r + c - (GRID - 1)) <= 1]
    return [np.where(b, PATTERN_HZ, BACKGROUND_HZ).ravel() for b in bands]


def make_raster(seed):
    """(steps, events) with events an int array of (step, input) rows, sorted."""
    rng = np.random.default_rng(seed)
    dt_s = peer.DT_MS / 1000.0
    per_pattern = int(round(PATTERN_MS / peer.DT_MS))
    events = []
    step = 0
    for rates in patterns():
        fire = rng.random((per_pattern, rates.size)) < rates * dt_s
        s, i = np.nonzero(fire)
        events.append(np.stack([s + step, i], axis=1))
        step += per_pattern
    steps = step + int(round(QUIET_MS / peer.DT_MS))
    return steps, np.concatenate(events).astype(np.int64)


def write_matrix(path, header, m, fmt):
    with open(path, 'w') as f:
        f.write(header)
        for row in m:
            f.write(' '.join(fmt % x for x in row) + '\n')


def write_pairs(path, header, pairs):
    with open(path, 'w') as f:
        f.write(header)
        for a, b in pairs:
            f.write(f'{int(a)} {int(b)}\n')


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--seed', type=int, default=13, help='raster seed; the weights use seed + 1 (default 13)')
    p.add_argument('--n-exc', type=int, default=10, help='excitatory (= inhibitory) neurons (default 10)')
    p.add_argument('--target', choices=['numpy', 'cython'], default='numpy', help='Brian2 code generation target')
    p.add_argument('--out', default=HERE, help='folder for the files (default: next to this script)')
    args = p.parse_args()

    import brian2 as b2
    b2.prefs.codegen.target = args.target
    b2.defaultclock.dt = peer.DT_MS * b2.ms
    b2.seed(args.seed)  # only the peer's rand() initial weights use it, and they are overwritten

    n_input, n = GRID * GRID, args.n_exc
    steps, raster = make_raster(args.seed)
    w0 = np.random.default_rng(args.seed + 1).uniform(0.0, W_INIT_MAX, (n_input, n)).astype(np.float32)

    inp = b2.SpikeGeneratorGroup(n_input, raster[:, 1], raster[:, 0] * peer.DT_MS * b2.ms, name='input')
    exc, inh, s_in, s_ei, s_ie = peer.make_network(b2, n, inp, summed=False)
    pre_i, post_j = np.asarray(s_in.i[:]), np.asarray(s_in.j[:])
    s_in.w[:] = w0.astype(np.float64)[pre_i, post_j]
    # v after the state update, before the threshold test (order -1 < the thresholders' 0):
    # how close each non-refractory neuron came to its threshold at every step.
    mon_exc = b2.StateMonitor(exc, ['v', 'theta', 'not_refractory'], record=True, when='thresholds', order=-1)
    mon_inh = b2.StateMonitor(inh, ['v', 'not_refractory'], record=True, when='thresholds', order=-1)
    sp_exc = b2.SpikeMonitor(exc)
    sp_inh = b2.SpikeMonitor(inh)
    net = b2.Network(inp, exc, inh, s_in, s_ei, s_ie, mon_exc, mon_inh, sp_exc, sp_inh)
    net.run(steps * peer.DT_MS * b2.ms, namespace={})

    def spikes(mon):
        st = np.rint(np.asarray(mon.t[:] / b2.ms) / peer.DT_MS).astype(np.int64)
        return sorted(zip(st, np.asarray(mon.i[:])))

    exc_sp, inh_sp = spikes(sp_exc), spikes(sp_inh)
    w1 = np.zeros((n_input, n))
    w1[pre_i, post_j] = np.asarray(s_in.w[:])

    margin_exc = (mon_exc.v / b2.mV) - (mon_exc.theta / b2.mV - 72.0)
    margin_exc = np.abs(margin_exc[np.asarray(mon_exc.not_refractory, bool)])
    margin_inh = np.abs((mon_inh.v / b2.mV) - (-40.0))[np.asarray(mon_inh.not_refractory, bool)]

    out = args.out
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'config.txt'), 'w') as f:
        f.write('# Written by make_reference.py (see its docstring). key value\n')
        for k, v in [('n_input', n_input), ('n_exc', n), ('dt_ms', peer.DT_MS), ('steps', steps),
                     ('seed', args.seed), ('brian2_version', b2.__version__), ('codegen_target', args.target),
                     ('float', 'float64'), ('integration', 'euler'),
                     ('closest_exc_threshold_call_mV', f'{margin_exc.min():.3g}'),
                     ('closest_inh_threshold_call_mV', f'{margin_inh.min():.3g}')]:
            f.write(f'{k} {v}\n')
    write_pairs(os.path.join(out, 'input_raster.txt'), f'# step input: {len(raster)} input spikes in {steps} steps\n',
                raster)
    write_matrix(os.path.join(out, 'initial_weights.txt'), f'# {n_input} inputs x {n} excitatory: w[input][exc]\n',
                 w0, '%.9g')
    write_pairs(os.path.join(out, 'exc_spikes.txt'), f'# step neuron: {len(exc_sp)} excitatory spikes\n', exc_sp)
    write_pairs(os.path.join(out, 'inh_spikes.txt'), f'# step neuron: {len(inh_sp)} inhibitory spikes\n', inh_sp)
    write_matrix(os.path.join(out, 'final_weights.txt'), f'# {n_input} inputs x {n} excitatory after {steps} steps\n',
                 w1, '%.10g')
    write_matrix(os.path.join(out, 'final_theta.txt'), '# theta (mV) per excitatory neuron after the run\n',
                 (exc.theta[:] / b2.mV)[:, None], '%.12g')
    write_matrix(os.path.join(out, 'final_v.txt'), f'# v (mV) after the run: {n} excitatory, then {n} inhibitory\n',
                 np.concatenate([exc.v[:] / b2.mV, inh.v[:] / b2.mV])[:, None], '%.10g')

    counts = np.bincount([j for _, j in exc_sp], minlength=n)
    print(f'{len(raster)} input spikes, {steps} steps; exc spikes per neuron {counts.tolist()}, '
          f'{len(inh_sp)} inhibitory spikes; max |w1 - w0| {np.abs(w1 - w0).max():.4g}, '
          f'{int((w1 != w0).sum())} of {w1.size} weights changed; theta {np.round(exc.theta[:] / b2.mV, 4).tolist()}; '
          f'closest threshold calls {margin_exc.min():.3g} mV (exc), {margin_inh.min():.3g} mV (inh)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
