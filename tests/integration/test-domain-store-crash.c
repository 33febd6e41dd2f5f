/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Crash test of the domain store (libvirt/domain-store.c): a driver process
 * (tests/tools/domain-store-loop.c) loops define / redefine / set-autostart
 * / undefine over a few domains, reporting each operation before and after
 * the store call; we kill -9 it at a random point, then load the store
 * afresh and check every domain against what was acknowledged:
 *   - an acknowledged state is never lost (define) nor undone (undefine);
 *   - the one operation in flight, if any, is either absent or complete;
 *   - every record loads (nothing torn or corrupt), holds exactly the XML of
 *     one generation, and no temporary file is left after the load.
 * Many rounds on one state directory, seeded (COCO_CRASH_SEED, printed),
 * bounded by COCO_CRASH_SECONDS (default 20).
 *
 *   test-domain-store-crash DRIVER
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "libvirt/domain-store.h"
#include "tests/common/domain-store-loop.h"

#define NDOMAINS 6
#define MAX_ROUNDS 400
#define LINE_MAX_LEN 128

struct domain_state {
	bool defined;
	uint64_t gen;
	bool autostart;
};

/* The operation reported as started but not (yet) acknowledged. */
struct pending {
	bool active;
	char op;        /* 'D', 'U', 'S' */
	unsigned int i;
	uint64_t value; /* generation for D, flag for S */
};

static struct domain_state model[NDOMAINS];
static uint64_t rng;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("FAIL: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static struct domain_state apply(struct domain_state s, const struct pending *p)
{
	if (p->op == 'D') {
		if (!s.defined)
			s.autostart = false;
		s.defined = true;
		s.gen = p->value;
	} else if (p->op == 'U') {
		s.defined = false;
	} else {
		s.autostart = p->value != 0;
	}
	return s;
}

/* Feed one report line into the model. */
static int take_line(const char *line, struct pending *p, unsigned long *acks)
{
	char kind, op;
	unsigned int i;
	uint64_t value = 0;
	int n;

	if (!strcmp(line, "R"))
		return 0;
	n = sscanf(line, "%c %c %u %" SCNu64, &kind, &op, &i, &value);
	if (n < 3 || (kind != 'I' && kind != 'A') || i >= NDOMAINS ||
	    (op != 'D' && op != 'U' && op != 'S'))
		return fail("driver reported '%s'", line);
	if (kind == 'I') {
		*p = (struct pending){ true, op, i, value };
		return 0;
	}
	if (!p->active || p->op != op || p->i != i || p->value != value)
		return fail("acknowledgement '%s' without its intent", line);
	model[i] = apply(model[i], p);
	p->active = false;
	(*acks)++;
	return 0;
}

static bool same_state(const struct domain_state *a, const struct domain_state *b)
{
	if (a->defined != b->defined)
		return false;
	return !a->defined || (a->gen == b->gen && a->autostart == b->autostart);
}

static size_t count_temp_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += strstr(e->d_name, ".tmp.") != NULL;
	closedir(d);
	return n;
}

/* Only the lock and record files may remain once a store has loaded. */
static int check_no_leftovers(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int err = 0;

	if (!d)
		return fail("cannot list %s", dir);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, ".lock"))
			continue;
		if (len < 7 || strcmp(e->d_name + len - 7, ".domain") || strstr(e->d_name, ".tmp."))
			err = fail("'%s' left in the state directory after a load", e->d_name);
	}
	closedir(d);
	return err;
}

/* Load the store afresh and check it against the model; adopt the outcome. */
static int verify(const char *dir, struct pending *p, unsigned long *completed_in_flight)
{
	struct domain_store *store;
	size_t present = 0;
	int err = 0;

	if (domain_store_open(dir, 0, &store))
		return fail("store does not open after the kill: %s", coco_last_error());
	if (domain_store_skipped(store))
		err = fail("%zu record(s) skipped as corrupt, first '%s'", domain_store_skipped(store),
			   domain_store_skipped_file(store, 0));
	for (unsigned int i = 0; i < NDOMAINS; i++) {
		const struct domain_record *r;
		struct domain_state actual = { 0 }, after;
		uint8_t uuid[16];
		char name[32];

		loop_uuid(i, uuid);
		loop_name(i, name, sizeof(name));
		r = domain_store_find_uuid(store, uuid);
		if (r) {
			unsigned long long gen;
			size_t len = 0;
			char *want;

			present++;
			if (strcmp(r->name, name) || sscanf(r->xml, "<domain type='kvm'><name>loop-%*u"
							     "</name><description>gen %llu", &gen) != 1) {
				err = fail("domain %u: record '%s' holds unexpected content", i, r->name);
				continue;
			}
			want = loop_xml(i, gen, &len);
			if (!want || len != r->xml_len || memcmp(want, r->xml, len))
				err = fail("domain %u: XML of generation %llu is not what was written "
					   "(%zu bytes, expected %zu)", i, gen, r->xml_len, len);
			free(want);
			actual = (struct domain_state){ true, gen, r->autostart };
		}
		if (same_state(&actual, &model[i]))
			continue;
		if (p->active && p->i == i) {
			after = apply(model[i], p);
			if (same_state(&actual, &after)) {
				/* The in-flight operation completed before the kill. */
				model[i] = after;
				(*completed_in_flight)++;
				continue;
			}
		}
		err = fail("domain %u: found %s gen %" PRIu64 " autostart %d; acknowledged %s gen %"
			   PRIu64 " autostart %d%s", i, actual.defined ? "defined" : "absent",
			   actual.gen, actual.autostart, model[i].defined ? "defined" : "absent",
			   model[i].gen, model[i].autostart,
			   p->active && p->i == i ? " (with its in-flight operation)" : "");
	}
	if (domain_store_count(store) != present)
		err = fail("%zu records where %zu domains are expected", domain_store_count(store),
			   present);
	domain_store_close(store);
	p->active = false;
	if (check_no_leftovers(dir))
		err = -1;
	return err;
}

