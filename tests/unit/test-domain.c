/* SPDX-License-Identifier: Apache-2.0 */
/* The domain builder on small VMIs, checked with XPath, and its helpers. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "cpuset.h"
#include "domain-xml.h"
#include "domain.h"
#include "log.h"
#include "util.h"
#include "vmi.h"

static xmlDocPtr build_json(const char *json, enum hypervisor hv, hvl_error **err)
{
	_cleanup_vmi_ struct vmi *vmi = NULL;
	xmlDocPtr doc = NULL;
	struct convert_options o = { .hypervisor = hv };
	struct profile_report r = { 0 };

	if (vmi_parse(json, strlen(json), "test", &vmi, err) < 0 || vmi_apply_defaults(vmi, NULL, err) < 0) {
		fail_msg("test VMI does not parse: %s", (*err)->msg);
		return NULL;
	}
	int rc = domain_build(vmi, &o, &doc, &r, err);
	profile_report_free(&r);
	return rc < 0 ? NULL : doc;
}

static char *xpath_str(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	char *s = NULL;
	if (obj) {
		xmlChar *v = xmlXPathCastToString(obj);
		s = xstrdup((const char *)v);
		xmlFree(v);
	}
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	return s;
}

static void assert_xpath(xmlDocPtr doc, const char *expr, const char *want)
{
	_cleanup_free_ char *got = xpath_str(doc, expr);
	if (got == NULL || strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", expr, got ? got : "(null)", want);
}

#define VMI_HEAD "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"t\"},"

static void device_names_past_z(void **state)
{
	(void)state;
	/* 28 virtio disks: vda..vdz, vdaa, vdab; the SATA disk numbers separately. */
	char *disks = xstrdup(""), *vols = xstrdup("");
	for (int i = 0; i < 28; i++) {
		char *d = xasprintf("%s{\"name\":\"d%d\",\"disk\":{\"bus\":\"virtio\"}},", disks, i);
		char *v = xasprintf("%s{\"name\":\"d%d\",\"emptyDisk\":{\"capacity\":\"1Gi\"}},", vols, i);
		free(disks);
		free(vols);
		disks = d;
		vols = v;
	}
	_cleanup_free_ char *json = xasprintf(VMI_HEAD "\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1Gi\"},\"devices\":{"
					      "\"disks\":[%s{\"name\":\"s\",\"disk\":{\"bus\":\"sata\"}}]}},"
					      "\"volumes\":[%s{\"name\":\"s\",\"emptyDisk\":{\"capacity\":\"1Gi\"}}]}}",
					      disks, vols);
	free(disks);
	free(vols);
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_xml_doc_ xmlDocPtr doc = build_json(json, HYPERVISOR_KVM, &err);
	assert_non_null(doc);
	assert_xpath(doc, "string(//disk[alias/@name='ua-d25']/target/@dev)", "vdz");
	assert_xpath(doc, "string(//disk[alias/@name='ua-d26']/target/@dev)", "vdaa");
	assert_xpath(doc, "string(//disk[alias/@name='ua-d27']/target/@dev)", "vdab");
	assert_xpath(doc, "string(//disk[alias/@name='ua-s']/target/@dev)", "sda");
}

static void empty_cdrom_and_cpu_from_limits(void **state)
{
	(void)state;
	const char *json = VMI_HEAD "\"spec\":{\"domain\":{\"resources\":{\"requests\":{\"memory\":\"1Gi\",\"cpu\":\"500m\"},"
				    "\"limits\":{\"cpu\":\"2500m\"}},\"devices\":{\"disks\":[{\"name\":\"cd\",\"cdrom\":{}}]}}}}";
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_xml_doc_ xmlDocPtr doc = build_json(json, HYPERVISOR_KVM, &err);
	assert_non_null(doc);
	assert_xpath(doc, "string(//disk[@device='cdrom']/@type)", "block");
	assert_xpath(doc, "count(//disk[@device='cdrom']/source)", "0");
	/* Without a topology the CPU limit (rounded up) gives the sockets; LiveUpdate makes room for 4 times as many. */
	assert_xpath(doc, "count(/domain/vcpus/vcpu[@enabled='yes'])", "3");
	assert_xpath(doc, "string(/domain/vcpu)", "12");
}

