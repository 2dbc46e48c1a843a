#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Print a libvirt domain XML in a canonical form, to compare two domains by meaning.

KubeVirt writes empty elements and attributes (<bios></bios>, <source></source>,
<entry name="sku"></entry>) that libvirt ignores; we omit them. This drops:
  - attributes whose value is empty,
  - elements with no attributes, no children and no text, unless they are flags
    whose mere presence means something (<acpi/>, <readonly/>, ...),
  - <sysinfo> <entry> elements with empty text,
then sorts attributes and indents. Child order is kept: device order matters.

Options:
  --drop XPATH      remove the matching elements first (ElementTree path from <domain>)
  --replace OLD=NEW replace OLD with NEW in every attribute value and text
  --drop-attr XPATH=NAME  remove attribute NAME from the matching elements first
"""
import argparse
import sys
import xml.etree.ElementTree as ET

# Elements whose presence alone is meaningful in a domain.
FLAGS = {
    "acpi", "apic", "pae", "smm", "hap", "viridian", "privnet", "readonly", "shareable", "transient",
    "hugepages", "nosharepages", "locked", "discard", "boot", "hyperv", "kvm", "pvspinlock", "vmcoreinfo",
    "htm", "nested-hv", "ccf-assist", "ps2", "sev", "hidden", "hint-dedicated",
}


def strip_ns(tag):
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def clean(el, replaces):
    for k in list(el.attrib):
        v = el.attrib[k]
        for old, new in replaces:
            v = v.replace(old, new)
        if v == "":
            del el.attrib[k]
        else:
            el.attrib[k] = v
    if el.text is not None:
        t = el.text.strip()
        for old, new in replaces:
            t = t.replace(old, new)
        el.text = t or None
    el.tail = None
    for child in list(el):
        clean(child, replaces)
        name = strip_ns(child.tag)
        empty = not child.attrib and len(child) == 0 and not child.text
        empty_entry = name == "entry" and not child.text
        if (empty and name not in FLAGS) or empty_entry:
            el.remove(child)


def drop(root, paths):
    for path in paths:
        parents = {c: p for p in root.iter() for c in p}
        for hit in root.findall(path):
            parents[hit].remove(hit)


def drop_attrs(root, specs):
    for spec in specs:
        path, name = spec.rsplit("=", 1)
        for hit in root.findall(path):
            hit.attrib.pop(name, None)


def render(el, depth, out):
    attrs = "".join(f' {k}="{v}"' for k, v in sorted(el.attrib.items()))
    pad = "  " * depth
    name = strip_ns(el.tag)
    if len(el) == 0:
        out.append(f"{pad}<{name}{attrs}>{el.text or ''}</{name}>")
        return
    out.append(f"{pad}<{name}{attrs}>{el.text or ''}")
    for child in el:
        render(child, depth + 1, out)
    out.append(f"{pad}</{name}>")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--drop", action="append", default=[])
    ap.add_argument("--replace", action="append", default=[])
    ap.add_argument("--drop-attr", action="append", default=[])
    a = ap.parse_args()
    replaces = [tuple(r.split("=", 1)) for r in a.replace]
    root = ET.parse(a.file).getroot()
    drop(root, a.drop)
    drop_attrs(root, a.drop_attr)
    clean(root, replaces)
    out = []
    render(root, 0, out)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
