/*
 * The report's line parser: a timestamp at the start (ISO 8601 / RFC 3339
 * as journald and rsyslog write it, or BSD syslog's "Mmm dd HH:MM:SS"),
 * the marker "sipoutcome: " or "sipoutcome-attempt: " anywhere after it,
 * then the module's logfmt record (`tag=... code=...`) or its JSON
 * object (log_format json); with the JSON log engine the line is a JSON
 * object whose "message" member holds that text.
 */
#include <stdlib.h>
#include <string.h>

#include "cli_report.h"

#define KEYS 9
static const char *const rep_keys[KEYS] = {"tag", "code", "category",
		"blame", "vendor", "callid", "dst", "pdd_ms", "branch"};

typedef struct vals {
	cli_buf_t v[KEYS];
	int have[KEYS];
} vals_t;

static const char *find(const char *hay, size_t n, const char *s)
{
	size_t i, m = strlen(s);

	for(i = 0; i + m <= n; i++)
		if(hay[i] == s[0] && memcmp(hay + i, s, m) == 0)
			return hay + i;
	return NULL;
}

static int hexval(char c)
{
	if(c >= '0' && c <= '9')
		return c - '0';
	if(c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if(c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int key_index(const char *k, size_t n)
{
	int i;

	for(i = 0; i < KEYS; i++)
		if(strlen(rep_keys[i]) == n && memcmp(rep_keys[i], k, n) == 0)
			return i;
	return -1;
}

/* A JSON string at p[*i] (on the opening quote) into out (NULL: skip);
 * \uXXXX below 0x80 as the byte, others as UTF-8. NULL, or why not. */
static const char *json_string(const char *p, size_t n, size_t *i,
		cli_buf_t *out)
{
	char c, u8[3];
	int h[4], k;
	unsigned int cp;

	for((*i)++;; (*i)++) {
		if(*i >= n)
			return "unterminated JSON string";
		c = p[*i];
		if(c == '"')
			break;
		if(c == '\\') {
			if(++*i >= n)
				return "unterminated JSON string";
			c = p[*i];
			switch(c) {
				case 'n': c = '\n'; break;
				case 't': c = '\t'; break;
				case 'r': c = '\r'; break;
				case 'b': c = '\b'; break;
				case 'f': c = '\f'; break;
				case 'u':
					for(k = 0; k < 4; k++)
						if(*i + 1 + k >= n || (h[k] = hexval(p[*i + 1 + k])) < 0)
							return "bad \\u escape";
					cp = (unsigned int)(h[0] << 12 | h[1] << 8 | h[2] << 4 | h[3]);
					*i += 4;
					if(cp >= 0x80) {
						u8[0] = (char)(0xC0 | (cp >> 6 & 0x1F));
						u8[1] = (char)(0x80 | (cp & 0x3F));
						if(cp >= 0x800) {
							u8[0] = (char)(0xE0 | cp >> 12);
							u8[1] = (char)(0x80 | (cp >> 6 & 0x3F));
							u8[2] = (char)(0x80 | (cp & 0x3F));
						}
						if(out && cli_buf_add(out, u8, cp >= 0x800 ? 3 : 2) < 0)
							return "out of memory";
						continue;
					}
					c = (char)cp;
					break;
				default:
					if(c != '"' && c != '\\' && c != '/')
						return "bad escape in a JSON string";
			}
		}
		if(out && cli_buf_add(out, &c, 1) < 0)
			return "out of memory";
	}
	(*i)++;
	return NULL;
}

/* A flat JSON object (string, number, null values) at p: the wanted
 * members into v; a member named only (e.g. "message") into extra. */
static const char *json_object(const char *p, size_t n, vals_t *v,
		const char *only, cli_buf_t *extra)
{
	size_t i = 0, ks;
	cli_buf_t key;
	const char *why = NULL;
	int k;

	cli_buf_init(&key);
	while(i < n && p[i] == ' ')
		i++;
	if(i >= n || p[i] != '{')
		return "not a JSON object";
	for(i++;;) {
		while(i < n && (p[i] == ' ' || p[i] == ','))
			i++;
		if(i < n && p[i] == '}')
			break;
		if(i >= n || p[i] != '"') {
			why = "expected a member name";
			break;
		}
		key.len = 0;
		if((why = json_string(p, n, &i, &key)) != NULL)
			break;
		while(i < n && p[i] == ' ')
			i++;
		if(i >= n || p[i++] != ':') {
			why = "expected ':'";
			break;
		}
		while(i < n && p[i] == ' ')
			i++;
		k = only ? -1 : key_index(key.p, key.len);
		if(i < n && p[i] == '"') {
			cli_buf_t *dst = k >= 0 ? &v->v[k] : NULL;
			if(only && key.len == strlen(only) && memcmp(key.p, only, key.len) == 0)
				dst = extra;
			if((why = json_string(p, n, &i, dst)) != NULL)
				break;
			if(k >= 0)
				v->have[k] = 1;
		} else {
			ks = i;
			while(i < n && p[i] != ',' && p[i] != '}' && p[i] != ' ')
				i++;
			if(k >= 0 && !(i - ks == 4 && memcmp(p + ks, "null", 4) == 0)) {
				if(cli_buf_add(&v->v[k], p + ks, i - ks) < 0) {
					why = "out of memory";
					break;
				}
				v->have[k] = 1;
			}
		}
	}
	cli_buf_free(&key);
	return why;
}

/* The module's logfmt record. */
static const char *logfmt(const char *p, size_t n, vals_t *v)
{
	size_t i = 0, ks;
	cli_buf_t *dst;
	int k, h1, h2;
	char c;

	while(i < n) {
		while(i < n && p[i] == ' ')
			i++;
		if(i >= n)
			break;
		ks = i;
		while(i < n && p[i] != '=' && p[i] != ' ')
			i++;
		if(i == ks || i >= n || p[i] != '=')
			return "a key without '='";
		k = key_index(p + ks, i - ks);
		dst = (k >= 0 && !v->have[k]) ? &v->v[k] : NULL;
		i++;
		if(i < n && p[i] == '"') {
			for(i++;; i++) {
				if(i >= n)
					return "unterminated quoted value";
				c = p[i];
				if(c == '"')
					break;
				if(c == '\\') {
					if(++i >= n)
						return "unterminated quoted value";
					c = p[i];
					if(c == 'x') {
						if(i + 2 >= n || (h1 = hexval(p[i + 1])) < 0
								|| (h2 = hexval(p[i + 2])) < 0)
							return "bad \\x escape";
						c = (char)(h1 * 16 + h2);
						i += 2;
					} else if(c != '"' && c != '\\')
						return "bad escape in a quoted value";
				}
				if(dst && cli_buf_add(dst, &c, 1) < 0)
					return "out of memory";
			}
			i++;
		} else {
			ks = i;
			while(i < n && p[i] != ' ')
				i++;
			if(dst && cli_buf_add(dst, p + ks, i - ks) < 0)
				return "out of memory";
		}
		if(dst)
			v->have[k] = 1;
	}
	return NULL;
}

static char *dup_val(vals_t *v, int k, size_t skip)
{
	size_t len = v->have[k] ? v->v[k].len : 0;
	char *s;

	if(skip > len)
		skip = 0;
	s = malloc(len - skip + 1);
	if(s == NULL)
		return NULL;
	if(len > skip)
		memcpy(s, v->v[k].p + skip, len - skip);
	s[len - skip] = '\0';
	return s;
}

/* a number value, -1 when empty, absent or not a number */
static long num_val(vals_t *v, int k, unsigned long max)
{
	char tmp[24];
	unsigned long x;

	if(!v->have[k] || v->v[k].len == 0 || v->v[k].len >= sizeof(tmp))
		return -1;
	memcpy(tmp, v->v[k].p, v->v[k].len);
	tmp[v->v[k].len] = '\0';
	return cli_parse_uint(tmp, max, &x) < 0 ? -1 : (long)x;
}

static const char *to_rec(vals_t *v, rep_rec_t *r)
{
	sipoutcome_tag_t tag;
	long code;

	if(!v->have[0]
			|| sipoutcome_tag_parse(v->v[0].p, v->v[0].len, &tag) != SIPOUTCOME_OK)
		return "tag is not COMPLETED, BUSY, NO_ANSWER, CANCELED or FAILED";
	code = num_val(v, 1, 699);
	if(code < 100)
		return "code is not a status code 100..699";
	if(!v->have[4] || v->v[4].len == 0)
		return "no vendor";
	r->tag = (int)tag;
	r->code = (int)code;
	r->pdd_ms = num_val(v, 7, 999999999);
	r->branch = (int)num_val(v, 8, 31);
	r->category = dup_val(v, 2, 0);
	r->blame = dup_val(v, 3, 0);
	r->vendor = dup_val(v, 4, 0);
	r->callid = dup_val(v, 5, 0);
	r->dst = dup_val(v, 6,
			v->have[6] && v->v[6].len > 4 && memcmp(v->v[6].p, "sip:", 4) == 0
					? 4
					: 0);
	if(!r->category || !r->blame || !r->vendor || !r->callid || !r->dst)
		return "out of memory";
	return NULL;
}

static int body(const char *p, size_t n, rep_rec_t *r, const char **why)
{
	const char *m, *a = find(p, n, "sipoutcome-attempt: "), *c;
	vals_t v;
	int k;

	c = find(p, n, "sipoutcome: ");
	m = a ? a + 20 : c ? c + 12 : NULL;
	if(m == NULL)
		return 0;
	n -= (size_t)(m - p);
	if(!(n >= 4 && memcmp(m, "tag=", 4) == 0) && !(n >= 1 && m[0] == '{'))
		return 0;
	memset(&v, 0, sizeof(v));
	for(k = 0; k < KEYS; k++)
		cli_buf_init(&v.v[k]);
	r->attempt = a != NULL;
	*why = m[0] == '{' ? json_object(m, n, &v, NULL, NULL) : logfmt(m, n, &v);
	if(*why == NULL)
		*why = to_rec(&v, r);
	for(k = 0; k < KEYS; k++)
		cli_buf_free(&v.v[k]);
	return *why ? -1 : 1;
}

int rep_parse_line(const char *p, size_t n, int engine, rep_rec_t *r,
		const char **why)
{
	cli_buf_t msg, ts;
	vals_t v;
	size_t used, i;
	int rc, k;
	time_t when = (time_t)-1;
	struct tm now;
	time_t t = time(NULL);

	memset(r, 0, sizeof(*r));
	gmtime_r(&t, &now);
	if(engine == REP_JSON_ENGINE) {
		if(find(p, n, "sipoutcome") == NULL)
			return 0;
		cli_buf_init(&msg);
		memset(&v, 0, sizeof(v));
		for(k = 0; k < KEYS; k++)
			cli_buf_init(&v.v[k]);
		*why = json_object(p, n, &v, "message", &msg);
		for(k = 0; k < KEYS; k++)
			cli_buf_free(&v.v[k]);
		cli_buf_init(&ts);
		/* a time member of the object, when the engine writes one */
		for(i = 0; !*why && i < 2 && when == (time_t)-1; i++) {
			const char *f = find(p, n, i ? "\"time\":\"" : "\"timestamp\":\"");
			if(f)
				when = rep_parse_time(f + (i ? 8 : 13),
						n - (size_t)(f - p) - (i ? 8 : 13), now.tm_year + 1900,
						&used);
		}
		cli_buf_free(&ts);
		rc = *why ? -1 : body(msg.p ? msg.p : "", msg.len, r, why);
		cli_buf_free(&msg);
	} else {
		rc = body(p, n, r, why);
		if(rc == 1)
			when = rep_parse_time(p, n, now.tm_year + 1900, &used);
	}
	r->when = when;
	return rc;
}

void rep_rec_free(rep_rec_t *r)
{
	free(r->category);
	free(r->blame);
	free(r->vendor);
	free(r->callid);
	free(r->dst);
	r->category = r->blame = r->vendor = r->callid = r->dst = NULL;
}

static int digits(const char *s, size_t n, size_t at, int len, int *out)
{
	int i, v = 0;

	if(at + (size_t)len > n)
		return -1;
	for(i = 0; i < len; i++) {
		if(s[at + i] < '0' || s[at + i] > '9')
			return -1;
		v = v * 10 + (s[at + i] - '0');
	}
	*out = v;
	return 0;
}

time_t rep_parse_time(const char *s, size_t n, int year, size_t *used)
{
	static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;
	size_t at = 0;
	int i, d;

	memset(&tm, 0, sizeof(tm));
	while(at < n && s[at] == ' ')
		at++;
	if(digits(s, n, at, 4, &tm.tm_year) == 0 && at + 10 <= n
			&& s[at + 4] == '-' && s[at + 7] == '-') {
		tm.tm_year -= 1900;
		if(digits(s, n, at + 5, 2, &tm.tm_mon) < 0
				|| digits(s, n, at + 8, 2, &tm.tm_mday) < 0)
			return (time_t)-1;
		tm.tm_mon--;
		at += 10;
		if(at + 6 <= n && (s[at] == 'T' || s[at] == ' ')
				&& digits(s, n, at + 1, 2, &tm.tm_hour) == 0 && s[at + 3] == ':'
				&& digits(s, n, at + 4, 2, &tm.tm_min) == 0) {
			at += 6;
			if(at + 3 <= n && s[at] == ':'
					&& digits(s, n, at + 1, 2, &tm.tm_sec) == 0)
				at += 3;
		}
	} else if(at + 15 <= n && s[at + 3] == ' ') {
		for(i = 0; i < 12; i++)
			if(memcmp(s + at, mon + 3 * i, 3) == 0)
				break;
		if(i == 12)
			return (time_t)-1;
		tm.tm_mon = i;
		d = s[at + 4] == ' ' ? 5 : 4;
		if(digits(s, n, at + d, s[at + 4] == ' ' ? 1 : 2, &tm.tm_mday) < 0
				|| digits(s, n, at + 7, 2, &tm.tm_hour) < 0 || s[at + 9] != ':'
				|| digits(s, n, at + 10, 2, &tm.tm_min) < 0 || s[at + 12] != ':'
				|| digits(s, n, at + 13, 2, &tm.tm_sec) < 0)
			return (time_t)-1;
		tm.tm_year = year - 1900;
		at += 15;
	} else {
		return (time_t)-1;
	}
	*used = at;
	return timegm(&tm);
}
