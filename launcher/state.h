/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The decision file: what the entrypoint chose, for the hook sidecar and for people.
 *
 * The entrypoint writes it (atomically) before it execs NEXT; `hvl-launcher hook`
 * reads it with state_read_decision() to know which hypervisor to adapt KubeVirt's
 * domain to.  One file per pod, JSON, format version 1:
 *
 *   {
 *     "version": 1,
 *     "hypervisor": "mshv",                 // "mshv" | "kvm" | "qemu": the choice
 *     "domainType": "hyperv",               // libvirt's <domain type=...> for it
 *     "reason": "...",                      // why, one or more sentences
 *     "featureGate": {"name": "HyperVLayered", "enabled": true},
 *     "emulationAllowed": false,
 *     "overheadBytes": 304087040,           // KubeVirt's memory overhead, null when no VMI was given
 *     "domainXML": "/path/domain.xml",      // converted domain, null when no VMI was given
 *     "memlock": "unlimited",               // RLIMIT_MEMLOCK set for NEXT: "unlimited", a byte count, or null (unchanged)
 *     "vmi": {"name": "...", "namespace": "...", "uid": "..."},  // each null when unknown
 *     "launcher": {"version": "0.1.0", "pid": 1},
 *     "detection": {...}                    // decision_to_json() of select.h, informative only
 *   }
 *
 * Readers must ignore members they do not know (newer writers may add some) and
 * refuse a "version" they do not know.
 *
 * Where it lives.  The file is STATE_FILE_NAME in the state directory
 * (--state-dir, HVL_STATE_DIR, default HVL_DEFAULT_STATE_DIR).  KubeVirt mounts the
 * hook emptyDir whole at /var/run/kubevirt-hooks in the compute container, but
 * into sidecar i only its sub-directory hook-sidecar-<i> (subPath), at the same
 * mount point.  So when the state directory is under /var/run/kubevirt-hooks and
 * NEXT's argv says `--hook-sidecars N`, the entrypoint writes one copy per
 * sidecar at /var/run/kubevirt-hooks/hook-sidecar-<i>/<rest>/decision.json: each
 * sidecar then finds it at the default path.  (Nothing is written as a plain file
 * directly in a sidecar's directory: virt-launcher dials every such file as a
 * gRPC socket.)  See docs/launch.md.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "hypervisor.h"

struct json_object;

#define STATE_FORMAT_VERSION 1
#define STATE_FILE_NAME "decision.json"
#define STATE_MAX_BYTES (256u << 10)
#define STATE_MAX_DEPTH 32 /* json-c's default; the file nests four levels */
/* KubeVirt's hooks directory (pkg/hooks/hooks.go) and its per-sidecar sub-directories. */
#define STATE_HOOKS_DIR "/var/run/kubevirt-hooks"
#define STATE_SIDECAR_DIR_FORMAT "hook-sidecar-%u"

/* Variables the entrypoint adds to NEXT's environment. */
#define STATE_ENV_HYPERVISOR "HVL_HYPERVISOR_CHOSEN" /* mshv | kvm | qemu */
#define STATE_ENV_DOMAIN_TYPE "HVL_DOMAIN_TYPE"      /* hyperv | kvm | qemu */
#define STATE_ENV_DECISION_FILE "HVL_DECISION_FILE"  /* absolute path of the decision file */
#define STATE_ENV_DOMAIN_XML "HVL_DOMAIN_XML"        /* only when a VMI was converted */
#define STATE_ENV_STATE_DIR "HVL_STATE_DIR"

/* The memlock member: unchanged (null), unlimited, or a byte count. */
enum state_memlock { STATE_MEMLOCK_UNCHANGED, STATE_MEMLOCK_UNLIMITED, STATE_MEMLOCK_BYTES };

struct state_decision {
	int version;
	enum hypervisor hypervisor;
	char *reason;
	bool gate_enabled;
	bool emulation_allowed;
	int64_t overhead_bytes;    /* -1 when unknown */
	char *domain_xml;          /* NULL when no VMI was converted */
	enum state_memlock memlock;
	uint64_t memlock_bytes;    /* when STATE_MEMLOCK_BYTES */
	char *vmi_name, *vmi_namespace, *vmi_uid; /* NULL when unknown */
	char *launcher_version;
	long launcher_pid;
	struct json_object *detection; /* writer: decision_json() to embed, a reference, may be NULL; reader: NULL */
};

/*
 * The path a reader should use: $HVL_DECISION_FILE, else $HVL_STATE_DIR/decision.json,
 * else HVL_DEFAULT_STATE_DIR/decision.json.  `lookup` is getenv or a test double.
 * Returns a newly allocated string.
 */
char *state_default_path(const char *(*lookup)(const char *name));

/*
 * Read and validate a decision file.  path NULL means state_default_path(getenv).
 * Errors: missing or unreadable file, invalid JSON, unknown version, unknown
 * hypervisor (HVL_EXIT_INPUT, naming the file and the member).  *out is written
 * only on success; free it with state_decision_free().
 */
int state_read_decision(const char *path, struct state_decision *out, hvl_error **err);

/* Same, from text already in memory; `source` names it in messages. */
int state_parse_decision(const char *json, size_t len, const char *source, struct state_decision *out,
			 hvl_error **err);

/* The JSON text (with a trailing newline), newly allocated. */
char *state_format_decision(const struct state_decision *s);

/*
 * Write data to path (0644 whatever the umask) with write_file_at(): complete or not at all, a kill leaves no
 * temporary, whatever is at path (a planted link or FIFO) is replaced, never followed.  Missing directories
 * are created (0755).  Below STATE_HOOKS_DIR, which the hook sidecars share, no component of the path is a
 * symbolic link that gets followed (open_dir_beneath()): a planted link is refused, naming it.  Links above
 * it (/var/run -> /run) and in a state directory elsewhere (the image's own) are followed.
 */
int state_write_file(const char *path, const char *data, size_t len, hvl_error **err);

/* state_format_decision() written with state_write_file(). */
int state_write_decision(const char *path, const struct state_decision *s, hvl_error **err);
/* The same to every path of the NULL-terminated list (one per hook sidecar), formatted once. */
int state_write_decision_files(char *const *paths, const struct state_decision *s, hvl_error **err);

/*
 * Remove the file at path, reached as state_write_file() reaches it (a planted link is not followed): a
 * decision that could not be recorded must not leave an older one for the hook to read.  Returns 1 when a
 * file was removed, 0 when there was none (or its directory cannot be reached safely), -1 with errno.
 */
int state_remove_file_under(const char *hooks_dir, const char *path);

/* The same with another directory in the role of STATE_HOOKS_DIR (tests). */
int state_write_file_under(const char *hooks_dir, const char *path, const char *data, size_t len, hvl_error **err);
int state_write_decision_files_under(const char *hooks_dir, char *const *paths, const struct state_decision *s,
				     hvl_error **err);

void state_decision_free(struct state_decision *s);
