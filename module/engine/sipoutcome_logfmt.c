/*
 * The one-line logfmt record (https://brandur.org/logfmt conventions:
 * key=value pairs separated by spaces, values quoted when needed), and
 * the same keys as one JSON object (RFC 8259).
 *
 * The line is written once per call on the reply path. The lengths of
 * the values are known first, and with them a bound of the line's
 * length; when the bound fits the caller's buffer (always, for the
 * adapters' 2048 bytes) the line is written with no check per byte or
 * per key; otherwise it is written into a scratch buffer and the part
 * that fits is copied, as the cut line has always been. A value is
 * scanned with one table lookup per byte to decide whether it can be
 * copied as it is (bare, or between quotes); only a value that needs
 * escapes, is over 256 bytes or, in JSON, has bytes above 0x7f takes
 * the byte-by-byte path. The enum names carry their lengths; integers
 * are converted here, not by snprintf. The bytes written are those of
 * the formatter before these fast paths (tests/unit/ref_logfmt.c,
 * compared by tests/unit/test_logfmt_same.c).
 */
#include <stdint.h>
#include <string.h>

#include "internal.h"

#define LOGFMT_VALUE_MAX 256
/* Bytes of the line outside its string values: every key in its JSON
 * form (the longer one; 193 bytes for all 20), the braces, and 9
 * integers of at most 20 characters each (a long: "-" and 19 digits):
 * 375, rounded up. */
#define LOGFMT_FIXED_MAX 400
/* The most a string value takes: 256 bytes as written plus its quotes,
 * or "null". */
#define LOGFMT_VAL_MAX(n) \
	(((n) < LOGFMT_VALUE_MAX ? (n) : LOGFMT_VALUE_MAX) + 4)
/* The scratch buffer of a line the caller's buffer may not hold: more
 * than the bound of any line (400, five values of 260, the four names
 * at their longest, "answered_elsewhere" and the like, with quotes, the
 * class and "remote": 1,764). */
#define LOGFMT_SCRATCH 2048

/* The write cursor; the caller made sure that what is written fits. */
typedef struct out {
	char *p;
} out_t;

/* Copy n bytes (n small and variable: the values), without a call for
 * the usual lengths: overlapping 8-byte moves up to 32 bytes. Reads
 * and writes only s[0..n) and d[0..n). */
static inline __attribute__((always_inline)) void copy_v(
		char *d, const char *s, size_t n)
{
	uint64_t a, b, c, e;
	uint32_t x, y;

	if(n >= 8) {
		if(n > 32) {
			memcpy(d, s, n);
		} else if(n > 16) {
			memcpy(&a, s, 8);
			memcpy(&b, s + 8, 8);
			memcpy(&c, s + n - 16, 8);
			memcpy(&e, s + n - 8, 8);
			memcpy(d, &a, 8);
			memcpy(d + 8, &b, 8);
			memcpy(d + n - 16, &c, 8);
			memcpy(d + n - 8, &e, 8);
		} else {
			memcpy(&a, s, 8);
			memcpy(&b, s + n - 8, 8);
			memcpy(d, &a, 8);
			memcpy(d + n - 8, &b, 8);
		}
	} else if(n >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(d, &x, 4);
		memcpy(d + n - 4, &y, 4);
	} else if(n > 0) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

/* A literal (n constant: the compiler writes it inline). */
#define PUT_LIT(o, lit)                                                     \
	do {                                                                    \
		memcpy((o)->p, (lit), sizeof(lit) - 1);                             \
		(o)->p += sizeof(lit) - 1;                                          \
	} while(0)

static inline __attribute__((always_inline)) void put(
		out_t *o, const char *s, size_t n)
{
	copy_v(o->p, s, n);
	o->p += n;
}

static inline __attribute__((always_inline)) void put_c(out_t *o, char c)
{
	*o->p++ = c;
}

/* A key with the separator before it and the '=' or ':' after it; the
 * first key of the line ("tag") is written by FIRST_KEY. */
#define PUT_KEY(o, json, k)                                                 \
	do {                                                                    \
		if(json)                                                            \
			PUT_LIT(o, ",\"" k "\":");                                      \
		else                                                                \
			PUT_LIT(o, " " k "=");                                          \
	} while(0)

#define FIRST_KEY(o, json, k)                                               \
	do {                                                                    \
		if(json)                                                            \
			PUT_LIT(o, "{\"" k "\":");                                      \
		else                                                                \
			PUT_LIT(o, k "=");                                              \
	} while(0)

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

/* The V_* flags of the bytes of v, ORed. */
static inline unsigned int scan(const char *v, size_t n)
{
	const unsigned char *p = (const unsigned char *)v;
	unsigned int f = 0;

	for(; n >= 4; n -= 4, p += 4)
		f |= vclass[p[0]] | vclass[p[1]] | vclass[p[2]] | vclass[p[3]];
	for(; n > 0; n--, p++)
		f |= vclass[p[0]];
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

/* A JSON string's contents (RFC 8259 section 7), cut at
 * LOGFMT_VALUE_MAX bytes as written: '"' and '\\' escaped, control
 * bytes and bytes that do not start a whole UTF-8 sequence as \u00XX. */
static void json_str_slow(out_t *o, const char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, used = 0, adv, el;

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
			PUT_LIT(o, "\\u00");
			put_c(o, hex[c >> 4]);
			put_c(o, hex[c & 15]);
		} else if(c == '"' || c == '\\') {
			put_c(o, '\\');
			put_c(o, (char)c);
		} else {
			put(o, v + i, adv);
		}
	}
}

