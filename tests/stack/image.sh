#!/bin/bash
# check-stack, part image: what scripts/Containerfile.launcher-mshv adds to the packages, run in this root (the same
# packages, installed by the same scripts/mshv-stack-install): QEMU's mshv accelerator, KubeVirt's OVMF file
# names, no capabilities cache shipped, and scripts/virtqemud-shim started as KubeVirt's virt-launcher starts
# virtqemud (`/usr/sbin/virtqemud -f /var/run/libvirt/virtqemud.conf`), answering on both sockets virt-launcher
# uses as root.  Not run here: the image build itself, KubeVirt's binaries, a non-root (uid 107) launcher.
set -uo pipefail
cd "$HVL_TOP" || exit 1
# shellcheck source=tests/stack/lib.sh
. tests/stack/lib.sh

qemu-system-x86_64 -accel help | grep -qx mshv || fail "qemu-system-x86_64 -accel help does not list mshv"
for f in OVMF_CODE.fd OVMF_VARS.fd OVMF_CODE.secboot.fd OVMF_VARS.secboot.fd; do
	[ -r "/usr/share/OVMF/$f" ] || fail "/usr/share/OVMF/$f (KubeVirt's name, efi.go) is missing"
done
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' scripts/mshv-stack.packages | while read -r pkg; do
	dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
		echo "FAIL: $pkg of scripts/mshv-stack.packages is not installed in the root"
done | tee "$HVL_TOP/$BUILDDIR/image-packages.txt"
grep -q FAIL "$HVL_TOP/$BUILDDIR/image-packages.txt" && stack_failures=$((stack_failures + 1))
rm -f "$HVL_TOP/$BUILDDIR/image-packages.txt"

# virtqemud as virt-launcher starts it, with the configuration KubeVirt ships (cmd/virt-launcher/virtqemud.conf).
libvirt_stop
printf '%s\n' 'listen_tls = 0' 'listen_tcp = 0' 'log_outputs = "1:stderr"' >/run/libvirt/virtqemud.conf
virtlogd -d --pid-file /run/libvirt/virtlogd.pid
scripts/virtqemud-shim -f /run/libvirt/virtqemud.conf 2>/tmp/virtqemud.log &
shim=$!
ok=0
for _ in $(seq 100); do
	if virsh -q -c qemu:///system version >/dev/null 2>&1 &&
		virsh -q -c 'qemu+unix:///system?socket=/run/libvirt/virtqemud-sock' version >/dev/null 2>&1; then
		ok=1
		break
	fi
	sleep 0.2
done
[ "$ok" = 1 ] || fail "scripts/virtqemud-shim: libvirt does not answer on libvirt-sock and virtqemud-sock: $(tail -3 /tmp/virtqemud.log)"
[ "$ok" = 1 ] && echo "image: scripts/virtqemud-shim serves qemu:///system and virtqemud-sock ($(virsh -c qemu:///system version | sed -n 's/^Running hypervisor: //p'))"
kill "$shim" 2>/dev/null
wait "$shim" 2>/dev/null
rm -f /run/libvirt/virtqemud-sock
libvirt_stop
libvirt_start >/dev/null || fail "libvirtd does not start again"
[ "$stack_failures" -eq 0 ]
