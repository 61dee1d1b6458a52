#!/usr/bin/env bash
# basic_codes.sh (issue "foundation"): the sipoutcome module inside a real
# Kamailio 5.6 stateful proxy, a sipp carrier behind it and a sipp caller in
# front of it.  For each final code the carrier sends, the caller must get
# exactly the status line tm relays, and the module must log exactly ONE
# outcome line for that Call-ID with the tag, category, retry, blame,
# source, ringing, code, class and reason that data/codes.tsv and the
# README precedence give.
#
#   1. auto=1 (default), reason_mode keep (default), remap_503_500=0:
#      200 302 404 408 480 (before and after ringing) 486 487 (caller
#      CANCEL) 488 500 503 600 603 604 608
#   2. remap_503_500=1 (tm's default): the caller gets tm's 500, the module
#      classifies the next hop's 503 (its Reason and Retry-After too) and
#      logs code=503 ... sent=500; failure_route and the event route agree
#   3. auto=0 and explicit sipoutcome_classify() in onreply_route and
#      failure_route: $outcome(...) as seen by xlog, one module line a call
#   4. kamailio -c accepts examples/kamailio.cfg with this module; no
#      version/flags mismatch and no ERROR at start.
#
# Reply-path cases (timers, forking, reason modes) live in other scripts.
# shellcheck disable=SC2016 # $ci, $outcome(...): Kamailio pseudo-variables
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make check may use sh
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_setup
it_need_module

kport=$(it_free_port) || it_die "no free port"
uport=$(it_free_port) || it_die "no free port"
n=0

# carrier_done NAME : the carrier finished its call cleanly (else stop it,
# so that the next carrier can bind the port).
carrier_done() {
	it_uas_wait "$1"
	it_assert_eq "call $n: carrier finished" 0 $? || it_stop "${IT_PROC[$1]}"
}

# outcome_of CALLID : the module's outcome line(s) for CALLID, from
# "tag=" to the end of the line.
outcome_of() {
	it_outcome_lines "$1"
}

# expect_outcome WHAT CALLID HEAD TAIL : exactly one module line for
# CALLID, and it is "HEAD callid=CALLID TAIL".
expect_outcome() {
	local what=$1 cid=$2 head=$3 tail=$4 lines
	it_wait_log -F "callid=$cid " 1 2 2>/dev/null
	lines=$(outcome_of "$cid")
	it_assert_eq "$what: exactly one outcome line" 1 \
		"$(printf '%s' "$lines" | grep -c '^tag=')"
	it_assert_eq "$what: outcome line" "$head callid=$cid $tail" "$lines"
}

# call CODE PHRASE STATUS HEAD TAIL [carrier -set args...] : one call the
# carrier ends with "CODE PHRASE"; the caller must receive STATUS and the
# module log "HEAD callid=<the call's Call-ID> TAIL".  Sets cid.
call() {
	local code=$1 phrase=$2 status=$3 head=$4 tail=$5
	shift 5
	n=$((n + 1))
	cid="bc-$n-$code-%u@%s"
	it_carrier_start "uas$n" "$uport" "$code" -set reason "$phrase" "$@" ||
		it_die "carrier $n did not start"
	it_uac_call "uac$n" "$kport" -cid_str "$cid"
	it_assert_eq "call $n ($code): caller completed" 0 $?
	it_assert_eq "call $n ($code): caller received '$status'" "$status" \
		"$(it_received_status "uac$n")"
	cid=$(it_received_header "uac$n" Call-ID)
	it_assert_match "call $n ($code): Call-ID from the trace" "^bc-$n-$code-1@" "$cid"
	expect_outcome "call $n ($code)" "$cid" "$head" "$tail"
	carrier_done "uas$n"
}

# ------------------------------------------------------------ examples cfg
it_note "kamailio -c accepts examples/kamailio.cfg with this module"
example=${top_srcdir:-$IT_LIB_DIR/../..}/examples/kamailio.cfg
# No MPATH: the example must find the stock modules of the Kamailio it runs
# in (its compiled-in module path), not a fixed Debian x86_64 directory.
"$KAMAILIO" -c -f "$example" -A "MODULE=\"$IT_MODULE\"" \
	>"$WORK/check-example.log" 2>&1
