/* SPDX-License-Identifier: Apache-2.0 */
/* `run` on a plain machine: what run_local_adapt() makes of a domain built for a virt-launcher pod. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain.h"
#include "fileio.h"
#include "log.h"
#include "run-local.h"
#include "util.h"

static const char pod_domain[] =
	"<domain type='qemu'><name>ns_vm</name>"
	"<memory unit='b'>2147483648</memory><maxMemory unit='b' slots='0'>8589934592</maxMemory>"
	"<vcpu placement='static'>4</vcpu><vcpus><vcpu id='0' enabled='yes' hotpluggable='no'/>"
	"<vcpu id='1' enabled='no' hotpluggable='yes'/><vcpu id='2' enabled='no' hotpluggable='yes'/>"
	"<vcpu id='3' enabled='no' hotpluggable='yes'/></vcpus>"
	"<os><type arch='x86_64' machine='q35'>hvm</type>"
	"<kernel>/var/run/kubevirt/container-disks/kernel-boot/vmlinuz</kernel>"
	"<initrd>/var/run/kubevirt/container-disks/kernel-boot/initrd.img</initrd>"
	"<nvram>/var/run/kubevirt-private/libvirt/qemu/nvram/vm_VARS.fd</nvram></os>"
	"<devices>"
	"<interface type='ethernet'><source/><target dev='tap0' managed='no'/><model type='virtio-non-transitional'/>"
	"<mac address='02:00:00:00:00:01'/><alias name='ua-default'/><rom enabled='no'/></interface>"
	"<channel type='unix'><source mode='bind' path='/var/run/kubevirt-private/u1/downwardapi/vhostmd0'/>"
	"<target type='virtio' name='vhostmd'/></channel>"
	"<graphics type='vnc'><listen type='socket' socket='/var/run/kubevirt-private/u1/virt-vnc'/></graphics>"
	"<hostdev mode='subsystem' type='pci' managed='no'><source><address domain='0x0000' bus='0x81' slot='0x00' "
	"function='0x0'/></source><alias name='ua-gpu-gpu1'/></hostdev>"
	"<disk device='disk' type='file'><source file='/etc/hostname'/><target bus='virtio' dev='vda'/>"
	"<alias name='ua-local'/></disk>"
	"<serial type='unix'><target port='0'/><source mode='bind' path='/var/run/kubevirt-private/u1/virt-serial0'/>"
	"<log file='/var/run/kubevirt-private/u1/virt-serial0-log' append='on'/></serial>"
	"<console type='pty'><target type='serial' port='0'/></console>"
	"<tpm model='tpm-crb'><backend type='emulator' version='2.0' persistent_state='yes'/></tpm>"
	"</devices></domain>";

/* A root VMI's NVRAM is outside the pod's paths: under libvirt's own directory, which another domain may use. */
static const char root_efi_domain[] =
	"<domain type='qemu'><name>ns_vm</name>"
	"<os><type arch='x86_64' machine='q35'>hvm</type>"
	"<loader readonly='yes' secure='no' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>"
	"<nvram template='/usr/share/OVMF/OVMF_VARS.fd'>/var/lib/libvirt/qemu/nvram/vm_VARS.fd</nvram></os>"
	"<devices><disk device='disk' type='file'><source file='/etc/hostname'/><target bus='virtio' dev='vda'/>"
	"<alias name='ua-rootdisk'/></disk><disk device='cdrom' type='block'><source dev='/dev/null'/>"
	"<target bus='sata' dev='sda'/></disk></devices></domain>";

static char dir[] = "/tmp/hvl-run-local-XXXXXX";

static int setup(void **state)
{
	(void)state;
	log_init(LOG_FORMAT_TEXT, 0);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	_cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
	return system(cmd);
}

static char *xpath_string(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	xmlChar *s = xmlXPathCastToString(obj);
	char *out = xstrdup((const char *)s);

	xmlFree(s);
	xmlXPathFreeObject(obj);
	xmlXPathFreeContext(ctx);
	return out;
}

static void expect(xmlDocPtr doc, const char *expr, const char *want)
{
	_cleanup_free_ char *got = xpath_string(doc, expr);
	if (strcmp(got, want) != 0)
		fail_msg("%s: expected '%s', got '%s'", expr, want, got);
}

