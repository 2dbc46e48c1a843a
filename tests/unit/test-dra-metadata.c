/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KEP-5304 DRA metadata files (converter/dra-metadata.c), as KubeVirt main's pkg/dra/utils.go reads them:
 * the stream's first object of a supported version, the request's one device and its two attributes, every
 * way a file can be wrong, and the lookup below the pod root (direct and template claims, exactly one file,
 * no links, regular files only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dra-metadata.h"
#include "fileio.h"
#include "util.h"

#define V1 "\"apiVersion\":\"metadata.resource.k8s.io/v1alpha1\",\"kind\":\"DeviceMetadata\""
#define PCI_ATTR "\"resource.kubernetes.io/pciBusID\":{\"string\":\"0000:65:00.0\"}"
#define MDEV_ATTR "\"mdevUUID\":{\"string\":\"aa618089-8b16-4d01-a136-25a0f3c73123\"}"
/* One request "pgpu" with one device whose attributes are ATTRS. */
#define ONE(attrs)                                                                                                     \
	"{" V1 ",\"metadata\":{\"name\":\"claim-x\"},\"podClaimName\":\"pgpu-claim\",\"requests\":[{\"name\":"         \
	"\"pgpu\",\"devices\":[{\"driver\":\"gpu.nvidia.com\",\"pool\":\"node01\",\"name\":\"gpu-0\","                 \
	"\"attributes\":{" attrs "}}]}]}"

static int parse(const char *text, struct dra_device *out, hvl_error **err)
{
	return dra_metadata_parse(text, strlen(text), "F", "pgpu", out, err);
}

static void expect_ok(const char *text, const char *pci, const char *mdev)
{
	struct dra_device d = { 0 };
	hvl_error *err = NULL;

	if (parse(text, &d, &err) < 0)
		fail_msg("unexpected error: %s\nfor: %s", err->msg, text);
	if (!str_equal(d.pci_bus_id, pci) || !str_equal(d.mdev_uuid, mdev))
		fail_msg("pci '%s' mdev '%s', expected '%s' '%s', for: %s", d.pci_bus_id ? d.pci_bus_id : "(null)",
			 d.mdev_uuid ? d.mdev_uuid : "(null)", pci ? pci : "(null)", mdev ? mdev : "(null)", text);
	dra_device_clear(&d);
}

/* The parse fails with exactly `msg` and leaves the output as it was. */
static void expect_error(const char *text, const char *msg)
{
	struct dra_device d = { 0 };
	hvl_error *err = NULL;

	if (parse(text, &d, &err) == 0) {
		dra_device_clear(&d);
		fail_msg("accepted: %s", text);
	}
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	if (strcmp(err->msg, msg) != 0)
		fail_msg("message\n  %s\nexpected\n  %s\nfor: %s", err->msg, msg, text);
	assert_null(d.pci_bus_id);
	assert_null(d.mdev_uuid);
	hvl_error_free(&err);
}

static void test_pgpu_and_vgpu(void **state)
{
	(void)state;
	expect_ok(ONE(PCI_ATTR), "0000:65:00.0", NULL);
	expect_ok(ONE(MDEV_ATTR), NULL, "aa618089-8b16-4d01-a136-25a0f3c73123");
	/* A vGPU carries its parent's pciBusID too: both are reported, the domain builder prefers the mdev. */
	expect_ok(ONE(MDEV_ATTR "," PCI_ATTR), "0000:65:00.0", "aa618089-8b16-4d01-a136-25a0f3c73123");
	/* Other attributes, of every type, are read past; unknown members are ignored as Go ignores them. */
	expect_ok(ONE("\"numaNode\":{\"int\":1},\"virtual\":{\"bool\":false},\"driverVersion\":{\"version\":\"1.2.3\"},"
		      "\"productName\":{\"string\":\"Tesla T4\"}," PCI_ATTR ",\"future\":{\"list\":[1]}"),
		  "0000:65:00.0", NULL);
	/* The attribute names are matched exactly: mDevUUID is v1.7's status field, not a metadata attribute. */
	expect_error(ONE("\"mDevUUID\":{\"string\":\"aa618089-8b16-4d01-a136-25a0f3c73123\"}"),
		     "the DRA metadata file 'F' gives the device of request 'pgpu' neither an mdevUUID nor a "
		     "resource.kubernetes.io/pciBusID attribute with a string value.");
}

static void test_stream(void **state)
{
	(void)state;
	/* Newest first: an unknown version is skipped, the first supported object wins. */
	expect_ok(
	    "{\"apiVersion\":\"metadata.resource.k8s.io/v1beta1\",\"requests\":{\"not\":\"v1alpha1's shape\"}}\n" ONE(
		PCI_ATTR) "\n" ONE(MDEV_ATTR),
	    "0000:65:00.0", NULL);
	/* Decoding stops at the supported object: what follows it is never read (Go's decoder does the same). */
	expect_ok(ONE(PCI_ATTR) " {not json", "0000:65:00.0", NULL);
	expect_ok("  \r\n\t" ONE(PCI_ATTR) "\n\n", "0000:65:00.0", NULL);
	expect_error("{\"apiVersion\":\"metadata.resource.k8s.io/v2\"}{\"apiVersion\":\"x/v9\"}",
		     "the DRA metadata file 'F' holds no object of the version metadata.resource.k8s.io/v1alpha1 KubeVirt "
		     "reads (its versions: 'metadata.resource.k8s.io/v2', 'x/v9').");
	expect_error("{\"apiVersion\":\"a/v1\"}{\"apiVersion\":\"b/v1\"}{\"apiVersion\":\"c/v1\"}{\"apiVersion\":\"d/v1\"}"
		     "{\"apiVersion\":\"e/v1\"}{\"apiVersion\":\"f/v1\"}",
		     "the DRA metadata file 'F' holds no object of the version metadata.resource.k8s.io/v1alpha1 KubeVirt "
		     "reads (its versions: 'a/v1', 'b/v1', 'c/v1', 'd/v1', ...).");
	expect_error("", "the DRA metadata file 'F' is empty: it holds no metadata object.");
	expect_error(" \n\t ", "the DRA metadata file 'F' is empty: it holds no metadata object.");
	/* An object without apiVersion is fatal, even after an unknown one ("missing apiVersion"). */
	expect_error("{\"apiVersion\":\"x/v9\"}{\"kind\":\"DeviceMetadata\"}",
		     "the DRA metadata file 'F': object 1 of the stream has no apiVersion.");
	expect_error("{\"apiVersion\":\"\"}", "the DRA metadata file 'F': object 0 of the stream has no apiVersion.");
	expect_error("{\"apiVersion\":null}", "the DRA metadata file 'F': object 0 of the stream has no apiVersion.");
	expect_error("{\"apiVersion\":2}",
		     "the DRA metadata file 'F': object 0 of the stream has the apiVersion '2', which is not a string.");
	expect_error("[" ONE(PCI_ATTR) "]", "the DRA metadata file 'F': value 0 of the stream is not a JSON object.");
	expect_error("\"text\"", "the DRA metadata file 'F': value 0 of the stream is not a JSON object.");
	expect_error("5", "the DRA metadata file 'F': value 0 of the stream is not a JSON object.");
	expect_error("{\"apiVersion\":\"x/v9\"} 42 ",
		     "the DRA metadata file 'F': value 1 of the stream is not a JSON object.");
	expect_error("{\"apiVersion\":", "the DRA metadata file 'F' is not a stream of JSON objects: value 0, from byte 0, "
					 "is not valid JSON (unexpected end of data).");
	expect_error("{\"apiVersion\":\"x/v9\"}\n{\"a\" 1}",
		     "the DRA metadata file 'F' is not a stream of JSON objects: value 1, from byte 22, is not valid JSON "
		     "(object property name separator ':' expected).");
}

static void test_requests_and_devices(void **state)
{
	(void)state;
	expect_error("{" V1 ",\"requests\":[{\"name\":\"vgpu\",\"devices\":[]},{\"name\":\"other\"}]}",
		     "the DRA metadata file 'F' has no request 'pgpu' (its requests: 'vgpu', 'other').");
	expect_error("{" V1 ",\"requests\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"},{\"name\":\"d\"},"
		     "{\"name\":\"e\"},{\"name\":\"f\"}]}",
		     "the DRA metadata file 'F' has no request 'pgpu' (its requests: 'a', 'b', 'c', 'd', ...).");
	expect_error("{" V1 "}", "the DRA metadata file 'F' has no request 'pgpu' (it has no requests).");
	expect_error(
	    "{" V1 ",\"requests\":[{\"name\":\"pgpu\",\"devices\":[]}]}",
	    "the DRA metadata file 'F' gives request 'pgpu' 0 devices; KubeVirt needs exactly one device per request.");
	expect_error(
	    "{" V1 ",\"requests\":[{\"name\":\"pgpu\"}]}",
	    "the DRA metadata file 'F' gives request 'pgpu' 0 devices; KubeVirt needs exactly one device per request.");
	expect_error(
	    "{" V1 ",\"requests\":[{\"name\":\"pgpu\",\"devices\":[{\"name\":\"a\",\"attributes\":{" PCI_ATTR
	    "}},{\"name\":\"b\"}]}]}",
	    "the DRA metadata file 'F' gives request 'pgpu' 2 devices; KubeVirt needs exactly one device per request.");
	/* The first request of the name counts. */
	expect_ok("{" V1 ",\"requests\":[{\"name\":\"pgpu\",\"devices\":[{\"attributes\":{" PCI_ATTR
		  "}}]},{\"name\":\"pgpu\",\"devices\":[]}]}",
		  "0000:65:00.0", NULL);
}

static void test_attributes(void **state)
{
	static const char neither[] = "the DRA metadata file 'F' gives the device of request 'pgpu' neither an mdevUUID "
				      "nor a resource.kubernetes.io/pciBusID attribute with a string value.";

	(void)state;
	expect_error(ONE(""), neither);
	expect_error("{" V1 ",\"requests\":[{\"name\":\"pgpu\",\"devices\":[{\"name\":\"gpu-0\"}]}]}", neither);
	/* Only a non-empty string value counts (GetPCIAddressForClaim, GetMDevUUIDForClaim). */
	expect_error(ONE("\"resource.kubernetes.io/pciBusID\":{\"string\":\"\"}"), neither);
	expect_error(ONE("\"resource.kubernetes.io/pciBusID\":{\"int\":101}"), neither);
	expect_error(ONE("\"mdevUUID\":{\"version\":\"1.0.0\"}"), neither);
	expect_error(ONE("\"mdevUUID\":{}"), neither);
	/* An empty mdevUUID leaves the pciBusID. */
	expect_ok(ONE("\"mdevUUID\":{\"string\":\"\"}," PCI_ATTR), "0000:65:00.0", NULL);
	/* The values are passed on unchecked here; the domain builder checks their form. */
	expect_ok(ONE("\"resource.kubernetes.io/pciBusID\":{\"string\":\"65:00.0\"}"), "65:00.0", NULL);
}

/* Go decodes the whole object into typed structs: a wrong type anywhere in it fails the file. */
static void test_types(void **state)
{
	(void)state;
	expect_error("{" V1 ",\"requests\":{}}", "the DRA metadata file 'F': requests: expected a list, got an object.");
	expect_error("{" V1 ",\"kind\":7,\"requests\":[]}",
		     "the DRA metadata file 'F': kind: expected a string, got the number '7'.");
	expect_error("{" V1 ",\"metadata\":[],\"requests\":[]}",
		     "the DRA metadata file 'F': metadata: expected an object, got a list.");
	expect_error("{" V1 ",\"podClaimName\":true}",
		     "the DRA metadata file 'F': podClaimName: expected a string, got the boolean 'true'.");
	expect_error("{" V1 ",\"requests\":[7]}",
		     "the DRA metadata file 'F': requests[0]: expected an object, got the number '7'.");
	expect_error("{" V1 ",\"requests\":[{\"name\":1}]}",
		     "the DRA metadata file 'F': requests[0].name: expected a string, got the number '1'.");
	expect_error(ONE("\"mdevUUID\":{\"string\":5}"),
		     "the DRA metadata file 'F': requests[0].devices[0].attributes.mdevUUID.string: expected a string, got "
		     "the number '5'.");
	expect_error(
	    ONE("\"numaNode\":{\"int\":\"1\"}"),
	    "the DRA metadata file 'F': requests[0].devices[0].attributes.numaNode.int: expected an integer, got '1'.");
	expect_error(
	    ONE("\"numaNode\":{\"int\":1.5}"),
	    "the DRA metadata file 'F': requests[0].devices[0].attributes.numaNode.int: expected an integer, got '1.5'.");
	expect_error(ONE("\"virtual\":{\"bool\":\"no\"}"),
		     "the DRA metadata file 'F': requests[0].devices[0].attributes.virtual.bool: expected true or false, "
		     "got the string 'no'.");
	expect_error(ONE("\"x\":[]"),
		     "the DRA metadata file 'F': requests[0].devices[0].attributes.x: expected an object, got a list.");
	/* ... in another request than the one asked for too. */
	expect_error(
	    "{" V1 ",\"requests\":[{\"name\":\"pgpu\",\"devices\":[{\"attributes\":{" PCI_ATTR
	    "}}]},{\"name\":\"other\",\"devices\":[{\"driver\":false}]}]}",
	    "the DRA metadata file 'F': requests[1].devices[0].driver: expected a string, got the boolean 'false'.");
	expect_error(
	    "{" V1 ",\"requests\":[{\"name\":\"pgpu\",\"devices\":[{\"networkData\":1," PCI_ATTR "}]}]}",
	    "the DRA metadata file 'F': requests[0].devices[0].networkData: expected an object, got the number '1'.");
	/* A control character cannot reach a message or the domain. */
	expect_error(ONE("\"mdevUUID\":{\"string\":\"a\\u0007b\"}"),
		     "the DRA metadata file 'F': requests[0].devices[0].attributes.mdevUUID.string: 'a\\x07b' contains the "
		     "control character \\x07.");
}

static void test_bytes(void **state)
{
	static const char with_nul[] = "{\"apiVersion\":\0\"x\"}";
	struct dra_device d = { 0 };
	hvl_error *err = NULL;

	(void)state;
	assert_int_equal(dra_metadata_parse(with_nul, sizeof(with_nul) - 1, "F", "pgpu", &d, &err), -1);
	assert_string_equal(err->msg, "the DRA metadata file 'F' contains a NUL byte (at byte 14).");
	hvl_error_free(&err);
	expect_error(
	    "{\"apiVersion\":\"\xc3\x28\"}",
	    "the DRA metadata file 'F' is not a stream of JSON objects: value 0, from byte 0, is not valid JSON (invalid "
	    "utf-8 string).");
}

/* ---- the lookup below the pod root ---------------------------------------------------------------- */

struct root {
	char path[64];
};

static void write_text(const char *path, const char *text)
{
	hvl_error *err = NULL;

	if (write_file_atomic(path, text, strlen(text), 0644, &err) < 0)
		fail_msg("%s", err->msg);
}

static void make_dirs(const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);

	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(copy, 0755);
		*p = '/';
	}
	mkdir(copy, 0755);
}

