"""What the kernel-test and debugger-check runners share: options, set-up of
each run, parallel execution, printing and result files."""

import argparse
import json
import os
import secrets
import shutil
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from . import bochs, boot, manifest, paths, procs, results, symbols


@dataclass
class Setup:
    """Everything one run of a case needs, made by `prepare()`."""
    flavour: str
    kernel: str
    token: str
    cmdline: str
    workdir: str
    iso: object               # the boot medium: an ISO path or a shimboot.ShimImage
    symfile: str
    boot: str                 # the boot path: "shim" or "grub" (boot.py)


def kernel_cmdline(test, token, extra=""):
    """`test=<test> token=<token>` plus the case's extra words."""
    return " ".join(filter(None, [f"test={test}", f"token={token}", extra]))


def prepare(case, flavour, test=None):
    """Fresh work directory, token, boot medium and symbol file for one run of
    `case`, on the case's boot path (default: boot.TESTS, or $BOOT)."""
    kernel = paths.kernel_elf(flavour)
    token = secrets.token_hex(8)
    cmdline = kernel_cmdline(test or case.test, token, case.cmdline)
    workdir = os.path.join(paths.runs_dir(flavour), f"{case.kind}-{case.name}")
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    path = boot.choose(boot.TESTS, case.boot)
    image = boot.build(kernel, workdir, cmdline, path)
    return Setup(flavour, kernel, token, cmdline, workdir, image,
                 symbols.for_kernel(kernel, workdir), path)


def replay_until(run):
    """UNTIL for the replay: where the harness stopped the run (for a `cli;
    hlt`, the count at that hlt: see bochs.find_halt_tick), or None for a run
    that ended by itself."""
    return run.stopped_at


def failure_details(run):
    """Text shown under a failed run: debugger dump, or the console's end."""
    if run.dump:
        return "debugger state at the stop:\n" + run.dump
    if run.outcome in ("triple-fault", "bochs-error"):
        tail = [l for l in run.serial.splitlines() if l.strip()][-8:]
        return "last console lines:\n" + "\n".join(tail) if tail else ""
    return ""


def lab_set(text):
    """`--lab` as a set of lab numbers: "3" or a range "0-4"."""
    first, dash, last = text.partition("-")
    try:
        labs = set(range(int(first), int(last if dash else first) + 1))
    except ValueError:
        labs = set()
    if not labs:
        raise argparse.ArgumentTypeError(f"not a lab number or a range N-M (N <= M): {text!r}")
    return labs


def parse_args(kind, description, argv=None):
    """Command-line options common to both runners."""
    junit, json_path = results.default_paths(kind)
    p = argparse.ArgumentParser(description=description)
    which = p.add_mutually_exclusive_group()
    which.add_argument("--lab", type=lab_set, help="run lab N's cases only (or labs N-M)")
    which.add_argument("--all", action="store_true", help="run every lab's cases (default)")
    p.add_argument("--flavour", default=os.environ.get("FLAVOUR", "reference"),
                   help="kernel build/<flavour>/kernel.elf (default: $FLAVOUR or reference)")
    p.add_argument("--only", action="append", default=[], metavar="NAME",
                   help="run only this case (repeatable, or comma-separated)")
    p.add_argument("-j", "--jobs", type=int, default=2, help="runs in parallel (default 2)")
    p.add_argument("--junit", default=junit, help=f"JUnit XML file (default {paths.rel(junit)})")
    p.add_argument("--json", default=json_path, help=f"JSON file (default {paths.rel(json_path)})")
    p.add_argument("--manifest", default=paths.MANIFEST, help="lab manifest")
    p.add_argument("-q", "--quiet", action="store_true", help="no dumps under failures")
    args = p.parse_args(argv)
    args.only = [n for item in args.only for n in item.split(",") if n]
    return args


def longest_first(cases, durations):
    """The order to start cases in: the longest first, so that no long case
    starts last and runs alone. `durations` are wall seconds of earlier runs
    ({name: s}); a case without one goes by its guest memory (the 512 MiB
    cases are the slow ones). The order changes no verdict: runs are isolated."""
    return sorted(cases, key=lambda c: (-durations.get(c.name, 0.0), -c.megs))


def durations_file(kind, flavour):
    """build/<flavour>/runs/<kind>-durations.json: wall seconds per case, last run."""
    return os.path.join(paths.runs_dir(flavour), f"{kind}-durations.json")


def load_durations(path):
    """{case name: wall seconds} from `path`, or {}."""
    try:
        with open(path) as f:
            data = json.load(f)
        return {str(k): float(v) for k, v in data.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def save_durations(path, out, old):
    """Update `path` with the wall seconds of the results `out`."""
    merged = dict(old, **{r.name: round(r.wall, 2) for r in out})
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "w") as f:
            json.dump(merged, f, indent=0, sort_keys=True)
        os.replace(path + ".tmp", path)
    except OSError:
        pass


def execute(cases, run_one, jobs, quiet=False, order=None):
    """Run cases (in parallel, started in `order`, default case order), print
    each result as it comes; results in case order."""
    lock = threading.Lock()

    def one(case):
        started = time.monotonic()
        try:
            result = run_one(case)
        except boot.Error + (OSError, bochs.BochsStartError, boot.BootPathError) as e:
            result = results.Result(case.kind, case.name, case.lab, case.points, False,
                                    reason=f"harness: {e}")
        except procs.Stopping:
            raise
        except Exception as e:  # a bug in a check script or the harness: report it
            result = results.Result(case.kind, case.name, case.lab, case.points, False,
                                    reason=f"harness error: {e!r}",
                                    details=traceback.format_exc())
        result.wall = result.wall or time.monotonic() - started
        if not procs.stopping.is_set():
            with lock:
                print("\n".join(results.report_lines(result, not quiet)), flush=True)
        return result

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = {id(case): pool.submit(one, case) for case in (order or cases)}
        return [futures[id(case)].result() for case in cases]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def main(kind, run_one, description, argv=None):
    """Select cases from the manifest, run them, print and write results."""
    procs.install()
    args = parse_args(kind, description, argv)
    try:
        cases = manifest.select(manifest.load(kind, args.manifest), args.lab, args.only)
    except manifest.ManifestError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    kernel = paths.kernel_elf(args.flavour)
    if cases and not os.path.exists(kernel):
        print(f"error: {paths.rel(kernel)} not found: build it first (make FLAVOUR={args.flavour})",
              file=sys.stderr)
        return 2
    try:
        timings = durations_file(kind, args.flavour)
        previous = load_durations(timings)
        out = execute(cases, lambda case: run_one(case, args.flavour), args.jobs, args.quiet,
                      order=longest_first(cases, previous))
        save_durations(timings, out, previous)
    except (KeyboardInterrupt, procs.Stopping):
        print(f"{kind}: interrupted", file=sys.stderr)
        return 130
    return results.finish(out, args.junit, args.json, kind, kind, none_note=f"{kind}: no case selected")
