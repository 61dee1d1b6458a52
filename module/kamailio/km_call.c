/*
 * The call's outcome from its transaction: which reply and branch it
 * comes from, whether it was the next hop's (source=remote) or the
 * proxy's own (local), ringing, the caller's CANCEL, a branch timeout;
 * then one classification by the engine, made the current outcome for
 * the script and handed to km_publish.c.
 *
 * tm facts relied on (Kamailio 5.6 modules/tm): TMCB_RESPONSE_SENT runs
 * each time a reply was sent upstream, relayed (the pkg reply or tm's
 * shm copy) or local (FAKED_REPLY, relayed_reply_branch -2 for
 * t_reply()); t->uas.status is the last code sent upstream; T_CANCELED
 * marks the caller's CANCEL; F_RB_TIMEOUT marks a branch whose timer
 * fired; tm stores its own timeout 408 in uac[b].last_received.
 */
#include <stdint.h>
#include <string.h>

#include "core/dprint.h"
#include "core/error.h"
#include "core/parser/msg_parser.h"

#include "km_mod.h"

/* The profile of a call: looked up by name, so that a reload in between
 * never leaves a dangling pointer. */
static const sipoutcome_profile_t *tstate_profile(km_tword_t *st, int branch)
{
	const sipoutcome_profile_t *p;
	const char *name;
	int id = km_branch_vendor(st, branch);

	if(id == 0 || (name = km_vendor_name(id)) == NULL)
		return km_default_profile;
	p = km_profile_by_name(name, strlen(name));
	return p ? p : km_default_profile;
}

static void callid_of(struct cell *t, sip_msg_t *msg, str *out)
{
	out->s = NULL;
	out->len = 0;
	if(t != NULL && t != T_UNDEFINED && t->uas.request
			&& t->uas.request->callid)
		*out = t->uas.request->callid->body;
	else if(msg && msg != FAKED_REPLY
			&& (msg->callid || parse_headers(msg, HDR_CALLID_F, 0) >= 0)
			&& msg->callid)
		*out = msg->callid->body;
}

/* The next hop sent some reply on branch b (a 100 counts). Not
 * last_received: tm stores its own timeout 408 there. A provisional
 * switches the branch to fr_inv_timer (F_RB_FR_INV); a relayed reply
 * marks it F_RB_REPLIED. */
static int km_branch_replied(struct cell *t, int b)
{
	return (t->uac[b].request.flags & (F_RB_REPLIED | F_RB_FR_INV)) != 0;
}

void km_call_all_branches(struct cell *t, km_call_t *c)
{
	int b;

	c->branch = -1;
	for(b = 0; b < t->nr_of_outgoings; b++) {
		if(t->uac[b].request.flags & F_RB_TIMEOUT)
			c->timeout = 1;
		c->replied |= km_branch_replied(t, b);
	}
}


/* Tags of recent calls for counting alone (log off, no event route):
 * sipoutcome_classify() is a pure function of code, context flags, Q.850
 * cause, profile and phrase, and a (profile, code) whose rules never read
 * the phrase (sipoutcome_profile_reads_phrase) gives the same tag for
 * every phrase. A reload of this process's profiles (km_profiles_gen)
 * invalidates every entry. Per process, no locking. */
#define KM_TCACHE_SIZE 64 /* a power of 2 */
static struct km_tcache {
	const sipoutcome_profile_t *p;
	unsigned int key;	/* code | flags << 10 | (q850 + 1) << 16
				   | location << 24 */
	unsigned int gen;	/* km_profiles_gen + 1; 0: empty */
	sipoutcome_tag_t tag;
	const char *vendor; /* the profile's name */
} km_tcache[KM_TCACHE_SIZE];

static struct km_tcache *tcache_slot(
		const sipoutcome_profile_t *p, unsigned int key)
{
	uintptr_t h = (key * 2654435761u) ^ ((uintptr_t)p >> 4);
	return &km_tcache[(h ^ (h >> 16)) & (KM_TCACHE_SIZE - 1)];
}

/* The last classification of this process. With reply edits on, tm
 * hands the module each final twice, in TMCB_RESPONSE_IN to edit it and
 * in TMCB_RESPONSE_SENT to log it, and sipoutcome_classify() is a pure
 * function of its input, whose result points only into the profile set
 * and the engine's tables: the same input (phrase bytes included) under
 * the same profiles (km_profiles_gen) gives the saved result. The
 * comparison covers every field of sipoutcome_input_t (a field added
 * there must be added here). A phrase over KM_MEMO_REASON bytes is not
 * remembered. Per process, no locking. */
