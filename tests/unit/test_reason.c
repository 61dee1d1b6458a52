/*
 * The Reason header parser (RFC 3326, RFC 6432, RFC 8606 location=,
 * RFC 9366): good headers give exact values, bad ones are skipped and
 * counted, and nothing is ever read outside body[0..len).
 */
#include "util.h"

#define NOTEXT NULL

typedef struct rcase
{
	const char *label;
	const char *body;
	size_t len; /* 0: strlen(body) */
	int rc;
	int q850;
	int sip_cause;
	const char *location;
	const char *text; /* NULL: no text */
	unsigned int values;
	unsigned int bad;
} rcase_t;

static const rcase_t cases[] = {
		{"plain", "Q.850;cause=17;text=\"User busy\"", 0, 0, 17, -1, "",
				"User busy", 1, 0},
		{"spaces", "Q.850 ; cause = 16 ; text=\"Normal Clearing\"", 0, 0, 16,
				-1, "", "Normal Clearing", 1, 0},
		{"tabs", "\tQ.850\t;\tcause\t=\t16\t;\ttext\t=\t\"x\"\t", 0, 0, 16, -1,
				"", "x", 1, 0},
		{"case", "q.850;CAUSE=17;Text=\"u\"", 0, 0, 17, -1, "", "u", 1, 0},
		{"no text", "Q.850;cause=34", 0, 0, 34, -1, "", NOTEXT, 1, 0},
		{"cause 0", "Q.850;cause=0", 0, 0, 0, -1, "", NOTEXT, 1, 0},
		{"cause 127", "Q.850;cause=127", 0, 0, 127, -1, "", NOTEXT, 1, 0},
		{"SIP only", "SIP;cause=200;text=\"Call completed elsewhere\"", 0, 0,
				-1, 200, "", "Call completed elsewhere", 1, 0},
		{"SIP 699", "SIP;cause=699", 0, 0, -1, 699, "", NOTEXT, 1, 0},
		{"SIP 100", "SIP;cause=100", 0, 0, -1, 100, "", NOTEXT, 1, 0},
		/* two values in one header field: both read */
		{"sip, q850", "SIP;cause=480;text=\"x\", Q.850;cause=19", 0, 0, 19, 480,
				"", "x", 2, 0},
		{"q850 text wins",
				"SIP;cause=480;text=\"x\", Q.850;cause=19;text=\"y\"", 0, 0, 19,
				480, "", "y", 2, 0},
		{"q850 text first",
				"Q.850;cause=19;text=\"y\", SIP;cause=480;text=\"x\"", 0, 0, 19,
				480, "", "y", 2, 0},
		{"no space after comma", "SIP;cause=480,Q.850;cause=19", 0, 0, 19, 480,
				"", NOTEXT, 2, 0},
		/* RFC 8606 */
		{"location", "Q.850;cause=16;text=\"Terminated\";location=LN", 0, 0, 16,
				-1, "LN", "Terminated", 1, 0},
		{"location first", "Q.850;location=U;cause=21", 0, 0, 21, -1, "U",
				NOTEXT, 1, 0},
		{"location too long", "Q.850;cause=21;location=ABCDEFGHIJ", 0, 0, 21,
				-1, "", NOTEXT, 1, 0},
		/* the first valid Q.850 wins */
		{"first wins", "Q.850;cause=17, Q.850;cause=34", 0, 0, 17, -1, "",
				NOTEXT, 2, 0},
		{"first valid wins", "Q.850;cause=999, Q.850;cause=34;text=\"t\"", 0, 0,
				34, -1, "", "t", 2, 1},
		{"bad then good", "Q.850;cause=abc, Q.850;cause=18", 0, 0, 18, -1, "",
				NOTEXT, 2, 1},
		{"first SIP wins", "SIP;cause=480, SIP;cause=486", 0, 0, -1, 480, "",
				NOTEXT, 2, 0},
		/* quotes protect commas and semicolons */
		{"comma in text",
				"Q.850;cause=31;text=\"Normal, unspecified\";location=BI", 0, 0,
				31, -1, "BI", "Normal, unspecified", 1, 0},
		{"escaped quote", "Q.850;cause=17;text=\"a\\\"b\"", 0, 0, 17, -1, "",
				"a\\\"b", 1, 0},
		{"bad value with quoted comma",
				"Q.850;cause=x;text=\"a,b\", Q.850;cause=17", 0, 0, 17, -1, "",
				NOTEXT, 2, 1},
		/* unknown protocols are counted and ignored */
		{"unknown protocol", "X-Vendor;cause=5;text=\"v\", Q.850;cause=21", 0,
				0, 21, -1, "", NOTEXT, 2, 0},
		{"unknown protocol only", "X-Vendor;foo=bar", 0, 0, -1, -1, "", NOTEXT,
				1, 0},
		{"generic params", "Q.850;cause=17;foo=bar;flag;x=\"q\"", 0, 0, 17, -1,
				"", NOTEXT, 1, 0},
		{"trailing comma", "Q.850;cause=17,", 0, 0, 17, -1, "", NOTEXT, 1, 0},

		/* garbage: skipped, counted, never merged halfway */
		{"semicolons", ";;;", 0, SIPOUTCOME_ESYNTAX, -1, -1, "", NOTEXT, 1, 1},
		{"cause abc", "Q.850;cause=abc", 0, SIPOUTCOME_ESYNTAX, -1, -1, "",
				NOTEXT, 1, 1},
		{"cause 999", "Q.850;cause=999", 0, SIPOUTCOME_ESYNTAX, -1, -1, "",
				NOTEXT, 1, 1},
		{"cause 128", "Q.850;cause=128", 0, SIPOUTCOME_ESYNTAX, -1, -1, "",
				NOTEXT, 1, 1},
		{"cause empty", "Q.850;cause=", 0, SIPOUTCOME_ESYNTAX, -1, -1, "",
				NOTEXT, 1, 1},
		{"cause no value", "Q.850;cause", 0, SIPOUTCOME_ESYNTAX, -1, -1, "",
				NOTEXT, 1, 1},
		{"cause negative", "Q.850;cause=-1", 0, SIPOUTCOME_ESYNTAX, -1, -1, "",
				NOTEXT, 1, 1},
		{"cause huge", "Q.850;cause=99999999999999999999", 0,
				SIPOUTCOME_ESYNTAX, -1, -1, "", NOTEXT, 1, 1},
		{"cause missing", "Q.850;text=\"no cause\"", 0, SIPOUTCOME_ESYNTAX, -1,
				-1, "", NOTEXT, 1, 1},
		{"SIP 99", "SIP;cause=99", 0, SIPOUTCOME_ESYNTAX, -1, -1, "", NOTEXT, 1,
				1},
		{"SIP 700", "SIP;cause=700", 0, SIPOUTCOME_ESYNTAX, -1, -1, "", NOTEXT,
				1, 1},
		{"unterminated quote", "Q.850;cause=17;text=\"User busy", 0,
				SIPOUTCOME_ESYNTAX, -1, -1, "", NOTEXT, 1, 1},
		{"lone quote", "\"", 0, SIPOUTCOME_ESYNTAX, -1, -1, "", NOTEXT, 1, 1},
		{"no semicolon", "Q.850 cause=17", 0, SIPOUTCOME_ESYNTAX, -1, -1, "",
				NOTEXT, 1, 1},
		{"quoted protocol", "\"Q.850\";cause=17", 0, SIPOUTCOME_ESYNTAX, -1, -1,
				"", NOTEXT, 1, 1},
		{"no param name", "Q.850;=17", 0, SIPOUTCOME_ESYNTAX, -1, -1, "",
				NOTEXT, 1, 1},
		{"junk after value", "Q.850;cause=17 17", 0, SIPOUTCOME_ESYNTAX, -1, -1,
				"", NOTEXT, 1, 1},
		{"junk after text", "Q.850;cause=17;text=\"x\"y", 0, SIPOUTCOME_ESYNTAX,
				-1, -1, "", NOTEXT, 1, 1},
		{"empty", "", 0, SIPOUTCOME_ESYNTAX, -1, -1, "", NOTEXT, 0, 0},
		{"blank", "  \t ", 0, SIPOUTCOME_ESYNTAX, -1, -1, "", NOTEXT, 0, 0},
		{"high bytes", "\xff\xfe;cause=17", 0, SIPOUTCOME_ESYNTAX, -1, -1, "",
				NOTEXT, 1, 1},
		/* NUL bytes inside: len counts, NUL ends nothing */
		{"NUL in cause",
				"Q.850;cause=1\0"
				"7",
				14, SIPOUTCOME_ESYNTAX, -1, -1, "", NOTEXT, 1, 1},
		{"NUL after cause", "Q.850;cause=17\0;text=\"x\"", 24,
				SIPOUTCOME_ESYNTAX, -1, -1, "", NOTEXT, 1, 1},
		{"NUL first", "\0Q.850;cause=17", 15, SIPOUTCOME_ESYNTAX, -1, -1, "",
				NOTEXT, 1, 1},
		{"NUL then good", "Q.850;cause=17\0, SIP;cause=480", 30, 0, -1, 480, "",
				NOTEXT, 2, 1},
		{"len stops early", "Q.850;cause=17;text=\"x\"", 14, 0, 17, -1, "",
				NOTEXT, 1, 0},
		{"len stops in cause", "Q.850;cause=170", 13, 0, 1, -1, "", NOTEXT, 1,
				0},
};

