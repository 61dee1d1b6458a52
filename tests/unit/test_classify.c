/*
 * sipoutcome_classify() with the built-in defaults: the precedence and
 * the default mapping of include/sipoutcome.h and
 * outcome-anchors.md §7-8. Every case runs twice, with profile NULL and
 * with the built-in "rfc" profile, and both must agree.
 */
#include <limits.h>

#define TU_ALLOC_HOOK 1
#include "util.h"

#define RING SIPOUTCOME_CTX_RINGING
#define CANC SIPOUTCOME_CTX_CANCELED
#define LOC SIPOUTCOME_CTX_LOCAL
#define TMO SIPOUTCOME_CTX_TIMEOUT
#define REP SIPOUTCOME_CTX_REPLIED

#define T(x) SIPOUTCOME_TAG_##x
#define C(x) SIPOUTCOME_CAT_##x
#define R(x) SIPOUTCOME_RETRY_##x
#define B(x) SIPOUTCOME_BLAME_##x
#define D(x) SIPOUTCOME_DIAL_##x
#define ANY 0

static sipoutcome_profiles_t *set;
static const sipoutcome_profile_t *rfc;

static int setup(void **state)
{
	sipoutcome_error_t err;

	(void)state;
	memset(&err, 0, sizeof(err));
	if(sipoutcome_profiles_new(&set, &err) != SIPOUTCOME_OK)
		return -1;
	rfc = sipoutcome_profiles_find(set, "rfc", 3);
	return rfc != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	sipoutcome_profiles_free(set);
	set = NULL;
	rfc = NULL;
	return 0;
}

/* Classify with NULL and with rfc; both must agree; returns the first. */
static sipoutcome_result_t both(
		const char *label, int code, unsigned int flags, int q850)
{
	sipoutcome_result_t a = tu_classify(code, flags, q850, NULL);
	sipoutcome_result_t b = tu_classify(code, flags, q850, rfc);

	tu_same_result(label, &a, &b, 1);
	return a;
}

static void test_null_arguments(void **state)
{
	sipoutcome_input_t in;
	sipoutcome_result_t out;

	(void)state;
	sipoutcome_input_init(&in);
	in.code = 486;
	assert_int_equal(sipoutcome_classify(NULL, &out), SIPOUTCOME_EINVAL);
	assert_int_equal(sipoutcome_classify(&in, NULL), SIPOUTCOME_EINVAL);
	assert_int_equal(sipoutcome_classify(NULL, NULL), SIPOUTCOME_EINVAL);
}

static void test_input_init(void **state)
{
	sipoutcome_input_t in;

	(void)state;
	memset(&in, 0xA5, sizeof(in));
	sipoutcome_input_init(&in);
	assert_int_equal(in.code, 0);
	assert_null(in.reason);
	assert_int_equal(in.reason_len, 0);
	assert_int_equal(in.flags, 0);
	assert_int_equal(in.q850, -1);
	assert_null(in.profile);
	sipoutcome_input_init(NULL); /* ignored */
}

/* ERANGE outside 100..699, and out is not written at all. */
static void test_out_of_range(void **state)
{
	static const int bad[] = {0, 1, 99, 700, 701, 999, 1000, -1, -486, INT_MIN,
			INT_MIN + 1, INT_MAX};
	size_t i, k;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(bad); i++) {
		for(k = 0; k < 2; k++) {
			sipoutcome_input_t in =
					tu_input(bad[i], RING | CANC, 17, k ? rfc : NULL);
			sipoutcome_result_t out, before;
			int rc;

			in.reason = "Busy Here";
			in.reason_len = 9;
			memset(&out, 0x5A, sizeof(out));
			memcpy(&before, &out, sizeof(out));
			rc = sipoutcome_classify(&in, &out);
			if(rc != SIPOUTCOME_ERANGE)
				fail_msg("classify(%d) returned %d, expected ERANGE", bad[i],
						rc);
			if(memcmp(&before, &out, sizeof(out)) != 0)
				fail_msg("classify(%d) wrote to out on ERANGE", bad[i]);
		}
	}
}

/* The range ends are inside. */
static void test_range_ends(void **state)
{
	sipoutcome_result_t r;

	(void)state;
	r = both("100", 100, 0, -1);
	assert_int_equal(r.code, 100);
	assert_int_equal(r.klass, 1);
	r = both("699", 699, 0, -1);
	assert_int_equal(r.code, 699);
	assert_int_equal(r.klass, 6);
	assert_int_equal(r.registered, 0);
}

