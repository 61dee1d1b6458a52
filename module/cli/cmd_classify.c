/*
 * sipoutcome classify: raw SIP messages in, one outcome line per final
 * response out, the same line the Kamailio module logs for the call.
 *
 * Call context, per input file and per transaction (Call-ID + CSeq
 * number), as the module keeps it per tm transaction (module/kamailio/km_track.c, km_call.c):
 *   - a 180..189 response to a tracked method sets "ringing";
 *   - a CANCEL request sets "canceled" (its CSeq number is the INVITE's);
 *   - any response sets "replied";
 *   - responses to CANCEL and to methods not in --methods (default
 *     INVITE, the module's `methods` default) are not classified;
 *   - an INVITE whose To header has a tag is inside a dialog (a
 *     re-INVITE): its responses are not a call and are not classified, as the module does unless its in_dialog parameter is 1
 *     (--in-dialog here; the line then ends with in_dialog=1);
 *   - a final response repeating the code of the last one classified for
 *     the same transaction and method (a retransmission, or the copy a
 *     proxy relays in a capture taken on both of its sides) is skipped,
 *     as the module logs once per transaction; so is a 500 after a 503
 *     (Kamailio tm's remap_503_500 answers the caller's side of a proxy
 *     capture with 500, and the module classifies the 503).
 * Every response is a reply from the next hop (source=remote): a capture
 * cannot tell a reply the proxy made itself.
 *
 * libosip2 traps handled here: parser_init() is called once (main.c); the
 * status code is read from the start line and checked for three digits
 * in 100..699 before libosip2 (which takes any sscanf("%d")) sees it; a
 * missing CSeq is checked before use; libosip2 takes the next line as
 * the reason phrase when the status line ends after the code, so the
 * phrase is read from the start line, as Kamailio does, and a status
 * line without the SP after the code is refused as Kamailio refuses it.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_parser.h>

#include "cli.h"

/* A logfmt line is at most 14 keys and values of at most 256 bytes,
 * each escaped to at most 4 bytes per byte: 16 KiB always suffices. */
#define LOGFMT_CAP_MAX (16 * 1024)

typedef struct method_name {
	const char *s; /* argv memory */
	size_t len;
} method_name_t;

typedef struct cls_opts {
	cli_profile_opts_t prof;
	int json;
	method_name_t *methods; /* owned array */
	size_t nmethods;
	int in_dialog; /* --in-dialog: classify in-dialog requests too */
} cls_opts_t;

/* A cli_call_t flag of our own, beside the SIPOUTCOME_CTX_* bits: the
 * request had a To tag (RFC 3261 12.2.1.1). */
#define CLI_CALL_IN_DIALOG (1u << 24)

/* State of one run over all inputs. */
typedef struct cls_run {
	const cls_opts_t *o;
	const sipoutcome_profile_t *profile;
	const char *name;  /* input name for messages */
	cli_calls_t calls; /* per input file */
	cli_buf_t wire;	   /* the message as given to libosip2 */
	char *lbuf;		   /* logfmt line */
	size_t lcap;
	int status;
} cls_run_t;

/* What the start line says. */
typedef struct start_line {
	int is_response;
	int code;
	const char *reason; /* into the input, not NUL-terminated */
	size_t reason_len;
} start_line_t;