#define KM_MEMO_REASON 64
static struct {
	sipoutcome_input_t in; /* in.reason points to reason below */
	char reason[KM_MEMO_REASON];
	unsigned int gen; /* km_profiles_gen + 1; 0: empty */
	int rc;
	sipoutcome_result_t r;
} km_memo;

static int classify_memo(const sipoutcome_input_t *in, sipoutcome_result_t *r)
{
	const sipoutcome_input_t *m = &km_memo.in;
	size_t n = in->reason ? in->reason_len : 0;

	if(km_memo.gen == km_profiles_gen + 1 && m->code == in->code
			&& m->flags == in->flags && m->q850 == in->q850
			&& m->profile == in->profile && m->location == in->location
			&& m->cancel_q850 == in->cancel_q850 && m->reason_len == n
			&& (n == 0 || memcmp(km_memo.reason, in->reason, n) == 0)) {
		*r = km_memo.r;
		return km_memo.rc;
	}
	km_memo.rc = sipoutcome_classify(in, r);
	if(n > KM_MEMO_REASON) {
		km_memo.gen = 0; /* a long phrase is not kept */
		return km_memo.rc;
	}
	km_memo.in = *in;
	km_memo.in.reason_len = n;
	if(n > 0)
		memcpy(km_memo.reason, in->reason, n);
	km_memo.r = *r;
	km_memo.gen = km_profiles_gen + 1;
	return km_memo.rc;
}

/* Attempts and timing of the current outcome: the branches tm created,
 * the post-dial delay, and the time since tracking started (setup_ms
 * when the final is going out). Untracked: none known. */
static void call_timing(struct cell *t, km_tword_t *st, uintptr_t f)
{
	km_cur.attempt = 0;
	km_cur.dst_len = 0;
	km_cur.attempts =
			(t != NULL && t != T_UNDEFINED) ? (int)t->nr_of_outgoings : 0;
	km_cur.pdd_ms = st ? km_tw_pdd(f) : -1;
	km_cur.setup_ms = st ? km_tw_elapsed(f, km_now_ms()) : -1;
}

/* Classify the call; with fill, also make it the current outcome
 * ($outcome, the log line, the event route). Without fill only r->tag,
 * r->klass and r->vendor are certain to be set (what km_count reads).
 * 0, or -1 when the code cannot be classified. */
/* The engine's context flags (SIPOUTCOME_CTX_*) of a call; w is its
 * state word. */
static unsigned int call_flags(const km_call_t *c, uintptr_t w, int canceled)
{
	unsigned int flags = 0;

	if(w & KM_W_RINGING)
		flags |= SIPOUTCOME_CTX_RINGING;
	if(canceled)
		flags |= SIPOUTCOME_CTX_CANCELED;
	if(canceled && (w & KM_W_CANCEL_ELSEWHERE))
		flags |= SIPOUTCOME_CTX_ELSEWHERE;
	if(c->replied)
		flags |= SIPOUTCOME_CTX_REPLIED;
	if(c->local)
		flags |= SIPOUTCOME_CTX_LOCAL;
	if(c->timeout)
		flags |= SIPOUTCOME_CTX_TIMEOUT;
	return flags;
}

int km_call_classify(struct cell *t, km_tword_t *st, km_call_t *c,
		sip_msg_t *msg, sipoutcome_result_t *r, int fill)
{
	sipoutcome_input_t in;
	const sipoutcome_profile_t *prof;
	struct km_tcache *e = NULL;
	uintptr_t f = km_tw_get(st);
	/* tm sets T_CANCELED on the caller's CANCEL (t_fwd.c e2e_cancel) */
	int canceled = t && t != T_UNDEFINED && (t->flags & T_CANCELED);
	unsigned int flags, key = 0;
	str callid;

	km_profiles_refresh();
	prof = tstate_profile(st, c->branch);
	flags = call_flags(c, f, canceled);
	/* a canceled call's outcome also depends on its CANCEL's Reason:
	 * not cached */
	if(!fill && !canceled && c->code >= 200 && c->code <= 699
			&& c->q850 >= -1 && c->q850 <= 127) {
		key = (unsigned int)c->code | flags << 10
			  | (unsigned int)(c->q850 + 1) << 16
			  | (unsigned int)c->q850_loc << 24;
		e = tcache_slot(prof, key);
		if(e->gen == km_profiles_gen + 1 && e->key == key && e->p == prof) {
			r->tag = e->tag;
			r->klass = c->code / 100;
			r->vendor = e->vendor;
			return 0;
		}
	}
	sipoutcome_input_init(&in);
	in.code = c->code;
	in.reason = c->reason.s;
	in.reason_len = c->reason.len > 0 ? (size_t)c->reason.len : 0;
	in.q850 = c->q850;
	in.location = c->q850_loc;
	in.cancel_q850 = canceled ? km_cancel_q850(f) : -1;
	in.profile = prof;
	in.flags = flags;
	if(classify_memo(&in, r) != SIPOUTCOME_OK) {
		/* a code SIP does not allow (Kamailio relays any 3 digits):
		 * the next hop broke the protocol; still one defined outcome */
		if(c->code < 200
				|| sipoutcome_result_invalid(c->code, in.profile, r)
						   != SIPOUTCOME_OK)
			return -1;
	}
	if(e != NULL && !sipoutcome_profile_reads_phrase(prof, c->code)) {
		e->p = prof;
		e->key = key;
		e->gen = km_profiles_gen + 1;
		e->tag = r->tag;
		e->vendor = r->vendor;
	}
	if(!fill)
		return 0;
	callid_of(t, msg, &callid);
	km_fill_current(r, c->local, (f & KM_W_RINGING) != 0, canceled,
			c->timeout, c->branch, c->q850, c->retry_after, &c->reason,
			&callid);
	km_cur.sent = c->sent;
	km_cur.in_dialog = (f & KM_W_IN_DIALOG) != 0;
	call_timing(t, st, f);
	return 0;
}

