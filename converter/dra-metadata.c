/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KEP-5304 DRA device metadata files (dra-metadata.h), read as KubeVirt
 * main's pkg/dra/utils.go reads them (resolveClaimMetadata,
 * readMetadataFromDir, decodeMetadataFromStream, resolveDevice,
 * GetMDevUUIDForClaim, GetPCIAddressForClaim).
 *
 * What differs, and why:
 *  - Go's decoder matches struct fields case-insensitively; the keys are
 *    matched exactly here (the kubelet writes them as the API spells them).
 *    Attribute names are matched exactly in both.
 *  - Links are not followed below DRA_METADATA_DIR, and only a regular file
 *    is read (of at most DRA_METADATA_MAX_BYTES): the files are CDI bind
 *    mounts, so a link or a FIFO there is not the kubelet's.  The names in
 *    the path are RFC 1123 labels and subdomains (vmi-parse-dra.c), so none
 *    can climb out of the directory.
 *  - Strings may not carry control characters (they may end up in messages).
 */
#include "dra-metadata.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "util.h"
#include "vmi-json.h"

#define TRY(expr)                    \
	do {                         \
		if ((expr) < 0)      \
			return -1;   \
	} while (0)

#define METADATA_SUFFIX "-metadata.json"
#define SHOWN_NAMES 4 /* request or file names listed in a message */

void dra_device_clear(struct dra_device *d)
{
	free(d->pci_bus_id);
	free(d->mdev_uuid);
	*d = (struct dra_device){ 0 };
}

/* ---- the stream ------------------------------------------------------------------------------ */

/* resourcev1.DeviceAttribute: {"int": n} | {"bool": b} | {"string": s} | {"version": s}; *str is the string. */
static int check_attribute(struct vj_ctx *c, json_object *attrs, const char *name, char **str)
{
	json_object *a = NULL;
	_cleanup_free_ char *version = NULL;
	bool b = false;
	size_t mark;

	TRY(vj_object(c, attrs, name, &a));
	if (a == NULL)
		return 0;
	mark = vj_enter(c, name);
	json_object *n = vj_get(a, "int");
	if (n && !json_object_is_type(n, json_type_int)) {
		_cleanup_free_ char *shown = vj_show(n);
		return vj_fail_at(c, "int", HVL_EXIT_INPUT, "expected an integer, got '%s'.", shown);
	}
	TRY(vj_bool(c, a, "bool", &b));
	TRY(vj_string(c, a, "string", str));
	TRY(vj_string(c, a, "version", &version));
	vj_leave(c, mark);
	return 0;
}

/* One requests[].devices[] entry, typed as Go's metadata.Device; the two attributes KubeVirt reads go to *d. */
static int check_device(struct vj_ctx *c, json_object *dev, struct dra_device *d)
{
	static const char *const strings[] = { "driver", "pool", "name" };
	json_object *attrs = NULL, *net = NULL;

	TRY(vj_expect_object(c, dev));
	for (size_t i = 0; i < HVL_ARRAY_SIZE(strings); i++) {
		_cleanup_free_ char *s = NULL;
		TRY(vj_string(c, dev, strings[i], &s));
	}
	TRY(vj_object(c, dev, "networkData", &net));
	TRY(vj_object(c, dev, "attributes", &attrs));
	if (attrs == NULL)
		return 0;
	size_t mark = vj_enter(c, "attributes");
	json_object_object_foreach(attrs, key, val)
	{
		char **keep = strcmp(key, DRA_ATTR_PCI_BUS_ID) == 0  ? &d->pci_bus_id
			      : strcmp(key, DRA_ATTR_MDEV_UUID) == 0 ? &d->mdev_uuid
								     : NULL;
		_cleanup_free_ char *ignored = NULL;
		(void)val;
		TRY(check_attribute(c, attrs, key, keep ? keep : &ignored));
	}
	vj_leave(c, mark);
	return 0;
}