static size_t case_len(const rcase_t *c)
{
	return c->len ? c->len : strlen(c->body);
}

/* text must point into [body, body + len). */
static void check_text_bounds(const char *label, const char *body, size_t len,
		const sipoutcome_reason_hdr_t *r)
{
	if(r->text == NULL) {
		if(r->text_len != 0)
			fail_msg("%s: text NULL with text_len %zu", label, r->text_len);
		return;
	}
	if(r->text < body || r->text > body + len
			|| r->text_len > (size_t)(body + len - r->text))
		fail_msg("%s: text [%p, +%zu) outside the input [%p, +%zu)", label,
				(const void *)r->text, r->text_len, (const void *)body, len);
}

static void check_invariants(const char *label, const char *body, size_t len,
		int rc, const sipoutcome_reason_hdr_t *r)
{
	check_text_bounds(label, body, len, r);
	if(r->bad > r->values)
		fail_msg("%s: bad %u > values %u", label, r->bad, r->values);
	if(rc != SIPOUTCOME_OK && rc != SIPOUTCOME_ESYNTAX)
		fail_msg("%s: rc %d", label, rc);
	if(r->q850 < -1 || r->q850 > 127)
		fail_msg("%s: q850 %d", label, r->q850);
	if(r->sip_cause != -1 && (r->sip_cause < 100 || r->sip_cause > 699))
		fail_msg("%s: sip_cause %d", label, r->sip_cause);
	if(memchr(r->location, '\0', sizeof(r->location)) == NULL)
		fail_msg("%s: location not NUL-terminated", label);
}

