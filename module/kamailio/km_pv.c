/*
 * $outcome(key): the current outcome of this process (km_log.c).
 */
#include <string.h>

#include "core/dprint.h"
#include "core/pvar.h"
#include "core/ut.h"

#include "km_mod.h"

enum km_key {
	K_TAG = 1,
	K_CODE,
	K_CLASS,
	K_REASON,
	K_PHRASE,
	K_CATEGORY,
	K_RETRY,
	K_BLAME,
	K_SOURCE,
	K_RINGING,
	K_BRANCH,
	K_CANCELED,
	K_TIMEOUT,
	K_VENDOR,
	K_HINT,
	K_Q850,
	K_CAUSE,
	K_DIALSTATUS,
	K_RETRY_AFTER,
	K_RFC,
	K_CALLID,
	K_MEANING,
K_SENT,
	K_IN_DIALOG,
	K_ATTEMPTS,
	K_ATTEMPT,
	K_DST,
	K_PDD_MS,
	K_SETUP_MS
};

static const struct {
	const char *name;
	int key;
} km_keys[] = {{"tag", K_TAG}, {"code", K_CODE}, {"class", K_CLASS},
		{"reason", K_REASON}, {"phrase", K_PHRASE},
		{"category", K_CATEGORY}, {"retry", K_RETRY}, {"blame", K_BLAME},
		{"source", K_SOURCE}, {"ringing", K_RINGING}, {"branch", K_BRANCH},
		{"canceled", K_CANCELED}, {"timeout", K_TIMEOUT},
		{"vendor", K_VENDOR}, {"hint", K_HINT}, {"q850", K_Q850},
		{"cause", K_CAUSE}, {"dialstatus", K_DIALSTATUS},
		{"retry_after", K_RETRY_AFTER}, {"rfc", K_RFC},
		{"callid", K_CALLID}, {"meaning", K_MEANING}, {"sent", K_SENT},
		{"in_dialog", K_IN_DIALOG},
		{"attempts", K_ATTEMPTS}, {"attempt", K_ATTEMPT}, {"dst", K_DST},
		{"pdd_ms", K_PDD_MS}, {"setup_ms", K_SETUP_MS}};

static int key_of(const str *s)
{
	size_t i;

	for(i = 0; i < sizeof(km_keys) / sizeof(km_keys[0]); i++) {
		if(s->len == (int)strlen(km_keys[i].name)
				&& strncasecmp(s->s, km_keys[i].name, s->len) == 0)
			return km_keys[i].key;
	}
	return -1;
}

int km_pv_parse_name(pv_spec_t *sp, str *in)
{
	int k;

	if(sp == NULL || in == NULL || in->len <= 0)
		return -1;
	k = key_of(in);
	if(k < 0) {
		LM_ERR("$outcome(%.*s): unknown key\n", in->len, in->s);
		return -1;
	}
	sp->pvp.pvn.type = PV_NAME_INTSTR;
	sp->pvp.pvn.u.isname.type = 0;
	sp->pvp.pvn.u.isname.name.n = k;
	return 0;
}

static void set_s(str *out, const char *s)
{
	out->s = (char *)s;
	out->len = s ? strlen(s) : 0;
}

/* The value of one key: a string (is_int 0) or an int. -1 when the key
 * has no value now (nothing classified, or e.g. q850 absent). */
/* The integer keys of the current outcome: 1 with *ival set, 0 when k
 * is not one (or q850/retry_after are absent: those read as ""). */
