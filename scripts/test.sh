#!/usr/bin/env bash
# Runs every test: installs and builds what is missing (scripts/setup.sh),
# then `make check` (engine unit tests, Kamailio + sipp integration tests,
# command-line tool tests, fuzz corpus replay), then the engine tests again
# under AddressSanitizer and UBSan (scripts/sanitize.sh). Ends with one
# line "N passed, N failed, N skipped", counting unit-test cases and each
# other test program.
#
#   scripts/test.sh                  everything
#   scripts/test.sh TESTS='unit/test_codes integration/basic_codes.sh'
#                                    only those (no sanitizer run)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

make -s -C tests check "$@" >/dev/null 2>&1
rc=$?

# Count cases: a cmocka binary reports its own cases; any other test is
# one case (its .trs result). A unit binary that died counts as failed.
passed=0 failed=0 skipped=0
for trs in tests/unit/*.trs tests/integration/*.trs; do
	[ -f "$trs" ] || continue
	log=${trs%.trs}.log
	res=$(sed -n 's/^:test-result: //p' "$trs" | head -n1)
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" 2>/dev/null | tail -n1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" 2>/dev/null | tail -n1)
	if [ -n "$p" ]; then
		passed=$((passed + p))
		failed=$((failed + ${f:-0}))
		if [ "$res" != PASS ] && [ -z "$f" ]; then failed=$((failed + 1)); fi
	else
		case "$res" in
		PASS | XFAIL) passed=$((passed + 1)) ;;
		SKIP) skipped=$((skipped + 1)) ;;
		*) failed=$((failed + 1)) ;;
		esac
	fi
	if [ "$res" != PASS ] && [ "$res" != SKIP ]; then
		echo "---- $res: ${trs%.trs} (tail of $log)"
		tail -n 40 "$log"
	fi
done
[ -f tests/test-suite.log ] && grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR)' tests/test-suite.log
if [ "$#" -eq 0 ]; then
	echo "---- engine tests under AddressSanitizer and UBSan (scripts/sanitize.sh)"
	san=$(bash scripts/sanitize.sh 2>&1)
	san_rc=$?
	line=$(printf '%s\n' "$san" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n1)
	if [ -n "$line" ]; then
		sp=${line%% passed*}
		sf=${line#*passed, }
		sf=${sf%% failed*}
		passed=$((passed + sp))
		failed=$((failed + sf))
	fi
	if [ "$san_rc" -ne 0 ] || [ -z "$line" ]; then
		printf '%s\n' "$san" | tail -n 40
		[ -n "$line" ] && [ "${sf:-0}" -gt 0 ] || failed=$((failed + 1))
	fi
	echo "sanitizers: ${line:-no result}"
fi
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1 # make itself failed (build error): never report green
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