/* sipoutcome_reason_q850() gives exactly the q850 of a fresh parse. */
static void check_q850(const char *label, const char *body, size_t len)
{
	sipoutcome_reason_hdr_t r;
	int q;

	sipoutcome_reason_hdr_init(&r);
	(void)sipoutcome_reason_hdr_parse(body, len, &r);
	q = sipoutcome_reason_q850(body, len);
	if(q != r.q850)
		fail_msg("%s: sipoutcome_reason_q850 %d, the parser %d", label, q,
				r.q850);
}

static void test_cases(void **state)
{
	size_t i;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(cases); i++) {
		const rcase_t *c = &cases[i];
		size_t len = case_len(c);
		char *body = tu_dup(c->body, len); /* exact size, no NUL */
		sipoutcome_reason_hdr_t r;
		int rc;

		sipoutcome_reason_hdr_init(&r);
		rc = sipoutcome_reason_hdr_parse(body, len, &r);
		check_invariants(c->label, body, len, rc, &r);
		if(rc != c->rc)
			fail_msg("%s: rc %d, expected %d", c->label, rc, c->rc);
		if(r.q850 != c->q850)
			fail_msg("%s: q850 %d, expected %d", c->label, r.q850, c->q850);
		check_q850(c->label, body, len);
		if(r.sip_cause != c->sip_cause)
			fail_msg("%s: sip_cause %d, expected %d", c->label, r.sip_cause,
					c->sip_cause);
		if(strcmp(r.location, c->location) != 0)
			fail_msg("%s: location \"%s\", expected \"%s\"", c->label,
					r.location, c->location);
		if(c->text == NULL) {
			if(r.text != NULL)
				fail_msg("%s: text \"%.*s\", expected none", c->label,
						(int)r.text_len, r.text);
		} else if(r.text == NULL || r.text_len != strlen(c->text)
				  || memcmp(r.text, c->text, r.text_len) != 0) {
			fail_msg("%s: text \"%.*s\", expected \"%s\"", c->label,
					r.text ? (int)r.text_len : 6, r.text ? r.text : "(none)",
					c->text);
		}
		if(r.values != c->values || r.bad != c->bad)
			fail_msg("%s: values %u bad %u, expected %u and %u", c->label,
					r.values, r.bad, c->values, c->bad);
		free(body);
	}
}

