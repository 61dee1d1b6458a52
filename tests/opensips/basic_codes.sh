#!/usr/bin/env bash
# basic_codes.sh (issue 15): the sipoutcome OpenSIPS module inside a real
# OpenSIPS 3.6.8 stateful proxy, a sipp carrier behind it and a sipp
# caller in front. For each final code the carrier sends the caller gets
# the status line tm relays and the module logs exactly ONE outcome line,
# the same line the Kamailio adapter logs for it (the expectations are
# those of tests/integration/basic_codes.sh, from data/codes.tsv and the
# README precedence).
#   1. auto=1 (default), reason_mode keep: 200 302 404 408 480 (before
#      and after ringing) 486 487 (caller CANCEL) 488 500 503 600 603 604
#      608
#   2. auto=0, sipoutcome_classify() in onreply_route and failure_route:
#      $outcome(...) and sipoutcome_is() as the script sees them
#   3. opensips -C accepts examples/opensips.cfg, which then classifies
# shellcheck disable=SC2016 # $ci, $outcome(...): OpenSIPS variables
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
# shellcheck source=os_lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/os_lib.sh"
os_setup

uport=$(it_free_port) || it_die "no free port"
n=0
R='source=remote'

# ------------------------------------------------------------ 1. auto=1
it_note "OpenSIPS 1: auto=1, reason_mode keep"
os_cfg "$WORK/o1.cfg" UAS_PORT="$uport" || it_die "cannot render o1.cfg"
os_start "$WORK/o1.cfg" || it_die "OpenSIPS with sipoutcome did not start"
it_assert_eq "o1: no ERROR/CRITICAL at start" 0 "$(it_log_count 'ERROR:|CRITICAL:')"
first=$n

os_call "200" 200 "200 OK" \
	"tag=COMPLETED code=200 class=2xx category=answered retry=no blame=callee $R ringing=1" \
	'reason=OK vendor=rfc q850= hint=' -set reason OK -set ring 1
it_assert_eq "call $n (200): BYE answered" "200 OK" "$(it_received_status "uac$n" BYE)"
os_call "302" 302 "302 Moved Temporarily" \
	"tag=FAILED code=302 class=3xx category=redirected retry=alternate blame=callee $R ringing=0" \
	'reason="Moved Temporarily" vendor=rfc q850= hint=' -set reason "Moved Temporarily" \
	-set extra 'Contact: <sip:elsewhere@127.0.0.1:9>'
os_call "404" 404 "404 Not Found" \
	"tag=FAILED code=404 class=4xx category=invalid_number retry=no blame=caller $R ringing=0" \
	'reason="Not Found" vendor=rfc q850= hint=' -set reason "Not Found"
# The carrier's own 408 (after its 100): not the proxy's timer.
os_call "carrier 408" 408 "408 Request Timeout" \
	"tag=FAILED code=408 class=4xx category=timeout retry=alternate blame=network $R ringing=0" \
	'reason="Request Timeout" vendor=rfc q850= hint=' -set reason "Request Timeout"
os_call "480" 480 "480 Temporarily Unavailable" \
	"tag=NO_ANSWER code=480 class=4xx category=unavailable retry=later blame=callee $R ringing=0" \
	'reason="Temporarily Unavailable" vendor=rfc q850= hint=' -set reason "Temporarily Unavailable"
os_call "480 after ringing" 480 "480 Temporarily Unavailable" \
	"tag=NO_ANSWER code=480 class=4xx category=no_answer retry=later blame=callee $R ringing=1" \
	'reason="Temporarily Unavailable" vendor=rfc q850= hint=' -set reason "Temporarily Unavailable" \
	-set ring 1
os_call "486" 486 "486 Busy Here" \
	"tag=BUSY code=486 class=4xx category=busy retry=later blame=callee $R ringing=0" \
	'reason="Busy Here" vendor=rfc q850= hint=' -set reason "Busy Here"
os_call "487 after CANCEL" 486 "487 Request Terminated" \
	"tag=CANCELED code=487 class=4xx category=canceled retry=no blame=caller $R ringing=1" \
	'reason="Request Terminated" vendor=rfc q850= hint=' -set ring 1 -set final 0 \
	-- -sf "$IT_SIPP_DIR/uac_cancel.xml"
it_assert_match "call $n: CANCEL answered 200" '^200 ' "$(it_received_status "uac$n" CANCEL)"
os_call "488" 488 "488 Not Acceptable Here" \
	"tag=FAILED code=488 class=4xx category=media retry=no blame=caller $R ringing=0" \
	'reason="Not Acceptable Here" vendor=rfc q850= hint=' -set reason "Not Acceptable Here"
