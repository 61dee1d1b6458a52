/*
 * Reason phrases: sipoutcome_phrase_check() flags, sipoutcome_phrase_sanitize()
 * and sipoutcome_phrase_for_mode()
 * output (<= 128 bytes, valid UTF-8, no control bytes, cut at a character
 * boundary, no leading/trailing/double blanks), and classify ignoring
 * whatever phrase it is handed when no profile rule asks for one.
 */
#include "util.h"

#define EMPTY SIPOUTCOME_PH_EMPTY
#define OVERLONG SIPOUTCOME_PH_OVERLONG
#define CTRL SIPOUTCOME_PH_CTRL
#define BADU SIPOUTCOME_PH_BAD_UTF8
#define NONSTD SIPOUTCOME_PH_NONSTANDARD

/* A phrase given as bytes; len 0 with s non-empty means strlen. */
typedef struct bytes
{
	const char *s;
	size_t len;
} bytes_t;

#define B(lit)               \
	{                        \
		lit, sizeof(lit) - 1 \
	}

static const char besetzt[] = "Besetzt \xe2\x80\x93 bitte sp\xc3\xa4ter";

typedef struct ccase
{
	const char *label;
	int code;
	bytes_t ph;
	unsigned int flags;
} ccase_t;

static const ccase_t check_cases[] = {
		{"canonical", 486, B("Busy Here"), 0},
		{"lower case", 486, B("busy here"), 0},
		{"upper case", 486, B("BUSY HERE"), 0},
		{"other words", 486, B("Busy"), NONSTD},
		{"longer", 486, B("Busy Here "), NONSTD},
		{"german", 486, B("Besetzt \xe2\x80\x93 bitte sp\xc3\xa4ter"), NONSTD},
		{"german unregistered", 499,
				B("Besetzt \xe2\x80\x93 bitte sp\xc3\xa4ter"), 0},
		{"code 0", 0, B("anything"), 0},
		{"code -1", -1, B("anything"), 0},
		{"code 700", 700, B("anything"), 0},
		{"503", 503, B("Service Unavailable"), 0},
		{"503 vendor", 503, B("Service Unavailable - overloaded"), NONSTD},
		{"empty", 486, B(""), EMPTY},
		{"NULL", 486, {NULL, 0}, EMPTY},
		{"empty unregistered", 499, B(""), EMPTY},
		/* control bytes; HTAB is allowed (RFC 3261 §25.1) */
		{"CRLF", 499, B("Busy\r\nHere"), CTRL},
		{"CR", 499, B("Busy\rHere"), CTRL},
		{"LF end", 486, B("Busy Here\n"), CTRL | NONSTD},
		{"NUL", 499, B("Busy\0Here"), CTRL},
		{"NUL only", 499, B("\0"), CTRL},
		{"DEL", 499, B("Busy\x7fHere"), CTRL},
		{"ESC", 499, B("\x1b[31mred"), CTRL},
		{"0x01", 499, B("\x01"), CTRL},
		{"0x1f", 499, B("a\x1f"), CTRL},
		{"tab", 499, B("Busy\tHere"), 0},
		/* UTF-8 */
		{"2-byte", 499, B("\xc3\xa4"), 0},
		{"3-byte", 499, B("\xe2\x82\xac"), 0},
		{"4-byte", 499, B("\xf0\x9f\x98\x80"), 0},
		{"U+FFFF", 499, B("\xef\xbf\xbf"), 0},
		{"U+10FFFF", 499, B("\xf4\x8f\xbf\xbf"), 0},
		{"U+E000", 499, B("\xee\x80\x80"), 0},
		{"U+D7FF", 499, B("\xed\x9f\xbf"), 0},
		{"0xff", 499, B("Busy\xffHere"), BADU},
		{"0xfe", 499, B("\xfe"), BADU},
		{"lone continuation", 499, B("a\x80"), BADU},
		{"truncated 2", 499, B("Besetzt \xc3"), BADU},
		{"truncated 3", 499, B("x\xe2\x80"), BADU},
		{"truncated 4", 499, B("x\xf0\x9f\x98"), BADU},
		{"truncated mid", 499, B("\xc3 a"), BADU},
		{"overlong /", 499, B("\xc0\xaf"), BADU},
		{"overlong c1", 499, B("\xc1\xbf"), BADU},
		{"overlong 3", 499, B("\xe0\x80\xaf"), BADU},
		{"overlong 3 max", 499, B("\xe0\x9f\xbf"), BADU},
		{"overlong 4", 499, B("\xf0\x80\x80\xaf"), BADU},
		{"overlong 4 max", 499, B("\xf0\x8f\xbf\xbf"), BADU},
		{"overlong NUL", 499, B("\xc0\x80"), BADU},
		{"surrogate low", 499, B("\xed\xa0\x80"), BADU},
		{"surrogate high", 499, B("\xed\xbf\xbf"), BADU},
		{"surrogate pair", 499, B("\xed\xa0\xbd\xed\xb8\x80"), BADU},
		{"above U+10FFFF", 499, B("\xf4\x90\x80\x80"), BADU},
		{"f5", 499, B("\xf5\x80\x80\x80"), BADU},
		{"f8 5-byte", 499, B("\xf8\x88\x80\x80\x80"), BADU},
		{"bad registered", 486, B("Busy\xffHere"), BADU | NONSTD},
		{"everything", 486, B("\r\n\xff"), CTRL | BADU | NONSTD},
};

