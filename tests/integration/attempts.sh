#!/usr/bin/env bash
# shellcheck disable=SC2016 # $outcome(...), $avp(...): Kamailio script text
# attempts.sh (issue 13, item 1, 2 and 8): with modparam attempts=1 every
# branch that ends is an attempt, classified with the profile in force for
# that branch and logged as a "sipoutcome-attempt:" line; the call line
# stays one per call and gains attempts=N, pdd_ms and setup_ms.
#
#   1. serial failover in a failure_route (the way operators fail over,
#      sipoutcome_vendor() before t_relay() choosing the next carrier's
#      profile): gw1 503 -> gw2 486: two attempt lines (rfc, okitoki),
#      the call line is gw2's 486 under okitoki with attempts=2
#   2. gw1 silent (a dead carrier: tm's fr_timer fires, tm's own 408,
#      source=local) -> gw2 180 then 200: the 408 attempt, the 200
#      attempt, pdd_ms on the call line and in $outcome(pdd_ms)
#   3. one carrier, no failover: one attempt, attempts=1
#   4. a parallel fork whose branch_route gives branch 1 its own profile
#   5. log_format=json: the same call and attempt lines as JSON objects
# event_route[sipoutcome:attempt] runs once per attempt with $outcome(...)
# set to it.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make check may use sh
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source=data/rp_helpers.sh
. "$IT_LIB_DIR/data/rp_helpers.sh"
it_setup
it_need_module

kport=$(it_free_port) || it_die "no free port"
gw1=$(it_free_port) || it_die "no free port"
gw2=$(it_free_port) || it_die "no free port"
n=0

# The failure_route fails over once, to gw2, with gw2's profile.
EXTRA='failure_route[FO] {
	if (t_is_canceled() || $avp(fo) == 1) {
		exit;
	}
	$avp(fo) = 1;
	sipoutcome_vendor("okitoki");
	$du = "sip:127.0.0.1:'$gw2'";
	if (!t_relay()) {
		t_reply("500", "No failover");
	}
}
branch_route[BR] {
	if ($du == "sip:127.0.0.1:'$gw2'") {
		sipoutcome_vendor("okitoki");
	}
}
event_route[sipoutcome:attempt] {
	xlog("L_NOTICE", "ATT ci=$outcome(callid) attempt=$outcome(attempt) branch=$outcome(branch) code=$outcome(code) tag=$outcome(tag) vendor=$outcome(vendor) source=$outcome(source) dst=$outcome(dst)\n");
}
event_route[sipoutcome:final] {
	xlog("L_NOTICE", "FIN ci=$outcome(callid) attempts=$outcome(attempts) pdd=[$outcome(pdd_ms)] setup=[$outcome(setup_ms)]\n");
}'
HOOK='if ($rU == "fork") {
		$du = "sip:127.0.0.1:'$gw2'";
		append_branch("sip:fork@127.0.0.1:'$gw2'");
		$du = "sip:127.0.0.1:'$gw1'";
		t_on_branch("BR");
	} else if ($rU != "single") {
		t_on_failure("FO");
	}'

# value KEY LINE : the value of KEY= in a logfmt LINE
value() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

it_kamailio_cfg "$WORK/k.cfg" PORT="$kport" UAS_PORT="$gw1" REMAP_503_500=0 \
	FR_TIMER=1500 LOADMODULE="loadmodule \"corex.so\"
