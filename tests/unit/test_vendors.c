/*
 * The built-in vendor profiles (data/profiles/8x8, okitoki, cognigy)
 * against the meaning their source documents give each code.
 *
 * One data-driven table: for every code a vendor's source mentions, the
 * call context, the received phrase and Q.850 cause, and the outcome we
 * expect. Retry and blame are only checked where the source says
 * something about them (NONE = not checked). Then the cross-profile checks
 * from the issue, the non-standard phrases, and a scan of every rule of
 * every vendor profile: each one carries a short printable hint and each
 * value it sets is reachable (no rule is shadowed by another).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "sipoutcome.h"

#define TAG(x) SIPOUTCOME_TAG_##x
#define CAT(x) SIPOUTCOME_CAT_##x
#define RTY(x) SIPOUTCOME_RETRY_##x
#define BLM(x) SIPOUTCOME_BLAME_##x

/* Call context of a row. */
#define RING SIPOUTCOME_CTX_RINGING
#define CANCEL SIPOUTCOME_CTX_CANCELED
/* The proxy's own INVITE timer fired after the next hop sent a 100. */
#define TIMER                                                   \
	(SIPOUTCOME_CTX_LOCAL | SIPOUTCOME_CTX_TIMEOUT            \
			| SIPOUTCOME_CTX_REPLIED)
/* The timer fired and the next hop never answered at all. */
#define SILENT (SIPOUTCOME_CTX_LOCAL | SIPOUTCOME_CTX_TIMEOUT)

#define HINT_LIMIT 200 /* what we promise operators, below the parser's 240 */

typedef struct vcase {
	const char *profile;
	int code;
	unsigned int flags;	   /* enum sipoutcome_ctx_flag */
	const char *phrase;	   /* received phrase; NULL: the canonical one */
	int q850;		   /* -1: no Reason header */
	sipoutcome_tag_t tag;
	sipoutcome_category_t category;
	sipoutcome_retry_t retry;  /* NONE: the source says nothing */
	sipoutcome_blame_t blame;  /* NONE: not checked */
	int hint;		   /* 1: a hint is expected, 0: none */
	const char *rewrite;	   /* expected rewrite phrase, NULL: none */
	const char *fact;	   /* what the source says, for messages */
} vcase_t;

