#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Each part of a Diehl & Cook training step against its own bound.

Reads dc_throughput --json (images/s, showings and spikes per image),
perf_breakdown.py --json for the same network size (each part's share of the
samples) and bench_bandwidth --benchmark_format=json (this machine's lane
rates and read bandwidths), and prints, per part, its time per presentation
step and the time its work would take at those rates:

  neuron update   N excitatory neurons x 51 lane operations + 1 division
                  (the exponential-Euler kernel, counted from
                  neuron/conductance_lif.hpp) and N inhibitory neurons x 12
                  (the no-conductance path they take at rest), or their 72 N
                  state bytes, whichever takes longer
  propagation     s input spikes x N weights x 4 operations (multiply, add,
                  min, max), or s x N x 4 bytes from the cache level that
                  holds the 784 x N weights, whichever takes longer
  pre-trace decay 784 traces x 4 operations, or 784 x 8 bytes from L1
  STDP post       e excitatory spikes x 784 synapses x 2 cache lines (a
                  column read and written back) from the weights' level

s is the input spikes per step (the mean first showing of the timed images:
2 277 spikes in 700 steps), e the excitatory spikes per step. Parts without
a row have no separate bound here (their work is a few operations per
active synapse or per spike). Library time that the timed loop does not
contain (page faults and zeroing while networks are built, the state CRC)
is left out of the shares.

  benchmarks/breakdown/dc_bounds.py --throughput dc.json --rates bw.json \\
      --breakdown 100=bd100.json --breakdown 400=bd400.json
"""
import argparse
import json


def rates_from(path):
    out = {}
    for b in json.load(open(path))['benchmarks']:
        out[b['name']] = b.get('items_per_second') or b.get('bytes_per_second')
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--throughput', required=True, help='dc_throughput --json output')
    ap.add_argument('--rates', required=True, help='bench_bandwidth --benchmark_format=json output')
    ap.add_argument('--breakdown', action='append', required=True, help='N=perf_breakdown.py --json output')
    ap.add_argument('--input-spikes-per-step', type=float, default=2277 / 700)
    a = ap.parse_args()
    r = rates_from(a.rates)
    ops, div = r['lane_mul_add'], r['lane_div']
    l1, l2 = r['read_only/1000'], r['read_only/10000']
    l3, l3big = r['read_only/100000'], r['read_only/1000000']
    print(f'rates: {ops / 1e9:.1f} G lane ops/s, {div / 1e9:.1f} G divisions/s; read bandwidth L1 {l1 / 1e9:.0f}, '
          f'L2 {l2 / 1e9:.0f}, L3 {l3 / 1e9:.0f} (2 MB) / {l3big / 1e9:.0f} (20 MB) GB/s')
    rows = {x['neurons']: x for x in json.load(open(a.throughput))['results'] if x['path'] == 'fast'}
    s = a.input_spikes_per_step
    for spec in a.breakdown:
        n_text, path = spec.split('=', 1)
        n = int(n_text)
        x = rows[n]
        ips = x['images_per_second_median']
        showings = x['presentations'] / x['images']
        step_ns = 1e9 / (ips * showings * 700)
        e = x['exc_spikes'] / x['images'] / (showings * 700)
        w_bytes = 784 * n * 4
        w_bw = l2 if w_bytes < 1e6 else (l3 if w_bytes < 4e6 else l3big)
        state_bw = l1 if 72 * n < 48e3 else l2
        bounds = {
            'neuron update': max(n * (51 / ops + 1 / div) + n * 12 / ops, 72 * n / state_bw) * 1e9,
            'propagation (row walk, bounds check)': max(4 * s * n / ops, 4 * s * n / w_bw) * 1e9,
            'pre-trace decay': max(784 * 4 / ops, 784 * 8 / l1) * 1e9,
            'STDP post': e * 784 * 2 * 64 / w_bw * 1e9,
        }
        parts = json.load(open(path))['parts']
        outside = sum(p['share'] for p in parts
                      if p['part'].startswith(('library: [kernel', 'library: libz', 'library: ld-linux'))
                      or (n >= 6400 and p['part'] == 'library: libc.so.6'))
        print(f'\nN = {n}: {ips:.0f} images/s, {showings:.2f} showings per image, {step_ns:.0f} ns per step, '
              f'{e:.4f} excitatory spikes per step')
        print(f"  {'part':40s} {'share':>6} {'ns/step':>8} {'bound':>8} {'ratio':>6}")
        total_bound = 0.0
        for p in parts:
            share = p['share'] / (1 - outside)
            if share < 0.015 or p['part'].startswith(('library: [kernel', 'library: libz', 'library: ld-linux')):
                continue
            if n >= 6400 and p['part'] == 'library: libc.so.6':
                continue
            t = share * step_ns
            b = bounds.get(p['part'])
            total_bound += b or 0.0
            extra = f' {b:8.1f} {t / b:6.1f}' if b else ''
            print(f"  {p['part']:40s} {100 * share:5.1f}% {t:8.0f}{extra}")
        print(f'  bounds summed: {total_bound:.0f} ns per step, i.e. {1e9 / (total_bound * showings * 700):.0f} images/s')


if __name__ == '__main__':
    main()
