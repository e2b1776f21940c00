#!/usr/bin/python3
"""The Gupta 2024 member network in plain PyTorch: a speed peer for somnus's sg_throughput.

Run it with the Debian interpreter (/usr/bin/python3, python3-torch 1.13,
numpy); snnTorch is not needed: its Leaky neuron, its arctan surrogate and its
mse_count_loss are written out here as snnTorch defines them (read from
snntorch/_neurons/leaky.py, _neurons/neurons.py, surrogate.py and
functional/loss.py).

Network (snnTorch tutorial 7, DESIGN.md section 8), time-major input
[T, B, 2, 34, 34]:

    Conv2d(2, 12, 5) -> MaxPool2d(2) -> Leaky -> Conv2d(12, 32, 5) ->
    MaxPool2d(2) -> Leaky -> Flatten -> Linear(800, 10) -> Leaky

* Leaky = snn.Leaky(beta=0.5, threshold=1, reset_mechanism="subtract",
  reset_delay=True): per step,
      reset = H(mem[t-1] - 1)            (detached: no gradient through it)
      mem[t] = beta * mem[t-1] + I[t] - reset * threshold
      S[t] = ATan(mem[t] - 1)
  with mem = 0 at the start of every batch (snntorch.utils.reset(net)).
  snnTorch computes reset as spike_grad(mem - thr).clone().detach(); the value
  is the same Heaviside, so it is computed here directly as (mem - thr > 0)
  without building a graph node that would be detached anyway.
* ATan (snntorch.surrogate.atan(alpha=2)): forward (U > 0), strictly;
  backward dS/dU = alpha/2 / (1 + (pi/2 * alpha * U)^2) = 1 / (1 + (pi U)^2).
* Loss: snntorch.functional.mse_count_loss(correct_rate=0.8,
  incorrect_rate=0.2): counts = spikes summed over T, targets int(0.8 T) for
  the label and int(0.2 T) for the other classes, nn.MSELoss (mean over
  batch x classes), divided by T. An all-silent network at T = 300 scores
  (240^2 + 9 * 60^2) / 10 / 300 = 30.0.
  Accuracy: argmax of the counts (snnTorch's accuracy_rate).
* Adam(lr=2e-2, betas=(0.9, 0.999)); PyTorch's default initialisation of the
  conv and linear layers (torch.manual_seed(--seed) before building them: the
  initial weights differ from somnus's, which draws from its own streams).
* float32, CPU, torch.set_num_threads(--threads).

Data: a frame file as somnus's sg_throughput --write-data writes it
(include/somnus/sg/batch_file.hpp): little-endian "SGF1", u32 samples,
channels, height, width; per sample u32 label, frames, entries,
u32 offsets[frames + 1], u32 index[entries] (channel-first, (c*H + y)*W + x),
f32 value[entries]. Training step k takes samples [k*B, (k+1)*B) -- the same
ones sg_throughput takes -- and pads the batch to its longest sample with
empty frames.

Timing, as sg_throughput's: --warmup steps first, untimed; then
--train-steps timed steps; samples/s = batch * train_steps / (sum of the timed
steps' wall-clock seconds). A timed step covers building the dense
[T, B, 2, 34, 34] float32 input from the sparse arrays already in memory
(frame of every entry, flat indices, torch.zeros + index_put_), the forward
pass over T steps, the loss, backward and the Adam step. Reading and parsing
the file are not timed (nor on the somnus side).
"""

import argparse
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- frame file

