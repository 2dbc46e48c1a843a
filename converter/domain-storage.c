/* SPDX-License-Identifier: Apache-2.0 */
/*
 * <disk> for every VMI disk (storage/disk.go, storage/volume.go,
 * storage/configurator.go), with the paths virt-launcher uses in the pod.
 *
 * Known only in the pod: whether a PVC is a block device (/dev/<volume>) and
 * a containerDisk's format (its image's magic), both looked up like
 * virt-launcher does, with file and qcow2 (the format of KubeVirt's own
 * containerDisk images) when the pod's files are not there.  Left to
 * virt-launcher as in KubeVirt's converter: the default cache mode (an O_DIRECT
 * probe after conversion) and io='native'.
 * Which disks are in the domain follows status.volumeStatus (disk_in_domain):
 * hotplugged volumes once mounted, at their hotplug paths.
 */
#include <string.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain-sections.h"
#include "log.h"
#include "util.h"

#define CONTAINER_DISK_DEFAULT_FORMAT "qcow2"

/* qcow2 images start with "QFI\xfb"; anything else readable is raw (KubeVirt only admits the two). */
static const char *image_format(const char *path)
{
	unsigned char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return CONTAINER_DISK_DEFAULT_FORMAT;
	ssize_t n = read(fd, magic, sizeof(magic));
	close(fd);
	if (n != (ssize_t)sizeof(magic))
		return CONTAINER_DISK_DEFAULT_FORMAT;
	return memcmp(magic, "QFI\xfb", 4) == 0 ? "qcow2" : "raw";
}

/* What a volume contributes to its disk. */
struct disk_source {
	const char *type;          /* file, block */
	char *file, *dev;          /* <source file=> / <source dev=> */
	const char *driver_type;   /* raw, qcow2 */
	bool discard;              /* the volume asks for discard='unmap' */
	bool plain_driver;         /* downwardMetrics: driver is only name+type */
	bool readonly, virtio_model;
	const char *bs_type, *bs_format;
	char *bs_file, *bs_dev;
};

static void disk_source_free(struct disk_source *s)
{
	free(s->file);
	free(s->dev);
	free(s->bs_file);
	free(s->bs_dev);
}

static const char *path_basename(const char *p)
{
	const char *slash = strrchr(p, '/');
	return slash ? slash + 1 : p;
}

enum volume_mode { MODE_UNKNOWN, MODE_BLOCK, MODE_FILESYSTEM };

/*
 * A VMI does not say whether a PVC is Filesystem or Block; virt-launcher looks in its pod
 * (manager.go isBlockDeviceVolume): a device node /dev/<volume> (any os.ModeDevice) is a block volume,
 * a regular file vmi-disks/<volume>/disk.img a filesystem one.  So do we, with paths under the options'
 * dev_root.  Outside a pod neither exists: KubeVirt would fail to tell and use the file.
 */
static enum volume_mode volume_mode(const struct build_ctx *ctx, const struct vmi_volume *v)
{
	const char *root = ctx->opts->dev_root && *ctx->opts->dev_root ? ctx->opts->dev_root : "/";
	size_t len = strlen(root);
	struct stat st;

	if (v->block)
		return MODE_BLOCK;
	while (len > 0 && root[len - 1] == '/')
		len--;
	_cleanup_free_ char *dev = xasprintf("%.*s/dev/%s", (int)len, root, v->name);
	if (stat(dev, &st) == 0 && (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)))
		return MODE_BLOCK;
	_cleanup_free_ char *img = xasprintf("%.*s" KV_VMI_DISKS_DIR "/%s/disk.img", (int)len, root, v->name);
	if (stat(img, &st) == 0 && S_ISREG(st.st_mode))
		return MODE_FILESYSTEM;
	return MODE_UNKNOWN;
}

static bool volume_is_block(const struct build_ctx *ctx, const struct vmi_volume *v)
{
	return volume_mode(ctx, v) == MODE_BLOCK;
}

