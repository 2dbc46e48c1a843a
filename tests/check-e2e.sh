#!/bin/bash
# End to end: boot a tiny guest (Debian cloud kernel + busybox initramfs) with `hvl-launcher run` through the
# real libvirtd and QEMU of this machine.  /dev/kvm here cannot boot a guest, so a mocked device root (no kvm,
# no mshv) plus --allow-emulation leads to software emulation, with the HyperVLayered gate off and on (the
# fallback).  Then the failure paths: SIGTERM with a guest that ignores the shutdown request, --timeout, and a
# start that libvirt refuses.  Every case asserts the exit status, that no domain is left behind and that no
# private directory is.  (Kills, dead daemons and two runs at once: tests/check-faults.sh.)
set -uo pipefail
: "${HVL:?}" "${BUILDDIR:=build}" "${HVL_TOP:=$PWD}"

# KubeVirt names the domain <namespace>_<name>, and derives the firmware UUID, which libvirt takes as the
# domain's UUID, from the name.  Other checkouts may run this test against the same libvirtd at the same
# time: each run uses its own namespace, hvl-e2e-<pid>, and VMI names (so its own UUIDs), and touches only
# its own domains (and those of runs whose process is gone).
NS=hvl-e2e-$$
PREFIX=${NS}_
URI=qemu:///system