static int setup_root(void **state)
{
	struct root *r = xcalloc(1, sizeof(*r));

	snprintf(r->path, sizeof(r->path), "/tmp/hvl-dra-XXXXXX");
	if (mkdtemp(r->path) == NULL)
		return -1;
	*state = r;
	return 0;
}

static int teardown_root(void **state)
{
	struct root *r = *state;
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", r->path);

	if (system(cmd) != 0)
		return -1;
	free(r);
	return 0;
}

static const struct vmi_resource_claim template_claim = { "pgpu-claim", NULL, "pgpu-tmpl" };
static const struct vmi_resource_claim direct_claim = { "vgpu-claim", "my-vgpu", NULL };

static void test_paths(void **state)
{
	_cleanup_free_ char *t = dra_metadata_dir("/r//", &template_claim, "pgpu");
	_cleanup_free_ char *d = dra_metadata_dir(NULL, &direct_claim, "vgpu");
	_cleanup_free_ char *slash = dra_metadata_dir("/", &direct_claim, "vgpu");

	(void)state;
	/* A template's claim is found by its pod-local name; a direct one by the ResourceClaim's name. */
	assert_string_equal(t, "/r/var/run/kubernetes.io/dra-device-attributes/resourceclaimtemplates/pgpu-claim/pgpu");
	assert_string_equal(d, "/var/run/kubernetes.io/dra-device-attributes/resourceclaims/my-vgpu/vgpu");
	assert_string_equal(slash, d);
}

