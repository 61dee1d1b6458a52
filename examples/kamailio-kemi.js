// examples/kamailio-kemi.js: the routing of examples/kamailio.cfg as a
// KEMI JavaScript script for app_jsdt (loaded by kamailio-kemi-js.cfg).
//
// A stateful proxy in front of one SIP trunk ("carrier"). sipoutcome
// classifies the final response of every INVITE on its own (auto=1) and
// logs one "sipoutcome: tag=..." line per call; this script adds what a
// routing script typically does with the outcome:
//   - ksr_failure_outcome(): a tm failure route that classifies the
//     failed branch with KSR.sipoutcome.classify() and logs it, the place
//     to pick another carrier for retry=alternate;
//   - ksr_sipoutcome_final(evname): the event callback (modparam
//     "event_callback"), the KEMI form of event_route[sipoutcome:final]:
//     once per INVITE, after the final response went to the caller.
//
// The module's KEMI functions:
//   KSR.sipoutcome.classify()      classify the current reply / failed branch
//   KSR.sipoutcome.vendor(name)    carrier profile for this call
//   KSR.sipoutcome.reason(mode)    rewrite the phrase of the reply being
//                                  handled (a tm onreply route):
//                                  keep|normalize|annotate|rewrite
//   KSR.sipoutcome.is("A|B")       1 when the current tag is A or B, else -1
//   KSR.sipoutcome.get(key)        $outcome(key): a string or a number,
//                                  null for an unknown key or before any
//                                  classification in this process
//
// app_jsdt runs Duktape (ECMAScript 5.1): var, no arrow functions.

// The value of a cfg define (#!define / kamailio -A), quotes removed.
function cfg_define(name, fallback) {
	var v = KSR.kx.get_def(name);

	if (v === null || v === undefined || v === "") {
		return fallback;
	}
	v = String(v);
	if (v.length >= 2 && v.charAt(0) === '"' && v.charAt(v.length - 1) === '"') {
		v = v.substring(1, v.length - 1);
	}
	return v;
}

// The next hop of every new call: the CARRIER define, read on first use
// (KSR functions work only while a SIP message is being routed, not when
// the script is loaded).
var CARRIER = null;

function carrier() {
	if (CARRIER === null) {
		CARRIER = cfg_define("CARRIER", "sip:127.0.0.1:5080");
	}
	return CARRIER;
}

// The sipoutcome profile of that carrier (data/profiles/).
var CARRIER_VENDOR = "rfc";

// $outcome(key) for a log line: "null" when there is no value.
function outcome(key) {
	var v = KSR.sipoutcome.get(key);

	return (v === null || v === undefined) ? "null" : String(v);
}

// Main SIP request routing logic.
function ksr_request_route() {
	if (KSR.maxfwd.process_maxfwd(10) < 0) {
		KSR.sl.sl_send_reply(483, "Too Many Hops");
		return;
	}
	if (KSR.sanity.sanity_check(17895, 7) < 0) {
		KSR.warn("malformed request from " + KSR.pv.get("$si") + ":" +
			KSR.pv.get("$sp") + " dropped\n");
		return;
	}

	// Keepalives (and readiness probes) to the proxy itself.
	if (KSR.is_OPTIONS() && KSR.is_myself_ruri() && KSR.pv.is_null("$rU")) {
		KSR.sl.sl_send_reply(200, "Keepalive");
		return;
	}

	if (KSR.is_CANCEL()) {
		if (KSR.tm.t_check_trans() > 0) {
			KSR.tm.t_relay();
		}
		return;
	}

	// In-dialog requests follow the Record-Route set.
	if (KSR.siputils.has_totag() > 0) {
		if (KSR.rr.loose_route() > 0 || KSR.is_ACK() || KSR.is_BYE()) {
			KSR.tm.t_relay();
			return;
		}
		KSR.sl.sl_send_reply(404, "Not Here");
		return;
	}

	// Retransmissions of a known transaction end here (0: absorbed).
	if (KSR.tm.t_check_trans() === 0) {
		return;
	}

	if (KSR.is_INVITE()) {
		KSR.rr.record_route();
		// One carrier profile per trunk; a dispatcher attribute or an
		// htable lookup can feed this.
		if (KSR.sipoutcome.vendor(CARRIER_VENDOR) < 0) {
			KSR.err("unknown sipoutcome vendor " + CARRIER_VENDOR + "\n");
		}
		KSR.tm.t_on_failure("ksr_failure_outcome");
	}
	KSR.setdsturi(carrier());
	if (KSR.tm.t_relay() < 0) {
		KSR.sl.sl_reply_error();
	}
}

// tm failure route of an INVITE: the carrier's negative final, the
// caller's CANCEL (487) or the proxy's own timeout. The module logs the
// call's outcome once the final went to the caller; here the script sees
// the failed branch and could try another carrier when
// KSR.sipoutcome.get("retry") is "alternate".
function ksr_failure_outcome() {
	if (KSR.sipoutcome.classify() < 0) {
		KSR.warn("sipoutcome: cannot classify the failed branch\n");
		return;
	}
	KSR.info("kemi-failure: engine=js tag=" + outcome("tag") +
		" code=" + outcome("code") + " category=" + outcome("category") +
		" retry=" + outcome("retry") + " source=" + outcome("source") +
		" ringing=" + outcome("ringing") + " callid=" + outcome("callid") +
		"\n");
	if (KSR.tm.t_is_canceled() > 0) {
		return; // the caller gave up: nothing to retry
	}
	// With a second trunk, this is where retry=alternate would go on:
	//   if (outcome("retry") === "alternate") {
	//       KSR.setdsturi(OTHER_CARRIER); KSR.tm.t_relay(); }
}

// event_callback: once per INVITE, with the final response the caller
// received as the message. Keep it short: for the proxy's own timeout it
// runs in tm's timer process.
function ksr_sipoutcome_final(evname) {
	var code = KSR.sipoutcome.get("code");
	var later = KSR.sipoutcome.is("BUSY|NO_ANSWER");

	KSR.info("kemi-outcome: engine=js event=" + evname +
		" tag=" + outcome("tag") + " code=" + code +
		" code_type=" + typeof code +
		" category=" + outcome("category") +
		" busy_or_no_answer=" + later +
		" q850=" + outcome("q850") + " vendor=" + outcome("vendor") +
		" nokey=" + outcome("no_such_key") +
		" callid=" + outcome("callid") + "\n");
	if (later > 0) {
		KSR.info("retry later: " + outcome("tag") + " " + code + " for " +
			KSR.pv.get("$ci") + "\n");
	}
}
