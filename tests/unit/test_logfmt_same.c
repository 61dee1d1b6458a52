/*
 * The rewritten log line formatter (issue 16: no snprintf, no strlen per
 * key, values copied whole) writes the same bytes as the one operators
 * have grepped and counted since the first release: every line, logfmt
 * and JSON, is compared with the frozen reference (ref_logfmt.c, the
 * formatter of main at df85b4b), return codes included, and at every
 * buffer size for the cut lines.
 *
 * Inputs:
 *  - every status code 100..699 as classified (real tags, categories,
 *    hints, vendor names), each context bit;
 *  - reason phrases real gateways send (Asterisk, FreeSWITCH, carriers in
 *    ../shared/seeds and outcome-anchors.md: "Busy Here", "Temporarily
 *    Not Available", the non-standard "Permission Denied", a UTF-8
 *    phrase, quotes, a bare CR) and Call-IDs as sipp, Asterisk and
 *    FreeSWITCH write them;
 *  - pseudo-random values (a fixed seed: the same inputs every run) of
 *    0..600 bytes drawn from plain, blank, '=', '"', '\\', control,
 *    DEL, UTF-8 lead and continuation bytes.
 */
#include "util.h"

#include "ref_logfmt.h"

#define CAP 2048

static const char *const phrases[] = {"Busy Here", "OK", "Ringing",
		"Temporarily Not Available", "Temporarily Unavailable",
		"Request Terminated", "Permission Denied", "Service Unavailable",
		"Call Rejected", "Decline", "Request Timeout", "Not Found",
		"N\xc3\xa3o dispon\xc3\xadvel", "Busy \"Here\"", "a=b", "back\\slash",
		"bare\rCR", "tab\there", "", " ", "\x7f", "\xff\xfe", "\xe2\x82",
		"Server Internal Error", "Forbidden"};
static const char *const callids[] = {"1-26153@127.0.0.1",
		"a84b4c76e66710@pc33.atlanta.example.com",
		"3c26700e3fe4-6b0dwbn8xz1y", "0ba2cf53-9a78-123b-1fa3-00163e1a2b3c",
		"has space", "", "quote\"d"};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* n pseudo-random bytes of the kinds the formatter treats differently */
static void rand_value(char *buf, size_t n)
{
	static const char pool[] = "abcXYZ019-_.@:;/ =\"\\\t\r\n\x01\x7f"
							   "\xc3\xa3\xe2\x82\xac\xf0\x9f\x98\x80\x80\xbf\xff";
	size_t i;
	int plain = (next_rand() & 3) != 0; /* mostly plain, as in real life */

	for(i = 0; i < n; i++) {
		uint64_t x = next_rand();
		buf[i] = plain && (x & 15) ? (char)('a' + x % 26)
								   : pool[x % (sizeof(pool) - 1)];
	}
}

static int compare_one(const sipoutcome_result_t *r,
		const sipoutcome_logctx_t *lc, size_t cap, int json, const char *what)
{
	static char a[CAP + 8], b[CAP + 8];
	int ra, rb;

	memset(a, '#', sizeof(a));
	memset(b, '#', sizeof(b));
	ra = json ? ref_format_json(a, cap, r, lc) : ref_format_logfmt(a, cap, r, lc);
	rb = json ? sipoutcome_format_json(b, cap, r, lc)
			  : sipoutcome_format_logfmt(b, cap, r, lc);
	if(ra != rb || memcmp(a, b, cap) != 0 || b[cap] != '#') {
		print_error("%s %s cap %zu: reference %d \"%s\"\n"
					"          rewritten %d \"%s\"\n",
				what, json ? "json" : "logfmt", cap, ra, a, rb, b);
		return 1;
	}
	return 0;
}

static int compare(const sipoutcome_result_t *r, const sipoutcome_logctx_t *lc,
		const char *what)
{
	return compare_one(r, lc, CAP, 0, what) + compare_one(r, lc, CAP, 1, what);
}

static sipoutcome_logctx_t base_ctx(void)
{
	sipoutcome_logctx_t lc;

	memset(&lc, 0, sizeof(lc));
	lc.callid = callids[0];
	lc.callid_len = strlen(callids[0]);
	lc.reason = phrases[0];
	lc.reason_len = strlen(phrases[0]);
	lc.q850 = -1;
	lc.pdd_ms = -1;
	lc.setup_ms = -1;
	return lc;
}

/* Every code, as the engine classifies it, with the keys each adapter
 * writes (call line, attempt line, sent=, in_dialog=). */
static void test_every_code(void **state)
{
	int code, fails = 0, n = 0;
	unsigned int v;

	(void)state;
	for(code = 100; code <= 699; code++) {
		sipoutcome_result_t r;
		sipoutcome_input_t in = tu_input(code, 0, -1, NULL);

		memset(&r, 0, sizeof(r));
		if(sipoutcome_classify(&in, &r) != SIPOUTCOME_OK)
			continue;
		for(v = 0; v < 16; v++) {
			sipoutcome_logctx_t lc = base_ctx();
			lc.local = v & 1;
			lc.ringing = (v >> 1) & 1;
			lc.q850 = (v & 4) ? code % 128 : -1;
			lc.sent = (v & 8) ? 500 : 0;
			lc.in_dialog = (v & 3) == 3;
			lc.extra = v & 7;
			lc.attempts = (int)v;
			lc.branch = (int)v;
			lc.dst = (v & 1) ? "sip:192.0.2.1:5060" : NULL;
			lc.dst_len = lc.dst ? strlen(lc.dst) : 0;
			lc.pdd_ms = (v & 2) ? 1234 : -1;
			lc.setup_ms = (v & 4) ? 98765 : -1;
			lc.reason = phrases[(code + v) % TU_ARRAY_SIZE(phrases)];
			lc.reason_len = strlen(lc.reason);
			lc.callid = callids[v % TU_ARRAY_SIZE(callids)];
			lc.callid_len = strlen(lc.callid);
			fails += compare(&r, &lc, "code");
			n++;
		}
	}
	print_message("%d lines compared\n", n);
	if(fails)
		fail_msg("%d lines differ from the reference", fails);
}

