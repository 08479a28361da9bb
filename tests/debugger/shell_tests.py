#!/usr/bin/python3
"""Tests of the debugger shell of `make debug` (tests/debugger/vmshell/).

    tests/debugger/shell_tests.py [--only CASE] [--junit FILE] [--json FILE]

pexpect drives `tools/bochs-run debug` (what `make debug` runs) as a student
would. What each `vm` command prints is compared with the state the debugger
checks read (checks/kstate.py), read through the shell's pass-through of
plain Bochs commands (`x`, `xp`, `page`, `r`, `creg`, `writemem`).

Cases (each a list of rules, reported one result per rule):
  fault    the reference kernel (solutions/, or the release's prebuilt
           reference/), `test=run run=handout-touch`: a whole demand-zero
           fault from `vm break fault` to `vm finish`, every vm command, a
           corrupted descriptor flagged, `q` leaving no Bochs behind
  skeleton the skeleton flavour (every lab a pristine skeleton, whatever
           labs/ holds: no frame array, so no process): Ctrl-C breaks in;
           every vm command says what is not there and the shell survives
           them all; the kernel runs to its end
The rules are in shell_rules.py.
Writes build/results/debugger-shell.xml and .json.
"""

import argparse
import os
import subprocess
import sys
import time

import pexpect

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from harness import debugger, paths, procs, results  # noqa: E402
from shell_rules import FAULT_RULES, PROMPT, SKELETON_RULES, ShellFailed  # noqa: E402

PY = "/usr/bin/python3"


class ShellDriver:
    """`tools/bochs-run debug` under pexpect, and a session for a harness
    Debugger: command() sends a line through the shell and returns its output."""

    def __init__(self, flavour, cmdline, name):
        self.kernel = paths.kernel_elf(flavour)
        self.workdir = os.path.join(paths.runs_dir(flavour), f"debugger-shell-{name}")
        argv = ["tools/bochs-run", "debug", "--kernel", self.kernel, "--cmdline", cmdline,
                "--workdir", self.workdir, "--history", os.path.join(self.workdir, "history")]
        self.child = pexpect.spawn(PY, argv, cwd=paths.REPO, encoding="utf-8", codec_errors="replace",
                                   env=dict(os.environ, TERM="dumb"), echo=False, timeout=60)
        procs.register(self.child)
        self.child.expect(r"Bochs pid (\d+)")
        self.bochs_pid = int(self.child.match.group(1))
        self.child.expect(PROMPT)
        self.ticks = 0
        self.dbg = debugger.Debugger(self, self.kernel, paths.kernel_sym(flavour), budget=None,
                                     wall_timeout=10 ** 9)

    def command(self, cmd, timeout=60):
        """One line through the shell: its output, without the echo."""
        self.child.sendline(cmd)
        self.child.expect(PROMPT, timeout=timeout)
        lines = self.child.before.replace("\r", "").split("\n")
        if lines and (lines[0].strip().endswith(cmd.strip()) if cmd.strip() else not lines[0].strip()):
            lines = lines[1:]
        return "\n".join(lines).strip("\n")

    def close(self):
        """Kill what is left."""
        procs.kill(self.child)
        try:
            os.kill(self.bochs_pid, 9)
        except OSError:
            pass


# ---- the runner --------------------------------------------------------------------

CASES = {
    # The reference: solutions/ in the course tree, the prebuilt reference/ in the release.
    "fault": ("reference", "test=run run=handout-touch", FAULT_RULES),
    # Every lab from its pristine skeleton, whatever labs/ holds (a student's
    # finished labs must not turn this case into a failure).
    "skeleton": ("skeleton", "test=run run=handout-touch", SKELETON_RULES),
}


def build(flavour):
    """make FLAVOUR=flavour all; None or the build's last lines."""
    r = subprocess.run(["make", "--no-print-directory", f"FLAVOUR={flavour}", "all"], cwd=paths.REPO,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return None if r.returncode == 0 else r.stdout[-1500:]


def run_case(name):
    """Run one case's rules in one shell session: a Result per rule."""
    flavour, cmdline, rules = CASES[name]
    names = [f"shell-{name}-{r.__name__[5:].replace('_', '-')}" for r in rules]
    broken = build(flavour)
    if broken:
        return [results.Result("debugger", n, 0, 0, False, f"make FLAVOUR={flavour} failed", details=broken)
                for n in names]
    out, failure = [], None
    started = time.monotonic()
    sh = ShellDriver(flavour, cmdline, name)
    try:
        state = {}
        for rule, rule_name in zip(rules, names):
            if failure:
                out.append(results.Result("debugger", rule_name, 0, 0, False, "not reached: " + failure))
                continue
            try:
                rule(sh, sh.dbg, state)
                out.append(results.Result("debugger", rule_name, 0, 0, True, ""))
            except (ShellFailed, debugger.CheckFailed, pexpect.TIMEOUT, pexpect.EOF) as e:
                failure = f"{rule_name}: {e}".splitlines()[0][:300]
                tail = (sh.child.before or "")[-1500:] if isinstance(sh.child.before, str) else ""
                out.append(results.Result("debugger", rule_name, 0, 0, False, str(e).splitlines()[0][:300],
                                          details=f"{e}\nshell output before:\n{tail}",
                                          replay=f"make debug FLAVOUR={flavour} KCMD='{cmdline}'"))
    finally:
        sh.close()
    wall = time.monotonic() - started
    for r in out:
        r.wall = wall / len(out)
    return out


def main(argv=None):
    """Run the cases; print one line per rule; write the results files."""
    p = argparse.ArgumentParser(description="Tests of the debugger shell of `make debug`.")
    p.add_argument("--only", choices=sorted(CASES), action="append")
    p.add_argument("--junit", default=os.path.join(paths.RESULTS, "debugger-shell.xml"))
    p.add_argument("--json", default=os.path.join(paths.RESULTS, "debugger-shell.json"))
    args = p.parse_args(argv)
    procs.install()
    out = []
    for name in args.only or sorted(CASES):
        for r in run_case(name):
            print("\n".join(results.report_lines(r)), flush=True)
            out.append(r)
    return results.finish(out, args.junit, args.json, "debugger", "debugger shell")


if __name__ == "__main__":
    sys.exit(main())
