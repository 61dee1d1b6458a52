#!/usr/bin/env bash
# tests/bench/callgrind.sh: Kamailio instructions per relayed call for
# eight configurations, counted by callgrind (deterministic, independent of
# the machine's load). Run by scripts/bench.sh; by hand:
#
#   tests/bench/callgrind.sh [CALLS_PER_TYPE]      (default 200)
#
# Configurations: (a) no module; (b) sipoutcome auto=1 log=0; (c) sipoutcome
# log=1 reason_mode=normalize outcome_header=X-Outcome; (d) the script-only
# equivalent of (c) (script-outcome.*.cfg); and four that split a cost:
# (l) log=1 alone (the line: (l)-(b)), (s) (d) without its xlog statement
# (the script's print: (d)-(s)), (j) (c) with log_format=json, (t) (c)
# with attempts=1. Printed per call type and for the mix: each config's
# overhead over (a), the ratio ((c)-(a))/((d)-(a)), and the targets of
# issue 16 (full module <= half the script, module line < xlog line, log
# off within 50 instructions of the df85b4b figures).
#
# Method. Kamailio runs under `valgrind --tool=callgrind --trace-children=yes`
# with -E -D (a single -D is no-fork mode: one process does all the SIP
# work; tm's timer processes are still forked), children=1, one UDP
# listener, -x tlsf (shm and pkg) -m 64 -M 8, tm's T1 raised to 4 s so a
# slow valgrind Kamailio never retransmits. After it
# answers OPTIONS, one warm-up call of each type is made (its trace is the
# (c)/(d) comparison sample) and its transactions are left to be freed.
# Then, for every process of that Kamailio, by PID:
#   1. idle window: callgrind_control -z, sleep, -d: each process's
#      instructions per second with no traffic (the timer processes tick);
#   2. per call type: -z, N calls from sipp (no retransmissions: -nr on both
#      sides, checked afterwards), wait until tm freed every transaction
#      (wt_timer 2 s), -d.
# Instructions per call = sum over the processes of (window total - idle
# rate x window length) / N. BENCH_CG_CONFIGS="a b" measures a subset
# (while working on the module; no ratios then, and without l and s no
# line target); "a e" adds (e), the module loaded but tracking no INVITE:
# what being loaded costs. The SIP process does no work when idle, so its
# figure is exact; only the timer processes' small share is corrected.
# Start-up, shutdown, readiness probes and warm-up are never counted.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

# shellcheck disable=SC2034 # read by lib.sh
IT_NAME=bench-callgrind
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../integration/lib.sh
. "$here/../integration/lib.sh"
# shellcheck source=bench-lib.sh
. "$here/bench-lib.sh"

CALLS=${1:-${BENCH_CG_CALLS:-200}}
RATE=${BENCH_CG_RATE:-20}   # calls/s offered to Kamailio under valgrind
LIMIT=${BENCH_CG_LIMIT:-20} # calls in progress at most
IDLE=${BENCH_CG_IDLE:-5}    # seconds of the idle window
SETTLE=${BENCH_CG_SETTLE:-4} # seconds after the last call (wt_timer 2 s)

it_setup
for t in valgrind callgrind_control callgrind_annotate; do
	command -v "$t" >/dev/null || it_skip "$t not found (apt-get install valgrind)"
done
src_module=${SIPOUTCOME_MODULE:-$BENCH_TOP/module/kamailio/.libs/sipoutcome.so}
[ -f "$src_module" ] || it_skip "sipoutcome module not built ($src_module)"
# A private copy: a rebuild during the run cannot change what is measured.
BENCH_MODULE=$WORK/sipoutcome.so
cp "$src_module" "$BENCH_MODULE" || it_die "cannot copy $src_module"

now() { date +%s.%N; }

# cg_ctl OP : callgrind_control -OP for every process of the Kamailio
# under test (by PID).
cg_ctl() {
	local p
	for p in "${KPIDS[@]}"; do
		callgrind_control "-$1" "$p" >/dev/null 2>&1 ||
			it_die "callgrind_control -$1 $p failed"
	done
}

