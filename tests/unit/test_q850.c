/*
 * The Q.850 cause table (data/q850.tsv) and the rule of when a cause
 * overrides the status code (issue 11 items 1-5 and 8): replies as
 * Asterisk, FreeSWITCH and PSTN gateways send them. Each case names its
 * source.
 */
#include "util.h"

#define RING SIPOUTCOME_CTX_RINGING
#define LOC SIPOUTCOME_CTX_LOCAL
#define T(x) SIPOUTCOME_TAG_##x
#define C(x) SIPOUTCOME_CAT_##x
#define R(x) SIPOUTCOME_RETRY_##x
#define B(x) SIPOUTCOME_BLAME_##x
#define ANY 0

static sipoutcome_profiles_t *set;

static int setup(void **state)
{
	sipoutcome_error_t err;

	(void)state;
	memset(&err, 0, sizeof(err));
	return sipoutcome_profiles_new(&set, &err) == SIPOUTCOME_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	sipoutcome_profiles_free(set);
	return 0;
}

static const sipoutcome_profile_t *prof(const char *name)
{
	const sipoutcome_profile_t *p;

	if(name == NULL)
		return NULL;
	p = sipoutcome_profiles_find(set, name, strlen(name));
	if(p == NULL)
		fail_msg("no built-in profile %s", name);
	return p;
}

/* Every cause of ITU-T Q.850 (05/1998) Table 1, with the later additions
 * 14, 23 and 24: present, in the class its value fixes (Q.850 §2.2.7). */
static void test_table_complete(void **state)
{
	static const int table1[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 16, 17, 18,
			19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 34, 38, 39, 40,
			41, 42, 43, 44, 46, 47, 49, 50, 53, 55, 57, 58, 62, 63, 65, 66, 69,
			70, 79, 81, 82, 83, 84, 85, 86, 87, 88, 90, 91, 95, 96, 97, 98, 99,
			100, 101, 102, 103, 110, 111, 127};
	static const char *const klass[] = {"normal", "normal", "resource",
			"service", "not_implemented", "invalid_message", "protocol",
			"interworking"};
	size_t i, n = 0;
	int c;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(table1); i++) {
		const sipoutcome_q850_t *q = sipoutcome_q850_lookup(table1[i]);
		if(q == NULL)
			fail_msg("cause %d missing", table1[i]);
		assert_int_equal(q->cause, table1[i]);
		assert_string_equal(q->klass, klass[table1[i] / 16]);
		assert_true(strlen(q->meaning) > 10);
	}
	for(c = -1; c <= 200; c++)
		n += sipoutcome_q850_lookup(c) != NULL;
	assert_int_equal(n, TU_ARRAY_SIZE(table1));
	assert_null(sipoutcome_q850_lookup(0));
	assert_null(sipoutcome_q850_lookup(15));
	assert_null(sipoutcome_q850_lookup(128));
}

typedef struct qcase {
	const char *label; /* with its source */
	int code;
	unsigned int flags;
	int q850;
	sipoutcome_location_t loc;
	const char *profile;
	tu_expect_t want;
} qcase_t;

