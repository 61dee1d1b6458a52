/*
 * sipoutcome Kamailio module: exports, parameters, script and KEMI
 * wrappers. The reply path is in km_track.c, km_call.c, km_edit.c and
 * km_publish.c (module/README.md walks a reply through them), the engine in
 * module/engine (include/sipoutcome.h).
 */
#include <string.h>
#include <strings.h>

#include "core/dprint.h"
#include "core/kemi.h"
#include "core/mod_fix.h"
#include "core/parser/parse_methods.h"
#include "core/pvar.h"
#include "core/sr_module.h"
#include "core/ut.h"

#include "km_mod.h"

MODULE_VERSION

/* Parameters; defaults are documented in README.md and doc/. */
int km_auto = 1;
int km_in_dialog = 0; /* 1: in-dialog requests (re-INVITEs) too */
unsigned int km_methods_mask = METHOD_INVITE;
int km_log_on = 1;
int km_log_level = L_NOTICE;
int km_log_facility = -1; /* -1: the core's log_facility */
int km_reason_mode = KM_RM_KEEP;
int km_track = KM_TRACK_ROUTE;
str km_outcome_header = STR_NULL;
static char *km_default_vendor_param = "rfc";

struct tm_binds km_tmb;
tm_xapi_t km_xtmb;

/* profile files named by the repeatable `profile` parameter */
#define KM_MAX_PROFILE_FILES 32
static char *km_profile_files[KM_MAX_PROFILE_FILES];
static int km_profile_files_n = 0;

static int mod_init(void);
static int child_init(int rank);
static void mod_destroy(void);

/* modparam("sipoutcome", "profile", FILE): the file is parsed right
 * away, together with the files named before it, so that a bad file
 * stops `kamailio -c` too (which exits before module initialisation). */
static int km_profile_param(modparam_t type, void *val)
{
	sipoutcome_profiles_t *set = NULL;
	sipoutcome_error_t err;
	char msg[512];
	int i, rc;

	if(km_profile_files_n >= KM_MAX_PROFILE_FILES) {
		LM_ERR("profile: at most %d profile files\n", KM_MAX_PROFILE_FILES);
		return -1;
	}
	km_profile_files[km_profile_files_n++] = (char *)val;
	memset(&err, 0, sizeof(err));
	rc = sipoutcome_profiles_new(&set, &err);
	for(i = 0; rc == SIPOUTCOME_OK && i < km_profile_files_n; i++)
		rc = sipoutcome_profiles_load_file(set, km_profile_files[i], &err);
	sipoutcome_profiles_free(set);
	if(rc != SIPOUTCOME_OK) {
		LM_ERR("profile: %s\n", sipoutcome_error_format(&err, msg, sizeof(msg)));
		return -1;
	}
	return 0;
}

int km_reason_mode_parse(const str *s)
{
	static const char *const names[] = {"keep", "normalize", "annotate",
			"rewrite"};
	int i;

	for(i = 0; i < 4; i++) {
		if(s->len == (int)strlen(names[i])
				&& strncasecmp(s->s, names[i], s->len) == 0)
			return i;
	}
	return -1;
}

/* ---- script functions ---- */

static int w_sipoutcome_classify(sip_msg_t *msg, char *p1, char *p2)
{
	return km_classify_current(msg, 1);
}

static int ki_sipoutcome_classify(sip_msg_t *msg)
{
	return km_classify_current(msg, 1);
}

static int ki_sipoutcome_reason(sip_msg_t *msg, str *mode)
{
	int m = km_reason_mode_parse(mode);

	if(m < 0) {
		LM_ERR("unknown reason mode '%.*s' (keep, normalize, annotate,"
			   " rewrite)\n",
				mode->len, mode->s);
		return -1;
	}
	if(msg->first_line.type != SIP_REPLY) {
		LM_ERR("sipoutcome_reason() works on a reply (onreply_route)\n");
		return -1;
	}
	if(km_classify_current(msg, 0) < 0)
		return -1;
	return km_reason_apply(msg, m, &km_cur.r, 0) < 0 ? -1 : 1;
}

static int w_sipoutcome_reason(sip_msg_t *msg, char *p1, char *p2)
{
	str mode;

	if(fixup_get_svalue(msg, (gparam_t *)p1, &mode) < 0) {
		LM_ERR("cannot get the mode\n");
		return -1;
	}
	return ki_sipoutcome_reason(msg, &mode);
}

static int fixup_reason_mode(void **param, int param_no)
{
	gparam_t *gp;

	if(fixup_spve_null(param, param_no) < 0)
		return -1;
	gp = (gparam_t *)*param;
	if(gp->type == GPARAM_TYPE_STR && km_reason_mode_parse(&gp->v.str) < 0) {
		LM_ERR("sipoutcome_reason: unknown mode '%.*s' (keep, normalize,"
			   " annotate, rewrite)\n",
				gp->v.str.len, gp->v.str.s);
		return -1;
	}
	return 0;
}

