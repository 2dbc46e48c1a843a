#!/bin/bash
# The deployment files in scripts/, checked as far as a machine without a container engine allows:
# Containerfile stages, COPY sources and install paths; the hook image's library bundle (relinked and
# bundled here for real); the KubeVirt CR patch applied to a CR and read back by `hvl-launcher detect`;
# the hook annotation against KubeVirt's HookSidecar fields; the example VMI.
set -uo pipefail
: "${HVL:?HVL must name the hvl-launcher binary}"
: "${HVL_TOP:?HVL_TOP must name the source tree}"
: "${BUILDDIR:=build}"
cd "$HVL_TOP" || exit 1

command -v python3 >/dev/null || { echo "python3 is needed for these checks" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
pass() { echo "ok: $*"; }

# ---- Containerfiles: a small parser (stages, COPY, ENV, ENTRYPOINT) in Python ----
containerfile_facts() { # containerfile_facts FILE -> JSON on stdout, or a message and exit 1
	python3 - "$1" <<'EOF'
import json, os, re, shlex, sys

path = sys.argv[1]
lines, cur = [], ""
for raw in open(path):
    line = raw.rstrip("\n")
    if not cur and (not line.strip() or line.lstrip().startswith("#")):
        continue
    if line.endswith("\\"):
        cur += line[:-1] + " "
        continue
    lines.append(cur + line)
    cur = ""

errors, stages, args = [], [], {}
for line in lines:
    word, _, rest = line.strip().partition(" ")
    word = word.upper()
    if word == "ARG":
        name, _, default = rest.partition("=")
        if not stages:
            args[name] = default
        continue
    if word == "FROM":
        m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?\s*$", rest, re.I)
        if not m:
            errors.append("unparsable FROM: " + line)
            continue
        image = re.sub(r"\$\{(\w+)\}", lambda v: args.get(v.group(1), ""), m.group(1))
        stages.append({"image": image, "name": m.group(2), "copies": [], "env": {}, "runs": [],
                       "entrypoint": None, "cmd": None, "user": None})
        continue
    if not stages:
        errors.append("instruction before FROM: " + line)
        continue
    st = stages[-1]
    if word == "COPY":
        parts = shlex.split(rest)
        opts = [p for p in parts if p.startswith("--")]
        files = [p for p in parts if not p.startswith("--")]
        src_from = next((o.split("=", 1)[1] for o in opts if o.startswith("--from=")), None)
        st["copies"].append({"from": src_from, "sources": files[:-1], "dest": files[-1]})
    elif word == "ENV":
        k, _, v = rest.partition("=")
        st["env"][k.strip()] = v.strip()
    elif word == "RUN":
        st["runs"].append(rest)
    elif word in ("ENTRYPOINT", "CMD", "USER"):
        st[word.lower()] = rest

names = [s["name"] for s in stages if s["name"]]
for s in stages:
    for c in s["copies"]:
        if c["from"] is not None and c["from"] not in names:
            errors.append("COPY --from=%s names no earlier stage" % c["from"])
        if c["from"] is None:
            for src in c["sources"]:
                if not os.path.exists(src):
                    errors.append("COPY source %s does not exist in the build context" % src)
if errors:
    print("\n".join(errors))
    sys.exit(1)
print(json.dumps({"args": args, "stages": stages}))
EOF
}

# jq-like queries on the facts, in Python: q FACTS EXPR (EXPR sees `f`, the facts)
q() { python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

for cf in scripts/Containerfile.launcher scripts/Containerfile.hook; do
	if containerfile_facts "$cf" >"$tmp/$(basename "$cf").json" 2>"$tmp/cf.err"; then
		pass "$cf: stages resolve, every COPY source exists"
	else
		fail "$cf: $(cat "$tmp/$(basename "$cf").json" "$tmp/cf.err")"
	fi
done
L=$tmp/Containerfile.launcher.json
H=$tmp/Containerfile.hook.json

# The build stage's COPY lines carry everything `make` needs: a dry run in a context made of just them.
for cf in scripts/Containerfile.launcher scripts/Containerfile.hook; do
	ctx=$tmp/context-$(basename "$cf")
	mkdir -p "$ctx"
	python3 -c '
import json, sys
f = json.load(open(sys.argv[1]))
build = next(s for s in f["stages"] if s["name"] == "build")
for c in build["copies"]:
    if c["from"] is None and c["dest"].startswith(("./", "util", "converter", "overhead", "launcher")):
        print("\n".join(c["sources"]))' "$tmp/$(basename "$cf").json" | while read -r src; do
		cp -r "$src" "$ctx/"
	done
	if (cd "$ctx" && make -n BUILDDIR="$ctx/build" >/dev/null 2>"$tmp/make-n.err"); then
		pass "$cf: the files its build stage copies are enough for make"
	else
		fail "$cf: make fails in a context of only the copied files: $(head -3 "$tmp/make-n.err")"
	fi
done

# Every pkg-config module the Makefile links is installed (as -devel) in both build stages.
pkgs=$(sed -n 's/^PKGS := //p' Makefile)
declare -A devel=([libvirt]=libvirt-devel [libxml-2.0]=libxml2-devel [libcap-ng]=libcap-ng-devel [json-c]=json-c-devel
	[nettle]=nettle-devel)
for cf in scripts/Containerfile.launcher scripts/Containerfile.hook; do
	for p in $pkgs; do
		if [ -z "${devel[$p]:-}" ] || ! grep -q "dnf -y install .*${devel[$p]}" "$cf"; then
			fail "$cf: the build stage does not install the package for pkg-config module '$p'"
		fi
	done
	grep -q 'make .*BUILDDIR=' "$cf" && grep -q '^BUILDDIR ?=' Makefile ||
		fail "$cf: builds with BUILDDIR=, which the Makefile must let it override"
done
[ "$failures" -eq 0 ] && pass "build stages install a package for every pkg-config module ($pkgs)"

# Drop-in: upstream's monitor moves to HVL_NEXT (= the compiled-in default), ours takes its path.
default_next=$(sed -n 's/^#define HVL_DEFAULT_NEXT "\(.*\)"$/\1/p' launcher/options.h)
check_launcher() {
	python3 - "$L" "$default_next" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1])); default_next = sys.argv[2]