/* A message listing the names of the requests, quoted, at most SHOWN_NAMES of them. */
static char *request_names(json_object *requests, size_t n)
{
	char *out = xstrdup("");

	for (size_t i = 0; i < n && i <= SHOWN_NAMES; i++) {
		json_object *name = vj_get(json_object_array_get_idx(requests, i), "name");
		_cleanup_free_ char *shown = i == SHOWN_NAMES ? xstrdup("...") : vj_show(name);
		char *next = xasprintf("%s%s%s%s%s", out, i ? ", " : "", i == SHOWN_NAMES ? "" : "'", shown,
				       i == SHOWN_NAMES ? "" : "'");
		free(out);
		out = next;
	}
	return out;
}

/*
 * The requests of the supported object, typed as Go decodes them into metadata.DeviceMetadata (a value of the
 * wrong type anywhere fails the whole file); *found is the first request named `request`, and the attributes
 * of its first device go to *dev.
 */
static int check_requests(struct vj_ctx *c, json_object *requests, size_t n, const char *request, json_object **found,
			  size_t *n_found, struct dra_device *dev)
{
	size_t mark = vj_enter(c, "requests");

	for (size_t i = 0; i < n; i++) {
		json_object *rq = json_object_array_get_idx(requests, i), *devices = NULL;
		_cleanup_free_ char *name = NULL;
		size_t n_devices = 0, m = vj_index(c, i);
		TRY(vj_expect_object(c, rq));
		TRY(vj_string(c, rq, "name", &name));
		TRY(vj_array(c, rq, "devices", VMI_MAX_LIST, &devices, &n_devices));
		bool wanted = *found == NULL && str_equal(name, request);
		size_t dmark = vj_enter(c, "devices");
		for (size_t j = 0; j < n_devices; j++) {
			struct dra_device scratch = { 0 };
			size_t dm = vj_index(c, j);
			int r =
			    check_device(c, json_object_array_get_idx(devices, j), wanted && j == 0 ? dev : &scratch);
			dra_device_clear(&scratch);
			TRY(r);
			vj_leave(c, dm);
		}
		vj_leave(c, dmark);
		if (wanted) {
			*found = rq;
			*n_found = n_devices;
		}
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}

static int check_object(json_object *md, const char *request, json_object **requests, size_t *n_requests,
			json_object **found, size_t *n_found, struct dra_device *dev, hvl_error **err)
{
	static const char *const strings[] = { "kind", "podClaimName" };
	json_object *meta = NULL;
	struct vj_ctx c;

	vj_init(&c, "", err);
	for (size_t i = 0; i < HVL_ARRAY_SIZE(strings); i++) {
		_cleanup_free_ char *s = NULL;
		TRY(vj_string(&c, md, strings[i], &s));
	}
	TRY(vj_object(&c, md, "metadata", &meta));
	TRY(vj_array(&c, md, "requests", VMI_MAX_LIST, requests, n_requests));
	return check_requests(&c, *requests, *n_requests, request, found, n_found, dev);
}

/* The supported object: resolveDevice (the request, exactly one device) and the attributes KubeVirt reads. */
static int read_object(json_object *md, const char *file, const char *request, struct dra_device *out, hvl_error **err)
{
	json_object *requests = NULL, *found = NULL;
	size_t n_requests = 0, n_found = 0;
	struct dra_device dev = { 0 };
	int r;

	r = check_object(md, request, &requests, &n_requests, &found, &n_found, &dev, err);
	if (r < 0) {
		hvl_error_wrap(err, "the DRA metadata file '%s'", file);
	} else if (found == NULL) {
		_cleanup_free_ char *names = request_names(requests, n_requests);
		r = hvl_error_set(err, HVL_EXIT_INPUT, "the DRA metadata file '%s' has no request '%s' (%s%s).", file,
				  request, n_requests ? "its requests: " : "it has no requests", names);
	} else if (n_found != 1) {
		r = hvl_error_set(
		    err, HVL_EXIT_INPUT,
		    "the DRA metadata file '%s' gives request '%s' %zu devices; KubeVirt needs exactly one "
		    "device per request.",
		    file, request, n_found);
	} else if (dev.mdev_uuid == NULL && dev.pci_bus_id == NULL) {
		r = hvl_error_set(
		    err, HVL_EXIT_INPUT,
		    "the DRA metadata file '%s' gives the device of request '%s' neither an mdevUUID nor a "
		    "resource.kubernetes.io/pciBusID attribute with a string value.",
		    file, request);
	}
	if (r < 0) {
		dra_device_clear(&dev);
		return -1;
	}
	*out = dev;
	return 0;
}

static size_t skip_space(const char *data, size_t len, size_t pos)
{
	while (pos < len && strchr(" \t\r\n", data[pos]) && data[pos] != '\0')
		pos++;
	return pos;
}

/* The next value of the stream at *pos, advancing *pos past it; NULL at the end of the stream. */
static int next_value(struct json_tokener *tok, const char *data, size_t len, size_t *pos, const char *file,
		      size_t index, json_object **out, hvl_error **err)
{
	size_t start = skip_space(data, len, *pos);
	enum json_tokener_error jerr;
	json_object *v;

	*out = NULL;
	*pos = start;
	if (start == len)
		return 0;
	json_tokener_reset(tok);
	v = json_tokener_parse_ex(tok, data + start, (int)(len - start));
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		/* A number ends only where something follows it: the end of the file does. */
		v = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		*pos = len;
	} else {
		*pos = start + json_tokener_get_parse_end(tok);
	}
	if (jerr != json_tokener_success || v == NULL) {
		json_object_put(v);
		return hvl_error_set(
		    err, HVL_EXIT_INPUT,
		    "the DRA metadata file '%s' is not a stream of JSON objects: value %zu, from byte %zu, "
		    "is not valid JSON (%s).",
		    file, index, start, json_tokener_error_desc(jerr));
	}
	*out = v;
	return 0;
}