static void pvc_source(struct disk_source *s, const struct vmi_volume *v, const char *driver_type, bool block)
{
	s->driver_type = driver_type;
	s->discard = true;
	if (block) {
		s->type = "block";
		/*
		 * KubeVirt also writes <source name=VOLUME> (volume.go convertVolumeWithoutCBT), which libvirt's
		 * parser ignores for a block source and its schema refuses: left out, the domain means the same.
		 */
		s->dev = xasprintf("/dev/%s", v->name);
	} else {
		s->type = "file";
		s->file = xasprintf(KV_VMI_DISKS_DIR "/%s/disk.img", v->name);
	}
}

static int volume_source(const struct build_ctx *ctx, const struct vmi_volume *v, size_t volume_index, bool lun,
			 struct disk_source *s, const char *field)
{
	const struct vmi *vmi = ctx->vmi;
	const char *ns = vmi->namespace_ && *vmi->namespace_ ? vmi->namespace_ : "default";

	s->type = "file";
	s->driver_type = "raw";
	switch (v->type) {
	case VOLUME_CONTAINER_DISK:
		s->driver_type = "qcow2";
		s->discard = true;
		s->file = xasprintf(KV_EPHEMERAL_DIR "/disk-data/%s/disk.qcow2", v->name);
		s->bs_type = "file";
		/* The containerDisk container mounts the image as disk_<index of the volume in spec.volumes>. */
		s->bs_file = xasprintf(KV_CONTAINER_DISK_DIR "/disk_%zu.img", volume_index);
		s->bs_format = image_format(s->bs_file);
		return 0;
	case VOLUME_PVC:
	case VOLUME_DATA_VOLUME: {
		/*
		 * A LUN is rendered like any disk of its volume (storage/volume.go): unless the pod has the block
		 * device, that is disk.img, which libvirt then refuses for device='lun' when the VM starts, as with
		 * KubeVirt (isBlockDeviceVolume finds no device node, so the volume is a file).
		 */
		enum volume_mode mode = volume_mode(ctx, v);
		pvc_source(s, v, "raw", mode == MODE_BLOCK);
		if (lun && mode != MODE_BLOCK)
			log_warning("%s: the LUN's volume '%s' is %s (no block device /dev/%s), so it is written as the "
				    "file disk.img, as KubeVirt does; libvirt accepts a LUN only on a block-mode volume.",
				    field, v->name,
				    mode == MODE_FILESYSTEM ? "a filesystem volume in this pod" : "not in this pod",
				    v->name);
		return 0;
	}
	case VOLUME_EPHEMERAL: {
		struct disk_source backing = { 0 };
		pvc_source(&backing, v, "raw", volume_is_block(ctx, v));
		s->driver_type = "qcow2";
		s->discard = true;
		s->file = xasprintf(KV_EPHEMERAL_DIR "/disk-data/%s/disk.qcow2", v->name);
		s->bs_type = backing.type;
		s->bs_format = "raw";
		s->bs_file = TAKE_PTR(backing.file);
		s->bs_dev = TAKE_PTR(backing.dev);
		disk_source_free(&backing);
		return 0;
	}
	case VOLUME_EMPTY_DISK:
		s->driver_type = "qcow2";
		s->discard = true;
		s->file = xasprintf("/var/run/libvirt/empty-disks/%s.qcow2", v->name);
		return 0;
	case VOLUME_HOST_DISK:
		if (v->host_path == NULL || *v->host_path == '\0')
			return hvl_error_set(ctx->err, HVL_EXIT_INPUT, "%s.hostDisk.path is required.", field);
		if (check_path_component(path_basename(v->host_path), field, ctx->err) < 0)
			return -1;
		s->file = xasprintf(KV_VMI_DISKS_DIR "/%s/%s", v->name, path_basename(v->host_path));
		return 0;
	case VOLUME_CLOUD_INIT_NOCLOUD:
		s->file = xasprintf(KV_EPHEMERAL_DIR "/cloud-init-data/%s/%s/noCloud.iso", ns, vmi->name);
		return 0;
	case VOLUME_CLOUD_INIT_CONFIG_DRIVE:
		s->file = xasprintf(KV_EPHEMERAL_DIR "/cloud-init-data/%s/%s/configdrive.iso", ns, vmi->name);
		return 0;
	case VOLUME_CONFIG_MAP:
		s->file = xasprintf(KV_PRIVATE_DIR "/config-map-disks/%s.iso", v->name);
		return 0;
	case VOLUME_SECRET:
		s->file = xasprintf(KV_PRIVATE_DIR "/secret-disks/%s.iso", v->name);
		return 0;
	case VOLUME_DOWNWARD_API:
		s->file = xasprintf(KV_PRIVATE_DIR "/downwardapi-disks/%s.iso", v->name);
		return 0;
	case VOLUME_SERVICE_ACCOUNT:
		s->file = xstrdup(KV_PRIVATE_DIR "/service-account-disk/service-account.iso");
		return 0;
	case VOLUME_DOWNWARD_METRICS:
		s->file = xstrdup(KV_PRIVATE_DIR "/downwardapi-disks/vhostmd0");
		s->plain_driver = true;
		s->readonly = true;
		s->virtio_model = true;
		return 0;
	case VOLUME_SYSPREP:
		s->file = xasprintf(KV_PRIVATE_DIR "/sysprep-disks/%s.iso", v->name);
		return 0;
	case VOLUME_MEMORY_DUMP:
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT, "%s: a memoryDump volume cannot back a disk.", field);
	case VOLUME_CONTAINER_PATH:
		break;
	}
	return hvl_error_set(ctx->err, HVL_EXIT_INPUT, "%s: a containerPath volume cannot back a disk.", field);
}

