#!/usr/bin/env python3
"""The Python rows of docs/benchmarks.md: W1 and W2 (N = 1000) with CPython's `select` module
and with this crate's, in one process, alternating.

Usage:
    bench_select.py --module PATH [--rounds 7] [--quick] [--json OUT]

PATH is the built extension (`select.<EXT_SUFFIX>`, as `cargo xtask ci python` installs it in
target/ci-python/site). CPython's module is the one `import select` finds without it; ours is
loaded from PATH under the same name without replacing it in `sys.modules`.

W1 ping-pong: one `socket.socketpair()`, both ends non-blocking and registered for reading;
one round trip writes a byte on a, waits until b is readable, reads it, writes on b, waits until
a is readable, reads it. W2 idle scan: 500 socket pairs (1000 descriptors) registered for
reading, none ever ready; `poll(0)` repeated. Each round runs every row once, in an order
rotated between rounds; the report gives each row's median time per operation and the median
(min-max) ratio of ours to CPython's, as shared/bench/WORKLOADS.md asks.

With --json, the samples are also written to OUT, for `cargo xtask bench`'s report
(benches/src/bin/report.rs reads them): `{"quick": bool, "rounds": R, "trips": T, "waits": W,
"descriptors": 1000, "rows": [{"workload": "W1", "mechanism": "epoll", "cpython_ns": [R
figures], "ours_ns": [R figures]}, ...]}`, one figure per round, in nanoseconds per operation
(a W1 round trip, a W2 wait); the i-th figures of a row were measured in the same round.
"""

import argparse
import importlib.util
import json
import select as cpython_select
import socket
import statistics
import sys
import time


def load_ours(path):
    spec = importlib.util.spec_from_file_location("select", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, "_select_rs"):
        sys.exit(f"error: {path} is not this crate's module (no select._select_rs)")
    return module


def pollster(module, mechanism):
    """A poll object of `mechanism` and its mask for "readable"."""
    if mechanism == "epoll":
        return module.epoll(), module.EPOLLIN
    return module.poll(), module.POLLIN


def w1(module, mechanism, trips):
    """ns per round trip."""
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    poller, readable = pollster(module, mechanism)
    poller.register(a.fileno(), readable)
    poller.register(b.fileno(), readable)
    wait = poller.poll
    started = time.perf_counter_ns()
    for _ in range(trips):
        a.send(b"x")
        wait()
        b.recv(1)
        b.send(b"x")
        wait()
        a.recv(1)
    elapsed = time.perf_counter_ns() - started
    if mechanism == "epoll":
        poller.close()
    a.close()
    b.close()
    return elapsed / trips


def w2(module, mechanism, waits, pairs):
    """ns per wait(0) over 2 * len(pairs) idle descriptors."""
    poller, readable = pollster(module, mechanism)
    for a, b in pairs:
        poller.register(a.fileno(), readable)
        poller.register(b.fileno(), readable)
    wait = poller.poll
    started = time.perf_counter_ns()
    for _ in range(waits):
        wait(0)
    elapsed = time.perf_counter_ns() - started
    if mechanism == "epoll":
        poller.close()
    return elapsed / waits


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", required=True, help="path of the built select.<EXT>")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="a few seconds, to see it runs")
    parser.add_argument("--json", metavar="OUT", help="also write the samples to OUT as JSON")
    args = parser.parse_args()
    ours = load_ours(args.module)
    trips, waits = (2_000, 200) if args.quick else (200_000, 20_000)
    pairs = [socket.socketpair() for _ in range(500)]
    mechanisms = [m for m in ("epoll", "poll") if hasattr(cpython_select, m)]
    rows = [(workload, mechanism, name, module)
            for workload in ("W1", "W2")
            for mechanism in mechanisms
            for name, module in (("cpython", cpython_select), ("ours", ours))]
    times = {row[:3]: [] for row in rows}
    for round_number in range(args.rounds):
        shift = round_number % len(rows)
        for workload, mechanism, name, module in rows[shift:] + rows[:shift]:
            if workload == "W1":
                ns = w1(module, mechanism, trips)
            else:
                ns = w2(module, mechanism, waits, pairs)
            times[(workload, mechanism, name)].append(ns)
    for a, b in pairs:
        a.close()
        b.close()

    print(f"rounds: {args.rounds}; W1: {trips} round trips; W2: {waits} waits over 1000 fds")
    print("| Workload | Mechanism | CPython (ns/op) | ours (ns/op) | ours / CPython: median (min-max) |")
    print("|---|---|---|---|---|")
    for workload in ("W1", "W2"):
        for mechanism in mechanisms:
            theirs = times[(workload, mechanism, "cpython")]
            mine = times[(workload, mechanism, "ours")]
            ratios = [m / t for m, t in zip(mine, theirs)]
            print(f"| {workload} | {mechanism} | {statistics.median(theirs):.0f} "
                  f"| {statistics.median(mine):.0f} | {statistics.median(ratios):.2f} "
                  f"({min(ratios):.2f}-{max(ratios):.2f}) |")
    if args.json:
        document = {
            "quick": args.quick,
            "rounds": args.rounds,
            "trips": trips,
            "waits": waits,
            "descriptors": 2 * len(pairs),
            "rows": [{"workload": workload,
                      "mechanism": mechanism,
                      "cpython_ns": times[(workload, mechanism, "cpython")],
                      "ours_ns": times[(workload, mechanism, "ours")]}
                     for workload in ("W1", "W2") for mechanism in mechanisms],
        }
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=1)
            out.write("\n")


if __name__ == "__main__":
    main()
