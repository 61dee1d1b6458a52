/*
 * The per-process "current outcome" the script reads, and the one log
 * line per classified final reply.
 */
#include <string.h>

#include "core/dprint.h"

#include "so_mod.h"

so_current_t so_cur;

static void copy_bounded(char *dst, int cap, int *dlen, const str *src)
{
	int n = 0;

	if(src != NULL && src->s != NULL && src->len > 0)
		n = src->len < cap ? src->len : cap;
	if(n > 0)
		memcpy(dst, src->s, n);
	*dlen = n;
}

void so_fill_current(const sipoutcome_result_t *r, int local, int ringing,
		int canceled, int timeout, int branch, int q850, int retry_after,
		const str *reason, const str *callid)
{
	so_cur.valid = 1;
	so_cur.r = *r;
	so_cur.local = local;
	so_cur.ringing = ringing;
	so_cur.canceled = canceled;
	so_cur.timeout = timeout;
	so_cur.branch = branch;
	so_cur.q850 = q850;
	so_cur.retry_after = retry_after;
	copy_bounded(so_cur.reason, sizeof(so_cur.reason), &so_cur.reason_len,
			reason);
	copy_bounded(so_cur.callid, sizeof(so_cur.callid), &so_cur.callid_len,
			callid);
}

/* LM_GEN2 checks the level again; we check first so that nothing is
 * formatted when the line would not be printed. */
void so_log_current(void)
{
	char line[1024];
	sipoutcome_logctx_t lc;

	if(!so_cur.valid || !is_printable(so_log_level))
		return;
	memset(&lc, 0, sizeof(lc));
	lc.callid = so_cur.callid;
	lc.callid_len = so_cur.callid_len;
	lc.reason = so_cur.reason;
	lc.reason_len = so_cur.reason_len;
	lc.local = so_cur.local;
	lc.ringing = so_cur.ringing;
	lc.q850 = so_cur.q850;
	(void)sipoutcome_format_logfmt(line, sizeof(line), &so_cur.r, &lc);
	if(so_log_facility != 0)
		LM_GEN2(so_log_facility, so_log_level, "sipoutcome: %s\n", line);
	else
		LM_GEN1(so_log_level, "sipoutcome: %s\n", line);
}