static void test_adapt(void **state)
{
	(void)state;
	_cleanup_xml_doc_ xmlDocPtr doc = xmlReadMemory(pod_domain, sizeof(pod_domain) - 1, "t.xml", NULL, 0);
	_cleanup_free_ char *sock = xasprintf("%s/serial0.sock", dir);
	struct disk_mapping disks[] = { { "kernel", "/boot/vmlinuz-x" }, { "initrd", "/boot/initrd-x" } };
	hvl_error *err = NULL;

	assert_non_null(doc);
	if (run_local_adapt(doc, dir, disks, 2, &err) < 0)
		fail_msg("%s", err->msg);

	expect(doc, "string(/domain/os/kernel)", "/boot/vmlinuz-x");
	expect(doc, "string(/domain/os/initrd)", "/boot/initrd-x");
	/* One serial port on a socket in the private directory (run reads it), nothing of the pod's console left. */
	expect(doc, "count(//serial)", "1");
	expect(doc, "count(//console)", "0");
	expect(doc, "string(//serial/@type)", "unix");
	expect(doc, "string(//serial/source/@mode)", "bind");
	expect(doc, "string(//serial/source/@path)", sock);
	expect(doc, "count(//serial/log)", "0");
	/* The TPM's state goes with the transient domain. */
	expect(doc, "string(//tpm/backend/@type)", "emulator");
	expect(doc, "count(//tpm/backend/@persistent_state)", "0");
	/* User networking, MAC and model kept, the pod's tap device gone. */
	expect(doc, "string(//interface/@type)", "user");
	expect(doc, "string(//interface/mac/@address)", "02:00:00:00:00:01");
	expect(doc, "string(//interface/model/@type)", "virtio-non-transitional");
	expect(doc, "count(//interface/target)", "0");
	expect(doc, "count(//interface/source)", "0");
	/* VNC on localhost. */
	expect(doc, "string(//graphics/listen/@type)", "address");
	expect(doc, "string(//graphics/listen/@address)", "127.0.0.1");
	expect(doc, "count(//graphics/listen)", "1");
	/* Nothing to pass through here. */
	expect(doc, "count(//hostdev)", "0");
	/* Pod paths moved into the private directory, parents created; existing disks untouched. */
	_cleanup_free_ char *chan = xasprintf("%s/var/run/kubevirt-private/u1/downwardapi/vhostmd0", dir);
	expect(doc, "string(//channel/source/@path)", chan);
	_cleanup_free_ char *nvram = xasprintf("%s/var/run/kubevirt-private/libvirt/qemu/nvram/vm_VARS.fd", dir);
	expect(doc, "string(/domain/os/nvram)", nvram);
	_cleanup_free_ char *parent = xasprintf("%s/var/run/kubevirt-private/u1/downwardapi", dir);
	struct stat st;
	assert_int_equal(stat(parent, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	expect(doc, "string(//disk/source/@file)", "/etc/hostname");
	/* KubeVirt's memory hotplug room goes (libvirt 9.0 refuses it); the memory and the vCPU hotplug stay. */
	expect(doc, "count(/domain/maxMemory)", "0");
	expect(doc, "string(/domain/memory)", "2147483648");
	expect(doc, "count(/domain/vcpus/vcpu[@enabled='yes'])", "1");
}

static void expect_error(const char *xml, const struct disk_mapping *disks, size_t n, const char *needle)
{
	_cleanup_xml_doc_ xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "t.xml", NULL, 0);
	hvl_error *err = NULL;

	assert_non_null(doc);
	assert_int_equal(run_local_adapt(doc, dir, disks, n, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INPUT);
	if (strstr(err->msg, needle) == NULL)
		fail_msg("expected '%s' in: %s", needle, err->msg);
	hvl_error_free(&err);
}

static void test_pod_only_files(void **state)
{
	(void)state;
	/* KubeVirt's own golden domain: its first disk only exists in a pod. */
	_cleanup_free_ char *golden = NULL;
	size_t len;
	hvl_error *err = NULL;
	const char *top = getenv("HVL_TOP");
	_cleanup_free_ char *path = xasprintf("%s/tests/data/kubevirt/domain_x86_64.xml", top ? top : ".");

	if (read_file(path, 1 << 20, "golden", &golden, &len, &err) < 0)
		fail_msg("%s", err->msg);
	expect_error(golden, NULL, 0, "volume 'myvolume' is '/var/run/kubevirt-private/vmi-disks/myvolume/disk.img'");
	expect_error(golden, NULL, 0, "--disk myvolume=PATH");

	const char *kernel_only = "<domain><os><kernel>/var/run/kubevirt/container-disks/kernel-boot/vmlinuz</kernel>"
				  "</os><devices/></domain>";
	expect_error(kernel_only, NULL, 0, "give it with --disk kernel=PATH");
	struct disk_mapping k = { "kernel", "/boot/k" };
	const char *with_initrd = "<domain><os><kernel>/k</kernel><initrd>/var/run/kubevirt/x/initrd</initrd></os>"
				  "<devices/></domain>";
	expect_error(with_initrd, &k, 1, "--disk initrd=PATH");
}

static void test_no_devices(void **state)
{
	(void)state;
	const char *xml = "<domain><name>x</name></domain>";
	_cleanup_xml_doc_ xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "t.xml", NULL, 0);
	hvl_error *err = NULL;

	assert_int_equal(run_local_adapt(doc, dir, NULL, 0, &err), -1);
	assert_int_equal(err->status, HVL_EXIT_INTERNAL);
	hvl_error_free(&err);
}

/* NVRAM goes into the private directory wherever the domain put it; disks are named for messages. */
static void test_root_nvram_and_disk_names(void **state)
{
	(void)state;
	_cleanup_xml_doc_ xmlDocPtr doc = xmlReadMemory(root_efi_domain, sizeof(root_efi_domain) - 1, "t.xml", NULL, 0);
	hvl_error *err = NULL;
	_cleanup_free_ char *xml = NULL;
	size_t len;

	assert_non_null(doc);
	if (run_local_adapt(doc, dir, NULL, 0, &err) < 0 || domain_format(doc, &xml, &len, &err) < 0)
		fail_msg("%s", err->msg);
	_cleanup_free_ char *nvram = xasprintf("%s/var/lib/libvirt/qemu/nvram/vm_VARS.fd", dir);
	expect(doc, "string(/domain/os/nvram)", nvram);
	expect(doc, "string(/domain/os/nvram/@template)", "/usr/share/OVMF/OVMF_VARS.fd");

	_cleanup_free_ char *vda = run_local_describe_disk(xml, "vda");
	assert_string_equal(vda, "disk 'vda' (volume 'rootdisk', '/etc/hostname')");
	_cleanup_free_ char *sda = run_local_describe_disk(xml, "sda");
	assert_string_equal(sda, "disk 'sda' ('/dev/null')");
	_cleanup_free_ char *none = run_local_describe_disk(xml, "vdz");
	assert_string_equal(none, "disk 'vdz'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adapt),
		cmocka_unit_test(test_pod_only_files),
		cmocka_unit_test(test_root_nvram_and_disk_names),
		cmocka_unit_test(test_no_devices),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