static void test_check(void **state)
{
	size_t i;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(check_cases); i++) {
		const ccase_t *c = &check_cases[i];
		char *copy = c->ph.s ? tu_dup(c->ph.s, c->ph.len) : NULL;
		unsigned int f = sipoutcome_phrase_check(c->code, copy, c->ph.len);

		if(c->flags & EMPTY) {
			/* whether an empty phrase is also non-standard is not said */
			f &= ~NONSTD;
		}
		if(f != c->flags)
			fail_msg("%s: flags 0x%x, expected 0x%x", c->label, f, c->flags);
		free(copy);
	}
}

static void test_check_length(void **state)
{
	char *buf = malloc(2000);
	size_t i;

	(void)state;
	assert_non_null(buf);
	memset(buf, 'a', 2000);
	assert_int_equal(sipoutcome_phrase_check(499, buf, 128), 0);
	assert_int_equal(sipoutcome_phrase_check(499, buf, 129), OVERLONG);
	assert_int_equal(sipoutcome_phrase_check(499, buf, 2000), OVERLONG);
	assert_int_equal(
			sipoutcome_phrase_check(486, buf, 2000), OVERLONG | NONSTD);
	assert_int_equal(sipoutcome_phrase_check(486, buf, 1), NONSTD);
	buf[1000] = '\n';
	buf[1500] = (char)0xff;
	assert_int_equal(sipoutcome_phrase_check(486, buf, 2000),
			OVERLONG | NONSTD | CTRL | BADU);
	/* 2,000 bytes of valid multibyte text */
	for(i = 0; i + 2 <= 2000; i += 2)
		memcpy(buf + i, "\xc3\xa4", 2);
	assert_int_equal(sipoutcome_phrase_check(499, buf, 2000), OVERLONG);
	/* the last character cut by len */
	assert_int_equal(sipoutcome_phrase_check(499, buf, 127), BADU);
	assert_int_equal(sipoutcome_phrase_check(499, buf, 128), 0);
	free(buf);
}

/* Only len bytes are read (exact-size copies catch over-reads). */
static void test_check_bounded(void **state)
{
	char *p = tu_dup("Busy Here", 9);
	char *q = tu_dup("ab\xc3", 3);

	(void)state;
	assert_int_equal(sipoutcome_phrase_check(486, p, 4), NONSTD);
	assert_int_equal(sipoutcome_phrase_check(486, p, 9), 0);
	assert_int_equal(sipoutcome_phrase_check(499, q, 3), BADU);
	assert_int_equal(sipoutcome_phrase_check(499, q, 2), 0);
	free(p);
	free(q);
}

typedef struct scase
{
	const char *label;
	bytes_t in;
	size_t cap;
	const char *out;
} scase_t;

