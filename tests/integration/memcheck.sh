#!/usr/bin/env bash
# shellcheck disable=SC2016 # single-quoted $... is Kamailio script text
# memcheck.sh: Kamailio with sipoutcome under valgrind memcheck while a mix
# of calls goes through, then no valgrind error record may involve the
# module (a sipoutcome.so frame, or a frame in one of its source files:
# km_*.c, os_*.c, sipoutcome_*.c, codes_table.c, profiles_builtin.c).
#
# Kamailio runs in no-fork mode (kamailio -D: the SIP worker is the main
# process; the timer and ctl processes it still forks stay under valgrind,
# one log file each, $WORK/vg.PID.log).  Options:
#   --tool=memcheck --trace-children=no --track-origins=no --leak-check=no
#   --error-exitcode=97
# Leaks are not looked for: Kamailio's pkg and shm pools are its own
# allocators, which memcheck cannot see into; what memcheck does see is
# invalid reads/writes outside those pools (stack, libc, system malloc),
# invalid frees and the use of uninitialised values (the pkg pool is malloc()ed, so
# values the module reads from never-written pkg memory show).
# A suppression file for known Kamailio-core noise is used when present
# (data/hostile_memcheck.supp); see the note in it.
#
# The calls (reason_mode normalize + outcome_header X-Outcome, the event
# route, fr_timer 1.5 s, fr_inv_timer 2 s):
#   486; 180 then 200 (ACK, BYE); 180 then the caller's CANCEL (487);
#   180 and no answer until fr_inv_timer (tm's 408, CANCEL to the carrier);
#   480 with Reason Q.850 cause 17; 486 "busy!" with annotate on top of
#   normalize (sipoutcome_reason("annotate") in onreply_route); a parallel
#   fork 500 + 486 twice (the 486 last, then the 500 last: tm relays the
#   stored 486); and every hostile final of data/hostile_uas.py.
# Bounded: valgrind start-up up to 60 s (IT_READY_TIMEOUT), calls ~40 s,
# shutdown up to 30 s.  Skipped (77) without valgrind.
# make check may run tests with /bin/sh: continue in bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source=data/rp_helpers.sh
. "$IT_LIB_DIR/data/rp_helpers.sh"
it_setup
it_need_module
VALGRIND=${VALGRIND:-$(command -v valgrind || true)}
if [ -z "$VALGRIND" ] || [ ! -x "$VALGRIND" ]; then
	it_skip "valgrind not found"
fi
[ -f "$KAMAILIO_MODDIR/corex.so" ] || it_skip "no corex.so in $KAMAILIO_MODDIR"

UAS=$IT_LIB_DIR/data/hostile_uas.py
UAC=$IT_LIB_DIR/data/hostile_uac.py
SUPP=$IT_LIB_DIR/data/hostile_memcheck.supp
T0=$SECONDS

kport=$(it_free_port) || it_die "no free port"
uport=$(it_free_port) || it_die "no free port" # sipp carriers, branch 0
fport=$(it_free_port) || it_die "no free port" # fork branch 1
hport=$(it_free_port) || it_die "no free port" # the hostile carrier

# R-URI user: c (carrier), annotate (carrier, annotate on top), fork (two
# carriers), anything else: a hostile case (hostile_uas.py).
it_kamailio_cfg "$WORK/k.cfg" PORT="$kport" UAS_PORT="$uport" \
	FR_TIMER=1500 FR_INV_TIMER=2000 \
	LOADMODULE="loadmodule \"corex.so\"
