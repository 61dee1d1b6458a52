#!/bin/sh
# sipoutcome report: the "group by SIP result" report (issue 13, item 7):
# per vendor (call lines) and per gateway (attempt lines), tags and
# categories with counts and shares, ASR/NER/SER/SEER/ISA, PDD median and
# p95; one row per Call-ID; syslog, ISO and JSON-log-engine lines;
# --since/--until, --by hour; text, CSV, JSON; no outcome line is an error.
. "$(dirname "$0")/common.sh"
cd "$DATA" || exit 99

# report.log: 12 call lines (Kamailio's stderr prefix, syslog's, bare), 3
# other lines, quoted values with escaped quotes; 12 Call-IDs.
run report report.log
check_rc "report report.log" 0
check_file "report: nothing on stderr" /dev/null "$WORK/err"
for l in "12 calls (one per Call-ID), 0 attempts, 0 unreadable lines" \
	"VENDOR rfc: 6 calls" "VENDOR okitoki: 4 calls" "VENDOR 8x8: 2 calls" \
	"  COMPLETED            2   33.3%" "  line_limit           1   25.0%" \
	"  ASR 50.0%  NER 50.0%  SER 50.0%  SEER 50.0%  ISA 50.0%"; do
	check_grep "text: $l" "$l" "$WORK/out"
done
run report --format text report.log
cp "$WORK/out" "$WORK/text1"
run report report.log report.log
check_file "a log read twice: the same report (one row per Call-ID)" "$WORK/text1" "$WORK/out"

run report --format csv report.log
check_rc "report --format csv" 0
for l in "section,name,hour,key,value,count,share" "vendor,rfc,,total,,6,100.0" \
	"vendor,okitoki,,tag,FAILED,1,25.0" "vendor,8x8,,category,congestion,1,50.0" \
	"vendor,8x8,,kpi,isa,,50.0" "vendor,rfc,,kpi,seer,,50.0"; do
	check_grep "CSV: $l" "$l" "$WORK/out"
done

run report --format json report.log
check_rc "report --format json" 0
check_json "report --format json" "$WORK/out"
if command -v python3 >/dev/null 2>&1; then
	if python3 - "$WORK/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
g = {x["name"]: x for x in d["groups"]}
assert d["calls"] == 12 and d["attempts"] == 0 and d["unreadable"] == 0, d
assert [x["count"] for x in d["groups"]] == [6, 4, 2]
assert g["rfc"]["tags"] == {"COMPLETED": 2, "BUSY": 1, "NO_ANSWER": 0, "CANCELED": 1, "FAILED": 2}
assert sum(sum(x["tags"].values()) for x in d["groups"]) == 12
assert sum(sum(x["categories"].values()) for x in d["groups"]) == 12
# RFC 6076 4.7: 486 counts as effective; 8x8's 503 is ineffective (4.8)
assert g["8x8"]["isa"] == 50.0 and g["okitoki"]["seer"] == 100.0, g
PY
	then
		pass "JSON: the counts add up"
	else
		fail "JSON: the counts add up"
	fi
fi

# Attempt lines, PDD, timestamps: ISO (journalctl -o short-iso), a
# repeated line, --since/--until and --by hour; Kamailio's JSON log engine.
T=$WORK/timed.log
cat >"$T" <<'EOF2'
2026-12-03T10:05:00+0000 sbc1 kamailio[7]: NOTICE: sipoutcome-attempt: tag=FAILED code=503 class=5xx category=congestion retry=alternate blame=network source=remote ringing=0 callid=t1 reason="Service Unavailable" vendor=rfc q850= hint= branch=0 dst=sip:192.0.2.1:5060 pdd_ms= setup_ms=20
2026-12-03T10:05:01+0000 sbc1 kamailio[7]: NOTICE: sipoutcome-attempt: tag=COMPLETED code=200 class=2xx category=answered retry=no blame=callee source=remote ringing=1 callid=t1 reason=OK vendor=rfc q850= hint= branch=1 dst=sip:192.0.2.2:5060 pdd_ms=800 setup_ms=1500
2026-12-03T10:05:01+0000 sbc1 kamailio[7]: NOTICE: sipoutcome: tag=COMPLETED code=200 class=2xx category=answered retry=no blame=callee source=remote ringing=1 callid=t1 reason=OK vendor=rfc q850= hint= attempts=2 pdd_ms=800 setup_ms=1500
2026-12-03T10:05:01+0000 sbc1 kamailio[7]: NOTICE: sipoutcome: tag=COMPLETED code=200 class=2xx category=answered retry=no blame=callee source=remote ringing=1 callid=t1 reason=OK vendor=rfc q850= hint= attempts=2 pdd_ms=800 setup_ms=1500
2026-12-03T11:10:00+0000 sbc1 kamailio[7]: NOTICE: sipoutcome: tag=BUSY code=486 class=4xx category=busy retry=no blame=callee source=remote ringing=1 callid=t2 reason="Busy Here" vendor=rfc q850= hint= attempts=1 pdd_ms=200 setup_ms=900
2026-12-03T11:20:00+0000 sbc1 kamailio[7]: NOTICE: sipoutcome: tag=FAILED code=408 class=4xx category=no_response retry=alternate blame=network source=local ringing=0 callid=t3 reason="Request Timeout" vendor=rfc q850= hint= attempts=1 pdd_ms= setup_ms=32000
EOF2
run report "$T"
for l in "3 calls (one per Call-ID), 2 attempts, 0 unreadable lines" "GATEWAY 192.0.2.1:5060: 1 attempts" \
	"  ASR 33.3%  NER 66.7%  SER 33.3%  SEER 66.7%  ISA 33.3%  PDD median 200 ms p95 800 ms (2 rang)"; do
	check_grep "attempts and PDD: $l" "$l" "$WORK/out"
