#!/bin/bash
# check-stack, part mshv: a simulated mshv node on libvirt 12.x and QEMU 11.x.
#
# What is simulated, exactly (nothing else is):
#   1. libvirt's capabilities cache claims that QEMU enabled mshv.  It is derived from this host's own probe:
#      libvirtd probes QEMU with /dev/kvm present, then tests/stack/simulate-mshv-caps.py turns the x86_64
#      entry's kvm flag into mshv and its type='kvm' host CPU, CPU model and machine entries into type='mshv'.
#      libvirt keeps such an entry: it re-probes when KVM appears or disappears, never for mshv.  So the node's
#      CPU data are KVM's view of this host's CPU.
#   2. /dev/mshv is a character node with the null device's numbers (1:3): it opens read-write, so
#      hvl-launcher's default probe finds it present and openable, but no mshv driver is behind it.
#   3. /dev/kvm is removed from the namespace, as an L1VH node's launcher pod has none.
# Real: libvirt 12.x's define and validation of type='hyperv' domains, its QEMU command line (domxml-to-native),
# hvl-launcher's detect and run against it, and QEMU 11.x's own refusal of the fake device.
# Needs a /dev/kvm libvirt offers, to probe from; without one this part is skipped by name.
set -uo pipefail
cd "$HVL_TOP" || exit 1
# shellcheck source=tests/stack/lib.sh
. tests/stack/lib.sh

if [ ! -c /dev/kvm ] || ! kvm_offered; then
	skip_part "simulated mshv node: no /dev/kvm that libvirt offers here, so no KVM probe to derive mshv's" \
		"capabilities cache from (mshv goldens defined: 0)"
	exit 0
fi
tmp=$(mktemp -d /tmp/hvl-stack-mshv.XXXXXX)
trap stack_restore EXIT

