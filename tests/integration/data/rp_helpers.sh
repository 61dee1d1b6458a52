# shellcheck shell=bash
#
# tests/integration/data/rp_helpers.sh: helpers shared by the reply-path
# integration tests (reply_context.sh, reason_modes.sh, fork.sh,
# load_mixed.sh).  Source it after lib.sh and it_setup.
#
# The module logs one line per call:
#   ... sipoutcome: tag=BUSY code=486 class=4xx category=busy ... callid=X ...
# These helpers find that line by the caller's Call-ID and check its
# key=value tokens.

# rp_callid NAME : the Call-ID of the first request the sipp NAME sent.
rp_callid() {
	awk '
	{ sub(/\r$/, "") }
	/ message sent \([0-9]+ bytes\):$/ { tx = 1; next }
	/ message received \[[0-9]+\] bytes :$/ { tx = 0; next }
	tx && tolower($0) ~ /^call-id:/ {
		sub(/^[^:]*:[ \t]*/, ""); print; exit
	}' "$WORK/$1.msg" 2>/dev/null
}

# rp_outcome_lines [CALLID] : the outcome lines of the Kamailio log, each
# from "tag=" on (the text after "sipoutcome: "); only those whose callid=
# token is CALLID when given.
rp_outcome_lines() {
	awk -v cid="${1-}" -v want="${1+x}" '
	{
		i = index($0, "sipoutcome: tag=")
		if (i == 0) next
		s = substr($0, i + 12)
		if (want != "" && index(" " s " ", " callid=" cid " ") == 0) next
		print s
	}' "${IT_KAM_LOG:-$WORK/kamailio.log}" 2>/dev/null
}

# rp_outcome_count [CALLID] : how many outcome lines (for CALLID).
rp_outcome_count() {
	rp_outcome_lines "$@" | wc -l
}

# rp_wait_outcome CALLID TIMEOUT : poll every 100 ms until the log has an
# outcome line for CALLID (0) or TIMEOUT seconds pass (1).
rp_wait_outcome() {
	local i n
	n=$(awk -v s="$2" 'BEGIN { n = int(s * 10 + 0.5); print (n < 1 ? 1 : n) }')
	for ((i = 0; i <= n; i++)); do
		[ "$(rp_outcome_count "$1")" -ge 1 ] && return 0
		[ "$i" -lt "$n" ] && sleep 0.1
	done
	return 1
}

# rp_has_tokens LINE TOKEN... : true when every TOKEN ("key=value") is a
# whole space-separated token of LINE.  Prints the missing ones.
rp_has_tokens() {
	local line=" $1 " t missing=()
	shift
	for t in "$@"; do
		case $line in
		*" $t "*) ;;
		*) missing+=("$t") ;;
		esac
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	printf '%s ' "${missing[@]}"
	return 1
}

# rp_assert_outcome WHAT CALLID TOKEN... : exactly one outcome line for
# CALLID (waiting up to 5 s for it), carrying every TOKEN.
rp_assert_outcome() {
	local what=$1 cid=$2 lines n missing
	shift 2
	if [ -z "$cid" ]; then
		it_fail "$what: outcome line" "no Call-ID (the caller sent nothing?)"
		return 1
	fi
	rp_wait_outcome "$cid" 5
	lines=$(rp_outcome_lines "$cid")
	n=$(rp_outcome_count "$cid")
	if [ "$n" -ne 1 ]; then
		it_fail "$what: exactly one outcome line" "Call-ID $cid: $n lines" \
			"$(printf '%s\n' "$lines" | head -n 5)"
		return 1
	fi
	if missing=$(rp_has_tokens "$lines" "$@"); then
		it_pass "$what: one outcome line, $*"
	else
		it_fail "$what: outcome line has $*" "missing: $missing" "    line: $lines"
	fi
}

# rp_assert_one_line_per_call WHAT CALLID... : every CALLID has exactly
# one outcome line, and the log has no outcome line for any other call.
rp_assert_one_line_per_call() {
	local what=$1 cid bad=() total
	shift
	for cid in "$@"; do
		[ "$(rp_outcome_count "$cid")" -eq 1 ] || bad+=("$cid:$(rp_outcome_count "$cid")")
	done
	total=$(rp_outcome_count)
	if [ ${#bad[@]} -eq 0 ] && [ "$total" -eq $# ]; then
		it_pass "$what: $# calls, $total outcome lines, one each"
	else
		it_fail "$what: one outcome line per call" \
			"calls: $#, outcome lines: $total, wrong counts (callid:lines): ${bad[*]:-none}"
	fi
}

# rp_counter STATS NAME : the value of counter NAME (e.g. busy, class_4xx,
# vendor_rfc) in STATS, the output of `kamcmd sipoutcome.stats`
# ("\tNAME: VALUE" lines); empty when absent.
rp_counter() {
	awk -v k="$2:" '$1 == k { print $2; exit }' <<<"$1"
}

# rp_counter_sum STATS NAME... : the sum of these counters.
rp_counter_sum() {
	local stats=$1 k s=0 v
	shift
	for k in "$@"; do
		v=$(rp_counter "$stats" "$k")
		s=$((s + ${v:-0}))
	done
	echo "$s"
}

# rp_attempt_lines CALLID : the attempt lines (attempts=1) of CALLID,
# from "tag=".
rp_attempt_lines() {
	it_log_lines -F " callid=$1 " | sed -n 's/.* sipoutcome-attempt: \(tag=.*\)$/\1/p'
}

# rp_call_line CALLID : the call line of CALLID, from "tag=", whole.
rp_call_line() {
	it_log_lines -F " callid=$1 " | sed -n 's/.* sipoutcome: \(tag=.*\)$/\1/p'
}

# rp_assert_tokens WHAT LINE TOKEN... : every TOKEN is a token of LINE.
rp_assert_tokens() {
	local what=$1 line=$2 missing
	shift 2
	if missing=$(rp_has_tokens "$line" "$@"); then
		it_pass "$what"
	else
		it_fail "$what" "missing: $missing" "    line: $line"
	fi
}