loadmodule \"$IT_MODULE\"
modparam(\"sipoutcome\", \"attempts\", 1)" \
	INVITE_HOOK="$HOOK" EXTRA="$EXTRA" || it_die "cannot render k.cfg"
it_kamailio_start "$WORK/k.cfg" || it_die "Kamailio did not start"
it_assert_eq "no ERROR at start" 0 "$(it_log_count ' ERROR: ')"

# ---------------------------------------------------------------- 1.
n=$((n + 1))
it_note "call $n: gw1 503 -> gw2 486 (RFC 3261 16.7: the 503 is not relayed; failover)"
it_carrier_start "gw1_$n" "$gw1" 503 -set reason "Service Unavailable" || it_die "gw1"
it_carrier_start "gw2_$n" "$gw2" 486 -set reason "Busy Here" \
	-set extra 'Reason: Q.850;cause=17;text="User busy"' || it_die "gw2"
it_uac_call "uac$n" "$kport" -s fo -cid_str "at-$n-%u@%s"
it_assert_eq "call $n: caller completed" 0 $?
it_assert_eq "call $n: caller got gw2's 486" "486 Busy Here" "$(it_received_status "uac$n")"
cid=$(rp_callid "uac$n")
it_wait_log -F "FIN ci=$cid " 1 3 2>/dev/null
att=$(rp_attempt_lines "$cid")
it_assert_eq "call $n: two attempt lines" 2 "$(printf '%s\n' "$att" | grep -c '^tag=')"
a0=$(printf '%s\n' "$att" | grep ' branch=0 ')
a1=$(printf '%s\n' "$att" | grep ' branch=1 ')
# the 503 is FAILED/congestion under the RFC profile (RFC 3261 21.5.4)
rp_assert_tokens "call $n: attempt 0 is gw1's 503 under rfc" "$a0" tag=FAILED code=503 class=5xx \
	source=remote vendor=rfc q850= "dst=sip:127.0.0.1:$gw1" "callid=$cid"
rp_assert_tokens "call $n: attempt 1 is gw2's 486 under okitoki" "$a1" code=486 class=4xx \
	source=remote vendor=okitoki q850=17 "dst=sip:127.0.0.1:$gw2" "callid=$cid"
for k in tag code class category retry blame vendor q850 dst branch callid pdd_ms setup_ms; do
	case " $a0 " in *" $k="*) it_pass "call $n: attempt line has $k=" ;;
	*) it_fail "call $n: attempt line has $k=" "    line: $a0" ;; esac
done
it_assert_eq "call $n: attempt 0 first in the log" "branch=0 branch=1" \
	"$(printf '%s\n' "$att" | grep -o ' branch=[0-9]' | tr -d ' ' | tr '\n' ' ' | sed 's/ $//')"
line=$(rp_call_line "$cid")
it_assert_eq "call $n: one call line" 1 "$(printf '%s\n' "$line" | grep -c '^tag=')"
rp_assert_tokens "call $n: call line is the 486 under okitoki, attempts=2" "$line" code=486 \
	vendor=okitoki q850=17 attempts=2
case " $line " in *" branch="* | *" dst="*) it_fail "call $n: call line has no branch/dst" "$line" ;;
*) it_pass "call $n: call line has no branch/dst" ;; esac
tag1=$(value tag "$a1")
it_assert_eq "call $n: the call's tag is attempt 1's" "$tag1" "$(value tag "$line")"
it_assert_log "call $n: event_route[sipoutcome:attempt] ran twice" -F "ATT ci=$cid attempt=1 " 2
it_assert_log "call $n: ... for branch 0 (503, rfc, gw1)" -F \
	"ATT ci=$cid attempt=1 branch=0 code=503 tag=FAILED vendor=rfc source=remote dst=sip:127.0.0.1:$gw1" 1
it_assert_log "call $n: ... for branch 1 (486, okitoki, gw2)" -F \
	"ATT ci=$cid attempt=1 branch=1 code=486 tag=$tag1 vendor=okitoki source=remote dst=sip:127.0.0.1:$gw2" 1
it_assert_log "call $n: event_route[sipoutcome:final]: attempts=2" -F "FIN ci=$cid attempts=2 " 1
it_uas_wait "gw1_$n" 5 || it_stop "${IT_PROC[gw1_$n]}"
it_uas_wait "gw2_$n" 5 || it_stop "${IT_PROC[gw2_$n]}"

# ---------------------------------------------------------------- 2.
n=$((n + 1))
it_note "call $n: gw1 silent (fr_timer 1.5 s) -> gw2 180, 200"
it_uas_start "gw1_$n" "$gw1" -sf "$(it_uas_scenario 486)" -set trying 0 -set final 0 ||
	it_die "gw1"
