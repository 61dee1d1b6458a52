/*
 * Profiles: built-ins, loading user profiles from a buffer or a file,
 * rule precedence in classify, and bad profiles rejected with the right
 * line and field while the set stays as it was.
 */
#include <limits.h>
#include <malloc.h>
#include <unistd.h>

#define TU_ALLOC_HOOK 1
#include "util.h"

#define RING SIPOUTCOME_CTX_RINGING
#define CANC SIPOUTCOME_CTX_CANCELED
#define LOC SIPOUTCOME_CTX_LOCAL
#define TMO SIPOUTCOME_CTX_TIMEOUT

#define T(x) SIPOUTCOME_TAG_##x
#define C(x) SIPOUTCOME_CAT_##x
#define R(x) SIPOUTCOME_RETRY_##x
#define B(x) SIPOUTCOME_BLAME_##x
#define D(x) SIPOUTCOME_DIAL_##x
#define ANY 0

/* Each test gets a fresh set of the built-ins. */
static int setup(void **state)
{
	sipoutcome_profiles_t *set = NULL;
	sipoutcome_error_t err;
	char msg[512];

	memset(&err, 0, sizeof(err));
	if(sipoutcome_profiles_new(&set, &err) != SIPOUTCOME_OK) {
		print_error("built-ins do not load: %s\n",
				sipoutcome_error_format(&err, msg, sizeof(msg)));
		return -1;
	}
	*state = set;
	return 0;
}

static int teardown(void **state)
{
	sipoutcome_profiles_free(*state);
	return 0;
}

/* Load text that must parse; returns the new profile. */
static const sipoutcome_profile_t *load_ok(
		sipoutcome_profiles_t *set, const char *name, const char *text)
{
	sipoutcome_error_t err;
	char msg[512];
	size_t len = strlen(text), before = sipoutcome_profiles_count(set);
	char *copy = tu_dup(text, len); /* no NUL after the text */
	const sipoutcome_profile_t *p;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = sipoutcome_profiles_load_buffer(set, "test.profile", copy, len, &err);
	free(copy);
	if(rc != SIPOUTCOME_OK)
		fail_msg("profile %s does not load (%d): %s", name, rc,
				sipoutcome_error_format(&err, msg, sizeof(msg)));
	assert_int_equal(sipoutcome_profiles_count(set), before + 1);
	p = sipoutcome_profiles_find(set, name, strlen(name));
	assert_non_null(p);
	assert_ptr_equal(sipoutcome_profiles_at(set, before), p);
	assert_string_equal(sipoutcome_profile_name(p), name);
	return p;
}

static sipoutcome_result_t classify_phrase(int code, unsigned int flags,
		int q850, const char *reason, const sipoutcome_profile_t *p)
{
	sipoutcome_input_t in = tu_input(code, flags, q850, p);
	char *copy = reason ? tu_dup(reason, strlen(reason)) : NULL;
	sipoutcome_result_t r;

	in.reason = copy;
	in.reason_len = reason ? strlen(reason) : 0;
	r = tu_classify_in(&in);
	free(copy);
	return r;
}

static void check_hint(
		const char *label, const sipoutcome_result_t *r, const char *want)
{
	if(!tu_streq(r->hint, want))
		fail_msg("%s: hint \"%s\", expected \"%s\"", label,
				r->hint ? r->hint : "(null)", want ? want : "(null)");
}

/* The hint the built-in rfc gives (NULL today; rfc may gain hints that
 * every profile inherits when its own rules give none). */
static const char *rfc_hint(sipoutcome_profiles_t *set, int code,
		unsigned int flags, const char *reason)
{
	sipoutcome_result_t r = classify_phrase(
			code, flags, -1, reason, sipoutcome_profiles_find(set, "rfc", 3));
	return r.hint;
}

/* ---- built-ins and the set API ---- */

static void test_builtins(void **state)
{
	sipoutcome_profiles_t *set = *state;
	static const char *const names[] = {"rfc", "8x8", "okitoki", "cognigy"};
	const sipoutcome_profile_t *rfc;
	size_t i, n = sipoutcome_profiles_count(set);

	assert_true(n >= 1);
	assert_int_equal(n, TU_ARRAY_SIZE(names));
	rfc = sipoutcome_profiles_find(set, "rfc", 3);
	assert_non_null(rfc);
	assert_ptr_equal(sipoutcome_profiles_at(set, 0), rfc);
	assert_string_equal(sipoutcome_profile_parent(rfc), "");
	assert_true(strlen(sipoutcome_profile_description(rfc)) > 0);
	for(i = 0; i < TU_ARRAY_SIZE(names); i++) {
		const sipoutcome_profile_t *p =
				sipoutcome_profiles_find(set, names[i], strlen(names[i]));
		const char *parent;
		size_t k;

		if(p == NULL)
			fail_msg("built-in profile %s missing", names[i]);
		assert_string_equal(sipoutcome_profile_name(p), names[i]);
		if(i == 0)
			continue;
		/* the parent exists and was loaded before the child */
		parent = sipoutcome_profile_parent(p);
		assert_true(strlen(parent) > 0);
		for(k = 0; k < n && sipoutcome_profiles_at(set, k) != p; k++)
			if(strcmp(sipoutcome_profile_name(sipoutcome_profiles_at(set, k)),
					   parent)
					== 0)
				break;
		if(k >= n || sipoutcome_profiles_at(set, k) == p)
			fail_msg("%s: parent %s not loaded before it", names[i], parent);
	}
	assert_null(sipoutcome_profiles_at(set, n));
	assert_null(sipoutcome_profiles_at(set, (size_t)-1));
}

static void test_set_api(void **state)
{
	sipoutcome_profiles_t *set = *state;
	sipoutcome_profiles_t *other = (sipoutcome_profiles_t *)1;
	sipoutcome_error_t err;

	/* find takes (name, len) and is case-sensitive */
	assert_non_null(sipoutcome_profiles_find(set, "rfcXYZ", 3));
	assert_null(sipoutcome_profiles_find(set, "rfc", 2));
	assert_null(sipoutcome_profiles_find(set, "RFC", 3));
	assert_null(sipoutcome_profiles_find(set, "rfc ", 4));
	assert_null(sipoutcome_profiles_find(set, "", 0));
	assert_null(sipoutcome_profiles_find(set, NULL, 3));
	assert_null(sipoutcome_profiles_find(NULL, "rfc", 3));
	assert_int_equal(sipoutcome_profiles_count(NULL), 0);
	assert_null(sipoutcome_profiles_at(NULL, 0));
	assert_string_equal(sipoutcome_profile_name(NULL), "");
	assert_string_equal(sipoutcome_profile_description(NULL), "");
	assert_string_equal(sipoutcome_profile_parent(NULL), "");
	assert_int_equal(sipoutcome_profiles_new(NULL, &err), SIPOUTCOME_EINVAL);
	sipoutcome_profiles_free(NULL);

	/* a second set is independent of the first */
	assert_int_equal(sipoutcome_profiles_new(&other, NULL), SIPOUTCOME_OK);
	assert_non_null(other);
	assert_ptr_not_equal(sipoutcome_profiles_find(other, "rfc", 3),
			sipoutcome_profiles_find(set, "rfc", 3));
	load_ok(other, "only_here", "profile only_here\n");
	assert_null(sipoutcome_profiles_find(set, "only_here", 9));
	sipoutcome_profiles_free(other);
}