static const scase_t san_cases[] = {
		{"clean", B("Busy Here"), 129, "Busy Here"},
		{"blanks", B("  Busy   Here  "), 129, "Busy Here"},
		{"tabs", B("\tBusy\t\tHere\t"), 129, "Busy Here"},
		{"CRLF", B("Busy\r\nHere"), 129, "Busy Here"},
		{"NUL", B("Busy\0Here"), 129, "Busy Here"},
		{"DEL", B("Busy\x7fHere"), 129, "Busy Here"},
		{"ESC", B("\x1b[31mred"), 129, "[31mred"},
		{"only controls", B("\r\n\t \0\x7f"), 129, ""},
		{"empty", B(""), 129, ""},
		{"NULL", {NULL, 0}, 129, ""},
		{"german", B("Besetzt \xe2\x80\x93 bitte sp\xc3\xa4ter"), 129,
				"Besetzt \xe2\x80\x93 bitte sp\xc3\xa4ter"},
		{"0xff", B("Busy\xffHere"), 129, "Busy Here"},
		{"0xff edges",
				B("\xff"
				  "Busy\xff"),
				129, "Busy"},
		{"truncated", B("Besetzt \xc3"), 129, "Besetzt"},
		{"truncated mid", B("a\xe2\x82z"), 129, "a z"},
		{"overlong", B("a\xc0\xafz"), 129, "a z"},
		{"overlong 3", B("a\xe0\x80\xafz"), 129, "a z"},
		{"surrogate", B("a\xed\xa0\x80z"), 129, "a z"},
		{"above U+10FFFF", B("a\xf4\x90\x80\x80z"), 129, "a z"},
		{"emoji", B("ok \xf0\x9f\x98\x80"), 129, "ok \xf0\x9f\x98\x80"},
		{"space run", B("a                                       b"), 129,
				"a b"},
		/* small caps: cut at a character, never leave a blank at the end */
		{"cap 1", B("Busy Here"), 1, ""},
		{"cap 2", B("Busy Here"), 2, "B"},
		{"cap 5", B("Busy Here"), 5, "Busy"},
		{"cap 6", B("Busy Here"), 6, "Busy"},
		{"cap 7", B("Busy Here"), 7, "Busy H"},
		{"cap 10", B("Busy Here"), 10, "Busy Here"},
		{"2-byte cap 2", B("\xc3\xa4"), 2, ""},
		{"2-byte cap 3", B("\xc3\xa4"), 3, "\xc3\xa4"},
		{"3-byte cap 3", B("\xe2\x82\xacuro"), 3, ""},
		{"3-byte cap 4", B("\xe2\x82\xacuro"), 4, "\xe2\x82\xac"},
		{"4-byte cap 4", B("\xf0\x9f\x98\x80"), 4, ""},
		{"4-byte cap 5", B("\xf0\x9f\x98\x80"), 5, "\xf0\x9f\x98\x80"},
		{"german cap 20", B("Besetzt \xe2\x80\x93 bitte sp\xc3\xa4ter"), 20,
				"Besetzt \xe2\x80\x93 bitte s"},
		{"german cap 10", B("Besetzt \xe2\x80\x93 bitte sp\xc3\xa4ter"), 10,
				"Besetzt"},
		{"german cap 11", B("Besetzt \xe2\x80\x93 bitte sp\xc3\xa4ter"), 11,
				"Besetzt"},
		{"german cap 12", B("Besetzt \xe2\x80\x93 bitte sp\xc3\xa4ter"), 12,
				"Besetzt \xe2\x80\x93"},
};

static void test_sanitize_cases(void **state)
{
	size_t i;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(san_cases); i++) {
		const scase_t *c = &san_cases[i];
		char *src = c->in.s ? tu_dup(c->in.s, c->in.len) : NULL;
		char *dst = malloc(c->cap);
		size_t n;

		assert_non_null(dst);
		memset(dst, '#', c->cap);
		n = sipoutcome_phrase_sanitize(dst, c->cap, src, c->in.len);
		if(n != strlen(c->out) || strcmp(dst, c->out) != 0)
			fail_msg("%s: got \"%s\" (%zu), expected \"%s\"", c->label, dst, n,
					c->out);
		free(dst);
		free(src);
	}
}

