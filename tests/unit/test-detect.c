/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device probes against mocked device roots: a temporary directory whose dev/
 * holds nodes made with mknod (we run as root).  What each case proves:
 *   - missing node, dangling symlink: "missing", exactly where KubeVirt's os.Stat fails;
 *   - regular file / directory named like the device: exists for KubeVirt, but not a character device;
 *   - a /dev/null-like node (1,3): open works, the driver ioctls fail with ENOTTY, so "present and
 *     openable" is not "usable" — for kvm always, for mshv only with --probe=deep;
 *   - a node of an unregistered major: open fails with ENXIO, i.e. a node without its driver;
 *   - a mode-0000 node opened without CAP_DAC_OVERRIDE (forked child): "permission denied", told
 *     apart from "missing" (root bypasses file modes, hence the capability drop);
 *   - a node with /dev/kvm's real numbers (10,232): the real KVM_GET_API_VERSION answer, 12;
 *   - ioctl wrapped: a wrong KVM API version, and a successful MSHV_CREATE_PARTITION whose
 *     partition fd must be closed again (closing deletes the partition).
 */
/* WRAP: ioctl */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "detect.h"
#include "util.h"

/* ---- the ioctl seam ---- */

enum fake { FAKE_NONE, FAKE_KVM_VERSION_11, FAKE_MSHV_PARTITION };
static enum fake fake;
static int ioctl_calls;
static unsigned long last_request;
static unsigned long long last_pt_flags;
static int partition_fd = -1;

int __real_ioctl(int fd, unsigned long request, ...);
int __wrap_ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	ioctl_calls++;
	last_request = request;
	if (request == MSHV_CREATE_PARTITION)
		last_pt_flags = ((struct mshv_create_partition_args *)arg)->pt_flags;
	if (fake == FAKE_KVM_VERSION_11 && request == KVM_GET_API_VERSION)
		return 11;
	if (fake == FAKE_MSHV_PARTITION && request == MSHV_CREATE_PARTITION) {
		partition_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		return partition_fd;
	}
	return __real_ioctl(fd, request, arg);
}

/* ---- mocked device roots ---- */

struct root {
	char dir[64];
	char dev[80];
};

static int make_root(void **state)
{
	struct root *r = xcalloc(1, sizeof(*r));

	strcpy(r->dir, "/tmp/hvl-test-devroot-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	snprintf(r->dev, sizeof(r->dev), "%s/dev", r->dir);
	assert_int_equal(mkdir(r->dev, 0755), 0);
	fake = FAKE_NONE;
	ioctl_calls = 0;
	last_request = 0;
	last_pt_flags = 0;
	partition_fd = -1;
	*state = r;
	return 0;
}

static void remove_node(const struct root *r, const char *name)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", r->dev, name);
	if (unlink(path) < 0)
		rmdir(path);
}

static int remove_root(void **state)
{
	struct root *r = *state;

	remove_node(r, "kvm");
	remove_node(r, "mshv");
	rmdir(r->dev);
	rmdir(r->dir);
	free(r);
	return 0;
}

static void node(const struct root *r, const char *name, mode_t mode, dev_t dev)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", r->dev, name);
	assert_int_equal(mknod(path, mode, dev), 0);
	assert_int_equal(chmod(path, mode & 07777), 0); /* umask must not decide the test */
}

static bool contains(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle) == NULL) {
		print_error("expected '%s' in: %s\n", needle, haystack);
		return false;
	}
	return true;
}

/* ---- cases ---- */

static void test_device_path(void **state)
{
	char *p;
	(void)state;

	p = detect_device_path(NULL, "kvm");
	assert_string_equal(p, "/dev/kvm");
	free(p);
	p = detect_device_path("/", "mshv");
	assert_string_equal(p, "/dev/mshv");
	free(p);
	p = detect_device_path("/srv/root//", "kvm");
	assert_string_equal(p, "/srv/root/dev/kvm");
	free(p);
	p = detect_device_path("rel", "kvm");
	assert_string_equal(p, "rel/dev/kvm");
	free(p);
}

static void test_missing(void **state)
{
	struct root *r = *state;
	struct accel_verdict v;

	detect_accel(r->dir, HYPERVISOR_MSHV, PROBE_DEEP, &v);
	assert_true(v.checked);
	assert_false(v.exists);
	assert_int_equal(v.stat_errno, ENOENT);
	assert_false(v.present);
	assert_false(v.usable);
	assert_true(contains(v.reason, "/dev/mshv is missing."));
	assert_true(contains(v.path, r->dir));
	accel_verdict_clear(&v);
	assert_int_equal(ioctl_calls, 0);
}

