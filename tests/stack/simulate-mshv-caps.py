#!/usr/bin/env python3
"""Turn libvirt's capabilities cache entry of a KVM probe into the entry of an mshv node's probe.

    simulate-mshv-caps.py FILE

What a real mshv node's probe records (libvirt 12.x, qemu_capabilities.c): QEMU enabled mshv instead of kvm, so
the entry has the flag 'mshv' instead of 'kvm', and the accelerator-specific parts (the host CPU, the CPU models,
the machine types) as type='mshv' where a KVM probe has type='kvm'.  This edits exactly that, in place, and
nothing else: QEMU's version, devices and every other flag stay those this host's QEMU reported.  So the
simulated node's CPU data are KVM's view of this host's CPU, not what QEMU reports under mshv.
"""
import re
import sys

path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    text = f.read()
if text.count("<flag name='kvm'/>") != 1:
    sys.exit(f"{path}: not the entry of a KVM probe (no single <flag name='kvm'/>)")
if "<flag name='mshv'/>" in text:
    sys.exit(f"{path}: already lists mshv")
text = text.replace("<flag name='kvm'/>", "<flag name='mshv'/>")
text, n = re.subn(r"^(\s*<(?:hostCPU|cpu|machine) type=)'kvm'", r"\1'mshv'", text, flags=re.MULTILINE)
if n == 0:
    sys.exit(f"{path}: no type='kvm' host CPU, CPU model or machine entries")
with open(path, "w", encoding="utf-8") as f:
    f.write(text)
print(f"{path}: kvm flag and {n} type='kvm' entries now claim mshv")
