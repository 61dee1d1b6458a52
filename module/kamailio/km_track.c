/*
 * The reply path: per-transaction call context from tm callbacks,
 * classification of the final response sent upstream, reason-phrase
 * rewriting, the outcome header and event_route[sipoutcome:final].
 *
 * tm facts relied on (Kamailio 5.6 modules/tm): a module's response_f
 * runs for every reply before tm's (newest module first), on the pkg
 * message, so lumps added there are applied when tm relays or stores it;
 * TMCB_RESPONSE_IN runs for every reply tm matched, before onreply_route;
 * TMCB_RESPONSE_SENT runs each time a reply was sent upstream, provisional
 * or final, relayed (the pkg reply or tm's shm copy) or local
 * (FAKED_REPLY, relayed_reply_branch -2 for t_reply()), and again with
 * TMCB_RETR_F for tm's retransmissions; t->uas.status is the last code
 * sent upstream; T_CANCELED marks the caller's CANCEL; F_RB_TIMEOUT
 * marks a branch whose timer fired; post-script callbacks of a request
 * run newest module first, so before tm's own (which drops T).
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/action.h"
#include "core/data_lump.h"
#include "core/data_lump_rpl.h"
#include "core/dprint.h"
#include "core/error.h"
#include "core/kemi.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/msg_translator.h"
#include "core/parser/parse_cseq.h"
#include "core/receive.h"
#include "core/route.h"
#include "core/script_cb.h"
#include "core/sr_module.h"
#include "modules/tm/h_table.h"

#include "so_mod.h"

static int so_evrt_idx = -1;
static int so_tmcb_types;
/* reason_mode as so_response_f applies it (keep, normalize), or -1 */
static int so_rf_mode = -1;
str so_event_callback = STR_NULL;

/* sipoutcome_vendor() called before the module tracks the transaction:
 * remembered for the request being routed and taken over when tracking
 * starts (after the request route, or in TMCB_REQUEST_IN). */
static unsigned int so_pending_id;
static int so_pending_pid;
static int so_pending_vendor;

static void so_tm_cb(struct cell *t, int type, struct tmcb_params *ps);

/* The state word of a transaction the module tracks, or NULL. */
static so_tword_t *so_tword_get(struct cell *t)
{
	struct tm_callback *cb;

	if(t == NULL || t == T_UNDEFINED)
		return NULL;
	for(cb = (struct tm_callback *)t->tmcb_hl.first; cb; cb = cb->next) {
		if(cb->callback == so_tm_cb)
			return (so_tword_t *)&cb->param;
	}
	return NULL;
}

static uintptr_t ts_set(so_tword_t *w, uintptr_t bits)
{
	return __atomic_fetch_or(w, bits, __ATOMIC_ACQ_REL);
}

static uintptr_t ts_get(so_tword_t *w)
{
	return w ? __atomic_load_n(w, __ATOMIC_ACQUIRE) : 0;
}

static void so_on_response_out(
		struct cell *t, so_tword_t *st, struct tmcb_params *ps);

/* tm's recursive reply lock (t_reply.c), looked up in tm.so at start-up:
 * tm exports no API for it. Taken around the catch-up below, as tm holds
 * it around its own reply callbacks. */
static void (*so_lock_replies)(struct cell *t);
static void (*so_unlock_replies)(struct cell *t);

/* Start tracking transaction t of request req: the state word, with the
 * vendor chosen for req before. 0, or -1 when tm refused. */
static int so_track_t(sip_msg_t *req, struct cell *t, uintptr_t w)
{
	w |= SO_W_SET;
	if(so_pending_vendor > 0 && so_pending_id == req->id
			&& so_pending_pid == req->pid)
		w |= (uintptr_t)so_pending_vendor << SO_W_VENDOR_SHIFT;
	if(so_tmb.register_tmcb(req, t, so_tmcb_types, so_tm_cb, (void *)w, 0)
			<= 0) {
		LM_ERR("cannot register tm callbacks; call left unclassified\n");
		return -1;
	}
	return 0;
}

/* track = tm: every transaction tm creates, from TMCB_REQUEST_IN. */
static void so_on_request_in(struct cell *t, int type, struct tmcb_params *ps)
{
	sip_msg_t *req = ps->req;

	if(req == NULL || !(req->REQ_METHOD & so_methods_mask))
		return;
	(void)so_track_t(req, t, 0);
}

/* track = route (default): after the request route, the transaction it
 * created (t_relay(), t_newtran()) is still the current one. Cheaper than
 * TMCB_REQUEST_IN, which tm runs for every new transaction of any method
 * with its AVP lists swapped in. Whatever went upstream before tracking
 * started is read from the transaction: an 18x (uas.status, the last
 * reply sent) is ringing, a final is classified now, under tm's reply
 * lock, so that a final relayed by another process in between is
 * classified exactly once (SO_W_DONE), here or in its callback. */
static void so_track_request(sip_msg_t *msg, struct cell *t)
{
	so_tword_t *st;
	struct tmcb_params ps;
	int status, b;

	status = t->uas.status;
	if(so_track_t(msg, t,
			   (status >= 180 && status < 190) ? SO_W_RINGING : 0)
			< 0)
		return;
	/* tm reads the callback list without a lock: make the registration
	 * visible before looking at what was sent */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if(t->uas.status < 180)
		return; /* the usual case: nothing sent upstream yet but a 100 */
	st = so_tword_get(t);
	if(st == NULL)
		return;
	so_lock_replies(t);
	status = t->uas.status;
	if(status >= 180 && status < 190)
		ts_set(st, SO_W_RINGING);
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
		so_on_response_out(t, st, &ps);
	}
	so_unlock_replies(t);
}