/* Which branch the final sent upstream (ps) comes from, and whether it is
 * the next hop's answer: into c. Returns the reply as received when it is
 * at hand (pkg, or tm's shm copy: read, never parsed or changed), else
 * NULL; *rebuilt is set when tm sent its own reply for a received final
 * (503 sent as 500, merged 401/407). */
static sip_msg_t *call_branch(struct cell *t, struct tmcb_params *ps,
		km_call_t *c, int *rebuilt)
{
	int b = t->relayed_reply_branch;

	*rebuilt = 0;
	c->branch = b;
	if(b < 0 || b >= t->nr_of_outgoings) {
		km_call_all_branches(t, c);
		return NULL;
	}
	c->timeout = (t->uac[b].request.flags & F_RB_TIMEOUT) != 0;
	c->replied = km_branch_replied(t, b);
	if(ps->rpl != NULL && ps->rpl != FAKED_REPLY)
		return ps->rpl;
	if(!c->timeout && t->uac[b].last_received >= 200
			&& !(t->flags & T_CANCELED))
		*rebuilt = 1; /* still the next hop's answer */
	return NULL;
}

/* The phrase, Reason and Retry-After of the final sent upstream, and
 * whether the proxy made it (source=local). */
static void call_reply(struct cell *t, km_tword_t *st, struct tmcb_params *ps,
		km_call_t *c, sip_msg_t *src, int rebuilt)
{
	int b = c->branch;

	if(src != NULL) {
		c->reason = src->first_line.u.reply.reason;
		if(c->code >= 300)
			km_reply_headers(src, c);
	} else if(rebuilt && t->uac[b].last_received == c->code) {
		/* relayed as received, but the reply is not at hand (tracking
		 * started after it was sent): what the caller got is it */
		km_status_line_phrase(&ps->send_buf, &c->reason);
		if(c->code >= 300)
			km_buf_headers(&ps->send_buf, c);
	} else if(rebuilt && km_remap_take(t, b, c)) {
		/* tm sent its 500 for the next hop's 503 (remap_503_500): the
		 * outcome is the 503's, the 500 is reported as sent= */
	} else if(rebuilt) {
		/* the received reply is gone, and so is its Reason header;
		 * the caller got tm's reply with tm's text for the code */
		c->reason.s = error_text(t->uac[b].last_received);
		c->reason.len = strlen(c->reason.s);
	} else {
		c->local = 1;
		c->branch = -1;
		if(km_tw_get(st) & KM_W_LOCAL_REPLY) {
			/* our own timeout reply: report tm's phrase, not our
			 * annotation of it */
			c->reason.s = error_text(c->code);
			c->reason.len = strlen(c->reason.s);
		} else {
			km_status_line_phrase(&ps->send_buf, &c->reason);
		}
	}
}

/* A forked call: what each branch answered, at debug level. */
static void call_debug_branches(struct cell *t)
{
	int i;

	for(i = 0; i < t->nr_of_outgoings; i++)
		LM_DBG("branch %d last_received %d%s\n", i, t->uac[i].last_received,
				(t->uac[i].request.flags & F_RB_TIMEOUT) ? " timeout" : "");
}

