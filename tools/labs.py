#!/usr/bin/python3
"""labs.py: answers questions about the declared labs (labs/manifest.json)
for the Makefile and the scripts.

  labs.py sources FLAVOUR     lab source files of a build flavour, one per line
  labs.py numbers             the lab numbers with student code
  labs.py host-dirs           host-test directories of every lab

Flavours: `reference` (every lab from solutions/), `student` (every lab from
labs/), `labN` (lab N from labs/, labs before N from solutions/, labs after N
from the pristine skeletons generated into build/skeletons/).
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def manifest():
    """The parsed manifest."""
    with open(os.path.join(ROOT, "labs", "manifest.json")) as f:
        return json.load(f)


def student_labs():
    """Labs that have student code (every lab but the framework)."""
    return [lab for lab in manifest()["labs"] if lab["sources"]]


def source_dir(flavour, n):
    """Where lab n's sources come from in a flavour."""
    if flavour == "reference":
        return "solutions"
    if flavour == "student":
        return "labs"
    if flavour.startswith("lab") and flavour[3:].isdigit():
        graded = int(flavour[3:])
        if n < graded:
            return "solutions"
        if n == graded:
            return "labs"
        return "build/skeletons"
    sys.exit(f"labs.py: unknown flavour '{flavour}' (reference, student or labN)")


def main(argv):
    if len(argv) >= 2 and argv[0] == "sources":
        for lab in student_labs():
            d = source_dir(argv[1], lab["lab"])
            for s in lab["sources"]:
                print(f"{d}/lab{lab['lab']}/{s}")
    elif argv == ["numbers"]:
        print(" ".join(str(lab["lab"]) for lab in student_labs()))
    elif argv == ["host-dirs"]:
        print(" ".join(lab["host_tests"] for lab in manifest()["labs"] if lab.get("host_tests")))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
