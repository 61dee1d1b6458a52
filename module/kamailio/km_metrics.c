/*
 * Labeled metrics (modparam metrics = 1): calls per vendor, tag, category
 * and blame; the call's final per vendor in the code groups RFC 6076
 * section 4 counts (2xx, 3xx, 408, 480, 486, 487, 500, 503, 504, 600,
 * 603, other 4xx/5xx/6xx); attempts per vendor, gateway (the next hop's
 * host:port, the first 64 seen, then "other"), tag and blame, and their
 * code groups; histograms of the post-dial delay, the session request
 * delay (RFC 6076 4.3) and the setup time per vendor.
 *
 * Kept in shared memory by the module, without locks on the reply path:
 * a series is one slot of an open-addressing table (claimed once with a
 * compare-and-swap of its key, then incremented atomically), so any
 * worker process counts into the same table. Written out in Prometheus's
 * text format (version 0.0.4) by km_metrics_text(): through xhttp
 * (sipoutcome_metrics() in event_route[xhttp:request]) and the RPC
 * sipoutcome.metrics; sipoutcome.kpi reads the same table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/locking.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"

#include "km_mod.h"

int km_metrics = 0;

#define KM_SERIES 8192 /* a power of 2 */
#define KM_GATEWAYS 64
#define KM_GW_OTHER KM_GATEWAYS
#define KM_GW_NONE 127

enum km_kind {
	KM_K_CALL = 1, /* vendor, tag, category, blame */
	KM_K_REPLY,	   /* vendor, code group: the call's final */
	KM_K_ATTEMPT,  /* vendor, gateway, tag, blame */
	KM_K_AREPLY	   /* vendor, gateway, code group: an attempt's final */
};

#define KEY(kind, v, gw, tag, cat, blame, grp)                               \
	((uint32_t)(kind) << 29 | (uint32_t)(v) << 23 | (uint32_t)(gw) << 16 \
			| (uint32_t)(tag) << 13 | (uint32_t)(cat) << 8                 \
			| (uint32_t)(blame) << 5 | (uint32_t)(grp))
#define K_KIND(k) ((k) >> 29)
#define K_V(k) (((k) >> 23) & 63)
#define K_GW(k) (((k) >> 16) & 127)
#define K_TAG(k) (((k) >> 13) & 7)
#define K_CAT(k) (((k) >> 8) & 31)
#define K_BLAME(k) (((k) >> 5) & 7)
#define K_GRP(k) ((k)&31)

typedef struct km_series {
	volatile uint32_t key; /* 0: free */
	uint32_t pad;
	volatile uint64_t n;
} km_series_t;

/* histogram upper bounds, ms (Prometheus le in seconds) */
static const unsigned int km_hb[] = {100, 250, 500, 1000, 2000, 3000, 5000,
		8000, 13000, 20000, 30000, 60000};
#define KM_HB (sizeof(km_hb) / sizeof(km_hb[0]))
enum { KM_H_PDD = 0, KM_H_SRD, KM_H_SETUP, KM_H_N };
static const char *const km_hnames[KM_H_N] = {"pdd", "srd", "setup"};
#define KM_VSLOTS 64

typedef struct km_hist {
	volatile uint64_t b[KM_HB + 1]; /* the last: +Inf */
	volatile uint64_t sum_ms;
} km_hist_t;

typedef struct km_mstore {
	km_series_t s[KM_SERIES];
	volatile uint64_t dropped; /* the table was full */
	km_hist_t h[KM_VSLOTS][KM_H_N];
	volatile int ngw;
	char gw[KM_GATEWAYS][48];
} km_mstore_t;

static km_mstore_t *km_ms;
static gen_lock_t *km_gw_lock;

static const char *const km_grp_names[] = {"", "2xx", "3xx", "408", "480",
		"486", "487", "500", "503", "504", "600", "603", "4xx", "5xx", "6xx"};
#define KM_NGRP (sizeof(km_grp_names) / sizeof(km_grp_names[0]))

/* The RFC 6076 code group of a final status code, 1..14. */
static int code_group(int code)
{
	static const int single[] = {408, 480, 486, 487, 500, 503, 504, 600, 603};
	size_t i;

	if(code >= 200 && code < 300)
		return 1;
	if(code >= 300 && code < 400)
		return 2;
	for(i = 0; i < sizeof(single) / sizeof(single[0]); i++)
		if(code == single[i])
			return 3 + (int)i;
	return code >= 600 ? 14 : code >= 500 ? 13 : 12;
}

