/*
 * sipoutcome report: what the parser (cli_report_parse.c) gives the
 * report (cmd_report.c) for each outcome line of a log.
 */
#ifndef CLI_REPORT_H
#define CLI_REPORT_H

#include <time.h>

#include "cli.h"

/** One outcome line: a call's (`sipoutcome: `) or an attempt's
 * (`sipoutcome-attempt: `). Strings are owned (malloc), NUL-terminated. */
typedef struct rep_rec {
	int attempt;	 /**< 1: an attempt line */
	int tag;		 /**< sipoutcome_tag_t, 1..5 */
	int code;		 /**< 100..699 */
	char *category;	 /**< as written, "" when absent */
	char *blame;	 /**< as written, "" when absent */
	char *vendor;	 /**< as written */
	char *callid;	 /**< as written, "" when absent */
	char *dst;		 /**< attempt: next hop "host:port" (no "sip:"), "" */
	long pdd_ms;	 /**< -1 when empty or absent */
	int branch;		 /**< attempt: tm branch, -1 when absent */
	time_t when;	 /**< the line's timestamp, (time_t)-1 when none */
	unsigned long seq; /**< order in the input */
} rep_rec_t;

/** How lines are framed. */
enum rep_engine { REP_PLAIN = 0, REP_JSON_ENGINE };

/**
 * Parse one log line (without its line end). Lines that hold no outcome
 * marker are not ours.
 * @param[in]  p,n     the line
 * @param[in]  engine  REP_JSON_ENGINE: the line is an object of
 *                     Kamailio's JSON log engine whose "message" holds
 *                     the text
 * @param[out] r       filled (strings owned by r) when 1 is returned
 * @param[out] why     set when -1 is returned: static text
 * @returns 1 an outcome line, 0 not ours, -1 ours but unreadable.
 */
int rep_parse_line(const char *p, size_t n, int engine, rep_rec_t *r,
		const char **why);

/** Free the strings of r (not r itself). */
void rep_rec_free(rep_rec_t *r);

/**
 * A time as the report options and log prefixes write it:
 * "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]" (or a space for T), with an
 * optional fraction and zone that are ignored, or syslog's "Mmm dd
 * HH:MM:SS" (in year). Times are compared as written (wall clock, no time
 * zone conversion).
 * @returns the seconds (timegm of the fields) and *used the bytes read,
 *          or (time_t)-1 when s does not start with a time.
 */
time_t rep_parse_time(const char *s, size_t n, int year, size_t *used);

#endif
