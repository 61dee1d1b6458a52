# shellcheck shell=bash
#
# tests/opensips/os_lib.sh: the OpenSIPS side of the integration harness.
# Sources tests/integration/lib.sh (sipp callers and carriers, traces,
# asserts, cleanup by PID) and adds starting a real OpenSIPS 3.6 and
# asking it over MI. scripts/opensips.sh exports:
#   OPENSIPS              the opensips binary of the cached build
#   OPENSIPS_MPATH        its stock modules (tm, sl, ...)
#   SIPOUTCOME_OS_MODULE  module/opensips/sipoutcome.so
# Without them a test skips (77). The OpenSIPS log is $WORK/opensips.log;
# lib.sh's it_log_* and it_wait_log read it (IT_KAM_LOG points there).

OS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../integration/lib.sh
. "$OS_LIB_DIR/../integration/lib.sh"

OS_PID=
OS_PORT=
OS_MI_PORT=

# os_setup : it_setup, then the OpenSIPS build (skip when it is missing).
os_setup() {
	it_setup
	[ -n "${OPENSIPS:-}" ] && [ -x "$OPENSIPS" ] ||
		it_skip "no OpenSIPS binary (OPENSIPS; run scripts/opensips.sh)"
	[ -n "${OPENSIPS_MPATH:-}" ] && [ -f "$OPENSIPS_MPATH/tm.so" ] ||
		it_skip "no OpenSIPS stock modules (OPENSIPS_MPATH)"
	[ -n "${SIPOUTCOME_OS_MODULE:-}" ] && [ -f "$SIPOUTCOME_OS_MODULE" ] ||
		it_skip "OpenSIPS module not built (SIPOUTCOME_OS_MODULE)"
	OS_MODULE=$SIPOUTCOME_OS_MODULE
}

# os_cfg OUT KEY=VALUE... : render opensips-test.cfg.in. Defaults: PORT
# and MI_PORT (free ports), MPATH, FR_TIMEOUT 5, FR_INV_TIMEOUT 10 (s),
# WORKERS 1, LOADMODULE (the module under test), INVITE_HOOK and EXTRA
# empty. UAS_PORT has no default. Later arguments win.
os_cfg() {
	local out=$1 port mi
	shift
	port=$(it_free_port) || return 1
	mi=$(it_free_port) || return 1
	it_render "$OS_LIB_DIR/opensips-test.cfg.in" "$out" \
		PORT="$port" MI_PORT="$mi" MPATH="$OPENSIPS_MPATH" \
		FR_TIMEOUT=5 FR_INV_TIMEOUT=10 WORKERS=1 \
		LOADMODULE="loadmodule \"$OS_MODULE\"" INVITE_HOOK= EXTRA= "$@"
}

