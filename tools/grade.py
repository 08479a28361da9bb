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
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import buildlog  # noqa: E402
import junit  # noqa: E402
import labs  # noqa: E402
import sandbox  # noqa: E402

PY = "/usr/bin/python3"
SHOWN_LINES = 12   # lines of a failure shown in the summary; the rest is in the logs


# How commands run: directly in the tree (a student's own `make grade`), or,
# with --sandbox (grade-all, the Gradescope autograder), each step in a
# bubblewrap sandbox (tools/sandbox.py) that may write only what the step
# needs. The trust boundary is explained in README.md, "Grading".
SANDBOX = None  # {"uid": ...} when sandboxed


def run(cmd, log, writable=(), wall=1800, output=4 << 20, asan=False):
    """Run a command in the tree, its output appended to `log`; returns (exit code, output)."""
    with open(log, "a") as f:
        f.write(f"$ {' '.join(cmd)}\n")
        if SANDBOX is None:
            r = sandbox.run_capped(cmd, cwd=ROOT, wall=wall, output=output)
        else:
            limits = sandbox.Limits(wall=wall, output=output, cpu=int(wall), address_space_fallback=not asan)
            r = sandbox.run(cmd, tree=ROOT, writable=writable, cwd=ROOT, limits=limits, uid=SANDBOX["uid"],
                            env={"PYTHONDONTWRITEBYTECODE": "1"})
        f.write(r.output + (f"\n{r.stopped}\n" if r.stopped else "") + f"[{r.seconds:.1f} s]\n")
    return (r.code if not r.stopped else 124), r.output + r.stopped


def scratch(path):
    """An empty directory the sandboxed step may write."""
    if SANDBOX is None:
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
    else:
        sandbox.prepare_writable(path, SANDBOX["uid"])
    return path


def lab_points(lab):
    return lab.get("host_points", 0) + sum(t["points"] for t in lab["kernel_tests"] + lab["debugger_checks"])


def level_wall(tests):
    """Wall-clock limit of a kernel or debugger step: every run's own backstop, one after another."""
    return 120 + sum(t.get("timeout", 30 + t.get("budget", 2_000_000_000) / 10_000_000) for t in tests)


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
    """Build, check the lab-code policy, run everything for `lab`; return the list of scored test dicts."""
    n, flavour = lab["lab"], f"lab{lab['lab']}"
    log = os.path.join(out, "log.txt")
    build = os.path.join(ROOT, "build")
    work = os.path.join(build, flavour, "grade")
    host_dirs = labs.manifest_host_dirs(n)
    make = ["make", "--no-print-directory", f"FLAVOUR={flavour}"]
    # 1. The lab's own objects, kernel and host build, then the lab-code policy on them: a
    #    submission that breaks it costs no more. Only compilers run while build/ is writable:
    #    no student code executes in a step that can write.
    lab_objects = run([PY, "tools/lab-policy.py", "--lab", str(n), "--objects"], log)[1].split()
    compiled, output = run(make + ["-k"] + lab_objects, log, writable=[build])
    # The policy reads the lab's sources (includes) as well as its objects, so it
    # speaks even when the code does not compile (an include of a file it may not
    # use fails both ways: the policy's reason says what is wrong).
    code, policy = run([PY, "tools/lab-policy.py", "--lab", str(n)], log)
    if code != 0 and compiled != 0 and not any(l.startswith(f"lab {n} ") for l in policy.splitlines()):
        code = 0  # the policy only missed the objects that did not compile: report the compiler
    if compiled != 0 and code == 0:
        return [{"name": "build", "score": 0, "max_score": lab_points(lab), "status": "failed",
                 "output": f"lab {n}'s code does not compile; the first error:\n" + buildlog.first_error(output)}]
    if code != 0:
        reasons = [l for l in policy.splitlines() if l.startswith(f"lab {n} ")] or policy.splitlines()[-5:]
        return [{"name": "lab-code policy", "score": 0, "max_score": lab_points(lab), "status": "failed",
                 "output": "\n".join(reasons)}]
    # 2. Everything else: the kernel, the ISO, the host-test binaries.
    built, output = run(make + labs.grade_targets(n), log, writable=[build])
    if built != 0:
        return [{"name": "build", "score": 0, "max_score": lab_points(lab), "status": "failed",
                 "output": "the kernel does not build; the first error:\n" + buildlog.first_error(output)}]
    tests = []
    if lab.get("host_tests"):
        host_dir = scratch(os.path.join(work, "host"))
        run([PY, "tools/host-tests.py", "--flavour", flavour, "--lab", str(n), "--results", host_dir,
             "--asan", "--no-build"], log, writable=[host_dir], wall=360 * max(1, len(host_dirs)), asan=True)
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
        if not cases and points:
            tests.append({"name": "host: tests", "score": 0, "max_score": points, "status": "failed",
                          "output": "the host tests gave no result (see log.txt)"})
    for level, key in (("kernel", "kernel_tests"), ("debugger", "debugger_checks")):
        if not lab.get(key):
            continue
        results_dir = scratch(os.path.join(work, level))
        runs = os.path.join(build, flavour, "runs")
        os.makedirs(runs, exist_ok=True)
        if SANDBOX is not None:
            sandbox.prepare_writable(runs, SANDBOX["uid"])
        json_path = os.path.join(results_dir, f"{level}.json")
        run([PY, f"tests/{level}/run.py", "--flavour", flavour, "--lab", str(n), "-q",
             "--junit", os.path.join(results_dir, f"{level}.xml"), "--json", json_path], log,
            writable=[results_dir, runs], wall=level_wall(lab[key]))
        for name in (f"{level}.xml", f"{level}.json"):
            if os.path.exists(os.path.join(results_dir, name)):
                shutil.copyfile(os.path.join(results_dir, name), os.path.join(out, name))
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
    ap.add_argument("--sandbox", action="store_true",
                    help="run every step in a bubblewrap sandbox (grade-all and the autograder do)")
    ap.add_argument("--sandbox-uid", type=int, default=sandbox.DEFAULT_OUTSIDE_UID,
                    help="numeric uid the sandbox runs as outside (one per parallel grading slot)")
    args = ap.parse_args()
    lab = next((l for l in labs.student_labs() if l["lab"] == args.lab), None)
    if lab is None:
        sys.exit(f"grade.py: no lab {args.lab} with student code in labs/manifest.json")
    out = os.path.abspath(args.out or os.path.join(ROOT, "build", "grade", f"lab{args.lab}"))
    if args.sandbox:
        global SANDBOX
        missing = sandbox.available()
        if missing:
            sys.exit(f"grade.py: --sandbox: {missing}")
        SANDBOX = {"uid": args.sandbox_uid}
        sandbox.hand_over(os.path.join(ROOT, "build"), args.sandbox_uid)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    sys.stdout.write(write_outputs(lab, grade(lab, out), out))
    print(f"results: {os.path.relpath(out, os.getcwd())}/(summary.txt, results.json, junit.xml)")


if __name__ == "__main__":
    main()
