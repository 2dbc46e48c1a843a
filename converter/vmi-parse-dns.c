/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec.dnsPolicy and spec.dnsConfig: the pod's DNS, not the domain's, so nothing is kept; KubeVirt's admission
 * refuses what Kubernetes would (vmi-create-admitter.go validateDNSPolicy and validatePodDNSConfig, copies of
 * Kubernetes' pod validation), so do we.
 */
#include <arpa/inet.h>
#include <string.h>

#include "vmi-parse-internal.h"

#define MAX_NAMESERVERS 3
#define MAX_SEARCHES 6
#define MAX_SEARCH_CHARS 256 /* the search list joined with spaces */

/* Go's net.ParseIP: an IPv4 or IPv6 address, no zone, no prefix. */
static bool is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* Each element of obj[key], a string, checked by ok; *n its count and *chars the length of the list joined. */
static int string_list(struct vj_ctx *c, json_object *obj, const char *key, bool (*ok)(const char *),
		       const char *what, size_t *n, size_t *chars)
{
	json_object *arr = NULL;

	*n = *chars = 0;
	TRY(vj_array(c, obj, key, VMI_MAX_LIST, &arr, n));
	for (size_t i = 0; i < *n; i++) {
		json_object *item = json_object_array_get_idx(arr, i);
		size_t mark = vj_enter(c, key);
		vj_index(c, i);
		if (item == NULL || !json_object_is_type(item, json_type_string)) {
			_cleanup_free_ char *shown = vj_show(item);
			return vj_fail(c, HVL_EXIT_INPUT, "expected a string, got '%s'.", shown);
		}
		if (!ok(json_object_get_string(item)))
			return vj_fail(c, HVL_EXIT_INPUT, "'%s' is not %s.", json_object_get_string(item), what);
		*chars += (i ? 1 : 0) + strlen(json_object_get_string(item));
		vj_leave(c, mark);
	}
	return 0;
}

static int parse_options(struct vj_ctx *c, json_object *config)
{
	json_object *arr = NULL;
	size_t n = 0;

	TRY(vj_array(c, config, "options", VMI_MAX_LIST, &arr, &n));
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		_cleanup_free_ char *name = NULL;
		size_t mark = vj_enter(c, "options");
		vj_index(c, i);
		TRY(vj_expect_object(c, o));
		TRY(vj_string(c, o, "name", &name));
		if (name == NULL)
			return vj_fail_at(c, "name", HVL_EXIT_INPUT, "a DNS option needs a name.");
		vj_leave(c, mark);
	}
	return 0;
}

static int parse_config(struct vj_ctx *c, json_object *config, size_t *nameservers)
{
	size_t n, chars;

	TRY(string_list(c, config, "nameservers", is_ip, "an IP address", nameservers, &chars));
	if (*nameservers > MAX_NAMESERVERS)
		return vj_fail_at(c, "nameservers", HVL_EXIT_INPUT, "%zu nameservers; at most %d are allowed.",
				  *nameservers, MAX_NAMESERVERS);
	TRY(string_list(c, config, "searches", is_dns_subdomain, "a DNS subdomain (RFC 1123)", &n, &chars));
	if (n > MAX_SEARCHES)
		return vj_fail_at(c, "searches", HVL_EXIT_INPUT, "%zu search domains; at most %d are allowed.", n,
				  MAX_SEARCHES);
	if (chars > MAX_SEARCH_CHARS)
		return vj_fail_at(c, "searches", HVL_EXIT_INPUT,
				  "the search list is %zu characters long (with the spaces between); at most %d are "
				  "allowed.",
				  chars, MAX_SEARCH_CHARS);
	return parse_options(c, config);
}

int parse_dns(struct vj_ctx *c, json_object *spec)
{
	static const char *const policies[] = { "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None" };
	_cleanup_free_ char *policy = NULL;
	json_object *config = NULL;
	size_t nameservers = 0, mark;

	TRY(vj_enum_string(c, spec, "dnsPolicy", policies, ENUM_N(policies), &policy));
	TRY(vj_object(c, spec, "dnsConfig", &config));
	if (config) {
		mark = vj_enter(c, "dnsConfig");
		TRY(parse_config(c, config, &nameservers));
		vj_leave(c, mark);
	}
	if (policy && strcmp(policy, "None") == 0 && config == NULL)
		return vj_fail_at(c, "dnsConfig", HVL_EXIT_INPUT,
				  "dnsPolicy 'None' needs a dnsConfig with at least one nameserver.");
	if (policy && strcmp(policy, "None") == 0 && nameservers == 0)
		return vj_fail_at(c, "dnsConfig", HVL_EXIT_INPUT,
				  "dnsPolicy 'None' needs at least one nameserver in dnsConfig.nameservers.");
	return 0;
}
