#!/bin/sh
# Rewrite the expected outputs of tests/cli/classify.sh from the tool as
# built: data/NAME.expected (stdout of `sipoutcome classify NAME.sip` or
# NAME.trace) and data/NAME.stderr (only when there are errors).
# Not a test: run it when the engine's classification or a fixture changed
# on purpose, then review every line of `git diff tests/cli/data`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tool=${SIPOUTCOME:-$here/../../module/cli/sipoutcome}
cd "$here/data"
for f in *.sip *.trace; do
	base=${f%.*}
	rc=0
	"$tool" classify "$f" >"$base.expected" 2>"$base.stderr" || rc=$?
	[ -s "$base.stderr" ] || rm -f "$base.stderr"
	echo "$f: exit $rc"
done
