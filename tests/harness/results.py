"""Test results: one-line reports, replay commands, JUnit XML and JSON files."""

import json
import os
import shlex
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from . import paths


@dataclass
class Result:
    """The result of one kernel test or debugger check."""
    kind: str            # "kernel" or "debugger"
    name: str
    lab: int
    points: float
    passed: bool
    reason: str = ""
    replay: str = ""
    ticks: int = None
    wall: float = 0.0
    details: str = ""    # debugger dump, check transcript: shown under a failure

    def as_json(self):
        """The JSON form written to build/results/<kind>.json."""
        return {"name": self.name, "lab": self.lab, "points": self.points,
                "passed": self.passed, "reason": self.reason, "replay": self.replay,
                "instructions": self.ticks, "wall": round(self.wall, 3)}


def replay_command(flavour, cmdline, megs, until=None, swap_mib=0, boot="grub"):
    """The `make debug` line that replays a run exactly (to `until` if given;
    with a fresh swap disk of swap_mib MiB if the run had one), on the boot
    path the run used (BOOT=shim|grub)."""
    words = ["make", "debug", f"FLAVOUR={flavour}", f"BOOT={boot}", "KCMD=" + shlex.quote(cmdline),
             f"MEGS={megs}"]
    if swap_mib:
        words.append(f"SWAP={swap_mib}")
    if until is not None:
        words.append(f"UNTIL={until}")
    return " ".join(words)


def _cost(result):
    """"[37,394,951 instr, 1.1 s]"."""
    ticks = f"{result.ticks:,} instr, " if result.ticks is not None else ""
    return f"[{ticks}{result.wall:.1f} s]"


def indent(text, prefix="      "):
    """Every line of text prefixed."""
    return "\n".join(prefix + line for line in text.splitlines())


def report_lines(result, verbose_details=True):
    """The lines printed for one result: PASS/FAIL line, replay, details."""
    if result.passed:
        return [f"PASS {result.name} {_cost(result)}"]
    lines = [f"FAIL {result.name}: {result.reason} {_cost(result)}"]
    if result.replay:
        lines.append(f"    replay: {result.replay}")
    if verbose_details and result.details:
        lines.append(indent(result.details))
    return lines


def write_junit(results, path, suite):
    """JUnit XML with one testsuite; lab N's cases have classname `<suite>.labN`."""
    failures = sum(not r.passed for r in results)
    root = ET.Element("testsuites")
    ts = ET.SubElement(root, "testsuite", name=suite, tests=str(len(results)),
                       failures=str(failures), errors="0",
                       time=f"{sum(r.wall for r in results):.3f}")
    for r in results:
        case = ET.SubElement(ts, "testcase", classname=f"{suite}.lab{r.lab}",
                             name=r.name, time=f"{r.wall:.3f}")
        if not r.passed:
            failure = ET.SubElement(case, "failure", message=r.reason)
            failure.text = "\n".join(filter(None, [r.reason, r.replay and "replay: " + r.replay,
                                                   r.details]))
    _write(path, ET.tostring(root, encoding="unicode"))


def write_json(results, path):
    """JSON list of results."""
    _write(path, json.dumps([r.as_json() for r in results], indent=2) + "\n")


def finish(results, junit, json_path, suite, label, none_note=None):
    """Write the JUnit and JSON files of a run, print `<label>: N passed, N
    failed` (or `none_note`, when given, if nothing ran) and return the exit
    status: 1 if any failed, else 0."""
    write_junit(results, junit, suite)
    write_json(results, json_path)
    failed = sum(not r.passed for r in results)
    if not results and none_note:
        print(none_note)
    else:
        print(f"{label}: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def _write(path, text):
    """Write a file atomically, making its directory."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def default_paths(kind):
    """build/results/<kind>.xml and .json."""
    return (os.path.join(paths.RESULTS, f"{kind}.xml"),
            os.path.join(paths.RESULTS, f"{kind}.json"))
