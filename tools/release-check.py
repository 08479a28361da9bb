#!/usr/bin/python3
"""release-check.py: prove that the student release works on its own (part
of `make test`, as `make test-release`).

On the real artefact: builds `tools/release.sh`'s tarball, unpacks it into a
temporary directory and checks, one JUnit case each:
  1. contents: no solution source (no solutions/, no solution marker, no
     copy of a solution file), a directory of mode 0755, a git repository
     with one commit and a clean status, the student README (no maintainer
     material), the prebuilt reference/ of every lab;
  2. skeleton-labN: `make grade LAB=n` on the untouched skeletons builds and
     scores below full marks, with "not implemented" reasons, and every one
     of lab n's tests fails there except those the manifest lists in the
     lab's "passes_on_skeleton" (the rule of tools/skeleton-check.py, which
     `make test` therefore runs only for the freshness of labs/);
  3. reference-labN: with only lab n's reference files copied into
     labs/labN/ (every other lab still a skeleton), `make grade LAB=n` gives
     full marks. Steps 2 and 3 run two grades at a time, each in its own
     copy of the tree, after one build of every flavour ("prebuild"),
     beside step 4 in a third copy;
  4. docs: every command that the student README and the handouts show
     (code blocks and inline `make ...`) runs and succeeds in the release
     with every lab done (the reference copied into labs/). `make test` is run
     as `make test LAB=2`, each `make test-kernel LAB=n` and `make
     test-debugger LAB=n` for one test of lab n (the grade steps ran them
     all), `make test-debugger` whole (the shell's cases too: a finished
     student tree must pass them), and `make debug` gets `q` on its input
     (see REPLACED).

  release-check.py [--lab N] [--no-docs] [--keep DIR] [--junit FILE]
"""
import argparse
import glob
import json
import os
import queue
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import junit  # noqa: E402
import labs  # noqa: E402

DOCS = ["README.md", "handouts/*.md"]          # in the release tree
COMMAND_TIMEOUT = 300                          # wall seconds for one documented command
GRADE_JOBS = 2                                 # grades at once, each in its own copy of the tree
# Placeholders of the documentation, and what the check puts in their place.
PLACEHOLDERS = [(r"\bLAB=n\b", "LAB=3"), (r"\bLAB=N\b", "LAB=3"), (r"ONLY=Group\.Name", "ONLY=ZeroFill"),
                (r"ONLY=name\b", "ONLY=fault-demand-zero")]
# Commands that are run in another form, and why:
# - the whole suite (`make test`, `make test-host`, `make test-kernel` without
#   LAB=) is `make test` itself, this check's caller: here it runs for lab 2
#   (`make test-debugger` runs whole: it is short, and its shell cases are
#   not in any grade);
# - `make test-kernel LAB=n` and `make test-debugger LAB=n` run every test of
#   lab n, which the grade steps above ran already: here one test (ONLY=)
#   shows that the command works;
# - `make debug` is interactive: it gets `q` on its input.
REPLACED = [(r"make test(-host|-kernel)?$", r"make test\1 LAB=2")]
# Commands that the grade steps above run already, in the same tree.
COVERED = re.compile(r"^make grade LAB=\d$")


