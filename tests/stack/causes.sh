#!/bin/bash
# check-stack, part causes: libvirt 12.x's refusals of virt type 'hyperv', as hvl-launcher reports them, each
# with its true cause and what to do (launcher/hyperv-refusal.c; the same texts with libvirt's answers mocked:
# tests/unit/test-hyperv-refusal.c).  /dev/mshv is the fake node of simulated-node.sh (1:3): present and
# openable, no driver, so QEMU never enables mshv here and libvirt refuses 'hyperv' in each case:
#   mshv-not-enabled  no /dev/kvm, a capabilities cache probed with /dev/mshv present: QEMU did not enable it
#   stale-cache       the cache was probed before /dev/mshv appeared; then the remedy (delete it, restart)
#   kvm-won           /dev/kvm works: QEMU enabled kvm first (needs a KVM that libvirt offers; else skipped)
set -uo pipefail
cd "$HVL_TOP" || exit 1
# shellcheck source=tests/stack/lib.sh
. tests/stack/lib.sh

tmp=$(mktemp -d /tmp/hvl-stack-causes.XXXXXX)
had_kvm=0
[ -c /dev/kvm ] && kvm_offered && had_kvm=1
trap stack_restore EXIT

# expect CAUSE TEXT...: detect --json names CAUSE and every TEXT; the table and the choice say the same.
expect() {
	local cause=$1
	shift
	"$HVL" --log-format text detect --json --connect "$URI" --feature-gates HyperVLayered >"$tmp/d.json" 2>"$tmp/d.err"
	python3 - "$tmp/d.json" "$cause" "$@" <<'PY' || { fail "detect for $cause"; cat "$tmp/d.json"; echo; }
import json, sys
d = json.load(open(sys.argv[1]))
lv = d["libvirt"]
assert lv["result"] == "unsupported", lv
assert lv["cause"] == sys.argv[2], (lv["cause"], lv["reason"])
for text in sys.argv[3:]:
    assert text in lv["reason"], (text, lv["reason"])
assert ">= 11.10 with" not in lv["reason"], lv["reason"]  # no version requirement when the versions suffice
assert d["accelerators"]["mshv"]["usable"] is False
assert d["choice"] != "mshv"
print(f"causes: {sys.argv[2]}: {lv['reason']}")
PY
}

libvirt_stop
kvm_hide
cache_clear

# 1. QEMU did not enable mshv in libvirt's probe: the probe ran with /dev/mshv present.
mshv_node_add
libvirt_start || exit 1
expect mshv-not-enabled "Cause: QEMU did not enable mshv in libvirt's probe" "lists no mshv" "--probe=deep" \
	"the accel 'mshv' is not supported by"
# The entrypoint logs the same cause, and `run --hypervisor mshv` refuses with it (exit 4).
"$HVL" --log-format text --feature-gates HyperVLayered --connect "$URI" --allow-emulation --dry-run -- /bin/true \
	>"$tmp/entry.out" 2>"$tmp/entry.err"
grep -q "Cause: QEMU did not enable mshv in libvirt's probe" "$tmp/entry.err" "$tmp/entry.out" ||
	fail "the entrypoint does not name the cause: $(grep -i libvirt "$tmp/entry.err" | head -2)"
"$HVL" --log-format text run --feature-gates HyperVLayered --hypervisor mshv --connect "$URI" \
	--vmi tests/data/e2e/vmi-kernel-boot.json >"$tmp/run.out" 2>"$tmp/run.err"
rc=$?
[ "$rc" = 4 ] || fail "run --hypervisor mshv: exit $rc, expected 4"
grep -q "Cause: QEMU did not enable mshv in libvirt's probe" "$tmp/run.err" ||
	fail "run does not name the cause: $(tail -2 "$tmp/run.err")"

# 2. A stale cache: probed without /dev/mshv, which appears later (a second later: times are whole seconds).
libvirt_stop
mshv_node_remove
cache_clear
libvirt_start || exit 1
virsh -q -c "$URI" domcapabilities --virttype qemu --arch x86_64 >/dev/null
sleep 1.1
mshv_node_add
libvirt_restart || exit 1
expect stale-cache "Cause: libvirt's capabilities cache is stale" "before /dev/mshv appeared" "never for mshv" \
	"What to do: delete $CACHE_DIR/"
# The remedy: delete it and restart; libvirt probes again with /dev/mshv, and the cause is the real one.
libvirt_stop
cache_clear
libvirt_start || exit 1
expect mshv-not-enabled "Cause: QEMU did not enable mshv in libvirt's probe"

# 3. KVM won the probe order.
if [ "$had_kvm" = 1 ]; then
	libvirt_stop
	kvm_show
	cache_clear
	libvirt_start || exit 1
	expect kvm-won "Cause: KVM won libvirt's probe order" "accel=kvm:mshv:tcg" "libvirt offers virt type 'kvm' instead"
else
	skip_part "the refusal 'KVM won libvirt's probe order' on libvirt 12: no /dev/kvm that libvirt offers here" \
		"(the text is asserted by test-hyperv-refusal)"
fi
[ "$stack_failures" -eq 0 ]
