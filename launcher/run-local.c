/* SPDX-License-Identifier: Apache-2.0 */
#include "run-local.h"

#include <errno.h>
#include <libxml/parser.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain.h"
#include "log.h"
#include "util.h"

static bool named(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST name) == 0;
}

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (named(c, name))
			return c;
	return NULL;
}

static char *attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = n ? xmlGetProp(n, BAD_CAST name) : NULL;
	char *s = v ? xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return s;
}

static void drop(xmlNodePtr n)
{
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

static const char *mapped(const struct disk_mapping *disks, size_t n, const char *volume)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(disks[i].volume, volume) == 0)
			return disks[i].path;
	return NULL;
}

/* The VMI volume a device belongs to: KubeVirt's alias is "ua-<name>". */
static char *volume_of(xmlNodePtr dev)
{
	_cleanup_free_ char *alias = attr(child(dev, "alias"), "name");
	return alias && str_has_prefix(alias, "ua-") ? xstrdup(alias + 3) : NULL;
}

static int mkdir_parents(const char *path, hvl_error **err)
{
	_cleanup_free_ char *dir = xstrdup(path);

	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return hvl_error_set_errno(err, HVL_EXIT_INTERNAL, errno, "Cannot create '%s'", dir);
		*p = '/';
	}
	return 0;
}

static bool pod_path(const char *path)
{
	return path && str_has_prefix(path, "/var/run/kubevirt");
}

/* ---- boot files ---- */

static int set_boot_file(xmlNodePtr os, const char *element, const struct disk_mapping *disks, size_t n,
			 const char *volume, hvl_error **err)
{
	xmlNodePtr node = child(os, element);
	const char *local = mapped(disks, n, volume);
	xmlChar *current;

	if (node == NULL)
		return 0;
	current = xmlNodeGetContent(node);
	if (local == NULL) {
		bool missing = access((const char *)current, R_OK) < 0;
		int r = missing ? hvl_error_set(err, HVL_EXIT_INPUT,
						"The %s '%s' comes from the VMI's kernel-boot container image and does "
						"not exist here: give it with --disk %s=PATH.",
						element, (const char *)current, volume)
				: 0;
		xmlFree(current);
		return r;
	}
	log_info("run: <%s> '%s' is the local file '%s'.", element, (const char *)current, local);
	xmlFree(current);
	xmlNodeSetContent(node, BAD_CAST local);
	return 0;
}

/* ---- devices ---- */

/*
 * One serial port on a unix socket in the private directory (libvirt creates it and hands it to QEMU): `run`
 * connects to it itself (run-console.h): neither a file virtlogd writes, nor libvirt's console stream, nor a pty.
 */
static void replace_serials(xmlNodePtr devices, const char *private_dir)
{
	_cleanup_free_ char *path = xasprintf("%s/serial0.sock", private_dir);
	xmlNodePtr next, serial, source;

	for (xmlNodePtr c = devices->children; c; c = next) {
		next = c->next;
		if (named(c, "serial") || named(c, "console"))
			drop(c);
	}
	serial = xmlNewChild(devices, NULL, BAD_CAST "serial", NULL);
	xmlNewProp(serial, BAD_CAST "type", BAD_CAST "unix");
	source = xmlNewChild(serial, NULL, BAD_CAST "source", NULL);
	xmlNewProp(source, BAD_CAST "mode", BAD_CAST "bind");
	xmlNewProp(source, BAD_CAST "path", BAD_CAST path);
	xmlNewProp(xmlNewChild(serial, NULL, BAD_CAST "target", NULL), BAD_CAST "port", BAD_CAST "0");
	log_info("run: the serial console is the socket '%s', copied to standard output.", path);
}

/*
 * A transient domain's TPM state is libvirt's to remove when the domain stops, unless it persists: then it
 * would stay in /var/lib/libvirt/swtpm/<uuid> after every run.
 */
static void transient_tpm(xmlNodePtr tpm)
{
	xmlNodePtr backend = child(tpm, "backend");

	if (backend && xmlHasProp(backend, BAD_CAST "persistent_state")) {
		xmlUnsetProp(backend, BAD_CAST "persistent_state");
		log_info("run: the TPM's state lives as long as the run (not persistent_state): libvirt removes it "
			 "when the domain stops.");
	}
}