skip() { echo "check-e2e: $*" >&2; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for qemu:///system"
command -v virsh >/dev/null || skip "virsh is missing"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is missing"

# An ASan build (SANITIZE=1) intercepts libtirpc's XDR functions, but libvirt and with it libtirpc are only
# loaded on first use (launcher/libvirt-lazy.c): the interceptor then calls NULL.  Preloading libtirpc
# gives it the real function.
if ldd "$HVL" 2>/dev/null | grep -q libasan; then
	tirpc=$(ldconfig -p 2>/dev/null | awk '/libtirpc\.so\.3 /{print $NF; exit}')
	if [ -n "$tirpc" ]; then
		export LD_PRELOAD=$tirpc ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
	fi
fi

guest=$("$HVL_TOP/tests/e2e/make-guest.sh")
status=$?
[ $status = 77 ] && exit 77
[ $status = 0 ] || { echo "check-e2e: cannot build the guest" >&2; exit 1; }
guest=$(cd "$guest" && pwd)

if ! virsh -c "$URI" version >/dev/null 2>&1; then
	"$HVL_TOP/scripts/start-services" || skip "libvirtd cannot be started"
fi

tmp=$(mktemp -d /tmp/hvl-check-e2e.XXXXXX)
export TMPDIR=$tmp # run's private directories go here, and with it away
mkdir -p "$tmp/devroot/dev" "$tmp/data"
# The containerDisk "scratch": an empty raw image of this run's own (QEMU locks it for writing), which
# QEMU, running as libvirt-qemu, reaches through the directory.
chmod 0711 "$tmp"
truncate -s 1M "$tmp/scratch.img"
# The guest kernel too: the checkout (hence build/e2e) may sit below a directory only root can enter, as a
# clone into `mktemp -d` does.
mkdir -m 0755 "$tmp/guest"
cp "$guest/vmlinuz" "$guest/initrd.gz" "$tmp/guest/"
chmod 0644 "$tmp/guest/vmlinuz" "$tmp/guest/initrd.gz"
guest=$tmp/guest
DATA=$tmp/data
for vmi in "$HVL_TOP"/tests/data/e2e/*.json; do
	sed -e "s/\"namespace\": \"hvl-e2e\"/\"namespace\": \"$NS\"/" \
		-e "s/\"name\": \"kernel-boot/\"name\": \"kernel-boot-$$/" "$vmi" >"$DATA/$(basename "$vmi")"
done
grep -q "\"$NS\"" "$DATA/vmi-kernel-boot.json" || { echo "check-e2e: cannot set the namespace" >&2; exit 1; }

leftovers() {
	virsh -c "$URI" list --all --name 2>/dev/null | grep "^$PREFIX" || true
}
cleanup() {
	for dom in $(leftovers); do
		virsh -c "$URI" destroy "$dom" >/dev/null 2>&1
		virsh -c "$URI" undefine --nvram "$dom" >/dev/null 2>&1 || virsh -c "$URI" undefine "$dom" >/dev/null 2>&1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Domains of earlier runs that died without cleaning up.
for dom in $(virsh -c "$URI" list --all --name 2>/dev/null | grep -E '^hvl-e2e-[0-9]+_' || true); do
	pid=${dom#hvl-e2e-}
	pid=${pid%%_*}
	kill -0 "$pid" 2>/dev/null && continue
	echo "check-e2e: removing $dom, left by a run that is gone" >&2
	virsh -c "$URI" destroy "$dom" >/dev/null 2>&1
	virsh -c "$URI" undefine --nvram "$dom" >/dev/null 2>&1 || virsh -c "$URI" undefine "$dom" >/dev/null 2>&1
done

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

disks=(--disk "kernel=$guest/vmlinuz" --disk "initrd=$guest/initrd.gz" --disk "scratch=$tmp/scratch.img")
common=(--log-format text --dev-root "$tmp/devroot" --allow-emulation --connect "$URI")

# boot NAME EXPECTED_STATUS ARGS... : `run` under an outer timeout, output in $tmp/NAME.{out,err}
boot() {
	local name=$1 want=$2 got start=$SECONDS
	shift 2
	timeout --kill-after=10 120 "$HVL" run "${common[@]}" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	got=$?
	echo "  $name: exit $got in $((SECONDS - start)) s"
	if [ "$got" != "$want" ]; then
		fail "$name: exit status $got, expected $want"
		sed 's/^/    /' "$tmp/$name.err" | tail -n 20 >&2
	fi
	local left
	left=$(leftovers)
	[ -z "$left" ] || fail "$name: domain(s) left behind: $left"
	! compgen -G "$tmp/hvl-run.*" >/dev/null || fail "$name: the private directory was left behind"
}
expect_out() { grep -q -- "$2" "$tmp/$1.out" || { fail "$1: '$2' not on stdout:"; tail -n 5 "$tmp/$1.out" >&2; }; }
expect_err() { grep -q -- "$2" "$tmp/$1.err" || { fail "$1: '$2' not in the log:"; tail -n 10 "$tmp/$1.err" >&2; }; }

# 1. Gate off: KubeVirt's own choice, software emulation; the guest prints the marker and powers off.
#    Kernel, initrd and the containerDisk "scratch" come from local files (--disk).
boot gate-off 0 --vmi "$DATA/vmi-kernel-boot.json" "${disks[@]}"
expect_out gate-off "^HVL-E2E-GUEST-BOOTED"
expect_err gate-off "Hypervisor qemu"
expect_err gate-off "started domain '${PREFIX}kernel-boot-$$' at '$URI' (transient"

# 2. Gate on, but no /dev/mshv under the device root: the fallback is exactly KubeVirt's choice.
boot gate-on 0 --feature-gates HyperVLayered --vmi "$DATA/vmi-kernel-boot.json" "${disks[@]}"
expect_out gate-on "^HVL-E2E-GUEST-BOOTED"
expect_err gate-on "Hypervisor qemu"
expect_err gate-on "HyperVLayered is on"
expect_err gate-on "dev/mshv is missing"

# 2b. EFI without secure boot.  KubeVirt's rules take OVMF_CODE.secboot.fd (with OVMF_VARS.fd) when the firmware
#     directory has it; run uses KubeVirt's directory when this machine has it, else the distribution's
#     (/usr/share/OVMF on Debian), and under TCG the plain OVMF_CODE.fd beside it (the SMM build is too slow).
if [ -e /usr/share/edk2/ovmf/OVMF_VARS.fd ] || [ -e /usr/share/OVMF/OVMF_VARS.fd ]; then
	boot efi 0 --vmi "$DATA/vmi-kernel-boot-efi.json" "${disks[@]}"
	expect_out efi "HVL-E2E-GUEST-BOOTED"
	expect_err efi "EFI firmware from '/usr/share/"
	expect_err efi "OVMF_CODE.fd' instead of"
else
	echo "SKIP (part): no OVMF firmware on this machine (/usr/share/edk2/ovmf, /usr/share/OVMF): the EFI boot is not checked"
fi

# 3. SIGTERM: the guest ignores the ACPI shutdown request, so after the grace period it is destroyed (exit 6).
(
	"$HVL" run "${common[@]}" --grace-period 2 --vmi "$DATA/vmi-kernel-boot-wait.json" "${disks[@]}" \
		>"$tmp/sigterm.out" 2>"$tmp/sigterm.err" &
	pid=$!
	for _ in $(seq 1 600); do
		grep -q HVL-E2E-GUEST-WAITING "$tmp/sigterm.out" 2>/dev/null && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	kill -TERM $pid 2>/dev/null
	wait $pid
	echo $? >"$tmp/sigterm.status"
)
[ "$(cat "$tmp/sigterm.status")" = 6 ] || fail "sigterm: exit status $(cat "$tmp/sigterm.status"), expected 6"
expect_out sigterm "HVL-E2E-GUEST-WAITING"
expect_err sigterm "asking the guest to shut down"
expect_err sigterm "did not shut down within the grace period"
[ -z "$(leftovers)" ] || fail "sigterm: domain left behind"

# 4. --timeout destroys a guest that keeps running (exit 6).
boot timeout 6 --timeout 3 --vmi "$DATA/vmi-kernel-boot-wait.json" "${disks[@]}"
expect_err timeout "timeout was reached"

# 5. A start that fails (not a kernel): nothing is left (exit 6).
boot badkernel 6 --vmi "$DATA/vmi-kernel-boot.json" --disk "kernel=$DATA/vmi-kernel-boot.json" \
	--disk "initrd=$guest/initrd.gz" --disk "scratch=$tmp/scratch.img"
expect_err badkernel "Cannot start the domain '${PREFIX}kernel-boot-$$'"

# 6. Input errors before libvirt is touched.
boot nodisk 3 --vmi "$DATA/vmi-kernel-boot.json"
expect_err nodisk "give it with --disk kernel=PATH"
boot noscratch 3 --vmi "$DATA/vmi-kernel-boot.json" --disk "kernel=$guest/vmlinuz" --disk "initrd=$guest/initrd.gz"
expect_err noscratch "map the volume to a local file with --disk scratch=PATH"
boot baddisk 2 --vmi "$DATA/vmi-kernel-boot.json" "${disks[@]}" --disk "rootdisk=$guest/vmlinuz"
expect_err baddisk "the VMI has no volume 'rootdisk'"
boot nohv 4 --vmi "$DATA/vmi-kernel-boot.json" "${disks[@]}" --hypervisor mshv

if [ "$failures" -gt 0 ]; then
	echo "check-e2e: $failures failure(s)" >&2
	exit 1
fi
echo "check-e2e: all checks passed"