/* clang-format off */
static const vcase_t cases[] = {
	/* ---- 8x8 CPaaS voice (seed 002) ---- */
	{"8x8", 100, 0, NULL, -1, TAG(NONE), CAT(NONE), RTY(NONE), BLM(NONE), 0, NULL, "provisional: request received"},
	{"8x8", 180, 0, NULL, -1, TAG(NONE), CAT(NONE), RTY(NONE), BLM(NONE), 0, NULL, "provisional: destination alerted"},
	{"8x8", 181, 0, NULL, -1, TAG(NONE), CAT(NONE), RTY(NONE), BLM(NONE), 0, NULL, "provisional: being forwarded"},
	{"8x8", 182, 0, NULL, -1, TAG(NONE), CAT(NONE), RTY(NONE), BLM(NONE), 0, NULL, "provisional: queued"},
	{"8x8", 183, 0, NULL, -1, TAG(NONE), CAT(NONE), RTY(NONE), BLM(NONE), 0, NULL, "provisional: progress"},
	{"8x8", 200, 0, NULL, -1, TAG(COMPLETED), CAT(ANSWERED), RTY(NONE), BLM(NONE), 0, NULL, "call answered: COMPLETED"},
	{"8x8", 202, 0, NULL, -1, TAG(COMPLETED), CAT(ANSWERED), RTY(NONE), BLM(NONE), 1, NULL, "accepted, processing not complete"},
	{"8x8", 300, 0, NULL, -1, TAG(FAILED), CAT(REDIRECTED), RTY(NONE), BLM(NONE), 1, NULL, "several destinations possible"},
	{"8x8", 301, 0, NULL, -1, TAG(FAILED), CAT(REDIRECTED), RTY(NONE), BLM(NONE), 1, NULL, "user moved for good"},
	{"8x8", 302, 0, NULL, -1, TAG(FAILED), CAT(REDIRECTED), RTY(NONE), BLM(NONE), 1, NULL, "user moved for now"},
	{"8x8", 305, 0, NULL, -1, TAG(FAILED), CAT(REDIRECTED), RTY(NONE), BLM(NONE), 1, NULL, "must go through a proxy"},
	{"8x8", 380, 0, NULL, -1, TAG(FAILED), CAT(REDIRECTED), RTY(NONE), BLM(NONE), 1, NULL, "failed, other services exist"},
	{"8x8", 400, 0, NULL, -1, TAG(FAILED), CAT(PROTOCOL), RTY(NO), BLM(CALLER), 1, NULL, "malformed number or headers; 4xx not retried"},
	{"8x8", 401, 0, NULL, -1, TAG(FAILED), CAT(AUTH), RTY(NO), BLM(CALLER), 1, NULL, "invalid credentials"},
	{"8x8", 402, 0, NULL, -1, TAG(FAILED), CAT(BILLING), RTY(NO), BLM(NONE), 1, NULL, "reserved for billing"},
	{"8x8", 403, 0, NULL, -1, TAG(FAILED), CAT(FORBIDDEN), RTY(NO), BLM(CALLER), 1, NULL, "caller ID not authorised or destination restricted"},
	{"8x8", 404, 0, NULL, -1, TAG(FAILED), CAT(INVALID_NUMBER), RTY(NO), BLM(CALLER), 1, NULL, "invalid phone number"},
	{"8x8", 405, 0, NULL, -1, TAG(FAILED), CAT(PROTOCOL), RTY(NO), BLM(NONE), 1, NULL, "method not supported"},
	{"8x8", 406, 0, NULL, -1, TAG(FAILED), CAT(PROTOCOL), RTY(NO), BLM(NONE), 1, NULL, "not acceptable"},
	{"8x8", 407, 0, NULL, -1, TAG(FAILED), CAT(AUTH), RTY(NO), BLM(NONE), 1, NULL, "proxy authentication"},
	{"8x8", 408, 0, NULL, -1, TAG(FAILED), CAT(TIMEOUT), RTY(NO), BLM(NONE), 1, NULL, "network issue or destination unreachable; 4xx not retried"},
	{"8x8", 408, RING, NULL, -1, TAG(NO_ANSWER), CAT(NO_ANSWER), RTY(LATER), BLM(NONE), 1, NULL, "NO_ANSWER: rang, not answered"},
	{"8x8", 408, TIMER | RING, NULL, -1, TAG(NO_ANSWER), CAT(NO_ANSWER), RTY(LATER), BLM(NONE), 1, NULL, "own ring timer: NO_ANSWER"},
	{"8x8", 408, TIMER, NULL, -1, TAG(FAILED), CAT(TIMEOUT), RTY(ALTERNATE), BLM(NONE), 1, NULL, "own timer before ringing: call not connecting"},
	{"8x8", 410, 0, NULL, -1, TAG(FAILED), CAT(INVALID_NUMBER), RTY(NO), BLM(NONE), 1, NULL, "number disconnected"},
	{"8x8", 413, 0, NULL, -1, TAG(FAILED), CAT(PROTOCOL), RTY(NO), BLM(NONE), 1, NULL, "body too large"},
	{"8x8", 414, 0, NULL, -1, TAG(FAILED), CAT(PROTOCOL), RTY(NO), BLM(NONE), 1, NULL, "URI too long"},
	{"8x8", 415, 0, NULL, -1, TAG(FAILED), CAT(MEDIA), RTY(NO), BLM(NONE), 1, NULL, "codec incompatibility"},
	{"8x8", 416, 0, NULL, -1, TAG(FAILED), CAT(PROTOCOL), RTY(NO), BLM(NONE), 1, NULL, "URI scheme unknown"},
	{"8x8", 420, 0, NULL, -1, TAG(FAILED), CAT(PROTOCOL), RTY(NO), BLM(NONE), 1, NULL, "extension not understood"},
	{"8x8", 421, 0, NULL, -1, TAG(FAILED), CAT(PROTOCOL), RTY(NO), BLM(NONE), 1, NULL, "extension required"},
	{"8x8", 423, 0, NULL, -1, TAG(FAILED), CAT(PROTOCOL), RTY(NO), BLM(NONE), 1, NULL, "expiry too short"},
	{"8x8", 480, 0, NULL, -1, TAG(FAILED), CAT(UNAVAILABLE), RTY(NO), BLM(CALLEE), 1, NULL, "device offline, did not ring: not NO_ANSWER"},
	{"8x8", 480, RING, NULL, -1, TAG(NO_ANSWER), CAT(NO_ANSWER), RTY(LATER), BLM(CALLEE), 1, NULL, "rang, not answered: NO_ANSWER"},
	{"8x8", 481, 0, NULL, -1, TAG(FAILED), CAT(PROTOCOL), RTY(NO), BLM(NONE), 1, NULL, "no such dialog"},
	{"8x8", 482, 0, NULL, -1, TAG(FAILED), CAT(LOOP), RTY(NO), BLM(NONE), 1, NULL, "loop; 4xx not retried"},
	{"8x8", 483, 0, NULL, -1, TAG(FAILED), CAT(LOOP), RTY(NO), BLM(NONE), 1, NULL, "Max-Forwards reached zero"},
	{"8x8", 484, 0, NULL, -1, TAG(FAILED), CAT(INVALID_NUMBER), RTY(NO), BLM(NONE), 1, NULL, "invalid number format group"},
	{"8x8", 485, 0, NULL, -1, TAG(FAILED), CAT(INVALID_NUMBER), RTY(NO), BLM(NONE), 1, NULL, "ambiguous URI"},
	{"8x8", 486, 0, NULL, -1, TAG(BUSY), CAT(BUSY), RTY(LATER), BLM(CALLEE), 1, NULL, "line in use: BUSY"},
	{"8x8", 486, RING, NULL, -1, TAG(BUSY), CAT(BUSY), RTY(LATER), BLM(CALLEE), 1, NULL, "declined or DND while ringing: BUSY"},
	{"8x8", 487, CANCEL, NULL, -1, TAG(CANCELED), CAT(CANCELED), RTY(NO), BLM(CALLER), 1, NULL, "caller hung up before answer: CANCELED"},
	{"8x8", 487, CANCEL | RING, NULL, -1, TAG(CANCELED), CAT(CANCELED), RTY(NO), BLM(CALLER), 1, NULL, "caller hung up during ringing: CANCELED"},
	{"8x8", 487, RING, NULL, -1, TAG(NO_ANSWER), CAT(NO_ANSWER), RTY(LATER), BLM(NONE), 1, NULL, "ended while ringing, no CANCEL seen: NO_ANSWER"},
	{"8x8", 487, 0, NULL, -1, TAG(FAILED), CAT(OTHER), RTY(NO), BLM(NONE), 1, NULL, "ended before ringing, no CANCEL seen"},
	{"8x8", 488, 0, NULL, -1, TAG(FAILED), CAT(MEDIA), RTY(NO), BLM(CALLER), 1, NULL, "SDP/codec mismatch"},
	{"8x8", 491, 0, NULL, -1, TAG(FAILED), CAT(PROTOCOL), RTY(LATER), BLM(NONE), 1, NULL, "request pending: wait and resend"},
	{"8x8", 493, 0, NULL, -1, TAG(FAILED), CAT(PROTOCOL), RTY(NO), BLM(NONE), 1, NULL, "undecipherable"},
	{"8x8", 500, 0, NULL, -1, TAG(FAILED), CAT(SERVER_ERROR), RTY(LATER), BLM(NETWORK), 1, NULL, "temporary system issue; ERROR is FAILED; 5xx backoff"},
	{"8x8", 501, 0, NULL, -1, TAG(FAILED), CAT(SERVER_ERROR), RTY(NO), BLM(NETWORK), 1, NULL, "not implemented: retry cannot help"},
	{"8x8", 502, 0, NULL, -1, TAG(FAILED), CAT(SERVER_ERROR), RTY(LATER), BLM(NETWORK), 1, NULL, "carrier connectivity; 5xx backoff"},
	{"8x8", 503, 0, NULL, -1, TAG(FAILED), CAT(CONGESTION), RTY(LATER), BLM(NETWORK), 1, NULL, "maintenance or capacity; 5xx backoff"},
	{"8x8", 504, 0, NULL, -1, TAG(FAILED), CAT(TIMEOUT), RTY(LATER), BLM(NETWORK), 1, NULL, "carrier response delay; 5xx backoff"},
	{"8x8", 505, 0, NULL, -1, TAG(FAILED), CAT(PROTOCOL), RTY(NO), BLM(NONE), 1, NULL, "version not supported: retry cannot help"},
	{"8x8", 513, 0, NULL, -1, TAG(FAILED), CAT(PROTOCOL), RTY(NO), BLM(NONE), 1, NULL, "message too large: retry cannot help"},
	{"8x8", 550, 0, "Carrier Trouble", -1, TAG(FAILED), CAT(SERVER_ERROR), RTY(LATER), BLM(NONE), 1, NULL, "any other 5xx: backoff"},
	{"8x8", 600, 0, NULL, -1, TAG(BUSY), CAT(BUSY), RTY(NONE), BLM(CALLEE), 1, NULL, "no available endpoints: BUSY"},
	{"8x8", 603, 0, NULL, -1, TAG(BUSY), CAT(DECLINED), RTY(NONE), BLM(UNKNOWN), 1, NULL, "rejected at once: caller ID, a block or the callee (issue 11 item 8)"},
	{"8x8", 604, 0, NULL, -1, TAG(FAILED), CAT(INVALID_NUMBER), RTY(NONE), BLM(NONE), 1, NULL, "number does not exist"},
	{"8x8", 606, 0, NULL, -1, TAG(FAILED), CAT(MEDIA), RTY(NONE), BLM(NONE), 1, NULL, "incompatible session requirements"},

	/* ---- Oki-Toki call center / dialer (seed 003) ---- */
	{"okitoki", 100, 0, NULL, -1, TAG(NONE), CAT(NONE), RTY(NONE), BLM(NONE), 0, NULL, "100 alone is no outcome"},
	{"okitoki", 408, TIMER, NULL, -1, TAG(FAILED), CAT(TIMEOUT), RTY(NONE), BLM(NONE), 1, NULL, "100 then nothing: dropped after 10 s"},
	{"okitoki", 408, SILENT, NULL, -1, TAG(FAILED), CAT(NO_RESPONSE), RTY(NONE), BLM(NONE), 1, NULL, "no reply from the provider: connection timeout"},
	{"okitoki", 180, 0, NULL, -1, TAG(NONE), CAT(NONE), RTY(NONE), BLM(NONE), 0, NULL, "180 alone is no outcome"},
	{"okitoki", 183, 0, NULL, -1, TAG(NONE), CAT(NONE), RTY(NONE), BLM(NONE), 0, NULL, "183 alone is no outcome"},
	{"okitoki", 408, TIMER | RING, NULL, -1, TAG(NO_ANSWER), CAT(NO_ANSWER), RTY(LATER), BLM(CALLEE), 1, NULL, "180/183 as last response: no answer"},
	/* seed 003: the dialer's own CANCEL after ringing is "180/183 No
	 * answer", after nothing but 100 Trying "100 No answer" (issue 11
	 * item 7; the old rows said CANCELED/caller) */
	{"okitoki", 487, CANCEL | RING, NULL, -1, TAG(NO_ANSWER), CAT(NO_ANSWER), RTY(LATER), BLM(CALLEE), 1, NULL, "dialer stopped a ringing call: 180/183 No answer"},
	{"okitoki", 200, 0, NULL, -1, TAG(COMPLETED), CAT(ANSWERED), RTY(NONE), BLM(NONE), 0, NULL, "subscriber answered"},
	{"okitoki", 403, 0, NULL, -1, TAG(FAILED), CAT(FORBIDDEN), RTY(NONE), BLM(CALLER), 1, NULL, "ACL, destination, caller ID, registration, auth, balance"},
	{"okitoki", 404, 0, NULL, -1, TAG(FAILED), CAT(INVALID_NUMBER), RTY(NONE), BLM(CALLER), 1, NULL, "number does not exist or wrong prefix"},
	{"okitoki", 408, 0, NULL, -1, TAG(FAILED), CAT(UNAVAILABLE), RTY(LATER), BLM(CALLEE), 1, NULL, "subscriber unavailable, no response"},
	{"okitoki", 408, RING, NULL, -1, TAG(NO_ANSWER), CAT(NO_ANSWER), RTY(LATER), BLM(CALLEE), 1, NULL, "rang out: no answer"},
	{"okitoki", 480, 0, NULL, -1, TAG(FAILED), CAT(UNAVAILABLE), RTY(LATER), BLM(CALLEE), 1, NULL, "subscriber unavailable or not in service"},
	{"okitoki", 480, 0, NULL, 18, TAG(FAILED), CAT(UNAVAILABLE), RTY(LATER), BLM(CALLEE), 1, NULL, "the rule beats the Q.850 cause"},
	{"okitoki", 480, RING, NULL, -1, TAG(NO_ANSWER), CAT(NO_ANSWER), RTY(LATER), BLM(CALLEE), 1, NULL, "480 during ringing: no answer"},
	{"okitoki", 484, 0, NULL, -1, TAG(FAILED), CAT(INVALID_NUMBER), RTY(NONE), BLM(NONE), 1, NULL, "incomplete URI, cannot route"},
	{"okitoki", 486, 0, NULL, -1, TAG(BUSY), CAT(BUSY), RTY(NONE), BLM(CALLEE), 1, NULL, "subscriber busy"},
	{"okitoki", 487, CANCEL, NULL, -1, TAG(NO_ANSWER), CAT(NO_RESPONSE), RTY(ALTERNATE), BLM(NETWORK), 1, NULL, "dialer gave up after 100 Trying: 100 No answer"},
	{"okitoki", 487, RING, NULL, -1, TAG(NO_ANSWER), CAT(NO_ANSWER), RTY(NONE), BLM(NONE), 1, NULL, "ended while ringing: no answer"},
	{"okitoki", 487, 0, NULL, -1, TAG(FAILED), CAT(OTHER), RTY(NONE), BLM(NONE), 1, NULL, "forced termination before ringing"},
	{"okitoki", 500, 0, NULL, -1, TAG(FAILED), CAT(SERVER_ERROR), RTY(NONE), BLM(NETWORK), 1, NULL, "provider's internal error"},
	{"okitoki", 502, 0, NULL, -1, TAG(FAILED), CAT(SERVER_ERROR), RTY(NONE), BLM(NETWORK), 1, NULL, "bad reply upstream of a gateway"},
	{"okitoki", 503, 0, NULL, -1, TAG(FAILED), CAT(CONGESTION), RTY(NONE), BLM(NONE), 1, NULL, "registration, balance, overload, fault"},
	{"okitoki", 504, 0, NULL, -1, TAG(FAILED), CAT(TIMEOUT), RTY(NONE), BLM(NONE), 1, NULL, "5xx: check the trunk, ask the provider"},
	{"okitoki", 600, 0, NULL, -1, TAG(FAILED), CAT(LINE_LIMIT), RTY(LATER), BLM(CALLER), 1, NULL, "simultaneous-line limit reached"},
	{"okitoki", 603, 0, NULL, -1, TAG(FAILED), CAT(LINE_LIMIT), RTY(LATER), BLM(CALLER), 1, NULL, "simultaneous-line limit reached"},
	{"okitoki", 603, 0, NULL, 21, TAG(FAILED), CAT(LINE_LIMIT), RTY(LATER), BLM(CALLER), 1, NULL, "line limit even with Q.850 21"},
	{"okitoki", 603, RING, NULL, -1, TAG(FAILED), CAT(LINE_LIMIT), RTY(LATER), BLM(CALLER), 1, NULL, "line limit after ringing too"},

	/* ---- Cognigy voice gateway (seed 004) ---- */
	{"cognigy", 200, 0, NULL, -1, TAG(COMPLETED), CAT(ANSWERED), RTY(NONE), BLM(NONE), 0, NULL, "answered, nothing to do"},
	{"cognigy", 202, 0, "OK", -1, TAG(COMPLETED), CAT(ANSWERED), RTY(NONE), BLM(NONE), 1, "Accepted", "202 OK: accepted, still processing"},
	{"cognigy", 202, 0, "Accepted", -1, TAG(COMPLETED), CAT(ANSWERED), RTY(NONE), BLM(NONE), 0, NULL, "standard 202 phrase: no rule"},
	{"cognigy", 400, 0, "Permission Denied", -1, TAG(FAILED), CAT(FORBIDDEN), RTY(NO), BLM(CALLER), 1, "Bad Request", "400 Permission Denied: rights or credentials"},
	{"cognigy", 400, 0, "PERMISSION DENIED", -1, TAG(FAILED), CAT(FORBIDDEN), RTY(NO), BLM(CALLER), 1, "Bad Request", "phrase match ignores case"},
	{"cognigy", 400, 0, "Bad Request", -1, TAG(FAILED), CAT(PROTOCOL), RTY(NO), BLM(CALLER), 0, NULL, "a plain 400 keeps its standard meaning"},
	{"cognigy", 403, 0, NULL, -1, TAG(FAILED), CAT(FORBIDDEN), RTY(NO), BLM(CALLER), 1, NULL, "403 flood from one IP: block it"},
	{"cognigy", 404, 0, NULL, -1, TAG(FAILED), CAT(INVALID_NUMBER), RTY(NONE), BLM(NONE), 1, NULL, "number not set up; maybe SIP spam"},
	{"cognigy", 408, 0, NULL, -1, TAG(FAILED), CAT(TIMEOUT), RTY(LATER), BLM(NETWORK), 1, NULL, "endpoint unresponsive: retry later"},
	{"cognigy", 408, RING, NULL, -1, TAG(NO_ANSWER), CAT(NO_ANSWER), RTY(LATER), BLM(NONE), 1, NULL, "rang out: no answer"},
	{"cognigy", 480, 0, NULL, -1, TAG(FAILED), CAT(UNAVAILABLE), RTY(LATER), BLM(CALLEE), 1, NULL, "no application or no capacity"},
	{"cognigy", 480, RING, NULL, -1, TAG(NO_ANSWER), CAT(NO_ANSWER), RTY(LATER), BLM(CALLEE), 1, NULL, "rang, not taken: no answer"},
	{"cognigy", 487, CANCEL, NULL, -1, TAG(CANCELED), CAT(CANCELED), RTY(NO), BLM(CALLER), 1, NULL, "caller ended it before connect"},
	{"cognigy", 487, CANCEL | RING, NULL, -1, TAG(CANCELED), CAT(CANCELED), RTY(NO), BLM(CALLER), 1, NULL, "caller ended it while ringing"},
	{"cognigy", 488, 0, NULL, -1, TAG(FAILED), CAT(MEDIA), RTY(NONE), BLM(NONE), 1, NULL, "SDP codec or feature unsupported"},
	{"cognigy", 500, 0, NULL, -1, TAG(FAILED), CAT(SERVER_ERROR), RTY(LATER), BLM(NETWORK), 1, NULL, "application error: try later"},
	{"cognigy", 503, 0, NULL, -1, TAG(FAILED), CAT(LINE_LIMIT), RTY(LATER), BLM(CALLER), 1, NULL, "inactive account or call limit"},
	{"cognigy", 603, RING, NULL, -1, TAG(BUSY), CAT(DECLINED), RTY(NO), BLM(CALLEE), 1, NULL, "callee reached and rejected"},
	{"cognigy", 603, 0, NULL, -1, TAG(BUSY), CAT(DECLINED), RTY(NO), BLM(UNKNOWN), 1, NULL, "rejection or gateway endpoint problem"},
};
/* clang-format on */

