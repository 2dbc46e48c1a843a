#!/bin/bash
# Hook mode end to end, through the binary, the way KubeVirt's sidecar-shim calls it:
# KubeVirt's own domain_x86_64.xml for each hypervisor (gate off and kvm byte-identical, mshv and qemu
# against goldens that pass virt-xml-validate once KubeVirt's own schema quirks are normalised away),
# the decision file, exit statuses and messages.  REGENERATE=1 rewrites the goldens.
set -uo pipefail
: "${HVL:?HVL must name the hvl-launcher binary}"
: "${HVL_TOP:?HVL_TOP must name the source tree}"

data=$HVL_TOP/tests/data/hook
input=$HVL_TOP/tests/data/kubevirt/domain_x86_64.xml
vmi=$(cat "$data/testvmi.json")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Nothing from the caller's environment may steer the hook.
unset HVL_FEATURE_GATES HVL_KUBEVIRT_CONFIG HVL_HYPERVISOR HVL_CPU_MODEL HVL_DEV_ROOT HVL_CONNECT HVL_VERBOSITY
export HVL_STATE_DIR=$tmp/no-state HVL_NO_LIBVIRT=1 HVL_LOG_FORMAT=text

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
pass() { echo "ok: $*"; }

# $domain: the exact bytes of a file, for one argument (plain $(cat) would drop the trailing newline).
set_domain() {
	local d
	d=$(cat "$1"; printf x)
	domain=${d%x}
}
set_domain "$input"

# The shim finds hooks by name in $PATH: install the binary as onDefineDomain / preCloudInitIso.
mkdir -p "$tmp/bin"
ln -s "$HVL" "$tmp/bin/onDefineDomain"
ln -s "$HVL" "$tmp/bin/preCloudInitIso"

run_hook() { # run_hook OUT [ARGS...]: the shim's call plus ARGS, status in $status
	local out=$1
	shift
	PATH=$tmp/bin:$PATH onDefineDomain --vmi "$vmi" --domain "$domain" "$@" >"$out" 2>"$out.err"
	status=$?
}

expect_identical() { # expect_identical DESC [ARGS...]
	local desc=$1
	shift
	run_hook "$tmp/out.xml" "$@"
	if [ "$status" -ne 0 ]; then
		fail "$desc: exit $status: $(cat "$tmp/out.xml.err")"
	elif ! cmp -s "$tmp/out.xml" "$input"; then
		fail "$desc: output differs from KubeVirt's input"
		diff "$input" "$tmp/out.xml" | head -20 >&2
	else
		pass "$desc: byte-identical"
	fi
}

expect_identical "gate off (default)"
expect_identical "gate off (explicit), mshv requested" --feature-gates HyperVLayered=false --hypervisor mshv
expect_identical "gate on, no decision file, KubeVirt built kvm" --feature-gates HyperVLayered
expect_identical "gate on, kvm profile" --feature-gates HyperVLayered --hypervisor kvm
HVL_FEATURE_GATES=HyperVLayered expect_identical "gate on from HVL_FEATURE_GATES, kvm" --hypervisor kvm

# Schema check on a normalised copy (see tests/data/hook/README.md for why KubeVirt's XML needs it).
normalise() {
	python3 - "$1" <<'EOF'
import sys
import xml.etree.ElementTree as ET

KEEP = {"acpi", "apic", "pae", "hap", "privnet", "viridian", "smm", "readonly", "shareable", "transient"}
tree = ET.parse(sys.argv[1])

def strip(parent):
    for child in list(parent):
        strip(child)
        if child.tag in KEEP or child.attrib or len(child) or (child.text or "").strip():
            continue
        parent.remove(child)

strip(tree.getroot())
for disk in tree.getroot().iter("disk"):
    source = disk.find("source")
    if disk.get("type") == "block" and source is not None:
        source.attrib.pop("name", None)
# KubeVirt's PCI hostdevs say type="pci" on <source><address>, which libvirt reads but its schema has not.
for address in tree.getroot().findall("./devices/hostdev/source/address"):
    address.attrib.pop("type", None)
tree.write(sys.stdout.buffer)
EOF
}

