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
import re
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
import sandbox  # noqa: E402

OUTPUT_CAP = 2 << 20  # bytes of a test binary's output kept; past it the binary is stopped


def build(flavour, *targets, keep_going=False):
    """Build test binaries through make; returns (ok, output)."""
    cmd = ["make", "--no-print-directory", f"FLAVOUR={flavour}"] + ["-k"] * keep_going + list(targets)
    p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode == 0, p.stdout


# CPU-time limits of one test, in ms (the reference's slowest test takes
# about 0.3 s plain): the first two tests of a binary that run over get
# FIRST_MS, every later one LATER_MS (by then an endless loop is the rule, and
# each costs its limit).
LIMITS_MS = {"plain": (2000, 500), "asan": (10000, 2000)}
TIMEOUT = re.compile(r"^@@ TIMEOUT (\S+) (\d+)$", re.M)


def listed_tests(binary):
    """Every test of a binary as Group.Name."""
    return sandbox.run_capped([binary, "-ln"], wall=60, output=OUTPUT_CAP).output.split()


def arguments(chosen, listed):
    """CppUTest arguments that run exactly `chosen` (none when it is every test)."""
    if set(chosen) == set(listed):
        return []
    return [f"TEST({t.split('.', 1)[0]}, {t.split('.', 1)[1]})" for t in chosen]


def run_binary(binary, tag, results, only=(), variant="plain", among=None):
    """Run one CppUTest binary with JUnit output, each test under a CPU-time
    limit (LIMITS_MS); only the tests whose Group.Name contains a text of `only`,
    and only those in `among` when given. A test that runs over its limit is
    recorded as failed and the binary runs again without it.
    Returns (passed, failed, names of the tests that passed)."""
    binary = os.path.abspath(binary)
    listed = listed_tests(binary)
    chosen = [t for t in listed if (not only or any(text in t for text in only)) and (among is None or t in among)]
    if only and not chosen and among is None:
        print(f"{tag}: no test matches {', '.join(only)} (`{paths_rel(binary)} -ln` lists them)")
        return 0, 0, set()
    if not chosen:
        return 0, 0, set()
    work = tempfile.mkdtemp(prefix="host-", dir=results)
    start = time.time()
    timed_out = []
    while True:
        limit = LIMITS_MS[variant][0 if len(timed_out) < 2 else 1]
        env = dict(os.environ, VMKIT_TEST_CPU_MS=str(limit))
        for old in glob.glob(os.path.join(work, "*.xml")):
            os.remove(old)
        # The binary's output is read through a pipe, capped (OUTPUT_CAP) and
        # time-limited; its whole process group is gone when this returns.
        p = sandbox.run_capped([binary, "-v", "-ojunit", "-k", tag] + arguments(chosen, listed), cwd=work,
                               wall=300, output=OUTPUT_CAP, env=env)
        out, code = p.output + (f"\n{p.stopped.upper()}" if p.stopped else ""), p.stopped or p.code
        hung = TIMEOUT.search(out)
        if code == 124 and hung and hung.group(1) in chosen:
            timed_out.append((hung.group(1), limit))
            chosen.remove(hung.group(1))
            if chosen:
                continue
        break
    passed = failed = 0
    passed_names = set()
    # The JUnit files are the record; count from them.
    for xml in glob.glob(os.path.join(work, "*.xml")):
        for classname, name, ok, _ in junit.read(xml):
            print(f"{'PASS' if ok else 'FAIL'} {tag}: {classname}.{name}")
            failed += not ok
            passed += ok
            if ok:
                passed_names.add(f"{classname.split('.', 1)[-1]}.{name}")
        shutil.move(xml, os.path.join(results, f"{tag}-{os.path.basename(xml).replace('cpputest_', '')}"))
    shutil.rmtree(work, ignore_errors=True)
    if timed_out:
        def reason(limit):
            return f"ran over its limit of {limit / 1000:g} s of CPU time (an endless loop?); the other tests " \
                   "ran again without it"
        for t, limit in timed_out:
            print(f"FAIL {tag}: {tag}.{t}: {reason(limit)}")
        junit.write(os.path.join(results, f"{tag}-timeout.xml"), tag,
                    [(f"{tag}.{t.split('.', 1)[0]}", t.split(".", 1)[1], False, reason(limit))
                     for t, limit in timed_out])
        failed += len(timed_out)
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
    return passed, failed, passed_names


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
    ap.add_argument("--no-build", action="store_true", help="run binaries built before (grading builds first)")
    args = ap.parse_args()
    only = [t for item in args.only for t in item.split(",") if t]
    os.makedirs(args.results, exist_ok=True)
    dirs = labs.manifest_host_dirs(args.lab)
    suffixes = ["", "-asan"] if args.asan and not args.no_asan else [""]
    built = args.no_build
    if not built:
        # Every binary in one parallel make (-k: the others build whatever one's
        # error). Only when that fails does each binary's own make below say
        # which one does not build, with its first error.
        built, _ = build(args.flavour, *[f"build/host/{args.flavour}/{d}/tests{s}" for d in dirs for s in suffixes],
                         keep_going=True)
    total_failed = 0
    for d in dirs:
        passed_plain = None
        for suffix in suffixes:
            tag = f"host-{d}{suffix}"
            target = f"build/host/{args.flavour}/{d}/tests{suffix}"
            ok, out = (True, "") if built else build(args.flavour, target)
            if not ok:
                first = buildlog.first_error(out)
                print(f"FAIL {tag}: does not build; the first error:\n{first}")
                junit.write(os.path.join(args.results, f"{tag}-build.xml"), tag,
                            [("host", f"{d}.build", False, f"does not build; the first error:\n{first}")])
                total_failed += 1
                continue
            # The ASan build runs the tests that passed the plain one (a
            # failed test has failed already, and an endless loop would cost
            # its time limit twice).
            _, failed, passed_names = run_binary(os.path.join(ROOT, target), tag, args.results, only,
                                                 "asan" if suffix else "plain",
                                                 passed_plain if suffix else None)
            passed_plain = passed_names
            total_failed += failed
    sys.exit(1 if total_failed else 0)


if __name__ == "__main__":
    main()
