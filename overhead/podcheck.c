/* SPDX-License-Identifier: Apache-2.0 */
#include "podcheck.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* cgroup v1 reports "no limit" as PAGE_COUNTER_MAX pages in bytes (about 2^63); anything this large is no limit. */
#define V1_UNLIMITED_FLOOR ((int64_t)1 << 62)
/* A limit file holds one number; anything longer is not one. */
#define LIMIT_FILE_MAX 64

const char *podcheck_source_name(enum podcheck_source source)
{
	switch (source) {
	case PODCHECK_SOURCE_CGROUP_V2:
		return "cgroup v2";
	case PODCHECK_SOURCE_CGROUP_V1:
		return "cgroup v1";
	default:
		return "none";
	}
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Read a small control file; ENOENT is not an error (*text stays NULL). */
static int read_control(const char *path, char **text, hvl_error **err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[LIMIT_FILE_MAX + 1];
	ssize_t n;

	*text = NULL;
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot open the memory limit file %s", path);
	}
	do
		n = read(fd, buf, LIMIT_FILE_MAX);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot read the memory limit file %s", path);
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	*text = xstrdup(buf);
	return 0;
}

/* "max" (v2 only) is -1; otherwise a non-negative decimal byte count. */
static int parse_limit(const char *path, const char *text, bool allow_max, int64_t *limit, hvl_error **err)
{
	char *end = NULL;
	long long v;

	if (allow_max && strcmp(text, "max") == 0) {
		*limit = -1;
		return 0;
	}
	errno = 0;
	v = strtoll(text, &end, 10);
	if (!isdigit((unsigned char)text[0]) || *end != '\0' || errno == ERANGE)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "%s: '%s' is not a memory limit in bytes%s.", path, text,
				     allow_max ? " or 'max'" : "");
	*limit = v >= V1_UNLIMITED_FLOOR ? -1 : (int64_t)v;
	return 0;
}

int podcheck_read_limit(const char *cgroup_root, int64_t *limit, enum podcheck_source *source, char **path,
			hvl_error **err)
{
	const char *root = cgroup_root ? cgroup_root : PODCHECK_DEFAULT_CGROUP_ROOT;
	_cleanup_free_ char *controllers = xasprintf("%s/cgroup.controllers", root);
	bool v2 = exists(controllers);
	_cleanup_free_ char *file = xasprintf(v2 ? "%s/memory.max" : "%s/memory/memory.limit_in_bytes", root);
	_cleanup_free_ char *text = NULL;
	int64_t value = -1;

	if (read_control(file, &text, err) < 0)
		return -1;
	if (text == NULL) {
		/* No controller file: the v2 root cgroup, or a v1 host without the memory controller. */
		*limit = -1;
		*source = PODCHECK_SOURCE_NONE;
		*path = NULL;
		return 0;
	}
	if (parse_limit(file, text, v2, &value, err) < 0)
		return -1;
	*limit = value;
	*source = v2 ? PODCHECK_SOURCE_CGROUP_V2 : PODCHECK_SOURCE_CGROUP_V1;
	*path = TAKE_PTR(file);
	return 0;
}

int podcheck_check(const char *cgroup_root, int64_t guest, bool hugepages, int64_t overhead,
		   struct podcheck_result *out, hvl_error **err)
{
	struct podcheck_result r = {.overhead = overhead, .hugepages = hugepages};

	if (guest < 0 || overhead < 0)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "podcheck: negative size (guest %lld, overhead %lld).",
				     (long long)guest, (long long)overhead);
	r.guest = hugepages ? 0 : guest;
	if (__builtin_add_overflow(r.guest, overhead, &r.needed))
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "podcheck: guest memory plus overhead overflows 64 bits.");
	if (podcheck_read_limit(cgroup_root, &r.limit, &r.source, &r.path, err) < 0)
		return hvl_error_wrap(err, "Cannot check the pod's memory limit");
	r.too_small = r.limit >= 0 && r.limit < r.needed;
	*out = r;
	return 0;
}

/* The guest RAM as the domain will size it: memory.guest, else the limit without a request, else the request. */
static int64_t guest_memory(const struct vmi *vmi)
{
	if (vmi->memory.guest > 0)
		return vmi->memory.guest;
	if (vmi->resources.request_memory <= 0 && vmi->resources.limit_memory > 0)
		return vmi->resources.limit_memory;
	return vmi->resources.request_memory > 0 ? vmi->resources.request_memory : 0;
}

int podcheck_run(const char *cgroup_root, const struct vmi *vmi, int64_t overhead, struct podcheck_result *out,
		 hvl_error **err)
{
	return podcheck_check(cgroup_root, guest_memory(vmi), vmi->memory.hugepages_size != NULL, overhead, out, err);
}

static double mib(int64_t bytes)
{
	return (double)bytes / (1 << 20);
}

char *podcheck_warning(const struct podcheck_result *r)
{
	if (!r->too_small)
		return NULL;
	if (r->hugepages)
		return xasprintf("The pod's memory limit is %.1f MiB (%s), below the %.1f MiB of KubeVirt's estimated "
				 "overhead (the guest's hugepages are charged apart): the launcher or QEMU may be "
				 "OOM-killed. Raise the compute container's memory limit to at least %lld bytes.",
				 mib(r->limit), r->path, mib(r->needed), (long long)r->needed);
	return xasprintf(
	    "The pod's memory limit is %.1f MiB (%s), but the VM needs %.1f MiB: %.1f MiB of guest memory "
	    "plus %.1f MiB of KubeVirt's estimated overhead. QEMU or the launcher may be OOM-killed; raise "
	    "the compute container's memory limit to at least %lld bytes, or lower "
	    "spec.domain.memory.guest.",
	    mib(r->limit), r->path, mib(r->needed), mib(r->guest), mib(r->overhead), (long long)r->needed);
}

void podcheck_result_clear(struct podcheck_result *r)
{
	free(r->path);
	r->path = NULL;
}