validate() { # validate DESC FILE
	if ! command -v virt-xml-validate >/dev/null || ! command -v python3 >/dev/null; then
		echo "SKIP (part): virt-xml-validate or python3 is missing, so $1 is not schema-checked"
		return
	fi
	normalise "$2" >"$tmp/normalised.xml" || { fail "$1: cannot normalise"; return; }
	if virt-xml-validate "$tmp/normalised.xml" domain >"$tmp/validate.log" 2>&1; then
		pass "$1: valid against libvirt's domain schema (normalised)"
	else
		fail "$1: virt-xml-validate: $(tail -3 "$tmp/validate.log")"
	fi
}

validate "KubeVirt's input" "$input"

for hv in mshv qemu; do
	golden=$data/domain_x86_64.$hv.xml
	run_hook "$tmp/$hv.xml" --feature-gates HyperVLayered --hypervisor "$hv"
	if [ "$status" -ne 0 ]; then
		fail "$hv: exit $status: $(cat "$tmp/$hv.xml.err")"
		continue
	fi
	if [ "${REGENERATE:-0}" = 1 ]; then
		cp "$tmp/$hv.xml" "$golden"
		echo "regenerated $golden"
	elif ! cmp -s "$tmp/$hv.xml" "$golden"; then
		fail "$hv: output differs from $golden (REGENERATE=1 rewrites it)"
		diff "$golden" "$tmp/$hv.xml" | head -20 >&2
	else
		pass "$hv: matches the golden"
	fi
	validate "$hv golden" "$golden"
	grep -q '<bios></bios>' "$golden" && grep -q '<domain type="'"$([ $hv = mshv ] && echo hyperv || echo qemu)"'" xmlns:qemu=' "$golden" ||
		fail "$hv golden: KubeVirt's empty elements or root attribute order were not kept"

	# Idempotent: a second pass (say, two hook sidecars) changes nothing, byte for byte.
	set_domain "$golden"
	run_hook "$tmp/$hv.again.xml" --feature-gates HyperVLayered --hypervisor "$hv"
	if [ "$status" -eq 0 ] && cmp -s "$tmp/$hv.again.xml" "$golden"; then
		pass "$hv: a second pass is a no-op"
	else
		fail "$hv: a second pass changed the domain (exit $status)"
	fi
	set_domain "$input"
done

# The decision file (launcher/state.h) drives the hook when nothing is forced.  First written by the real
# entrypoint (forced to qemu, as this machine has no /dev/mshv; NEXT is /bin/true), as in a drop-in pod.
uid=f4686d2c-6e8d-4335-b8fd-81bee22f4814
if "$HVL" --log-format text --state-dir "$tmp/state" --feature-gates HyperVLayered --hypervisor qemu --no-libvirt \
	--memlock off -- /bin/true --uid "$uid" --name testvmi --namespace mynamespace >"$tmp/entry.log" 2>&1; then
	HVL_STATE_DIR=$tmp/state run_hook "$tmp/state.xml"
	if [ "$status" -eq 0 ] && cmp -s "$tmp/state.xml" "$data/domain_x86_64.qemu.xml"; then
		pass "entrypoint's decision file (gate on, qemu): the qemu golden"
	else
		fail "entrypoint's decision file: exit $status, $(head -c 300 "$tmp/state.xml.err")"
	fi
else
	fail "the entrypoint could not write a decision file: $(cat "$tmp/entry.log")"
fi

write_decision() { # write_decision HV GATE UID
	mkdir -p "$tmp/state"
	cat >"$tmp/state/decision.json" <<EOF
{"version":1,"hypervisor":"$1","domainType":"x","reason":"test","featureGate":{"name":"HyperVLayered","enabled":$2},
 "emulationAllowed":false,"overheadBytes":null,"domainXML":null,"memlock":null,
 "vmi":{"name":"testvmi","namespace":"mynamespace","uid":"$3"}}
EOF
}
write_decision mshv true "$uid"
HVL_STATE_DIR=$tmp/state run_hook "$tmp/state.xml"
if [ "$status" -eq 0 ] && cmp -s "$tmp/state.xml" "$data/domain_x86_64.mshv.xml"; then
	pass "decision file (gate on, mshv chosen): the mshv golden"
else
	fail "decision file (gate on, mshv chosen): exit $status, $(head -c 300 "$tmp/state.xml.err")"
