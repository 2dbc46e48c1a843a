#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end behaviour of `convert` beyond the goldens: bad input, -o atomicity, escaping,
# --explain placement, stdin, --cpu-model, --hypervisor auto and the device plugin variables.
set -uo pipefail
cd "${HVL_TOP:-$(dirname "$0")/..}"
: "${HVL:=$PWD/build/hvl-launcher}"
for v in $(env | sed -n 's/^\(HVL_[A-Z_]*\)=.*/\1/p'); do [ "$v" = HVL_TOP ] || unset "$v"; done
unset PCI_RESOURCE_NVIDIA_COM_GP102GL_TESLA_P40 MDEV_PCI_RESOURCE_NVIDIA_COM_GP102GL_TESLA_P40

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
ok() { checks=$((checks + 1)); }

EX=tests/data/examples

# expect STATUS MESSAGE-SUBSTRING -- ARGS...: run convert with -o, check status, message and that -o stays absent.
expect_fail() {
	local want=$1 msg=$2
	shift 3
	rm -f "$tmp/out.xml"
	"$HVL" --log-format text convert -o "$tmp/out.xml" "$@" 2>"$tmp/err" >"$tmp/stdout"
	local rc=$?
	ok
	[ "$rc" -eq "$want" ] || fail "convert $*: exit $rc, expected $want ($(tail -1 "$tmp/err"))"
	grep -qF -- "$msg" "$tmp/err" || fail "convert $*: message lacks '$msg': $(tail -1 "$tmp/err")"
	[ -e "$tmp/out.xml" ] && fail "convert $*: -o was written although it failed"
	ls "$tmp" | grep -q '^out.xml.' && fail "convert $*: a temporary file was left next to -o"
	return 0
}

mkjson() { # NAME PYTHON-EXPRESSION-ON-d, from the PVC example
	python3 - "$tmp/$1.json" "$2" <<'EOF'
import json, sys
d = json.load(open("tests/data/examples/vmi-pvc.json"))
exec(sys.argv[2])
json.dump(d, open(sys.argv[1], "w"))
EOF
}

# ---- bad input: exit 3, nothing written ----
printf '{"kind": "VirtualMachineInstance", ' >"$tmp/truncated.json"
expect_fail 3 "not valid JSON" -- --hypervisor kvm --vmi "$tmp/truncated.json"
echo '{"kind":"Pod","apiVersion":"kubevirt.io/v1","metadata":{"name":"p"},"spec":{}}' >"$tmp/pod.json"
expect_fail 3 "'Pod'" -- --hypervisor kvm --vmi "$tmp/pod.json"
expect_fail 3 "" -- --hypervisor kvm --vmi "$tmp/does-not-exist.json"
mkjson traversal-ns 'd["metadata"]["namespace"] = ".."'
expect_fail 3 "metadata.namespace" -- --hypervisor kvm --vmi "$tmp/traversal-ns.json"
mkjson traversal-vol 'd["spec"]["volumes"][0]["name"] = "../x"; d["spec"]["domain"]["devices"]["disks"][0]["name"] = "../x"'
expect_fail 3 "'../x'" -- --hypervisor kvm --vmi "$tmp/traversal-vol.json"
mkjson traversal-uid 'd["metadata"]["uid"] = "../../etc/passwd"'
expect_fail 3 "metadata.uid" -- --hypervisor kvm --vmi "$tmp/traversal-uid.json"
mkjson missing-volume 'd["spec"]["volumes"] = []'
expect_fail 3 "disks[0]" -- --hypervisor kvm --vmi "$tmp/missing-volume.json"

# A pre-existing -o survives a failed conversion untouched.
echo keep >"$tmp/existing.xml"
"$HVL" --log-format text convert --hypervisor kvm --vmi "$tmp/pod.json" -o "$tmp/existing.xml" 2>/dev/null
ok
[ "$(cat "$tmp/existing.xml")" = keep ] || fail "a failed conversion replaced an existing -o file"

# ---- unsupported on the chosen hypervisor: exit 5, nothing written ----
expect_fail 5 "secure boot" -- --hypervisor mshv --vmi "$EX/vmi-secureboot.json"
expect_fail 5 "passthrough" -- --hypervisor mshv --vmi tests/data/convert/sriov-attached.json

