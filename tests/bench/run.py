#!/usr/bin/python3
"""Benchmarks (`make bench`): figures, not verdicts.

Each row boots the reference kernel in Bochs with a kernel test and reads one
figure from its output. Under Bochs with `clock: sync=none` the time-stamp
counter advances once per guest instruction, so every figure here is an exact,
repeatable instruction count (or a size), independent of the host's load.
Nothing here passes or fails; the tests assert behaviour elsewhere.

Rows run on the test runs' boot path (the shim) unless they name GRUB; the
boot rows give both paths (tests/harness/boot.py). `SUITE_RUNS=3` (make bench
SUITE_RUNS=3) also times `tests/kernel/run.py` plus `tests/debugger/run.py`,
for labs 0-4 and for every lab, the median of that many runs, with the load
average. `BENCH_ONLY=WORD` prints only the rows whose name holds WORD (e.g.
BENCH_ONLY="lab 6"), and skips the wall-clock rows.
"""
import hashlib
import os
import re
import secrets
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from harness import bochs, boot as bootpath, kout, paths, replacement  # noqa: E402

PAGE_LINEAR = "lab5_workload run=swap-linear args=percent:200"
REPLAY = "lab5_workload run=swap-replay"

# Lab 6's runs: a pager and a client (tests/kernel/cases/lab6.cpp), and the
# same paging workload over lab 5's swap store.
LAB6_BENCH = "lab6_pager pager=mode:bench,flood:200,prefill:1 client=mode:bench,pages:64"
# The same client over the disk-backed pager (pages on its slots of the swap
# disk, answered with pager_disk's reply from a slot), no memory pressure.
LAB6_DISK_BENCH = ("lab6_pager pager=mode:good,backing:disk,disk:64,prefill:1,scribble:0 "
                   "client=mode:bench,pages:64 pager_disk=64")
LAB6_SPAWN = "lab6_pager pager=mode:good,file:big-image client=mode:spawn,child:touch:1"
# The user pager keeps its pages on its own slots of the swap disk (backing:disk,
# the kernel's pager_disk=N), as lab 5's swap store does: the same guest, disk,
# client and working set; only the store differs.
PAGER_PAGING = ("lab6_pager pager=mode:good,backing:disk,disk:1600,idle:100,scribble:0 "
                "client=mode:paging,pages:1600 pager_disk=1600")
# Page-ins without memory pressure (pager-client mode=cold): 400 pages written,
# pushed out by 3000 pages of ballast, which is then unmapped.
PAGER_COLD = ("lab6_pager pager=mode:good,backing:disk,disk:400,idle:3000,scribble:0 "
              "client=mode:cold,pages:400,ballast:3000 pager_disk=400")
SWAP_COLD = "lab5_workload run=pager-client args=mode:cold,pages:400,ballast:3000"
SWAP_PAGING = "lab5_workload run=pager-client args=mode:paging,pages:1600"
JOBS = min(2, os.cpu_count() or 1)  # Bochs runs side by side, as the test runners do