/* The escaped form of a logfmt value between its quotes, cut at
 * LOGFMT_VALUE_MAX bytes as written. */
static void kv_slow(out_t *o, const char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, used = 0, adv, el;

	for(i = 0; i < n; i += adv) {
		unsigned char c = (unsigned char)v[i];
		el = esc_len(v, i, n, &adv);
		if(used + el > LOGFMT_VALUE_MAX)
			break;
		used += el;
		if(c == '"' || c == '\\') {
			put_c(o, '\\');
			put_c(o, (char)c);
		} else if(c < 0x20 || c == 0x7F) {
			PUT_LIT(o, "\\x");
			put_c(o, hex[c >> 4]);
			put_c(o, hex[c & 15]);
		} else {
			put(o, v + i, adv);
		}
	}
}

/* The value after its key, quoted and escaped as needed (an empty one is
 * ""); v NULL writes nothing (`key=`). JSON: "value", or null for v
 * NULL. At most LOGFMT_VAL_MAX(n) bytes. */
static inline __attribute__((always_inline)) void val(
		out_t *o, const char *v, size_t n, const int json)
{
	unsigned int f;

	if(v == NULL) {
		if(json)
			PUT_LIT(o, "null");
		return; /* logfmt: an empty value, `q850=` */
	}
	f = n > 0 ? scan(v, n) : V_Q;
	if(!json && n <= LOGFMT_VALUE_MAX && !(f & V_Q)) {
		put(o, v, n); /* bare */
		return;
	}
	put_c(o, '"');
	if(n <= LOGFMT_VALUE_MAX && !(f & (json ? V_E | V_H : V_E)))
		put(o, v, n); /* nothing to escape, nothing to cut */
	else if(json)
		json_str_slow(o, v, n);
	else
		kv_slow(o, v, n);
	put_c(o, '"');
}

/* One of the engine's own names (tag, category, retry, blame: RFC 3261
 * token characters, test_codes.c test_names) or another fixed token:
 * nothing to quote or escape, so no scan; never empty. */
static inline __attribute__((always_inline)) void val_tok(
		out_t *o, const char *v, size_t n, const int json)
{
	if(json)
		put_c(o, '"');
	put(o, v, n);
	if(json)
		put_c(o, '"');
}

static const char digits2[] = "00010203040506070809"
							  "10111213141516171819"
							  "20212223242526272829"
							  "30313233343536373839"
							  "40414243444546474849"
							  "50515253545556575859"
							  "60616263646566676869"
							  "70717273747576777879"
							  "80818283848586878889"
							  "90919293949596979899";

