/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libvirt, loaded on first use.
 *
 * Linking libvirt.so makes every start load ~45 more libraries (gnutls, libselinux, libnuma, ...) and run their
 * constructors: about 9 ms of a ~10 ms start on the reference machine (docs/performance.md), on the path of every
 * VM, while only `run` and the optional hyperv capability check ever talk to libvirt.  So the binary is not linked
 * with libvirt (Makefile: PKG_LIBS); instead this file defines the libvirt functions we call, each resolving
 * the real one from libvirt.so.0 with dlopen/dlsym the first time it is called.  Callers use libvirt's API and
 * headers unchanged; tests may still --wrap these symbols.
 *
 * Calling a libvirt function not listed here fails at link time ("undefined reference to virXxx"): add one
 * LAZY line with its prototype from <libvirt/libvirt-*.h>.  If libvirt.so.0 cannot be loaded, every function
 * returns its documented failure value and virGetLastError() says why, so callers report it like any libvirt
 * error.
 */
#include <dlfcn.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>

#ifndef LIBVIRT_SONAME /* a test overrides it to exercise the missing-library path */
#define LIBVIRT_SONAME "libvirt.so.0"
#endif

static char load_message[256];
static virError load_error = { .code = VIR_ERR_INTERNAL_ERROR, .domain = VIR_FROM_NONE, .level = VIR_ERR_ERROR };

static void *libvirt_handle(void)
{
	static void *handle;
	static int tried;

	if (!__atomic_load_n(&tried, __ATOMIC_ACQUIRE)) {
		/* RTLD_NOW: a libvirt missing a symbol we need fails here, once, rather than mid-call. */
		void *h = dlopen(LIBVIRT_SONAME, RTLD_NOW | RTLD_LOCAL);
		if (h == NULL) {
			snprintf(load_message, sizeof(load_message), "Cannot load libvirt (%s): %s", LIBVIRT_SONAME,
				 dlerror());
			load_error.message = load_message;
		}
		handle = h;
		__atomic_store_n(&tried, 1, __ATOMIC_RELEASE);
	}
	return handle;
}

static void *libvirt_symbol(const char *name)
{
	void *h = libvirt_handle();
	void *sym;

	if (h == NULL)
		return NULL;
	sym = dlsym(h, name);
	if (sym == NULL) {
		snprintf(load_message, sizeof(load_message), "%s has no %s: %s", LIBVIRT_SONAME, name, dlerror());
		load_error.message = load_message;
	}
	return sym;
}

/* What the wrappers return when libvirt is not there: NULL when nothing failed yet. */
static virErrorPtr load_failure(void)
{
	return load_error.message ? &load_error : NULL;
}

