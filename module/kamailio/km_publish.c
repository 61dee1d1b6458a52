/*
 * Publishing an outcome: the per-process "current outcome" the script
 * reads ($outcome, KEMI), the counters (group sipoutcome), the one log
 * line per classified final reply, and event_route[sipoutcome:final]
 * (or the KEMI event_callback) run on the reply as sent.
 */
#include <stdio.h>
#include <string.h>

#include "core/action.h"
#include "core/counters.h"
#include "core/dprint.h"
#include "core/fmsg.h"
#include "core/kemi.h"
#include "core/mem/mem.h"
#include "core/receive.h"
#include "core/route.h"

#include "km_mod.h"

km_current_t km_cur;
str km_event_callback = STR_NULL;
static int km_evrt_idx = -1;
static int km_evrt_attempt_idx = -1;
int km_log_json = 0;

int km_publish_wanted(void)
{
	return (km_log_on && is_printable(km_log_level)) || km_evrt_idx >= 0
		   || km_event_callback.len > 0;
}

/* Counters, group "sipoutcome" (kamcmd stats.get_statistics sipoutcome:,
 * xhttp_prom /metrics as kamailio_sipoutcome_<name>): one per tag, one
 * per class, one per vendor known at start-up plus vendor_other. */
static counter_handle_t km_cnt_tag[SIPOUTCOME_TAG_COUNT];
static counter_handle_t km_cnt_class[7];
#define KM_MAX_VENDOR_COUNTERS 32
static struct {
	char name[32];
	counter_handle_t h;
} km_cnt_vendor[KM_MAX_VENDOR_COUNTERS + 1];
static int km_cnt_nvendor;
static const char *km_cnt_last_name;
static unsigned int km_cnt_last_gen;
static int km_cnt_last_slot;

static const char *const km_tag_cnames[SIPOUTCOME_TAG_COUNT] = {
		NULL, "completed", "busy", "no_answer", "canceled", "failed"};
static const char *const km_class_cnames[7] = {NULL, NULL, "class_2xx",
		"class_3xx", "class_4xx", "class_5xx", "class_6xx"};

/* "vendor_<name>", non-alphanumerics as '_'; the name is kept for life. */
static int km_register_vendor(const char *pn)
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
	snprintf(km_cnt_vendor[km_cnt_nvendor].name, sizeof(km_cnt_vendor[0].name),
			"%s", pn);
	if(counter_register(&km_cnt_vendor[km_cnt_nvendor].h, "sipoutcome", cname,
			   0, 0, 0, "calls classified with this profile", 0)
			< 0)
		return -1;
	km_cnt_nvendor++;
	return 0;
}

int km_counters_init(void)
{
	size_t i, n;
	int k;

	for(k = 1; k < SIPOUTCOME_TAG_COUNT; k++) {
		if(counter_register(&km_cnt_tag[k], "sipoutcome", km_tag_cnames[k], 0,
				   0, 0, "calls with this outcome tag", 0)
				< 0)
			return -1;
	}
	for(k = 2; k < 7; k++) {
		if(counter_register(&km_cnt_class[k], "sipoutcome", km_class_cnames[k],
				   0, 0, 0, "final replies of this class", 0)
				< 0)
			return -1;
	}
	n = sipoutcome_profiles_count(km_profiles);
	if(n > KM_MAX_VENDOR_COUNTERS)
		n = KM_MAX_VENDOR_COUNTERS; /* the rest count as vendor_other */
	for(i = 0; i <= n; i++) {
		const char *pn = i < n ? sipoutcome_profile_name(
										 sipoutcome_profiles_at(km_profiles, i))
							   : "other";
		if(km_register_vendor(pn) < 0)
			return -1;
	}
	return 0;
}

void km_count(sipoutcome_tag_t tag, int klass, const char *vendor)
{
	if(tag > 0 && tag < SIPOUTCOME_TAG_COUNT)
		counter_inc(km_cnt_tag[tag]);
	if(klass >= 2 && klass <= 6)
		counter_inc(km_cnt_class[klass]);
	if(km_cnt_nvendor <= 0)
		return;
	counter_inc(km_cnt_vendor[km_vendor_slot(vendor)].h);
}

