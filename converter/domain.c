/* SPDX-License-Identifier: Apache-2.0 */
/*
 * domain_build(): the VMI model to the domain KubeVirt's virt-launcher
 * defines for KVM, then the hypervisor profile.  This file only calls the
 * sections (domain-sections.h), in the order KubeVirt's converter writes
 * them; each lives in its own domain-*.c, and all of them stand on the
 * helpers of domain-xml.c.
 */
#include <stdlib.h>
#include <string.h>

#include "domain-sections.h"
#include "util.h"

static int setup_context(struct build_ctx *ctx)
{
	const struct vmi *vmi = ctx->vmi;
	const char *arch = vmi->architecture && *vmi->architecture ? vmi->architecture : "amd64";

	if (strcmp(arch, "amd64") != 0 && strcmp(arch, "arm64") != 0 && strcmp(arch, "s390x") != 0)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "spec.architecture: '%s' is not an architecture KubeVirt supports (amd64, arm64, s390x).",
				     arch);
	ctx->arch = arch;
	ctx->amd64 = strcmp(arch, "amd64") == 0;
	if (strcmp(arch, "s390x") == 0)
		ctx->virtio_model = "virtio";
	else
		ctx->virtio_model = vmi->devices.use_virtio_transitional ? "virtio-transitional" : "virtio-non-transitional";
	plan_topology(ctx);
	plan_iothreads(ctx);
	return ctx_index_names(ctx);
}

static int build_kvm_domain(struct build_ctx *ctx)
{
	attr(ctx->root, "type", "kvm");
	xmlNsPtr qemu_ns =
		xmlNewNs(ctx->root, (const xmlChar *)"http://libvirt.org/schemas/domain/qemu/1.0", (const xmlChar *)"qemu");

	if (build_identity(ctx) < 0)
		return -1;
	build_memory(ctx);
	build_memory_backing(ctx);
	if (build_os(ctx) < 0)
		return -1;
	ctx->devices = el(ctx->root, "devices");
	if (build_interfaces(ctx) < 0 || build_devices_before_disks(ctx) < 0 || build_disks(ctx) < 0 ||
	    build_devices_after_disks(ctx) < 0)
		return -1;
	build_clock(ctx);
	build_ignition(ctx, qemu_ns);
	build_metadata(ctx);
	build_features(ctx);
	if (build_cpu(ctx) < 0)
		return -1;
	if (build_launch_security(ctx) < 0)
		return -1;
	if (place_pci_on_root_complex(ctx) < 0)
		return -1;
	build_on_reboot(ctx);
	return 0;
}

/*
 * One dictionary for every document we build: element and attribute names are
 * then interned once instead of copied and freed per node, which is a fifth of
 * a conversion's cost.  The program is single-threaded where it converts.
 */
static xmlDictPtr shared_dict(void)
{
	static xmlDictPtr dict;
	if (dict == NULL)
		dict = xmlDictCreate();
	return dict;
}

static int wrap_vmi_error(const struct vmi *vmi, hvl_error **err)
{
	return hvl_error_wrap(err, "Cannot convert VMI '%s/%s'", vmi->namespace_ ? vmi->namespace_ : "default",
			      vmi->name ? vmi->name : "");
}

int domain_build(const struct vmi *vmi, const struct convert_options *opts, xmlDocPtr *out,
		 struct profile_report *report, hvl_error **err)
{
	_cleanup_xml_doc_ xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlDictPtr dict = shared_dict();
	if (dict) {
		doc->dict = dict;
		xmlDictReference(dict);
	}
	struct build_ctx ctx = { .vmi = vmi, .opts = opts, .doc = doc, .err = err };
	xmlNodePtr *pending = NULL;
	size_t n_pending = 0;
	int r;

	ctx.root = xmlNewDocNode(doc, NULL, (const xmlChar *)"domain", NULL);
	xmlDocSetRootElement(doc, ctx.root);
	r = setup_context(&ctx);
	if (r == 0)
		r = build_kvm_domain(&ctx);
	free(ctx.volumes_by_name);
	free(ctx.networks_by_name);
	if (r < 0) {
		hvl_error_free(&ctx.deferred);
		return wrap_vmi_error(vmi, err);
	}

	struct profile_options popts = {
		.cpu_model = opts ? opts->cpu_model : NULL,
		.cpu_caps = opts ? opts->cpu_caps : NULL,
		.cpu_unchecked = opts ? opts->cpu_unchecked : NULL,
		.origin = domain_origin,
		.origin_data = vmi,
	};
	n_pending = pending_add(&ctx, &pending);
	r = profile_apply(doc, opts ? opts->hypervisor : HYPERVISOR_KVM, &popts, report, err);
	pending_remove(pending, n_pending);
	if (r < 0) {
		hvl_error_free(&ctx.deferred);
		return -1;
	}
	if (ctx.deferred) {
		*err = TAKE_PTR(ctx.deferred);
		return wrap_vmi_error(vmi, err);
	}
	*out = TAKE_PTR(doc);
	return 0;
}
