/*
 * The log line formatter as it was before issue 16 (main at df85b4b,
 * module/engine/sipoutcome_logfmt.c), frozen here as the reference the
 * rewritten one must match byte for byte (tests/unit/test_logfmt_same.c).
 * Kept on purpose as a copy: do not "fix" it; it defines the line.
 */
#include <stdio.h>
#include <string.h>

#include "sipoutcome.h"
#include "ref_logfmt.h"

#define LOGFMT_VALUE_MAX 256

typedef struct out {
	char *p;
	size_t cap;
	size_t len;
	int cut;
	int json; /* 1: a JSON object's members instead of key=value */
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
	size_t room = o->cap - 1 - o->len;
	if(n > room) {
		n = room;
		o->cut = 1;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void put_s(out_t *o, const char *s)
{
	put(o, s, strlen(s));
}

static int needs_quotes(const char *v, size_t n)
{
	size_t i;
	if(n == 0)
		return 1;
	for(i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if(c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7F)
			return 1;
	}
	return 0;
}

/* Bytes the escaped form of v[i] takes, and how many input bytes it
 * covers (a whole UTF-8 sequence is never split). */
static size_t esc_len(const char *v, size_t i, size_t n, size_t *adv)
{
	unsigned char c = (unsigned char)v[i];
	size_t k = 1;

	*adv = 1;
	if(c == '"' || c == '\\')
		return 2;
	if(c < 0x20 || c == 0x7F)
		return 4;
	if(c >= 0xC0) {
		size_t j, want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		/* group only real continuation bytes; anything else is escaped
		 * or copied on its own */
		for(j = 1; j < want && i + j < n
				   && ((unsigned char)v[i + j] & 0xC0) == 0x80;
				j++)
			;
		k = j;
	}
	*adv = k;
	return k;
}

/* A JSON string (RFC 8259 section 7), cut at LOGFMT_VALUE_MAX bytes as
 * written: '"' and '\\' escaped, control bytes and bytes that do not
 * start a whole UTF-8 sequence as \u00XX. */
static void json_str(out_t *o, const char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, used = 0, adv, el;
	char esc[6];

	put(o, "\"", 1);
	for(i = 0; i < n; i += adv) {
		unsigned char c = (unsigned char)v[i];
		el = esc_len(v, i, n, &adv);
		if(c >= 0x80 && (c < 0xC0 || c >= 0xF8
								|| adv != (size_t)(c >= 0xF0   ? 4
												   : c >= 0xE0 ? 3
															   : 2))) {
			adv = 1; /* not a whole sequence: its Latin-1 reading */
			el = 6;
		} else if(c < 0x20 || c == 0x7F) {
			el = 6;
		}
		if(used + el > LOGFMT_VALUE_MAX)
			break;
		used += el;
		if(el == 6) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(o, esc, 6);
		} else if(c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(o, esc, 2);
		} else {
			put(o, v + i, adv);
		}
	}
	put(o, "\"", 1);
}

/* "key":"value" or "key":null (v NULL) */
static void kv_json(out_t *o, const char *key, const char *v, size_t n)
{
	if(o->len > 1)
		put(o, ",", 1);
	put(o, "\"", 1);
	put_s(o, key);
	put(o, "\":", 2);
	if(v == NULL)
		put(o, "null", 4);
	else
		json_str(o, v, n);
}

/* key=value, quoting and escaping the value; the value as written
 * (escapes included, quotes excluded) is cut at 256 bytes. */
static void kv(out_t *o, const char *key, const char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, used = 0, adv, el;

	if(o->json) {
		kv_json(o, key, v, n);
		return;
	}
	if(o->len > 0)
		put(o, " ", 1);
	put_s(o, key);
	put(o, "=", 1);
	if(v == NULL) {
		return; /* empty value: `q850=` */
	}
	if(!needs_quotes(v, n) && n <= LOGFMT_VALUE_MAX) {
		put(o, v, n);
		return;
	}
	put(o, "\"", 1);
	for(i = 0; i < n; i += adv) {
		unsigned char c = (unsigned char)v[i];
		char esc[4];
		el = esc_len(v, i, n, &adv);
		if(used + el > LOGFMT_VALUE_MAX)
			break;
		used += el;
		if(c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(o, esc, 2);
		} else if(c < 0x20 || c == 0x7F) {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 15];
			put(o, esc, 4);
		} else {
			put(o, v + i, adv);
		}
	}
	put(o, "\"", 1);
}

