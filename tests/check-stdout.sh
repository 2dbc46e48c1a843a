#!/bin/bash
# One rule for standard output, every command: output that cannot be written (a full disk: >/dev/full; a closed
# descriptor: >&-) is exit status 1 with "Cannot write WHAT to standard output", never a silent exit 0.  A command
# that writes nothing there (convert -o) does not care, and a closed stdout is never taken over by a file the
# program opens.
set -uo pipefail
cd "${HVL_TOP:-$(dirname "$0")/..}" || exit 1
: "${HVL:?HVL must name the hvl-launcher binary}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
export HVL_STATE_DIR=$tmp/state HVL_LOG_FORMAT=text
unset HVL_FEATURE_GATES HVL_KUBEVIRT_CONFIG HVL_HYPERVISOR HVL_NEXT
vmi=tests/data/examples/vmi-fedora.json
domain=$(cat tests/data/kubevirt/domain_x86_64.xml)

# expect_unwritable WHAT -- ARGS...: both ways of losing stdout give exit 1 and the message.
expect_unwritable() {
	local what=$1 how rc
	shift 2
	for how in full closed; do
		checks=$((checks + 1))
		if [ "$how" = full ]; then
			"$HVL" "$@" >/dev/full 2>"$tmp/err"
		else
			"$HVL" "$@" >&- 2>"$tmp/err"
		fi
		rc=$?
		if [ "$rc" -ne 1 ] || ! grep -q "^hvl-launcher: error: Cannot write $what to standard output" "$tmp/err"; then
			fail "$* >$how: exit $rc, expected 1 and 'Cannot write $what to standard output': $(tail -1 "$tmp/err")"
		fi
	done
}

expect_unwritable "the detection table" -- detect --no-libvirt --allow-emulation
expect_unwritable "the detection JSON" -- detect --json --no-libvirt --allow-emulation
# detect with no usable hypervisor (exit 4 otherwise): output that was asked for and lost is the failure reported
expect_unwritable "the detection table" -- detect --no-libvirt --dev-root "$tmp"
expect_unwritable "the help" -- --help
for cmd in detect convert overhead run; do
	expect_unwritable "the help" -- "$cmd" --help
done
expect_unwritable "the version" -- --version
expect_unwritable "the domain XML" -- convert --hypervisor kvm "$vmi"
expect_unwritable "the explanation" -- convert --hypervisor mshv --explain -o "$tmp/explained.xml" "$vmi"
expect_unwritable "the overhead" -- overhead "$vmi"
expect_unwritable "the overhead" -- overhead --json "$vmi"
expect_unwritable "the plan" -- --dry-run --no-libvirt --allow-emulation --memlock off -- /bin/true
expect_unwritable "the domain XML" -- hook --vmi '{}' --domain "$domain"
expect_unwritable "the help" -- hook --help

# Nothing asked on stdout: a closed stdout does not matter, and the file opened for -o (the lowest free
# descriptor, 1, were it not held) gets the domain and nothing else.
checks=$((checks + 1))
"$HVL" convert --hypervisor kvm -o "$tmp/out.xml" "$vmi" >&- 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ] || ! head -1 "$tmp/out.xml" | grep -q '^<domain ' || grep -q 'hvl-launcher' "$tmp/out.xml"; then
	fail "convert -o with stdout closed: exit $rc, $(head -c 200 "$tmp/out.xml"): $(cat "$tmp/err")"
fi
checks=$((checks + 1))
"$HVL" convert --hypervisor mshv --explain -o "$tmp/out2.xml" "$vmi" >&- 2>&-
if [ ! -s "$tmp/out2.xml" ] || grep -q '^- \|^Changes for' "$tmp/out2.xml"; then
	fail "convert --explain -o with stdout and stderr closed: the explanation or a log line went into the output file"
fi

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