static int lookup(const struct root *r, const struct vmi_resource_claim *rc, const char *request, char **file,
		  struct dra_device *d, hvl_error **err)
{
	return dra_metadata_read(r->path, rc, request, file, d, err);
}

static void test_lookup(void **state)
{
	const struct root *r = *state;
	_cleanup_free_ char *dir = dra_metadata_dir(r->path, &direct_claim, "vgpu");
	_cleanup_free_ char *file = xasprintf("%s/gpu.nvidia.com-metadata.json", dir);
	_cleanup_free_ char *found = NULL;
	struct dra_device d = { 0 };
	hvl_error *err = NULL;

	/* Nothing mounted at all, or not for this request: no metadata (the caller looks at the status). */
	assert_int_equal(lookup(r, &direct_claim, "vgpu", &found, &d, &err), 0);
	make_dirs(dir);
	assert_int_equal(lookup(r, &direct_claim, "other", &found, &d, &err), 0);
	assert_int_equal(lookup(r, &template_claim, "pgpu", &found, &d, &err), 0);
	assert_null(err);
	assert_null(found);

	write_text(file, ONE(MDEV_ATTR "," PCI_ATTR));
	/* Not *-metadata.json: not read. */
	_cleanup_free_ char *other = xasprintf("%s/README", dir);
	write_text(other, "ignored");
	assert_int_equal(lookup(r, &direct_claim, "vgpu", &found, &d, &err), -1);
	/* The file is for request "pgpu"; this one is "vgpu". */
	assert_non_null(strstr(err->msg, "has no request 'vgpu' (its requests: 'pgpu')."));
	assert_non_null(strstr(err->msg, file));
	hvl_error_free(&err);

	_cleanup_free_ char *pdir = dra_metadata_dir(r->path, &direct_claim, "pgpu");
	_cleanup_free_ char *pfile = xasprintf("%s/gpu.nvidia.com-metadata.json", pdir);
	make_dirs(pdir);
	write_text(pfile, ONE(MDEV_ATTR "," PCI_ATTR));
	assert_int_equal(lookup(r, &direct_claim, "pgpu", &found, &d, &err), 1);
	assert_string_equal(found, pfile);
	assert_string_equal(d.mdev_uuid, "aa618089-8b16-4d01-a136-25a0f3c73123");
	assert_string_equal(d.pci_bus_id, "0000:65:00.0");
	dra_device_clear(&d);
	free(TAKE_PTR(found));

	/* A second driver's file: KubeVirt supports one driver per request. */
	_cleanup_free_ char *second = xasprintf("%s/a.example.com-metadata.json", pdir);
	write_text(second, ONE(PCI_ATTR));
	assert_int_equal(lookup(r, &direct_claim, "pgpu", &found, &d, &err), -1);
	_cleanup_free_ char *two =
	    xasprintf("the DRA metadata directory '%s' holds 2 *-metadata.json files "
		      "('a.example.com-metadata.json', 'gpu.nvidia.com-metadata.json'); KubeVirt "
		      "supports exactly one driver per request.",
		      pdir);
	assert_string_equal(err->msg, two);
	hvl_error_free(&err);
	unlink(second);
	unlink(pfile);
	assert_int_equal(lookup(r, &direct_claim, "pgpu", &found, &d, &err), -1);
	_cleanup_free_ char *none = xasprintf("the DRA metadata directory '%s' holds no *-metadata.json file (the DRA "
					      "driver writes one when it prepares the device).",
					      pdir);
	assert_string_equal(err->msg, none);
	hvl_error_free(&err);
	assert_null(found);
	assert_null(d.pci_bus_id);
}

