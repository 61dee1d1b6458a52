#!/usr/bin/env bash
# vendor_profiles.sh (issue "vendor semantics"): the same final response
# means different things per carrier profile, the Reason header's Q.850
# cause refines it on real traffic, user profile files load and apply, and
# broken profile files or vendor names stop Kamailio with a precise message.
#
#   1. one Kamailio (default_vendor rfc, user profile data/mycarrier.profile,
#      event_route[sipoutcome:final] printing $outcome(...)); the caller's
#      Request-URI user picks the vendor in the script:
#        603 under rfc / sipoutcome_vendor("okitoki") / via $var(v)
#        480 before ringing under rfc
#        Reason Q.850 causes 17, 19, 16, 1, a garbled Reason, two values in
#        one header, two Reason header fields
#        Retry-After: 120 -> $outcome(retry_after)
#        mycarrier: 503 "Maxpeak reached" (its own rule), a plain 503 and
#        a 486 (inherited from rfc)
#        an unknown vendor from a variable: error logged, default profile
#   2. default_vendor cognigy: 480 before ringing is FAILED, after ringing
#      NO_ANSWER
#   3. bad profile files (unknown key, unknown tag, bad code, duplicate
#      rule, unterminated quote, binary garbage, empty file): kamailio -c
#      and a real start both refuse, naming the file and the line
#   4. sipoutcome_vendor("nope") with a literal: Kamailio refuses to start.
# shellcheck disable=SC2016 # $ci, $outcome(...): Kamailio pseudo-variables
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make check may use sh
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
it_setup
it_need_module

DATA=$IT_LIB_DIR/data
PROFILES=${top_srcdir:-$IT_LIB_DIR/../..}/data/profiles
kport=$(it_free_port) || it_die "no free port"
uport=$(it_free_port) || it_die "no free port"
n=0
cid=

carrier_done() {
	it_uas_wait "$1"
	it_assert_eq "call $n: carrier finished" 0 $? || it_stop "${IT_PROC[$1]}"
}

# outcome_of CALLID : the module's outcome line(s) for CALLID from "tag=".
outcome_of() {
	it_outcome_lines "$1"
}

# event_of CALLID : what event_route[sipoutcome:final] printed for CALLID.
event_of() {
	it_log_lines -F "EVT ci=$1 " | sed -n 's/.*EVT ci=[^ ]* //p'
}

# call NAME USER CODE PHRASE STATUS HEAD TAIL [carrier -set args...] : one
# call to sip:USER@proxy (USER picks the vendor in the script) that the
# carrier ends with "CODE PHRASE"; the caller must complete and receive
# STATUS; the module must log exactly one line "HEAD callid=CID TAIL".
# Sets cid.
call() {
	local name=$1 user=$2 code=$3 phrase=$4 status=$5 head=$6 tail=$7 lines
	shift 7
	n=$((n + 1))
	it_carrier_start "uas$n" "$uport" "$code" -set reason "$phrase" "$@" ||
		it_die "carrier $n did not start"
	it_uac_call "uac$n" "$kport" -s "$user" -cid_str "vp-$n-%u@%s"
	it_assert_eq "$name: caller completed" 0 $?
	it_assert_eq "$name: caller received '$status'" "$status" "$(it_received_status "uac$n")"
	cid=$(it_received_header "uac$n" Call-ID)
	it_assert_match "$name: Call-ID from the trace" "^vp-$n-1@" "$cid"
	it_wait_log -F "callid=$cid " 1 2 2>/dev/null
	lines=$(outcome_of "$cid")
	it_assert_eq "$name: exactly one outcome line" 1 "$(printf '%s' "$lines" | grep -c '^tag=')"
	it_assert_eq "$name: outcome line" "$head callid=$cid $tail" "$lines"
	carrier_done "uas$n"
}

# expect_event NAME TEXT : event_route[sipoutcome:final] ran once for the
# last call and printed TEXT.
expect_event() {
	it_wait_log -F "EVT ci=$cid " 1 2 2>/dev/null
	it_assert_eq "$1: event_route \$outcome(...)" "$2" "$(event_of "$cid")"
}

# hint_of PROFILE MATCH : the hint of the rule "match MATCH set ..." of a
# built-in profile, as data/profiles/PROFILE.profile spells it.
hint_of() {
	sed -n "s/^match $2 set .*hint=\"\\([^\"]*\\)\".*/\\1/p" "$PROFILES/$1.profile"
}

