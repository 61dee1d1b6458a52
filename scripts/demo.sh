#!/usr/bin/env bash
# The main job: Debian's Kamailio with sipoutcome loaded (examples/kamailio.cfg)
# relays a realistic mix of calls from a sipp caller to a sipp "carrier" on
# 127.0.0.1, prints the outcome line the module logged for each call, then a
# count per tag, code and vendor from `sipoutcome report` (the project's own
# counter of outcome lines), and the module's counters over kamcmd. Stops
# only what it started.
#
#   scripts/demo.sh              set up if needed, run the mix; the work
#                                directory (kamailio.log, sipp traces) is kept
#                                and its path printed at the end
#   KEEP_WORK=0 scripts/demo.sh  remove the work directory at the end
set -u
# lib.sh removes $WORK at exit unless KEEP_WORK=1; a demo keeps its log.
export KEEP_WORK=${KEEP_WORK:-1}

top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/setup.sh" || exit 1

export top_srcdir=$top top_builddir=$top
module=$top/module/kamailio/.libs/sipoutcome.so
# shellcheck disable=SC2034 # read by lib.sh
IT_NAME=demo
# shellcheck source=../tests/integration/lib.sh
. "$top/tests/integration/lib.sh"
it_setup
[ -f "$module" ] || it_die "module not built: $module"

kport=$(it_free_port) && cport=$(it_free_port) || it_die "no free port"
"$PYTHON" -c 'import os, sys; os.setpgid(0, 0); os.execvp(sys.argv[1], sys.argv[1:])' \
	"$KAMAILIO" -f "$top/examples/kamailio.cfg" -E -D -m 64 -M 8 \
	-A "LISTEN=udp:127.0.0.1:$kport" -A "CARRIER=\"sip:127.0.0.1:$cport\"" \
	-A "MODULE=\"$module\"" -A "MPATH=\"$KAMAILIO_MODDIR/\"" \
	-A "CTL_SOCKET=\"unix:$WORK/kamailio_ctl\"" \
	-A FR_TIMER=1000 -A FR_INV_TIMER=3000 >"$WORK/kamailio.log" 2>&1 &
kpid=$!
it_track "$kpid" group
IT_KAM_LOG=$WORK/kamailio.log
if ! it__sip_ping "$kport" "$kpid" 10; then
	tail -n 30 "$WORK/kamailio.log" >&2
	it_die "Kamailio did not start"
fi

printf 'Kamailio %s with sipoutcome on 127.0.0.1:%s, carrier on 127.0.0.1:%s\n\n' \
	"$("$KAMAILIO" -v | sed -n 's/^version: kamailio \([^ ]*\).*/\1/p')" "$kport" "$cport"

n=0
# demo_call LABEL CALLER_SCENARIO CARRIER_CODE [CARRIER_KNOBS...]
demo_call() {
	local label=$1 uac=$2 code=$3 got hdr line
	shift 3
	n=$((n + 1))
	it_carrier_start "carrier$n" "$cport" "$code" "$@" ||
		it_die "carrier for call $n did not start"
	it_uac_call "call$n" "$kport" -sf "$IT_SIPP_DIR/$uac.xml" >/dev/null
	got=$(it_received_status "call$n")
	hdr=$(it_received_header "call$n" X-Outcome | head -n1)
	[ -z "$hdr" ] || got="$got  (X-Outcome: $hdr)"
	it_wait_log -F 'sipoutcome: tag=' "$n" 10 >/dev/null ||
		echo "  (no outcome line yet for call $n)"
	it_stop "${IT_PROC[carrier$n]}" 2>/dev/null
	line=$(grep -F 'sipoutcome: tag=' "$WORK/kamailio.log" | sed -n "${n}p" |
		sed 's/.*sipoutcome: //')
	printf '%2d. %s\n    caller got: %s\n    %s\n' "$n" "$label" "${got:-nothing}" "$line"
}

demo_call "answered after ringing" uac 200 -set ring 1 -set reason OK
demo_call "busy" uac 486 -set reason "Busy Here"
demo_call "declined after ringing" uac 603 -set ring 1 -set reason Decline
demo_call "rang, nobody answered (the proxy's ring timer)" uac 486 \
	-set ring 1 -set final 0
demo_call "rang, then the carrier gave up with 480" uac 480 -set ring 1 \
	-set reason "Temporarily Unavailable"
demo_call "unknown number" uac 404 -set reason "Not Found"
demo_call "busy, said by a Q.850 cause in a 480" uac 480 \
	-set reason "Temporarily Unavailable" \
	-set extra 'Reason: Q.850;cause=17;text="User busy"'
demo_call "carrier congestion (tm relays a 503 as 500)" uac 503 \
	-set reason "Service Unavailable" -set extra "Retry-After: 30"
demo_call "the carrier's own phrase for a 400 (normalized)" uac 400 \
	-set reason "Permission Denied"
demo_call "caller hung up during ringing" uac_cancel 486 -set ring 1 -set final 0
demo_call "carrier never answered at all" uac 486 -set trying 0 -set final 0
demo_call "blocked by network analytics" uac 608 -set reason Rejected

echo
echo "sipoutcome report $WORK/kamailio.log:"
"$top/module/cli/sipoutcome" report "$WORK/kamailio.log" | sed 's/^/  /'
echo
echo "kamcmd sipoutcome.stats (the module's counters):"
it_kamcmd sipoutcome.stats 2>&1 | sed 's/^/  /'
total=$(grep -c -F 'sipoutcome: tag=' "$WORK/kamailio.log")
echo
echo "$total outcome lines for $n calls; Kamailio's log: $WORK/kamailio.log"
[ "$total" -eq "$n" ]
