/*
 * Profiles from a database table, as dispatcher, lcr and dialplan keep
 * their rules: modparam("sipoutcome", "db_url", ...) and "db_table"
 * (default "sipoutcome"), read through Kamailio's DB API (lib/srdb1) at
 * start-up and on sipoutcome.reload. One row is one rule, with the keys of
 * a profile file as columns (data/sql/sipoutcome-*.sql has the schema):
 *
 *   id          integer, unique: the row's name in every message, and
 *               the order of rules inside a profile (file order)
 *   profile     profile name (letters, digits, _ - .)
 *   inherits    parent profile ("" or NULL: rfc); the rows of one profile
 *               that give it must agree
 *   description one line ("" or NULL: none); the same rule as inherits
 *   code class q850 ringing phrase           the match keys
 *   tag category retry blame hint rewrite    the set keys
 * NULL or "" leaves a key out. Each profile is turned into the text of a
 * profile file and parsed by the engine, so the rules and the errors are
 * those of profile files; an error names the table and the row's id.
 *
 * Only the process that reads the table (the main process at start-up,
 * the RPC process on reload) queries the database. What it read is kept,
 * once the whole set validated, as profile texts in shared memory; the
 * other processes parse those texts when they pick up the new generation
 * (km_profiles.c), so no worker ever talks to the database.
 */
#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/locking.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "lib/srdb1/db.h"

#include "km_mod.h"

str km_db_url = STR_NULL;
str km_db_table = str_init("sipoutcome");

enum
{
	C_ID,
	C_PROFILE,
	C_INHERITS,
	C_DESCRIPTION,
	C_CODE,
	C_CLASS,
	C_Q850,
	C_RINGING,
	C_PHRASE,
	C_TAG,
	C_CATEGORY,
	C_RETRY,
	C_BLAME,
	C_HINT,
	C_REWRITE,
	C_N
};
static str km_cols[C_N] = {str_init("id"), str_init("profile"),
		str_init("inherits"), str_init("description"), str_init("code"),
		str_init("class"), str_init("q850"), str_init("ringing"),
		str_init("phrase"), str_init("tag"), str_init("category"),
		str_init("retry"), str_init("blame"), str_init("hint"),
		str_init("rewrite")};
/* how a column goes into a rule line: 'm' match key, 's' set key; 'w' a
 * bare word, 'q' a quoted string */
static const char km_col_part[C_N] = {
		0, 0, 0, 0, 'm', 'm', 'm', 'm', 'm', 's', 's', 's', 's', 's', 's'};
static const char km_col_kind[C_N] = {
		0, 'w', 'w', 'q', 'w', 'w', 'w', 'w', 'q', 'w', 'w', 'w', 'w', 'q', 'q'};

#define KM_DB_NAME 32
#define KM_DB_LINE 2048

/* One profile read from the table: its file text and, per line, the id
 * of the row it came from (for messages). */
typedef struct km_db_prof {
	char name[KM_DB_NAME];
	char parent[KM_DB_NAME];
	int parent_id;
	char *desc;
	int desc_id;
	char *rules; /* "match ... set ...\n" lines */
	int rules_len;
	int *ids; /* row id of each rule line */
	int nrules;
	int first_id;
	int loaded;
} km_db_prof_t;

static db_func_t km_dbf;
static int km_db_bound = 0;

/* read but not yet validated (this process only) */
static km_db_prof_t *km_pend = NULL;
static int km_pend_n = 0;
static int km_pend_set = 0;
/* the texts of the profiles in load order, NUL-separated, built while
 * km_pend validated; published to km_shared by km_db_publish() */
static char *km_pend_blob = NULL;
static int km_pend_blob_len = 0;

typedef struct km_db_shared {
	gen_lock_t lock;
	char *blob; /* shm, NUL-separated profile texts in load order */
	int len;
} km_db_shared_t;
static km_db_shared_t *km_shared = NULL;

static void pend_free(void)
{
	int i;

	for(i = 0; i < km_pend_n; i++) {
		if(km_pend[i].desc)
			pkg_free(km_pend[i].desc);
		if(km_pend[i].rules)
			pkg_free(km_pend[i].rules);
		if(km_pend[i].ids)
			pkg_free(km_pend[i].ids);
	}
	if(km_pend)
		pkg_free(km_pend);
	if(km_pend_blob)
		pkg_free(km_pend_blob);
	km_pend = NULL;
	km_pend_n = 0;
	km_pend_blob = NULL;
	km_pend_blob_len = 0;
	km_pend_set = 0;
}

