#!/usr/bin/python3
"""Self-tests of the harness and the boot paths (`make test-harness`).

    tests/harness/selftest.py [--flavour F] [--only NAME] [--junit FILE] [--json FILE]

Each case names the rule it checks. Cases that boot use the built kernel of
the flavour (make first) and real Bochs runs; the others feed the judge made-up
runs. Prints PASS/FAIL lines and `harness: N passed, N failed`; writes
build/results/harness.xml and harness.json.

The kernel-side halves of these rules are kernel tests in labs/manifest.json
(lab 0): harness-debugger-lookalike (a program printing the debugger's own
lines), harness-console-storm-user and -kernel (verdict lines amid another
process's half lines).
"""

import argparse
import contextlib
import functools
import io
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import pexpect  # noqa: E402

from harness import bochs, boot as bootpath, bootimage, judge, kout, manifest, paths, procs, results, shimboot, suite  # noqa: E402


class Failed(Exception):
    """A self-test's expectation did not hold."""


def expect(condition, message):
    """Raise Failed(message) unless condition."""
    if not condition:
        raise Failed(message)


def boot(flavour, name, cmdline_words, kernel=None, budget=400_000_000, env=None, path="grub",
         megs=bochs.DEFAULT_MEGS):
    """Boot `kernel` (default: the flavour's) on boot path `path` with
    `test=... token=T` plus the given text; returns (RunResult, token, exact
    command line)."""
    token = secrets.token_hex(8)
    cmdline = f"{cmdline_words[0]} token={token}{cmdline_words[1]}"
    workdir = os.path.join(paths.runs_dir(flavour), f"harness-{name}-{path}")
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    if env:  # cases run side by side (main): the environment changes under a lock
        with ENV_LOCK:
            saved = dict(os.environ)
            os.environ.update(env)
            try:
                image = bootpath.build(kernel or paths.kernel_elf(flavour), workdir, cmdline, path)
            finally:
                os.environ.clear()
                os.environ.update(saved)
    else:
        image = bootpath.build(kernel or paths.kernel_elf(flavour), workdir, cmdline, path)
    run = bochs.run(image, megs=megs, budget=budget, workdir=workdir, token=token)
    return run, token, cmdline


def echoed_cmdline(run):
    """The command line the kernel saw, from test cmdline_echo's VALUE lines."""
    hex_text = run.report.values.get("cmdline_hex", "")
    expect(hex_text, f"no VALUE cmdline_hex ({run.outcome}: {run.reason})")
    return bytes.fromhex(hex_text).decode("utf-8", "replace")


# ------------------------------------------------------------------ cases ----

SPECIAL_TAIL = ' a=} b=; c=$x d=${y} e="q" f=\'s\' g=back\\slash h=#no-comment  i=two  spaces j=end'


def cmdline_special_characters(flavour, path="grub"):
    """The command line reaches the kernel exactly (through GRUB, or the shim):
    `}`, `;`, `$`, `"`, `'`, backslashes, `#` and runs of spaces are text,
    not config syntax."""
    run, _, cmdline = boot(flavour, "cmdline-special", ("test=cmdline-echo", SPECIAL_TAIL), path=path)
    seen = echoed_cmdline(run)
    expect(seen == cmdline, f"kernel saw {seen!r}, expected {cmdline!r}")
    expect(run.outcome == "poweroff", run.reason)


def cmdline_1000_characters(flavour, path="grub"):
    """A 1,000-character command line (every printable ASCII character) reaches
    the kernel whole and exact."""
    printable = "".join(chr(c) for c in range(0x21, 0x7F))
    filler = (printable * 20)[:1000]
    head = "test=cmdline-echo"
    token_part = " token=" + "0" * 16
    tail = " x=" + filler[:1000 - len(head) - len(token_part) - 3]
    run, _, cmdline = boot(flavour, "cmdline-1000", (head, tail), path=path)
    expect(len(cmdline) == 1000, f"made a line of {len(cmdline)} characters")
    seen = echoed_cmdline(run)
    expect(seen == cmdline, f"kernel saw {len(seen)} characters, differing from position "
                            f"{next((i for i, (a, b) in enumerate(zip(seen, cmdline)) if a != b), min(len(seen), len(cmdline)))}")


def cmdline_refused_when_unsendable(flavour):
    """A command line GRUB cannot carry (a line break, over 4,096 bytes) is
    refused before any run, with the reason."""
    for bad, why in (("test=boot\nx", "line breaks"), ("x" * 4097, "at most 4096")):
        try:
            bootimage.grub_config(bad, [])
        except bootimage.BootImageError as e:
            expect(why in str(e), f"refused for {e}, expected a reason with {why!r}")
        else:
            raise Failed(f"a command line with {why} was accepted")