/* 2,000-byte inputs are cut to at most 128 bytes at a character. */
static void test_sanitize_long(void **state)
{
	static const struct
	{
		const char *unit;
		size_t want;
	} units[] = {{"a", 128}, {"ab ", 128}, {"\xc3\xa4", 128},
			{"\xe2\x82\xac", 126}, {"\xf0\x9f\x98\x80", 128}, {"a\r\n", 127},
			{"\xff", 0}};
	char *src = malloc(2000);
	char dst[1024];
	size_t i, k;

	(void)state;
	assert_non_null(src);
	for(i = 0; i < TU_ARRAY_SIZE(units); i++) {
		size_t ul = strlen(units[i].unit), n;
		for(k = 0; k < 2000; k++)
			src[k] = units[i].unit[k % ul];
		n = sipoutcome_phrase_sanitize(dst, sizeof(dst), src, 2000);
		if(n != units[i].want)
			fail_msg("unit \"%s\": length %zu, expected %zu", units[i].unit, n,
					units[i].want);
		assert_int_equal(strlen(dst), n);
		assert_true(tu_utf8_valid(dst, n));
	}
	free(src);
}

static void test_sanitize_args(void **state)
{
	char dst[4] = "xyz";

	(void)state;
	assert_int_equal(sipoutcome_phrase_sanitize(NULL, 10, "abc", 3), 0);
	/* cap 0: nothing written */
	assert_int_equal(sipoutcome_phrase_sanitize(dst, 0, "abc", 3), 0);
	assert_string_equal(dst, "xyz");
	/* NULL source is empty */
	assert_int_equal(sipoutcome_phrase_sanitize(dst, sizeof(dst), NULL, 0), 0);
	assert_string_equal(dst, "");
}

