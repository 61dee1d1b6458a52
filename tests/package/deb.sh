#!/usr/bin/env bash
# tests/package/deb.sh: the Debian package, as an operator meets it.
#
#   1. dpkg-buildpackage -b -us -uc in a copy of the sources
#      (scripts/mirror.sh; the clone's own in-place build is left alone);
#   2. lintian on the .deb: no error, no warning (its output is printed).
#      One tag is overridden, with its reason in debian/*.lintian-overrides
#      (the RUNPATH to Kamailio's libsrdb1); with -I lintian adds only
#      example-interpreter-not-absolute for the examples' "#!KAMAILIO"
#      first line, Kamailio's config marker, not an interpreter;
#   3. the package's control fields and files: Depends on exactly the
#      installed kamailio version, the module in Kamailio's module
#      directory, the tool and its man page, the guide, a sample profile;
#   4. apt-get install ./kamailio-sipoutcome-module_*.deb, then Kamailio
#      started with the shipped example config (no module path given: it
#      must find sipoutcome.so where the package put it), one call from a
#      sipp caller to a sipp carrier answering 486, the outcome line, and
#      kamcmd sipoutcome.stats;
#   5. apt-get remove: the module and the tool are gone.
#
# Needs root (it installs and removes a package) and is skipped (77)
# otherwise, or when the package is already installed on this machine (it
# never touches an operator's installation). Ends with "# deb: N passed,
# N failed" (tests/integration/lib.sh).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
export top_srcdir=$top top_builddir=$top
IT_NAME=deb
KAMAILIO=/usr/sbin/kamailio
KAMCMD=/usr/sbin/kamcmd
KAMAILIO_MODDIR=
# shellcheck source=../integration/lib.sh
. "$top/tests/integration/lib.sh"
. "$top/scripts/mirror.sh"

pkg=kamailio-sipoutcome-module
[ "$(id -u)" -eq 0 ] || it_skip "needs root (installs and removes $pkg)"
command -v dpkg-buildpackage >/dev/null || it_skip "dpkg-dev not installed (scripts/setup.sh)"
command -v dh >/dev/null || it_skip "debhelper not installed (scripts/setup.sh)"
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
	it_skip "$pkg is already installed here; not touching it"
fi
KAMAILIO_MODDIR=$("$KAMAILIO" -I | sed -n 's/^ *Default paths* to modules: *//p' | cut -d: -f1)
it_setup
kver=$(dpkg-query -W -f='${Version}' kamailio)

installed=0
remove_pkg() {
	[ "$installed" = 1 ] || return 0
	DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$pkg" >"$WORK/remove.log" 2>&1
	installed=0
}
# Removed also when the test fails half-way (it__cleanup runs on EXIT;
# this runs first, from the EXIT trap set here on top of it).
# it__cleanup reads the test's exit status from $?: keep it across remove_pkg
trap 'rc=$?; remove_pkg; (exit $rc); it__cleanup' EXIT

# ------------------------------------------------------------ 1. build
it_note "dpkg-buildpackage -b -us -uc"
so_mirror "$top" "$WORK/b" || it_die "cannot copy the sources"
(cd "$WORK/b/src" && dpkg-buildpackage -b -us -uc) >"$WORK/build.log" 2>&1
rc=$?
it_assert_eq "dpkg-buildpackage exits 0" 0 "$rc"
[ "$rc" -eq 0 ] || { tail -n 30 "$WORK/build.log" | sed 's/^/#   /'; it_finish; }
deb=$(ls "$WORK"/b/${pkg}_*.deb 2>/dev/null | head -n1)
it_assert_match "a $pkg .deb was built" "${pkg}_.*\.deb$" "$deb"
[ -f "$deb" ] || it_finish

# ------------------------------------------------------------ 2. lintian
if command -v lintian >/dev/null; then
	lintian --tag-display-limit 0 "$deb" >"$WORK/lintian.log" 2>&1
	it_assert_eq "lintian: no error" 0 "$(grep -c '^E: ' "$WORK/lintian.log")"
	it_assert_eq "lintian: no warning" 0 "$(grep -c '^W: ' "$WORK/lintian.log")"
	sed 's/^/# lintian: /' "$WORK/lintian.log"
else
	it_note "lintian not installed: not run"
fi

