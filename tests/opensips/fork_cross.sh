#!/usr/bin/env bash
# fork_cross.sh (issue 15): parallel forking to two carriers, through
# Kamailio 5.6.3 and through OpenSIPS 3.6.8: each proxy's tm picks the
# reply the caller gets (RFC 3261 §16.7: a 4xx beats a 5xx, a 2xx ends the
# call and CANCELs the other branch), and both adapters must log that one
# reply, once per call, with identical outcome lines (Call-ID aside) and
# the winning branch's facts (branch index in the event / $outcome).
# shellcheck disable=SC2016 # proxy script text
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
# shellcheck source=os_lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/os_lib.sh"
os_setup
it_need_module
[ -f "$KAMAILIO_MODDIR/corex.so" ] || it_skip "no corex.so in $KAMAILIO_MODDIR"

port0=$(it_free_port) || it_die "no free port"
port1=$(it_free_port) || it_die "no free port"
# Branch 1 goes to port1. Kamailio: corex append_branch() with $du set to
# port1 for it (the new branch copies $du), then back to port0 for branch
# 0. OpenSIPS 3.6 has no append_branch(): assigning $branch adds one, with
# its own URI and no $du.
khook="\$du = \"sip:127.0.0.1:$port1\";
	append_branch(\"sip:fork1@127.0.0.1:$port1\");
	\$du = \"sip:127.0.0.1:$port0\";"
ohook="\$branch = \"sip:fork1@127.0.0.1:$port1\";"

# fork WHAT ARGS0 -- ARGS1 : carriers on both ports, one caller; the line.
fork() {
	local what=$1 a0=() cid line
	shift
	while [ "$1" != -- ]; do a0+=("$1"); shift; done
	shift
	n=$((n + 1))
	it_note "$proxy call $n: $what"
	it_carrier_start "c0_$n" "$port0" "${a0[@]}" || it_die "carrier 0"
	it_carrier_start "c1_$n" "$port1" "$@" || it_die "carrier 1"
	it_uac_call "uac$n" "$kport"
	it_assert_eq "$proxy call $n ($what): caller completed" 0 $?
	cid=$(it_received_header "uac$n" Call-ID)
	it_wait_log -F "callid=$cid " 1 3 2>/dev/null
	line=$(os_outcome_of "$cid")
	it_assert_eq "$proxy call $n ($what): one outcome line" 1 "$(printf '%s' "$line" | grep -c '^tag=')"
	printf '%s: %s | caller got %s\n' "$what" "${line/callid=$cid /callid=- }" \
		"$(it_received_status "uac$n")" >>"$WORK/$proxy.lines"
	it_uas_wait "c0_$n" 5 || it_stop "${IT_PROC[c0_$n]}"
	it_uas_wait "c1_$n" 5 || it_stop "${IT_PROC[c1_$n]}"
}

mix() {
	fork "500 and a later 486: the 4xx wins" 500 -set reason "Server Internal Error" -- \
		486 -set reason "Busy Here" -set delay 300
	fork "ringing 486 never answering, 200 on the other" 486 -set ring 1 -set final 0 -- \
		200 -set ring 1 -set reason OK -set delay 300
	fork "486 with Q.850 17 and 603 with Q.850 21: the 6xx wins" 486 -set reason "Busy Here" \
		-set extra 'Reason: Q.850;cause=17;text="User busy"' -- \
		603 -set reason Decline -set delay 300 -set extra 'Reason: Q.850;cause=21;text="Call rejected"'
}

proxy=kamailio
n=0
kport=$(it_free_port) || it_die "no free port"
it_kamailio_cfg "$WORK/k.cfg" PORT="$kport" UAS_PORT="$port0" \
	LOADMODULE="loadmodule \"corex.so\"
loadmodule \"$IT_MODULE\"" INVITE_HOOK="$khook" || it_die "render k.cfg"
it_kamailio_start "$WORK/k.cfg" || it_die "Kamailio did not start"
mix
it_kamailio_stop

proxy=opensips
n=0
os_cfg "$WORK/o.cfg" UAS_PORT="$port0" INVITE_HOOK="$ohook" || it_die "render o.cfg"
os_start "$WORK/o.cfg" || it_die "OpenSIPS did not start"
mix
it_assert_eq "opensips: no ERROR/CRITICAL" 0 "$(it_log_count 'ERROR:|CRITICAL:')"
os_stop

while IFS= read -r k && IFS= read -r o <&3; do
	it_assert_eq "same outcome and caller's status: ${k%%: tag=*}" "$k" "$o"
done <"$WORK/kamailio.lines" 3<"$WORK/opensips.lines"
it_assert_eq "both proxies logged every call" 3 "$(wc -l <"$WORK/opensips.lines")"
sed 's/^/#   /' "$WORK/kamailio.lines"
it_finish
