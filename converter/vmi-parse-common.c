/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The field checks every part of the VMI parser shares (vmi-parse-internal.h):
 * names that end up in file paths (RFC 1123 labels and subdomains), absolute
 * paths, required and restricted strings, PCI addresses, unknown keys that
 * would change the VM, KubeVirt's FeatureState, and lists.
 */
#include <ctype.h>
#include <string.h>

#include "util.h"
#include "vmi-parse-internal.h"

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
bool is_dns_label(const char *s)
{
	size_t n = strlen(s);

	return n <= 63 && is_label_text(s, n);
}

/*
 * RFC 1123 subdomain as Kubernetes' IsDNS1123Subdomain checks it (object
 * names): at most 253 characters of dot-separated labels.  Unlike a lone
 * label, a part has no 63-character limit there.
 */
bool is_dns_subdomain(const char *s)
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
bool is_safe_name(const char *s)
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

int required_name(struct vj_ctx *c, json_object *obj, const char *key, enum name_rule rule, char **out)
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
int absolute_path(struct vj_ctx *c, json_object *obj, const char *key, bool required, char **out)
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

int required_string(struct vj_ctx *c, json_object *obj, const char *key, char **out)
{
	TRY(vj_string(c, obj, key, out));
	if (*out == NULL)
		return vj_fail_at(c, key, HVL_EXIT_INPUT, "a value is required.");
	return 0;
}

/* Strings restricted to a character set, e.g. disk serials [A-Za-z0-9_.+-]. */
int charset_string(struct vj_ctx *c, json_object *obj, const char *key, const char *extra, size_t max,
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

/* PCI address "DDDD:BB:DD.F" (hex, the function 0-7), as KubeVirt's hwutil.ParsePciAddress accepts. */
static bool is_pci_address(const char *s)
{
	static const char shape[] = "xxxx:xx:xx.f";

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++) {
		bool ok = shape[i] == 'x' ? isxdigit((unsigned char)s[i]) != 0
			  : shape[i] == 'f' ? s[i] >= '0' && s[i] <= '7'
					    : s[i] == shape[i];
		if (!ok)
			return false;
	}
	return true;
}

int parse_pci_address(struct vj_ctx *c, json_object *obj, const char *key, char **out)
{
	_cleanup_free_ char *shown = NULL;

	TRY(vj_string(c, obj, key, out));
	if (*out == NULL || is_pci_address(*out))
		return 0;
	shown = vj_show(vj_get(obj, key));
	return vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' is not a PCI address of the form 0000:00:00.0.", shown);
}

/* Reject keys of obj not in `known`, as unsupported: used where an unknown key would change the VM. */
int reject_unknown_keys(struct vj_ctx *c, json_object *obj, const char *const *known, size_t n,
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
int parse_feature_state(struct vj_ctx *c, json_object *obj, const char *key, struct vmi_feature_state *fs)
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

int parse_list(struct vj_ctx *c, json_object *obj, const char *key, size_t item_size, elem_fn fn, void **items,
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
