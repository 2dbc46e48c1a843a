/* SPDX-License-Identifier: Apache-2.0 */
#include "cpu-caps.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static bool is_element(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr child(const xmlNode *parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (is_element(c, name))
			return c;
	return NULL;
}

/* The attribute's value as a newly allocated string, or NULL. */
static char *prop(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = v ? xstrdup((const char *)v) : NULL;

	xmlFree(v);
	return s;
}

/* The element's text without surrounding white space, newly allocated; NULL when empty. */
static char *text(const xmlNode *n)
{
	xmlChar *c = xmlNodeGetContent(n);
	const char *s = c ? (const char *)c : "";
	size_t len;
	char *out = NULL;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (len > 0)
		out = xstrndup(s, len);
	xmlFree(c);
	return out;
}

static bool supported(const xmlNode *mode)
{
	_cleanup_free_ char *v = prop(mode, "supported");
	return str_equal(v, "yes");
}

static enum cpu_usable usable(const xmlNode *model)
{
	_cleanup_free_ char *v = prop(model, "usable");

	if (str_equal(v, "yes"))
		return CPU_USABLE_YES;
	if (str_equal(v, "no"))
		return CPU_USABLE_NO;
	return CPU_USABLE_UNKNOWN;
}

static void read_custom(const xmlNode *mode, struct cpu_caps *c)
{
	c->custom_supported = supported(mode);
	for (xmlNodePtr m = mode->children; m; m = m->next) {
		if (!is_element(m, "model"))
			continue;
		char *name = text(m);
		if (name == NULL)
			continue;
		c->models = xreallocarray(c->models, c->n_models + 1, sizeof(*c->models));
		c->models[c->n_models++] = (struct cpu_caps_model){
			.name = name,
			.canonical = prop(m, "canonical"),
			.usable = usable(m),
		};
	}
}

static void read_cpu(const xmlNode *cpu, struct cpu_caps *c)
{
	for (xmlNodePtr mode = cpu ? cpu->children : NULL; mode; mode = mode->next) {
		if (!is_element(mode, "mode"))
			continue;
		_cleanup_free_ char *name = prop(mode, "name");
		if (str_equal(name, "host-passthrough")) {
			c->host_passthrough_supported = supported(mode);
		} else if (str_equal(name, "host-model")) {
			c->host_model_supported = supported(mode);
			xmlNodePtr model = child(mode, "model");
			free(c->host_model);
			c->host_model = model ? text(model) : NULL;
		} else if (str_equal(name, "custom")) {
			read_custom(mode, c);
		}
	}
}

int cpu_caps_parse(const char *xml, size_t len, const char *virttype, const char *source, struct cpu_caps *out,
		   hvl_error **err)
{
	struct cpu_caps c = { 0 };
	xmlDocPtr doc;
	xmlNodePtr root;

	if (len > INT_MAX)
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: the domain capabilities are too large (%zu bytes).",
				     source, len);
	doc = xmlReadMemory(xml, (int)len, "domcapabilities.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (root == NULL || !is_element(root, "domainCapabilities")) {
		xmlFreeDoc(doc);
		return hvl_error_set(err, HVL_EXIT_INPUT, "%s: the answer is not libvirt domain capabilities XML.",
				     source);
	}
	_cleanup_free_ char *domain = text(child(root, "domain"));
	if (!str_equal(domain, virttype)) {
		int r = hvl_error_set(err, HVL_EXIT_INPUT,
				      "%s: the domain capabilities are for virt type '%s', not '%s'.", source,
				      domain ? domain : "(none)", virttype);
		xmlFreeDoc(doc);
		return r;
	}
	read_cpu(child(root, "cpu"), &c);
	xmlFreeDoc(doc);
	c.source = xstrdup(source);
	*out = c;
	return 0;
}

void cpu_caps_clear(struct cpu_caps *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_models; i++) {
		free(c->models[i].name);
		free(c->models[i].canonical);
	}
	free(c->models);
	free(c->host_model);
	free(c->source);
	*c = (struct cpu_caps){ 0 };
}

const struct cpu_caps_model *cpu_caps_model(const struct cpu_caps *c, const char *name)
{
	for (size_t i = 0; c && name && i < c->n_models; i++)
		if (strcmp(c->models[i].name, name) == 0 || str_equal(c->models[i].canonical, name))
			return &c->models[i];
	return NULL;
}

bool cpu_caps_mode_supported(const struct cpu_caps *c, const char *mode)
{
	if (c == NULL || mode == NULL)
		return false;
	if (strcmp(mode, "host-model") == 0)
		return c->host_model_supported;
	if (strcmp(mode, "host-passthrough") == 0)
		return c->host_passthrough_supported;
	if (strcmp(mode, "custom") == 0)
		return c->custom_supported;
	return false;
}
