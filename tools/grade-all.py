#!/usr/bin/python3
"""grade-all.py: grade a class's submissions of one lab (for instructors).

  grade-all.py --lab N SUBMISSION_DIR... [-j 2] [--out build/grade-all]
               [--release vmkit-student.tar.gz | --prepared DIR] [--timeout 1800]
  grade-all.py --lab N --prepare DIR [--release vmkit-student.tar.gz]

Each SUBMISSION_DIR holds a student's lab files, as labN/<file> or directly
as <file> (the names listed for lab N in labs/manifest.json). Every
submission is graded on its own:
  1. a grading tree: the student release (--release, or one made now with
     tools/release.sh: no solutions/), unpacked and built once for the lab
     while the lab is still a skeleton (no student code, so outside the
     sandbox; or once and for all with --prepare, then --prepared), plus
     only the lab's declared files from the submission, each a regular file
     under --max-file-size (symlinks, devices, directories and larger files
     are refused, and the lab scores 0 with the reason), written newer than
     everything in the copy, so that make recompiles and relinks;
  2. `tools/grade.py --sandbox` in that tree: every step in a bubblewrap
     sandbox (tools/sandbox.py) with its own uid per parallel slot; the
     lab-code policy (tools/lab-policy.py) first;
  3. the results, written by the harness into OUT/<submission>/, outside
     anything the student's code can write.
Submissions run -j at a time; each result is independent of the order and
of the others. SIGINT or SIGTERM stops every sandbox and removes every
temporary tree.

Writes OUT/<submission>/{summary.txt,results.json,junit.xml,log.txt} and (tools/class_report.py)
OUT/scores.csv and the class report OUT/report.md with OUT/failures.png
(per test, how many submissions failed it; the slowest submissions; policy
violations and refused files).
"""
import argparse
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import labs  # noqa: E402
import sandbox  # noqa: E402
from class_report import write_report  # noqa: E402

MAX_FILE_SIZE = 256 << 10   # bytes of one submitted lab file


class Stopping(Exception):
    """SIGINT or SIGTERM arrived: stop everything, clean up."""


