/*
 * Helpers shared by the engine's cmocka unit tests. Header-only: every
 * test is one .c file with its own main().
 */
#ifndef SIPOUTCOME_TEST_UTIL_H
#define SIPOUTCOME_TEST_UTIL_H

/* cmocka needs these before its own header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipoutcome.h"

/*
 * Allocation hook (define TU_ALLOC_HOOK before including this header, in
 * one test file): the test binary's own malloc, calloc and realloc
 * forward to glibc and can be told to fail the Nth call (as jansson's
 * test_chaos does), or just count calls. Only glibc exports the
 * __libc_* entry points; elsewhere TU_HAVE_ALLOC_HOOK stays undefined and
 * the tests that need it skip.
 */
/* AddressSanitizer owns malloc itself: no hook under it (gcc defines
 * __SANITIZE_ADDRESS__, clang answers __has_feature). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TU_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TU_UNDER_ASAN 1
#endif
#if defined(TU_ALLOC_HOOK) && defined(__GLIBC__) && !defined(TU_UNDER_ASAN)
#define TU_HAVE_ALLOC_HOOK 1

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);

static long tu_alloc_countdown = -1; /* calls left before one fails */
static long tu_alloc_calls;			 /* calls seen while counting */
static int tu_alloc_counting;
static int tu_alloc_failed;

static int tu_alloc_fail_now(void)
{
	if(!tu_alloc_counting)
		return 0;
	tu_alloc_calls++;
	if(tu_alloc_countdown < 0)
		return 0;
	if(tu_alloc_countdown-- == 0) {
		tu_alloc_failed = 1;
		return 1;
	}
	return 0;
}

/* Count allocations; fail the nth from now (0-based) once, or none for
 * nth < 0. */
static inline void tu_alloc_arm(long nth)
{
	tu_alloc_countdown = nth;
	tu_alloc_calls = 0;
	tu_alloc_failed = 0;
	tu_alloc_counting = 1;
}

/* Stop; returns whether a failure was injected. */
static inline int tu_alloc_disarm(void)
{
	tu_alloc_counting = 0;
	tu_alloc_countdown = -1;
	return tu_alloc_failed;
}

/* Whether calls reach the hook: valgrind, for one, redirects the binary's
 * own malloc to its allocator unless run with
 * --soname-synonyms=somalloc=nouserintercepts. */
static inline int tu_alloc_hook_works(void)
{
	void *(*volatile m)(size_t) = malloc;
	void *p;
	long calls;

	tu_alloc_arm(-1);
	p = m(1);
	calls = tu_alloc_calls;
	tu_alloc_disarm();
	free(p);
	return calls == 1;
}

void *malloc(size_t n)
{
	return tu_alloc_fail_now() ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	return tu_alloc_fail_now() ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	return tu_alloc_fail_now() ? NULL : __libc_realloc(p, n);
}
#endif

#define TU_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Every flag combination of enum sipoutcome_ctx_flag (5 bits). */
#define TU_ALL_FLAGS 32u

/* A heap copy of exactly len bytes (no NUL added), so that valgrind
 * reports any read past the end. The caller frees it. */
static inline char *tu_dup(const void *s, size_t len)
{
	char *p = malloc(len ? len : 1);

	assert_non_null(p);
	if(len)
		memcpy(p, s, len);
	return p;
}

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
 * above U+10FFFF. Written independently of the engine's checker. */
