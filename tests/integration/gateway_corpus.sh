#!/usr/bin/env bash
# shellcheck disable=SC2016 # single-quoted $... is Kamailio script text
# The corpus of real gateway replies (tests/integration/data/
# gateway_corpus.tsv, issue 11): each final, shaped as Asterisk chan_pjsip,
# FreeSWITCH sofia or a PSTN gateway sends it, goes from a sipp carrier
# through Kamailio with tm's default remap_503_500 to a sipp caller.  Per
# case: the caller completes, the module logs one line with the expected
# tokens, and both `sipoutcome explain` given the same code, phrase, Reason
# and context and `sipoutcome classify` on the sipp trace of the call give
# the same tag, category, retry and blame.
# make check may run tests with /bin/sh: continue in bash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
# shellcheck source=data/rp_helpers.sh
. "$IT_LIB_DIR/data/rp_helpers.sh"
it_setup
it_need_module

CLI=${SIPOUTCOME:-${top_builddir:-$IT_LIB_DIR/../..}/module/cli/sipoutcome}
[ -x "$CLI" ] || it_skip "no sipoutcome tool at $CLI"
CORPUS=${GATEWAY_CORPUS:-$IT_LIB_DIR/data/gateway_corpus.tsv}

kport=$(it_free_port) || it_die "no free port"
uport=$(it_free_port) || it_die "no free port"

# tm's defaults where the corpus depends on them (remap_503_500 on); the
# vendor is the Request-URI user.
it_kamailio_cfg "$WORK/k.cfg" PORT="$kport" UAS_PORT="$uport" REMAP_503_500=1 \
	LOADMODULE="loadmodule \"$IT_MODULE\"" \
	INVITE_HOOK='if ($rU == "8x8" || $rU == "okitoki" || $rU == "cognigy") {
		sipoutcome_vendor("$rU");
	}
	if ($rU == "local") {
		# a next hop whose URI tm cannot use: tm replies itself
		$du = "sip:127.0.0.1:99999";
	}' || it_die "cannot render the Kamailio config"
# Four SIP workers: a CANCEL and the 487 after it are often handled by
# different processes, which share only the call's state word.
sed -i 's/^children=1$/children=4/' "$WORK/k.cfg"
grep -q '^children=4$' "$WORK/k.cfg" || it_die "cannot set children=4"
it_kamailio_start "$WORK/k.cfg" || it_die "Kamailio with sipoutcome did not start"

# The caller's CANCEL with a Reason header: examples/sipp/uac_cancel.xml
# with one more header line in the CANCEL.
sed -e 's/<Global variables="cancel_after"\/>/<Global variables="cancel_after,creason"\/>/' \
	-e 's/^CSeq: 1 CANCEL$/CSeq: 1 CANCEL\n[$creason]/' \
	"$IT_SIPP_DIR/uac_cancel.xml" >"$WORK/uac_cancel_reason.xml"
[ "$(grep -c 'creason' "$WORK/uac_cancel_reason.xml")" = 2 ] ||
	it_die "cannot make the CANCEL-with-Reason scenario"

# A caller that gives up after 100 Trying alone (a dialer's timer, seed
# 003): the same scenario, cancelling on the 100 after cancel_after ms.
sed -e 's/<recv response="100" response_txn="invite" optional="true" next="wait_final"\/>/<recv response="100" response_txn="invite" optional="true" next="ringing"\/>/' \
	"$IT_SIPP_DIR/uac_cancel.xml" >"$WORK/uac_cancel_on_100.xml"
grep -q 'response="100" response_txn="invite" optional="true" next="ringing"' \
	"$WORK/uac_cancel_on_100.xml" || it_die "cannot make the cancel-on-100 scenario"

n=0
cases=0
callids=()

# field NAME OUTPUT : the value of "NAME: value" in explain's text output.
field() {
	sed -n "s/^$1: //p" <<<"$2" | head -n 1
}

# token KEY LINE : the value of KEY=value in a log line ("" when absent).
token() {
	tr ' ' '\n' <<<" $2" | sed -n "s/^$1=//p" | head -n 1
}

# explain_args EXTRA : --q850/--location from the first Q.850 value.
explain_args() {
	local v=$1 cause loc
	case $v in *Q.850*) ;; *) return 0 ;; esac
	v=${v#*Q.850}
	v=${v%%,*}
	v=${v%%$'\r'*}
	cause=$(sed -n 's/.*cause=\([0-9]*\).*/\1/p' <<<"$v")
	loc=$(sed -n 's/.*location=\([A-Za-z]*\).*/\1/p' <<<"$v")
	[ -n "$cause" ] && printf -- '--q850\n%s\n' "$cause"
	[ -n "$loc" ] && printf -- '--location\n%s\n' "$loc"
	return 0
}

