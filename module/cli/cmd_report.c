/*
 * sipoutcome report LOG...: the "group by SIP result" report. From the
 * module's call lines (`sipoutcome: `) per vendor and its attempt lines
 * (`sipoutcome-attempt: `) per gateway: outcomes by tag and by category
 * with counts and shares, ASR and NER (ITU-T E.411), SER, SEER and ISA
 * (RFC 6076 4.6 to 4.8), PDD median and 95th percentile; optionally per
 * hour and within --since/--until. One row per Call-ID (per Call-ID and
 * branch for attempts), however often a line repeats. Lines are found
 * in plain stderr or syslog output, or in Kamailio's JSON log engine
 * (--log-engine=json). Input with no outcome line is an error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli_report.h"

enum report_format { FMT_TEXT, FMT_CSV, FMT_JSON };

typedef struct vec {
	rep_rec_t *r;
	size_t n, cap;
} vec_t;

/* One group: a vendor's calls or a gateway's attempts (in one hour). */
typedef struct group {
	int attempt;
	time_t hour; /* -1 without --by hour */
	const char *name;
	unsigned long n, tag[SIPOUTCOME_TAG_COUNT], network;
	unsigned long r2xx, r3xx, seer, isa;
	const char *cat[SIPOUTCOME_CAT_COUNT + 8];
	unsigned long catn[SIPOUTCOME_CAT_COUNT + 8];
	size_t ncat;
	long *pdd;
	size_t npdd;
} group_t;

typedef struct report {
	vec_t v;
	group_t *g;
	size_t ng, capg;
	unsigned long unreadable, lines;
	time_t since, until;
	int by_hour;
} report_t;

