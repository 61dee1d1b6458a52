#!/usr/bin/env python3
"""The caller of tests/integration/hostile.sh: one INVITE through a proxy
on 127.0.0.1, every byte of the answer kept.

  hostile_uac.py call PROXY_PORT USER [--timeout S] [--raw FILE]
  hostile_uac.py ping PROXY_PORT [--timeout S]

call: sends INVITE sip:USER@127.0.0.1:PROXY_PORT (retransmitted every
500 ms until a reply arrives), collects the replies until a final one
(any code >= 200, 999 included) or --timeout seconds (default 6), ACKs a
non-2xx final (same branch, its To), writes the raw final datagram to
--raw FILE and prints key=value lines:

  callid=...           the Call-ID sent
  statuses=100 486     every reply's code, in order ("-" when a datagram
                       did not parse as a SIP reply)
  final_code=486       the first final's code; empty when none came
  status_line=...      its first line up to the first CRLF, non-printable
                       bytes as \\xHH, "\\" as \\\\, cut at 200 bytes
  line_len=N           that line's length in bytes
  phrase_len=N         bytes after "SIP/2.0 NNN " (-1: no space after the
                       code)
  line_ctrl=0|1        a control byte (< 0x20 but TAB, or 0x7F, CR
                       included) in the status line
  phrase_utf8=0|1      the phrase is valid UTF-8
  totag=...            the To tag of the final (empty when none)
  reason=...           Reason header value(s) of the final, "|"-joined
  x_outcome=...        X-Outcome header value of the final

ping: sends OPTIONS until any SIP reply (exit 0) or --timeout (default
2 s; exit 1).  Standard library only; 127.0.0.1 only.
"""
import argparse
import os
import socket
import sys
import time


def esc(b, limit=200):
    out = []
    for c in b[:limit]:
        if c == 0x5C:
            out.append("\\\\")
        elif 0x20 <= c < 0x7F:
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    if len(b) > limit:
        out.append("...")
    return "".join(out)


def headers(data):
    head = data.split(b"\r\n\r\n", 1)[0]
    hdrs = []
    for line in head.split(b"\r\n")[1:]:
        name, sep, value = line.partition(b":")
        if sep:
            hdrs.append((name.strip().lower(), value.strip()))
    return hdrs


def hval(hdrs, *names):
    return [v for n, v in hdrs if n in names]


def status_code(data):
    if not data.startswith(b"SIP/2.0 "):
        return None
    code = data[8:11]
    if len(code) == 3 and code.isdigit() and data[11:12] in (b" ", b"\r"):
        return int(code)
    return None


