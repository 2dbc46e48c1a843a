/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec.domain.devices.disks and spec.volumes: one disk's bus, target and
 * block size, and each volume source KubeVirt defines (the ones hvl-launcher
 * does not model are refused as unsupported).
 */
#include <ctype.h>
#include <string.h>

#include "util.h"
#include "vmi-parse-internal.h"

/* ---- disks ------------------------------------------------------------------------- */

static const struct vj_enum bus_table[] = {
	{ "virtio", BUS_VIRTIO },
	{ "sata", BUS_SATA },
	{ "scsi", BUS_SCSI },
	{ "usb", BUS_USB },
};

static int parse_block_size(struct vj_ctx *c, json_object *elem, struct vmi_disk *d)
{
	json_object *bs = NULL, *custom = NULL;
	struct vmi_feature_state match = { 0 };
	size_t mark;

	TRY(vj_object(c, elem, "blockSize", &bs));
	if (bs == NULL)
		return 0;
	mark = vj_enter(c, "blockSize");
	TRY(vj_object(c, bs, "custom", &custom));
	TRY(parse_feature_state(c, bs, "matchVolume", &match));
	if (custom && match.set && match.enabled != TRI_FALSE)
		return vj_fail(c, HVL_EXIT_INPUT, "only one of custom and matchVolume may be set.");
	d->block_size_match_volume = match.set && match.enabled != TRI_FALSE;
	if (custom) {
		size_t m = vj_enter(c, "custom");
		const char *keys[] = { "logical", "physical" };
		uint32_t *vals[] = { &d->logical_block_size, &d->physical_block_size };
		for (size_t i = 0; i < 2; i++) {
			TRY(vj_u32(c, custom, keys[i], 512, 2u << 20, vals[i]));
			if (*vals[i] & (*vals[i] - 1))
				return vj_fail_at(c, keys[i], HVL_EXIT_INPUT, "'%u' is not a power of 2.", *vals[i]);
		}
		if (vj_has(custom, "discardGranularity")) {
			TRY(vj_u32(c, custom, "discardGranularity", 0, UINT32_MAX, &d->discard_granularity));
			d->discard_granularity_set = true;
		}
		if (d->logical_block_size == 0 || d->physical_block_size == 0)
			return vj_fail(c, HVL_EXIT_INPUT, "both logical and physical block sizes are required.");
		if (d->logical_block_size > d->physical_block_size)
			return vj_fail(c, HVL_EXIT_INPUT, "the logical block size %u is larger than the physical %u.",
				       d->logical_block_size, d->physical_block_size);
		vj_leave(c, m);
	}
	vj_leave(c, mark);
	return 0;
}

/* disk.disk / disk.cdrom / disk.lun: the same shape with a few members each. */
static int parse_disk_target(struct vj_ctx *c, json_object *target, const char *key, struct vmi_disk *d)
{
	static const char *const trays[] = { "open", "closed" };
	bool present = false, ro = false;
	int bus = BUS_DEFAULT;
	size_t mark = vj_enter(c, key);

	TRY(vj_enum(c, target, "bus", bus_table, ENUM_N(bus_table), &bus, &present));
	d->bus = (enum vmi_bus)bus;
	if (d->device == DISK_DEVICE_CDROM) {
		TRY(vj_tristate(c, target, "readonly", &d->readonly));
		TRY(vj_enum_string(c, target, "tray", trays, ENUM_N(trays), &d->tray));
		if (d->bus == BUS_VIRTIO)
			return vj_fail_at(c, "bus", HVL_EXIT_INPUT, "'virtio' is not a valid bus for a CD-ROM; use sata, scsi or usb.");
	} else {
		TRY(vj_bool(c, target, "readonly", &ro));
		if (vj_has(target, "readonly"))
			d->readonly = ro ? TRI_TRUE : TRI_FALSE;
		if (ro && d->bus == BUS_SATA && d->device == DISK_DEVICE_DISK)
			return vj_fail_at(c, "readonly", HVL_EXIT_INPUT, "SATA hard disks cannot be read-only.");
	}
	if (d->device == DISK_DEVICE_DISK) {
		TRY(parse_pci_address(c, target, "pciAddress", &d->pci_address));
		if (d->pci_address && d->bus != BUS_VIRTIO)
			return vj_fail_at(c, "pciAddress", HVL_EXIT_INPUT, "a PCI address needs the virtio bus.");
	}
	if (d->device == DISK_DEVICE_LUN)
		TRY(vj_bool(c, target, "reservation", &d->lun_reservation));
	vj_leave(c, mark);
	return 0;
}

