/*
 * Shared declarations of the Kamailio adapter (module/kamailio/km_*.c). The
 * engine (module/engine, include/sipoutcome.h) knows nothing of Kamailio;
 * module/README.md walks a reply through these files.
 */
#ifndef KM_MOD_H
#define KM_MOD_H

#include "core/parser/msg_parser.h"
#include "core/pvar.h"
#include "core/rpc.h"
#include "core/sr_module.h"
#include "core/str.h"
#include "modules/tm/h_table.h"
#include "modules/tm/tm_load.h"

#include "sipoutcome.h"

/* Module parameters (km_mod.c). */
extern int km_auto;
extern int km_in_dialog;
extern unsigned int km_methods_mask;
extern int km_log_on;
extern int km_log_level;
extern int km_log_facility;
extern str km_outcome_header;
extern str km_event_callback;
extern int km_attempts;	  /* modparam attempts: 1 publishes every attempt */
extern int km_log_json;	  /* modparam log_format: 1 json, 0 logfmt */

/* km_params.c: modparam setters that check their value (0, or -1 after
 * logging the parameter and the allowed values) */
int km_methods_set(modparam_t type, void *val);
int km_facility_set(modparam_t type, void *val);
int km_reason_mode_set(modparam_t type, void *val);
int km_track_set(modparam_t type, void *val);
int km_outcome_header_set(modparam_t type, void *val);
int km_log_format_set(modparam_t type, void *val);
int km_auto_set(modparam_t type, void *val);
int km_in_dialog_set(modparam_t type, void *val);
int km_log_set(modparam_t type, void *val);
int km_log_level_int(modparam_t type, void *val);
int km_log_level_str(modparam_t type, void *val);

/* reason_mode values */
enum km_reason_mode {
	KM_RM_KEEP = SIPOUTCOME_RM_KEEP,
	KM_RM_NORMALIZE = SIPOUTCOME_RM_NORMALIZE,
	KM_RM_ANNOTATE = SIPOUTCOME_RM_ANNOTATE,
	KM_RM_REWRITE = SIPOUTCOME_RM_REWRITE
};
extern int km_reason_mode;
int km_reason_mode_parse(const str *s);

/* track values: where the module starts tracking a transaction */
enum km_track_mode {
	KM_TRACK_ROUTE = 0, /* after the request route (post-script callback) */
	KM_TRACK_TM		   /* TMCB_REQUEST_IN: every transaction tm creates */
};
extern int km_track;

extern struct tm_binds km_tmb;
extern tm_xapi_t km_xtmb; /* tm's extra API: t_check_trans */
/* The profile set in use, in shared memory (km_profiles.c publishes a
 * reloaded one). Call km_profiles_refresh() before using it. */
extern sipoutcome_profiles_t *km_profiles;
extern const sipoutcome_profile_t *km_default_profile;
int km_profiles_init(char **files, int nfiles, const char *default_vendor);
void km_profiles_refresh_slow(void);
extern volatile int *km_gen;	   /* reload generation, shared */
extern int km_local_gen;		   /* the one this process's set is of */
extern unsigned int km_profiles_gen; /* bumped when this process swaps sets */
/* Take the set another process published: one load and compare on the
 * reply path; a pointer swap when it changed, never a file read. */
static inline void km_profiles_refresh(void)
{
	if(km_gen != NULL && __atomic_load_n(km_gen, __ATOMIC_ACQUIRE) != km_local_gen)
		km_profiles_refresh_slow();
}
/* RPC sipoutcome.reload: load and check the files in this process, then
 * publish the set to every process; 0, or -1 with the reason in errbuf */
int km_profiles_reload(char *errbuf, int errlen);

/* km_db.c: profiles from a database table (db_url, db_table).
 * km_db_init() at mod_init binds the DB module (0 also when db_url is
 * unset; -1 logged). km_db_fetch() reads the table into this process's
 * pending copy (0; -1 with the table and row id in errbuf). km_db_add()
 * adds the pending profiles to set, or the published ones when none is
 * pending (0; -1 with errbuf). km_db_publish() makes the pending copy the
 * one every process loads (after the whole set validated);
 * km_db_discard() drops it. */
extern str km_db_url;
extern str km_db_table;
int km_db_init(void);
int km_db_fetch(char *errbuf, int errlen);
int km_db_add(sipoutcome_profiles_t *set, char *errbuf, int errlen);
int km_db_publish(void);
void km_db_discard(void);
void km_profiles_free_all(void);
const sipoutcome_profile_t *km_profile_by_name(const char *name, int len);

