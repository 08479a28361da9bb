"""Parsing of the kernel's console lines.

Only lines of the form `@@ <token> KIND ...` with the run's own token count
(see README.md); a student's code printing "PASS" cannot forge a verdict.
A token line may start after other text on the same line (a process that
wrote half a line before a verdict came): it is read from its `@@` on.
"""

import re
from dataclasses import dataclass, field

LINE_RE = re.compile(r"@@ (\S+) (VERDICT|VALUE|EXCEPTION|PANIC|END|KILL)(?: (.*))?$")
NOT_IMPLEMENTED_RE = re.compile(r"lab \d+ not implemented: .*")
BOOT_MARK = "kernel booting"


@dataclass
class Verdict:
    """One `VERDICT <check> PASS|FAIL [reason]` line."""
    check: str
    passed: bool
    reason: str = ""


@dataclass
class Report:
    """Everything the kernel said that the harness cares about."""
    booted: bool = False
    verdicts: list = field(default_factory=list)
    values: dict = field(default_factory=dict)
    exceptions: list = field(default_factory=list)
    panics: list = field(default_factory=list)
    kills: list = field(default_factory=list)  # {"pid", "name", "address", "eip", "reason"} per killed process
    ends: list = field(default_factory=list)
    not_implemented: list = field(default_factory=list)
    # kinds in order of appearance, e.g. ["EXCEPTION", "PANIC"]
    sequence: list = field(default_factory=list)

    def first_failure(self):
        """The first FAIL verdict, or None."""
        return next((v for v in self.verdicts if not v.passed), None)


FIELD_RE = re.compile(r"(\w+)=(.*?)(?=\s+\w+=|\s*$)")


def parse_fields(text):
    """`vector=14 name=page fault err=0x2` -> {"vector": "14", "name": "page fault", ...}.

    A value runs up to the next ` key=`, so it may hold spaces.
    """
    return {key: value for key, value in FIELD_RE.findall(text)}


def _verdict(rest):
    """`check PASS` / `check FAIL reason...` -> Verdict (None when malformed)."""
    parts = rest.split(" ", 2)
    if len(parts) < 2 or parts[1] not in ("PASS", "FAIL"):
        return None
    return Verdict(parts[0], parts[1] == "PASS", parts[2] if len(parts) > 2 else "")


def _add(report, kind, rest):
    """Record one token line of the given kind."""
    if kind == "VERDICT":
        verdict = _verdict(rest)
        if verdict is None:
            return
        report.verdicts.append(verdict)
    elif kind == "VALUE":
        key, _, value = rest.partition(" ")
        report.values[key] = value.strip()
    elif kind == "EXCEPTION":
        report.exceptions.append(parse_fields(rest))
    elif kind == "KILL":
        report.kills.append(parse_fields(rest))
    elif kind == "PANIC":
        report.panics.append(rest)
    elif kind == "END":
        report.ends.append(rest.strip())
    report.sequence.append(kind)


def _token_line(line, token):
    """The first `@@ <token> KIND ...` in the line (token None: any), or None."""
    at = line.find("@@ ")
    while at >= 0:
        match = LINE_RE.match(line, at)
        if match and (token is None or match.group(1) == token):
            return match
        at = line.find("@@ ", at + 1)
    return None


def parse(text, token=None):
    """Parse console text. With token None, lines with any token count."""
    report = Report()
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if BOOT_MARK in line:
            report.booted = True
        missing = NOT_IMPLEMENTED_RE.search(line)
        if missing and missing.group(0) not in report.not_implemented:
            report.not_implemented.append(missing.group(0))
        match = _token_line(line, token)
        if match:
            _add(report, match.group(2), (match.group(3) or "").strip())
    return report