int parse_disk(struct vj_ctx *c, json_object *elem, void *item)
{
	static const char *const caches[] = { "none", "writethrough", "writeback" };
	static const char *const ios[] = { "native", "threads" };
	static const char *const policies[] = { "stop", "ignore", "report", "enospace" };
	static const struct {
		const char *key;
		enum vmi_disk_device device;
	} targets[] = { { "disk", DISK_DEVICE_DISK }, { "cdrom", DISK_DEVICE_CDROM }, { "lun", DISK_DEVICE_LUN } };
	struct vmi_disk *d = item;
	json_object *target = NULL;
	const char *target_key = NULL;

	TRY(required_name(c, elem, "name", NAME_LABEL, &d->name));
	for (size_t i = 0; i < ENUM_N(targets); i++) {
		json_object *o = NULL;
		TRY(vj_object(c, elem, targets[i].key, &o));
		if (o == NULL)
			continue;
		if (target)
			return vj_fail(c, HVL_EXIT_INPUT, "only one of %s and %s may be set.", target_key,
				       targets[i].key);
		target = o;
		target_key = targets[i].key;
		d->device = targets[i].device;
	}
	if (target)
		TRY(parse_disk_target(c, target, target_key, d));
	TRY(vj_u32(c, elem, "bootOrder", 1, UINT32_MAX, &d->boot_order));
	TRY(charset_string(c, elem, "serial", "_.+-", 256, &d->serial));
	TRY(vj_enum_string(c, elem, "cache", caches, ENUM_N(caches), &d->cache));
	TRY(vj_enum_string(c, elem, "io", ios, ENUM_N(ios), &d->io));
	TRY(vj_enum_string(c, elem, "errorPolicy", policies, ENUM_N(policies), &d->error_policy));
	TRY(vj_bool(c, elem, "shareable", &d->shareable));
	TRY(vj_bool(c, elem, "dedicatedIOThread", &d->dedicated_iothread));
	if (d->dedicated_iothread && d->bus != BUS_VIRTIO && d->bus != BUS_DEFAULT)
		return vj_fail_at(c, "dedicatedIOThread", HVL_EXIT_INPUT, "IOThreads need the virtio bus.");
	TRY(vj_string(c, elem, "tag", &d->tag));
	return parse_block_size(c, elem, d);
}

/* ---- volumes ------------------------------------------------------------------------ */

static int parse_container_disk(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	static const char *const pull[] = { "Always", "IfNotPresent", "Never" };

	TRY(required_string(c, o, "image", &v->image));
	TRY(absolute_path(c, o, "path", false, &v->image_path));
	return vj_enum_string(c, o, "imagePullPolicy", pull, ENUM_N(pull), &v->image_pull_policy);
}

static int parse_claim(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	TRY(required_name(c, o, "claimName", NAME_SUBDOMAIN, &v->claim_name));
	return vj_bool(c, o, "hotpluggable", &v->hotpluggable);
}

static int parse_data_volume(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	TRY(required_name(c, o, "name", NAME_SUBDOMAIN, &v->claim_name));
	return vj_bool(c, o, "hotpluggable", &v->hotpluggable);
}

