#!/bin/bash
# The claims in the Hyper-V Layered docs point at things that exist: every file path in backquotes, every
# test case (`test_...`, a cmocka test registered in tests/unit/), and every quoted line of a
# tests/check-*.sh script (its text before the first colon must appear in that script).
# And the troubleshooting page is complete: every message passed to hvl_error_set(), hvl_error_set_errno()
# or hvl_error_wrap() in launcher/, overhead/, converter/ and util/ appears in it, with "…" for each conversion.
set -uo pipefail
: "${HVL_TOP:?HVL_TOP must name the source tree}"
cd "$HVL_TOP" || exit 1
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 77; }

python3 - docs/hyperv-layered-user-guide.md docs/hyperv-layered-troubleshooting.md docs/mshv-profile.md docs/security-review.md docs/testing.md <<'PY'
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
    for path in sorted(set(re.findall(r"`((?:tests|scripts|launcher|overhead|converter|util|man|docs)/[^`\s:]*)", text))):
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

# Completeness of the message catalogue: the format argument of every error call, "…" for each conversion.
FMT_ARG = {"hvl_error_set": 2, "hvl_error_set_errno": 3, "hvl_error_wrap": 1, "vj_fail": 2, "vj_fail_at": 3}
CALL = re.compile(r"\b(hvl_error_set_errno|hvl_error_set|hvl_error_wrap|vj_fail_at|vj_fail)\s*\(")
LIT = r'"(?:[^"\\]|\\.)*"'
SPEC = re.compile(r"%[-+ #0-9.*]*(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfgGcsp]")

def call_args(src, i):
    args, depth, cur, k = [], 0, "", i
    while k < len(src):
        ch = src[k]
        if ch in "\"'":
            e = k + 1
            while src[e] != ch:
                e += 2 if src[e] == "\\" else 1
            cur += src[k:e + 1]
            k = e + 1
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return args + [cur]
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(cur)
            cur, k = "", k + 1
            continue
        cur += ch
        k += 1
    return args

def norm(t):
    return " ".join(t.split())

doc = "docs/hyperv-layered-troubleshooting.md"
catalogue = norm(open(doc).read().replace("\\|", "|")) if os.path.exists(doc) else ""
missing = []
for f in sorted(glob.glob("launcher/*.c") + glob.glob("overhead/*.c") + glob.glob("converter/*.c") + glob.glob("util/*.c")):
    src = open(f).read()
    for m in CALL.finditer(src):
        if re.search(r"\b(int|void)\s+$", src[max(0, m.start() - 40):m.start()]):
            continue  # the helper's own definition
        args = call_args(src, m.end())
        n = FMT_ARG[m.group(1)]
        if len(args) <= n or not re.findall(LIT, args[n]) or re.sub(LIT, "", args[n]).strip():
            continue  # the format is not a literal
        fmt = "".join(x[1:-1] for x in re.findall(LIT, args[n])).replace('\\"', '"').replace("%%", "%")
        text = norm(SPEC.sub("…", fmt))
        if len(re.sub(r"[^A-Za-z]", "", text)) < 4:
            continue  # pure pass-through such as "%s: %s"
        if text not in catalogue:
            missing.append("%s:%d: %s" % (f, src[:m.start()].count("\n") + 1, text))
for m in missing:
    print("FAIL: %s does not document: %s" % (doc, m))
if missing:
    print("(add a note for each in scripts/gen-troubleshooting, then run it from the repository root)")
failures += len(missing)
if not missing:
    print("ok: every error message is in %s" % doc)
sys.exit(1 if failures else 0)
PY
