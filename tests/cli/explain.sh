#!/bin/sh
# sipoutcome explain: keys and values for a code, class fallback for
# unregistered codes, out-of-range codes, JSON, vendor and profile files.
. "$(dirname "$0")/common.sh"
cd "$DATA" || exit 99

KEYS="code phrase class registered read_as rfc tag category retry blame cause dialstatus vendor decided_by hint rewrite meaning"

run explain 486
check_rc "explain 486" 0
missing=
for k in $KEYS; do
	grep -q "^$k: " "$WORK/out" || missing="$missing $k"
done
if [ -z "$missing" ]; then
	pass "explain 486 prints every key"
else
	fail "explain 486 prints every key" "missing:$missing"
fi
for l in "code: 486" "phrase: Busy Here" "class: 4xx" "registered: yes" \
	"rfc: RFC 3261" "tag: BUSY" "category: busy" "blame: callee" "cause: 17" \
	"dialstatus: BUSY" "vendor: rfc"; do
	check_grep "explain 486: $l" "$l" "$WORK/out"
done

# Unregistered but in range: the x00 of the class (RFC 3261 §8.1.3.2).
run explain 499
check_rc "explain 499" 0
check_grep "499 is unregistered" "registered: no" "$WORK/out"
check_grep "499 is read as 400" "read_as: 400" "$WORK/out"
check_grep "499 has 400's phrase" "phrase: Bad Request" "$WORK/out"
check_grep "499 keeps its own code" "code: 499" "$WORK/out"
run explain 699
check_grep "699 is read as 600" "read_as: 600" "$WORK/out"

# Out of range, or not a code: usage error with a message.
for c in 99 700 999 1000 0486x abc ""; do
	run explain "$c"
	check_rc "explain '$c'" 2
	if grep -q "100..699" "$WORK/err"; then
		pass "explain '$c': the message names 100..699"
	else
		fail "explain '$c': message" "$(cat "$WORK/err")"
	fi
done
run explain
check_rc "explain without a code" 2
run explain 486 487
check_rc "explain with two codes" 2

# JSON
run explain 603 --format json
check_rc "explain 603 --format json" 0
check_json "explain 603 --format json" "$WORK/out"
check_grep "JSON has the tag" '"tag": "BUSY"' "$WORK/out"
run explain 499 --format json --reason "Client Gone"
check_json "explain 499 --format json --reason" "$WORK/out"
run explain 486 --format yaml
check_rc "explain --format yaml" 2

# Context options
run explain 487 --canceled
check_grep "487 after CANCEL is CANCELED" "tag: CANCELED" "$WORK/out"
run explain 487
check_grep "487 without CANCEL nor ringing is FAILED" "tag: FAILED" "$WORK/out"
run explain 480 --ringing
check_grep "480 after ringing is NO_ANSWER" "tag: NO_ANSWER" "$WORK/out"
run explain 480 --q850 17
check_grep "480 with Q.850 17 is BUSY" "tag: BUSY" "$WORK/out"
check_grep "480 with Q.850 17: decided by q850" "decided_by: q850" "$WORK/out"
run explain 480 --q850 128
check_rc "--q850 128" 2
run explain 486 --reason "Busy  here!"
check_grep "a nonstandard phrase is flagged" "reason_check: nonstandard" "$WORK/out"
run explain 486 --reason "Busy Here"
check_grep "the canonical phrase is ok" "reason_check: ok" "$WORK/out"

# 603 with a profile file of our own that overrides it.
run explain 603
cp "$WORK/out" "$WORK/603.rfc"
# As the module (default_vendor rfc): loading a profile does not select it,
# and the tool says so on stderr instead of ignoring the file silently.
run explain 603 --profile override-603.profile
check_rc "explain 603 --profile override-603.profile" 0
check_file "a --profile alone keeps rfc's meaning" "$WORK/603.rfc" "$WORK/out"
check_grep "a --profile alone: the note names rfc and the loaded profile" \
	"classifying with rfc, the module's default vendor; --vendor cli-test-603 uses" "$WORK/err"
run explain 603 --profile override-603.profile --vendor cli-test-603
cp "$WORK/out" "$WORK/603.own"
if grep -v '^vendor: ' "$WORK/603.rfc" >"$WORK/a" && grep -v '^vendor: ' "$WORK/603.own" >"$WORK/b" \
	&& ! cmp -s "$WORK/a" "$WORK/b"; then
	pass "explain 603: --profile override-603.profile differs from rfc"
else
	fail "explain 603: --profile override-603.profile is the same as rfc"
fi
check_grep "--vendor selects the loaded profile" "vendor: cli-test-603" "$WORK/603.own"
check_grep "the profile's 603 rule applies" "category: unwanted" "$WORK/603.own"
run explain 603 --profile override-603.profile --vendor rfc
check_grep "--vendor wins over the last --profile" "vendor: rfc" "$WORK/out"
check_file "explain 603 --vendor rfc is rfc's meaning" "$WORK/603.rfc" "$WORK/out"

# 603 with the built-in okitoki profile (being written alongside): it must
# differ from rfc when okitoki has a rule for 603; skipped while it has none.
run explain 603 --vendor okitoki
check_rc "explain 603 --vendor okitoki" 0
grep -v '^vendor: ' "$WORK/out" >"$WORK/b"
grep -v '^vendor: ' "$WORK/603.rfc" >"$WORK/a"
if grep -Eq '^match .*code=603( |$)' "$top_srcdir/data/profiles/okitoki.profile"; then
	if cmp -s "$WORK/a" "$WORK/b"; then
		fail "explain 603: okitoki has a 603 rule but explains 603 as rfc does"
	else
		pass "explain 603: --vendor okitoki differs from rfc"
	fi
else
	echo "# SKIP explain 603 --vendor okitoki: the built-in okitoki profile has no 603 rule yet"
fi

# Profile errors: unreadable or bad file (exit 1, with file and line),
# unknown vendor (usage error).
run explain 603 --profile bad.profile
check_rc "a bad profile file" 1
check_grep "the bad profile is reported with its line" "bad.profile:4:" "$WORK/err"
run explain 603 --profile no-such.profile
check_rc "a missing profile file" 1
check_grep "the missing profile is named" "no-such.profile" "$WORK/err"
run explain 603 --vendor no-such-vendor
check_rc "an unknown vendor" 2
check_grep "the known vendors are listed" "okitoki" "$WORK/err"

finish
