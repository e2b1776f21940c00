#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Where a program's time goes, by part of the model, from perf samples.

Runs `perf record` (Debian linux-perf) on a command built with debug
information (-g, same optimisation: the parts are inlined into a few large
functions, so symbols alone cannot tell them apart), resolves every sampled
address with `addr2line -i` to its chain of inlined functions, and gives the
sample to the first part, innermost frame first, whose pattern matches the
frame's function name with template arguments removed. A rules file holds
one `regex=part` per line (see dc_parts.txt beside this script).

  benchmarks/breakdown/perf_breakdown.py --rules benchmarks/breakdown/dc_parts.txt \
      --json out.json -- build-g/benchmarks/dc_throughput --neurons 100
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile


def strip_templates(name):
    out, depth = [], 0
    for ch in name:
        if ch == '<':
            depth += 1
        elif ch == '>':
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return ''.join(out).split('(')[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--rules', required=True, help='file of regex=part lines, first match wins')
    ap.add_argument('--json', help='write the shares to this file')
    ap.add_argument('--data', help='perf.data to write (default: a temporary file)')
    ap.add_argument('--frequency', type=int, default=4000, help='samples per second (perf record -F)')
    ap.add_argument('command', nargs=argparse.REMAINDER, help='-- program and arguments')
    a = ap.parse_args()
    cmd = a.command[1:] if a.command[:1] == ['--'] else a.command
    if not cmd:
        ap.error('no command given (put it after --)')
    binary = os.path.realpath(cmd[0])
    if not os.path.isfile(binary):
        ap.error(f'{cmd[0]}: not a file')
    rules = []
    with open(a.rules) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            if '=' not in line:
                sys.exit(f'{a.rules}:{n}: expected regex=part, got {line!r}')
            pat, part = line.split('=', 1)
            rules.append((re.compile(pat), part))
    data = a.data or tempfile.mkstemp(suffix='.perf.data')[1]
    rec = subprocess.run(['perf', 'record', '-F', str(a.frequency), '-o', data, '--'] + cmd,
                         stdout=sys.stderr, stderr=sys.stderr)
    if rec.returncode != 0:
        sys.exit(f'perf record failed (exit {rec.returncode})')
    script = subprocess.run(['perf', 'script', '-i', data, '--show-mmap-events', '-F', 'ip,dso'],
                            capture_output=True, text=True, check=True).stdout
    maps, counts, libs, total = [], collections.Counter(), collections.Counter(), 0
    for line in script.splitlines():
        if 'PERF_RECORD_MMAP' in line:
            m = re.search(r'\[(0x[0-9a-f]+)\((0x[0-9a-f]+)\) @ (0x[0-9a-f]+)', line)
            if m and line.rstrip().endswith(binary) and 'r-xp' in line:
                maps.append(tuple(int(m.group(k), 16) for k in (1, 2, 3)))
            continue
        f = line.split()
        if len(f) < 2:
            continue
        total += 1
        ip, dso = int(f[0], 16), f[1].strip('()')
        hit = [s for s in maps if s[0] <= ip < s[0] + s[1]] if os.path.realpath(dso) == binary else []
        if hit:
            counts[ip - hit[0][0] + hit[0][2]] += 1
        else:
            libs[os.path.basename(dso)] += 1
    if total == 0:
        sys.exit('no samples')
    addrs = sorted(counts)
    chains = {}
    for k in range(0, len(addrs), 2000):
        out = subprocess.run(['addr2line', '-a', '-i', '-f', '-C', '-e', binary] + [hex(x) for x in addrs[k:k + 2000]],
                             capture_output=True, text=True, check=True).stdout.splitlines()
        i, cur = 0, None
        while i < len(out):
            if out[i].startswith('0x'):
                cur = int(out[i], 16)
                chains[cur] = []
                i += 1
            else:
                chains[cur].append(strip_templates(out[i]))
                i += 2
    parts = collections.Counter()
    for addr, c in counts.items():
        label = None
        for fn in chains.get(addr, []):
            label = next((part for pat, part in rules if pat.search(fn)), None)
            if label:
                break
        if label is None:
            frames = chains.get(addr) or ['?']
            label = 'other: ' + frames[-1]
        parts[label] += c
    for lib, c in libs.items():
        parts['library: ' + lib] += c
    rows = [{'part': p, 'share': c / total, 'samples': c} for p, c in parts.most_common()]
    for r in rows:
        if r['share'] >= 0.002:
            print(f"{100 * r['share']:6.1f} %  {r['part']}")
    print(f'{total} samples')
    if a.json:
        with open(a.json, 'w') as f:
            json.dump({'command': cmd, 'samples': total, 'parts': rows}, f, indent=1)
    if not a.data:
        os.unlink(data)


if __name__ == '__main__':
    main()