static void test_init(void **state)
{
	sipoutcome_reason_hdr_t r;

	(void)state;
	memset(&r, 0x5A, sizeof(r));
	sipoutcome_reason_hdr_init(&r);
	assert_int_equal(r.q850, -1);
	assert_int_equal(r.sip_cause, -1);
	assert_string_equal(r.location, "");
	assert_null(r.text);
	assert_int_equal(r.text_len, 0);
	assert_int_equal(r.values, 0);
	assert_int_equal(r.bad, 0);
	sipoutcome_reason_hdr_init(NULL);
}

static void test_null(void **state)
{
	sipoutcome_reason_hdr_t r;

	(void)state;
	sipoutcome_reason_hdr_init(&r);
	assert_int_equal(
			sipoutcome_reason_hdr_parse(NULL, 0, &r), SIPOUTCOME_EINVAL);
	assert_int_equal(
			sipoutcome_reason_hdr_parse(NULL, 10, &r), SIPOUTCOME_EINVAL);
	assert_int_equal(sipoutcome_reason_hdr_parse("Q.850;cause=17", 14, NULL),
			SIPOUTCOME_EINVAL);
	assert_int_equal(r.q850, -1);
	assert_int_equal(r.values, 0);
}

/* Two Reason header fields: one call each, merged into one result. */
static void test_two_fields(void **state)
{
	static const char f1[] = "SIP;cause=480;text=\"Temporarily Unavailable\"";
	static const char f2[] = "Q.850;cause=19;location=LN";
	static const char f3[] = "Q.850;cause=17;text=\"late\"";
	static const char f4[] = "Q.850;cause=abc";
	sipoutcome_reason_hdr_t r;

	(void)state;
	sipoutcome_reason_hdr_init(&r);
	assert_int_equal(sipoutcome_reason_hdr_parse(f1, sizeof(f1) - 1, &r), 0);
	assert_int_equal(sipoutcome_reason_hdr_parse(f2, sizeof(f2) - 1, &r), 0);
	assert_int_equal(r.sip_cause, 480);
	assert_int_equal(r.q850, 19);
	assert_string_equal(r.location, "LN");
	assert_ptr_equal(r.text, f1 + 20);
	assert_int_equal(r.text_len, 23);
	assert_int_equal(r.values, 2);
	assert_int_equal(r.bad, 0);

	/* a later field does not replace the first Q.850 or its text */
	assert_int_equal(sipoutcome_reason_hdr_parse(f3, sizeof(f3) - 1, &r), 0);
	assert_int_equal(r.q850, 19);
	assert_string_equal(r.location, "LN");
	assert_ptr_equal(r.text, f1 + 20);
	assert_int_equal(r.values, 3);

	/* a bad field is counted and changes nothing else */
	assert_int_equal(sipoutcome_reason_hdr_parse(f4, sizeof(f4) - 1, &r),
			SIPOUTCOME_ESYNTAX);
	assert_int_equal(r.q850, 19);
	assert_int_equal(r.sip_cause, 480);
	assert_int_equal(r.values, 4);
	assert_int_equal(r.bad, 1);

	/* the other order: Q.850 text replaces the SIP text */
	sipoutcome_reason_hdr_init(&r);
	assert_int_equal(sipoutcome_reason_hdr_parse(f1, sizeof(f1) - 1, &r), 0);
	assert_int_equal(sipoutcome_reason_hdr_parse(f3, sizeof(f3) - 1, &r), 0);
	assert_int_equal(r.q850, 17);
	assert_ptr_equal(r.text, f3 + 21);
	assert_int_equal(r.text_len, 4);
}