/* `run --disk NAME=PATH`: a local file replaces whatever the volume would be in the pod. */
static bool has_override(const struct build_ctx *ctx, const char *volume)
{
	for (size_t i = 0; ctx->opts && i < ctx->opts->n_disk_overrides; i++)
		if (str_equal(ctx->opts->disk_names[i], volume))
			return true;
	return false;
}

static bool override_source(const struct build_ctx *ctx, const char *volume, struct disk_source *s)
{
	const struct convert_options *o = ctx->opts;
	if (o == NULL)
		return false;
	for (size_t i = 0; i < o->n_disk_overrides; i++) {
		if (!str_equal(o->disk_names[i], volume))
			continue;
		const char *path = o->disk_paths[i];
		size_t len = strlen(path);
		s->type = "file";
		s->file = xstrdup(path);
		s->driver_type = len > 6 && strcmp(path + len - 6, ".qcow2") == 0 ? "qcow2" : "raw";
		s->discard = true;
		return true;
	}
	return false;
}

/* vda, vdb, ..., vdz, vdaa: KubeVirt's formatDeviceName. */
static void device_name(const char *prefix, unsigned index, char *out, size_t size)
{
	char rev[8];
	size_t n = 0;
	long i = (long)index;
	while (i >= 0 && n < sizeof(rev)) {
		rev[n++] = (char)('a' + i % 26);
		i = i / 26 - 1;
	}
	size_t len = strnlen(prefix, size - 1);
	memcpy(out, prefix, len);
	while (n > 0 && len + 1 < size)
		out[len++] = rev[--n];
	out[len] = '\0';
}

static const char *bus_name(enum vmi_bus bus)
{
	switch (bus) {
	case BUS_VIRTIO:
		return "virtio";
	case BUS_SATA:
		return "sata";
	case BUS_SCSI:
		return "scsi";
	case BUS_USB:
		return "usb";
	case BUS_DEFAULT:
		break;
	}
	return NULL;
}

static enum vmi_bus effective_bus(const struct build_ctx *ctx, const struct vmi_disk *d)
{
	if (d->bus != BUS_DEFAULT)
		return d->bus;
	/* The admission webhook's defaults, for input that skipped it. */
	if (ctx->amd64)
		return BUS_SATA;
	if (strcmp(ctx->arch, "arm64") == 0 && d->device == DISK_DEVICE_CDROM)
		return BUS_SCSI;
	return BUS_VIRTIO;
}

