#!/usr/bin/python3
"""Summary of all test results: reads every JUnit XML file in build/results/.

    tools/summary.py [RESULTS_DIR]

Files and their level: host-*.xml and cpputest_*.xml (CppUTest `-ojunit`
names its files cpputest_<group>.xml, or cpputest_<package>_<group>.xml with
`-k`) are host tests; kernel*.xml kernel tests; debugger*.xml debugger checks;
any other file is a level of its own name. Prints a table per level and group,
the failed tests, and ends with the line `N passed, N failed`. Exit status 1
when a test failed or no test ran.
"""

import glob
import os
import sys
import xml.etree.ElementTree as ET
from collections import OrderedDict

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEVELS = (("host", ("host", "cpputest_")), ("kernel", ("kernel",)), ("debugger", ("debugger",)))
ORDER = [name for name, _ in LEVELS]


def level_of(path):
    """The level of a results file, from its name."""
    base = os.path.basename(path)
    for level, prefixes in LEVELS:
        if base.startswith(prefixes):
            return level
    return os.path.splitext(base)[0]


def group_of(level, classname):
    """A test's group: lab0 for kernel.lab0, host-lab1 for host-lab1.Group."""
    parts = (classname or "").split(".")
    if parts[0] == level and len(parts) > 1:
        return parts[1]
    return parts[0] or level


def outcome_of(case):
    """"passed", "failed" or "skipped" for one <testcase>."""
    if case.find("failure") is not None or case.find("error") is not None:
        return "failed"
    if case.find("skipped") is not None:
        return "skipped"
    return "passed"


def message_of(case):
    """The first line of a failed case's message."""
    node = case.find("failure")
    if node is None:
        node = case.find("error")
    text = node.get("message") or node.text or ""
    return text.replace("{newline}", " ").strip().splitlines()[0] if text.strip() else ""


def read_cases(path):
    """(level, group, name, outcome, message) for each test case of a file."""
    level = level_of(path)
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        return [(level, os.path.basename(path), "(results file)", "failed",
                 f"unreadable: {e}")]
    cases = []
    for case in root.iter("testcase"):
        outcome = outcome_of(case)
        cases.append((level, group_of(level, case.get("classname")), case.get("name", "?"),
                      outcome, message_of(case) if outcome == "failed" else ""))
    return cases


def sort_key(case):
    """Levels in the order host, kernel, debugger, others; then by group."""
    level = case[0]
    return (ORDER.index(level) if level in ORDER else len(ORDER), level, case[1])


def tally(cases):
    """{(level, group): {"passed": n, "failed": n, "skipped": n}} in a stable order."""
    counts = OrderedDict()
    for level, group, _name, outcome, _msg in sorted(cases, key=sort_key):
        row = counts.setdefault((level, group), {"passed": 0, "failed": 0, "skipped": 0})
        row[outcome] += 1
    return counts


def print_table(counts):
    """The per-level table with a total row."""
    fmt = "{:<10} {:<28} {:>7} {:>7} {:>8}"
    print(fmt.format("level", "group", "passed", "failed", "skipped"))
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    for (level, group), row in counts.items():
        print(fmt.format(level, group[:28], row["passed"], row["failed"], row["skipped"]))
        for k in totals:
            totals[k] += row[k]
    print(fmt.format("total", "", totals["passed"], totals["failed"], totals["skipped"]))
    return totals


def main(argv):
    """Summarise; exit status 1 on failures or when nothing ran."""
    if argv[1:2] and argv[1].startswith("-"):
        print(__doc__.strip())
        return 0 if argv[1] in ("-h", "--help") else 2
    results = argv[1] if len(argv) > 1 else os.path.join(REPO, "build", "results")
    cases = [c for path in sorted(glob.glob(os.path.join(results, "*.xml")))
             for c in read_cases(path)]
    totals = print_table(tally(cases))
    failed = sorted((c for c in cases if c[3] == "failed"), key=sort_key)
    if failed:
        print("\nfailed:")
        for level, group, name, _outcome, message in failed:
            print(f"  {level} {group} {name}: {message}"[:300])
    if not cases:
        print(f"\nno test results in {results}")
    print(f"{totals['passed']} passed, {totals['failed']} failed")
    return 1 if totals["failed"] or totals["passed"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