static void dedicated_cpus_need_enough_cpus(void **state)
{
	(void)state;
	const char *json = VMI_HEAD "\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1Gi\"},"
				    "\"cpu\":{\"cores\":4,\"dedicatedCpuPlacement\":true,\"isolateEmulatorThread\":true},"
				    "\"resources\":{\"requests\":{\"cpu\":\"4\",\"memory\":\"1Gi\"},\"limits\":{\"cpu\":\"4\",\"memory\":\"1Gi\"}}}}}";
	_cleanup_error_ hvl_error *err = NULL;

	/* No NUMA topology: the pod's CPUs are one cell of single-thread cores, pinned in cpuset order. */
	setenv("HVL_NUMA_DIR", "/nonexistent", 1);
	setenv("HVL_CPUSET", "0-3", 1);
	xmlDocPtr doc = build_json(json, HYPERVISOR_KVM, &err);
	assert_null(doc);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_string_equal(err->msg, "Cannot convert VMI 'default/t': The pod's cpuset has no CPU left for the "
				      "isolated emulator thread after the 4 dedicated vCPUs (HVL_CPUSET or the launcher's CPU "
				      "affinity).");
	hvl_error_free(&err);
	setenv("HVL_CPUSET", "0-2", 1);
	doc = build_json(json, HYPERVISOR_KVM, &err);
	assert_null(doc);
	assert_non_null(strstr(err->msg, "cannot hold the 4 dedicated vCPUs as KubeVirt places them: not enough "
					 "exclusive threads provided, 1 core(s) of 1 thread(s) do not fit"));
	hvl_error_free(&err);

	setenv("HVL_CPUSET", "10-13,20", 1);
	doc = build_json(json, HYPERVISOR_KVM, &err);
	assert_non_null(doc);
	assert_xpath(doc, "string(//cputune/vcpupin[@vcpu='3']/@cpuset)", "13");
	assert_xpath(doc, "string(//cputune/emulatorpin/@cpuset)", "20");
	assert_xpath(doc, "string(//features/kvm/hint-dedicated/@state)", "on");
	xmlFreeDoc(doc);

	setenv("HVL_CPUSET", "1-x", 1);
	doc = build_json(json, HYPERVISOR_KVM, &err);
	assert_null(doc);
	assert_non_null(strstr(err->msg, "HVL_CPUSET"));
	unsetenv("HVL_CPUSET");
	unsetenv("HVL_NUMA_DIR");
}

static char *numa_host_dir(void)
{
	const char *top = getenv("HVL_TOP");
	return xasprintf("%s/tests/data/convert/numa-host", top ? top : ".");
}

/*
 * vcpu.go's pool on tests/data/convert/numa-host: node0 has 0-3,8-11,16-19 and node1 4-7,12-15; N and N+8 are
 * thread siblings ("0,8"), and so are 16 and 18, 17 and 19.
 */