fi
write_decision kvm true "$uid"
HVL_STATE_DIR=$tmp/state expect_identical "decision file: kvm, as KubeVirt built it"
write_decision mshv false "$uid"
HVL_STATE_DIR=$tmp/state expect_identical "decision file with the gate off"
write_decision mshv true "another-uid"
HVL_STATE_DIR=$tmp/state run_hook "$tmp/bad.xml"
if [ "$status" -eq 3 ] && grep -q "uid 'another-uid'" "$tmp/bad.xml.err" && [ ! -s "$tmp/bad.xml" ]; then
	pass "decision file for another VMI: refused with exit 3"
else
	fail "decision file for another VMI: exit $status, stderr: $(cat "$tmp/bad.xml.err")"
fi
printf '{"featureGate":' >"$tmp/state/decision.json"
HVL_STATE_DIR=$tmp/state run_hook "$tmp/bad.xml"
if [ "$status" -eq 3 ] && grep -q "decision.json" "$tmp/bad.xml.err" && [ ! -s "$tmp/bad.xml" ]; then
	pass "corrupt decision file: exit 3, named in the message, nothing on stdout"
else
	fail "corrupt decision file: exit $status, stderr: $(cat "$tmp/bad.xml.err")"
fi

# KubeVirt's hook manager indents with tabs; that indentation survives the edit.
sed 's/  /\t/g' "$input" >"$tmp/tabs.xml"
set_domain "$tmp/tabs.xml"
run_hook "$tmp/tabs.out" --feature-gates HyperVLayered --hypervisor mshv
if [ "$status" -eq 0 ] && grep -q $'^\t\t<bios></bios>$' "$tmp/tabs.out" && ! grep -q '^ ' "$tmp/tabs.out" &&
	grep -q $'^\t<cpu mode="custom">$' "$tmp/tabs.out"; then
	pass "tab-indented input keeps its tabs"
else
	fail "tab-indented input: exit $status"
fi
set_domain "$input"

# Failures: status, message on stderr, nothing on stdout.
expect_failure() { # expect_failure DESC STATUS NEEDLE -- COMMAND...
	local desc=$1 want=$2 needle=$3
	shift 4
	"$@" >"$tmp/f.out" 2>"$tmp/f.err"
	local got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$desc: exit $got, wanted $want: $(cat "$tmp/f.err")"
	elif ! grep -qF -- "$needle" "$tmp/f.err"; then
		fail "$desc: stderr lacks '$needle': $(cat "$tmp/f.err")"
	elif [ -s "$tmp/f.out" ]; then
		fail "$desc: wrote to stdout"
	else
		pass "$desc: exit $want"
	fi
}
on=(--feature-gates HyperVLayered)
expect_failure "missing --domain" 2 "needs --domain" -- "$tmp/bin/onDefineDomain" --vmi "$vmi"
expect_failure "unknown option" 2 "Unknown or ambiguous option '--domian'" -- \
	"$tmp/bin/onDefineDomain" --vmi "$vmi" --domian x
expect_failure "bad --version" 2 "'v9' is not a hook API version" -- \
	"$HVL" hook --version v9 --vmi "$vmi" --domain "$domain"
expect_failure "VMI is not JSON" 3 "--vmi: The VMI JSON is not valid JSON" -- \
	"$tmp/bin/onDefineDomain" "${on[@]}" --vmi '{"metadata":' --domain "$domain"
expect_failure "DOCTYPE (XXE)" 3 "document type declaration" -- \
	"$tmp/bin/onDefineDomain" "${on[@]}" --vmi "$vmi" \
	--domain '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/shadow">]><domain type="kvm">&x;</domain>'
expect_failure "not well-formed" 3 "not well-formed (line 2" -- \
	"$tmp/bin/onDefineDomain" "${on[@]}" --vmi "$vmi" --domain $'<domain type="kvm">\n</domian>'
expect_failure "VFIO on mshv" 5 "is not supported on mshv" -- \
	"$tmp/bin/onDefineDomain" "${on[@]}" --hypervisor mshv --vmi "$vmi" \
	--domain '<domain type="kvm"><devices><hostdev mode="subsystem" type="pci"></hostdev></devices></domain>'
