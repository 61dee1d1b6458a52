/*
 * sipoutcome: classify final SIP responses into call outcomes.
 *
 * The engine is proxy-agnostic C: no Kamailio types, no global state that
 * changes after start-up, and no allocation on the classification path.
 * The Kamailio module (module/kamailio/km_mod.c) and the command-line tool
 * are thin adapters around it.
 *
 * Conventions used by every function below:
 * - Strings are (pointer, length) pairs and need not be NUL-terminated,
 *   unless a parameter says "NUL-terminated".
 * - Integer returns are 0 on success or a negative enum sipoutcome_err.
 * - Nothing returned by the engine is owned by the caller unless the
 *   function says so; static tables live as long as the program.
 *
 * Sources: RFC 3261 (response codes, §8.1.3.2 class fallback, §21),
 * the IANA "Response Codes" registry, RFC 3326/6432/8606/9366 (Reason
 * header), RFC 3398 §8.2.6.1 (SIP status to Q.850 cause).
 */
#ifndef SIPOUTCOME_H
#define SIPOUTCOME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Error codes: every function returning int uses these (0 is success). */
enum sipoutcome_err {
	SIPOUTCOME_OK = 0,
	SIPOUTCOME_EINVAL = -1,	 /**< NULL pointer or bad argument */
	SIPOUTCOME_ERANGE = -2,	 /**< status code outside 100..699 */
	SIPOUTCOME_ENOSPC = -3,	 /**< output buffer too small */
	SIPOUTCOME_ESYNTAX = -4, /**< input text does not parse */
	SIPOUTCOME_ENOMEM = -5,	 /**< allocation failed (loaders only) */
	SIPOUTCOME_ENOENT = -6,	 /**< named thing (profile, file) not found */
	SIPOUTCOME_EIO = -7,	 /**< a file could not be read */
};

/**
 * Text for an error code.
 * @param[in] err  a value of enum sipoutcome_err (any int is accepted)
 * @returns a static NUL-terminated string; "unknown error" for other values.
 */
const char *sipoutcome_strerror(int err);

/** The outcome tag: what happened to the call. */
typedef enum sipoutcome_tag {
	SIPOUTCOME_TAG_NONE = 0, /**< provisional: not an outcome */
	SIPOUTCOME_TAG_COMPLETED,
	SIPOUTCOME_TAG_BUSY,
	SIPOUTCOME_TAG_NO_ANSWER,
	SIPOUTCOME_TAG_CANCELED,
	SIPOUTCOME_TAG_FAILED,
	SIPOUTCOME_TAG_COUNT
} sipoutcome_tag_t;

/** Why: a finer category under the tag. Names are the lower-case words. */
typedef enum sipoutcome_category {
	SIPOUTCOME_CAT_NONE = 0,
	SIPOUTCOME_CAT_ANSWERED,
	SIPOUTCOME_CAT_REDIRECTED,
	SIPOUTCOME_CAT_BUSY,
	SIPOUTCOME_CAT_DECLINED,
	SIPOUTCOME_CAT_NO_ANSWER,
	SIPOUTCOME_CAT_UNAVAILABLE,
	SIPOUTCOME_CAT_CANCELED,
	SIPOUTCOME_CAT_TIMEOUT,
	SIPOUTCOME_CAT_NO_RESPONSE,
	SIPOUTCOME_CAT_INVALID_NUMBER,
	SIPOUTCOME_CAT_AUTH,
	SIPOUTCOME_CAT_FORBIDDEN,
	SIPOUTCOME_CAT_MEDIA,
	SIPOUTCOME_CAT_CONGESTION,
	SIPOUTCOME_CAT_SERVER_ERROR,
	SIPOUTCOME_CAT_UNWANTED,
	SIPOUTCOME_CAT_BLOCKED,
	SIPOUTCOME_CAT_BILLING,
	SIPOUTCOME_CAT_LINE_LIMIT,
	SIPOUTCOME_CAT_LOOP,
	SIPOUTCOME_CAT_PROTOCOL,
	SIPOUTCOME_CAT_IDENTITY,
	SIPOUTCOME_CAT_ANSWERED_ELSEWHERE, /**< the caller canceled because
					       another branch answered (CANCEL
					       Reason SIP;cause=200, RFC 3326
					       §3.1; Q.850 26) */
	SIPOUTCOME_CAT_UNREACHABLE, /**< the next hop or its network could not
					be reached (proxy send failure 477,
					unresolvable 478, bad URI 479; Q.850
					38, 39) */
	SIPOUTCOME_CAT_OTHER,
	SIPOUTCOME_CAT_COUNT
} sipoutcome_category_t;

