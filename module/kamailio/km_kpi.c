/*
 * The labeled metrics out of the module: sipoutcome_metrics() answers an
 * HTTP request with them (in event_route[xhttp:request], through the
 * xhttp module's API), sipoutcome.metrics returns the same text over RPC,
 * sipoutcome.kpi the carrier KPIs computed from them:
 *   ASR  = answered / calls                       (ITU-T E.411 answer-seizure ratio)
 *   NER  = calls not failed by the network / calls (ITU-T E.411 network
 *          effectiveness: answered, busy, no answer, rejected by the
 *          called user all count as delivered; an outcome whose blame is
 *          network or proxy does not)
 *   SER  = 2xx / (finals - 3xx)                   (RFC 6076 4.6)
 *   SEER = (2xx + 480 + 486 + 600 + 603) / (finals - 3xx) (RFC 6076 4.7)
 *   ISA  = (408 + 500 + 503 + 504) / finals       (RFC 6076 4.8)
 * in percent, and the PDD and SRD medians and 95th percentiles (RFC 6076
 * 4.3) as bucket bounds in ms.
 */
#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/mem/mem.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"
#include "core/sr_module.h"
#include "modules/xhttp/api.h"

#include "km_mod.h"

long km_metrics_quantile(int v, int which, double q);

static xhttp_api_t km_xhttp;
static int km_xhttp_ok;

int km_metrics_reply(sip_msg_t *msg)
{
	str reason = str_init("OK");
	str ctype = str_init("text/plain; version=0.0.4");
	str body;
	int rc;

	if(!km_xhttp_ok) {
		if(xhttp_load_api(&km_xhttp) < 0) {
			LM_ERR("sipoutcome_metrics(): the xhttp module is not loaded\n");
			return -1;
		}
		km_xhttp_ok = 1;
	}
	if(km_metrics_text(&body.s, &body.len) < 0) {
		LM_ERR("sipoutcome_metrics(): metrics off (modparam metrics 1) or"
			   " out of memory\n");
		return -1;
	}
	rc = km_xhttp.reply(msg, 200, &reason, &ctype, &body);
	pkg_free(body.s);
	return rc < 0 ? -1 : 1;
}

static const char *km_rpc_metrics_doc[] = {
		"The labeled metrics in Prometheus's text format", 0};

static void km_rpc_metrics(rpc_t *rpc, void *ctx)
{
	char *text;
	int len;

	if(km_metrics_text(&text, &len) < 0) {
		rpc->fault(ctx, 500, "metrics off (modparam metrics 1)");
		return;
	}
	rpc->add(ctx, "s", text);
	pkg_free(text);
}

/* "12.50" or "" when the denominator is 0 */
static void pct(char *buf, size_t cap, unsigned long long a,
		unsigned long long b)
{
	if(b == 0)
		buf[0] = '\0';
	else
		snprintf(buf, cap, "%.2f", 100.0 * (double)a / (double)b);
}

static void km_kpi_add(rpc_t *rpc, void *ctx, int v, const char *name)
{
	km_kpi_sums_t k;
	char asr[16], ner[16], ser[16], seer[16], isa[16];
	void *th;
	unsigned long long den;

	km_metrics_kpi_sums(v, &k);
	den = k.finals > k.r3xx ? k.finals - k.r3xx : 0;
	pct(asr, sizeof(asr), k.answered, k.calls);
	pct(ner, sizeof(ner), k.calls - k.network, k.calls);
	pct(ser, sizeof(ser), k.r2xx, den);
	pct(seer, sizeof(seer), k.r2xx + k.seer_other, den);
	pct(isa, sizeof(isa), k.isa, k.finals);
	if(rpc->add(ctx, "{", &th) < 0)
		return;
	rpc->struct_add(th, "sdddsssssdddd", "vendor", name, "calls",
			(int)k.calls, "answered", (int)k.answered, "network_failed",
			(int)k.network, "asr", asr, "ner", ner, "ser", ser, "seer", seer,
			"isa", isa, "pdd_p50_ms", (int)km_metrics_quantile(v, 0, 0.5),
			"pdd_p95_ms", (int)km_metrics_quantile(v, 0, 0.95), "srd_p50_ms",
			(int)km_metrics_quantile(v, 1, 0.5), "srd_p95_ms",
			(int)km_metrics_quantile(v, 1, 0.95));
}

static const char *km_rpc_kpi_doc[] = {
		"Carrier KPIs (ASR, NER, SER, SEER, ISA, PDD, SRD): sipoutcome.kpi"
		" [vendor]",
		0};

static void km_rpc_kpi(rpc_t *rpc, void *ctx)
{
	str vendor = STR_NULL;
	char name[40];
	int v, n = km_vendor_slots();

	if(!km_metrics) {
		rpc->fault(ctx, 500, "metrics off (modparam metrics 1)");
		return;
	}
	if(rpc->scan(ctx, "*S", &vendor) < 1)
		vendor.len = 0;
	if(vendor.len > 0) {
		snprintf(name, sizeof(name), "%.*s", vendor.len, vendor.s);
		for(v = 0; v < n; v++)
			if(strcmp(km_vendor_slot_name(v), name) == 0)
				break;
		if(v == n) {
			rpc->fault(ctx, 404, "unknown vendor");
			return;
		}
		km_kpi_add(rpc, ctx, v, name);
		return;
	}
	km_kpi_add(rpc, ctx, -1, "all");
	for(v = 0; v < n; v++) {
		km_kpi_sums_t k;
		km_metrics_kpi_sums(v, &k);
		if(k.calls > 0)
			km_kpi_add(rpc, ctx, v, km_vendor_slot_name(v));
	}
}

/* clang-format off */
static rpc_export_t km_kpi_rpc_cmds[] = {
	{"sipoutcome.metrics", km_rpc_metrics, km_rpc_metrics_doc, 0},
	{"sipoutcome.kpi", km_rpc_kpi, km_rpc_kpi_doc, RET_ARRAY},
	{0, 0, 0, 0}
};
/* clang-format on */

int km_kpi_rpc_init(void)
{
	if(rpc_register_array(km_kpi_rpc_cmds) != 0) {
		LM_ERR("cannot register the metrics RPC commands\n");
		return -1;
	}
	return 0;
}
