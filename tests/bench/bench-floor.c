/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-floor VMI.json DOMAIN.xml: what the libraries alone cost for one conversion, a floor our code
 * cannot go below while it parses JSON with json-c and builds and saves XML with libxml2's tree API.
 *
 *   json    json_tokener_parse + json_object_put of the VMI text
 *   tree    xmlCopyDoc + xmlFreeDoc of the domain: building and freeing a tree of the same shape
 *   save    xmlDocDumpFormatMemoryEnc of the domain (what domain_format asks of libxml2)
 *
 * Prints one line per part and their sum as conversions per second on one pinned core (-c CPU, default 0),
 * median of -r ROUNDS rounds of -t MILLISECONDS each (defaults 500 ms x 5).
 */
#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <unistd.h>

#include "bench.h"
#include "error.h"
#include "fileio.h"
#include "util.h"

struct part {
	const char *name;
	void (*run)(void);
	double us_per_op;
};

static const char *vmi_text;
static xmlDocPtr domain;

static void run_json(void)
{
	json_object_put(json_tokener_parse(vmi_text));
}

static void run_tree(void)
{
	xmlFreeDoc(xmlCopyDoc(domain, 1));
}

static void run_save(void)
{
	xmlChar *text = NULL;
	int len = 0;

	xmlDocDumpFormatMemoryEnc(domain, &text, &len, "UTF-8", 1);
	xmlFree(text);
}

/* The whole file, NUL-terminated; exits on error (a benchmark has no use for a partial input). */
static char *read_input(const char *path, const char *what)
{
	_cleanup_error_ hvl_error *err = NULL;
	char *data = NULL;
	size_t len;

	if (read_file(path, 64 << 20, what, &data, &len, &err) < 0) {
		fprintf(stderr, "bench-floor: %s\n", err->msg);
		exit(1);
	}
	return data;
}

/* Median over rounds of the time per operation, in microseconds. */
static double measure(void (*run)(void), double seconds, int rounds)
{
	uint64_t per_op[64];

	for (int r = 0; r < rounds; r++) {
		uint64_t start = bench_now_ns(), deadline = start + (uint64_t)(seconds * 1e9), now;
		uint64_t ops = 0;

		do {
			for (int i = 0; i < 16; i++)
				run();
			ops += 16;
			now = bench_now_ns();
		} while (now < deadline);
		per_op[r] = (now - start) / ops;
	}
	return (double)bench_quantile(per_op, (size_t)rounds, 0.5) / 1000.0;
}

int main(int argc, char **argv)
{
	struct part parts[] = { { "json", run_json, 0 }, { "tree", run_tree, 0 }, { "save", run_save, 0 } };
	double seconds = 0.5, total = 0;
	int rounds = 5, cpu = 0, opt;
	char *xml_text;

	while ((opt = getopt(argc, argv, "t:r:c:")) != -1) {
		switch (opt) {
		case 't': seconds = (double)bench_parse_count("-t (ms)", optarg, 1) / 1000.0; break;
		case 'r': rounds = (int)bench_parse_count("-r", optarg, 1); break;
		case 'c': cpu = (int)bench_parse_count("-c", optarg, 0); break;
		default: fprintf(stderr, "Usage: bench-floor [-t MILLISECONDS] [-r ROUNDS] [-c CPU] VMI.json DOMAIN.xml\n"); return 2;
		}
	}
	if (argc - optind != 2 || rounds > 64) {
		fprintf(stderr, "Usage: bench-floor [-t MILLISECONDS] [-r ROUNDS<=64] [-c CPU] VMI.json DOMAIN.xml\n");
		return 2;
	}
	if (bench_pin_cpu(cpu) < 0)
		return 1;
	vmi_text = read_input(argv[optind], "VMI file");
	xml_text = read_input(argv[optind + 1], "domain XML");
	domain = xmlReadMemory(xml_text, (int)strlen(xml_text), NULL, NULL, XML_PARSE_NOBLANKS | XML_PARSE_NONET);
	json_object *probe = json_tokener_parse(vmi_text);
	bool parsed = probe != NULL;
	json_object_put(probe);
	if (domain == NULL || !parsed) {
		fprintf(stderr, "bench-floor: cannot parse the inputs\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		parts[i].us_per_op = measure(parts[i].run, seconds, rounds);
		total += parts[i].us_per_op;
		printf("floor part=%s us_per_op=%.2f\n", parts[i].name, parts[i].us_per_op);
	}
	printf("floor part=sum us_per_op=%.2f per_sec=%.0f\n", total, 1e6 / total);
	xmlFreeDoc(domain);
	free(xml_text);
	free((char *)vmi_text);
	return 0;
}