# GPUs and host devices from DRA claims, as KubeVirt main's virt-launcher writes them before the hook runs
# (tests/data/hook/dra-hostdevs.xml: a PCI host device, a PCI GPU and a vGPU, placed after the channels as its
# Devices struct orders them): kvm keeps the domain byte for byte, qemu keeps the hostdevs and changes what it
# changes without them, mshv refuses VFIO.
with_dra() { # IN OUT: IN with the DRA hostdevs before its first controller
	awk -v snippet="$data/dra-hostdevs.xml" '!done && /^    <controller / { while ((getline l < snippet) > 0) print l; done = 1 } { print }' \
		"$1" >"$2"
}
with_dra "$input" "$tmp/dra.xml"
with_dra "$data/domain_x86_64.qemu.xml" "$tmp/dra.qemu.xml"
grep -q 'ua-dra-gpu-vgpu1' "$tmp/dra.xml" && grep -q 'ua-dra-gpu-vgpu1' "$tmp/dra.qemu.xml" || fail "DRA: the hostdevs were not inserted"
set_domain "$tmp/dra.xml"
validate "KubeVirt's domain with DRA hostdevs" "$tmp/dra.xml"
run_hook "$tmp/dra.kvm.out" --feature-gates HyperVLayered --hypervisor kvm
if [ "$status" -eq 0 ] && cmp -s "$tmp/dra.kvm.out" "$tmp/dra.xml"; then
	pass "DRA hostdevs, kvm: byte-identical"
else
	fail "DRA hostdevs, kvm: exit $status, or the domain changed"
fi
run_hook "$tmp/dra.qemu.out" --feature-gates HyperVLayered --hypervisor qemu
if [ "$status" -eq 0 ] && cmp -s "$tmp/dra.qemu.out" "$tmp/dra.qemu.xml"; then
	pass "DRA hostdevs, qemu: kept, the rest as the qemu golden"
else
	fail "DRA hostdevs, qemu: exit $status: $(diff "$tmp/dra.qemu.xml" "$tmp/dra.qemu.out" | head -10) $(cat "$tmp/dra.qemu.out.err")"
fi
expect_failure "DRA hostdevs on mshv" 5 "/domain/devices/hostdev[1][@type='pci']: device passthrough with VFIO" -- \
	"$tmp/bin/onDefineDomain" "${on[@]}" --hypervisor mshv --vmi "$vmi" --domain "$domain"
set_domain "$input"

head -c $((3 << 20)) /dev/zero | tr '\0' ' ' >"$tmp/huge.xml"
expect_failure "oversized --domain-file" 3 "limit" -- \
	"$HVL" hook "${on[@]}" --vmi "$vmi" --domain-file "$tmp/huge.xml"
# The log format asked for holds from the first line, even for a failure while the arguments are read.
HVL_LOG_FORMAT=json "$HVL" hook "${on[@]}" --vmi "$vmi" --domain-file "$tmp/huge.xml" --log-format text \
	>/dev/null 2>"$tmp/fmt.err"
if [ "$(wc -l <"$tmp/fmt.err")" -eq 1 ] && grep -q "^hvl-launcher: error: The domain XML file '.*' is larger" "$tmp/fmt.err"; then
	pass "oversized --domain-file: logged in the text format asked for"
else
	fail "oversized --domain-file with --log-format text: $(cat "$tmp/fmt.err")"
fi
HVL_LOG_FORMAT=text "$HVL" hook --log-format json --bogus >/dev/null 2>"$tmp/fmt.err"
if grep -q '^{"component":"hvl-launcher","level":"error","msg":"Unknown or ambiguous option' "$tmp/fmt.err"; then
	pass "a usage error is logged in the format of --log-format, over HVL_LOG_FORMAT"
else
	fail "usage error with --log-format json: $(cat "$tmp/fmt.err")"
fi