static void test_load_einval(void **state)
{
	sipoutcome_profiles_t *set = *state;
	sipoutcome_error_t err;
	size_t n = sipoutcome_profiles_count(set);

	assert_int_equal(
			sipoutcome_profiles_load_buffer(NULL, "s", "profile a", 9, &err),
			SIPOUTCOME_EINVAL);
	assert_int_equal(
			sipoutcome_profiles_load_buffer(set, NULL, "profile a", 9, &err),
			SIPOUTCOME_EINVAL);
	assert_int_equal(sipoutcome_profiles_load_buffer(set, "s", NULL, 9, &err),
			SIPOUTCOME_EINVAL);
	assert_int_equal(sipoutcome_profiles_load_buffer(set, "s", NULL, 9, NULL),
			SIPOUTCOME_EINVAL);
	assert_int_equal(
			sipoutcome_profiles_load_file(NULL, "x", &err), SIPOUTCOME_EINVAL);
	assert_int_equal(
			sipoutcome_profiles_load_file(set, NULL, &err), SIPOUTCOME_EINVAL);
	assert_int_equal(sipoutcome_profiles_count(set), n);
}

/* ---- a user profile that changes one code ---- */

static const char carrier[] =
		"# a carrier whose 603 means the account's line limit\n"
		"profile carrier\n"
		"inherits rfc\n"
		"description \"Carrier X\"\n"
		"match code=603 set tag=FAILED category=line_limit retry=later "
		"blame=caller hint=\"x\"\n";

static void test_user_profile_603_only(void **state)
{
	sipoutcome_profiles_t *set = *state;
	const sipoutcome_profile_t *rfc = sipoutcome_profiles_find(set, "rfc", 3);
	const sipoutcome_profile_t *p = load_ok(set, "carrier", carrier);
	static const int causes[] = {-1, 16, 17, 19, 21, 31, 34};
	sipoutcome_result_t r;
	int code;
	unsigned int f;
	size_t q;

	assert_string_equal(sipoutcome_profile_parent(p), "rfc");
	assert_string_equal(sipoutcome_profile_description(p), "Carrier X");

	r = tu_classify(603, 0, -1, p);
	tu_check("carrier 603", &r,
			&(tu_expect_t){T(FAILED), C(LINE_LIMIT), R(LATER), B(CALLER),
					D(CHANUNAVAIL), 21, "profile"});
	check_hint("carrier 603", &r, "x");
	assert_string_equal(r.vendor, "carrier");
	assert_int_equal(r.registered, 1);
	assert_string_equal(r.phrase, "Decline");
	assert_null(r.rewrite);

	/* a profile rule is above the Q.850 cause's own meaning */
	r = tu_classify(603, 0, 21, p);
	tu_check("carrier 603 q850=21", &r,
			&(tu_expect_t){T(FAILED), C(LINE_LIMIT), R(LATER), B(CALLER), ANY,
					21, "profile"});
	r = tu_classify(603, 0, 17, p);
	tu_check("carrier 603 q850=17", &r,
			&(tu_expect_t){T(FAILED), C(LINE_LIMIT), R(LATER), B(CALLER), ANY,
					17, "profile"});
	/* and below the transaction context */
	r = tu_classify(603, LOC | TMO, -1, p);
	tu_check("carrier 603 proxy timeout", &r,
			&(tu_expect_t){
					T(FAILED), C(NO_RESPONSE), ANY, ANY, ANY, -1, "context"});

	/* every other code, in every context: exactly as rfc */
	for(code = 100; code <= 699; code++) {
		if(code == 603)
			continue;
		for(f = 0; f < TU_ALL_FLAGS; f++)
			for(q = 0; q < TU_ARRAY_SIZE(causes); q++) {
				sipoutcome_result_t a = tu_classify(code, f, causes[q], p);
				sipoutcome_result_t b = tu_classify(code, f, causes[q], rfc);
				char label[64];

				snprintf(label, sizeof(label), "carrier %d flags 0x%x q850 %d",
						code, f, causes[q]);
				assert_string_equal(a.vendor, "carrier");
				a.vendor = b.vendor;
				tu_same_result(label, &a, &b, 0);
			}
	}
	/* and the built-in rfc is not changed by its child */
	r = tu_classify(603, 0, -1, rfc);
	assert_int_equal(r.tag, SIPOUTCOME_TAG_BUSY);
	assert_int_equal(r.category, SIPOUTCOME_CAT_DECLINED);
}

/* ---- precedence ---- */

static const char prec[] =
		"profile prec\n"
		"\n"
		"# class first in the file: the rank decides, not the order\n"
		"match class=6xx set tag=FAILED category=other hint=\"class 6xx\"\n"
		"match code=603 set tag=NO_ANSWER hint=\"code 603\"\n"
		"match code=503 set category=server_error hint=\"plain 503\"\n"
		"match code=503 phrase=\"overload\" set category=congestion "
		"hint=\"phrase 503\"\n"
		"match code=486 set tag=BUSY hint=\"plain 486\"\n"
		"match code=486 ringing=1 set tag=NO_ANSWER category=no_answer "
		"hint=\"rang 486\"\n"
		"match code=480 ringing=1 set tag=FAILED hint=\"ringing 480\"\n"
		"match code=480 phrase=\"dnd\" set tag=BUSY hint=\"phrase 480\"\n"
		"match code=404 phrase=\"a\" set hint=\"first\"\n"
		"match code=404 phrase=\"b\" set hint=\"second\"\n"
		"match code=500 set tag=NO_ANSWER hint=\"code 500\"\n"
		"match q850=17 set tag=FAILED category=busy retry=later "
		"hint=\"cause 17\"\n"
		"match code=484 set hint=\"only a hint\"\n"
		"match code=410 set category=other\n"
		"match code=487 set rewrite=\"Call Cancelled\"\n"
		"match code=200 set tag=FAILED category=other hint=\"never\"\n"
		"match code=408 ringing=1 set tag=FAILED category=other\n"
		"match class=4 ringing=0 phrase=\"quota\" set category=billing\n";

