#!/usr/bin/env bash
# kemi.sh: sipoutcome under KEMI. The same call mix (data/kemi_calls.tsv)
# runs through three Kamailio instances, each behind a sipp caller and in
# front of a sipp carrier:
#
#   native  examples/kamailio.cfg            (event_route[sipoutcome:final])
#   js      examples/kamailio-kemi-js.cfg    + examples/kamailio-kemi.js  (app_jsdt)
#   lua     examples/kamailio-kemi-lua.cfg   + examples/kamailio-kemi.lua (app_lua)
#
# The copies differ from the examples only in their listen= line (the
# harness reads the port from it); everything else comes in as -A defines
# (MODULE, MPATH, CARRIER, KEMI_SCRIPT, FR_TIMER 1 s, FR_INV_TIMER 1.5 s).
#
# Asserted, call by call:
#   * the caller completes and gets the status code of column 8;
#   * the module logs exactly one outcome line, and its part from "tag=" up
#     to before "callid=" (tag code class category retry blame source
#     ringing) is column 9 in the native run and IDENTICAL in the three runs;
#   * KEMI runs: the event callback (modparam event_callback) ran exactly
#     once, got "sipoutcome:final" as its argument, and saw
#     KSR.sipoutcome.get() tag/code/category of that outcome line, code as a
#     number, is("BUSY|NO_ANSWER") as column 10, get("q850") as column 11,
#     vendor rfc, null for an unknown key; the failure route's classify()
#     logged column 12 (none for a 2xx);
#   * all runs: one "retry later:" line exactly for BUSY/NO_ANSWER (native:
#     sipoutcome_is() in event_route; KEMI: KSR.sipoutcome.is()).
# Per run: one outcome line per call and no ERROR. kamailio -c accepts both
# KEMI configs.
#
# Exit 77 when app_jsdt or kemix is missing; when only app_lua.so is
# missing, the native and JavaScript runs still run and the test exits 77
# unless one of their assertions failed.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make check may use sh
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_setup
it_need_module

top=$(cd "${top_srcdir:-$IT_LIB_DIR/../..}" && pwd) || it_die "no source tree"
ex=$top/examples
for f in kamailio.cfg kamailio-kemi-js.cfg kamailio-kemi-lua.cfg \
	kamailio-kemi.js kamailio-kemi.lua; do
	[ -f "$ex/$f" ] || it_die "missing $ex/$f"
done
for m in app_jsdt kemix; do
	[ -f "$KAMAILIO_MODDIR/$m.so" ] || it_skip "$m.so not in $KAMAILIO_MODDIR"
done
have_lua=1
[ -f "$KAMAILIO_MODDIR/app_lua.so" ] || have_lua=0

# ------------------------------------------------------------ the call mix
C_NAME=() C_CODE=() C_RING=() C_FINAL=() C_REASON=() C_EXTRA=() C_CALLER=()
C_STATUS=() C_OUTCOME=() C_IS=() C_Q850=() C_FAILURE=()
while IFS=$'\t' read -r name code ring final reason extra caller status \
	outcome is q850 failure rest; do
	case $name in '' | '#'*) continue ;; esac
	if [ -z "$failure" ] || [ -n "$rest" ]; then
		it_die "data/kemi_calls.tsv: line '$name' has not 12 fields"
	fi
	C_NAME+=("$name") C_CODE+=("$code") C_RING+=("$ring") C_FINAL+=("$final")
	C_REASON+=("$reason") C_EXTRA+=("$extra") C_CALLER+=("$caller")
	C_STATUS+=("$status") C_OUTCOME+=("$outcome") C_IS+=("$is")
	C_Q850+=("$q850") C_FAILURE+=("$failure")
