#!/bin/bash
# Run every test suite: the cmocka unit binaries, then each tests/check-*.sh script.
# A script exits 0 for pass, 77 for skip (with a reason on stderr), anything else for failure.
# Ends with the plain line "N passed, N failed, N skipped" that CI reads.
set -uo pipefail
cd "$(dirname "$0")/.."

: "${BUILDDIR:=build}"
: "${HVL:=$PWD/$BUILDDIR/hvl-launcher}"
export BUILDDIR HVL
export HVL_TOP="$PWD"

passed=0 failed=0 skipped=0
failures=()

run_suite() {
	local name=$1
	shift
	local start=$SECONDS status
	echo "=== $name"
	"$@"
	status=$?
	case $status in
	0) passed=$((passed + 1)); echo "=== $name: PASS ($((SECONDS - start))s)" ;;
	77) skipped=$((skipped + 1)); echo "=== $name: SKIP" ;;
	*) failed=$((failed + 1)); failures+=("$name"); echo "=== $name: FAIL (exit $status)" ;;
	esac
}

only=${CHECK_ONLY:-}
# One binary per tests/unit/test-*.c: a binary left in the build directory by a removed test does not count.
for src in tests/unit/test-*.c; do
	name=$(basename "$src" .c)
	t=$BUILDDIR/tests/$name
	[ -n "$only" ] && [[ $name != *$only* ]] && continue
	[ -x "$t" ] || { echo "run-all: $t was not built" >&2; run_suite "$name" false; continue; }
	run_suite "$name" "$t"
done
for s in tests/check-*.sh; do
	[ -x "$s" ] || continue
	name=$(basename "$s" .sh)
	[ -n "$only" ] && [[ $name != *$only* ]] && continue
	run_suite "$name" "$s"
done

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "failed suites: ${failures[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
