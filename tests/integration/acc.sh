#!/usr/bin/env bash
# acc sees the outcome (issue 11 item 10): examples/kamailio-acc.cfg, run
# as shipped with the real acc and db_text modules and 4 worker
# processes, writes $outcome(tag), category, retry and vendor into acc's
# log_extra record and db_extra columns, with the default reason_mode
# (keep), and they agree with the module's own line for the same call.
# acc writes its record in its TMCB_RESPONSE_OUT callback
# (modules/acc/acc_logic.c tmcb_func), before tm's TMCB_RESPONSE_SENT.
# shellcheck disable=SC2016 # $outcome(...): Kamailio pseudo-variables
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make check may use sh
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_setup
it_need_module
for m in acc db_text; do
	[ -f "$KAMAILIO_MODDIR/$m.so" ] || it_skip "Kamailio module $m not installed"
done

kport=$(it_free_port) || it_die "no free port"
uport=$(it_free_port) || it_die "no free port"
n=0
top=${top_srcdir:-$IT_LIB_DIR/../..}
cp -R "$top/examples/acc" "$WORK/acc" || it_die "cannot copy examples/acc"
chmod -R u+w "$WORK/acc"
sed "s/^listen=LISTEN\$/listen=udp:127.0.0.1:$kport/" "$top/examples/kamailio-acc.cfg" \
	>"$WORK/acc.cfg" || it_die "cannot copy the example"
it_kamailio_start "$WORK/acc.cfg" -A "MODULE=\"$IT_MODULE\"" \
	-A "MPATH=\"$KAMAILIO_MODDIR/\"" -A "CARRIER=\"sip:127.0.0.1:$uport\"" \
	-A "DBURL=\"text://$WORK/acc\"" -A "CHILDREN=4" || it_die "Kamailio did not start"

# key LINE NAME : the value of NAME= in a logfmt line or of NAME= in an
# acc record (';'-separated).
key() {
	printf '%s\n' "$1" | tr ' ;' '\n\n' | sed -n "s/^$2=//p" | head -n 1
}

# acc_call WHAT CODE PHRASE TAG [carrier knobs...] : one call; the acc
# record (outcome TAG) and the module's line for it are there and agree.
acc_call() {
	local what=$1 code=$2 phrase=$3 want=$4 cid line rec k
	shift 4
	it_call "$what" "$code" -set reason "$phrase" "$@"
	cid=$(sed -n 's/^Call-ID: *//Ip' "$WORK/uac$n.msg" | head -n 1 | tr -d '\r')
	it_wait_log -F "callid=$cid " 1 3 2>/dev/null
	it_wait_log -F "call_id=$cid;" 1 3 2>/dev/null
	line=$(it_log_lines -F "callid=$cid " | sed -n 's/.* sipoutcome: \(tag=.*\)$/\1/p')
	rec=$(it_log_lines -F "call_id=$cid;" | sed -n 's/.*ACC: //p')
	it_assert_eq "call $n: one acc record" 1 "$(printf '%s' "$rec" | grep -c .)"
	it_assert_eq "call $n: acc outcome" "$want" "$(key "$rec" outcome)"
	for k in category retry vendor; do
		it_assert_eq "call $n: acc $k = the module's $k" "$(key "$line" "$k")" "$(key "$rec" "$k")"
	done
	it_assert_eq "call $n: acc outcome = the module's tag" "$(key "$line" tag)" "$(key "$rec" outcome)"
	it_uas_wait "uas$n" 5 >/dev/null 2>&1 || it_stop "${IT_PROC[uas$n]}"
}
acc_call "486 Busy Here" 486 "Busy Here" BUSY -set ring 1
acc_call "404 Not Found" 404 "Not Found" FAILED
acc_call "200 OK" 200 "OK" COMPLETED -set ring 1
it_kamailio_stop
it_assert_eq "no ERROR" 0 "$(it_log_count ' ERROR: ')"

# db_extra: db_text writes its tables when Kamailio stops.
for tag in BUSY FAILED COMPLETED; do
	it_assert_eq "acc table: a $tag row" 1 "$(grep -c ":$tag:" "$WORK/acc/acc")"
done
it_finish
