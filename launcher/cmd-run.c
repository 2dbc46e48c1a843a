/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `hvl-launcher run --vmi FILE`: run a VMI by hand through libvirt, for exactly as long as the command runs.
 *
 * decide → convert → adapt to this machine (run-local.h) → virDomainCreateXML(VALIDATE | AUTODESTROY |
 * PAUSED): a transient domain, validated against libvirt's schema, that libvirtd destroys when this command's
 * connection goes away, however it goes (a SIGKILL included), and whose name is taken atomically (a second run
 * of the same VMI is refused by libvirt and never touches the first) → serial console copied (run-console.h)
 * → resume → wait for the domain to stop.
 *
 * Stopping: SIGINT/SIGTERM/SIGHUP ask the guest to shut down; after --grace-period (or on a second signal, or
 * SIGQUIT) it is destroyed; --timeout destroys it after S seconds.  A watchdog thread makes every one of these
 * ends final (run-watch.h): RUN_HARD_MARGIN_S seconds past its deadline the command exits (6), whatever
 * libvirtd does; a
 * daemon that stopped answering is noticed by keepalive (run-conn.h) within about RUN_KEEPALIVE_DEAD_S seconds.
 * A connection that ends under a running guest (libvirtd restarted) is opened again, and the command goes on
 * with the guest if libvirt still has it, or says what became of it.  virtlogd's loss is reported (run-logd.h).
 *
 * Exit status 0 when the guest powered itself off, 6 for every other end of the VM.  docs/launch.md.
 */
#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "cpu-check.h"
#include "domain.h"
#include "log.h"
#include "prepare.h"
#include "run-conn.h"
#include "run-console.h"
#include "run-dir.h"
#include "run-local.h"
#include "run-logd.h"
#include "run-watch.h"
#include "select.h"
#include "state.h"
#include "util.h"

#define RUN_DEFAULT_URI "qemu:///system"
#define RUN_POLL_NS (100 * 1000 * 1000L)
#define RUN_CONNECT_TIMEOUT_S 15  /* a libvirtd that accepts but does not answer, at the start */
#define RUN_RECONNECT_WINDOW_S 30 /* how long a lost libvirtd may take to come back */
#define RUN_LOGD_PERIOD_S 2       /* between two looks at virtlogd */

static void ignore_libvirt_errors(void *data, virErrorPtr error)
{
	(void)data;
	(void)error; /* reported through hvl_error with virGetLastErrorMessage() instead */
}

struct run {
	const struct hvl_options *opts;
	const char *uri;
	struct run_dir dir;  /* private directory: NVRAM, sockets, the adapted domain */
	char *xml;
	char *name;
	struct disk_mapping *disks; /* --disk with absolute paths: libvirt's schema wants them */
	size_t n_disks;
	struct run_conn conn;
	virDomainPtr dom;
	unsigned char uuid[VIR_UUID_BUFLEN];
	int lifecycle_cb;    /* -1 when not registered */
	int stopped;         /* atomic: libvirt said the domain stopped */
	int stopped_detail;  /* VIR_DOMAIN_EVENT_STOPPED_* */
	struct run_console console;
	char *console_path;
	bool console_warned;
	char *logd_socket;
	enum run_logd_state logd;
	double logd_next;
};

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

/* converted is freed once parsed: a large domain is in memory once as text and once as a tree, not twice. */
static int adapt(struct run *r, char **converted, hvl_error **err)
{
	/* Our own output, so trusted: XML_PARSE_HUGE, or a VMI's 15 MiB string (a 60 MB text node) fails here. */
	_cleanup_xml_doc_ xmlDocPtr doc = xmlReadMemory(*converted, (int)strlen(*converted), "domain.xml", NULL,
							XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
								XML_PARSE_NOWARNING | XML_PARSE_HUGE);
	_cleanup_free_ char *path = NULL;
	_cleanup_error_ hvl_error *save_err = NULL;
	size_t len;

	free(*converted);
	*converted = NULL;

	if (doc == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "The converted domain is not well-formed XML.");
	r->name = domain_name(doc);
	if (r->name == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "The converted domain has no <name>.");
	if (run_local_adapt(doc, r->dir.path, r->disks, r->n_disks, err) < 0 ||
	    domain_format(doc, &r->xml, &len, err) < 0)
		return -1;
	/* For people, while it runs: what was started.  Not needed to run, so a failure is only logged. */
	path = xasprintf("%s/domain.xml", r->dir.path);
	if (state_write_file(path, r->xml, len, &save_err) < 0)
		log_warning("run: %s", save_err->msg);
	else
		log_info("run: the domain as started is in '%s' while it runs.", path);
	return 0;
}

