/*
 * Shared declarations of the Kamailio adapter (module/so_*.c, sipoutcome_mod.c). The engine
 * (module/engine, include/sipoutcome.h) knows nothing of Kamailio.
 */
#ifndef SO_MOD_H
#define SO_MOD_H

#include "core/parser/msg_parser.h"
#include "core/pvar.h"
#include "core/rpc.h"
#include "core/str.h"
#include "modules/tm/tm_load.h"

#include "sipoutcome.h"

/* Module parameters (sipoutcome_mod.c). */
extern int so_auto;
extern unsigned int so_methods_mask;
extern int so_log_on;
extern int so_log_level;
extern int so_log_facility;
extern str so_outcome_header;
extern str so_event_callback;

/* reason_mode values */
enum so_reason_mode {
	SO_RM_KEEP = 0,
	SO_RM_NORMALIZE,
	SO_RM_ANNOTATE,
	SO_RM_REWRITE
};
extern int so_reason_mode;
int so_reason_mode_parse(const str *s);

/* track values: where the module starts tracking a transaction */
enum so_track_mode {
	SO_TRACK_ROUTE = 0, /* after the request route (post-script callback) */
	SO_TRACK_TM		   /* TMCB_REQUEST_IN: every transaction tm creates */
};
extern int so_track;

extern struct tm_binds so_tmb;
/* Profiles of this process; see so_profiles.c for reload across
 * processes. Call so_profiles_refresh() before using them. */
extern sipoutcome_profiles_t *so_profiles;
extern const sipoutcome_profile_t *so_default_profile;
int so_profiles_init(char **files, int nfiles, const char *default_vendor);
void so_profiles_refresh_slow(void);
extern volatile int *so_gen;	   /* reload generation, shared */
extern int so_local_gen;		   /* the one this process's set is of */
extern unsigned int so_profiles_gen; /* bumped when this process swaps sets */
/* Re-read the profiles when another process reloaded them: one load and
 * compare on the reply path. */
static inline void so_profiles_refresh(void)
{
	if(so_gen != NULL && __atomic_load_n(so_gen, __ATOMIC_ACQUIRE) != so_local_gen)
		so_profiles_refresh_slow();
}
int so_profiles_reload(char *errbuf, int errlen);
const sipoutcome_profile_t *so_profile_by_name(const char *name, int len);

/* Per-transaction state is one word: the param of the module's tm
 * callback (struct tm_callback.param, in shared memory, gone with the
 * transaction), so tracking a call allocates nothing. Bits change with
 * atomic operations: several processes handle replies of one call. */
typedef volatile uintptr_t so_tword_t;

#define SO_W_SET (1u << 0)	   /* the word is ours (never 0) */
#define SO_W_RINGING (1u << 1)	   /* an 18x was relayed */
#define SO_W_DONE (1u << 2)	   /* counted, logged, event route run */
#define SO_W_LOCAL_REPLY (1u << 3) /* we sent the timeout reply ourselves */
#define SO_W_VENDOR_SHIFT 8	   /* bits 8..15: so_vendor_id(), 0 default */
#define SO_W_VENDOR_MASK (0xffu << SO_W_VENDOR_SHIFT)

/* so_profiles.c: small ids for vendor names, the same in every process */
int so_vendor_id(const char *name, int len);
const char *so_vendor_name(int id);

/* What the script sees through $outcome(key): the last classification in
 * this process, while the message it was made for is being handled.
 * Fixed-size copies, no allocation. */
typedef struct so_current {
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
	int reason_len;
	int callid_len;
	char reason[256];
	char callid[256];
} so_current_t;

extern so_current_t so_cur;

/* The core numbers every message a process receives or builds (msg_no,
 * core/receive.c); a classification belongs to the message being handled
 * when it was made, so $outcome(...) never shows the previous call's
 * values. Cheaper than a pre-script callback on every message. */
extern unsigned int msg_no;
static inline int so_cur_valid(void)
{
	return so_cur.valid && so_cur.epoch == msg_no;
}

/* so_tm.c */
int so_tm_init(void);
int so_response_f(sip_msg_t *msg);
int so_classify_current(sip_msg_t *msg, int for_script);
int so_reason_apply(sip_msg_t *rpl, int mode, const sipoutcome_result_t *r,
		int add_header);
int so_vendor_set(sip_msg_t *msg, const str *name);
int so_event_route_init(void);

/* so_log.c: counters and the log line */
int so_counters_init(void);
/* one call into the counters: tag, class 2..6, the profile's name */
void so_count(sipoutcome_tag_t tag, int klass, const char *vendor);
void so_count_current(void);
void so_counters_rpc(rpc_t *rpc, void *th);
void so_log_current(void);
void so_fill_current(const sipoutcome_result_t *r, int local, int ringing,
		int canceled, int timeout, int branch, int q850, int retry_after,
		const str *reason, const str *callid);

/* so_rpc.c */
int so_rpc_init(void);

/* so_pv.c */
int so_pv_parse_name(pv_spec_t *sp, str *in);
int so_pv_get(sip_msg_t *msg, pv_param_t *param, pv_value_t *res);
int so_get_str(const str *key, str *out, int *ival, int *is_int);

#endif