# The message catalogue of hook mode: every tests/data/hook/errors/<name>.args (one argument per line) must fail
# with the status and the error line in <name>.err, and print nothing on stdout.  REGENERATE=1 rewrites the .err
# files (tests/data/hook/errors/README.md describes the tokens).
errors=$data/errors
gen() { # gen NAME: a generated input on stdout
	case $1 in
	deep-vmi) printf '{"metadata":{"name":"testvmi","labels":{"x":'; head -c 100 /dev/zero | tr '\0' '[' ;;
	deep-domain) printf '<domain type="kvm"><devices>'; for ((i = 0; i < 300; i++)); do printf '<a>'; done ;;
	long-name-domain) printf '<domain type="kvm"><'; head -c 60000 /dev/zero | tr '\0' 'n'; printf '/></domain>' ;;
	nul-domain) printf '<domain type="kvm"><name>test\0vmi</name></domain>' ;;
	huge-domain) head -c $((3 << 20)) /dev/zero | tr '\0' ' ' ;;
	*) echo "unknown generator $1" >&2; return 1 ;;
	esac
}
content() { # content FILE: the exact bytes as one word (a trailing newline kept)
	local c
	c=$(cat "$1"; printf x)
	printf '%s' "${c%x}"
}
catalogue_failures=0 catalogue_checked=0
for args_file in "$errors"/*.args; do
	name=$(basename "$args_file" .args)
	golden=$errors/$name.err
	argv=()
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		@VMI) argv+=("$vmi") ;;
		@DOMAIN) argv+=("$domain") ;;
		@TEXT:*) argv+=("$(content "$errors/${line#@TEXT:}")") ;;
		@FILE:*) argv+=("$errors/${line#@FILE:}") ;;
		@GEN:*) argv+=("$(gen "${line#@GEN:}")") ;;
		@GENFILE:*) gen "${line#@GENFILE:}" >"$tmp/gen-$name"; argv+=("$tmp/gen-$name") ;;
		*) argv+=("$line") ;;
		esac
	done <"$args_file"
	"$HVL" hook "${argv[@]}" >"$tmp/cat.out" 2>"$tmp/cat.err"
	got_status=$?
	got_line=$(grep -v '^hvl-launcher: info: ' "$tmp/cat.err" | tail -1)
	got_line=${got_line//"$errors"/@DIR}
	got_line=${got_line//"$tmp"/@TMP}
	catalogue_checked=$((catalogue_checked + 1))
	if [ "${REGENERATE:-0}" = 1 ]; then
		printf 'status %s\n%s\n' "$got_status" "$got_line" >"$golden"
		continue
	fi
	want_status=$(sed -n '1s/^status //p' "$golden" 2>/dev/null)
	want_line=$(sed -n '2p' "$golden" 2>/dev/null)
	if [ "$got_status" != "$want_status" ] || [ "$got_line" != "$want_line" ]; then
		fail "hook error golden $name: exit $got_status, '$got_line'; expected exit $want_status, '$want_line'"
		catalogue_failures=$((catalogue_failures + 1))
	elif [ -s "$tmp/cat.out" ]; then
		fail "hook error golden $name: wrote to stdout"
		catalogue_failures=$((catalogue_failures + 1))
	elif [ "$got_status" = 0 ] || grep -q 'success\|XML_PARSE_HUGE\|json_tokener' "$tmp/cat.err"; then
		fail "hook error golden $name: a library word or no failure: $(cat "$tmp/cat.err")"
		catalogue_failures=$((catalogue_failures + 1))
	fi
done
if [ "$catalogue_checked" -lt 40 ]; then
	fail "hook error goldens: only $catalogue_checked cases in $errors"
elif [ "$catalogue_failures" -eq 0 ]; then
	pass "hook error goldens: $catalogue_checked cases, each with its status and message"
fi

# preCloudInitIso (not installed by our image, but harmless if it is): data comes back unchanged.
ci='{"noCloud": {"userData": "#cloud-config\n"}}'
out=$(PATH=$tmp/bin:$PATH preCloudInitIso --vmi "$vmi" --cloud-init "$ci" 2>/dev/null; printf x)
if [ "${out%x}" = "$ci" ]; then pass "preCloudInitIso passes the data through"; else fail "preCloudInitIso changed the data"; fi

# Logs are KubeVirt JSON lines on stderr by default, naming the VMI.
HVL_LOG_FORMAT= run_hook "$tmp/log.xml"
if grep -q '"name":"testvmi"' "$tmp/log.xml.err" && grep -q '"level":"info"' "$tmp/log.xml.err"; then
	pass "JSON log lines name the VMI"
else
	fail "log lines: $(cat "$tmp/log.xml.err")"
fi

if [ "$failures" -gt 0 ]; then
	echo "$failures failure(s)" >&2
	exit 1
fi