static void dedicated_pins_follow_host_cells(void **state)
{
	static const struct {
		const char *cpu, *cpuset, *extra;
		const char *pins;     /* vcpupins in vCPU order */
		const char *emulator; /* emulatorpin, "" none */
	} cases[] = {
		/* single-thread cores, node0's cores in CPU order (8 and 9 are the pod's halves of cores 0 and 1),
		 * then node1's */
		{ "\"cores\":10", "2-17", "", "8,9,2,10,3,11,16,17,4,12", "" },
		/* two-thread cores: node0's whole cores first, then node1's; the emulator takes a fragment of node0 */
		{ "\"cores\":3,\"threads\":2,\"isolateEmulatorThread\":true", "2-17", "", "2,10,3,11,4,12", "8" },
		/* no whole core on node0 for a 2-thread vCPU core: its fragments pair up (cell bound) */
		{ "\"cores\":1,\"threads\":2", "8,9", "", "8,9", "" },
		/* fragments of two cells make one core only in a relaxed pool */
		{ "\"cores\":1,\"threads\":2", "9,13", "", "9,13", "" },
	};
	_cleanup_free_ char *dir = numa_host_dir();

	(void)state;
	setenv("HVL_NUMA_DIR", dir, 1);
	for (size_t i = 0; i < HVL_ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *json = xasprintf(
			VMI_HEAD "\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1Gi\"},\"cpu\":{%s,"
				 "\"dedicatedCpuPlacement\":true}%s}}}",
			cases[i].cpu, cases[i].extra);
		_cleanup_error_ hvl_error *err = NULL;
		setenv("HVL_CPUSET", cases[i].cpuset, 1);
		_cleanup_xml_doc_ xmlDocPtr doc = build_json(json, HYPERVISOR_KVM, &err);
		if (doc == NULL)
			fail_msg("case %zu: %s", i, err->msg);
		_cleanup_free_ char *pins = xstrdup("");
		for (int v = 0;; v++) {
			_cleanup_free_ char *expr = xasprintf("string(//cputune/vcpupin[@vcpu='%d']/@cpuset)", v);
			_cleanup_free_ char *cpu = xpath_str(doc, expr);
			if (cpu == NULL || *cpu == '\0')
				break;
			char *more = xasprintf("%s%s%s", pins, *pins ? "," : "", cpu);
			free(pins);
			pins = more;
		}
		if (strcmp(pins, cases[i].pins) != 0)
			fail_msg("case %zu: vCPUs pinned to %s, want %s", i, pins, cases[i].pins);
		assert_xpath(doc, "string(//cputune/emulatorpin/@cpuset)", cases[i].emulator);
	}
	unsetenv("HVL_CPUSET");
	unsetenv("HVL_NUMA_DIR");
}

/*
 * libvirt writes neighbouring siblings as a range ("0-1") and KubeVirt's convertListOfIntStringToSlice keeps only
 * plain numbers: such CPUs are cores of their own.  On node0 = 0-3 with siblings "0-1" and "2-3" and the pod's
 * 1-3, a 2-thread vCPU core is then 1,2 (fragments of one cell), not the whole core 2,3.
 */
static void dedicated_sibling_ranges_are_dropped(void **state)
{
	const char *json = VMI_HEAD "\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1Gi\"},\"cpu\":{\"cores\":1,"
				    "\"threads\":2,\"dedicatedCpuPlacement\":true}}}}";
	char dir[] = "/tmp/hvl-numa-XXXXXX";
	_cleanup_error_ hvl_error *err = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *setup = xasprintf(
		"set -e; cd '%s'; mkdir node0; echo 0-3 >node0/cpulist; echo 10 >node0/distance; "
		"for c in 0 1 2 3; do mkdir -p node0/cpu$c/topology; done; "
		"for c in 0 1; do echo 0-1 >node0/cpu$c/topology/thread_siblings_list; done; "
		"for c in 2 3; do echo 2-3 >node0/cpu$c/topology/thread_siblings_list; done",
		dir);
	assert_int_equal(system(setup), 0);
	setenv("HVL_NUMA_DIR", dir, 1);
	setenv("HVL_CPUSET", "1-3", 1);
	_cleanup_xml_doc_ xmlDocPtr doc = build_json(json, HYPERVISOR_KVM, &err);
	if (doc == NULL)
		fail_msg("%s", err->msg);
	assert_xpath(doc, "string(//cputune/vcpupin[@vcpu='0']/@cpuset)", "1");
	assert_xpath(doc, "string(//cputune/vcpupin[@vcpu='1']/@cpuset)", "2");
	unsetenv("HVL_CPUSET");
	unsetenv("HVL_NUMA_DIR");
	_cleanup_free_ char *cleanup = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cleanup), 0);
}