it_carrier_start "gw2_$n" "$gw2" 200 -set reason OK -set ring 1 -set delay 300 || it_die "gw2"
it_uac_call "uac$n" "$kport" -s fo -cid_str "at-$n-%u@%s"
it_assert_eq "call $n: caller completed" 0 $?
it_assert_eq "call $n: caller got gw2's 200" "200 OK" "$(it_received_status "uac$n")"
cid=$(rp_callid "uac$n")
it_wait_log -F "FIN ci=$cid " 1 3 2>/dev/null
att=$(rp_attempt_lines "$cid")
a0=$(printf '%s\n' "$att" | grep ' branch=0 ')
a1=$(printf '%s\n' "$att" | grep ' branch=1 ')
it_assert_eq "call $n: two attempt lines" 2 "$(printf '%s\n' "$att" | grep -c '^tag=')"
# tm's timer ends a silent branch with its own 408 (timer.c fake_reply)
rp_assert_tokens "call $n: attempt 0 is tm's 408, source=local" "$a0" tag=FAILED code=408 \
	category=no_response source=local vendor=rfc "dst=sip:127.0.0.1:$gw1"
rp_assert_tokens "call $n: attempt 1 is gw2's 200 under okitoki" "$a1" tag=COMPLETED code=200 \
	source=remote vendor=okitoki "dst=sip:127.0.0.1:$gw2"
line=$(rp_call_line "$cid")
rp_assert_tokens "call $n: call line: 200, attempts=2" "$line" tag=COMPLETED code=200 attempts=2 ringing=1
pdd=$(value pdd_ms "$line")
setup=$(value setup_ms "$line")
it_assert_match "call $n: pdd_ms is a number" '^[0-9]+$' "$pdd"
it_assert_match "call $n: setup_ms is a number" '^[0-9]+$' "$setup"
# the 180 comes after the 1.5 s timeout; the 200 300 ms after that
if [ "${pdd:-0}" -ge 1400 ] && [ "${setup:-0}" -ge "${pdd:-0}" ] && [ "${setup:-0}" -lt 10000 ]; then
	it_pass "call $n: 1400 <= pdd_ms ($pdd) <= setup_ms ($setup) < 10000"
else
	it_fail "call $n: 1400 <= pdd_ms <= setup_ms < 10000" "pdd_ms=$pdd setup_ms=$setup"
fi
it_assert_log "call $n: \$outcome(pdd_ms) in the final event route" -F \
	"FIN ci=$cid attempts=2 pdd=[$pdd] setup=[" 1
apdd=$(value pdd_ms "$a0")
it_assert_eq "call $n: the 408 attempt ended before any 18x: pdd_ms=" "" "$apdd"
it_uas_wait "gw2_$n" 10 || it_stop "${IT_PROC[gw2_$n]}"
it_stop "${IT_PROC[gw1_$n]}"

# ---------------------------------------------------------------- 3.
n=$((n + 1))
it_note "call $n: one carrier (486), no failover"
it_carrier_start "gw1_$n" "$gw1" 486 -set reason "Busy Here" || it_die "gw1"
it_uac_call "uac$n" "$kport" -s single -cid_str "at-$n-%u@%s"
it_assert_eq "call $n: caller got 486" "486 Busy Here" "$(it_received_status "uac$n")"
cid=$(rp_callid "uac$n")
it_wait_log -F "FIN ci=$cid " 1 3 2>/dev/null
att=$(rp_attempt_lines "$cid")
it_assert_eq "call $n: one attempt line" 1 "$(printf '%s\n' "$att" | grep -c '^tag=')"
rp_assert_tokens "call $n: attempt 0 (rfc)" "$att" tag=BUSY code=486 branch=0 vendor=rfc pdd_ms=
rp_assert_tokens "call $n: call line attempts=1" "$(rp_call_line "$cid")" tag=BUSY code=486 attempts=1 pdd_ms=
it_uas_wait "gw1_$n" 5 || it_stop "${IT_PROC[gw1_$n]}"

# ---------------------------------------------------------------- 4.
n=$((n + 1))
it_note "call $n: parallel fork, branch_route gives branch 1 the okitoki profile"
it_carrier_start "gw1_$n" "$gw1" 486 -set reason "Busy Here" -set delay 200 || it_die "gw1"
it_carrier_start "gw2_$n" "$gw2" 500 -set reason "Server Internal Error" || it_die "gw2"
it_uac_call "uac$n" "$kport" -s fork -cid_str "at-$n-%u@%s"
# RFC 3261 16.7: the proxy picks the 4xx over the 5xx
it_assert_eq "call $n: caller got branch 0's 486" "486 Busy Here" "$(it_received_status "uac$n")"
cid=$(rp_callid "uac$n")
it_wait_log -F "FIN ci=$cid " 1 3 2>/dev/null
att=$(rp_attempt_lines "$cid")
rp_assert_tokens "call $n: branch 0 under rfc (no branch_route profile)" \
	"$(printf '%s\n' "$att" | grep ' branch=0 ')" code=486 vendor=rfc "dst=sip:127.0.0.1:$gw1"
