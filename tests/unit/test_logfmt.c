/*
 * sipoutcome_format_logfmt(): the documented example line, quoting and
 * escaping (checked by decoding the line again), value cuts, buffer
 * limits and argument errors.
 */
#include "util.h"

#define LINE_CAP 1024

/* ---- a small logfmt reader, independent of the engine ---- */

typedef struct kv
{
	char key[16];
	const char *raw; /* the value as written, quotes included */
	size_t raw_len;
	char val[1100]; /* the value decoded */
	size_t val_len;
	int quoted;
} kv_t;

static int hexval(char c)
{
	if(c >= '0' && c <= '9')
		return c - '0';
	if(c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if(c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Split a line into key=value pairs; returns the count, or -1 (with a
 * message) when the line is not well-formed logfmt. */
static int parse_line(const char *line, kv_t *out, int max)
{
	const char *p = line;
	int n = 0;

	while(*p) {
		kv_t *kv = &out[n];
		size_t k = 0;

		if(n == max)
			return -1;
		if(n > 0) {
			if(*p != ' ')
				return -1;
			p++;
		}
		while(*p && *p != '=' && *p != ' ' && k + 1 < sizeof(kv->key))
			kv->key[k++] = *p++;
		kv->key[k] = '\0';
		if(k == 0 || *p != '=')
			return -1;
		p++;
		kv->raw = p;
		kv->val_len = 0;
		kv->quoted = *p == '"';
		if(kv->quoted) {
			p++;
			while(*p != '"') {
				char c = *p;
				if(c == '\0')
					return -1; /* unterminated */
				if((unsigned char)c < 0x20 || c == 0x7f)
					return -1; /* raw control byte */
				if(c == '\\') {
					if(p[1] == '"' || p[1] == '\\') {
						c = p[1];
						p += 2;
					} else if(p[1] == 'x' && hexval(p[2]) >= 0
							  && hexval(p[3]) >= 0) {
						c = (char)(hexval(p[2]) * 16 + hexval(p[3]));
						p += 4;
					} else {
						return -1; /* bad escape */
					}
				} else {
					p++;
				}
				if(kv->val_len >= sizeof(kv->val))
					return -1;
				kv->val[kv->val_len++] = c;
			}
			p++;
		} else {
			while(*p && *p != ' ') {
				unsigned char c = (unsigned char)*p;
				if(c < 0x20 || c == '"' || c == '=' || c == '\\' || c == 0x7f)
					return -1; /* should have been quoted */
				if(kv->val_len >= sizeof(kv->val))
					return -1;
				kv->val[kv->val_len++] = *p++;
			}
		}
		kv->raw_len = (size_t)(p - kv->raw);
		if(kv->val_len >= sizeof(kv->val))
			return -1;
		kv->val[kv->val_len] = '\0';
		n++;
	}
	return n;
}

static const kv_t *find_key(const kv_t *kv, int n, const char *key)
{
	int i;

	for(i = 0; i < n; i++)
		if(strcmp(kv[i].key, key) == 0)
			return &kv[i];
	return NULL;
}

/* ---- helpers ---- */

static sipoutcome_logctx_t ctx(
		const char *callid, size_t clen, const char *reason, size_t rlen)
{
	sipoutcome_logctx_t lc;

	memset(&lc, 0, sizeof(lc));
	lc.callid = callid;
	lc.callid_len = clen;
	lc.reason = reason;
	lc.reason_len = rlen;
	lc.q850 = -1;
	return lc;
}

/* Format into a 1024-byte buffer; require success and a well-formed
 * line; return its pairs. */
static int format_ok(const sipoutcome_result_t *r,
		const sipoutcome_logctx_t *lc, char *dst, kv_t *kv, int max)
{
	int rc = sipoutcome_format_logfmt(dst, LINE_CAP, r, lc);
	int n;

	if(rc < 0)
		fail_msg("format_logfmt returned %d (%s); line so far: %s", rc,
				sipoutcome_strerror(rc), dst);
	assert_int_equal((size_t)rc, strlen(dst));
	assert_true(rc < LINE_CAP);
	n = parse_line(dst, kv, max);
	if(n < 0)
		fail_msg("not well-formed logfmt: %s", dst);
	return n;
}

static kv_t pairs[32];

/* ---- tests ---- */

/* The example of the issue and of include/sipoutcome.h. */
static void test_example_486(void **state)
{
	static const char callid[] = "a84b4c76e66710@pc33.atlanta.com";
	static const char want[] =
			"tag=BUSY code=486 class=4xx category=busy retry=later blame=callee"
			" source=remote ringing=0 callid=a84b4c76e66710@pc33.atlanta.com"
			" reason=\"Busy Here\"";
	sipoutcome_result_t r = tu_classify(486, 0, -1, NULL);
	sipoutcome_logctx_t lc = ctx(callid, sizeof(callid) - 1, "Busy Here", 9);
	char line[LINE_CAP];
	int n;

	(void)state;
	n = format_ok(&r, &lc, line, pairs, 32);
	if(strncmp(line, want, sizeof(want) - 1) != 0)
		fail_msg("line\n  %s\ndoes not start with\n  %s", line, want);
	/* the header's example goes on with vendor and an empty q850 */
	if(strncmp(line + sizeof(want) - 1, " vendor=rfc q850=", 17) != 0)
		fail_msg("after the reason: \"%s\"", line + sizeof(want) - 1);
	assert_true(line[sizeof(want) - 1 + 17] == '\0'
				|| line[sizeof(want) - 1 + 17] == ' ');
	assert_non_null(find_key(pairs, n, "hint"));
}

/* Every key once, in the documented order, each value as expected. */
static void test_keys(void **state)
{
	static const char *const order[] = {"tag", "code", "class", "category",
			"retry", "blame", "source", "ringing", "callid", "reason", "vendor",
			"q850"};
	sipoutcome_result_t r = tu_classify(480, SIPOUTCOME_CTX_RINGING, 19, NULL);
	sipoutcome_logctx_t lc = ctx("c1", 2, "Temporarily Unavailable", 23);
	char line[LINE_CAP];
	int n, i, j;

	(void)state;
	lc.ringing = 1;
	lc.q850 = 19;
	n = format_ok(&r, &lc, line, pairs, 32);
	assert_true(n >= (int)TU_ARRAY_SIZE(order));
	for(i = 0; i < (int)TU_ARRAY_SIZE(order); i++)
		if(strcmp(pairs[i].key, order[i]) != 0)
			fail_msg("key %d is \"%s\", expected \"%s\": %s", i, pairs[i].key,
					order[i], line);
	for(i = 0; i < n; i++)
		for(j = 0; j < i; j++)
			if(strcmp(pairs[i].key, pairs[j].key) == 0)
				fail_msg("key \"%s\" twice: %s", pairs[i].key, line);
	assert_string_equal(find_key(pairs, n, "tag")->val, "NO_ANSWER");
	assert_string_equal(find_key(pairs, n, "code")->val, "480");
	assert_string_equal(find_key(pairs, n, "class")->val, "4xx");
	assert_string_equal(find_key(pairs, n, "category")->val, "no_answer");
	assert_string_equal(find_key(pairs, n, "blame")->val, "callee");
	assert_string_equal(find_key(pairs, n, "source")->val, "remote");
	assert_string_equal(find_key(pairs, n, "ringing")->val, "1");
	assert_string_equal(find_key(pairs, n, "callid")->val, "c1");
	assert_string_equal(
			find_key(pairs, n, "reason")->val, "Temporarily Unavailable");
	assert_string_equal(find_key(pairs, n, "vendor")->val, "rfc");
	assert_string_equal(find_key(pairs, n, "q850")->val, "19");
}

/* sent= and in_dialog= (issue 11 items 6 and 9): only when set, at the
 * end, so that every other key keeps its place. tm's remap_503_500 sends
 * 500 for a 503 (Kamailio tm t_reply.c relay_reply, RFC 3261 16.7). */
static void test_sent_in_dialog(void **state)
{
	sipoutcome_result_t r = tu_classify(503, SIPOUTCOME_CTX_REPLIED, -1, NULL);
	sipoutcome_logctx_t lc = ctx("s1", 2, "Service Unavailable", 19);
	char line[LINE_CAP];
	int n;

	(void)state;
	n = format_ok(&r, &lc, line, pairs, 32);
	assert_null(find_key(pairs, n, "sent"));
	assert_null(find_key(pairs, n, "in_dialog"));
	lc.sent = 500;
	n = format_ok(&r, &lc, line, pairs, 32);
	assert_string_equal(find_key(pairs, n, "code")->val, "503");
	assert_string_equal(find_key(pairs, n, "sent")->val, "500");
	assert_string_equal(pairs[n - 1].key, "sent");
	lc.in_dialog = 1;
	n = format_ok(&r, &lc, line, pairs, 32);
	assert_string_equal(pairs[n - 2].key, "sent");
	assert_string_equal(pairs[n - 1].key, "in_dialog");
	assert_string_equal(pairs[n - 1].val, "1");
	/* out-of-range sent codes are left out */
	lc.sent = 99;
	n = format_ok(&r, &lc, line, pairs, 32);
	assert_null(find_key(pairs, n, "sent"));
	lc.sent = 700;
	n = format_ok(&r, &lc, line, pairs, 32);
	assert_null(find_key(pairs, n, "sent"));
}

/* Values that change with the context. */
static void test_context_values(void **state)
{
	sipoutcome_result_t r;
	sipoutcome_logctx_t lc = ctx("x", 1, "Request Timeout", 15);
	char line[LINE_CAP];
	int n;

	(void)state;
	r = tu_classify(
			408, SIPOUTCOME_CTX_LOCAL | SIPOUTCOME_CTX_TIMEOUT, -1, NULL);
	lc.local = 1;
	lc.q850 = 0;
	n = format_ok(&r, &lc, line, pairs, 32);
	assert_string_equal(find_key(pairs, n, "source")->val, "local");
	assert_string_equal(find_key(pairs, n, "ringing")->val, "0");
	assert_string_equal(find_key(pairs, n, "q850")->val, "0");
	assert_string_equal(find_key(pairs, n, "category")->val, "no_response");
	assert_string_equal(find_key(pairs, n, "retry")->val, "alternate");
	assert_string_equal(find_key(pairs, n, "blame")->val, "network");

	/* ringing and local are booleans: any non-zero is 1 */
	lc.local = 7;
	lc.ringing = 42;
	lc.q850 = 127;
	n = format_ok(&r, &lc, line, pairs, 32);
	assert_string_equal(find_key(pairs, n, "source")->val, "local");
	assert_string_equal(find_key(pairs, n, "ringing")->val, "1");
	assert_string_equal(find_key(pairs, n, "q850")->val, "127");

	/* classes 1xx..6xx, and a provisional prints "-" */
	r = tu_classify(183, 0, -1, NULL);
	n = format_ok(&r, &lc, line, pairs, 32);
	assert_string_equal(find_key(pairs, n, "class")->val, "1xx");
	assert_string_equal(find_key(pairs, n, "tag")->val, "-");
	assert_string_equal(find_key(pairs, n, "category")->val, "-");
	r = tu_classify(603, 0, -1, NULL);
	n = format_ok(&r, &lc, line, pairs, 32);
	assert_string_equal(find_key(pairs, n, "class")->val, "6xx");
	assert_string_equal(find_key(pairs, n, "category")->val, "declined");
	r = tu_classify(200, 0, -1, NULL);
	n = format_ok(&r, &lc, line, pairs, 32);
	assert_string_equal(find_key(pairs, n, "class")->val, "2xx");
	assert_string_equal(find_key(pairs, n, "tag")->val, "COMPLETED");
}

/* vendor and hint come from the result. */
static void test_vendor_hint(void **state)
{
	sipoutcome_result_t r = tu_classify(603, 0, -1, NULL);
	sipoutcome_logctx_t lc = ctx("x", 1, "Decline", 7);
	char line[LINE_CAP];
	const kv_t *h;
	int n;

	(void)state;
	r.vendor = "okitoki";
	r.hint = "Carrier \"line limit\": retry later\\now";
	n = format_ok(&r, &lc, line, pairs, 32);
	assert_string_equal(find_key(pairs, n, "vendor")->val, "okitoki");
	h = find_key(pairs, n, "hint");
	assert_non_null(h);
	assert_string_equal(h->val, r.hint);
	assert_true(h->quoted);
	assert_non_null(strstr(
			line, "hint=\"Carrier \\\"line limit\\\": retry later\\\\now\""));

	/* no vendor: rfc */
	r.vendor = NULL;
	r.hint = NULL;
	n = format_ok(&r, &lc, line, pairs, 32);
	assert_string_equal(find_key(pairs, n, "vendor")->val, "rfc");
	h = find_key(pairs, n, "hint");
	assert_non_null(h);
	assert_int_equal(h->val_len, 0);
}

typedef struct qcase
{
	const char *label;
	const char *in;
	size_t len;
	const char *raw; /* exactly as it must appear after "reason=" */
} qcase_t;

#define Q(label, lit, raw)               \
	{                                    \
		label, lit, sizeof(lit) - 1, raw \
	}

static const qcase_t quoting[] = {
		Q("word", "Busy", "Busy"),
		Q("space", "Busy Here", "\"Busy Here\""),
		Q("empty", "", "\"\""),
		Q("quotes", "say \"hi\"", "\"say \\\"hi\\\"\""),
		Q("lone quote", "\"", "\"\\\"\""),
		Q("backslash", "a\\b", "\"a\\\\b\""),
		Q("equals", "a=b", "\"a=b\""),
		Q("CRLF", "a\r\nb", "\"a\\x0d\\x0ab\""),
		Q("tab", "tab\there", "\"tab\\x09here\""),
		Q("NUL", "a\0b", "\"a\\x00b\""),
		Q("DEL", "\x7f", "\"\\x7f\""),
		Q("ESC", "\x1b[0m", "\"\\x1b[0m\""),
		Q("0x1f", "\x1f", "\"\\x1f\""),
		Q("UTF-8", "sp\xc3\xa4ter", "sp\xc3\xa4ter"),
		Q("UTF-8 spaced", "bitte sp\xc3\xa4ter", "\"bitte sp\xc3\xa4ter\""),
		Q("all", " \"\\=\n", "\" \\\"\\\\=\\x0a\""),
};

/* Quoting and escaping, for reason and for callid. */
static void test_quoting(void **state)
{
	size_t i;
	int which;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(quoting); i++) {
		for(which = 0; which < 2; which++) {
			const qcase_t *c = &quoting[i];
			const char *key = which ? "callid" : "reason";
			char *copy = tu_dup(c->in, c->len);
			sipoutcome_result_t r = tu_classify(486, 0, -1, NULL);
			sipoutcome_logctx_t lc = which ? ctx(copy, c->len, "x", 1)
										   : ctx("x", 1, copy, c->len);
			char line[LINE_CAP], want[128];
			const kv_t *kv;
			int n;

			n = format_ok(&r, &lc, line, pairs, 32);
			snprintf(want, sizeof(want), " %s=%s ", key, c->raw);
			if(strstr(line, want) == NULL)
				fail_msg("%s (%s): \"%s\" not in: %s", c->label, key, want,
						line);
			kv = find_key(pairs, n, key);
			assert_non_null(kv);
			if(kv->val_len != c->len || memcmp(kv->val, c->in, c->len) != 0)
				fail_msg(
						"%s (%s): does not decode to the input", c->label, key);
			free(copy);
		}
	}
}

/* NULL reason and callid are empty values. */
static void test_null_values(void **state)
{
	sipoutcome_result_t r = tu_classify(486, 0, -1, NULL);
	sipoutcome_logctx_t lc = ctx(NULL, 0, NULL, 0);
	char line[LINE_CAP];

	(void)state;
	format_ok(&r, &lc, line, pairs, 32);
	assert_non_null(strstr(line, " callid=\"\" reason=\"\" "));
	/* a length with a NULL pointer is still nothing */
	lc.callid_len = 50;
	lc.reason_len = 50;
	format_ok(&r, &lc, line, pairs, 32);
	assert_non_null(strstr(line, " callid=\"\" reason=\"\" "));
}

/* A 2,000-byte value is cut at 256 bytes; the line stays under 1024. */
static void test_long_values(void **state)
{
	static const char *const units[] = {"a", "ab ", "Busy Here, "};
	char *big = malloc(2000);
	size_t u, k;

	(void)state;
	assert_non_null(big);
	for(u = 0; u < TU_ARRAY_SIZE(units); u++) {
		size_t ul = strlen(units[u]);
		sipoutcome_result_t r = tu_classify(486, 0, -1, NULL);
		sipoutcome_logctx_t lc;
		char line[LINE_CAP];
		const kv_t *kv;
		int n, which;

		for(k = 0; k < 2000; k++)
			big[k] = units[u][k % ul];
		for(which = 0; which < 3; which++) {
			lc = ctx(which != 1 ? big : "c", which != 1 ? 2000 : 1,
					which != 0 ? big : "r", which != 0 ? 2000 : 1);
			n = format_ok(&r, &lc, line, pairs, 32);
			kv = find_key(pairs, n, which == 0 ? "callid" : "reason");
			assert_non_null(kv);
			if(kv->val_len != 256 || memcmp(kv->val, big, 256) != 0)
				fail_msg("unit \"%s\": value of %zu bytes, expected the first"
						 " 256",
						units[u], kv->val_len);
			assert_true(kv->raw_len <= 256 + 2);
			assert_true(strlen(line) < LINE_CAP);
		}
	}
	free(big);
}

/*
 * The contract: "Each value is cut at 256 bytes" and "1024 always
 * suffices". Values that need escaping must keep both promises.
 */
static void test_worst_case_fits_1024(void **state)
{
	static const struct
	{
		const char *label;
		char fill;
		size_t callid_len, reason_len, hint_len;
	} cases[] = {
			{"reason of 300 x 0x01", '\x01', 0, 300, 0},
			{"reason of 2000 x 0x01", '\x01', 0, 2000, 0},
			{"callid of 2000 x LF", '\n', 2000, 0, 0},
			{"reason of 2000 quotes", '"', 0, 2000, 0},
			{"reason and callid of 2000 quotes", '"', 2000, 2000, 0},
			{"all of 2000 backslashes, hint of 240", '\\', 2000, 2000, 240},
	};
	static char big[2000], hint[241], line[LINE_CAP + 1];
	size_t i;
	int failed = 0;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(cases); i++) {
		sipoutcome_result_t r = tu_classify(486, 0, -1, NULL);
		sipoutcome_logctx_t lc;
		int rc, n, k;

		memset(big, cases[i].fill, sizeof(big));
		memset(hint, cases[i].fill, sizeof(hint));
		hint[cases[i].hint_len] = '\0';
		lc = ctx(cases[i].callid_len ? big : "c",
				cases[i].callid_len ? cases[i].callid_len : 1,
				cases[i].reason_len ? big : "r",
				cases[i].reason_len ? cases[i].reason_len : 1);
		lc.q850 = 127;
		r.hint = cases[i].hint_len ? hint : NULL;
		r.vendor = "abcdefghijklmnopqrstuvwxyz01234";
		line[LINE_CAP] = 'G';
		rc = sipoutcome_format_logfmt(line, LINE_CAP, &r, &lc);
		assert_int_equal(line[LINE_CAP], 'G');
		if(rc < 0) {
			print_error("%s: returned %d (%s) with cap 1024 (\"1024 always"
						" suffices\")\n",
					cases[i].label, rc, sipoutcome_strerror(rc));
			failed++;
			continue;
		}
		n = parse_line(line, pairs, 32);
		if(n < 0) {
			print_error("%s: not well-formed: %s\n", cases[i].label, line);
			failed++;
			continue;
		}
		for(k = 0; k < n; k++)
			if(pairs[k].raw_len > 256 + 2) {
				print_error("%s: %s= is %zu bytes written, over 256\n",
						cases[i].label, pairs[k].key, pairs[k].raw_len);
				failed++;
			}
	}
	if(failed)
		fail_msg("%d problem(s) with escape-heavy values", failed);
}

/* Too small a buffer: ENOSPC and a NUL-terminated prefix of the line. */
static void test_enospc(void **state)
{
	sipoutcome_result_t r = tu_classify(486, 0, -1, NULL);
	sipoutcome_logctx_t lc = ctx("a84b4c76e66710", 14, "Busy \"Here\"\r\n", 13);
	char full[LINE_CAP];
	int len, rc;
	size_t cap;

	(void)state;
	len = sipoutcome_format_logfmt(full, sizeof(full), &r, &lc);
	assert_true(len > 100);
	assert_int_equal((size_t)len, strlen(full));
	for(cap = 1; cap <= (size_t)len + 1; cap++) {
		char *dst = malloc(cap + 8);

		assert_non_null(dst);
		memset(dst, '#', cap + 8);
		rc = sipoutcome_format_logfmt(dst, cap, &r, &lc);
		if(cap <= (size_t)len) {
			if(rc != SIPOUTCOME_ENOSPC)
				fail_msg("cap %zu: returned %d, expected ENOSPC", cap, rc);
			if(memchr(dst, '\0', cap) == NULL)
				fail_msg("cap %zu: not NUL-terminated", cap);
			if(strlen(dst) != cap - 1 || memcmp(dst, full, cap - 1) != 0)
				fail_msg("cap %zu: \"%s\" is not the line's first %zu bytes",
						cap, dst, cap - 1);
		} else {
			assert_int_equal(rc, len);
			assert_string_equal(dst, full);
		}
		for(size_t k = cap; k < cap + 8; k++)
			if(dst[k] != '#')
				fail_msg("cap %zu: wrote past the buffer", cap);
		free(dst);
	}
}

static void test_einval(void **state)
{
	sipoutcome_result_t r = tu_classify(486, 0, -1, NULL);
	sipoutcome_logctx_t lc = ctx("x", 1, "y", 1);
	char dst[LINE_CAP] = "untouched";

	(void)state;
	assert_int_equal(sipoutcome_format_logfmt(NULL, sizeof(dst), &r, &lc),
			SIPOUTCOME_EINVAL);
	assert_int_equal(sipoutcome_format_logfmt(dst, sizeof(dst), NULL, &lc),
			SIPOUTCOME_EINVAL);
	assert_int_equal(sipoutcome_format_logfmt(dst, sizeof(dst), &r, NULL),
			SIPOUTCOME_EINVAL);
	assert_int_equal(
			sipoutcome_format_logfmt(NULL, 0, NULL, NULL), SIPOUTCOME_EINVAL);
	/* cap 0: an error, and nothing written */
	assert_true(sipoutcome_format_logfmt(dst, 0, &r, &lc) < 0);
	assert_string_equal(dst, "untouched");
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random printable-heavy reasons and call-ids up to 256 bytes always
 * round-trip; the line is one line without raw control bytes. */
static void test_random_roundtrip(void **state)
{
	uint32_t seed = 2463534242u;
	int iter;

	(void)state;
	for(iter = 0; iter < 5000; iter++) {
		char reason[256], callid[64], line[LINE_CAP];
		size_t rl = rnd(&seed) % 100, cl = rnd(&seed) % sizeof(callid), k;
		sipoutcome_result_t r = tu_classify(
				100 + (int)(rnd(&seed) % 600), rnd(&seed) % 32, -1, NULL);
		sipoutcome_logctx_t lc;
		const kv_t *kv;
		int n;

		for(k = 0; k < rl; k++) {
			uint32_t x = rnd(&seed);
			reason[k] = (char)((x & 3) ? 0x20 + (x >> 8) % 95 : (x >> 8));
		}
		for(k = 0; k < cl; k++)
			callid[k] = (char)(rnd(&seed) >> 8);
		lc = ctx(callid, cl, reason, rl);
		lc.q850 = (int)(rnd(&seed) % 129) - 1;
		n = format_ok(&r, &lc, line, pairs, 32);
		for(k = 0; line[k]; k++)
			if((unsigned char)line[k] < 0x20 || line[k] == 0x7f)
				fail_msg("random %d: raw control byte in the line", iter);
		kv = find_key(pairs, n, "reason");
		assert_non_null(kv);
		if(kv->val_len != rl || memcmp(kv->val, reason, rl) != 0)
			fail_msg("random %d: reason does not round-trip", iter);
		kv = find_key(pairs, n, "callid");
		assert_non_null(kv);
		if(kv->val_len != cl || memcmp(kv->val, callid, cl) != 0)
			fail_msg("random %d: callid does not round-trip", iter);
	}
}

/* The keys an adapter adds at the end (issue 13): attempts on a call
 * line, branch and dst on an attempt line, pdd_ms and setup_ms on both;
 * an absent delay is empty, and a context without extra writes none. */
static void test_extra_keys(void **state)
{
	sipoutcome_result_t r = tu_classify(486, 0, -1, NULL);
	sipoutcome_logctx_t lc = ctx("c1", 2, "Busy Here", 9);
	char line[LINE_CAP];
	const char *tail;

	(void)state;
	assert_true(sipoutcome_format_logfmt(line, sizeof(line), &r, &lc) > 0);
	assert_null(strstr(line, "attempts="));
	assert_null(strstr(line, "pdd_ms="));
	lc.extra = SIPOUTCOME_LOGX_ATTEMPTS | SIPOUTCOME_LOGX_TIMING;
	lc.attempts = 2;
	lc.pdd_ms = -1;
	lc.setup_ms = 4200;
	assert_true(sipoutcome_format_logfmt(line, sizeof(line), &r, &lc) > 0);
	tail = strstr(line, " hint=");
	assert_non_null(tail);
	assert_string_equal(tail, " hint= attempts=2 pdd_ms= setup_ms=4200");
	lc.extra = SIPOUTCOME_LOGX_BRANCH | SIPOUTCOME_LOGX_TIMING;
	lc.branch = 1;
	lc.dst = "sip:192.0.2.1:5060";
	lc.dst_len = strlen(lc.dst);
	lc.pdd_ms = 380;
	assert_true(sipoutcome_format_logfmt(line, sizeof(line), &r, &lc) > 0);
	assert_string_equal(strstr(line, " hint="),
			" hint= branch=1 dst=sip:192.0.2.1:5060 pdd_ms=380 setup_ms=4200");
}

/* log_format json: the same keys, in the same order, as one object;
 * numbers bare, absent values null, strings escaped per RFC 8259 7. */
static void test_json(void **state)
{
	static const char want[] =
			"{\"tag\":\"BUSY\",\"code\":486,\"class\":\"4xx\","
			"\"category\":\"busy\",\"retry\":\"later\",\"blame\":\"callee\","
			"\"source\":\"remote\",\"ringing\":0,\"callid\":\"a\\\"b\","
			"\"reason\":\"Busy\\u0001\\u00ffHere \xc3\xa9\",\"vendor\":\"rfc\","
			"\"q850\":17,\"hint\":null,\"attempts\":1,\"pdd_ms\":null,"
			"\"setup_ms\":9}";
	sipoutcome_result_t r = tu_classify(486, 0, -1, NULL);
	/* a control byte, a lone 0xff, a whole UTF-8 sequence */
	sipoutcome_logctx_t lc = ctx("a\"b", 3, "Busy\x01\xffHere \xc3\xa9", 13);
	char line[LINE_CAP];
	int n;

	(void)state;
	lc.q850 = 17;
	lc.extra = SIPOUTCOME_LOGX_ATTEMPTS | SIPOUTCOME_LOGX_TIMING;
	lc.attempts = 1;
	lc.pdd_ms = -1;
	lc.setup_ms = 9;
	n = sipoutcome_format_json(line, sizeof(line), &r, &lc);
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(line, want);
	assert_int_equal(sipoutcome_format_json(line, 8, &r, &lc), SIPOUTCOME_ENOSPC);
	assert_int_equal(line[strlen(line) - 1], '}');
	assert_int_equal(sipoutcome_format_json(NULL, 8, &r, &lc), SIPOUTCOME_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_example_486),
			cmocka_unit_test(test_keys),
			cmocka_unit_test(test_context_values),
			cmocka_unit_test(test_sent_in_dialog),
			cmocka_unit_test(test_vendor_hint),
			cmocka_unit_test(test_quoting),
			cmocka_unit_test(test_null_values),
			cmocka_unit_test(test_long_values),
			cmocka_unit_test(test_worst_case_fits_1024),
			cmocka_unit_test(test_enospc),
			cmocka_unit_test(test_einval),
			cmocka_unit_test(test_random_roundtrip),
			cmocka_unit_test(test_extra_keys),
			cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