static void kv_s(out_t *o, const char *key, const char *v)
{
	kv(o, key, v, v ? strlen(v) : 0);
}

/* An integer value: bare in both forms. */
static void kv_i(out_t *o, const char *key, long v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%ld", v);

	if(!o->json) {
		kv(o, key, buf, (size_t)n);
		return;
	}
	if(o->len > 1)
		put(o, ",", 1);
	put(o, "\"", 1);
	put_s(o, key);
	put(o, "\":", 2);
	put(o, buf, (size_t)n);
}

/* An integer that may be absent (v < 0): `key=` or "key":null. */
static void kv_opt(out_t *o, const char *key, long v)
{
	if(v >= 0)
		kv_i(o, key, v);
	else
		kv(o, key, NULL, 0);
}

/* The keys after hint that lc->extra asks for. */
static void kv_extra(out_t *o, const sipoutcome_logctx_t *lc)
{
	if(lc->extra & SIPOUTCOME_LOGX_ATTEMPTS)
		kv_i(o, "attempts", lc->attempts);
	if(lc->extra & SIPOUTCOME_LOGX_BRANCH) {
		kv_i(o, "branch", lc->branch);
		kv(o, "dst", lc->dst ? lc->dst : "", lc->dst ? lc->dst_len : 0);
	}
	if(lc->extra & SIPOUTCOME_LOGX_TIMING) {
		kv_opt(o, "pdd_ms", lc->pdd_ms);
		kv_opt(o, "setup_ms", lc->setup_ms);
	}
}

static int format(char *dst, size_t cap, const sipoutcome_result_t *r,
		const sipoutcome_logctx_t *lc, int json)
{
	out_t o;
	char klass[4];

	if(dst == NULL || cap == 0 || r == NULL || lc == NULL)
		return SIPOUTCOME_EINVAL;
	o.p = dst;
	o.cap = cap;
	o.len = 0;
	o.cut = 0;
	o.json = json;
	dst[0] = '\0';
	if(json)
		put(&o, "{", 1);

	klass[0] = (char)('0' + (r->klass % 10));
	klass[1] = 'x';
	klass[2] = 'x';
	klass[3] = '\0';
	kv_s(&o, "tag", sipoutcome_tag_name(r->tag));
	kv_i(&o, "code", r->code);
	kv_s(&o, "class", klass);
	kv_s(&o, "category", sipoutcome_category_name(r->category));
	kv_s(&o, "retry", sipoutcome_retry_name(r->retry));
	kv_s(&o, "blame", sipoutcome_blame_name(r->blame));
	kv_s(&o, "source", lc->local ? "local" : "remote");
	kv_i(&o, "ringing", lc->ringing ? 1 : 0);
	kv(&o, "callid", lc->callid ? lc->callid : "", lc->callid ? lc->callid_len : 0);
	kv(&o, "reason", lc->reason ? lc->reason : "", lc->reason ? lc->reason_len : 0);
	kv_s(&o, "vendor", r->vendor ? r->vendor : "rfc");
	kv_opt(&o, "q850", lc->q850);
	kv(&o, "hint", r->hint, r->hint ? strlen(r->hint) : 0);
	if(lc->sent >= 100 && lc->sent <= 699)
		kv_i(&o, "sent", lc->sent);
	if(lc->in_dialog)
		kv_i(&o, "in_dialog", 1);
	kv_extra(&o, lc);
	if(json) {
		if(o.len + 2 > cap) {
			o.cut = 1; /* keep room for the closing brace */
			o.len = cap - 2;
		}
		put(&o, "}", 1);
	}
	return o.cut ? SIPOUTCOME_ENOSPC : (int)o.len;
}

int ref_format_logfmt(char *dst, size_t cap,
		const sipoutcome_result_t *r, const sipoutcome_logctx_t *lc)
{
	return format(dst, cap, r, lc, 0);
}

int ref_format_json(char *dst, size_t cap,
		const sipoutcome_result_t *r, const sipoutcome_logctx_t *lc)
{
	return format(dst, cap, r, lc, 1);
}
