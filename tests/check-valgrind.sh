#!/bin/bash
# valgrind memcheck over the golden conversions: every tests/data/convert/*.json and
# tests/data/examples/*.json, for each hypervisor, converted by the ordinary (gcc -O2) binary, and hook
# mode on KubeVirt's own domain (tests/data/kubevirt/domain_x86_64.xml) for each hypervisor.
# Any memcheck error or any definitely/indirectly lost block fails (valgrind exits 99); the output is
# also compared with the golden, so the run under valgrind is the run the goldens describe.  Two
# conversions at a time (VALGRIND_JOBS).  Suppressions: tests/valgrind.supp (none needed so far).
set -uo pipefail
cd "${HVL_TOP:-$(dirname "$0")/..}" || exit 1
: "${HVL:?HVL must name the hvl-launcher binary}"
export HVL

if ! command -v valgrind >/dev/null; then
	echo "valgrind is not installed" >&2
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TMPDIR_VG=$tmp

# The pod environment check-golden.sh fixes, so the conversions take the paths the goldens record.
for v in $(env | sed -n 's/^\(HVL_[A-Z_]*\)=.*/\1/p'); do [ "$v" = HVL_TOP ] || unset "$v"; done
export HVL_CPUSET=2-17
export HVL_NUMA_DIR=$PWD/tests/data/convert/numa-host
export PCI_RESOURCE_NVIDIA_COM_GP102GL_TESLA_P40=0000:81:00.0
export PCI_RESOURCE_INTEL_COM_QAT=0000:3d:00.1,0000:3d:00.2
export MDEV_PCI_RESOURCE_NVIDIA_COM_GRID_T4_1Q=6f1b1a4e-6c0d-4a47-9c53-0d7b9c1e2f3a
export USB_RESOURCE_KUBEVIRT_IO_STORAGE=3:2
# The block-mode volumes check-golden.sh gives the goldens (device nodes under HVL_DEV_ROOT).
mkdir -p "$tmp/devroot/dev"
for v in lun0 usbstick l lun-shared pvc-block-test dv-block-test; do
	mknod "$tmp/devroot/dev/$v" b 7 0 || { echo "cannot create the block device $tmp/devroot/dev/$v" >&2; exit 1; }
done
# The network-info annotation virt-handler mounts once Multus attached sriov-attached's VF.
mkdir -p "$tmp/devroot/etc/podinfo"
echo '{"interfaces":[{"network":"sriov-net","deviceInfo":{"type":"pci","version":"1.1.0","pci":{"pci-address":"0000:65:00.2"}}}]}' \
	>"$tmp/devroot/etc/podinfo/network-info"
# The DRA metadata files of the DRA inputs (tests/data/convert/dra-root/, as check-golden.sh copies them).
cp -R tests/data/convert/dra-root/. "$tmp/devroot/" || { echo "cannot copy tests/data/convert/dra-root" >&2; exit 1; }
export HVL_DEV_ROOT=$tmp/devroot

supp=()
[ -f tests/valgrind.supp ] && supp=(--suppressions=tests/valgrind.supp)
export VG_OPTS="--error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --track-origins=no --num-callers=30 ${supp[*]}"

# One run: "convert|hook INPUT HV GOLDEN-PREFIX"; prints "ok", or "FAIL ..." lines.
run_one() {
	local mode=$1 input=$2 hv=$3 golden=$4 id status
	id=$(echo "$mode.$input.$hv" | tr / _)
	if [ "$mode" = hook ]; then
		# shellcheck disable=SC2086
		valgrind $VG_OPTS --log-file="$TMPDIR_VG/$id.vg" "$HVL" hook --feature-gates HyperVLayered \
			--hypervisor "$hv" --vmi-file tests/data/hook/testvmi.json --domain-file "$input" \
			--decision-file "$TMPDIR_VG/none.json" >"$TMPDIR_VG/$id.xml" 2>"$TMPDIR_VG/$id.err"
	else
		# The input's own KubeVirt CR, as check-golden.sh gives it.
		local cr=tests/data/convert/cr/${input##*/}
		[ -f "$cr" ] || cr=
		# shellcheck disable=SC2086
		valgrind $VG_OPTS --log-file="$TMPDIR_VG/$id.vg" "$HVL" --log-format text ${cr:+--kubevirt-config "$cr"} \
			convert --hypervisor "$hv" --vmi "$input" >"$TMPDIR_VG/$id.xml" 2>"$TMPDIR_VG/$id.err"
	fi
	status=$?
	if [ "$status" = 99 ]; then
		echo "FAIL $input ($hv): memcheck errors or leaks"
		grep -E '^==[0-9]+== ' "$TMPDIR_VG/$id.vg" | grep -vE 'Memcheck|Copyright|Using Valgrind|Command:|Parent PID' |
			head -40 | sed 's/^/    /'
	elif [ -f "$golden.$hv.xml" ] && { [ "$status" != 0 ] || ! cmp -s "$golden.$hv.xml" "$TMPDIR_VG/$id.xml"; }; then
		echo "FAIL $input ($hv): exit $status, output differs from $golden.$hv.xml"
	elif [ -f "$golden.$hv.err" ] && [ "$status" = 0 ]; then
		echo "FAIL $input ($hv): converted, but $golden.$hv.err expects a refusal"
	elif [ "$status" -ge 128 ]; then
		echo "FAIL $input ($hv): killed by signal $((status - 128))"
	else
		echo ok
	fi
}
export -f run_one

jobs_file=$tmp/jobs
for input in tests/data/convert/*.json tests/data/examples/*.json; do
	name=$(basename "$input" .json)
	case $input in
	tests/data/examples/*) golden=tests/data/convert/examples/$name ;;
	*) golden=tests/data/convert/$name ;;
	esac
	for hv in kvm mshv qemu; do
		echo "convert $input $hv $golden"
	done
done >"$jobs_file"
# Hook mode: kvm must give KubeVirt's bytes back, so its golden is the input itself.
cp tests/data/kubevirt/domain_x86_64.xml "$tmp/kubevirt.kvm.xml"
for hv in kvm mshv qemu; do
	golden=tests/data/hook/domain_x86_64
	[ "$hv" = kvm ] && golden=$tmp/kubevirt
	echo "hook tests/data/kubevirt/domain_x86_64.xml $hv $golden"
done >>"$jobs_file"

xargs -P "${VALGRIND_JOBS:-2}" -L 1 bash -c 'run_one "$@"' _ <"$jobs_file" >"$tmp/results"
total=$(wc -l <"$jobs_file")
ok=$(grep -c '^ok$' "$tmp/results")
grep -v '^ok$' "$tmp/results" >&2
echo "valgrind memcheck: $ok of $total conversions clean"
[ "$ok" -eq "$total" ]