/* clang-format off */
static const qcase_t cases[] = {
	/* item 1: a cause the code implies never overrides it. RFC 3398
	 * §8.2.6.1 maps 401/402/403/407/603 to 21; Asterisk's
	 * res_pjsip_rfc3326 adds Q.850;cause=21 to its 401/403/407/603. */
	{"403+21 Asterisk caller-ID refusal", 403, 0, 21, 0, NULL, {T(FAILED), C(FORBIDDEN), R(NO), B(CALLER), ANY, 21, "code"}},
	{"401+21 RFC 3398", 401, 0, 21, 0, NULL, {T(FAILED), C(AUTH), R(NO), B(CALLER), ANY, 21, "code"}},
	{"402+21 RFC 3398", 402, 0, 21, 0, NULL, {T(FAILED), C(BILLING), R(NO), B(CALLER), ANY, 21, "code"}},
	{"407+21 RFC 3398", 407, 0, 21, 0, NULL, {T(FAILED), C(AUTH), R(NO), B(CALLER), ANY, 21, "code"}},
	/* seed 000: 608 is rejected by the network, not the user;
	 * FreeSWITCH sends 608 with CALL_REJECTED (21) */
	{"608+21 FreeSWITCH", 608, 0, 21, 0, NULL, {T(FAILED), C(BLOCKED), R(NO), B(NETWORK), ANY, 21, "code"}},
	{"603+21 RFC 3398", 603, 0, 21, 0, NULL, {T(BUSY), C(DECLINED), R(NO), B(CALLEE), ANY, 21, "code"}},
	/* a cause that says more than the code overrides it (issue 11) */
	{"480+17 busy", 480, 0, 17, 0, NULL, {T(BUSY), C(BUSY), R(LATER), B(CALLEE), ANY, 17, "q850"}},
	{"500+34 congestion", 500, 0, 34, 0, NULL, {T(FAILED), C(CONGESTION), R(ALTERNATE), B(NETWORK), ANY, 34, "q850"}},
	/* Asterisk 488 carries 58, FreeSWITCH 488 carries 88: the media
	 * meaning of the code stands */
	{"488+58 Asterisk", 488, 0, 58, 0, NULL, {T(FAILED), C(MEDIA), R(NO), B(CALLER), ANY, 58, "code"}},
	{"488+88 FreeSWITCH", 488, 0, 88, 0, NULL, {T(FAILED), C(MEDIA), R(NO), B(CALLER), ANY, 88, "code"}},
	/* FreeSWITCH 503 + NORMAL_TEMPORARY_FAILURE (41): implied */
	{"503+41 FreeSWITCH", 503, 0, 41, 0, NULL, {T(FAILED), C(CONGESTION), R(ALTERNATE), B(NETWORK), ANY, 41, "code"}},
	/* Asterisk 500 + FAILURE (38): implied; 503 + 38 (RFC 3398 §7.2.4.1
	 * sends 38 as 503): network out of order, not congestion */
	{"500+38 Asterisk", 500, 0, 38, 0, NULL, {T(FAILED), C(SERVER_ERROR), R(ALTERNATE), B(NETWORK), ANY, 38, "code"}},
	{"503+38 RFC 3398", 503, 0, 38, 0, NULL, {T(FAILED), C(UNREACHABLE), R(ALTERNATE), B(NETWORK), ANY, 38, "q850"}},
	/* RFC 8606 location=: U is the user, the others a network */
	{"603+21 location=U", 603, 0, 21, SIPOUTCOME_LOC_USER, NULL, {T(BUSY), C(DECLINED), ANY, B(CALLEE), ANY, 21, ANY}},
	{"603+21 location=LN", 603, 0, 21, SIPOUTCOME_LOC_NETWORK, NULL, {T(BUSY), C(DECLINED), ANY, B(NETWORK), ANY, 21, ANY}},
	{"480+18 location=RLN", 480, 0, 18, SIPOUTCOME_LOC_NETWORK, NULL, {ANY, ANY, ANY, B(NETWORK), ANY, 18, ANY}},
	{"500+41 location=U", 500, 0, 41, SIPOUTCOME_LOC_USER, NULL, {T(FAILED), ANY, ANY, B(CALLEE), ANY, 41, ANY}},
	/* location does not clear the caller of a wrong number */
	{"404+1 location=LN", 404, 0, 1, SIPOUTCOME_LOC_NETWORK, NULL, {T(FAILED), C(INVALID_NUMBER), ANY, B(CALLER), ANY, 1, ANY}},
	{"403+21 location=U", 403, 0, 21, SIPOUTCOME_LOC_USER, NULL, {T(FAILED), C(FORBIDDEN), ANY, B(CALLER), ANY, 21, ANY}},

	/* item 2: 18 and 20 without ringing: unreachable or absent, not a
	 * no-answer (Q.850 Table 1: 18 no alert or answer in time; 20 the
	 * subscriber is absent). Asterisk/FreeSWITCH send 18 as 408. */
	{"408+18 before 18x", 408, 0, 18, 0, NULL, {T(FAILED), C(UNAVAILABLE), R(LATER), B(CALLEE), ANY, 18, "q850"}},
	{"480+20 before 18x", 480, 0, 20, 0, NULL, {T(FAILED), C(UNAVAILABLE), R(LATER), B(CALLEE), ANY, 20, "q850"}},
	{"404+20 before 18x", 404, 0, 20, 0, NULL, {T(FAILED), C(UNAVAILABLE), R(LATER), B(CALLEE), ANY, 20, "q850"}},
	{"408+18 after 18x", 408, RING, 18, 0, NULL, {T(NO_ANSWER), C(NO_ANSWER), R(LATER), B(CALLEE), ANY, 18, "q850"}},
	{"480+20 after 18x", 480, RING, 20, 0, NULL, {T(NO_ANSWER), C(NO_ANSWER), R(LATER), B(CALLEE), ANY, 20, "q850"}},
	/* 19: the user was alerted (Asterisk sends 480 + 19) */
	{"480+19 Asterisk", 480, 0, 19, 0, NULL, {T(NO_ANSWER), C(NO_ANSWER), R(LATER), B(CALLEE), ANY, 19, "q850"}},
	{"408+19", 408, 0, 19, 0, NULL, {T(NO_ANSWER), C(NO_ANSWER), R(LATER), B(CALLEE), ANY, 19, "q850"}},

	/* item 3: causes that were missing (Q.850 Table 1, RFC 3398
	 * §7.2.4.1 gives the code a gateway sends them as) */
	{"502+27 Asterisk, implied", 502, 0, 27, 0, NULL, {T(FAILED), C(SERVER_ERROR), R(ALTERNATE), B(NETWORK), ANY, 27, "code"}},
	{"480+27 destination out of order", 480, 0, 27, 0, NULL, {T(FAILED), C(UNAVAILABLE), R(LATER), B(CALLEE), ANY, 27, "q850"}},
	{"480+41 temporary failure", 480, 0, 41, 0, NULL, {T(FAILED), C(SERVER_ERROR), R(ALTERNATE), B(NETWORK), ANY, 41, "q850"}},
	{"503+58 bearer not available", 503, 0, 58, 0, NULL, {T(FAILED), C(MEDIA), R(ALTERNATE), B(NETWORK), ANY, 58, "q850"}},
	{"488+65 implied", 488, 0, 65, 0, NULL, {T(FAILED), C(MEDIA), R(NO), B(CALLER), ANY, 65, "code"}},
	{"500+65 bearer not implemented", 500, 0, 65, 0, NULL, {T(FAILED), C(MEDIA), R(NO), B(CALLER), ANY, 65, "q850"}},
	{"503+70", 503, 0, 70, 0, NULL, {T(FAILED), C(MEDIA), ANY, ANY, ANY, 70, "q850"}},
	{"503+88", 503, 0, 88, 0, NULL, {T(FAILED), C(MEDIA), ANY, ANY, ANY, 88, "q850"}},
	{"500+102 timer expiry", 500, 0, 102, 0, NULL, {T(FAILED), C(TIMEOUT), R(ALTERNATE), B(NETWORK), ANY, 102, "q850"}},
	{"504+102 implied", 504, 0, 102, 0, NULL, {T(FAILED), C(TIMEOUT), ANY, ANY, ANY, 102, "code"}},
	{"480+111 protocol error", 480, 0, 111, 0, NULL, {T(FAILED), C(PROTOCOL), ANY, B(NETWORK), ANY, 111, "q850"}},
	{"404+2 no route to transit", 404, 0, 2, 0, NULL, {T(FAILED), C(INVALID_NUMBER), ANY, ANY, ANY, 2, "code"}},
	{"482+25 implied", 482, 0, 25, 0, NULL, {T(FAILED), C(LOOP), ANY, ANY, ANY, 25, "code"}},
	{"500+25 routing error", 500, 0, 25, 0, NULL, {T(FAILED), C(LOOP), ANY, ANY, ANY, 25, "q850"}},
	{"480+26 answered elsewhere", 480, 0, 26, 0, NULL, {T(CANCELED), C(CANCELED), ANY, ANY, ANY, 26, "q850"}},
	{"501+29 implied", 501, 0, 29, 0, NULL, {T(FAILED), C(SERVER_ERROR), ANY, ANY, ANY, 29, "code"}},
	{"403+50 implied", 403, 0, 50, 0, NULL, {T(FAILED), C(FORBIDDEN), ANY, ANY, ANY, 50, "code"}},
	{"403+55 implied", 403, 0, 55, 0, NULL, {T(FAILED), C(FORBIDDEN), ANY, ANY, ANY, 55, "code"}},
	{"403+57 implied", 403, 0, 57, 0, NULL, {T(FAILED), C(FORBIDDEN), ANY, ANY, ANY, 57, "code"}},
	{"480+63 unspecified", 480, 0, 63, 0, NULL, {T(NO_ANSWER), C(UNAVAILABLE), ANY, ANY, ANY, 63, "code"}},
	{"500+79 unspecified", 500, 0, 79, 0, NULL, {T(FAILED), C(SERVER_ERROR), ANY, ANY, ANY, 79, "code"}},
	{"403+87 implied", 403, 0, 87, 0, NULL, {T(FAILED), C(FORBIDDEN), ANY, ANY, ANY, 87, "code"}},

	/* item 4: busy is retry=later with or without a Reason repeating it
	 * (RFC 3261 §21.4.24, §21.6.1); 603 Decline stays no */
	{"486 alone", 486, 0, -1, 0, NULL, {T(BUSY), C(BUSY), R(LATER), B(CALLEE), ANY, 17, ANY}},
	{"486+17", 486, 0, 17, 0, NULL, {T(BUSY), C(BUSY), R(LATER), B(CALLEE), ANY, 17, ANY}},
	{"600 alone", 600, 0, -1, 0, NULL, {T(BUSY), C(BUSY), R(LATER), B(CALLEE), ANY, 17, ANY}},
	{"603 alone", 603, 0, -1, 0, NULL, {T(BUSY), C(DECLINED), R(NO), B(CALLEE), ANY, 21, ANY}},
	{"8x8 486", 486, 0, -1, 0, "8x8", {T(BUSY), C(BUSY), R(LATER), ANY, ANY, 17, ANY}},
	{"8x8 486+17", 486, 0, 17, 0, "8x8", {T(BUSY), C(BUSY), R(LATER), ANY, ANY, 17, ANY}},

	/* item 5: Kamailio's own 477/478/479 (core/error.c E_SEND,
	 * E_BAD_ADDRESS, E_BAD_URI) */
	{"477 local", 477, LOC, -1, 0, NULL, {T(FAILED), C(UNREACHABLE), R(ALTERNATE), B(PROXY), ANY, 41, "code"}},
	{"478 local", 478, LOC, -1, 0, NULL, {T(FAILED), C(UNREACHABLE), R(ALTERNATE), B(PROXY), ANY, 41, "code"}},
	{"479 local", 479, LOC, -1, 0, NULL, {T(FAILED), C(UNREACHABLE), R(ALTERNATE), B(PROXY), ANY, 41, "code"}},
	{"478 relayed from another proxy", 478, 0, -1, 0, NULL, {T(FAILED), C(UNREACHABLE), R(ALTERNATE), B(NETWORK), ANY, 41, "code"}},

	/* item 8: 8x8 groups 403/603 as "rejected at once: caller ID or a
	 * block" (seed 002): before ringing the blame is unknown */
	{"8x8 603 before ringing", 603, 0, -1, 0, "8x8", {T(BUSY), C(DECLINED), ANY, B(UNKNOWN), ANY, -1, ANY}},
	{"8x8 603 after ringing", 603, RING, -1, 0, "8x8", {T(BUSY), C(DECLINED), ANY, B(CALLEE), ANY, -1, ANY}},
	{"cognigy 603 before ringing", 603, 0, -1, 0, "cognigy", {T(BUSY), C(DECLINED), ANY, B(UNKNOWN), ANY, -1, ANY}},
};
/* clang-format on */

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(cases); i++) {
		const qcase_t *c = &cases[i];
		sipoutcome_input_t in = tu_input(c->code, c->flags, c->q850,
				prof(c->profile));
		sipoutcome_result_t r;

		in.location = c->loc;
		r = tu_classify_in(&in);
		tu_check(c->label, &r, &c->want);
	}
}

