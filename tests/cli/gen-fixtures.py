#!/usr/bin/env python3
"""Write the hand-made classify fixtures of tests/cli/data (*.sip but the
sipp and sipdump traces): CRLF line ends and exact Content-Length, which an
editor would not keep. Not a test: run it after changing a fixture here,
then review `git diff` and the expected outputs (tests/cli/regen-expected.sh).
"""
import os

D = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

def msg(start, headers, body=b"", cl=None, eol=b"\r\n"):
    if isinstance(body, str): body = body.encode()
    lines = [start] + headers
    if cl is None: cl = len(body)
    if cl is not False:
        lines.append("Content-Length: %d" % cl)
    out = eol.join(l.encode() if isinstance(l, str) else l for l in lines) + eol + eol + body
    return out

def dialog(cid, ftag="a73kszlfl", ttag=None, cseq="1 INVITE", via_branch="z9hG4bK74bf9"):
    h = ["Via: SIP/2.0/UDP 192.0.2.10:5060;branch=%s" % via_branch,
         "From: Alice <sip:alice@example.com>;tag=%s" % ftag,
         "To: Bob <sip:+15551230001@carrier.example.net>" + (";tag=%s" % ttag if ttag else ""),
         "Call-ID: %s" % cid,
         "CSeq: %s" % cseq]
    return h

SDP = ("v=0\r\no=- 2890844526 2890844526 IN IP4 192.0.2.20\r\ns=-\r\n"
       "c=IN IP4 192.0.2.20\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")

def w(name, data):
    with open(os.path.join(D, name), "wb") as f: f.write(data)

# 486 with Reason Q.850 17 and Retry-After
m486 = msg("SIP/2.0 486 Busy Here", dialog("busy-486@192.0.2.10", ttag="8321234356") +
           ["Reason: Q.850;cause=17;text=\"User busy\"", "Retry-After: 300", "Server: carrier-sbc"])
w("486-busy-q850.sip", m486)
# the same, saved with LF line ends (a text export)
w("486-lf-only.sip", m486.replace(b"\r\n", b"\n").replace(b"busy-486@", b"busy-486-lf@"))
# 200 OK with an SDP body
w("200-ok.sip", msg("SIP/2.0 200 OK", dialog("answered-200@192.0.2.10", ttag="9fxced76sl") +
      ["Contact: <sip:bob@192.0.2.20:5060>", "Content-Type: application/sdp"], SDP))
# 404
w("404-not-found.sip", msg("SIP/2.0 404 Not Found", dialog("unknown-404@192.0.2.10", ttag="4f3e2d1c")))

# 180 then CANCEL then 487: a plain concatenation, blank line between messages
cid = "ring-cancel-487@192.0.2.10"
inv = msg("INVITE sip:+15551230001@carrier.example.net SIP/2.0",
          dialog(cid) + ["Max-Forwards: 70", "Contact: <sip:alice@192.0.2.10:5060>",
                         "Content-Type: application/sdp"], SDP)
t100 = msg("SIP/2.0 100 Trying", dialog(cid))
r180 = msg("SIP/2.0 180 Ringing", dialog(cid, ttag="c2d1a9"))
can = msg("CANCEL sip:+15551230001@carrier.example.net SIP/2.0",
          dialog(cid, cseq="1 CANCEL") + ["Max-Forwards: 70"])
ok_can = msg("SIP/2.0 200 OK", dialog(cid, ttag="c2d1a9", cseq="1 CANCEL"))
r487 = msg("SIP/2.0 487 Request Terminated", dialog(cid, ttag="c2d1a9"))
ack = msg("ACK sip:+15551230001@carrier.example.net SIP/2.0",
          dialog(cid, ttag="c2d1a9", cseq="1 ACK") + ["Max-Forwards: 70"])
w("180-cancel-487.sip", b"\r\n".join([inv, t100, r180, can, ok_can, r487, ack]))

# the same without the CANCEL: a 487 nobody asked for, after ringing
cid2 = "ring-487-no-cancel@192.0.2.10"
w("180-487-no-cancel.sip", b"\r\n".join([
    msg("SIP/2.0 180 Ringing", dialog(cid2, ttag="77aa01")),
    msg("SIP/2.0 487 Request Terminated", dialog(cid2, ttag="77aa01"))]))

good404 = msg("SIP/2.0 404 Not Found", dialog("after-the-bad-one@192.0.2.10", ttag="5a5a5a"))

# malformed, each followed by a good message
nostatus = msg("SIP/2.0 486 Busy Here", dialog("no-status-line@192.0.2.10", ttag="1"))
nostatus = nostatus.split(b"\r\n", 1)[1]  # drop the status line
w("bad-no-status-line.sip", nostatus + b"\r\n" + good404)
w("bad-code-99.sip", msg("SIP/2.0 99 Low", dialog("code-99@192.0.2.10", ttag="2")) + b"\r\n" + good404)
w("bad-code-999.sip", msg("SIP/2.0 999 Out Of Range", dialog("code-999@192.0.2.10", ttag="3")) + b"\r\n" + good404)
nocseq = msg("SIP/2.0 486 Busy Here", [h for h in dialog("no-cseq@192.0.2.10", ttag="4") if not h.startswith("CSeq")])
w("bad-no-cseq.sip", nocseq + b"\r\n" + good404)
junk = bytes([0x00, 0x17, 0xfe, 0xff, 0x80, 0x01]) + b"\x8e\x9d binary\x00\x00\x1b[0m \x89PNG\r\n\x1a\n" + bytes(range(0, 32)) + b"\n"
w("bad-binary-junk.sip", junk + b"\r\n" + good404)
trunc = msg("SIP/2.0 503 Service Unavailable", dialog("truncated-body@192.0.2.10", ttag="6") +
            ["Content-Type: application/sdp"], SDP[:40], cl=len(SDP))
