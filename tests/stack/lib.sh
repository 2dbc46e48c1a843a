# shellcheck shell=bash
# Helpers for the suites that run inside the mshv stack (tests/stack/inside): the namespace's own libvirtd and
# virtlogd, its /dev, counters.  Sourced; the caller runs chrooted by scripts/with-mshv-stack.

URI=qemu:///system
CACHE_DIR=/var/cache/libvirt/qemu/capabilities

stack_failures=0
fail() {
	echo "FAIL: $*"
	stack_failures=$((stack_failures + 1))
}
skip_part() {
	echo "SKIP (part): $*"
}

libvirt_stop() {
	local name pid i
	for name in libvirtd virtlogd; do
		pid=$(cat "/run/libvirt/$name.pid" 2>/dev/null) || continue
		kill "$pid" 2>/dev/null || continue
		for i in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
		rm -f "/run/libvirt/$name.pid"
	done
}

# libvirt's QEMU settings as KubeVirt's launcher has them (cmd/virt-launcher/qemu.conf): no per-domain mount
# namespace, no cgroup controllers.  Written once into the namespace's own /etc.
launcher_qemu_conf() {
	grep -q '^# hvl-stack' /etc/libvirt/qemu.conf 2>/dev/null && return
	printf '%s\n' '# hvl-stack: as KubeVirt'"'"'s virt-launcher' 'namespaces = [ ]' 'cgroup_controllers = [ ]' \
		>>/etc/libvirt/qemu.conf
}

libvirt_start() {
	local _
	launcher_qemu_conf
	mkdir -p /run/libvirt
	virtlogd -d --pid-file /run/libvirt/virtlogd.pid
	libvirtd -d --pid-file /run/libvirt/libvirtd.pid
	for _ in $(seq 150); do
		virsh -q -c "$URI" version >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "stack: libvirtd did not answer on $URI" >&2
	return 1
}

libvirt_restart() {
	libvirt_stop
	libvirt_start
}

# The KVM node of this namespace, kept aside so it can be hidden and shown again.
KVM_SAVED=/run/hvl-stack-kvm
kvm_hide() {
	if [ -c /dev/kvm ]; then
		cp -a /dev/kvm "$KVM_SAVED"
		rm -f /dev/kvm
	fi
}
kvm_show() {
	[ -c "$KVM_SAVED" ] && [ ! -e /dev/kvm ] && cp -a "$KVM_SAVED" /dev/kvm
	return 0
}
# Whether this namespace has a KVM that libvirt offers (probing QEMU as it does).
kvm_offered() {
	virsh -q -c "$URI" domcapabilities --virttype kvm --arch x86_64 --machine q35 >/dev/null 2>&1
}

# /dev/mshv for the simulated node and the refusals: a character node with the null device's numbers (1:3),
# owned by QEMU's user as virt-handler hands the pod's node to it (claimDeviceOwnership).  It opens read-write, so
# hvl-launcher's default probe takes it as present and openable, but no mshv driver is behind it:
# `--probe=deep` (MSHV_CREATE_PARTITION) refuses it, and so does QEMU, on its first mshv ioctl.
mshv_node_add() {
	rm -f /dev/mshv
	mknod -m 0600 /dev/mshv c 1 3
	chown libvirt-qemu:kvm /dev/mshv
}
mshv_node_remove() {
	rm -f /dev/mshv
}

cache_clear() {
	rm -f "$CACHE_DIR"/*.xml
}

# The test guest (tests/e2e/make-guest.sh) copied where QEMU, running as libvirt-qemu, can read it; prints the
# directory.  The caller removes it.
guest_copy() {
	local built dir
	built=$("$HVL_TOP/tests/e2e/make-guest.sh") || return $?
	dir=$(mktemp -d /tmp/hvl-stack-guest.XXXXXX)
	chmod 0711 "$dir"
	cp "$built/vmlinuz" "$built/initrd.gz" "$dir/"
	truncate -s 1M "$dir/scratch.img"
	chmod 0644 "$dir"/*
	echo "$dir"
}

# stack_restore: the namespace's libvirt as the suites expect it (no /dev/mshv, /dev/kvm back, the capabilities
# cache cleared, libvirtd running), and $tmp removed: the cases change all of these.  Run it on exit.
stack_restore() {
	libvirt_stop
	mshv_node_remove
	kvm_show
	cache_clear
	libvirt_start >/dev/null
	# shellcheck disable=SC2154 # $tmp: the calling suite's
	rm -rf "$tmp"
}