/* Per-transaction state is one word: the param of the module's tm
 * callback (struct tm_callback.param, in shared memory, gone with the
 * transaction), so tracking a call allocates nothing. Bits change with
 * atomic operations: several processes handle replies of one call. */
typedef volatile uintptr_t km_tword_t;

#define KM_W_SET (1u << 0)	   /* the word is ours (never 0) */
#define KM_W_RINGING (1u << 1)	   /* an 18x was relayed */
#define KM_W_DONE (1u << 2)	   /* counted, logged, event route run */
#define KM_W_LOCAL_REPLY (1u << 3) /* we sent the timeout reply ourselves */
#define KM_W_CANCEL_SEEN (1u << 4) /* the caller's CANCEL was read */
#define KM_W_CANCEL_ELSEWHERE (1u << 5) /* its Reason: SIP;cause=200 */
#define KM_W_IN_DIALOG (1u << 6)   /* a re-INVITE (an INVITE with a To tag) */
#define KM_W_VENDOR_SHIFT 8	   /* bits 8..15: km_vendor_id(), 0 default */
#define KM_W_VENDOR_MASK (0xffu << KM_W_VENDOR_SHIFT)
#define KM_W_CANCEL_Q850_SHIFT 16 /* bits 16..23: its Q.850 cause + 1 */
#define KM_W_CANCEL_Q850_MASK (0xffu << KM_W_CANCEL_Q850_SHIFT)
/* Timing in the same word (64-bit only): bits 24..39 the post-dial delay
 * in ms plus 1 (0: no 18x yet; saturates at 65534 ms), bits 40..63 the
 * monotonic clock in ms (mod 2^24, 4.6 hours) when tracking started. */
#define KM_W_PDD_SHIFT 24
#define KM_W_PDD_MASK ((uintptr_t)0xffff << KM_W_PDD_SHIFT)
#define KM_W_START_SHIFT 40
#define KM_W_START_MASK 0xffffffu

/* With attempts = 1 the callback param points to this shm struct (freed
 * by tm with the transaction through the callback's release function);
 * the state word is its first member, so the word's users see no
 * difference. */
#define KM_MAX_ATTEMPTS 32 /* branches followed; tm allows at most 31 */
typedef struct km_tstate {
	km_tword_t w;
	volatile uint32_t done;			 /* bit b: branch b published */
	unsigned char bvendor[KM_MAX_ATTEMPTS]; /* vendor id + 1 per branch */
} km_tstate_t;

/* Monotonic clock, ms (mod 2^32). */
unsigned int km_now_ms(void);
/* The word's post-dial delay in ms, -1 when no 18x went upstream. */
static inline long km_tw_pdd(uintptr_t w)
{
	uintptr_t p = (w & KM_W_PDD_MASK) >> KM_W_PDD_SHIFT;
	return p ? (long)p - 1 : -1;
}
/* ms since tracking started, now = km_now_ms() */
static inline long km_tw_elapsed(uintptr_t w, unsigned int now)
{
	return (long)((now - (unsigned int)(w >> KM_W_START_SHIFT))
				  & KM_W_START_MASK);
}

/* Set bits of a state word; the bits before. */
static inline uintptr_t km_tw_set(km_tword_t *w, uintptr_t bits)
{
	return __atomic_fetch_or(w, bits, __ATOMIC_ACQ_REL);
}

/* The bits of a state word; 0 for NULL. */
static inline uintptr_t km_tw_get(km_tword_t *w)
{
	return w ? __atomic_load_n(w, __ATOMIC_ACQUIRE) : 0;
}

/* km_profiles.c: small ids for vendor names, the same in every process */
int km_vendor_id(const char *name, int len);
const char *km_vendor_name(int id);

/* What the script sees through $outcome(key): the last classification in
 * this process, while the message it was made for is being handled.
 * Fixed-size copies, no allocation. */
typedef struct km_current {
	int valid;
	unsigned int epoch; /* the core's msg_no when it was filled */
	sipoutcome_result_t r;
	int local;
	int ringing;
	int canceled;
	int timeout;
	int branch;
	int q850;
	int retry_after;
	int sent; /* code sent when tm sent another one (remap_503_500), 0 */
	int in_dialog; /* the transaction is a request inside a dialog */
	int reason_len;
	int callid_len;
	int attempts;  /* branches of the call (a call's outcome) */
	int attempt;   /* 1: this is one attempt's outcome */
	long pdd_ms;   /* -1 none */
	long setup_ms; /* -1 none */
	int dst_len;
	char reason[256];
	char callid[256];
	char dst[80];  /* an attempt's next hop, "sip:host:port" */
} km_current_t;