/* Odd results the engine may also hand over: no hint, an empty hint, a
 * hint with quotes, a vendor name, the invalid 999, integer extremes. */
static void test_edges(void **state)
{
	static const long ints[] = {-1, 0, 1, 9, 10, 99, 100, 65535, 2147483647L,
			-2147483647L - 1, 9223372036854775807L};
	sipoutcome_result_t r = tu_classify(486, 0, -1, NULL);
	sipoutcome_logctx_t lc = base_ctx();
	int fails = 0;
	size_t i;

	(void)state;
	r.hint = NULL;
	fails += compare(&r, &lc, "hint NULL");
	r.hint = "";
	fails += compare(&r, &lc, "hint empty");
	r.hint = "carrier says \"busy\" = channel limit";
	fails += compare(&r, &lc, "hint quoted");
	r.vendor = "okitoki";
	fails += compare(&r, &lc, "vendor");
	r.vendor = NULL;
	fails += compare(&r, &lc, "vendor NULL");
	lc.callid = NULL;
	lc.reason = NULL;
	fails += compare(&r, &lc, "callid, reason NULL");
	(void)sipoutcome_result_invalid(999, NULL, &r);
	fails += compare(&r, &lc, "999");
	lc = base_ctx();
	lc.extra = SIPOUTCOME_LOGX_ATTEMPTS | SIPOUTCOME_LOGX_BRANCH
			   | SIPOUTCOME_LOGX_TIMING;
	for(i = 0; i < TU_ARRAY_SIZE(ints); i++) {
		lc.pdd_ms = ints[i];
		lc.setup_ms = ints[TU_ARRAY_SIZE(ints) - 1 - i];
		lc.attempts = (int)ints[i];
		lc.branch = (int)ints[i];
		r.code = (int)ints[i];
		lc.q850 = (int)ints[i];
		fails += compare(&r, &lc, "integers");
	}
	if(fails)
		fail_msg("%d lines differ from the reference", fails);
}

/* Pseudo-random values in every free-form field, up to 600 bytes (over
 * the 256-byte cut). */
static void test_random_values(void **state)
{
	static char cid[600], rsn[600], hint[600], dst[600];
	int k, fails = 0;

	(void)state;
	for(k = 0; k < 20000 && fails < 5; k++) {
		sipoutcome_result_t r = tu_classify(400 + k % 200, 0, -1, NULL);
		sipoutcome_logctx_t lc = base_ctx();
		size_t nc = next_rand() % 600, nr = next_rand() % 600,
			   nh = next_rand() % 599, nd = next_rand() % 600;

		if(k % 2) { /* half of them short, as real values are */
			nc %= 40;
			nr %= 40;
			nh %= 40;
			nd %= 40;
		}
		rand_value(cid, nc);
		rand_value(rsn, nr);
		rand_value(hint, nh);
		hint[nh] = '\0';
		for(size_t i = 0; i < nh; i++)
			if(hint[i] == '\0')
				hint[i] = 'x';
		rand_value(dst, nd);
		lc.callid = cid;
		lc.callid_len = nc;
		lc.reason = rsn;
		lc.reason_len = nr;
		r.hint = hint;
		lc.extra = (unsigned int)k & 7;
		lc.dst = dst;
		lc.dst_len = nd;
		fails += compare(&r, &lc, "random");
	}
	if(fails)
		fail_msg("%d lines differ from the reference", fails);
}

/* Every buffer size up to the whole line: the same cut prefix and the
 * same ENOSPC. JSON from 2 bytes: the reference writes before its buffer
 * for a 1-byte one (it keeps room for '}' at cap - 2); the rewrite
 * returns ENOSPC and an empty string there, tested on its own. */
static void test_every_cap(void **state)
{
	sipoutcome_result_t r = tu_classify(480, SIPOUTCOME_CTX_RINGING, 19, NULL);
	sipoutcome_logctx_t lc = base_ctx();
	char one[4] = "###";
	size_t cap;
	int fails = 0, json;

	(void)state;
	lc.reason = "Temporarily \"Not\" Available\r\n\xc3\xa3";
	lc.reason_len = strlen(lc.reason);
	lc.q850 = 19;
	lc.extra = SIPOUTCOME_LOGX_ATTEMPTS | SIPOUTCOME_LOGX_TIMING;
	lc.attempts = 2;
	lc.pdd_ms = 1200;
	lc.setup_ms = 31000;
	lc.sent = 500;
	for(json = 0; json <= 1; json++)
		for(cap = json ? 2 : 1; cap <= 420; cap++)
			fails += compare_one(&r, &lc, cap, json, "cap");
	if(fails)
		fail_msg("%d cut lines differ from the reference", fails);
	assert_int_equal(sipoutcome_format_json(one, 1, &r, &lc), SIPOUTCOME_ENOSPC);
	assert_int_equal(one[0], '\0');
	assert_int_equal(one[1], '#');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_every_code),
			cmocka_unit_test(test_edges),
			cmocka_unit_test(test_random_values),
			cmocka_unit_test(test_every_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