# 1. The cache of this host's KVM probe, made to claim mshv; 2. and 3. the devices.
virsh -q -c "$URI" domcapabilities --virttype kvm --arch x86_64 --machine q35 >/dev/null
libvirt_stop
entry=$(grep -l '<arch>x86_64</arch>' "$CACHE_DIR"/*.xml | xargs grep -l '<emulator>/usr/bin/qemu-system-x86_64<' | head -1)
[ -n "$entry" ] || { fail "no x86_64 entry in $CACHE_DIR after a KVM probe"; exit 1; }
python3 tests/stack/simulate-mshv-caps.py "$entry" || { fail "cannot edit $entry"; exit 1; }
kvm_hide
mshv_node_add
libvirt_start || exit 1
if ! virsh -q -c "$URI" domcapabilities --virttype hyperv --arch x86_64 --machine q35 >"$tmp/domcaps" 2>"$tmp/err"; then
	fail "libvirt does not take the simulated cache: $(tail -1 "$tmp/err")"
	exit 1
fi
grep -q "<flag name='mshv'/>" "$entry" || { fail "libvirt probed QEMU again: the simulation is gone"; exit 1; }
echo "mshv: libvirt offers virt type 'hyperv' from the simulated cache ($entry)"

# detect chooses mshv and says why; the deep probe is not fooled by the fake node.
"$HVL" --log-format text detect --json --connect "$URI" --feature-gates HyperVLayered >"$tmp/detect.json" 2>"$tmp/detect.err"
rc=$?
python3 - "$tmp/detect.json" <<'PY' || fail "detect --connect: exit $rc, $(cat "$tmp/detect.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["choice"] == "mshv" and d["domainType"] == "hyperv", d["choice"]
assert d["libvirt"]["result"] == "supported", d["libvirt"]
assert d["libvirt"]["cause"] is None
assert "can run virt type 'hyperv'" in d["libvirt"]["reason"], d["libvirt"]["reason"]
assert "HyperVLayered is on" in d["reason"] and "mshv" in d["reason"], d["reason"]
print("mshv: detect --connect chooses mshv:", d["reason"])
PY
"$HVL" --log-format text detect --connect "$URI" --feature-gates HyperVLayered --probe=deep >"$tmp/deep" 2>&1
grep -q "refuses MSHV_CREATE_PARTITION" "$tmp/deep" || fail "detect --probe=deep takes the fake /dev/mshv for mshv"

# Every mshv golden: define --validate, and its QEMU command line has -accel mshv and nothing the profile removes.
n=0 defined=0 accel=0
for golden in tests/data/convert/*.mshv.xml tests/data/convert/examples/*.mshv.xml; do
	n=$((n + 1))
	name=hvl-stack-mshv-$n
	sed "0,/<name>[^<]*<\/name>/s//<name>$name<\/name>/" "$golden" >"$tmp/domain.xml"
	if ! virsh -q -c "$URI" define --validate "$tmp/domain.xml" >"$tmp/define.out" 2>&1; then
		fail "libvirt refuses $golden: $(grep -v '^$' "$tmp/define.out" | tail -1)"
		continue
	fi
	defined=$((defined + 1))
	argv_ok=0
	if virsh -q -c "$URI" domxml-to-native --format qemu-argv --domain "$name" >"$tmp/argv" 2>"$tmp/argv.err"; then
		argv_ok=1
	elif grep -q "the CPU is incompatible with host CPU" "$tmp/argv.err"; then
		# The VMI asks for CPU features this host's CPU lacks (the simulated node's CPU is this host's): a host
		# limit, not the profile's.  The command line is looked at without libvirt's CPU comparison.
		echo "mshv: $(basename "$golden"): $(tail -1 "$tmp/argv.err"); command line taken with <cpu check='none'>"
		sed 's/<cpu mode=/<cpu check="none" mode=/' "$tmp/domain.xml" >"$tmp/nocheck.xml"
		virsh -q -c "$URI" domxml-to-native --format qemu-argv --xml "$tmp/nocheck.xml" >"$tmp/argv" 2>"$tmp/argv.err" &&
			argv_ok=1
	fi
	if [ "$argv_ok" = 1 ]; then
		if ! grep -q -- '-accel mshv' "$tmp/argv"; then
			fail "$golden: no -accel mshv in $(grep -o -- '-accel [^ ]*' "$tmp/argv" | head -1)"
		elif grep -q -e 'smm=on' -e '-cpu host' "$tmp/argv"; then
			fail "$golden: the command line has what the profile removes: $(grep -o -e 'smm=on' -e '-cpu host' "$tmp/argv" | sort -u | tr '\n' ' ')"
		else
			accel=$((accel + 1))
		fi
	else
		fail "$golden: domxml-to-native: $(tail -1 "$tmp/argv.err")"
	fi
	virsh -q -c "$URI" undefine --nvram "$name" >/dev/null 2>&1 || virsh -q -c "$URI" undefine "$name" >/dev/null 2>&1
done
echo "mshv: $n mshv goldens, $defined domains defined, $accel with -accel mshv"
[ "$n" -gt 0 ] || fail "no mshv golden found"

# run of an mshv VMI: libvirt defines it, QEMU refuses the fake device with its own reason: exit 6, nothing left.
guest=$(guest_copy) || { fail "cannot build the guest"; exit 1; }
sed -e 's/"namespace": "hvl-e2e"/"namespace": "hvl-stack-mshv"/' tests/data/e2e/vmi-kernel-boot.json >"$guest/vmi.json"
timeout --kill-after=10 90 "$HVL" run --log-format text --connect "$URI" --feature-gates HyperVLayered \
	--vmi "$guest/vmi.json" --timeout 30 --disk "kernel=$guest/vmlinuz" --disk "initrd=$guest/initrd.gz" \
	--disk "scratch=$guest/scratch.img" >"$guest/out" 2>"$guest/err"
rc=$?
[ "$rc" = 6 ] || fail "run of an mshv VMI: exit $rc, expected 6"
grep -q "Hypervisor mshv" "$guest/err" || fail "run did not choose mshv: $(grep -m1 -i hypervisor "$guest/err")"
grep -q -e "-accel mshv" "$guest/err" || fail "run does not report QEMU's own reason: $(tail -3 "$guest/err")"
echo "mshv: run fails with QEMU's reason: $(grep -o -e '-accel mshv[^"]*' "$guest/err" | head -1)"
left=$(virsh -q -c "$URI" list --all --name | grep '^hvl-stack-mshv_' || true)
[ -z "$left" ] || fail "run left a domain behind: $left"
rm -rf "$guest"
[ "$stack_failures" -eq 0 ]
