"""Splits (d)'s latency on the wire: bench/load.sh with SPLIT=1 captures loopback during one
more `ab` run of (d) and calls this with the capture as `tcpdump -n -tt` text.

On each keep-alive connection a request and its answer alternate, so an exchange runs from the
first data segment of a request to the last data segment of its answer. For Tongban's port
that is the home screen as the client sees it; for the gov simulator's port (the listening
port, other than Tongban's, with the most exchanges), the platform's answer as it crossed the
wire, before Tongban's client read it. Tongban's part of a home screen is then the time from
the platform's last answer before the screen's to the screen's: what Tongban adds once its
slowest call has answered.

Usage: latency-split.py CAPTURE.txt TONGBAN_PORT LISTENING_PORTS(comma-separated)
"""

import bisect
import collections
import re
import sys

SEGMENT = re.compile(r"^(\d+\.\d+) IP \S+?\.(\d+) > \S+?\.(\d+): .*length (\d+)")


def exchanges(lines, servers):
    """(start, end) of each request-answer exchange, by server port."""
    segments = collections.defaultdict(list)
    for line in lines:
        m = SEGMENT.match(line)
        if not m or int(m[4]) == 0:
            continue
        at, src, dst = float(m[1]), int(m[2]), int(m[3])
        if dst in servers:
            segments[(dst, src)].append((at, "request"))
        elif src in servers:
            segments[(src, dst)].append((at, "answer"))
    found = collections.defaultdict(list)
    for (server, _), segs in segments.items():
        start = end = last = None
        for at, kind in segs:
            if kind == "request":
                if last == "answer":
                    found[server].append((start, end))
                    start = None
                if start is None:
                    start = at
            else:
                end = at
            last = kind
        if last == "answer" and start is not None:
            found[server].append((start, end))
    return found


def percentiles(values):
    values = sorted(values)
    at = lambda p: values[min(len(values) - 1, int(len(values) * p / 100))]
    return f"{at(50):.2f} | {at(90):.2f} | {at(99):.2f} | {values[-1]:.2f}"


def main():
    capture, tongban, listening = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    servers = {int(p) for p in listening.split(",") if p}
    with open(capture) as lines:
        found = exchanges(lines, servers)
    others = [p for p in found if p != tongban]
    if tongban not in found or not others:
        sys.exit("latency-split: no exchanges of Tongban and the platform in the capture")
    platform = max(others, key=lambda p: len(found[p]))
    screens, calls = found[tongban], found[platform]
    answered = sorted(end for _, end in calls)
    tongban_part = []
    for _, end in screens:
        i = bisect.bisect_right(answered, end) - 1
        if i >= 0:
            tongban_part.append((end - answered[i]) * 1000)
    ms = lambda pairs: [(end - start) * 1000 for start, end in pairs]
    print("| on the wire, ms | count | p50 | p90 | p99 | max |")
    print("|---|---|---|---|---|---|")
    print(f"| home screens (client to Tongban) | {len(screens)} | {percentiles(ms(screens))} |")
    print(f"| platform's answers (Tongban to simulator) | {len(calls)} | {percentiles(ms(calls))} |")
    print(f"| Tongban's part: platform's last answer to the screen | {len(tongban_part)} | "
          f"{percentiles(tongban_part)} |")


if __name__ == "__main__":
    main()
