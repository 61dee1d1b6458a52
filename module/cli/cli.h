/*
 * sipoutcome(1): the command-line adapter around the engine
 * (include/sipoutcome.h). Declarations shared by the module/cli sources.
 *
 * Conventions: functions returning int give 0 on success and a negative
 * value on failure unless they say otherwise; the command entry points
 * return an exit status (enum cli_exit). Nothing here keeps global state:
 * every table lives in a structure the caller owns.
 */
#ifndef SIPOUTCOME_CLI_H
#define SIPOUTCOME_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "sipoutcome.h"

/** Exit statuses of the tool (documented in sipoutcome.1, EXIT STATUS). */
enum cli_exit {
	CLI_EXIT_OK = 0,		 /**< everything was read */
	CLI_EXIT_UNREADABLE = 1, /**< some input was unreadable or invalid */
	CLI_EXIT_USAGE = 2		 /**< bad command line */
};

/* ---- growable byte buffer (cli_util.c) ---- */

/** A heap buffer that grows on demand; p is NUL-terminated when cap > 0. */
typedef struct cli_buf {
	char *p;	/**< the bytes, owned; NULL until the first append */
	size_t len; /**< bytes used, excluding the terminating NUL */
	size_t cap; /**< bytes allocated */
} cli_buf_t;

/**
 * Make an empty buffer (no allocation).
 * @param[out] b  the buffer; NULL is ignored
 */
void cli_buf_init(cli_buf_t *b);

/**
 * Append n bytes and keep the buffer NUL-terminated.
 * @param[in,out] b     an initialised buffer
 * @param[in]     s,n   bytes to append (may contain NUL); s may be NULL
 *                      only when n is 0
 * @returns 0, or -1 when memory ran out or the size would overflow
 *          (b is then unchanged).
 */
int cli_buf_add(cli_buf_t *b, const void *s, size_t n);

/**
 * Free the bytes of b and make it empty again; NULL is a no-op.
 */
void cli_buf_free(cli_buf_t *b);

/**
 * Read a whole file, or standard input for the name "-".
 * @param[in]  path    NUL-terminated file name
 * @param[out] out     an initialised buffer the content is appended to
 * @param[out] errnum  errno of the failure (ENOMEM when memory ran out)
 * @returns 0, or -1 with *errnum set. The caller frees out with
 *          cli_buf_free() in both cases.
 */
int cli_read_file(const char *path, cli_buf_t *out, int *errnum);

/**
 * The name to print for an input file: "<stdin>" for "-", else path.
 * @param[in] path  NUL-terminated; returned as is (not copied)
 */
const char *cli_input_name(const char *path);

/**
 * Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, at most U+10FFFF).
 * @param[in] s,n  bytes, n >= 1
 * @returns 1..4, or 0 when s does not start a complete valid sequence.
 */
size_t cli_utf8_len(const unsigned char *s, size_t n);

/**
 * Write s as a JSON string literal, quotes included: control bytes as
 * \\uXXXX, '"' and '\\' escaped, each invalid UTF-8 byte as \\ufffd, so the
 * output is always valid JSON and UTF-8.
 * @param[in] f    output stream
 * @param[in] s,n  any bytes; s may be NULL when n is 0
 */
void cli_json_str(FILE *f, const char *s, size_t n);

/**
 * Write s for a text line: printable bytes and valid UTF-8 as they are,
 * every other byte as \\xHH, so one value never breaks a line.
 * @param[in] f    output stream
 * @param[in] s,n  any bytes; s may be NULL when n is 0
 */
void cli_text_str(FILE *f, const char *s, size_t n);

/**
 * Parse a decimal integer made of digits only (no sign, no blanks).
 * @param[in]  s    NUL-terminated text
 * @param[in]  max  largest accepted value
 * @param[out] out  the value, written only on success
 * @returns 0, or -1 when s is empty, has another character, or is > max.
 */
int cli_parse_uint(const char *s, unsigned long max, unsigned long *out);

/** The reason-phrase check flags (sipoutcome_phrase_check) by name, in
 * the order both commands print them (cli_util.c). */
typedef struct cli_flag_name {
	unsigned int bit;
	const char *name;
} cli_flag_name_t;
extern const cli_flag_name_t cli_phrase_flag_names[];
extern const size_t cli_phrase_flag_count;

