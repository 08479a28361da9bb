"""Which way a run boots, and the boot medium for one run.

  grub  the real path: BIOS, then GRUB from a lean ISO (iso.py, bootimage.py),
        31 M instructions to a kernel test's first line; `make run` and
        `make debug` use it unless BOOT=shim, and so do the GRUB self-tests
        and any manifest case with "boot": "grub";
  shim  test runs: BIOS, then the option-ROM Multiboot shim (shimboot.py,
        tools/shim/shim.S), about 2 M instructions to a kernel test's first
        line; the kernel sees the same memory map, modules and command line.

$BOOT (make BOOT=shim|grub) overrides the default of every runner. A replay
command names the path its run used, so that it stops at the same instruction.
"""

import os

from . import iso, shimboot

PATHS = ("shim", "grub")
TESTS = "shim"             # kernel tests, debugger checks, grading, bench
INTERACTIVE = "grub"       # make run, make debug

Error = (iso.IsoError, shimboot.ShimError)


class BootPathError(ValueError):
    """An unknown boot path name."""


def check(name):
    """`name` if it is a boot path, else BootPathError."""
    if name not in PATHS:
        raise BootPathError(f"unknown boot path {name!r}: one of {', '.join(PATHS)}")
    return name


def choose(default, requested=None):
    """The boot path of a run: `requested`, else $BOOT, else `default`."""
    return check(requested or os.environ.get("BOOT") or default)


def build(kernel, workdir, cmdline, path):
    """The medium booting `kernel` with exactly `cmdline` on boot path `path`,
    its files in `workdir`: an ISO path (grub) or a shimboot.ShimImage (shim)."""
    if check(path) == "grub":
        return iso.build(kernel, os.path.join(workdir, "os.iso"), cmdline)
    return shimboot.build(kernel, os.path.join(workdir, "shim.rom"), cmdline)