static int prepare(struct run *r, const char *tmpdir, hvl_error **err)
{
	struct decision d = { 0 };
	struct prepared_vmi p = { .overhead_bytes = -1 };
	struct cpu_check cpu = { 0 };
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
	if (run_dir_create(tmpdir, &r->dir, err) < 0)
		goto out;
	r->console_path = xasprintf("%s/serial0.sock", r->dir.path);
	ret = adapt(r, &p.domain_xml, err);
out:
	cpu_check_clear(&cpu);
	prepared_vmi_free(&p);
	decision_free(&d);
	return ret;
}

/* ---- the libvirt lifecycle ---- */

static int libvirt_error(hvl_error **err, int status, const char *what)
{
	return hvl_error_set(err, status, "%s: %s", what, virGetLastErrorMessage());
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
	struct run *r = opaque;

	(void)conn;
	(void)dom;
	if (event == VIR_DOMAIN_EVENT_STOPPED) {
		__atomic_store_n(&r->stopped_detail, detail, __ATOMIC_RELAXED);
		__atomic_store_n(&r->stopped, 1, __ATOMIC_RELEASE);
	}
	return 0;
}

static const char *state_name(int state)
{
	switch (state) {
	case VIR_DOMAIN_RUNNING: return "running";
	case VIR_DOMAIN_PAUSED: return "paused";
	case VIR_DOMAIN_SHUTDOWN: return "shutting down";
	case VIR_DOMAIN_SHUTOFF: return "shut off";
	case VIR_DOMAIN_CRASHED: return "crashed";
	default: return "in an unknown state";
	}
}

static int connect_libvirt(struct run *r, hvl_error **err)
{
	bool refused;
	virDomainPtr existing;
	int state = 0, reason = 0;

	virSetErrorFunc(NULL, ignore_libvirt_errors);
	if (run_events_start(err) < 0 ||
	    run_conn_open(&r->conn, r->uri, RUN_CONNECT_TIMEOUT_S, run_stop_flag(), &refused, err) < 0)
		return -1;
	/* The name is taken atomically by virDomainCreateXML; this only gives a clearer message in the common case. */
	existing = virDomainLookupByName(r->conn.conn, r->name);
	if (existing) {
		if (virDomainGetState(existing, &state, &reason, 0) < 0)
			state = -1;
		virDomainFree(existing);
		return hvl_error_set(err, HVL_EXIT_VM_FAILED,
				     "A domain named '%s' already exists at '%s' (%s): `run` does not touch it. Is another "
				     "`run` of this VMI running?",
				     r->name, r->uri, state_name(state));
	}
	virResetLastError();
	return 0;
}

/* After the domain's start failed: was it because another run took the name meanwhile? */
static int start_failed(struct run *r, hvl_error **err)
{
	_cleanup_free_ char *why = xstrdup(virGetLastErrorMessage());
	virErrorPtr e = virGetLastError();
	int code = e ? e->code : 0;
	virDomainPtr other;

	if (code == VIR_ERR_OPERATION_INVALID || code == VIR_ERR_OPERATION_FAILED || code == VIR_ERR_DOM_EXIST) {
		other = virDomainLookupByName(r->conn.conn, r->name);
		if (other) {
			virDomainFree(other);
			return hvl_error_set(err, HVL_EXIT_VM_FAILED,
					     "A domain named '%s' started at '%s' at the same time (another `run` of this "
					     "VMI?): `run` does not touch it. libvirt said: %s",
					     r->name, r->uri, why);
		}
	}
	return hvl_error_set(err, HVL_EXIT_VM_FAILED, "Cannot start the domain '%s': %s", r->name, why);
}

