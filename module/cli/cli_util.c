/*
 * Helpers of the command-line tool: a growable buffer, reading a file,
 * JSON and text escaping, number parsing, and the profile options.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void cli_buf_init(cli_buf_t *b)
{
	if(b == NULL)
		return;
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

int cli_buf_add(cli_buf_t *b, const void *s, size_t n)
{
	if(n > SIZE_MAX - 1 - b->len)
		return -1;
	if(b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;
		while(cap < b->len + n + 1) {
			if(cap > SIZE_MAX / 2) {
				cap = b->len + n + 1;
				break;
			}
			cap *= 2;
		}
		p = realloc(b->p, cap);
		if(p == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	if(n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

void cli_buf_free(cli_buf_t *b)
{
	if(b == NULL)
		return;
	free(b->p);
	cli_buf_init(b);
}

int cli_read_file(const char *path, cli_buf_t *out, int *errnum)
{
	char chunk[65536];
	int fd, is_stdin = strcmp(path, "-") == 0;
	ssize_t n;

	*errnum = 0;
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY);
	if(fd < 0) {
		*errnum = errno;
		return -1;
	}
	for(;;) {
		n = read(fd, chunk, sizeof(chunk));
		if(n == 0)
			break;
		if(n < 0) {
			if(errno == EINTR)
				continue;
			*errnum = errno;
			break;
		}
		if(cli_buf_add(out, chunk, (size_t)n) < 0) {
			*errnum = ENOMEM;
			break;
		}
	}
	if(!is_stdin)
		close(fd);
	return *errnum ? -1 : 0;
}

const char *cli_input_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

size_t cli_utf8_len(const unsigned char *s, size_t n)
{
	size_t need, i;
	unsigned int cp;

	if(s[0] < 0x80)
		return 1;
	if(s[0] >= 0xC2 && s[0] <= 0xDF) {
		need = 2;
		cp = s[0] & 0x1F;
	} else if(s[0] >= 0xE0 && s[0] <= 0xEF) {
		need = 3;
		cp = s[0] & 0x0F;
	} else if(s[0] >= 0xF0 && s[0] <= 0xF4) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if(n < need)
		return 0;
	for(i = 1; i < need; i++) {
		if((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) || cp > 0x10FFFF
			|| (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return need;
}

void cli_json_str(FILE *f, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	fputc('"', f);
	while(i < n) {
		unsigned char c = u[i];
		if(c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if(c < 0x20 || c == 0x7F) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else if(c < 0x80) {
			fputc(c, f);
			i++;
		} else if((k = cli_utf8_len(u + i, n - i)) > 0) {
			fwrite(u + i, 1, k, f);
			i += k;
		} else {
			fputs("\\ufffd", f);
			i++;
		}
	}
	fputc('"', f);
}

void cli_text_str(FILE *f, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	while(i < n) {
		unsigned char c = u[i];
		if(c >= 0x20 && c < 0x7F) {
			fputc(c, f);
			i++;
		} else if(c >= 0x80 && (k = cli_utf8_len(u + i, n - i)) > 0) {
			fwrite(u + i, 1, k, f);
			i += k;
		} else {
			fprintf(f, "\\x%02x", c);
			i++;
		}
	}
}

int cli_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *p;

	if(s == NULL || *s == '\0')
		return -1;
	for(p = s; *p; p++) {
		if(*p < '0' || *p > '9')
			return -1;
		if(v > (max - (unsigned long)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	*out = v;
	return 0;
}

const cli_flag_name_t cli_phrase_flag_names[] = {
		{SIPOUTCOME_PH_EMPTY, "empty"}, {SIPOUTCOME_PH_OVERLONG, "overlong"},
		{SIPOUTCOME_PH_CTRL, "ctrl"}, {SIPOUTCOME_PH_BAD_UTF8, "bad_utf8"},
		{SIPOUTCOME_PH_NONSTANDARD, "nonstandard"}};
const size_t cli_phrase_flag_count =
		sizeof(cli_phrase_flag_names) / sizeof(cli_phrase_flag_names[0]);

int cli_profile_opts_init(cli_profile_opts_t *o, size_t max_files)
{
	o->vendor = NULL;
	o->nfiles = 0;
	o->cap = max_files ? max_files : 1;
	o->files = calloc(o->cap, sizeof(*o->files));
	return o->files ? 0 : -1;
}

int cli_profile_opts_add(cli_profile_opts_t *o, const char *file)
{
	if(o->nfiles >= o->cap)
		return -1;
	o->files[o->nfiles++] = file;
	return 0;
}

void cli_profile_opts_free(cli_profile_opts_t *o)
{
	if(o == NULL)
		return;
	free(o->files);
	o->files = NULL;
	o->nfiles = o->cap = 0;
}

int cli_common_option(int c, const char *arg, const char *cmd,
		const char *plain, cli_profile_opts_t *o, int *json)
{
	switch(c) {
		case 'v':
			o->vendor = arg;
			return 1;
		case 'p':
			(void)cli_profile_opts_add(o, arg);
			return 1;
		case 'f':
			if(strcmp(arg, plain) == 0 || strcmp(arg, "json") == 0) {
				*json = strcmp(arg, "json") == 0;
				return 1;
			}
			fprintf(stderr, "sipoutcome: %s: --format is %s or json\n", cmd,
					plain);
			return CLI_EXIT_USAGE;
		default:
			return 0;
	}
}

static void print_profile_error(const sipoutcome_error_t *e, int rc)
{
	char msg[sizeof(e->source) + sizeof(e->field) + sizeof(e->text) + 32];

	if(e->source[0] != '\0' || e->text[0] != '\0')
		fprintf(stderr, "sipoutcome: %s\n",
				sipoutcome_error_format(e, msg, sizeof(msg)));
	else
		fprintf(stderr, "sipoutcome: profiles: %s\n", sipoutcome_strerror(rc));
}

int cli_profiles_open(const cli_profile_opts_t *o, sipoutcome_profiles_t **set,
		const sipoutcome_profile_t **prof)
{
	sipoutcome_error_t err;
	const sipoutcome_profile_t *p;
	const char *want = o->vendor;
	size_t i;
	int rc;

	*set = NULL;
	*prof = NULL;
	memset(&err, 0, sizeof(err));
	rc = sipoutcome_profiles_new(set, &err);
	if(rc != SIPOUTCOME_OK) {
		print_profile_error(&err, rc);
		return CLI_EXIT_UNREADABLE;
	}
	for(i = 0; i < o->nfiles; i++) {
		memset(&err, 0, sizeof(err));
		rc = sipoutcome_profiles_load_file(*set, o->files[i], &err);
		if(rc != SIPOUTCOME_OK) {
			if(rc == SIPOUTCOME_EIO)
				fprintf(stderr,
						"sipoutcome: %s: cannot read the profile "
						"(missing, unreadable or larger than 1 MiB)\n",
						o->files[i]);
			else
				print_profile_error(&err, rc);
			sipoutcome_profiles_free(*set);
			*set = NULL;
			return CLI_EXIT_UNREADABLE;
		}
	}
	if(want == NULL && o->nfiles > 0) {
		/* as the module: loading a profile does not make it the default
		 * (default_vendor stays rfc); say so instead of silently
		 * ignoring the file */
		p = sipoutcome_profiles_at(*set, sipoutcome_profiles_count(*set) - 1);
		fprintf(stderr,
				"sipoutcome: note: classifying with rfc, the module's default "
				"vendor; --vendor %s uses the profile just loaded\n",
				sipoutcome_profile_name(p));
	}
	if(want == NULL)
		want = "rfc";
	p = sipoutcome_profiles_find(*set, want, strlen(want));
	if(p == NULL) {
		fprintf(stderr,
				"sipoutcome: unknown vendor profile '%s'; known:", want);
		for(i = 0; i < sipoutcome_profiles_count(*set); i++)
			fprintf(stderr, " %s",
					sipoutcome_profile_name(sipoutcome_profiles_at(*set, i)));
		fputc('\n', stderr);
		sipoutcome_profiles_free(*set);
		*set = NULL;
		return CLI_EXIT_USAGE;
	}
	*prof = p;
	return CLI_EXIT_OK;
}

int cli_finish_output(int status)
{
	if(fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "sipoutcome: cannot write the output: %s\n",
				strerror(errno));
		return CLI_EXIT_UNREADABLE;
	}
	return status;
}
