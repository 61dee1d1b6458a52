#!/usr/bin/env bash
# failover.sh (issue 13, items 1, 3, 4, 5 and 6): examples/kamailio-failover.cfg
# as shipped, with the real dispatcher, xhttp and xhttp_prom modules, four
# SIP workers (children=4, forked), three sipp carriers in one dispatcher
# set (gw1, gw2 with the okitoki profile, gw3):
#   1. gw1 503 -> gw2 486 -> the caller gets 486 (retry=later, not
#      alternate: no third
#      attempt, gw3 sees no INVITE); gw1's congestion marks it inactive
#   2. gw1 silent (tm's fr_timer, 408 source=local, no_response) -> gw2 200
# Every attempt line is checked, then the counters: the labeled series
# scraped over HTTP from /metrics/sipoutcome, the flat ones from
# xhttp_prom's /metrics, and sipoutcome.kpi over RPC; every query of
# examples/grafana/sipoutcome.json names a series of the real scrape.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make check may use sh
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source=data/rp_helpers.sh
. "$IT_LIB_DIR/data/rp_helpers.sh"
it_setup
it_need_module
for m in dispatcher xhttp xhttp_prom ctl kex; do
	[ -f "$KAMAILIO_MODDIR/$m.so" ] || it_skip "no $m.so in $KAMAILIO_MODDIR"
done
EXAMPLE=${top_srcdir:-$IT_LIB_DIR/../..}/examples/kamailio-failover.cfg
[ -f "$EXAMPLE" ] || it_die "missing $EXAMPLE"

kport=$(it_free_port) || it_die "no free port"
hport=$(it_free_port) || it_die "no free port" # TCP: xhttp (free for UDP too, likely for TCP)
gw1=$(it_free_port) || it_die "no free port"
gw2=$(it_free_port) || it_die "no free port"
gw3=$(it_free_port) || it_die "no free port"

cat >"$WORK/ds.list" <<EOF
1 sip:127.0.0.1:$gw1 0 30 vendor=rfc
1 sip:127.0.0.1:$gw2 0 20 vendor=okitoki
1 sip:127.0.0.1:$gw3 0 10 vendor=rfc
EOF
sed -e "s/^listen=udp:127\.0\.0\.1:5060\$/listen=udp:127.0.0.1:$kport/" \
	-e "s/^listen=tcp:127\.0\.0\.1:8080\$/listen=tcp:127.0.0.1:$hport/" \
	"$EXAMPLE" >"$WORK/k.cfg" || it_die "cannot copy the example"
it_assert_eq "the example's two listen lines replaced" 2 \
	"$(grep -c -e "^listen=udp:127.0.0.1:$kport\$" -e "^listen=tcp:127.0.0.1:$hport\$" "$WORK/k.cfg")"
# a second -D: Kamailio forks its 4 workers, in the foreground
it_kamailio_start "$WORK/k.cfg" -D \
	-A "SIPOUTCOME_SO=\"$IT_MODULE\"" -A "MPATH=\"$KAMAILIO_MODDIR/\"" \
	-A "DS_LIST=\"$WORK/ds.list\"" -A "CTL_SOCK=\"unix:$WORK/kamailio_ctl\"" \
	-A "RUN_DIR=\"$WORK\"" || it_die "the failover example did not start"
it_assert_eq "no ERROR at start" 0 "$(it_log_count ' ERROR: ')"
it_assert_match "4 SIP workers" "udp receiver child=3" "$(it_kamcmd core.psx 2>&1)"

# ds_flags GW_PORT : dispatcher's flags of a gateway (AP active, IP ...)
ds_flags() {
	it_kamcmd dispatcher.list 2>&1 | awk -v u="sip:127.0.0.1:$1" '
		$1 == "URI:" { cur = $2 } $1 == "FLAGS:" && cur == u { print $2; exit }'
}
# http PATH : GET http://127.0.0.1:hport/PATH
http() {
	"$PYTHON" - "http://127.0.0.1:$hport$1" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
    sys.stdout.write(r.read().decode())
PY
}
# series TEXT NAME LABELS : the value of the series NAME{LABELS} in TEXT
series() {
	printf '%s\n' "$1" | awk -v want="$2{$3}" '$1 == want { print $2 }'
}