/* An integer, bare in both forms ("%ld": digits and '-'); at most 20
 * bytes. */
static inline __attribute__((always_inline)) void val_i(out_t *o, long v)
{
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
	char tmp[24];
	size_t n;

	if(v < 0)
		put_c(o, '-');
	if(u < 10) {
		put_c(o, (char)('0' + u));
	} else if(u < 100) {
		memcpy(o->p, digits2 + 2 * u, 2);
		o->p += 2;
	} else if(u < 1000) {
		o->p[0] = (char)('0' + u / 100);
		memcpy(o->p + 1, digits2 + 2 * (u % 100), 2);
		o->p += 3;
	} else {
		n = sizeof(tmp);
		do {
			tmp[--n] = (char)('0' + u % 10);
			u /= 10;
		} while(u != 0);
		memcpy(o->p, tmp + n, sizeof(tmp) - n);
		o->p += sizeof(tmp) - n;
	}
}

/* An integer that may be absent (v < 0): `key=` or "key":null. */
static inline __attribute__((always_inline)) void val_opt(
		out_t *o, long v, const int json)
{
	if(v >= 0)
		val_i(o, v);
	else if(json)
		PUT_LIT(o, "null");
}

/* The string values of a line with their lengths, taken once: the bound
 * is computed from them before anything is written. */
typedef struct fields {
	const so_name_t *tag, *category, *retry, *blame;
	const char *callid, *reason, *vendor, *hint, *dst;
	size_t callid_n, reason_n, vendor_n, hint_n, dst_n;
} fields_t;

/* The line into p, which has room for its bound; returns its length.
 * Written as one function for both forms (json a constant). */
static inline __attribute__((always_inline)) size_t emit(char *p,
		const fields_t *fv, const sipoutcome_result_t *r,
		const sipoutcome_logctx_t *lc, const int json)
{
	out_t o;

	o.p = p;
	FIRST_KEY(&o, json, "tag");
	val_tok(&o, fv->tag->s, fv->tag->n, json);
	PUT_KEY(&o, json, "code");
	val_i(&o, r->code);
	PUT_KEY(&o, json, "class");
	if(json)
		put_c(&o, '"');
	put_c(&o, (char)('0' + (r->klass % 10)));
	PUT_LIT(&o, "xx");
	if(json)
		put_c(&o, '"');
	PUT_KEY(&o, json, "category");
	val_tok(&o, fv->category->s, fv->category->n, json);
	PUT_KEY(&o, json, "retry");
	val_tok(&o, fv->retry->s, fv->retry->n, json);
	PUT_KEY(&o, json, "blame");
	val_tok(&o, fv->blame->s, fv->blame->n, json);
	PUT_KEY(&o, json, "source");
	if(lc->local)
		val_tok(&o, "local", 5, json);
	else
		val_tok(&o, "remote", 6, json);
	PUT_KEY(&o, json, "ringing");
	put_c(&o, lc->ringing ? '1' : '0');
	PUT_KEY(&o, json, "callid");
	val(&o, fv->callid, fv->callid_n, json);
	PUT_KEY(&o, json, "reason");
	val(&o, fv->reason, fv->reason_n, json);
	PUT_KEY(&o, json, "vendor");
	val(&o, fv->vendor, fv->vendor_n, json);
	PUT_KEY(&o, json, "q850");
	val_opt(&o, lc->q850, json);
	PUT_KEY(&o, json, "hint");
	val(&o, fv->hint, fv->hint_n, json);
	if(lc->sent >= 100 && lc->sent <= 699) {
		PUT_KEY(&o, json, "sent");
		val_i(&o, lc->sent);
	}
	if(lc->in_dialog) {
		PUT_KEY(&o, json, "in_dialog");
		put_c(&o, '1');
	}
	if(lc->extra & SIPOUTCOME_LOGX_ATTEMPTS) {
		PUT_KEY(&o, json, "attempts");
		val_i(&o, lc->attempts);
	}
	if(lc->extra & SIPOUTCOME_LOGX_BRANCH) {
		PUT_KEY(&o, json, "branch");
		val_i(&o, lc->branch);
		PUT_KEY(&o, json, "dst");
		val(&o, fv->dst, fv->dst_n, json);
	}
	if(lc->extra & SIPOUTCOME_LOGX_TIMING) {
		PUT_KEY(&o, json, "pdd_ms");
		val_opt(&o, lc->pdd_ms, json);
		PUT_KEY(&o, json, "setup_ms");
		val_opt(&o, lc->setup_ms, json);
	}
	if(json)
		put_c(&o, '}');
	return (size_t)(o.p - p);
}

