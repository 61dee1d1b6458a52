#!/bin/sh
# The tool's lines are the module's lines: three calls (answered, busy with
# Reason Q.850 17, canceled after ringing) through a real Kamailio with the
# sipoutcome module (data/kamailio-cli.cfg) between two sipp instances
# (data/sipp/uac.xml, uas.xml); `sipoutcome classify` on each sipp's
# -trace_msg file must print exactly the lines the module logged.
# Skipped (77) without kamailio, sipp or the built module.
. "$(dirname "$0")/common.sh"

KAMAILIO=${KAMAILIO:-/usr/sbin/kamailio}
SIPP=${SIPP:-$(command -v sipp || :)}
MODULE=${SIPOUTCOME_MODULE:-$top_builddir/module/kamailio/.libs/sipoutcome.so}
MODDIR=${KAMAILIO_MODDIR:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
[ -x "$KAMAILIO" ] || { echo "# SKIP: kamailio missing"; exit 77; }
[ -n "$SIPP" ] && [ -x "$SIPP" ] || { echo "# SKIP: sipp missing"; exit 77; }
[ -f "$MODULE" ] || { echo "# SKIP: module not built ($MODULE)"; exit 77; }
[ -f "$MODDIR/tm.so" ] || { echo "# SKIP: no stock modules in $MODDIR"; exit 77; }

KAM_PID=
UAS_PID=
stop_all() {
	for p in $UAS_PID $KAM_PID; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	UAS_PID=
	KAM_PID=
	cleanup_work
}
trap stop_all EXIT

# Three consecutive UDP ports the kernel reports free (a small race remains;
# a clash shows as Kamailio or sipp failing to bind, reported as 99).
free_port() {
	python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
		|| echo $((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
}
KPORT=$(free_port)
UPORT=$(free_port)
CPORT=$(free_port)

"$KAMAILIO" -f "$DATA/kamailio-cli.cfg" -D -E -w "$WORK" -Y "$WORK" -P "$WORK/k.pid" \
	-A "LISTEN=udp:127.0.0.1:$KPORT" -A "CARRIER=\"sip:127.0.0.1:$UPORT\"" \
	-A "MODULE=\"$MODULE\"" -A "MPATH=\"$MODDIR/\"" >"$WORK/kamailio.log" 2>&1 &
KAM_PID=$!
"$SIPP" -sf "$DATA/sipp/uas.xml" -i 127.0.0.1 -p "$UPORT" -m 3 -nostdin \
	-timeout 30s -timeout_error -trace_msg -message_file "$WORK/uas.trace" \
	>"$WORK/uas.out" 2>&1 &
UAS_PID=$!
# No readiness wait: over UDP the caller retransmits its INVITE (and
# Kamailio its relayed one) until the other side listens.
"$SIPP" -sf "$DATA/sipp/uac.xml" -inf "$DATA/sipp/calls.csv" -i 127.0.0.1 \
	-p "$CPORT" -m 3 -l 1 -nostdin -timeout 30s -timeout_error \
	-trace_msg -message_file "$WORK/uac.trace" "127.0.0.1:$KPORT" \
	>"$WORK/uac.out" 2>&1
UAC_RC=$?
wait "$UAS_PID"
UAS_RC=$?
UAS_PID=
kill "$KAM_PID" 2>/dev/null
wait "$KAM_PID" 2>/dev/null
KAM_PID=

if [ "$UAC_RC" != 0 ] || [ "$UAS_RC" != 0 ]; then
	echo "ERROR: the calls failed (caller sipp $UAC_RC, callee sipp $UAS_RC)"
	tail -20 "$WORK/kamailio.log" "$WORK/uac.out" | sed 's/^/#   /'
	exit 99
fi

# the keys only the proxy knows (attempts, timing: README "The log line")
# end every call line; classify stops at hint
grep -o 'sipoutcome: tag=.*' "$WORK/kamailio.log" |
	sed 's/ attempts=[0-9]* pdd_ms=[0-9]* setup_ms=[0-9]*$//' >"$WORK/module.lines"
if [ "$(wc -l <"$WORK/module.lines")" -eq 3 ]; then
	pass "the module logged 3 lines"
else
	fail "the module logged 3 lines" "$(cat "$WORK/module.lines")"
fi
for t in "tag=COMPLETED code=200" "tag=BUSY code=486" "tag=CANCELED code=487"; do
	check_grep "the module logged $t" "$t" "$WORK/module.lines"
done

run classify "$WORK/uas.trace"
check_rc "classify the callee's trace" 0
check_file "callee's trace: the module's lines" "$WORK/module.lines" "$WORK/out"
run classify "$WORK/uac.trace"
check_rc "classify the caller's trace" 0
check_file "caller's trace: the module's lines" "$WORK/module.lines" "$WORK/out"
run report --format csv "$WORK/kamailio.log"
check_grep "report on Kamailio's log" "vendor,rfc,,total,,3,100.0" "$WORK/out"

finish
