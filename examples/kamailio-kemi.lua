-- examples/kamailio-kemi.lua: the routing of examples/kamailio.cfg as a
-- KEMI Lua script for app_lua (loaded by kamailio-kemi-lua.cfg).
--
-- A stateful proxy in front of one SIP trunk ("carrier"). sipoutcome
-- classifies the final response of every INVITE on its own (auto=1) and
-- logs one "sipoutcome: tag=..." line per call; this script adds what a
-- routing script typically does with the outcome:
--   * ksr_failure_outcome(): a tm failure route that classifies the
--     failed branch with KSR.sipoutcome.classify() and logs it, the place
--     to pick another carrier for retry=alternate;
--   * ksr_sipoutcome_final(evname): the event callback (modparam
--     "event_callback"), the KEMI form of event_route[sipoutcome:final]:
--     once per INVITE, after the final response went to the caller.
--
-- The module's KEMI functions:
--   KSR.sipoutcome.classify()      classify the current reply / failed branch
--   KSR.sipoutcome.vendor(name)    carrier profile for this call
--   KSR.sipoutcome.reason(mode)    rewrite the phrase of the reply being
--                                  handled (a tm onreply route):
--                                  keep|normalize|annotate|rewrite
--   KSR.sipoutcome.is("A|B")       1 when the current tag is A or B, else -1
--   KSR.sipoutcome.get(key)        $outcome(key): a string or a number,
--                                  nil for an unknown key or before any
--                                  classification in this process
--
-- The same script as examples/kamailio-kemi.js, line for line where the
-- languages allow.

-- The value of a cfg define (#!define / kamailio -A), quotes removed.
local function cfg_define(name, fallback)
	local v = KSR.kx.get_def(name)

	if v == nil or v == "" then
		return fallback
	end
	v = tostring(v)
	return (v:gsub('^"(.*)"$', "%1"))
end

-- The next hop of every new call: the CARRIER define, read on first use
-- (KSR functions work only while a SIP message is being routed, not when
-- the script is loaded).
local CARRIER = nil

local function carrier()
	if CARRIER == nil then
		CARRIER = cfg_define("CARRIER", "sip:127.0.0.1:5080")
	end
	return CARRIER
end

-- The sipoutcome profile of that carrier (data/profiles/).
local CARRIER_VENDOR = "rfc"

-- $outcome(key) for a log line: "null" when there is no value.
local function outcome(key)
	local v = KSR.sipoutcome.get(key)

	if v == nil then
		return "null"
	end
	return tostring(v)
end

-- Main SIP request routing logic.
function ksr_request_route()
	if KSR.maxfwd.process_maxfwd(10) < 0 then
		KSR.sl.sl_send_reply(483, "Too Many Hops")
		return
	end
	if KSR.sanity.sanity_check(17895, 7) < 0 then
		KSR.warn("malformed request from " .. KSR.pv.get("$si") .. ":"
			.. KSR.pv.get("$sp") .. " dropped\n")
		return
	end

	-- Keepalives (and readiness probes) to the proxy itself.
	if KSR.is_OPTIONS() and KSR.is_myself_ruri() and KSR.pv.is_null("$rU") then
		KSR.sl.sl_send_reply(200, "Keepalive")
		return
	end

	if KSR.is_CANCEL() then
		if KSR.tm.t_check_trans() > 0 then
			KSR.tm.t_relay()
		end
		return
	end

	-- In-dialog requests follow the Record-Route set.
	if KSR.siputils.has_totag() > 0 then
		if KSR.rr.loose_route() > 0 or KSR.is_ACK() or KSR.is_BYE() then
			KSR.tm.t_relay()
			return
		end
		KSR.sl.sl_send_reply(404, "Not Here")
		return
	end

	-- Retransmissions of a known transaction end here (0: absorbed).
	if KSR.tm.t_check_trans() == 0 then
		return
	end

	if KSR.is_INVITE() then
		KSR.rr.record_route()
		-- One carrier profile per trunk; a dispatcher attribute or an
		-- htable lookup can feed this.
		if KSR.sipoutcome.vendor(CARRIER_VENDOR) < 0 then
			KSR.err("unknown sipoutcome vendor " .. CARRIER_VENDOR .. "\n")
		end
		KSR.tm.t_on_failure("ksr_failure_outcome")
	end
	KSR.setdsturi(carrier())
	if KSR.tm.t_relay() < 0 then
		KSR.sl.sl_reply_error()
	end
end

-- tm failure route of an INVITE: the carrier's negative final, the
-- caller's CANCEL (487) or the proxy's own timeout. The module logs the
-- call's outcome once the final went to the caller; here the script sees
-- the failed branch and could try another carrier when
-- KSR.sipoutcome.get("retry") is "alternate".
function ksr_failure_outcome()
	if KSR.sipoutcome.classify() < 0 then
		KSR.warn("sipoutcome: cannot classify the failed branch\n")
		return
	end
	KSR.info("kemi-failure: engine=lua tag=" .. outcome("tag")
		.. " code=" .. outcome("code") .. " category=" .. outcome("category")
		.. " retry=" .. outcome("retry") .. " source=" .. outcome("source")
		.. " ringing=" .. outcome("ringing") .. " callid=" .. outcome("callid")
		.. "\n")
	if KSR.tm.t_is_canceled() > 0 then
		return -- the caller gave up: nothing to retry
	end
	-- With a second trunk, this is where retry=alternate would go on:
	--   if outcome("retry") == "alternate" then
	--       KSR.setdsturi(OTHER_CARRIER); KSR.tm.t_relay() end
end

-- event_callback: once per INVITE, with the final response the caller
-- received as the message. Keep it short: for the proxy's own timeout it
-- runs in tm's timer process.
function ksr_sipoutcome_final(evname)
	local code = KSR.sipoutcome.get("code")
	local later = KSR.sipoutcome.is("BUSY|NO_ANSWER")

	KSR.info("kemi-outcome: engine=lua event=" .. tostring(evname)
		.. " tag=" .. outcome("tag") .. " code=" .. tostring(code)
		.. " code_type=" .. type(code)
		.. " category=" .. outcome("category")
		.. " busy_or_no_answer=" .. tostring(later)
		.. " q850=" .. outcome("q850") .. " vendor=" .. outcome("vendor")
		.. " nokey=" .. outcome("no_such_key")
		.. " callid=" .. outcome("callid") .. "\n")
	if later > 0 then
		KSR.info("retry later: " .. outcome("tag") .. " " .. tostring(code)
			.. " for " .. KSR.pv.get("$ci") .. "\n")
	end
end
