/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hypervisor selection: the one decision every mode shares.
 *
 *     struct decision d;
 *     if (decide(opts, &d, err) < 0)           // bad input only: gate list, KubeVirt CR (exit 2 or 3)
 *             return -1;
 *     if (decision_require(&d, err) < 0) {     // nothing usable: HVL_EXIT_NO_HYPERVISOR (4)
 *             decision_free(&d);
 *             return -1;
 *     }
 *     ... d.chosen is mshv, kvm or qemu; d.reason says why ...
 *     decision_free(&d);
 *
 * The entrypoint (entrypoint.c) records the decision in the state file of state.h.
 *
 * decide() probes the devices under opts->dev_root (see detect.h), resolves the
 * HyperVLayered feature gate (see gate.h), asks libvirt whether it can run virt
 * type 'hyperv' when that matters (see libvirt-caps.h), then selects:
 *
 *   --hypervisor X (forced)  X when X is usable, else no choice.  Forcing mshv needs the gate.
 *                            Forcing qemu is itself the permission to emulate.
 *   gate off                 exactly KubeVirt's choice for its configured hypervisor
 *                            (opts->kubevirt_hypervisor, from NEXT's --hypervisor): that
 *                            device exists (stat, any file type) → it; else emulation
 *                            allowed → qemu; else no choice.  Our richer verdicts are still
 *                            reported, and a warning is added to the reason when KubeVirt's
 *                            pick fails our probes.
 *   gate on                  mshv usable (device + libvirt) → mshv; otherwise KubeVirt's own
 *                            choice as above (usually /dev/kvm exists → kvm, else emulation →
 *                            qemu).  So without a usable /dev/mshv the result is always KubeVirt's.
 *
 * decide() returns -1 only when it cannot decide at all (bad --feature-gates,
 * unreadable or invalid --kubevirt-config); "nothing usable" is a successful
 * decision with has_choice == false, so `detect` can still print every verdict.
 *
 * Start-up cost: no libvirt connection unless mshv's device is usable and mshv
 * is a candidate (gate on, forced mshv, or the `detect` command); a missing
 * libvirt socket is "check skipped", never an error.
 */
#pragma once

#include <stdbool.h>

#include "detect.h"
#include "error.h"
#include "gate.h"
#include "hypervisor.h"
#include "libvirt-caps.h"
#include "options.h"

struct json_object;

struct decision {
	struct accel_verdict accel[HYPERVISOR_COUNT]; /* indexed by enum hypervisor */

	struct gate_state gate;          /* HyperVLayered: enabled, and which source decided */
	bool emulation_allowed;          /* --allow-emulation, HVL_ALLOW_EMULATION, NEXT's argv or useEmulation */
	const char *emulation_source;    /* static string naming where the permission came from, or "default" */
	struct libvirt_check libvirt;    /* the domain capabilities check for virt type 'hyperv' */

	int requested;                   /* HV_REQUEST_AUTO or the forced enum hypervisor */
	enum hypervisor kubevirt_hypervisor; /* what KubeVirt is configured for (kvm or mshv) */

	bool has_choice;
	enum hypervisor chosen;          /* valid when has_choice */
	char *reason;                    /* why chosen, or (no choice) every accelerator and why not used */
};

/* Probe, resolve the gate, select.  See above for when it fails. */
int decide(const struct hvl_options *opts, struct decision *out, hvl_error **err);

/* 0 with d->has_choice; else -1 with HVL_EXIT_NO_HYPERVISOR and d->reason as the message. */
int decision_require(const struct decision *d, hvl_error **err);

void decision_free(struct decision *d);

/*
 * Log the decision for the entrypoint's log: each verdict (debug), the libvirt check when it ran or
 * was skipped for mshv (info), a warning when the choice is KubeVirt's but fails our probes, and the
 * choice with its reason (info).  Nothing for "no choice": decision_require()'s error says it all.
 */
void decision_log(const struct decision *d);

/*
 * One JSON object (newly allocated string), the format of `detect --json` and of
 * the decision file:
 *   {"accelerators":{"mshv":{"path":"/dev/mshv","checked":true,"exists":..,"present":..,"openable":..,
 *                            "usable":..,"reason":".."},
 *                    "kvm":{..},"qemu":{"path":null,"checked":false,..}},
 *    "featureGate":{"name":"HyperVLayered","enabled":false,"source":"default"},
 *    "emulation":{"allowed":false,"source":"default"},
 *    "libvirt":{"checked":false,"result":"skipped"|"supported"|"unsupported","uri":null,"reason":"..",
 *               "libvirtVersion":"12.9.0"|null,"qemuVersion":"11.1.3"|null,
 *               "cause":null|"libvirt-too-old"|"qemu-too-old"|"kvm-won"|"stale-cache"|"mshv-not-enabled"|"unknown"},
 *    "requested":"auto","kubevirtHypervisor":"kvm"|"hyperv-direct",
 *    "choice":"kvm"|null,"domainType":"kvm"|null,"reason":".."}
 * Gate sources: "default", "KubeVirt CR", "environment", "command line".
 */
char *decision_to_json(const struct decision *d);
/* The same as a json-c object, for embedding in other documents; the caller owns the reference. */
struct json_object *decision_json(const struct decision *d);

/*
 * The pure selection step, separated for tests: fills d->has_choice, d->chosen
 * and d->reason from the verdicts, gate, emulation and request already in *d.
 */
void decision_select(struct decision *d);
