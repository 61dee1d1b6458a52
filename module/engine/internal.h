/*
 * Engine internals shared by the engine sources. Not installed.
 */
#ifndef SIPOUTCOME_INTERNAL_H
#define SIPOUTCOME_INTERNAL_H

#include "sipoutcome.h"

/* Generated from data/codes.tsv by gen_codes.awk (codes_table.c). */
extern const sipoutcome_code_t sipoutcome_codes_table[];
extern const size_t sipoutcome_codes_count;
extern const int16_t sipoutcome_codes_index[600];

/* Generated from data/q850.tsv by gen_q850.awk (q850_table.c): indexed
 * by cause, rows of undefined causes are all zero. */
extern const sipoutcome_q850_t sipoutcome_q850_table[128];
extern const size_t sipoutcome_q850_count;

/* Generated from the data/profiles files by gen_embed.awk. */
typedef struct so_embedded {
	const char *name; /* file name, e.g. "okitoki.profile" */
	const char *text;
	size_t len;
} so_embedded_t;
extern const so_embedded_t sipoutcome_builtin_profiles[];
extern const size_t sipoutcome_builtin_profiles_count;

/* One profile rule: match keys (-1 / NULL = any) and the values it sets
 * (0 / NULL / -1 = leaves the field to lower precedence steps). */
typedef struct so_rule {
	int16_t code;	 /* 100..699 or -1 */
	int8_t klass;	 /* 1..6 or -1 */
	int8_t ringing;	 /* 0, 1 or -1 */
	int8_t canceled; /* 1: only after the caller's CANCEL, in the CANCEL
			    step; 0: never after it; -1 any */
	int16_t q850;	 /* 0..127 or -1 */
	uint16_t phrase_len;
	const char *phrase; /* case-insensitive substring, or NULL */
	sipoutcome_tag_t tag;
	sipoutcome_category_t category;
	sipoutcome_retry_t retry;
	sipoutcome_blame_t blame;
	const char *hint;
	const char *rewrite;
	int16_t set_cause; /* Q.850 cause the result reports when no cause
			      was received (the meaning's, RFC 3398
			      §8.2.6.1), -1: the code's */
	int line;  /* line in its file, for messages */
	int rank;  /* specificity, higher first */
} so_rule_t;

#define SO_PROFILE_NAME_MAX 32
#define SO_CODES_SPAN 600 /* codes 100..699 */
#define SO_SEG_CLASS SO_CODES_SPAN	   /* 6 segments, classes 1..6 */
#define SO_SEG_ANY (SO_SEG_CLASS + 6) /* rules naming no code, no class */
#define SO_SEGS (SO_SEG_ANY + 1)
/* Limits of one profile file (a clear error names the file and the
 * limit): bytes, and `match` rules. */
#define SO_PROFILE_FILE_MAX (1024 * 1024)
#define SO_PROFILE_RULES_MAX 10000

struct sipoutcome_profile {
	char name[SO_PROFILE_NAME_MAX];
	char source[160];
	const char *description;
	const struct sipoutcome_profile *parent;
	so_rule_t *rules; /* own rules, in file order */
	size_t nrules;
	/* The profile's own rules by what they match on, each segment in
	 * precedence order (most specific first, then file order): segment
	 * c - 100 holds the rules naming code c, SO_SEG_CLASS + k - 1 those
	 * naming class k and no code, SO_SEG_ANY the rest. Segment s is
	 * idx[seg[s] .. seg[s + 1]). Memory grows with the rules, never with
	 * rules x codes; inherited rules stay in the parent's index. */
	const so_rule_t **idx;
	uint32_t seg[SO_SEGS + 1];
	int builtin;
};

/* Rules that may apply to a code, own before inherited, in precedence
 * order: so_cand_init, then so_cand_next until NULL. No allocation. */
typedef struct so_cand {
	const struct sipoutcome_profile *q; /* profile walked now */
	const so_rule_t *const *s[3];		/* heads: code, class, any */
	const so_rule_t *const *e[3];
	int code;
} so_cand_t;
void so_cand_init(so_cand_t *c, const struct sipoutcome_profile *p, int code);
const so_rule_t *so_cand_next(so_cand_t *c);

/* Case-insensitive ASCII helpers. so_ieq is inline: the Reason header
 * parser calls it for every parameter name on the reply path. */
static inline int so_ieq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if(alen != blen)
		return 0;
	for(i = 0; i < alen; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
		/* equal, or the same letter in another case */
		if(x != y
				&& ((x | 0x20) != (y | 0x20)
						|| (unsigned char)((x | 0x20) - 'a') > 'z' - 'a'))
			return 0;
	}
	return 1;
}
int so_icontains(const char *hay, size_t hlen, const char *needle, size_t nlen);

#define SO_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* An enum value's name and its length (sipoutcome_names.c). The
 * so_*_name_n lookups return the entry of v, or of "-" when v is out of
 * range; never NULL; the entries are static, never freed. The log line
 * formatter uses them to copy the names without a strlen. */
typedef struct so_name {
	const char *s;
	size_t n; /* strlen(s) */
} so_name_t;
const so_name_t *so_tag_name_n(sipoutcome_tag_t v);
const so_name_t *so_category_name_n(sipoutcome_category_t v);
const so_name_t *so_retry_name_n(sipoutcome_retry_t v);
const so_name_t *so_blame_name_n(sipoutcome_blame_t v);

#endif