/** Retry advice for the party that placed the call. */
typedef enum sipoutcome_retry {
	SIPOUTCOME_RETRY_NONE = 0, /**< provisional: no advice */
	SIPOUTCOME_RETRY_NO,	   /**< do not retry without a change */
	SIPOUTCOME_RETRY_ALTERNATE, /**< try another route or gateway now */
	SIPOUTCOME_RETRY_LATER,	   /**< same destination, later (Retry-After) */
	SIPOUTCOME_RETRY_COUNT
} sipoutcome_retry_t;

/** Which side caused the outcome. */
typedef enum sipoutcome_blame {
	SIPOUTCOME_BLAME_NONE = 0,
	SIPOUTCOME_BLAME_CALLER,
	SIPOUTCOME_BLAME_CALLEE,
	SIPOUTCOME_BLAME_NETWORK,
	SIPOUTCOME_BLAME_PROXY,
	SIPOUTCOME_BLAME_UNKNOWN,
	SIPOUTCOME_BLAME_COUNT
} sipoutcome_blame_t;

/** The Asterisk DIALSTATUS value the same call would give (app_dial.c). */
typedef enum sipoutcome_dialstatus {
	SIPOUTCOME_DIAL_NONE = 0,
	SIPOUTCOME_DIAL_ANSWER,
	SIPOUTCOME_DIAL_BUSY,
	SIPOUTCOME_DIAL_NOANSWER,
	SIPOUTCOME_DIAL_CANCEL,
	SIPOUTCOME_DIAL_CONGESTION,
	SIPOUTCOME_DIAL_CHANUNAVAIL,
	SIPOUTCOME_DIAL_COUNT
} sipoutcome_dialstatus_t;

/**
 * Names of the enum values above, as printed in logs and accepted in
 * profile files ("BUSY", "no_answer", "alternate", "callee", "NOANSWER").
 * @param[in] v  an enum value; out-of-range values give "-".
 * @returns a static NUL-terminated string; never NULL.
 */
const char *sipoutcome_tag_name(sipoutcome_tag_t v);
const char *sipoutcome_category_name(sipoutcome_category_t v);
const char *sipoutcome_retry_name(sipoutcome_retry_t v);
const char *sipoutcome_blame_name(sipoutcome_blame_t v);
const char *sipoutcome_dialstatus_name(sipoutcome_dialstatus_t v);

/**
 * Parse a name back to its enum value (case-insensitive, exact length).
 * @param[in]  s,len  the name, e.g. "NO_ANSWER" or "no_answer"
 * @param[out] out    the value, written only on success
 * @returns 0, SIPOUTCOME_EINVAL for NULL, SIPOUTCOME_ENOENT for an unknown
 *          name. "-" and "NONE" are not accepted.
 */
int sipoutcome_tag_parse(const char *s, size_t len, sipoutcome_tag_t *out);
int sipoutcome_category_parse(
		const char *s, size_t len, sipoutcome_category_t *out);
int sipoutcome_retry_parse(const char *s, size_t len, sipoutcome_retry_t *out);
int sipoutcome_blame_parse(const char *s, size_t len, sipoutcome_blame_t *out);

/**
 * One row of the response-code registry (data/codes.tsv, compiled in).
 * The tag..cause fields are the code's own default meaning (the "code
 * table" step of the precedence in sipoutcome_classify()).
 */
typedef struct sipoutcome_code {
	uint16_t code;		/**< 100..699 */
	uint8_t phrase_len;	/**< strlen(phrase) */
	uint8_t cause;		/**< Q.850 cause per RFC 3398 §8.2.6.1, 0 none */
	const char *phrase;	/**< canonical reason phrase (IANA) */
	const char *rfc;	/**< defining document, e.g. "RFC 3261" */
	const char *meaning;	/**< one sentence, our words */
	sipoutcome_tag_t tag;	/**< NONE for 1xx */
	sipoutcome_category_t category;
	sipoutcome_retry_t retry;
	sipoutcome_blame_t blame;
} sipoutcome_code_t;

/**
 * Look up a registered response code.
 * @param[in] code  any int
 * @returns the static registry row, or NULL when code is not registered
 *          with IANA (including every value outside 100..699). O(1).
 */