rc=$?
it_assert_eq "kamailio -c examples/kamailio.cfg exits 0" 0 "$rc"
it_assert_eq "kamailio -c examples/kamailio.cfg: config file ok" 1 \
	"$(grep -c 'config file ok' "$WORK/check-example.log")"
it_assert_eq "kamailio -c examples/kamailio.cfg: no mismatch, no ERROR" 0 \
	"$(grep -c -E 'version mismatch|flags mismatch|ERROR' "$WORK/check-example.log")"

it_note "examples/kamailio.cfg really starts and classifies a call"
# Only the listen line differs (the harness reads the port from it).
sed "s/^listen=LISTEN\$/listen=udp:127.0.0.1:$kport/" "$example" >"$WORK/example.cfg"
it_assert_eq "example.cfg: listen line replaced" 1 \
	"$(grep -c "^listen=udp:127.0.0.1:$kport\$" "$WORK/example.cfg")"
it_kamailio_start "$WORK/example.cfg" -A "MODULE=\"$IT_MODULE\"" \
	-A "CARRIER=\"sip:127.0.0.1:$uport\"" \
	-A "CTL_SOCKET=\"unix:$WORK/kamailio_ctl\"" ||
	it_die "examples/kamailio.cfg did not start"
it_assert_eq "example: no version/flags mismatch, no ERROR at start" 0 \
	"$(it_log_count 'version mismatch|flags mismatch| ERROR: ')"
call 486 "Busy Here" "486 Busy Here" \
	"tag=BUSY code=486 class=4xx category=busy retry=later blame=callee source=remote ringing=1" \
	'reason="Busy Here" vendor=rfc q850= hint=' -set ring 1
it_assert_eq "example: X-Outcome on the caller's final" "BUSY;category=busy;retry=later" \
	"$(it_received_header "uac$n" X-Outcome)"
# What an operator tries next (the example loads ctl and kex for it).
stats=$(it_kamcmd sipoutcome.stats 2>&1)
it_assert_match "example: kamcmd sipoutcome.stats answers" 'busy[^0-9]*1' "$stats"
it_assert_match "example: kamcmd stats.get_statistics (kex) answers" 'sipoutcome:busy = 1' \
	"$(it_kamcmd stats.get_statistics sipoutcome: 2>&1)"
it_kamailio_stop

# ------------------------------------------------------------ load order
# tm's API is bound when Kamailio starts (load_tm_api() in mod_init), which
# needs tm loaded first; `kamailio -c` never gets that far, so the module
# checks the order itself at its loadmodule line.
it_note "kamailio -c refuses sipoutcome loaded before tm"
cat >"$WORK/order.cfg" <<EOF
mpath="$KAMAILIO_MODDIR/"
loadmodule "$IT_MODULE"
loadmodule "tm.so"
request_route { drop; }
EOF
"$KAMAILIO" -c -f "$WORK/order.cfg" >"$WORK/order.log" 2>&1
it_assert_eq "sipoutcome before tm: kamailio -c fails" 1 "$(($? != 0))"
it_assert_eq "sipoutcome before tm: the message says what to do" 1 \
	"$(grep -c 'load tm.so before sipoutcome.so' "$WORK/order.log")"

# ------------------------------------------------------------ 1. auto=1
it_note "Kamailio 1: auto=1, reason_mode keep, remap_503_500=0"
it_kamailio_cfg "$WORK/k1.cfg" PORT="$kport" UAS_PORT="$uport" REMAP_503_500=0 \
	LOADMODULE="loadmodule \"$IT_MODULE\"" || it_die "cannot render k1.cfg"
it_kamailio_start "$WORK/k1.cfg" || it_die "Kamailio with sipoutcome did not start"
it_assert_eq "k1: no ERROR at start" 0 "$(it_log_count ' ERROR: ')"
it_assert_eq "k1: no version/flags mismatch at start" 0 \
	"$(it_log_count 'version mismatch|flags mismatch')"
k1_first=$n

R='source=remote'
call 200 OK "200 OK" \
	"tag=COMPLETED code=200 class=2xx category=answered retry=no blame=callee $R ringing=1" \
	'reason=OK vendor=rfc q850= hint=' -set ring 1
it_assert_eq "call $n (200): BYE answered" "200 OK" "$(it_received_status "uac$n" BYE)"