static bool valid_value(const char *v, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(v, *allowed) == 0)
			return true;
	return false;
}

struct disk_state {
	char **used_vd, **used_sd; /* device names taken, by prefix (deviceNamer.usedDeviceMap) */
	uint32_t current_auto, current_dedicated;
};

/* One disk being converted. */
struct disk_plan {
	const struct vmi_disk *d;
	const char *field;   /* spec.domain.devices.disks[i] */
	enum vmi_bus bus;
	const char *cache;   /* after the shareable default */
	struct disk_source s;
	char dev[16];
	unsigned unit;       /* index among the disks of the same prefix: the SCSI unit */
};

static int check_disk(struct build_ctx *ctx, struct disk_plan *p)
{
	static const char *const caches[] = { "none", "writethrough", "writeback", NULL };
	static const char *const ios[] = { "native", "threads", "default", NULL };
	static const char *const policies[] = { "stop", "ignore", "report", "enospace", NULL };
	const struct vmi_disk *d = p->d;

	if (p->cache && !valid_value(p->cache, caches))
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "%s.cache: '%s' is not a cache mode (none, writethrough, writeback).", p->field, p->cache);
	if (d->io && !valid_value(d->io, ios))
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT, "%s.io: '%s' is not an I/O mode (native, threads).", p->field,
				     d->io);
	if (d->error_policy && !valid_value(d->error_policy, policies))
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "%s.errorPolicy: '%s' is not an error policy (stop, ignore, report, enospace).", p->field,
				     d->error_policy);
	/* KubeVirt honours shareable on disks only; on a cdrom or lun it is ignored, as there. */
	if (d->shareable && d->device == DISK_DEVICE_DISK) {
		/* Several writers need the host page cache out of the way. */
		if (p->cache == NULL)
			p->cache = "none";
		else if (strcmp(p->cache, "none") != 0)
			return hvl_error_set(ctx->err, HVL_EXIT_INPUT, "%s: a shareable disk requires cache 'none', not '%s'.",
					     p->field, p->cache);
	}
	if (d->pci_address && p->bus != BUS_VIRTIO)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT,
				     "%s.disk.pciAddress: a PCI address is only allowed on the virtio bus.", p->field);
	return 0;
}

static int plan_source(struct build_ctx *ctx, struct disk_plan *p, const struct vmi_volume *v)
{
	if (v == NULL) {
		/* An empty CD-ROM drive. */
		p->s.type = "block";
		p->s.driver_type = "raw";
		p->s.discard = true;
		return 0;
	}
	if (override_source(ctx, v->name, &p->s))
		return 0;
	size_t index = (size_t)(v - ctx->vmi->volumes);
	char vfield[FIELD_MAX];

	list_field(vfield, "spec.volumes", index);
	if (check_path_component(v->name, vfield, ctx->err) < 0)
		return -1;
	return volume_source(ctx, v, index, p->d->device == DISK_DEVICE_LUN, &p->s, vfield);
}

static void emit_source(xmlNodePtr disk, const struct disk_plan *p)
{
	if (p->s.file == NULL && p->s.dev == NULL)
		return;
	xmlNodePtr src = el(disk, "source");
	attr(src, "file", p->s.file);
	attr(src, "dev", p->s.dev);
	if (p->d->device == DISK_DEVICE_LUN && p->d->lun_reservation) {
		/* SCSI persistent reservations go through KubeVirt's pr-helper daemon and move with a migrating VM
		 * (storage/disk.go setReservation; libvirt's migration attribute is newer than 9.0's schema). */
		xmlNodePtr res = el(src, "reservations");
		attr(res, "managed", "no");
		attr(res, "migration", "yes");
		xmlNodePtr rs = el(res, "source");
		attr(rs, "type", "unix");
		attr(rs, "path", KV_SHARE_DIR "/daemons/pr/pr-helper.sock");
		attr(rs, "mode", "client");
	}
}

