#!/usr/bin/env bash
# tests/bench/reload.sh: what a profile reload costs the calls in flight.
# Kamailio with 4 forked SIP workers (kamailio -DD, children=4) and a
# profile file of about 750 KB (RULES rules, default 9000) relays calls to
# a carrier that answers every INVITE at once with 486
# (tests/integration/data/hostile_uas.py). reload_uac.py places CALLS calls
# (default 3000), CONC at a time (default 10), twice: without reloads, and
# with `kamcmd sipoutcome.reload` every 300 ms (at least 10 reloads: the
# calls go on until then; runs= counts them). Prints the INVITE-to-final
# percentiles of both runs (wall clock on a shared machine: compare the two
# lines of one run, not runs on different days).
#
#   tests/bench/reload.sh            (the module of this build tree)
#   SIPOUTCOME_MODULE=/path/sipoutcome.so tests/bench/reload.sh
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
here=$(cd "$(dirname "$0")" && pwd)
IT_NAME=reload-bench
# shellcheck source=../integration/lib.sh
. "$here/../integration/lib.sh"
it_setup
it_need_module
RULES=${RULES:-9000}
CALLS=${CALLS:-3000}
CONC=${CONC:-10}

kport=$(it_free_port) || it_die "no free port"
uport=$(it_free_port) || it_die "no free port"
"$PYTHON" - "$WORK/big.profile" "$RULES" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
tags = ["BUSY category=busy", "FAILED category=congestion",
        "NO_ANSWER category=no_answer", "FAILED category=invalid_number"]
with open(path, "w") as f:
    f.write("profile big\ndescription \"a large carrier catalogue\"\n")
    for i in range(n):
        f.write('match code=%d phrase="carrier cause text number %06d" set tag=%s\n'
                % (400 + i % 200, i, tags[i % 4]))
PY
it_note "profile: $(wc -c <"$WORK/big.profile") bytes, $RULES rules; module $IT_MODULE"
it_kamailio_cfg "$WORK/k.cfg" PORT="$kport" UAS_PORT="$uport" \
	LOADMODULE="loadmodule \"$IT_MODULE\"
modparam(\"sipoutcome\", \"profile\", \"$WORK/big.profile\")" || it_die "render"
sed -i 's/^children=1$/children=4/' "$WORK/k.cfg"
IT_READY_TIMEOUT=60 IT_KAM_FORK=-DD it_kamailio_start "$WORK/k.cfg" || it_die "Kamailio did not start"
"$PYTHON" "$here/../integration/data/hostile_uas.py" --port "$uport" --lifetime 600 \
	--log "$WORK/uas.log" &
it_track $!
for i in $(seq 50); do
	ss -Hlun "src 127.0.0.1 and sport = :$uport" | grep -q . && break
	sleep 0.1
done
"$PYTHON" "$here/reload_uac.py" --proxy "$kport" --calls 200 --conc "$CONC" >/dev/null # warm-up
echo "no reload:            $("$PYTHON" "$here/reload_uac.py" --proxy "$kport" --calls "$CALLS" --conc "$CONC")"
echo "reload every 300 ms:  $("$PYTHON" "$here/reload_uac.py" --proxy "$kport" --calls "$CALLS" --conc "$CONC" \
	--during-cmd "${KAMCMD:-kamcmd} -s unix:$WORK/kamailio_ctl sipoutcome.reload" --every 300 --reloads 10)"