call 302 "Moved Temporarily" "302 Moved Temporarily" \
	"tag=FAILED code=302 class=3xx category=redirected retry=alternate blame=callee $R ringing=0" \
	'reason="Moved Temporarily" vendor=rfc q850= hint=' \
	-set extra 'Contact: <sip:elsewhere@127.0.0.1:9>'

call 404 "Not Found" "404 Not Found" \
	"tag=FAILED code=404 class=4xx category=invalid_number retry=no blame=caller $R ringing=0" \
	'reason="Not Found" vendor=rfc q850= hint='

# The carrier's own 408 (after its 100, no ringing): not the proxy's timer.
call 408 "Request Timeout" "408 Request Timeout" \
	"tag=FAILED code=408 class=4xx category=timeout retry=alternate blame=network $R ringing=0" \
	'reason="Request Timeout" vendor=rfc q850= hint='

call 480 "Temporarily Unavailable" "480 Temporarily Unavailable" \
	"tag=NO_ANSWER code=480 class=4xx category=unavailable retry=later blame=callee $R ringing=0" \
	'reason="Temporarily Unavailable" vendor=rfc q850= hint='

# 480 after ringing: step 5 of the precedence turns it into no_answer.
call 480 "Temporarily Unavailable" "480 Temporarily Unavailable" \
	"tag=NO_ANSWER code=480 class=4xx category=no_answer retry=later blame=callee $R ringing=1" \
	'reason="Temporarily Unavailable" vendor=rfc q850= hint=' -set ring 1

call 486 "Busy Here" "486 Busy Here" \
	"tag=BUSY code=486 class=4xx category=busy retry=later blame=callee $R ringing=0" \
	'reason="Busy Here" vendor=rfc q850= hint='

it_note "487 after the caller's CANCEL"
n=$((n + 1))
it_carrier_start "uas$n" "$uport" 486 -set ring 1 -set final 0 || it_die "carrier $n"
it_uac_call "uac$n" "$kport" -sf "$IT_SIPP_DIR/uac_cancel.xml" -cid_str "bc-$n-487-%u@%s"
it_assert_eq "call $n (487): caller completed (CANCEL, ACK)" 0 $?
it_assert_eq "call $n (487): caller received '487 Request Terminated'" \
	"487 Request Terminated" "$(it_received_status "uac$n")"
it_assert_match "call $n (487): CANCEL answered 200" '^200 ' "$(it_received_status "uac$n" CANCEL)"
cid=$(it_received_header "uac$n" Call-ID)
expect_outcome "call $n (487)" "$cid" \
	"tag=CANCELED code=487 class=4xx category=canceled retry=no blame=caller $R ringing=1" \
	'reason="Request Terminated" vendor=rfc q850= hint='
carrier_done "uas$n"

call 488 "Not Acceptable Here" "488 Not Acceptable Here" \
	"tag=FAILED code=488 class=4xx category=media retry=no blame=caller $R ringing=0" \
	'reason="Not Acceptable Here" vendor=rfc q850= hint='

call 500 "Server Internal Error" "500 Server Internal Error" \
	"tag=FAILED code=500 class=5xx category=server_error retry=alternate blame=network $R ringing=0" \
	'reason="Server Internal Error" vendor=rfc q850= hint='

call 503 "Service Unavailable" "503 Service Unavailable" \
	"tag=FAILED code=503 class=5xx category=congestion retry=alternate blame=network $R ringing=0" \
	'reason="Service Unavailable" vendor=rfc q850= hint='

call 600 "Busy Everywhere" "600 Busy Everywhere" \
	"tag=BUSY code=600 class=6xx category=busy retry=later blame=callee $R ringing=0" \
	'reason="Busy Everywhere" vendor=rfc q850= hint='

call 603 Decline "603 Decline" \
	"tag=BUSY code=603 class=6xx category=declined retry=no blame=callee $R ringing=1" \
	'reason=Decline vendor=rfc q850= hint=' -set ring 1

call 604 "Does Not Exist Anywhere" "604 Does Not Exist Anywhere" \
	"tag=FAILED code=604 class=6xx category=invalid_number retry=no blame=caller $R ringing=0" \
	'reason="Does Not Exist Anywhere" vendor=rfc q850= hint='