/* A strict pool (guestMappingPassthrough) does not split a vCPU core over two host cells. */
static void dedicated_strict_pool(void **state)
{
	const char *json = VMI_HEAD "\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1Gi\",\"hugepages\":{\"pageSize\":"
				    "\"2Mi\"}},\"cpu\":{\"cores\":1,\"threads\":2,\"dedicatedCpuPlacement\":true,"
				    "\"numa\":{\"guestMappingPassthrough\":{}}}}}}";
	_cleanup_free_ char *dir = numa_host_dir();
	_cleanup_error_ hvl_error *err = NULL;

	(void)state;
	setenv("HVL_NUMA_DIR", dir, 1);
	setenv("HVL_CPUSET", "9,13", 1);
	xmlDocPtr doc = build_json(json, HYPERVISOR_KVM, &err);
	assert_null(doc);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_non_null(strstr(err->msg, "the cores do not fit without crossing NUMA cell boundaries for individual "
					 "cores, 1 core(s) of 2 thread(s) do not fit"));
	unsetenv("HVL_CPUSET");
	unsetenv("HVL_NUMA_DIR");
}

static void host_devices_take_addresses_in_order(void **state)
{
	(void)state;
	const char *json = VMI_HEAD "\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1Gi\"},\"devices\":{\"hostDevices\":["
				    "{\"name\":\"a\",\"deviceName\":\"example.com/dev\"},{\"name\":\"b\",\"deviceName\":\"example.com/dev\"}]}}}}";
	_cleanup_error_ hvl_error *err = NULL;

	setenv("PCI_RESOURCE_EXAMPLE_COM_DEV", "0000:81:00.1, 0000:81:00.2", 1);
	xmlDocPtr doc = build_json(json, HYPERVISOR_KVM, &err);
	assert_non_null(doc);
	assert_xpath(doc, "string(//hostdev[alias/@name='ua-hostdevice-a']/source/address/@function)", "0x1");
	assert_xpath(doc, "string(//hostdev[alias/@name='ua-hostdevice-b']/source/address/@function)", "0x2");
	xmlFreeDoc(doc);

	setenv("PCI_RESOURCE_EXAMPLE_COM_DEV", "0000:81:00.1", 1);
	doc = build_json(json, HYPERVISOR_KVM, &err);
	assert_null(doc);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	assert_non_null(strstr(err->msg, "only 1 device"));
	hvl_error_free(&err);

	/* Refused on mshv, whatever the environment says. */
	setenv("PCI_RESOURCE_EXAMPLE_COM_DEV", "0000:81:00.1,0000:81:00.2", 1);
	doc = build_json(json, HYPERVISOR_MSHV, &err);
	assert_null(doc);
	assert_int_equal(err->status, HVL_EXIT_UNSUPPORTED);
	unsetenv("PCI_RESOURCE_EXAMPLE_COM_DEV");
}

static void supplemental_pool_iothreads(void **state)
{
	(void)state;
	const char *json = VMI_HEAD "\"spec\":{\"domain\":{\"memory\":{\"guest\":\"1Gi\"},\"ioThreadsPolicy\":\"supplementalPool\","
				    "\"ioThreads\":{\"supplementalPoolThreadCount\":3},"
				    "\"devices\":{\"disks\":[{\"name\":\"r\",\"disk\":{\"bus\":\"virtio\"}}]}},"
				    "\"volumes\":[{\"name\":\"r\",\"emptyDisk\":{\"capacity\":\"1Gi\"}}]}}";
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_xml_doc_ xmlDocPtr doc = build_json(json, HYPERVISOR_KVM, &err);
	assert_non_null(doc);
	assert_xpath(doc, "string(/domain/iothreads)", "3");
	assert_xpath(doc, "count(//disk/driver/iothreads/iothread)", "3");
	assert_xpath(doc, "count(//disk/driver/@iothread)", "0");
}

