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
stamp="$kernel $(stat -c %s:%Y "$kernel") $(stat -c %s:%Y "$busybox") $marker v2"
if [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] && [ -f "$out/initrd.gz" ] && [ -f "$out/vmlinuz" ]; then
	echo "$out"
	exit 0
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/hvl-guest.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys"
cp "$busybox" "$root/bin/busybox"
for applet in sh mount echo poweroff sleep cat grep; do
	ln -s busybox "$root/bin/$applet"
done
# The kernel starts /init with the console on ttyS0 (console=ttyS0 in the VMI's kernelArgs).
cat >"$root/init" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "$marker \$(cat /proc/sys/kernel/osrelease)"
# hvl.wait on the kernel command line: stay up (no acpid, so an ACPI shutdown request is ignored),
# for the tests of the grace period and of --timeout.
if grep -q hvl.wait /proc/cmdline; then
	echo "HVL-E2E-GUEST-WAITING"
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
