#!/bin/bash
# Entrypoint mode for real: exec a shell as NEXT and read what it got (capabilities, no_new_privs,
# RLIMIT_MEMLOCK, descriptors, argv, environment), plus the exit statuses and the decision file.
# The host decides what root has: the expected capability sets are the documented set within this shell's
# bounding set; the memlock cases run without CAP_SYS_RESOURCE (dropped for them when root has it, as in a pod
# that was not granted it) and within a hard limit of at most 8 MiB, lowered by prlimit, so the raise path is
# tested within the hard limit and the refusal path for real.  What this host cannot show is named.
set -uo pipefail
: "${HVL:?}"

[ "$(id -u)" = 0 ] || { echo "check-exec: needs root (capability sets of a root process)" >&2; exit 77; }
command -v prlimit >/dev/null || { echo "check-exec: needs prlimit (util-linux)" >&2; exit 77; }

tmp=$(mktemp -d /tmp/hvl-check-exec.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/devroot/dev" # no kvm, no mshv
state=$tmp/state
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# run NAME EXPECTED_STATUS HVL-ARGS... : output in $tmp/NAME.out/.err
run() {
	local name=$1 want=$2 status
	shift 2
	"$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	status=$?
	if [ "$status" != "$want" ]; then
		fail "$name: exit status $status, expected $want"
		sed 's/^/    /' "$tmp/$name.err" >&2
	fi
}

expect_line() { # NAME REGEX
	grep -Eq -- "$2" "$tmp/$1.out" || { fail "$1: no line matching '$2' in:"; sed 's/^/    /' "$tmp/$1.out" >&2; }
}
expect_err() { # NAME TEXT
	grep -Fq -- "$2" "$tmp/$1.err" || { fail "$1: stderr lacks '$2':"; sed 's/^/    /' "$tmp/$1.err" >&2; }
}

skip_part() { echo "SKIP (part): $*"; }
shell_caps() { # SET: this shell's capability set as a number
	echo $((16#$(sed -n "s/^Cap$1:[[:space:]]*//p" /proc/self/status)))
}
expected_caps() { # WANTED-HEX: what remains of WANTED within this shell's bounding set, as /proc prints it
	printf '%016x' $((16#$1 & $(shell_caps Bnd)))
}
have_cap() { # BIT: whether this shell has the capability in its effective set
	(($(shell_caps Eff) >> $1 & 1))
}
for want in 208025fb:"the default set" 400:net_bind_service 800000:sys_nice; do
	[ "$(expected_caps "${want%%:*}")" = "$(printf '%016x' $((16#${want%%:*})))" ] ||
		skip_part "this shell's bounding set lacks part of ${want#*:} (0x${want%%:*}), so only the rest is checked"
done

# Memlock cases: no CAP_SYS_RESOURCE, a hard limit of at most 8 MiB (what this host allows), 1 MiB soft.
no_sys_resource=()
if have_cap 24; then
	no_sys_resource=(setpriv --bounding-set -sys_resource --inh-caps -sys_resource)
fi
hard_kib=$(ulimit -Hl)
[ "$hard_kib" = unlimited ] || [ "$hard_kib" -gt 8192 ] && hard_kib=8192
memlock_ok=1
if [ "$hard_kib" -lt 2048 ]; then
	memlock_ok=0
	skip_part "the hard RLIMIT_MEMLOCK here is $hard_kib KiB (under 2 MiB), so the memlock cases do not run"
fi
hard=$((hard_kib * 1024))
limited=("${no_sys_resource[@]}" prlimit "--memlock=1048576:$hard")
[ "$memlock_ok" = 1 ] || { limited=(); hard=-; }

common=(--log-format text --no-libvirt --dev-root "$tmp/devroot" --allow-emulation --state-dir "$state")
status_script='grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):" /proc/self/status; echo "memlock=$(ulimit -l)"'

# 1. Default capability set: exactly the documented set remains, in every set NEXT runs with.
# chown dac_override fowner fsetid kill setgid setuid setpcap net_bind_service net_raw sys_nice audit_write
run default 0 "$HVL" "${common[@]}" -- /bin/sh -c "$status_script"
default_caps=$(expected_caps 208025fb)
expect_line default "^CapBnd:[[:space:]]+$default_caps\$"
expect_line default "^CapEff:[[:space:]]+$default_caps\$"
expect_line default "^CapPrm:[[:space:]]+$default_caps\$"
expect_line default '^CapAmb:[[:space:]]+0000000000000000$'
expect_line default '^NoNewPrivs:[[:space:]]+1$'

# 2. --keep-caps: only net_bind_service (bit 10) survives, even in the bounding set.
run keep 0 "$HVL" "${common[@]}" --keep-caps CAP_NET_BIND_SERVICE -- /bin/sh -c "$status_script"
expect_line keep "^CapBnd:[[:space:]]+$(expected_caps 400)\$"
expect_line keep "^CapEff:[[:space:]]+$(expected_caps 400)\$"
expect_line keep '^CapInh:[[:space:]]+0000000000000000$'

# 3. An empty list keeps nothing; HVL_KEEP_CAPS works like --keep-caps.
run none 0 env HVL_KEEP_CAPS=sys_nice "$HVL" "${common[@]}" --keep-caps "" -- /bin/sh -c "$status_script"
expect_line none '^CapBnd:[[:space:]]+0000000000000000$'
run envcaps 0 env HVL_KEEP_CAPS=sys_nice "$HVL" "${common[@]}" -- /bin/sh -c "$status_script"
expect_line envcaps "^CapBnd:[[:space:]]+$(expected_caps 800000)\$"

# 4. no_new_privs can be turned off.
run nnp_off 0 env HVL_NO_NEW_PRIVS=0 "$HVL" "${common[@]}" -- /bin/sh -c "$status_script"
expect_line nnp_off '^NoNewPrivs:[[:space:]]+0$'

if [ "$memlock_ok" = 1 ]; then
	# 5. Memlock raised within the hard limit (soft lowered first): warn mode goes as far as the hard limit allows.
	run raise 0 "${limited[@]}" "$HVL" "${common[@]}" --memlock unlimited --memlock-failure warn \
		-- /bin/sh -c "$status_script"
	expect_line raise "^memlock=$hard_kib\$"
	expect_err raise "SYS_RESOURCE"
	grep -q "\"memlock\":$hard" "$state/decision.json" || fail "raise: the decision file does not record $hard"

	# 6. Refusal for real: unlimited needs CAP_SYS_RESOURCE, which the launcher lacks here; NEXT must not run.
	run refuse 1 "${limited[@]}" "$HVL" "${common[@]}" --memlock unlimited -- /bin/sh -c 'echo NEXT-RAN'
	expect_err refuse "Cannot raise RLIMIT_MEMLOCK to unlimited"
	expect_err refuse "add SYS_RESOURCE to the compute container"
	grep -q NEXT-RAN "$tmp/refuse.out" && fail "refuse: NEXT ran although the limit could not be set"

	# 6b. With CAP_SYS_RESOURCE (granted to the pod), unlimited is set.
	if have_cap 24; then
		run granted 0 prlimit "--memlock=1048576:$hard" "$HVL" "${common[@]}" --keep-caps sys_resource \
			--memlock unlimited -- /bin/sh -c "$status_script"
		expect_line granted '^memlock=unlimited$'
	else
		skip_part "root lacks CAP_SYS_RESOURCE here, so raising RLIMIT_MEMLOCK beyond the hard limit is not shown"
	fi

	# 7. --memlock off leaves the inherited limit alone.
	run off 0 "${limited[@]}" "$HVL" "${common[@]}" --memlock off -- /bin/sh -c "$status_script"
	expect_line off '^memlock=1024$'
fi

# 8. NEXT's argv passes through untouched, options that look like ours included.
run argv 0 "$HVL" "${common[@]}" -- /bin/sh -c 'for a in "$@"; do printf "<%s>\n" "$a"; done' sh \
	--hypervisor mshv "two words" "" -- --dry-run
printf '<--hypervisor>\n<mshv>\n<two words>\n<>\n<-->\n<--dry-run>\n' | cmp -s - "$tmp/argv.out" ||
	{ fail "argv: arguments changed:"; cat "$tmp/argv.out" >&2; }

# 9. Environment and decision file: emulation is the only choice under the empty device root.
run env 0 env HVL_HYPERVISOR_CHOSEN=stale "$HVL" "${common[@]}" -- /bin/sh -c 'env | grep ^HVL_ | sort'
expect_line env '^HVL_HYPERVISOR_CHOSEN=qemu$'
expect_line env '^HVL_DOMAIN_TYPE=qemu$'
expect_line env "^HVL_DECISION_FILE=$state/decision.json\$"
[ "$(grep -c '^HVL_HYPERVISOR_CHOSEN=' "$tmp/env.out")" = 1 ] || fail "env: HVL_HYPERVISOR_CHOSEN twice"
grep -q '"hypervisor":"qemu"' "$state/decision.json" || fail "env: decision file does not say qemu"
ls "$state" | grep -q tmp && fail "env: a temporary file was left in the state directory"

# 9b. A state directory that cannot be written: a warning with the gate off (NEXT runs, without
#     HVL_DECISION_FILE), an error with the gate on (the hook sidecar needs the file).
echo "not a directory" >"$tmp/blocker"
run unwritable 0 "$HVL" "${common[@]/$state/$tmp/blocker/sub}" -- /bin/sh -c 'env | grep ^HVL_ | sort'
expect_err unwritable "Cannot record the decision"
expect_line unwritable '^HVL_HYPERVISOR_CHOSEN=qemu$'
grep -q '^HVL_DECISION_FILE=' "$tmp/unwritable.out" && fail "unwritable: HVL_DECISION_FILE names a file that does not exist"
run unwritable_gate 1 "$HVL" "${common[@]/$state/$tmp/blocker/sub}" --feature-gates HyperVLayered -- /bin/touch "$tmp/ran"
expect_err unwritable_gate "Cannot record the decision"
[ -e "$tmp/ran" ] && fail "unwritable_gate: NEXT ran"

# 10. Stray descriptors are not inherited; 0-2 are.
run fds 0 bash -c 'exec 7>/dev/null 9</dev/null; exec "$@"' bash "$HVL" "${common[@]}" -- \
	/bin/sh -c 'for fd in 0 1 2 7 9; do [ -e /proc/$$/fd/$fd ] && printf "%s " $fd; done; echo'
expect_line fds '^0 1 2 $'

# 11. Exit statuses when NEXT cannot run; missing NEXT is a usage error.
run notfound 127 "$HVL" "${common[@]}" -- /nonexistent/virt-launcher-monitor
expect_err notfound "Cannot find NEXT '/nonexistent/virt-launcher-monitor'."
run noexec 126 "$HVL" "${common[@]}" -- /etc/passwd
run nonext 2 "$HVL" "${common[@]}"

# 12. --dry-run: JSON plan, nothing executed, nothing written.
rm -rf "$state"
run dry 0 "${limited[@]}" "$HVL" "${common[@]}" --dry-run -- /bin/touch "$tmp/dry-ran"
[ -e "$tmp/dry-ran" ] && fail "dry: NEXT ran"
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert p["decision"]["hypervisor"]=="qemu"; assert p["exec"]["argv"][0]=="/bin/touch"; assert p["capabilities"]["noNewPrivs"] is True; assert "sys_admin" in p["capabilities"]["drop"]; assert "sys_nice" not in p["capabilities"]["drop"]; assert (sys.argv[2] == "-" or p["limits"]["memlock"]["current"] == {"soft": 1048576, "hard": int(sys.argv[2])})' \
	"$tmp/dry.out" "$hard" 2>"$tmp/dry.py" || { fail "dry: plan JSON:"; cat "$tmp/dry.py" "$tmp/dry.out" >&2; }
[ -e "$state" ] && fail "dry: the state directory was created"

# 13. No usable hypervisor: exit 4 and NEXT does not run.
run nohv 4 "$HVL" --log-format text --no-libvirt --dev-root "$tmp/devroot" --state-dir "$state" -- \
	/bin/sh -c 'echo NEXT-RAN'
grep -q NEXT-RAN "$tmp/nohv.out" && fail "nohv: NEXT ran"

# 14. Drop-in: installed as virt-launcher-monitor, every argument is NEXT's, read for --allow-emulation etc.
mkdir -p "$tmp/bin"
ln -s "$HVL" "$tmp/bin/virt-launcher-monitor"
cat >"$tmp/bin/orig" <<'SH'
#!/bin/sh
echo "orig: $*"
env | grep -E '^HVL_(HYPERVISOR_CHOSEN|DECISION_FILE)='
SH
chmod +x "$tmp/bin/orig"
mkdir -p "$tmp/hooks"
run dropin 0 env HVL_NEXT="$tmp/bin/orig" HVL_DEV_ROOT="$tmp/devroot" HVL_NO_LIBVIRT=1 HVL_LOG_FORMAT=text \
	HVL_STATE_DIR="$state" HVL_FEATURE_GATES=HyperVLayered \
	"$tmp/bin/virt-launcher-monitor" --qemu-timeout 240s --name testvmi --uid 1234-abcd --namespace default \
	--hook-sidecars 0 --hypervisor kvm --allow-emulation
expect_line dropin '^orig: --qemu-timeout 240s --name testvmi --uid 1234-abcd --namespace default --hook-sidecars 0 --hypervisor kvm --allow-emulation$'
expect_line dropin '^HVL_HYPERVISOR_CHOSEN=qemu$'
grep -q '"uid":"1234-abcd"' "$state/decision.json" || fail "dropin: the decision file lacks the VMI uid"
grep -q '"enabled":true' "$state/decision.json" || fail "dropin: the decision file does not record the gate"
# An empty HVL_NEXT is unset, as every empty HVL_* variable (hvl-launcher(1), ENVIRONMENT): the default NEXT.
run dropin_empty_next 127 env HVL_NEXT= HVL_DEV_ROOT="$tmp/devroot" HVL_NO_LIBVIRT=1 HVL_LOG_FORMAT=text \
	HVL_STATE_DIR="$state" "$tmp/bin/virt-launcher-monitor" --name testvmi --allow-emulation
expect_err dropin_empty_next "Cannot find NEXT '/usr/bin/virt-launcher-monitor.orig'."
# An empty NEXT on the command line is a usage error.
run empty_next 2 "$HVL" --log-format text --no-libvirt --dev-root "$tmp/devroot" --allow-emulation \
	--state-dir "$state" -- ''
expect_err empty_next "NEXT is an empty string"
# Without --allow-emulation in virt-controller's argv there is nothing to run.
run dropin_noemu 4 env HVL_NEXT="$tmp/bin/orig" HVL_DEV_ROOT="$tmp/devroot" HVL_NO_LIBVIRT=1 HVL_LOG_FORMAT=text \
	HVL_STATE_DIR="$state" "$tmp/bin/virt-launcher-monitor" --name testvmi --hypervisor kvm

# 15. Non-root, as in KubeVirt's default pods: no capability to drop from the bounding set; no_new_privs
#     covers it.  Already set by the runtime (allowPrivilegeEscalation: false) counts too.
if command -v setpriv >/dev/null; then
	nr_state=$tmp/nonroot
	mkdir -m 0777 "$nr_state"
	chmod 0755 "$tmp" # the device root inside must be reachable
	nr_common=(--log-format text --no-libvirt --dev-root "$tmp/devroot" --allow-emulation --state-dir "$nr_state/s")
	# A copy every user can reach: the checkout may sit below a directory only root can enter (`mktemp -d`).
	nr_hvl=$nr_state/hvl-launcher
	install -m 0755 "$HVL" "$nr_hvl"
	run nonroot 0 setpriv --reuid=65534 --regid=65534 --clear-groups "$nr_hvl" "${nr_common[@]}" \
		-- /bin/sh -c "$status_script"
	expect_line nonroot '^CapEff:[[:space:]]+0000000000000000$'
	expect_line nonroot '^NoNewPrivs:[[:space:]]+1$'
	expect_err nonroot "no_new_privs stops NEXT from gaining them"
	run nonroot_nnp_off 1 setpriv --reuid=65534 --regid=65534 --clear-groups env HVL_NO_NEW_PRIVS=0 "$nr_hvl" \
		"${nr_common[@]}" -- /bin/true
	expect_err nonroot_nnp_off "needs CAP_SETPCAP"
	run nonroot_runtime_nnp 0 setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs \
		env HVL_NO_NEW_PRIVS=0 "$nr_hvl" "${nr_common[@]}" -- /bin/sh -c "$status_script"
	expect_line nonroot_runtime_nnp '^NoNewPrivs:[[:space:]]+1$'
fi

# 16. With a VMI that needs locked memory (a GPU): converted domain written next to the decision, and the
#     memlock raise driven by the VMI.
export PCI_RESOURCE_NVIDIA_COM_GP102GL_TESLA_P40=0000:81:00.0 # what the device plugin would set
gpu=$HVL_TOP/tests/data/examples/vmi-gpu.json
rm -rf "$state"
if [ "$memlock_ok" = 1 ]; then
	run vmi 0 "${limited[@]}" "$HVL" "${common[@]}" --vmi "$gpu" --memlock-failure warn -- \
		/bin/sh -c 'echo "memlock=$(ulimit -l)"; echo "xml=$HVL_DOMAIN_XML"; grep -c "<hostdev" "$HVL_DOMAIN_XML"'
	expect_line vmi "^memlock=$hard_kib\$"
	expect_line vmi "^xml=$state/domain.xml\$"
	expect_line vmi '^1$'
	expect_err vmi "VFIO devices"
	grep -q '"overheadBytes":[1-9]' "$state/decision.json" || fail "vmi: no overhead in the decision file"
	grep -q "\"domainXML\":\"$state/domain.xml\"" "$state/decision.json" || fail "vmi: no domainXML in the decision file"
	run vmi_fail 1 "${limited[@]}" "$HVL" "${common[@]}" --vmi "$gpu" -- /bin/true
	expect_err vmi_fail "The VMI needs locked memory (VFIO devices"
	run vmi_bad 3 "$HVL" "${common[@]}" --vmi "$tmp/missing.json" -- /bin/true
fi

# 17. The entrypoint's domain follows the KubeVirt CR's live-update settings as `convert` does: KubeVirt's
#     default (LiveUpdate) gives vCPU hotplug room, a CR with vmRolloutStrategy Stage none.
kernel=$HVL_TOP/tests/data/examples/vmi-kernel-boot.json
echo '{"spec":{"configuration":{"vmRolloutStrategy":"Stage"}}}' >"$tmp/stage-cr.json"
rm -rf "$state"
run vmi_live 0 "$HVL" "${common[@]}" --vmi "$kernel" -- /bin/sh -c 'grep -c "<vcpus>" "$HVL_DOMAIN_XML"'
expect_line vmi_live '^1$'
rm -rf "$state"
run vmi_stage 0 "$HVL" "${common[@]}" --kubevirt-config "$tmp/stage-cr.json" --vmi "$kernel" -- \
	/bin/sh -c 'grep -c "<vcpus>" "$HVL_DOMAIN_XML"; true'
expect_line vmi_stage '^0$'

# 18. KubeVirt's feature gates are not checked by the entrypoint: a VMI that reached the pod was admitted, whatever
#     the CR says (here one enabling nothing, with which `convert` refuses this hostDisk VMI).
echo '{}' >"$tmp/empty-cr.json"
rm -rf "$state"
run vmi_gated 0 "$HVL" "${common[@]}" --kubevirt-config "$tmp/empty-cr.json" \
	--vmi "$HVL_TOP/tests/data/examples/vmi-host-disk.json" -- /bin/sh -c 'grep -c "<disk" "$HVL_DOMAIN_XML"'
expect_line vmi_gated '^[1-9]$'
grep -q "feature gate" "$tmp/vmi_gated.err" && fail "vmi_gated: the entrypoint judged the VMI's feature gates:" &&
	sed 's/^/    /' "$tmp/vmi_gated.err" >&2

if [ "$failures" -gt 0 ]; then
	echo "check-exec: $failures failure(s)" >&2
	exit 1
fi
echo "check-exec: all checks passed"
