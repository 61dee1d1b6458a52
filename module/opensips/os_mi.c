/*
 * MI commands (opensips-cli -x mi ..., or JSON-RPC over mi_datagram,
 * mi_fifo, mi_http): sipoutcome_explain, _stats, _vendors, _reload. The
 * same commands and members as the Kamailio adapter's sipoutcome.* RPCs.
 */
#include <string.h>

#include "../../dprint.h"
#include "../../mi/mi.h"

#include "os_mod.h"

#define MI_STR(_s) _s, (sizeof(_s) - 1)

static int add_s(mi_item_t *o, char *name, const char *v)
{
	return add_mi_string(o, name, strlen(name), v ? v : "", v ? strlen(v) : 0);
}

/* code [vendor]: what a status code means without any call context. */
static mi_response_t *explain(const sipoutcome_profile_t *p, int code)
{
	sipoutcome_input_t in;
	sipoutcome_result_t r;
	mi_response_t *resp;
	mi_item_t *o;

	sipoutcome_input_init(&in);
	in.code = code;
	in.profile = p;
	if (sipoutcome_classify(&in, &r) != SIPOUTCOME_OK)
		return init_mi_error(400, MI_STR("status code outside 100..699"));
	resp = init_mi_result_object(&o);
	if (resp == NULL)
		return NULL;
	if (add_mi_number(o, MI_STR("code"), r.code) < 0
			|| add_s(o, "phrase", r.phrase) < 0
			|| add_mi_number(o, MI_STR("registered"), r.registered) < 0
			|| add_s(o, "tag", sipoutcome_tag_name(r.tag)) < 0
			|| add_s(o, "category", sipoutcome_category_name(r.category)) < 0
			|| add_s(o, "retry", sipoutcome_retry_name(r.retry)) < 0
			|| add_s(o, "blame", sipoutcome_blame_name(r.blame)) < 0
			|| add_s(o, "dialstatus", sipoutcome_dialstatus_name(r.dialstatus)) < 0
			|| add_s(o, "vendor", r.vendor) < 0
			|| add_mi_number(o, MI_STR("cause"), r.cause) < 0
			|| add_s(o, "rfc", r.rfc) < 0
			|| add_s(o, "hint", r.hint) < 0
			|| add_s(o, "meaning", r.meaning) < 0) {
		free_mi_response(resp);
		return NULL;
	}
	return resp;
}

static mi_response_t *mi_explain(const mi_params_t *params,
		struct mi_handler *async_hdl)
{
	int code;

	if (get_mi_int_param(params, "code", &code) < 0)
		return init_mi_param_error();
	os_profiles_refresh();
	return explain(os_default_profile, code);
}

static mi_response_t *mi_explain_vendor(const mi_params_t *params,
		struct mi_handler *async_hdl)
{
	const sipoutcome_profile_t *p;
	char *v;
	int code, vlen;

	if (get_mi_int_param(params, "code", &code) < 0
			|| get_mi_string_param(params, "vendor", &v, &vlen) < 0)
		return init_mi_param_error();
	os_profiles_refresh();
	p = os_profile_by_name(v, vlen);
	if (p == NULL)
		return init_mi_error(404, MI_STR("unknown vendor profile"));
	return explain(p, code);
}

static mi_response_t *mi_stats(const mi_params_t *params,
		struct mi_handler *async_hdl)
{
	mi_response_t *resp;
	mi_item_t *o;

	resp = init_mi_result_object(&o);
	if (resp == NULL)
		return NULL;
	if (os_stats_mi(o) < 0) {
		free_mi_response(resp);
		return NULL;
	}
	return resp;
}

static mi_response_t *mi_vendors(const mi_params_t *params,
		struct mi_handler *async_hdl)
{
	const sipoutcome_profile_t *p;
	mi_response_t *resp;
	mi_item_t *arr, *o;
	size_t i;

	os_profiles_refresh();
	resp = init_mi_result_array(&arr);
	if (resp == NULL)
		return NULL;
	for (i = 0; i < sipoutcome_profiles_count(os_profiles); i++) {
		p = sipoutcome_profiles_at(os_profiles, i);
		o = add_mi_object(arr, NULL, 0);
		if (o == NULL || add_s(o, "name", sipoutcome_profile_name(p)) < 0
				|| add_s(o, "inherits", sipoutcome_profile_parent(p)) < 0
				|| add_s(o, "description", sipoutcome_profile_description(p)) < 0
				|| add_s(o, "default", p == os_default_profile ? "yes" : "no") < 0) {
			free_mi_response(resp);
			return NULL;
		}
	}
	return resp;
}

/* A bad file keeps the old profiles and says why (file, line, field). */
static mi_response_t *mi_reload(const mi_params_t *params,
		struct mi_handler *async_hdl)
{
	char errbuf[512], msg[600];
	int n;

	if (os_profiles_reload(errbuf, sizeof(errbuf)) < 0) {
		LM_ERR("profile reload refused: %s\n", errbuf);
		n = snprintf(msg, sizeof(msg), "reload refused, old profiles kept: %s",
			errbuf);
		return init_mi_error(500, msg, n < (int)sizeof(msg) ? n : (int)sizeof(msg) - 1);
	}
	n = snprintf(msg, sizeof(msg), "ok: %d profiles",
		(int)sipoutcome_profiles_count(os_profiles));
	return init_mi_result_string(msg, n);
}

const mi_export_t os_mi_cmds[] = {
	{"sipoutcome_explain", "explain a status code: code [vendor]", 0, 0, {
		{mi_explain, {"code", 0}},
		{mi_explain_vendor, {"code", "vendor", 0}},
		{EMPTY_MI_RECIPE}}
	},
	{"sipoutcome_stats", "outcome counts since start, per tag, class and"
		" vendor", 0, 0, {
		{mi_stats, {0}},
		{EMPTY_MI_RECIPE}}
	},
	{"sipoutcome_vendors", "list the vendor profiles", 0, 0, {
		{mi_vendors, {0}},
		{EMPTY_MI_RECIPE}}
	},
	{"sipoutcome_reload", "re-read the profile files; a bad file keeps the"
		" old profiles", 0, 0, {
		{mi_reload, {0}},
		{EMPTY_MI_RECIPE}}
	},
	{EMPTY_MI_EXPORT}
};
