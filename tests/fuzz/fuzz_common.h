/*
 * Helpers shared by the fuzz targets. Header-only, no engine internals:
 * the targets use the public API (include/sipoutcome.h) and check the
 * contracts written there.
 */
#ifndef SIPOUTCOME_FUZZ_COMMON_H
#define SIPOUTCOME_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipoutcome.h"

/* A broken invariant aborts: libFuzzer saves the input as crash-*, the
 * corpus replay (standalone_main.c) names the file it was running. */
#define FUZZ_ASSERT(cond)                                                  \
	do {                                                                   \
		if(!(cond)) {                                                      \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,     \
					__LINE__, #cond);                                      \
			abort();                                                       \
		}                                                                  \
	} while(0)

/* Length of the well-formed UTF-8 sequence at s (Unicode 15 table 3-7),
 * 0 when there is none. Written independently of the engine's decoder so
 * that the two check each other. */
static inline size_t fuzz_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len, i;

	if(n == 0)
		return 0;
	if(s[0] < 0x80)
		return 1;
	if(s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2;
	else if(s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3;
	else if(s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4;
	else
		return 0;
	if(s[0] == 0xE0)
		lo = 0xA0;
	else if(s[0] == 0xED)
		hi = 0x9F;
	else if(s[0] == 0xF0)
		lo = 0x90;
	else if(s[0] == 0xF4)
		hi = 0x8F;
	if(n < len || s[1] < lo || s[1] > hi)
		return 0;
	for(i = 2; i < len; i++)
		if(s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

static inline int fuzz_utf8_valid(const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i = 0, k;

	while(i < n) {
		k = fuzz_utf8_len(s + i, n - i);
		if(k == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* A control byte as the phrase contract means it: C0 but TAB, and DEL. */
static inline int fuzz_is_ctrl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7F;
}

static inline int fuzz_has_ctrl(const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for(i = 0; i < n; i++)
		if(fuzz_is_ctrl(s[i]))
			return 1;
	return 0;
}

/* A static string the engine hands out: present, valid UTF-8, printable,
 * at most max bytes. */
static inline void fuzz_check_text(const char *s, size_t max)
{
	size_t n;

	FUZZ_ASSERT(s != NULL);
	n = strlen(s);
	FUZZ_ASSERT(n <= max);
	FUZZ_ASSERT(fuzz_utf8_valid(s, n));
	FUZZ_ASSERT(!fuzz_has_ctrl(s, n));
}

/* Every field of a classification result against sipoutcome.h. */
static inline void fuzz_check_result(const sipoutcome_input_t *in,
		const sipoutcome_result_t *r, const char *vendor)
{
	FUZZ_ASSERT(r->code == in->code);
	FUZZ_ASSERT(r->klass == in->code / 100);
	FUZZ_ASSERT((unsigned)r->tag < SIPOUTCOME_TAG_COUNT);
	FUZZ_ASSERT((unsigned)r->category < SIPOUTCOME_CAT_COUNT);
	FUZZ_ASSERT((unsigned)r->retry < SIPOUTCOME_RETRY_COUNT);
	FUZZ_ASSERT((unsigned)r->blame < SIPOUTCOME_BLAME_COUNT);
	FUZZ_ASSERT((unsigned)r->dialstatus < SIPOUTCOME_DIAL_COUNT);
	FUZZ_ASSERT(r->cause >= 0 && r->cause <= 127);
	if(in->q850 >= 0 && in->q850 <= 127)
		FUZZ_ASSERT(r->cause == in->q850);
	FUZZ_ASSERT(r->registered
				== (sipoutcome_code_lookup(in->code) != NULL));
	FUZZ_ASSERT(r->phrase != NULL);
	FUZZ_ASSERT(strlen(r->phrase) == r->phrase_len);
	FUZZ_ASSERT(r->rfc != NULL && r->meaning != NULL);
	FUZZ_ASSERT(r->vendor != NULL && strcmp(r->vendor, vendor) == 0);
	if(r->hint != NULL)
		fuzz_check_text(r->hint, 240);
	if(r->rewrite != NULL)
		fuzz_check_text(r->rewrite, SIPOUTCOME_PHRASE_MAX);
	if(in->code < 200) {
		FUZZ_ASSERT(r->tag == SIPOUTCOME_TAG_NONE);
		return;
	}
	/* A final response always gets an outcome and who decided it. */
	FUZZ_ASSERT(r->tag != SIPOUTCOME_TAG_NONE);
	FUZZ_ASSERT(r->decided_by != NULL);
	/* Precedence step 1 (the transaction) beats every profile rule. */
	if(in->code < 300)
		FUZZ_ASSERT(r->tag == SIPOUTCOME_TAG_COMPLETED);
	else if(in->code == 487 && (in->flags & SIPOUTCOME_CTX_CANCELED))
		/* the caller's CANCEL: CANCELED unless its own Reason or a
		 * canceled=1 rule says more (step 1 too) */
		FUZZ_ASSERT(strcmp(r->decided_by, "context") == 0
						? (r->tag == SIPOUTCOME_TAG_CANCELED
								  || in->cancel_q850 >= 0)
						: strcmp(r->decided_by, "profile") == 0);
	else if((in->flags & SIPOUTCOME_CTX_LOCAL)
			&& (in->flags & SIPOUTCOME_CTX_TIMEOUT)
			&& !(in->flags & SIPOUTCOME_CTX_CANCELED))
		FUZZ_ASSERT(r->tag
					== ((in->flags & SIPOUTCOME_CTX_RINGING)
									? SIPOUTCOME_TAG_NO_ANSWER
									: SIPOUTCOME_TAG_FAILED));
}

/* One key=value pair of a logfmt line, value without its quotes. */
typedef struct fuzz_kv {
	const char *key;
	size_t klen;
	const char *val;
	size_t vlen;
	int quoted;
} fuzz_kv_t;

static inline int fuzz_is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Split a complete line into its pairs, checking the syntax sipoutcome.h
 * promises: `key=value` separated by one space; a bare value has no
 * blank, quote, '=' or backslash; a quoted one only the escapes \",
 * \\ and \xHH; every value is at most 256 bytes as written. Returns
 * the number of pairs. */
static inline size_t fuzz_parse_logfmt(const char *s, fuzz_kv_t *kv, size_t max)
{
	const char *p = s;
	size_t n = 0;

	while(*p != '\0') {
		fuzz_kv_t *e = &kv[n];

		FUZZ_ASSERT(n < max);
		if(n > 0)
			FUZZ_ASSERT(*p++ == ' ');
		e->key = p;
		while((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')
			p++;
		e->klen = (size_t)(p - e->key);
		FUZZ_ASSERT(e->klen > 0 && *p == '=');
		p++;
		e->quoted = *p == '"';
		if(e->quoted) {
			e->val = ++p;
			while(*p != '"') {
				FUZZ_ASSERT(*p != '\0');
				if(*p == '\\') {
					p++;
					if(*p == 'x') {
						FUZZ_ASSERT(fuzz_is_hex(p[1]) && fuzz_is_hex(p[2]));
						p += 3;
					} else {
						FUZZ_ASSERT(*p == '"' || *p == '\\');
						p++;
					}
				} else {
					p++;
				}
			}
			e->vlen = (size_t)(p - e->val);
			p++;
			FUZZ_ASSERT(*p == ' ' || *p == '\0');
		} else {
			e->val = p;
			while(*p != '\0' && *p != ' ') {
				FUZZ_ASSERT(*p != '=' && *p != '\\' && *p != '"');
				p++;
			}
			e->vlen = (size_t)(p - e->val);
		}
		FUZZ_ASSERT(e->vlen <= 256);
		n++;
	}
	return n;
}

/* The pair named key; it must be there exactly once. */
static inline const fuzz_kv_t *fuzz_logfmt_get(
		const fuzz_kv_t *kv, size_t n, const char *key)
{
	const fuzz_kv_t *found = NULL;
	size_t i;

	for(i = 0; i < n; i++)
		if(kv[i].klen == strlen(key) && memcmp(kv[i].key, key, kv[i].klen) == 0) {
			FUZZ_ASSERT(found == NULL);
			found = &kv[i];
		}
	FUZZ_ASSERT(found != NULL);
	return found;
}

/* A value written from in[0..len): unescaped, it is in itself or a
 * prefix of it (a long value is cut). */
static inline void fuzz_check_logfmt_value(
		const fuzz_kv_t *e, const char *in, size_t len)
{
	size_t i = 0, o = 0;

	if(!e->quoted) {
		FUZZ_ASSERT(e->vlen == len && memcmp(e->val, in, len) == 0);
		return;
	}
	while(i < e->vlen) {
		unsigned char c = (unsigned char)e->val[i];

		if(c == '\\' && e->val[i + 1] == 'x') {
			char hex[3] = {e->val[i + 2], e->val[i + 3], '\0'};
			c = (unsigned char)strtoul(hex, NULL, 16);
			FUZZ_ASSERT(c < 0x20 || c == 0x7F); /* TAB too */
			i += 4;
		} else if(c == '\\') {
			c = (unsigned char)e->val[i + 1];
			i += 2;
		} else {
			FUZZ_ASSERT(c >= 0x20 && c != 0x7F);
			i++;
		}
		FUZZ_ASSERT(o < len && (unsigned char)in[o] == c);
		o++;
	}
}

/* A complete line (it fit its buffer): its syntax, and the callid and
 * reason values written back from what was given. */
static inline void fuzz_check_logfmt_line(
		const char *line, const sipoutcome_logctx_t *lc)
{
	fuzz_kv_t kv[64];
	size_t n = fuzz_parse_logfmt(line, kv, 64);

	FUZZ_ASSERT(strncmp(line, "tag=", 4) == 0);
	fuzz_check_logfmt_value(fuzz_logfmt_get(kv, n, "callid"),
			lc->callid ? lc->callid : "", lc->callid ? lc->callid_len : 0);
	fuzz_check_logfmt_value(fuzz_logfmt_get(kv, n, "reason"),
			lc->reason ? lc->reason : "", lc->reason ? lc->reason_len : 0);
	(void)fuzz_logfmt_get(kv, n, "hint");
}

/* A formatted logfmt line: NUL-terminated at the returned length and no
 * raw control byte (they are escaped), so one record is one log line. */
static inline void fuzz_check_logfmt(const char *line, int rc, size_t cap)
{
	size_t n = strnlen(line, cap);

	FUZZ_ASSERT(n < cap);
	if(rc >= 0)
		FUZZ_ASSERT((size_t)rc == n);
	else
		FUZZ_ASSERT(rc == SIPOUTCOME_ENOSPC);
	FUZZ_ASSERT(!fuzz_has_ctrl(line, n));
	FUZZ_ASSERT(strchr(line, '\t') == NULL);
}

#endif