/* item 8: cognigy's "400 Permission Denied" means forbidden, whose cause
 * is 21 (RFC 3398 §8.2.6.1 for 403), not 400's 41; a received cause
 * still wins. */
static void test_cognigy_400_cause(void **state)
{
	sipoutcome_input_t in = tu_input(400, 0, -1, prof("cognigy"));
	sipoutcome_result_t r;

	(void)state;
	in.reason = "Permission Denied";
	in.reason_len = strlen(in.reason);
	r = tu_classify_in(&in);
	tu_check("cognigy 400 Permission Denied", &r,
			&(tu_expect_t){T(FAILED), C(FORBIDDEN), R(NO), B(CALLER), ANY, 21,
					"profile"});
	in.q850 = 41;
	r = tu_classify_in(&in);
	assert_int_equal(r.cause, 41);
	in.q850 = -1;
	in.reason = "Bad Request";
	in.reason_len = strlen(in.reason);
	r = tu_classify_in(&in);
	assert_int_equal(r.cause, 41);
	assert_int_equal(r.category, SIPOUTCOME_CAT_PROTOCOL);
}

/* The decides() rule, on its own. */
static void test_decides(void **state)
{
	(void)state;
	assert_int_equal(sipoutcome_q850_decides(480, 17), 1);
	assert_int_equal(sipoutcome_q850_decides(403, 21), 0);
	assert_int_equal(sipoutcome_q850_decides(486, 17), 0);
	assert_int_equal(sipoutcome_q850_decides(480, 16), 0);
	assert_int_equal(sipoutcome_q850_decides(480, 31), 0);
	assert_int_equal(sipoutcome_q850_decides(480, 127), 0);
	assert_int_equal(sipoutcome_q850_decides(480, 0), 0);
	assert_int_equal(sipoutcome_q850_decides(480, 15), 0);
	assert_int_equal(sipoutcome_q850_decides(480, -1), 0);
	assert_int_equal(sipoutcome_q850_decides(480, 128), 0);
	assert_int_equal(sipoutcome_q850_decides(99, 17), 0);
	assert_int_equal(sipoutcome_q850_decides(700, 17), 0);
	/* an unregistered code stands for its x00 */
	assert_int_equal(sipoutcome_q850_decides(499, 41), 0);
	assert_int_equal(sipoutcome_q850_decides(699, 17), 0);
}