LOAD="loadmodule \"$IT_MODULE\""
EVENT_ROUTE='event_route[sipoutcome:final] {
	xlog("L_NOTICE", "EVT ci=$ci tag=$outcome(tag) category=$outcome(category) vendor=$outcome(vendor) q850=[$outcome(q850)] cause=$outcome(cause) dialstatus=$outcome(dialstatus) retry_after=[$outcome(retry_after)] hint=[$outcome(hint)]\n");
}'
# The Request-URI user picks the vendor.
VENDOR_HOOK='if ($rU == "okitoki") {
		sipoutcome_vendor("okitoki");
	} else if ($rU == "okivar") {
		$var(v) = "okitoki";
		sipoutcome_vendor("$var(v)");
	} else if ($rU == "mycarrier") {
		sipoutcome_vendor("mycarrier");
	} else if ($rU == "nopevar") {
		$var(v) = "nope";
		if (!sipoutcome_vendor("$var(v)")) {
			xlog("L_NOTICE", "VENDOR-REFUSED ci=$ci\n");
		}
	}'

# ------------------------------------------------------------ 1. rfc default
it_note "Kamailio 1: default_vendor rfc, user profile mycarrier, event route"
[ -f "$DATA/mycarrier.profile" ] || it_die "missing $DATA/mycarrier.profile"
it_kamailio_cfg "$WORK/k1.cfg" PORT="$kport" UAS_PORT="$uport" REMAP_503_500=0 \
	LOADMODULE="$LOAD
