/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `hvl-launcher run --vmi FILE`: run a VMI by hand through libvirt.
 *
 * decide → convert → adapt to this machine (run-local.h) → define (validated)
 * → start → copy the serial console to stdout until the domain is shut off.
 * SIGINT/SIGTERM/SIGHUP ask the guest to shut down; after --grace-period (or on a
 * second signal) it is destroyed; --timeout destroys it after S seconds.  The
 * domain is undefined on every path once it was defined.  Exit status 0 when
 * the guest powered itself off, 6 for every other end of the VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "cpu-check.h"
#include "domain.h"
#include "fileio.h"
#include "log.h"
#include "prepare.h"
#include "run-local.h"
#include "select.h"
#include "state.h"
#include "util.h"

#define RUN_DEFAULT_URI "qemu:///system"
#define RUN_POLL_NS (100 * 1000 * 1000L)

static volatile sig_atomic_t stop_signal, stop_count;

static void on_signal(int sig)
{
	stop_signal = sig;
	stop_count++;
}

static void ignore_libvirt_errors(void *data, virErrorPtr error)
{
	(void)data;
	(void)error; /* reported through hvl_error with virGetLastErrorMessage() instead */
}

struct run {
	const struct hvl_options *opts;
	char *dir;           /* private directory: serial log, sockets, the adapted domain */
	char *serial_log;
	char *xml;
	char *name;
	struct disk_mapping *disks; /* --disk with absolute paths: libvirt's schema wants them */
	size_t n_disks;
	virConnectPtr conn;
	virDomainPtr dom;
	int serial_fd;
	bool keep_dir;       /* on VM failure the directory stays, for the log */
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int libvirt_error(hvl_error **err, int status, const char *what)
{
	return hvl_error_set(err, status, "%s: %s", what, virGetLastErrorMessage());
}

/* ---- preparing the domain ---- */

static int check_disk_names(const struct hvl_options *opts, const struct vmi *vmi, hvl_error **err)
{
	for (size_t i = 0; i < opts->n_disks; i++) {
		const char *name = opts->disks[i].volume;
		bool boot = vmi->firmware.has_kernel_boot &&
			    (strcmp(name, RUN_DISK_KERNEL) == 0 || strcmp(name, RUN_DISK_INITRD) == 0);
		if (!boot && vmi_find_volume(vmi, name) == NULL)
			return hvl_error_set(err, HVL_EXIT_USAGE,
					     "--disk %s=%s: the VMI has no volume '%s'%s.", name, opts->disks[i].path,
					     name, vmi->firmware.has_kernel_boot ? " (kernel boot also takes 'kernel' and "
										   "'initrd')"
										 : "");
	}
	return 0;
}

static int resolve_disks(struct run *r, hvl_error **err)
{
	const struct hvl_options *opts = r->opts;

	r->disks = xcalloc(opts->n_disks + 1, sizeof(*r->disks));
	for (size_t i = 0; i < opts->n_disks; i++) {
		char *path = access(opts->disks[i].path, R_OK) == 0 ? realpath(opts->disks[i].path, NULL) : NULL;
		if (path == NULL)
			return hvl_error_set_errno(err, HVL_EXIT_USAGE, errno, "--disk %s=%s: cannot read '%s'",
						   opts->disks[i].volume, opts->disks[i].path, opts->disks[i].path);
		r->disks[r->n_disks++] = (struct disk_mapping){ xstrdup(opts->disks[i].volume), path };
	}
	return 0;
}

static char *domain_name(xmlDocPtr doc)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	char *name = NULL;

	for (xmlNodePtr c = root ? root->children : NULL; c && name == NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST "name") == 0) {
			xmlChar *text = xmlNodeGetContent(c);
			name = xstrdup((const char *)text);
			xmlFree(text);
		}
	return name;
}

