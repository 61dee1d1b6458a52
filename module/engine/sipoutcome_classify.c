/*
 * Classification of one response into an outcome. The precedence is
 * documented in include/sipoutcome.h (sipoutcome_classify) and README.md.
 */
#include <string.h>

#include "internal.h"

void sipoutcome_input_init(sipoutcome_input_t *in)
{
	if(in == NULL)
		return;
	memset(in, 0, sizeof(*in));
	in->q850 = -1;
	in->cancel_q850 = -1;
}

/* The fields a precedence step may set; 0 means "not decided yet". */
typedef struct acc {
	sipoutcome_tag_t tag;
	sipoutcome_category_t category;
	sipoutcome_retry_t retry;
	sipoutcome_blame_t blame;
	const char *hint;
	const char *rewrite;
	const char *decided_by;
	int cause; /* Q.850 cause a profile rule reports, -1 none */
} acc_t;

static void fill(acc_t *a, sipoutcome_tag_t tag, sipoutcome_category_t cat,
		sipoutcome_retry_t retry, sipoutcome_blame_t blame, const char *by)
{
	if(a->tag == SIPOUTCOME_TAG_NONE && tag != SIPOUTCOME_TAG_NONE) {
		a->tag = tag;
		a->decided_by = by;
	}
	if(a->category == SIPOUTCOME_CAT_NONE)
		a->category = cat;
	if(a->retry == SIPOUTCOME_RETRY_NONE)
		a->retry = retry;
	if(a->blame == SIPOUTCOME_BLAME_NONE)
		a->blame = blame;
}

/* The passes over a profile's rules: those with canceled=1 (in the
 * CANCEL step), those naming a Q.850 cause, the others. */
enum { PASS_OTHER = 0, PASS_CAUSE, PASS_CANCEL };

static void step_profile(const sipoutcome_input_t *in, acc_t *a, int pass);
static int ringing_no_answer(
		const sipoutcome_input_t *in, sipoutcome_category_t cat);

/* Step 1 for a call the caller canceled (RFC 3261 §9.1): the CANCEL's
 * own Reason (RFC 3326 §3.1 answered elsewhere; a Q.850 cause with an
 * outcome, e.g. FreeSWITCH's and Asterisk's 19 when their ring timer
 * gave up), then the profile's canceled=1 rules (a dialer's CANCEL read
 * as a no-answer, seed 003), then the generic CANCELED. */
static void step_cancel(const sipoutcome_input_t *in, acc_t *a)
{
	const sipoutcome_q850_t *q = sipoutcome_q850_lookup(in->cancel_q850);

	if((in->flags & SIPOUTCOME_CTX_ELSEWHERE) || in->cancel_q850 == 26) {
		fill(a, SIPOUTCOME_TAG_CANCELED, SIPOUTCOME_CAT_ANSWERED_ELSEWHERE,
				SIPOUTCOME_RETRY_NO, SIPOUTCOME_BLAME_CALLEE, "context");
		return;
	}
	if(q != NULL && q->tag != SIPOUTCOME_TAG_NONE) {
		if(ringing_no_answer(in, q->category))
			fill(a, SIPOUTCOME_TAG_NO_ANSWER, SIPOUTCOME_CAT_NO_ANSWER,
					SIPOUTCOME_RETRY_LATER, SIPOUTCOME_BLAME_CALLEE, "context");
		else
			fill(a, q->tag, q->category, q->retry, q->blame, "context");
		return;
	}
	step_profile(in, a, PASS_CANCEL);
	fill(a, SIPOUTCOME_TAG_CANCELED, SIPOUTCOME_CAT_CANCELED,
			SIPOUTCOME_RETRY_NO, SIPOUTCOME_BLAME_CALLER, "context");
}