/* RFC 8606 §3 location values; the Reason parser hands them over. */
static void test_location(void **state)
{
	static const char *const net[] = {
			"LPN", "LN", "TN", "RLN", "RPN", "INTL", "BI", "ln", "INT", "PN"};
	sipoutcome_location_t loc;
	size_t i;
	const char *h;

	(void)state;
	assert_int_equal(sipoutcome_location_parse("U", 1), SIPOUTCOME_LOC_USER);
	assert_int_equal(sipoutcome_location_parse("u", 1), SIPOUTCOME_LOC_USER);
	for(i = 0; i < TU_ARRAY_SIZE(net); i++)
		assert_int_equal(sipoutcome_location_parse(net[i], strlen(net[i])),
				SIPOUTCOME_LOC_NETWORK);
	assert_int_equal(sipoutcome_location_parse("X", 1), SIPOUTCOME_LOC_NONE);
	assert_int_equal(sipoutcome_location_parse("", 0), SIPOUTCOME_LOC_NONE);
	assert_int_equal(sipoutcome_location_parse(NULL, 3), SIPOUTCOME_LOC_NONE);

	h = "Q.850;cause=21;location=U;text=\"Call rejected\"";
	assert_int_equal(sipoutcome_reason_q850_loc(h, strlen(h), &loc), 21);
	assert_int_equal(loc, SIPOUTCOME_LOC_USER);
	h = "SIP;cause=603, Q.850 ;cause=21 ;location=LN";
	assert_int_equal(sipoutcome_reason_q850_loc(h, strlen(h), &loc), 21);
	assert_int_equal(loc, SIPOUTCOME_LOC_NETWORK);
	h = "Q.850;cause=17;text=\"User busy\"";
	assert_int_equal(sipoutcome_reason_q850_loc(h, strlen(h), &loc), 17);
	assert_int_equal(loc, SIPOUTCOME_LOC_NONE);
	assert_int_equal(sipoutcome_reason_q850_loc(h, strlen(h), NULL), 17);
	h = "SIP;cause=200;location=U";
	assert_int_equal(sipoutcome_reason_q850_loc(h, strlen(h), &loc), -1);
	assert_int_equal(loc, SIPOUTCOME_LOC_NONE);
	assert_int_equal(sipoutcome_reason_q850_loc(NULL, 5, &loc), -1);
}

