/*
 * Tracking a transaction: where the module starts following an INVITE
 * (after the request route, track=route, or at tm's TMCB_REQUEST_IN,
 * track=tm), the per-transaction state word (the param of the module's
 * one tm callback), the vendor chosen for a call, and the dispatch of
 * tm's callbacks to km_call.c (the outcome) and km_edit.c (edits).
 *
 * tm facts relied on (Kamailio 5.6 modules/tm): a module's response_f
 * runs for every reply before tm's (newest module first); TMCB_RESPONSE_IN
 * runs for every reply tm matched, before onreply_route;
 * TMCB_RESPONSE_SENT runs each time a reply was sent upstream,
 * provisional or final, and again with TMCB_RETR_F for tm's
 * retransmissions; post-script callbacks of a request run newest module
 * first, so before tm's own (which drops T).
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/parser/parse_to.h"
#include "core/route.h"
#include "core/script_cb.h"
#include "core/sr_module.h"

#include "km_mod.h"

static int km_tmcb_types;
static int km_edit_types; /* the callback types reply edits need */

/* The state word behind a callback param (the word itself, or the first
 * member of a km_tstate_t with attempts = 1). */
static inline km_tword_t *km_param_word(void **param)
{
	if(param == NULL)
		return NULL;
	return km_attempts ? (km_tword_t *)*param : (km_tword_t *)param;
}

/* sipoutcome_vendor() called before the module tracks the transaction:
 * remembered for the request being routed and taken over when tracking
 * starts (after the request route, or in TMCB_REQUEST_IN). */
static unsigned int km_pending_id;
static int km_pending_pid;
static int km_pending_vendor;
/* the same for one branch (branch_route, before tracking starts) */
static unsigned int km_pending_bv_id;
static int km_pending_bv_pid;
static unsigned char km_pending_bv[KM_MAX_ATTEMPTS];

static void km_tm_cb(struct cell *t, int type, struct tmcb_params *ps);

/* the state word keeps a start time in its upper half */
_Static_assert(sizeof(uintptr_t) >= 8, "sipoutcome needs a 64-bit build");

/* The state word of a transaction the module tracks, or NULL. */
km_tword_t *km_tword_get(struct cell *t)
{
	struct tm_callback *cb;

	if(t == NULL || t == T_UNDEFINED)
		return NULL;
	for(cb = (struct tm_callback *)t->tmcb_hl.first; cb; cb = cb->next) {
		if(cb->callback == km_tm_cb)
			return km_param_word(&cb->param);
	}
	return NULL;
}

/* tm's recursive reply lock (t_reply.c), looked up in tm.so at start-up:
 * tm exports no API for it. Taken around the catch-up below, as tm holds
 * it around its own reply callbacks. */
void (*km_lock_replies)(struct cell *t);
void (*km_unlock_replies)(struct cell *t);

/* A re-INVITE: an INVITE inside a dialog, its To header has a tag (RFC
 * 3261 §12.2.1.1, §14). Outcomes are per call: re-INVITEs are tracked
 * only with in_dialog=1, and marked. Other methods in `methods` (BYE,
 * UPDATE, NOTIFY live in dialogs anyway) are tracked as listed. */
static int km_in_dialog_req(sip_msg_t *req)
{
	if(req->REQ_METHOD != METHOD_INVITE)
		return 0;
	if(req->to == NULL
			&& (parse_headers(req, HDR_TO_F, 0) < 0 || req->to == NULL))
		return 0;
	return get_to(req)->tag_value.len > 0;
}

/* Start tracking transaction t of request req: the state word, with the
 * vendor chosen for req before. 0, or -1 when tm refused or req is not
 * to be tracked (in a dialog, with in_dialog=0). */
static int km_track_t(sip_msg_t *req, struct cell *t, uintptr_t w)
{
	void (*rel)(void *);
	void *param;

	if(km_in_dialog_req(req)) {
		if(!km_in_dialog)
			return -1;
		w |= KM_W_IN_DIALOG;
	}
	w |= KM_W_SET | (uintptr_t)km_now_ms() << KM_W_START_SHIFT;
	if(km_pending_vendor > 0 && km_pending_id == req->id
			&& km_pending_pid == req->pid)
		w |= (uintptr_t)km_pending_vendor << KM_W_VENDOR_SHIFT;
	param = km_tstate_new(w, &rel);
	if(param == NULL)
		return -1;
	if(rel != NULL && km_pending_bv_id == req->id && km_pending_bv_pid == req->pid)
		memcpy(((km_tstate_t *)param)->bvendor, km_pending_bv,
				sizeof(km_pending_bv));
	if(km_tmb.register_tmcb(req, t, km_tmcb_types, km_tm_cb, param, rel)
			<= 0) {
		LM_ERR("cannot register tm callbacks; call left unclassified\n");
		if(rel)
			rel(param);
		return -1;
	}
	return 0;
}