static void user_network(xmlNodePtr iface)
{
	xmlNodePtr next;
	_cleanup_free_ char *type = attr(iface, "type");

	for (xmlNodePtr c = iface->children; c; c = next) {
		next = c->next;
		if (!(named(c, "mac") || named(c, "model") || named(c, "alias") || named(c, "boot") ||
		      named(c, "address") || named(c, "rom")))
			drop(c);
	}
	xmlSetProp(iface, BAD_CAST "type", BAD_CAST "user");
	log_info("run: interface of type '%s' uses user-mode networking: there is no pod network here.",
		 type ? type : "?");
}

/*
 * QEMU creates the VNC socket itself, as the unprivileged user libvirt runs it as,
 * which cannot write into our private directory: listen on localhost instead
 * (`virsh vncdisplay` shows the port).
 */
static void local_vnc(xmlNodePtr graphics)
{
	xmlNodePtr next, listen;

	for (xmlNodePtr c = graphics->children; c; c = next) {
		next = c->next;
		if (named(c, "listen"))
			drop(c);
	}
	xmlUnsetProp(graphics, BAD_CAST "socket");
	xmlSetProp(graphics, BAD_CAST "autoport", BAD_CAST "yes");
	listen = xmlNewChild(graphics, NULL, BAD_CAST "listen", NULL);
	xmlNewProp(listen, BAD_CAST "type", BAD_CAST "address");
	xmlNewProp(listen, BAD_CAST "address", BAD_CAST "127.0.0.1");
	log_info("run: VNC listens on 127.0.0.1 (virsh vncdisplay) instead of the pod's unix socket.");
}

static int check_disk(xmlNodePtr disk, hvl_error **err)
{
	xmlNodePtr source = child(disk, "source");
	_cleanup_free_ char *file = attr(source, "file"), *dev = attr(source, "dev");
	_cleanup_free_ char *volume = volume_of(disk);
	const char *path = file ? file : dev;

	if (path == NULL || access(path, F_OK) == 0)
		return 0;
	return hvl_error_set(err, HVL_EXIT_INPUT,
			     "The disk of volume '%s' is '%s', which only exists in a virt-launcher pod: map the "
			     "volume to a local file with --disk %s=PATH.",
			     volume ? volume : "?", path, volume ? volume : "NAME");
}

/* Attributes and text that name pod paths: move them into the private directory. */
static int relocate(xmlNodePtr n, const char *private_dir, hvl_error **err)
{
	for (; n; n = n->next) {
		/* Disks were checked: a pod path that exists here is used as is. */
		if (n->type == XML_ELEMENT_NODE && !named(n, "disk")) {
			for (xmlAttrPtr a = n->properties; a; a = a->next) {
				_cleanup_free_ char *v = attr(n, (const char *)a->name);
				if (!pod_path(v))
					continue;
				_cleanup_free_ char *local = xasprintf("%s%s", private_dir, v);
				if (mkdir_parents(local, err) < 0)
					return -1;
				xmlSetProp(n, a->name, BAD_CAST local);
				log_info("run: <%s %s> '%s' moved to '%s'.", (const char *)n->name, (const char *)a->name,
					 v, local);
			}
			/*
			 * NVRAM wherever it is (a root VMI's is under /var/lib/libvirt/qemu/nvram, where another domain of
			 * the name may keep its own): libvirt creates it from the template at start, in the directory
			 * that goes with the run.
			 */
			if (named(n, "nvram")) {
				xmlChar *text = xmlNodeGetContent(n);
				if (text && text[0] == '/') {
					_cleanup_free_ char *local = xasprintf("%s%s", private_dir, (const char *)text);
					if (mkdir_parents(local, err) < 0) {
						xmlFree(text);
						return -1;
					}
					xmlNodeSetContent(n, BAD_CAST local);
					log_info("run: <nvram> '%s' moved to '%s'.", (const char *)text, local);
				}
				xmlFree(text);
			}
			if (relocate(n->children, private_dir, err) < 0)
				return -1;
		}
	}
	return 0;
}

static int adapt_devices(xmlNodePtr devices, const char *private_dir, hvl_error **err)
{
	xmlNodePtr next;

	for (xmlNodePtr c = devices->children; c; c = next) {
		next = c->next;
		if (named(c, "interface"))
			user_network(c);
		else if (named(c, "graphics"))
			local_vnc(c);
		else if (named(c, "tpm"))
			transient_tpm(c);
		else if (named(c, "hostdev") || named(c, "filesystem")) {
			_cleanup_free_ char *volume = volume_of(c);
			log_warning("run: <%s> '%s' removed: nothing to pass through on this machine.",
				    (const char *)c->name, volume ? volume : "");
			drop(c);
		} else if (named(c, "disk") && check_disk(c, err) < 0)
			return -1;
	}
	replace_serials(devices, private_dir);
	return 0;
}

