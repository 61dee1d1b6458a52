#!/usr/bin/env python3
"""INVITE-to-final times through a proxy, for tests/bench/reload.sh.

  reload_uac.py --proxy PORT --calls N --conc C
                [--during-cmd CMD --every MS [--reloads R]]

Places N calls (INVITE, then the hop-by-hop ACK of the final) to
127.0.0.1:PORT, at most C at a time, from one UDP socket on 127.0.0.1, and
prints "runs=R calls=N finals=F p50_ms p99_ms p99.9_ms max_ms over_50ms"
(percentiles and maximum in ms, and how many calls took over 50 ms) of
the time from sending each INVITE to receiving its first final. With
--during-cmd, runs CMD (a shell command, e.g. a kamcmd reload) every MS
milliseconds while the calls run (and, with --reloads, goes on placing
calls until CMD started R times; runs= says how often it did). A call without a final in 10 s counts
as lost. Standard library only.
"""
import argparse
import select
import socket
import subprocess
import time


def invite(lport, n, port):
    return ("INVITE sip:bench@127.0.0.1:{p} SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:{l};branch=z9hG4bK-rl-{l}-{n};rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:caller@127.0.0.1:{l}>;tag=rl{l}x{n}\r\n"
            "To: <sip:bench@127.0.0.1:{p}>\r\n"
            "Call-ID: rl-{n}-{l}@127.0.0.1\r\n"
            "CSeq: 1 INVITE\r\n"
            "Contact: <sip:caller@127.0.0.1:{l}>\r\n"
            "Content-Length: 0\r\n\r\n").format(p=port, l=lport, n=n).encode()


def ack(lport, n, port, to):
    return ("ACK sip:bench@127.0.0.1:{p} SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:{l};branch=z9hG4bK-rl-{l}-{n};rport\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:caller@127.0.0.1:{l}>;tag=rl{l}x{n}\r\n"
            "{to}\r\n"
            "Call-ID: rl-{n}-{l}@127.0.0.1\r\n"
            "CSeq: 1 ACK\r\n"
            "Content-Length: 0\r\n\r\n").format(p=port, l=lport, n=n,
                                                to=to).encode()


def header(msg, name):
    for line in msg.split(b"\r\n")[1:]:
        if not line:
            break
        if line.split(b":", 1)[0].strip().lower() == name:
            return line
    return b""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proxy", type=int, required=True)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--conc", type=int, default=10)
    ap.add_argument("--during-cmd", default="")
    ap.add_argument("--every", type=float, default=500)
    ap.add_argument("--reloads", type=int, default=0,
                    help="go on placing calls until CMD ran this often")
    a = ap.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    lport = s.getsockname()[1]
    sent, rtt, pending, nxt = {}, [], set(), 0
    proc, last_cmd = None, time.monotonic()
    deadline = None
    runs = 0

    def more():
        return nxt < a.calls or (a.during_cmd and runs < a.reloads)

    while more() or pending:
        now = time.monotonic()
        while more() and len(pending) < a.conc:
            s.sendto(invite(lport, nxt, a.proxy), ("127.0.0.1", a.proxy))
            sent[nxt] = time.monotonic()
            pending.add(nxt)
            nxt += 1
        if a.during_cmd and now - last_cmd >= a.every / 1000.0 and (
                proc is None or proc.poll() is not None):
            proc = subprocess.Popen(a.during_cmd, shell=True,
                                    stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            last_cmd = now
            runs += 1
        r, _, _ = select.select([s], [], [], 0.05)
        if not r:
            stale = [c for c in pending if now - sent[c] > 10]
            for c in stale:
                pending.discard(c)
            continue
        msg = s.recv(65535)
        if not msg.startswith(b"SIP/2.0 "):
            continue
        code = int(msg[8:11])
        cid = header(msg, b"call-id").split(b":", 1)[-1].strip()
        if code < 200 or not cid.startswith(b"rl-"):
            continue
        c = int(cid[3:].split(b"-")[0])
        if c in pending:
            rtt.append((time.monotonic() - sent[c]) * 1000.0)
            pending.discard(c)
            s.sendto(ack(lport, c, a.proxy, header(msg, b"to").decode()),
                     ("127.0.0.1", a.proxy))
    if proc is not None:
        proc.wait()
    rtt.sort()

    def pct(q):
        return rtt[min(len(rtt) - 1, int(q * len(rtt)))] if rtt else -1

    print("runs=%d calls=%d finals=%d p50_ms=%.2f p99_ms=%.2f p99.9_ms=%.2f"
          " max_ms=%.2f over_50ms=%d"
          % (runs, nxt, len(rtt), pct(0.5), pct(0.99), pct(0.999),
             rtt[-1] if rtt else -1, sum(1 for x in rtt if x > 50)))


if __name__ == "__main__":
    main()