def modules_past_limit_are_reported(flavour, path="grub"):
    """Boot prints each module it drops past its limit (64), by name, and the
    module count says how many were dropped: 70 programs in the archive."""
    kernel = paths.kernel_elf(flavour)
    hello = os.path.join(os.path.dirname(kernel), "user", "hello.elf")
    with tempfile.TemporaryDirectory(dir=paths.runs_dir(flavour)) as tmp:
        os.makedirs(os.path.join(tmp, "user"))
        shutil.copyfile(kernel, os.path.join(tmp, "kernel.elf"))
        names = [f"prog-{i:02d}" for i in range(70)]
        for name in names:
            os.link(hello, os.path.join(tmp, "user", name + ".elf"))
        run, _, _ = boot(flavour, "modules-past-limit", ("test=cmdline-echo", ""),
                         kernel=os.path.join(tmp, "kernel.elf"), path=path)
    # the archive is module 1, so programs 0..62 fit and 63..69 are dropped
    dropped = re.findall(r"boot: module '([^']+)' dropped", run.serial)
    expect(dropped == names[63:], f"dropped lines for {dropped}, expected {names[63:]}")
    expect("modules: 64 (7 dropped, see above)" in run.serial, "no 'modules: 64 (7 dropped' line")
    expect(run.outcome == "poweroff", run.reason)


def missing_verdicts_are_named(flavour):
    """A run with fewer verdicts than its manifest expects fails, and its
    reason names every missing one, for any manifest (here a made-up one
    with six expected verdicts, five of them never printed)."""
    names = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write('{"labs": [{"lab": 7, "kernel_tests": [{"name": "made-up", '
                '"expect": {"verdicts": %s}}]}]}' % str(names).replace("'", '"'))
    try:
        case = manifest.load("kernel", f.name)[0]
    finally:
        os.unlink(f.name)
    report = kout.parse("vmkit kernel booting\n@@ t VERDICT alpha PASS\n@@ t END made-up\n", "t")
    run = bochs.RunResult(outcome="poweroff", reason="kernel powered off", report=report)
    passed, reason = judge.judge(run, case.test, case.expect)
    expect(not passed, "judged a pass")
    for name in names[1:]:
        expect(name in reason, f"{name} not named in: {reason}")
    expect("alpha" not in reason.split("missing:")[-1], f"alpha named though printed: {reason}")


def longest_cases_start_first(flavour):
    """The runners start the case that took longest last time first, and a
    case never timed by its guest memory (512 MiB first); results still come
    back in manifest order."""
    cases = [manifest.Case(kind="kernel", name=n, lab=0, test=n, megs=m)
             for n, m in (("a", 32), ("b", 512), ("c", 8), ("d", 32))]
    order = [c.name for c in suite.longest_first(cases, {"c": 3.0, "a": 9.5})]
    expect(order == ["a", "c", "b", "d"], f"started in order {order}, expected a, c, b, d")
    started = []
    with contextlib.redirect_stdout(io.StringIO()):     # execute prints each result line
        out = suite.execute(cases, lambda c: started.append(c.name) or results.Result(
            "kernel", c.name, 0, 0, True), jobs=1, quiet=True, order=list(reversed(cases)))
    expect(started == ["d", "c", "b", "a"], f"started {started}, expected d, c, b, a")
    expect([r.name for r in out] == ["a", "b", "c", "d"], f"results in order {[r.name for r in out]}")


def lab_ranges_select_cases(flavour):
    """`--lab 3` and `--lab 0-4` pick those labs' cases (make bench's labs
    0-4 figure); a malformed range is an argument error."""
    cases = [manifest.Case(kind="kernel", name=f"c{n}", lab=n, test="t") for n in range(7)]
    picked = [c.name for c in manifest.select(cases, suite.lab_set("0-4"))]
    expect(picked == ["c0", "c1", "c2", "c3", "c4"], f"--lab 0-4 picked {picked}")
    picked = [c.name for c in manifest.select(cases, suite.lab_set("3"))]
    expect(picked == ["c3"], f"--lab 3 picked {picked}")
    for bad in ("x", "1-", "-2", "1-x", "4-2"):
        try:
            suite.lab_set(bad)
        except argparse.ArgumentTypeError:
            continue
        raise Failed(f"--lab {bad!r} was taken")


