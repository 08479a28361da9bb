#!/usr/bin/python3
"""Grading self-test: the attacks on the grader (issue 10), each a case.

    tests/grading/run.py [--junit build/results/grading.xml] [--only NAME]

A class of lab-3 submissions (the reference and one per cheat) is graded
with tools/grade-all.py -j 2: the reference must score full marks beside
the cheats, and every cheat 0 with its reason. The sandbox's own promises
(processes end with the run, output and time caps, a read-only tree, no
network, nothing of the host in sight) are checked on tools/sandbox.py
directly, a SIGTERM to grade-all must leave no process and no temporary
tree, and the Gradescope bundle (make autograder) is unpacked under a
simulated /autograder root and grades the reference (full marks) and the
skeleton (0, with reasons). Needs solutions/ (not in the student release)
and root or unprivileged user namespaces. Prints PASS/FAIL per case.
"""
import argparse
import csv
import json
import os
import socket
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import junit  # noqa: E402
import sandbox  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cheats import CHEATS, LAB, make_class  # noqa: E402

PY = "/usr/bin/python3"
CLASS_UIDS = 61900          # the class run's slots: 61900, 61901
SIGTERM_UIDS = 61950
SANDBOX_UID = 61990         # the sandbox cases

def processes_of(uids):
    """PIDs of processes whose real uid is in `uids` (the grading slots)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("Uid:") and int(line.split()[1]) in uids:
                    found.append(int(pid))
        except OSError:
            pass
    return found


def describe_processes(pids):
    """'pid: command line' of each process, for a failure message."""
    def cmdline(pid):
        try:
            return open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")[:120]
        except OSError:
            return "(gone)"
    return "; ".join(f"{pid}: {cmdline(pid)}" for pid in pids)


def left_running(uids, grace=10.0):
    """Processes of `uids` still there after `grace` seconds (a killed namespace takes a moment,
    several seconds on a loaded 2-core machine: CI once saw a slot's processes still exiting at 3 s)."""
    deadline = time.monotonic() + grace
    while processes_of(uids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return processes_of(uids)


class Check:
    """One case's verdict: collects failed expectations."""

    def __init__(self):
        self.problems = []

    def expect(self, cond, message):
        if not cond:
            self.problems.append(message)


# -- the class run: reference beside every cheat --------------------------------

def class_run(work):
    base = os.path.join(work, "class")
    subs = make_class(base)
    out = os.path.join(work, "class-out")
    env = dict(os.environ, TMPDIR=os.path.join(work, "tmp"))
    os.makedirs(env["TMPDIR"])
    start = time.monotonic()
    p = subprocess.run([PY, os.path.join(ROOT, "tools", "grade-all.py"), "--lab", str(LAB), "-j", "2",
                        "--out", out, "--uid-base", str(CLASS_UIDS)] + subs,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    rows = {r["submission"]: r for r in csv.DictReader(open(os.path.join(out, "scores.csv")))} \
        if os.path.exists(os.path.join(out, "scores.csv")) else {}
    return {"out": out, "rows": rows, "log": p.stdout, "code": p.returncode, "tmp": env["TMPDIR"],
            "seconds": time.monotonic() - start}


def case_reference_untouched(ctx):
    """The reference, graded beside every cheat, scores full marks."""
    c, run = Check(), ctx["class"]
    row = run["rows"].get("reference")
    c.expect(row is not None, f"no row for the reference; grade-all said:\n{run['log'][-2000:]}")
    if row:
        c.expect(float(row["score"]) == float(row["max_score"]) > 0,
                 f"reference scored {row['score']} / {row['max_score']}: {row['reasons']}")
    return c


def cheat_case(name, reason):
    def case(ctx):
        """This cheat scores 0 for the lab with its reason in the results."""
        c, run = Check(), ctx["class"]
        row = run["rows"].get(name)
        c.expect(row is not None, f"no row for {name}")
        if row:
            c.expect(float(row["score"]) == 0, f"{name} scored {row['score']}")
            results = json.load(open(os.path.join(run["out"], name, "results.json")))
            shown = "\n".join(t["output"] for t in results["tests"])
            c.expect(reason in shown, f"reason '{reason}' not in the results: {shown[:500]}")
        return c
    case.__doc__ = f"cheat '{name}' scores 0 with the reason '{reason}'"
    return case


def case_class_cleanup(ctx):
    """After the class run: no process of a grading slot, no temporary tree, a class report."""
    c, run = Check(), ctx["class"]
    c.expect(run["code"] == 0, f"grade-all exited {run['code']}")
    left = left_running({CLASS_UIDS, CLASS_UIDS + 1})
    c.expect(not left, "processes of the grading slots are left: " + describe_processes(left))
    c.expect(os.listdir(run["tmp"]) == [], f"left in TMPDIR: {os.listdir(run['tmp'])}")
    report = open(os.path.join(run["out"], "report.md")).read() if os.path.exists(
        os.path.join(run["out"], "report.md")) else ""
    c.expect("| kernel: fault-demand-zero |" in report, "report.md has no per-test table")
    c.expect("| host: ZeroFill | " in report, "report.md has no per-part table")
    c.expect("forged-verdicts** (policy)" in report, "report.md does not list the policy violations")
    c.expect(os.path.getsize(os.path.join(run["out"], "failures.png")) > 1000
             if os.path.exists(os.path.join(run["out"], "failures.png")) else False, "no failures.png")
    return c


# -- make grade: the students' own grading runs the same policy -------------------

def case_make_grade_policy(ctx):
    """`make grade LAB=3` (no sandbox, the student's own machine) refuses forged-verdicts too."""
    c, work = Check(), ctx["scratch"]()
    tree = os.path.join(work, "tree")
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, stdout=subprocess.PIPE)
    names = [n for n in listing.stdout.decode().split("\0") if n] if listing.returncode == 0 else []
    if names:
        for name in names:
            if os.path.lexists(os.path.join(ROOT, name)):
                os.makedirs(os.path.dirname(os.path.join(tree, name)), exist_ok=True)
                shutil.copy2(os.path.join(ROOT, name), os.path.join(tree, name), follow_symlinks=False)
    else:
        shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns("build", ".git"), symlinks=True)
    cheat = next(text for name, text, _ in CHEATS if name == "forged-verdicts")
    open(os.path.join(tree, "labs", f"lab{LAB}", "fault.cpp"), "w").write(cheat)
    p = subprocess.run(["make", "--no-print-directory", "grade", f"LAB={LAB}"], cwd=tree,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    c.expect("calls cmdline::get, which lab code may not use" in p.stdout,
             f"make grade did not show the policy reason:\n{p.stdout[-1500:]}")
    c.expect(f"Lab {LAB} " in p.stdout and ": 0 / " in p.stdout, f"not 0 points:\n{p.stdout[-800:]}")
    return c


# -- the sandbox's promises -----------------------------------------------------

def sandboxed(argv, work, **limits):
    return sandbox.run(argv, tree=ROOT, writable=[work], uid=SANDBOX_UID,
                       limits=sandbox.Limits(**limits) if limits else None)


def case_background_process_ends(ctx):
    """A process a sandboxed command leaves behind dies with the run and writes nothing later."""
    c, work = Check(), ctx["scratch"]()
    r = sandboxed(["/bin/sh", "-c", f"(sleep 2; touch {work}/late) & echo started"], work, wall=20)
    c.expect(r.output.strip() == "started", f"output: {r.output!r}")
    c.expect(r.seconds < 2, f"the run waited {r.seconds:.1f} s for its background process")
    c.expect(not left_running({SANDBOX_UID}), "a process of the sandbox is still running")
    time.sleep(2.5)
    c.expect(not os.path.exists(os.path.join(work, "late")), "the background process wrote after the run")
    return c


def case_output_cap(ctx):
    """1 GiB on stdout: the run is stopped at the output cap and the harness's memory stays small."""
    c, work = Check(), ctx["scratch"]()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    r = sandboxed(["/bin/sh", "-c", "head -c 1073741824 /dev/zero"], work, output=2 << 20)
    r2 = sandbox.run_capped(["/bin/sh", "-c", "head -c 1073741824 /dev/zero"], wall=60, output=2 << 20)
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    c.expect("output over" in r.stopped and len(r.output) <= 2 << 20, f"sandboxed: {r.stopped!r}")
    c.expect("output over" in r2.stopped and len(r2.output) <= 2 << 20, f"host-test runner: {r2.stopped!r}")
    c.expect(grown < 64, f"the harness grew by {grown:.0f} MiB")
    return c


def case_wall_clock(ctx):
    """A command that never ends is stopped at the wall-clock limit, every process with it."""
    c, work = Check(), ctx["scratch"]()
    r = sandboxed(["/bin/sh", "-c", "sleep 60 & sleep 60"], work, wall=2)
    c.expect("wall-clock" in r.stopped and r.seconds < 5, f"stopped={r.stopped!r} after {r.seconds:.1f} s")
    c.expect(not left_running({SANDBOX_UID}), "a process of the sandbox is still running")
    return c


def case_isolation(ctx):
    """Read-only course tree, nothing else of the host (not the tree's neighbours, /root, /home,
    /etc/shadow), no network (not even the host's loopback), an unprivileged user.

    The neighbour is a marker directory made beside the tree for this case, so the check holds
    wherever the tree is (CI clones it under /tmp, where the sandbox's own /tmp also lives); the
    network probe connects only to a listener on the host's 127.0.0.1, never off the machine."""
    c, work = Check(), ctx["scratch"]()
    sibling = os.path.join(os.path.dirname(ROOT), f".vmkit-sibling-probe-{os.getpid()}")
    os.makedirs(sibling, exist_ok=True)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    probe = f"""
import os, socket
def attempt(f):
    try:
        f(); return "yes"
    except OSError:
        return "no"
print("uid", os.getuid())
print("write-tree", attempt(lambda: open("{ROOT}/tests/debugger/checks/fault_zero_fill.py", "a")))
print("write-scratch", attempt(lambda: open("{work}/x", "w")))
for path in ("/root", "/home", "/etc/shadow", "/var/log"):
    print("sees", path, os.path.exists(path))
print("tree-siblings", os.path.exists("{sibling}"))
print("network", attempt(lambda: socket.create_connection(("127.0.0.1", {port}), timeout=2)))
"""
    try:
        reach = socket.create_connection(("127.0.0.1", port), timeout=2)  # the listener works from the host
        reach.close()
        r = sandboxed([PY, "-c", probe], work, wall=30)
    finally:
        listener.close()
        os.rmdir(sibling)
    lines = set(r.output.splitlines())
    for want in ("uid 65534", "write-tree no", "write-scratch yes", "tree-siblings False", "sees /root False",
                 "sees /home False", "sees /etc/shadow False", "sees /var/log False", "network no"):
        c.expect(want in lines, f"expected '{want}', got:\n{r.output}")
    return c


def case_limits(ctx):
    """The process, file-size and CPU limits are in force inside; memory and processes are
    capped for the sandbox as a whole (an allocation or a fork over the cap fails)."""
    c, work = Check(), ctx["scratch"]()
    limits = sandbox.Limits()
    r = sandboxed(["/bin/cat", "/proc/self/limits"], work, wall=30)
    rows = {l[:26].strip(): l[26:].split() for l in r.output.splitlines()[1:]}
    for name, value in (("Max processes", limits.processes), ("Max file size", limits.file_size),
                        ("Max cpu time", limits.cpu)):
        c.expect(rows.get(name, ["?"])[0] == str(value), f"{name}: {rows.get(name)} (want {value})")
    r = sandboxed([PY, "-c", "b = bytearray(256 << 20); print('allocated', len(b))"], work, wall=30,
                  memory=64 << 20)
    c.expect("allocated" not in r.output and r.code != 0, f"256 MiB under a 64 MiB cap: {r}")
    r = sandboxed(["/bin/sh", "-c", "for i in $(seq 60); do sleep 3 & done; wait; echo all-started"], work,
                  wall=30, processes=20)
    c.expect("all-started" not in r.output and "fork" in r.output.lower(),
             f"60 processes under a cap of 20: {r.output[-300:]!r}")
    c.expect(not left_running({SANDBOX_UID}), "a process of the sandbox is still running")
    return c


# -- SIGTERM to grade-all ------------------------------------------------------

def case_sigterm(ctx):
    """SIGTERM to grade-all while a sandbox runs: no process and no temporary tree are left."""
    c, work = Check(), ctx["scratch"]()
    sub = os.path.join(work, "student")
    os.makedirs(sub)
    shutil.copy(os.path.join(ROOT, "solutions", f"lab{LAB}", "fault.cpp"), sub)
    tmp = os.path.join(work, "tmp")
    os.makedirs(tmp)
    p = subprocess.Popen([PY, os.path.join(ROOT, "tools", "grade-all.py"), "--lab", str(LAB), "-j", "1",
                          "--out", os.path.join(work, "out"), "--uid-base", str(SIGTERM_UIDS), sub],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ, TMPDIR=tmp))
    deadline = time.monotonic() + 120
    while not processes_of({SIGTERM_UIDS}) and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.1)
    c.expect(bool(processes_of({SIGTERM_UIDS})), "no sandbox started within 120 s")
    p.send_signal(signal.SIGTERM)
    try:
        out = p.communicate(timeout=30)[0].decode(errors="replace")
    except subprocess.TimeoutExpired:
        p.kill()
        out = "grade-all did not exit within 30 s of SIGTERM"
    time.sleep(0.5)
    c.expect(p.returncode != 0, f"grade-all exited {p.returncode}: {out[-500:]}")
    c.expect(not left_running({SIGTERM_UIDS}), "processes of the grading slot are left")
    c.expect(os.listdir(tmp) == [], f"left in TMPDIR: {os.listdir(tmp)}")
    return c


