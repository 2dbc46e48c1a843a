#!/bin/bash
# Run every test suite: the cmocka unit binaries, then each tests/check-*.sh script.
# A script exits 0 for pass, 77 for skip (with a reason on stderr), anything else for failure.  A check that
# this machine cannot make is named on a line "SKIP (part): REASON" (a unit test prints it before skip()).
# Ends with what could not be checked here, then the plain line "N passed, N failed, N skipped" that CI reads.
#   CHECK_ONLY="golden e2e"   run only the suites whose names contain one of these words
set -uo pipefail
cd "$(dirname "$0")/.."

: "${BUILDDIR:=build}"
: "${HVL:=$PWD/$BUILDDIR/hvl-launcher}"
export BUILDDIR HVL
export HVL_TOP="$PWD"

passed=0 failed=0 skipped=0
failures=() not_checked=()
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
tests/host-dev-state.sh >"$logs/dev-before"

run_suite() {
	local name=$1
	shift
	local start=$SECONDS status
	local log=$logs/$name.log line
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	case $status in
	0) passed=$((passed + 1)); echo "=== $name: PASS ($((SECONDS - start))s)" ;;
	77) skipped=$((skipped + 1)); echo "=== $name: SKIP"
		not_checked+=("$name: all of it: $(grep -v '^$' "$log" | tail -1)") ;;
	*) failed=$((failed + 1)); failures+=("$name"); echo "=== $name: FAIL (exit $status)" ;;
	esac
	while IFS= read -r line; do
		not_checked+=("$name: $line")
	done < <(sed -n 's/^SKIP (part): //p' "$log" | sort -u)
}

selected() { # NAME: whether CHECK_ONLY lets it run
	local word
	[ -z "$only" ] && return 0
	for word in $only; do
		[[ $1 == *$word* ]] && return 0
	done
	return 1
}

only=${CHECK_ONLY:-}
# One binary per tests/unit/test-*.c: a binary left in the build directory by a removed test does not count.
for src in tests/unit/test-*.c; do
	name=$(basename "$src" .c)
	t=$BUILDDIR/tests/$name
	selected "$name" || continue
	[ -x "$t" ] || { echo "run-all: $t was not built" >&2; run_suite "$name" false; continue; }
	run_suite "$name" "$t"
done
for s in tests/check-*.sh; do
	[ -x "$s" ] || continue
	name=$(basename "$s" .sh)
	selected "$name" || continue
	run_suite "$name" "$s"
done

# The suites leave the host's /dev as they found it (tests/host-dev-state.sh).
tests/host-dev-state.sh >"$logs/dev-after"
if ! diff -u "$logs/dev-before" "$logs/dev-after" >"$logs/dev-diff"; then
	echo "=== host /dev: FAIL: the suites changed the host's /dev (- before, + after):"
	sed -n '3,$p' "$logs/dev-diff"
	failed=$((failed + 1))
	failures+=("host /dev")
fi

echo
if [ ${#not_checked[@]} -gt 0 ]; then
	echo "not checked on this machine:"
	printf '  %s\n' "${not_checked[@]}"
fi
if [ ${#failures[@]} -gt 0 ]; then
	echo "failed suites: ${failures[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
