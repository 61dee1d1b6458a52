#!/usr/bin/env bash
# shellcheck disable=SC2016 # single-quoted $... is Kamailio script text
# sipoutcome reason_mode (keep, normalize, annotate, rewrite), the
# outcome_header and sipoutcome_reason() through a real tm proxy: what
# status line and header the CALLER receives, for relayed replies and for
# the proxy's own timeout 408, and that each call is logged once.
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

n=0
callids=()
long=$(printf 'x%.0s' {1..2000})
ctrl=$'Busy\x01Here\x7f'

# start_kamailio MODPARAMS [INVITE_HOOK [EXTRA]] : (re)start Kamailio with the
# module and these modparam lines; fr_inv_timer 1.5 s.
start_kamailio() {
	if [ -n "$IT_KAM_PID" ]; then
		it_kamailio_stop
		rp_assert_one_line_per_call "calls of the previous Kamailio" "${callids[@]}"
		it_assert_eq "previous Kamailio logged no ERROR" 0 "$(it_log_count ' ERROR: ')"
	fi
	callids=()
	it_kamailio_cfg "$WORK/k$n.cfg" PORT="$kport" UAS_PORT="$uport" \
		FR_TIMER=1000 FR_INV_TIMER=1500 \
		LOADMODULE="loadmodule \"$IT_MODULE\"
$1" INVITE_HOOK="${2:-}" EXTRA="${3:-}" || it_die "cannot render the Kamailio config"
	it_kamailio_start "$WORK/k$n.cfg" || it_die "Kamailio with sipoutcome did not start"
}

# call WHAT CODE [CARRIER_ARGS...] [-- CALLER_ARGS...] : one call to a
# carrier answering CODE; the caller must complete; the carrier must get
# its ACK (or, never sending a final, tm's CANCEL; with silent=1 in the
# environment the carrier sends nothing at all and is stopped).  Sets st
# (the status line the caller received) and cid.
call() {
	it_call "$@"
	it_assert_eq "call $n: caller completed" 0 $?
	if [ "${silent:-0}" = 1 ]; then
		it_uas_wait "uas$n" 0.1
		it_assert_eq "call $n: carrier still silent (4: running)" 4 $?
		it_stop "${IT_PROC[uas$n]}"
	else
		it_uas_wait "uas$n" 5
		it_assert_eq "call $n: carrier finished its call" 0 $? || it_stop "${IT_PROC[uas$n]}"
	fi
	st=$(it_received_status "uac$n")
	cid=$(rp_callid "uac$n")
	callids+=("$cid")
}