static int parse_ephemeral(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	json_object *pvc = NULL;
	size_t mark;

	TRY(vj_object(c, o, "persistentVolumeClaim", &pvc));
	if (pvc == NULL)
		return vj_fail_at(c, "persistentVolumeClaim", HVL_EXIT_INPUT, "a claim is required.");
	mark = vj_enter(c, "persistentVolumeClaim");
	TRY(required_name(c, pvc, "claimName", NAME_SUBDOMAIN, &v->claim_name));
	vj_leave(c, mark);
	return 0;
}

static int parse_empty_disk(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	TRY(vj_bytes(c, o, "capacity", &v->capacity));
	if (v->capacity <= 0)
		return vj_fail_at(c, "capacity", HVL_EXIT_INPUT, "a capacity greater than zero is required.");
	return 0;
}

static int parse_host_disk(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	static const char *const types[] = { "Disk", "DiskOrCreate" };

	TRY(absolute_path(c, o, "path", true, &v->host_path));
	TRY(vj_enum_string(c, o, "type", types, ENUM_N(types), &v->host_disk_type));
	if (v->host_disk_type == NULL)
		return vj_fail_at(c, "type", HVL_EXIT_INPUT, "a type (Disk or DiskOrCreate) is required.");
	TRY(vj_bytes(c, o, "capacity", &v->capacity));
	if (strcmp(v->host_disk_type, "DiskOrCreate") == 0 && v->capacity <= 0)
		return vj_fail_at(c, "capacity", HVL_EXIT_INPUT, "type DiskOrCreate needs a capacity greater than zero.");
	return vj_bool(c, o, "shared", &v->host_disk_shared);
}

/*
 * containerPath (feature gate ContainerPathVolumes): the CRD's rules, which the API server applies before
 * virt-launcher sees the VMI: an absolute path of at most 4096 bytes without '..', read-only.
 */
static int parse_container_path(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	bool read_only = true;

	TRY(required_string(c, o, "path", &v->container_path));
	_cleanup_free_ char *shown = vj_show(vj_get(o, "path"));
	if (v->container_path[0] != '/')
		return vj_fail_at(c, "path", HVL_EXIT_INPUT, "'%s' is not an absolute path (start with '/').", shown);
	if (strstr(v->container_path, ".."))
		return vj_fail_at(c, "path", HVL_EXIT_INPUT, "'%s' must not contain '..'.", shown);
	if (strlen(v->container_path) > 4096)
		return vj_fail_at(c, "path", HVL_EXIT_INPUT, "the path is longer than 4096 bytes.");
	TRY(vj_bool(c, o, "readOnly", &read_only));
	if (!read_only)
		return vj_fail_at(c, "readOnly", HVL_EXIT_INPUT,
				  "must be true: KubeVirt shares a container path read-only (write access is not "
				  "supported).");
	return 0;
}

static int secret_ref(struct vj_ctx *c, json_object *o, const char *key, bool *present)
{
	json_object *ref = NULL;
	_cleanup_free_ char *name = NULL;
	size_t mark;

	TRY(vj_object(c, o, key, &ref));
	if (ref == NULL)
		return 0;
	mark = vj_enter(c, key);
	TRY(vj_string(c, ref, "name", &name));
	vj_leave(c, mark);
	*present = name != NULL;
	return 0;
}

/* Decoded length of standard, padded base64 (Go's StdEncoding, which skips CR and LF); -1 if malformed. */
static long base64_decoded_len(const char *s)
{
	size_t n = 0, pad = 0;

	for (; *s; s++) {
		if (*s == '\r' || *s == '\n')
			continue;
		if (*s == '=') {
			pad++;
		} else if (pad || !(isalnum((unsigned char)*s) || *s == '+' || *s == '/')) {
			return -1;
		}
		n++;
	}
	if (n % 4 != 0 || pad > 2)
		return -1;
	return (long)(n / 4 * 3 - pad);
}

/* KubeVirt caps inline cloud-init data (larger data belongs in a secret). */
#define CLOUD_INIT_MAX_LEN 2048

