/*
 * sipoutcome explain CODE: what a status code means for a call, under a
 * profile and optionally a call context, as key: value lines or JSON.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

typedef struct explain_opts {
	cli_profile_opts_t prof;
	int json;
	unsigned int flags; /* SIPOUTCOME_CTX_* */
	int q850;			/* -1 none */
	const char *reason; /* argv memory, NULL none */
	const char *location; /* RFC 8606 location= of the cause, NULL */
	const char *cancel_reason; /* Reason body of the caller's CANCEL */
} explain_opts_t;

static const char *yes_no(int v)
{
	return v ? "yes" : "no";
}

static void text_kv(const char *k, const char *v)
{
	printf("%s: ", k);
	if(v == NULL || *v == '\0')
		fputs("-", stdout);
	else
		cli_text_str(stdout, v, strlen(v));
	fputc('\n', stdout);
}

static void json_kv(const char *k, const char *v, int last)
{
	printf("  \"%s\": ", k);
	if(v == NULL)
		fputs("null", stdout);
	else
		cli_json_str(stdout, v, strlen(v));
	fputs(last ? "\n" : ",\n", stdout);
}

/* Names of the phrase-check flags, "ok" for none, into dst of cap bytes. */
static const char *phrase_flags(unsigned int f, char *dst, size_t cap)
{
	const cli_flag_name_t *names = cli_phrase_flag_names;
	size_t i, len = 0;
	int n;

	dst[0] = '\0';
	for(i = 0; i < cli_phrase_flag_count; i++) {
		if(!(f & names[i].bit))
			continue;
		n = snprintf(
				dst + len, cap - len, "%s%s", len ? "," : "", names[i].name);
		if(n < 0 || (size_t)n >= cap - len)
			break;
		len += (size_t)n;
	}
	if(len == 0)
		snprintf(dst, cap, "ok");
	return dst;
}

static void print_text(const sipoutcome_result_t *r, int read_as,
		const explain_opts_t *o, const char *flags)
{
	printf("code: %d\n", r->code);
	text_kv("phrase", r->phrase);
	printf("class: %dxx\n", r->klass);
	printf("registered: %s\n", yes_no(r->registered));
	printf("read_as: %d\n", read_as);
	text_kv("rfc", r->rfc);
	printf("tag: %s\n", sipoutcome_tag_name(r->tag));
	printf("category: %s\n", sipoutcome_category_name(r->category));
	printf("retry: %s\n", sipoutcome_retry_name(r->retry));
	printf("blame: %s\n", sipoutcome_blame_name(r->blame));
	if(r->cause > 0)
		printf("cause: %d\n", r->cause);
	else
		printf("cause: -\n");
	{
		const sipoutcome_q850_t *q = sipoutcome_q850_lookup(r->cause);
		text_kv("cause_class", q ? q->klass : NULL);
		text_kv("cause_meaning", q ? q->meaning : NULL);
	}
	printf("dialstatus: %s\n", sipoutcome_dialstatus_name(r->dialstatus));
	text_kv("vendor", r->vendor);
	text_kv("decided_by", r->decided_by);
	text_kv("hint", r->hint);
	text_kv("rewrite", r->rewrite);
	text_kv("meaning", r->meaning);
	if(o->reason != NULL) {
		text_kv("reason", o->reason);
		printf("reason_check: %s\n", flags);
	}
}

static void print_json(const sipoutcome_result_t *r, int read_as,
		const explain_opts_t *o, const char *flags)
{
	char num[16];

	printf("{\n  \"code\": %d,\n", r->code);
	json_kv("phrase", r->phrase, 0);
	printf("  \"class\": \"%dxx\",\n", r->klass);
	printf("  \"registered\": %s,\n", r->registered ? "true" : "false");
	printf("  \"read_as\": %d,\n", read_as);
	json_kv("rfc", r->rfc, 0);
	json_kv("tag", sipoutcome_tag_name(r->tag), 0);
	json_kv("category", sipoutcome_category_name(r->category), 0);
	json_kv("retry", sipoutcome_retry_name(r->retry), 0);
	json_kv("blame", sipoutcome_blame_name(r->blame), 0);
	snprintf(num, sizeof(num), "%d", r->cause);
	printf("  \"cause\": %s,\n", r->cause > 0 ? num : "null");
	json_kv("cause_meaning",
			sipoutcome_q850_lookup(r->cause)
					? sipoutcome_q850_lookup(r->cause)->meaning
					: NULL,
			0);
	json_kv("dialstatus", sipoutcome_dialstatus_name(r->dialstatus), 0);
	json_kv("vendor", r->vendor, 0);
	json_kv("decided_by", r->decided_by, 0);
	json_kv("hint", r->hint, 0);
	json_kv("rewrite", r->rewrite, 0);
	json_kv("meaning", r->meaning, o->reason == NULL);
	if(o->reason != NULL) {
		json_kv("reason", o->reason, 0);
		json_kv("reason_check", flags, 1);
	}
	fputs("}\n", stdout);
}

