#!/usr/bin/env bash
# reason_event.sh (issue 15): through a real OpenSIPS 3.6.8, the reason
# modes, the outcome header, the proxy's own timeout reply, the call
# context (ringing, caller CANCEL, both tm timers) and the event
# E_SIPOUTCOME_FINAL in event_route with the outcome as parameters. The
# expectations are those of the Kamailio tests reason_modes.sh and
# reply_context.sh (the phrase rules of RFC 3261 §25.1: at most 128 bytes
# out, no control bytes). The annotate proxy runs 4 UDP workers.
# shellcheck disable=SC2016 # $param(...), $rs: OpenSIPS variables
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
# shellcheck source=os_lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/os_lib.sh"
os_setup

uport=$(it_free_port) || it_die "no free port"
n=0
long=$(printf 'x%.0s' {1..2000})
ctrl=$'Busy\x01Here\x7f'

# start MODPARAMS [INVITE_HOOK [EXTRA [WORKERS]]] : (re)start OpenSIPS with
# the module and these lines; fr_timeout 2 s, fr_inv_timeout 3 s.
start() {
	if [ -n "$OS_PID" ]; then
		it_assert_eq "previous OpenSIPS: no ERROR/CRITICAL" 0 "$(it_log_count 'ERROR:|CRITICAL:')"
		os_stop
	fi
	os_cfg "$WORK/o$n.cfg" UAS_PORT="$uport" FR_TIMEOUT=2 FR_INV_TIMEOUT=3 \
		WORKERS="${4:-1}" LOADMODULE="loadmodule \"$OS_MODULE\"
$1" INVITE_HOOK="${2:-}" EXTRA="${3:-}" || it_die "cannot render the config"
	os_start "$WORK/o$n.cfg" || it_die "OpenSIPS with sipoutcome did not start"
}

# call WHAT CODE [CARRIER_ARGS...] [-- CALLER_ARGS...] : one call; the
# caller completes; with silent=1 the carrier sends nothing and is
# stopped. Sets st (status line the caller got), cid and line (the
# outcome line from tag= on).
call() {
	it_call "$@"
	it_assert_eq "call $n: caller completed" 0 $?
	if [ "${silent:-0}" = 1 ]; then
		it_stop "${IT_PROC[uas$n]}"
	else
		it_uas_wait "uas$n" 5
		it_assert_eq "call $n: carrier finished its call" 0 $? || it_stop "${IT_PROC[uas$n]}"
	fi
	st=$(it_received_status "uac$n")
	cid=$(it_received_header "uac$n" Call-ID)
	it_wait_log -F "callid=$cid " 1 3 2>/dev/null
	line=$(os_outcome_of "$cid")
	it_assert_eq "call $n: one outcome line" 1 "$(printf '%s' "$line" | grep -c '^tag=')"
}

# has WHAT TEXT TOKEN... : every TOKEN is a word of TEXT.
has() {
	local what=$1 text=$2 t missing=
	shift 2
	for t in "$@"; do
		[[ " $text " == *" $t "* ]] || missing="$missing $t"
	done
	if [ -z "$missing" ]; then
		it_pass "$what: $*"
	else
		it_fail "$what: $*" "missing:$missing" "line: $text"
	fi
}

# valid_line WHAT CODE : CODE, then a phrase of <= 128 bytes, no control.
valid_line() {
	local LC_ALL=C phrase=${st#"$2"}
	phrase=${phrase# }
	if [[ $st =~ ^$2(\ |$) ]] && ! [[ $st =~ [[:cntrl:]] ]] && [ "${#phrase}" -le 128 ]; then
		it_pass "$1: valid status line (${#phrase}-byte phrase)"
	else
		it_fail "$1: valid status line" "seen: $(it__show "$st")"
	fi
}

# ------------------------------------------------------------ normalize
it_note "reason_mode normalize"
start 'modparam("sipoutcome", "reason_mode", "normalize")'
call "normalize: 400 Permission Denied" 400 -set reason "Permission Denied"
it_assert_eq "call $n: canonical phrase" "400 Bad Request" "$st"
has "call $n" "$line" code=400 'reason="Permission' 'Denied"'
call "normalize: 2,000-byte phrase" 486 -set reason "$long"
valid_line "call $n" 486
it_assert_eq "call $n: canonical phrase" "486 Busy Here" "$st"
call "normalize: control bytes" 486 -set reason "$ctrl"
it_assert_eq "call $n: canonical phrase" "486 Busy Here" "$st"

# ------------------------------------------------------------ keep
it_note "reason_mode keep: repairs only; sipoutcome_reason(\"normalize\") in onreply_route"
start '' 'if ($rU == "norm") t_on_reply("R");' 'onreply_route[R] {
	if ($rs >= 200)
		sipoutcome_reason("normalize");
}'
call "keep: odd phrase stays" 486 -set reason "Line Engaged"
it_assert_eq "call $n: phrase as received" "486 Line Engaged" "$st"
call "keep: control bytes repaired" 486 -set reason "$ctrl"
valid_line "call $n" 486
it_assert_eq "call $n: repaired phrase" "486 Busy Here" "$st"
call "keep + sipoutcome_reason(\"normalize\")" 400 -set reason "Permission Denied" -- -s norm
it_assert_eq "call $n: the script's normalize" "400 Bad Request" "$st"

# ------------------------------------------------------------ annotate
it_note "reason_mode annotate, outcome_header, event_route[E_SIPOUTCOME_FINAL], 4 workers"
ev='event_route[E_SIPOUTCOME_FINAL] {
	xlog("L_NOTICE", "os-event: ci=$param(callid) tag=$param(tag) code=$param(code) source=$param(source) ringing=$param(ringing) canceled=$param(canceled) timeout=$param(timeout) q850=[$param(q850)] branch=$param(branch) vendor=$param(vendor)\n");
}'
start 'modparam("sipoutcome", "reason_mode", "annotate")
modparam("sipoutcome", "outcome_header", "X-Outcome")' '' "$ev" 4
event_of() {
	it_wait_log -F "os-event: ci=$1 " 1 3 2>/dev/null
	it_assert_eq "call $n: the event ran once" 1 "$(it_log_count -F "os-event: ci=$1 ")"
	it_log_lines -F "os-event: ci=$1 " | sed 's/.*os-event: //'
}
q17='Reason: Q.850;cause=17;text="User busy"'
first=$n
call "annotate: 486 with Q.850 17" 486 -set reason "Busy Here" -set extra "$q17"
it_assert_eq "call $n: annotated phrase" "486 Busy Here [BUSY/busy]" "$st"
it_assert_eq "call $n: X-Outcome" "BUSY;category=busy;retry=later" "$(it_received_header "uac$n" X-Outcome)"
has "call $n: log keeps the received phrase" "$line" 'reason="Busy' 'Here"' q850=17
has "call $n: event" "$(event_of "$cid")" tag=BUSY code=486 source=remote ringing=0 \
	canceled=0 timeout=0 'q850=[17]' branch=0 vendor=rfc