# ---- host devices: the device plugin's variable, or a clear error naming it ----
expect_fail 3 "PCI_RESOURCE_NVIDIA_COM_GP102GL_TESLA_P40" -- --hypervisor kvm --vmi "$EX/vmi-gpu.json"
# The hypervisor cannot pass a GPU through at all: that beats "no device was allocated" (exit 5, not 3).
expect_fail 5 "not supported on mshv" -- --hypervisor mshv --vmi "$EX/vmi-gpu.json"
PCI_RESOURCE_NVIDIA_COM_GP102GL_TESLA_P40=0000:65:00.0 "$HVL" --log-format text convert --hypervisor kvm \
	--vmi "$EX/vmi-gpu.json" >"$tmp/gpu.xml" 2>/dev/null
ok
grep -q 'bus="0x65"' "$tmp/gpu.xml" || fail "the GPU hostdev does not use the address from PCI_RESOURCE_*"
PCI_RESOURCE_NVIDIA_COM_GP102GL_TESLA_P40=bogus "$HVL" --log-format text convert --hypervisor kvm \
	--vmi "$EX/vmi-gpu.json" >/dev/null 2>"$tmp/err"
rc=$?
ok
[ "$rc" -eq 3 ] && grep -q "'bogus' is not a PCI address" "$tmp/err" || fail "a malformed PCI_RESOURCE_* address is not rejected clearly"

# USB host devices come from USB_RESOURCE_* as bus:device (goldens: usb-hostdev); GPUs are never USB.
USB_RESOURCE_KUBEVIRT_IO_STORAGE=3:x expect_fail 3 "'3:x' in USB_RESOURCE_KUBEVIRT_IO_STORAGE is not a USB address" -- \
	--hypervisor kvm --vmi tests/data/convert/usb-hostdev.json
USB_RESOURCE_KUBEVIRT_IO_STORAGE= expect_fail 3 "USB_RESOURCE_KUBEVIRT_IO_STORAGE is set" -- \
	--hypervisor kvm --vmi tests/data/convert/usb-hostdev.json
USB_RESOURCE_NVIDIA_COM_GP102GL_TESLA_P40=1:2 expect_fail 3 "no device of resource 'nvidia.com/GP102GL_Tesla_P40'" -- \
	--hypervisor kvm --vmi "$EX/vmi-gpu.json"

# ---- XML special characters are escaped, and survive a parse round trip ----
python3 - "$tmp/escape.json" <<'EOF'
import json, sys
d = json.load(open("tests/data/examples/vmi-kernel-boot.json"))
d["spec"]["domain"]["firmware"]["kernelBoot"]["kernelArgs"] = "console=ttyS0 x=\"<a>&amp;'b'\" ]]> &#x41;"
json.dump(d, open(sys.argv[1], "w"))
EOF
"$HVL" --log-format text convert --hypervisor kvm --vmi "$tmp/escape.json" >"$tmp/escape.xml" 2>/dev/null
ok
python3 - "$tmp/escape.xml" <<'EOF' || fail "kernel arguments with XML special characters did not round-trip"
import sys, xml.etree.ElementTree as ET
got = ET.parse(sys.argv[1]).getroot().find("os/cmdline").text
want = "console=ttyS0 x=\"<a>&amp;'b'\" ]]> &#x41;"
sys.exit(0 if got == want else f"got {got!r}")
EOF
virt-xml-validate "$tmp/escape.xml" domain >/dev/null 2>&1 || fail "the escaped domain is not schema-valid"

# ---- defects found on real KubeVirt inputs: what KubeVirt accepts and how it renders it ----
# convert_to NAME HV: convert $tmp/NAME.json for HV into $tmp/NAME.xml; fails the check on a non-zero exit.
convert_to() {
	ok
	"$HVL" --log-format text convert --hypervisor "$2" --vmi "$tmp/$1.json" -o "$tmp/$1.xml" 2>"$tmp/err" ||
		fail "convert $1 for $2 failed: $(tail -1 "$tmp/err")"
}
# xml_has NAME XPATH WHAT: the domain made by convert_to has a node matching XPATH.
xml_has() {
	ok
	[ "$(xmllint --xpath "count($2)" "$tmp/$1.xml" 2>/dev/null)" -gt 0 ] 2>/dev/null || fail "$1: $3"
}
xml_lacks() {
	ok
	[ "$(xmllint --xpath "count($2)" "$tmp/$1.xml" 2>/dev/null)" = 0 ] || fail "$1: $3"
}

