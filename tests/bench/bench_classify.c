/*
 * Engine micro-benchmark: nanoseconds per call of the functions the
 * module runs on every final reply. Built and run by scripts/bench.sh,
 * which also runs each case under callgrind for its instructions per call
 * (the machine is shared: instruction counts are the stable figure,
 * nanoseconds are the best of several rounds and only indicative).
 *
 *   bench_classify                 every case, wall clock, table on stdout
 *   bench_classify -n N CASE       N rounds of CASE only (for callgrind)
 *   bench_classify -l              the case names and calls per round
 *
 * A round of a classify case is one sipoutcome_classify() per registered
 * code (all of data/codes.tsv, 1xx included), received phrase = the
 * canonical one; "q850" cases pass the code's own RFC 3398 cause (16 when
 * the table has none) as the Reason header's cause.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sipoutcome.h"

#define NOINLINE __attribute__((noinline))

static const sipoutcome_profile_t *okitoki;
static size_t ncodes;
static sipoutcome_input_t inputs[2][1000]; /* [with q850][code] */
static volatile unsigned long sink;

static const char reason_hdr[] = "Q.850;cause=19;text=\"No answer from user\"";
static const char reason_hdr_ws[] =
		"SIP ;cause=480 ;text=\"Temporarily Unavailable\" , Q.850 ;cause=16 "
		";text=\"Normal Clearing\"";

static sipoutcome_result_t log_result;
static sipoutcome_logctx_t log_ctx;

static NOINLINE void run_classify(int q850, const sipoutcome_profile_t *p)
{
	sipoutcome_result_t r;
	size_t i;

	for(i = 0; i < ncodes; i++) {
		inputs[q850][i].profile = p;
		if(sipoutcome_classify(&inputs[q850][i], &r) == SIPOUTCOME_OK)
			sink += (unsigned long)r.tag;
	}
}

static void c_null(void) { run_classify(0, NULL); }
static void c_null_q(void) { run_classify(1, NULL); }
static void c_oki(void) { run_classify(0, okitoki); }
static void c_oki_q(void) { run_classify(1, okitoki); }

static void c_reason(void)
{
	sipoutcome_reason_hdr_t rh;

	sipoutcome_reason_hdr_init(&rh);
	if(sipoutcome_reason_hdr_parse(reason_hdr, sizeof(reason_hdr) - 1, &rh) == 0)
		sink += (unsigned long)rh.q850;
}

static void c_reason_ws(void)
{
	sipoutcome_reason_hdr_t rh;

	sipoutcome_reason_hdr_init(&rh);
	if(sipoutcome_reason_hdr_parse(reason_hdr_ws, sizeof(reason_hdr_ws) - 1, &rh)
			== 0)
		sink += (unsigned long)rh.q850;
}

static void c_q850(void)
{
	sink += (unsigned long)sipoutcome_reason_q850(
			reason_hdr, sizeof(reason_hdr) - 1);
}

static void c_q850_ws(void)
{
	sink += (unsigned long)sipoutcome_reason_q850(
			reason_hdr_ws, sizeof(reason_hdr_ws) - 1);
}

static void c_logfmt(void)
{
	char line[1024];

	sink += (unsigned long)sipoutcome_format_logfmt(
			line, sizeof(line), &log_result, &log_ctx);
}

static void c_phrase(void)
{
	sink += sipoutcome_phrase_check(480, "Temporarily Not Available", 25);
}

typedef struct bcase {
	const char *name;
	const char *what;
	const char *func; /* the engine function counted by callgrind */
	void (*run)(void);
	int per_round; /* engine calls per round; 0: ncodes */
} bcase_t;