# (figure, kernel test, guest MiB, where the number is[, swap disk MiB])
# A kernel test name may end in "@grub": that row boots through GRUB.
FIGURES = [
    ("instructions from reset to the kernel's first line, GRUB path (BIOS + GRUB)", "boot@grub", 32,
     ("console", r"booting \((\d+) instructions since reset\)")),
    ("instructions from reset to a kernel test's first line, GRUB path (make run, make debug)", "boot@grub", 32,
     ("console", r"ktest: running \S+ \((\d+) instructions since reset\)")),
    ("instructions from reset to the kernel's first line, shim path (BIOS + shim)", "boot", 32,
     ("console", r"booting \((\d+) instructions since reset\)")),
    ("instructions from reset to a kernel test's first line, shim path (every test run)", "boot", 32,
     ("console", r"ktest: running \S+ \((\d+) instructions since reset\)")),
    ("frame-array storage bytes per frame (8-byte descriptors + rounding)", "frames_exhaust", 32, ("derived", "descriptor_bytes/frames_total")),
    ("instructions to build the frame array, 512 MiB guest", "frames_exhaust", 512, ("value", "frames_init_instructions")),
    ("frames in the 512 MiB guest's frame array", "frames_exhaust", 512, ("value", "frames_total")),
    ("instructions per null system call (getpid)", "run run=bench-syscall", 32, ("value", "syscall_instructions")),
    ("instructions per context switch (two processes yielding)", "run run=bench-switch", 32,
     ("value", "switch_instructions")),
    ("instructions per IPC round trip (call + receive + reply)", "run run=bench-ipc", 32,
     ("value", "ipc_roundtrip_instructions")),
    ("instructions per zero-fill fault, user access to user access, without the 4 KiB clear", "run run=bench-fault", 32,
     ("value", "fault_zero_fill_instructions")),
    ("instructions per resident-map fault", "run run=bench-fault", 32, ("value", "fault_resident_map_instructions")),
    ("instructions per copy-on-write fault, without the 4 KiB copy", "run run=bench-fault", 32,
     ("value", "fault_copy_on_write_instructions")),
    ("instructions per copy-on-write fault on the last mapping (no copy)", "run run=bench-fault", 32,
     ("value", "fault_last_mapping_instructions")),
    ("instructions to fork a process with 4 MiB of dirty memory", "run run=bench-fork", 32,
     ("value", "fork_4mib_instructions")),
    ("instructions for munmap of 2 GiB holding 2 pages (interrupts off throughout)", "run run=address-space", 32,
     ("value", "munmap_2g_instructions")),
    # lab 5 (a fifth field: the swap disk's MiB)
    ("instructions per page-out: swap store, 8 disk interrupts, the disk's time", "lab5_bench", 8,
     ("value", "page_out_instructions"), 16),
    ("instructions per page-in: swap store, 8 disk interrupts, the disk's time", "lab5_bench", 8,
     ("value", "page_in_instructions"), 16),
    ("instructions per entry the collector scans (accessed, kept)", "lab5_bench", 8,
     ("value", "scan_entry_instructions"), 16),
    ("page-linear (buffer 2x free memory, 8 MiB guest): instructions", PAGE_LINEAR, 8,
     ("value", "workload_instructions"), 32),
    ("page-linear: pages written out", PAGE_LINEAR, 8, ("value", "page_outs"), 32),
    ("page-linear: pages read in", PAGE_LINEAR, 8, ("value", "page_ins"), 32),
    ("page-linear: wall seconds of the whole Bochs run (host-dependent)", PAGE_LINEAR, 8, ("wall", ""), 32),
    ("oracle, loop: kernel misses / LRU's (clock, OPT / LRU)", REPLAY, 6, ("oracle", "loop"), 32),
    ("oracle, 90/10 hot/cold: kernel misses / LRU's (clock, OPT / LRU)", REPLAY, 6, ("oracle", "hotcold"), 32),
    ("oracle, matrix: kernel misses / LRU's (clock, OPT / LRU)", REPLAY, 6, ("oracle", "matrix"), 32),
    # Lab 6: the user-space pager (handouts/lab6-user-pager.md), beside lab 5's swap store.
    ("lab 6: page-in through the user pager, fault to resume, no memory pressure, page in the pager's RAM", LAB6_BENCH, 32,
     ("value", "pager_page_in_instructions")),
    ("lab 6: the same, page on the pager's disk slots (pager_disk)", LAB6_DISK_BENCH, 32,
     ("value", "pager_page_in_instructions"), 16),
    ("lab 6: page-in, no memory pressure (written, pushed out, memory freed), fault to resume: swap store", SWAP_COLD, 8,
     ("value", "cold_page_in_instructions"), 64),
    ("lab 6: the same: user pager (pages on its disk slots)", PAGER_COLD, 8,
     ("value", "cold_page_in_instructions"), 64),
    ("lab 6:   ratio user pager / swap store (goal: at most 2)", None, 0,
     ("ratio", (PAGER_COLD, SWAP_COLD, "cold_page_in_instructions"))),
    ("lab 6:   free frames when the reading began: swap store run", SWAP_COLD, 8, ("value", "cold_frames_free"), 64),
    ("lab 6:   the same: user pager run", PAGER_COLD, 8, ("value", "cold_frames_free"), 64),
    ("lab 6: a refused reply, unknown id (pager_reply to its return)", LAB6_BENCH, 32,
     ("value", "refused_unknown_id_instructions")),
    ("lab 6: a refused reply, right id, wrong offset", LAB6_BENCH, 32, ("value", "refused_wrong_offset_instructions")),
    ("lab 6: spawn of a 1 MiB image touching 1 table page, to its exit: demand-loaded from the pager", LAB6_SPAWN,
     32, ("value", "demand_spawn_instructions")),
    ("lab 6: the same, loaded eagerly", LAB6_SPAWN, 32, ("value", "eager_spawn_instructions")),
    ("lab 6: page-in under memory pressure, fault to resume: swap store (lab 5)", SWAP_PAGING, 8,
     ("value", "page_in_instructions"), 64),
    ("lab 6: page-in under memory pressure, fault to resume: user pager (pages on its disk slots)", PAGER_PAGING, 8,
     ("value", "page_in_instructions"), 64),
    ("lab 6:   ratio user pager / swap store (goal: at most 2)", None, 0,
     ("ratio", (PAGER_PAGING, SWAP_PAGING, "page_in_instructions"))),
    ("lab 6: page-out: rewriting a paged-out page (page-in + page-out), per page: swap store", SWAP_PAGING, 8,
     ("value", "rewrite_instructions_per_page"), 64),
    ("lab 6: page-out: the same, per page: user pager (pages on its disk slots)", PAGER_PAGING, 8,
     ("value", "rewrite_instructions_per_page"), 64),
    ("lab 6:   ratio user pager / swap store (goal: at most 2)", None, 0,
     ("ratio", (PAGER_PAGING, SWAP_PAGING, "rewrite_instructions_per_page"))),
]