os_call "500" 500 "500 Server Internal Error" \
	"tag=FAILED code=500 class=5xx category=server_error retry=alternate blame=network $R ringing=0" \
	'reason="Server Internal Error" vendor=rfc q850= hint=' -set reason "Server Internal Error"
# OpenSIPS sends a relayed 503 as 500 with the carrier's phrase (core
# parameter disable_503_translation, default no; RFC 3261 16.7): the
# module classifies the next hop's 503 and names the code the caller got
# in sent=, as the Kamailio adapter does with remap_503_500=1 (issue 11).
os_call "503 sent as 500" 503 "500 Service Unavailable" \
	"tag=FAILED code=503 class=5xx category=congestion retry=alternate blame=network $R ringing=0" \
	'reason="Service Unavailable" vendor=rfc q850= hint= sent=500' -set reason "Service Unavailable"
os_call "600" 600 "600 Busy Everywhere" \
	"tag=BUSY code=600 class=6xx category=busy retry=later blame=callee $R ringing=0" \
	'reason="Busy Everywhere" vendor=rfc q850= hint=' -set reason "Busy Everywhere"
os_call "603 after ringing" 603 "603 Decline" \
	"tag=BUSY code=603 class=6xx category=declined retry=no blame=callee $R ringing=1" \
	'reason=Decline vendor=rfc q850= hint=' -set reason Decline -set ring 1
os_call "604" 604 "604 Does Not Exist Anywhere" \
	"tag=FAILED code=604 class=6xx category=invalid_number retry=no blame=caller $R ringing=0" \
	'reason="Does Not Exist Anywhere" vendor=rfc q850= hint=' -set reason "Does Not Exist Anywhere"
os_call "608" 608 "608 Rejected" \
	"tag=FAILED code=608 class=6xx category=blocked retry=no blame=network $R ringing=0" \
	'reason=Rejected vendor=rfc q850= hint=' -set reason Rejected

it_assert_eq "o1: one outcome line per call ($((n - first)) calls)" $((n - first)) \
	"$(it_log_count 'sipoutcome: tag=')"
it_assert_eq "o1: no ERROR/CRITICAL" 0 "$(it_log_count 'ERROR:|CRITICAL:')"
os_stop

# ------------------------------------------------------------ 2. auto=0
it_note "OpenSIPS 2: auto=0, sipoutcome_classify() in onreply_route and failure_route"
show='tag=$outcome(tag) code=$outcome(code) reason=[$outcome(reason)] class=$outcome(class) source=$outcome(source) ringing=$outcome(ringing)'
os_cfg "$WORK/o2.cfg" UAS_PORT="$uport" \
	LOADMODULE="loadmodule \"$OS_MODULE\"