static int read_log(report_t *rp, const char *path, int engine)
{
	const char *name = cli_input_name(path), *why;
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long no = 0;
	rep_rec_t r;
	int rc, status = CLI_EXIT_OK;

	if(in == NULL) {
		fprintf(stderr, "sipoutcome: %s: cannot read: %s\n", name,
				strerror(errno));
		return CLI_EXIT_UNREADABLE;
	}
	while((n = getline(&line, &cap, in)) >= 0) {
		no++;
		while(n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		rc = rep_parse_line(line, (size_t)n, engine, &r, &why);
		if(rc < 0) {
			fprintf(stderr, "%s:%lu: unreadable sipoutcome line: %s\n", name,
					no, why);
			rep_rec_free(&r);
			rp->unreadable++;
			status = CLI_EXIT_UNREADABLE;
			continue;
		}
		if(rc == 0)
			continue;
		rp->lines++;
		if((rp->since != (time_t)-1 || rp->until != (time_t)-1)
				&& (r.when == (time_t)-1
						|| (rp->since != (time_t)-1 && r.when < rp->since)
						|| (rp->until != (time_t)-1 && r.when >= rp->until))) {
			rep_rec_free(&r);
			continue;
		}
		if(rp->v.n == rp->v.cap) {
			size_t c = rp->v.cap ? rp->v.cap * 2 : 256;
			rep_rec_t *nr = realloc(rp->v.r, c * sizeof(*nr));
			if(nr == NULL) {
				fprintf(stderr, "sipoutcome: out of memory\n");
				rep_rec_free(&r);
				status = CLI_EXIT_UNREADABLE;
				break;
			}
			rp->v.r = nr;
			rp->v.cap = c;
		}
		r.seq = rp->v.n;
		rp->v.r[rp->v.n++] = r;
	}
	free(line);
	if(in != stdin)
		fclose(in);
	return status;
}

/* calls before attempts, then Call-ID, branch, input order */
static int by_id(const void *a, const void *b)
{
	const rep_rec_t *x = a, *y = b;
	int c;

	if(x->attempt != y->attempt)
		return x->attempt - y->attempt;
	if((c = strcmp(x->callid, y->callid)) != 0)
		return c;
	if(x->branch != y->branch)
		return x->branch - y->branch;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

static group_t *group_of(report_t *rp, const rep_rec_t *r)
{
	const char *name = r->attempt ? r->dst : r->vendor;
	time_t hour = rp->by_hour && r->when != (time_t)-1
						  ? r->when - r->when % 3600
						  : (time_t)-1;
	size_t i;
	group_t *ng;

	for(i = 0; i < rp->ng; i++)
		if(rp->g[i].attempt == r->attempt && rp->g[i].hour == hour
				&& strcmp(rp->g[i].name, name) == 0)
			return &rp->g[i];
	if(rp->ng == rp->capg) {
		size_t c = rp->capg ? rp->capg * 2 : 16;
		ng = realloc(rp->g, c * sizeof(*ng));
		if(ng == NULL)
			return NULL;
		rp->g = ng;
		rp->capg = c;
	}
	ng = &rp->g[rp->ng++];
	memset(ng, 0, sizeof(*ng));
	ng->attempt = r->attempt;
	ng->hour = hour;
	ng->name = name;
	ng->pdd = malloc(rp->v.n * sizeof(long));
	return ng->pdd ? ng : NULL;
}

static int add(report_t *rp, const rep_rec_t *r)
{
	group_t *g = group_of(rp, r);
	size_t i;
	int c = r->code;

	if(g == NULL)
		return -1;
	g->n++;
	g->tag[r->tag]++;
	if(strcmp(r->blame, "network") == 0 || strcmp(r->blame, "proxy") == 0)
		g->network++;
	if(c >= 200 && c < 300)
		g->r2xx++;
	else if(c >= 300 && c < 400)
		g->r3xx++;
	/* RFC 6076 4.7: 480, 486, 600 and 603 are effective too */
	if(c == 480 || c == 486 || c == 600 || c == 603)
		g->seer++;
	/* RFC 6076 4.8: ineffective session attempts */
	if(c == 408 || c == 500 || c == 503 || c == 504)
		g->isa++;
	for(i = 0; i < g->ncat; i++)
		if(strcmp(g->cat[i], r->category) == 0)
			break;
	if(i == g->ncat && g->ncat < sizeof(g->cat) / sizeof(g->cat[0]))
		g->cat[g->ncat++] = r->category;
	if(i < g->ncat)
		g->catn[i]++;
	if(r->pdd_ms >= 0)
		g->pdd[g->npdd++] = r->pdd_ms;
	return 0;
}

static double share(unsigned long a, unsigned long b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

/* nearest-rank percentile of the sorted PDDs, -1 when none */
static long pctl(const group_t *g, double q)
{
	size_t k;

	if(g->npdd == 0)
		return -1;
	k = (size_t)(q * (double)g->npdd + 0.999999);
	return g->pdd[(k ? k : 1) - 1];
}

typedef struct kpi {
	double asr, ner, ser, seer, isa;
	int has_ser;
} kpi_t;

static void kpis(const group_t *g, kpi_t *k)
{
	unsigned long den = g->n - g->r3xx;

	k->asr = share(g->tag[SIPOUTCOME_TAG_COMPLETED], g->n);
	k->ner = share(g->n - g->network, g->n);
	k->has_ser = den > 0;
	k->ser = share(g->r2xx, den);
	k->seer = share(g->r2xx + g->seer, den);
	k->isa = share(g->isa, g->n);
}

static void hour_text(time_t h, char *buf, size_t cap)
{
	struct tm tm;

	if(h == (time_t)-1) {
		buf[0] = '\0';
		return;
	}
	gmtime_r(&h, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:00", &tm);
}

static void print_text(const report_t *rp, unsigned long calls,
		unsigned long attempts)
{
	char hour[32];
	size_t i, j;
	kpi_t k;
	int t;

	printf("%lu calls (one per Call-ID), %lu attempts, %lu unreadable line%s\n",
			calls, attempts, rp->unreadable, rp->unreadable == 1 ? "" : "s");
	for(i = 0; i < rp->ng; i++) {
		const group_t *g = &rp->g[i];
		kpis(g, &k);
		hour_text(g->hour, hour, sizeof(hour));
		printf("\n%s %s%s%s: %lu %s\n", g->attempt ? "GATEWAY" : "VENDOR",
				g->name, *hour ? " HOUR " : "", hour, g->n,
				g->attempt ? "attempts" : "calls");
		printf("  ASR %.1f%%  NER %.1f%%  SER %s%.1f%%  SEER %.1f%%  ISA %.1f%%",
				k.asr, k.ner, k.has_ser ? "" : "n/a ", k.ser, k.seer, k.isa);
		if(g->npdd)
			printf("  PDD median %ld ms p95 %ld ms (%lu rang)", pctl(g, 0.5),
					pctl(g, 0.95), (unsigned long)g->npdd);
		printf("\n  %-14s %7s %7s\n", "TAG", "COUNT", "SHARE");
		for(t = 1; t < SIPOUTCOME_TAG_COUNT; t++)
			if(g->tag[t])
				printf("  %-14s %7lu %6.1f%%\n", sipoutcome_tag_name(t),
						g->tag[t], share(g->tag[t], g->n));
		printf("  %-14s %7s %7s\n", "CATEGORY", "COUNT", "SHARE");
		for(j = 0; j < g->ncat; j++)
			printf("  %-14s %7lu %6.1f%%\n", *g->cat[j] ? g->cat[j] : "-",
					g->catn[j], share(g->catn[j], g->n));
	}
}

static void print_csv(const report_t *rp)
{
	char hour[32];
	size_t i, j;
	kpi_t k;
	int t;

	printf("section,name,hour,key,value,count,share\n");
	for(i = 0; i < rp->ng; i++) {
		const group_t *g = &rp->g[i];
		const char *sec = g->attempt ? "gateway" : "vendor";
		kpis(g, &k);
		hour_text(g->hour, hour, sizeof(hour));
		printf("%s,%s,%s,total,,%lu,100.0\n", sec, g->name, hour, g->n);
		for(t = 1; t < SIPOUTCOME_TAG_COUNT; t++)
			printf("%s,%s,%s,tag,%s,%lu,%.1f\n", sec, g->name, hour,
					sipoutcome_tag_name(t), g->tag[t], share(g->tag[t], g->n));
		for(j = 0; j < g->ncat; j++)
			printf("%s,%s,%s,category,%s,%lu,%.1f\n", sec, g->name, hour,
					g->cat[j], g->catn[j], share(g->catn[j], g->n));
		printf("%s,%s,%s,kpi,asr,,%.1f\n%s,%s,%s,kpi,ner,,%.1f\n", sec,
				g->name, hour, k.asr, sec, g->name, hour, k.ner);
		printf("%s,%s,%s,kpi,ser,,%.1f\n%s,%s,%s,kpi,seer,,%.1f\n", sec,
				g->name, hour, k.ser, sec, g->name, hour, k.seer);
		printf("%s,%s,%s,kpi,isa,,%.1f\n", sec, g->name, hour, k.isa);
		if(g->npdd)
			printf("%s,%s,%s,pdd_ms,p50,%ld,\n%s,%s,%s,pdd_ms,p95,%ld,\n", sec,
					g->name, hour, pctl(g, 0.5), sec, g->name, hour,
					pctl(g, 0.95));
	}
}

static void print_json(const report_t *rp, unsigned long calls,
		unsigned long attempts)
{
	char hour[32];
	size_t i, j;
	kpi_t k;
	int t;

	printf("{\"calls\": %lu, \"attempts\": %lu, \"unreadable\": %lu,"
		   " \"groups\": [",
			calls, attempts, rp->unreadable);
	for(i = 0; i < rp->ng; i++) {
		const group_t *g = &rp->g[i];
		kpis(g, &k);
		hour_text(g->hour, hour, sizeof(hour));
		printf("%s\n  {\"section\": \"%s\", \"name\": ", i ? "," : "",
				g->attempt ? "gateway" : "vendor");
		cli_json_str(stdout, g->name, strlen(g->name));
		printf(", \"hour\": ");
		if(*hour)
			printf("\"%s\"", hour);
		else
			printf("null");
		printf(", \"count\": %lu, \"asr\": %.1f, \"ner\": %.1f, \"ser\": %.1f,"
			   " \"seer\": %.1f, \"isa\": %.1f, \"pdd_p50_ms\": %ld,"
			   " \"pdd_p95_ms\": %ld, \"tags\": {",
				g->n, k.asr, k.ner, k.ser, k.seer, k.isa, pctl(g, 0.5),
				pctl(g, 0.95));
		for(t = 1; t < SIPOUTCOME_TAG_COUNT; t++)
			printf("%s\"%s\": %lu", t > 1 ? ", " : "", sipoutcome_tag_name(t),
					g->tag[t]);
		printf("}, \"categories\": {");
		for(j = 0; j < g->ncat; j++) {
			printf("%s", j ? ", " : "");
			cli_json_str(stdout, g->cat[j], strlen(g->cat[j]));
			printf(": %lu", g->catn[j]);
		}
		printf("}}");
	}
	printf("\n]}\n");
}

static int parse_opt_time(const char *opt, const char *s, time_t *out)
{
	size_t used = 0;
	struct tm now;
	time_t t = time(NULL);

	gmtime_r(&t, &now);
	*out = rep_parse_time(s, strlen(s), now.tm_year + 1900, &used);
	if(*out == (time_t)-1 || used != strlen(s)) {
		fprintf(stderr, "sipoutcome: report: %s: '%s' is not a time"
						" (YYYY-MM-DD[THH:MM[:SS]])\n",
				opt, s);
		return -1;
	}
	return 0;
}

/* the options; CLI_EXIT_OK, else the exit status */
static int options(int argc, char **argv, report_t *rp, int *fmt, int *eng)
{
	static const struct option lo[] = {{"format", required_argument, 0, 'f'},
			{"since", required_argument, 0, 's'},
			{"until", required_argument, 0, 'u'},
			{"by", required_argument, 0, 'b'},
			{"log-engine", required_argument, 0, 'e'},
			{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int c, bad;

	while((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		bad = 0;
		if(c == 'f') {
			if(!strcmp(optarg, "text") || !strcmp(optarg, "table"))
				*fmt = FMT_TEXT;
			else if(!strcmp(optarg, "csv"))
				*fmt = FMT_CSV;
			else if(!strcmp(optarg, "json"))
				*fmt = FMT_JSON;
			else
				bad = fprintf(stderr, "sipoutcome: report: --format is text,"
									  " csv or json\n");
		} else if(c == 's' || c == 'u') {
			bad = parse_opt_time(c == 's' ? "--since" : "--until", optarg,
						  c == 's' ? &rp->since : &rp->until)
				  < 0;
		} else if(c == 'b') {
			if(strcmp(optarg, "hour") == 0)
				rp->by_hour = 1;
			else
				bad = fprintf(stderr, "sipoutcome: report: --by is hour\n");
		} else if(c == 'e') {
			if(!strcmp(optarg, "json"))
				*eng = REP_JSON_ENGINE;
			else if(!strcmp(optarg, "plain"))
				*eng = REP_PLAIN;
			else
				bad = fprintf(stderr, "sipoutcome: report: --log-engine is"
									  " plain or json\n");
		} else if(c == 'h') {
			cli_usage(stdout);
			return -1;
		} else {
			bad = 1;
		}
		if(bad) {
			fprintf(stderr, "Try 'sipoutcome --help'.\n");
			return CLI_EXIT_USAGE;
		}
	}
	return CLI_EXIT_OK;
}

int cli_report(int argc, char **argv)
{
	report_t rp;
	unsigned long calls = 0, attempts = 0;
	int fmt = FMT_TEXT, eng = REP_PLAIN, rc, status;
	size_t i;

	memset(&rp, 0, sizeof(rp));
	rp.since = rp.until = (time_t)-1;
	status = options(argc, argv, &rp, &fmt, &eng);
	if(status != CLI_EXIT_OK)
		return status < 0 ? CLI_EXIT_OK : status;
	if(optind >= argc)
		status = read_log(&rp, "-", eng);
	for(; optind < argc; optind++)
		if((rc = read_log(&rp, argv[optind], eng)) != CLI_EXIT_OK)
			status = rc;
	if(rp.v.n > 1)
		qsort(rp.v.r, rp.v.n, sizeof(*rp.v.r), by_id);
	for(i = 0; i < rp.v.n; i++) {
		const rep_rec_t *r = &rp.v.r[i];
		/* a repeated line (same Call-ID, same branch) counts once; a
		 * line without a Call-ID counts on its own */
		if(i > 0 && *r->callid && by_id(r, r - 1) != 0
				&& r->attempt == r[-1].attempt && r->branch == r[-1].branch
				&& strcmp(r->callid, r[-1].callid) == 0)
			continue;
		if(add(&rp, r) < 0) {
			fprintf(stderr, "sipoutcome: out of memory\n");
			status = CLI_EXIT_UNREADABLE;
			break;
		}
		if(r->attempt)
			attempts++;
		else
			calls++;
	}
	for(i = 0; i < rp.ng; i++)
		qsort(rp.g[i].pdd, rp.g[i].npdd, sizeof(long), cmp_long);
	if(calls + attempts == 0) {
		fprintf(stderr, "sipoutcome: report: no sipoutcome outcome lines in"
						" the input%s (%lu outcome line%s before --since/--until)\n",
				rp.unreadable ? " that could be read" : "", rp.lines,
				rp.lines == 1 ? "" : "s");
		status = CLI_EXIT_UNREADABLE;
	} else if(fmt == FMT_CSV)
		print_csv(&rp);
	else if(fmt == FMT_JSON)
		print_json(&rp, calls, attempts);
	else
		print_text(&rp, calls, attempts);
	status = cli_finish_output(status);
	for(i = 0; i < rp.v.n; i++)
		rep_rec_free(&rp.v.r[i]);
	for(i = 0; i < rp.ng; i++)
		free(rp.g[i].pdd);
	free(rp.v.r);
	free(rp.g);
	return status;
}