static sipoutcome_profiles_t *set;

static int setup(void **state)
{
	sipoutcome_error_t err;
	char msg[512];
	int rc;

	memset(&err, 0, sizeof(err));
	rc = sipoutcome_profiles_new(&set, &err);
	if(rc != SIPOUTCOME_OK) {
		print_error("built-in profiles: %s\n",
				sipoutcome_error_format(&err, msg, sizeof(msg)));
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	sipoutcome_profiles_free(set);
	set = NULL;
	return 0;
}

static const sipoutcome_profile_t *profile(const char *name)
{
	const sipoutcome_profile_t *p =
			sipoutcome_profiles_find(set, name, strlen(name));
	assert_non_null(p);
	return p;
}

static void run(const char *name, int code, unsigned int flags,
		const char *phrase, int q850, sipoutcome_result_t *r)
{
	sipoutcome_input_t in;

	sipoutcome_input_init(&in);
	in.code = code;
	in.flags = flags;
	in.q850 = q850;
	in.profile = profile(name);
	if(phrase == NULL)
		phrase = sipoutcome_code_effective(code)->phrase;
	in.reason = phrase;
	in.reason_len = strlen(phrase);
	assert_int_equal(sipoutcome_classify(&in, r), SIPOUTCOME_OK);
}

/* Check one row; print every mismatch, return how many there were. */
static int check_case(const vcase_t *c)
{
	sipoutcome_result_t r;
	int bad = 0;

#define MISMATCH(what, got, want)                                          \
	do {                                                                   \
		print_error("%s %d flags=%#x q850=%d: %s %s, want %s (%s)\n",      \
				c->profile, c->code, c->flags, c->q850, what, got, want,   \
				c->fact);                                                  \
		bad++;                                                             \
	} while(0)

	run(c->profile, c->code, c->flags, c->phrase, c->q850, &r);
	assert_string_equal(r.vendor, c->profile);
	if(r.tag != c->tag)
		MISMATCH("tag", sipoutcome_tag_name(r.tag),
				sipoutcome_tag_name(c->tag));
	if(r.category != c->category)
		MISMATCH("category", sipoutcome_category_name(r.category),
				sipoutcome_category_name(c->category));
	if(c->retry != SIPOUTCOME_RETRY_NONE && r.retry != c->retry)
		MISMATCH("retry", sipoutcome_retry_name(r.retry),
				sipoutcome_retry_name(c->retry));
	if(c->blame != SIPOUTCOME_BLAME_NONE && r.blame != c->blame)
		MISMATCH("blame", sipoutcome_blame_name(r.blame),
				sipoutcome_blame_name(c->blame));
	if((r.hint != NULL) != (c->hint != 0))
		MISMATCH("hint", r.hint ? r.hint : "(none)",
				c->hint ? "a hint" : "none");
	if(c->rewrite == NULL && r.rewrite != NULL)
		MISMATCH("rewrite", r.rewrite, "none");
	if(c->rewrite != NULL
			&& (r.rewrite == NULL || strcmp(r.rewrite, c->rewrite) != 0))
		MISMATCH("rewrite", r.rewrite ? r.rewrite : "(none)", c->rewrite);
#undef MISMATCH
	return bad;
}

static void check_profile_rows(const char *name)
{
	size_t i, rows = 0;
	int bad = 0;

	for(i = 0; i < SO_ARRAY_SIZE(cases); i++) {
		if(strcmp(cases[i].profile, name) != 0)
			continue;
		bad += check_case(&cases[i]);
		rows++;
	}
	assert_true(rows > 0);
	if(bad > 0)
		fail_msg("%d mismatches in the %s rows", bad, name);
}

static void test_builtin_set(void **state)
{
	static const char *const names[] = {"rfc", "8x8", "okitoki", "cognigy"};
	size_t i;

	assert_int_equal(sipoutcome_profiles_count(set), SO_ARRAY_SIZE(names));
	for(i = 0; i < SO_ARRAY_SIZE(names); i++) {
		const sipoutcome_profile_t *p = sipoutcome_profiles_at(set, i);
		assert_string_equal(sipoutcome_profile_name(p), names[i]);
		assert_true(strlen(sipoutcome_profile_description(p)) > 0);
		assert_string_equal(sipoutcome_profile_parent(p), i ? "rfc" : "");
	}
}

static void test_8x8(void **state)
{
	check_profile_rows("8x8");
}

static void test_okitoki(void **state)
{
	check_profile_rows("okitoki");
}

static void test_cognigy(void **state)
{
	check_profile_rows("cognigy");
}

/* The issue: the same 603 is BUSY under rfc and the line limit under
 * okitoki. */
static void test_603_rfc_vs_okitoki(void **state)
{
	sipoutcome_result_t r;

	run("rfc", 603, 0, "Decline", -1, &r);
	assert_int_equal(r.tag, SIPOUTCOME_TAG_BUSY);
	assert_int_equal(r.category, SIPOUTCOME_CAT_DECLINED);
	run("okitoki", 603, 0, "Decline", -1, &r);
	assert_int_equal(r.tag, SIPOUTCOME_TAG_FAILED);
	assert_int_equal(r.category, SIPOUTCOME_CAT_LINE_LIMIT);
	assert_int_equal(r.retry, SIPOUTCOME_RETRY_LATER);
	assert_int_equal(r.blame, SIPOUTCOME_BLAME_CALLER);
	assert_string_equal(r.decided_by, "profile");
}

/* The issue: the same 480 before ringing is NO_ANSWER under rfc and
 * FAILED under cognigy; after ringing both say NO_ANSWER. */
static void test_480_rfc_vs_cognigy(void **state)
{
	sipoutcome_result_t r;

	run("rfc", 480, 0, NULL, -1, &r);
	assert_int_equal(r.tag, SIPOUTCOME_TAG_NO_ANSWER);
	run("cognigy", 480, 0, NULL, -1, &r);
	assert_int_equal(r.tag, SIPOUTCOME_TAG_FAILED);
	assert_int_equal(r.category, SIPOUTCOME_CAT_UNAVAILABLE);
	run("rfc", 480, RING, NULL, -1, &r);
	assert_int_equal(r.tag, SIPOUTCOME_TAG_NO_ANSWER);
	run("cognigy", 480, RING, NULL, -1, &r);
	assert_int_equal(r.tag, SIPOUTCOME_TAG_NO_ANSWER);
}

/* rfc has no rules, so it never gives a hint or a rewrite. */
static void test_rfc_plain(void **state)
{
	sipoutcome_result_t r;
	int code;

	for(code = 200; code <= 699; code++) {
		run("rfc", code, 0, NULL, -1, &r);
		assert_null(r.hint);
		assert_null(r.rewrite);
	}
}

static void check_text(const so_rule_t *rule, const char *pname)
{
	size_t i, n = strlen(rule->hint);

	if(n == 0 || n > HINT_LIMIT)
		fail_msg("%s line %d: hint is %zu bytes (1..%d)", pname, rule->line,
				n, HINT_LIMIT);
	for(i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)rule->hint[i];
		if(ch < 0x20 || ch > 0x7e)
			fail_msg("%s line %d: hint byte %zu is %#x", pname, rule->line,
					i, ch);
	}
}