call 608 Rejected "608 Rejected" \
	"tag=FAILED code=608 class=6xx category=blocked retry=no blame=network $R ringing=0" \
	'reason=Rejected vendor=rfc q850= hint='

it_assert_eq "k1: one outcome line per call ($((n - k1_first)) calls)" $((n - k1_first)) \
	"$(it_log_count ' sipoutcome: tag=')"
# printed as xlog prints (README "The log line"): pid, level, the core's
# log_prefix (kamailio-test.cfg.in: "{$mt $ci} "), then the line, no
# module source location
it_assert_eq "k1: every line is 'N(pid) NOTICE: {log_prefix} sipoutcome: tag=...'" \
	$((n - k1_first)) "$(it_log_count '^ *[0-9]+\([0-9]+\) NOTICE: \{[0-9]+ [^}]*\} sipoutcome: tag=')"
it_assert_eq "k1: no ERROR" 0 "$(it_log_count ' ERROR: ')"
it_kamailio_stop

# ------------------------------------------------------------ 2. remap
# tm's remap_503_500 (on by default; t_reply.c relay_reply(), RFC 3261
# 16.7 step 6) answers the caller with tm's own "500 Service Unavailable"
# for a carrier's 503. The outcome is the carrier's 503 with its Reason
# and Retry-After (issue 11 item 6): code=503, category congestion, and
# sent=500 for what the caller got; failure_route and the event route read
# the same outcome as the log line.
it_note "Kamailio 2: tm's default remap_503_500=1"
sh2='code=$outcome(code) category=$outcome(category) q850=$outcome(q850) retry_after=$outcome(retry_after) vendor=$outcome(vendor)'
it_kamailio_cfg "$WORK/k2.cfg" PORT="$kport" UAS_PORT="$uport" \
	LOADMODULE="loadmodule \"$IT_MODULE\"" \
	INVITE_HOOK='if ($rU == "cognigy") { sipoutcome_vendor("cognigy"); } t_on_failure("F2");' \
	EXTRA="failure_route[F2] {
	if (sipoutcome_classify()) {
		xlog(\"L_NOTICE\", \"XLOG-FAILURE ci=\$ci $sh2\\n\");
	}
}
event_route[sipoutcome:final] {
	xlog(\"L_NOTICE\", \"XLOG-FINAL ci=\$ci $sh2 sent=\$outcome(sent)\\n\");
}" || it_die "cannot render k2.cfg"
it_kamailio_start "$WORK/k2.cfg" || it_die "Kamailio 2 did not start"
call 503 "Service Unavailable" "500 Service Unavailable" \
	"tag=FAILED code=503 class=5xx category=congestion retry=alternate blame=network $R ringing=0" \
	'reason="Service Unavailable" vendor=rfc q850=34 hint= sent=500' \
	-set extra 'Reason: Q.850;cause=34;text="No circuit available"'$'\r\n''Retry-After: 30'
it_assert_eq "call $n (503 remapped): failure_route \$outcome" \
	"code=503 category=congestion q850=34 retry_after=30 vendor=rfc" \
	"$(it_log_lines -F "XLOG-FAILURE ci=$cid " | sed -n 's/.*XLOG-FAILURE ci=[^ ]* //p')"
it_assert_eq "call $n (503 remapped): event route \$outcome" \
	"code=503 category=congestion q850=34 retry_after=30 vendor=rfc sent=500" \
	"$(it_log_lines -F "XLOG-FINAL ci=$cid " | sed -n 's/.*XLOG-FINAL ci=[^ ]* //p')"
# cognigy's 503 rule (account inactive or call limit) fires on the 503.
n=$((n + 1))
it_carrier_start "uas$n" "$uport" 503 -set reason "Service Unavailable" || it_die "carrier $n"
it_uac_call "uac$n" "$kport" -s cognigy -cid_str "bc-$n-503c-%u@%s"
it_assert_eq "call $n (cognigy 503): caller got tm's 500" "500 Service Unavailable" \
	"$(it_received_status "uac$n")"
cid=$(it_received_header "uac$n" Call-ID)
it_wait_log -F "callid=$cid " 1 2 2>/dev/null
it_assert_match "call $n (cognigy 503): the profile's 503 rule" \
	'^tag=FAILED code=503 class=5xx category=line_limit retry=later blame=caller .* vendor=cognigy .* sent=500$' \
	"$(outcome_of "$cid")"
carrier_done "uas$n"
it_assert_eq "k2: no ERROR" 0 "$(it_log_count ' ERROR: ')"
it_kamailio_stop

# ------------------------------------------------------------ 3. auto=0
it_note "Kamailio 3: auto=0, sipoutcome_classify() in onreply_route and failure_route"
show='tag=$outcome(tag) code=$outcome(code) reason=[$outcome(reason)] class=$outcome(class) source=$outcome(source) ringing=$outcome(ringing)'
it_kamailio_cfg "$WORK/k3.cfg" PORT="$kport" UAS_PORT="$uport" \
	LOADMODULE="loadmodule \"$IT_MODULE\"
modparam(\"sipoutcome\", \"auto\", 0)" \
	INVITE_HOOK='t_on_reply("R"); t_on_failure("F");' \
	EXTRA="onreply_route[R] {
	if (\$rs >= 200) {
		if (sipoutcome_classify()) {
			xlog(\"L_NOTICE\", \"XLOG-REPLY ci=\$ci $show\\n\");
		} else {
			xlog(\"L_NOTICE\", \"XLOG-REPLY ci=\$ci classify failed\\n\");
		}
	}
}
failure_route[F] {
	if (sipoutcome_classify()) {
		xlog(\"L_NOTICE\", \"XLOG-FAILURE ci=\$ci $show\\n\");
	} else {
		xlog(\"L_NOTICE\", \"XLOG-FAILURE ci=\$ci classify failed\\n\");
	}
}" || it_die "cannot render k3.cfg"
it_kamailio_start "$WORK/k3.cfg" || it_die "Kamailio 3 did not start"

# xlog_of KIND CALLID : the XLOG-KIND line(s) for CALLID, after "ci=CALLID ".
xlog_of() {
	it_log_lines -F "XLOG-$1 ci=$2 " | sed -n "s/.*XLOG-$1 ci=[^ ]* //p"
}

# 486 after ringing: onreply_route and failure_route both classify.
call 486 "Busy Here" "486 Busy Here" \
	"tag=BUSY code=486 class=4xx category=busy retry=later blame=callee $R ringing=1" \
	'reason="Busy Here" vendor=rfc q850= hint=' -set ring 1
it_assert_eq "auto=0 486: onreply_route \$outcome" \
	"tag=BUSY code=486 reason=[Busy Here] class=4xx source=remote ringing=1" "$(xlog_of REPLY "$cid")"
it_assert_eq "auto=0 486: failure_route \$outcome" \
	"tag=BUSY code=486 reason=[Busy Here] class=4xx source=remote ringing=1" "$(xlog_of FAILURE "$cid")"

call 200 OK "200 OK" \
	"tag=COMPLETED code=200 class=2xx category=answered retry=no blame=callee $R ringing=0" \
	'reason=OK vendor=rfc q850= hint='
it_assert_eq "auto=0 200: onreply_route \$outcome" \
	"tag=COMPLETED code=200 reason=[OK] class=2xx source=remote ringing=0" "$(xlog_of REPLY "$cid")"
it_assert_eq "auto=0 200: no failure_route for a 2xx" "" "$(xlog_of FAILURE "$cid")"

call 404 "Not Found" "404 Not Found" \
	"tag=FAILED code=404 class=4xx category=invalid_number retry=no blame=caller $R ringing=0" \
	'reason="Not Found" vendor=rfc q850= hint='
it_assert_eq "auto=0 404: onreply_route \$outcome" \
	"tag=FAILED code=404 reason=[Not Found] class=4xx source=remote ringing=0" "$(xlog_of REPLY "$cid")"
it_assert_eq "auto=0 404: failure_route \$outcome" \
	"tag=FAILED code=404 reason=[Not Found] class=4xx source=remote ringing=0" "$(xlog_of FAILURE "$cid")"

it_assert_eq "k3: one outcome line per call (3 calls)" 3 "$(it_log_count ' sipoutcome: tag=')"
it_assert_eq "k3: no ERROR" 0 "$(it_log_count ' ERROR: ')"

it_finish
