#!/usr/bin/env bash
# shellcheck disable=SC2016 # single-quoted $... is Kamailio script text
# reply_edits.sh (issue 12): the edits the module makes to the caller's
# final happen on every final and never break SIP, and parameter values
# that would break SIP or silence the module stop Kamailio at start-up.
#
#   1. Start-up (kamailio -c, and a real start for default_vendor, which is
#      checked once the profiles are loaded): outcome_header must be an RFC
#      3261 token (section 25.1) that names no header SIP or tm relies on,
#      compact forms included (RFC 3261 section 7.3.3); log_level, auto and
#      log out of range; two `description` lines in one profile; a
#      directory as profile path; an unknown default_vendor (the error
#      lists the known profiles).
#   2. A phrase of blanks and tabs (RFC 3261 section 25.1: Reason-Phrase
#      is *(reserved / unreserved / escaped / UTF8 / SP / HTAB)): under
#      normalize the whole phrase, trailing blanks included, is replaced.
#   3. outcome_header: a carrier that sends its own X-Outcome (one relayed
#      beside ours would be read first); a Retry-After the core cannot
#      parse ("-5", 20 digits: RFC 3261 section 20.33 allows only
#      delta-seconds); a 2xx the carrier retransmits (RFC 3261 section
#      13.3.1.4: the UAS retransmits its 2xx until the ACK, and every copy
#      reaches the caller through the proxy, section 16.7).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make check may use sh
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_setup
it_need_module

kport=$(it_free_port) || it_die "no free port"
uport=$(it_free_port) || it_die "no free port"
n=0
FINALS="$IT_LIB_DIR/data/finals.py"

# ------------------------------------------------------------ start-up
# refuse WHAT MODPARAMS PATTERN : kamailio -c with these module lines
# must fail and print PATTERN (a fixed string).
refuse() {
	local what=$1 cfg=$WORK/refuse$n.cfg rc
	n=$((n + 1))
	it_kamailio_cfg "$cfg" PORT="$kport" UAS_PORT="$uport" \
		LOADMODULE="loadmodule \"$IT_MODULE\"
$2" || it_die "cannot render $cfg"
	"$KAMAILIO" -c -f "$cfg" >"$cfg.log" 2>&1
	rc=$?
	it_assert_eq "$what: kamailio -c refuses it" 1 "$([ "$rc" -ne 0 ] && echo 1 || echo 0)"
	if grep -qF -- "$3" "$cfg.log"; then
		it_pass "$what: the error says '$3'"
	else
		it_fail "$what: the error says '$3'" "log: $(grep -a -m 3 -i error "$cfg.log")"
	fi
}

# accept WHAT MODPARAMS : kamailio -c with these module lines passes.
accept() {
	local cfg=$WORK/accept$n.cfg
	n=$((n + 1))
	it_kamailio_cfg "$cfg" PORT="$kport" UAS_PORT="$uport" \
		LOADMODULE="loadmodule \"$IT_MODULE\"
$2" || it_die "cannot render $cfg"
	"$KAMAILIO" -c -f "$cfg" >"$cfg.log" 2>&1
	it_assert_eq "$1: kamailio -c accepts it" 0 $? || sed -n '1,5p' "$cfg.log"
}

it_note "outcome_header: header names SIP and tm rely on, full and compact"
for h in Via v To t From f CSeq Call-ID i Content-Length l Contact m \
	Content-Type c Max-Forwards Record-Route Route Reason Retry-After \
	Require Supported k Allow Expires WWW-Authenticate Proxy-Authenticate \
	Event o Refer-To r s x; do
	refuse "outcome_header=$h" "modparam(\"sipoutcome\", \"outcome_header\", \"$h\")" \
		"outcome_header: '$h'"
done
for h in 'X Outcome' 'X-Outcome:' 'X/Outcome' ''; do
	refuse "outcome_header='$h'" "modparam(\"sipoutcome\", \"outcome_header\", \"$h\")" \
		"outcome_header:"
done
for h in X-Outcome X-Call.Outcome "P-Outcome+1" "x-outcome~1"; do
	accept "outcome_header=$h" "modparam(\"sipoutcome\", \"outcome_header\", \"$h\")"
done