static void test_precedence_within_profile(void **state)
{
	sipoutcome_profiles_t *set = *state;
	const sipoutcome_profile_t *p = load_ok(set, "prec", prec);
	sipoutcome_result_t r;

	/* code beats class; fields the code rule leaves come from the class */
	r = tu_classify(603, 0, -1, p);
	tu_check("603", &r,
			&(tu_expect_t){T(NO_ANSWER), C(OTHER), R(NO), B(CALLEE),
					D(NOANSWER), 21, "profile"});
	check_hint("603", &r, "code 603");
	r = tu_classify(604, 0, -1, p);
	tu_check("604", &r,
			&(tu_expect_t){
					T(FAILED), C(OTHER), R(NO), B(CALLER), ANY, 1, "profile"});
	check_hint("604", &r, "class 6xx");
	r = tu_classify(699, 0, -1, p); /* unregistered: the class rule too */
	tu_check("699", &r,
			&(tu_expect_t){T(FAILED), C(OTHER), ANY, ANY, ANY, -1, "profile"});
	check_hint("699", &r, "class 6xx");
	assert_int_equal(r.registered, 0);

	/* a phrase key beats none; case-insensitive substring */
	r = classify_phrase(503, 0, -1, "Server OVERLOADED now", p);
	tu_check("503 overload", &r,
			&(tu_expect_t){T(FAILED), C(CONGESTION), R(ALTERNATE), B(NETWORK),
					D(CONGESTION), 41, "code"});
	check_hint("503 overload", &r, "phrase 503");
	r = classify_phrase(503, 0, -1, "Service Unavailable", p);
	tu_check("503", &r,
			&(tu_expect_t){
					T(FAILED), C(SERVER_ERROR), ANY, ANY, ANY, 41, "code"});
	check_hint("503", &r, "plain 503");
	r = classify_phrase(503, 0, -1, NULL, p);
	check_hint("503 no phrase", &r, "plain 503");
	r = classify_phrase(503, 0, -1, "overloa", p);
	check_hint("503 partial", &r, "plain 503");

	/* a ringing key beats none */
	r = tu_classify(486, RING, -1, p);
	tu_check("486 ringing", &r,
			&(tu_expect_t){T(NO_ANSWER), C(NO_ANSWER), ANY, ANY, D(NOANSWER),
					17, "profile"});
	check_hint("486 ringing", &r, "rang 486");
	r = tu_classify(486, 0, -1, p);
	tu_check("486", &r,
			&(tu_expect_t){T(BUSY), C(BUSY), R(LATER), B(CALLEE), D(BUSY), 17,
					"profile"});
	check_hint("486", &r, "plain 486");

	/* a phrase key beats a ringing key */
	r = classify_phrase(480, RING, -1, "User DND", p);
	tu_check("480 ringing dnd", &r,
			&(tu_expect_t){T(BUSY), ANY, ANY, ANY, ANY, 18, "profile"});
	check_hint("480 ringing dnd", &r, "phrase 480");
	r = classify_phrase(480, RING, -1, "Temporarily Unavailable", p);
	tu_check("480 ringing", &r,
			&(tu_expect_t){T(FAILED), ANY, ANY, ANY, ANY, 18, "profile"});
	check_hint("480 ringing", &r, "ringing 480");
	r = classify_phrase(480, 0, -1, "dnd", p);
	tu_check("480 dnd", &r,
			&(tu_expect_t){T(BUSY), ANY, ANY, ANY, ANY, 18, "profile"});
	r = classify_phrase(480, 0, -1, NULL, p);
	tu_check("480", &r,
			&(tu_expect_t){T(NO_ANSWER), C(UNAVAILABLE), R(LATER), B(CALLEE),
					ANY, 18, "code"});
	check_hint("480", &r, rfc_hint(set, 480, 0, NULL));

	/* equal ranks: file order */
	r = classify_phrase(404, 0, -1, "ab", p);
	check_hint("404 ab", &r, "first");
	r = classify_phrase(404, 0, -1, "BA", p);
	check_hint("404 BA", &r, "first");
	r = classify_phrase(404, 0, -1, "b", p);
	check_hint("404 b", &r, "second");
	r = classify_phrase(404, 0, -1, "xyz", p);
	check_hint("404 xyz", &r, rfc_hint(set, 404, 0, "xyz"));
	tu_check("404 xyz", &r,
			&(tu_expect_t){T(FAILED), C(INVALID_NUMBER), R(NO), B(CALLER), ANY,
					1, "code"});

	/* a rule naming a Q.850 cause beats a code rule */
	r = tu_classify(500, 0, -1, p);
	tu_check("500", &r,
			&(tu_expect_t){
					T(NO_ANSWER), ANY, ANY, ANY, D(NOANSWER), 41, "profile"});
	check_hint("500", &r, "code 500");
	r = tu_classify(500, 0, 17, p);
	tu_check("500 q850=17", &r,
			&(tu_expect_t){T(FAILED), C(BUSY), R(LATER), ANY, ANY, 17,
					"profile-cause"});
	check_hint("500 q850=17", &r, "cause 17");
	r = tu_classify(486, RING, 17, p);
	tu_check("486 ringing q850=17", &r,
			&(tu_expect_t){T(FAILED), C(BUSY), R(LATER), ANY, ANY, 17,
					"profile-cause"});
	check_hint("486 ringing q850=17", &r, "cause 17");
	r = tu_classify(500, 0, 18, p); /* another cause: the code rule */
	tu_check("500 q850=18", &r,
			&(tu_expect_t){T(NO_ANSWER), ANY, ANY, ANY, ANY, 18, "profile"});
	/* a profile's code rule beats the Q.850 cause's own meaning */
	r = tu_classify(603, 0, 17, p);
	tu_check("603 q850=17", &r,
			&(tu_expect_t){T(FAILED), C(BUSY), R(LATER), ANY, ANY, 17,
					"profile-cause"});
	r = tu_classify(500, 0, 19, p);
	tu_check("500 q850=19", &r,
			&(tu_expect_t){T(NO_ANSWER), ANY, ANY, ANY, ANY, 19, "profile"});
	check_hint("500 q850=19", &r, "code 500");

	/* a rule that sets only a hint: the tag comes from the code table */
	r = tu_classify(484, 0, -1, p);
	tu_check("484", &r,
			&(tu_expect_t){T(FAILED), C(INVALID_NUMBER), R(NO), B(CALLER),
					D(CHANUNAVAIL), 28, "code"});
	check_hint("484", &r, "only a hint");
	/* one that sets only a category: the rest from the code table */
	r = tu_classify(410, 0, -1, p);
	tu_check("410", &r,
			&(tu_expect_t){
					T(FAILED), C(OTHER), R(NO), B(CALLER), ANY, 22, "code"});
	check_hint("410", &r, rfc_hint(set, 410, 0, NULL));

	/* rewrite= shows up in result.rewrite */
	r = tu_classify(487, CANC, -1, p);
	tu_check("487 canceled", &r,
			&(tu_expect_t){T(CANCELED), C(CANCELED), ANY, ANY, D(CANCEL), 16,
					"context"});
	assert_non_null(r.rewrite);
	assert_string_equal(r.rewrite, "Call Cancelled");
	r = tu_classify(487, 0, -1, p);
	assert_non_null(r.rewrite);
	assert_string_equal(r.rewrite, "Call Cancelled");
	r = tu_classify(486, 0, -1, p);
	assert_null(r.rewrite);

	/* the transaction context beats every rule */
	r = tu_classify(200, 0, -1, p);
	tu_check("200", &r,
			&(tu_expect_t){T(COMPLETED), C(ANSWERED), R(NO), B(CALLEE),
					D(ANSWER), 16, "context"});
	r = tu_classify(408, LOC | TMO | RING, -1, p);
	tu_check("408 proxy timeout ringing", &r,
			&(tu_expect_t){T(NO_ANSWER), C(NO_ANSWER), ANY, ANY, D(NOANSWER),
					102, "context"});
	r = tu_classify(408, RING, -1, p); /* remote 408: the rule applies */
	tu_check("408 ringing", &r,
			&(tu_expect_t){T(FAILED), C(OTHER), ANY, ANY, ANY, 102, "profile"});

	/* class=4 with ringing=0 and a phrase */
	r = classify_phrase(402, 0, -1, "Quota exceeded", p);
	tu_check("402 quota", &r,
			&(tu_expect_t){T(FAILED), C(BILLING), ANY, ANY, ANY, 21, "code"});
	r = classify_phrase(403, RING, -1, "Quota exceeded", p);
	tu_check("403 quota ringing", &r,
			&(tu_expect_t){T(FAILED), C(FORBIDDEN), ANY, ANY, ANY, 21, "code"});
	r = classify_phrase(403, 0, -1, "QUOTA", p);
	tu_check("403 quota", &r,
			&(tu_expect_t){T(FAILED), C(BILLING), ANY, ANY, ANY, 21, "code"});
}

