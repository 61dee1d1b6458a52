/*
 * The reply path: per-transaction call context from tm callbacks and the
 * outcome of a transaction (which reply, which branch, local or remote,
 * ringing, canceled, timeout).
 *
 * OpenSIPS 3.6 tm facts relied on (modules/tm): TMCB_RESPONSE_OUT runs
 * after a reply was sent upstream: every relayed reply, provisional or
 * final (relay_reply, under the reply lock, ps->rpl the received pkg
 * reply, tm's stored shm copy or FAKED_REPLY), and every local final
 * (_reply_light, FAKED_REPLY, relaied_reply_branch -2); ps->extra1 is the
 * buffer sent (str *). A branch tm ended with a faked reply keeps
 * uac[b].reply == FAKED_REPLY and last_received == 408 when its timer
 * fired; T_UAC_HAS_RECV_REPLY marks a branch the next hop answered (a
 * 100 counts); was_cancelled() the caller's CANCEL. TMCB_RESPONSE_IN runs
 * for every received reply before onreply_route, on the pkg reply;
 * TMCB_ON_FAILURE when all branches failed, with T set to the transaction
 * and the reply lock held. Post-script callbacks run by priority, so ours
 * (priority 1) runs before tm's cleanup.
 */
#include <stdint.h>
#include <string.h>

#include "../../data_lump_rpl.h"
#include "../../dprint.h"
#include "../../error.h"
#include "../../parser/parse_cseq.h"
#include "../../route.h"
#include "../../script_cb.h"
#include "../tm/h_table.h"
#include "../tm/t_reply.h"

#include "os_mod.h"

static int os_tmcb_types;

/* sipoutcome_vendor() before tracking started: kept for that request */
static unsigned int os_pending_id;
static int os_pending_vendor;

static void os_tm_cb(struct cell *t, int type, struct tmcb_params *ps);

/* The state word of a transaction the module tracks, or NULL. */
static os_tword_t *tword_get(struct cell *t)
{
	struct tm_callback *cb;

	if (t == NULL || t == T_UNDEFINED)
		return NULL;
	for (cb = t->tmcb_hl.first; cb; cb = cb->next)
		if (cb->callback == os_tm_cb)
			return (os_tword_t *)&cb->param;
	return NULL;
}

static uintptr_t ts_set(os_tword_t *w, uintptr_t bits)
{
	return __atomic_fetch_or(w, bits, __ATOMIC_ACQ_REL);
}

static uintptr_t ts_get(os_tword_t *w)
{
	return w ? __atomic_load_n(w, __ATOMIC_ACQUIRE) : 0;
}

/* What one final reply tells about the call. */
typedef struct os_call {
	int code;
	str reason;
	int local;
	int timeout;
	int replied; /* the next hop sent some reply (a 100 counts) */
	int branch;
	int q850;
	int retry_after;
	int sent; /* the code tm sent instead of code (a 503 as 500), 0 */
} os_call_t;

static void on_response_out(struct cell *t, os_tword_t *st, int code,
		struct sip_msg *rpl, const str *sent);

/* Start tracking t, created by req; 0, or -1 when tm refused. */
static int track_t(struct sip_msg *req, struct cell *t, uintptr_t w)
{
	w |= OS_W_SET;
	if (os_pending_vendor > 0 && os_pending_id == req->id)
		w |= (uintptr_t)os_pending_vendor << OS_W_VENDOR_SHIFT;
	if (os_tmb.register_tmcb(req, t, os_tmcb_types, os_tm_cb, (void *)w, 0)
			<= 0) {
		LM_ERR("cannot register tm callbacks; call left unclassified\n");
		return -1;
	}
	return 0;
}

/* track = tm: every transaction tm creates. */
static void on_request_in(struct cell *t, int type, struct tmcb_params *ps)
{
	if (ps->req != NULL && (ps->req->REQ_METHOD & os_methods_mask))
		(void)track_t(ps->req, t, 0);
}

/* track = route (default): after the request route, the transaction it
 * created is still the current one. What went upstream before tracking
 * started is read from the transaction under tm's reply lock: an 18x is
 * ringing, a final is classified now (once: OS_W_DONE). */
