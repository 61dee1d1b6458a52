/*
 * The response-code registry (data/codes.tsv compiled in) and the enum
 * names. The table below is the IANA registry as this engine must carry
 * it: a row dropped from or changed in codes.tsv fails here.
 */
#include <limits.h>

#include "util.h"

#define T(x) SIPOUTCOME_TAG_##x
#define C(x) SIPOUTCOME_CAT_##x
#define R(x) SIPOUTCOME_RETRY_##x
#define B(x) SIPOUTCOME_BLAME_##x

typedef struct want_code
{
	int code;
	const char *phrase;
	int cause; /* RFC 3398 §8.2.6.1, 31 when unlisted */
	sipoutcome_tag_t tag;
	sipoutcome_category_t category;
	sipoutcome_retry_t retry;
	sipoutcome_blame_t blame;
} want_code_t;

/* IANA "Response Codes": 6 provisional and 69 final codes. */
/* clang-format off */
static const want_code_t want_codes[] = {
		{100, "Trying", 0, T(NONE), C(NONE), R(NONE), B(NONE)},
		{180, "Ringing", 0, T(NONE), C(NONE), R(NONE), B(NONE)},
		{181, "Call Is Being Forwarded", 0, T(NONE), C(NONE), R(NONE), B(NONE)},
		{182, "Queued", 0, T(NONE), C(NONE), R(NONE), B(NONE)},
		{183, "Session Progress", 0, T(NONE), C(NONE), R(NONE), B(NONE)},
		{199, "Early Dialog Terminated", 0, T(NONE), C(NONE), R(NONE), B(NONE)},
		{200, "OK", 16, T(COMPLETED), C(ANSWERED), R(NO), B(CALLEE)},
		{202, "Accepted", 16, T(COMPLETED), C(ANSWERED), R(NO), B(CALLEE)},
		{204, "No Notification", 16, T(COMPLETED), C(ANSWERED), R(NO), B(CALLEE)},
		{300, "Multiple Choices", 31, T(FAILED), C(REDIRECTED), R(ALTERNATE), B(CALLEE)},
		{301, "Moved Permanently", 31, T(FAILED), C(REDIRECTED), R(ALTERNATE), B(CALLEE)},
		{302, "Moved Temporarily", 31, T(FAILED), C(REDIRECTED), R(ALTERNATE), B(CALLEE)},
		{305, "Use Proxy", 31, T(FAILED), C(REDIRECTED), R(ALTERNATE), B(CALLEE)},
		{380, "Alternative Service", 31, T(FAILED), C(REDIRECTED), R(ALTERNATE), B(CALLEE)},
		{400, "Bad Request", 41, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{401, "Unauthorized", 21, T(FAILED), C(AUTH), R(NO), B(CALLER)},
		{402, "Payment Required", 21, T(FAILED), C(BILLING), R(NO), B(CALLER)},
		{403, "Forbidden", 21, T(FAILED), C(FORBIDDEN), R(NO), B(CALLER)},
		{404, "Not Found", 1, T(FAILED), C(INVALID_NUMBER), R(NO), B(CALLER)},
		{405, "Method Not Allowed", 63, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{406, "Not Acceptable", 79, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{407, "Proxy Authentication Required", 21, T(FAILED), C(AUTH), R(NO), B(CALLER)},
		{408, "Request Timeout", 102, T(FAILED), C(TIMEOUT), R(ALTERNATE), B(NETWORK)},
		{410, "Gone", 22, T(FAILED), C(INVALID_NUMBER), R(NO), B(CALLER)},
		{412, "Conditional Request Failed", 31, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{413, "Request Entity Too Large", 127, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{414, "Request-URI Too Long", 127, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{415, "Unsupported Media Type", 79, T(FAILED), C(MEDIA), R(NO), B(CALLER)},
		{416, "Unsupported URI Scheme", 127, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{417, "Unknown Resource-Priority", 31, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{420, "Bad Extension", 127, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{421, "Extension Required", 127, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{422, "Session Interval Too Small", 31, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{423, "Interval Too Brief", 127, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{424, "Bad Location Information", 31, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{425, "Bad Alert Message", 31, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{428, "Use Identity Header", 31, T(FAILED), C(IDENTITY), R(NO), B(CALLER)},
		{429, "Provide Referrer Identity", 31, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{430, "Flow Failed", 31, T(FAILED), C(PROTOCOL), R(NO), B(NETWORK)},
		{433, "Anonymity Disallowed", 31, T(FAILED), C(FORBIDDEN), R(NO), B(CALLER)},
		{436, "Bad Identity Info", 31, T(FAILED), C(IDENTITY), R(NO), B(CALLER)},
		{437, "Unsupported Credential", 31, T(FAILED), C(IDENTITY), R(NO), B(CALLER)},
		{438, "Invalid Identity Header", 31, T(FAILED), C(IDENTITY), R(NO), B(CALLER)},
		{439, "First Hop Lacks Outbound Support", 31, T(FAILED), C(PROTOCOL), R(NO), B(NETWORK)},
		{440, "Max-Breadth Exceeded", 31, T(FAILED), C(PROTOCOL), R(NO), B(NETWORK)},
		{469, "Bad Info Package", 31, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{470, "Consent Needed", 31, T(FAILED), C(FORBIDDEN), R(NO), B(CALLER)},
		{480, "Temporarily Unavailable", 18, T(NO_ANSWER), C(UNAVAILABLE), R(LATER), B(CALLEE)},
		{481, "Call/Transaction Does Not Exist", 41, T(FAILED), C(PROTOCOL), R(NO), B(UNKNOWN)},
		{482, "Loop Detected", 25, T(FAILED), C(LOOP), R(ALTERNATE), B(NETWORK)},
		{483, "Too Many Hops", 25, T(FAILED), C(LOOP), R(ALTERNATE), B(NETWORK)},
		{484, "Address Incomplete", 28, T(FAILED), C(INVALID_NUMBER), R(NO), B(CALLER)},
		{485, "Ambiguous", 1, T(FAILED), C(INVALID_NUMBER), R(NO), B(CALLER)},
		{486, "Busy Here", 17, T(BUSY), C(BUSY), R(LATER), B(CALLEE)},
		{487, "Request Terminated", 16, T(CANCELED), C(CANCELED), R(NO), B(CALLER)},
		{488, "Not Acceptable Here", 88, T(FAILED), C(MEDIA), R(NO), B(CALLER)},
		{489, "Bad Event", 31, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{491, "Request Pending", 31, T(FAILED), C(PROTOCOL), R(LATER), B(UNKNOWN)},
		{493, "Undecipherable", 31, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{494, "Security Agreement Required", 31, T(FAILED), C(PROTOCOL), R(NO), B(CALLER)},
		{500, "Server Internal Error", 41, T(FAILED), C(SERVER_ERROR), R(ALTERNATE), B(NETWORK)},
		{501, "Not Implemented", 79, T(FAILED), C(SERVER_ERROR), R(NO), B(NETWORK)},
		{502, "Bad Gateway", 38, T(FAILED), C(SERVER_ERROR), R(ALTERNATE), B(NETWORK)},
		{503, "Service Unavailable", 41, T(FAILED), C(CONGESTION), R(ALTERNATE), B(NETWORK)},
		{504, "Server Time-out", 102, T(FAILED), C(TIMEOUT), R(ALTERNATE), B(NETWORK)},
		{505, "Version Not Supported", 127, T(FAILED), C(PROTOCOL), R(NO), B(NETWORK)},
		{513, "Message Too Large", 127, T(FAILED), C(PROTOCOL), R(NO), B(NETWORK)},
		{555, "Push Notification Service Not Supported", 31, T(FAILED), C(OTHER), R(NO), B(NETWORK)},
		{580, "Precondition Failure", 31, T(FAILED), C(MEDIA), R(NO), B(NETWORK)},
		{600, "Busy Everywhere", 17, T(BUSY), C(BUSY), R(LATER), B(CALLEE)},
		{603, "Decline", 21, T(BUSY), C(DECLINED), R(NO), B(CALLEE)},
		{604, "Does Not Exist Anywhere", 1, T(FAILED), C(INVALID_NUMBER), R(NO), B(CALLER)},
		{606, "Not Acceptable", 88, T(FAILED), C(MEDIA), R(NO), B(CALLER)},
		{607, "Unwanted", 31, T(FAILED), C(UNWANTED), R(NO), B(CALLEE)},
		{608, "Rejected", 31, T(FAILED), C(BLOCKED), R(NO), B(NETWORK)},
};
/* clang-format on */

static const want_code_t *want_find(int code)
{
	size_t i;

	for(i = 0; i < TU_ARRAY_SIZE(want_codes); i++)
		if(want_codes[i].code == code)
			return &want_codes[i];
	return NULL;
}

static void test_count(void **state)
{
	(void)state;
	assert_int_equal(TU_ARRAY_SIZE(want_codes), 75);
	assert_int_equal(sipoutcome_code_count(), TU_ARRAY_SIZE(want_codes));
	assert_non_null(sipoutcome_code_at(74));
	assert_null(sipoutcome_code_at(75));
	assert_null(sipoutcome_code_at(sipoutcome_code_count()));
	assert_null(sipoutcome_code_at((size_t)-1));
}

/* Row i of the registry is row i of the table above, field by field. */
static void test_registry_is_the_table(void **state)
{
	size_t i;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(want_codes); i++) {
		const want_code_t *w = &want_codes[i];
		const sipoutcome_code_t *row = sipoutcome_code_at(i);

		if(row == NULL)
			fail_msg("code_at(%zu) is NULL, expected %d", i, w->code);
		if(row->code != w->code)
			fail_msg("code_at(%zu) is %d, expected %d (row dropped or added)",
					i, row->code, w->code);
		if(!tu_streq(row->phrase, w->phrase))
			fail_msg("%d: phrase \"%s\", expected \"%s\"", w->code,
					row->phrase ? row->phrase : "(null)", w->phrase);
		if(row->phrase_len != strlen(w->phrase))
			fail_msg("%d: phrase_len %u, expected %zu", w->code,
					row->phrase_len, strlen(w->phrase));
		if(row->cause != w->cause)
			fail_msg(
					"%d: cause %u, expected %d", w->code, row->cause, w->cause);
		if(row->tag != w->tag || row->category != w->category
				|| row->retry != w->retry || row->blame != w->blame)
			fail_msg("%d: %s/%s/%s/%s, expected %s/%s/%s/%s", w->code,
					sipoutcome_tag_name(row->tag),
					sipoutcome_category_name(row->category),
					sipoutcome_retry_name(row->retry),
					sipoutcome_blame_name(row->blame),
					sipoutcome_tag_name(w->tag),
					sipoutcome_category_name(w->category),
					sipoutcome_retry_name(w->retry),
					sipoutcome_blame_name(w->blame));
		assert_ptr_equal(sipoutcome_code_lookup(w->code), row);
		assert_ptr_equal(sipoutcome_code_effective(w->code), row);
	}
}

/* Invariants of every row, walked with code_at until NULL. */
static void test_every_row(void **state)
{
	const sipoutcome_code_t *row;
	size_t i;
	int prev = 0;

	(void)state;
	for(i = 0; (row = sipoutcome_code_at(i)) != NULL; i++) {
		const unsigned char *ph = (const unsigned char *)row->phrase;
		sipoutcome_result_t r;
		size_t k;

		assert_in_range(row->code, 100, 699);
		if(row->code <= prev)
			fail_msg("code_at(%zu) = %d is not above %d", i, row->code, prev);
		prev = row->code;
		if(want_find(row->code) == NULL)
			fail_msg("%d is registered but not an IANA code", row->code);

		assert_non_null(row->phrase);
		assert_true(row->phrase_len > 0);
		assert_int_equal(row->phrase_len, strlen(row->phrase));
		assert_true(row->phrase_len < SIPOUTCOME_PHRASE_MAX);
		for(k = 0; k < row->phrase_len; k++)
			if(ph[k] < 0x20 || ph[k] >= 0x7F)
				fail_msg("%d: phrase byte %zu is 0x%02x", row->code, k, ph[k]);
		/* the canonical phrase is what phrase_check calls standard */
		assert_int_equal(sipoutcome_phrase_check(
								 row->code, row->phrase, row->phrase_len),
				0);
		assert_non_null(row->rfc);
		assert_int_equal(strncmp(row->rfc, "RFC ", 4), 0);
		assert_non_null(row->meaning);
		assert_true(strlen(row->meaning) > 10);
		assert_in_range(row->cause, 0, 127);

		if(row->code < 200) {
			if(row->tag != SIPOUTCOME_TAG_NONE)
				fail_msg("%d: provisional with tag %s", row->code,
						sipoutcome_tag_name(row->tag));
			assert_int_equal(row->category, SIPOUTCOME_CAT_NONE);
			assert_int_equal(row->retry, SIPOUTCOME_RETRY_NONE);
			assert_int_equal(row->blame, SIPOUTCOME_BLAME_NONE);
			assert_int_equal(row->cause, 0);
		} else {
			if(row->tag == SIPOUTCOME_TAG_NONE)
				fail_msg("%d: final code without a tag", row->code);
			assert_in_range(row->tag, 1, SIPOUTCOME_TAG_COUNT - 1);
			assert_in_range(row->category, 1, SIPOUTCOME_CAT_COUNT - 1);
			assert_in_range(row->retry, 1, SIPOUTCOME_RETRY_COUNT - 1);
			assert_in_range(row->blame, 1, SIPOUTCOME_BLAME_COUNT - 1);
			/* only the engine knows a reply was the proxy's own */
			assert_int_not_equal(row->blame, SIPOUTCOME_BLAME_PROXY);
			assert_true(row->cause > 0);
		}

		/* classify agrees with the row on what is not context */
		r = tu_classify(row->code, 0, -1, NULL);
		assert_int_equal(r.code, row->code);
		assert_int_equal(r.klass, row->code / 100);
		assert_int_equal(r.registered, 1);
		assert_ptr_equal(r.phrase, row->phrase);
		assert_int_equal(r.phrase_len, row->phrase_len);
		assert_ptr_equal(r.rfc, row->rfc);
		assert_ptr_equal(r.meaning, row->meaning);
		assert_int_equal(r.cause, row->cause);
		if(row->code < 200)
			assert_int_equal(r.tag, SIPOUTCOME_TAG_NONE);
		else
			assert_int_not_equal(r.tag, SIPOUTCOME_TAG_NONE);
	}
	assert_int_equal(i, sipoutcome_code_count());
}

/* lookup is exactly the registered set; effective falls back to x00. */
static void test_lookup_and_effective(void **state)
{
	int c;

	(void)state;
	for(c = 100; c <= 699; c++) {
		const sipoutcome_code_t *own = sipoutcome_code_lookup(c);
		const sipoutcome_code_t *eff = sipoutcome_code_effective(c);
		const want_code_t *w = want_find(c);

		if((own != NULL) != (w != NULL))
			fail_msg("lookup(%d) is %s, expected %s", c, own ? "a row" : "NULL",
					w ? "a row" : "NULL");
		if(own != NULL)
			assert_int_equal(own->code, c);
		assert_non_null(eff);
		if(own != NULL)
			assert_ptr_equal(eff, own);
		else
			assert_ptr_equal(eff, sipoutcome_code_lookup(c - c % 100));
	}
	/* the class rows the fallback needs */
	for(c = 100; c <= 600; c += 100)
		assert_non_null(sipoutcome_code_lookup(c));
	assert_int_equal(sipoutcome_code_effective(150)->code, 100);
	assert_int_equal(sipoutcome_code_effective(299)->code, 200);
	assert_int_equal(sipoutcome_code_effective(399)->code, 300);
	assert_int_equal(sipoutcome_code_effective(499)->code, 400);
	assert_int_equal(sipoutcome_code_effective(599)->code, 500);
	assert_int_equal(sipoutcome_code_effective(699)->code, 600);
	assert_string_equal(sipoutcome_code_effective(409)->phrase, "Bad Request");
}

static void test_out_of_range(void **state)
{
	static const int bad[] = {0, 1, 10, 99, 700, 701, 999, 1000, 4860, -1, -100,
			-486, INT_MIN, INT_MIN + 1, INT_MAX, INT_MAX - 1};
	size_t i;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(bad); i++) {
		if(sipoutcome_code_lookup(bad[i]) != NULL)
			fail_msg("lookup(%d) is not NULL", bad[i]);
		if(sipoutcome_code_effective(bad[i]) != NULL)
			fail_msg("effective(%d) is not NULL", bad[i]);
	}
}

static void check_names(const char *what, const char *(*name)(int),
		int (*parse)(const char *, size_t, int *), const char *const *want,
		int count)
{
	int v, out;
	char upper[32], lower[32];

	for(v = 0; v < count; v++) {
		const char *n = name(v);
		size_t k, len;

		if(!tu_streq(n, want[v]))
			fail_msg("%s name of %d is \"%s\", expected \"%s\"", what, v, n,
					want[v]);
		if(parse == NULL || v == 0)
			continue;
		len = strlen(n);
		assert_true(len < sizeof(upper));
		for(k = 0; k <= len; k++) {
			upper[k] = (n[k] >= 'a' && n[k] <= 'z') ? n[k] - 32 : n[k];
			lower[k] = (n[k] >= 'A' && n[k] <= 'Z') ? n[k] + 32 : n[k];
		}
		out = -1;
		assert_int_equal(parse(n, len, &out), SIPOUTCOME_OK);
		assert_int_equal(out, v);
		out = -1;
		assert_int_equal(parse(upper, len, &out), SIPOUTCOME_OK);
		assert_int_equal(out, v);
		out = -1;
		assert_int_equal(parse(lower, len, &out), SIPOUTCOME_OK);
		assert_int_equal(out, v);
		/* exact length: a prefix is not the name */
		out = -7;
		assert_int_equal(parse(n, len - 1, &out), SIPOUTCOME_ENOENT);
		assert_int_equal(out, -7);
	}
	for(v = count; v < count + 3; v++)
		assert_string_equal(name(v), "-");
	assert_string_equal(name(-1), "-");
	if(parse == NULL)
		return;
	out = -7;
	assert_int_equal(parse("-", 1, &out), SIPOUTCOME_ENOENT);
	assert_int_equal(parse("NONE", 4, &out), SIPOUTCOME_ENOENT);
	assert_int_equal(parse("none", 4, &out), SIPOUTCOME_ENOENT);
	assert_int_equal(parse("", 0, &out), SIPOUTCOME_ENOENT);
	assert_int_equal(parse(NULL, 0, &out), SIPOUTCOME_EINVAL);
	assert_int_equal(out, -7);
}

/* The enum parsers take a typed pointer; these adapters give them one
 * signature (all the enums are int-sized). */
static const char *tag_name(int v)
{
	return sipoutcome_tag_name((sipoutcome_tag_t)v);
}
static int tag_parse(const char *s, size_t n, int *o)
{
	sipoutcome_tag_t t = SIPOUTCOME_TAG_NONE;
	int rc = sipoutcome_tag_parse(s, n, o ? &t : NULL);
	if(rc == 0 && o)
		*o = (int)t;
	return rc;
}
static const char *cat_name(int v)
{
	return sipoutcome_category_name((sipoutcome_category_t)v);
}
static int cat_parse(const char *s, size_t n, int *o)
{
	sipoutcome_category_t t = (sipoutcome_category_t)0;
	int rc = sipoutcome_category_parse(s, n, o ? &t : NULL);
	if(rc == 0 && o)
		*o = (int)t;
	return rc;
}
static const char *retry_name(int v)
{
	return sipoutcome_retry_name((sipoutcome_retry_t)v);
}
static int retry_parse(const char *s, size_t n, int *o)
{
	sipoutcome_retry_t t = (sipoutcome_retry_t)0;
	int rc = sipoutcome_retry_parse(s, n, o ? &t : NULL);
	if(rc == 0 && o)
		*o = (int)t;
	return rc;
}
static const char *blame_name(int v)
{
	return sipoutcome_blame_name((sipoutcome_blame_t)v);
}
static int blame_parse(const char *s, size_t n, int *o)
{
	sipoutcome_blame_t t = (sipoutcome_blame_t)0;
	int rc = sipoutcome_blame_parse(s, n, o ? &t : NULL);
	if(rc == 0 && o)
		*o = (int)t;
	return rc;
}
static const char *dial_name(int v)
{
	return sipoutcome_dialstatus_name((sipoutcome_dialstatus_t)v);
}

static void test_names(void **state)
{
	static const char *const tags[] = {
			"-", "COMPLETED", "BUSY", "NO_ANSWER", "CANCELED", "FAILED"};
	static const char *const cats[] = {"-", "answered", "redirected", "busy",
			"declined", "no_answer", "unavailable", "canceled", "timeout",
			"no_response", "invalid_number", "auth", "forbidden", "media",
			"congestion", "server_error", "unwanted", "blocked", "billing",
			"line_limit", "loop", "protocol", "identity", "answered_elsewhere", "unreachable",
			"other"};
	static const char *const retries[] = {"-", "no", "alternate", "later"};
	static const char *const blames[] = {
			"-", "caller", "callee", "network", "proxy", "unknown"};
	static const char *const dials[] = {"-", "ANSWER", "BUSY", "NOANSWER",
			"CANCEL", "CONGESTION", "CHANUNAVAIL"};

	(void)state;
	assert_int_equal(TU_ARRAY_SIZE(tags), SIPOUTCOME_TAG_COUNT);
	assert_int_equal(TU_ARRAY_SIZE(cats), SIPOUTCOME_CAT_COUNT);
	assert_int_equal(TU_ARRAY_SIZE(retries), SIPOUTCOME_RETRY_COUNT);
	assert_int_equal(TU_ARRAY_SIZE(blames), SIPOUTCOME_BLAME_COUNT);
	assert_int_equal(TU_ARRAY_SIZE(dials), SIPOUTCOME_DIAL_COUNT);
	check_names("tag", tag_name, tag_parse, tags, SIPOUTCOME_TAG_COUNT);
	check_names("category", cat_name, cat_parse, cats, SIPOUTCOME_CAT_COUNT);
	check_names(
			"retry", retry_name, retry_parse, retries, SIPOUTCOME_RETRY_COUNT);
	check_names(
			"blame", blame_name, blame_parse, blames, SIPOUTCOME_BLAME_COUNT);
	check_names("dialstatus", dial_name, NULL, dials, SIPOUTCOME_DIAL_COUNT);
}

/* "@returns ... SIPOUTCOME_EINVAL for NULL": a NULL out is an error,
 * also (above all) for a name that parses. */
static void test_names_parse_null_out(void **state)
{
	(void)state;
	assert_int_equal(sipoutcome_tag_parse("BUSY", 4, NULL), SIPOUTCOME_EINVAL);
	assert_int_equal(
			sipoutcome_category_parse("busy", 4, NULL), SIPOUTCOME_EINVAL);
	assert_int_equal(sipoutcome_retry_parse("no", 2, NULL), SIPOUTCOME_EINVAL);
	assert_int_equal(
			sipoutcome_blame_parse("callee", 6, NULL), SIPOUTCOME_EINVAL);
}

/* Parsing reads only len bytes: the name need not be NUL-terminated. */
static void test_names_bounded(void **state)
{
	sipoutcome_tag_t t = SIPOUTCOME_TAG_NONE;
	sipoutcome_category_t c = SIPOUTCOME_CAT_NONE;
	char *buf = tu_dup("BUSYX", 4);

	(void)state;
	assert_int_equal(sipoutcome_tag_parse(buf, 4, &t), SIPOUTCOME_OK);
	assert_int_equal(t, SIPOUTCOME_TAG_BUSY);
	assert_int_equal(sipoutcome_category_parse(buf, 4, &c), SIPOUTCOME_OK);
	assert_int_equal(c, SIPOUTCOME_CAT_BUSY);
	free(buf);
	assert_int_equal(
			sipoutcome_tag_parse("BUSY HERE", 9, &t), SIPOUTCOME_ENOENT);
	assert_int_equal(sipoutcome_tag_parse("BUSY\0", 5, &t), SIPOUTCOME_ENOENT);
}

static void test_strerror(void **state)
{
	static const int errs[] = {SIPOUTCOME_OK, SIPOUTCOME_EINVAL,
			SIPOUTCOME_ERANGE, SIPOUTCOME_ENOSPC, SIPOUTCOME_ESYNTAX,
			SIPOUTCOME_ENOMEM, SIPOUTCOME_ENOENT, SIPOUTCOME_EIO};
	static const int others[] = {1, 7, -8, -100, INT_MIN, INT_MAX};
	size_t i, j;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(errs); i++) {
		const char *s = sipoutcome_strerror(errs[i]);
		assert_non_null(s);
		assert_true(strlen(s) > 0);
		assert_string_not_equal(s, "unknown error");
		for(j = 0; j < i; j++)
			assert_string_not_equal(s, sipoutcome_strerror(errs[j]));
	}
	for(i = 0; i < TU_ARRAY_SIZE(others); i++)
		assert_string_equal(sipoutcome_strerror(others[i]), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_count),
			cmocka_unit_test(test_registry_is_the_table),
			cmocka_unit_test(test_every_row),
			cmocka_unit_test(test_lookup_and_effective),
			cmocka_unit_test(test_out_of_range),
			cmocka_unit_test(test_names),
			cmocka_unit_test(test_names_parse_null_out),
			cmocka_unit_test(test_names_bounded),
			cmocka_unit_test(test_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
