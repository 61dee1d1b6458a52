/*
 * sipoutcome OpenSIPS module: exports, parameters and script functions.
 * The reply path is in os_tm.c, reply edits in os_reply.c, statistics,
 * the log line and the event in os_publish.c; the engine is
 * module/engine (include/sipoutcome.h), shared with the Kamailio adapter.
 */
#include <string.h>
#include <strings.h>

#include "../../dprint.h"
#include "../../mod_fix.h"
#include "../../parser/parse_methods.h"
#include "../../sr_module.h"
#include "../../ut.h"

#include "os_mod.h"

/* Parameters; defaults are documented in doc/sipoutcome_admin.xml. */
int os_auto = 1;
unsigned int os_methods_mask = METHOD_INVITE;
int os_log_on = 1;
int os_log_level = L_NOTICE;
int os_log_facility = -1; /* -1: the core's syslog_facility */
int os_reason_mode = OS_RM_KEEP;
int os_track = OS_TRACK_ROUTE;
str os_outcome_header = {NULL, 0};
static char *os_default_vendor_param = "rfc";

struct tm_binds os_tmb;

/* profile files named by the repeatable `profile` parameter */
#define OS_MAX_PROFILE_FILES 32
static char *os_profile_files[OS_MAX_PROFILE_FILES];
static int os_profile_files_n;

static int mod_init(void);
static void mod_destroy(void);

/* modparam("sipoutcome", "profile", FILE): parsed right away, together
 * with the files named before it, so that a bad file stops start-up
 * (and `opensips -C`) with its file, line and field. */
static int os_profile_param(modparam_t type, void *val)
{
	sipoutcome_profiles_t *set = NULL;
	sipoutcome_error_t err;
	char msg[512];
	int i, rc;

	if (os_profile_files_n >= OS_MAX_PROFILE_FILES) {
		LM_ERR("profile: at most %d profile files\n", OS_MAX_PROFILE_FILES);
		return -1;
	}
	os_profile_files[os_profile_files_n++] = (char *)val;
	memset(&err, 0, sizeof(err));
	rc = sipoutcome_profiles_new(&set, &err);
	for (i = 0; rc == SIPOUTCOME_OK && i < os_profile_files_n; i++)
		rc = sipoutcome_profiles_load_file(set, os_profile_files[i], &err);
	sipoutcome_profiles_free(set);
	if (rc != SIPOUTCOME_OK) {
		LM_ERR("profile: %s\n", sipoutcome_error_format(&err, msg, sizeof(msg)));
		return -1;
	}
	return 0;
}

/* keep, normalize, annotate, rewrite (any case): the mode, or -1. */
int os_reason_mode_parse(const str *s)
{
	static const char *const names[] = {"keep", "normalize", "annotate",
		"rewrite"};
	int i;

	for (i = 0; i < 4; i++)
		if (s->len == (int)strlen(names[i])
				&& strncasecmp(s->s, names[i], s->len) == 0)
			return i;
	return -1;
}

static int os_methods_set(modparam_t type, void *val)
{
	str s;

	s.s = (char *)val;
	s.len = strlen(s.s);
	if (parse_methods(&s, &os_methods_mask) < 0 || os_methods_mask == 0) {
		LM_ERR("methods: cannot parse '%s' (e.g. \"INVITE\" or "
			"\"INVITE,MESSAGE\")\n", s.s);
		return -1;
	}
	return 0;
}

static int os_facility_set(modparam_t type, void *val)
{
	os_log_facility = str2facility((char *)val);
	if (os_log_facility == -1) {
		LM_ERR("log_facility: unknown facility '%s'\n", (char *)val);
		return -1;
	}
	return 0;
}

static int os_reason_mode_set(modparam_t type, void *val)
{
	str s;

	s.s = (char *)val;
	s.len = strlen(s.s);
	os_reason_mode = os_reason_mode_parse(&s);
	if (os_reason_mode < 0) {
		LM_ERR("reason_mode: unknown value '%s' (keep, normalize, annotate,"
			" rewrite)\n", s.s);
		return -1;
	}
	return 0;
}

static int os_track_set(modparam_t type, void *val)
{
	const char *v = (const char *)val;

	if (strcasecmp(v, "route") == 0)
		os_track = OS_TRACK_ROUTE;
	else if (strcasecmp(v, "tm") == 0)
		os_track = OS_TRACK_TM;
	else {
		LM_ERR("track: unknown value '%s' (route, tm)\n", v);
		return -1;
	}
	return 0;
}

/* A header name: letters, digits, '-', '_', 1..64 bytes. */
static int os_outcome_header_set(modparam_t type, void *val)
{
	char *h = (char *)val;
	int i, n = strlen(h);

	for (i = 0; i < n; i++) {
		char c = h[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
				|| (c >= '0' && c <= '9') || c == '-' || c == '_')) {
			n = -1;
			break;
		}
	}
	if (n <= 0 || n > 64) {
		LM_ERR("outcome_header: '%s' is not a header name (letters, digits,"
			" '-', '_', at most 64)\n", h);
		return -1;
	}
	os_outcome_header.s = h;
	os_outcome_header.len = n;
	return 0;
}

/* ---- script functions ---- */

static int w_sipoutcome_classify(struct sip_msg *msg)
{
	return os_classify_current(msg, 1);
}

static int fixup_reason_mode(void **param)
{
	if (os_reason_mode_parse((str *)*param) < 0) {
		LM_ERR("sipoutcome_reason: unknown mode '%.*s' (keep, normalize,"
			" annotate, rewrite)\n", ((str *)*param)->len, ((str *)*param)->s);
		return E_CFG;
	}
	return 0;
}

