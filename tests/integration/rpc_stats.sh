#!/usr/bin/env bash
# rpc_stats.sh (issue "operator surface"): what an operator sees of the
# sipoutcome module in a running Kamailio: the RPC commands through ctl
# (kamcmd), the counters through kex (stats.get_statistics) and through
# xhttp_prom (/metrics over HTTP), and a profile reload that refuses a
# broken file and applies a fixed one in the SIP worker.
#
#   1. sipoutcome.explain 603 okitoki vs 603 (FAILED vs BUSY); explain 999
#      and an unknown vendor are errors
#   2. sipoutcome.vendors: rfc 8x8 okitoki cognigy and the user profiles
#   3. 3x486, 2x200, 1x404, 1x480: counters in stats.get_statistics,
#      sipoutcome.stats and /metrics agree with the calls
#   4. reload: a call classified by a user profile file; the file broken:
#      reload refused naming file and line, the old rule still applies;
#      the file fixed with a changed rule: reload accepted, and the next
#      call, in the SIP worker (children=1), follows the new rule.
# shellcheck disable=SC2016 # $ci, $outcome(...): Kamailio pseudo-variables
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make check may use sh
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_setup
it_need_module

KAMCMD=${KAMCMD:-$(command -v kamcmd || true)}
if [ -z "$KAMCMD" ] || [ ! -x "$KAMCMD" ]; then
	it_skip "kamcmd not found"
fi
command -v curl >/dev/null || it_skip "curl not found"
for m in xhttp xhttp_prom ctl kex; do
	[ -f "$KAMAILIO_MODDIR/$m.so" ] || it_skip "no $m.so in $KAMAILIO_MODDIR"
done

DATA=$IT_LIB_DIR/data
kport=$(it_free_port) || it_die "no free port"
uport=$(it_free_port) || it_die "no free port"
# A TCP port for xhttp: one the kernel handed out for UDP and that no TCP
# socket uses either.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	hport=$(it_free_port) || it_die "no free port"
	[ -z "$(ss -Htan "sport = :$hport" 2>/dev/null)" ] && break
done
n=0
cid=

carrier_done() {
	it_uas_wait "$1"
	it_assert_eq "call $n: carrier finished" 0 $? || it_stop "${IT_PROC[$1]}"
}

# call USER CODE PHRASE [carrier -set args...] : one call to sip:USER@proxy
# that the carrier ends with CODE; the caller must complete and receive
# "CODE PHRASE". Sets cid.
call() {
	local user=$1 code=$2 phrase=$3
	shift 3
	n=$((n + 1))
	it_carrier_start "uas$n" "$uport" "$code" -set reason "$phrase" "$@" ||
		it_die "carrier $n did not start"
	it_uac_call "uac$n" "$kport" -s "$user" -cid_str "rs-$n-%u@%s"
	it_assert_eq "call $n ($code): caller completed" 0 $?
	it_assert_eq "call $n ($code): caller received '$code $phrase'" "$code $phrase" \
		"$(it_received_status "uac$n")"
	cid=$(it_received_header "uac$n" Call-ID)
	carrier_done "uas$n"
}

# outcome_of CALLID : the module's outcome line for CALLID from "tag=".
outcome_of() {
	it_wait_log -F "callid=$1 " 1 2 2>/dev/null
	it_outcome_lines "$1"
}

# field NAME : the value of "NAME: value" in kamcmd's struct output on stdin.
field() {
	awk -v k="$1" '{ sub(/^[ \t]+/, "") } index($0, k ": ") == 1 { print substr($0, length(k) + 3); exit }'
}

# stat NAME : sipoutcome:NAME from `kamcmd stats.get_statistics sipoutcome:`.
stats_dump=
stat() {
	printf '%s\n' "$stats_dump" | awk -v k="sipoutcome:$1" '$1 == k && $2 == "=" { print $3 }'
}