#define RESOLVE(name)                                                                                      \
	static __typeof__(name) *real;                                                                     \
	__typeof__(name) *fn = __atomic_load_n(&real, __ATOMIC_RELAXED);                                   \
	if (fn == NULL) {                                                                                  \
		fn = (__typeof__(name) *)libvirt_symbol(#name);                                            \
		__atomic_store_n(&real, fn, __ATOMIC_RELAXED);                                             \
	}

/* ret name(params) { return real(args); }, or `failed` without libvirt. */
#define LAZY(ret, name, params, args, failed)                                                              \
	ret name params                                                                                    \
	{                                                                                                  \
		RESOLVE(name)                                                                              \
		return fn ? fn args : (failed);                                                            \
	}

#define LAZY_VOID(name, params, args)                                                                      \
	void name params                                                                                   \
	{                                                                                                  \
		RESOLVE(name)                                                                              \
		if (fn)                                                                                    \
			fn args;                                                                           \
	}

/* Errors */
LAZY(virErrorPtr, virGetLastError, (void), (), load_failure())
LAZY(const char *, virGetLastErrorMessage, (void), (), load_error.message ? load_error.message : "no error")
LAZY_VOID(virResetLastError, (void), ())
LAZY_VOID(virSetErrorFunc, (void *userData, virErrorFunc handler), (userData, handler))

/* Connections */
LAZY(virConnectPtr, virConnectOpen, (const char *name), (name), NULL)
LAZY(int, virConnectClose, (virConnectPtr conn), (conn), -1)
LAZY(char *, virConnectGetDomainCapabilities,
     (virConnectPtr conn, const char *emulatorbin, const char *arch, const char *machine, const char *virttype,
      unsigned int flags),
     (conn, emulatorbin, arch, machine, virttype, flags), NULL)
LAZY(int, virConnectGetLibVersion, (virConnectPtr conn, unsigned long *libVer), (conn, libVer), -1)
LAZY(int, virConnectGetVersion, (virConnectPtr conn, unsigned long *hvVer), (conn, hvVer), -1)
LAZY(int, virConnectCompareCPU, (virConnectPtr conn, const char *xmlDesc, unsigned int flags), (conn, xmlDesc, flags),
     VIR_CPU_COMPARE_ERROR)

/* The event loop (`run`: keepalive, close and lifecycle callbacks) */
LAZY(int, virEventRegisterDefaultImpl, (void), (), -1)
LAZY(int, virEventRunDefaultImpl, (void), (), -1)
LAZY(int, virEventAddTimeout, (int frequency, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff),
     (frequency, cb, opaque, ff), -1)
LAZY(int, virEventRemoveTimeout, (int timer), (timer), -1)
LAZY(int, virConnectSetKeepAlive, (virConnectPtr conn, int interval, unsigned int count), (conn, interval, count),
     -1)
LAZY(int, virConnectIsAlive, (virConnectPtr conn), (conn), -1)
LAZY(int, virConnectRegisterCloseCallback,
     (virConnectPtr conn, virConnectCloseFunc cb, void *opaque, virFreeCallback freecb), (conn, cb, opaque, freecb),
     -1)
LAZY(int, virConnectUnregisterCloseCallback, (virConnectPtr conn, virConnectCloseFunc cb), (conn, cb), -1)
LAZY(int, virConnectDomainEventRegisterAny,
     (virConnectPtr conn, virDomainPtr dom, int eventID, virConnectDomainEventGenericCallback cb, void *opaque,
      virFreeCallback freecb),
     (conn, dom, eventID, cb, opaque, freecb), -1)
LAZY(int, virConnectDomainEventDeregisterAny, (virConnectPtr conn, int callbackID), (conn, callbackID), -1)

/* Domains (`run`) */
LAZY(virDomainPtr, virDomainCreateXML, (virConnectPtr conn, const char *xmlDesc, unsigned int flags),
     (conn, xmlDesc, flags), NULL)
LAZY(virDomainPtr, virDomainLookupByName, (virConnectPtr conn, const char *name), (conn, name), NULL)
LAZY(virDomainPtr, virDomainLookupByUUID, (virConnectPtr conn, const unsigned char *uuid), (conn, uuid), NULL)
LAZY(int, virDomainGetUUID, (virDomainPtr domain, unsigned char *uuid), (domain, uuid), -1)
LAZY(int, virDomainGetState, (virDomainPtr domain, int *state, int *reason, unsigned int flags),
     (domain, state, reason, flags), -1)
LAZY(int, virDomainResume, (virDomainPtr domain), (domain), -1)
LAZY(int, virDomainShutdown, (virDomainPtr domain), (domain), -1)
LAZY(int, virDomainDestroy, (virDomainPtr domain), (domain), -1)
LAZY(int, virDomainGetDiskErrors,
     (virDomainPtr dom, virDomainDiskErrorPtr errors, unsigned int maxerrors, unsigned int flags),
     (dom, errors, maxerrors, flags), -1)
LAZY(int, virDomainFree, (virDomainPtr domain), (domain), -1)

/* The serial console (`run`) */
LAZY(int, virDomainOpenConsole, (virDomainPtr dom, const char *dev_name, virStreamPtr st, unsigned int flags),
     (dom, dev_name, st, flags), -1)
LAZY(virStreamPtr, virStreamNew, (virConnectPtr conn, unsigned int flags), (conn, flags), NULL)
LAZY(int, virStreamRecv, (virStreamPtr st, char *data, size_t nbytes), (st, data, nbytes), -1)
LAZY(int, virStreamFinish, (virStreamPtr st), (st), -1)
LAZY(int, virStreamAbort, (virStreamPtr st), (st), -1)
LAZY(int, virStreamFree, (virStreamPtr st), (st), -1)
