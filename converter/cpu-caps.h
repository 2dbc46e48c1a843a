/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a node's libvirt says about guest CPUs for one virt type, for the
 * mshv profile's CPU model check (profile.c).
 *
 * cpu_caps_parse() reads the <cpu> part of libvirt's domain capabilities
 * (virConnectGetDomainCapabilities(conn, NULL, "x86_64", "q35", "hyperv", 0),
 * the document KubeVirt's node labeller also reads):
 *
 *   <domainCapabilities><domain>hyperv</domain>
 *     <cpu>
 *       <mode name='host-passthrough' supported='yes'>...</mode>
 *       <mode name='host-model' supported='yes'><model fallback='forbid'>EPYC-Milan</model>...</mode>
 *       <mode name='custom' supported='yes'>
 *         <model usable='yes' vendor='Intel' canonical='Westmere-v1'>Westmere</model> ...
 *
 * Under mshv with QEMU 10.2 this data proves little: QEMU reports every feature
 * of every model as supported (target/i386/cpu.c x86_cpu_get_supported_feature_word
 * returns ~0 for accelerators other than KVM, HVF and TCG), so every model is
 * "usable".  QEMU 11.1 takes them from the host's CPUID (mshv_get_supported_cpuid).
 * Hence fits_host: the launcher compares a model with the host's real CPU
 * through virConnectCompareCPU, which uses libvirt's CPUID-based host CPU
 * (launcher/cpu-check.c).  The converter never talks to libvirt itself.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* A model's usable attribute; KubeVirt's node labeller counts anything but "no" as usable. */
enum cpu_usable { CPU_USABLE_UNKNOWN, CPU_USABLE_YES, CPU_USABLE_NO };

/* A named model against the host's real CPU. */
enum cpu_host_fit {
	CPU_HOST_FIT_UNKNOWN, /* could not be compared (the detail says why) */
	CPU_HOST_FIT_YES,     /* the host CPU is identical to it or a superset of it */
	CPU_HOST_FIT_NO,      /* the host CPU lacks features the model requires */
};

struct cpu_caps_model {
	char *name;      /* the element's text: "Westmere" */
	char *canonical; /* canonical='Westmere-v1', or NULL */
	enum cpu_usable usable;
};

struct cpu_caps {
	char *source; /* for messages: "libvirt's domain capabilities for virt type 'hyperv' at qemu:///system" */
	bool host_passthrough_supported;
	bool host_model_supported;
	char *host_model; /* host-model's <model>, NULL when there is none */
	bool custom_supported;
	struct cpu_caps_model *models; /* mode 'custom', in libvirt's order */
	size_t n_models;
	/* QEMU's version as this libvirt reports it (virConnectGetVersion: major * 1000000 + minor * 1000 + micro),
	 * 0 when unknown; the mshv profile's facts depend on it (profile.c). */
	unsigned long qemu_version;

	/*
	 * Compare a guest CPU (a <cpu> element as XML text) with the host's real CPU; *detail (newly allocated,
	 * may stay NULL) says why for FIT_NO and FIT_UNKNOWN.  NULL when no comparison is possible.
	 */
	enum cpu_host_fit (*fits_host)(void *opaque, const char *cpu_xml, char **detail);
	void *opaque;
};

/*
 * Parse domain capabilities text; virttype is the <domain> it must name ("hyperv").  source is copied into
 * out->source.  A document that is not domain capabilities for virttype is HVL_EXIT_INPUT.
 */
int cpu_caps_parse(const char *xml, size_t len, const char *virttype, const char *source, struct cpu_caps *out,
		   hvl_error **err);
void cpu_caps_clear(struct cpu_caps *c);

/* The custom-mode model named name (or whose canonical name it is); NULL when libvirt does not list it. */
const struct cpu_caps_model *cpu_caps_model(const struct cpu_caps *c, const char *name);

/* Whether libvirt reports the CPU mode ("host-model", "host-passthrough", "custom") as supported. */
bool cpu_caps_mode_supported(const struct cpu_caps *c, const char *mode);
