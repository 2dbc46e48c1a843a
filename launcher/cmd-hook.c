/* SPDX-License-Identifier: Apache-2.0 */
/* `hvl-launcher hook` / onDefineDomain: read KubeVirt's domain, print the one to define. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "cpu-check.h"
#include "domain.h"
#include "fileio.h"
#include "hook.h"
#include "log.h"
#include "util.h"

static const char *env_lookup(const char *name)
{
	return getenv(name);
}

static void copy_out(const char *data, size_t len, char **out, size_t *out_len)
{
	char *copy = xmalloc(len + 1);

	memcpy(copy, data, len);
	copy[len] = '\0';
	*out = copy;
	*out_len = len;
}

static int edit(const struct hook_args *a, struct hook_inputs *in, char **out, size_t *out_len, hvl_error **err)
{
	_cleanup_xml_doc_ xmlDocPtr doc = NULL;
	struct hook_plan plan;
	struct profile_report report = { 0 };
	struct cpu_check cpu = { 0 };
	xmlChar *type;
	int r = 0;

	if (hook_xml_parse(a->domain, a->domain_len, &doc, err) < 0)
		return hvl_error_wrap(err, "--domain");
	if (hook_gather_detect(a, in, err) < 0)
		return -1;

	type = xmlGetProp(xmlDocGetRootElement(doc), (const xmlChar *)"type");
	in->domain_type = (const char *)type;
	hook_plan_make(in, &plan);
	in->domain_type = NULL;
	xmlFree(type);
	log_info("%s", plan.reason);

	/* The sidecar does not see the compute container's libvirt: the node is asked only with --connect. */
	if (plan.action == HOOK_APPLY && plan.hv == HYPERVISOR_MSHV && a->opts.connect_uri && !a->opts.no_libvirt)
		cpu_check_ask(a->opts.connect_uri, &cpu);
	if (plan.action == HOOK_KEEP)
		copy_out(a->domain, a->domain_len, out, out_len);
	else if (hook_edit_domain(doc, a->domain, a->domain_len, plan.hv, a->opts.cpu_model, &cpu, out,
				  out_len, &report, err) < 0)
		r = hvl_error_wrap(err, "Cannot apply the %s profile to the domain KubeVirt built",
				   hypervisor_name(plan.hv));
	else
		log_info("Applied the %s profile: %zu change(s).", hypervisor_name(plan.hv),
			 profile_report_edits(&report));
	profile_report_free(&report);
	cpu_check_clear(&cpu);
	hook_plan_free(&plan);
	return r;
}

/* Gate on: the VMI must be valid JSON; gate off: it is read for log context only, and never fails the hook. */
static int read_vmi(const struct hook_args *a, bool strict, char **uid, hvl_error **err)
{
	_cleanup_free_ char *name = NULL, *ns = NULL;
	_cleanup_error_ hvl_error *local = NULL;

	if (hook_vmi_parse(a->vmi, a->vmi_len, &name, &ns, uid, strict ? err : &local) < 0)
		return strict ? hvl_error_wrap(err, "--vmi") : 0;
	log_set_vmi(name, ns, *uid);
	return 0;
}

int hook_run(const struct hook_args *a, char **out, size_t *out_len, hvl_error **err)
{
	struct hook_inputs in = { 0 };
	struct hook_plan plan;
	const char *source;
	_cleanup_free_ char *uid = NULL;
	int r;

	if (a->point == HOOK_PRE_CLOUD_INIT_ISO) {
		log_info("preCloudInitIso: the cloud-init data is returned unchanged.");
		copy_out(a->cloud_init, a->cloud_init_len, out, out_len);
		return 0;
	}
	read_vmi(a, false, &uid, err);
	if (hook_gather_gate(a, uid, &in, err) < 0) {
		hook_state_free(&in.state);
		return -1;
	}
	if (hook_gate_enabled(&in, &source)) {
		free(TAKE_PTR(uid));
		r = read_vmi(a, true, &uid, err) < 0 ? -1 : edit(a, &in, out, out_len, err);
		hook_state_free(&in.state);
		return r;
	}

	/* Gate off: KubeVirt's bytes go back untouched, whatever they hold. */
	hook_plan_make(&in, &plan);
	log_info("%s", plan.reason);
	hook_plan_free(&plan);
	hook_state_free(&in.state);
	copy_out(a->domain, a->domain_len, out, out_len);
	return 0;
}

static int write_stdout(const char *data, size_t len, hvl_error **err)
{
	fwrite(data, 1, len, stdout);
	return stdout_finish("the domain XML", err);
}

int cmd_hook(int argc, char **argv, hvl_error **err)
{
	struct hook_args a;
	_cleanup_free_ char *out = NULL;
	size_t len = 0;
	int r;

	if (hook_parse_args(argc, argv, env_lookup, &a, err) < 0)
		return -1;
	if (a.help) {
		hook_print_help(stdout);
		hook_args_free(&a);
		return stdout_finish("the help", err);
	}
	log_init(a.opts.log_format, a.opts.verbosity);
	r = hook_run(&a, &out, &len, err);
	if (r == 0)
		r = write_stdout(out, len, err);
	hook_args_free(&a);
	return r;
}