# MAC addresses: every form Go's net.ParseMAC reads, rendered as KubeVirt's mac.String() (lower case, colons).
for form in de-ad-00-00-BE-AF dead.0000.beaf DE:AD:00:00:BE:AF; do
	mkjson mac 'd["spec"]["domain"]["devices"]["interfaces"] = [{"name": "default", "masquerade": {}, "macAddress": "'$form'"}]; d["spec"]["networks"] = [{"name": "default", "pod": {}}]'
	convert_to mac kvm
	xml_has mac '//interface/mac[@address="de:ad:00:00:be:af"]' "macAddress $form is not rendered as de:ad:00:00:be:af"
	virt-xml-validate "$tmp/mac.xml" domain >/dev/null 2>&1 || fail "macAddress $form gives a schema-invalid domain"
done
for form in de:ad-00:00:be:af dead.0000.beaf.0001 de:ad:00:00:be:a de:ad:00:00:be:ag 00:00:00:00:00:00:00:01; do
	mkjson mac 'd["spec"]["domain"]["devices"]["interfaces"] = [{"name": "default", "masquerade": {}, "macAddress": "'$form'"}]; d["spec"]["networks"] = [{"name": "default", "pod": {}}]'
	expect_fail 3 "'$form' is not a MAC address" -- --hypervisor kvm --vmi "$tmp/mac.json"
done

# Object names are RFC 1123 subdomains as Kubernetes checks them: 253 characters, no 63-character limit per part.
long=$(printf 'v%.0s' $(seq 1 70)).$(printf 'm%.0s' $(seq 1 182))
mkjson longname 'd["metadata"]["name"] = "'$long'"'
convert_to longname kvm
xml_has longname "/domain/name[.=\"default_$long\"]" "a 253-character VMI name is not used as the domain name"

# Block-mode PVCs and DataVolumes are device nodes /dev/<volume> in the pod (--dev-root stands in for it);
# other PVCs are disk.img files.  A LUN follows its volume: disk.img on a filesystem volume (KubeVirt's
# rendering, with a warning), a device when the mode cannot be told.
mkdir -p "$tmp/blkroot/dev"
mknod "$tmp/blkroot/dev/pvcdisk" b 7 0 || fail "cannot create a block device node"
mkjson blockpvc 'pass'
ok
"$HVL" --log-format text convert --hypervisor kvm --dev-root "$tmp/blkroot" --vmi "$tmp/blockpvc.json" \
	-o "$tmp/blockpvc.xml" 2>"$tmp/err" || fail "a block PVC does not convert: $(tail -1 "$tmp/err")"
xml_has blockpvc '//disk[@type="block"]/source[@dev="/dev/pvcdisk"]' "a PVC with a device node is not a block disk"
mkjson blockdv 'd["spec"]["volumes"] = [{"name": "pvcdisk", "dataVolume": {"name": "alpine-dv"}}]'
ok
HVL_DEV_ROOT=$tmp/blkroot "$HVL" --log-format text convert --hypervisor kvm --vmi "$tmp/blockdv.json" \
	-o "$tmp/blockdv.xml" 2>"$tmp/err" || fail "a block DataVolume does not convert: $(tail -1 "$tmp/err")"
xml_has blockdv '//disk[@type="block"]/source[@dev="/dev/pvcdisk"]' "a DataVolume with a device node (HVL_DEV_ROOT) is not a block disk"
convert_to blockpvc kvm
xml_has blockpvc '//disk[@type="file"]/source[@file="/var/run/kubevirt-private/vmi-disks/pvcdisk/disk.img"]' \
	"a PVC without a device node is not a disk.img file"