const sipoutcome_code_t *sipoutcome_code_lookup(int code);

/**
 * The registry row that governs a code: the code's own row if registered,
 * else the x00 of its class (RFC 3261 §8.1.3.2).
 * @param[in] code  any int
 * @returns a static row, or NULL when code is outside 100..699. O(1).
 */
const sipoutcome_code_t *sipoutcome_code_effective(int code);

/**
 * Iterate the registry in ascending code order.
 * @param[in] i  0-based index
 * @returns the i-th row, or NULL when i >= the number of registered codes.
 */
const sipoutcome_code_t *sipoutcome_code_at(size_t i);

/** Number of registered codes in the compiled-in table. */
size_t sipoutcome_code_count(void);

/* ---- Q.850 causes (data/q850.tsv, compiled in) ---- */

/**
 * One cause of ITU-T Q.850 Table 1 and the outcome it gives when it
 * decides (step 4 of sipoutcome_classify()). tag..blame are all NONE for a
 * cause that never decides (16, 21, 31, 127, the "unspecified" causes).
 */
typedef struct sipoutcome_q850 {
	uint8_t cause;		/**< 1..127 */
	uint8_t n_implied;	/**< entries used in implied_by */
	const char *klass;	/**< Q.850 class: "normal", "resource",
				     "service", "not_implemented",
				     "invalid_message", "protocol",
				     "interworking" */
	const char *meaning;	/**< one sentence, our words */
	sipoutcome_tag_t tag;
	sipoutcome_category_t category;
	sipoutcome_retry_t retry;
	sipoutcome_blame_t blame;
	uint16_t implied_by[8]; /**< status codes that already say as much */
} sipoutcome_q850_t;

/**
 * Look up a Q.850 cause.
 * @param[in] cause  any int
 * @returns the static row, or NULL when Q.850 Table 1 does not define the
 *          cause (0, unassigned values, anything outside 1..127). O(1).
 */
const sipoutcome_q850_t *sipoutcome_q850_lookup(int cause);

/**
 * Whether a Q.850 cause received with a status code decides the outcome
 * over the code: the cause has an outcome of its own, the code's
 * RFC 3398 §8.2.6.1 cause (data/codes.tsv) is another one, and the code is
 * not in the cause's implied_by list (data/q850.tsv). 480 + 17 gives 1;
 * 403 + 21, 486 + 17, 503 + 41 and 488 + 58 give 0.
 * @param[in] code   100..699 (others give 0)
 * @param[in] cause  0..127 (others give 0)
 * @returns 1 or 0. O(1), allocates nothing.
 */
int sipoutcome_q850_decides(int code, int cause);

/** Where a Q.850 cause was generated: RFC 8606 location= of the Reason
 * value (the ISUP/Q.850 location field). */
typedef enum sipoutcome_location {
	SIPOUTCOME_LOC_NONE = 0, /**< absent or not a known value */
	SIPOUTCOME_LOC_USER,	 /**< "U": the user's own equipment */
	SIPOUTCOME_LOC_NETWORK,	 /**< LPN LN TN RLN RPN INTL BI (also INT, PU,
				      PN): a network on the path */
} sipoutcome_location_t;

/**
 * Map an RFC 8606 location token (case-insensitive) to where it points.
 * @param[in] s,len  the token, e.g. "U" or "LN"; NULL gives NONE
 * @returns a sipoutcome_location_t; NONE for unknown tokens.
 */
sipoutcome_location_t sipoutcome_location_parse(const char *s, size_t len);

/* ---- Reason header (RFC 3326, RFC 6432, RFC 8606, RFC 9366) ---- */

/** What the engine keeps of one or more Reason header values. */
typedef struct sipoutcome_reason_hdr {
	int q850;	   /**< Q.850 cause 0..127, -1 when absent */
	int sip_cause;	   /**< SIP;cause= 100..699, -1 when absent */
	char location[8];  /**< RFC 8606 location of the Q.850 value, "" */
	const char *text;  /**< text= of the Q.850 value (else of SIP),
			      points into the parsed input, unquoted
			      bounds; NULL when absent */
	size_t text_len;
	unsigned int values; /**< reason-values seen (valid or not) */
	unsigned int bad;    /**< values that did not parse and were skipped */
} sipoutcome_reason_hdr_t;

/**
 * Initialise an empty Reason result (q850 = sip_cause = -1).
 * @param[out] r  the structure to clear; NULL is ignored.
 */
