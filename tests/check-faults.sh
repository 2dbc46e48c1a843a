#!/bin/bash
# Faults lose nothing and leave nothing (issue 22): every fault below is caused for real and its outcome asserted.
#
#   output   convert -o: kill -9 (and SIGHUP) while a 16 MiB VMI's domain is written leaves no file and never a
#            partial one; a FIFO, /dev/stdout, /dev/fd/N, /proc/self/fd/N, >(...) and "-" are written through
#            and stay what they are (/dev/stdout in a /dev of this test's own); "dir/" is refused by name; the
#            mode comes from the umask or the replaced file
#   state    the entrypoint never follows a link planted below /var/run/kubevirt-hooks (a sidecar's), names it,
#            and leaves no decision file (none of an earlier start either) when it cannot record one
#   exec     a NEXT whose #! interpreter is missing is named as such (126), not "Cannot find NEXT"
#   run      two runs of one VMI (one after the other, and both at once): the second is refused, the first
#            guest runs on; SIGKILL and SIGQUIT of run, and a killed libvirt connection: no domain left, the
#            private directory reaped; libvirtd stopped (SIGSTOP) under run: a signal and --timeout still end
#            it within their deadline, and the domain is gone once the daemon runs again; libvirtd restarted
#            (gracefully, and after a crash) under run: reported, reconnected where the guest survived;
#            virtlogd killed: reported, the console goes on; a disk I/O error names the disk; a console that
#            cannot be written says why; every log line is one line; no hvl-run.* directory is left
#
# FAULTS_ONLY="output state exec run" runs only those groups (all by default).
#
# The run cases use a libvirtd and virtlogd of this test's own, in a private mount namespace
# (scripts/private-libvirt.sh), never the host's daemons; guests boot under TCG (tests/e2e/make-guest.sh).
set -uo pipefail
: "${HVL:?}" "${BUILDDIR:=build}" "${HVL_TOP:=$PWD}"
export HVL BUILDDIR HVL_TOP