mkjson fslun 'd["spec"]["domain"]["devices"]["disks"] = [{"name": "pvcdisk", "lun": {"bus": "scsi"}}]'
convert_to fslun kvm
# KubeVirt's isBlockDeviceVolume finds no device node: the file, as for any disk (libvirt then refuses the LUN).
xml_has fslun '//disk[@device="lun"][@type="file"]/source[@file="/var/run/kubevirt-private/vmi-disks/pvcdisk/disk.img"]' \
	"a LUN whose volume has no device node is not the file disk.img, as KubeVirt writes it"
mkdir -p "$tmp/fsroot/var/run/kubevirt-private/vmi-disks/pvcdisk"
: >"$tmp/fsroot/var/run/kubevirt-private/vmi-disks/pvcdisk/disk.img"
ok
"$HVL" --log-format text convert --hypervisor kvm --dev-root "$tmp/fsroot" --vmi "$tmp/fslun.json" \
	-o "$tmp/fslun.xml" 2>"$tmp/err" || fail "a LUN on a filesystem PVC does not convert: $(tail -1 "$tmp/err")"
xml_has fslun '//disk[@device="lun"][@type="file"]/source[@file="/var/run/kubevirt-private/vmi-disks/pvcdisk/disk.img"]' \
	"a LUN on a filesystem PVC is not rendered as KubeVirt does (disk.img)"
ok
grep -q "is a filesystem volume in this pod" "$tmp/err" || fail "a LUN on a filesystem PVC gives no warning"

# Hyper-V spinlocks: retries default to 4096 only when enabled (SetDefaults_FeatureSpinlocks).
mkjson spinoff 'd["spec"]["domain"]["features"] = {"hyperv": {"spinlocks": {"enabled": False}}}'
convert_to spinoff kvm
xml_has spinoff '//hyperv/spinlocks[@state="off"][not(@retries)]' "disabled spinlocks get a retries count"
mkjson spinon 'd["spec"]["domain"]["features"] = {"hyperv": {"spinlocks": {}}}'
convert_to spinon kvm
xml_has spinon '//hyperv/spinlocks[@state="on"][@retries="4096"]' "enabled spinlocks lack the default 4096 retries"

# kubevirt.io/placePCIDevicesOnRootComplex: devices without an address go to bus 0 (goldens: pci-root-complex);
# an explicit address stays, and a VMI with more devices than the root bus has slots is refused.
mkjson rootpci 'd["metadata"]["annotations"] = {"kubevirt.io/placePCIDevicesOnRootComplex": "true"}; d["spec"]["domain"]["devices"]["disks"][0]["disk"]["pciAddress"] = "0000:00:0a.0"'
convert_to rootpci kvm
xml_has rootpci '//disk/address[@bus="0x00"][@slot="0x0a"]' "an explicit disk address was moved"
xml_lacks rootpci '//devices/*[not(self::disk)]/address[@type="pci"][not(@bus="0x00")]' "a device is not on the root bus"
mkjson rootfull 'd["metadata"]["annotations"] = {"kubevirt.io/placePCIDevicesOnRootComplex": "true"}; d["spec"]["domain"]["devices"]["disks"] += [{"name": "e%d" % i, "disk": {"bus": "virtio"}} for i in range(30)]; d["spec"]["volumes"] += [{"name": "e%d" % i, "emptyDisk": {"capacity": "1Gi"}} for i in range(30)]'
expect_fail 3 "no space left on the root PCI bus" -- --hypervisor kvm --vmi "$tmp/rootfull.json"

# SR-IOV: a VF only for an interface Multus reports attached (status), at the address network-info gives;
# without network-info there is no address to use, and no placeholder is made up.
mkjson nosriov 'd.update(json.load(open("tests/data/examples/vmi-sriov.json")))'
convert_to nosriov kvm
xml_lacks nosriov '//hostdev' "an SR-IOV interface without multus-status got a hostdev"
# ... but it does not vanish silently: kvm says it is not in the domain yet, and mshv, which cannot pass a VF
# through at all, refuses it (exit 5) although the domain of the moment has no hostdev.
ok
grep -q "warning: spec.domain.devices.interfaces\[1\]: the SR-IOV interface 'sriov-net' is not in the domain yet" \
	"$tmp/err" || fail "an SR-IOV interface left out of the kvm domain without a warning: $(cat "$tmp/err")"
