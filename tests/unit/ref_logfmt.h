/* The frozen pre-issue-16 log line formatter (ref_logfmt.c). */
#ifndef REF_LOGFMT_H
#define REF_LOGFMT_H
#include <stddef.h>
#include "sipoutcome.h"
int ref_format_logfmt(char *dst, size_t cap, const sipoutcome_result_t *r,
		const sipoutcome_logctx_t *lc);
int ref_format_json(char *dst, size_t cap, const sipoutcome_result_t *r,
		const sipoutcome_logctx_t *lc);
#endif
