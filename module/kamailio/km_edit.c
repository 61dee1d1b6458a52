/*
 * Reply edits: the reason phrase (reason_mode keep, normalize, annotate,
 * rewrite) and the outcome header on the final the caller gets.
 *
 * Where each edit happens (Kamailio 5.6 modules/tm): keep and normalize
 * need only the reply itself and run in the module's response_f, before
 * tm relays or stores it; annotate, rewrite and the header need the
 * call's outcome and run in TMCB_RESPONSE_IN, also before tm relays it;
 * the proxy's own timeout reply is sent by the module (TMCB_ON_FAILURE,
 * t_reply_trans) when no failure_route is armed. Phrases are built in
 * fixed buffers, checked by the engine (sipoutcome_phrase_check,
 * sipoutcome_phrase_sanitize), and go into the reply as pkg lumps.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/data_lump.h"
#include "core/data_lump_rpl.h"
#include "core/dprint.h"
#include "core/error.h"
#include "core/mem/mem.h"
#include "core/parser/parse_cseq.h"

#include "km_mod.h"

/* reason_mode as km_response_f applies it (keep, normalize), or -1 */
static int km_rf_mode = -1;

int km_edit_init(void)
{
	km_rf_mode = (km_auto && km_outcome_header.len == 0
						 && (km_reason_mode == KM_RM_KEEP
								 || km_reason_mode == KM_RM_NORMALIZE))
						 ? km_reason_mode
						 : -1;
	/* TMCB_RESPONSE_IN only to mark up replies with their outcome,
	 * TMCB_ON_FAILURE only to send the proxy's own timeout reply: tm
	 * builds a faked request for every negative final when it is
	 * registered. keep and normalize need neither (km_response_f). */
	if(km_auto
			&& (km_reason_mode == KM_RM_ANNOTATE
					|| km_reason_mode == KM_RM_REWRITE
					|| km_outcome_header.len > 0))
		return TMCB_RESPONSE_IN | TMCB_ON_FAILURE;
	return 0;
}

/* The phrase to send for a mode; 0 when the received one stays. */
static int choose_phrase(int mode, const sipoutcome_result_t *r,
		const str *rcvd, char *buf, size_t cap)
{
	return sipoutcome_phrase_for_mode(mode, r, rcvd->s,
			rcvd->len > 0 ? (size_t)rcvd->len : 0, buf, cap);
}

/* The phrase lump this process last added, so that a second rewrite of
 * the same reply (auto mode, then sipoutcome_reason() in onreply_route)
 * replaces the first instead of adding overlapping lumps. */
static struct lump *km_phrase_lump;
static unsigned int km_phrase_msg_id;
static int km_phrase_msg_pid;

/* The received phrase from the one SP after the status code up to the
 * real end of the status line (CRLF or LF): Kamailio's parser skips every
 * blank after the code (a phrase of blanks and tabs is empty to it) and
 * stops at a bare CR, leaving the rest of the line in place; all of that
 * is part of what a rewrite replaces. */
static str phrase_extent(sip_msg_t *rpl)
{
	str r = rpl->first_line.u.reply.reason;
	char *end = rpl->buf + rpl->len, *p;

	if(r.s == NULL || r.len < 0)
		return r;
	p = rpl->first_line.u.reply.status.s + rpl->first_line.u.reply.status.len;
	if(p < r.s && *p == ' ')
		p++; /* the SP of the grammar stays */
	if(p >= rpl->buf && p < r.s) {
		r.len += (int)(r.s - p);
		r.s = p;
	}
	for(p = r.s + r.len; p < end && *p != '\n'; p++)
		;
	if(p < end && p > r.s + r.len && p[-1] == '\r')
		p--;
	if(p > r.s + r.len)
		r.len = (int)(p - r.s);
	return r;
}

/* A second rewrite of the reply this process last rewrote (rs: its
 * received phrase): the phrase lump's text is replaced. 0, or -1 when
 * out of pkg memory (the first rewrite stays). */
static int replace_again(const str *rs, const char *phrase, int len)
{
	int lead = (km_phrase_lump->len > 0 && km_phrase_lump->u.value[0] == ' '
					   && rs->len == 0)
					   ? 1
					   : 0;
	char *copy = pkg_malloc(len + lead);

	if(copy == NULL) {
		PKG_MEM_ERROR;
		return -1;
	}
	if(lead)
		copy[0] = ' ';
	memcpy(copy + lead, phrase, len);
	pkg_free(km_phrase_lump->u.value);
	km_phrase_lump->u.value = copy;
	km_phrase_lump->len = len + lead;
	return 0;
}

static int replace_phrase(sip_msg_t *rpl, const char *phrase, int len)
{
	str rext = phrase_extent(rpl);
	str *rs = &rext;
	struct lump *l;
	char *copy;
	int need_space = 0, off;

	if(km_phrase_lump != NULL && km_phrase_msg_id == rpl->id
			&& km_phrase_msg_pid == rpl->pid)
		return replace_again(rs, phrase, len);

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
	km_phrase_lump = insert_new_lump_after(l, copy, len + need_space, 0);
	if(km_phrase_lump == NULL) {
		LM_ERR("cannot rewrite the reason phrase\n");
		pkg_free(copy);
		return -1;
	}
	km_phrase_msg_id = rpl->id;
	km_phrase_msg_pid = rpl->pid;
	return 0;
}

