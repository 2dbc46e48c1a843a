/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-spawn: wall time and peak RSS of fork+exec+wait of a command, optionally against a baseline command.
 *
 *   bench-spawn [-n RUNS] [-w WARMUP] [-c CPU] [-i STDIN] [-f DIR] [-a LABEL] [-b LABEL] -- CMD [ARGS...]
 *               [--vs BASE [ARGS...]]
 *
 * Runs of CMD and BASE alternate, so drift in machine load (frequency, other jobs) hits both alike.  The time of
 * one run is taken with CLOCK_MONOTONIC around fork() ... wait4(), i.e. what a parent such as virt-handler's
 * container runtime would see; peak RSS is the child's ru_maxrss from wait4().  Every run must exit 0: a command
 * that fails is reported (once more with its stderr shown) instead of timed, since a fast failure proves nothing.
 *
 * -f DIR removes DIR before every run of CMD, untimed: the entrypoint then creates its state directory and files
 * afresh each time, as in a new pod, instead of replacing the previous run's files.
 *
 * The child's CPU time (user+system, from the same wait4) is reported too: on a shared machine the wall time
 * includes waiting for a core, the CPU time does not, so it is the steadier figure of what the command costs.
 *
 * Output, one line per command and one comparison line, key=value so scripts/bench can pick fields:
 *   result label=A runs=N median_ms=... p90_ms=... min_ms=... mean_ms=... cpu_median_ms=... maxrss_kib=...
 *   compare ratio=... added_ms=... added_cpu_ms=...   (medians: A / BASE, A - BASE, CPU A - CPU BASE)
 */
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

struct command {
	const char *label;
	char **argv;
	uint64_t *ns;      /* one wall time per measured run */
	uint64_t *cpu_ns;  /* user+system CPU time of the same run, from wait4 */
	long maxrss_kib;   /* max over all runs */
};

struct config {
	long runs, warmup;
	const char *stdin_path; /* NULL: /dev/null */
	const char *fresh_dir;  /* removed before each run of the measured command; NULL: none */
};

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

