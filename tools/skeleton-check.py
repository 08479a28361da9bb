#!/usr/bin/python3
"""skeleton-check.py: prove that every lab's tests fail on its skeleton.

For each lab N with student code, build the labN flavour (lab N from the
generated skeleton, earlier labs from the solutions) and run lab N's host,
kernel and debugger tests. Every one of them must fail, except host tests
listed in the lab's "passes_on_skeleton" (compile-time facts such as a
structure size). Also checks that labs/ matches the generated skeletons.

Writes build/results/skeletons.xml: one test case per lab and level, passed
when the skeleton fails as required.
"""
import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import junit  # noqa: E402
import labs  # noqa: E402

PY = "/usr/bin/python3"


def run_level(level, flavour, lab, results):
    """Run one level's tests of `lab` in `flavour`; returns the JUnit cases."""
    if level == "host":
        cmd = [PY, "tools/host-tests.py", "--flavour", flavour, "--lab", str(lab), "--results", results, "--no-asan"]
    else:
        cmd = [PY, f"tests/{level}/run.py", "--flavour", flavour, "--lab", str(lab),
               "--junit", os.path.join(results, f"{level}.xml"), "--json", os.path.join(results, f"{level}.json")]
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cases = []
    for f in sorted(os.listdir(results)):
        if f.endswith(".xml") and (f.startswith(level) or level == "host" and f.startswith("host-")):
            cases += [(f"{cls}.{name}".strip("."), not ok) for cls, name, ok, _ in junit.read(os.path.join(results, f))]
    return cases


def check_lab(lab):
    """Test cases (name, ok, message) for one lab."""
    n, flavour = lab["lab"], f"lab{lab['lab']}"
    allowed = set(lab.get("passes_on_skeleton", []))
    build = subprocess.run(["make", "--no-print-directory", f"FLAVOUR={flavour}", "all"], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if build.returncode != 0:
        return [(f"lab{n}.skeleton-builds", False, build.stdout[-2000:])]
    out = [(f"lab{n}.skeleton-builds", True, "")]
    levels = [("host", bool(lab.get("host_tests"))), ("kernel", bool(lab.get("kernel_tests"))),
              ("debugger", bool(lab.get("debugger_checks")))]
    for level, present in levels:
        if not present:
            continue
        with tempfile.TemporaryDirectory(dir=os.path.join(ROOT, "build")) as results:
            cases = run_level(level, flavour, n, results)
        passing = [name for name, failed in cases if not failed and name.split(".")[-1] not in allowed
                   and name not in allowed]
        if not cases:
            out.append((f"lab{n}.{level}-fails-on-skeleton", False, "no test ran"))
        elif passing:
            out.append((f"lab{n}.{level}-fails-on-skeleton", False,
                        f"{len(passing)} of {len(cases)} pass on the skeleton: " + ", ".join(passing[:10])))
        else:
            out.append((f"lab{n}.{level}-fails-on-skeleton", True, f"all {len(cases)} fail"))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab", type=int)
    ap.add_argument("--junit", default=os.path.join(ROOT, "build", "results", "skeletons.xml"))
    ap.add_argument("--fresh-only", action="store_true",
                    help="only check that labs/ is fresh (`make test`: tools/release-check.py proves the rest "
                         "on the release)")
    args = ap.parse_args()
    os.makedirs(os.path.dirname(args.junit), exist_ok=True)
    fresh = subprocess.run([PY, "tools/mkskeleton.py", "--all", "--check"], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    cases = [("skeletons-up-to-date", fresh.returncode == 0, fresh.stdout[-2000:])]
    for lab in [] if args.fresh_only else labs.student_labs():
        if args.lab is None or lab["lab"] == args.lab:
            cases += check_lab(lab)
    for name, ok, msg in cases:
        print(f"{'PASS' if ok else 'FAIL'} skeleton: {name}" + (f": {msg.strip().splitlines()[-1]}" if msg.strip() else ""))
    junit.write(args.junit, "skeletons", [("skeletons", name, ok, msg) for name, ok, msg in cases])
    sys.exit(0 if all(ok for _, ok, _ in cases) else 1)


if __name__ == "__main__":
    main()