/* Lifecycle events, on the current connection. */
static int watch_lifecycle(struct run *r, hvl_error **err)
{
	r->lifecycle_cb = virConnectDomainEventRegisterAny(r->conn.conn, r->dom, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
							   VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), r, NULL);
	if (r->lifecycle_cb < 0)
		return libvirt_error(err, HVL_EXIT_VM_FAILED, "Cannot watch the domain's lifecycle");
	return 0;
}

static int start(struct run *r, hvl_error **err)
{
	unsigned int flags = VIR_DOMAIN_START_VALIDATE | VIR_DOMAIN_START_AUTODESTROY | VIR_DOMAIN_START_PAUSED;

	r->dom = virDomainCreateXML(r->conn.conn, r->xml, flags);
	if (r->dom == NULL)
		return start_failed(r, err);
	if (virDomainGetUUID(r->dom, r->uuid) < 0)
		return libvirt_error(err, HVL_EXIT_VM_FAILED, "Cannot read the domain's UUID");
	log_info("run: started domain '%s' at '%s' (transient: libvirt destroys it when this command ends).",
		 r->name, r->uri);
	/* Started paused: the console is copied before the guest prints its first line. */
	if (watch_lifecycle(r, err) < 0 || run_console_open(&r->console, r->console_path, err) < 0)
		return -1;
	if (virDomainResume(r->dom) < 0)
		return libvirt_error(err, HVL_EXIT_VM_FAILED, "Cannot resume the domain");
	return 0;
}

struct outcome {
	bool destroyed; /* by us: grace period over, second signal, SIGQUIT, --timeout, crash, I/O error */
	const char *why_destroyed;
	char *why_owned;    /* an allocated why_destroyed */
	bool gone;          /* the domain no longer exists */
	int detail;         /* VIR_DOMAIN_EVENT_STOPPED_*, -1 when libvirt did not say */
};

static void destroy(struct run *r, struct outcome *o, const char *why)
{
	if (o->destroyed)
		return;
	o->why_destroyed = why;
	o->destroyed = virDomainDestroy(r->dom) == 0;
	if (!o->destroyed)
		log_warning("run: cannot destroy the domain: %s", virGetLastErrorMessage());
}

static void request_stop(struct run *r, struct outcome *o, double *grace_deadline)
{
	if (run_quit_signal()) {
		destroy(r, o, "SIGQUIT arrived");
		return;
	}
	if (*grace_deadline == 0) {
		log_info("run: signal %d: asking the guest to shut down (grace period %ld s).", (int)run_stop_signal(),
			 r->opts->grace_period);
		*grace_deadline = run_now() + (double)r->opts->grace_period;
		if (virDomainShutdown(r->dom) < 0)
			log_warning("run: shutdown request failed: %s", virGetLastErrorMessage());
	} else if (run_stop_count() > 1 && !o->destroyed) {
		destroy(r, o, "a second signal arrived");
	}
}

/* A disk error paused the guest: which disk, and what error. */
static char *io_error_reason(struct run *r)
{
	virDomainDiskError errors[16];
	int n = virDomainGetDiskErrors(r->dom, errors, HVL_ARRAY_SIZE(errors), 0);
	char *why = NULL;

	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *disk = run_local_describe_disk(r->xml, errors[i].disk);
		const char *what = errors[i].error == VIR_DOMAIN_DISK_ERROR_NO_SPACE ? "no space left on the device"
											: "an I/O error";
		char *more = why ? xasprintf("%s; %s: %s", why, disk, what)
				 : xasprintf("a disk I/O error paused the guest: %s: %s", disk, what);
		free(why);
		why = more;
		free(errors[i].disk);
	}
	return why ? why : xstrdup("a disk I/O error paused the guest (libvirt names no disk)");
}