def read_frame_file(path):
    """Returns (shape (C, H, W), list of samples (label, offsets, index, value)), checked as batch_file.hpp checks."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 20 or data[:4] != b'SGF1':
        raise ValueError(f'{path}: not a frame file (no SGF1 magic)')
    n, c, h, w = struct.unpack_from('<4I', data, 4)
    size = c * h * w
    if size == 0 or size > (1 << 24):
        raise ValueError(f'{path}: frames of {c}x{h}x{w}')
    at = 20
    samples = []
    for k in range(n):
        if len(data) - at < 12:
            raise ValueError(f'{path}: truncated at byte {at} (sample {k} header)')
        label, frames, entries = struct.unpack_from('<3I', data, at)
        at += 12
        need = (frames + 1 + 2 * entries) * 4
        if need > len(data) - at:
            raise ValueError(f'{path}: sample {k} declares {frames} frames and {entries} entries, '
                             f'more than the {len(data) - at} bytes left')
        off = np.frombuffer(data, dtype='<u4', count=frames + 1, offset=at).astype(np.int64)
        at += (frames + 1) * 4
        idx = np.frombuffer(data, dtype='<u4', count=entries, offset=at).astype(np.int64)
        at += entries * 4
        val = np.frombuffer(data, dtype='<f4', count=entries, offset=at).astype(np.float32)
        at += entries * 4
        if off[0] != 0 or off[-1] != entries or np.any(np.diff(off) < 0):
            raise ValueError(f'{path}: sample {k}: frame offsets do not run from 0 to {entries}')
        if entries and idx.max() >= size:
            raise ValueError(f'{path}: sample {k}: index {idx.max()} outside a frame of {size}')
        samples.append((int(label), off, idx, val))
    if at != len(data):
        raise ValueError(f'{path}: {len(data) - at} bytes after the last sample')
    return (c, h, w), samples


def dense_batch(samples, shape):
    """[T, B, C, H, W] float32 from sparse samples (T = the longest; shorter ones padded with empty frames)."""
    B = len(samples)
    n = shape[0] * shape[1] * shape[2]
    T = max(len(off) - 1 for _, off, _, _ in samples)
    flat, vals = [], []
    for b, (_, off, idx, val) in enumerate(samples):
        t = np.repeat(np.arange(len(off) - 1, dtype=np.int64), np.diff(off))
        flat.append((t * B + b) * n + idx)
        vals.append(val)
    x = torch.zeros(T * B * n, dtype=torch.float32)
    x.index_put_((torch.from_numpy(np.concatenate(flat)),), torch.from_numpy(np.concatenate(vals)), accumulate=True)
    labels = torch.tensor([s[0] for s in samples], dtype=torch.int64)
    return x.view(T, B, *shape), labels


# ---------------------------------------------------------------- snnTorch's pieces

class ATan(torch.autograd.Function):
    """snntorch.surrogate.ATan: Heaviside forward (U > 0); backward alpha/2 / (1 + (pi/2 alpha U)^2)."""

    @staticmethod
    def forward(ctx, u, alpha):
        ctx.save_for_backward(u)
        ctx.alpha = alpha
        return (u > 0).float()

    @staticmethod
    def backward(ctx, grad_output):
        (u,) = ctx.saved_tensors
        a = ctx.alpha
        return a / 2 / (1 + (math.pi / 2 * a * u).pow(2)) * grad_output, None


class Leaky(nn.Module):
    """snn.Leaky(beta, threshold, reset_mechanism='subtract', reset_delay=True), state passed explicitly."""

    def __init__(self, beta=0.5, threshold=1.0, alpha=2.0):
        super().__init__()
        self.register_buffer('beta', torch.as_tensor(beta, dtype=torch.float32))
        self.register_buffer('threshold', torch.as_tensor(threshold, dtype=torch.float32))
        self.alpha = alpha

    def forward(self, input_, mem):
        if mem is None:
            mem = torch.zeros_like(input_)
        reset = (mem - self.threshold > 0).float()          # mem_reset: detached Heaviside of the previous mem
        mem = self.beta.clamp(0, 1) * mem + input_ - reset * self.threshold
        spk = ATan.apply(mem - self.threshold, self.alpha)  # fire
        return spk, mem


class Member(nn.Module):
    def __init__(self, beta=0.5):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 12, 5)
        self.lif1 = Leaky(beta)
        self.conv2 = nn.Conv2d(12, 32, 5)
        self.lif2 = Leaky(beta)
        self.fc = nn.Linear(32 * 5 * 5, 10)
        self.lif3 = Leaky(beta)

    def forward(self, x):
        """x: [T, B, 2, 34, 34] -> output spikes [T, B, 10], hidden (LIF 1 and 2) spike total (a detached scalar)."""
        mem1 = mem2 = mem3 = None
        out = []
        hidden = torch.zeros((), dtype=torch.float64)
        for t in range(x.size(0)):
            spk1, mem1 = self.lif1(F.max_pool2d(self.conv1(x[t]), 2), mem1)
            spk2, mem2 = self.lif2(F.max_pool2d(self.conv2(spk1), 2), mem2)
            spk3, mem3 = self.lif3(self.fc(spk2.flatten(1)), mem3)
            out.append(spk3)
            with torch.no_grad():
                hidden += spk1.sum() + spk2.sum()
        return torch.stack(out), hidden


def mse_count_loss(spk_out, targets, correct_rate=0.8, incorrect_rate=0.2):
    """snntorch.functional.mse_count_loss(correct_rate, incorrect_rate) with reduction 'mean'."""
    num_steps, num_outputs = spk_out.size(0), spk_out.size(-1)
    on_target, off_target = int(num_steps * correct_rate), int(num_steps * incorrect_rate)
    target = torch.full((spk_out.size(1), num_outputs), float(off_target), dtype=spk_out.dtype)
    target[torch.arange(spk_out.size(1)), targets] = float(on_target)
    counts = spk_out.sum(0)
    return F.mse_loss(counts, target) / num_steps, counts


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description='Training throughput of the Gupta member network in plain PyTorch '
                                             '(peer of somnus sg_throughput)')
    ap.add_argument('--data', required=True, help='frame file (sg_throughput --write-data)')
    ap.add_argument('--batch', type=int, default=128, help='samples per training step (default 128)')
    ap.add_argument('--train-steps', type=int, default=4, help='timed training steps (default 4)')
    ap.add_argument('--warmup', type=int, default=1, help='untimed training steps first (default 1)')
    ap.add_argument('--threads', type=int, default=2, help='torch.set_num_threads (default 2)')
    ap.add_argument('--seed', type=int, default=0, help='torch.manual_seed for the initial weights (default 0)')
    ap.add_argument('--json', help='write the figures as JSON')
    a = ap.parse_args()
    if a.batch < 1 or a.train_steps < 1 or a.warmup < 0 or a.threads < 1 or a.seed < 0:
        ap.error('--batch, --train-steps, --threads must be >= 1, --warmup and --seed >= 0')

    torch.set_num_threads(a.threads)
    try:
        shape, samples = read_frame_file(a.data)
    except (OSError, ValueError) as e:
        sys.exit(f'sg_member.py: {e}')
    needed = (a.warmup + a.train_steps) * a.batch
    if len(samples) < needed:
        sys.exit(f'sg_member.py: {a.data}: {len(samples)} samples, --batch x (--warmup + --train-steps) needs {needed}')
    if shape != (2, 34, 34):
        sys.exit(f'sg_member.py: {a.data}: frames of {shape[0]}x{shape[1]}x{shape[2]}, the member network takes 2x34x34')
    entries = sum(len(s[2]) for s in samples[:needed])
    frames = sum(len(s[1]) - 1 for s in samples[:needed])
    density = entries / (frames * shape[0] * shape[1] * shape[2])

    torch.manual_seed(a.seed)
    net = Member()
    opt = torch.optim.Adam(net.parameters(), lr=2e-2, betas=(0.9, 0.999))

    losses, accuracies, seconds, hidden, T = [], [], 0.0, 0.0, 0
    for step in range(a.warmup + a.train_steps):
        t0 = time.perf_counter()
        x, labels = dense_batch(samples[step * a.batch:(step + 1) * a.batch], shape)
        spk, h = net(x)
        loss, counts = mse_count_loss(spk, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        dt = time.perf_counter() - t0
        T = max(T, x.size(0))
        acc = (counts.detach().argmax(1) == labels).float().mean().item()
        if step >= a.warmup:
            seconds += dt
            hidden += h.item()
        losses.append(loss.item())
        accuracies.append(acc)
        print(f'step {step} loss {loss.item():.4f} accuracy {acc:.3f} T {T} {a.batch / dt:.1f} samples/s', file=sys.stderr)

    rate = a.train_steps * a.batch / seconds if seconds > 0 else 0.0
    hidden_rate = hidden / (a.train_steps * a.batch * T)
    print(f'pytorch sg member: {rate:.1f} training samples/s (batch {a.batch}, T {T}, input density {density:.4f}, '
          f'{a.threads} threads, torch {torch.__version__}); hidden spikes per sample-step {hidden_rate:.0f}')
    if a.json:
        j = {'implementation': 'pytorch', 'samples_per_second': rate, 'batch': a.batch, 'steps_t': T,
             'input_density': density, 'threads': a.threads, 'train_steps': a.train_steps, 'warmup': a.warmup,
             'losses': losses, 'accuracies': accuracies, 'seconds': seconds, 'torch_version': torch.__version__,
             'hidden_spikes_per_sample_step': hidden_rate, 'seed': a.seed, 'data': a.data,
             'timed': 'dense batch from the loaded sparse arrays + forward over T + loss + backward + Adam'}
        with open(a.json, 'w') as f:
            json.dump(j, f, indent=2)
            f.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