int km_vendor_slot(const char *vendor)
{
	int i;

	if(km_cnt_nvendor <= 0)
		return 0;
	/* the profile name of the last call, whose slot is known: profile
	 * names live as long as their set, and a reload swaps the set */
	if(vendor != km_cnt_last_name || km_cnt_last_gen != km_profiles_gen) {
		/* the last slot is "other" */
		for(i = 0; i < km_cnt_nvendor - 1; i++) {
			if(vendor && strcmp(km_cnt_vendor[i].name, vendor) == 0)
				break;
		}
		km_cnt_last_name = vendor;
		km_cnt_last_gen = km_profiles_gen;
		km_cnt_last_slot = i;
	}
	return km_cnt_last_slot;
}

const char *km_vendor_slot_name(int slot)
{
	return slot >= 0 && slot < km_cnt_nvendor ? km_cnt_vendor[slot].name
											  : "other";
}

int km_vendor_slots(void)
{
	return km_cnt_nvendor;
}

void km_count_current(void)
{
	if(km_cur_valid())
		km_count(km_cur.r.tag, km_cur.r.klass, km_cur.r.vendor);
}

void km_counters_rpc(rpc_t *rpc, void *th)
{
	int k;

	for(k = 1; k < SIPOUTCOME_TAG_COUNT; k++)
		rpc->struct_add(th, "d", km_tag_cnames[k],
				(int)counter_get_val(km_cnt_tag[k]));
	for(k = 2; k < 7; k++)
		rpc->struct_add(th, "d", km_class_cnames[k],
				(int)counter_get_val(km_cnt_class[k]));
	for(k = 0; k < km_cnt_nvendor; k++) {
		char key[64];
		snprintf(key, sizeof(key), "vendor_%.31s", km_cnt_vendor[k].name);
		rpc->struct_add(th, "d", key, (int)counter_get_val(km_cnt_vendor[k].h));
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

void km_fill_current(const sipoutcome_result_t *r, int local, int ringing,
		int canceled, int timeout, int branch, int q850, int retry_after,
		const str *reason, const str *callid)
{
	km_cur.valid = 1;
	km_cur.epoch = msg_no;
	km_cur.r = *r;
	km_cur.local = local;
	km_cur.ringing = ringing;
	km_cur.canceled = canceled;
	km_cur.timeout = timeout;
	km_cur.branch = branch;
	km_cur.q850 = q850;
	km_cur.retry_after = retry_after;
	copy_bounded(km_cur.reason, sizeof(km_cur.reason), &km_cur.reason_len,
			reason);
	copy_bounded(km_cur.callid, sizeof(km_cur.callid), &km_cur.callid_len,
			callid);
}

/* The line goes out through Kamailio's log engine as xlog's lines do
 * (LOG_FN: the level name and the log_prefix, no source location), so
 * it reads ` 0(4410) NOTICE: sipoutcome: tag=...`; the marker
 * ("sipoutcome" or "sipoutcome-attempt") is written into the buffer
 * with the line, one "%.*s" for the core to print. LOG_FN checks the
 * level again; we check first so that nothing is formatted when the
 * line would not be printed. The call's line ends with attempts, pdd_ms
 * and setup_ms; an attempt's with branch, dst, pdd_ms and setup_ms. */
void km_log_current_as(const char *marker, size_t mlen)
{
	char line[2048];
	sipoutcome_logctx_t lc;
	size_t pn = mlen;
	int n;

	if(!km_log_on || !km_cur_valid() || !is_printable(km_log_level))
		return;
	if(pn > 32)
		pn = 32; /* the module's own two markers: never */
	memcpy(line, marker, pn);
	line[pn++] = ':';
	line[pn++] = ' ';
	memset(&lc, 0, sizeof(lc));
	lc.callid = km_cur.callid;
	lc.callid_len = km_cur.callid_len;
	lc.reason = km_cur.reason;
	lc.reason_len = km_cur.reason_len;
	lc.local = km_cur.local;
	lc.ringing = km_cur.ringing;
	lc.q850 = km_cur.q850;
	lc.sent = km_cur.sent;
	lc.in_dialog = km_cur.in_dialog;
	lc.extra = SIPOUTCOME_LOGX_TIMING
			   | (km_cur.attempt ? SIPOUTCOME_LOGX_BRANCH
								 : SIPOUTCOME_LOGX_ATTEMPTS);
	lc.attempts = km_cur.attempts;
	lc.branch = km_cur.branch;
	lc.dst = km_cur.dst;
	lc.dst_len = km_cur.dst_len;
	lc.pdd_ms = km_cur.pdd_ms;
	lc.setup_ms = km_cur.setup_ms;
	n = km_log_json ? sipoutcome_format_json(
				line + pn, sizeof(line) - pn, &km_cur.r, &lc)
					: sipoutcome_format_logfmt(
							line + pn, sizeof(line) - pn, &km_cur.r, &lc);
	if(n < 0) /* cut (cannot happen at 2048): as far as it got */
		n = (int)strnlen(line + pn, sizeof(line) - pn);
	n += (int)pn;
	/* the NUL's place (n <= sizeof(line) - 1) takes the newline: one
	 * "%.*s" for the core to print */
	line[n++] = '\n';
	LOG_FN(km_log_facility >= 0 ? km_log_facility : DEFAULT_FACILITY,
			km_log_level, "", "%.*s", n, line);
}

void km_log_current(void)
{
	km_log_current_as(KM_LOG_MARKER("sipoutcome"));
}

int km_event_route_init(void)
{
	sr_kemi_eng_t *keng = sr_kemi_eng_get();

	if(keng == NULL) {
		km_evrt_idx = route_lookup(&event_rt, "sipoutcome:final");
		if(km_evrt_idx >= 0 && event_rt.rlist[km_evrt_idx] == NULL)
			km_evrt_idx = -1;
		km_evrt_attempt_idx = route_lookup(&event_rt, "sipoutcome:attempt");
		if(km_evrt_attempt_idx >= 0
				&& event_rt.rlist[km_evrt_attempt_idx] == NULL)
			km_evrt_attempt_idx = -1;
	}
	return 0;
}

int km_attempt_route_wanted(void)
{
	return km_evrt_attempt_idx >= 0 || km_event_callback.len > 0;
}

/* Run the event route (idx >= 0) or the KEMI callback with event name
 * evname on msg, the current outcome belonging to it. */
static void event_run(int idx, sip_msg_t *msg, str *evname)
{
	run_act_ctx_t ctx;
	run_act_ctx_t *bctx;
	sr_kemi_eng_t *keng;
	int backup_rt;

	keng = idx < 0 ? sr_kemi_eng_get() : NULL;
	if(idx < 0 && (keng == NULL || km_event_callback.len <= 0))
		return;
	km_cur.epoch = msg_no;
	backup_rt = get_route_type();
	set_route_type(EVENT_ROUTE);
	init_run_actions_ctx(&ctx);
	if(idx >= 0) {
		run_top_route(event_rt.rlist[idx], msg, &ctx);
	} else {
		bctx = sr_kemi_act_ctx_get();
		sr_kemi_act_ctx_set(&ctx);
		(void)sr_kemi_route(keng, msg, EVENT_ROUTE, &km_event_callback, evname);
		sr_kemi_act_ctx_set(bctx);
	}
	set_route_type(backup_rt);
}

void km_attempt_route_run(void)
{
	str evname = str_init("sipoutcome:attempt");

	if(!km_attempt_route_wanted())
		return;
	event_run(km_evrt_attempt_idx, faked_msg_next(), &evname);
}

void km_event_route_run(str *send_buf)
{
	sip_msg_t pmsg;
	str evname = str_init("sipoutcome:final");

	if(km_evrt_idx < 0
			&& (km_event_callback.len <= 0 || sr_kemi_eng_get() == NULL))
		return;
	if(send_buf == NULL || send_buf->s == NULL || send_buf->len <= 0)
		return;
	if(build_sip_msg_from_buf(&pmsg, send_buf->s, send_buf->len, inc_msg_no())
			!= 0) {
		LM_ERR("cannot parse the reply for event_route[sipoutcome:final]\n");
		return;
	}
	event_run(km_evrt_idx, &pmsg, &evname);
	free_sip_msg(&pmsg);
}
