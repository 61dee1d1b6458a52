/*
 * The per-process "current outcome" the script reads, and the one log
 * line per classified final reply.
 */
#include <stdio.h>
#include <string.h>

#include "core/counters.h"
#include "core/dprint.h"
#include "core/mem/mem.h"

#include "so_mod.h"

so_current_t so_cur;

/* Counters, group "sipoutcome" (kamcmd stats.get_statistics sipoutcome:,
 * xhttp_prom /metrics as kamailio_sipoutcome_<name>): one per tag, one
 * per class, one per vendor known at start-up plus vendor_other. */
static counter_handle_t so_cnt_tag[SIPOUTCOME_TAG_COUNT];
static counter_handle_t so_cnt_class[7];
#define SO_MAX_VENDOR_COUNTERS 32
static struct {
	char name[32];
	counter_handle_t h;
} so_cnt_vendor[SO_MAX_VENDOR_COUNTERS + 1];
static int so_cnt_nvendor;
static const char *so_cnt_last_name;
static unsigned int so_cnt_last_gen;
static int so_cnt_last_slot;

static const char *const so_tag_cnames[SIPOUTCOME_TAG_COUNT] = {
		NULL, "completed", "busy", "no_answer", "canceled", "failed"};
static const char *const so_class_cnames[7] = {NULL, NULL, "class_2xx",
		"class_3xx", "class_4xx", "class_5xx", "class_6xx"};

/* "vendor_<name>", non-alphanumerics as '_'; the name is kept for life. */
static int so_register_vendor(const char *pn)
{
	size_t j, n = strlen(pn);
	char *cname = pkg_malloc(n + sizeof("vendor_"));

	if(cname == NULL) {
		PKG_MEM_ERROR;
		return -1;
	}
	memcpy(cname, "vendor_", 7);
	for(j = 0; j < n; j++)
		cname[7 + j] = ((pn[j] >= 'a' && pn[j] <= 'z')
							   || (pn[j] >= 'A' && pn[j] <= 'Z')
							   || (pn[j] >= '0' && pn[j] <= '9'))
							   ? pn[j]
							   : '_';
	cname[7 + n] = '\0';
	snprintf(so_cnt_vendor[so_cnt_nvendor].name, sizeof(so_cnt_vendor[0].name),
			"%s", pn);
	if(counter_register(&so_cnt_vendor[so_cnt_nvendor].h, "sipoutcome", cname,
			   0, 0, 0, "calls classified with this profile", 0)
			< 0)
		return -1;
	so_cnt_nvendor++;
	return 0;
}

int so_counters_init(void)
{
	size_t i, n;
	int k;

	for(k = 1; k < SIPOUTCOME_TAG_COUNT; k++) {
		if(counter_register(&so_cnt_tag[k], "sipoutcome", so_tag_cnames[k], 0,
				   0, 0, "calls with this outcome tag", 0)
				< 0)
			return -1;
	}
	for(k = 2; k < 7; k++) {
		if(counter_register(&so_cnt_class[k], "sipoutcome", so_class_cnames[k],
				   0, 0, 0, "final replies of this class", 0)
				< 0)
			return -1;
	}
	n = sipoutcome_profiles_count(so_profiles);
	if(n > SO_MAX_VENDOR_COUNTERS)
		n = SO_MAX_VENDOR_COUNTERS; /* the rest count as vendor_other */
	for(i = 0; i <= n; i++) {
		const char *pn = i < n ? sipoutcome_profile_name(
										 sipoutcome_profiles_at(so_profiles, i))
							   : "other";
		if(so_register_vendor(pn) < 0)
			return -1;
	}
	return 0;
}

void so_count(sipoutcome_tag_t tag, int klass, const char *vendor)
{
	int i;

	if(tag > 0 && tag < SIPOUTCOME_TAG_COUNT)
		counter_inc(so_cnt_tag[tag]);
	if(klass >= 2 && klass <= 6)
		counter_inc(so_cnt_class[klass]);
	if(so_cnt_nvendor <= 0)
		return;
	/* the profile name of the last call, whose slot is known: profile
	 * names live as long as their set, and a reload swaps the set */
	if(vendor != so_cnt_last_name || so_cnt_last_gen != so_profiles_gen) {
		/* the last slot is "other" */
		for(i = 0; i < so_cnt_nvendor - 1; i++) {
			if(strcmp(so_cnt_vendor[i].name, vendor) == 0)
				break;
		}
		so_cnt_last_name = vendor;
		so_cnt_last_gen = so_profiles_gen;
		so_cnt_last_slot = i;
	}
	counter_inc(so_cnt_vendor[so_cnt_last_slot].h);
}

void so_count_current(void)
{
	if(so_cur_valid())
		so_count(so_cur.r.tag, so_cur.r.klass, so_cur.r.vendor);
}

void so_counters_rpc(rpc_t *rpc, void *th)
{
	int k;

	for(k = 1; k < SIPOUTCOME_TAG_COUNT; k++)
		rpc->struct_add(th, "d", so_tag_cnames[k],
				(int)counter_get_val(so_cnt_tag[k]));
	for(k = 2; k < 7; k++)
		rpc->struct_add(th, "d", so_class_cnames[k],
				(int)counter_get_val(so_cnt_class[k]));
	for(k = 0; k < so_cnt_nvendor; k++) {
		char key[64];
		snprintf(key, sizeof(key), "vendor_%.31s", so_cnt_vendor[k].name);
		rpc->struct_add(th, "d", key, (int)counter_get_val(so_cnt_vendor[k].h));
	}
}

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
	so_cur.epoch = msg_no;
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

	if(!so_log_on || !so_cur_valid() || !is_printable(so_log_level))
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
	if(so_log_facility >= 0)
		LM_GEN2(so_log_facility, so_log_level, "sipoutcome: %s\n", line);
	else
		LM_GEN1(so_log_level, "sipoutcome: %s\n", line);
}