static int check_cloud_init_data(struct vj_ctx *c, json_object *o, const char *key, const char *text, bool base64)
{
	long len = text == NULL ? 0 : base64 ? base64_decoded_len(text) : (long)strlen(text);

	if (len < 0) {
		_cleanup_free_ char *shown = vj_show(vj_get(o, key));
		return vj_fail_at(c, key, HVL_EXIT_INPUT, "'%s' is not valid base64.", shown);
	}
	if (len > CLOUD_INIT_MAX_LEN)
		return vj_fail_at(c, key, HVL_EXIT_INPUT,
				  "%ld bytes exceed KubeVirt's limit of %d for inline data; use a secret instead.", len,
				  CLOUD_INIT_MAX_LEN);
	return 0;
}

static int parse_cloud_init(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	_cleanup_free_ char *user64 = NULL, *net64 = NULL;
	bool user_ref = false, net_ref = false;
	int n_user, n_net;

	TRY(vj_string(c, o, "userData", &v->user_data));
	TRY(vj_string(c, o, "userDataBase64", &user64));
	TRY(secret_ref(c, o, "secretRef", &user_ref));
	TRY(vj_string(c, o, "networkData", &v->network_data));
	TRY(vj_string(c, o, "networkDataBase64", &net64));
	TRY(secret_ref(c, o, "networkDataSecretRef", &net_ref));
	n_user = (v->user_data != NULL) + (user64 != NULL) + user_ref;
	n_net = (v->network_data != NULL) + (net64 != NULL) + net_ref;
	if (n_user > 1)
		return vj_fail(c, HVL_EXIT_INPUT, "only one of userData, userDataBase64 and secretRef may be set.");
	if (n_net > 1)
		return vj_fail(c, HVL_EXIT_INPUT,
			       "only one of networkData, networkDataBase64 and networkDataSecretRef may be set.");
	if (n_user + n_net == 0)
		return vj_fail(c, HVL_EXIT_INPUT, "user data or network data is required.");
	TRY(check_cloud_init_data(c, o, "userData", v->user_data, false));
	TRY(check_cloud_init_data(c, o, "userDataBase64", user64, true));
	TRY(check_cloud_init_data(c, o, "networkData", v->network_data, false));
	TRY(check_cloud_init_data(c, o, "networkDataBase64", net64, true));
	/* Base64 stays encoded here: the ISO is generated by virt-launcher, not from this model. */
	if (user64 && v->user_data == NULL)
		v->user_data = TAKE_PTR(user64);
	if (net64 && v->network_data == NULL)
		v->network_data = TAKE_PTR(net64);
	return 0;
}

static int parse_local_ref(struct vj_ctx *c, json_object *o, const char *key, char **out)
{
	return required_name(c, o, key, NAME_SUBDOMAIN, out);
}

static int parse_config_map(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	return parse_local_ref(c, o, "name", &v->source_name);
}

static int parse_secret(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	return parse_local_ref(c, o, "secretName", &v->source_name);
}

static int parse_service_account(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	return parse_local_ref(c, o, "serviceAccountName", &v->source_name);
}

static int parse_nothing(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	(void)c;
	(void)o;
	(void)v;
	return 0;
}

static int parse_sysprep(struct vj_ctx *c, json_object *o, struct vmi_volume *v)
{
	json_object *secret = NULL, *cm = NULL;
	size_t mark;

	TRY(vj_object(c, o, "secret", &secret));
	TRY(vj_object(c, o, "configMap", &cm));
	if ((secret == NULL) == (cm == NULL))
		return vj_fail(c, HVL_EXIT_INPUT, "exactly one of secret and configMap is required.");
	v->sysprep_secret = secret != NULL;
	mark = vj_enter(c, secret ? "secret" : "configMap");
	TRY(parse_local_ref(c, secret ? secret : cm, "name", &v->source_name));
	vj_leave(c, mark);
	return 0;
}

struct volume_source {
	const char *key;
	enum vmi_volume_type type;
	int (*parse)(struct vj_ctx *c, json_object *o, struct vmi_volume *v);
};