final = f["stages"][-1]; errs = []
if not f["args"].get("LAUNCHER_IMAGE", "").startswith("quay.io/kubevirt/virt-launcher:"):
    errs.append("LAUNCHER_IMAGE does not default to KubeVirt's virt-launcher image")
if final["image"] != f["args"].get("LAUNCHER_IMAGE"):
    errs.append("the final stage is not built FROM the launcher image")
copies = {c["dest"]: c for c in final["copies"]}
next_path = final["env"].get("HVL_NEXT")
if next_path != default_next:
    errs.append("HVL_NEXT=%s differs from HVL_DEFAULT_NEXT %s" % (next_path, default_next))
orig = copies.get(next_path)
if not orig or orig["sources"] != ["/usr/bin/virt-launcher-monitor"]:
    errs.append("the original virt-launcher-monitor is not copied to HVL_NEXT")
else:
    src_stage = next(s for s in f["stages"] if s["name"] == orig["from"])
    if src_stage["image"] != f["args"]["LAUNCHER_IMAGE"]:
        errs.append("the original monitor does not come from the untouched launcher image")
ours = copies.get("/usr/bin/virt-launcher-monitor")
if not ours or ours["from"] != "build":
    errs.append("hvl-launcher is not installed as /usr/bin/virt-launcher-monitor")
build = next(s for s in f["stages"] if s["name"] == "build")
if not any("setcap cap_net_bind_service=+ep /out/usr/bin/virt-launcher-monitor" in r for r in build["runs"]):
    errs.append("our virt-launcher-monitor lacks KubeVirt's file capability cap_net_bind_service")
if final["entrypoint"] or final["cmd"]:
    errs.append("the final stage overrides ENTRYPOINT/CMD; virt-controller sets the command itself")
if not any("hvl-launcher" in r and "--version" in r for r in final["runs"]):
    errs.append("the final stage never runs the binary, so a missing library would go unnoticed")
print("\n".join(errs)); sys.exit(1 if errs else 0)
EOF
}
if out=$(check_launcher); then
	pass "Containerfile.launcher: drop-in layout (monitor -> $default_next, hvl-launcher in its place)"