call "annotate: 180, caller CANCEL" 486 -set ring 1 -set final 0 -- -sf "$IT_SIPP_DIR/uac_cancel.xml"
it_assert_eq "call $n: 487 annotated" "487 Request Terminated [CANCELED/canceled]" "$st"
has "call $n: event" "$(event_of "$cid")" tag=CANCELED code=487 ringing=1 canceled=1 timeout=0
call "annotate: 180, no answer: the module's own 408" 486 -set ring 1 -set final 0
it_assert_eq "call $n: local 408 annotated" "408 Request Timeout [NO_ANSWER/no_answer]" "$st"
it_assert_eq "call $n: X-Outcome on the local 408" "NO_ANSWER;category=no_answer;retry=later" \
	"$(it_received_header "uac$n" X-Outcome)"
has "call $n: log" "$line" tag=NO_ANSWER code=408 source=local ringing=1 'reason="Request' 'Timeout"'
has "call $n: event" "$(event_of "$cid")" tag=NO_ANSWER code=408 source=local ringing=1 timeout=1 'q850=[]'
silent=1 call "annotate: silent carrier" 486 -set trying 0 -set final 0
it_assert_eq "call $n: local 408 annotated" "408 Request Timeout [FAILED/no_response]" "$st"
has "call $n: log" "$line" tag=FAILED code=408 category=no_response blame=network source=local
has "call $n: event" "$(event_of "$cid")" tag=FAILED code=408 source=local timeout=1
it_assert_eq "annotate: one outcome line per call" $((n - first)) "$(it_log_count 'sipoutcome: tag=')"

# ------------------------------------------------------------ rewrite
it_note "reason_mode rewrite, user profile tests/integration/data/rp_rewrite.profile"
start "modparam(\"sipoutcome\", \"reason_mode\", \"rewrite\")
modparam(\"sipoutcome\", \"profile\", \"$IT_LIB_DIR/data/rp_rewrite.profile\")
modparam(\"sipoutcome\", \"default_vendor\", \"rp_rewrite\")"
call "rewrite: 486" 486 -set reason "Busy Here"
it_assert_eq "call $n: the profile's phrase" "486 Line Engaged Right Now" "$st"
has "call $n" "$line" tag=BUSY code=486 vendor=rp_rewrite
call "rewrite: 603 (no rule): canonical" 603 -set reason "Go Away"
it_assert_eq "call $n: canonical phrase" "603 Decline" "$st"
it_assert_eq "rewrite: no ERROR/CRITICAL" 0 "$(it_log_count 'ERROR:|CRITICAL:')"
os_stop

# ------------------------------------------------------------ bad config
it_note "a bad profile file stops start-up, naming file and line"
os_cfg "$WORK/bad.cfg" UAS_PORT="$uport" LOADMODULE="loadmodule \"$OS_MODULE\"
modparam(\"sipoutcome\", \"profile\", \"$IT_LIB_DIR/data/bad_tag.profile\")" || it_die "render"
"$OPENSIPS" -C -f "$WORK/bad.cfg" >"$WORK/bad.log" 2>&1
it_assert_eq "opensips -C refuses the config" 1 "$([ $? -ne 0 ] && echo 1 || echo 0)"
it_assert_eq "the error names the file" 1 \
	"$(grep -c "ERROR:.*profile: .*bad_tag.profile:[0-9]" "$WORK/bad.log")"
it_note "an unknown literal vendor in the script stops start-up"
os_cfg "$WORK/badv.cfg" UAS_PORT="$uport" INVITE_HOOK='sipoutcome_vendor("nosuchcarrier");' ||
	it_die "render"
timeout 20 "$OPENSIPS" -F -f "$WORK/badv.cfg" -m 64 -M 16 >"$WORK/badv.log" 2>&1
rc=$?
it_assert_eq "opensips exits at start-up (not killed by the timeout)" 1 \
	"$([ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && echo 1 || echo 0)"
it_assert_eq "the error names the vendor" 1 \
	"$(grep -c "ERROR:sipoutcome:.*unknown vendor profile 'nosuchcarrier'" "$WORK/badv.log")"
it_finish