static const struct volume_source volume_sources[] = {
	{ "containerDisk", VOLUME_CONTAINER_DISK, parse_container_disk },
	{ "persistentVolumeClaim", VOLUME_PVC, parse_claim },
	{ "dataVolume", VOLUME_DATA_VOLUME, parse_data_volume },
	{ "ephemeral", VOLUME_EPHEMERAL, parse_ephemeral },
	{ "emptyDisk", VOLUME_EMPTY_DISK, parse_empty_disk },
	{ "hostDisk", VOLUME_HOST_DISK, parse_host_disk },
	{ "cloudInitNoCloud", VOLUME_CLOUD_INIT_NOCLOUD, parse_cloud_init },
	{ "cloudInitConfigDrive", VOLUME_CLOUD_INIT_CONFIG_DRIVE, parse_cloud_init },
	{ "configMap", VOLUME_CONFIG_MAP, parse_config_map },
	{ "secret", VOLUME_SECRET, parse_secret },
	{ "serviceAccount", VOLUME_SERVICE_ACCOUNT, parse_service_account },
	{ "downwardAPI", VOLUME_DOWNWARD_API, parse_nothing },
	{ "downwardMetrics", VOLUME_DOWNWARD_METRICS, parse_nothing },
	{ "sysprep", VOLUME_SYSPREP, parse_sysprep },
	{ "memoryDump", VOLUME_MEMORY_DUMP, parse_claim },
	{ "containerPath", VOLUME_CONTAINER_PATH, parse_container_path },
};

/*
 * The members of a volume that name a source, by index in volume_sources.  One pass over its few members (a name
 * and normally one source) instead of a lookup per known source: those lookups were a third of the parser's.
 * A null member counts as absent, as with vj_get.
 */
static void find_volume_sources(json_object *elem, json_object *found[ENUM_N(volume_sources)])
{
	json_object_object_foreach(elem, key, val)
	{
		if (json_object_is_type(val, json_type_null))
			continue;
		for (size_t i = 0; i < ENUM_N(volume_sources); i++) {
			if (strcmp(key, volume_sources[i].key) == 0) {
				found[i] = val;
				break;
			}
		}
	}
}

int parse_volume(struct vj_ctx *c, json_object *elem, void *item)
{
	struct vmi_volume *v = item;
	const struct volume_source *src = NULL;
	json_object *src_obj = NULL, *found[ENUM_N(volume_sources)] = { NULL };

	TRY(required_name(c, elem, "name", NAME_LABEL, &v->name));
	v->capacity = -1;
	v->container_disk_index = -1;
	find_volume_sources(elem, found);
	for (size_t i = 0; i < ENUM_N(volume_sources); i++) {
		json_object *o = NULL;
		TRY(vj_object_value(c, volume_sources[i].key, found[i], &o));
		if (o == NULL)
			continue;
		if (src)
			return vj_fail(c, HVL_EXIT_INPUT, "only one volume source may be set, found %s and %s.", src->key,
				       volume_sources[i].key);
		src = &volume_sources[i];
		src_obj = o;
	}
	if (src == NULL) {
		/* A volume is a name and one source: any other key is a source from a newer KubeVirt. */
		json_object_object_foreach(elem, key, val)
		{
			(void)val;
			if (strcmp(key, "name") != 0)
				return vj_fail_at(c, key, HVL_EXIT_UNSUPPORTED,
						  "this volume source is not supported by hvl-launcher yet.");
		}
	}
	if (src == NULL)
		return vj_fail(c, HVL_EXIT_INPUT,
			       "volume '%s' has no source; expected one of containerDisk, persistentVolumeClaim, "
			       "dataVolume, ephemeral, emptyDisk, hostDisk, cloudInitNoCloud, cloudInitConfigDrive, "
			       "configMap, secret, serviceAccount, downwardAPI, downwardMetrics, sysprep, memoryDump or "
			       "containerPath.",
			       v->name);
	v->type = src->type;
	{
		size_t mark = vj_enter(c, src->key);
		TRY(src->parse(c, src_obj, v));
		vj_leave(c, mark);
	}
	return 0;
}
