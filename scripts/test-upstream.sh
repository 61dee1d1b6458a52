#!/usr/bin/env bash
# Builds the module against an upstream Kamailio release and runs the tests
# with that Kamailio and its own stock modules:
#
#   scripts/test-upstream.sh 6.0.7                      the whole make check
#   scripts/test-upstream.sh 5.8.8 TESTS='integration/basic_codes.sh ...'
#
# The release comes from scripts/kamailio-upstream.sh (built once into
# /var/cache/sipoutcome, keyed by the tarball's SHA-256).  The module is
# built in build-kamailio-VERSION/ of the clone from a copy of its sources
# (scripts/mirror.sh), configured with
#   --with-kamailio-src=<cache>/src KAMAILIO=<cache>/sbin/kamailio
# so the in-place build for Debian's Kamailio is left alone.  The engine
# under sanitizers (scripts/sanitize.sh) does not depend on the Kamailio
# version and is run by scripts/test.sh only.  Ends with one line
# "N passed, N failed, N skipped", counted as scripts/test.sh counts.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ver=${1:?usage: $0 VERSION [make check arguments]}
shift
log() { printf 'test-upstream: %s\n' "$*" >&2; }
fail() {
	log "$*"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}

SIPOUTCOME_SKIP_BUILD=1 bash "$top/scripts/setup.sh" || fail "scripts/setup.sh failed"
kdir=$(bash "$top/scripts/kamailio-upstream.sh" "$ver") || fail "Kamailio $ver could not be built"
# KAMAILIO, KAMCMD, KAMAILIO_SRC, KAMAILIO_MODDIR of that build
. "$kdir/env"

bdir=$top/build-kamailio-$ver
. "$top/scripts/mirror.sh"
so_mirror "$top" "$bdir" || fail "could not mirror the sources into $bdir/src"
src=$bdir/src
if [ ! -x "$src/configure" ]; then
	(cd "$src" && autoreconf -fi) >"$bdir/autoreconf.log" 2>&1 ||
		fail "autoreconf failed, see $bdir/autoreconf.log"
fi
build=$bdir/build
mkdir -p "$build" || fail "cannot create $build"
if [ ! -f "$build/config.status" ]; then
	log "configure against Kamailio $ver ($KAMAILIO)"
	(cd "$build" && "$src/configure" --with-kamailio-src="$KAMAILIO_SRC" \
		KAMAILIO="$KAMAILIO" KAMCMD="$KAMCMD") >"$bdir/configure.log" 2>&1 ||
		fail "configure failed, see $bdir/configure.log"
fi
log "make"
make -s -C "$build" -j"$(nproc)" >"$bdir/make.log" 2>&1 ||
	{ tail -n 30 "$bdir/make.log" >&2; fail "build failed, see $bdir/make.log"; }

stamp=$(mktemp)
trap 'rm -f "$stamp"' EXIT
log "make check $*"
make -s -C "$build/tests" check "$@" >/dev/null 2>&1
rc=$?
counts=$(bash "$top/scripts/count-results.sh" "$build/tests" "$stamp")
printf '%s\n' "$counts" | sed '$d'
read -r passed failed skipped programs <<<"$(printf '%s\n' "$counts" | tail -n1)"
[ "$programs" -gt 0 ] || failed=$((failed + 1))
grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR)' "$build/tests/test-suite.log" 2>/dev/null
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1
fi
echo "Kamailio $ver ($("$KAMAILIO" -v | sed -n 's/^version: //p'))"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
