"""Boot ISOs made with tools/mkiso (KERNEL_ELF OUT_ISO [CMDLINE]).

A run's ISO is a copy of one base ISO per build (kernel, programs, extra
modules, mkiso itself), with its own command line written into the copy's
grub.cfg (bootimage.with_cmdline): grub-mkrescue runs once per build, not
once per run.
"""

import glob
import hashlib
import os
import subprocess

from . import bootimage, paths


class IsoError(Exception):
    """tools/mkiso failed or is missing, or the command line cannot be carried."""


def module_files(kernel):
    """The files tools/mkiso puts into the ISO for `kernel`: the user programs
    user/*.elf beside it (in one archive), then $ISO_MODULES."""
    return bootimage.user_programs(kernel) + os.environ.get("ISO_MODULES", "").split()


def _digest(kernel):
    """Hash of the kernel's bytes, the mkiso script and the modules (names and
    bytes), so that a rebuilt program gives a new base ISO."""
    h = hashlib.sha256()
    for path in (kernel, paths.mkiso_path(), bootimage.__file__):
        with open(path, "rb") as f:
            h.update(f.read())
    for path in module_files(kernel):
        if not os.path.exists(path):
            raise IsoError(f"module {paths.rel(path)} not found")
        h.update(b"\0" + os.path.basename(path).encode() + b"\0")
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


CACHE_KEEP = 20


def _prune(cache_dir, keep=CACHE_KEEP):
    """Delete all but the `keep` most recently used ISOs of the cache."""
    isos = sorted(glob.glob(os.path.join(cache_dir, "*.iso")), key=os.path.getmtime)
    for old in isos[:-keep]:
        try:
            os.unlink(old)
        except OSError:
            pass


def _mkiso(kernel, out_iso, cmdline=""):
    """Run tools/mkiso (or $MKISO)."""
    mkiso = paths.mkiso_path()
    if not os.path.exists(mkiso):
        raise IsoError(f"{paths.rel(mkiso)} not found")
    os.makedirs(os.path.dirname(os.path.abspath(out_iso)), exist_ok=True)
    proc = subprocess.run([mkiso, kernel, out_iso] + ([cmdline] if cmdline else []),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0 or not os.path.exists(out_iso):
        raise IsoError(f"mkiso failed ({proc.returncode}): {proc.stdout.strip()[-500:]}")
    return out_iso


def base(kernel, cache_dir=None):
    """The base ISO of `kernel` (empty command line), made only when missing."""
    if not os.path.exists(kernel):
        raise IsoError(f"{paths.rel(kernel)} not found (build it first: make)")
    cache_dir = cache_dir or os.path.join(os.path.dirname(os.path.abspath(kernel)), "runs", "iso")
    path = os.path.join(cache_dir, f"base-{_digest(kernel)}.iso")
    if not os.path.exists(path):
        tmp = f"{path}.{os.getpid()}.tmp.iso"
        _mkiso(kernel, tmp)
        os.replace(tmp, path)
        _prune(cache_dir)
    else:
        os.utime(path)
    return path


def build(kernel, out_iso, cmdline=""):
    """Make `out_iso` booting `kernel` with exactly this command line."""
    if not os.path.exists(kernel):
        raise IsoError(f"{paths.rel(kernel)} not found (build it first: make)")
    if os.environ.get("MKISO"):   # a stand-in mkiso under test: call it for every ISO
        return _mkiso(kernel, out_iso, cmdline)
    try:
        return bootimage.with_cmdline(base(kernel), out_iso, cmdline, bootimage.config_modules(kernel))
    except bootimage.BootImageError as e:
        raise IsoError(str(e))


def cached(kernel, cmdline, cache_dir):
    """An ISO for (kernel, cmdline) under cache_dir (written again on every
    call: a copy of the base ISO costs milliseconds)."""
    os.makedirs(cache_dir, exist_ok=True)
    name = hashlib.sha256(cmdline.encode()).hexdigest()[:12]
    return build(kernel, os.path.join(cache_dir, f"os-{name}.iso"), cmdline)