modparam(\"sipoutcome\", \"auto\", 0)
disable_503_translation=yes" \
	INVITE_HOOK='t_on_reply("R"); t_on_failure("F");' \
	EXTRA="onreply_route[R] {
	if (\$rs >= 200) {
		if (sipoutcome_classify()) {
			if (sipoutcome_is(\"busy|no_answer\"))
				xlog(\"L_NOTICE\", \"XLOG-REPLY ci=\$ci $show is=busy-or-no-answer\\n\");
			else
				xlog(\"L_NOTICE\", \"XLOG-REPLY ci=\$ci $show is=other\\n\");
		} else {
			xlog(\"L_NOTICE\", \"XLOG-REPLY ci=\$ci classify failed\\n\");
		}
	}
}
failure_route[F] {
	if (sipoutcome_classify())
		xlog(\"L_NOTICE\", \"XLOG-FAILURE ci=\$ci $show\\n\");
	else
		xlog(\"L_NOTICE\", \"XLOG-FAILURE ci=\$ci classify failed\\n\");
}" || it_die "cannot render o2.cfg"
os_start "$WORK/o2.cfg" || it_die "OpenSIPS 2 did not start"

xlog_of() {
	it_log_lines -F "XLOG-$1 ci=$2 " | sed -n "s/.*XLOG-$1 ci=[^ ]* //p"
}

os_call "auto=0 486 after ringing" 486 "486 Busy Here" \
	"tag=BUSY code=486 class=4xx category=busy retry=later blame=callee $R ringing=1" \
	'reason="Busy Here" vendor=rfc q850= hint=' -set reason "Busy Here" -set ring 1
it_assert_eq "auto=0 486: onreply_route \$outcome and sipoutcome_is" \
	"tag=BUSY code=486 reason=[Busy Here] class=4xx source=remote ringing=1 is=busy-or-no-answer" \
	"$(xlog_of REPLY "$cid")"
it_assert_eq "auto=0 486: failure_route \$outcome" \
	"tag=BUSY code=486 reason=[Busy Here] class=4xx source=remote ringing=1" "$(xlog_of FAILURE "$cid")"
os_call "auto=0 200" 200 "200 OK" \
	"tag=COMPLETED code=200 class=2xx category=answered retry=no blame=callee $R ringing=0" \
	'reason=OK vendor=rfc q850= hint=' -set reason OK
it_assert_eq "auto=0 200: onreply_route \$outcome" \
	"tag=COMPLETED code=200 reason=[OK] class=2xx source=remote ringing=0 is=other" "$(xlog_of REPLY "$cid")"
it_assert_eq "auto=0 200: no failure_route for a 2xx" "" "$(xlog_of FAILURE "$cid")"
os_call "auto=0 404" 404 "404 Not Found" \
	"tag=FAILED code=404 class=4xx category=invalid_number retry=no blame=caller $R ringing=0" \
	'reason="Not Found" vendor=rfc q850= hint=' -set reason "Not Found"
it_assert_eq "auto=0 404: failure_route \$outcome" \
	"tag=FAILED code=404 reason=[Not Found] class=4xx source=remote ringing=0" "$(xlog_of FAILURE "$cid")"
os_call "auto=0 503 relayed as received" 503 "503 Service Unavailable" \
	"tag=FAILED code=503 class=5xx category=congestion retry=alternate blame=network $R ringing=0" \
	'reason="Service Unavailable" vendor=rfc q850= hint=' -set reason "Service Unavailable"
it_assert_eq "o2: one outcome line per call (4 calls)" 4 "$(it_log_count 'sipoutcome: tag=')"
it_assert_eq "o2: no ERROR/CRITICAL" 0 "$(it_log_count 'ERROR:|CRITICAL:')"
os_stop

# ------------------------------------------------------------ track=tm
it_note "OpenSIPS 2b: track=tm, methods INVITE (TMCB_REQUEST_IN)"
os_cfg "$WORK/o2b.cfg" UAS_PORT="$uport" LOADMODULE="loadmodule \"$OS_MODULE\"
modparam(\"sipoutcome\", \"track\", \"tm\")
modparam(\"sipoutcome\", \"methods\", \"INVITE\")" || it_die "cannot render o2b.cfg"
os_start "$WORK/o2b.cfg" || it_die "OpenSIPS 2b did not start"
os_call "track=tm 486 after ringing" 486 "486 Busy Here" \
	"tag=BUSY code=486 class=4xx category=busy retry=later blame=callee $R ringing=1" \
	'reason="Busy Here" vendor=rfc q850= hint=' -set reason "Busy Here" -set ring 1
it_assert_eq "o2b: no ERROR/CRITICAL" 0 "$(it_log_count 'ERROR:|CRITICAL:')"
os_stop

# ------------------------------------------------------------ 3. example
it_note "opensips -C accepts examples/opensips.cfg; it starts and classifies"
example=$OS_LIB_DIR/../../examples/opensips.cfg
sport=$(it_free_port) || it_die "no free port"
mport=$(it_free_port) || it_die "no free port"
sed -e "s|^socket=udp:127.0.0.1:5060\$|socket=udp:127.0.0.1:$sport|" \
	-e "s|^mpath=.*|mpath=\"$OPENSIPS_MPATH\"|" \
	-e "s|^loadmodule \"sipoutcome.so\"\$|loadmodule \"$OS_MODULE\"|" \
	-e "s|udp:127.0.0.1:8080|udp:127.0.0.1:$mport|" \
	-e "s|sip:127.0.0.1:5080|sip:127.0.0.1:$uport|" "$example" >"$WORK/example.cfg"
it_assert_eq "example.cfg: socket, mpath, module, MI and carrier replaced" 5 \
	"$(grep -c -e "127.0.0.1:$sport" -e "$OPENSIPS_MPATH" -e "$OS_MODULE" -e ":$mport" \
		-e ":$uport" "$WORK/example.cfg")"
"$OPENSIPS" -C -f "$WORK/example.cfg" >"$WORK/check-example.log" 2>&1
it_assert_eq "opensips -C examples/opensips.cfg exits 0" 0 $?
it_assert_eq "opensips -C: no mismatch, no ERROR" 0 \
	"$(grep -c -E 'mismatch|ERROR:|CRITICAL:' "$WORK/check-example.log")"
os_start "$WORK/example.cfg" || it_die "examples/opensips.cfg did not start"
os_call "example 486 after ringing" 486 "486 Busy Here" \
	"tag=BUSY code=486 class=4xx category=busy retry=later blame=callee $R ringing=1" \
	'reason="Busy Here" vendor=rfc q850= hint=' -set reason "Busy Here" -set ring 1
it_assert_eq "example: X-Outcome on the caller's final" "BUSY;category=busy;retry=later" \
	"$(it_received_header "uac$n" X-Outcome)"
os_stop

it_finish
