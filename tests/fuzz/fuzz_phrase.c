/*
 * Fuzz target: reason phrases as received. The input is one phrase (any
 * bytes). sipoutcome_phrase_check() must agree with an independent
 * reading of the input; sipoutcome_phrase_sanitize() must produce a
 * phrase safe on the wire for every buffer size; and the phrase, used as
 * both the received reason and the Call-ID, must give a well-formed
 * logfmt line (sipoutcome_format_logfmt()).
 */
#include "fuzz_common.h"

static const int codes[] = {-1, 0, 99, 100, 183, 200, 302, 404, 486, 487,
		499, 500, 603, 608, 699, 700};

static const size_t caps[] = {0, 1, 2, 5, 129, 4096};

static int ascii_ieq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if(alen != blen)
		return 0;
	for(i = 0; i < alen; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
		if(x >= 'A' && x <= 'Z')
			x += 32;
		if(y >= 'A' && y <= 'Z')
			y += 32;
		if(x != y)
			return 0;
	}
	return 1;
}

static void check_flags(const char *s, size_t n)
{
	size_t i;

	for(i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const sipoutcome_code_t *row = sipoutcome_code_lookup(codes[i]);
		unsigned int f = sipoutcome_phrase_check(codes[i], s, n);
		unsigned int want = 0;

		if(n == 0) {
			FUZZ_ASSERT(f == SIPOUTCOME_PH_EMPTY);
			continue;
		}
		if(n > SIPOUTCOME_PHRASE_MAX)
			want |= SIPOUTCOME_PH_OVERLONG;
		if(fuzz_has_ctrl(s, n))
			want |= SIPOUTCOME_PH_CTRL;
		if(!fuzz_utf8_valid(s, n))
			want |= SIPOUTCOME_PH_BAD_UTF8;
		if(row != NULL && !ascii_ieq(s, n, row->phrase, row->phrase_len))
			want |= SIPOUTCOME_PH_NONSTANDARD;
		FUZZ_ASSERT(f == want);
	}
}

/* Is there a character sanitize keeps: a well-formed sequence that is
 * neither a blank nor a control byte? */
static int has_printable(const unsigned char *s, size_t n)
{
	size_t i = 0, k;

	while(i < n) {
		k = fuzz_utf8_len(s + i, n - i);
		if(k > 0 && !fuzz_is_ctrl(s[i]) && s[i] != ' ' && s[i] != '\t')
			return 1;
		i += k ? k : 1;
	}
	return 0;
}

/* Already safe: sanitize must return it unchanged. s is NUL-terminated. */
static int is_clean(const char *s, size_t n)
{
	if(n == 0 || n > SIPOUTCOME_PHRASE_MAX || !fuzz_utf8_valid(s, n)
			|| fuzz_has_ctrl(s, n) || memchr(s, '\t', n) != NULL)
		return 0;
	if(s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	return strstr(s, "  ") == NULL;
}

/* src: the input as given; z: a NUL-terminated copy for strstr(). */
static void check_sanitize(const char *src, const char *z, size_t n)
{
	char full[4096];
	size_t full_len, i;

	full_len = sipoutcome_phrase_sanitize(full, sizeof(full), src, n);
	for(i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		size_t cap = caps[i], limit, len;
		/* exactly cap bytes (one guard byte when cap is 0) */
		char *dst = malloc(cap ? cap : 1), again[4096];

		FUZZ_ASSERT(dst != NULL);
		if(cap == 0)
			dst[0] = 'G';
		len = sipoutcome_phrase_sanitize(dst, cap, src, n);
		if(cap == 0) {
			FUZZ_ASSERT(len == 0 && dst[0] == 'G');
			free(dst);
			continue;
		}
		limit = cap - 1 < SIPOUTCOME_PHRASE_MAX ? cap - 1
												 : SIPOUTCOME_PHRASE_MAX;
		FUZZ_ASSERT(len <= limit);
		FUZZ_ASSERT(dst[len] == '\0' && strlen(dst) == len);
		FUZZ_ASSERT(fuzz_utf8_valid(dst, len));
		FUZZ_ASSERT(!fuzz_has_ctrl(dst, len));
		if(len > 0) {
			FUZZ_ASSERT(dst[0] != ' ' && dst[0] != '\t');
			FUZZ_ASSERT(dst[len - 1] != ' ' && dst[len - 1] != '\t');
		}
		FUZZ_ASSERT(strstr(dst, "  ") == NULL);
		/* a smaller buffer cuts the same phrase at a character boundary */
		FUZZ_ASSERT(len <= full_len && memcmp(dst, full, len) == 0);
		/* the output is a fixed point */
		FUZZ_ASSERT(sipoutcome_phrase_sanitize(again, sizeof(again), dst, len)
					== len);
		FUZZ_ASSERT(memcmp(again, dst, len) == 0);
		FUZZ_ASSERT((sipoutcome_phrase_check(0, dst, len)
							& ~(unsigned)SIPOUTCOME_PH_EMPTY)
					== 0);
		free(dst);
	}
	FUZZ_ASSERT((full_len > 0) == has_printable((const unsigned char *)src, n));
	if(is_clean(z, n))
		FUZZ_ASSERT(full_len == n && memcmp(full, src, n) == 0);
}

static void check_logfmt(const char *s, size_t n)
{
	static const size_t lcaps[] = {1, 2, 40, 1024};
	sipoutcome_input_t in;
	sipoutcome_result_t r;
	sipoutcome_logctx_t lc;
	char full[4096];
	int rc, i;
	size_t k;

	sipoutcome_input_init(&in);
	in.code = 480;
	in.reason = s;
	in.reason_len = n;
	in.flags = SIPOUTCOME_CTX_RINGING;
	in.q850 = 18;
	FUZZ_ASSERT(sipoutcome_classify(&in, &r) == SIPOUTCOME_OK);
	fuzz_check_result(&in, &r, "rfc");

	memset(&lc, 0, sizeof(lc));
	lc.callid = s;
	lc.callid_len = n;
	lc.reason = s;
	lc.reason_len = n;
	lc.ringing = 1;
	lc.q850 = 18;
	for(i = 0; i < 2; i++) {
		lc.local = i;
		rc = sipoutcome_format_logfmt(full, sizeof(full), &r, &lc);
		FUZZ_ASSERT(rc >= 0);
		fuzz_check_logfmt(full, rc, sizeof(full));
		fuzz_check_logfmt_line(full, &lc);
		/* "1024 always suffices" */
		FUZZ_ASSERT(rc < 1024);
	}
	/* A short buffer holds a prefix of the full line. */
	for(k = 0; k < sizeof(lcaps) / sizeof(lcaps[0]); k++) {
		char *dst = malloc(lcaps[k]);
		size_t len;

		FUZZ_ASSERT(dst != NULL);
		rc = sipoutcome_format_logfmt(dst, lcaps[k], &r, &lc);
		fuzz_check_logfmt(dst, rc, lcaps[k]);
		len = strlen(dst);
		FUZZ_ASSERT(memcmp(dst, full, len) == 0);
		FUZZ_ASSERT((rc == SIPOUTCOME_ENOSPC) == (strlen(full) > len));
		if(lcaps[k] >= 1024)
			FUZZ_ASSERT(rc != SIPOUTCOME_ENOSPC);
		free(dst);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *z = malloc(size + 1);

	FUZZ_ASSERT(z != NULL);
	memcpy(z, data, size);
	z[size] = '\0';
	check_flags(s, size);
	check_sanitize(s, z, size);
	check_logfmt(s, size);
	free(z);
	return 0;
}
