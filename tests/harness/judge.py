"""Pass or fail of a kernel test, from its run and the manifest's `expect` rules.

A test passes iff the run ended as expected (powered off; with
`"panic": true`, in a kernel PANIC), no VERDICT says FAIL, and every expect rule
holds. A test not expecting a panic must also print at least one VERDICT and
its `END <test>` line. See README.md for the rules.
"""


def _number(text):
    """int of "14", "0x0e", 14; None when not a number."""
    try:
        return text if isinstance(text, int) else int(str(text), 0)
    except ValueError:
        return None


def _same(actual, wanted):
    """Field equality: as numbers when both are numbers, else as text."""
    a, w = _number(actual), _number(wanted)
    if a is not None and w is not None:
        return a == w
    return str(actual).lower() == str(wanted).lower()


def _value_range(report, spec):
    """{"key": [lo, hi]}: VALUE key present, a number, lo <= value <= hi."""
    problems = []
    for key, (lo, hi) in spec.items():
        value = _number(report.values.get(key, ""))
        if key not in report.values:
            problems.append(f"no VALUE {key}")
        elif value is None or not lo <= value <= hi:
            problems.append(f"{key}={report.values[key]} not in [{lo}, {hi}]")
    return problems


def _value_equals(report, spec):
    """{"key": value}: VALUE key present and equal."""
    return [f"{key}={report.values.get(key, '(missing)')}, expected {wanted}"
            for key, wanted in spec.items()
            if key not in report.values or not _same(report.values[key], wanted)]


def _exception(report, spec):
    """{"field": value, ...}: an EXCEPTION line with these fields (before any PANIC)."""
    positions = [i for i, kind in enumerate(report.sequence) if kind == "EXCEPTION"]
    panic_at = report.sequence.index("PANIC") if "PANIC" in report.sequence else None
    for fields, pos in zip(report.exceptions, positions):
        if all(_same(fields.get(k, ""), v) for k, v in spec.items()):
            if panic_at is not None and pos > panic_at:
                return ["the matching EXCEPTION line came after the PANIC"]
            return []
    wanted = " ".join(f"{k}={v}" for k, v in spec.items())
    if not report.exceptions:
        return [f"no EXCEPTION line (expected {wanted})"]
    got = " ".join(f"{k}={v}" for k, v in report.exceptions[0].items())
    return [f"EXCEPTION {got}, expected {wanted}"]


def _outcome(report, spec):
    """"budget", "triple-fault", ...: checked with the ending (see below)."""
    return []


def _runner_left_nothing(run):
    """Problems if a Bochs process or lock file of this run is still around."""
    import glob
    import os
    problems = [f"lock file left: {p}" for p in glob.glob(os.path.join(run.workdir, "*.lock"))]
    for proc in glob.glob("/proc/[0-9]*"):
        try:
            if os.readlink(f"{proc}/cwd") == os.path.realpath(run.workdir) and \
                    "bochs" in open(f"{proc}/comm").read():
                problems.append(f"Bochs still running as pid {os.path.basename(proc)}")
        except OSError:
            continue
    return problems


def _panic(report, spec):
    """true: a PANIC line is required (checked with the outcome); false: none."""
    return []


def _verdicts(report, names):
    """["check", ...]: these VERDICT lines must all be present. One problem
    naming every missing check, however many there are."""
    seen = {v.check for v in report.verdicts}
    missing = [name for name in names if name not in seen]
    if not missing:
        return []
    return [f"{len(missing)} of {len(names)} expected VERDICTs missing: {', '.join(missing)}"]


def _kills(report, wanted):
    """[{"name": "p", "reason": "NULL pointer access", "address": "0x00000000"}, ...]:
    for each entry, some KILL line has every field as given (in any order; other
    kills are allowed)."""
    problems = []
    for want in wanted:
        if not any(all(kill.get(k) == v for k, v in want.items()) for kill in report.kills):
            seen = "; ".join(f"{k.get('name')}: {k.get('reason')} at {k.get('address')}" for k in report.kills)
            problems.append(f"no KILL {want} (kills: {seen or 'none'})")
    return problems


def _no_kills(report, spec):
    """true: no process may be killed."""
    return [f"unexpected KILL {k}" for k in report.kills] if spec else []


RULES = {
    "kills": _kills,
    "no_kills": _no_kills,
    "value_range": _value_range,
    "value_equals": _value_equals,
    "exception": _exception,
    "panic": _panic,
    "outcome": _outcome,
    "verdicts": _verdicts,
}


def expect_problems(report, expect):
    """Problems found by the manifest's `expect` rules (empty when all hold)."""
    problems = []
    for rule, spec in (expect or {}).items():
        if rule not in RULES:
            problems.append(f"manifest: unknown expect rule {rule!r}")
        else:
            problems += RULES[rule](report, spec)
    return problems


# Outcomes where the harness stops the machine and keeps a debugger dump.
DUMPED = ("budget", "timeout", "flood")


def _ending_problems(run, test, want_panic, want_outcome=None):
    """Problems with how the run ended and what it must have printed."""
    report = run.report
    if want_outcome:  # a deliberately misbehaving kernel: the harness must cope
        problems = [] if run.outcome == want_outcome else [f"ended in {run.outcome}, expected {want_outcome}"]
        if want_outcome in DUMPED and "ip:" not in run.dump:  # "rip: ..." from `r`
            problems.append("no debugger dump with the registers")
        return problems + _runner_left_nothing(run)
    if want_panic:
        return [] if report.panics else [f"expected a kernel panic; {run.reason}"]
    if run.outcome != "poweroff":
        return [run.reason]
    problems = []
    if test not in report.ends:
        problems.append(f"no END {test} line (the kernel test did not finish)")
    if not report.verdicts:
        problems.append("no VERDICT line")
    return problems


def judge(run, test, expect):
    """(passed, one-line reason) for kernel test `test` run as `run`."""
    if run.outcome == "bochs-error":
        return False, run.reason
    report = run.report
    expect = expect or {}
    problems = _ending_problems(run, test, bool(expect.get("panic")), expect.get("outcome"))
    failed = report.first_failure()
    if failed:
        problems.insert(0, f"{failed.check} FAIL {failed.reason}".strip())
    problems += expect_problems(report, expect)
    if not problems:
        return True, ""
    if not report.booted and run.outcome != "bochs-error":
        problems.insert(0, "the kernel never printed 'kernel booting'")
    shown = problems[:3] + [p for p in problems[3:] if "VERDICTs missing" in p]
    return False, "; ".join(report.not_implemented + shown)
