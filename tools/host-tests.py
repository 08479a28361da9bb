#!/usr/bin/python3
"""host-tests.py: build and run the CppUTest host unit tests.

For every selected test directory tests/host/<dir>/ it builds the test
binary through the Makefile (incrementally: nothing changed, nothing built),
and with --asan a second one with -fsanitize=address,undefined (`make test`
and `make grade` do), runs each, prints one line per test, and leaves JUnit
XML in the results directory as host-<dir>[-asan]-<group>.xml. A binary that
does not build counts as one failed test named "<dir>.build".

  host-tests.py --flavour reference [--lab N] [--asan] [--only TEXT] --results build/results

--only TEXT runs only the tests whose "Group.Name" contains TEXT
(`make test-host LAB=3 ONLY=ZeroFill`, `ONLY=ZeroFill.ReadFault`).
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import buildlog  # noqa: E402
import junit  # noqa: E402
import labs  # noqa: E402


def build(flavour, target):
    """Build one test binary through make; returns (ok, output)."""
    p = subprocess.run(["make", "--no-print-directory", f"FLAVOUR={flavour}", target], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode == 0, p.stdout


def selection(binary, only):
    """CppUTest arguments that run the tests whose Group.Name contains one of
    `only` (every test when `only` is empty); None when nothing matches."""
    if not only:
        return []
    listed = subprocess.run([binary, "-ln"], stdout=subprocess.PIPE, text=True).stdout.split()
    chosen = [t for t in listed if any(text in t for text in only)]
    return [f"TEST({t.split('.', 1)[0]}, {t.split('.', 1)[1]})" for t in chosen] or None


def run_binary(binary, tag, results, only=()):
    """Run one CppUTest binary with JUnit output; returns (passed, failed)."""
    binary = os.path.abspath(binary)
    chosen = selection(binary, only)
    if chosen is None:
        print(f"{tag}: no test matches {', '.join(only)} (`{paths_rel(binary)} -ln` lists them)")
        return 0, 0
    work = tempfile.mkdtemp(prefix="host-", dir=results)
    start = time.time()
    try:
        p = subprocess.run([binary, "-v", "-ojunit", "-k", tag] + chosen, cwd=work,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
        out, code = p.stdout, p.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        out, code = out + "\nTIMEOUT after 300 s", "timeout"
    passed = failed = 0
    # The JUnit files are the record; count from them.
    for xml in glob.glob(os.path.join(work, "*.xml")):
        for classname, name, ok, _ in junit.read(xml):
            print(f"{'PASS' if ok else 'FAIL'} {tag}: {classname}.{name}")
            failed += not ok
            passed += ok
        shutil.move(xml, os.path.join(results, f"{tag}-{os.path.basename(xml).replace('cpputest_', '')}"))
    shutil.rmtree(work, ignore_errors=True)
    if passed + failed == 0 or code != 0 and failed == 0:
        tail = "\n".join(out.splitlines()[-15:])
        print(f"FAIL {tag}: the binary exited {code} without a result per test:\n{tail}")
        junit.write(os.path.join(results, f"{tag}-run.xml"), tag, [("host", f"{tag}.run", False, tail)])
        failed += 1
    else:
        print(f"{tag}: {passed} passed, {failed} failed, {time.time() - start:.2f} s")
    if failed:
        for line in out.splitlines():
            if "Failure in" in line or "expected" in line or "but was" in line or "not implemented" in line:
                print("    " + line.strip())
    return passed, failed


def paths_rel(path):
    """`path` relative to the tree's top."""
    return os.path.relpath(path, ROOT)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flavour", default="reference")
    ap.add_argument("--lab", type=int)
    ap.add_argument("--results", default=os.path.join(ROOT, "build", "results"))
    ap.add_argument("--asan", action="store_true", help="also build and run the sanitizer binary")
    ap.add_argument("--no-asan", action="store_true", help="no sanitizer binary (the default)")
    ap.add_argument("--only", action="append", default=[], metavar="TEXT",
                    help="run only the tests whose Group.Name contains TEXT (repeatable, or comma-separated)")
    args = ap.parse_args()
    only = [t for item in args.only for t in item.split(",") if t]
    os.makedirs(args.results, exist_ok=True)
    dirs = labs.manifest_host_dirs(args.lab)
    total_failed = 0
    for d in dirs:
        for suffix in (["", "-asan"] if args.asan and not args.no_asan else [""]):
            tag = f"host-{d}{suffix}"
            target = f"build/host/{args.flavour}/{d}/tests{suffix}"
            ok, out = build(args.flavour, target)
            if not ok:
                first = buildlog.first_error(out)
                print(f"FAIL {tag}: does not build; the first error:\n{first}")
                junit.write(os.path.join(args.results, f"{tag}-build.xml"), tag,
                            [("host", f"{d}.build", False, f"does not build; the first error:\n{first}")])
                total_failed += 1
                continue
            _, failed = run_binary(os.path.join(ROOT, target), tag, args.results, only)
            total_failed += failed
    sys.exit(1 if total_failed else 0)


if __name__ == "__main__":
    main()
