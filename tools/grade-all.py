#!/usr/bin/python3
"""grade-all.py: grade many submissions of one lab (for instructors).

  grade-all.py --lab N SUBMISSION_DIR... [--out build/grade-all] [--timeout 1800]

Each SUBMISSION_DIR holds a student's lab files, either as labN/<file> or
directly as <file> (the names listed for lab N in labs/manifest.json). Each
is graded in a fresh copy of this tree (its tracked files, with the
instructor's solutions/) with the student's files put in labs/labN/, so no
submission can touch another or the tree itself. A submission that hangs the
grader as a whole is stopped after --timeout seconds and scores 0.

Writes OUT/<submission>/{summary.txt,results.json,junit.xml,log.txt} and
OUT/scores.csv (submission, score, max_score).
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import labs  # noqa: E402


def tracked_copy(dest):
    """Copy the files git tracks (or, outside git, everything but build/) to dest."""
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, stdout=subprocess.PIPE)
    names = [n for n in listing.stdout.decode().split("\0") if n] if listing.returncode == 0 else None
    if names is None:
        shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns("build", ".git"), symlinks=True)
        return
    for name in names:
        if not os.path.lexists(os.path.join(ROOT, name)):
            continue  # deleted in the working tree
        os.makedirs(os.path.dirname(os.path.join(dest, name)), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, name), os.path.join(dest, name), follow_symlinks=False)


def place_submission(submission, tree, lab):
    """Copy the lab's files from the submission into tree/labs/labN; returns missing names."""
    missing = []
    for name in lab["sources"]:
        candidates = [os.path.join(submission, f"lab{lab['lab']}", name), os.path.join(submission, name)]
        found = next((c for c in candidates if os.path.isfile(c)), None)
        if found:
            shutil.copyfile(found, os.path.join(tree, "labs", f"lab{lab['lab']}", name))
        else:
            missing.append(name)
    return missing


def grade_one(submission, lab, out, timeout):
    """Grade one submission into out; returns (score, max_score)."""
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="grade-") as tree:
        tracked_copy(tree)
        missing = place_submission(submission, tree, lab)
        if missing:
            open(os.path.join(out, "summary.txt"), "w").write(f"missing files: {', '.join(missing)} (skeleton used)\n")
        try:
            subprocess.run(["/usr/bin/python3", "tools/grade.py", "--lab", str(lab["lab"]), "--out", out],
                           cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=timeout,
                           start_new_session=True)
        except subprocess.TimeoutExpired:
            open(os.path.join(out, "summary.txt"), "a").write(f"grading stopped after {timeout} s\n")
            subprocess.run(["pkill", "-9", "-f", tree])
    try:
        result = json.load(open(os.path.join(out, "results.json")))
        return result["score"], result["max_score"]
    except (OSError, ValueError, KeyError):
        return 0, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab", type=int, required=True)
    ap.add_argument("submissions", nargs="+")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "grade-all"))
    ap.add_argument("--timeout", type=int, default=1800)
    args = ap.parse_args()
    lab = next((l for l in labs.student_labs() if l["lab"] == args.lab), None)
    if lab is None:
        sys.exit(f"grade-all.py: no lab {args.lab}")
    rows = []
    for submission in args.submissions:
        name = os.path.basename(os.path.normpath(submission))
        score, max_score = grade_one(os.path.abspath(submission), lab, os.path.join(args.out, name), args.timeout)
        print(f"{name}: {score} / {max_score}")
        rows.append((name, score, max_score))
    with open(os.path.join(args.out, "scores.csv"), "w", newline="") as f:
        csv.writer(f).writerows([("submission", "score", "max_score")] + rows)
    print(f"scores: {os.path.join(args.out, 'scores.csv')}")


if __name__ == "__main__":
    main()
