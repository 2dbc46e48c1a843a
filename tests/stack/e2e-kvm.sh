#!/bin/bash
# check-stack, part e2e-kvm: the busybox guest booted with `hvl-launcher run` under KVM through libvirt 12.x and
# QEMU 11.x, where this machine's KVM can boot it (tests/check-e2e.sh, run before, boots it under TCG).  A KVM
# that exists but does not boot the guest in time (as on the development machine) is skipped by name.
set -uo pipefail
cd "$HVL_TOP" || exit 1
# shellcheck source=tests/stack/lib.sh
. tests/stack/lib.sh

if [ ! -c /dev/kvm ] || ! kvm_offered; then
	skip_part "no KVM here (no /dev/kvm, or libvirt offers no virt type 'kvm'): the guest was booted under TCG only"
	exit 0
fi
guest=$(guest_copy) || { [ $? = 77 ] && exit 77; echo "FAIL: cannot build the guest"; exit 1; }
trap 'rm -rf "$guest"' EXIT
sed -e 's/"namespace": "hvl-e2e"/"namespace": "hvl-stack-kvm"/' tests/data/e2e/vmi-kernel-boot.json >"$guest/vmi.json"

t0=$SECONDS
timeout --kill-after=10 90 "$HVL" run --log-format text --connect "$URI" --vmi "$guest/vmi.json" --timeout 40 \
	--disk "kernel=$guest/vmlinuz" --disk "initrd=$guest/initrd.gz" --disk "scratch=$guest/scratch.img" \
	>"$guest/out" 2>"$guest/err"
rc=$?
left=$(virsh -q -c "$URI" list --all --name | grep '^hvl-stack-kvm_' || true)
[ -z "$left" ] || fail "a domain was left behind: $left"
if [ "$rc" = 0 ] && grep -q '^HVL-E2E-GUEST-BOOTED' "$guest/out"; then
	grep -q "Hypervisor kvm" "$guest/err" || fail "the guest booted, but not as kvm: $(grep -m1 Hypervisor "$guest/err")"
	echo "e2e-kvm: the guest booted under KVM with QEMU 11 in $((SECONDS - t0)) s"
elif [ "$rc" = 6 ] && grep -q "timeout was reached" "$guest/err"; then
	skip_part "KVM here does not boot the guest within 40 s (QEMU 11 started it; this machine's KVM is known not" \
		"to boot a Linux guest): the guest was booted under TCG only"
else
	fail "run under KVM: exit $rc"
	tail -n 15 "$guest/err"
fi
[ "$stack_failures" -eq 0 ]
