#!/usr/bin/env bash
# tests/bench/throughput.sh: highest call rate with zero failed calls, and
# Kamailio's memory before and after many calls, with and without the
# module, in one run. Run by `scripts/bench.sh --throughput`; by hand:
#
#   tests/bench/throughput.sh [--calls N] [--mem-rate CPS] [--burst S]
#                             [--rates "100 200 400 ..."] [--configs "a c"]
#
# Kamailio runs natively (no valgrind) in normal mode: children=2 (two UDP
# receivers), -E -DD (foreground, forks; a single -D would be no-fork
# mode), -m 256 -M 8, ctl loaded for kamcmd; -x tlsf for the rate, -x tlsf
# -X fm for the memory phase (see below). Each configuration has its own
# Kamailio; they run side by side and are driven in turn, so a change in
# the machine's background load hits both alike.
#
# Memory: a warm-up of 2,000 calls, then Kamailio settles (shm use stops
# changing: every transaction freed), then `kamcmd core.shmmem` and
# `kamcmd pkg.stats` (every process); N calls (default 50,000) of the mix
# at --mem-rate (default 400 calls/s); settle; the same two commands again.
# pkg.stats is only kept current by the q_malloc and f_malloc allocators,
# so this phase uses -X fm for pkg (shm stays tlsf).
#
# Rate: bursts of --burst seconds (default 5) of the call mix (the four call
# types of the callgrind mode, in equal parts, each with its own sipp caller
# and carrier) at 100, 200, 400 ... calls/s until a burst has a failed call
# or sipp cannot offer the rate (less than 90% of it achieved), then two
# bisection steps between the last good and the first bad rate. A call
# fails when either sipp counts it failed (timeouts, unexpected messages)
# or never completes (a sipp that dies, e.g. on one of its assertions when
# overload brings retransmissions, fails all its remaining calls; the step
# says so); retransmissions are allowed. On a 2-core machine sipp itself uses much
# of the CPU: the figure is the proxy and its load generator together.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

# shellcheck disable=SC2034 # read by lib.sh
IT_NAME=bench-throughput
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../integration/lib.sh
. "$here/../integration/lib.sh"
# shellcheck source=bench-lib.sh
. "$here/bench-lib.sh"

CALLS=50000
MEM_RATE=400
BURST=5
RATES="100 200 400 800 1600 3200 6400"
CONFIGS="a c"
while [ $# -gt 0 ]; do
	case $1 in
	--calls) CALLS=$2; shift 2 ;;
	--mem-rate) MEM_RATE=$2; shift 2 ;;
	--burst) BURST=$2; shift 2 ;;
	--rates) RATES=$2; shift 2 ;;
	--configs) CONFIGS=$2; shift 2 ;;
	*) echo "usage: $0 [--calls N] [--mem-rate CPS] [--burst S] [--rates LIST] [--configs LIST]" >&2; exit 2 ;;
	esac
done

it_setup
command -v "${KAMCMD:-kamcmd}" >/dev/null || it_skip "kamcmd not found"
src_module=${SIPOUTCOME_MODULE:-$BENCH_TOP/module/kamailio/.libs/sipoutcome.so}
[ -f "$src_module" ] || it_skip "sipoutcome module not built ($src_module)"
BENCH_MODULE=$WORK/sipoutcome.so
cp "$src_module" "$BENCH_MODULE" || it_die "cannot copy $src_module"
start=$(date +%s)

declare -A KPORT KPID
read -r -a configs <<<"$CONFIGS"

kam() { # CFG ARGS... : kamcmd against that configuration's Kamailio
	local cfg=$1
	shift
	"${KAMCMD:-kamcmd}" -s "unix:$WORK/kamailio_ctl-${KPORT[$cfg]}" "$@"
}

# shm "used real_used fragments"
shm_stat() {
	kam "$1" core.shmmem | awk '
	/^\tused:/ { u = $2 } /real_used:/ { r = $2 } /fragments:/ { f = $2 }
	END { print u, r, f }'
}

# pkg use per process: "desc<TAB>used<TAB>real_used" (ctl handler left out:
# it is the process answering kamcmd)
pkg_stat() {
	kam "$1" pkg.stats | awk '
	/^\tused:/ { u = $2 } /real_used:/ { r = $2 }
	/desc:/ { d = $0; sub(/^\tdesc: /, "", d); sub(/ sock=.*/, "", d)
		if (d !~ /^ctl/) printf "%s\t%s\t%s\n", d, u, r }'
}

