/* SPDX-License-Identifier: Apache-2.0 */
#include "plan.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "log.h"
#include "sys.h"
#include "util.h"

unsigned plan_hook_sidecars(char *const *argv)
{
	for (size_t i = 1; argv && argv[i]; i++) {
		const char *v = NULL;
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--hook-sidecars") == 0)
			v = argv[i + 1];
		else if (str_has_prefix(argv[i], "--hook-sidecars="))
			v = argv[i] + strlen("--hook-sidecars=");
		if (v) {
			char *end;
			unsigned long n = strtoul(v, &end, 10);
			/* KubeVirt allows few sidecars; anything absurd is ignored rather than trusted. */
			return (*v && *end == '\0' && n <= 64) ? (unsigned)n : 0;
		}
	}
	return 0;
}

/* NEXT may change directory: what it is told (HVL_DECISION_FILE...) must be absolute. */
static char *absolute_dir(const char *dir)
{
	char cwd[4096];

	if (dir[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(dir);
	return xasprintf("%s/%s", cwd, dir);
}

static char *strip_trailing_slashes(const char *dir)
{
	char *copy = absolute_dir(dir);
	size_t len = strlen(copy);

	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	return copy;
}

char **plan_decision_files(const char *state_dir, unsigned n_sidecars)
{
	_cleanup_free_ char *dir = strip_trailing_slashes(state_dir);
	const char *hooks = STATE_HOOKS_DIR "/";
	char **files = NULL;

	if (n_sidecars > 0 && str_has_prefix(dir, hooks) && dir[strlen(hooks)] != '\0') {
		const char *rest = dir + strlen(hooks);
		for (unsigned i = 0; i < n_sidecars; i++) {
			_cleanup_free_ char *path =
				xasprintf("%s/" STATE_SIDECAR_DIR_FORMAT "/%s/%s", STATE_HOOKS_DIR, i, rest, STATE_FILE_NAME);
			strv_push(&files, path);
		}
		return files;
	}
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, STATE_FILE_NAME);
	strv_push(&files, path);
	return files;
}

static void add_env(char ***env, const char *name, const char *value)
{
	_cleanup_free_ char *kv = xasprintf("%s=%s", name, value);
	strv_push(env, kv);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash && slash != path ? xstrndup(path, (size_t)(slash - path)) : xstrdup("/");
}

static int plan_process(const struct plan_inputs *in, struct launch_plan *p, hvl_error **err)
{
	const struct hvl_options *o = in->opts;

	if (limits_plan_memlock(o->memlock, &in->need, &p->memlock, err) < 0)
		return -1;
	p->memlock_failure = o->memlock_failure;
	if (caps_parse(o->keep_caps ? o->keep_caps : CAPS_DEFAULT_KEEP, o->keep_caps ? "--keep-caps" : "default",
		       &p->keep_caps, err) < 0)
		return -1;
	/* On unless switched off; a value that is not a boolean is an error, not a silent "on". */
	const char *nnp = in->lookup("HVL_NO_NEW_PRIVS");
	p->no_new_privs = true;
	if (nnp && *nnp && options_parse_bool("HVL_NO_NEW_PRIVS", nnp, &p->no_new_privs, err) < 0)
		return -1;
	return exec_resolve(o->next_argv[0], in->lookup("PATH"), &p->next_path, err);
}

/*
 * The VMI's identity.  NEXT's --name, --namespace and --uid are what virt-controller started this pod for, so
 * they win; the VMI given with --vmi fills in what NEXT's argv lacks.  A disagreement is a warning, since the
 * decision file is matched by uid (hook-plan.c).
 */
static void identity(const char *flag, const char *member, const char *from_next, const char *from_vmi, char **out,
		     const char **from)
{
	if (from_next && from_vmi && strcmp(from_next, from_vmi) != 0)
		log_warning("NEXT's %s is '%s', but the VMI's metadata.%s is '%s'; NEXT's is recorded.", flag, from_next,
			    member, from_vmi);
	if (from_next) {
		*out = xstrdup(from_next);
		*from = strcmp(flag, "--name") == 0 ? "NEXT's --name"
			: strcmp(flag, "--uid") == 0 ? "NEXT's --uid"
						     : "NEXT's --namespace";
	} else if (from_vmi) {
		*out = xstrdup(from_vmi);
		*from = "--vmi";
	}
}

int plan_build(const struct plan_inputs *in, struct launch_plan *out, hvl_error **err)
{
	const struct hvl_options *o = in->opts;
	const struct decision *d = in->decision;
	struct launch_plan p = { .overhead_bytes = in->overhead_bytes };

	if (o->next_argv == NULL || o->next_argv[0] == NULL)
		return hvl_error_set(err, HVL_EXIT_USAGE,
				     "The entrypoint needs NEXT: hvl-launcher [OPTIONS] [--] NEXT [ARGS...].");
	p.hypervisor = d->chosen;
	p.reason = xstrdup(d->reason ? d->reason : "");
	p.gate_enabled = d->gate.enabled;
	p.emulation_allowed = d->emulation_allowed;
	p.detection = decision_json(d);
	identity("--name", "name", o->vmi_name, in->vmi_name, &p.vmi_name, &p.vmi_name_from);
	identity("--namespace", "namespace", o->vmi_namespace, in->vmi_namespace, &p.vmi_namespace,
		 &p.vmi_namespace_from);
	identity("--uid", "uid", o->vmi_uid, in->vmi_uid, &p.vmi_uid, &p.vmi_uid_from);
	p.state_dir = strip_trailing_slashes(o->state_dir ? o->state_dir : HVL_DEFAULT_STATE_DIR);
	p.decision_files = plan_decision_files(p.state_dir, plan_hook_sidecars(o->next_argv));
	if (in->domain_xml) {
		_cleanup_free_ char *dir = dir_of(p.decision_files[0]);
		p.domain_xml = xstrdup(in->domain_xml);
		p.domain_xml_path = xasprintf("%s/domain.xml", dir);
	}
	for (size_t i = 0; o->next_argv[i]; i++)
		strv_push(&p.argv, o->next_argv[i]);

	add_env(&p.env_add, STATE_ENV_HYPERVISOR, hypervisor_name(p.hypervisor));
	add_env(&p.env_add, STATE_ENV_DOMAIN_TYPE, hypervisor_domain_type(p.hypervisor));
	add_env(&p.env_add, STATE_ENV_DECISION_FILE, p.decision_files[0]);
	add_env(&p.env_add, STATE_ENV_STATE_DIR, p.state_dir);
	if (p.domain_xml_path)
		add_env(&p.env_add, STATE_ENV_DOMAIN_XML, p.domain_xml_path);

	if (plan_process(in, &p, err) < 0) {
		plan_free(&p);
		return -1;
	}
	*out = p;
	return 0;
}

static json_object *strv_json(char *const *strv)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; strv && strv[i]; i++)
		json_object_array_add(a, json_object_new_string(strv[i]));
	return a;
}