def _replay_stop(flavour, cmdline, until, path):
    """Start the replay (`tools/bochs-run debug ... --until --boot`, what `make
    debug ... UNTIL= BOOT=` runs); return (tick, eip) at its first prompt."""
    argv = [os.path.join(paths.REPO, "tools", "bochs-run"), "debug", "--kernel", paths.kernel_elf(flavour),
            "--cmdline", cmdline, "--megs", str(bochs.DEFAULT_MEGS), "--until", str(until), "--boot", path,
            # not the default build/<flavour>/runs/debug: the other replay may run beside this one
            "--workdir", os.path.join(paths.runs_dir(flavour), f"harness-replay-{path}-{until}")]
    child = pexpect.spawn(argv[0], argv[1:], cwd=paths.REPO, env=bochs.bochs_env(), encoding="utf-8",
                          codec_errors="replace", timeout=120)
    procs.register(child)
    try:
        child.expect(r"Caught time breakpoint")
        child.expect(bochs.PROMPT_RE.pattern)
        stop_text = child.before
        child.sendline("r")
        child.expect(bochs.PROMPT_RE.pattern)
        regs = child.before
        child.sendline("q")
        child.expect(pexpect.EOF, timeout=20)
    finally:
        procs.kill(child)
    tick = bochs.last_tick(stop_text)
    eip = re.search(r"rip: [0-9a-f]+_([0-9a-f]+)", regs)
    return tick, int(eip.group(1), 16) if eip else None


def _dump_eip(run):
    """eip from the run's debugger dump."""
    m = re.search(r"rip: [0-9a-f]+_([0-9a-f]+)", run.dump)
    return int(m.group(1), 16) if m else None


def replay_stops_at_halt(flavour, path="grub"):
    """A `cli; hlt` hang's replay command has an UNTIL, and the replay (on the
    run's boot path) stops there to the instruction: at that count, at the
    hlt that hung."""
    run, _, cmdline = boot(flavour, "replay-halt", ("test=misbehave-halt", ""), budget=80_000_000, path=path)
    address = bochs.halt_address(run.reason)
    expect(run.stop == "budget" and address is not None, f"run ended {run.outcome}: {run.reason}")
    expect(run.stopped_at is not None, "no UNTIL for the replay")
    tick, eip = _replay_stop(flavour, cmdline, run.stopped_at, path)
    expect(tick == run.stopped_at, f"replay stopped at {tick}, expected {run.stopped_at}")
    expect(eip == address, f"replay stopped at eip 0x{eip or 0:08x}, the hang's hlt is at 0x{address:08x}")


def replay_stops_at_budget(flavour, path="grub"):
    """A spinning hang's replay (on the run's boot path) stops at the same
    instruction count and the same eip as the run the harness stopped."""
    run, _, cmdline = boot(flavour, "replay-spin", ("test=misbehave-spin", ""), budget=60_000_000, path=path)
    expect(run.stop == "budget" and run.stopped_at == 60_000_000, f"run ended {run.outcome} "
           f"at {run.stopped_at}: {run.reason}")
    tick, eip = _replay_stop(flavour, cmdline, run.stopped_at, path)
    expect(tick == run.stopped_at, f"replay stopped at {tick}, expected {run.stopped_at}")
    expect(eip == _dump_eip(run), f"replay eip 0x{eip or 0:08x}, run's eip 0x{_dump_eip(run) or 0:08x}")


BOOT_SECTION = re.compile(r"^command line: .*?^ktest: running", re.S | re.M)


def _boot_view(run):
    """What the kernel reports having received: command line, memory map,
    modules, kernel memory (the lines from `command line:` to `ktest:`)."""
    m = BOOT_SECTION.search(run.serial)
    expect(m, f"no boot report in the console ({run.outcome}: {run.reason})")
    return m.group(0)


def shim_matches_grub(flavour):
    """The kernel sees the same command line, memory map (mem_lower,
    mem_upper, every entry), modules (addresses, names, the archive's
    programs) and memory layout whether GRUB or the shim booted it, at 8, 32
    and 512 MiB, with a command line full of quoting characters."""
    for megs in (8, 32, 512):
        views = {}
        for path in bootpath.PATHS:
            run, _, cmdline = boot(flavour, f"same-view-{megs}m", ("test=cmdline-echo", SPECIAL_TAIL),
                                   path=path, megs=megs)
            expect(run.outcome == "poweroff", f"{path}, {megs} MiB: {run.reason}")
            expect(echoed_cmdline(run) == cmdline, f"{path}, {megs} MiB: the kernel saw "
                                                   f"{echoed_cmdline(run)!r}, expected {cmdline!r}")
            views[path] = _boot_view(run).replace(cmdline, "<cmdline>")
        expect(views["shim"] == views["grub"], f"{megs} MiB: the shim's boot report differs:\n"
               f"--- grub\n{views['grub']}\n--- shim\n{views['shim']}")