static int adapt(struct run *r, const char *converted, hvl_error **err)
{
	_cleanup_xml_doc_ xmlDocPtr doc = xmlReadMemory(converted, (int)strlen(converted), "domain.xml", NULL,
							XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
								XML_PARSE_NOWARNING);
	_cleanup_free_ char *path = NULL;
	_cleanup_error_ hvl_error *save_err = NULL;
	size_t len;

	if (doc == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "The converted domain is not well-formed XML.");
	r->name = domain_name(doc);
	if (r->name == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "The converted domain has no <name>.");
	if (run_local_adapt(doc, r->dir, r->serial_log, r->disks, r->n_disks, err) < 0 ||
	    domain_format(doc, &r->xml, &len, err) < 0)
		return -1;
	/* For people: what was defined.  Not needed to run, so a failure is only logged. */
	path = xasprintf("%s/domain.xml", r->dir);
	if (state_write_file(path, r->xml, len, &save_err) < 0)
		log_warning("run: %s", save_err->msg);
	else
		log_info("run: the domain as defined is in '%s'.", path);
	return 0;
}

static int prepare(struct run *r, hvl_error **err)
{
	struct decision d = { 0 };
	struct prepared_vmi p = { .overhead_bytes = -1 };
	struct cpu_check cpu = { 0 };
	const char *tmpdir = getenv("TMPDIR");
	int ret = -1;

	if (resolve_disks(r, err) < 0 || decide(r->opts, &d, err) < 0)
		return -1;
	if (decision_require(&d, err) < 0)
		goto out;
	log_info("Hypervisor %s: %s", hypervisor_name(d.chosen), d.reason);
	cpu_check_for(&d, &cpu);
	/* The firmware QEMU loads must be on this machine: without --ovmf-path, a directory that exists here. */
	struct prepare_params pp = { .kubevirt_config = r->opts->kubevirt_config,
				     .cpu_model = r->opts->cpu_model,
				     .cpu = &cpu,
				     .dev_root = r->opts->dev_root,
				     .ovmf_path = r->opts->ovmf_path,
				     .ovmf_local = true,
				     .disks = r->disks,
				     .n_disks = r->n_disks };
	if (prepare_vmi(r->opts->vmi_path, d.chosen, &pp, &p, err) < 0 ||
	    check_disk_names(r->opts, p.vmi, err) < 0)
		goto out;
	log_set_vmi(p.vmi->name, p.vmi->namespace_, p.vmi->uid);
	r->dir = xasprintf("%s/hvl-run.XXXXXX", tmpdir && tmpdir[0] == '/' ? tmpdir : "/tmp");
	if (mkdtemp(r->dir) == NULL) {
		hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot create a private directory '%s'", r->dir);
		free(r->dir);
		r->dir = NULL;
		goto out;
	}
	/* QEMU runs as another user (libvirt-qemu) and opens some files moved here (NVRAM) by path. */
	chmod(r->dir, 0711);
	r->serial_log = xasprintf("%s/serial0.log", r->dir);
	ret = adapt(r, p.domain_xml, err);
out:
	cpu_check_clear(&cpu);
	prepared_vmi_free(&p);
	decision_free(&d);
	return ret;
}

/* ---- the libvirt lifecycle ---- */

static int define(struct run *r, hvl_error **err)
{
	const char *uri = r->opts->connect_uri ? r->opts->connect_uri : RUN_DEFAULT_URI;
	virDomainPtr existing;

	virSetErrorFunc(NULL, ignore_libvirt_errors);
	r->conn = virConnectOpen(uri);
	if (r->conn == NULL)
		return hvl_error_set(err, HVL_EXIT_VM_FAILED,
				     "Cannot connect to libvirt at '%s' (is libvirtd running? scripts/start-services): %s",
				     uri, virGetLastErrorMessage());
	/* Defining over an existing domain of the same name would replace it, and the cleanup would undefine it. */
	existing = virDomainLookupByName(r->conn, r->name);
	if (existing) {
		virDomainFree(existing);
		return hvl_error_set(err, HVL_EXIT_VM_FAILED,
				     "A domain named '%s' already exists at '%s'; `run` will not replace it.", r->name,
				     uri);
	}
	r->dom = virDomainDefineXMLFlags(r->conn, r->xml, VIR_DOMAIN_DEFINE_VALIDATE);
	if (r->dom == NULL)
		return libvirt_error(err, HVL_EXIT_VM_FAILED, "Cannot define the domain");
	log_info("run: defined domain '%s' at '%s'.", r->name, uri);
	return 0;
}