int km_db_init(void)
{
	if(km_db_url.s == NULL || km_db_url.len <= 0)
		return 0;
	if(db_bind_mod(&km_db_url, &km_dbf) < 0) {
		LM_ERR("db_url: no database module for '%.*s' (load db_text, "
			   "db_sqlite or db_postgres before sipoutcome)\n",
				km_db_url.len, km_db_url.s);
		return -1;
	}
	if(!DB_CAPABILITY(km_dbf, DB_CAP_QUERY)) {
		LM_ERR("db_url: the database module cannot run queries\n");
		return -1;
	}
	km_shared = shm_malloc(sizeof(*km_shared));
	if(km_shared == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(km_shared, 0, sizeof(*km_shared));
	lock_init(&km_shared->lock);
	km_db_bound = 1;
	return 0;
}

/* The value of a column as text in tmp (at most cap-1 bytes): 1, or 0
 * when NULL or empty, -1 when it does not fit or has an unusable type. */
static int col_text(db_val_t *v, char *tmp, int cap, const char **s, int *len)
{
	if(VAL_NULL(v))
		return 0;
	switch(VAL_TYPE(v)) {
		case DB1_INT:
			*len = snprintf(tmp, cap, "%d", VAL_INT(v));
			*s = tmp;
			break;
		case DB1_UINT:
			*len = snprintf(tmp, cap, "%u", VAL_UINT(v));
			*s = tmp;
			break;
		case DB1_BIGINT:
			*len = snprintf(tmp, cap, "%lld", (long long)VAL_BIGINT(v));
			*s = tmp;
			break;
		case DB1_STRING:
			*s = VAL_STRING(v);
			*len = *s ? strlen(*s) : 0;
			break;
		case DB1_STR:
			*s = VAL_STR(v).s;
			*len = VAL_STR(v).len;
			break;
		case DB1_BLOB:
			*s = VAL_BLOB(v).s;
			*len = VAL_BLOB(v).len;
			break;
		default:
			return -1;
	}
	if(*s == NULL || *len <= 0)
		return 0;
	return (*len < cap) ? 1 : -1;
}

static int is_word(const char *s, int len)
{
	int i;

	for(i = 0; i < len; i++)
		if(!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')
				   || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'
				   || s[i] == '-' || s[i] == '.'))
			return 0;
	return 1;
}

/* Append s (len bytes) to dst at *pos as a quoted string with \" and \\
 * escapes; -1 on a control byte or when it does not fit in cap. */
static int put_quoted(char *dst, int *pos, int cap, const char *s, int len)
{
	int i;

	if(*pos + 1 >= cap)
		return -1;
	dst[(*pos)++] = '"';
	for(i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if(c < 0x20 || c == 0x7f)
			return -1;
		if(*pos + 3 >= cap)
			return -1;
		if(c == '"' || c == '\\')
			dst[(*pos)++] = '\\';
		dst[(*pos)++] = (char)c;
	}
	dst[(*pos)++] = '"';
	return 0;
}

#define ROW_ERR(...)                                                \
	do {                                                            \
		int _n = snprintf(errbuf, errlen, "db table '%.*s', id %d: ", \
				km_db_table.len, km_db_table.s, id);                 \
		if(_n > 0 && _n < errlen)                                   \
			snprintf(errbuf + _n, errlen - _n, __VA_ARGS__);        \
	} while(0)

static km_db_prof_t *prof_get(const char *name, int len, int id)
{
	km_db_prof_t *p;
	int i;

	for(i = 0; i < km_pend_n; i++)
		if((int)strlen(km_pend[i].name) == len
				&& memcmp(km_pend[i].name, name, len) == 0)
			return &km_pend[i];
	p = pkg_realloc(km_pend, (km_pend_n + 1) * sizeof(*p));
	if(p == NULL)
		return NULL;
	km_pend = p;
	p = &km_pend[km_pend_n++];
	memset(p, 0, sizeof(*p));
	memcpy(p->name, name, len);
	p->first_id = id;
	return p;
}