/* Every rule of every vendor profile carries a hint, and each value it
 * sets shows up in the result for at least one input the rule matches:
 * no rule is dead or wholly shadowed by a more specific one. */
static void test_rules_reachable(void **state)
{
	size_t pi, ri;

	for(pi = 0; pi < sipoutcome_profiles_count(set); pi++) {
		const sipoutcome_profile_t *p = sipoutcome_profiles_at(set, pi);
		if(strcmp(p->name, "rfc") == 0)
			continue;
		assert_true(p->nrules > 0);
		for(ri = 0; ri < p->nrules; ri++) {
			const so_rule_t *rule = &p->rules[ri];
			int lo = rule->code >= 0 ? rule->code
						: rule->klass >= 0 ? rule->klass * 100 : 200;
			int hi = rule->code >= 0 ? rule->code
						: rule->klass >= 0 ? rule->klass * 100 + 99 : 699;
			int ring_lo = rule->ringing >= 0 ? rule->ringing : 0;
			int ring_hi = rule->ringing >= 0 ? rule->ringing : 1;
			int got_hint = 0, got_tag = !rule->tag, got_cat = !rule->category;
			int got_retry = !rule->retry, got_blame = !rule->blame;
			int got_rewrite = rule->rewrite == NULL;
			int code, ring;

			if(rule->hint == NULL)
				fail_msg("%s line %d: rule without a hint", p->name,
						rule->line);
			check_text(rule, p->name);
			for(code = lo; code <= hi; code++) {
				for(ring = ring_lo; ring <= ring_hi; ring++) {
					sipoutcome_input_t in;
					sipoutcome_result_t r;

					sipoutcome_input_init(&in);
					in.code = code;
					in.flags = ring ? SIPOUTCOME_CTX_RINGING : 0;
					if(rule->canceled == 1)
						in.flags |= SIPOUTCOME_CTX_CANCELED;
					in.q850 = rule->q850;
					in.profile = p;
					if(rule->phrase != NULL) {
						in.reason = rule->phrase;
						in.reason_len = rule->phrase_len;
					} else {
						in.reason = sipoutcome_code_effective(code)->phrase;
						in.reason_len = strlen(in.reason);
					}
					assert_int_equal(sipoutcome_classify(&in, &r), 0);
					got_hint |= r.hint == rule->hint;
					got_tag |= r.tag == rule->tag;
					got_cat |= r.category == rule->category;
					got_retry |= r.retry == rule->retry;
					got_blame |= r.blame == rule->blame;
					got_rewrite |= r.rewrite == rule->rewrite;
				}
			}
			if(!(got_hint && got_tag && got_cat && got_retry && got_blame
					   && got_rewrite))
				fail_msg("%s line %d: shadowed (hint %d tag %d category %d "
						 "retry %d blame %d rewrite %d)",
						p->name, rule->line, got_hint, got_tag, got_cat,
						got_retry, got_blame, got_rewrite);
		}
	}
}

