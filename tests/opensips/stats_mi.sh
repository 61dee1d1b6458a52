#!/usr/bin/env bash
# stats_mi.sh (issue 15): the statistics (group "sipoutcome") and the MI
# commands sipoutcome_stats, _explain, _vendors and _reload of the OpenSIPS
# adapter, through a real OpenSIPS 3.6.8 with 4 UDP workers under
# concurrent calls (the counters are shared memory, updated from every
# worker), asked over mi_datagram (JSON-RPC). The members are those of the
# Kamailio adapter's sipoutcome.* RPCs; explain's values come from
# data/codes.tsv (486: RFC 3261, Q.850 cause 17 per RFC 3398 §8.2.6.1).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
# shellcheck source=os_lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/os_lib.sh"
os_setup

uport=$(it_free_port) || it_die "no free port"
n=0
cp "$IT_LIB_DIR/data/mycarrier.profile" "$WORK/mycarrier.profile" || it_die "copy profile"
os_cfg "$WORK/o.cfg" UAS_PORT="$uport" WORKERS=4 LOADMODULE="loadmodule \"$OS_MODULE\"
modparam(\"sipoutcome\", \"profile\", \"$WORK/mycarrier.profile\")" || it_die "render"
os_start "$WORK/o.cfg" || it_die "OpenSIPS did not start"

zero='{"completed":0,"busy":0,"no_answer":0,"canceled":0,"failed":0,"class_2xx":0,"class_3xx":0,"class_4xx":0,"class_5xx":0,"class_6xx":0,"vendor_rfc":0,"vendor_8x8":0,"vendor_okitoki":0,"vendor_cognigy":0,"vendor_mycarrier":0,"vendor_other":0}'
it_assert_eq "sipoutcome_stats before any call" "$zero" "$(os_mi sipoutcome_stats)"

# 40 concurrent calls (10 at a time) to a carrier answering 486.
calls=40
sf=$(it_uas_scenario 486) || it_die "scenario"
it_uas_start load "$uport" -sf "$sf" -set reason "Busy Here" -m "$calls" || it_die "carrier"
it_uac_call loadc "$OS_PORT" -m "$calls" -l 10 -r 40
it_assert_eq "$calls concurrent calls completed" 0 $?
it_uas_wait load 10 || it_stop "${IT_PROC[load]}"
it_wait_log 'sipoutcome: tag=BUSY' "$calls" 5
it_assert_eq "one outcome line per call" "$calls" "$(it_log_count 'sipoutcome: tag=BUSY code=486')"
it_call "200" 200 -set reason OK
it_assert_eq "call $n: completed" 0 $?
it_uas_wait "uas$n" 5 || it_stop "${IT_PROC[uas$n]}"
it_wait_log 'sipoutcome: tag=COMPLETED' 1 3
want="${zero/\"completed\":0/\"completed\":1}"
want="${want/\"busy\":0/\"busy\":$calls}"
want="${want/\"class_2xx\":0/\"class_2xx\":1}"
want="${want/\"class_4xx\":0/\"class_4xx\":$calls}"
want="${want/\"vendor_rfc\":0/\"vendor_rfc\":$((calls + 1))}"
it_assert_eq "sipoutcome_stats after the calls" "$want" "$(os_mi sipoutcome_stats)"
g=$(os_mi get_statistics 'statistics=["sipoutcome:"]')
it_assert_match "core get_statistics sipoutcome: (the group)" \
	"\"sipoutcome:vendor_rfc\":$((calls + 1)),.*\"sipoutcome:busy\":$calls,.*\"sipoutcome:class_4xx\":$calls," "$g"

it_assert_eq "sipoutcome_explain 486" \
	'{"code":486,"phrase":"Busy Here","registered":1,"tag":"BUSY","category":"busy","retry":"later","blame":"callee","dialstatus":"BUSY","vendor":"rfc","cause":17,"rfc":"RFC 3261","hint":"","meaning":"The callee was reached but is already busy on this device."}' \
	"$(os_mi sipoutcome_explain code=486)"
it_assert_match "sipoutcome_explain 603 okitoki: the profile's line limit" \
	'"tag":"FAILED","category":"line_limit".*"vendor":"okitoki"' \
	"$(os_mi sipoutcome_explain code=603 vendor=okitoki)"
it_assert_eq "sipoutcome_explain with an unknown vendor" "error: 404 unknown vendor profile" \
	"$(os_mi sipoutcome_explain code=486 vendor=nosuch)"
it_assert_eq "sipoutcome_explain 999" "error: 400 status code outside 100..699" \
	"$(os_mi sipoutcome_explain code=999)"
it_assert_eq "sipoutcome_vendors: names and default" "rfc:yes 8x8:no okitoki:no cognigy:no mycarrier:no" \
	"$(os_mi sipoutcome_vendors | "$PYTHON" -c 'import json,sys; print(" ".join("%s:%s" % (v["name"], v["default"]) for v in json.load(sys.stdin)))')"

it_assert_eq "sipoutcome_reload" '"ok: 5 profiles"' "$(os_mi sipoutcome_reload)"
printf 'match code=486 set tag=NOPE\n' >>"$WORK/mycarrier.profile"
r=$(os_mi sipoutcome_reload)
it_assert_match "reload of a bad file refused, naming file and line" \
	"^error: 500 reload refused, old profiles kept: $WORK/mycarrier.profile:[0-9]+: " "$r"
it_assert_match "the old profiles stay in force" '"vendor":"mycarrier"' \
	"$(os_mi sipoutcome_explain code=486 vendor=mycarrier)"
it_assert_eq "no CRITICAL" 0 "$(it_log_count 'CRITICAL:')"
os_stop

# A reload reaches the workers: the MI process parses and swaps, each of
# the 4 workers re-reads at its next call (os_profiles.c).
it_note "sipoutcome_reload: the workers classify with the new profile"
printf 'profile reloadme\ninherits rfc\nmatch code=486 set hint="before reload"\n' \
	>"$WORK/reloadme.profile"
os_cfg "$WORK/r.cfg" UAS_PORT="$uport" WORKERS=4 LOADMODULE="loadmodule \"$OS_MODULE\"
modparam(\"sipoutcome\", \"profile\", \"$WORK/reloadme.profile\")
modparam(\"sipoutcome\", \"default_vendor\", \"reloadme\")" || it_die "render"
os_start "$WORK/r.cfg" || it_die "OpenSIPS did not start"
# hint_of_calls WHEN : 6 calls; "COUNT HINT" of their outcome lines.
hint_of_calls() {
	local i
	: >"$WORK/hints.$1"
	for i in 1 2 3 4 5 6; do
		it_call "486 ($1, $i)" 486 -set reason "Busy Here" >/dev/null
		it_uas_wait "uas$n" 5 || it_stop "${IT_PROC[uas$n]}"
		cid=$(it_received_header "uac$n" Call-ID)
		it_wait_log -F "callid=$cid " 1 3 2>/dev/null
		os_outcome_of "$cid" | sed -n 's/.* hint=//p' >>"$WORK/hints.$1"
	done
}
hint_of_calls before
it_assert_eq "6 calls before the reload" '6 "before reload"' \
	"$(sort "$WORK/hints.before" | uniq -c | sed 's/^ *//')"
printf 'profile reloadme\ninherits rfc\nmatch code=486 set hint="after reload"\n' \
	>"$WORK/reloadme.profile"
it_assert_eq "sipoutcome_reload" '"ok: 5 profiles"' "$(os_mi sipoutcome_reload)"
hint_of_calls after
it_assert_eq "6 calls after the reload, on any worker" '6 "after reload"' \
	"$(sort "$WORK/hints.after" | uniq -c | sed 's/^ *//')"
it_assert_eq "reload: no ERROR/CRITICAL" 0 "$(it_log_count 'ERROR:|CRITICAL:')"
it_finish
