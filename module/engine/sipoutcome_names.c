/*
 * Names of the outcome enums, their parsers, error strings.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char *const tag_names[SIPOUTCOME_TAG_COUNT] = {"-", "COMPLETED",
		"BUSY", "NO_ANSWER", "CANCELED", "FAILED"};

static const char *const category_names[SIPOUTCOME_CAT_COUNT] = {"-",
		"answered", "redirected", "busy", "declined", "no_answer",
		"unavailable", "canceled", "timeout", "no_response", "invalid_number",
		"auth", "forbidden", "media", "congestion", "server_error", "unwanted",
		"blocked", "billing", "line_limit", "loop", "protocol", "identity",
		"answered_elsewhere", "unreachable", "other"};

static const char *const retry_names[SIPOUTCOME_RETRY_COUNT] = {
		"-", "no", "alternate", "later"};

static const char *const blame_names[SIPOUTCOME_BLAME_COUNT] = {
		"-", "caller", "callee", "network", "proxy", "unknown"};

static const char *const dialstatus_names[SIPOUTCOME_DIAL_COUNT] = {"-",
		"ANSWER", "BUSY", "NOANSWER", "CANCEL", "CONGESTION", "CHANUNAVAIL"};

#define NAME_OF(table, v) \
	(((unsigned)(v) < SO_ARRAY_SIZE(table)) ? (table)[(v)] : "-")

const char *sipoutcome_tag_name(sipoutcome_tag_t v)
{
	return NAME_OF(tag_names, v);
}

const char *sipoutcome_category_name(sipoutcome_category_t v)
{
	return NAME_OF(category_names, v);
}

const char *sipoutcome_retry_name(sipoutcome_retry_t v)
{
	return NAME_OF(retry_names, v);
}

const char *sipoutcome_blame_name(sipoutcome_blame_t v)
{
	return NAME_OF(blame_names, v);
}

const char *sipoutcome_dialstatus_name(sipoutcome_dialstatus_t v)
{
	return NAME_OF(dialstatus_names, v);
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
static int parse_name(const char *const *table, size_t n, const char *s,
		size_t len, int *out)
{
	size_t i;

	if(s == NULL || out == NULL)
		return SIPOUTCOME_EINVAL;
	for(i = 1; i < n; i++) {
		if(so_ieq(s, len, table[i], strlen(table[i]))) {
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
