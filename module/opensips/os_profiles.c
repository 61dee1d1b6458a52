/*
 * Profiles inside OpenSIPS. Each process holds its own parsed set, loaded
 * in mod_init (before the fork, so children inherit it). The MI command
 * sipoutcome_reload parses every file into a new set; only when that
 * succeeds is the set swapped and a generation number in shared memory
 * bumped. Every other process sees the new generation at its next
 * classification and loads its own new set the same way: a call is never
 * classified against a half-loaded profile. Calls keep their profile by
 * a small id of its name (shared table), so nothing points into a freed
 * set.
 */
#include <stdio.h>
#include <string.h>

#include "../../dprint.h"
#include "../../locking.h"
#include "../../mem/shm_mem.h"

#include "os_mod.h"

sipoutcome_profiles_t *os_profiles;
const sipoutcome_profile_t *os_default_profile;
volatile int *os_gen;
int os_local_gen;
unsigned int os_profiles_gen;

static char **os_files;
static int os_nfiles;
static char os_default_name[32];

/* Vendor names by id (1..255; 0 is default_vendor): shared, append only. */
#define OS_VENDOR_IDS 255
static struct os_vendor_tab {
	volatile int n;
	char name[OS_VENDOR_IDS + 1][32];
} *os_vtab;
static gen_lock_t *os_vtab_lock;

/* A complete new set, or NULL with the reason in errbuf. */
static sipoutcome_profiles_t *build_set(char *errbuf, int errlen)
{
	sipoutcome_profiles_t *set = NULL;
	sipoutcome_error_t err;
	int i, rc;

	memset(&err, 0, sizeof(err));
	rc = sipoutcome_profiles_new(&set, &err);
	for (i = 0; rc == SIPOUTCOME_OK && i < os_nfiles; i++)
		rc = sipoutcome_profiles_load_file(set, os_files[i], &err);
	if (rc != SIPOUTCOME_OK) {
		sipoutcome_error_format(&err, errbuf, errlen);
		sipoutcome_profiles_free(set);
		return NULL;
	}
	if (sipoutcome_profiles_find(set, os_default_name,
			strlen(os_default_name)) == NULL) {
		snprintf(errbuf, errlen, "default_vendor: unknown vendor profile '%s'",
			os_default_name);
		sipoutcome_profiles_free(set);
		return NULL;
	}
	return set;
}

static void swap_set(sipoutcome_profiles_t *set)
{
	sipoutcome_profiles_t *old = os_profiles;

	os_profiles = set;
	os_default_profile = sipoutcome_profiles_find(set, os_default_name,
		strlen(os_default_name));
	os_cur.valid = 0; /* it may point into the old set */
	os_profiles_gen++;
	sipoutcome_profiles_free(old);
}

int os_profiles_init(char **files, int nfiles, const char *default_vendor)
{
	char errbuf[512];
	sipoutcome_profiles_t *set;

	os_files = files;
	os_nfiles = nfiles;
	snprintf(os_default_name, sizeof(os_default_name), "%s", default_vendor);
	set = build_set(errbuf, sizeof(errbuf));
	if (set == NULL) {
		LM_ERR("%s\n", errbuf);
		return -1;
	}
	swap_set(set);
	os_gen = shm_malloc(sizeof(*os_gen));
	os_vtab = shm_malloc(sizeof(*os_vtab));
	os_vtab_lock = lock_alloc();
	if (os_gen == NULL || os_vtab == NULL || os_vtab_lock == NULL) {
		LM_ERR("out of shared memory\n");
		return -1;
	}
	*os_gen = 0;
	os_local_gen = 0;
	memset(os_vtab, 0, sizeof(*os_vtab));
	lock_init(os_vtab_lock);
	return 0;
}

static int vtab_find(const char *name, int len, int n)
{
	int i;

	for (i = 1; i <= n; i++)
		if (strncmp(os_vtab->name[i], name, len) == 0
				&& os_vtab->name[i][len] == '\0')
			return i;
	return -1;
}

/* The id of a vendor name, the same in every process; -1 when the name
 * is empty, 32 bytes or longer, or the table is full. */
int os_vendor_id(const char *name, int len)
{
	int id;

	if (len <= 0 || len >= 32)
		return -1;
	id = vtab_find(name, len, __atomic_load_n(&os_vtab->n, __ATOMIC_ACQUIRE));
	if (id > 0)
		return id;
	lock_get(os_vtab_lock);
	id = vtab_find(name, len, os_vtab->n);
	if (id < 0 && os_vtab->n < OS_VENDOR_IDS) {
		id = os_vtab->n + 1;
		memcpy(os_vtab->name[id], name, len);
		os_vtab->name[id][len] = '\0';
		__atomic_store_n(&os_vtab->n, id, __ATOMIC_RELEASE);
	}
	lock_release(os_vtab_lock);
	if (id < 0)
		LM_ERR("more than %d vendor names in use\n", OS_VENDOR_IDS);
	return id;
}

const char *os_vendor_name(int id)
{
	if (id <= 0 || id > __atomic_load_n(&os_vtab->n, __ATOMIC_ACQUIRE))
		return NULL;
	return os_vtab->name[id];
}

void os_profiles_refresh_slow(void)
{
	char errbuf[512];
	sipoutcome_profiles_t *set;
	int gen;

	gen = __atomic_load_n(os_gen, __ATOMIC_ACQUIRE);
	if (gen == os_local_gen)
		return;
	os_local_gen = gen;
	set = build_set(errbuf, sizeof(errbuf));
	if (set == NULL) {
		/* the files changed again after the reload was validated */
		LM_ERR("profile reload: %s; keeping the profiles in force\n", errbuf);
		return;
	}
	swap_set(set);
	LM_INFO("profiles reloaded (generation %d)\n", gen);
}

int os_profiles_reload(char *errbuf, int errlen)
{
	sipoutcome_profiles_t *set;

	os_profiles_refresh();
	set = build_set(errbuf, errlen);
	if (set == NULL)
		return -1;
	swap_set(set);
	os_local_gen = __atomic_add_fetch(os_gen, 1, __ATOMIC_ACQ_REL);
	return 0;
}

const sipoutcome_profile_t *os_profile_by_name(const char *name, int len)
{
	return sipoutcome_profiles_find(os_profiles, name, (size_t)len);
}
