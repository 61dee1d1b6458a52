/*
 * Profiles inside Kamailio. One profile set, in shared memory, serves
 * every process: it is loaded and checked once (at start-up, or by the
 * process that runs the RPC sipoutcome.reload), then published with a
 * generation number. A worker that sees a new generation at its next
 * classification only takes the new set's pointer: no reply ever waits
 * for a file or an index. A failed reload publishes nothing. Calls keep
 * their profile by name, so nothing of theirs points into an old set; an
 * old set is freed by a later reload once it has been retired for
 * KM_RETIRE_SECONDS (a classification that started on it has long ended:
 * it takes microseconds).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/dprint.h"
#include "core/locking.h"
#include "core/mem/shm_mem.h"

#include "km_mod.h"

sipoutcome_profiles_t *km_profiles = NULL;
const sipoutcome_profile_t *km_default_profile = NULL;

static char **km_files;
static int km_nfiles;
static char km_default_name[32];
volatile int *km_gen; /* shared: &km_pub->gen */
int km_local_gen;
unsigned int km_profiles_gen; /* this process's set changes */

/* The published set and the sets retired by reloads, in shared memory. */
#define KM_RETIRED_MAX 8
#define KM_RETIRE_SECONDS 10
typedef struct km_published {
	gen_lock_t lock; /* one reload at a time */
	sipoutcome_profiles_t *set;
	volatile int gen;
	struct {
		sipoutcome_profiles_t *set;
		time_t when;
	} retired[KM_RETIRED_MAX];
} km_published_t;
static km_published_t *km_pub;

static void *km_shm_alloc(size_t n)
{
	return shm_malloc(n);
}

static void *km_shm_resize(void *p, size_t n)
{
	return p ? shm_realloc(p, n) : shm_malloc(n);
}

static void km_shm_release(void *p)
{
	shm_free(p);
}

static const sipoutcome_allocator_t km_shm_allocator = {
		km_shm_alloc, km_shm_resize, km_shm_release};

/* Vendor names by id (1..255; 0 is default_vendor), shared and append
 * only, so a per-call id means the same name in every process and across
 * reloads. */
#define KM_VENDOR_IDS 255
typedef struct km_vendor_tab {
	volatile int n;
	char name[KM_VENDOR_IDS + 1][32];
} km_vendor_tab_t;
static km_vendor_tab_t *km_vtab;
static gen_lock_t *km_vtab_lock;

/* "default_vendor: unknown vendor profile 'x'; known: rfc asterisk ..."
 * into errbuf (cut at errlen). */
static void known_profiles(const sipoutcome_profiles_t *set, const char *want,
		char *errbuf, int errlen)
{
	size_t i;
	int n;

	n = snprintf(errbuf, errlen,
			"default_vendor: unknown vendor profile '%s'; known:", want);
	for(i = 0; n > 0 && n < errlen && i < sipoutcome_profiles_count(set); i++)
		n += snprintf(errbuf + n, errlen - n, " %s",
				sipoutcome_profile_name(sipoutcome_profiles_at(set, i)));
}

/* A complete new set, or NULL with the reason in errbuf. */
static sipoutcome_profiles_t *build_set(char *errbuf, int errlen)
{
	sipoutcome_profiles_t *set = NULL;
	sipoutcome_error_t err;
	int i;

	memset(&err, 0, sizeof(err));
	if(sipoutcome_profiles_new_in(&set, &km_shm_allocator, &err)
			!= SIPOUTCOME_OK) {
		snprintf(errbuf, errlen, "built-in profiles: ");
		sipoutcome_error_format(&err, errbuf + strlen(errbuf),
				errlen - strlen(errbuf));
		return NULL;
	}
	for(i = 0; i < km_nfiles; i++) {
		if(sipoutcome_profiles_load_file(set, km_files[i], &err)
				!= SIPOUTCOME_OK) {
			sipoutcome_error_format(&err, errbuf, errlen);
			sipoutcome_profiles_free(set);
			return NULL;
		}
	}
	/* after the files: a table's profile may inherit from a file's */
	if(km_db_add(set, errbuf, errlen) < 0) {
		sipoutcome_profiles_free(set);
		return NULL;
	}
	if(sipoutcome_profiles_find(set, km_default_name, strlen(km_default_name))
			== NULL) {
		known_profiles(set, km_default_name, errbuf, errlen);
		sipoutcome_profiles_free(set);
		return NULL;
	}
	return set;
}

/* This process uses set from now on (it is shared: nothing is freed). */
static void use_set(sipoutcome_profiles_t *set)
{
	km_profiles = set;
	km_default_profile = sipoutcome_profiles_find(
			set, km_default_name, strlen(km_default_name));
	km_cur.valid = 0; /* it may point into the old set */
	km_profiles_gen++;
}