w("bad-truncated-body.sip", trunc + b"\r\n" + good404)
w("bad-truncated-eof.sip", good404 + b"\r\n" + trunc)

# all of it in one stream: bad messages between good ones
w("malformed-stream.sip", b"\r\n".join([
    m486, nostatus,
    msg("SIP/2.0 99 Low", dialog("code-99@192.0.2.10", ttag="2")),
    msg("SIP/2.0 200 OK", dialog("between-the-bad-ones@192.0.2.10", ttag="7")),
    msg("SIP/2.0 999 Out Of Range", dialog("code-999@192.0.2.10", ttag="3")),
    nocseq, junk, trunc, good404]))

# a retransmitted final (one result), then another call's 183 and 480
cid3 = "retransmitted@192.0.2.10"
r486 = msg("SIP/2.0 486 Busy Here", dialog(cid3, ttag="rt1"))
cid4 = "progress-480@192.0.2.10"
w("retransmission.sip", b"\r\n".join([r486, r486,
    msg("SIP/2.0 183 Session Progress", dialog(cid4, ttag="p1")),
    msg("SIP/2.0 480 Temporarily Unavailable", dialog(cid4, ttag="p1")),
    msg("SIP/2.0 480 Temporarily Unavailable", dialog(cid4, ttag="p1"))]))

# sngrep "Save as .txt": "DATE TIME SRC -> DST", the payload, a blank line
cid5 = "sngrep-603@192.0.2.10"
inv5 = msg("INVITE sip:+15551230002@carrier.example.net SIP/2.0",
           dialog(cid5) + ["Max-Forwards: 70"])
r603 = msg("SIP/2.0 603 Decline", dialog(cid5, ttag="s603") +
           ["Reason: Q.850 ;cause=21 ;text=\"Call rejected\""])
w("sngrep-export.sip",
  b"2026/11/21 10:15:02.123456 192.0.2.10:5060 -> 192.0.2.20:5060\n" + inv5 + b"\n\n" +
  b"2026/11/21 10:15:02.223456 192.0.2.20:5060 -> 192.0.2.10:5060\n" + r603 + b"\n\n")

# requests that start with 'S', and a NOTIFY whose message/sipfrag body
# starts with a status line: nothing to classify (INVITE only), no error
cid6 = "refer-subscribe@192.0.2.10"
sub = msg("SUBSCRIBE sip:bob@carrier.example.net SIP/2.0",
          dialog(cid6, cseq="7 SUBSCRIBE") + ["Event: refer", "Expires: 60"])
ok202 = msg("SIP/2.0 202 Accepted", dialog(cid6, ttag="sub1", cseq="7 SUBSCRIBE"))
frag = "SIP/2.0 180 Ringing\r\nServer: carrier-sbc\r\n"
notify = msg("NOTIFY sip:alice@192.0.2.10 SIP/2.0",
             dialog(cid6, ttag="sub1", cseq="8 NOTIFY") +
             ["Event: refer", "Subscription-State: active;expires=60",
              "Content-Type: message/sipfrag;version=2.0"], frag)
ok200 = msg("SIP/2.0 200 OK", dialog(cid6, ttag="sub1", cseq="8 NOTIFY"))
w("subscribe-notify.sip", b"\r\n".join([sub, ok202, notify, ok200]))

# SIP-I style 200 OK: a multipart body with SDP and binary ISUP, and MIME
# boundaries of many dashes, followed by a 486: two results, no error
cid7 = "sip-i-multipart@192.0.2.10"
bnd = "------------unique-boundary-1"
isup = bytes([0x06, 0x00, 0x02, 0x00, 0x0a, 0x0d, 0x0a, 0x00, 0x2d, 0x2d, 0x53, 0x49, 0x50, 0x0a])
mp = ("--%s\r\nContent-Type: application/sdp\r\n\r\n%s\r\n--%s\r\n"
      "Content-Type: application/ISUP;version=itu-t92+\r\nContent-Disposition: signal;handling=optional\r\n\r\n"
      % (bnd, SDP, bnd)).encode() + isup + ("\r\n--%s--\r\n" % bnd).encode()
ok_mp = msg("SIP/2.0 200 OK", dialog(cid7, ttag="mp1") +
            ["Contact: <sip:bob@192.0.2.20:5060>", "MIME-Version: 1.0",
             "Content-Type: multipart/mixed;boundary=%s" % bnd], mp)
w("multipart-sip-i.sip", ok_mp + b"\r\n" +
  msg("SIP/2.0 486 Busy Here", dialog("after-multipart@192.0.2.10", ttag="mp2")))