typedef struct case_
{
	const char *label;
	int code;
	unsigned int flags;
	int q850;
	tu_expect_t want;
} case_t;

/* clang-format off */
/* tag, category, retry, blame, dialstatus, cause (-1 any), decided_by */
static const case_t cases[] = {
		/* 2xx is COMPLETED whatever the context says */
		{"200", 200, 0, -1, {T(COMPLETED), C(ANSWERED), R(NO), B(CALLEE), D(ANSWER), 16, "context"}},
		{"200 canceled", 200, CANC, -1, {T(COMPLETED), C(ANSWERED), R(NO), B(CALLEE), D(ANSWER), 16, "context"}},
		{"200 canceled+ringing", 200, CANC | RING, -1, {T(COMPLETED), C(ANSWERED), ANY, ANY, D(ANSWER), 16, "context"}},
		{"200 local timeout", 200, LOC | TMO | RING | CANC, -1, {T(COMPLETED), C(ANSWERED), ANY, ANY, D(ANSWER), -1, "context"}},
		{"200 local", 200, LOC, -1, {T(COMPLETED), C(ANSWERED), R(NO), B(CALLEE), D(ANSWER), 16, "context"}},
		{"200 q850=17", 200, 0, 17, {T(COMPLETED), C(ANSWERED), ANY, ANY, D(ANSWER), 17, "context"}},
		{"202", 202, 0, -1, {T(COMPLETED), C(ANSWERED), ANY, ANY, D(ANSWER), 16, "context"}},
		{"204 canceled", 204, CANC, -1, {T(COMPLETED), C(ANSWERED), ANY, ANY, D(ANSWER), 16, "context"}},

		/* busy family */
		/* busy is retry=later with or without a Reason header repeating it
		 * (issue 11 item 4: RFC 3261 §21.4.24/§21.6.1 Retry-After) */
		{"486", 486, 0, -1, {T(BUSY), C(BUSY), R(LATER), B(CALLEE), D(BUSY), 17, "code"}},
		{"486 ringing", 486, RING, -1, {T(BUSY), C(BUSY), R(LATER), B(CALLEE), D(BUSY), 17, "code"}},
		{"486 q850=17", 486, 0, 17, {T(BUSY), C(BUSY), R(LATER), B(CALLEE), D(BUSY), 17, "code"}},
		{"600", 600, 0, -1, {T(BUSY), C(BUSY), R(LATER), B(CALLEE), D(BUSY), 17, "code"}},
		{"600 q850=17", 600, 0, 17, {T(BUSY), C(BUSY), R(LATER), B(CALLEE), D(BUSY), 17, "code"}},
		{"603", 603, 0, -1, {T(BUSY), C(DECLINED), R(NO), B(CALLEE), D(CHANUNAVAIL), 21, "code"}},

		/* no answer, unavailable, timeouts */
		{"480", 480, 0, -1, {T(NO_ANSWER), C(UNAVAILABLE), R(LATER), B(CALLEE), D(NOANSWER), 18, "code"}},
		{"480 ringing", 480, RING, -1, {T(NO_ANSWER), C(NO_ANSWER), ANY, B(CALLEE), D(NOANSWER), 18, "code"}},
		{"408", 408, 0, -1, {T(FAILED), C(TIMEOUT), R(ALTERNATE), B(NETWORK), D(CHANUNAVAIL), 102, "code"}},
		{"408 replied", 408, REP, -1, {T(FAILED), C(TIMEOUT), R(ALTERNATE), B(NETWORK), ANY, 102, "code"}},
		{"408 ringing", 408, RING, -1, {T(NO_ANSWER), C(NO_ANSWER), ANY, ANY, D(NOANSWER), 102, "code"}},

		/* 487: CANCELED only after the caller's CANCEL */
		{"487 canceled", 487, CANC, -1, {T(CANCELED), C(CANCELED), R(NO), B(CALLER), D(CANCEL), 16, "context"}},
		{"487 canceled+ringing", 487, CANC | RING, -1, {T(CANCELED), C(CANCELED), ANY, ANY, D(CANCEL), 16, "context"}},
		{"487 canceled q850=17", 487, CANC, 17, {T(CANCELED), C(CANCELED), ANY, ANY, D(CANCEL), 17, "context"}},

		/* wrong numbers */
		{"404", 404, 0, -1, {T(FAILED), C(INVALID_NUMBER), R(NO), B(CALLER), D(CHANUNAVAIL), 1, "code"}},
		{"484", 484, 0, -1, {T(FAILED), C(INVALID_NUMBER), R(NO), B(CALLER), D(CHANUNAVAIL), 28, "code"}},
		{"485", 485, 0, -1, {T(FAILED), C(INVALID_NUMBER), R(NO), B(CALLER), D(CHANUNAVAIL), 1, "code"}},
		{"604", 604, 0, -1, {T(FAILED), C(INVALID_NUMBER), R(NO), B(CALLER), D(CHANUNAVAIL), 1, "code"}},
		{"410", 410, 0, -1, {T(FAILED), C(INVALID_NUMBER), R(NO), ANY, ANY, 22, "code"}},

		/* server trouble */
		{"500", 500, 0, -1, {T(FAILED), C(SERVER_ERROR), R(ALTERNATE), B(NETWORK), D(CHANUNAVAIL), 41, "code"}},
		{"501", 501, 0, -1, {T(FAILED), C(SERVER_ERROR), R(NO), B(NETWORK), D(CHANUNAVAIL), 79, "code"}},
		{"502", 502, 0, -1, {T(FAILED), C(SERVER_ERROR), R(ALTERNATE), B(NETWORK), D(CHANUNAVAIL), 38, "code"}},
		{"503", 503, 0, -1, {T(FAILED), C(CONGESTION), R(ALTERNATE), B(NETWORK), D(CONGESTION), 41, "code"}},
		{"504", 504, 0, -1, {T(FAILED), C(TIMEOUT), R(ALTERNATE), B(NETWORK), D(CHANUNAVAIL), 102, "code"}},

		/* unwanted and blocked */
		{"607", 607, 0, -1, {T(FAILED), C(UNWANTED), R(NO), B(CALLEE), D(CHANUNAVAIL), 31, "code"}},
		{"608", 608, 0, -1, {T(FAILED), C(BLOCKED), R(NO), B(NETWORK), D(CHANUNAVAIL), 31, "code"}},

		/* redirects nobody followed */
		{"302", 302, 0, -1, {T(FAILED), C(REDIRECTED), R(ALTERNATE), B(CALLEE), ANY, 31, "code"}},

		/* the proxy's own timeout (tm's fr_inv_timer / fr_timer) */
		{"timeout ringing", 408, LOC | TMO | RING, -1, {T(NO_ANSWER), C(NO_ANSWER), ANY, ANY, D(NOANSWER), 102, "context"}},
		{"timeout ringing+replied", 408, LOC | TMO | RING | REP, -1, {T(NO_ANSWER), C(NO_ANSWER), ANY, ANY, D(NOANSWER), 102, "context"}},
		{"timeout replied", 408, LOC | TMO | REP, -1, {T(FAILED), C(TIMEOUT), ANY, ANY, ANY, 102, "context"}},
		{"timeout silent", 408, LOC | TMO, -1, {T(FAILED), C(NO_RESPONSE), R(ALTERNATE), B(NETWORK), ANY, 102, "context"}},
		{"timeout silent q850=17", 408, LOC | TMO, 17, {T(FAILED), C(NO_RESPONSE), R(ALTERNATE), B(NETWORK), ANY, 17, "context"}},
		{"timeout ringing 480", 480, LOC | TMO | RING, -1, {T(NO_ANSWER), C(NO_ANSWER), ANY, ANY, D(NOANSWER), 18, "context"}},
		{"timeout silent 500", 500, LOC | TMO, -1, {T(FAILED), C(NO_RESPONSE), R(ALTERNATE), B(NETWORK), ANY, 41, "context"}},

		/* a reply the proxy made itself, not a timer */
		{"local 500", 500, LOC, -1, {T(FAILED), C(SERVER_ERROR), R(ALTERNATE), B(PROXY), ANY, 41, "code"}},
		{"local 503", 503, LOC, -1, {T(FAILED), C(CONGESTION), ANY, B(PROXY), D(CONGESTION), 41, "code"}},
		{"local 500 replied", 500, LOC | REP, -1, {T(FAILED), C(SERVER_ERROR), ANY, B(PROXY), ANY, 41, "code"}},
		{"local 404", 404, LOC, -1, {T(FAILED), C(INVALID_NUMBER), R(NO), B(CALLER), ANY, 1, "code"}},
		{"remote 500", 500, REP, -1, {T(FAILED), C(SERVER_ERROR), ANY, B(NETWORK), ANY, 41, "code"}},
		{"timer 500", 500, TMO, -1, {T(FAILED), C(SERVER_ERROR), ANY, B(NETWORK), ANY, 41, "code"}},

		/* Q.850 cause from a Reason header */
		{"480 q850=17", 480, 0, 17, {T(BUSY), C(BUSY), ANY, B(CALLEE), D(BUSY), 17, "q850"}},
		{"480 q850=19", 480, 0, 19, {T(NO_ANSWER), C(NO_ANSWER), ANY, B(CALLEE), D(NOANSWER), 19, "q850"}},
		/* 480 implies 18 (RFC 3398 §8.2.6.1): the code decides */
		{"480 q850=18", 480, 0, 18, {T(NO_ANSWER), C(UNAVAILABLE), R(LATER), B(CALLEE), D(NOANSWER), 18, "code"}},
		{"486 q850=16", 486, 0, 16, {T(BUSY), C(BUSY), R(LATER), B(CALLEE), D(BUSY), 16, "code"}},
		{"404 q850=1", 404, 0, 1, {T(FAILED), C(INVALID_NUMBER), R(NO), B(CALLER), D(CHANUNAVAIL), 1, "code"}},
		{"500 q850=34", 500, 0, 34, {T(FAILED), C(CONGESTION), ANY, ANY, D(CONGESTION), 34, "q850"}},
		{"503 q850=34", 503, 0, 34, {T(FAILED), C(CONGESTION), ANY, ANY, D(CONGESTION), 34, "code"}},
		{"603 q850=21", 603, 0, 21, {T(BUSY), C(DECLINED), ANY, B(CALLEE), ANY, 21, ANY}},
		/* 16, 31 and 127 carry no information */
		{"480 q850=31", 480, 0, 31, {T(NO_ANSWER), C(UNAVAILABLE), R(LATER), B(CALLEE), D(NOANSWER), 31, "code"}},
		{"480 q850=127", 480, 0, 127, {T(NO_ANSWER), C(UNAVAILABLE), R(LATER), B(CALLEE), D(NOANSWER), 127, "code"}},
		{"480 q850=16", 480, 0, 16, {T(NO_ANSWER), C(UNAVAILABLE), R(LATER), B(CALLEE), D(NOANSWER), 16, "code"}},
		{"486 q850=31", 486, 0, 31, {T(BUSY), C(BUSY), R(LATER), B(CALLEE), D(BUSY), 31, "code"}},
		{"486 q850=127", 486, 0, 127, {T(BUSY), C(BUSY), R(LATER), B(CALLEE), D(BUSY), 127, "code"}},
		{"503 q850=127", 503, 0, 127, {T(FAILED), C(CONGESTION), R(ALTERNATE), B(NETWORK), D(CONGESTION), 127, "code"}},
		{"404 q850=31", 404, 0, 31, {T(FAILED), C(INVALID_NUMBER), R(NO), B(CALLER), D(CHANUNAVAIL), 31, "code"}},
		{"408 q850=16", 408, 0, 16, {T(FAILED), C(TIMEOUT), ANY, ANY, ANY, 16, "code"}},
		/* Q.850 is below the transaction context */
		{"487 canceled q850=19", 487, CANC, 19, {T(CANCELED), C(CANCELED), ANY, ANY, D(CANCEL), 19, "context"}},

		/* unregistered codes decide by class */
		{"499", 499, 0, -1, {T(FAILED), C(PROTOCOL), R(NO), B(CALLER), ANY, 41, "class"}},
		{"599", 599, 0, -1, {T(FAILED), C(SERVER_ERROR), R(ALTERNATE), B(NETWORK), ANY, 41, "class"}},
		{"699", 699, 0, -1, {T(BUSY), C(BUSY), R(LATER), B(CALLEE), D(BUSY), 17, "class"}},
		{"399", 399, 0, -1, {T(FAILED), C(REDIRECTED), R(ALTERNATE), B(CALLEE), ANY, 31, "class"}},
		{"299", 299, CANC, -1, {T(COMPLETED), C(ANSWERED), R(NO), B(CALLEE), D(ANSWER), 16, "context"}},
};
/* clang-format on */