modparam(\"sipoutcome\", \"profile\", \"$DATA/mycarrier.profile\")" \
	INVITE_HOOK="$VENDOR_HOOK" EXTRA="$EVENT_ROUTE" || it_die "cannot render k1.cfg"
it_kamailio_start "$WORK/k1.cfg" || it_die "Kamailio 1 did not start"
it_assert_eq "k1: no ERROR at start" 0 "$(it_log_count ' ERROR: ')"

R='source=remote'
it_note "603: rfc, okitoki literal, okitoki via \$var"
call "603 rfc" service 603 Decline "603 Decline" \
	"tag=BUSY code=603 class=6xx category=declined retry=no blame=callee $R ringing=0" \
	'reason=Decline vendor=rfc q850= hint='
expect_event "603 rfc" "tag=BUSY category=declined vendor=rfc q850=[] cause=21 dialstatus=CHANUNAVAIL retry_after=[] hint=[]"

oki603=$(hint_of okitoki code=603)
[ -n "$oki603" ] || it_die "no 603 hint in okitoki.profile"
call "603 okitoki" okitoki 603 Decline "603 Decline" \
	"tag=FAILED code=603 class=6xx category=line_limit retry=later blame=caller $R ringing=0" \
	"reason=Decline vendor=okitoki q850= hint=\"$oki603\""
expect_event "603 okitoki" "tag=FAILED category=line_limit vendor=okitoki q850=[] cause=21 dialstatus=CHANUNAVAIL retry_after=[] hint=[$oki603]"

call "603 okitoki via \$var(v)" okivar 603 Decline "603 Decline" \
	"tag=FAILED code=603 class=6xx category=line_limit retry=later blame=caller $R ringing=0" \
	"reason=Decline vendor=okitoki q850= hint=\"$oki603\""

it_note "480 before ringing under rfc"
call "480 rfc" service 480 "Temporarily Unavailable" "480 Temporarily Unavailable" \
	"tag=NO_ANSWER code=480 class=4xx category=unavailable retry=later blame=callee $R ringing=0" \
	'reason="Temporarily Unavailable" vendor=rfc q850= hint='

it_note "Reason header on real traffic"
call "480 + Q.850 17" service 480 "Temporarily Unavailable" "480 Temporarily Unavailable" \
	"tag=BUSY code=480 class=4xx category=busy retry=later blame=callee $R ringing=0" \
	'reason="Temporarily Unavailable" vendor=rfc q850=17 hint=' \
	-set extra 'Reason: Q.850;cause=17;text="User busy"'
it_assert_eq "480 + Q.850 17: Reason relayed to the caller" 'Q.850;cause=17;text="User busy"' \
	"$(it_received_header "uac$n" Reason)"
expect_event "480 + Q.850 17" "tag=BUSY category=busy vendor=rfc q850=[17] cause=17 dialstatus=BUSY retry_after=[] hint=[]"

call "480 + Q.850 19" service 480 "Temporarily Unavailable" "480 Temporarily Unavailable" \
	"tag=NO_ANSWER code=480 class=4xx category=no_answer retry=later blame=callee $R ringing=0" \
	'reason="Temporarily Unavailable" vendor=rfc q850=19 hint=' \
	-set extra 'Reason: Q.850;cause=19;text="No answer from user (user alerted)"'

call "486 + Q.850 16" service 486 "Busy Here" "486 Busy Here" \
	"tag=BUSY code=486 class=4xx category=busy retry=later blame=callee $R ringing=0" \
	'reason="Busy Here" vendor=rfc q850=16 hint=' \
	-set extra 'Reason: Q.850;cause=16;text="Normal call clearing"'

call "404 + Q.850 1" service 404 "Not Found" "404 Not Found" \
	"tag=FAILED code=404 class=4xx category=invalid_number retry=no blame=caller $R ringing=0" \
	'reason="Not Found" vendor=rfc q850=1 hint=' \
	-set extra 'Reason: Q.850;cause=1;text="Unallocated (unassigned) number"'

# A Reason nobody can parse: the code's own outcome, and the call goes on.
call "486 + garbled Reason" service 486 "Busy Here" "486 Busy Here" \
	"tag=BUSY code=486 class=4xx category=busy retry=later blame=callee $R ringing=0" \
	'reason="Busy Here" vendor=rfc q850= hint=' \
	-set extra 'Reason: Q.850;;cause=seventeen;text="unterminated, ;;=='
it_assert_eq "486 + garbled Reason: no ERROR logged" 0 "$(it_log_count ' ERROR: ')"

call "480 + SIP and Q.850 values" service 480 "Temporarily Unavailable" "480 Temporarily Unavailable" \
	"tag=BUSY code=480 class=4xx category=busy retry=later blame=callee $R ringing=0" \
	'reason="Temporarily Unavailable" vendor=rfc q850=17 hint=' \
	-set extra 'Reason: SIP;cause=480;text="x", Q.850;cause=17'

call "480 + two Reason fields" service 480 "Temporarily Unavailable" "480 Temporarily Unavailable" \
	"tag=BUSY code=480 class=4xx category=busy retry=later blame=callee $R ringing=0" \
	'reason="Temporarily Unavailable" vendor=rfc q850=17 hint=' \
	-set extra $'Reason: SIP;cause=480;text="x"\r\nReason: Q.850;cause=17'

it_note "user profile mycarrier (inherits rfc)"
call "503 maxpeak mycarrier" mycarrier 503 "Maxpeak reached" "503 Maxpeak reached" \
	"tag=FAILED code=503 class=5xx category=billing retry=later blame=caller $R ringing=0" \
	'reason="Maxpeak reached" vendor=mycarrier q850= hint="mycarrier: the account reached its peak-call quota (maxpeak); wait for Retry-After or raise the quota."' \
	-set extra 'Retry-After: 120'
expect_event "503 maxpeak mycarrier" "tag=FAILED category=billing vendor=mycarrier q850=[] cause=41 dialstatus=CHANUNAVAIL retry_after=[120] hint=[mycarrier: the account reached its peak-call quota (maxpeak); wait for Retry-After or raise the quota.]"

call "503 plain mycarrier" mycarrier 503 "Service Unavailable" "503 Service Unavailable" \
	"tag=FAILED code=503 class=5xx category=congestion retry=alternate blame=network $R ringing=0" \
	'reason="Service Unavailable" vendor=mycarrier q850= hint='
expect_event "503 plain mycarrier" "tag=FAILED category=congestion vendor=mycarrier q850=[] cause=41 dialstatus=CONGESTION retry_after=[] hint=[]"

call "486 mycarrier (inherited)" mycarrier 486 "Busy Here" "486 Busy Here" \
	"tag=BUSY code=486 class=4xx category=busy retry=later blame=callee $R ringing=0" \
	'reason="Busy Here" vendor=mycarrier q850= hint='

it_note "unknown vendor from a variable at run time"
errs_before=$(it_log_count ' ERROR: ')
call "603 vendor 'nope' via \$var(v)" nopevar 603 Decline "603 Decline" \
	"tag=BUSY code=603 class=6xx category=declined retry=no blame=callee $R ringing=0" \
	'reason=Decline vendor=rfc q850= hint='
it_assert_eq "vendor 'nope': error logged once" 1 \
	"$(it_log_lines -F "unknown vendor profile 'nope'" | grep -c -F -e ' ERROR: ')"
it_assert_eq "vendor 'nope': sipoutcome_vendor() returned false" 1 \
	"$(it_log_count -F "VENDOR-REFUSED ci=$cid")"
it_assert_eq "vendor 'nope': the only ERROR of the run" $((errs_before + 1)) \
	"$(it_log_count ' ERROR: ')"
it_assert_eq "k1: one event_route run per call ($n calls)" "$n" "$(it_log_count -F ' EVT ci=')"
it_kamailio_stop

# ------------------------------------------------------------ 2. cognigy
it_note "Kamailio 2: default_vendor cognigy"
it_kamailio_cfg "$WORK/k2.cfg" PORT="$kport" UAS_PORT="$uport" \
	LOADMODULE="$LOAD
modparam(\"sipoutcome\", \"default_vendor\", \"cognigy\")" || it_die "cannot render k2.cfg"
it_kamailio_start "$WORK/k2.cfg" || it_die "Kamailio 2 did not start"
cog480=$(hint_of cognigy 'code=480 ringing=0')
cog480r=$(hint_of cognigy 'code=480 ringing=1')
if [ -z "$cog480" ] || [ -z "$cog480r" ]; then
	it_die "no 480 hints in cognigy.profile"
fi
call "480 cognigy" service 480 "Temporarily Unavailable" "480 Temporarily Unavailable" \
	"tag=FAILED code=480 class=4xx category=unavailable retry=later blame=callee $R ringing=0" \
	"reason=\"Temporarily Unavailable\" vendor=cognigy q850= hint=\"$cog480\""
call "480 after ringing cognigy" service 480 "Temporarily Unavailable" "480 Temporarily Unavailable" \
	"tag=NO_ANSWER code=480 class=4xx category=no_answer retry=later blame=callee $R ringing=1" \
	"reason=\"Temporarily Unavailable\" vendor=cognigy q850= hint=\"$cog480r\"" -set ring 1
it_assert_eq "k2: no ERROR" 0 "$(it_log_count ' ERROR: ')"
it_kamailio_stop

# ------------------------------------------------------------ 3. bad files
# refused WHAT CFG TEXT [start-only] : Kamailio will not run CFG: `kamailio
# -c` exits non-zero and names TEXT (unless start-only), and so does a real
# start.
refused() {
	local what=$1 cfg=$2 text=$3 rc
	if [ "${4:-}" != start-only ]; then
		"$KAMAILIO" -c -f "$cfg" >"$WORK/check.log" 2>&1
		rc=$?
		it_assert_match "$what: kamailio -c exits non-zero" '^[1-9][0-9]*$' "$rc"
		it_assert_eq "$what: kamailio -c names it" 1 "$(grep -c -F -e "$text" "$WORK/check.log")"
	fi
	IT_READY_TIMEOUT=10 it_kamailio_start "$cfg" >/dev/null 2>&1
	it_assert_eq "$what: start fails" 1 $?
	it_stop "$IT_KAM_PID"
	rc=$?
	it_assert_match "$what: kamailio exits non-zero" '^[1-9][0-9]*$' "$rc"
	it_assert_eq "$what: the start-up log names it" 1 "$(it_log_count -F "$text")"
}

printf 'profile binary\n\x00\xff\xfe\x01garbage\x00\n' >"$WORK/binary.profile"
: >"$WORK/empty.profile"
i=0
while IFS='|' read -r file text; do
	i=$((i + 1))
	case $file in
	/*) path=$file ;;
	*) path=$DATA/$file ;;
	esac
	[ -f "$path" ] || it_die "missing $path"
	it_kamailio_cfg "$WORK/bad$i.cfg" PORT="$kport" UAS_PORT="$uport" \
		LOADMODULE="$LOAD
modparam(\"sipoutcome\", \"profile\", \"$path\")" || it_die "cannot render bad$i.cfg"
	refused "$(basename "$path")" "$WORK/bad$i.cfg" "$path${text}"
done <<EOF
bad_key.profile|:5: match: unknown match key 'colour'
bad_tag.profile|:4: tag: unknown tag 'MAYBE'
bad_code.profile|:6: code: 999 is outside 100..699
dup_rule.profile|:6: match: duplicate rule: same match keys as line 3
unterminated.profile|:3: description: unterminated quoted string
$WORK/binary.profile|:2: bytes: control byte 0x00 at column 1
$WORK/empty.profile|: profile: empty profile: no 'profile NAME' line
EOF

# ------------------------------------------------------------ 4. literal
it_note "sipoutcome_vendor(\"nope\") with a literal name"
# The module checks a literal name in the function's fixup.  `kamailio -c`
# never runs fixups (Kamailio 5.6 main.c returns after parsing, before
# init_modules() and fix_rls()), so only a real start can refuse it; the
# -c run is shown, not asserted.
it_kamailio_cfg "$WORK/nope.cfg" PORT="$kport" UAS_PORT="$uport" LOADMODULE="$LOAD" \
	INVITE_HOOK='sipoutcome_vendor("nope");' || it_die "cannot render nope.cfg"
"$KAMAILIO" -c -f "$WORK/nope.cfg" >"$WORK/check.log" 2>&1
it_note "kamailio -c on it: exit $?, $(grep -c -F "unknown vendor profile 'nope'" "$WORK/check.log") line(s) naming 'nope'"
refused "literal vendor 'nope'" "$WORK/nope.cfg" "sipoutcome_vendor: unknown vendor profile 'nope'" start-only
it_assert_eq "literal vendor 'nope': the failing cfg line is named" 1 \
	"$(it_log_count -F "fixing failed (code=-1) at cfg:$WORK/nope.cfg:")"

it_finish