static const char parent1[] =
		"profile parent1\n"
		"match code=603 set tag=FAILED category=blocked retry=no "
		"hint=\"parent 603\"\n"
		"match q850=21 set category=declined hint=\"parent cause 21\"\n"
		"match code=486 phrase=\"busy\" set tag=FAILED hint=\"parent 486\"\n"
		"match class=5xx set hint=\"parent 5xx\"\n";
static const char child1[] = "profile child1\n"
							 "inherits parent1\n"
							 "match code=603 set tag=BUSY hint=\"child 603\"\n"
							 "match code=486 set hint=\"child 486\"\n";
static const char grandchild[] = "profile grandchild\n"
								 "inherits child1\n"
								 "match code=603 set retry=later\n";

static void test_precedence_inheritance(void **state)
{
	sipoutcome_profiles_t *set = *state;
	const sipoutcome_profile_t *p1 = load_ok(set, "parent1", parent1);
	const sipoutcome_profile_t *c1 = load_ok(set, "child1", child1);
	const sipoutcome_profile_t *g = load_ok(set, "grandchild", grandchild);
	sipoutcome_result_t r;

	assert_string_equal(sipoutcome_profile_parent(p1), "rfc");
	assert_string_equal(sipoutcome_profile_parent(c1), "parent1");
	assert_string_equal(sipoutcome_profile_parent(g), "child1");

	r = tu_classify(603, 0, -1, p1);
	tu_check("parent 603", &r,
			&(tu_expect_t){T(FAILED), C(BLOCKED), R(NO), B(CALLEE), ANY, 21,
					"profile"});
	check_hint("parent 603", &r, "parent 603");

	/* child rules beat parent rules, field by field */
	r = tu_classify(603, 0, -1, c1);
	tu_check("child 603", &r,
			&(tu_expect_t){
					T(BUSY), C(BLOCKED), R(NO), B(CALLEE), ANY, 21, "profile"});
	check_hint("child 603", &r, "child 603");
	assert_string_equal(r.vendor, "child1");

	/* ... even a more specific parent rule */
	r = classify_phrase(486, 0, -1, "Busy Here", c1);
	tu_check("child 486", &r,
			&(tu_expect_t){T(FAILED), C(BUSY), ANY, ANY, ANY, 17, "profile"});
	check_hint("child 486", &r, "child 486");

	/* a parent's cause rule beats a child's code rule */
	r = tu_classify(603, 0, 21, c1);
	tu_check("child 603 q850=21", &r,
			&(tu_expect_t){
					T(BUSY), C(DECLINED), R(NO), ANY, ANY, 21, "profile"});
	check_hint("child 603 q850=21", &r, "parent cause 21");

	/* three levels */
	r = tu_classify(603, 0, -1, g);
	tu_check("grandchild 603", &r,
			&(tu_expect_t){T(BUSY), C(BLOCKED), R(LATER), B(CALLEE), ANY, 21,
					"profile"});
	check_hint("grandchild 603", &r, "child 603");
	assert_string_equal(r.vendor, "grandchild");
	r = tu_classify(502, 0, -1, g);
	check_hint("grandchild 502", &r, "parent 5xx");
	tu_check("grandchild 502", &r,
			&(tu_expect_t){T(FAILED), C(SERVER_ERROR), R(ALTERNATE), B(NETWORK),
					ANY, 38, "code"});
	r = tu_classify(404, 0, -1, g);
	check_hint("grandchild 404", &r, rfc_hint(set, 404, 0, NULL));
}

/* Profiles stay valid while more are loaded (the set grows). */
static void test_many_profiles(void **state)
{
	sipoutcome_profiles_t *set = *state;
	const sipoutcome_profile_t *first, *p = NULL;
	size_t n = sipoutcome_profiles_count(set);
	sipoutcome_result_t r;
	char name[32], text[160];
	int i;

	first = load_ok(
			set, "p0", "profile p0\nmatch code=486 set hint=\"from p0\"\n");
	for(i = 1; i < 40; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		snprintf(text, sizeof(text),
				"profile p%d\ninherits p%d\nmatch code=%d set hint=\"p%d\"\n",
				i, i - 1, 400 + i, i);
		p = load_ok(set, name, text);
	}
	/* the first profile is still valid, the last sees the whole chain */
	r = tu_classify(486, 0, -1, first);
	check_hint("p0 486", &r, "from p0");
	r = tu_classify(486, 0, -1, p);
	check_hint("p39 486", &r, "from p0");
	r = tu_classify(439, 0, -1, p);
	check_hint("p39 439", &r, "p39");
	r = tu_classify(420, 0, -1, p);
	check_hint("p39 420", &r, "p20");
	assert_int_equal(sipoutcome_profiles_count(set), n + 40);
}