static int w_sipoutcome_metrics(sip_msg_t *msg, char *p1, char *p2)
{
	return km_metrics_reply(msg);
}

static int ki_sipoutcome_vendor(sip_msg_t *msg, str *name)
{
	return km_vendor_set(msg, name);
}

static int w_sipoutcome_vendor(sip_msg_t *msg, char *p1, char *p2)
{
	str name;

	if(fixup_get_svalue(msg, (gparam_t *)p1, &name) < 0) {
		LM_ERR("cannot get the vendor name\n");
		return -1;
	}
	return km_vendor_set(msg, &name);
}

static int fixup_vendor(void **param, int param_no)
{
	gparam_t *gp;

	if(fixup_spve_null(param, param_no) < 0)
		return -1;
	gp = (gparam_t *)*param;
	/* a literal name is checked now, so a typo stops start-up */
	if(gp->type == GPARAM_TYPE_STR && km_profiles != NULL
			&& sipoutcome_profiles_find(
					   km_profiles, gp->v.str.s, gp->v.str.len)
					   == NULL) {
		LM_ERR("sipoutcome_vendor: unknown vendor profile '%.*s'\n",
				gp->v.str.len, gp->v.str.s);
		return -1;
	}
	return 0;
}

/* "BUSY|NO_ANSWER": 1 when the current tag is one of them. */
static int ki_sipoutcome_is(sip_msg_t *msg, str *tags)
{
	const char *name;
	int i, start = 0;

	if(!km_cur_valid())
		return -1;
	name = sipoutcome_tag_name(km_cur.r.tag);
	for(i = 0; i <= tags->len; i++) {
		if(i == tags->len || tags->s[i] == '|' || tags->s[i] == ',') {
			int n = i - start;
			while(n > 0 && tags->s[start] == ' ') {
				start++;
				n--;
			}
			while(n > 0 && tags->s[start + n - 1] == ' ')
				n--;
			if(n == (int)strlen(name) && strncasecmp(tags->s + start, name, n) == 0)
				return 1;
			start = i + 1;
		}
	}
	return -1;
}

static int w_sipoutcome_is(sip_msg_t *msg, char *p1, char *p2)
{
	str tags;

	if(fixup_get_svalue(msg, (gparam_t *)p1, &tags) < 0) {
		LM_ERR("cannot get the tag list\n");
		return -1;
	}
	return ki_sipoutcome_is(msg, &tags);
}

/* KEMI getter: KSR.sipoutcome.get("tag") */
static sr_kemi_xval_t km_xval;

static sr_kemi_xval_t *ki_sipoutcome_get(sip_msg_t *msg, str *key)
{
	str s = STR_NULL;
	int ival = 0, is_int = 0;

	memset(&km_xval, 0, sizeof(km_xval));
	if(km_get_str(key, &s, &ival, &is_int) < 0) {
		km_xval.vtype = SR_KEMIP_NULL;
		return &km_xval;
	}
	if(is_int) {
		km_xval.vtype = SR_KEMIP_INT;
		km_xval.v.n = ival;
	} else {
		km_xval.vtype = SR_KEMIP_STR;
		km_xval.v.s = s;
	}
	return &km_xval;
}

/* clang-format off */
static cmd_export_t cmds[] = {
	{"sipoutcome_classify", (cmd_function)w_sipoutcome_classify, 0, 0, 0,
		ONREPLY_ROUTE | FAILURE_ROUTE},
	{"sipoutcome_reason", (cmd_function)w_sipoutcome_reason, 1,
		fixup_reason_mode, fixup_free_spve_null, ONREPLY_ROUTE},
	{"sipoutcome_vendor", (cmd_function)w_sipoutcome_vendor, 1,
		fixup_vendor, fixup_free_spve_null,
		REQUEST_ROUTE | FAILURE_ROUTE | ONREPLY_ROUTE | BRANCH_ROUTE},
	{"sipoutcome_is", (cmd_function)w_sipoutcome_is, 1,
		fixup_spve_null, fixup_free_spve_null, ANY_ROUTE},
	{"sipoutcome_metrics", (cmd_function)w_sipoutcome_metrics, 0, 0, 0,
		EVENT_ROUTE},
	{0, 0, 0, 0, 0, 0}
};