# cg_total CFG PID N : instructions in dump N of PID.
cg_total() {
	awk '/^totals:/ { t = $2 } /^summary:/ { s = $2 }
	END { print (t != "" ? t : s + 0) }' "$WORK/cg-$1.$2.$3"
}

# Every process of the Kamailio under test: the main one and its children
# (tm timers), each with its own callgrind/vgdb server.
kam_pids() {
	local i n
	for ((i = 0; i < 100; i++)); do
		mapfile -t KPIDS < <(echo "$BENCH_KPID"; ps -o pid= --ppid "$BENCH_KPID" | tr -d ' ')
		n=0
		for p in "${KPIDS[@]}"; do
			vgdb -l 2>/dev/null | grep -q -- "--pid=$p " && n=$((n + 1))
		done
		[ "$n" -eq "${#KPIDS[@]}" ] && [ "$n" -ge 2 ] && return 0
		sleep 0.1
	done
	it_die "callgrind servers of Kamailio not found (have ${#KPIDS[@]} processes)"
}

# results: R[cfg,type] instructions per call (mix-type), W[cfg,type] SIP
# process only; RETR[cfg] retransmissions seen; FAIL[cfg] failed sipp runs.
declare -A R W RETR FAIL
types=()
for e in "${BENCH_MIX[@]}"; do
	bench_mix_entry "$e"
	types+=("$BM_NAME")
done