static void test_default_mapping(void **state)
{
	size_t i;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(cases); i++) {
		const case_t *c = &cases[i];
		sipoutcome_result_t r = both(c->label, c->code, c->flags, c->q850);
		char label[96];

		snprintf(label, sizeof(label), "%s (profile NULL)", c->label);
		tu_check(label, &r, &c->want);
		r = tu_classify(c->code, c->flags, c->q850, rfc);
		snprintf(label, sizeof(label), "%s (profile rfc)", c->label);
		tu_check(label, &r, &c->want);
		assert_int_equal(r.code, c->code);
		assert_int_equal(r.klass, c->code / 100);
		assert_string_equal(r.vendor, "rfc");
	}
}

/* A 487 that no CANCEL of the caller explains is not CANCELED (the
 * proxy's own ring timer, a losing fork branch). */
static void test_487_without_cancel(void **state)
{
	static const unsigned int flags[] = {0, RING, REP, RING | REP, LOC};
	size_t i;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(flags); i++) {
		sipoutcome_result_t r = both("487", 487, flags[i], -1);
		if(r.tag == SIPOUTCOME_TAG_CANCELED
				|| r.dialstatus == SIPOUTCOME_DIAL_CANCEL
				|| r.category == SIPOUTCOME_CAT_CANCELED)
			fail_msg("487 flags 0x%x without CANCEL gave %s/%s/%s", flags[i],
					sipoutcome_tag_name(r.tag),
					sipoutcome_category_name(r.category),
					sipoutcome_dialstatus_name(r.dialstatus));
		assert_int_not_equal(r.tag, SIPOUTCOME_TAG_NONE);
		assert_int_equal(r.cause, 16);
	}
}

