/* SPDX-License-Identifier: Apache-2.0 */
/* <memory>, <maxMemory>, <memoryBacking> (KubeVirt's converter.go and memory.go). */
#include <stdio.h>

#include "domain-sections.h"
#include "util.h"

void build_memory(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	const struct vmi_memory *m = &vmi->memory;
	int64_t guest = vmi_guest_memory(vmi);
	/* memory.go: <maxMemory> only when maxGuest differs from guest (memory hotplug); memory is then guest. */
	bool hotplug = m->max_guest >= 0 && m->guest >= 0 && m->max_guest != m->guest;
	char buf[32];

	if (hotplug)
		guest = m->guest;
	snprintf(buf, sizeof(buf), "%lld", (long long)(guest > 0 ? guest : 0));
	attr(el_text(ctx->root, "memory", buf), "unit", "b");
	if (hotplug) {
		snprintf(buf, sizeof(buf), "%lld", (long long)m->max_guest);
		xmlNodePtr mm = el_text(ctx->root, "maxMemory", buf);
		attr(mm, "unit", "b");
		/* KubeVirt always writes slots, and writes 0. */
		xmlSetProp(mm, (const xmlChar *)"slots", (const xmlChar *)"0");
	}
}

void build_memory_backing(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	bool hugepages = vmi->memory.hugepages_size != NULL;
	bool shared = needs_shared_memory(vmi);

	if (!hugepages && !shared)
		return;
	xmlNodePtr mb = el(ctx->root, "memoryBacking");
	if (hugepages)
		el(mb, "hugepages");
	/* memfd backs hugepages unless the kubevirt.io/memfd annotation says false, and shared memory always. */
	if (memfd_required(vmi))
		attr(el(mb, "source"), "type", "memfd");
	if (shared)
		attr(el(mb, "access"), "mode", "shared");
}
