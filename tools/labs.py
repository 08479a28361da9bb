#!/usr/bin/python3
"""labs.py: answers questions about the declared labs (labs/manifest.json)
for the Makefile and the scripts.

  labs.py sources FLAVOUR     lab source files of a build flavour, one per line
  labs.py numbers             the lab numbers with student code
  labs.py host-dirs [N]       host-test directories (of every lab, or of lab N)
  labs.py host-sources FLAVOUR DIR
                              lab sources a host-test directory needs: those of
                              its lab and of every lab before it

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


def manifest_host_dirs(lab=None):
    """Host-test directories of every lab, or of lab `lab` only."""
    return [l["host_tests"] for l in manifest()["labs"]
            if l.get("host_tests") and (lab is None or l["lab"] == lab)]


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
    elif argv and argv[0] == "host-dirs":
        print(" ".join(manifest_host_dirs(int(argv[1]) if len(argv) == 2 else None)))
    elif len(argv) == 3 and argv[0] == "host-sources":
        owner = [lab for lab in manifest()["labs"] if lab.get("host_tests") == argv[2]]
        upto = owner[0]["lab"] if owner else 0
        for lab in student_labs():
            if lab["lab"] <= upto:
                d = source_dir(argv[1], lab["lab"])
                for s in lab["sources"]:
                    if s.endswith(".cpp"):
                        print(f"{d}/lab{lab['lab']}/{s}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
