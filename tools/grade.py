#!/usr/bin/python3
"""grade.py: grade one lab of one tree (`make grade LAB=n`).

Builds the labN flavour (the lab from labs/, earlier labs from the reference:
solutions/ in the course tree, the prebuilt reference/ in the student release;
later labs from the pristine skeletons), runs the lab's host, kernel and debugger
tests, and scores them with the points of labs/manifest.json: kernel tests
and debugger checks carry their own points, the lab's "host_points" are
shared equally by its host tests. A kernel that hangs, triple-faults or
floods fails its test cleanly (the harness's budgets and limits) and the
grading goes on.

Writes, in --out (default build/grade/labN/):
  summary.txt    the human summary (also printed)
  results.json   Gradescope's format
  junit.xml      every test case of the three levels
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import buildlog  # noqa: E402
import junit  # noqa: E402
import labs  # noqa: E402

PY = "/usr/bin/python3"
SHOWN_LINES = 12   # lines of a failure shown in the summary; the rest is in the logs


def run(cmd, log):
    """Run a command in the tree, its output appended to `log`; return (exit code, output)."""
    p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with open(log, "a") as f:
        f.write(f"$ {' '.join(cmd)}\n{p.stdout}")
    return p.returncode, p.stdout


def host_cases(host_dir):
    """{test name: (passed, message)} from the host JUnit files; a test
    passes only if it passes in every binary (plain and ASan)."""
    cases = {}
    for path in sorted(glob.glob(os.path.join(host_dir, "*.xml"))):
        asan = os.path.basename(path).split("-")[2:3] == ["asan"]
        for cls, name, ok, message in junit.read(path):
            key = f"{cls.split('.', 1)[-1] if cls.startswith('host-') else cls}.{name}".strip(".")
            if ok and key in cases:
                continue
            cases[key] = (ok, (f"[with AddressSanitizer/UBSan] " if asan and not ok else "") + message)
    return cases


def grade(lab, out):
    """Run everything for `lab`; return the list of scored test dicts."""
    n, flavour = lab["lab"], f"lab{lab['lab']}"
    log = os.path.join(out, "log.txt")
    tests = []
    code, output = run(["make", "--no-print-directory", f"FLAVOUR={flavour}", "all"], log)
    if code != 0:
        total = lab.get("host_points", 0) + sum(t["points"] for t in lab["kernel_tests"] + lab["debugger_checks"])
        return [{"name": "build", "score": 0, "max_score": total, "status": "failed",
                 "output": "the kernel does not build; the first error:\n" + buildlog.first_error(output)}]

    if lab.get("host_tests"):
        host_dir = os.path.join(out, "host")
        os.makedirs(host_dir, exist_ok=True)
        run([PY, "tools/host-tests.py", "--flavour", flavour, "--lab", str(n), "--results", host_dir,
             "--asan"], log)
        cases = [(name, ok, message) for name, (ok, message) in host_cases(host_dir).items()]
        # Equal shares rounded to cents; the last case takes the rounding
        # remainder, so that the shares add up to host_points exactly.
        points = lab.get("host_points", 0)
        shares = [round(points / len(cases), 2)] * len(cases) if cases else []
        if shares:
            shares[-1] = round(points - sum(shares[:-1]), 2)
        for (name, ok, message), share in zip(cases, shares):
            tests.append({"name": f"host: {name}", "score": share if ok else 0,
                          "max_score": share, "status": "passed" if ok else "failed",
                          "output": message})
    for level, key in (("kernel", "kernel_tests"), ("debugger", "debugger_checks")):
        if not lab.get(key):
            continue
        json_path = os.path.join(out, f"{level}.json")
        run([PY, f"tests/{level}/run.py", "--flavour", flavour, "--lab", str(n), "-q",
             "--junit", os.path.join(out, f"{level}.xml"), "--json", json_path], log)
        results = json.load(open(json_path)) if os.path.exists(json_path) else []
        seen = {r["name"] for r in results}
        for r in results:
            tests.append({"name": f"{level}: {r['name']}", "score": r["points"] if r["passed"] else 0,
                          "max_score": r["points"], "status": "passed" if r["passed"] else "failed",
                          "output": r["reason"] + (f"\nreplay: {r['replay']}" if r.get("replay") else "")})
        for t in lab[key]:  # a runner that died reports nothing: those score 0
            if t["name"] not in seen:
                tests.append({"name": f"{level}: {t['name']}", "score": 0, "max_score": t["points"], "status": "failed",
                              "output": "no result (the runner failed: see log.txt)"})
    return tests


def write_outputs(lab, tests, out):
    """summary.txt, results.json, junit.xml; returns the summary text."""
    score = round(sum(t["score"] for t in tests), 2)
    max_score = round(sum(t["max_score"] for t in tests), 2)
    lines = [f"Lab {lab['lab']} ({lab['title']}): {score} / {max_score} points", ""]
    for t in tests:
        mark = "PASS" if t["status"] == "passed" else "FAIL"
        lines.append(f"  {mark} {t['score']:>6} / {t['max_score']:<6} {t['name']}")
        if mark == "FAIL" and t["output"]:
            shown = t["output"].splitlines()
            if len(shown) > SHOWN_LINES:
                shown = shown[:SHOWN_LINES] + [f"... ({len(shown) - SHOWN_LINES} more lines in log.txt and "
                                               "results.json)"]
            lines += ["           " + l for l in shown]
    passed = sum(1 for t in tests if t["status"] == "passed")
    lines += ["", f"{passed} passed, {len(tests) - passed} failed"]
    summary = "\n".join(lines) + "\n"
    open(os.path.join(out, "summary.txt"), "w").write(summary)
    json.dump({"score": score, "max_score": max_score, "tests": tests},
              open(os.path.join(out, "results.json"), "w"), indent=2)
    suite = f"lab{lab['lab']}"
    junit.write(os.path.join(out, "junit.xml"), suite,
                [(suite, t["name"], t["status"] == "passed", t["output"]) for t in tests])
    return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab", type=int, required=True)
    ap.add_argument("--out")
    args = ap.parse_args()
    lab = next((l for l in labs.student_labs() if l["lab"] == args.lab), None)
    if lab is None:
        sys.exit(f"grade.py: no lab {args.lab} with student code in labs/manifest.json")
    out = os.path.abspath(args.out or os.path.join(ROOT, "build", "grade", f"lab{args.lab}"))
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    sys.stdout.write(write_outputs(lab, grade(lab, out), out))
    print(f"results: {os.path.relpath(out, os.getcwd())}/(summary.txt, results.json, junit.xml)")


if __name__ == "__main__":
    main()
