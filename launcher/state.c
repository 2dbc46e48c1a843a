/* SPDX-License-Identifier: Apache-2.0 */
/* The decision file shared with hook sidecars: format, write, read.  Format in state.h. */
#include "state.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "fileio.h"
#include "json-doc.h"
#include "options.h"
#include "util.h"

char *state_default_path(const char *(*lookup)(const char *name))
{
	const char *file = lookup(STATE_ENV_DECISION_FILE);
	const char *dir = lookup(STATE_ENV_STATE_DIR);

	if (file && *file)
		return xstrdup(file);
	return xasprintf("%s/%s", dir && *dir ? dir : HVL_DEFAULT_STATE_DIR, STATE_FILE_NAME);
}

static const char *env_lookup(const char *name)
{
	return getenv(name);
}

/* ---- writing ---- */

static json_object *string_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *memlock_json(const struct state_decision *s)
{
	switch (s->memlock) {
	case STATE_MEMLOCK_UNLIMITED: return json_object_new_string("unlimited");
	case STATE_MEMLOCK_BYTES: return json_object_new_uint64(s->memlock_bytes);
	case STATE_MEMLOCK_UNCHANGED: break;
	}
	return NULL;
}

char *state_format_decision(const struct state_decision *s)
{
	json_object *root = json_object_new_object();
	json_object *gate = json_object_new_object();
	json_object *vmi = json_object_new_object();
	json_object *launcher = json_object_new_object();
	json_object *detection = json_object_get(s->detection);
	char *text;

	json_object_object_add(root, "version", json_object_new_int(STATE_FORMAT_VERSION));
	json_object_object_add(root, "hypervisor", json_object_new_string(hypervisor_name(s->hypervisor)));
	json_object_object_add(root, "domainType", json_object_new_string(hypervisor_domain_type(s->hypervisor)));
	json_object_object_add(root, "reason", json_object_new_string(s->reason ? s->reason : ""));
	json_object_object_add(gate, "name", json_object_new_string("HyperVLayered"));
	json_object_object_add(gate, "enabled", json_object_new_boolean(s->gate_enabled));
	json_object_object_add(root, "featureGate", gate);
	json_object_object_add(root, "emulationAllowed", json_object_new_boolean(s->emulation_allowed));
	json_object_object_add(root, "overheadBytes",
			       s->overhead_bytes >= 0 ? json_object_new_int64(s->overhead_bytes) : NULL);
	json_object_object_add(root, "domainXML", string_or_null(s->domain_xml));
	json_object_object_add(root, "memlock", memlock_json(s));
	json_object_object_add(vmi, "name", string_or_null(s->vmi_name));
	json_object_object_add(vmi, "namespace", string_or_null(s->vmi_namespace));
	json_object_object_add(vmi, "uid", string_or_null(s->vmi_uid));
	json_object_object_add(root, "vmi", vmi);
	json_object_object_add(launcher, "version", json_object_new_string(s->launcher_version ? s->launcher_version
												: HVL_VERSION));
	json_object_object_add(launcher, "pid", json_object_new_int64(s->launcher_pid));
	json_object_object_add(root, "launcher", launcher);
	if (detection)
		json_object_object_add(root, "detection", detection);

	text = xasprintf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
									 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return text;
}

/* mkdir -p dir; an existing directory is fine, and costs one mkdir(). */
static int make_dirs(const char *dir, hvl_error **err)
{
	_cleanup_free_ char *copy = xstrdup(dir);

	if (mkdir(copy, 0755) == 0 || errno == EEXIST)
		return 0;
	for (char *p = copy + 1;; p++) {
		bool end = *p == '\0';
		if (*p != '/' && !end)
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot create the state directory '%s'",
						   copy);
		if (end)
			break;
		*p = '/';
	}
	return 0;
}

/*
 * The directory of path, opened so that nothing a sidecar planted is followed: below hooks_dir (which the
 * sidecars share) every component is opened without following links; elsewhere the directory is the image's
 * and is opened as named.  *name points into path, at its last component.
 */
static int open_state_dir(const char *hooks_dir, const char *path, bool create, int *dirfd, const char **name,
			  hvl_error **err)
{
	const char *slash = strrchr(path, '/');
	_cleanup_free_ char *dir = NULL;
	size_t hl = strlen(hooks_dir);

	if (slash == NULL || slash[1] == '\0')
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "The state file '%s' is not a path to a file.", path);
	*name = slash + 1;
	dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	if (strncmp(dir, hooks_dir, hl) == 0 && (dir[hl] == '/' || dir[hl] == '\0')) {
		if (create && make_dirs(hooks_dir, err) < 0)
			return -1;
		return open_dir_beneath(hooks_dir, dir + hl, create, dirfd, err);
	}
	if (create && make_dirs(dir, err) < 0)
		return -1;
	return open_dir_beneath(dir, "", false, dirfd, err);
}