# -- the Gradescope bundle -------------------------------------------------------

def unpack_bundle(zip_path, root):
    """Unpack like Gradescope: the zip's content in root/source (file modes kept)."""
    source = os.path.join(root, "source")
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            path = z.extract(info, source)
            mode = info.external_attr >> 16
            if mode:
                os.chmod(path, mode & 0o777)
    os.makedirs(os.path.join(root, "submission"))
    os.makedirs(os.path.join(root, "results"))
    return source


def gradescope_runs(work):
    """make autograder LAB=3, then the reference and the skeleton graded in two simulated roots."""
    zip_path = os.path.join(work, "autograder.zip")
    p = subprocess.run([os.path.join(ROOT, "tools", "autograder", "make-bundle.sh"), str(LAB), zip_path],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        return {"error": p.stdout}
    runs = {}

    def one(kind, source_file, uid_base):
        root = os.path.join(work, f"autograder-{kind}")
        source = unpack_bundle(zip_path, root)
        setup = subprocess.run([os.path.join(source, "setup.sh")], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        if kind == "reference":
            # An image built on a machine whose clock ran ahead: the prepared
            # objects are a day newer than anything submitted now. The
            # reference must still be compiled, and score full marks.
            future = time.time() + 86400
            for top, dirs, files in os.walk(os.path.join(source, "prepared")):
                for name in dirs + files:
                    os.utime(os.path.join(top, name), (future, future), follow_symlinks=False)
        shutil.copy(source_file, os.path.join(root, "submission", "fault.cpp"))
        env = dict(os.environ, AUTOGRADER_ROOT=root, AUTOGRADER_UID_BASE=str(uid_base))
        r = subprocess.run([os.path.join(source, "run_autograder")], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, env=env)
        path = os.path.join(root, "results", "results.json")
        runs[kind] = {"setup": setup, "run": r, "results": json.load(open(path)) if os.path.exists(path) else None}

    threads = [threading.Thread(target=one, args=("reference", os.path.join(ROOT, "solutions", f"lab{LAB}", "fault.cpp"), 61920)),
               threading.Thread(target=one, args=("skeleton", os.path.join(ROOT, "labs", f"lab{LAB}", "fault.cpp"), 61930))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return runs


def gradescope_case(kind):
    def case(ctx):
        c, runs = Check(), ctx["gradescope"]
        c.expect("error" not in runs, f"make autograder failed: {runs.get('error', '')[-1000:]}")
        run = runs.get(kind)
        if not run:
            return c
        c.expect(run["setup"].returncode == 0, f"setup.sh failed: {run['setup'].stdout[-1000:]}")
        res = run["results"]
        c.expect(res is not None, f"no results.json: {run['run'].stdout[-1500:]}")
        if not res:
            return c
        total = round(sum(t["max_score"] for t in res["tests"]), 2)
        c.expect(all(t.get("visibility") == "visible" and "output" in t for t in res["tests"]),
                 "a test without output or visibility")
        if kind == "reference":
            c.expect(res["score"] == total > 0, f"reference scored {res['score']} / {total}")
        else:
            c.expect(res["score"] == 0 and total > 0, f"skeleton scored {res['score']} / {total}")
            silent = [t["name"] for t in res["tests"] if t["max_score"] and not t["output"].strip()]
            c.expect(not silent, f"failed tests without a reason: {silent[:5]}")
            c.expect(any("not implemented" in t["output"] for t in res["tests"]),
                     "no 'not implemented' reason shown")
        return c
    case.__doc__ = (f"Gradescope bundle under a simulated /autograder: the {kind} scores "
                    + ("full marks, though setup.sh's prebuilt objects are dated a day ahead"
                       if kind == "reference" else "0 with reasons"))
    return case


CASES = [("reference-untouched-by-cheats", "class", case_reference_untouched)] + \
    [(f"cheat-{name}", "class", cheat_case(name, reason)) for name, _, reason in CHEATS] + \
    [("class-run-cleans-up", "class", case_class_cleanup),
     ("make-grade-runs-the-policy", None, case_make_grade_policy),
     ("sandbox-background-process-ends", None, case_background_process_ends),
     ("sandbox-output-cap", None, case_output_cap),
     ("sandbox-wall-clock", None, case_wall_clock),
     ("sandbox-isolation", None, case_isolation),
     ("sandbox-limits", None, case_limits),
     ("grade-all-sigterm-cleans-up", None, case_sigterm),
     ("gradescope-reference-full-marks", "gradescope", gradescope_case("reference")),
     ("gradescope-skeleton-zero-with-reasons", "gradescope", gradescope_case("skeleton"))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--junit", default=os.path.join(ROOT, "build", "results", "grading.xml"))
    ap.add_argument("--only", action="append", default=[], help="run only cases whose name has this text")
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(ROOT, "solutions")):
        print("grading self-test: no solutions/ in this tree (student release): skipped")
        return 0
    if os.geteuid() != 0:
        # The cases tell a slot's processes by their uid outside, which only root can choose.
        print("grading self-test: needs root (each grading slot's sandbox runs as its own uid): skipped")
        return 0
    missing = sandbox.available()
    cases = [c for c in CASES if not args.only or any(o in c[0] for o in args.only)]
    work = tempfile.mkdtemp(prefix="grading-selftest-")
    sandbox.make_readable(work)
    counter = iter(range(1000))

    def scratch():
        path = os.path.join(work, f"scratch{next(counter)}")
        sandbox.prepare_writable(path, SANDBOX_UID)
        return path

    ctx = {"scratch": scratch}
    results = []
    start = time.monotonic()
    try:
        for name, needs, fn in cases:
            if missing:
                problems = [f"the sandbox cannot run here: {missing}"]
            else:
                if needs == "class" and "class" not in ctx:
                    ctx["class"] = class_run(work)
                if needs == "gradescope" and "gradescope" not in ctx:
                    ctx["gradescope"] = gradescope_runs(work)
                try:
                    problems = fn(ctx).problems
                except Exception as e:  # a broken case is a failed case, with its error
                    problems = [f"{type(e).__name__}: {e}"]
            results.append(("grading", name, not problems, "\n".join(problems)))
            print(f"PASS {name}" if not problems else f"FAIL {name}: " + "\n    ".join(problems), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if "class" in ctx:
        print(f"class run: {len(ctx['class']['rows'])} submissions in {ctx['class']['seconds']:.0f} s (-j 2)")
    os.makedirs(os.path.dirname(args.junit), exist_ok=True)
    junit.write(args.junit, "grading", results)
    failed = sum(1 for r in results if not r[2])
    print(f"grading self-test: {len(results) - failed} passed, {failed} failed, {time.monotonic() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
