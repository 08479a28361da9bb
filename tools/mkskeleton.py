#!/usr/bin/python3
"""mkskeleton.py: make the student skeletons from the marked solutions.

A solution file marks each piece of student work like this:

    Frame* FrameArray::allocate()
    {
        // @solution-begin
        ...the reference code...
        // @solution-else
        // LAB_TODO(1);
        // return nullptr;
        // @solution-end
    }

The skeleton keeps everything outside the markers, drops the reference code,
and un-comments the lines between @solution-else and @solution-end (they
are the TODO text and a harmless return). A block without @solution-else
simply disappears. Marker lines never reach the skeleton.

  mkskeleton.py --all            regenerate labs/labN/* from solutions/labN/*
  mkskeleton.py --all --check    exit 1 (with a diff) if labs/ is stale
  mkskeleton.py --all --out DIR  write the skeletons under DIR instead
  mkskeleton.py --file SRC DST   one file
"""
import argparse
import difflib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import labs  # noqa: E402

MARK = re.compile(r"^\s*//\s*@solution-(begin|else|end)\s*$")


def skeleton_of(text, name="<text>"):
    """The skeleton text of one marked solution file."""
    out, state = [], "outside"
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        m = MARK.match(line)
        if m:
            word = m.group(1)
            expected = {"begin": ("outside",), "else": ("solution",), "end": ("solution", "skeleton")}[word]
            if state not in expected:
                sys.exit(f"{name}:{number}: @solution-{word} out of place")
            state = {"begin": "solution", "else": "skeleton", "end": "outside"}[word]
            continue
        if state == "outside":
            out.append(line)
        elif state == "skeleton":
            out.append(re.sub(r"^(\s*)// ?", r"\1", line, count=1))
    if state != "outside":
        sys.exit(f"{name}: a @solution-begin has no @solution-end")
    return "".join(out)


def pairs(out_root):
    """(solution path, skeleton path) for every lab source file."""
    for lab in labs.student_labs():
        for src in lab["sources"]:
            rel = f"lab{lab['lab']}/{src}"
            yield os.path.join(ROOT, "solutions", rel), os.path.join(out_root, rel)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--out", default=os.path.join(ROOT, "labs"))
    ap.add_argument("--file", nargs=2, metavar=("SRC", "DST"))
    args = ap.parse_args()
    todo = [tuple(args.file)] if args.file else list(pairs(args.out)) if args.all else None
    if todo is None:
        sys.exit(__doc__)
    stale = 0
    for src, dst in todo:
        want = skeleton_of(open(src).read(), src)
        have = open(dst).read() if os.path.exists(dst) else None
        if args.check:
            if have != want:
                stale += 1
                print(f"stale skeleton: {os.path.relpath(dst, ROOT)} (run `make skeletons`)")
                sys.stdout.writelines(difflib.unified_diff((have or "").splitlines(True), want.splitlines(True),
                                                           os.path.relpath(dst, ROOT), "generated"))
        elif have != want:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "w") as f:
                f.write(want)
    if args.check:
        print(f"skeletons: {len(todo) - stale} up to date, {stale} stale")
    sys.exit(1 if stale else 0)


if __name__ == "__main__":
    main()
