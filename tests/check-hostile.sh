#!/bin/bash
# Hostile VMIs: `hvl-launcher convert --vmi FILE --hypervisor kvm -o OUT` on every tests/data/hostile/<name>.expect.
#
# An .expect file holds one directive per line ('#' starts a comment):
#   status N        the exit status (required)
#   message TEXT    stderr must contain TEXT (a failure must say why)
#   output TEXT     the domain XML written to OUT must contain TEXT (successes)
#   generate NAME   the input is made at test time by gen_NAME below (no <name>.json is committed:
#                   multi-megabyte inputs stay out of git)
#   stdin           feed the input on standard input (--vmi -) instead of naming the file
#   input PATH      use PATH (a device, a directory, ...) as the input
#   env NAME=VALUE  set a variable for this run
# Every run also asserts: no crash (status < 128 and no sanitizer report), at most 4 KiB on stderr (a
# hostile value is quoted cut, never whole), nothing on stdout; on failure OUT keeps its previous
# content byte for byte; on success OUT is well-formed XML; and never a temporary file left next to OUT.
set -uo pipefail
cd "${HVL_TOP:-$(dirname "$0")/..}" || exit 1
: "${HVL:?HVL must name the hvl-launcher binary}"

dir=tests/data/hostile
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

probe=$("$HVL" --log-format text convert --hypervisor kvm --vmi tests/data/examples/vmi-fedora.json 2>&1 >/dev/null)
if [[ $probe == *"not implemented"* ]]; then
	echo "convert is not implemented in this build" >&2
	exit 77
fi

# A fixed host for the conversions that read it: two NUMA nodes, a four-CPU pod cpuset.
mkdir -p "$tmp/numa/node0" "$tmp/numa/node1"
echo 0-1 >"$tmp/numa/node0/cpulist"
echo 2-3 >"$tmp/numa/node1/cpulist"
export HVL_NUMA_DIR=$tmp/numa HVL_CPUSET=0-3

# ---- generated inputs: each prints one input on stdout --------------------------------------------------
# A small valid VMI whose metadata.name, spec.domain.devices and spec.volumes the generators replace.
vmi() { # NAME-JSON DISKS-JSON VOLUMES-JSON [EXTRA-METADATA-JSON]
	printf '{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"name":%s%s},' "$1" "${4:+,$4}"
	printf '"spec":{"domain":{"devices":{"disks":%s},"memory":{"guest":"128Mi"}},"volumes":%s}}\n' "$2" "$3"
}
one_disk='[{"name":"containerdisk","disk":{"bus":"virtio"}}]'
one_volume='[{"name":"containerdisk","containerDisk":{"image":"registry:5000/cirros:devel"}}]'
repeat() { # COUNT FORMAT: FORMAT with %d replaced by 0..COUNT-1, comma-separated
	local i
	for ((i = 0; i < $1; i++)); do
		[ "$i" -gt 0 ] && printf ','
		# shellcheck disable=SC2059
		printf "$2" "$i"
	done
}

gen_input_17mib() { # valid JSON, padded past the 16 MiB limit with blanks
	vmi '"big"' "$one_disk" "$one_volume"
	head -c $((17 << 20)) /dev/zero | tr '\0' ' '
}
gen_string_64mib() { # one 64 MiB string
	printf '{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"name":"'
	head -c $((64 << 20)) /dev/zero | tr '\0' 'a'
	printf '"},"spec":{}}\n'
}
gen_name_15mib() { # just under the input limit: parsed, then refused as a name, quoted cut
	vmi "\"$(head -c $((15 << 20)) /dev/zero | tr '\0' 'a')\"" "$one_disk" "$one_volume"
}
gen_nesting_100000() { # far past the depth limit: the parser must not recurse on it
	vmi '"deep"' "$one_disk" "$one_volume" "\"x\":$(head -c 100000 /dev/zero | tr '\0' '[')"
}
gen_disks_257() {
	vmi '"many"' "[$(repeat 257 '{"name":"d%d"}')]" "[$(repeat 257 '{"name":"d%d","emptyDisk":{"capacity":"1Gi"}}')]"
}
gen_volumes_257() {
	vmi '"many"' "$one_disk" "[$(repeat 257 '{"name":"v%d","emptyDisk":{"capacity":"1Gi"}}')]"
}
gen_disks_256() { # at the limit: converted
	vmi '"many"' "[$(repeat 256 '{"name":"d%d"}')]" "[$(repeat 256 '{"name":"d%d","emptyDisk":{"capacity":"1Gi"}}')]"
}
gen_annotations_1025() {
	vmi '"many"' "$one_disk" "$one_volume" "\"annotations\":{$(repeat 1025 '"example.com/a%d":"v"')}"
}
gen_labels_100000() { # many keys where any count is allowed: bounded by the input size only
	vmi '"labels"' "$one_disk" "$one_volume" "\"labels\":{$(repeat 100000 '"l%d":"v"')}"
}
gen_array_1m_unknown_field() { # a million-entry list in a field hvl-launcher ignores
	vmi '"list"' "$one_disk" "$one_volume" "\"finalizers\":[$(head -c 1000000 /dev/zero | tr '\0' '0' | sed 's/0/"f",/g')\"f\"]"
}

# ---- the checks --------------------------------------------------------------------------------------------
failed=0 checked=0
fail() {
	echo "FAIL $name: $*" >&2
	bad=1
}