/*
 * Under software emulation (type qemu) an EFI guest without secure boot starts from OVMF_CODE.fd when its directory
 * has it: KubeVirt's choice, the SMM-requiring OVMF_CODE.secboot.fd, gave no output within 4 minutes under TCG here
 * (QEMU 7.2, Debian's OVMF), where OVMF_CODE.fd boots the test guest in under a minute.  With the same variables
 * file and no secure boot the guest sees no difference.
 */
static void plain_efi_under_tcg(xmlNodePtr root, xmlNodePtr os)
{
	static const char secboot[] = "/OVMF_CODE.secboot.fd";
	_cleanup_free_ char *type = attr(root, "type");
	xmlNodePtr loader = child(os, "loader");
	_cleanup_free_ char *secure = attr(loader, "secure");
	xmlChar *text;

	if (!str_equal(type, "qemu") || loader == NULL || str_equal(secure, "yes") ||
	    (text = xmlNodeGetContent(loader)) == NULL)
		return;
	size_t len = strlen((const char *)text);
	if (len > sizeof(secboot) - 1 && strcmp((const char *)text + len - (sizeof(secboot) - 1), secboot) == 0) {
		_cleanup_free_ char *plain =
			xasprintf("%.*s/OVMF_CODE.fd", (int)(len - (sizeof(secboot) - 1)), (const char *)text);
		if (access(plain, R_OK) == 0) {
			xmlNodeSetContent(loader, BAD_CAST plain);
			log_info("run: <loader> '%s' instead of '%s': the SMM-requiring build is too slow to start under "
				 "software emulation.",
				 plain, (const char *)text);
		}
	}
	xmlFree(text);
}

/*
 * KubeVirt's memory hotplug room (<maxMemory slots='0'>, no NUMA cell) is for virt-handler to plug memory into,
 * and libvirt before 10.10 (Debian 12 has 9.0) refuses that form; the guest boots with the same memory without it.
 */
static void drop_memory_hotplug(xmlNodePtr root)
{
	xmlNodePtr max = child(root, "maxMemory");

	if (max == NULL)
		return;
	drop(max);
	log_info("run: <maxMemory> removed: memory hotplug needs virt-handler, and libvirt before 10.10 refuses "
		 "KubeVirt's form of it.");
}

int run_local_adapt(xmlDocPtr doc, const char *private_dir, const struct disk_mapping *disks, size_t n_disks,
		    hvl_error **err)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	xmlNodePtr os = child(root, "os"), devices = child(root, "devices");

	if (root == NULL || devices == NULL)
		return hvl_error_set(err, HVL_EXIT_INTERNAL, "The converted domain has no <devices>.");
	drop_memory_hotplug(root);
	if (set_boot_file(os, "kernel", disks, n_disks, RUN_DISK_KERNEL, err) < 0 ||
	    set_boot_file(os, "initrd", disks, n_disks, RUN_DISK_INITRD, err) < 0)
		return -1;
	if (adapt_devices(devices, private_dir, err) < 0)
		return -1;
	plain_efi_under_tcg(root, os);
	return relocate(root->children, private_dir, err);
}

char *run_local_describe_disk(const char *xml, const char *target)
{
	_cleanup_xml_doc_ xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
							XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
								XML_PARSE_HUGE); /* ours: see cmd-run.c */
	xmlNodePtr devices = doc ? child(xmlDocGetRootElement(doc), "devices") : NULL;

	for (xmlNodePtr c = devices ? devices->children : NULL; c; c = c->next) {
		if (!named(c, "disk"))
			continue;
		_cleanup_free_ char *dev = attr(child(c, "target"), "dev");
		if (dev == NULL || strcmp(dev, target) != 0)
			continue;
		_cleanup_free_ char *volume = volume_of(c), *file = attr(child(c, "source"), "file");
		_cleanup_free_ char *block = attr(child(c, "source"), "dev");
		const char *src = file ? file : block;
		if (volume && src)
			return xasprintf("disk '%s' (volume '%s', '%s')", target, volume, src);
		if (src)
			return xasprintf("disk '%s' ('%s')", target, src);
		break;
	}
	return xasprintf("disk '%s'", target);
}
