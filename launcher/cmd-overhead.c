/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `hvl-launcher overhead`: KubeVirt's memory overhead for a VMI, the total and
 * the terms it adds up, as text or JSON on stdout.
 *
 * The cluster settings come from --kubevirt-config (ratio, binding plugins);
 * --ratio and --arch override.  --hypervisor auto means kvm: the pod's figure
 * is the same for every hypervisor, only mshv adds the node-side lines.
 */
#include <json.h>
#include <stdio.h>

#include "commands.h"
#include "config.h"
#include "fileio.h"
#include "cluster-config.h"
#include "overhead.h"
#include "util.h"
#include "vmi.h"

static const char *const arch_names[] = {[ARCH_AMD64] = "amd64", [ARCH_ARM64] = "arm64", [ARCH_S390X] = "s390x"};

static double mib(int64_t bytes)
{
	return (double)bytes / (1 << 20);
}

static void print_text(const struct vmi *vmi, const struct overhead_result *r, FILE *out)
{
	fprintf(out, "VMI %s/%s: %u vCPU%s, %s, hypervisor %s, ratio %g (%s)\n", vmi->namespace_, vmi->name, r->vcpus,
		r->vcpus == 1 ? "" : "s", r->arch, hypervisor_name(r->hypervisor), r->ratio,
		OVERHEAD_KUBEVIRT_BASELINE);
	fprintf(out, "%-24s %14s %10s\n", "TERM", "BYTES", "MiB");
	for (int t = 0; t < OVERHEAD_TERM_COUNT; t++)
		if (r->applies[t])
			fprintf(out, "%-24s %14lld %10.2f\n", overhead_term_name(t), (long long)r->terms[t],
				mib(r->terms[t]));
	fprintf(out, "%-24s %14lld %10.2f\n", "total", (long long)r->total, mib(r->total));

	bool header = false;
	for (int t = 0; t < OVERHEAD_HOST_TERM_COUNT; t++) {
		if (r->host[t] < 0)
			continue;
		if (!header)
			fprintf(out, "\nOutside the pod (the L1VH/root partition pays; not in the total):\n");
		header = true;
		fprintf(out, "%-24s %14lld %10.2f  %s\n", overhead_host_term_name(t), (long long)r->host[t],
			mib(r->host[t]), overhead_host_term_rule(t));
	}
}

static struct json_object *term_object(const char *name, int64_t bytes)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "bytes", json_object_new_int64(bytes));
	return o;
}

static void print_json(const struct vmi *vmi, const struct overhead_result *r, FILE *out)
{
	struct json_object *root = json_object_new_object();
	struct json_object *terms = json_object_new_array();
	struct json_object *host = json_object_new_array();

	for (int t = 0; t < OVERHEAD_TERM_COUNT; t++)
		if (r->applies[t])
			json_object_array_add(terms, term_object(overhead_term_name(t), r->terms[t]));
	for (int t = 0; t < OVERHEAD_HOST_TERM_COUNT; t++)
		if (r->host[t] >= 0)
			json_object_array_add(host, term_object(overhead_host_term_name(t), r->host[t]));

	json_object_object_add(root, "vmi", json_object_new_string(vmi->name));
	json_object_object_add(root, "namespace", json_object_new_string(vmi->namespace_));
	json_object_object_add(root, "baseline", json_object_new_string(OVERHEAD_KUBEVIRT_BASELINE));
	json_object_object_add(root, "hypervisor", json_object_new_string(hypervisor_name(r->hypervisor)));
	json_object_object_add(root, "arch", json_object_new_string(r->arch));
	json_object_object_add(root, "ratio", json_object_new_double(r->ratio));
	json_object_object_add(root, "vcpus", json_object_new_int64(r->vcpus));
	json_object_object_add(root, "total", json_object_new_int64(r->total));
	json_object_object_add(root, "backendTotal", json_object_new_int64(r->backend_total));
	json_object_object_add(root, "terms", terms);
	json_object_object_add(root, "outsidePod", host);
	fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
	json_object_put(root);
}

/* The request as submitted goes into params: KubeVirt main computes with it, not with our defaulted one. */
static int load_vmi(const char *path, const struct cluster_config *cc, struct overhead_params *params,
		    struct vmi **out, hvl_error **err)
{
	_cleanup_vmi_ struct vmi *vmi = NULL;

	if (vmi_load(path, &vmi, err) < 0)
		return -1;
	overhead_submitted_request(params, vmi);
	if (cluster_config_default_vmi(cc, vmi, err) < 0)
		return -1;
	*out = TAKE_PTR(vmi);
	return 0;
}

int cmd_overhead(const struct hvl_options *opts, hvl_error **err)
{
	_cleanup_vmi_ struct vmi *vmi = NULL;
	struct overhead_config cfg = {0};
	struct cluster_config cc;
	struct overhead_params params;
	struct overhead_result result;
	int status = -1;

	if (opts->vmi_path == NULL)
		return hvl_error_set(err, HVL_EXIT_USAGE,
				     "overhead: a VMI is required (--vmi FILE, or '-' for stdin).");
	overhead_params_init(&params,
			     opts->hypervisor == HV_REQUEST_AUTO ? HYPERVISOR_KVM : (enum hypervisor)opts->hypervisor);
	/*
	 * The CR's settings default the VMI as admission does in `convert` (its cpuRequest can set the vCPU count the
	 * overhead counts; the live-update settings it reads none of).
	 */
	if (cluster_config_from(opts->kubevirt_config, &cc, err) < 0)
		return -1;
	int loaded = load_vmi(opts->vmi_path, &cc, &params, &vmi, err);
	cluster_config_clear(&cc);
	if (loaded < 0)
		return hvl_error_wrap(err, "Cannot compute the overhead of '%s'", opts->vmi_path);
	if (opts->kubevirt_config && overhead_config_load(opts->kubevirt_config, &cfg, err) < 0)
		return -1;
	overhead_config_apply(&cfg, &params);
	if (opts->arch_set && (unsigned)opts->arch < HVL_ARRAY_SIZE(arch_names))
		params.arch = arch_names[opts->arch];
	if (opts->ratio_set) {
		params.ratio = opts->ratio;
		params.ratio_set = true;
	}
	if (overhead_compute(vmi, &params, &result, err) < 0) {
		hvl_error_wrap(err, "Cannot compute the overhead of '%s'", opts->vmi_path);
		goto out;
	}
	if (opts->json)
		print_json(vmi, &result, stdout);
	else
		print_text(vmi, &result, stdout);
	status = stdout_finish("the overhead", err);
out:
	overhead_config_free(&cfg);
	return status;
}