/* ---- profiles and --vendor / --profile (cli_util.c) ---- */

/** The profile options shared by explain and classify. */
typedef struct cli_profile_opts {
	const char *vendor; /**< --vendor, NULL when not given (argv memory) */
	const char **files; /**< --profile files in order (argv memory); the
			       array itself is owned, freed by
			       cli_profile_opts_free() */
	size_t nfiles;
	size_t cap; /**< slots in files */
} cli_profile_opts_t;

/**
 * Prepare empty profile options with room for max_files --profile files
 * (pass argc: a command line cannot name more).
 * @returns 0, or -1 when memory ran out.
 */
int cli_profile_opts_init(cli_profile_opts_t *o, size_t max_files);

/**
 * Remember one --profile file.
 * @param[in] file  NUL-terminated, must outlive o (argv memory)
 * @returns 0, or -1 when more files than announced to init.
 */
int cli_profile_opts_add(cli_profile_opts_t *o, const char *file);

/** Free the array of o; NULL is a no-op. */
void cli_profile_opts_free(cli_profile_opts_t *o);

/**
 * The options explain and classify share, from their getopt_long loop:
 * 'v' --vendor, 'p' --profile, 'f' --format (PLAIN or json).
 * @param[in]  c        getopt_long's return value
 * @param[in]  arg      its optarg (argv memory)
 * @param[in]  cmd      the command's name, for the error message
 * @param[in]  plain    the non-JSON format's name ("text", "logfmt")
 * @param[out] o, json  where the values go
 * @returns 1 when c was one of them, 0 when it is the command's own,
 *          CLI_EXIT_USAGE (printed on stderr) for a --format value that
 *          is neither.
 */
int cli_common_option(int c, const char *arg, const char *cmd,
		const char *plain, cli_profile_opts_t *o, int *json);

/**
 * Build the profile set (built-ins, then every --profile file in order)
 * and pick the profile to classify with: --vendor if given, else the
 * profile of the last --profile file, else "rfc". Problems are printed on
 * stderr.
 * @param[in]  o     the options
 * @param[out] set   the set on success; the caller frees it with
 *                   sipoutcome_profiles_free(); NULL on failure
 * @param[out] prof  the chosen profile, owned by *set
 * @returns CLI_EXIT_OK; CLI_EXIT_UNREADABLE when a profile file cannot be
 *          read or does not parse (or memory ran out); CLI_EXIT_USAGE for
 *          an unknown --vendor name.
 */
int cli_profiles_open(const cli_profile_opts_t *o, sipoutcome_profiles_t **set,
		const sipoutcome_profile_t **prof);

/* ---- splitting a stream into SIP messages (cli_split.c) ---- */

/** What the splitter found at the current position. */
typedef enum cli_item_kind {
	CLI_ITEM_END = 0,	 /**< no more input */
	CLI_ITEM_MESSAGE,	 /**< a SIP message (maybe with a framing error) */
	CLI_ITEM_JUNK_TEXT,	 /**< text lines that belong to no message */
	CLI_ITEM_JUNK_BINARY /**< bytes that are not text */
} cli_item_kind_t;

/** Problems the splitter sees in a message's framing. */
typedef enum cli_frame_err {
	CLI_FRAME_OK = 0,
	CLI_FRAME_TRUNCATED,  /**< fewer body bytes than Content-Length */
	CLI_FRAME_BAD_LENGTH, /**< Content-Length not a number (or > 16 MiB) */
	CLI_FRAME_HDR_CTRL	  /**< control bytes in the header section */
} cli_frame_err_t;

/** One item of the stream. Pointers reference the splitter's input. */
typedef struct cli_item {
	cli_item_kind_t kind;
	unsigned long line;		/**< 1-based line where the item starts */
	unsigned long end_line; /**< line of the item's last byte */
	const char *text;		/**< first byte of the item */
	size_t text_len;		/**< bytes up to the end of the item */
	/* CLI_ITEM_MESSAGE only: */
	size_t hdr_len;	  /**< bytes of start line and headers, from text,
			       without the empty line that ends them */
	const char *body; /**< first body byte (inside text) */
	size_t body_len;  /**< raw body bytes present */
	int lf_only;	  /**< lines end in LF without CR: the message was
			       saved as text; body LFs count as CRLF */
	int has_length;	  /**< a Content-Length header was present */
	unsigned long content_length; /**< its value */
	cli_frame_err_t err;
	unsigned long err_line; /**< line of a CLI_FRAME_HDR_CTRL */
	size_t have;			/**< body bytes counted, for TRUNCATED */
	int at_eof;				/**< TRUNCATED by the end of the input, not
				     by the next message or separator */
} cli_item_t;