# settle CFG : wait until shm use is the same 3 s apart (every transaction
# freed; tm wt_timer is 2 s), at most 60 s.
settle() {
	local a b i
	a=$(shm_stat "$1")
	for ((i = 0; i < 20; i++)); do
		sleep 3
		b=$(shm_stat "$1")
		[ "$a" = "$b" ] && return 0
		a=$b
	done
	it_note "  ($1: shm use still changing after 60 s)"
}

TCK=$(getconf CLK_TCK)
# kam_cpu CFG : CPU time (user + system, clock ticks) used so far by every
# process of that Kamailio (its process group)
kam_cpu() {
	local pg=${KPID[$1]} p st rest f sum=0
	for p in $(ps -eo pid=,pgid= | awk -v g="$pg" '$2 == g { print $1 }'); do
		st=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		rest=${st##*) }
		read -r -a f <<<"$rest"
		sum=$((sum + f[11] + f[12]))
	done
	echo "$sum"
}

screen_count() { # FILE "Successful call"|"Failed call": cumulative value
	awk -F'|' -v k="$2" 'index($1, k) { v = $3 } END { gsub(/ /, "", v); print v + 0 }' "$1"
}

# burst CFG RATE SECONDS TAG : the mix at RATE calls/s for SECONDS; sets
# B_FAILED, B_OK, B_ACHIEVED (calls/s the callers really placed), B_KEPT_UP,
# B_CRASH (sipp callers that died) and B_CPU (Kamailio CPU us per call)
burst() {
	local cfg=$1 rate=$2 secs=$3 tag=$4 e per prate i t0 t1 sf rc cpu0 cpu1
	local upids=() cpids=() uports=() names=() p uport cport
	per=$(awk -v r="$rate" -v s="$secs" 'BEGIN { n = int(r * s / 4 + 0.5); print (n < 1 ? 1 : n) }')
	prate=$(awk -v r="$rate" 'BEGIN { printf "%g", r / 4 }')
	for e in "${BENCH_MIX[@]}"; do
		bench_mix_entry "$e"
		uport=$(it_free_port) || it_die "no free port"
		sf=$(it_uas_scenario "$BM_CODE") || it_die "uas scenario"
		bench_sipp_args "$tag-$BM_NAME-uas"
		"$SIPP" "${BENCH_SIPP[@]}" -p "$uport" -sf "$sf" -m "$per" \
			-timeout "$((secs + 60))s" "${BM_KNOBS[@]}" \
			>"$WORK/$tag-$BM_NAME-uas.out" 2>&1 &
		p=$!
		it_track "$p"
		upids+=("$p")
		uports+=("$uport")
		names+=("$BM_NAME")
	done
	for ((i = 0; i < ${#upids[@]}; i++)); do
		local k
		for ((k = 0; k < 100; k++)); do
			ss -Hlunp "src 127.0.0.1 and sport = :${uports[$i]}" 2>/dev/null |
				grep -q "pid=${upids[$i]}," && break
			sleep 0.05
		done
	done
	cpu0=$(kam_cpu "$cfg")
	t0=$(date +%s.%N)
	i=0
	for e in "${BENCH_MIX[@]}"; do
		bench_mix_entry "$e"
		cport=$(it_free_port) || it_die "no free port"
		bench_sipp_args "$tag-$BM_NAME-uac"
		# in a subshell that records sipp's exit status: a sipp that dies
		# on a signal is reported in the step, not by bash on the terminal
		(
			"$SIPP" "127.0.0.1:${KPORT[$cfg]}" "${BENCH_SIPP[@]}" -p "$cport" \
				-sf "$IT_SIPP_DIR/$BM_UAC.xml" -s "${uports[$i]}" -m "$per" -r "$prate" \
				-l 5000 -timeout "$((secs + 60))s"
			echo $? >"$WORK/$tag-$BM_NAME-uac.rc"
		) >"$WORK/$tag-$BM_NAME-uac.out" 2>&1 &
		p=$!
		it_track "$p"
		cpids+=("$p")
		i=$((i + 1))
	done
	B_CRASH=
	i=0
	for p in "${cpids[@]}"; do
		wait "$p"
		rc=$(cat "$WORK/$tag-${names[$i]}-uac.rc" 2>/dev/null || echo 255)
		# 1: some calls failed (counted below); a signal: sipp itself died
		if [ "$rc" -gt 128 ]; then
			B_CRASH+="${B_CRASH:+; }sipp caller '${names[$i]}' died (signal $((rc - 128))"
			B_CRASH+="$(grep -a -o -m 1 ': Assertion .*failed' "$WORK/$tag-${names[$i]}-uac.out" | head -n 1))"
		fi
		i=$((i + 1))
	done
	t1=$(date +%s.%N)
	cpu1=$(kam_cpu "$cfg")
	for p in "${upids[@]}"; do
		for ((i = 0; i < 100; i++)); do
			it__alive "$p" || break
			sleep 0.05
		done
		it__alive "$p" && it_stop "$p" 2 >/dev/null
		wait "$p" 2>/dev/null
	done
	# failed: every call the callers did not complete successfully (failed
	# or never finished), or the carriers' failed calls if more
	local uas_failed=0
	B_OK=0
	for p in "${names[@]}"; do
		B_OK=$((B_OK + $(screen_count "$WORK/$tag-$p-uac.screen" "Successful call")))
		uas_failed=$((uas_failed + $(screen_count "$WORK/$tag-$p-uas.screen" "Failed call")))
	done
	B_FAILED=$((4 * per - B_OK))
	[ "$uas_failed" -gt "$B_FAILED" ] && B_FAILED=$uas_failed
	B_ACHIEVED=$(awk -v n="$((4 * per))" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
	# Kamailio's CPU time (all its processes) per call placed
	B_CPU=$(awk -v a="$cpu0" -v b="$cpu1" -v t="$TCK" -v n="$((4 * per))" \
		'BEGIN { printf "%.1f", (b - a) * 1e6 / t / n }')
	# the callers kept up: all calls done within the burst + 10% + 1.5 s
	B_KEPT_UP=$(awk -v s="$secs" -v a="$t0" -v b="$t1" 'BEGIN { print (b - a <= s * 1.1 + 1.5) ? 1 : 0 }')
	if [ "${BENCH_KEEP_TRACES:-0}" != 1 ]; then
		rm -f "$WORK/$tag"-*.screen "$WORK/$tag"-*.out "$WORK/$tag"-*.err 2>/dev/null
	fi
}

# start_all PHASE KAMAILIO_MEMORY_ARGS... : one Kamailio per configuration
start_all() {
	local phase=$1 cfg
	shift
	for cfg in "${configs[@]}"; do
		KPORT[$cfg]=$(it_free_port) || it_die "no free port"
		bench_cfg "$WORK/$phase-$cfg.cfg" "$cfg" "${KPORT[$cfg]}" ruri 2 1 || it_die "render $cfg"
		bench_start "$phase-k-$cfg" -- -f "$WORK/$phase-$cfg.cfg" -E -DD "$@" ||
			it_die "Kamailio ($cfg) did not start"
		KPID[$cfg]=$BENCH_KPID
		it_note "$phase: config $(bench_config_label "$cfg"): Kamailio pid ${KPID[$cfg]}, port ${KPORT[$cfg]}"
	done
}
stop_all() {
	local cfg
	for cfg in "${configs[@]}"; do
		it_stop "${KPID[$cfg]}" 10 >/dev/null
	done
}

# ---------------------------------------------------------------- memory
# pkg allocator f_malloc here (-X fm): with tlsf, kex's pkg.stats keeps the
# values of start-up (only q_malloc and f_malloc update them).
declare -A MEMB MEMA PKGB PKGA MFAIL
start_all mem -x tlsf -X fm -m 256 -M 8
for cfg in "${configs[@]}"; do
	it_note "memory ($cfg): warm-up 2000 calls"
	burst "$cfg" "$MEM_RATE" "$(awk -v r="$MEM_RATE" 'BEGIN { print 2000 / r }')" "mw-$cfg"
	settle "$cfg"
	MEMB[$cfg]=$(shm_stat "$cfg")
	PKGB[$cfg]=$(pkg_stat "$cfg")
	it_note "memory ($cfg): $CALLS calls at $MEM_RATE calls/s"
	burst "$cfg" "$MEM_RATE" "$(awk -v r="$MEM_RATE" -v n="$CALLS" 'BEGIN { print n / r }')" "m-$cfg"
	MFAIL[$cfg]="$B_OK ok, $B_FAILED failed${B_CRASH:+ ($B_CRASH)}, $B_ACHIEVED calls/s; Kamailio CPU $B_CPU us/call"
	settle "$cfg"
	MEMA[$cfg]=$(shm_stat "$cfg")
	PKGA[$cfg]=$(pkg_stat "$cfg")
done
stop_all
mem_end=$(date +%s)

# ---------------------------------------------------------------- rate
declare -A LO HI STOPPED LOG CPUS
start_all rate -x tlsf -m 256 -M 8
step() { # CFG RATE
	burst "$1" "$2" "$BURST" "r-$1-$2"
	local ok=1 verdict=ok
	if [ "$B_FAILED" -gt 0 ]; then
		ok=0 verdict="$B_FAILED failed${B_CRASH:+ ($B_CRASH)}"
	elif [ "$B_KEPT_UP" != 1 ]; then
		ok=0 verdict="rate not reached (calls took longer than the burst + 10% + 1.5 s)"
	fi
	LOG[$1]+=$(printf '    %5d calls/s: %6d calls, %6d failed, offered %5d/s, Kamailio CPU %6s us/call  %s\n' \
		"$2" "$((B_OK + B_FAILED))" "$B_FAILED" "$B_ACHIEVED" "$B_CPU" "$verdict")$'\n'
	it_note "  ($1) $2 calls/s: $B_OK ok, $B_FAILED failed, $B_ACHIEVED/s offered, $B_CPU us/call: $verdict"
	[ "$ok" = 1 ] && [ "$2" -ge 400 ] && CPUS[$1]+=" $B_CPU"
	settle "$1"
	return $((1 - ok))
}
for cfg in "${configs[@]}"; do LO[$cfg]=0; HI[$cfg]=0; STOPPED[$cfg]=0; done
for r in $RATES; do
	for cfg in "${configs[@]}"; do
		[ "${STOPPED[$cfg]}" = 1 ] && continue
		if step "$cfg" "$r"; then LO[$cfg]=$r; else HI[$cfg]=$r; STOPPED[$cfg]=1; fi
	done
done
for k in 1 2; do
	for cfg in "${configs[@]}"; do
		[ "${HI[$cfg]}" -gt 0 ] || continue
		mid=$(((LO[$cfg] + HI[$cfg]) / 8 * 4))
		[ "$mid" -gt "${LO[$cfg]}" ] && [ "$mid" -lt "${HI[$cfg]}" ] || continue
		if step "$cfg" "$mid"; then LO[$cfg]=$mid; else HI[$cfg]=$mid; fi
	done
done

stop_all

# ---------------------------------------------------------------- report
echo
echo "== Highest call rate with zero failed calls (call mix, ${BURST} s bursts, children=2, native)"
printf '%-44s %12s %14s %18s\n' config "max calls/s" "first failing" "CPU us/call (*)"
for cfg in "${configs[@]}"; do
	printf '%-44s %12s %14s %18s\n' "$(bench_config_label "$cfg")" "${LO[$cfg]}" \
		"$([ "${HI[$cfg]}" -gt 0 ] && echo "${HI[$cfg]}" || echo "none tried")" \
		"$(awk -v l="${CPUS[$cfg]:-}" 'BEGIN { n = split(l, v, " "); for (i = 1; i <= n; i++) s += v[i]
			if (n) printf "%.1f", s / n; else print "-" }')"
done
echo "(*) Kamailio CPU time (user + system, all its processes) per call, mean of the"
echo "    passing steps from 400 calls/s; CPU time, not instructions: indicative"
for cfg in "${configs[@]}"; do
	echo "  steps ($cfg):"
	printf '%s' "${LOG[$cfg]}"
done
echo "  (offered: calls / wall time from the first caller's start to the last caller's end)"

echo
echo "== Memory before and after $CALLS calls (after settling; bytes)"
for cfg in "${configs[@]}"; do
	echo "$(bench_config_label "$cfg"): calls: ${MFAIL[$cfg]}"
	read -r ub rb fb <<<"${MEMB[$cfg]}"
	read -r ua ra fa <<<"${MEMA[$cfg]}"
	printf '  %-34s %12s %12s %10s\n' "" before after growth
	printf '  %-34s %12d %12d %+10d\n' "shm used" "$ub" "$ua" $((ua - ub))
	printf '  %-34s %12d %12d %+10d\n' "shm real_used" "$rb" "$ra" $((ra - rb))
	printf '  %-34s %12d %12d %+10d\n' "shm fragments" "$fb" "$fa" $((fa - fb))
	join -t$'\t' <(sort <<<"${PKGB[$cfg]}") <(sort <<<"${PKGA[$cfg]}") |
		awk -F'\t' '{ d = $1; if (length(d) > 26) d = substr(d, 1, 26)
			printf "  pkg used %-25s %12d %12d %+10d\n", d, $2, $4, $4 - $2 }'
done
echo "memory phase took $((mem_end - start)) s; throughput mode took $(($(date +%s) - start)) s"
