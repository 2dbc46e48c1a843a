# shellcheck shell=bash
# A libvirtd and virtlogd of one's own, in a private mount namespace: sourced by scripts/without-kvm and
# tests/check-faults.sh, never run.
#
#   plv_reexec_private "$0" "$@"   re-run the calling script in a new private mount namespace (once)
#   plv_private_dev [--without-kvm] a /dev of the namespace's own (a tmpfs with a copy of every node and link,
#                                  a devpts instance of its own, the other file systems below /dev bound
#                                  in), so that nothing done to /dev here
#                                  (a test replacing /dev/stdout) reaches the host; --without-kvm leaves out
#                                  /dev/kvm (binding /dev/null over it would not do: libvirt would still take
#                                  the node for KVM and fail to probe QEMU with it)
#   plv_mount_state [--keep-cache] empty tmpfs over libvirt's sockets, pid files, state and persistent
#                                  domains; --keep-cache seeds the capability cache with the host's, so the
#                                  daemon need not probe QEMU again (seconds saved; it still re-probes a
#                                  stale entry)
#   plv_start virtlogd|libvirtd     start one daemon (pid file in /run/libvirt), libvirtd waited for
#   plv_pid virtlogd|libvirtd       its pid, or nothing
#   plv_stop virtlogd|libvirtd [SIG]  signal it (TERM by default) and wait until it is gone (KILL after 10 s)
#   plv_stop_all                    destroy the namespace's domains, stop both daemons, kill QEMU leftovers
#
# Everything lives in the mount namespace: the host's daemons, their sockets, domains and pid files are not
# seen, not touched.  Needs root.

PLV_RUN=/run/libvirt
PLV_STATE_DIRS=(/run/libvirt /var/cache/libvirt /var/lib/libvirt/qemu /var/lib/libvirt/swtpm /etc/libvirt/qemu)

plv_say() { echo "private-libvirt: $*" >&2; }

plv_reexec_private() {
	local self=$1
	shift
	if [ "${HVL_PLV_INSIDE:-}" != 1 ]; then
		exec unshare --mount --propagation private env HVL_PLV_INSIDE=1 "$self" "$@"
	fi
	unset HVL_PLV_INSIDE
}

plv_private_dev() {
	local skip='' newdev entry name
	[ "${1:-}" = --without-kvm ] && skip=kvm
	newdev=$(mktemp -d /run/hvl-plv-dev.XXXXXX)
	mount -t tmpfs -o mode=0755,nosuid hvl-dev "$newdev"
	for entry in /dev/* /dev/.[!.]*; do
		[ -e "$entry" ] || [ -L "$entry" ] || continue
		name=${entry#/dev/}
		[ -n "$skip" ] && [ "$name" = "$skip" ] && continue
		[ "$name" = ptmx ] && continue
		if [ "$name" = pts ]; then
			# A devpts of our own: the host's may be stacked or odd, and libvirt moves it for every QEMU.
			mkdir "$newdev/pts"
			mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 hvl-devpts "$newdev/pts"
			ln -s pts/ptmx "$newdev/ptmx"
		elif mountpoint -q "$entry"; then
			mkdir "$newdev/$name"
			mount --rbind "$entry" "$newdev/$name"
		else
			cp -a "$entry" "$newdev/"
		fi
	done
	# The old /dev and the mounts below it go (stacked ones included: some machines mount devpts twice on
	# /dev/pts), not just hidden: libvirt moves every mount it lists below /dev for each QEMU, and one under a
	# covered /dev cannot be moved ("Unable to move /dev/pts mount ...: Invalid argument").
	findmnt -rn -o TARGET | grep -E '^/dev(/|$)' | sort -r | while read -r target; do
		umount -l "$target" 2>/dev/null || true
	done
	mount --move "$newdev" /dev
	rmdir "$newdev"
}

# An empty tmpfs over DIR with DIR's owner and mode (libvirt checks them on some of its directories).
plv_empty_over() {
	local dir=$1 mode uid gid
	mkdir -p "$dir"
	read -r mode uid gid < <(stat -c '%a %u %g' "$dir")
	mount -t tmpfs -o "mode=$mode,uid=$uid,gid=$gid" hvl-libvirt "$dir"
}

plv_mount_state() {
	local seed='' dir
	if [ "${1:-}" = --keep-cache ] && [ -d /var/cache/libvirt/qemu/capabilities ]; then
		seed=$(mktemp -d /tmp/hvl-plv-cache.XXXXXX)
		cp -a /var/cache/libvirt/qemu/capabilities "$seed/" 2>/dev/null || true
	fi
	for dir in "${PLV_STATE_DIRS[@]}"; do
		plv_empty_over "$dir"
	done
	if [ -n "$seed" ]; then
		mkdir -p /var/cache/libvirt/qemu
		cp -a "$seed/capabilities" /var/cache/libvirt/qemu/ 2>/dev/null || true
		rm -rf "$seed"
	fi
}

plv_pid() {
	local pid
	pid=$(cat "$PLV_RUN/$1.pid" 2>/dev/null) || return 0
	kill -0 "$pid" 2>/dev/null && echo "$pid"
	return 0
}

plv_start() {
	local name=$1 i
	case $name in
	virtlogd) virtlogd -d --pid-file "$PLV_RUN/virtlogd.pid" ;;
	libvirtd)
		libvirtd -d --pid-file "$PLV_RUN/libvirtd.pid" || return 1
		for i in $(seq 150); do
			virsh -q -c qemu:///system version >/dev/null 2>&1 && return 0
			sleep 0.2
		done
		plv_say "the namespace's libvirtd did not answer on qemu:///system"
		return 1
		;;
	*) plv_say "unknown daemon $name"; return 2 ;;
	esac
}

plv_stop() {
	local name=$1 sig=${2:-TERM} pid i
	pid=$(plv_pid "$name")
	[ -n "$pid" ] || return 0
	kill -CONT "$pid" 2>/dev/null
	kill "-$sig" "$pid" 2>/dev/null || return 0
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || { rm -f "$PLV_RUN/$name.pid"; return 0; }
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	sleep 0.2
	rm -f "$PLV_RUN/$name.pid"
}

plv_stop_all() {
	local dom pidfile pid
	if [ -n "$(plv_pid libvirtd)" ]; then
		kill -CONT "$(plv_pid libvirtd)" 2>/dev/null
		for dom in $(timeout 20 virsh -c qemu:///system list --name 2>/dev/null); do
			timeout 20 virsh -c qemu:///system destroy "$dom" >/dev/null 2>&1
		done
	fi
	[ -n "$(plv_pid virtlogd)" ] && kill -CONT "$(plv_pid virtlogd)" 2>/dev/null
	plv_stop libvirtd
	plv_stop virtlogd
	# QEMU of a daemon that was killed: its pid file is in the namespace's own /run/libvirt/qemu.
	for pidfile in "$PLV_RUN"/qemu/*.pid; do
		[ -f "$pidfile" ] || continue
		pid=$(cat "$pidfile" 2>/dev/null) || continue
		case $(cat "/proc/$pid/comm" 2>/dev/null) in qemu*) kill -9 "$pid" 2>/dev/null ;; esac
	done
	return 0
}
