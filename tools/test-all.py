#!/usr/bin/python3
"""test-all.py: every level of `make test` (no LAB=), two at once.

    tools/test-all.py [--results build/results]

The levels are the Makefile's own targets, each a `make` of its own, and each
writes its JUnit files into the results directory; tools/summary.py reads
them all at the end (the Makefile runs it). Order:

  1. alone, one after another: `test-host ASAN=1` (it compiles every host
     object, the solutions' among them) and `make all` (the reference
     kernel). Both keep every core busy, and afterwards nothing that the two
     lanes share is left to build: no two makes ever write the same file;
  2. the other levels, two at once, so that the cores stay busy while a
     level waits on one long run: whichever of the two lanes is free takes
     the next level of LATER, the longest first (test-release and
     test-grading work in trees of their own).

Every run of the harness is counted in guest instructions, so that running
beside another lane changes no verdict; only wall-clock backstops could
notice, and they allow several times the usual time. Each level's output is
kept and printed whole, under its name, when the level ends; a line says
when each level starts. Exit status 0 (the summary decides).
"""
import argparse
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIRST = [["test-host", "ASAN=1"], ["all"]]
LATER = [["test-release"], ["test-kernel"], ["test-grading"], ["test-debugger"], ["test-harness"],
         ["test-skeletons", "FRESH_ONLY=1"]]     # the longest first (a clean run: 187, 103, 51, 40, 16, 0 s)
LANES = 2

_print_lock = threading.Lock()


def say(text):
    with _print_lock:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()


def level(words, results):
    """Run `make WORDS`; print its output whole when it ends (its results are
    in JUnit files: the summary reads them)."""
    name = " ".join(words)
    started = time.monotonic()
    say(f"== make {name}: started")
    p = subprocess.run(["make", "--no-print-directory", f"RESULTS={results}"] + words, cwd=ROOT,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    say(f"== make {name}: {'done' if p.returncode == 0 else f'exit {p.returncode}'} "
        f"after {time.monotonic() - started:.0f} s\n{p.stdout}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", default=os.path.join(ROOT, "build", "results"))
    args = ap.parse_args()
    started = time.monotonic()
    for words in FIRST:
        level(words, args.results)

    with ThreadPoolExecutor(max_workers=LANES) as lanes:   # a free lane takes the next level, in order
        list(lanes.map(lambda words: level(words, args.results), LATER))
    say(f"== every level ran in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