# ------------------------------------------------------------ 3. contents
dpkg-deb -f "$deb" Depends >"$WORK/depends"
it_assert_match "Depends: kamailio (= $kver)" "kamailio \(= ${kver//./\\.}\)" "$(cat "$WORK/depends")"
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$WORK/files"
for f in "$KAMAILIO_MODDIR/sipoutcome.so" /usr/bin/sipoutcome \
	/usr/share/man/man1/sipoutcome.1.gz \
	/usr/share/doc/$pkg/README.gz /usr/share/doc/$pkg/examples/kamailio.cfg \
	/usr/share/sipoutcome/profiles/rfc.profile \
	/etc/kamailio/sipoutcome-mycarrier.profile; do
	it_assert_eq "the package has $f" 1 "$(grep -cx -F "$f" "$WORK/files")"
done
it_assert_eq "no libtool archive in the package" 0 "$(grep -c '\.la$' "$WORK/files")"

# ------------------------------------------------------------ 4. install, a call
it_note "apt-get install $deb"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >"$WORK/install.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] && installed=1
it_assert_eq "apt-get install ./$(basename "$deb") exits 0" 0 "$rc"
[ "$rc" -eq 0 ] || { tail -n 20 "$WORK/install.log" | sed 's/^/#   /'; it_finish; }
it_assert_eq "sipoutcome --version runs from /usr/bin" 0 \
	"$(/usr/bin/sipoutcome --version >/dev/null 2>&1; echo $?)"

# The shipped sample profile parses (kamailio -c reads profile files).
cat >"$WORK/profile.cfg" <<'EOF'
loadmodule "tm.so"
loadmodule "sipoutcome.so"
modparam("sipoutcome", "profile", "/etc/kamailio/sipoutcome-mycarrier.profile")
request_route { drop; }
EOF
"$KAMAILIO" -c -f "$WORK/profile.cfg" >"$WORK/profile.log" 2>&1
it_assert_eq "kamailio -c loads /etc/kamailio/sipoutcome-mycarrier.profile" 0 "$?"

ex=/usr/share/doc/$pkg/examples/kamailio.cfg
kport=$(it_free_port) && uport=$(it_free_port) || it_die "no free port"
"$PYTHON" -c 'import os, sys; os.setpgid(0, 0); os.execvp(sys.argv[1], sys.argv[1:])' \
	"$KAMAILIO" -f "$ex" -E -D -m 64 -M 8 \
	-A "LISTEN=udp:127.0.0.1:$kport" -A "CARRIER=\"sip:127.0.0.1:$uport\"" \
	-A "CTL_SOCKET=\"unix:$WORK/kamailio_ctl\"" >"$WORK/kamailio.log" 2>&1 &
kpid=$!
it_track "$kpid" group
IT_KAM_PID=$kpid
IT_KAM_LOG=$WORK/kamailio.log
if ! it__sip_ping "$kport" "$kpid" 10; then
	tail -n 20 "$WORK/kamailio.log" | sed 's/^/#   /'
	it_fail "Kamailio starts with $ex"
	it_finish
fi
it_pass "Kamailio starts with $ex and the packaged module"
it_assert_eq "the module loaded from Kamailio's module directory" 0 \
	"$(it_log_count 'version mismatch|flags mismatch| ERROR: ')"
it_carrier_start uas "$uport" 486 -set reason "Busy Here" || it_die "carrier did not start"
it_uac_call call "$kport"
it_assert_eq "the caller got the carrier's 486" "486 Busy Here" "$(it_received_status call)"
it_wait_log -F 'sipoutcome: tag=BUSY code=486' 1 10 >/dev/null
it_assert_eq "one outcome line tag=BUSY code=486" 1 "$(it_log_count 'sipoutcome: tag=BUSY code=486')"
it_assert_match "kamcmd sipoutcome.stats counts the call" 'busy[^0-9]*1' \
	"$(it_kamcmd sipoutcome.stats 2>&1)"
it_stop "$kpid"

# ------------------------------------------------------------ 5. remove
remove_pkg
it_assert_eq "apt-get remove $pkg: not installed any more" 0 \
	"$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -c 'install ok installed')"
it_assert_eq "the module is gone from $KAMAILIO_MODDIR" 0 \
	"$([ -e "$KAMAILIO_MODDIR/sipoutcome.so" ] && echo 1 || echo 0)"
it_assert_eq "/usr/bin/sipoutcome is gone" 0 "$([ -e /usr/bin/sipoutcome ] && echo 1 || echo 0)"
it_finish
