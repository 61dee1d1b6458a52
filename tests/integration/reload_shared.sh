#!/usr/bin/env bash
# reload_shared.sh (issue 12, defect 8): sipoutcome.reload reads and checks
# the profile files once, in the process that runs the RPC, and publishes
# the result to every worker: no worker reads a file on the reply path.
#
# Kamailio with 4 forked workers (kamailio -DD) and a profile whose 486
# rule carries hint "version one". The file is rewritten to say "version
# two", sipoutcome.reload is called, and right after it the file is
# overwritten with garbage. 40 calls then go through the workers: every
# call must be classified with "version two" (what the reload checked),
# and no worker may log a failed re-read of the garbage.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make check may use sh
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_setup
it_need_module
command -v "${KAMCMD:-kamcmd}" >/dev/null || it_skip "kamcmd not found"

kport=$(it_free_port) || it_die "no free port"
uport=$(it_free_port) || it_die "no free port"
prof=$WORK/carrier.profile
version() {
	printf 'profile carrier\nmatch code=486 set tag=BUSY category=busy retry=later blame=callee hint="version %s"\n' "$1" >"$prof"
}
version one
it_kamailio_cfg "$WORK/k.cfg" PORT="$kport" UAS_PORT="$uport" \
	LOADMODULE="loadmodule \"$IT_MODULE\"
modparam(\"sipoutcome\", \"profile\", \"$prof\")
modparam(\"sipoutcome\", \"default_vendor\", \"carrier\")" || it_die "render"
sed -i 's/^children=1$/children=4/' "$WORK/k.cfg"
IT_KAM_FORK=-DD it_kamailio_start "$WORK/k.cfg" || it_die "Kamailio did not start"

it_carrier_start uas "$uport" 486 -m 42 -set trying 0 -set reason "Busy Here" ||
	it_die "carrier did not start"
it_uac_call uac1 "$kport" -m 2
it_assert_eq "2 calls before the reload" 0 $?
it_assert_log "they are classified with version one" -F 'hint="version one"' 2

version two
out=$(it_kamcmd sipoutcome.reload 2>&1)
it_assert_eq "sipoutcome.reload succeeded" 0 $? || printf '# %s\n' "$out"
printf 'this is \x01 not a profile\n' >"$prof"
it_uac_call uac2 "$kport" -m 40 -l 8
it_assert_eq "40 calls after the reload" 0 $?
it_uas_wait uas 10
it_assert_eq "the carrier finished" 0 $? || it_stop "${IT_PROC[uas]}"
it_assert_log "every call after the reload classified with version two" \
	-F 'hint="version two"' 40
it_assert_eq "no worker re-read the file (no failed reload logged)" 0 \
	"$(it_log_count 'profile reload')"
it_kamailio_stop
it_assert_eq "no ERROR logged" 0 "$(it_log_count ' ERROR: ')"
it_finish