static void emit_driver(struct build_ctx *ctx, xmlNodePtr disk, const struct disk_plan *p, struct disk_state *st)
{
	const struct vmi *vmi = ctx->vmi;
	const struct vmi_disk *d = p->d;
	bool virtio = p->bus == BUS_VIRTIO;
	xmlNodePtr drv = el(disk, "driver");

	if (!p->s.plain_driver) {
		attr(drv, "cache", p->cache);
		attr(drv, "io", d->io);
		/* Disks and LUNs always discard; a CD-ROM only when its volume asks. */
		if (p->s.discard || d->device != DISK_DEVICE_CDROM)
			attr(drv, "discard", "unmap");
		if (vmi->devices.block_multiqueue && virtio)
			attr_u(drv, "queues", ctx->vcpus);
		if (vmi->launch_security && strncmp(vmi->launch_security, "sev", 3) == 0 && virtio)
			attr(drv, "iommu", "on");
	}
	attr(drv, "error_policy", d->error_policy ? d->error_policy : "stop");
	attr(drv, "name", "qemu");
	attr(drv, "type", p->s.driver_type);
	if (!ctx->has_iothreads || !virtio)
		return;
	/* IOThreads: every pool thread, a dedicated one, or the auto threads round-robin (storage/disk.go). */
	if (ctx->supplemental_threads) {
		xmlNodePtr ths = el(drv, "iothreads");
		for (uint32_t t = 1; t <= ctx->supplemental_threads; t++)
			attr_u(el(ths, "iothread"), "id", t);
	} else if (d->dedicated_iothread) {
		attr_u(drv, "iothread", st->current_dedicated++);
	} else {
		attr_u(drv, "iothread", st->current_auto);
		st->current_auto = ctx->auto_threads ? st->current_auto % ctx->auto_threads + 1 : 1;
	}
}

static int emit_tail(struct build_ctx *ctx, xmlNodePtr disk, const struct disk_plan *p)
{
	const struct vmi_disk *d = p->d;
	bool readonly = d->device == DISK_DEVICE_CDROM ? d->readonly != TRI_FALSE : d->readonly == TRI_TRUE;

	if (readonly || p->s.readonly)
		el(disk, "readonly");
	alias_ua(disk, NULL, d->name);
	if (p->s.bs_file || p->s.bs_dev) {
		xmlNodePtr bs = el(disk, "backingStore");
		attr(bs, "type", p->s.bs_type);
		attr(el(bs, "format"), "type", p->s.bs_format);
		xmlNodePtr bsrc = el(bs, "source");
		attr(bsrc, "file", p->s.bs_file);
		attr(bsrc, "dev", p->s.bs_dev);
	}
	if (d->boot_order)
		attr_u(el(disk, "boot"), "order", d->boot_order);
	if (p->bus == BUS_SCSI) {
		xmlNodePtr a = el(disk, "address");
		attr(a, "type", "drive");
		attr(a, "controller", "0");
		attr(a, "bus", "0");
		attr_u(a, "unit", p->unit);
	} else if (d->pci_address) {
		_cleanup_free_ char *pf = xasprintf("%s.disk.pciAddress", p->field);
		if (pci_address(disk, "address", d->pci_address, pf, ctx->err) < 0)
			return -1;
	}
	if (d->logical_block_size || d->physical_block_size || d->discard_granularity_set) {
		xmlNodePtr b = el(disk, "blockio");
		if (d->logical_block_size)
			attr_u(b, "logical_block_size", d->logical_block_size);
		if (d->physical_block_size)
			attr_u(b, "physical_block_size", d->physical_block_size);
		if (d->discard_granularity_set)
			attr_u(b, "discard_granularity", d->discard_granularity);
	} else if (d->block_size_match_volume) {
		/* KubeVirt measures the volume's block sizes in the pod (statfs, BLKSSZGET); they are unknown here. */
		log_warning("%s.blockSize.matchVolume: the block sizes are measured on the volume in the pod; "
			    "the converted domain uses the hypervisor's defaults.",
			    p->field);
	}
	if (d->shareable && d->device == DISK_DEVICE_DISK)
		el(disk, "shareable");
	return 0;
}