static inline int tu_utf8_valid(const void *buf, size_t len)
{
	const unsigned char *s = buf;
	size_t i = 0;

	while(i < len) {
		unsigned char c = s[i];
		size_t n, k;
		uint32_t cp, min;

		if(c < 0x80) {
			i++;
			continue;
		}
		if((c & 0xE0) == 0xC0) {
			n = 2;
			cp = c & 0x1F;
			min = 0x80;
		} else if((c & 0xF0) == 0xE0) {
			n = 3;
			cp = c & 0x0F;
			min = 0x800;
		} else if((c & 0xF8) == 0xF0) {
			n = 4;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return 0;
		}
		if(i + n > len)
			return 0;
		for(k = 1; k < n; k++) {
			if((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if(cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += n;
	}
	return 1;
}

/* A zero-initialised input (sipoutcome_input_init) filled in. */
static inline sipoutcome_input_t tu_input(int code, unsigned int flags,
		int q850, const sipoutcome_profile_t *profile)
{
	sipoutcome_input_t in;

	sipoutcome_input_init(&in);
	in.code = code;
	in.flags = flags;
	in.q850 = q850;
	in.profile = profile;
	return in;
}

/* Classify and require success. */
static inline sipoutcome_result_t tu_classify_in(const sipoutcome_input_t *in)
{
	sipoutcome_result_t r;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = sipoutcome_classify(in, &r);
	if(rc != SIPOUTCOME_OK)
		fail_msg("classify(code=%d flags=0x%x q850=%d) returned %d (%s)",
				in->code, in->flags, in->q850, rc, sipoutcome_strerror(rc));
	return r;
}

static inline sipoutcome_result_t tu_classify(int code, unsigned int flags,
		int q850, const sipoutcome_profile_t *profile)
{
	sipoutcome_input_t in = tu_input(code, flags, q850, profile);
	return tu_classify_in(&in);
}

/* NULL-safe string equality. */
static inline int tu_streq(const char *a, const char *b)
{
	if(a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * What a classification should give. Fields left 0 (or cause -1,
 * decided_by NULL) are not checked, so a table row says only what the
 * case is about. TAG_NONE cannot be asked for this way: 1xx cases check
 * the tag themselves.
 */
typedef struct tu_expect
{
	sipoutcome_tag_t tag;
	sipoutcome_category_t category;
	sipoutcome_retry_t retry;
	sipoutcome_blame_t blame;
	sipoutcome_dialstatus_t dialstatus;
	int cause; /* -1: not checked */
	const char *decided_by;
} tu_expect_t;

#define TU_CHECK_FIELD(what, got, want, namefn)                             \
	do {                                                                    \
		if((want) != 0 && (got) != (want))                                  \
			fail_msg("%s: %s is %s, expected %s", label, what, namefn(got), \
					namefn(want));                                          \
	} while(0)

/* Compare r with e; label names the case in the failure message. */
static inline void tu_check(
		const char *label, const sipoutcome_result_t *r, const tu_expect_t *e)
{
	TU_CHECK_FIELD("tag", r->tag, e->tag, sipoutcome_tag_name);
	TU_CHECK_FIELD(
			"category", r->category, e->category, sipoutcome_category_name);
	TU_CHECK_FIELD("retry", r->retry, e->retry, sipoutcome_retry_name);
	TU_CHECK_FIELD("blame", r->blame, e->blame, sipoutcome_blame_name);
	TU_CHECK_FIELD("dialstatus", r->dialstatus, e->dialstatus,
			sipoutcome_dialstatus_name);
	if(e->cause >= 0 && r->cause != e->cause)
		fail_msg("%s: cause is %d, expected %d", label, r->cause, e->cause);
	if(e->decided_by != NULL && !tu_streq(r->decided_by, e->decided_by))
		fail_msg("%s: decided_by is \"%s\", expected \"%s\"", label,
				r->decided_by ? r->decided_by : "(null)", e->decided_by);
}

/*
 * Two results describe the same outcome: every field but vendor (a
 * name, compared by value) and hint (profiles may add hints without
 * changing the outcome) when skip_hint is set.
 */
static inline void tu_same_result(const char *label,
		const sipoutcome_result_t *a, const sipoutcome_result_t *b,
		int skip_hint)
{
	if(a->code != b->code || a->klass != b->klass || a->tag != b->tag
			|| a->category != b->category || a->retry != b->retry
			|| a->blame != b->blame || a->dialstatus != b->dialstatus
			|| a->cause != b->cause || a->registered != b->registered
			|| a->phrase_len != b->phrase_len || !tu_streq(a->phrase, b->phrase)
			|| !tu_streq(a->rfc, b->rfc) || !tu_streq(a->meaning, b->meaning)
			|| !tu_streq(a->rewrite, b->rewrite)
			|| !tu_streq(a->vendor, b->vendor)
			|| !tu_streq(a->decided_by, b->decided_by)
			|| (!skip_hint && !tu_streq(a->hint, b->hint)))
		fail_msg("%s: results differ: %d %s/%s/%s/%s dial=%s cause=%d by=%s"
				 " vs %d %s/%s/%s/%s dial=%s cause=%d by=%s",
				label, a->code, sipoutcome_tag_name(a->tag),
				sipoutcome_category_name(a->category),
				sipoutcome_retry_name(a->retry),
				sipoutcome_blame_name(a->blame),
				sipoutcome_dialstatus_name(a->dialstatus), a->cause,
				a->decided_by ? a->decided_by : "(null)", b->code,
				sipoutcome_tag_name(b->tag),
				sipoutcome_category_name(b->category),
				sipoutcome_retry_name(b->retry),
				sipoutcome_blame_name(b->blame),
				sipoutcome_dialstatus_name(b->dialstatus), b->cause,
				b->decided_by ? b->decided_by : "(null)");
}

#endif /* SIPOUTCOME_TEST_UTIL_H */
