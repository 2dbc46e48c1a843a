#!/bin/bash
# The suite again under AddressSanitizer + UndefinedBehaviorSanitizer (with LeakSanitizer).
#
# Builds `make BUILDDIR=build-asan SANITIZE=1 tests`, runs every unit test binary of that build, then the
# script suites that drive the binary over the golden conversions and the bad and hostile inputs, with
# HVL pointing at the sanitized binary.  It does not call run-all.sh (which would run this script again).
# Every sanitizer report is also written under a log_path, so a report from a command whose exit status
# a suite does not check still fails this one.
#
#   ASAN_BUILDDIR  build directory (default build-asan)
#   ASAN_SUITES    the tests/check-NAME.sh suites to run (default below)
set -uo pipefail
cd "${HVL_TOP:-$(dirname "$0")/..}" || exit 1
top=$PWD

builddir=${ASAN_BUILDDIR:-build-asan}
suites=${ASAN_SUITES:-golden convert vmi-errors hostile hook overhead detect exec}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! make -s -j"$(nproc)" BUILDDIR="$builddir" SANITIZE=1 tests >"$tmp/build.log" 2>&1; then
	cat "$tmp/build.log" >&2
	echo "FAIL: the sanitizer build failed" >&2
	exit 1
fi

mkdir "$tmp/reports"
# libvirt speaks RPC through libtirpc's XDR functions, and libasan intercepts functions of those names
# (glibc's old SunRPC).  libvirt is loaded lazily, after libasan resolved its interceptors, so they
# forward to NULL and the first libvirt call crashes ("failed to intercept 'xdrmem_create'").  Loading
# libtirpc first binds libvirt to the real functions; XDR is not our code, so nothing is lost.
tirpc=$(ldconfig -p 2>/dev/null | sed -n 's/^[[:space:]]*\(libtirpc\.so\.[0-9]*\) .*/\1/p' | head -1)
if [ -n "$tirpc" ]; then
	export LD_PRELOAD="$tirpc${LD_PRELOAD:+ $LD_PRELOAD}"
fi
export ASAN_OPTIONS="detect_leaks=1:verify_asan_link_order=0:log_path=$tmp/reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$tmp/reports/ubsan"
export LSAN_OPTIONS="log_path=$tmp/reports/lsan"

failed=()
for t in "$builddir"/tests/test-*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	if ! "$t" >"$tmp/$name.log" 2>&1; then
		tail -20 "$tmp/$name.log" >&2
		failed+=("$name")
	fi
	sed -n "s/^SKIP (part): /SKIP (part): $name under ASan: /p" "$tmp/$name.log" | sort -u
done

for s in $suites; do
	script=tests/check-$s.sh
	[ -x "$script" ] || { echo "no suite $script" >&2; failed+=("$s"); continue; }
	BUILDDIR=$builddir HVL=$top/$builddir/hvl-launcher HVL_TOP=$top "$script" >"$tmp/$s.log" 2>&1
	status=$?
	# What the suite could not check here, it could not check under ASan either: say so once more.
	sed -n "s/^SKIP (part): /SKIP (part): check-$s under ASan: /p" "$tmp/$s.log" | sort -u
	case $status in
	0) ;;
	77) echo "SKIP (part): check-$s under ASan, all of it: $(tail -1 "$tmp/$s.log")" ;;
	*) tail -20 "$tmp/$s.log" >&2; failed+=("check-$s") ;;
	esac
done

reports=$(find "$tmp/reports" -type f | sort)
if [ -n "$reports" ]; then
	for r in $reports; do
		echo "--- $(basename "$r")" >&2
		head -40 "$r" >&2
	done
	failed+=("sanitizer reports: $(echo "$reports" | wc -l)")
fi

if [ ${#failed[@]} -gt 0 ]; then
	echo "FAIL under ASan+UBSan: ${failed[*]}" >&2
	exit 1
fi
echo "ASan+UBSan: $(find "$builddir"/tests -maxdepth 1 -name 'test-*' -type f -executable | wc -l) unit binaries and suites ($suites) clean"
