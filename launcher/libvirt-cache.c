/* SPDX-License-Identifier: Apache-2.0 */
/* libvirt's QEMU capabilities cache: where it is, and the entry of one emulator (libvirt-cache.h). */
#include "libvirt-cache.h"

#include <dirent.h>
#include <errno.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

char *libvirt_cache_dir(const char *uri, char **why)
{
	const char *sep = uri ? strstr(uri, "://") : NULL;
	const char *home;

	*why = NULL;
	if (sep == NULL) {
		*why = xasprintf("'%s' is not a libvirt URI", uri ? uri : "(none)");
		return NULL;
	}
	if (sep[3] != '/') {
		*why = xasprintf("libvirt at %s runs on another machine", uri);
		return NULL;
	}
	if (strncmp(sep + 3, "/session", 8) != 0)
		return xstrdup("/var/cache/libvirt/qemu/capabilities");
	if ((home = getenv("XDG_CACHE_HOME")) && *home)
		return xasprintf("%s/libvirt/qemu/capabilities", home);
	if ((home = getenv("HOME")) && *home)
		return xasprintf("%s/.cache/libvirt/qemu/capabilities", home);
	*why = xstrdup("neither XDG_CACHE_HOME nor HOME says where a session daemon keeps its cache");
	return NULL;
}

static bool is_element(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static bool text_is(const xmlNode *n, const char *want)
{
	xmlChar *t = xmlNodeGetContent(n);
	bool same = t && want && strcmp((const char *)t, want) == 0;
	xmlFree(t);
	return same;
}

/* Whether file is the entry of emulator (or of any x86_64 emulator), and whether it lists mshv. */
static bool read_entry(const char *file, const char *emulator, bool *has_mshv)
{
	xmlDocPtr doc = xmlReadFile(file, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	bool emulator_ok = emulator == NULL, arch_ok = false;

	*has_mshv = false;
	for (xmlNodePtr c = root && is_element(root, "qemuCaps") ? root->children : NULL; c; c = c->next) {
		if (is_element(c, "emulator") && emulator)
			emulator_ok = text_is(c, emulator);
		else if (is_element(c, "arch"))
			arch_ok = text_is(c, "x86_64");
		else if (is_element(c, "flag")) {
			xmlChar *name = xmlGetProp(c, (const xmlChar *)"name");
			if (name && strcmp((const char *)name, "mshv") == 0)
				*has_mshv = true;
			xmlFree(name);
		}
	}
	xmlFreeDoc(doc);
	return emulator_ok && arch_ok;
}

void libvirt_cache_entry(const char *dir, const char *emulator, struct hyperv_cache_entry *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	*out = (struct hyperv_cache_entry){ 0 };
	if (d == NULL) {
		out->unknown_why = xasprintf("cannot read %s: %s", dir, strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		struct stat st;
		bool mshv;

		if (n < 5 || strcmp(e->d_name + n - 4, ".xml") != 0)
			continue;
		_cleanup_free_ char *file = xasprintf("%s/%s", dir, e->d_name);
		if (stat(file, &st) < 0 || !S_ISREG(st.st_mode) || !read_entry(file, emulator, &mshv))
			continue;
		out->known = true;
		out->file = TAKE_PTR(file);
		out->probed = st.st_mtime;
		out->has_mshv = mshv;
		break;
	}
	closedir(d);
	if (!out->known)
		out->unknown_why = xasprintf("%s holds no readable entry for %s", dir, emulator ? emulator : "x86_64");
}
