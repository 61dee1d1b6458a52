/*
 * Publishing an outcome: the per-process current outcome the script
 * reads, the one log line per classified call, the statistics (group
 * "sipoutcome") and the E_SIPOUTCOME_FINAL event.
 */
#include <stdio.h>
#include <string.h>

#include "../../dprint.h"
#include "../../evi/evi_modules.h"
#include "../../evi/evi_params.h"
#include "../../mem/mem.h"
#include "../../statistics.h"

#include "os_mod.h"

os_current_t os_cur;

/* One statistic per tag and per class (exported, so registered by the
 * core under the module's name), one per vendor known at start-up plus
 * vendor_other (registered in mod_init). */
static stat_var *os_st_tag[SIPOUTCOME_TAG_COUNT];
static stat_var *os_st_class[7];

stat_export_t os_stats[] = {
	{"completed", 0, &os_st_tag[SIPOUTCOME_TAG_COMPLETED]},
	{"busy", 0, &os_st_tag[SIPOUTCOME_TAG_BUSY]},
	{"no_answer", 0, &os_st_tag[SIPOUTCOME_TAG_NO_ANSWER]},
	{"canceled", 0, &os_st_tag[SIPOUTCOME_TAG_CANCELED]},
	{"failed", 0, &os_st_tag[SIPOUTCOME_TAG_FAILED]},
	{"class_2xx", 0, &os_st_class[2]},
	{"class_3xx", 0, &os_st_class[3]},
	{"class_4xx", 0, &os_st_class[4]},
	{"class_5xx", 0, &os_st_class[5]},
	{"class_6xx", 0, &os_st_class[6]},
	{0, 0, 0}
};

#define OS_MAX_VENDOR_STATS 32
static struct {
	char name[32];	/* the profile's name */
	char *sname;	/* "vendor_<name>", kept for life */
	stat_var *st;
} os_st_vendor[OS_MAX_VENDOR_STATS + 1];
static int os_st_nvendor;

/* "vendor_<name>", non-alphanumerics as '_'. */
static int register_vendor(const char *pn)
{
	size_t j, n = strlen(pn);
	char *sname = pkg_malloc(n + sizeof("vendor_"));

	if (sname == NULL)
		return -1;
	memcpy(sname, "vendor_", 7);
	for (j = 0; j < n; j++)
		sname[7 + j] = ((pn[j] >= 'a' && pn[j] <= 'z')
			|| (pn[j] >= 'A' && pn[j] <= 'Z')
			|| (pn[j] >= '0' && pn[j] <= '9')) ? pn[j] : '_';
	sname[7 + n] = '\0';
	snprintf(os_st_vendor[os_st_nvendor].name, sizeof(os_st_vendor[0].name),
		"%s", pn);
	os_st_vendor[os_st_nvendor].sname = sname;
	if (register_stat("sipoutcome", sname, &os_st_vendor[os_st_nvendor].st, 0)
			!= 0)
		return -1;
	os_st_nvendor++;
	return 0;
}

int os_stats_init(void)
{
	size_t i, n = sipoutcome_profiles_count(os_profiles);

	if (n > OS_MAX_VENDOR_STATS)
		n = OS_MAX_VENDOR_STATS; /* the rest count as vendor_other */
	for (i = 0; i <= n; i++)
		if (register_vendor(i < n ? sipoutcome_profile_name(
				sipoutcome_profiles_at(os_profiles, i)) : "other") < 0)
			return -1;
	return 0;
}

/* One call into the statistics: tag, class 2..6, the profile's name. */
void os_count(sipoutcome_tag_t tag, int klass, const char *vendor)
{
	int i;

	if (tag > 0 && tag < SIPOUTCOME_TAG_COUNT && os_st_tag[tag])
		update_stat(os_st_tag[tag], 1);
	if (klass >= 2 && klass <= 6)
		update_stat(os_st_class[klass], 1);
	if (os_st_nvendor <= 0)
		return;
	for (i = 0; i < os_st_nvendor - 1; i++) /* the last one is "other" */
		if (strcmp(os_st_vendor[i].name, vendor) == 0)
			break;
	update_stat(os_st_vendor[i].st, 1);
}

void os_count_current(void)
{
	if (os_cur.valid)
		os_count(os_cur.r.tag, os_cur.r.klass, os_cur.r.vendor);
}

