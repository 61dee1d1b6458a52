/*
 * Splitting a capture into SIP messages.
 *
 * A message starts with a start line (RFC 3261 §7.1/§7.2: `SIP/2.0 NNN
 * phrase` or `METHOD Request-URI SIP/2.0`), its headers run to the first
 * empty line, and its body is Content-Length bytes (§20.14); without
 * Content-Length the body runs to the next blank line. Between messages,
 * the framing of the usual text captures is skipped:
 *   - sipp -trace_msg: `----------------------------------------------- <date>`
 *     and `UDP message sent (N bytes):` / `UDP message received [N] bytes :`
 *     (also TCP, TLS, SCTP), and its notes `Unexpected UDP message
 *     received:`, `Dead call ID received a UDP message:` (the message
 *     after a note is read like any other; when it repeats a final
 *     response already read, classify skips it as a retransmission);
 *   - Kamailio sipdump text files: `====================` meta block
 *     `~~~~~~~~~~~~~~~~~~~~`, message, `||||||||||||||||||||` (20 each);
 *   - sngrep "save as .txt": `YYYY/MM/DD hh:mm:ss.us SRC -> DST`;
 *   - blank lines (plain concatenated messages).
 * Anything else between messages is reported as junk, so a message that
 * lost its start line, or binary data, is never silently dropped.
 *
 * Files saved with LF line ends (editors, text exports) work too: header
 * lines are given to the parser with CRLF, and each bare LF of the body
 * counts as the CRLF it was on the wire when Content-Length is checked.
 */
#include <string.h>

#include "cli.h"

/* Content-Length above this is treated as damage, not as a body. */
#define CLI_BODY_MAX (16UL * 1024 * 1024)

/* Kinds of a line outside a message. */
typedef enum frame {
	FRAME_NONE = 0,	  /* not framing */
	FRAME_BLANK,	  /* empty or only blanks */
	FRAME_SEPARATOR,  /* sipp separator or transport line, sipdump end,
			    sngrep header */
	FRAME_META_BEGIN, /* sipdump "====": a meta block follows */
	FRAME_META_END	  /* sipdump "~~~~": the message follows */
} frame_t;

void cli_split_init(cli_split_t *s, const char *buf, size_t len)
{
	s->buf = buf;
	s->len = len;
	s->pos = 0;
	s->line = 1;
	s->in_meta = 0;
}

/* The line at pos: content [pos, *eol) without its CR LF, next line at
 * *next (len at the end). */
static void line_at(const cli_split_t *s, size_t pos, size_t *eol, size_t *next)
{
	const char *nl = memchr(s->buf + pos, '\n', s->len - pos);
	size_t e = nl ? (size_t)(nl - s->buf) : s->len;

	*next = nl ? e + 1 : s->len;
	if(e > pos && s->buf[e - 1] == '\r')
		e--;
	*eol = e;
}

/* Move to newpos, counting the line ends passed. */
static void consume(cli_split_t *s, size_t newpos)
{
	const char *p = s->buf + s->pos, *end = s->buf + newpos;

	while(p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		s->line++;
		p++;
	}
	s->pos = newpos;
}

static int ci_prefix(const char *p, size_t n, const char *lit)
{
	size_t i, l = strlen(lit);

	if(n < l)
		return 0;
	for(i = 0; i < l; i++) {
		char a = p[i], b = lit[i];
		if(a >= 'a' && a <= 'z')
			a = (char)(a - 'a' + 'A');
		if(b >= 'a' && b <= 'z')
			b = (char)(b - 'a' + 'A');
		if(a != b)
			return 0;
	}
	return 1;
}

/* A line of exactly len bytes c, or (dash_date) len bytes c and then a
 * space: sipp writes 47 '-' and a date, sipdump 20 '=', '~' or '|'. Exact
 * lengths, so that MIME boundaries of a multipart body ("------=_Part")
 * are not taken for framing. */
static int is_rule(const char *p, size_t n, char c, size_t len, int dash_date)
{
	size_t i;

	if(n < len || (n > len && !(dash_date && p[len] == ' ')))
		return 0;
	for(i = 0; i < len; i++)
		if(p[i] != c)
			return 0;
	return 1;
}

