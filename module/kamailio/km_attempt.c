/*
 * Attempts: every branch of a tracked call that ends (its final reply,
 * its timeout, or the call ending while it was still open) is one
 * attempt, classified by the engine with the profile in force for that
 * branch, logged as a `sipoutcome-attempt:` line and run through
 * event_route[sipoutcome:attempt]. Only with modparam attempts = 1: then
 * the state of a transaction is a small shm struct (km_tstate_t) instead
 * of the one word, so that each branch is published exactly once.
 *
 * tm facts relied on (Kamailio 5.6 modules/tm): TMCB_RESPONSE_IN runs for
 * every reply tm matched to a branch, with the branch index current
 * (t_lookup.c t_reply_matching, set_t); a branch whose timer fired has
 * F_RB_TIMEOUT and tm's own 408 in last_received (timer.c fake_reply);
 * TMCB_ON_FAILURE runs before the failure_route, when every branch has a
 * final (t_reply.c run_failure_handlers); uac[b].request.dst is the
 * address the branch was sent to; the release function of a callback is
 * called with its param when tm frees the transaction (t_hooks.c).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/dprint.h"
#include "core/error.h"
#include "core/ip_addr.h"
#include "core/mem/shm_mem.h"
#include "core/parser/parse_cseq.h"

#include "km_mod.h"

int km_attempts = 0;

unsigned int km_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned int)((unsigned long)ts.tv_sec * 1000u
						  + (unsigned long)ts.tv_nsec / 1000000u);
}

static void km_tstate_release(void *p)
{
	shm_free(p);
}

void *km_tstate_new(uintptr_t w, void (**rel)(void *))
{
	km_tstate_t *ts;

	*rel = NULL;
	if(!km_attempts)
		return (void *)w;
	ts = shm_malloc(sizeof(*ts));
	if(ts == NULL) {
		SHM_MEM_ERROR;
		return NULL;
	}
	memset(ts, 0, sizeof(*ts));
	ts->w = w;
	*rel = km_tstate_release;
	return ts;
}

int km_branch_vendor(km_tword_t *st, int b)
{
	km_tstate_t *ts = (km_tstate_t *)st;
	int v;

	if(km_attempts && st != NULL && b >= 0 && b < KM_MAX_ATTEMPTS) {
		v = __atomic_load_n(&ts->bvendor[b], __ATOMIC_RELAXED);
		if(v > 0)
			return v - 1;
	}
	return (int)((km_tw_get(st) & KM_W_VENDOR_MASK) >> KM_W_VENDOR_SHIFT);
}

void km_branch_vendor_set(km_tword_t *st, int b, int id)
{
	km_tstate_t *ts = (km_tstate_t *)st;

	if(km_attempts && st != NULL && b >= 0 && b < KM_MAX_ATTEMPTS)
		__atomic_store_n(&ts->bvendor[b], (unsigned char)(id + 1),
				__ATOMIC_RELAXED);
}

/* "sip:host:port" of the address branch b was sent to, into km_cur.dst */
static void attempt_dst(struct cell *t, int b)
{
	struct ip_addr ip;
	union sockaddr_union *su = &t->uac[b].request.dst.to;
	int n;

	km_cur.dst_len = 0;
	if(su->s.sa_family != AF_INET && su->s.sa_family != AF_INET6)
		return;
	su2ip_addr(&ip, su);
	n = snprintf(km_cur.dst, sizeof(km_cur.dst),
			ip.af == AF_INET6 ? "sip:[%s]:%u" : "sip:%s:%u", ip_addr2a(&ip),
			(unsigned int)su_getport(su));
	if(n > 0 && n < (int)sizeof(km_cur.dst))
		km_cur.dst_len = n;
}

/* Classify branch c->branch as one attempt and publish it, once. The
 * current outcome the script may be reading is kept. */
