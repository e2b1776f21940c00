#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compiles every ```cpp block of README.md and docs/*.md as its own
# translation unit (no linking), so the documentation keeps up with the code.
# usage: docs_snippets.sh SOURCE_DIR WORK_DIR CXX
set -euo pipefail
src=$1 work=$2 cxx=$3
rm -rf "$work" && mkdir -p "$work"
for doc in "$src"/README.md "$src"/docs/*.md; do
  [ -f "$doc" ] || continue
  awk -v out="$work/$(basename "$doc" .md)" '
    /^```cpp/ { n++; file = out "_" n ".cpp"; inside = 1; next }
    /^```/ && inside { inside = 0; close(file); next }
    inside { print > file }' "$doc"
done
# Snippets of the optional readout (docs/readout.md) need xtensor-blas and
# liblbfgs headers; without them those snippets are skipped.
have_readout=1
printf '#include <lbfgs.h>\n#include <xtensor-blas/xlinalg.hpp>\n' |
  "$cxx" -std=c++20 -fsyntax-only -x c++ - 2>/dev/null || have_readout=0
count=0
for snippet in "$work"/*.cpp; do
  [ -f "$snippet" ] || continue
  if [ "$have_readout" = 0 ] && grep -q 'somnus/readout/pca_logistic.hpp' "$snippet"; then
    echo "skipped $snippet: no xtensor-blas or liblbfgs headers"
    continue
  fi
  count=$((count + 1))
  if ! "$cxx" -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I"$src/include" "$snippet"; then
    echo "documentation snippet $snippet does not compile" >&2
    exit 1
  fi
done
[ "$count" -gt 0 ] || { echo "no C++ snippets found in the documentation" >&2; exit 1; }
echo "$count documentation snippets compile"
