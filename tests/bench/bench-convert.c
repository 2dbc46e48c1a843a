/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-convert: in-process conversion throughput on one core.
 *
 *   bench-convert [-s STAGE] [-H HYPERVISOR] [-t SECONDS | -n OPS] [-r ROUNDS] [-c CPU] VMI.json...
 *
 * For each input, the file is read once; then a loop repeats STAGE for SECONDS, ROUNDS times, and the median
 * round's rate is printed (rounds absorb a noisy neighbour better than one long run).  Stages:
 *   all     vmi_parse + vmi_apply_defaults + domain_build + domain_format: what `convert` and the entrypoint do
 *           per start, minus reading the file and process start-up (bench-spawn measures those)
 *   parse   vmi_parse + vmi_apply_defaults (JSON -> model)
 *   build   domain_build on one parsed model (model -> libxml2 tree, hypervisor profile included)
 *   format  domain_format on one built tree (tree -> text)
 * Comparing the stages shows where a conversion spends its time; `valgrind --tool=callgrind` on a run with
 * -r 1 -n 100 (a fixed count, so instruction totals are comparable between builds) shows where inside a stage.
 *
 * Output, one line per input, key=value for scripts/bench (per_sec and us_per_op per second of CPU time):
 *   convert file=... stage=all hypervisor=mshv per_sec=... us_per_op=... wall_per_sec=... xml_bytes=...
 */
#include <fcntl.h>
#include <getopt.h>
#include <unistd.h>
#include <libxml/parser.h>

#include "bench.h"
#include "domain.h"
#include "fileio.h"
#include "util.h"
#include "vmi.h"

enum stage { STAGE_ALL, STAGE_PARSE, STAGE_BUILD, STAGE_FORMAT };
static const char *const stage_names[] = { "all", "parse", "build", "format" };

struct config {
	enum stage stage;
	enum hypervisor hv;
	double seconds;
	long ops;   /* fixed operations per round instead of a duration; 0 = use seconds */
	long rounds;
};

/* What one input needs: its text, and the model and tree the later stages start from. */
struct input {
	const char *path;
	char *json;
	size_t len;
	struct vmi *vmi;
	xmlDocPtr doc;
	size_t xml_bytes;
};

/* The real stderr: fd 2 itself goes to /dev/null while measuring (see main). */
static int err_fd = STDERR_FILENO;

static void report_error(const char *what, const char *path, hvl_error *err)
{
	dprintf(err_fd, "%s '%s': %s\n", what, path, err ? err->msg : "unknown error");
}

/*
 * The converter logs what the hypervisor profile changes (log_info), as `convert` and the entrypoint do on
 * every start: that cost is part of a conversion, so it stays in, written to /dev/null rather than a terminal.
 */
static int silence_stderr(void)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	err_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (null < 0 || err_fd < 0 || dup2(null, STDERR_FILENO) < 0) {
		fprintf(stderr, "Cannot redirect stderr to /dev/null: %s\n", strerror(errno));
		return -1;
	}
	close(null);
	return 0;
}

static int parse(const struct input *in, struct vmi **vmi, hvl_error **err)
{
	if (vmi_parse(in->json, in->len, in->path, vmi, err) < 0)
		return -1;
	return vmi_apply_defaults(*vmi, NULL, err);
}

static int build(const struct vmi *vmi, enum hypervisor hv, xmlDocPtr *doc, hvl_error **err)
{
	struct convert_options opts = { .hypervisor = hv };
	struct profile_report report = { 0 };
	int r = domain_build(vmi, &opts, doc, &report, err);

	profile_report_free(&report);
	return r;
}

/* One operation of the chosen stage; every allocation is released so the loop measures steady state. */
static int one_op(struct input *in, const struct config *cfg, hvl_error **err)
{
	_cleanup_vmi_ struct vmi *vmi = NULL;
	_cleanup_xml_doc_ xmlDocPtr doc = NULL;
	_cleanup_free_ char *xml = NULL;
	size_t len;

	switch (cfg->stage) {
	case STAGE_PARSE: return parse(in, &vmi, err);
	case STAGE_BUILD: return build(in->vmi, cfg->hv, &doc, err);
	case STAGE_FORMAT: return domain_format(in->doc, &xml, &len, err);
	default:
		if (parse(in, &vmi, err) < 0 || build(vmi, cfg->hv, &doc, err) < 0)
			return -1;
		return domain_format(doc, &xml, &len, err);
	}
}

/* Read the file and run every stage once: a failing input is reported before any timing. */
static int prepare(struct input *in, enum hypervisor hv)
{
	_cleanup_error_ hvl_error *err = NULL;
	_cleanup_free_ char *xml = NULL;

	if (read_file(in->path, VMI_MAX_INPUT_BYTES, "VMI file", &in->json, &in->len, &err) < 0 ||
	    parse(in, &in->vmi, &err) < 0 || build(in->vmi, hv, &in->doc, &err) < 0 ||
	    domain_format(in->doc, &xml, &in->xml_bytes, &err) < 0) {
		report_error("Cannot convert", in->path, err);
		return -1;
	}
	return 0;
}

static void input_clear(struct input *in)
{
	free(in->json);
	vmi_free(in->vmi);
	if (in->doc)
		xmlFreeDoc(in->doc);
	*in = (struct input){ 0 };
}