static json_object *env_json(char *const *env)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		_cleanup_free_ char *name = xstrndup(env[i], (size_t)(eq - env[i]));
		json_object_object_add(o, name, json_object_new_string(eq + 1));
	}
	return o;
}

int plan_observe(struct launch_plan *p, hvl_error **err)
{
	if (caps_current_bounding(&p->bounding_now, err) < 0)
		return -1;
	if (sys_getrlimit(RLIMIT_MEMLOCK, &p->memlock_now) < 0)
		return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot read RLIMIT_MEMLOCK");
	p->observed = true;
	return 0;
}

static json_object *rlim_json(rlim_t v)
{
	return v == RLIM_INFINITY ? json_object_new_string("unlimited") : json_object_new_uint64((uint64_t)v);
}

static json_object *caps_list_json(caps_mask mask)
{
	_cleanup_free_ char *names = caps_format(mask);
	json_object *list = json_object_new_array();
	char *save = NULL;

	for (char *name = strtok_r(names, ",", &save); name; name = strtok_r(NULL, ",", &save))
		json_object_array_add(list, json_object_new_string(name));
	return list;
}

static json_object *memlock_json(const struct launch_plan *p)
{
	json_object *m = json_object_new_object();
	json_object *value = NULL;

	if (p->memlock.change)
		value = p->memlock.unlimited ? json_object_new_string("unlimited")
					     : json_object_new_uint64(p->memlock.bytes);
	json_object_object_add(m, "change", json_object_new_boolean(p->memlock.change));
	json_object_object_add(m, "value", value);
	json_object_object_add(m, "why", json_object_new_string(p->memlock.why ? p->memlock.why : ""));
	json_object_object_add(m, "onFailure",
			       json_object_new_string(p->memlock_failure == FAILURE_WARN ? "warn" : "fail"));
	if (p->observed) {
		json_object *now = json_object_new_object();
		json_object_object_add(now, "soft", rlim_json(p->memlock_now.rlim_cur));
		json_object_object_add(now, "hard", rlim_json(p->memlock_now.rlim_max));
		json_object_object_add(m, "current", now);
	}
	return m;
}

static json_object *caps_json(const struct launch_plan *p)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "keep", caps_list_json(p->keep_caps));
	if (p->observed)
		json_object_object_add(c, "drop", caps_list_json(p->bounding_now & ~p->keep_caps));
	json_object_object_add(c, "sets", json_object_new_string("bounding, effective, permitted, inheritable, ambient"));
	json_object_object_add(c, "noNewPrivs", json_object_new_boolean(p->no_new_privs));
	return c;
}