void sipoutcome_reason_hdr_init(sipoutcome_reason_hdr_t *r);

/**
 * Parse one Reason header body and merge it into r: a comma-separated
 * list of `protocol *(;param)` values, e.g. `Q.850 ;cause=16 ;text="x"`.
 * Spaces around ';', '=' and ',' are accepted. A value that does not parse
 * is skipped (counted in r->bad); the first valid Q.850 and the first
 * valid SIP value win. Unknown protocols are counted and ignored.
 * Call it once per Reason header field to merge several fields.
 * @param[in]     body,len  the header body (after "Reason:"), bounded by
 *                          len; at most 4096 bytes are examined. A quoted
 *                          text= that the 4096-byte limit cuts ends at the
 *                          limit (the value still counts), so a header of
 *                          any length is read one way: the cause of
 *                          `Q.850;cause=17;text="<5 KB>"` is 17.
 * @param[in,out] r         initialised with sipoutcome_reason_hdr_init();
 *                          r->text points into body afterwards
 * @returns 0 if at least one value parsed, SIPOUTCOME_ESYNTAX if none did,
 *          SIPOUTCOME_EINVAL on NULL. Never reads past body+len.
 */
int sipoutcome_reason_hdr_parse(
		const char *body, size_t len, sipoutcome_reason_hdr_t *r);

/**
 * The Q.850 cause of one Reason header body: exactly the q850 that
 * sipoutcome_reason_hdr_parse() gives for it in a fresh result (the first
 * valid Q.850 value's cause), found faster for the common
 * `Q.850;cause=N;text="..."` value. For the reply path, which needs
 * nothing else from the header.
 * @param[in] body,len  the header body (after "Reason:"); at most 4096
 *                      bytes are examined; NULL gives -1
 * @returns 0..127, or -1 when no valid Q.850 value is present. Reads
 *          nothing past body+len, allocates nothing. RFC 3326 §2.
 */
int sipoutcome_reason_q850(const char *body, size_t len);

/**
 * As sipoutcome_reason_q850(), and the RFC 8606 location= of the same
 * Q.850 value.
 * @param[in]  body,len  as sipoutcome_reason_q850()
 * @param[out] loc       where the cause was generated; NONE when the value
 *                       has no location= or there is no Q.850 value; may
 *                       be NULL
 * @returns 0..127, or -1 when no valid Q.850 value is present.
 */
int sipoutcome_reason_q850_loc(
		const char *body, size_t len, sipoutcome_location_t *loc);

/* ---- Reason-phrase checks and rewriting (RFC 3261 §25.1) ---- */

#define SIPOUTCOME_PHRASE_MAX 128 /**< longest phrase we ever emit, bytes */

/** Flags describing a received reason phrase. */
enum sipoutcome_phrase_flag {
	SIPOUTCOME_PH_EMPTY = 1u << 0,	   /**< zero length */
	SIPOUTCOME_PH_OVERLONG = 1u << 1,  /**< longer than PHRASE_MAX */
	SIPOUTCOME_PH_CTRL = 1u << 2,	   /**< CR, LF, NUL or other control */
	SIPOUTCOME_PH_BAD_UTF8 = 1u << 3,  /**< not valid UTF-8 */
	SIPOUTCOME_PH_NONSTANDARD = 1u << 4, /**< differs from the canonical
						 phrase (case-insensitive) */
};

/**
 * Check a received reason phrase against the code's canonical phrase.
 * @param[in] code          100..699 (others: no NONSTANDARD check)
 * @param[in] phrase,len    the phrase as received; NULL with len 0 is empty
 * @returns a mask of enum sipoutcome_phrase_flag; 0 means the phrase can
 *          be sent as it is. For unregistered codes any well-formed phrase
 *          is standard. Scans at most len bytes; O(len).
 */
unsigned int sipoutcome_phrase_check(int code, const char *phrase, size_t len);

/**
 * Write a phrase that is safe on the wire: at most
 * SIPOUTCOME_PHRASE_MAX bytes, no control bytes, valid UTF-8 cut at a
 * character boundary, no leading/trailing blanks. Control bytes and
 * invalid sequences become one space each; runs of spaces collapse.
 * @param[out] dst       buffer of cap bytes; always NUL-terminated when
 *                       cap > 0
 * @param[in]  cap       size of dst in bytes
 * @param[in]  src,len   the input phrase (any bytes)
 * @returns the length written (excluding the NUL), 0..min(cap-1, MAX).
 *          An input with nothing printable gives 0.
 */