/* Run the driver, kill it after @delay_us (from its start or its "ready"), feed its reports. */
static int run_round(const char *driver, const char *dir, unsigned int round, long delay_us,
		     bool from_ready, struct pending *p, unsigned long *acks)
{
	char seed[32], base[32], buf[4096], line[LINE_MAX_LEN];
	size_t line_len = 0;
	int fds[2], status;
	bool killed = false;
	double deadline = 0;
	pid_t pid;

	if (pipe(fds) < 0)
		return fail("pipe: %s", strerror(errno));
	snprintf(seed, sizeof(seed), "%" PRIu64, loop_mix(rng));
	/* Generations unique across rounds: a resurrected old record cannot pass for a new one. */
	snprintf(base, sizeof(base), "%" PRIu64, (uint64_t)(round + 1) << 32);
	pid = fork();
	if (pid < 0)
		return fail("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl(driver, driver, dir, "6", seed, base, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (!from_ready)
		deadline = now() + (double)delay_us / 1e6;
	for (;;) {
		int timeout = -1;
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		ssize_t n;

		if (!killed && deadline > 0) {
			double left = deadline - now();

			if (left <= 0) {
				kill(pid, SIGKILL);
				killed = true;
			} else {
				timeout = (int)(left * 1000) + 1;
			}
		}
		if (poll(&pfd, 1, killed ? -1 : (timeout < 0 ? 30000 : timeout)) == 0) {
			if (deadline == 0) {
				kill(pid, SIGKILL);
				close(fds[0]);
				waitpid(pid, &status, 0);
				return fail("driver never became ready");
			}
			continue;
		}
		n = read(fds[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t k = 0; k < n; k++) {
			if (buf[k] != '\n') {
				if (line_len < sizeof(line) - 1)
					line[line_len++] = buf[k];
				continue;
			}
			line[line_len] = '\0';
			line_len = 0;
			if (!strcmp(line, "R") && from_ready && deadline == 0)
				deadline = now() + (double)delay_us / 1e6;
			if (take_line(line, p, acks)) {
				kill(pid, SIGKILL);
				close(fds[0]);
				waitpid(pid, &status, 0);
				return -1;
			}
		}
	}
	close(fds[0]);
	if (!killed)
		kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		return fail("waitpid: %s", strerror(errno));
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		return fail("driver ended on its own (status 0x%x) before the kill", status);
	return 0;
}

int main(int argc, char **argv)
{
	const char *seed_env = getenv("COCO_CRASH_SEED"), *secs_env = getenv("COCO_CRASH_SECONDS");
	char dir[] = "/tmp/test-domain-store-crash.XXXXXX", cmd[128];
	unsigned long acks = 0, completed_in_flight = 0, in_flight = 0, temp_seen = 0;
	double seconds = secs_env ? atof(secs_env) : 20.0, start = now();
	struct pending p = { 0 };
	unsigned int round;
	uint64_t seed;
	int err = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DRIVER\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	seed = seed_env ? strtoull(seed_env, NULL, 0) : (uint64_t)time(NULL);
	rng = seed;
	printf("seed %" PRIu64 " (COCO_CRASH_SEED to replay), up to %.0f s\n", seed, seconds);
	if (!mkdtemp(dir)) {
		fail("mkdtemp: %s", strerror(errno));
		return 1;
	}
	for (round = 0; round < MAX_ROUNDS && now() - start < seconds; round++) {
		/* Mostly mid-loop; one round in eight while the driver is still loading. */
		bool from_ready = (rng = loop_mix(rng)) % 8 != 0;
		long delay_us = (long)((rng >> 8) % 60000);

		if (run_round(argv[1], dir, round, delay_us, from_ready, &p, &acks)) {
			err = 1;
			break;
		}
		in_flight += p.active;
		temp_seen += count_temp_files(dir);
		if (verify(dir, &p, &completed_in_flight)) {
			fprintf(stderr, "round %u (seed %" PRIu64 ") failed; state kept in %s\n", round,
				seed, dir);
			return 1;
		}
	}
	printf("%u rounds, %lu acknowledged operations, %lu killed in flight (%lu of them "
	       "completed), %lu temporary files found after kills and cleaned\n", round, acks,
	       in_flight, completed_in_flight, temp_seen);
	/* A run that killed nothing mid-operation proves nothing. */
	if (!err && (round < 10 || acks == 0 || in_flight == 0)) {
		fail("too little exercised: %u rounds, %lu operations, %lu in flight", round, acks,
		     in_flight);
		err = 1;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (!err && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return err ? 1 : 0;
}
