# Cognigy Voice Gateway (the SIP side of Cognigy.AI voice agents): the
# codes that gateway sends and what they mean there.
# File format and rule precedence: see the header of rfc.profile.
#
# Facts taken from Cognigy's page on SIP response codes (the words below
# are ours):
#  - Two phrases are not the standard ones: "202 OK" (accepted, still being
#    processed) and "400 Permission Denied" (missing rights or wrong
#    credentials, which is 403's meaning under a 400 code). Rules match the
#    phrase and classify by meaning; rewrite= restores the phrase of the
#    code for reason_mode=rewrite (normalize does that by itself). The
#    cause reported is the one of that meaning (21, as RFC 3398 8.2.6.1
#    gives 403), not 400's 41.
#  - 480 is not a no-answer there: no application is attached to the
#    called number, or the gateway has no capacity left. Both happen before
#    anything rings, so only 480 before ringing becomes FAILED/unavailable
#    (retry later, as Cognigy advises); after ringing the engine's
#    NO_ANSWER stands.
#  - 503 means the account is inactive or has reached its call limit:
#    category line_limit, our own account's doing.
#  - 603 is either a plain refusal by the callee or a failure to connect to
#    the gateway's endpoint. After ringing the callee was reached, so it is
#    a decline; before ringing either is possible, so the tag stays
#    BUSY/declined (the refusal is the first meaning) but blame is unknown.
#  - 408 and 500: Cognigy advises trying again after a while (retry=later).
#  - What Cognigy tells the operator to check (Self-Service Portal number
#    and carrier setup, Alerts page, Cognigy.AI logs, PCAPs, Transfer
#    Node URIs, Code Nodes in the Flow) becomes the hints.
profile cognigy
inherits rfc
description "Cognigy Voice Gateway: own phrases (400 Permission Denied, 202 OK) read by meaning; 480 is no application or no capacity, 503 an inactive account or the call limit"

# 2xx: the transaction decides the outcome.
match code=202 phrase="ok" set rewrite="Accepted" hint="Cognigy's wording for 202 Accepted: work on the request goes on after this reply, and no action is needed."

# 4xx
match code=400 phrase="permission denied" set tag=FAILED category=forbidden retry=no blame=caller cause=21 rewrite="Bad Request" hint="Cognigy's Permission Denied: the sender lacks rights, sent wrong credentials or reached the wrong server; check those, and block an IP that floods them."
match code=403 set hint="Refused for missing rights or bad credentials; fix the sender's account, and treat a flood of refusals from one address as probing worth blocking."
match code=404 set hint="The number is not set up in the Voice Gateway Self-Service Portal, or a Transfer Node has a wrong URI; unknown callers trying numbers may be SIP spam to block."
match code=408 ringing=0 set retry=later hint="Timed out before any ringing, usually a network or server fault; retry after a pause, and for repeats set the gateway's PCAP of the call beside the provider's."
match code=408 ringing=1 set hint="The call rang until the timer ran out without being answered."
match code=480 ringing=0 set tag=FAILED category=unavailable retry=later blame=callee hint="The gateway could not take it: no application is bound to the number in the Self-Service Portal, or capacity ran out; fix the binding, else wait and retry."
match code=480 ringing=1 set hint="It rang without being picked up; a later attempt may succeed."
match code=487 set hint="Ended by the caller before connect: expected if someone hung up; if not, the voice agent's Flow may have failed, so check its Code Nodes."
match code=488 set hint="Media negotiation failed at the gateway: a codec, SDP feature or parameter in the offer is not supported there; compare both ends' codec lists."

# 5xx
match code=500 set retry=later hint="Application fault: whoever sent the 500 owns it, Cognigy support if it came from the Voice Gateway, else your carrier; retry after a while."
match code=503 set tag=FAILED category=line_limit retry=later blame=caller hint="Account-level block at the Voice Gateway (account not active, or its concurrent call cap reached); Cognigy support or your Customer Success Manager can lift it."

# 6xx
match code=603 ringing=1 set hint="The callee got the call and declined it; that is their choice, not a fault to fix."
match code=603 ringing=0 set blame=unknown hint="A refusal, or the gateway could not connect to its endpoint; if unexpected, check the carrier setup and Alerts in the Self-Service Portal and the Cognigy.AI logs."
