#!/bin/bash
# Lint the man pages and check that they document every long option of launcher/*.c's getopt tables and
# every HVL_* environment variable the launcher reads.  Exit 0 pass, 77 skip, else fail.
set -uo pipefail
cd "${HVL_TOP:-$(dirname "$0")/..}"

pages=(man/*.[0-9])
if [ ! -e "${pages[0]}" ]; then
	echo "check-man: no man pages in man/" >&2
	exit 1
fi
if ! command -v mandoc >/dev/null && ! command -v groff >/dev/null; then
	echo "check-man: neither mandoc nor groff is installed" >&2
	exit 77
fi

status=0
fail() {
	echo "check-man: $*" >&2
	status=1
}

for page in "${pages[@]}"; do
	if command -v mandoc >/dev/null; then
		out=$(mandoc -Tlint -Wwarning "$page" 2>&1) || fail "mandoc -Tlint -Wwarning $page:"$'\n'"$out"
	fi
	if command -v groff >/dev/null; then
		out=$(groff -man -ww -z "$page" 2>&1)
		[ -z "$out" ] || fail "groff -man -ww $page:"$'\n'"$out"
	fi
done

# The roff source with "\-" turned back into "-", so options read as they are typed.
text=$(sed 's/\\-/-/g' "${pages[@]}")

# Long options: entries of the shape { "name", no_argument|required_argument|optional_argument, ... }.
options=$(grep -ohE '\{ *"[a-z0-9-]+", *(no_argument|required_argument|optional_argument)' launcher/*.c |
	sed -E 's/\{ *"([^"]+)".*/\1/' | sort -u)
[ -n "$options" ] || fail "no getopt_long option table found in launcher/*.c"
for opt in $options; do
	grep -qE -- "--$opt([^a-z0-9-]|$)" <<<"$text" || fail "option --$opt is not documented in man/"
done

# Environment variables: every "HVL_..." string literal in launcher/*.c.
vars=$(grep -ohE '"HVL_[A-Z_]+"' launcher/*.c | tr -d '"' | sort -u)
for var in $vars; do
	grep -qE -- "^\.B $var\$" <<<"$text" || fail "environment variable $var has no entry in man/ (.B $var)"
done

# Every section a page must have.
for page in "${pages[@]}"; do
	for section in NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		grep -qE "^\.SH \"?$section\"?\$" "$page" || fail "$page has no $section section"
	done
done

[ $status -eq 0 ] && echo "check-man: ${#pages[@]} page(s), $(wc -w <<<"$options") options, $(wc -w <<<"$vars") variables: ok"
exit $status