static param_export_t params[] = {
	{"auto", PARAM_INT | PARAM_USE_FUNC, (void *)km_auto_set},
	{"in_dialog", PARAM_INT | PARAM_USE_FUNC, (void *)km_in_dialog_set},
	{"methods", PARAM_STRING | PARAM_USE_FUNC, (void *)km_methods_set},
	{"log", PARAM_INT | PARAM_USE_FUNC, (void *)km_log_set},
	{"log_level", PARAM_INT | PARAM_USE_FUNC, (void *)km_log_level_int},
	{"log_level", PARAM_STRING | PARAM_USE_FUNC, (void *)km_log_level_str},
	{"log_facility", PARAM_STRING | PARAM_USE_FUNC, (void *)km_facility_set},
	{"reason_mode", PARAM_STRING | PARAM_USE_FUNC, (void *)km_reason_mode_set},
	{"track", PARAM_STRING | PARAM_USE_FUNC, (void *)km_track_set},
	{"outcome_header", PARAM_STRING | PARAM_USE_FUNC,
		(void *)km_outcome_header_set},
	{"default_vendor", PARAM_STRING, &km_default_vendor_param},
	{"profile", PARAM_STRING | PARAM_USE_FUNC, (void *)km_profile_param},
	{"event_callback", PARAM_STR, &km_event_callback},
	{"db_url", PARAM_STR, &km_db_url},
	{"db_table", PARAM_STR, &km_db_table},
	{"attempts", PARAM_INT, &km_attempts},
	{"metrics", PARAM_INT, &km_metrics},
	{"log_format", PARAM_STRING | PARAM_USE_FUNC, (void *)km_log_format_set},
	{0, 0, 0}
};

static pv_export_t mod_pvs[] = {
	{{"outcome", sizeof("outcome") - 1}, PVT_OTHER, km_pv_get, 0,
		km_pv_parse_name, 0, 0, 0},
	{{0, 0}, 0, 0, 0, 0, 0, 0, 0}
};

struct module_exports exports = {
	"sipoutcome",
	DEFAULT_DLFLAGS,
	cmds,
	params,
	0,	/* RPC methods */
	mod_pvs,
	km_response_f,	/* every reply, before tm: phrase repair */
	mod_init,
	child_init,
	mod_destroy
};
/* clang-format on */

static int mod_init(void)
{
	if(km_attempts != 0 && km_attempts != 1) {
		LM_ERR("attempts: %d is not 0 or 1\n", km_attempts);
		return -1;
	}
	if(load_tm_api(&km_tmb) < 0) {
		LM_ERR("cannot load the tm API: is tm loaded before sipoutcome?\n");
		return -1;
	}
	/* t_check_trans: the transaction of a reply in the main onreply_route */
	if(tm_load_xapi(&km_xtmb) < 0) {
		LM_ERR("cannot load tm's extra API (load_xtm)\n");
		return -1;
	}

	if(km_profiles_init(km_profile_files, km_profile_files_n,
			   km_default_vendor_param)
			< 0)
		return -1;
	if(km_counters_init() < 0) {
		LM_ERR("cannot register the counters\n");
		return -1;
	}
	if(km_rpc_init() < 0 || km_kpi_rpc_init() < 0)
		return -1;
	if(km_metrics_init() < 0)
		return -1;
	if(km_tm_init() < 0)
		return -1;
	if(km_event_route_init() < 0)
		return -1;
	return 0;
}

static int child_init(int rank)
{
	return 0;
}

static void mod_destroy(void)
{
	km_profiles_free_all();
}

/* clang-format off */
static sr_kemi_t sr_kemi_sipoutcome_exports[] = {
	{ str_init("sipoutcome"), str_init("classify"),
		SR_KEMIP_INT, ki_sipoutcome_classify,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("sipoutcome"), str_init("reason"),
		SR_KEMIP_INT, ki_sipoutcome_reason,
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("sipoutcome"), str_init("vendor"),
		SR_KEMIP_INT, ki_sipoutcome_vendor,
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("sipoutcome"), str_init("is"),
		SR_KEMIP_INT, ki_sipoutcome_is,
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("sipoutcome"), str_init("metrics"),
		SR_KEMIP_INT, km_metrics_reply,
		{ SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ str_init("sipoutcome"), str_init("get"),
		SR_KEMIP_XVAL, ki_sipoutcome_get,
		{ SR_KEMIP_STR, SR_KEMIP_NONE, SR_KEMIP_NONE,
			SR_KEMIP_NONE, SR_KEMIP_NONE, SR_KEMIP_NONE }
	},
	{ {0, 0}, {0, 0}, 0, NULL, { 0, 0, 0, 0, 0, 0 } }
};
/* clang-format on */

/* Called at the loadmodule line, while the configuration is parsed (so
 * also by `kamailio -c`, which never reaches mod_init): tm's API is bound
 * in mod_init, and tm must be loaded first for that (tm_load.c). */
int mod_register(char *path, int *dlflags, void *p1, void *p2)
{
	if(!module_loaded("tm")) {
		LM_ERR("%s: load tm.so before sipoutcome.so (loadmodule \"tm.so\" "
			   "first): the module binds to tm's API\n",
				path);
		return -1;
	}
	sr_kemi_modules_add(sr_kemi_sipoutcome_exports);
	return 0;
}
