/*
 * RPC commands (kamcmd through ctl, JSON-RPC through jsonrpcs):
 * sipoutcome.explain, .stats, .vendors, .reload.
 */
#include <stdlib.h>
#include <string.h>

#include "core/counters.h"
#include "core/dprint.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"

#include "km_mod.h"

static const char *km_rpc_explain_doc[] = {
		"Explain a status code: sipoutcome.explain <code> [vendor]", 0};

static void km_rpc_explain(rpc_t *rpc, void *ctx)
{
	sipoutcome_input_t in;
	sipoutcome_result_t r;
	const sipoutcome_profile_t *p;
	str vendor = STR_NULL;
	void *th;
	int code = 0;

	if(rpc->scan(ctx, "d", &code) < 1) {
		rpc->fault(ctx, 400, "usage: sipoutcome.explain <code> [vendor]");
		return;
	}
	if(rpc->scan(ctx, "*S", &vendor) < 1)
		vendor.len = 0;
	km_profiles_refresh();
	p = km_default_profile;
	if(vendor.len > 0) {
		p = km_profile_by_name(vendor.s, vendor.len);
		if(p == NULL) {
			rpc->fault(ctx, 404, "unknown vendor profile");
			return;
		}
	}
	sipoutcome_input_init(&in);
	in.code = code;
	in.profile = p;
	if(sipoutcome_classify(&in, &r) != SIPOUTCOME_OK) {
		rpc->fault(ctx, 400, "status code outside 100..699");
		return;
	}
	if(rpc->add(ctx, "{", &th) < 0) {
		rpc->fault(ctx, 500, "cannot build the reply");
		return;
	}
	rpc->struct_add(th, "dsdssssssdsss", "code", r.code, "phrase",
			r.phrase, "registered", r.registered, "tag",
			sipoutcome_tag_name(r.tag), "category",
			sipoutcome_category_name(r.category), "retry",
			sipoutcome_retry_name(r.retry), "blame",
			sipoutcome_blame_name(r.blame), "dialstatus",
			sipoutcome_dialstatus_name(r.dialstatus), "vendor", r.vendor,
			"cause", r.cause, "rfc", r.rfc, "hint", r.hint ? r.hint : "",
			"meaning", r.meaning ? r.meaning : "");
}

static const char *km_rpc_stats_doc[] = {
		"Outcome counts since start, per tag, class and vendor", 0};

static void km_rpc_stats(rpc_t *rpc, void *ctx)
{
	void *th;

	if(rpc->add(ctx, "{", &th) < 0) {
		rpc->fault(ctx, 500, "cannot build the reply");
		return;
	}
	km_counters_rpc(rpc, th);
}

static const char *km_rpc_vendors_doc[] = {"List the vendor profiles", 0};

static void km_rpc_vendors(rpc_t *rpc, void *ctx)
{
	size_t i;
	void *th;

	km_profiles_refresh();
	for(i = 0; i < sipoutcome_profiles_count(km_profiles); i++) {
		const sipoutcome_profile_t *p = sipoutcome_profiles_at(km_profiles, i);
		if(rpc->add(ctx, "{", &th) < 0) {
			rpc->fault(ctx, 500, "cannot build the reply");
			return;
		}
		rpc->struct_add(th, "ssss", "name", sipoutcome_profile_name(p),
				"inherits", sipoutcome_profile_parent(p), "description",
				sipoutcome_profile_description(p), "default",
				p == km_default_profile ? "yes" : "no");
	}
}

static const char *km_rpc_reload_doc[] = {
		"Re-read the profile files and the db table; a bad file or row keeps the old profiles", 0};

static void km_rpc_reload(rpc_t *rpc, void *ctx)
{
	char errbuf[512];

	if(km_profiles_reload(errbuf, sizeof(errbuf)) < 0) {
		LM_ERR("profile reload refused: %s\n", errbuf);
		rpc->fault(ctx, 500, "reload refused, old profiles kept: %s", errbuf);
		return;
	}
	rpc->rpl_printf(ctx, "ok: %d profiles",
			(int)sipoutcome_profiles_count(km_profiles));
}

/* clang-format off */
static rpc_export_t km_rpc_cmds[] = {
	{"sipoutcome.explain", km_rpc_explain, km_rpc_explain_doc, 0},
	{"sipoutcome.stats", km_rpc_stats, km_rpc_stats_doc, 0},
	{"sipoutcome.vendors", km_rpc_vendors, km_rpc_vendors_doc, RET_ARRAY},
	{"sipoutcome.reload", km_rpc_reload, km_rpc_reload_doc, 0},
	{0, 0, 0, 0}
};
/* clang-format on */

int km_rpc_init(void)
{
	if(rpc_register_array(km_rpc_cmds) != 0) {
		LM_ERR("cannot register the RPC commands\n");
		return -1;
	}
	return 0;
}