static int post_request(struct sip_msg *msg, void *param)
{
	struct cell *t;
	os_tword_t *st;
	str sent;
	int status, b;

	if (!(msg->REQ_METHOD & os_methods_mask))
		return SCB_RUN_ALL;
	t = os_tmb.t_gett();
	/* only the request that created the transaction starts tracking it */
	if (t == NULL || t == T_UNDEFINED || t->uas.request == NULL
			|| t->uas.request->id != msg->id || tword_get(t) != NULL)
		return SCB_RUN_ALL;
	status = t->uas.status;
	if (track_t(msg, t, (status >= 180 && status < 190) ? OS_W_RINGING : 0) < 0)
		return SCB_RUN_ALL;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (t->uas.status < 180 || (st = tword_get(t)) == NULL)
		return SCB_RUN_ALL; /* the usual case: nothing sent but a 100 */
	LOCK_REPLIES(t);
	status = t->uas.status;
	if (status >= 180 && status < 190) {
		ts_set(st, OS_W_RINGING);
	} else if (status >= 200 && t->uas.response.buffer.s != NULL) {
		sent = t->uas.response.buffer;
		b = t->relaied_reply_branch;
		on_response_out(t, st, status,
			(b >= 0 && b < t->nr_of_outgoings) ? t->uac[b].reply : FAKED_REPLY,
			&sent);
	}
	UNLOCK_REPLIES(t);
	return SCB_RUN_ALL;
}

int os_tm_init(void)
{
	/* Ringing and the outcome come from the replies sent upstream
	 * (TMCB_RESPONSE_OUT). TMCB_RESPONSE_IN is needed only to mark up
	 * replies with their outcome, TMCB_ON_FAILURE only to send the
	 * proxy's own timeout reply; keep and normalize need neither
	 * (os_response_f). */
	os_tmcb_types = TMCB_RESPONSE_OUT;
	os_rf_mode = (os_auto && os_outcome_header.len == 0
		&& (os_reason_mode == OS_RM_KEEP || os_reason_mode == OS_RM_NORMALIZE))
		? os_reason_mode : -1;
	if (os_auto && (os_reason_mode == OS_RM_ANNOTATE
			|| os_reason_mode == OS_RM_REWRITE || os_outcome_header.len > 0))
		os_tmcb_types |= TMCB_RESPONSE_IN | TMCB_ON_FAILURE;
	if (os_track == OS_TRACK_ROUTE) {
		if (__register_script_cb(post_request, POST_SCRIPT_CB | REQ_TYPE_CB,
				0, 1) < 0) {
			LM_ERR("cannot register the post-script callback\n");
			return -1;
		}
	} else if (os_tmb.register_tmcb(0, 0, TMCB_REQUEST_IN, on_request_in, 0, 0)
			<= 0) {
		LM_ERR("cannot register the TMCB_REQUEST_IN callback\n");
		return -1;
	}
	return 0;
}

/* sipoutcome_vendor(): the profile of the current call. 1, or -1 for an
 * unknown name (the call keeps its profile). */
int os_vendor_set(struct sip_msg *msg, const str *name)
{
	os_tword_t *w;
	uintptr_t old, nw;
	int id;

	os_profiles_refresh();
	if (os_profile_by_name(name->s, name->len) == NULL) {
		LM_ERR("unknown vendor profile '%.*s'; the call keeps its profile\n",
			name->len, name->s);
		return -1;
	}
	id = os_vendor_id(name->s, name->len);
	if (id < 0)
		return -1;
	w = tword_get(os_tmb.t_gett());
	if (w == NULL) {
		os_pending_id = msg->id;
		os_pending_vendor = id;
		return 1;
	}
	old = ts_get(w);
	do {
		nw = (old & ~(uintptr_t)OS_W_VENDOR_MASK)
			| ((uintptr_t)id << OS_W_VENDOR_SHIFT);
	} while (!__atomic_compare_exchange_n(w, &old, nw, 0, __ATOMIC_ACQ_REL,
			__ATOMIC_ACQUIRE));
	return 1;
}

static void callid_of(struct cell *t, struct sip_msg *msg, str *out)
{
	out->s = NULL;
	out->len = 0;
	if (t != NULL && t != T_UNDEFINED && t->uas.request
			&& t->uas.request->callid)
		*out = t->uas.request->callid->body;
	else if (msg != NULL && msg != FAKED_REPLY
			&& (msg->callid || parse_headers(msg, HDR_CALLID_F, 0) >= 0)
			&& msg->callid)
		*out = msg->callid->body;
}

