# shellcheck shell=bash
#
# tests/integration/lib.sh: harness for sipoutcome integration tests.
# Source it from a bash test script, then call it_setup:
#
#   #!/usr/bin/env bash
#   [ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
#   set -u
#   . "$(dirname "$0")/lib.sh"
#   it_setup
#   kport=$(it_free_port); uport=$(it_free_port)
#   it_kamailio_cfg "$WORK/k.cfg" PORT="$kport" UAS_PORT="$uport" || it_die "render"
#   it_kamailio_start "$WORK/k.cfg" || it_die "kamailio did not start"
#   it_carrier_start uas "$uport" 486 -set reason "Busy Here" || it_die "uas"
#   it_uac_call call "$kport"
#   it_assert_eq "caller got the 486" "486 Busy Here" "$(it_received_status call)"
#   it_finish
#
# Exit codes follow automake's test harness: 0 pass, 1 fail, 77 skip
# (it_skip: kamailio, sipp, python3 or ss missing), 99 hard error (it_die:
# the harness itself broke).  Nothing here uses `set -e`; functions return
# a status and the test decides.
#
# Everything a test starts is tracked by PID and stopped on exit (TERM,
# then KILL after IT_STOP_TIMEOUT seconds); nothing is killed by name.
# Every file lives in $WORK (mktemp -d), removed on exit unless KEEP_WORK=1.
# Only 127.0.0.1 is used.  Ports come from the kernel (it_free_port), never
# from a fixed list.
#
# Environment:
#   KAMAILIO        kamailio binary (default /usr/sbin/kamailio)
#   SIPOUTCOME_MODULE the module under test (it_need_module)
#   KAMCMD          kamcmd binary (it_kamcmd; default kamcmd from PATH)
#   SIPP            sipp binary (default: sipp from PATH)
#   PYTHON          a Python 3 (standard library only; default /usr/bin/python3
#                   if present, else python3 from PATH: version-manager shims
#                   cost a quarter of a second per call)
#   KAMAILIO_MODDIR stock module directory
#                   (default /usr/lib/x86_64-linux-gnu/kamailio/modules)
#   KEEP_WORK=1     keep $WORK after the test (its path is printed)
#   IT_STOP_TIMEOUT seconds between TERM and KILL at cleanup (default 5)
#   IT_UAC_TIMEOUT  sipp -timeout of a caller, seconds (default 30)
#   IT_UAS_TIMEOUT  sipp -timeout of a carrier, seconds (default 120)
#   IT_READY_TIMEOUT seconds to wait for Kamailio to answer OPTIONS (10)

if [ -z "${BASH_VERSION:-}" ]; then
	echo "lib.sh: needs bash (run the test with bash, not sh)" >&2
	exit 99
fi

IT_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# examples/sipp of the same source tree (works from a VPATH/distcheck build
# too: lib.sh itself is read from the source tree).
IT_SIPP_DIR=${IT_SIPP_DIR:-$(cd "$IT_LIB_DIR/../../examples/sipp" 2>/dev/null && pwd)}
IT_NAME=${IT_NAME:-$(basename "$0" .sh)}

IT_PIDS=()          # every process started by this test, in start order
IT_PGIDS=()         # process groups created by this test (Kamailio's)
declare -gA IT_PROC # NAME -> PID of sipp instances and "kamailio"
IT_PASS=0
IT_FAIL=0
IT_KAM_PID=
IT_KAM_PORT=
IT_KAM_LOG=
WORK=

# ---------------------------------------------------------------- basics

# it_note MSG... : a progress line on stdout ("# MSG").
it_note() {
	printf '# %s\n' "$*"
}

# it_die MSG... : the harness broke (not the code under test): exit 99.
it_die() {
	printf '%s: ERROR: %s\n' "$IT_NAME" "$*" >&2
	exit 99
}

# it_skip MSG... : a prerequisite is missing: exit 77.
it_skip() {
	printf '%s: SKIP: %s\n' "$IT_NAME" "$*" >&2
	exit 77
}

