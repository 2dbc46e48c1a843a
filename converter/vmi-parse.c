/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KubeVirt VMI JSON -> struct vmi.
 *
 * Accepted documents:
 *  - kind VirtualMachineInstance: spec, metadata and status are read;
 *  - kind VirtualMachine: spec.template is the VMI, named after the VM in
 *    the VM's namespace (as virt-controller's SetupVMIFromVM does, whatever
 *    the template's metadata says); errors name paths under spec.template;
 *  - no kind at all: accepted as a bare VMI when it has spec.domain (what
 *    `kubectl get vmi -o json | jq .` fragments and STANDALONE_VMI look like);
 *    any other kind is rejected naming `kind`.
 * apiVersion, when present, must be in the kubevirt.io group.
 *
 * One function per KubeVirt object, each validating its own fields: JSON
 * types, enum values, ranges, names that end up in file paths.  Fields that
 * do not affect the domain, overhead or launch (labels, affinity, DNS, access
 * credentials, most of status) are ignored like virt-launcher ignores them;
 * device kinds and volume sources that hvl-launcher does not model are
 * rejected with HVL_EXIT_UNSUPPORTED rather than dropped silently.
 * Cross-object checks (duplicates, disk <-> volume) are in vmi-validate.c,
 * KubeVirt's DRA admission rules in vmi-validate-dra.c.
 *
 * This file reads the document, the metadata and the spec's own fields, and
 * hands each section of spec.domain to its file, as the domain builder's
 * domain-*.c split it: vmi-parse-cpu.c (resources, memory, CPU),
 * vmi-parse-os.c (machine, firmware, chassis), vmi-parse-features.c (clock,
 * features), vmi-parse-devices.c (devices, which hands disks to
 * vmi-parse-storage.c and interfaces to vmi-parse-net.c), vmi-parse-dra.c
 * (spec.resourceClaims and the DRA device status) and vmi-parse-status.c.
 * All of them share the checks of vmi-parse-common.c (vmi-parse-internal.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "json-doc.h"
#include "util.h"
#include "vmi-internal.h"
#include "vmi-parse-internal.h"

/* ---- metadata ------------------------------------------------------------------ */

static int parse_annotations(struct vj_ctx *c, json_object *meta, struct vmi *vmi)
{
	json_object *ann = NULL;
	size_t n, mark, i = 0;

	TRY(vj_object(c, meta, "annotations", &ann));
	if (ann == NULL)
		return 0;
	n = (size_t)json_object_object_length(ann);
	if (n > VMI_MAX_ANNOTATIONS)
		return vj_fail_at(c, "annotations", HVL_EXIT_INPUT, "has %zu entries; at most %d are allowed.", n,
				  VMI_MAX_ANNOTATIONS);
	vmi->annotation_keys = xcalloc(n + 1, sizeof(char *));
	vmi->annotation_values = xcalloc(n + 1, sizeof(char *));
	mark = vj_enter(c, "annotations");
	json_object_object_foreach(ann, key, val)
	{
		(void)val;
		if (strlen(key) > VMI_MAX_NAME)
			return vj_fail(c, HVL_EXIT_INPUT, "an annotation key is longer than %d characters.",
				       VMI_MAX_NAME);
		/* Kubernetes annotation values are strings; "" is common (kubevirt.io/nonroot: ""). */
		if (!json_object_is_type(val, json_type_string)) {
			_cleanup_free_ char *shown = vj_show(val);
			return vj_fail_at(c, key, HVL_EXIT_INPUT, "expected a string, got '%s'.", shown);
		}
		vmi->annotation_keys[i] = xstrdup(key);
		vmi->annotation_values[i] = xstrdup(json_object_get_string(val));
		vmi->n_annotations = ++i;
	}
	vj_leave(c, mark);
	return 0;
}

static int parse_uid(struct vj_ctx *c, json_object *meta, struct vmi *vmi)
{
	_cleanup_free_ char *shown = NULL;

	TRY(vj_string(c, meta, "uid", &vmi->uid));
	/* The UID names directories (/var/run/kubevirt-private/<uid>/...): hex and dashes only. */
	if (vmi->uid == NULL ||
	    (strspn(vmi->uid, "0123456789abcdefABCDEF-") == strlen(vmi->uid) && strlen(vmi->uid) <= 64))
		return 0;
	shown = vj_show(vj_get(meta, "uid"));
	return vj_fail_at(c, "uid", HVL_EXIT_INPUT, "'%s' is not a Kubernetes UID (hexadecimal digits and '-').",
			  shown);
}

/* metadata.name and namespace; meta may be NULL (then the name is missing). */
static int parse_identity(struct vj_ctx *c, json_object *meta, struct vmi *vmi)
{
	if (meta == NULL)
		return vj_fail_at(c, "name", HVL_EXIT_INPUT, "a name is required.");
	TRY(required_name(c, meta, "name", NAME_SUBDOMAIN, &vmi->name));
	TRY(vj_string(c, meta, "namespace", &vmi->namespace_));
	if (vmi->namespace_ && !is_dns_label(vmi->namespace_))
		return required_name(c, meta, "namespace", NAME_LABEL, &vmi->namespace_);
	return 0;
}

static int parse_vmi_metadata(struct vj_ctx *c, json_object *meta, struct vmi *vmi)
{
	TRY(parse_identity(c, meta, vmi));
	TRY(parse_uid(c, meta, vmi));
	return parse_annotations(c, meta, vmi);
}

/*
 * virt-controller (SetupVMIFromVM) names the VMI after the VM, in the VM's
 * namespace, whatever the template says; the template contributes labels and
 * annotations, and the VMI gets its own UID.
 */
static int parse_vm_metadata(json_object *vm_meta, json_object *template_meta, struct vmi *vmi, hvl_error **err)
{
	struct vj_ctx c;

	vj_init(&c, "metadata", err);
	TRY(parse_identity(&c, vm_meta, vmi));
	if (template_meta == NULL)
		return 0;
	vj_init(&c, "spec.template.metadata", err);
	return parse_annotations(&c, template_meta, vmi);
}

/* ---- the spec and spec.domain's own fields -------------------------------------------- */

static int parse_launch_security(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	static const struct {
		const char *key, *name;
	} kinds[] = { { "sev", "sev" }, { "snp", "sev-snp" }, { "tdx", "tdx" } };
	json_object *ls = NULL;
	size_t mark;

	TRY(vj_object(c, domain, "launchSecurity", &ls));
	if (ls == NULL)
		return 0;
	vmi->launch_security_set = true;
	mark = vj_enter(c, "launchSecurity");
	for (size_t i = 0; i < ENUM_N(kinds); i++) {
		json_object *o = NULL;
		TRY(vj_object(c, ls, kinds[i].key, &o));
		if (o == NULL)
			continue;
		if (vmi->launch_security)
			return vj_fail(c, HVL_EXIT_INPUT, "only one of sev, snp and tdx may be set.");
		vmi->launch_security = xstrdup(kinds[i].name);
		if (i == 0) {
			json_object *policy = NULL;
			size_t m = vj_enter(c, "sev");
			TRY(vj_object(c, o, "policy", &policy));
			if (policy) {
				size_t pm = vj_enter(c, "policy");
				TRY(vj_bool(c, policy, "encryptedState", &vmi->sev_es));
				vj_leave(c, pm);
			}
			/* For remote attestation: passed to libvirt as they are, as KubeVirt does. */
			vmi->sev_attestation = vj_has(o, "attestation");
			TRY(vj_string(c, o, "dhCert", &vmi->sev_dh_cert));
			TRY(vj_string(c, o, "session", &vmi->sev_session));
			vj_leave(c, m);
		}
	}
	vj_leave(c, mark);
	return 0;
}

static int parse_io_threads(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	static const char *const policies[] = { "shared", "auto", "supplementalPool" };
	json_object *io = NULL;

	TRY(vj_enum_string(c, domain, "ioThreadsPolicy", policies, ENUM_N(policies), &vmi->io_threads_policy));
	TRY(vj_object(c, domain, "ioThreads", &io));
	if (io) {
		size_t mark = vj_enter(c, "ioThreads");
		TRY(vj_u32(c, io, "supplementalPoolThreadCount", 1, 1024, &vmi->io_threads_supplemental_count));
		vj_leave(c, mark);
	}
	if (str_equal(vmi->io_threads_policy, "supplementalPool") && vmi->io_threads_supplemental_count == 0)
		return vj_fail_at(c, "ioThreads", HVL_EXIT_INPUT,
				  "ioThreadsPolicy supplementalPool needs supplementalPoolThreadCount.");
	return 0;
}

static int parse_domain(struct vj_ctx *c, json_object *spec, struct vmi *vmi)
{
	static const char *const reboot[] = { "Reboot", "Terminate" };
	json_object *domain = NULL;
	size_t mark;

	TRY(vj_object(c, spec, "domain", &domain));
	if (domain == NULL)
		return vj_fail_at(c, "domain", HVL_EXIT_INPUT, "the VMI has no domain.");
	mark = vj_enter(c, "domain");
	TRY(parse_resources(c, domain, vmi));
	TRY(parse_memory(c, domain, vmi));
	TRY(parse_cpu(c, domain, vmi));
	TRY(parse_machine(c, domain, vmi));
	TRY(parse_firmware(c, domain, vmi));
	TRY(parse_chassis(c, domain, vmi));
	TRY(parse_clock(c, domain, vmi));
	TRY(parse_features(c, domain, vmi));
	TRY(parse_devices(c, domain, vmi));
	TRY(parse_io_threads(c, domain, vmi));
	TRY(parse_launch_security(c, domain, vmi));
	TRY(vj_enum_string(c, domain, "rebootPolicy", reboot, ENUM_N(reboot), &vmi->reboot_policy));
	vj_leave(c, mark);
	return 0;
}

/*
 * Only exec probes cost memory (overhead); the rest is virt-handler's business, and admission's: exactly one kind
 * (vmi-create-admitter.go validateProbe), and the kinds that reach the guest through the pod network only with one
 * (*network, checked once the default network is known).
 */
static int parse_probe(struct vj_ctx *c, json_object *spec, const char *key, bool *present, bool *exec,
		       const char **network)
{
	static const char *const kinds[] = { "httpGet", "tcpSocket", "exec", "guestAgentPing" };
	json_object *probe = NULL, *o = NULL;
	const char *found = NULL;
	size_t mark;

	TRY(vj_object(c, spec, key, &probe));
	if (probe == NULL)
		return 0;
	if (present)
		*present = true;
	mark = vj_enter(c, key);
	for (size_t k = 0; k < ENUM_N(kinds); k++) {
		o = NULL;
		TRY(vj_object(c, probe, kinds[k], &o));
		if (o == NULL)
			continue;
		if (found)
			return vj_fail(c, HVL_EXIT_INPUT, "a probe has exactly one kind, found %s and %s.", found, kinds[k]);
		found = kinds[k];
	}
	if (found == NULL)
		return vj_fail(c, HVL_EXIT_INPUT, "a probe needs one of httpGet, tcpSocket, exec or guestAgentPing.");
	*exec = strcmp(found, "exec") == 0;
	*network = strcmp(found, "httpGet") == 0 || strcmp(found, "tcpSocket") == 0 ? found : NULL;
	vj_leave(c, mark);
	return 0;
}

static int parse_spec(struct vj_ctx *c, json_object *spec, struct vmi *vmi)
{
	static const char *const arches[] = { "amd64", "arm64", "s390x" };
	static const char *const evictions[] = { "None", "LiveMigrate", "LiveMigrateIfPossible", "External" };
	static const char *const starts[] = { "Paused" };

	TRY(vj_expect_object(c, spec));
	TRY(vj_enum_string(c, spec, "architecture", arches, ENUM_N(arches), &vmi->architecture));
	TRY(vj_string(c, spec, "hostname", &vmi->hostname));
	if (vmi->hostname && !is_dns_label(vmi->hostname))
		return required_name(c, spec, "hostname", NAME_LABEL, &vmi->hostname);
	TRY(vj_string(c, spec, "subdomain", &vmi->subdomain));
	if (vmi->subdomain && !is_dns_subdomain(vmi->subdomain))
		return required_name(c, spec, "subdomain", NAME_SUBDOMAIN, &vmi->subdomain);
	TRY(vj_i64(c, spec, "terminationGracePeriodSeconds", 0, INT32_MAX, &vmi->termination_grace_period, NULL));
	TRY(vj_enum_string(c, spec, "startStrategy", starts, ENUM_N(starts), &vmi->start_strategy));
	TRY(vj_enum_string(c, spec, "evictionStrategy", evictions, ENUM_N(evictions), &vmi->eviction_strategy));
	TRY(vj_string(c, spec, "schedulerName", &vmi->scheduler_name));
	TRY(parse_dns(c, spec));
	TRY(parse_probe(c, spec, "livenessProbe", &vmi->probes.liveness, &vmi->probes.liveness_exec,
			&vmi->probes.liveness_network));
	TRY(parse_probe(c, spec, "readinessProbe", NULL, &vmi->probes.readiness_exec, &vmi->probes.readiness_network));
	/* Before the domain, as KubeVirt's DRA admission checks the claims before the devices that use them. */
	TRY(parse_list(c, spec, "resourceClaims", sizeof(struct vmi_resource_claim), parse_resource_claim,
		       (void **)&vmi->resource_claims, &vmi->n_resource_claims));
	TRY(parse_domain(c, spec, vmi));
	TRY(parse_list(c, spec, "volumes", sizeof(struct vmi_volume), parse_volume, (void **)&vmi->volumes,
		       &vmi->n_volumes));
	TRY(parse_list(c, spec, "networks", sizeof(struct vmi_network), parse_network, (void **)&vmi->networks,
		       &vmi->n_networks));
	for (size_t i = 0; i < vmi->n_volumes; i++) {
		if (vmi->volumes[i].type == VOLUME_CONTAINER_DISK)
			vmi->volumes[i].container_disk_index = (int)i;
	}
	return 0;
}

/* ---- the document ------------------------------------------------------------------------- */

static void vmi_init(struct vmi *vmi)
{
	vmi->termination_grace_period = -1;
	vmi->memory.guest = vmi->memory.max_guest = vmi->memory.reserved_overhead = -1;
	vmi->resources.request_memory = vmi->resources.limit_memory = -1;
	vmi->resources.request_cpu_milli = vmi->resources.limit_cpu_milli = -1;
	vmi->tsc_frequency = -1;
}

static int check_api_version(struct vj_ctx *c, json_object *root)
{
	_cleanup_free_ char *api = NULL;

	TRY(vj_string(c, root, "apiVersion", &api));
	if (api == NULL || str_has_prefix(api, "kubevirt.io/"))
		return 0;
	_cleanup_free_ char *shown = vj_show(vj_get(root, "apiVersion"));
	return vj_fail_at(c, "apiVersion", HVL_EXIT_INPUT, "'%s' is not a KubeVirt API version (kubevirt.io/v1).",
			  shown);
}

/* What virt-controller expands into the VMI before anything reaches virt-launcher. */
static int reject_vm_expansions(struct vj_ctx *c, json_object *vm_spec)
{
	static const char *const keys[] = { "instancetype", "preference" };

	for (size_t i = 0; i < ENUM_N(keys); i++) {
		if (vj_has(vm_spec, keys[i]))
			return vj_fail_at(c, keys[i], HVL_EXIT_UNSUPPORTED,
					  "VirtualMachines using instance types or preferences are not supported by "
					  "hvl-launcher; KubeVirt expands them into the VMI, so pass the "
					  "VirtualMachineInstance instead.");
	}
	return 0;
}

/* kind: VirtualMachineInstance, VirtualMachine, or absent on a bare VMI (one with spec.domain). */
static int parse_kind(struct vj_ctx *c, json_object *root, struct vmi *vmi, bool *is_vm)
{
	json_object *spec = vj_get(root, "spec");

	TRY(vj_string(c, root, "kind", &vmi->kind));
	if (vmi->kind == NULL) {
		if (spec == NULL || !json_object_is_type(spec, json_type_object) || !vj_has(spec, "domain"))
			return vj_fail_at(c, "kind", HVL_EXIT_INPUT,
					  "missing; expected VirtualMachineInstance or VirtualMachine.");
		vmi->kind = xstrdup("VirtualMachineInstance");
	} else if (strcmp(vmi->kind, "VirtualMachine") != 0 && strcmp(vmi->kind, "VirtualMachineInstance") != 0) {
		_cleanup_free_ char *shown = vj_show(vj_get(root, "kind"));
		return vj_fail_at(c, "kind", HVL_EXIT_INPUT, "'%s' is not VirtualMachineInstance or VirtualMachine.",
				  shown);
	}
	*is_vm = strcmp(vmi->kind, "VirtualMachine") == 0;
	/* The model is always the VMI, whichever object carried it. */
	free(vmi->kind);
	vmi->kind = xstrdup("VirtualMachineInstance");
	return 0;
}

static int parse_vmi(json_object *root, struct vmi *vmi, hvl_error **err)
{
	json_object *meta = NULL, *spec = NULL;
	struct vj_ctx c;
	size_t mark;

	vj_init(&c, "", err);
	TRY(vj_object(&c, root, "metadata", &meta));
	TRY(vj_object(&c, root, "spec", &spec));
	if (spec == NULL)
		return vj_fail_at(&c, "spec", HVL_EXIT_INPUT, "the VirtualMachineInstance has no spec.");
	mark = vj_enter(&c, "metadata");
	TRY(parse_vmi_metadata(&c, meta, vmi));
	vj_leave(&c, mark);
	mark = vj_enter(&c, "spec");
	TRY(parse_spec(&c, spec, vmi));
	vj_leave(&c, mark);
	TRY(parse_status(&c, vj_get(root, "status"), vmi));
	return vmi_validate(vmi, "spec", err);
}

/*
 * virt-controller's AutoAttachInputDevice (watch/vm/vm.go), applied when it makes the VMI of a
 * VirtualMachine: autoattachInputDevice true and no inputs gives one input named default-0, whose bus and
 * type the VMI defaults fill in (usb tablet).  A VMI posted directly gets no such input.
 */
static void vm_auto_attach_input(struct vmi *vmi)
{
	struct vmi_devices *dv = &vmi->devices;

	if (dv->autoattach_input_device != TRI_TRUE || dv->n_inputs > 0)
		return;
	dv->inputs = xcalloc(1, sizeof(*dv->inputs));
	dv->inputs[0].name = xstrdup("default-0");
	dv->n_inputs = 1;
}

static int parse_vm(json_object *root, struct vmi *vmi, hvl_error **err)
{
	json_object *vm_meta = NULL, *vm_spec = NULL, *template = NULL, *meta = NULL, *spec = NULL;
	struct vj_ctx c;

	vj_init(&c, "", err);
	TRY(vj_object(&c, root, "metadata", &vm_meta));
	TRY(vj_object(&c, root, "spec", &vm_spec));
	if (vm_spec == NULL)
		return vj_fail_at(&c, "spec", HVL_EXIT_INPUT, "the VirtualMachine has no spec.");
	vj_init(&c, "spec", err);
	TRY(reject_vm_expansions(&c, vm_spec));
	TRY(vj_object(&c, vm_spec, "template", &template));
	if (template == NULL)
		return vj_fail_at(&c, "template", HVL_EXIT_INPUT, "a VirtualMachine needs a VMI template.");
	vj_init(&c, "spec.template", err);
	TRY(vj_object(&c, template, "metadata", &meta));
	TRY(vj_object(&c, template, "spec", &spec));
	if (spec == NULL)
		return vj_fail_at(&c, "spec", HVL_EXIT_INPUT, "the VirtualMachine template has no spec.");
	TRY(parse_vm_metadata(vm_meta, meta, vmi, err));
	vmi->from_vm = true;
	vj_init(&c, "spec.template.spec", err);
	TRY(parse_spec(&c, spec, vmi));
	vm_auto_attach_input(vmi);
	return vmi_validate(vmi, "spec.template.spec", err);
}

/* `kubectl get vmi -o json` without a name gives a List (or a *List kind) of objects, not one VMI. */
static int refuse_list(struct vj_ctx *c, json_object *root)
{
	json_object *kind = vj_get(root, "kind");
	const char *k = kind && json_object_is_type(kind, json_type_string) ? json_object_get_string(kind) : "";
	size_t n = strlen(k);

	if (n < 4 || strcmp(k + n - 4, "List") != 0)
		return 0;
	_cleanup_free_ char *shown = vj_show(kind);
	return vj_fail_at(c, "kind", HVL_EXIT_INPUT,
			  "'%s' holds a list of objects; pass a single JSON object, a VirtualMachineInstance or "
			  "VirtualMachine (e.g. `kubectl get vmi NAME -o json`, with the name).",
			  shown);
}

static int parse_document(json_object *root, struct vmi *vmi, hvl_error **err)
{
	struct vj_ctx c;
	bool is_vm = false;

	vj_init(&c, "", err);
	TRY(vj_expect_object(&c, root));
	TRY(refuse_list(&c, root));
	TRY(check_api_version(&c, root));
	TRY(parse_kind(&c, root, vmi, &is_vm));
	return is_vm ? parse_vm(root, vmi, err) : parse_vmi(root, vmi, err);
}

/* A document whose first token cannot start JSON but starts YAML: a key, "---", a comment or a list item. */
static bool looks_like_yaml(const char *text, size_t len)
{
	size_t i = 0;

	while (i < len && strchr(" \t\r\n", text[i]) && text[i] != '\0')
		i++;
	return i < len && (isalpha((unsigned char)text[i]) || text[i] == '-' || text[i] == '#');
}

/*
 * One tokener for every parse: creating one callocs its depth-sized stack, a large allocation that made malloc
 * consolidate its free lists on every conversion.  Only a tokener whose last parse succeeded is kept: that parse
 * completed every token, so nothing of it is pending (json_tokener_reset does not clear all of a failed parse's
 * state, e.g. half a surrogate pair), and the reset returns its stack to the start.  Flags and depth never change.
 * The converter is single-threaded (the hook handles one request per process).
 */
static struct json_tokener *kept_tokener;

static struct json_tokener *take_tokener(void)
{
	struct json_tokener *tok = TAKE_PTR(kept_tokener);

	if (tok == NULL) {
		tok = json_tokener_new_ex(VMI_MAX_DEPTH);
		/* Strings end up in XML and file names: refuse invalid UTF-8 at the source. */
		if (tok)
			json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	}
	return tok;
}

static void give_back_tokener(struct json_tokener *tok, bool parsed)
{
	if (!parsed) {
		json_tokener_free(tok);
		return;
	}
	json_tokener_reset(tok);
	kept_tokener = tok;
}

/* A strict UTF-8 failure at its own position and in its own words ("an overlong encoding"), when it finds one. */
static int utf8_failure(const char *json, size_t len, const char *subject, hvl_error **err)
{
	struct json_doc_failure at = { 0 };
	size_t bad_at;
	const char *bad = vj_utf8_invalid(json, len, &bad_at);

	if (bad == NULL)
		return 0;
	json_doc_path_at(json, len, bad_at, at.path, sizeof(at.path));
	at.line = 1;
	at.column = 1;
	for (size_t i = 0; i < bad_at; i++) {
		at.line += json[i] == '\n';
		at.column = json[i] == '\n' ? 1 : at.column + 1;
	}
	if (at.path[0])
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s is not valid UTF-8: %s at line %zu, column %zu (in %s).",
				     subject, bad, at.line, at.column, at.path);
	return hvl_error_set(err, HVL_EXIT_INPUT, "%s is not valid UTF-8: %s at line %zu, column %zu.", subject, bad,
			     at.line, at.column);
}