static void numa_passthrough_rules(void **state)
{
	(void)state;
	const char *fmt = VMI_HEAD "\"spec\":{\"domain\":{\"memory\":{\"guest\":\"%s\"%s},"
			  "\"cpu\":{\"cores\":4,\"dedicatedCpuPlacement\":true,\"numa\":{\"guestMappingPassthrough\":{}}},"
			  "\"resources\":{\"requests\":{\"cpu\":\"4\",\"memory\":\"%s\"},\"limits\":{\"cpu\":\"4\",\"memory\":\"%s\"}}}}}";
	const char *hp = ",\"hugepages\":{\"pageSize\":\"2Mi\"}";
	const char *top = getenv("HVL_TOP");
	_cleanup_free_ char *dir = xasprintf("%s/tests/data/convert/numa-host", top ? top : ".");
	_cleanup_error_ hvl_error *err = NULL;

	setenv("HVL_NUMA_DIR", dir, 1);
	setenv("HVL_CPUSET", "2-5", 1); /* two vCPUs on each host node */
	_cleanup_free_ char *good = xasprintf(fmt, "1026Mi", hp, "1026Mi", "1026Mi");
	xmlDocPtr doc = build_json(good, HYPERVISOR_KVM, &err);
	assert_non_null(doc);
	/* 513 pages over two cells: the first gets the odd page. */
	assert_xpath(doc, "string(//cpu/numa/cell[@id='0']/@memory)", "538968064");
	assert_xpath(doc, "string(//cpu/numa/cell[@id='1']/@memory)", "536870912");
	assert_xpath(doc, "string(//cpu/numa/cell[@id='0']/@cpus)", "0,1");
	assert_xpath(doc, "string(//numatune/memory/@nodeset)", "0,1");
	assert_xpath(doc, "count(//memoryBacking/hugepages/page)", "2");
	xmlFreeDoc(doc);

	/* Odd sizes and missing hugepages are refused by the VMI validation before the converter sees them. */
	setenv("HVL_NUMA_DIR", "/nonexistent", 1);
	doc = build_json(good, HYPERVISOR_KVM, &err);
	assert_non_null(doc);
	assert_xpath(doc, "count(//numatune)", "0");
	xmlFreeDoc(doc);
	unsetenv("HVL_NUMA_DIR");
	unsetenv("HVL_CPUSET");
}