/* decodeMetadataFromStream: the first object of a supported apiVersion; others are skipped, and named if none is. */
static int decode_stream(struct json_tokener *tok, const char *data, size_t len, const char *file, const char *request,
			 struct dra_device *out, hvl_error **err)
{
	_cleanup_free_ char *unknown = xstrdup("");
	size_t pos = 0, index = 0, n_unknown = 0;

	for (;; index++) {
		json_object *v = NULL;
		TRY(next_value(tok, data, len, &pos, file, index, &v, err));
		if (v == NULL)
			break;
		json_object *api = json_object_is_type(v, json_type_object) ? vj_get(v, "apiVersion") : NULL;
		int r = 0;
		if (!json_object_is_type(v, json_type_object))
			r = hvl_error_set(err, HVL_EXIT_INPUT,
					  "the DRA metadata file '%s': value %zu of the stream is not a JSON object.",
					  file, index);
		else if (api == NULL ||
			 (json_object_is_type(api, json_type_string) && json_object_get_string_len(api) == 0))
			r = hvl_error_set(err, HVL_EXIT_INPUT,
					  "the DRA metadata file '%s': object %zu of the stream has no apiVersion.",
					  file, index);
		else if (!json_object_is_type(api, json_type_string)) {
			_cleanup_free_ char *shown = vj_show(api);
			r = hvl_error_set(
			    err, HVL_EXIT_INPUT,
			    "the DRA metadata file '%s': object %zu of the stream has the apiVersion '%s', "
			    "which is not a string.",
			    file, index, shown);
		} else if (strcmp(json_object_get_string(api), DRA_METADATA_API_VERSION) == 0) {
			r = read_object(v, file, request, out, err);
			json_object_put(v);
			return r;
		} else if (n_unknown++ <= SHOWN_NAMES) {
			_cleanup_free_ char *shown = vj_show(api);
			char *next = n_unknown > SHOWN_NAMES ? xasprintf("%s, ...", unknown)
							     : xasprintf("%s%s'%s'", unknown, *unknown ? ", " : "", shown);
			free(unknown);
			unknown = next;
		}
		json_object_put(v);
		if (r < 0)
			return -1;
	}
	if (index == 0)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "the DRA metadata file '%s' is empty: it holds no metadata object.", file);
	return hvl_error_set(
	    err, HVL_EXIT_INPUT,
	    "the DRA metadata file '%s' holds no object of the version metadata.resource.k8s.io/v1alpha1"
	    " KubeVirt reads (its versions: %s).",
	    file, unknown);
}