/* Everything the contract says about one sanitize output. */
static void check_sanitized(
		const char *label, const char *dst, size_t cap, size_t n)
{
	size_t limit =
			cap - 1 < SIPOUTCOME_PHRASE_MAX ? cap - 1 : SIPOUTCOME_PHRASE_MAX;
	size_t k;

	if(n > limit)
		fail_msg("%s: length %zu above %zu", label, n, limit);
	if(dst[n] != '\0' || strlen(dst) != n)
		fail_msg("%s: length %zu but strlen %zu", label, n, strlen(dst));
	for(k = 0; k < n; k++) {
		unsigned char c = (unsigned char)dst[k];
		if(c < 0x20 || c == 0x7F)
			fail_msg("%s: control byte 0x%02x at %zu", label, c, k);
	}
	if(!tu_utf8_valid(dst, n))
		fail_msg("%s: invalid UTF-8", label);
	if(n > 0 && (dst[0] == ' ' || dst[n - 1] == ' '))
		fail_msg("%s: leading or trailing blank in \"%s\"", label, dst);
	if(strstr(dst, "  ") != NULL)
		fail_msg("%s: a run of blanks in \"%s\"", label, dst);
	if(sipoutcome_phrase_check(499, dst, n) & ~(unsigned)EMPTY)
		fail_msg("%s: phrase_check flags 0x%x on the output", label,
				sipoutcome_phrase_check(499, dst, n));
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random bytes, biased towards the interesting ones, at many caps. */
static void test_sanitize_random(void **state)
{
	static const size_t caps[] = {
			1, 2, 3, 4, 5, 6, 7, 8, 13, 64, 127, 128, 129, 130, 131, 200, 1024};
	static const unsigned char pool[] = {' ', ' ', '\t', '\r', '\n', 0, 0x7f,
			0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xa4, 0xe0, 0xe2, 0x82, 0xac,
			0xed, 0xa0, 0xf0, 0x9f, 0x98, 0xf4, 0x90, 0x8f, 0xf5, 0xff, 'a',
			'Z', '"', '\\'};
	uint32_t seed = 0x9e3779b9u;
	int iter;

	(void)state;
	for(iter = 0; iter < 20000; iter++) {
		size_t len = rnd(&seed) % (iter % 10 == 0 ? 2000 : 300), k, c;
		char *src = malloc(len ? len : 1), full[SIPOUTCOME_PHRASE_MAX + 1];
		size_t nfull;
		char label[48];

		assert_non_null(src);
		for(k = 0; k < len; k++) {
			uint32_t r = rnd(&seed);
			src[k] = (char)((r & 1) ? pool[(r >> 1) % sizeof(pool)]
									: (unsigned char)(r >> 8));
		}
		nfull = sipoutcome_phrase_sanitize(full, sizeof(full), src, len);
		snprintf(label, sizeof(label), "random %d full", iter);
		check_sanitized(label, full, sizeof(full), nfull);
		/* idempotent */
		{
			char again[SIPOUTCOME_PHRASE_MAX + 1];
			size_t n2 = sipoutcome_phrase_sanitize(
					again, sizeof(again), full, nfull);
			if(n2 != nfull || memcmp(again, full, nfull) != 0)
				fail_msg("random %d: not idempotent", iter);
		}
		for(c = 0; c < TU_ARRAY_SIZE(caps); c++) {
			size_t cap = caps[c], n;
			char *dst = malloc(cap + 8);

			assert_non_null(dst);
			memset(dst, '#', cap + 8);
			n = sipoutcome_phrase_sanitize(dst, cap, src, len);
			snprintf(label, sizeof(label), "random %d cap %zu", iter, cap);
			check_sanitized(label, dst, cap, n);
			for(k = cap; k < cap + 8; k++)
				if(dst[k] != '#')
					fail_msg("%s: wrote past cap", label);
			/* a smaller cap cuts the same text, never changes it */
			if(n > nfull || memcmp(dst, full, n) != 0)
				fail_msg("%s: \"%s\" is not a prefix of \"%s\"", label, dst,
						full);
			/* and cuts only when the next character does not fit */
			if(n < nfull) {
				size_t limit = cap - 1 < SIPOUTCOME_PHRASE_MAX
									   ? cap - 1
									   : SIPOUTCOME_PHRASE_MAX;
				if(n + 5 <= limit)
					fail_msg("%s: cut at %zu of %zu with room for more", label,
							n, limit);
			}
			free(dst);
		}
		free(src);
	}
}

/* Any phrase, however broken, leaves classify's result unchanged. */
static void test_classify_ignores_phrase(void **state)
{
	static const int codes[] = {150, 183, 200, 302, 404, 408, 480, 486, 487,
			499, 500, 503, 600, 603, 699};
	static const unsigned int flags[] = {0, SIPOUTCOME_CTX_RINGING,
			SIPOUTCOME_CTX_CANCELED,
			SIPOUTCOME_CTX_LOCAL | SIPOUTCOME_CTX_TIMEOUT,
			SIPOUTCOME_CTX_LOCAL | SIPOUTCOME_CTX_TIMEOUT
					| SIPOUTCOME_CTX_RINGING,
			SIPOUTCOME_CTX_LOCAL};
	static const int causes[] = {-1, 17, 19, 31};
	sipoutcome_profiles_t *set = NULL;
	const sipoutcome_profile_t *rfc;
	char *big = malloc(2000);
	bytes_t phrases[TU_ARRAY_SIZE(check_cases) + 4];
	size_t np = 0, i, c, f, q, p;

	(void)state;
	assert_int_equal(sipoutcome_profiles_new(&set, NULL), SIPOUTCOME_OK);
	rfc = sipoutcome_profiles_find(set, "rfc", 3);
	assert_non_null(rfc);
	assert_non_null(big);
	for(i = 0; i < 2000; i++)
		big[i] = (char)(i % 7 == 0 ? '\n' : i % 11 == 0 ? 0xff : 'x');
	for(i = 0; i < TU_ARRAY_SIZE(check_cases); i++)
		phrases[np++] = check_cases[i].ph;
	phrases[np++] = (bytes_t){big, 2000};
	phrases[np++] = (bytes_t){besetzt, sizeof(besetzt) - 1};
	phrases[np++] = (bytes_t){"Request Terminated", 18};
	phrases[np++] = (bytes_t){"Busy Here", 9};

	for(c = 0; c < TU_ARRAY_SIZE(codes); c++)
		for(f = 0; f < TU_ARRAY_SIZE(flags); f++)
			for(q = 0; q < TU_ARRAY_SIZE(causes); q++)
				for(p = 0; p < 2; p++) {
					sipoutcome_input_t in = tu_input(
							codes[c], flags[f], causes[q], p ? rfc : NULL);
					sipoutcome_result_t base = tu_classify_in(&in);

					for(i = 0; i < np; i++) {
						char *copy = phrases[i].s ? tu_dup(
											 phrases[i].s, phrases[i].len)
												  : NULL;
						sipoutcome_result_t r;
						char label[64];

						in.reason = copy;
						in.reason_len = phrases[i].len;
						r = tu_classify_in(&in);
						snprintf(label, sizeof(label),
								"%d flags 0x%x phrase %zu", codes[c], flags[f],
								i);
						tu_same_result(label, &r, &base, 0);
						free(copy);
					}
				}
	free(big);
	sipoutcome_profiles_free(set);
}

/* sipoutcome_phrase_for_mode(): the phrase each reason_mode sends for a
 * 486 (canonical "Busy Here", RFC 3261 §21.4.24). Phrases as received:
 * a control byte, which §25.1's reason-phrase grammar does not allow;
 * a carrier's own wording ("Permission Denied" on a 400, seed 001);
 * nothing printable at all. */
static void test_phrase_for_mode(void **state)
{
	static const struct {
		int mode, code;
		bytes_t rcvd;
		const char *want; /* NULL: the received phrase stays */
	} cases[] = {
			{SIPOUTCOME_RM_KEEP, 486, B("Busy Here"), NULL},
			{SIPOUTCOME_RM_KEEP, 486, B("Busy\x01Here"), "Busy Here"},
			{SIPOUTCOME_RM_KEEP, 486, B("\x01\x02"), "Busy Here"},
			{SIPOUTCOME_RM_KEEP, 400, B("Permission Denied"), NULL},
			{SIPOUTCOME_RM_NORMALIZE, 486, B("Busy Here"), NULL},
			{SIPOUTCOME_RM_NORMALIZE, 400, B("Permission Denied"),
					"Bad Request"},
			{SIPOUTCOME_RM_NORMALIZE, 486, B(""), "Busy Here"},
			{SIPOUTCOME_RM_ANNOTATE, 486, B("Busy Here"),
					"Busy Here [BUSY/busy]"},
			{SIPOUTCOME_RM_ANNOTATE, 486, B("\x01"), "Busy Here [BUSY/busy]"},
			{SIPOUTCOME_RM_REWRITE, 486, B("Busy Here"), NULL},
			{SIPOUTCOME_RM_REWRITE, 486, B("Occupato"), "Busy Here"},
			{99, 486, B("Busy\x01Here"), NULL},
	};
	char buf[SIPOUTCOME_PHRASE_MAX + 1];
	size_t i;

	(void)state;
	for(i = 0; i < TU_ARRAY_SIZE(cases); i++) {
		sipoutcome_input_t in;
		sipoutcome_result_t r;
		int n;

		sipoutcome_input_init(&in);
		in.code = cases[i].code;
		assert_int_equal(sipoutcome_classify(&in, &r), SIPOUTCOME_OK);
		n = sipoutcome_phrase_for_mode(cases[i].mode, &r, cases[i].rcvd.s,
				cases[i].rcvd.len, buf, sizeof(buf));
		if(cases[i].want == NULL) {
			assert_int_equal(n, 0);
		} else {
			assert_int_equal(n, (int)strlen(cases[i].want));
			assert_string_equal(buf, cases[i].want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_check),
			cmocka_unit_test(test_check_length),
			cmocka_unit_test(test_check_bounded),
			cmocka_unit_test(test_sanitize_cases),
			cmocka_unit_test(test_sanitize_long),
			cmocka_unit_test(test_sanitize_args),
			cmocka_unit_test(test_sanitize_random),
			cmocka_unit_test(test_classify_ignores_phrase),
			cmocka_unit_test(test_phrase_for_mode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