extern km_current_t km_cur;

/* The core numbers every message a process receives or builds (msg_no,
 * core/receive.c); a classification belongs to the message being handled
 * when it was made, so $outcome(...) never shows the previous call's
 * values. Cheaper than a pre-script callback on every message. */
extern unsigned int msg_no;
static inline int km_cur_valid(void)
{
	return km_cur.valid && km_cur.epoch == msg_no;
}

/* km_track.c: tracking a transaction (tm callbacks, the state word) */
int km_tm_init(void);
/* the state word of transaction t when the module tracks it, else NULL */
km_tword_t *km_tword_get(struct cell *t);
int km_vendor_set(sip_msg_t *msg, const str *name);
/* tm's reply lock (looked up in tm.so), for reading a transaction's
 * replies outside tm's callbacks */
extern void (*km_lock_replies)(struct cell *t);
extern void (*km_unlock_replies)(struct cell *t);

/* km_headers.c: Reason and Retry-After of a reply, without a full parse,
 * into c (km_call.c):
 * q850: the first Q.850 cause 0..127 over all Reason fields, -1 when none;
 * q850_loc: its RFC 8606 location= (SIPOUTCOME_LOC_*);
 * retry_after: delta-seconds 0..999999999, -1 when absent or bad. */
struct km_call;
void km_reply_headers(sip_msg_t *rpl, struct km_call *c);
void km_buf_headers(const str *buf, struct km_call *c);
/* the phrase of a status line in a raw buffer ("SIP/2.0 408 Request
 * Timeout\r\n": "Request Timeout"); {NULL, 0} when too short */
void km_status_line_phrase(const str *buf, str *reason);

/* km_call.c: the call's outcome from a transaction */
/* What is known of the final a call ended with: filled by the reply
 * path (km_call.c) or the script (km_classify_current), read by
 * km_call_classify. reason points into a reply buffer or a static
 * string, valid while the reply is being handled. */
typedef struct km_call {
	int code;	 /* status code sent or received, 100..699 */
	str reason;	 /* its reason phrase as received */
	int local;	 /* the proxy made this reply */
	int timeout; /* a branch's timer fired */
	int replied; /* the next hop sent some reply (a 100 counts) */
	int branch;	 /* the branch the reply came from, -1 when none */
	int q850;	 /* Q.850 cause of its Reason header, -1 when none */
	sipoutcome_location_t q850_loc; /* its RFC 8606 location= */
	int retry_after; /* Retry-After seconds, -1 when none */
	int sent;	 /* the code tm sent instead of code (remap_503_500),
			    0 when the caller got code itself */
} km_call_t;
/* A final that no branch's reply explains (the proxy's own): c->branch
 * -1, c->timeout when any branch's timer fired, c->replied when the next
 * hop sent any reply on any branch (a 100 counts; the engine's
 * SIPOUTCOME_CTX_REPLIED splits timeout from no_response). The reply
 * path and the outcome header on tm's timeout reply both use it, so
 * they agree. */
void km_call_all_branches(struct cell *t, km_call_t *c);
int km_call_classify(struct cell *t, km_tword_t *st, km_call_t *c,
		sip_msg_t *msg, sipoutcome_result_t *r, int fill);
/* TMCB_RESPONSE_SENT of a final: classify once, count, log, event route */
void km_call_final(struct cell *t, km_tword_t *st, struct tmcb_params *ps);
int km_classify_current(sip_msg_t *msg, int for_script);

/* km_cancel.c: TMCB_E2ECANCEL_IN, the Reason header of the caller's
 * CANCEL into the state word; the Q.850 cause kept there, -1 none */
void km_cancel_in(struct cell *t, km_tword_t *st, struct tmcb_params *ps);
int km_cancel_q850(uintptr_t w);

/* km_edit.c: reply edits (reason phrase, outcome header) */
/* which edits apply in the reply path; the tm callback types they need */
int km_edit_init(void);
int km_response_f(sip_msg_t *msg);
int km_reason_apply(sip_msg_t *rpl, int mode, const sipoutcome_result_t *r,
		int add_header);
/* TMCB_RESPONSE_IN: the reply's own outcome on it before tm relays it */
void km_edit_reply_in(struct cell *t, km_tword_t *st, struct tmcb_params *ps);
/* TMCB_ON_FAILURE: the proxy's own timeout reply, sent by the module */
void km_edit_local_timeout(
		struct cell *t, km_tword_t *st, struct tmcb_params *ps);

