# 8x8 CPaaS voice (Voice Messaging, IVR, Number Masking, Programmable SIP).
# File format and rule precedence: see the header of rfc.profile.
#
# Facts taken from 8x8's CPaaS voice page on SIP response codes (the words
# below are ours):
#  - 8x8 reports a call leg as COMPLETED, NO_ANSWER, BUSY, CANCELED or
#    FAILED, the same five words as our tags. A whole session can also end
#    in ERROR; a proxy only sees legs, so we report that case as FAILED with
#    category server_error (the 5xx rows of the code table).
#  - NO_ANSWER there means the call rang and was not picked up. A 480 that
#    arrives before any ringing is therefore FAILED/unavailable here, while
#    408, 480 and 487 after ringing stay NO_ANSWER as the engine decides.
#  - Retry advice: never resend a 4xx without fixing the request (retry=no
#    for the whole class); retry 5xx with growing delays (retry=later).
#    Calls that rang unanswered are not request errors and keep
#    retry=later. Three exceptions, where the protocol decides: 491 waits
#    and retries (RFC 3261 14.1); 501, 505 and 513 fail the same way until
#    the request changes. Busy (486) is no request error either: it keeps
#    the retry=later of the code table (RFC 3261 21.4.24).
#  - 8x8 groups 403 and 603 as "rejected at once: check the caller ID or a
#    block". A 603 before anything rang may be that and not the callee's
#    choice, so its blame is unknown there (as in the cognigy profile).
#  - The usual cause 8x8 gives per code, its troubleshooting groups
#    (not connecting: 408 480 487; refused at once: 403 603; bad number
#    format: 404 484; network or routing: 500 502 503 504) and its advice
#    on number format (E.164 with + and country code), caller ID (a
#    verified 8x8 number cleared for the country) and codecs (PCMU, PCMA,
#    G.722) become the hints.
profile 8x8
inherits rfc
description "8x8 CPaaS voice: outcomes follow 8x8 call statuses (ERROR is FAILED/server_error); 4xx is not retried unchanged, 5xx is retried with backoff"

# 2xx: the transaction decides; only 202 needs a word.
match code=202 set hint="8x8 took the request without finishing it, so this is no proof of an answered call; read the outcome from the call-status webhooks instead."

# 3xx: 8x8 lists them without causes.
match class=3xx set hint="8x8 sent a redirection that nobody followed, so the call was never connected."

# 4xx: problems with the request; 8x8 says do not resend them unchanged.
match class=4xx set retry=no hint="8x8 rejected the request itself; correct it first, because the same request sent again will fail the same way."
match code=400 set hint="8x8 could not parse the request, most often a badly formed number or SIP header; fix it before calling again."
match code=401 set hint="8x8 did not accept the credentials; check the username and password set up for this trunk."
match code=403 set hint="8x8 refused the call: the caller ID is not allowed (use a verified 8x8 number cleared for that country) or the destination is restricted."
match code=404 set hint="8x8 found no such number; send it in E.164 form with + and the country code, and check the digits."
match code=408 ringing=0 set hint="No final answer came back before any ringing: a network problem or an unreachable destination; check both before calling again."
match code=408 ringing=1 set retry=later hint="It rang until the timer ran out without anyone picking up; 8x8 would report NO_ANSWER."
match code=410 set hint="The number has been disconnected; take it off your lists instead of dialing it again."
match code=415 set hint="Codec mismatch: 8x8 voice takes G.711 (PCMU or PCMA) and G.722, so the offer must include one of them."
match code=480 ringing=0 set tag=FAILED category=unavailable hint="The callee's device is switched off or out of coverage and never rang; make sure the destination can be reached before calling again."
match code=480 ringing=1 set retry=later hint="The callee's phone rang but nobody took the call; 8x8 counts this as NO_ANSWER, and a later attempt may get through."
match code=484 set hint="Digits are missing from the number; check its E.164 form and the country code."
match code=486 set retry=later hint="The callee's line is in use, or they turned the call down or have do-not-disturb set; their side decided."
match code=487 ringing=0 set hint="The attempt was dropped before anything rang, normally because the caller hung up; only worth a look if it hits every call."
match code=487 ringing=1 set retry=later hint="The attempt ended while it was ringing: by the caller (CANCELED), or with no CANCEL from the caller by the far side giving up (NO_ANSWER)."
match code=488 set hint="The SDP offer did not fit: compare codecs and media settings with what 8x8 takes (PCMU, PCMA, G.722)."
match code=491 set retry=later hint="Two changes to the same call crossed; resend after a short random pause, the one 4xx where waiting is the fix."

# 5xx: trouble at 8x8 or its carriers; 8x8 says retry with backoff.
match class=5xx set retry=later hint="A server fault at 8x8 or its carrier; retry with growing delays and contact 8x8 CPaaS support if it keeps happening."
match code=500 set hint="A passing fault inside 8x8; retry with growing delays and tell 8x8 CPaaS support if it lasts."
match code=501 set retry=no hint="8x8 does not support what the request asks for; change the request, as repeating it cannot help."
match code=502 set hint="8x8 got no usable reply from the carrier behind it; retry with backoff and report it to 8x8 if it persists."
match code=503 set hint="8x8 is in maintenance or out of capacity; retry with growing delays and contact 8x8 CPaaS support if it persists."
match code=504 set hint="The carrier behind 8x8 was too slow to answer; retry with backoff and report repeated cases to 8x8."
match code=505 set retry=no hint="8x8 does not accept the SIP version in the request; fix the sending side, since repeating the call cannot help."
match code=513 set retry=no hint="The message is too large for 8x8; trim headers or the body before trying again."

# 6xx: final everywhere.
match code=600 set hint="None of the callee's endpoints was free to take the call."
match code=603 ringing=0 set blame=unknown hint="Refused before anything rang: 8x8 groups this with 403, so check the caller ID is a verified 8x8 number cleared for the country and that the number is not blocked."
match code=603 set hint="The far end turned the call down; if that happens at once or on every call, check the caller ID is a verified 8x8 number and the number is not blocked."
match code=604 set hint="The number exists nowhere; check it and stop dialing it."
match code=606 set hint="The far end cannot meet what the session asks for; review the codecs and other media settings."