/* tm's timer ended branch b, whose faked 408 tm stored (timer.c
 * fake_reply; a branch relayed at once is not stored). */
static int branch_timeout(struct cell *t, int b)
{
	return t->uac[b].reply == FAKED_REPLY && t->uac[b].last_received == 408;
}

static int branch_replied(struct cell *t, int b)
{
	return (t->uac[b].flags & T_UAC_HAS_RECV_REPLY) != 0;
}

/* The profile of a call, looked up by name: a reload in between never
 * leaves a dangling pointer. */
static const sipoutcome_profile_t *word_profile(uintptr_t w)
{
	const sipoutcome_profile_t *p;
	const char *name;
	int id = (int)((w & OS_W_VENDOR_MASK) >> OS_W_VENDOR_SHIFT);

	if (id == 0 || (name = os_vendor_name(id)) == NULL)
		return os_default_profile;
	p = os_profile_by_name(name, strlen(name));
	return p ? p : os_default_profile;
}

/* Classify the call and make it the current outcome ($outcome, the log
 * line, the event). 0, or -1 when the code cannot be classified. */
static int classify_call(struct cell *t, os_tword_t *st, os_call_t *c,
		struct sip_msg *msg, sipoutcome_result_t *r)
{
	sipoutcome_input_t in;
	uintptr_t f = ts_get(st);
	int canceled = t && t != T_UNDEFINED && was_cancelled(t);
	str callid;

	os_profiles_refresh();
	sipoutcome_input_init(&in);
	in.code = c->code;
	in.reason = c->reason.s;
	in.reason_len = c->reason.len > 0 ? (size_t)c->reason.len : 0;
	in.q850 = c->q850;
	in.profile = word_profile(f);
	if (f & OS_W_RINGING)
		in.flags |= SIPOUTCOME_CTX_RINGING;
	if (canceled)
		in.flags |= SIPOUTCOME_CTX_CANCELED;
	if (c->replied)
		in.flags |= SIPOUTCOME_CTX_REPLIED;
	if (c->local)
		in.flags |= SIPOUTCOME_CTX_LOCAL;
	if (c->timeout)
		in.flags |= SIPOUTCOME_CTX_TIMEOUT;
	if (sipoutcome_classify(&in, r) != SIPOUTCOME_OK) {
		/* a code SIP does not allow: still one defined outcome */
		if (c->code < 200
				|| sipoutcome_result_invalid(c->code, in.profile, r)
				!= SIPOUTCOME_OK)
			return -1;
	}
	callid_of(t, msg, &callid);
	os_fill_current(msg, r, c->local, (f & OS_W_RINGING) != 0, canceled,
		c->timeout, c->branch, c->q850, c->retry_after, &c->reason, &callid);
	os_cur.sent = c->sent;
	return 0;
}

/* ---- tm callbacks ---- */

/* annotate, rewrite or outcome_header: the reply's own outcome goes on it
 * before tm relays or stores it. */
static void on_response_in(struct cell *t, os_tword_t *st, struct tmcb_params *ps)
{
	struct sip_msg *rpl = ps->rpl;
	sipoutcome_result_t r;
	os_call_t c;

	if (rpl == NULL || rpl == FAKED_REPLY || ps->code < 200
			|| t->uas.status >= 200)
		return; /* provisional, or late after the final answer */
	/* the 200 answering tm's own CANCEL is not an answer to the call */
	if (rpl->cseq == NULL && parse_headers(rpl, HDR_CSEQ_F, 0) < 0)
		return;
	if (rpl->cseq == NULL || get_cseq(rpl)->method_id == METHOD_CANCEL)
		return;
	memset(&c, 0, sizeof(c));
	c.replied = 1;
	c.code = ps->code;
	c.reason = rpl->first_line.u.reply.reason;
	c.branch = os_tmb.get_branch_index();
	os_buf_headers(rpl->buf, rpl->len, &c.q850, &c.retry_after);
	if (classify_call(t, st, &c, rpl, &r) == 0)
		os_reason_apply(rpl, os_reason_mode, &r, 1);
}

/* The proxy's own timeout reply: with no failure_route armed, send it
 * ourselves so that the phrase and header can carry the outcome. */