/* The domain is gone: how it ended, from the lifecycle event (which may trail the state by a moment). */
static void note_gone(struct run *r, struct outcome *o)
{
	struct timespec tick = { 0, 50 * 1000 * 1000L };

	for (int i = 0; i < 40 && !__atomic_load_n(&r->stopped, __ATOMIC_ACQUIRE); i++)
		nanosleep(&tick, NULL);
	o->gone = true;
	o->detail = __atomic_load_n(&r->stopped, __ATOMIC_ACQUIRE) ? __atomic_load_n(&r->stopped_detail, __ATOMIC_RELAXED)
								   : -1;
}

static void watch_logd(struct run *r)
{
	enum run_logd_state s;
	int pid;

	if (r->logd_socket == NULL || run_now() < r->logd_next)
		return;
	r->logd_next = run_now() + RUN_LOGD_PERIOD_S;
	s = run_logd_probe(r->logd_socket, &pid);
	if (s == r->logd || s == RUN_LOGD_UNKNOWN)
		return;
	if (s == RUN_LOGD_GONE)
		log_warning("run: virtlogd is gone (nothing listens on '%s'): QEMU's log of the domain is no longer "
			    "written, and libvirtd cannot log the domain's stop. The console is not affected: it is read "
			    "from QEMU's socket.",
			    r->logd_socket);
	else if (s == RUN_LOGD_STOPPED)
		log_warning("run: virtlogd (pid %d) is stopped: QEMU's log of the domain is not written, and libvirtd "
			    "will wait for virtlogd when the domain stops. The console is not affected: it is read from "
			    "QEMU's socket.",
			    pid);
	else if (r->logd != RUN_LOGD_UNKNOWN)
		log_info("run: virtlogd answers again (pid %d).", pid);
	r->logd = s;
}

static void watch_console(struct run *r)
{
	bool eof;
	int errnum;

	if (!r->console_warned && run_console_ended(&r->console, &eof, &errnum) && !eof) {
		r->console_warned = true;
		log_warning("run: the serial console copy stopped: cannot read '%s': %s", r->console_path,
			    strerror(errnum));
	}
}

/* Forget the connection that was lost, and what hung on it (the console does not: it is QEMU's socket). */
static void detach(struct run *r)
{
	if (r->dom) {
		virDomainFree(r->dom);
		r->dom = NULL;
	}
	r->lifecycle_cb = -1;
	run_conn_close(&r->conn);
}

static bool past(double deadline)
{
	return deadline > 0 && run_now() >= deadline;
}

/*
 * The connection ended under a running guest.  Open it again and go on with the guest if libvirt still has it
 * (a daemon that crashed and came back keeps its domains), else say what became of it: a daemon that closed
 * the connection itself (stopped, restarted) destroyed it then, for AUTODESTROY.
 */
