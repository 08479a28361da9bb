"""Boot ISOs as tools/mkiso (KERNEL_ELF OUT_ISO [CMDLINE]) makes them.

Every run gets an ISO of its own (its command line holds a new token). The
ISO's files are staged once per build (bootimage.stage, cached by the digest
of the kernel, the programs and the ISO makers); a run's ISO is then only
grub-mkimage and xorriso, some 30 ms of CPU.
"""

import glob
import hashlib
import os
import shutil
import subprocess

from . import bootimage, paths


class IsoError(Exception):
    """tools/mkiso failed or is missing, or the command line cannot be carried."""


def module_files(kernel):
    """The files tools/mkiso puts into the ISO for `kernel`: the user programs
    user/*.elf beside it (in one archive), then $ISO_MODULES."""
    return bootimage.user_programs(kernel) + os.environ.get("ISO_MODULES", "").split()


def build(kernel, out_iso, cmdline=""):
    """Make `out_iso` booting `kernel` with exactly this command line."""
    mkiso = paths.mkiso_path()
    if not os.path.exists(mkiso):
        raise IsoError(f"{paths.rel(mkiso)} not found")
    if not os.path.exists(kernel):
        raise IsoError(f"{paths.rel(kernel)} not found (build it first: make)")
    os.makedirs(os.path.dirname(os.path.abspath(out_iso)), exist_ok=True)
    if os.environ.get("MKISO"):   # a stand-in ISO maker (harness tests): it makes every ISO
        proc = subprocess.run([mkiso, kernel, out_iso] + ([cmdline] if cmdline else []),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0 or not os.path.exists(out_iso):
            raise IsoError(f"mkiso failed ({proc.returncode}): {proc.stdout.strip()[-500:]}")
        return out_iso
    try:
        return bootimage.make_iso(staged_tree(kernel), out_iso, cmdline, bootimage.config_modules(kernel))
    except (bootimage.BootImageError, OSError) as e:
        raise IsoError(str(e))


def staged_tree(kernel):
    """The ISO's files for `kernel`, staged once under build/<flavour>/runs/iso/."""
    cache_dir = os.path.join(os.path.dirname(os.path.abspath(kernel)), "runs", "iso")
    tree = os.path.join(cache_dir, f"tree-{_digest(kernel, '')}")
    if not os.path.isdir(tree):
        tmp = f"{tree}.{os.getpid()}.{id(tree)}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        bootimage.stage(kernel, tmp)
        try:
            os.rename(tmp, tree)
        except OSError:            # staged meanwhile by a parallel run
            shutil.rmtree(tmp, ignore_errors=True)
        for old in glob.glob(os.path.join(cache_dir, "tree-*")):
            if old != tree and not old.endswith(".tmp"):
                shutil.rmtree(old, ignore_errors=True)
    return tree


def _digest(kernel, cmdline):
    """Hash of the kernel's bytes, the command line, the ISO makers and the
    modules (names and bytes), so that a rebuilt program gives a new ISO."""
    h = hashlib.sha256()
    for path in (kernel, paths.mkiso_path(), bootimage.__file__):
        with open(path, "rb") as f:
            h.update(f.read())
    h.update(b"\0" + cmdline.encode())
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
    isos = sorted(glob.glob(os.path.join(cache_dir, "os-*.iso")), key=os.path.getmtime)
    for old in isos[:-keep]:
        try:
            os.unlink(old)
        except OSError:
            pass


def cached(kernel, cmdline, cache_dir):
    """An ISO for (kernel, cmdline) under cache_dir, made only when missing."""
    if not os.path.exists(kernel):
        raise IsoError(f"{paths.rel(kernel)} not found (build it first: make)")
    if not os.path.exists(paths.mkiso_path()):
        raise IsoError(f"{paths.rel(paths.mkiso_path())} not found")
    try:
        bootimage.check_cmdline(cmdline)
    except bootimage.BootImageError as e:
        raise IsoError(str(e))
    iso = os.path.join(cache_dir, f"os-{_digest(kernel, cmdline)}.iso")
    if not os.path.exists(iso):
        tmp = f"{iso}.{os.getpid()}.tmp.iso"
        build(kernel, tmp, cmdline)
        os.replace(tmp, iso)
        _prune(cache_dir)
    else:
        os.utime(iso)
    return iso
