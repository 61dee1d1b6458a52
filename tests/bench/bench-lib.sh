# shellcheck shell=bash disable=SC2034
# (SC2034: the variables set here are read by the scripts that source it)
#
# tests/bench/bench-lib.sh: shared parts of the sipoutcome benchmarks
# (scripts/bench.sh). Sourced after tests/integration/lib.sh, whose it_*
# functions (it_setup, it_free_port, it_render, it__sip_ping, it_track,
# it_stop, it_uas_scenario ...) it uses: everything runs on 127.0.0.1, in
# a mktemp -d directory, and only processes started here are stopped, by
# PID.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_TOP=$(cd "$BENCH_DIR/../.." && pwd)

# The configurations of the callgrind mode, in table order.
read -r -a BENCH_CONFIGS <<<"${BENCH_CG_CONFIGS:-a b c d l s j t}"

bench_config_label() {
	case $1 in
	a) echo "(a) no module" ;;
	b) echo "(b) sipoutcome auto=1 log=0" ;;
	c) echo "(c) sipoutcome log=1 normalize X-Outcome" ;;
	d) echo "(d) script-only equivalent of (c)" ;;
	e) echo "(e) sipoutcome loaded, tracking no INVITE" ;;
	l) echo "(l) sipoutcome auto=1 log=1 only" ;;
	j) echo "(j) (c) + log_format=json" ;;
	t) echo "(t) (c) + attempts=1" ;;
	s) echo "(s) (d) without its xlog" ;;
	esac
}

# bench_code_map : one $sht(oc=>CODE) assignment per final code of
# data/codes.tsv ("phrase|tag|category|retry|blame"), the carrier map of
# config (d).
bench_code_map() {
	awk -F'\t' '
	/^#/ || NF < 9 || $1 < 200 { next }
	{
		gsub(/\\/, "\\\\", $2); gsub(/"/, "\\\"", $2)
		printf "\t$sht(oc=>%s) = \"%s|%s|%s|%s|%s\";\n", $1, $2, $4, $5, $6, $7
	}' "$BENCH_TOP/data/codes.tsv"
}

# bench_cfg OUT CONFIG PORT UAS_PORT CHILDREN [CTL [TM_TUNING]] : render
# kamailio-bench.cfg.in for configuration a, b, c, d, or one of the
# configurations that split a cost: l (the log line alone: (l)-(b)), j
# and t ((c) with log_format=json, with attempts=1), s ((d) without its
# xlog statement: the script line's print is (d)-(s)), e (loaded, no
# INVITE tracked). CTL=1 also loads
# ctl (kamcmd on unix:$WORK/kamailio_ctl-PORT) for the memory figures.
# UAS_PORT "ruri": the next hop is 127.0.0.1, port = Request-URI user.
bench_cfg() {
	local out=$1 cfg=$2 port=$3 uport=$4 children=$5 ctl=${6:-0} tuning=${7:-}
	local load="" hook="" extra="" routes
	case $cfg in
	a) ;;
	b)
		load="loadmodule \"$BENCH_MODULE\"