run_config() {
	local cfg=$1 kport uport e n ndump p tot idle t0 t1 sum wsum rc
	declare -A rate
	kport=$(it_free_port) && uport=$(it_free_port) || it_die "no free port"
	bench_cfg "$WORK/$cfg.cfg" "$cfg" "$kport" "$uport" 1 0 \
		'modparam("tm", "retr_timer1", 4000)
modparam("tm", "retr_timer2", 8000)' || it_die "render $cfg"
	it_note "config $(bench_config_label "$cfg"): starting Kamailio under callgrind"
	bench_start "k-$cfg" valgrind --tool=callgrind --trace-children=yes \
		--callgrind-out-file="$WORK/cg-$cfg.%p" -- \
		-f "$WORK/$cfg.cfg" -E -D -m 64 -M 8 -x tlsf || it_die "Kamailio ($cfg) did not start"
	kam_pids
	RETR[$cfg]=0
	FAIL[$cfg]=0

	# warm-up: one call of each type, traced (the (c)/(d) sample)
	for e in "${BENCH_MIX[@]}"; do
		bench_mix_entry "$e"
		BENCH_TRACE=1 bench_run_calls "warm-$cfg-$BM_NAME" "$kport" "$uport" "$e" 1 1 1 -nr ||
			FAIL[$cfg]=$((FAIL[$cfg] + 1))
	done
	sleep "$SETTLE"

	ndump=0
	cg_ctl z
	t0=$(now)
	sleep "$IDLE"
	t1=$(now)
	cg_ctl d
	ndump=$((ndump + 1))
	for p in "${KPIDS[@]}"; do
		idle=$(cg_total "$cfg" "$p" "$ndump")
		rate[$p]=$(awk -v i="$idle" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", i / (b - a) }')
	done
	IDLE_RATE[$cfg]=$(for p in "${KPIDS[@]}"; do echo "${rate[$p]}"; done |
		awk '{ s += $1 } END { printf "%.0f", s }')

	for e in "${BENCH_MIX[@]}"; do
		bench_mix_entry "$e"
		n=$BM_NAME
		cg_ctl z
		t0=$(now)
		bench_run_calls "$cfg-$n" "$kport" "$uport" "$e" "$CALLS" "$RATE" "$LIMIT" -nr
		rc=$?
		if [ "$rc" -ne 0 ] || [ "$BENCH_UAS_RC" -ne 0 ]; then
			FAIL[$cfg]=$((FAIL[$cfg] + 1))
			it_note "  $n: sipp caller exit $rc, carrier exit $BENCH_UAS_RC (see $WORK/$cfg-$n-*)"
		fi
		RETR[$cfg]=$((RETR[$cfg] + $(bench_screen_retrans "$WORK/$cfg-$n-uac.screen") +
			$(bench_screen_retrans "$WORK/$cfg-$n-uas.screen")))
		sleep "$SETTLE"
		t1=$(now)
		cg_ctl d
		ndump=$((ndump + 1))
		sum=0
		for p in "${KPIDS[@]}"; do
			tot=$(cg_total "$cfg" "$p" "$ndump")
			sum=$(awk -v s="$sum" -v t="$tot" -v r="${rate[$p]}" -v a="$t0" -v b="$t1" \
				'BEGIN { printf "%.0f", s + t - r * (b - a) }')
		done
		wsum=$(cg_total "$cfg" "$BENCH_KPID" "$ndump")
		R[$cfg,$n]=$(awk -v s="$sum" -v c="$CALLS" 'BEGIN { printf "%.0f", s / c }')
		W[$cfg,$n]=$(awk -v s="$wsum" -v c="$CALLS" 'BEGIN { printf "%.0f", s / c }')
		CGFILE[$cfg,$n]=$WORK/cg-$cfg.$BENCH_KPID.$ndump
		it_note "  $(bench_mix_label "$n"): ${R[$cfg,$n]} instructions/call ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s)"
	done
	it_stop "$BENCH_KPID" 60 >/dev/null
}

declare -A IDLE_RATE CGFILE
start=$(date +%s)
for cfg in "${BENCH_CONFIGS[@]}"; do
	run_config "$cfg"
done

# ---------------------------------------------------------------- report
mix() { # mean over the call types
	local cfg=$1 k=$2 n s=0
	for n in "${types[@]}"; do
		if [ "$k" = W ]; then s=$((s + W[$cfg,$n])); else s=$((s + R[$cfg,$n])); fi
	done
	echo $((s / ${#types[@]}))
}
pct() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%+.2f%%", (x - y) * 100 / y }'; }
val() { if [ "$2" = mix ]; then mix "$1" R; else echo "${R[$1,$2]}"; fi; }
label() { if [ "$1" = mix ]; then echo "mix (mean of the 4 types)"; else bench_mix_label "$1"; fi; }
declare -A FR_RATIO

echo
echo "== Kamailio instructions per call (callgrind; $CALLS calls of each type, $((CALLS * ${#types[@]})) per config)"
printf '%-44s %6s %12s %12s %9s\n' config calls "instr/call" "SIP process" "vs (a)"
for cfg in "${BENCH_CONFIGS[@]}"; do
	printf '%-44s %6d %12s %12s %9s\n' "$(bench_config_label "$cfg")" \
		$((CALLS * ${#types[@]})) "$(mix "$cfg" R)" "$(mix "$cfg" W)" \
		"$( [ "$cfg" = a ] && echo - || pct "$(mix "$cfg" R)" "$(mix a R)")"
done
echo
have() { [[ " ${BENCH_CONFIGS[*]} " == *" $1 "* ]]; }
full=0
have a && have b && have c && have d && full=1
if [ "$full" = 0 ]; then
	# a subset (BENCH_CG_CONFIGS="a b", "a e b" while working on the
	# module): per-type figures, each one against (a), where it goes
	for n in "${types[@]}"; do
		printf '%-36s' "$(bench_mix_label "$n")"
		for cfg in "${BENCH_CONFIGS[@]}"; do printf ' %9s' "${R[$cfg,$n]}"; done
		echo
	done
	for x in b c d e; do
		have a && have "$x" || continue
		a=$(mix a R) b=$(mix "$x" R)
		printf '(%s)-(a) = %+d instr/call = %s%% of (a)\n' "$x" $((b - a)) \
			"$(awk -v b="$b" -v a="$a" 'BEGIN { printf "%.2f", (b - a) * 100 / a }')"
	done
else
printf '%-36s' "per call type (instr/call)"
for cfg in "${BENCH_CONFIGS[@]}"; do printf ' %9s' "($cfg)"; done
echo
for n in "${types[@]}" mix; do
	printf '%-36s' "$(label "$n")"
	for cfg in "${BENCH_CONFIGS[@]}"; do printf ' %9s' "$(val "$cfg" "$n")"; done
	echo
done

echo
echo "== Overhead over (a) per call type (instr/call), and full module over script-only"
printf '%-36s' "call type"
for cfg in "${BENCH_CONFIGS[@]}"; do [ "$cfg" = a ] || printf ' %9s' "($cfg)-(a)"; done
printf ' %11s\n' "(c)-(a)/(d)-(a)"
declare -A OVH
for n in "${types[@]}" mix; do
	printf '%-36s' "$(label "$n")"
	for cfg in "${BENCH_CONFIGS[@]}"; do
		[ "$cfg" = a ] && continue
		OVH[$cfg,$n]=$(($(val "$cfg" "$n") - $(val a "$n")))
		printf ' %+9d' "${OVH[$cfg,$n]}"
	done
	FR_RATIO[$n]=$(awk -v c="${OVH[c,$n]}" -v d="${OVH[d,$n]}" 'BEGIN { printf "%.3f", (d > 0 ? c / d : 99) }')
	printf ' %11s\n' "${FR_RATIO[$n]}"
done

echo
echo "== Targets (issue 16)"
met=0 missed=0
target() { # TEXT CONDITION
	if awk "BEGIN { exit !($2) }"; then v=met; met=$((met + 1)); else v=MISSED; missed=$((missed + 1)); fi
	printf '  %-78s %s\n' "$1" "$v"
}
for n in "${types[@]}" mix; do
	target "full/script-only $(label "$n"): ${FR_RATIO[$n]} <= 0.500" "${FR_RATIO[$n]} <= 0.5"
done
if have l && have s; then
	# the module's line: (l)-(b), log=1 against log=0 (format, print, the
	# Call-ID and context it copies); the script's print: (d)-(s), its one
	# xlog statement (the quoting before it stays in both)
	for n in "${types[@]}" mix; do
		ml=$(($(val l "$n") - $(val b "$n"))) xl=$(($(val d "$n") - $(val s "$n")))
		target "log line $(label "$n"): module (l)-(b) $ml < xlog (d)-(s) $xl" "$ml < $xl"
	done
fi
# the log line off, against the figures of df85b4b (tests/bench/README.md,
# "Issue 16"), same mix and method: busy answered canceled noanswer
read -r -a before <<<"${BENCH_LOGOFF_BEFORE:-1724 2355 3890 2078}"
i=0 bsum=0 nsum=0
for n in "${types[@]}"; do
	target "log off $(label "$n"): (b)-(a) ${OVH[b,$n]} <= ${before[$i]} + 50" "${OVH[b,$n]} <= ${before[$i]} + 50"
	bsum=$((bsum + before[i])) i=$((i + 1))
done
target "log off mix: (b)-(a) ${OVH[b,mix]} <= $((bsum / ${#types[@]})) + 50" "${OVH[b,mix]} <= $((bsum / ${#types[@]})) + 50"
a=$(mix a R)
bshare=$(awk -v b="${OVH[b,mix]}" -v a="$a" 'BEGIN { printf "%.2f", b * 100 / a }')
echo "  targets: $met met, $missed MISSED"
echo "(b)-(a) = ${OVH[b,mix]} instr/call = $bshare% of (a) (log off; the 1% of the first landing predates attempts and timing)"
for x in j t; do
	have "$x" || continue
	printf '%s over (c), instr/call:' "$(bench_config_label "$x" | sed 's/ (c) + / /')"
	for n in "${types[@]}" mix; do
		printf ' %s %+d' "$n" $(($(val "$x" "$n") - $(val c "$n")))
	done
	echo
done
printf 'idle instr/s of the timer processes, subtracted:'
for cfg in "${BENCH_CONFIGS[@]}"; do printf ' (%s) %s' "$cfg" "${IDLE_RATE[$cfg]}"; done
echo
printf 'sipp: failed runs'
for cfg in "${BENCH_CONFIGS[@]}"; do printf ' (%s) %s' "$cfg" "${FAIL[$cfg]}"; done
printf '; retransmissions seen'
for cfg in "${BENCH_CONFIGS[@]}"; do printf ' (%s) %s' "$cfg" "${RETR[$cfg]}"; done
echo
fi

# Where the extra instructions go: inclusive instructions per call of each
# function of the SIP process (callgrind_annotate --inclusive=yes), mean
# over the call types, (b) and (c) against (a).
cg_incl() { # CFG -> "instr/call<TAB>function (object)", mean over the mix
	local n
	for n in "${types[@]}"; do
		callgrind_annotate --inclusive=yes --threshold=100 "${CGFILE[$1,$n]}" 2>/dev/null |
			awk -v calls="$CALLS" '
			$1 ~ /^[0-9,]+$/ && $2 == "(" || $1 ~ /^[0-9,]+$/ && $2 ~ /^\(/ {
				ir = $1; gsub(/,/, "", ir)
				k = $0; sub(/^.*%\) +/, "", k)
				if (k ~ /^=>/ || k !~ / \[[^]]*\]$/) next
				obj = k; sub(/^.*\[/, "", obj); sub(/\].*$/, "", obj); sub(/^.*\//, "", obj)
				fn = k; sub(/ \[.*$/, "", fn); sub(/^.*:/, "", fn)
				print fn " (" obj ")\t" ir / calls
			}'
	done | awk -F'\t' -v nt="${#types[@]}" '{ s[$1] += $2 / nt } END { for (f in s) printf "%s\t%.0f\n", f, s[f] }' |
		sort -t$'\t' -k1,1
}
have a || exit 0
for cfg in "${BENCH_CONFIGS[@]}"; do cg_incl "$cfg" >"$WORK/incl-$cfg.tsv"; done
for cfg in "${BENCH_CONFIGS[@]}"; do
	case $cfg in b | c | e) ;; *) continue ;; esac
	echo
	echo "== Where ($cfg)-(a) goes: inclusive instructions per call, SIP process, mean over the mix"
	printf '  %-52s %9s %9s %9s\n' function "(a)" "($cfg)" "diff"
	join -t$'\t' -a1 -a2 -e 0 -o 0,1.2,2.2 "$WORK/incl-a.tsv" "$WORK/incl-$cfg.tsv" |
		awk -F'\t' '
		{ split($1, w, " "); f = w[1] }
		f ~ /^(main|main_loop|udp_rcv_loop|receive_msg|\(below|__libc_start|0x[0-9a-f]+$)/ { next }
		$3 - $2 >= 150 || $2 - $3 >= 150 { printf "%d\t  %-52s %9d %9d %+9d\n", $3 - $2, $1, $2, $3, $3 - $2 }' |
		sort -t$'\t' -k1,1nr | cut -f2- | head -n 25
done

if [ "$full" = 0 ]; then
	echo
	echo "subset of the configurations (BENCH_CG_CONFIGS=\"${BENCH_CONFIGS[*]}\"): no ratios, no (c)/(d) check"
	echo "callgrind mode took $(($(date +%s) - start)) s"
	exit 0
fi

# ---------------------------------------------------------------- (c) == (d)?
echo
echo "== Same reply and same log line from (c) and (d)? (warm-up call of each type)"
# the keys only the module writes, from the transaction tm keeps (the
# branches tm created, the post-dial and set-up times): dropped from (c)'s
# lines before comparing, (d)'s lines are compared as they are
kam_only() { sed 's/ attempts=[^ ]* pdd_ms=[^ ]* setup_ms=[^ ]*$//'; }
norm_line() { sed -n 's/.*sipoutcome: \(tag=.*\)$/\1/p' "$1" | sed 's/ callid=[^ ]*/ callid=*/' | kam_only; }
# final_reply NAME : the first final reply to the INVITE in the caller's
# trace, digits masked after the status line (ports, tags, branches)
final_reply() {
	awk '
	function flush() {
		if (inrx && blk ~ /^SIP\/2\.0 [2-6]/ && blk ~ /\nCSeq: *[0-9]+ INVITE/) {
			print first; printf "%s", rest; inrx = 0; exit
		}
		inrx = 0
	}
	{ sub(/\r$/, "") }
	/ message received \[[0-9]+\] bytes :$/ { flush(); inrx = 1; blk = ""; first = ""; rest = ""; next }
	/^-----------------------------------------------/ { flush(); next }
	inrx && blk == "" && $0 == "" { next }
	inrx {
		blk = blk $0 "\n"
		if (first == "") { first = $0; next }
		line = $0; gsub(/[0-9]+/, "N", line); rest = rest line "\n"
	}
	END { flush() }' "$WORK/$1.msg"
}
same=0 total=0
declare -A ST XO LN FR
for n in "${types[@]}"; do
	idx=$(printf '%s\n' "${types[@]}" | grep -n -x "$n" | cut -d: -f1)
	for cfg in c d; do
		ST[$cfg]=$(it_received_status "warm-$cfg-$n-uac")
		FR[$cfg]=$(final_reply "warm-$cfg-$n-uac")
		XO[$cfg]=$(it_received_header "warm-$cfg-$n-uac" X-Outcome | head -n 1)
		# the warm-up calls are the first lines of each log, in mix order
		LN[$cfg]=$(grep -a 'sipoutcome: tag=' "$WORK/k-$cfg.log" | sed -n "${idx}p" |
			sed 's/.*sipoutcome: //')
	done
	total=$((total + 1))
	if [ "${ST[c]}" = "${ST[d]}" ] && [ "${XO[c]}" = "${XO[d]}" ] && [ "${FR[c]}" = "${FR[d]}" ] &&
		[ "$(sed 's/ callid=[^ ]*/ callid=*/' <<<"${LN[c]}" | kam_only)" = "$(sed 's/ callid=[^ ]*/ callid=*/' <<<"${LN[d]}")" ]; then
		verdict=SAME
		same=$((same + 1))
	else
		verdict=DIFFERENT
	fi
	printf '%s: %s\n' "$(bench_mix_label "$n")" "$verdict"
	printf '  (c) reply: %s | X-Outcome: %s\n' "${ST[c]}" "${XO[c]}"
	printf '  (d) reply: %s | X-Outcome: %s\n' "${ST[d]}" "${XO[d]}"
	printf '  (c) log:   %s\n' "${LN[c]}"
	printf '  (d) log:   %s\n' "${LN[d]}"
	if [ "${FR[c]}" = "${FR[d]}" ]; then
		printf '  whole reply the caller got: identical (%d lines after the status line; digits masked: ports, tags, branches)\n' \
			$(($(wc -l <<<"${FR[c]}") - 1))
	else
		printf '  whole reply the caller got differs:\n'
		diff <(echo "${FR[c]}") <(echo "${FR[d]}") | sed 's/^/    /'
	fi
done
# every line of the measured runs, Call-ID aside
if diff <(norm_line "$WORK/k-c.log" | sort) <(norm_line "$WORK/k-d.log" | sort) >/dev/null; then
	echo "all $(norm_line "$WORK/k-c.log" | wc -l) log lines of (c) and (d) agree (Call-ID aside)"
else
	echo "log lines of (c) and (d) DIFFER:"
	diff <(norm_line "$WORK/k-c.log" | sort | uniq -c) <(norm_line "$WORK/k-d.log" | sort | uniq -c) | head -n 10
fi
echo "callgrind mode took $(($(date +%s) - start)) s"
[ "$same" -eq "$total" ]
