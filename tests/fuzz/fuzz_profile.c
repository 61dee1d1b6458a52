/*
 * Fuzz target: the profile loader, sipoutcome_profiles_load_buffer(),
 * and classification with what it loaded.
 *
 * The input is a profile file (data/profiles/ format). A line "---"
 * separates up to four profiles, loaded in order into one set after the
 * built-in ones, so that a profile can inherit from the one before it.
 * A load that fails must leave the set unchanged and say where; a load
 * that succeeds must refuse the same text a second time (the name is
 * taken). Every loaded profile then classifies every code 100..699 with
 * and without ringing, with a received phrase taken from the input (the
 * text after its first `phrase="`, so that such a rule can match) and
 * with a Q.850 cause and context flags that vary with the code.
 */
#include "fuzz_common.h"

#define MAX_PROFILES 4

static void check_error(const sipoutcome_error_t *err, const char *source)
{
	char line[512];

	FUZZ_ASSERT(memchr(err->source, '\0', sizeof(err->source)) != NULL);
	FUZZ_ASSERT(memchr(err->field, '\0', sizeof(err->field)) != NULL);
	FUZZ_ASSERT(memchr(err->text, '\0', sizeof(err->text)) != NULL);
	FUZZ_ASSERT(strcmp(err->source, source) == 0);
	FUZZ_ASSERT(err->line >= 0);
	FUZZ_ASSERT(err->text[0] != '\0');
	sipoutcome_error_format(err, line, sizeof(line));
	FUZZ_ASSERT(memchr(line, '\0', sizeof(line)) != NULL);
	FUZZ_ASSERT(strstr(line, err->text) != NULL);
}

/* The profile's hint, rewrite and name reach the log line intact. */
static void check_logfmt(const sipoutcome_input_t *in,
		const sipoutcome_result_t *r)
{
	sipoutcome_logctx_t lc;
	fuzz_kv_t kv[64];
	char line[1024];
	size_t n;
	int rc;

	memset(&lc, 0, sizeof(lc));
	lc.callid = "fuzz@example.com";
	lc.callid_len = strlen(lc.callid);
	lc.reason = in->reason;
	lc.reason_len = in->reason_len;
	lc.q850 = in->q850;
	rc = sipoutcome_format_logfmt(line, sizeof(line), r, &lc);
	FUZZ_ASSERT(rc >= 0); /* "1024 always suffices" */
	fuzz_check_logfmt(line, rc, sizeof(line));
	fuzz_check_logfmt_line(line, &lc);
	n = fuzz_parse_logfmt(line, kv, 64);
	fuzz_check_logfmt_value(fuzz_logfmt_get(kv, n, "vendor"), r->vendor,
			strlen(r->vendor));
	if(r->hint != NULL)
		fuzz_check_logfmt_value(fuzz_logfmt_get(kv, n, "hint"), r->hint,
				strlen(r->hint));
}

/* The received phrase used for classification: a real one is short. */
static void pick_phrase(const char *s, size_t n, const char **phrase,
		size_t *len)
{
	static const char key[] = "phrase=\"";
	const char *p = s, *end = s + n;
	size_t k = sizeof(key) - 1;

	*phrase = s;
	while((size_t)(end - p) >= k) {
		const char *q = memchr(p, 'p', (size_t)(end - p) - k + 1);
		if(q == NULL)
			break;
		if(memcmp(q, key, k) == 0) {
			*phrase = q + k;
			break;
		}
		p = q + 1;
	}
	*len = (size_t)(end - *phrase);
	if(*len > SIPOUTCOME_PHRASE_MAX)
		*len = SIPOUTCOME_PHRASE_MAX;
}

