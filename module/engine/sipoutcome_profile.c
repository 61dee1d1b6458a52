/*
 * Profiles: line-based vendor/carrier rules (format: the header comment of
 * data/profiles/rfc.profile).
 *
 *   profile NAME
 *   inherits PARENT            (optional; default rfc, none for rfc)
 *   description "TEXT"         (optional)
 *   match KEY=VALUE... set KEY=VALUE...
 *
 * Loading happens at start-up or on reload, never on the reply path; a
 * set allocates with malloc, or with the allocator it was made with.
 * Classification only walks the pre-built
 * per-code candidate lists.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

#define PROFILE_FILE_MAX SO_PROFILE_FILE_MAX
#define HINT_MAX 240
#define SO_MAX_DEPTH 64 /* profiles in one inheritance chain */

struct sipoutcome_profiles {
	sipoutcome_profile_t **v;
	size_t n;
	size_t cap;
	const sipoutcome_allocator_t *a; /* everything the set owns */
};

static const sipoutcome_allocator_t so_libc = {malloc, realloc, free};

static void *set_zalloc(const sipoutcome_profiles_t *set, size_t n)
{
	void *p = set->a->alloc(n);
	if(p != NULL)
		memset(p, 0, n);
	return p;
}

/* A profile and everything it owns. */
typedef struct profile_owned {
	sipoutcome_profile_t p;
	char *text; /* private copy of the source; strings point into it */
} profile_owned_t;