static int reconnect(struct run *r, int reason, double timeout_deadline, hvl_error **err)
{
	double until = run_now() + RUN_RECONNECT_WINDOW_S;
	const char *fate = reason == VIR_CONNECT_CLOSE_REASON_KEEPALIVE
				   ? "libvirtd destroys it as soon as it runs again and sees this command's connection gone"
				   : "libvirtd destroyed it when this command's connection ended";
	_cleanup_free_ char *away = NULL;
	int state = 0, st_reason = 0;

	log_warning("run: lost the connection to libvirt at '%s': %s.", r->uri, run_conn_reason_text(reason));
	detach(r);
	while (!run_stop_signal() && !past(timeout_deadline) && run_now() < until) {
		_cleanup_error_ hvl_error *open_err = NULL;
		bool refused;
		int wait = (int)(until - run_now()) + 1;
		if (run_conn_open(&r->conn, r->uri, wait < 5 ? wait : 5, run_stop_flag(), &refused, &open_err) == 0)
			break;
		if (refused) {
			struct timespec pause = { 0, 500 * 1000 * 1000L };
			nanosleep(&pause, NULL);
		}
	}
	if (r->conn.conn == NULL) {
		away = run_stop_signal() ? xasprintf("was away when signal %d asked to stop", (int)run_stop_signal())
		       : past(timeout_deadline) ? xstrdup("was away when --timeout was reached")
						: xasprintf("did not come back within %d s", RUN_RECONNECT_WINDOW_S);
		return hvl_error_set(err, HVL_EXIT_VM_FAILED,
				     "libvirt at '%s' %s: run ends without knowing what became of the domain '%s'. It was "
				     "started with AUTODESTROY: %s.",
				     r->uri, away, r->name, fate);
	}
	r->dom = virDomainLookupByUUID(r->conn.conn, r->uuid);
	if (r->dom == NULL || virDomainGetState(r->dom, &state, &st_reason, 0) < 0)
		return hvl_error_set(err, HVL_EXIT_VM_FAILED,
				     "libvirt at '%s' is back, and the domain '%s' is gone: it was started with "
				     "AUTODESTROY, and %s.",
				     r->uri, r->name, fate);
	log_warning("run: reconnected to libvirt at '%s'; the domain '%s' is still %s, and run goes on with it. "
		    "libvirt no longer ties it to this command (a libvirtd that restarts without closing its "
		    "connections forgets AUTODESTROY): from now on only run's own ends destroy it.",
		    r->uri, r->name, state_name(state));
	return watch_lifecycle(r, err);
}

static int wait_for_end(struct run *r, struct outcome *o, hvl_error **err)
{
	double deadline = r->opts->timeout > 0 ? run_now() + (double)r->opts->timeout : 0, grace_deadline = 0;
	struct timespec poll = { 0, RUN_POLL_NS };
	int state, reason, lost_reason;

	if (deadline > 0)
		run_watch_arm(deadline, "--timeout was reached");
	for (;;) {
		if (run_stop_signal())
			request_stop(r, o, &grace_deadline);
		if (!o->destroyed && past(grace_deadline))
			destroy(r, o, "the guest did not shut down within the grace period");
		if (!o->destroyed && past(deadline)) {
			log_warning("run: --timeout %ld s reached: destroying the domain.", r->opts->timeout);
			destroy(r, o, "--timeout was reached");
		}
		if (run_conn_lost(&r->conn, &lost_reason)) {
			if (reconnect(r, lost_reason, deadline, err) < 0)
				return -1;
			continue;
		}
		if (__atomic_load_n(&r->stopped, __ATOMIC_ACQUIRE)) {
			note_gone(r, o);
			return 0;
		}
		if (virDomainGetState(r->dom, &state, &reason, 0) < 0) {
			virErrorPtr e = virGetLastError();
			if (e && e->code == VIR_ERR_NO_DOMAIN) {
				note_gone(r, o);
				return 0;
			}
			if (run_conn_lost(&r->conn, &lost_reason))
				continue;
			return libvirt_error(err, HVL_EXIT_VM_FAILED, "Cannot read the domain state");
		}
		/* Ends that no waiting will mend: a crash, or a disk error paused it (error_policy stop). */
		if (!o->destroyed && state == VIR_DOMAIN_CRASHED)
			destroy(r, o, "the guest crashed");
		if (!o->destroyed && state == VIR_DOMAIN_PAUSED && reason == VIR_DOMAIN_PAUSED_IOERROR) {
			o->why_owned = io_error_reason(r);
			destroy(r, o, o->why_owned);
		}
		watch_console(r);
		watch_logd(r);
		nanosleep(&poll, NULL);
	}
}

static const char *stopped_reason(int detail)
{
	switch (detail) {
	case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN: return "the guest shut down";
	case VIR_DOMAIN_EVENT_STOPPED_DESTROYED: return "it was destroyed (not by run)";
	case VIR_DOMAIN_EVENT_STOPPED_CRASHED: return "the guest crashed";
	case VIR_DOMAIN_EVENT_STOPPED_FAILED: return "QEMU failed";
	case VIR_DOMAIN_EVENT_STOPPED_SAVED: return "it was saved";
	case VIR_DOMAIN_EVENT_STOPPED_MIGRATED: return "it was migrated";
	default: return "libvirt did not say why";
	}
}

