"""labs/manifest.json: the labs, their kernel tests and debugger checks."""

import json
from dataclasses import dataclass, field

from . import bochs, paths


@dataclass
class Case:
    """One kernel test or debugger check, with the manifest's defaults filled in."""
    kind: str                 # "kernel" or "debugger"
    name: str
    lab: int
    test: str                 # kernel test selected with test=<test>
    points: float = 0
    megs: int = bochs.DEFAULT_MEGS
    swap_mib: int = 0         # a fresh swap disk of this size (lab 5), 0: none
    budget: int = bochs.DEFAULT_BUDGET
    timeout: float = None     # wall seconds
    cmdline: str = ""         # extra kernel command-line words
    expect: dict = field(default_factory=dict)
    script: str = ""          # debugger checks: module in tests/debugger/checks
    boot: str = None          # "grub" or "shim" (None: the runners' default, boot.TESTS)

    def __post_init__(self):
        if self.timeout is None:
            self.timeout = bochs.default_timeout(self.budget)


class ManifestError(Exception):
    """The manifest is missing or malformed."""


def _cmdline(value):
    """The optional extra command line: a string or a list of words."""
    return " ".join(value) if isinstance(value, list) else (value or "")


def _case(kind, lab, entry):
    """A Case from one manifest entry."""
    try:
        return Case(kind=kind, name=entry["name"], lab=lab,
                    test=entry.get("test", entry["name"] if kind == "kernel" else ""),
                    points=entry.get("points", 0),
                    megs=int(entry.get("megs", bochs.DEFAULT_MEGS)),
                    swap_mib=int(entry.get("swap_mib", 0)),
                    budget=int(entry.get("budget", bochs.DEFAULT_BUDGET)),
                    timeout=entry.get("timeout"),
                    cmdline=_cmdline(entry.get("cmdline")),
                    expect=entry.get("expect", {}),
                    script=entry.get("script", ""),
                    boot=entry.get("boot"))
    except (KeyError, TypeError, ValueError) as e:
        raise ManifestError(f"lab {lab}: bad {kind} entry {entry!r}: {e}")


SECTIONS = {"kernel": "kernel_tests", "debugger": "debugger_checks"}


def load(kind, path=paths.MANIFEST):
    """All cases of one kind ("kernel" or "debugger"), in manifest order."""
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise ManifestError(f"{paths.rel(path)}: {e}")
    return [_case(kind, lab.get("lab"), entry)
            for lab in data.get("labs", [])
            for entry in lab.get(SECTIONS[kind], [])]


def select(cases, lab=None, only=None):
    """Cases of the labs in `lab` (a number or a set of them; None: all labs),
    narrowed to names in `only` if given."""
    labs = {lab} if isinstance(lab, int) else lab
    chosen = [c for c in cases if labs is None or c.lab in labs]
    if only:
        chosen = [c for c in chosen if c.name in only]
    return chosen
