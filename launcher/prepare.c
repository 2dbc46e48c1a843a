/* SPDX-License-Identifier: Apache-2.0 */
#include "prepare.h"

#include <stdlib.h>
#include <string.h>

#include "cluster-config.h"
#include "domain.h"
#include "efi.h"
#include "log.h"
#include "overhead.h"
#include "podcheck.h"
#include "util.h"
#include "vmi-gates.h"

const char *prepare_memlock_reason(const struct vmi *vmi)
{
	if (vmi_has_vfio(vmi))
		return "VFIO devices: host devices, GPUs or SR-IOV interfaces";
	if (vmi->cpu.realtime)
		return "real-time vCPUs";
	if (str_equal(vmi->launch_security, "sev") || str_equal(vmi->launch_security, "sev-snp"))
		return "SEV launch security";
	if (vmi->memory.memlock_required)
		return "spec.domain.memory.reservedOverhead.memLock: Required";
	return NULL;
}

static int convert(const struct vmi *vmi, enum hypervisor hv, const struct prepare_params *pp, char **xml,
		   hvl_error **err)
{
	size_t n_disks = pp->n_disks;
	const struct disk_mapping *disks = pp->disks;
	_cleanup_free_ const char **names = xcalloc(n_disks + 1, sizeof(char *));
	_cleanup_free_ const char **paths = xcalloc(n_disks + 1, sizeof(char *));
	const char *ovmf = pp->ovmf_path;
	if (ovmf == NULL && pp->ovmf_local)
		ovmf = efi_local_dir(vmi->architecture);
	if (pp->ovmf_local && vmi->firmware.bootloader == BOOTLOADER_EFI)
		log_info("run: EFI firmware from '%s'%s.", ovmf,
			 pp->ovmf_path || strcmp(ovmf, efi_default_dir(vmi->architecture)) == 0
				 ? ""
				 : " (KubeVirt's directory is not on this machine)");
	struct convert_options copts = { .hypervisor = hv,
					 .cpu_model = pp->cpu_model,
					 .cpu_caps = cpu_check_caps(pp->cpu),
					 .cpu_unchecked = cpu_check_unchecked(pp->cpu),
					 .disk_names = names,
					 .disk_paths = paths,
					 .n_disk_overrides = n_disks,
					 .dev_root = pp->dev_root,
					 .ovmf_path = ovmf };
	_cleanup_xml_doc_ xmlDocPtr doc = NULL;
	struct profile_report report = { 0 };
	size_t len;
	int r;

	for (size_t i = 0; i < n_disks; i++) {
		names[i] = disks[i].volume;
		paths[i] = disks[i].path;
	}
	r = domain_build(vmi, &copts, &doc, &report, err);
	profile_report_free(&report);
	if (r < 0)
		return -1;
	return domain_format(doc, xml, &len, err);
}

/*
 * A pod whose memory limit cannot hold guest plus overhead is OOM-killed some time into the VM's life, far from
 * the cause: say so at start.  Only a warning, as in KubeVirt (the overhead is an estimate).  HVL_CGROUP_ROOT
 * points the check at another cgroup directory (tests).
 */
static void warn_if_pod_too_small(const struct vmi *vmi, int64_t overhead)
{
	_cleanup_error_ hvl_error *err = NULL;
	struct podcheck_result pc;

	if (podcheck_run(getenv("HVL_CGROUP_ROOT"), vmi, overhead, &pc, &err) < 0) {
		log_warning("The pod's memory limit could not be checked: %s", err->msg);
		return;
	}
	if (pc.too_small) {
		_cleanup_free_ char *warning = podcheck_warning(&pc);
		log_warning("%s", warning);
	}
	podcheck_result_clear(&pc);
}

int prepare_vmi(const char *path, enum hypervisor hv, const struct prepare_params *pp, struct prepared_vmi *out,
		hvl_error **err)
{
	struct prepared_vmi p = { .overhead_bytes = -1 };
	struct cluster_config cc;
	struct overhead_params params;
	struct overhead_result result;
	int r;

	if (cluster_config_from(pp->kubevirt_config, &cc, err) < 0)
		return -1;
	r = vmi_load(path, &p.vmi, err);
	if (r == 0) {
		overhead_params_init(&params, hv);
		/* The same figure as `hvl-launcher overhead`: KubeVirt main counts the memory request as submitted. */
		overhead_submitted_request(&params, p.vmi);
		r = cluster_config_default_vmi(&cc, p.vmi, err);
	}
	/* A VMI in the pod was admitted by the cluster; one run by hand is checked against its gates. */
	if (r == 0 && !pp->admitted)
		r = vmi_check_gates(p.vmi, &cc.gates, err);
	cluster_config_clear(&cc);
	if (r < 0)
		goto fail;
	if (overhead_compute(p.vmi, &params, &result, err) < 0)
		goto fail;
	p.overhead_bytes = result.total;
	warn_if_pod_too_small(p.vmi, result.total);
	p.need = (struct memlock_need){
		.known = true,
		.required = vmi_requires_memlock(p.vmi),
		.why = prepare_memlock_reason(p.vmi),
		.guest_bytes = vmi_guest_memory(p.vmi),
		.overhead_bytes = result.total,
	};
	if (convert(p.vmi, hv, pp, &p.domain_xml, err) < 0)
		goto fail;
	*out = p;
	return 0;
fail:
	prepared_vmi_free(&p);
	return hvl_error_wrap(err, "Cannot prepare the VMI '%s'", path);
}

void prepared_vmi_free(struct prepared_vmi *p)
{
	vmi_free(p->vmi);
	free(p->domain_xml);
	*p = (struct prepared_vmi){ .overhead_bytes = -1 };
}