/* The statistics as MI members "completed": N, ... "vendor_rfc": N. */
int os_stats_mi(mi_item_t *obj)
{
	int k;

	for (k = 0; os_stats[k].name; k++)
		if (add_mi_number(obj, os_stats[k].name, strlen(os_stats[k].name),
				get_stat_val(*os_stats[k].stat_pointer)) < 0)
			return -1;
	for (k = 0; k < os_st_nvendor; k++)
		if (add_mi_number(obj, os_st_vendor[k].sname,
				strlen(os_st_vendor[k].sname),
				get_stat_val(os_st_vendor[k].st)) < 0)
			return -1;
	return 0;
}

static void copy_bounded(char *dst, int cap, int *dlen, const str *src)
{
	int n = 0;

	if (src != NULL && src->s != NULL && src->len > 0)
		n = src->len < cap ? src->len : cap;
	if (n > 0)
		memcpy(dst, src->s, n);
	*dlen = n;
}

/* The outcome belongs to the message being handled (msg NULL: none, as
 * in tm's timer); a later message of this process never sees it. */
int os_cur_valid(const struct sip_msg *msg)
{
	return os_cur.valid && msg != NULL && os_cur.msg_id != 0
		&& os_cur.msg_id == msg->id;
}

void os_fill_current(struct sip_msg *msg, const sipoutcome_result_t *r,
		int local, int ringing, int canceled, int timeout, int branch,
		int q850, int retry_after, const str *reason, const str *callid)
{
	os_cur.valid = 1;
	os_cur.msg_id = msg && msg != FAKED_REPLY ? msg->id : 0;
	os_cur.r = *r;
	os_cur.local = local;
	os_cur.ringing = ringing;
	os_cur.canceled = canceled;
	os_cur.timeout = timeout;
	os_cur.branch = branch;
	os_cur.q850 = q850;
	os_cur.retry_after = retry_after;
	copy_bounded(os_cur.reason, sizeof(os_cur.reason), &os_cur.reason_len,
		reason);
	copy_bounded(os_cur.callid, sizeof(os_cur.callid), &os_cur.callid_len,
		callid);
}

/* The line is formatted only when it will be printed. */
void os_log_current(void)
{
	char line[1024];
	sipoutcome_logctx_t lc;

	if (!os_log_on || !os_cur.valid || !is_printable(os_log_level))
		return;
	memset(&lc, 0, sizeof(lc));
	lc.callid = os_cur.callid;
	lc.callid_len = os_cur.callid_len;
	lc.reason = os_cur.reason;
	lc.reason_len = os_cur.reason_len;
	lc.local = os_cur.local;
	lc.ringing = os_cur.ringing;
	lc.q850 = os_cur.q850;
	lc.sent = os_cur.sent;
	(void)sipoutcome_format_logfmt(line, sizeof(line), &os_cur.r, &lc);
	if (os_log_facility >= 0)
		LM_GEN2(os_log_facility, os_log_level, "sipoutcome: %s\n", line);
	else
		LM_GEN1(os_log_level, "sipoutcome: %s\n", line);
}

/* ---- E_SIPOUTCOME_FINAL ---- */

static str os_ev_name = str_init("E_SIPOUTCOME_FINAL");
static event_id_t os_ev_id = EVI_ERROR;

int os_event_init(void)
{
	os_ev_id = evi_publish_event(os_ev_name);
	if (os_ev_id == EVI_ERROR) {
		LM_ERR("cannot publish the %.*s event\n", os_ev_name.len, os_ev_name.s);
		return -1;
	}
	return 0;
}

/* Raise the event with every $outcome key as a parameter, when anything
 * (an event_route, an event socket) subscribed to it; the parameters are
 * built only then. */
void os_event_raise(void)
{
	evi_params_p params;
	str name, s;
	int k, ival, is_int, rc = 0;

	if (!os_cur.valid || os_ev_id == EVI_ERROR || !evi_probe_event(os_ev_id))
		return;
	params = evi_get_params();
	if (params == NULL) {
		LM_ERR("cannot build the %.*s parameters\n", os_ev_name.len,
			os_ev_name.s);
		return;
	}
	for (k = 0; k < os_key_count() && rc == 0; k++) {
		name.s = (char *)os_key_name(k)->s;
		name.len = os_key_name(k)->len;
		os_key_value(k, &s, &ival, &is_int);
		rc = is_int ? evi_param_add_int(params, &name, &ival)
			: evi_param_add_str(params, &name, &s);
	}
	if (rc != 0) {
		LM_ERR("cannot build the %.*s parameters\n", os_ev_name.len,
			os_ev_name.s);
		evi_free_params(params);
		return;
	}
	/* evi_raise_event() frees the list (EVI_FREE_LIST) */
	if (evi_raise_event(os_ev_id, params) < 0)
		LM_ERR("cannot raise %.*s\n", os_ev_name.len, os_ev_name.s);
}
