#!/usr/bin/python3
"""size-budgets.py: size every test's instruction budget to what the
reference needs, and write it into labs/manifest.json.

Runs every kernel test and debugger check of the manifest (or of --lab N)
on the reference kernel, reads the guest instructions each run took, and sets

    budget = K x measured + FLOOR      (rounded up to a multiple of ROUND)

so that a student kernel that hangs fails its test after a few times the
reference's cost, in seconds rather than minutes. Tests that misbehave on
purpose (an `expect.outcome`, e.g. "budget") keep their budgets. Re-run it
whenever the kernel's costs change (a cheaper boot, a new test):

  tools/size-budgets.py [--lab N] [--k 3] [--floor 10000000] [--dry-run]

Prints one line per test (measured, old and new budget, budget / measured)
and the largest ratio.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANIFEST = os.path.join(ROOT, "labs", "manifest.json")
PY = "/usr/bin/python3"
LEVELS = (("kernel", "kernel_tests"), ("debugger", "debugger_checks"))
ROUND = 10_000_000


def measure(level, lab, jobs):
    """{name: instructions} of the reference's passing runs of one level."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        cmd = [PY, f"tests/{level}/run.py", "--flavour", "reference", "-q", "-j", str(jobs),
               "--json", out, "--junit", os.path.join(tmp, "r.xml")]
        cmd += ["--lab", str(lab)] if lab is not None else ["--all"]
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
        results = json.load(open(out)) if os.path.exists(out) else []
    for r in results:
        if not r["passed"]:
            print(f"warning: {level} {r['name']} fails on the reference: budget left alone ({r['reason']})")
    return {r["name"]: r["instructions"] for r in results if r["passed"] and r.get("instructions")}


def sized(measured, k, floor):
    """The budget for a run that took `measured` instructions on the reference."""
    raw = k * measured + floor
    return int(-(-raw // ROUND) * ROUND)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab", type=int)
    ap.add_argument("--k", type=float, default=3.0)
    ap.add_argument("--floor", type=int, default=10_000_000)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--dry-run", action="store_true", help="print, do not write the manifest")
    args = ap.parse_args()
    if subprocess.run(["make", "--no-print-directory", "-s", "FLAVOUR=reference", "all"], cwd=ROOT).returncode:
        sys.exit("size-budgets: the reference kernel does not build")
    data = json.load(open(MANIFEST))
    worst = (0, "")
    for level, key in LEVELS:
        took = measure(level, args.lab, args.jobs)
        for lab in data["labs"]:
            for entry in lab.get(key, []):
                if entry["name"] not in took or "outcome" in entry.get("expect", {}):
                    continue
                n = took[entry["name"]]
                new = sized(n, args.k, args.floor)
                old = entry.get("budget")
                entry["budget"] = new
                ratio = new / n
                worst = max(worst, (ratio, f"{level} {entry['name']}"))
                print(f"{level:8} {entry['name']:32} {n:>13,} instr  budget {old or 'default':>13} -> {new:>13,}"
                      f"  ({ratio:.1f} x)")
    print(f"largest budget / reference ratio: {worst[0]:.1f} x ({worst[1]})")
    if not args.dry_run:
        with open(MANIFEST, "w") as f:
            f.write(json.dumps(data, indent=2) + "\n")
        print(f"written: {os.path.relpath(MANIFEST)}")


if __name__ == "__main__":
    main()