/* Step 1: what the transaction itself tells (RFC 3261 §9.1, §16.7). */
static void step_context(const sipoutcome_input_t *in, acc_t *a)
{
	unsigned int f = in->flags;

	if(in->code >= 200 && in->code < 300) {
		fill(a, SIPOUTCOME_TAG_COMPLETED, SIPOUTCOME_CAT_ANSWERED,
				SIPOUTCOME_RETRY_NO, SIPOUTCOME_BLAME_CALLEE, "context");
		return;
	}
	if((f & SIPOUTCOME_CTX_CANCELED)
			&& (in->code == 487
					|| ((f & SIPOUTCOME_CTX_LOCAL)
							&& (f & SIPOUTCOME_CTX_TIMEOUT)))) {
		step_cancel(in, a);
		return;
	}
	if((f & SIPOUTCOME_CTX_LOCAL) && (f & SIPOUTCOME_CTX_TIMEOUT)) {
		if(f & SIPOUTCOME_CTX_RINGING)
			fill(a, SIPOUTCOME_TAG_NO_ANSWER, SIPOUTCOME_CAT_NO_ANSWER,
					SIPOUTCOME_RETRY_LATER, SIPOUTCOME_BLAME_CALLEE, "context");
		else if(f & SIPOUTCOME_CTX_REPLIED)
			fill(a, SIPOUTCOME_TAG_FAILED, SIPOUTCOME_CAT_TIMEOUT,
					SIPOUTCOME_RETRY_ALTERNATE, SIPOUTCOME_BLAME_NETWORK,
					"context");
		else
			fill(a, SIPOUTCOME_TAG_FAILED, SIPOUTCOME_CAT_NO_RESPONSE,
					SIPOUTCOME_RETRY_ALTERNATE, SIPOUTCOME_BLAME_NETWORK,
					"context");
	}
}

static int rule_matches(
		const so_rule_t *r, const sipoutcome_input_t *in, int pass)
{
	int canceled = (in->flags & SIPOUTCOME_CTX_CANCELED) != 0;

	if((r->canceled == 1) != (pass == PASS_CANCEL))
		return 0;
	if(r->canceled >= 0 && r->canceled != canceled)
		return 0;
	if(pass != PASS_CANCEL && (r->q850 >= 0) != (pass == PASS_CAUSE))
		return 0;
	if(r->q850 >= 0 && r->q850 != in->q850)
		return 0;
	if(r->code >= 0 && r->code != in->code)
		return 0;
	if(r->klass >= 0 && r->klass != in->code / 100)
		return 0;
	if(r->ringing >= 0
			&& r->ringing != ((in->flags & SIPOUTCOME_CTX_RINGING) != 0))
		return 0;
	if(r->phrase != NULL
			&& !so_icontains(in->reason, in->reason_len, r->phrase,
					r->phrase_len))
		return 0;
	return 1;
}

/* Steps 2 and 3: profile rules, those naming a Q.850 cause first; and
 * the rules with canceled=1 in step 1. */
static void step_profile(const sipoutcome_input_t *in, acc_t *a, int pass)
{
	static const char *const by[] = {"profile", "profile-cause", "profile"};
	const so_rule_t *r;
	so_cand_t c;

	if(in->profile == NULL)
		return;
	so_cand_init(&c, in->profile, in->code);
	while((r = so_cand_next(&c)) != NULL) {
		if(!rule_matches(r, in, pass))
			continue;
		fill(a, r->tag, r->category, r->retry, r->blame, by[pass]);
		if(a->hint == NULL)
			a->hint = r->hint;
		if(a->rewrite == NULL)
			a->rewrite = r->rewrite;
		if(a->cause < 0)
			a->cause = r->set_cause;
	}
}

/* After ringing, a callee who could not be reached (unavailable) or a
 * timer that ran out is a callee who did not answer: the rule the code
 * table applies to 408 and 480 after an 18x (RFC 3261 §21.4.9, §21.4.18;
 * Q.850 18 vs 19). */
static int ringing_no_answer(const sipoutcome_input_t *in,
		sipoutcome_category_t cat)
{
	return (in->flags & SIPOUTCOME_CTX_RINGING)
		   && (cat == SIPOUTCOME_CAT_UNAVAILABLE
				   || cat == SIPOUTCOME_CAT_TIMEOUT);
}

/* Step 4: the Q.850 cause's own meaning (data/q850.tsv), when it says
 * more than the code (sipoutcome_q850_decides: RFC 3398 §8.2.6.1 and what
 * Asterisk and FreeSWITCH send with each code). */