int km_metrics_init(void)
{
	if(!km_metrics)
		return 0;
	km_ms = shm_malloc(sizeof(*km_ms));
	km_gw_lock = lock_alloc();
	if(km_ms == NULL || km_gw_lock == NULL || lock_init(km_gw_lock) == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(km_ms, 0, sizeof(*km_ms));
	return 0;
}

static void series_inc(uint32_t key)
{
	uint32_t h = (key * 2654435761u) >> 19, i, k, zero;
	km_series_t *s;

	for(i = 0; i < KM_SERIES; i++) {
		s = &km_ms->s[(h + i) & (KM_SERIES - 1)];
		k = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);
		if(k == 0) {
			zero = 0;
			if(__atomic_compare_exchange_n(&s->key, &zero, key, 0,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				k = key;
			else
				k = zero; /* another process took it meanwhile */
		}
		if(k == key) {
			__atomic_fetch_add(&s->n, 1, __ATOMIC_RELAXED);
			return;
		}
	}
	__atomic_fetch_add(&km_ms->dropped, 1, __ATOMIC_RELAXED);
}

static void hist_add(int v, int which, long ms)
{
	km_hist_t *h = &km_ms->h[v][which];
	size_t i;

	if(ms < 0)
		return;
	for(i = 0; i < KM_HB && (unsigned long)ms > km_hb[i]; i++)
		;
	__atomic_fetch_add(&h->b[i], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&h->sum_ms, (uint64_t)ms, __ATOMIC_RELAXED);
}

static int vslot(const char *vendor)
{
	int v = km_vendor_slot(vendor);
	return v < KM_VSLOTS ? v : KM_VSLOTS - 1;
}

void km_metrics_call(const sipoutcome_result_t *r, long pdd_ms, long setup_ms)
{
	int v;

	if(km_ms == NULL)
		return;
	v = vslot(r->vendor);
	series_inc(KEY(KM_K_CALL, v, KM_GW_NONE, r->tag, r->category, r->blame, 0));
	series_inc(KEY(KM_K_REPLY, v, KM_GW_NONE, 0, 0, 0, code_group(r->code)));
	hist_add(v, KM_H_PDD, pdd_ms);
	/* RFC 6076 4.3: to the first 18x of a call that rang, else to its
	 * final */
	hist_add(v, KM_H_SRD, pdd_ms >= 0 ? pdd_ms : setup_ms);
	hist_add(v, KM_H_SETUP, setup_ms);
}

/* The slot of gateway "host:port": the first 64 get one each, the rest
 * share "other". */
static int gw_slot(const char *gw, int len)
{
	int i, n;

	if(len <= 0 || len >= (int)sizeof(km_ms->gw[0]))
		return KM_GW_OTHER;
	n = __atomic_load_n(&km_ms->ngw, __ATOMIC_ACQUIRE);
	for(i = 0; i < n; i++)
		if(strncmp(km_ms->gw[i], gw, len) == 0 && km_ms->gw[i][len] == '\0')
			return i;
	lock_get(km_gw_lock);
	n = km_ms->ngw;
	for(i = 0; i < n; i++)
		if(strncmp(km_ms->gw[i], gw, len) == 0 && km_ms->gw[i][len] == '\0')
			break;
	if(i == n && n < KM_GATEWAYS) {
		memcpy(km_ms->gw[n], gw, len);
		km_ms->gw[n][len] = '\0';
		__atomic_store_n(&km_ms->ngw, n + 1, __ATOMIC_RELEASE);
	}
	lock_release(km_gw_lock);
	return i < KM_GATEWAYS ? i : KM_GW_OTHER;
}

void km_metrics_attempt(const sipoutcome_result_t *r, const char *gw, int len)
{
	int v, g;

	if(km_ms == NULL)
		return;
	v = vslot(r->vendor);
	g = gw_slot(gw, len);
	series_inc(KEY(KM_K_ATTEMPT, v, g, r->tag, 0, r->blame, 0));
	series_inc(KEY(KM_K_AREPLY, v, g, 0, 0, 0, code_group(r->code)));
}

/* ---- reading ---- */

typedef struct km_buf {
	char *p;
	int len;
	int cap;
	int err;
} km_buf_t;

static void bprintf(km_buf_t *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *np;

	if(b->err)
		return;
	for(;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if(n < 0) {
			b->err = 1;
			return;
		}
		if(b->len + n < b->cap) {
			b->len += n;
			return;
		}
		np = pkg_realloc(b->p, b->cap * 2 + n);
		if(np == NULL) {
			PKG_MEM_ERROR;
			b->err = 1;
			return;
		}
		b->p = np;
		b->cap = b->cap * 2 + n;
	}
}

static const char *gw_name(uint32_t g)
{
	return g < (uint32_t)KM_GATEWAYS ? km_ms->gw[g] : "other";
}

static void text_series(km_buf_t *b, int kind, const char *name,
		const char *help)
{
	uint32_t i, k;
	uint64_t n;

	bprintf(b, "# HELP kamailio_sipoutcome_%s %s\n", name, help);
	bprintf(b, "# TYPE kamailio_sipoutcome_%s counter\n", name);
	for(i = 0; i < KM_SERIES; i++) {
		k = __atomic_load_n(&km_ms->s[i].key, __ATOMIC_ACQUIRE);
		if(k == 0 || (int)K_KIND(k) != kind)
			continue;
		n = __atomic_load_n(&km_ms->s[i].n, __ATOMIC_RELAXED);
		bprintf(b, "kamailio_sipoutcome_%s{vendor=\"%s\"", name,
				km_vendor_slot_name(K_V(k)));
		if(kind == KM_K_ATTEMPT || kind == KM_K_AREPLY)
			bprintf(b, ",gateway=\"%s\"", gw_name(K_GW(k)));
		if(kind == KM_K_CALL || kind == KM_K_ATTEMPT)
			bprintf(b, ",tag=\"%s\"", sipoutcome_tag_name(K_TAG(k)));
		if(kind == KM_K_CALL)
			bprintf(b, ",category=\"%s\"",
					sipoutcome_category_name(K_CAT(k)));
		if(kind == KM_K_CALL || kind == KM_K_ATTEMPT)
			bprintf(b, ",blame=\"%s\"", sipoutcome_blame_name(K_BLAME(k)));
		if(kind == KM_K_REPLY || kind == KM_K_AREPLY)
			bprintf(b, ",code=\"%s\"",
					K_GRP(k) < KM_NGRP ? km_grp_names[K_GRP(k)] : "");
		bprintf(b, "} %llu\n", (unsigned long long)n);
	}
}

static void text_hist(km_buf_t *b, int which)
{
	const char *nm = km_hnames[which];
	uint64_t c, total;
	int v, nv = km_vendor_slots();
	size_t i;

	bprintf(b, "# HELP kamailio_sipoutcome_%s_seconds %s per vendor\n", nm,
			which == KM_H_PDD	  ? "post-dial delay (INVITE to first 18x)"
			: which == KM_H_SRD ? "session request delay (RFC 6076 4.3)"
								: "setup time (INVITE to the final)");
	bprintf(b, "# TYPE kamailio_sipoutcome_%s_seconds histogram\n", nm);
	for(v = 0; v < nv && v < KM_VSLOTS; v++) {
		km_hist_t *h = &km_ms->h[v][which];
		total = 0;
		for(i = 0; i <= KM_HB; i++)
			total += __atomic_load_n(&h->b[i], __ATOMIC_RELAXED);
		if(total == 0)
			continue;
		c = 0;
		for(i = 0; i <= KM_HB; i++) {
			c += __atomic_load_n(&h->b[i], __ATOMIC_RELAXED);
			if(i < KM_HB)
				bprintf(b,
						"kamailio_sipoutcome_%s_seconds_bucket{vendor=\"%s\","
						"le=\"%u.%03u\"} %llu\n",
						nm, km_vendor_slot_name(v), km_hb[i] / 1000,
						km_hb[i] % 1000, (unsigned long long)c);
			else
				bprintf(b,
						"kamailio_sipoutcome_%s_seconds_bucket{vendor=\"%s\","
						"le=\"+Inf\"} %llu\n",
						nm, km_vendor_slot_name(v), (unsigned long long)c);
		}
		c = __atomic_load_n(&h->sum_ms, __ATOMIC_RELAXED);
		bprintf(b, "kamailio_sipoutcome_%s_seconds_sum{vendor=\"%s\"} %llu.%03u\n",
				nm, km_vendor_slot_name(v), (unsigned long long)(c / 1000),
				(unsigned int)(c % 1000));
		bprintf(b, "kamailio_sipoutcome_%s_seconds_count{vendor=\"%s\"} %llu\n",
				nm, km_vendor_slot_name(v), (unsigned long long)total);
	}
}

int km_metrics_text(char **out, int *len)
{
	km_buf_t b;
	int i;

	*out = NULL;
	*len = 0;
	if(km_ms == NULL)
		return -1;
	b.cap = 16384;
	b.len = 0;
	b.err = 0;
	b.p = pkg_malloc(b.cap);
	if(b.p == NULL) {
		PKG_MEM_ERROR;
		return -1;
	}
	text_series(&b, KM_K_CALL, "calls_total",
			"calls by the profile's vendor, outcome tag, category, blame");
	text_series(&b, KM_K_REPLY, "replies_total",
			"finals sent to callers, in RFC 6076 code groups");
	text_series(&b, KM_K_ATTEMPT, "attempts_total",
			"attempts (branches ended) by vendor, gateway, tag, blame");
	text_series(&b, KM_K_AREPLY, "attempt_replies_total",
			"finals of attempts, in RFC 6076 code groups");
	for(i = 0; i < KM_H_N; i++)
		text_hist(&b, i);
	bprintf(&b, "# HELP kamailio_sipoutcome_series_dropped_total series the"
				" table had no room for\n"
				"# TYPE kamailio_sipoutcome_series_dropped_total counter\n"
				"kamailio_sipoutcome_series_dropped_total %llu\n",
			(unsigned long long)__atomic_load_n(
					&km_ms->dropped, __ATOMIC_RELAXED));
	if(b.err) {
		pkg_free(b.p);
		return -1;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

/* Sums for the KPIs of one vendor slot (v < 0: all). */
void km_metrics_kpi_sums(int v, km_kpi_sums_t *k)
{
	uint32_t i, key;
	uint64_t n;

	memset(k, 0, sizeof(*k));
	if(km_ms == NULL)
		return;
	for(i = 0; i < KM_SERIES; i++) {
		key = __atomic_load_n(&km_ms->s[i].key, __ATOMIC_ACQUIRE);
		if(key == 0 || (v >= 0 && (int)K_V(key) != v))
			continue;
		n = __atomic_load_n(&km_ms->s[i].n, __ATOMIC_RELAXED);
		if(K_KIND(key) == KM_K_CALL) {
			k->calls += n;
			if(K_TAG(key) == SIPOUTCOME_TAG_COMPLETED)
				k->answered += n;
			if(K_BLAME(key) == SIPOUTCOME_BLAME_NETWORK
					|| K_BLAME(key) == SIPOUTCOME_BLAME_PROXY)
				k->network += n;
		} else if(K_KIND(key) == KM_K_REPLY) {
			k->finals += n;
			switch(K_GRP(key)) {
				case 1:
					k->r2xx += n;
					break;
				case 2:
					k->r3xx += n;
					break;
				case 4: /* 480 */
				case 5: /* 486 */
				case 10: /* 600 */
				case 11: /* 603 */
					k->seer_other += n;
					break;
				case 3: /* 408 */
				case 7: /* 500 */
				case 8: /* 503 */
				case 9: /* 504 */
					k->isa += n;
					break;
			}
		}
	}
}

/* The q-quantile (0 < q < 1) of histogram which (0 pdd, 1 srd, 2 setup)
 * of vendor slot v (< 0: all), in ms: the upper bound of the bucket it
 * falls in (a bound, as Prometheus's histogram_quantile() without its
 * interpolation), -1 when the histogram is empty, -2 beyond 60 s. */
long km_metrics_quantile(int v, int which, double q)
{
	uint64_t b[KM_HB + 1], total = 0, c = 0;
	int s, nv = km_vendor_slots();
	size_t i;

	if(km_ms == NULL || which < 0 || which >= KM_H_N)
		return -1;
	memset(b, 0, sizeof(b));
	for(s = 0; s < nv && s < KM_VSLOTS; s++) {
		if(v >= 0 && s != v)
			continue;
		for(i = 0; i <= KM_HB; i++) {
			uint64_t n = __atomic_load_n(&km_ms->h[s][which].b[i],
					__ATOMIC_RELAXED);
			b[i] += n;
			total += n;
		}
	}
	if(total == 0)
		return -1;
	for(i = 0; i <= KM_HB; i++) {
		c += b[i];
		if((double)c >= q * (double)total)
			return i < KM_HB ? (long)km_hb[i] : -2;
	}
	return -2;
}
