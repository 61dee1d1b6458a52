#!/bin/sh
# sipoutcome: --help, --version, usage errors (exit 2), and the man page.
. "$(dirname "$0")/common.sh"
cd "$WORK" || exit 99

run --help
check_rc "--help" 0
for w in "Usage: sipoutcome" "explain CODE" "classify" "report" "--vendor" \
	"--profile" "--format" "--methods" "--version"; do
	check_grep "--help mentions $w" "$w" "$WORK/out"
done
run --version
check_rc "--version" 0
if grep -Eq '^sipoutcome [0-9]+\.[0-9]+\.[0-9]+$' "$WORK/out"; then
	pass "--version prints 'sipoutcome X.Y.Z'"
else
	fail "--version prints 'sipoutcome X.Y.Z'" "$(cat "$WORK/out")"
fi
for c in explain classify report; do
	run "$c" --help
	check_rc "$c --help" 0
done

run
check_rc "no command" 2
check_grep "no command: the usage goes to stderr" "Usage: sipoutcome" "$WORK/err"
run frobnicate
check_rc "unknown command" 2
check_grep "unknown command is named" "unknown command 'frobnicate'" "$WORK/err"
run explain 486 --no-such-option
check_rc "unknown option" 2
run classify --vendor
check_rc "option without its value" 2
run explain 486 --format xml
check_rc "explain --format xml" 2
check_grep "explain names its formats" "explain: --format is text or json" "$WORK/err"
run classify --format text /dev/null
check_rc "classify --format text" 2
check_grep "classify names its formats" "classify: --format is logfmt or json" "$WORK/err"
run explain 486 --format json --vendor okitoki
check_rc "explain --format json --vendor okitoki" 0
check_grep "explain json with the vendor" '"vendor": "okitoki"' "$WORK/out"

# The man page: the sections the project asks for, and clean troff.
man1=$top_srcdir/module/cli/sipoutcome.1
for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	if grep -q "^\.SH \"*$s\"*\$" "$man1"; then
		pass "sipoutcome.1 has $s"
	else
		fail "sipoutcome.1 has $s"
	fi
done
if command -v groff >/dev/null 2>&1; then
	if groff -man -Tutf8 -ww -z "$man1" >"$WORK/groff" 2>&1 && [ ! -s "$WORK/groff" ]; then
		pass "sipoutcome.1 renders without groff warnings"
	else
		fail "sipoutcome.1 renders without groff warnings" "$(head -5 "$WORK/groff")"
	fi
else
	echo "# groff missing: sipoutcome.1 not rendered"
fi

finish
