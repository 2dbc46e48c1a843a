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
 * Cross-object checks (duplicates, disk <-> volume) are in vmi-validate.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "util.h"
#include "vmi-internal.h"
#include "vmi-json.h"
#include "vmi.h"

#define ENUM_N(t) HVL_ARRAY_SIZE(t)
#define TRY(expr)                    \
	do {                         \
		if ((expr) < 0)      \
			return -1;   \
	} while (0)

/* ---- names ------------------------------------------------------------------ */

/* n characters of lower-case letters, digits and '-', starting and ending with a letter or digit. */
static bool is_label_text(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
		if (!alnum && !(ch == '-' && i > 0 && i + 1 < n))
			return false;
	}
	return true;
}

/* RFC 1123 label: what Kubernetes requires of pod volume and container names (disks become both). */
static bool is_dns_label(const char *s)
{
	size_t n = strlen(s);

	return n <= 63 && is_label_text(s, n);
}

/*
 * RFC 1123 subdomain as Kubernetes' IsDNS1123Subdomain checks it (object
 * names): at most 253 characters of dot-separated labels.  Unlike a lone
 * label, a part has no 63-character limit there.
 */
static bool is_dns_subdomain(const char *s)
{
	size_t n = strlen(s), start = 0;

	if (n == 0 || n > VMI_MAX_NAME)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (s[i] == '.' || s[i] == '\0') {
			if (!is_label_text(s + start, i - start))
				return false;
			start = i + 1;
		}
	}
	return true;
}

/*
 * Interface and network names are looser in KubeVirt (Multus names, "default"),
 * but they land in aliases and file names: letters, digits, '-', '_', '.', no
 * leading dot and no "..", so no name can leave its directory.
 */
static bool is_safe_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > VMI_MAX_NAME || s[0] == '.' || s[0] == '-' || strstr(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	}
	return true;
}

enum name_rule { NAME_LABEL, NAME_SUBDOMAIN, NAME_SAFE };

static int required_name(struct vj_ctx *c, json_object *obj, const char *key, enum name_rule rule, char **out)
{
	_cleanup_free_ char *shown = NULL;
	bool ok;

	TRY(vj_string(c, obj, key, out));
	if (*out == NULL)
		return vj_fail_at(c, key, HVL_EXIT_INPUT, "a name is required.");
	ok = rule == NAME_LABEL ? is_dns_label(*out) : rule == NAME_SUBDOMAIN ? is_dns_subdomain(*out) : is_safe_name(*out);
	if (ok)
		return 0;
	shown = vj_show(vj_get(obj, key));
	switch (rule) {
	case NAME_LABEL:
		return vj_fail_at(c, key, HVL_EXIT_INPUT,
				  "'%s' is not a valid name; use at most 63 lower-case letters, digits and '-', "
				  "starting and ending with a letter or digit (RFC 1123 label).",
				  shown);
	case NAME_SUBDOMAIN:
		return vj_fail_at(c, key, HVL_EXIT_INPUT,
				  "'%s' is not a valid name; use at most 253 lower-case letters, digits, '-' and '.', "
				  "each dot-separated part starting and ending with a letter or digit (RFC 1123 subdomain).",
				  shown);
	case NAME_SAFE:
		break;
	}
	return vj_fail_at(c, key, HVL_EXIT_INPUT,
			  "'%s' is not a valid name; use at most 253 letters, digits, '-', '_' and '.', not starting "
			  "with '.' or '-' and without '..'.",
			  shown);
}

/* An absolute path that cannot climb out of where it points (no "." or ".." components). */
static int absolute_path(struct vj_ctx *c, json_object *obj, const char *key, bool required, char **out)
{
	_cleanup_free_ char *shown = NULL;
	const char *p;

	TRY(vj_string(c, obj, key, out));
	if (*out == NULL)
		return required ? vj_fail_at(c, key, HVL_EXIT_INPUT, "a path is required.") : 0;
	shown = vj_show(vj_get(obj, key));
	if ((*out)[0] != '/')
		return vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' is not an absolute path.", shown);
	if (strspn(*out, "/") == strlen(*out))
		return vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' must name a file, not the root directory.", shown);
	/* KubeVirt's ValidatePath: the path must equal its cleaned form (a trailing '/' aside). */
	for (p = *out + 1; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 0 && p[1] != '\0')
			return vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' must not contain empty components ('//').",
					  shown);
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return vj_fail_at(c, key, HVL_EXIT_INPUT,
					  "'%s' must not contain '.' or '..' components.", shown);
		p += n;
		if (*p == '/')
			p++;
	}
	return 0;
}

static int required_string(struct vj_ctx *c, json_object *obj, const char *key, char **out)
{
	TRY(vj_string(c, obj, key, out));
	if (*out == NULL)
		return vj_fail_at(c, key, HVL_EXIT_INPUT, "a value is required.");
	return 0;
}

/* Strings restricted to a character set, e.g. disk serials [A-Za-z0-9_.+-]. */
static int charset_string(struct vj_ctx *c, json_object *obj, const char *key, const char *extra, size_t max,
			  char **out)
{
	_cleanup_free_ char *shown = NULL;

	TRY(vj_string(c, obj, key, out));
	if (*out == NULL)
		return 0;
	for (const char *p = *out; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr(extra, *p))
			goto bad;
	}
	if (strlen(*out) <= max)
		return 0;
	shown = vj_show(vj_get(obj, key));
	return vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' is longer than %zu characters.", shown, max);
bad:
	shown = vj_show(vj_get(obj, key));
	return vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' may only contain letters, digits and '%s'.", shown, extra);
}

/* PCI address "DDDD:BB:DD.F" (hex), as KubeVirt's hwutil.ParsePciAddress accepts. */
static bool is_pci_address(const char *s)
{
	static const char shape[] = "xxxx:xx:xx.x";

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++) {
		if (shape[i] == 'x' ? !isxdigit((unsigned char)s[i]) : s[i] != shape[i])
			return false;
	}
	return true;
}

static int pci_address(struct vj_ctx *c, json_object *obj, const char *key, char **out)
{
	_cleanup_free_ char *shown = NULL;

	TRY(vj_string(c, obj, key, out));
	if (*out == NULL || is_pci_address(*out))
		return 0;
	shown = vj_show(vj_get(obj, key));
	return vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' is not a PCI address of the form 0000:00:00.0.", shown);
}

static bool is_uuid(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * A 6-byte MAC address in any form Go's net.ParseMAC reads (which is what
 * KubeVirt's admission checks): "de:ad:00:00:be:af", "de-ad-00-00-be-af" or
 * "dead.0000.beaf", either case.  On success out holds the form KubeVirt puts
 * in the domain (mac.String(): lower case, colons), which libvirt's schema
 * also requires.
 */
static bool normalise_mac_address(const char *s, char out[18])
{
	size_t n = strlen(s), digits = 0;
	unsigned char mac[6] = { 0 };
	bool dotted = n == 14;

	if (n != 17 && !dotted)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool sep = dotted ? i % 5 == 4 : i % 3 == 2;
		if (sep) {
			if (s[i] != (dotted ? '.' : s[2]) || (!dotted && s[2] != ':' && s[2] != '-'))
				return false;
			continue;
		}
		int v = hex_digit(s[i]);
		if (v < 0)
			return false;
		mac[digits / 2] = (unsigned char)(mac[digits / 2] << 4 | v);
		digits++;
	}
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return true;
}

/* Reject keys of obj not in `known`, as unsupported: used where an unknown key would change the VM. */
static int reject_unknown_keys(struct vj_ctx *c, json_object *obj, const char *const *known, size_t n,
			       const char *what)
{
	json_object_object_foreach(obj, key, val)
	{
		bool found = false;
		(void)val;
		for (size_t i = 0; i < n && !found; i++)
			found = strcmp(key, known[i]) == 0;
		if (!found) {
			_cleanup_free_ char *shown = xstrndup(key, 64);
			for (char *p = shown; *p; p++)
				if ((unsigned char)*p < 0x20)
					*p = '?';
			return vj_fail(c, HVL_EXIT_UNSUPPORTED, "%s '%s' is not supported by hvl-launcher yet.", what,
				       shown);
		}
	}
	return 0;
}

/* ---- small shared objects --------------------------------------------------- */

/* KubeVirt FeatureState: {"enabled": bool}; the object's presence is what matters. */
static int parse_feature_state(struct vj_ctx *c, json_object *obj, const char *key, struct vmi_feature_state *fs)
{
	json_object *o = NULL;
	size_t mark;
	int r;

	TRY(vj_object(c, obj, key, &o));
	if (o == NULL)
		return 0;
	fs->set = true;
	mark = vj_enter(c, key);
	r = vj_tristate(c, o, "enabled", &fs->enabled);
	vj_leave(c, mark);
	return r;
}

