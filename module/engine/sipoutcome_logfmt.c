/*
 * The one-line logfmt record (https://brandur.org/logfmt conventions:
 * key=value pairs separated by spaces, values quoted when needed), and
 * the same keys as one JSON object (RFC 8259).
 *
 * The line is written once per call on the reply path, so the usual
 * values take a fast path: one table lookup per byte decides whether a
 * value can be copied as it is (bare, or between quotes), and only a
 * value that needs escapes, is over 256 bytes or, in JSON, has bytes
 * above 0x7f takes the byte-by-byte path. Integers are converted here,
 * not by snprintf. The bytes written are those of the formatter before
 * this rewrite (tests/unit/ref_logfmt.c, compared by
 * tests/unit/test_logfmt_same.c).
 */
#include <string.h>

#include "internal.h"

#define LOGFMT_VALUE_MAX 256

typedef struct out {
	char *p;
	size_t cap;
	size_t len;
	int cut;
	int json; /* 1: a JSON object's members instead of key=value */
} out_t;

/* Append n bytes, as many as fit before the last byte of the buffer
 * (kept for the NUL, written once at the end). */
static void put_cut(out_t *o, const char *s, size_t n)
{
	size_t room = o->cap - 1 - o->len;

	if(n > room) {
		n = room;
		o->cut = 1;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static inline void put(out_t *o, const char *s, size_t n)
{
	/* o->len <= o->cap - 1 always: n bytes fit when n < cap - len */
	if(__builtin_expect(n < o->cap - o->len, 1)) {
		memcpy(o->p + o->len, s, n);
		o->len += n;
	} else {
		put_cut(o, s, n);
	}
}

static inline void put_c(out_t *o, char c)
{
	if(o->len + 1 < o->cap)
		o->p[o->len++] = c;
	else
		o->cut = 1;
}

/* A key with what goes before and after it: lk " key=" (logfmt), jk
 * ",\"key\":" (JSON), literals of the KV macros, so that the copy is
 * inlined at each call; the first key of a line goes without the
 * separator. */
static inline __attribute__((always_inline)) void put_key(out_t *o,
		const char *lk, size_t lkn, const char *jk, size_t jkn)
{
	if(o->json) {
		if(o->len > 1)
			put(o, jk, jkn);
		else
			put(o, jk + 1, jkn - 1);
	} else if(o->len > 0) {
		put(o, lk, lkn);
	} else {
		put(o, lk + 1, lkn - 1);
	}
}

#define PUT_KEY(o, k)                                                       \
	put_key((o), " " k "=", sizeof(" " k "=") - 1, ",\"" k "\":",           \
			sizeof(",\"" k "\":") - 1)

/* What a byte asks of a value: V_Q the value is quoted in logfmt (blank,
 * '=', and everything V_E is); V_E the byte is escaped in both forms
 * ('"', '\\', control bytes, DEL); V_H above 0x7f (JSON checks UTF-8). */
enum { V_Q = 1, V_E = 2, V_H = 4 };
static const unsigned char vclass[256] = {
		[0x00 ... 0x1f] = V_Q | V_E,
		[' '] = V_Q,
		['"'] = V_Q | V_E,
		['='] = V_Q,
		['\\'] = V_Q | V_E,
		[0x7f] = V_Q | V_E,
		[0x80 ... 0xff] = V_H,
};

static inline unsigned int scan(const char *v, size_t n)
{
	const unsigned char *p = (const unsigned char *)v;
	unsigned int f = 0;
	size_t i;

	for(i = 0; i < n; i++)
		f |= vclass[p[i]];
	return f;
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
static void json_str_slow(out_t *o, const char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, used = 0, adv, el;
	char esc[6];

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
}

static void json_str(out_t *o, const char *v, size_t n)
{
	put_c(o, '"');
	if(n <= LOGFMT_VALUE_MAX && !(scan(v, n) & (V_E | V_H)))
		put(o, v, n); /* nothing to escape, nothing to cut */
	else
		json_str_slow(o, v, n);
	put_c(o, '"');
}

/* The escaped form of a logfmt value between its quotes, cut at
 * LOGFMT_VALUE_MAX bytes as written. */
static void kv_slow(out_t *o, const char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, used = 0, adv, el;

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
}

/* The value after its key, quoted and escaped as needed (an empty one is
 * ""); v NULL writes nothing (`key=`). JSON: "value", or null for v
 * NULL. */
static void val(out_t *o, const char *v, size_t n)
{
	unsigned int f;

	if(o->json) {
		if(v == NULL)
			put(o, "null", 4);
		else
			json_str(o, v, n);
		return;
	}
	if(v == NULL)
		return; /* empty value: `q850=` */
	f = n > 0 ? scan(v, n) : V_Q;
	if(n <= LOGFMT_VALUE_MAX && !(f & V_E)) {
		if(!(f & V_Q)) {
			put(o, v, n);
			return;
		}
		put_c(o, '"');
		put(o, v, n);
		put_c(o, '"');
		return;
	}
	put_c(o, '"');
	kv_slow(o, v, n);
	put_c(o, '"');
}

#define KV(o, key, v, n)                                                    \
	do {                                                                    \
		PUT_KEY(o, key);                                                    \
		val((o), (v), (n));                                                 \
	} while(0)

static void val_s(out_t *o, const char *v)
{
	val(o, v, v ? strlen(v) : 0);
}

#define KV_S(o, key, v)                                                     \
	do {                                                                    \
		PUT_KEY(o, key);                                                    \
		val_s((o), (v));                                                    \
	} while(0)

/* One of the engine's own names (tag, category, retry, blame: RFC 3261
 * token characters, test_codes.c test_names) or another fixed token:
 * nothing to quote or escape, so no scan. NULL or empty: as val(). */
static void val_tok(out_t *o, const char *v, size_t n)
{
	if(v == NULL || n == 0) {
		val(o, v, n);
	} else if(o->json) {
		put_c(o, '"');
		put(o, v, n);
		put_c(o, '"');
	} else {
		put(o, v, n);
	}
}

#define KV_T(o, key, v, n)                                                  \
	do {                                                                    \
		PUT_KEY(o, key);                                                    \
		val_tok((o), (v), (n));                                             \
	} while(0)

static void val_name(out_t *o, const char *v)
{
	val_tok(o, v, v ? strlen(v) : 0);
}

#define KV_N(o, key, v)                                                     \
	do {                                                                    \
		PUT_KEY(o, key);                                                    \
		val_name((o), (v));                                                 \
	} while(0)

/* An integer, bare in both forms ("%ld": digits and '-'). */
static void val_i(out_t *o, long v)
{
	char tmp[24];
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
	size_t n = sizeof(tmp);

	do {
		tmp[--n] = (char)('0' + u % 10);
		u /= 10;
	} while(u != 0);
	if(v < 0)
		tmp[--n] = '-';
	put(o, tmp + n, sizeof(tmp) - n);
}

#define KV_I(o, key, v)                                                     \
	do {                                                                    \
		PUT_KEY(o, key);                                                    \
		val_i((o), (v));                                                    \
	} while(0)

/* An integer that may be absent (v < 0): `key=` or "key":null. */
static void val_opt(out_t *o, long v)
{
	if(v >= 0)
		val_i(o, v);
	else
		val(o, NULL, 0);
}

#define KV_OPT(o, key, v)                                                   \
	do {                                                                    \
		PUT_KEY(o, key);                                                    \
		val_opt((o), (v));                                                  \
	} while(0)

/* The keys after hint that lc->extra asks for. */
static void kv_extra(out_t *o, const sipoutcome_logctx_t *lc)
{
	if(lc->extra & SIPOUTCOME_LOGX_ATTEMPTS)
		KV_I(o, "attempts", lc->attempts);
	if(lc->extra & SIPOUTCOME_LOGX_BRANCH) {
		KV_I(o, "branch", lc->branch);
		KV(o, "dst", lc->dst ? lc->dst : "", lc->dst ? lc->dst_len : 0);
	}
	if(lc->extra & SIPOUTCOME_LOGX_TIMING) {
		KV_OPT(o, "pdd_ms", lc->pdd_ms);
		KV_OPT(o, "setup_ms", lc->setup_ms);
	}
}

static int format(char *dst, size_t cap, const sipoutcome_result_t *r,
		const sipoutcome_logctx_t *lc, int json)
{
	out_t o;
	char klass[3];

	if(dst == NULL || cap == 0 || r == NULL || lc == NULL)
		return SIPOUTCOME_EINVAL;
	o.p = dst;
	o.cap = cap;
	o.len = 0;
	o.cut = 0;
	o.json = json;
	if(json)
		put_c(&o, '{');

	klass[0] = (char)('0' + (r->klass % 10));
	klass[1] = 'x';
	klass[2] = 'x';
	KV_N(&o, "tag", sipoutcome_tag_name(r->tag));
	KV_I(&o, "code", r->code);
	KV_T(&o, "class", klass, 3);
	KV_N(&o, "category", sipoutcome_category_name(r->category));
	KV_N(&o, "retry", sipoutcome_retry_name(r->retry));
	KV_N(&o, "blame", sipoutcome_blame_name(r->blame));
	if(lc->local)
		KV_T(&o, "source", "local", 5);
	else
		KV_T(&o, "source", "remote", 6);
	KV_I(&o, "ringing", lc->ringing ? 1 : 0);
	KV(&o, "callid", lc->callid ? lc->callid : "",
			lc->callid ? lc->callid_len : 0);
	KV(&o, "reason", lc->reason ? lc->reason : "",
			lc->reason ? lc->reason_len : 0);
	KV_S(&o, "vendor", r->vendor ? r->vendor : "rfc");
	KV_OPT(&o, "q850", lc->q850);
	KV_S(&o, "hint", r->hint);
	if(lc->sent >= 100 && lc->sent <= 699)
		KV_I(&o, "sent", lc->sent);
	if(lc->in_dialog)
		KV_I(&o, "in_dialog", 1);
	kv_extra(&o, lc);
	if(json) {
		if(o.len + 2 > cap) {
			/* keep room for the closing brace */
			o.cut = 1;
			o.len = cap >= 2 ? cap - 2 : 0;
		}
		put_c(&o, '}');
	}
	o.p[o.len] = '\0';
	return o.cut ? SIPOUTCOME_ENOSPC : (int)o.len;
}

int sipoutcome_format_logfmt(char *dst, size_t cap,
		const sipoutcome_result_t *r, const sipoutcome_logctx_t *lc)
{
	return format(dst, cap, r, lc, 0);
}

int sipoutcome_format_json(char *dst, size_t cap,
		const sipoutcome_result_t *r, const sipoutcome_logctx_t *lc)
{
	return format(dst, cap, r, lc, 1);
}