/* km_publish.c: counters, the log line, the event route */
int km_counters_init(void);
/* one call into the counters: tag, class 2..6, the profile's name */
void km_count(sipoutcome_tag_t tag, int klass, const char *vendor);
void km_count_current(void);
void km_counters_rpc(rpc_t *rpc, void *th);
void km_log_current(void);
void km_fill_current(const sipoutcome_result_t *r, int local, int ringing,
		int canceled, int timeout, int branch, int q850, int retry_after,
		const str *reason, const str *callid);
int km_event_route_init(void);
/* 1 when something reads the current outcome (log line printed, event
 * route or KEMI callback), else 0: then the reply path only counts */
int km_publish_wanted(void);
void km_event_route_run(str *send_buf);
/* the log line of the current outcome with a marker of mlen bytes
 * ("sipoutcome" or "sipoutcome-attempt", 1..32; KM_LOG_MARKER gives
 * both arguments of a literal) */
void km_log_current_as(const char *marker, size_t mlen);
#define KM_LOG_MARKER(s) (s), (sizeof(s) - 1)
/* event_route[sipoutcome:attempt] (or the KEMI event_callback with that
 * event name) for the current outcome, on a faked request */
void km_attempt_route_run(void);
int km_attempt_route_wanted(void);

/* km_attempt.c: every branch that ends is an attempt */
/* the tm callback param for a new transaction's state word w: w itself,
 * or (attempts = 1) a new km_tstate_t; *rel: its release function.
 * NULL on out of memory. */
void *km_tstate_new(uintptr_t w, void (**rel)(void *));
/* the vendor id (0 default) in force for branch b of a call */
int km_branch_vendor(km_tword_t *st, int b);
/* sipoutcome_vendor() in a branch_route: the vendor of branch b */
void km_branch_vendor_set(km_tword_t *st, int b, int id);
/* TMCB_RESPONSE_IN of a final reply on the current branch */
void km_attempt_reply_in(struct cell *t, km_tword_t *st, struct tmcb_params *ps);
/* publish every ended branch not yet published; all: also those still
 * open (the call's final is going out) */
void km_attempt_sweep(struct cell *t, km_tword_t *st, int all);

/* km_metrics.c: labeled counters and histograms (modparam metrics) */
extern int km_metrics;
int km_metrics_init(void);
/* one call: its outcome, post-dial delay and setup time in ms (-1 none) */
void km_metrics_call(const sipoutcome_result_t *r, long pdd_ms, long setup_ms);
/* one attempt: its outcome and gateway "host:port" */
void km_metrics_attempt(const sipoutcome_result_t *r, const char *gw, int len);
/* the Prometheus text (format 0.0.4) into a new pkg buffer the caller
 * frees; 0, or -1 (metrics off, out of memory) */
int km_metrics_text(char **out, int *len);
typedef struct km_kpi_sums {
	unsigned long long calls, answered, network; /* calls_total */
	unsigned long long finals, r2xx, r3xx, seer_other, isa; /* replies */
} km_kpi_sums_t;
void km_metrics_kpi_sums(int vslot, km_kpi_sums_t *k);
/* km_kpi.c: sipoutcome_metrics() (xhttp), RPC metrics and kpi */
int km_metrics_reply(sip_msg_t *msg);
int km_kpi_rpc_init(void);
/* km_publish.c: the counter slot of a vendor name (the last: "other") */
int km_vendor_slot(const char *vendor);
const char *km_vendor_slot_name(int slot);
int km_vendor_slots(void);

/* km_remap.c: tm's remap_503_500. km_remap_note: a final 503 (called by
 * km_response_f, before tm); km_remap_take: when tm sent a 500 for
 * branch b whose last reply was that 503 in the message being handled,
 * c gets the 503's code, phrase, Reason cause and Retry-After and
 * c->sent = 500; 1 then, else 0 (c unchanged). */
void km_remap_note(sip_msg_t *rpl);
int km_remap_take(struct cell *t, int b, km_call_t *c);

/* km_rpc.c */
int km_rpc_init(void);

/* km_pv.c */
int km_pv_parse_name(pv_spec_t *sp, str *in);
int km_pv_get(sip_msg_t *msg, pv_param_t *param, pv_value_t *res);
int km_get_str(const str *key, str *out, int *ival, int *is_int);

#endif
