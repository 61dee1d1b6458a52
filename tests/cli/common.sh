# tests/cli/common.sh: sourced by the tests/cli/*.sh scripts (not a test).
#
# make check runs each script with $(SHELL) and passes top_srcdir and
# top_builddir (absolute) from AM_TESTS_ENVIRONMENT; run by hand, both
# default to this source tree. Exit codes follow automake's harness:
# 0 pass, 1 fail, 77 skip, 99 hard error.
#
# Environment:
#   SIPOUTCOME               the tool (default $top_builddir/module/cli/sipoutcome)
#   SIPOUTCOME_CLI_WRAPPER   a command put in front of every run of the tool,
#                            e.g. "valgrind -q --leak-check=full --error-exitcode=99"
#   KEEP_WORK=1              keep the scratch directory (its path is printed)

set -u

CLI_DIR=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$CLI_DIR/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
DATA=$top_srcdir/tests/cli/data
SIPOUTCOME=${SIPOUTCOME:-$top_builddir/module/cli/sipoutcome}
SIPOUTCOME_CLI_WRAPPER=${SIPOUTCOME_CLI_WRAPPER:-}

CHECKS=0
FAILS=0

if [ ! -x "$SIPOUTCOME" ]; then
	echo "ERROR: $SIPOUTCOME is not built" >&2
	exit 99
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sipoutcome-cli.XXXXXX") || exit 99
cleanup_work() {
	if [ "${KEEP_WORK:-0}" = 1 ]; then
		echo "# kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup_work EXIT

# run ARG...: run the tool; stdout in $WORK/out, stderr in $WORK/err, the
# exit status in $RC. Runs in the current directory.
run() {
	# shellcheck disable=SC2086 # the wrapper is a command with arguments
	$SIPOUTCOME_CLI_WRAPPER "$SIPOUTCOME" "$@" >"$WORK/out" 2>"$WORK/err"
	RC=$?
}

pass() {
	CHECKS=$((CHECKS + 1))
	echo "ok - $1"
}

fail() {
	CHECKS=$((CHECKS + 1))
	FAILS=$((FAILS + 1))
	echo "not ok - $1"
	shift
	for l in "$@"; do echo "#   $l"; done
}

# check_rc WHAT EXPECTED: the last run's exit status.
check_rc() {
	if [ "$RC" = "$2" ]; then
		pass "$1: exit $2"
	else
		fail "$1: exit $RC, expected $2" "stderr: $(head -c 400 "$WORK/err")"
	fi
}

# check_file WHAT EXPECTED_FILE ACTUAL_FILE: identical contents.
check_file() {
	if cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1" "differs from $2:"
		diff -u "$2" "$3" | head -40 | sed 's/^/#   /'
	fi
}

# check_grep WHAT PATTERN FILE: FILE has a line matching the fixed string.
check_grep() {
	if grep -qF -- "$2" "$3"; then
		pass "$1"
	else
		fail "$1" "no line with: $2" "in: $(head -c 600 "$3")"
	fi
}

# check_no_grep WHAT PATTERN FILE: FILE has no line with the fixed string.
check_no_grep() {
	if grep -qF -- "$2" "$3"; then
		fail "$1" "unexpected line with: $2"
	else
		pass "$1"
	fi
}

# check_json WHAT FILE: FILE is valid JSON (python3 -m json.tool); a note,
# not a failure, when python3 is missing.
check_json() {
	if ! command -v python3 >/dev/null 2>&1; then
		echo "# $1: python3 missing, JSON not validated"
		return 0
	fi
	if python3 -m json.tool "$2" >/dev/null 2>"$WORK/json.err"; then
		pass "$1: valid JSON"
	else
		fail "$1: invalid JSON" "$(cat "$WORK/json.err")"
	fi
}

# finish: the summary line and the exit status.
finish() {
	echo "# $CHECKS checks, $FAILS failed"
	[ "$FAILS" -eq 0 ] && exit 0
	exit 1
}
