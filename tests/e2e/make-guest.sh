#!/bin/sh
# Build the tiny end-to-end guest: Debian's cloud kernel plus a busybox initramfs whose init prints
# a marker line on the serial console and powers off.  Cached under $BUILDDIR/e2e; prints the directory.
#   make-guest.sh            -> $BUILDDIR/e2e/{vmlinuz,initrd.gz}
# Exit 77 (skip) when the kernel or a static busybox is missing.
set -eu

: "${BUILDDIR:=build}"
out=$BUILDDIR/e2e
marker=${HVL_E2E_MARKER:-HVL-E2E-GUEST-BOOTED}

kernel=$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$kernel" ] || [ ! -r "$kernel" ]; then
	echo "make-guest: no /boot/vmlinuz-*-cloud-amd64 (apt-get install linux-image-cloud-amd64)" >&2
	exit 77
fi
busybox=$(command -v busybox || true)
if [ -z "$busybox" ] || ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
	echo "make-guest: no static busybox (apt-get install busybox-static)" >&2
	exit 77
fi
command -v cpio >/dev/null || { echo "make-guest: cpio is missing" >&2; exit 77; }

mkdir -p "$out"
stamp="$kernel $(stat -c %s:%Y "$kernel") $(stat -c %s:%Y "$busybox") $marker v8"
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] && [ -f "$out/initrd.gz" ] && [ -f "$out/vmlinuz" ]; then
	echo "$out"
	exit 0
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/hvl-guest.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys"
cp "$busybox" "$root/bin/busybox"
for applet in sh mount echo poweroff sleep cat grep insmod sync; do
	ln -s busybox "$root/bin/$applet"
done
# The virtio disk driver of the guest's kernel, for hvl.fill (the cloud kernel has it as a module), when the
# host has that kernel's modules; without them the guest says HVL-E2E-GUEST-NO-DISK.
kver=$(basename "$kernel" | sed 's/^vmlinuz-//')
mods="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk"
mkdir -p "$root/lib/modules"
for m in $mods; do
	f=$(find "/lib/modules/$kver/kernel/drivers" -name "$m.ko" 2>/dev/null | head -n 1)
	[ -n "$f" ] && cp "$f" "$root/lib/modules/"
done
# The kernel starts /init with the console on ttyS0 (console=ttyS0 in the VMI's kernelArgs).
cat >"$root/init" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "$marker \$(cat /proc/sys/kernel/osrelease)"
# hvl.fill: write the first disk (/dev/vda) to its end, for the disk I/O error of tests/check-faults.sh.
if grep -q hvl.fill /proc/cmdline; then
	mount -t devtmpfs devtmpfs /dev
	for m in $mods; do [ -f /lib/modules/\$m.ko ] && insmod /lib/modules/\$m.ko; done
	for t in 1 2 3 4 5; do [ -b /dev/vda ] && break; sleep 1; done
	if [ -b /dev/vda ]; then
		echo "HVL-E2E-GUEST-FILLING"
		cat /dev/urandom >/dev/vda
		sync
		echo "HVL-E2E-GUEST-FILLED"
	else
		echo "HVL-E2E-GUEST-NO-DISK"
	fi
fi
# hvl.wait on the kernel command line: stay up (no acpid, so an ACPI shutdown request is ignored),
# for the tests of the grace period and of --timeout; hvl.tick also prints a numbered line every second,
# so a test sees the console still flowing.
if grep -q hvl.wait /proc/cmdline; then
	echo "HVL-E2E-GUEST-WAITING"
	if grep -q hvl.tick /proc/cmdline; then
		i=0
		while :; do i=\$((i + 1)); echo "HVL-E2E-TICK \$i"; sleep 1; done
	fi
	while :; do sleep 3600; done
fi
poweroff -f
INIT
chmod 0755 "$root/init"
(cd "$root" && find . | cpio --quiet -o -H newc) | gzip -1 >"$out/initrd.gz.$$"
mv "$out/initrd.gz.$$" "$out/initrd.gz"
cp "$kernel" "$out/vmlinuz.$$"
mv "$out/vmlinuz.$$" "$out/vmlinuz"
echo "$stamp" >"$out/stamp"
echo "$out"