/* A 2xx is COMPLETED, class 2, whatever the profile, the context, the
 * Q.850 cause or the phrase: precedence step 1, which no profile rule can
 * override, and which the module relies on when only the counters need
 * the outcome (module/kamailio/km_call.c km_call_final). A user profile that
 * tries (code=200 -> FAILED) is included. */
static void test_2xx_completed_always(void **state)
{
	static const char user[] = "profile try2xx\n"
							   "inherits rfc\n"
							   "match code=200 set tag=FAILED category=other "
							   "retry=no blame=callee hint=\"no\"\n"
							   "match class=2 q850=16 set tag=BUSY "
							   "category=busy retry=no blame=callee hint=\"no\"\n";
	static const int causes[] = {-1, 16, 17, 19, 21, 34, 127};
	static const char *const phrases[] = {"OK", "", "Busy", "Accepted"};
	sipoutcome_error_t err;
	size_t pi, k, ph;
	unsigned int f;
	int code;

	memset(&err, 0, sizeof(err));
	assert_int_equal(sipoutcome_profiles_load_buffer(set, "try2xx.profile",
							 user, sizeof(user) - 1, &err),
			SIPOUTCOME_OK);
	for(pi = 0; pi < sipoutcome_profiles_count(set); pi++) {
		const sipoutcome_profile_t *p = sipoutcome_profiles_at(set, pi);
		for(code = 200; code <= 299; code++) {
			for(f = 0; f < 32; f++) {
				for(k = 0; k < SO_ARRAY_SIZE(causes); k++) {
					for(ph = 0; ph < SO_ARRAY_SIZE(phrases); ph++) {
						sipoutcome_input_t in;
						sipoutcome_result_t r;

						sipoutcome_input_init(&in);
						in.code = code;
						in.flags = f;
						in.q850 = causes[k];
						in.profile = p;
						in.reason = phrases[ph];
						in.reason_len = strlen(phrases[ph]);
						assert_int_equal(sipoutcome_classify(&in, &r), 0);
						if(r.tag != SIPOUTCOME_TAG_COMPLETED || r.klass != 2
								|| strcmp(r.vendor, p->name) != 0)
							fail_msg("%s %d flags 0x%x q850 %d: %s class %d",
									p->name, code, f, causes[k],
									sipoutcome_tag_name(r.tag), r.klass);
					}
				}
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_builtin_set),
			cmocka_unit_test(test_8x8),
			cmocka_unit_test(test_okitoki),
			cmocka_unit_test(test_cognigy),
			cmocka_unit_test(test_603_rfc_vs_okitoki),
			cmocka_unit_test(test_480_rfc_vs_cognigy),
			cmocka_unit_test(test_rfc_plain),
			cmocka_unit_test(test_rules_reachable),
			cmocka_unit_test(test_2xx_completed_always),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
