"""swap-oracle (lab 5): the collector's page-ins against an oracle.

Boots `test=lab5_workload run=swap-replay` (user/programs/swap-replay.cpp)
with a swap disk, lets it run to its end, and reads the program's VALUE lines
(this run's token only) for each reference string (loop, hotcold, matrix):
K, N, the string's length and the misses the kernel took (zero fills and
faults that waited for the store, after the warm-up quarter). On the host,
tests/harness/replacement.py builds the same strings and simulates LRU, OPT,
a one-bit clock, FIFO and random with the same K. The check:
  - the string the program replayed is the one simulated (N and length);
  - for each string, kernel misses <= RATIO x LRU's.
A FIFO collector (no second chance) fails the hotcold string: 1.56 x LRU
(`tools/mutant.py fifo` runs this check against that mutant).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

from harness import kout, replacement  # noqa: E402

KERNEL_TEST = "lab5_workload"   # the manifest adds `run=swap-replay`
RATIO = 1.5


def results(dbg):
    """{kind: {k, n, length, misses}} from the run's VALUE lines."""
    report = kout.parse(dbg.session.serial_text(), getattr(dbg, "token", None))
    out = {}
    for kind in replacement.KINDS:
        keys = ("k", "n", "length", "misses")
        got = {key: report.values.get(f"oracle_{kind}_{key}") for key in keys}
        dbg.expect(all(v is not None for v in got.values()),
                   f"{kind}: the program printed no oracle values ({got})")
        out[kind] = {key: int(v) for key, v in got.items()}
    return out


def check(dbg):
    outcome, reason = dbg.finish()
    dbg.expect(outcome == "poweroff", f"the run did not end well: {reason}")
    for kind, r in results(dbg).items():
        refs = replacement.reference_string(kind, r["k"])
        dbg.expect(r["n"] == replacement.pages_for(kind, r["k"]) and r["length"] == len(refs),
                   f"{kind}: the program replayed N={r['n']}, {r['length']} references; "
                   f"the oracle's string has N={replacement.pages_for(kind, r['k'])}, {len(refs)}")
        sim = replacement.simulate(kind, r["k"])
        ratio = r["misses"] / max(1, sim["lru"])
        dbg.expect(ratio <= RATIO,
                   f"{kind}: {r['misses']} misses with K={r['k']}, {ratio:.2f} x LRU's {sim['lru']} "
                   f"(at most {RATIO}; OPT {sim['opt']}, clock {sim['clock']}, FIFO {sim['fifo']})")
