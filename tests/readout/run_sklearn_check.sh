#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The readout_sklearn test: sklearn_reference.py writes scikit-learn's results
# on synthetic readout features, sklearn_compare checks pca_logistic against
# them. Exits 77 (ctest: skipped) when Python, numpy or sklearn is missing.
# usage: run_sklearn_check.sh PYTHON REFERENCE_SCRIPT COMPARE_PROGRAM WORK_DIR
set -uo pipefail
python=$1 script=$2 compare=$3 work=$4
if [ ! -x "$python" ]; then
  echo "readout_sklearn: skipped: no $python (install python3 python3-numpy python3-sklearn)"
  exit 77
fi
rm -rf "$work" && mkdir -p "$work" || exit 1
"$python" "$script" "$work"
rc=$?
[ "$rc" -eq 0 ] || exit "$rc"   # 77 from the script: numpy or sklearn missing
exec "$compare" "$work"