else
	fail "Containerfile.launcher: $out"
fi

# The mshv launcher image (scripts/Containerfile.launcher-mshv): its packages come from the same list files, through
# the same install script, as the root `make check-stack` builds hvl-launcher in and tests (scripts/mshv-stack), so
# what CI tests is what ships; its build stage has what make needs; the layout is KubeVirt's launcher's.
M=scripts/Containerfile.launcher-mshv
if containerfile_facts "$M" >"$tmp/mshv.json" 2>"$tmp/cf.err"; then
	pass "$M: stages resolve, every COPY source exists"
else
	fail "$M: $(cat "$tmp/mshv.json" "$tmp/cf.err")"
fi
ctx=$tmp/context-mshv
mkdir -p "$ctx"
for src in Makefile util converter overhead launcher; do
	grep -q "^COPY $src/\? " "$M" || fail "$M: the build stage does not copy $src"
	cp -r "$src" "$ctx/"
done
(cd "$ctx" && make -n BUILDDIR="$ctx/build" >/dev/null 2>&1) || fail "$M: make fails in a context of only the copied files"
check_mshv_image() {
	python3 - "$tmp/mshv.json" "$default_next" <<'EOF2'
import json, re, sys
f = json.load(open(sys.argv[1])); default_next = sys.argv[2]; errs = []
stages = {s["name"]: s for s in f["stages"]}
final, build, kv = f["stages"][-1], stages.get("build"), stages.get("kubevirt")
if not f["args"].get("KUBEVIRT_LAUNCHER_IMAGE", "").startswith("quay.io/kubevirt/virt-launcher:${KUBEVIRT_VERSION}"):
    errs.append("KubeVirt's binaries do not come from quay.io/kubevirt/virt-launcher of KUBEVIRT_VERSION")
if not kv or kv["image"] != f["args"]["KUBEVIRT_LAUNCHER_IMAGE"]:
    errs.append("no stage 'kubevirt' FROM the KubeVirt launcher image")
if "trixie" not in f["args"].get("DEBIAN_IMAGE", "") or final["image"] != f["args"]["DEBIAN_IMAGE"] or \
        not build or build["image"] != f["args"]["DEBIAN_IMAGE"]:
    errs.append("the build and final stages are not Debian trixie")
def installs(stage, lst):
    copied = any("scripts/mshv-stack-install" in c["sources"] and "scripts/" + lst in c["sources"] for c in stage["copies"])
    ran = any(re.search(r"mshv-stack-install\s+\S*" + re.escape(lst), r) for r in stage["runs"])
    return copied and ran
if not installs(final, "mshv-stack.packages"):
    errs.append("the final stage does not install scripts/mshv-stack.packages with scripts/mshv-stack-install")
if build and not installs(build, "mshv-stack-build.packages"):
    errs.append("the build stage does not install scripts/mshv-stack-build.packages with scripts/mshv-stack-install")
copies = {c["dest"]: c for c in final["copies"]}
for path in ("/usr/bin/virt-launcher", "/usr/bin/virt-freezer", "/usr/bin/virt-probe", "/usr/bin/virt-tail",
             "/usr/bin/container-disk", "/etc/libvirt/qemu.conf", "/etc/libvirt/virtqemud.conf"):
    if copies.get(path, {}).get("from") != "kubevirt" or copies[path]["sources"] != [path]:
        errs.append("%s is not KubeVirt's own" % path)
if final["env"].get("HVL_NEXT") != default_next or \
        copies.get(default_next, {}).get("sources") != ["/usr/bin/virt-launcher-monitor"] or \
        copies[default_next]["from"] != "kubevirt":
    errs.append("KubeVirt's virt-launcher-monitor is not moved to HVL_NEXT (%s)" % default_next)
if copies.get("/usr/bin/virt-launcher-monitor", {}).get("from") != "build":
    errs.append("hvl-launcher is not installed as /usr/bin/virt-launcher-monitor")
if copies.get("/usr/sbin/virtqemud", {}).get("sources") != ["scripts/virtqemud-shim"]:
    errs.append("/usr/sbin/virtqemud (virt-launcher starts it) is not scripts/virtqemud-shim")
if build and not any("setcap cap_net_bind_service=+ep /out/usr/bin/virt-launcher-monitor" in r for r in build["runs"]):
    errs.append("our virt-launcher-monitor lacks KubeVirt's file capability cap_net_bind_service")
if final["entrypoint"] or final["cmd"]:
    errs.append("the final stage overrides ENTRYPOINT/CMD; virt-controller sets the command itself")
if not any("hvl-launcher" in r and "--version" in r for r in final["runs"]) or \
        not any("-accel help" in r and "mshv" in r for r in final["runs"]):
    errs.append("the final stage does not run hvl-launcher and check QEMU's mshv accelerator")
print("\n".join(errs)); sys.exit(1 if errs else 0)
EOF2
}
if out=$(check_mshv_image); then
	pass "$M: packages from the lists scripts/mshv-stack uses, KubeVirt's binaries, hvl-launcher as the monitor"
