#!/bin/sh
# sipoutcome report: counts per tag, code and vendor of the module's log
# lines, as a table, CSV and JSON; lines that are not ours are ignored,
# ours that do not parse are reported with FILE:LINE (exit 1).
. "$(dirname "$0")/common.sh"
cd "$DATA" || exit 99

# report.log: 12 outcome lines (Kamailio's stderr prefix, syslog's, bare),
# 3 other lines, quoted values with escaped quotes.
run report report.log
check_rc "report report.log" 0
check_file "report: table" report.table "$WORK/out"
check_file "report: nothing on stderr" /dev/null "$WORK/err"
run report --format table report.log
check_file "report --format table is the default" report.table "$WORK/out"
for l in "12 outcomes, 0 unreadable lines" "COMPLETED      4    33.3%" \
	"486   Busy Here                    2    16.7%" \
	"499   (unregistered)               1     8.3%" "okitoki      4    33.3%"; do
	check_grep "table: $l" "$l" "$WORK/out"
done

run report --format csv report.log
check_rc "report --format csv" 0
check_file "report: CSV" report.csv "$WORK/out"
for l in "section,key,count,percent" "total,outcomes,12," "tag,FAILED,4,33.3" \
	"code,200,4,33.3" "vendor,rfc,6,50.0" "vendor,8x8,2,16.7"; do
	check_grep "CSV: $l" "$l" "$WORK/out"
done
if [ "$(grep -c '^code,' "$WORK/out")" = 8 ] && [ "$(grep -c '^tag,' "$WORK/out")" = 5 ]; then
	pass "CSV: 5 tag rows, 8 code rows"
else
	fail "CSV: 5 tag rows, 8 code rows"
fi

run report --format json report.log
check_rc "report --format json" 0
check_json "report --format json" "$WORK/out"
check_file "report: JSON" report.json "$WORK/out"
if command -v python3 >/dev/null 2>&1; then
	if python3 - "$WORK/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
tags = {t["tag"]: t["count"] for t in d["tags"]}
codes = {c["code"]: c["count"] for c in d["codes"]}
vendors = {v["vendor"]: (v["count"], v["percent"]) for v in d["vendors"]}
assert d["total"] == 12 and d["unreadable"] == 0, d
assert tags == {"COMPLETED": 4, "BUSY": 2, "NO_ANSWER": 1, "CANCELED": 1, "FAILED": 4}, tags
assert codes == {200: 4, 404: 1, 480: 1, 486: 2, 487: 1, 499: 1, 503: 1, 603: 1}, codes
assert vendors == {"rfc": (6, 50.0), "okitoki": (4, 33.3), "8x8": (2, 16.7)}, vendors
assert sum(tags.values()) == sum(codes.values()) == d["total"]
PY
	then
		pass "JSON: the counts add up"
	else
		fail "JSON: the counts add up"
	fi
fi

# Unreadable lines of ours: FILE:LINE on stderr, not counted, exit 1; the
# readable ones are still counted.
run report report-bad.log
check_rc "report report-bad.log" 1
check_file "report-bad: stderr" report-bad.stderr "$WORK/err"
check_file "report-bad: table" report-bad.table "$WORK/out"
run report --format json report-bad.log
check_json "report-bad --format json" "$WORK/out"
check_grep "report-bad JSON: 4 unreadable" '"unreadable": 4' "$WORK/out"

# A real Kamailio log (module loaded, three calls) and stdin.
run report --format csv kamailio-3calls.log
check_grep "Kamailio's log: 3 outcomes" "total,outcomes,3," "$WORK/out"
run report --format csv - <kamailio-3calls.log
check_grep "report - reads stdin" "total,outcomes,3," "$WORK/out"
run report --format csv <kamailio-3calls.log
check_grep "report without LOG reads stdin" "total,outcomes,3," "$WORK/out"
run report --format csv report.log kamailio-3calls.log
check_grep "two logs add up" "total,outcomes,15," "$WORK/out"
check_grep "two logs: 5 COMPLETED" "tag,COMPLETED,5,33.3" "$WORK/out"

# classify's output is a log of ours too.
run classify sipp-3calls.trace
cp "$WORK/out" "$WORK/classified.log"
run report --format csv "$WORK/classified.log"
check_grep "report of classify's output" "tag,CANCELED,1,33.3" "$WORK/out"

# Empty input, missing file, bad format.
run report --format json /dev/null
check_rc "report of an empty log" 0
check_json "report of an empty log" "$WORK/out"
run report no-such.log
check_rc "report of a missing file" 1
run report --format xml report.log
check_rc "report --format xml" 2

finish
