#!/usr/bin/env bash
# edits_load.sh (issue 12, defect 1): with forked SIP workers and the
# default track=route, EVERY final the caller gets carries the edits asked
# for. A carrier that answers at once (no 100 Trying) lets a worker relay
# the final before the worker that routed the INVITE has left its request
# route; the edits must not depend on that race.
#
# Kamailio: children=4, started without -D (kamailio -DD: the workers are
# forked), reason_mode annotate and outcome_header X-Outcome. The carrier
# answers every INVITE at once with "486 Busy<0x01>Here" (a control byte:
# the phrase must be repaired, RFC 3261 section 25.1 allows none), the
# caller places $CALLS calls (default 4000) with up to $CONC (default 50)
# at a time. Every final to an INVITE in the caller's message trace is
# counted: each must read "486 Busy Here [BUSY/busy]" with exactly one
# X-Outcome: BUSY;category=busy;retry=later.
#
# On one call in ten (sipp's call number ends in 0) the request route
# sleeps 30 ms after t_relay() (cfgutils usleep), as a production route
# spends time there on an accounting write, a DB query or an xlog. The
# carrier's final comes 3 to 25 ms after the INVITE (sipp's scheduler), so
# on those calls another worker relays it while the route is still
# running. Without the sleep the window is a few microseconds and the race
# shows on about one call in 100-250: a run on the code before the fix
# passed about two times in three; with it, it fails every time.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make check may use sh
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_setup
it_need_module

CALLS=${CALLS:-4000}
CONC=${CONC:-50}
kport=$(it_free_port) || it_die "no free port"
uport=$(it_free_port) || it_die "no free port"

it_kamailio_cfg "$WORK/k.cfg" PORT="$kport" UAS_PORT="$uport" \
	LOADMODULE="loadmodule \"cfgutils.so\"
loadmodule \"$IT_MODULE\"
modparam(\"sipoutcome\", \"reason_mode\", \"annotate\")
modparam(\"sipoutcome\", \"outcome_header\", \"X-Outcome\")" || it_die "cannot render k.cfg"
sed -i 's/^children=1$/children=4/' "$WORK/k.cfg"
grep -qx 'children=4' "$WORK/k.cfg" || it_die "children=4 not set in k.cfg"
sed -i 's/^\(\s*\)if (!t_relay()) {$/\1$var(relayed) = t_relay();\
\1if ($(ci{s.select,0,-}{s.int}) mod 10 == 0) usleep("30000");\
\1if ($var(relayed) <= 0) {/' "$WORK/k.cfg"
grep -q 'usleep("30000")' "$WORK/k.cfg" || it_die "the sleep after t_relay() not set in k.cfg"
# 4000 transactions live for wt_timer after their final: 6.0 needs more
# than the harness's default 64 MB of shm
IT_KAM_SHM=256 IT_KAM_FORK=-DD it_kamailio_start "$WORK/k.cfg" || it_die "Kamailio did not start"
workers=$(ps -eo pgid=,pid= | awk -v g="$IT_KAM_PID" '$1 == g' | wc -l)
it_assert_eq "Kamailio forked its workers (more than 5 processes in its group)" 1 \
	"$([ "$workers" -gt 5 ] && echo 1 || echo 0)"

it_carrier_start uas "$uport" 486 -m "$CALLS" -set trying 0 -set reason $'Busy\x01Here' ||
	it_die "the carrier did not start"
IT_UAC_TIMEOUT=50 it_uac_call uac "$kport" -m "$CALLS" -l "$CONC" -r 2000
it_assert_eq "the caller completed its $CALLS calls" 0 $?
it_uas_wait uas 10
it_assert_eq "the carrier finished its calls" 0 $? || it_stop "${IT_PROC[uas]}"

"$PYTHON" "$IT_LIB_DIR/data/finals.py" "$WORK/uac.msg" X-Outcome >"$WORK/finals.txt"
got=$(wc -l <"$WORK/finals.txt")
it_assert_eq "the caller got a final for each call (or more: retransmissions)" 1 \
	"$([ "$got" -ge "$CALLS" ] && echo 1 || echo 0)"
it_assert_eq "every final ($got) repaired and annotated, with one X-Outcome" "" \
	"$(grep -v -x -F $'486 Busy Here [BUSY/busy]\t1' "$WORK/finals.txt" | sort | uniq -c)"
it_assert_eq "one outcome line per call" "$CALLS" "$(it_log_count 'sipoutcome: tag=BUSY ')"
it_kamailio_stop
it_assert_eq "no ERROR logged" 0 "$(it_log_count ' ERROR: ')"
it_finish
