#!/usr/bin/env python3
"""The final responses a SIPp caller received, from its -trace_msg file.

  finals.py MSGFILE HEADER

One line per final response (status 200..699) to an INVITE that the
caller received, retransmissions included, in arrival order:

  STATUS-LINE<TAB>N

STATUS-LINE is the code and reason phrase as received, with every byte
outside 0x20..0x7e written as \\xNN; N is how many header fields named
HEADER (case-insensitive) the response carried.  Standard library only.
"""
import re
import sys

RX = re.compile(rb"^.* message received \[\d+\] bytes :\r?$")
MARK = re.compile(rb"^-{47}( |\r?$)")


def show(b):
    return "".join(chr(c) if 0x20 <= c < 0x7f and c != 0x5c else "\\x%02x" % c
                   for c in b)


def messages(data):
    cur = None
    for line in data.split(b"\n"):
        if RX.match(line):
            if cur is not None:
                yield cur
            cur = []
            continue
        if MARK.match(line) or b" message sent (" in line:
            if cur is not None:
                yield cur
            cur = None
            continue
        if cur is not None:
            cur.append(line[:-1] if line.endswith(b"\r") else line)
    if cur is not None:
        yield cur


def main():
    path, header = sys.argv[1], sys.argv[2].lower().encode()
    with open(path, "rb") as f:
        data = f.read()
    for lines in messages(data):
        while lines and lines[0] == b"":
            lines.pop(0)
        if not lines or not lines[0].startswith(b"SIP/2.0 "):
            continue
        status = lines[0][8:]
        if not status[:3].isdigit() or int(status[:3]) < 200:
            continue
        n, method = 0, b""
        for h in lines[1:]:
            if h == b"":
                break
            name, _, value = h.partition(b":")
            name = name.strip().lower()
            if name == b"cseq":
                method = value.split()[-1].upper() if value.split() else b""
            if name == header:
                n += 1
        if method == b"INVITE":
            print("%s\t%d" % (show(status), n))


if __name__ == "__main__":
    main()