/* The first 18x relayed upstream: ringing, and the post-dial delay. */
static void km_ringing(km_tword_t *st)
{
	uintptr_t w = km_tw_get(st), pdd;
	long ms;

	if(w & KM_W_RINGING)
		return;
	ms = km_tw_elapsed(w, km_now_ms());
	pdd = (uintptr_t)(ms < 0xfffe ? ms + 1 : 0xffff) << KM_W_PDD_SHIFT;
	km_tw_set(st, KM_W_RINGING | pdd);
}

/* track = tm: every transaction tm creates, from TMCB_REQUEST_IN. */
static void km_on_request_in(struct cell *t, int type, struct tmcb_params *ps)
{
	sip_msg_t *req = ps->req;

	if(req == NULL || !(req->REQ_METHOD & km_methods_mask))
		return;
	(void)km_track_t(req, t, 0);
}

/* track = route (default): after the request route, the transaction it
 * created (t_relay(), t_newtran()) is still the current one. Cheaper than
 * TMCB_REQUEST_IN, which tm runs for every new transaction of any method
 * with its AVP lists swapped in. Whatever went upstream before tracking
 * started is read from the transaction: an 18x (uas.status, the last
 * reply sent) is ringing, a final is classified now, under tm's reply
 * lock, so that a final relayed by another process in between is
 * classified exactly once (KM_W_DONE), here or in its callback. */
static void km_track_request(sip_msg_t *msg, struct cell *t)
{
	km_tword_t *st;
	struct tmcb_params ps;
	int status, b;

	status = t->uas.status;
	if(km_track_t(msg, t, 0) < 0)
		return;
	/* tm reads the callback list without a lock: make the registration
	 * visible before looking at what was sent */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if(t->uas.status < 180)
		return; /* the usual case: nothing sent upstream yet but a 100 */
	st = km_tword_get(t);
	if(st == NULL)
		return;
	km_lock_replies(t);
	status = t->uas.status;
	if(status >= 180 && status < 190)
		km_ringing(st);
	else if(status >= 200 && t->uas.response.buffer != NULL) {
		memset(&ps, 0, sizeof(ps));
		ps.req = t->uas.request;
		ps.code = status;
		ps.param = (void **)st;
		ps.send_buf.s = t->uas.response.buffer;
		ps.send_buf.len = (int)t->uas.response.buffer_len;
		b = t->relayed_reply_branch;
		ps.rpl = (b >= 0 && b < t->nr_of_outgoings) ? t->uac[b].reply
												   : FAKED_REPLY;
		ps.flags = b >= 0 ? 0 : TMCB_LOCAL_F;
		km_call_final(t, st, &ps);
	}
	km_unlock_replies(t);
}

static int km_post_request(sip_msg_t *msg, unsigned int flags, void *param)
{
	struct cell *t;

	if(!(msg->REQ_METHOD & km_methods_mask))
		return 1;
	t = km_tmb.t_gett();
	/* only the request that created the transaction starts tracking it
	 * (its shm copy keeps the message's id and pid): a retransmission
	 * handled by another process in the meantime must not register a
	 * second callback */
	if(t == NULL || t == T_UNDEFINED || t->uas.request == NULL
			|| t->uas.request->id != msg->id
			|| t->uas.request->pid != msg->pid || km_tword_get(t) != NULL)
		return 1;
	km_track_request(msg, t);
	return 1;
}

int km_tm_init(void)
{
	struct sr_module *tm;
	char tm_name[] = "tm";

	/* Ringing and the outcome both come from the replies sent upstream
	 * (TMCB_RESPONSE_SENT: an 18x sets ringing, the final is classified):
	 * every callback type costs a dispatch in tm per reply, so the
	 * default is this one; unlike TMCB_RESPONSE_OUT it does not make tm
	 * keep the set of 2xx To-tags. Edits may need more (km_edit_init). */
	km_edit_types = km_edit_init();
	km_tmcb_types = TMCB_RESPONSE_SENT | km_edit_types;
	/* the caller's CANCEL and its Reason header (km_cancel.c): one
	 * dispatch per CANCEL, none per reply */
	km_tmcb_types |= TMCB_E2ECANCEL_IN;
	/* An edit of the reply (annotate, rewrite, outcome_header) needs
	 * TMCB_RESPONSE_IN registered before the request leaves: with several
	 * workers a next hop that answers at once has its final relayed by
	 * another worker before this one's request route has ended, and
	 * nothing can edit a reply already sent. Then tracking starts when tm
	 * creates the transaction, whatever `track` says. */
	if(km_track == KM_TRACK_ROUTE && (km_tmcb_types & TMCB_RESPONSE_IN)) {
		LM_DBG("reply edits on: tracking from TMCB_REQUEST_IN\n");
		km_track = KM_TRACK_TM;
	}
	/* acc writes its record in its own TMCB_RESPONSE_OUT callback, which
	 * tm runs before TMCB_RESPONSE_SENT: with acc loaded the final is
	 * classified at TMCB_RESPONSE_OUT, so $outcome(...) in acc's
	 * log_extra/db_extra has the call's outcome. tm runs a transaction's
	 * callbacks newest first, and the module registers its own after the
	 * request route (track = route), after acc's: it runs first. */
	if(find_module_by_name("acc") != NULL)
		km_tmcb_types |= TMCB_RESPONSE_OUT;
	/* attempts: every final a branch receives. Not TMCB_ON_FAILURE (tm
	 * then builds a faked request for every negative final, ~7,000
	 * instructions): a branch that timed out is published when the
	 * failure_route calls sipoutcome_vendor() or sipoutcome_classify(),
	 * else when the call's final goes out (km_attempt_sweep). */
	if(km_attempts)
		km_tmcb_types |= TMCB_RESPONSE_IN;
	if(km_track == KM_TRACK_ROUTE) {
		tm = find_module_by_name(tm_name);
		if(tm != NULL && tm->handle != NULL) {
			km_lock_replies = (void (*)(struct cell *))dlsym(
					tm->handle, "tm_reply_mutex_lock");
			km_unlock_replies = (void (*)(struct cell *))dlsym(
					tm->handle, "tm_reply_mutex_unlock");
		}
		if(km_lock_replies == NULL || km_unlock_replies == NULL) {
			LM_WARN("tm's reply lock not found; track = tm\n");
			km_track = KM_TRACK_TM;
		}
	}
	if(km_track == KM_TRACK_ROUTE) {
		if(register_script_cb(
				   km_post_request, POST_SCRIPT_CB | REQUEST_CB, 0)
				< 0) {
			LM_ERR("cannot register the post-script callback\n");
			return -1;
		}
	} else if(km_tmb.register_tmcb(
					  0, 0, TMCB_REQUEST_IN, km_on_request_in, 0, 0)
			  <= 0) {
		LM_ERR("cannot register the TMCB_REQUEST_IN callback\n");
		return -1;
	}
	return 0;
}

