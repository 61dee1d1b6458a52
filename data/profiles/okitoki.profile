# Oki-Toki cloud call center and dialer: how that platform reads the last
# SIP response of a call placed through a customer's provider trunk.
# File format and rule precedence: see the header of rfc.profile.
#
# Facts taken from Oki-Toki's article on SIP responses (the words below
# are ours):
#  - 600 and 603 there do not mean the callee refused: they mean every line
#    the provider allows the account at once is taken. That is FAILED with
#    category line_limit, our own account's doing, and it clears later.
#  - A call whose last response was 180 or 183 is counted as not answered.
#    A proxy sees that as its own timeout after ringing (NO_ANSWER from the
#    engine), a 408/480 after ringing (NO_ANSWER too), or a 487 after the
#    dialer's own CANCEL: the dialer hangs up when its ring timer runs
#    out, so here a CANCEL after ringing is NO_ANSWER, not CANCELED
#    (canceled=1 rules).
#  - A call that got nothing after 100 Trying is dropped by the dialer
#    after 10 seconds and filed as "100 No answer", a matter to raise with
#    the provider: a CANCEL before any ringing is NO_ANSWER with category
#    no_response, blamed on the network. A proxy's own timeout before
#    ringing is decided by the engine.
#  - A Reason header in the CANCEL comes first (engine, RFC 3326): a
#    CANCEL saying the call was answered elsewhere stays CANCELED.
#  - 408 and 480 before ringing mean the subscriber could not be reached
#    (phone off, no coverage, number out of service): FAILED/unavailable,
#    worth trying later. Some providers send 480 where 180/183 belonged,
#    and a provider fault can make every number look inactive.
#  - The usual causes of 403, 404 and 503 on a trunk, and the advice to
#    take a few call examples (number, exact time) to the provider,
#    become the hints.
profile okitoki
inherits rfc
description "Oki-Toki call center and dialer: 600/603 mean the account's line limit, 180/183 as the last reply is a no-answer, 408/480 before ringing an unreachable subscriber"

# The dialer's own CANCEL (the engine reads the CANCEL's Reason first).
match canceled=1 ringing=1 set tag=NO_ANSWER category=no_answer retry=later blame=callee hint="The dialer hung up while it rang (its ring timer ran out); Oki-Toki files a call whose last reply was 180/183 as no answer."
match canceled=1 ringing=0 set tag=NO_ANSWER category=no_response retry=alternate blame=network hint="The dialer gave up with nothing but 100 Trying (Oki-Toki waits 10 s): its 100 No answer; take a few examples with exact times to the provider."

# 4xx
match code=403 set hint="The provider refused the call; check its IP ACL, that the destination is allowed, that the caller ID is approved, the trunk registration, outbound auth and the balance."
match code=404 set hint="The provider does not know the number: check the digits and the prefix it expects (rewrite it on the gateway); an inactive registration or a block on your number also gives 404."
match code=408 ringing=0 set category=unavailable retry=later blame=callee hint="No answer came back before any ringing: the subscriber was out of reach, or the provider went quiet after 100 Trying (Oki-Toki gives up after 10 s); raise repeats with the provider."
match code=408 ringing=1 set hint="The call rang out with nobody picking up; Oki-Toki files a call whose last reply was 180/183 as no answer."
match code=480 ringing=0 set tag=FAILED category=unavailable retry=later blame=callee hint="Subscriber out of reach (phone off, no coverage, number not in service); some providers send 480 in place of ringing, and 480 on nearly every call means a provider fault."
match code=480 ringing=1 set hint="480 after ringing: nobody picked up, and Oki-Toki counts a call that only got 180/183 as not answered."
match code=484 set hint="The number is too short to route; check the number format and the prefix rules on the gateway."
match code=486 set hint="The subscriber's line is taken by another call; Oki-Toki counts it in the busy group."
match code=487 ringing=0 set hint="The call was stopped before it rang, by hand or by a forced stop; look at the dialer if nobody meant to cancel it."
match code=487 ringing=1 set hint="The attempt was stopped while ringing, by hand or by the dialer's ring timer; Oki-Toki counts it as no answer (last reply 180/183)."

# 5xx: the fault sits at the provider, not in the call.
match class=5xx set hint="A fault at the provider rather than in the call; check the trunk's state and give the provider a few numbers with exact call times."
match code=500 set hint="The provider's server failed internally; send it a few examples (number and exact time) so it can find the cause."
match code=502 set hint="A gateway at the provider got a broken reply from the server behind it; check the trunk's state and raise it with the provider."
match code=503 set hint="The provider could not serve the call: inactive gateway registration, empty balance, overload or a fault on its side; check the trunk, then ask the provider."

# 6xx: the account's simultaneous-line limit, not the callee.
match code=600 set tag=FAILED category=line_limit retry=later blame=caller hint="All lines the provider allows your account at once are busy; set fewer dialer lines than that limit and keep some spare for inbound calls."
match code=603 set tag=FAILED category=line_limit retry=later blame=caller hint="All lines the provider allows your account at once are busy; set fewer dialer lines than that limit and keep some spare for inbound calls."