done <"$IT_LIB_DIR/data/kemi_calls.tsv"
ncalls=${#C_NAME[@]}
[ "$ncalls" -gt 0 ] || it_die "data/kemi_calls.tsv: no calls"

kport=$(it_free_port) || it_die "no free port"
uport=$(it_free_port) || it_die "no free port"
declare -A HEAD # RUN,I -> outcome line of call I, "tag=" up to before "callid="

# ------------------------------------------------------------ kamailio -c
for e in js lua; do
	[ "$e" = lua ] && [ "$have_lua" = 0 ] && continue
	"$KAMAILIO" -c -f "$ex/kamailio-kemi-$e.cfg" -A "MODULE=\"$IT_MODULE\"" \
		-A "MPATH=\"$KAMAILIO_MODDIR/\"" -A "KEMI_SCRIPT=\"$ex/kamailio-kemi.$e\"" \
		>"$WORK/check-$e.log" 2>&1
	it_assert_eq "kamailio -c kamailio-kemi-$e.cfg exits 0" 0 $?
	it_assert_eq "kamailio -c kamailio-kemi-$e.cfg: config file ok, no ERROR" "1 0" \
		"$(grep -c 'config file ok' "$WORK/check-$e.log") $(grep -c -E 'ERROR|mismatch' "$WORK/check-$e.log")"
done

# outcome_head CALLID : the module's outcome line(s) for CALLID, from "tag="
# up to before " callid=".
outcome_head() {
	it_log_lines -F " callid=$1 " | awk '{
		i = index($0, " sipoutcome: tag=")
		if (i == 0) next
		s = substr($0, i + 13)
		j = index(s, " callid=")
		print (j ? substr(s, 1, j - 1) : s)
	}'
}

