#!/usr/bin/env bash
# Counts the results of an automake `make check` run, for scripts/test.sh
# and scripts/sanitize.sh:
#
#   scripts/count-results.sh TESTS_DIR STAMP
#
# Reads every .trs under TESTS_DIR newer than the file STAMP (so results
# of an earlier run or of tests not run now are not counted). A cmocka
# program counts its own cases ("[  PASSED  ] N test(s)."); any other test
# is one case. A program whose cases passed but which did not exit PASS
# (a sanitizer report, a crash) counts one more failure. Prints the tail
# of the log of every test that did not pass, then the line
# "PASSED FAILED SKIPPED PROGRAMS" (four numbers) last.
set -u
dir=$1 stamp=$2
passed=0 failed=0 skipped=0 programs=0
while IFS= read -r trs; do
	programs=$((programs + 1))
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
done < <(find "$dir" -name '*.trs' -newer "$stamp" | sort)
echo "$passed $failed $skipped $programs"
