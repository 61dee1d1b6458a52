/*
 * Fuzz target: the Reason header parser, sipoutcome_reason_hdr_parse().
 * The input is one header body (the text after "Reason:"). It is parsed
 * alone, parsed again into the same result (a second header field merges:
 * the first values win, the counters add up), and parsed as two fields
 * split at its first newline. Every result is checked against the
 * contract in sipoutcome.h, and sipoutcome_reason_q850() must give the
 * parser's Q.850 cause.
 */
#include "fuzz_common.h"

#define SCAN_MAX 4096 /* "at most 4096 bytes are examined" */

static void check(const sipoutcome_reason_hdr_t *r, int rc, const char *body,
		size_t len)
{
	size_t seen = len < SCAN_MAX ? len : SCAN_MAX;

	FUZZ_ASSERT(rc == SIPOUTCOME_OK || rc == SIPOUTCOME_ESYNTAX);
	FUZZ_ASSERT(r->q850 >= -1 && r->q850 <= 127);
	FUZZ_ASSERT(r->sip_cause == -1
				|| (r->sip_cause >= 100 && r->sip_cause <= 699));
	FUZZ_ASSERT(r->bad <= r->values);
	FUZZ_ASSERT(memchr(r->location, '\0', sizeof(r->location)) != NULL);
	if(r->location[0] != '\0')
		FUZZ_ASSERT(r->q850 >= 0);
	if(r->text != NULL) {
		/* text points into the examined part of the input */
		FUZZ_ASSERT(r->text >= body && r->text <= body + seen);
		FUZZ_ASSERT(r->text_len <= (size_t)(body + seen - r->text));
		FUZZ_ASSERT(r->q850 >= 0 || r->sip_cause >= 0);
	} else {
		FUZZ_ASSERT(r->text_len == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	const char *nl;
	sipoutcome_reason_hdr_t r, again, split;
	int rc, rc2;

	sipoutcome_reason_hdr_init(&r);
	rc = sipoutcome_reason_hdr_parse(body, size, &r);
	check(&r, rc, body, size);
	/* the reply path's shortcut gives exactly the parser's cause */
	FUZZ_ASSERT(sipoutcome_reason_q850(body, size) == r.q850);
	/* 0 exactly when at least one value parsed */
	FUZZ_ASSERT((rc == SIPOUTCOME_OK) == (r.values > r.bad));
	if(r.q850 >= 0 || r.sip_cause >= 0)
		FUZZ_ASSERT(rc == SIPOUTCOME_OK);
	if(size == 0)
		FUZZ_ASSERT(r.values == 0);

	/* The same field again: nothing kept changes, counters double. */
	again = r;
	rc2 = sipoutcome_reason_hdr_parse(body, size, &again);
	check(&again, rc2, body, size);
	FUZZ_ASSERT(rc2 == rc);
	FUZZ_ASSERT(again.q850 == r.q850 && again.sip_cause == r.sip_cause);
	FUZZ_ASSERT(again.text == r.text && again.text_len == r.text_len);
	FUZZ_ASSERT(memcmp(again.location, r.location, sizeof(r.location)) == 0);
	FUZZ_ASSERT(again.values == 2 * r.values && again.bad == 2 * r.bad);

	/* Two fields: the first one's values win. */
	nl = memchr(body, '\n', size);
	if(nl != NULL) {
		size_t first = (size_t)(nl - body);
		sipoutcome_reason_hdr_t one;

		sipoutcome_reason_hdr_init(&one);
		rc = sipoutcome_reason_hdr_parse(body, first, &one);
		check(&one, rc, body, first);
		split = one;
		rc2 = sipoutcome_reason_hdr_parse(nl + 1, size - first - 1, &split);
		FUZZ_ASSERT(rc2 == SIPOUTCOME_OK || rc2 == SIPOUTCOME_ESYNTAX);
		FUZZ_ASSERT(split.values >= one.values && split.bad >= one.bad);
		if(one.q850 >= 0)
			FUZZ_ASSERT(split.q850 == one.q850);
		if(one.sip_cause >= 0)
			FUZZ_ASSERT(split.sip_cause == one.sip_cause);
		if(split.text != NULL && split.text != one.text)
			FUZZ_ASSERT(split.text > nl && split.text_len <= size - first - 1);
	}

	/* Bytes past 4096 are never examined. */
	if(size > SCAN_MAX) {
		sipoutcome_reason_hdr_t cut;
		char *copy = malloc(SCAN_MAX);

		FUZZ_ASSERT(copy != NULL);
		memcpy(copy, body, SCAN_MAX);
		sipoutcome_reason_hdr_init(&cut);
		rc2 = sipoutcome_reason_hdr_parse(copy, SCAN_MAX, &cut);
		FUZZ_ASSERT(cut.q850 == r.q850 && cut.sip_cause == r.sip_cause);
		FUZZ_ASSERT(cut.values == r.values && cut.bad == r.bad);
		FUZZ_ASSERT(cut.text_len == r.text_len);
		FUZZ_ASSERT((cut.text == NULL) == (r.text == NULL));
		if(cut.text != NULL)
			FUZZ_ASSERT(cut.text - copy == r.text - body);
		free(copy);
	}
	return 0;
}
