#!/bin/bash
# The binary end to end: --version/--help, usage errors and their log format, `detect` on mocked device
# roots (exit statuses, JSON, gate sources and precedence), and this machine's libvirt answer for hyperv.
# Exit 0 pass, 77 skip, else fail.
set -uo pipefail
: "${HVL:?HVL must name the hvl-launcher binary}"

if [ "$(id -u)" != 0 ]; then
	echo "check-detect: needs root for mknod" >&2
	exit 77
fi
work=$(mktemp -d /tmp/hvl-check-detect.XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# run EXPECTED_STATUS CMD...: captures $out and $err
run() {
	local expected=$1 status
	shift
	out=$("$@" 2>"$work/stderr")
	status=$?
	err=$(cat "$work/stderr")
	[ "$status" -eq "$expected" ] || fail "$* exited $status, expected $expected (stderr: $err)"
}

expect_out() { grep -qF -- "$1" <<<"$out" || fail "stdout lacks '$1': $out"; }
expect_err() { grep -qF -- "$1" <<<"$err" || fail "stderr lacks '$1': $err"; }

mkdir -p "$work/both/dev" "$work/kvm/dev" "$work/none/dev" "$work/file/dev"
mknod "$work/both/dev/mshv" c 1 3
mknod "$work/both/dev/kvm" c 1 3
mknod "$work/kvm/dev/kvm" c 1 3
touch "$work/file/dev/mshv" "$work/file/dev/kvm"

# --version, --help
run 0 "$HVL" --version
[ "$out" = "hvl-launcher 0.1.0" ] || fail "--version printed '$out'"
run 0 "$HVL" --help
expect_out "Usage: hvl-launcher [OPTIONS] [--] NEXT [ARGS...]"
run 0 "$HVL" overhead --help
expect_out "Usage: hvl-launcher overhead"
expect_out "--ratio"

# every long option of the getopt table shows up in some mode's --help
helps=$(for mode in "" detect convert overhead run hook; do "$HVL" $mode --help; done)
top=${HVL_TOP:-$(dirname "$0")/..}
for opt in $(grep -ohE '\{ *"[a-z0-9-]+", *(no_argument|required_argument|optional_argument)' "$top"/launcher/*.c |
	sed -E 's/\{ *"([^"]+)".*/\1/' | sort -u); do
	grep -qE -- "--$opt([^a-z0-9-]|$)" <<<"$helps" || fail "--help of no mode mentions --$opt"
done

# usage errors: exit 2, one KubeVirt-style JSON line on stderr, nothing on stdout
run 2 "$HVL" detect --bogus
[ -z "$out" ] || fail "usage error wrote to stdout: $out"
expect_err '"level":"error"'
expect_err "Unknown or ambiguous option '--bogus'"
run 2 "$HVL" --log-format text detect --json --json
expect_err "hvl-launcher: error: Option '--json' was given more than once."
run 2 env HVL_HYPERVISOR=xen "$HVL" detect
expect_err "HVL_HYPERVISOR: 'xen' is not one of auto, mshv, kvm, qemu."
run 2 "$HVL"
expect_err "No command to run"

# detect: choice and exit status
run 0 "$HVL" detect --json --dev-root "$work/kvm"
expect_out '"choice":"kvm"'
run 4 "$HVL" detect --json --dev-root "$work/none"
expect_out '"choice":null'
expect_err "No usable hypervisor."
run 0 "$HVL" detect --json --dev-root "$work/none" --allow-emulation
expect_out '"choice":"qemu"'
run 0 "$HVL" detect --json --dev-root "$work/both" --feature-gates HyperVLayered --no-libvirt
expect_out '"choice":"mshv"'
expect_out '"domainType":"hyperv"'
# a regular file named mshv is no device, but KubeVirt's stat would take a "kvm" file
run 0 "$HVL" detect --json --dev-root "$work/file" --feature-gates HyperVLayered --no-libvirt
expect_out '"choice":"kvm"'
expect_out "dev/mshv exists but is a regular file, not a character device."
# forced and unusable: exit 4 naming every accelerator
run 4 "$HVL" --log-format text detect --dev-root "$work/kvm" --hypervisor mshv --feature-gates HyperVLayered
expect_err "--hypervisor mshv was requested, but it is not usable. mshv:"
expect_err " kvm: "
expect_err " qemu: "
# the table
run 0 "$HVL" detect --dev-root "$work/both" --no-libvirt
expect_out "ACCELERATOR"
expect_out "Choice:         kvm (domain type 'kvm')"

# gate precedence through the binary: command line > environment > KubeVirt CR
cat >"$work/kv.json" <<'JSON'
{"kind":"KubeVirt","spec":{"configuration":{"developerConfiguration":{"featureGates":["HyperVLayered"],"useEmulation":true}}}}
JSON
run 0 "$HVL" detect --json --no-libvirt --dev-root "$work/both" --kubevirt-config "$work/kv.json"
expect_out '"enabled":true,"source":"KubeVirt CR"'
expect_out '"emulation":{"allowed":true,"source":"useEmulation in the KubeVirt CR"}'
run 0 env HVL_FEATURE_GATES=HyperVLayered=false "$HVL" detect --json --no-libvirt --dev-root "$work/both" \
	--kubevirt-config "$work/kv.json"
expect_out '"enabled":false,"source":"environment"'
run 0 env HVL_FEATURE_GATES=HyperVLayered=false HVL_KUBEVIRT_CONFIG="$work/kv.json" "$HVL" detect --json \
	--no-libvirt --dev-root "$work/both" --feature-gates HyperVLayered=true
expect_out '"enabled":true,"source":"command line"'
expect_out '"choice":"mshv"'
run 3 "$HVL" detect --kubevirt-config /nonexistent/kv.json
expect_err "Cannot open the KubeVirt config '/nonexistent/kv.json'"
echo '{"spec":' >"$work/bad.json"
run 3 "$HVL" detect --kubevirt-config "$work/bad.json"
expect_err "is not valid JSON"

# This machine's libvirt: its answer must be consistent with the choice.  Whether libvirtd answers is asked
# first (a socket can be left over from a daemon that is gone).
if virsh -q -c qemu:///system version >/dev/null 2>&1; then
	run 0 "$HVL" detect --json --dev-root "$work/both" --feature-gates HyperVLayered
	if grep -qF '"result":"unsupported"' <<<"$out"; then
		expect_out "cannot run virt type 'hyperv'"
		expect_out '"choice":"kvm"'
	else
		expect_out '"result":"supported"'
		expect_out '"choice":"mshv"'
	fi
else
	echo "SKIP (part): libvirtd does not answer on qemu:///system, so its answer for virt type 'hyperv' is not checked"
	run 0 "$HVL" detect --json --dev-root "$work/both" --feature-gates HyperVLayered
	expect_out '"result":"skipped"'
	expect_out '"choice":"mshv"' # not asked, libvirt does not veto the device
fi

[ $failures -eq 0 ] || exit 1
echo "check-detect: ok"