else
	fail "$M: $out"
fi
for list in mshv-stack.packages mshv-stack-build.packages; do
	grep -q "scripts/$list" scripts/mshv-stack || fail "scripts/mshv-stack does not build its root from scripts/$list"
done
# A Debian -dev package for every pkg-config module, in the build list.
declare -A debdev=([libvirt]=libvirt-dev [libxml-2.0]=libxml2-dev [libcap-ng]=libcap-ng-dev [json-c]=libjson-c-dev
	[nettle]=nettle-dev)
for p in $pkgs; do
	grep -qx "${debdev[$p]:-none}" scripts/mshv-stack-build.packages ||
		fail "scripts/mshv-stack-build.packages has no package for pkg-config module '$p'"
done
grep -qx libcap2-bin scripts/mshv-stack-build.packages || fail "scripts/mshv-stack-build.packages lacks setcap (libcap2-bin)"
sh -n scripts/virtqemud-shim || fail "scripts/virtqemud-shim is not valid sh"

# Hook image: what KubeVirt's sidecar-shim expects (cmd/sidecars/sidecar_shim.go): an executable
# named onDefineDomain in $PATH, the shim itself left as the entrypoint.
check_hook() {
	python3 - "$H" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1])); final = f["stages"][-1]; errs = []
if not f["args"].get("SHIM_IMAGE", "").startswith("quay.io/kubevirt/sidecar-shim:"):
    errs.append("SHIM_IMAGE does not default to KubeVirt's sidecar-shim image")
if final["image"] != f["args"].get("SHIM_IMAGE"):
    errs.append("the final stage is not built FROM the sidecar-shim image")
dests = [c["dest"] for c in final["copies"]]
if "/usr/bin/onDefineDomain" not in dests:
    errs.append("nothing is installed as /usr/bin/onDefineDomain")
if any(d.endswith("preCloudInitIso") for d in dests):
    errs.append("preCloudInitIso is installed; hook mode only passes it through")
if final["entrypoint"] not in (None, '["/sidecar-shim"]') or final["cmd"]:
    errs.append("the shim's entrypoint is overridden")
build = next(s for s in f["stages"] if s["name"] == "build")
if not any("-rpath,/usr/lib/hvl-launcher" in r and "--disable-new-dtags" in r for r in build["runs"]):
    errs.append("the binary is not linked with a DT_RPATH to the bundled libraries")
if "/usr/lib/hvl-launcher/" not in dests:
    errs.append("the bundled libraries are not copied to /usr/lib/hvl-launcher")
print("\n".join(errs)); sys.exit(1 if errs else 0)
EOF
}
if out=$(check_hook); then
	pass "Containerfile.hook: /usr/bin/onDefineDomain on the shim, entrypoint kept, libraries bundled"
else
	fail "Containerfile.hook: $out"
fi

# The bundle recipe for real: relink with the same DT_RPATH idea, bundle, and look where libraries load from.
objs=("$BUILDDIR/launcher/main.o" "$BUILDDIR/liblauncher.a" "$BUILDDIR/liboverhead.a" "$BUILDDIR/libconverter.a"
	"$BUILDDIR/libhvlutil.a")