/* One row into its profile's text. 0, or -1 with errbuf set. */
static int add_row(db_val_t *vals, char *errbuf, int errlen)
{
	char line[KM_DB_LINE], tmp[KM_DB_LINE];
	const char *s;
	int len, pos, id = 0, c, r, part, *ids;
	km_db_prof_t *p;
	char *rules;

	r = col_text(&vals[C_ID], tmp, sizeof(tmp), &s, &len);
	if(r <= 0 || sscanf(s, "%d", &id) != 1) {
		snprintf(errbuf, errlen, "db table '%.*s': a row without a numeric id",
				km_db_table.len, km_db_table.s);
		return -1;
	}
	r = col_text(&vals[C_PROFILE], tmp, sizeof(tmp), &s, &len);
	if(r <= 0 || len >= KM_DB_NAME || !is_word(s, len)) {
		ROW_ERR("profile: a name of letters, digits, _ - . (at most %d bytes) "
				"is required",
				KM_DB_NAME - 1);
		return -1;
	}
	p = prof_get(s, len, id);
	if(p == NULL) {
		ROW_ERR("out of private memory");
		return -1;
	}
	r = col_text(&vals[C_INHERITS], tmp, sizeof(tmp), &s, &len);
	if(r < 0 || (r > 0 && (len >= KM_DB_NAME || !is_word(s, len)))) {
		ROW_ERR("inherits: must be a profile name");
		return -1;
	}
	if(r > 0) {
		if(p->parent[0] != '\0'
				&& ((int)strlen(p->parent) != len
						|| memcmp(p->parent, s, len) != 0)) {
			ROW_ERR("inherits: '%.*s' differs from '%s' given by id %d for "
					"profile '%s'",
					len, s, p->parent, p->parent_id, p->name);
			return -1;
		}
		memcpy(p->parent, s, len);
		p->parent[len] = '\0';
		p->parent_id = id;
	}
	r = col_text(&vals[C_DESCRIPTION], tmp, sizeof(tmp), &s, &len);
	pos = 0;
	if(r < 0 || (r > 0 && put_quoted(line, &pos, sizeof(line), s, len) < 0)) {
		ROW_ERR("description: a control byte (CR, LF, ...) or too long");
		return -1;
	}
	if(r > 0) {
		if(p->desc
				&& ((int)strlen(p->desc) != len
						|| memcmp(p->desc, s, len) != 0)) {
			ROW_ERR("description differs from the one given by id %d for "
					"profile '%s'",
					p->desc_id, p->name);
			return -1;
		}
		if(p->desc == NULL) {
			p->desc = pkg_malloc(len + 1);
			if(p->desc == NULL) {
				ROW_ERR("out of private memory");
				return -1;
			}
			memcpy(p->desc, s, len);
			p->desc[len] = '\0';
			p->desc_id = id;
		}
	}

	/* "match k=v... set k=v...\n" */
	pos = snprintf(line, sizeof(line), "match");
	for(part = 'm'; part; part = (part == 'm') ? 's' : 0) {
		if(part == 's')
			pos += snprintf(line + pos, sizeof(line) - pos, " set");
		for(c = C_CODE; c < C_N; c++) {
			if(km_col_part[c] != part)
				continue;
			r = col_text(&vals[c], tmp, sizeof(tmp), &s, &len);
			if(r == 0)
				continue;
			if(r < 0
					|| pos + km_cols[c].len + 3 >= (int)sizeof(line)) {
				ROW_ERR("%.*s: too long or of an unusable column type",
						km_cols[c].len, km_cols[c].s);
				return -1;
			}
			pos += snprintf(line + pos, sizeof(line) - pos, " %.*s=",
					km_cols[c].len, km_cols[c].s);
			if(km_col_kind[c] == 'w') {
				if(!is_word(s, len) || pos + len >= (int)sizeof(line)) {
					ROW_ERR("%.*s: '%.*s' is not one word", km_cols[c].len,
							km_cols[c].s, len > 40 ? 40 : len, s);
					return -1;
				}
				memcpy(line + pos, s, len);
				pos += len;
			} else if(put_quoted(line, &pos, sizeof(line), s, len) < 0) {
				ROW_ERR("%.*s: a control byte (CR, LF, ...) or too long",
						km_cols[c].len, km_cols[c].s);
				return -1;
			}
		}
	}
	if(pos + 2 >= (int)sizeof(line)) {
		ROW_ERR("the rule is too long");
		return -1;
	}
	line[pos++] = '\n';
	rules = pkg_realloc(p->rules, p->rules_len + pos + 1);
	ids = pkg_realloc(p->ids, (p->nrules + 1) * sizeof(int));
	if(rules)
		p->rules = rules;
	if(ids)
		p->ids = ids;
	if(rules == NULL || ids == NULL) {
		ROW_ERR("out of private memory");
		return -1;
	}
	memcpy(p->rules + p->rules_len, line, pos);
	p->rules_len += pos;
	p->rules[p->rules_len] = '\0';
	p->ids[p->nrules++] = id;
	return 0;
}