loadmodule \"$IT_MODULE\"
modparam(\"sipoutcome\", \"auto\", 1)
modparam(\"sipoutcome\", \"reason_mode\", \"normalize\")
modparam(\"sipoutcome\", \"outcome_header\", \"X-Outcome\")" \
	INVITE_HOOK="if (\$rU == \"fork\") {
		\$du = \"sip:127.0.0.1:$fport\";
		append_branch(\"sip:fork1@127.0.0.1:$fport\");
		\$du = \"sip:127.0.0.1:$uport\";
	} else if (\$rU == \"annotate\") {
		t_on_reply(\"ANNOTATE\");
	} else if (\$rU != \"c\") {
		\$du = \"sip:127.0.0.1:$hport\";
	}" \
	EXTRA='onreply_route[ANNOTATE] {
	if (status =~ "^[3-6][0-9][0-9]$") {
		sipoutcome_reason("annotate");
	}
}
event_route[sipoutcome:final] {
	xlog("L_NOTICE", "mc-event: ci=$ci rs=$rs tag=$outcome(tag) reason=$outcome(reason) q850=$outcome(q850) branch=$outcome(branch)\n");
}' || it_die "cannot render the Kamailio config"

# Kamailio through valgrind: it_kamailio_start runs $KAMAILIO.
vgopts=(--tool=memcheck --error-exitcode=97 --trace-children=no
	--track-origins=no --leak-check=no --num-callers=30
	--log-file="$WORK/vg.%p.log")
[ -f "$SUPP" ] && vgopts+=(--suppressions="$SUPP")
{
	printf '#!/bin/sh\nexec'
	printf ' %q' "$VALGRIND" "${vgopts[@]}" "$KAMAILIO"
	printf ' "$@"\n'
} >"$WORK/kamailio-vg"
chmod +x "$WORK/kamailio-vg"
REAL_KAMAILIO=$KAMAILIO
KAMAILIO=$WORK/kamailio-vg
IT_READY_TIMEOUT=${IT_READY_TIMEOUT:-60}
it_kamailio_start "$WORK/k.cfg" || it_die "Kamailio under valgrind did not start"
KAMAILIO=$REAL_KAMAILIO
it_note "Kamailio ready under valgrind after $((SECONDS - T0))s"

"$PYTHON" "$UAS" --port "$hport" --lifetime 150 --log "$WORK/hostile_uas.log" &
it_track $!

n=0
# call WHAT EXPECTED_STATUS CODE CARRIER_ARGS -- -s USER [CALLER_ARGS] : a
# sipp carrier on uport answering CODE, a sipp caller to USER (it_call).
# EXPECTED_STATUS "~REGEX": the status line must match REGEX.
call() {
	local what=$1 expected=$2
	it_call "$1" "${@:3}"
	if [ "${expected#\~}" != "$expected" ]; then # ~REGEX
		it_assert_match "call $n ($what): caller received /${expected#\~}/" \
			"${expected#\~}" "$(it_received_status "uac$n")"
	else
		it_assert_eq "call $n ($what): caller received '$expected'" "$expected" \
			"$(it_received_status "uac$n")"
	fi
	it_uas_wait "uas$n" 10 || it_stop "${IT_PROC[uas$n]}"
}

call "486" "486 Busy Here" 486 -set reason "Busy Here" -- -s c
call "180, 200" "200 OK" 200 -set ring 1 -set reason OK -- -s c
call "180, caller CANCEL" "487 Request Terminated" 486 -set ring 1 -set final 0 \
	-- -s c -sf "$IT_SIPP_DIR/uac_cancel.xml"
call "180, fr_inv_timer" "408 Request Timeout" 486 -set ring 1 -set final 0 -- -s c
call "480 + Reason Q.850 17" "480 Temporarily Unavailable" 480 \
	-set reason "Temporarily Unavailable" \
	-set extra 'Reason: Q.850;cause=17;text="User busy"' -- -s c
# (which phrase annotate starts from when normalize replaced it first is
# reason_modes.sh's business; here: the annotation is there)
call "486 'busy!' normalize + annotate" '~^486 .*\[BUSY/busy\]$' 486 \
	-set reason 'busy!' -- -s annotate

# Parallel fork: branch 0 (uport) 500, branch 1 (fport) 486.
for order in "0 300" "300 0"; do
	read -r d0 d1 <<<"$order"
	n=$((n + 1))
	it_note "call $n: fork 500 (delay $d0) + 486 (delay $d1)"
	it_carrier_start "f0_$n" "$uport" 500 -set reason "Server Internal Error" \
		-set delay "$d0" || it_die "fork carrier 0 did not start"
	it_carrier_start "f1_$n" "$fport" 486 -set reason "Busy Here" -set delay "$d1" \
		-set extra 'Reason: Q.850;cause=17' || it_die "fork carrier 1 did not start"
	it_uac_call "uac$n" "$kport" -s fork
	it_assert_eq "call $n (fork): caller received '486 Busy Here'" "486 Busy Here" \
		"$(it_received_status "uac$n")"
	it_uas_wait "f0_$n" 10 || it_stop "${IT_PROC[f0_$n]}"
	it_uas_wait "f1_$n" 10 || it_stop "${IT_PROC[f1_$n]}"
done

# Every hostile final; Kamailio must still answer afterwards.
mapfile -t cases < <("$PYTHON" "$UAS" --list)
for c in "${cases[@]}"; do
	code=$("$PYTHON" "$UAC" call "$kport" "$c" --timeout 8 | sed -n 's/^final_code=//p')
	it_note "hostile $c: caller got '${code:-nothing}'"
done
if "$PYTHON" "$UAC" ping "$kport" --timeout 5; then
	it_pass "Kamailio under valgrind still answers OPTIONS after ${#cases[@]} hostile finals"
else
	it_fail "Kamailio under valgrind still answers OPTIONS after the hostile finals"
fi
it_assert_eq "one event route run per outcome line" \
	"$(rp_outcome_count)" "$(it_log_count -F 'mc-event: ci=')"

it_note "calls done after $((SECONDS - T0))s; stopping Kamailio"
IT_STOP_TIMEOUT=30 it_kamailio_stop
kam_rc=$?
it_note "Kamailio exit status $kam_rc (97: valgrind counted errors); total $((SECONDS - T0))s"

it_assert_eq "no CRITICAL/BUG/ALERT line in the Kamailio log" 0 \
	"$(it_log_count ' (CRITICAL|BUG|ALERT|EMERGENCY): ')"

# vg_records MODFILE OTHERFILE LOG... : print "TOTAL MODULE", the numbers
# of valgrind error records in the LOGs and of those that involve the
# module; write the module's records to MODFILE, the others to OTHERFILE.
# A record starts with "==PID== " and an error message, and ends at the
# next "==PID==" line with nothing else; it is the module's when one of
# its lines names sipoutcome.so or a source file of the module or engine.
vg_records() {
	local modfile=$1 otherfile=$2
	shift 2
	: >"$modfile"
	: >"$otherfile"
	awk -v modfile="$modfile" -v otherfile="$otherfile" \
		-v pat='sipoutcome\\.so|[ (/](km|os)_[a-z_]+\\.c:|sipoutcome_[a-z_]+\\.c:|codes_table\\.c:|profiles_builtin\\.c:' '
	function flush() {
		if (rec != "") {
			total++
			if (rec ~ pat) { mod++; print rec > modfile }
			else print rec > otherfile
		}
		rec = ""; inrec = 0
	}
	FNR == 1 { flush() }
	/^==[0-9]+== *$/ { flush(); next }
	/^==[0-9]+== [A-Z]/ && !inrec &&
	    /(Invalid|[Uu]ninitialised|unaddressable|overlap|Mismatched|Syscall param|Jump to|Argument|fishy|Process terminating)/ {
		inrec = 1; rec = FILENAME ":\n" $0; next
	}
	inrec { rec = rec "\n" $0 }
	END { flush(); printf "%d %d\n", total + 0, mod + 0 }
	' "$@"
}

# The parser itself, on a made-up log: one record in the module, one not.
cat >"$WORK/vg-sample.log" <<'VG'
==42== Memcheck, a memory error detector
==42== 
==42== Invalid read of size 1
==42==    at 0x4C3A1B0: choose_phrase (km_edit.c:183)
==42==    by 0x4C3B2C1: km_edit_reply_in (km_edit.c:640)
==42==    by 0x6F1C2D3: ??? (in /usr/lib/x86_64-linux-gnu/kamailio/modules/tm.so)
==42==  Address 0x0 is not stack'd, malloc'd or (recently) free'd
==42== 
==42== Conditional jump or move depends on uninitialised value(s)
==42==    at 0x1A2B3C: ??? (in /usr/sbin/kamailio)
==42== 
==42== ERROR SUMMARY: 2 errors from 2 contexts (suppressed: 0 from 0)
VG
it_assert_eq "valgrind log parser: 2 records, 1 in the module (self-test)" "2 1" \
	"$(vg_records "$WORK/vg-sample.mod" "$WORK/vg-sample.other" "$WORK/vg-sample.log")"

vglogs=("$WORK"/vg.[0-9]*.log)
[ -f "${vglogs[0]}" ] || it_die "valgrind wrote no log ($WORK/vg.PID.log)"
it_note "valgrind logs: ${#vglogs[@]} (one per Kamailio process)"
vg_records "$WORK/vg-module-errors.txt" "$WORK/vg-other-errors.txt" \
	"${vglogs[@]}" >"$WORK/vg-counts.txt"
read -r vg_total vg_mod <"$WORK/vg-counts.txt"
it_note "valgrind error records: $vg_total in all, $vg_mod involving sipoutcome"
summ=$(grep -h 'ERROR SUMMARY' "${vglogs[@]}" | sed 's/^==[0-9]*== //' | sort | uniq -c | sed 's/^ */  /')
it_note "valgrind summaries (count x line):"
printf '%s\n' "$summ" | sed 's/^/#  /'
if [ "$vg_mod" = 0 ]; then
	it_pass "no valgrind error record involves sipoutcome.so or its sources"
else
	it_fail "no valgrind error record involves sipoutcome.so or its sources" \
		"$vg_mod record(s); the first ones:"
	head -n 80 "$WORK/vg-module-errors.txt" | sed 's/^/#     /'
fi
if [ "$vg_total" != "$vg_mod" ]; then
	it_note "other valgrind records (Kamailio core/stock modules), first lines:"
	head -n 40 "$WORK/vg-other-errors.txt" | sed 's/^/#     /'
fi
# Every process's log must end with a summary: none died inside valgrind.
it_assert_eq "every valgrind log has its ERROR SUMMARY" "${#vglogs[@]}" \
	"$(grep -l 'ERROR SUMMARY' "${vglogs[@]}" | wc -l)"
elapsed=$((SECONDS - T0))
if [ "$elapsed" -lt 180 ]; then
	it_pass "memcheck run bounded: ${elapsed}s < 180s"
else
	it_fail "memcheck run bounded: < 180s" "took ${elapsed}s"
fi

it_finish
