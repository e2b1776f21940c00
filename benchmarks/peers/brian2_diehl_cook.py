#!/usr/bin/python3
"""Diehl & Cook 2015 in Brian2: a peer implementation for speed comparison with somnus.

Run it with the Debian interpreter (/usr/bin/python3, python3-brian 2.5.1).

The model is the one of the authors' Brian 1 code, as somnus implements it
(examples/diehl_cook):

* dt = 0.5 ms; every example is 350 ms of Poisson input (pixel p -> p/8 *
  intensity Hz, intensity 2 at first, i.e. at most 63.75 Hz) and 150 ms of rest.
* 784 Poisson inputs -> N excitatory conductance LIF neurons (all-to-all,
  plastic, initial w ~ U[0, 0.3], ge += w) -> N inhibitory neurons (one to
  one, ge += 10.4) -> back to every excitatory neuron but their partner
  (gi += 17). No delays.
* Excitatory: tau_m 100 ms, rest/reset -65 mV, threshold v > -52 mV + theta -
  20 mV, refractory 5 ms (v held), E_exc 0 mV, E_inh -100 mV, theta += 0.05 mV
  per spike and decays with tau 1e7 ms, theta(0) = 20 mV, v(0) = -105 mV.
  Inhibitory: tau_m 10 ms, rest -60 mV, reset -45 mV, threshold -40 mV,
  refractory 2 ms, E_inh -85 mV, v(0) = -100 mV. ge and gi decay with 1 and 2 ms.
* v, ge, gi, theta are integrated with method='euler' (forward Euler: the
  authors' Brian 1 integration and somnus's --integration euler). The STDP
  traces are event-driven (exact exponential decay, computed when needed).
* STDP on input -> excitatory: pre trace (20 ms), post1 (20 ms), post2 (40 ms).
  On a pre spike: pre = 1, w = clip(w - 0.0001 post1, 0, 1). On a post spike:
  w = clip(w + 0.01 pre post2, 0, 1) with post2 taken before this spike,
  then post1 = post2 = 1.
* Before every showing, each excitatory neuron's input weights are scaled to
  sum to 78 (plasticity and this normalisation only while training).

Two modes:

--mode standalone (default): Brian2's C++ standalone device, single-threaded
  (no OpenMP), build_on_run=False, one compiled binary. Training is ONE long
  run() over all K training examples: input rates come from a TimedArray (one
  row per example) gated by a second TimedArray (350 ms on, 150 ms off); the
  normalisation is a run_regularly operation on the input Synapses every
  500 ms that scales w by 78 / w_sum_post, where w_sum_post is the summed
  variable `w_sum_post = w : 1 (summed)` of the postsynaptic (excitatory)
  group. Brian2 updates a summed variable on its target group's clock, i.e.
  every 0.5 ms step, which would add a 784 x N sum per step that nobody reads;
  this script therefore moves that updater onto the same 500 ms clock as the
  normalisation (it is read only there), by setting its private `_clock`.
  REPEATS: NONE. The rule "fewer than 5 excitatory spikes -> intensity + 1,
  show the example again" needs feedback from the simulation into the input
  schedule, which one compiled standalone run cannot take. Every example is
  shown exactly once at intensity 2; the JSON says "repeats": "none" and
  reports how many examples fell below 5 spikes (those the full protocol
  would have shown again, at a higher intensity). somnus does the repeats, so
  its presentations are >= its images; compare presentations/s too.
  Labelling and testing (only if --test > 0) are a second run() in the same
  binary with plasticity, theta and normalisation switched off (shared flags
  and `active = False`), again one showing per image, network state carried
  over from image to image (as in the authors' code; somnus starts every
  evaluation image from the rest state and repeats quiet images).
  Timing: code generation, compilation (make, -j1) and the binary's run are
  measured separately; train_seconds is the wall-clock time of the training
  run() inside the binary (clock_gettime around it; Brian2's own CPU-time
  figure Network::_last_run_time is reported as train_cpu_seconds), so it
  excludes code generation, compilation, loading arrays and writing results.

--mode runtime: plain Brian2 (cython code generation if it works, else
  numpy; the JSON says which), one run(350 ms) + run(150 ms) per showing, the
  repeat rule (fewer than 5 spikes -> intensity + 1, show again, at most 40
  showings as in somnus) and the normalisation done in Python between runs.
  Labelling/testing likewise (plasticity and theta frozen, with repeats,
  state carried over). train_seconds is the wall time of the training loop
  after a warm-up run(0 ms) that generates and compiles the code
  (compile_seconds; small once Brian2's Cython cache in ~/.cython is warm).

Readout (both modes): each neuron gets the class with its highest mean spike
count over the labelling images (never fired: no class); a test image gets
the class whose neurons have the highest mean count (ties: lower class) --
the same rule as somnus/readout/assignment.hpp.
"""
import argparse
import json
import os
import shutil
import struct
import sys
import tempfile
import time
import warnings