static int run_domain(struct run *r, hvl_error **err)
{
	struct outcome o = { .detail = -1 };
	int ret = -1;

	if (start(r, err) < 0 || wait_for_end(r, &o, err) < 0)
		goto out;
	/* The console's last bytes: the stream ends with the domain. */
	run_console_close(&r->console, 1000);
	if (o.destroyed)
		ret = hvl_error_set(err, HVL_EXIT_VM_FAILED, "The domain '%s' was destroyed: %s.", r->name,
				    o.why_destroyed);
	else if (o.detail != VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN)
		ret = hvl_error_set(err, HVL_EXIT_VM_FAILED, "The domain '%s' stopped: %s.", r->name,
				    stopped_reason(o.detail));
	else {
		log_info("run: the guest powered off.");
		ret = 0;
	}
out:
	free(o.why_owned);
	return ret;
}

/* ---- cleanup, on every path ---- */

static void cleanup(struct run *r)
{
	int state, reason;

	/* An end of ours while the guest runs (an error, a lost console): AUTODESTROY would do it, but say it. */
	if (r->dom && r->conn.conn && virDomainGetState(r->dom, &state, &reason, 0) == 0) {
		if (virDomainDestroy(r->dom) == 0)
			log_info("run: destroyed domain '%s'.", r->name);
	}
	run_console_close(&r->console, 0);
	if (r->lifecycle_cb >= 0 && r->conn.conn)
		virConnectDomainEventDeregisterAny(r->conn.conn, r->lifecycle_cb);
	if (r->dom)
		virDomainFree(r->dom);
	run_conn_close(&r->conn);
	run_watch_disarm();
	run_events_stop();
	run_dir_remove(&r->dir);
	for (size_t i = 0; i < r->n_disks; i++) {
		free(r->disks[i].volume);
		free(r->disks[i].path);
	}
	free(r->disks);
	free(r->xml);
	free(r->name);
	free(r->logd_socket);
	free(r->console_path);
}

int cmd_run(const struct hvl_options *opts, hvl_error **err)
{
	struct run r = { .opts = opts, .dir = RUN_DIR_INIT, .lifecycle_cb = -1, .console = RUN_CONSOLE_INIT };
	const char *tmpdir = getenv("TMPDIR");
	int ret;

	if (opts->vmi_path == NULL)
		return hvl_error_set(err, HVL_EXIT_USAGE, "'run' needs a VMI: hvl-launcher run --vmi FILE.");
	r.uri = opts->connect_uri ? opts->connect_uri : RUN_DEFAULT_URI;
	tmpdir = tmpdir && tmpdir[0] == '/' ? tmpdir : "/tmp";
	log_set_vmi(NULL, NULL, NULL);
	run_dir_reap(tmpdir);
	ret = prepare(&r, tmpdir, err);
	if (ret == 0) {
		/* From here on a signal leads to the cleanup, not to the end of the process. */
		run_watch_catch_signals();
		ret = run_watch_start(r.dir.path, r.name, r.uri, opts->grace_period, err);
	}
	if (ret == 0)
		ret = connect_libvirt(&r, err);
	if (ret == 0) {
		r.logd_socket = run_logd_socket(r.uri);
		r.logd = r.logd_socket ? run_logd_probe(r.logd_socket, &(int){ 0 }) : RUN_LOGD_UNKNOWN;
	}
	/* A signal that came while connecting: stop here, the domain is not started. */
	if (ret == 0 && run_stop_signal())
		ret = hvl_error_set(err, HVL_EXIT_VM_FAILED, "Stopped by signal %d before the domain was started.",
				    (int)run_stop_signal());
	if (ret == 0)
		ret = run_domain(&r, err);
	/* The console copy never stops the guest; a copy that did not arrive fails the run once the guest is done. */
	if (ret == 0)
		ret = run_console_failure(&r.console, err);
	cleanup(&r);
	return ret;
}
