#!/usr/bin/env bash
# shellcheck disable=SC2016 # single-quoted $... is Kamailio script text
# sipoutcome under load: 1,000 calls at 100 calls/s through one tm proxy,
# three kinds interleaved (400 x 486, 300 x 200 with ACK and BYE, 300 x 404)
# from three callers running at once, each to its own carrier.  Every call
# must complete, be logged exactly once (counted per Call-ID: none missing,
# no duplicates, nothing else logged) with the right outcome, and be counted
# once by the module's counters.  The load phase is bounded to 60 s.
# With attempts and metrics on, `sipoutcome report` of the log gives the
# same figures as the module's counters (sipoutcome.kpi, sipoutcome.metrics).
# make check may run tests with /bin/sh: continue in bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source=data/rp_helpers.sh
. "$IT_LIB_DIR/data/rp_helpers.sh"
it_setup
it_need_module

LIMIT=60 # seconds for the whole load phase

kport=$(it_free_port) || it_die "no free port"
# kind: name code calls rate(calls/s) carrier-port
kinds=(busy answered notfound)
declare -A code=([busy]=486 [answered]=200 [notfound]=404)
declare -A calls=([busy]=400 [answered]=300 [notfound]=300)
declare -A rate=([busy]=40 [answered]=30 [notfound]=30)
declare -A reason=([busy]="Busy Here" [answered]=OK [notfound]="Not Found")
declare -A tag=([busy]=BUSY [answered]=COMPLETED [notfound]=FAILED)
declare -A port
for k in "${kinds[@]}"; do
	port[$k]=$(it_free_port) || it_die "no free port"
done

# The R-URI user is the carrier's port: one proxy, three carriers.
it_kamailio_cfg "$WORK/k.cfg" PORT="$kport" UAS_PORT="${port[busy]}" \
	LOADMODULE="loadmodule \"$IT_MODULE\"