/* cause: the received Q.850 when there is one, else RFC 3398 §8.2.6.1. */
static void test_cause(void **state)
{
	static const struct
	{
		int code, cause;
	} rfc3398[] = {{486, 17}, {404, 1}, {503, 41}, {408, 102}, {480, 18},
			{603, 21}, {600, 17}, {484, 28}, {410, 22}, {502, 38}, {482, 25},
			{405, 63}, {501, 79}, {413, 127}, {607, 31}};
	size_t i;
	int q;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(rfc3398); i++) {
		sipoutcome_result_t r = both("cause", rfc3398[i].code, 0, -1);
		if(r.cause != rfc3398[i].cause)
			fail_msg("%d: cause %d, expected %d", rfc3398[i].code, r.cause,
					rfc3398[i].cause);
		for(q = 0; q <= 127; q++) {
			r = both("cause", rfc3398[i].code, 0, q);
			if(r.cause != q)
				fail_msg("%d q850=%d: cause %d", rfc3398[i].code, q, r.cause);
		}
	}
}

/* Unknown codes behave as the x00 of their class (RFC 3261 §8.1.3.2):
 * same outcome under every context, only code, registered and
 * decided_by differ. */
static void test_unknown_codes(void **state)
{
	/* not 477-479: test_proxy_codes */
	static const int unknown[] = {150, 101, 179, 198, 201, 299, 303, 399, 409,
			411, 476, 490, 499, 506, 599, 601, 605, 699};
	static const int causes[] = {-1, 16, 17, 19, 21, 31, 34, 127};
	size_t i, k;
	unsigned int f;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(unknown); i++) {
		int code = unknown[i], x00 = code - code % 100;
		const sipoutcome_code_t *row = sipoutcome_code_lookup(x00);

		assert_null(sipoutcome_code_lookup(code));
		assert_non_null(row);
		for(f = 0; f < TU_ALL_FLAGS; f++) {
			for(k = 0; k < TU_ARRAY_SIZE(causes); k++) {
				char label[64];
				sipoutcome_result_t u, x;

				snprintf(label, sizeof(label), "%d vs %d flags 0x%x q850 %d",
						code, x00, f, causes[k]);
				u = both(label, code, f, causes[k]);
				x = both(label, x00, f, causes[k]);
				assert_int_equal(u.code, code);
				assert_int_equal(u.klass, code / 100);
				assert_int_equal(u.registered, 0);
				assert_int_equal(x.registered, 1);
				assert_ptr_equal(u.phrase, row->phrase);
				assert_int_equal(u.phrase_len, row->phrase_len);
				assert_ptr_equal(u.meaning, row->meaning);
				assert_ptr_equal(u.rfc, row->rfc);
				/* same outcome as the x00 */
				u.code = x.code;
				u.registered = x.registered;
				u.decided_by = x.decided_by;
				tu_same_result(label, &u, &x, 0);
			}
		}
	}
	/* and without context, the x00's table values */
	for(i = 0; i < TU_ARRAY_SIZE(unknown); i++) {
		int code = unknown[i];
		const sipoutcome_code_t *row =
				sipoutcome_code_lookup(code - code % 100);
		sipoutcome_result_t u = both("unknown", code, 0, -1);

		if(code < 200) {
			assert_int_equal(u.tag, SIPOUTCOME_TAG_NONE);
			continue;
		}
		assert_int_equal(u.tag, row->tag);
		assert_int_equal(u.category, row->category);
		assert_int_equal(u.retry, row->retry);
		assert_int_equal(u.blame, row->blame);
		assert_int_equal(u.cause, row->cause);
		if(code >= 300)
			assert_string_equal(u.decided_by, "class");
	}
}