int km_profiles_init(char **files, int nfiles, const char *default_vendor)
{
	char errbuf[512];
	sipoutcome_profiles_t *set;

	km_files = files;
	km_nfiles = nfiles;
	snprintf(km_default_name, sizeof(km_default_name), "%s", default_vendor);
	if(km_db_init() < 0)
		return -1;
	if(km_db_fetch(errbuf, sizeof(errbuf)) < 0) {
		LM_ERR("%s\n", errbuf);
		return -1;
	}
	km_pub = shm_malloc(sizeof(*km_pub));
	km_vtab = shm_malloc(sizeof(*km_vtab));
	km_vtab_lock = lock_alloc();
	if(km_pub == NULL || km_vtab == NULL || km_vtab_lock == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(km_pub, 0, sizeof(*km_pub));
	lock_init(&km_pub->lock);
	memset(km_vtab, 0, sizeof(*km_vtab));
	lock_init(km_vtab_lock);
	set = build_set(errbuf, sizeof(errbuf));
	if(set == NULL) {
		LM_ERR("%s\n", errbuf);
		return -1;
	}
	if(km_db_publish() < 0)
		return -1;
	km_pub->set = set;
	km_gen = &km_pub->gen;
	km_local_gen = 0;
	use_set(set);
	return 0;
}

/* The sets every process retired long enough ago; under km_pub->lock.
 * Returns a free slot, or -1 when all are taken. */
static int reap_retired(time_t now)
{
	int i, slot = -1;

	for(i = 0; i < KM_RETIRED_MAX; i++) {
		if(km_pub->retired[i].set != NULL
				&& now - km_pub->retired[i].when >= KM_RETIRE_SECONDS) {
			sipoutcome_profiles_free(km_pub->retired[i].set);
			km_pub->retired[i].set = NULL;
		}
		if(km_pub->retired[i].set == NULL && slot < 0)
			slot = i;
	}
	return slot;
}

void km_profiles_free_all(void)
{
	int i;

	if(km_pub == NULL)
		return;
	for(i = 0; i < KM_RETIRED_MAX; i++)
		sipoutcome_profiles_free(km_pub->retired[i].set);
	sipoutcome_profiles_free(km_pub->set);
	km_pub->set = NULL;
	km_profiles = NULL;
	km_default_profile = NULL;
}

int km_vendor_id(const char *name, int len)
{
	int i, n, id = -1;

	if(len <= 0 || len >= 32)
		return -1;
	n = __atomic_load_n(&km_vtab->n, __ATOMIC_ACQUIRE);
	for(i = 1; i <= n; i++)
		if(strncmp(km_vtab->name[i], name, len) == 0
				&& km_vtab->name[i][len] == '\0')
			return i;
	lock_get(km_vtab_lock);
	n = km_vtab->n;
	for(i = 1; i <= n; i++)
		if(strncmp(km_vtab->name[i], name, len) == 0
				&& km_vtab->name[i][len] == '\0')
			id = i;
	if(id < 0 && n < KM_VENDOR_IDS) {
		id = n + 1;
		memcpy(km_vtab->name[id], name, len);
		km_vtab->name[id][len] = '\0';
		__atomic_store_n(&km_vtab->n, id, __ATOMIC_RELEASE);
	}
	lock_release(km_vtab_lock);
	if(id < 0)
		LM_ERR("more than %d vendor names in use\n", KM_VENDOR_IDS);
	return id;
}

const char *km_vendor_name(int id)
{
	if(id <= 0 || id > __atomic_load_n(&km_vtab->n, __ATOMIC_ACQUIRE))
		return NULL;
	return km_vtab->name[id];
}

/* Another process published a set: take it (a pointer and a lookup). */
void km_profiles_refresh_slow(void)
{
	int gen;

	if(km_pub == NULL)
		return;
	gen = __atomic_load_n(&km_pub->gen, __ATOMIC_ACQUIRE);
	if(gen == km_local_gen)
		return;
	km_local_gen = gen;
	use_set(__atomic_load_n(&km_pub->set, __ATOMIC_ACQUIRE));
	LM_DBG("profile set of generation %d in use\n", gen);
}

/* RPC sipoutcome.reload: read and check the files here, once; publish. */
int km_profiles_reload(char *errbuf, int errlen)
{
	sipoutcome_profiles_t *set;
	int slot, gen;

	lock_get(&km_pub->lock);
	slot = reap_retired(time(NULL));
	if(slot < 0) {
		lock_release(&km_pub->lock);
		snprintf(errbuf, errlen,
				"%d reloads within %d s; try again in a few seconds",
				KM_RETIRED_MAX, KM_RETIRE_SECONDS);
		return -1;
	}
	if(km_db_fetch(errbuf, errlen) < 0) {
		lock_release(&km_pub->lock);
		return -1;
	}
	set = build_set(errbuf, errlen);
	if(set == NULL) {
		km_db_discard();
		lock_release(&km_pub->lock);
		return -1;
	}
	if(km_db_publish() < 0) {
		sipoutcome_profiles_free(set);
		lock_release(&km_pub->lock);
		snprintf(errbuf, errlen, "db table: out of shared memory");
		return -1;
	}
	km_pub->retired[slot].set = km_pub->set;
	km_pub->retired[slot].when = time(NULL);
	__atomic_store_n(&km_pub->set, set, __ATOMIC_RELEASE);
	gen = __atomic_add_fetch(&km_pub->gen, 1, __ATOMIC_ACQ_REL);
	lock_release(&km_pub->lock);
	km_local_gen = gen;
	use_set(set);
	LM_INFO("profiles reloaded (generation %d)\n", gen);
	return 0;
}

const sipoutcome_profile_t *km_profile_by_name(const char *name, int len)
{
	return sipoutcome_profiles_find(km_profiles, name, (size_t)len);
}
