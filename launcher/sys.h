/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seam between the launch logic and the kernel.
 *
 * Everything limits.c, caps.c and exec.c ask of the kernel or of libcap-ng goes
 * through these functions, so a cmocka test can replace any of them with
 * `/ * WRAP: sys_setrlimit sys_execve * /` (see docs/HACKING.md) and check what
 * would have been done without doing it.  Each returns what the underlying call
 * returns, with errno set on failure.
 */
#pragma once

#include <stdbool.h>
#include <sys/resource.h>

int sys_getrlimit(int resource, struct rlimit *rl);
int sys_setrlimit(int resource, const struct rlimit *rl);

/* Load the process's capability state into libcap-ng (as capng_get_caps_process would, without /proc). */
int sys_caps_load(void);
/* capng_have_capability on the loaded state; which is a capng_type_t (CAPNG_EFFECTIVE...). */
bool sys_caps_have(int which, unsigned cap);
/* capng_update(CAPNG_DROP, which, cap) on the loaded state. */
int sys_caps_drop(int which, unsigned cap);
/* capng_apply(select): write the loaded state to the process (the bounding set without a second read of it). */
int sys_caps_apply(int select);
/* The highest capability number the running kernel knows (capng_get_last_cap / cap_last_cap). */
unsigned sys_caps_last(void);

int sys_set_no_new_privs(void);
/* 1 set, 0 not set, -1 error. */
int sys_get_no_new_privs(void);

/* Mark every descriptor >= first close-on-exec (close_range, else a /proc/self/fd walk). */
int sys_cloexec_from(unsigned first);

int sys_execve(const char *path, char *const argv[], char *const envp[]);