int state_write_file_under(const char *hooks_dir, const char *path, const char *data, size_t len, hvl_error **err)
{
	/* 0644 whatever the umask: the hook sidecar reading it may run as another user. */
	const struct write_mode wm = { .create_mode = 0644, .exact = true, .mode = 0644 };
	_cleanup_close_ int dirfd = -1;
	const char *name;

	if (open_state_dir(hooks_dir, path, true, &dirfd, &name, err) < 0)
		return hvl_error_wrap(err, "Cannot write '%s'", path);
	return write_file_at(dirfd, name, path, data, len, &wm, err);
}

int state_write_file(const char *path, const char *data, size_t len, hvl_error **err)
{
	return state_write_file_under(STATE_HOOKS_DIR, path, data, len, err);
}

int state_remove_file_under(const char *hooks_dir, const char *path)
{
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_close_ int dirfd = -1;
	const char *name;

	if (open_state_dir(hooks_dir, path, false, &dirfd, &name, &err) < 0)
		return 0;
	if (unlinkat(dirfd, name, 0) < 0)
		return errno == ENOENT ? 0 : -1;
	return 1;
}

int state_write_decision_files_under(const char *hooks_dir, char *const *paths, const struct state_decision *s,
				     hvl_error **err)
{
	_cleanup_free_ char *text = state_format_decision(s);
	size_t len = strlen(text);

	for (size_t i = 0; paths[i]; i++)
		if (state_write_file_under(hooks_dir, paths[i], text, len, err) < 0)
			return hvl_error_wrap(err, "Cannot record the decision");
	return 0;
}

int state_write_decision_files(char *const *paths, const struct state_decision *s, hvl_error **err)
{
	return state_write_decision_files_under(STATE_HOOKS_DIR, paths, s, err);
}

int state_write_decision(const char *path, const struct state_decision *s, hvl_error **err)
{
	char *paths[] = { (char *)path, NULL };

	return state_write_decision_files(paths, s, err);
}

/* ---- reading ---- */

/* `parent` names the object holding `key` in messages ("vmi" for vmi.name), NULL at the top. */
static int member(json_object *obj, const char *parent, const char *key, json_type type, bool nullable,
		  const char *source, json_object **out, hvl_error **err)
{
	json_object *v = NULL;
	_cleanup_free_ char *path = parent ? xasprintf("%s.%s", parent, key) : xstrdup(key);

	if (!json_object_object_get_ex(obj, key, &v))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: the member '%s' is missing.", source, path);
	if (v == NULL && nullable) {
		*out = NULL;
		return 0;
	}
	if (!json_object_is_type(v, type)) {
		_cleanup_free_ char *what = json_doc_describe(v, NULL, 0);
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: '%s' is %s; expected %s%s.", source, path, what,
				     json_doc_type_name(type),
				     nullable ? " or null" : "");
	}
	*out = v;
	return 0;
}

static int dup_string(json_object *obj, const char *parent, const char *key, bool nullable, const char *source,
		      char **out, hvl_error **err)
{
	json_object *v;

	if (member(obj, parent, key, json_type_string, nullable, source, &v, err) < 0)
		return -1;
	*out = v ? xstrdup(json_object_get_string(v)) : NULL;
	return 0;
}

static int parse_memlock(json_object *root, const char *source, struct state_decision *s, hvl_error **err)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(root, "memlock", &v))
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: the member 'memlock' is missing.", source);
	if (v == NULL)
		s->memlock = STATE_MEMLOCK_UNCHANGED;
	else if (json_object_is_type(v, json_type_string) && strcmp(json_object_get_string(v), "unlimited") == 0)
		s->memlock = STATE_MEMLOCK_UNLIMITED;
	else if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0) {
		s->memlock = STATE_MEMLOCK_BYTES;
		s->memlock_bytes = json_object_get_uint64(v);
	} else
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "%s: 'memlock' is '%s'; expected \"unlimited\", a byte count or null.", source,
				     json_object_to_json_string(v));
	return 0;
}

static int parse_vmi(json_object *root, const char *source, struct state_decision *s, hvl_error **err)
{
	json_object *vmi;

	if (member(root, NULL, "vmi", json_type_object, false, source, &vmi, err) < 0 ||
	    dup_string(vmi, "vmi", "name", true, source, &s->vmi_name, err) < 0 ||
	    dup_string(vmi, "vmi", "namespace", true, source, &s->vmi_namespace, err) < 0 ||
	    dup_string(vmi, "vmi", "uid", true, source, &s->vmi_uid, err) < 0)
		return -1;
	return 0;
}