/* Accepted spellings. */
static void test_good_syntax(void **state)
{
	sipoutcome_profiles_t *set = *state;
	const sipoutcome_profile_t *p;
	sipoutcome_result_t r;

	p = load_ok(set, "crlf",
			"profile crlf\r\n"
			"inherits rfc\r\n"
			"\r\n"
			"  # indented comment\r\n"
			"description \"CRLF \\\"quoted\\\" \\\\ text\"\r\n"
			"\tmatch\tCODE=486\tset\tTAG=failed  category=BUSY "
			"hint=\"h\xc3\xa4\"\r\n"
			"match class=4XX set hint=\"4xx\"\r\n"
			"match class=5 set hint=\"5\"");
	assert_string_equal(
			sipoutcome_profile_description(p), "CRLF \"quoted\" \\ text");
	r = tu_classify(486, 0, -1, p);
	tu_check("crlf 486", &r,
			&(tu_expect_t){T(FAILED), C(BUSY), ANY, ANY, ANY, 17, "profile"});
	check_hint("crlf 486", &r, "h\xc3\xa4");
	r = tu_classify(404, 0, -1, p);
	check_hint("crlf 404", &r, "4xx");
	r = tu_classify(503, 0, -1, p);
	check_hint("crlf 503", &r, "5");

	/* a bare profile: no rules, same as rfc */
	p = load_ok(set, "bare", "profile bare");
	assert_string_equal(sipoutcome_profile_parent(p), "rfc");
	assert_string_equal(sipoutcome_profile_description(p), "");
	r = tu_classify(603, 0, -1, p);
	assert_int_equal(r.tag, SIPOUTCOME_TAG_BUSY);
	assert_string_equal(r.vendor, "bare");

	/* a built-in can be a parent */
	p = load_ok(set, "on_okitoki", "profile on_okitoki\ninherits okitoki\n");
	assert_string_equal(sipoutcome_profile_parent(p), "okitoki");

	/* the longest name: 31 characters */
	load_ok(set, "abcdefghijklmnopqrstuvwxyz01234",
			"profile abcdefghijklmnopqrstuvwxyz01234\n");

	/* a hint of 240 bytes and a rewrite of 128 bytes */
	{
		char text[600];
		char hint[241], rw[129];
		memset(hint, 'h', 240);
		hint[240] = '\0';
		memset(rw, 'r', 128);
		rw[128] = '\0';
		snprintf(text, sizeof(text),
				"profile longest\nmatch code=486 set hint=\"%s\" "
				"rewrite=\"%s\"\n",
				hint, rw);
		p = load_ok(set, "longest", text);
		r = tu_classify(486, 0, -1, p);
		assert_string_equal(r.hint, hint);
		assert_string_equal(r.rewrite, rw);
	}
}

/* ---- bad profiles ---- */

typedef struct bad
{
	const char *label;
	const char *text;
	size_t len; /* 0: strlen */
	int line;
	const char *field;
} bad_t;

#define L(lit) lit, sizeof(lit) - 1

static const bad_t bads[] = {
		{"unknown match key", "profile bad\nmatch foo=1 set tag=BUSY\n", 0, 2,
				"match"},
		{"unknown set key", "profile bad\nmatch code=486 set colour=red\n", 0,
				2, "set"},
		{"unknown tag", "profile bad\nmatch code=486 set tag=MAYBE\n", 0, 2,
				"tag"},
		{"tag NONE", "profile bad\nmatch code=486 set tag=NONE\n", 0, 2, "tag"},
		{"tag -", "profile bad\nmatch code=486 set tag=-\n", 0, 2, "tag"},
		{"tag empty", "profile bad\nmatch code=486 set tag=\n", 0, 2, "tag"},
		{"tag junk", "profile bad\nmatch code=486 set tag=BUSY!\n", 0, 2,
				"tag"},
		{"unknown category", "profile bad\nmatch code=486 set category=sad\n",
				0, 2, "category"},
		{"unknown retry", "profile bad\nmatch code=486 set retry=soon\n", 0, 2,
				"retry"},
		{"unknown blame", "profile bad\nmatch code=486 set blame=moon\n", 0, 2,
				"blame"},
		{"code 99", "profile bad\nmatch code=99 set tag=BUSY\n", 0, 2, "code"},
		{"code 700", "profile bad\nmatch code=700 set tag=BUSY\n", 0, 2,
				"code"},
		{"code 4x6", "profile bad\nmatch code=4x6 set tag=BUSY\n", 0, 2,
				"code"},
		{"code -1", "profile bad\nmatch code=-1 set tag=BUSY\n", 0, 2, "code"},
		{"code empty", "profile bad\nmatch code= set tag=BUSY\n", 0, 2, "code"},
		{"code huge", "profile bad\nmatch code=4860000000 set tag=BUSY\n", 0, 2,
				"code"},
		{"class 7xx", "profile bad\nmatch class=7xx set tag=BUSY\n", 0, 2,
				"class"},
		{"class 0", "profile bad\nmatch class=0 set tag=BUSY\n", 0, 2, "class"},
		{"class 4yy", "profile bad\nmatch class=4yy set tag=BUSY\n", 0, 2,
				"class"},
		{"q850 128", "profile bad\nmatch q850=128 set tag=BUSY\n", 0, 2,
				"q850"},
		{"q850 abc", "profile bad\nmatch q850=abc set tag=BUSY\n", 0, 2,
				"q850"},
		{"ringing 2", "profile bad\nmatch code=486 ringing=2 set tag=BUSY\n", 0,
				2, "ringing"},
		{"duplicate rule",
				"profile bad\n\n# two rules, same keys\n"
				"match code=486 set tag=BUSY\nmatch code=486 set tag=FAILED\n",
				0, 5, "match"},
		{"duplicate phrase rule",
				"profile bad\nmatch code=486 phrase=\"Busy\" set tag=BUSY\n"
				"match phrase=\"BUSY\" code=486 set hint=\"x\"\n",
				0, 3, "match"},
		{"duplicate class rule",
				"profile bad\nmatch class=4 set tag=BUSY\n"
				"match class=4xx set tag=FAILED\n",
				0, 3, "match"},
		{"duplicate key", "profile bad\nmatch code=486 code=487 set tag=BUSY\n",
				0, 2, "match"},
		{"duplicate set key",
				"profile bad\nmatch code=486 set tag=BUSY tag=FAILED\n", 0, 2,
				"set"},
		{"unterminated hint", "profile bad\nmatch code=486 set hint=\"abc\n", 0,
				2, "hint"},
		{"unterminated hint at end",
				"profile bad\nmatch code=486 set hint=\"abc", 0, 2, "hint"},
		{"unterminated phrase",
				"profile bad\nmatch code=486 phrase=\"busy set tag=BUSY\n", 0,
				2, "phrase"},
		{"unterminated description", "profile bad\ndescription \"abc\n", 0, 2,
				"description"},
		{"unquoted hint", "profile bad\nmatch code=486 set hint=x\n", 0, 2,
				"hint"},
		{"empty hint", "profile bad\nmatch code=486 set hint=\"\"\n", 0, 2,
				"hint"},
		{"empty phrase",
				"profile bad\nmatch code=486 phrase=\"\" set tag=BUSY\n", 0, 2,
				"phrase"},
		{"text after description", "profile bad\ndescription \"x\" more\n", 0,
				2, "description"},
		{"NUL byte", L("profile bad\nmatch code=486\0 set tag=BUSY\n"), 2,
				"bytes"},
		{"NUL at the end", L("profile bad\nmatch code=486 set tag=BUSY\n\0"), 3,
				"bytes"},
		{"0xff bytes", "profile bad\n# \xff\xfe\n", 0, 2, "bytes"},
		{"binary",
				L("\x7f"
				  "ELF\x02\x01\x01\0\0\0"),
				1, "bytes"},
		{"CR alone", "profile bad\rmatch code=486 set tag=BUSY\n", 0, 1,
				"bytes"},
		{"escape byte", "profile bad\nmatch code=486 set hint=\"\x1b[1m\"\n", 0,
				2, "bytes"},
		{"overlong UTF-8", "profile bad\n# \xc0\xaf\n", 0, 2, "bytes"},
		{"surrogate", "profile bad\n# \xed\xa0\x80\n", 0, 2, "bytes"},
		{"lone continuation", "profile bad\n\n# \x80\n", 0, 3, "bytes"},
		{"truncated UTF-8", "profile bad\n# \xc3", 0, 2, "bytes"},
		{"empty buffer", "", 0, 0, "profile"},
		{"only comments", "# nothing\n\n   \n", 0, 0, "profile"},
		{"no profile line", "match code=486 set tag=BUSY\n", 0, 1, "profile"},
		{"profile not first", "# header\n\ninherits rfc\nprofile bad\n", 0, 3,
				"profile"},
		{"two profile lines", "profile bad\nprofile again\n", 0, 2, "profile"},
		{"name with space", "profile bad name\n", 0, 1, "profile"},
		{"no name", "profile\n", 0, 1, "profile"},
		{"name too long", "profile abcdefghijklmnopqrstuvwxyz012345\n", 0, 1,
				"profile"},
		{"name bad char", "profile b@d\n", 0, 1, "profile"},
		{"unknown parent", "profile bad\ninherits nosuch\n", 0, 2, "inherits"},
		{"unknown parent later",
				"profile bad\n# c\ninherits nosuch\nmatch code=486 set "
				"tag=BUSY\n",
				0, 3, "inherits"},
		{"inherits itself", "profile bad\ninherits bad\n", 0, 2, "inherits"},
		{"two inherits", "profile bad\ninherits rfc\ninherits rfc\n", 0, 3,
				"inherits"},
		{"loaded twice", "profile rfc\n", 0, 1, "profile"},
		{"loaded twice after comments", "# again\n\nprofile 8x8\n", 0, 3,
				"profile"},
		{"match without set", "profile bad\nmatch code=486\n", 0, 2, "set"},
		{"set without values", "profile bad\nmatch code=486 set\n", 0, 2,
				"set"},
		{"match without keys", "profile bad\nmatch set tag=BUSY\n", 0, 2,
				"match"},
		{"missing =", "profile bad\nmatch code 486 set tag=BUSY\n", 0, 2,
				"match"},
		{"class contradicts code",
				"profile bad\nmatch code=486 class=5xx set tag=BUSY\n", 0, 2,
				"class"},
		{"class contradicts code 2",
				"profile bad\nmatch class=6 code=486 set tag=BUSY\n", 0, 2,
				"class"},
		{"unknown keyword", "profile bad\nfrobnicate now\n", 0, 2, "keyword"},
		{"error after good lines",
				"profile bad\nmatch code=486 set tag=BUSY\n"
				"match code=487 set tag=CANCELED\n\n"
				"match code=488 set tag=FAILED category=nope\n",
				0, 5, "category"},
};