/* The lookup of (rc, request) below the root fails with exactly msg and sets nothing. */
static void expect_lookup_error(const struct root *r, const struct vmi_resource_claim *rc, const char *request,
				const char *msg)
{
	struct dra_device d = { 0 };
	char *found = NULL;
	hvl_error *err = NULL;

	assert_int_equal(lookup(r, rc, request, &found, &d, &err), -1);
	if (strstr(err->msg, msg) == NULL)
		fail_msg("message\n  %s\nlacks\n  %s", err->msg, msg);
	assert_null(found);
	assert_null(d.pci_bus_id);
	assert_null(d.mdev_uuid);
	hvl_error_free(&err);
}

static char *link_message(const char *path)
{
	return xasprintf("'%s' is a symbolic link; links below /var/run/kubernetes.io/dra-device-attributes are not "
			 "followed.",
			 path);
}

static void test_lookup_refuses_links_and_special_files(void **state)
{
	const struct root *r = *state;
	_cleanup_free_ char *dir = dra_metadata_dir(r->path, &template_claim, "pgpu");
	_cleanup_free_ char *file = xasprintf("%s/x-metadata.json", dir);
	_cleanup_free_ char *outside = xasprintf("%s/outside.json", r->path);
	_cleanup_free_ char *file_link = link_message(file);
	_cleanup_free_ char *not_regular = xasprintf("the DRA metadata file '%s' is not a regular file.", file);

	make_dirs(dir);
	write_text(outside, ONE(PCI_ATTR));
	assert_int_equal(symlink(outside, file), 0);
	expect_lookup_error(r, &template_claim, "pgpu", file_link);
	unlink(file);
	assert_int_equal(mkfifo(file, 0644), 0);
	expect_lookup_error(r, &template_claim, "pgpu", not_regular);
	unlink(file);
	assert_int_equal(mkdir(file, 0755), 0);
	expect_lookup_error(r, &template_claim, "pgpu", not_regular);
	rmdir(file);

	/* A linked directory on the way: the request's directory itself, and the claim's. */
	_cleanup_free_ char *real = xasprintf("%s/real", r->path);
	_cleanup_free_ char *req_dir = dra_metadata_dir(r->path, &template_claim, "linked");
	_cleanup_free_ char *req_link = link_message(req_dir);
	make_dirs(real);
	assert_int_equal(symlink(real, req_dir), 0);
	expect_lookup_error(r, &template_claim, "linked", req_link);
	_cleanup_free_ char *claim_dir = xasprintf("%s/var/run/kubernetes.io/dra-device-attributes/resourceclaims/my-vgpu",
						   r->path);
	_cleanup_free_ char *claim_link = link_message(claim_dir);
	_cleanup_free_ char *parent = xasprintf("%s/var/run/kubernetes.io/dra-device-attributes/resourceclaims", r->path);
	make_dirs(parent);
	assert_int_equal(symlink(real, claim_dir), 0);
	expect_lookup_error(r, &direct_claim, "vgpu", claim_link);

	/* Something else than a directory where one is expected. */
	_cleanup_free_ char *plain = dra_metadata_dir(r->path, &template_claim, "plain");
	write_text(plain, "x");
	expect_lookup_error(r, &template_claim, "plain", "cannot be opened: Not a directory");

	/* Too large a file is refused before it is parsed. */
	_cleanup_free_ char *big_dir = dra_metadata_dir(r->path, &template_claim, "big");
	_cleanup_free_ char *big = xasprintf("%s/big-metadata.json", big_dir);
	char *blob = xmalloc(DRA_METADATA_MAX_BYTES + 2);
	make_dirs(big_dir);
	memset(blob, ' ', DRA_METADATA_MAX_BYTES + 1);
	blob[DRA_METADATA_MAX_BYTES + 1] = '\0';
	write_text(big, blob);
	free(blob);
	expect_lookup_error(r, &template_claim, "big", "is larger than the limit of 1048576 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pgpu_and_vgpu),
	    cmocka_unit_test(test_stream),
	    cmocka_unit_test(test_requests_and_devices),
	    cmocka_unit_test(test_attributes),
	    cmocka_unit_test(test_types),
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test_setup_teardown(test_lookup, setup_root, teardown_root),
	    cmocka_unit_test_setup_teardown(test_lookup_refuses_links_and_special_files, setup_root, teardown_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