static int parse_root(json_object *root, const char *source, struct state_decision *s, hvl_error **err)
{
	json_object *v, *gate, *launcher;
	int hv;

	if (member(root, NULL, "version", json_type_int, false, source, &v, err) < 0)
		return -1;
	if (json_object_get_int64(v) != STATE_FORMAT_VERSION)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: format version %s is not supported (expected %d).",
				     source, json_object_to_json_string(v), STATE_FORMAT_VERSION);
	s->version = STATE_FORMAT_VERSION;
	if (member(root, NULL, "hypervisor", json_type_string, false, source, &v, err) < 0)
		return -1;
	hv = hypervisor_from_name(json_object_get_string(v));
	if (hv < 0)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: 'hypervisor' is '%s'; expected mshv, kvm or qemu.",
				     source, json_object_get_string(v));
	s->hypervisor = (enum hypervisor)hv;
	if (dup_string(root, NULL, "reason", false, source, &s->reason, err) < 0 ||
	    member(root, NULL, "featureGate", json_type_object, false, source, &gate, err) < 0 ||
	    member(gate, "featureGate", "enabled", json_type_boolean, false, source, &v, err) < 0)
		return -1;
	s->gate_enabled = json_object_get_boolean(v);
	if (member(root, NULL, "emulationAllowed", json_type_boolean, false, source, &v, err) < 0)
		return -1;
	s->emulation_allowed = json_object_get_boolean(v);
	if (member(root, NULL, "overheadBytes", json_type_int, true, source, &v, err) < 0)
		return -1;
	s->overhead_bytes = v ? json_object_get_int64(v) : -1;
	if (dup_string(root, NULL, "domainXML", true, source, &s->domain_xml, err) < 0 ||
	    parse_memlock(root, source, s, err) < 0 || parse_vmi(root, source, s, err) < 0)
		return -1;
	/* The launcher block is informative: tolerate its absence. */
	if (json_object_object_get_ex(root, "launcher", &launcher) && json_object_is_type(launcher, json_type_object)) {
		if (json_object_object_get_ex(launcher, "version", &v) && json_object_is_type(v, json_type_string))
			s->launcher_version = xstrdup(json_object_get_string(v));
		if (json_object_object_get_ex(launcher, "pid", &v) && json_object_is_type(v, json_type_int))
			s->launcher_pid = (long)json_object_get_int64(v);
	}
	return 0;
}

int state_parse_decision(const char *json, size_t len, const char *source, struct state_decision *out,
			 hvl_error **err)
{
	struct state_decision s = { .overhead_bytes = -1 };
	_cleanup_free_ char *subject = xasprintf("The decision file '%s'", source);
	struct json_doc_failure f;
	json_object *root = NULL;
	int r;

	if (len > STATE_MAX_BYTES)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: the decision file is larger than %u bytes.", source,
				     STATE_MAX_BYTES);
	if (json_doc_parse_simple(json, len, STATE_MAX_DEPTH, &root, &f, err) < 0)
		return *err ? -1 : json_doc_fail(err, subject, &f);
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		_cleanup_free_ char *what = json_doc_describe(root, json, len);
		json_object_put(root);
		return hvl_error_set(err, HVL_EXIT_INPUT,
				     "The decision file '%s' is %s, not a JSON object: it was not written by "
				     "hvl-launcher; delete it.",
				     source, what);
	}
	r = parse_root(root, source, &s, err);
	json_object_put(root);
	if (r < 0) {
		state_decision_free(&s);
		return -1;
	}
	*out = s;
	return 0;
}

int state_read_decision(const char *path, struct state_decision *out, hvl_error **err)
{
	_cleanup_free_ char *default_path = path ? NULL : state_default_path(env_lookup);
	_cleanup_free_ char *text = NULL;
	size_t len;

	if (path == NULL)
		path = default_path;
	if (read_file(path, STATE_MAX_BYTES, "decision file", &text, &len, err) < 0)
		return -1;
	return state_parse_decision(text, len, path, out, err);
}

void state_decision_free(struct state_decision *s)
{
	free(s->reason);
	free(s->domain_xml);
	free(s->vmi_name);
	free(s->vmi_namespace);
	free(s->vmi_uid);
	free(s->launcher_version);
	json_object_put(s->detection);
	*s = (struct state_decision){ .overhead_bytes = -1 };
}
