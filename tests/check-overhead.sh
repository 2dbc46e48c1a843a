#!/bin/bash
# `hvl-launcher overhead` through the CLI:
#  - every example VMI's JSON breakdown against tests/data/overhead/<name>.json (kvm, amd64, no ratio);
#  - the totals for every hypervisor, both architectures and a ratio against tests/data/overhead/totals.txt;
#  - the defaulted/ form of each example costs the same as the manifest;
#  - cluster settings from a KubeVirt CR, and the exit statuses of bad input.
# REGENERATE=1 rewrites the golden files (review the diff before committing).
set -uo pipefail
: "${HVL:?HVL must name the hvl-launcher binary}"
: "${HVL_TOP:=$(cd "$(dirname "$0")/.." && pwd)}"

examples=$HVL_TOP/tests/data/examples
golden=$HVL_TOP/tests/data/overhead
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# compare NAME EXPECTED-FILE ACTUAL-FILE
compare() {
	if [ "${REGENERATE:-0}" = 1 ]; then
		cp "$3" "$2"
		return
	fi
	if [ ! -f "$2" ]; then
		fail "$1: no golden file $2 (run with REGENERATE=1)"
	elif ! diff -u "$2" "$3" >&2; then
		fail "$1: output differs from $2"
	fi
}

total() {
	"$HVL" overhead --log-format text "$@" --json | jq -r .total
}

