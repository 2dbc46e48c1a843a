#!/bin/bash
# The claims in the Hyper-V Layered docs point at things that exist: every file path in backquotes, every
# test case (`test_...`, a cmocka test registered in tests/unit/), and every quoted line of a
# tests/check-*.sh script (its text before the first colon must appear in that script).
set -uo pipefail
: "${HVL_TOP:?HVL_TOP must name the source tree}"
cd "$HVL_TOP" || exit 1
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 77; }

python3 - docs/hyperv-layered-user-guide.md docs/hyperv-layered-troubleshooting.md docs/security-review.md <<'PY'
import glob, os, re, sys

registered = set()
for f in glob.glob("tests/unit/test-*.c"):
    registered |= set(re.findall(r"cmocka_unit_test\w*\((test_\w+)", open(f).read()))
failures = 0
for doc in sys.argv[1:]:
    if not os.path.exists(doc):
        print("FAIL: %s is missing" % doc); failures += 1; continue
    text = open(doc).read()
    before = failures
    for path in sorted(set(re.findall(r"`((?:tests|scripts|launcher|converter|overhead|man|docs)/[^`\s:]*)", text))):
        if not (os.path.exists(path) or glob.glob(path)):
            print("FAIL: %s names %s, which does not exist" % (doc, path)); failures += 1
    for case in sorted(set(re.findall(r"`?\b(test_[a-z0-9_]+)\b", text))):
        if case not in registered:
            print("FAIL: %s names the test case %s, which no unit suite registers" % (doc, case)); failures += 1
    for script, quoted in re.findall(r"`(tests/check-[\w-]+\.sh)`:\s*((?:\"[^\"]+\"(?:,\s*)?)+)", text):
        body = open(script).read() if os.path.exists(script) else ""
        for q in re.findall(r"\"([^\"]+)\"", quoted):
            head = " ".join(q.split()).split(":")[0]
            if head not in body:
                print("FAIL: %s quotes '%s' from %s, which does not print it" % (doc, q, script)); failures += 1
    if failures == before:
        print("ok: %s" % doc)
sys.exit(1 if failures else 0)
PY