# valid_line WHAT CODE : the caller's status line is CODE, then a phrase of
# at most 128 bytes with no control byte.
valid_line() {
	local LC_ALL=C phrase bytes
	phrase=${st#"$2"}
	phrase=${phrase# }
	bytes=${#phrase}
	if [[ $st =~ ^$2(\ |$) ]] && ! [[ $st =~ [[:cntrl:]] ]] && [ "$bytes" -le 128 ]; then
		it_pass "$1: valid status line ($bytes-byte phrase, no control bytes)"
	else
		it_fail "$1: valid status line (code $2, phrase <= 128 bytes, no control bytes)" \
			"seen: $(it__show "$st") (phrase $bytes bytes)"
	fi
}

# ------------------------------------------------------------ normalize
it_note "reason_mode normalize"
start_kamailio 'modparam("sipoutcome", "reason_mode", "normalize")'

call "normalize: 400 Permission Denied" 400 -set reason "Permission Denied"
it_assert_eq "call $n: caller received the canonical phrase" "400 Bad Request" "$st"
rp_assert_outcome "call $n" "$cid" code=400 'reason="Permission Denied"'

call "normalize: empty phrase" 486 -set reason ""
it_assert_eq "call $n: caller received a phrase" "486 Busy Here" "$st"
rp_assert_outcome "call $n" "$cid" tag=BUSY code=486

call "normalize: 2,000-byte phrase" 486 -set reason "$long"
valid_line "call $n" 486
it_assert_eq "call $n: caller received the canonical phrase" "486 Busy Here" "$st"
rp_assert_outcome "call $n" "$cid" tag=BUSY code=486

call "normalize: control bytes in the phrase" 486 -set reason "$ctrl"
valid_line "call $n" 486
it_assert_eq "call $n: caller received the canonical phrase" "486 Busy Here" "$st"
rp_assert_outcome "call $n" "$cid" tag=BUSY code=486

# ------------------------------------------------------------ keep
# R-URI user "onreply" arms an onreply_route that calls
# sipoutcome_reason("normalize") on the final.
it_note "reason_mode keep; sipoutcome_reason() from onreply_route"
start_kamailio 'modparam("sipoutcome", "reason_mode", "keep")' \
	'if ($rU == "onreply") t_on_reply("R");' \
	'onreply_route[R] {
	if ($rs >= 200) {
		if (sipoutcome_reason("normalize")) {
			xlog("L_NOTICE", "rp-reason: ci=$ci rs=$rs applied\n");
		} else {
			xlog("L_NOTICE", "rp-reason: ci=$ci rs=$rs failed\n");
		}
	}
}'

call "keep: 400 Permission Denied" 400 -set reason "Permission Denied"
it_assert_eq "call $n: phrase kept" "400 Permission Denied" "$st"
rp_assert_outcome "call $n" "$cid" code=400 'reason="Permission Denied"'

call "keep: empty phrase" 486 -set reason ""
valid_line "call $n" 486
it_assert_eq "call $n: an empty phrase stays empty (module/kamailio/doc, reason_mode keep)" "486 " "$st"
rp_assert_outcome "call $n" "$cid" tag=BUSY code=486

call "keep: 2,000-byte phrase" 486 -set reason "$long"
valid_line "call $n" 486
it_assert_eq "call $n: the phrase is cut at 128 bytes" "486 ${long:0:128}" "$st"
rp_assert_outcome "call $n" "$cid" tag=BUSY code=486

call "keep: control bytes in the phrase" 486 -set reason "$ctrl"
valid_line "call $n" 486
it_assert_eq "call $n: control bytes became spaces, ends trimmed" "486 Busy Here" "$st"
rp_assert_outcome "call $n" "$cid" tag=BUSY code=486

call "keep + sipoutcome_reason(\"normalize\") in onreply_route" 400 \
	-set reason "Permission Denied" -- -s onreply
it_assert_eq "call $n: onreply_route ran sipoutcome_reason() once, with success" \
	"rs=400 applied" \
	"$(it_log_lines -F "rp-reason: ci=$cid " | sed 's/.*rp-reason: ci=[^ ]* //')"
it_assert_eq "call $n: caller received the normalized phrase" "400 Bad Request" "$st"
rp_assert_outcome "call $n" "$cid" code=400 'reason="Permission Denied"'

# keep repairs this phrase when the reply comes in (TMCB_RESPONSE_IN), then
# the script asks for normalize on the same reply: one phrase must result.
# (module/kamailio/doc describes two phrases one after the other when both replace
# it, yet recommends reason_mode keep for this function: under keep a
# broken phrase is replaced twice too.)
call "keep (repairs) + sipoutcome_reason(\"normalize\"): control bytes" 486 \
	-set reason "$ctrl" -- -s onreply
it_assert_eq "call $n: onreply_route ran sipoutcome_reason() once, with success" \
	"rs=486 applied" \
	"$(it_log_lines -F "rp-reason: ci=$cid " | sed 's/.*rp-reason: ci=[^ ]* //')"
valid_line "call $n" 486
it_assert_eq "call $n: caller received the normalized phrase" "486 Busy Here" "$st"
rp_assert_outcome "call $n" "$cid" tag=BUSY code=486

# ------------------------------------------------------------ annotate
# R-URI user "failroute" arms a failure_route (which does nothing: tm then
# sends its own 408).
it_note "reason_mode annotate"
start_kamailio 'modparam("sipoutcome", "reason_mode", "annotate")' \
	'if ($rU == "failroute") t_on_failure("F");' \
	'failure_route[F] {
	xlog("L_NOTICE", "rp-failure: ci=$ci\n");
}'

call "annotate: 486 Busy Here" 486 -set reason "Busy Here"
it_assert_eq "call $n: caller received the annotated phrase" \
	"486 Busy Here [BUSY/busy]" "$st"
rp_assert_outcome "call $n" "$cid" tag=BUSY code=486 'reason="Busy Here"'

call "annotate: 180, the proxy's own fr_inv_timer 408" 486 -set ring 1 -set final 0
it_assert_eq "call $n: caller received the annotated 408" \
	"408 Request Timeout [NO_ANSWER/no_answer]" "$st"
# reason= of the proxy's own reply is tm's phrase, before our annotation.
rp_assert_outcome "call $n" "$cid" tag=NO_ANSWER code=408 category=no_answer \
	source=local ringing=1 'reason="Request Timeout"'

call "annotate, failure_route armed: 180, fr_inv_timer 408" 486 \
	-set ring 1 -set final 0 -- -s failroute
it_assert_eq "call $n: the failure_route ran" 1 "$(it_log_count -F "rp-failure: ci=$cid")"
it_assert_eq "call $n: tm's own 408 is not rewritten" "408 Request Timeout" "$st"
rp_assert_outcome "call $n" "$cid" tag=NO_ANSWER code=408 category=no_answer \
	source=local ringing=1

# ------------------------------------------------------------ rewrite
it_note "reason_mode rewrite, user profile $IT_LIB_DIR/data/rp_rewrite.profile"
start_kamailio "modparam(\"sipoutcome\", \"reason_mode\", \"rewrite\")
modparam(\"sipoutcome\", \"profile\", \"$IT_LIB_DIR/data/rp_rewrite.profile\")
modparam(\"sipoutcome\", \"default_vendor\", \"rp_rewrite\")"

call "rewrite: 486 Busy Here" 486 -set reason "Busy Here"
it_assert_eq "call $n: caller received the profile's phrase" \
	"486 Line Engaged Right Now" "$st"
rp_assert_outcome "call $n" "$cid" tag=BUSY code=486 vendor=rp_rewrite \
	'reason="Busy Here"'

call "rewrite: 404 Not Found" 404 -set reason "Not Found"
it_assert_eq "call $n: caller received the profile's phrase" \
	"404 Number Not In Service" "$st"
rp_assert_outcome "call $n" "$cid" code=404 vendor=rp_rewrite

# ------------------------------------------------------------ outcome_header
it_note "outcome_header X-Outcome (reason_mode keep)"
start_kamailio 'modparam("sipoutcome", "outcome_header", "X-Outcome")'

call "X-Outcome on a relayed 486" 486 -set reason "Busy Here"
it_assert_eq "call $n: phrase kept" "486 Busy Here" "$st"
it_assert_eq "call $n: X-Outcome header" "BUSY;category=busy;retry=later" \
	"$(it_received_header "uac$n" X-Outcome)"
rp_assert_outcome "call $n" "$cid" tag=BUSY code=486 category=busy retry=later

call "X-Outcome on the proxy's own fr_inv_timer 408" 486 -set ring 1 -set final 0
it_assert_eq "call $n: phrase kept" "408 Request Timeout" "$st"
it_assert_eq "call $n: X-Outcome header" "NO_ANSWER;category=no_answer;retry=later" \
	"$(it_received_header "uac$n" X-Outcome)"
rp_assert_outcome "call $n" "$cid" tag=NO_ANSWER code=408 category=no_answer \
	retry=later source=local

silent=1 call "X-Outcome on the proxy's own fr_timer 408 (next hop silent)" 486 \
	-set trying 0 -set final 0
it_assert_eq "call $n: phrase kept" "408 Request Timeout" "$st"
it_assert_eq "call $n: X-Outcome header" "FAILED;category=no_response;retry=alternate" \
	"$(it_received_header "uac$n" X-Outcome)"
rp_assert_outcome "call $n" "$cid" tag=FAILED code=408 category=no_response \
	retry=alternate source=local ringing=0

it_kamailio_stop
rp_assert_one_line_per_call "calls of the last Kamailio" "${callids[@]}"
it_assert_eq "last Kamailio logged no ERROR" 0 "$(it_log_count ' ERROR: ')"

it_finish