# 1. The breakdown of each example.
for vmi in "$examples"/*.json; do
	name=$(basename "$vmi" .json)
	if ! "$HVL" overhead --log-format text --vmi "$vmi" --json >"$tmp/$name.json" 2>"$tmp/$name.err"; then
		fail "$name: exit status $? ($(cat "$tmp/$name.err"))"
		continue
	fi
	compare "$name" "$golden/$name.json" "$tmp/$name.json"
	# The breakdown adds up to the total.
	sum=$(jq '[.terms[].bytes] | add' "$tmp/$name.json")
	[ "$sum" = "$(jq .total "$tmp/$name.json")" ] || fail "$name: terms add up to $sum, not the total"
	# The v1.1.1-defaulted form costs the same except for page tables: its stored VMI carries the memory
	# request that v1.1.1's webhook filled in, which main's does not, so only it pays guest/512.
	"$HVL" overhead --log-format text --vmi "$examples/defaulted/$name.json" --json >"$tmp/$name.defaulted.json"
	without_pt='[.terms[] | select(.name != "page-tables") | .bytes] | add'
	[ "$(jq "$without_pt" "$tmp/$name.defaulted.json")" = "$(jq "$without_pt" "$tmp/$name.json")" ] ||
		fail "$name: the defaulted form differs from the manifest beyond page tables"
	request=$(jq -r '(.spec.template.spec // .spec).domain.resources.requests.memory // empty' "$vmi")
	pt=$(jq '[.terms[] | select(.name == "page-tables") | .bytes] | add' "$tmp/$name.json")
	[ -n "$request" ] || [ "$pt" = 0 ] || fail "$name: no memory request, yet page tables of $pt bytes"
done

# 2. Totals across hypervisors, architectures and a ratio.
{
	echo "# example hypervisor arch ratio total-bytes (KubeVirt main; regenerate with REGENERATE=1)"
	for vmi in "$examples"/*.json; do
		name=$(basename "$vmi" .json)
		for hv in kvm mshv qemu; do
			for arch in amd64 arm64; do
				for ratio in 1 1.5; do
					echo "$name $hv $arch $ratio $(total --vmi "$vmi" --hypervisor "$hv" --arch "$arch" --ratio "$ratio")"
				done
			done
		done
	done
} >"$tmp/totals.txt"
compare totals "$golden/totals.txt" "$tmp/totals.txt"
# The pod's figure does not depend on the hypervisor (upstream's mshv backend is a copy of KVM's).
if [ "$(awk '$1 != "#" {print $1, $3, $4, $5}' "$tmp/totals.txt" | sort -u | wc -l)" != \
	"$(awk '$1 != "#" {print $1, $3, $4}' "$tmp/totals.txt" | sort -u | wc -l)" ]; then
	fail "totals: the same VMI costs differently under different hypervisors"
fi

# 3. Worked figures from KubeVirt main, through the CLI.
cat >"$tmp/one.json" <<'EOF'
{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance", "metadata": {"name": "one"},
 "spec": {"domain": {"resources": {"requests": {"memory": "1Gi"}}, "devices": {}}}}
EOF
[ "$(total --vmi "$tmp/one.json")" = 304087040 ] || fail "1 vCPU 1Gi is not 304087040"
[ "$(total --vmi "$tmp/one.json" --ratio 1.5)" = 456131040 ] || fail "1 vCPU 1Gi, ratio 1.5 is not 456131040"
[ "$(total --vmi - <"$tmp/one.json")" = 304087040 ] || fail "--vmi - does not read stdin"
# The stored (defaulted) Windows VMI carries its 2Gi request: PT 4194304 + F 251658240 + 2 vCPUs 16777216 + IOThread
# 8388608 + video 33554432 + TPM 55574528 = 370147328; the manifest has no request: 365953024.
[ "$(total --vmi "$examples/defaulted/vmi-windows.json")" = 370147328 ] || fail "defaulted vmi-windows is not 370147328"
[ "$(total --vmi "$examples/vmi-windows.json")" = 365953024 ] || fail "vmi-windows is not 365953024"
"$HVL" overhead --vmi "$tmp/one.json" >"$tmp/one.txt" || fail "text output: exit status $?"
grep -q '^total  *304087040  *290.00$' "$tmp/one.txt" || fail "text output lacks the total line: $(cat "$tmp/one.txt")"
"$HVL" overhead --vmi "$tmp/one.json" --hypervisor mshv >"$tmp/mshv.txt" || fail "mshv: exit status $?"
grep -q '^mshv-partition-deposit  *851968 ' "$tmp/mshv.txt" || fail "mshv: no partition deposit line"

# 4. Cluster settings from a KubeVirt CR: the ratio, binding plugins (declared memory counts once per plugin).
cat >"$tmp/plugin.json" <<'EOF'
{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance", "metadata": {"name": "plugin"},
 "spec": {"domain": {"resources": {"requests": {"memory": "1Gi"}},
   "devices": {"interfaces": [{"name": "a", "binding": {"name": "mybind"}}]}},
  "networks": [{"name": "a", "pod": {}}]}}
EOF
cat >"$tmp/kv.json" <<'EOF'
{"apiVersion": "kubevirt.io/v1", "kind": "KubeVirt", "metadata": {"name": "kubevirt", "namespace": "kubevirt"},
 "spec": {"configuration": {"additionalGuestMemoryOverheadRatio": "1.5",
   "network": {"binding": {"mybind": {"sidecarImage": "example/mybind",
     "computeResourceOverhead": {"requests": {"memory": "100Mi"}}}}}}}}
EOF
# R(304087040, 1.5) = 152044000; + 100Mi 104857600 = 560988640
[ "$(total --vmi "$tmp/plugin.json" --kubevirt-config "$tmp/kv.json")" = 560988640 ] ||
	fail "KubeVirt CR: ratio 1.5 and a 100Mi plugin do not give 560988640"
# --ratio overrides the CR's ratio: 304087040 + 104857600 = 408944640
[ "$(total --vmi "$tmp/plugin.json" --kubevirt-config "$tmp/kv.json" --ratio 1)" = 408944640 ] ||
	fail "--ratio does not override the KubeVirt CR"
jq '{items: [.]}' "$tmp/kv.json" >"$tmp/kv-list.json"
[ "$(total --vmi "$tmp/plugin.json" --kubevirt-config "$tmp/kv-list.json")" = 560988640 ] ||
	fail "a List holding the KubeVirt CR is not accepted"

# The live-update settings change the defaults (maxSockets, maxGuest) but not the figure: KubeVirt's
# GetMemoryOverhead counts sockets x cores x threads and the memory request, never maxSockets or maxGuest.
echo '{"spec": {"configuration": {"vmRolloutStrategy": "Stage"}}}' >"$tmp/kv-stage.json"
echo '{"spec": {"configuration": {"liveUpdateConfiguration": {"maxCpuSockets": 16, "maxGuest": "64Gi"}}}}' \
	>"$tmp/kv-max.json"
for name in vmi-fedora vmi-windows vmi-secureboot; do
	base=$(total --vmi "$examples/$name.json")
	for cr in kv-stage kv-max; do
		[ "$(total --vmi "$examples/$name.json" --kubevirt-config "$tmp/$cr.json")" = "$base" ] ||
			fail "$name: the overhead changes with $cr.json"
	done
done
# The CR's other defaults do reach it, as admission applies them before virt-controller computes the overhead:
# a cpuRequest of 2 gives a VMI without CPU settings 2 vCPUs, 8Mi more (288Mi -> 296Mi).
echo '{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance", "metadata": {"name": "nocpu"},
 "spec": {"domain": {"devices": {}, "memory": {"guest": "1Gi"}}}}' >"$tmp/nocpu.json"
echo '{"spec": {"configuration": {"cpuRequest": "2"}}}' >"$tmp/kv-cpu-request.json"
[ "$(total --vmi "$tmp/nocpu.json")" = 301989888 ] || fail "nocpu: not 288Mi without a CR"
[ "$(total --vmi "$tmp/nocpu.json" --kubevirt-config "$tmp/kv-cpu-request.json")" = 310378496 ] ||
	fail "nocpu: the CR's cpuRequest of 2 does not give 2 vCPUs' overhead (296Mi)"
echo '{"spec": {"configuration": {"vmRolloutStrategy": "Staged"}}}' >"$tmp/kv-bad-strategy.json"
expect_cr_status=$("$HVL" overhead --log-format text --vmi "$examples/vmi-fedora.json" \
	--kubevirt-config "$tmp/kv-bad-strategy.json" 2>&1 >/dev/null)
[ $? = 3 ] && [[ $expect_cr_status == *"spec.configuration.vmRolloutStrategy must be \"LiveUpdate\" or \"Stage\""* ]] ||
	fail "a bad vmRolloutStrategy is not refused with exit 3: $expect_cr_status"

# 5. Bad input: status and a message that names the problem.
# expect STATUS PATTERN ARGS...
expect() {
	local status=$1 pattern=$2
	shift 2
	"$HVL" overhead --log-format text "$@" >"$tmp/out" 2>"$tmp/err"
	local got=$?
	[ "$got" = "$status" ] || fail "overhead $*: exit status $got, expected $status ($(cat "$tmp/err"))"
	grep -q -- "$pattern" "$tmp/err" || fail "overhead $*: message '$(cat "$tmp/err")' lacks '$pattern'"
	[ ! -s "$tmp/out" ] || fail "overhead $*: wrote to stdout on failure"
}
expect 2 "VMI is required" --json
expect 2 "'0.5'" --vmi "$tmp/one.json" --ratio 0.5
expect 2 "'x'" --vmi "$tmp/one.json" --ratio x
expect 2 "ppc" --vmi "$tmp/one.json" --arch ppc64le
expect 3 "$tmp/missing.json" --vmi "$tmp/missing.json"
echo '{"kind": "VirtualMachineInstance", "metadata": {"name": "x"}, "spec": {"domain": {"memory": {"guest": "12Qi"}}}}' \
	>"$tmp/bad.json"
expect 3 "'12Qi'" --vmi "$tmp/bad.json"
echo '{"spec": {"configuration": {"additionalGuestMemoryOverheadRatio": "0.9"}}}' >"$tmp/kv-bad.json"
expect 3 "additionalGuestMemoryOverheadRatio: '0.9' cannot be smaller than 1.0" --vmi "$tmp/one.json" \
	--kubevirt-config "$tmp/kv-bad.json"
echo '{"spec": {"configuration": {"network": {"binding": {"b": {"computeResourceOverhead": {"requests": {"memory": "lots"}}}}}}}}' \
	>"$tmp/kv-bad2.json"
expect 3 "spec.configuration.network.binding.b.computeResourceOverhead.requests.memory: 'lots'" \
	--vmi "$tmp/one.json" --kubevirt-config "$tmp/kv-bad2.json"
echo '{"spec": {"configuration": {"additionalGuestMemoryOverheadRatio": 1.5}}}' >"$tmp/kv-bad3.json"
expect 3 "must be a string" --vmi "$tmp/one.json" --kubevirt-config "$tmp/kv-bad3.json"

# The entrypoint's plan must carry the same figure as the overhead command (one computation, two callers).
# The device plugin's variable and the DRA metadata file (under --dev-root) allocate the examples' GPUs.
mkdir -p "$tmp/devroot"
cp -R "$HVL_TOP/tests/data/convert/dra-root/." "$tmp/devroot/"
for f in "$HVL_TOP"/tests/data/examples/vmi-*.json; do
	name=$(basename "$f" .json)
	want=$("$HVL" overhead --hypervisor qemu --vmi "$f" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
	PCI_RESOURCE_NVIDIA_COM_GP102GL_TESLA_P40=0000:65:00.0 "$HVL" --dry-run --no-libvirt --hypervisor qemu \
		--dev-root "$tmp/devroot" --state-dir "$tmp/state" --vmi "$f" -- /bin/true >"$tmp/plan.$name.json" 2>/dev/null ||
		{ fail "$name.json: entrypoint --dry-run failed"; continue; }
	got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["overheadBytes"])' "$tmp/plan.$name.json")
	[ "$got" = "$want" ] || fail "$name.json: entrypoint plans overhead $got, the overhead command says $want"
done
# A GPU from a DRA claim is a VFIO device like a device plugin's (vmitrait.HasVFIO looks at spec.domain.devices.gpus):
# the same 1Gi overhead term and the same unlimited locked memory.
vfio() { jq -c '[.terms[] | select(.name == "vfio")]' "$golden/$1.json"; }
[ "$(vfio vmi-dra-pgpu)" = '[{"name":"vfio","bytes":1073741824}]' ] && [ "$(vfio vmi-dra-pgpu)" = "$(vfio vmi-gpu)" ] ||
	fail "vmi-dra-pgpu: the VFIO term is $(vfio vmi-dra-pgpu), vmi-gpu's is $(vfio vmi-gpu)"
memlock() { jq -c '.limits.memlock | {change, value, why}' "$tmp/plan.$1.json" 2>/dev/null; }
[ "$(memlock vmi-dra-pgpu)" = "$(memlock vmi-gpu)" ] && jq -e '.limits.memlock.value == "unlimited"' \
	"$tmp/plan.vmi-dra-pgpu.json" >/dev/null ||
	fail "vmi-dra-pgpu: --dry-run plans memlock $(memlock vmi-dra-pgpu), vmi-gpu $(memlock vmi-gpu)"
# The plan converts the VMI, and its GPU is allocated through the metadata under --dev-root: without it, exit 3.
mkdir -p "$tmp/empty-root"
"$HVL" --log-format text --dry-run --no-libvirt --hypervisor qemu --dev-root "$tmp/empty-root" --state-dir "$tmp/state" \
	--vmi "$examples/vmi-dra-pgpu.json" -- /bin/true >/dev/null 2>"$tmp/err"
status=$?
[ "$status" = 3 ] && grep -q "no device is allocated to 'example-gpu' yet" "$tmp/err" ||
	fail "vmi-dra-pgpu without its metadata: --dry-run exits $status: $(cat "$tmp/err")"

# The entrypoint warns when the pod's memory limit cannot hold guest + overhead (cgroup v2 layout).
mkdir -p "$tmp/cg"
touch "$tmp/cg/cgroup.controllers"
echo 500000000 >"$tmp/cg/memory.max"
HVL_CGROUP_ROOT="$tmp/cg" "$HVL" --log-format text --dry-run --no-libvirt --hypervisor qemu --state-dir "$tmp/state" \
	--vmi "$examples/vmi-fedora.json" -- /bin/true >/dev/null 2>"$tmp/err" || fail "podcheck: --dry-run failed"
grep -q "memory limit is 476.8 MiB.*at least 1325989888 bytes" "$tmp/err" ||
	fail "podcheck: no warning for a 500 MB pod: $(cat "$tmp/err")"
echo max >"$tmp/cg/memory.max"
HVL_CGROUP_ROOT="$tmp/cg" "$HVL" --log-format text --dry-run --no-libvirt --hypervisor qemu --state-dir "$tmp/state" \
	--vmi "$examples/vmi-fedora.json" -- /bin/true >/dev/null 2>"$tmp/err" || fail "podcheck: --dry-run failed"
! grep -q "memory limit" "$tmp/err" || fail "podcheck: warned without a limit: $(cat "$tmp/err")"

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)" >&2
	exit 1
fi
[ "${REGENERATE:-0}" = 1 ] && echo "golden files rewritten in $golden" >&2
exit 0