# ------------------------------------------------------------------ 1.
it_note "call 1: gw1 503 -> gw2 486 -> caller 486, gw3 untouched"
it_carrier_start gw1_1 "$gw1" 503 -set reason "Service Unavailable" || it_die gw1
it_carrier_start gw2_1 "$gw2" 486 -set reason "Busy Here" || it_die gw2
it_carrier_start gw3_1 "$gw3" 200 -set reason OK || it_die gw3
it_uac_call uac1 "$kport" -cid_str "fo-1-%u@%s"
it_assert_eq "call 1: caller completed" 0 $?
it_assert_eq "call 1: caller got 486" "486 Busy Here" "$(it_received_status uac1)"
cid1=$(rp_callid uac1)
it_wait_log -F " sipoutcome: tag=" 1 3 2>/dev/null
att=$(rp_attempt_lines "$cid1")
it_assert_eq "call 1: two attempt lines" 2 "$(printf '%s\n' "$att" | grep -c '^tag=')"
# RFC 3261 21.5.4: 503, the carrier is overloaded: try another one
rp_assert_tokens "call 1: attempt 0: gw1's 503, congestion, retry=alternate, rfc" \
	"$(printf '%s\n' "$att" | grep ' branch=0 ')" tag=FAILED code=503 \
	category=congestion retry=alternate source=remote vendor=rfc "dst=sip:127.0.0.1:$gw1"
rp_assert_tokens "call 1: attempt 1: gw2's 486, busy, retry=later (not alternate), okitoki" \
	"$(printf '%s\n' "$att" | grep ' branch=1 ')" tag=BUSY code=486 category=busy \
	retry=later source=remote vendor=okitoki "dst=sip:127.0.0.1:$gw2"
rp_assert_tokens "call 1: the call line: 486 under okitoki, attempts=2" "$(rp_call_line "$cid1")" \
	tag=BUSY code=486 vendor=okitoki attempts=2
it_uas_wait gw1_1 5 || it_stop "${IT_PROC[gw1_1]}"
it_uas_wait gw2_1 5 || it_stop "${IT_PROC[gw2_1]}"
it_assert_eq "call 1: gw3 got no INVITE" 0 \
	"$(grep -c '^INVITE ' "$WORK/gw3_1.msg" 2>/dev/null || true)"
it_stop "${IT_PROC[gw3_1]}"
it_assert_match "call 1: gw1 marked inactive+probing (ds_mark_dst ip)" '^IP' "$(ds_flags "$gw1")"
it_assert_match "call 1: gw2 still active" '^AP|^A' "$(ds_flags "$gw2")"
it_kamcmd dispatcher.set_state a 1 "sip:127.0.0.1:$gw1" >/dev/null 2>&1
it_assert_match "gw1 active again (dispatcher.set_state)" '^A' "$(ds_flags "$gw1")"

# ------------------------------------------------------------------ 2.
it_note "call 2: gw1 silent (fr_timer 2 s) -> gw2 180/200"
it_uas_start gw1_2 "$gw1" -sf "$(it_uas_scenario 486)" -set trying 0 -set final 0 || it_die gw1
it_carrier_start gw2_2 "$gw2" 200 -set reason OK -set ring 1 -set delay 200 || it_die gw2
it_uac_call uac2 "$kport" -cid_str "fo-2-%u@%s"
it_assert_eq "call 2: caller completed" 0 $?
it_assert_eq "call 2: caller got 200" "200 OK" "$(it_received_status uac2)"
cid2=$(rp_callid uac2)
it_wait_log -F " sipoutcome: tag=" 2 3 2>/dev/null
att=$(rp_attempt_lines "$cid2")
it_assert_eq "call 2: two attempt lines" 2 "$(printf '%s\n' "$att" | grep -c '^tag=')"
rp_assert_tokens "call 2: attempt 0: tm's 408 for silent gw1" "$(printf '%s\n' "$att" | grep ' branch=0 ')" \
	tag=FAILED code=408 category=no_response retry=alternate source=local vendor=rfc \
	"dst=sip:127.0.0.1:$gw1" pdd_ms=
rp_assert_tokens "call 2: attempt 1: gw2's 200 under okitoki" "$(printf '%s\n' "$att" | grep ' branch=1 ')" \
	tag=COMPLETED code=200 vendor=okitoki "dst=sip:127.0.0.1:$gw2"
line2=$(rp_call_line "$cid2")
rp_assert_tokens "call 2: the call line: 200, attempts=2, ringing" "$line2" tag=COMPLETED code=200 \
	vendor=okitoki attempts=2 ringing=1
# fr_timer 2 s, in tm's ticks of 62.5 ms
it_assert_match "call 2: pdd_ms >= 1800 (after gw1's timeout)" ' pdd_ms=(1[89][0-9]{2}|[2-9][0-9]{3}) ' " $line2 "
it_uas_wait gw2_2 10 || it_stop "${IT_PROC[gw2_2]}"
it_stop "${IT_PROC[gw1_2]}"
it_assert_match "call 2: gw1 marked again (no response)" '^IP' "$(ds_flags "$gw1")"
it_assert_eq "one call line per call" 2 "$(it_log_count -F ' sipoutcome: tag=')"
it_assert_eq "four attempt lines" 4 "$(it_log_count -F ' sipoutcome-attempt: tag=')"

