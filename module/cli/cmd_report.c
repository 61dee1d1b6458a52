/*
 * sipoutcome report LOG...: the distribution of outcomes in the module's
 * log lines (`sipoutcome: tag=... code=... vendor=...`, anywhere in a
 * line, e.g. after Kamailio's or syslog's prefix), per tag, per code and
 * per vendor, as a table, CSV or JSON. Lines without the marker are not
 * ours and are ignored; a line with it that does not parse is reported.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MARKER "sipoutcome: tag="
#define MARKER_LEN (sizeof(MARKER) - 1)

enum report_format { FMT_TABLE, FMT_CSV, FMT_JSON };

typedef struct vendor_count {
	char *name; /* owned */
	size_t len;
	unsigned long count;
} vendor_count_t;

typedef struct stats {
	unsigned long total;
	unsigned long unreadable;
	unsigned long tag[SIPOUTCOME_TAG_COUNT];
	unsigned long code[600]; /* index code - 100, code checked 100..699 */
	vendor_count_t *v;		 /* owned array */
	size_t nv, capv;
} stats_t;

/* The fields of one line that the report needs. */
typedef struct fields {
	cli_buf_t tag, code, vendor; /* unescaped values */
	int have_tag, have_code, have_vendor;
} fields_t;

static const char *find(const char *hay, size_t n, const char *needle, size_t m)
{
	size_t i;

	for(i = 0; i + m <= n; i++)
		if(hay[i] == needle[0] && memcmp(hay + i, needle, m) == 0)
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

/* Parse `key=value key="quoted \" value" ...` (the engine's logfmt) and
 * keep tag, code and vendor (first occurrence). Returns NULL, or why the
 * line does not parse (a static string). */
static const char *parse_logfmt(const char *p, size_t n, fields_t *f)
{
	size_t i = 0, ks;
	cli_buf_t *dst;
	int *have;

	while(i < n) {
		while(i < n && p[i] == ' ')
			i++;
		if(i >= n)
			break;
		ks = i;
		while(i < n
				&& ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z')
						|| (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
			i++;
		if(i == ks)
			return "expected a key";
		if(i >= n || p[i] != '=')
			return "a key without '='";
		dst = NULL;
		have = NULL;
		if(i - ks == 3 && memcmp(p + ks, "tag", 3) == 0 && !f->have_tag) {
			dst = &f->tag;
			have = &f->have_tag;
		} else if(i - ks == 4 && memcmp(p + ks, "code", 4) == 0
				  && !f->have_code) {
			dst = &f->code;
			have = &f->have_code;
		} else if(i - ks == 6 && memcmp(p + ks, "vendor", 6) == 0
				  && !f->have_vendor) {
			dst = &f->vendor;
			have = &f->have_vendor;
		}
		i++;
		if(i < n && p[i] == '"') {
			for(i++;; i++) {
				char c;
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
						int h1, h2;
						if(i + 2 >= n || (h1 = hexval(p[i + 1])) < 0
								|| (h2 = hexval(p[i + 2])) < 0)
							return "bad \\x escape";
						c = (char)(h1 * 16 + h2);
						i += 2;
					} else if(c != '"' && c != '\\') {
						return "bad escape in a quoted value";
					}
				}
				if(dst != NULL && cli_buf_add(dst, &c, 1) < 0)
					return "out of memory";
			}
			i++;
			if(i < n && p[i] != ' ')
				return "text right after a quoted value";
		} else {
			ks = i;
			while(i < n && p[i] != ' ')
				i++;
			if(dst != NULL && cli_buf_add(dst, p + ks, i - ks) < 0)
				return "out of memory";
		}
		if(have != NULL)
			*have = 1;
	}
	return NULL;
}

static int add_vendor(stats_t *st, const char *name, size_t len)
{
	size_t i;
	vendor_count_t *nv;

	for(i = 0; i < st->nv; i++) {
		if(st->v[i].len == len && memcmp(st->v[i].name, name, len) == 0) {
			st->v[i].count++;
			return 0;
		}
	}
	if(st->nv == st->capv) {
		size_t cap = st->capv ? st->capv * 2 : 8;
		nv = realloc(st->v, cap * sizeof(*nv));
		if(nv == NULL)
			return -1;
		st->v = nv;
		st->capv = cap;
	}
	st->v[st->nv].name = malloc(len + 1);
	if(st->v[st->nv].name == NULL)
		return -1;
	memcpy(st->v[st->nv].name, name, len);
	st->v[st->nv].name[len] = '\0';
	st->v[st->nv].len = len;
	st->v[st->nv].count = 1;
	st->nv++;
	return 0;
}

/* One line (without its line end); NULL when counted or not ours, else
 * why it is unreadable. */
static const char *one_line(stats_t *st, fields_t *f, const char *p, size_t n)
{
	const char *m = find(p, n, MARKER, MARKER_LEN), *why;
	sipoutcome_tag_t tag;
	unsigned long code;

	if(m == NULL)
		return NULL;
	m += MARKER_LEN - 4; /* at "tag=" */
	f->tag.len = f->code.len = f->vendor.len = 0;
	f->have_tag = f->have_code = f->have_vendor = 0;
	why = parse_logfmt(m, (size_t)(p + n - m), f);
	if(why != NULL)
		return why;
	if(!f->have_tag || f->tag.len == 0
			|| sipoutcome_tag_parse(f->tag.p, f->tag.len, &tag)
					   != SIPOUTCOME_OK)
		return "tag is not COMPLETED, BUSY, NO_ANSWER, CANCELED or FAILED";
	if(!f->have_code || f->code.len != 3
			|| memchr(f->code.p, '\0', f->code.len) != NULL
			|| cli_parse_uint(f->code.p, 699, &code) < 0 || code < 100)
		return "code is not a status code 100..699";
	if(!f->have_vendor || f->vendor.len == 0)
		return "no vendor";
	if(add_vendor(st, f->vendor.p, f->vendor.len) < 0)
		return "out of memory";
	st->total++;
	st->tag[tag]++;
	st->code[code - 100]++;
	return NULL;
}

static int read_log(stats_t *st, fields_t *f, const char *path)
{
	const char *name = cli_input_name(path);
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long no = 0;
	const char *why;
	int status = CLI_EXIT_OK;

	if(in == NULL) {
		fprintf(stderr, "sipoutcome: %s: cannot read: %s\n", name,
				strerror(errno));
		return CLI_EXIT_UNREADABLE;
	}
	errno = 0;
	while((n = getline(&line, &cap, in)) >= 0) {
		no++;
		while(n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		why = one_line(st, f, line, (size_t)n);
		if(why != NULL) {
			fprintf(stderr, "%s:%lu: unreadable sipoutcome line: %s\n", name,
					no, why);
			st->unreadable++;
			status = CLI_EXIT_UNREADABLE;
		}
	}
	if(ferror(in)) {
		fprintf(stderr, "sipoutcome: %s: read error: %s\n", name,
				strerror(errno));
		status = CLI_EXIT_UNREADABLE;
	}
	free(line);
	if(in != stdin)
		fclose(in);
	return status;
}

static double pct(unsigned long n, unsigned long total)
{
	return total ? 100.0 * (double)n / (double)total : 0.0;
}

static int by_count(const void *a, const void *b)
{
	const vendor_count_t *x = a, *y = b;
	size_t m = x->len < y->len ? x->len : y->len;
	int c;

	if(x->count != y->count)
		return x->count > y->count ? -1 : 1;
	c = memcmp(x->name, y->name, m);
	if(c != 0)
		return c;
	return x->len < y->len ? -1 : (x->len > y->len);
}

static const char *code_phrase(int code)
{
	const sipoutcome_code_t *row = sipoutcome_code_lookup(code);
	return row ? row->phrase : "(unregistered)";
}

static int digits(unsigned long v)
{
	int d = 1;
	while(v >= 10) {
		v /= 10;
		d++;
	}
	return d;
}

static void print_table(const stats_t *st)
{
	unsigned long maxc = 0;
	size_t w_tag = 3, w_phrase = 6, w_vendor = 6, i;
	int w_count, k;
	char p[16];

	for(k = 1; k < SIPOUTCOME_TAG_COUNT; k++)
		if(strlen(sipoutcome_tag_name(k)) > w_tag)
			w_tag = strlen(sipoutcome_tag_name(k));
	for(i = 0; i < 600; i++)
		if(st->code[i] && strlen(code_phrase((int)i + 100)) > w_phrase)
			w_phrase = strlen(code_phrase((int)i + 100));
	for(i = 0; i < st->nv; i++)
		if(st->v[i].len > w_vendor)
			w_vendor = st->v[i].len;
	maxc = st->total;
	w_count = digits(maxc) > 5 ? digits(maxc) : 5;

	printf("%lu outcome%s, %lu unreadable line%s\n\n", st->total,
			st->total == 1 ? "" : "s", st->unreadable,
			st->unreadable == 1 ? "" : "s");
	printf("%-*s  %*s  %7s\n", (int)w_tag, "TAG", w_count, "COUNT", "PERCENT");
	for(k = 1; k < SIPOUTCOME_TAG_COUNT; k++) {
		snprintf(p, sizeof(p), "%.1f%%", pct(st->tag[k], st->total));
		printf("%-*s  %*lu  %7s\n", (int)w_tag, sipoutcome_tag_name(k), w_count,
				st->tag[k], p);
	}
	printf("\nCODE  %-*s  %*s  %7s\n", (int)w_phrase, "PHRASE", w_count,
			"COUNT", "PERCENT");
	for(i = 0; i < 600; i++) {
		if(st->code[i] == 0)
			continue;
		snprintf(p, sizeof(p), "%.1f%%", pct(st->code[i], st->total));
		printf("%-4d  %-*s  %*lu  %7s\n", (int)i + 100, (int)w_phrase,
				code_phrase((int)i + 100), w_count, st->code[i], p);
	}
	printf("\n%-*s  %*s  %7s\n", (int)w_vendor, "VENDOR", w_count, "COUNT",
			"PERCENT");
	for(i = 0; i < st->nv; i++) {
		snprintf(p, sizeof(p), "%.1f%%", pct(st->v[i].count, st->total));
		cli_text_str(stdout, st->v[i].name, st->v[i].len);
		printf("%*s  %*lu  %7s\n", (int)(w_vendor - st->v[i].len), "", w_count,
				st->v[i].count, p);
	}
}

/* RFC 4180 field: quoted when it holds a comma, quote, CR or LF. */
static void csv_field(const char *s, size_t n)
{
	size_t i;

	if(strcspn(s, ",\"\r\n") >= n) {
		fwrite(s, 1, n, stdout);
		return;
	}
	fputc('"', stdout);
	for(i = 0; i < n; i++) {
		if(s[i] == '"')
			fputc('"', stdout);
		fputc(s[i], stdout);
	}
	fputc('"', stdout);
}

static void print_csv(const stats_t *st)
{
	size_t i;
	int k;

	printf("section,key,count,percent\n");
	printf("total,outcomes,%lu,\n", st->total);
	printf("total,unreadable,%lu,\n", st->unreadable);
	for(k = 1; k < SIPOUTCOME_TAG_COUNT; k++)
		printf("tag,%s,%lu,%.1f\n", sipoutcome_tag_name(k), st->tag[k],
				pct(st->tag[k], st->total));
	for(i = 0; i < 600; i++)
		if(st->code[i])
			printf("code,%d,%lu,%.1f\n", (int)i + 100, st->code[i],
					pct(st->code[i], st->total));
	for(i = 0; i < st->nv; i++) {
		fputs("vendor,", stdout);
		csv_field(st->v[i].name, st->v[i].len);
		printf(",%lu,%.1f\n", st->v[i].count, pct(st->v[i].count, st->total));
	}
}

static void print_json(const stats_t *st)
{
	const char *sep = "";
	size_t i;
	int k;

	printf("{\n  \"total\": %lu,\n  \"unreadable\": %lu,\n  \"tags\": [",
			st->total, st->unreadable);
	for(k = 1; k < SIPOUTCOME_TAG_COUNT; k++) {
		printf("%s\n    {\"tag\": \"%s\", \"count\": %lu, \"percent\": %.1f}",
				sep, sipoutcome_tag_name(k), st->tag[k],
				pct(st->tag[k], st->total));
		sep = ",";
	}
	printf("\n  ],\n  \"codes\": [");
	sep = "";
	for(i = 0; i < 600; i++) {
		if(st->code[i] == 0)
			continue;
		printf("%s\n    {\"code\": %d, \"phrase\": ", sep, (int)i + 100);
		cli_json_str(stdout, code_phrase((int)i + 100),
				strlen(code_phrase((int)i + 100)));
		printf(", \"count\": %lu, \"percent\": %.1f}", st->code[i],
				pct(st->code[i], st->total));
		sep = ",";
	}
	printf("%s],\n  \"vendors\": [", *sep ? "\n  " : "");
	sep = "";
	for(i = 0; i < st->nv; i++) {
		printf("%s\n    {\"vendor\": ", sep);
		cli_json_str(stdout, st->v[i].name, st->v[i].len);
		printf(", \"count\": %lu, \"percent\": %.1f}", st->v[i].count,
				pct(st->v[i].count, st->total));
		sep = ",";
	}
	printf("%s]\n}\n", *sep ? "\n  " : "");
}

int cli_report(int argc, char **argv)
{
	static const struct option longopts[] = {
			{"format", required_argument, 0, 'f'},
			{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	enum report_format fmt = FMT_TABLE;
	stats_t st;
	fields_t f;
	size_t i;
	int c, rc, status = CLI_EXIT_OK;

	memset(&st, 0, sizeof(st));
	memset(&f, 0, sizeof(f));
	cli_buf_init(&f.tag);
	cli_buf_init(&f.code);
	cli_buf_init(&f.vendor);
	while((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch(c) {
			case 'f':
				if(strcmp(optarg, "table") == 0)
					fmt = FMT_TABLE;
				else if(strcmp(optarg, "csv") == 0)
					fmt = FMT_CSV;
				else if(strcmp(optarg, "json") == 0)
					fmt = FMT_JSON;
				else {
					fprintf(stderr, "sipoutcome: report: --format is table, "
									"csv or json\n");
					status = CLI_EXIT_USAGE;
				}
				break;
			case 'h':
				cli_usage(stdout);
				return CLI_EXIT_OK;
			default:
				status = CLI_EXIT_USAGE;
				break;
		}
		if(status != CLI_EXIT_OK) {
			fprintf(stderr, "Try 'sipoutcome --help'.\n");
			return status;
		}
	}
	if(optind >= argc) {
		status = read_log(&st, &f, "-");
	} else {
		for(; optind < argc; optind++) {
			rc = read_log(&st, &f, argv[optind]);
			if(rc != CLI_EXIT_OK)
				status = rc;
		}
	}
	if(st.nv > 1)
		qsort(st.v, st.nv, sizeof(*st.v), by_count);
	if(fmt == FMT_CSV)
		print_csv(&st);
	else if(fmt == FMT_JSON)
		print_json(&st);
	else
		print_table(&st);
	status = cli_finish_output(status);
	for(i = 0; i < st.nv; i++)
		free(st.v[i].name);
	free(st.v);
	cli_buf_free(&f.tag);
	cli_buf_free(&f.code);
	cli_buf_free(&f.vendor);
	return status;
}
