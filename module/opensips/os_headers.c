/*
 * Reading a reply as bytes: the first Q.850 cause of its Reason fields and
 * its Retry-After from the raw header block, and the status code and
 * phrase of a status line as sent. Used on tm's stored shm copies and on
 * the buffer tm sent, which are never parsed or changed here.
 */
#include <string.h>
#include <strings.h>

#include "os_mod.h"

/* Retry-After: delta-seconds (RFC 3261 §20.33); -1 when absent or bad. */
static int retry_after_seconds(const char *s, const char *end)
{
	int v = 0;

	while (s < end && *s == ' ')
		s++;
	if (s == end || *s < '0' || *s > '9')
		return -1;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (v > 99999999)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* 1 when the line at p (up to eol) is header `name` (len n), with *val
 * set after its colon. Names are case-insensitive; neither header has a
 * compact form. */
static int header_is(const char *p, const char *eol, const char *name, int n,
		const char **val)
{
	const char *c;

	if (eol - p <= n || strncasecmp(p, name, n) != 0
			|| (p[n] != ':' && p[n] != ' ' && p[n] != '\t'))
		return 0;
	c = memchr(p + n, ':', eol - p - n);
	if (c == NULL)
		return 0;
	*val = c + 1;
	return 1;
}

/* The first valid Q.850 cause over all Reason fields (RFC 3326 §2) and
 * Retry-After of a message buffer, read from the raw header block after
 * the status line up to the empty line. Folded lines (obsolete, RFC 3261
 * §7.3.1) end the value. Reads nothing past len. */
void os_buf_headers(const char *buf, int len, int *q850, int *retry_after)
{
	const char *end = buf + len, *p, *eol, *v, *ve;

	*q850 = -1;
	*retry_after = -1;
	if (buf == NULL || len <= 0 || (p = memchr(buf, '\n', len)) == NULL)
		return;
	for (p++; p < end && *p != '\r' && *p != '\n'; p = eol + 1) {
		eol = memchr(p, '\n', end - p);
		if (eol == NULL)
			eol = end;
		if ((*p | 0x20) != 'r')
			continue;
		ve = eol;
		while (ve > p && (ve[-1] == '\r' || ve[-1] == ' '))
			ve--;
		if (header_is(p, eol, "reason", 6, &v)) {
			if (*q850 < 0 && ve > v)
				*q850 = sipoutcome_reason_q850(v, (size_t)(ve - v));
		} else if (header_is(p, eol, "retry-after", 11, &v)) {
			*retry_after = retry_after_seconds(v, ve);
		}
	}
}

/* The reason phrase of a status line "SIP/2.0 408 Request Timeout\r\n". */
void os_phrase_of_buf(const str *buf, str *reason)
{
	char *p, *end, *e;

	reason->s = NULL;
	reason->len = 0;
	if (buf == NULL || buf->s == NULL || buf->len < 12)
		return;
	p = buf->s + 12;
	end = buf->s + buf->len;
	for (e = p; e < end && *e != '\r' && *e != '\n'; e++)
		;
	reason->s = p;
	reason->len = (int)(e - p);
}

/* The status code of the reply as sent ("SIP/2.0 500 ..."), else code. */
int os_sent_code(const str *sent, int code)
{
	const char *p;

	if (sent == NULL || sent->s == NULL || sent->len < 12)
		return code;
	p = sent->s + 8;
	if (p[0] < '2' || p[0] > '6' || p[1] < '0' || p[1] > '9' || p[2] < '0'
			|| p[2] > '9' || p[3] != ' ')
		return code;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