warnings.filterwarnings('ignore', category=FutureWarning)  # pythran vs numpy noise on import

import numpy as np

DT_MS = 0.5
PRESENT_MS = 350.0
REST_MS = 150.0
EXAMPLE_MS = PRESENT_MS + REST_MS
START_INTENSITY = 2.0
MIN_SPIKES = 5
MAX_SHOWINGS = 40          # as somnus's competitive_config::max_repeats
WEIGHT_SUM = 78.0

EXC_EQS = '''
dv/dt = ((-65*mV - v) + ge*(0*mV - v) + gi*(-100*mV - v)) / (100*ms) : volt (unless refractory)
dge/dt = -ge/(1*ms) : 1
dgi/dt = -gi/(2*ms) : 1
dtheta/dt = -learn*theta/(1e7*ms) : volt
learn : 1 (shared)
'''
EXC_THRESHOLD = 'v > (theta - 20*mV - 52*mV)'
EXC_RESET = 'v = -65*mV; theta += learn*0.05*mV'

INH_EQS = '''
dv/dt = ((-60*mV - v) + ge*(0*mV - v) + gi*(-85*mV - v)) / (10*ms) : volt (unless refractory)
dge/dt = -ge/(1*ms) : 1
dgi/dt = -gi/(2*ms) : 1
'''

STDP_MODEL = '''
w : 1
plastic : 1 (shared)
dpre/dt = -pre/(20*ms) : 1 (event-driven)
dpost1/dt = -post1/(20*ms) : 1 (event-driven)
dpost2/dt = -post2/(40*ms) : 1 (event-driven)
'''
STDP_ON_PRE = '''
ge_post += w
pre = 1
w = clip(w - plastic*0.0001*post1, 0, 1)
'''
# post2 is read before it is set to 1: the value just before this spike.
STDP_ON_POST = '''
w = clip(w + plastic*0.01*pre*post2, 0, 1)
post1 = 1
post2 = 1
'''


def log(msg):
    print(f'[brian2_diehl_cook] {msg}', file=sys.stderr, flush=True)


# ---------------------------------------------------------------- data, readout

