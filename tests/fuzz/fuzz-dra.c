/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KEP-5304 DRA metadata files, as dra_metadata_parse() reads them from the pod
 * (a file written by a DRA driver through the kubelet).  Beyond the error
 * contract: a parsed file yields at least one of the two attributes, each a
 * non-empty string without control characters (they reach messages and, once
 * checked, the domain XML).
 */
#include <stdint.h>

#include "dra-metadata.h"
#include "fuzz-common.h"

static void check_string(const char *s)
{
	if (s == NULL)
		return;
	FUZZ_CHECK(s[0] != '\0');
	for (const char *p = s; *p; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct dra_device d = { 0 };
	hvl_error *err = NULL;
	int r;

	memcpy(text, data, size);
	text[size] = '\0';
	r = dra_metadata_parse(text, size, "fuzz-metadata.json", "pgpu", &d, &err);
	if (r < 0) {
		fuzz_check_error(r, err, FUZZ_STATUS(HVL_EXIT_INPUT));
		FUZZ_CHECK(d.pci_bus_id == NULL && d.mdev_uuid == NULL);
		hvl_error_free(&err);
	} else {
		FUZZ_CHECK(r == 0 && err == NULL);
		FUZZ_CHECK(d.pci_bus_id != NULL || d.mdev_uuid != NULL);
		check_string(d.pci_bus_id);
		check_string(d.mdev_uuid);
		dra_device_clear(&d);
	}
	free(text);
	return 0;
}
