/*
 * Module parameters whose values are checked as they are parsed, so that
 * both start-up and `kamailio -c` (which exits before module
 * initialisation) refuse a bad value, naming the parameter and what is
 * allowed (README.md, "Limits and values refused at start-up").
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/dprint.h"
#include "core/parser/parse_hname2.h"
#include "core/parser/parse_methods.h"
#include "core/sr_module.h"

#include "km_mod.h"

/* String parameters are checked as they are parsed, so that
 * `kamailio -c` reports a bad value (it exits before mod_init). */
int km_methods_set(modparam_t type, void *val)
{
	str s;

	s.s = (char *)val;
	s.len = strlen(s.s);
	if(parse_methods(&s, &km_methods_mask) < 0 || km_methods_mask == 0) {
		LM_ERR("methods: cannot parse '%s' (e.g. \"INVITE\" or "
			   "\"INVITE,MESSAGE\")\n",
				s.s);
		return -1;
	}
	return 0;
}

int km_facility_set(modparam_t type, void *val)
{
	km_log_facility = str2facility((char *)val);
	if(km_log_facility == -1) {
		LM_ERR("log_facility: unknown facility '%s'\n", (char *)val);
		return -1;
	}
	return 0;
}

int km_reason_mode_set(modparam_t type, void *val)
{
	str s;

	s.s = (char *)val;
	s.len = strlen(s.s);
	km_reason_mode = km_reason_mode_parse(&s);
	if(km_reason_mode < 0) {
		LM_ERR("reason_mode: unknown value '%s' (keep, normalize, annotate,"
			   " rewrite)\n",
				s.s);
		return -1;
	}
	return 0;
}

int km_track_set(modparam_t type, void *val)
{
	const char *v = (const char *)val;

	if(strcasecmp(v, "route") == 0)
		km_track = KM_TRACK_ROUTE;
	else if(strcasecmp(v, "tm") == 0)
		km_track = KM_TRACK_TM;
	else {
		LM_ERR("track: unknown value '%s' (route, tm)\n", v);
		return -1;
	}
	return 0;
}

int km_log_format_set(modparam_t type, void *val)
{
	const char *v = (const char *)val;

	if(strcasecmp(v, "logfmt") == 0)
		km_log_json = 0;
	else if(strcasecmp(v, "json") == 0)
		km_log_json = 1;
	else {
		LM_ERR("log_format: unknown value '%s' (logfmt, json)\n", v);
		return -1;
	}
	return 0;
}

/* outcome_header: a header field name (RFC 3261 section 25.1 token) that
 * Kamailio's own parser reads in full (letters, digits, '-', '.', '_',
 * '+', '~': core/parser/parse_hname2.c) and that is no header SIP or tm
 * relies on: every name the core parser knows (Via, To, CSeq,
 * Content-Length, ..., their compact forms) is refused, and so is every
 * one-letter name (RFC 3261 section 7.3.3 reserves them for compact
 * forms). */
#define KM_HDR_NAME_MAX 64
int km_outcome_header_set(modparam_t type, void *val)
{
	char *h = (char *)val;
	int n = strlen(h);
	hdr_field_t hf;
	str s;

	memset(&hf, 0, sizeof(hf));
	s.s = h;
	s.len = n;
	if(n > 0 && n <= KM_HDR_NAME_MAX)
		parse_hname2_str(&s, &hf);
	if(n == 0 || n > KM_HDR_NAME_MAX || hf.type == HDR_ERROR_T
			|| hf.name.len != n) {
		LM_ERR("outcome_header: '%s' is not a header name (an RFC 3261 token"
			   " of letters, digits, '-', '.', '_', '+', '~'; 2 to %d"
			   " characters)\n",
				h, KM_HDR_NAME_MAX);
		return -1;
	}
	if(hf.type != HDR_OTHER_T || n == 1) {
		LM_ERR("outcome_header: '%s' is a header SIP or tm relies on (or a"
			   " compact form); choose another name, e.g. X-Outcome\n",
				h);
		return -1;
	}
	km_outcome_header.s = h;
	km_outcome_header.len = n;
	return 0;
}

/* An integer parameter within lo..hi; *dst keeps its value otherwise. */
static int km_int_range(const char *name, void *val, int lo, int hi, int *dst)
{
	long v = (long)val;

	if(v < lo || v > hi) {
		LM_ERR("%s: %ld is outside %d..%d\n", name, v, lo, hi);
		return -1;
	}
	*dst = (int)v;
	return 0;
}

int km_auto_set(modparam_t type, void *val)
{
	return km_int_range("auto", val, 0, 1, &km_auto);
}

int km_in_dialog_set(modparam_t type, void *val)
{
	return km_int_range("in_dialog", val, 0, 1, &km_in_dialog);
}

int km_log_set(modparam_t type, void *val)
{
	return km_int_range("log", val, 0, 1, &km_log_on);
}

/* log_level: a number L_ALERT (-5) .. L_DBG (3), or the name of one
 * (core/dprint.h), case-insensitive, in a string. */
static const struct {
	const char *name;
	int level;
} km_levels[] = {{"L_ALERT", L_ALERT}, {"L_BUG", L_BUG},
		{"L_CRIT2", L_CRIT2}, {"L_CRIT", L_CRIT}, {"L_ERR", L_ERR},
		{"L_WARN", L_WARN}, {"L_NOTICE", L_NOTICE}, {"L_INFO", L_INFO},
		{"L_DBG", L_DBG}};

int km_log_level_int(modparam_t type, void *val)
{
	if((long)val < L_ALERT || (long)val > L_DBG) {
		LM_ERR("log_level: %ld is outside %d..%d (L_ALERT..L_DBG)\n",
				(long)val, L_ALERT, L_DBG);
		return -1;
	}
	km_log_level = (int)(long)val;
	return 0;
}

int km_log_level_str(modparam_t type, void *val)
{
	const char *v = (const char *)val;
	char *end;
	long n;
	unsigned int i;

	n = strtol(v, &end, 10);
	if(*v != '\0' && *end == '\0') /* a number in a string: "2" */
		return km_log_level_int(type, (void *)n);
	for(i = 0; i < sizeof(km_levels) / sizeof(km_levels[0]); i++) {
		if(strcasecmp(v, km_levels[i].name) == 0) {
			km_log_level = km_levels[i].level;
			return 0;
		}
	}
	LM_ERR("log_level: unknown level '%s' (L_ALERT, L_BUG, L_CRIT2, L_CRIT,"
		   " L_ERR, L_WARN, L_NOTICE, L_INFO, L_DBG, or %d..%d)\n",
			v, L_ALERT, L_DBG);
	return -1;
}