static void test_dangling_symlink(void **state)
{
	struct root *r = *state;
	_cleanup_free_ char *path = xasprintf("%s/kvm", r->dev);
	struct accel_verdict v;

	assert_int_equal(symlink("/nonexistent/kvm", path), 0);
	detect_accel(r->dir, HYPERVISOR_KVM, PROBE_SHALLOW, &v);
	assert_false(v.exists);
	assert_true(contains(v.reason, "is missing"));
	accel_verdict_clear(&v);
}

static void test_regular_file(void **state)
{
	struct root *r = *state;
	_cleanup_free_ char *path = xasprintf("%s/mshv", r->dev);
	struct accel_verdict v;
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	close(fd);
	detect_accel(r->dir, HYPERVISOR_MSHV, PROBE_SHALLOW, &v);
	assert_true(v.exists); /* KubeVirt's stat would say "available" */
	assert_false(v.present);
	assert_false(v.openable);
	assert_false(v.usable);
	assert_true(contains(v.reason, "exists but is a regular file, not a character device."));
	accel_verdict_clear(&v);
}

static void test_directory(void **state)
{
	struct root *r = *state;
	_cleanup_free_ char *path = xasprintf("%s/kvm", r->dev);
	struct accel_verdict v;

	assert_int_equal(mkdir(path, 0755), 0);
	detect_accel(r->dir, HYPERVISOR_KVM, PROBE_SHALLOW, &v);
	assert_true(v.exists);
	assert_false(v.present);
	assert_true(contains(v.reason, "is a directory"));
	accel_verdict_clear(&v);
}

static void test_null_like_kvm(void **state)
{
	struct root *r = *state;
	struct accel_verdict v;

	node(r, "kvm", S_IFCHR | 0660, makedev(1, 3));
	detect_accel(r->dir, HYPERVISOR_KVM, PROBE_SHALLOW, &v);
	assert_true(v.exists);
	assert_true(v.present);
	assert_true(v.openable);
	assert_false(v.usable);
	assert_int_equal(last_request, KVM_GET_API_VERSION);
	assert_true(contains(v.reason, "does not answer KVM_GET_API_VERSION"));
	assert_true(contains(v.reason, "it is not a KVM device"));
	accel_verdict_clear(&v);
}

static void test_null_like_mshv_shallow(void **state)
{
	struct root *r = *state;
	struct accel_verdict v;

	node(r, "mshv", S_IFCHR | 0600, makedev(1, 3));
	detect_accel(r->dir, HYPERVISOR_MSHV, PROBE_SHALLOW, &v);
	assert_true(v.present);
	assert_true(v.openable);
	assert_true(v.usable);
	assert_int_equal(ioctl_calls, 0); /* shallow never makes the hypercall */
	assert_true(contains(v.reason, "not probed further"));
	accel_verdict_clear(&v);
}

static void test_null_like_mshv_deep(void **state)
{
	struct root *r = *state;
	struct accel_verdict v;

	node(r, "mshv", S_IFCHR | 0600, makedev(1, 3));
	detect_accel(r->dir, HYPERVISOR_MSHV, PROBE_DEEP, &v);
	assert_true(v.openable);
	assert_false(v.usable);
	assert_int_equal(ioctl_calls, 1);
	assert_int_equal(last_request, 0x4010B800);
	assert_int_equal(last_pt_flags, 0x7); /* LAPIC | X2APIC | GPA_SUPER_PAGES, as QEMU asks */
	assert_true(contains(v.reason, "refuses MSHV_CREATE_PARTITION"));
	assert_true(contains(v.reason, "not the mshv_root driver"));
	accel_verdict_clear(&v);
}

