#!/usr/bin/env bash
# shellcheck disable=SC2016 # single-quoted $... is Kamailio script text
# sipoutcome with tm parallel forking: two carriers behind one INVITE.
# The caller gets the reply tm picks; the module must log (and count)
# exactly that one, once per call, with the facts of the winning branch.
# The per-branch finals show in the module's debug lines (debugger module,
# sipoutcome at level 3).
# make check may run tests with /bin/sh: continue in bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source=data/rp_helpers.sh
. "$IT_LIB_DIR/data/rp_helpers.sh"
it_setup
it_need_module
for m in corex debugger; do
	[ -f "$KAMAILIO_MODDIR/$m.so" ] || it_skip "no $m.so in $KAMAILIO_MODDIR"
done

kport=$(it_free_port) || it_die "no free port"
port0=$(it_free_port) || it_die "no free port" # branch 0 ($du of the template)
port1=$(it_free_port) || it_die "no free port" # branch 1 (append_branch)

# Branch 1 is appended (corex append_branch) with its own $du; then $du is
# set back for branch 0 (append_branch copies the current $du into the new
# branch).  debugger prints sipoutcome's LM_DBG lines only.
it_kamailio_cfg "$WORK/k.cfg" PORT="$kport" UAS_PORT="$port0" \
	LOADMODULE="loadmodule \"corex.so\"