static void attempt_publish(struct cell *t, km_tword_t *st, km_call_t *c,
		sip_msg_t *rpl)
{
	static km_current_t saved;
	km_tstate_t *ts = (km_tstate_t *)st;
	sipoutcome_result_t r;
	uint32_t bit = 1u << c->branch;

	if(__atomic_fetch_or(&ts->done, bit, __ATOMIC_ACQ_REL) & bit)
		return;
	/* the profile in force now is the branch's for good */
	km_branch_vendor_set(st, c->branch, km_branch_vendor(st, c->branch));
	if(!km_publish_wanted() && !km_attempt_route_wanted() && !km_metrics)
		return;
	saved = km_cur;
	if(km_call_classify(t, st, c, rpl, &r, 1) == 0) {
		km_cur.attempt = 1;
		attempt_dst(t, c->branch);
		if(km_cur.dst_len > 4) /* the gateway: dst without "sip:" */
			km_metrics_attempt(&r, km_cur.dst + 4, km_cur.dst_len - 4);
		km_log_current_as(KM_LOG_MARKER("sipoutcome-attempt"));
		km_attempt_route_run();
	}
	km_cur = saved;
}

void km_attempt_reply_in(
		struct cell *t, km_tword_t *st, struct tmcb_params *ps)
{
	sip_msg_t *rpl = ps->rpl;
	km_call_t c;

	if(!km_attempts || ps->code < 200 || rpl == NULL || rpl == FAKED_REPLY)
		return;
	/* the 200 answering tm's own CANCEL ends no attempt */
	if(rpl->cseq == NULL && parse_headers(rpl, HDR_CSEQ_F, 0) < 0)
		return;
	if(rpl->cseq == NULL || get_cseq(rpl)->method_id == METHOD_CANCEL)
		return;
	memset(&c, 0, sizeof(c));
	c.branch = km_tmb.t_gett_branch();
	if(c.branch < 0 || c.branch >= t->nr_of_outgoings
			|| c.branch >= KM_MAX_ATTEMPTS)
		return;
	c.code = ps->code;
	c.reason = rpl->first_line.u.reply.reason;
	c.replied = 1;
	c.q850 = -1;
	c.retry_after = -1;
	if(c.code >= 300)
		km_reply_headers(rpl, &c);
	attempt_publish(t, st, &c, rpl);
}

/* Branch b ended without its reply at hand: what is known of it into c;
 * 0, or -1 while it is still open (and all is 0). */
static int attempt_ended(struct cell *t, int b, int all, km_call_t *c)
{
	int lr = t->uac[b].last_received;
	sip_msg_t *rpl = t->uac[b].reply;

	memset(c, 0, sizeof(*c));
	c->branch = b;
	c->q850 = -1;
	c->retry_after = -1;
	c->timeout = (t->uac[b].request.flags & F_RB_TIMEOUT) != 0;
	c->replied = (t->uac[b].request.flags & (F_RB_REPLIED | F_RB_FR_INV)) != 0;
	if(lr >= 200 && !c->timeout) {
		/* a final received before tracking started, or a stored one */
		c->code = lr;
		if(rpl != NULL && rpl != FAKED_REPLY) {
			c->reason = rpl->first_line.u.reply.reason;
			km_reply_headers(rpl, c);
		}
	} else if(c->timeout) {
		c->code = 408; /* tm's own timeout reply for the branch */
		c->local = 1;
	} else if(all) {
		/* still open when the call's final went out: tm cancels it */
		c->code = 487;
		c->local = 1;
	} else {
		return -1;
	}
	if(c->reason.s == NULL) {
		c->reason.s = error_text(c->code);
		c->reason.len = strlen(c->reason.s);
	}
	return 0;
}

void km_attempt_sweep(struct cell *t, km_tword_t *st, int all)
{
	km_tstate_t *ts = (km_tstate_t *)st;
	km_call_t c;
	uint32_t done;
	int b, n;

	if(!km_attempts || st == NULL || t == NULL || t == T_UNDEFINED)
		return;
	n = t->nr_of_outgoings < KM_MAX_ATTEMPTS ? t->nr_of_outgoings
											 : KM_MAX_ATTEMPTS;
	done = __atomic_load_n(&ts->done, __ATOMIC_ACQUIRE);
	for(b = 0; b < n; b++) {
		if(done & (1u << b))
			continue;
		if(attempt_ended(t, b, all, &c) == 0)
			attempt_publish(t, st, &c, NULL);
	}
}
