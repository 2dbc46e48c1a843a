/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `convert`: VMI JSON -> libvirt domain XML for one hypervisor.
 *
 *   --hypervisor mshv|kvm|qemu  builds for that hypervisor without probing the
 *                               host, so any domain can be produced anywhere;
 *   --hypervisor auto (default) asks decide() (select.h), as the entrypoint does.
 *
 * The XML goes to stdout (also -o -), or to -o FILE with write_output_file():
 * whole or not at all, a FIFO or /dev/stdout written through (nothing is
 * written on failure).  --explain lists the hypervisor profile's changes as
 * text lines "- WHAT: WHY" after the XML: on stderr when the XML is on stdout,
 * on stdout when it went to -o FILE, so the XML stream is never mixed with it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cluster-config.h"
#include "commands.h"
#include "cpu-check.h"
#include "domain.h"
#include "fileio.h"
#include "gate.h"
#include "log.h"
#include "select.h"
#include "util.h"
#include "vmi-gates.h"
#include "vmi.h"

/*
 * A named hypervisor needs no HyperVLayered gate, so nothing resolves the gate lists; still say what in them is not
 * read (KubeVirt's own gates come from the KubeVirt CR), as `--hypervisor auto` does.  A malformed list matters to
 * nothing here and is left to the commands that read it.
 */
static void warn_gate_lists(const struct hvl_options *opts)
{
	const char *lists[] = { opts->feature_gates, opts->feature_gates_env };
	const char *origins[] = { "--feature-gates", "HVL_FEATURE_GATES" };
	bool mentioned, enabled;

	for (size_t i = 0; i < HVL_ARRAY_SIZE(lists); i++) {
		_cleanup_error_ hvl_error *ignored = NULL;
		if (lists[i])
			gate_parse_list(lists[i], origins[i], true, &mentioned, &enabled, &ignored);
	}
}

/*
 * The hypervisor, and for mshv what the node's libvirt says about CPU models: from the decision when
 * --hypervisor auto asked libvirt, else only when --connect names a libvirt to ask.  A plain `convert
 * --hypervisor mshv` asks nobody, so its output is the same on every machine (the goldens rely on it).
 */
static int choose_hypervisor(const struct hvl_options *opts, enum hypervisor *hv, struct cpu_check *cpu,
			     hvl_error **err)
{
	struct decision d = { 0 };

	if (opts->hypervisor != HV_REQUEST_AUTO) {
		*hv = (enum hypervisor)opts->hypervisor;
		if (*hv == HYPERVISOR_MSHV && opts->connect_uri && !opts->no_libvirt)
			cpu_check_ask(opts->connect_uri, cpu);
		return 0;
	}
	if (decide(opts, &d, err) < 0)
		return -1;
	if (decision_require(&d, err) < 0) {
		decision_free(&d);
		return -1;
	}
	*hv = d.chosen;
	log_info("Converting for %s: %s", hypervisor_name(d.chosen), d.reason ? d.reason : "");
	cpu_check_for(&d, cpu);
	decision_free(&d);
	return 0;
}

/*
 * One entry per decision: "- WHAT (from ORIGIN): WHY." and, for what was checked against the node (the mshv
 * CPU model), "  CHECK." on the next line.  Entries that changed nothing (a kept CPU model) come too.
 */
static void print_explain(FILE *f, enum hypervisor hv, const struct profile_report *r)
{
	if (r->n_changes == 0) {
		fprintf(f, "No changes for %s: this is KubeVirt's domain.\n", hypervisor_name(hv));
		return;
	}
	if (profile_report_edits(r) == 0)
		fprintf(f, "No changes for %s: this is KubeVirt's domain. Decisions:\n", hypervisor_name(hv));
	else
		fprintf(f, "Changes for %s:\n", hypervisor_name(hv));
	for (size_t i = 0; i < r->n_changes; i++) {
		const struct profile_change *c = &r->changes[i];
		fprintf(f, "- %s%s%s%s: %s.\n", c->what, c->origin ? " (from " : "", c->origin ? c->origin : "",
			c->origin ? ")" : "", c->why);
		if (c->check)
			fprintf(f, "  %c%s.\n", toupper((unsigned char)c->check[0]), c->check + 1);
	}
}

static int produce_domain(int fd, void *doc)
{
	return domain_write(doc, fd);
}

/*
 * The VMI as KubeVirt's admission leaves it: defaulted with the CR's settings, then refused where the cluster's
 * gates are known not to allow it, or warned about where they are unknown.
 */
static int load_admitted(const char *path, const struct cluster_config *cc, struct vmi **out, hvl_error **err)
{
	_cleanup_vmi_ struct vmi *vmi = NULL;

	if (vmi_load(path, &vmi, err) < 0 || cluster_config_default_vmi(cc, vmi, err) < 0)
		return -1;
	log_set_vmi(vmi->name, vmi->namespace_, vmi->uid);
	if (vmi_check_gates(vmi, &cc->gates, err) < 0)
		return -1;
	*out = TAKE_PTR(vmi);
	return 0;
}

int cmd_convert(const struct hvl_options *opts, hvl_error **err)
{
	_cleanup_vmi_ struct vmi *vmi = NULL;
	_cleanup_xml_doc_ xmlDocPtr doc = NULL;
	struct profile_report report = { 0 };
	struct convert_options copts = { 0 };
	struct cpu_check cpu = { 0 };
	struct cluster_config cc;
	enum hypervisor hv;
	int r = -1;
	/* "-o -" is standard output, as without -o. */
	bool to_file = opts->output_path && strcmp(opts->output_path, "-") != 0;

	if (opts->vmi_path == NULL)
		return hvl_error_set(err, HVL_EXIT_USAGE, "convert: --vmi FILE is required (\"-\" reads standard input).");
	if (opts->hypervisor != HV_REQUEST_AUTO)
		warn_gate_lists(opts);
	if (cluster_config_from(opts->kubevirt_config, &cc, err) < 0)
		return -1;
	if (load_admitted(opts->vmi_path, &cc, &vmi, err) < 0 || choose_hypervisor(opts, &hv, &cpu, err) < 0)
		goto out;

	copts.hypervisor = hv;
	copts.cpu_model = opts->cpu_model;
	copts.cpu_caps = cpu_check_caps(&cpu);
	copts.cpu_unchecked = cpu_check_unchecked(&cpu);
	copts.dev_root = opts->dev_root;
	/* virt-controller passes the CR's ovmfPath for the architecture, else KubeVirt's default (efi.h). */
	copts.ovmf_path = opts->ovmf_path ? opts->ovmf_path : kubevirt_default_ovmf_path(&cc.defaults, vmi->architecture);
	if (domain_build(vmi, &copts, &doc, &report, err) < 0)
		goto out;
	/* Written as it is serialised: the whole text of a large domain is never in memory (docs/limits.md). */
	if (to_file) {
		if (write_output_file_from(opts->output_path, produce_domain, doc, err) < 0)
			goto out;
	} else if (stdout_finish("the domain XML", err) < 0 || domain_write(doc, STDOUT_FILENO) < 0) {
		if (*err == NULL)
			hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot write the domain XML to standard output");
		goto out;
	}
	if (opts->explain) {
		print_explain(to_file ? stdout : stderr, hv, &report);
		/* With -o the explanation is the command's output on stdout, held to the same rule as the XML. */
		if (to_file && stdout_finish("the explanation", err) < 0)
			goto out;
	}
	r = 0;
out:
	profile_report_free(&report);
	cpu_check_clear(&cpu);
	cluster_config_clear(&cc);
	return r;
}