def sh(cmd, cwd, timeout=COMMAND_TIMEOUT):
    """Run a shell command; returns (exit code or "timeout", output)."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy")
    try:
        p = subprocess.run(["bash", "-c", cmd], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=timeout, env=env, start_new_session=True)
        return p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return "timeout", out


def tail(text, n=15):
    """The last n lines of a text."""
    return "\n".join(text.strip().splitlines()[-n:])


def solution_files():
    """{path relative to solutions/: text} of every solution source."""
    out = {}
    for lab in labs.student_labs():
        for s in lab["sources"]:
            rel = f"lab{lab['lab']}/{s}"
            out[rel] = open(os.path.join(ROOT, "solutions", rel)).read()
    return out


def check_contents(tree):
    """Problems with what the release holds (empty list: none)."""
    problems = []
    if os.path.exists(os.path.join(tree, "solutions")):
        problems.append("solutions/ is in the release")
    solutions = set(solution_files().values())
    for path in glob.glob(os.path.join(tree, "**", "*"), recursive=True):
        if "/.git/" in path or not os.path.isfile(path):
            continue
        try:
            text = open(path, errors="strict").read()
        except UnicodeDecodeError:
            continue
        rel = os.path.relpath(path, tree)
        if "@solution-" + "begin" in text and not rel.startswith("tools/"):
            problems.append(f"{rel} holds a solution marker")
        if text in solutions:
            problems.append(f"{rel} is a copy of a solution file")
    mode = stat.S_IMODE(os.stat(tree).st_mode)
    if mode != 0o755:
        problems.append(f"the top directory has mode {mode:o}, not 755")
    code, log = sh("git log --format=%s", tree)
    if code != 0 or len(log.splitlines()) != 1:
        problems.append(f"not a git repository with one commit: {tail(log, 3)}")
    code, status = sh("git status --porcelain", tree)
    if code != 0 or status.strip():
        problems.append(f"git status is not clean: {tail(status, 5)}")
    readme = open(os.path.join(tree, "README.md")).read()
    for word in ("make skeletons", "solutions/", "@solution"):
        if word in readme:
            problems.append(f"README.md speaks of `{word}` (maintainer material)")
    for lab in labs.student_labs():
        for s in lab["sources"]:
            n, stem = lab["lab"], s[:-4]
            for need in (f"reference/kernel/lab{n}/{stem}.o", f"reference/host/lab{n}/{stem}.o",
                         f"reference/host-asan/lab{n}/{stem}.o", f"reference/skeletons/lab{n}/{s}"):
                if not os.path.isfile(os.path.join(tree, need)):
                    problems.append(f"{need} is missing")
    return problems


def grade(tree, n):
    """`make grade LAB=n` in the tree: (results dict or None, output)."""
    code, out = sh(f"make grade LAB={n}", tree, timeout=1200)
    path = os.path.join(tree, "build", "grade", f"lab{n}", "results.json")
    if code != 0 or not os.path.exists(path):
        return None, out
    return json.load(open(path)), out


def check_skeleton(tree, n):
    """Lab n on its skeleton: builds, below full marks, "not implemented" reasons."""
    results, out = grade(tree, n)
    if results is None:
        return f"`make grade LAB={n}` failed:\n{tail(out)}"
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    if any(t["name"] == "build" for t in failed):
        return f"the skeleton does not build:\n{failed[0]['output']}"
    if results["score"] >= results["max_score"]:
        return f"the skeleton scores full marks ({results['score']} / {results['max_score']})"
    allowed = set(next(l for l in labs.student_labs() if l["lab"] == n).get("passes_on_skeleton", []))
    passing = [t["name"] for t in results["tests"] if t["status"] != "failed"
               and t["name"].split(": ", 1)[-1] not in allowed
               and t["name"].split(": ", 1)[-1].split(".")[-1] not in allowed]
    if passing:
        return f"{len(passing)} tests pass on the skeleton: " + ", ".join(passing[:10])
    if not any("not implemented" in t["output"] for t in failed):
        return "no failed test says \"not implemented\":\n" + "\n".join(
            f"{t['name']}: {t['output'].splitlines()[0] if t['output'] else ''}" for t in failed[:10])
    return None


def check_reference(tree, n):
    """Lab n from its reference files only: full marks."""
    lab = next(l for l in labs.student_labs() if l["lab"] == n)
    for s in lab["sources"]:
        shutil.copy(os.path.join(ROOT, "solutions", f"lab{n}", s), os.path.join(tree, "labs", f"lab{n}", s))
    try:
        _, status = sh("git status --porcelain", tree)
        others = [l for l in status.splitlines() if not l[3:].startswith(f"labs/lab{n}/")]
        if others:
            return "more than lab n's files changed:\n" + "\n".join(others)
        results, out = grade(tree, n)
        if results is None:
            return f"`make grade LAB={n}` failed:\n{tail(out)}"
        if results["score"] != results["max_score"]:
            summary = open(os.path.join(tree, "build", "grade", f"lab{n}", "summary.txt")).read()
            return f"{results['score']} / {results['max_score']} with the reference:\n{tail(summary, 30)}"
        return None
    finally:
        sh("git checkout -- labs", tree)


def prebuild(tree, chosen):
    """Build every flavour the grades below use, once, from the unpacked
    release: the shared objects compile in one parallel make; each later
    flavour only links. Returns a problem or None."""
    for n in chosen:
        code, out = sh(f"make --no-print-directory FLAVOUR=lab{n} " + " ".join(labs.grade_targets(n)), tree)
        if code != 0:
            return f"the release does not build lab {n}'s flavour:\n{tail(out)}"
    return None


def grade_in_parallel(tree, chosen, record):
    """The skeleton-labN and reference-labN grades, GRADE_JOBS at a time, each
    in a tree of its own (copies of the prebuilt `tree`: a reference grade
    changes labs/labN/ while it runs). The longest grades start first."""
    trees = queue.Queue()
    trees.put(tree)
    for i in range(1, GRADE_JOBS):
        copy = f"{tree}-{i}"
        shutil.rmtree(copy, ignore_errors=True)
        subprocess.run(["cp", "-a", tree, copy], check=True)
        trees.put(copy)
    order = {5: 0, 1: 1, 6: 2}  # the labs with the longest kernel tests
    tasks = [(check_reference, "reference", n) for n in chosen] + [(check_skeleton, "skeleton", n) for n in chosen]
    tasks.sort(key=lambda t: (t[1] != "reference", order.get(t[2], 9), t[2]))

    def one(task):
        check, kind, n = task
        where = trees.get()
        try:
            started = time.monotonic()
            record(f"{kind}-lab{n}", check(where, n), time.monotonic() - started)
        finally:
            trees.put(where)

    with ThreadPoolExecutor(max_workers=GRADE_JOBS) as pool:
        list(pool.map(one, tasks))
    for i in range(1, GRADE_JOBS):
        shutil.rmtree(f"{tree}-{i}", ignore_errors=True)


def first_case(level, n):
    """The name of lab n's first kernel test or debugger check."""
    key = {"test-kernel": "kernel_tests", "test-debugger": "debugger_checks"}[level]
    lab = next(l for l in labs.manifest()["labs"] if l["lab"] == n)
    return lab[key][0]["name"]