/* A 1xx is never an outcome, whatever the context. */
static void test_provisional(void **state)
{
	static const int codes[] = {100, 180, 181, 182, 183, 199, 150, 101, 189};
	size_t i;
	unsigned int f;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(codes); i++) {
		for(f = 0; f < TU_ALL_FLAGS; f++) {
			sipoutcome_result_t r = both("1xx", codes[i], f, -1);
			if(r.tag != SIPOUTCOME_TAG_NONE)
				fail_msg("%d flags 0x%x: tag %s", codes[i], f,
						sipoutcome_tag_name(r.tag));
			assert_int_equal(r.category, SIPOUTCOME_CAT_NONE);
			assert_int_equal(r.retry, SIPOUTCOME_RETRY_NONE);
			assert_int_equal(r.blame, SIPOUTCOME_BLAME_NONE);
			assert_int_equal(r.dialstatus, SIPOUTCOME_DIAL_NONE);
			assert_int_equal(r.klass, 1);
			assert_int_equal(r.cause, 0);
			assert_null(r.hint);
			assert_null(r.rewrite);
			assert_non_null(r.phrase);
			assert_non_null(r.decided_by);
		}
	}
}

static int documented_decider(const char *s)
{
	static const char *const ok[] = {
			"context", "profile-cause", "profile", "q850", "code", "class"};
	size_t i;

	for(i = 0; s != NULL && i < TU_ARRAY_SIZE(ok); i++)
		if(strcmp(s, ok[i]) == 0)
			return 1;
	return 0;
}