loadmodule \"debugger.so\"
modparam(\"debugger\", \"mod_hash_size\", 4)
modparam(\"debugger\", \"mod_level_mode\", 1)
modparam(\"debugger\", \"mod_level\", \"sipoutcome=3\")
loadmodule \"$IT_MODULE\"" \
	INVITE_HOOK="\$du = \"sip:127.0.0.1:$port1\";
	append_branch(\"sip:fork1@127.0.0.1:$port1\");
	\$du = \"sip:127.0.0.1:$port0\";" \
	EXTRA='event_route[sipoutcome:final] {
	xlog("L_NOTICE", "rp-event: ci=$ci rs=$rs tag=$outcome(tag) branch=$outcome(branch) q850=$outcome(q850) reason=$outcome(reason)\n");
}' || it_die "cannot render the Kamailio config"
it_kamailio_start "$WORK/k.cfg" || it_die "Kamailio with sipoutcome did not start"

n=0
callids=()

# dbg_final CALLID BRANCH [CODE] : how many of the module's per-branch
# debug lines "branch BRANCH last_received CODE" (written for forked calls
# when the final reply goes out) the call has.
dbg_final() {
	it_log_lines -F " $1} " | grep -a -c -F "call_debug_branches(): branch $2 last_received ${3:+$3}"
}

# carrier_done NAME WHAT : the carrier finished its call cleanly.
carrier_done() {
	it_uas_wait "$1" 5
	it_assert_eq "call $n: carrier $1 $2" 0 $? || it_stop "${IT_PROC[$1]}"
}

# event_line CALLID : the event route's line for the call (after "rp-event: ").
event_line() {
	it_wait_log -F "rp-event: ci=$1 " 1 2 2>/dev/null
	it_log_lines -F "rp-event: ci=$1 " | sed 's/.*rp-event: //'
}

# reject_fork WHAT DELAY0 DELAY1 [STATUS [X_OUTCOME]] : branch 0 answers
# 500, branch 1 answers 486 with a Q.850 cause 17; DELAYn ms before each
# final.  tm picks the 4xx; the caller gets the 486 (status line STATUS,
# default "486 Busy Here"; header X-Outcome: X_OUTCOME when given) and the
# line is the 486's.
reject_fork() {
	local what=$1 d0=$2 d1=$3 status=${4:-486 Busy Here} xo=${5-} line missing
	n=$((n + 1))
	it_note "call $n: $what"
	it_carrier_start "c0_$n" "$port0" 500 -set reason "Server Internal Error" \
		-set delay "$d0" || it_die "carrier 0 of call $n did not start"
	it_carrier_start "c1_$n" "$port1" 486 -set reason "Busy Here" -set delay "$d1" \
		-set extra 'Reason: Q.850;cause=17;text="User busy"' ||
		it_die "carrier 1 of call $n did not start"
	it_uac_call "uac$n" "$kport"
	it_assert_eq "call $n: caller completed" 0 $?
	it_assert_eq "call $n: caller received '$status'" "$status" \
		"$(it_received_status "uac$n")"
	if [ -n "$xo" ]; then
		it_assert_eq "call $n: X-Outcome of the 486" "$xo" \
			"$(it_received_header "uac$n" X-Outcome)"
	fi
	it_assert_eq "call $n: Reason of the 486 relayed" 'Q.850;cause=17;text="User busy"' \
		"$(it_received_header "uac$n" Reason)"
	carrier_done "c0_$n" "(500) got the ACK"
	carrier_done "c1_$n" "(486) got the ACK"
	cid=$(rp_callid "uac$n")
	callids+=("$cid")
	rp_assert_outcome "call $n" "$cid" tag=BUSY code=486 category=busy \
		source=remote q850=17 'reason="Busy Here"'
	it_assert_eq "call $n: debug line for branch 0's 500" 1 "$(dbg_final "$cid" 0 500)"
	it_assert_eq "call $n: debug line for branch 1's 486" 1 "$(dbg_final "$cid" 1 486)"
	line=$(event_line "$cid")
	if missing=$(rp_has_tokens "$line" rs=486 tag=BUSY branch=1 q850=17); then
		it_pass "call $n: event route: rs=486 tag=BUSY branch=1 q850=17"
	else
		it_fail "call $n: event route: rs=486 tag=BUSY branch=1 q850=17" \
			"missing: $missing" "    line: $line"
	fi
}

# 1. The 500 first, the 486 last: tm relays the reply it just received.
reject_fork "fork 500 (branch 0) + 486 (branch 1), the 486 last" 0 300
# 2. The 486 first, the 500 last: tm relays the STORED 486 when the 500
#    (the message in hand) completes the set.
reject_fork "fork 500 (branch 0) + 486 (branch 1), the 500 last" 300 0

# 3. Branch 0 rings and never answers; branch 1 rings, then answers 200
#    ("200 Answered", so that its line tells it from the 200 OK that
#    branch 0's carrier sends for tm's CANCEL).  tm CANCELs branch 0,
#    whose 487 comes after the caller's 200.
n=$((n + 1))
it_note "call $n: fork ringing (branch 0) + 180/200 (branch 1)"
it_carrier_start "c0_$n" "$port0" 486 -set ring 1 -set final 0 ||
	it_die "carrier 0 of call $n did not start"
it_carrier_start "c1_$n" "$port1" 200 -set ring 1 -set reason Answered \
	-set delay 500 || it_die "carrier 1 of call $n did not start"
it_uac_call "uac$n" "$kport"
it_assert_eq "call $n: caller completed (ACK, BYE)" 0 $?
it_assert_eq "call $n: caller received 200 Answered" "200 Answered" \
	"$(it_received_status "uac$n")"
it_assert_eq "call $n: caller got exactly one final" "200 Answered" \
	"$(it_received_statuses "uac$n" | awk '$1 >= 200' | sort -u)"
carrier_done "c1_$n" "(200) got ACK and BYE"
# Its 487 is ACKed by tm: by then tm has handled the 200 and the 487.
carrier_done "c0_$n" "(ringing) got tm's CANCEL, answered 200 + 487, got the ACK"
it_assert_match "call $n: the losing carrier got tm's CANCEL" \
	'CANCEL sip:' "$(grep -a '^CANCEL ' "$WORK/c0_$n.msg" | head -n 1)"
cid=$(rp_callid "uac$n")
callids+=("$cid")
rp_assert_outcome "call $n" "$cid" tag=COMPLETED code=200 category=answered \
	ringing=1 source=remote reason=Answered
it_assert_eq "call $n: no outcome line for the losing 487" 0 \
	"$(rp_outcome_lines "$cid" | grep -c ' code=487 ')"
it_assert_eq "call $n: debug line for branch 1's 200" 1 "$(dbg_final "$cid" 1 200)"
it_assert_eq "call $n: debug line: branch 0 was still ringing (its 200 to CANCEL and 487 came later)" 1 \
	"$(dbg_final "$cid" 0 180)"
line=$(event_line "$cid")
if missing=$(rp_has_tokens "$line" rs=200 tag=COMPLETED branch=1); then
	it_pass "call $n: event route: rs=200 tag=COMPLETED branch=1"
else
	it_fail "call $n: event route: rs=200 tag=COMPLETED branch=1" \
		"missing: $missing" "    line: $line"
fi

# Counters (kamcmd sipoutcome.stats, keys as in module/kamailio/doc): two busy, one
# completed, nothing else (the 500s, the 200 to tm's CANCEL and the late
# 487 are not outcomes).
if command -v "${KAMCMD:-kamcmd}" >/dev/null; then
	stats=$(it_kamcmd sipoutcome.stats 2>&1)
	it_assert_eq "counters: busy 2, completed 1, no_answer/canceled/failed 0" \
		"2 1 0 0 0" "$(for c in busy completed no_answer canceled failed; do
			printf '%s ' "$(rp_counter "$stats" "$c")"; done | sed 's/ $//')"
	it_assert_eq "counters: class_4xx 2, class_2xx 1, class_5xx 0 (the 500s are no outcome)" \
		"2 1 0" "$(rp_counter "$stats" class_4xx) $(rp_counter "$stats" class_2xx) $(rp_counter "$stats" class_5xx)"
	it_assert_eq "counters: vendor_rfc 3" 3 "$(rp_counter "$stats" vendor_rfc)"
else
	it_note "kamcmd not found: counters not checked"
fi

it_kamailio_stop
rp_assert_one_line_per_call "all calls" "${callids[@]}"
it_assert_eq "one event route run per call" "${#callids[@]}" \
	"$(it_log_count -F 'rp-event: ci=')"
it_assert_eq "Kamailio logged no ERROR" 0 "$(it_log_count ' ERROR: ')"

# The same forks with reason_mode annotate and an outcome header: the phrase
# and header are added when the 486 is RECEIVED, so they must reach the
# caller also when tm stores the 486 and relays it later (the 500 last).
it_note "second Kamailio: reason_mode annotate, outcome_header X-Outcome"
callids=()
sed -e 's|^loadmodule "'"$IT_MODULE"'"$|&\
modparam("sipoutcome", "reason_mode", "annotate")\
modparam("sipoutcome", "outcome_header", "X-Outcome")|' "$WORK/k.cfg" >"$WORK/k2.cfg"
grep -q '"reason_mode", "annotate"' "$WORK/k2.cfg" || it_die "cannot render k2.cfg"
it_kamailio_start "$WORK/k2.cfg" || it_die "Kamailio with sipoutcome did not start"
reject_fork "annotate: fork 500 + 486, the 486 last" 0 300 \
	"486 Busy Here [BUSY/busy]" "BUSY;category=busy;retry=later"
reject_fork "annotate: fork 500 + 486, the 500 last (stored 486 relayed)" 300 0 \
	"486 Busy Here [BUSY/busy]" "BUSY;category=busy;retry=later"
it_kamailio_stop
rp_assert_one_line_per_call "annotate calls" "${callids[@]}"
it_assert_eq "second Kamailio logged no ERROR" 0 "$(it_log_count ' ERROR: ')"

it_finish
