/*
 * Reply edits: the reason phrase a reason_mode asks for, and the outcome
 * header, put on a received reply with lumps before tm relays it
 * (OpenSIPS applies a reply's lumps in build_res_buf_from_sip_res()).
 */
#include <stdio.h>
#include <string.h>

#include "../../data_lump.h"
#include "../../dprint.h"
#include "../../mem/mem.h"
#include "../../parser/msg_parser.h"
#include "../../parser/parse_cseq.h"

#include "os_mod.h"

/* The phrase to send for a reason mode (sipoutcome_phrase_for_mode,
 * include/sipoutcome.h); 0 when the received phrase stays. */
int os_choose_phrase(int mode, const sipoutcome_result_t *r, const str *rcvd,
		char *buf, size_t cap)
{
	return sipoutcome_phrase_for_mode(mode, r, rcvd->s,
		rcvd->len > 0 ? (size_t)rcvd->len : 0, buf, cap);
}

/* The received phrase up to the real end of the status line (CRLF or
 * LF): a bare CR inside it must not reach the caller. */
static str phrase_extent(struct sip_msg *rpl)
{
	str r = rpl->first_line.u.reply.reason;
	char *end = rpl->buf + rpl->len, *p;

	if (r.s == NULL || r.len < 0)
		return r;
	for (p = r.s + r.len; p < end && *p != '\n'; p++)
		;
	if (p < end && p > r.s + r.len && p[-1] == '\r')
		p--;
	if (p > r.s + r.len)
		r.len = (int)(p - r.s);
	return r;
}

/* The phrase lump this process last added, so that a second rewrite of
 * the same reply (auto mode, then sipoutcome_reason() in onreply_route)
 * replaces the first instead of adding overlapping lumps. */
static struct lump *os_phrase_lump;
static unsigned int os_phrase_msg_id;
static const char *os_phrase_msg_buf;

static char *pkg_copy(const char *lead, int lead_len, const char *s, int len)
{
	char *copy = pkg_malloc(lead_len + len);

	if (copy == NULL) {
		LM_ERR("out of pkg memory\n");
		return NULL;
	}
	memcpy(copy, lead, lead_len);
	memcpy(copy + lead_len, s, len);
	return copy;
}

static int replace_phrase(struct sip_msg *rpl, const char *phrase, int len)
{
	str rs = phrase_extent(rpl);
	struct lump *l;
	char *copy, *p;
	int need_space = 0, off, lead;

	if (os_phrase_lump != NULL && os_phrase_msg_id == rpl->id
			&& os_phrase_msg_buf == rpl->buf) {
		lead = os_phrase_lump->len > 0 && os_phrase_lump->u.value[0] == ' '
			&& rs.len == 0;
		copy = pkg_copy(" ", lead, phrase, len);
		if (copy == NULL)
			return -1;
		pkg_free(os_phrase_lump->u.value);
		os_phrase_lump->u.value = copy;
		os_phrase_lump->len = len + lead;
		return 0;
	}
	if (rs.len > 0) {
		l = del_lump(rpl, (unsigned int)(rs.s - rpl->buf), rs.len, 0);
	} else {
		/* empty phrase: insert after the status code and its space */
		p = rpl->first_line.u.reply.status.s
			+ rpl->first_line.u.reply.status.len;
		off = (int)(p - rpl->buf);
		if (p >= rpl->buf + rpl->len || *p != ' ')
			need_space = 1;
		else
			off++;
		l = anchor_lump(rpl, off, 0);
	}
	if (l == NULL) {
		LM_ERR("cannot rewrite the reason phrase\n");
		return -1;
	}
	copy = pkg_copy(" ", need_space, phrase, len);
	if (copy == NULL)
		return -1;
	os_phrase_lump = insert_new_lump_after(l, copy, len + need_space, 0);
	if (os_phrase_lump == NULL) {
		LM_ERR("cannot rewrite the reason phrase\n");
		pkg_free(copy);
		return -1;
	}
	os_phrase_msg_id = rpl->id;
	os_phrase_msg_buf = rpl->buf;
	return 0;
}

/**
 * "X-Outcome: BUSY;category=busy;retry=no\r\n" (the outcome_header name).
 * @returns the length written to buf (cap bytes), or -1 when it does not
 *          fit. Only engine names go in: no CR/LF or control bytes.
 */
