#!/usr/bin/env bash
# track.sh: where the module starts tracking a transaction (modparam
# "track"), and what it reads from the transaction when replies went
# upstream before that.
#
#   track=route (default): after the request route, from a post-script
#   callback. A final the script sent itself (t_reply() after t_newtran())
#   went out before tracking started: it is classified from the
#   transaction, once, source=local. A local 180 sent before t_relay()
#   counts as ringing (t->uas.status), so the carrier's 480 that follows
#   is a no-answer, not "unavailable".
#   A call relayed from an async worker (async_task_route: the async module
#   creates and suspends the transaction in the request route, the worker
#   relays it) is tracked too.
#   track=tm: TMCB_REQUEST_IN, every transaction tm creates. Same lines
#   for the same calls.
#   With log=0 and no event route only the counters need the outcome: a
#   2xx is counted without classifying it, other tags come from a cache.
#   The same 13 calls give the same counters with log=1 and log=0.
#   Under KEMI (app_lua) the same: a local 403 from a Lua request route is
#   one line, also when KSR.sipoutcome.classify() follows the t_reply();
#   KSR.sipoutcome.reason("annotate") in a Lua reply route marks up the
#   carrier's 486.
#   A bad value stops Kamailio at start-up naming the parameter.
# shellcheck disable=SC2016 # $rU: Kamailio pseudo-variables
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make check may use sh
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_setup
it_need_module

kport=$(it_free_port) || it_die "no free port"
uport=$(it_free_port) || it_die "no free port"
n=0

hook='if ($rU == "local403") {
		t_newtran();
		t_reply("403", "Forbidden by policy");
		exit;
	}
	if ($rU == "ring480") {
		t_newtran();
		t_reply("180", "Ringing");
	}
	if ($rU == "oki200" || $rU == "okicall") {
		sipoutcome_vendor("okitoki");
	}
	if ($rU == "ct480") {
		sipoutcome_vendor("cachetest");
	}
	if ($rU == "async") {
		async_task_route("RELAY");
		exit;
	}'
extra='route[RELAY] {
	if (!t_relay()) {
		sl_reply_error();
	}
}'

# outcome_of CALLID : the module's outcome line(s) for CALLID.
outcome_of() {
	it_outcome_lines "$1"
}

