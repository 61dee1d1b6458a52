# sipoutcome profile file. Format (one directive per line, '#' starts a
# comment line, blank lines are ignored, UTF-8 text, no control bytes):
#
#   profile NAME            first directive; NAME is letters, digits, _ - .
#   inherits PARENT         optional; the parent must be loaded first.
#                           Every profile but rfc inherits rfc by default.
#   description "TEXT"      optional, one line
#   match KEY=VALUE... set KEY=VALUE...
#
# match keys (all given keys must hold):
#   code=486        one status code, 100..699
#   class=4xx       a code class, 1xx..6xx (or just 4)
#   q850=17         the Q.850 cause of a Reason header, 0..127
#   ringing=1       1: an 18x was received before the final; 0: none was
#   canceled=1      1: the caller sent CANCEL, the call would be CANCELED
#                   (487 or the proxy's timeout after it): such rules read
#                   the caller's CANCEL, after the CANCEL's own Reason
#                   header and before the generic CANCELED; 0: the caller
#                   sent no CANCEL
#   phrase="limit"  case-insensitive substring of the received reason phrase
# set keys (fields not set fall through to the next step below):
#   tag=BUSY              COMPLETED BUSY NO_ANSWER CANCELED FAILED
#   category=busy         answered redirected busy declined no_answer
#                         unavailable canceled timeout no_response
#                         invalid_number auth forbidden media congestion
#                         server_error unwanted blocked billing line_limit
#                         loop protocol identity answered_elsewhere
#                         unreachable other
#   retry=no              no alternate later
#   blame=callee          caller callee network proxy unknown
#   cause=21              the Q.850 cause the result reports when the reply
#                         carried none (for a code used with another
#                         meaning; RFC 3398 §8.2.6.1 values), 1..127
#   hint="..."            one sentence for the operator (at most 240 bytes)
#   rewrite="..."         reason phrase used by reason_mode=rewrite
#
# Which rule wins, per field: the transaction itself first (2xx answered,
# 487 after the caller's CANCEL with its canceled=1 rules, the proxy's own
# timeout); then rules that
# match a q850 cause; then the other rules. Among rules, the profile's own
# come before its parent's, and within one profile the most specific
# first: code beats class, then a phrase key, then a ringing key; equal
# ranks keep file order. After the rules: a received Q.850 cause, only
# when it says more than the code (data/q850.tsv), the code table
# (data/codes.tsv), the class, and last RFC 8606 location= for the blame. Two rules with the same
# match keys in one profile are an error.
#
# rfc is the root profile: the standard meaning of each code, which the
# engine already takes from data/codes.tsv, so it needs only hints that
# add to the code table.
profile rfc
description "Standard SIP semantics (RFC 3261 and the IANA registry)"