# field KEY TEXT : the value of KEY=value in TEXT (space-separated tokens).
field() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# run_mix RUN CFG [KEMI_SCRIPT] : every call of the mix through a Kamailio
# started from a copy of CFG; KEMI runs check the script's log lines too.
run_mix() {
	local run=$1 src=$2 script=${3:-} cfg=$WORK/$1.cfg i name uas uac cid got
	local head sf args want n tag code cat ev
	sed "s/^listen=LISTEN\$/listen=udp:127.0.0.1:$kport/" "$src" >"$cfg" ||
		it_die "cannot copy $src"
	grep -q "^listen=udp:127\.0\.0\.1:$kport\$" "$cfg" ||
		it_die "$src has no 'listen=LISTEN' line"
	args=(-A "MODULE=\"$IT_MODULE\"" -A "MPATH=\"$KAMAILIO_MODDIR/\""
		-A "CARRIER=\"sip:127.0.0.1:$uport\"" -A FR_TIMER=1000 -A FR_INV_TIMER=1500)
	[ -n "$script" ] && args+=(-A "KEMI_SCRIPT=\"$script\"")
	it_note "$run: $(basename "$src")${script:+ + $(basename "$script")}"
	if ! it_kamailio_start "$cfg" "${args[@]}"; then
		it_fail "$run: Kamailio started"
		return 1
	fi

	for ((i = 0; i < ncalls; i++)); do
		name="$run ${C_NAME[i]}"
		uas=$run-uas$i
		uac=$run-uac$i
		args=(-set reason "${C_REASON[i]}" -set ring "${C_RING[i]}"
			-set final "${C_FINAL[i]}")
		[ "${C_EXTRA[i]}" != - ] && args+=(-set extra "${C_EXTRA[i]}")
		it_carrier_start "$uas" "$uport" "${C_CODE[i]}" "${args[@]}" ||
			it_die "$name: carrier did not start"
		sf=uac.xml
		[ "${C_CALLER[i]}" = cancel ] && sf=uac_cancel.xml
		it_uac_call "$uac" "$kport" -sf "$IT_SIPP_DIR/$sf" -cid_str "kemi-$run-$i-%u@%s"
		it_assert_eq "$name: caller completed" 0 $?
		got=$(it_received_status "$uac")
		it_assert_eq "$name: caller received ${C_STATUS[i]}" "${C_STATUS[i]}" "${got%% *}"
		cid=$(it_received_header "$uac" Call-ID)
		it_assert_match "$name: Call-ID from the trace" "^kemi-$run-$i-" "$cid"

		it_wait_log -F "sipoutcome: tag=" $((i + 1)) 3 2>/dev/null
		head=$(outcome_head "$cid")
		it_assert_eq "$name: one outcome line" 1 "$(printf '%s' "$head" | grep -c '^tag=')"
		HEAD[$run,$i]=$head
		[ "$run" = native ] &&
			it_assert_eq "$name: outcome line" "${C_OUTCOME[i]}" "$head"

		tag=$(field tag "$head")
		code=$(field code "$head")
		cat=$(field category "$head")
		n=0
		[ "${C_IS[i]}" = 1 ] && n=1
		it_assert_log "$name: 'retry later' logged iff BUSY/NO_ANSWER" \
			-F "retry later: $tag $code for $cid" "$n"

		if [ -n "$script" ]; then
			want="engine=$run event=sipoutcome:final tag=$tag code=$code"
			want+=" code_type=number category=$cat busy_or_no_answer=${C_IS[i]}"
			want+=" q850=${C_Q850[i]#-} vendor=rfc nokey=null callid=$cid"
			it_wait_log -F "kemi-outcome: engine=$run " $((i + 1)) 3 2>/dev/null
			ev=$(it_log_lines -F "kemi-outcome: " | grep -a -F "callid=$cid" |
				sed 's/.*kemi-outcome: //')
			it_assert_eq "$name: event callback ran once" 1 \
				"$(printf '%s' "$ev" | grep -c '^engine=')"
			it_assert_eq "$name: event callback saw get()/is()" "$want" "$ev"

			ev=$(it_log_lines -F "kemi-failure: " | grep -a -F "callid=$cid" |
				sed 's/.*kemi-failure: //')
			if [ "${C_FAILURE[i]}" = - ]; then
				it_assert_eq "$name: no failure route" "" "$ev"
			else
				it_assert_eq "$name: failure route classify()" \
					"engine=$run ${C_FAILURE[i]} callid=$cid" "$ev"
			fi
		fi

		it_uas_wait "$uas"
		it_assert_eq "$name: carrier finished" 0 $? || it_stop "${IT_PROC[$uas]}"
	done

	it_assert_eq "$run: one outcome line per call" "$ncalls" \
		"$(it_log_count -F 'sipoutcome: tag=')"
	if [ -n "$script" ]; then
		it_assert_eq "$run: one event callback per call" "$ncalls" \
			"$(it_log_count -F "kemi-outcome: engine=$run ")"
	fi
	it_assert_eq "$run: no ERROR" 0 "$(it_log_count ' ERROR: ')"
	it_kamailio_stop
}

runs=(native js)
run_mix native "$ex/kamailio.cfg"
run_mix js "$ex/kamailio-kemi-js.cfg" "$ex/kamailio-kemi.js"
if [ "$have_lua" = 1 ]; then
	runs+=(lua)
	run_mix lua "$ex/kamailio-kemi-lua.cfg" "$ex/kamailio-kemi.lua"
fi

# ------------------------------------------------------------ same outcomes
it_note "outcome lines (tag ... ringing) identical across ${runs[*]}"
for ((i = 0; i < ncalls; i++)); do
	for r in "${runs[@]:1}"; do
		it_assert_eq "${C_NAME[i]}: $r outcome line = native" \
			"${HEAD[native,$i]-}" "${HEAD[$r,$i]-}"
	done
done

if [ "$have_lua" = 0 ] && [ "$IT_FAIL" -eq 0 ]; then
	printf '# %s: %d passed, %d failed\n' "$IT_NAME" "$IT_PASS" "$IT_FAIL"
	it_skip "app_lua.so not in $KAMAILIO_MODDIR: the Lua run was skipped"
fi
it_finish
