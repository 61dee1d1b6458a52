/*
 * sipoutcome(1): explain a status code, classify captured SIP responses,
 * report on the Kamailio module's log lines. The commands live in
 * cmd_*.c; this file dispatches and prints the usage.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <osipparser2/osip_parser.h>

#include "cli.h"

void cli_usage(FILE *f)
{
	fputs("Usage: sipoutcome COMMAND [OPTION]... [ARG]...\n"
		  "Classify final SIP responses into call outcomes, as the Kamailio "
		  "module does.\n"
		  "\n"
		  "Commands:\n"
		  "  explain CODE [--vendor V] [--profile FILE]... [--format "
		  "text|json]\n"
		  "               [--ringing] [--canceled] [--q850 N] [--reason TEXT]\n"
		  "               [--location L] [--cancel-reason REASON]\n"
		  "      what status code CODE (100..699) means for a call\n"
		  "  classify [--vendor V] [--profile FILE]... [--methods LIST]\n"
		  "           [--in-dialog] [--format logfmt|json] [FILE]...\n"
		  "      read raw SIP messages (single messages, concatenated "
		  "messages,\n"
		  "      sipp -trace_msg files, Kamailio sipdump files; FILE - or "
		  "none:\n"
		  "      standard input) and print one module log line per final "
		  "response\n"
		  "  report [--format text|csv|json] [--since T] [--until T] [--by hour]\n"
		  "         [--log-engine plain|json] [LOG]...\n"
		  "      count the module's log lines per tag, code and vendor\n"
		  "\n"
		  "Options:\n"
		  "  --vendor V       classify with profile V (default rfc, as the "
		  "module's\n"
		  "                   default_vendor; a --profile file does not change "
		  "it)\n"
		  "  --profile FILE   load a profile file (repeatable, in order)\n"
		  "  --methods LIST   comma-separated methods whose responses are "
		  "classified\n"
		  "                   (default INVITE, as the module)\n"
		  "  --in-dialog      also classify re-INVITEs (INVITEs inside a "
		  "dialog),\n"
		  "                   as the module's in_dialog=1\n"
		  "  --format F       output format (see each command)\n"
		  "  --help           show this help and exit\n"
		  "  --version        show the version and exit\n"
		  "\n"
		  "Exit status: 0 everything read, 1 some input unreadable, 2 usage "
		  "error.\n"
		  "See sipoutcome(1).\n",
			f);
}

/* A libosip2 trace function that drops everything: the tool reports
 * parse failures itself, with the file and line. */
static void osip_quiet(const char *fi, int li, osip_trace_level_t level,
		const char *chfr, va_list ap)
{
	(void)fi;
	(void)li;
	(void)level;
	(void)chfr;
	(void)ap;
}

/**
 * Entry point.
 * @param[in] argc,argv  the command line: a command name or --help /
 *                       --version, then the command's arguments
 * @returns an exit status (enum cli_exit).
 */
int main(int argc, char **argv)
{
	if(argc < 2) {
		cli_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if(strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_usage(stdout);
		return cli_finish_output(CLI_EXIT_OK);
	}
	if(strcmp(argv[1], "--version") == 0) {
		printf("sipoutcome %s\n", PACKAGE_VERSION);
		return cli_finish_output(CLI_EXIT_OK);
	}
	if(strcmp(argv[1], "explain") == 0)
		return cli_explain(argc - 1, argv + 1);
	if(strcmp(argv[1], "report") == 0)
		return cli_report(argc - 1, argv + 1);
	if(strcmp(argv[1], "classify") == 0) {
		/* libosip2: fill its header table once, and keep its error
		 * trace off our stdout. Disabling levels is not enough: its
		 * first trace call re-enables them (logfile stdout, level
		 * WARNING) unless a trace function is installed. */
		parser_init();
		osip_trace_initialize_func(TRACE_LEVEL0, osip_quiet);
		return cli_classify(argc - 1, argv + 1);
	}
	fprintf(stderr,
			"sipoutcome: unknown command '%s'\n"
			"Try 'sipoutcome --help'.\n",
			argv[1]);
	return CLI_EXIT_USAGE;
}