static void step_q850(const sipoutcome_input_t *in, acc_t *a)
{
	const sipoutcome_q850_t *q;

	if(!sipoutcome_q850_decides(in->code, in->q850))
		return;
	q = sipoutcome_q850_lookup(in->q850);
	if(ringing_no_answer(in, q->category))
		fill(a, SIPOUTCOME_TAG_NO_ANSWER, SIPOUTCOME_CAT_NO_ANSWER,
				SIPOUTCOME_RETRY_LATER, SIPOUTCOME_BLAME_CALLEE, "q850");
	else
		fill(a, q->tag, q->category, q->retry, q->blame, "q850");
}

/* Step 5: the code table, with the two ringing-dependent codes, the
 * 487 that no caller CANCEL explains, and the unregistered codes a
 * SER-family proxy (Kamailio, OpenSIPS: core/error.h E_SEND, E_BAD_ADDRESS,
 * E_BAD_URI) sends when it cannot reach the next hop: 477 send failure,
 * 478 unresolvable destination, 479 unusable next-hop URI. */
static void step_code(const sipoutcome_input_t *in, acc_t *a,
		const sipoutcome_code_t *row, int registered)
{
	int ringing = (in->flags & SIPOUTCOME_CTX_RINGING) != 0;

	if(!registered) {
		if(in->code >= 477 && in->code <= 479)
			fill(a, SIPOUTCOME_TAG_FAILED, SIPOUTCOME_CAT_UNREACHABLE,
					SIPOUTCOME_RETRY_ALTERNATE, SIPOUTCOME_BLAME_NETWORK,
					"code");
		return;
	}
	if(ringing && (in->code == 408 || in->code == 480)) {
		fill(a, SIPOUTCOME_TAG_NO_ANSWER, SIPOUTCOME_CAT_NO_ANSWER,
				SIPOUTCOME_RETRY_LATER, SIPOUTCOME_BLAME_CALLEE, "code");
		return;
	}
	if(in->code == 487 && !(in->flags & SIPOUTCOME_CTX_CANCELED)) {
		if(ringing)
			fill(a, SIPOUTCOME_TAG_NO_ANSWER, SIPOUTCOME_CAT_NO_ANSWER,
					SIPOUTCOME_RETRY_LATER, SIPOUTCOME_BLAME_CALLEE, "code");
		else
			fill(a, SIPOUTCOME_TAG_FAILED, SIPOUTCOME_CAT_OTHER,
					SIPOUTCOME_RETRY_ALTERNATE, SIPOUTCOME_BLAME_NETWORK,
					"code");
		return;
	}
	fill(a, row->tag, row->category, row->retry, row->blame, "code");
}

/* Step 7: who is to blame, from where the cause was generated (RFC 8606
 * location=, "U" the user, anything else a network) and from who made the
 * reply. location tells apart the callee's side and the network; it does
 * not clear the caller of a wrong number or missing credentials, so a
 * caller's blame stays. A reply the proxy made itself (not a timer) is the
 * proxy's doing unless the code puts it on the caller. */
static void step_blame(const sipoutcome_input_t *in, acc_t *a)
{
	if(a->tag == SIPOUTCOME_TAG_COMPLETED || a->tag == SIPOUTCOME_TAG_CANCELED)
		return;
	if(in->q850 >= 0 && in->location != SIPOUTCOME_LOC_NONE
			&& (a->blame == SIPOUTCOME_BLAME_CALLEE
					|| a->blame == SIPOUTCOME_BLAME_NETWORK
					|| a->blame == SIPOUTCOME_BLAME_UNKNOWN))
		a->blame = in->location == SIPOUTCOME_LOC_USER
						   ? SIPOUTCOME_BLAME_CALLEE
						   : SIPOUTCOME_BLAME_NETWORK;
	if((in->flags & SIPOUTCOME_CTX_LOCAL) && !(in->flags & SIPOUTCOME_CTX_TIMEOUT)
			&& a->blame != SIPOUTCOME_BLAME_CALLER)
		a->blame = SIPOUTCOME_BLAME_PROXY;
}

/* Asterisk app_dial.c handle_cause(): 17 BUSY, 34 CONGESTION, 16/19
 * NOANSWER, anything else CHANUNAVAIL; ANSWER and CANCEL come from the
 * call itself. We map our own tag first so both views agree. */