char *plan_to_json(const struct launch_plan *p)
{
	json_object *root = json_object_new_object();
	json_object *dec = json_object_new_object();
	json_object *vmi = json_object_new_object();
	json_object *exec = json_object_new_object();
	json_object *limits = json_object_new_object();
	json_object *detection = json_object_get(p->detection);
	char *text;

	json_object_object_add(dec, "hypervisor", json_object_new_string(hypervisor_name(p->hypervisor)));
	json_object_object_add(dec, "domainType", json_object_new_string(hypervisor_domain_type(p->hypervisor)));
	json_object_object_add(dec, "reason", json_object_new_string(p->reason));
	json_object_object_add(dec, "featureGateEnabled", json_object_new_boolean(p->gate_enabled));
	json_object_object_add(dec, "emulationAllowed", json_object_new_boolean(p->emulation_allowed));
	if (detection)
		json_object_object_add(dec, "detection", detection);
	json_object_object_add(root, "decision", dec);
	json_object_object_add(vmi, "name", p->vmi_name ? json_object_new_string(p->vmi_name) : NULL);
	json_object_object_add(vmi, "namespace", p->vmi_namespace ? json_object_new_string(p->vmi_namespace) : NULL);
	json_object_object_add(vmi, "uid", p->vmi_uid ? json_object_new_string(p->vmi_uid) : NULL);
	json_object *from = json_object_new_object();
	json_object_object_add(from, "name", p->vmi_name_from ? json_object_new_string(p->vmi_name_from) : NULL);
	json_object_object_add(from, "namespace",
			       p->vmi_namespace_from ? json_object_new_string(p->vmi_namespace_from) : NULL);
	json_object_object_add(from, "uid", p->vmi_uid_from ? json_object_new_string(p->vmi_uid_from) : NULL);
	json_object_object_add(vmi, "from", from);
	json_object_object_add(root, "vmi", vmi);
	json_object_object_add(root, "overheadBytes",
			       p->overhead_bytes >= 0 ? json_object_new_int64(p->overhead_bytes) : NULL);
	json_object_object_add(root, "domainXML",
			       p->domain_xml_path ? json_object_new_string(p->domain_xml_path) : NULL);
	json_object_object_add(root, "decisionFiles", strv_json(p->decision_files));
	json_object_object_add(limits, "memlock", memlock_json(p));
	json_object_object_add(root, "limits", limits);
	json_object_object_add(root, "capabilities", caps_json(p));
	json_object_object_add(root, "closeFds", json_object_new_string("3 and up, close-on-exec"));
	json_object_object_add(exec, "path", json_object_new_string(p->next_path));
	json_object_object_add(exec, "argv", strv_json(p->argv));
	json_object_object_add(exec, "envAdded", env_json(p->env_add));
	json_object_object_add(root, "exec", exec);

	text = xasprintf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
									 JSON_C_TO_STRING_SPACED |
									 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return text;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void plan_state(const struct launch_plan *p, const struct rlimit *applied, struct state_decision *out)
{
	*out = (struct state_decision){
		.version = STATE_FORMAT_VERSION,
		.hypervisor = p->hypervisor,
		.reason = xstrdup(p->reason),
		.gate_enabled = p->gate_enabled,
		.emulation_allowed = p->emulation_allowed,
		.overhead_bytes = p->overhead_bytes,
		.domain_xml = dup_or_null(p->domain_xml_path),
		.vmi_name = dup_or_null(p->vmi_name),
		.vmi_namespace = dup_or_null(p->vmi_namespace),
		.vmi_uid = dup_or_null(p->vmi_uid),
		.launcher_version = xstrdup(HVL_VERSION),
		.launcher_pid = (long)getpid(),
		.detection = json_object_get(p->detection),
	};
	/* What NEXT really gets, which --memlock-failure warn may make lower than planned. */
	if (applied && p->memlock.change) {
		out->memlock = applied->rlim_cur == RLIM_INFINITY ? STATE_MEMLOCK_UNLIMITED : STATE_MEMLOCK_BYTES;
		out->memlock_bytes = (uint64_t)applied->rlim_cur;
	}
}

void plan_free(struct launch_plan *p)
{
	free(p->reason);
	json_object_put(p->detection);
	free(p->vmi_name);
	free(p->vmi_namespace);
	free(p->vmi_uid);
	free(p->domain_xml);
	free(p->domain_xml_path);
	free(p->state_dir);
	strv_free(p->decision_files);
	memlock_plan_free(&p->memlock);
	free(p->next_path);
	strv_free(p->argv);
	strv_free(p->env_add);
	memset(p, 0, sizeof(*p));
}