static const struct vmi_volume_status *volume_status(const struct vmi *vmi, const char *name)
{
	for (size_t i = 0; i < vmi->n_volume_status; i++)
		if (str_equal(vmi->volume_status[i].name, name))
			return &vmi->volume_status[i];
	return NULL;
}

/*
 * Which disks the domain gets (storage/configurator.go): those whose volume status.volumeStatus lists as
 * permanent, all of them while it lists none yet (a VMI not yet started, or a manifest), and hotplugged
 * ones once mounted (MountedToPod or Ready).  A hotpluggable volume without a hotplug status entry is an
 * ordinary volume (manager.go builds the hotplug set from status only).
 */
static bool disk_in_domain(const struct vmi *vmi, const struct vmi_volume_status *vs)
{
	size_t permanent = 0;

	for (size_t i = 0; i < vmi->n_volume_status; i++)
		permanent += !vmi->volume_status[i].hotplug;
	if (permanent == 0 || (vs && !vs->hotplug))
		return true;
	return vs && vs->hotplug && (str_equal(vs->phase, "MountedToPod") || str_equal(vs->phase, "Ready"));
}

/* A hotplugged PVC or DataVolume is where virt-handler mounts it (volumepath Hotplug*), block or file. */
static bool hotplug_source(const struct build_ctx *ctx, const struct vmi_volume *v, struct disk_source *s)
{
	const char *root = ctx->opts->dev_root && *ctx->opts->dev_root ? ctx->opts->dev_root : "/";
	size_t len = strlen(root);
	struct stat st;

	if (v->type != VOLUME_PVC && v->type != VOLUME_DATA_VOLUME)
		return false;
	while (len > 0 && root[len - 1] == '/')
		len--;
	_cleanup_free_ char *dev = xasprintf("%.*s" KV_HOTPLUG_DIR "/%s", (int)len, root, v->name);
	s->driver_type = "raw";
	s->discard = true;
	if (stat(dev, &st) == 0 && (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode))) {
		s->type = "block";
		s->dev = xasprintf(KV_HOTPLUG_DIR "/%s", v->name);
	} else {
		s->type = "file";
		s->file = xasprintf(KV_HOTPLUG_DIR "/%s.img", v->name);
	}
	return true;
}

static bool name_taken(char *const *used, const char *name)
{
	for (size_t i = 0; used && used[i]; i++)
		if (strcmp(used[i], name) == 0)
			return true;
	return false;
}

/*
 * KubeVirt's device names (storage/disk.go makeDeviceName): a disk keeps the target status.volumeStatus
 * records for it; any other takes the lowest name of its prefix (vd, sd) no disk holds or has reserved
 * that way.  The unit (SCSI address) is the name's index.
 */
static void name_device(struct disk_state *st, const char *prefix, const struct vmi_volume_status *vs,
			struct disk_plan *p)
{
	char ***used = strcmp(prefix, "vd") == 0 ? &st->used_vd : &st->used_sd;

	if (vs && vs->target) {
		snprintf(p->dev, sizeof(p->dev), "%s", vs->target);
		p->unit = 0;
		for (unsigned i = 0; i < 26 * 26 * 26; i++) {
			char name[16];
			device_name(prefix, i, name, sizeof(name));
			if (strcmp(name, vs->target) == 0) {
				p->unit = i;
				break;
			}
		}
		return;
	}
	for (unsigned i = 0; i < 26 * 26 * 26; i++) {
		device_name(prefix, i, p->dev, sizeof(p->dev));
		if (!name_taken(*used, p->dev)) {
			p->unit = i;
			strv_push(used, p->dev);
			return;
		}
	}
}