# The user profile file the reload part rewrites.
live=$WORK/live.profile
cat >"$live" <<'EOF'
# user profile written by rpc_stats.sh: version 1
profile live
inherits rfc
description "rpc_stats.sh live profile"
match code=486 set tag=FAILED category=line_limit retry=later blame=caller hint="live v1"
EOF

it_kamailio_cfg "$WORK/k.cfg" PORT="$kport" UAS_PORT="$uport" \
	LOADMODULE="loadmodule \"$IT_MODULE\"
loadmodule \"xhttp.so\"
loadmodule \"xhttp_prom.so\"
modparam(\"sipoutcome\", \"profile\", \"$DATA/mycarrier.profile\")
modparam(\"sipoutcome\", \"profile\", \"$live\")
modparam(\"xhttp_prom\", \"xhttp_prom_stats\", \"all\")
disable_tcp=no
tcp_accept_no_cl=yes
listen=tcp:127.0.0.1:$hport" \
	INVITE_HOOK='if ($rU == "live") { sipoutcome_vendor("live"); }' \
	EXTRA='event_route[xhttp:request] {
	if ($hu =~ "^/metrics") {
		prom_dispatch();
	} else {
		xhttp_reply("404", "Not Found", "text/plain", "only /metrics here\n");
	}
}' || it_die "cannot render k.cfg"
# A second -D (the harness passes one): fork the SIP worker, TCP and timer
# processes while staying in the foreground.  With a single -D Kamailio
# runs SIP in its main process only and starts no TCP, so no xhttp.
it_kamailio_start "$WORK/k.cfg" -D || it_die "Kamailio did not start"
it_assert_eq "no ERROR at start" 0 "$(it_log_count ' ERROR: ')"

# The ctl socket exists once Kamailio answers SIP; poll kamcmd anyway.
for _ in $(seq 50); do
	it_kamcmd core.version >/dev/null 2>&1 && break
	sleep 0.1
done
# core.version names the Kamailio under test (Debian's 5.6.3 or an upstream
# build: scripts/kamailio-upstream.sh), not a fixed release.
it_assert_match "kamcmd reaches Kamailio $IT_KAM_VERSION" \
	"kamailio ${IT_KAM_VERSION//./\\.} " "$(it_kamcmd core.version 2>&1)"

# ------------------------------------------------------------ explain
it_note "sipoutcome.explain"
out=$(it_kamcmd sipoutcome.explain 603 okitoki 2>&1)
it_assert_eq "explain 603 okitoki: tag" FAILED "$(field tag <<<"$out")"
it_assert_eq "explain 603 okitoki: category" line_limit "$(field category <<<"$out")"
it_assert_eq "explain 603 okitoki: vendor" okitoki "$(field vendor <<<"$out")"
out=$(it_kamcmd sipoutcome.explain 603 2>&1)
it_assert_eq "explain 603: tag" BUSY "$(field tag <<<"$out")"
it_assert_eq "explain 603: category" declined "$(field category <<<"$out")"
it_assert_eq "explain 603: vendor (default)" rfc "$(field vendor <<<"$out")"
it_assert_eq "explain 603: phrase" Decline "$(field phrase <<<"$out")"
out=$(it_kamcmd sipoutcome.explain 999 2>&1)
it_assert_match "explain 999: an error" '^error: [0-9]+ - ' "$out"
it_assert_eq "explain 999: no tag" "" "$(field tag <<<"$out")"
out=$(it_kamcmd sipoutcome.explain 486 nosuchvendor 2>&1)
it_assert_match "explain 486 nosuchvendor: an error" '^error: [0-9]+ - .*vendor' "$out"

# ------------------------------------------------------------ vendors
it_note "sipoutcome.vendors"
out=$(it_kamcmd sipoutcome.vendors 2>&1)
names=$(awk '{ sub(/^[ \t]+/, "") } /^name: / { printf "%s ", $2 }' <<<"$out")
it_assert_eq "vendors: built-ins, then the user profiles in load order" \
	"rfc 8x8 okitoki cognigy mycarrier live " "$names"
it_assert_eq "vendors: exactly one default" 1 "$(grep -c 'default: yes' <<<"$out")"
it_assert_eq "vendors: mycarrier inherits rfc" rfc \
	"$(awk '{ sub(/^[ \t]+/, "") } /^name: / { p = $2 } /^inherits: / && p == "mycarrier" { print $2 }' <<<"$out")"

# ------------------------------------------------------------ counters
it_note "counters start at zero"
stats_dump=$(it_kamcmd stats.get_statistics sipoutcome: 2>&1)
for k in completed busy no_answer canceled failed class_2xx class_3xx class_4xx class_5xx class_6xx; do
	it_assert_eq "sipoutcome:$k at start" 0 "$(stat $k)"
done

it_note "calls: 3x486, 2x200, 1x404, 1x480"
call service 486 "Busy Here"
call service 200 OK -set ring 1
call service 486 "Busy Here" -set ring 1
call service 404 "Not Found"
call service 486 "Busy Here"
call service 480 "Temporarily Unavailable"
call service 200 OK
it_wait_log -F ' sipoutcome: tag=' 7 2
it_assert_eq "7 outcome lines" 7 "$(it_log_count -F ' sipoutcome: tag=')"

stats_dump=$(it_kamcmd stats.get_statistics sipoutcome: 2>&1)
printf '%s\n' "$stats_dump" | sed 's/^/#   /'
while read -r k v; do
	it_assert_eq "stats.get_statistics sipoutcome:$k" "$v" "$(stat "$k")"
done <<'EOF'
completed 2
busy 3
no_answer 1
canceled 0
failed 1
class_2xx 2
class_3xx 0
class_4xx 5
class_5xx 0
class_6xx 0
vendor_rfc 7
vendor_okitoki 0
vendor_mycarrier 0
vendor_live 0
vendor_other 0
EOF

out=$(it_kamcmd sipoutcome.stats 2>&1)
printf '%s\n' "$out" | sed 's/^/#   /'
while read -r k v; do
	it_assert_eq "sipoutcome.stats $k" "$v" "$(field "$k" <<<"$out")"
done <<'EOF'
completed 2
busy 3
no_answer 1
canceled 0
failed 1
class_2xx 2
class_3xx 0
class_4xx 5
class_5xx 0
class_6xx 0
vendor_rfc 7
vendor_live 0
EOF

it_note "xhttp_prom /metrics on 127.0.0.1:$hport"
metrics=$(curl -sS --max-time 5 "http://127.0.0.1:$hport/metrics" 2>&1)
it_assert_match "/metrics answered" 'kamailio_sipoutcome_' "$metrics"
grep -a 'sipoutcome' <<<"$metrics" | sed 's/^/#   /'
while read -r k v; do
	it_assert_eq "/metrics kamailio_sipoutcome_$k" "$v" \
		"$(awk -v k="kamailio_sipoutcome_$k" '$1 == k { print $2 }' <<<"$metrics")"
done <<'EOF'
completed 2
busy 3
no_answer 1
canceled 0
failed 1
class_2xx 2
class_4xx 5
class_6xx 0
vendor_rfc 7
EOF

# ------------------------------------------------------------ reload
it_note "reload: version 1 applies"
call live 486 "Busy Here"
it_assert_eq "live v1: outcome" \
	"tag=FAILED code=486 class=4xx category=line_limit retry=later blame=caller source=remote ringing=0 callid=$cid reason=\"Busy Here\" vendor=live q850= hint=\"live v1\"" \
	"$(outcome_of "$cid")"

it_note "reload: a broken file is refused"
cat >"$live" <<'EOF'
# user profile written by rpc_stats.sh: broken on line 5
profile live
inherits rfc
description "rpc_stats.sh live profile"
match code=486 set tag=PERHAPS category=busy hint="live broken"
EOF
out=$(it_kamcmd sipoutcome.reload 2>&1)
it_assert_match "reload of a broken file: an error" '^error: [0-9]+ - ' "$out"
it_assert_match "reload of a broken file: names file and line" \
	"$(printf '%s' "$live" | sed 's/[.]/[.]/g'):5: tag: unknown tag 'PERHAPS'" "$out"
it_assert_eq "explain 486 live after the refused reload: still v1" \
	"line_limit live v1" "$(it_kamcmd sipoutcome.explain 486 live 2>&1 | { o=$(cat); printf '%s %s' "$(field category <<<"$o")" "$(field hint <<<"$o")"; })"
call live 486 "Busy Here"
it_assert_eq "after the refused reload: the call still follows v1" \
	"tag=FAILED code=486 class=4xx category=line_limit retry=later blame=caller source=remote ringing=0 callid=$cid reason=\"Busy Here\" vendor=live q850= hint=\"live v1\"" \
	"$(outcome_of "$cid")"

it_note "reload: the fixed file with a changed rule"
cat >"$live" <<'EOF'
# user profile written by rpc_stats.sh: version 2
profile live
inherits rfc
description "rpc_stats.sh live profile, version 2"
match code=486 set tag=NO_ANSWER category=no_answer retry=later blame=callee hint="live v2"
EOF
out=$(it_kamcmd sipoutcome.reload 2>&1)
it_assert_match "reload of the fixed file: accepted" '^ok: 6 profiles' "$out"
it_assert_eq "explain 486 live after the reload: v2" \
	"no_answer live v2" "$(it_kamcmd sipoutcome.explain 486 live 2>&1 | { o=$(cat); printf '%s %s' "$(field category <<<"$o")" "$(field hint <<<"$o")"; })"
call live 486 "Busy Here"
it_assert_eq "after the reload: the call follows v2" \
	"tag=NO_ANSWER code=486 class=4xx category=no_answer retry=later blame=callee source=remote ringing=0 callid=$cid reason=\"Busy Here\" vendor=live q850= hint=\"live v2\"" \
	"$(outcome_of "$cid")"
# The RPC process loaded the files, once; the SIP worker that logged the
# outcome took the published set without loading anything itself
# (issue 12: no reply waits for a file).
worker=$(it_log_lines -F "callid=$cid " | sed -n 's/^ *[0-9]*(\([0-9]*\)) NOTICE:.* sipoutcome: tag=.*/\1/p')
it_assert_match "v2 call: logged by a process" '^[0-9]+$' "$worker"
it_assert_eq "v2 call: that process loaded no profiles itself" 0 \
	"$(it_log_lines -F 'profiles reloaded (generation' | grep -c "^ *[0-9]*($worker) ")"
it_assert_eq "the reload was loaded once, by the RPC process" 1 \
	"$(it_log_count -F 'profiles reloaded (generation')"
# ... and it is the one SIP worker (children=1), not the RPC process.
rpcproc=$(it_log_lines -F 'profile reload refused' | sed -n 's/^ *[0-9]*(\([0-9]*\)) ERROR: .*/\1/p')
it_assert_match "refused reload: logged by a process" '^[0-9]+$' "$rpcproc"
[ "$worker" != "$rpcproc" ]
it_assert_eq "v2 call: classified outside the RPC process ($worker vs $rpcproc)" 0 $?
psx=$(it_kamcmd core.psx 2>&1)
udpw=$(awk '{ sub(/^[ \t]+/, "") } /^IDX: / { pid = "" } /^PID: / { pid = $2 } /^DSC: / && /udp receiver child=0/ { print pid }' <<<"$psx")
it_assert_eq "v2 call: classified by the UDP receiver child=0 of core.psx" "$udpw" "$worker"
it_assert_eq "ERRORs: only the refused reload" 1 "$(it_log_count ' ERROR: ')"

it_finish