size_t sipoutcome_phrase_sanitize(
		char *dst, size_t cap, const char *src, size_t len);

/** What an adapter does to the reason phrase of a final (its reason_mode
 * parameter): the same four modes in every proxy. */
struct sipoutcome_result; /* below, with sipoutcome_classify() */

typedef enum sipoutcome_reason_mode {
	SIPOUTCOME_RM_KEEP = 0,	  /**< repair only a phrase that breaks SIP */
	SIPOUTCOME_RM_NORMALIZE, /**< the code's canonical phrase when not standard */
	SIPOUTCOME_RM_ANNOTATE,	 /**< the phrase plus " [TAG/category]" */
	SIPOUTCOME_RM_REWRITE	 /**< the profile's rewrite= text, if any */
} sipoutcome_reason_mode_t;

/**
 * The phrase to send upstream for a reason mode (RFC 3261 §21 phrases,
 * §25.1 syntax): keep repairs a phrase with control bytes, bad UTF-8 or
 * over SIPOUTCOME_PHRASE_MAX bytes; normalize also replaces a
 * non-standard phrase of a registered code by its canonical one;
 * annotate appends " [TAG/category]" to the received phrase made safe;
 * rewrite uses the matching profile rule's text. A phrase with nothing
 * printable left becomes the code's canonical phrase.
 * @param[in]  mode      enum sipoutcome_reason_mode; another value: 0
 * @param[in]  r         the classification (r->phrase: canonical phrase)
 * @param[in]  rcvd,len  the phrase as received (any bytes; NULL with 0)
 * @param[out] buf       cap bytes, cap > SIPOUTCOME_PHRASE_MAX; NUL-ended
 * @returns the length written to buf, or 0 when the received phrase is
 *          to stay as it is (buf then unspecified). No allocation; the
 *          caller owns buf.
 */
int sipoutcome_phrase_for_mode(int mode, const struct sipoutcome_result *r,
		const char *rcvd, size_t len, char *buf, size_t cap);

/* ---- Profiles (vendor / carrier semantics) ---- */

/** An opaque set of loaded profiles. */
typedef struct sipoutcome_profiles sipoutcome_profiles_t;
/** One profile inside a set; valid as long as the set. */
typedef struct sipoutcome_profile sipoutcome_profile_t;

/** Where a loader found a problem. Caller-owned. */
typedef struct sipoutcome_error {
	char source[160]; /**< file name, or the name passed for a buffer */
	int line;	  /**< 1-based line, 0 when not about one line */
	char field[24];	  /**< the key or column at fault, "" when none */
	char text[160];	  /**< what is wrong, our words */
} sipoutcome_error_t;

/**
 * Format an error as "source:line: field: text" (parts left out when
 * empty).
 * @param[in]  e    the error
 * @param[out] dst  buffer of cap bytes, always NUL-terminated if cap > 0
 * @returns dst.
 */
const char *sipoutcome_error_format(
		const sipoutcome_error_t *e, char *dst, size_t cap);

/**
 * Create a profile set holding the built-in profiles (rfc, 8x8, okitoki,
 * cognigy; compiled in from data/profiles/ at build time).
 * @param[out] out  the new set; the caller frees it with
 *                  sipoutcome_profiles_free()
 * @param[out] err  filled on failure; may be NULL
 * @returns 0; SIPOUTCOME_EINVAL for a NULL out; SIPOUTCOME_ENOMEM;
 *          SIPOUTCOME_ESYNTAX if a built-in profile does not parse (a
 *          build defect, reported with its file and line).
 */
int sipoutcome_profiles_new(sipoutcome_profiles_t **out, sipoutcome_error_t *err);

/** Where a profile set keeps its memory: three functions with the
 * contract of malloc, realloc and free. Caller-owned; it must outlive
 * every set made with it. */
typedef struct sipoutcome_allocator {
	void *(*alloc)(size_t size);
	void *(*resize)(void *ptr, size_t size);
	void (*release)(void *ptr);
} sipoutcome_allocator_t;

/**
 * sipoutcome_profiles_new() with every byte of the set (the set, its
 * profiles, their rules, index and text; later loads too) taken from a,
 * e.g. memory shared by processes: one process loads a set, others read
 * it. Scratch memory of a load still comes from malloc and is freed
 * before the load returns. Nothing else changes.
 * @param[in] a  the allocator; NULL means malloc, realloc and free
 * @returns as sipoutcome_profiles_new().
 */