static void set_err(sipoutcome_error_t *err, const char *source, int line,
		const char *field, const char *fmt, ...)
{
	va_list ap;

	if(err == NULL)
		return;
	snprintf(err->source, sizeof(err->source), "%s", source ? source : "");
	err->line = line;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

static void profile_free(
		const sipoutcome_profiles_t *set, sipoutcome_profile_t *p)
{
	profile_owned_t *o = (profile_owned_t *)p;
	if(p == NULL)
		return;
	if(p->rules)
		set->a->release(p->rules);
	if(p->idx)
		set->a->release((void *)p->idx);
	if(o->text)
		set->a->release(o->text);
	set->a->release(o);
}

/* ---- tokenizer for one line ---- */

typedef struct line {
	char *p;   /* current position (NUL-terminated line) */
	int no;	   /* line number */
	const char *source;
	sipoutcome_error_t *err;
} line_t;

static void skip_blank(line_t *l)
{
	while(*l->p == ' ' || *l->p == '\t')
		l->p++;
}

static int is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		   || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* A bare word; returns its length (0 when none). NUL-terminates it only
 * if terminate is set and the next char is a blank or '='. */
static size_t word(line_t *l, char **start)
{
	*start = l->p;
	while(is_word_char(*l->p))
		l->p++;
	return (size_t)(l->p - *start);
}

/* "quoted" with \" and \\ escapes, unescaped in place. */
static int quoted(line_t *l, const char *field, char **out, size_t *len)
{
	char *w;

	if(*l->p != '"') {
		set_err(l->err, l->source, l->no, field,
				"value must be a double-quoted string");
		return -1;
	}
	l->p++;
	*out = w = l->p;
	while(*l->p != '"') {
		if(*l->p == '\0') {
			set_err(l->err, l->source, l->no, field,
					"unterminated quoted string");
			return -1;
		}
		if(*l->p == '\\' && (l->p[1] == '"' || l->p[1] == '\\'))
			l->p++;
		*w++ = *l->p++;
	}
	l->p++;
	*len = (size_t)(w - *out);
	*w = '\0';
	return 0;
}

static int end_of_token(line_t *l, const char *field)
{
	if(*l->p != '\0' && *l->p != ' ' && *l->p != '\t') {
		set_err(l->err, l->source, l->no, field,
				"unexpected character '%c'", *l->p);
		return -1;
	}
	return 0;
}

static int parse_int(line_t *l, const char *field, int lo, int hi, int *out)
{
	char *w;
	size_t n = word(l, &w), i;
	long v = 0;

	if(n == 0 || n > 4) {
		set_err(l->err, l->source, l->no, field, "expected a number %d..%d",
				lo, hi);
		return -1;
	}
	for(i = 0; i < n; i++) {
		if(w[i] < '0' || w[i] > '9') {
			set_err(l->err, l->source, l->no, field,
					"'%.*s' is not a number %d..%d", (int)n, w, lo, hi);
			return -1;
		}
		v = v * 10 + (w[i] - '0');
	}
	if(v < lo || v > hi) {
		set_err(l->err, l->source, l->no, field, "%ld is outside %d..%d", v,
				lo, hi);
		return -1;
	}
	*out = (int)v;
	return end_of_token(l, field);
}

static int valid_phrase_text(const char *s, size_t n)
{
	unsigned int f = sipoutcome_phrase_check(0, s, n);
	return n > 0 && !(f & (SIPOUTCOME_PH_CTRL | SIPOUTCOME_PH_BAD_UTF8));
}

/* One `key=value` of a match clause. */
static int match_kv(line_t *l, so_rule_t *r, const char *key, size_t klen)
{
	int v;
	char *s;
	size_t n;

	if(so_ieq(key, klen, "code", 4)) {
		if(r->code >= 0)
			goto dup;
		if(parse_int(l, "code", 100, 699, &v) < 0)
			return -1;
		r->code = (int16_t)v;
	} else if(so_ieq(key, klen, "class", 5)) {
		if(r->klass >= 0)
			goto dup;
		n = word(l, &s);
		if(!((n == 1 || (n == 3 && (s[1] == 'x' || s[1] == 'X')
								  && (s[2] == 'x' || s[2] == 'X')))
				   && s[0] >= '1' && s[0] <= '6')) {
			set_err(l->err, l->source, l->no, "class",
					"'%.*s' is not a class (1xx..6xx)", (int)n, s);
			return -1;
		}
		r->klass = (int8_t)(s[0] - '0');
		return end_of_token(l, "class");
	} else if(so_ieq(key, klen, "q850", 4)) {
		if(r->q850 >= 0)
			goto dup;
		if(parse_int(l, "q850", 0, 127, &v) < 0)
			return -1;
		r->q850 = (int16_t)v;
	} else if(so_ieq(key, klen, "ringing", 7)) {
		if(r->ringing >= 0)
			goto dup;
		if(parse_int(l, "ringing", 0, 1, &v) < 0)
			return -1;
		r->ringing = (int8_t)v;
	} else if(so_ieq(key, klen, "canceled", 8)) {
		if(r->canceled >= 0)
			goto dup;
		if(parse_int(l, "canceled", 0, 1, &v) < 0)
			return -1;
		r->canceled = (int8_t)v;
	} else if(so_ieq(key, klen, "phrase", 6)) {
		if(r->phrase != NULL)
			goto dup;
		if(quoted(l, "phrase", &s, &n) < 0)
			return -1;
		if(n == 0 || n > SIPOUTCOME_PHRASE_MAX || !valid_phrase_text(s, n)) {
			set_err(l->err, l->source, l->no, "phrase",
					"must be 1..%d printable bytes", SIPOUTCOME_PHRASE_MAX);
			return -1;
		}
		r->phrase = s;
		r->phrase_len = (uint16_t)n;
		return end_of_token(l, "phrase");
	} else {
		set_err(l->err, l->source, l->no, "match",
				"unknown match key '%.*s' (code, class, q850, ringing, "
				"canceled, phrase)",
				(int)klen, key);
		return -1;
	}
	return 0;
dup:
	set_err(l->err, l->source, l->no, "match", "key '%.*s' given twice",
			(int)klen, key);
	return -1;
}

/* One `key=value` of a set clause. */
static int set_kv(line_t *l, so_rule_t *r, const char *key, size_t klen)
{
	char *s, name[24];
	size_t n;
	int rc = SIPOUTCOME_OK;

	snprintf(name, sizeof(name), "%.*s", (int)klen, key);
	if(so_ieq(key, klen, "hint", 4) || so_ieq(key, klen, "rewrite", 7)) {
		int is_hint = key[0] == 'h' || key[0] == 'H';
		if((is_hint ? r->hint : r->rewrite) != NULL)
			goto dup;
		if(quoted(l, name, &s, &n) < 0)
			return -1;
		if(n == 0 || n > (is_hint ? HINT_MAX : SIPOUTCOME_PHRASE_MAX)
				|| !valid_phrase_text(s, n)) {
			set_err(l->err, l->source, l->no, name,
					"must be 1..%d printable bytes",
					is_hint ? HINT_MAX : SIPOUTCOME_PHRASE_MAX);
			return -1;
		}
		if(is_hint)
			r->hint = s;
		else
			r->rewrite = s;
		return end_of_token(l, name);
	}
	if(so_ieq(key, klen, "cause", 5)) {
		int v;
		if(r->set_cause >= 0)
			goto dup;
		if(parse_int(l, "cause", 1, 127, &v) < 0)
			return -1;
		r->set_cause = (int16_t)v;
		return 0;
	}
	n = word(l, &s);
	if(so_ieq(key, klen, "tag", 3)) {
		if(r->tag)
			goto dup;
		rc = sipoutcome_tag_parse(s, n, &r->tag);
	} else if(so_ieq(key, klen, "category", 8)) {
		if(r->category)
			goto dup;
		rc = sipoutcome_category_parse(s, n, &r->category);
	} else if(so_ieq(key, klen, "retry", 5)) {
		if(r->retry)
			goto dup;
		rc = sipoutcome_retry_parse(s, n, &r->retry);
	} else if(so_ieq(key, klen, "blame", 5)) {
		if(r->blame)
			goto dup;
		rc = sipoutcome_blame_parse(s, n, &r->blame);
	} else {
		set_err(l->err, l->source, l->no, "set",
				"unknown set key '%s' (tag, category, retry, blame, cause, "
				"hint, rewrite)",
				name);
		return -1;
	}
	if(rc != SIPOUTCOME_OK) {
		set_err(l->err, l->source, l->no, name, "unknown %s '%.*s'", name,
				(int)n, s);
		return -1;
	}
	return end_of_token(l, name);
dup:
	set_err(l->err, l->source, l->no, "set", "key '%s' given twice", name);
	return -1;
}

/* `match ... set ...` after the keyword `match`. */
static int parse_rule(line_t *l, so_rule_t *r)
{
	int in_set = 0, nmatch = 0, nset = 0;
	char *key;
	size_t klen;

	memset(r, 0, sizeof(*r));
	r->code = -1;
	r->klass = -1;
	r->ringing = -1;
	r->canceled = -1;
	r->q850 = -1;
	r->set_cause = -1;
	r->line = l->no;
	for(;;) {
		skip_blank(l);
		if(*l->p == '\0')
			break;
		klen = word(l, &key);
		if(klen == 0) {
			set_err(l->err, l->source, l->no, in_set ? "set" : "match",
					"unexpected character '%c'", *l->p);
			return -1;
		}
		if(!in_set && so_ieq(key, klen, "set", 3) && *l->p != '=') {
			in_set = 1;
			continue;
		}
		if(*l->p != '=') {
			set_err(l->err, l->source, l->no, in_set ? "set" : "match",
					"expected '=' after '%.*s'", (int)klen, key);
			return -1;
		}
		l->p++;
		if(in_set) {
			if(set_kv(l, r, key, klen) < 0)
				return -1;
			nset++;
		} else {
			if(match_kv(l, r, key, klen) < 0)
				return -1;
			nmatch++;
		}
	}
	if(nmatch == 0) {
		set_err(l->err, l->source, l->no, "match", "a rule needs a match key");
		return -1;
	}
	if(!in_set || nset == 0) {
		set_err(l->err, l->source, l->no, "set",
				"a rule needs 'set' and at least one value");
		return -1;
	}
	if(r->code >= 0 && r->klass >= 0 && r->klass != r->code / 100) {
		set_err(l->err, l->source, l->no, "class",
				"class %dxx contradicts code %d", r->klass, r->code);
		return -1;
	}
	r->rank = (r->code >= 0) * 8 + (r->klass >= 0) * 4 + (r->phrase != NULL) * 2
			  + (r->ringing >= 0);
	return 0;
}

static int same_keys(const so_rule_t *a, const so_rule_t *b)
{
	if(a->code != b->code || a->klass != b->klass || a->ringing != b->ringing
			|| a->q850 != b->q850 || a->canceled != b->canceled)
		return 0;
	if((a->phrase == NULL) != (b->phrase == NULL))
		return 0;
	return a->phrase == NULL
		   || so_ieq(a->phrase, a->phrase_len, b->phrase, b->phrase_len);
}

/* Reject NUL, control bytes (but TAB) and invalid UTF-8 anywhere. */
static int check_bytes(const char *buf, size_t len, const char *source,
		sipoutcome_error_t *err)
{
	size_t i = 0, start = 0;
	int lineno = 1;

	while(i < len) {
		const unsigned char c = (unsigned char)buf[i];
		if(c == '\n') {
			lineno++;
			start = ++i;
			continue;
		}
		if(c == '\r' && i + 1 < len && buf[i + 1] == '\n') {
			i++;
			continue;
		}
		if((c < 0x20 && c != '\t') || c == 0x7F) {
			set_err(err, source, lineno, "bytes",
					"control byte 0x%02x at column %zu (binary file?)", c,
					i - start + 1);
			return -1;
		}
		if(c >= 0x80) {
			/* validate one UTF-8 sequence with the phrase checker */
			size_t n = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : 2;
			if(i + n > len
					|| (sipoutcome_phrase_check(0, buf + i, n)
							& SIPOUTCOME_PH_BAD_UTF8)) {
				set_err(err, source, lineno, "bytes",
						"invalid UTF-8 at column %zu (binary file?)",
						i - start + 1);
				return -1;
			}
			i += n;
			continue;
		}
		i++;
	}
	return 0;
}

static int valid_name(const char *s, size_t n)
{
	size_t i;
	if(n == 0 || n >= SO_PROFILE_NAME_MAX)
		return 0;
	for(i = 0; i < n; i++)
		if(!is_word_char(s[i]))
			return 0;
	return 1;
}

/* Precedence between two rules of one profile: the more specific first,
 * file order (their place in the rules array) among equals. */
static int rule_before(const so_rule_t *a, const so_rule_t *b)
{
	return a->rank > b->rank || (a->rank == b->rank && a < b);
}

/* The index segment of a rule (internal.h), or -1 for a rule that can
 * never match (a code outside its own class). */
static int rule_segment(const so_rule_t *r)
{
	if(r->code >= 0)
		return (r->klass < 0 || r->klass == r->code / 100) ? r->code - 100
														   : -1;
	if(r->klass >= 1)
		return SO_SEG_CLASS + r->klass - 1;
	return SO_SEG_ANY;
}

/* Index the profile's own rules (internal.h): a stable counting sort by
 * rank, then one by segment. Linear in the rules (plus the 607 segments);
 * one pointer per rule. */
static int build_index(const sipoutcome_profiles_t *set, sipoutcome_profile_t *p)
{
	size_t rank_pos[17] = {0}, i;
	const so_rule_t **by_rank;
	uint32_t fill[SO_SEGS];
	int r, s;

	memset(p->seg, 0, sizeof(p->seg));
	p->idx = set_zalloc(set, (p->nrules ? p->nrules : 1) * sizeof(*p->idx));
	by_rank = malloc((p->nrules ? p->nrules : 1) * sizeof(*by_rank));
	if(p->idx == NULL || by_rank == NULL) {
		free(by_rank);
		return SIPOUTCOME_ENOMEM;
	}
	for(i = 0; i < p->nrules; i++)
		rank_pos[15 - p->rules[i].rank + 1]++;
	for(r = 1; r <= 16; r++)
		rank_pos[r] += rank_pos[r - 1];
	for(i = 0; i < p->nrules; i++)
		by_rank[rank_pos[15 - p->rules[i].rank]++] = &p->rules[i];
	for(i = 0; i < p->nrules; i++)
		if((s = rule_segment(&p->rules[i])) >= 0)
			p->seg[s + 1]++;
	for(s = 0; s < SO_SEGS; s++) {
		p->seg[s + 1] += p->seg[s];
		fill[s] = p->seg[s];
	}
	for(i = 0; i < p->nrules; i++)
		if((s = rule_segment(by_rank[i])) >= 0)
			p->idx[fill[s]++] = by_rank[i];
	free(by_rank);
	return SIPOUTCOME_OK;
}

static void cand_profile(so_cand_t *c, const sipoutcome_profile_t *q)
{
	int seg[3] = {-1, -1, SO_SEG_ANY}, k;

	c->q = q;
	if(c->code >= 100 && c->code <= 699) {
		seg[0] = c->code - 100;
		seg[1] = SO_SEG_CLASS + c->code / 100 - 1;
	}
	for(k = 0; k < 3; k++) {
		if(q == NULL || q->idx == NULL || seg[k] < 0) {
			c->s[k] = c->e[k] = NULL;
			continue;
		}
		c->s[k] = q->idx + q->seg[seg[k]];
		c->e[k] = q->idx + q->seg[seg[k] + 1];
	}
}

void so_cand_init(so_cand_t *c, const sipoutcome_profile_t *p, int code)
{
	c->code = code;
	cand_profile(c, p);
}

/* The next candidate: the first in precedence order of the three
 * segment heads of the profile walked; then its parent's. */
const so_rule_t *so_cand_next(so_cand_t *c)
{
	const so_rule_t *best;
	int k, bk;

	while(c->q != NULL) {
		best = NULL;
		bk = -1;
		for(k = 0; k < 3; k++)
			if(c->s[k] != c->e[k] && (best == NULL || rule_before(*c->s[k], best))) {
				best = *c->s[k];
				bk = k;
			}
		if(best != NULL) {
			c->s[bk]++;
			return best;
		}
		cand_profile(c, c->q->parent);
	}
	return NULL;
}

/* Order of rules by their match keys (phrase case-insensitively), then
 * file order: equal keys end up next to each other. */
static int keys_cmp(const void *pa, const void *pb)
{
	const so_rule_t *a = *(const so_rule_t *const *)pa;
	const so_rule_t *b = *(const so_rule_t *const *)pb;
	size_t i, n;

	if(a->code != b->code)
		return a->code - b->code;
	if(a->klass != b->klass)
		return a->klass - b->klass;
	if(a->ringing != b->ringing)
		return a->ringing - b->ringing;
	if(a->q850 != b->q850)
		return a->q850 - b->q850;
	if((a->phrase == NULL) != (b->phrase == NULL))
		return a->phrase == NULL ? -1 : 1;
	if(a->phrase != NULL) {
		n = a->phrase_len < b->phrase_len ? a->phrase_len : b->phrase_len;
		for(i = 0; i < n; i++) {
			int x = (unsigned char)a->phrase[i], y = (unsigned char)b->phrase[i];
			x = (x >= 'A' && x <= 'Z') ? x | 0x20 : x;
			y = (y >= 'A' && y <= 'Z') ? y | 0x20 : y;
			if(x != y)
				return x - y;
		}
		if(a->phrase_len != b->phrase_len)
			return a->phrase_len < b->phrase_len ? -1 : 1;
	}
	return a->line - b->line;
}

/* The first rule (in file order) whose match keys an earlier rule has:
 * sorted by keys, O(n log n). 0 when none; -1 with err set; ENOMEM. */
static int check_duplicates(const sipoutcome_profile_t *p, const char *source,
		sipoutcome_error_t *err)
{
	const so_rule_t **v, *dup = NULL, *first = NULL;
	size_t i;

	if(p->nrules < 2)
		return 0;
	v = malloc(p->nrules * sizeof(*v));
	if(v == NULL)
		return SIPOUTCOME_ENOMEM;
	for(i = 0; i < p->nrules; i++)
		v[i] = &p->rules[i];
	qsort(v, p->nrules, sizeof(*v), keys_cmp);
	for(i = 1; i < p->nrules; i++) {
		/* v[i - 1] is the first of its keys when v[i - 2] differs */
		if(!same_keys(v[i - 1], v[i])
				|| (i >= 2 && same_keys(v[i - 2], v[i - 1])))
			continue;
		if(dup == NULL || v[i]->line < dup->line) {
			dup = v[i];
			first = v[i - 1];
		}
	}
	free(v);
	if(dup == NULL)
		return 0;
	set_err(err, source, dup->line, "match",
			"duplicate rule: same match keys as line %d", first->line);
	return -1;
}

static int parse_profile(sipoutcome_profiles_t *set, const char *source,
		const char *buf, size_t len, sipoutcome_error_t *err,
		sipoutcome_profile_t **out)
{
	profile_owned_t *o;
	sipoutcome_profile_t *p;
	char *cur, *end, *parent = NULL;
	size_t rules_cap = 0;
	int lineno = 0, rc = SIPOUTCOME_ESYNTAX, have_name = 0, parent_line = 0;
	int name_line = 0, desc_line = 0;

	if(check_bytes(buf, len, source, err) < 0)
		return SIPOUTCOME_ESYNTAX;
	o = set_zalloc(set, sizeof(*o));
	if(o == NULL)
		return SIPOUTCOME_ENOMEM;
	p = &o->p;
	o->text = set->a->alloc(len + 1);
	if(o->text == NULL) {
		set->a->release(o);
		return SIPOUTCOME_ENOMEM;
	}
	memcpy(o->text, buf, len);
	o->text[len] = '\0';
	snprintf(p->source, sizeof(p->source), "%s", source);

	for(cur = o->text; cur < o->text + len; cur = end + 1) {
		line_t l;
		char *kw;
		size_t kwlen;

		lineno++;
		end = strchr(cur, '\n');
		if(end == NULL)
			end = o->text + len;
		*end = '\0';
		if(end > cur && end[-1] == '\r')
			end[-1] = '\0';
		l.p = cur;
		l.no = lineno;
		l.source = source;
		l.err = err;
		skip_blank(&l);
		if(*l.p == '\0' || *l.p == '#')
			continue;
		kwlen = word(&l, &kw);
		if(!have_name) {
			if(!so_ieq(kw, kwlen, "profile", 7)) {
				set_err(err, source, lineno, "profile",
						"the first line must be 'profile NAME'");
				goto fail;
			}
		}
		if(so_ieq(kw, kwlen, "profile", 7)) {
			char *name;
			size_t n;
			if(have_name) {
				set_err(err, source, lineno, "profile",
						"only one 'profile' line per file");
				goto fail;
			}
			skip_blank(&l);
			n = word(&l, &name);
			skip_blank(&l);
			if(!valid_name(name, n) || *l.p != '\0') {
				set_err(err, source, lineno, "profile",
						"a profile name is 1..%d letters, digits, '_', '-', "
						"'.'",
						SO_PROFILE_NAME_MAX - 1);
				goto fail;
			}
			memcpy(p->name, name, n);
			p->name[n] = '\0';
			have_name = 1;
			name_line = lineno;
		} else if(so_ieq(kw, kwlen, "inherits", 8)) {
			size_t n;
			if(parent != NULL) {
				set_err(err, source, lineno, "inherits",
						"only one 'inherits' line per file");
				goto fail;
			}
			skip_blank(&l);
			n = word(&l, &parent);
			skip_blank(&l);
			if(!valid_name(parent, n) || *l.p != '\0') {
				set_err(err, source, lineno, "inherits",
						"expected one profile name");
				goto fail;
			}
			parent[n] = '\0';
			parent_line = lineno;
		} else if(so_ieq(kw, kwlen, "description", 11)) {
			char *d;
			size_t n;
			skip_blank(&l);
			if(quoted(&l, "description", &d, &n) < 0)
				goto fail;
			skip_blank(&l);
			if(*l.p != '\0') {
				set_err(err, source, lineno, "description",
						"text after the closing quote");
				goto fail;
			}
			if(p->description != NULL) {
				set_err(err, source, lineno, "description",
						"only one 'description' line per file (the first is"
						" on line %d)",
						desc_line);
				goto fail;
			}
			p->description = d;
			desc_line = lineno;
		} else if(so_ieq(kw, kwlen, "match", 5)) {
			so_rule_t r;
			if(p->nrules >= SO_PROFILE_RULES_MAX) {
				set_err(err, source, lineno, "match",
						"more than %d rules in one profile file (the limit;"
						" split the profile with 'inherits')",
						SO_PROFILE_RULES_MAX);
				goto fail;
			}
			if(parse_rule(&l, &r) < 0)
				goto fail;
			if(p->nrules == rules_cap) {
				size_t ncap = rules_cap ? rules_cap * 2 : 16;
				so_rule_t *nr = set->a->resize(p->rules, ncap * sizeof(*nr));
				if(nr == NULL) {
					rc = SIPOUTCOME_ENOMEM;
					goto fail;
				}
				p->rules = nr;
				rules_cap = ncap;
			}
			p->rules[p->nrules++] = r;
		} else {
			set_err(err, source, lineno, "keyword",
					"unknown keyword '%.*s' (profile, inherits, description, "
					"match)",
					(int)kwlen, kw);
			goto fail;
		}
	}
	if(!have_name) {
		set_err(err, source, 0, "profile",
				"empty profile: no 'profile NAME' line");
		goto fail;
	}
	if((rc = check_duplicates(p, source, err)) != 0) {
		if(rc != SIPOUTCOME_ENOMEM)
			rc = SIPOUTCOME_ESYNTAX;
		else
			set_err(err, source, 0, "", "out of memory");
		goto fail;
	}
	rc = SIPOUTCOME_ESYNTAX;
	if(sipoutcome_profiles_find(set, p->name, strlen(p->name)) != NULL) {
		set_err(err, source, name_line, "profile",
				"profile '%s' is already loaded",
				p->name);
		goto fail;
	}
	if(parent == NULL && strcmp(p->name, "rfc") != 0)
		parent = "rfc";
	if(parent != NULL) {
		p->parent = sipoutcome_profiles_find(set, parent, strlen(parent));
		if(p->parent == NULL) {
			set_err(err, source, parent_line, "inherits",
					"unknown parent profile '%s' (load it first)", parent);
			goto fail;
		}
	}
	{
		const sipoutcome_profile_t *q;
		int depth = 0;
		for(q = p; q != NULL; q = q->parent)
			depth++;
		if(depth > SO_MAX_DEPTH) {
			set_err(err, source, parent_line, "inherits",
					"more than 64 profiles in the inheritance chain");
			goto fail;
		}
	}
	rc = build_index(set, p);
	if(rc != SIPOUTCOME_OK) {
		set_err(err, source, 0, "", "out of memory indexing %zu rules",
				p->nrules);
		goto fail;
	}
	*out = p;
	return SIPOUTCOME_OK;
fail:
	profile_free(set, p);
	return rc;
}

int sipoutcome_profiles_load_buffer(sipoutcome_profiles_t *set,
		const char *source, const char *buf, size_t len,
		sipoutcome_error_t *err)
{
	sipoutcome_profile_t *p = NULL;
	int rc;

	if(set == NULL || source == NULL || (buf == NULL && len > 0)) {
		set_err(err, source, 0, "", "invalid argument");
		return SIPOUTCOME_EINVAL;
	}
	if(set->n == set->cap) {
		size_t ncap = set->cap ? set->cap * 2 : 8;
		sipoutcome_profile_t **nv = set->a->resize(set->v, ncap * sizeof(*nv));
		if(nv == NULL) {
			set_err(err, source, 0, "", "out of memory");
			return SIPOUTCOME_ENOMEM;
		}
		set->v = nv;
		set->cap = ncap;
	}
	rc = parse_profile(set, source, buf ? buf : "", len, err, &p);
	if(rc != SIPOUTCOME_OK)
		return rc;
	set->v[set->n++] = p;
	return SIPOUTCOME_OK;
}

int sipoutcome_profiles_load_file(sipoutcome_profiles_t *set,
		const char *path, sipoutcome_error_t *err)
{
	FILE *f;
	struct stat st;
	char *buf;
	size_t n;
	int rc;

	if(set == NULL || path == NULL) {
		set_err(err, path, 0, "", "invalid argument");
		return SIPOUTCOME_EINVAL;
	}
	f = fopen(path, "rb");
	if(f == NULL) {
		set_err(err, path, 0, "", "cannot open: %s", strerror(errno));
		return SIPOUTCOME_EIO;
	}
	if(fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		set_err(err, path, 0, "",
				S_ISDIR(st.st_mode) ? "is a directory, not a profile file"
									: "is not a regular file");
		fclose(f);
		return SIPOUTCOME_EIO;
	}
	buf = malloc(PROFILE_FILE_MAX + 1);
	if(buf == NULL) {
		fclose(f);
		set_err(err, path, 0, "", "out of memory");
		return SIPOUTCOME_ENOMEM;
	}
	n = fread(buf, 1, PROFILE_FILE_MAX + 1, f);
	if(ferror(f) || n > PROFILE_FILE_MAX) {
		if(n > PROFILE_FILE_MAX)
			set_err(err, path, 0, "",
					"larger than %d bytes (1 MiB, the limit per profile"
					" file)",
					PROFILE_FILE_MAX);
		else
			set_err(err, path, 0, "", "read error: %s", strerror(errno));
		fclose(f);
		free(buf);
		return SIPOUTCOME_EIO;
	}
	fclose(f);
	rc = sipoutcome_profiles_load_buffer(set, path, buf, n, err);
	free(buf);
	return rc;
}

int sipoutcome_profiles_new(sipoutcome_profiles_t **out, sipoutcome_error_t *err)
{
	return sipoutcome_profiles_new_in(out, NULL, err);
}

int sipoutcome_profiles_new_in(sipoutcome_profiles_t **out,
		const sipoutcome_allocator_t *a, sipoutcome_error_t *err)
{
	sipoutcome_profiles_t *set;
	size_t i;
	int rc;

	if(out == NULL)
		return SIPOUTCOME_EINVAL;
	*out = NULL;
	if(a == NULL)
		a = &so_libc;
	set = a->alloc(sizeof(*set));
	if(set == NULL)
		return SIPOUTCOME_ENOMEM;
	memset(set, 0, sizeof(*set));
	set->a = a;
	for(i = 0; i < sipoutcome_builtin_profiles_count; i++) {
		const so_embedded_t *e = &sipoutcome_builtin_profiles[i];
		char source[64];
		snprintf(source, sizeof(source), "builtin:%s", e->name);
		rc = sipoutcome_profiles_load_buffer(set, source, e->text, e->len, err);
		if(rc != SIPOUTCOME_OK) {
			sipoutcome_profiles_free(set);
			return rc;
		}
		set->v[set->n - 1]->builtin = 1;
	}
	*out = set;
	return SIPOUTCOME_OK;
}

const sipoutcome_profile_t *sipoutcome_profiles_find(
		const sipoutcome_profiles_t *set, const char *name, size_t len)
{
	size_t i;

	if(set == NULL || name == NULL)
		return NULL;
	for(i = 0; i < set->n; i++) {
		const char *pn = set->v[i]->name;
		if(strlen(pn) == len && memcmp(pn, name, len) == 0)
			return set->v[i];
	}
	return NULL;
}

size_t sipoutcome_profiles_count(const sipoutcome_profiles_t *set)
{
	return set ? set->n : 0;
}

const sipoutcome_profile_t *sipoutcome_profiles_at(
		const sipoutcome_profiles_t *set, size_t i)
{
	return (set && i < set->n) ? set->v[i] : NULL;
}

const char *sipoutcome_profile_name(const sipoutcome_profile_t *p)
{
	return p ? p->name : "";
}

int sipoutcome_profile_reads_phrase(const sipoutcome_profile_t *p, int code)
{
	const so_rule_t *r;
	so_cand_t c;

	if(p == NULL || code < 100 || code > 699)
		return 0;
	so_cand_init(&c, p, code);
	while((r = so_cand_next(&c)) != NULL)
		if(r->phrase != NULL)
			return 1;
	return 0;
}

const char *sipoutcome_profile_description(const sipoutcome_profile_t *p)
{
	return (p && p->description) ? p->description : "";
}

const char *sipoutcome_profile_parent(const sipoutcome_profile_t *p)
{
	return (p && p->parent) ? p->parent->name : "";
}

void sipoutcome_profiles_free(sipoutcome_profiles_t *set)
{
	size_t i;

	if(set == NULL)
		return;
	for(i = 0; i < set->n; i++)
		profile_free(set, set->v[i]);
	if(set->v)
		set->a->release(set->v);
	set->a->release(set);
}