# call MODE USER STATUS LINE [carrier CODE -set args...] : one call to USER;
# the caller must get STATUS and the module log exactly LINE (callid=
# masked) for it; LINE - : not checked. Sets LAST.
call() {
	local mode=$1 user=$2 status=$3 line=$4 cid got
	shift 4
	n=$((n + 1))
	if [ $# -gt 0 ]; then
		it_carrier_start "uas$n" "$uport" "$@" || it_die "carrier $n did not start"
	fi
	it_uac_call "uac$n" "$kport" -s "$user" -cid_str "tr-$n-%u@%s"
	it_assert_eq "$mode call $n ($user): caller completed" 0 $?
	it_assert_eq "$mode call $n ($user): caller received '$status'" "$status" \
		"$(it_received_status "uac$n")"
	cid=$(it_received_header "uac$n" Call-ID)
	if [ "$line" != - ]; then
		it_wait_log -F "callid=$cid " 1 2 2>/dev/null
		got=$(outcome_of "$cid" | sed 's/ callid=[^ ]* / callid=* /')
		it_assert_eq "$mode call $n ($user): outcome line" "$line" "$got"
		LAST=$got
	fi
	if [ $# -gt 0 ]; then
		it_uas_wait "uas$n"
		it_assert_eq "$mode call $n: carrier finished" 0 $? || it_stop "${IT_PROC[uas$n]}"
	fi
}

# counter NAME : sipoutcome:NAME from $stats_dump (kamcmd
# stats.get_statistics sipoutcome:).
stats_dump=
counter() {
	printf '%s\n' "$stats_dump" | awk -v k="sipoutcome:$1" '$1 == k && $2 == "=" { print $3 }'
}

L403='tag=FAILED code=403 class=4xx category=forbidden retry=no blame=caller source=local ringing=0 callid=* reason="Forbidden by policy" vendor=rfc q850= hint='
L480R='tag=NO_ANSWER code=480 class=4xx category=no_answer retry=later blame=callee source=remote ringing=1 callid=* reason="Temporarily Unavailable" vendor=rfc q850= hint='
L486='tag=BUSY code=486 class=4xx category=busy retry=later blame=callee source=remote ringing=0 callid=* reason="Busy Here" vendor=rfc q850= hint='

cat >"$WORK/cachetest.profile" <<'EOF2'
profile cachetest
inherits rfc
match code=480 phrase="busy" set tag=BUSY category=busy retry=later blame=callee hint="A 480 whose phrase says busy."
EOF2

declare -A lines
for mode in route tm; do
	it_note "track=$mode"
	it_kamailio_cfg "$WORK/$mode.cfg" PORT="$kport" UAS_PORT="$uport" \
		LOADMODULE="loadmodule \"$IT_MODULE\"
async_workers=1
loadmodule \"async.so\"
modparam(\"sipoutcome\", \"profile\", \"$WORK/cachetest.profile\")
modparam(\"sipoutcome\", \"track\", \"$mode\")" \
		INVITE_HOOK="$hook" EXTRA="$extra" || it_die "cannot render $mode.cfg"
	it_kamailio_start "$WORK/$mode.cfg" || it_die "Kamailio (track=$mode) did not start"
	it_assert_eq "track=$mode: no ERROR or WARNING at start" 0 \
		"$(it_log_count ' (ERROR|WARNING): ')"

	call "$mode" local403 "403 Forbidden by policy" "$L403"
	lines[$mode,403]=$LAST
	call "$mode" ring480 "480 Temporarily Unavailable" "$L480R" \
		480 -set reason "Temporarily Unavailable"
	it_assert_eq "$mode call $n: the caller got the local 180" 1 \
		"$(it_received_statuses "uac$n" | grep -c '^180 Ringing$')"
	lines[$mode,480]=$LAST
	call "$mode" busy "486 Busy Here" "$L486" 486 -set reason "Busy Here"
	lines[$mode,486]=$LAST
	call "$mode" async "486 Busy Here" "$L486" 486 -set reason "Busy Here"
	lines[$mode,async]=$LAST
	stats_dump=$(it_kamcmd stats.get_statistics sipoutcome: 2>&1)
	it_assert_eq "track=$mode: counter failed" 1 "$(counter failed)"
	it_assert_eq "track=$mode: counter no_answer" 1 "$(counter no_answer)"
	it_assert_eq "track=$mode: counter busy" 2 "$(counter busy)"
	it_assert_eq "track=$mode: counter class_4xx" 4 "$(counter class_4xx)"
	it_kamailio_stop
done
for k in 403 480 486 async; do
	it_assert_eq "call $k: the same line with track=route and track=tm" \
		"${lines[route,$k]}" "${lines[tm,$k]}"
done

# The same calls through a Kamailio that logs (every outcome classified
# in full) and one with log=0 (a 2xx counted directly, other tags from a
# cache keyed by code, context, cause and profile, bypassed for a rule
# that reads the phrase): the counters must be equal. The cachetest
# profile makes the phrase decide a 480.
counting_calls() {
	local m=$1
	call "$m" answered "200 OK" - 200 -set reason OK -set ring 1
	call "$m" oki200 "200 OK" - 200 -set reason OK
	call "$m" busy "486 Busy Here" - 486 -set reason "Busy Here"
	call "$m" busy "486 Busy Here" - 486 -set reason "Busy Here" \
		-set extra 'Reason: Q.850;cause=34;text="No circuit"'
	call "$m" busy "486 Busy Here" - 486 -set reason "Busy Here"
	call "$m" local403 "403 Forbidden by policy" -
	call "$m" x487 "487 Request Terminated" - 487 -set reason "Request Terminated"
	call "$m" x487 "487 Request Terminated" - 487 -set reason "Request Terminated" -set ring 1
	call "$m" x487 "487 Request Terminated" - 487 -set reason "Request Terminated"
	call "$m" ct480 "480 Temporarily Unavailable" - 480 -set reason "Temporarily Unavailable"
	call "$m" ct480 "480 User Busy" - 480 -set reason "User Busy"
	call "$m" ct480 "480 Temporarily Unavailable" - 480 -set reason "Temporarily Unavailable"
	call "$m" okicall "480 Temporarily Unavailable" - 480 -set reason "Temporarily Unavailable"
}
declare -A dump
for log in 1 0; do
	it_note "log=$log: counters of the same calls"
	it_kamailio_cfg "$WORK/log$log.cfg" PORT="$kport" UAS_PORT="$uport" \
		LOADMODULE="async_workers=1
loadmodule \"async.so\"
loadmodule \"$IT_MODULE\"
modparam(\"sipoutcome\", \"profile\", \"$WORK/cachetest.profile\")
modparam(\"sipoutcome\", \"log\", $log)" \
		INVITE_HOOK="$hook" EXTRA="$extra" || it_die "cannot render log$log.cfg"
	it_kamailio_start "$WORK/log$log.cfg" || it_die "Kamailio (log=$log) did not start"
	counting_calls "log=$log"
	dump[$log]=$(it_kamcmd stats.get_statistics sipoutcome: 2>&1 | sort)
	stats_dump=${dump[$log]}
	it_assert_eq "log=$log: counter completed" 2 "$(counter completed)"
	it_assert_eq "log=$log: counter class_2xx" 2 "$(counter class_2xx)"
	it_assert_eq "log=$log: counter vendor_okitoki" 2 "$(counter vendor_okitoki)"
	it_assert_eq "log=$log: counter vendor_cachetest" 3 "$(counter vendor_cachetest)"
	it_assert_eq "log=$log: the phrase rule counted (busy: 486 twice, 480 User Busy)" 3 \
		"$(counter busy)"
	if [ "$log" = 0 ]; then
		it_assert_eq "log=0: no outcome line at all" 0 "$(it_log_count 'sipoutcome: tag=')"
	fi
	it_kamailio_stop
done
it_assert_eq "log=0 counts every call as log=1 does" "${dump[1]}" "${dump[0]}"

# KEMI: the post-script callback runs after a Lua request route too, and
# KSR.sipoutcome.classify() right after the script's own t_reply() (KEMI
# allows it in the request route) must not make a second line or count.
if [ -f "$KAMAILIO_MODDIR/app_lua.so" ]; then
	it_note "KEMI (app_lua): a local final, then classify() in the request route; reason() in a reply route"
	cat >"$WORK/track.lua" <<'EOF2'
function ksr_request_route()
	if KSR.is_OPTIONS() then
		KSR.sl.sl_send_reply(200, "OK")
		return
	end
	if KSR.is_ACK() then
		KSR.tm.t_check_trans()
		return
	end
	if KSR.is_INVITE() and KSR.pv.get("$rU") == "rsn" then
		KSR.pv.sets("$du", "sip:127.0.0.1:UASPORT")
		KSR.tm.t_on_reply("ksr_rsn_reply")
		KSR.tm.t_relay()
		return
	end
	if KSR.is_INVITE() then
		KSR.tm.t_newtran()
		KSR.tm.t_reply(403, "Forbidden by policy")
		KSR.sipoutcome.classify()
	end
end

function ksr_rsn_reply()
	KSR.sipoutcome.reason("annotate")
end
EOF2
	sed -i "s/UASPORT/$uport/" "$WORK/track.lua"
	cat >"$WORK/lua.cfg" <<EOF2
#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:$kport
disable_tcp=yes
auto_aliases=no
dns=no
rev_dns=no
rundir="$WORK"
mpath="$KAMAILIO_MODDIR"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "ctl.so"
loadmodule "kex.so"
loadmodule "app_lua.so"
loadmodule "$IT_MODULE"
modparam("ctl", "binrpc", "unix:$WORK/kamailio_ctl")
modparam("app_lua", "load", "$WORK/track.lua")
cfgengine "lua"
EOF2
	it_kamailio_start "$WORK/lua.cfg" || it_die "Kamailio (Lua) did not start"
	call lua local403 "403 Forbidden by policy" "$L403"
	# KSR.sipoutcome.reason() in a Lua reply route: the caller gets the
	# annotated phrase, the line keeps the phrase as received
	call lua rsn "486 Busy Here [BUSY/busy]" "$L486" 486 -set reason "Busy Here"
	stats_dump=$(it_kamcmd stats.get_statistics sipoutcome: 2>&1)
	it_assert_eq "lua: counter failed" 1 "$(counter failed)"
	it_assert_eq "lua: counter busy" 1 "$(counter busy)"
	it_assert_eq "lua: no ERROR" 0 "$(it_log_count ' ERROR: ')"
	it_kamailio_stop
else
	it_note "app_lua.so not installed: KEMI case not run"
fi

it_note "a bad track value stops Kamailio at start-up"
it_kamailio_cfg "$WORK/bad.cfg" PORT="$kport" UAS_PORT="$uport" \
	LOADMODULE="loadmodule \"$IT_MODULE\"
modparam(\"sipoutcome\", \"track\", \"sometimes\")" || it_die "cannot render bad.cfg"
"$KAMAILIO" -c -f "$WORK/bad.cfg" >"$WORK/bad.log" 2>&1
it_assert_eq "kamailio -c refuses track=sometimes" 1 "$([ $? -ne 0 ] && echo 1 || echo 0)"
it_assert_eq "the error names the parameter and the value" 1 \
	"$(grep -c "track: unknown value 'sometimes'" "$WORK/bad.log")"

it_finish