class Class:
    """The grading of one class: its temporary directory and the sandboxes running now."""

    def __init__(self, lab, out, timeout, max_file_size, uid_base):
        self.lab, self.out, self.timeout, self.max_file_size = lab, out, timeout, max_file_size
        self.uid_base = uid_base
        self.work = tempfile.mkdtemp(prefix="grade-")
        self.running = {}            # slot -> Popen of grade.py
        self.lock = threading.Lock()
        self.stopping = False
        self.pristine = None

    # -- the grading tree --------------------------------------------------

    def prepare(self, release, prepared=None):
        """Unpack the release once and build it (the pristine tree copied for every
        submission), or take `prepared`, a directory that `--prepare` filled."""
        sandbox.make_readable(self.work)
        if prepared is not None:
            self.pristine = check_release_tree(prepared, prepared)
            return
        self.pristine = unpack_release(release, os.path.join(self.work, "release"))
        self._prebuild()

    def _prebuild(self):
        """Build the labN flavour of the pristine tree once, the lab still a skeleton (see
        prebuild()). Each submission's copy then recompiles only its lab files and relinks."""
        problem = prebuild(self.pristine, self.lab["lab"])
        if problem:
            print(f"grade-all.py: the shared build failed (each submission builds alone):\n{problem}")
            shutil.rmtree(os.path.join(self.pristine, "build"), ignore_errors=True)

    def place(self, submission, tree):
        """Copy the lab's declared files into tree/labs/labN; returns (refusals, notes)."""
        n, refused, notes = self.lab["lab"], [], []
        for name in self.lab["sources"]:
            candidates = [os.path.join(submission, f"lab{n}", name), os.path.join(submission, name)]
            found = next((c for c in candidates if os.path.lexists(c)), None)
            if found is None:
                notes.append(f"{name} is missing: the skeleton was graded")
                continue
            data, why = read_regular(found, self.max_file_size)
            if why:
                refused.append(f"{name} {why}: refused")
                continue
            with open(os.path.join(tree, "labs", f"lab{n}", name), "wb") as f:
                f.write(data)
        return refused, notes

    # -- one submission ----------------------------------------------------

    def grade(self, index, submission, slot):
        """Grade one submission in slot `slot`; returns its row for scores.csv and the report."""
        name = submission_name(submission)
        out = os.path.join(self.out, name)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        start = time.monotonic()
        tree = os.path.join(self.work, f"s{index}", "vmkit")
        try:
            self._check_stop()
            shutil.copytree(self.pristine, tree, symlinks=True)
            into_the_past(tree)
            refused, notes = self.place(submission, tree)
            if refused:
                status, reasons = "refused", refused
                write_result(out, self.lab, refused)
            else:
                status, reasons = self._run_grader(tree, out, slot), []
            if notes:
                open(os.path.join(out, "notes.txt"), "w").write("\n".join(notes) + "\n")
        finally:
            shutil.rmtree(os.path.dirname(tree), ignore_errors=True)
        result = load_result(out)
        if status == "graded" and any(t["name"] == "lab-code policy" for t in result["tests"]):
            status = "policy"
            reasons = [t["output"] for t in result["tests"] if t["name"] == "lab-code policy"]
        return {"submission": name, "score": result["score"], "max_score": result["max_score"],
                "status": status, "seconds": round(time.monotonic() - start, 1),
                "reasons": reasons + notes, "tests": result["tests"]}

    def _run_grader(self, tree, out, slot):
        """tools/grade.py --sandbox in the tree; returns 'graded' or 'timeout'."""
        uid = self.uid_base + slot
        cmd = ["/usr/bin/python3", "tools/grade.py", "--lab", str(self.lab["lab"]), "--out", out,
               "--sandbox", "--sandbox-uid", str(uid)]
        with self.lock:
            self._check_stop()
            proc = subprocess.Popen(cmd, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                    start_new_session=True)
            self.running[slot] = proc
        try:
            proc.wait(timeout=self.timeout)
            return "graded"
        except subprocess.TimeoutExpired:
            kill_group(proc)
            write_result(out, self.lab, [f"grading stopped after {self.timeout} s"])
            return "timeout"
        finally:
            with self.lock:
                self.running.pop(slot, None)
            self._check_stop()

    def _check_stop(self):
        if self.stopping:
            raise Stopping()

    def stop(self):
        """Stop every running grader (each one's sandboxes die with it)."""
        with self.lock:
            self.stopping = True
            for proc in self.running.values():
                kill_group(proc)

    def cleanup(self):
        shutil.rmtree(self.work, ignore_errors=True)