static int so_post_request(sip_msg_t *msg, unsigned int flags, void *param)
{
	struct cell *t;

	if(!(msg->REQ_METHOD & so_methods_mask))
		return 1;
	t = so_tmb.t_gett();
	/* only the request that created the transaction starts tracking it
	 * (its shm copy keeps the message's id and pid): a retransmission
	 * handled by another process in the meantime must not register a
	 * second callback */
	if(t == NULL || t == T_UNDEFINED || t->uas.request == NULL
			|| t->uas.request->id != msg->id
			|| t->uas.request->pid != msg->pid || so_tword_get(t) != NULL)
		return 1;
	so_track_request(msg, t);
	return 1;
}

int so_tm_init(void)
{
	struct sr_module *tm;
	char tm_name[] = "tm";

	/* Ringing and the outcome both come from the replies sent upstream
	 * (TMCB_RESPONSE_SENT: an 18x sets ringing, the final is classified):
	 * every callback type costs a dispatch in tm per reply, so the
	 * default is this one; unlike TMCB_RESPONSE_OUT it does not make tm
	 * keep the set of 2xx To-tags. TMCB_RESPONSE_IN is needed only to
	 * mark up replies with their outcome, TMCB_ON_FAILURE only to send
	 * the proxy's own timeout reply: tm builds a faked request for every
	 * negative final when it is registered. keep and normalize need
	 * neither (so_response_f). */
	so_tmcb_types = TMCB_RESPONSE_SENT;
	so_rf_mode = (so_auto && so_outcome_header.len == 0
						 && (so_reason_mode == SO_RM_KEEP
								 || so_reason_mode == SO_RM_NORMALIZE))
						 ? so_reason_mode
						 : -1;
	if(so_auto
			&& (so_reason_mode == SO_RM_ANNOTATE
					|| so_reason_mode == SO_RM_REWRITE
					|| so_outcome_header.len > 0))
		so_tmcb_types |= TMCB_RESPONSE_IN | TMCB_ON_FAILURE;
	if(so_track == SO_TRACK_ROUTE) {
		tm = find_module_by_name(tm_name);
		if(tm != NULL && tm->handle != NULL) {
			so_lock_replies = (void (*)(struct cell *))dlsym(
					tm->handle, "tm_reply_mutex_lock");
			so_unlock_replies = (void (*)(struct cell *))dlsym(
					tm->handle, "tm_reply_mutex_unlock");
		}
		if(so_lock_replies == NULL || so_unlock_replies == NULL) {
			LM_WARN("tm's reply lock not found; track = tm\n");
			so_track = SO_TRACK_TM;
		}
	}
	if(so_track == SO_TRACK_ROUTE) {
		if(register_script_cb(
				   so_post_request, POST_SCRIPT_CB | REQUEST_CB, 0)
				< 0) {
			LM_ERR("cannot register the post-script callback\n");
			return -1;
		}
	} else if(so_tmb.register_tmcb(
					  0, 0, TMCB_REQUEST_IN, so_on_request_in, 0, 0)
			  <= 0) {
		LM_ERR("cannot register the TMCB_REQUEST_IN callback\n");
		return -1;
	}
	return 0;
}