if [ -f "${objs[0]}" ] && command -v ldd >/dev/null; then
	mkdir -p "$tmp/bundle/bin"
	san=()
	# A SANITIZE=1 build directory holds instrumented objects: link them the same way.
	nm "$BUILDDIR/libconverter.a" 2>/dev/null | grep -c __asan_ >/dev/null && san=(-fsanitize=address,undefined)
	# shellcheck disable=SC2046
	# Linked as the Makefile links (PKG_LIBS): libvirt is not linked but loaded on first use (libvirt-lazy.c).
	if ${CC:-cc} "${san[@]}" -o "$tmp/bundle/bin/onDefineDomain" "${objs[@]}" $(pkg-config --libs ${pkgs/libvirt/}) \
		-Wl,--disable-new-dtags,-rpath,"$tmp/bundle/lib" 2>"$tmp/link.err" &&
		scripts/bundle-libs "$tmp/bundle/bin/onDefineDomain" "$tmp/bundle/lib" 2>"$tmp/bundle.err"; then
		ldd "$tmp/bundle/bin/onDefineDomain" >"$tmp/ldd.txt"
		if grep -q "libxml2.so.2 => $tmp/bundle/lib/" "$tmp/ldd.txt" &&
			grep -q "libjson-c.so.5 => $tmp/bundle/lib/" "$tmp/ldd.txt" &&
			grep -q "libz.so.1 => $tmp/bundle/lib/" "$tmp/ldd.txt" &&
			[ "$(ls "$tmp/bundle/lib" | grep -cE '^(libc|libm|libpthread|libdl)\.so|^ld-linux')" -eq 0 ] &&
			"$tmp/bundle/bin/onDefineDomain" --help >/dev/null; then
			pass "bundle-libs + DT_RPATH: libxml2, json-c and their own dependencies load from the bundle ($(ls "$tmp/bundle/lib" | wc -l) libraries, glibc left out)"
		else
			fail "bundle-libs: libraries do not load from the bundle: $(cat "$tmp/ldd.txt")"
		fi
	else
		fail "bundle-libs: $(cat "$tmp/link.err" "$tmp/bundle.err" 2>/dev/null)"
	fi
else
	echo "SKIP (part): no objects in $BUILDDIR or no ldd, so scripts/bundle-libs is not checked"
fi

# ---- KubeVirt CR patch: JSON merge patch (RFC 7386) applied to a CR, then read back by detect ----
cat >"$tmp/kubevirt.json" <<'EOF'
{"apiVersion": "kubevirt.io/v1", "kind": "KubeVirt", "metadata": {"name": "kubevirt", "namespace": "kubevirt"},
 "spec": {"configuration": {"developerConfiguration": {"featureGates": ["Snapshot"], "useEmulation": false}},
          "imagePullPolicy": "IfNotPresent"}}
EOF
if python3 - scripts/kubevirt-cr-patch.json "$tmp/kubevirt.json" >"$tmp/patched.json" 2>"$tmp/patch.err" <<'EOF'; then
import json, sys

def merge(target, patch):  # RFC 7386
    if not isinstance(patch, dict):
        return patch
    target = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            target.pop(k, None)
        else:
            target[k] = merge(target.get(k), v)
    return target

patch = json.load(open(sys.argv[1]))
cr = merge(json.load(open(sys.argv[2])), patch)
conf = cr["spec"]["configuration"]
gates = conf["developerConfiguration"]["featureGates"]
for g in ("HyperVLayered", "Sidecar", "ConfigurableHypervisor"):
    assert g in gates, "featureGates lacks " + g
assert conf["hypervisors"] == [{"name": "hyperv-direct"}], "hypervisors is not [hyperv-direct]"
assert conf["developerConfiguration"]["useEmulation"] is False, "the patch clobbered a sibling field"
assert cr["spec"]["imagePullPolicy"] == "IfNotPresent"
json.dump(cr, sys.stdout)
EOF
	pass "kubevirt-cr-patch.json: valid JSON merge patch; gates and hyperv-direct land where KubeVirt reads them"
	"$HVL" detect --json --no-libvirt --dev-root "$tmp" --kubevirt-config "$tmp/patched.json" \
		>"$tmp/detect.json" 2>"$tmp/detect.err"
	if python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["featureGate"]; sys.exit(0 if g["enabled"] and g["source"]=="KubeVirt CR" else 1)' \
		"$tmp/detect.json" 2>/dev/null; then
		pass "hvl-launcher detect reads HyperVLayered from the patched CR"
	else
		fail "detect on the patched CR: $(cat "$tmp/detect.json" "$tmp/detect.err")"
	fi
