/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libxml2 without ICU, for the statically linked default build.
 *
 * Debian's libxml2 is built with ICU, and uses it for one thing only: converting documents in a character
 * encoding that iconv does not know.  hvl-launcher reads and writes UTF-8 (KubeVirt's domains and VMIs),
 * yet loading ICU and the libstdc++ it needs costs about 0.8 ms of dynamic relocation on every start of a
 * VM's pod (docs/performance.md).  The Makefile links libxml2.a and these definitions instead, which gives
 * the behaviour of libxml2 configured --without-icu (upstream's default): iconv still converts every
 * encoding glibc knows, and any other is reported as unsupported, as for an unknown name.
 *
 * HVL_ICU_SUFFIX is the version suffix ICU puts on its symbol names (ucnv_open_72 for ICU 72), read by the
 * Makefile from libxml2.a.  If a newer libxml2 calls more of ICU, linking fails with an undefined
 * reference rather than misbehaving.
 */
#include <stdio.h>
#include <stdlib.h>

#ifndef HVL_ICU_SUFFIX
#error "HVL_ICU_SUFFIX must be set (the Makefile does, from libxml2.a)"
#endif

#define ICU_NAME_(name, suffix) name##_##suffix
#define ICU_NAME(name, suffix) ICU_NAME_(name, suffix)
#define ICU(name) ICU_NAME(name, HVL_ICU_SUFFIX)

/* ICU's UErrorCode value for "the converter's data is not available". */
#define U_MISSING_RESOURCE_ERROR 2

/* Declarations here only to satisfy -Wmissing-prototypes; libxml2 declares them through ICU's headers. */
void *ICU(ucnv_open)(const char *name, int *status);
void ICU(ucnv_close)(void *converter);
void ICU(ucnv_convertEx)(void);
void ICU(ucnv_setToUCallBack)(void);
void ICU(ucnv_setFromUCallBack)(void);
void ICU(UCNV_TO_U_CALLBACK_STOP)(void);
void ICU(UCNV_FROM_U_CALLBACK_STOP)(void);

/* libxml2 asks ICU for a converter only after iconv has refused the name; say it has none either. */
void *ICU(ucnv_open)(const char *name, int *status)
{
	(void)name;
	if (status)
		*status = U_MISSING_RESOURCE_ERROR;
	return NULL;
}

/* libxml2's cleanup after a failed ucnv_open may close a converter it never got. */
void ICU(ucnv_close)(void *converter)
{
	(void)converter;
}

/* Everything else needs a converter ucnv_open never returns. */
static _Noreturn void unreachable_icu(const char *what)
{
	fprintf(stderr, "hvl-launcher: internal error: libxml2 called ICU's %s without a converter\n", what);
	abort();
}

void ICU(ucnv_convertEx)(void)
{
	unreachable_icu("ucnv_convertEx");
}

void ICU(ucnv_setToUCallBack)(void)
{
	unreachable_icu("ucnv_setToUCallBack");
}

void ICU(ucnv_setFromUCallBack)(void)
{
	unreachable_icu("ucnv_setFromUCallBack");
}

void ICU(UCNV_TO_U_CALLBACK_STOP)(void)
{
	unreachable_icu("UCNV_TO_U_CALLBACK_STOP");
}

void ICU(UCNV_FROM_U_CALLBACK_STOP)(void)
{
	unreachable_icu("UCNV_FROM_U_CALLBACK_STOP");
}