static uint64_t cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct rate {
	uint64_t cpu, wall; /* operations per second of CPU time, and of wall time */
};

/* One round of about cfg->seconds (or cfg->ops operations); -1 on failure. */
static int round_rate(struct input *in, const struct config *cfg, struct rate *out)
{
	uint64_t start = bench_now_ns(), cpu_start = cpu_now_ns(), limit = (uint64_t)(cfg->seconds * 1e9), elapsed;
	uint64_t ops = 0, batch = cfg->ops ? 1 : 16;

	do {
		for (uint64_t i = 0; i < batch; i++) {
			_cleanup_error_ hvl_error *err = NULL;
			if (one_op(in, cfg, &err) < 0) {
				report_error("Conversion failed in the loop for", in->path, err);
				return -1;
			}
		}
		ops += batch;
		elapsed = bench_now_ns() - start;
	} while (cfg->ops ? ops < (uint64_t)cfg->ops : elapsed < limit);
	out->wall = (uint64_t)((double)ops * 1e9 / (double)elapsed);
	out->cpu = (uint64_t)((double)ops * 1e9 / (double)(cpu_now_ns() - cpu_start + 1));
	return 0;
}

/*
 * per_sec is per second of CPU time: on a machine shared with other jobs a round also waits for the core,
 * which says nothing about the conversion; wall_per_sec is printed beside it.
 */
static int measure(struct input *in, const struct config *cfg)
{
	uint64_t *cpu = xcalloc((size_t)cfg->rounds, sizeof(*cpu));
	uint64_t *wall = xcalloc((size_t)cfg->rounds, sizeof(*wall));
	uint64_t median, wall_median;
	int rc = 0;

	for (long r = 0; r < cfg->rounds && rc == 0; r++) {
		struct rate rate = { 0 };
		rc = round_rate(in, cfg, &rate);
		cpu[r] = rate.cpu;
		wall[r] = rate.wall;
	}
	if (rc == 0) {
		median = bench_quantile(cpu, (size_t)cfg->rounds, 0.5);
		wall_median = bench_quantile(wall, (size_t)cfg->rounds, 0.5);
		printf("convert file=%s stage=%s hypervisor=%s per_sec=%llu us_per_op=%.2f wall_per_sec=%llu "
		       "xml_bytes=%zu\n",
		       in->path, stage_names[cfg->stage], hypervisor_name(cfg->hv), (unsigned long long)median,
		       median ? 1e6 / (double)median : 0.0, (unsigned long long)wall_median, in->xml_bytes);
		fflush(stdout);
	}
	free(cpu);
	free(wall);
	return rc;
}

static void usage(FILE *f)
{
	fputs("Usage: bench-convert [-s all|parse|build|format] [-H mshv|kvm|qemu] [-t SECONDS | -n OPS] [-r ROUNDS] [-c CPU] "
	      "VMI.json...\n",
	      f);
}

static int parse_stage(const char *text, enum stage *out)
{
	for (size_t i = 0; i < HVL_ARRAY_SIZE(stage_names); i++) {
		if (strcmp(text, stage_names[i]) == 0) {
			*out = (enum stage)i;
			return 0;
		}
	}
	fprintf(stderr, "-s: '%s' is not a stage (all, parse, build, format).\n", text);
	return -1;
}

static int parse_config(int argc, char **argv, struct config *cfg, int *cpu)
{
	int opt, hv;
	char *end;

	while ((opt = getopt(argc, argv, "s:H:t:n:r:c:h")) != -1) {
		switch (opt) {
		case 's':
			if (parse_stage(optarg, &cfg->stage) < 0)
				return -1;
			break;
		case 'H':
			hv = hypervisor_from_name(optarg);
			if (hv < 0) {
				fprintf(stderr, "-H: '%s' is not mshv, kvm or qemu.\n", optarg);
				return -1;
			}
			cfg->hv = (enum hypervisor)hv;
			break;
		case 't':
			cfg->seconds = strtod(optarg, &end);
			if (*end || !(cfg->seconds > 0 && cfg->seconds <= 60)) {
				fprintf(stderr, "-t: '%s' is not a duration in seconds (0 < t <= 60).\n", optarg);
				return -1;
			}
			break;
		case 'n': cfg->ops = bench_parse_count("-n", optarg, 1); break;
		case 'r': cfg->rounds = bench_parse_count("-r", optarg, 1); break;
		case 'c': *cpu = (int)bench_parse_count("-c", optarg, 0); break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg = { .stage = STAGE_ALL, .hv = HYPERVISOR_MSHV, .seconds = 0.5, .rounds = 5 };
	int cpu = 0, rc = 0;

	if (parse_config(argc, argv, &cfg, &cpu) < 0)
		return 2;
	/* One core, as the figures are stated per core; also keeps the loop from migrating mid-round. */
	if (bench_pin_cpu(cpu) < 0 || silence_stderr() < 0)
		return 1;
	for (int i = optind; i < argc && rc == 0; i++) {
		struct input in = { .path = argv[i] };
		if (prepare(&in, cfg.hv) < 0 || measure(&in, &cfg) < 0)
			rc = 1;
		input_clear(&in);
	}
	xmlCleanupParser();
	return rc;
}