/* item 7: the caller's CANCEL and its own Reason header (RFC 3326 §3.1:
 * SIP;cause=200 "Call completed elsewhere" to the losing branches of a
 * fork; FreeSWITCH and Asterisk put Q.850;cause=19 in the CANCEL when
 * their ring timer gave up, 16 for a plain hang-up). */
static void test_cancel_reason(void **state)
{
	static const struct {
		const char *label;
		unsigned int flags;
		int cancel_q850;
		const char *profile;
		tu_expect_t want;
	} c[] = {
		{"CANCEL no Reason", 0, -1, NULL, {T(CANCELED), C(CANCELED), R(NO), B(CALLER), ANY, -1, "context"}},
		{"CANCEL Q.850 16", RING, 16, NULL, {T(CANCELED), C(CANCELED), R(NO), B(CALLER), ANY, -1, "context"}},
		{"CANCEL Q.850 19 after ringing", RING, 19, NULL, {T(NO_ANSWER), C(NO_ANSWER), R(LATER), B(CALLEE), ANY, -1, "context"}},
		{"CANCEL SIP 200 elsewhere", RING | SIPOUTCOME_CTX_ELSEWHERE, -1, NULL, {T(CANCELED), C(ANSWERED_ELSEWHERE), R(NO), B(CALLEE), ANY, -1, "context"}},
		{"CANCEL Q.850 26 elsewhere", RING, 26, NULL, {T(CANCELED), C(ANSWERED_ELSEWHERE), R(NO), B(CALLEE), ANY, -1, "context"}},
		/* seed 003: the dialer's own CANCEL */
		{"okitoki CANCEL after ringing", RING, -1, "okitoki", {T(NO_ANSWER), C(NO_ANSWER), R(LATER), B(CALLEE), ANY, -1, "profile"}},
		{"okitoki CANCEL after 100 only", 0, -1, "okitoki", {T(NO_ANSWER), C(NO_RESPONSE), R(ALTERNATE), B(NETWORK), ANY, -1, "profile"}},
		/* the CANCEL's own Reason comes before the profile */
		{"okitoki CANCEL elsewhere", RING | SIPOUTCOME_CTX_ELSEWHERE, -1, "okitoki", {T(CANCELED), C(ANSWERED_ELSEWHERE), ANY, ANY, ANY, -1, "context"}},
		{"okitoki CANCEL Q.850 16", RING, 16, "okitoki", {T(NO_ANSWER), C(NO_ANSWER), ANY, ANY, ANY, -1, "profile"}},
		{"8x8 CANCEL after ringing", RING, -1, "8x8", {T(CANCELED), C(CANCELED), R(NO), B(CALLER), ANY, -1, "context"}},
	};
	size_t i;
	int code;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(c); i++) {
		/* a 487 from the next hop, and the proxy's own timeout */
		for(code = 0; code < 2; code++) {
			sipoutcome_input_t in = tu_input(code ? 408 : 487,
					c[i].flags | SIPOUTCOME_CTX_CANCELED
							| (code ? LOC | SIPOUTCOME_CTX_TIMEOUT : 0),
					-1, prof(c[i].profile));
			in.cancel_q850 = c[i].cancel_q850;
			sipoutcome_result_t r = tu_classify_in(&in);
			tu_check(c[i].label, &r, &c[i].want);
		}
	}
	/* without the caller's CANCEL, its Reason and the canceled=1 rules
	 * play no part */
	{
		sipoutcome_input_t in = tu_input(487, RING, -1, prof("okitoki"));
		in.cancel_q850 = 19;
		sipoutcome_result_t r = tu_classify_in(&in);
		tu_check("487 no CANCEL", &r,
				&(tu_expect_t){T(NO_ANSWER), C(NO_ANSWER), ANY, ANY, ANY, -1,
						"code"});
	}
}