# agree WHAT ID LINE OUTPUT KEY... : OUTPUT (explain's "key: value" lines,
# or classify's logfmt line) has the module LINE's value for every KEY.
agree() {
	local what=$1 id=$2 line=$3 out=$4 key want got
	shift 4
	for key in "$@"; do
		want=$(token "$key" "$line")
		case $out in
		*"$key: "*) got=$(field "$key" "$out") ;;
		*) got=$(token "$key" "$out") ;;
		esac
		if [ "$want" != "$got" ]; then
			it_fail "$id: $what agrees with the module" \
				"$key: module $want, $what $got"
			return 0
		fi
	done
	it_pass "$id: $what agrees with the module"
}

# run_case ID VENDOR RING CODE PHRASE EXTRA EXPECT
run_case() {
	local id=$1 vendor=$2 ring=$3 code=$4 phrase=$5 extra=$6 expect=$7
	local line missing out trace args=() tokens=()
	local keys=(tag category retry blame)
	cases=$((cases + 1))
	[ "$extra" = - ] && extra=
	extra=${extra//\\n/$'\r\n'}
	if [ "$code" = local ]; then
		# no carrier: the proxy answers itself
		n=$((n + 1))
		it_note "call $n: $id"
		it_uac_call "uac$n" "$kport" -s local
		args=(478)
		vendor=rfc
		keys=(tag category retry) # explain knows no local reply
	elif [ "$code" = cancel100 ]; then
		it_call "$id" 486 -set ring 0 -set final 0 -- -s "$vendor" \
			-sf "$WORK/uac_cancel_on_100.xml" -set cancel_after 300
		args=(487 --canceled)
	elif [ "$code" = cancel ]; then
		local sf=("$IT_SIPP_DIR/uac_cancel.xml")
		[ -n "$extra" ] && sf=("$WORK/uac_cancel_reason.xml" -set creason "$extra")
		it_call "$id" 486 -set ring 1 -set final 0 -- -s "$vendor" -sf "${sf[@]}"
		args=(487 --ringing)
		if [ -n "$extra" ]; then
			args+=(--cancel-reason "${extra#Reason: }")
		else
			args+=(--canceled)
		fi
	else
		it_call "$id" "$code" -set ring "$ring" -set reason "$phrase" \
			-set extra "$extra" -- -s "$vendor"
		args=("$code" --reason "$phrase")
		[ "$ring" = 1 ] && args+=(--ringing)
		mapfile -t -O "${#args[@]}" args < <(explain_args "$extra")
	fi
	it_assert_eq "$id: caller completed" 0 $?
	if [ "$code" != local ]; then
		it_uas_wait "uas$n" 5 || it_stop "${IT_PROC[uas$n]}"
	fi
	cid=$(rp_callid "uac$n")
	callids+=("$cid")
	rp_wait_outcome "$cid" 3
	line=$(rp_outcome_lines "$cid" | head -n 1)
	read -r -a tokens <<<"$expect"
	# tm's remap_503_500: the module classifies the carrier's 503 and
	# logs sent=500 for tm's reply (issue 11 item 6)
	if missing=$(rp_has_tokens "$line" "${tokens[@]}"); then
		it_pass "$id: $expect"
	else
		it_fail "$id: $expect" "missing: $missing" "    line: $line"
	fi
	out=$("$CLI" explain --vendor "$vendor" "${args[@]}" 2>&1)
	agree explain "$id" "$line" "$out" "${keys[@]}"
	# classify reads a capture: the carrier's side (what the next hop
	# sent, as the module classifies it), or the caller's when the caller
	# cancels or no carrier took part
	trace=$WORK/uas$n.msg
	case $code in cancel* | local) trace=$WORK/uac$n.msg ;; esac
	out=$("$CLI" classify --vendor "$vendor" "$trace" 2>&1 | grep ' tag=' | tail -n 1)
	agree classify "$id" "$line" "$out" "${keys[@]}"
}

while IFS=$'\t' read -r id vendor ring code phrase extra expect rest; do
	case $id in '' | '#'*) continue ;; esac
	[ -n "$expect" ] && [ -z "${rest:-}" ] ||
		it_die "gateway_corpus.tsv: case '$id' does not have 7 fields"
	run_case "$id" "$vendor" "$ring" "$code" "$phrase" "$extra" "$expect"
done <"$CORPUS"

[ -n "${GATEWAY_CORPUS:-}" ] ||
	it_assert_eq "the corpus has at least 40 cases" 1 $((cases >= 40))
it_kamailio_stop
rp_assert_one_line_per_call "all calls" "${callids[@]}"
# the local 478 case logs tm's and sl's own errors about the bad URI
it_assert_eq "Kamailio logged no other ERROR" 0 \
	"$(it_log_lines ' ERROR: ' | grep -cv -e 'bad_uri: \[sip:127.0.0.1:99999\]' \
		-e 'failure to add branches' -e 'stateless error reply used')"
it_finish
