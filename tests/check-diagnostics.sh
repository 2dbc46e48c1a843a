#!/bin/bash
# The exit status table of docs/hyperv-layered-troubleshooting.md holds: for every status from 1 to 127 a
# scenario below must end with exactly that status and the table's sample message ("…" stands for any text).
set -uo pipefail
cd "${HVL_TOP:-$(dirname "$0")/..}" || exit 1
: "${HVL:?HVL must name the hvl-launcher binary}"
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HVL_LOG_FORMAT=text HVL_STATE_DIR=$tmp/state
unset HVL_FEATURE_GATES HVL_KUBEVIRT_CONFIG HVL_HYPERVISOR HVL_NEXT HVL_DEV_ROOT HVL_ALLOW_EMULATION
mkdir -p "$tmp/root" "$tmp/bin"
printf 'not a program\n' >"$tmp/bin/noexec"
chmod 0644 "$tmp/bin/noexec"
vmi=tests/data/examples/vmi-fedora.json
python3 - "$vmi" "$tmp/tiny.json" "$tmp/slirp.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = json.loads(json.dumps(d))
t["spec"]["domain"].pop("resources", None)
t["spec"]["domain"]["memory"] = {"guest": "1n"}
json.dump(t, open(sys.argv[2], "w"))
d["spec"]["domain"]["devices"]["interfaces"][0] = {"name": d["spec"]["domain"]["devices"]["interfaces"][0]["name"], "slirp": {}}
json.dump(d, open(sys.argv[3], "w"))
PY
truncate -s 1M "$tmp/disk.img"

scenario() { # STATUS: run the command that shows it
	case $1 in
	1) "$HVL" detect --no-libvirt --allow-emulation >/dev/full ;;
	2) "$HVL" convert --hypervisor hyperv "$vmi" ;;
	3) "$HVL" convert --hypervisor kvm "$tmp/tiny.json" ;;
	4) "$HVL" detect --no-libvirt --dev-root "$tmp/root" ;;
	5) "$HVL" convert --hypervisor kvm "$tmp/slirp.json" ;;
	6) "$HVL" run --allow-emulation --dev-root "$tmp/root" --connect "qemu+unix:///system?socket=$tmp/no-socket" \
		--disk containerdisk="$tmp/disk.img" --disk cloudinitdisk="$tmp/disk.img" "$vmi" ;;
	126) "$HVL" --no-libvirt --allow-emulation --dev-root "$tmp/root" --memlock off -- "$tmp/bin/noexec" ;;
	127) HVL_NEXT= HVL_NO_LIBVIRT=1 HVL_ALLOW_EMULATION=1 HVL_DEV_ROOT=$tmp/root HVL_MEMLOCK=off \
		"$tmp/bin/virt-launcher-monitor" --name testvmi ;;
	esac
}
ln -s "$HVL" "$tmp/bin/virt-launcher-monitor"

python3 - docs/hyperv-layered-troubleshooting.md >"$tmp/table" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
section = text[text.index("## Exit statuses"):text.index("## Detection and fallback")]
for m in re.finditer(r"^\| (\d+) \| [^|]* \| `(.+?)` \|", section, re.M):
    print("%s\t%s" % (m.group(1), m.group(2)))
PY
failures=0 checked=0
while IFS=$'\t' read -r status sample; do
	scenario "$status" >/dev/null 2>"$tmp/err"
	got=$?
	checked=$((checked + 1))
	line=$(sed -n 's/^hvl-launcher: error: //p' "$tmp/err" | tail -1)
	if ! python3 - "$sample" "$line" <<'PY'; then
import re, sys
pattern = ".*".join(re.escape(part) for part in sys.argv[1].split("…"))
sys.exit(0 if re.fullmatch(pattern, sys.argv[2]) else 1)
PY
		echo "FAIL: exit status $status: the message is not the table's sample"
		echo "  table: $sample"
		echo "  got:   $line"
		failures=$((failures + 1))
	elif [ "$got" != "$status" ]; then
		echo "FAIL: the scenario for exit status $status ended with $got: $line"
		failures=$((failures + 1))
	else
		echo "ok: exit status $status: $line"
	fi
done <"$tmp/table"
if [ "$checked" -lt 8 ]; then
	echo "FAIL: the table has $checked sample messages, expected one for each of 1-6, 126 and 127"
	failures=$((failures + 1))
fi
[ "$failures" -eq 0 ]