# os_start CFG [ARGS...] : run `$OPENSIPS -F -f CFG -m 64 -M 16 ARGS` in a
# process group of its own, output to $WORK/opensips.log (an earlier one
# moves to opensips.log.N); wait until it answers OPTIONS. Sets OS_PID,
# OS_PORT (socket=udp:127.0.0.1:PORT) and OS_MI_PORT. 1 on failure, with
# the log tail.
os_start() {
	local cfg=$1 i
	shift
	OS_PORT=$(sed -n 's/^socket=udp:127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$cfg" | head -n1)
	OS_MI_PORT=$(sed -n 's/.*"socket_name", "udp:127\.0\.0\.1:\([0-9]*\)").*/\1/p' "$cfg" | head -n1)
	[ -n "$OS_PORT" ] || { echo "$IT_NAME: $cfg has no socket= line" >&2; return 1; }
	IT_KAM_LOG=$WORK/opensips.log
	if [ -e "$IT_KAM_LOG" ]; then
		i=1
		while [ -e "$IT_KAM_LOG.$i" ]; do i=$((i + 1)); done
		mv -- "$IT_KAM_LOG" "$IT_KAM_LOG.$i"
	fi
	"$PYTHON" -c 'import os, sys; os.setpgid(0, 0); os.execvp(sys.argv[1], sys.argv[1:])' \
		"$OPENSIPS" -F -f "$cfg" -m 64 -M 16 "$@" >"$IT_KAM_LOG" 2>&1 &
	OS_PID=$!
	IT_KAM_PID=$OS_PID
	it_track "$OS_PID" group
	IT_PROC[opensips]=$OS_PID
	if ! it__sip_ping "$OS_PORT" "$OS_PID" "${IT_READY_TIMEOUT:-10}"; then
		echo "$IT_NAME: opensips did not answer OPTIONS on 127.0.0.1:$OS_PORT" >&2
		it__log_tail >&2
		return 1
	fi
	kport=$OS_PORT
}

# os_stop : stop the OpenSIPS of os_start (TERM, bounded wait, KILL).
os_stop() {
	[ -n "$OS_PID" ] || return 0
	it_stop "$OS_PID"
	OS_PID=
}

# os_mi METHOD [NAME=VALUE...] : one JSON-RPC request to mi_datagram on
# OS_MI_PORT; prints the reply's "result" as compact JSON (keys in their
# order), or "error: CODE MESSAGE". Digits-only values are sent as numbers,
# values starting with '[' as JSON arrays.
os_mi() {
	"$PYTHON" - "$OS_MI_PORT" "$@" <<'PY'
import json, socket, sys
port, method, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
params = {}
for a in args:
    k, _, v = a.partition("=")
    params[k] = int(v) if v.isdigit() else json.loads(v) if v[:1] == "[" else v
req = {"jsonrpc": "2.0", "method": method, "id": 1}
if params:
    req["params"] = params
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(5)
s.sendto(json.dumps(req).encode(), ("127.0.0.1", port))
rpl = json.loads(s.recv(65535).decode())
if "error" in rpl:
    print("error: %s %s" % (rpl["error"]["code"], rpl["error"]["message"]))
else:
    print(json.dumps(rpl["result"], separators=(",", ":")))
PY
}

# os_outcome_of CALLID : the module's outcome line(s) for CALLID, from
# "tag=" to the end of the line.
# The Kamailio module's call line ends with keys the OpenSIPS adapter does
# not write yet (attempts, pdd_ms, setup_ms): left out, so that the lines
# of both proxies compare.
os_outcome_of() {
	it_log_lines -F "callid=$1 " | sed -n 's/.*sipoutcome: \(tag=.*\)$/\1/p' |
		sed 's/ attempts=[0-9]* pdd_ms=[0-9]* setup_ms=[0-9]*$//'
}

# os_expect_outcome WHAT CALLID HEAD TAIL : exactly one outcome line for
# CALLID, and it is "HEAD callid=CALLID TAIL" (the Kamailio tests' form).
os_expect_outcome() {
	local what=$1 cid=$2 lines
	it_wait_log -F "callid=$cid " 1 3 2>/dev/null
	lines=$(os_outcome_of "$cid")
	it_assert_eq "$what: exactly one outcome line" 1 \
		"$(printf '%s' "$lines" | grep -c '^tag=')"
	it_assert_eq "$what: outcome line" "$3 callid=$cid $4" "$lines"
}

# os_carrier_done NAME : the carrier finished its call cleanly (else it
# is stopped, so that the next carrier can bind the port).
os_carrier_done() {
	it_uas_wait "$1" 5
	it_assert_eq "call $n: carrier finished" 0 $? || it_stop "${IT_PROC[$1]}"
}

# os_call WHAT CODE STATUS HEAD TAIL [CARRIER_ARGS...] [-- CALLER_ARGS...] :
# a carrier answering CODE, a caller through the proxy on $kport that must
# complete and receive STATUS; then exactly one outcome line
# "HEAD callid=<Call-ID> TAIL". Uses n, kport, uport; sets cid.
os_call() {
	local what=$1 code=$2 status=$3 head=$4 tail=$5
	shift 5
	it_call "$what" "$code" "$@"
	it_assert_eq "call $n ($what): caller completed" 0 $?
	it_assert_eq "call $n ($what): caller received '$status'" "$status" \
		"$(it_received_status "uac$n")"
	cid=$(it_received_header "uac$n" Call-ID)
	os_expect_outcome "call $n ($what)" "$cid" "$head" "$tail"
	os_carrier_done "uas$n"
}