/* Append n bytes at *p if they fit before end; 0, or -1 when not. */
static inline int hdr_put(char **p, const char *end, const char *s, size_t n)
{
	if((size_t)(end - *p) < n)
		return -1;
	memcpy(*p, s, n);
	*p += n;
	return 0;
}

/* "X-Outcome: BUSY;category=busy;retry=no\r\n" into buf (cap bytes, no
 * NUL): its length, or -1 when it does not fit. Built by copying, once
 * per call on the reply path (no snprintf); the values are the engine's
 * fixed token names (RFC 3261 token characters; test_codes.c
 * test_names), the name the checked outcome_header parameter. */
static int outcome_header(const sipoutcome_result_t *r, char *buf, int cap)
{
	const char *tag = sipoutcome_tag_name(r->tag),
			   *cat = sipoutcome_category_name(r->category),
			   *retry = sipoutcome_retry_name(r->retry);
	char *p = buf, *end = buf + (cap > 0 ? cap : 0);

	if(hdr_put(&p, end, km_outcome_header.s, (size_t)km_outcome_header.len)
			|| hdr_put(&p, end, ": ", 2) || hdr_put(&p, end, tag, strlen(tag))
			|| hdr_put(&p, end, ";category=", 10)
			|| hdr_put(&p, end, cat, strlen(cat))
			|| hdr_put(&p, end, ";retry=", 7)
			|| hdr_put(&p, end, retry, strlen(retry))
			|| hdr_put(&p, end, "\r\n", 2))
		return -1;
	return (int)(p - buf);
}

/* A header line at p (up to end) named km_outcome_header: name, then
 * blanks, then ':' (RFC 3261 section 7.3.1). */
static int is_outcome_line(const char *p, const char *end)
{
	int n = km_outcome_header.len;

	/* the first byte alike (case aside) before the whole name: most
	 * header lines differ there */
	if(end - p <= n || ((*p ^ km_outcome_header.s[0]) & ~0x20) != 0
			|| strncasecmp(p, km_outcome_header.s, n) != 0)
		return 0;
	for(p += n; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	return p < end && *p == ':';
}

/* Walk the raw header block of rpl (no parse: a header the core cannot
 * parse, e.g. "Retry-After: -5", must not stop the edit): every field
 * named km_outcome_header that the next hop sent is deleted, folded lines
 * with it, so that the caller sees only ours. Returns the offset of the
 * empty line that ends the headers, or -1 when there is none. */
static int strip_outcome_headers(sip_msg_t *rpl)
{
	char *p, *eol, *end = rpl->buf + rpl->len, *start;

	p = memchr(rpl->buf, '\n', rpl->len);
	if(p == NULL)
		return -1;
	for(p++; p < end;) {
		if(*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))
			return (int)(p - rpl->buf); /* the empty line */
		start = p;
		do { /* one field, with its folded lines */
			eol = memchr(p, '\n', end - p);
			p = eol ? eol + 1 : end;
		} while(p < end && (*p == ' ' || *p == '\t'));
		if(is_outcome_line(start, p)
				&& del_lump(rpl, (int)(start - rpl->buf), (int)(p - start), 0)
						   == NULL)
			LM_ERR("cannot remove the next hop's %.*s header\n",
					km_outcome_header.len, km_outcome_header.s);
	}
	return -1;
}

