/*
 * Names of the outcome enums, their parsers, error strings.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Each name with its length: the log line copies them without a
 * strlen (sipoutcome_logfmt.c, so_*_name_n). */
#define N(s) {s, sizeof(s) - 1}
static const so_name_t tag_names[SIPOUTCOME_TAG_COUNT] = {N("-"),
		N("COMPLETED"), N("BUSY"), N("NO_ANSWER"), N("CANCELED"), N("FAILED")};

static const so_name_t category_names[SIPOUTCOME_CAT_COUNT] = {N("-"),
		N("answered"), N("redirected"), N("busy"), N("declined"),
		N("no_answer"), N("unavailable"), N("canceled"), N("timeout"),
		N("no_response"), N("invalid_number"), N("auth"), N("forbidden"),
		N("media"), N("congestion"), N("server_error"), N("unwanted"),
		N("blocked"), N("billing"), N("line_limit"), N("loop"),
		N("protocol"), N("identity"), N("answered_elsewhere"),
		N("unreachable"), N("other")};

static const so_name_t retry_names[SIPOUTCOME_RETRY_COUNT] = {
		N("-"), N("no"), N("alternate"), N("later")};

static const so_name_t blame_names[SIPOUTCOME_BLAME_COUNT] = {N("-"),
		N("caller"), N("callee"), N("network"), N("proxy"), N("unknown")};

static const so_name_t dialstatus_names[SIPOUTCOME_DIAL_COUNT] = {N("-"),
		N("ANSWER"), N("BUSY"), N("NOANSWER"), N("CANCEL"), N("CONGESTION"),
		N("CHANUNAVAIL")};
#undef N

static const so_name_t name_none = {"-", 1};

#define NAME_OF(table, v) \
	(((unsigned)(v) < SO_ARRAY_SIZE(table)) ? &(table)[(v)] : &name_none)

const char *sipoutcome_tag_name(sipoutcome_tag_t v)
{
	return NAME_OF(tag_names, v)->s;
}

const char *sipoutcome_category_name(sipoutcome_category_t v)
{
	return NAME_OF(category_names, v)->s;
}

const char *sipoutcome_retry_name(sipoutcome_retry_t v)
{
	return NAME_OF(retry_names, v)->s;
}

const char *sipoutcome_blame_name(sipoutcome_blame_t v)
{
	return NAME_OF(blame_names, v)->s;
}

const char *sipoutcome_dialstatus_name(sipoutcome_dialstatus_t v)
{
	return NAME_OF(dialstatus_names, v)->s;
}

const so_name_t *so_tag_name_n(sipoutcome_tag_t v)
{
	return NAME_OF(tag_names, v);
}

const so_name_t *so_category_name_n(sipoutcome_category_t v)
{
	return NAME_OF(category_names, v);
}

const so_name_t *so_retry_name_n(sipoutcome_retry_t v)
{
	return NAME_OF(retry_names, v);
}

const so_name_t *so_blame_name_n(sipoutcome_blame_t v)
{
	return NAME_OF(blame_names, v);
}

int so_icontains(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	size_t i;

	if(nlen == 0)
		return 1;
	if(hay == NULL || hlen < nlen)
		return 0;
	for(i = 0; i + nlen <= hlen; i++) {
		if(so_ieq(hay + i, nlen, needle, nlen))
			return 1;
	}
	return 0;
}

/* Index 0 ("-") is never accepted as input. */
static int parse_name(const so_name_t *table, size_t n, const char *s,
		size_t len, int *out)
{
	size_t i;

	if(s == NULL || out == NULL)
		return SIPOUTCOME_EINVAL;
	for(i = 1; i < n; i++) {
		if(so_ieq(s, len, table[i].s, table[i].n)) {
			*out = (int)i;
			return SIPOUTCOME_OK;
		}
	}
	return SIPOUTCOME_ENOENT;
}

#define DEFINE_PARSE(fn, type, table)                                        \
	int fn(const char *s, size_t len, type *out)                             \
	{                                                                        \
		int v = 0;                                                           \
		int rc;                                                              \
		if(out == NULL)                                                      \
			return SIPOUTCOME_EINVAL;                                        \
		rc = parse_name(table, SO_ARRAY_SIZE(table), s, len, &v);            \
		if(rc == SIPOUTCOME_OK)                                              \
			*out = (type)v;                                                  \
		return rc;                                                           \
	}

DEFINE_PARSE(sipoutcome_tag_parse, sipoutcome_tag_t, tag_names)
DEFINE_PARSE(sipoutcome_category_parse, sipoutcome_category_t, category_names)
DEFINE_PARSE(sipoutcome_retry_parse, sipoutcome_retry_t, retry_names)
DEFINE_PARSE(sipoutcome_blame_parse, sipoutcome_blame_t, blame_names)

const char *sipoutcome_strerror(int err)
{
	switch(err) {
		case SIPOUTCOME_OK:
			return "success";
		case SIPOUTCOME_EINVAL:
			return "invalid argument";
		case SIPOUTCOME_ERANGE:
			return "status code outside 100..699";
		case SIPOUTCOME_ENOSPC:
			return "output buffer too small";
		case SIPOUTCOME_ESYNTAX:
			return "syntax error";
		case SIPOUTCOME_ENOMEM:
			return "out of memory";
		case SIPOUTCOME_ENOENT:
			return "not found";
		case SIPOUTCOME_EIO:
			return "cannot read file";
		default:
			return "unknown error";
	}
}

const char *sipoutcome_error_format(
		const sipoutcome_error_t *e, char *dst, size_t cap)
{
	if(dst == NULL || cap == 0)
		return dst;
	if(e == NULL) {
		dst[0] = '\0';
		return dst;
	}
	snprintf(dst, cap, "%s%s%.0d%s%s%s%s", e->source[0] ? e->source : "",
			e->line > 0 ? ":" : "", e->line,
			(e->source[0] || e->line > 0) ? ": " : "", e->field,
			e->field[0] ? ": " : "", e->text);
	return dst;
}