int os_outcome_header_fmt(const sipoutcome_result_t *r, char *buf, int cap)
{
	int n = snprintf(buf, cap, "%.*s: %s;category=%s;retry=%s\r\n",
		os_outcome_header.len, os_outcome_header.s,
		sipoutcome_tag_name(r->tag), sipoutcome_category_name(r->category),
		sipoutcome_retry_name(r->retry));

	return (n < 0 || n >= cap) ? -1 : n;
}

static int add_outcome_header(struct sip_msg *rpl, const sipoutcome_result_t *r)
{
	char hdr[160];
	struct lump *a;
	char *copy;
	int n = os_outcome_header_fmt(r, hdr, sizeof(hdr));

	if (n < 0 || parse_headers(rpl, HDR_EOH_F, 0) < 0)
		return -1;
	a = anchor_lump(rpl, rpl->unparsed - rpl->buf, 0);
	if (a == NULL)
		return -1;
	copy = pkg_copy("", 0, hdr, n);
	if (copy == NULL)
		return -1;
	if (insert_new_lump_before(a, copy, n, 0) == NULL) {
		pkg_free(copy);
		return -1;
	}
	return 0;
}

/**
 * Put the phrase of `mode` (and with add_header the outcome header) on a
 * received reply in pkg memory.
 * @returns 0, or -1 when the reply cannot take lumps (a tm-stored shm
 *          copy, a faked reply) or a lump could not be added (logged).
 */
int os_reason_apply(struct sip_msg *rpl, int mode,
		const sipoutcome_result_t *r, int add_header)
{
	char buf[SIPOUTCOME_PHRASE_MAX + 1];
	str rext;
	int n, rc = 0;

	if (rpl == NULL || rpl == FAKED_REPLY || rpl->first_line.type != SIP_REPLY)
		return -1;
	if (rpl->msg_flags & FL_SHM_CLONE)
		return -1; /* pkg lumps on a stored reply would leak */
	rext = phrase_extent(rpl);
	n = os_choose_phrase(mode, r, &rext, buf, sizeof(buf));
	if (n > 0 && replace_phrase(rpl, buf, n) < 0)
		rc = -1;
	if (add_header && os_outcome_header.len > 0
			&& add_outcome_header(rpl, r) < 0)
		rc = -1;
	return rc;
}

/* ---- keep and normalize, before tm sees the reply ---- */

/* reason_mode applied in os_response_f (keep, normalize), or -1 */
int os_rf_mode = -1;

/* Printable ASCII, at most PHRASE_MAX bytes: nothing to repair. */
static int plain_phrase(const str *s)
{
	int i;

	if (s->len > SIPOUTCOME_PHRASE_MAX)
		return 0;
	for (i = 0; i < s->len; i++)
		if ((unsigned char)s->s[i] < 0x20 || (unsigned char)s->s[i] >= 0x7f)
			return 0;
	return 1;
}

/* Every reply, before tm sees it (newest module first): keep and
 * normalize need only the reply, so they repair or normalize the phrase
 * here, on the pkg reply, before tm relays or stores it. Replies to other
 * methods are left alone. Always 1: tm goes on with the reply. */
int os_response_f(struct sip_msg *rpl)
{
	sipoutcome_result_t r;
	const sipoutcome_code_t *row;
	str rs;
	int code;

	if (os_rf_mode < 0)
		return 1;
	code = rpl->first_line.u.reply.statuscode;
	if (code < 200)
		return 1;
	/* the usual status line ends with CRLF right after the phrase; the
	 * parser stops a phrase at a bare CR too, and what follows it on the
	 * line must not reach the caller (os_reply.c phrase_extent) */
	rs = rpl->first_line.u.reply.reason;
	if (os_rf_mode == OS_RM_KEEP && plain_phrase(&rs) && rs.s != NULL
			&& rs.s + rs.len + 1 < rpl->buf + rpl->len
			&& rs.s[rs.len] == '\r' && rs.s[rs.len + 1] == '\n')
		return 1;
	if ((rpl->cseq == NULL
			&& (parse_headers(rpl, HDR_CSEQ_F, 0) < 0 || rpl->cseq == NULL))
			|| !(get_cseq(rpl)->method_id & os_methods_mask))
		return 1;
	/* keep and normalize look at the code's canonical phrase only */
	memset(&r, 0, sizeof(r));
	r.code = code;
	row = sipoutcome_code_effective(code);
	r.registered = sipoutcome_code_lookup(code) != NULL;
	r.phrase = row ? row->phrase : "";
	r.phrase_len = row ? row->phrase_len : 0;
	(void)os_reason_apply(rpl, os_reason_mode, &r, 0);
	return 1;
}