static const bcase_t cases[] = {
	{"classify", "classify, profile NULL, no Q.850", "sipoutcome_classify",
		c_null, 0},
	{"classify-q850", "classify, profile NULL, Q.850 cause",
		"sipoutcome_classify", c_null_q, 0},
	{"classify-okitoki", "classify, okitoki, no Q.850", "sipoutcome_classify",
		c_oki, 0},
	{"classify-okitoki-q850", "classify, okitoki, Q.850 cause",
		"sipoutcome_classify", c_oki_q, 0},
	{"reason", "reason_hdr_parse Q.850;cause=19;text=\"...\"",
		"sipoutcome_reason_hdr_parse", c_reason, 1},
	{"reason-2values", "reason_hdr_parse 2 values, spaces",
		"sipoutcome_reason_hdr_parse", c_reason_ws, 1},
	{"q850", "reason_q850 Q.850;cause=19;text=\"...\"",
		"sipoutcome_reason_q850", c_q850, 1},
	{"q850-2values", "reason_q850 2 values, spaces", "sipoutcome_reason_q850",
		c_q850_ws, 1},
	{"logfmt", "format_logfmt (BUSY 486 line)", "sipoutcome_format_logfmt",
		c_logfmt, 1},
	{"phrase-check", "phrase_check 480 nonstandard phrase",
		"sipoutcome_phrase_check", c_phrase, 1},
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static int setup(void)
{
	sipoutcome_profiles_t *set = NULL;
	sipoutcome_error_t err;
	size_t i;
	int q;

	memset(&err, 0, sizeof(err));
	if(sipoutcome_profiles_new(&set, &err) != SIPOUTCOME_OK) {
		char buf[512];
		fprintf(stderr, "profiles: %s\n",
				sipoutcome_error_format(&err, buf, sizeof(buf)));
		return -1;
	}
	okitoki = sipoutcome_profiles_find(set, "okitoki", 7);
	if(okitoki == NULL) {
		fprintf(stderr, "no okitoki profile\n");
		return -1;
	}
	ncodes = sipoutcome_code_count();
	if(ncodes > 1000)
		ncodes = 1000;
	for(q = 0; q < 2; q++) {
		for(i = 0; i < ncodes; i++) {
			const sipoutcome_code_t *c = sipoutcome_code_at(i);
			sipoutcome_input_t *in = &inputs[q][i];
			sipoutcome_input_init(in);
			in->code = c->code;
			in->reason = c->phrase;
			in->reason_len = c->phrase_len;
			if(q)
				in->q850 = c->cause ? c->cause : 16;
		}
	}
	{
		sipoutcome_input_t in;
		static const char callid[] = "a84b4c76e66710@pc33.example.com";
		sipoutcome_input_init(&in);
		in.code = 486;
		in.reason = "Busy Here";
		in.reason_len = 9;
		sipoutcome_classify(&in, &log_result);
		memset(&log_ctx, 0, sizeof(log_ctx));
		log_ctx.callid = callid;
		log_ctx.callid_len = sizeof(callid) - 1;
		log_ctx.reason = "Busy Here";
		log_ctx.reason_len = 9;
		log_ctx.q850 = -1;
	}
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int calls_per_round(const bcase_t *c)
{
	return c->per_round ? c->per_round : (int)ncodes;
}

/* Best of 7 rounds of about 20 ms each: the least disturbed by whatever
 * else runs on the machine. */
static double ns_per_call(const bcase_t *c)
{
	long n = 1, i;
	double t, best = 0;
	int k;

	for(;;) { /* calibrate */
		t = now_ns();
		for(i = 0; i < n; i++)
			c->run();
		t = now_ns() - t;
		if(t > 2e7 || n > (1L << 30))
			break;
		n *= 2;
	}
	for(k = 0; k < 7; k++) {
		t = now_ns();
		for(i = 0; i < n; i++)
			c->run();
		t = (now_ns() - t) / ((double)n * calls_per_round(c));
		if(k == 0 || t < best)
			best = t;
	}
	return best;
}

int main(int argc, char **argv)
{
	size_t i;

	if(setup() < 0)
		return 2;
	if(argc == 2 && strcmp(argv[1], "-l") == 0) {
		for(i = 0; i < NCASES; i++)
			printf("%s\t%d\t%s\t%s\n", cases[i].name, calls_per_round(&cases[i]),
					cases[i].func, cases[i].what);
		return 0;
	}
	if(argc == 4 && strcmp(argv[1], "-n") == 0) {
		long n = atol(argv[2]), k;
		for(i = 0; i < NCASES; i++) {
			if(strcmp(cases[i].name, argv[3]) == 0) {
				for(k = 0; k < n; k++)
					cases[i].run();
				return 0;
			}
		}
		fprintf(stderr, "unknown case %s\n", argv[3]);
		return 2;
	}
	if(argc != 1) {
		fprintf(stderr, "usage: %s [-l | -n ROUNDS CASE]\n", argv[0]);
		return 2;
	}
	for(i = 0; i < NCASES; i++)
		printf("%s\t%.1f\n", cases[i].name, ns_per_call(&cases[i]));
	return 0;
}
