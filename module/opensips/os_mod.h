/*
 * Shared declarations of the OpenSIPS adapter (module/opensips/os_*.c).
 * The engine (module/engine, include/sipoutcome.h) knows nothing of
 * OpenSIPS; every OpenSIPS type stays in these files.
 */
#ifndef OS_MOD_H
#define OS_MOD_H

#include <stdint.h>

#include "../../parser/msg_parser.h"
#include "../../mi/mi.h"
#include "../../pvar.h"
#include "../../statistics.h"
#include "../../str.h"
#include "../tm/tm_load.h"

#include "sipoutcome.h"

/* Module parameters (os_mod.c); defaults as in the Kamailio adapter. */
extern int os_auto;
extern unsigned int os_methods_mask;
extern int os_log_on;
extern int os_log_level;
extern int os_log_facility;
extern str os_outcome_header;

/* reason_mode values (the same words as the Kamailio adapter) */
enum os_reason_mode {
	OS_RM_KEEP = SIPOUTCOME_RM_KEEP,
	OS_RM_NORMALIZE = SIPOUTCOME_RM_NORMALIZE,
	OS_RM_ANNOTATE = SIPOUTCOME_RM_ANNOTATE,
	OS_RM_REWRITE = SIPOUTCOME_RM_REWRITE
};
extern int os_reason_mode;
int os_reason_mode_parse(const str *s);

/* track values: where the module starts tracking a transaction */
enum os_track_mode {
	OS_TRACK_ROUTE = 0, /* after the request route (post-script callback) */
	OS_TRACK_TM	    /* TMCB_REQUEST_IN: every transaction tm creates */
};
extern int os_track;

extern struct tm_binds os_tmb;

/* os_profiles.c: each process holds its own parsed set; a reload bumps a
 * generation number in shared memory and the other processes re-read the
 * files at their next classification (see the comment there). */
extern sipoutcome_profiles_t *os_profiles;
extern const sipoutcome_profile_t *os_default_profile;
extern volatile int *os_gen;
extern int os_local_gen;
extern unsigned int os_profiles_gen;
int os_profiles_init(char **files, int nfiles, const char *default_vendor);
void os_profiles_refresh_slow(void);
static inline void os_profiles_refresh(void)
{
	if (os_gen != NULL && __atomic_load_n(os_gen, __ATOMIC_ACQUIRE) != os_local_gen)
		os_profiles_refresh_slow();
}
int os_profiles_reload(char *errbuf, int errlen);
const sipoutcome_profile_t *os_profile_by_name(const char *name, int len);
int os_vendor_id(const char *name, int len);
const char *os_vendor_name(int id);

/* Per-transaction state is one word, the param of the module's tm
 * callback (in shared memory, freed with the transaction): bits change
 * with atomic operations, as several processes handle one call. */
typedef volatile uintptr_t os_tword_t;

#define OS_W_SET (1u << 0)	   /* the word is ours (never 0) */
#define OS_W_RINGING (1u << 1)	   /* an 18x went upstream */
#define OS_W_DONE (1u << 2)	   /* counted, logged, event raised */
#define OS_W_LOCAL_REPLY (1u << 3) /* we sent the timeout reply ourselves */
#define OS_W_VENDOR_SHIFT 8	   /* bits 8..15: os_vendor_id(), 0 default */
#define OS_W_VENDOR_MASK (0xffu << OS_W_VENDOR_SHIFT)

/* What the script sees through $outcome(key): the last classification in
 * this process, while the message it was made for is being handled
 * (msg_id and the process: OpenSIPS numbers messages per process). */
typedef struct os_current {
	int valid;
	unsigned int msg_id;
	sipoutcome_result_t r;
	int local;
	int ringing;
	int canceled;
	int timeout;
	int branch;
	int q850;
	int retry_after;
	int sent; /* code sent when tm sent another one (503 as 500), 0 */
	int reason_len;
	int callid_len;
	char reason[256];
	char callid[256];
} os_current_t;

extern os_current_t os_cur;
int os_cur_valid(const struct sip_msg *msg);

/* os_tm.c: tracking and the outcome of a transaction */
int os_tm_init(void);
int os_classify_current(struct sip_msg *msg, int for_script);
int os_vendor_set(struct sip_msg *msg, const str *name);

/* os_headers.c: a reply as bytes (raw header block, status line) */
void os_buf_headers(const char *buf, int len, int *q850, int *retry_after);
void os_phrase_of_buf(const str *buf, str *reason);
int os_sent_code(const str *sent, int code);

/* os_reply.c: reason phrase and outcome header on a reply; os_response_f
 * applies os_rf_mode (keep or normalize, -1: off; set by os_tm_init) */
extern int os_rf_mode;
int os_response_f(struct sip_msg *msg);
int os_reason_apply(struct sip_msg *rpl, int mode,
		const sipoutcome_result_t *r, int add_header);
int os_choose_phrase(int mode, const sipoutcome_result_t *r, const str *rcvd,
		char *buf, size_t cap);
int os_outcome_header_fmt(const sipoutcome_result_t *r, char *buf, int cap);

/* os_publish.c: statistics, the log line, the event */
int os_stats_init(void);
void os_count(sipoutcome_tag_t tag, int klass, const char *vendor);
void os_count_current(void);
void os_fill_current(struct sip_msg *msg, const sipoutcome_result_t *r,
		int local, int ringing, int canceled, int timeout, int branch,
		int q850, int retry_after, const str *reason, const str *callid);
void os_log_current(void);
int os_event_init(void);
int os_event_wanted(void);
void os_event_raise(void);
extern stat_export_t os_stats[];
int os_stats_mi(mi_item_t *obj);

/* os_pv.c: the keys of $outcome and of the event's parameters */
int os_key_count(void);
const str_const *os_key_name(int k);
void os_key_value(int k, str *out, int *ival, int *is_int);
int os_pv_parse_name(pv_spec_p sp, const str *in);
int os_pv_get(struct sip_msg *msg, pv_param_t *param, pv_value_t *res);

/* os_mi.c */
extern const mi_export_t os_mi_cmds[];

#endif