static void test_bad_profiles(void **state)
{
	sipoutcome_profiles_t *set = *state;
	size_t i, n = sipoutcome_profiles_count(set);
	const sipoutcome_profile_t *rfc = sipoutcome_profiles_find(set, "rfc", 3);
	const sipoutcome_profile_t *x8 = sipoutcome_profiles_find(set, "8x8", 3);
	int failed = 0;

	for(i = 0; i < TU_ARRAY_SIZE(bads); i++) {
		const bad_t *b = &bads[i];
		size_t len = b->len ? b->len : strlen(b->text);
		char *copy = tu_dup(b->text, len);
		sipoutcome_error_t err;
		char msg[512];
		int rc;

		memset(&err, 0, sizeof(err));
		err.line = -99;
		rc = sipoutcome_profiles_load_buffer(
				set, "bad.profile", copy, len, &err);
		sipoutcome_error_format(&err, msg, sizeof(msg));
		/* report every wrong case, not only the first */
		if(rc != SIPOUTCOME_ESYNTAX) {
			print_error("%s: returned %d, expected ESYNTAX (%s)\n", b->label,
					rc, msg);
			failed++;
		} else if(err.line != b->line || strcmp(err.field, b->field) != 0) {
			print_error("%s: line %d field \"%s\", expected line %d field"
						" \"%s\" (%s)\n",
					b->label, err.line, err.field, b->line, b->field, msg);
			failed++;
		} else if(strcmp(err.source, "bad.profile") != 0
				  || strlen(err.text) == 0) {
			print_error("%s: source \"%s\", text \"%s\"\n", b->label,
					err.source, err.text);
			failed++;
		}
		/* the set is unchanged */
		assert_int_equal(sipoutcome_profiles_count(set), n);
		assert_null(sipoutcome_profiles_find(set, "bad", 3));
		assert_null(sipoutcome_profiles_find(set, "again", 5));
		assert_ptr_equal(sipoutcome_profiles_find(set, "rfc", 3), rfc);
		assert_ptr_equal(sipoutcome_profiles_find(set, "8x8", 3), x8);
		assert_null(sipoutcome_profiles_at(set, n));
		/* and err may be NULL */
		assert_int_equal(sipoutcome_profiles_load_buffer(
								 set, "bad.profile", copy, len, NULL),
				SIPOUTCOME_ESYNTAX);
		free(copy);
	}
	if(failed)
		fail_msg("%d of %zu bad profiles not reported as expected", failed,
				TU_ARRAY_SIZE(bads));
	/* still usable */
	load_ok(set, "bad", "profile bad\n");
	assert_int_equal(sipoutcome_profiles_count(set), n + 1);
}

/* Too-long values. */
static void test_bad_lengths(void **state)
{
	sipoutcome_profiles_t *set = *state;
	static const struct
	{
		const char *key;
		size_t len;
	} vals[] = {{"hint", 241}, {"rewrite", 129}, {"phrase", 129}};
	size_t i, n = sipoutcome_profiles_count(set);

	for(i = 0; i < TU_ARRAY_SIZE(vals); i++) {
		char text[600], val[300];
		sipoutcome_error_t err;
		int rc;

		memset(val, 'v', vals[i].len);
		val[vals[i].len] = '\0';
		if(strcmp(vals[i].key, "phrase") == 0)
			snprintf(text, sizeof(text),
					"profile bad\nmatch code=486 phrase=\"%s\" set tag=BUSY\n",
					val);
		else
			snprintf(text, sizeof(text),
					"profile bad\nmatch code=486 set %s=\"%s\"\n", vals[i].key,
					val);
		memset(&err, 0, sizeof(err));
		rc = sipoutcome_profiles_load_buffer(
				set, "len.profile", text, strlen(text), &err);
		assert_int_equal(rc, SIPOUTCOME_ESYNTAX);
		assert_int_equal(err.line, 2);
		assert_string_equal(err.field, vals[i].key);
		assert_int_equal(sipoutcome_profiles_count(set), n);
	}
}

