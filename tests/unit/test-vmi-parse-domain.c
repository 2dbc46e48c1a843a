/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec.domain's own sections (vmi-parse-cpu.c, vmi-parse-os.c,
 * vmi-parse-features.c): every field of the full VMI's compute, firmware,
 * clock and features lands in its struct member.
 */
#include "vmi-test.h"

static void test_full_compute(void **state)
{
	_cleanup_vmi_ struct vmi *v = load_ok(FULL);

	(void)state;
	assert_int_equal(v->resources.request_memory, 3LL << 30);
	assert_int_equal(v->resources.limit_memory, 3LL << 30);
	assert_int_equal(v->resources.request_cpu_milli, 6000);
	assert_int_equal(v->resources.limit_cpu_milli, 6000);
	assert_true(v->resources.overcommit_guest_overhead);
	assert_int_equal(v->memory.guest, 2LL << 30);
	assert_int_equal(v->memory.max_guest, 8LL << 30);
	assert_string_equal(v->memory.hugepages_size, "2Mi");
	assert_int_equal(v->memory.reserved_overhead, 100LL << 20);
	assert_true(v->memory.memlock_required);
	assert_true(v->cpu_set);
	assert_int_equal(v->cpu.sockets, 2);
	assert_int_equal(v->cpu.cores, 3);
	assert_int_equal(v->cpu.threads, 1);
	assert_int_equal(v->cpu.max_sockets, 4);
	assert_string_equal(v->cpu.model, "Skylake-Server");
	assert_int_equal(v->cpu.n_features, 2);
	assert_string_equal(v->cpu.features[0].name, "pcid");
	assert_string_equal(v->cpu.features[0].policy, "require");
	assert_null(v->cpu.features[1].policy);
	assert_true(v->cpu.dedicated_cpu_placement);
	assert_true(v->cpu.isolate_emulator_thread);
	assert_true(v->cpu.numa_guest_mapping_passthrough);
	assert_true(v->cpu.realtime);
	assert_string_equal(v->cpu.realtime_mask, "0-3,^1");
	assert_string_equal(v->machine_type, "pc-q35-rhel9.2.0");
	assert_string_equal(v->io_threads_policy, "supplementalPool");
	assert_int_equal(v->io_threads_supplemental_count, 4);
	assert_string_equal(v->launch_security, "sev");
	assert_true(v->sev_es);
	assert_string_equal(v->reboot_policy, "Terminate");
}

static void test_full_firmware_clock_features(void **state)
{
	_cleanup_vmi_ struct vmi *v = load_ok(FULL);
	const struct vmi_hyperv *h = &v->features.hyperv;

	(void)state;
	assert_string_equal(v->firmware.uuid, "5d307ca9-b3ef-428c-8861-06e72d69f223");
	assert_string_equal(v->firmware.serial, "SER-123");
	assert_int_equal(v->firmware.bootloader, BOOTLOADER_EFI);
	assert_int_equal(v->firmware.efi_secure_boot, TRI_FALSE);
	assert_true(v->firmware.efi_persistent);
	assert_true(v->firmware.has_kernel_boot);
	assert_string_equal(v->firmware.kernel_boot.image, "quay.io/kernel:1");
	assert_string_equal(v->firmware.kernel_boot.kernel_path, "/boot/vmlinuz");
	assert_string_equal(v->firmware.kernel_boot.initrd_path, "/boot/initrd");
	assert_string_equal(v->firmware.kernel_boot.kernel_args, "console=ttyS0");
	assert_string_equal(v->firmware.acpi_slic_name, "slic");
	assert_null(v->firmware.acpi_msdm_name);
	assert_string_equal(v->chassis.manufacturer, "ACME");
	assert_string_equal(v->chassis.sku, "S1");

	assert_true(v->clock.set);
	assert_true(v->clock.utc);
	assert_true(v->clock.utc_offset_set);
	assert_int_equal(v->clock.utc_offset_seconds, -3600);
	assert_null(v->clock.timezone);
	assert_true(v->clock.hpet.set);
	assert_int_equal(v->clock.hpet.present, TRI_FALSE);
	assert_string_equal(v->clock.hpet.tick_policy, "merge");
	assert_int_equal(v->clock.kvm.present, TRI_TRUE);
	assert_int_equal(v->clock.pit.present, TRI_UNSET);
	assert_string_equal(v->clock.pit.tick_policy, "discard");
	assert_string_equal(v->clock.rtc.track, "guest");
	assert_true(v->clock.hyperv.set);

	assert_true(v->features.set);
	assert_int_equal(v->features.acpi.enabled, TRI_FALSE);
	assert_true(v->features.apic.set);
	assert_true(v->features.apic_end_of_interrupt);
	assert_true(v->features.smm.set);
	assert_int_equal(v->features.smm.enabled, TRI_UNSET);
	assert_int_equal(v->features.pvspinlock.enabled, TRI_FALSE);
	assert_int_equal(v->features.kvm_hidden.enabled, TRI_TRUE);
	assert_false(v->features.hyperv_passthrough);
	assert_true(h->set);
	assert_int_equal(h->vapic.enabled, TRI_TRUE);
	assert_int_equal(h->reenlightenment.enabled, TRI_FALSE);
	assert_true(h->spinlocks.set);
	assert_int_equal(h->spinlocks_retries, 8191);
	assert_string_equal(h->vendorid_value, "KubeVirt");
	assert_true(h->synictimer.set);
	assert_int_equal(h->synictimer_direct.enabled, TRI_TRUE);
	assert_true(h->tlbflush_direct.set);
	assert_int_equal(h->tlbflush_extended.enabled, TRI_FALSE);
	assert_false(h->runtime.enabled == TRI_FALSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_compute),
		cmocka_unit_test(test_full_firmware_clock_features),
	};

	if (vmi_test_chdir() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
