/*
 * Reason header values (RFC 3326 §2, RFC 6432, RFC 8606 location=,
 * RFC 9366 several values per protocol):
 *   reason-value = protocol *(SEMI reason-params)
 *   reason-params = "cause" EQUAL 1*DIGIT / "text" EQUAL quoted-string /
 *                   generic-param
 * Linear-whitespace around ';', '=' and ',' is tolerated (seen in the
 * wild: `Q.850 ;cause=16 ;text="..."`).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

#define REASON_SCAN_MAX 4096

void sipoutcome_reason_hdr_init(sipoutcome_reason_hdr_t *r)
{
	if(r == NULL)
		return;
	memset(r, 0, sizeof(*r));
	r->q850 = -1;
	r->sip_cause = -1;
}

typedef struct cursor {
	const char *p;
	const char *end;
	int cut; /* end is the scan limit, not the end of the header */
} cursor_t;

static void skip_ws(cursor_t *c)
{
	while(c->p < c->end
			&& (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'
					|| *c->p == '\n'))
		c->p++;
}

/* RFC 3261 §25.1 token characters: alphanumerics and -.!%*_+`'~ */
static const unsigned char token_chars[256] = {
		['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
		['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1,
		['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
		['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
		['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
		['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
		['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
		['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
		['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
		['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
		['Y'] = 1, ['Z'] = 1, ['-'] = 1, ['.'] = 1, ['!'] = 1, ['%'] = 1,
		['*'] = 1, ['_'] = 1, ['+'] = 1, ['`'] = 1, ['\''] = 1, ['~'] = 1};

static int is_token_char(char ch)
{
	return token_chars[(unsigned char)ch];
}

static size_t token(cursor_t *c, const char **start)
{
	*start = c->p;
	while(c->p < c->end && is_token_char(*c->p))
		c->p++;
	return (size_t)(c->p - *start);
}

/* Quoted string: sets the inner bounds; returns 0 when unterminated.
 * The closing quote is found with memchr; only a backslash before it
 * (a quoted-pair, RFC 3261 §25.1) needs the byte loop. */
static int quoted(cursor_t *c, const char **start, size_t *len)
{
	const char *q;

	c->p++; /* opening quote */
	*start = c->p;
	q = c->p < c->end ? memchr(c->p, '"', (size_t)(c->end - c->p)) : NULL;
	if(q != NULL && memchr(c->p, '\\', (size_t)(q - c->p)) == NULL) {
		c->p = q;
	} else {
		while(c->p < c->end && *c->p != '"') {
			if(*c->p == '\\' && c->p + 1 < c->end)
				c->p++;
			c->p++;
		}
		if(c->p >= c->end) {
			/* a header longer than the scan limit: the text that runs
			 * past it ends there, so the cause before it still counts
			 * (one reading for every caller, whatever the length) */
			if(!c->cut)
				return 0;
			c->p = c->end;
			*len = (size_t)(c->p - *start);
			return 1;
		}
	}
	*len = (size_t)(c->p - *start);
	c->p++; /* closing quote */
	return 1;
}

/* Skip to just after the next ',' outside quotes (or to the end). */
static void skip_value(cursor_t *c)
{
	int inq = 0;
	while(c->p < c->end) {
		char ch = *c->p++;
		if(inq && ch == '\\' && c->p < c->end)
			c->p++;
		else if(ch == '"')
			inq = !inq;
		else if(ch == ',' && !inq)
			return;
	}
}

/* Parse one value at c; returns 1 when it is well formed. */
static int parse_value(cursor_t *c, sipoutcome_reason_hdr_t *r)
{
	const char *proto, *name, *val = NULL, *text = NULL;
	size_t plen, nlen, vlen = 0, text_len = 0;
	long cause = -1;
	char loc[8] = "";
	int is_q850, is_sip;

	skip_ws(c);
	plen = token(c, &proto);
	if(plen == 0)
		return 0;
	is_q850 = so_ieq(proto, plen, "Q.850", 5);
	is_sip = so_ieq(proto, plen, "SIP", 3);
	for(;;) {
		skip_ws(c);
		if(c->p >= c->end || *c->p == ',')
			break;
		if(*c->p != ';')
			return 0;
		c->p++;
		skip_ws(c);
		nlen = token(c, &name);
		if(nlen == 0)
			return 0;
		skip_ws(c);
		vlen = 0;
		val = NULL;
		if(c->p < c->end && *c->p == '=') {
			c->p++;
			skip_ws(c);
			if(c->p < c->end && *c->p == '"') {
				if(!quoted(c, &val, &vlen))
					return 0;
			} else {
				vlen = token(c, &val);
				if(vlen == 0)
					return 0;
			}
		}
		if(so_ieq(name, nlen, "cause", 5)) {
			size_t i;
			if(val == NULL || vlen == 0 || vlen > 4)
				return 0;
			cause = 0;
			for(i = 0; i < vlen; i++) {
				if(val[i] < '0' || val[i] > '9')
					return 0;
				cause = cause * 10 + (val[i] - '0');
			}
		} else if(so_ieq(name, nlen, "text", 4)) {
			text = val;
			text_len = vlen;
		} else if(so_ieq(name, nlen, "location", 8) && val != NULL
				  && vlen < sizeof(loc)) {
			memcpy(loc, val, vlen);
			loc[vlen] = '\0';
		}
	}
	if(is_q850) {
		if(cause < 0 || cause > 127)
			return 0;
		if(r->q850 < 0) {
			r->q850 = (int)cause;
			memcpy(r->location, loc, sizeof(loc));
			if(text != NULL) {
				r->text = text;
				r->text_len = text_len;
			}
		}
	} else if(is_sip) {
		if(cause < 100 || cause > 699)
			return 0;
		if(r->sip_cause < 0) {
			r->sip_cause = (int)cause;
			if(r->text == NULL && text != NULL) {
				r->text = text;
				r->text_len = text_len;
			}
		}
	}
	return 1;
}

int sipoutcome_reason_hdr_parse(
		const char *body, size_t len, sipoutcome_reason_hdr_t *r)
{
	cursor_t c;
	int good = 0;

	if(body == NULL || r == NULL)
		return SIPOUTCOME_EINVAL;
	c.cut = len > REASON_SCAN_MAX;
	if(c.cut)
		len = REASON_SCAN_MAX;
	c.p = body;
	c.end = body + len;
	for(;;) {
		skip_ws(&c);
		if(c.p >= c.end)
			break;
		r->values++;
		if(parse_value(&c, r)) {
			good++;
			skip_ws(&c);
			if(c.p < c.end && *c.p == ',')
				c.p++;
		} else {
			r->bad++;
			skip_value(&c);
		}
	}
	return good > 0 ? SIPOUTCOME_OK : SIPOUTCOME_ESYNTAX;
}

/* ---- the Q.850 cause alone ---- */

static int is_ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static inline const char *skip_spaces(const char *p, const char *end)
{
	while(p < end && is_ws(*p))
		p++;
	return p;
}

/* p at wl bytes equal to word (case-insensitive) that end the token. */
static inline int at_word(const char *p, const char *end, const char *word, size_t wl)
{
	return end - p >= (ptrdiff_t)wl && so_ieq(p, wl, word, wl)
		   && (end - p == (ptrdiff_t)wl || !is_token_char(p[wl]));
}

/* `word [ws] sep [ws]` at p: the position after it, or NULL. */
static inline const char *word_sep(
		const char *p, const char *end, const char *word, size_t wl, char sep)
{
	if(!at_word(p, end, word, wl))
		return NULL;
	p = skip_spaces(p + wl, end);
	if(p >= end || *p != sep)
		return NULL;
	return skip_spaces(p + 1, end);
}

/* A cause value as the parser takes it: 1 to 4 digits that end the
 * token, at most 127. The position after it, or NULL. */
static inline const char *cause_value(const char *p, const char *end, int *cause)
{
	int n = 0;

	*cause = 0;
	for(; p < end && *p >= '0' && *p <= '9' && n < 5; p++, n++)
		*cause = *cause * 10 + (*p - '0');
	if(n == 0 || n > 4 || *cause > 127 || (p < end && is_token_char(*p)))
		return NULL;
	return p;
}

/* A quoted string's body at p (just after the opening quote), found with
 * memchr: the position after the closing quote, or NULL when unterminated
 * or when it holds a quoted-pair (the parser's byte loop handles those). */
static inline const char *quoted_simple(const char *p, const char *end)
{
	const char *q = memchr(p, '"', (size_t)(end - p));

	if(q == NULL || memchr(p, '\\', (size_t)(q - p)) != NULL)
		return NULL;
	return q + 1;
}

/* The common value `Q.850;cause=N` with an optional `;text="..."`, spaces
 * allowed where the full parser allows them, followed by the end or a
 * comma. Returns the cause (0..127) of such a value, or -1 when the input
 * is anything else: the caller then runs the full parser, so this only
 * has to be right about what it accepts. */
static int q850_common(const char *p, const char *end)
{
	int cause;

	p = skip_spaces(p, end);
	if((p = word_sep(p, end, "Q.850", 5, ';')) == NULL
			|| (p = word_sep(p, end, "cause", 5, '=')) == NULL
			|| (p = cause_value(p, end, &cause)) == NULL)
		return -1;
	p = skip_spaces(p, end);
	if(p < end && *p == ';') {
		p = skip_spaces(p + 1, end);
		if((p = word_sep(p, end, "text", 4, '=')) == NULL || p >= end
				|| *p != '"' || (p = quoted_simple(p + 1, end)) == NULL)
			return -1;
		p = skip_spaces(p, end);
	}
	return (p < end && *p != ',') ? -1 : cause;
}

/* n bytes at p equal pat, letters compared without case: or-ing 0x20
 * into a letter gives its lower case, and only a letter's two cases turn
 * into that; lmask has 0x20 at the letters of pat (lower case). */
static int eq_fold(const char *p, const char *pat, uint64_t lmask, size_t n)
{
	uint64_t x = 0, y = 0;

	memcpy(&x, p, n);
	memcpy(&y, pat, n);
	return (x | lmask) == y;
}

/* The canonical `Q.850;cause=N;text="..."` (no spaces), checked eight
 * bytes at a time; -1 for anything else, which q850_common then takes. */
static int q850_canonical(const char *p, const char *end)
{
	int cause;

	/* "q.850;ca" letters q, c, a; "use=" letters u, s, e */
	if(end - p < 13 || !eq_fold(p, "q.850;ca", 0x2020000000000020ULL, 8)
			|| !eq_fold(p + 8, "use=", 0x202020ULL, 4)
			|| (p = cause_value(p + 12, end, &cause)) == NULL)
		return -1;
	if(p < end && *p == ';') {
		/* ";text=\"" letters t, e, x, t */
		if(end - p < 8 || !eq_fold(p, ";text=\"", 0x20202020ULL << 8, 7)
				|| (p = quoted_simple(p + 7, end)) == NULL)
			return -1;
	}
	return (p < end && *p != ',') ? -1 : cause;
}

int sipoutcome_reason_q850(const char *body, size_t len)
{
	return sipoutcome_reason_q850_loc(body, len, NULL);
}

int sipoutcome_reason_q850_loc(
		const char *body, size_t len, sipoutcome_location_t *loc)
{
	sipoutcome_reason_hdr_t r;
	size_t scan;
	int cause;

	if(loc != NULL)
		*loc = SIPOUTCOME_LOC_NONE;
	if(body == NULL)
		return -1;
	while(len > 0 && *body == ' ') { /* the usual space after "Reason:" */
		body++;
		len--;
	}
	scan = len > REASON_SCAN_MAX ? REASON_SCAN_MAX : len;
	cause = q850_canonical(body, body + scan);
	if(cause >= 0)
		return cause;
	cause = q850_common(body, body + scan);
	if(cause >= 0)
		return cause;
	/* the full length: the parser knows then that a value was cut;
	 * location= is not a common value: only the full parser reads it */
	sipoutcome_reason_hdr_init(&r);
	(void)sipoutcome_reason_hdr_parse(body, len, &r);
	if(loc != NULL && r.q850 >= 0)
		*loc = sipoutcome_location_parse(r.location, strlen(r.location));
	return r.q850;
}
