#!/usr/bin/python3
"""labs.py: answers questions about the declared labs (labs/manifest.json)
for the Makefile and the scripts.

  labs.py sources FLAVOUR     lab source files of a kernel build, one per line
  labs.py objects FLAVOUR     prebuilt lab objects of a kernel build (release tree)
  labs.py numbers             the lab numbers with student code
  labs.py host-dirs [N]       host-test directories (of every lab, or of lab N)
  labs.py host-sources FLAVOUR DIR
                              lab sources a host-test directory needs: those of
                              its lab and of every lab before it
  labs.py host-objects FLAVOUR DIR plain|asan
                              the prebuilt objects among those (release tree)

Flavours: `reference` (every lab's reference code), `student` (every lab from
labs/), `labN` (lab N from labs/, labs before N from the reference, labs after
N from the pristine skeletons), `skeleton` (every lab from the pristine
skeletons, whatever labs/ holds: the debugger shell's skeleton case).

Where the reference and the skeletons come from depends on the tree:
- the course tree has solutions/: the reference is solutions/labN/*.cpp, and
  the pristine skeletons are generated from it into build/skeletons/;
- the student release has no solutions/ but reference/ (made by
  tools/release.sh): the reference is prebuilt objects,
  reference/kernel/labN/*.o for the kernel and reference/host/labN/*.o,
  reference/host-asan/labN/*.o for the host tests, and the pristine skeletons
  are the files reference/skeletons/labN/*.cpp.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOLUTIONS = os.path.join(ROOT, "solutions")
REFERENCE = "reference"          # the prebuilt reference of the release tree
OBJECT_DIRS = {"kernel": "kernel", "plain": "host", "asan": "host-asan"}


def manifest():
    """The parsed manifest."""
    with open(os.path.join(ROOT, "labs", "manifest.json")) as f:
        return json.load(f)


def student_labs():
    """Labs that have student code (every lab but the framework)."""
    return [lab for lab in manifest()["labs"] if lab["sources"]]


def manifest_host_dirs(lab=None):
    """Host-test directories of every lab, or of lab `lab` only."""
    return [l["host_tests"] for l in manifest()["labs"]
            if l.get("host_tests") and (lab is None or l["lab"] == lab)]


def has_solutions():
    """True in the course tree, False in the student release."""
    return os.path.isdir(SOLUTIONS)


def origin(flavour, n):
    """Where lab n comes from in a flavour: "labs", "reference" or "skeleton"."""
    if flavour == "reference":
        return "reference"
    if flavour == "student":
        return "labs"
    if flavour == "skeleton":
        return "skeleton"
    if flavour.startswith("lab") and flavour[3:].isdigit():
        graded = int(flavour[3:])
        return "reference" if n < graded else "labs" if n == graded else "skeleton"
    sys.exit(f"labs.py: unknown flavour '{flavour}' (reference, student, labN or skeleton)")


def lab_files(flavour, lab, variant):
    """(sources, objects) of one lab in a flavour; variant is kernel, plain or asan."""
    n, cpps = lab["lab"], [s for s in lab["sources"] if s.endswith(".cpp")]
    where = origin(flavour, n)
    if where == "labs":
        return [f"labs/lab{n}/{s}" for s in cpps], []
    if has_solutions():
        d = "solutions" if where == "reference" else "build/skeletons"
        return [f"{d}/lab{n}/{s}" for s in cpps], []
    if where == "skeleton":
        return [f"{REFERENCE}/skeletons/lab{n}/{s}" for s in cpps], []
    return [], [f"{REFERENCE}/{OBJECT_DIRS[variant]}/lab{n}/{s[:-4]}.o" for s in cpps]


def grade_targets(n):
    """The make targets a grade of lab n builds in its labN flavour (tools/grade.py,
    step 2; the grading trees and the release check build them ahead): the
    kernel, the ISO and the user programs (`all`), and the lab's host-test
    binaries, plain and ASan."""
    return ["all"] + [f"build/host/lab{n}/{d}/tests{v}" for d in manifest_host_dirs(n) for v in ("", "-asan")]


def host_labs(host_dir):
    """The labs a host-test directory needs: its own and every earlier one."""
    owner = [lab for lab in manifest()["labs"] if lab.get("host_tests") == host_dir]
    upto = owner[0]["lab"] if owner else 0
    return [lab for lab in student_labs() if lab["lab"] <= upto]


def main(argv):
    pick = {"sources": 0, "objects": 1}
    if len(argv) == 2 and argv[0] in pick:
        for lab in student_labs():
            print("\n".join(lab_files(argv[1], lab, "kernel")[pick[argv[0]]]))
    elif argv == ["numbers"]:
        print(" ".join(str(lab["lab"]) for lab in student_labs()))
    elif argv and argv[0] == "host-dirs":
        print(" ".join(manifest_host_dirs(int(argv[1]) if len(argv) == 2 else None)))
    elif len(argv) == 3 and argv[0] == "host-sources":
        for lab in host_labs(argv[2]):
            print("\n".join(lab_files(argv[1], lab, "plain")[0]))
    elif len(argv) == 4 and argv[0] == "host-objects" and argv[3] in ("plain", "asan"):
        for lab in host_labs(argv[2]):
            print("\n".join(lab_files(argv[1], lab, argv[3])[1]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