expect_fail 5 "spec.domain.devices.interfaces[1] (name 'sriov-net'): device passthrough with VFIO" -- \
	--hypervisor mshv --vmi "$tmp/nosriov.json"
expect_fail 3 "no PCI address for the SR-IOV network 'sriov-net'" -- --hypervisor kvm --dev-root "$tmp/blkroot" \
	--vmi tests/data/convert/sriov-attached.json

# ---- stdin, -o, --explain placement ----
"$HVL" --log-format text convert --hypervisor mshv --vmi - <"$EX/vmi-fedora.json" >"$tmp/stdin.xml" 2>"$tmp/err"
ok
grep -q "<domain .*type=\"hyperv\"" "$tmp/stdin.xml" || fail "--vmi - did not produce an mshv domain on stdout"
"$HVL" --log-format text convert --hypervisor mshv --explain --vmi "$EX/vmi-fedora.json" >"$tmp/x.xml" 2>"$tmp/err"
ok
grep -q "^- replaced <cpu mode='host-model'>" "$tmp/err" || fail "--explain without -o must list changes on stderr"
grep -q "^- " "$tmp/x.xml" && fail "--explain mixed its list into the XML on stdout"
"$HVL" --log-format text convert --hypervisor mshv --explain --vmi "$EX/vmi-fedora.json" -o "$tmp/o.xml" >"$tmp/stdout" 2>/dev/null
ok
grep -q "^- set <domain type='hyperv'>" "$tmp/stdout" || fail "--explain with -o must list changes on stdout"
cmp -s "$tmp/o.xml" "$tmp/stdin.xml" || fail "-o and stdout give different XML"
"$HVL" --log-format text convert --hypervisor kvm --explain --vmi "$EX/vmi-fedora.json" -o "$tmp/k.xml" >"$tmp/stdout" 2>/dev/null
ok
grep -q "No changes for kvm" "$tmp/stdout" || fail "--explain for kvm should say there are no changes"

# ---- --cpu-model ----
"$HVL" --log-format text convert --hypervisor qemu --cpu-model EPYC --vmi "$EX/vmi-fedora.json" >"$tmp/c.xml" 2>/dev/null
ok
grep -q "<model>EPYC</model>" "$tmp/c.xml" || fail "--cpu-model is not used by the qemu profile"

# ---- the mshv profile names what asked for each change; the CPU model is checked only where libvirt is asked ----
"$HVL" --log-format text convert --hypervisor mshv --explain --vmi "$EX/vmi-fedora.json" -o "$tmp/m.xml" >"$tmp/stdout" \
	2>"$tmp/err"
ok
grep -qF -- "- replaced <cpu mode='host-model'> with the named model 'Westmere' (from spec.domain.cpu.model: unset, so" \
	"$tmp/stdout" || fail "--explain does not name the VMI field behind the CPU model"
grep -qF "  Not checked on this node: libvirt was not asked" "$tmp/stdout" ||
	fail "--explain does not say the CPU model was chosen offline"
grep -qF "warning: Hypervisor profile mshv: replaced <cpu mode='host-model'>" "$tmp/err" ||
	fail "the CPU model replacement is not logged as a warning"
mkjson smm 'd["spec"]["domain"]["features"] = {"smm": {}}'
"$HVL" --log-format text convert --hypervisor mshv --explain --vmi "$tmp/smm.json" -o "$tmp/smm.xml" >"$tmp/stdout" \
	2>"$tmp/err"
ok
grep -qF -- "- removed <features><smm> (from spec.domain.features.smm): QEMU exits" "$tmp/stdout" ||
	fail "--explain does not list the SMM removal with its VMI field"
grep -qF "warning: Hypervisor profile mshv: removed <features><smm> (from spec.domain.features.smm)" "$tmp/err" ||
	fail "the SMM removal is not logged as a warning naming spec.domain.features.smm"