int km_db_fetch(char *errbuf, int errlen)
{
	db_key_t cols[C_N];
	db1_con_t *h;
	db1_res_t *res = NULL;
	int i, rc = 0;

	if(!km_db_bound)
		return 0;
	pend_free();
	for(i = 0; i < C_N; i++)
		cols[i] = &km_cols[i];
	h = km_dbf.init(&km_db_url);
	if(h == NULL) {
		snprintf(errbuf, errlen, "db_url: cannot connect to '%.*s'",
				km_db_url.len, km_db_url.s);
		return -1;
	}
	if(km_dbf.use_table(h, &km_db_table) < 0
			|| km_dbf.query(h, NULL, NULL, NULL, cols, 0, C_N, &km_cols[C_ID],
					   &res)
					   < 0
			|| res == NULL) {
		snprintf(errbuf, errlen,
				"db table '%.*s': query failed (is the table there, with the "
				"columns of data/sql/sipoutcome-*.sql?)",
				km_db_table.len, km_db_table.s);
		rc = -1;
	}
	for(i = 0; rc == 0 && i < RES_ROW_N(res); i++)
		if(add_row(ROW_VALUES(&RES_ROWS(res)[i]), errbuf, errlen) < 0)
			rc = -1;
	if(res)
		km_dbf.free_result(h, res);
	km_dbf.close(h);
	if(rc < 0) {
		pend_free();
		return -1;
	}
	km_pend_set = 1;
	return 0;
}

/* The text of profile p as a profile file; hdr_ids[]: the row id behind
 * each line before the rules, *hdr_lines their number (1..3). pkg memory,
 * NULL when out of memory. */
static char *prof_text(km_db_prof_t *p, int *len, int *hdr_ids, int *hdr_lines)
{
	char hdr[3 * KM_DB_LINE];
	int n, q, hl = 1;
	char *t;

	n = snprintf(hdr, sizeof(hdr), "profile %s\n", p->name);
	hdr_ids[0] = p->first_id;
	if(p->parent[0]) {
		n += snprintf(hdr + n, sizeof(hdr) - n, "inherits %s\n", p->parent);
		hdr_ids[hl++] = p->parent_id;
	}
	if(p->desc) {
		n += snprintf(hdr + n, sizeof(hdr) - n, "description ");
		q = n;
		/* checked by add_row: no control byte, shorter than a line */
		(void)put_quoted(hdr, &q, sizeof(hdr) - 1, p->desc, strlen(p->desc));
		n = q;
		hdr[n++] = '\n';
		hdr_ids[hl++] = p->desc_id;
	}
	t = pkg_malloc(n + p->rules_len + 1);
	if(t == NULL)
		return NULL;
	memcpy(t, hdr, n);
	if(p->rules_len)
		memcpy(t + n, p->rules, p->rules_len);
	*len = n + p->rules_len;
	t[*len] = '\0';
	*hdr_lines = hl;
	return t;
}

static int blob_append(const char *t, int len)
{
	char *b = pkg_realloc(km_pend_blob, km_pend_blob_len + len + 1);

	if(b == NULL)
		return -1;
	km_pend_blob = b;
	memcpy(b + km_pend_blob_len, t, len + 1);
	km_pend_blob_len += len + 1;
	return 0;
}