skip() { echo "check-faults: $*" >&2; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (mount namespaces, a libvirtd of its own)"
for tool in unshare virsh libvirtd virtlogd qemu-system-x86_64 mkfifo; do
	command -v "$tool" >/dev/null || skip "$tool is missing"
done

# shellcheck source=scripts/private-libvirt.sh
. "$HVL_TOP/scripts/private-libvirt.sh"
if [ "${HVL_PLV_INSIDE:-}" != 1 ]; then
	# Built outside the namespace, once (cached in $BUILDDIR/e2e).
	guest=$("$HVL_TOP/tests/e2e/make-guest.sh")
	status=$?
	[ $status = 77 ] && skip "no guest kernel or static busybox (tests/e2e/make-guest.sh)"
	[ $status = 0 ] || { echo "check-faults: cannot build the guest" >&2; exit 1; }
	export HVL_FAULTS_GUEST
	HVL_FAULTS_GUEST=$(cd "$guest" && pwd)
fi
plv_reexec_private "$0" "$@"

# An ASan build: see tests/check-e2e.sh.
if ldd "$HVL" 2>/dev/null | grep -q libasan; then
	tirpc=$(ldconfig -p 2>/dev/null | awk '/libtirpc\.so\.3 /{print $NF; exit}')
	[ -n "$tirpc" ] && export LD_PRELOAD=$tirpc ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
fi

tmp=$(mktemp -d /tmp/hvl-check-faults.XXXXXX)
chmod 0711 "$tmp"
cleanup() {
	plv_stop_all
	umount "$tmp/small" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failures=0 checks=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
check() { checks=$((checks + 1)); }
started=$SECONDS
section() { echo "--- $* ($((SECONDS - started)) s)"; }
has() { grep -qF -- "$2" "$1" || { fail "'$2' not in $1: $(tail -n 3 "$1" | tr '\n' '|')"; return 1; }; }
# has_one_of FILE TEXT...: one of the texts is in FILE (an outcome that depends on how fast libvirtd answers).
has_one_of() {
	local file=$1 text
	shift
	for text in "$@"; do
		grep -qF -- "$text" "$file" && return 0
	done
	fail "none of '$*' in $file: $(tail -n 3 "$file" | tr '\n' '|')"
	return 1
}
wanted() { [ -z "${FAULTS_ONLY:-}" ] || [[ " $FAULTS_ONLY " == *" $1 "* ]]; }

# A /dev of our own: whatever a regression does to /dev/stdout stays in this namespace.
plv_private_dev

# ==== convert -o ================================================================================================
output_group() {
section "output files"
out=$tmp/out
mkdir "$out"
vmi=$HVL_TOP/tests/data/examples/vmi-fedora.json
# The 16 MiB VMI: a 15 MiB SMBIOS serial, whose domain is about 60 MB (each '<' becomes '&lt;').
big=$tmp/big.json
python3 - "$vmi" "$big" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
v["spec"]["domain"].setdefault("firmware", {})["serial"] = "<" * (15 << 20)
json.dump(v, open(sys.argv[2], "w"))
PY
"$HVL" convert --hypervisor kvm --vmi "$vmi" -o "$out/domain.xml" 2>/dev/null
old_sum=$(sha256sum <"$out/domain.xml")
new_sum=$("$HVL" convert --hypervisor kvm --vmi "$big" 2>/dev/null | sha256sum)

# Killed while writing: the old file stays whole, nothing else appears.
for round in $(seq 1 8); do
	check
	sig=KILL
	[ "$round" = 8 ] && sig=HUP
	"$HVL" convert --hypervisor kvm --vmi "$big" -o "$out/domain.xml" 2>/dev/null &
	pid=$!
	sleep "0.$((round * 11))"
	kill -"$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	extra=$(find "$out" -mindepth 1 ! -name domain.xml)
	[ -z "$extra" ] || fail "kill -$sig during -o (round $round) left: $extra"
	# The old domain, or (the kill came after the rename) the whole new one.
	sum=$(sha256sum <"$out/domain.xml")
	[ "$sum" = "$old_sum" ] || [ "$sum" = "$new_sum" ] || fail "kill -$sig during -o (round $round): a partial file"
done

# run takes the same 16 MiB VMI as far as libvirt (its domain, a 60 MB text node, is parsed again to adapt it):
# the error is about the libvirt that is not there, nothing else, and nothing is left.
check
mkdir -p "$tmp/bigrun/dev" "$tmp/bigrun/tmp"
truncate -s 1M "$tmp/bigrun/disk.img"
TMPDIR=$tmp/bigrun/tmp "$HVL" --log-format text run --dev-root "$tmp/bigrun" --allow-emulation \
	--connect "qemu+unix:///system?socket=$tmp/bigrun/no-such-sock" --vmi "$big" \
	--disk "containerdisk=$tmp/bigrun/disk.img" --disk "cloudinitdisk=$tmp/bigrun/disk.img" 2>"$tmp/bigrun.err"
[ $? = 6 ] || fail "run of the 16 MiB VMI: exit status, not 6: $(tail -n 1 "$tmp/bigrun.err")"
has "$tmp/bigrun.err" "Cannot connect to libvirt at 'qemu+unix:///system?socket=$tmp/bigrun/no-such-sock'"
[ -z "$(ls -A "$tmp/bigrun/tmp")" ] || fail "run of the 16 MiB VMI left $(ls -A "$tmp/bigrun/tmp")"

# A FIFO is written through and stays a FIFO; its reader gets the domain.
check
mkfifo "$out/fifo"
cat "$out/fifo" >"$out/from-fifo" &
reader=$!
timeout 20 "$HVL" convert --hypervisor kvm --vmi "$vmi" -o "$out/fifo" 2>"$tmp/fifo.err" || fail "-o FIFO: exit $?"
wait "$reader"
[ -p "$out/fifo" ] || fail "-o FIFO: the FIFO was replaced"
"$HVL" convert --hypervisor kvm --vmi "$vmi" 2>/dev/null | cmp -s - "$out/from-fifo" || fail "-o FIFO: the reader got other bytes"

# Standard output by every name, in this namespace's own /dev.
"$HVL" convert --hypervisor kvm --vmi "$vmi" >"$tmp/want.xml" 2>/dev/null
for name in - /dev/stdout /dev/fd/1 /proc/self/fd/1; do
	check
	"$HVL" convert --hypervisor kvm --vmi "$vmi" -o "$name" 2>"$tmp/name.err" | cmp -s - "$tmp/want.xml" ||
		fail "-o $name: the output differs: $(head -c 300 "$tmp/name.err")"
done
check
[ -L /dev/stdout ] && [ "$(readlink /dev/stdout)" = /proc/self/fd/1 ] || fail "-o /dev/stdout replaced /dev/stdout"
check
"$HVL" convert --hypervisor kvm --vmi "$vmi" -o >(cat >"$tmp/subst.xml") 2>"$tmp/subst.err" || fail "-o >(...): exit $?"
sleep 0.5
cmp -s "$tmp/subst.xml" "$tmp/want.xml" || fail "-o >(...): $(head -c 300 "$tmp/subst.err")"

# A directory by a trailing slash; modes.
check
mkdir "$out/dir"
"$HVL" --log-format text convert --hypervisor kvm --vmi "$vmi" -o "$out/dir/" 2>"$tmp/dir.err"
[ $? = 1 ] || fail "-o dir/: exit status"
has "$tmp/dir.err" "Cannot write '$out/dir/': the name ends with '/', so it names a directory; give the name of a file."
check
rm -f "$out/mode.xml"
(umask 027 && "$HVL" convert --hypervisor kvm --vmi "$vmi" -o "$out/mode.xml" 2>/dev/null)
[ "$(stat -c %a "$out/mode.xml")" = 640 ] || fail "-o under umask 027: mode $(stat -c %a "$out/mode.xml"), not 640"
chmod 0600 "$out/mode.xml"
"$HVL" convert --hypervisor kvm --vmi "$vmi" -o "$out/mode.xml" 2>/dev/null
[ "$(stat -c %a "$out/mode.xml")" = 600 ] || fail "-o over a 0600 file: mode $(stat -c %a "$out/mode.xml")"

}

# ==== the state directory below the hooks volume ================================================================
state_group() {
section "state directory"
# In a nested namespace with a /run of its own: the hooks volume is /var/run/kubevirt-hooks, reached through the
# image's /var/run -> /run link, as in KubeVirt's virt-launcher image.
check
unshare --mount --propagation private bash -s "$HVL" "$tmp" >"$tmp/state.log" 2>&1 <<'STATE'
set -u
hvl=$1 tmp=$2
mount -t tmpfs hvl-run /run
hooks=/var/run/kubevirt-hooks
mkdir -p /run/kubevirt-hooks/hook-sidecar-0/hvl /run/kubevirt-hooks/hook-sidecar-1 "$tmp/victim"
echo '{"stale": true}' >/run/kubevirt-hooks/hook-sidecar-0/hvl/decision.json
ln -s "$tmp/victim" /run/kubevirt-hooks/hook-sidecar-1/hvl
args=(--log-format text --no-libvirt --allow-emulation --memlock off --state-dir "$hooks/hvl")
"$hvl" "${args[@]}" --feature-gates HyperVLayered -- /bin/true --hook-sidecars 2 2>"$tmp/gate-on.err"
echo "gate-on $?"
[ -e /run/kubevirt-hooks/hook-sidecar-0/hvl/decision.json ] && echo "gate-on left sidecar-0's decision"
echo '{"stale": true}' >/run/kubevirt-hooks/hook-sidecar-0/hvl/decision.json
"$hvl" "${args[@]}" -- /bin/true --hook-sidecars 2 2>"$tmp/gate-off.err"
echo "gate-off $?"
ls -A "$tmp/victim" | sed 's/^/victim: /'
[ -e /run/kubevirt-hooks/hook-sidecar-0/hvl/decision.json ] && echo "sidecar-0 decision present"
rm /run/kubevirt-hooks/hook-sidecar-1/hvl
"$hvl" "${args[@]}" -- /bin/true --hook-sidecars 2 2>"$tmp/clean.err"
echo "clean $?"
for i in 0 1; do grep -q '"hypervisor"' "/run/kubevirt-hooks/hook-sidecar-$i/hvl/decision.json" && echo "written $i"; done
STATE
has "$tmp/state.log" "gate-on 1"
has "$tmp/gate-on.err" "'/var/run/kubevirt-hooks/hook-sidecar-1/hvl' is a symbolic link: links below '/var/run/kubevirt-hooks' are not followed"
has "$tmp/state.log" "gate-off 0"
has "$tmp/gate-off.err" "Removed '/var/run/kubevirt-hooks/hook-sidecar-0/hvl/decision.json'"
grep -q "^victim:" "$tmp/state.log" && fail "a file was written through the planted link: $(grep victim "$tmp/state.log")"
grep -q "sidecar-0 decision present\|gate-on left" "$tmp/state.log" &&
	fail "a stale or partial decision file was left in hook-sidecar-0: $(cat "$tmp/state.log")"
has "$tmp/state.log" "clean 0"
has "$tmp/state.log" "written 0"
has "$tmp/state.log" "written 1"

}

# ==== exec ======================================================================================================
exec_group() {
section "exec"
check
printf '#!/nonexistent/hvl-interpreter\nexit 0\n' >"$tmp/next.sh"
chmod 0755 "$tmp/next.sh"
"$HVL" --log-format text --no-libvirt --allow-emulation --memlock off --state-dir "$tmp/st" -- "$tmp/next.sh" \
	2>"$tmp/exec.err"
[ $? = 126 ] || fail "NEXT with a missing interpreter: exit status, not 126"
has "$tmp/exec.err" "Cannot execute NEXT '$tmp/next.sh': its interpreter '/nonexistent/hvl-interpreter' (the script's #! line) does not exist."

}

# ==== run =======================================================================================================
run_group() {
section "run: a libvirtd of our own"
plv_mount_state --keep-cache
plv_start virtlogd || { fail "virtlogd does not start"; exit 1; }
plv_start libvirtd || { fail "libvirtd does not start"; exit 1; }
URI=qemu:///system
export TMPDIR=$tmp/runs
mkdir -m 0711 "$TMPDIR"
mkdir -p "$tmp/devroot/dev" "$tmp/guest"
cp "$HVL_FAULTS_GUEST/vmlinuz" "$HVL_FAULTS_GUEST/initrd.gz" "$tmp/guest/"
chmod 0755 "$tmp/guest"
chmod 0644 "$tmp/guest/"*
truncate -s 1M "$tmp/scratch.img"
# VMIs: one that powers off, one that ticks every second until stopped, one that fills its disk.
for kind in tick fill; do
	args="hvl.wait hvl.tick"
	[ $kind = fill ] && args="hvl.fill hvl.wait"
	sed -e "s/\"name\": \"kernel-boot-wait\"/\"name\": \"faults-$kind\"/" -e "s/hvl.wait/$args/" \
		"$HVL_TOP/tests/data/e2e/vmi-kernel-boot-wait.json" >"$tmp/$kind.json"
done
sed -e 's/"name": "kernel-boot"/"name": "faults-boot"/' "$HVL_TOP/tests/data/e2e/vmi-kernel-boot.json" >"$tmp/boot.json"
DOM_TICK=hvl-e2e_faults-tick
common=(--log-format text --dev-root "$tmp/devroot" --allow-emulation --connect "$URI"
	--disk "kernel=$tmp/guest/vmlinuz" --disk "initrd=$tmp/guest/initrd.gz")
disks=(--disk "scratch=$tmp/scratch.img")

# start NAME ARGS...: run in the background, output in $tmp/NAME.{out,err}; the pid in $pid
start() {
	local name=$1
	shift
	"$HVL" run "${common[@]}" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pid=$!
}
# wait_for FILE TEXT [SECONDS]
wait_for() {
	local i
	for i in $(seq 1 $((${3:-60} * 10))); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "'$2' did not appear in $1 within ${3:-60} s: $(tail -n 3 "$1" | tr '\n' '|')"
	return 1
}
# finish PID EXPECTED_STATUS NAME [MAX_SECONDS]: wait, bounded; the status and the time it took
finish() {
	local p=$1 want=$2 name=$3 max=${4:-60} t0=$SECONDS got
	for _ in $(seq 1 $((max * 10))); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$p" 2>/dev/null; then
		fail "$name: still running after $max s"
		kill -9 "$p" 2>/dev/null
	fi
	wait "$p"
	got=$?
	took=$((SECONDS - t0))
	echo "  $name: exit $got after $took s"
	[ "$got" = "$want" ] || fail "$name: exit status $got, expected $want: $(tail -n 2 "$tmp/$name.err" | tr '\n' '|')"
}
domains() { timeout 20 virsh -q -c "$URI" list --all --name 2>/dev/null | grep . || true; }
# no_domain WHAT [SECONDS]: libvirt holds no domain within SECONDS
no_domain() {
	local left
	for _ in $(seq 1 $((${2:-10} * 10))); do
		left=$(domains)
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	fail "$1: domain(s) left: $left"
}
ticks() {
	local n
	n=$(grep -c HVL-E2E-TICK "$tmp/$1.out" 2>/dev/null)
	echo "${n:-0}"
}
# ticking NAME: the guest's console still arrives
ticking() {
	local before
	before=$(ticks "$1")
	sleep 2.5
	[ "$(ticks "$1")" -gt "$before" ] || fail "$1: the console stopped ($before ticks, no more)"
}
no_private_dirs() { compgen -G "$TMPDIR/hvl-run.*" >/dev/null && fail "$1: left $(ls -d "$TMPDIR"/hvl-run.*)"; return 0; }

section "run: a clean boot, and a console that cannot be written"
check
start clean --vmi "$tmp/boot.json" "${disks[@]}"
finish $pid 0 clean
has "$tmp/clean.out" HVL-E2E-GUEST-BOOTED
has "$tmp/clean.err" "(transient: libvirt destroys it when this command ends)"
no_domain clean
no_private_dirs clean
check
"$HVL" run "${common[@]}" --vmi "$tmp/boot.json" "${disks[@]}" >/dev/full 2>"$tmp/full.err" &
finish $! 1 full
has "$tmp/full.err" "cannot copy the serial console to standard output: No space left on device; the guest goes on"
has "$tmp/full.err" "Cannot write the serial console to standard output: No space left on device"
no_domain full

section "run: two runs of one VMI"
check
start first --grace-period 2 --vmi "$tmp/tick.json" "${disks[@]}"
first=$pid
wait_for "$tmp/first.out" HVL-E2E-TICK
start second --vmi "$tmp/tick.json" "${disks[@]}"
finish $pid 6 second 30
has "$tmp/second.err" "A domain named '$DOM_TICK' already exists at '$URI' (running): \`run\` does not touch it."
ticking first
[ "$(domains)" = "$DOM_TICK" ] || fail "two runs: the first guest is gone: $(domains)"
kill -TERM $first
finish $first 6 first 20
# Destroyed at the end of the grace period; or, when libvirtd took more than the watchdog's 2 s to destroy it on
# a loaded machine, ended by the watchdog (the connection's end then has libvirtd destroy it: no_domain holds).
has_one_of "$tmp/first.err" "did not shut down within the grace period" \
	"did not finish within 2 s after the grace period ended"
no_domain "two runs"
# Both at once: libvirt gives the name to one; the other is refused, whatever the moment it learns it.
check
start a --grace-period 2 --vmi "$tmp/tick.json" "${disks[@]}"
pa=$pid
start b --grace-period 2 --vmi "$tmp/tick.json" "${disks[@]}"
pb=$pid
for _ in $(seq 1 300); do
	kill -0 $pa 2>/dev/null && kill -0 $pb 2>/dev/null || break
	sleep 0.1
done
if kill -0 $pa 2>/dev/null; then winner=a loser=b pw=$pa pl=$pb; else winner=b loser=a pw=$pb pl=$pa; fi
finish $pl 6 $loser 5
grep -qE "already exists at|started at '$URI' at the same time" "$tmp/$loser.err" ||
	fail "both at once: the loser's message: $(tail -n 1 "$tmp/$loser.err")"
wait_for "$tmp/$winner.out" HVL-E2E-TICK
ticking $winner
kill -TERM $pw
finish $pw 6 $winner 20
no_domain "both at once"
no_private_dirs "two runs"

section "run: SIGKILL, SIGQUIT, a killed connection"
check
start killed --vmi "$tmp/tick.json" "${disks[@]}"
wait_for "$tmp/killed.out" HVL-E2E-TICK
kill -9 $pid
wait $pid 2>/dev/null
no_domain "SIGKILL of run" 15
compgen -G "$TMPDIR/hvl-run.*" >/dev/null || fail "SIGKILL: no private directory to reap (the test lost its point)"
# The next run, even one refused at once, removes the directory of the run that was killed.
"$HVL" run "${common[@]}" --hypervisor mshv --vmi "$tmp/tick.json" "${disks[@]}" >/dev/null 2>"$tmp/reap.err"
has "$tmp/reap.err" "left by a run that was killed"
no_private_dirs "SIGKILL, then a refused run"
check
start quit --grace-period 30 --vmi "$tmp/tick.json" "${disks[@]}"
wait_for "$tmp/quit.out" HVL-E2E-TICK
kill -QUIT $pid
finish $pid 6 quit 10
has "$tmp/quit.err" "was destroyed: SIGQUIT arrived"
no_domain SIGQUIT
check
if command -v virt-admin >/dev/null; then
	start cut --vmi "$tmp/tick.json" "${disks[@]}"
	cut=$pid
	wait_for "$tmp/cut.out" HVL-E2E-TICK
	for id in $(virt-admin -q srv-clients-list libvirtd 2>/dev/null | awk '$1 ~ /^[0-9]+$/ {print $1}'); do
		virt-admin client-info libvirtd "$id" 2>/dev/null | grep -qE "unix_process_id *: *$cut\$" &&
			virt-admin client-disconnect libvirtd "$id" >/dev/null
	done
	finish $cut 6 cut 45
	has "$tmp/cut.err" "lost the connection to libvirt at '$URI': libvirtd closed the connection"
	# libvirtd destroys the domain when it drops the connection; run, reconnected, finds it gone, or still being
	# destroyed (then it sees it stop, not by run's hand).
	has_one_of "$tmp/cut.err" "is back, and the domain '$DOM_TICK' is gone" \
		"The domain '$DOM_TICK' stopped: it was destroyed (not by run)."
	no_domain "a killed connection"
else
	echo "SKIP (part): a libvirt connection killed from the daemon's side: virt-admin is missing"
fi
no_private_dirs "SIGQUIT, killed connection"

section "run: libvirtd stopped under run"
check
start stopped --grace-period 3 --vmi "$tmp/tick.json" "${disks[@]}"
wait_for "$tmp/stopped.out" HVL-E2E-TICK
kill -STOP "$(plv_pid libvirtd)"
sleep 1
ticking stopped # the console does not need libvirtd
kill -TERM $pid
# The grace period, and the watchdog's 2 s past it: 5 s, and a second of slack.
finish $pid 6 stopped 6
has "$tmp/stopped.err" "run ends without knowing what became of the domain '$DOM_TICK'"
kill -CONT "$(plv_pid libvirtd)"
no_domain "libvirtd stopped, then continued" 15
check
start stopped-timeout --timeout 12 --vmi "$tmp/tick.json" "${disks[@]}"
pt=$pid
wait_for "$tmp/stopped-timeout.out" HVL-E2E-TICK
kill -STOP "$(plv_pid libvirtd)"
finish $pt 6 stopped-timeout 16
grep -qE "was away when --timeout was reached|did not finish within 2 s after --timeout was reached" \
	"$tmp/stopped-timeout.err" || fail "--timeout under a stopped libvirtd: $(tail -n 1 "$tmp/stopped-timeout.err")"
kill -CONT "$(plv_pid libvirtd)"
no_domain "libvirtd stopped under --timeout, then continued" 15
no_private_dirs "libvirtd stopped"

section "run: libvirtd restarted, virtlogd killed"
check
start restarted --vmi "$tmp/tick.json" "${disks[@]}"
wait_for "$tmp/restarted.out" HVL-E2E-TICK
plv_stop libvirtd
plv_start libvirtd
finish $pid 6 restarted 40
has "$tmp/restarted.err" "libvirtd closed the connection (it was stopped or restarted)"
has "$tmp/restarted.err" "is back, and the domain '$DOM_TICK' is gone: it was started with AUTODESTROY"
no_domain "libvirtd restarted"
check
start crashed --grace-period 2 --vmi "$tmp/tick.json" "${disks[@]}"
pc=$pid
wait_for "$tmp/crashed.out" HVL-E2E-TICK
plv_stop virtlogd KILL
wait_for "$tmp/crashed.err" "virtlogd is gone" 10
ticking crashed
plv_stop libvirtd KILL
plv_start libvirtd
wait_for "$tmp/crashed.err" "reconnected to libvirt at '$URI'; the domain '$DOM_TICK' is still running" 40
ticking crashed
plv_start virtlogd
kill -TERM $pc
finish $pc 6 crashed 20
has "$tmp/crashed.err" "did not shut down within the grace period"
no_domain "libvirtd crashed and restarted"
no_private_dirs "libvirtd restarted"

section "run: a disk I/O error"
check
mkdir "$tmp/small"
mount -t tmpfs -o size=2M,mode=0755 hvl-faults-small "$tmp/small"
truncate -s 64M "$tmp/small/disk.img"
chmod 0666 "$tmp/small/disk.img"
start fill --timeout 60 --vmi "$tmp/fill.json" --disk "scratch=$tmp/small/disk.img"
finish $pid 6 fill 70
if grep -q HVL-E2E-GUEST-NO-DISK "$tmp/fill.out"; then
	echo "SKIP (part): the disk I/O error: the guest kernel's virtio_blk module is not on this machine"
else
	has "$tmp/fill.err" "a disk I/O error paused the guest: disk 'vda' (volume 'scratch', '$tmp/small/disk.img'): no space left on the device"
fi
no_domain "disk I/O error"

}

wanted output && output_group
wanted state && state_group
wanted exec && exec_group
wanted run && run_group

section "messages and leftovers"
check
# Every record one line, in both formats (libvirt's messages hold newlines).
for err in "$tmp"/*.err; do
	[ -e "$err" ] || continue
	bad=$(grep -v -e '^hvl-launcher: ' -e '^{"component":"hvl-launcher"' "$err" | head -n 1)
	[ -z "$bad" ] || fail "$(basename "$err"): a log record over two lines: $bad"
done
wanted run && no_private_dirs "the end"

echo "check-faults: $checks checks in $((SECONDS - started)) s, $failures failure(s)"
[ "$failures" -eq 0 ]