for expect in "$dir"/*.expect; do
	name=$(basename "$expect" .expect)
	want_status='' generator='' use_stdin=0 input_path='' envs=() messages=() outputs=()
	while IFS= read -r line; do
		case $line in
		'' | '#'*) ;;
		'status '*) want_status=${line#status } ;;
		'message '*) messages+=("${line#message }") ;;
		'output '*) outputs+=("${line#output }") ;;
		'generate '*) generator=${line#generate } ;;
		'env '*) envs+=("${line#env }") ;;
		stdin) use_stdin=1 ;;
		'input '*) input_path=${line#input } ;;
		*) echo "$expect: unknown directive '$line'" >&2; exit 1 ;;
		esac
	done <"$expect"
	[ -n "$want_status" ] || { echo "$expect: no status line" >&2; exit 1; }

	input=$dir/$name.json
	if [ -n "$generator" ]; then
		input=$tmp/$name.json
		"gen_$generator" >"$input" || { echo "$expect: generator $generator failed" >&2; exit 1; }
	fi
	[ -n "$input_path" ] && input=$input_path
	[ -e "$input" ] || [ -n "$input_path" ] || { echo "$expect: no input $input" >&2; exit 1; }

	rm -rf "$tmp/out"
	mkdir "$tmp/out"
	out=$tmp/out/domain.xml
	printf 'the previous domain\n' >"$out"
	if [ "$use_stdin" = 1 ]; then
		env "${envs[@]}" "$HVL" --log-format text convert --vmi - --hypervisor kvm -o "$out" \
			<"$input" >"$tmp/stdout" 2>"$tmp/stderr"
	else
		env "${envs[@]}" "$HVL" --log-format text convert --vmi "$input" --hypervisor kvm -o "$out" \
			>"$tmp/stdout" 2>"$tmp/stderr"
	fi
	status=$?
	checked=$((checked + 1))
	bad=0

	[ "$status" = "$want_status" ] || fail "exit status $status, expected $want_status"
	if grep -qE 'Sanitizer|runtime error:|LeakSanitizer' "$tmp/stderr"; then
		fail "sanitizer report"
	fi
	[ "$(stat -c %s "$tmp/stderr")" -le 4096 ] || fail "$(stat -c %s "$tmp/stderr") bytes on stderr (limit 4096)"
	[ -s "$tmp/stdout" ] && fail "wrote to stdout although -o was given"
	for m in "${messages[@]}"; do
		grep -qF -- "$m" "$tmp/stderr" || fail "stderr lacks '$m'"
	done
	if [ "$status" = 0 ]; then
		xmllint --noout "$out" 2>"$tmp/xmllint" || fail "output is not well-formed XML: $(head -c 300 "$tmp/xmllint")"
		for o in "${outputs[@]}"; do
			grep -qF -- "$o" "$out" || fail "output lacks '$o'"
		done
	else
		[ "$(cat "$out")" = "the previous domain" ] || fail "the failed conversion changed the -o file"
		[ -s "$tmp/stderr" ] || fail "failed without a message"
	fi
	leftover=$(find "$tmp/out" -mindepth 1 ! -name domain.xml)
	[ -z "$leftover" ] || fail "left files behind: $leftover"
	if [ "$bad" = 1 ]; then
		failed=$((failed + 1))
		head -c 600 "$tmp/stderr" | sed 's/^/  stderr: /' >&2
	fi
done
# ---- -o itself hostile -----------------------------------------------------------------------------------
good=tests/data/examples/vmi-fedora.json
convert_to() { "$HVL" --log-format text convert --vmi "$good" --hypervisor kvm -o "$1" >"$tmp/stdout" 2>"$tmp/stderr"; }
no_temporaries() { [ -z "$(find "$1" -name '*.tmp.*' -o -name '.*.hvl-*')" ] || fail "left a temporary file in $1"; }

name=output-is-a-directory bad=0
rm -rf "$tmp/out" && mkdir -p "$tmp/out/domain.xml"
convert_to "$tmp/out/domain.xml"
status=$?
[ "$status" = 1 ] || fail "exit status $status, expected 1"
grep -qF "Cannot write '$tmp/out/domain.xml': it is a directory; give the name of a file." "$tmp/stderr" ||
	fail "stderr lacks the reason: $(cat "$tmp/stderr")"
[ -d "$tmp/out/domain.xml" ] || fail "the directory was replaced"
no_temporaries "$tmp/out"
checked=$((checked + 1)) && [ "$bad" = 0 ] || failed=$((failed + 1))

name=output-directory-missing bad=0
convert_to "$tmp/missing/domain.xml"
status=$?
[ "$status" = 1 ] || fail "exit status $status, expected 1"
grep -qF "Cannot write '$tmp/missing/domain.xml': the directory '$tmp/missing' does not exist." "$tmp/stderr" ||
	fail "stderr lacks the reason: $(cat "$tmp/stderr")"
checked=$((checked + 1)) && [ "$bad" = 0 ] || failed=$((failed + 1))

# A symbolic link at -o is replaced, never written through: -o cannot be aimed at another file.
name=output-is-a-symlink bad=0
rm -rf "$tmp/out" && mkdir "$tmp/out"
printf 'precious\n' >"$tmp/precious"
ln -s "$tmp/precious" "$tmp/out/domain.xml"
convert_to "$tmp/out/domain.xml"
status=$?
[ "$status" = 0 ] || fail "exit status $status, expected 0"
[ "$(cat "$tmp/precious")" = precious ] || fail "wrote through the symbolic link"
[ -f "$tmp/out/domain.xml" ] && [ ! -L "$tmp/out/domain.xml" ] || fail "-o is still a symbolic link"
no_temporaries "$tmp/out"
checked=$((checked + 1)) && [ "$bad" = 0 ] || failed=$((failed + 1))

echo "$checked hostile inputs, $failed failed"
[ "$checked" -ge 40 ] || { echo "expected at least 40 hostile inputs" >&2; exit 1; }
[ "$failed" -eq 0 ]