/* CODE: digits only, 100..699; 0, or an exit status after a message. */
static int parse_code(const char *s, int *code)
{
	unsigned long v;

	if(cli_parse_uint(s, 99999, &v) < 0) {
		fprintf(stderr,
				"sipoutcome: explain: '%s' is not a status code "
				"(three digits, 100..699)\n",
				s);
		return CLI_EXIT_USAGE;
	}
	if(v < 100 || v > 699) {
		fprintf(stderr,
				"sipoutcome: explain: status code %lu is outside "
				"100..699\n",
				v);
		return CLI_EXIT_USAGE;
	}
	*code = (int)v;
	return 0;
}

int cli_explain(int argc, char **argv)
{
	static const struct option longopts[] = {
			{"vendor", required_argument, 0, 'v'},
			{"profile", required_argument, 0, 'p'},
			{"format", required_argument, 0, 'f'},
			{"ringing", no_argument, 0, 'r'}, {"canceled", no_argument, 0, 'c'},
			{"q850", required_argument, 0, 'q'},
			{"reason", required_argument, 0, 'R'},
			{"location", required_argument, 0, 'L'},
			{"cancel-reason", required_argument, 0, 'C'},
			{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	sipoutcome_profiles_t *set = NULL;
	const sipoutcome_profile_t *prof = NULL;
	const sipoutcome_code_t *row;
	sipoutcome_input_t in;
	sipoutcome_result_t res;
	explain_opts_t o;
	char flags[64];
	unsigned long v;
	int c, code = 0, status = CLI_EXIT_OK;

	memset(&o, 0, sizeof(o));
	o.q850 = -1;
	if(cli_profile_opts_init(&o.prof, (size_t)argc) < 0) {
		fprintf(stderr, "sipoutcome: out of memory\n");
		return CLI_EXIT_UNREADABLE;
	}
	while(status == CLI_EXIT_OK
			&& (c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		int common = cli_common_option(
				c, optarg, "explain", "text", &o.prof, &o.json);
		if(common == CLI_EXIT_USAGE)
			status = CLI_EXIT_USAGE;
		if(common)
			continue;
		switch(c) {
			case 'r':
				o.flags |= SIPOUTCOME_CTX_RINGING;
				break;
			case 'c':
				o.flags |= SIPOUTCOME_CTX_CANCELED;
				break;
			case 'q':
				if(cli_parse_uint(optarg, 127, &v) < 0) {
					fprintf(stderr, "sipoutcome: explain: --q850 is a cause "
									"0..127\n");
					status = CLI_EXIT_USAGE;
				} else {
					o.q850 = (int)v;
				}
				break;
			case 'R':
				o.reason = optarg;
				break;
			case 'L':
				o.location = optarg;
				break;
			case 'C':
				o.cancel_reason = optarg;
				o.flags |= SIPOUTCOME_CTX_CANCELED;
				break;
			case 'h':
				cli_usage(stdout);
				goto out;
			default:
				status = CLI_EXIT_USAGE;
				break;
		}
	}
	if(status == CLI_EXIT_OK && argc - optind != 1) {
		fprintf(stderr, "sipoutcome: explain: give exactly one status code\n");
		status = CLI_EXIT_USAGE;
	}
	if(status == CLI_EXIT_OK)
		status = parse_code(argv[optind], &code);
	if(status != CLI_EXIT_OK)
		goto out;
	status = cli_profiles_open(&o.prof, &set, &prof);
	if(status != CLI_EXIT_OK)
		goto out;

	sipoutcome_input_init(&in);
	in.code = code;
	in.flags = o.flags;
	in.q850 = o.q850;
	in.profile = prof;
	if(o.location != NULL)
		in.location = sipoutcome_location_parse(o.location, strlen(o.location));
	if(o.cancel_reason != NULL) {
		sipoutcome_reason_hdr_t rh;
		sipoutcome_reason_hdr_init(&rh);
		(void)sipoutcome_reason_hdr_parse(
				o.cancel_reason, strlen(o.cancel_reason), &rh);
		in.cancel_q850 = rh.q850;
		if(rh.sip_cause == 200)
			in.flags |= SIPOUTCOME_CTX_ELSEWHERE;
	}
	if(o.reason != NULL) {
		in.reason = o.reason;
		in.reason_len = strlen(o.reason);
	}
	if(sipoutcome_classify(&in, &res) != SIPOUTCOME_OK) {
		fprintf(stderr, "sipoutcome: explain: cannot classify %d\n", code);
		status = CLI_EXIT_USAGE;
		goto out;
	}
	row = sipoutcome_code_effective(code);
	phrase_flags(
			o.reason ? sipoutcome_phrase_check(code, o.reason, strlen(o.reason))
					 : 0,
			flags, sizeof(flags));
	if(o.json)
		print_json(&res, row ? row->code : code, &o, flags);
	else
		print_text(&res, row ? row->code : code, &o, flags);
	status = cli_finish_output(CLI_EXIT_OK);
out:
	if(status == CLI_EXIT_USAGE)
		fprintf(stderr, "Try 'sipoutcome --help'.\n");
	sipoutcome_profiles_free(set);
	cli_profile_opts_free(&o.prof);
	return status;
}
