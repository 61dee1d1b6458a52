#!/usr/bin/env bash
# hostile.sh (issue 15): the hostile carrier of tests/integration/hostile.sh
# (data/hostile_uas.py: no phrase, empty phrase, two-digit and 999 codes,
# NUL, control bytes, bad UTF-8, a bare CR, a 60,000-byte phrase, garbled
# Reason headers, no To tag) through OpenSIPS 3.6.8 three times: stock
# (nomod), the module with reason_mode normalize and X-Outcome, and with
# its defaults (keep). With the module the caller gets the same code as
# without it, OpenSIPS keeps answering OPTIONS and logs no CRITICAL, the
# module logs the call at most once and no ERROR, and what it relays is a
# valid status line (RFC 3261 §25.1: no control byte, valid UTF-8, a
# phrase of at most 128 bytes).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
# shellcheck source=os_lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/os_lib.sh"
os_setup

UAS=$IT_LIB_DIR/data/hostile_uas.py
UAC=$IT_LIB_DIR/data/hostile_uac.py
mapfile -t cases < <("$PYTHON" "$UAS" --list) || it_die "hostile_uas.py --list failed"
[ "${#cases[@]}" -ge 10 ] || it_die "hostile_uas.py lists ${#cases[@]} cases"

uport=$(it_free_port) || it_die "no free port"
"$PYTHON" "$UAS" --port "$uport" --lifetime 150 --log "$WORK/hostile_uas.log" &
it_track $!
for _ in $(seq 50); do
	ss -Hlun "src 127.0.0.1 and sport = :$uport" 2>/dev/null | grep -q . && break
	sleep 0.05
done

declare -A R # MODE:CASE:KEY -> hostile_uac.py's key=value output
for mode in nomod normalize keep; do
	case $mode in
	nomod) lm= ;;
	normalize) lm="loadmodule \"$OS_MODULE\"
modparam(\"sipoutcome\", \"reason_mode\", \"normalize\")
modparam(\"sipoutcome\", \"outcome_header\", \"X-Outcome\")" ;;
	keep) lm="loadmodule \"$OS_MODULE\"" ;;
	esac
	os_cfg "$WORK/$mode.cfg" UAS_PORT="$uport" FR_TIMEOUT=2 FR_INV_TIMEOUT=3 \
		LOADMODULE="$lm" || it_die "cannot render the $mode config"
	os_start "$WORK/$mode.cfg" || it_die "OpenSIPS ($mode) did not start"
	it_note "$mode: ${#cases[@]} hostile finals"
	for c in "${cases[@]}"; do
		while IFS= read -r line; do
			R[$mode:$c:${line%%=*}]=${line#*=}
		done < <("$PYTHON" "$UAC" call "$OS_PORT" "$c" --timeout 6 --raw "$WORK/$mode.$c.raw")
		"$PYTHON" "$UAC" ping "$OS_PORT" --timeout 2
		it_assert_eq "$mode/$c: OpenSIPS still answers OPTIONS" 0 $?
	done
	os_stop
	cp "$IT_KAM_LOG" "$WORK/opensips-$mode.log"
	it_assert_eq "$mode: no CRITICAL/BUG line" 0 "$(it_log_count 'CRITICAL:|BUG:')"
done

IT_LOG_TAIL=0
for c in "${cases[@]}"; do
	for mode in normalize keep; do
		got=${R[$mode:$c:final_code]:-}
		it_assert_eq "$mode/$c: caller gets the code it gets without the module" \
			"${R[nomod:$c:final_code]:-}" "$got"
		if [ -n "$got" ]; then
			it_assert_eq "$mode/$c: relayed status line has no control byte" 0 \
				"${R[$mode:$c:line_ctrl]:-}"
			it_assert_eq "$mode/$c: relayed phrase is valid UTF-8" 1 "${R[$mode:$c:phrase_utf8]:-}"
			pl=${R[$mode:$c:phrase_len]:-999}
			it_assert_eq "$mode/$c: relayed phrase is at most 128 bytes" 1 \
				"$([ "$pl" -le 128 ] && echo 1 || echo 0)"
		fi
		cid=${R[$mode:$c:callid]:-}
		log=$WORK/opensips-$mode.log
		n=$(grep -a -F "callid=$cid " "$log" | grep -a -c 'sipoutcome: tag=')
		it_assert_eq "$mode/$c: at most one outcome line" 1 "$([ "$n" -le 1 ] && echo 1 || echo 0)"
		it_assert_eq "$mode/$c: no module ERROR" 0 "$(grep -a -c 'ERROR:sipoutcome' "$log")"
	done
done
it_assert_eq "keep/huge: the 60 KB phrase is cut to 128 bytes" 128 "${R[keep:huge:phrase_len]:-}"
it_assert_eq "normalize/busy: canonical status line" 'SIP/2.0 486 Busy Here' \
	"${R[normalize:busy:status_line]:-}"
it_finish