def read_idx(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('>I', data[:4])[0]
    if magic == 2051:
        n, rows, cols = struct.unpack('>III', data[4:16])
        return np.frombuffer(data, dtype=np.uint8, count=n * rows * cols, offset=16).reshape(n, rows * cols)
    if magic == 2049:
        n = struct.unpack('>I', data[4:8])[0]
        return np.frombuffer(data, dtype=np.uint8, count=n, offset=8)
    raise ValueError(f'{path}: not an uncompressed IDX image/label file (magic {magic})')


def load_split(data_dir, split, count):
    prefix = 'train' if split == 'train' else 't10k'
    images = read_idx(os.path.join(data_dir, f'{prefix}-images-idx3-ubyte'))
    labels = read_idx(os.path.join(data_dir, f'{prefix}-labels-idx1-ubyte'))
    if count > len(images):
        raise SystemExit(f'asked for {count} {split} images, {data_dir} has {len(images)}')
    return images[:count], labels[:count]


def assign_labels(counts, labels, n_classes=10):
    """counts [image][neuron] -> class per neuron (-1: never fired)."""
    n = counts.shape[1]
    best = np.zeros(n)
    assignment = np.full(n, -1)
    for c in range(n_classes):
        sel = labels == c
        if not sel.any():
            continue
        mean = counts[sel].mean(axis=0)
        better = mean > best
        assignment[better] = c
        best[better] = mean[better]
    return assignment


def classify(counts, assignment, n_classes=10):
    """counts [image][neuron] -> predicted class per image (-1: none)."""
    out = np.full(len(counts), -1)
    best = np.full(len(counts), -1.0)
    for c in range(n_classes):
        members = assignment == c
        if not members.any():
            continue
        rate = counts[:, members].mean(axis=1)
        better = rate > best
        out[better] = c
        best[better] = rate[better]
    return out


# ---------------------------------------------------------------- network

def make_network(b2, n, input_group, summed):
    """The excitatory and inhibitory layers and the three synapse groups."""
    exc_eqs = EXC_EQS + ('w_sum : 1\n' if summed else '')
    exc = b2.NeuronGroup(n, exc_eqs, threshold=EXC_THRESHOLD, reset=EXC_RESET, refractory=5 * b2.ms,
                         method='euler', name='exc')
    inh = b2.NeuronGroup(n, INH_EQS, threshold='v > -40*mV', reset='v = -45*mV', refractory=2 * b2.ms,
                         method='euler', name='inh')
    exc.v = -105 * b2.mV
    exc.theta = 20 * b2.mV
    exc.learn = 1
    inh.v = -100 * b2.mV

    model = STDP_MODEL + ('w_sum_post = w : 1 (summed)\n' if summed else '')
    s_in = b2.Synapses(input_group, exc, model=model, on_pre=STDP_ON_PRE, on_post=STDP_ON_POST, name='input_exc')
    s_in.connect()  # all to all
    s_in.w = 'rand()*0.3'
    s_in.plastic = 1
    s_ei = b2.Synapses(exc, inh, on_pre='ge_post += 10.4', name='exc_inh')
    s_ei.connect(j='i')
    s_ie = b2.Synapses(inh, exc, on_pre='gi_post += 17', name='inh_exc')
    s_ie.connect(condition='i != j')
    return exc, inh, s_in, s_ei, s_ie


def counts_per_example(spike_i, spike_t_s, n_neurons, first_example, n_examples):
    """Spike counts [example][neuron] in the 350 ms input phase of each example."""
    step = np.rint(np.asarray(spike_t_s) * 1000.0 / DT_MS).astype(np.int64)
    steps_per_example = int(round(EXAMPLE_MS / DT_MS))
    present_steps = int(round(PRESENT_MS / DT_MS))
    example = step // steps_per_example - first_example
    keep = (step % steps_per_example < present_steps) & (example >= 0) & (example < n_examples)
    counts = np.zeros((n_examples, n_neurons), dtype=np.int64)
    np.add.at(counts, (example[keep], np.asarray(spike_i)[keep]), 1)
    return counts


# ---------------------------------------------------------------- standalone

def run_standalone(args, train, label, test):
    import brian2 as b2
    n = args.neurons
    K, L, T = len(train[0]), len(label[0]), len(test[0])
    evaluate = T > 0 and L > 0
    build_dir = args.build_dir or tempfile.mkdtemp(prefix='brian2_diehl_cook_', dir='/tmp')
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    b2.prefs.devices.cpp_standalone.extra_make_args_unix = ['-j1']
    b2.set_device('cpp_standalone', build_on_run=False, directory=build_dir)
    b2.defaultclock.dt = DT_MS * b2.ms
    b2.seed(args.seed)

    images = [train[0]] + ([label[0], test[0]] if evaluate else [])
    pixels = np.concatenate(images).astype(np.float64)
    n_examples = len(pixels)
    rates = b2.TimedArray(pixels / 8.0 * START_INTENSITY * b2.Hz, dt=EXAMPLE_MS * b2.ms, name='rates_ta')
    slots = int(round(EXAMPLE_MS / 50.0))
    on = int(round(PRESENT_MS / 50.0))
    gate = b2.TimedArray(np.tile(np.r_[np.ones(on), np.zeros(slots - on)], n_examples), dt=50 * b2.ms, name='gate_ta')
    inp = b2.PoissonGroup(784, rates='rates_ta(t, i) * gate_ta(t)', name='input',
                          namespace={'rates_ta': rates, 'gate_ta': gate})
    exc, inh, s_in, s_ei, s_ie = make_network(b2, n, inp, summed=True)

    # Normalisation before every example: w_sum_post is summed on a 500 ms
    # clock at the start of the step (see docstring), then w is scaled.
    norm_clock = b2.Clock(dt=EXAMPLE_MS * b2.ms, name='norm_clock')
    summer = s_in.summed_updaters['w_sum_post']
    if args.sum_every_step:
        # Brian2's own placement: the sum every step in the 'groups' slot
        # (order exc.order - 1); normalise right after it, still before any
        # spike of this step reaches the synapses.
        norm_when, norm_order = 'groups', summer.order + 1
    else:
        summer._clock = norm_clock
        summer.when, summer.order = 'start', 0
        norm_when, norm_order = 'start', 1
    norm = s_in.run_regularly(f'w = w * {WEIGHT_SUM} / w_sum_post', clock=norm_clock, when=norm_when,
                              order=norm_order, name='normalise')
    spikes = b2.SpikeMonitor(exc, name='exc_spikes')
    net = b2.Network(inp, exc, inh, s_in, s_ei, s_ie, spikes)

    def timed_run(duration, tag):
        b2.device.insert_code('main', f'struct timespec _t0_{tag}, _t1_{tag}; clock_gettime(CLOCK_MONOTONIC, &_t0_{tag});')
        net.run(duration, report='stderr', report_period=30 * b2.second, namespace={})
        b2.device.insert_code('main', (
            f'clock_gettime(CLOCK_MONOTONIC, &_t1_{tag});'
            f'{{ std::ofstream _f("results/time_{tag}.txt"); _f.precision(9);'
            f' _f << (double(_t1_{tag}.tv_sec - _t0_{tag}.tv_sec) + 1e-9 * double(_t1_{tag}.tv_nsec - _t0_{tag}.tv_nsec))'
            f' << " " << Network::_last_run_time << std::endl; }}'))

    timed_run(K * EXAMPLE_MS * b2.ms, 'train')
    if evaluate:
        s_in.plastic = 0
        exc.learn = 0
        norm.active = False
        summer.active = False
        timed_run((L + T) * EXAMPLE_MS * b2.ms, 'eval')

    log(f'standalone: generating code and compiling in {build_dir} (make -j1) ...')
    t0 = time.perf_counter()
    b2.device.build(directory=build_dir, compile=True, run=False, debug=False)
    build_s = time.perf_counter() - t0
    make_s = b2.device.timers['compile']['make'] or 0.0
    clean_s = b2.device.timers['compile']['clean'] or 0.0
    log(f'standalone: code generation {build_s - make_s - clean_s:.1f} s, compilation {make_s:.1f} s; running ...')
    b2.device.run(build_dir, True, [])
    binary_s = b2.device.timers['run_binary']

    def read_time(tag):
        with open(os.path.join(build_dir, 'results', f'time_{tag}.txt')) as f:
            wall, cpu = f.read().split()
        return float(wall), float(cpu)

    train_wall, train_cpu = read_time('train')
    si, st = np.asarray(spikes.i[:]), np.asarray(spikes.t[:] / b2.second)
    train_counts = counts_per_example(si, st, n, 0, K)
    quiet = int((train_counts.sum(axis=1) < MIN_SPIKES).sum())
    result = {
        'codegen_target': 'cpp_standalone',
        'openmp_threads': 0,
        'compile_flags': ' '.join(b2.prefs.codegen.cpp.extra_compile_args_gcc),
        'presentations': K,
        'repeats': 'none: every training image shown once at intensity 2 in one long run() '
                   '(the fewer-than-5-spikes repeat rule needs feedback a single standalone run cannot take)',
        'examples_below_min_spikes': quiet,
        'train_seconds': train_wall,
        'train_cpu_seconds': train_cpu,
        'codegen_seconds': build_s - make_s - clean_s,
        'compile_seconds': make_s + clean_s,
        'binary_seconds': binary_s,
        'build_dir': build_dir,
        'normalisation': 'run_regularly on input_exc every 500 ms: w *= 78 / w_sum_post; w_sum_post = w (summed), '
                         + ('updated every 0.5 ms step (Brian2 default placement)' if args.sum_every_step
                            else 'updater moved to the same 500 ms clock'),
        'theta_mean_mV': float(np.mean(exc.theta[:] / b2.mV)),
    }
    log(f'standalone: training {K} images took {train_wall:.2f} s ({K / train_wall:.2f} images/s); '
        f'{quiet} of {K} examples had fewer than {MIN_SPIKES} spikes (not repeated)')
    if evaluate:
        eval_wall, _ = read_time('eval')
        result['eval_seconds'] = eval_wall
        result['evaluation'] = 'one showing per image (no repeats), plasticity/theta/normalisation off, state carried over'
        result['label_counts'] = counts_per_example(si, st, n, K, L)
        result['test_counts'] = counts_per_example(si, st, n, K + L, T)
    return result


# ---------------------------------------------------------------- runtime

def run_runtime(args, train, label, test):
    import brian2 as b2
    n = args.neurons
    K, L, T = len(train[0]), len(label[0]), len(test[0])
    evaluate = T > 0 and L > 0

    def build(target):
        b2.start_scope()
        b2.prefs.codegen.target = target
        b2.defaultclock.dt = DT_MS * b2.ms
        b2.seed(args.seed)
        inp = b2.PoissonGroup(784, rates=0 * b2.Hz, name='input')
        exc, inh, s_in, s_ei, s_ie = make_network(b2, n, inp, summed=False)
        counter = b2.SpikeMonitor(exc, record=False, name='exc_count')
        net = b2.Network(inp, exc, inh, s_in, s_ei, s_ie, counter)
        t0 = time.perf_counter()
        net.run(0 * b2.ms, namespace={})  # generates and compiles all code
        return net, inp, exc, s_in, counter, time.perf_counter() - t0

    target = 'cython'
    try:
        net, inp, exc, s_in, counter, compile_s = build(target)
    except Exception as e:  # no working Cython/compiler: fall back to numpy
        log(f'runtime: cython failed ({type(e).__name__}: {e}); using numpy')
        target = 'numpy'
        net, inp, exc, s_in, counter, compile_s = build(target)
    log(f'runtime: codegen target {target}, warm-up (code generation/compilation) {compile_s:.1f} s')
    post = np.asarray(s_in.j[:])

    def normalise():
        w = np.asarray(s_in.w[:])
        total = np.bincount(post, weights=w, minlength=n)
        s_in.w[:] = w * (WEIGHT_SUM / total)[post]

    def show(image, learn):
        """One example with the repeat rule; returns (counts of the last showing, showings)."""
        intensity = START_INTENSITY
        for showing in range(1, MAX_SHOWINGS + 1):
            if learn:
                normalise()
            before = np.array(counter.count[:])
            inp.rates = image / 8.0 * intensity * b2.Hz
            net.run(PRESENT_MS * b2.ms, namespace={})
            counts = np.array(counter.count[:]) - before
            inp.rates = 0 * b2.Hz
            net.run(REST_MS * b2.ms, namespace={})
            if counts.sum() >= MIN_SPIKES:
                break
            intensity += 1.0
        return counts, showing

    presentations = 0
    t0 = time.perf_counter()
    last = t0
    for k in range(K):
        _, s = show(train[0][k].astype(np.float64), True)
        presentations += s
        now = time.perf_counter()
        if now - last > 10 or k + 1 == K:
            log(f'runtime: trained {k + 1}/{K} ({(k + 1) / (now - t0):.2f} images/s, {presentations} showings)')
            last = now
    train_s = time.perf_counter() - t0
    result = {
        'codegen_target': target,
        'presentations': presentations,
        'repeats': f'yes: fewer than {MIN_SPIKES} spikes -> intensity + 1, shown again (at most {MAX_SHOWINGS} showings)',
        'train_seconds': train_s,
        'compile_seconds': compile_s,
        'normalisation': 'in Python before every showing',
        'theta_mean_mV': float(np.mean(exc.theta[:] / b2.mV)),
    }
    if evaluate:
        s_in.plastic = 0
        exc.learn = 0
        t1 = time.perf_counter()
        label_counts = np.array([show(img.astype(np.float64), False)[0] for img in label[0]])
        log('runtime: labelling done')
        test_counts = np.array([show(img.astype(np.float64), False)[0] for img in test[0]])
        result['eval_seconds'] = time.perf_counter() - t1
        result['evaluation'] = 'repeat rule on, plasticity/theta/normalisation off, state carried over'
        result['label_counts'] = label_counts
        result['test_counts'] = test_counts
    return result


# ---------------------------------------------------------------- main

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description='Diehl & Cook 2015 in Brian2 (peer benchmark for somnus). '
                                            'See the module docstring for exactly what is simulated.')
    p.add_argument('--mode', choices=['standalone', 'runtime'], default='standalone',
                   help='cpp_standalone (one compiled run, no repeats) or Brian2 runtime (default: standalone)')
    p.add_argument('--neurons', type=int, default=100, help='excitatory (= inhibitory) neurons (default 100)')
    p.add_argument('--train', type=int, default=100, help='first K training images to train on (default 100)')
    p.add_argument('--label', type=int, default=None, help='first L training images to label with (default K)')
    p.add_argument('--test', type=int, default=0, help='first T test images to classify (default 0: no evaluation)')
    p.add_argument('--data', default=os.path.normpath(os.path.join(here, '..', '..', 'data', 'mnist')),
                   help='folder with the uncompressed MNIST IDX files')
    p.add_argument('--seed', type=int, default=0, help='random seed (default 0)')
    p.add_argument('--json', help='write the results to this file')
    p.add_argument('--build-dir', help='standalone project folder (default: a new folder under /tmp, removed afterwards)')
    p.add_argument('--sum-every-step', action='store_true',
                   help='standalone: leave the summed variable w_sum_post on its default clock (updated every step; '
                        'same results, slower) instead of the 500 ms normalisation clock')
    p.add_argument('--keep-build', action='store_true', help='keep the default standalone folder')
    args = p.parse_args()
    if args.neurons < 1 or args.train < 1 or args.test < 0:
        p.error('--neurons and --train must be >= 1, --test >= 0')
    if args.label is None:
        args.label = args.train
    if args.test > 0 and args.label < 1:
        p.error('--test needs --label >= 1')

    t_start = time.perf_counter()
    n_train_needed = max(args.train, args.label if args.test > 0 else 0)
    tr_img, tr_lab = load_split(args.data, 'train', n_train_needed)
    train = (tr_img[:args.train], tr_lab[:args.train])
    if args.test > 0:
        label = (tr_img[:args.label], tr_lab[:args.label])
        test = load_split(args.data, 'test', args.test)
    else:
        label = test = (np.zeros((0, 784), np.uint8), np.zeros(0, np.uint8))

    import brian2
    log(f'Brian2 {brian2.__version__}, mode {args.mode}, N={args.neurons}, train {args.train}, '
        f'label {len(label[0])}, test {len(test[0])}, seed {args.seed}')
    default_dir = args.mode == 'standalone' and not args.build_dir
    if args.mode == 'standalone':
        r = run_standalone(args, train, label, test)
    else:
        r = run_runtime(args, train, label, test)

    out = {
        'implementation': 'brian2',
        'brian2_version': brian2.__version__,
        'mode': args.mode,
        'neurons': args.neurons,
        'seed': args.seed,
        'dt_ms': DT_MS,
        'integration': "method='euler' for v, ge, gi, theta; event-driven (exact) STDP traces",
        'train_images': args.train,
        'images_per_second': args.train / r['train_seconds'],
        'presentations_per_second': r['presentations'] / r['train_seconds'],
    }
    label_counts = r.pop('label_counts', None)
    test_counts = r.pop('test_counts', None)
    out.update(r)
    if test_counts is not None:
        assignment = assign_labels(label_counts, label[1])
        predicted = classify(test_counts, assignment)
        out['accuracy'] = float(np.mean(predicted == test[1]))
        out['label_images'] = len(label[0])
        out['test_images'] = len(test[0])
        out['assigned_neurons'] = int((assignment >= 0).sum())
        log(f'accuracy {100 * out["accuracy"]:.2f}% on {len(test[0])} test images '
            f'(labelled with {len(label[0])}; {out["assigned_neurons"]} of {args.neurons} neurons assigned)')
    out['wall_seconds'] = time.perf_counter() - t_start
    log(f'{out["images_per_second"]:.3f} images/s ({out["presentations"]} presentations in '
        f'{out["train_seconds"]:.2f} s, compile {out["compile_seconds"]:.1f} s)')
    if default_dir and not args.keep_build:
        shutil.rmtree(out['build_dir'], ignore_errors=True)
        out['build_dir'] = None
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(out, f, indent=2)
            f.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