static int int_value_of(int k, int *ival)
{
	switch(k) {
		case K_CODE:
			*ival = km_cur.r.code;
			return 1;
		case K_RINGING:
			*ival = km_cur.ringing;
			return 1;
		case K_BRANCH:
			*ival = km_cur.branch;
			return 1;
		case K_CANCELED:
			*ival = km_cur.canceled;
			return 1;
		case K_TIMEOUT:
			*ival = km_cur.timeout;
			return 1;
		case K_CAUSE:
			*ival = km_cur.r.cause;
			return 1;
		case K_Q850:
			*ival = km_cur.q850;
			return km_cur.q850 >= 0;
		case K_RETRY_AFTER:
			*ival = km_cur.retry_after;
			return km_cur.retry_after >= 0;
		case K_SENT:
			*ival = km_cur.sent;
			return km_cur.sent > 0;
		case K_IN_DIALOG:
			*ival = km_cur.in_dialog;
			return 1;
		case K_ATTEMPTS:
			*ival = km_cur.attempts;
			return 1;
		case K_ATTEMPT:
			*ival = km_cur.attempt;
			return 1;
		case K_PDD_MS:
			*ival = (int)km_cur.pdd_ms;
			return km_cur.pdd_ms >= 0;
		case K_SETUP_MS:
			*ival = (int)km_cur.setup_ms;
			return km_cur.setup_ms >= 0;
		default:
			return 0;
	}
}

/* The string keys: 0 with *out set (into static tables or km_cur), -1
 * for an unknown key. */
static int str_value_of(int k, str *out)
{
	static char klass[4];
	const sipoutcome_result_t *r = &km_cur.r;

	switch(k) {
		case K_TAG:
			set_s(out, sipoutcome_tag_name(r->tag));
			return 0;
		case K_CLASS:
			klass[0] = (char)('0' + r->klass);
			klass[1] = klass[2] = 'x';
			klass[3] = '\0';
			set_s(out, klass);
			return 0;
		case K_REASON:
			out->s = km_cur.reason;
			out->len = km_cur.reason_len;
			return 0;
		case K_PHRASE:
			out->s = (char *)r->phrase;
			out->len = (int)r->phrase_len;
			return 0;
		case K_CATEGORY:
			set_s(out, sipoutcome_category_name(r->category));
			return 0;
		case K_RETRY:
			set_s(out, sipoutcome_retry_name(r->retry));
			return 0;
		case K_BLAME:
			set_s(out, sipoutcome_blame_name(r->blame));
			return 0;
		case K_SOURCE:
			set_s(out, km_cur.local ? "local" : "remote");
			return 0;
		case K_VENDOR:
			set_s(out, r->vendor);
			return 0;
		case K_HINT:
			set_s(out, r->hint ? r->hint : "");
			return 0;
		case K_MEANING:
			set_s(out, r->meaning);
			return 0;
		case K_DST:
			out->s = km_cur.dst;
			out->len = km_cur.dst_len;
			return 0;
		case K_Q850:
		case K_SENT:
		case K_RETRY_AFTER: /* absent */
		case K_PDD_MS:
		case K_SETUP_MS:
			set_s(out, "");
			return 0;
		case K_DIALSTATUS:
			set_s(out, sipoutcome_dialstatus_name(r->dialstatus));
			return 0;
		case K_RFC:
			set_s(out, r->rfc);
			return 0;
		case K_CALLID:
			out->s = km_cur.callid;
			out->len = km_cur.callid_len;
			return 0;
		default:
			return -1;
	}
}

static int value_of(int k, str *out, int *ival, int *is_int)
{
	*is_int = 0;
	if(!km_cur_valid())
		return -1;
	if(int_value_of(k, ival)) {
		*is_int = 1;
		return 0;
	}
	return str_value_of(k, out);
}

int km_get_str(const str *key, str *out, int *ival, int *is_int)
{
	int k = key_of(key);
	return k < 0 ? -1 : value_of(k, out, ival, is_int);
}

int km_pv_get(sip_msg_t *msg, pv_param_t *param, pv_value_t *res)
{
	str s = STR_NULL;
	int ival = 0, is_int = 0;

	if(param == NULL
			|| value_of(param->pvn.u.isname.name.n, &s, &ival, &is_int) < 0)
		return pv_get_null(msg, param, res);
	if(is_int)
		return pv_get_sintval(msg, param, res, ival);
	return pv_get_strval(msg, param, res, &s);
}