def boot(test, megs, flavour, swap_mib=0):
    """Run one kernel test ("name words...[@path]", with a swap disk of
    swap_mib MiB); returns the RunResult."""
    test, _, path = test.partition("@")
    path = path or bootpath.TESTS
    token = secrets.token_hex(8)
    kernel = paths.kernel_elf(flavour)
    name, *extra = test.split()  # "run run=bench-ipc": the test, then more command-line words
    # Short directory names: Bochs cannot open a disk image under a long path.
    slug = f"{name}-{hashlib.sha1(test.encode()).hexdigest()[:8]}" if extra else name
    workdir = os.path.join(paths.runs_dir(flavour), f"bench-{slug}-{megs}m-{path}")
    os.makedirs(workdir, exist_ok=True)
    image = bootpath.build(kernel, workdir, " ".join([f"test={name}", f"token={token}"] + extra), path)
    return bochs.run(image, megs=megs, workdir=workdir, token=token, swap_mib=swap_mib)


def figure(run, where, runs=None):
    """The number a FIGURES row names, as text."""
    kind, what = where
    if kind == "ratio":  # (top test, bottom test, key[, bottom's key])
        top, bottom, key, *other = what
        a = next((r.report.values.get(key) for (t, _), r in runs.items() if t == top), None)
        b = next((r.report.values.get(other[0] if other else key) for (t, _), r in runs.items() if t == bottom), None)
        return f"{int(a) / int(b):.2f}" if a and b and int(b) else "?"
    if kind == "console":
        m = re.search(what, run.serial)
        return m.group(1) if m else "?"
    if kind == "value":
        return run.report.values.get(what, "?")
    if kind == "wall":
        return f"{run.wall:.1f}"
    if kind == "oracle":
        v = run.report.values
        k, misses = v.get(f"oracle_{what}_k"), v.get(f"oracle_{what}_misses")
        if not (k and misses):
            return "?"
        sim = replacement.simulate(what, int(k))
        return f"{int(misses) / sim['lru']:.2f} ({sim['clock'] / sim['lru']:.2f}, {sim['opt'] / sim['lru']:.2f})"
    top, bottom = what.split("/")
    a, b = run.report.values.get(top), run.report.values.get(bottom)
    return f"{int(a) / int(b):.3f}" if a and b else "?"