/* The targets status.volumeStatus holds for the spec's disks are taken before any new name is given. */
static void reserve_status_targets(struct build_ctx *ctx, struct disk_state *st)
{
	const struct vmi *vmi = ctx->vmi;

	for (size_t i = 0; i < vmi->devices.n_disks; i++) {
		const struct vmi_volume_status *vs = volume_status(vmi, vmi->devices.disks[i].name);
		if (vs == NULL || vs->target == NULL)
			continue;
		bool virtio = effective_bus(ctx, &vmi->devices.disks[i]) == BUS_VIRTIO;
		strv_push(virtio ? &st->used_vd : &st->used_sd, vs->target);
	}
}

static int build_one_disk(struct build_ctx *ctx, size_t i, struct disk_state *st)
{
	const struct vmi_disk *d = &ctx->vmi->devices.disks[i];
	char field_buf[FIELD_MAX];
	const char *field = list_field(field_buf, "spec.domain.devices.disks", i);
	struct disk_plan p = { .d = d, .field = field, .bus = effective_bus(ctx, d), .cache = d->cache };
	const struct vmi_volume *v;
	int r = -1;

	if (check_path_component(d->name, field, ctx->err) < 0)
		return -1;
	v = ctx_volume(ctx, d->name);
	if (v == NULL && d->device != DISK_DEVICE_CDROM)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT, "%s: no volume named '%s' in spec.volumes.", field, d->name);
	const struct vmi_volume_status *vs = volume_status(ctx->vmi, d->name);
	/* Refused by vmi_validate_defaulted already; kept for a VMI model that skipped the defaults. */
	if (v && v->type == VOLUME_MEMORY_DUMP)
		return hvl_error_set(ctx->err, HVL_EXIT_INPUT, "%s: disk %s references an unsupported source (a memoryDump "
				     "volume).", field, d->name);
	if (check_disk(ctx, &p) < 0)
		goto out;
	/* The device name is taken whether or not the disk is in the domain yet, as makeDeviceName does. */
	name_device(st, p.bus == BUS_VIRTIO ? "vd" : "sd", vs, &p);
	if (v && !disk_in_domain(ctx->vmi, vs)) {
		log_info("Disk '%s' is not in the domain yet: its volume is %s.", d->name,
			 vs && vs->hotplug ? "a hotplug volume not mounted yet" : "not in status.volumeStatus");
		r = 0;
		goto out;
	}
	bool hotplugged = vs && vs->hotplug && v && !has_override(ctx, v->name);
	if (!(hotplugged && hotplug_source(ctx, v, &p.s)) && plan_source(ctx, &p, v) < 0)
		goto out;

	xmlNodePtr disk = el(ctx->devices, "disk");
	attr(disk, "device", d->device == DISK_DEVICE_CDROM ? "cdrom" : d->device == DISK_DEVICE_LUN ? "lun" : "disk");
	attr(disk, "type", p.s.type);
	if ((d->device == DISK_DEVICE_DISK && p.bus == BUS_VIRTIO) || p.s.virtio_model)
		attr(disk, "model", ctx->virtio_model);
	emit_source(disk, &p);
	xmlNodePtr target = el(disk, "target");
	attr(target, "bus", bus_name(p.bus));
	attr(target, "dev", p.dev);
	if (d->device == DISK_DEVICE_CDROM)
		attr(target, "tray", d->tray ? d->tray : "closed");
	/* KubeVirt passes the serial on for a disk only, not for a CD-ROM or LUN (storage/disk.go). */
	if (d->device == DISK_DEVICE_DISK && d->serial && *d->serial)
		el_text(disk, "serial", d->serial);
	emit_driver(ctx, disk, &p, st);
	r = emit_tail(ctx, disk, &p);
out:
	disk_source_free(&p.s);
	return r;
}

int build_disks(struct build_ctx *ctx)
{
	struct disk_state st = { .current_auto = 1, .current_dedicated = ctx->auto_threads + 1 };
	int r = 0;

	reserve_status_targets(ctx, &st);
	for (size_t i = 0; i < ctx->vmi->devices.n_disks && r == 0; i++)
		r = build_one_disk(ctx, i, &st);
	strv_free(st.used_vd);
	strv_free(st.used_sd);
	return r;
}
