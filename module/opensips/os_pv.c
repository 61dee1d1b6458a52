/*
 * The keys of the current outcome: $outcome(key) in the script and the
 * parameters of the E_SIPOUTCOME_FINAL event ($param(key) in its
 * event_route), one table for both. The keys and their values are those
 * of the Kamailio adapter's $outcome (README "Script interface").
 */
#include <string.h>
#include <strings.h>

#include "../../dprint.h"
#include "../../pvar.h"

#include "os_mod.h"

enum os_kind { OS_STR, OS_INT, OS_OPT_INT }; /* OPT: "" when negative */

static int v_code(void) { return os_cur.r.code; }
static int v_ringing(void) { return os_cur.ringing; }
static int v_branch(void) { return os_cur.branch; }
static int v_canceled(void) { return os_cur.canceled; }
static int v_timeout(void) { return os_cur.timeout; }
static int v_q850(void) { return os_cur.q850; }
static int v_cause(void) { return os_cur.r.cause; }
static int v_retry_after(void) { return os_cur.retry_after; }

static const char *s_tag(void) { return sipoutcome_tag_name(os_cur.r.tag); }
static const char *s_category(void)
{
	return sipoutcome_category_name(os_cur.r.category);
}
static const char *s_retry(void) { return sipoutcome_retry_name(os_cur.r.retry); }
static const char *s_blame(void) { return sipoutcome_blame_name(os_cur.r.blame); }
static const char *s_source(void) { return os_cur.local ? "local" : "remote"; }
static const char *s_vendor(void) { return os_cur.r.vendor; }
static const char *s_hint(void) { return os_cur.r.hint ? os_cur.r.hint : ""; }
static const char *s_meaning(void) { return os_cur.r.meaning; }
static const char *s_rfc(void) { return os_cur.r.rfc; }
static const char *s_dialstatus(void)
{
	return sipoutcome_dialstatus_name(os_cur.r.dialstatus);
}
static const char *s_class(void)
{
	static char klass[4];

	klass[0] = (char)('0' + os_cur.r.klass);
	klass[1] = klass[2] = 'x';
	klass[3] = '\0';
	return klass;
}

/* Keys whose value is bytes of a reply, not a NUL-ended name. */
enum { OS_K_REASON = 1, OS_K_PHRASE, OS_K_CALLID };

static const struct os_key {
	str_const name;
	enum os_kind kind;
	const char *(*s)(void);
	int (*i)(void);
	int bytes; /* OS_K_*: reason, phrase, callid */
} os_keys[] = {
	{str_const_init("tag"), OS_STR, s_tag, 0, 0},
	{str_const_init("code"), OS_INT, 0, v_code, 0},
	{str_const_init("class"), OS_STR, s_class, 0, 0},
	{str_const_init("reason"), OS_STR, 0, 0, OS_K_REASON},
	{str_const_init("phrase"), OS_STR, 0, 0, OS_K_PHRASE},
	{str_const_init("category"), OS_STR, s_category, 0, 0},
	{str_const_init("retry"), OS_STR, s_retry, 0, 0},
	{str_const_init("blame"), OS_STR, s_blame, 0, 0},
	{str_const_init("source"), OS_STR, s_source, 0, 0},
	{str_const_init("ringing"), OS_INT, 0, v_ringing, 0},
	{str_const_init("branch"), OS_INT, 0, v_branch, 0},
	{str_const_init("canceled"), OS_INT, 0, v_canceled, 0},
	{str_const_init("timeout"), OS_INT, 0, v_timeout, 0},
	{str_const_init("vendor"), OS_STR, s_vendor, 0, 0},
	{str_const_init("hint"), OS_STR, s_hint, 0, 0},
	{str_const_init("q850"), OS_OPT_INT, 0, v_q850, 0},
	{str_const_init("cause"), OS_INT, 0, v_cause, 0},
	{str_const_init("dialstatus"), OS_STR, s_dialstatus, 0, 0},
	{str_const_init("retry_after"), OS_OPT_INT, 0, v_retry_after, 0},
	{str_const_init("rfc"), OS_STR, s_rfc, 0, 0},
	{str_const_init("callid"), OS_STR, 0, 0, OS_K_CALLID},
	{str_const_init("meaning"), OS_STR, s_meaning, 0, 0},
};

#define OS_NKEYS (int)(sizeof(os_keys) / sizeof(os_keys[0]))

int os_key_count(void)
{
	return OS_NKEYS;
}

const str_const *os_key_name(int k)
{
	return &os_keys[k].name;
}

/**
 * The value of key k (0..os_key_count()-1) of the current outcome: a
 * string in *out (is_int 0, static or os_cur memory) or an int in *ival
 * (is_int 1). An absent q850 or retry_after is "". The caller checks
 * that an outcome is current.
 */
void os_key_value(int k, str *out, int *ival, int *is_int)
{
	const struct os_key *e = &os_keys[k];

	*is_int = 0;
	out->s = "";
	out->len = 0;
	if (e->bytes == OS_K_REASON) {
		out->s = os_cur.reason;
		out->len = os_cur.reason_len;
	} else if (e->bytes == OS_K_PHRASE) {
		out->s = (char *)os_cur.r.phrase;
		out->len = (int)os_cur.r.phrase_len;
	} else if (e->bytes == OS_K_CALLID) {
		out->s = os_cur.callid;
		out->len = os_cur.callid_len;
	} else if (e->kind == OS_STR) {
		out->s = (char *)e->s();
		out->len = out->s ? strlen(out->s) : 0;
	} else {
		*ival = e->i();
		*is_int = e->kind == OS_INT || *ival >= 0;
	}
}

int os_pv_parse_name(pv_spec_p sp, const str *in)
{
	int k;

	if (sp == NULL || in == NULL || in->len <= 0)
		return -1;
	for (k = 0; k < OS_NKEYS; k++)
		if (in->len == os_keys[k].name.len
				&& strncasecmp(in->s, os_keys[k].name.s, in->len) == 0)
			break;
	if (k == OS_NKEYS) {
		LM_ERR("$outcome(%.*s): unknown key\n", in->len, in->s);
		return -1;
	}
	sp->pvp.pvn.type = PV_NAME_INTSTR;
	sp->pvp.pvn.u.isname.type = 0;
	sp->pvp.pvn.u.isname.name.n = k;
	return 0;
}

int os_pv_get(struct sip_msg *msg, pv_param_t *param, pv_value_t *res)
{
	str s;
	int ival = 0, is_int = 0, k;

	if (param == NULL || !os_cur_valid(msg))
		return pv_get_null(msg, param, res);
	k = param->pvn.u.isname.name.n;
	if (k < 0 || k >= OS_NKEYS)
		return pv_get_null(msg, param, res);
	os_key_value(k, &s, &ival, &is_int);
	if (is_int)
		return pv_get_sintval(msg, param, res, ival);
	return pv_get_strval(msg, param, res, &s);
}