static void on_failure(struct cell *t, os_tword_t *st, struct tmcb_params *ps)
{
	char phrase[SIPOUTCOME_PHRASE_MAX + 1], hdr[160];
	sipoutcome_result_t r;
	os_call_t c;
	str text;
	int b, n, hn, rt, rc;

	if (ps->rpl != FAKED_REPLY || ps->req == NULL || was_cancelled(t)
			|| t->on_negative != NULL)
		return;
	b = os_tmb.t_get_picked();
	if (b < 0 || b >= t->nr_of_outgoings || !branch_timeout(t, b))
		return;
	memset(&c, 0, sizeof(c));
	c.code = 408;
	c.local = 1;
	c.timeout = 1;
	c.replied = branch_replied(t, b);
	c.branch = -1;
	c.q850 = -1;
	c.retry_after = -1;
	c.reason.s = error_text(c.code);
	c.reason.len = strlen(c.reason.s);
	if (classify_call(t, st, &c, NULL, &r) < 0)
		return;
	n = os_choose_phrase(os_reason_mode, &r, &c.reason, phrase, sizeof(phrase));
	text.s = n > 0 ? phrase : c.reason.s;
	text.len = n > 0 ? n : c.reason.len;
	if (os_outcome_header.len > 0) {
		hn = os_outcome_header_fmt(&r, hdr, sizeof(hdr));
		if (hn > 0 && add_lump_rpl(ps->req, hdr, hn, LUMP_RPL_HDR) == NULL)
			LM_ERR("cannot add the outcome header to the local reply\n");
	}
	/* set first: tm runs TMCB_RESPONSE_OUT inside the reply */
	ts_set(st, OS_W_LOCAL_REPLY);
	/* tm's t_reply() takes the lock-free path (the reply lock is held
	 * here) only in a failure route; tm_binds has no t_reply_unsafe */
	swap_route_type(rt, FAILURE_ROUTE);
	rc = os_tmb.t_reply(ps->req, c.code, &text);
	set_route_type(rt);
	if (rc < 0)
		LM_ERR("cannot send the local %d reply; tm sends its own\n", c.code);
}

/* A final went upstream: which reply, which branch, local or remote. */
static void call_of_final(struct cell *t, os_tword_t *st, int code,
		struct sip_msg *rpl, const str *sent, os_call_t *c)
{
	int b = t->relaied_reply_branch, i;

	memset(c, 0, sizeof(*c));
	/* the next hop's code is classified; tm sends a relayed 503 as 500
	 * unless disable_503_translation (msg_translator.c): the code the
	 * caller got is then `sent`, as the Kamailio module reports it */
	c->code = code;
	if (os_sent_code(sent, code) != code)
		c->sent = os_sent_code(sent, code);
	c->q850 = -1;
	c->retry_after = -1;
	c->branch = b;
	if (b >= 0 && b < t->nr_of_outgoings) {
		/* the branch relayed at once is not stored: its faked 408 is rpl */
		c->timeout = branch_timeout(t, b) || (rpl == FAKED_REPLY && code == 408);
		c->replied = branch_replied(t, b);
	} else {
		c->branch = -1;
		for (i = 0; i < t->nr_of_outgoings; i++) {
			c->timeout |= branch_timeout(t, i);
			c->replied |= branch_replied(t, i);
		}
	}
	if (c->branch >= 0 && rpl != NULL && rpl != FAKED_REPLY) {
		/* the reply relayed, pkg or tm's shm copy: read, never changed */
		c->reason = rpl->first_line.u.reply.reason;
		if (c->code >= 300)
			os_buf_headers(rpl->buf, rpl->len, &c->q850, &c->retry_after);
	} else if (c->branch >= 0 && rpl == NULL) {
		/* relayed before tracking started: what the caller got is it */
		os_phrase_of_buf(sent, &c->reason);
		if (c->code >= 300 && sent != NULL)
			os_buf_headers(sent->s, sent->len, &c->q850, &c->retry_after);
	} else {
		c->local = 1;
		c->branch = -1;
		if (ts_get(st) & OS_W_LOCAL_REPLY) {
			/* our own timeout reply: tm's phrase, not our annotation */
			c->reason.s = error_text(code);
			c->reason.len = strlen(c->reason.s);
		} else {
			os_phrase_of_buf(sent, &c->reason);
		}
	}
}