WALL_RUNS = 5


def wall_figures(flavour):
    """Median wall seconds of WALL_RUNS boots of `test=boot` on each boot path:
    making the run's medium (ISO, or shim ROM and disk), and the whole run
    (medium, Bochs start, boot, test, power-off). These depend on the host
    and its load; the instruction counts do not."""
    kernel = paths.kernel_elf(flavour)
    rows = []
    for path in ("grub", "shim"):
        workdir = os.path.join(paths.runs_dir(flavour), f"bench-wall-{path}")
        os.makedirs(workdir, exist_ok=True)
        make_s, run_s = [], []
        for _ in range(WALL_RUNS):
            token = secrets.token_hex(8)
            started = time.monotonic()
            image = bootpath.build(kernel, workdir, f"test=boot token={token}", path)
            made = time.monotonic()
            bochs.run(image, workdir=workdir, token=token)
            make_s.append(made - started)
            run_s.append(time.monotonic() - started)
        load = os.getloadavg()[0]
        rows += [(f"wall seconds to make a run's boot medium, {path} path, median of {WALL_RUNS}",
                  f"{statistics.median(make_s):.2f}"),
                 (f"wall seconds for a whole `test=boot` run, {path} path, median of {WALL_RUNS} "
                  f"(load average {load:.1f})", f"{statistics.median(run_s):.2f}")]
    return rows


def suite_figures(flavour, runs):
    """Median wall seconds of `runs` runs of the kernel tests plus the
    debugger checks (the runners' defaults: 2 jobs, the shim path), for labs
    0-4 (issue 12's figure: under 30 s) and for every lab."""
    if runs <= 0:
        return [("wall seconds for tests/kernel/run.py + tests/debugger/run.py", "(make bench SUITE_RUNS=3)")]
    rows = []
    for labs, label in (("0-4", "labs 0-4"), (None, "every lab")):
        walls, loads = [], []
        env = dict(os.environ, FLAVOUR=flavour)
        for _ in range(runs):
            started = time.monotonic()
            for runner in ("kernel", "debugger"):
                subprocess.run([sys.executable, os.path.join(paths.REPO, "tests", runner, "run.py"), "-q"]
                               + (["--lab", labs] if labs else []),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            walls.append(time.monotonic() - started)
            loads.append(os.getloadavg()[0])
        rows.append((f"wall seconds, kernel tests + debugger checks, {label}, median of {runs} "
                     f"(load average {statistics.median(loads):.1f}; each: "
                     + ", ".join(f"{w:.0f}" for w in walls) + ")", f"{statistics.median(walls):.1f}"))
    return rows


def main():
    flavour = os.environ.get("FLAVOUR", "reference")
    only = os.environ.get("BENCH_ONLY", "")
    print(f"benchmarks ({flavour} kernel, Bochs, guest instructions)")
    # Every distinct run, JOBS at a time: the figures are instruction counts,
    # which no neighbour changes (a wall-seconds row is host-dependent anyway).
    pool = ThreadPoolExecutor(max_workers=JOBS)
    started = {}
    for name, test, megs, _, *swap in FIGURES:
        if test is not None and (test, megs) not in started and only in name:
            started[(test, megs)] = pool.submit(boot, test, megs, flavour, swap[0] if swap else 0)
    runs = {}
    for name, test, megs, where, *swap in FIGURES:
        if only and only not in name:
            continue
        if test is None:  # derived from earlier rows
            print(f"  {name:<84} {figure(None, where, runs):>10}")
            continue
        run = runs.setdefault((test, megs), started[(test, megs)].result())
        value = figure(run, where)
        print(f"  {name:<84} {value:>10}" + ("" if value != "?" else f"   ({run.outcome}: {run.reason})"), flush=True)
    if only:
        return
    for name, value in wall_figures(flavour) + suite_figures(flavour, int(os.environ.get("SUITE_RUNS") or 0)):
        print(f"  {name:<84} {value:>10}")


if __name__ == "__main__":
    main()
