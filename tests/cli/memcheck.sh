#!/bin/sh
# sipoutcome under valgrind (memcheck): no invalid access, no leak of any
# kind, on the paths the other tests take (good and bad input, every
# format). Skipped (77) without valgrind.
. "$(dirname "$0")/common.sh"
cd "$DATA" || exit 99

command -v valgrind >/dev/null 2>&1 || { echo "# SKIP: valgrind missing"; exit 77; }
SIPOUTCOME_CLI_WRAPPER="valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all --error-exitcode=99"

# vg WHAT EXPECTED_EXIT ARG...: run under valgrind, 99 means valgrind errors.
vg() {
	what=$1 want=$2
	shift 2
	run "$@"
	if [ "$RC" = 99 ]; then
		fail "valgrind: $what" "$(grep '==' "$WORK/err" | head -20)"
	elif [ "$RC" != "$want" ]; then
		fail "valgrind: $what: exit $RC, expected $want"
	else
		pass "valgrind: $what"
	fi
}

vg "explain 486" 0 explain 486
vg "explain 499 --format json --reason" 0 explain 499 --format json --reason "Bad  Req"
vg "explain 603 --profile" 0 explain 603 --profile override-603.profile
vg "explain 999" 2 explain 999
vg "explain --vendor no-such" 2 explain 603 --vendor no-such
vg "explain --profile bad.profile" 1 explain 603 --profile bad.profile
vg "classify malformed-stream.sip" 1 classify malformed-stream.sip
vg "classify sipp + sipdump traces" 0 classify sipp-3calls.trace kamailio-sipdump-3calls.trace
vg "classify every fixture" 1 classify ./*.sip ./*.trace
vg "classify --format json" 0 classify --format json --methods INVITE,BYE sipp-3calls.trace
vg "classify a missing file" 1 classify no-such-file.sip
vg "classify stdin" 0 classify - <180-cancel-487.sip
vg "report table" 0 report report.log kamailio-3calls.log
vg "report csv, bad lines" 1 report --format csv report-bad.log
vg "report json" 0 report --format json report.log
vg "--help" 0 --help
vg "usage error" 2 frobnicate

finish