static int parse_json(const char *json, size_t len, const char *source, json_object **out, hvl_error **err)
{
	_cleanup_free_ char *subject = xasprintf("The VMI %s", source);
	struct json_doc_failure f;
	struct json_tokener *tok;
	json_object *root = NULL;
	int r;

	if (len > VMI_MAX_INPUT_BYTES)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The VMI %s is larger than the limit of %u bytes.", source,
				     VMI_MAX_INPUT_BYTES);
	if (len > INT32_MAX)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The VMI %s is too large.", source);
	tok = take_tokener();
	if (tok == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot allocate a JSON parser.");
	r = json_doc_parse(tok, VMI_MAX_DEPTH, json, len, &root, &f);
	give_back_tokener(tok, r == 0);
	if (r < 0) {
		if (f.problem == JSON_DOC_SYNTAX && looks_like_yaml(json, len))
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "The VMI %s is not JSON (it looks like YAML); pass a single JSON object: "
					     "convert YAML with e.g. `yq -o=json FILE`, or take `kubectl get vmi NAME -o json`.",
					     source);
		if (f.problem == JSON_DOC_ENCODING && utf8_failure(json, len, subject, err) < 0)
			return -1;
		return json_doc_fail(err, subject, &f);
	}
	/* json-c lets overlong forms and encoded surrogates through; the domain XML must not get them. */
	if (utf8_failure(json, len, subject, err) < 0) {
		json_object_put(root);
		return -1;
	}
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		_cleanup_free_ char *what = json_doc_describe(root, json, len);
		json_object_put(root);
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "The VMI %s is %s, not a JSON object: pass one VirtualMachineInstance or "
				     "VirtualMachine (e.g. `kubectl get vmi NAME -o json`).",
				     source, what);
	}
	*out = root;
	return 0;
}

int vmi_parse(const char *json, size_t len, const char *source, struct vmi **out, hvl_error **err)
{
	_cleanup_vmi_ struct vmi *vmi = NULL;
	json_object *root = NULL;
	int r;

	if (source == NULL)
		source = "input";
	TRY(parse_json(json, len, source, &root, err));
	vmi = xcalloc(1, sizeof(*vmi));
	vmi_init(vmi);
	r = parse_document(root, vmi, err);
	json_object_put(root);
	if (r < 0)
		return -1;
	*out = TAKE_PTR(vmi);
	return 0;
}

int vmi_load(const char *path, struct vmi **out, hvl_error **err)
{
	_cleanup_free_ char *data = NULL;
	_cleanup_free_ char *source = NULL;
	size_t len = 0;

	TRY(read_file(path, VMI_MAX_INPUT_BYTES, "VMI file", &data, &len, err));
	source = strcmp(path, "-") == 0 ? xstrdup("from standard input") : xasprintf("file '%s'", path);
	return vmi_parse(data, len, source, out, err);
}