/* Parse each element of the list obj[key] with fn into a freshly allocated array. */
typedef int (*elem_fn)(struct vj_ctx *c, json_object *elem, void *item);

static int parse_list(struct vj_ctx *c, json_object *obj, const char *key, size_t item_size, elem_fn fn, void **items,
		      size_t *n_items)
{
	json_object *arr = NULL;
	size_t n = 0, mark;
	char *base;

	TRY(vj_array(c, obj, key, VMI_MAX_LIST, &arr, &n));
	if (arr == NULL || n == 0)
		return 0;
	base = xcalloc(n, item_size);
	/* Hand the array to the model first so that vmi_free() releases partial items on error. */
	*items = base;
	*n_items = n;
	mark = vj_enter(c, key);
	for (size_t i = 0; i < n; i++) {
		size_t imark = vj_index(c, i);
		json_object *elem = json_object_array_get_idx(arr, i);
		if (vj_expect_object(c, elem) < 0 || fn(c, elem, base + i * item_size) < 0)
			return -1;
		vj_leave(c, imark);
	}
	vj_leave(c, mark);
	return 0;
}

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

/* ---- resources, memory, cpu ---------------------------------------------------- */

static int parse_resource_list(struct vj_ctx *c, json_object *res, const char *key, int64_t *memory,
			       int64_t *cpu_milli)
{
	json_object *list = NULL;
	struct quantity q;
	bool present = false;
	size_t mark;

	TRY(vj_object(c, res, key, &list));
	if (list == NULL)
		return 0;
	mark = vj_enter(c, key);
	TRY(vj_bytes(c, list, "memory", memory));
	TRY(vj_quantity(c, list, "cpu", &q, &present));
	if (present) {
		if (q.negative) {
			_cleanup_free_ char *shown = vj_show(vj_get(list, "cpu"));
			return vj_fail_at(c, "cpu", HVL_EXIT_INPUT, "'%s' is negative; a CPU amount must be zero or more.",
					  shown);
		}
		*cpu_milli = q.milli_value;
	}
	/* Other resources (device plugins, ephemeral-storage) are the scheduler's business, but must be quantities. */
	json_object_object_foreach(list, name, val)
	{
		if (strcmp(name, "memory") == 0 || strcmp(name, "cpu") == 0 || val == NULL)
			continue;
		TRY(vj_quantity(c, list, name, &q, NULL));
	}
	vj_leave(c, mark);
	return 0;
}

static int parse_resources(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	json_object *res = NULL;
	size_t mark;

	TRY(vj_object(c, domain, "resources", &res));
	if (res == NULL)
		return 0;
	mark = vj_enter(c, "resources");
	TRY(parse_resource_list(c, res, "requests", &vmi->resources.request_memory, &vmi->resources.request_cpu_milli));
	TRY(parse_resource_list(c, res, "limits", &vmi->resources.limit_memory, &vmi->resources.limit_cpu_milli));
	TRY(vj_bool(c, res, "overcommitGuestOverhead", &vmi->resources.overcommit_guest_overhead));
	vj_leave(c, mark);
	return 0;
}

static int parse_memory(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	static const char *const memlock[] = { "Required", "NotRequired" };
	json_object *mem = NULL, *huge = NULL, *reserved = NULL;
	_cleanup_free_ char *lock = NULL;
	size_t mark;

	TRY(vj_object(c, domain, "memory", &mem));
	if (mem == NULL)
		return 0;
	mark = vj_enter(c, "memory");
	TRY(vj_bytes(c, mem, "guest", &vmi->memory.guest));
	TRY(vj_bytes(c, mem, "maxGuest", &vmi->memory.max_guest));
	TRY(vj_object(c, mem, "hugepages", &huge));
	if (huge) {
		size_t hmark = vj_enter(c, "hugepages");
		int64_t size = -1;
		TRY(vj_bytes(c, huge, "pageSize", &size));
		TRY(vj_string(c, huge, "pageSize", &vmi->memory.hugepages_size));
		if (vmi->memory.hugepages_size == NULL)
			return vj_fail_at(c, "pageSize", HVL_EXIT_INPUT, "a page size such as '2Mi' or '1Gi' is required.");
		if (size <= 0)
			return vj_fail_at(c, "pageSize", HVL_EXIT_INPUT, "'%s' is not a usable page size.",
					  vmi->memory.hugepages_size);
		vj_leave(c, hmark);
	}
	TRY(vj_object(c, mem, "reservedOverhead", &reserved));
	if (reserved) {
		size_t rmark = vj_enter(c, "reservedOverhead");
		TRY(vj_bytes(c, reserved, "addedOverhead", &vmi->memory.reserved_overhead));
		TRY(vj_enum_string(c, reserved, "memLock", memlock, ENUM_N(memlock), &lock));
		vmi->memory.memlock_required = str_equal(lock, "Required");
		vj_leave(c, rmark);
	}
	vj_leave(c, mark);
	return 0;
}

static int parse_cpu_feature(struct vj_ctx *c, json_object *elem, void *item)
{
	static const char *const policies[] = { "force", "require", "optional", "disable", "forbid" };
	struct vmi_cpu_feature *f = item;

	TRY(required_string(c, elem, "name", &f->name));
	TRY(charset_string(c, elem, "name", "-_.", 64, &f->name));
	return vj_enum_string(c, elem, "policy", policies, ENUM_N(policies), &f->policy);
}

static int parse_cpu(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	json_object *cpu = NULL, *numa = NULL, *rt = NULL;
	struct vmi_cpu *v = &vmi->cpu;
	size_t mark;

	TRY(vj_object(c, domain, "cpu", &cpu));
	if (cpu == NULL)
		return 0;
	vmi->cpu_set = true;
	mark = vj_enter(c, "cpu");
	TRY(vj_u32(c, cpu, "sockets", 0, VMI_MAX_VCPUS, &v->sockets));
	TRY(vj_u32(c, cpu, "cores", 0, VMI_MAX_VCPUS, &v->cores));
	TRY(vj_u32(c, cpu, "threads", 0, VMI_MAX_VCPUS, &v->threads));
	TRY(vj_u32(c, cpu, "maxSockets", 0, VMI_MAX_VCPUS, &v->max_sockets));
	TRY(charset_string(c, cpu, "model", "-_.", 128, &v->model));
	TRY(parse_list(c, cpu, "features", sizeof(struct vmi_cpu_feature), parse_cpu_feature, (void **)&v->features,
		       &v->n_features));
	TRY(vj_bool(c, cpu, "dedicatedCpuPlacement", &v->dedicated_cpu_placement));
	TRY(vj_bool(c, cpu, "isolateEmulatorThread", &v->isolate_emulator_thread));
	TRY(vj_object(c, cpu, "numa", &numa));
	if (numa) {
		json_object *gmp = NULL;
		size_t nmark = vj_enter(c, "numa");
		TRY(vj_object(c, numa, "guestMappingPassthrough", &gmp));
		v->numa_guest_mapping_passthrough = gmp != NULL;
		vj_leave(c, nmark);
	}
	TRY(vj_object(c, cpu, "realtime", &rt));
	if (rt) {
		size_t rmark = vj_enter(c, "realtime");
		v->realtime = true;
		TRY(charset_string(c, rt, "mask", "-,^", 256, &v->realtime_mask));
		vj_leave(c, rmark);
	}
	if ((uint64_t)(v->sockets ? v->sockets : 1) * (v->cores ? v->cores : 1) * (v->threads ? v->threads : 1) >
	    VMI_MAX_VCPUS)
		return vj_fail(c, HVL_EXIT_INPUT, "sockets x cores x threads is more than %d vCPUs.", VMI_MAX_VCPUS);
	vj_leave(c, mark);
	return 0;
}

/* ---- machine, firmware, clock, features ------------------------------------------ */

static int parse_machine(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	json_object *machine = NULL;
	size_t mark;

	TRY(vj_object(c, domain, "machine", &machine));
	if (machine == NULL)
		return 0;
	mark = vj_enter(c, "machine");
	TRY(charset_string(c, machine, "type", "-_.", 64, &vmi->machine_type));
	vj_leave(c, mark);
	return 0;
}

