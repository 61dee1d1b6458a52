/*
 * Profile loading benchmark (tests/bench/profiles.sh): how long a profile
 * set takes to load and how much heap it holds, for
 *
 *   carriers  200 carrier profiles of 50 rules each (each inherits rfc):
 *             the size of a real carrier catalogue
 *   bigfile   one file of N rules that match on the phrase only (the
 *             worst case for an index per code), N from -r (default 27000,
 *             about 1 MiB)
 *
 * Prints "case<TAB>rules<TAB>ms<TAB>heap-bytes<TAB>result" per case: ms is
 * the best of 3 loads (wall clock, indicative on a shared machine); heap
 * is glibc's mallinfo2() in-use bytes (arena and mmap'd blocks) after the
 * load minus before (exact and machine-independent). A load slower than
 * a second is run once. Never a pass/fail test.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sipoutcome.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The text of carrier profile i: 50 rules, a mix of what carrier
 * profiles hold (code + phrase, code alone, class, phrase alone). */
static size_t carrier_text(char *buf, size_t cap, int i)
{
	static const char *tags[] = {"BUSY category=busy", "FAILED category=congestion",
			"NO_ANSWER category=no_answer", "FAILED category=invalid_number"};
	size_t n = snprintf(buf, cap, "profile carrier%03d\ndescription \"carrier %d\"\n", i, i);
	int r;

	for(r = 0; r < 50 && n < cap; r++) {
		const char *t = tags[r % 4];
		if(r < 30)
			n += snprintf(buf + n, cap - n,
					"match code=%d phrase=\"cause %d-%d\" set tag=%s\n",
					400 + (r * 7) % 200, i, r, t);
		else if(r < 40)
			n += snprintf(buf + n, cap - n, "match code=%d set tag=%s\n",
					500 + r, t);
		else if(r < 45)
			n += snprintf(buf + n, cap - n,
					"match class=%d ringing=%d set tag=%s\n", 4 + r % 3,
					r % 2, t);
		else
			n += snprintf(buf + n, cap - n,
					"match phrase=\"carrier %d text %d\" set tag=%s\n", i, r, t);
	}
	return n;
}

static size_t bigfile_text(char *buf, size_t cap, int rules)
{
	size_t n = snprintf(buf, cap, "profile bigfile\n");
	int r;

	for(r = 0; r < rules && n < cap; r++)
		n += snprintf(buf + n, cap - n,
				"match phrase=\"reason text %06d\" set tag=FAILED\n", r);
	return n;
}

/* Load the case once into a new set; fills *heap; 0, or -1 with msg. */
static int load_case(const char *which, int rules, char *buf, size_t cap,
		size_t *heap, char *msg, size_t msglen, sipoutcome_profiles_t **out)
{
	sipoutcome_profiles_t *set = NULL;
	sipoutcome_error_t err;
	struct mallinfo2 before = mallinfo2(), after;
	char src[64];
	int i, rc;
	size_t n;

	memset(&err, 0, sizeof(err));
	rc = sipoutcome_profiles_new(&set, &err);
	if(strcmp(which, "carriers") == 0) {
		for(i = 0; rc == SIPOUTCOME_OK && i < 200; i++) {
			n = carrier_text(buf, cap, i);
			snprintf(src, sizeof(src), "carrier%03d.profile", i);
			rc = sipoutcome_profiles_load_buffer(set, src, buf, n, &err);
		}
	} else {
		n = bigfile_text(buf, cap, rules);
		rc = sipoutcome_profiles_load_buffer(set, "bigfile.profile", buf, n, &err);
	}
	after = mallinfo2();
	*heap = (after.uordblks + after.hblkhd) - (before.uordblks + before.hblkhd);
	if(rc != SIPOUTCOME_OK) {
		sipoutcome_error_format(&err, msg, msglen);
		sipoutcome_profiles_free(set);
		return -1;
	}
	*out = set;
	return 0;
}

int main(int argc, char **argv)
{
	const char *cases[] = {"carriers", "bigfile"};
	size_t cap = 4 * 1024 * 1024, heap = 0;
	char *buf = malloc(cap), msg[512];
	int rules = 27000, c, k;

	if(argc > 2 && strcmp(argv[1], "-r") == 0)
		rules = atoi(argv[2]);
	if(buf == NULL)
		return 1;
	for(c = 0; c < 2; c++) {
		double best = 1e12;
		int ok = 1;
		for(k = 0; k < 3 && ok && (k == 0 || best < 1000); k++) {
			sipoutcome_profiles_t *set = NULL;
			double t0 = now_ms(), t;
			ok = load_case(cases[c], rules, buf, cap, &heap, msg, sizeof(msg),
						 &set)
				 == 0;
			t = now_ms() - t0;
			if(t < best)
				best = t;
			sipoutcome_profiles_free(set);
		}
		printf("%s\t%d\t%.1f\t%zu\t%s\n", cases[c], c == 0 ? 200 * 50 : rules,
				best, heap, ok ? "loaded" : msg);
	}
	free(buf);
	return 0;
}