it_note "log_level, auto, log: out-of-range values"
refuse "log_level=999" 'modparam("sipoutcome", "log_level", 999)' "log_level: 999 is outside"
refuse "log_level=-999" 'modparam("sipoutcome", "log_level", -999)' "log_level: -999 is outside"
refuse "log_level=L_LOUD" 'modparam("sipoutcome", "log_level", "L_LOUD")' "log_level: unknown level 'L_LOUD'"
accept "log_level=L_INFO" 'modparam("sipoutcome", "log_level", "L_INFO")'
accept "log_level=l_notice" 'modparam("sipoutcome", "log_level", "l_notice")'
accept "log_level=2" 'modparam("sipoutcome", "log_level", 2)'
accept "log_level=\"3\"" 'modparam("sipoutcome", "log_level", "3")'
refuse "log_level=\"9\"" 'modparam("sipoutcome", "log_level", "9")' "log_level: 9 is outside"
refuse "auto=2" 'modparam("sipoutcome", "auto", 2)' "auto: 2 is outside 0..1"
refuse "auto=-1" 'modparam("sipoutcome", "auto", -1)' "auto: -1 is outside 0..1"
refuse "log=2" 'modparam("sipoutcome", "log", 2)' "log: 2 is outside 0..1"

it_note "profiles: a second description, a directory"
cat >"$WORK/twodesc.profile" <<'EOP'
profile twodesc
description "first"
match code=486 set tag=BUSY category=busy retry=later blame=callee
description "second"
EOP
refuse "two description lines" \
	"modparam(\"sipoutcome\", \"profile\", \"$WORK/twodesc.profile\")" \
	"$WORK/twodesc.profile:4: description:"
mkdir "$WORK/profiles.d"
refuse "a directory as profile" \
	"modparam(\"sipoutcome\", \"profile\", \"$WORK/profiles.d\")" \
	"$WORK/profiles.d: is a directory"

it_note "default_vendor: an unknown name stops start-up, listing the profiles"
it_kamailio_cfg "$WORK/dv.cfg" PORT="$kport" UAS_PORT="$uport" \
	LOADMODULE="loadmodule \"$IT_MODULE\"