modparam(\"sipoutcome\", \"auto\", 1)
modparam(\"sipoutcome\", \"log\", 0)"
		;;
	c | j | t)
		load="loadmodule \"$BENCH_MODULE\"
modparam(\"sipoutcome\", \"auto\", 1)
modparam(\"sipoutcome\", \"log\", 1)
modparam(\"sipoutcome\", \"reason_mode\", \"normalize\")
modparam(\"sipoutcome\", \"outcome_header\", \"X-Outcome\")"
		[ "$cfg" = j ] && load="$load
modparam(\"sipoutcome\", \"log_format\", \"json\")"
		[ "$cfg" = t ] && load="$load
modparam(\"sipoutcome\", \"attempts\", 1)"
		;;
	l)
		load="loadmodule \"$BENCH_MODULE\"
modparam(\"sipoutcome\", \"auto\", 1)
modparam(\"sipoutcome\", \"log\", 1)"
		;;
	d | s)
		load=$(cat "$BENCH_DIR/script-outcome.modules.cfg")
		hook='t_on_reply("OC_REPLY"); t_on_failure("OC_FAIL");'
		routes=$WORK/script-outcome.routes.cfg
		if [ ! -f "$routes" ]; then
			it_render "$BENCH_DIR/script-outcome.routes.cfg" "$routes" \
				CODE_MAP="$(bench_code_map)" || return 1
		fi
		if [ "$cfg" = s ]; then
			# the same routes, the quoting of OC_LOG kept, its one xlog
			# statement gone
			grep -v '^[[:space:]]*xlog("L_NOTICE", "sipoutcome: ' "$routes" \
				>"$WORK/script-outcome-noxlog.routes.cfg"
			cmp -s "$routes" "$WORK/script-outcome-noxlog.routes.cfg" && return 1
			routes=$WORK/script-outcome-noxlog.routes.cfg
		fi
		extra=$(cat "$routes")
		;;
	e)
		# loaded, with the module's per-message hooks in place (response
		# callback in keep mode, post-script callback), but no INVITE
		# tracked: what loading it costs before any work on a call
		load="loadmodule \"$BENCH_MODULE\"
modparam(\"sipoutcome\", \"methods\", \"MESSAGE\")
modparam(\"sipoutcome\", \"log\", 0)"
		;;
	*) return 1 ;;
	esac
	# BENCH_MODPARAMS: more modparam() lines for the module's configurations
	# (b, c, e, l, j, t), e.g. 'modparam("sipoutcome", "attempts", 1)'
	if [ -n "${BENCH_MODPARAMS:-}" ] && [ -n "$load" ] && [ "$cfg" != d ] && [ "$cfg" != s ]; then
		load="$load
$BENCH_MODPARAMS"
	fi
	if [ "$ctl" = 1 ]; then
		load="loadmodule \"ctl.so\"
modparam(\"ctl\", \"binrpc\", \"unix:$WORK/kamailio_ctl-$port\")
$load"
	fi
	local du="\"sip:127.0.0.1:$uport\""
	[ "$uport" = ruri ] && du='"sip:127.0.0.1:" + $rU'
	it_render "$BENCH_DIR/kamailio-bench.cfg.in" "$out" \
		PORT="$port" DU="$du" MODDIR="$KAMAILIO_MODDIR" WORK="$WORK" \
		CHILDREN="$children" LOADMODULE="$load" INVITE_HOOK="$hook" EXTRA="$extra" \
		TM_TUNING="$tuning"
}

# bench_start NAME PREFIX_CMD... -- KAMAILIO_ARGS... : start Kamailio
# (optionally under a prefix such as valgrind) in its own process group,
# output to $WORK/NAME.log, and wait until it answers OPTIONS on the
# listen port of the -f config (BENCH_READY_TIMEOUT s, default 120).
# Sets BENCH_KPID.
bench_start() {
	local name=$1 cfg port
	shift
	local pre=() args=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		pre+=("$1")
		shift
	done
	shift
	args=("$@")
	cfg=$(printf '%s\n' "${args[@]}" | awk 'p { print; exit } $0 == "-f" { p = 1 }')
	port=$(sed -n 's/^listen=udp:127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$cfg" | head -n 1)
	"$PYTHON" -c 'import os, sys; os.setpgid(0, 0); os.execvp(sys.argv[1], sys.argv[1:])' \
		"${pre[@]}" "$KAMAILIO" "${args[@]}" >"$WORK/$name.log" 2>&1 &
	BENCH_KPID=$!
	it_track "$BENCH_KPID" group
	if ! it__sip_ping "$port" "$BENCH_KPID" "${BENCH_READY_TIMEOUT:-120}"; then
		echo "--- $WORK/$name.log:" >&2
		tail -n 30 "$WORK/$name.log" >&2
		return 1
	fi
}

# The call mix: NAME CALLER_SCENARIO CARRIER_CODE CARRIER_KNOBS...
# (examples/sipp; -set knobs of uas.xml).
BENCH_MIX=(
	"busy|uac|486|-set reason|Busy Here"
	"answered|uac|200|-set ring|1|-set reason|OK"
	"canceled|uac_cancel|200|-set ring|1|-set final|0"
	"noanswer|uac|480|-set reason|Temporarily Not Available|-set extra|Reason: Q.850;cause=19;text=\"No answer from user\""
)

bench_mix_label() {
	case $1 in
	busy) echo "INVITE/486/ACK" ;;
	answered) echo "INVITE/180/200/ACK/BYE" ;;
	canceled) echo "INVITE/180/CANCEL/487" ;;
	noanswer) echo "INVITE/480 + Reason Q.850 cause=19" ;;
	esac
}

# bench_sipp_args NAME : common sipp options (loopback, no stdin, stats
# and errors to files in $WORK; no message trace unless BENCH_TRACE=1).
bench_sipp_args() {
	BENCH_SIPP=(-i 127.0.0.1 -mi 127.0.0.1 -ci 127.0.0.1 -nostdin
		-trace_err -error_file "$WORK/$1.err"
		-trace_screen -screen_file "$WORK/$1.screen")
	if [ "${BENCH_TRACE:-0}" = 1 ]; then
		BENCH_SIPP+=(-trace_msg -message_file "$WORK/$1.msg")
	fi
}

# bench_mix_entry ENTRY : split a BENCH_MIX entry into BM_NAME, BM_UAC,
# BM_CODE and the BM_KNOBS array.
bench_mix_entry() {
	local IFS='|'
	# shellcheck disable=SC2206
	local f=($1)
	BM_NAME=${f[0]}
	BM_UAC=${f[1]}
	BM_CODE=${f[2]}
	BM_KNOBS=()
	local i
	for ((i = 3; i < ${#f[@]}; i++)); do
		# "-set NAME" then VALUE
		if [[ ${f[$i]} == "-set "* ]]; then
			BM_KNOBS+=(-set "${f[$i]#-set }")
		else
			BM_KNOBS+=("${f[$i]}")
		fi
	done
}

# bench_run_calls TAG KPORT UPORT ENTRY CALLS RATE LIMIT [EXTRA_SIPP...] :
# start a carrier for CALLS calls on UPORT, then a caller placing CALLS
# calls at RATE calls/s (at most LIMIT at once) through 127.0.0.1:KPORT;
# wait for both. Returns the caller's sipp exit code (0: every call
# succeeded). Files $WORK/TAG-uac.*, $WORK/TAG-uas.*.
bench_run_calls() {
	local tag=$1 kport=$2 uport=$3 entry=$4 calls=$5 rate=$6 limit=$7
	shift 7
	local sf upid cpid rc urc i cport
	bench_mix_entry "$entry"
	sf=$(it_uas_scenario "$BM_CODE") || return 99
	bench_sipp_args "$tag-uas"
	"$SIPP" "${BENCH_SIPP[@]}" -p "$uport" -sf "$sf" -m "$calls" \
		-timeout "${BENCH_SIPP_TIMEOUT:-600}s" -timeout_error \
		"${BM_KNOBS[@]}" "$@" >"$WORK/$tag-uas.out" 2>&1 &
	upid=$!
	it_track "$upid"
	for ((i = 0; i < 100; i++)); do
		ss -Hlunp "src 127.0.0.1 and sport = :$uport" 2>/dev/null | grep -q "pid=$upid," && break
		it__alive "$upid" || break
		sleep 0.05
	done
	cport=$(it_free_port) || return 99
	bench_sipp_args "$tag-uac"
	"$SIPP" "127.0.0.1:$kport" "${BENCH_SIPP[@]}" -p "$cport" \
		-sf "$IT_SIPP_DIR/$BM_UAC.xml" -m "$calls" -r "$rate" -l "$limit" \
		-timeout "${BENCH_SIPP_TIMEOUT:-600}s" -timeout_error \
		"$@" >"$WORK/$tag-uac.out" 2>&1 &
	cpid=$!
	it_track "$cpid"
	wait "$cpid"
	rc=$?
	# the carrier ends with its last call; give it a moment, then stop it
	for ((i = 0; i < 100; i++)); do
		it__alive "$upid" || break
		sleep 0.05
	done
	if it__alive "$upid"; then
		it_stop "$upid" 2 >/dev/null
	fi
	wait "$upid" 2>/dev/null
	urc=$?
	BENCH_UAS_RC=$urc
	return "$rc"
}

# bench_screen_retrans FILE : retransmissions in a sipp screen file (the
# Retrans column of its message table, sent and received), e.g.
#   "      INVITE ---------->   200   0   0"  or  "  <---------- 486   200   0   0"
bench_screen_retrans() {
	awk '($1 ~ /^(-+>|<-+)$/ || $2 ~ /^(-+>|<-+)$/) && $4 ~ /^[0-9]+$/ { s += $4 }
	END { print s + 0 }' "$1"
}
