#!/usr/bin/env bash
# Self-test of the integration harness against STOCK Kamailio (no
# sipoutcome module): a carrier (sipp UAS) answers through a tm stateful
# proxy and the caller (sipp UAC) must receive what the carrier sent.  If
# this fails, the harness or the machine is broken, not the module.
# make check may run tests with /bin/sh: continue in bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_setup

"$PYTHON" "$IT_LIB_DIR/gen-uac-scenarios.py" --check ||
	it_die "examples/sipp/uac*.xml differ from gen-uac-scenarios.py"

kport=$(it_free_port) || it_die "no free port"
uport=$(it_free_port) || it_die "no free port"
it_kamailio_cfg "$WORK/kamailio.cfg" PORT="$kport" UAS_PORT="$uport" ||
	it_die "cannot render the Kamailio config"
it_kamailio_start "$WORK/kamailio.cfg" || it_die "stock Kamailio did not start"

n=0

# carrier_done NAME WHAT : the carrier finished its call cleanly.  One still
# running is stopped, so that the next carrier can bind the port.
carrier_done() {
	it_uas_wait "$1"
	it_assert_eq "call $n: carrier $2" 0 $? || it_stop "${IT_PROC[$1]}"
}

# reject CODE REASON EXPECTED [carrier -set args...] : one call the carrier
# rejects with "CODE REASON"; the caller must receive the status line
# EXPECTED and complete (ACK).
reject() {
	local code=$1 reason=$2 expected=$3 shown
	shift 3
	n=$((n + 1))
	shown=$expected
	[ "${#shown}" -gt 40 ] && shown="${expected:0:12}...(${#expected} bytes)"
	it_carrier_start "uas$n" "$uport" "$code" -set reason "$reason" "$@" ||
		it_die "carrier $n did not start"
	it_uac_call "uac$n" "$kport"
	it_assert_eq "call $n: caller completed" 0 $?
	it_assert_eq "call $n: caller received '$shown'" "$expected" "$(it_received_status "uac$n")"
	carrier_done "uas$n" "got the ACK and finished"
}

it_note "finals relayed unchanged"
reject 486 "Busy Here" "486 Busy Here"
reject 404 "Not Found" "404 Not Found"
reject 400 "Permission Denied" "400 Permission Denied"

it_note "503 with tm's default remap_503_500=1: a local 500 (RFC 3261 16.7)"
reject 503 "Service Unavailable" "500 Service Unavailable"

it_note "empty reason phrase"
reject 486 "" "486 "

it_note "2,000-byte reason phrase"
long=$(printf 'x%.0s' {1..2000})
reject 480 "$long" "480 $long"

it_note "180 first, extra Reason header"
reject 486 "Busy Here" "486 Busy Here" \
	-set ring 1 -set extra 'Reason: Q.850;cause=17;text="User busy"'
it_assert_eq "call $n: Reason header relayed" 'Q.850;cause=17;text="User busy"' \
	"$(it_received_header "uac$n" Reason)"
it_assert_match "call $n: caller saw 180 Ringing before the final" \
	$'(^|\n)180 Ringing\n486 Busy Here$' "$(it_received_statuses "uac$n")"

it_note "180, 200, ACK, BYE"
n=$((n + 1))
it_carrier_start "uas$n" "$uport" 200 -set ring 1 -set reason OK || it_die "carrier $n"
it_uac_call "uac$n" "$kport"
it_assert_eq "call $n: caller completed (ACK, BYE, 200)" 0 $?
it_assert_eq "call $n: caller received 200 OK" "200 OK" "$(it_received_status "uac$n")"
it_assert_eq "call $n: BYE answered" "200 OK" "$(it_received_status "uac$n" BYE)"
carrier_done "uas$n" "got ACK and BYE"

it_note "180, caller CANCEL, 487"
n=$((n + 1))
it_carrier_start "uas$n" "$uport" 486 -set ring 1 -set final 0 || it_die "carrier $n"
it_uac_call "uac$n" "$kport" -sf "$IT_SIPP_DIR/uac_cancel.xml"
it_assert_eq "call $n: caller completed (CANCEL, ACK)" 0 $?
it_assert_eq "call $n: caller received 487" "487 Request Terminated" "$(it_received_status "uac$n")"
it_assert_match "call $n: CANCEL answered 200" '^200 ' "$(it_received_status "uac$n" CANCEL)"
carrier_done "uas$n" "answered CANCEL, sent 487, got the ACK"

it_note "CANCEL while the carrier delays its final"
n=$((n + 1))
it_carrier_start "uas$n" "$uport" 486 -set ring 1 -set delay 5000 || it_die "carrier $n"
it_uac_call "uac$n" "$kport" -sf "$IT_SIPP_DIR/uac_cancel.xml" -set cancel_after 100
it_assert_eq "call $n: caller completed (CANCEL, ACK)" 0 $?
it_assert_eq "call $n: caller received 487" "487 Request Terminated" "$(it_received_status "uac$n")"
carrier_done "uas$n" "left its delay for the CANCEL"

it_assert_eq "Kamailio logged no ERROR" 0 "$(it_log_count ' ERROR: ')"
it_kamailio_stop

it_note "second Kamailio: remap_503_500=0, fr_timer 1 s, fr_inv_timer 1.5 s"
it_kamailio_cfg "$WORK/kamailio-2.cfg" PORT="$kport" UAS_PORT="$uport" \
	REMAP_503_500=0 FR_TIMER=1000 FR_INV_TIMER=1500 ||
	it_die "cannot render the Kamailio config"
it_kamailio_start "$WORK/kamailio-2.cfg" || it_die "stock Kamailio did not start"

it_note "503 relayed as received"
reject 503 "Service Unavailable" "503 Service Unavailable"

it_note "180, no answer: fr_inv_timer 408, tm CANCELs the carrier"
n=$((n + 1))
it_carrier_start "uas$n" "$uport" 486 -set ring 1 -set final 0 || it_die "carrier $n"
it_uac_call "uac$n" "$kport"
it_assert_eq "call $n: caller completed" 0 $?
it_assert_eq "call $n: caller received 408" "408 Request Timeout" "$(it_received_status "uac$n")"
carrier_done "uas$n" "got tm's CANCEL, sent 487, got the ACK"

it_note "dead carrier: fr_timer 408"
n=$((n + 1))
it_carrier_start "uas$n" "$uport" 486 -set trying 0 -set final 0 || it_die "carrier $n"
it_uac_call "uac$n" "$kport"
it_assert_eq "call $n: caller completed" 0 $?
it_assert_eq "call $n: caller received 408" "408 Request Timeout" "$(it_received_status "uac$n")"
it_uas_wait "uas$n" 0.1
it_assert_eq "call $n: carrier still silent (4: running)" 4 $?
it_stop "${IT_PROC[uas$n]}"

it_assert_eq "second Kamailio logged no ERROR" 0 "$(it_log_count ' ERROR: ')"

it_finish
