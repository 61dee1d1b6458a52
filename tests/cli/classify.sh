#!/bin/sh
# sipoutcome classify: every fixture against the expected output beside it,
# then stdin, several files, malformed input, --methods, --vendor,
# --format json, and sameness with the module's own log lines.
. "$(dirname "$0")/common.sh"
cd "$DATA" || exit 99

# Data-driven: NAME.sip or NAME.trace -> NAME.expected (stdout) and, when
# errors are expected, NAME.stderr (exit status 1; else 0 and no stderr).
# tests/cli/regen-expected.sh rewrites them.
for f in *.sip *.trace; do
	base=${f%.*}
	if [ ! -f "$base.expected" ]; then
		fail "classify $f: $base.expected is missing"
		continue
	fi
	run classify "$f"
	if [ -f "$base.stderr" ]; then
		check_rc "classify $f" 1
		check_file "classify $f: stderr" "$base.stderr" "$WORK/err"
	else
		check_rc "classify $f" 0
		check_file "classify $f: no stderr" /dev/null "$WORK/err"
	fi
	check_file "classify $f: stdout" "$base.expected" "$WORK/out"
done

# Every line has the module's keys, in the module's order.
cat ./*.expected >"$WORK/all"
if grep -Ev '^sipoutcome: tag=[A-Z_]+ code=[1-6][0-9][0-9] class=[1-6]xx category=[a-z_]+ retry=[a-z]+ blame=[a-z]+ source=remote ringing=[01] callid=.* reason=.* vendor=[^ ]+ q850=[0-9]* hint=.*$' "$WORK/all" >"$WORK/bad"; then
	fail "every result line has the module's keys in order" "$(head -3 "$WORK/bad")"
else
	pass "every result line has the module's keys in order"
fi

# The same calls, seen by Kamailio with the module loaded (its log) and by
# Kamailio's sipdump module (both sides of the proxy): the same lines.
grep -o 'sipoutcome: tag=.*' kamailio-3calls.log >"$WORK/module.lines"
run classify kamailio-sipdump-3calls.trace
check_file "classify of the sipdump capture = the module's log lines" \
	"$WORK/module.lines" "$WORK/out"

# Malformed input: each problem with FILE:LINE, the next message still read,
# exit 1.
run classify malformed-stream.sip
check_rc "classify malformed-stream.sip" 1
for l in "malformed-stream.sip:13: not part of a SIP message" \
	"malformed-stream.sip:21: status code 99 is outside 100..699" \
	"malformed-stream.sip:39: status code 999 is outside 100..699" \
	"malformed-stream.sip:48: no CSeq header" \
	"malformed-stream.sip:56: binary data" \
	"malformed-stream.sip:61: truncated body"; do
	check_grep "reported: $l" "$l" "$WORK/err"
done
check_grep "the message after the bad ones is classified" \
	"callid=after-the-bad-one@192.0.2.10" "$WORK/out"
check_grep "a message between bad ones is classified" \
	"callid=between-the-bad-ones@192.0.2.10" "$WORK/out"

# Standard input: "-", and no FILE at all.
run classify - <486-busy-q850.sip
check_rc "classify - < 486-busy-q850.sip" 0
check_file "classify -: stdout" 486-busy-q850.expected "$WORK/out"
run classify <486-busy-q850.sip
check_file "classify without FILE reads stdin" 486-busy-q850.expected "$WORK/out"
run classify - <bad-code-99.sip
check_grep "errors on stdin say <stdin>:LINE" "<stdin>:1: status code 99" "$WORK/err"

# Several files, one missing: it goes on, exit 1.
run classify 200-ok.sip no-such-file.sip 404-not-found.sip
check_rc "classify with a missing file" 1
check_grep "the missing file is reported" "no-such-file.sip: cannot read" "$WORK/err"
cat 200-ok.expected 404-not-found.expected >"$WORK/two"
check_file "the files around the missing one are classified" "$WORK/two" "$WORK/out"
run classify /dev/null
check_rc "classify an empty input" 0
check_file "an empty input prints nothing" /dev/null "$WORK/out"

# --methods: the BYE of the answered sipp call counts only when asked for.
run classify --methods INVITE,BYE sipp-3calls.trace
check_rc "classify --methods INVITE,BYE" 0
if [ "$(grep -c 'code=200' "$WORK/out")" = 2 ]; then
	pass "--methods INVITE,BYE adds the BYE's 200"
else
	fail "--methods INVITE,BYE adds the BYE's 200" "$(cat "$WORK/out")"
fi
run classify --methods BYE 486-busy-q850.sip
check_file "--methods BYE skips INVITE responses" /dev/null "$WORK/out"
run classify --methods SUBSCRIBE,NOTIFY subscribe-notify.sip
check_rc "classify --methods SUBSCRIBE,NOTIFY" 0
if [ "$(grep -c 'tag=COMPLETED' "$WORK/out")" = 2 ]; then
	pass "SUBSCRIBE's 202 and NOTIFY's 200 (a sipfrag body) are classified"
else
	fail "SUBSCRIBE's 202 and NOTIFY's 200 (a sipfrag body) are classified" "$(cat "$WORK/out" "$WORK/err")"
fi
run classify --methods 'INVITE,,BYE' 486-busy-q850.sip
check_rc "--methods with an empty name" 2

# --vendor and --profile
run classify --vendor okitoki 486-busy-q850.sip
check_grep "--vendor okitoki is on the line" "vendor=okitoki" "$WORK/out"
run classify --profile override-603.profile --vendor cli-test-603 sngrep-export.sip
check_grep "--profile: the file's profile classifies" \
	"tag=FAILED code=603 class=6xx category=unwanted" "$WORK/out"
check_grep "--profile: its hint is on the line" \
	"hint=\"The carrier's spam filter refused the call; ask it to whitelist the caller ID.\"" "$WORK/out"
run classify --vendor no-such-vendor 486-busy-q850.sip
check_rc "classify --vendor no-such-vendor" 2
run classify --profile bad.profile 486-busy-q850.sip
check_rc "classify --profile bad.profile" 1

# --format json: one valid object per line, with what the log line lacks.
run classify --format json sipp-3calls.trace 486-busy-q850.sip
check_rc "classify --format json" 0
n=0
while IFS= read -r line; do
	n=$((n + 1))
	printf '%s\n' "$line" >"$WORK/line.json"
	check_json "classify --format json, line $n" "$WORK/line.json"
done <"$WORK/out"
[ "$n" = 4 ] && pass "classify --format json: 4 results" || fail "classify --format json: $n results, expected 4"
check_grep "JSON has Retry-After" '"retry_after":300' "$WORK/out"
check_grep "JSON has the canceled flag" '"canceled":1' "$WORK/out"
check_grep "JSON has file and line" '"file":"486-busy-q850.sip","line":1' "$WORK/out"
run classify --format xml 486-busy-q850.sip
check_rc "classify --format xml" 2

finish