static void on_response_out(struct cell *t, os_tword_t *st, int code,
		struct sip_msg *rpl, const str *sent)
{
	sipoutcome_result_t r;
	os_call_t c;

	if (code < 200 || !os_auto)
		return;
	if (ts_set(st, OS_W_DONE) & OS_W_DONE)
		return; /* counted and logged once per transaction */
	call_of_final(t, st, code, rpl, sent, &c);
	/* a pkg reply is the message this process handles; else no message */
	if (classify_call(t, st, &c,
			(rpl != NULL && rpl != FAKED_REPLY
				&& !(rpl->msg_flags & FL_SHM_CLONE)) ? rpl : NULL, &r) < 0)
		return;
	os_count(r.tag, r.klass, r.vendor);
	os_log_current();
	os_event_raise();
}

static void os_tm_cb(struct cell *t, int type, struct tmcb_params *ps)
{
	os_tword_t *st = (os_tword_t *)ps->param;

	if (st == NULL || *st == 0)
		return;
	switch (type) {
	case TMCB_RESPONSE_OUT:
		if (ps->code >= 200)
			on_response_out(t, st, ps->code, ps->rpl, (str *)ps->extra1);
		else if (ps->code >= 180 && ps->code < 190)
			ts_set(st, OS_W_RINGING); /* an 18x went upstream */
		break;
	case TMCB_RESPONSE_IN:
		on_response_in(t, st, ps);
		break;
	case TMCB_ON_FAILURE:
		on_failure(t, st, ps);
		break;
	default:
		break;
	}
}

/* ---- sipoutcome_classify() from a script ---- */

/* The reply being handled (onreply_route) or the winning reply of the
 * transaction (failure_route); -1 when there is none. */
static int call_of_script(struct sip_msg *msg, struct cell *t, os_call_t *c)
{
	struct sip_msg *rpl;
	int b;

	memset(c, 0, sizeof(*c));
	c->q850 = -1;
	c->retry_after = -1;
	c->branch = -1;
	if (msg->first_line.type == SIP_REPLY) {
		c->code = msg->REPLY_STATUS;
		if (c->code < 200)
			return -1;
		c->reason = msg->first_line.u.reply.reason;
		c->replied = 1;
		os_buf_headers(msg->buf, msg->len, &c->q850, &c->retry_after);
		if (t != NULL && t != T_UNDEFINED)
			c->branch = os_tmb.get_branch_index();
		return 0;
	}
	b = os_tmb.t_get_picked();
	if (t == NULL || t == T_UNDEFINED || b < 0 || b >= t->nr_of_outgoings)
		return -1;
	rpl = t->uac[b].reply;
	c->code = t->uac[b].last_received;
	if (c->code < 200)
		c->code = 408; /* no final: tm's timeout */
	c->branch = b;
	c->timeout = branch_timeout(t, b);
	c->replied = branch_replied(t, b);
	if (rpl == NULL || rpl == FAKED_REPLY) {
		c->local = 1;
		c->reason.s = error_text(c->code);
		c->reason.len = strlen(c->reason.s);
	} else {
		c->reason = rpl->first_line.u.reply.reason;
		os_buf_headers(rpl->buf, rpl->len, &c->q850, &c->retry_after);
	}
	return 0;
}

/**
 * sipoutcome_classify() (for_script 1) and the classification behind
 * sipoutcome_reason() (0): the current outcome from the reply at hand.
 * @returns 1, or -1 when there is no final reply to classify.
 */
int os_classify_current(struct sip_msg *msg, int for_script)
{
	struct cell *t = os_tmb.t_gett();
	os_tword_t *st = tword_get(t);
	sipoutcome_result_t r;
	os_call_t c;

	if (call_of_script(msg, t, &c) < 0 || classify_call(t, st, &c, msg, &r) < 0)
		return -1;
	/* With auto on, a tracked transaction is logged once, when its final
	 * was sent; with auto off the first script call logs it. Without
	 * transaction state every call logs: there is nothing to remember. */
	if (for_script && (!os_auto || st == NULL)
			&& (st == NULL || !(ts_set(st, OS_W_DONE) & OS_W_DONE))) {
		os_count_current();
		os_log_current();
		os_event_raise();
	}
	return 1;
}
