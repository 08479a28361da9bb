#!/usr/bin/python3
"""host-tests.py: build and run the CppUTest host unit tests.

For every selected test directory tests/host/<dir>/ it builds two binaries
through the Makefile (plain, and with -fsanitize=address,undefined), runs
each, prints one line per test, and leaves JUnit XML in the results
directory as host-<dir>[-asan]-<group>.xml. A binary that does not build
counts as one failed test named "<dir>.build".

  host-tests.py --flavour reference [--lab N] --results build/results
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
import junit  # noqa: E402
import labs  # noqa: E402
import sandbox  # noqa: E402

OUTPUT_CAP = 2 << 20  # bytes of a test binary's output kept; past it the binary is stopped


def build(flavour, target):
    """Build one test binary through make; returns (ok, output)."""
    p = subprocess.run(["make", "--no-print-directory", f"FLAVOUR={flavour}", target], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode == 0, p.stdout


def run_binary(binary, tag, results):
    """Run one CppUTest binary with JUnit output; returns (passed, failed)."""
    work = tempfile.mkdtemp(prefix="host-", dir=results)
    start = time.time()
    p = sandbox.run_capped([os.path.abspath(binary), "-v", "-ojunit", "-k", tag], cwd=work, wall=300,
                           output=OUTPUT_CAP)
    out, code = p.output + (f"\n{p.stopped.upper()}" if p.stopped else ""), p.stopped or p.code
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flavour", default="reference")
    ap.add_argument("--lab", type=int)
    ap.add_argument("--results", default=os.path.join(ROOT, "build", "results"))
    ap.add_argument("--no-asan", action="store_true", help="skip the sanitizer build")
    ap.add_argument("--no-build", action="store_true", help="run binaries built before (grading builds first)")
    args = ap.parse_args()
    os.makedirs(args.results, exist_ok=True)
    dirs = labs.manifest_host_dirs(args.lab)
    total_failed = 0
    for d in dirs:
        for suffix in ([""] if args.no_asan else ["", "-asan"]):
            tag = f"host-{d}{suffix}"
            target = f"build/host/{args.flavour}/{d}/tests{suffix}"
            ok, out = (True, "") if args.no_build else build(args.flavour, target)
            if not ok:
                print(f"FAIL {tag}: does not build\n" + "\n".join(out.splitlines()[-20:]))
                junit.write(os.path.join(args.results, f"{tag}-build.xml"), tag,
                            [("host", f"{d}.build", False, out[-4000:])])
                total_failed += 1
                continue
            _, failed = run_binary(os.path.join(ROOT, target), tag, args.results)
            total_failed += failed
    sys.exit(1 if total_failed else 0)


if __name__ == "__main__":
    main()