else
	fail "kubevirt-cr-patch.json: $(cat "$tmp/patch.err")"
fi

# ---- Hook annotation: KubeVirt's HookSidecar (pkg/hooks/hooks.go) and the shim's versions ----
check_annotation() {
	python3 - scripts/vmi-hook-annotation.json scripts/Containerfile.hook <<'EOF'
import json, re, sys
sidecars = json.load(open(sys.argv[1]))
errs = []
if not isinstance(sidecars, list) or not sidecars:
    sys.exit("the annotation value must be a non-empty JSON array")
fields = {"image", "imagePullPolicy", "command", "args", "configMap", "pvc"}
tag = re.search(r"-t (\S+)", open(sys.argv[2]).read()).group(1)
for i, s in enumerate(sidecars):
    unknown = set(s) - fields
    if unknown:
        errs.append("[%d]: fields KubeVirt does not know: %s" % (i, sorted(unknown)))
    if s.get("imagePullPolicy") not in (None, "Always", "IfNotPresent", "Never"):
        errs.append("[%d]: bad imagePullPolicy" % i)
    if "command" in s:
        errs.append("[%d]: a command would replace the shim" % i)
    a = s.get("args", [])
    if "--version" not in a or a[a.index("--version") + 1:][:1] not in (["v1alpha1"], ["v1alpha2"], ["v1alpha3"]):
        errs.append("[%d]: args must give the shim --version v1alpha1|v1alpha2|v1alpha3" % i)
    if s.get("image") != tag:
        errs.append("[%d]: image %s is not the tag Containerfile.hook documents (%s)" % (i, s.get("image"), tag))
print("\n".join(errs)); sys.exit(1 if errs else 0)
EOF
}
if out=$(check_annotation 2>&1); then
	pass "vmi-hook-annotation.json: a HookSidecar list for our image, shim --version v1alpha3"
else
	fail "vmi-hook-annotation.json: $out"
fi

# ---- Example VMI ----
if python3 -c 'import yaml' 2>/dev/null; then
	if python3 - scripts/vmi-hyperv-layered.yaml scripts/vmi-hook-annotation.json >"$tmp/example.json" <<'EOF'; then
import json, sys, yaml
vmi = yaml.safe_load(open(sys.argv[1]))
assert vmi["apiVersion"] == "kubevirt.io/v1" and vmi["kind"] == "VirtualMachineInstance"
value = vmi["metadata"]["annotations"]["hooks.kubevirt.io/hookSidecars"]
assert json.loads(value) == json.load(open(sys.argv[2])), "annotation differs from vmi-hook-annotation.json"
json.dump(vmi, sys.stdout)
EOF
		pass "vmi-hyperv-layered.yaml: parses, carries the annotation of vmi-hook-annotation.json"
	else
		fail "vmi-hyperv-layered.yaml does not parse or its annotation differs"
	fi
	# Converted for mshv (a character device named mshv under a device root stands in for /dev/mshv).
	mkdir -p "$tmp/root/dev"
	if mknod "$tmp/root/dev/mshv" c 1 3 2>/dev/null; then
		"$HVL" --log-format text --feature-gates HyperVLayered --hypervisor mshv --dev-root "$tmp/root" \
			--no-libvirt convert --vmi "$tmp/example.json" >"$tmp/example.xml" 2>"$tmp/example.err"
		st=$?
		if [ "$st" -eq 0 ] && grep -qE "<domain[^>]* type=['\"]hyperv['\"]" "$tmp/example.xml"; then
			pass "the example VMI converts for mshv"
		else
			fail "the example VMI does not convert for mshv (exit $st): $(cat "$tmp/example.err")"
		fi
	else
		echo "SKIP (part): mknod is not permitted, so the example VMI is not converted for mshv"
	fi
else
	echo "SKIP (part): python3 has no PyYAML (Debian: python3-yaml), so scripts/vmi-hyperv-layered.yaml is not parsed"
fi

if [ "$failures" -gt 0 ]; then
	echo "$failures failure(s)" >&2
	exit 1
fi
