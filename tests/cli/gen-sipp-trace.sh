#!/bin/sh
# Regenerate data/sipp-3calls.trace, the sipp -trace_msg fixture of the
# classify tests: three calls between data/sipp/uac.xml and data/sipp/uas.xml
# (answered, busy with Reason Q.850 cause 17, canceled after ringing).
# Usage: tests/cli/gen-sipp-trace.sh [OUTPUT] (default: the fixture).
# Not a test: run it by hand after changing the scenarios, then review the
# expected output (data/sipp-3calls.expected) and commit both.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/data/sipp-3calls.trace}
SIPP=${SIPP:-sipp}
work=$(mktemp -d)
uas_pid=
cleanup() {
	[ -n "$uas_pid" ] && kill "$uas_pid" 2>/dev/null || :
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

# A random unprivileged port pair; sipp fails fast if one is taken.
port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 20000 ))

"$SIPP" -sf "$here/data/sipp/uas.xml" -i 127.0.0.1 -p "$port" -m 3 \
	-nostdin -timeout 20s -timeout_error >"$work/uas.out" 2>&1 &
uas_pid=$!
# UDP: the caller retransmits its INVITE until the callee listens, so no
# readiness wait is needed.
"$SIPP" -sf "$here/data/sipp/uac.xml" -inf "$here/data/sipp/calls.csv" \
	-i 127.0.0.1 -p $((port + 1)) -m 3 -l 1 -nostdin \
	-timeout 20s -timeout_error \
	-trace_msg -message_file "$work/uac_messages.log" \
	"127.0.0.1:$port" >"$work/uac.out" 2>&1 || {
	echo "gen-sipp-trace: the sipp caller failed:" >&2
	cat "$work/uac.out" >&2
	exit 1
}
wait "$uas_pid" || { echo "gen-sipp-trace: the sipp callee failed" >&2; exit 1; }
uas_pid=
cp "$work/uac_messages.log" "$out"
echo "wrote $out"
