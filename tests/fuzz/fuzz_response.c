/*
 * Fuzz target: the raw-response path. The input is one SIP message as
 * received on the wire. It is parsed with libosip2 the way a tool that
 * classifies captured responses does it (this target does not use the
 * command-line tool's code, only libosip2 and the public engine API):
 * status code (libosip2 reads it with sscanf and never checks its range),
 * reason phrase, every Reason header field merged with
 * sipoutcome_reason_hdr_parse(), then sipoutcome_classify() with the
 * built-in defaults and every built-in profile, sipoutcome_phrase_*() on
 * the phrase and sipoutcome_format_logfmt() with the Call-ID.
 */
#include <stdarg.h>

#include <osipparser2/osip_parser.h>

#include "fuzz_common.h"

#define MAX_FIELDS 64

static sipoutcome_profiles_t *profiles;

static void no_trace(const char *file, int line, osip_trace_level_t level,
		const char *fmt, va_list ap)
{
}

static void init_once(void)
{
	static int ready;

	if(ready)
		return;
	/* libosip2 fills a global table of header parsers: once, before
	 * any parse. Its trace (on in Debian's build, to stdout when no
	 * logger is set) would print a line per malformed input. */
	FUZZ_ASSERT(parser_init() == 0);
	osip_trace_initialize_func(TRACE_LEVEL0, no_trace);
	FUZZ_ASSERT(sipoutcome_profiles_new(&profiles, NULL) == SIPOUTCOME_OK);
	ready = 1;
}

/* Every "Reason" field (libosip2 splits a comma list into several). */
static void read_reason(const osip_message_t *sip, sipoutcome_reason_hdr_t *r)
{
	const char *seen[MAX_FIELDS];
	size_t seen_len[MAX_FIELDS];
	osip_header_t *h;
	int pos, n = 0, i;

	sipoutcome_reason_hdr_init(r);
	for(pos = osip_message_header_get_byname(sip, "reason", 0, &h);
			pos >= 0 && n < MAX_FIELDS;
			pos = osip_message_header_get_byname(sip, "reason", pos + 1, &h)) {
		int rc;

		if(h == NULL || h->hvalue == NULL)
			continue;
		seen[n] = h->hvalue;
		seen_len[n] = strlen(h->hvalue);
		rc = sipoutcome_reason_hdr_parse(h->hvalue, seen_len[n], r);
		FUZZ_ASSERT(rc == SIPOUTCOME_OK || rc == SIPOUTCOME_ESYNTAX);
		n++;
	}
	FUZZ_ASSERT(r->q850 >= -1 && r->q850 <= 127);
	FUZZ_ASSERT(r->sip_cause == -1
				|| (r->sip_cause >= 100 && r->sip_cause <= 699));
	FUZZ_ASSERT(r->bad <= r->values);
	if(r->text != NULL) {
		/* text points into one of the fields parsed */
		for(i = 0; i < n; i++)
			if(r->text >= seen[i] && r->text <= seen[i] + seen_len[i]
					&& r->text_len <= (size_t)(seen[i] + seen_len[i] - r->text))
				break;
		FUZZ_ASSERT(i < n);
	}
}

static void classify(sipoutcome_input_t *in, const char *callid,
		const char *phrase, size_t phrase_len, int q850)
{
	sipoutcome_result_t res;
	sipoutcome_logctx_t lc;
	char line[4096];
	size_t i;
	int rc;

	for(i = 0; i <= sipoutcome_profiles_count(profiles); i++) {
		/* i == 0: no profile, the built-in defaults (vendor "rfc") */
		in->profile = i ? sipoutcome_profiles_at(profiles, i - 1) : NULL;
		FUZZ_ASSERT(sipoutcome_classify(in, &res) == SIPOUTCOME_OK);
		fuzz_check_result(in, &res,
				in->profile ? sipoutcome_profile_name(in->profile) : "rfc");
	}
	memset(&lc, 0, sizeof(lc));
	lc.callid = callid;
	lc.callid_len = callid ? strlen(callid) : 0;
	lc.reason = phrase;
	lc.reason_len = phrase_len;
	lc.ringing = (in->flags & SIPOUTCOME_CTX_RINGING) != 0;
	lc.q850 = q850;
	rc = sipoutcome_format_logfmt(line, sizeof(line), &res, &lc);
	FUZZ_ASSERT(rc >= 0 && rc < 1024); /* "1024 always suffices" */
	fuzz_check_logfmt(line, rc, sizeof(line));
	fuzz_check_logfmt_line(line, &lc);
}

static void on_response(const osip_message_t *sip)
{
	int code = osip_message_get_status_code(sip);
	const char *phrase = osip_message_get_reason_phrase(sip);
	size_t phrase_len = phrase ? strlen(phrase) : 0;
	sipoutcome_reason_hdr_t reason;
	sipoutcome_input_t in;
	sipoutcome_result_t res, untouched;
	char safe[SIPOUTCOME_PHRASE_MAX + 1], *callid = NULL;
	size_t safe_len;

	sipoutcome_input_init(&in);
	in.code = code;
	if(code < 100 || code > 699) {
		/* out of range: an error, and the result is left alone */
		memset(&res, 0xA5, sizeof(res));
		untouched = res;
		FUZZ_ASSERT(sipoutcome_classify(&in, &res) == SIPOUTCOME_ERANGE);
		FUZZ_ASSERT(memcmp(&res, &untouched, sizeof(res)) == 0);
		FUZZ_ASSERT(sipoutcome_code_effective(code) == NULL);
		return;
	}
	FUZZ_ASSERT(sipoutcome_code_effective(code) != NULL);

	read_reason(sip, &reason);
	(void)sipoutcome_phrase_check(code, phrase, phrase_len);
	safe_len = sipoutcome_phrase_sanitize(safe, sizeof(safe), phrase,
			phrase_len);
	FUZZ_ASSERT(safe_len <= SIPOUTCOME_PHRASE_MAX && safe[safe_len] == '\0');
	FUZZ_ASSERT(fuzz_utf8_valid(safe, safe_len));
	FUZZ_ASSERT(!fuzz_has_ctrl(safe, safe_len));

	if(sip->call_id != NULL && osip_call_id_to_str(sip->call_id, &callid) != 0)
		callid = NULL;

	in.reason = phrase;
	in.reason_len = phrase_len;
	in.q850 = reason.q850;
	classify(&in, callid, phrase, phrase_len, reason.q850);
	in.flags = SIPOUTCOME_CTX_RINGING | SIPOUTCOME_CTX_REPLIED;
	classify(&in, callid, phrase, phrase_len, reason.q850);
	/* Reason: SIP;cause= names a code, always in range */
	if(reason.sip_cause >= 0) {
		in.code = reason.sip_cause;
		in.flags = 0;
		classify(&in, callid, phrase, phrase_len, reason.q850);
	}
	osip_free(callid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	osip_message_t *sip;

	init_once();
	if(osip_message_init(&sip) != 0)
		return 0;
	if(osip_message_parse(sip, (const char *)data, size) == 0
			&& MSG_IS_RESPONSE(sip))
		on_response(sip);
	osip_message_free(sip);
	return 0;
}
