#!/usr/bin/env bash
# cross_proxy.sh (issue 15): the same call mix through Debian's Kamailio
# 5.6.3 with the Kamailio adapter and through OpenSIPS 3.6.8 with the
# OpenSIPS adapter gives byte-identical outcome lines, Call-ID aside. Both
# proxies run their stock defaults: each sends a carrier's 503 upstream as
# 500 (Kamailio remap_503_500, OpenSIPS disable_503_translation), both
# send their own 408 on a timer. The mix: what carriers send (Q.850 Reason
# from Asterisk/FreeSWITCH gateways, RFC 3326), ringing, the caller's
# CANCEL, both tm timers, vendor profiles picked in the route, an
# unregistered code and a non-canonical phrase.
# shellcheck disable=SC2016 # $rU: proxy script variable
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
# shellcheck source=os_lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/os_lib.sh"
os_setup
it_need_module

uport=$(it_free_port) || it_die "no free port"
hook='if ($rU == "v8x8") { sipoutcome_vendor("8x8"); }
	if ($rU == "voki") { sipoutcome_vendor("okitoki"); }'

# One call of the mix: WHAT CODE [CARRIER_ARGS] [-- CALLER_ARGS]; the
# outcome line of the call, Call-ID removed, goes to $WORK/$proxy.lines.
mix_call() {
	local cid line
	it_call "$@"
	it_assert_eq "$proxy call $n ($1): caller completed" 0 $?
	cid=$(it_received_header "uac$n" Call-ID)
	it_wait_log -F "callid=$cid " 1 3 2>/dev/null
	line=$(os_outcome_of "$cid")
	it_assert_eq "$proxy call $n ($1): one outcome line" 1 "$(printf '%s' "$line" | grep -c '^tag=')"
	printf '%s: %s\n' "$1" "${line/callid=$cid /callid=- }" >>"$WORK/$proxy.lines"
	it_uas_wait "uas$n" 5 || it_stop "${IT_PROC[uas$n]}"
}

run_mix() {
	local q17='Reason: Q.850;cause=17;text="User busy"'
	mix_call "200 after ringing" 200 -set reason OK -set ring 1
	mix_call "302" 302 -set reason "Moved Temporarily" -set extra 'Contact: <sip:x@127.0.0.1:9>'
	mix_call "404" 404 -set reason "Not Found"
	mix_call "486 with Q.850 17" 486 -set reason "Busy Here" -set extra "$q17"
	mix_call "480 after ringing, Q.850 19" 480 -set reason "Temporarily Unavailable" -set ring 1 \
		-set extra 'Reason: Q.850;cause=19;text="No answer from user"'
	mix_call "503" 503 -set reason "Service Unavailable"
	mix_call "caller CANCEL after ringing" 486 -set ring 1 -set final 0 \
		-- -sf "$IT_SIPP_DIR/uac_cancel.xml"
	mix_call "603 with Q.850 21" 603 -set reason Decline \
		-set extra 'Reason: Q.850;cause=21;text="Call rejected"'
	mix_call "8x8 486" 486 -set reason "Busy Here" -- -s v8x8
	mix_call "okitoki 603" 603 -set reason Decline -- -s voki
	mix_call "okitoki 480 before ringing" 480 -set reason "Temporarily Unavailable" -- -s voki
	mix_call "unregistered 499" 499 -set reason "Weird Carrier Thing"
	mix_call "odd phrase" 486 -set reason "Line Engaged"
	mix_call "ringing, no answer (fr_inv timer)" 486 -set ring 1 -set final 0
	mix_call "silent carrier (fr timer)" 486 -set trying 0 -set final 0
}

# ---- Kamailio
proxy=kamailio
n=0
kport=$(it_free_port) || it_die "no free port"
it_kamailio_cfg "$WORK/k.cfg" PORT="$kport" UAS_PORT="$uport" FR_TIMER=2000 FR_INV_TIMER=3000 \
	LOADMODULE="loadmodule \"$IT_MODULE\"" INVITE_HOOK="$hook" || it_die "cannot render k.cfg"
it_kamailio_start "$WORK/k.cfg" || it_die "Kamailio did not start"
run_mix
it_kamailio_stop

# ---- OpenSIPS
proxy=opensips
n=0
os_cfg "$WORK/o.cfg" UAS_PORT="$uport" FR_TIMEOUT=2 FR_INV_TIMEOUT=3 INVITE_HOOK="$hook" ||
	it_die "cannot render o.cfg"
os_start "$WORK/o.cfg" || it_die "OpenSIPS did not start"
run_mix
it_assert_eq "opensips: no ERROR/CRITICAL" 0 "$(it_log_count 'ERROR:|CRITICAL:')"
os_stop

it_assert_eq "both proxies classified every call" "$(wc -l <"$WORK/kamailio.lines")" \
	"$(wc -l <"$WORK/opensips.lines")"
while IFS= read -r k && IFS= read -r o <&3; do
	it_assert_eq "same outcome line: ${k%%: tag=*}" "$k" "$o"
done <"$WORK/kamailio.lines" 3<"$WORK/opensips.lines"
it_note "the mix, as both logged it:"
sed 's/^/#   /' "$WORK/kamailio.lines"
it_finish