int so_vendor_set(sip_msg_t *msg, const str *name)
{
	const sipoutcome_profile_t *p;
	so_tword_t *w;
	uintptr_t old, nw;
	int id;

	so_profiles_refresh();
	p = so_profile_by_name(name->s, name->len);
	if(p == NULL) {
		LM_ERR("unknown vendor profile '%.*s'; the call keeps its profile\n",
				name->len, name->s);
		return -1;
	}
	id = so_vendor_id(name->s, name->len);
	if(id < 0)
		return -1;
	w = so_tword_get(so_tmb.t_gett());
	if(w != NULL) {
		old = ts_get(w);
		do {
			nw = (old & ~(uintptr_t)SO_W_VENDOR_MASK)
				 | ((uintptr_t)id << SO_W_VENDOR_SHIFT);
		} while(!__atomic_compare_exchange_n(
				w, &old, nw, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
		return 1;
	}
	so_pending_id = msg->id;
	so_pending_pid = msg->pid;
	so_pending_vendor = id;
	return 1;
}

/* Retry-After: delta-seconds (RFC 3261 §20.33); -1 when absent/bad. */
static int retry_after_seconds(const str *body)
{
	int i, v = 0;

	for(i = 0; i < body->len && body->s[i] == ' '; i++)
		;
	if(i == body->len || body->s[i] < '0' || body->s[i] > '9')
		return -1;
	for(; i < body->len && body->s[i] >= '0' && body->s[i] <= '9'; i++) {
		if(v > 99999999)
			return -1;
		v = v * 10 + (body->s[i] - '0');
	}
	return v;
}

/* One Reason or Retry-After value into the results: the first Q.850
 * cause over all Reason fields wins, as in sipoutcome_reason_hdr_parse. */
static void reply_header_value(
		int is_reason, str *body, int *q850, int *retry_after)
{
	while(body->len > 0
			&& (body->s[body->len - 1] == '\r' || body->s[body->len - 1] == ' '))
		body->len--;
	if(is_reason) {
		if(*q850 < 0)
			*q850 = sipoutcome_reason_q850(body->s, (size_t)body->len);
	} else {
		*retry_after = retry_after_seconds(body);
	}
}

/* Reason and Retry-After from raw header lines, p at the start of a line,
 * up to the empty line or end. */
static void raw_headers(
		const char *p, const char *end, int *q850, int *retry_after)
{
	const char *eol, *v;
	str body;

	while(p != NULL && p < end) {
		if(*p == '\r' || *p == '\n')
			break; /* end of headers */
		eol = memchr(p, '\n', end - p);
		if(eol == NULL)
			eol = end;
		if((*p | 0x20) == 'r') {
			int is_reason = eol - p > 7 && strncasecmp(p, "reason", 6) == 0
							&& (p[6] == ':' || p[6] == ' ' || p[6] == '\t');
			int is_ra = !is_reason && eol - p > 12
						&& strncasecmp(p, "retry-after", 11) == 0
						&& (p[11] == ':' || p[11] == ' ' || p[11] == '\t');
			if((is_reason || is_ra) && (v = memchr(p, ':', eol - p)) != NULL) {
				body.s = (char *)v + 1;
				body.len = (int)(eol - v - 1);
				reply_header_value(is_reason, &body, q850, retry_after);
			}
		}
		p = eol + 1;
	}
}

/* Reason and Retry-After of a reply. The headers the core already parsed
 * (tm parses a reply up to Via, CSeq and Call-ID) are taken from the
 * parsed list, the rest from the raw header block: a full parse_headers()
 * of every final costs more than the rest of the module together. Header
 * names are matched case-insensitively; neither has a compact form.
 * Folded lines (obsolete, RFC 3261 §7.3.1) end the value. */
static void reply_headers(sip_msg_t *rpl, int *q850, int *retry_after)
{
	struct hdr_field *hf;
	const char *p, *end;
	str body;

	*q850 = -1;
	*retry_after = -1;
	if(rpl->buf == NULL || rpl->len <= 0)
		return;
	end = rpl->buf + rpl->len;
	/* the parser flags every header type it met */
	for(hf = (rpl->parsed_flag & (HDR_REASON_F | HDR_RETRY_AFTER_F))
					 ? rpl->headers
					 : NULL;
			hf != NULL; hf = hf->next) {
		if(hf->type == HDR_REASON_T || hf->type == HDR_RETRY_AFTER_T) {
			body = hf->body;
			reply_header_value(
					hf->type == HDR_REASON_T, &body, q850, retry_after);
		}
	}
	if((rpl->parsed_flag & HDR_EOH_F) == HDR_EOH_F) /* all bits */
		p = NULL; /* every header is in the list */
	else if(rpl->headers != NULL && rpl->unparsed > rpl->buf
			&& rpl->unparsed <= end)
		p = rpl->unparsed; /* the start of the first unparsed line */
	else if((p = memchr(rpl->buf, '\n', rpl->len)) != NULL)
		p++; /* nothing parsed: after the status line */
	raw_headers(p, end, q850, retry_after);
}

/* The same from a reply as sent (a raw buffer). */
static void buf_headers(const str *buf, int *q850, int *retry_after)
{
	const char *p;

	*q850 = -1;
	*retry_after = -1;
	if(buf->s == NULL || buf->len <= 0
			|| (p = memchr(buf->s, '\n', buf->len)) == NULL)
		return;
	raw_headers(p + 1, buf->s + buf->len, q850, retry_after);
}

/* The profile of a call: looked up by name, so that a reload in between
 * never leaves a dangling pointer. */
static const sipoutcome_profile_t *tstate_profile(uintptr_t w)
{
	const sipoutcome_profile_t *p;
	const char *name;
	int id = (int)((w & SO_W_VENDOR_MASK) >> SO_W_VENDOR_SHIFT);

	if(id == 0 || (name = so_vendor_name(id)) == NULL)
		return so_default_profile;
	p = so_profile_by_name(name, strlen(name));
	return p ? p : so_default_profile;
}

/* ---- reason phrase and outcome header on a relayed reply ---- */

/* The phrase to send for a mode; 0 when the received one stays. */
static int choose_phrase(int mode, const sipoutcome_result_t *r,
		const str *rcvd, char *buf, size_t cap)
{
	unsigned int f = sipoutcome_phrase_check(r->code, rcvd->s, rcvd->len);
	unsigned int broken =
			f & (SIPOUTCOME_PH_CTRL | SIPOUTCOME_PH_BAD_UTF8
						| SIPOUTCOME_PH_OVERLONG);
	size_t n;

	switch(mode) {
		case SO_RM_KEEP:
			if(!broken)
				return 0;
			n = sipoutcome_phrase_sanitize(buf, cap, rcvd->s, rcvd->len);
			if(n > 0)
				return (int)n;
			break; /* nothing printable: canonical */
		case SO_RM_NORMALIZE:
			if(f == 0)
				return 0;
			if(!r->registered) {
				n = sipoutcome_phrase_sanitize(buf, cap, rcvd->s, rcvd->len);
				if(n > 0)
					return (int)n;
			}
			break;
		case SO_RM_ANNOTATE: {
			char note[64];
			int nl = snprintf(note, sizeof(note), " [%s/%s]",
					sipoutcome_tag_name(r->tag),
					sipoutcome_category_name(r->category));
			size_t room = cap - 1 < SIPOUTCOME_PHRASE_MAX
								  ? cap - 1
								  : SIPOUTCOME_PHRASE_MAX;
			if(nl < 0 || (size_t)nl >= room)
				break;
			n = sipoutcome_phrase_sanitize(
					buf, room - (size_t)nl + 1, rcvd->s, rcvd->len);
			if(n == 0) {
				n = r->phrase_len < room - (size_t)nl ? r->phrase_len
													  : room - (size_t)nl;
				memcpy(buf, r->phrase, n);
			}
			memcpy(buf + n, note, (size_t)nl);
			buf[n + nl] = '\0';
			return (int)(n + nl);
		}
		case SO_RM_REWRITE:
			if(r->rewrite != NULL) {
				n = strlen(r->rewrite);
				if(n >= cap)
					n = cap - 1;
				memcpy(buf, r->rewrite, n);
				buf[n] = '\0';
				return (int)n;
			}
			break;
		default:
			return 0;
	}
	n = r->phrase_len < cap - 1 ? r->phrase_len : cap - 1;
	memcpy(buf, r->phrase, n);
	buf[n] = '\0';
	if(rcvd->len == (int)n && memcmp(rcvd->s, buf, n) == 0)
		return 0;
	return (int)n;
}

/* The phrase lump this process last added, so that a second rewrite of
 * the same reply (auto mode, then sipoutcome_reason() in onreply_route)
 * replaces the first instead of adding overlapping lumps. */
static struct lump *so_phrase_lump;
static unsigned int so_phrase_msg_id;
static int so_phrase_msg_pid;

/* The received phrase up to the real end of the status line (CRLF or
 * LF): Kamailio's parser stops at a bare CR and leaves the rest of the
 * line in place, which must not reach the caller. */
static str phrase_extent(sip_msg_t *rpl)
{
	str r = rpl->first_line.u.reply.reason;
	char *end = rpl->buf + rpl->len, *p;

	if(r.s == NULL || r.len < 0)
		return r;
	for(p = r.s + r.len; p < end && *p != '\n'; p++)
		;
	if(p < end && p > r.s + r.len && p[-1] == '\r')
		p--;
	if(p > r.s + r.len)
		r.len = (int)(p - r.s);
	return r;
}

static int replace_phrase(sip_msg_t *rpl, const char *phrase, int len)
{
	str rext = phrase_extent(rpl);
	str *rs = &rext;
	struct lump *l;
	char *copy;
	int need_space = 0, off;

	if(so_phrase_lump != NULL && so_phrase_msg_id == rpl->id
			&& so_phrase_msg_pid == rpl->pid) {
		int lead = (so_phrase_lump->len > 0 && so_phrase_lump->u.value[0] == ' '
						&& rs->len == 0)
						   ? 1
						   : 0;
		copy = pkg_malloc(len + lead);
		if(copy == NULL) {
			PKG_MEM_ERROR;
			return -1;
		}
		if(lead)
			copy[0] = ' ';
		memcpy(copy + lead, phrase, len);
		pkg_free(so_phrase_lump->u.value);
		so_phrase_lump->u.value = copy;
		so_phrase_lump->len = len + lead;
		return 0;
	}

	if(rs->len > 0) {
		off = (int)(rs->s - rpl->buf);
		l = del_lump(rpl, off, rs->len, 0);
	} else {
		/* empty phrase: insert at the end of the status code */
		char *p = rpl->first_line.u.reply.status.s
				  + rpl->first_line.u.reply.status.len;
		off = (int)(p - rpl->buf);
		if(p >= rpl->buf + rpl->len || *p != ' ')
			need_space = 1;
		else
			off++;
		l = anchor_lump(rpl, off, 0, 0);
	}
	if(l == NULL) {
		LM_ERR("cannot rewrite the reason phrase\n");
		return -1;
	}
	copy = pkg_malloc(len + need_space);
	if(copy == NULL) {
		PKG_MEM_ERROR;
		return -1;
	}
	if(need_space)
		copy[0] = ' ';
	memcpy(copy + need_space, phrase, len);
	so_phrase_lump = insert_new_lump_after(l, copy, len + need_space, 0);
	if(so_phrase_lump == NULL) {
		LM_ERR("cannot rewrite the reason phrase\n");
		pkg_free(copy);
		return -1;
	}
	so_phrase_msg_id = rpl->id;
	so_phrase_msg_pid = rpl->pid;
	return 0;
}

/* "X-Outcome: BUSY;category=busy;retry=no\r\n" into buf. */
static int outcome_header(const sipoutcome_result_t *r, char *buf, int cap)
{
	int n = snprintf(buf, cap, "%.*s: %s;category=%s;retry=%s\r\n",
			so_outcome_header.len, so_outcome_header.s,
			sipoutcome_tag_name(r->tag),
			sipoutcome_category_name(r->category),
			sipoutcome_retry_name(r->retry));
	return (n < 0 || n >= cap) ? -1 : n;
}

static int add_outcome_header(sip_msg_t *rpl, const sipoutcome_result_t *r)
{
	char hdr[160];
	struct lump *a;
	char *copy;
	int n = outcome_header(r, hdr, sizeof(hdr));

	if(n < 0 || parse_headers(rpl, HDR_EOH_F, 0) < 0)
		return -1;
	a = anchor_lump(rpl, rpl->unparsed - rpl->buf, 0, 0);
	if(a == NULL)
		return -1;
	copy = pkg_malloc(n);
	if(copy == NULL) {
		PKG_MEM_ERROR;
		return -1;
	}
	memcpy(copy, hdr, n);
	if(insert_new_lump_before(a, copy, n, 0) == NULL) {
		pkg_free(copy);
		return -1;
	}
	return 0;
}

int so_reason_apply(sip_msg_t *rpl, int mode, const sipoutcome_result_t *r,
		int add_header)
{
	char buf[SIPOUTCOME_PHRASE_MAX + 1];
	str rext;
	int n, rc = 0;

	if(rpl == NULL || rpl == FAKED_REPLY || rpl->first_line.type != SIP_REPLY)
		return -1;
	if(rpl->msg_flags & FL_SHM_CLONE)
		return -1; /* pkg lumps on a stored reply would leak */
	rext = phrase_extent(rpl);
	n = choose_phrase(mode, r, &rext, buf, sizeof(buf));
	if(n > 0 && replace_phrase(rpl, buf, n) < 0)
		rc = -1;
	if(add_header && so_outcome_header.len > 0 && add_outcome_header(rpl, r) < 0)
		rc = -1;
	return rc;
}

/* ---- classification ---- */

static void str_from_status_line(const str *buf, str *reason)
{
	/* "SIP/2.0 408 Request Timeout\r\n" */
	char *p = buf->s, *end = buf->s + buf->len, *e;

	reason->s = NULL;
	reason->len = 0;
	if(p == NULL || buf->len < 12)
		return;
	p += 12;
	for(e = p; e < end && *e != '\r' && *e != '\n'; e++)
		;
	reason->s = p;
	reason->len = (int)(e - p);
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
static int branch_replied(struct cell *t, int b)
{
	return (t->uac[b].request.flags & (F_RB_REPLIED | F_RB_FR_INV)) != 0;
}

static int any_branch_timeout(struct cell *t)
{
	int b;
	for(b = 0; b < t->nr_of_outgoings; b++)
		if(t->uac[b].request.flags & F_RB_TIMEOUT)
			return 1;
	return 0;
}

typedef struct so_call {
	int code;
	str reason;
	int local;
	int timeout;
	int replied; /* the next hop sent some reply (a 100 counts) */
	int branch;
	int q850;
	int retry_after;
} so_call_t;

/* Tags of recent calls for counting alone (log off, no event route):
 * sipoutcome_classify() is a pure function of code, context flags, Q.850
 * cause, profile and phrase, and a (profile, code) whose rules never read
 * the phrase (sipoutcome_profile_reads_phrase) gives the same tag for
 * every phrase. A reload of this process's profiles (so_profiles_gen)
 * invalidates every entry. Per process, no locking. */
#define SO_TCACHE_SIZE 64 /* a power of 2 */
static struct so_tcache {
	const sipoutcome_profile_t *p;
	unsigned int key;	/* code | flags << 10 | (q850 + 1) << 16 */
	unsigned int gen;	/* so_profiles_gen + 1; 0: empty */
	sipoutcome_tag_t tag;
	const char *vendor; /* the profile's name */
} so_tcache[SO_TCACHE_SIZE];

static struct so_tcache *tcache_slot(
		const sipoutcome_profile_t *p, unsigned int key)
{
	uintptr_t h = (key * 2654435761u) ^ ((uintptr_t)p >> 4);
	return &so_tcache[(h ^ (h >> 16)) & (SO_TCACHE_SIZE - 1)];
}

/* Classify the call; with fill, also make it the current outcome
 * ($outcome, the log line, the event route). Without fill only r->tag,
 * r->klass and r->vendor are certain to be set (what so_count reads).
 * 0, or -1 when the code cannot be classified. */
static int classify_call(struct cell *t, so_tword_t *st, so_call_t *c,
		sip_msg_t *msg, sipoutcome_result_t *r, int fill)
{
	sipoutcome_input_t in;
	const sipoutcome_profile_t *prof;
	struct so_tcache *e = NULL;
	uintptr_t f = ts_get(st);
	/* tm sets T_CANCELED on the caller's CANCEL (t_fwd.c e2e_cancel) */
	int canceled = t && t != T_UNDEFINED && (t->flags & T_CANCELED);
	unsigned int flags = 0, key = 0;
	str callid;

	so_profiles_refresh();
	prof = tstate_profile(f);
	if(f & SO_W_RINGING)
		flags |= SIPOUTCOME_CTX_RINGING;
	if(canceled)
		flags |= SIPOUTCOME_CTX_CANCELED;
	if(c->replied)
		flags |= SIPOUTCOME_CTX_REPLIED;
	if(c->local)
		flags |= SIPOUTCOME_CTX_LOCAL;
	if(c->timeout)
		flags |= SIPOUTCOME_CTX_TIMEOUT;
	if(!fill && c->code >= 200 && c->code <= 699 && c->q850 >= -1
			&& c->q850 <= 127) {
		key = (unsigned int)c->code | flags << 10
			  | (unsigned int)(c->q850 + 1) << 16;
		e = tcache_slot(prof, key);
		if(e->gen == so_profiles_gen + 1 && e->key == key && e->p == prof) {
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
	in.profile = prof;
	in.flags = flags;
	if(sipoutcome_classify(&in, r) != SIPOUTCOME_OK) {
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
		e->gen = so_profiles_gen + 1;
		e->tag = r->tag;
		e->vendor = r->vendor;
	}
	if(!fill)
		return 0;
	callid_of(t, msg, &callid);
	so_fill_current(r, c->local, (f & SO_W_RINGING) != 0, canceled,
			c->timeout, c->branch, c->q850, c->retry_after, &c->reason,
			&callid);
	return 0;
}

/* ---- event route ---- */

int so_event_route_init(void)
{
	sr_kemi_eng_t *keng = sr_kemi_eng_get();

	if(keng == NULL) {
		so_evrt_idx = route_lookup(&event_rt, "sipoutcome:final");
		if(so_evrt_idx >= 0 && event_rt.rlist[so_evrt_idx] == NULL)
			so_evrt_idx = -1;
	}
	return 0;
}

static void run_event_route(str *send_buf)
{
	sip_msg_t pmsg;
	run_act_ctx_t ctx;
	run_act_ctx_t *bctx;
	sr_kemi_eng_t *keng = NULL;
	str evname = str_init("sipoutcome:final");
	int backup_rt;

	if(so_evrt_idx < 0) {
		if(so_event_callback.len <= 0)
			return;
		keng = sr_kemi_eng_get();
		if(keng == NULL)
			return;
	}
	if(send_buf == NULL || send_buf->s == NULL || send_buf->len <= 0)
		return;
	if(build_sip_msg_from_buf(&pmsg, send_buf->s, send_buf->len, inc_msg_no())
			!= 0) {
		LM_ERR("cannot parse the reply for event_route[sipoutcome:final]\n");
		return;
	}
	so_cur.epoch = msg_no; /* the outcome belongs to this message */
	backup_rt = get_route_type();
	set_route_type(EVENT_ROUTE);
	init_run_actions_ctx(&ctx);
	if(so_evrt_idx >= 0) {
		run_top_route(event_rt.rlist[so_evrt_idx], &pmsg, &ctx);
	} else {
		bctx = sr_kemi_act_ctx_get();
		sr_kemi_act_ctx_set(&ctx);
		(void)sr_kemi_route(
				keng, &pmsg, EVENT_ROUTE, &so_event_callback, &evname);
		sr_kemi_act_ctx_set(bctx);
	}
	set_route_type(backup_rt);
	free_sip_msg(&pmsg);
}

/* ---- tm callbacks ---- */

/* Printable ASCII (0x20-0x7e), at most PHRASE_MAX bytes: nothing to
 * repair. Every final reply passes here, so eight bytes are checked at a
 * time: a byte below 0x20 borrows in x - 0x20.., 0x7f carries into the
 * top bit in x + 0x01.., and 0x80 and above have it already. */
static int plain_phrase(const str *s)
{
	const unsigned char *p = (const unsigned char *)s->s;
	int n = s->len;
	uint64_t x;

	if(n > SIPOUTCOME_PHRASE_MAX)
		return 0;
	for(; n >= 8; n -= 8, p += 8) {
		memcpy(&x, p, 8);
		if(((x - 0x2020202020202020ULL) | (x + 0x0101010101010101ULL) | x)
				& 0x8080808080808080ULL)
			return 0;
	}
	for(; n > 0; n--, p++)
		if(*p < 0x20 || *p >= 0x7f)
			return 0;
	return 1;
}

/* Every reply, before tm sees it (module response callbacks run newest
 * module first): keep and normalize need only the reply itself, so they
 * repair or normalize the phrase here, on the pkg message, before tm
 * relays or stores it. Replies to other methods and to CANCEL are left
 * alone. Always returns 1: tm goes on with the reply. */
/* The repair itself, off the fast path of so_response_f (not inlined:
 * the fast path then needs no saved registers). */
static __attribute__((noinline)) int so_response_repair(
		sip_msg_t *rpl, str *rext, int code)
{
	sipoutcome_result_t r;
	const sipoutcome_code_t *row;
	str ext;

	if(rext == NULL) { /* an unusual status line: its real end */
		ext = phrase_extent(rpl);
		if(so_rf_mode == SO_RM_KEEP && plain_phrase(&ext))
			return 1;
	}
	if(rpl->cseq == NULL
			&& (parse_headers(rpl, HDR_CSEQ_F, 0) < 0 || rpl->cseq == NULL))
		return 1;
	if(!(get_cseq(rpl)->method_id & so_methods_mask))
		return 1;
	/* keep and normalize look at the code's canonical phrase only */
	memset(&r, 0, sizeof(r));
	r.code = code;
	row = sipoutcome_code_effective(code);
	r.registered = sipoutcome_code_lookup(code) != NULL;
	r.phrase = row ? row->phrase : "";
	r.phrase_len = row ? row->phrase_len : 0;
	(void)so_reason_apply(rpl, so_reason_mode, &r, 0);
	return 1;
}

int so_response_f(sip_msg_t *rpl)
{
	str rext;
	int code;

	if(so_rf_mode < 0)
		return 1;
	code = rpl->first_line.u.reply.statuscode;
	if(code < 200)
		return 1;
	rext = rpl->first_line.u.reply.reason;
	/* the usual status line ends with CRLF right after the phrase */
	if(rext.s == NULL || rext.len < 0
			|| rext.s + rext.len + 1 >= rpl->buf + rpl->len
			|| rext.s[rext.len] != '\r' || rext.s[rext.len + 1] != '\n')
		return so_response_repair(rpl, NULL, code);
	if(so_rf_mode == SO_RM_KEEP && plain_phrase(&rext))
		return 1;
	return so_response_repair(rpl, &rext, code);
}

/* annotate, rewrite or outcome_header: the reply's own outcome goes on it
 * before tm relays or stores it. */
static void so_on_response_in(struct cell *t, so_tword_t *st,
		struct tmcb_params *ps)
{
	sip_msg_t *rpl = ps->rpl;
	int code = ps->code, b, q850, ra;
	sipoutcome_result_t r;
	so_call_t c;

	if(rpl == NULL || rpl == FAKED_REPLY || code < 200
			|| t->uas.status >= 200)
		return; /* provisional, or late after the final answer */
	/* the 200 answering tm's own CANCEL is not an answer to the call */
	if(rpl->cseq == NULL && parse_headers(rpl, HDR_CSEQ_F, 0) < 0)
		return;
	if(rpl->cseq == NULL || get_cseq(rpl)->method_id == METHOD_CANCEL)
		return;
	b = so_tmb.t_gett_branch();
	reply_headers(rpl, &q850, &ra);
	memset(&c, 0, sizeof(c));
	c.replied = 1;
	c.code = code;
	c.reason = rpl->first_line.u.reply.reason;
	c.branch = b;
	c.q850 = q850;
	c.retry_after = ra;
	if(classify_call(t, st, &c, rpl, &r, 1) == 0)
		so_reason_apply(rpl, so_reason_mode, &r, 1);
}

/* The proxy's own timeout reply: with no failure_route armed, send it
 * ourselves so the phrase and header can carry the outcome. */
static void so_on_failure(struct cell *t, so_tword_t *st,
		struct tmcb_params *ps)
{
	char phrase[SIPOUTCOME_PHRASE_MAX + 1], hdr[160];
	sipoutcome_result_t r;
	so_call_t c;
	int b, n, hn;

	if(!so_auto || ps->rpl != FAKED_REPLY || ps->req == NULL)
		return;
	if(so_reason_mode != SO_RM_ANNOTATE && so_reason_mode != SO_RM_REWRITE
			&& so_outcome_header.len == 0)
		return;
	b = so_tmb.t_get_picked_branch();
	if(b < 0 || b >= t->nr_of_outgoings || t->uac[b].on_failure != 0
			|| t->on_failure != 0 || (t->flags & T_CANCELED))
		return;
	memset(&c, 0, sizeof(c));
	c.code = ps->code >= 200 ? ps->code : 408;
	c.local = 1;
	c.timeout = (t->uac[b].request.flags & F_RB_TIMEOUT) != 0;
	c.branch = -1;
	c.q850 = -1;
	c.retry_after = -1;
	c.reason.s = error_text(c.code);
	c.reason.len = strlen(c.reason.s);
	if(classify_call(t, st, &c, NULL, &r, 1) < 0)
		return;
	n = choose_phrase(so_reason_mode, &r, &c.reason, phrase, sizeof(phrase));
	if(n <= 0) {
		memcpy(phrase, c.reason.s, c.reason.len);
		phrase[c.reason.len] = '\0';
	}
	if(so_outcome_header.len > 0) {
		hn = outcome_header(&r, hdr, sizeof(hdr));
		if(hn > 0 && add_lump_rpl(ps->req, hdr, hn, LUMP_RPL_HDR) == NULL)
			LM_ERR("cannot add the outcome header to the local reply\n");
	}
	/* set first: tm runs TMCB_RESPONSE_SENT inside t_reply_trans() */
	ts_set(st, SO_W_LOCAL_REPLY);
	if(so_tmb.t_reply_trans(t, ps->req, c.code, phrase) < 0)
		LM_ERR("cannot send the local %d reply; tm sends its own\n", c.code);
}

static void so_on_response_out(struct cell *t, so_tword_t *st,
		struct tmcb_params *ps)
{
	sip_msg_t *rpl = ps->rpl, *src = NULL;
	sipoutcome_result_t r;
	so_call_t c;
	int b, fill, remote_rebuilt = 0;

	if(ps->code < 200 || !so_auto)
		return;
	if(ts_set(st, SO_W_DONE) & SO_W_DONE)
		return; /* counted and logged once per transaction */
	/* nothing reads the current outcome unless the line is logged or
	 * an event route runs: then only the counters are kept */
	fill = (so_log_on && is_printable(so_log_level)) || so_evrt_idx >= 0
		   || so_event_callback.len > 0;
	if(!fill && ps->code < 300) {
		/* a 2xx is COMPLETED whatever the profile says (precedence step
		 * 1, test_vendors.c test_2xx_completed_always): count it */
		const sipoutcome_profile_t *p;
		so_profiles_refresh();
		p = tstate_profile(ts_get(st));
		so_count(SIPOUTCOME_TAG_COMPLETED, 2,
				p ? sipoutcome_profile_name(p) : "rfc");
		return;
	}

	memset(&c, 0, sizeof(c));
	c.code = ps->code;
	c.q850 = -1;
	c.retry_after = -1;
	b = t->relayed_reply_branch;
	c.branch = b;
	if(b >= 0 && b < t->nr_of_outgoings) {
		c.timeout = (t->uac[b].request.flags & F_RB_TIMEOUT) != 0;
		c.replied = branch_replied(t, b);
		if(rpl != NULL && rpl != FAKED_REPLY) {
			src = rpl;
		} else if(!c.timeout && t->uac[b].last_received >= 200
				  && !(t->flags & T_CANCELED)) {
			/* tm rebuilt a received reply (503 sent as 500, merged
			 * 401/407): still the next hop's answer */
			remote_rebuilt = 1;
		}
	} else {
		int i;
		c.timeout = any_branch_timeout(t);
		c.branch = -1;
		for(i = 0; i < t->nr_of_outgoings; i++)
			c.replied |= branch_replied(t, i);
	}
	if(src != NULL) {
		/* the reply relayed, pkg or tm's shared-memory copy: its
		 * buffer is read, never parsed or changed */
		c.reason = src->first_line.u.reply.reason;
		if(c.code >= 300)
			reply_headers(src, &c.q850, &c.retry_after);
	} else if(remote_rebuilt && t->uac[b].last_received == c.code) {
		/* relayed as received, but the reply is not at hand (tracking
		 * started after it was sent): what the caller got is it */
		str_from_status_line(&ps->send_buf, &c.reason);
		if(c.code >= 300)
			buf_headers(&ps->send_buf, &c.q850, &c.retry_after);
	} else if(remote_rebuilt) {
		/* the received reply is gone, and so is its Reason header;
		 * the caller got tm's reply with tm's text for the code */
		c.reason.s = error_text(t->uac[b].last_received);
		c.reason.len = strlen(c.reason.s);
	} else {
		c.local = 1;
		c.branch = -1;
		if(ts_get(st) & SO_W_LOCAL_REPLY) {
			/* our own timeout reply: report tm's phrase, not our
			 * annotation of it */
			c.reason.s = error_text(c.code);
			c.reason.len = strlen(c.reason.s);
		} else {
			str_from_status_line(&ps->send_buf, &c.reason);
		}
	}
	if(t->nr_of_outgoings > 1 && is_printable(L_DBG)) {
		int i; /* a forked call: what each branch answered */
		for(i = 0; i < t->nr_of_outgoings; i++)
			LM_DBG("branch %d last_received %d%s\n", i,
					t->uac[i].last_received,
					(t->uac[i].request.flags & F_RB_TIMEOUT) ? " timeout" : "");
	}
	if(classify_call(t, st, &c, src, &r, fill) < 0)
		return;
	so_count(r.tag, r.klass, r.vendor);
	if(!fill)
		return;
	so_log_current();
	run_event_route(&ps->send_buf);
}

static void so_tm_cb(struct cell *t, int type, struct tmcb_params *ps)
{
	so_tword_t *st = (so_tword_t *)ps->param;

	if(st == NULL || *st == 0)
		return;
	switch(type) {
		case TMCB_RESPONSE_SENT:
			if(ps->flags & TMCB_RETR_F)
				break; /* tm's retransmission: nothing new */
			if(ps->code >= 200)
				so_on_response_out(t, st, ps);
			else if(ps->code >= 180 && ps->code < 190)
				ts_set(st, SO_W_RINGING); /* an 18x went upstream */
			break;
		case TMCB_RESPONSE_IN:
			so_on_response_in(t, st, ps);
			break;
		case TMCB_ON_FAILURE:
			so_on_failure(t, st, ps);
			break;
		default:
			break;
	}
}

/* ---- sipoutcome_classify() from a script ---- */

int so_classify_current(sip_msg_t *msg, int for_script)
{
	struct cell *t = so_tmb.t_gett();
	so_tword_t *st = so_tword_get(t);

	sipoutcome_result_t r;
	so_call_t c;

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
		reply_headers(msg, &c.q850, &c.retry_after);
		if(t != NULL && t != T_UNDEFINED)
			c.branch = so_tmb.t_gett_branch();
	} else {
		/* failure_route: the winning reply of the transaction */
		int b = so_tmb.t_get_picked_branch();
		sip_msg_t *rpl;
		if(t == NULL || t == T_UNDEFINED || b < 0 || b >= t->nr_of_outgoings)
			return -1;
		rpl = t->uac[b].reply;
		c.code = t->uac[b].last_received;
		if(c.code < 200)
			c.code = 408; /* no final: tm's timeout */
		c.branch = b;
		c.timeout = (t->uac[b].request.flags & F_RB_TIMEOUT) != 0;
		c.replied = branch_replied(t, b);
		if(rpl == NULL || rpl == FAKED_REPLY) {
			c.local = 1;
			c.reason.s = error_text(c.code);
			c.reason.len = strlen(c.reason.s);
		} else {
			c.reason = rpl->first_line.u.reply.reason;
			reply_headers(rpl, &c.q850, &c.retry_after);
		}
	}
	if(classify_call(t, st, &c, msg, &r, 1) < 0)
		return -1;
	/* With auto on, a tracked transaction is logged once, when its
	 * final was sent (TMCB_RESPONSE_SENT); with auto off the first script call logs it.
	 * Without transaction state (a method not in `methods`, or stateless)
	 * every call logs: there is nothing to remember it in. */
	if(for_script && (!so_auto || st == NULL)
			&& (st == NULL || !(ts_set(st, SO_W_DONE) & SO_W_DONE))) {
		so_count_current();
		so_log_current();
	}
	return 1;
}
