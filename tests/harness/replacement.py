"""replacement.py: the oracle of lab 5. The page-reference strings that
user/programs/swap-replay.cpp replays (built the same way here), and page
replacement simulated on them with K frames: LRU, OPT (Belady), a one-bit
clock, FIFO and random. A miss is a reference to a page not in the K
frames; misses are counted from reference WARM (a quarter of the string)
on, as swap-replay counts them, so that the first touches of the warm-up
do not hide the policy (they are the same for every policy).

    python3 tests/harness/replacement.py 828     # the table for K = 828
"""
import random
from collections import OrderedDict

ROWS = 16
KINDS = ("loop", "hotcold", "matrix")
MASK = 0xFFFFFFFF


def pages_for(kind, k):
    """N, the pages a string of `kind` touches for K = k."""
    return {"loop": k * 11 // 10, "hotcold": k * 14 // 5}.get(kind, k * 5 // 4)


def reference_string(kind, k):
    """The pages swap-replay touches, in order, for K = k."""
    n = pages_for(kind, k)
    if kind == "loop":
        return list(range(n)) * 2
    if kind == "hotcold":
        hot, x, refs = n * 2 // 7, 0x5EED, []
        for _ in range(8 * k):
            x = (x * 1664525 + 1013904223) & MASK
            v = x >> 8
            refs.append((v // 100) % hot if v % 100 < 90 else hot + (v // 100) % (n - hot))
        return refs
    cols = (n + ROWS - 1) // ROWS
    one = [row * cols + c for c in range(cols) for row in range(ROWS) if row * cols + c < n]
    return one * 2


def warm(refs):
    """The references before this index are not counted."""
    return len(refs) // 4


def lru(refs, k):
    """Misses of least-recently-used replacement."""
    frames, misses = OrderedDict(), 0
    for p in refs:
        if p in frames:
            frames.move_to_end(p)
            continue
        misses += 1
        if len(frames) >= k:
            frames.popitem(last=False)
        frames[p] = True
    return misses


def fifo(refs, k):
    """Misses of first-in first-out replacement."""
    frames, order, misses = set(), [], 0
    head = 0
    for p in refs:
        if p in frames:
            continue
        misses += 1
        if len(frames) >= k:
            frames.discard(order[head])
            head += 1
        frames.add(p)
        order.append(p)
    return misses


def random_policy(refs, k, seed=13):
    """Misses of replacing a random resident page."""
    rng, frames, resident, misses = random.Random(seed), [], set(), 0
    for p in refs:
        if p in resident:
            continue
        misses += 1
        if len(frames) >= k:
            i = rng.randrange(len(frames))
            resident.discard(frames[i])
            frames[i] = p
        else:
            frames.append(p)
        resident.add(p)
    return misses


def clock(refs, k):
    """Misses of a one-bit clock (second chance)."""
    frames, used, where, hand, misses = [], [], {}, 0, 0
    for p in refs:
        if p in where:
            used[where[p]] = True
            continue
        misses += 1
        if len(frames) < k:
            where[p] = len(frames)
            frames.append(p)
            used.append(True)
            continue
        while used[hand]:
            used[hand] = False
            hand = (hand + 1) % k
        del where[frames[hand]]
        frames[hand], used[hand], where[p] = p, True, hand
        hand = (hand + 1) % k
    return misses


def opt(refs, k):
    """Misses of Belady's optimal replacement (evict the page used farthest ahead)."""
    return opt_from(refs, k, 0)


def opt_from(refs, k, start):
    """OPT's misses at references `start` and after (OPT looks ahead, so the
    prefix cannot simply be subtracted)."""
    import heapq
    nxt, last = [0] * len(refs), {}
    for i in range(len(refs) - 1, -1, -1):
        nxt[i] = last.get(refs[i], len(refs) + i)
        last[refs[i]] = i
    resident, heap, misses = {}, [], 0
    for i, p in enumerate(refs):
        if p not in resident:
            misses += i >= start
            if len(resident) >= k:
                while True:
                    neg, q = heapq.heappop(heap)
                    if resident.get(q) == -neg:
                        del resident[q]
                        break
        resident[p] = nxt[i]
        heapq.heappush(heap, (-nxt[i], p))
    return misses


POLICIES = {"lru": lru, "opt": opt, "clock": clock, "fifo": fifo, "random": random_policy}


def simulate(kind, k):
    """{policy: misses from warm() on} for the string of `kind` with K = k.
    The online policies' state after the prefix does not depend on what
    follows, so their misses after it are all misses less the prefix's."""
    refs = reference_string(kind, k)
    start = warm(refs)
    out = {name: f(refs, k) - f(refs[:start], k) for name, f in POLICIES.items() if name != "opt"}
    out["opt"] = opt_from(refs, k, start)
    return out


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description="Misses of each replacement policy on the oracle test's "
                                             "reference strings, simulated on the host.")
    ap.add_argument("frames", type=int, nargs="?", default=828, help="resident frames K (default 828)")
    k = ap.parse_args().frames
    for kind in KINDS:
        r = simulate(kind, k)
        print(f"{kind:8} K={k} " + " ".join(f"{p}={m}" for p, m in r.items())
              + f"  fifo/lru={r['fifo'] / r['lru']:.2f} random/lru={r['random'] / r['lru']:.2f}")