/* Every code x every context x a spread of causes: NULL and rfc agree,
 * and the result is internally consistent. */
static void test_exhaustive(void **state)
{
	static const int causes[] = {-1, 0, 1, 3, 16, 17, 18, 19, 20, 21, 22, 28,
			31, 34, 38, 41, 42, 44, 47, 88, 102, 127};
	int code;
	unsigned int f;
	size_t k;

	(void)state;
	for(code = 100; code <= 699; code++) {
		const sipoutcome_code_t *own = sipoutcome_code_lookup(code);
		const sipoutcome_code_t *eff = sipoutcome_code_effective(code);

		for(f = 0; f < TU_ALL_FLAGS; f++) {
			for(k = 0; k < TU_ARRAY_SIZE(causes); k++) {
				char label[64];
				sipoutcome_result_t r;
				int q = causes[k];

				snprintf(label, sizeof(label), "%d flags 0x%x q850 %d", code, f,
						q);
				r = both(label, code, f, q);
				if(r.code != code || r.klass != code / 100
						|| r.registered != (own != NULL)
						|| r.phrase != eff->phrase
						|| r.phrase_len != eff->phrase_len
						|| r.meaning != eff->meaning || r.rfc != eff->rfc)
					fail_msg("%s: code/class/registered/phrase wrong", label);
				if(r.cause != (q >= 0 ? q : (int)eff->cause))
					fail_msg("%s: cause %d", label, r.cause);
				if(!documented_decider(r.decided_by))
					fail_msg("%s: decided_by \"%s\"", label,
							r.decided_by ? r.decided_by : "(null)");
				if(r.hint != NULL)
					fail_msg("%s: a hint without a profile", label);
				if(r.rewrite != NULL)
					fail_msg("%s: rewrite \"%s\" from the defaults", label,
							r.rewrite);
				assert_string_equal(r.vendor, "rfc");
				if(code < 200) {
					assert_int_equal(r.tag, SIPOUTCOME_TAG_NONE);
					continue;
				}
				if(r.tag <= SIPOUTCOME_TAG_NONE || r.tag >= SIPOUTCOME_TAG_COUNT
						|| r.category <= SIPOUTCOME_CAT_NONE
						|| r.category >= SIPOUTCOME_CAT_COUNT
						|| r.retry <= SIPOUTCOME_RETRY_NONE
						|| r.retry >= SIPOUTCOME_RETRY_COUNT
						|| r.blame <= SIPOUTCOME_BLAME_NONE
						|| r.blame >= SIPOUTCOME_BLAME_COUNT
						|| r.dialstatus <= SIPOUTCOME_DIAL_NONE
						|| r.dialstatus >= SIPOUTCOME_DIAL_COUNT)
					fail_msg("%s: a field is unset or out of range", label);
				/* the tag and the Asterisk view agree */
				if((r.tag == SIPOUTCOME_TAG_COMPLETED)
								!= (r.dialstatus == SIPOUTCOME_DIAL_ANSWER)
						|| (r.tag == SIPOUTCOME_TAG_CANCELED)
								   != (r.dialstatus == SIPOUTCOME_DIAL_CANCEL)
						|| (r.tag == SIPOUTCOME_TAG_NO_ANSWER)
								   != (r.dialstatus
										   == SIPOUTCOME_DIAL_NOANSWER))
					fail_msg("%s: tag %s with dialstatus %s", label,
							sipoutcome_tag_name(r.tag),
							sipoutcome_dialstatus_name(r.dialstatus));
				/* precedence step 1 */
				if(code < 300) {
					if(r.tag != SIPOUTCOME_TAG_COMPLETED
							|| strcmp(r.decided_by, "context") != 0)
						fail_msg("%s: 2xx not COMPLETED by context", label);
				} else if(code == 487 && (f & CANC)) {
					if(r.tag != SIPOUTCOME_TAG_CANCELED
							|| strcmp(r.decided_by, "context") != 0)
						fail_msg("%s: 487 after CANCEL not CANCELED", label);
				} else if((f & (LOC | TMO | CANC)) == (LOC | TMO)) {
					sipoutcome_tag_t want = (f & RING)
													? SIPOUTCOME_TAG_NO_ANSWER
													: SIPOUTCOME_TAG_FAILED;
					if(r.tag != want || strcmp(r.decided_by, "context") != 0)
						fail_msg("%s: proxy timeout gave %s by %s", label,
								sipoutcome_tag_name(r.tag), r.decided_by);
				} else if(code == 487 && r.tag == SIPOUTCOME_TAG_CANCELED) {
					fail_msg("%s: 487 CANCELED without CANCEL", label);
				} else if(!(f & LOC) && r.blame == SIPOUTCOME_BLAME_PROXY) {
					fail_msg("%s: blame proxy for a remote reply", label);
				}
				if(f & LOC && !(f & TMO) && r.blame != SIPOUTCOME_BLAME_PROXY
						&& r.blame != SIPOUTCOME_BLAME_CALLER
						&& r.tag != SIPOUTCOME_TAG_COMPLETED)
					fail_msg("%s: local reply blames %s", label,
							sipoutcome_blame_name(r.blame));
			}
		}
	}
}