modparam(\"sipoutcome\", \"attempts\", 1)
modparam(\"sipoutcome\", \"metrics\", 1)" \
	INVITE_HOOK='$du = "sip:127.0.0.1:" + $rU;' ||
	it_die "cannot render the Kamailio config"
it_kamailio_start "$WORK/k.cfg" || it_die "Kamailio with sipoutcome did not start"

total=0
for k in "${kinds[@]}"; do
	total=$((total + calls[$k]))
	it_carrier_start "uas_$k" "${port[$k]}" "${code[$k]}" -set reason "${reason[$k]}" \
		-m "${calls[$k]}" -timeout "${LIMIT}s" || it_die "carrier $k did not start"
done

# The callers: sipp UACs in the background, tracked like every sipp.
start=$SECONDS
for k in "${kinds[@]}"; do
	it_uas_start "uac_$k" "$(it_free_port)" "127.0.0.1:$kport" \
		-sf "$IT_SIPP_DIR/uac.xml" -s "${port[$k]}" -m "${calls[$k]}" \
		-r "${rate[$k]}" -timeout "${LIMIT}s" ||
		it_die "caller $k did not start"
done
it_note "$total calls at $((rate[busy] + rate[answered] + rate[notfound])) calls/s"

for k in "${kinds[@]}"; do
	left=$((LIMIT - (SECONDS - start)))
	[ "$left" -lt 1 ] && left=1
	it_uas_wait "uac_$k" "$left"
	it_assert_eq "caller $k: every call completed (sipp exit 0)" 0 $?
done
for k in "${kinds[@]}"; do
	it_uas_wait "uas_$k" 5
	it_assert_eq "carrier $k: every call completed (sipp exit 0)" 0 $?
done
elapsed=$((SECONDS - start))
it_note "load phase: ${elapsed}s"
if [ "$elapsed" -lt "$LIMIT" ]; then
	it_pass "load phase took less than ${LIMIT}s (${elapsed}s)"
else
	it_fail "load phase took less than ${LIMIT}s" "took ${elapsed}s"
fi

# sipp's own statistics: cumulative "Successful call" of the last screen.
successful() {
	awk -F'|' '$1 ~ /^ *'"$2"' *$/ { v = $3 } END { gsub(/ /, "", v); print v + 0 }' \
		"$WORK/$1.screen"
}
for k in "${kinds[@]}"; do
	it_assert_eq "caller $k: sipp counted ${calls[$k]} successful calls" \
		"${calls[$k]}" "$(successful "uac_$k" 'Successful call')"
	it_assert_eq "caller $k: sipp counted 0 failed calls" \
		0 "$(successful "uac_$k" 'Failed call')"
done

# sent_callids NAME : the Call-ID of every INVITE the caller NAME sent.
sent_callids() {
	awk '
	{ sub(/\r$/, "") }
	/ message sent \([0-9]+ bytes\):$/ { tx = 1; first = 1; next }
	/ message received \[[0-9]+\] bytes :$/ { tx = 0; next }
	tx && first && $0 != "" { inv = ($0 ~ /^INVITE /); first = 0; next }
	tx && inv && tolower($0) ~ /^call-id:/ { sub(/^[^:]*:[ \t]*/, ""); print }
	' "$WORK/$1.msg" | sort -u
}

# Counters (read before stopping Kamailio).
stats=
if command -v "${KAMCMD:-kamcmd}" >/dev/null; then
	stats=$(it_kamcmd sipoutcome.stats 2>&1)
	it_kamcmd sipoutcome.kpi rfc >"$WORK/kpi.txt" 2>&1
	it_kamcmd sipoutcome.metrics >"$WORK/metrics.txt" 2>&1
fi

it_kamailio_stop

# One outcome line per Call-ID: per kind, lines with the expected tag and
# code; overall, the number of lines equals the number of calls.
rp_outcome_lines >"$WORK/outcomes.txt"
for k in "${kinds[@]}"; do
	sent_callids "uac_$k" >"$WORK/sent_$k.txt"
	it_assert_eq "caller $k: ${calls[$k]} distinct Call-IDs sent" "${calls[$k]}" \
		"$(wc -l <"$WORK/sent_$k.txt")"
	# For each sent Call-ID: how many lines, and are they all tag/code right.
	report=$(awk -v want_tag="tag=${tag[$k]}" -v want_code="code=${code[$k]}" '
		NR == FNR { sent[$0] = 1; n[$0] = 0; next }
		{
			cid = ""
			for (i = 1; i <= NF; i++)
				if ($i ~ /^callid=/) cid = substr($i, 8)
			if (!(cid in sent)) next
			n[cid]++
			if ($1 != want_tag || $2 != want_code) wrong++
		}
		END {
			for (c in n) {
				if (n[c] == 0) missing++
				else if (n[c] > 1) dup++
			}
			printf "missing=%d duplicated=%d wrong=%d\n", missing, dup, wrong
		}' "$WORK/sent_$k.txt" "$WORK/outcomes.txt")
	it_assert_eq "caller $k: every call logged once as ${tag[$k]} ${code[$k]}" \
		"missing=0 duplicated=0 wrong=0" "$report"
done
it_assert_eq "outcome lines == calls sent" "$total" "$(wc -l <"$WORK/outcomes.txt")"
it_assert_eq "outcome lines: one per distinct Call-ID" "$total" \
	"$(sed -n 's/.* callid=\([^ ]*\) .*/\1/p' "$WORK/outcomes.txt" | sort -u | wc -l)"

if [ -n "$stats" ]; then
	for k in "${kinds[@]}"; do
		c=$(tr '[:upper:]' '[:lower:]' <<<"${tag[$k]}")
		it_assert_eq "counter $c" "${calls[$k]}" "$(rp_counter "$stats" "$c")"
	done
	it_assert_eq "counters: tags sum to $total" "$total" \
		"$(rp_counter_sum "$stats" completed busy no_answer canceled failed)"
	it_assert_eq "counters: class_2xx, class_4xx" \
		"${calls[answered]} $((calls[busy] + calls[notfound]))" \
		"$(rp_counter "$stats" class_2xx) $(rp_counter "$stats" class_4xx)"
	it_assert_eq "counters: vendor_rfc" "$total" "$(rp_counter "$stats" vendor_rfc)"
else
	it_note "kamcmd not found: counters not checked"
fi

# The report of this log against the counters (issue 13, item 7).
CLI=${top_builddir:-$IT_LIB_DIR/../..}/module/cli/sipoutcome
if [ -n "$stats" ] && [ -x "$CLI" ]; then
	"$CLI" report --format json "$IT_KAM_LOG" >"$WORK/report.json" 2>"$WORK/report.err"
	it_assert_eq "report: exit 0" 0 $?
	cmp=$("$PYTHON" - "$WORK/report.json" "$WORK/kpi.txt" "$WORK/metrics.txt" <<'PY'
import json, re, sys
rep = json.load(open(sys.argv[1]))
kpi = dict(re.findall(r'^\s*([a-z_0-9]+): (\S*)$', open(sys.argv[2]).read(), re.M))
met = open(sys.argv[3]).read()
calls = {}
for lab, v in re.findall(r'kamailio_sipoutcome_calls_total\{([^}]*)\} (\d+)', met):
    tag = re.search(r'tag="([A-Z_]+)"', lab).group(1)
    calls[tag] = calls.get(tag, 0) + int(v)
att = sum(int(v) for v in re.findall(r'kamailio_sipoutcome_attempts_total\{[^}]*\} (\d+)', met))
g = [x for x in rep["groups"] if x["section"] == "vendor" and x["name"] == "rfc"][0]
out = []
out.append("calls report=%d kpi=%s" % (rep["calls"], kpi.get("calls")))
out.append("attempts report=%d metrics=%d" % (rep["attempts"], att))
out.append("tags report=%s metrics=%s" % (sorted((k, v) for k, v in g["tags"].items() if v), sorted(calls.items())))
for k in ("asr", "ner", "ser", "seer", "isa"):
    out.append("%s report=%.1f kpi=%.1f" % (k, g[k], float(kpi.get(k) or "nan")))
bad = [l for l in out if len(set(re.findall(r'=(\S.*?)(?= \w+=|$)', l))) != 1]
print("ok" if not bad else "\n".join(bad))
PY
)
	it_assert_eq "report == counters (calls, attempts, tags, ASR NER SER SEER ISA)" ok "$cmp"
	it_assert_match "report: 1000 calls" '"calls": 1000,' "$(cat "$WORK/report.json")"
fi

it_assert_eq "Kamailio logged no ERROR" 0 "$(it_log_count ' ERROR: ')"

it_finish
