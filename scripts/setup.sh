#!/usr/bin/env bash
# Takes a fresh Debian bookworm root machine to a built sipoutcome tree.
# Idempotent: each step checks whether its work is already done.
#
#   scripts/setup.sh            install packages, fetch Kamailio source, configure, make
#   SIPOUTCOME_SKIP_BUILD=1 ... only install packages and fetch the source
#
# The Kamailio source matching the installed binary is unpacked under
# /usr/local/src/kamailio-<upstream version>, which is configure's default.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive
log() { printf 'setup: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	log "must run as root (it installs Debian packages)"
	exit 1
fi

# Packages the build, the module, the tests and the demo need.
pkgs=(
	build-essential pkg-config autoconf automake libtool
	kamailio kamailio-lua-modules kamailio-sqlite-modules kamailio-postgres-modules
	postgresql sqlite3
	sip-tester libosip2-dev libcmocka-dev
	valgrind clang libclang-rt-14-dev
	dpkg-dev xz-utils curl python3 procps iproute2
	debhelper fakeroot lintian
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

apt_updated=0
apt_update() {
	if [ "$apt_updated" -eq 0 ]; then
		log "apt-get update"
		apt-get update -qq
		apt_updated=1
	fi
}

if [ "${#missing[@]}" -gt 0 ]; then
	apt_update
	log "installing: ${missing[*]}"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# deb-src entry with the same archive and keyring as the binary entries.
srcfile=/etc/apt/sources.list.d/sipoutcome-deb-src.sources
if [ ! -f "$srcfile" ]; then
	uris=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
	[ -n "$uris" ] || uris=http://deb.debian.org/debian
	cat >"$srcfile" <<SRC
Types: deb-src
URIs: $uris
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	apt_updated=0
fi

debver=$(dpkg-query -W -f='${Version}' kamailio)
upver=${debver%%-*}
upver=${upver#*:}
ksrc=/usr/local/src/kamailio-$upver
if [ ! -f "$ksrc/src/core/sr_module.h" ]; then
	apt_update
	dl=$(mktemp -d)
	chown _apt "$dl" 2>/dev/null || true # apt fetches as _apt
	log "fetching Debian source of kamailio=$debver"
	(cd "$dl" && apt-get source --download-only -qq "kamailio=$debver" >/dev/null)
	orig=$(ls "$dl"/kamailio_"$upver".orig.tar.* | head -n1)
	mkdir -p "$ksrc.tmp"
	tar -xf "$orig" -C "$ksrc.tmp" --strip-components=1
	rm -rf "$ksrc"
	mv "$ksrc.tmp" "$ksrc"
	rm -rf "$dl"
fi

if [ "${SIPOUTCOME_SKIP_BUILD:-0}" = 1 ]; then
	exit 0
fi

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] ||
	[ -n "$(find . -name Makefile.am -newer configure -not -path './.git/*' | head -n1)" ]; then
	log "autoreconf"
	autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt config.status ]; then
	log "configure"
	./configure --with-kamailio-src="$ksrc" >/dev/null
fi
log "make"
make -s -j"$(nproc)" >/dev/null
log "done: module at $top/module/kamailio/.libs/sipoutcome.so"
