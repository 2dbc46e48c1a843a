#!/bin/bash
# End to end: `hvl-launcher convert --vmi FILE` on every tests/data/vmi-errors/<name>.json must exit with the
# status in <name>.err and print its message, with cr/<name>.json as --kubevirt-config where there is one.  The
# goldens themselves are checked (and regenerated with REGENERATE=1) by the unit test test-vmi-errors; this
# script checks that the command reports them unchanged.
set -uo pipefail
cd "${HVL_TOP:-$(dirname "$0")/..}" || exit 1
: "${HVL:?HVL must name the hvl-launcher binary}"

dir=tests/data/vmi-errors
probe=$("$HVL" --log-format text convert --hypervisor kvm --vmi tests/data/examples/vmi-fedora.json 2>&1 >/dev/null)
if [[ $probe == *"not implemented"* ]]; then
	echo "convert is not implemented in this build" >&2
	exit 77
fi

failed=0 checked=0
for json in "$dir"/*.json; do
	golden=${json%.json}.err
	want_status=$(sed -n '1s/^status //p' "$golden")
	want_msg=$(sed -n '2p' "$golden")
	cr=()
	[ -f "$dir/cr/${json##*/}" ] && cr=(--kubevirt-config "$dir/cr/${json##*/}")
	stderr=$("$HVL" --log-format text convert "${cr[@]}" --hypervisor kvm --vmi "$json" 2>&1 >/dev/null)
	status=$?
	checked=$((checked + 1))
	if [ "$status" != "$want_status" ]; then
		echo "FAIL $json: exit status $status, expected $want_status" >&2
		echo "  stderr: $stderr" >&2
		failed=$((failed + 1))
	elif ! grep -qF -- "$want_msg" <<<"$stderr"; then
		echo "FAIL $json: message not reported" >&2
		echo "  expected: $want_msg" >&2
		echo "  stderr:   $stderr" >&2
		failed=$((failed + 1))
	fi
done
echo "$checked inputs, $failed failed"
[ "$checked" -gt 0 ] && [ "$failed" -eq 0 ]