static int parse_bootloader(struct vj_ctx *c, json_object *fw, struct vmi_firmware *f)
{
	json_object *bl = NULL, *bios = NULL, *efi = NULL;
	size_t mark;

	TRY(vj_object(c, fw, "bootloader", &bl));
	if (bl == NULL)
		return 0;
	mark = vj_enter(c, "bootloader");
	TRY(vj_object(c, bl, "bios", &bios));
	TRY(vj_object(c, bl, "efi", &efi));
	if (bios && efi)
		return vj_fail(c, HVL_EXIT_INPUT, "only one of bios and efi may be set.");
	if (bios) {
		size_t m = vj_enter(c, "bios");
		f->bootloader = BOOTLOADER_BIOS;
		TRY(vj_bool(c, bios, "useSerial", &f->bios_use_serial));
		vj_leave(c, m);
	}
	if (efi) {
		size_t m = vj_enter(c, "efi");
		f->bootloader = BOOTLOADER_EFI;
		TRY(vj_tristate(c, efi, "secureBoot", &f->efi_secure_boot));
		TRY(vj_bool(c, efi, "persistent", &f->efi_persistent));
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}

static int parse_kernel_boot(struct vj_ctx *c, json_object *fw, struct vmi_firmware *f)
{
	json_object *kb = NULL, *container = NULL;
	struct vmi_kernel_boot *k = &f->kernel_boot;
	size_t mark;

	TRY(vj_object(c, fw, "kernelBoot", &kb));
	if (kb == NULL)
		return 0;
	mark = vj_enter(c, "kernelBoot");
	TRY(vj_string(c, kb, "kernelArgs", &k->kernel_args));
	TRY(vj_object(c, kb, "container", &container));
	if (container == NULL) {
		if (k->kernel_args)
			return vj_fail(c, HVL_EXIT_INPUT, "kernelArgs need a container with the kernel.");
		vj_leave(c, mark);
		return 0;
	}
	f->has_kernel_boot = true;
	{
		size_t m = vj_enter(c, "container");
		TRY(required_string(c, container, "image", &k->image));
		TRY(absolute_path(c, container, "kernelPath", false, &k->kernel_path));
		TRY(absolute_path(c, container, "initrdPath", false, &k->initrd_path));
		if (k->kernel_path == NULL && k->initrd_path == NULL)
			return vj_fail(c, HVL_EXIT_INPUT, "at least one of kernelPath and initrdPath is required.");
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}

static int parse_firmware(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	json_object *fw = NULL, *acpi = NULL;
	struct vmi_firmware *f = &vmi->firmware;
	size_t mark;

	TRY(vj_object(c, domain, "firmware", &fw));
	if (fw == NULL)
		return 0;
	mark = vj_enter(c, "firmware");
	TRY(vj_string(c, fw, "uuid", &f->uuid));
	if (f->uuid && !is_uuid(f->uuid)) {
		_cleanup_free_ char *shown = vj_show(vj_get(fw, "uuid"));
		return vj_fail_at(c, "uuid", HVL_EXIT_INPUT, "'%s' is not a UUID.", shown);
	}
	TRY(vj_string(c, fw, "serial", &f->serial));
	TRY(parse_bootloader(c, fw, f));
	TRY(parse_kernel_boot(c, fw, f));
	TRY(vj_object(c, fw, "acpi", &acpi));
	if (acpi) {
		size_t m = vj_enter(c, "acpi");
		TRY(vj_string(c, acpi, "slicNameRef", &f->acpi_slic_name));
		TRY(vj_string(c, acpi, "msdmNameRef", &f->acpi_msdm_name));
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}

static int parse_chassis(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	json_object *ch = NULL;
	size_t mark;

	TRY(vj_object(c, domain, "chassis", &ch));
	if (ch == NULL)
		return 0;
	mark = vj_enter(c, "chassis");
	TRY(vj_string(c, ch, "manufacturer", &vmi->chassis.manufacturer));
	TRY(vj_string(c, ch, "version", &vmi->chassis.version));
	TRY(vj_string(c, ch, "serial", &vmi->chassis.serial));
	TRY(vj_string(c, ch, "asset", &vmi->chassis.asset));
	TRY(vj_string(c, ch, "sku", &vmi->chassis.sku));
	vj_leave(c, mark);
	return 0;
}

static int parse_timer(struct vj_ctx *c, json_object *timers, const char *key, const char *const *ticks, size_t n_ticks,
		       bool has_track, struct vmi_timer *t)
{
	static const char *const tracks[] = { "guest", "wall" };
	json_object *o = NULL;
	size_t mark;

	TRY(vj_object(c, timers, key, &o));
	if (o == NULL)
		return 0;
	t->set = true;
	mark = vj_enter(c, key);
	TRY(vj_tristate(c, o, "present", &t->present));
	if (n_ticks)
		TRY(vj_enum_string(c, o, "tickPolicy", ticks, n_ticks, &t->tick_policy));
	if (has_track)
		TRY(vj_enum_string(c, o, "track", tracks, ENUM_N(tracks), &t->track));
	vj_leave(c, mark);
	return 0;
}

static int parse_timers(struct vj_ctx *c, json_object *clock, struct vmi_clock *k)
{
	static const char *const hpet_ticks[] = { "delay", "catchup", "merge", "discard" };
	static const char *const pit_ticks[] = { "delay", "catchup", "discard" };
	static const char *const rtc_ticks[] = { "delay", "catchup" };
	json_object *timers = NULL;
	size_t mark;

	TRY(vj_object(c, clock, "timer", &timers));
	if (timers == NULL)
		return 0;
	mark = vj_enter(c, "timer");
	TRY(parse_timer(c, timers, "hpet", hpet_ticks, ENUM_N(hpet_ticks), false, &k->hpet));
	TRY(parse_timer(c, timers, "kvm", NULL, 0, false, &k->kvm));
	TRY(parse_timer(c, timers, "pit", pit_ticks, ENUM_N(pit_ticks), false, &k->pit));
	TRY(parse_timer(c, timers, "rtc", rtc_ticks, ENUM_N(rtc_ticks), true, &k->rtc));
	TRY(parse_timer(c, timers, "hyperv", NULL, 0, false, &k->hyperv));
	vj_leave(c, mark);
	return 0;
}

static int parse_clock(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	json_object *clock = NULL, *utc = NULL;
	struct vmi_clock *k = &vmi->clock;
	size_t mark;

	TRY(vj_object(c, domain, "clock", &clock));
	if (clock == NULL)
		return 0;
	k->set = true;
	mark = vj_enter(c, "clock");
	TRY(vj_object(c, clock, "utc", &utc));
	if (utc) {
		size_t m = vj_enter(c, "utc");
		k->utc = true;
		TRY(vj_i64(c, utc, "offsetSeconds", -(int64_t)INT32_MAX, INT32_MAX, &k->utc_offset_seconds,
			   &k->utc_offset_set));
		vj_leave(c, m);
	}
	/* A zone name such as "Europe/Berlin": goes into the domain, keep it to TZ database characters. */
	TRY(charset_string(c, clock, "timezone", "/_+-", 64, &k->timezone));
	if (k->timezone && (k->timezone[0] == '/' || strstr(k->timezone, "..")))
		return vj_fail_at(c, "timezone", HVL_EXIT_INPUT, "'%s' is not a time zone name.", k->timezone);
	if (utc && k->timezone)
		return vj_fail(c, HVL_EXIT_INPUT, "only one of utc and timezone may be set.");
	TRY(parse_timers(c, clock, k));
	vj_leave(c, mark);
	return 0;
}

static int parse_hyperv(struct vj_ctx *c, json_object *features, struct vmi_hyperv *h)
{
	json_object *hv = NULL, *o = NULL;
	size_t mark;

	TRY(vj_object(c, features, "hyperv", &hv));
	if (hv == NULL)
		return 0;
	h->set = true;
	mark = vj_enter(c, "hyperv");
	TRY(parse_feature_state(c, hv, "relaxed", &h->relaxed));
	TRY(parse_feature_state(c, hv, "vapic", &h->vapic));
	TRY(parse_feature_state(c, hv, "vpindex", &h->vpindex));
	TRY(parse_feature_state(c, hv, "runtime", &h->runtime));
	TRY(parse_feature_state(c, hv, "synic", &h->synic));
	TRY(parse_feature_state(c, hv, "reset", &h->reset));
	TRY(parse_feature_state(c, hv, "frequencies", &h->frequencies));
	TRY(parse_feature_state(c, hv, "reenlightenment", &h->reenlightenment));
	TRY(parse_feature_state(c, hv, "ipi", &h->ipi));
	TRY(parse_feature_state(c, hv, "evmcs", &h->evmcs));
	TRY(parse_feature_state(c, hv, "spinlocks", &h->spinlocks));
	if (h->spinlocks.set) {
		size_t m = vj_enter(c, "spinlocks");
		/* libvirt refuses fewer than 4095 retries. */
		TRY(vj_u32(c, vj_get(hv, "spinlocks"), "spinlocks", 4095, UINT32_MAX, &h->spinlocks_retries));
		vj_leave(c, m);
	}
	TRY(parse_feature_state(c, hv, "vendorid", &h->vendorid));
	if (h->vendorid.set) {
		size_t m = vj_enter(c, "vendorid");
		TRY(charset_string(c, vj_get(hv, "vendorid"), "vendorid", " -_.", 12, &h->vendorid_value));
		vj_leave(c, m);
	}
	TRY(parse_feature_state(c, hv, "synictimer", &h->synictimer));
	if ((o = vj_get(hv, "synictimer")) != NULL) {
		size_t m = vj_enter(c, "synictimer");
		TRY(parse_feature_state(c, o, "direct", &h->synictimer_direct));
		vj_leave(c, m);
	}
	TRY(parse_feature_state(c, hv, "tlbflush", &h->tlbflush));
	if ((o = vj_get(hv, "tlbflush")) != NULL) {
		size_t m = vj_enter(c, "tlbflush");
		TRY(parse_feature_state(c, o, "direct", &h->tlbflush_direct));
		TRY(parse_feature_state(c, o, "extended", &h->tlbflush_extended));
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}

static int parse_features(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	json_object *features = NULL, *o = NULL;
	struct vmi_features *f = &vmi->features;
	size_t mark;

	TRY(vj_object(c, domain, "features", &features));
	if (features == NULL)
		return 0;
	f->set = true;
	mark = vj_enter(c, "features");
	TRY(parse_feature_state(c, features, "acpi", &f->acpi));
	TRY(parse_feature_state(c, features, "apic", &f->apic));
	if ((o = vj_get(features, "apic")) != NULL) {
		size_t m = vj_enter(c, "apic");
		TRY(vj_bool(c, o, "endOfInterrupt", &f->apic_end_of_interrupt));
		vj_leave(c, m);
	}
	TRY(parse_feature_state(c, features, "smm", &f->smm));
	TRY(parse_feature_state(c, features, "pvspinlock", &f->pvspinlock));
	TRY(parse_hyperv(c, features, &f->hyperv));
	o = NULL;
	TRY(vj_object(c, features, "hypervPassthrough", &o));
	if (o) {
		size_t m = vj_enter(c, "hypervPassthrough");
		TRY(vj_bool(c, o, "enabled", &f->hyperv_passthrough));
		vj_leave(c, m);
	}
	o = NULL;
	TRY(vj_object(c, features, "kvm", &o));
	if (o) {
		size_t m = vj_enter(c, "kvm");
		bool hidden = false;
		f->kvm_hidden.set = true;
		TRY(vj_bool(c, o, "hidden", &hidden));
		f->kvm_hidden.enabled = hidden ? TRI_TRUE : TRI_FALSE;
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}

/* ---- disks ------------------------------------------------------------------------- */

static const struct vj_enum bus_table[] = {
	{ "virtio", BUS_VIRTIO },
	{ "sata", BUS_SATA },
	{ "scsi", BUS_SCSI },
	{ "usb", BUS_USB },
};

static int parse_block_size(struct vj_ctx *c, json_object *elem, struct vmi_disk *d)
{
	json_object *bs = NULL, *custom = NULL;
	struct vmi_feature_state match = { 0 };
	size_t mark;

	TRY(vj_object(c, elem, "blockSize", &bs));
	if (bs == NULL)
		return 0;
	mark = vj_enter(c, "blockSize");
	TRY(vj_object(c, bs, "custom", &custom));
	TRY(parse_feature_state(c, bs, "matchVolume", &match));
	if (custom && match.set && match.enabled != TRI_FALSE)
		return vj_fail(c, HVL_EXIT_INPUT, "only one of custom and matchVolume may be set.");
	d->block_size_match_volume = match.set && match.enabled != TRI_FALSE;
	if (custom) {
		size_t m = vj_enter(c, "custom");
		const char *keys[] = { "logical", "physical" };
		uint32_t *vals[] = { &d->logical_block_size, &d->physical_block_size };
		for (size_t i = 0; i < 2; i++) {
			TRY(vj_u32(c, custom, keys[i], 512, 2u << 20, vals[i]));
			if (*vals[i] & (*vals[i] - 1))
				return vj_fail_at(c, keys[i], HVL_EXIT_INPUT, "'%u' is not a power of 2.", *vals[i]);
		}
		if (vj_has(custom, "discardGranularity")) {
			TRY(vj_u32(c, custom, "discardGranularity", 0, UINT32_MAX, &d->discard_granularity));
			d->discard_granularity_set = true;
		}
		if (d->logical_block_size == 0 || d->physical_block_size == 0)
			return vj_fail(c, HVL_EXIT_INPUT, "both logical and physical block sizes are required.");
		if (d->logical_block_size > d->physical_block_size)
			return vj_fail(c, HVL_EXIT_INPUT, "the logical block size %u is larger than the physical %u.",
				       d->logical_block_size, d->physical_block_size);
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}

/* disk.disk / disk.cdrom / disk.lun: the same shape with a few members each. */
static int parse_disk_target(struct vj_ctx *c, json_object *target, const char *key, struct vmi_disk *d)
{
	static const char *const trays[] = { "open", "closed" };
	bool present = false, ro = false;
	int bus = BUS_DEFAULT;
	size_t mark = vj_enter(c, key);

	TRY(vj_enum(c, target, "bus", bus_table, ENUM_N(bus_table), &bus, &present));
	d->bus = (enum vmi_bus)bus;
	if (d->device == DISK_DEVICE_CDROM) {
		TRY(vj_tristate(c, target, "readonly", &d->readonly));
		TRY(vj_enum_string(c, target, "tray", trays, ENUM_N(trays), &d->tray));
		if (d->bus == BUS_VIRTIO)
			return vj_fail_at(c, "bus", HVL_EXIT_INPUT, "'virtio' is not a valid bus for a CD-ROM; use sata, scsi or usb.");
	} else {
		TRY(vj_bool(c, target, "readonly", &ro));
		if (vj_has(target, "readonly"))
			d->readonly = ro ? TRI_TRUE : TRI_FALSE;
		if (ro && d->bus == BUS_SATA && d->device == DISK_DEVICE_DISK)
			return vj_fail_at(c, "readonly", HVL_EXIT_INPUT, "SATA hard disks cannot be read-only.");
	}
	if (d->device == DISK_DEVICE_DISK) {
		TRY(pci_address(c, target, "pciAddress", &d->pci_address));
		if (d->pci_address && d->bus != BUS_VIRTIO)
			return vj_fail_at(c, "pciAddress", HVL_EXIT_INPUT, "a PCI address needs the virtio bus.");
	}
	if (d->device == DISK_DEVICE_LUN)
		TRY(vj_bool(c, target, "reservation", &d->lun_reservation));
	vj_leave(c, mark);
	return 0;
}

static int parse_disk(struct vj_ctx *c, json_object *elem, void *item)
{
	static const char *const caches[] = { "none", "writethrough", "writeback" };
	static const char *const ios[] = { "native", "threads" };
	static const char *const policies[] = { "stop", "ignore", "report", "enospace" };
	static const struct {
		const char *key;
		enum vmi_disk_device device;
	} targets[] = { { "disk", DISK_DEVICE_DISK }, { "cdrom", DISK_DEVICE_CDROM }, { "lun", DISK_DEVICE_LUN } };
	struct vmi_disk *d = item;
	json_object *target = NULL;
	const char *target_key = NULL;

	TRY(required_name(c, elem, "name", NAME_LABEL, &d->name));
	for (size_t i = 0; i < ENUM_N(targets); i++) {
		json_object *o = NULL;
		TRY(vj_object(c, elem, targets[i].key, &o));
		if (o == NULL)
			continue;
		if (target)
			return vj_fail(c, HVL_EXIT_INPUT, "only one of %s and %s may be set.", target_key,
				       targets[i].key);
		target = o;
		target_key = targets[i].key;
		d->device = targets[i].device;
	}
	if (target)
		TRY(parse_disk_target(c, target, target_key, d));
	TRY(vj_u32(c, elem, "bootOrder", 1, UINT32_MAX, &d->boot_order));
	TRY(charset_string(c, elem, "serial", "_.+-", 256, &d->serial));
	TRY(vj_enum_string(c, elem, "cache", caches, ENUM_N(caches), &d->cache));
	TRY(vj_enum_string(c, elem, "io", ios, ENUM_N(ios), &d->io));
	TRY(vj_enum_string(c, elem, "errorPolicy", policies, ENUM_N(policies), &d->error_policy));
	TRY(vj_bool(c, elem, "shareable", &d->shareable));
	TRY(vj_bool(c, elem, "dedicatedIOThread", &d->dedicated_iothread));
	if (d->dedicated_iothread && d->bus != BUS_VIRTIO && d->bus != BUS_DEFAULT)
		return vj_fail_at(c, "dedicatedIOThread", HVL_EXIT_INPUT, "IOThreads need the virtio bus.");
	TRY(vj_string(c, elem, "tag", &d->tag));
	return parse_block_size(c, elem, d);
}

/* ---- volumes ------------------------------------------------------------------------ */

static int parse_container_disk(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	static const char *const pull[] = { "Always", "IfNotPresent", "Never" };

	TRY(required_string(c, o, "image", &v->image));
	TRY(absolute_path(c, o, "path", false, &v->image_path));
	return vj_enum_string(c, o, "imagePullPolicy", pull, ENUM_N(pull), &v->image_pull_policy);
}

static int parse_claim(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	TRY(required_name(c, o, "claimName", NAME_SUBDOMAIN, &v->claim_name));
	return vj_bool(c, o, "hotpluggable", &v->hotpluggable);
}

static int parse_data_volume(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	TRY(required_name(c, o, "name", NAME_SUBDOMAIN, &v->claim_name));
	return vj_bool(c, o, "hotpluggable", &v->hotpluggable);
}

static int parse_ephemeral(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	json_object *pvc = NULL;
	size_t mark;

	TRY(vj_object(c, o, "persistentVolumeClaim", &pvc));
	if (pvc == NULL)
		return vj_fail_at(c, "persistentVolumeClaim", HVL_EXIT_INPUT, "a claim is required.");
	mark = vj_enter(c, "persistentVolumeClaim");
	TRY(required_name(c, pvc, "claimName", NAME_SUBDOMAIN, &v->claim_name));
	vj_leave(c, mark);
	return 0;
}

static int parse_empty_disk(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	TRY(vj_bytes(c, o, "capacity", &v->capacity));
	if (v->capacity <= 0)
		return vj_fail_at(c, "capacity", HVL_EXIT_INPUT, "a capacity greater than zero is required.");
	return 0;
}

static int parse_host_disk(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	static const char *const types[] = { "Disk", "DiskOrCreate" };

	TRY(absolute_path(c, o, "path", true, &v->host_path));
	TRY(vj_enum_string(c, o, "type", types, ENUM_N(types), &v->host_disk_type));
	if (v->host_disk_type == NULL)
		return vj_fail_at(c, "type", HVL_EXIT_INPUT, "a type (Disk or DiskOrCreate) is required.");
	TRY(vj_bytes(c, o, "capacity", &v->capacity));
	if (strcmp(v->host_disk_type, "DiskOrCreate") == 0 && v->capacity <= 0)
		return vj_fail_at(c, "capacity", HVL_EXIT_INPUT, "type DiskOrCreate needs a capacity greater than zero.");
	return vj_bool(c, o, "shared", &v->host_disk_shared);
}

static int secret_ref(struct vj_ctx *c, json_object *o, const char *key, bool *present)
{
	json_object *ref = NULL;
	_cleanup_free_ char *name = NULL;
	size_t mark;

	TRY(vj_object(c, o, key, &ref));
	if (ref == NULL)
		return 0;
	mark = vj_enter(c, key);
	TRY(vj_string(c, ref, "name", &name));
	vj_leave(c, mark);
	*present = name != NULL;
	return 0;
}

/* Decoded length of standard, padded base64 (Go's StdEncoding, which skips CR and LF); -1 if malformed. */
static long base64_decoded_len(const char *s)
{
	size_t n = 0, pad = 0;

	for (; *s; s++) {
		if (*s == '\r' || *s == '\n')
			continue;
		if (*s == '=') {
			pad++;
		} else if (pad || !(isalnum((unsigned char)*s) || *s == '+' || *s == '/')) {
			return -1;
		}
		n++;
	}
	if (n % 4 != 0 || pad > 2)
		return -1;
	return (long)(n / 4 * 3 - pad);
}

/* KubeVirt caps inline cloud-init data (larger data belongs in a secret). */
#define CLOUD_INIT_MAX_LEN 2048

static int check_cloud_init_data(struct vj_ctx *c, json_object *o, const char *key, const char *text, bool base64)
{
	long len = text == NULL ? 0 : base64 ? base64_decoded_len(text) : (long)strlen(text);

	if (len < 0) {
		_cleanup_free_ char *shown = vj_show(vj_get(o, key));
		return vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' is not valid base64.", shown);
	}
	if (len > CLOUD_INIT_MAX_LEN)
		return vj_fail_at(c, key, HVL_EXIT_INPUT,
				  "%ld bytes exceed KubeVirt's limit of %d for inline data; use a secret instead.", len,
				  CLOUD_INIT_MAX_LEN);
	return 0;
}

static int parse_cloud_init(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	_cleanup_free_ char *user64 = NULL, *net64 = NULL;
	bool user_ref = false, net_ref = false;
	int n_user, n_net;

	TRY(vj_string(c, o, "userData", &v->user_data));
	TRY(vj_string(c, o, "userDataBase64", &user64));
	TRY(secret_ref(c, o, "secretRef", &user_ref));
	TRY(vj_string(c, o, "networkData", &v->network_data));
	TRY(vj_string(c, o, "networkDataBase64", &net64));
	TRY(secret_ref(c, o, "networkDataSecretRef", &net_ref));
	n_user = (v->user_data != NULL) + (user64 != NULL) + user_ref;
	n_net = (v->network_data != NULL) + (net64 != NULL) + net_ref;
	if (n_user > 1)
		return vj_fail(c, HVL_EXIT_INPUT, "only one of userData, userDataBase64 and secretRef may be set.");
	if (n_net > 1)
		return vj_fail(c, HVL_EXIT_INPUT,
			       "only one of networkData, networkDataBase64 and networkDataSecretRef may be set.");
	if (n_user + n_net == 0)
		return vj_fail(c, HVL_EXIT_INPUT, "user data or network data is required.");
	TRY(check_cloud_init_data(c, o, "userData", v->user_data, false));
	TRY(check_cloud_init_data(c, o, "userDataBase64", user64, true));
	TRY(check_cloud_init_data(c, o, "networkData", v->network_data, false));
	TRY(check_cloud_init_data(c, o, "networkDataBase64", net64, true));
	/* Base64 stays encoded here: the ISO is generated by virt-launcher, not from this model. */
	if (user64 && v->user_data == NULL)
		v->user_data = TAKE_PTR(user64);
	if (net64 && v->network_data == NULL)
		v->network_data = TAKE_PTR(net64);
	return 0;
}

static int parse_local_ref(struct vj_ctx *c, json_object *o, const char *key, char **out)
{
	return required_name(c, o, key, NAME_SUBDOMAIN, out);
}

static int parse_config_map(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	return parse_local_ref(c, o, "name", &v->source_name);
}

static int parse_secret(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	return parse_local_ref(c, o, "secretName", &v->source_name);
}

static int parse_service_account(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	return parse_local_ref(c, o, "serviceAccountName", &v->source_name);
}

static int parse_nothing(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	(void)c;
	(void)o;
	(void)v;
	return 0;
}

static int parse_sysprep(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	json_object *secret = NULL, *cm = NULL;
	size_t mark;

	TRY(vj_object(c, o, "secret", &secret));
	TRY(vj_object(c, o, "configMap", &cm));
	if ((secret == NULL) == (cm == NULL))
		return vj_fail(c, HVL_EXIT_INPUT, "exactly one of secret and configMap is required.");
	v->sysprep_secret = secret != NULL;
	mark = vj_enter(c, secret ? "secret" : "configMap");
	TRY(parse_local_ref(c, secret ? secret : cm, "name", &v->source_name));
	vj_leave(c, mark);
	return 0;
}

struct volume_source {
	const char *key;
	enum vmi_volume_type type;
	int (*parse)(struct vj_ctx *c, json_object *o, struct vmi_volume *v);
};

static const struct volume_source volume_sources[] = {
	{ "containerDisk", VOLUME_CONTAINER_DISK, parse_container_disk },
	{ "persistentVolumeClaim", VOLUME_PVC, parse_claim },
	{ "dataVolume", VOLUME_DATA_VOLUME, parse_data_volume },
	{ "ephemeral", VOLUME_EPHEMERAL, parse_ephemeral },
	{ "emptyDisk", VOLUME_EMPTY_DISK, parse_empty_disk },
	{ "hostDisk", VOLUME_HOST_DISK, parse_host_disk },
	{ "cloudInitNoCloud", VOLUME_CLOUD_INIT_NOCLOUD, parse_cloud_init },
	{ "cloudInitConfigDrive", VOLUME_CLOUD_INIT_CONFIG_DRIVE, parse_cloud_init },
	{ "configMap", VOLUME_CONFIG_MAP, parse_config_map },
	{ "secret", VOLUME_SECRET, parse_secret },
	{ "serviceAccount", VOLUME_SERVICE_ACCOUNT, parse_service_account },
	{ "downwardAPI", VOLUME_DOWNWARD_API, parse_nothing },
	{ "downwardMetrics", VOLUME_DOWNWARD_METRICS, parse_nothing },
	{ "sysprep", VOLUME_SYSPREP, parse_sysprep },
	{ "memoryDump", VOLUME_MEMORY_DUMP, parse_claim },
};

/* Valid KubeVirt volume sources that the model does not carry. */
static const char *const unsupported_volume_sources[] = { "containerPath" };

/*
 * The members of a volume that name a source, by index in volume_sources.  One pass over its few members (a name
 * and normally one source) instead of a lookup per known source: those lookups were a third of the parser's.
 * A null member counts as absent, as with vj_get.
 */
static void find_volume_sources(json_object *elem, json_object *found[ENUM_N(volume_sources)])
{
	json_object_object_foreach(elem, key, val)
	{
		if (json_object_is_type(val, json_type_null))
			continue;
		for (size_t i = 0; i < ENUM_N(volume_sources); i++) {
			if (strcmp(key, volume_sources[i].key) == 0) {
				found[i] = val;
				break;
			}
		}
	}
}

static int parse_volume(struct vj_ctx *c, json_object *elem, void *item)
{
	struct vmi_volume *v = item;
	const struct volume_source *src = NULL;
	json_object *src_obj = NULL, *found[ENUM_N(volume_sources)] = { NULL };

	TRY(required_name(c, elem, "name", NAME_LABEL, &v->name));
	v->capacity = -1;
	v->container_disk_index = -1;
	find_volume_sources(elem, found);
	for (size_t i = 0; i < ENUM_N(volume_sources); i++) {
		json_object *o = NULL;
		TRY(vj_object_value(c, volume_sources[i].key, found[i], &o));
		if (o == NULL)
			continue;
		if (src)
			return vj_fail(c, HVL_EXIT_INPUT, "only one volume source may be set, found %s and %s.", src->key,
				       volume_sources[i].key);
		src = &volume_sources[i];
		src_obj = o;
	}
	for (size_t i = 0; i < ENUM_N(unsupported_volume_sources); i++) {
		if (vj_has(elem, unsupported_volume_sources[i]))
			return vj_fail_at(c, unsupported_volume_sources[i], HVL_EXIT_UNSUPPORTED,
					  "%s volumes are not supported by hvl-launcher yet.",
					  unsupported_volume_sources[i]);
	}
	if (src == NULL) {
		/* A volume is a name and one source: any other key is a source from a newer KubeVirt. */
		json_object_object_foreach(elem, key, val)
		{
			(void)val;
			if (strcmp(key, "name") != 0)
				return vj_fail_at(c, key, HVL_EXIT_UNSUPPORTED,
						  "this volume source is not supported by hvl-launcher yet.");
		}
	}
	if (src == NULL)
		return vj_fail(c, HVL_EXIT_INPUT,
			       "volume '%s' has no source; expected one of containerDisk, persistentVolumeClaim, "
			       "dataVolume, ephemeral, emptyDisk, hostDisk, cloudInitNoCloud, cloudInitConfigDrive, "
			       "configMap, secret, serviceAccount, downwardAPI, downwardMetrics, sysprep or memoryDump.",
			       v->name);
	v->type = src->type;
	{
		size_t mark = vj_enter(c, src->key);
		TRY(src->parse(c, src_obj, v));
		vj_leave(c, mark);
	}
	return 0;
}

/* ---- interfaces and networks ---------------------------------------------------------- */

static int parse_port(struct vj_ctx *c, json_object *elem, void *item)
{
	static const char *const protocols[] = { "TCP", "UDP" };
	struct vmi_port *p = item;
	int64_t port = 0;
	bool present = false;

	TRY(vj_string(c, elem, "name", &p->name));
	if (p->name && !is_safe_name(p->name))
		return required_name(c, elem, "name", NAME_SAFE, &p->name);
	TRY(vj_enum_string(c, elem, "protocol", protocols, ENUM_N(protocols), &p->protocol));
	TRY(vj_i64(c, elem, "port", 1, 65535, &port, &present));
	if (!present)
		return vj_fail_at(c, "port", HVL_EXIT_INPUT, "a port number is required.");
	p->port = (int)port;
	return 0;
}

static const char *const iface_models[] = { "e1000", "e1000e", "igb", "ne2k_pci", "pcnet", "rtl8139", "virtio" };

static int parse_binding(struct vj_ctx *c, json_object *elem, struct vmi_interface *i)
{
	static const struct {
		const char *key;
		enum vmi_iface_binding binding;
	} bindings[] = {
		{ "bridge", IFACE_BRIDGE },	     { "masquerade", IFACE_MASQUERADE },
		{ "sriov", IFACE_SRIOV },	     { "passtBinding", IFACE_PASST },
		{ "passt", IFACE_PASST },	     { "binding", IFACE_BINDING_PLUGIN },
	};
	static const char *const removed[] = { "slirp", "macvtap" };
	const char *found = NULL;

	for (size_t k = 0; k < ENUM_N(removed); k++) {
		if (vj_has(elem, removed[k]))
			return vj_fail_at(c, removed[k], HVL_EXIT_UNSUPPORTED,
					  "the %s binding was removed from KubeVirt and is not supported by hvl-launcher.",
					  removed[k]);
	}
	for (size_t k = 0; k < ENUM_N(bindings); k++) {
		json_object *o = NULL;
		TRY(vj_object(c, elem, bindings[k].key, &o));
		if (o == NULL)
			continue;
		if (found)
			return vj_fail(c, HVL_EXIT_INPUT, "only one binding may be set, found %s and %s.", found,
				       bindings[k].key);
		found = bindings[k].key;
		i->binding = bindings[k].binding;
		if (i->binding == IFACE_BINDING_PLUGIN) {
			size_t mark = vj_enter(c, "binding");
			TRY(required_name(c, o, "name", NAME_SAFE, &i->binding_plugin));
			vj_leave(c, mark);
		}
	}
	if (found == NULL)
		return vj_fail(c, HVL_EXIT_INPUT,
			       "interface '%s' has no binding; expected one of bridge, masquerade, sriov, passtBinding or "
			       "binding.",
			       i->name);
	return 0;
}

static int parse_interface(struct vj_ctx *c, json_object *elem, void *item)
{
	static const char *const states[] = { "up", "down", "absent" };
	struct vmi_interface *i = item;
	_cleanup_free_ char *shown = NULL;

	TRY(required_name(c, elem, "name", NAME_SAFE, &i->name));
	TRY(parse_binding(c, elem, i));
	TRY(vj_enum_string(c, elem, "model", iface_models, ENUM_N(iface_models), &i->model));
	TRY(vj_string(c, elem, "macAddress", &i->mac_address));
	if (i->mac_address) {
		char mac[18];
		if (!normalise_mac_address(i->mac_address, mac)) {
			shown = vj_show(vj_get(elem, "macAddress"));
			return vj_fail_at(c, "macAddress", HVL_EXIT_INPUT,
					  "'%s' is not a MAC address such as 02:00:00:00:00:01.", shown);
		}
		free(i->mac_address);
		i->mac_address = xstrdup(mac);
	}
	TRY(pci_address(c, elem, "pciAddress", &i->pci_address));
	TRY(vj_u32(c, elem, "bootOrder", 1, UINT32_MAX, &i->boot_order));
	TRY(vj_enum_string(c, elem, "state", states, ENUM_N(states), &i->state));
	/* ACPI index: 1..16383 per the PCI firmware spec (0 means unset). */
	TRY(vj_u32(c, elem, "acpiIndex", 0, 16383, &i->acpi_index));
	return parse_list(c, elem, "ports", sizeof(struct vmi_port), parse_port, (void **)&i->ports, &i->n_ports);
}

static int parse_network(struct vj_ctx *c, json_object *elem, void *item)
{
	struct vmi_network *n = item;
	json_object *pod = NULL, *multus = NULL;
	size_t mark;

	TRY(required_name(c, elem, "name", NAME_SAFE, &n->name));
	if (vj_has(elem, "resourceClaim"))
		return vj_fail_at(c, "resourceClaim", HVL_EXIT_UNSUPPORTED,
				  "networks from resource claims are not supported by hvl-launcher yet.");
	TRY(vj_object(c, elem, "pod", &pod));
	TRY(vj_object(c, elem, "multus", &multus));
	if (pod && multus)
		return vj_fail(c, HVL_EXIT_INPUT, "only one of pod and multus may be set.");
	if (!pod && !multus)
		return vj_fail(c, HVL_EXIT_INPUT, "network '%s' has no source; expected pod or multus.", n->name);
	if (pod) {
		n->type = NETWORK_POD;
		mark = vj_enter(c, "pod");
		TRY(charset_string(c, pod, "vmNetworkCIDR", "./", 64, &n->vm_network_cidr));
		TRY(charset_string(c, pod, "vmIPv6NetworkCIDR", ":./", 64, &n->vm_ipv6_network_cidr));
	} else {
		n->type = NETWORK_MULTUS;
		mark = vj_enter(c, "multus");
		TRY(required_string(c, multus, "networkName", &n->multus_network_name));
		TRY(vj_bool(c, multus, "default", &n->multus_default));
	}
	vj_leave(c, mark);
	return 0;
}

/* ---- other devices ---------------------------------------------------------------------- */

static int parse_gpu(struct vj_ctx *c, json_object *elem, void *item)
{
	struct vmi_gpu *g = item;
	json_object *opts = NULL, *display = NULL;
	struct vmi_feature_state ramfb = { 0 };

	TRY(required_name(c, elem, "name", NAME_SAFE, &g->name));
	TRY(vj_string(c, elem, "deviceName", &g->device_name));
	TRY(vj_string(c, elem, "claimName", &g->claim_name));
	TRY(vj_string(c, elem, "requestName", &g->request_name));
	if (g->device_name == NULL && g->claim_name == NULL)
		return vj_fail_at(c, "deviceName", HVL_EXIT_INPUT, "a device name (or a DRA claimName) is required.");
	TRY(vj_string(c, elem, "tag", &g->tag));
	TRY(vj_object(c, elem, "virtualGPUOptions", &opts));
	if (opts) {
		size_t mark = vj_enter(c, "virtualGPUOptions");
		TRY(vj_object(c, opts, "display", &display));
		if (display) {
			size_t m = vj_enter(c, "display");
			g->display_set = true;
			TRY(vj_tristate(c, display, "enabled", &g->display_enabled));
			TRY(parse_feature_state(c, display, "ramFB", &ramfb));
			if (ramfb.set)
				g->ramfb = ramfb.enabled == TRI_FALSE ? TRI_FALSE : TRI_TRUE;
			vj_leave(c, m);
		}
		vj_leave(c, mark);
	}
	return 0;
}

static int parse_host_device(struct vj_ctx *c, json_object *elem, void *item)
{
	struct vmi_host_device *h = item;

	TRY(required_name(c, elem, "name", NAME_SAFE, &h->name));
	TRY(vj_string(c, elem, "deviceName", &h->device_name));
	TRY(vj_string(c, elem, "claimName", &h->claim_name));
	TRY(vj_string(c, elem, "requestName", &h->request_name));
	if (h->device_name == NULL && h->claim_name == NULL)
		return vj_fail_at(c, "deviceName", HVL_EXIT_INPUT, "a device name (or a DRA claimName) is required.");
	return vj_string(c, elem, "tag", &h->tag);
}

static int parse_input(struct vj_ctx *c, json_object *elem, void *item)
{
	static const char *const types[] = { "tablet", "keyboard" };
	static const char *const buses[] = { "usb", "virtio" };
	struct vmi_input *in = item;

	TRY(required_name(c, elem, "name", NAME_SAFE, &in->name));
	TRY(vj_enum_string(c, elem, "type", types, ENUM_N(types), &in->type));
	return vj_enum_string(c, elem, "bus", buses, ENUM_N(buses), &in->bus);
}

static int parse_filesystem(struct vj_ctx *c, json_object *elem, void *item)
{
	struct vmi_filesystem *f = item;
	json_object *vfs = NULL;

	TRY(required_name(c, elem, "name", NAME_LABEL, &f->name));
	TRY(vj_object(c, elem, "virtiofs", &vfs));
	if (vfs == NULL)
		return vj_fail_at(c, "virtiofs", HVL_EXIT_INPUT, "a filesystem needs virtiofs: {}.");
	return 0;
}

static int parse_panic_device(struct vj_ctx *c, json_object *elem, void *item)
{
	static const char *const models[] = { "hyperv", "isa", "pvpanic" };
	char **model = item;

	return vj_enum_string(c, elem, "model", models, ENUM_N(models), model);
}

static int parse_watchdog(struct vj_ctx *c, json_object *devs, struct vmi_devices *d)
{
	static const char *const actions[] = { "poweroff", "reset", "shutdown" };
	static const char *const models[] = { "i6300esb", "diag288" };
	json_object *wd = NULL;
	size_t mark;

	TRY(vj_object(c, devs, "watchdog", &wd));
	if (wd == NULL)
		return 0;
	d->has_watchdog = true;
	mark = vj_enter(c, "watchdog");
	TRY(required_name(c, wd, "name", NAME_SAFE, &d->watchdog_name));
	for (size_t i = 0; i < ENUM_N(models); i++) {
		json_object *o = NULL;
		TRY(vj_object(c, wd, models[i], &o));
		if (o == NULL)
			continue;
		if (d->watchdog_model)
			return vj_fail(c, HVL_EXIT_INPUT, "only one of i6300esb and diag288 may be set.");
		d->watchdog_model = xstrdup(models[i]);
		size_t m = vj_enter(c, models[i]);
		TRY(vj_enum_string(c, o, "action", actions, ENUM_N(actions), &d->watchdog_action));
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}

static int parse_small_devices(struct vj_ctx *c, json_object *devs, struct vmi_devices *d)
{
	static const char *const sound_models[] = { "ich9", "ac97" };
	json_object *o = NULL;
	size_t mark;

	TRY(vj_object(c, devs, "tpm", &o));
	if (o) {
		enum tristate enabled = TRI_UNSET;
		mark = vj_enter(c, "tpm");
		TRY(vj_tristate(c, o, "enabled", &enabled));
		TRY(vj_bool(c, o, "persistent", &d->tpm_persistent));
		d->has_tpm = enabled != TRI_FALSE;
		vj_leave(c, mark);
	}
	o = NULL;
	TRY(vj_object(c, devs, "sound", &o));
	if (o) {
		d->has_sound = true;
		mark = vj_enter(c, "sound");
		TRY(required_name(c, o, "name", NAME_SAFE, &d->sound_name));
		TRY(vj_enum_string(c, o, "model", sound_models, ENUM_N(sound_models), &d->sound_model));
		vj_leave(c, mark);
	}
	o = NULL;
	TRY(vj_object(c, devs, "video", &o));
	if (o) {
		static const char *const types[] = { "vga", "cirrus", "virtio", "ramfb", "bochs" };
		mark = vj_enter(c, "video");
		TRY(vj_enum_string(c, o, "type", types, ENUM_N(types), &d->video_type));
		vj_leave(c, mark);
	}
	o = NULL;
	TRY(vj_object(c, devs, "rng", &o));
	d->rng = o != NULL;
	o = NULL;
	TRY(vj_object(c, devs, "downwardMetrics", &o));
	d->downward_metrics_device = o != NULL;
	o = NULL;
	TRY(vj_object(c, devs, "clientPassthrough", &o));
	d->client_passthrough = o != NULL;
	/* KubeVirt attaches a fixed number of USB redirection devices for client passthrough. */
	d->client_passthrough_usb = o ? 4 : 0;
	return 0;
}

static const char *const device_keys[] = {
	"useVirtioTransitional",
	"disableHotplug",
	"disks",
	"watchdog",
	"interfaces",
	"inputs",
	"autoattachPodInterface",
	"autoattachGraphicsDevice",
	"autoattachSerialConsole",
	"logSerialConsole",
	"autoattachMemBalloon",
	"autoattachInputDevice",
	"autoattachVSOCK",
	"rng",
	"blockMultiQueue",
	"networkInterfaceMultiqueue",
	"gpus",
	"downwardMetrics",
	"panicDevices",
	"filesystems",
	"hostDevices",
	"clientPassthrough",
	"sound",
	"tpm",
	"video",
};

static int parse_devices(struct vj_ctx *c, json_object *domain, struct vmi *vmi)
{
	struct vmi_devices *d = &vmi->devices;
	json_object *devs = NULL;
	size_t mark;

	TRY(vj_object(c, domain, "devices", &devs));
	if (devs == NULL)
		return 0;
	mark = vj_enter(c, "devices");
	TRY(reject_unknown_keys(c, devs, device_keys, ENUM_N(device_keys), "the device kind"));
	TRY(vj_bool(c, devs, "useVirtioTransitional", &d->use_virtio_transitional));
	TRY(vj_bool(c, devs, "disableHotplug", &d->disable_hotplug));
	TRY(vj_tristate(c, devs, "autoattachPodInterface", &d->autoattach_pod_interface));
	TRY(vj_tristate(c, devs, "autoattachGraphicsDevice", &d->autoattach_graphics));
	TRY(vj_tristate(c, devs, "autoattachSerialConsole", &d->autoattach_serial_console));
	TRY(vj_tristate(c, devs, "logSerialConsole", &d->log_serial_console));
	TRY(vj_tristate(c, devs, "autoattachMemBalloon", &d->autoattach_memballoon));
	TRY(vj_tristate(c, devs, "autoattachInputDevice", &d->autoattach_input_device));
	TRY(vj_tristate(c, devs, "autoattachVSOCK", &d->autoattach_vsock));
	TRY(vj_bool(c, devs, "blockMultiQueue", &d->block_multiqueue));
	TRY(vj_bool(c, devs, "networkInterfaceMultiqueue", &d->network_interface_multiqueue));
	TRY(parse_list(c, devs, "disks", sizeof(struct vmi_disk), parse_disk, (void **)&d->disks, &d->n_disks));
	TRY(parse_list(c, devs, "interfaces", sizeof(struct vmi_interface), parse_interface, (void **)&d->interfaces,
		       &d->n_interfaces));
	TRY(parse_list(c, devs, "inputs", sizeof(struct vmi_input), parse_input, (void **)&d->inputs, &d->n_inputs));
	TRY(parse_list(c, devs, "gpus", sizeof(struct vmi_gpu), parse_gpu, (void **)&d->gpus, &d->n_gpus));
	TRY(parse_list(c, devs, "hostDevices", sizeof(struct vmi_host_device), parse_host_device,
		       (void **)&d->host_devices, &d->n_host_devices));
	TRY(parse_list(c, devs, "filesystems", sizeof(struct vmi_filesystem), parse_filesystem,
		       (void **)&d->filesystems, &d->n_filesystems));
	TRY(parse_list(c, devs, "panicDevices", sizeof(char *), parse_panic_device, (void **)&d->panic_models,
		       &d->n_panic_models));
	TRY(parse_watchdog(c, devs, d));
	TRY(parse_small_devices(c, devs, d));
	vj_leave(c, mark);
	return 0;
}

/* ---- domain-level odds and ends ----------------------------------------------------- */

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

/* Only exec probes cost memory (overhead); the rest is virt-handler's business. */
static int parse_probe(struct vj_ctx *c, json_object *spec, const char *key, bool *exec)
{
	json_object *probe = NULL, *e = NULL;
	size_t mark;

	TRY(vj_object(c, spec, key, &probe));
	if (probe == NULL)
		return 0;
	mark = vj_enter(c, key);
	TRY(vj_object(c, probe, "exec", &e));
	*exec = e != NULL;
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
	TRY(parse_probe(c, spec, "livenessProbe", &vmi->probes.liveness_exec));
	TRY(parse_probe(c, spec, "readinessProbe", &vmi->probes.readiness_exec));
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

/* infoSource is a ", "-separated list (network/vmispec/infosource.go). */
static bool info_source_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		const char *end = strstr(p, ", ");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p = end ? end + 2 : NULL;
	}
	return false;
}

/* status.interfaces[]: which interfaces Multus has attached (what SR-IOV hostdevs wait for). */
static int parse_status_interfaces(struct vj_ctx *c, json_object *status, struct vmi *vmi)
{
	json_object *arr = NULL;
	size_t n = 0;

	TRY(vj_array(c, status, "interfaces", VMI_MAX_LIST, &arr, &n));
	for (size_t i = 0; i < n; i++) {
		json_object *elem = json_object_array_get_idx(arr, i);
		_cleanup_free_ char *name = NULL, *sources = NULL;
		size_t m = vj_enter(c, "interfaces");
		size_t m2 = vj_index(c, i);
		TRY(vj_expect_object(c, elem));
		TRY(vj_string(c, elem, "name", &name));
		TRY(vj_string(c, elem, "infoSource", &sources));
		vj_leave(c, m2);
		vj_leave(c, m);
		if (name == NULL || !info_source_has(sources, "multus-status"))
			continue;
		for (size_t j = 0; j < vmi->devices.n_interfaces; j++)
			if (str_equal(vmi->devices.interfaces[j].name, name))
				vmi->devices.interfaces[j].status_multus = true;
	}
	return 0;
}

static int parse_volume_status(struct vj_ctx *c, json_object *elem, void *item)
{
	struct vmi_volume_status *vs = item;

	TRY(vj_string(c, elem, "name", &vs->name));
	TRY(vj_string(c, elem, "target", &vs->target));
	if (vs->target) {
		size_t n = strlen(vs->target), letters = 0;
		while (letters < n && vs->target[letters] >= 'a' && vs->target[letters] <= 'z')
			letters++;
		/* It becomes <target dev=>: a device name such as vda or sdab. */
		if (n < 3 || n > 8 || letters != n) {
			_cleanup_free_ char *shown = vj_show(vj_get(elem, "target"));
			return vj_fail_at(c, "target", HVL_EXIT_INPUT, "'%s' is not a disk device name such as vda or sdb.",
					  shown);
		}
	}
	TRY(vj_string(c, elem, "phase", &vs->phase));
	vs->hotplug = vj_has(elem, "hotplugVolume") && vj_get(elem, "hotplugVolume") &&
		      !json_object_is_type(vj_get(elem, "hotplugVolume"), json_type_null);
	return 0;
}

static int parse_status(struct vj_ctx *c, json_object *status, struct vmi *vmi)
{
	json_object *hints = NULL;
	size_t mark;

	if (status == NULL)
		return 0;
	mark = vj_enter(c, "status");
	TRY(vj_expect_object(c, status));
	if (vj_has(status, "runtimeUser")) {
		TRY(vj_u32(c, status, "runtimeUser", 0, UINT32_MAX - 1, &vmi->runtime_user));
		vmi->runtime_user_set = true;
	}
	/* CIDs 0-2 are reserved (hypervisor, local, host). */
	TRY(vj_u32(c, status, "VSOCKCID", 3, UINT32_MAX - 1, &vmi->vsock_cid));
	TRY(parse_status_interfaces(c, status, vmi));
	TRY(parse_list(c, status, "volumeStatus", sizeof(struct vmi_volume_status), parse_volume_status,
		       (void **)&vmi->volume_status, &vmi->n_volume_status));
	TRY(vj_object(c, status, "topologyHints", &hints));
	if (hints) {
		size_t m = vj_enter(c, "topologyHints");
		TRY(vj_i64(c, hints, "tscFrequency", 1, INT64_MAX / 2, &vmi->tsc_frequency, NULL));
		vj_leave(c, m);
	}
	vj_leave(c, mark);
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

/* Line and column of byte offset `off`, for syntax errors. */
static void position(const char *json, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (json[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* The input need not be NUL-terminated: never look past len. */
static bool only_space(const char *json, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!strchr(" \t\r\n", json[i]) || json[i] == '\0')
			return false;
	}
	return true;
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

static int parse_json(const char *json, size_t len, const char *source, json_object **out, hvl_error **err)
{
	struct json_tokener *tok;
	json_object *root;
	enum json_tokener_error jerr;
	size_t end, line, col, bad_at;
	const char *bad;

	if (len > VMI_MAX_INPUT_BYTES)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The VMI %s is larger than the limit of %u bytes.", source,
				     VMI_MAX_INPUT_BYTES);
	if (len > INT32_MAX)
		return hvl_error_set(err, HVL_EXIT_INPUT, "The VMI %s is too large.", source);
	tok = take_tokener();
	if (tok == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot allocate a JSON parser.");
	root = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	give_back_tokener(tok, jerr == json_tokener_success);

	if (jerr == json_tokener_continue || (jerr == json_tokener_success && root == NULL && len == 0))
		return hvl_error_set(err, HVL_EXIT_INPUT, "The VMI %s is not valid JSON: the document is %s.", source,
				     only_space(json, len) ? "empty" : "truncated");
	if (jerr != json_tokener_success) {
		position(json, end, &line, &col);
		if (jerr == json_tokener_error_depth)
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "The VMI %s is nested more than %d levels deep (line %zu, column %zu).",
					     source, VMI_MAX_DEPTH, line, col);
		if (looks_like_yaml(json, len))
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "The VMI %s is not JSON (it looks like YAML); pass a single JSON object: "
					     "convert YAML with e.g. `yq -o=json FILE`, or take `kubectl get vmi NAME -o json`.",
					     source);
		return hvl_error_set(err, HVL_EXIT_INPUT, "The VMI %s is not valid JSON: %s at line %zu, column %zu.",
				     source, json_tokener_error_desc(jerr), line, col);
	}
	/* json-c lets overlong forms and encoded surrogates through; the domain XML must not get them. */
	bad = vj_utf8_invalid(json, len, &bad_at);
	if (bad) {
		json_object_put(root);
		position(json, bad_at, &line, &col);
		return hvl_error_set(err, HVL_EXIT_INPUT, "The VMI %s is not valid UTF-8: %s at line %zu, column %zu.",
				     source, bad, line, col);
	}
	for (size_t i = end; i < len; i++) {
		if (!strchr(" \t\r\n", json[i]) || json[i] == '\0') {
			json_object_put(root);
			position(json, i, &line, &col);
			return hvl_error_set(err, HVL_EXIT_INPUT,
					     "The VMI %s is not valid JSON: unexpected data after the document at line "
					     "%zu, column %zu.",
					     source, line, col);
		}
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