int sipoutcome_profiles_new_in(sipoutcome_profiles_t **out,
		const sipoutcome_allocator_t *a, sipoutcome_error_t *err);

/**
 * Parse one profile from text and add it to the set. The format is
 * described at the top of data/profiles/rfc.profile. The parent named by `inherits` (default rfc) must already be
 * in the set; a name already in the set is an error.
 * @param[in,out] set     the set
 * @param[in]     source  NUL-terminated name used in messages (file name)
 * @param[in]     buf,len the text; any bytes (NUL, control bytes and bad
 *                        UTF-8 are reported as errors, never read past len)
 * @param[out]    err     on failure: source, line, field and text; may be
 *                        NULL
 * @returns 0; SIPOUTCOME_ESYNTAX for a bad profile (set unchanged);
 *          SIPOUTCOME_ENOMEM; SIPOUTCOME_EINVAL for NULL arguments.
 */
int sipoutcome_profiles_load_buffer(sipoutcome_profiles_t *set,
		const char *source, const char *buf, size_t len,
		sipoutcome_error_t *err);

/**
 * Read a file (at most 1 MiB) and load it with
 * sipoutcome_profiles_load_buffer().
 * @param[in] path  NUL-terminated file name
 * @returns as load_buffer, plus SIPOUTCOME_EIO when the file cannot be read
 *          or is larger than 1 MiB.
 */
int sipoutcome_profiles_load_file(sipoutcome_profiles_t *set,
		const char *path, sipoutcome_error_t *err);

/**
 * Find a profile by name (case-sensitive).
 * @returns the profile (owned by the set) or NULL.
 */
const sipoutcome_profile_t *sipoutcome_profiles_find(
		const sipoutcome_profiles_t *set, const char *name, size_t len);

/** Number of profiles in the set, and the i-th in load order (or NULL). */
size_t sipoutcome_profiles_count(const sipoutcome_profiles_t *set);
const sipoutcome_profile_t *sipoutcome_profiles_at(
		const sipoutcome_profiles_t *set, size_t i);

/** A profile's name, description ("" if none), and parent's name ("" for
 * the root). Owned by the set. */
const char *sipoutcome_profile_name(const sipoutcome_profile_t *p);
const char *sipoutcome_profile_description(const sipoutcome_profile_t *p);
const char *sipoutcome_profile_parent(const sipoutcome_profile_t *p);

/**
 * Whether classifying `code` with profile p can depend on the reason
 * phrase: some rule of p or of a profile it inherits from that could
 * apply to `code` matches on a phrase substring. When it returns 0,
 * sipoutcome_classify() gives the same result for every phrase, so a
 * caller may remember results by code, context, cause and profile.
 * @param p     a profile, or NULL (the defaults: 0)
 * @param code  100..699; any other value gives 0
 * @returns 1 or 0. O(rules for code), allocates nothing.
 */
int sipoutcome_profile_reads_phrase(const sipoutcome_profile_t *p, int code);

/** Free a set and every profile in it; NULL is a no-op. Profiles and
 * results pointing into it become invalid. */
void sipoutcome_profiles_free(sipoutcome_profiles_t *set);

/** Result of classifying one final response. Plain data: copyable. */
typedef struct sipoutcome_result {
	int code;		  /**< the status code classified, 100..699 */
	int klass;		  /**< 1..6: code / 100 */
	sipoutcome_tag_t tag;
	sipoutcome_category_t category;
	sipoutcome_retry_t retry;
	sipoutcome_blame_t blame;
	sipoutcome_dialstatus_t dialstatus;
	int cause;		  /**< Q.850 cause for this result: the one
				       received, else per RFC 3398; 0 none */
	int registered;		  /**< 1 when code is IANA-registered */
	const char *phrase;	  /**< canonical phrase (x00's for unknown) */
	size_t phrase_len;
	const char *rfc;	  /**< defining document of the code row */
	const char *hint;	  /**< hint of the profile rule that applied,
				       NULL when no rule gave one */
	const char *meaning;	  /**< the code's meaning (x00's for unknown) */
	const char *rewrite;	  /**< phrase a profile rule gives for
				       rewrite mode, NULL when none */
	const char *vendor;	  /**< name of the profile used */
	const char *decided_by;	  /**< "context", "profile-cause",
				       "profile", "q850", "code", "class" */
} sipoutcome_result_t;

