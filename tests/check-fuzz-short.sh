#!/bin/bash
# A short, bounded libFuzzer run of every harness (tests/fuzz/fuzz-*.c) as part of `make check`:
# FUZZ_SHORT_SECONDS (default 10) per harness, two at a time, after replaying the seeds taken from
# tests/data and the past crashers in tests/fuzz/regress-*/.  Long runs: `make fuzz FUZZ_SECONDS=600`.
# Skips (77) when clang cannot build a libFuzzer binary on this machine.
set -uo pipefail
cd "${HVL_TOP:-$(dirname "$0")/..}" || exit 1
: "${BUILDDIR:=build}"
export BUILDDIR
FUZZ_JOBS=${FUZZ_JOBS:-2} scripts/fuzz "${FUZZ_SHORT_SECONDS:-10}"
