/*
 * A main() for the fuzz targets when no fuzzing engine is linked (gcc
 * builds, make check): it calls LLVMFuzzerTestOneInput once per saved
 * input, so the corpus is a regression test (jansson test/ossfuzz does
 * the same).
 *
 *   fuzz_X FILE|DIR...   replay each FILE and every file in each DIR
 *                        (not recursive; names starting with '.' skipped)
 *   fuzz_X               under make check: replay the target's corpus,
 *                        $top_srcdir/tests/fuzz/corpus/fuzz_X
 *
 * Each input is copied to a buffer of exactly its size, so AddressSanitizer
 * or valgrind report a read past its end. An input that runs longer than
 * $FUZZ_REPLAY_TIMEOUT seconds (default 10) aborts the run: an endless
 * loop fails the test instead of hanging it. Exit status: 0 when every
 * input ran, 99 (a hard error for Automake) when an input or directory
 * cannot be read or nothing was replayed; a failed invariant or a
 * sanitizer report aborts with the input's name on stdout.
 *
 * main() is weak so that the same objects serve libFuzzer: clang links
 * its runtime whole (-fsanitize=fuzzer), and libFuzzer's main() wins.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define EXIT_HARD_ERROR 99

static const char *current = "(none)";

static void on_alarm(int sig)
{
	static const char msg[] = "replay: timeout on input ";

	(void)sig;
	(void)!write(2, msg, sizeof(msg) - 1);
	(void)!write(2, current, strlen(current));
	(void)!write(2, "\n", 1);
	abort();
}

static int run_file(const char *path, unsigned int timeout)
{
	FILE *f;
	struct stat st;
	uint8_t *buf;
	size_t n;

	f = fopen(path, "rb");
	if(f == NULL || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		if(f != NULL)
			fclose(f);
		return -1;
	}
	/* exactly st_size bytes: no NUL or slack after the input */
	buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if(buf == NULL) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	if(ferror(f) || n != (size_t)st.st_size) {
		fprintf(stderr, "replay: %s: read error\n", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	printf("replay: %s (%zu bytes)\n", path, n);
	fflush(stdout);
	current = path;
	alarm(timeout);
	LLVMFuzzerTestOneInput(buf, n);
	alarm(0);
	free(buf);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay the regular files of dir in name order; returns how many ran,
 * -1 on an error. */
static long run_dir(const char *dir, unsigned int timeout)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	long ran = 0;

	d = opendir(dir);
	if(d == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while((e = readdir(d)) != NULL) {
		char *path;
		struct stat st;

		if(e->d_name[0] == '.')
			continue;
		path = malloc(strlen(dir) + strlen(e->d_name) + 2);
		if(path == NULL) {
			ran = -1;
			break;
		}
		sprintf(path, "%s/%s", dir, e->d_name);
		if(stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if(n == cap) {
			char **nn;
			cap = cap ? cap * 2 : 64;
			nn = realloc(names, cap * sizeof(*names));
			if(nn == NULL) {
				free(path);
				ran = -1;
				break;
			}
			names = nn;
		}
		names[n++] = path;
	}
	closedir(d);
	if(ran == 0 && n > 0)
		qsort(names, n, sizeof(*names), by_name);
	for(i = 0; i < n; i++) {
		if(ran >= 0)
			ran = run_file(names[i], timeout) == 0 ? ran + 1 : -1;
		free(names[i]);
	}
	free(names);
	return ran;
}

static long run_path(const char *path, unsigned int timeout)
{
	struct stat st;

	if(stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if(S_ISDIR(st.st_mode))
		return run_dir(path, timeout);
	return run_file(path, timeout) == 0 ? 1 : -1;
}

/* The program's own name without directory, libtool's "lt-" or ".exe". */
static void target_name(const char *argv0, char *dst, size_t cap)
{
	const char *b = strrchr(argv0, '/');
	size_t n;

	b = b ? b + 1 : argv0;
	if(strncmp(b, "lt-", 3) == 0)
		b += 3;
	n = strlen(b);
	if(n > 4 && strcmp(b + n - 4, ".exe") == 0)
		n -= 4;
	snprintf(dst, cap, "%.*s", (int)n, b);
}

__attribute__((weak)) int main(int argc, char **argv)
{
	const char *env = getenv("FUZZ_REPLAY_TIMEOUT");
	unsigned int timeout = env ? (unsigned int)strtoul(env, NULL, 10) : 10;
	long total = 0, ran;
	int i;

	signal(SIGALRM, on_alarm);
	if(argc < 2) {
		const char *top = getenv("top_srcdir");
		char name[64], *dir;

		if(top == NULL) {
			fprintf(stderr,
					"usage: %s FILE|DIR...\n"
					"  (with no argument, top_srcdir must be set: the "
					"corpus in\n  $top_srcdir/tests/fuzz/corpus/<name> "
					"is replayed)\n",
					argv[0]);
			return EXIT_HARD_ERROR;
		}
		target_name(argv[0], name, sizeof(name));
		dir = malloc(strlen(top) + sizeof("/tests/fuzz/corpus/") + strlen(name));
		if(dir == NULL)
			return EXIT_HARD_ERROR;
		sprintf(dir, "%s/tests/fuzz/corpus/%s", top, name);
		total = run_dir(dir, timeout);
		free(dir);
	} else {
		for(i = 1; i < argc && total >= 0; i++) {
			ran = run_path(argv[i], timeout);
			total = ran < 0 ? -1 : total + ran;
		}
	}
	if(total <= 0) {
		fprintf(stderr, "replay: %s\n",
				total == 0 ? "no input to replay" : "stopped on an error");
		return EXIT_HARD_ERROR;
	}
	printf("replay: %ld inputs, all passed\n", total);
	return 0;
}
