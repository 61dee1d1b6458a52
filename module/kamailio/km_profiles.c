/*
 * Profiles inside Kamailio. Each process holds its own parsed copy
 * (loaded before fork, so children inherit it). A reload (RPC
 * sipoutcome.reload) parses the files completely into a new set; only
 * when that succeeds is the set swapped and a generation number in shared
 * memory bumped. Every other process notices the new generation at its
 * next classification, loads its own new set the same way and swaps it:
 * a call is never classified against a half-loaded profile. Calls keep
 * their profile by name, so nothing points into a freed set.
 */
#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/locking.h"
#include "core/mem/shm_mem.h"

#include "km_mod.h"

sipoutcome_profiles_t *km_profiles = NULL;
const sipoutcome_profile_t *km_default_profile = NULL;

static char **km_files;
static int km_nfiles;
static char km_default_name[32];
volatile int *km_gen; /* shared */
int km_local_gen;
unsigned int km_profiles_gen; /* this process's set changes */

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
	if(sipoutcome_profiles_new(&set, &err) != SIPOUTCOME_OK) {
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
	if(sipoutcome_profiles_find(set, km_default_name, strlen(km_default_name))
			== NULL) {
		known_profiles(set, km_default_name, errbuf, errlen);
		sipoutcome_profiles_free(set);
		return NULL;
	}
	return set;
}

static void swap_set(sipoutcome_profiles_t *set)
{
	sipoutcome_profiles_t *old = km_profiles;

	km_profiles = set;
	km_default_profile = sipoutcome_profiles_find(
			set, km_default_name, strlen(km_default_name));
	km_cur.valid = 0; /* it may point into the old set */
	km_profiles_gen++;
	sipoutcome_profiles_free(old);
}

int km_profiles_init(char **files, int nfiles, const char *default_vendor)
{
	char errbuf[512];
	sipoutcome_profiles_t *set;

	km_files = files;
	km_nfiles = nfiles;
	snprintf(km_default_name, sizeof(km_default_name), "%s", default_vendor);
	set = build_set(errbuf, sizeof(errbuf));
	if(set == NULL) {
		LM_ERR("%s\n", errbuf);
		return -1;
	}
	swap_set(set);
	km_gen = shm_malloc(sizeof(*km_gen));
	if(km_gen == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	*km_gen = 0;
	km_local_gen = 0;
	km_vtab = shm_malloc(sizeof(*km_vtab));
	km_vtab_lock = lock_alloc();
	if(km_vtab == NULL || km_vtab_lock == NULL) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(km_vtab, 0, sizeof(*km_vtab));
	lock_init(km_vtab_lock);
	return 0;
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

void km_profiles_refresh_slow(void)
{
	char errbuf[512];
	sipoutcome_profiles_t *set;
	int gen;

	if(km_gen == NULL)
		return;
	gen = __atomic_load_n(km_gen, __ATOMIC_ACQUIRE);
	if(gen == km_local_gen)
		return;
	km_local_gen = gen;
	set = build_set(errbuf, sizeof(errbuf));
	if(set == NULL) {
		/* the files changed again after the reload was validated */
		LM_ERR("profile reload: %s; keeping the profiles in force\n", errbuf);
		return;
	}
	swap_set(set);
	LM_INFO("profiles reloaded (generation %d)\n", gen);
}

int km_profiles_reload(char *errbuf, int errlen)
{
	sipoutcome_profiles_t *set;

	km_profiles_refresh();
	set = build_set(errbuf, errlen);
	if(set == NULL)
		return -1;
	swap_set(set);
	km_local_gen = __atomic_add_fetch(km_gen, 1, __ATOMIC_ACQ_REL);
	return 0;
}

const sipoutcome_profile_t *km_profile_by_name(const char *name, int len)
{
	return sipoutcome_profiles_find(km_profiles, name, (size_t)len);
}