/** Call context flags for sipoutcome_input_t.flags. */
enum sipoutcome_ctx_flag {
	SIPOUTCOME_CTX_RINGING = 1u << 0,  /**< an 18x was received */
	SIPOUTCOME_CTX_CANCELED = 1u << 1, /**< the caller sent CANCEL */
	SIPOUTCOME_CTX_LOCAL = 1u << 2,	   /**< reply generated by the proxy */
	SIPOUTCOME_CTX_TIMEOUT = 1u << 3,  /**< a transaction timer fired */
	SIPOUTCOME_CTX_REPLIED = 1u << 4,  /**< the next hop sent any reply
					       (a 100 counts) */
	SIPOUTCOME_CTX_ELSEWHERE = 1u << 5, /**< the caller's CANCEL carried
						 Reason SIP;cause=200 "Call
						 completed elsewhere" (RFC
						 3326 §3.1) */
};

/** Everything classify looks at. Zero-initialise, then fill. */
typedef struct sipoutcome_input {
	int code;		/**< status code; 100..699 */
	const char *reason;	/**< received phrase, may be NULL */
	size_t reason_len;
	unsigned int flags;	/**< enum sipoutcome_ctx_flag */
	int q850;		/**< Q.850 cause from Reason, -1 none */
	const sipoutcome_profile_t *profile; /**< NULL: built-in defaults */
	sipoutcome_location_t location; /**< RFC 8606 location= of the
					     Q.850 value; NONE when absent */
	int cancel_q850;	/**< Q.850 cause of the Reason header of the
				     caller's CANCEL (FreeSWITCH, Asterisk send
				     one, RFC 3326), -1 none */
} sipoutcome_input_t;

/**
 * Set in->q850 = in->cancel_q850 = -1 and everything else to zero.
 * @param[out] in  NULL is ignored.
 */
void sipoutcome_input_init(sipoutcome_input_t *in);

/**
 * Classify one final (or provisional) response.
 *
 * Precedence, highest first (README.md "How an outcome is decided"):
 *  1. transaction context: 2xx is COMPLETED; a 487 (or the proxy's own
 *     timeout) after the caller's CANCEL is, in this order: what the
 *     CANCEL's Reason says (answered elsewhere: CANCELED/
 *     answered_elsewhere; a Q.850 cause with an outcome, such as 19: that
 *     outcome), what a profile rule with canceled=1 says, else CANCELED;
 *     a proxy timeout is NO_ANSWER after ringing and FAILED otherwise;
 *  2. a profile rule that matches the Q.850 cause;
 *  3. a profile rule that matches the code, class, ringing or phrase;
 *  4. the Q.850 cause's own meaning (data/q850.tsv), only when it says
 *     more than the code (sipoutcome_q850_decides()); after ringing a
 *     cause of category unavailable or timeout is NO_ANSWER;
 *  5. the code table (data/codes.tsv), with 408/480 after ringing
 *     NO_ANSWER and the SER-family proxies' own 477/478/479 FAILED/
 *     unreachable;
 *  6. the class (x00 of the class, RFC 3261 §8.1.3.2);
 *  7. RFC 8606 location=: U moves a callee/network/unknown blame to the
 *     callee, a network location to the network; a reply the proxy made
 *     itself (not a timer) is blamed on the proxy unless on the caller.
 * A 1xx gives tag NONE.
 *
 * @param[in]  in   the response and its context; in->reason is only read
 * @param[out] out  filled on success; its pointers reference static or
 *                  profile memory (valid while the profile set lives)
 * @returns 0; SIPOUTCOME_EINVAL for NULL arguments; SIPOUTCOME_ERANGE
 *          when in->code is outside 100..699 (out is then untouched).
 * O(1): no allocation, bounded work (rules are pre-indexed by code).
 */
int sipoutcome_classify(const sipoutcome_input_t *in, sipoutcome_result_t *out);

/**
 * The defined result for a final response whose status code SIP does not
 * allow (RFC 3261 §7.2: 100..699), such as the 999 some devices send and
 * Kamailio relays: FAILED, category protocol, retry alternate, blame
 * network, no canonical phrase, klass = code / 100 (so 9 for 999).
 * sipoutcome_classify() itself never guesses and returns ERANGE for such
 * a code; proxies that must still account for the reply use this.
 * @param[in]  code     the status code received (any int)
 * @param[in]  profile  the profile in use, NULL for rfc (only its name
 *                      is used)
 * @param[out] out      filled; phrase is "" and hint says why
 * @returns 0, or SIPOUTCOME_EINVAL when out is NULL.
 */