/** Iterator state over one in-memory input. */
typedef struct cli_split {
	const char *buf;
	size_t len;
	size_t pos;			/**< next byte to look at */
	unsigned long line; /**< line number of pos */
	int in_meta;		/**< inside a sipdump meta block */
} cli_split_t;

/**
 * Start splitting buf.
 * @param[out] s        the iterator
 * @param[in]  buf,len  the input, must outlive s (any bytes)
 */
void cli_split_init(cli_split_t *s, const char *buf, size_t len);

/**
 * Find the next item: a message (start line `SIP/2.0 ...` or a request
 * line, headers, and a body of Content-Length bytes), or a run of lines
 * that are neither a message nor known framing (sipp -trace_msg
 * separators and "UDP message sent/received" lines, Kamailio sipdump
 * blocks, sngrep text exports, blank lines), which are skipped silently.
 * @param[in,out] s    the iterator
 * @param[out]    it   the item; kind CLI_ITEM_END at the end
 * Never reads past buf+len; O(bytes consumed).
 */
void cli_split_next(cli_split_t *s, cli_item_t *it);

/**
 * Build the text to hand to a SIP parser: start line and headers with
 * CRLF line ends, the empty line, then the body (bare LFs turned into
 * CRLF when it->lf_only).
 * @param[in]  it   a CLI_ITEM_MESSAGE
 * @param[out] out  an initialised buffer, appended to
 * @returns 0, or -1 when memory ran out.
 */
int cli_split_wire(const cli_item_t *it, cli_buf_t *out);

/* ---- per-transaction context of a stream (cli_calls.c) ---- */

/** What a stream told about one transaction (Call-ID + CSeq number). */
typedef struct cli_call {
	struct cli_call *next; /**< hash chain */
	unsigned long cseq;	   /**< CSeq number */
	unsigned int flags;	   /**< enum sipoutcome_ctx_flag seen */
	int cancel_q850;	   /**< Q.850 cause of the CANCEL's Reason, -1 */
	int last_code;		   /**< last final classified, 0 none */
	size_t last_method;	   /**< its --methods index */
	size_t callid_len;
	char callid[]; /**< NUL-terminated copy */
} cli_call_t;

/** A hash table of cli_call_t, owned by the caller. */
typedef struct cli_calls {
	cli_call_t **bucket;
	size_t nbucket; /**< a power of two, or 0 before the first insert */
	size_t n;
} cli_calls_t;

/** Make an empty table (no allocation). */
void cli_calls_init(cli_calls_t *t);

/**
 * Find the transaction, creating it when create is set.
 * @param[in,out] t            the table
 * @param[in]     callid,len   the Call-ID (any bytes)
 * @param[in]     cseq         the CSeq number
 * @param[in]     create       1: add an empty entry when missing
 * @returns the entry (owned by t, valid until cli_calls_free()), or NULL
 *          when missing and not created, or when memory ran out.
 */
cli_call_t *cli_calls_get(cli_calls_t *t, const char *callid, size_t len,
		unsigned long cseq, int create);

/** Free every entry and the table; NULL is a no-op. */
void cli_calls_free(cli_calls_t *t);

/* ---- commands ---- */

/**
 * The subcommands. argv[0] is the command name; options and operands
 * follow. Each prints its own usage errors.
 * @returns an exit status (enum cli_exit).
 */
int cli_explain(int argc, char **argv);
int cli_classify(int argc, char **argv);
int cli_report(int argc, char **argv);

/**
 * Print the usage summary.
 * @param[in] f  stdout for --help, stderr after a usage error
 */
void cli_usage(FILE *f);

/**
 * Flush stdout and report a write error (full disk, closed pipe).
 * @param[in] status  the exit status so far
 * @returns status, or CLI_EXIT_UNREADABLE when the output was not written.
 */
int cli_finish_output(int status);

#endif