/* in->reason is only read: classify copies nothing from it. */
static void test_reason_only_read(void **state)
{
	char phrase[] = "Busy Here";
	sipoutcome_input_t in = tu_input(486, 0, -1, NULL);
	sipoutcome_result_t r;

	(void)state;
	in.reason = phrase;
	in.reason_len = sizeof(phrase) - 1;
	r = tu_classify_in(&in);
	assert_string_equal(phrase, "Busy Here");
	assert_true(r.phrase < phrase || r.phrase >= phrase + sizeof(phrase));
	assert_string_equal(r.phrase, "Busy Here");
	assert_ptr_equal(r.phrase, sipoutcome_code_lookup(486)->phrase);
}

/* "no allocation on the classification path": classify, and the other
 * per-reply calls, never allocate. */
static void test_no_allocation(void **state)
{
#ifdef TU_HAVE_ALLOC_HOOK
	static const char reason[] = "SIP;cause=480;text=\"x\", Q.850;cause=19";
	char buf[1024];
	sipoutcome_reason_hdr_t rh;
	sipoutcome_logctx_t lc;
	sipoutcome_result_t r;
	sipoutcome_input_t in;
	int code, rc = 0;
	unsigned int f;
	long calls;

	(void)state;
	if(!tu_alloc_hook_works()) {
		print_message("allocation hook bypassed (valgrind?): skipped\n");
		skip();
	}
	memset(&lc, 0, sizeof(lc));
	lc.callid = "abc";
	lc.callid_len = 3;
	lc.reason = "Busy Here";
	lc.reason_len = 9;
	lc.q850 = -1;
	tu_alloc_arm(-1);
	for(code = 100; code <= 699; code++)
		for(f = 0; f < TU_ALL_FLAGS; f += 3) {
			sipoutcome_input_init(&in);
			in.code = code;
			in.flags = f;
			in.q850 = code % 128;
			in.profile = (code & 1) ? rfc : NULL;
			in.reason = "Busy Here";
			in.reason_len = 9;
			rc |= sipoutcome_classify(&in, &r);
			rc |= sipoutcome_format_logfmt(buf, sizeof(buf), &r, &lc) < 0;
		}
	sipoutcome_reason_hdr_init(&rh);
	rc |= sipoutcome_reason_hdr_parse(reason, sizeof(reason) - 1, &rh);
	rc |= (int)sipoutcome_phrase_check(486, "Busy Here", 9);
	rc |= sipoutcome_phrase_sanitize(buf, sizeof(buf), "a\r\nb", 4) != 3;
	calls = tu_alloc_calls;
	tu_alloc_disarm();
	assert_int_equal(rc, 0);
	if(calls != 0)
		fail_msg("%ld allocations on the classification path", calls);
#else
	(void)state;
	skip();
#endif
}