def shim_loads_payload_exactly(flavour):
    """At the kernel's first instruction on the shim path, memory holds the
    payload (the kernel's segments, its bss as zeros, the program archive)
    byte for byte, EAX is the Multiboot loader magic and EBX the info's
    address, as GRUB leaves them."""
    kernel = paths.kernel_elf(flavour)
    workdir = os.path.join(paths.runs_dir(flavour), "harness-shim-payload")
    shutil.rmtree(workdir, ignore_errors=True)
    image = shimboot.build(kernel, os.path.join(workdir, "shim.rom"), "test=boot token=0")
    size = image.payload.sectors * 512
    dump = os.path.join(workdir, "memory.bin")
    session = bochs.BochsSession(image, workdir=workdir)
    try:
        session.start()
        session.command(f"lb 0x{image.payload.entry:x}")
        stop = session.command("c", timeout=60)
        regs = session.command("r")
        session.command(f'writemem "{dump}" 0x{image.payload.base:x} {size}')
        session.quit()
    finally:
        session.close()
    expect(re.search(r"Breakpoint \d+", stop), f"never reached the kernel's entry: {stop[-300:]}")
    expect(re.search(r"rax: 00000000_2badb002", regs), "EAX is not 0x2BADB002")
    expect(re.search(r"rbx: 00000000_%08x" % shimboot.MBI_ADDR, regs), "EBX is not the info's address")
    with open(image.payload.path, "rb") as f:
        want = f.read(size)
    with open(dump, "rb") as f:
        got = f.read()
    differ = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), None)
    expect(len(got) == size and differ is None,
           f"memory differs from the payload at 0x{image.payload.base + (differ or len(got)):x}")


def _case(func, path):
    """`func` run on boot path `path`."""
    return functools.partial(func, path=path)


# The cases that boot most (both paths, three memory sizes): started first.
LONGEST = {"shim-matches-grub", "shim-loads-payload-exactly"}
ALONE = {"longest-cases-start-first"}   # redirects sys.stdout while it runs
ENV_LOCK = threading.Lock()

CASES = [
    ("cmdline-special-characters", cmdline_special_characters),
    ("cmdline-1000-characters", cmdline_1000_characters),
    ("cmdline-refused-when-unsendable", cmdline_refused_when_unsendable),
    ("modules-past-limit-are-reported", modules_past_limit_are_reported),
    ("missing-verdicts-are-named", missing_verdicts_are_named),
    ("longest-cases-start-first", longest_cases_start_first),
    ("lab-ranges-select-cases", lab_ranges_select_cases),
    ("replay-stops-at-halt", replay_stops_at_halt),
    ("replay-stops-at-budget", replay_stops_at_budget),
    ("shim-matches-grub", shim_matches_grub),
    ("shim-loads-payload-exactly", shim_loads_payload_exactly),
    ("shim-cmdline-special-characters", _case(cmdline_special_characters, "shim")),
    ("shim-cmdline-1000-characters", _case(cmdline_1000_characters, "shim")),
    ("shim-modules-past-limit-are-reported", _case(modules_past_limit_are_reported, "shim")),
    ("shim-replay-stops-at-halt", _case(replay_stops_at_halt, "shim")),
    ("shim-replay-stops-at-budget", _case(replay_stops_at_budget, "shim")),
]


def main(argv=None):
    procs.install()
    junit, json_path = results.default_paths("harness")
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--flavour", default=os.environ.get("FLAVOUR", "reference"))
    p.add_argument("--only", action="append", default=[])
    p.add_argument("--junit", default=junit)
    p.add_argument("--json", default=json_path)
    p.add_argument("-j", "--jobs", type=int, default=2, help="cases at a time (default 2)")
    args = p.parse_args(argv)
    chosen = [(n, f) for n, f in CASES if not args.only or n in args.only]

    def one(name, func):
        started = time.monotonic()
        try:
            func(args.flavour)
            result = results.Result("harness", name, 0, 0, True)
        except Failed as e:
            result = results.Result("harness", name, 0, 0, False, str(e))
        except Exception as e:  # a bug here, or Bochs missing: report it as a failure
            result = results.Result("harness", name, 0, 0, False, f"harness error: {e!r}",
                                    details=traceback.format_exc())
        result.wall = time.monotonic() - started
        return result

    # Two cases at a time (every case has its own work directories), the
    # longest first; printed in the order of CASES. A case that swaps
    # sys.stdout runs alone, before the others.
    done = {name: one(name, func) for name, func in chosen if name in ALONE}
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        running = {name: pool.submit(one, name, func)
                   for name, func in sorted(chosen, key=lambda c: c[0] not in LONGEST) if name not in done}
        out = []
        for name, _ in chosen:
            out.append(done[name] if name in done else running[name].result())
            print("\n".join(results.report_lines(out[-1])), flush=True)
    return results.finish(out, args.junit, args.json, "harness", "harness")


if __name__ == "__main__":
    sys.exit(main())
