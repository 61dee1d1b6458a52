#!/usr/bin/env bash
# Outcomes are per call (issue 11 item 9): a re-INVITE inside a dialog
# (RFC 3261 14.1; here answered 491 Request Pending) is not another call.
#   1. default: only the initial INVITE is logged and counted;
#   2. in_dialog=1: the re-INVITE is logged too, marked in_dialog=1, and
#      $outcome(in_dialog) says so.
# `sipoutcome classify` on the caller's trace agrees (--in-dialog for 2).
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
DATA=$IT_LIB_DIR/data
CLI=${top_builddir:-$IT_LIB_DIR/../..}/module/cli/sipoutcome

# one_call NAME : the dialog with its re-INVITE; sets cid.
one_call() {
	it_uas_start "uas-$1" "$uport" -sf "$DATA/reinvite_uas.xml" || it_die "carrier"
	it_uac_call "uac-$1" "$kport" -sf "$DATA/reinvite_uac.xml"
	it_assert_eq "$1: caller completed the dialog" 0 $?
	it_assert_match "$1: the re-INVITE got 491" '^491 Request Pending' \
		"$(it_received_statuses "uac-$1" | grep '^491 ' | head -n 1)"
	it_uas_wait "uas-$1" 5 >/dev/null 2>&1 || it_stop "${IT_PROC[uas-$1]}"
	cid=$(sed -n 's/^Call-ID: *//Ip' "$WORK/uac-$1.msg" | head -n 1 | tr -d '\r')
}
# counter NAME : sipoutcome.stats value of NAME ("" without kamcmd).
counter() {
	[ -n "$KAMCMD" ] || return 0
	it_kamcmd sipoutcome.stats 2>&1 | awk -v k="$1:" '$1 == k { print $2 }'
}

for mode in 0 1; do
	it_note "Kamailio: in_dialog=$mode"
	param=
	[ "$mode" = 1 ] && param='modparam("sipoutcome", "in_dialog", 1)'
	it_kamailio_cfg "$WORK/k$mode.cfg" PORT="$kport" UAS_PORT="$uport" \
		LOADMODULE="loadmodule \"$IT_MODULE\"
$param" \
		EXTRA="event_route[sipoutcome:final] {
	xlog(\"L_NOTICE\", \"XLOG-FINAL ci=\$ci code=\$outcome(code) in_dialog=\$outcome(in_dialog)\\n\");
}" || it_die "cannot render k$mode.cfg"
	it_kamailio_start "$WORK/k$mode.cfg" || it_die "Kamailio did not start"
	one_call "m$mode"
	it_wait_log -F "callid=$cid " $((mode + 1)) 3 2>/dev/null
	if [ "$mode" = 0 ]; then
		it_assert_eq "in_dialog=0: one outcome line, the initial INVITE's" \
			"tag=COMPLETED code=200" \
			"$(it_log_lines -F "callid=$cid " | sed -n 's/.* sipoutcome: \(tag=[^ ]* code=[^ ]*\).*/\1/p')"
		it_assert_eq "in_dialog=0: event route once" "code=200 in_dialog=0" \
			"$(it_log_lines -F "XLOG-FINAL ci=$cid " | sed -n 's/.*XLOG-FINAL ci=[^ ]* //p')"
		[ -n "$KAMCMD" ] && it_assert_eq "in_dialog=0: failed counter" 0 "$(counter failed)"
	else
		it_assert_eq "in_dialog=1: two outcome lines" 2 "$(it_log_count -F "callid=$cid ")"
		it_assert_match "in_dialog=1: the re-INVITE is marked" \
			'^tag=FAILED code=491 .* in_dialog=1( attempts=.*)?$' \
			"$(it_log_lines -F "callid=$cid " | grep -F 'code=491' | sed -n 's/.* sipoutcome: \(tag=.*\)$/\1/p')"
		it_assert_eq "in_dialog=1: the initial INVITE is not marked" 0 \
			"$(it_log_lines -F "callid=$cid " | grep -F 'code=200' | grep -c 'in_dialog=')"
		it_assert_eq "in_dialog=1: event route for both" "code=200 in_dialog=0
code=491 in_dialog=1" \
			"$(it_log_lines -F "XLOG-FINAL ci=$cid " | sed -n 's/.*XLOG-FINAL ci=[^ ]* //p')"
	fi
	[ -n "$KAMCMD" ] && it_assert_eq "in_dialog=$mode: completed counter" 1 "$(counter completed)"
	if [ -x "$CLI" ]; then
		opt=()
		[ "$mode" = 1 ] && opt=(--in-dialog)
		it_assert_eq "in_dialog=$mode: sipoutcome classify on the trace agrees" \
			"$(it_log_lines -F "callid=$cid " | sed -n 's/.* sipoutcome: \(tag=[^ ]* code=[^ ]*\).*/\1/p')" \
			"$("$CLI" classify "${opt[@]}" "$WORK/uac-m$mode.msg" 2>&1 | sed -n 's/^sipoutcome: \(tag=[^ ]* code=[^ ]*\).*/\1/p')"
		[ "$mode" = 1 ] && it_assert_eq "in_dialog=1: sipoutcome classify marks the re-INVITE" 1 \
			"$("$CLI" classify --in-dialog "$WORK/uac-m$mode.msg" 2>&1 | grep -c 'code=491 .* in_dialog=1$')"
	fi
	it_kamailio_stop
done
it_assert_eq "no ERROR" 0 "$(it_log_count ' ERROR: ')"
it_finish