static void cpu_lists(void **state)
{
	(void)state;
	_cleanup_free_ int *cpus = NULL;
	size_t n = 0;
	assert_int_equal(parse_cpu_list("2-5,8\n", &cpus, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(cpus[0], 2);
	assert_int_equal(cpus[3], 5);
	assert_int_equal(cpus[4], 8);
	int *bad = NULL;
	assert_int_equal(parse_cpu_list("5-2", &bad, &n), -1);
	assert_int_equal(parse_cpu_list("a", &bad, &n), -1);
	assert_int_equal(parse_cpu_list("", &bad, &n), -1);
	assert_int_equal(parse_cpu_list("1,,2", &bad, &n), -1);
	assert_null(bad);
}

static void pci_addresses(void **state)
{
	(void)state;
	_cleanup_xml_doc_ xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root = xmlNewDocNode(doc, NULL, (const xmlChar *)"devices", NULL);
	xmlDocSetRootElement(doc, root);
	const char *bad[] = { "0000:00:20.0", "0000:00:01.8", "00:01.0", "0000:00:01.0x", "zzzz:00:01.0", NULL };
	for (const char **b = bad; *b; b++) {
		_cleanup_error_ hvl_error *err = NULL;
		assert_int_equal(pci_address(root, "address", *b, "f", &err), -1);
		assert_int_equal(err->status, HVL_EXIT_INPUT);
	}
	_cleanup_error_ hvl_error *err = NULL;
	assert_int_equal(pci_address(root, "address", "0000:3d:1f.7", "f", &err), 0);
	assert_xpath(doc, "string(/devices/address/@slot)", "0x1f");
	assert_xpath(doc, "string(/devices/address/@type)", "pci");
}

static void special_characters_round_trip(void **state)
{
	(void)state;
	const char *nasty = "a&b<c>\"d'e &amp; ]]>";
	_cleanup_xml_doc_ xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root = xmlNewDocNode(doc, NULL, (const xmlChar *)"domain", NULL);
	xmlDocSetRootElement(doc, root);
	attr(root, "x", nasty);
	el_text(root, "t", nasty);
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_free_ char *xml = NULL;
	size_t len;
	assert_int_equal(domain_format(doc, &xml, &len, &err), 0);
	_cleanup_xml_doc_ xmlDocPtr back = xmlReadMemory(xml, (int)len, "x.xml", NULL, XML_PARSE_NONET);
	assert_non_null(back);
	assert_xpath(back, "string(/domain/@x)", nasty);
	assert_xpath(back, "string(/domain/t)", nasty);
	assert_int_equal(xml[len - 1], '\n');
	assert_null(strstr(xml, "<?xml"));
}

/* domain_write(): the bytes of domain_format(), streamed; a large text node; the reason of a failed write. */
static void streamed_like_formatted(void **state)
{
	(void)state;
	_cleanup_xml_doc_ xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr root = xmlNewDocNode(doc, NULL, (const xmlChar *)"domain", NULL);
	_cleanup_free_ char *big = xmalloc(300001), *xml = NULL, *streamed = NULL;
	_cleanup_error_ hvl_error *err = NULL;
	size_t len, got = 0;
	char path[] = "/tmp/hvl-test-domain.XXXXXX";
	int fd = mkstemp(path);

	memset(big, '<', 300000); /* four bytes each once escaped: more than one 64 KiB flush */
	big[300000] = '\0';
	xmlDocSetRootElement(doc, root);
	el_text(root, "serial", big);
	attr(root, "type", "kvm");
	assert_int_equal(domain_format(doc, &xml, &len, &err), 0);
	assert_true(fd >= 0);
	assert_int_equal(domain_write(doc, fd), 0);
	streamed = xmalloc(len + 1);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	for (ssize_t n; (n = read(fd, streamed + got, len + 1 - got)) > 0;)
		got += (size_t)n;
	close(fd);
	unlink(path);
	assert_int_equal(got, len);
	assert_memory_equal(streamed, xml, len);

	fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		assert_int_equal(domain_write(doc, fd), -1);
		assert_int_equal(errno, ENOSPC);
		close(fd);
	}
	assert_int_equal(domain_write(doc, -1), -1);
	assert_int_equal(errno, EBADF);
}

static void path_components(void **state)
{
	(void)state;
	const char *bad[] = { "", ".", "..", "a/b", "a\nb", NULL };
	for (const char **b = bad; *b; b++) {
		_cleanup_error_ hvl_error *err = NULL;
		assert_int_equal(check_path_component(*b, "f", &err), -1);
	}
	_cleanup_error_ hvl_error *err = NULL;
	assert_int_equal(check_path_component("disk..img", "f", &err), 0);
}

int main(void)
{
	log_init(LOG_FORMAT_TEXT, -1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(device_names_past_z),
		cmocka_unit_test(empty_cdrom_and_cpu_from_limits),
		cmocka_unit_test(dedicated_cpus_need_enough_cpus),
		cmocka_unit_test(dedicated_pins_follow_host_cells),
		cmocka_unit_test(dedicated_sibling_ranges_are_dropped),
		cmocka_unit_test(dedicated_strict_pool),
		cmocka_unit_test(host_devices_take_addresses_in_order),
		cmocka_unit_test(supplemental_pool_iothreads),
		cmocka_unit_test(numa_passthrough_rules),
		cmocka_unit_test(cpu_lists),
		cmocka_unit_test(pci_addresses),
		cmocka_unit_test(special_characters_round_trip),
		cmocka_unit_test(streamed_like_formatted),
		cmocka_unit_test(path_components),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