def normal_form(cmd):
    """A command with its make words sorted and the release's default
    flavour dropped: `make test-host LAB=1 FLAVOUR=student` is
    `make FLAVOUR=student test-host LAB=1`."""
    cmd = re.sub(r"^tools/setup\.sh && ", "", cmd)
    head, _, last = cmd.rpartition("make ")
    words = sorted(w for w in re.findall(r"(?:[^\s']+|'[^']*')+", last) if w != "FLAVOUR=student")
    return head + "make " + " ".join(words)


def documented_commands(tree):
    """Every command the student README and the handouts show, placeholders
    filled in, in order of first appearance."""
    seen, keys = [], set()
    for pattern in DOCS:
        for path in sorted(glob.glob(os.path.join(tree, pattern))):
            text = open(path).read()
            blocks = re.findall(r"```(?:sh|console|bash)?\n(.*?)```", text, re.S)
            lines = [l for b in blocks for l in b.splitlines()]
            lines += re.findall(r"`((?:make|tools/setup\.sh|tools/doctor\.sh)(?: [^`]*)?)`", text)
            for line in lines:
                cmd = re.sub(r"\s+#.*$", "", line.strip())
                cmd = re.sub(r"^\$ ", "", cmd)
                if not re.match(r"(make( |$)|tools/\S+\.sh\b|printf .*\| make )", cmd) or "..." in cmd:
                    continue
                for placeholder, value in PLACEHOLDERS:
                    cmd = re.sub(placeholder, value, cmd)
                for pattern, value in REPLACED:
                    cmd = re.sub(pattern, value, cmd)
                level = re.match(r"make (?:\S+=\S+ )*(test-kernel|test-debugger)( .*)?$", cmd)
                lab_n = re.search(r"\bLAB=(\d+)", cmd)
                if level and lab_n and "ONLY=" not in cmd:
                    cmd += f" ONLY={first_case(level.group(1), int(lab_n.group(1)))}"
                if re.match(r"make debug\b", cmd):
                    cmd = "printf 'q\\n' | " + cmd
                key = normal_form(cmd)
                if not COVERED.match(cmd) and key not in keys:
                    keys.add(key)
                    seen.append(cmd)
    return seen