static int is_token_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		   || (c >= '0' && c <= '9')
		   || (c != 0 && strchr("-.!%*_+`'~", c) != NULL);
}

/* `SIP/2.0 ...` (case-insensitive, as Kamailio's parser). */
static int is_status_line(const char *p, size_t n)
{
	return ci_prefix(p, n, "SIP/2.0 ");
}

/* `METHOD SP Request-URI SP SIP/2.0`, the URI with a scheme. */
static int is_request_line(const char *p, size_t n)
{
	size_t i = 0, u;
	int colon = 0;

	while(i < n && is_token_char((unsigned char)p[i]))
		i++;
	if(i == 0 || i >= n || p[i] != ' ')
		return 0;
	u = ++i;
	while(i < n && p[i] != ' ' && (unsigned char)p[i] > ' ') {
		if(p[i] == ':')
			colon = 1;
		i++;
	}
	if(i == u || !colon || i >= n || p[i] != ' ')
		return 0;
	i++;
	if(!ci_prefix(p + i, n - i, "SIP/2.0"))
		return 0;
	for(i += 7; i < n; i++)
		if(p[i] != ' ' && p[i] != '\t')
			return 0;
	return 1;
}

static int is_start_line(const char *p, size_t n)
{
	return is_status_line(p, n) || is_request_line(p, n);
}

/* sipp's own lines in a -trace_msg file: "UDP message sent (511 bytes):",
 * "UDP message received [309] bytes :", and the notes it writes about
 * messages it did not expect (sipp 3.6 src/call.cpp, src/socket.cpp). */