grep -q "<smm" "$tmp/smm.xml" && fail "the mshv domain still has <smm>"
if virsh -q -c qemu:///system version >/dev/null 2>&1; then
	# --connect makes convert ask libvirt; a libvirt that cannot run 'hyperv' (this one, unless it is >= 11.10 on
	# a host with /dev/mshv) leaves the offline choice, and --explain says why.
	"$HVL" --log-format text convert --hypervisor mshv --connect qemu:///system --explain --vmi "$EX/vmi-fedora.json" \
		-o "$tmp/c.xml" >"$tmp/stdout" 2>"$tmp/err"
	ok
	if grep -qF "Checked on this node:" "$tmp/stdout"; then
		echo "SKIP (part): check-convert: libvirt at qemu:///system runs virt type 'hyperv' here; the offline path of" \
			"--connect is not checked"
	else
		grep -qF "  Not checked on this node: libvirt gave no domain capabilities for virt type 'hyperv': libvirt at" \
			"$tmp/stdout" || fail "convert --connect does not say why the CPU model was not checked: $(cat "$tmp/stdout")"
		cmp -s "$tmp/c.xml" "$tmp/m.xml" || fail "convert --connect without hyperv changed the domain"
	fi
else
	echo "SKIP (part): check-convert: libvirtd at qemu:///system is unreachable; convert --connect is not checked"
fi

# ---- usage ----
"$HVL" --log-format text convert --hypervisor kvm >/dev/null 2>&1
rc=$?
ok
[ "$rc" -eq 2 ] || fail "convert without --vmi exits $rc, expected 2"

# ---- --hypervisor auto goes through the shared decision ----
mkdir -p "$tmp/root/dev"
"$HVL" --log-format text convert --dev-root "$tmp/root" --no-libvirt --vmi "$EX/vmi-fedora.json" >/dev/null 2>"$tmp/err"
rc=$?
ok
[ "$rc" -eq 4 ] || fail "auto with no accelerator and no emulation exits $rc, expected 4"
"$HVL" --log-format text convert --dev-root "$tmp/root" --no-libvirt --allow-emulation --vmi "$EX/vmi-fedora.json" \
	>"$tmp/auto.xml" 2>"$tmp/err"
ok
grep -q 'type="qemu"' "$tmp/auto.xml" || fail "auto with emulation allowed should build a qemu domain: $(tail -1 "$tmp/err")"

# ---- the KubeVirt CR's live-update settings: --kubevirt-config and HVL_KUBEVIRT_CONFIG alike ----
echo '{"spec":{"configuration":{"vmRolloutStrategy":"Stage"}}}' >"$tmp/stage.json"
echo '{"spec":{"configuration":{"liveUpdateConfiguration":{"maxCpuSockets":3}}}}' >"$tmp/max3.json"
"$HVL" --log-format text convert --hypervisor kvm --vmi "$EX/vmi-kernel-boot.json" >"$tmp/live.xml" 2>/dev/null
"$HVL" --log-format text --kubevirt-config "$tmp/stage.json" convert --hypervisor kvm --vmi "$EX/vmi-kernel-boot.json" \
	>"$tmp/stage.xml" 2>/dev/null
HVL_KUBEVIRT_CONFIG=$tmp/max3.json "$HVL" --log-format text convert --hypervisor kvm --vmi "$EX/vmi-kernel-boot.json" \
	>"$tmp/max3.xml" 2>/dev/null
ok
grep -q '<vcpus>' "$tmp/live.xml" && grep -q '<maxMemory unit="b" slots="0">4294967296' "$tmp/live.xml" ||
	fail "without a CR (LiveUpdate) vmi-kernel-boot gets no CPU or memory hotplug room"
ok
grep -q -e '<vcpus>' -e '<maxMemory' "$tmp/stage.xml" && fail "vmRolloutStrategy Stage still adds hotplug room"
cmp -s "$tmp/stage.xml" tests/data/convert/stage/examples/vmi-kernel-boot.kvm.xml ||
	fail "vmRolloutStrategy Stage does not give tests/data/convert/stage/examples/vmi-kernel-boot.kvm.xml"
ok
grep -q '<topology sockets="3"' "$tmp/max3.xml" || fail "HVL_KUBEVIRT_CONFIG's maxCpuSockets 3 is not the maxSockets"
echo '{"spec":{"configuration":{"liveUpdateConfiguration":{"maxHotplugRatio":"4"}}}}' >"$tmp/bad-ratio.json"
expect_fail 3 "liveUpdateConfiguration.maxHotplugRatio must be an integer" -- --kubevirt-config "$tmp/bad-ratio.json" \
	--hypervisor kvm --vmi "$EX/vmi-fedora.json"