def check_docs(tree):
    """(command, problem or None, seconds) for each documented command, with every lab done."""
    for lab in labs.student_labs():
        for s in lab["sources"]:
            shutil.copy(os.path.join(ROOT, "solutions", f"lab{lab['lab']}", s),
                        os.path.join(tree, "labs", f"lab{lab['lab']}", s))
    try:
        for cmd in documented_commands(tree):
            started = time.monotonic()
            code, log = sh(cmd, tree)
            problem = None if code == 0 else f"exit {code}:\n{tail(log)}"
            yield cmd, problem, time.monotonic() - started
            leftover = subprocess.run(["pgrep", "-f", f"bochs.*{tree}"], stdout=subprocess.PIPE, text=True).stdout
            if leftover.strip():
                yield f"{cmd} (clean-up)", f"left Bochs running: {leftover.strip()}", 0
    finally:
        sh("git checkout -- labs", tree)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab", type=int, action="append", help="only these labs (repeatable)")
    ap.add_argument("--no-docs", action="store_true", help="skip the documented commands")
    ap.add_argument("--keep", help="unpack into this directory (emptied first) and keep it")
    ap.add_argument("--junit", default=os.path.join(ROOT, "build", "results", "release.xml"))
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(ROOT, "solutions")):
        print("release-check: no solutions/ in this tree (student release): skipped")
        return 0
    os.makedirs(os.path.dirname(os.path.abspath(args.junit)), exist_ok=True)
    work = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="vmkit-release-")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    cases = []

    def record(name, problem, seconds=None):
        cost = f" [{seconds:.0f} s]" if seconds is not None else ""
        print(f"{'PASS' if problem is None else 'FAIL'} release: {name}{cost}" +
              ("" if problem is None else "\n    " + problem.replace("\n", "\n    ")), flush=True)
        cases.append(("release", name, problem is None, problem or ""))

    try:
        tarball = os.path.join(work, "vmkit-student.tar.gz")
        code, out = sh(f"tools/release.sh {tarball}", ROOT)
        record("builds", None if code == 0 else f"tools/release.sh failed:\n{tail(out)}")
        if code == 0:
            subprocess.run(["tar", "-C", work, "-xzf", tarball], check=True)
            tree = os.path.join(work, "vmkit")
            problems = check_contents(tree)
            record("contents", "\n".join(problems) if problems else None)
            chosen = [l["lab"] for l in labs.student_labs() if not args.lab or l["lab"] in args.lab]
            started = time.monotonic()
            record("prebuild", prebuild(tree, chosen), time.monotonic() - started)
            # The documented commands run one after another in a copy of
            # their own, beside the grades.
            docs = None
            if not args.no_docs:
                docs_tree = f"{tree}-docs"
                subprocess.run(["cp", "-a", tree, docs_tree], check=True)

                def run_docs():
                    for cmd, problem, seconds in check_docs(docs_tree):
                        record(f"docs: {cmd}", problem, seconds)
                docs = threading.Thread(target=run_docs)
                docs.start()
            try:
                grade_in_parallel(tree, chosen, record)
            finally:
                if docs:
                    docs.join()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    junit.write(args.junit, "release", cases)
    failed = sum(not ok for _, _, ok, _ in cases)
    print(f"release: {len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
