#!/usr/bin/env python3
"""A hostile SIP carrier for tests/integration/hostile.sh.

A UDP UAS on 127.0.0.1 (loopback only) that answers every INVITE with a
crafted final reply, byte for byte, built from the INVITE's Via, From, To,
Call-ID and CSeq.  The R-URI user of the INVITE picks the case (see CASES;
an unknown user gets "SIP/2.0 486 Busy Here").  A retransmitted INVITE
gets the same reply again, as from a real UAS; ACKs are absorbed; CANCEL,
BYE and OPTIONS get "200 OK".  No provisional reply is ever sent, so a
final that Kamailio drops as unparsable ends with tm's fr_timer 408.

  hostile_uas.py --port PORT [--lifetime SECONDS] [--log FILE]
  hostile_uas.py --list          (the case names, one a line)

The process exits after --lifetime seconds (default 120), whatever
happens.  Standard library only.
"""
import argparse
import socket
import sys
import time

PHRASE_60K = b"B" * 60000

# name -> (status line without CRLF, extra header lines, To tag?)
CASES = {
    # a well-formed control case
    "busy": (b"SIP/2.0 486 Busy Here", [], True),
    # (a) no phrase, no space after the code / an empty phrase
    "nophrase": (b"SIP/2.0 486", [], True),
    "emptyphrase": (b"SIP/2.0 486 ", [], True),
    # (b) a two-digit code
    "twodigit": (b"SIP/2.0 48 Busy", [], True),
    # (c) a code above 699
    "code999": (b"SIP/2.0 999 Beyond Six Hundred", [], True),
    #     ... with control bytes and a bad UTF-8 byte in the phrase
    "code999ctrl": (b"SIP/2.0 999 Beyond\x01\x1b[5m Six\xff", [], True),
    # (d) a NUL byte in the phrase
    "nul": (b"SIP/2.0 486 Busy\x00Here", [], True),
    # (e) a 60,000-byte phrase (UDP max datagram ~65 KB, Kamailio
    #     BUF_SIZE 65535)
    "huge": (b"SIP/2.0 486 " + PHRASE_60K, [], True),
    # (f) Reason headers with garbage parameters
    "reason_unterminated": (b"SIP/2.0 486 Busy Here",
                            [b'Reason: Q.850;cause=;;text="unterminated'],
                            True),
    "reason_semicolons": (b"SIP/2.0 486 Busy Here", [b"Reason: ;;;"], True),
    "reason_bigcause": (b"SIP/2.0 486 Busy Here",
                        [b"Reason: Q.850;cause=99999999999"], True),
    # (g) no To tag on the final
    "notag": (b"SIP/2.0 486 Busy Here", [], False),
    # (h) raw control bytes (ESC, BEL, DEL, BS, VT, FF ...) / invalid UTF-8
    "ctrl": (b"SIP/2.0 486 Busy\x01\x07\x1b[31mHere\x7f\x08\x0b\x0c\x1f!",
             [], True),
    "badutf8": (b"SIP/2.0 486 Busy \xff\xfe Here \xc3\x28 \xed\xa0\x80"
                b" \xf8\x88\x80\x80\x80 \xc0\xaf \xe2\x82", [], True),
    # (h') a bare CR inside the phrase: Kamailio's first-line parser ends
    #      the phrase at the CR but relays the whole line
    "barecr": (b"SIP/2.0 486 Busy\rHere", [], True),
}

COMPACT = {b"v": b"via", b"f": b"from", b"t": b"to", b"i": b"call-id"}


def parse(data):
    """(first line, [(lower name, value)]) of a SIP message, or None."""
    head = data.split(b"\r\n\r\n", 1)[0]
    lines = head.split(b"\r\n")
    if not lines or not lines[0]:
        return None
    hdrs = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t") and hdrs:  # folded line
            name, value = hdrs[-1]
            hdrs[-1] = (name, value + b" " + line.strip())
            continue
        name, sep, value = line.partition(b":")
        if not sep:
            continue
        name = name.strip().lower()
        hdrs.append((COMPACT.get(name, name), value.strip()))
    return lines[0], hdrs


def values(hdrs, name):
    return [v for n, v in hdrs if n == name]


def build_reply(status, hdrs, extra=(), totag=True):
    out = [status]
    out += [b"Via: " + v for v in values(hdrs, b"via")]
    out += [b"From: " + v for v in values(hdrs, b"from")[:1]]
    for v in values(hdrs, b"to")[:1]:
        if totag and b";tag=" not in v.lower():
            v += b";tag=hostile-uas-1"
        out.append(b"To: " + v)
    out += [b"Call-ID: " + v for v in values(hdrs, b"call-id")[:1]]
    out += [b"CSeq: " + v for v in values(hdrs, b"cseq")[:1]]
    out += list(extra)
    out.append(b"Content-Length: 0")
    return b"\r\n".join(out) + b"\r\n\r\n"


def ruri_user(first_line):
    parts = first_line.split(b" ")
    if len(parts) < 2:
        return ""
    uri = parts[1]
    if uri.lower().startswith(b"sip:"):
        uri = uri[4:]
    user, at, _ = uri.partition(b"@")
    return user.decode("ascii", "replace") if at else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int)
    ap.add_argument("--lifetime", type=float, default=120.0)
    ap.add_argument("--log")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.list:
        print("\n".join(CASES))
        return 0
    if not args.port:
        ap.error("--port is required")
    log = open(args.log, "a", buffering=1) if args.log else None
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    sock.bind(("127.0.0.1", args.port))
    deadline = time.monotonic() + args.lifetime
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(min(left, 1.0))
        try:
            data, peer = sock.recvfrom(65535)
        except socket.timeout:
            continue
        if peer[0] != "127.0.0.1":
            continue
        msg = parse(data)
        if msg is None or msg[0].startswith(b"SIP/2.0 "):
            continue  # garbage, or a reply: nothing to answer
        first, hdrs = msg
        method = first.split(b" ", 1)[0]
        callid = b"".join(values(hdrs, b"call-id")[:1])
        if method == b"INVITE":
            case = ruri_user(first)
            status, extra, totag = CASES.get(case, CASES["busy"])
            out = build_reply(status, hdrs, extra, totag)
        elif method == b"ACK":
            case, out = "-", None
        else:  # CANCEL, BYE, OPTIONS ...
            case = "-"
            out = build_reply(b"SIP/2.0 200 OK", hdrs)
        if out is not None:
            sock.sendto(out, peer)
        if log:
            log.write("%.3f %s %s case=%s sent=%d\n" % (
                time.time(), method.decode("ascii", "replace"),
                callid.decode("ascii", "replace"), case,
                len(out) if out else 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