static size_t emit_logfmt(char *p, const fields_t *fv,
		const sipoutcome_result_t *r, const sipoutcome_logctx_t *lc)
{
	return emit(p, fv, r, lc, 0);
}

static size_t emit_json(char *p, const fields_t *fv,
		const sipoutcome_result_t *r, const sipoutcome_logctx_t *lc)
{
	return emit(p, fv, r, lc, 1);
}

/* The line when its bound does not fit dst: written into a scratch
 * buffer, then the part that fits, as the formatter has always cut it
 * (every byte up to the last one of dst; a JSON object keeps its
 * closing brace). */
static __attribute__((noinline)) int format_cut(char *dst, size_t cap,
		size_t bound, const fields_t *fv, const sipoutcome_result_t *r,
		const sipoutcome_logctx_t *lc, int json)
{
	char scratch[LOGFMT_SCRATCH];
	size_t n;

	if(bound > sizeof(scratch)) { /* the names are short: never */
		dst[0] = '\0';
		return SIPOUTCOME_EINVAL;
	}
	n = json ? emit_json(scratch, fv, r, lc) : emit_logfmt(scratch, fv, r, lc);
	if(n < cap) {
		memcpy(dst, scratch, n);
		dst[n] = '\0';
		return (int)n;
	}
	if(json && cap >= 2) {
		memcpy(dst, scratch, cap - 2);
		dst[cap - 2] = '}';
	} else {
		memcpy(dst, scratch, cap - 1);
	}
	dst[cap - 1] = '\0';
	return SIPOUTCOME_ENOSPC;
}

static int format(char *dst, size_t cap, const sipoutcome_result_t *r,
		const sipoutcome_logctx_t *lc, int json)
{
	fields_t fv;
	size_t bound, n;

	if(dst == NULL || cap == 0 || r == NULL || lc == NULL)
		return SIPOUTCOME_EINVAL;
	fv.tag = so_tag_name_n(r->tag);
	fv.category = so_category_name_n(r->category);
	fv.retry = so_retry_name_n(r->retry);
	fv.blame = so_blame_name_n(r->blame);
	fv.callid = lc->callid ? lc->callid : "";
	fv.callid_n = lc->callid ? lc->callid_len : 0;
	fv.reason = lc->reason ? lc->reason : "";
	fv.reason_n = lc->reason ? lc->reason_len : 0;
	fv.vendor = r->vendor ? r->vendor : "rfc";
	fv.vendor_n = strlen(fv.vendor);
	fv.hint = r->hint;
	fv.hint_n = r->hint ? strlen(r->hint) : 0;
	fv.dst = lc->dst ? lc->dst : "";
	fv.dst_n = lc->dst ? lc->dst_len : 0;
	/* the names with their quotes, then the class's and "remote"'s */
	bound = LOGFMT_FIXED_MAX + fv.tag->n + fv.category->n + fv.retry->n
			+ fv.blame->n + 4 * 2 + 5 + 8 + LOGFMT_VAL_MAX(fv.callid_n)
			+ LOGFMT_VAL_MAX(fv.reason_n) + LOGFMT_VAL_MAX(fv.vendor_n)
			+ LOGFMT_VAL_MAX(fv.hint_n) + LOGFMT_VAL_MAX(fv.dst_n);
	if(__builtin_expect(bound >= cap, 0))
		return format_cut(dst, cap, bound, &fv, r, lc, json);
	n = json ? emit_json(dst, &fv, r, lc) : emit_logfmt(dst, &fv, r, lc);
	dst[n] = '\0';
	return (int)n;
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
