/* SPDX-License-Identifier: Apache-2.0 */
#include "help.h"

#include "util.h"

/* Options every mode shares, each printed only where the mode takes it (options_mode_accepts). */
static const struct {
	const char *option; /* its name in options.c */
	const char *line;
} common_options[] = {
	{ "--feature-gates",
	  "      --feature-gates LIST    feature gates, \"A,B\" or \"A=true,B=false\" [HVL_FEATURE_GATES]\n" },
	{ "--kubevirt-config",
	  "      --kubevirt-config FILE  KubeVirt CR as JSON: featureGates (HyperVLayered, and KubeVirt's gates that\n"
	  "                              convert and run check), useEmulation, vmRolloutStrategy and\n"
	  "                              liveUpdateConfiguration (hotplug defaults) [HVL_KUBEVIRT_CONFIG]\n" },
	{ "--allow-emulation",
	  "      --allow-emulation       allow software emulation (qemu) as a fallback [HVL_ALLOW_EMULATION]\n" },
	{ "--hypervisor", "      --hypervisor NAME       auto, mshv, kvm or qemu (default auto) [HVL_HYPERVISOR]\n" },
	{ "--dev-root", "      --dev-root DIR          look for dev/mshv and dev/kvm under DIR (default /) [HVL_DEV_ROOT]\n" },
	{ "--probe", "      --probe DEPTH           shallow or deep (deep creates an mshv test partition) [HVL_PROBE]\n" },
	{ "--connect",
	  "      --connect URI           libvirt URI (default: qemu:///system if its socket exists) [HVL_CONNECT]\n" },
	{ "--no-libvirt", "      --no-libvirt            skip the libvirt capability check [HVL_NO_LIBVIRT]\n" },
	{ "--log-format", "      --log-format FORMAT     json (KubeVirt style, default) or text [HVL_LOG_FORMAT]\n" },
	{ "-v", "  -v, --verbose               more detail; repeatable [HVL_VERBOSITY=N]\n" },
	{ "--help", "  -h, --help                  this help; COMMAND --help for a command's options\n" },
	{ "--version", "      --version               print the version\n" },
};

static const struct {
	enum hvl_command mode;
	const char *text;
} helps[] = {
	{ CMD_ENTRYPOINT,
	  "Usage: hvl-launcher [OPTIONS] [--] NEXT [ARGS...]\n"
	  "       hvl-launcher [OPTIONS] COMMAND [COMMAND OPTIONS]\n"
	  "\n"
	  "Hyper-V Layered (mshv) support for KubeVirt's virt-launcher.  Without a command, decide the\n"
	  "hypervisor, prepare the process and exec NEXT (normally virt-launcher-monitor) with ARGS unchanged.\n"
	  "Installed as virt-launcher-monitor, every argument belongs to NEXT (HVL_NEXT).\n"
	  "\n"
	  "Commands:\n"
	  "  detect     show which accelerators are usable and which one would be chosen\n"
	  "  convert    convert a KubeVirt VMI (JSON) into libvirt domain XML\n"
	  "  overhead   compute KubeVirt's memory overhead for a VMI\n"
	  "  run        run a VMI through libvirt by hand\n"
	  "  hook       KubeVirt hook sidecar (onDefineDomain) mode\n"
	  "\n"
	  "Entrypoint options:\n"
	  "      --vmi FILE              VMI JSON (\"-\" for stdin) [HVL_VMI]\n"
	  "      --dry-run               print the launch plan, change nothing, exec nothing\n"
	  "      --state-dir DIR         where the decision is written [HVL_STATE_DIR]\n"
	  "      --memlock POLICY        auto, unlimited, guest or off [HVL_MEMLOCK]\n"
	  "      --memlock-failure WHAT  fail or warn when the limit cannot be raised [HVL_MEMLOCK_FAILURE]\n"
	  "      --keep-caps LIST        capabilities NEXT may keep [HVL_KEEP_CAPS]\n"
	  "      --cpu-model NAME        named CPU model for mshv and qemu [HVL_CPU_MODEL]\n"
	  "      --ovmf-path DIR         EFI firmware directory when NEXT has no --ovmf-path [HVL_OVMF_PATH]\n" },
	{ CMD_DETECT,
	  "Usage: hvl-launcher detect [OPTIONS]\n"
	  "\n"
	  "Probe /dev/mshv and /dev/kvm, resolve the HyperVLayered gate, and show the choice.\n"
	  "Exit status 4 when no hypervisor is usable.\n"
	  "\n"
	  "      --json                  one JSON object instead of a table\n"
	  "      --cpu-model NAME        the named CPU model whose check on this node is shown [HVL_CPU_MODEL]\n" },
	{ CMD_CONVERT,
	  "Usage: hvl-launcher convert [OPTIONS] [--vmi] FILE\n"
	  "\n"
	  "Convert a KubeVirt VMI into libvirt domain XML for the chosen hypervisor.\n"
	  "\n"
	  "      --vmi FILE              VMI JSON (\"-\" for stdin) [HVL_VMI]\n"
	  "  -o, --output FILE           write the XML to FILE instead of standard output\n"
	  "      --explain               say what was changed for the hypervisor, and why\n"
	  "      --cpu-model NAME        named CPU model for mshv and qemu [HVL_CPU_MODEL]\n"
	  "      --ovmf-path DIR         EFI firmware directory (default KubeVirt's, /usr/share/edk2/ovmf)\n"
	  "                              [HVL_OVMF_PATH]\n" },
	{ CMD_OVERHEAD,
	  "Usage: hvl-launcher overhead [OPTIONS] [--vmi] FILE\n"
	  "\n"
	  "Compute KubeVirt's memory overhead for a VMI, in bytes.\n"
	  "\n"
	  "      --vmi FILE              VMI JSON (\"-\" for stdin) [HVL_VMI]\n"
	  "      --arch ARCH             amd64, arm64 or s390x (default amd64)\n"
	  "      --ratio R               additionalGuestMemoryOverheadRatio, >= 1.0 (default 1.0)\n"
	  "      --json                  the terms of the sum as JSON\n" },
	{ CMD_RUN,
	  "Usage: hvl-launcher run [OPTIONS] [--vmi] FILE\n"
	  "\n"
	  "Convert a VMI and run it through libvirt until it stops: a transient domain that\n"
	  "lives exactly as long as this command (libvirt destroys it when the command ends).\n"
	  "\n"
	  "      --vmi FILE              VMI JSON (\"-\" for stdin) [HVL_VMI]\n"
	  "      --disk NAME=PATH        back volume NAME with the local file PATH; repeatable\n"
	  "      --grace-period S        seconds between shutdown and destroy (default 30)\n"
	  "      --timeout S             destroy the domain after S seconds (default 0: never)\n"
	  "      --cpu-model NAME        named CPU model for mshv and qemu [HVL_CPU_MODEL]\n"
	  "      --ovmf-path DIR         EFI firmware directory (default KubeVirt's if present here, else\n"
	  "                              /usr/share/OVMF) [HVL_OVMF_PATH]\n" },
};

void print_help(enum hvl_command mode, FILE *out)
{
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		if (helps[i].mode == mode) {
			fputs(helps[i].text, out);
			fputc('\n', out);
			fputs("Common options (environment equivalent in brackets):\n", out);
			for (size_t j = 0; j < HVL_ARRAY_SIZE(common_options); j++)
				if (options_mode_accepts(mode, common_options[j].option))
					fputs(common_options[j].line, out);
			fputs("\nSee hvl-launcher(1) for details.\n", out);
			return;
		}
	print_help(CMD_ENTRYPOINT, out);
}