done
run report --since 2026-12-03T11:00 --until 2026-12-03T11:15 "$T"
check_grep "--since/--until: one call" "1 calls (one per Call-ID), 0 attempts" "$WORK/out"
run report --by hour --format csv "$T"
check_grep "--by hour: 10:00" "vendor,rfc,2026-12-03T10:00,total,,1,100.0" "$WORK/out"
check_grep "--by hour: 11:00" "vendor,rfc,2026-12-03T11:00,total,,2,100.0" "$WORK/out"
run report --since 2027-01-01 "$T"
check_rc "nothing in --since/--until: an error" 1
check_grep "... with a message" "no sipoutcome outcome lines" "$WORK/err"
# Kamailio's JSON log engine (log_engine_type="json"): the text is in "message"
J=$WORK/engine.log
printf '%s\n' '{"idx":1,"pid":7,"level":"NOTICE","module":"sipoutcome","message":"sipoutcome: tag=BUSY code=486 class=4xx category=busy retry=no blame=callee source=remote ringing=0 callid=j1 reason=\"Busy Here\" vendor=okitoki q850=17 hint= attempts=1 pdd_ms= setup_ms=40\n"}' \
	'{"idx":2,"pid":7,"level":"INFO","module":"core","message":"not ours\n"}' >"$J"
run report --log-engine=json --format csv "$J"
check_rc "--log-engine=json" 0
check_grep "--log-engine=json: okitoki BUSY" "vendor,okitoki,,tag,BUSY,1,100.0" "$WORK/out"
# the module's own JSON line (log_format json)
printf '%s\n' 'NOTICE: sipoutcome: {"tag":"NO_ANSWER","code":480,"class":"4xx","category":"no_answer","retry":"later","blame":"callee","source":"remote","ringing":1,"callid":"j2","reason":"Temporarily Unavailable","vendor":"rfc","q850":19,"hint":null,"attempts":1,"pdd_ms":300,"setup_ms":9000}' >"$WORK/mod.log"
run report --format csv "$WORK/mod.log"
check_grep "log_format json lines" "vendor,rfc,,tag,NO_ANSWER,1,100.0" "$WORK/out"

# Unreadable lines of ours: FILE:LINE on stderr, not counted, exit 1; the
# readable ones are still counted.
run report report-bad.log
check_rc "report report-bad.log" 1
check_file "report-bad: stderr" report-bad.stderr "$WORK/err"
run report --format json report-bad.log
check_json "report-bad --format json" "$WORK/out"
check_grep "report-bad JSON: 4 unreadable" '"unreadable": 4' "$WORK/out"

# A real Kamailio log (module loaded, three calls) and stdin.
run report --format json kamailio-3calls.log
check_grep "Kamailio's log: 3 calls" '"calls": 3' "$WORK/out"
run report --format json - <kamailio-3calls.log
check_grep "report - reads stdin" '"calls": 3' "$WORK/out"
run report --format json report.log kamailio-3calls.log
check_grep "two logs add up" '"calls": 15' "$WORK/out"

# classify's output is a log of ours too.
run classify sipp-3calls.trace
cp "$WORK/out" "$WORK/classified.log"
run report --format csv "$WORK/classified.log"
check_grep "report of classify's output" ",tag,CANCELED,1," "$WORK/out"

# Empty input, not a log, missing file, bad options: errors, never an
# all-zero report.
run report --format json /dev/null
check_rc "report of an empty log" 1
check_grep "empty log: the reason" "no sipoutcome outcome lines" "$WORK/err"
run report sipp-3calls.trace
check_rc "report of a file that is not a log" 1
run report no-such.log
check_rc "report of a missing file" 1
run report --format xml report.log
check_rc "report --format xml" 2
run report --by day report.log
check_rc "report --by day" 2
run report --since yesterday report.log
check_rc "report --since yesterday" 2

finish
