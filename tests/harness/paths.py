"""Locations in the repository tree."""

import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOCHSRC = os.path.join(REPO, "bochsrc")
BUILD = os.path.join(REPO, "build")
RESULTS = os.path.join(BUILD, "results")
MANIFEST = os.path.join(REPO, "labs", "manifest.json")


def mkiso_path():
    """The ISO maker: tools/mkiso, or $MKISO when set (for testing the harness)."""
    return os.environ.get("MKISO") or os.path.join(REPO, "tools", "mkiso")


def flavour_dir(flavour):
    """build/<flavour>/ of one kernel flavour."""
    return os.path.join(BUILD, flavour)


def kernel_elf(flavour):
    """build/<flavour>/kernel.elf."""
    return os.path.join(flavour_dir(flavour), "kernel.elf")


def kernel_sym(flavour):
    """build/<flavour>/kernel.sym (`nm` output as ADDRESS NAME lines)."""
    return os.path.join(flavour_dir(flavour), "kernel.sym")


def runs_dir(flavour):
    """build/<flavour>/runs/: one work directory per run lives below it."""
    return os.path.join(flavour_dir(flavour), "runs")


def rel(path):
    """`path` relative to the repository root when it is inside it."""
    path = os.path.abspath(path)
    if path.startswith(REPO + os.sep):
        return os.path.relpath(path, REPO)
    return path