def prebuild(tree, n):
    """Build lab n's flavour of a pristine release tree (the lab a skeleton),
    then make the whole tree readable by all (the sandboxes read their copies);
    returns None or the failure's output. No student code is involved, so it
    runs outside the sandbox, with the caller's compiler cache if it has one:
    the submissions' own builds run in the sandbox, without any cache."""
    proc = subprocess.Popen(["make", "--no-print-directory", f"FLAVOUR=lab{n}"] + labs.grade_targets(n), cwd=tree,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        output = proc.communicate()[0]
    finally:            # a signal (Stopping): no compiler may go on writing into the tree
        if proc.returncode is None:
            kill_group(proc)
    subprocess.run(["chmod", "-R", "a+rX", tree], check=True)
    return None if proc.returncode == 0 else output[-2000:]


def unpack_release(release, unpacked):
    """Unpack the release tarball (None: make one now with tools/release.sh)
    into the new directory `unpacked`; returns its tree (prebuild() then makes
    it readable by all, its build included)."""
    os.makedirs(unpacked)
    if release is None:
        release = os.path.join(os.path.dirname(unpacked), "release.tar.gz")
        p = subprocess.run([os.path.join(ROOT, "tools", "release.sh"), release], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            sys.exit(f"grade-all.py: tools/release.sh failed:\n{p.stdout}")
    subprocess.run(["tar", "-xzf", release, "-C", unpacked, "--no-same-owner", "--no-same-permissions"],
                   check=True)
    return check_release_tree(unpacked, release)


def prepare_only(lab, release, into):
    """--prepare: unpack and build the pristine tree in `into`, for later
    runs with --prepared (the Gradescope bundle's setup.sh does this once)."""
    if os.path.lexists(into):
        sys.exit(f"grade-all.py: --prepare: {into} exists: name a new directory")
    tree = unpack_release(release, into)
    problem = prebuild(tree, lab["lab"])
    if problem:
        shutil.rmtree(os.path.join(tree, "build"), ignore_errors=True)
        sys.exit(f"grade-all.py: --prepare: the build of lab {lab['lab']}'s flavour failed:\n{problem}")
    print(f"grade-all.py: {tree} is unpacked and built for lab {lab['lab']}: grade with --prepared {into}")


def check_release_tree(unpacked, what):
    """The one top directory of an unpacked release, checked: a grading tree
    holds no solutions/ and has the prebuilt reference/ of the earlier labs."""
    tops = os.listdir(unpacked)
    if len(tops) != 1:
        sys.exit(f"grade-all.py: {what}: expected one top directory, found {tops}")
    tree = os.path.join(unpacked, tops[0])
    if os.path.isdir(os.path.join(tree, "solutions")):
        sys.exit(f"grade-all.py: {what} holds solutions/: grading trees must not")
    if not os.path.isdir(os.path.join(tree, "reference")):
        sys.exit(f"grade-all.py: {what} has no reference/ (prebuilt earlier labs): make it with tools/release.sh")
    return tree


def into_the_past(tree):
    """Make every file of a copied grading tree older than now, keeping their
    order: the submitted files, written next, are then newer than every
    object, and each object compiled from them newer than every binary, so
    that make recompiles and relinks all that depends on them. (A tree
    prepared on a machine whose clock ran ahead would otherwise keep its
    skeleton objects or binaries, and the submission would not be graded.)"""
    paths = [tree] + [os.path.join(top, name) for top, dirs, files in os.walk(tree) for name in dirs + files]
    newest = max(os.lstat(p).st_mtime for p in paths)
    shift = newest - time.time() + 2
    if shift <= 0:
        return
    for p in paths:
        st = os.lstat(p)
        os.utime(p, (st.st_atime - shift, st.st_mtime - shift), follow_symlinks=False)


def read_regular(path, cap):
    """(bytes, '') for a regular file of at most cap bytes, else (None, why it is refused).
    Opened with O_NOFOLLOW and checked on the open file: no race with a swapped-in symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        return None, "is a symbolic link" if os.path.islink(path) else f"cannot be read ({e.strerror})"
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            return None, "is not a regular file"
        if st.st_size > cap:
            return None, f"is {st.st_size} bytes, over the {cap}-byte limit"
        return f.read(cap + 1)[:cap], ""


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def submission_name(path):
    return os.path.basename(os.path.normpath(path))


def write_result(out, lab, reasons):
    """Results of a submission that was not graded: 0 points, with the reasons."""
    total = lab.get("host_points", 0) + sum(t["points"] for t in lab["kernel_tests"] + lab["debugger_checks"])
    result = {"score": 0, "max_score": total,
              "tests": [{"name": "submission", "score": 0, "max_score": total, "status": "failed",
                         "output": "\n".join(reasons)}]}
    json.dump(result, open(os.path.join(out, "results.json"), "w"), indent=2)
    open(os.path.join(out, "summary.txt"), "w").write(
        f"Lab {lab['lab']}: 0 / {total} points\n" + "".join(f"  {r}\n" for r in reasons))


def load_result(out):
    try:
        with open(os.path.join(out, "results.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"score": 0, "max_score": None,
                "tests": [{"name": "grader", "score": 0, "max_score": 0, "status": "failed",
                           "output": "no results.json: see log.txt"}]}


# -- main -----------------------------------------------------------------------

def grade_class(lab, submissions, out, jobs, timeout, release, max_file_size,
                uid_base=sandbox.DEFAULT_OUTSIDE_UID, on_row=None, prepared=None):
    """Grade every submission; returns (rows in the submissions' order, wall seconds)."""
    names = [submission_name(s) for s in submissions]
    if len(set(names)) != len(names):
        sys.exit("grade-all.py: two submissions have the same directory name")
    missing = sandbox.available()
    if missing:
        sys.exit(f"grade-all.py: cannot sandbox: {missing}")
    os.makedirs(out, exist_ok=True)
    grading = Class(lab, out, timeout, max_file_size, uid_base)
    previous = {s: signal.signal(s, _raise_stopping) for s in (signal.SIGINT, signal.SIGTERM)}
    start = time.monotonic()
    try:
        grading.prepare(release, prepared)
        slots = list(range(jobs))
        slot_lock = threading.Lock()

        def one(index, submission):
            with slot_lock:
                slot = slots.pop()
            try:
                row = grading.grade(index, os.path.abspath(submission), slot)
            finally:
                with slot_lock:
                    slots.append(slot)
            if on_row:
                on_row(row)
            return row

        pool = ThreadPoolExecutor(max_workers=jobs)
        try:
            futures = [pool.submit(one, i, s) for i, s in enumerate(submissions)]
            while not all(f.done() for f in futures):
                time.sleep(0.2)  # the main thread stays free to take a signal
        except Stopping:
            grading.stop()   # every grader and its sandboxes; the workers see Stopping
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        rows = [f.result() for f in futures]
    finally:
        grading.cleanup()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return rows, time.monotonic() - start


def _raise_stopping(signum, frame):
    raise Stopping(signal.Signals(signum).name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab", type=int, required=True)
    ap.add_argument("submissions", nargs="*")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "grade-all"))
    ap.add_argument("-j", "--jobs", type=int, default=2, help="submissions graded in parallel (default 2)")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds for one submission (default 1800)")
    ap.add_argument("--release", help="student release tarball (default: made now with tools/release.sh)")
    ap.add_argument("--prepare", metavar="DIR",
                    help="only unpack the release into the new directory DIR and build it, for --prepared")
    ap.add_argument("--prepared", metavar="DIR", help="grade from DIR, unpacked and built by --prepare")
    ap.add_argument("--max-file-size", type=int, default=MAX_FILE_SIZE)
    ap.add_argument("--uid-base", type=int, default=sandbox.DEFAULT_OUTSIDE_UID,
                    help="slot k's sandboxes run as this uid + k outside (default %(default)s)")
    args = ap.parse_args()
    lab = next((l for l in labs.student_labs() if l["lab"] == args.lab), None)
    if lab is None:
        sys.exit(f"grade-all.py: no lab {args.lab}")
    release = args.release and os.path.abspath(args.release)
    prepared = args.prepared and os.path.abspath(args.prepared)
    if args.prepare:
        if args.submissions or args.prepared:
            ap.error("--prepare takes no submissions and no --prepared")
        prepare_only(lab, release, os.path.abspath(args.prepare))
        return
    if not args.submissions:
        ap.error("no submission to grade")
    if args.prepared and args.release:
        ap.error("--prepared and --release exclude each other")
    out = os.path.abspath(args.out)
    try:
        rows, wall = grade_class(lab, args.submissions, out, args.jobs, args.timeout, release,
                                 args.max_file_size, args.uid_base, prepared=prepared,
                                 on_row=lambda r: print(f"{r['submission']}: {r['score']} / {r['max_score']}"
                                                        f" ({r['status']}, {r['seconds']} s)", flush=True))
    except Stopping as e:
        print(f"grade-all.py: stopped by {e}: no sandbox left running, temporary trees removed", file=sys.stderr)
        sys.exit(130)
    write_report(out, lab, rows, wall, args.jobs)
    print(f"{len(rows)} submissions in {wall:.0f} s ({wall / len(rows):.1f} s each, -j {args.jobs})")
    print(f"scores: {os.path.join(out, 'scores.csv')}\nreport: {os.path.join(out, 'report.md')}")


if __name__ == "__main__":
    main()
