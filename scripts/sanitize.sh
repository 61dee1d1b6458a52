#!/usr/bin/env bash
# Builds the engine (module/engine) and its tests with AddressSanitizer and
# UndefinedBehaviorSanitizer in a build directory of their own, then runs
# the unit tests and the fuzz corpus replay (make check TESTS='$(check_PROGRAMS)'),
# and ends with one line "N passed, N failed" (cmocka cases, plus one per
# other test program). Exits non-zero on any failure, including a build
# error. The Kamailio module is never built here: it must keep Kamailio's
# own compile flags.
#
#   scripts/sanitize.sh [CONFIGURE-ARG...]
#       gcc, -fsanitize=address,undefined; build directory build-san/
#   scripts/sanitize.sh --libfuzzer [CONFIGURE-ARG...]
#       clang, the same sanitizers plus libFuzzer: builds the fuzz targets
#       as fuzzing binaries in build-fuzz/build/tests/fuzz/ and runs each
#       once over its saved corpus (tests/fuzz/README.md says how to fuzz)
#
# CONFIGURE-ARG: passed to configure, e.g. --with-kamailio-src=DIR.
# Environment: SANITIZE_BUILDDIR (default build-san or build-fuzz at the
# top of the tree), SANITIZE_JOBS (make -j, default 2), CC and
# SANITIZE_CFLAGS to replace the compiler and flags below.
#
# Non-interactive and idempotent: a second run reuses the build directory
# and rebuilds only what changed. In a git checkout the sources are first
# mirrored into <builddir>/src (tracked and untracked files that git does
# not ignore), because automake refuses a VPATH build from a source tree
# configured in place; without git the build runs from the tree itself.
set -uo pipefail

mode=asan
if [ "${1:-}" = --libfuzzer ]; then
	mode=libfuzzer
	shift
fi

top=$(cd "$(dirname "$0")/.." && pwd)
jobs=${SANITIZE_JOBS:-2}
if [ "$mode" = libfuzzer ]; then
	bdir=${SANITIZE_BUILDDIR:-$top/build-fuzz}
	cc=${CC:-clang}
	cflags=${SANITIZE_CFLAGS:-"-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"}
else
	bdir=${SANITIZE_BUILDDIR:-$top/build-san}
	cc=${CC:-gcc}
	cflags=${SANITIZE_CFLAGS:-"-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"}
fi
log() { printf 'sanitize: %s\n' "$*" >&2; }
fail() {
	log "$*"
	echo "0 passed, 1 failed"
	exit 1
}

mkdir -p "$bdir" || fail "cannot create $bdir"
bdir=$(cd "$bdir" && pwd)

. "$top/scripts/mirror.sh"

if [ -e "$top/.git" ] && command -v git >/dev/null 2>&1; then
	log "mirroring sources into $bdir/src"
	so_mirror "$top" "$bdir" || fail "could not mirror the sources into $bdir/src"
	src=$bdir/src
elif [ -f "$top/config.status" ]; then
	fail "$top is configured in place and is not a git checkout: run 'make distclean' there first"
else
	src=$top
fi
if [ ! -x "$src/configure" ]; then
	log "autoreconf -fi in $src"
	(cd "$src" && autoreconf -fi) >"$bdir/autoreconf.log" 2>&1 ||
		fail "autoreconf failed, see $bdir/autoreconf.log"
fi

# Configure again only when the command line changed (or never ran).
build=$bdir/build
mkdir -p "$build" || fail "cannot create $build"
cfg=("$src/configure" "CC=$cc" "CFLAGS=$cflags" "$@")
printf '%q ' "${cfg[@]}" >"$build/.sanitize-configure.new"
if [ ! -f "$build/config.status" ] ||
	! cmp -s "$build/.sanitize-configure.new" "$build/.sanitize-configure"; then
	log "configure: CC=$cc CFLAGS=$cflags $*"
	# configure's test programs need not be leak-free
	(cd "$build" && ASAN_OPTIONS=detect_leaks=0 "${cfg[@]}") >"$bdir/configure.log" 2>&1 ||
		fail "configure failed, see $bdir/configure.log"
fi
mv "$build/.sanitize-configure.new" "$build/.sanitize-configure"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# The top Makefile first refreshes what changed in configure.ac or a
# Makefile.am; then only the engine and the tests are built.
log "building module/engine"
make -s -C "$build" am--refresh >"$bdir/build.log" 2>&1 &&
	make -s -j"$jobs" -C "$build/module/engine" >>"$bdir/build.log" 2>&1 ||
	{
		tail -n 30 "$bdir/build.log" >&2
		fail "building the engine failed, see $bdir/build.log"
	}

passed=0 failed=0
if [ "$mode" = libfuzzer ]; then
	targets=()
	for f in "$src"/tests/fuzz/fuzz_*.c; do
		t=${f##*/}
		targets+=("fuzz/${t%.c}")
	done
	log "linking ${targets[*]} with libFuzzer"
	make -s -j"$jobs" -C "$build/tests" FUZZ_ENGINE=-fsanitize=fuzzer \
		"${targets[@]}" >>"$bdir/build.log" 2>&1 || {
		tail -n 30 "$bdir/build.log" >&2
		fail "building the fuzz targets failed, see $bdir/build.log"
	}
	# A libFuzzer binary given files (not a directory) runs each once.
	for t in "${targets[@]}"; do
		name=${t#fuzz/}
		if "$build/tests/$t" "$src/tests/fuzz/corpus/$name"/* \
			>"$build/tests/$t.replay.log" 2>&1; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			echo "---- FAIL: $t (tail of $build/tests/$t.replay.log)"
			tail -n 40 "$build/tests/$t.replay.log"
		fi
	done
	log "fuzzing binaries: ${targets[*]/#/$build/tests/}"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
fi

log "make check TESTS='\$(check_PROGRAMS)' (unit tests and corpus replay)"
stamp=$(mktemp)
trap 'rm -f "$stamp"' EXIT
# results of tests that are no longer in the list must not be counted
rm -f "$build"/tests/unit/*.log "$build"/tests/unit/*.trs \
	"$build"/tests/fuzz/*.log "$build"/tests/fuzz/*.trs
make -s -j"$jobs" -C "$build/tests" check 'TESTS=$(check_PROGRAMS)' \
	>"$bdir/check.log" 2>&1
rc=$?

counts=$(bash "$top/scripts/count-results.sh" "$build/tests" "$stamp")
printf '%s\n' "$counts" | sed '$d'
read -r passed failed skipped ntrs <<<"$(printf '%s\n' "$counts" | tail -n1)"
grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR)' "$build/tests/test-suite.log" 2>/dev/null
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	tail -n 30 "$bdir/check.log" >&2
	log "make check failed, see $bdir/check.log"
	failed=1 # a build error: never report green
fi
if [ "$ntrs" -eq 0 ] && [ "$failed" -eq 0 ]; then
	failed=1 # nothing ran
fi
[ "$skipped" -eq 0 ] || log "$skipped test program(s) skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
