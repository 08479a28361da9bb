#!/usr/bin/python3
"""mutant.py: prove that lab 5's tests can fail. A mutant is the tree with
one deliberate bug in the reference collector; the named tests must fail on
it (the mutant is "killed"), else the tests have no teeth.

    tools/mutant.py fifo      # no second chance: the clock becomes FIFO;
                              # the oracle check (swap-oracle) must fail

The tree's tracked files are copied to build/mutants/<name>/ (nothing in
this tree changes), the mutation is applied to solutions/lab5/collector.cpp,
and the tests run there. Exit status 0 when the mutant is killed.
"""
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name: (file, text, replacement, the test command that must fail)
MUTANTS = {
    "fifo": ("solutions/lab5/collector.cpp",
             "        if (e->is_accessed()) {",
             "        if (false && e->is_accessed()) { // mutant: no second chance",
             ["/usr/bin/python3", "tests/debugger/run.py", "--lab", "5", "--only", "swap-oracle"]),
}


def main(argv):
    if len(argv) != 1 or argv[0] not in MUTANTS:
        sys.exit(__doc__)
    name = argv[0]
    path, old, new, test = MUTANTS[name]
    tree = os.path.join(ROOT, "build", "mutants", name)
    if os.path.isdir(tree):
        shutil.rmtree(tree)
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for f in filter(None, files):
        if os.path.exists(os.path.join(ROOT, f)):
            os.makedirs(os.path.dirname(os.path.join(tree, f)) or tree, exist_ok=True)
            shutil.copy2(os.path.join(ROOT, f), os.path.join(tree, f))
    with open(os.path.join(tree, path)) as f:
        text = f.read()
    if text.count(old) != 1:
        sys.exit(f"mutant {name}: '{old.strip()}' is not in {path} exactly once")
    with open(os.path.join(tree, path), "w") as f:
        f.write(text.replace(old, new))
    print(f"mutant {name}: {path}: {new.strip()}", flush=True)
    if subprocess.run(["make", "--no-print-directory"], cwd=tree).returncode != 0:
        sys.exit(f"mutant {name}: the mutant does not build")
    r = subprocess.run(test, cwd=tree)
    killed = r.returncode != 0
    print(f"mutant {name}: {'killed (the tests failed, as they must)' if killed else 'SURVIVED: the tests passed'}")
    return 0 if killed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
