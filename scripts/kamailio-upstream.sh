#!/usr/bin/env bash
# Builds upstream Kamailio releases from the release tarballs (unmodified
# `git archive` exports of the release tags) into a cache outside any clone,
# for building and testing the module against them.
#
#   scripts/kamailio-upstream.sh 6.0.7 [5.8.8 ...]   build what is missing
#   scripts/kamailio-upstream.sh --print 6.0.7       only print the dir (1 if not built)
#
# Each version goes to $SIPOUTCOME_CACHE/kamailio-<version>-<first 16 hex of
# the tarball's SHA-256>/ (default cache /var/cache/sipoutcome):
#   src/                the unpacked tree, configured (config.mak): what
#                       configure --with-kamailio-src=... reads
#   sbin/kamailio       the binary, sbin/kamcmd
#   lib64/kamailio/modules/   core modules built (MODULES below)
#   env                 shell lines KAMAILIO=, KAMCMD=, KAMAILIO_SRC=,
#                       KAMAILIO_MODDIR= for configure and the tests
#   .complete           written last; a dir without it is rebuilt
# A second run finds .complete and does nothing (a few ms per version).
#
# The tarball is checked against SHA256SUMS beside it (refused on mismatch
# or when the file is not listed).  Tarballs are looked up in
# $KAMAILIO_UPSTREAM_DIR (default: ../shared/upstream beside the clone, then
# /work/shared/upstream).
#
# The tree is built as upstream's own packages are, from a git checkout:
# src/core/autover.h gets REPO_VER = the first 6 hex of the commit that
# `git archive` recorded in the tarball (as `git get-tar-commit-id` reads
# it), so `kamailio -V` ends in that hash, as on a production install.
# KAMAILIO_REPO_VER=0 builds without it (as Debian's binary: no hash).
#
# Debian packages needed for the build are installed when missing (root
# only; `apt-get update` at most once).  Output: one line per version on
# stdout, the cache dir; progress on stderr.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${SIPOUTCOME_CACHE:-/var/cache/sipoutcome}
jobs=${JOBS:-$(nproc)}
log() { printf 'kamailio-upstream: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Stock modules the project's tests, benchmarks and examples load, plus the
# DB drivers (profiles from a database) and dispatcher/acc.
MODULES="tm sl pv kex ctl textops textopsx tmx xlog siputils rr maxfwd sanity \
kemix htable corex async xhttp xhttp_prom app_jsdt app_lua jsonrpcs cfgutils \
debugger dispatcher acc db_text db_sqlite db_postgres"
# Debian packages: bison/flex for the config parser, lua for app_lua,
# sqlite/pq for the DB drivers.
BUILD_DEPS="build-essential bison flex pkg-config xz-utils git \
liblua5.1-0-dev libsqlite3-dev libpq-dev"

print_only=0
if [ "${1:-}" = --print ]; then
	print_only=1
	shift
fi
[ "$#" -gt 0 ] || die "usage: $0 [--print] VERSION..."

find_tarball() { # VERSION -> path of kamailio-VERSION.tar.xz
	local d
	for d in ${KAMAILIO_UPSTREAM_DIR:-} "$top/../shared/upstream" /work/shared/upstream; do
		[ -n "$d" ] && [ -f "$d/kamailio-$1.tar.xz" ] && {
			printf '%s\n' "$d/kamailio-$1.tar.xz"
			return 0
		}
	done
	return 1
}

verify_tarball() { # PATH -> its SHA-256, or die
	local tb=$1 sums want got
	sums=$(dirname "$tb")/SHA256SUMS
	[ -f "$sums" ] || die "no SHA256SUMS beside $tb"
	want=$(awk -v f="$(basename "$tb")" '$2 == f || $2 == "*" f {print $1}' "$sums")
	[ -n "$want" ] || die "$(basename "$tb") is not listed in $sums"
	got=$(sha256sum "$tb" | awk '{print $1}')
	[ "$got" = "$want" ] || die "$tb: SHA-256 $got, SHA256SUMS says $want"
	printf '%s\n' "$got"
}

apt_updated=0
install_deps() {
	local p missing=()
	for p in $BUILD_DEPS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ "${#missing[@]}" -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing Debian packages (run as root): ${missing[*]}"
	if [ "$apt_updated" -eq 0 ]; then
		log "apt-get update"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq
		apt_updated=1
	fi
	log "installing: ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
}

build_one() { # VERSION
	local ver=$1 tb sha dir commit t0 lock
	tb=$(find_tarball "$ver") || die "kamailio-$ver.tar.xz not found (set KAMAILIO_UPSTREAM_DIR)"
	sha=$(verify_tarball "$tb")
	dir=$cache/kamailio-$ver-${sha:0:16}
	if [ "${KAMAILIO_REPO_VER:-1}" = 0 ]; then
		dir=$dir-nohash
	fi
	if [ -f "$dir/.complete" ]; then
		printf '%s\n' "$dir"
		return 0
	fi
	[ "$print_only" = 0 ] || return 1

	mkdir -p "$cache"
	# One builder per version at a time (CI jobs or helpers sharing the cache).
	exec {lock}>"$cache/.kamailio-$ver.lock"
	flock "$lock"
	if [ -f "$dir/.complete" ]; then
		exec {lock}>&-
		printf '%s\n' "$dir"
		return 0
	fi
	install_deps
	t0=$(date +%s)
	log "building Kamailio $ver in $dir (tarball sha256 $sha)"
	rm -rf "$dir"
	mkdir -p "$dir/src"
	tar -xJf "$tb" -C "$dir/src" --strip-components=1
	if [ "${KAMAILIO_REPO_VER:-1}" != 0 ]; then
		# git reads only the first block: xz's SIGPIPE is expected.
		commit=$( (xz -dc "$tb" 2>/dev/null || true) | git get-tar-commit-id) ||
			die "$tb carries no git commit id (not a git archive export?)"
		cat >"$dir/src/src/core/autover.h" <<EOF
/* written by sipoutcome's scripts/kamailio-upstream.sh, as make writes it in
 * a git checkout of tag $ver (commit $commit) */
#define REPO_VER "${commit:0:6}"
#define REPO_HASH "${commit:0:6}"
#define REPO_STATE ""
EOF
	fi
	# group_include names no group: exactly include_modules are built.
	(
		cd "$dir/src"
		make -s cfg FLAVOUR=kamailio prefix="$dir" cfg_target="$dir/etc/kamailio/" \
			group_include=kempty include_modules="$MODULES" CC_EXTRA_OPTS=-DVERSION_NODATE
		make -s -j"$jobs" all
		make -s install
	) >"$dir/build.log" 2>&1 || {
		tail -n 30 "$dir/build.log" >&2
		die "build of Kamailio $ver failed; log in $dir/build.log"
	}
	local moddir
	moddir=$(dirname "$(find "$dir" -path "$dir/src" -prune -o -name tm.so -path '*kamailio/modules/*' -print | head -n1)")
	[ -x "$dir/sbin/kamailio" ] && [ -f "$moddir/tm.so" ] || die "Kamailio $ver: no sbin/kamailio or tm.so after install"
	local m
	for m in $MODULES; do
		[ -f "$moddir/$m.so" ] || die "Kamailio $ver: module $m.so was not built"
	done
	cat >"$dir/env" <<EOF
KAMAILIO=$dir/sbin/kamailio
KAMCMD=$dir/sbin/kamcmd
KAMAILIO_SRC=$dir/src
KAMAILIO_MODDIR=$moddir
EOF
	"$dir/sbin/kamailio" -V | head -n 2 >&2
	log "Kamailio $ver built in $(($(date +%s) - t0)) s"
	touch "$dir/.complete"
	exec {lock}>&-
	printf '%s\n' "$dir"
}

for v in "$@"; do
	build_one "$v"
done