static int add_outcome_header(sip_msg_t *rpl, const sipoutcome_result_t *r)
{
	char hdr[160];
	struct lump *a;
	char *copy;
	int n = outcome_header(r, hdr, sizeof(hdr)), off;

	if(n < 0 || (off = strip_outcome_headers(rpl)) < 0)
		return -1;
	a = anchor_lump(rpl, off, 0, 0);
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

int km_reason_apply(sip_msg_t *rpl, int mode, const sipoutcome_result_t *r,
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
	if(add_header && km_outcome_header.len > 0 && add_outcome_header(rpl, r) < 0)
		rc = -1;
	return rc;
}

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
/* The repair itself, off the fast path of km_response_f (not inlined:
 * the fast path then needs no saved registers). */
static __attribute__((noinline)) int km_response_repair(
		sip_msg_t *rpl, str *rext, int code)
{
	sipoutcome_result_t r;
	const sipoutcome_code_t *row;
	str ext;

	if(rext == NULL) { /* an unusual status line: its real end */
		ext = phrase_extent(rpl);
		if(km_rf_mode == KM_RM_KEEP && plain_phrase(&ext))
			return 1;
	}
	if(rpl->cseq == NULL
			&& (parse_headers(rpl, HDR_CSEQ_F, 0) < 0 || rpl->cseq == NULL))
		return 1;
	if(!(get_cseq(rpl)->method_id & km_methods_mask))
		return 1;
	/* keep and normalize look at the code's canonical phrase only */
	memset(&r, 0, sizeof(r));
	r.code = code;
	row = sipoutcome_code_effective(code);
	r.registered = sipoutcome_code_lookup(code) != NULL;
	r.phrase = row ? row->phrase : "";
	r.phrase_len = row ? row->phrase_len : 0;
	(void)km_reason_apply(rpl, km_reason_mode, &r, 0);
	return 1;
}

int km_response_f(sip_msg_t *rpl)
{
	str rext;
	int code;

	code = rpl->first_line.u.reply.statuscode;
	if(code == 503)
		km_remap_note(rpl); /* tm may send its own 500 for it */
	if(km_rf_mode < 0 || code < 200)
		return 1;
	rext = rpl->first_line.u.reply.reason;
	/* the usual status line ends with CRLF right after the phrase */
	if(rext.s == NULL || rext.len < 0
			|| rext.s + rext.len + 1 >= rpl->buf + rpl->len
			|| rext.s[rext.len] != '\r' || rext.s[rext.len + 1] != '\n')
		return km_response_repair(rpl, NULL, code);
	if(km_rf_mode == KM_RM_KEEP && plain_phrase(&rext))
		return 1;
	return km_response_repair(rpl, &rext, code);
}

/* annotate, rewrite or outcome_header: the reply's own outcome goes on it
 * before tm relays or stores it. */
void km_edit_reply_in(struct cell *t, km_tword_t *st, struct tmcb_params *ps)
{
	sip_msg_t *rpl = ps->rpl;
	int code = ps->code, b;
	sipoutcome_result_t r;
	km_call_t c;

	/* tm relays every 2xx of an INVITE upstream, also after the first
	 * final (t_reply.c t_should_relay_response: a retransmission, or
	 * another branch's answer): each carries the same edits. Other late
	 * finals are absorbed. */
	if(rpl == NULL || rpl == FAKED_REPLY || code < 200
			|| (t->uas.status >= 200 && code >= 300))
		return; /* provisional, or late after the final answer */
	/* the 200 answering tm's own CANCEL is not an answer to the call */
	if(rpl->cseq == NULL && parse_headers(rpl, HDR_CSEQ_F, 0) < 0)
		return;
	if(rpl->cseq == NULL || get_cseq(rpl)->method_id == METHOD_CANCEL)
		return;
	b = km_tmb.t_gett_branch();
	memset(&c, 0, sizeof(c));
	km_reply_headers(rpl, &c);
	c.replied = 1;
	c.code = code;
	c.reason = rpl->first_line.u.reply.reason;
	c.branch = b;
	if(km_call_classify(t, st, &c, rpl, &r, 1) == 0)
		km_reason_apply(rpl, km_reason_mode, &r, 1);
}

/* The proxy's own timeout reply: with no failure_route armed, send it
 * ourselves so the phrase and header can carry the outcome. */
void km_edit_local_timeout(
		struct cell *t, km_tword_t *st, struct tmcb_params *ps)
{
	char phrase[SIPOUTCOME_PHRASE_MAX + 1], hdr[160];
	sipoutcome_result_t r;
	km_call_t c;
	int b, n, hn;

	if(!km_auto || ps->rpl != FAKED_REPLY || ps->req == NULL)
		return;
	if(km_reason_mode != KM_RM_ANNOTATE && km_reason_mode != KM_RM_REWRITE
			&& km_outcome_header.len == 0)
		return;
	b = km_tmb.t_get_picked_branch();
	if(b < 0 || b >= t->nr_of_outgoings || t->uac[b].on_failure != 0
			|| t->on_failure != 0 || (t->flags & T_CANCELED))
		return;
	memset(&c, 0, sizeof(c));
	c.code = ps->code >= 200 ? ps->code : 408;
	c.local = 1;
	/* as km_call_final() will see it: the header and the log line of
	 * this call must give the same category (timeout vs no_response) */
	km_call_all_branches(t, &c);
	c.q850 = -1;
	c.retry_after = -1;
	c.reason.s = error_text(c.code);
	c.reason.len = strlen(c.reason.s);
	if(km_call_classify(t, st, &c, NULL, &r, 1) < 0)
		return;
	n = choose_phrase(km_reason_mode, &r, &c.reason, phrase, sizeof(phrase));
	if(n <= 0) {
		memcpy(phrase, c.reason.s, c.reason.len);
		phrase[c.reason.len] = '\0';
	}
	if(km_outcome_header.len > 0) {
		hn = outcome_header(&r, hdr, sizeof(hdr));
		if(hn > 0 && add_lump_rpl(ps->req, hdr, hn, LUMP_RPL_HDR) == NULL)
			LM_ERR("cannot add the outcome header to the local reply\n");
	}
	/* set first: tm runs TMCB_RESPONSE_SENT inside t_reply_trans() */
	km_tw_set(st, KM_W_LOCAL_REPLY);
	if(km_tmb.t_reply_trans(t, ps->req, c.code, phrase) < 0)
		LM_ERR("cannot send the local %d reply; tm sends its own\n", c.code);
}
