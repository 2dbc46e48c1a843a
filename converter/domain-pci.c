/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kubevirt.io/placePCIDevicesOnRootComplex annotation (converter.go,
 * pci-placement.go PlacePCIDevicesOnRootComplex): every PCI device without an
 * explicit address goes to the next free slot of bus 0, in KubeVirt's device
 * order (interfaces, PCI host devices, controllers, virtio disks, virtio
 * inputs, watchdogs, RNG, balloon), skipping the slots QEMU reserves.
 * Not on s390x, which has no PCIe placement (KubeVirt only logs it there).
 */
#include <string.h>

#include "domain-sections.h"
#include "util.h"

#define ROOT_COMPLEX_ANNOTATION "kubevirt.io/placePCIDevicesOnRootComplex"

struct slot_assigner {
	int slot; /* the last slot given, -1 before the first */
};

/* Slot 0 is the host bridge, 1 VGA, 0x1b the first ich9 sound card, 0x1f QEMU's SATA controller. */
static int next_slot(struct slot_assigner *a)
{
	int slot = a->slot + 1;

	if (slot == 0 || slot == 1)
		slot = 2;
	else if (slot == 0x1b || slot == 0x1f)
		slot++;
	if (slot >= 0x20)
		return -1;
	a->slot = slot;
	return slot;
}

static xmlNodePtr child(xmlNodePtr node, const char *name)
{
	for (xmlNodePtr c = node->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, (const xmlChar *)name) == 0)
			return c;
	return NULL;
}

static bool prop_is(xmlNodePtr node, const char *name, const char *value)
{
	xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
	bool r = v && xmlStrcmp(v, (const xmlChar *)value) == 0;
	xmlFree(v);
	return r;
}

static bool has_prop(xmlNodePtr node, const char *name)
{
	xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
	bool r = v && *v;
	xmlFree(v);
	return r;
}

/* Give `dev` the next root-bus slot unless it has a non-PCI address or an explicit PCI one. */
static int place(struct build_ctx *ctx, struct slot_assigner *a, xmlNodePtr dev)
{
	xmlNodePtr addr = child(dev, "address");

	if (addr && has_prop(addr, "type") && !prop_is(addr, "type", "pci"))
		return 0;
	if (addr && has_prop(addr, "domain"))
		return 0;
	int slot = next_slot(a);
	if (slot < 0)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "metadata.annotations.kubevirt.io/placePCIDevicesOnRootComplex: no space left on the "
				     "root PCI bus for the VMI's devices.");
	if (addr == NULL)
		addr = el(dev, "address");
	xmlSetProp(addr, (const xmlChar *)"type", (const xmlChar *)"pci");
	xmlSetProp(addr, (const xmlChar *)"domain", (const xmlChar *)"0x0000");
	xmlSetProp(addr, (const xmlChar *)"bus", (const xmlChar *)"0x00");
	attr_fmt(addr, "slot", "0x%02x", slot); /* Go's "%#02x" (pci-placement.go): 0x02 */
	xmlSetProp(addr, (const xmlChar *)"function", (const xmlChar *)"0x0");
	return 0;
}

/* Does a device of element `name` take part, and is it one of them? */
static bool placed(xmlNodePtr dev, const char *name)
{
	if (strcmp(name, "hostdev") == 0)
		return prop_is(dev, "type", "pci");
	if (strcmp(name, "controller") == 0)
		return !prop_is(dev, "model", "pci-root") && !prop_is(dev, "model", "pcie-root") &&
		       !prop_is(dev, "model", "pcie-expander-bus");
	if (strcmp(name, "disk") == 0) {
		xmlNodePtr target = child(dev, "target");
		return target && prop_is(target, "bus", "virtio");
	}
	if (strcmp(name, "input") == 0)
		return prop_is(dev, "bus", "virtio");
	return true;
}

int place_pci_on_root_complex(struct build_ctx *ctx)
{
	static const char *const order[] = { "interface", "hostdev", "controller", "disk",
					     "input",	  "watchdog", "rng",	    "memballoon" };
	struct slot_assigner a = { -1 };

	if (!str_equal(annotation(ctx->vmi, ROOT_COMPLEX_ANNOTATION), "true") || strcmp(ctx->arch, "s390x") == 0)
		return 0;
	for (size_t i = 0; i < HVL_ARRAY_SIZE(order); i++) {
		for (xmlNodePtr dev = ctx->devices->children; dev; dev = dev->next) {
			if (dev->type != XML_ELEMENT_NODE || xmlStrcmp(dev->name, (const xmlChar *)order[i]) != 0 ||
			    !placed(dev, order[i]))
				continue;
			if (place(ctx, &a, dev) < 0)
				return -1;
		}
	}
	return 0;
}