int dra_metadata_parse(const char *data, size_t len, const char *file, const char *request, struct dra_device *out,
		       hvl_error **err)
{
	const char *nul = memchr(data, '\0', len);
	struct json_tokener *tok;
	int r;

	if (nul)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "the DRA metadata file '%s' contains a NUL byte (at byte %zu).", file,
				     (size_t)(nul - data));
	if (len > INT32_MAX)
		return hvl_error_set(err, HVL_EXIT_INPUT, "the DRA metadata file '%s' is too large.", file);
	tok = json_tokener_new_ex(VMI_MAX_DEPTH);
	if (tok == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "Cannot allocate a JSON parser.");
	/* Strict JSON, as Go's; trailing characters are the stream's next object. */
	json_tokener_set_flags(tok,
			       JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS | JSON_TOKENER_VALIDATE_UTF8);
	r = decode_stream(tok, data, len, file, request, out, err);
	json_tokener_free(tok);
	return r;
}

/* ---- the directory ------------------------------------------------------------------------------ */

/* <root>DRA_METADATA_DIR, and below it the request's directory (the kind of claim, its name, the request). */
static char *base_dir(const char *root)
{
	size_t len;

	if (root == NULL || *root == '\0')
		root = "/";
	len = strlen(root);
	while (len > 0 && root[len - 1] == '/')
		len--;
	return xasprintf("%.*s" DRA_METADATA_DIR, (int)len, root);
}

static char *request_subdir(const struct vmi_resource_claim *rc, const char *request)
{
	if (rc->resource_claim_name)
		return xasprintf("resourceclaims/%s/%s", rc->resource_claim_name, request);
	return xasprintf("resourceclaimtemplates/%s/%s", rc->name, request);
}

char *dra_metadata_dir(const char *root, const struct vmi_resource_claim *rc, const char *request)
{
	_cleanup_free_ char *base = base_dir(root);
	_cleanup_free_ char *sub = request_subdir(rc, request);

	return xasprintf("%s/%s", base, sub);
}

/*
 * Walk from base down through sub without following links.  Returns the request directory's fd, -2 when a
 * component does not exist, -1 on error.  The base itself is opened as the system resolves it (/var/run is
 * usually a link to /run).
 */
static int open_request_dir(const char *base, const char *sub, hvl_error **err)
{
	_cleanup_close_ int fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		return -2;
	if (fd < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INPUT, errno,
					   "the DRA metadata directory '%s' cannot be opened", base);
	for (const char *c = sub; *c;) {
		size_t n = strcspn(c, "/");
		_cleanup_free_ char *name = xstrndup(c, n);
		int next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			int saved = errno;
			_cleanup_free_ char *shown = xasprintf("%s/%.*s", base, (int)(c - sub + n), sub);
			struct stat st;
			if (saved == ENOENT)
				return -2;
			/* O_NOFOLLOW with O_DIRECTORY says ENOTDIR or ELOOP for a link, depending on the kernel. */
			if ((saved == ELOOP || saved == ENOTDIR) && fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				return hvl_error_set(err, HVL_EXIT_INPUT,
						     "'%s' is a symbolic link; links below "
						     "/var/run/kubernetes.io/dra-device-attributes are not followed.",
						     shown);
			return hvl_error_set_errno(err, HVL_EXIT_INPUT, saved,
						   "the DRA metadata directory '%s' cannot be opened", shown);
		}
		close(fd);
		fd = next;
		c += n;
		c += *c == '/';
	}
	return TAKE_FD(fd);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the *-metadata.json entries of the directory fd (taken), sorted as Go's Glob sorts them. */
static int metadata_files(int fd, const char *dir, char ***names, size_t *n, hvl_error **err)
{
	DIR *d = fdopendir(fd);
	size_t suffix = strlen(METADATA_SUFFIX);
	struct dirent *e;

	*names = NULL;
	*n = 0;
	if (d == NULL) {
		int saved = errno;
		close(fd);
		return hvl_error_set_errno(err, HVL_EXIT_INPUT, saved, "the DRA metadata directory '%s' cannot be read",
					   dir);
	}
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len >= suffix && strcmp(e->d_name + len - suffix, METADATA_SUFFIX) == 0) {
			strv_push(names, e->d_name);
			(*n)++;
		}
		errno = 0;
	}
	int saved = errno;
	closedir(d);
	if (saved) {
		strv_free(*names);
		*names = NULL;
		return hvl_error_set_errno(err, HVL_EXIT_INPUT, saved, "the DRA metadata directory '%s' cannot be read",
					   dir);
	}
	if (*n > 1)
		qsort(*names, *n, sizeof(char *), compare_names);
	return 0;
}

