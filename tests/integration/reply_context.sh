#!/usr/bin/env bash
# shellcheck disable=SC2016 # single-quoted $... is Kamailio script text
# Reply-path context of sipoutcome through a real tm proxy: did the call
# ring, did the caller CANCEL, did the proxy's own timer end it.  Each call
# checks what the caller received, the one outcome line the module logged
# for it and, where the issue asks, $outcome(...) and $rs as seen in
# event_route[sipoutcome:final] (which also runs for the proxy's own 408).
# make check may run tests with /bin/sh: continue in bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source=data/rp_helpers.sh
. "$IT_LIB_DIR/data/rp_helpers.sh"
it_setup
it_need_module

kport=$(it_free_port) || it_die "no free port"
uport=$(it_free_port) || it_die "no free port"

# Short timers: fr_timer 1 s (no reply at all), fr_inv_timer 1.5 s (after
# a 1xx).  The event route prints what the script sees for each call.
it_kamailio_cfg "$WORK/k.cfg" PORT="$kport" UAS_PORT="$uport" \
	FR_TIMER=1000 FR_INV_TIMER=1500 \
	LOADMODULE="loadmodule \"$IT_MODULE\"" \
	EXTRA='event_route[sipoutcome:final] {
	xlog("L_NOTICE", "rp-event: ci=$ci rs=$rs tag=$outcome(tag) canceled=$outcome(canceled) timeout=$outcome(timeout) branch=$outcome(branch) ringing=$outcome(ringing) source=$outcome(source)\n");
}' || it_die "cannot render the Kamailio config"
it_kamailio_start "$WORK/k.cfg" || it_die "Kamailio with sipoutcome did not start"

n=0
callids=()

# event_line CALLID : the text after "rp-event: " of the event route's line
# for CALLID (waits up to 2 s for it).
event_line() {
	it_wait_log -F "rp-event: ci=$1 " 1 2 2>/dev/null
	it_log_lines -F "rp-event: ci=$1 " | sed 's/.*rp-event: //'
}

# assert_event WHAT CALLID TOKEN... : exactly one event route run for the
# call, its line carrying every TOKEN.
assert_event() {
	local what=$1 cid=$2 line count missing
	shift 2
	line=$(event_line "$cid")
	count=$(it_log_count -F "rp-event: ci=$cid ")
	if [ "$count" -ne 1 ]; then
		it_fail "$what: event_route[sipoutcome:final] ran once" \
			"runs: $count" "$line"
	elif missing=$(rp_has_tokens "$line" "$@"); then
		it_pass "$what: event route saw $*"
	else
		it_fail "$what: event route saw $*" "missing: $missing" "    line: $line"
	fi
}

# carrier_done NAME WHAT : the carrier finished its call cleanly (a carrier
# still running is stopped so that the next one can bind the port).
carrier_done() {
	it_uas_wait "$1" 5
	it_assert_eq "call $n: carrier $2" 0 $? || it_stop "${IT_PROC[$1]}"
}

# call WHAT EXPECTED_STATUS CODE CARRIER_ARGS -- CALLER_ARGS : one call
# through the proxy to a carrier answering CODE; the caller must complete
# and receive EXPECTED_STATUS.  Sets cid.
call() {
	local expected=$2
	it_call "$1" "${@:3}"
	it_assert_eq "call $n: caller completed" 0 $?
	it_assert_eq "call $n: caller received '$expected'" "$expected" \
		"$(it_received_status "uac$n")"
	cid=$(rp_callid "uac$n")
	callids+=("$cid")
}

# 1. 180, then the caller CANCELs: tm relays the CANCEL, the carrier sends
#    487, the caller gets it.
call "180, caller CANCEL" "487 Request Terminated" 486 \
	-set ring 1 -set final 0 -- -sf "$IT_SIPP_DIR/uac_cancel.xml"
carrier_done "uas$n" "answered the CANCEL, sent 487, got the ACK"
rp_assert_outcome "call $n" "$cid" tag=CANCELED code=487 category=canceled \
	blame=caller ringing=1 source=remote
assert_event "call $n" "$cid" rs=487 tag=CANCELED canceled=1 timeout=0

# 2. 180, no answer: fr_inv_timer fires, tm answers 408 itself and
#    CANCELs the carrier.
call "180, no answer until fr_inv_timer" "408 Request Timeout" 486 \
	-set ring 1 -set final 0
carrier_done "uas$n" "got tm's CANCEL, sent 487, got the ACK"
rp_assert_outcome "call $n" "$cid" tag=NO_ANSWER code=408 category=no_answer \
	source=local ringing=1
assert_event "call $n" "$cid" rs=408 tag=NO_ANSWER timeout=1 branch=-1 \
	canceled=0 ringing=1 source=local

# 3. The next hop never answers, not even 100: fr_timer.
call "next hop silent until fr_timer" "408 Request Timeout" 486 \
	-set trying 0 -set final 0
it_uas_wait "uas$n" 0.1
it_assert_eq "call $n: carrier still silent (4: running)" 4 $?
it_stop "${IT_PROC[uas$n]}"
rp_assert_outcome "call $n" "$cid" tag=FAILED code=408 category=no_response \
	retry=alternate blame=network source=local ringing=0
assert_event "call $n" "$cid" rs=408 tag=FAILED timeout=1 branch=-1

# 4. 100 only, then 480: no ringing.
call "100, then 480" "480 Temporarily Unavailable" 480 \
	-set trying 1 -set ring 0 -set reason "Temporarily Unavailable"
carrier_done "uas$n" "got the ACK"
rp_assert_outcome "call $n" "$cid" tag=NO_ANSWER code=480 category=unavailable \
	ringing=0 source=remote
assert_event "call $n" "$cid" rs=480 ringing=0 branch=0 timeout=0

# 5. 180, then 480: it rang.
call "180, then 480" "480 Temporarily Unavailable" 480 \
	-set ring 1 -set reason "Temporarily Unavailable"
carrier_done "uas$n" "got the ACK"
rp_assert_outcome "call $n" "$cid" tag=NO_ANSWER code=480 category=no_answer \
	ringing=1 source=remote

# 6. 180, 200: answered.
call "180, 200" "200 OK" 200 -set ring 1 -set reason OK
carrier_done "uas$n" "got ACK and BYE"
rp_assert_outcome "call $n" "$cid" tag=COMPLETED code=200 category=answered \
	ringing=1 source=remote
assert_event "call $n" "$cid" rs=200 tag=COMPLETED canceled=0 timeout=0

# 7. 180, then the next hop itself answers 408.
call "180, received 408" "408 Request Timeout" 408 \
	-set ring 1 -set reason "Request Timeout"
carrier_done "uas$n" "got the ACK"
rp_assert_outcome "call $n" "$cid" tag=NO_ANSWER code=408 category=no_answer \
	ringing=1 source=remote
assert_event "call $n" "$cid" rs=408 timeout=0 source=remote

# Every call ended; no late reply may add a line now.  Stop Kamailio so
# its log is complete, then count.
it_kamailio_stop
rp_assert_one_line_per_call "all calls" "${callids[@]}"
it_assert_eq "one event route run per call" "${#callids[@]}" \
	"$(it_log_count -F 'rp-event: ci=')"
it_assert_eq "Kamailio logged no ERROR" 0 "$(it_log_count ' ERROR: ')"

it_finish