static void msg_error(cls_run_t *r, unsigned long line, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

static void msg_error(cls_run_t *r, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%lu: ", r->name, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	r->status = CLI_EXIT_UNREADABLE;
}

/* The first line of some text, for a message: at most 48 bytes, escaped. */
static void excerpt(const char *p, size_t n)
{
	size_t i;

	for(i = 0; i < n && i < 48 && p[i] != '\n' && p[i] != '\r'; i++)
		;
	fputc('"', stderr);
	cli_text_str(stderr, p, i);
	fputs(i < n && i == 48 ? "...\"" : "\"", stderr);
}

/* Up to 16 bytes of s as printable text (\xHH for the rest) into dst of
 * cap >= 4 bytes; always NUL-terminated, cut to fit. */
static const char *printable(char *dst, size_t cap, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for(i = 0; i < n && i < 16; i++) {
		unsigned char c = (unsigned char)s[i];
		if(c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
			if(o + 2 > cap)
				break;
			dst[o++] = (char)c;
		} else {
			if(o + 5 > cap)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\0';
	return dst;
}

/* Check the start line; 0 when usable, else the error was printed. */
static int read_start_line(cls_run_t *r, const cli_item_t *it, start_line_t *sl)
{
	const char *p = it->text, *end, *c;
	char tok[16 * 4 + 1];
	size_t n, i, tl;
	unsigned long v = 0;

	memset(sl, 0, sizeof(*sl));
	end = memchr(p, '\n', it->hdr_len);
	n = end ? (size_t)(end - p) : it->hdr_len;
	if(n > 0 && p[n - 1] == '\r')
		n--;
	if(n < 8 || strncasecmp(p, "SIP/2.0 ", 8) != 0)
		return 0; /* a request line (the splitter checked its shape) */
	sl->is_response = 1;
	c = p + 8;
	for(tl = 0; c + tl < p + n && c[tl] != ' ' && c[tl] != '\t'; tl++)
		;
	printable(tok, sizeof(tok), c, tl);
	if(tl == 0) {
		msg_error(r, it->line, "status line has no status code");
		return -1;
	}
	for(i = 0; i < tl; i++) {
		if(c[i] < '0' || c[i] > '9') {
			msg_error(r, it->line, "status code \"%s\" is not a number", tok);
			return -1;
		}
		if(i < 9)
			v = v * 10 + (unsigned long)(c[i] - '0');
	}
	if(tl > 9 || v < 100 || v > 699) {
		msg_error(r, it->line, "status code %s is outside 100..699", tok);
		return -1;
	}
	if(tl != 3) {
		msg_error(r, it->line, "status code \"%s\" is not three digits", tok);
		return -1;
	}
	if(c + 3 >= p + n || c[3] != ' ') {
		msg_error(r, it->line,
				"no SP after the status code (RFC 3261 section 7.2)");
		return -1;
	}
	sl->code = (int)v;
	for(c += 4; c < p + n && (*c == ' ' || *c == '\t'); c++)
		;
	sl->reason = c;
	sl->reason_len = (size_t)(p + n - c);
	return 0;
}

static int method_index(const cls_opts_t *o, const char *m, size_t *idx)
{
	size_t i, len = strlen(m);

	for(i = 0; i < o->nmethods; i++) {
		if(o->methods[i].len == len && memcmp(o->methods[i].s, m, len) == 0) {
			*idx = i;
			return 1;
		}
	}
	return 0;
}

/* Retry-After delta-seconds (RFC 3261 §20.33), -1 when absent or bad. */
static long retry_after(osip_message_t *sip)
{
	osip_header_t *h = NULL;
	const char *p;
	long v = 0;

	if(osip_message_header_get_byname(sip, "Retry-After", 0, &h) < 0
			|| h == NULL || h->hvalue == NULL)
		return -1;
	for(p = h->hvalue; *p == ' '; p++)
		;
	if(*p < '0' || *p > '9')
		return -1;
	for(; *p >= '0' && *p <= '9'; p++) {
		if(v > 99999999)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v;
}

static void json_kv_s(FILE *f, const char *k, const char *v, size_t n)
{
	fprintf(f, ",\"%s\":", k);
	if(v == NULL)
		fputs("null", f);
	else
		cli_json_str(f, v, n);
}

static void json_phrase_flags(FILE *f, unsigned int fl)
{
	const cli_flag_name_t *names = cli_phrase_flag_names;
	size_t i;
	int first = 1;

	fputs(",\"phrase_flags\":[", f);
	for(i = 0; i < cli_phrase_flag_count; i++) {
		if(fl & names[i].bit) {
			fprintf(f, "%s\"%s\"", first ? "" : ",", names[i].name);
			first = 0;
		}
	}
	fputc(']', f);
}

/* One JSON object per line: the log line's fields and what a capture
 * adds (file, line, CSeq, Retry-After, canceled, decided_by). */
static void print_json(cls_run_t *r, const cli_item_t *it,
		const sipoutcome_result_t *res, const sipoutcome_logctx_t *lc,
		const start_line_t *sl, const osip_cseq_t *cseq, unsigned int flags,
		long ra)
{
	FILE *f = stdout;

	fputs("{\"file\":", f);
	cli_json_str(f, r->name, strlen(r->name));
	fprintf(f, ",\"line\":%lu,\"tag\":\"%s\",\"code\":%d,\"class\":\"%dxx\"",
			it->line, sipoutcome_tag_name(res->tag), res->code, res->klass);
	fprintf(f,
			",\"category\":\"%s\",\"retry\":\"%s\",\"blame\":\"%s\","
			"\"dialstatus\":\"%s\",\"source\":\"remote\",\"ringing\":%d,"
			"\"canceled\":%d",
			sipoutcome_category_name(res->category),
			sipoutcome_retry_name(res->retry),
			sipoutcome_blame_name(res->blame),
			sipoutcome_dialstatus_name(res->dialstatus), lc->ringing,
			(flags & SIPOUTCOME_CTX_CANCELED) ? 1 : 0);
	json_kv_s(f, "callid", lc->callid, lc->callid_len);
	fputs(",\"cseq\":", f);
	cli_json_str(f, cseq->number, strlen(cseq->number));
	json_kv_s(f, "method", cseq->method, strlen(cseq->method));
	json_kv_s(f, "reason", sl->reason, sl->reason_len);
	json_phrase_flags(
			f, sipoutcome_phrase_check(res->code, sl->reason, sl->reason_len));
	json_kv_s(f, "phrase", res->phrase, res->phrase_len);
	json_kv_s(f, "vendor", res->vendor, strlen(res->vendor));
	if(lc->q850 >= 0)
		fprintf(f, ",\"q850\":%d", lc->q850);
	else
		fputs(",\"q850\":null", f);
	fprintf(f, ",\"cause\":%d", res->cause);
	if(ra >= 0)
		fprintf(f, ",\"retry_after\":%ld", ra);
	else
		fputs(",\"retry_after\":null", f);
	json_kv_s(f, "hint", res->hint, res->hint ? strlen(res->hint) : 0);
	json_kv_s(f, "decided_by", res->decided_by,
			res->decided_by ? strlen(res->decided_by) : 0);
	fputs("}\n", f);
}

/* The module's line: "sipoutcome: " and the engine's logfmt record. */
static int print_logfmt(cls_run_t *r, const sipoutcome_result_t *res,
		const sipoutcome_logctx_t *lc)
{
	int n;

	for(;;) {
		if(r->lbuf == NULL) {
			r->lcap = 1024;
			r->lbuf = malloc(r->lcap);
			if(r->lbuf == NULL)
				return -1;
		}
		n = sipoutcome_format_logfmt(r->lbuf, r->lcap, res, lc);
		if(n != SIPOUTCOME_ENOSPC || r->lcap >= LOGFMT_CAP_MAX)
			break;
		free(r->lbuf);
		r->lbuf = NULL;
		r->lcap *= 2;
		r->lbuf = malloc(r->lcap);
		if(r->lbuf == NULL)
			return -1;
	}
	if(n < 0 && n != SIPOUTCOME_ENOSPC)
		return -1;
	printf("sipoutcome: %s\n", r->lbuf);
	return 0;
}

/* Every Reason header of a message, merged (RFC 3326 §2). */
static void reason_headers(osip_message_t *sip, sipoutcome_reason_hdr_t *rh)
{
	osip_header_t *h;
	int pos;

	sipoutcome_reason_hdr_init(rh);
	for(pos = 0;
			(pos = osip_message_header_get_byname(sip, "Reason", pos, &h)) >= 0;
			pos++) {
		if(h != NULL && h->hvalue != NULL)
			(void)sipoutcome_reason_hdr_parse(
					h->hvalue, strlen(h->hvalue), rh);
	}
}

/* The caller's CANCEL: canceled, and what its Reason says (RFC 3326
 * §3.1 answered elsewhere; a Q.850 cause), as the module reads it
 * (module/kamailio/km_cancel.c): the first CANCEL counts. */
static void cancel_request(cli_call_t *call, osip_message_t *sip)
{
	sipoutcome_reason_hdr_t rh;

	if(call->flags & SIPOUTCOME_CTX_CANCELED)
		return;
	call->flags |= SIPOUTCOME_CTX_CANCELED;
	reason_headers(sip, &rh);
	if(rh.sip_cause == 200)
		call->flags |= SIPOUTCOME_CTX_ELSEWHERE;
	call->cancel_q850 = rh.q850;
}

static void final_response(cls_run_t *r, const cli_item_t *it,
		osip_message_t *sip, const start_line_t *sl, const char *callid,
		unsigned long cseqno)
{
	osip_cseq_t *cseq = osip_message_get_cseq(sip);
	sipoutcome_reason_hdr_t rh;
	sipoutcome_input_t in;
	sipoutcome_result_t res;
	sipoutcome_logctx_t lc;
	cli_call_t *call;
	size_t midx;
	int rc;

	if(strcmp(cseq->method, "CANCEL") == 0
			|| !method_index(r->o, cseq->method, &midx))
		return; /* the module tracks neither */
	call = cli_calls_get(&r->calls, callid, strlen(callid), cseqno, 1);
	if(call == NULL) {
		msg_error(r, it->line, "out of memory");
		return;
	}
	call->flags |= SIPOUTCOME_CTX_REPLIED;
	if((call->flags & CLI_CALL_IN_DIALOG) && !r->o->in_dialog)
		return; /* a re-INVITE is not a call */
	if(call->last_code == sl->code && call->last_method == midx)
		return; /* retransmission or relayed copy */
	if(call->last_code == 503 && sl->code == 500 && call->last_method == midx)
		return; /* Kamailio tm's remap_503_500 sent the 503 on as 500: the
			   module classifies the 503 (its line ends sent=500) */

	reason_headers(sip, &rh);
	sipoutcome_input_init(&in);
	in.code = sl->code;
	in.reason = sl->reason;
	in.reason_len = sl->reason_len;
	in.flags = call->flags
			   & (SIPOUTCOME_CTX_RINGING | SIPOUTCOME_CTX_CANCELED
					   | SIPOUTCOME_CTX_REPLIED | SIPOUTCOME_CTX_ELSEWHERE);
	in.q850 = rh.q850;
	in.location = rh.q850 >= 0 ? sipoutcome_location_parse(
										 rh.location, strlen(rh.location))
							   : SIPOUTCOME_LOC_NONE;
	in.cancel_q850 = (call->flags & SIPOUTCOME_CTX_CANCELED)
							 ? call->cancel_q850
							 : -1;
	in.profile = r->profile;
	rc = sipoutcome_classify(&in, &res);
	if(rc != SIPOUTCOME_OK) {
		msg_error(r, it->line, "cannot classify: %s", sipoutcome_strerror(rc));
		return;
	}
	memset(&lc, 0, sizeof(lc));
	lc.callid = callid;
	lc.callid_len = strlen(callid);
	lc.reason = sl->reason;
	lc.reason_len = sl->reason_len;
	lc.local = 0;
	lc.ringing = (call->flags & SIPOUTCOME_CTX_RINGING) != 0;
	lc.q850 = rh.q850;
	lc.in_dialog = (call->flags & CLI_CALL_IN_DIALOG) != 0;
	if(r->o->json)
		print_json(r, it, &res, &lc, sl, cseq, call->flags, retry_after(sip));
	else if(print_logfmt(r, &res, &lc) < 0)
		msg_error(r, it->line, "out of memory");
	call->last_code = sl->code;
	call->last_method = midx;
}

static void one_message(cls_run_t *r, const cli_item_t *it)
{
	osip_message_t *sip = NULL;
	osip_cseq_t *cseq;
	start_line_t sl;
	char *callid = NULL;
	unsigned long cseqno;
	cli_call_t *call;
	size_t midx;
	int rc;

	if(read_start_line(r, it, &sl) < 0)
		return;
	r->wire.len = 0;
	if(cli_split_wire(it, &r->wire) < 0) {
		msg_error(r, it->line, "out of memory");
		return;
	}
	if(osip_message_init(&sip) != 0) {
		msg_error(r, it->line, "out of memory");
		return;
	}
	rc = osip_message_parse(sip, r->wire.p, r->wire.len);
	if(rc != 0) {
		msg_error(r, it->line,
				"not a valid SIP message (libosip2 cannot parse it, "
				"error %d)",
				rc);
		goto done;
	}
	if(osip_message_get_call_id(sip) == NULL
			|| osip_call_id_to_str(osip_message_get_call_id(sip), &callid) != 0
			|| callid == NULL) {
		msg_error(r, it->line, "no Call-ID header");
		goto done;
	}
	cseq = osip_message_get_cseq(sip);
	if(cseq == NULL || cseq->number == NULL || cseq->method == NULL) {
		msg_error(r, it->line, "no CSeq header");
		goto done;
	}
	if(cli_parse_uint(cseq->number, 0xFFFFFFFFUL, &cseqno) < 0) {
		msg_error(r, it->line, "CSeq number \"%.16s\" is not a 32-bit number",
				cseq->number);
		goto done;
	}
	if(!sl.is_response) {
		osip_to_t *to = osip_message_get_to(sip);
		osip_generic_param_t *tag = NULL;

		if(sip->sip_method != NULL && strcmp(sip->sip_method, "INVITE") == 0
				&& method_index(r->o, sip->sip_method, &midx) && to != NULL && osip_to_get_tag(to, &tag) == 0 && tag != NULL
				&& tag->gvalue != NULL && tag->gvalue[0] != '\0') {
			call = cli_calls_get(&r->calls, callid, strlen(callid), cseqno, 1);
			if(call == NULL)
				msg_error(r, it->line, "out of memory");
			else
				call->flags |= CLI_CALL_IN_DIALOG;
		}
		if(sip->sip_method != NULL && strcmp(sip->sip_method, "CANCEL") == 0) {
			call = cli_calls_get(&r->calls, callid, strlen(callid), cseqno, 1);
			if(call == NULL)
				msg_error(r, it->line, "out of memory");
			else
				cancel_request(call, sip);
		}
		goto done;
	}
	if(sl.code >= 200) {
		final_response(r, it, sip, &sl, callid, cseqno);
		goto done;
	}
	if(strcmp(cseq->method, "CANCEL") != 0
			&& method_index(r->o, cseq->method, &midx)) {
		call = cli_calls_get(&r->calls, callid, strlen(callid), cseqno, 1);
		if(call == NULL) {
			msg_error(r, it->line, "out of memory");
			goto done;
		}
		call->flags |= SIPOUTCOME_CTX_REPLIED;
		if(sl.code >= 180 && sl.code <= 189)
			call->flags |= SIPOUTCOME_CTX_RINGING;
	}
done:
	osip_free(callid);
	osip_message_free(sip);
}

static void one_item(cls_run_t *r, const cli_item_t *it)
{
	switch(it->kind) {
		case CLI_ITEM_JUNK_BINARY:
			msg_error(r, it->line,
					"binary data, not a SIP message (skipped through line %lu)",
					it->end_line);
			break;
		case CLI_ITEM_JUNK_TEXT:
			fprintf(stderr,
					"%s:%lu: not part of a SIP message (no status or "
					"request line before it): ",
					r->name, it->line);
			excerpt(it->text, it->text_len);
			fputc('\n', stderr);
			r->status = CLI_EXIT_UNREADABLE;
			break;
		case CLI_ITEM_MESSAGE:
			if(it->err == CLI_FRAME_TRUNCATED)
				msg_error(r, it->line,
						"truncated body: Content-Length is %lu but only %zu "
						"bytes follow before %s",
						it->content_length, it->have,
						it->at_eof ? "the end of the input"
								   : "the next message");
			else if(it->err == CLI_FRAME_BAD_LENGTH)
				msg_error(r, it->line,
						"Content-Length is not a number up to "
						"16777216");
			else if(it->err == CLI_FRAME_HDR_CTRL)
				msg_error(r, it->line, "control bytes in header line %lu",
						it->err_line);
			else
				one_message(r, it);
			break;
		default:
			break;
	}
}

static void one_file(cls_run_t *r, const char *path)
{
	cli_buf_t in;
	cli_split_t sp;
	cli_item_t it;
	int e;

	r->name = cli_input_name(path);
	cli_buf_init(&in);
	if(cli_read_file(path, &in, &e) < 0) {
		fprintf(stderr, "sipoutcome: %s: cannot read: %s\n", r->name,
				strerror(e));
		r->status = CLI_EXIT_UNREADABLE;
		cli_buf_free(&in);
		return;
	}
	cli_calls_init(&r->calls);
	cli_split_init(&sp, in.p ? in.p : "", in.len);
	for(;;) {
		cli_split_next(&sp, &it);
		if(it.kind == CLI_ITEM_END)
			break;
		one_item(r, &it);
	}
	cli_calls_free(&r->calls);
	cli_buf_free(&in);
}

/* "INVITE,MESSAGE" into o->methods; 0, or -1 after a message. */
static int parse_methods(cls_opts_t *o, const char *list)
{
	const char *p = list, *e;
	size_t n = 1, i;

	for(e = list; *e; e++)
		if(*e == ',')
			n++;
	free(o->methods);
	o->methods = calloc(n, sizeof(*o->methods));
	o->nmethods = 0;
	if(o->methods == NULL) {
		fprintf(stderr, "sipoutcome: out of memory\n");
		return -1;
	}
	for(;;) {
		e = strchr(p, ',');
		if(e == NULL)
			e = p + strlen(p);
		if(e == p)
			goto bad;
		for(i = 0; p + i < e; i++)
			if(!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z')
					   || (p[i] >= '0' && p[i] <= '9') || p[i] == '-'
					   || p[i] == '_' || p[i] == '.'))
				goto bad;
		o->methods[o->nmethods].s = p;
		o->methods[o->nmethods].len = (size_t)(e - p);
		o->nmethods++;
		if(*e == '\0')
			return 0;
		p = e + 1;
	}
bad:
	fprintf(stderr,
			"sipoutcome: --methods: '%s' is not a comma-separated "
			"list of method names\n",
			list);
	return -1;
}

int cli_classify(int argc, char **argv)
{
	static const struct option longopts[] = {
			{"vendor", required_argument, 0, 'v'},
			{"profile", required_argument, 0, 'p'},
			{"format", required_argument, 0, 'f'},
			{"methods", required_argument, 0, 'm'},
			{"in-dialog", no_argument, 0, 'd'},
			{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	sipoutcome_profiles_t *set = NULL;
	cls_opts_t o;
	cls_run_t r;
	int c, i, status = CLI_EXIT_OK;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	if(cli_profile_opts_init(&o.prof, (size_t)argc) < 0) {
		fprintf(stderr, "sipoutcome: out of memory\n");
		return CLI_EXIT_UNREADABLE;
	}
	while((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		int common = cli_common_option(
				c, optarg, "classify", "logfmt", &o.prof, &o.json);
		if(common == CLI_EXIT_USAGE) {
			status = CLI_EXIT_USAGE;
			goto out;
		}
		if(common)
			continue;
		switch(c) {
			case 'm':
				if(parse_methods(&o, optarg) < 0)
					status = CLI_EXIT_USAGE;
				break;
			case 'd':
				o.in_dialog = 1;
				break;
			case 'h':
				cli_usage(stdout);
				goto out;
			default:
				status = CLI_EXIT_USAGE;
				break;
		}
		if(status != CLI_EXIT_OK)
			goto out;
	}
	if(o.methods == NULL && parse_methods(&o, "INVITE") < 0) {
		status = CLI_EXIT_UNREADABLE;
		goto out;
	}
	status = cli_profiles_open(&o.prof, &set, &r.profile);
	if(status != CLI_EXIT_OK)
		goto out;
	r.o = &o;
	if(optind >= argc) {
		one_file(&r, "-");
	} else {
		for(i = optind; i < argc; i++)
			one_file(&r, argv[i]);
	}
	status = cli_finish_output(r.status);
out:
	if(status == CLI_EXIT_USAGE)
		fprintf(stderr, "Try 'sipoutcome --help'.\n");
	free(o.methods);
	free(r.lbuf);
	cli_buf_free(&r.wire);
	sipoutcome_profiles_free(set);
	cli_profile_opts_free(&o.prof);
	return status;
}
