#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Wall time of one example run over 1 and 2 threads and over mpirun -np 1
# and 2 (one thread per process), against the ideal (the one-thread time
# divided by the workers), and whether the four runs wrote the same results
# (their JSON compared with timings, thread counts and process counts left
# out). Usage:
#   benchmarks/scaling.sh --out DIR -- PROGRAM [ARGS...]
# PROGRAM must take --threads N and --json FILE (nmnist_ensemble and
# sleep_regularisation do; both spread their units over MPI processes).
set -euo pipefail

out=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        --) shift; break ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "scaling.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[[ -n "$out" && $# -ge 1 ]] || { echo "scaling.sh: usage: --out DIR -- PROGRAM [ARGS...]" >&2; exit 2; }
mkdir -p "$out" || { echo "scaling.sh: cannot create $out" >&2; exit 2; }
[[ -w "$out" ]] || { echo "scaling.sh: $out is not writable" >&2; exit 2; }
[[ -x "$1" ]] || { echo "scaling.sh: $1 is not an executable" >&2; exit 2; }
mpirun_cmd=(mpirun --allow-run-as-root --oversubscribe)

run() {  # name, command...
    local name="$1"; shift
    local t0 t1
    t0=$(date +%s.%N)
    "$@" > "$out/$name.log" 2>&1 || { echo "scaling.sh: run $name failed, see $out/$name.log" >&2; exit 1; }
    t1=$(date +%s.%N)
    echo "$name $(echo "$t1 - $t0" | bc -l)" >> "$out/times.txt"
    echo "scaling.sh: $name done in $(echo "$t1 - $t0" | bc -l | cut -c1-7) s (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
}

: > "$out/times.txt"
run threads1 "$@" --threads 1 --json "$out/threads1.json"
run threads2 "$@" --threads 2 --json "$out/threads2.json"
if command -v mpirun > /dev/null; then
    run mpi1 "${mpirun_cmd[@]}" -np 1 "$@" --threads 1 --json "$out/mpi1.json"
    run mpi2 "${mpirun_cmd[@]}" -np 2 "$@" --threads 1 --json "$out/mpi2.json"
fi

/usr/bin/python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
times = dict(line.split() for line in open(os.path.join(out, 'times.txt')))
times = {k: float(v) for k, v in times.items()}
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items()
                if not any(w in k for w in ('second', 'time', 'thread', 'process', 'wall', 'command', 'elapsed', 'date', 'hostname', 'file'))}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
results = {k: strip(json.load(open(os.path.join(out, k + '.json')))) for k in times}
same = all(results[k] == results['threads1'] for k in results)
t1 = times['threads1']
rows = []
print(f"{'run':>9} {'workers':>7} {'wall s':>9} {'speed-up':>9} {'ideal':>6} {'efficiency':>10}")
for k, workers in (('threads1', 1), ('threads2', 2), ('mpi1', 1), ('mpi2', 2)):
    if k not in times:
        continue
    s = t1 / times[k]
    print(f"{k:>9} {workers:>7} {times[k]:>9.2f} {s:>9.2f} {workers:>6} {s / workers:>10.2f}")
    rows.append({'run': k, 'workers': workers, 'wall_seconds': times[k], 'speedup': s, 'efficiency': s / workers})
print('results identical across runs' if same else 'RESULTS DIFFER across runs')
json.dump({'benchmark': 'scaling', 'runs': rows, 'results_identical': same, 'load': open('/proc/loadavg').read().split()[:3]},
          open(os.path.join(out, 'scaling.json'), 'w'), indent=1)
sys.exit(0 if same else 1)
PY