/* rm -rf dir; a missing dir is fine. */
static int remove_tree(const char *dir)
{
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT) {
		fprintf(stderr, "Cannot remove '%s': %s\n", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static void redirect(int fd, const char *path, int flags)
{
	int nfd = open(path, flags | O_CLOEXEC);

	if (nfd < 0) {
		fprintf(stderr, "Cannot open '%s': %s\n", path, strerror(errno));
		_exit(125);
	}
	/* dup2 clears O_CLOEXEC on the new descriptor, which is what the child needs. */
	if (dup2(nfd, fd) < 0)
		_exit(125);
	close(nfd);
}

/* One fork+exec+wait4; returns the exit status (or 128+signal), or -1 if fork failed. */
static int spawn(const struct command *cmd, const struct config *cfg, bool show_stderr, uint64_t *ns,
		 uint64_t *cpu_ns, long *maxrss_kib)
{
	struct rusage ru;
	uint64_t start = bench_now_ns();
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		redirect(STDIN_FILENO, cfg->stdin_path ? cfg->stdin_path : "/dev/null", O_RDONLY);
		redirect(STDOUT_FILENO, "/dev/null", O_WRONLY);
		if (!show_stderr)
			redirect(STDERR_FILENO, "/dev/null", O_WRONLY);
		execvp(cmd->argv[0], cmd->argv);
		fprintf(stderr, "Cannot execute '%s': %s\n", cmd->argv[0], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "wait4: %s\n", strerror(errno));
			return -1;
		}
	}
	*ns = bench_now_ns() - start;
	*cpu_ns = ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000u +
		  ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000u;
	*maxrss_kib = ru.ru_maxrss;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int run_once(struct command *cmd, const struct config *cfg, bool fresh, long i)
{
	uint64_t ns, cpu_ns;
	long rss;
	int status;

	if (fresh && remove_tree(cfg->fresh_dir) < 0)
		return -1;
	status = spawn(cmd, cfg, false, &ns, &cpu_ns, &rss);

	if (status != 0) {
		fprintf(stderr, "'%s' (%s) exited with status %d; running it once more with its stderr shown:\n",
			cmd->argv[0], cmd->label, status);
		spawn(cmd, cfg, true, &ns, &cpu_ns, &rss);
		return -1;
	}
	if (i >= 0) {
		cmd->ns[i] = ns;
		cmd->cpu_ns[i] = cpu_ns;
	}
	if (rss > cmd->maxrss_kib)
		cmd->maxrss_kib = rss;
	return 0;
}

/* Prints the result line; *median_ns and *cpu_median_ns are what the comparison line needs. */
static void report(struct command *cmd, long runs, uint64_t *median_ns, uint64_t *cpu_median_ns)
{
	uint64_t sum = 0, p90, min;

	for (long i = 0; i < runs; i++)
		sum += cmd->ns[i];
	/* p90 and min first: bench_quantile sorts, and sorting does not change the others. */
	p90 = bench_quantile(cmd->ns, (size_t)runs, 0.9);
	min = cmd->ns[0];
	*median_ns = bench_quantile(cmd->ns, (size_t)runs, 0.5);
	*cpu_median_ns = bench_quantile(cmd->cpu_ns, (size_t)runs, 0.5);
	printf("result label=%s runs=%ld median_ms=%.3f p90_ms=%.3f min_ms=%.3f mean_ms=%.3f cpu_median_ms=%.3f "
	       "maxrss_kib=%ld\n",
	       cmd->label, runs, *median_ns / 1e6, p90 / 1e6, min / 1e6, (double)sum / (double)runs / 1e6,
	       *cpu_median_ns / 1e6, cmd->maxrss_kib);
}

static void usage(FILE *f)
{
	fputs("Usage: bench-spawn [-n RUNS] [-w WARMUP] [-c CPU] [-i STDIN] [-f DIR] [-a LABEL] [-b LABEL] -- CMD "
	      "[ARGS...] [--vs BASE [ARGS...]]\n",
	      f);
}

/* Split argv after "--" at "--vs" into the measured command and the optional baseline. */
static int split_commands(int argc, char **argv, struct command *a, struct command *b)
{
	if (argc < 1) {
		usage(stderr);
		return -1;
	}
	a->argv = argv;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--vs") == 0) {
			argv[i] = NULL;
			if (i == 0 || i + 1 >= argc) {
				fputs("Both sides of --vs need a command.\n", stderr);
				return -1;
			}
			b->argv = argv + i + 1;
			break;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg = { .runs = 200, .warmup = 10 };
	struct command a = { .label = "A" }, b = { .label = "B" };
	struct command *cmds[2] = { &a, &b };
	size_t n_cmds;
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "+n:w:c:i:f:a:b:h")) != -1) {
		switch (opt) {
		case 'n': cfg.runs = bench_parse_count("-n", optarg, 1); break;
		case 'w': cfg.warmup = bench_parse_count("-w", optarg, 0); break;
		case 'c':
			if (bench_pin_cpu((int)bench_parse_count("-c", optarg, 0)) < 0)
				return 1;
			break;
		case 'i': cfg.stdin_path = optarg; break;
		case 'f': cfg.fresh_dir = optarg; break;
		case 'a': a.label = optarg; break;
		case 'b': b.label = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (split_commands(argc - optind, argv + optind, &a, &b) < 0)
		return 2;
	n_cmds = b.argv ? 2 : 1;
	for (size_t c = 0; c < n_cmds; c++) {
		cmds[c]->ns = calloc((size_t)cfg.runs, sizeof(uint64_t));
		cmds[c]->cpu_ns = calloc((size_t)cfg.runs, sizeof(uint64_t));
		if (cmds[c]->ns == NULL || cmds[c]->cpu_ns == NULL) {
			fputs("Out of memory.\n", stderr);
			return 1;
		}
	}

	/* Warm-up fills the page cache and the dynamic loader's caches; its figures are dropped but its RSS kept. */
	for (long i = -cfg.warmup; i < cfg.runs && rc == 0; i++)
		for (size_t c = 0; c < n_cmds && rc == 0; c++)
			rc = run_once(cmds[c], &cfg, c == 0 && cfg.fresh_dir, i);
	if (rc == 0) {
		uint64_t ma, mb, ca, cb;
		report(&a, cfg.runs, &ma, &ca);
		if (n_cmds == 2) {
			report(&b, cfg.runs, &mb, &cb);
			printf("compare ratio=%.3f added_ms=%.3f added_cpu_ms=%.3f\n", (double)ma / (double)mb,
			       ((double)ma - (double)mb) / 1e6, ((double)ca - (double)cb) / 1e6);
		}
	}
	for (size_t c = 0; c < n_cmds; c++) {
		free(cmds[c]->ns);
		free(cmds[c]->cpu_ns);
	}
	return rc == 0 ? 0 : 1;
}