/* canceled= in a profile: 0 or 1, given once; its own pass. */
static void test_canceled_key(void **state)
{
	static const char good[] = "profile c\n"
							   "match canceled=1 code=487 set tag=FAILED hint=\"x\"\n"
							   "match canceled=0 code=487 set hint=\"y\"\n";
	static const char *const bad[] = {
			"profile b\nmatch canceled=2 set tag=FAILED\n",
			"profile b\nmatch canceled=1 canceled=1 set tag=FAILED\n",
			"profile b\nmatch canceled=x set tag=FAILED\n",
			"profile b\nmatch code=400 set cause=0\n",
			"profile b\nmatch code=400 set cause=128\n",
	};
	sipoutcome_error_t err;
	const sipoutcome_profile_t *p;
	sipoutcome_result_t r;
	size_t i;

	(void)state;
	assert_int_equal(sipoutcome_profiles_load_buffer(
							 set, "c", good, sizeof(good) - 1, &err),
			0);
	p = prof("c");
	r = tu_classify(487, SIPOUTCOME_CTX_CANCELED, -1, p);
	assert_int_equal(r.tag, SIPOUTCOME_TAG_FAILED);
	assert_string_equal(r.hint, "x");
	r = tu_classify(487, RING, -1, p);
	assert_int_equal(r.tag, SIPOUTCOME_TAG_NO_ANSWER);
	assert_string_equal(r.hint, "y");
	for(i = 0; i < TU_ARRAY_SIZE(bad); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(sipoutcome_profiles_load_buffer(
								 set, "b", bad[i], strlen(bad[i]), &err),
				SIPOUTCOME_ESYNTAX);
		assert_int_equal(err.line, 2);
	}
}

/* The new category has a name that parses back. */
static void test_unreachable_name(void **state)
{
	sipoutcome_category_t c;

	(void)state;
	assert_string_equal(
			sipoutcome_category_name(SIPOUTCOME_CAT_UNREACHABLE), "unreachable");
	assert_int_equal(sipoutcome_category_parse("unreachable", 11, &c), 0);
	assert_int_equal(c, SIPOUTCOME_CAT_UNREACHABLE);
	assert_string_equal(sipoutcome_category_name(
								SIPOUTCOME_CAT_ANSWERED_ELSEWHERE),
			"answered_elsewhere");
	assert_string_equal(sipoutcome_category_name(SIPOUTCOME_CAT_OTHER), "other");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_table_complete),
			cmocka_unit_test(test_cases),
			cmocka_unit_test(test_cognigy_400_cause),
			cmocka_unit_test(test_decides),
			cmocka_unit_test(test_location),
			cmocka_unit_test(test_cancel_reason),
			cmocka_unit_test(test_canceled_key),
			cmocka_unit_test(test_unreachable_name),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