# ------------------------------------------------------------ counters
it_note "counters: /metrics/sipoutcome over HTTP, /metrics (xhttp_prom), sipoutcome.kpi"
m=$(http /metrics/sipoutcome) || it_fail "GET /metrics/sipoutcome"
printf '%s\n' "$m" >"$WORK/metrics.txt"
A=kamailio_sipoutcome_attempts_total
g1="127.0.0.1:$gw1"
g2="127.0.0.1:$gw2"
it_assert_eq "gw1: 2 FAILED attempts blamed on the network (503, 408)" 2 \
	"$(series "$m" $A "vendor=\"rfc\",gateway=\"$g1\",tag=\"FAILED\",blame=\"network\"" 2>/dev/null)"
fails=$(printf '%s\n' "$m" | awk -v g="gateway=\"$g1\"" 'index($1, "'$A'{") == 1 && index($1, g) { s += $2 } END { print s + 0 }')
it_assert_eq "gw1: 2 attempts in all (503, 408)" 2 "$fails"
it_assert_eq "gw2: 1 BUSY attempt (okitoki)" 1 \
	"$(printf '%s\n' "$m" | awk -v p="$A{vendor=\"okitoki\",gateway=\"$g2\",tag=\"BUSY\"," 'index($1, p) == 1 { s += $2 } END { print s + 0 }')"
it_assert_eq "gw2: 1 COMPLETED attempt (okitoki)" 1 \
	"$(printf '%s\n' "$m" | awk -v p="$A{vendor=\"okitoki\",gateway=\"$g2\",tag=\"COMPLETED\"," 'index($1, p) == 1 { s += $2 } END { print s + 0 }')"
it_assert_eq "attempt replies: gw1 503 and 408, gw2 486 and 2xx" "1 1 1 1" \
	"$(for l in "vendor=\"rfc\",gateway=\"$g1\",code=\"503\"" "vendor=\"rfc\",gateway=\"$g1\",code=\"408\"" \
		"vendor=\"okitoki\",gateway=\"$g2\",code=\"486\"" "vendor=\"okitoki\",gateway=\"$g2\",code=\"2xx\""; do
		printf '%s ' "$(series "$m" kamailio_sipoutcome_attempt_replies_total "$l")"; done | sed 's/ $//')"
it_assert_eq "calls: okitoki BUSY/busy 1, COMPLETED/answered 1" "1 1" \
	"$(series "$m" kamailio_sipoutcome_calls_total 'vendor="okitoki",tag="BUSY",category="busy",blame="callee"') $(series "$m" kamailio_sipoutcome_calls_total 'vendor="okitoki",tag="COMPLETED",category="answered",blame="callee"')"
it_assert_eq "calls: nothing counted under rfc" "" \
	"$(printf '%s\n' "$m" | grep '^kamailio_sipoutcome_calls_total{vendor="rfc"')"
it_assert_eq "pdd histogram: one call rang (okitoki)" 1 \
	"$(series "$m" kamailio_sipoutcome_pdd_seconds_count 'vendor="okitoki"')"
it_assert_eq "setup histogram: two calls (okitoki)" 2 \
	"$(series "$m" kamailio_sipoutcome_setup_seconds_count 'vendor="okitoki"')"
it_assert_eq "pdd >= 2 s: not in the le=1 bucket" 0 \
	"$(series "$m" kamailio_sipoutcome_pdd_seconds_bucket 'vendor="okitoki",le="1.000"')"
p=$(http /metrics) || it_fail "GET /metrics"
it_assert_eq "xhttp_prom /metrics: kamailio_sipoutcome_busy 1, completed 1" "1 1" \
	"$(printf '%s\n' "$p" | awk '$1 ~ /^kamailio_sipoutcome_busy([{ ]|$)/ { b = $2 } $1 ~ /^kamailio_sipoutcome_completed([{ ]|$)/ { c = $2 } END { print b + 0, c + 0 }')"