void km_call_final(struct cell *t, km_tword_t *st, struct tmcb_params *ps)
{
	sip_msg_t *src;
	sipoutcome_result_t r;
	km_call_t c;
	int fill, rebuilt;

	if(ps->code < 200 || !km_auto)
		return;
	if(km_tw_set(st, KM_W_DONE) & KM_W_DONE)
		return; /* counted and logged once per transaction */
	/* every branch is an attempt that ended before the call did */
	km_attempt_sweep(t, st, 1);
	/* nothing reads the current outcome unless the line is logged or
	 * an event route runs: then only the counters are kept */
	fill = km_publish_wanted() || km_metrics;
	if(!fill && ps->code < 300) {
		/* a 2xx is COMPLETED whatever the profile says (precedence step
		 * 1, test_vendors.c test_2xx_completed_always): count it */
		const sipoutcome_profile_t *p;
		km_profiles_refresh();
		p = tstate_profile(st, t->relayed_reply_branch);
		km_count(SIPOUTCOME_TAG_COMPLETED, 2,
				p ? sipoutcome_profile_name(p) : "rfc");
		return;
	}
	memset(&c, 0, sizeof(c));
	c.code = ps->code;
	c.q850 = -1;
	c.retry_after = -1;
	src = call_branch(t, ps, &c, &rebuilt);
	call_reply(t, st, ps, &c, src, rebuilt);
	if(t->nr_of_outgoings > 1 && is_printable(L_DBG))
		call_debug_branches(t);
	if(km_call_classify(t, st, &c, src, &r, fill) < 0)
		return;
	km_count(r.tag, r.klass, r.vendor);
	if(!fill)
		return;
	km_metrics_call(&r, km_cur.pdd_ms, km_cur.setup_ms);
	km_log_current();
	km_event_route_run(&ps->send_buf);
}

/* failure_route: the winning reply of transaction t into c; 0, or -1
 * when no branch was picked. */
static int call_picked(struct cell *t, km_call_t *c)
{
	int b = km_tmb.t_get_picked_branch();
	sip_msg_t *rpl;

	if(t == NULL || t == T_UNDEFINED || b < 0 || b >= t->nr_of_outgoings)
		return -1;
	rpl = t->uac[b].reply;
	c->code = t->uac[b].last_received;
	if(c->code < 200)
		c->code = 408; /* no final: tm's timeout */
	c->branch = b;
	c->timeout = (t->uac[b].request.flags & F_RB_TIMEOUT) != 0;
	c->replied = km_branch_replied(t, b);
	if(rpl == NULL || rpl == FAKED_REPLY) {
		c->local = 1;
		c->reason.s = error_text(c->code);
		c->reason.len = strlen(c->reason.s);
	} else {
		c->reason = rpl->first_line.u.reply.reason;
		km_reply_headers(rpl, c);
	}
	return 0;
}

/* The transaction of a reply handled in the main onreply_route, where tm
 * has not looked it up yet (the core runs that route before tm's reply
 * processing): tm's own lookup, as t_check_trans() in the script does;
 * tm keeps the result for the same message, so its later processing
 * finds the same transaction. NULL when the reply matches none. */
static struct cell *reply_transaction(sip_msg_t *msg)
{
	struct cell *t = km_tmb.t_gett();

	if((t == NULL || t == T_UNDEFINED) && msg->first_line.type == SIP_REPLY
			&& km_xtmb.t_check_trans(msg) > 0)
		t = km_tmb.t_gett();
	return (t == T_UNDEFINED) ? NULL : t;
}

int km_classify_current(sip_msg_t *msg, int for_script)
{
	struct cell *t = reply_transaction(msg);
	km_tword_t *st = km_tword_get(t);
	sipoutcome_result_t r;
	km_call_t c;

	memset(&c, 0, sizeof(c));
	c.q850 = -1;
	c.retry_after = -1;
	c.branch = -1;
	if(msg->first_line.type == SIP_REPLY) {
		/* onreply_route: the reply being handled */
		c.code = msg->REPLY_STATUS;
		if(c.code < 200)
			return -1;
		c.reason = msg->first_line.u.reply.reason;
		c.replied = 1;
		km_reply_headers(msg, &c);
		if(t != NULL)
			c.branch = km_tmb.t_gett_branch();
	} else if(call_picked(t, &c) < 0) {
		return -1;
	} else {
		/* failure_route: every branch has ended */
		km_attempt_sweep(t, st, 0);
	}
	if(km_call_classify(t, st, &c, msg, &r, 1) < 0)
		return -1;
	/* With auto on, a tracked transaction is logged once, when its
	 * final was sent (TMCB_RESPONSE_SENT); with auto off the first
	 * script call logs it. Without transaction state (a method not in
	 * `methods`, or stateless) every call logs: there is nothing to
	 * remember it in. */
	if(for_script && (!km_auto || st == NULL)
			&& (st == NULL || !(km_tw_set(st, KM_W_DONE) & KM_W_DONE))) {
		km_count_current();
		km_log_current();
	}
	return 1;
}