/* Every prefix of a good header: no read past len, sane result. */
static void test_every_prefix(void **state)
{
	static const char full[] =
			"SIP;cause=480;text=\"a,b\\\"c\" , Q.850 ; cause = 19 ;"
			" location=LN ; text=\"No answer\"";
	size_t n;

	(void)state;
	for(n = 0; n <= sizeof(full) - 1; n++) {
		char *body = tu_dup(full, n);
		sipoutcome_reason_hdr_t r;
		char label[32];
		int rc;

		snprintf(label, sizeof(label), "prefix %zu", n);
		sipoutcome_reason_hdr_init(&r);
		rc = sipoutcome_reason_hdr_parse(body, n, &r);
		check_invariants(label, body, n, rc, &r);
		check_q850(label, body, n);
		if((rc == SIPOUTCOME_OK) != (r.values > r.bad))
			fail_msg("%s: rc %d with values %u bad %u", label, rc, r.values,
					r.bad);
		free(body);
	}
}

/* Long headers: only the first 4096 bytes are examined. */
static void test_long(void **state)
{
	const size_t n = 5000;
	char *body = malloc(n);
	sipoutcome_reason_hdr_t r;
	size_t i;
	int rc;

	(void)state;
	assert_non_null(body);

	/* one text of 5,000 bytes: its closing quote lies past 4096. The
	 * text ends at the limit and the cause before it counts (issue 11
	 * item 9: one reading, whatever the length; Asterisk and FreeSWITCH
	 * write cause= before text=) */
	memcpy(body, "Q.850;cause=17;text=\"", 21);
	memset(body + 21, 'a', n - 22);
	body[n - 1] = '"';
	sipoutcome_reason_hdr_init(&r);
	rc = sipoutcome_reason_hdr_parse(body, n, &r);
	check_invariants("long text", body, n, rc, &r);
	assert_int_equal(rc, SIPOUTCOME_OK);
	assert_int_equal(r.q850, 17);
	assert_ptr_equal(r.text, body + 21);
	assert_int_equal(r.text_len, 4096 - 21);
	assert_int_equal(sipoutcome_reason_q850(body, n), 17);
	/* an unterminated quote inside the limit is still a bad value */
	sipoutcome_reason_hdr_init(&r);
	rc = sipoutcome_reason_hdr_parse(body, 4000, &r);
	assert_int_equal(rc, SIPOUTCOME_ESYNTAX);
	assert_int_equal(r.q850, -1);
	assert_int_equal(sipoutcome_reason_q850(body, 4000), -1);

	/* the same with a closing quote inside the limit parses */
	body[4000] = '"';
	body[4001] = ',';
	sipoutcome_reason_hdr_init(&r);
	rc = sipoutcome_reason_hdr_parse(body, n, &r);
	check_invariants("long text 2", body, n, rc, &r);
	assert_int_equal(rc, SIPOUTCOME_OK);
	assert_int_equal(r.q850, 17);
	assert_ptr_equal(r.text, body + 21);
	assert_int_equal(r.text_len, 4000 - 21);

	/* a value that starts after byte 4096 is not seen */
	memset(body, ' ', n);
	memcpy(body, "X;p=1,", 6);
	memcpy(body + 4500, "Q.850;cause=17", 14);
	sipoutcome_reason_hdr_init(&r);
	rc = sipoutcome_reason_hdr_parse(body, n, &r);
	check_invariants("late value", body, n, rc, &r);
	assert_int_equal(rc, SIPOUTCOME_OK); /* the X value */
	assert_int_equal(r.q850, -1);
	assert_int_equal(r.values, 1);

	/* ... and one before it is */
	memcpy(body + 4000, "Q.850;cause=18", 14);
	sipoutcome_reason_hdr_init(&r);
	rc = sipoutcome_reason_hdr_parse(body, n, &r);
	assert_int_equal(rc, SIPOUTCOME_OK);
	assert_int_equal(r.q850, 18);

	/* 5,000 bytes of values: the first wins, the count is bounded */
	for(i = 0; i + 16 <= n; i += 16)
		memcpy(body + i, i == 0 ? "Q.850;cause=21, " : "Q.850;cause=17, ", 16);
	memset(body + i, ' ', n - i);
	sipoutcome_reason_hdr_init(&r);
	rc = sipoutcome_reason_hdr_parse(body, n, &r);
	check_invariants("many values", body, n, rc, &r);
	assert_int_equal(rc, SIPOUTCOME_OK);
	assert_int_equal(r.q850, 21);
	assert_in_range(r.values, 256, 257);

	/* 5,000 bytes of semicolons */
	memset(body, ';', n);
	sipoutcome_reason_hdr_init(&r);
	rc = sipoutcome_reason_hdr_parse(body, n, &r);
	check_invariants("semicolons", body, n, rc, &r);
	assert_int_equal(rc, SIPOUTCOME_ESYNTAX);
	assert_int_equal(r.values, r.bad);

	/* 5,000 NUL bytes */
	memset(body, 0, n);
	sipoutcome_reason_hdr_init(&r);
	rc = sipoutcome_reason_hdr_parse(body, n, &r);
	check_invariants("NULs", body, n, rc, &r);
	assert_int_equal(rc, SIPOUTCOME_ESYNTAX);
	assert_int_equal(r.q850, -1);
	free(body);
}