# examples/grafana/sipoutcome.json (item 5): every series a query names
# is in the scrape, and so is every label it filters or groups by
DASH=${top_srcdir:-$IT_LIB_DIR/../..}/examples/grafana/sipoutcome.json
dcheck=$("$PYTHON" - "$DASH" "$WORK/metrics.txt" <<'PY'
import json, re, sys
dash = json.load(open(sys.argv[1]))
scrape = open(sys.argv[2]).read().splitlines()
have = {}
for l in scrape:
    m = re.match(r'^([a-z_]+)\{(.*)\} ', l)
    if m:
        have.setdefault(m.group(1), set()).update(re.findall(r'([a-z_]+)="', m.group(2)))
exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
exprs.append(dash["templating"]["list"][1]["definition"])
bad = []
names = 0
for e in exprs:
    for name, sel in re.findall(r'(kamailio_sipoutcome_[a-z_]+)(\{[^}]*\})?', e):
        names += 1
        if name not in have:
            bad.append("series " + name)
            continue
        for lab in re.findall(r'([a-z_]+)\s*=~?', sel or ""):
            if lab not in have[name]:
                bad.append(name + " label " + lab)
    for grp in re.findall(r'by \(([^)]*)\)', e):
        for lab in (x.strip() for x in grp.split(",")):
            if lab != "le" and not any(lab in v for v in have.values()):
                bad.append("by label " + lab)
print("%d queries %d names; %s" % (len(exprs), names, "; ".join(bad) or "all found"))
PY
)
it_assert_match "dashboard: every query names exported series and labels" '^[0-9]+ queries [0-9]+ names; all found$' "$dcheck"
it_assert_match "dashboard: at least 8 panels' queries checked" '^(1[0-9]|[89]) queries' "$dcheck"

kpi=$(it_kamcmd sipoutcome.kpi okitoki 2>&1)
for kv in "calls: 2" "answered: 1" "asr: 50.00" "ner: 100.00" "ser: 50.00" "seer: 100.00" "isa: 0.00"; do
	it_assert_match "sipoutcome.kpi okitoki: $kv" "(^|[[:space:]])$kv([[:space:]]|\$)" "$kpi"
done

# sipoutcome report (item 7) on this Kamailio's log, with every line
# twice (one row per Call-ID): the same figures as the counters
CLI=${top_builddir:-$IT_LIB_DIR/../..}/module/cli/sipoutcome
if [ -x "$CLI" ]; then
	cat "$IT_KAM_LOG" "$IT_KAM_LOG" >"$WORK/twice.log"
	"$CLI" report --format json "$WORK/twice.log" >"$WORK/report.json" 2>"$WORK/report.err"
	it_assert_eq "report: exit 0" 0 $?
	cmp=$("$PYTHON" - "$WORK/report.json" "$WORK/metrics.txt" "$gw1" "$gw2" <<'PY'
import json, re, sys
rep = json.load(open(sys.argv[1]))
series = {}
for l in open(sys.argv[2]):
    m = re.match(r'^(kamailio_sipoutcome_[a-z_]+)\{(.*)\} (\S+)$', l.strip())
    if m:
        labels = dict(re.findall(r'([a-z_]+)="([^"]*)"', m.group(2)))
        series.setdefault(m.group(1), []).append((labels, float(m.group(3))))
def total(name, **want):
    return int(sum(v for lab, v in series.get(name, []) if all(lab.get(k) == x for k, x in want.items())))
out = ["calls %d/%d attempts %d/%d" % (rep["calls"], total("kamailio_sipoutcome_calls_total"),
       rep["attempts"], total("kamailio_sipoutcome_attempts_total"))]
for g in rep["groups"]:
    if g["section"] == "vendor":
        out.append("vendor %s n %d/%d COMPLETED %d/%d BUSY %d/%d" % (g["name"], g["count"],
            total("kamailio_sipoutcome_calls_total", vendor=g["name"]), g["tags"]["COMPLETED"],
            total("kamailio_sipoutcome_calls_total", vendor=g["name"], tag="COMPLETED"),
            g["tags"]["BUSY"], total("kamailio_sipoutcome_calls_total", vendor=g["name"], tag="BUSY")))
    else:
        out.append("gateway %s n %d/%d FAILED %d/%d" % (g["name"], g["count"],
            total("kamailio_sipoutcome_attempts_total", gateway=g["name"]), g["tags"]["FAILED"],
            total("kamailio_sipoutcome_attempts_total", gateway=g["name"], tag="FAILED")))
print("\n".join(out))
PY
)
	it_assert_eq "report == counters (calls, attempts, per vendor and gateway)" \
"calls 2/2 attempts 4/4
vendor okitoki n 2/2 COMPLETED 1/1 BUSY 1/1
gateway 127.0.0.1:$gw1 n 2/2 FAILED 2/2
gateway 127.0.0.1:$gw2 n 2/2 FAILED 0/0" "$cmp"
	rk=$("$PYTHON" -c 'import json,sys; g=[x for x in json.load(open(sys.argv[1]))["groups"] if x["name"]=="okitoki"][0]; print("%.2f %.2f %.2f %.2f %.2f" % (g["asr"],g["ner"],g["ser"],g["seer"],g["isa"]))' "$WORK/report.json")
	it_assert_eq "report okitoki ASR NER SER SEER ISA == sipoutcome.kpi" "50.00 100.00 50.00 100.00 0.00" "$rk"
else
	it_fail "the sipoutcome command is built ($CLI)"
fi
it_assert_eq "no ERROR" 0 "$(it_log_count ' ERROR: ')"
it_finish