int km_vendor_set(sip_msg_t *msg, const str *name)
{
	const sipoutcome_profile_t *p;
	km_tword_t *w;
	struct cell *t;
	tm_ctx_t *ctx;
	uintptr_t old, nw;
	int id;

	km_profiles_refresh();
	p = km_profile_by_name(name->s, name->len);
	if(p == NULL) {
		LM_ERR("unknown vendor profile '%.*s'; the call keeps its profile\n",
				name->len, name->s);
		return -1;
	}
	id = km_vendor_id(name->s, name->len);
	if(id < 0)
		return -1;
	t = km_tmb.t_gett();
	w = km_tword_get(t);
	/* the branches that ended keep the profile they were tried with */
	if(w != NULL && (get_route_type() & FAILURE_ROUTE))
		km_attempt_sweep(t, w, 0);
	ctx = (km_attempts && (get_route_type() & BRANCH_ROUTE))
				  ? km_tmb.tm_ctx_get()
				  : NULL;
	if(ctx != NULL && ctx->branch_index >= 0
			&& ctx->branch_index < KM_MAX_ATTEMPTS) {
		/* this branch only (tm's branch index while it runs) */
		if(w != NULL) {
			km_branch_vendor_set(w, ctx->branch_index, id);
			return 1;
		}
		/* t_relay() in the request route: tracking starts after it */
		if(km_pending_bv_id != msg->id || km_pending_bv_pid != msg->pid) {
			memset(km_pending_bv, 0, sizeof(km_pending_bv));
			km_pending_bv_id = msg->id;
			km_pending_bv_pid = msg->pid;
		}
		km_pending_bv[ctx->branch_index] = (unsigned char)(id + 1);
		return 1;
	}
	if(w != NULL) {
		old = km_tw_get(w);
		do {
			nw = (old & ~(uintptr_t)KM_W_VENDOR_MASK)
				 | ((uintptr_t)id << KM_W_VENDOR_SHIFT);
		} while(!__atomic_compare_exchange_n(
				w, &old, nw, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
		return 1;
	}
	km_pending_id = msg->id;
	km_pending_pid = msg->pid;
	km_pending_vendor = id;
	return 1;
}

static void km_tm_cb(struct cell *t, int type, struct tmcb_params *ps)
{
	km_tword_t *st = km_param_word(ps->param);

	if(st == NULL || *st == 0)
		return;
	switch(type) {
		case TMCB_RESPONSE_SENT:
			if(ps->flags & TMCB_RETR_F)
				break; /* tm's retransmission: nothing new */
			if(ps->code >= 200)
				km_call_final(t, st, ps);
			else if(ps->code >= 180 && ps->code < 190)
				km_ringing(st); /* an 18x went upstream */
			break;
		case TMCB_RESPONSE_OUT: /* only with acc loaded: before its record */
			if(ps->code >= 200)
				km_call_final(t, st, ps);
			break;
		case TMCB_RESPONSE_IN:
			if(km_attempts)
				km_attempt_reply_in(t, st, ps);
			if(km_edit_types & TMCB_RESPONSE_IN)
				km_edit_reply_in(t, st, ps);
			break;
		case TMCB_ON_FAILURE:
			if(km_attempts)
				km_attempt_sweep(t, st, 0);
			km_edit_local_timeout(t, st, ps);
			break;
		case TMCB_E2ECANCEL_IN:
			km_cancel_in(t, st, ps);
			break;
		default:
			break;
	}
}