int sipoutcome_result_invalid(int code, const sipoutcome_profile_t *profile,
		sipoutcome_result_t *out);

/* ---- logfmt output ---- */

/** Extra values for the log line that classify does not know. */
typedef struct sipoutcome_logctx {
	const char *callid;	/**< Call-ID, may be NULL */
	size_t callid_len;
	const char *reason;	/**< phrase as received, may be NULL */
	size_t reason_len;
	int local;		/**< 1: reply generated by the proxy */
	int ringing;		/**< 1: an 18x was seen */
	int q850;		/**< received Q.850 cause, -1 none */
	int sent;		/**< the status code the caller got when the
				     proxy sent another one than the one
				     classified (Kamailio tm's remap_503_500
				     sends 500 for a 503), 100..699; 0 when
				     the caller got the classified code: the
				     key sent= is then left out */
	int in_dialog;		/**< 1: the response ends a request inside a
				     dialog (a re-INVITE), not a call: the
				     line ends with in_dialog=1; 0 leaves the
				     key out */
	unsigned int extra;	/**< SIPOUTCOME_LOGX_* bits: which keys below
				     are written (0: none, the line as before) */
	int attempts;		/**< LOGX_ATTEMPTS: branches the call had, >= 0 */
	int branch;		/**< LOGX_BRANCH: tm branch index 0..31 */
	const char *dst;	/**< LOGX_BRANCH: the branch's next hop, e.g.
				     "sip:192.0.2.1:5060"; may be NULL */
	size_t dst_len;
	long pdd_ms;		/**< LOGX_TIMING: post-dial delay, ms; -1 none */
	long setup_ms;		/**< LOGX_TIMING: setup time, ms; -1 none */
} sipoutcome_logctx_t;

/** Keys sipoutcome_logctx_t.extra adds at the end of the line, in this
 * order: attempts, then branch and dst, then pdd_ms and setup_ms. */
enum sipoutcome_logx {
	SIPOUTCOME_LOGX_ATTEMPTS = 1 << 0,
	SIPOUTCOME_LOGX_BRANCH = 1 << 1,
	SIPOUTCOME_LOGX_TIMING = 1 << 2
};

/**
 * Format the one-line logfmt record, e.g.
 * `tag=BUSY code=486 class=4xx category=busy retry=no blame=callee
 * source=remote ringing=0 callid=abc reason="Busy Here" vendor=rfc q850=
 * hint=`, then `sent=500` only when lc->sent is set and `in_dialog=1`
 * only when lc->in_dialog is.
 * Values with spaces, quotes, '=' or control bytes are double-quoted with
 * `\"` and `\\` escapes; control bytes become \xHH. Each value is cut at
 * 256 bytes. Keys may be added in later versions, never renamed.
 * @param[out] dst  buffer of cap bytes; NUL-terminated when cap > 0
 * @param[in]  cap  buffer size; 1024 always suffices
 * @returns the length written, or SIPOUTCOME_ENOSPC when the line was cut
 *          (dst then holds a truncated but NUL-terminated line),
 *          SIPOUTCOME_EINVAL for NULL arguments.
 */
int sipoutcome_format_logfmt(char *dst, size_t cap,
		const sipoutcome_result_t *r, const sipoutcome_logctx_t *lc);

/**
 * The same record as sipoutcome_format_logfmt(), same keys in the same
 * order, as one JSON object (RFC 8259) on one line, e.g.
 * `{"tag":"BUSY","code":486,...,"q850":null,"hint":null}`: code, ringing,
 * q850, attempts, branch, pdd_ms and setup_ms are numbers, an absent one
 * is null; strings are escaped per RFC 8259 section 7 (control bytes as
 * \u00XX, bytes that are not UTF-8 as \u00XX of their Latin-1 reading)
 * and cut at 256 bytes. Arguments, return and errors as
 * sipoutcome_format_logfmt(); 2048 bytes always suffice.
 */
int sipoutcome_format_json(char *dst, size_t cap,
		const sipoutcome_result_t *r, const sipoutcome_logctx_t *lc);

#ifdef __cplusplus
}
#endif
#endif /* SIPOUTCOME_H */