rp_assert_tokens "call $n: branch 1 under okitoki (its branch_route)" \
	"$(printf '%s\n' "$att" | grep ' branch=1 ')" code=500 vendor=okitoki "dst=sip:127.0.0.1:$gw2"
rp_assert_tokens "call $n: the call follows branch 0 (rfc), attempts=2" "$(rp_call_line "$cid")" \
	tag=BUSY code=486 vendor=rfc attempts=2
it_uas_wait "gw1_$n" 5 || it_stop "${IT_PROC[gw1_$n]}"
it_uas_wait "gw2_$n" 5 || it_stop "${IT_PROC[gw2_$n]}"

it_assert_eq "one call line per call (4 calls)" 4 "$(it_log_count -F ' sipoutcome: tag=')"
it_assert_eq "no ERROR" 0 "$(it_log_count ' ERROR: ')"
it_kamailio_stop

# ---------------------------------------------------------------- 5.
it_note "log_format json: call 1 again"
it_kamailio_cfg "$WORK/kj.cfg" PORT="$kport" UAS_PORT="$gw1" REMAP_503_500=0 \
	LOADMODULE="loadmodule \"corex.so\"
loadmodule \"$IT_MODULE\"
modparam(\"sipoutcome\", \"attempts\", 1)
modparam(\"sipoutcome\", \"log_format\", \"json\")" \
	INVITE_HOOK="$HOOK" EXTRA="$EXTRA" || it_die "cannot render kj.cfg"
it_kamailio_start "$WORK/kj.cfg" || it_die "Kamailio (json) did not start"
n=$((n + 1))
it_carrier_start "gw1_$n" "$gw1" 503 -set reason "Service Unavailable" || it_die "gw1"
it_carrier_start "gw2_$n" "$gw2" 486 -set reason 'Busy "Here"' || it_die "gw2"
it_uac_call "uac$n" "$kport" -s fo -cid_str "at-$n-%u@%s"
cid=$(rp_callid "uac$n")
it_wait_log -F "FIN ci=$cid " 1 3 2>/dev/null
json=$("$PYTHON" - "$WORK/kamailio.log" "$cid" <<'PY'
import json, sys
log, cid = sys.argv[1], sys.argv[2]
out = []
for raw in open(log, encoding="utf-8", errors="replace"):
    for prefix in ("sipoutcome-attempt: ", "sipoutcome: "):
        i = raw.find(prefix)
        if i >= 0 and raw[i + len(prefix):].startswith("{"):
            o = json.loads(raw[i + len(prefix):])
            if o["callid"] == cid:
                keys = list(o)
                out.append("%s %s code=%r reason=%r vendor=%s q850=%r n=%s first=%s last=%s" % (
                    prefix.strip(), o.get("branch", "-"), o["code"], o["reason"],
                    o["vendor"], o["q850"], o.get("attempts", "-"), keys[0], keys[-1]))
            break
print("\n".join(out))
PY
)
it_assert_eq "json: two attempt objects and one call object, parsed" \
	"sipoutcome-attempt: 0 code=503 reason='Service Unavailable' vendor=rfc q850=None n=- first=tag last=setup_ms
sipoutcome-attempt: 1 code=486 reason='Busy \"Here\"' vendor=okitoki q850=None n=- first=tag last=setup_ms
sipoutcome: - code=486 reason='Busy \"Here\"' vendor=okitoki q850=None n=2 first=tag last=setup_ms" "$json"
it_uas_wait "gw1_$n" 5 || it_stop "${IT_PROC[gw1_$n]}"
it_uas_wait "gw2_$n" 5 || it_stop "${IT_PROC[gw2_$n]}"
it_assert_eq "json: no ERROR" 0 "$(it_log_count ' ERROR: ')"

it_finish