/* Deterministic random headers from the parser's own alphabet. */
static void test_random(void **state)
{
	static const char *const atoms[] = {"Q.850", "SIP", "q.850", "X", ";", ";",
			",", ",", "=", "cause", "text", "location", "17", "480", "999",
			"\"", "\"", "\\", " ", "\t", "LN", "abc", "\0", "\xff", "\xc3\xa4",
			"\r\n"};
	uint32_t seed = 12345;
	int iter;

	(void)state;
	for(iter = 0; iter < 20000; iter++) {
		char buf[256];
		size_t len = 0, natoms, k;
		char *body;
		sipoutcome_reason_hdr_t r;
		int rc, calls;

		seed = seed * 1103515245u + 12345u;
		natoms = (seed >> 16) % 40;
		for(k = 0; k < natoms; k++) {
			const char *a;
			size_t al;

			seed = seed * 1103515245u + 12345u;
			a = atoms[(seed >> 16) % TU_ARRAY_SIZE(atoms)];
			al = a[0] ? strlen(a) : 1;
			if(len + al > sizeof(buf))
				break;
			memcpy(buf + len, a, al);
			len += al;
		}
		body = tu_dup(buf, len);
		check_q850("random", body, len);
		sipoutcome_reason_hdr_init(&r);
		for(calls = 0; calls < 2; calls++) {
			unsigned int before = r.values;
			rc = sipoutcome_reason_hdr_parse(body, len, &r);
			check_invariants("random", body, len, rc, &r);
			if(rc == SIPOUTCOME_OK && r.values == before)
				fail_msg("random %d: OK without a value", iter);
		}
		free(body);
	}
}