def do_ping(port, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    lport = s.getsockname()[1]
    s.settimeout(0.2)
    deadline = time.monotonic() + timeout
    n = 0
    while time.monotonic() < deadline:
        n += 1
        msg = ("OPTIONS sip:127.0.0.1:{p} SIP/2.0\r\n"
               "Via: SIP/2.0/UDP 127.0.0.1:{l};branch=z9hG4bK-hping-{l}-{n};rport\r\n"
               "Max-Forwards: 70\r\n"
               "From: <sip:ping@127.0.0.1:{l}>;tag=hping{l}\r\n"
               "To: <sip:127.0.0.1:{p}>\r\n"
               "Call-ID: hping-{l}@127.0.0.1\r\n"
               "CSeq: {n} OPTIONS\r\n"
               "Content-Length: 0\r\n\r\n").format(p=port, l=lport, n=n)
        try:
            s.sendto(msg.encode(), ("127.0.0.1", port))
            if s.recv(65535).startswith(b"SIP/2.0 "):
                return 0
        except socket.timeout:
            pass
        except OSError:
            time.sleep(0.2)
    return 1


def do_call(port, user, timeout, raw):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind(("127.0.0.1", 0))
    lport = s.getsockname()[1]
    tok = "%d-%s" % (lport, os.urandom(4).hex())
    callid = "hostile-%s-%s@127.0.0.1" % (user, tok)
    branch = "z9hG4bK-h-" + tok
    via = "SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport" % (lport, branch)
    frm = "<sip:caller@127.0.0.1:%d>;tag=hc-%s" % (lport, tok)
    to = "<sip:%s@127.0.0.1:%d>" % (user, port)
    ruri = "sip:%s@127.0.0.1:%d" % (user, port)
    invite = ("INVITE {r} SIP/2.0\r\nVia: {v}\r\nMax-Forwards: 70\r\n"
              "From: {f}\r\nTo: {t}\r\nCall-ID: {c}\r\nCSeq: 1 INVITE\r\n"
              "Contact: <sip:caller@127.0.0.1:{l}>\r\n"
              "Content-Length: 0\r\n\r\n").format(
                  r=ruri, v=via, f=frm, t=to, c=callid, l=lport).encode()
    dest = ("127.0.0.1", port)
    s.sendto(invite, dest)
    statuses, final = [], None
    got_reply = False
    start = time.monotonic()
    next_rtx = start + 0.5
    while final is None:
        now = time.monotonic()
        if now - start >= timeout:
            break
        s.settimeout(max(0.01, min(next_rtx, start + timeout) - now))
        try:
            data, _ = s.recvfrom(65535)
        except socket.timeout:
            if not got_reply and time.monotonic() >= next_rtx:
                s.sendto(invite, dest)
                next_rtx = time.monotonic() + 0.5
            continue
        got_reply = True
        code = status_code(data)
        hdrs = headers(data)
        cseq = b"".join(hval(hdrs, b"cseq")[:1])
        if code is not None and not cseq.upper().endswith(b"INVITE"):
            continue
        statuses.append(str(code) if code is not None else "-")
        if code is not None and code >= 200:
            final = data
    print("callid=%s" % callid)
    print("statuses=%s" % " ".join(statuses))
    if final is None:
        for k in ("final_code", "status_line", "line_len", "phrase_len",
                  "line_ctrl", "phrase_utf8", "totag", "reason", "x_outcome"):
            print("%s=" % k)
        return 0
    if raw:
        with open(raw, "wb") as f:
            f.write(final)
    code = status_code(final)
    line = final.split(b"\r\n", 1)[0]
    phrase = line[12:] if line[11:12] == b" " else None
    hdrs = headers(final)
    to_v = b"".join(hval(hdrs, b"to", b"t")[:1])
    totag = b""
    for p in to_v.split(b";")[1:]:
        k, _, v = p.partition(b"=")
        if k.strip().lower() == b"tag":
            totag = v.strip()
    try:
        if phrase is not None:
            phrase.decode("utf-8")
        utf8 = 1
    except UnicodeDecodeError:
        utf8 = 0
    ctrl = any((c < 0x20 and c != 0x09) or c == 0x7F for c in line)
    print("final_code=%d" % code)
    print("status_line=%s" % esc(line))
    print("line_len=%d" % len(line))
    print("phrase_len=%d" % (len(phrase) if phrase is not None else -1))
    print("line_ctrl=%d" % ctrl)
    print("phrase_utf8=%d" % utf8)
    print("totag=%s" % esc(totag))
    print("reason=%s" % esc(b"|".join(hval(hdrs, b"reason"))))
    print("x_outcome=%s" % esc(b"|".join(hval(hdrs, b"x-outcome"))))
    if code < 300:
        return 0  # no 2xx case here: not ACKed (the proxy will retransmit)
    # ACK of a non-2xx final: hop by hop, same branch, the final's To.
    ack = ("ACK {r} SIP/2.0\r\nVia: {v}\r\nMax-Forwards: 70\r\n"
           "From: {f}\r\nTo: ").format(r=ruri, v=via, f=frm).encode()
    ack += to_v + ("\r\nCall-ID: {c}\r\nCSeq: 1 ACK\r\n"
                   "Content-Length: 0\r\n\r\n").format(c=callid).encode()
    s.sendto(ack, dest)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cmd", choices=("call", "ping"))
    ap.add_argument("port", type=int)
    ap.add_argument("user", nargs="?", default="busy")
    ap.add_argument("--timeout", type=float)
    ap.add_argument("--raw")
    args = ap.parse_args()
    if args.cmd == "ping":
        return do_ping(args.port, args.timeout or 2.0)
    return do_call(args.port, args.user, args.timeout or 6.0, args.raw)


if __name__ == "__main__":
    sys.exit(main())