static int is_sipp_note(const char *p, size_t n)
{
	static const char *const notes[] = {"Unexpected ", "Dead call ",
			"Aborted call ", "Aborting call ", "Retransmisison required",
			"Retransmission required", "Invalid sip message received"};
	size_t i = 0;

	for(i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		if(n >= strlen(notes[i]) && memcmp(p, notes[i], strlen(notes[i])) == 0)
			return 1;
	i = 0;
	while(i < n
			&& ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9')))
		i++;
	if(i == 0)
		return 0;
	return ci_prefix(p + i, n - i, " message sent")
		   || ci_prefix(p + i, n - i, " message received");
}

/* sngrep: "2024/01/31 10:00:00.123456 10.0.0.1:5060 -> 10.0.0.2:5060" */
static int is_sngrep_header(const char *p, size_t n)
{
	size_t i;

	if(n < 11)
		return 0;
	for(i = 0; i < 4; i++)
		if(p[i] < '0' || p[i] > '9')
			return 0;
	if(p[4] != '/' && p[4] != '-')
		return 0;
	for(i = 5; i + 4 <= n; i++)
		if(memcmp(p + i, " -> ", 4) == 0)
			return 1;
	return 0;
}

static frame_t frame_kind(const char *p, size_t n)
{
	size_t i;

	for(i = 0; i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'); i++)
		;
	if(i == n)
		return FRAME_BLANK;
	if(is_rule(p, n, '-', 47, 1) || is_rule(p, n, '|', 20, 0)
			|| is_sipp_note(p, n) || is_sngrep_header(p, n))
		return FRAME_SEPARATOR;
	if(is_rule(p, n, '=', 20, 0))
		return FRAME_META_BEGIN;
	if(is_rule(p, n, '~', 20, 0))
		return FRAME_META_END;
	return FRAME_NONE;
}

/* Control bytes (other than HT) or invalid UTF-8. */
static int has_binary(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, k;

	while(i < n) {
		if(u[i] < 0x80) {
			if((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7F)
				return 1;
			i++;
		} else if((k = cli_utf8_len(u + i, n - i)) > 0) {
			i += k;
		} else {
			return 1;
		}
	}
	return 0;
}

static int has_ctrl(const char *p, size_t n)
{
	size_t i;

	for(i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if((c < 0x20 && c != '\t') || c == 0x7F)
			return 1;
	}
	return 0;
}

/* The header line p[0..n) is `name` (full form, case-insensitive) or its
 * compact form `compact` (lower case): the offset of its value after the
 * colon and any blanks, or 0 when it is another header. */
static size_t header_value(
		const char *p, size_t n, const char *name, char compact)
{
	size_t i = 0, name_end;

	while(i < n && p[i] != ':' && p[i] != ' ' && p[i] != '\t')
		i++;
	name_end = i;
	while(i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if(i >= n || p[i] != ':')
		return 0;
	if(!((name_end == strlen(name) && ci_prefix(p, n, name))
			   || (name_end == 1 && (p[0] | 0x20) == compact)))
		return 0;
	for(i++; i < n && (p[i] == ' ' || p[i] == '\t'); i++)
		;
	return i;
}

/* Content-Length (or compact "l") header: 1 when the line is one, with
 * *bad set when its value is not a number of at most CLI_BODY_MAX. */
static int content_length(const char *p, size_t n, unsigned long *v, int *bad)
{
	size_t i = header_value(p, n, "Content-Length", 'l');
	unsigned long x = 0;
	int digits = 0;

	if(i == 0)
		return 0;
	*bad = 0;
	for(; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		digits = 1;
		x = x * 10 + (unsigned long)(p[i] - '0');
		if(x > CLI_BODY_MAX) {
			*v = x;
			*bad = 1;
			return 1;
		}
	}
	for(; i < n && (p[i] == ' ' || p[i] == '\t'); i++)
		;
	if(!digits || i != n)
		*bad = 1;
	*v = x;
	return 1;
}

/* p is a line start inside a body, after its first line: does a new item
 * begin there? A framing separator does. A start line does too, unless
 * the body is multipart, whose parts may carry a message/sipfrag or
 * message/sip (a sipfrag body on its own starts with its status line at
 * offset 0, which is never checked). */
static int body_interrupted(const cli_split_t *s, size_t p, int multipart)
{
	size_t eol, next;
	frame_t f;

	line_at(s, p, &eol, &next);
	f = frame_kind(s->buf + p, eol - p);
	if(f == FRAME_SEPARATOR || f == FRAME_META_BEGIN || f == FRAME_META_END)
		return 1;
	return !multipart && is_start_line(s->buf + p, eol - p);
}

/* Content-Type (or compact "c") naming a multipart body. */
static int is_multipart(const char *p, size_t n)
{
	size_t i = header_value(p, n, "Content-Type", 'c');

	return i > 0 && ci_prefix(p + i, n - i, "multipart/");
}

/* The body when Content-Length is known; returns the end offset. */
static size_t body_by_length(
		cli_split_t *s, cli_item_t *it, size_t p, int multipart)
{
	size_t body_start = p;
	unsigned long counted = 0, need = it->content_length;

	while(counted < need) {
		if(p >= s->len) {
			it->err = CLI_FRAME_TRUNCATED;
			it->at_eof = 1;
			break;
		}
		if(p > body_start && s->buf[p - 1] == '\n'
				&& body_interrupted(s, p, multipart)) {
			it->err = CLI_FRAME_TRUNCATED;
			break;
		}
		/* one line (or what is left of the length) */
		while(p < s->len && counted < need) {
			char c = s->buf[p];
			int bare_lf =
					c == '\n' && (p == body_start || s->buf[p - 1] != '\r');
			counted += (it->lf_only && bare_lf) ? 2 : 1;
			p++;
			if(c == '\n')
				break;
		}
	}
	if(counted > need)
		counted = need; /* a bare LF ended it: its CR was the last byte */
	it->have = (size_t)counted;
	return p;
}

/* The body without Content-Length: up to a blank, framing or start line. */
static size_t body_by_lines(const cli_split_t *s, size_t p)
{
	size_t eol, next;

	while(p < s->len) {
		line_at(s, p, &eol, &next);
		if(frame_kind(s->buf + p, eol - p) != FRAME_NONE
				|| is_start_line(s->buf + p, eol - p))
			break;
		p = next;
	}
	return p;
}

static void message(cli_split_t *s, cli_item_t *it)
{
	size_t start = s->pos, eol, next, p, end;
	frame_t f;
	int bad, terminated = 0, multipart = 0;
	unsigned long v = 0;

	it->kind = CLI_ITEM_MESSAGE;
	it->line = s->line;
	it->text = s->buf + start;
	line_at(s, start, &eol, &next);
	it->lf_only = next == eol + 1 && s->buf[eol] == '\n';
	p = next;

	/* headers */
	for(;;) {
		if(p >= s->len)
			break;
		line_at(s, p, &eol, &next);
		f = frame_kind(s->buf + p, eol - p);
		if(f == FRAME_BLANK) {
			terminated = 1;
			break;
		}
		if(f != FRAME_NONE || is_start_line(s->buf + p, eol - p))
			break; /* no empty line: the next item begins here */
		if(it->err == CLI_FRAME_OK && has_ctrl(s->buf + p, eol - p)) {
			size_t i;
			it->err = CLI_FRAME_HDR_CTRL;
			it->err_line = s->line;
			for(i = start; i < p; i++)
				if(s->buf[i] == '\n')
					it->err_line++;
		}
		if(is_multipart(s->buf + p, eol - p))
			multipart = 1;
		if(!it->has_length && content_length(s->buf + p, eol - p, &v, &bad)) {
			it->has_length = 1;
			it->content_length = v;
			if(bad && it->err == CLI_FRAME_OK)
				it->err = CLI_FRAME_BAD_LENGTH;
		}
		p = next;
	}
	it->hdr_len = p - start;

	/* body */
	if(!terminated) {
		end = p;
		it->body = s->buf + p;
	} else {
		p = next; /* after the empty line */
		it->body = s->buf + p;
		if(it->err == CLI_FRAME_BAD_LENGTH)
			end = body_by_lines(s, p);
		else if(it->has_length)
			end = body_by_length(s, it, p, multipart);
		else
			end = body_by_lines(s, p);
	}
	it->body_len = (size_t)(s->buf + end - it->body);
	it->text_len = end - start;
	consume(s, end);
	it->end_line =
			(end > start && s->buf[end - 1] == '\n') ? s->line - 1 : s->line;
}

void cli_split_next(cli_split_t *s, cli_item_t *it)
{
	size_t eol, next, start;
	frame_t f;

	memset(it, 0, sizeof(*it));
	while(s->pos < s->len) {
		line_at(s, s->pos, &eol, &next);
		f = frame_kind(s->buf + s->pos, eol - s->pos);
		if(is_start_line(s->buf + s->pos, eol - s->pos)) {
			s->in_meta = 0;
			message(s, it);
			return;
		}
		if(s->in_meta) {
			if(f == FRAME_META_END)
				s->in_meta = 0;
			consume(s, next);
			continue;
		}
		if(f == FRAME_META_BEGIN)
			s->in_meta = 1;
		if(f != FRAME_NONE) {
			consume(s, next);
			continue;
		}
		/* junk: lines up to a blank, framing or start line */
		start = s->pos;
		it->kind = CLI_ITEM_JUNK_TEXT;
		it->line = s->line;
		it->text = s->buf + start;
		for(;;) {
			if(has_binary(s->buf + s->pos, eol - s->pos))
				it->kind = CLI_ITEM_JUNK_BINARY;
			it->end_line = s->line;
			consume(s, next);
			if(s->pos >= s->len)
				break;
			line_at(s, s->pos, &eol, &next);
			if(frame_kind(s->buf + s->pos, eol - s->pos) != FRAME_NONE
					|| is_start_line(s->buf + s->pos, eol - s->pos))
				break;
		}
		it->text_len = s->pos - start;
		return;
	}
	it->kind = CLI_ITEM_END;
	it->line = s->line;
}

int cli_split_wire(const cli_item_t *it, cli_buf_t *out)
{
	const char *p = it->text, *end = it->text + it->hdr_len, *nl, *e;
	size_t i;

	while(p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		e = nl ? nl : end;
		if(e > p && e[-1] == '\r')
			e--;
		if(cli_buf_add(out, p, (size_t)(e - p)) < 0
				|| cli_buf_add(out, "\r\n", 2) < 0)
			return -1;
		p = nl ? nl + 1 : end;
	}
	if(cli_buf_add(out, "\r\n", 2) < 0)
		return -1;
	if(!it->lf_only)
		return cli_buf_add(out, it->body, it->body_len);
	for(i = 0; i < it->body_len; i++) {
		if(it->body[i] == '\n' && (i == 0 || it->body[i - 1] != '\r')) {
			if(cli_buf_add(out, "\r\n", 2) < 0)
				return -1;
		} else if(cli_buf_add(out, it->body + i, 1) < 0) {
			return -1;
		}
	}
	return 0;
}