/* A code SIP does not allow gets the one defined result, never a guess
 * from sipoutcome_classify() (which refuses it). */
static void test_result_invalid(void **state)
{
	static const int codes[] = {999, 700, 750, 0, 99, -5};
	sipoutcome_result_t r;
	sipoutcome_input_t in;
	size_t i;

	(void)state;
	for(i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		sipoutcome_input_init(&in);
		in.code = codes[i];
		assert_int_equal(sipoutcome_classify(&in, &r), SIPOUTCOME_ERANGE);
		assert_int_equal(sipoutcome_result_invalid(codes[i], NULL, &r), 0);
		assert_int_equal(r.code, codes[i]);
		assert_int_equal(r.tag, SIPOUTCOME_TAG_FAILED);
		assert_int_equal(r.category, SIPOUTCOME_CAT_PROTOCOL);
		assert_int_equal(r.retry, SIPOUTCOME_RETRY_ALTERNATE);
		assert_int_equal(r.blame, SIPOUTCOME_BLAME_NETWORK);
		assert_int_equal(r.registered, 0);
		assert_string_equal(r.phrase, "");
		assert_string_equal(r.vendor, "rfc");
		assert_non_null(r.hint);
	}
	assert_int_equal(sipoutcome_result_invalid(999, NULL, &r), 0);
	assert_int_equal(r.klass, 9);
	assert_int_equal(sipoutcome_result_invalid(999, NULL, NULL), SIPOUTCOME_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_null_arguments),
			cmocka_unit_test(test_input_init),
			cmocka_unit_test(test_out_of_range),
			cmocka_unit_test(test_range_ends),
			cmocka_unit_test(test_default_mapping),
			cmocka_unit_test(test_487_without_cancel),
			cmocka_unit_test(test_cause),
			cmocka_unit_test(test_unknown_codes),
			cmocka_unit_test(test_provisional),
			cmocka_unit_test(test_exhaustive),
			cmocka_unit_test(test_reason_only_read),
			cmocka_unit_test(test_no_allocation),
			cmocka_unit_test(test_result_invalid),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