# ---- KubeVirt's feature gates: known from a KubeVirt CR (refused), unknown without one (one warning per gate) ----
hostdisk=$EX/vmi-host-disk.json
echo '{}' >"$tmp/empty-cr.json"
echo '{"spec":{"configuration":{"developerConfiguration":{"featureGates":["HostDisk"]}}}}' >"$tmp/hostdisk-cr.json"
"$HVL" --log-format text convert --hypervisor kvm --vmi "$hostdisk" >"$tmp/unknown.xml" 2>"$tmp/err"
rc=$?
ok
[ "$rc" -eq 0 ] && [ -s "$tmp/unknown.xml" ] || fail "without a CR a hostDisk VMI must convert (exit $rc)"
ok
[ "$(grep -c "feature gate 'HostDisk'" "$tmp/err")" = 1 ] &&
	grep -q "warning: spec.domain.devices.disks\[0\] (volume 'host-disk'): KubeVirt refuses this VMI unless the cluster enables the feature gate 'HostDisk', which hostDisk volumes need; pass --kubevirt-config to check." "$tmp/err" ||
	fail "without a CR: not exactly one warning naming the gate 'HostDisk': $(cat "$tmp/err")"
expect_fail 3 "(volume 'host-disk'): hostDisk volumes need the feature gate 'HostDisk', which the KubeVirt CR does not enable." \
	-- --kubevirt-config "$tmp/empty-cr.json" --hypervisor kvm --vmi "$hostdisk"
HVL_KUBEVIRT_CONFIG=$tmp/empty-cr.json expect_fail 3 "feature gate 'HostDisk'" -- --hypervisor kvm --vmi "$hostdisk"
"$HVL" --log-format text convert --kubevirt-config "$tmp/hostdisk-cr.json" --hypervisor kvm --vmi "$hostdisk" \
	>"$tmp/known.xml" 2>"$tmp/err"
ok
cmp -s "$tmp/known.xml" "$tmp/unknown.xml" || fail "a CR enabling HostDisk does not give the domain of no CR"
grep -q "feature gate" "$tmp/err" && fail "a CR enabling HostDisk still warns: $(cat "$tmp/err")"
# --feature-gates is HyperVLayered's list, not the cluster's: it neither enables HostDisk nor makes gates known.
expect_fail 3 "feature gate 'HostDisk'" -- --feature-gates HostDisk --kubevirt-config "$tmp/empty-cr.json" \
	--hypervisor kvm --vmi "$hostdisk"
ok
grep -q "Feature gate 'HostDisk' in --feature-gates is one of KubeVirt's" "$tmp/err" ||
	fail "--feature-gates HostDisk is not said to be ignored: $(cat "$tmp/err")"
"$HVL" --log-format text convert --feature-gates HostDisk --hypervisor kvm --vmi "$hostdisk" >/dev/null 2>"$tmp/err"
ok
grep -q "enables the feature gate 'HostDisk'; pass\|enables the feature gate 'HostDisk', which" "$tmp/err" ||
	fail "--feature-gates HostDisk without a CR should still warn that the gate is unknown"
# `run` checks the gates too, before anything reaches libvirt.
truncate -s 1M "$tmp/disk.img"
"$HVL" --log-format text run --allow-emulation --dev-root "$tmp/root" --kubevirt-config "$tmp/empty-cr.json" \
	--connect "qemu+unix:///system?socket=$tmp/no-socket" --disk host-disk="$tmp/disk.img" "$hostdisk" \
	>/dev/null 2>"$tmp/err"
rc=$?
ok
[ "$rc" -eq 3 ] && grep -q "hostDisk volumes need the feature gate 'HostDisk', which the KubeVirt CR does not enable" \
	"$tmp/err" || fail "run with a CR without HostDisk: exit $rc, expected 3 naming the gate: $(tail -1 "$tmp/err")"
grep -qi "libvirt" "$tmp/err" && fail "run asked libvirt before refusing the gated VMI: $(cat "$tmp/err")"

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