/* The cause alone, at the edges of its fast path (the common
 * `Q.850;cause=N;text="..."`): each gives the parser's answer. */
static void test_q850_only(void **state)
{
	static const struct {
		const char *body;
		int q850;
	} v[] = {
			{"Q.850;cause=19;text=\"No answer from user\"", 19},
			{"Q.850;cause=19", 19},
			{" Q.850 ; cause = 19 ; text = \"x\" ", 19},
			{"q.850;CAUSE=17;TEXT=\"\"", 17},
			{"Q.850;cause=0017", 17},
			{"Q.850;cause=00017", -1},
			{"Q.850;cause=133333333333333333333333333337", -1},
			{"Q.850;cause=128", -1},
			{"Q.850;cause=127", 127},
			{"Q.850;cause=19a", -1},
			{"Q.850;cause=", -1},
			{"Q.850;cause", -1},
			{"Q.850x;cause=19", -1},
			{"Q.850;causes=19", -1},
			{"Q.850;cause=19;text=\"x\"garbage", -1},
			{"Q.850;cause=19;text=\"x\" ;location=LN", 19},
			{"Q.850;cause=19;text=\"a\\\"b\"", 19},
			{"Q.850;cause=19;text=\"unterminated", -1},
			{"Q.850;cause=19;text=x", 19},
			{"Q.850;cause=19, SIP;cause=480", 19},
			{"Q.850;cause=999, Q.850;cause=34", 34},
			{"SIP;cause=480, Q.850;cause=19", 19},
			{"Q.850;cause=19;cause=21", 21},
			{"Q.850;text=\"x\";cause=19", 19},
			{"Q.850;cause=19;text=\"a,b\", Q.850;cause=34", 19},
			{"Q.850 cause=19", -1},
			{"Q\x0e" "850;cause=19", -1},
			{"Q.850;CaUsE=7;TeXt=\"\"", 7},
			{"Q.850;cause=7;texts=\"\"", 7},
			{"Q.850;cause=7;text=\"a\", SIP;cause=200", 7},
			{"   Q.850;cause=7", 7},
			{"Q.850;cause=7 ", 7},
			{"Q.850;cause=7,", 7},
			{"", -1},
	};
	size_t i;

	(void)state;
	assert_int_equal(sipoutcome_reason_q850(NULL, 5), -1);
	for(i = 0; i < TU_ARRAY_SIZE(v); i++) {
		size_t len = strlen(v[i].body);
		char *body = tu_dup(v[i].body, len); /* exact size, no NUL */
		int q = sipoutcome_reason_q850(body, len);
		if(q != v[i].q850)
			fail_msg("'%s': %d, expected %d", v[i].body, q, v[i].q850);
		check_q850(v[i].body, body, len);
		free(body);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_init),
			cmocka_unit_test(test_null),
			cmocka_unit_test(test_cases),
			cmocka_unit_test(test_two_fields),
			cmocka_unit_test(test_every_prefix),
			cmocka_unit_test(test_long),
			cmocka_unit_test(test_random),
			cmocka_unit_test(test_q850_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
