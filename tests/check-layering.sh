#!/bin/bash
# The rooms hold: scripts/layering over this build's objects and the sources finds no circle between source
# files (calls or includes) and no use of a higher room (util < converter < overhead < launcher).
# The check itself must be able to fail, so it first runs on small synthetic trees: a clean one is accepted;
# a call circle of two and of three files, an upward call, an upward include, a header circle and a symbol
# defined twice are each refused with their own message.
set -uo pipefail
cd "${HVL_TOP:-$(dirname "$0")/..}" || exit 1
: "${BUILDDIR:=build}"
: "${CC:=cc}"
for tool in python3 nm "$CC"; do
	command -v "$tool" >/dev/null || { echo "check-layering: $tool is needed" >&2; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { echo "ok: $*"; }
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# tree NAME ROOM/FILE 'SOURCE' ...: write the files under $tmp/NAME and compile every .c into build/ROOM/.
tree() {
	local dir=$tmp/$1
	shift
	while [ $# -gt 0 ]; do
		mkdir -p "$dir/$(dirname "$1")"
		printf '%s\n' "$2" >"$dir/$1"
		shift 2
	done
	local src
	for src in "$dir"/*/*.c; do
		local rel=${src#"$dir"/}
		mkdir -p "$dir/build/$(dirname "$rel")"
		"$CC" -c -iquote "$dir/util" -iquote "$dir/converter" -o "$dir/build/${rel%.c}.o" "$src" || return 1
	done
}

# expect NAME STATUS TEXT: scripts/layering on tree NAME exits STATUS and prints TEXT.
expect() {
	local out status
	out=$(scripts/layering --top "$tmp/$1" --builddir "$tmp/$1/build" --rooms util,converter 2>&1)
	status=$?
	if [ "$status" -ne "$2" ]; then
		fail "synthetic tree '$1': exit $status, expected $2"$'\n'"$out"
	elif ! grep -qF -- "$3" <<<"$out"; then
		fail "synthetic tree '$1': no '$3' in"$'\n'"$out"
	else
		pass "synthetic tree '$1': exit $2, '$3'"
	fi
}

tree clean \
	util/base.h 'int base(void);' \
	util/base.c '#include "base.h"
int base(void) { return 1; }' \
	converter/a.c '#include "base.h"
int a(void) { return base(); }' \
	converter/b.c 'int a(void);
int b(void) { return a(); }' || fail "cannot compile the synthetic trees"
expect clean 0 "no circle, nothing uses a higher room"

tree circle2 \
	converter/a.c 'int b(void);
int a(void) { return b(); }' \
	converter/b.c 'int a(void);
int b(void) { return a(); }'
expect circle2 1 "FAIL: calls: a circle of 2 files (converter/a.c, converter/b.c), for one: converter/a.c -> converter/b.c -> converter/a.c"

tree circle3 \
	converter/a.c 'int b(void);
int a(void) { return b(); }' \
	converter/b.c 'int c(void);
int b(void) { return c(); }' \
	converter/c.c 'int a(void);
int c(void) { return a(); }'
expect circle3 1 "for one: converter/a.c -> converter/b.c -> converter/c.c -> converter/a.c"

tree upcall \
	util/base.c 'int a(void);
int base(void) { return a(); }' \
	converter/a.c 'int a(void) { return 0; }'
expect upcall 1 "FAIL: calls: util/base.c uses converter/a.c, a higher room (a)"

tree upinclude \
	converter/a.h '#define A 1' \
	util/base.c '#include "a.h"
int base(void) { return A; }'
expect upinclude 1 "FAIL: includes: util/base.c uses converter/a.h, a higher room"

tree headers \
	converter/x.h '#pragma once
#include "y.h"' \
	converter/y.h '#pragma once
#include "x.h"' \
	converter/a.c '#include "x.h"
int a(void) { return 0; }'
expect headers 1 "FAIL: includes: a circle of 2 files (converter/x.h, converter/y.h)"

tree twice \
	converter/a.c 'int same(void) { return 0; }' \
	converter/b.c 'int same(void) { return 1; }'
expect twice 1 "FAIL: the symbol same is defined by both converter/a.c and converter/b.c"

# ---- this tree -------------------------------------------------------------------------------------------
if [ ! -d "$BUILDDIR/util" ] || [ ! -d "$BUILDDIR/converter" ]; then
	fail "no objects in $BUILDDIR/util and $BUILDDIR/converter; run make first"
elif out=$(scripts/layering --builddir "$BUILDDIR" 2>&1); then
	pass "$(tail -1 <<<"$out")"
else
	fail "scripts/layering over $BUILDDIR:"$'\n'"$(grep -v '^ ' <<<"$out")"
fi

[ "$failures" -eq 0 ]