static int w_sipoutcome_reason(struct sip_msg *msg, str *mode)
{
	int m = os_reason_mode_parse(mode);

	if (m < 0) {
		LM_ERR("unknown reason mode '%.*s' (keep, normalize, annotate,"
			" rewrite)\n", mode->len, mode->s);
		return -1;
	}
	if (msg->first_line.type != SIP_REPLY) {
		LM_ERR("sipoutcome_reason() works on a reply (onreply_route)\n");
		return -1;
	}
	if (os_classify_current(msg, 0) < 0)
		return -1;
	return os_reason_apply(msg, m, &os_cur.r, 0) < 0 ? -1 : 1;
}

/* A literal vendor name is checked at start-up, so a typo stops it. */
static int fixup_vendor(void **param)
{
	str *s = (str *)*param;

	if (os_profiles != NULL
			&& sipoutcome_profiles_find(os_profiles, s->s, s->len) == NULL) {
		LM_ERR("sipoutcome_vendor: unknown vendor profile '%.*s'\n",
			s->len, s->s);
		return E_CFG;
	}
	return 0;
}

static int w_sipoutcome_vendor(struct sip_msg *msg, str *name)
{
	return os_vendor_set(msg, name);
}

/* "BUSY|NO_ANSWER": 1 when the current tag is one of them, else -1. */
static int w_sipoutcome_is(struct sip_msg *msg, str *tags)
{
	const char *name;
	int i, start = 0, n;

	if (!os_cur_valid(msg))
		return -1;
	name = sipoutcome_tag_name(os_cur.r.tag);
	for (i = 0; i <= tags->len; i++) {
		if (i < tags->len && tags->s[i] != '|' && tags->s[i] != ',')
			continue;
		n = i - start;
		while (n > 0 && tags->s[start] == ' ') {
			start++;
			n--;
		}
		while (n > 0 && tags->s[start + n - 1] == ' ')
			n--;
		if (n == (int)strlen(name) && strncasecmp(tags->s + start, name, n) == 0)
			return 1;
		start = i + 1;
	}
	return -1;
}

static const cmd_export_t cmds[] = {
	{"sipoutcome_classify", (cmd_function)w_sipoutcome_classify, {{0, 0, 0}},
		ONREPLY_ROUTE | FAILURE_ROUTE},
	{"sipoutcome_reason", (cmd_function)w_sipoutcome_reason, {
		{CMD_PARAM_STR, fixup_reason_mode, 0}, {0, 0, 0}},
		ONREPLY_ROUTE},
	{"sipoutcome_vendor", (cmd_function)w_sipoutcome_vendor, {
		{CMD_PARAM_STR, fixup_vendor, 0}, {0, 0, 0}},
		REQUEST_ROUTE | FAILURE_ROUTE | ONREPLY_ROUTE | BRANCH_ROUTE},
	{"sipoutcome_is", (cmd_function)w_sipoutcome_is, {
		{CMD_PARAM_STR, 0, 0}, {0, 0, 0}},
		ALL_ROUTES},
	{0, 0, {{0, 0, 0}}, 0}
};

static const param_export_t params[] = {
	{"auto", INT_PARAM, &os_auto},
	{"methods", STR_PARAM | USE_FUNC_PARAM, (void *)os_methods_set},
	{"log", INT_PARAM, &os_log_on},
	{"log_level", INT_PARAM, &os_log_level},
	{"log_facility", STR_PARAM | USE_FUNC_PARAM, (void *)os_facility_set},
	{"reason_mode", STR_PARAM | USE_FUNC_PARAM, (void *)os_reason_mode_set},
	{"track", STR_PARAM | USE_FUNC_PARAM, (void *)os_track_set},
	{"outcome_header", STR_PARAM | USE_FUNC_PARAM,
		(void *)os_outcome_header_set},
	{"default_vendor", STR_PARAM, &os_default_vendor_param},
	{"profile", STR_PARAM | USE_FUNC_PARAM, (void *)os_profile_param},
	{0, 0, 0}
};

static const pv_export_t mod_pvs[] = {
	{str_const_init("outcome"), 1000, os_pv_get, 0, os_pv_parse_name, 0, 0, 0},
	{{0, 0}, 0, 0, 0, 0, 0, 0, 0}
};

static const dep_export_t deps = {
	{ /* tm must be loaded, and initialised before this module */
		{MOD_TYPE_DEFAULT, "tm", DEP_ABORT},
		{MOD_TYPE_NULL, NULL, 0},
	},
	{
		{NULL, NULL},
	},
};

struct module_exports exports = {
	"sipoutcome",
	MOD_TYPE_DEFAULT,
	MODULE_VERSION,
	DEFAULT_DLFLAGS,
	0,		/* load function */
	&deps,
	cmds,
	0,		/* async commands */
	params,
	os_stats,
	os_mi_cmds,
	mod_pvs,
	0,		/* transformations */
	0,		/* extra processes */
	0,		/* pre-init */
	mod_init,
	os_response_f,	/* every reply, before tm: phrase repair */
	mod_destroy,
	0,		/* per-child init */
	0		/* reload confirm */
};

static int mod_init(void)
{
	LM_INFO("initializing\n");
	if (load_tm_api(&os_tmb) < 0) {
		LM_ERR("cannot load the tm API: is tm loaded before sipoutcome?\n");
		return -1;
	}
	if (os_profiles_init(os_profile_files, os_profile_files_n,
			os_default_vendor_param) < 0)
		return -1;
	if (os_stats_init() < 0) {
		LM_ERR("cannot register the statistics\n");
		return -1;
	}
	if (os_tm_init() < 0)
		return -1;
	if (os_event_init() < 0)
		return -1;
	return 0;
}

static void mod_destroy(void)
{
	sipoutcome_profiles_free(os_profiles);
	os_profiles = NULL;
}
