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

stamp=$(mktemp)
trap 'rm -f "$stamp"' EXIT
make -s -C tests check "$@" >/dev/null 2>&1
rc=$?

# Every unit, integration, CLI and fuzz test that ran now.
counts=$(bash scripts/count-results.sh tests "$stamp")
printf '%s\n' "$counts" | sed '$d'
read -r passed failed skipped programs <<<"$(printf '%s\n' "$counts" | tail -n1)"
[ "$programs" -gt 0 ] || failed=$((failed + 1)) # nothing ran
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