# it_setup : check prerequisites (exit 77 if one is missing), create WORK,
# arm the cleanup trap.  Call once, first.
it_setup() {
	KAMAILIO=${KAMAILIO:-/usr/sbin/kamailio}
	SIPP=${SIPP:-$(command -v sipp || true)}
	KAMAILIO_MODDIR=${KAMAILIO_MODDIR:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
	[ -x "$KAMAILIO" ] || it_skip "kamailio not found (KAMAILIO=$KAMAILIO)"
	# "version: kamailio 6.0.7 (x86_64/linux) 9268f4" -> 6.0.7
	IT_KAM_VERSION=$("$KAMAILIO" -v 2>/dev/null |
		sed -n 's/^version: [^ ]* \([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p')
	[ -n "$IT_KAM_VERSION" ] || it_die "cannot read the version of $KAMAILIO (-v)"
	if [ -z "$SIPP" ] || [ ! -x "$SIPP" ]; then
		it_skip "sipp not found (SIPP=${SIPP:-})"
	fi
	[ -d "$KAMAILIO_MODDIR" ] || it_skip "no Kamailio modules in $KAMAILIO_MODDIR"
	if [ -z "${PYTHON:-}" ]; then
		PYTHON=/usr/bin/python3
		[ -x "$PYTHON" ] || PYTHON=$(command -v python3 || true)
	fi
	if [ -z "$PYTHON" ] || ! command -v "$PYTHON" >/dev/null; then
		it_skip "python3 not found"
	fi
	command -v ss >/dev/null || it_skip "ss (iproute2) not found"
	if [ -z "$IT_SIPP_DIR" ] || [ ! -f "$IT_SIPP_DIR/uas.xml" ]; then
		it_die "sipp scenarios (examples/sipp) not found from $IT_LIB_DIR"
	fi

	WORK=$(mktemp -d "${TMPDIR:-/tmp}/sipoutcome-it.XXXXXX") ||
		it_die "mktemp -d failed"
	trap it__cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# it_kam_version_ge MAJOR MINOR : true when the Kamailio under test
# ($IT_KAM_VERSION, set by it_setup) is MAJOR.MINOR or later.
it_kam_version_ge() {
	local maj=${IT_KAM_VERSION%%.*} min=${IT_KAM_VERSION#*.}
	min=${min%%.*}
	[ "$maj" -gt "$1" ] || { [ "$maj" -eq "$1" ] && [ "$min" -ge "$2" ]; }
}

# it_need_module : set IT_MODULE to the sipoutcome.so under test
# ($SIPOUTCOME_MODULE, which make check exports; else the build tree's
# module/kamailio/.libs/sipoutcome.so), or skip the test (77) if it is not built.
# Call it in the test's own shell, not in $(...).
it_need_module() {
	IT_MODULE=${SIPOUTCOME_MODULE:-${top_builddir:-$IT_LIB_DIR/../..}/module/kamailio/.libs/sipoutcome.so}
	[ -f "$IT_MODULE" ] || it_skip "sipoutcome module not built ($IT_MODULE)"
}

# it_track PID [group] : stop PID at exit.  "group": PID leads a process
# group the test created (Kamailio and its children); if it survives TERM,
# the whole group gets KILL.
it_track() {
	IT_PIDS+=("$1")
	if [ "${2:-}" = group ]; then
		IT_PGIDS+=("$1")
	fi
}

# True while PID is a live (not zombie) child of this shell.  The parent
# check keeps a recycled PID from ever being signalled.
it__alive() {
	local stat rest state ppid
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	rest=${stat##*) }
	state=${rest%% *}
	rest=${rest#* }
	ppid=${rest%% *}
	[ "$state" != Z ] && [ "$ppid" = "$$" ]
}

# it_stop PID [TIMEOUT] : TERM, wait up to TIMEOUT seconds (default
# IT_STOP_TIMEOUT, 5), then KILL (the process group if we created one).
# Returns the process's exit status.
it_stop() {
	local pid=$1 limit=${2:-${IT_STOP_TIMEOUT:-5}} i n g
	if it__alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		n=$(it__ticks "$limit")
		for ((i = 0; i < n; i++)); do
			it__alive "$pid" || break
			sleep 0.05
		done
		if it__alive "$pid"; then
			printf '%s: pid %s ignored TERM for %ss, sending KILL\n' \
				"$IT_NAME" "$pid" "$limit" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
	fi
	for g in "${IT_PGIDS[@]}"; do
		# Children Kamailio left behind, if its main process died first.
		if [ "$g" = "$pid" ] && ps -eo pgid= | awk -v g="$g" '$1 == g { f = 1 } END { exit !f }'; then
			kill -KILL -- "-$g" 2>/dev/null
		fi
	done
	wait "$pid" 2>/dev/null
}

# Number of 50 ms ticks in SECONDS (may be fractional).
it__ticks() {
	awk -v s="$1" 'BEGIN { n = int(s * 20 + 0.5); print (n < 1 ? 1 : n) }'
}

it__cleanup() {
	local rc=$? i pid
	trap - EXIT HUP INT TERM
	# Newest first: callers, then carriers, then Kamailio.
	for ((i = ${#IT_PIDS[@]} - 1; i >= 0; i--)); do
		pid=${IT_PIDS[$i]}
		it__alive "$pid" && kill -TERM "$pid" 2>/dev/null
	done
	for ((i = ${#IT_PIDS[@]} - 1; i >= 0; i--)); do
		it_stop "${IT_PIDS[$i]}" >/dev/null
	done
	if [ -n "$WORK" ] && [ -d "$WORK" ]; then
		if [ "${KEEP_WORK:-0}" = 1 ]; then
			printf '%s: files kept in %s\n' "$IT_NAME" "$WORK" >&2
		else
			rm -rf -- "$WORK"
		fi
	fi
	exit "$rc"
}

# it_free_port : print a UDP port on 127.0.0.1 that was free a moment ago
# (the kernel picks it), never one already handed out in this test.
it_free_port() {
	local port i
	for ((i = 0; i < 50; i++)); do
		port=$("$PYTHON" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])') || return 1
		if ! grep -qx -- "$port" "$WORK/.ports" 2>/dev/null; then
			echo "$port" >>"$WORK/.ports"
			echo "$port"
			return 0
		fi
	done
	return 1
}

# it_render TEMPLATE OUT KEY=VALUE... : copy TEMPLATE to OUT replacing each
# @KEY@ by VALUE (any text: quotes, slashes, newlines; a later KEY=VALUE
# wins; values are not rescanned).  Fails, naming them, if @UPPER_CASE@
# placeholders are left over.
it_render() {
	local template=$1 out=$2
	shift 2
	"$PYTHON" - "$template" "$out" "$@" <<'PY'
import re, sys
template, out, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(template, encoding="utf-8") as f:
    text = f.read()
values = {}
for pair in pairs:  # a later KEY=VALUE replaces an earlier one
    key, sep, value = pair.partition("=")
    if not sep or not re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
        sys.exit("it_render: bad KEY=VALUE argument: %r" % pair)
    values[key] = value
text = re.sub(r"@([A-Z][A-Z0-9_]*)@",
              lambda m: values.get(m.group(1), m.group(0)), text)
left = sorted(set(re.findall(r"@[A-Z][A-Z0-9_]*@", text)))
if left:
    sys.exit("it_render: %s: unresolved %s" % (template, " ".join(left)))
with open(out, "w", encoding="utf-8") as f:
    f.write(text)
PY
}

# it_kamailio_cfg OUT KEY=VALUE... : render kamailio-test.cfg.in with
# defaults: PORT (a free port), MODDIR ($KAMAILIO_MODDIR), WORK ($WORK),
# FR_TIMER 5000, FR_INV_TIMER 10000 (ms), REMAP_503_500 1 (Kamailio's
# default: a carrier's 503 reaches the caller as a tm-generated "500 Service
# Unavailable"), LOADMODULE, INVITE_HOOK and EXTRA empty.  UAS_PORT has no
# default.  Later arguments win.
# CORE_PARAMS: core parameters of this Kamailio version.  5.8 added
# msg_recv_max_size (default 32767): the core drops a UDP message of that
# size or more before tm sees it (src/core/udp_server.c), and 5.6 refuses
# the parameter at parse time.  The tests send replies up to BUF_SIZE
# (65535 bytes, hostile.sh), which 5.6 takes with no parameter.
it_kamailio_cfg() {
	local out=$1 port= core=
	shift
	if it_kam_version_ge 5 8; then
		core="msg_recv_max_size=65536"
	fi
	case " $* " in
	*" PORT="*) ;;
	*) port=$(it_free_port) || return 1 ;;
	esac
	it_render "$IT_LIB_DIR/kamailio-test.cfg.in" "$out" \
		PORT="$port" MODDIR="$KAMAILIO_MODDIR" WORK="$WORK" \
		FR_TIMER=5000 FR_INV_TIMER=10000 REMAP_503_500=1 CORE_PARAMS="$core" \
		LOADMODULE= INVITE_HOOK= EXTRA= "$@"
}

# ---------------------------------------------------------------- kamailio

# it_kamailio_start CFG [KAMAILIO_ARGS...] : run
#   $KAMAILIO -f CFG -E -D -m ${IT_KAM_SHM:-64} -M 8 [KAMAILIO_ARGS...]
# (with IT_KAM_FORK=-DD in the environment: -DD instead of -D, so that
# Kamailio forks its `children` SIP workers, as in production, and only
# the creator stays in the foreground)
# in the background, in a process group of its own, output to
# $WORK/kamailio.log (the log of an earlier instance of this test is
# moved to kamailio.log.1, .2, ...); wait until it answers a SIP OPTIONS on the
# listen=udp:127.0.0.1:PORT of CFG (every 100 ms, up to IT_READY_TIMEOUT
# s).  Sets IT_KAM_PID, IT_KAM_PORT, IT_KAM_LOG.  On failure prints the
# log tail and returns 1.
it_kamailio_start() {
	local cfg=$1 rc i
	shift
	IT_KAM_PORT=$(sed -n 's/^listen=udp:127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$cfg" | head -n 1)
	if [ -z "$IT_KAM_PORT" ]; then
		printf '%s: %s has no listen=udp:127.0.0.1:PORT line\n' "$IT_NAME" "$cfg" >&2
		return 1
	fi
	IT_KAM_LOG=$WORK/kamailio.log
	if [ -e "$IT_KAM_LOG" ]; then
		i=1
		while [ -e "$IT_KAM_LOG.$i" ]; do i=$((i + 1)); done
		mv -- "$IT_KAM_LOG" "$IT_KAM_LOG.$i"
	fi
	# setpgid: Kamailio and the processes it forks get their own group, so
	# cleanup can stop all of them and a terminal's ^C reaches only the test.
	"$PYTHON" -c 'import os, sys; os.setpgid(0, 0); os.execvp(sys.argv[1], sys.argv[1:])' \
		"$KAMAILIO" -f "$cfg" -E "${IT_KAM_FORK:--D}" -m "${IT_KAM_SHM:-64}" -M 8 "$@" >"$IT_KAM_LOG" 2>&1 &
	IT_KAM_PID=$!
	it_track "$IT_KAM_PID" group
	IT_PROC[kamailio]=$IT_KAM_PID
	it__sip_ping "$IT_KAM_PORT" "$IT_KAM_PID" "${IT_READY_TIMEOUT:-10}"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		if [ "$rc" -eq 2 ]; then
			printf '%s: kamailio exited during start-up\n' "$IT_NAME" >&2
		else
			printf '%s: kamailio did not answer OPTIONS on 127.0.0.1:%s within %ss\n' \
				"$IT_NAME" "$IT_KAM_PORT" "${IT_READY_TIMEOUT:-10}" >&2
		fi
		it__log_tail >&2
		return 1
	fi
	return 0
}

# it_kamcmd ARGS... : run kamcmd (env KAMCMD, default kamcmd from PATH)
# against the ctl socket of the Kamailio under test, e.g.
#   it_kamcmd stats.get_statistics sipoutcome:
it_kamcmd() {
	"${KAMCMD:-kamcmd}" -s "unix:$WORK/kamailio_ctl" "$@"
}

# it_kamailio_stop : stop the Kamailio of it_kamailio_start (TERM, bounded
# wait, KILL) so a test can read its shutdown log lines.
it_kamailio_stop() {
	[ -n "$IT_KAM_PID" ] || return 0
	it_stop "$IT_KAM_PID"
}

# it__sip_ping PORT PID SECONDS : send OPTIONS to 127.0.0.1:PORT every
# 100 ms until any SIP reply arrives (0), PID is gone (2) or time is up (1).
it__sip_ping() {
	"$PYTHON" - "$@" <<'PY'
import socket, sys, time

port, pid, limit = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])

def alive():
    try:
        with open("/proc/%s/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
lport = s.getsockname()[1]
s.settimeout(0.1)
deadline = time.monotonic() + limit
n = 0
while time.monotonic() < deadline:
    if not alive():
        sys.exit(2)
    n += 1
    msg = ("OPTIONS sip:127.0.0.1:{p} SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:{l};branch=z9hG4bK-itping-{l}-{n};rport\r\n"
           "Max-Forwards: 70\r\n"
           "From: <sip:harness@127.0.0.1:{l}>;tag=itping{l}\r\n"
           "To: <sip:127.0.0.1:{p}>\r\n"
           "Call-ID: itping-{l}@127.0.0.1\r\n"
           "CSeq: {n} OPTIONS\r\n"
           "Content-Length: 0\r\n\r\n").format(p=port, l=lport, n=n)
    try:
        s.sendto(msg.encode(), ("127.0.0.1", port))
        if s.recv(65535).startswith(b"SIP/2.0 "):
            sys.exit(0)
    except socket.timeout:
        pass
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}

# ---------------------------------------------------------------- sipp

# it_uas_scenario CODE : print the path of a copy of examples/sipp/uas.xml
# whose final status code is CODE (200-699).  SIPp reads a response's code
# when it loads a scenario, so the code cannot be a -set variable.
it_uas_scenario() {
	local code=$1 out n
	if ! [[ $code =~ ^[2-6][0-9][0-9]$ ]]; then
		printf '%s: it_uas_scenario: bad final code %q\n' "$IT_NAME" "$code" >&2
		return 1
	fi
	out=$WORK/uas-$code.xml
	sed -e "s/^SIP\/2\.0 486 \[\$reason\]\$/SIP\/2.0 $code [\$reason]/" \
		-e "s/<assign assign_to=\"code\" value=\"486\"\/>/<assign assign_to=\"code\" value=\"$code\"\/>/" \
		"$IT_SIPP_DIR/uas.xml" >"$out" || return 1
	n=$(grep -c -e "^SIP/2\.0 $code \[\$reason\]\$" -e "assign_to=\"code\" value=\"$code\"" "$out")
	if [ "$n" != 3 ]; then
		printf '%s: it_uas_scenario: expected 3 code sites in uas.xml, found %s\n' \
			"$IT_NAME" "$n" >&2
		return 1
	fi
	echo "$out"
}

# Common sipp options: loopback only for SIP, media and the control socket
# (sipp picks free media/control ports itself, starting at 6000/8888).
it__sipp_common() {
	IT_SIPP_ARGS=(-i 127.0.0.1 -mi 127.0.0.1 -ci 127.0.0.1 -nostdin
		-trace_msg -message_file "$WORK/$1.msg"
		-trace_err -error_file "$WORK/$1.err"
		-trace_logs -log_file "$WORK/$1.log"
		-trace_screen -screen_file "$WORK/$1.screen")
}

# it_uas_start NAME PORT [SIPP_ARGS...] : start a sipp UAS on
# 127.0.0.1:PORT in the background (defaults -m 1, -timeout IT_UAS_TIMEOUT
# with -timeout_error; SIPP_ARGS come last and win, and must name the
# scenario: -sf FILE).  Files: $WORK/NAME.{out,msg,err,log,screen}.
# Returns once sipp has bound the port (ss -p shows its PID); 1 if sipp
# exits or does not bind within 5 s.
it_uas_start() {
	local name=$1 port=$2 pid i
	shift 2
	it__sipp_common "$name"
	"$SIPP" "${IT_SIPP_ARGS[@]}" -p "$port" -m 1 \
		-timeout "${IT_UAS_TIMEOUT:-120}s" -timeout_error \
		"$@" >"$WORK/$name.out" 2>&1 &
	pid=$!
	it_track "$pid"
	IT_PROC[$name]=$pid
	for ((i = 0; i < 100; i++)); do
		# Bound by this sipp, not by whoever else may hold the port.
		if ss -Hlunp "src 127.0.0.1 and sport = :$port" 2>/dev/null | grep -q "pid=$pid,"; then
			return 0
		fi
		if ! it__alive "$pid"; then
			printf '%s: sipp UAS %s exited during start-up:\n' "$IT_NAME" "$name" >&2
			it__sipp_errors "$name" >&2
			return 1
		fi
		sleep 0.05
	done
	printf '%s: sipp UAS %s did not bind 127.0.0.1:%s\n' "$IT_NAME" "$name" "$port" >&2
	return 1
}

# it_carrier_start NAME PORT CODE [SIPP_ARGS...] : it_uas_start with
# examples/sipp/uas.xml answering CODE; knobs as -set NAME VALUE (reason,
# extra, trying, ring, delay, final; see uas.xml).
it_carrier_start() {
	local name=$1 port=$2 sf
	sf=$(it_uas_scenario "$3") || return 1
	shift 3
	it_uas_start "$name" "$port" -sf "$sf" "$@"
}

# it_uas_wait NAME [TIMEOUT] : wait up to TIMEOUT seconds (default 10) for
# the sipp NAME to finish its calls; returns like it_uac_call, or 4 if it
# is still running.
it_uas_wait() {
	local name=$1 limit=${2:-10} pid i n rc
	pid=${IT_PROC[$name]:-}
	[ -n "$pid" ] || return 3
	n=$(it__ticks "$limit")
	for ((i = 0; i < n; i++)); do
		it__alive "$pid" || break
		sleep 0.05
	done
	it__alive "$pid" && return 4
	wait "$pid" 2>/dev/null
	rc=$?
	it__sipp_rc "$name" "$rc"
}

# it_call WHAT CODE [CARRIER_ARGS...] [-- CALLER_ARGS...] : the next call
# of a test (n+1): a carrier uas$n on 127.0.0.1:$uport answering CODE
# (it_carrier_start, CARRIER_ARGS as its -set knobs), then a caller uac$n
# to the proxy on $kport (it_uac_call with CALLER_ARGS). Uses the test's
# variables n (incremented), kport and uport. Returns it_uac_call's
# status; a carrier that does not start is a harness error (it_die).
it_call() {
	local what=$1 code=$2 carrier=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		carrier+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	n=$((n + 1))
	it_note "call $n: $what"
	it_carrier_start "uas$n" "$uport" "$code" "${carrier[@]}" ||
		it_die "carrier $n did not start"
	it_uac_call "uac$n" "$kport" "$@"
}

# it_uac_call NAME PROXY_PORT [SIPP_ARGS...] : one call from a sipp UAC to
# 127.0.0.1:PROXY_PORT with examples/sipp/uac.xml (unless SIPP_ARGS name
# -sf/-sn), -m 1, -timeout IT_UAC_TIMEOUT -timeout_error, the message trace
# in $WORK/NAME.msg.  Waits for it.  Returns 0 call completed, 1 call
# failed (sipp 1, or its -timeout hit), 2 no call processed (sipp 99), 3
# sipp itself failed (bad scenario or arguments, port in use, other exit
# codes; sipp's own code is in IT_SIPP_RC).  Never exits the test.
it_uac_call() {
	local name=$1 proxy=$2 port pid rc sf=()
	shift 2
	case " $* " in
	*" -sf "* | *" -sn "*) ;;
	*) sf=(-sf "$IT_SIPP_DIR/uac.xml") ;;
	esac
	port=$(it_free_port) || return 3
	it__sipp_common "$name"
	"$SIPP" "127.0.0.1:$proxy" "${IT_SIPP_ARGS[@]}" -p "$port" -m 1 \
		-timeout "${IT_UAC_TIMEOUT:-30}s" -timeout_error \
		"${sf[@]}" "$@" >"$WORK/$name.out" 2>&1 &
	pid=$!
	it_track "$pid"
	IT_PROC[$name]=$pid
	# `wait` (not a foreground job) so a signal to the test is handled now.
	wait "$pid"
	rc=$?
	it__sipp_rc "$name" "$rc"
}

# Map a sipp exit code (also stored in IT_SIPP_RC) to 0/1/2/3.  sipp also
# exits 1 when it cannot load its scenario: with no message traced, that is
# a sipp error (3), not a failed call.
it__sipp_rc() {
	local name=$1
	IT_SIPP_RC=$2
	case $IT_SIPP_RC in
	0) return 0 ;;
	1)
		if [ ! -s "$WORK/$name.msg" ]; then
			printf '%s: sipp %s failed before any SIP message:\n' "$IT_NAME" "$name" >&2
			it__sipp_errors "$name" >&2
			return 3
		fi
		printf '%s: sipp %s: a call failed (see %s/%s.*)\n' "$IT_NAME" "$name" "$WORK" "$name" >&2
		return 1
		;;
	99)
		printf '%s: sipp %s: no call processed\n' "$IT_NAME" "$name" >&2
		return 2
		;;
	255)
		# -timeout_error: the call was still running at the global timeout.
		if grep -a -q 'timed out after' "$WORK/$name.out" 2>/dev/null; then
			printf '%s: sipp %s: timed out, call not completed (see %s/%s.*)\n' \
				"$IT_NAME" "$name" "$WORK" "$name" >&2
			return 1
		fi
		;&
	*)
		printf '%s: sipp %s: exit code %s\n' "$IT_NAME" "$name" "$IT_SIPP_RC" >&2
		it__sipp_errors "$name" >&2
		return 3
		;;
	esac
}

# The error lines sipp printed (its screen output is long), then its error
# file.
it__sipp_errors() {
	grep -a -i -e error -e unable -e fatal -e 'timed out' "$WORK/$1.out" 2>/dev/null |
		grep -a -v -e 'UDP errors' -e '^The following events' | awk '!seen[$0]++' | head -n 5
	[ -s "$WORK/$1.err" ] && awk 'NR <= 20' "$WORK/$1.err"
	return 0
}

# Parse NAME's message trace.  MODE: final | all | header.
it__trace() {
	local mode=$1 name=$2 method=$3 header=${4:-}
	[ -f "$WORK/$name.msg" ] || return 1
	awk -v mode="$mode" -v want="$method" -v header="$header" '
	function flush(   n, i, line, code) {
		if (!inrx || status == "") { inrx = 0; return }
		inrx = 0
		if (toupper(cseq_method) != toupper(want)) return
		code = substr(status, 1, 3) + 0
		if (mode == "all") { print status; return }
		if (code < 200 || done) return
		done = 1
		if (mode == "final") { print status; exit }
		n = split(hdrs, line, "\n")
		for (i = 1; i <= n; i++)
			if (tolower(hname(line[i])) == tolower(header))
				print hvalue(line[i])
		exit
	}
	function hname(l) { sub(/[ \t]*:.*/, "", l); return l }
	function hvalue(l) { sub(/^[^:]*:[ \t]*/, "", l); return l }
	{ sub(/\r$/, "") }
	/^-----------------------------------------------( |$)/ { flush(); next }
	/ message received \[[0-9]+\] bytes :$/ {
		flush(); inrx = 1; state = 0; status = ""; cseq_method = ""; hdrs = ""
		next
	}
	/ message sent \([0-9]+ bytes\):$/ { flush(); next }
	inrx && state == 0 { if ($0 == "") next; state = 1 }
	inrx && state == 1 {
		if (status == "" && hdrs == "") {
			if ($0 !~ /^SIP\/2\.0 /) { inrx = 0; next }
			status = substr($0, 9)
			hdrs = "\n"
			next
		}
		if ($0 == "") { state = 2; next }
		hdrs = hdrs $0 "\n"
		if (tolower(hname($0)) == "cseq") {
			split(hvalue($0), cs, /[ \t]+/)
			cseq_method = cs[2]
		}
	}
	END { flush() }
	' "$WORK/$name.msg"
}

# it_received_status NAME [METHOD] : the status line (code and reason
# phrase, e.g. "486 Busy Here"; "486 " for an empty phrase) of the FIRST
# final response (>= 200) to METHOD (default INVITE) that the sipp NAME
# received.  Prints nothing if none arrived.
it_received_status() {
	it__trace final "$1" "${2:-INVITE}"
}

# it_received_statuses NAME [METHOD] : every response to METHOD (default
# INVITE) NAME received, in arrival order, one status line each:
# provisionals, finals and retransmissions.
it_received_statuses() {
	it__trace all "$1" "${2:-INVITE}"
}

# it_received_header NAME HEADER [METHOD] : the value(s) of HEADER (one line
# each, case-insensitive name, full form only) in that first final
# response to METHOD (default INVITE).
it_received_header() {
	it__trace header "$1" "${3:-INVITE}" "$2"
}

# ---------------------------------------------------------------- logs

# it_log_lines [-F] PATTERN : lines of $WORK/kamailio.log matching the
# extended regex PATTERN (-F: fixed string).
it_log_lines() {
	local opt=-E
	if [ "$1" = -F ]; then
		opt=-F
		shift
	fi
	grep -a "$opt" -e "$1" "${IT_KAM_LOG:-$WORK/kamailio.log}" 2>/dev/null
	return 0
}

# it_outcome_lines CALLID : the module's call line(s) for CALLID from
# "tag=" to "hint=...", without the keys that vary from run to run and
# that every call line ends with (attempts, pdd_ms, setup_ms).
it_outcome_lines() {
	it_log_lines -F "callid=$1 " | sed -n 's/.* sipoutcome: \(tag=.*\) attempts=[0-9]* pdd_ms=[0-9]* setup_ms=[0-9]*$/\1/p'
}

# it_log_count [-F] PATTERN : how many log lines match.
it_log_count() {
	it_log_lines "$@" | wc -l
}

# it_wait_log [-F] PATTERN COUNT TIMEOUT : poll the Kamailio log every
# 100 ms until at least COUNT lines match (0) or TIMEOUT seconds pass (1).
it_wait_log() {
	local f=() n i seen
	if [ "$1" = -F ]; then
		f=(-F)
		shift
	fi
	n=$(awk -v s="$3" 'BEGIN { n = int(s * 10 + 0.5); print (n < 1 ? 1 : n) }')
	for ((i = 0; i <= n; i++)); do
		seen=$(it_log_count "${f[@]}" "$1")
		[ "$seen" -ge "$2" ] && return 0
		[ "$i" -lt "$n" ] && sleep 0.1
	done
	printf '%s: it_wait_log: %s of %s lines matching %s after %ss\n' \
		"$IT_NAME" "$seen" "$2" "$1" "$3" >&2
	return 1
}

it__log_tail() {
	local log=${IT_KAM_LOG:-$WORK/kamailio.log}
	[ -f "$log" ] || return 0
	echo "--- last lines of $log:"
	tail -n "${IT_LOG_TAIL:-25}" "$log"
	echo "---"
}

# ---------------------------------------------------------------- asserts

# Show a value in quotes (control characters escaped, $'...'), cut to 300
# bytes, with its length, when longer.
it__show() {
	local v=$1 more=
	if [ "${#v}" -gt 300 ]; then
		more=$(printf '... (%d bytes)' "${#v}")
		v=${v:0:300}
	fi
	if [[ $v =~ [[:cntrl:]] ]]; then
		printf '%q%s' "$v" "$more"
	else
		printf "'%s'%s" "$v" "$more"
	fi
}

# it_pass WHAT / it_fail WHAT [DETAIL...] : count a result and print it.
it_pass() {
	IT_PASS=$((IT_PASS + 1))
	printf 'ok %d - %s\n' $((IT_PASS + IT_FAIL)) "$1"
}

it_fail() {
	local what=$1
	shift
	IT_FAIL=$((IT_FAIL + 1))
	printf 'not ok %d - %s\n' $((IT_PASS + IT_FAIL)) "$what"
	[ $# -gt 0 ] && printf '#   %s\n' "$@"
	it__log_tail | sed 's/^/#   /'
	return 1
}

# it_assert_eq WHAT EXPECTED ACTUAL : string equality.
it_assert_eq() {
	if [ "$2" = "$3" ]; then
		it_pass "$1"
	else
		it_fail "$1" "expected: $(it__show "$2")" "    seen: $(it__show "$3")"
	fi
}

# it_assert_match WHAT REGEX TEXT : TEXT matches the extended regex REGEX.
it_assert_match() {
	if [[ $3 =~ $2 ]]; then
		it_pass "$1"
	else
		it_fail "$1" "   regex: $2" "    seen: $(it__show "$3")"
	fi
}

# it_assert_log WHAT [-F] PATTERN COUNT [TIMEOUT] : the Kamailio log has
# exactly COUNT matching lines, waiting up to TIMEOUT s (default 2) for them
# to appear (COUNT 0 is checked at once).
it_assert_log() {
	local what=$1 f=() seen
	shift
	if [ "$1" = -F ]; then
		f=(-F)
		shift
	fi
	it_wait_log "${f[@]}" "$1" "$2" "${3:-2}" 2>/dev/null
	seen=$(it_log_count "${f[@]}" "$1")
	it_assert_eq "$what" "$2" "$seen"
}

# it_finish : print a one-line summary; exit 0 if every assertion passed,
# 1 if one failed, 99 if none ran (a test that checks nothing is broken).
it_finish() {
	local total=$((IT_PASS + IT_FAIL))
	printf '# %s: %d passed, %d failed\n' "$IT_NAME" "$IT_PASS" "$IT_FAIL"
	if [ "$total" -eq 0 ]; then
		printf '%s: ERROR: no assertion ran\n' "$IT_NAME" >&2
		exit 99
	fi
	[ "$IT_FAIL" -eq 0 ] && exit 0
	exit 1
}