static sipoutcome_dialstatus_t dialstatus(const acc_t *a, int cause)
{
	switch(a->tag) {
		case SIPOUTCOME_TAG_COMPLETED:
			return SIPOUTCOME_DIAL_ANSWER;
		case SIPOUTCOME_TAG_CANCELED:
			return SIPOUTCOME_DIAL_CANCEL;
		case SIPOUTCOME_TAG_BUSY:
			return a->category == SIPOUTCOME_CAT_DECLINED
						   ? SIPOUTCOME_DIAL_CHANUNAVAIL
						   : SIPOUTCOME_DIAL_BUSY;
		case SIPOUTCOME_TAG_NO_ANSWER:
			return SIPOUTCOME_DIAL_NOANSWER;
		default:
			break;
	}
	if(a->category == SIPOUTCOME_CAT_CONGESTION || cause == 34)
		return SIPOUTCOME_DIAL_CONGESTION;
	return SIPOUTCOME_DIAL_CHANUNAVAIL;
}

int sipoutcome_classify(const sipoutcome_input_t *in, sipoutcome_result_t *out)
{
	const sipoutcome_code_t *own, *row;
	acc_t a;

	if(in == NULL || out == NULL)
		return SIPOUTCOME_EINVAL;
	if(in->code < 100 || in->code > 699)
		return SIPOUTCOME_ERANGE;
	own = sipoutcome_code_lookup(in->code);
	row = own ? own : sipoutcome_code_effective(in->code);

	memset(out, 0, sizeof(*out));
	out->code = in->code;
	out->klass = in->code / 100;
	out->registered = own != NULL;
	out->phrase = row->phrase;
	out->phrase_len = row->phrase_len;
	out->rfc = row->rfc;
	out->vendor = in->profile ? in->profile->name : "rfc";
	out->cause = (in->q850 >= 0 && in->q850 <= 127) ? in->q850 : row->cause;

	if(in->code < 200) {
		out->decided_by = "code";
		out->meaning = row->meaning;
		return SIPOUTCOME_OK;
	}

	memset(&a, 0, sizeof(a));
	a.cause = -1;
	step_context(in, &a);
	step_profile(in, &a, PASS_CAUSE);
	step_profile(in, &a, PASS_OTHER);
	step_q850(in, &a);
	step_code(in, &a, row, own != NULL);
	fill(&a, row->tag, row->category, row->retry, row->blame, "class");
	step_blame(in, &a);

	if(a.cause >= 0 && !(in->q850 >= 0 && in->q850 <= 127))
		out->cause = a.cause;
	out->tag = a.tag;
	out->category = a.category;
	out->retry = a.retry;
	out->blame = a.blame;
	out->hint = a.hint;
	out->meaning = row->meaning;
	out->rewrite = a.rewrite;
	out->decided_by = a.decided_by;
	out->dialstatus = dialstatus(&a, out->cause);
	return SIPOUTCOME_OK;
}

int sipoutcome_result_invalid(int code, const sipoutcome_profile_t *profile,
		sipoutcome_result_t *out)
{
	if(out == NULL)
		return SIPOUTCOME_EINVAL;
	memset(out, 0, sizeof(*out));
	out->code = code;
	out->klass = (code >= 0 && code < 1000) ? code / 100 : 0;
	out->tag = SIPOUTCOME_TAG_FAILED;
	out->category = SIPOUTCOME_CAT_PROTOCOL;
	out->retry = SIPOUTCOME_RETRY_ALTERNATE;
	out->blame = SIPOUTCOME_BLAME_NETWORK;
	out->dialstatus = SIPOUTCOME_DIAL_CHANUNAVAIL;
	out->cause = 111; /* Q.850 protocol error, unspecified */
	out->phrase = "";
	out->rfc = "RFC 3261";
	out->hint = "The next hop sent a status code outside 100-699, which SIP"
				" does not define.";
	out->meaning = out->hint;
	out->vendor = profile ? profile->name : "rfc";
	out->decided_by = "invalid";
	return SIPOUTCOME_OK;
}
