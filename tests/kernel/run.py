#!/usr/bin/python3
"""Kernel test runner: boots each kernel test of labs/manifest.json in Bochs.

    tests/kernel/run.py [--lab N | --lab N-M | --all] [--flavour F] [--only NAME] [-j JOBS]

Each test boots build/<flavour>/kernel.elf with `test=<test> token=<random>`
under an instruction budget, and is judged from the kernel's `@@ <token>` lines
(tests/harness/README.md). Prints PASS/FAIL lines, with the `make debug` command
that replays a failed run, and writes build/results/kernel.xml and kernel.json.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import bochs, judge, results, suite  # noqa: E402


def run_case(case, flavour):
    """Run one kernel test; return its Result."""
    setup = suite.prepare(case, flavour)
    run = bochs.run(setup.iso, megs=case.megs, budget=case.budget, swap_mib=case.swap_mib,
                    wall_timeout=case.timeout, symfile=setup.symfile,
                    workdir=setup.workdir, token=setup.token)
    passed, reason = judge.judge(run, case.test, case.expect)
    return results.Result(
        "kernel", case.name, case.lab, case.points, passed, reason,
        replay="" if passed else results.replay_command(
            flavour, setup.cmdline, case.megs, suite.replay_until(run), case.swap_mib, setup.boot),
        ticks=run.ticks, wall=run.wall,
        details="" if passed else suite.failure_details(run))


if __name__ == "__main__":
    sys.exit(suite.main("kernel", run_case, __doc__.splitlines()[1]))