static void test_mshv_deep_success(void **state)
{
	struct root *r = *state;
	struct accel_verdict v;

	node(r, "mshv", S_IFCHR | 0600, makedev(1, 3));
	fake = FAKE_MSHV_PARTITION;
	detect_accel(r->dir, HYPERVISOR_MSHV, PROBE_DEEP, &v);
	assert_true(v.usable);
	assert_true(contains(v.reason, "created and deleted a test partition"));
	/* the partition fd was closed: the test partition does not outlive the probe */
	assert_true(partition_fd >= 0);
	assert_int_equal(fcntl(partition_fd, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
	accel_verdict_clear(&v);
}

static void test_kvm_wrong_version(void **state)
{
	struct root *r = *state;
	struct accel_verdict v;

	node(r, "kvm", S_IFCHR | 0660, makedev(1, 3));
	fake = FAKE_KVM_VERSION_11;
	detect_accel(r->dir, HYPERVISOR_KVM, PROBE_SHALLOW, &v);
	assert_true(v.openable);
	assert_false(v.usable);
	assert_true(contains(v.reason, "reports KVM API version 11; version 12 is required."));
	accel_verdict_clear(&v);
}

static void test_no_driver(void **state)
{
	struct root *r = *state;
	struct accel_verdict v;

	/* a major number no driver registers: the node exists but opening it finds nothing behind it */
	node(r, "mshv", S_IFCHR | 0600, makedev(4000, 77));
	detect_accel(r->dir, HYPERVISOR_MSHV, PROBE_SHALLOW, &v);
	assert_true(v.present);
	assert_false(v.openable);
	assert_false(v.usable);
	assert_true(contains(v.reason, "no driver is behind it"));
	accel_verdict_clear(&v);
}

/*
 * The host's own /dev/kvm, whatever it is: the probe must say what KVM itself answers, asked directly here.
 * A machine may have no node, a node without a working driver, or one bound to something else.
 */
static void test_real_kvm_numbers(void **state)
{
	struct root *r = *state;
	struct accel_verdict v;
	struct stat st;
	int fd, api = -1;

	if (stat("/dev/kvm", &st) < 0 || !S_ISCHR(st.st_mode)) {
		fprintf(stderr, "SKIP (part): test_real_kvm_numbers: this machine has no /dev/kvm character device\n");
		skip();
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		api = __real_ioctl(fd, KVM_GET_API_VERSION, NULL);
		close(fd);
	}
	node(r, "kvm", S_IFCHR | 0660, st.st_rdev);
	detect_accel(r->dir, HYPERVISOR_KVM, PROBE_SHALLOW, &v);
	if (api == KVM_API_VERSION) {
		assert_true(v.usable);
		assert_true(contains(v.reason, "answers KVM_GET_API_VERSION with 12."));
	} else {
		fprintf(stderr, "SKIP (part): test_real_kvm_numbers: this machine's /dev/kvm (%u,%u) does not answer "
				"KVM_GET_API_VERSION with 12, so only its refusal was checked\n",
			major(st.st_rdev), minor(st.st_rdev));
		assert_false(v.usable);
	}
	accel_verdict_clear(&v);
}

/* Root bypasses file modes through CAP_DAC_OVERRIDE; drop it (and DAC_READ_SEARCH) in a child. */
static void test_permission_denied(void **state)
{
	struct root *r = *state;
	struct accel_verdict v;
	int pipefd[2], status;
	char buf[512] = { 0 };
	pid_t pid;

	node(r, "kvm", S_IFCHR | 0000, makedev(1, 3));

	/* as root with its capabilities the mode does not matter: that is why the child drops them */
	detect_accel(r->dir, HYPERVISOR_KVM, PROBE_SHALLOW, &v);
	assert_true(v.openable);
	accel_verdict_clear(&v);

	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		capng_get_caps_process();
		capng_update(CAPNG_DROP, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_DAC_OVERRIDE);
		capng_update(CAPNG_DROP, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_DAC_READ_SEARCH);
		if (capng_apply(CAPNG_SELECT_CAPS) < 0)
			_exit(3);
		detect_accel(r->dir, HYPERVISOR_KVM, PROBE_SHALLOW, &v);
		dprintf(pipefd[1], "%d%d%d%d %s", v.exists, v.present, v.openable, v.usable, v.reason);
		_exit(0);
	}
	close(pipefd[1]);
	assert_true(read(pipefd[0], buf, sizeof(buf) - 1) > 0);
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(contains(buf, "1100 "));
	assert_true(contains(buf, "is present but opening it read-write was refused: permission denied."));
}

static void test_qemu_has_no_device(void **state)
{
	struct accel_verdict v;
	(void)state;

	detect_accel("/", HYPERVISOR_QEMU, PROBE_DEEP, &v);
	assert_false(v.checked);
	assert_null(v.path);
	assert_non_null(v.reason);
	accel_verdict_clear(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_path),
		cmocka_unit_test_setup_teardown(test_missing, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_dangling_symlink, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_regular_file, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_directory, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_null_like_kvm, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_null_like_mshv_shallow, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_null_like_mshv_deep, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_mshv_deep_success, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_kvm_wrong_version, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_no_driver, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_real_kvm_numbers, make_root, remove_root),
		cmocka_unit_test_setup_teardown(test_permission_denied, make_root, remove_root),
		cmocka_unit_test(test_qemu_has_no_device),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