static void pump_serial(struct run *r)
{
	char buf[8192];
	ssize_t n;

	if (r->serial_fd < 0)
		r->serial_fd = open(r->serial_log, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (r->serial_fd < 0)
		return;
	while ((n = read(r->serial_fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			break;
	fflush(stdout);
}

struct outcome {
	int state, reason;
	bool destroyed; /* by us: grace period over, second signal, or --timeout */
	const char *why_destroyed;
};

static void request_stop(struct run *r, struct outcome *o, double *grace_deadline)
{
	if (*grace_deadline == 0) {
		log_info("run: signal %d: asking the guest to shut down (grace period %ld s).", (int)stop_signal,
			 r->opts->grace_period);
		if (virDomainShutdown(r->dom) < 0)
			log_warning("run: shutdown request failed: %s", virGetLastErrorMessage());
		*grace_deadline = now() + (double)r->opts->grace_period;
	} else if (stop_count > 1 && !o->destroyed) {
		o->why_destroyed = "a second signal arrived";
		o->destroyed = virDomainDestroy(r->dom) == 0;
	}
}

static int wait_for_shutoff(struct run *r, struct outcome *o, hvl_error **err)
{
	double deadline = r->opts->timeout > 0 ? now() + (double)r->opts->timeout : 0, grace_deadline = 0;
	struct timespec poll = { 0, RUN_POLL_NS };

	for (;;) {
		pump_serial(r);
		if (virDomainGetState(r->dom, &o->state, &o->reason, 0) < 0)
			return libvirt_error(err, HVL_EXIT_VM_FAILED, "Cannot read the domain state");
		if (o->state == VIR_DOMAIN_SHUTOFF)
			return 0;
		/* Ends that no waiting will mend: a crash, or a disk error paused it (error_policy stop). */
		if (!o->destroyed && (o->state == VIR_DOMAIN_CRASHED ||
				      (o->state == VIR_DOMAIN_PAUSED && o->reason == VIR_DOMAIN_PAUSED_IOERROR))) {
			o->why_destroyed = o->state == VIR_DOMAIN_CRASHED ? "the guest crashed"
									  : "a disk I/O error paused the guest";
			if (virDomainDestroy(r->dom) < 0)
				return libvirt_error(err, HVL_EXIT_VM_FAILED, "Cannot destroy the domain");
			o->destroyed = true;
		}
		if (stop_signal)
			request_stop(r, o, &grace_deadline);
		if (!o->destroyed && grace_deadline > 0 && now() >= grace_deadline) {
			o->why_destroyed = "the guest did not shut down within the grace period";
			o->destroyed = virDomainDestroy(r->dom) == 0;
		}
		if (!o->destroyed && deadline > 0 && now() >= deadline) {
			log_warning("run: --timeout %ld s reached: destroying the domain.", r->opts->timeout);
			o->why_destroyed = "--timeout was reached";
			o->destroyed = virDomainDestroy(r->dom) == 0;
		}
		nanosleep(&poll, NULL);
	}
}

static const char *shutoff_reason(int reason)
{
	switch (reason) {
	case VIR_DOMAIN_SHUTOFF_SHUTDOWN: return "the guest shut down";
	case VIR_DOMAIN_SHUTOFF_DESTROYED: return "destroyed";
	case VIR_DOMAIN_SHUTOFF_CRASHED: return "the guest crashed";
	case VIR_DOMAIN_SHUTOFF_FAILED: return "QEMU failed";
	case VIR_DOMAIN_SHUTOFF_SAVED: return "saved";
	case VIR_DOMAIN_SHUTOFF_MIGRATED: return "migrated";
	case VIR_DOMAIN_SHUTOFF_DAEMON: return "libvirt stopped it";
	default: return "unknown reason";
	}
}

/*
 * Installed before the domain is defined: from then on a signal must lead to the
 * cleanup, not end the process.  A closed terminal or a reader gone from the pipe
 * must not kill us either.
 */
static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int start_and_wait(struct run *r, hvl_error **err)
{
	struct outcome o = { 0 };

	if (virDomainCreate(r->dom) < 0)
		return libvirt_error(err, HVL_EXIT_VM_FAILED, "Cannot start the domain");
	log_info("run: domain '%s' started.", r->name);
	if (wait_for_shutoff(r, &o, err) < 0)
		return -1;
	pump_serial(r);
	if (o.destroyed)
		return hvl_error_set(err, HVL_EXIT_VM_FAILED, "The domain '%s' was destroyed: %s.", r->name,
				     o.why_destroyed);
	if (o.reason != VIR_DOMAIN_SHUTOFF_SHUTDOWN)
		return hvl_error_set(err, HVL_EXIT_VM_FAILED, "The domain '%s' stopped: %s.", r->name,
				     shutoff_reason(o.reason));
	log_info("run: the guest powered off.");
	return 0;
}

/* ---- cleanup, on every path ---- */

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (remove(path) < 0)
		log_warning("run: cannot remove '%s': %s", path, strerror(errno));
	return 0;
}

/* The directory is ours (mkdtemp) and holds only what libvirt and we created in it. */
static void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void cleanup(struct run *r, bool failed)
{
	if (r->dom) {
		int state = 0, reason = 0;
		if (virDomainGetState(r->dom, &state, &reason, 0) == 0 && state != VIR_DOMAIN_SHUTOFF)
			virDomainDestroy(r->dom);
		if (virDomainUndefineFlags(r->dom, VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
							   VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
							   VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA) < 0)
			log_error("run: cannot undefine '%s': %s", r->name, virGetLastErrorMessage());
		else
			log_info("run: undefined domain '%s'.", r->name);
		virDomainFree(r->dom);
	}
	if (r->conn)
		virConnectClose(r->conn);
	if (r->serial_fd >= 0)
		close(r->serial_fd);
	if (r->dir && failed)
		log_info("run: kept '%s' (serial log, domain XML) for inspection.", r->dir);
	else if (r->dir)
		remove_tree(r->dir);
	for (size_t i = 0; i < r->n_disks; i++) {
		free(r->disks[i].volume);
		free(r->disks[i].path);
	}
	free(r->disks);
	free(r->dir);
	free(r->serial_log);
	free(r->xml);
	free(r->name);
}

int cmd_run(const struct hvl_options *opts, hvl_error **err)
{
	struct run r = { .opts = opts, .serial_fd = -1 };
	int ret;

	if (opts->vmi_path == NULL)
		return hvl_error_set(err, HVL_EXIT_USAGE, "'run' needs a VMI: hvl-launcher run --vmi FILE.");
	log_set_vmi(NULL, NULL, NULL);
	ret = prepare(&r, err);
	if (ret == 0) {
		catch_signals();
		ret = define(&r, err);
	}
	/* A signal that came while defining: stop here, the domain is not started. */
	if (ret == 0 && stop_signal)
		ret = hvl_error_set(err, HVL_EXIT_VM_FAILED, "Stopped by signal %d before the domain was started.",
				    (int)stop_signal);
	if (ret == 0)
		ret = start_and_wait(&r, err);
	/* The console copy never stops the guest; a copy that did not arrive fails the run once the guest is done. */
	if (ret == 0)
		ret = stdout_finish("the serial console", err);
	cleanup(&r, ret < 0 && r.xml != NULL);
	return ret;
}