/* Every prefix of a good profile: never a crash or an over-read. */
static void test_every_prefix(void **state)
{
	sipoutcome_profiles_t *set = *state;
	size_t len = strlen(prec), k;

	for(k = 0; k < len; k++) {
		char *copy = tu_dup(prec, k);
		sipoutcome_error_t err;
		int rc = sipoutcome_profiles_load_buffer(set, "prefix", copy, k, &err);

		if(rc == SIPOUTCOME_OK) {
			/* keep the name free for the next prefix */
			sipoutcome_profiles_free(set);
			assert_int_equal(sipoutcome_profiles_new(&set, NULL), 0);
			*state = set;
		} else {
			assert_int_equal(rc, SIPOUTCOME_ESYNTAX);
			assert_in_range(err.line, 0, 40);
		}
		free(copy);
	}
}

/* ---- files ---- */

static char *temp_file(const char *text, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char *path = malloc(512);
	FILE *f;
	int fd;

	assert_non_null(path);
	snprintf(
			path, 512, "%s/sipoutcome-test-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	if(len)
		assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void test_load_file(void **state)
{
	sipoutcome_profiles_t *set = *state;
	size_t n = sipoutcome_profiles_count(set);
	sipoutcome_error_t err;
	char *path;
	int rc;

	path = temp_file(carrier, sizeof(carrier) - 1);
	rc = sipoutcome_profiles_load_file(set, path, &err);
	assert_int_equal(rc, SIPOUTCOME_OK);
	assert_int_equal(sipoutcome_profiles_count(set), n + 1);
	{
		sipoutcome_result_t r = tu_classify(
				603, 0, -1, sipoutcome_profiles_find(set, "carrier", 7));
		assert_int_equal(r.category, SIPOUTCOME_CAT_LINE_LIMIT);
	}
	/* the same file again: name already loaded (the line is checked in
	 * test_bad_profiles) */
	memset(&err, 0, sizeof(err));
	rc = sipoutcome_profiles_load_file(set, path, &err);
	assert_int_equal(rc, SIPOUTCOME_ESYNTAX);
	assert_string_equal(err.source, path);
	assert_string_equal(err.field, "profile");
	assert_int_equal(sipoutcome_profiles_count(set), n + 1);
	unlink(path);

	/* gone */
	memset(&err, 0, sizeof(err));
	rc = sipoutcome_profiles_load_file(set, path, &err);
	assert_int_equal(rc, SIPOUTCOME_EIO);
	assert_string_equal(err.source, path);
	free(path);

	/* a directory */
	rc = sipoutcome_profiles_load_file(set, "/", &err);
	assert_int_equal(rc, SIPOUTCOME_EIO);
	assert_int_equal(sipoutcome_profiles_count(set), n + 1);
}

/* 1 MiB is the limit: exactly 1 MiB loads, one byte more is EIO. */
static void test_load_file_size(void **state)
{
	sipoutcome_profiles_t *set = *state;
	const size_t mib = 1024 * 1024;
	char *buf = malloc(mib + 1);
	sipoutcome_error_t err;
	char *path;
	size_t k;

	assert_non_null(buf);
	memcpy(buf, "profile big\n", 12);
	for(k = 12; k < mib + 1; k++)
		buf[k] = (k % 64 == 63) ? '\n' : (k % 64 == 0 ? '#' : 'c');
	buf[12] = '#';
	buf[mib - 1] = '\n';
	path = temp_file(buf, mib);
	memset(&err, 0, sizeof(err));
	if(sipoutcome_profiles_load_file(set, path, &err) != SIPOUTCOME_OK) {
		char msg[512];
		fail_msg("1 MiB file: %s",
				sipoutcome_error_format(&err, msg, sizeof(msg)));
	}
	assert_non_null(sipoutcome_profiles_find(set, "big", 3));
	unlink(path);
	free(path);

	memcpy(buf, "profile big2\n", 13);
	buf[13] = '#';
	buf[mib] = '\n';
	path = temp_file(buf, mib + 1);
	memset(&err, 0, sizeof(err));
	assert_int_equal(
			sipoutcome_profiles_load_file(set, path, &err), SIPOUTCOME_EIO);
	assert_null(sipoutcome_profiles_find(set, "big2", 4));
	unlink(path);
	free(path);
	free(buf);
}

/* ---- limits and index size (issue 12) ---- */

/* A profile of n rules matching on the phrase only, "profile NAME" first:
 * the worst case for an index per code (such a rule applies to all 600
 * codes). malloc'd, *len set. */
static char *phrase_rules(const char *name, int n, size_t *len)
{
	size_t cap = 64 + (size_t)n * 64, k;
	char *buf = malloc(cap);
	int i;

	assert_non_null(buf);
	k = (size_t)snprintf(buf, cap, "profile %s\n", name);
	for(i = 0; i < n; i++)
		k += (size_t)snprintf(buf + k, cap - k,
				"match phrase=\"reason text %06d\" set tag=FAILED\n", i);
	*len = k;
	return buf;
}

/* README.md, "Profile limits": at most 10000 rules per file; the 10001st
 * is an error naming the file, its line and the limit. */
static void test_rules_limit(void **state)
{
	sipoutcome_profiles_t *set = *state;
	sipoutcome_error_t err;
	size_t len;
	char *buf = phrase_rules("atlimit", 10000, &len), msg[512];

	memset(&err, 0, sizeof(err));
	if(sipoutcome_profiles_load_buffer(set, "atlimit.profile", buf, len, &err)
			!= SIPOUTCOME_OK)
		fail_msg("10000 rules: %s",
				sipoutcome_error_format(&err, msg, sizeof(msg)));
	free(buf);
	buf = phrase_rules("overlimit", 10001, &len);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sipoutcome_profiles_load_buffer(
							 set, "overlimit.profile", buf, len, &err),
			SIPOUTCOME_ESYNTAX);
	assert_string_equal(err.source, "overlimit.profile");
	assert_int_equal(err.line, 10002);
	assert_string_equal(err.field, "match");
	assert_non_null(strstr(err.text, "10000"));
	assert_null(sipoutcome_profiles_find(set, "overlimit", 9));
	free(buf);
}

/* The index grows with the rules, not rules x codes: 10000 phrase-only
 * rules (about 460 KB of text) hold well under 4 MiB of heap once
 * loaded (an index per code held 600 pointers per rule, 48 MB), and the
 * rule still applies to every code. mallinfo2 counts bytes, not time. */
static void test_index_memory(void **state)
{
	sipoutcome_profiles_t *set = *state;
	const sipoutcome_profile_t *p;
	sipoutcome_result_t r;
	sipoutcome_error_t err;
	struct mallinfo2 m0, m1;
	size_t len, held;
	char *buf = phrase_rules("wide", 10000, &len);

	memset(&err, 0, sizeof(err));
	m0 = mallinfo2();
	assert_int_equal(sipoutcome_profiles_load_buffer(
							 set, "wide.profile", buf, len, &err),
			SIPOUTCOME_OK);
	m1 = mallinfo2();
	free(buf);
	held = (m1.uordblks + m1.hblkhd) - (m0.uordblks + m0.hblkhd);
	if(held >= 4u * 1024 * 1024)
		fail_msg("10000 phrase rules hold %zu bytes", held);
	p = sipoutcome_profiles_find(set, "wide", 4);
	assert_non_null(p);
	r = classify_phrase(603, 0, -1, "Reason Text 009999", p);
	assert_int_equal(r.tag, SIPOUTCOME_TAG_FAILED);
	r = classify_phrase(200, 0, -1, "reason text 000000", p);
	assert_int_equal(r.tag, SIPOUTCOME_TAG_COMPLETED); /* a 2xx stays */
	assert_int_equal(sipoutcome_profile_reads_phrase(p, 486), 1);
}

/* ---- allocation failures ---- */

/* Fail the 1st, 2nd, ... allocation of each loader until it succeeds:
 * every failure is ENOMEM, leaks nothing (valgrind) and leaves the set
 * as it was. */
static void test_alloc_failures(void **state)
{
#ifdef TU_HAVE_ALLOC_HOOK
	sipoutcome_profiles_t *set = *state;
	size_t n = sipoutcome_profiles_count(set), len = strlen(prec);
	char *copy;
	long nth;
	int rc = -1;

	if(!tu_alloc_hook_works()) {
		print_message("allocation hook bypassed (valgrind?): skipped\n");
		skip();
	}
	copy = tu_dup(prec, len);
	for(nth = 0; nth < 1000; nth++) {
		sipoutcome_error_t err;
		int injected;

		tu_alloc_arm(nth);
		rc = sipoutcome_profiles_load_buffer(set, "chaos", copy, len, &err);
		injected = tu_alloc_disarm();
		if(!injected) {
			assert_int_equal(rc, SIPOUTCOME_OK);
			break;
		}
		if(rc != SIPOUTCOME_ENOMEM)
			fail_msg("load_buffer with allocation %ld failing: %d", nth, rc);
		assert_int_equal(sipoutcome_profiles_count(set), n);
		assert_null(sipoutcome_profiles_find(set, "prec", 4));
	}
	assert_int_equal(rc, SIPOUTCOME_OK);
	assert_true(nth >= 3);
	assert_non_null(sipoutcome_profiles_find(set, "prec", 4));
	free(copy);

	for(nth = 0; nth < 1000; nth++) {
		sipoutcome_profiles_t *s2 = (sipoutcome_profiles_t *)&nth;
		int injected;

		tu_alloc_arm(nth);
		rc = sipoutcome_profiles_new(&s2, NULL);
		injected = tu_alloc_disarm();
		if(!injected) {
			assert_int_equal(rc, SIPOUTCOME_OK);
			assert_non_null(s2);
			sipoutcome_profiles_free(s2);
			break;
		}
		if(rc != SIPOUTCOME_ENOMEM)
			fail_msg("profiles_new with allocation %ld failing: %d", nth, rc);
		assert_null(s2);
	}
	assert_int_equal(rc, SIPOUTCOME_OK);
	assert_true(nth >= 4);
#else
	(void)state;
	skip();
#endif
}

/* ---- error formatting ---- */

static void test_error_format(void **state)
{
	sipoutcome_error_t e;
	char dst[400], small[8];

	(void)state;
	memset(&e, 0, sizeof(e));
	strcpy(e.source, "a.profile");
	e.line = 3;
	strcpy(e.field, "code");
	strcpy(e.text, "99 is outside 100..699");
	assert_ptr_equal(sipoutcome_error_format(&e, dst, sizeof(dst)), dst);
	assert_string_equal(dst, "a.profile:3: code: 99 is outside 100..699");
	e.line = 0;
	sipoutcome_error_format(&e, dst, sizeof(dst));
	assert_string_equal(dst, "a.profile: code: 99 is outside 100..699");
	e.field[0] = '\0';
	sipoutcome_error_format(&e, dst, sizeof(dst));
	assert_string_equal(dst, "a.profile: 99 is outside 100..699");
	e.source[0] = '\0';
	sipoutcome_error_format(&e, dst, sizeof(dst));
	assert_string_equal(dst, "99 is outside 100..699");
	e.line = 12;
	sipoutcome_error_format(&e, dst, sizeof(dst));
	assert_string_equal(dst, ":12: 99 is outside 100..699");

	/* truncation keeps a NUL */
	strcpy(e.source, "a.profile");
	memset(small, '#', sizeof(small));
	sipoutcome_error_format(&e, small, sizeof(small));
	assert_string_equal(small, "a.profi");
	small[0] = 'x';
	sipoutcome_error_format(&e, small, 0);
	assert_int_equal(small[0], 'x');
	sipoutcome_error_format(NULL, dst, sizeof(dst));
	assert_string_equal(dst, "");
	assert_null(sipoutcome_error_format(&e, NULL, 10));
}

/* A real loader error reads well. */
static void test_error_message(void **state)
{
	sipoutcome_profiles_t *set = *state;
	static const char text[] = "profile bad\nmatch code=99 set tag=BUSY\n";
	sipoutcome_error_t err;
	char msg[512];

	memset(&err, 0, sizeof(err));
	assert_int_equal(sipoutcome_profiles_load_buffer(set, "carrier.profile",
							 text, sizeof(text) - 1, &err),
			SIPOUTCOME_ESYNTAX);
	sipoutcome_error_format(&err, msg, sizeof(msg));
	assert_int_equal(strncmp(msg, "carrier.profile:2: code: ", 25), 0);
	assert_non_null(strstr(msg, "99"));
}

int main(void)
{
#define T_(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
			T_(test_builtins),
			T_(test_set_api),
			T_(test_load_einval),
			T_(test_user_profile_603_only),
			T_(test_precedence_within_profile),
			T_(test_precedence_inheritance),
			T_(test_many_profiles),
			T_(test_good_syntax),
			T_(test_bad_profiles),
			T_(test_bad_lengths),
			T_(test_every_prefix),
			T_(test_load_file),
			T_(test_load_file_size),
			T_(test_rules_limit),
			T_(test_index_memory),
			T_(test_alloc_failures),
			T_(test_error_format),
			T_(test_error_message),
	};
#undef T_
	return cmocka_run_group_tests(tests, NULL, NULL);
}