static void classify_all(const sipoutcome_profile_t *p, const char *text,
		size_t len)
{
	const char *name = sipoutcome_profile_name(p);
	sipoutcome_input_t in;
	sipoutcome_result_t r;
	int code, pass;

	for(code = 100; code <= 699; code++) {
		for(pass = 0; pass < 3; pass++) {
			sipoutcome_input_init(&in);
			in.code = code;
			in.profile = p;
			in.reason = text;
			in.reason_len = len;
			if(pass == 1)
				in.flags = SIPOUTCOME_CTX_RINGING;
			if(pass == 2) {
				in.flags = (unsigned int)code % 32u; /* every combination */
				in.q850 = code % 128;
				in.reason = NULL;
				in.reason_len = 0;
			}
			FUZZ_ASSERT(sipoutcome_classify(&in, &r) == SIPOUTCOME_OK);
			fuzz_check_result(&in, &r, name);
			if(pass == 0)
				check_logfmt(&in, &r);
		}
	}
	/* Out of range stays out of range with a profile too. */
	in.code = 700;
	FUZZ_ASSERT(sipoutcome_classify(&in, &r) == SIPOUTCOME_ERANGE);
}

/* Length of the next chunk: up to a line that is exactly "---". */
static size_t chunk_len(const char *s, size_t n, size_t *skip)
{
	size_t i = 0;

	for(;;) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n;
		if(end - i == 3 && memcmp(s + i, "---", 3) == 0) {
			*skip = end - i + (nl ? 1 : 0);
			return i;
		}
		if(nl == NULL) {
			*skip = 0;
			return n;
		}
		i = end + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const sipoutcome_profile_t *loaded[MAX_PROFILES];
	size_t nloaded = 0, off = 0, i;
	sipoutcome_profiles_t *set = NULL;
	sipoutcome_error_t err;
	int rc, k;

	rc = sipoutcome_profiles_new(&set, &err);
	FUZZ_ASSERT(rc == SIPOUTCOME_OK && set != NULL);

	for(k = 0; k < MAX_PROFILES && (k == 0 || off < size); k++) {
		size_t skip, len = chunk_len(s + off, size - off, &skip);
		size_t before = sipoutcome_profiles_count(set);
		char source[24];
		/* exactly len bytes, so a read past the chunk is reported */
		char *buf = malloc(len ? len : 1);

		FUZZ_ASSERT(buf != NULL);
		if(len)
			memcpy(buf, s + off, len);
		snprintf(source, sizeof(source), "fuzz-%d", k);
		memset(&err, 0, sizeof(err));
		rc = sipoutcome_profiles_load_buffer(set, source, buf, len, &err);
		if(rc == SIPOUTCOME_OK) {
			const sipoutcome_profile_t *p =
					sipoutcome_profiles_at(set, before);
			const char *name = sipoutcome_profile_name(p);
			const char *parent = sipoutcome_profile_parent(p);
			const char *desc = sipoutcome_profile_description(p);

			FUZZ_ASSERT(sipoutcome_profiles_count(set) == before + 1);
			FUZZ_ASSERT(p != NULL && name[0] != '\0' && strlen(name) < 32);
			FUZZ_ASSERT(sipoutcome_profiles_find(set, name, strlen(name))
						== p);
			/* every profile but the root rfc (already loaded) has one */
			FUZZ_ASSERT(parent[0] != '\0');
			FUZZ_ASSERT(sipoutcome_profiles_find(set, parent, strlen(parent))
						!= NULL);
			FUZZ_ASSERT(strcmp(parent, name) != 0);
			FUZZ_ASSERT(fuzz_utf8_valid(desc, strlen(desc)));
			FUZZ_ASSERT(!fuzz_has_ctrl(desc, strlen(desc)));
			/* the name is taken now: the same text fails, set unchanged */
			rc = sipoutcome_profiles_load_buffer(set, source, buf, len, &err);
			FUZZ_ASSERT(rc == SIPOUTCOME_ESYNTAX);
			check_error(&err, source);
			FUZZ_ASSERT(sipoutcome_profiles_count(set) == before + 1);
			loaded[nloaded++] = p;
		} else {
			FUZZ_ASSERT(rc == SIPOUTCOME_ESYNTAX);
			check_error(&err, source);
			FUZZ_ASSERT(sipoutcome_profiles_count(set) == before);
		}
		free(buf);
		off += len + skip;
	}
	if(nloaded > 0) {
		const char *phrase;
		size_t phrase_len;

		pick_phrase(s, size, &phrase, &phrase_len);
		for(i = 0; i < nloaded; i++)
			classify_all(loaded[i], phrase, phrase_len);
	}
	sipoutcome_profiles_free(set);
	return 0;
}