/* The profiles just read, parents first. */
static int add_pending(sipoutcome_profiles_t *set, char *errbuf, int errlen)
{
	sipoutcome_error_t err;
	char msg[400], src[64];
	int i, progress, left, len, hl, id, hdr_ids[3];
	const char *parent;
	km_db_prof_t *p;
	char *t;

	if(km_pend_blob)
		pkg_free(km_pend_blob);
	km_pend_blob = NULL;
	km_pend_blob_len = 0;
	for(i = 0; i < km_pend_n; i++)
		km_pend[i].loaded = 0;
	do {
		progress = 0;
		left = 0;
		for(i = 0; i < km_pend_n; i++) {
			p = &km_pend[i];
			if(p->loaded)
				continue;
			parent = p->parent[0] ? p->parent : "rfc";
			if(sipoutcome_profiles_find(set, parent, strlen(parent)) == NULL) {
				left++;
				continue;
			}
			t = prof_text(p, &len, hdr_ids, &hl);
			if(t == NULL || blob_append(t, len) < 0) {
				if(t)
					pkg_free(t);
				snprintf(errbuf, errlen, "db table: out of private memory");
				return -1;
			}
			memset(&err, 0, sizeof(err));
			snprintf(src, sizeof(src), "%.*s", km_db_table.len, km_db_table.s);
			if(sipoutcome_profiles_load_buffer(set, src, t, len, &err)
					!= SIPOUTCOME_OK) {
				/* the row behind the line the parser refused */
				if(err.line > hl && err.line - hl <= p->nrules)
					id = p->ids[err.line - hl - 1];
				else if(err.line >= 1 && err.line <= hl)
					id = hdr_ids[err.line - 1];
				else
					id = p->first_id;
				err.source[0] = '\0';
				err.line = 0;
				sipoutcome_error_format(&err, msg, sizeof(msg));
				snprintf(errbuf, errlen, "db table '%.*s', id %d (profile '%s'): %s",
						km_db_table.len, km_db_table.s, id, p->name, msg);
				pkg_free(t);
				return -1;
			}
			pkg_free(t);
			p->loaded = 1;
			progress = 1;
		}
	} while(progress && left);
	for(i = 0; left && i < km_pend_n; i++) {
		p = &km_pend[i];
		if(p->loaded)
			continue;
		snprintf(errbuf, errlen,
				"db table '%.*s', id %d (profile '%s'): inherits '%s', which is "
				"neither loaded before nor a profile of the table (or a cycle)",
				km_db_table.len, km_db_table.s, p->parent_id, p->name,
				p->parent);
		return -1;
	}
	return 0;
}

/* The published texts (another process read and validated them). */
static int add_published(sipoutcome_profiles_t *set, char *errbuf, int errlen)
{
	sipoutcome_error_t err;
	char src[64];
	int rc = 0, off = 0, len;

	snprintf(src, sizeof(src), "%.*s", km_db_table.len, km_db_table.s);
	lock_get(&km_shared->lock);
	while(rc == 0 && km_shared->blob && off < km_shared->len) {
		len = strlen(km_shared->blob + off);
		memset(&err, 0, sizeof(err));
		if(sipoutcome_profiles_load_buffer(
				   set, src, km_shared->blob + off, len, &err)
				!= SIPOUTCOME_OK) {
			snprintf(errbuf, errlen, "db table '%s': ", src);
			sipoutcome_error_format(
					&err, errbuf + strlen(errbuf), errlen - strlen(errbuf));
			rc = -1;
		}
		off += len + 1;
	}
	lock_release(&km_shared->lock);
	return rc;
}

int km_db_add(sipoutcome_profiles_t *set, char *errbuf, int errlen)
{
	if(!km_db_bound)
		return 0;
	if(km_pend_set)
		return add_pending(set, errbuf, errlen);
	return add_published(set, errbuf, errlen);
}

int km_db_publish(void)
{
	char *b = NULL;
	int i, rules = 0;

	if(!km_db_bound || !km_pend_set)
		return 0;
	if(km_pend_blob_len > 0) {
		b = shm_malloc(km_pend_blob_len);
		if(b == NULL) {
			SHM_MEM_ERROR;
			pend_free();
			return -1;
		}
		memcpy(b, km_pend_blob, km_pend_blob_len);
	}
	lock_get(&km_shared->lock);
	if(km_shared->blob)
		shm_free(km_shared->blob);
	km_shared->blob = b;
	km_shared->len = km_pend_blob_len;
	lock_release(&km_shared->lock);
	for(i = 0; i < km_pend_n; i++)
		rules += km_pend[i].nrules;
	LM_INFO("%d rules in %d profiles from db table '%.*s'\n", rules,
			km_pend_n, km_db_table.len, km_db_table.s);
	pend_free();
	return 0;
}

void km_db_discard(void)
{
	pend_free();
}