static char *file_list(char *const *names, size_t n)
{
	char *out = xstrdup("");

	for (size_t i = 0; i < n && i <= SHOWN_NAMES; i++) {
		char *next =
		    i == SHOWN_NAMES ? xasprintf("%s, ...", out) : xasprintf("%s%s'%s'", out, i ? ", " : "", names[i]);
		free(out);
		out = next;
	}
	return out;
}

/* readMetadataFromDir: exactly one file ("KubeVirt only supports exactly one driver per request"). */
static int the_file(const char *root, const struct vmi_resource_claim *rc, const char *request, char **path,
		    hvl_error **err)
{
	_cleanup_free_ char *base = base_dir(root);
	_cleanup_free_ char *sub = request_subdir(rc, request);
	_cleanup_free_ char *dir = xasprintf("%s/%s", base, sub);
	_cleanup_strv_ char **names = NULL;
	struct stat st;
	size_t n = 0;
	int fd = open_request_dir(base, sub, err);

	if (fd == -2)
		return 0;
	if (fd < 0)
		return -1;
	TRY(metadata_files(fd, dir, &names, &n, err));
	if (n == 0)
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "the DRA metadata directory '%s' holds no *-metadata.json"
				     " file (the DRA driver writes "
				     "one when it prepares the device).",
				     dir);
	if (n > 1) {
		_cleanup_free_ char *list = file_list(names, n);
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "the DRA metadata directory '%s' holds %zu *-metadata.json"
				     " files (%s); KubeVirt "
				     "supports exactly one driver per request.",
				     dir, n, list);
	}
	_cleanup_free_ char *file = xasprintf("%s/%s", dir, names[0]);
	if (lstat(file, &st) < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INPUT, errno, "Cannot open the DRA metadata file '%s'", file);
	if (S_ISLNK(st.st_mode))
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "'%s' is a symbolic link; links below "
				     "/var/run/kubernetes.io/dra-device-attributes are not followed.",
				     file);
	if (!S_ISREG(st.st_mode))
		return hvl_error_set(err, HVL_EXIT_INPUT, "the DRA metadata file '%s' is not a regular file.", file);
	*path = TAKE_PTR(file);
	return 1;
}

int dra_metadata_read(const char *root, const struct vmi_resource_claim *rc, const char *request, char **file,
		      struct dra_device *out, hvl_error **err)
{
	_cleanup_free_ char *path = NULL, *data = NULL;
	size_t len = 0;
	int r = the_file(root, rc, request, &path, err);

	if (r <= 0)
		return r;
	TRY(read_file(path, DRA_METADATA_MAX_BYTES, "DRA metadata file", &data, &len, err));
	TRY(dra_metadata_parse(data, len, path, request, out, err));
	*file = TAKE_PTR(path);
	return 1;
}
