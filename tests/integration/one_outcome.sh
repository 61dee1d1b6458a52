#!/usr/bin/env bash
# One call, one outcome (issue 11 item 9): the log line, $outcome(...), the
# counters and the outcome header agree, and a call is logged and counted
# once.
#   1. auto=1 (default) and sipoutcome_classify() in the main onreply_route:
#      $outcome(...) is there for the script, but the call is still logged
#      and counted once (when its final is sent), not once more per
#      script call.
#   2. the proxy's own fr_inv_timer 408 after nothing but 100 Trying: the
#      outcome header and the log line give the same category (timeout:
#      the next hop answered 100 and then went quiet; RFC 3261 17.1.1.2).
#   3. a Reason header longer than the 4096 bytes the module reads: the
#      header on the relayed reply and the log line read it the same way.
#   4. tm's remap_503_500 with 4 workers: the 503 noted by one process is
#      the one its own reply path classifies (code=503 sent=500).
# Both Kamailio instances run 4 worker processes (children=4).
# shellcheck disable=SC2016 # $ci, $outcome(...): Kamailio pseudo-variables
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make check may use sh
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_setup
it_need_module

KAMCMD=${KAMCMD:-$(command -v kamcmd || true)}
kport=$(it_free_port) || it_die "no free port"
uport=$(it_free_port) || it_die "no free port"
n=0

# outcome_of CALLID : the module's line for CALLID, from "tag=" on.
outcome_of() {
	it_wait_log -F "callid=$1 " 1 2 2>/dev/null
	it_log_lines -F "callid=$1 " | sed -n 's/.* sipoutcome: \(tag=.*\)$/\1/p'
}
# key LINE NAME : the value of NAME= in a logfmt line (unquoted values).
key() {
	printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}
# callid_of NAME : the Call-ID the caller NAME used.
callid_of() {
	sed -n 's/^Call-ID: *//Ip' "$WORK/$1.msg" | head -n 1 | tr -d '\r'
}

# ------------------------------------------------------------ 1.
it_note "Kamailio 1: auto=1, sipoutcome_classify() in the main onreply_route"
it_kamailio_cfg "$WORK/k1.cfg" PORT="$kport" UAS_PORT="$uport" \
	LOADMODULE="loadmodule \"$IT_MODULE\"" \
	EXTRA="onreply_route {
	if (\$rs >= 200) {
		if (sipoutcome_classify()) {
			xlog(\"L_NOTICE\", \"XLOG-MAIN ci=\$ci tag=\$outcome(tag) code=\$outcome(code)\\n\");
		}
	}
}" || it_die "cannot render k1.cfg"
sed -i 's/^children=1$/children=4/' "$WORK/k1.cfg"
it_kamailio_start "$WORK/k1.cfg" || it_die "Kamailio 1 did not start"

it_call "486 with the script classifying in onreply_route" 486 -set ring 1 \
	-set reason "Busy Here" -set extra 'Reason: Q.850;cause=17;text="User busy"'
it_assert_eq "call $n completed" 0 $?
cid=$(callid_of "uac$n")
it_assert_eq "call $n: the script saw the outcome" "tag=BUSY code=486" \
	"$(it_log_lines -F "XLOG-MAIN ci=$cid " | sed -n 's/.*XLOG-MAIN ci=[^ ]* //p')"
it_assert_log "call $n: logged once" -F "callid=$cid " 1
it_call "404 with the script classifying in onreply_route" 404 -set reason "Not Found"
cid2=$(callid_of "uac$n")
it_assert_log "call $n: logged once" -F "callid=$cid2 " 1
if [ -n "$KAMCMD" ]; then
	st=$(it_kamcmd sipoutcome.stats 2>&1)
	it_assert_eq "counters: one BUSY" 1 "$(printf '%s\n' "$st" | awk '$1 == "busy:" { print $2 }')"
	it_assert_eq "counters: one FAILED" 1 "$(printf '%s\n' "$st" | awk '$1 == "failed:" { print $2 }')"
else
	it_note "kamcmd not found: counters not checked"
fi
it_kamailio_stop

# ------------------------------------------------------------ 2. and 3.
it_note "Kamailio 2: outcome_header X-Outcome, tm defaults"
it_kamailio_cfg "$WORK/k2.cfg" PORT="$kport" UAS_PORT="$uport" \
	LOADMODULE="loadmodule \"$IT_MODULE\"
modparam(\"sipoutcome\", \"outcome_header\", \"X-Outcome\")" \
	FR_INV_TIMER=1500 || it_die "cannot render k2.cfg"
sed -i 's/^children=1$/children=4/' "$WORK/k2.cfg"
it_kamailio_start "$WORK/k2.cfg" || it_die "Kamailio 2 did not start"

it_call "fr_inv_timer after only 100 Trying" 486 -set trying 1 -set ring 0 -set final 0
cid=$(callid_of "uac$n")
it_assert_eq "call $n: caller got tm's 408" "408" "$(it_received_status "uac$n" | cut -d' ' -f1)"
line=$(outcome_of "$cid")
it_assert_eq "call $n: log category" timeout "$(key "$line" category)"
it_assert_eq "call $n: header agrees with the log" \
	"$(key "$line" tag);category=$(key "$line" category);retry=$(key "$line" retry)" \
	"$(it_received_header "uac$n" X-Outcome)"
it_uas_wait "uas$n" 5 >/dev/null 2>&1 || it_stop "${IT_PROC[uas$n]}"

# 480 + cause 17 is BUSY only if the cause is read; a 5,000-byte text=
# comes after the cause (the order Asterisk and FreeSWITCH write).
long=$(head -c 5000 /dev/zero | tr '\0' x)
it_call "480 with a 5 KB Reason header" 480 -set reason "Temporarily Unavailable" \
	-set extra "Reason: Q.850;cause=17;text=\"$long\""
cid=$(callid_of "uac$n")
line=$(outcome_of "$cid")
it_assert_eq "call $n: log q850" 17 "$(key "$line" q850)"
it_assert_eq "call $n: log tag" BUSY "$(key "$line" tag)"
it_assert_eq "call $n: header agrees with the log" \
	"$(key "$line" tag);category=$(key "$line" category);retry=$(key "$line" retry)" \
	"$(it_received_header "uac$n" X-Outcome)"

# 4. three carriers' 503s in a row, each with its own Retry-After.
for ra in 10 20 30; do
	it_call "503 Retry-After $ra (remap_503_500)" 503 -set reason "Service Unavailable" \
		-set extra "Retry-After: $ra"
	cid=$(callid_of "uac$n")
	line=$(outcome_of "$cid")
	it_assert_eq "call $n: caller got tm's 500" "500" "$(it_received_status "uac$n" | cut -d' ' -f1)"
	it_assert_eq "call $n: the 503 classified, 500 sent" "503 500 congestion" \
		"$(key "$line" code) $(key "$line" sent) $(key "$line" category)"
done
it_kamailio_stop
it_assert_eq "no ERROR" 0 "$(it_log_count ' ERROR: ')"
it_finish