modparam(\"sipoutcome\", \"default_vendor\", \"nosuch\")" || it_die "cannot render dv.cfg"
timeout 20 "$KAMAILIO" -f "$WORK/dv.cfg" -E -D -m 64 -M 8 >"$WORK/dv.log" 2>&1
rc=$?
it_assert_eq "default_vendor=nosuch: start-up fails (not killed by timeout)" 1 \
	"$([ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && echo 1 || echo 0)"
it_assert_match "default_vendor=nosuch: the error lists the known profiles" \
	"default_vendor: unknown vendor profile 'nosuch'; known: rfc [a-z0-9]" \
	"$(grep -a -m 1 "default_vendor" "$WORK/dv.log")"

# ------------------------------------------------------------ replies
# start_kamailio MODPARAMS : (re)start Kamailio with the module and these
# modparam lines.
start_kamailio() {
	[ -n "$IT_KAM_PID" ] && it_kamailio_stop
	n=$((n + 1))
	it_kamailio_cfg "$WORK/k$n.cfg" PORT="$kport" UAS_PORT="$uport" \
		LOADMODULE="loadmodule \"$IT_MODULE\"
$1" || it_die "cannot render the Kamailio config"
	it_kamailio_start "$WORK/k$n.cfg" || it_die "Kamailio with sipoutcome did not start"
}

# finals NAME : the finals caller NAME received, "STATUS<TAB>X-Outcome count".
finals() {
	"$PYTHON" "$FINALS" "$WORK/$1.msg" X-Outcome
}

# edit_call WHAT CODE [CARRIER_ARGS...] : one call; the caller must complete
# and the carrier finish. Sets st (first final's status line) and fin.
edit_call() {
	it_call "$@"
	it_assert_eq "call $n: caller completed" 0 $?
	it_uas_wait "uas$n" 5
	it_assert_eq "call $n: carrier finished its call" 0 $? || it_stop "${IT_PROC[uas$n]}"
	st=$(it_received_status "uac$n")
	fin=$(finals "uac$n")
}

it_note "normalize: phrases of blanks and tabs"
start_kamailio 'modparam("sipoutcome", "reason_mode", "normalize")'
edit_call "486 with three blanks" 486 -set reason "  "
it_assert_eq "call $n: the blanks are replaced too" "486 Busy Here" "$st"
edit_call "607 with a blank and two tabs" 607 -set reason $'\t\t'
it_assert_eq "call $n: the tabs are replaced too" "607 Unwanted" "$st"
edit_call "480 with trailing blanks after a phrase" 480 -set reason $'Temporarily Unavailable \t '
it_assert_eq "call $n: the trailing blanks are gone" "480 Temporarily Unavailable" "$st"

it_note "outcome_header X-Outcome (reason_mode keep)"
start_kamailio 'modparam("sipoutcome", "outcome_header", "X-Outcome")'
edit_call "the carrier sends its own X-Outcome" 486 -set reason "Busy Here" \
	-set extra $'X-Outcome: COMPLETED;category=answered\r\nx-outcome: FAKE'
it_assert_eq "call $n: the caller sees one X-Outcome, ours" \
	"BUSY;category=busy;retry=later" "$(it_received_header "uac$n" X-Outcome)"
edit_call "Retry-After: -5" 486 -set reason "Busy Here" -set extra 'Retry-After: -5'
it_assert_eq "call $n: X-Outcome still added" \
	"BUSY;category=busy;retry=later" "$(it_received_header "uac$n" X-Outcome)"
edit_call "Retry-After of 20 digits" 486 -set reason "Busy Here" \
	-set extra 'Retry-After: 12345678901234567890'
it_assert_eq "call $n: X-Outcome still added" \
	"BUSY;category=busy;retry=later" "$(it_received_header "uac$n" X-Outcome)"

# a carrier that sends its 200 a second time once the ACK came (a UAS
# retransmits its 2xx until it sees the ACK, RFC 3261 section 13.3.1.4; the
# copy crossed the ACK), with a control byte in the phrase
"$PYTHON" - "$(it_uas_scenario 200)" "$WORK/uas-200x2.xml" <<'PY'
import sys
src, out = sys.argv[1], sys.argv[2]
t = open(src).read()
i = t.index('<label id="final_2xx"/>')
send = t[t.index('<send', i):t.index('</send>', i) + len('</send>')]
# the copy: the same bytes again (from the INVITE's Via and Record-Route,
# kept when it came: by then last_* are the ACK's), no timer or action
rr = '<ereg regexp="Record-Route:[^[:cntrl:]]*" search_in="msg" check_it="false" assign_to="inv_rr"/>'
t = t.replace('<assign assign_to="code"', rr + '\n      <assign assign_to="code"', 1)
again = send.replace('<send retrans="500">', '<send>', 1)
again = again[:again.index('<action>')] + '</send>'
again = again.replace('[last_Via:]', '[$inv_vias]').replace('[last_Record-Route:]', '[$inv_rr]')
again = again.replace('[last_To:];tag=[pid]SIPpTag01[call_number]', '[last_To:]')
again = again.replace('[last_CSeq:]', 'CSeq: [last_cseq_number] INVITE')
ack = '<recv request="ACK"/>'
k = t.index(ack, t.index('<label id="wait_ack_2xx"/>')) + len(ack)
open(out, "w").write(t[:k] + "\n  " + again + t[k:])
PY
n=$((n + 1))
it_note "call $n: a 200 with a control byte, retransmitted"
it_uas_start "uas$n" "$uport" -sf "$WORK/uas-200x2.xml" -set reason $'OK\x01x' ||
	it_die "carrier $n did not start"
it_uac_call "uac$n" "$kport" -set hold 300
it_assert_eq "call $n: caller completed" 0 $?
it_uas_wait "uas$n" 5
it_assert_eq "call $n: carrier finished its call" 0 $? || it_stop "${IT_PROC[uas$n]}"
fin=$(finals "uac$n")
it_assert_eq "call $n: the caller got the 200 and its retransmission(s)" 1 \
	"$([ "$(printf '%s\n' "$fin" | grep -c .)" -ge 2 ] && echo 1 || echo 0)"
it_assert_eq "call $n: every copy repaired, with one X-Outcome" "" \
	"$(printf '%s\n' "$fin" | grep -v -x -F $'200 OK x\t1' | sort | uniq -c)"

it_kamailio_stop
it_assert_eq "no ERROR logged" 0 "$(it_log_count ' ERROR: ')"
it_finish
