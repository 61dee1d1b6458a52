/*
 * Reason (RFC 3326) and Retry-After (RFC 3261 §20.33) of a reply, read
 * without a full header parse: from the headers the core already parsed,
 * then from the raw header block. Also the phrase of a raw status line.
 * Nothing here allocates or changes the reply.
 */
#include <string.h>
#include <strings.h>

#include "core/dprint.h"
#include "core/parser/msg_parser.h"

#include "km_mod.h"

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

/* One Reason or Retry-After value into c: the first Q.850 cause over
 * all Reason fields wins, with its RFC 8606 location=, as in
 * sipoutcome_reason_hdr_parse. */
static void reply_header_value(int is_reason, str *body, km_call_t *c)
{
	while(body->len > 0
			&& (body->s[body->len - 1] == '\r' || body->s[body->len - 1] == ' '))
		body->len--;
	if(is_reason) {
		if(c->q850 < 0)
			c->q850 = sipoutcome_reason_q850_loc(
					body->s, (size_t)body->len, &c->q850_loc);
	} else {
		c->retry_after = retry_after_seconds(body);
		if(c->retry_after < 0)
			LM_DBG("Retry-After '%.*s' is not delta-seconds; ignored\n",
					body->len, body->s);
	}
}

/* Reason and Retry-After from raw header lines, p at the start of a line,
 * up to the empty line or end. */
static void raw_headers(const char *p, const char *end, km_call_t *c)
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
				reply_header_value(is_reason, &body, c);
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
void km_reply_headers(sip_msg_t *rpl, struct km_call *c)
{
	struct hdr_field *hf;
	const char *p, *end;
	str body;

	c->q850 = -1;
	c->q850_loc = SIPOUTCOME_LOC_NONE;
	c->retry_after = -1;
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
			reply_header_value(hf->type == HDR_REASON_T, &body, c);
		}
	}
	if((rpl->parsed_flag & HDR_EOH_F) == HDR_EOH_F) /* all bits */
		p = NULL; /* every header is in the list */
	else if(rpl->headers != NULL && rpl->unparsed > rpl->buf
			&& rpl->unparsed <= end)
		p = rpl->unparsed; /* the start of the first unparsed line */
	else if((p = memchr(rpl->buf, '\n', rpl->len)) != NULL)
		p++; /* nothing parsed: after the status line */
	raw_headers(p, end, c);
}

/* The same from a reply as sent (a raw buffer). */
void km_buf_headers(const str *buf, struct km_call *c)
{
	const char *p;

	c->q850 = -1;
	c->q850_loc = SIPOUTCOME_LOC_NONE;
	c->retry_after = -1;
	if(buf->s == NULL || buf->len <= 0
			|| (p = memchr(buf->s, '\n', buf->len)) == NULL)
		return;
	raw_headers(p + 1, buf->s + buf->len, c);
}

void km_status_line_phrase(const str *buf, str *reason)
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
