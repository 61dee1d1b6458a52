/*
 * Reason-phrase checks and sanitizing. RFC 3261 §25.1:
 * Reason-Phrase = *(reserved / unreserved / escaped / UTF8-NONASCII /
 * UTF8-CONT / SP / HTAB); no CR, LF or other control bytes.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid.
 * Rejects overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n, i;
	unsigned int cp;

	if(c < 0x80)
		return 1;
	if(c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if(c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if(c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if(len < n)
		return 0;
	for(i = 1; i < n; i++) {
		if((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF
			|| (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

static int is_ctrl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7F;
}

unsigned int sipoutcome_phrase_check(int code, const char *phrase, size_t len)
{
	const unsigned char *p = (const unsigned char *)phrase;
	const sipoutcome_code_t *row;
	unsigned int flags = 0;
	size_t i, n;

	if(phrase == NULL || len == 0)
		return SIPOUTCOME_PH_EMPTY;
	if(len > SIPOUTCOME_PHRASE_MAX)
		flags |= SIPOUTCOME_PH_OVERLONG;
	for(i = 0; i < len; i += n) {
		if(p[i] >= 0x20 && p[i] < 0x7F) {
			n = 1; /* printable ASCII, the usual phrase: nothing to check */
			continue;
		}
		if(is_ctrl(p[i]))
			flags |= SIPOUTCOME_PH_CTRL;
		n = utf8_seq(p + i, len - i);
		if(n == 0) {
			flags |= SIPOUTCOME_PH_BAD_UTF8;
			n = 1;
		}
	}
	row = sipoutcome_code_lookup(code);
	if(row != NULL && !so_ieq(phrase, len, row->phrase, row->phrase_len))
		flags |= SIPOUTCOME_PH_NONSTANDARD;
	return flags;
}

size_t sipoutcome_phrase_sanitize(
		char *dst, size_t cap, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t limit, out = 0, i = 0, n;
	int pending_space = 0;

	if(dst == NULL || cap == 0)
		return 0;
	limit = cap - 1;
	if(limit > SIPOUTCOME_PHRASE_MAX)
		limit = SIPOUTCOME_PHRASE_MAX;
	if(src == NULL)
		len = 0;
	while(i < len) {
		n = utf8_seq(s + i, len - i);
		if(n == 0 || is_ctrl(s[i]) || s[i] == ' ' || s[i] == '\t') {
			/* blanks, controls and bad bytes all become one space */
			pending_space = out > 0;
			i += n ? n : 1;
			continue;
		}
		if(out + (pending_space ? 1 : 0) + n > limit)
			break; /* cut at a character boundary */
		if(pending_space) {
			dst[out++] = ' ';
			pending_space = 0;
		}
		memcpy(dst + out, s + i, n);
		out += n;
		i += n;
	}
	dst[out] = '\0';
	return out;
}

/* At most cap-1 bytes of s and a NUL into buf; the length. */
static size_t copy_phrase(char *buf, size_t cap, const char *s, size_t n)
{
	if(n > cap - 1)
		n = cap - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return n;
}

/* annotate: the received phrase (made safe; the code's canonical phrase
 * when nothing printable is left) plus " [TAG/category]", within
 * SIPOUTCOME_PHRASE_MAX bytes. Its length, 0 when the note does not fit. */
static size_t annotate_phrase(const sipoutcome_result_t *r, const char *rcvd,
		size_t len, char *buf, size_t cap)
{
	char note[64];
	int nl = snprintf(note, sizeof(note), " [%s/%s]",
			sipoutcome_tag_name(r->tag), sipoutcome_category_name(r->category));
	size_t room = cap - 1 < SIPOUTCOME_PHRASE_MAX ? cap - 1
												  : SIPOUTCOME_PHRASE_MAX;
	size_t n;

	if(nl < 0 || (size_t)nl >= room)
		return 0;
	n = sipoutcome_phrase_sanitize(buf, room - (size_t)nl + 1, rcvd, len);
	if(n == 0)
		n = copy_phrase(buf, room - (size_t)nl + 1, r->phrase, r->phrase_len);
	memcpy(buf + n, note, (size_t)nl);
	buf[n + nl] = '\0';
	return n + (size_t)nl;
}

int sipoutcome_phrase_for_mode(int mode, const struct sipoutcome_result *r,
		const char *rcvd, size_t len, char *buf, size_t cap)
{
	unsigned int f = sipoutcome_phrase_check(r->code, rcvd, len);
	unsigned int broken =
			f & (SIPOUTCOME_PH_CTRL | SIPOUTCOME_PH_BAD_UTF8
						| SIPOUTCOME_PH_OVERLONG);
	size_t n;

	switch(mode) {
		case SIPOUTCOME_RM_KEEP:
			if(!broken)
				return 0;
			n = sipoutcome_phrase_sanitize(buf, cap, rcvd, len);
			if(n > 0)
				return (int)n;
			break; /* nothing printable: canonical */
		case SIPOUTCOME_RM_NORMALIZE:
			if(f == 0)
				return 0;
			if(!r->registered) {
				n = sipoutcome_phrase_sanitize(buf, cap, rcvd, len);
				if(n > 0)
					return (int)n;
			}
			break;
		case SIPOUTCOME_RM_ANNOTATE:
			if((n = annotate_phrase(r, rcvd, len, buf, cap)) > 0)
				return (int)n;
			break;
		case SIPOUTCOME_RM_REWRITE:
			if(r->rewrite != NULL)
				return (int)copy_phrase(buf, cap, r->rewrite, strlen(r->rewrite));
			break;
		default:
			return 0;
	}
	n = copy_phrase(buf, cap, r->phrase, r->phrase_len);
	if(len == n && (n == 0 || memcmp(rcvd, buf, n) == 0))
		return 0;
	return (int)n;
}
