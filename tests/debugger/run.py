#!/usr/bin/python3
"""Debugger check runner: scripted Bochs debugger sessions over kernel runs.

    tests/debugger/run.py [--lab N | --lab N-M | --all] [--flavour F] [--only NAME] [-j JOBS]

Each check of labs/manifest.json ("debugger_checks") boots its kernel test with
the kernel symbols loaded and runs tests/debugger/checks/<script>.py against a
harness.debugger.Debugger. Prints PASS/FAIL lines with a `make debug` replay
command, writes build/results/debugger.xml and debugger.json.
"""

import importlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from harness import bochs, debugger, results, suite  # noqa: E402

DEFAULT_END_OUTCOMES = ("poweroff", "panic")


def _load(script):
    """The check module tests/debugger/checks/<script>.py."""
    return importlib.import_module(f"checks.{script}")


def _drive(dbg, module):
    """Run the check and the kernel's end: (outcome, reason, failure or None)."""
    try:
        dbg.start()
        module.check(dbg)
    except debugger.CheckFailed as e:
        return "", "", str(e)
    except debugger.KernelStopped as e:
        return e.outcome, e.reason, f"the kernel did not get there: {e.reason}"
    except (bochs.BochsStartError, bochs.CommandTimeout) as e:
        return "bochs-error", str(e), f"Bochs: {e}"
    try:
        outcome, reason = dbg.finish()
    except debugger.KernelStopped as e:
        outcome, reason = e.outcome, e.reason
    return outcome, reason, None


def run_case(case, flavour):
    """Run one debugger check; return its Result."""
    module = _load(case.script)
    setup = suite.prepare(case, flavour, case.test or module.KERNEL_TEST)
    session = bochs.BochsSession(setup.iso, workdir=setup.workdir, megs=case.megs,
                                 symfile=setup.symfile, swap_mib=case.swap_mib)
    dbg = debugger.Debugger(session, setup.kernel, setup.symfile, budget=case.budget,
                            wall_timeout=case.timeout)
    dbg.token = setup.token  # whose `@@` lines a check may read (session.serial_text())
    try:
        outcome, reason, failure = _drive(dbg, module)
        stopped_at = session.ticks if session.at_prompt else None
        dump = bochs.collect_dump(session) if outcome and failure and session.at_prompt else ""
        session.quit()
    finally:
        session.close()
    run = bochs.make_result(session, outcome, reason, dump, setup.token, case.budget, 0.0)
    ends = getattr(module, "END_OUTCOMES", DEFAULT_END_OUTCOMES)
    if failure is None and run.outcome not in ends:
        failure = f"after the check, the run did not end well: {run.reason}"
        stopped_at = suite.replay_until(run)
    details = "\n".join(filter(None, [
        dbg.log_text() and "debugger session (last commands):\n" + dbg.log_text(),
        suite.failure_details(run)])) if failure else ""
    return results.Result(
        "debugger", case.name, case.lab, case.points, failure is None, failure or "",
        replay=results.replay_command(flavour, setup.cmdline, case.megs, stopped_at, case.swap_mib, setup.boot)
        if failure else "",
        ticks=run.ticks, details=details)


if __name__ == "__main__":
    sys.exit(suite.main("debugger", run_case, __doc__.splitlines()[1]))
